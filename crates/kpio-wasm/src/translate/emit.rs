//! Emitting instructions, and the peepholes that rewrite the last one.
//!
//! Every instruction is emitted with the byte offset of the operator it came from (for
//! backtraces) and counted into the current fuel block. The translator remembers the last
//! instruction that computed a temp (`last_result`); while no label intervenes, a consumer
//! of that temp may rewrite it instead of emitting more: `local.set` retargets its
//! destination into the local, and a branch on a compare becomes one fused
//! compare-and-branch. Which instructions allow either comes from the instruction table
//! (`Instr::retargetable_dst`, `Instr::fuse_branch`).

use super::Translator;
use super::stack::Opd;
use crate::ir::Instr;

impl Translator<'_> {
    /// Appends `i`, recording its operator's byte offset and counting it into the current
    /// fuel block; returns its index.
    ///
    /// The engine's own instrumentation (interrupt checks, loop counters for tiering) is
    /// not charged: a guest takes the same fuel whether its engine is interruptible, tiered
    /// or interpreter-only.
    pub(super) fn emit(&mut self, i: Instr) -> usize {
        let charged = !matches!(i, Instr::CheckInterrupt | Instr::LoopCount { .. });
        self.code.push(i);
        self.offsets.push(self.offset);
        if charged
            && let Some(pc) = self.fuel_pc
            && let Instr::ConsumeFuel { amount } = &mut self.code[pc]
        {
            *amount = amount.saturating_add(1);
        }
        self.code.len() - 1
    }

    /// Emits an instruction whose result is the new top temp (a rewrite candidate).
    pub(super) fn emit_result(&mut self, i: Instr) {
        let pc = self.emit(i);
        self.last_result = Some((pc, self.stack.len() - 1, pc + 1));
    }

    /// With fuel metering, starts a straight-line stretch: a `ConsumeFuel` that the
    /// instructions up to the next label add themselves to.
    pub(super) fn start_fuel_block(&mut self) {
        if self.cx.flavour.fuel {
            let pc = self.emit(Instr::ConsumeFuel { amount: 0 });
            self.fuel_pc = Some(pc);
        }
    }

    /// At function entry and loop headers (the targets of every back-edge): a guest that
    /// runs on passes one of these on each call and each loop iteration.
    pub(super) fn check_interrupt(&mut self) {
        if self.cx.flavour.interruptible {
            self.emit(Instr::CheckInterrupt);
        }
    }

    /// With a tiered engine, at the header of the loop at wasm offset `id`: counts its
    /// iterations for on-stack replacement, where native code can take over (an empty
    /// operand stack and no loop parameters, so the frame's locals are all its state).
    pub(super) fn loop_count(&mut self, nparams: usize) {
        if self.cx.flavour.osr && nparams == 0 && self.stack.is_empty() {
            self.emit(Instr::LoopCount { id: self.offset });
        }
    }

    /// If the value just popped (at height `h`) was computed by the last instruction and no
    /// label intervenes, returns that instruction's index.
    pub(super) fn producer_of(&self, h: usize) -> Option<usize> {
        match self.last_result {
            Some((pc, rh, end))
                if rh == h && end == self.code.len() && pc >= self.label_barrier =>
            {
                Some(pc)
            }
            _ => None,
        }
    }

    /// Pops an i32 condition; if it was a compare just emitted, removes it and returns the
    /// fused branch "if condition" (or "if not condition", `negate`) with offset 0.
    pub(super) fn pop_condition(&mut self, negate: bool) -> Instr {
        let h = self.stack.len() - 1;
        let producer = self.producer_of(h);
        let (opd, c) = self.pop_opd();
        if opd == Opd::Temp
            && let Some(pc) = producer
            && let Some(fused) = self.code[pc].fuse_branch(negate)
        {
            self.code.pop();
            self.offsets.pop();
            self.last_result = None;
            return fused;
        }
        if negate {
            Instr::BrIfEqz { c, off: 0 }
        } else {
            Instr::BrIfNez { c, off: 0 }
        }
    }

    /// `local.set`: the popped value goes into local `index`, preferably by retargeting the
    /// instruction that just computed it.
    pub(super) fn local_set(&mut self, index: u32) {
        let (local, wide) = self.local_slot(index);
        let h = self.stack.len() - 1;
        let producer = self.producer_of(h);
        let (opd, s) = self.pop_opd();
        if s == local {
            return;
        }
        let emitted = self.code.len();
        self.preserve_local(local);
        if opd == Opd::Temp
            && let Some(pc) = producer
            && self.code.len() == emitted
            && let Some(d) = self.code[pc].retargetable_dst()
        {
            *d = local;
            self.last_result = None;
            return;
        }
        self.emit(Self::copy_instr(local, s, wide));
    }
}

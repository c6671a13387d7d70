//! Control frames and branches: blocks, loops, `if`/`else`, `br`, `br_if`, `br_table` and
//! `return`, all resolved at translation time.
//!
//! Each open block has a control frame recording the operand stack height below its
//! parameters and its arities. Values a branch carries travel to the target's canonical
//! slots (from the slot of `height` on, packed: a `v128` takes two), so a branch whose values are already there is one
//! jump; otherwise `br_if` inverts its condition to skip over the copies, and `br_table`
//! jumps to a stub that copies and branches. Backward branches (to loops) are patched at
//! once; forward ones are fixed up when the block's `end` binds its label. A bound label is
//! a barrier for the peepholes in `emit` (code before it may be reached from elsewhere).
//!
//! Operators in unreachable code are skipped here, counting nested blocks, until the
//! `else` or `end` that makes code reachable again.

use super::Translator;
use super::error::TranslateError;
use super::stack::Opd;
use crate::ir::{Instr, Slot};
use alloc::vec::Vec;
use wasmparser::{BlockType, BrTable, Operator};

/// What kind of construct a control frame belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Func,
    Block,
    Loop,
    If,
}

/// An open block (or the function body itself, at the bottom).
pub(super) struct Ctrl {
    pub kind: Kind,
    /// Operand stack height below the block's parameters.
    pub height: usize,
    pub nparams: usize,
    pub nresults: usize,
    /// Loop header.
    pub start: usize,
    /// Forward branches to this block's end.
    pub fixups: Vec<usize>,
    /// For `if`: the branch to patch to the `else` (or the end, without one).
    pub else_fixup: Option<usize>,
    /// For `if` with parameters: where they are saved for the `else` arm.
    pub spill: Slot,
    /// The block's type (the function body's frame has `Empty`: it pushes nothing at its end).
    pub bt: BlockType,
}

impl Ctrl {
    /// The frame of the function body, whose branches are returns.
    pub fn function(nresults: usize) -> Ctrl {
        Ctrl {
            kind: Kind::Func,
            height: 0,
            nparams: 0,
            nresults,
            start: 0,
            fixups: Vec::new(),
            else_fixup: None,
            spill: 0,
            bt: BlockType::Empty,
        }
    }

    /// How many values a branch to this frame carries.
    fn branch_arity(&self) -> usize {
        if self.kind == Kind::Loop {
            self.nparams
        } else {
            self.nresults
        }
    }
}

impl Translator<'_> {
    /// Binds a label at the next instruction: a barrier for peephole rewrites.
    pub(super) fn bind_label(&mut self) -> usize {
        self.label_barrier = self.code.len();
        self.last_result = None;
        self.code.len()
    }

    /// Points the branch at `pc` to `target`.
    pub(super) fn patch(&mut self, pc: usize, target: usize) {
        let off = target as i64 - pc as i64;
        *self.code[pc]
            .branch_offset_mut()
            .expect("patching a branch") = off as i32;
    }

    /// The index into `ctrl` of the frame `relative_depth` levels out.
    pub(super) fn target(&self, relative_depth: u32) -> usize {
        self.ctrl.len() - 1 - relative_depth as usize
    }

    fn copies_needed(&self, target: usize) -> bool {
        let t = &self.ctrl[target];
        if t.kind == Kind::Func {
            return true;
        }
        let n = t.branch_arity();
        let len = self.stack.len();
        (0..n).any(|i| !(self.stack[len - n + i] == Opd::Temp && len - n + i == t.height + i))
    }

    /// Unconditional branch to control frame `target` (an index into `ctrl`), carrying values.
    pub(super) fn emit_branch(&mut self, target: usize) {
        let (kind, height, n, start) = {
            let t = &self.ctrl[target];
            (t.kind, t.height, t.branch_arity(), t.start)
        };
        if kind == Kind::Func {
            self.emit_return();
            return;
        }
        let len = self.stack.len();
        let mut d = self.temp(height);
        for i in 0..n {
            let h = len - n + i;
            let wide = self.is_wide(h);
            if !(self.stack[h] == Opd::Temp && h == height + i) {
                let s = self.slot_at(h);
                let copy = Self::copy_instr(d, s, wide);
                self.emit(copy);
            }
            d += 1 + wide as Slot;
        }
        let pc = self.emit(Instr::Br { off: 0 });
        if kind == Kind::Loop {
            self.patch(pc, start);
        } else {
            self.ctrl[target].fixups.push(pc);
        }
    }

    /// Emits `branch` (offset 0) so that it goes to control frame `target` when taken.
    fn emit_cond_branch(&mut self, branch: Instr, target: usize) {
        let pc = self.emit(branch);
        if self.ctrl[target].kind == Kind::Loop {
            let start = self.ctrl[target].start;
            self.patch(pc, start);
        } else {
            self.ctrl[target].fixups.push(pc);
        }
    }

    fn emit_return(&mut self) {
        let n = self.nresults;
        let len = self.stack.len();
        match n {
            0 => {
                self.emit(Instr::Return);
            }
            1 if !self.is_wide(len - 1) => {
                let s = self.slot_at(len - 1);
                self.emit(Instr::Return1 { s });
            }
            _ => {
                // Results go to slots from 0 on, packed (a `v128` takes two). A local or
                // constant among the sources that lies in that range could be overwritten
                // before it is read: stage those through their canonical temps (copying temps
                // in increasing order never clobbers a later source). The stack model is left
                // as it is: this code may sit on a branch path that the fall-through does not
                // take.
                let total = (self.top_offset() - self.offset_at(len - n)) as usize;
                let mut srcs: Vec<(Slot, bool)> = (len - n..len)
                    .map(|h| (self.slot_at(h), self.is_wide(h)))
                    .collect();
                let hazard = (len - n..len)
                    .any(|h| self.stack[h] != Opd::Temp && (self.slot_at(h) as usize) < total);
                if hazard {
                    for (i, src) in srcs.iter_mut().enumerate() {
                        let h = len - n + i;
                        if self.stack[h] != Opd::Temp {
                            let copy = Self::copy_instr(self.temp(h), src.0, src.1);
                            self.emit(copy);
                            src.0 = self.temp(h);
                        }
                    }
                }
                let mut d: Slot = 0;
                for (s, wide) in srcs {
                    if s != d {
                        let copy = Self::copy_instr(d, s, wide);
                        self.emit(copy);
                    }
                    d += 1 + wide as Slot;
                }
                self.emit(Instr::Return);
            }
        }
    }

    /// Whether the `i`-th parameter (or, `result`, result) of block type `bt` is a `v128`.
    fn block_val_wide(&self, bt: BlockType, result: bool, i: usize) -> bool {
        match bt {
            BlockType::Empty => false,
            BlockType::Type(t) => t == wasmparser::ValType::V128,
            BlockType::FuncType(f) => {
                let t = &self.cx.module.types[f as usize];
                let ts = if result { t.results() } else { t.params() };
                ts[i] == crate::ValType::V128
            }
        }
    }

    pub(super) fn block_arity(&self, bt: BlockType) -> (usize, usize) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(i) => {
                let t = &self.cx.module.types[i as usize];
                (t.params().len(), t.results().len())
            }
        }
    }

    /// Common entry of `block`, `loop` and `if`: lazy locals can't cross into a block (a
    /// write inside might be conditional), and parameters must be at canonical slots.
    fn enter_block(&mut self, kind: Kind, bt: BlockType) -> Ctrl {
        let (nparams, nresults) = self.block_arity(bt);
        self.materialize_all_locals();
        self.materialize_top(nparams);
        Ctrl {
            kind,
            height: self.stack.len() - nparams,
            nparams,
            nresults,
            start: 0,
            fixups: Vec::new(),
            else_fixup: None,
            spill: 0,
            bt,
        }
    }

    // ---- the control operators ----

    pub(super) fn block(&mut self, bt: BlockType) {
        let c = self.enter_block(Kind::Block, bt);
        self.ctrl.push(c);
    }

    pub(super) fn loop_(&mut self, bt: BlockType) {
        let mut c = self.enter_block(Kind::Loop, bt);
        c.start = self.bind_label();
        let nparams = c.nparams;
        self.ctrl.push(c);
        self.start_fuel_block();
        self.check_interrupt();
        self.loop_count(nparams);
    }

    pub(super) fn if_(&mut self, bt: BlockType) {
        let branch = self.pop_condition(true);
        let mut c = self.enter_block(Kind::If, bt);
        if c.nparams > 0 {
            c.spill = self.next_spill;
            let mut d = c.spill;
            for i in 0..c.nparams {
                let (s, wide) = (self.temp(c.height + i), self.is_wide(c.height + i));
                self.emit(Self::copy_instr(d, s, wide));
                d += 1 + wide as Slot;
            }
            self.next_spill = d;
        }
        c.else_fixup = Some(self.emit(branch));
        self.ctrl.push(c);
    }

    pub(super) fn else_(&mut self) {
        let i = self.ctrl.len() - 1;
        if self.reachable {
            let n = self.ctrl[i].nresults;
            self.materialize_top(n);
            let pc = self.emit(Instr::Br { off: 0 });
            self.ctrl[i].fixups.push(pc);
        }
        let here = self.bind_label();
        let fix = self.ctrl[i]
            .else_fixup
            .take()
            .expect("if has an else fixup");
        self.patch(fix, here);
        let (height, nparams, spill, bt) = (
            self.ctrl[i].height,
            self.ctrl[i].nparams,
            self.ctrl[i].spill,
            self.ctrl[i].bt,
        );
        self.truncate(height);
        let mut s = spill;
        for k in 0..nparams {
            let wide = self.block_val_wide(bt, false, k);
            let d = self.push_temp_as(wide);
            self.emit(Self::copy_instr(d, s, wide));
            s += 1 + wide as Slot;
        }
        self.reachable = true;
        self.start_fuel_block();
    }

    pub(super) fn end(&mut self) {
        let c = self.ctrl.pop().expect("validated control stack");
        self.close_try_table(self.ctrl.len());
        if c.kind == Kind::Func {
            if self.reachable {
                self.emit_return();
            }
            self.reachable = false;
            return;
        }
        if self.reachable {
            self.materialize_top(c.nresults);
        }
        self.truncate(c.height);
        let here = self.bind_label();
        for pc in c.fixups {
            self.patch(pc, here);
        }
        if let Some(pc) = c.else_fixup {
            self.patch(pc, here);
        }
        for k in 0..c.nresults {
            let wide = self.block_val_wide(c.bt, true, k);
            self.push_temp_as(wide);
        }
        self.reachable = true;
        self.start_fuel_block();
    }

    pub(super) fn br(&mut self, relative_depth: u32) {
        let target = self.target(relative_depth);
        self.emit_branch(target);
        self.reachable = false;
    }

    pub(super) fn br_if(&mut self, relative_depth: u32) {
        let target = self.target(relative_depth);
        let branch_if = self.pop_condition(false);
        if self.copies_needed(target) {
            // Invert: skip over the copies and the jump when the condition fails.
            let skip = branch_if.inverted().expect("a conditional branch");
            let pc = self.emit(skip);
            self.emit_branch(target);
            let here = self.bind_label();
            self.patch(pc, here);
        } else {
            self.emit_cond_branch(branch_if, target);
        }
    }

    pub(super) fn br_table(&mut self, targets: BrTable<'_>) -> Result<(), TranslateError> {
        let index = self.pop();
        let depths: Vec<u32> = targets
            .targets()
            .chain(core::iter::once(Ok(targets.default())))
            .collect::<Result<_, _>>()?;
        self.emit(Instr::BrTable {
            index,
            len: depths.len() as u32 - 1,
        });
        let mut stubs = Vec::new();
        for d in depths {
            let target = self.target(d);
            let pc = self.emit(Instr::Br { off: 0 });
            if self.copies_needed(target) {
                stubs.push((pc, target));
            } else if self.ctrl[target].kind == Kind::Loop {
                let start = self.ctrl[target].start;
                self.patch(pc, start);
            } else {
                self.ctrl[target].fixups.push(pc);
            }
        }
        // The stubs for targets whose values must be copied first.
        for (pc, target) in stubs {
            let here = self.code.len();
            self.patch(pc, here);
            self.emit_branch(target);
        }
        self.reachable = false;
        Ok(())
    }

    /// `br_on_null`: branches with the values below the reference when it is null; else
    /// the reference stays on the stack, where it was.
    pub(super) fn br_on_null(&mut self, relative_depth: u32) {
        let (opd, s) = self.pop_opd();
        self.br_when(relative_depth, Instr::BrI64Eqz { c: s, off: 0 });
        self.push(opd);
    }

    /// `br_on_non_null`: branches with the values and the reference when it is not null;
    /// else drops it.
    pub(super) fn br_on_non_null(&mut self, relative_depth: u32) {
        let s = self.slot_at(self.stack.len() - 1);
        self.br_when(relative_depth, Instr::BrI64Nez { c: s, off: 0 });
        self.pop();
    }

    /// A conditional branch (`branch_if`, offset 0) to `relative_depth` carrying the top
    /// values of the stack as it is, like `br_if` (whose condition is already popped).
    fn br_when(&mut self, relative_depth: u32, branch_if: Instr) {
        let target = self.target(relative_depth);
        if self.copies_needed(target) {
            let skip = branch_if.inverted().expect("a conditional branch");
            let pc = self.emit(skip);
            self.emit_branch(target);
            let here = self.bind_label();
            self.patch(pc, here);
        } else {
            self.emit_cond_branch(branch_if, target);
        }
    }

    pub(super) fn return_(&mut self) {
        self.emit_return();
        self.reachable = false;
    }

    /// Unreachable code: counts the blocks it opens and closes, and hands on the `else` or
    /// `end` that ends it. Nothing else in it is translated (validation checked it).
    pub(super) fn skip_unreachable(&mut self, op: &Operator<'_>) {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. } => {
                self.skip_depth += 1;
            }
            Operator::Else if self.skip_depth == 0 => self.else_(),
            Operator::End if self.skip_depth == 0 => self.end(),
            Operator::End => self.skip_depth -= 1,
            _ => {}
        }
    }
}

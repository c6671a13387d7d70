//! The operand stack model: what each entry of the Wasm operand stack holds at compile time.
//!
//! An entry is a local (its current value, read lazily from the local's own slot), a
//! constant (a slot of the frame's constant area), or a temp living at its canonical slot
//! `temps_base + height`. Locals and constants are used in place as operands, so
//! `local.get`/`i32.const` emit nothing; they are copied into their canonical slot
//! ("materialized") only when their value must survive a write to the local, cross a block
//! boundary, or be handed to a callee or a branch target.

use super::Translator;
use crate::ir::{Instr, Slot};

/// What one operand stack entry holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Opd {
    /// The current value of a local (its slot is the local's index).
    Local(u32),
    /// A constant in the frame's constant area.
    Const(Slot),
    /// A computed value at its canonical slot.
    Temp,
}

impl Translator<'_> {
    /// The canonical slot of the stack entry at height `height`.
    pub(super) fn temp(&self, height: usize) -> Slot {
        self.temps_base + height as Slot
    }

    /// Where the entry at height `h` can be read now.
    pub(super) fn slot_at(&self, h: usize) -> Slot {
        match self.stack[h] {
            Opd::Local(i) => i,
            Opd::Const(s) => s,
            Opd::Temp => self.temp(h),
        }
    }

    /// Pushes an entry (counting lazy local reads).
    pub(super) fn push(&mut self, o: Opd) {
        if let Opd::Local(_) = o {
            self.local_refs += 1;
        }
        self.stack.push(o);
        self.max_height = self.max_height.max(self.stack.len());
    }

    /// Pushes a computed value; returns its canonical slot, where it must be written.
    pub(super) fn push_temp(&mut self) -> Slot {
        let h = self.stack.len();
        self.push(Opd::Temp);
        self.temp(h)
    }

    /// Pops the top entry, with the slot it can be read from.
    pub(super) fn pop_opd(&mut self) -> (Opd, Slot) {
        let h = self.stack.len() - 1;
        let s = self.slot_at(h);
        let o = self.stack.pop().expect("validated stack");
        if let Opd::Local(_) = o {
            self.local_refs -= 1;
        }
        (o, s)
    }

    /// Pops the top entry; returns the slot it can be read from.
    pub(super) fn pop(&mut self) -> Slot {
        self.pop_opd().1
    }

    /// Pops entries down to height `h`.
    pub(super) fn truncate(&mut self, h: usize) {
        while self.stack.len() > h {
            self.pop_opd();
        }
    }

    /// The frame slot holding constant `v` (reserved by the pre-scan).
    pub(super) fn const_slot(&self, v: u64) -> Slot {
        self.consts[&v]
    }

    /// Copies the entry at height `h` into its canonical slot.
    pub(super) fn materialize(&mut self, h: usize) {
        if self.stack[h] != Opd::Temp {
            let s = self.slot_at(h);
            if let Opd::Local(_) = self.stack[h] {
                self.local_refs -= 1;
            }
            self.stack[h] = Opd::Temp;
            self.emit(Instr::Copy { d: self.temp(h), s });
        }
    }

    /// Materializes the top `n` entries.
    pub(super) fn materialize_top(&mut self, n: usize) {
        let len = self.stack.len();
        for h in len - n..len {
            self.materialize(h);
        }
    }

    /// Before `local` is written: entries still reading it lazily take a copy.
    pub(super) fn preserve_local(&mut self, local: u32) {
        if self.local_refs == 0 {
            return;
        }
        for h in 0..self.stack.len() {
            if self.stack[h] == Opd::Local(local) {
                self.materialize(h);
            }
        }
    }

    /// Before a block boundary: no entry may read a local lazily across it.
    pub(super) fn materialize_all_locals(&mut self) {
        if self.local_refs == 0 {
            return;
        }
        for h in 0..self.stack.len() {
            if let Opd::Local(_) = self.stack[h] {
                self.materialize(h);
            }
        }
    }
}

//! The operand stack model: what each entry of the Wasm operand stack holds at compile time.
//!
//! An entry is a local (its current value, read lazily from the local's own slot), a
//! constant (a slot of the frame's constant area), or a temp living at its canonical slot
//! `temps_base + offset`, where the offset counts the slots of the entries below it (a
//! `v128` takes two adjacent slots, one value else). Locals and constants are used in place as operands, so
//! `local.get`/`i32.const` emit nothing; they are copied into their canonical slot
//! ("materialized") only when their value must survive a write to the local, cross a block
//! boundary, or be handed to a callee or a branch target.

use super::Translator;
use crate::ir::{Instr, Slot};

/// What one operand stack entry holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Opd {
    /// The current value of a local, named by its (first) slot.
    Local(u32),
    /// A constant in the frame's constant area.
    Const(Slot),
    /// A computed value at its canonical slot.
    Temp,
}

impl Translator<'_> {
    /// The canonical slot of the stack entry at height `height` (or of the next one pushed,
    /// for the current height).
    pub(super) fn temp(&self, height: usize) -> Slot {
        self.temps_base + self.offset_at(height)
    }

    /// Slots taken by the entries below height `h` (`h` at most the stack's height).
    pub(super) fn offset_at(&self, h: usize) -> Slot {
        match self.offs.get(h) {
            Some(&o) => o,
            None => self.top_offset(),
        }
    }

    /// Slots taken by the whole stack.
    pub(super) fn top_offset(&self) -> Slot {
        match (self.offs.last(), self.wide.last()) {
            (Some(&o), Some(&w)) => o + 1 + w as Slot,
            _ => 0,
        }
    }

    /// Where the entry at height `h` can be read now.
    pub(super) fn slot_at(&self, h: usize) -> Slot {
        match self.stack[h] {
            Opd::Local(i) => i,
            Opd::Const(s) => s,
            Opd::Temp => self.temp(h),
        }
    }

    /// Pushes a one-slot entry (counting lazy local reads).
    pub(super) fn push(&mut self, o: Opd) {
        self.push_as(o, false);
    }

    /// Pushes an entry, `wide` for a `v128` (two slots).
    pub(super) fn push_as(&mut self, o: Opd, wide: bool) {
        if let Opd::Local(_) = o {
            self.local_refs += 1;
        }
        let off = self.top_offset();
        self.stack.push(o);
        self.offs.push(off);
        self.wide.push(wide);
        self.max_height = self.max_height.max((off + 1 + wide as Slot) as usize);
    }

    /// Pushes a computed one-slot value; returns its canonical slot, where it must be written.
    pub(super) fn push_temp(&mut self) -> Slot {
        self.push_temp_as(false)
    }

    /// Pushes a computed value (`wide`: a `v128`); returns its canonical slot.
    pub(super) fn push_temp_as(&mut self, wide: bool) -> Slot {
        let h = self.stack.len();
        self.push_as(Opd::Temp, wide);
        self.temp(h)
    }

    /// Whether the entry at height `h` is a `v128`.
    pub(super) fn is_wide(&self, h: usize) -> bool {
        self.wide[h]
    }

    /// Whether the top entry is a `v128`.
    pub(super) fn top_is_wide(&self) -> bool {
        self.wide.last().copied().unwrap_or(false)
    }

    /// A copy of one value: two slots for a `v128`.
    pub(super) fn copy_instr(d: Slot, s: Slot, wide: bool) -> Instr {
        if wide {
            Instr::V128Copy { d, s }
        } else {
            Instr::Copy { d, s }
        }
    }

    /// Pops the top entry, with the slot it can be read from.
    pub(super) fn pop_opd(&mut self) -> (Opd, Slot) {
        let h = self.stack.len() - 1;
        let s = self.slot_at(h);
        let o = self.stack.pop().expect("validated stack");
        self.offs.pop();
        self.wide.pop();
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

    /// The first of the two frame slots holding `v128` constant `v` (reserved by the
    /// pre-scan).
    pub(super) fn v128_const_slot(&self, v: u128) -> Slot {
        self.layout_v128[&v]
    }

    /// The first slot of local `index`, and whether it is a `v128`.
    pub(super) fn local_slot(&self, index: u32) -> (Slot, bool) {
        match self.local_slots.get(index as usize) {
            Some(&s) => (s, self.local_slots[index as usize + 1] - s == 2),
            None => (index, false),
        }
    }

    /// Copies the entry at height `h` into its canonical slot.
    pub(super) fn materialize(&mut self, h: usize) {
        if self.stack[h] != Opd::Temp {
            let s = self.slot_at(h);
            if let Opd::Local(_) = self.stack[h] {
                self.local_refs -= 1;
            }
            self.stack[h] = Opd::Temp;
            let i = Self::copy_instr(self.temp(h), s, self.wide[h]);
            self.emit(i);
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

//! Multi-memory and memory64: which memory instructions an access translates to.
//!
//! An access to a 32-bit memory 0 keeps the one-instruction-per-operator forms (`I32Load`,
//! `V128Store`, `MemoryFill`, ...) that both dispatch backends run fast; an access to any
//! other memory, or to a 64-bit memory, becomes one of the general instructions (`MemLoad`,
//! `MemStore`, `MemoryGrow64`, ...) with the memory index, the index type and a 64-bit offset.

use super::Translator;
use super::error::TranslateError;
use crate::ir::{Dst, Instr, Slot, VDst};
use crate::load_kind::LoadKind;
use crate::simd::V128LoadKind;
use wasmparser::{MemArg, MemArgTarget};

/// The `Aux` word of a 64-bit static offset: low half in `a`, high half in `b`.
fn offset_aux(off: u64) -> Instr {
    Instr::Aux {
        a: off as u32,
        b: (off >> 32) as u32,
        c: 0,
    }
}

impl Translator<'_> {
    /// The memory and static offset of an access. A GC array target belongs to the GC
    /// proposal, which validation refuses.
    pub(super) fn memarg(&self, memarg: &MemArg) -> Result<(u32, u64), TranslateError> {
        match memarg.target {
            MemArgTarget::Memory(mem) => Ok((mem, memarg.offset)),
            MemArgTarget::Array(_) => Err(TranslateError::Unsupported {
                proposal: "gc",
                operator: "array memory access",
                offset: self.offset,
            }),
        }
    }

    /// Whether memory `mem` (module index) is addressed with `i64`.
    pub(super) fn memory_is_64(&self, mem: u32) -> bool {
        self.cx.module.memory_space[mem as usize].memory64
    }

    /// Whether an access to memory `mem` takes the memory-0 fast forms: memory 0, 32-bit.
    pub(super) fn plain_memory(&self, mem: u32) -> bool {
        mem == 0 && !self.memory_is_64(0)
    }

    /// A general load into temp `d` (just pushed) from the address in slot `a`.
    pub(super) fn emit_mem_load(
        &mut self,
        kind: LoadKind,
        d: Dst,
        a: Slot,
        (mem, offset): (u32, u64),
    ) {
        let is64 = self.memory_is_64(mem);
        self.emit_result_aux(
            Instr::MemLoad {
                kind,
                is64,
                d,
                a,
                mem,
            },
            offset_aux(offset),
        );
    }

    /// A general store of the low `bytes` bytes of slot `v` at the address in slot `a`.
    pub(super) fn emit_mem_store(
        &mut self,
        bytes: u8,
        a: Slot,
        v: Slot,
        (mem, offset): (u32, u64),
    ) {
        let is64 = self.memory_is_64(mem);
        self.emit(Instr::MemStore {
            bytes,
            is64,
            a,
            v,
            mem,
        });
        self.emit(offset_aux(offset));
    }

    /// A general `v128` load into temp `d` (just pushed).
    pub(super) fn emit_v128_mem_load(
        &mut self,
        kind: V128LoadKind,
        d: VDst,
        a: Slot,
        (mem, offset): (u32, u64),
    ) {
        let is64 = self.memory_is_64(mem);
        self.emit_result_aux(
            Instr::V128MemLoad {
                kind,
                is64,
                d,
                a,
                mem,
            },
            offset_aux(offset),
        );
    }

    /// A general load of `bytes` into lane `lane` of the vector in slot `v`.
    pub(super) fn emit_v128_mem_load_lane(
        &mut self,
        (bytes, lane): (u8, u8),
        d: VDst,
        a: Slot,
        v: Slot,
        (mem, offset): (u32, u64),
    ) {
        let is64 = self.memory_is_64(mem);
        self.emit(Instr::V128MemLoadLane {
            bytes,
            lane,
            is64,
            mem: narrow_memory(mem),
            d,
            a,
        });
        self.emit(Instr::Aux {
            a: v,
            b: offset as u32,
            c: (offset >> 32) as u32,
        });
    }

    /// A general `v128` store, or (`lane`: bytes and lane index) a store of one lane.
    pub(super) fn emit_v128_mem_store(
        &mut self,
        lane: Option<(u8, u8)>,
        a: Slot,
        v: Slot,
        (mem, offset): (u32, u64),
    ) {
        let is64 = self.memory_is_64(mem);
        self.emit(match lane {
            None => Instr::V128MemStore { is64, a, v, mem },
            Some((bytes, lane)) => Instr::V128MemStoreLane {
                bytes,
                lane,
                is64,
                mem: narrow_memory(mem),
                a,
                v,
            },
        });
        self.emit(offset_aux(offset));
    }

    /// Emits `i`, whose result is the new top temp, and its `Aux` word, keeping `i` a
    /// rewrite candidate (`local.set` may retarget its destination).
    fn emit_result_aux(&mut self, i: Instr, aux: Instr) {
        let pc = self.emit(i);
        self.emit(aux);
        self.last_result = Some((pc, self.stack.len() - 1, pc + 2));
    }
}

/// A memory index in the 16 bits the lane instructions keep it in: validation allows at
/// most 100 memories (wasmparser's `MAX_WASM_MEMORIES`).
fn narrow_memory(mem: u32) -> u16 {
    debug_assert!(mem <= u32::from(u16::MAX), "memory index {mem}");
    mem as u16
}

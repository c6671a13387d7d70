//! The pre-scan: one pass over a body, before translation, that decides the frame layout.
//!
//! Operands name frame slots directly, so the slots of constants and of the saved
//! parameters of `if` blocks must be known before the first instruction is emitted: the
//! frame is `[params + locals | constants | if-parameter spill | operand temps]`. Constants
//! are deduplicated by their bits, so each distinct value takes one slot; `v128` constants
//! (and the lane masks of `i8x16.shuffle`) take two adjacent slots each, after the others.

use super::error::TranslateError;
use crate::ir::Slot;
use crate::module::ModuleInner;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use wasmparser::{BlockType, OperatorsReader};

/// What the pre-scan found.
pub(super) struct Layout {
    /// Constant bits → frame slot.
    pub consts: BTreeMap<u64, Slot>,
    /// The constant area's initial values, in slot order.
    pub const_values: Vec<u64>,
    /// Number of spill slots the `if`s with parameters need.
    pub nspill: u32,
    /// `v128` constant bits → first of its two frame slots.
    pub v128: BTreeMap<u128, Slot>,
}

/// Scans `ops` (a function's operators) for constants and `if` parameters; the constant
/// area starts at slot `nlocals`.
pub(super) fn scan(
    module: &ModuleInner,
    mut ops: OperatorsReader<'_>,
    nlocals: u32,
) -> Result<Layout, TranslateError> {
    use wasmparser::Operator;
    let mut consts = BTreeMap::new();
    let mut nspill = 0u32;
    let mut v128: BTreeMap<u128, Slot> = BTreeMap::new();
    while !ops.eof() {
        let v = match ops.read()? {
            Operator::I32Const { value } => value as u32 as u64,
            Operator::I64Const { value } => value as u64,
            Operator::F32Const { value } => value.bits() as u64,
            Operator::F64Const { value } => value.bits(),
            Operator::RefNull { .. } => 0,
            Operator::If {
                blockty: BlockType::FuncType(t),
            } => {
                let params = module.types[t as usize].params();
                nspill += params.iter().map(|p| p.slots() as u32).sum::<u32>();
                continue;
            }
            Operator::V128Const { value } => {
                let next = v128.len() as u32;
                v128.entry(value.i128() as u128).or_insert(next);
                continue;
            }
            Operator::I8x16Shuffle { lanes } => {
                let next = v128.len() as u32;
                v128.entry(u128::from_le_bytes(lanes)).or_insert(next);
                continue;
            }
            _ => continue,
        };
        let next = consts.len() as u32;
        consts.entry(v).or_insert(next);
    }
    let mut const_values = alloc::vec![0u64; consts.len()];
    for (v, k) in consts.iter_mut() {
        const_values[*k as usize] = *v;
        *k += nlocals;
    }
    {
        let base = nlocals + const_values.len() as u32;
        const_values.resize(const_values.len() + 2 * v128.len(), 0);
        for (v, k) in v128.iter_mut() {
            let i = (base - nlocals + 2 * *k) as usize;
            const_values[i] = *v as u64;
            const_values[i + 1] = (*v >> 64) as u64;
            *k = base + 2 * *k;
        }
    }
    Ok(Layout {
        consts,
        const_values,
        nspill,
        v128,
    })
}

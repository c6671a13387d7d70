//! Values crossing the host boundary, and their encoding in the engine's untyped 64-bit slots.
//!
//! Inside the engine every value is a `u64` slot: 32-bit values live in the low half,
//! floats are stored as their bit patterns (so NaN payloads survive), and references are
//! `0` for null and `index + 1` otherwise (an `exnref` also keeps a generation in the high
//! half: see `exception`). A `v128` takes two adjacent slots, low half first.

use crate::exception::ExnRef;
use crate::func::Func;
use crate::types::ValType;

/// A 32-bit float kept as its exact bit pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct F32(u32);

impl F32 {
    pub fn from_bits(bits: u32) -> Self {
        F32(bits)
    }
    pub fn to_bits(self) -> u32 {
        self.0
    }
    pub fn to_float(self) -> f32 {
        f32::from_bits(self.0)
    }
}

impl From<f32> for F32 {
    fn from(f: f32) -> Self {
        F32(f.to_bits())
    }
}

/// A 64-bit float kept as its exact bit pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct F64(u64);

impl F64 {
    pub fn from_bits(bits: u64) -> Self {
        F64(bits)
    }
    pub fn to_bits(self) -> u64 {
        self.0
    }
    pub fn to_float(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl From<f64> for F64 {
    fn from(f: f64) -> Self {
        F64(f.to_bits())
    }
}

/// An opaque host reference: a handle the embedder chooses (`ref.extern N` in spec scripts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef(u32);

impl ExternRef {
    pub fn new(handle: u32) -> Self {
        ExternRef(handle)
    }
    pub fn get(self) -> u32 {
        self.0
    }
}

/// A typed WebAssembly value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(F32),
    F64(F64),
    /// A 128-bit vector, lane 0 in the least significant bits (little-endian lanes).
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<ExternRef>),
    /// A reference to an exception object of the store (see [`ExnRef`]).
    ExnRef(Option<ExnRef>),
}

impl Val {
    /// The value's type, as far as the value tells: a reference is `funcref` or
    /// `externref` (whether it matches a typed reference type depends on the store: see
    /// `Store::matches`).
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::ExnRef(_) => ValType::ExnRef,
        }
    }

    /// The zero value of a type (what locals start as).
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(F32(0)),
            ValType::F64 => Val::F64(F64(0)),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
            ValType::ExnRef => Val::ExnRef(None),
            ValType::Ref(r) => Val::default_for(r.top().into()),
        }
    }

    pub fn i32(&self) -> Option<i32> {
        match self {
            Val::I32(v) => Some(*v),
            _ => None,
        }
    }
    pub fn i64(&self) -> Option<i64> {
        match self {
            Val::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// Encodes into an engine slot (a `v128`'s low half: see [`Val::to_slots`]).
    pub(crate) fn to_slot(self) -> u64 {
        self.to_slots().0
    }

    /// Encodes into engine slots: the first, and for a `v128` the second (else 0).
    pub(crate) fn to_slots(self) -> (u64, u64) {
        let lo = match self {
            Val::V128(v) => return (v as u64, (v >> 64) as u64),
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v.0 as u64,
            Val::F64(v) => v.0,
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => 0,
            Val::ExnRef(Some(e)) => e.to_slot(),
            Val::FuncRef(Some(f)) => f.0 as u64 + 1,
            Val::ExternRef(Some(e)) => e.0 as u64 + 1,
        };
        (lo, 0)
    }

    /// Decodes an engine slot of type `ty` (not `v128`: see [`Val::from_slots`]).
    pub(crate) fn from_slot(ty: ValType, slot: u64) -> Val {
        Val::from_slots(ty, slot, 0)
    }

    /// Decodes engine slots of type `ty`; `hi` is the second slot of a `v128`.
    pub(crate) fn from_slots(ty: ValType, slot: u64, hi: u64) -> Val {
        match ty {
            ValType::V128 => Val::V128(slot as u128 | (hi as u128) << 64),
            ValType::I32 => Val::I32(slot as u32 as i32),
            ValType::I64 => Val::I64(slot as i64),
            ValType::F32 => Val::F32(F32(slot as u32)),
            ValType::F64 => Val::F64(F64(slot)),
            ValType::FuncRef => Val::FuncRef(slot.checked_sub(1).map(|i| Func(i as u32))),
            ValType::ExternRef => Val::ExternRef(slot.checked_sub(1).map(|i| ExternRef(i as u32))),
            ValType::ExnRef => Val::ExnRef(ExnRef::from_slot(slot)),
            ValType::Ref(r) => Val::from_slots(r.top().into(), slot, hi),
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.into())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.into())
    }
}

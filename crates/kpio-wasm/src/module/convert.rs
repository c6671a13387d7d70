//! Conversions from wasmparser's types to the engine's, and constant expressions.

use crate::error::{ModuleError, ModuleErrorKind};
use crate::types::{
    FuncType, GlobalType, HeapType, MemoryType, Mutability, RefType, TableType, ValType,
};
use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;

pub(crate) fn unsupported(what: &str, offset: usize) -> ModuleError {
    ModuleError {
        kind: ModuleErrorKind::Unsupported,
        offset,
        message: format!("{what} are not supported by this engine"),
    }
}

/// A reference type of the function-references and exception-handling proposals: nullable
/// or not, to `func`, `extern`, `exn` or a defined function type (module type index). Other
/// heap types (GC's, shared ones, exact types) are refused.
pub(crate) fn ref_type(r: wasmparser::RefType) -> Result<RefType, ModuleError> {
    use wasmparser::{AbstractHeapType, HeapType as H, UnpackedIndex};
    let heap = match r.heap_type() {
        H::Abstract {
            shared: false,
            ty: AbstractHeapType::Func,
        } => HeapType::Func,
        H::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern,
        } => HeapType::Extern,
        H::Abstract {
            shared: false,
            ty: AbstractHeapType::Exn,
        } => HeapType::Exn,
        H::Concrete(UnpackedIndex::Module(i)) => HeapType::Concrete(i),
        _ => return Err(unsupported("GC and other reference types", 0)),
    };
    Ok(RefType::new(r.is_nullable(), heap))
}

pub(crate) fn val_type(t: wasmparser::ValType) -> Result<ValType, ModuleError> {
    Ok(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(r) => ref_type(r)?.into(),
    })
}

pub(crate) fn func_type(t: &wasmparser::FuncType) -> Result<FuncType, ModuleError> {
    let params: Vec<ValType> = t
        .params()
        .iter()
        .map(|v| val_type(*v))
        .collect::<Result<_, _>>()?;
    let results: Vec<ValType> = t
        .results()
        .iter()
        .map(|v| val_type(*v))
        .collect::<Result<_, _>>()?;
    Ok(FuncType::new(params, results))
}

pub(crate) fn table_type(t: &wasmparser::TableType) -> Result<TableType, ModuleError> {
    // A 32-bit table's limits fit in 32 bits (validation checked); a 64-bit table's are
    // kept whole.
    Ok(TableType {
        element: ref_type(t.element_type)?,
        min: t.initial,
        max: t.maximum,
        table64: t.table64,
    })
}

pub(crate) fn memory_type(t: &wasmparser::MemoryType) -> Result<MemoryType, ModuleError> {
    if t.shared || t.page_size_log2.is_some() {
        return Err(unsupported("shared or custom-page-size memories", 0));
    }
    Ok(MemoryType {
        min: t.initial,
        max: t.maximum,
        memory64: t.memory64,
    })
}

pub(crate) fn global_type(t: &wasmparser::GlobalType) -> Result<GlobalType, ModuleError> {
    Ok(GlobalType {
        content: val_type(t.content_type)?,
        mutability: if t.mutable {
            Mutability::Var
        } else {
            Mutability::Const
        },
    })
}

/// A constant expression: one value-producing instruction (WebAssembly 2.0), or, with the
/// extended-const proposal, a sequence of integer constants, `global.get`s and
/// `i32`/`i64` `add`/`sub`/`mul` evaluated on a small stack.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ConstExpr {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    RefNull,
    RefFunc(u32),
    GlobalGet(u32),
    /// An extended constant expression (more than one instruction), in order.
    Extended(Box<[ConstOp]>),
}

/// One instruction of an extended constant expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ConstOp {
    /// Push a value: one of the single-instruction forms of [`ConstExpr`].
    Push(SimpleConst),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

/// A value-pushing instruction inside an extended constant expression. Validation allows
/// any constant instruction there, so every single-instruction form is kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SimpleConst {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    RefNull,
    RefFunc(u32),
    GlobalGet(u32),
}

impl ConstExpr {
    pub(crate) fn read(e: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, ModuleError> {
        use wasmparser::Operator as O;
        let mut r = e.get_operators_reader();
        let mut ops = Vec::new();
        loop {
            let offset = r.original_position();
            let op = match r.read().map_err(super::malformed)? {
                O::End => break,
                O::I32Const { value } => ConstOp::Push(SimpleConst::I32(value)),
                O::I64Const { value } => ConstOp::Push(SimpleConst::I64(value)),
                O::F32Const { value } => ConstOp::Push(SimpleConst::F32(value.bits())),
                O::F64Const { value } => ConstOp::Push(SimpleConst::F64(value.bits())),
                O::V128Const { value } => ConstOp::Push(SimpleConst::V128(value.i128() as u128)),
                O::RefNull { .. } => ConstOp::Push(SimpleConst::RefNull),
                O::RefFunc { function_index } => {
                    ConstOp::Push(SimpleConst::RefFunc(function_index))
                }
                O::GlobalGet { global_index } => {
                    ConstOp::Push(SimpleConst::GlobalGet(global_index))
                }
                O::I32Add => ConstOp::I32Add,
                O::I32Sub => ConstOp::I32Sub,
                O::I32Mul => ConstOp::I32Mul,
                O::I64Add => ConstOp::I64Add,
                O::I64Sub => ConstOp::I64Sub,
                O::I64Mul => ConstOp::I64Mul,
                // Validation admits nothing else in a constant expression.
                _ => {
                    return Err(unsupported(
                        "other constant-expression instructions",
                        offset as usize,
                    ));
                }
            };
            ops.push(op);
        }
        Ok(match ops.as_slice() {
            [ConstOp::Push(c)] => match *c {
                SimpleConst::I32(v) => ConstExpr::I32(v),
                SimpleConst::I64(v) => ConstExpr::I64(v),
                SimpleConst::F32(v) => ConstExpr::F32(v),
                SimpleConst::F64(v) => ConstExpr::F64(v),
                SimpleConst::V128(v) => ConstExpr::V128(v),
                SimpleConst::RefNull => ConstExpr::RefNull,
                SimpleConst::RefFunc(f) => ConstExpr::RefFunc(f),
                SimpleConst::GlobalGet(g) => ConstExpr::GlobalGet(g),
            },
            _ => ConstExpr::Extended(ops.into_boxed_slice()),
        })
    }
}

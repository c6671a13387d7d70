//! Conversions from wasmparser's types to the engine's, and constant expressions.

use crate::error::{ModuleError, ModuleErrorKind};
use crate::types::{FuncType, GlobalType, MemoryType, Mutability, RefType, TableType, ValType};
use alloc::format;
use alloc::vec::Vec;

pub(crate) fn unsupported(what: &str, offset: usize) -> ModuleError {
    ModuleError {
        kind: ModuleErrorKind::Unsupported,
        offset,
        message: format!("{what} are not supported by this engine"),
    }
}

pub(crate) fn ref_type(r: wasmparser::RefType) -> Result<RefType, ModuleError> {
    if r == wasmparser::RefType::FUNCREF {
        Ok(RefType::FuncRef)
    } else if r == wasmparser::RefType::EXTERNREF {
        Ok(RefType::ExternRef)
    } else {
        Err(unsupported("typed function references and GC types", 0))
    }
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
    if t.table64 {
        return Err(unsupported("64-bit tables", 0));
    }
    Ok(TableType {
        element: ref_type(t.element_type)?,
        min: t.initial as u32,
        max: t.maximum.map(|m| m as u32),
    })
}

pub(crate) fn memory_type(t: &wasmparser::MemoryType) -> Result<MemoryType, ModuleError> {
    if t.memory64 || t.shared || t.page_size_log2.is_some() {
        return Err(unsupported(
            "64-bit, shared or custom-page-size memories",
            0,
        ));
    }
    Ok(MemoryType {
        min: t.initial as u32,
        max: t.maximum.map(|m| m as u32),
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

/// A constant expression of WebAssembly 2.0: exactly one value-producing instruction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ConstExpr {
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
        let offset = r.original_position();
        let op = r.read().map_err(super::malformed)?;
        let c = match op {
            O::I32Const { value } => ConstExpr::I32(value),
            O::I64Const { value } => ConstExpr::I64(value),
            O::F32Const { value } => ConstExpr::F32(value.bits()),
            O::F64Const { value } => ConstExpr::F64(value.bits()),
            O::V128Const { value } => ConstExpr::V128(value.i128() as u128),
            O::RefNull { .. } => ConstExpr::RefNull,
            O::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
            O::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
            _ => {
                return Err(unsupported(
                    "extended constant expressions",
                    offset as usize,
                ));
            }
        };
        Ok(c)
    }
}

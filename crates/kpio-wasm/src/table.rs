//! Tables of references, and `Table`, the embedder's handle to one.

use crate::Store;
use crate::trap::{Trap, TrapCode};
use crate::types::TableType;
use crate::value::Val;
use alloc::vec::Vec;

/// A table's storage: encoded references (0 = null).
pub(crate) struct TableEntity {
    pub elems: Vec<u64>,
    pub ty: TableType,
    /// The most elements the table may hold: its type's maximum within
    /// `Config::max_table_elements`, so a length always fits in 32 bits, even a 64-bit
    /// table's.
    max: u32,
}

impl TableEntity {
    pub fn new(ty: TableType, init: u64, limit: u32) -> Result<Self, Trap> {
        let max = ty
            .max
            .map_or(limit, |m| u32::try_from(m).unwrap_or(u32::MAX).min(limit));
        if ty.min > u64::from(max) {
            return Err(Trap::host(alloc::format!(
                "table of {} elements exceeds the limit of {max}",
                ty.min
            )));
        }
        let mut elems = Vec::new();
        elems
            .try_reserve_exact(ty.min as usize)
            .map_err(|_| Trap::host("out of memory"))?;
        elems.resize(ty.min as usize, init);
        Ok(TableEntity { elems, ty, max })
    }

    /// Grows by `delta` filled with `init`; returns the old size or None if refused. The
    /// delta is 64-bit for 64-bit tables (any delta beyond the maximum is refused, never
    /// truncated).
    pub fn grow(&mut self, delta: u64, init: u64) -> Option<u64> {
        let old = self.elems.len() as u64;
        let new = old.checked_add(delta)?;
        if new > u64::from(self.max) {
            return None;
        }
        // Both at most `max`, a u32.
        self.elems.try_reserve(delta as usize).ok()?;
        self.elems.resize(new as usize, init);
        Some(old)
    }
}

/// A handle to a table in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);

impl Table {
    pub fn new<T>(store: &mut Store<T>, ty: TableType, init: Val) -> Result<Table, Trap> {
        if !store.inner.val_matches(&init, ty.element.into()) {
            return Err(TrapCode::BadSignature.into());
        }
        store.inner.new_table(ty, init.to_slot()).map(Table)
    }
    pub fn ty<T>(&self, store: &Store<T>) -> TableType {
        let t = &store.inner.tables[self.0 as usize];
        TableType {
            min: t.elems.len() as u64,
            ..t.ty
        }
    }
    /// Whether the table is indexed with `i64` (table64). The embedder's indices and sizes
    /// below are `u32` for both index types: no table grows past `Config::max_table_elements`.
    pub fn is_64<T>(&self, store: &Store<T>) -> bool {
        store.inner.tables[self.0 as usize].ty.table64
    }
    pub fn size<T>(&self, store: &Store<T>) -> u32 {
        store.inner.tables[self.0 as usize].elems.len() as u32
    }
    pub fn get<T>(&self, store: &Store<T>, index: u32) -> Option<Val> {
        let t = &store.inner.tables[self.0 as usize];
        t.elems
            .get(index as usize)
            .map(|v| Val::from_slot(t.ty.element.into(), *v))
    }
    pub fn set<T>(&self, store: &mut Store<T>, index: u32, val: Val) -> Result<(), Trap> {
        let element = store.inner.tables[self.0 as usize].ty.element;
        if !store.inner.val_matches(&val, element.into()) {
            return Err(TrapCode::BadSignature.into());
        }
        let t = &mut store.inner.tables[self.0 as usize];
        *t.elems
            .get_mut(index as usize)
            .ok_or(TrapCode::TableOutOfBounds)? = val.to_slot();
        Ok(())
    }
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u32, init: Val) -> Result<u32, Trap> {
        let element = store.inner.tables[self.0 as usize].ty.element;
        if !store.inner.val_matches(&init, element.into()) {
            return Err(TrapCode::BadSignature.into());
        }
        store
            .inner
            .grow_table(self.0, delta, init.to_slot())
            .ok_or_else(|| Trap::host("table.grow refused: limit reached"))
    }
}

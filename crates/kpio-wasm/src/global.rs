//! `Global`: the embedder's handle to a global variable.

use crate::Store;
use crate::store::GlobalEntity;
use crate::trap::{Trap, TrapCode};
use crate::types::{GlobalType, Mutability};
use crate::value::Val;

/// A handle to a global in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);

impl Global {
    /// Creates a global (for imports provided by the host). Panics never: a value of the
    /// wrong type is an error.
    pub fn new<T>(store: &mut Store<T>, ty: GlobalType, val: Val) -> Result<Global, Trap> {
        let ty = GlobalType::new(ty.content.canonical(), ty.mutability);
        if !store.inner.val_matches(&val, ty.content) {
            return Err(TrapCode::BadSignature.into());
        }
        let (value, hi) = val.to_slots();
        store
            .inner
            .globals
            .push(alloc::boxed::Box::new(GlobalEntity { value, hi, ty }));
        Ok(Global(store.inner.globals.len() as u32 - 1))
    }
    pub fn ty<T>(&self, store: &Store<T>) -> GlobalType {
        store.inner.globals[self.0 as usize].ty
    }
    pub fn get<T>(&self, store: &Store<T>) -> Val {
        let g = &store.inner.globals[self.0 as usize];
        Val::from_slots(g.ty.content, g.value, g.hi)
    }
    pub fn set<T>(&self, store: &mut Store<T>, val: Val) -> Result<(), Trap> {
        let ty = store.inner.globals[self.0 as usize].ty;
        if ty.mutability != Mutability::Var {
            return Err(Trap::host("cannot set an immutable global"));
        }
        if !store.inner.val_matches(&val, ty.content) {
            return Err(TrapCode::BadSignature.into());
        }
        let g = &mut store.inner.globals[self.0 as usize];
        (g.value, g.hi) = val.to_slots();
        Ok(())
    }
}

//! Functions: `Func` handles, host functions, and `Caller`, through which a host function
//! reaches the calling instance's memory and the store's data.

use crate::Store;
use crate::exec;
use crate::extern_::Extern;
use crate::memory::Memory;
use crate::store::{FuncEntity, FuncKind};
use crate::trap::{Trap, TrapCode};
use crate::types::FuncType;
use crate::value::Val;
use alloc::sync::Arc;

/// A host function: receives the caller, the arguments, and a slice to fill with results.
/// Returning an error traps the guest (use `Trap::exit` to request a clean exit).
pub(crate) type HostFunc<T> =
    Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync>;

/// A handle to a function (wasm or host) in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32);

/// What a host function sees of its caller.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<u32>,
}

impl<T> Caller<'_, T> {
    pub fn data(&self) -> &T {
        &self.store.data
    }
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.store.data
    }
    /// The whole store, e.g. to call back into wasm or to read a memory.
    pub fn store(&self) -> &Store<T> {
        self.store
    }
    pub fn store_mut(&mut self) -> &mut Store<T> {
        self.store
    }
    /// An export of the calling instance (e.g. its `"memory"`).
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let inst = &self.store.inner.instances[self.instance? as usize];
        inst.exports.get(name).copied()
    }
    /// The calling instance's default memory (index 0), exported or not.
    pub fn memory(&self) -> Option<Memory> {
        let inst = &self.store.inner.instances[self.instance? as usize];
        inst.memories.first().map(|m| Memory(*m))
    }
    /// The caller's memory bytes and the store data together, for host functions that copy
    /// between guest memory and host state.
    pub fn memory_and_data(&mut self) -> Option<(&mut [u8], &mut T)> {
        let mem = self.memory()?;
        let Store { inner, data } = &mut *self.store;
        Some((inner.memories[mem.0 as usize].data_mut(), data))
    }
}

impl Func {
    /// Defines a host function with signature `ty` (typed references in it name store type
    /// indices: see `Store::type_index`).
    pub fn new<T>(
        store: &mut Store<T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        let ty = store.inner.intern_type(&ty);
        Func(store.inner.push_func(FuncEntity {
            ty,
            kind: FuncKind::Host(Arc::new(f)),
        }))
    }

    pub fn ty<T>(&self, store: &Store<T>) -> FuncType {
        store.inner.func_type(self.0).clone()
    }

    /// Calls the function. `params` must match its parameter types and `results` must have
    /// room for exactly its results; otherwise `TrapCode::BadSignature`.
    pub fn call<T>(
        &self,
        store: &mut Store<T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Trap> {
        let ty = store.inner.func_type(self.0);
        if params.len() != ty.params().len()
            || results.len() != ty.results().len()
            || params
                .iter()
                .zip(ty.params())
                .any(|(v, t)| !store.inner.val_matches(v, *t))
        {
            return Err(TrapCode::BadSignature.into());
        }
        exec::call(store, self.0, params, results)
    }
}

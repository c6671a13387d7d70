//! `Linker`: a name -> item map that resolves a module's imports and instantiates it.

use crate::Store;
use crate::error::{InstantiateError, LinkError};
use crate::extern_::Extern;
use crate::instance::{Instance, instantiate};
use crate::module::Module;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::marker::PhantomData;

/// Definitions by `(module, name)`, used to satisfy imports.
pub struct Linker<T> {
    defs: BTreeMap<(String, String), Extern>,
    _store: PhantomData<fn() -> T>,
}

impl<T> Default for Linker<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Linker<T> {
    pub fn new() -> Self {
        Linker {
            defs: BTreeMap::new(),
            _store: PhantomData,
        }
    }

    /// Defines `module.name` (replacing an earlier definition).
    pub fn define(&mut self, module: &str, name: &str, item: impl Into<Extern>) -> &mut Self {
        self.defs
            .insert((module.to_string(), name.to_string()), item.into());
        self
    }

    /// Defines every export of `instance` under `module_name`.
    pub fn instance(
        &mut self,
        store: &Store<T>,
        module_name: &str,
        instance: Instance,
    ) -> &mut Self {
        for (name, item) in instance.exports(store) {
            self.defs
                .insert((module_name.to_string(), name.to_string()), item);
        }
        self
    }

    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        self.defs
            .get(&(module.to_string(), name.to_string()))
            .copied()
    }

    /// Resolves the module's imports from this linker and instantiates it, running its
    /// start function.
    pub fn instantiate(
        &self,
        store: &mut Store<T>,
        module: &Module,
    ) -> Result<Instance, InstantiateError> {
        let mut imports = Vec::new();
        for imp in module.imports() {
            let item = self.get(imp.module, imp.name).ok_or_else(|| LinkError {
                module: imp.module.to_string(),
                name: imp.name.to_string(),
                message: format!("unknown import: nothing is defined for type {}", imp.ty),
            })?;
            imports.push(item);
        }
        instantiate(store, module, &imports)
    }
}

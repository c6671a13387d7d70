//! `Store`: owns every runtime entity (functions, memories, tables, globals, instances,
//! segments) and the execution stack. Handles like `Func` are indices into a store.
//!
//! Memories, tables and globals are boxed so their addresses stay put for the store's
//! lifetime: the interpreter keeps their addresses while it runs, and native code from the
//! JIT tier will bake memory and table descriptors in.
//!
//! Translated code is not here: it belongs to the module (see `code`), and instances reach
//! it through their `InstanceEntity`.

use crate::engine::Engine;
use crate::exception::{ExnHeap, TagEntity};
use crate::exec::Stack;
use crate::func::HostFunc;
use crate::instance::InstanceEntity;
use crate::interrupt::InterruptHandle;
use crate::limits::{StoreLimits, Usage};
use crate::memory::MemoryEntity;
use crate::module::ModuleInner;
use crate::table::TableEntity;
use crate::types::{FuncType, GlobalType, HeapType, ValType};
use crate::value::Val;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Range;

/// A wasm function defined by an instance. Its code is in the module's code map, under
/// `index`.
pub(crate) struct WasmFunc {
    pub instance: u32,
    /// Index in its module's function space.
    pub index: u32,
}

pub(crate) enum FuncKind<T> {
    Wasm(WasmFunc),
    Host(HostFunc<T>),
}

pub(crate) struct FuncEntity<T> {
    /// Store-wide type id (structurally interned).
    pub ty: u32,
    pub kind: FuncKind<T>,
}

// `repr(C)`: native code reads a `v128` global's 16 bytes at once, `value` then `hi`.
#[repr(C)]
pub(crate) struct GlobalEntity {
    /// The value, encoded as a slot. First field: its address is the global's address.
    pub value: u64,
    /// A `v128` global's high half (0 for the other types).
    pub hi: u64,
    pub ty: GlobalType,
}

pub(crate) struct ElemEntity {
    /// Encoded references; emptied by `elem.drop`.
    pub items: Vec<u64>,
}

pub(crate) struct DataEntity {
    pub bytes: Arc<[u8]>,
    /// Emptied by `data.drop`.
    pub range: Range<usize>,
}

impl DataEntity {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[self.range.clone()]
    }
}

/// Everything in a store except the embedder's data, so the executor can borrow it apart
/// from `T`.
// The boxes are the point: entities keep their addresses when the vectors grow.
#[allow(clippy::vec_box)]
pub(crate) struct StoreInner<T> {
    pub engine: Engine,
    pub types: Vec<FuncType>,
    type_ids: BTreeMap<FuncType, u32>,
    pub funcs: Vec<FuncEntity<T>>,
    pub memories: Vec<Box<MemoryEntity>>,
    pub tables: Vec<Box<TableEntity>>,
    pub globals: Vec<Box<GlobalEntity>>,
    pub instances: Vec<InstanceEntity>,
    pub elems: Vec<ElemEntity>,
    pub datas: Vec<DataEntity>,
    /// Exception tags (exception handling).
    pub tags: Vec<TagEntity>,
    /// Exception objects (see `exception`).
    pub exns: ExnHeap,
    pub stack: Stack,
    pub fuel: u64,
    pub limits: StoreLimits,
    /// What the budgeted sizes currently add up to.
    pub usage: Usage,
    pub interrupt: InterruptHandle,
    /// Native code's per-store state (contexts, nesting).
    #[cfg(feature = "jit")]
    pub jit: crate::jit::native::StoreJit,
}

/// Owns all runtime state of a group of instances, plus the embedder's data `T`, which host
/// functions reach through `Caller`.
pub struct Store<T> {
    pub(crate) inner: StoreInner<T>,
    pub(crate) data: T,
}

impl<T> Store<T> {
    pub fn new(engine: &Engine, data: T) -> Self {
        Store {
            inner: StoreInner {
                engine: engine.clone(),
                types: Vec::new(),
                type_ids: BTreeMap::new(),
                funcs: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                instances: Vec::new(),
                elems: Vec::new(),
                datas: Vec::new(),
                tags: Vec::new(),
                exns: ExnHeap::default(),
                stack: Stack::default(),
                fuel: 0,
                limits: StoreLimits::default(),
                usage: Usage::default(),
                interrupt: InterruptHandle::default(),
                #[cfg(feature = "jit")]
                jit: Default::default(),
            },
            data,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }
    pub fn data(&self) -> &T {
        &self.data
    }
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }
    pub fn into_data(self) -> T {
        self.data
    }

    /// Sets the fuel available to guest code. Only metered when the engine's
    /// `Config::consume_fuel` is on; running out traps with `TrapCode::OutOfFuel`.
    pub fn set_fuel(&mut self, fuel: u64) {
        self.inner.fuel = fuel;
    }
    /// Fuel left.
    pub fn fuel(&self) -> u64 {
        self.inner.fuel
    }

    /// Sets the store's resource budget. It applies to what is created or grown from now
    /// on; what the store already holds counts against it.
    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.inner.limits = limits;
    }
    /// The store's resource budget.
    pub fn limits(&self) -> &StoreLimits {
        &self.inner.limits
    }

    /// A handle that interrupts this store's guests from any thread. Only guests of an
    /// engine with `Config::interruptible` check it.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.inner.interrupt.clone()
    }

    /// The store's index of function type `ty` (whose own concrete references are store
    /// indices), for [`HeapType::Concrete`](crate::HeapType::Concrete) in the types of
    /// host-made globals and tables. Structurally equal types have the same index, in
    /// whichever module or host function they were declared.
    pub fn type_index(&mut self, ty: &FuncType) -> u32 {
        self.inner.intern_type(ty)
    }

    /// Whether `val` is a value of type `ty` (store type indices) in this store: for a
    /// typed function reference, whether the function's type is the one named.
    pub fn matches(&self, val: &Val, ty: ValType) -> bool {
        self.inner.val_matches(val, ty)
    }
}

impl<T> StoreInner<T> {
    /// Interns the types of `module` in order, returning their store ids. A type refers
    /// only to types before it (without GC there are no recursive types), so each one's
    /// concrete references are already store ids when it is interned.
    pub fn intern_module_types(&mut self, module: &ModuleInner) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::with_capacity(module.types.len());
        for t in &module.types {
            let id = self.intern_type(&t.map_types(&|i| ids[i as usize]));
            ids.push(id);
        }
        ids
    }

    /// See [`Store::matches`].
    pub fn val_matches(&self, val: &Val, ty: ValType) -> bool {
        let Some(r) = ty.as_ref_type() else {
            return val.ty() == ty;
        };
        match *val {
            // A null is a value of every nullable type of its hierarchy.
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => {
                r.nullable && val.ty() == ValType::from(r.top())
            }
            Val::FuncRef(Some(f)) => match r.heap {
                HeapType::Func => (f.0 as usize) < self.funcs.len(),
                HeapType::Concrete(id) => self.funcs.get(f.0 as usize).is_some_and(|e| e.ty == id),
                HeapType::Extern | HeapType::Exn => false,
            },
            Val::ExternRef(Some(_)) => r.heap == HeapType::Extern,
            Val::ExnRef(Some(_)) => r.heap == HeapType::Exn,
            _ => false,
        }
    }

    /// Interns a function type (concrete references as store ids), returning its
    /// store-wide id.
    pub fn intern_type(&mut self, ty: &FuncType) -> u32 {
        if let Some(id) = self.type_ids.get(ty) {
            return *id;
        }
        let id = self.types.len() as u32;
        self.types.push(ty.clone());
        self.type_ids.insert(ty.clone(), id);
        id
    }

    /// Adds a function, returning its store index.
    pub fn push_func(&mut self, f: FuncEntity<T>) -> u32 {
        self.funcs.push(f);
        self.funcs.len() as u32 - 1
    }

    /// The type of function `func`; concrete references in it are store type ids.
    pub fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.funcs[func as usize].ty as usize]
    }
}

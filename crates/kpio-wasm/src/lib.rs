//! KPIO's WebAssembly engine.
//!
//! `#![no_std]` + `alloc`, so the same engine runs hosted and inside the KPIO kernel.
//!
//! - [`Module::new`] decodes and validates with wasmparser (WebAssembly 2.0, fixed-width SIMD
//!   included, relaxed SIMD with the deterministic profile's results, extended constant
//!   expressions, tail calls, typed function references and exception handling
//!   (`try_table`, `throw`, `throw_ref`: see [`Tag`], [`Exception`], [`ExnRef`]; GC is
//!   refused).
//! - Functions are translated lazily, on first call, into a compact register bytecode
//!   (`ir`, built by `translate`) and run by a loop (`exec`) that allocates nothing per
//!   instruction and keeps guest calls off the host stack. The code belongs to the
//!   [`Module`] (`code`): all its instances, in any store and on any thread, share it, so a
//!   function is translated once.
//! - [`Store`], [`Linker`] and [`Instance`] follow the spec's instantiation; host functions
//!   are closures that see the caller's memory through [`Caller`].
//! - Every guest failure is a [`Trap`] value; nothing a guest does panics the host.
//!
//! ```
//! use kpio_wasm::{Engine, Linker, Module, Store, Val};
//! // (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
//! let wasm = [0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7,
//!     1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11];
//! let engine = Engine::default();
//! let module = Module::new(&engine, &wasm).unwrap();
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new().instantiate(&mut store, &module).unwrap();
//! let add = instance.get_func(&store, "add").unwrap();
//! let mut out = [Val::I32(0)];
//! add.call(&mut store, &[Val::I32(2), Val::I32(3)], &mut out).unwrap();
//! assert_eq!(out[0], Val::I32(5));
//! ```

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
// `exec::ops::simple_ops` expands its accumulator rows one macro call each (120 and more).
#![recursion_limit = "512"]

extern crate alloc;

mod code;
mod engine;
mod error;
mod exception;
mod exec;
mod extern_;
mod func;
mod global;
mod instance;
mod interrupt;
mod ir;
#[cfg(feature = "jit")]
pub mod jit;
mod limits;
mod linker;
mod load_kind;
mod memory;
mod module;
mod simd;
mod store;
mod table;
mod translate;
mod trap;
mod types;
mod value;
#[cfg(any(debug_assertions, test))]
mod verify;

pub use engine::{Config, Dispatch, Engine, Tier};
pub use error::{InstantiateError, LinkError, ModuleError, ModuleErrorKind};
pub use exception::{Exception, ExnRef, MAX_LIVE_EXCEPTION_BYTES, Tag};
pub use exec::dispatch_backend;
pub use extern_::Extern;
pub use func::{Caller, Func};
pub use global::Global;
pub use instance::Instance;
pub use interrupt::InterruptHandle;
pub use limits::{LimitExceeded, Resource, StoreLimits, StoreLimitsBuilder};
pub use linker::Linker;
pub use memory::{Memory, PAGE_SIZE};
pub use module::{ExternKind, ImportRef, Module};
pub use store::Store;
pub use table::Table;
pub use trap::{BACKTRACE_KEEP, BacktraceLine, FrameInfo, Trap, TrapCode};
pub use types::{
    ExternType, FuncType, GlobalType, HeapType, MemoryType, Mutability, RefType, TableType, ValType,
};
pub use value::{ExternRef, F32, F64, Val};

//! KPIO's host APIs for apps: the import modules `kpio_gui`, `kpio_system` and `kpio_net`
//! as kpio-wasm host functions over platform traits, each call checked against the app's
//! [`kpio_app::Permissions`] first.
//!
//! `no_std` + `alloc`: the same code serves the hosted desktop and the kernel. The platform
//! is injected through [`GuiBackend`], [`SystemBackend`], [`NetBackend`] and [`HostLog`];
//! feature `host` adds std implementations of the system and network backends.
//!
//! The ABI (every function, error code, event layout, key code) is documented in
//! `docs/host-api.md`; its numbers live in [`abi`].
//!
//! ```
//! use kpio_app::{AppInstanceId, Permissions};
//! use kpio_host::{Denial, HostCtx, HostLog, LogLevel, add_to_linker};
//! use kpio_wasm::{Engine, Linker, Module, Store, Val};
//!
//! struct Print;
//! impl HostLog for Print {
//!     fn app_log(&mut self, app: &str, i: AppInstanceId, level: LogLevel, msg: &str) {
//!         println!("{app}#{i} {level}: {msg}");
//!     }
//!     fn denied(&mut self, app: &str, i: AppInstanceId, d: &Denial) {
//!         println!("{app}#{i} {d}");
//!     }
//! }
//!
//! let wasm = wat::parse_str(r#"(module
//!     (import "kpio_system" "log" (func $log (param i32 i32 i32) (result i32)))
//!     (import "kpio_gui" "create_window" (func $win (param i32 i32 i32 i32) (result i32)))
//!     (memory 1)
//!     (data (i32.const 0) "hello")
//!     (func (export "run") (result i32)
//!         (drop (call $log (i32.const 2) (i32.const 0) (i32.const 5)))
//!         (call $win (i32.const 0) (i32.const 5) (i32.const 100) (i32.const 100))))"#).unwrap();
//! let ctx = HostCtx::builder("com.example.hello")
//!     .instance_id(AppInstanceId(1))
//!     .permissions(Permissions::default()) // no `gui`
//!     .log(Box::new(Print))
//!     .build()
//!     .unwrap();
//! let engine = Engine::default();
//! let module = Module::new(&engine, &wasm).unwrap();
//! let mut store = Store::new(&engine, ctx);
//! let mut linker = Linker::<HostCtx>::new();
//! add_to_linker(&mut linker, &mut store, |cx| cx);
//! let instance = linker.instantiate(&mut store, &module).unwrap();
//! let mut out = [Val::I32(0)];
//! instance.get_func(&store, "run").unwrap().call(&mut store, &[], &mut out).unwrap();
//! assert_eq!(out[0], Val::I32(-1)); // DENIED, logged, and the app ran on
//! assert_eq!(store.data().recent_denials().next().unwrap().call, "kpio_gui::create_window");
//! ```
#![cfg_attr(not(feature = "host"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod abi;
mod ctx;
mod draw;
pub mod gui;
#[cfg(feature = "host")]
pub mod host;
mod linker;
mod mem;
pub mod net;
mod platform;
pub mod system;

pub use abi::{EVENT_SIZE, EventKind, GuiEvent, HostError, LogLevel, SocketKind, key};
pub use ctx::{DEFAULT_MAX_DENIALS, HostCtx, HostCtxBuilder, HostCtxError};
pub use draw::draw_on;
pub use linker::add_to_linker;
pub use platform::{
    Cancel, Denial, DrawOp, GuiBackend, HostLog, NetBackend, NoNet, NullLog, SystemBackend,
};

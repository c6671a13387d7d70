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
#![cfg_attr(not(feature = "host"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod abi;
mod ctx;
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
pub use linker::add_to_linker;
pub use platform::{
    Cancel, Denial, DrawOp, GuiBackend, HostLog, NetBackend, NoNet, NullLog, SystemBackend,
};

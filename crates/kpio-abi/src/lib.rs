//! The numbers and layouts of KPIO's app ABI, written once for every crate that speaks it:
//! the host (`kpio-host`), the compositor (`kpio-gui`) and the guest SDK (`kpio-guest`).
//!
//! - [`ErrorCode`]: the negative results `-1..=-11` of the host calls, with their names;
//! - [`EventKind`], [`EventRecord`] and [`EVENT_SIZE`]: the 24-byte record `poll_event`
//!   writes;
//! - [`key`] and [`Key`]: key codes; [`MouseButton`]: the button numbers of mouse events;
//! - [`LogLevel`]: the levels of `kpio_system::log`;
//! - [`SocketKind`]: the kinds of `kpio_net::socket_create`.
//!
//! Everything here is guest-visible (docs/host-api.md is the reference): changing a value
//! breaks every compiled app. The C header `crates/kpio-guest/include/kpio.h` spells the
//! same numbers for C.
//!
//! `no_std`, no dependencies, no allocation.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod event;
pub mod key;
mod log;
mod mouse;
mod socket;

pub use error::ErrorCode;
pub use event::{EVENT_SIZE, EventKind, EventRecord};
pub use key::Key;
pub use log::LogLevel;
pub use mouse::MouseButton;
pub use socket::SocketKind;

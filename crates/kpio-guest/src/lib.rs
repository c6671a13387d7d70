//! The SDK KPIO apps use: safe Rust bindings to the `kpio_gui`, `kpio_system` and
//! `kpio_net` host APIs, an event loop, and drawing and layout helpers.
//!
//! An app is a `wasm32-wasip1` program (`fn main`) whose manifest grants it `gui`:
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # fn main() -> Result<(), kpio_guest::Error> {
//! use kpio_guest::{Control, Event, Key, Surface, Window, color, run};
//!
//! let mut win = Window::new("Hello", 320, 200)?;
//! run(&mut win, |win, event| match event {
//!     Event::Resize { .. } | Event::KeyDown { key: Key::Char(' ') } => {
//!         win.clear(color::WHITE);
//!         win.text(20, 20, "Hello, KPIO!", 24, color::BLACK);
//!         Control::Redraw
//!     }
//!     Event::KeyDown { key: Key::Escape } => Control::Exit,
//!     _ => Control::Continue,
//! })
//! # }
//! # #[cfg(not(target_arch = "wasm32"))]
//! # fn main() {}
//! ```
//!
//! What exists where: the host bindings (`Window`, `system`, `net`, the raw
//! `sys` imports) only on `target_arch = "wasm32"`; everything else (events, keys,
//! errors, colours, layout, drawing helpers, the event loop, the in-memory
//! [`Recorder`]) everywhere, so app logic can be unit-tested on the build machine by
//! writing it against the [`Surface`] and [`EventWindow`] traits.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

pub mod abi;
mod app;
pub mod buf;
pub mod color;
pub mod draw;
mod error;
mod event;
mod layout;
mod recorder;
mod surface;
mod timeout;

#[cfg(target_arch = "wasm32")]
pub mod net;
#[cfg(target_arch = "wasm32")]
pub mod sys;
#[cfg(target_arch = "wasm32")]
pub mod system;
#[cfg(target_arch = "wasm32")]
mod window;

pub use app::{App, Control, run, run_app};
pub use draw::{Align, Button, ButtonStyle};
pub use error::{Error, check, check64};
pub use event::{EVENT_SIZE, Event, EventKind, Key, MouseButton, RawEvent, keycode, kind};
pub use layout::{Grid, Rect};
pub use recorder::{Recorded, Recorder};
pub use surface::{EventWindow, Surface};
pub use timeout::Timeout;
#[cfg(target_arch = "wasm32")]
pub use window::Window;

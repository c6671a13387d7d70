//! KPIO's compositor (`no_std` + `alloc`): pixels, text, windows, the desktop, the taskbar,
//! toasts, the notification panel, splash screens and dialogs, and a scene description of
//! all of it for tests. It knows nothing of WebAssembly: the host APIs (`kpio-host`) and the
//! platform (the hosted desktop, the kernel) drive it, and time comes in as `now_ms`.
#![no_std]

extern crate alloc;

// Drawing.
pub mod canvas;
pub mod color;
pub mod font;
pub mod framebuffer;
pub mod image;

// The desktop.
pub mod shell;

pub use canvas::{Canvas, DrawError, TextRun};
pub use color::{argb, blend, rgb, theme};
pub use font::{Font, FontError};
pub use framebuffer::{ChannelOrder, FrameBuffer, FrameBufferError, PixelFormat};
pub use image::{Image, ImageError, decode_png, fallback_icon};

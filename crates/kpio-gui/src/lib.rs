//! KPIO's compositor (`no_std` + `alloc`): pixels, text, windows, the desktop, the taskbar,
//! toasts, the notification panel, splash screens and dialogs, and a scene description of
//! all of it for tests. It knows nothing of WebAssembly: the host APIs (`kpio-host`) and the
//! platform (the hosted desktop, the kernel) drive it, and time comes in as `now_ms`.
//!
//! Drawing in brief: a [`Canvas`] holds `0x00RRGGBB` pixels and is drawn on with
//! `0xAARRGGBB` colours; text needs a [`Font`] the caller parses once and keeps; a
//! [`FrameBuffer`] wraps the display's bytes and receives finished canvases.
//!
//! ```
//! use kpio_gui::{Canvas, Font, FrameBuffer, PixelFormat};
//!
//! let font = Font::embedded();
//! let mut canvas = Canvas::new(120, 40)?;
//! canvas.clear(0xFFFF_FFFF);
//! canvas.fill_rect(0, 0, 120, 4, 0xFF2D_5B9A);
//! let width = canvas.draw_text(&font, 8, 10, "1 + 2 = 3", 16, 0xFF00_0000);
//! assert_eq!(width, font.measure_text("1 + 2 = 3", 16));
//! assert_eq!(canvas.text(), "1 + 2 = 3");
//!
//! let mut bytes = vec![0u8; 120 * 40 * 4];
//! let mut fb = FrameBuffer::new(&mut bytes, 120, 40, 120 * 4, PixelFormat::BGRX8888)?;
//! fb.present(&canvas);
//! assert_eq!(fb.read_pixel(0, 0), Some(0x2D5B9A));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
pub use color::{argb, blend, blend_alpha, rgb, theme};
pub use font::{Font, FontError};
pub use framebuffer::{ChannelOrder, FrameBuffer, FrameBufferError, PixelFormat};
pub use image::{Image, ImageError, decode_png, fallback_icon};

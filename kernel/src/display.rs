//! The screen: the framebuffer the bootloader set up (VESA under BIOS), 3 or 4 bytes per
//! pixel in RGB or BGR order with any stride, wrapped as the compositor's
//! [`kpio_gui::FrameBuffer`], which converts from its canvases' 0x00RRGGBB pixels.

use bootloader_api::info::{FrameBuffer as BootFrameBuffer, PixelFormat as BootFormat};
use kpio_gui::{ChannelOrder, FrameBuffer, FrameBufferError, PixelFormat};

/// Why the screen cannot be used.
#[derive(Debug)]
pub enum DisplayError {
    /// A pixel format other than RGB or BGR (greyscale, or a bitmask layout).
    Unsupported(BootFormat),
    Layout(FrameBufferError),
}

impl core::fmt::Display for DisplayError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DisplayError::Unsupported(p) => write!(f, "unsupported pixel format {p:?}"),
            DisplayError::Layout(e) => write!(f, "{e}"),
        }
    }
}

pub fn wrap(fb: &'static mut BootFrameBuffer) -> Result<FrameBuffer<'static>, DisplayError> {
    let info = fb.info();
    let order = match info.pixel_format {
        BootFormat::Rgb => ChannelOrder::Rgb,
        BootFormat::Bgr => ChannelOrder::Bgr,
        other => return Err(DisplayError::Unsupported(other)),
    };
    let format = PixelFormat {
        order,
        bytes_per_pixel: info.bytes_per_pixel as u8,
    };
    FrameBuffer::new(
        fb.buffer_mut(),
        info.width as u32,
        info.height as u32,
        info.stride * info.bytes_per_pixel,
        format,
    )
    .map_err(DisplayError::Layout)
}

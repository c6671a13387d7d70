//! The display's memory: a borrowed byte buffer with a width, a height, a stride (bytes per
//! row, at least `width × bytes_per_pixel`) and a pixel format (RGB or BGR byte order, 3 or
//! 4 bytes per pixel), as UEFI GOP, a multiboot framebuffer or softbuffer hand it out.
//! Canvases (`0x00RRGGBB`) are converted into it whole ([`FrameBuffer::present`]), at an
//! offset ([`FrameBuffer::blit`]) or by region ([`FrameBuffer::present_region`]).
//!
//! In the 4-byte formats the fourth byte of each pixel is written as 0: softbuffer requires
//! the top byte of its `0x00RRGGBB` words to be zero, and GOP ignores it.

use core::fmt;

use crate::canvas::Canvas;

/// The order of the colour bytes of a pixel in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelOrder {
    /// Byte 0 red, byte 1 green, byte 2 blue (GOP `PixelRedGreenBlueReserved8BitPerColor`).
    Rgb,
    /// Byte 0 blue, byte 1 green, byte 2 red (GOP `PixelBlueGreenRedReserved8BitPerColor`,
    /// and a little-endian `0x00RRGGBB` word as softbuffer uses).
    Bgr,
}

/// How one pixel is laid out in the framebuffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PixelFormat {
    /// The colour byte order.
    pub order: ChannelOrder,
    /// 3 or 4; with 4 the last byte of each pixel is padding (written as 0).
    pub bytes_per_pixel: u8,
}

impl PixelFormat {
    /// R, G, B: 3 bytes per pixel.
    pub const RGB888: PixelFormat = PixelFormat {
        order: ChannelOrder::Rgb,
        bytes_per_pixel: 3,
    };
    /// B, G, R: 3 bytes per pixel.
    pub const BGR888: PixelFormat = PixelFormat {
        order: ChannelOrder::Bgr,
        bytes_per_pixel: 3,
    };
    /// R, G, B, padding: 4 bytes per pixel.
    pub const RGBX8888: PixelFormat = PixelFormat {
        order: ChannelOrder::Rgb,
        bytes_per_pixel: 4,
    };
    /// B, G, R, padding: 4 bytes per pixel (a little-endian `0x00RRGGBB` word).
    pub const BGRX8888: PixelFormat = PixelFormat {
        order: ChannelOrder::Bgr,
        bytes_per_pixel: 4,
    };

    /// Writes the surface pixel `rgb` (`0x00RRGGBB`) into `out` (exactly
    /// `bytes_per_pixel` bytes long).
    #[inline]
    fn encode(self, rgb: u32, out: &mut [u8]) {
        let (r, g, b) = ((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8);
        let (first, last) = match self.order {
            ChannelOrder::Rgb => (r, b),
            ChannelOrder::Bgr => (b, r),
        };
        out[0] = first;
        out[1] = g;
        out[2] = last;
        if let Some(pad) = out.get_mut(3) {
            *pad = 0;
        }
    }

    /// Reads a surface pixel (`0x00RRGGBB`) from `bytes`.
    #[inline]
    fn decode(self, bytes: &[u8]) -> u32 {
        let (r, b) = match self.order {
            ChannelOrder::Rgb => (bytes[0], bytes[2]),
            ChannelOrder::Bgr => (bytes[2], bytes[0]),
        };
        (u32::from(r) << 16) | (u32::from(bytes[1]) << 8) | u32::from(b)
    }
}

/// Why a [`FrameBuffer`] could not be made over a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameBufferError {
    /// `bytes_per_pixel` is neither 3 nor 4.
    BadBytesPerPixel(u8),
    /// A row (`stride` bytes) cannot hold `width` pixels.
    StrideTooSmall {
        /// The stride given, in bytes.
        stride: usize,
        /// The bytes one row of `width` pixels needs.
        needed: usize,
    },
    /// The buffer ends before the last pixel of the last row.
    BufferTooShort {
        /// The buffer's length in bytes.
        len: usize,
        /// The bytes `height` rows need.
        needed: usize,
    },
    /// `width × bytes_per_pixel` or `stride × height` overflows the address space.
    TooLarge {
        /// The width given.
        width: u32,
        /// The height given.
        height: u32,
    },
}

impl fmt::Display for FrameBufferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadBytesPerPixel(n) => {
                write!(
                    f,
                    "framebuffer: {n} bytes per pixel is not supported (3 or 4)"
                )
            }
            Self::StrideTooSmall { stride, needed } => write!(
                f,
                "framebuffer: stride of {stride} bytes is smaller than one row ({needed} bytes)"
            ),
            Self::BufferTooShort { len, needed } => write!(
                f,
                "framebuffer: buffer of {len} bytes is shorter than its rows need ({needed} bytes)"
            ),
            Self::TooLarge { width, height } => {
                write!(
                    f,
                    "framebuffer: {width}×{height} overflows the address space"
                )
            }
        }
    }
}

impl core::error::Error for FrameBufferError {}

/// A borrowed framebuffer: see the module documentation.
pub struct FrameBuffer<'a> {
    buf: &'a mut [u8],
    width: u32,
    height: u32,
    stride: usize,
    format: PixelFormat,
}

impl fmt::Debug for FrameBuffer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameBuffer")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("stride", &self.stride)
            .field("format", &self.format)
            .field("len", &self.buf.len())
            .finish()
    }
}

impl<'a> FrameBuffer<'a> {
    /// Wraps `buf`; checks that the format is supported, that a row of `width` pixels fits
    /// in `stride` and that `buf` holds `height` rows (the last row need not be padded to a
    /// full stride).
    pub fn new(
        buf: &'a mut [u8],
        width: u32,
        height: u32,
        stride: usize,
        format: PixelFormat,
    ) -> Result<Self, FrameBufferError> {
        let bpp = format.bytes_per_pixel;
        if bpp != 3 && bpp != 4 {
            return Err(FrameBufferError::BadBytesPerPixel(bpp));
        }
        let too_large = FrameBufferError::TooLarge { width, height };
        let row = (width as usize)
            .checked_mul(usize::from(bpp))
            .ok_or(too_large.clone())?;
        if stride < row {
            return Err(FrameBufferError::StrideTooSmall {
                stride,
                needed: row,
            });
        }
        let needed = if height == 0 || row == 0 {
            0
        } else {
            stride
                .checked_mul(height as usize - 1)
                .and_then(|n| n.checked_add(row))
                .ok_or(too_large)?
        };
        if buf.len() < needed {
            return Err(FrameBufferError::BufferTooShort {
                len: buf.len(),
                needed,
            });
        }
        Ok(Self {
            buf,
            width,
            height,
            stride,
            format,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes from one row to the next.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The pixel format.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// The underlying bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf
    }

    fn offset(&self, x: u32, y: u32) -> Option<usize> {
        if x >= self.width || y >= self.height {
            return None;
        }
        // Cannot overflow: `new` checked that the last pixel's end fits in the buffer.
        Some(y as usize * self.stride + x as usize * usize::from(self.format.bytes_per_pixel))
    }

    /// The pixel at (x, y) as `0x00RRGGBB`, or `None` outside the framebuffer.
    pub fn read_pixel(&self, x: u32, y: u32) -> Option<u32> {
        let at = self.offset(x, y)?;
        let bpp = usize::from(self.format.bytes_per_pixel);
        Some(self.format.decode(&self.buf[at..at + bpp]))
    }

    /// Writes one `0x00RRGGBB` pixel (the top byte is ignored); outside does nothing.
    pub fn write_pixel(&mut self, x: u32, y: u32, rgb: u32) {
        if let Some(at) = self.offset(x, y) {
            let bpp = usize::from(self.format.bytes_per_pixel);
            self.format.encode(rgb, &mut self.buf[at..at + bpp]);
        }
    }

    /// Fills every pixel with `rgb` (`0x00RRGGBB`; the top byte is ignored).
    pub fn fill(&mut self, rgb: u32) {
        let bpp = usize::from(self.format.bytes_per_pixel);
        let row = self.width as usize * bpp;
        for y in 0..self.height as usize {
            let start = y * self.stride;
            for px in self.buf[start..start + row].chunks_exact_mut(bpp) {
                self.format.encode(rgb, px);
            }
        }
    }

    /// Copies the whole canvas to the top-left corner (clipped to the framebuffer).
    pub fn present(&mut self, canvas: &Canvas) {
        self.blit(canvas, 0, 0);
    }

    /// Copies the whole canvas with its top-left corner at (x, y), clipped.
    pub fn blit(&mut self, canvas: &Canvas, x: i32, y: i32) {
        self.blit_region(canvas, 0, 0, canvas.width(), canvas.height(), x, y);
    }

    /// Copies the canvas's rectangle (x, y, w, h) to the same place in the framebuffer
    /// (clipped to both): for redrawing only what changed.
    pub fn present_region(&mut self, canvas: &Canvas, x: i32, y: i32, w: u32, h: u32) {
        // Clip the source rectangle to the canvas first, so negative x/y move both sides.
        let x0 = i64::from(x).max(0);
        let y0 = i64::from(y).max(0);
        let x1 = (i64::from(x) + i64::from(w)).min(i64::from(canvas.width()));
        let y1 = (i64::from(y) + i64::from(h)).min(i64::from(canvas.height()));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        // In range: x0, y0 ≤ canvas size ≤ u32::MAX and ≥ 0.
        self.blit_region(
            canvas,
            x0 as u32,
            y0 as u32,
            (x1 - x0) as u32,
            (y1 - y0) as u32,
            x0 as i32,
            y0 as i32,
        );
    }

    /// Copies the canvas's rectangle (src_x, src_y, w, h) with its top-left corner at
    /// (dst_x, dst_y), clipped to both the canvas and the framebuffer.
    #[allow(clippy::too_many_arguments)] // a source rectangle and a destination point
    pub fn blit_region(
        &mut self,
        canvas: &Canvas,
        src_x: u32,
        src_y: u32,
        w: u32,
        h: u32,
        dst_x: i32,
        dst_y: i32,
    ) {
        // Work in i64 so no sum of a u32 and an i32 can overflow.
        let (sx, sy) = (i64::from(src_x), i64::from(src_y));
        let (dx, dy) = (i64::from(dst_x), i64::from(dst_y));
        let w = i64::from(w).min(i64::from(canvas.width()) - sx);
        let h = i64::from(h).min(i64::from(canvas.height()) - sy);
        // Destination span, clipped to the framebuffer.
        let dx0 = dx.max(0);
        let dy0 = dy.max(0);
        let dx1 = (dx + w).min(i64::from(self.width));
        let dy1 = (dy + h).min(i64::from(self.height));
        if dx0 >= dx1 || dy0 >= dy1 {
            return;
        }
        let cols = (dx1 - dx0) as usize;
        let bpp = usize::from(self.format.bytes_per_pixel);
        let cw = canvas.width() as usize;
        let pixels = canvas.pixels();
        for row in dy0..dy1 {
            let src_row = (sy + row - dy) as usize;
            let src_start = src_row * cw + (sx + dx0 - dx) as usize;
            let src = &pixels[src_start..src_start + cols];
            let dst_start = row as usize * self.stride + dx0 as usize * bpp;
            let dst = &mut self.buf[dst_start..dst_start + cols * bpp];
            if self.format == PixelFormat::BGRX8888 {
                // The common case (softbuffer, most GOP modes): a little-endian word copy.
                for (out, &p) in dst.chunks_exact_mut(4).zip(src) {
                    out.copy_from_slice(&(p & 0x00FF_FFFF).to_le_bytes());
                }
            } else {
                for (out, &p) in dst.chunks_exact_mut(bpp).zip(src) {
                    self.format.encode(p, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn canvas_2x2() -> Canvas {
        let mut c = Canvas::new(2, 2).unwrap();
        c.fill_rect(0, 0, 1, 1, 0xFF11_2233);
        c.fill_rect(1, 0, 1, 1, 0xFF44_5566);
        c.fill_rect(0, 1, 1, 1, 0xFF77_8899);
        c.fill_rect(1, 1, 1, 1, 0xFFAA_BBCC);
        c
    }

    #[test]
    fn all_four_formats_write_the_expected_bytes() {
        let c = canvas_2x2();
        let cases: [(PixelFormat, &[u8]); 4] = [
            (PixelFormat::RGB888, &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66]),
            (PixelFormat::BGR888, &[0x33, 0x22, 0x11, 0x66, 0x55, 0x44]),
            (
                PixelFormat::RGBX8888,
                &[0x11, 0x22, 0x33, 0, 0x44, 0x55, 0x66, 0],
            ),
            (
                PixelFormat::BGRX8888,
                &[0x33, 0x22, 0x11, 0, 0x66, 0x55, 0x44, 0],
            ),
        ];
        for (format, row0) in cases {
            let bpp = usize::from(format.bytes_per_pixel);
            // A stride with 3 bytes of padding per row, filled with 0xEE to see it is kept.
            let stride = 2 * bpp + 3;
            let mut buf = vec![0xEE; stride * 2];
            let mut fb = FrameBuffer::new(&mut buf, 2, 2, stride, format).unwrap();
            fb.present(&c);
            assert_eq!(fb.read_pixel(0, 0), Some(0x112233), "{format:?}");
            assert_eq!(fb.read_pixel(1, 1), Some(0xAABBCC), "{format:?}");
            assert_eq!(fb.read_pixel(2, 0), None);
            assert_eq!(&buf[..2 * bpp], row0, "{format:?}");
            assert_eq!(
                &buf[2 * bpp..stride],
                &[0xEE; 3],
                "padding kept, {format:?}"
            );
        }
    }

    #[test]
    fn constructor_names_what_is_wrong() {
        let mut buf = vec![0u8; 100];
        let bad = PixelFormat {
            order: ChannelOrder::Rgb,
            bytes_per_pixel: 2,
        };
        assert_eq!(
            FrameBuffer::new(&mut buf, 2, 2, 8, bad).unwrap_err(),
            FrameBufferError::BadBytesPerPixel(2)
        );
        assert_eq!(
            FrameBuffer::new(&mut buf, 4, 2, 15, PixelFormat::BGRX8888).unwrap_err(),
            FrameBufferError::StrideTooSmall {
                stride: 15,
                needed: 16
            }
        );
        // 7 rows of 16 bytes: 6 full strides + one row = 6 * 16 + 16 = 112 > 100.
        assert_eq!(
            FrameBuffer::new(&mut buf, 4, 7, 16, PixelFormat::BGRX8888).unwrap_err(),
            FrameBufferError::BufferTooShort {
                len: 100,
                needed: 112
            }
        );
        assert!(matches!(
            FrameBuffer::new(
                &mut buf,
                u32::MAX,
                u32::MAX,
                usize::MAX,
                PixelFormat::RGB888
            ),
            Err(FrameBufferError::TooLarge { .. })
        ));
        // The last row need not be padded: 3 rows, stride 10, row 8 → 28 bytes.
        let mut small = vec![0u8; 28];
        assert!(FrameBuffer::new(&mut small, 2, 3, 10, PixelFormat::RGBX8888).is_ok());
        let msg = alloc::format!(
            "{}",
            FrameBufferError::StrideTooSmall {
                stride: 15,
                needed: 16
            }
        );
        assert!(msg.contains("stride") && msg.contains("15"), "{msg}");
    }

    #[test]
    fn blit_clips_on_every_side() {
        let c = canvas_2x2();
        let mut buf = vec![0u8; 3 * 3 * 3];
        let mut fb = FrameBuffer::new(&mut buf, 3, 3, 9, PixelFormat::RGB888).unwrap();
        fb.blit(&c, -1, -1);
        assert_eq!(fb.read_pixel(0, 0), Some(0xAABBCC));
        assert_eq!(fb.read_pixel(1, 0), Some(0));
        fb.blit(&c, 2, 2);
        assert_eq!(fb.read_pixel(2, 2), Some(0x112233));
        // Far away and extreme offsets do nothing and do not panic.
        fb.blit(&c, i32::MAX, i32::MIN);
        fb.blit(&c, i32::MIN, i32::MAX);
        fb.blit_region(&c, u32::MAX, u32::MAX, u32::MAX, u32::MAX, 0, 0);
        fb.present_region(&c, i32::MIN, i32::MIN, u32::MAX, u32::MAX);
        assert_eq!(fb.read_pixel(1, 1), Some(0xAABBCC));
    }

    #[test]
    fn present_region_copies_only_the_region() {
        let c = canvas_2x2();
        let mut buf = vec![0u8; 2 * 2 * 4];
        let mut fb = FrameBuffer::new(&mut buf, 2, 2, 8, PixelFormat::BGRX8888).unwrap();
        fb.present_region(&c, 1, 0, 1, 2);
        assert_eq!(fb.read_pixel(0, 0), Some(0));
        assert_eq!(fb.read_pixel(1, 0), Some(0x445566));
        assert_eq!(fb.read_pixel(1, 1), Some(0xAABBCC));
        assert_eq!(fb.read_pixel(0, 1), Some(0));
        fb.fill(0x0102_0304);
        assert_eq!(fb.read_pixel(0, 1), Some(0x020304));
        fb.write_pixel(0, 0, 0xFF_FFFF);
        fb.write_pixel(5, 5, 0xFF_FFFF);
        assert_eq!(&fb.as_bytes()[..4], &[0xFF, 0xFF, 0xFF, 0]);
    }
}

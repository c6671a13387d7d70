//! An owned drawing surface: `width × height` opaque `0x00RRGGBB` pixels, drawn on with
//! `0xAARRGGBB` colours ("source over" when alpha < 255). Apps draw into one canvas per
//! window; the compositor draws the desktop into another and places window canvases on it
//! with [`Canvas::draw_canvas`].
//!
//! Every operation clips to the canvas and takes any coordinates (negative, huge,
//! overflowing `x + w`) without panicking; the work done is bounded by the canvas's area.
//!
//! The canvas also records the text runs drawn since the last [`Canvas::clear`]
//! ([`Canvas::text_runs`]), so tests and the scene description can read what a window
//! shows. The record is capped at [`MAX_TEXT_RUNS`] runs and [`MAX_TEXT_BYTES`] bytes of
//! text: when a new run would exceed either, the oldest runs are dropped; a single run
//! longer than [`MAX_TEXT_BYTES`] is recorded truncated (at a character boundary).

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};

use crate::color::{alpha, blend, blend_alpha, scale_alpha, to_surface};
use crate::font::{Font, clamp_size};
use crate::image::Image;

/// The largest width and height of a canvas.
pub const MAX_DIMENSION: u32 = 8192;
/// At most this many text runs are recorded (the oldest are dropped).
pub const MAX_TEXT_RUNS: usize = 4096;
/// At most this many bytes of recorded text (the oldest runs are dropped).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Why a drawing operation was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DrawError {
    /// A canvas larger than [`MAX_DIMENSION`] in either direction was asked for.
    CanvasTooLarge {
        /// The width asked for.
        width: u32,
        /// The height asked for.
        height: u32,
    },
    /// RGBA pixel data whose length is not `width × height × 4`.
    RgbaLength {
        /// The image width.
        width: u32,
        /// The image height.
        height: u32,
        /// The bytes `width × height × 4` needs (`None`: it overflows).
        expected: Option<usize>,
        /// The bytes given.
        actual: usize,
    },
}

impl fmt::Display for DrawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CanvasTooLarge { width, height } => write!(
                f,
                "canvas: {width}×{height} exceeds the limit of {MAX_DIMENSION}×{MAX_DIMENSION}"
            ),
            Self::RgbaLength {
                width,
                height,
                expected: Some(e),
                actual,
            } => write!(
                f,
                "canvas: RGBA data for {width}×{height} must be {e} bytes, got {actual}"
            ),
            Self::RgbaLength {
                width,
                height,
                expected: None,
                actual,
            } => write!(
                f,
                "canvas: RGBA data for {width}×{height} overflows (got {actual} bytes)"
            ),
        }
    }
}

impl core::error::Error for DrawError {}

/// One text run drawn on a canvas, as recorded for tests and the scene.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextRun {
    /// Left edge of the line box.
    pub x: i32,
    /// Top edge of the line box.
    pub y: i32,
    /// Pixel size, after clamping to the font's range.
    pub size: u32,
    /// The colour, `0xAARRGGBB`.
    pub argb: u32,
    /// The advance width drawn, in pixels.
    pub width: u32,
    /// The text (possibly truncated, see the module documentation).
    pub text: String,
}

/// A drawing surface: see the module documentation.
#[derive(Clone, PartialEq, Eq)]
pub struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u32>,
    runs: VecDeque<TextRun>,
    run_bytes: usize,
}

impl fmt::Debug for Canvas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Canvas")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("text_runs", &self.runs.len())
            .finish()
    }
}

/// A clipped rectangle in canvas pixels: columns `x0..x1`, rows `y0..y1`, non-empty.
#[derive(Clone, Copy, Debug)]
struct Span {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

impl Canvas {
    /// A black canvas. Zero sizes are allowed (an empty canvas draws nothing); sizes above
    /// [`MAX_DIMENSION`] are refused.
    pub fn new(width: u32, height: u32) -> Result<Canvas, DrawError> {
        if width > MAX_DIMENSION || height > MAX_DIMENSION {
            return Err(DrawError::CanvasTooLarge { width, height });
        }
        Ok(Canvas {
            width,
            height,
            pixels: vec![0; width as usize * height as usize],
            runs: VecDeque::new(),
            run_bytes: 0,
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

    /// The pixels, row-major, `0x00RRGGBB`.
    pub fn pixels(&self) -> &[u32] {
        &self.pixels
    }

    /// The pixels for direct writing (keep the top byte zero).
    pub fn pixels_mut(&mut self) -> &mut [u32] {
        &mut self.pixels
    }

    /// The pixel at (x, y) as `0x00RRGGBB`, or `None` outside the canvas.
    pub fn pixel(&self, x: i32, y: i32) -> Option<u32> {
        if x < 0 || y < 0 || x as u32 >= self.width || y as u32 >= self.height {
            return None;
        }
        Some(self.pixels[y as usize * self.width as usize + x as usize])
    }

    /// The text runs drawn since the last [`Canvas::clear`], oldest first.
    pub fn text_runs(&self) -> impl ExactSizeIterator<Item = &TextRun> + '_ {
        self.runs.iter()
    }

    /// All recorded text joined with newlines: handy in tests ("does the window show 3?").
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, r) in self.runs.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(&r.text);
        }
        s
    }

    /// Changes the size. The pixels in the overlap keep their place, new pixels are black,
    /// and the recorded text runs are kept. Sizes above [`MAX_DIMENSION`] are refused.
    pub fn resize(&mut self, width: u32, height: u32) -> Result<(), DrawError> {
        if width == self.width && height == self.height {
            return Ok(());
        }
        let mut next = Canvas::new(width, height)?;
        next.draw_canvas(self, 0, 0);
        self.width = width;
        self.height = height;
        self.pixels = next.pixels;
        Ok(())
    }

    /// Fills the whole canvas (blending when alpha < 255) and forgets the text runs.
    pub fn clear(&mut self, argb: u32) {
        self.runs.clear();
        self.run_bytes = 0;
        match alpha(argb) {
            255 => self.pixels.fill(to_surface(argb)),
            0 => {}
            _ => self.pixels.iter_mut().for_each(|p| *p = blend(argb, *p)),
        }
    }

    /// Clips the rectangle (x, y, w, h) to the canvas.
    fn clip(&self, x: i32, y: i32, w: u32, h: u32) -> Option<Span> {
        let x0 = i64::from(x).max(0);
        let y0 = i64::from(y).max(0);
        let x1 = (i64::from(x) + i64::from(w)).min(i64::from(self.width));
        let y1 = (i64::from(y) + i64::from(h)).min(i64::from(self.height));
        if x0 >= x1 || y0 >= y1 {
            return None;
        }
        Some(Span {
            x0: x0 as usize,
            y0: y0 as usize,
            x1: x1 as usize,
            y1: y1 as usize,
        })
    }

    /// Paints one pixel with `argb` at an explicit alpha `a` (coordinates already checked).
    #[inline]
    fn put(&mut self, x: usize, y: usize, argb: u32, a: u8) {
        let p = &mut self.pixels[y * self.width as usize + x];
        *p = blend_alpha(argb, *p, a);
    }

    /// Paints one pixel with `argb` scaled by `coverage`; outside does nothing.
    #[inline]
    fn plot(&mut self, x: i32, y: i32, argb: u32, coverage: u8) {
        if x < 0 || y < 0 || x as u32 >= self.width || y as u32 >= self.height {
            return;
        }
        let a = scale_alpha(alpha(argb), coverage);
        if a != 0 {
            self.put(x as usize, y as usize, argb, a);
        }
    }

    /// Fills a rectangle, clipped; blends when alpha < 255.
    pub fn fill_rect(&mut self, x: i32, y: i32, w: u32, h: u32, argb: u32) {
        let Some(s) = self.clip(x, y, w, h) else {
            return;
        };
        let a = alpha(argb);
        if a == 0 {
            return;
        }
        let width = self.width as usize;
        for row in s.y0..s.y1 {
            let line = &mut self.pixels[row * width + s.x0..row * width + s.x1];
            if a == 255 {
                line.fill(to_surface(argb));
            } else {
                line.iter_mut().for_each(|p| *p = blend(argb, *p));
            }
        }
    }

    /// Draws a 1-pixel outline of a rectangle, clipped (corners painted once).
    pub fn stroke_rect(&mut self, x: i32, y: i32, w: u32, h: u32, argb: u32) {
        if w == 0 || h == 0 {
            return;
        }
        let right = i64::from(x) + i64::from(w) - 1;
        let bottom = i64::from(y) + i64::from(h) - 1;
        self.fill_rect(x, y, w, 1, argb);
        if h > 1 {
            // Beyond the i32 range the edge is off the canvas anyway.
            if let Ok(b) = i32::try_from(bottom) {
                self.fill_rect(x, b, w, 1, argb);
            }
        }
        if h > 2 {
            let inner = h - 2;
            let y1 = y.saturating_add(1);
            self.fill_rect(x, y1, 1, inner, argb);
            if w > 1
                && let Ok(r) = i32::try_from(right)
            {
                self.fill_rect(r, y1, 1, inner, argb);
            }
        }
    }

    /// Draws a 1-pixel line from (x0, y0) to (x1, y1), both ends included, clipped.
    ///
    /// The pixels are Bresenham's (the midpoint rule), computed per step of the major axis
    /// in closed form, so only the steps inside the canvas are visited: a line with
    /// endpoints a billion pixels away costs no more than one across the canvas.
    pub fn draw_line(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, argb: u32) {
        if alpha(argb) == 0 || self.width == 0 || self.height == 0 {
            return;
        }
        let (x0, y0, x1, y1) = (i64::from(x0), i64::from(y0), i64::from(x1), i64::from(y1));
        let (dx, dy) = (x1 - x0, y1 - y0);
        // Major axis a (one pixel per step), minor axis b.
        let x_major = dx.abs() >= dy.abs();
        let (a0, b0, da, db, a_len, b_len) = if x_major {
            (
                x0,
                y0,
                dx,
                dy,
                i64::from(self.width),
                i64::from(self.height),
            )
        } else {
            (
                y0,
                x0,
                dy,
                dx,
                i64::from(self.height),
                i64::from(self.width),
            )
        };
        let (sa, sb) = (da.signum(), db.signum());
        let (na, nb) = (da.abs(), db.abs());
        // Steps i in 0..=na put the major coordinate at a0 + sa*i; keep those in 0..a_len.
        let (lo, hi) = if sa >= 0 {
            (-a0, a_len - 1 - a0)
        } else {
            (a0 - (a_len - 1), a0)
        };
        let first = lo.max(0);
        let last = hi.min(na);
        let mut i = first;
        while i <= last {
            let a = a0 + sa * i;
            // Minor offset: round(i * nb / na), ties towards the start; na == 0 is a point.
            // i128: i and nb can each approach 2^33.
            let off = if na == 0 {
                0
            } else {
                ((2 * i128::from(i) * i128::from(nb) + i128::from(na) - 1) / (2 * i128::from(na)))
                    as i64
            };
            let b = b0 + sb * off;
            if (0..b_len).contains(&b) {
                let (x, y) = if x_major { (a, b) } else { (b, a) };
                self.put(x as usize, y as usize, argb, alpha(argb));
            }
            i += 1;
        }
    }

    /// Draws RGBA8 pixels (row-major, straight alpha, `w × h × 4` bytes) with their
    /// top-left corner at (x, y), clipped and blended.
    pub fn blit_rgba(
        &mut self,
        x: i32,
        y: i32,
        w: u32,
        h: u32,
        rgba: &[u8],
    ) -> Result<(), DrawError> {
        let expected = (w as usize)
            .checked_mul(h as usize)
            .and_then(|n| n.checked_mul(4));
        if expected != Some(rgba.len()) {
            return Err(DrawError::RgbaLength {
                width: w,
                height: h,
                expected,
                actual: rgba.len(),
            });
        }
        let Some(s) = self.clip(x, y, w, h) else {
            return Ok(());
        };
        let width = self.width as usize;
        for row in s.y0..s.y1 {
            let src_row = (row as i64 - i64::from(y)) as usize;
            let src_col = (s.x0 as i64 - i64::from(x)) as usize;
            let start = (src_row * w as usize + src_col) * 4;
            let src = &rgba[start..start + (s.x1 - s.x0) * 4];
            let dst = &mut self.pixels[row * width + s.x0..row * width + s.x1];
            for (p, px) in dst.iter_mut().zip(src.chunks_exact(4)) {
                let c = (u32::from(px[0]) << 16) | (u32::from(px[1]) << 8) | u32::from(px[2]);
                *p = blend_alpha(c, *p, px[3]);
            }
        }
        Ok(())
    }

    /// Draws an [`Image`] with its top-left corner at (x, y), clipped and blended.
    pub fn draw_image(&mut self, image: &Image, x: i32, y: i32) {
        // An Image built by this crate always has matching data; a hand-made inconsistent
        // one draws nothing rather than panicking.
        let _ = self.blit_rgba(x, y, image.width, image.height, &image.rgba);
    }

    /// Copies another canvas with its top-left corner at (x, y), clipped: the compositor
    /// places window contents with it.
    pub fn draw_canvas(&mut self, src: &Canvas, x: i32, y: i32) {
        self.draw_canvas_region(src, 0, 0, src.width, src.height, x, y);
    }

    /// Copies the rectangle (src_x, src_y, w, h) of another canvas with its top-left corner
    /// at (dst_x, dst_y), clipped to both canvases.
    #[allow(clippy::too_many_arguments)] // a source rectangle and a destination point
    pub fn draw_canvas_region(
        &mut self,
        src: &Canvas,
        src_x: u32,
        src_y: u32,
        w: u32,
        h: u32,
        dst_x: i32,
        dst_y: i32,
    ) {
        let (sx, sy) = (i64::from(src_x), i64::from(src_y));
        let w = i64::from(w).min(i64::from(src.width) - sx);
        let h = i64::from(h).min(i64::from(src.height) - sy);
        if w <= 0 || h <= 0 {
            return;
        }
        let Some(s) = self.clip(dst_x, dst_y, w as u32, h as u32) else {
            return;
        };
        let (dx, dy) = (i64::from(dst_x), i64::from(dst_y));
        let cols = s.x1 - s.x0;
        let (dw, sw) = (self.width as usize, src.width as usize);
        for row in s.y0..s.y1 {
            let src_row = (sy + row as i64 - dy) as usize;
            let src_col = (sx + s.x0 as i64 - dx) as usize;
            let from = &src.pixels[src_row * sw + src_col..src_row * sw + src_col + cols];
            self.pixels[row * dw + s.x0..row * dw + s.x1].copy_from_slice(from);
        }
    }

    /// Fills a circle centred on the pixel corner (cx, cy) with the given radius, with an
    /// anti-aliased edge (4 × 4 samples per edge pixel). A circle of radius r centred at
    /// (r, r) exactly fills a 2r × 2r square.
    pub fn fill_circle(&mut self, cx: i32, cy: i32, radius: u32, argb: u32) {
        let d = u64::from(radius) * 2;
        let x = i64::from(cx) - i64::from(radius);
        let y = i64::from(cy) - i64::from(radius);
        self.fill_disc_in(x, y, d, argb);
    }

    /// Fills the disc inscribed in the square (x, y, d, d).
    pub(crate) fn fill_disc_in(&mut self, x: i64, y: i64, d: u64, argb: u32) {
        if d == 0 || alpha(argb) == 0 {
            return;
        }
        let x0 = x.max(0);
        let y0 = y.max(0);
        let x1 = x.saturating_add(d as i64).min(i64::from(self.width));
        let y1 = y.saturating_add(d as i64).min(i64::from(self.height));
        let disc = Disc::new(x as f64, y as f64, d as f64);
        for py in y0..y1 {
            for px in x0..x1 {
                let cov = disc.coverage(px as f64, py as f64);
                if cov != 0 {
                    self.plot(px as i32, py as i32, argb, cov);
                }
            }
        }
    }

    /// Fills a rectangle with rounded corners (radius clamped to half the shorter side),
    /// anti-aliased at the corners, clipped.
    pub fn fill_rounded_rect(&mut self, x: i32, y: i32, w: u32, h: u32, radius: u32, argb: u32) {
        let r = radius.min(w / 2).min(h / 2);
        if r == 0 {
            self.fill_rect(x, y, w, h, argb);
            return;
        }
        if alpha(argb) == 0 || self.clip(x, y, w, h).is_none() {
            return;
        }
        let (xl, yt) = (i64::from(x), i64::from(y));
        let (xr, yb) = (xl + i64::from(w), yt + i64::from(h));
        let r64 = i64::from(r);
        // The middle band and the strips between the corners are plain rectangles.
        let sat = |v: i64| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        self.fill_rect(x, sat(yt + r64), w, h - 2 * r, argb);
        self.fill_rect(sat(xl + r64), y, w - 2 * r, r, argb);
        self.fill_rect(sat(xl + r64), sat(yb - r64), w - 2 * r, r, argb);
        // Each corner is a quarter of the disc inscribed in a 2r square.
        let d = f64::from(2 * r);
        let corners = [
            (xl, yt, xl as f64, yt as f64),
            (xr - r64, yt, (xr - 2 * r64) as f64, yt as f64),
            (xl, yb - r64, xl as f64, (yb - 2 * r64) as f64),
            (
                xr - r64,
                yb - r64,
                (xr - 2 * r64) as f64,
                (yb - 2 * r64) as f64,
            ),
        ];
        for (qx, qy, dx, dy) in corners {
            let disc = Disc::new(dx, dy, d);
            let cx0 = qx.max(0);
            let cy0 = qy.max(0);
            let cx1 = (qx + r64).min(i64::from(self.width));
            let cy1 = (qy + r64).min(i64::from(self.height));
            for py in cy0..cy1 {
                for px in cx0..cx1 {
                    let cov = disc.coverage(px as f64, py as f64);
                    if cov != 0 {
                        self.plot(px as i32, py as i32, argb, cov);
                    }
                }
            }
        }
    }

    /// Draws one line of text with its line box's top-left corner at (x, y) (see
    /// [`crate::font`] for the metrics), anti-aliased, clipped; returns the advance width in
    /// pixels (the same as [`Canvas::measure_text`]). Non-empty text is recorded as a
    /// [`TextRun`] even when it is clipped away or transparent: the record says what the app
    /// drew, and the run's position and width tell whether it is visible.
    pub fn draw_text(
        &mut self,
        font: &Font,
        x: i32,
        y: i32,
        text: &str,
        size: u32,
        argb: u32,
    ) -> u32 {
        let size = clamp_size(size);
        let visible0 = 0i32.saturating_sub(x);
        let visible1 = (self.width as i32).saturating_sub(x);
        let width = if alpha(argb) == 0 || self.height == 0 {
            font.measure_text(text, size)
        } else {
            font.render(text, size, visible0, visible1, |gx, gy, cov| {
                // Saturating: far-off text lands outside and `plot` ignores it.
                self.plot(x.saturating_add(gx), y.saturating_add(gy), argb, cov);
            })
        };
        self.record(
            TextRun {
                x,
                y,
                size,
                argb,
                width,
                text: String::new(),
            },
            text,
        );
        width
    }

    /// Advance width of `text` at `size` pixels (no drawing).
    pub fn measure_text(&self, font: &Font, text: &str, size: u32) -> u32 {
        font.measure_text(text, size)
    }

    /// Appends a text run, dropping the oldest to stay within the caps.
    fn record(&mut self, mut run: TextRun, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut end = text.len().min(MAX_TEXT_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        run.text.push_str(&text[..end]);
        while !self.runs.is_empty()
            && (self.runs.len() >= MAX_TEXT_RUNS || self.run_bytes + end > MAX_TEXT_BYTES)
        {
            if let Some(old) = self.runs.pop_front() {
                self.run_bytes -= old.text.len();
            }
        }
        self.run_bytes += end;
        self.runs.push_back(run);
    }
}

/// Coverage of pixels by a disc, for anti-aliased circles and rounded corners.
pub(crate) struct Disc {
    cx: f64,
    cy: f64,
    r2: f64,
    inner2: f64,
    outer2: f64,
}

impl Disc {
    /// The disc inscribed in the square (x, y, d, d).
    pub(crate) fn new(x: f64, y: f64, d: f64) -> Disc {
        let r = d / 2.0;
        // A pixel whose centre is within r - √2/2 of the centre is fully inside; beyond
        // r + √2/2 it is fully outside; in between it is sampled.
        let inner = (r - 0.7072).max(0.0);
        Disc {
            cx: x + r,
            cy: y + r,
            r2: r * r,
            inner2: inner * inner,
            outer2: (r + 0.7072) * (r + 0.7072),
        }
    }

    /// How much of pixel (px, py) lies in the disc, 0..=255.
    pub(crate) fn coverage(&self, px: f64, py: f64) -> u8 {
        let dx = px + 0.5 - self.cx;
        let dy = py + 0.5 - self.cy;
        let d2 = dx * dx + dy * dy;
        if d2 <= self.inner2 {
            return 255;
        }
        if d2 >= self.outer2 {
            return 0;
        }
        let mut inside = 0u32;
        for sy in 0..4 {
            let y = py + 0.125 + 0.25 * f64::from(sy) - self.cy;
            for sx in 0..4 {
                let x = px + 0.125 + 0.25 * f64::from(sx) - self.cx;
                if x * x + y * y < self.r2 {
                    inside += 1;
                }
            }
        }
        (inside * 255 / 16) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    const RED: u32 = 0xFFFF_0000;
    const BLUE: u32 = 0xFF00_00FF;

    fn count(c: &Canvas, rgb: u32) -> usize {
        c.pixels().iter().filter(|&&p| p == rgb).count()
    }

    #[test]
    fn sizes_are_limited_and_zero_is_harmless() {
        assert_eq!(
            Canvas::new(MAX_DIMENSION + 1, 1).unwrap_err(),
            DrawError::CanvasTooLarge {
                width: MAX_DIMENSION + 1,
                height: 1
            }
        );
        assert!(Canvas::new(1, u32::MAX).is_err());
        let msg = Canvas::new(9000, 9000).unwrap_err().to_string();
        assert!(msg.contains("9000×9000") && msg.contains("8192"), "{msg}");
        let mut empty = Canvas::new(0, 0).unwrap();
        let font = Font::embedded();
        empty.clear(RED);
        empty.fill_rect(0, 0, 10, 10, RED);
        empty.draw_line(0, 0, 10, 10, RED);
        empty.fill_circle(0, 0, 5, RED);
        empty.fill_rounded_rect(0, 0, 9, 9, 3, RED);
        assert!(empty.blit_rgba(0, 0, 1, 1, &[1, 2, 3, 4]).is_ok());
        assert!(empty.draw_text(&font, 0, 0, "hi", 12, RED) > 0);
        assert_eq!(empty.pixel(0, 0), None);
        let mut wide = Canvas::new(7, 0).unwrap();
        wide.draw_line(0, 0, 6, 0, RED);
        wide.draw_text(&font, 0, 0, "hi", 12, RED);
        assert!(wide.pixels().is_empty());
    }

    #[test]
    fn fill_rect_opaque_clips_at_every_edge() {
        let mut c = Canvas::new(10, 8).unwrap();
        c.fill_rect(-3, -2, 5, 4, RED); // covers x 0..2, y 0..2
        assert_eq!(c.pixel(0, 0), Some(0xFF0000));
        assert_eq!(c.pixel(1, 1), Some(0xFF0000));
        assert_eq!(c.pixel(2, 1), Some(0));
        assert_eq!(c.pixel(1, 2), Some(0));
        assert_eq!(count(&c, 0xFF0000), 4);
        c.fill_rect(8, 6, u32::MAX, u32::MAX, BLUE); // x + w overflows i32
        assert_eq!(count(&c, 0x0000FF), 4);
        assert_eq!(c.pixel(9, 7), Some(0x0000FF));
        c.fill_rect(i32::MAX, i32::MAX, u32::MAX, u32::MAX, RED);
        c.fill_rect(i32::MIN, i32::MIN, u32::MAX, 1, RED);
        c.fill_rect(3, 3, 0, 5, RED);
        assert_eq!(count(&c, 0xFF0000), 4);
        // The whole canvas from far away.
        c.fill_rect(i32::MIN, i32::MIN, u32::MAX, u32::MAX, RED);
        assert_eq!(count(&c, 0xFF0000), 80);
    }

    #[test]
    fn fill_rect_blends_translucent_colours() {
        let mut c = Canvas::new(2, 1).unwrap();
        c.clear(BLUE);
        c.fill_rect(0, 0, 1, 1, 0x80FF_0000);
        // red 255·128/255 = 128; blue 255·127/255 = 127.
        assert_eq!(c.pixel(0, 0), Some(0x80_007F));
        assert_eq!(c.pixel(1, 0), Some(0x0000FF));
        c.fill_rect(0, 0, 2, 1, 0x00FF_FFFF); // alpha 0: nothing
        assert_eq!(c.pixel(1, 0), Some(0x0000FF));
        c.clear(0x40FF_FFFF); // translucent clear blends too
        assert_eq!(c.pixel(1, 0), Some(0x4040FF));
    }

    #[test]
    fn stroke_rect_outlines_once() {
        let mut c = Canvas::new(6, 6).unwrap();
        c.stroke_rect(1, 1, 4, 4, 0x80FF_FFFF);
        let once = 0x808080;
        for (x, y) in [
            (1, 1),
            (4, 1),
            (1, 4),
            (4, 4),
            (2, 1),
            (1, 3),
            (4, 2),
            (3, 4),
        ] {
            assert_eq!(c.pixel(x, y), Some(once), "({x}, {y}) painted exactly once");
        }
        assert_eq!(c.pixel(2, 2), Some(0));
        assert_eq!(count(&c, once), 12);
        c.stroke_rect(i32::MAX - 1, i32::MAX - 1, u32::MAX, u32::MAX, RED);
        c.stroke_rect(-5, -5, 20, 1, RED);
        assert_eq!(count(&c, 0xFF0000), 0);
    }

    #[test]
    fn lines_are_bresenham_and_clipped() {
        let mut c = Canvas::new(8, 8).unwrap();
        c.draw_line(0, 0, 4, 2, RED);
        let want = [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2)];
        for (x, y) in want {
            assert_eq!(c.pixel(x, y), Some(0xFF0000), "({x}, {y})");
        }
        assert_eq!(count(&c, 0xFF0000), want.len());

        let mut c = Canvas::new(8, 8).unwrap();
        c.draw_line(6, 7, 6, 1, BLUE); // vertical, upwards, both ends included
        assert_eq!(count(&c, 0x0000FF), 7);
        assert_eq!(c.pixel(6, 1), Some(0x0000FF));
        assert_eq!(c.pixel(6, 0), Some(0));
        c.draw_line(3, 3, 3, 3, RED); // a point
        assert_eq!(c.pixel(3, 3), Some(0xFF0000));
        c.draw_line(0, 7, 7, 0, RED); // the anti-diagonal
        assert!((0..8).all(|i| c.pixel(i, 7 - i) == Some(0xFF0000)));

        // Endpoints a billion pixels away: exactly the visible row, quickly.
        let mut c = Canvas::new(100, 10).unwrap();
        c.draw_line(-1_000_000_000, 5, 1_000_000_000, 5, RED);
        assert_eq!(count(&c, 0xFF0000), 100);
        assert!((0..100).all(|x| c.pixel(x, 5) == Some(0xFF0000)));
        c.draw_line(i32::MIN, i32::MIN, i32::MAX, i32::MAX, BLUE);
        c.draw_line(i32::MAX, i32::MIN, i32::MIN, i32::MAX, BLUE);
        // The main diagonal y = x passes through (0..10, 0..10).
        assert!((0..10).all(|i| c.pixel(i, i) == Some(0x0000FF)));
        c.draw_line(200, 0, 300, 9, RED); // entirely outside
        let before = c.clone();
        c.draw_line(5, 0, 5, 9, 0x00FF_FFFF); // alpha 0
        assert!(c == before, "nothing drawn outside or with alpha 0");
        // Translucent lines blend each pixel once.
        let mut c = Canvas::new(4, 1).unwrap();
        c.draw_line(0, 0, 3, 0, 0x80FF_FFFF);
        assert_eq!(count(&c, 0x808080), 4);
    }

    #[test]
    fn blit_rgba_checks_length_blends_and_clips() {
        let mut c = Canvas::new(4, 4).unwrap();
        c.clear(BLUE);
        assert_eq!(
            c.blit_rgba(0, 0, 2, 2, &[0; 15]),
            Err(DrawError::RgbaLength {
                width: 2,
                height: 2,
                expected: Some(16),
                actual: 15
            })
        );
        let e = c.blit_rgba(0, 0, u32::MAX, u32::MAX, &[]).unwrap_err();
        assert!(format!("{e}").contains("RGBA"), "{e}");
        #[rustfmt::skip]
        let px = [
            255, 0, 0, 255,    0, 255, 0, 0,
            255, 255, 255, 128, 1, 2, 3, 255,
        ];
        c.blit_rgba(-1, 2, 2, 2, &px).unwrap();
        // Column 0 of the canvas shows column 1 of the image.
        assert_eq!(
            c.pixel(0, 2),
            Some(0x0000FF),
            "alpha 0 leaves the background"
        );
        assert_eq!(c.pixel(0, 3), Some(0x010203), "alpha 255 replaces");
        assert_eq!(c.pixel(1, 2), Some(0x0000FF));
        c.blit_rgba(3, 0, 2, 2, &px).unwrap();
        assert_eq!(c.pixel(3, 0), Some(0xFF0000));
        // White at 128 over blue: r = g = 255·128/255 = 128, b = 255.
        assert_eq!(c.pixel(3, 1), Some(0x8080FF));
        assert!(c.blit_rgba(i32::MAX, i32::MIN, 2, 2, &px).is_ok());
        let img = Image::new(2, 2, px.to_vec()).unwrap();
        c.draw_image(&img, 0, 0);
        assert_eq!(c.pixel(0, 0), Some(0xFF0000));
    }

    #[test]
    fn draw_canvas_places_and_clips() {
        let mut src = Canvas::new(3, 2).unwrap();
        src.clear(RED);
        src.fill_rect(2, 1, 1, 1, BLUE);
        let mut dst = Canvas::new(4, 4).unwrap();
        dst.draw_canvas(&src, 2, 3);
        assert_eq!(dst.pixel(2, 3), Some(0xFF0000));
        assert_eq!(dst.pixel(3, 3), Some(0xFF0000));
        assert_eq!(count(&dst, 0xFF0000), 2);
        dst.draw_canvas(&src, -2, -1);
        assert_eq!(dst.pixel(0, 0), Some(0x0000FF));
        assert_eq!(count(&dst, 0x0000FF), 1);
        dst.draw_canvas(&src, i32::MAX, i32::MAX);
        dst.draw_canvas(&src, i32::MIN, 0);
        dst.draw_canvas_region(&src, 5, 5, 10, 10, 0, 0);
        dst.draw_canvas_region(&src, 2, 1, u32::MAX, u32::MAX, 1, 1);
        assert_eq!(dst.pixel(1, 1), Some(0x0000FF));
        assert_eq!(count(&dst, 0x0000FF), 2);
    }

    #[test]
    fn circles_are_round_and_anti_aliased() {
        let mut c = Canvas::new(40, 40).unwrap();
        c.clear(0xFFFF_FFFF);
        c.fill_circle(16, 16, 16, 0xFF00_0000);
        assert_eq!(c.pixel(16, 16), Some(0), "centre");
        assert_eq!(
            c.pixel(0, 0),
            Some(0xFFFFFF),
            "corner of the bounding square"
        );
        assert_eq!(c.pixel(31, 31), Some(0xFFFFFF));
        assert_eq!(c.pixel(32, 16), Some(0xFFFFFF), "right of the circle");
        // Symmetric about both axes through (16, 16).
        for y in 0..32 {
            for x in 0..32 {
                assert_eq!(c.pixel(x, y), c.pixel(31 - x, y), "({x}, {y})");
                assert_eq!(c.pixel(x, y), c.pixel(x, 31 - y), "({x}, {y})");
            }
        }
        // Some edge pixels are in between; the darkness adds up to π r².
        let grey = c
            .pixels()
            .iter()
            .filter(|&&p| p != 0 && p != 0xFFFFFF)
            .count();
        assert!(grey > 20, "{grey} anti-aliased edge pixels");
        let ink: u32 = c.pixels().iter().map(|p| 255 - (p & 0xFF)).sum();
        let area = ink as f64 / 255.0;
        let want = core::f64::consts::PI * 256.0;
        assert!((area - want).abs() < want * 0.01, "area {area} vs {want}");
        c.fill_circle(i32::MAX, i32::MIN, u32::MAX, RED);
        c.fill_circle(0, 0, 0, RED);
    }

    #[test]
    fn rounded_rects_round_only_the_corners() {
        let mut c = Canvas::new(30, 20).unwrap();
        c.clear(0xFFFF_FFFF);
        c.fill_rounded_rect(5, 5, 20, 10, 4, 0xFF00_0000);
        assert_eq!(
            c.pixel(5, 5),
            Some(0xFFFFFF),
            "the corner pixel is outside the arc"
        );
        assert_eq!(c.pixel(24, 14), Some(0xFFFFFF));
        assert_eq!(c.pixel(15, 5), Some(0), "top edge between the corners");
        assert_eq!(c.pixel(5, 10), Some(0), "left edge between the corners");
        assert_eq!(c.pixel(15, 10), Some(0));
        assert_eq!(c.pixel(4, 10), Some(0xFFFFFF));
        assert_eq!(c.pixel(25, 10), Some(0xFFFFFF));
        for y in 0..20 {
            for x in 0..30 {
                assert_eq!(c.pixel(x, y), c.pixel(29 - x, y), "({x}, {y})");
                assert_eq!(c.pixel(x, y), c.pixel(x, 19 - y), "({x}, {y})");
            }
        }
        // A radius larger than the sides is clamped; huge inputs do not panic.
        c.fill_rounded_rect(0, 0, 6, 4, 100, RED);
        assert_eq!(c.pixel(3, 2), Some(0xFF0000));
        c.fill_rounded_rect(i32::MIN, i32::MIN, u32::MAX, u32::MAX, u32::MAX, BLUE);
        c.fill_rounded_rect(i32::MAX, i32::MAX, u32::MAX, u32::MAX, 7, BLUE);
        assert_eq!(c.pixel(15, 10), Some(0x0000FF));
    }

    #[test]
    fn text_is_drawn_inside_its_line_box_and_recorded() {
        let font = Font::embedded();
        let mut c = Canvas::new(120, 60).unwrap();
        c.clear(0xFFFF_FFFF);
        let w = c.draw_text(&font, 10, 10, "Hello", 20, 0xFF00_0000);
        assert_eq!(w, font.measure_text("Hello", 20));
        assert_eq!(w, c.measure_text(&font, "Hello", 20));
        let line = font.line_height(20) as i32;
        let mut dark = 0;
        for y in 0..60 {
            for x in 0..120 {
                let p = c.pixel(x, y).unwrap();
                if p != 0xFFFFFF {
                    assert!(
                        (10..10 + w as i32 + 2).contains(&x) && (10..10 + line).contains(&y),
                        "ink at ({x}, {y}) outside the line box"
                    );
                    if p == 0 {
                        dark += 1;
                    }
                }
            }
        }
        assert!(dark > 30, "{dark} fully dark pixels");
        let runs: Vec<&TextRun> = c.text_runs().collect();
        assert_eq!(
            runs,
            [&TextRun {
                x: 10,
                y: 10,
                size: 20,
                argb: 0xFF00_0000,
                width: w,
                text: "Hello".into()
            }]
        );
        assert_eq!(c.text(), "Hello");
        c.draw_text(&font, 0, 30, "3", 1000, RED);
        assert_eq!(c.text_runs().last().unwrap().size, crate::font::MAX_SIZE);
        assert_eq!(c.text(), "Hello\n3");
        c.clear(0xFF00_0000);
        assert_eq!(c.text_runs().len(), 0);
        c.draw_text(&font, 0, 0, "", 12, RED);
        assert_eq!(c.text_runs().len(), 0, "empty text is not recorded");
    }

    #[test]
    fn text_far_away_is_measured_not_drawn() {
        let font = Font::embedded();
        let mut c = Canvas::new(50, 20).unwrap();
        let w = c.draw_text(&font, i32::MAX - 5, i32::MIN, "far away", 16, RED);
        assert_eq!(w, font.measure_text("far away", 16));
        c.draw_text(&font, i32::MIN, 0, "far away", 16, RED);
        assert_eq!(count(&c, 0), 1000);
        // Text starting left of the canvas shows its tail.
        let long = "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm";
        c.draw_text(&font, -300, 0, long, 16, 0xFFFF_FFFF);
        assert!(c.pixels().iter().any(|&p| p != 0));
    }

    #[test]
    fn text_record_is_capped_dropping_the_oldest() {
        let font = Font::embedded();
        let mut c = Canvas::new(1, 1).unwrap();
        for i in 0..MAX_TEXT_RUNS + 10 {
            c.draw_text(&font, 0, 0, &format!("{i}"), 4, RED);
        }
        assert_eq!(c.text_runs().len(), MAX_TEXT_RUNS);
        assert_eq!(c.text_runs().next().unwrap().text, "10");
        // Bytes: 100 runs of 1000 bytes keep the newest 65 (65 000 ≤ 65 536).
        c.clear(0);
        for i in 0..100u8 {
            let s: String = core::iter::repeat_n(char::from(b'a' + i % 26), 1000).collect();
            c.draw_text(&font, 0, 0, &s, 4, RED);
        }
        assert_eq!(c.text_runs().len(), 65);
        assert!(c.text_runs().map(|r| r.text.len()).sum::<usize>() <= MAX_TEXT_BYTES);
        // One run over the cap is truncated at a character boundary (é is 2 bytes).
        let huge: String = core::iter::repeat_n('é', MAX_TEXT_BYTES).collect();
        c.draw_text(&font, 0, 0, &huge, 4, RED);
        assert_eq!(c.text_runs().len(), 1);
        let kept = &c.text_runs().next().unwrap().text;
        assert_eq!(kept.len(), MAX_TEXT_BYTES);
        assert!(kept.chars().all(|ch| ch == 'é'));
        let odd: String = core::iter::once('a')
            .chain(core::iter::repeat_n('é', MAX_TEXT_BYTES))
            .collect();
        c.draw_text(&font, 0, 0, &odd, 4, RED);
        assert_eq!(c.text_runs().last().unwrap().text.len(), MAX_TEXT_BYTES - 1);
    }

    #[test]
    fn resize_keeps_the_overlap() {
        let mut c = Canvas::new(4, 4).unwrap();
        c.clear(RED);
        c.fill_rect(1, 1, 1, 1, BLUE);
        c.resize(6, 2).unwrap();
        assert_eq!((c.width(), c.height(), c.pixels().len()), (6, 2, 12));
        assert_eq!(c.pixel(1, 1), Some(0x0000FF));
        assert_eq!(c.pixel(3, 0), Some(0xFF0000));
        assert_eq!(c.pixel(4, 0), Some(0));
        assert!(c.resize(MAX_DIMENSION + 1, 1).is_err());
        assert_eq!(
            (c.width(), c.height()),
            (6, 2),
            "a refused resize changes nothing"
        );
        c.resize(0, 0).unwrap();
        assert!(c.pixels().is_empty());
    }
}

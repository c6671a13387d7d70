//! The drawing and event traits the helpers, the event loop and apps are written
//! against. `Window` implements them over the host (on wasm32);
//! [`crate::Recorder`] implements them in memory, so an app's drawing and input
//! handling can be unit-tested on the build machine.

use crate::{Error, Event, Timeout};

/// Something to draw on: a window's canvas. Coordinates are window-content pixels
/// (may be negative or beyond the edge: the host clips); colours are `0xAARRGGBB`.
///
/// Drawing calls do not return errors: a failed call (a closed window, a bad size) is
/// remembered and reported by the next [`EventWindow::request_frame`] (see
/// `Window`), so drawing code stays free of error plumbing.
pub trait Surface {
    /// The canvas size in pixels (width, height), as of the last resize.
    fn size(&self) -> (u32, u32);
    /// Fills the whole canvas.
    fn clear(&mut self, argb: u32);
    /// Fills a rectangle.
    fn rect(&mut self, x: i32, y: i32, w: u32, h: u32, argb: u32);
    /// Draws a 1-pixel line from (x0, y0) to (x1, y1).
    fn line(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, argb: u32);
    /// Draws one line of text whose line box has its top-left at (x, y), with a font
    /// size of `size_px` pixels (the line box is about 1.2 × `size_px` high); returns
    /// the advance width in pixels.
    fn text(&mut self, x: i32, y: i32, text: &str, size_px: u32, argb: u32) -> u32;
    /// The advance width `text` would have at `size_px`, without drawing.
    fn measure_text(&self, text: &str, size_px: u32) -> u32;
    /// Draws `w` × `h` RGBA8 pixels (row-major, `rgba.len() == w * h * 4`).
    fn image(&mut self, x: i32, y: i32, w: u32, h: u32, rgba: &[u8]);
}

/// A window an event loop can drive: a [`Surface`] that also delivers events and
/// presents frames.
pub trait EventWindow: Surface {
    /// The next event, waiting at most `timeout`; `Ok(None)` if none came in time.
    /// Resize events also update [`Surface::size`].
    fn poll_event(&mut self, timeout: Timeout) -> Result<Option<Event>, Error>;
    /// Shows what was drawn since the last frame and waits for the display's next
    /// frame (about 60 Hz). Reports the first error of the drawing calls since the
    /// last frame, if any; [`Error::Closed`] once the window is gone.
    fn request_frame(&mut self) -> Result<(), Error>;
}

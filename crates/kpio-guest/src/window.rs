//! [`Window`]: a host window, drawn on through [`Surface`] and driven through
//! [`EventWindow`].

use crate::{Error, Event, EventWindow, Surface, Timeout, check, sys};

/// The longest string the wrappers pass to the host (`i32` lengths).
fn len(s: &[u8]) -> i32 {
    i32::try_from(s.len()).unwrap_or(i32::MAX)
}

/// Clamps a size or coordinate to the ABI's `i32`.
fn i(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// A window on the KPIO desktop. Closed when dropped.
///
/// Drawing goes through the [`Surface`] trait (`use kpio_guest::Surface;`). Drawing
/// calls do not return errors: the first failure since the last frame is kept and
/// returned by [`EventWindow::request_frame`] (or [`Window::take_error`]).
#[derive(Debug)]
pub struct Window {
    handle: i32,
    width: u32,
    height: u32,
    error: Option<Error>,
}

impl Window {
    /// Opens a `width` × `height` window (1..=4096 each) titled `title`. Needs the
    /// `gui` permission ([`Error::Denied`] without it; [`Error::Unavailable`] without
    /// a display).
    pub fn new(title: &str, width: u32, height: u32) -> Result<Window, Error> {
        // SAFETY: the pointer and length describe `title`, alive for the call.
        let ret = unsafe {
            sys::create_window(title.as_ptr(), len(title.as_bytes()), i(width), i(height))
        };
        let handle = check(ret)? as i32;
        Ok(Window {
            handle,
            width,
            height,
            error: None,
        })
    }

    /// The host's handle of this window.
    pub fn handle(&self) -> i32 {
        self.handle
    }

    /// Sets the title bar text.
    pub fn set_title(&mut self, title: &str) -> Result<(), Error> {
        // SAFETY: the pointer and length describe `title`, alive for the call.
        check(unsafe { sys::set_title(self.handle, title.as_ptr(), len(title.as_bytes())) })
            .map(drop)
    }

    /// The first drawing error since the last frame, clearing it.
    pub fn take_error(&mut self) -> Option<Error> {
        self.error.take()
    }

    /// Closes the window now (dropping it does the same).
    pub fn close(self) -> Result<(), Error> {
        let handle = self.handle;
        core::mem::forget(self);
        // SAFETY: a plain call with integer arguments.
        check(unsafe { sys::close_window(handle) }).map(drop)
    }

    /// Remembers the first failure of a drawing call; returns the call's value or 0.
    fn note(&mut self, ret: i32) -> u32 {
        match check(ret) {
            Ok(v) => v,
            Err(e) => {
                self.error.get_or_insert(e);
                0
            }
        }
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        // SAFETY: a plain call with integer arguments. A failure (already closed)
        // needs no handling: the window is gone either way.
        unsafe { sys::close_window(self.handle) };
    }
}

impl Surface for Window {
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn clear(&mut self, argb: u32) {
        // SAFETY: a plain call with integer arguments.
        let r = unsafe { sys::clear(self.handle, argb as i32) };
        self.note(r);
    }

    fn rect(&mut self, x: i32, y: i32, w: u32, h: u32, argb: u32) {
        if w == 0 || h == 0 {
            return;
        }
        // SAFETY: a plain call with integer arguments.
        let r = unsafe { sys::draw_rect(self.handle, x, y, i(w), i(h), argb as i32) };
        self.note(r);
    }

    fn line(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, argb: u32) {
        // SAFETY: a plain call with integer arguments.
        let r = unsafe { sys::draw_line(self.handle, x0, y0, x1, y1, argb as i32) };
        self.note(r);
    }

    fn text(&mut self, x: i32, y: i32, text: &str, size_px: u32, argb: u32) -> u32 {
        if text.is_empty() {
            return 0;
        }
        // SAFETY: the pointer and length describe `text`, alive for the call.
        let r = unsafe {
            sys::draw_text(
                self.handle,
                x,
                y,
                text.as_ptr(),
                len(text.as_bytes()),
                i(size_px),
                argb as i32,
            )
        };
        self.note(r)
    }

    fn measure_text(&self, text: &str, size_px: u32) -> u32 {
        if text.is_empty() {
            return 0;
        }
        // SAFETY: the pointer and length describe `text`, alive for the call.
        let r = unsafe { sys::measure_text(text.as_ptr(), len(text.as_bytes()), i(size_px)) };
        check(r).unwrap_or(0)
    }

    fn image(&mut self, x: i32, y: i32, w: u32, h: u32, rgba: &[u8]) {
        // SAFETY: the pointer and length describe `rgba`, alive for the call; the host
        // checks that the length matches w * h * 4.
        let r = unsafe { sys::draw_image(self.handle, x, y, i(w), i(h), rgba.as_ptr(), len(rgba)) };
        self.note(r);
    }
}

impl EventWindow for Window {
    fn poll_event(&mut self, timeout: Timeout) -> Result<Option<Event>, Error> {
        let mut raw = [0u8; crate::EVENT_SIZE];
        loop {
            // SAFETY: `raw` is 24 writable bytes, the event record's size.
            let r = unsafe { sys::poll_event(self.handle, raw.as_mut_ptr(), timeout.to_abi()) };
            if check(r)? == 0 {
                return Ok(None);
            }
            if let Some(e) = Event::decode(&raw) {
                if let Event::Resize { w, h } = e {
                    (self.width, self.height) = (w, h);
                }
                return Ok(Some(e));
            }
            // An event kind this SDK does not know: skip it. With a finite timeout
            // this may wait up to twice as long; acceptable for unknown events.
        }
    }

    fn request_frame(&mut self) -> Result<(), Error> {
        // SAFETY: a plain call with integer arguments.
        check(unsafe { sys::request_frame(self.handle) })?;
        // The frame is shown even if a drawing call failed; report that failure now.
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

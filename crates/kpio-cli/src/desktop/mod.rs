//! `kpio desktop`: the KPIO desktop hosted on Linux.
//!
//! The compositor ([`kpio_gui::shell::Shell`]) and the installed apps run in this process:
//! every app instance on its own thread, drawing through the `kpio_gui` host API into its
//! windows, which the desktop composites once per display frame. Two front ends drive
//! the same desktop: a real window (winit + softbuffer, `window`), and a headless runner
//! that feeds scripted input and writes PNG screenshots and scene dumps (`headless`).

/// What a front end drives: the desktop, one display frame at a time.
///
/// A front end owns the display (a window, or nothing when headless). It reports the
/// display's size, hands over input as it arrives, and asks for a frame at the display's
/// rate (about 60 Hz). Each frame runs the desktop one step: timers (toasts), requests
/// (launch, uninstall, close, install review answers), app frames presented since the
/// last one, and the composite.
pub trait Frontend {
    /// The desktop's size in pixels.
    fn screen_size(&self) -> (u32, u32);
    /// The display changed size (a window resized).
    fn resize(&mut self, width: u32, height: u32);
    /// One input event, in desktop coordinates.
    fn input(&mut self, event: kpio_gui::shell::InputEvent);
    /// Runs the desktop one display frame and returns the composed picture
    /// (`screen_size()` pixels, 0x00RRGGBB).
    fn frame(&mut self) -> &kpio_gui::Canvas;
    /// Whether the desktop has been asked to quit (the front end then closes).
    fn should_quit(&self) -> bool;
    /// A file was handed to the desktop (dropped on its window): a `.kpioapp` package is
    /// offered for install through the permission review.
    fn open_file(&mut self, path: &std::path::Path);
}

mod app_gui;
pub mod headless;
pub mod script;
pub mod session;
mod shared;
pub mod window;

pub use session::Session;

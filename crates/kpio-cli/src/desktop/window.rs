//! The desktop in a real window: winit opens it and delivers input, softbuffer shows the
//! frames the desktop composes on the CPU.
//!
//! [`run`] drives a [`Frontend`] at about 60 Hz: the loop sleeps until the next frame's
//! deadline (`ControlFlow::WaitUntil`, never a busy loop), asks the window for a redraw,
//! and on the redraw runs one desktop frame and copies its pixels into the window. The
//! desktop's pixels (`0x00RRGGBB`) are softbuffer's format, so a frame is a copy.
//!
//! Coordinates: the desktop is laid out in *logical* pixels. On a display with a scale
//! factor of 2 a 1280×800 desktop fills a 2560×1600 window; frames are scaled up (nearest
//! pixel) on the way out and pointer positions scaled down on the way in. The desktop is
//! never smaller than 640×480: a window manager that ignores the minimum size shows the
//! top-left part of the desktop.
//!
//! Without a display (no `DISPLAY` / `WAYLAND_DISPLAY`, or one that can't be reached)
//! [`run`] fails with [`WindowError::NoDisplay`], whose message says how to run the
//! desktop anyway (`--headless`, or under Xvfb). The X11 and Wayland libraries are
//! loaded at run time, so `kpio` starts without them; when one the window needs is
//! missing, [`WindowError::MissingLibrary`] names the package to install.

#[path = "keys.rs"]
mod keys;

use std::fmt;
use std::num::NonZeroU32;
use std::rc::Rc;
use std::time::{Duration, Instant};

use kpio_gui::shell::{InputEvent, MouseButton};
use softbuffer::{Context, SoftBufferError, Surface};
use winit::application::ApplicationHandler;
use winit::dpi::{LogicalSize, PhysicalPosition, PhysicalSize};
use winit::error::{EventLoopError, OsError};
use winit::event::{ElementState, MouseButton as WinitButton, MouseScrollDelta, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::window::{Window, WindowId};

use super::Frontend;

/// The window's title.
const TITLE: &str = "KPIO";

/// The smallest desktop, in logical pixels (the window can't be resized below it).
pub const MIN_SIZE: (u32, u32) = (640, 480);

/// Time between frames: 60 Hz.
const FRAME_PERIOD: Duration = Duration::from_nanos(16_666_667);

/// What window pixels the desktop does not cover show (only while a resize settles,
/// or when a window manager makes the window smaller than [`MIN_SIZE`]).
const UNCOVERED: u32 = 0x0000_0000;

/// Pixels of smooth (touchpad) scrolling that make one wheel step, in logical pixels.
const PIXELS_PER_SCROLL_STEP: f64 = 20.0;

/// How [`run`] is to behave.
#[derive(Clone, Debug, Default)]
pub struct WindowOptions {
    /// Close the window after this many frames have been shown (for tests and demos:
    /// open the window, show `n` frames, exit cleanly).
    pub exit_after_frames: Option<u64>,
}

/// Why the window closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowExit {
    /// The user closed the window (its close button, or the window manager's close).
    Closed,
    /// The desktop asked to quit ([`Frontend::should_quit`]).
    Quit,
    /// [`WindowOptions::exit_after_frames`] frames were shown.
    FramesShown(u64),
}

/// Why the window could not be opened or shown.
#[derive(Debug)]
pub enum WindowError {
    /// There is no display to open a window on: neither `DISPLAY` nor `WAYLAND_DISPLAY`
    /// is set, or the display named can't be reached (or its client libraries are
    /// missing). `detail` says which.
    NoDisplay { detail: String },
    /// A shared library the window needs (loaded at run time) is not installed.
    MissingLibrary {
        /// The library, e.g. `libxkbcommon-x11.so.0`.
        library: &'static str,
        /// The Debian/Ubuntu packages that provide it.
        packages: &'static str,
    },
    /// The event loop could not be created or failed while running (winit allows one
    /// event loop per process, so a second [`run`] in one process ends here).
    EventLoop(EventLoopError),
    /// The display refused to create the window.
    CreateWindow(OsError),
    /// softbuffer could not attach to the window, resize its buffer, or show a frame.
    Surface {
        /// What was being done ("attaching to the display", "showing a frame", ...).
        action: &'static str,
        error: SoftBufferError,
    },
}

impl fmt::Display for WindowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowError::NoDisplay { detail } => write!(
                f,
                "cannot open the desktop window: no display ({detail}); run \
                 `kpio desktop --headless` to run it without a display, or start it under a \
                 virtual X server: `xvfb-run -a kpio desktop`"
            ),
            WindowError::MissingLibrary { library, packages } => write!(
                f,
                "cannot open the desktop window: {library} is not installed (Debian and \
                 Ubuntu: `apt-get install {packages}`); `kpio desktop --headless` runs without \
                 a window"
            ),
            WindowError::EventLoop(e) => write!(f, "the window's event loop failed: {e}"),
            WindowError::CreateWindow(e) => write!(f, "cannot create the desktop window: {e}"),
            WindowError::Surface { action, error } => {
                write!(f, "cannot draw into the desktop window ({action}): {error}")
            }
        }
    }
}

impl std::error::Error for WindowError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WindowError::NoDisplay { .. } | WindowError::MissingLibrary { .. } => None,
            WindowError::EventLoop(e) => Some(e),
            WindowError::CreateWindow(e) => Some(e),
            WindowError::Surface { error, .. } => Some(error),
        }
    }
}

/// Opens a window titled "KPIO" the size of `frontend.screen_size()` and runs the
/// desktop in it until the window is closed, the desktop quits, or
/// [`WindowOptions::exit_after_frames`] frames have been shown.
///
/// Call it once per process (winit's rule). On Linux and the BSDs any thread will do;
/// elsewhere it must be the main thread.
pub fn run(frontend: &mut dyn Frontend, options: WindowOptions) -> Result<WindowExit, WindowError> {
    check_platform()?;
    let event_loop = new_event_loop().map_err(|e| match e {
        // On Linux the only OS errors at creation are Xlib's libraries missing and the
        // display connection failing. winit's message is all that tells them apart.
        EventLoopError::Os(os) if os.to_string().contains(XLIB_MISSING) => {
            WindowError::MissingLibrary {
                library: "one of Xlib's libraries (libX11, libX11-xcb, libXcursor, libXi)",
                packages: "libx11-6 libx11-xcb1 libxcursor1 libxi6",
            }
        }
        EventLoopError::Os(os) => WindowError::NoDisplay {
            detail: unreachable_display(&os),
        },
        other => WindowError::EventLoop(other),
    })?;
    let mut app = App {
        frontend,
        options,
        shown: None,
        scale: 1.0,
        cursor: (0, 0),
        scroll_pixels: 0.0,
        held: keys::HeldKeys::default(),
        frames: 0,
        next_frame: Instant::now(),
        outcome: None,
    };
    event_loop
        .run_app(&mut app)
        .map_err(WindowError::EventLoop)?;
    // The loop only ends through `App::finish`, which records why; should the window
    // system end it on its own, the window is gone all the same.
    app.outcome.unwrap_or(Ok(WindowExit::Closed))
}

/// The event loop, on whichever thread this is.
fn new_event_loop() -> Result<EventLoop<()>, EventLoopError> {
    let mut builder = EventLoop::builder();
    // `kpio` runs its commands on a worker thread with a big stack. winit refuses that
    // by default, for portability to macOS; X11 and Wayland have no such rule.
    #[cfg(all(
        unix,
        not(any(
            target_os = "macos",
            target_os = "ios",
            target_os = "android",
            target_os = "redox"
        ))
    ))]
    winit::platform::x11::EventLoopBuilderExtX11::with_any_thread(&mut builder, true);
    builder.build()
}

/// winit's error text when it can't load Xlib's libraries.
const XLIB_MISSING: &str = "Failed to load one of xlib's shared libraries";

/// Fails with [`WindowError::NoDisplay`] when no display is named at all (with a message
/// clearer than winit's), and with [`WindowError::MissingLibrary`] when the keyboard
/// library winit needs is not installed (winit would panic).
fn check_platform() -> Result<(), WindowError> {
    #[cfg(all(
        unix,
        not(any(
            target_os = "macos",
            target_os = "ios",
            target_os = "android",
            target_os = "redox"
        ))
    ))]
    {
        let named = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
        let wayland = named("WAYLAND_DISPLAY") || named("WAYLAND_SOCKET");
        if !wayland && !named("DISPLAY") {
            return Err(WindowError::NoDisplay {
                detail: "neither DISPLAY nor WAYLAND_DISPLAY is set".to_string(),
            });
        }
        if xkbcommon_dl::xkbcommon_option().is_none() {
            return Err(WindowError::MissingLibrary {
                library: "libxkbcommon.so.0",
                packages: "libxkbcommon0",
            });
        }
        // winit prefers Wayland when both are named.
        if !wayland && xkbcommon_dl::x11::xkbcommon_x11_option().is_none() {
            return Err(WindowError::MissingLibrary {
                library: "libxkbcommon-x11.so.0",
                packages: "libxkbcommon-x11-0",
            });
        }
    }
    Ok(())
}

/// Says which display could not be reached, and why.
fn unreachable_display(error: &OsError) -> String {
    let (var, display) = ["WAYLAND_DISPLAY", "WAYLAND_SOCKET", "DISPLAY"]
        .into_iter()
        .find_map(|var| {
            let value = std::env::var(var).ok().filter(|v| !v.is_empty())?;
            Some((var, value))
        })
        .unwrap_or(("DISPLAY", String::new()));
    // winit's text is "os error at <its source file>:<line>: <reason>"; the reason is
    // what a user can act on.
    let text = error.to_string();
    let reason = match text.strip_prefix("os error at ") {
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, reason)| reason),
        None => text.as_str(),
    };
    format!("cannot connect to {var}={display}: {reason}")
}

/// The open window and the surface frames are shown on.
struct Shown {
    // Declared before `window` and `_context`: dropped first, while the window and the
    // display connection it draws to still exist.
    surface: Surface<Rc<Window>, Rc<Window>>,
    window: Rc<Window>,
    _context: Context<Rc<Window>>,
}

/// The event loop's state.
struct App<'f> {
    frontend: &'f mut dyn Frontend,
    options: WindowOptions,
    /// `None` until the loop is ready for windows (`resumed`) and after it exits.
    shown: Option<Shown>,
    /// Physical pixels per desktop pixel.
    scale: f64,
    /// The pointer's last position, in desktop coordinates (buttons are reported there).
    cursor: (i32, i32),
    /// Smooth scrolling not yet added up to a whole step, in logical pixels.
    scroll_pixels: f64,
    /// Keys held down, to report releases as their presses.
    held: keys::HeldKeys,
    /// Frames shown so far.
    frames: u64,
    /// When the next frame is due.
    next_frame: Instant,
    /// Why the loop ended, once it has.
    outcome: Option<Result<WindowExit, WindowError>>,
}

impl App<'_> {
    /// Ends the loop with `outcome`; the first outcome recorded wins.
    fn finish(&mut self, event_loop: &ActiveEventLoop, outcome: Result<WindowExit, WindowError>) {
        if self.outcome.is_none() {
            self.outcome = Some(outcome);
        }
        event_loop.exit();
    }

    /// Opens the window and attaches a surface to it.
    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<(), WindowError> {
        let (width, height) = self.frontend.screen_size();
        let attributes = Window::default_attributes()
            .with_title(TITLE)
            .with_inner_size(LogicalSize::new(
                width.max(MIN_SIZE.0),
                height.max(MIN_SIZE.1),
            ))
            .with_min_inner_size(LogicalSize::new(MIN_SIZE.0, MIN_SIZE.1));
        let window = Rc::new(
            event_loop
                .create_window(attributes)
                .map_err(WindowError::CreateWindow)?,
        );
        let context = Context::new(window.clone()).map_err(|error| WindowError::Surface {
            action: "attaching to the display",
            error,
        })?;
        let surface =
            Surface::new(&context, window.clone()).map_err(|error| WindowError::Surface {
                action: "attaching to the window",
                error,
            })?;
        self.scale = window.scale_factor();
        let size = window.inner_size();
        self.shown = Some(Shown {
            surface,
            window,
            _context: context,
        });
        // The window manager may have chosen another size than asked for.
        self.resized(size)
    }

    /// The window's size changed (or was first known): resize the surface, and the
    /// desktop if its logical size changed.
    fn resized(&mut self, size: PhysicalSize<u32>) -> Result<(), WindowError> {
        let Some(shown) = &mut self.shown else {
            return Ok(());
        };
        // A minimised window can report 0×0; keep the buffer until it comes back.
        let (Some(width), Some(height)) =
            (NonZeroU32::new(size.width), NonZeroU32::new(size.height))
        else {
            return Ok(());
        };
        shown
            .surface
            .resize(width, height)
            .map_err(|error| WindowError::Surface {
                action: "resizing the window's buffer",
                error,
            })?;
        let desktop = desktop_size(size, self.scale);
        if desktop != self.frontend.screen_size() {
            self.frontend.resize(desktop.0, desktop.1);
        }
        shown.window.request_redraw();
        Ok(())
    }

    /// Runs one desktop frame and shows it.
    fn show_frame(&mut self, event_loop: &ActiveEventLoop) -> Result<(), WindowError> {
        let Some(shown) = &mut self.shown else {
            return Ok(());
        };
        let size = shown.window.inner_size();
        if size.width == 0 || size.height == 0 {
            return Ok(());
        }
        let canvas = self.frontend.frame();
        let mut buffer = shown
            .surface
            .buffer_mut()
            .map_err(|error| WindowError::Surface {
                action: "getting the window's buffer",
                error,
            })?;
        let (buffer_width, buffer_height) = (buffer.width().get(), buffer.height().get());
        blit(
            Pixels {
                pixels: canvas.pixels(),
                width: canvas.width(),
                height: canvas.height(),
            },
            &mut buffer,
            buffer_width,
            buffer_height,
            self.scale,
        );
        buffer.present().map_err(|error| WindowError::Surface {
            action: "showing a frame",
            error,
        })?;
        self.frames += 1;
        if self
            .options
            .exit_after_frames
            .is_some_and(|n| self.frames >= n)
        {
            self.finish(event_loop, Ok(WindowExit::FramesShown(self.frames)));
        }
        Ok(())
    }

    /// Converts a window position (physical pixels) to desktop coordinates.
    fn to_desktop(&self, position: PhysicalPosition<f64>) -> (i32, i32) {
        let logical = position.to_logical::<f64>(self.scale);
        // `as` saturates: positions far outside the window (a drag) stay in range.
        (logical.x.floor() as i32, logical.y.floor() as i32)
    }

    /// Hands one window event to the desktop.
    fn handle(
        &mut self,
        event_loop: &ActiveEventLoop,
        event: WindowEvent,
    ) -> Result<(), WindowError> {
        match event {
            // The close button, or the window destroyed under us (`xkill`, a window
            // manager's forced close).
            WindowEvent::CloseRequested | WindowEvent::Destroyed => {
                self.finish(event_loop, Ok(WindowExit::Closed));
            }
            WindowEvent::ScaleFactorChanged { scale_factor, .. } => {
                // A `Resized` with the new physical size follows.
                self.scale = scale_factor;
            }
            WindowEvent::Resized(size) => self.resized(size)?,
            WindowEvent::RedrawRequested => self.show_frame(event_loop)?,
            WindowEvent::CursorMoved { position, .. } => {
                let (x, y) = self.to_desktop(position);
                self.cursor = (x, y);
                self.frontend.input(InputEvent::MouseMove { x, y });
            }
            WindowEvent::MouseInput { state, button, .. } => {
                let button = match button {
                    WinitButton::Left => MouseButton::Left,
                    WinitButton::Right => MouseButton::Right,
                    WinitButton::Middle => MouseButton::Middle,
                    // The desktop has three buttons.
                    WinitButton::Back | WinitButton::Forward | WinitButton::Other(_) => {
                        return Ok(());
                    }
                };
                let (x, y) = self.cursor;
                self.frontend.input(match state {
                    ElementState::Pressed => InputEvent::MouseDown { x, y, button },
                    ElementState::Released => InputEvent::MouseUp { x, y, button },
                });
            }
            // A file dropped on the window: a package is offered for install.
            WindowEvent::DroppedFile(path) => self.frontend.open_file(&path),
            WindowEvent::MouseWheel { delta, .. } => {
                let dy = scroll_steps(delta, self.scale, &mut self.scroll_pixels);
                if dy != 0 {
                    self.frontend.input(InputEvent::Scroll { dy });
                }
            }
            WindowEvent::KeyboardInput {
                event,
                is_synthetic,
                ..
            } => {
                match event.state {
                    // Synthetic presses are keys already held when the window gained
                    // focus: typed elsewhere, not into the desktop.
                    ElementState::Pressed if is_synthetic => {}
                    ElementState::Pressed => {
                        for key in self.held.press(event.physical_key, &event.logical_key) {
                            self.frontend.input(InputEvent::KeyDown { key });
                        }
                    }
                    // Synthetic releases (the window lost focus with keys held) are
                    // passed on, so nothing stays held down in the desktop.
                    ElementState::Released => {
                        for key in self.held.release(event.physical_key) {
                            self.frontend.input(InputEvent::KeyUp { key });
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl ApplicationHandler for App<'_> {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        // Desktop platforms resume once; a second resume keeps the window.
        if self.shown.is_some() || self.outcome.is_some() {
            return;
        }
        if let Err(e) = self.open(event_loop) {
            self.finish(event_loop, Err(e));
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        if self.outcome.is_some() {
            return;
        }
        if let Err(e) = self.handle(event_loop, event) {
            self.finish(event_loop, Err(e));
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        if self.outcome.is_some() {
            return;
        }
        if self.frontend.should_quit() {
            self.finish(event_loop, Ok(WindowExit::Quit));
            return;
        }
        let Some(shown) = &self.shown else {
            return;
        };
        let now = Instant::now();
        if now >= self.next_frame {
            shown.window.request_redraw();
            self.next_frame = next_deadline(self.next_frame, now);
        }
        event_loop.set_control_flow(ControlFlow::WaitUntil(self.next_frame));
    }

    fn exiting(&mut self, _event_loop: &ActiveEventLoop) {
        // Close the window while the event loop (and its display connection) is alive.
        self.shown = None;
    }
}

/// The deadline after `deadline`: one period on, or one period from `now` when frames
/// fell behind (a slow frame is not made up for with a burst).
fn next_deadline(deadline: Instant, now: Instant) -> Instant {
    let next = deadline + FRAME_PERIOD;
    if next <= now {
        now + FRAME_PERIOD
    } else {
        next
    }
}

/// Turns wheel motion into whole scroll steps (positive: down). Smooth (touchpad)
/// scrolling adds up in `pending` (logical pixels) until it makes a whole step.
fn scroll_steps(delta: MouseScrollDelta, scale: f64, pending: &mut f64) -> i32 {
    match delta {
        // winit: positive y moves the content down, i.e. scrolls up.
        MouseScrollDelta::LineDelta(_, y) => {
            let steps = -y.round() as i32;
            // A fractional notch still scrolls.
            if steps == 0 && y != 0.0 {
                -(y.signum() as i32)
            } else {
                steps
            }
        }
        MouseScrollDelta::PixelDelta(p) => {
            *pending -= p.to_logical::<f64>(scale).y;
            let steps = (*pending / PIXELS_PER_SCROLL_STEP).trunc();
            *pending -= steps * PIXELS_PER_SCROLL_STEP;
            steps as i32
        }
    }
}

/// The desktop's size for a window of `size` physical pixels at `scale`.
fn desktop_size(size: PhysicalSize<u32>, scale: f64) -> (u32, u32) {
    let logical = size.to_logical::<f64>(scale);
    (
        (logical.width.round() as u32).max(MIN_SIZE.0),
        (logical.height.round() as u32).max(MIN_SIZE.1),
    )
}

/// A frame's pixels (`0x00RRGGBB`, row after row, `width` per row).
#[derive(Clone, Copy)]
struct Pixels<'a> {
    pixels: &'a [u32],
    width: u32,
    height: u32,
}

/// Copies `src` into the window buffer `dst` (`dst_width`×`dst_height`), each source
/// pixel covering `scale`×`scale` buffer pixels. Buffer pixels the source does not reach
/// (its size lags a resize, or the window is below the minimum) are [`UNCOVERED`].
fn blit(src: Pixels<'_>, dst: &mut [u32], dst_width: u32, dst_height: u32, scale: f64) {
    let (sw, sh) = (src.width as usize, src.height as usize);
    let (dw, dh) = (dst_width as usize, dst_height as usize);
    if dw == 0 || dh == 0 {
        return;
    }
    let src_rows = src.pixels.chunks_exact(sw.max(1)).take(sh);
    let dst_rows = dst.chunks_exact_mut(dw).take(dh);
    if scale == 1.0 {
        // The common case: the overlap row by row, the rest filled.
        let overlap = sw.min(dw);
        let mut src_rows = src_rows;
        for row in dst_rows {
            match src_rows.next() {
                Some(from) => {
                    row[..overlap].copy_from_slice(&from[..overlap]);
                    row[overlap..].fill(UNCOVERED);
                }
                None => row.fill(UNCOVERED),
            }
        }
        return;
    }
    // Scaled: each buffer pixel takes the source pixel under it (nearest neighbour).
    let source_index = |i: usize| (i as f64 / scale).floor() as usize;
    let columns: Vec<Option<usize>> = (0..dw)
        .map(|x| Some(source_index(x)).filter(|&sx| sx < sw))
        .collect();
    let src_rows: Vec<&[u32]> = src_rows.collect();
    for (y, row) in dst_rows.enumerate() {
        match src_rows.get(source_index(y)) {
            Some(from) => {
                for (pixel, column) in row.iter_mut().zip(&columns) {
                    *pixel = column.map_or(UNCOVERED, |sx| from[sx]);
                }
            }
            None => row.fill(UNCOVERED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w`×`h` source whose pixel (x, y) is `y * 100 + x + 1` (never `UNCOVERED`).
    fn numbered(w: u32, h: u32) -> Vec<u32> {
        (0..h)
            .flat_map(|y| (0..w).map(move |x| y * 100 + x + 1))
            .collect()
    }

    fn blit_to(src: &[u32], sw: u32, sh: u32, dw: u32, dh: u32, scale: f64) -> Vec<u32> {
        let mut dst = vec![0xDEAD_BEEF; (dw * dh) as usize];
        let src = Pixels {
            pixels: src,
            width: sw,
            height: sh,
        };
        blit(src, &mut dst, dw, dh, scale);
        dst
    }

    #[test]
    fn same_size_is_a_copy() {
        let src = numbered(4, 3);
        assert_eq!(blit_to(&src, 4, 3, 4, 3, 1.0), src);
    }

    #[test]
    fn a_larger_buffer_gets_the_overlap_and_the_rest_filled() {
        let src = numbered(2, 2);
        let out = blit_to(&src, 2, 2, 3, 3, 1.0);
        let u = UNCOVERED;
        assert_eq!(out, vec![1, 2, u, 101, 102, u, u, u, u]);
    }

    #[test]
    fn a_smaller_buffer_gets_the_top_left() {
        let src = numbered(3, 3);
        assert_eq!(blit_to(&src, 3, 3, 2, 2, 1.0), vec![1, 2, 101, 102]);
    }

    #[test]
    fn scale_two_doubles_each_pixel() {
        let src = numbered(2, 2);
        let out = blit_to(&src, 2, 2, 4, 4, 2.0);
        #[rustfmt::skip]
        let want = vec![
            1, 1, 2, 2,
            1, 1, 2, 2,
            101, 101, 102, 102,
            101, 101, 102, 102,
        ];
        assert_eq!(out, want);
    }

    #[test]
    fn fractional_scale_covers_the_buffer_and_fills_past_the_source() {
        // 1.5: buffer columns 0,1 -> 0; 2 -> 1; 3,4 -> 2 (past a 2-wide source).
        let src = numbered(2, 1);
        let out = blit_to(&src, 2, 1, 4, 1, 1.5);
        assert_eq!(out, vec![1, 1, 2, UNCOVERED]);
    }

    #[test]
    fn an_empty_source_fills_the_buffer() {
        let out = blit_to(&[], 0, 0, 2, 2, 1.0);
        assert_eq!(out, vec![UNCOVERED; 4]);
        let out = blit_to(&[], 0, 0, 2, 2, 2.0);
        assert_eq!(out, vec![UNCOVERED; 4]);
    }

    #[test]
    fn the_desktop_is_the_logical_size_but_never_below_the_minimum() {
        assert_eq!(desktop_size(PhysicalSize::new(1280, 800), 1.0), (1280, 800));
        assert_eq!(
            desktop_size(PhysicalSize::new(2560, 1600), 2.0),
            (1280, 800)
        );
        assert_eq!(
            desktop_size(PhysicalSize::new(1500, 1000), 1.25),
            (1200, 800)
        );
        assert_eq!(desktop_size(PhysicalSize::new(300, 200), 1.0), MIN_SIZE);
    }

    #[test]
    fn frames_keep_their_pace_and_do_not_burst_after_a_stall() {
        let start = Instant::now();
        assert_eq!(next_deadline(start, start), start + FRAME_PERIOD);
        let late = start + FRAME_PERIOD * 5;
        assert_eq!(next_deadline(start, late), late + FRAME_PERIOD);
    }

    #[test]
    fn the_wheel_scrolls_in_whole_steps_down_positive() {
        let mut pending = 0.0;
        // One notch towards the user (winit: negative y) scrolls down one step.
        assert_eq!(
            scroll_steps(MouseScrollDelta::LineDelta(0.0, -1.0), 1.0, &mut pending),
            1
        );
        assert_eq!(
            scroll_steps(MouseScrollDelta::LineDelta(0.0, 3.0), 1.0, &mut pending),
            -3
        );
        assert_eq!(
            scroll_steps(MouseScrollDelta::LineDelta(0.0, 0.25), 1.0, &mut pending),
            -1
        );
        assert_eq!(
            scroll_steps(MouseScrollDelta::LineDelta(2.0, 0.0), 1.0, &mut pending),
            0
        );
        // Touchpad pixels add up: 15 + 15 logical pixels down make one step, 10 left over.
        let px = |y: f64| MouseScrollDelta::PixelDelta(PhysicalPosition::new(0.0, y));
        assert_eq!(scroll_steps(px(-15.0), 1.0, &mut pending), 0);
        assert_eq!(scroll_steps(px(-15.0), 1.0, &mut pending), 1);
        assert_eq!(pending, 10.0);
        // At scale 2, 20 physical pixels are 10 logical ones.
        assert_eq!(scroll_steps(px(-20.0), 2.0, &mut pending), 1);
        assert_eq!(pending, 0.0);
    }

    #[test]
    fn a_missing_library_names_its_package() {
        let message = WindowError::MissingLibrary {
            library: "libxkbcommon-x11.so.0",
            packages: "libxkbcommon-x11-0",
        }
        .to_string();
        assert!(
            message.contains("libxkbcommon-x11.so.0 is not installed"),
            "{message}"
        );
        assert!(
            message.contains("apt-get install libxkbcommon-x11-0"),
            "{message}"
        );
        assert!(message.contains("kpio desktop --headless"), "{message}");
    }

    #[test]
    fn no_display_explains_how_to_run_anyway() {
        let message = WindowError::NoDisplay {
            detail: "neither DISPLAY nor WAYLAND_DISPLAY is set".into(),
        }
        .to_string();
        assert!(message.contains("kpio desktop --headless"), "{message}");
        assert!(message.contains("xvfb-run -a kpio desktop"), "{message}");
        assert!(message.contains("DISPLAY"), "{message}");
    }
}

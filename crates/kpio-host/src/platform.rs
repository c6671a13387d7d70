//! The platform traits the import modules call: [`GuiBackend`] (windows and drawing; the
//! desktop implements it), [`SystemBackend`] (clocks, host name, locale, clipboard,
//! notifications), [`NetBackend`] (sockets), [`HostLog`] (app log lines and permission
//! denials), and [`Cancel`], which blocking backends consult so a stopped app never hangs
//! in the host.
//!
//! The import modules check permissions and arguments before calling a backend, so a
//! backend sees only valid UTF-8, sizes within the ABI's limits, and (for the network)
//! addresses the app is allowed to reach.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::net::SocketAddr;

use kpio_app::AppInstanceId;
use kpio_wasm::InterruptHandle;

use crate::abi::{GuiEvent, HostError, LogLevel, SocketKind};

/// One drawing operation on a window's canvas. Coordinates are canvas pixels (the origin
/// is the top-left of the content); everything is clipped to the canvas. Colours are
/// `0xAARRGGBB`, blended "source over".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawOp<'a> {
    /// Fill the whole canvas.
    Clear(u32),
    /// A filled rectangle.
    Rect {
        x: i32,
        y: i32,
        w: u32,
        h: u32,
        argb: u32,
    },
    /// A 1-pixel line from (x0, y0) to (x1, y1), both ends included.
    Line {
        x0: i32,
        y0: i32,
        x1: i32,
        y1: i32,
        argb: u32,
    },
    /// One line of text; (x, y) is the top-left of its line box, `size` the font size in
    /// pixels. The backend returns its advance width.
    Text {
        x: i32,
        y: i32,
        text: &'a str,
        size: u32,
        argb: u32,
    },
    /// RGBA8 pixels, row-major, `rgba.len() == w * h * 4` (checked by the host).
    Image {
        x: i32,
        y: i32,
        w: u32,
        h: u32,
        rgba: &'a [u8],
    },
}

/// Windows and drawing for one app instance (the hosted desktop, or the kernel's
/// compositor). Window handles are > 0 and private to the instance.
pub trait GuiBackend: Send {
    /// Opens a window with a `width × height` content area (both 1..=4096, checked by the
    /// host); returns its handle (> 0).
    fn create_window(&mut self, title: &str, width: u32, height: u32) -> Result<u32, HostError>;
    fn close_window(&mut self, win: u32) -> Result<(), HostError>;
    fn set_title(&mut self, win: u32, title: &str) -> Result<(), HostError>;
    /// Draws on the window's back canvas; returns the advance width for `Text`, else 0.
    fn draw(&mut self, win: u32, op: DrawOp<'_>) -> Result<u32, HostError>;
    /// The advance width of `text` at `size` pixels.
    fn measure_text(&mut self, text: &str, size: u32) -> u32;
    /// Shows what was drawn since the last frame, then waits for the display's next frame.
    /// A closed window is `Closed`.
    fn request_frame(&mut self, win: u32) -> Result<(), HostError>;
    /// The window's next event, waiting up to `timeout_ms` (`None`: until one arrives or
    /// the app is stopped; `Some(0)`: do not wait). Never busy-waits.
    fn poll_event(
        &mut self,
        win: u32,
        timeout_ms: Option<u32>,
    ) -> Result<Option<GuiEvent>, HostError>;
}

/// Clocks, host facts, the clipboard and notifications.
pub trait SystemBackend: Send {
    /// Milliseconds since the Unix epoch.
    fn wall_clock_ms(&self) -> i64;
    /// Nanoseconds since an arbitrary start; never goes backwards.
    fn monotonic_ns(&self) -> i64;
    /// The machine's host name.
    fn hostname(&self) -> Result<String, HostError>;
    /// The user's locale as a BCP 47 tag, e.g. `"en-US"`.
    fn locale(&self) -> String;
    /// The clipboard's text (empty if it holds none).
    fn clipboard_read(&mut self) -> Result<String, HostError>;
    fn clipboard_write(&mut self, text: &str) -> Result<(), HostError>;
    /// Posts a notification from `app_id`; returns its id (> 0).
    fn notify(&mut self, app_id: &str, title: &str, body: &str) -> Result<u32, HostError>;
}

/// Sockets for one app instance. Handles are > 0 and private to the instance. Every
/// address given here has passed the app's network permission.
pub trait NetBackend: Send {
    /// A new socket (`Limit` when the instance has too many).
    fn socket_create(&mut self, kind: SocketKind) -> Result<u32, HostError>;
    /// The addresses of host name `host` (`Unreachable` if it has none). IP literals never
    /// get here: the host parses them itself.
    fn resolve(
        &mut self,
        host: &str,
        port: u16,
        cancel: &Cancel,
    ) -> Result<Vec<SocketAddr>, HostError>;
    /// Binds to the first of `addrs` that works.
    fn bind(&mut self, sock: u32, addrs: &[SocketAddr]) -> Result<(), HostError>;
    /// Connects to the first of `addrs` that accepts.
    fn connect(
        &mut self,
        sock: u32,
        addrs: &[SocketAddr],
        cancel: &Cancel,
    ) -> Result<(), HostError>;
    fn listen(&mut self, sock: u32, backlog: u32) -> Result<(), HostError>;
    /// A new handle for the next incoming connection (`TimedOut` when none came in time).
    fn accept(
        &mut self,
        sock: u32,
        timeout_ms: Option<u32>,
        cancel: &Cancel,
    ) -> Result<u32, HostError>;
    /// Sends some of `data`; returns how many bytes went.
    fn send(&mut self, sock: u32, data: &[u8], cancel: &Cancel) -> Result<usize, HostError>;
    /// Receives into `buf`; 0 means the peer closed the connection.
    fn recv(
        &mut self,
        sock: u32,
        buf: &mut [u8],
        timeout_ms: Option<u32>,
        cancel: &Cancel,
    ) -> Result<usize, HostError>;
    fn close(&mut self, sock: u32) -> Result<(), HostError>;
}

/// A network backend for a host without one: every call is `Unavailable`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNet;

impl NetBackend for NoNet {
    fn socket_create(&mut self, _: SocketKind) -> Result<u32, HostError> {
        Err(HostError::Unavailable)
    }
    fn resolve(&mut self, _: &str, _: u16, _: &Cancel) -> Result<Vec<SocketAddr>, HostError> {
        Err(HostError::Unavailable)
    }
    fn bind(&mut self, _: u32, _: &[SocketAddr]) -> Result<(), HostError> {
        Err(HostError::Unavailable)
    }
    fn connect(&mut self, _: u32, _: &[SocketAddr], _: &Cancel) -> Result<(), HostError> {
        Err(HostError::Unavailable)
    }
    fn listen(&mut self, _: u32, _: u32) -> Result<(), HostError> {
        Err(HostError::Unavailable)
    }
    fn accept(&mut self, _: u32, _: Option<u32>, _: &Cancel) -> Result<u32, HostError> {
        Err(HostError::Unavailable)
    }
    fn send(&mut self, _: u32, _: &[u8], _: &Cancel) -> Result<usize, HostError> {
        Err(HostError::Unavailable)
    }
    fn recv(
        &mut self,
        _: u32,
        _: &mut [u8],
        _: Option<u32>,
        _: &Cancel,
    ) -> Result<usize, HostError> {
        Err(HostError::Unavailable)
    }
    fn close(&mut self, _: u32) -> Result<(), HostError> {
        Err(HostError::Unavailable)
    }
}

/// A permission denial: which call, and what the app was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// `module::function`, e.g. `"kpio_net::connect"`.
    pub call: &'static str,
    /// What was refused, from `kpio_app::Permissions`, e.g. `"gui is not granted"`.
    pub what: String,
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: denied: {}", self.call, self.what)
    }
}

/// Where an instance's log lines and permission denials go (the desktop's log, `kpio
/// logs`, a test's recorder).
pub trait HostLog: Send {
    /// A line the app wrote with `kpio_system::log`.
    fn app_log(&mut self, app_id: &str, instance: AppInstanceId, level: LogLevel, message: &str);
    /// A call refused for lack of a permission (the call returned `DENIED`).
    fn denied(&mut self, app_id: &str, instance: AppInstanceId, denial: &Denial);
    /// A call that is about to trap because a guest buffer lies outside linear memory;
    /// `message` names the function, pointer and length (the trap itself carries only
    /// `TrapCode::MemoryOutOfBounds`).
    fn fault(&mut self, app_id: &str, instance: AppInstanceId, message: &str) {
        let _ = (app_id, instance, message);
    }
}

/// A log that keeps nothing (the default; the context still keeps recent denials).
#[derive(Debug, Clone, Copy, Default)]
pub struct NullLog;

impl HostLog for NullLog {
    fn app_log(&mut self, _: &str, _: AppInstanceId, _: LogLevel, _: &str) {}
    fn denied(&mut self, _: &str, _: AppInstanceId, _: &Denial) {}
}

/// Whether the instance's run was stopped: blocking backends check it at least every
/// 50 ms and give up (`TimedOut`) once it is set. Cheap to clone.
#[derive(Clone, Default)]
pub struct Cancel(Option<Arc<dyn Fn() -> bool + Send + Sync>>);

impl Cancel {
    /// Never cancelled.
    pub fn never() -> Cancel {
        Cancel(None)
    }
    /// Cancelled when `f` returns true.
    pub fn new(f: impl Fn() -> bool + Send + Sync + 'static) -> Cancel {
        Cancel(Some(Arc::new(f)))
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f())
    }
}

/// Cancelled when the store's guests are interrupted, so one `InterruptHandle::interrupt`
/// stops both the wasm code and any host call it is blocked in.
impl From<InterruptHandle> for Cancel {
    fn from(h: InterruptHandle) -> Cancel {
        Cancel::new(move || h.is_interrupted())
    }
}

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancel")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

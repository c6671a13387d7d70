//! The raw host imports, exactly as the ABI declares them (see [`crate::abi`]).
//! Strings and buffers are (pointer, length) into this module's linear memory;
//! results `>= 0` are values, negative results are [`crate::Error`] codes. Prefer
//! the safe wrappers ([`crate::Window`], [`crate::system`], [`crate::net`]).

// `kpio_gui`: windows, drawing, events (needs the `gui` permission).
#[link(wasm_import_module = "kpio_gui")]
unsafe extern "C" {
    /// Opens a window; returns its handle (> 0). `width`/`height` 1..=4096.
    pub fn create_window(title_ptr: *const u8, title_len: i32, width: i32, height: i32) -> i32;
    /// Closes a window.
    pub fn close_window(win: i32) -> i32;
    /// Sets a window's title.
    pub fn set_title(win: i32, ptr: *const u8, len: i32) -> i32;
    /// Fills the whole canvas with `argb`.
    pub fn clear(win: i32, argb: i32) -> i32;
    /// Fills a rectangle (clipped).
    pub fn draw_rect(win: i32, x: i32, y: i32, w: i32, h: i32, argb: i32) -> i32;
    /// Draws a 1-pixel line.
    pub fn draw_line(win: i32, x0: i32, y0: i32, x1: i32, y1: i32, argb: i32) -> i32;
    /// Draws a line of text with its line box's top-left at (x, y); returns its width.
    pub fn draw_text(
        win: i32,
        x: i32,
        y: i32,
        ptr: *const u8,
        len: i32,
        size_px: i32,
        argb: i32,
    ) -> i32;
    /// The advance width of a text at `size_px`.
    pub fn measure_text(ptr: *const u8, len: i32, size_px: i32) -> i32;
    /// Draws RGBA8 pixels (`len == w * h * 4`).
    pub fn draw_image(win: i32, x: i32, y: i32, w: i32, h: i32, ptr: *const u8, len: i32) -> i32;
    /// Presents the frame and waits for the display's next one.
    pub fn request_frame(win: i32) -> i32;
    /// Writes one 24-byte event to `event_ptr` and returns 1, or returns 0 if none
    /// came within `timeout_ms` (0 = do not wait, -1 = wait until one comes).
    pub fn poll_event(win: i32, event_ptr: *mut u8, timeout_ms: i32) -> i32;
}

// `kpio_system`: time, host facts, notifications, clipboard, logging.
#[link(wasm_import_module = "kpio_system")]
unsafe extern "C" {
    /// Milliseconds since the Unix epoch.
    pub fn get_time() -> i64;
    /// Nanoseconds since an arbitrary start.
    pub fn get_monotonic() -> i64;
    /// The host name's full length; copied only if it fits in `cap`.
    pub fn get_hostname(ptr: *mut u8, cap: i32) -> i32;
    /// Posts a notification (needs `notifications`); returns its id (> 0).
    pub fn notify(title_ptr: *const u8, title_len: i32, body_ptr: *const u8, body_len: i32) -> i32;
    /// The clipboard text's full length; copied only if it fits (needs `clipboard`).
    pub fn clipboard_read(ptr: *mut u8, cap: i32) -> i32;
    /// Replaces the clipboard text (needs `clipboard`).
    pub fn clipboard_write(ptr: *const u8, len: i32) -> i32;
    /// The BCP 47 locale tag's full length; copied only if it fits.
    pub fn get_locale(ptr: *mut u8, cap: i32) -> i32;
    /// Logs a line at `level` (0 error .. 4 trace).
    pub fn log(level: i32, ptr: *const u8, len: i32) -> i32;
}

// `kpio_net`: TCP and UDP sockets (needs a `network` permission other than none).
#[link(wasm_import_module = "kpio_net")]
unsafe extern "C" {
    /// A new socket: `kind` 1 = TCP, 2 = UDP; returns its handle.
    pub fn socket_create(kind: i32) -> i32;
    /// Binds to a local host and port.
    pub fn bind(sock: i32, host_ptr: *const u8, host_len: i32, port: i32) -> i32;
    /// Connects to a host name or IP literal and port.
    pub fn connect(sock: i32, host_ptr: *const u8, host_len: i32, port: i32) -> i32;
    /// Starts listening.
    pub fn listen(sock: i32, backlog: i32) -> i32;
    /// Accepts a connection; returns its new handle.
    pub fn accept(sock: i32, timeout_ms: i32) -> i32;
    /// Sends bytes; returns how many were sent.
    pub fn send(sock: i32, ptr: *const u8, len: i32) -> i32;
    /// Receives bytes; returns how many (0 = the peer closed).
    pub fn recv(sock: i32, ptr: *mut u8, cap: i32, timeout_ms: i32) -> i32;
    /// Closes a socket.
    pub fn close(sock: i32) -> i32;
}

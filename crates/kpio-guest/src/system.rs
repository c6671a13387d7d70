//! `kpio_system`: time, the host's name and locale, notifications, the clipboard and
//! logging.

use alloc::string::String;

use crate::{Error, buf, check, check64, sys};

fn len(s: &str) -> i32 {
    i32::try_from(s.len()).unwrap_or(i32::MAX)
}

/// Milliseconds since the Unix epoch (wall-clock time; may jump).
pub fn time_ms() -> i64 {
    // SAFETY: a call without arguments.
    unsafe { sys::get_time() }
}

/// Nanoseconds since an arbitrary start; never goes backwards (for measuring time).
pub fn monotonic_ns() -> u64 {
    // SAFETY: a call without arguments.
    check64(unsafe { sys::get_monotonic() }).unwrap_or(0)
}

/// The host's name.
pub fn hostname() -> Result<String, Error> {
    // SAFETY: the pointer and capacity describe the buffer `read_string` passes.
    buf::read_string(|b| unsafe { sys::get_hostname(b.as_mut_ptr(), b.len() as i32) })
}

/// The user's locale as a BCP 47 tag, e.g. `"en-US"`.
pub fn locale() -> Result<String, Error> {
    // SAFETY: the pointer and capacity describe the buffer `read_string` passes.
    buf::read_string(|b| unsafe { sys::get_locale(b.as_mut_ptr(), b.len() as i32) })
}

/// Posts a desktop notification (a toast, kept in the notification panel); returns
/// its id. Needs the `notifications` permission.
pub fn notify(title: &str, body: &str) -> Result<u32, Error> {
    // SAFETY: the pointers and lengths describe `title` and `body`, alive for the call.
    check(unsafe { sys::notify(title.as_ptr(), len(title), body.as_ptr(), len(body)) })
}

/// The clipboard's text. Needs the `clipboard` permission.
pub fn clipboard_read() -> Result<String, Error> {
    // SAFETY: the pointer and capacity describe the buffer `read_string` passes.
    buf::read_string(|b| unsafe { sys::clipboard_read(b.as_mut_ptr(), b.len() as i32) })
}

/// Replaces the clipboard's text. Needs the `clipboard` permission.
pub fn clipboard_write(text: &str) -> Result<(), Error> {
    // SAFETY: the pointer and length describe `text`, alive for the call.
    check(unsafe { sys::clipboard_write(text.as_ptr(), len(text)) }).map(drop)
}

/// Severity of a log line: `kpio-abi`'s `LogLevel` (0 error, 1 warn, 2 info, 3 debug,
/// 4 trace).
pub use kpio_abi::LogLevel as Level;

/// Writes a line to the host's log for this app (the host tags it with the app's id).
pub fn log(level: Level, message: &str) {
    // SAFETY: the pointer and length describe `message`, alive for the call. Logging
    // is best effort: a failure has nowhere better to be reported.
    unsafe { sys::log(level as i32, message.as_ptr(), len(message)) };
}

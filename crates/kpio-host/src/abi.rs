//! The numbers of the ABI: error codes ([`HostError`]), event kinds ([`EventKind`]), the
//! 24-byte event record ([`GuiEvent`]), key codes ([`key`]), log levels ([`LogLevel`]),
//! socket kinds ([`SocketKind`]) and the size limits the host enforces.
//!
//! Everything here is part of the guest-visible ABI (docs/host-api.md is its reference):
//! changing a value breaks every compiled app. All but the limits are defined once in
//! `kpio-abi`, shared with the compositor and the guest SDK, and re-exported here under
//! the host's names.

/// Why a host call failed; the guest sees [`HostError::code`] (a negative `i32`).
pub use kpio_abi::ErrorCode as HostError;
/// One input event for a window, as `poll_event` writes it (`to_bytes`, `from_bytes`).
pub use kpio_abi::EventRecord as GuiEvent;
pub use kpio_abi::{EVENT_SIZE, EventKind, LogLevel, SocketKind, key};

/// Largest window width or height (`create_window`).
pub const MAX_WINDOW_DIM: u32 = 4096;
/// Largest window title, in bytes (`create_window`, `set_title`); also notification titles.
pub const MAX_TITLE_BYTES: u32 = 256;
/// Largest text of one `draw_text` / `measure_text` call, in bytes.
pub const MAX_TEXT_BYTES: u32 = 64 * 1024;
/// Largest font size, in pixels (`draw_text`, `measure_text`; the smallest is 1).
pub const MAX_FONT_SIZE: u32 = 1024;
/// Largest image width or height (`draw_image`).
pub const MAX_IMAGE_DIM: u32 = 4096;
/// Largest notification body, in bytes.
pub const MAX_NOTIFY_BODY_BYTES: u32 = 4096;
/// Largest clipboard text, in bytes (`clipboard_write`; a read reports what is there).
pub const MAX_CLIPBOARD_BYTES: u32 = 1024 * 1024;
/// Largest log line, in bytes.
pub const MAX_LOG_BYTES: u32 = 64 * 1024;
/// Largest host name given to `bind` / `connect`, in bytes (DNS's limit).
pub const MAX_HOST_BYTES: u32 = 253;

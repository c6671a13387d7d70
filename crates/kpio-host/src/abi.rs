//! The numbers of the ABI: error codes ([`HostError`]), event kinds ([`EventKind`]), the
//! 24-byte event record ([`GuiEvent`]), key codes ([`key`]), log levels ([`LogLevel`]),
//! socket kinds ([`SocketKind`]) and the size limits the host enforces.
//!
//! Everything here is part of the guest-visible ABI (docs/host-api.md is its reference):
//! changing a value breaks every compiled app.

use core::fmt;

/// Why a host call failed; the guest sees [`HostError::code`] (a negative `i32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostError {
    /// -1: the app lacks the permission (the host logs the denial).
    Denied,
    /// -2: bad argument: unknown handle, bad size, not UTF-8, bad enum value.
    Invalid,
    /// -3: too many windows/sockets/notifications, image or text too large.
    Limit,
    /// -4: no display / no clipboard / feature not present on this host.
    Unavailable,
    /// -5: the window was closed or the connection was closed.
    Closed,
    /// -6: nothing happened within the timeout (also "would block" with timeout 0).
    TimedOut,
    /// -7: an I/O error not covered by another code.
    Io,
    /// -8: connection refused.
    Refused,
    /// -9: address in use.
    AddrInUse,
    /// -10: socket not connected / not listening.
    NotConnected,
    /// -11: host unknown or unreachable (name resolution failed).
    Unreachable,
}

impl HostError {
    /// Every error, in code order (-1, -2, …).
    pub const ALL: [HostError; 11] = [
        HostError::Denied,
        HostError::Invalid,
        HostError::Limit,
        HostError::Unavailable,
        HostError::Closed,
        HostError::TimedOut,
        HostError::Io,
        HostError::Refused,
        HostError::AddrInUse,
        HostError::NotConnected,
        HostError::Unreachable,
    ];

    /// The negative code a host call returns for this error.
    pub const fn code(self) -> i32 {
        match self {
            HostError::Denied => -1,
            HostError::Invalid => -2,
            HostError::Limit => -3,
            HostError::Unavailable => -4,
            HostError::Closed => -5,
            HostError::TimedOut => -6,
            HostError::Io => -7,
            HostError::Refused => -8,
            HostError::AddrInUse => -9,
            HostError::NotConnected => -10,
            HostError::Unreachable => -11,
        }
    }

    /// The error a negative code stands for (`None` for a success value or an unknown code).
    pub const fn from_code(code: i32) -> Option<HostError> {
        Some(match code {
            -1 => HostError::Denied,
            -2 => HostError::Invalid,
            -3 => HostError::Limit,
            -4 => HostError::Unavailable,
            -5 => HostError::Closed,
            -6 => HostError::TimedOut,
            -7 => HostError::Io,
            -8 => HostError::Refused,
            -9 => HostError::AddrInUse,
            -10 => HostError::NotConnected,
            -11 => HostError::Unreachable,
            _ => return None,
        })
    }

    /// The ABI name, e.g. `"DENIED"`.
    pub const fn name(self) -> &'static str {
        match self {
            HostError::Denied => "DENIED",
            HostError::Invalid => "INVALID",
            HostError::Limit => "LIMIT",
            HostError::Unavailable => "UNAVAILABLE",
            HostError::Closed => "CLOSED",
            HostError::TimedOut => "TIMED_OUT",
            HostError::Io => "IO",
            HostError::Refused => "REFUSED",
            HostError::AddrInUse => "ADDR_IN_USE",
            HostError::NotConnected => "NOT_CONNECTED",
            HostError::Unreachable => "UNREACHABLE",
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

impl core::error::Error for HostError {}

/// What a [`GuiEvent`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u32)]
pub enum EventKind {
    /// 0: no event (never returned by `poll_event`, which returns 0 instead).
    #[default]
    None = 0,
    /// 1: a key was pressed (`key_code` says which).
    KeyDown = 1,
    /// 2: a key was released.
    KeyUp = 2,
    /// 3: the pointer moved over the window's content.
    MouseMove = 3,
    /// 4: a mouse button was pressed (`key_code` is the button).
    MouseDown = 4,
    /// 5: a mouse button was released.
    MouseUp = 5,
    /// 6: the user asked to close the window.
    Close = 6,
    /// 7: the window's content size changed (`width`, `height`).
    Resize = 7,
}

impl EventKind {
    /// The kind with this number, if any.
    pub const fn from_u32(v: u32) -> Option<EventKind> {
        Some(match v {
            0 => EventKind::None,
            1 => EventKind::KeyDown,
            2 => EventKind::KeyUp,
            3 => EventKind::MouseMove,
            4 => EventKind::MouseDown,
            5 => EventKind::MouseUp,
            6 => EventKind::Close,
            7 => EventKind::Resize,
            _ => return None,
        })
    }
}

/// Size of the event record `poll_event` writes.
pub const EVENT_SIZE: usize = 24;

/// One input event for a window, as `poll_event` writes it: six little-endian 32-bit
/// fields at offsets 0, 4, 8, 12, 16, 20 (`kind`, `key_code`, `mouse_x`, `mouse_y`,
/// `width`, `height`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GuiEvent {
    pub kind: EventKind,
    /// For key events a [`key`] code; for mouse buttons 0 left, 1 right, 2 middle.
    pub key_code: u32,
    /// Pointer position in window-content coordinates.
    pub mouse_x: i32,
    pub mouse_y: i32,
    /// The window's content size when the event happened.
    pub width: u32,
    pub height: u32,
}

impl GuiEvent {
    /// The 24-byte record the guest receives.
    pub fn to_bytes(&self) -> [u8; EVENT_SIZE] {
        let mut out = [0u8; EVENT_SIZE];
        let fields = [
            self.kind as u32,
            self.key_code,
            self.mouse_x as u32,
            self.mouse_y as u32,
            self.width,
            self.height,
        ];
        for (chunk, v) in out.chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Reads a record back (`None` if its kind is unknown): the inverse of
    /// [`GuiEvent::to_bytes`], for tests and for guests written in Rust.
    pub fn from_bytes(bytes: &[u8; EVENT_SIZE]) -> Option<GuiEvent> {
        let mut f = [0u32; 6];
        for (v, chunk) in f.iter_mut().zip(bytes.chunks_exact(4)) {
            let mut b = [0u8; 4];
            b.copy_from_slice(chunk);
            *v = u32::from_le_bytes(b);
        }
        Some(GuiEvent {
            kind: EventKind::from_u32(f[0])?,
            key_code: f[1],
            mouse_x: f[2] as i32,
            mouse_y: f[3] as i32,
            width: f[4],
            height: f[5],
        })
    }
}

/// Key codes of `key_down` / `key_up` events. A key that types a character reports that
/// character's Unicode scalar value after Shift (`'1'`, `'+'`, `'a'`, `'A'`); the others
/// use these codes (the control characters where ASCII has one, else values above
/// U+10FFFF, so no code is ever both a character and a special key).
pub mod key {
    pub const BACKSPACE: u32 = 8;
    pub const TAB: u32 = 9;
    pub const ENTER: u32 = 13;
    pub const ESCAPE: u32 = 27;
    pub const DELETE: u32 = 127;
    pub const UP: u32 = 0x11_0001;
    pub const DOWN: u32 = 0x11_0002;
    pub const LEFT: u32 = 0x11_0003;
    pub const RIGHT: u32 = 0x11_0004;
    pub const PAGE_UP: u32 = 0x11_0005;
    pub const PAGE_DOWN: u32 = 0x11_0006;
    pub const HOME: u32 = 0x11_0007;
    pub const END: u32 = 0x11_0008;
    /// F1 is `F1`, F12 is `F1 + 11` (see [`function`]).
    pub const F1: u32 = 0x11_0011;
    pub const SHIFT: u32 = 0x11_0020;
    pub const CONTROL: u32 = 0x11_0021;
    pub const ALT: u32 = 0x11_0022;

    /// The code of function key F`n` (`n` in 1..=12), else `None`.
    pub const fn function(n: u32) -> Option<u32> {
        if n >= 1 && n <= 12 {
            Some(0x11_0010 + n)
        } else {
            None
        }
    }

    /// Mouse buttons, in `key_code` of `mouse_down` / `mouse_up`.
    pub const MOUSE_LEFT: u32 = 0;
    pub const MOUSE_RIGHT: u32 = 1;
    pub const MOUSE_MIDDLE: u32 = 2;
}

/// Level of a `kpio_system::log` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogLevel {
    Error = 0,
    Warn = 1,
    Info = 2,
    Debug = 3,
    Trace = 4,
}

impl LogLevel {
    /// The level with this number (0..=4), if any.
    pub const fn from_i32(v: i32) -> Option<LogLevel> {
        Some(match v {
            0 => LogLevel::Error,
            1 => LogLevel::Warn,
            2 => LogLevel::Info,
            3 => LogLevel::Debug,
            4 => LogLevel::Trace,
            _ => return None,
        })
    }

    pub const fn name(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Kind argument of `kpio_net::socket_create`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketKind {
    /// 1: a TCP socket (stream).
    Tcp = 1,
    /// 2: a UDP socket (datagrams).
    Udp = 2,
}

impl SocketKind {
    pub const fn from_i32(v: i32) -> Option<SocketKind> {
        match v {
            1 => Some(SocketKind::Tcp),
            2 => Some(SocketKind::Udp),
            _ => None,
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_dense() {
        for (i, e) in HostError::ALL.iter().enumerate() {
            assert_eq!(e.code(), -(i as i32) - 1);
            assert_eq!(HostError::from_code(e.code()), Some(*e));
        }
        assert_eq!(HostError::from_code(0), None);
        assert_eq!(HostError::from_code(-12), None);
    }

    #[test]
    fn event_layout_is_six_le_words() {
        let e = GuiEvent {
            kind: EventKind::MouseDown,
            key_code: key::MOUSE_RIGHT,
            mouse_x: -3,
            mouse_y: 70000,
            width: 300,
            height: 400,
        };
        let b = e.to_bytes();
        assert_eq!(&b[0..4], &[4, 0, 0, 0]);
        assert_eq!(&b[4..8], &[1, 0, 0, 0]);
        assert_eq!(&b[8..12], &[0xfd, 0xff, 0xff, 0xff]);
        assert_eq!(&b[12..16], &70000u32.to_le_bytes());
        assert_eq!(&b[16..20], &300u32.to_le_bytes());
        assert_eq!(&b[20..24], &400u32.to_le_bytes());
        assert_eq!(GuiEvent::from_bytes(&b), Some(e));
        let mut bad = b;
        bad[0] = 8;
        assert_eq!(GuiEvent::from_bytes(&bad), None);
    }

    #[test]
    fn key_codes_match_the_contract() {
        assert_eq!(key::function(1), Some(0x11_0011));
        assert_eq!(key::function(12), Some(0x11_001c));
        assert_eq!(key::function(0), None);
        assert_eq!(key::function(13), None);
        assert_eq!(key::F1, 0x11_0011);
        assert!(key::UP > char::MAX as u32);
    }
}

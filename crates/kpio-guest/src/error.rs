//! The ABI's error codes as a Rust error type.
//!
//! Every host call returns `>= 0` on success (a value, a handle or a length) and a
//! negative code on failure; [`check`] and [`check64`] turn such a result into a
//! `Result`.

use core::fmt;

/// Why a host call failed: one variant per negative ABI result code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// `-1`: the app lacks the permission (the host logs the denial).
    Denied,
    /// `-2`: bad argument: unknown handle, bad size, not UTF-8, bad enum value.
    Invalid,
    /// `-3`: too many windows/sockets/notifications, image or text too large.
    Limit,
    /// `-4`: no display, no clipboard, or the feature is not present on this host.
    Unavailable,
    /// `-5`: the window or the connection was closed.
    Closed,
    /// `-6`: nothing happened within the timeout (also "would block" with timeout 0).
    TimedOut,
    /// `-7`: an I/O error not covered by another code.
    Io,
    /// `-8`: connection refused.
    Refused,
    /// `-9`: address in use.
    AddrInUse,
    /// `-10`: the socket is not connected or not listening.
    NotConnected,
    /// `-11`: the host is unknown or unreachable (name resolution failed).
    Unreachable,
    /// A negative code this SDK does not know (a newer host); carries the code.
    Unknown(i32),
}

impl Error {
    /// The error for a negative ABI result code (`code` must be negative; a
    /// non-negative value is not an error and maps to [`Error::Unknown`]).
    pub const fn from_code(code: i32) -> Error {
        match code {
            -1 => Error::Denied,
            -2 => Error::Invalid,
            -3 => Error::Limit,
            -4 => Error::Unavailable,
            -5 => Error::Closed,
            -6 => Error::TimedOut,
            -7 => Error::Io,
            -8 => Error::Refused,
            -9 => Error::AddrInUse,
            -10 => Error::NotConnected,
            -11 => Error::Unreachable,
            other => Error::Unknown(other),
        }
    }

    /// The ABI result code of this error.
    pub const fn code(self) -> i32 {
        match self {
            Error::Denied => -1,
            Error::Invalid => -2,
            Error::Limit => -3,
            Error::Unavailable => -4,
            Error::Closed => -5,
            Error::TimedOut => -6,
            Error::Io => -7,
            Error::Refused => -8,
            Error::AddrInUse => -9,
            Error::NotConnected => -10,
            Error::Unreachable => -11,
            Error::Unknown(c) => c,
        }
    }

    /// The code's name as the ABI documentation spells it (`"DENIED"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Error::Denied => "DENIED",
            Error::Invalid => "INVALID",
            Error::Limit => "LIMIT",
            Error::Unavailable => "UNAVAILABLE",
            Error::Closed => "CLOSED",
            Error::TimedOut => "TIMED_OUT",
            Error::Io => "IO",
            Error::Refused => "REFUSED",
            Error::AddrInUse => "ADDR_IN_USE",
            Error::NotConnected => "NOT_CONNECTED",
            Error::Unreachable => "UNREACHABLE",
            Error::Unknown(_) => "UNKNOWN",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Error::Denied => "permission denied",
            Error::Invalid => "invalid argument",
            Error::Limit => "limit reached",
            Error::Unavailable => "not available on this host",
            Error::Closed => "closed",
            Error::TimedOut => "timed out",
            Error::Io => "I/O error",
            Error::Refused => "connection refused",
            Error::AddrInUse => "address in use",
            Error::NotConnected => "not connected",
            Error::Unreachable => "host unknown or unreachable",
            Error::Unknown(c) => return write!(f, "unknown host error code {c}"),
        };
        write!(f, "{what} ({})", self.code())
    }
}

impl core::error::Error for Error {}

/// A 32-bit host call result: `Ok(value)` when `ret >= 0`, else the error.
pub const fn check(ret: i32) -> Result<u32, Error> {
    if ret >= 0 {
        Ok(ret as u32)
    } else {
        Err(Error::from_code(ret))
    }
}

/// A 64-bit host call result: `Ok(value)` when `ret >= 0`, else the error.
pub const fn check64(ret: i64) -> Result<u64, Error> {
    if ret >= 0 {
        Ok(ret as u64)
    } else if ret >= i32::MIN as i64 {
        Err(Error::from_code(ret as i32))
    } else {
        Err(Error::Unknown(i32::MIN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Error; 11] = [
        Error::Denied,
        Error::Invalid,
        Error::Limit,
        Error::Unavailable,
        Error::Closed,
        Error::TimedOut,
        Error::Io,
        Error::Refused,
        Error::AddrInUse,
        Error::NotConnected,
        Error::Unreachable,
    ];

    #[test]
    fn every_code_round_trips() {
        for (i, e) in ALL.iter().enumerate() {
            let code = -(i as i32) - 1;
            assert_eq!(e.code(), code);
            assert_eq!(Error::from_code(code), *e);
            assert_eq!(check(code), Err(*e));
        }
        assert_eq!(Error::from_code(-12), Error::Unknown(-12));
        assert_eq!(Error::Unknown(-99).code(), -99);
    }

    #[test]
    fn successes_pass_through() {
        assert_eq!(check(0), Ok(0));
        assert_eq!(check(i32::MAX), Ok(i32::MAX as u32));
        assert_eq!(check64(1_700_000_000_000), Ok(1_700_000_000_000));
        assert_eq!(check64(-6), Err(Error::TimedOut));
        assert_eq!(check64(i64::MIN), Err(Error::Unknown(i32::MIN)));
    }

    #[test]
    fn display_names_the_code() {
        extern crate alloc;
        use alloc::string::ToString;
        assert_eq!(Error::Denied.to_string(), "permission denied (-1)");
        assert_eq!(
            Error::Unknown(-40).to_string(),
            "unknown host error code -40"
        );
        assert_eq!(Error::TimedOut.name(), "TIMED_OUT");
    }
}

//! The ABI's error codes as a Rust error type.
//!
//! Every host call returns `>= 0` on success (a value, a handle or a length) and a
//! negative code on failure; [`check`] and [`check64`] turn such a result into a
//! `Result`. The codes themselves are `kpio-abi`'s [`ErrorCode`] (shared with the
//! host); [`Error`] adds [`Error::Unknown`] for codes a newer host may return.

use core::fmt;

use kpio_abi::ErrorCode;

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
        match ErrorCode::from_code(code) {
            Some(known) => Error::from_abi(known),
            None => Error::Unknown(code),
        }
    }

    /// The error for one of the ABI's codes.
    pub const fn from_abi(code: ErrorCode) -> Error {
        match code {
            ErrorCode::Denied => Error::Denied,
            ErrorCode::Invalid => Error::Invalid,
            ErrorCode::Limit => Error::Limit,
            ErrorCode::Unavailable => Error::Unavailable,
            ErrorCode::Closed => Error::Closed,
            ErrorCode::TimedOut => Error::TimedOut,
            ErrorCode::Io => Error::Io,
            ErrorCode::Refused => Error::Refused,
            ErrorCode::AddrInUse => Error::AddrInUse,
            ErrorCode::NotConnected => Error::NotConnected,
            ErrorCode::Unreachable => Error::Unreachable,
        }
    }

    /// The ABI's code for this error, or the unknown code [`Error::Unknown`] carries.
    const fn known(self) -> Result<ErrorCode, i32> {
        Ok(match self {
            Error::Denied => ErrorCode::Denied,
            Error::Invalid => ErrorCode::Invalid,
            Error::Limit => ErrorCode::Limit,
            Error::Unavailable => ErrorCode::Unavailable,
            Error::Closed => ErrorCode::Closed,
            Error::TimedOut => ErrorCode::TimedOut,
            Error::Io => ErrorCode::Io,
            Error::Refused => ErrorCode::Refused,
            Error::AddrInUse => ErrorCode::AddrInUse,
            Error::NotConnected => ErrorCode::NotConnected,
            Error::Unreachable => ErrorCode::Unreachable,
            Error::Unknown(c) => return Err(c),
        })
    }

    /// The ABI result code of this error.
    pub const fn code(self) -> i32 {
        match self.known() {
            Ok(known) => known.code(),
            Err(c) => c,
        }
    }

    /// The code's name as the ABI documentation spells it (`"DENIED"`, ...;
    /// `"UNKNOWN"` for [`Error::Unknown`]).
    pub const fn name(self) -> &'static str {
        match self.known() {
            Ok(known) => known.name(),
            Err(_) => "UNKNOWN",
        }
    }
}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Error {
        Error::from_abi(code)
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

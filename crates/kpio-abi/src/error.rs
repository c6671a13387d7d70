//! The error codes: every host call returns `>= 0` on success and one of these negative
//! codes on failure.

use core::fmt;

/// Why a host call failed: one variant per negative result code of the ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
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

impl ErrorCode {
    /// Every error, in code order (-1, -2, …).
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Denied,
        ErrorCode::Invalid,
        ErrorCode::Limit,
        ErrorCode::Unavailable,
        ErrorCode::Closed,
        ErrorCode::TimedOut,
        ErrorCode::Io,
        ErrorCode::Refused,
        ErrorCode::AddrInUse,
        ErrorCode::NotConnected,
        ErrorCode::Unreachable,
    ];

    /// The negative code a host call returns for this error.
    pub const fn code(self) -> i32 {
        match self {
            ErrorCode::Denied => -1,
            ErrorCode::Invalid => -2,
            ErrorCode::Limit => -3,
            ErrorCode::Unavailable => -4,
            ErrorCode::Closed => -5,
            ErrorCode::TimedOut => -6,
            ErrorCode::Io => -7,
            ErrorCode::Refused => -8,
            ErrorCode::AddrInUse => -9,
            ErrorCode::NotConnected => -10,
            ErrorCode::Unreachable => -11,
        }
    }

    /// The error a negative code stands for (`None` for a success value or an unknown code).
    pub const fn from_code(code: i32) -> Option<ErrorCode> {
        Some(match code {
            -1 => ErrorCode::Denied,
            -2 => ErrorCode::Invalid,
            -3 => ErrorCode::Limit,
            -4 => ErrorCode::Unavailable,
            -5 => ErrorCode::Closed,
            -6 => ErrorCode::TimedOut,
            -7 => ErrorCode::Io,
            -8 => ErrorCode::Refused,
            -9 => ErrorCode::AddrInUse,
            -10 => ErrorCode::NotConnected,
            -11 => ErrorCode::Unreachable,
            _ => return None,
        })
    }

    /// The ABI name, e.g. `"DENIED"` (the C header's `KPIO_E` + name).
    pub const fn name(self) -> &'static str {
        match self {
            ErrorCode::Denied => "DENIED",
            ErrorCode::Invalid => "INVALID",
            ErrorCode::Limit => "LIMIT",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Closed => "CLOSED",
            ErrorCode::TimedOut => "TIMED_OUT",
            ErrorCode::Io => "IO",
            ErrorCode::Refused => "REFUSED",
            ErrorCode::AddrInUse => "ADDR_IN_USE",
            ErrorCode::NotConnected => "NOT_CONNECTED",
            ErrorCode::Unreachable => "UNREACHABLE",
        }
    }
}

/// `NAME (code)`, e.g. `DENIED (-1)`.
impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

impl core::error::Error for ErrorCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_dense() {
        for (i, e) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(e.code(), -(i as i32) - 1);
            assert_eq!(ErrorCode::from_code(e.code()), Some(*e));
        }
        assert_eq!(ErrorCode::from_code(0), None);
        assert_eq!(ErrorCode::from_code(-12), None);
    }

    #[test]
    fn names_are_the_documented_ones() {
        let names = ErrorCode::ALL.map(ErrorCode::name);
        assert_eq!(
            names,
            [
                "DENIED",
                "INVALID",
                "LIMIT",
                "UNAVAILABLE",
                "CLOSED",
                "TIMED_OUT",
                "IO",
                "REFUSED",
                "ADDR_IN_USE",
                "NOT_CONNECTED",
                "UNREACHABLE"
            ]
        );
    }

    #[test]
    fn display_is_name_and_code() {
        extern crate std;
        use std::string::ToString;
        assert_eq!(ErrorCode::Denied.to_string(), "DENIED (-1)");
        assert_eq!(ErrorCode::Unreachable.to_string(), "UNREACHABLE (-11)");
    }
}

//! Log levels: the `level` argument of `kpio_system::log`.

use core::fmt;

/// Severity of a `kpio_system::log` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogLevel {
    /// 0: something failed.
    Error = 0,
    /// 1: something looks wrong.
    Warn = 1,
    /// 2: normal progress.
    Info = 2,
    /// 3: details for debugging.
    Debug = 3,
    /// 4: very fine details.
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

    /// The level's name in lower case (`"error"` … `"trace"`).
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

/// The level's [`name`](LogLevel::name).
impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_numbered_as_documented() {
        for v in 0..=4 {
            assert_eq!(LogLevel::from_i32(v).map(|l| l as i32), Some(v));
        }
        assert_eq!(LogLevel::from_i32(-1), None);
        assert_eq!(LogLevel::from_i32(5), None);
        assert_eq!(LogLevel::Warn.name(), "warn");
        assert!(LogLevel::Error < LogLevel::Trace);
    }
}

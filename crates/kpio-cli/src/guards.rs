//! The command line's side of the runaway guards: `--fuel N`, `--timeout DURATION` and
//! `--max-memory SIZE`, as wasmtime offers them (`-W fuel=`, `-W timeout=`,
//! `-W max-memory-size=`): the parsers for their values, the exit status of a timeout,
//! and what a `kpio` process does with a guest that its timeout cannot reach.
//!
//! The guards themselves (`RunLimits`, [`RunControl`]) live in `kpio_pkg::guards`, so
//! `kpio run FILE.wasm` and app launches apply them the same way.

use std::fmt;
use std::time::Duration;

use kpio_pkg::RunControl;

/// Exit status of a guest stopped by `--timeout`: 124, as `timeout(1)` uses, so scripts
/// can tell a timeout from the guest's own codes and from a trap (134).
pub const TIMEOUT_EXIT_STATUS: i32 = 124;

/// A guard value that doesn't parse, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardParseError {
    pub input: String,
    pub expected: &'static str,
}

impl fmt::Display for GuardParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not {}", self.input, self.expected)
    }
}

impl std::error::Error for GuardParseError {}

/// Splits `12.5ms` into (`12.5`, `ms`).
fn split_number(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    (&s[..end], s[end..].trim())
}

/// Parses a duration: a number with a unit `ns`, `us`, `ms`, `s`, `m` or `h`
/// (`500ms`, `2s`, `1.5m`). A bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, GuardParseError> {
    let err = || GuardParseError {
        input: s.to_string(),
        expected: "a duration such as 500ms, 2s, 1.5m or 1h",
    };
    let (num, unit) = split_number(s.trim());
    let value: f64 = num.parse().map_err(|_| err())?;
    let seconds_per_unit = match unit {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "" | "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(err()),
    };
    Duration::try_from_secs_f64(value * seconds_per_unit).map_err(|_| err())
}

/// Parses a size in bytes: a number with an optional unit `K`, `M`, `G` (powers of 1024,
/// also written `KiB`, `MiB`, `GiB`) or `B` (`64MiB`, `1G`, `65536`).
pub fn parse_size(s: &str) -> Result<u64, GuardParseError> {
    let err = || GuardParseError {
        input: s.to_string(),
        expected: "a size such as 65536, 64K, 16MiB or 1G",
    };
    let (num, unit) = split_number(s.trim());
    let value: f64 = num.parse().map_err(|_| err())?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(err()),
    };
    let bytes = value * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(err());
    }
    Ok(bytes as u64)
}

/// Shows a duration the way a user typed it, roughly: `2s`, `500ms`, `1.5s`.
pub fn show_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) && d.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

/// A [`RunControl`] for one `kpio run` process: a run that is still blocked in a host call
/// [`kpio_pkg::STUCK_GRACE`] after its timeout fired ends the process with
/// [`TIMEOUT_EXIT_STATUS`], since nothing else would stop it.
pub fn process_run_control() -> RunControl {
    let control = RunControl::new();
    control.on_stuck(|after| {
        eprintln!(
            "error: timed out after {} (the --timeout limit); the guest was blocked in a \
             host call and did not stop",
            show_duration(after)
        );
        std::process::exit(TIMEOUT_EXIT_STATUS);
    });
    control
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5m"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("10us"), Ok(Duration::from_micros(10)));
        for bad in ["", "s", "2 parsecs", "-1s", "1e999s", "1..2s"] {
            let e = parse_duration(bad).unwrap_err();
            assert_eq!(e.input, bad);
            assert!(e.to_string().contains("a duration"), "{e}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1.5k"), Ok(1536));
        for bad in ["", "MiB", "12 parsecs", "-5", "1e30G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shown_durations() {
        assert_eq!(show_duration(Duration::from_secs(2)), "2s");
        assert_eq!(show_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(show_duration(Duration::from_millis(1500)), "1.5s");
    }
}

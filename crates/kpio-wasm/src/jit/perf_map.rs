//! `perf` symbols for native code (the `std` feature): with `KPIO_PERF_MAP=1` in the
//! environment, every published function is appended to `/tmp/perf-{pid}.map` as
//! `START SIZE NAME` (hex), the file `perf report` reads to name JIT code. Off by default:
//! it writes a line per compiled function.

extern crate std;

use std::io::Write;
use std::sync::{Mutex, OnceLock};

/// The open map file, if `KPIO_PERF_MAP` asks for one.
fn file() -> Option<&'static Mutex<std::fs::File>> {
    static FILE: OnceLock<Option<Mutex<std::fs::File>>> = OnceLock::new();
    FILE.get_or_init(|| {
        let on = std::env::var_os("KPIO_PERF_MAP").is_some_and(|v| v != "0" && !v.is_empty());
        if !on {
            return None;
        }
        let path = std::format!("/tmp/perf-{}.map", std::process::id());
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
            .map(Mutex::new)
    })
    .as_ref()
}

/// Records `len` bytes of code at `addr` as `name` (made only when the map is on).
pub(crate) fn record(addr: *const u8, len: usize, name: impl FnOnce() -> alloc::string::String) {
    if let Some(f) = file() {
        let line = std::format!("{:x} {:x} {}\n", addr as usize, len, name());
        let mut f = f.lock().unwrap_or_else(|e| e.into_inner());
        let _ = f.write_all(line.as_bytes());
    }
}

//! The services the app manager is given instead of reaching for globals: wall time (for
//! `installed_at`, `last_launched` and restart times), waiting (restart backoff), and the
//! clock and randomness each launched app's WASI context gets; plus how app stdio is
//! connected ([`Stdio`]).
//!
//! [`ManualPlatform`] is deterministic (time moves only when told or when it "sleeps"), for
//! tests; [`HostPlatform`] (feature `host`) is the real thing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use kpio_wasi::{
    ClockId, Errno, InputStream, MemoryInput, MemoryOutput, OutputStream, RandomSource, WasiClock,
};

/// Platform services of an [`AppManager`](crate::AppManager).
pub trait Platform: Send + Sync {
    /// Wall-clock time, nanoseconds since the Unix epoch.
    fn now_ns(&self) -> u64;
    /// Waits `ms` milliseconds (before restarting a failed app).
    fn sleep_ms(&self, ms: u64);
    /// The clock a launched app's WASI context uses.
    fn wasi_clock(&self) -> Box<dyn WasiClock>;
    /// The random source a launched app's WASI context uses.
    fn random(&self) -> Box<dyn RandomSource>;
}

/// A deterministic platform: time starts where told and moves only by
/// [`ManualPlatform::advance_ms`] or by sleeping, which returns at once and records how
/// long was asked ([`ManualPlatform::sleeps`]). Randomness is a fixed xorshift sequence.
#[derive(Debug, Clone)]
pub struct ManualPlatform {
    now_ns: Arc<AtomicU64>,
    sleeps: Arc<Mutex<Vec<u64>>>,
}

impl ManualPlatform {
    pub fn new(start_ns: u64) -> ManualPlatform {
        ManualPlatform {
            now_ns: Arc::new(AtomicU64::new(start_ns)),
            sleeps: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Moves time forward.
    pub fn advance_ms(&self, ms: u64) {
        self.now_ns
            .fetch_add(ms.saturating_mul(1_000_000), Ordering::Relaxed);
    }

    /// Every sleep asked for so far, in milliseconds, in order.
    pub fn sleeps(&self) -> Vec<u64> {
        self.sleeps.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Platform for ManualPlatform {
    fn now_ns(&self) -> u64 {
        self.now_ns.load(Ordering::Relaxed)
    }
    fn sleep_ms(&self, ms: u64) {
        if let Ok(mut s) = self.sleeps.lock() {
            s.push(ms);
        }
        self.advance_ms(ms);
    }
    fn wasi_clock(&self) -> Box<dyn WasiClock> {
        Box::new(ManualClock(Arc::clone(&self.now_ns)))
    }
    fn random(&self) -> Box<dyn RandomSource> {
        Box::new(XorShift(0x9e37_79b9_7f4a_7c15))
    }
}

struct ManualClock(Arc<AtomicU64>);

impl WasiClock for ManualClock {
    fn now(&self, _: ClockId) -> Result<u64, Errno> {
        Ok(self.0.load(Ordering::Relaxed))
    }
    fn resolution(&self, _: ClockId) -> Result<u64, Errno> {
        Ok(1)
    }
    fn sleep(&self, ns: u64) {
        self.0.fetch_add(ns, Ordering::Relaxed);
    }
}

struct XorShift(u64);

impl RandomSource for XorShift {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        for b in buf {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = self.0 as u8;
        }
        Ok(())
    }
}

/// The real clock, sleeps and CSPRNG of a hosted build.
#[cfg(feature = "host")]
#[derive(Debug, Clone, Copy, Default)]
pub struct HostPlatform;

#[cfg(feature = "host")]
impl Platform for HostPlatform {
    fn now_ns(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }
    fn sleep_ms(&self, ms: u64) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    fn wasi_clock(&self) -> Box<dyn WasiClock> {
        Box::new(kpio_wasi::host::HostClock::new())
    }
    fn random(&self) -> Box<dyn RandomSource> {
        Box::new(kpio_wasi::host::OsRandom)
    }
}

type InFactory = Box<dyn Fn() -> Box<dyn InputStream> + Send + Sync>;
type OutFactory = Box<dyn Fn() -> Box<dyn OutputStream> + Send + Sync>;

/// Where a launched app's stdin, stdout and stderr go. Each is a factory, because a
/// failed app restarted by the lifecycle gets fresh streams for every run.
pub struct Stdio {
    stdin: InFactory,
    stdout: OutFactory,
    stderr: OutFactory,
}

struct Null;

impl OutputStream for Null {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        Ok(buf.len())
    }
}

impl Default for Stdio {
    fn default() -> Self {
        Stdio::null()
    }
}

impl std::fmt::Debug for Stdio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stdio").finish_non_exhaustive()
    }
}

impl Stdio {
    /// Empty stdin; stdout and stderr discarded.
    pub fn null() -> Stdio {
        Stdio {
            stdin: Box::new(|| Box::new(MemoryInput::default())),
            stdout: Box::new(|| Box::new(Null)),
            stderr: Box::new(|| Box::new(Null)),
        }
    }

    /// Empty stdin; stdout and stderr appended to `out` and `err` (every run of a
    /// restarted app appends to the same buffers).
    pub fn capture(out: &MemoryOutput, err: &MemoryOutput) -> Stdio {
        let (out, err) = (out.clone(), err.clone());
        Stdio::null()
            .with_stdout(move || Box::new(out.clone()))
            .with_stderr(move || Box::new(err.clone()))
    }

    /// The process's own stdin, stdout and stderr.
    #[cfg(feature = "host")]
    pub fn inherit() -> Stdio {
        Stdio {
            stdin: Box::new(|| Box::new(kpio_wasi::host::Stdin)),
            stdout: Box::new(|| Box::new(kpio_wasi::host::Stdout)),
            stderr: Box::new(|| Box::new(kpio_wasi::host::Stderr)),
        }
    }

    #[must_use]
    pub fn with_stdin(
        mut self,
        f: impl Fn() -> Box<dyn InputStream> + Send + Sync + 'static,
    ) -> Stdio {
        self.stdin = Box::new(f);
        self
    }

    #[must_use]
    pub fn with_stdout(
        mut self,
        f: impl Fn() -> Box<dyn OutputStream> + Send + Sync + 'static,
    ) -> Stdio {
        self.stdout = Box::new(f);
        self
    }

    #[must_use]
    pub fn with_stderr(
        mut self,
        f: impl Fn() -> Box<dyn OutputStream> + Send + Sync + 'static,
    ) -> Stdio {
        self.stderr = Box::new(f);
        self
    }

    pub(crate) fn streams(
        &self,
    ) -> (
        Box<dyn InputStream>,
        Box<dyn OutputStream>,
        Box<dyn OutputStream>,
    ) {
        ((self.stdin)(), (self.stdout)(), (self.stderr)())
    }
}

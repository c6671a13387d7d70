//! The platform services a [`WasiCtx`](crate::WasiCtx) is given: stdio streams, a clock and
//! a random source. Traits, so the hosted binary and the kernel each plug in their own; plus
//! in-memory stdio for tests and embedders that capture output.

use crate::errno::Errno;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// Where a guest's stdin comes from.
pub trait InputStream: Send {
    /// Reads up to `buf.len()` bytes; `Ok(0)` is end of input. May block.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno>;
    /// Whether this is an interactive terminal. `fd_fdstat_get` then reports
    /// `character_device` (otherwise `unknown`, as wasmtime does for pipes and files), which
    /// is how wasi-libc's `isatty` decides.
    fn is_terminal(&self) -> bool {
        false
    }
}

/// Where a guest's stdout or stderr goes.
pub trait OutputStream: Send {
    /// Writes some of `buf` and returns how much; the caller retries the rest.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno>;
    /// Pushes buffered bytes out. Called at the end of every `fd_write`.
    fn flush(&mut self) -> Result<(), Errno> {
        Ok(())
    }
    /// See [`InputStream::is_terminal`].
    fn is_terminal(&self) -> bool {
        false
    }
}

/// The clocks of `clock_time_get` / `clock_res_get`, and the sleep behind `poll_oneoff`.
pub trait WasiClock: Send {
    /// Nanoseconds: since the Unix epoch for `Realtime`; since an arbitrary fixed point for
    /// the others.
    fn now(&self, id: ClockId) -> Result<u64, Errno>;
    /// The clock's resolution in nanoseconds.
    fn resolution(&self, id: ClockId) -> Result<u64, Errno>;
    /// Blocks the calling thread for (at least) `ns` nanoseconds of `Monotonic` time.
    fn sleep(&self, ns: u64);
}

/// The source of `random_get`. Hosted: the OS CSPRNG.
pub trait RandomSource: Send {
    /// Fills `buf` completely with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno>;
}

/// WASI `clockid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockId {
    /// Wall-clock time since the Unix epoch.
    Realtime,
    /// A clock that never goes back (its zero is arbitrary).
    Monotonic,
    /// CPU time consumed by the process.
    ProcessCpuTime,
    /// CPU time consumed by the calling thread.
    ThreadCpuTime,
}

impl ClockId {
    /// The clock with this WASI number (0 to 3).
    pub fn from_raw(raw: u32) -> Option<ClockId> {
        match raw {
            0 => Some(ClockId::Realtime),
            1 => Some(ClockId::Monotonic),
            2 => Some(ClockId::ProcessCpuTime),
            3 => Some(ClockId::ThreadCpuTime),
            _ => None,
        }
    }
}

/// Captured output: a cloneable in-memory pipe. Give one clone to the builder as stdout or
/// stderr and keep another to read what the guest wrote.
///
/// ```
/// use kpio_wasi::{MemoryOutput, OutputStream};
/// let out = MemoryOutput::new();
/// let mut writer = out.clone();
/// writer.write(b"hi").unwrap();
/// assert_eq!(out.contents(), b"hi");
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryOutput {
    buf: Arc<spin::Mutex<Vec<u8>>>,
    limit: Option<usize>,
}

impl MemoryOutput {
    /// An empty, unbounded pipe.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty pipe that holds at most `max_bytes`; writes beyond fail with `nospc`, so an
    /// untrusted guest cannot make the host buffer without bound.
    pub fn with_limit(max_bytes: usize) -> Self {
        MemoryOutput {
            buf: Arc::default(),
            limit: Some(max_bytes),
        }
    }

    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.buf.lock().clone()
    }

    /// Takes everything written so far, leaving the pipe empty.
    pub fn take(&self) -> Vec<u8> {
        core::mem::take(&mut *self.buf.lock())
    }
}

impl OutputStream for MemoryOutput {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        let mut v = self.buf.lock();
        let n = match self.limit {
            Some(max) => {
                let room = max.saturating_sub(v.len());
                if room == 0 && !buf.is_empty() {
                    return Err(Errno::Nospc);
                }
                buf.len().min(room)
            }
            None => buf.len(),
        };
        v.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Input from bytes: reads return them in order, then end of input.
#[derive(Debug, Clone, Default)]
pub struct MemoryInput {
    data: Vec<u8>,
    pos: usize,
}

impl MemoryInput {
    pub fn new(data: impl Into<Vec<u8>>) -> Self {
        MemoryInput {
            data: data.into(),
            pos: 0,
        }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }
}

impl InputStream for MemoryInput {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

/// The default stdout/stderr: accepts and drops everything (wasmtime's default "sink").
pub(crate) struct Discard;

impl OutputStream for Discard {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        Ok(buf.len())
    }
}

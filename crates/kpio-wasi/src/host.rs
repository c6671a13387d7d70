//! Hosted implementations of the injected services (feature `host`): the process's own
//! stdio, the OS clocks, and the OS CSPRNG.

extern crate std;

use crate::errno::Errno;
use crate::services::{ClockId, InputStream, OutputStream, RandomSource, WasiClock};
use std::io::{IsTerminal, Read, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// An I/O error as the guest sees it.
fn errno_of(e: &std::io::Error) -> Errno {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::Interrupted => Errno::Intr,
        K::WouldBlock => Errno::Again,
        K::BrokenPipe => Errno::Pipe,
        K::PermissionDenied => Errno::Perm,
        K::NotFound => Errno::Noent,
        K::InvalidInput => Errno::Inval,
        K::StorageFull => Errno::Nospc,
        _ => Errno::Io,
    }
}

/// The process's stdin. Reads block until input arrives. `poll_oneoff` reports it ready at
/// once (as wasmtime does); a following `fd_read` then blocks until there is input.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdin;

impl InputStream for Stdin {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        loop {
            match std::io::stdin().lock().read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return r.map_err(|e| errno_of(&e)),
            }
        }
    }
    fn is_terminal(&self) -> bool {
        std::io::stdin().is_terminal()
    }
}

/// The process's stdout (flushed at the end of every `fd_write`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdout;

impl OutputStream for Stdout {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        std::io::stdout()
            .lock()
            .write(buf)
            .map_err(|e| errno_of(&e))
    }
    fn flush(&mut self) -> Result<(), Errno> {
        std::io::stdout().lock().flush().map_err(|e| errno_of(&e))
    }
    fn is_terminal(&self) -> bool {
        std::io::stdout().is_terminal()
    }
}

/// The process's stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

impl OutputStream for Stderr {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        std::io::stderr()
            .lock()
            .write(buf)
            .map_err(|e| errno_of(&e))
    }
    fn flush(&mut self) -> Result<(), Errno> {
        std::io::stderr().lock().flush().map_err(|e| errno_of(&e))
    }
    fn is_terminal(&self) -> bool {
        std::io::stderr().is_terminal()
    }
}

/// The OS clocks. Realtime is `SystemTime`; monotonic counts from this clock's creation
/// (so a guest learns nothing about host uptime); process and thread CPU time come from
/// `clock_gettime(CLOCK_PROCESS_CPUTIME_ID / CLOCK_THREAD_CPUTIME_ID)` (the guest runs on
/// the calling thread). Sleeping is `std::thread::sleep`.
#[derive(Debug, Clone, Copy)]
pub struct HostClock {
    start: Instant,
}

impl HostClock {
    pub fn new() -> Self {
        HostClock {
            start: Instant::now(),
        }
    }
}

impl Default for HostClock {
    fn default() -> Self {
        Self::new()
    }
}

fn nanos(d: Duration) -> Result<u64, Errno> {
    u64::try_from(d.as_nanos()).map_err(|_| Errno::Overflow)
}

fn timespec_nanos(t: rustix::time::Timespec) -> Result<u64, Errno> {
    let s = u64::try_from(t.tv_sec).map_err(|_| Errno::Overflow)?;
    let ns = u64::try_from(t.tv_nsec).map_err(|_| Errno::Overflow)?;
    s.checked_mul(1_000_000_000)
        .and_then(|v| v.checked_add(ns))
        .ok_or(Errno::Overflow)
}

fn os_clock(id: ClockId) -> rustix::time::ClockId {
    match id {
        ClockId::Realtime => rustix::time::ClockId::Realtime,
        ClockId::Monotonic => rustix::time::ClockId::Monotonic,
        ClockId::ProcessCpuTime => rustix::time::ClockId::ProcessCPUTime,
        ClockId::ThreadCpuTime => rustix::time::ClockId::ThreadCPUTime,
    }
}

impl WasiClock for HostClock {
    fn now(&self, id: ClockId) -> Result<u64, Errno> {
        match id {
            ClockId::Realtime => nanos(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_err(|_| Errno::Overflow)?,
            ),
            ClockId::Monotonic => nanos(self.start.elapsed()),
            cpu => timespec_nanos(rustix::time::clock_gettime(os_clock(cpu))),
        }
    }
    fn resolution(&self, id: ClockId) -> Result<u64, Errno> {
        // Never report 0: callers divide by it.
        Ok(timespec_nanos(rustix::time::clock_getres(os_clock(id)))?.max(1))
    }
    fn sleep(&self, ns: u64) {
        std::thread::sleep(Duration::from_nanos(ns));
    }
}

/// The OS CSPRNG (`getrandom(2)`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        let mut done = 0;
        while done < buf.len() {
            match rustix::rand::getrandom(&mut buf[done..], rustix::rand::GetRandomFlags::empty()) {
                Ok(0) => return Err(Errno::Io),
                Ok(n) => done += n,
                Err(rustix::io::Errno::INTR) => {}
                Err(_) => return Err(Errno::Io),
            }
        }
        Ok(())
    }
}

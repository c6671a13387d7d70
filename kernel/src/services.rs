//! The platform services the app layer's traits ask for, as the kernel provides them:
//! WASI's stdio (COM1), clocks (`clock.rs`, sleeping through the scheduler) and randomness
//! (RDSEED/RDRAND), and the `kpio_system` backend and host log.

use alloc::boxed::Box;
use alloc::string::String;
use core::sync::atomic::{AtomicU32, Ordering};
use kpio_app::AppInstanceId;
use kpio_host::{Denial, HostError, HostLog, LogLevel, SystemBackend};
use kpio_wasi::{ClockId, Errno, InputStream, OutputStream, RandomSource, WasiClock};
use kpio_wasm::InterruptHandle;
use spin::Mutex;

use crate::{clock, random, sched, serial};

/// An app's stdout and stderr: the serial console, bytes as they are.
pub struct SerialOut;

impl OutputStream for SerialOut {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        serial::write_bytes(buf);
        Ok(buf.len())
    }
}

/// An app's stdin: nothing to read (apps on KPIO take input through their windows).
pub struct NoInput;

impl InputStream for NoInput {
    fn read(&mut self, _: &mut [u8]) -> Result<usize, Errno> {
        Ok(0)
    }
}

/// WASI's clocks. A sleep gives the CPU to other threads and ends early when the run is
/// stopped (its store's interrupt is raised), so stopping an app never waits out a sleep.
pub struct KernelClock {
    pub stop: Option<InterruptHandle>,
}

impl WasiClock for KernelClock {
    fn now(&self, id: ClockId) -> Result<u64, Errno> {
        Ok(match id {
            ClockId::Realtime => clock::realtime_ns(),
            // No per-thread CPU accounting yet: the monotonic clock bounds both.
            ClockId::Monotonic | ClockId::ProcessCpuTime | ClockId::ThreadCpuTime => {
                clock::monotonic_ns()
            }
        })
    }

    fn resolution(&self, _: ClockId) -> Result<u64, Errno> {
        Ok(1_000_000_000 / clock::tsc_hz().clamp(1, 1_000_000_000))
    }

    fn sleep(&self, ns: u64) {
        let until = clock::monotonic_ns().saturating_add(ns);
        loop {
            let now = clock::monotonic_ns();
            if now >= until || self.stop.as_ref().is_some_and(|h| h.is_interrupted()) {
                return;
            }
            sched::sleep_ms(((until - now) / 1_000_000).clamp(1, 10));
        }
    }
}

pub struct CpuRandom(pub random::Source);

impl RandomSource for CpuRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        self.0.fill(buf);
        Ok(())
    }
}

/// The clipboard, shared by every app.
static CLIPBOARD: Mutex<String> = Mutex::new(String::new());

static NEXT_NOTIFICATION: AtomicU32 = AtomicU32::new(1);

/// `kpio_system` on the kernel.
pub struct KernelSystem;

impl SystemBackend for KernelSystem {
    fn wall_clock_ms(&self) -> i64 {
        (clock::realtime_ns() / 1_000_000) as i64
    }
    fn monotonic_ns(&self) -> i64 {
        clock::monotonic_ns() as i64
    }
    fn hostname(&self) -> Result<String, HostError> {
        Ok(String::from("kpio"))
    }
    fn locale(&self) -> String {
        String::from("en-US")
    }
    fn clipboard_read(&mut self) -> Result<String, HostError> {
        Ok(CLIPBOARD.lock().clone())
    }
    fn clipboard_write(&mut self, text: &str) -> Result<(), HostError> {
        let copy = String::from(text); // allocate before taking the lock
        *CLIPBOARD.lock() = copy;
        Ok(())
    }
    fn notify(&mut self, app_id: &str, title: &str, body: &str) -> Result<u32, HostError> {
        crate::println!("[notification] {app_id}: {title}: {body}");
        Ok(NEXT_NOTIFICATION.fetch_add(1, Ordering::Relaxed))
    }
}

/// App log lines and permission denials, on the serial console.
pub struct SerialLog;

impl HostLog for SerialLog {
    fn app_log(&mut self, app_id: &str, instance: AppInstanceId, level: LogLevel, message: &str) {
        crate::println!("[{app_id}#{}] {level:?}: {message}", instance.0);
    }
    fn denied(&mut self, app_id: &str, instance: AppInstanceId, denial: &Denial) {
        crate::println!("[{app_id}#{}] denied: {denial}", instance.0);
    }
    fn fault(&mut self, app_id: &str, instance: AppInstanceId, message: &str) {
        crate::println!("[{app_id}#{}] fault: {message}", instance.0);
    }
}

pub fn boxed_stdio() -> (
    Box<dyn InputStream>,
    Box<dyn OutputStream>,
    Box<dyn OutputStream>,
) {
    (Box::new(NoInput), Box::new(SerialOut), Box::new(SerialOut))
}

//! What an app's `kpio_gui`, `kpio_system` and `kpio_net` calls reach ([`kpio_host`]).
//!
//! Every run of an app is linked with WASI and with the kpio host APIs; its store holds an
//! [`AppCtx`] with both contexts. The [`HostApis`] given to the [`AppManager`]
//! (`AppManager::with_host_apis`) makes the host context of each run: the hosted desktop
//! gives apps windows, `kpio run` gives them none (their `kpio_gui` calls return
//! `UNAVAILABLE`). The launcher then sets what it alone decides: the app's permissions,
//! the instance id and the cancel flag (the store's interrupt, so stopping a run also wakes
//! a host call blocked in it).
//!
//! [`AppManager`]: crate::AppManager

use std::io::Write;
use std::sync::atomic::{AtomicI64, Ordering};

use kpio_app::AppInstanceId;
use kpio_host::host::{StdNet, StdSystem};
use kpio_host::{
    Cancel, Denial, HostCtx, HostCtxBuilder, HostError, HostLog, LogLevel, SystemBackend,
};
use kpio_wasi::{ClockId, WasiClock, WasiCtx};

use crate::platform::Platform;

/// The store data of an app's run: its WASI context and its kpio host APIs' context.
pub struct AppCtx {
    pub wasi: WasiCtx,
    pub host: HostCtx,
}

/// The run a host context is made for.
#[derive(Clone)]
pub struct HostRun<'a> {
    /// The app's package id, e.g. `"com.kpio.calculator"`.
    pub app_id: &'a str,
    /// Its display name.
    pub name: &'a str,
    /// The lifecycle's instance of this run.
    pub instance: AppInstanceId,
    /// Set once the run is stopped or timed out; blocking backends give up then.
    pub cancel: Cancel,
    /// The manager's platform (its clocks are the app's WASI clocks too).
    pub platform: &'a dyn Platform,
}

/// Makes the host context of each run (see the module docs). The builder it returns
/// carries the backends (GUI, system, network) and the log; permissions, instance id and
/// cancel flag are set by the launcher afterwards.
pub trait HostApis: Send + Sync {
    fn context(&self, run: &HostRun<'_>) -> HostCtxBuilder;
    /// The run made with [`HostApis::context`] for `run.instance` ended as `end` (its store
    /// is gone); the desktop closes its windows or marks them failed.
    fn run_ended(&self, run: &HostRun<'_>, end: &crate::RunEnd) {
        let _ = (run, end);
    }
}

/// The host APIs of a run outside the desktop (`kpio run`, tests): no windows; clocks
/// from the platform ([`PlatformSystem`]); real sockets; notifications and the clipboard
/// unavailable; log lines and denials on the process's standard error as
/// `kpio: [app #instance] level: message`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultHostApis;

impl HostApis for DefaultHostApis {
    fn context(&self, run: &HostRun<'_>) -> HostCtxBuilder {
        HostCtx::builder(run.app_id)
            .log(Box::new(StderrLog))
            .system(Box::new(PlatformSystem::new(run.platform.wasi_clock())))
            .net(Box::new(StdNet::new()))
    }
}

/// The one form of an app's log line wherever it is printed (`kpio run`, the desktop):
/// `kpio: [app #instance] level: message`.
pub fn app_log_line(
    app_id: &str,
    instance: impl std::fmt::Display,
    level: LogLevel,
    message: &str,
) -> String {
    format!("kpio: [{app_id} #{instance}] {level}: {message}")
}

/// A permission denial's log line: `kpio: [app #instance] module::call: denied: what`.
pub fn denial_line(app_id: &str, instance: impl std::fmt::Display, denial: &Denial) -> String {
    format!("kpio: [{app_id} #{instance}] {denial}")
}

/// A host call's fault (a bad guest buffer) as a log line.
pub fn fault_line(app_id: &str, instance: impl std::fmt::Display, message: &str) -> String {
    format!("kpio: [{app_id} #{instance}] fault: {message}")
}

/// Writes an app's log lines and permission denials to the process's standard error.
#[derive(Debug, Clone, Copy, Default)]
pub struct StderrLog;

impl HostLog for StderrLog {
    fn app_log(&mut self, app_id: &str, instance: AppInstanceId, level: LogLevel, message: &str) {
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            app_log_line(app_id, instance, level, message)
        );
    }
    fn denied(&mut self, app_id: &str, instance: AppInstanceId, denial: &Denial) {
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            denial_line(app_id, instance, denial)
        );
    }
    fn fault(&mut self, app_id: &str, instance: AppInstanceId, message: &str) {
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            fault_line(app_id, instance, message)
        );
    }
}

/// `kpio_system` with the app's own clocks (the platform's WASI clock, so `get_time` and
/// `get_monotonic` agree with WASI's clocks, deterministic ones included), the machine's
/// host name and locale ([`StdSystem`]), and no clipboard or notifications.
pub struct PlatformSystem {
    clock: Box<dyn WasiClock>,
    std: StdSystem,
    last_monotonic: AtomicI64,
}

impl PlatformSystem {
    pub fn new(clock: Box<dyn WasiClock>) -> PlatformSystem {
        PlatformSystem {
            clock,
            std: StdSystem::new(),
            last_monotonic: AtomicI64::new(0),
        }
    }
}

impl SystemBackend for PlatformSystem {
    fn wall_clock_ms(&self) -> i64 {
        (self.clock.now(ClockId::Realtime).unwrap_or(0) / 1_000_000) as i64
    }
    fn monotonic_ns(&self) -> i64 {
        let now = self.clock.now(ClockId::Monotonic).unwrap_or(0) as i64;
        // Never backwards, whatever the clock does.
        self.last_monotonic
            .fetch_max(now, Ordering::Relaxed)
            .max(now)
    }
    fn hostname(&self) -> Result<String, HostError> {
        self.std.hostname()
    }
    fn locale(&self) -> String {
        self.std.locale()
    }
    fn clipboard_read(&mut self) -> Result<String, HostError> {
        Err(HostError::Unavailable)
    }
    fn clipboard_write(&mut self, _: &str) -> Result<(), HostError> {
        Err(HostError::Unavailable)
    }
    fn notify(&mut self, _: &str, _: &str, _: &str) -> Result<u32, HostError> {
        Err(HostError::Unavailable)
    }
}

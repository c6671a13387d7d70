//! Runaway guards for one run of a guest: what limits it ([`RunLimits`]: fuel, a
//! wall-clock timeout, a memory cap, and the store budget they make), and what stops it
//! from another thread ([`RunControl`]).
//!
//! Both `kpio run FILE.wasm` and app launches use the same pieces: a run is
//! [`RunControl::begin`]un before its store exists (its WASI clock must come from
//! [`GuardedRun::clock`], so that a sleeping guest wakes when stopped), then
//! [`GuardedRun::arm`]ed with the store's interrupt handle, which also starts the timeout.
//! Afterwards [`GuardedRun::interrupted`] says whether the run was timed out or stopped:
//! such a run ends as such however the guest ended, since a sleep that was cut short
//! returns to the guest, which may then finish before it reaches an interrupt check.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kpio_wasi::{ClockId, Errno, WasiClock};
use kpio_wasm::{Config, InterruptHandle, PAGE_SIZE, Store, StoreLimits};

/// Runaway guards for a run (`kpio run --fuel/--timeout/--max-memory`). `None` leaves the
/// defaults: no fuel metering, no timeout, and the memory the app (or engine) allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunLimits {
    /// Fuel for each run, about one unit per instruction; running out traps with
    /// "all fuel consumed".
    pub fuel: Option<u64>,
    /// Wall-clock time each run may take before it is interrupted.
    pub timeout: Option<Duration>,
    /// Bytes of linear memory the guest may hold in all; it can only lower a memory limit
    /// from elsewhere (an app's `memory_limit_pages`), never raise it.
    pub max_memory: Option<u64>,
    /// Which execution tiers run the guest (`kpio run --tier`); `None`: the engine's
    /// default (tiered: interpreter first, hot functions compiled to native code).
    pub tier: Option<kpio_wasm::Tier>,
    /// Bytes of executable pages the native tier may use (`kpio run --jit-code-budget`);
    /// past it the oldest code is evicted. `None`: the engine's default (16 MiB).
    pub jit_code_budget: Option<usize>,
}

pub use kpio_app::budget::{
    APP_INSTANCES, APP_MEMORIES, APP_TABLE_ELEMENTS, APP_TABLES, APP_VALUE_STACK_BYTES,
};

impl RunLimits {
    /// The engine configuration for a run under these limits, from `base`: fuel metering
    /// when fuel is given, interruptible when `interruptible` (apps always are, so they can
    /// be stopped) or a timeout is given, and the memory cap folded into
    /// `max_memory_pages`.
    pub fn engine_config(&self, mut base: Config, interruptible: bool) -> Config {
        base.interruptible |= interruptible || self.timeout.is_some();
        base.consume_fuel |= self.fuel.is_some();
        if let Some(tier) = self.tier {
            base.tier = tier;
        }
        if let Some(budget) = self.jit_code_budget {
            base.jit_code_budget = budget;
        }
        if let Some(max) = self.max_memory {
            let pages = u32::try_from(max / PAGE_SIZE as u64).unwrap_or(u32::MAX);
            base.max_memory_pages = base.max_memory_pages.min(pages);
        }
        base
    }

    /// The store budget of a guest whose memory may reach `memory_pages` pages in all
    /// (lowered by [`RunLimits::max_memory`]), with fixed table, value-stack and count
    /// budgets, so that a small module cannot reach gigabytes through its tables or one
    /// huge frame.
    pub fn store_limits(&self, memory_pages: u32, config: &Config) -> StoreLimits {
        let mut bytes = u64::from(memory_pages).saturating_mul(PAGE_SIZE as u64);
        if let Some(max) = self.max_memory {
            bytes = bytes.min(max);
        }
        kpio_app::budget::store_limits(bytes, config)
    }

    /// Applies the budget and the fuel to a new store (whose engine was configured with
    /// [`RunLimits::engine_config`]).
    pub fn apply<T>(&self, store: &mut Store<T>, limits: StoreLimits) {
        store.set_limits(limits);
        if let Some(fuel) = self.fuel {
            store.set_fuel(fuel);
        }
    }
}

/// Stops a run from another thread (a signal handler's helper, an uninstall): the guest's
/// code is interrupted at its next call or loop iteration, a sleep in WASI ends early, and
/// an app is not restarted. Cheap to clone; a stop before the run starts stops it at once.
#[derive(Debug, Clone, Default)]
pub struct RunControl {
    inner: Arc<ControlInner>,
}

#[derive(Default)]
struct ControlInner {
    stopped: AtomicBool,
    current: Mutex<Option<RunWake>>,
    on_stuck: Mutex<Option<StuckHandler>>,
}

impl std::fmt::Debug for ControlInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlInner")
            .field("stopped", &self.stopped)
            .finish_non_exhaustive()
    }
}

/// What to do about a run still going [`STUCK_GRACE`] after its timeout fired: its guest
/// is blocked in a host call the interrupt cannot reach (a read from a terminal, say).
/// Called on the timer's thread with the timeout; a command-line host exits the process.
pub type StuckHandler = Arc<dyn Fn(Duration) + Send + Sync>;

/// How long a timed-out run may take to end before its [`StuckHandler`] is called.
pub const STUCK_GRACE: Duration = Duration::from_secs(2);

/// What interrupts one run: the store's handle, and the flag its WASI sleeps watch.
#[derive(Debug, Clone)]
struct RunWake {
    handle: InterruptHandle,
    wake: Arc<AtomicBool>,
}

impl RunWake {
    fn fire(&self) {
        self.wake.store(true, Ordering::SeqCst);
        self.handle.interrupt();
    }
}

impl RunControl {
    pub fn new() -> RunControl {
        RunControl::default()
    }

    /// Asks the run to end (see the type docs).
    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::SeqCst);
        if let Ok(cur) = self.inner.current.lock()
            && let Some(w) = cur.as_ref()
        {
            w.fire();
        }
    }

    /// Sets what happens to a run that does not end after its timeout ([`StuckHandler`]);
    /// without one, such a run just goes on blocking until its host call returns.
    pub fn on_stuck(&self, f: impl Fn(Duration) + Send + Sync + 'static) {
        if let Ok(mut h) = self.inner.on_stuck.lock() {
            *h = Some(Arc::new(f));
        }
    }

    /// Whether [`RunControl::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst)
    }

    /// Starts guarding one run (see the module docs).
    pub fn begin(&self) -> GuardedRun<'_> {
        GuardedRun {
            control: self,
            wake: Arc::new(AtomicBool::new(false)),
            timer: None,
            timeout: None,
        }
    }

    fn attach(&self, w: RunWake) {
        if let Ok(mut cur) = self.inner.current.lock() {
            // Checked under the lock: a `stop` either sees this run or set the flag first.
            if self.is_stopped() {
                w.fire();
            }
            *cur = Some(w);
        }
    }

    fn detach(&self) {
        if let Ok(mut cur) = self.inner.current.lock() {
            *cur = None;
        }
    }
}

/// How a guarded run was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// Its [`RunLimits::timeout`] passed.
    TimedOut(Duration),
    /// [`RunControl::stop`] was called.
    Stopped,
}

/// One run under a [`RunControl`], from before its store exists until it ends; dropping
/// it cancels the timeout and detaches the run from the control.
pub struct GuardedRun<'a> {
    control: &'a RunControl,
    wake: Arc<AtomicBool>,
    timer: Option<Timer>,
    timeout: Option<Duration>,
}

impl GuardedRun<'_> {
    /// The run's WASI clock: `inner`, with sleeps that end early once the run is
    /// interrupted.
    pub fn clock(&self, inner: Box<dyn WasiClock>) -> Box<dyn WasiClock> {
        Box::new(InterruptibleClock {
            inner,
            wake: Arc::clone(&self.wake),
        })
    }

    /// Connects the run to its store's interrupt handle and starts its timeout, if any.
    /// The store's engine must be interruptible ([`RunLimits::engine_config`]).
    pub fn arm(&mut self, handle: InterruptHandle, timeout: Option<Duration>) {
        let wake = RunWake {
            handle,
            wake: Arc::clone(&self.wake),
        };
        self.control.attach(wake.clone());
        self.timeout = timeout;
        let stuck = self
            .control
            .inner
            .on_stuck
            .lock()
            .ok()
            .and_then(|h| h.clone());
        self.timer = timeout.map(|t| Timer::start(t, wake, stuck));
    }

    /// Whether the run was timed out or stopped (a timeout wins: it fired first).
    pub fn interrupted(&self) -> Option<Interruption> {
        match (&self.timer, self.timeout) {
            (Some(t), Some(d)) if t.fired() => Some(Interruption::TimedOut(d)),
            _ if self.control.is_stopped() => Some(Interruption::Stopped),
            _ => None,
        }
    }
}

impl Drop for GuardedRun<'_> {
    fn drop(&mut self) {
        self.control.detach();
    }
}

/// A WASI clock whose sleeps end early once the run is interrupted: a guest sleeping for
/// a year must still stop at its timeout or when killed. Sleeps are taken in slices of at
/// most [`SLEEP_SLICE_NS`].
struct InterruptibleClock {
    inner: Box<dyn WasiClock>,
    wake: Arc<AtomicBool>,
}

/// The longest a sleeping guest takes to notice an interrupt.
const SLEEP_SLICE_NS: u64 = 20_000_000;

impl WasiClock for InterruptibleClock {
    fn now(&self, id: ClockId) -> Result<u64, Errno> {
        self.inner.now(id)
    }
    fn resolution(&self, id: ClockId) -> Result<u64, Errno> {
        self.inner.resolution(id)
    }
    fn sleep(&self, ns: u64) {
        let mut left = ns;
        while left > 0 && !self.wake.load(Ordering::SeqCst) {
            let slice = left.min(SLEEP_SLICE_NS);
            self.inner.sleep(slice);
            left -= slice;
        }
    }
}

/// Raises the run's interrupt when `timeout` passes, unless dropped first; calls the
/// [`StuckHandler`] if the run is still going [`STUCK_GRACE`] later.
struct Timer {
    cancel: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    fired: Arc<AtomicBool>,
}

impl Timer {
    fn start(timeout: Duration, wake: RunWake, stuck: Option<StuckHandler>) -> Timer {
        let fired = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel::<()>();
        let flag = Arc::clone(&fired);
        let thread = std::thread::Builder::new()
            .name("kpio-timeout".into())
            .spawn(move || {
                // Any message or a dropped sender cancels; only the timeout fires.
                if let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(timeout) {
                    flag.store(true, Ordering::SeqCst);
                    wake.fire();
                    if let (Err(RecvTimeoutError::Timeout), Some(stuck)) =
                        (rx.recv_timeout(STUCK_GRACE), stuck)
                    {
                        stuck(timeout);
                    }
                }
            })
            .ok();
        Timer {
            cancel: Some(tx),
            thread,
            fired,
        }
    }

    fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        drop(self.cancel.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

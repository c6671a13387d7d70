//! A realm's resource limits, and the handle that stops it from another thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// What one realm may use. A realm that reaches a limit is stopped with a typed error
/// ([`crate::WebError::TimeLimit`], [`crate::WebError::OutOfMemory`]); the platform and
/// other realms go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes the realm's QuickJS heap may hold (default 64 MiB).
    pub memory: usize,
    /// Bytes of the host thread's stack JavaScript may use (default 512 KiB): deeper
    /// recursion throws a catchable `RangeError`, as browsers do. The thread running the
    /// realm needs this much stack plus room for the host's own frames.
    pub stack: usize,
    /// How long one task (a script, a timer callback, with the microtasks after it) may
    /// run before it is interrupted (default 10 s). Browsers ask the user about a slow
    /// script; a platform without a user at hand stops it.
    pub task_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory: 64 << 20,
            stack: 512 << 10,
            task_time: Duration::from_secs(10),
        }
    }
}

/// Stops a realm from any thread: the script running in it is interrupted at its next
/// check (QuickJS polls every few thousand instructions) and the realm runs nothing more.
#[derive(Debug, Clone, Default)]
pub struct InterruptHandle(pub(crate) Arc<AtomicBool>);

impl InterruptHandle {
    /// Asks the realm to stop.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`InterruptHandle::interrupt`] was called.
    pub fn is_interrupted(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

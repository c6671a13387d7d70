//! The desktop state app threads and the desktop's own thread share: the shell (windows,
//! their event queues and presented frames, toasts), the display frame counter and the
//! desktop clock, behind one mutex with one condition variable.
//!
//! The lock is held briefly: an app thread takes it to open or close a window, swap in a
//! finished frame or take an event; the desktop to run input through the shell and to
//! composite a frame (~2 ms). Drawing happens on each app's own back canvas without it.
//! Every change an app may wait for (an event queued, a frame composited, a window closed,
//! the desktop quitting) is followed by `notify_all`, and every wait is cut into slices of
//! at most [`WAIT_SLICE`] so a stopped app notices within that time.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use kpio_gui::shell::Shell;

/// Longest a waiting app thread sleeps before checking whether its run was stopped.
pub const WAIT_SLICE: Duration = Duration::from_millis(50);

/// What the lock protects.
pub struct State {
    pub shell: Shell,
    /// Display frames composited so far.
    pub frame_no: u64,
    /// Set when the desktop shuts down: every wait ends.
    pub quitting: bool,
}

/// The shared desktop (see the module docs).
pub struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    start: Instant,
}

impl Shared {
    pub fn new(shell: Shell) -> Shared {
        Shared {
            state: Mutex::new(State {
                shell,
                frame_no: 0,
                quitting: false,
            }),
            changed: Condvar::new(),
            start: Instant::now(),
        }
    }

    /// The desktop clock: milliseconds since the desktop started (the shell's `now_ms`).
    pub fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// The state, locked. A thread that panicked while holding the lock cannot leave the
    /// shell half-changed in a way that matters more than losing the desktop, so a
    /// poisoned lock is taken over rather than propagated.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes every waiting app thread (something they may wait for changed).
    pub fn notify(&self) {
        self.changed.notify_all();
    }

    /// Waits on `guard` for a change, at most [`WAIT_SLICE`] or until `deadline`.
    pub fn wait<'a>(
        &self,
        guard: MutexGuard<'a, State>,
        deadline: Option<Instant>,
    ) -> MutexGuard<'a, State> {
        let mut slice = WAIT_SLICE;
        if let Some(d) = deadline {
            slice = slice.min(d.saturating_duration_since(Instant::now()));
        }
        match self.changed.wait_timeout(guard, slice) {
            Ok((g, _)) => g,
            Err(p) => p.into_inner().0,
        }
    }
}

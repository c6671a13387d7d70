//! Interrupting running guests from another thread, in the spirit of wasmtime's epoch
//! interruption.
//!
//! With `Config::interruptible` on, translation puts a check of the store's interrupt flag
//! at every function entry and loop header, so any guest that runs on stops within one
//! loop iteration or call of [`InterruptHandle::interrupt`], with `TrapCode::Interrupted`.
//! With it off no check is translated in, so there is no per-instruction cost.
//!
//! The flag stays set once raised: a later call into the store traps too, until
//! [`InterruptHandle::clear`]. A guest blocked inside a host function is not reached by
//! the checks; such host functions (e.g. a WASI sleep) should poll
//! [`InterruptHandle::is_interrupted`] themselves.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};

/// Interrupts a store's guests; cheap to clone and usable from any thread.
#[derive(Debug, Clone, Default)]
pub struct InterruptHandle(pub(crate) Arc<AtomicBool>);

impl InterruptHandle {
    /// Asks the store's running (and future) guest code to stop with
    /// `TrapCode::Interrupted` at its next function entry or loop iteration.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// Whether an interrupt was requested and not cleared.
    pub fn is_interrupted(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    /// Lets the store's guests run again.
    pub fn clear(&self) {
        self.0.store(false, Ordering::Relaxed);
    }
    /// The flag the threaded handlers poll.
    #[cfg(kpio_threaded)]
    pub(crate) fn flag(&self) -> *const AtomicBool {
        Arc::as_ptr(&self.0)
    }
}

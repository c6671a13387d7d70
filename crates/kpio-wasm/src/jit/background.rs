//! Compiling hot functions on a background thread (the `std` feature): the thread that
//! found a function hot queues it and goes on interpreting; the function's later calls
//! take native code once it is published.
//!
//! One worker thread per engine, started on the first job, with two queues: functions
//! found hot first, then [`Priority::Idle`] work. It holds the engine's JIT state only
//! while jobs are queued (jobs carry it), so once every clone of an engine is dropped and
//! the queues are empty, the worker ends. A job that panics in Cranelift marks its
//! function refused (the interpreter keeps it) instead of taking the worker down.
//! [`Engine::jit_wait_idle`](crate::Engine::jit_wait_idle) waits for both queues to drain.
//!
//! Without `std` there are no threads: functions are compiled by the thread that found
//! them hot, as with `Config::jit_background` off.

extern crate std;

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use std::sync::{Condvar, Mutex};

use super::native::{self, CompileReason, JitEngine};
use crate::code::Flavour;
use crate::module::ModuleInner;

/// One function to compile: its entry, or with [`CompileReason::Loop`] its
/// on-stack-replacement entry.
pub(crate) struct Job {
    pub jit: Arc<JitEngine>,
    pub module: Arc<ModuleInner>,
    pub flavour: Flavour,
    pub func: u32,
    pub reason: CompileReason,
}

/// How soon a job is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Priority {
    /// A function found hot: its calls are interpreted until the code is published (or
    /// an on-stack-replacement entry: its frames are interpreted until it is ready).
    Hot,
    /// The entry of a function whose only call so far moved into native code at a loop:
    /// useful for a later call or a later launch (the code cache), needed by nobody now.
    /// Compiled when no hot job waits; it claims its function when it starts (see
    /// [`native::claim_idle_job`]), so one found hot meanwhile is not compiled twice.
    Idle,
}

/// The worker's queues, shared with it.
#[derive(Default)]
struct Queues {
    hot: VecDeque<Job>,
    idle: VecDeque<Job>,
    /// Jobs queued or running.
    pending: usize,
    /// The engine is gone: the worker ends once the queues are empty.
    closed: bool,
    started: bool,
}

#[derive(Default)]
struct Shared {
    queues: Mutex<Queues>,
    /// Signalled when a job is queued (for the worker) and when the last one is done (for
    /// [`Background::wait_idle`]).
    changed: Condvar,
}

/// An engine's background compiler: its queues and the worker they feed.
#[derive(Default)]
pub(crate) struct Background {
    shared: Arc<Shared>,
}

impl Background {
    /// Queues `job`, starting the worker first if need be. `Err(job)` when no thread can
    /// be started: the caller compiles it itself (or, for an idle job, leaves it).
    pub fn submit(&self, job: Job, priority: Priority) -> Result<(), Job> {
        let mut q = self.shared.queues.lock().unwrap_or_else(|e| e.into_inner());
        if !q.started {
            let shared = Arc::clone(&self.shared);
            let started = std::thread::Builder::new()
                .name("kpio-jit".into())
                // Cranelift's passes recurse on deep control flow.
                .stack_size(8 << 20)
                .spawn(move || worker(&shared));
            if started.is_err() {
                return Err(job);
            }
            q.started = true;
        }
        q.pending += 1;
        match priority {
            Priority::Hot => q.hot.push_back(job),
            Priority::Idle => q.idle.push_back(job),
        }
        self.shared.changed.notify_all();
        Ok(())
    }

    /// Waits until no job is queued or running.
    pub fn wait_idle(&self) {
        let mut q = self.shared.queues.lock().unwrap_or_else(|e| e.into_inner());
        while q.pending > 0 {
            q = self
                .shared
                .changed
                .wait(q)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let mut q = self.shared.queues.lock().unwrap_or_else(|e| e.into_inner());
        q.closed = true;
        self.shared.changed.notify_all();
    }
}

/// The worker: hot jobs first, then idle ones, until the engine is gone. Jobs hold the
/// engine's JIT state, so the engine lives until the queues are empty.
fn worker(shared: &Shared) {
    loop {
        let (job, priority) = {
            let mut q = shared.queues.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(j) = q.hot.pop_front() {
                    break (j, Priority::Hot);
                }
                if let Some(j) = q.idle.pop_front() {
                    break (j, Priority::Idle);
                }
                if q.closed {
                    return;
                }
                q = shared.changed.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        run(&job, priority);
        // The job (and maybe the engine with it) is dropped before the count says done,
        // so a waiter sees the engine's last compile finished.
        drop(job);
        let mut q = shared.queues.lock().unwrap_or_else(|e| e.into_inner());
        q.pending = q.pending.saturating_sub(1);
        if q.pending == 0 {
            shared.changed.notify_all();
        }
    }
}

fn run(job: &Job, priority: Priority) {
    let (jit, module, flavour, func) = (&job.jit, &job.module, job.flavour, job.func);
    // Nobody else holds the module any more: its code would never run.
    if Arc::strong_count(module) == 1 {
        return;
    }
    if priority == Priority::Idle && !native::claim_idle_job(module, flavour, func) {
        return;
    }
    let timing = native::Timing::start(true);
    let osr = match job.reason {
        CompileReason::Loop(due) => Some(due),
        _ => None,
    };
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if let Some(due) = osr {
            native::compile_osr_into_map(jit, module, flavour, func, due, native::NO_SCAN, timing);
        } else {
            native::compile_into_map(
                jit,
                module,
                flavour,
                func,
                job.reason,
                native::NO_SCAN,
                timing,
            )
        }
    }));
    if ran.is_err() && osr.is_some() {
        native::refuse_osr(
            jit,
            module,
            flavour,
            func,
            job.reason,
            "the code generator panicked",
            timing,
        );
    } else if ran.is_err() {
        native::refuse(
            jit,
            module,
            flavour,
            func,
            job.reason,
            "the code generator panicked",
            timing,
        );
    }
}

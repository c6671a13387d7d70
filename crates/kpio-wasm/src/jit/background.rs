//! Compiling hot functions on a background thread (the `std` feature): the thread that
//! found a function hot queues it and goes on interpreting; the function's later calls
//! take native code once it is published.
//!
//! One worker thread per engine, started on the first job. It holds the engine's JIT state
//! only while it compiles (jobs carry it), so dropping every clone of an engine drops the
//! job queue's sender and the worker ends. A job that panics in Cranelift marks its
//! function refused (the interpreter keeps it) instead of taking the worker down.
//! [`Engine::jit_wait_idle`](crate::Engine::jit_wait_idle) waits for the queue to drain.
//!
//! Without `std` there are no threads: functions are compiled by the thread that found
//! them hot, as with `Config::jit_background` off.

extern crate std;

use alloc::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Condvar, Mutex};

use super::native::{self, CompileReason, JitEngine};
use crate::code::Flavour;
use crate::module::ModuleInner;

/// One function to compile.
pub(crate) struct Job {
    pub jit: Arc<JitEngine>,
    pub module: Arc<ModuleInner>,
    pub flavour: Flavour,
    pub func: u32,
    pub reason: CompileReason,
}

/// An engine's background compiler: the queue to its worker and how many jobs are queued
/// or running.
#[derive(Default)]
pub(crate) struct Background {
    queue: Mutex<Option<Sender<Job>>>,
    pending: Mutex<usize>,
    idle: Condvar,
}

impl Background {
    /// Queues `job`, starting the worker first if need be. `Err(job)` when no thread can
    /// be started: the caller compiles it itself.
    pub fn submit(&self, job: Job) -> Result<(), Job> {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if queue.is_none() {
            let (tx, rx) = channel::<Job>();
            let started = std::thread::Builder::new()
                .name("kpio-jit".into())
                // Cranelift's passes recurse on deep control flow.
                .stack_size(8 << 20)
                .spawn(move || worker(rx));
            if started.is_err() {
                return Err(job);
            }
            *queue = Some(tx);
        }
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        let tx = queue.as_ref().expect("started above");
        tx.send(job).map_err(|e| {
            self.done();
            e.0
        })
    }

    /// One job finished.
    pub fn done(&self) {
        let mut n = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.idle.notify_all();
        }
    }

    /// Waits until no job is queued or running.
    pub fn wait_idle(&self) {
        let mut n = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        while *n > 0 {
            n = self.idle.wait(n).unwrap_or_else(|e| e.into_inner());
        }
    }
}

fn worker(rx: Receiver<Job>) {
    while let Ok(job) = rx.recv() {
        let jit = Arc::clone(&job.jit);
        let (module, func) = (Arc::clone(&job.module), job.func);
        let flavour = job.flavour;
        let timing = native::Timing::start(true);
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            native::compile_into_map(
                &jit,
                &module,
                flavour,
                func,
                job.reason,
                native::NO_SCAN,
                timing,
            )
        }));
        if ran.is_err() {
            native::refuse(
                &jit,
                &module,
                flavour,
                func,
                job.reason,
                "the code generator panicked",
                timing,
            );
        }
        jit.background().done();
    }
}

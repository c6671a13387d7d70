//! Library side of the `kpio` command.
//!
//! The binary (`src/main.rs`) is a thin clap front-end; everything that is
//! worth testing lives here so integration tests can drive it in-process:
//!
//! * [`wast`]: a WebAssembly spec-script (`.wast`) runner over `kpio-wasm`.
//! * [`run`]: loading a `.wasm`/`.wat` program and invoking one of its exports.
//! * [`values`]: parsing command-line arguments into [`kpio_wasm::Val`]s and
//!   formatting values for output.
//! * [`guards`]: `--fuel`, `--timeout`, `--max-memory` and their value parsers.
//! * [`apps`]: the app platform commands (`pack`, `install`, `list`, `info`, `run ID`,
//!   `uninstall`, `ps`, `kill`) over `KPIO_HOME`.
//! * [`signals`]: SIGTERM/SIGINT stop a running app cleanly.
//! * [`web`]: `kpio web test` (web-platform-tests files) and `kpio web run`.

pub mod apps;
pub mod desktop;
pub mod guards;
pub mod image;
pub mod jit_stats;
pub mod run;
pub mod signals;
pub mod values;
pub mod wast;
pub mod web;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Stack size used for threads that parse `.wast`/`.wat` text or run the
/// engine: the text parser is recursive, and deeply nested spec scripts need
/// far more than the default 2 MiB (spawned) / 8 MiB (main) stacks.
pub const BIG_STACK: usize = 64 << 20;

/// Run `f` on a fresh thread with a [`BIG_STACK`]-sized stack and return its
/// result. A panic inside `f` is propagated to the caller.
pub fn with_big_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    thread::scope(|s| {
        let handle = thread::Builder::new()
            .name("kpio-worker".into())
            .stack_size(BIG_STACK)
            .spawn_scoped(s, f)
            .expect("failed to spawn worker thread");
        match handle.join() {
            Ok(r) => r,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
}

/// Runs `job` on every item, `threads` at a time on [`BIG_STACK`]-sized threads; the results
/// come back in input order. A panic inside `job` is propagated to the caller.
pub fn parallel_with_big_stacks<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    job: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    thread::scope(|s| {
        for i in 0..threads.max(1) {
            thread::Builder::new()
                .name(format!("kpio-worker-{i}"))
                .stack_size(BIG_STACK)
                .spawn_scoped(s, || {
                    loop {
                        let idx = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(idx) else { break };
                        let r = job(item);
                        results.lock().unwrap()[idx] = Some(r);
                    }
                })
                .expect("failed to spawn worker thread");
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every item processed"))
        .collect()
}

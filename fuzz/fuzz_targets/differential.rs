//! Differential execution: guards kpio-wasm's semantics against wasmi 2.0 as an oracle.
//!
//! wasm-smith turns the fuzz input into a valid module restricted to what kpio runs
//! (WebAssembly 2.0 with SIMD: reference types, bulk memory, multi-value, saturating
//! float-to-int, sign extension; plus multi-memory and memory64, 64-bit tables included; no
//! imports). Both engines then
//! 1. validate it: kpio must accept every module wasm-smith generates;
//! 2. instantiate it: both succeed, or both trap with the same trap kind (segment out of
//!    bounds, start function trap);
//! 3. call every exported function, in export order, with the same arguments (taken from the
//!    rest of the fuzz input): both return bitwise-equal results, or both trap alike;
//! 4. after instantiation and after every call, expose the same state: exported globals,
//!    memories (size and every byte) and tables (size and each element's null-ness, and
//!    externref identity).
//!
//! Any difference panics with a description: that is a finding.
//!
//! Determinism: wasm-smith's `canonicalize_nans` makes every float result that could be a
//! NaN canonical, so float values and memory are compared by bits. Runaway loops and
//! recursion are cut by wasm-smith's `ensure_termination` (a global counter decremented on
//! each function entry and loop header that executes `unreachable` when it reaches zero), so
//! they end identically in both engines. The engines' own limits (call depth, value stack)
//! are counted in different units, so once either side reports stack or resource
//! exhaustion the input is not compared any further.
#![no_main]

mod common;

use arbitrary::Unstructured;
use common::oracle::{
    KpioView, Outcome, WasmiView, compare_state, kpio_call, kpio_outcome, wasmi_call, wasmi_outcome,
};
use common::{TERMINATION_FUEL, bump, dump, print_module, stats_due, stats_on};
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Counters printed to stderr when `KPIO_FUZZ_STATS` is set (every 10,000 inputs, or every
/// N with `KPIO_FUZZ_STATS=N`), to see how much of the input stream reaches comparison (not
/// just generation), and which engine hits its stack limit first. One-sided exhaustion is
/// also printed: in a replay of the first 10-minute corpus (about 6,000 inputs), 501 inputs
/// exhausted both engines, 5 exhausted only wasmi (kpio ended those calls with the
/// `ensure_termination` trap, i.e. one or two frames deeper than wasmi allows), and none
/// exhausted only kpio.
struct Stats {
    inputs: AtomicU64,
    modules: AtomicU64,
    wasmi_rejected: AtomicU64,
    instantiated: AtomicU64,
    instantiation_traps: AtomicU64,
    calls_ok: AtomicU64,
    calls_trapped: AtomicU64,
    exhausted: AtomicU64,
    exhausted_kpio_only: AtomicU64,
    exhausted_wasmi_only: AtomicU64,
    /// Functions kpio's tiered engine (`Config::default()`'s `Tier::Auto`, with the fuzz
    /// crate's `jit` feature) compiled natively and refused: how much of a run reaches the
    /// native tier.
    jit_compiled: AtomicU64,
    jit_refused: AtomicU64,
}
static STATS: Stats = Stats {
    inputs: AtomicU64::new(0),
    modules: AtomicU64::new(0),
    wasmi_rejected: AtomicU64::new(0),
    instantiated: AtomicU64::new(0),
    instantiation_traps: AtomicU64::new(0),
    calls_ok: AtomicU64::new(0),
    calls_trapped: AtomicU64::new(0),
    exhausted: AtomicU64::new(0),
    exhausted_kpio_only: AtomicU64::new(0),
    exhausted_wasmi_only: AtomicU64::new(0),
    jit_compiled: AtomicU64::new(0),
    jit_refused: AtomicU64::new(0),
};

/// Whether either side hit a limit; counts which.
fn exhausted(k: &Outcome, w: &Outcome) -> bool {
    let (ke, we) = (
        matches!(k, Outcome::Exhausted(_)),
        matches!(w, Outcome::Exhausted(_)),
    );
    if ke || we {
        bump(&STATS.exhausted);
    }
    if ke && !we {
        bump(&STATS.exhausted_kpio_only);
        if stats_on() {
            eprintln!("exhausted in kpio only: kpio {k:?}, wasmi {w:?}");
        }
    }
    if we && !ke {
        bump(&STATS.exhausted_wasmi_only);
        if stats_on() {
            eprintln!("exhausted in wasmi only: kpio {k:?}, wasmi {w:?}");
        }
    }
    ke || we
}

fn report_stats() {
    let n = STATS.inputs.load(Relaxed);
    if stats_due(n) {
        eprintln!(
            "stats: inputs {n} modules {} wasmi-rejected {} instantiated {} \
             instantiation-traps {} calls-ok {} calls-trapped {} exhausted {} (kpio only {}, \
             wasmi only {}) jit-compiled {} jit-refused {}",
            STATS.modules.load(Relaxed),
            STATS.wasmi_rejected.load(Relaxed),
            STATS.instantiated.load(Relaxed),
            STATS.instantiation_traps.load(Relaxed),
            STATS.calls_ok.load(Relaxed),
            STATS.calls_trapped.load(Relaxed),
            STATS.exhausted.load(Relaxed),
            STATS.exhausted_kpio_only.load(Relaxed),
            STATS.exhausted_wasmi_only.load(Relaxed),
            STATS.jit_compiled.load(Relaxed),
            STATS.jit_refused.load(Relaxed),
        );
    }
}

/// The shared base (`common::smith_config`: 2.0 with SIMD, multi-memory, memory64, tail
/// calls, extended constants) without the features wasmi 2.0 does not run alike.
fn smith_config() -> wasm_smith::Config {
    let mut c = common::smith_config();
    // Relaxed SIMD: kpio runs it with the deterministic profile's results, but wasmi 2.0 fuses
    // `relaxed_madd`/`relaxed_nmadd` and wraps the relaxed dot products' 16-bit sums, so the
    // engines may rightly disagree (docs/relaxed-simd.md).
    c.relaxed_simd_enabled = false;
    // Exceptions and typed function references (wasm-smith's GC switch): wasmi 2.0 runs
    // neither; the `backends` target covers them.
    c.exceptions_enabled = false;
    c.gc_enabled = false;
    c
}

fuzz_target!(|data: &[u8]| {
    bump(&STATS.inputs);
    report_stats();
    let mut u = Unstructured::new(data);
    let Ok(mut smith) = wasm_smith::Module::new(smith_config(), &mut u) else {
        return;
    };
    if smith.ensure_termination(TERMINATION_FUEL).is_err() {
        return;
    }
    let wasm = smith.to_bytes();
    bump(&STATS.modules);
    dump(&wasm);
    let k_engine = kpio_wasm::Engine::new(common::kpio_config());
    run(&wasm, &k_engine, &mut u);
    let jit = k_engine.jit_stats();
    STATS.jit_compiled.fetch_add(jit.compiled, Relaxed);
    STATS.jit_refused.fetch_add(jit.refused, Relaxed);
});

fn run(wasm: &[u8], k_engine: &kpio_wasm::Engine, u: &mut Unstructured<'_>) {
    // --- Validation -------------------------------------------------------------------
    let k_module = match kpio_wasm::Module::new(k_engine, wasm) {
        Ok(m) => m,
        Err(e) => panic!("kpio rejected a valid wasm-smith module: {e}"),
    };
    let w_engine = common::oracle::wasmi_engine();
    // wasmi has implementation limits of its own (e.g. on function size); a module it does
    // not take is simply not compared.
    let Ok(w_module) = wasmi::Module::new(&w_engine, wasm) else {
        bump(&STATS.wasmi_rejected);
        return;
    };

    // --- Instantiation ----------------------------------------------------------------
    let mut k_store = kpio_wasm::Store::new(k_engine, ());
    let mut w_store = common::oracle::wasmi_store(&w_engine);

    let k_inst = kpio_wasm::Linker::new().instantiate(&mut k_store, &k_module);
    let w_inst = wasmi::Instance::new(&mut w_store, &w_module, &[]);
    let (k_inst, w_inst) = match (k_inst, w_inst) {
        (Ok(k), Ok(w)) => (k, w),
        (k, w) => {
            let ko = match k {
                Ok(_) => Outcome::Ok(Vec::new()),
                Err(kpio_wasm::InstantiateError::Trap(t)) => kpio_outcome(&t, true),
                Err(e) => panic!("kpio failed to link a module without imports: {e}"),
            };
            let wo = match w {
                Ok(_) => Outcome::Ok(Vec::new()),
                Err(e) => wasmi_outcome(&e),
            };
            if exhausted(&ko, &wo) {
                return;
            }
            bump(&STATS.instantiation_traps);
            if ko != wo {
                panic!(
                    "instantiation differs:\n  kpio:  {ko:?}\n  wasmi: {wo:?}\n{}",
                    print_module(wasm)
                );
            }
            return;
        }
    };

    bump(&STATS.instantiated);
    let exports: Vec<(String, kpio_wasm::ExternType)> = k_module
        .exports()
        .map(|(n, t)| (n.to_string(), t))
        .collect();
    let compare =
        |k_store: &kpio_wasm::Store<()>, w_store: &common::oracle::WasmiStore, when: &str| {
            compare_state(
                &KpioView {
                    label: "kpio",
                    store: k_store,
                    inst: k_inst,
                },
                &WasmiView {
                    store: w_store,
                    inst: w_inst,
                },
                &exports,
                when,
            )
        };
    compare(&k_store, &w_store, "after instantiation");

    // --- Calls ------------------------------------------------------------------------
    for (name, ty) in &exports {
        let kpio_wasm::ExternType::Func(fty) = ty else {
            continue;
        };
        let k_func = k_inst.get_func(&k_store, name).expect("kpio export");
        let k_args: Vec<kpio_wasm::Val> = fty
            .params()
            .iter()
            .map(|p| common::kpio_arg(u, *p))
            .collect();
        let (ko, _) = kpio_call(&mut k_store, k_func, fty, &k_args);
        let wo = wasmi_call(&mut w_store, w_inst, name, &k_args);
        if exhausted(&ko, &wo) {
            // The engines' limits differ, so their states may now legitimately differ.
            return;
        }
        bump(if matches!(ko, Outcome::Ok(_)) {
            &STATS.calls_ok
        } else {
            &STATS.calls_trapped
        });
        if ko != wo {
            panic!(
                "call to export `{name}` {k_args:?} differs:\n  kpio:  {ko:?}\n  wasmi: {wo:?}\n{}",
                print_module(wasm)
            );
        }
        compare(&k_store, &w_store, &format!("after calling `{name}`"));
    }
}

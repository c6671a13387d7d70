//! Differential execution between kpio-wasm's tiers, with wasmi 2.0 as the outside oracle:
//! the interpreter (`Tier::Interp`), the native tier on every function's first call
//! (`Tier::Jit`), the tiered engine (`Tier::Auto`, with a `jit_threshold` of 1, 2 or 3 drawn
//! from the input, so that functions change tier in the middle of a run: interpreted
//! callers of native callees and the reverse; and a `jit_loop_threshold` of 1 to 8, so that
//! frames move into native code at loops, entering an entry at whichever loop it starts
//! at) and wasmi.
//!
//! wasm-smith turns the fuzz input into a valid module with `differential`'s set
//! (WebAssembly 2.0 with SIMD, multi-memory, memory64 with 64-bit tables, tail calls,
//! extended constants) and, one input in four, exception handling (`try_table`, `throw`,
//! `throw_ref`: wasmi does not run it, so those inputs compare the kpio tiers only), all of
//! which the native tier compiles. All four engines then
//! 1. validate it (kpio must accept it; a module wasmi refuses is still compared between
//!    the kpio tiers);
//! 2. instantiate it (the start function may already run native code): all succeed, or
//!    all trap alike;
//! 3. call every exported function, in export order, with the same arguments (taken from the
//!    rest of the fuzz input): the kpio tiers return bitwise-equal results, or trap with the
//!    same trap code and the same wasm backtrace; wasmi returns the same results or traps
//!    with the same trap class (as in `differential`);
//! 4. after instantiation and after every call, expose the same exported globals, memories
//!    (size and every byte) and tables (`common::oracle::compare_state`).
//!
//! The native tier must also compile every function of these modules, and every
//! on-stack-replacement entry: a compilation that ends in a code generation or body
//! reading error, or in a refusal, is a finding too.
//!
//! Determinism and termination as in `differential`: NaNs are canonicalised by wasm-smith,
//! and `ensure_termination` bounds loops and recursion with a counter in a global. Once any
//! engine reports a stack or resource limit the input is not compared further: the
//! interpreter's call depth limit and the native tier's native stack limit need not cut at
//! the same depth.
//!
//! One input in three gives the native engines a code memory budget of two to six pages,
//! so functions evict each other's code as they are compiled (and code is evicted while it
//! runs): results must not change.
//!
//! One input in four is fuel-metered: the kpio engines meter fuel, each store starting
//! with the same budget drawn from the input (often too small for the whole run), and
//! wasmi (whose fuel counts differently) sits out. Every tier must then charge the same:
//! the same fuel left after every call, and a run that runs out must run out in every tier,
//! with the same backtrace and the same state left behind.
//!
//! Any difference panics with a description: that is a finding.
#![no_main]

mod common;

use arbitrary::Unstructured;
use common::oracle::{
    KpioView, Outcome, StateView, WasmiView, compare_state, kpio_call, kpio_outcome, wasmi_call,
    wasmi_outcome,
};
use common::{TERMINATION_FUEL, bump, dump, print_module, stats_due, stats_on};
use kpio_wasm::{Engine, ExternType, Instance, Linker, Module, Store, Tier, Trap};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Counters printed to stderr when `KPIO_FUZZ_STATS` is set (every 10,000 inputs, or every
/// N with `KPIO_FUZZ_STATS=N`): how much reaches comparison, and how much of the code the
/// JIT-only engine was asked to compile it did compile (and why it refused the rest).
struct Stats {
    inputs: AtomicU64,
    modules: AtomicU64,
    wasmi_rejected: AtomicU64,
    instantiated: AtomicU64,
    instantiation_traps: AtomicU64,
    calls_ok: AtomicU64,
    calls_trapped: AtomicU64,
    /// Inputs cut at a limit, and how many of those hit it in one kpio tier only.
    exhausted: AtomicU64,
    exhausted_tiers_differ: AtomicU64,
    /// Functions the JIT-only engine compiled and refused.
    compiled: AtomicU64,
    refused: AtomicU64,
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
    exhausted_tiers_differ: AtomicU64::new(0),
    compiled: AtomicU64::new(0),
    refused: AtomicU64::new(0),
};

/// Why the JIT-only engine refused functions (the refusal with its offset cut off), counted.
static REFUSALS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

fn report_stats() {
    let n = STATS.inputs.load(Relaxed);
    if !stats_due(n) {
        return;
    }
    let (c, r) = (STATS.compiled.load(Relaxed), STATS.refused.load(Relaxed));
    eprintln!(
        "stats: inputs {n} modules {} wasmi-rejected {} instantiated {} \
         instantiation-traps {} calls-ok {} calls-trapped {} exhausted {} (tiers differ {}); \
         jit: {c} compiled / {r} refused",
        STATS.modules.load(Relaxed),
        STATS.wasmi_rejected.load(Relaxed),
        STATS.instantiated.load(Relaxed),
        STATS.instantiation_traps.load(Relaxed),
        STATS.calls_ok.load(Relaxed),
        STATS.calls_trapped.load(Relaxed),
        STATS.exhausted.load(Relaxed),
        STATS.exhausted_tiers_differ.load(Relaxed),
    );
    let refusals = REFUSALS.lock().unwrap();
    let mut top: Vec<_> = refusals.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1));
    for (why, count) in top.iter().take(8) {
        eprintln!("  refused {count}: {why}");
    }
}

/// The module generator's configuration: `differential`'s, plus exception handling if
/// `exceptions` (wasmi 2.0 does not run it, so it sits those inputs out).
fn smith_config(exceptions: bool) -> wasm_smith::Config {
    let mut c = common::smith_config();
    // As in `differential`: wasmi 2.0 runs no typed references, and fixes other relaxed
    // SIMD results than kpio.
    c.relaxed_simd_enabled = false;
    c.exceptions_enabled = exceptions;
    c.gc_enabled = false;
    c
}

/// The engines under test, in the order they are reported.
const TIERS: [&str; 3] = ["interp", "jit", "auto"];

fn engine(
    tier: Tier,
    (jit_threshold, jit_loop_threshold): (u32, u32),
    metered: bool,
    code_pages: Option<usize>,
) -> Engine {
    let default = kpio_wasm::Config::default().jit_code_budget;
    Engine::new(kpio_wasm::Config {
        tier,
        jit_threshold,
        jit_loop_threshold,
        jit_code_budget: code_pages.map_or(default, |n| n * 4096),
        // Tier-up at the drawn call, reproducibly (not whenever a background thread is done).
        jit_background: false,
        consume_fuel: metered,
        ..common::kpio_config()
    })
}

/// Fuel metering for one input: each kpio store's starting budget, if metered.
type Metering = Option<u64>;

fuzz_target!(|data: &[u8]| {
    bump(&STATS.inputs);
    report_stats();
    let mut u = Unstructured::new(data);
    let exceptions = u.arbitrary::<u8>().unwrap_or(0) % 4 == 0;
    let Ok(mut smith) = wasm_smith::Module::new(smith_config(exceptions), &mut u) else {
        return;
    };
    if smith.ensure_termination(TERMINATION_FUEL).is_err() {
        return;
    }
    let wasm = smith.to_bytes();
    bump(&STATS.modules);
    dump(&wasm);
    let threshold = u.int_in_range(1..=3).unwrap_or(1);
    let loop_threshold = u.int_in_range(1..=8).unwrap_or(1);
    let fuel: Metering = (u.arbitrary::<u8>().unwrap_or(0) % 4 == 0)
        .then(|| u.int_in_range(0..=200_000u64).unwrap_or(0));
    let code_pages = (u.arbitrary::<u8>().unwrap_or(0) % 3 == 0)
        .then(|| u.int_in_range(2..=6usize).unwrap_or(2));
    let metered = fuel.is_some();
    let engines = [
        engine(Tier::Interp, (0, 1000), metered, None),
        engine(Tier::Jit, (0, 1000), metered, code_pages),
        engine(Tier::Auto, (threshold, loop_threshold), metered, code_pages),
    ];
    run(&wasm, &engines, fuel, &mut u);
    if trace_on() {
        eprintln!(
            "threshold {threshold}, loop threshold {loop_threshold}, fuel {fuel:?}, code pages {code_pages:?}"
        );
        for (tier, e) in TIERS.iter().zip(&engines).skip(1) {
            let s = e.jit_stats();
            eprintln!(
                "{tier}: {} compiled, {} refused, {} evicted, {} over budget",
                s.compiled, s.refused, s.evicted, s.over_budget
            );
        }
    }
    check_compilations(&wasm, &engines);
});

/// Counts what the JIT-only engine compiled and refused; panics if the native tier did not
/// compile a function or an on-stack-replacement entry (in either native engine), unless
/// the code budget left no room.
fn check_compilations(wasm: &[u8], engines: &[Engine; 3]) {
    for (tier, e) in TIERS.iter().zip(engines).skip(1) {
        let stats = e.jit_stats();
        for ev in &stats.events {
            if let Err(why) = &ev.outcome
                // A small code budget (see `code_pages`) may leave code with no room.
                && !why.starts_with("code memory budget exceeded")
            {
                panic!(
                    "the {tier} engine failed to compile function {}: {why}\n{}",
                    ev.func_index,
                    print_module(wasm)
                );
            }
        }
        if *tier == "jit" {
            STATS.compiled.fetch_add(stats.compiled, Relaxed);
            STATS.refused.fetch_add(stats.refused, Relaxed);
            if stats_on() {
                let mut refusals = REFUSALS.lock().unwrap();
                for ev in &stats.events {
                    if let Err(why) = &ev.outcome {
                        let why = why.split(" at offset").next().unwrap_or(why);
                        *refusals.entry(why.to_string()).or_default() += 1;
                    }
                }
            }
        }
    }
}

/// Whether `KPIO_FUZZ_TRACE` is set: each kpio call is announced on stderr before it is
/// made, so a crash (a native stack overflow kills the process without a panic message)
/// names the tier and export it happened in.
fn trace_on() -> bool {
    std::env::var_os("KPIO_FUZZ_TRACE").is_some()
}

/// One call's (or instantiation's) outcome in a kpio engine, with the trap if it trapped.
type KpioResult = (Outcome, Option<Trap>);

/// Whether any engine hit a limit (the input is then not compared further); counts it.
fn exhausted(k: &[KpioResult], w: Option<&Outcome>) -> bool {
    let is = |o: &Outcome| matches!(o, Outcome::Exhausted(_));
    let kpio = k.iter().filter(|(o, _)| is(o)).count();
    if kpio == 0 && !w.is_some_and(is) {
        return false;
    }
    bump(&STATS.exhausted);
    if kpio != 0 && kpio != k.len() {
        bump(&STATS.exhausted_tiers_differ);
        if stats_on() {
            eprintln!(
                "exhausted in some kpio tiers only: {:?}",
                k.iter().map(|(o, _)| o).collect::<Vec<_>>()
            );
        }
    }
    true
}

/// Panics unless the kpio tiers agree exactly (results, or trap code and backtrace) and the
/// interpreter agrees with wasmi (when wasmi runs the module) as `differential` compares.
fn compare_outcomes(k: &[KpioResult], w: Option<&Outcome>, what: &str, wasm: &[u8]) {
    let (interp, interp_trap) = &k[0];
    for (tier, (o, t)) in TIERS.iter().zip(k).skip(1) {
        let same = o == interp
            && match (interp_trap, t) {
                (Some(a), Some(b)) => {
                    a.code() == b.code()
                        && a.backtrace() == b.backtrace()
                        && escaped(a) == escaped(b)
                }
                (a, b) => a.is_none() && b.is_none(),
            };
        if !same {
            panic!(
                "{what} differs between tiers:\n  interp: {interp:?} {interp_trap:?}\n  \
                 {tier}: {o:?} {t:?}\n{}",
                print_module(wasm)
            );
        }
    }
    if let Some(w) = w
        && w != interp
    {
        panic!(
            "{what} differs:\n  kpio:  {interp:?}\n  wasmi: {w:?}\n{}",
            print_module(wasm)
        );
    }
}

/// The exception a trap is, if it is one: its tag's type and its payload (tags and
/// objects are handles of each tier's own store, made in the same order).
fn escaped(t: &Trap) -> Option<(kpio_wasm::Tag, Vec<common::oracle::Value>)> {
    t.exception().map(|e| {
        (
            e.tag(),
            e.payload().iter().map(common::oracle::kpio_value).collect(),
        )
    })
}

/// Whether a kpio call ran out of fuel.
fn ran_out(r: &KpioResult) -> bool {
    r.1.as_ref()
        .is_some_and(|t| t.code() == Some(kpio_wasm::TrapCode::OutOfFuel))
}

/// How the kpio tiers ran out of fuel: `None` if none did, or if a tier hit another limit
/// (the stack depth, which may differ between tiers: no verdict); else whether all did.
fn fuel_verdict(k: &[KpioResult]) -> Option<bool> {
    let n = k.iter().filter(|r| ran_out(r)).count();
    let other_limit = k
        .iter()
        .any(|r| matches!(r.0, Outcome::Exhausted(_)) && !ran_out(r));
    (n != 0 && !other_limit).then_some(n == k.len())
}

/// Fuel-metered inputs: if the kpio tiers ran out of fuel (all of them: fuel is charged
/// alike in every tier, so one running out alone is a finding), compares how (trap and
/// backtrace), the state left and the fuel left, and returns true (the input ends there).
/// A tier stopped by another limit (stack depth) ends the comparison without a verdict.
fn out_of_fuel(
    k: &[KpioResult],
    stores: &[Store<()>],
    compare: &dyn Fn(&[Store<()>], &str),
    wasm: &[u8],
    what: &str,
) -> bool {
    if !k.iter().any(ran_out) {
        return false;
    }
    let Some(all) = fuel_verdict(k) else {
        return true;
    };
    if !all {
        panic!(
            "{what}: only some tiers ran out of fuel: {:?}\n{}",
            k.iter().map(|(o, _)| o).collect::<Vec<_>>(),
            print_module(wasm)
        );
    }
    compare_outcomes(k, None, what, wasm);
    compare(stores, &format!("after running out of fuel in {what}"));
    compare_fuel(stores, what, wasm);
    true
}

/// Panics unless every kpio store has the same fuel left.
fn compare_fuel(stores: &[Store<()>], what: &str, wasm: &[u8]) {
    let left: Vec<u64> = stores.iter().map(Store::fuel).collect();
    if left.iter().any(|f| *f != left[0]) {
        panic!(
            "fuel left differs after {what}: {:?}\n{}",
            TIERS.iter().zip(&left).collect::<Vec<_>>(),
            print_module(wasm)
        );
    }
}

fn run(wasm: &[u8], engines: &[Engine; 3], metered: Metering, u: &mut Unstructured<'_>) {
    // --- Validation -------------------------------------------------------------------
    let modules: Vec<Module> = engines
        .iter()
        .map(|e| match Module::new(e, wasm) {
            Ok(m) => m,
            Err(err) => panic!("kpio rejected a valid wasm-smith module: {err}"),
        })
        .collect();
    let w_engine = common::oracle::wasmi_engine();
    // wasmi has implementation limits of its own; without it the tiers are still compared.
    // It counts fuel differently, so it sits out metered inputs.
    let w_module = if metered.is_some() {
        None
    } else {
        wasmi::Module::new(&w_engine, wasm).ok()
    };
    if w_module.is_none() {
        bump(&STATS.wasmi_rejected);
    }

    // --- Instantiation ----------------------------------------------------------------
    let mut stores: Vec<Store<()>> = engines
        .iter()
        .map(|e| {
            let mut s = Store::new(e, ());
            if let Some(fuel) = metered {
                s.set_fuel(fuel);
            }
            s
        })
        .collect();
    let mut w_store = common::oracle::wasmi_store(&w_engine);
    let k_insts: Vec<Result<Instance, KpioResult>> = stores
        .iter_mut()
        .zip(&modules)
        .map(|(s, m)| match Linker::new().instantiate(s, m) {
            Ok(i) => Ok(i),
            Err(kpio_wasm::InstantiateError::Trap(t)) => Err((kpio_outcome(&t, true), Some(t))),
            Err(e) => panic!("kpio failed to link a module without imports: {e}"),
        })
        .collect();
    let w_inst = w_module
        .as_ref()
        .map(|m| wasmi::Instance::new(&mut w_store, m, &[]));
    let all_ok = k_insts.iter().all(Result::is_ok) && !matches!(w_inst, Some(Err(_)));
    if !all_ok {
        let k: Vec<KpioResult> = k_insts
            .into_iter()
            .map(|r| r.err().unwrap_or((Outcome::Ok(Vec::new()), None)))
            .collect();
        let w = w_inst.map(|r| match r {
            Ok(_) => Outcome::Ok(Vec::new()),
            Err(e) => wasmi_outcome(&e),
        });
        if metered.is_some() {
            if fuel_verdict(&k) == Some(false) {
                panic!(
                    "instantiation: only some tiers ran out of fuel: {k:?}\n{}",
                    print_module(wasm)
                );
            }
        }
        if exhausted(&k, w.as_ref()) {
            return;
        }
        bump(&STATS.instantiation_traps);
        compare_outcomes(&k, w.as_ref(), "instantiation", wasm);
        return;
    }
    let k_insts: Vec<Instance> = k_insts.into_iter().map(Result::unwrap).collect();
    let w_inst = w_inst.map(Result::unwrap);

    bump(&STATS.instantiated);
    let exports: Vec<(String, ExternType)> = modules[0]
        .exports()
        .map(|(n, t)| (n.to_string(), t))
        .collect();
    let compare = |stores: &[Store<()>], w_store: &common::oracle::WasmiStore, when: &str| {
        let interp = KpioView {
            label: TIERS[0],
            store: &stores[0],
            inst: k_insts[0],
        };
        for i in 1..TIERS.len() {
            let other = KpioView {
                label: TIERS[i],
                store: &stores[i],
                inst: k_insts[i],
            };
            compare_state(&interp, &other, &exports, when);
        }
        if let Some(inst) = w_inst {
            let w: &dyn StateView = &WasmiView {
                store: w_store,
                inst,
            };
            compare_state(&interp, w, &exports, when);
        }
    };
    compare(&stores, &w_store, "after instantiation");
    if metered.is_some() {
        compare_fuel(&stores, "instantiation", wasm);
    }

    // --- Calls ------------------------------------------------------------------------
    for (name, ty) in &exports {
        let ExternType::Func(fty) = ty else {
            continue;
        };
        let args: Vec<kpio_wasm::Val> = fty
            .params()
            .iter()
            .map(|p| common::kpio_arg(u, *p))
            .collect();
        let k: Vec<KpioResult> = stores
            .iter_mut()
            .zip(&k_insts)
            .zip(TIERS)
            .map(|((s, i), tier)| {
                if trace_on() {
                    eprintln!("calling `{name}` {args:?} in {tier}");
                }
                let f = i.get_func(&*s, name).expect("kpio export");
                kpio_call(s, f, fty, &args)
            })
            .collect();
        let w = w_inst.map(|i| wasmi_call(&mut w_store, i, name, &args));
        let what = format!("call to export `{name}` {args:?}");
        if metered.is_some()
            && out_of_fuel(
                &k,
                &stores,
                &|s, when| compare(s, &w_store, when),
                wasm,
                &what,
            )
        {
            return;
        }
        if exhausted(&k, w.as_ref()) {
            // The engines' limits differ, so their states may now legitimately differ.
            return;
        }
        bump(if matches!(k[0].0, Outcome::Ok(_)) {
            &STATS.calls_ok
        } else {
            &STATS.calls_trapped
        });
        compare_outcomes(&k, w.as_ref(), &what, wasm);
        compare(&stores, &w_store, &format!("after calling `{name}`"));
        if metered.is_some() {
            compare_fuel(&stores, &what, wasm);
        }
    }
}

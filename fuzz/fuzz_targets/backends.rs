//! Differential execution between kpio-wasm's two dispatch backends: threaded dispatch
//! (`exec/threaded.rs`, what an optimised x86_64 build runs) against the portable `match`
//! loop (`Dispatch::Portable`), in one build.
//!
//! This is the differential target for what wasmi 2.0 does not run, and so what
//! `differential` cannot compare: typed function references (`call_ref`,
//! `return_call_ref`, `br_on_null`, typed locals, globals and tables), exception handling
//! (`try_table`, `throw`, `throw_ref`, exnref values) and relaxed SIMD (both sides are kpio,
//! so the deterministic profile's results must match exactly). wasm-smith turns the fuzz
//! input into a valid module with those on top of the base both targets share
//! (`common::smith_config`: 2.0 with SIMD, multi-memory, memory64, tail calls, extended
//! constants; no imports). wasm-smith only generates function references under its GC
//! switch, so some modules use GC, which kpio refuses (as unsupported: anything else is a
//! finding); those are not compared. Two engines with
//! the same configuration except `Config::dispatch` then
//! 1. validate and translate it;
//! 2. instantiate it: both succeed, or both fail with equal traps;
//! 3. call every exported function, in export order, with the same arguments (taken from the
//!    rest of the fuzz input): both return equal results, or fail with equal errors — the
//!    same trap code, message and backtrace, or the same exception escaping (tag, payload
//!    and object), or the same limit (the limits are the same on both sides, so they are
//!    compared too);
//! 4. after instantiation and after every call, expose the same state: exported globals,
//!    memories (size and every byte) and tables (every element), the fuel left and how many
//!    exception objects the store holds.
//!
//! The two stores go through the same steps, so store handles (functions, exception
//! objects, tags) are equal between them and values are compared as they are, references
//! included. Execution options that change the translated code (fuel metering, interrupt
//! checks) are drawn from the input, so their instructions meet both backends too.
//!
//! Any difference panics with a description: that is a finding.
#![no_main]

mod common;

use arbitrary::Unstructured;
use common::{TERMINATION_FUEL, bump, dump, print_module, stats_due, stats_on};
use kpio_wasm::{Dispatch, Engine, ExternType, Instance, Linker, Module, Store, Trap, Val};
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Counters printed to stderr when `KPIO_FUZZ_STATS` is set (every 10,000 inputs, or every
/// N with `KPIO_FUZZ_STATS=N`): how much of the input stream reaches comparison, and
/// whether the features this target exists for reach execution (modules that use them and
/// were instantiated, and calls made into such modules).
struct Stats {
    inputs: AtomicU64,
    modules: AtomicU64,
    /// Modules generated with wasm-smith's GC switch (for typed function references).
    typed_refs_modules: AtomicU64,
    /// Modules kpio refuses as GC (wasm-smith's typed references come with GC).
    gc_refused: AtomicU64,
    instantiated: AtomicU64,
    instantiation_traps: AtomicU64,
    calls_ok: AtomicU64,
    calls_trapped: AtomicU64,
    /// Calls that ended with an exception escaping to the host.
    calls_exception: AtomicU64,
    /// Calls that ended at a limit (call depth, value stack, fuel, exception objects).
    calls_exhausted: AtomicU64,
    /// Per feature of `Features::NAMES`: instantiated modules using it, calls into them.
    feature_modules: [AtomicU64; Features::COUNT],
    feature_calls: [AtomicU64; Features::COUNT],
}
static STATS: Stats = Stats {
    inputs: AtomicU64::new(0),
    modules: AtomicU64::new(0),
    typed_refs_modules: AtomicU64::new(0),
    gc_refused: AtomicU64::new(0),
    instantiated: AtomicU64::new(0),
    instantiation_traps: AtomicU64::new(0),
    calls_ok: AtomicU64::new(0),
    calls_trapped: AtomicU64::new(0),
    calls_exception: AtomicU64::new(0),
    calls_exhausted: AtomicU64::new(0),
    feature_modules: [const { AtomicU64::new(0) }; Features::COUNT],
    feature_calls: [const { AtomicU64::new(0) }; Features::COUNT],
};

fn report_stats() {
    let n = STATS.inputs.load(Relaxed);
    if !stats_due(n) {
        return;
    }
    let mut features = String::new();
    for (i, name) in Features::NAMES.iter().enumerate() {
        features.push_str(&format!(
            " {name} {}/{}",
            STATS.feature_modules[i].load(Relaxed),
            STATS.feature_calls[i].load(Relaxed)
        ));
    }
    eprintln!(
        "stats: inputs {n} modules {} (with typed references {}) gc-refused {} instantiated {} \
         instantiation-traps {} calls-ok {} calls-trapped {} calls-exception {} \
         calls-exhausted {}; instantiated modules/calls using:{features}",
        STATS.modules.load(Relaxed),
        STATS.typed_refs_modules.load(Relaxed),
        STATS.gc_refused.load(Relaxed),
        STATS.instantiated.load(Relaxed),
        STATS.instantiation_traps.load(Relaxed),
        STATS.calls_ok.load(Relaxed),
        STATS.calls_trapped.load(Relaxed),
        STATS.calls_exception.load(Relaxed),
        STATS.calls_exhausted.load(Relaxed),
    );
}

/// Which of the features this target is for a module's code uses, read from its function
/// bodies (wasm-smith may declare a tag or a typed reference and never use it).
#[derive(Default)]
struct Features([bool; Features::COUNT]);

impl Features {
    const COUNT: usize = 6;
    const NAMES: [&str; Features::COUNT] = [
        "simd",
        "relaxed-simd",
        "call_ref",
        "exceptions",
        "tail-calls",
        "br_on_null",
    ];

    fn of(wasm: &[u8]) -> Features {
        use wasmparser::{Operator as O, Parser, Payload};
        let mut f = Features::default();
        for payload in Parser::new(0).parse_all(wasm) {
            let Ok(Payload::CodeSectionEntry(body)) = payload else {
                continue;
            };
            let Ok(mut ops) = body.get_operators_reader() else {
                continue;
            };
            while !ops.eof() {
                let Ok((op, at)) = ops.read_with_offset() else {
                    break;
                };
                let at = at as usize;
                // SIMD instructions are the 0xfd prefix and a LEB128 sub-opcode; the relaxed
                // ones are sub-opcodes 0x100..=0x113 (two LEB bytes: 0x80..=0x93, 0x02).
                if wasm[at] == 0xfd {
                    f.0[0] = true;
                    if wasm.get(at + 2) == Some(&0x02) && (0x80..=0x93).contains(&wasm[at + 1]) {
                        f.0[1] = true;
                    }
                }
                match op {
                    O::CallRef { .. } | O::ReturnCallRef { .. } => f.0[2] = true,
                    O::TryTable { .. } | O::Throw { .. } | O::ThrowRef => f.0[3] = true,
                    _ => {}
                }
                match op {
                    O::ReturnCall { .. }
                    | O::ReturnCallIndirect { .. }
                    | O::ReturnCallRef { .. } => f.0[4] = true,
                    O::BrOnNull { .. } | O::BrOnNonNull { .. } => f.0[5] = true,
                    _ => {}
                }
            }
        }
        f
    }

    /// Counts `c[i]` for each feature `i` the module uses.
    fn bump_each(&self, c: &[AtomicU64; Features::COUNT]) {
        for (used, c) in self.0.iter().zip(c) {
            if *used {
                bump(c);
            }
        }
    }
}

/// Fuel a store starts with when the input asks for metering: enough for most calls, so
/// running out stays one outcome among others (`ensure_termination` bounds loops anyway).
const MAX_FUEL: u64 = 200_000;

/// The module generator's configuration; `typed_refs` selects the half of the inputs with
/// typed function references (see the module docs).
fn smith_config(typed_refs: bool) -> wasm_smith::Config {
    let mut c = common::smith_config();
    // Both sides are kpio with the deterministic profile: relaxed SIMD must match exactly.
    c.relaxed_simd_enabled = true;
    // Exception handling, the exnref form (wasm-smith 0.263 has no legacy `try`).
    c.exceptions_enabled = true;
    // wasm-smith's switch for typed function references (there is no separate one). GC
    // types and abstract heap types come with it, and kpio refuses modules that use them,
    // so only half the inputs turn it on (the other half always reach execution), and
    // those take their types from `typed_ref_types` rather than make them up: with its
    // own types wasm-smith makes two in three a struct or array type, and nearly every
    // module GC. Some still are, by a local, global or table of a GC heap type.
    c.gc_enabled = typed_refs;
    if typed_refs {
        c.available_imports = Some(typed_ref_types());
        c.max_types = TYPED_REF_TYPES;
    }
    // No struct/array instructions: they would only make more modules GC ones.
    c.allowed_instructions = common::instructions_without_gc();
    c
}

/// How many types `typed_ref_types` defines.
const TYPED_REF_TYPES: usize = 12;

/// A module with only a type section: the function types (all final, no supertypes, so
/// no GC) that the typed-reference half of the inputs uses. wasm-smith copies an
/// `available_imports` module's types into each module it makes (this one imports
/// nothing), and with `max_types` at their number makes no others. They mix numbers,
/// vectors and (nullable) references to functions of these types (`call_ref`,
/// `return_call_ref` and `br_on_null` need concrete function references), and the
/// parameter-only ones serve as tag types.
fn typed_ref_types() -> Vec<u8> {
    use wasm_encoder::{HeapType, Module, RefType, TypeSection, ValType as V};
    // Nullable only: wasm-smith cannot make a value of a non-nullable reference type where
    // it needs one from nothing (a local's, or a result after a trap), and asserts.
    let to = |ty: u32| {
        V::Ref(RefType {
            nullable: true,
            heap_type: HeapType::Concrete(ty),
        })
    };
    let types: [(Vec<V>, Vec<V>); TYPED_REF_TYPES] = [
        (vec![V::I32], vec![V::I32]),
        (vec![V::I64, V::I64], vec![V::I64]),
        (vec![], vec![]),
        (vec![V::F32, V::F64], vec![V::F64]),
        (vec![V::V128, V::I32], vec![V::V128]),
        (vec![to(0), V::I32], vec![V::I32]),
        (vec![to(1)], vec![to(0), V::I64]),
        (vec![V::EXNREF, V::I32], vec![V::EXNREF]),
        (vec![V::FUNCREF, V::EXTERNREF], vec![to(2)]),
        (vec![], vec![V::I32, to(0)]),
        (vec![V::I32, to(0)], vec![]),
        (vec![V::I64, V::F32, to(5)], vec![]),
    ];
    let mut section = TypeSection::new();
    for (params, results) in types {
        section.ty().function(params, results);
    }
    let mut module = Module::new();
    module.section(&section);
    module.finish()
}

/// This build must have threaded dispatch, or both engines would run the portable loop and
/// the target would compare nothing (fuzz builds are optimised x86_64: they have it).
fn check_build() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let auto = Engine::new(common::kpio_config());
        assert_eq!(
            auto.dispatch_backend(),
            "threaded",
            "this build of kpio-wasm has no threaded dispatch (built with portable-dispatch, \
             or not optimised?): the backends target would compare the portable loop with itself"
        );
    });
}

fuzz_target!(|data: &[u8]| {
    check_build();
    bump(&STATS.inputs);
    report_stats();
    let Some((&selector, data)) = data.split_first() else {
        return;
    };
    let typed_refs = selector & 1 == 1;
    let mut u = Unstructured::new(data);
    let Ok(mut smith) = wasm_smith::Module::new(smith_config(typed_refs), &mut u) else {
        return;
    };
    if smith.ensure_termination(TERMINATION_FUEL).is_err() {
        return;
    }
    let wasm = smith.to_bytes();
    bump(&STATS.modules);
    if typed_refs {
        bump(&STATS.typed_refs_modules);
    }
    dump(&wasm);
    run(&wasm, &mut u);
});

/// One side: an engine with its store and module.
struct Side {
    store: Store<()>,
    module: Module,
}

/// Why a module is not compared (see the module docs).
enum Skip {
    Gc,
}

fn run(wasm: &[u8], u: &mut Unstructured<'_>) {
    // --- Configuration: everything but the dispatch backend is the same ---------------
    let consume_fuel: bool = u.arbitrary().unwrap_or(false);
    let interruptible: bool = u.arbitrary().unwrap_or(false);
    let fuel = u.int_in_range(0..=MAX_FUEL).unwrap_or(MAX_FUEL);
    let side = |dispatch| -> Result<Side, Skip> {
        let engine = Engine::new(kpio_wasm::Config {
            consume_fuel,
            interruptible,
            dispatch,
            ..common::kpio_config()
        });
        let module = match Module::new(&engine, wasm) {
            Ok(m) => m,
            Err(e)
                if e.kind() == kpio_wasm::ModuleErrorKind::Unsupported
                    && e.message().contains("GC") =>
            {
                return Err(Skip::Gc);
            }
            Err(e) => panic!(
                "kpio rejected a valid wasm-smith module: {e}\n{}",
                print_module(wasm)
            ),
        };
        let mut store = Store::new(&engine, ());
        if consume_fuel {
            store.set_fuel(fuel);
        }
        Ok(Side { store, module })
    };

    // --- Validation -------------------------------------------------------------------
    let mut t = match side(Dispatch::Auto) {
        Ok(t) => t,
        Err(skip) => {
            bump(match skip {
                Skip::Gc => &STATS.gc_refused,
            });
            return;
        }
    };
    // Validation and translation do not depend on the backend.
    let Ok(mut p) = side(Dispatch::Portable) else {
        panic!("the portable engine refused a module the threaded one accepted");
    };

    // --- Instantiation ----------------------------------------------------------------
    let ti = Linker::new().instantiate(&mut t.store, &t.module);
    let pi = Linker::new().instantiate(&mut p.store, &p.module);
    let (ti, pi) = match (ti, pi) {
        (Ok(ti), Ok(pi)) => (ti, pi),
        (ti, pi) => {
            let (ts, ps) = (format!("{:?}", ti.err()), format!("{:?}", pi.err()));
            bump(&STATS.instantiation_traps);
            if ts != ps {
                panic!(
                    "instantiation differs:\n  threaded: {ts}\n  portable: {ps}\n{}",
                    print_module(wasm)
                );
            }
            return;
        }
    };

    bump(&STATS.instantiated);
    let features = Features::of(wasm);
    features.bump_each(&STATS.feature_modules);
    let exports: Vec<(String, ExternType)> = t
        .module
        .exports()
        .map(|(n, ty)| (n.to_string(), ty))
        .collect();
    compare_state(&t.store, ti, &p.store, pi, &exports, "after instantiation");

    // --- Calls ------------------------------------------------------------------------
    for (name, ty) in &exports {
        let ExternType::Func(fty) = ty else {
            continue;
        };
        let args: Vec<Val> = fty
            .params()
            .iter()
            .map(|p| common::kpio_arg(u, *p))
            .collect();
        let call = |side: &mut Side, inst: Instance| -> Result<Vec<Val>, Trap> {
            let f = inst.get_func(&side.store, name).expect("export");
            let mut res: Vec<Val> = fty.results().iter().map(|t| Val::default_for(*t)).collect();
            f.call(&mut side.store, &args, &mut res).map(|()| res)
        };
        let to = call(&mut t, ti);
        let po = call(&mut p, pi);
        features.bump_each(&STATS.feature_calls);
        bump(match &to {
            Ok(_) => &STATS.calls_ok,
            Err(e) if e.exception().is_some() => &STATS.calls_exception,
            Err(e) if e.limit_exceeded().is_some() || is_limit(e) => &STATS.calls_exhausted,
            Err(_) => &STATS.calls_trapped,
        });
        if to != po {
            panic!(
                "call to export `{name}` {args:?} differs:\n  threaded: {to:?}\n  portable: {po:?}\n{}",
                print_module(wasm)
            );
        }
        if stats_on() && matches!(&to, Err(e) if e.code().is_none() && e.exception().is_none()) {
            eprintln!("call ended with a non-code error (on both sides): {to:?}");
        }
        compare_state(
            &t.store,
            ti,
            &p.store,
            pi,
            &exports,
            &format!("after calling `{name}`"),
        );
    }
}

/// A limit that both sides share (so it is compared like any trap, but counted apart).
fn is_limit(t: &Trap) -> bool {
    use kpio_wasm::TrapCode as C;
    matches!(
        t.code(),
        Some(C::StackExhausted | C::OutOfFuel | C::ResourceLimitExceeded)
    )
}

/// Compares every exported global, memory and table, the fuel left and the number of
/// exception objects.
fn compare_state(
    ts: &Store<()>,
    ti: Instance,
    ps: &Store<()>,
    pi: Instance,
    exports: &[(String, ExternType)],
    when: &str,
) {
    assert_eq!(
        ts.fuel(),
        ps.fuel(),
        "fuel left differs {when} (left threaded, right portable)"
    );
    assert_eq!(
        ts.exception_objects(),
        ps.exception_objects(),
        "exception objects held differ {when} (left threaded, right portable)"
    );
    for (name, ty) in exports {
        match ty {
            // Functions have no state; a tag neither (its identity shows in exceptions).
            ExternType::Func(_) | ExternType::Tag(_) => {}
            ExternType::Global(_) => {
                let t = ti.get_global(ts, name).expect("global").get(ts);
                let p = pi.get_global(ps, name).expect("global").get(ps);
                assert_eq!(
                    t, p,
                    "global `{name}` differs {when} (left threaded, right portable)"
                );
            }
            ExternType::Memory(_) => {
                let t = ti.get_memory(ts, name).expect("memory").data(ts);
                let p = pi.get_memory(ps, name).expect("memory").data(ps);
                assert_eq!(
                    t.len(),
                    p.len(),
                    "memory `{name}` size differs {when} (left threaded, right portable)"
                );
                if t != p {
                    let at = t.iter().zip(p).position(|(a, b)| a != b).unwrap();
                    panic!(
                        "memory `{name}` contents differ {when}: first at byte {at:#x}: threaded {:#04x}, portable {:#04x}",
                        t[at], p[at]
                    );
                }
            }
            ExternType::Table(_) => {
                let tt = ti.get_table(ts, name).expect("table");
                let pt = pi.get_table(ps, name).expect("table");
                assert_eq!(
                    tt.is_64(ts),
                    pt.is_64(ps),
                    "table `{name}` index type differs {when} (left threaded, right portable)"
                );
                let (tn, pn) = (tt.size(ts), pt.size(ps));
                assert_eq!(
                    tn, pn,
                    "table `{name}` size differs {when} (left threaded, right portable)"
                );
                for i in 0..tn {
                    assert_eq!(
                        tt.get(ts, i),
                        pt.get(ps, i),
                        "table `{name}`[{i}] differs {when} (left threaded, right portable)"
                    );
                }
            }
        }
    }
}

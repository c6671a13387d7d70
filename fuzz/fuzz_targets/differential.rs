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
use common::{
    CALL_DEPTH, ENGINE_MAX_PAGES, ENGINE_MAX_TABLE, TERMINATION_FUEL, bump, dump, print_module,
    stats_due, stats_on,
};
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
             wasmi only {})",
            STATS.modules.load(Relaxed),
            STATS.wasmi_rejected.load(Relaxed),
            STATS.instantiated.load(Relaxed),
            STATS.instantiation_traps.load(Relaxed),
            STATS.calls_ok.load(Relaxed),
            STATS.calls_trapped.load(Relaxed),
            STATS.exhausted.load(Relaxed),
            STATS.exhausted_kpio_only.load(Relaxed),
            STATS.exhausted_wasmi_only.load(Relaxed),
        );
    }
}

/// What a call or instantiation did, in terms comparable across engines.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Ok(Vec<Value>),
    Trap(Kind),
    /// A stack or resource limit: limits differ between engines, so not compared.
    Exhausted(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unreachable,
    MemoryOutOfBounds,
    /// wasmi reports both `table.get`-style out-of-bounds accesses and `call_indirect` past
    /// the table's end as `TableOutOfBounds`; kpio distinguishes the latter as
    /// `UndefinedElement` (the spec testsuite's wording). Both are the same spec trap class,
    /// so they compare equal here.
    TableOutOfBounds,
    /// `call_indirect` to a null entry: kpio `UninitializedElement`, wasmi `IndirectCallToNull`.
    NullCall,
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    Other,
}

/// A value with references reduced to what both engines can show: null-ness for funcrefs,
/// and the host handle for externrefs (both engines are given the same handles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    FuncRef {
        null: bool,
    },
    ExternRef(Option<u32>),
    /// Lanes as one little-endian integer (NaNs canonicalised by wasm-smith).
    V128(u128),
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
    run(&wasm, &mut u);
});

fn run(wasm: &[u8], u: &mut Unstructured<'_>) {
    // --- Validation -------------------------------------------------------------------
    let k_engine = kpio_wasm::Engine::new(common::kpio_config());
    let k_module = match kpio_wasm::Module::new(&k_engine, wasm) {
        Ok(m) => m,
        Err(e) => panic!("kpio rejected a valid wasm-smith module: {e}"),
    };
    // wasmi runs SIMD with its `simd` cargo feature (on in Cargo.toml).
    let mut w_config = wasmi::Config::default();
    w_config
        .set_max_recursion_depth(CALL_DEPTH)
        .wasm_tail_call(true)
        .wasm_extended_const(true)
        .wasm_memory64(true)
        .wasm_multi_memory(true)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false);
    let w_engine = wasmi::Engine::new(&w_config);
    // wasmi has implementation limits of its own (e.g. on function size); a module it does
    // not take is simply not compared.
    let Ok(w_module) = wasmi::Module::new(&w_engine, wasm) else {
        bump(&STATS.wasmi_rejected);
        return;
    };

    // --- Instantiation ----------------------------------------------------------------
    let mut k_store = kpio_wasm::Store::new(&k_engine, ());
    let mut w_store = wasmi::Store::new(
        &w_engine,
        wasmi::StoreLimitsBuilder::new()
            .memory_size(ENGINE_MAX_PAGES as usize * 65536)
            .table_elements(ENGINE_MAX_TABLE as usize)
            .build(),
    );
    w_store.limiter(|limits| limits);

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
    compare_state(
        &k_store,
        k_inst,
        &w_store,
        w_inst,
        &exports,
        "after instantiation",
    );

    // --- Calls ------------------------------------------------------------------------
    for (name, ty) in &exports {
        let kpio_wasm::ExternType::Func(fty) = ty else {
            continue;
        };
        let k_func = k_inst.get_func(&k_store, name).expect("kpio export");
        let w_func = w_inst.get_func(&w_store, name).expect("wasmi export");

        let mut k_args = Vec::new();
        let mut w_args = Vec::new();
        for p in fty.params() {
            let k = common::kpio_arg(u, *p);
            w_args.push(to_wasmi(&k, &mut w_store));
            k_args.push(k);
        }
        let mut k_res: Vec<kpio_wasm::Val> = fty
            .results()
            .iter()
            .map(|t| kpio_wasm::Val::default_for(*t))
            .collect();
        let w_ty = w_func.ty(&w_store);
        let mut w_res: Vec<wasmi::Val> = w_ty
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();

        let ko = match k_func.call(&mut k_store, &k_args, &mut k_res) {
            Ok(()) => Outcome::Ok(k_res.iter().map(kpio_value).collect()),
            Err(t) => kpio_outcome(&t, false),
        };
        let wo = match w_func.call(&mut w_store, &w_args, &mut w_res) {
            Ok(()) => Outcome::Ok(w_res.iter().map(|v| wasmi_value(&w_store, v)).collect()),
            Err(e) => wasmi_outcome(&e),
        };
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
        compare_state(
            &k_store,
            k_inst,
            &w_store,
            w_inst,
            &exports,
            &format!("after calling `{name}`"),
        );
    }
}

/// The same argument for wasmi (`common::kpio_arg` drew it): externrefs get the same
/// handle, funcrefs are null.
fn to_wasmi(k: &kpio_wasm::Val, w_store: &mut wasmi::Store<wasmi::StoreLimits>) -> wasmi::Val {
    use kpio_wasm::Val as K;
    use wasmi::Val as W;
    match *k {
        K::I32(v) => W::I32(v),
        K::I64(v) => W::I64(v),
        K::F32(v) => W::F32(wasmi::F32::from_bits(v.to_bits())),
        K::F64(v) => W::F64(wasmi::F64::from_bits(v.to_bits())),
        K::V128(v) => W::V128(wasmi::V128::from(v)),
        K::FuncRef(None) => W::FuncRef(wasmi::Nullable::Null),
        K::ExternRef(None) => W::ExternRef(wasmi::Nullable::Null),
        K::ExternRef(Some(h)) => W::ExternRef(wasmi::Nullable::Val(wasmi::ExternRef::new(
            &mut *w_store,
            h.get(),
        ))),
        // The wasm-smith config here has neither typed references nor exceptions.
        K::FuncRef(Some(_)) | K::ExnRef(_) => {
            panic!("this harness's modules have no parameter taking {k:?}")
        }
    }
}

fn kpio_value(v: &kpio_wasm::Val) -> Value {
    use kpio_wasm::Val as K;
    match v {
        K::I32(x) => Value::I32(*x),
        K::I64(x) => Value::I64(*x),
        K::F32(x) => Value::F32(x.to_bits()),
        K::F64(x) => Value::F64(x.to_bits()),
        K::FuncRef(f) => Value::FuncRef { null: f.is_none() },
        K::ExternRef(e) => Value::ExternRef(e.map(|e| e.get())),
        K::V128(x) => Value::V128(*x),
        K::ExnRef(_) => panic!("a 2.0 module has no exception references"),
    }
}

fn wasmi_value(store: &wasmi::Store<wasmi::StoreLimits>, v: &wasmi::Val) -> Value {
    use wasmi::Val as W;
    match v {
        W::I32(x) => Value::I32(*x),
        W::I64(x) => Value::I64(*x),
        W::F32(x) => Value::F32(x.to_bits()),
        W::F64(x) => Value::F64(x.to_bits()),
        W::FuncRef(f) => Value::FuncRef { null: f.is_null() },
        W::ExternRef(e) => Value::ExternRef(e.val().map(|e| extern_handle(store, e))),
        // `as_u128` reads the lanes in native order; fuzzing runs on little-endian x86-64.
        W::V128(x) => Value::V128(x.as_u128()),
    }
}

fn wasmi_ref(store: &wasmi::Store<wasmi::StoreLimits>, r: &wasmi::Ref) -> Value {
    match r {
        wasmi::Ref::Func(f) => Value::FuncRef { null: f.is_null() },
        wasmi::Ref::Extern(e) => Value::ExternRef(e.val().map(|e| extern_handle(store, e))),
    }
}

fn extern_handle(store: &wasmi::Store<wasmi::StoreLimits>, e: &wasmi::ExternRef) -> u32 {
    *e.data(store)
        .downcast_ref::<u32>()
        .expect("externref made by this harness")
}

fn kpio_outcome(t: &kpio_wasm::Trap, instantiating: bool) -> Outcome {
    use kpio_wasm::TrapCode as C;
    let kind = match t.code() {
        Some(C::Unreachable) => Kind::Unreachable,
        Some(C::MemoryOutOfBounds) => Kind::MemoryOutOfBounds,
        Some(C::TableOutOfBounds | C::UndefinedElement) => Kind::TableOutOfBounds,
        Some(C::UninitializedElement) => Kind::NullCall,
        Some(C::IndirectCallTypeMismatch) => Kind::IndirectCallTypeMismatch,
        Some(C::IntegerDivideByZero) => Kind::IntegerDivideByZero,
        Some(C::IntegerOverflow) => Kind::IntegerOverflow,
        Some(C::InvalidConversionToInteger) => Kind::InvalidConversionToInteger,
        Some(C::StackExhausted | C::OutOfFuel | C::ResourceLimitExceeded) => {
            return Outcome::Exhausted(t.to_string());
        }
        Some(C::Interrupted) => panic!("nothing interrupts the harness's stores: {t}"),
        // Typed references and exceptions are off in this harness's wasm-smith config.
        Some(C::NullReference | C::NullFunctionReference | C::NullExceptionReference) => {
            panic!("this harness's modules cannot trap with {t}")
        }
        Some(C::BadSignature) => panic!("harness called a kpio function with wrong arguments: {t}"),
        // Instantiation reports a memory or table larger than the store allows as a host
        // trap: a resource limit.
        None if instantiating => return Outcome::Exhausted(t.to_string()),
        None => {
            eprintln!("kpio: unexpected non-code trap: {t}");
            Kind::Other
        }
    };
    Outcome::Trap(kind)
}

fn wasmi_outcome(e: &wasmi::Error) -> Outcome {
    use wasmi::TrapCode as C;
    use wasmi::errors::{ErrorKind, InstantiationError};
    let kind = match e.as_trap_code() {
        Some(C::UnreachableCodeReached) => Kind::Unreachable,
        Some(C::MemoryOutOfBounds) => Kind::MemoryOutOfBounds,
        Some(C::TableOutOfBounds) => Kind::TableOutOfBounds,
        Some(C::IndirectCallToNull) => Kind::NullCall,
        Some(C::BadSignature) => Kind::IndirectCallTypeMismatch,
        Some(C::IntegerDivisionByZero) => Kind::IntegerDivideByZero,
        Some(C::IntegerOverflow) => Kind::IntegerOverflow,
        Some(C::BadConversionToInteger) => Kind::InvalidConversionToInteger,
        Some(
            C::StackOverflow | C::OutOfFuel | C::GrowthOperationLimited | C::OutOfSystemMemory,
        ) => {
            return Outcome::Exhausted(e.to_string());
        }
        None => match e.kind() {
            // An active element segment that does not fit its table.
            ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit { .. }) => {
                Kind::TableOutOfBounds
            }
            ErrorKind::Instantiation(_)
            | ErrorKind::Memory(_)
            | ErrorKind::Table(_)
            | ErrorKind::UserLimits(_)
            | ErrorKind::ImplementationLimits(_) => return Outcome::Exhausted(e.to_string()),
            _ => {
                eprintln!("wasmi: unexpected error: {e}");
                Kind::Other
            }
        },
    };
    Outcome::Trap(kind)
}

/// Compares every exported global, memory and table.
fn compare_state(
    ks: &kpio_wasm::Store<()>,
    ki: kpio_wasm::Instance,
    ws: &wasmi::Store<wasmi::StoreLimits>,
    wi: wasmi::Instance,
    exports: &[(String, kpio_wasm::ExternType)],
    when: &str,
) {
    for (name, ty) in exports {
        match ty {
            // Functions have no state; tags neither (and 2.0 modules have none).
            kpio_wasm::ExternType::Func(_) | kpio_wasm::ExternType::Tag(_) => {}
            kpio_wasm::ExternType::Global(_) => {
                let k = kpio_value(&ki.get_global(ks, name).expect("kpio global").get(ks));
                let w = wasmi_value(ws, &wi.get_global(ws, name).expect("wasmi global").get(ws));
                assert_eq!(
                    k, w,
                    "global `{name}` differs {when} (left kpio, right wasmi)"
                );
            }
            kpio_wasm::ExternType::Memory(_) => {
                let k = ki.get_memory(ks, name).expect("kpio memory").data(ks);
                let w = wi.get_memory(ws, name).expect("wasmi memory").data(ws);
                assert_eq!(
                    k.len(),
                    w.len(),
                    "memory `{name}` size differs {when} (left kpio, right wasmi)"
                );
                if k != w {
                    let at = k.iter().zip(w).position(|(a, b)| a != b).unwrap();
                    panic!(
                        "memory `{name}` contents differ {when}: first at byte {at:#x}: kpio {:#04x}, wasmi {:#04x}",
                        k[at], w[at]
                    );
                }
            }
            kpio_wasm::ExternType::Table(_) => {
                let kt = ki.get_table(ks, name).expect("kpio table");
                let wt = wi.get_table(ws, name).expect("wasmi table");
                assert_eq!(
                    kt.is_64(ks),
                    wt.ty(ws).is_64(),
                    "table `{name}` index type differs {when} (left kpio, right wasmi)"
                );
                let (kn, wn) = (kt.size(ks), wt.size(ws));
                assert_eq!(
                    u64::from(kn),
                    wn,
                    "table `{name}` size differs {when} (left kpio, right wasmi)"
                );
                for i in 0..kn {
                    let k = kpio_value(&kt.get(ks, i).expect("kpio table index"));
                    let w = wasmi_ref(ws, &wt.get(ws, u64::from(i)).expect("wasmi table index"));
                    assert_eq!(
                        k, w,
                        "table `{name}`[{i}] differs {when} (left kpio, right wasmi)"
                    );
                }
            }
        }
    }
}

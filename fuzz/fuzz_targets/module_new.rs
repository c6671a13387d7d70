//! Guards `kpio_wasm::Module::new` against arbitrary (mostly malformed) bytes: decoding and
//! validation must return `Ok` or `Err`, never panic, hang or over-allocate.
//!
//! Half the inputs (odd first byte) are not raw bytes but a wasm-smith module with typed
//! function references (`call_ref`, `return_call_ref`, `ref.as_non_null`, `br_on_null`,
//! `br_on_non_null`, typed locals, globals and tables), exception handling (`try_table`,
//! `throw`, `throw_ref`, tags, so the unwinder is reached too) and tail calls. wasmi 2.0
//! runs none of them, so this is the target that fuzzes them (the `differential` one keeps
//! to 2.0).
//! wasm-smith only generates function references with its GC switch on, so these modules
//! may also use GC, which kpio refuses by design: a wasm-smith module is valid, so kpio
//! must accept it or refuse it as `Unsupported`, never call it malformed or invalid.
//!
//! When a module is accepted and has no imports, it is also instantiated (memories, tables,
//! globals, element and data segments, start function) and every exported function is called
//! once with zero arguments, so the lazy translator and the interpreter see whatever the
//! validator let through. Execution is metered with fuel so a start function or export that
//! loops forever ends with `OutOfFuel`; every error is a value and is ignored here — only a
//! panic (or a sanitizer report) is a finding.
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};

use arbitrary::Unstructured;
use kpio_wasm::{Config, Engine, Extern, Linker, Module, ModuleErrorKind, Store, Val};
use libfuzzer_sys::fuzz_target;

mod common;

/// Fuel for instantiation plus all calls of one input.
const FUEL: u64 = 200_000;

/// wasm-smith modules generated, accepted by kpio, and refused as unsupported (GC);
/// printed every 10,000 generated with `KPIO_FUZZ_STATS=1`.
static SMITH: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

fn smith_config() -> wasm_smith::Config {
    let mut c = wasm_smith::Config::default();
    // wasm-smith's switch for typed function references (there is no separate one).
    c.gc_enabled = true;
    c.reference_types_enabled = true;
    c.tail_call_enabled = true;
    c.extended_const_enabled = true;
    c.exceptions_enabled = true;
    c.simd_enabled = true;
    // No struct/array instructions: they would only make more modules GC ones.
    c.allowed_instructions = common::instructions_without_gc();
    // Proposals kpio does not run on this branch.
    c.relaxed_simd_enabled = false;
    c.threads_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.memory64_enabled = false;
    c.custom_page_sizes_enabled = false;
    c.wide_arithmetic_enabled = false;
    c.compact_imports_enabled = false;
    c.custom_descriptors_enabled = false;
    c.max_memories = 1;
    c.max_imports = 0;
    c.max_types = 10;
    c.max_memory32_bytes = 16 * 65536;
    c.max_table_elements = 1_000;
    c.export_everything = true;
    c
}

/// A wasm-smith module from the input (after its selector byte), checked as described above.
fn smith_module(data: &[u8]) -> Option<Module> {
    let mut u = Unstructured::new(data);
    let smith = wasm_smith::Module::new(smith_config(), &mut u).ok()?;
    let wasm = smith.to_bytes();
    let n = SMITH[0].fetch_add(1, Ordering::Relaxed) + 1;
    if n % 10_000 == 0 && std::env::var_os("KPIO_FUZZ_STATS").is_some() {
        eprintln!(
            "smith modules: {n}, accepted {}, refused as unsupported {}",
            SMITH[1].load(Ordering::Relaxed),
            SMITH[2].load(Ordering::Relaxed)
        );
    }
    match Module::new(&Engine::default(), &wasm) {
        Ok(m) => {
            SMITH[1].fetch_add(1, Ordering::Relaxed);
            Some(m)
        }
        Err(e) if e.kind() == ModuleErrorKind::Unsupported => {
            SMITH[2].fetch_add(1, Ordering::Relaxed);
            None
        }
        Err(e) => panic!("kpio refused a valid wasm-smith module: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let module = match data.split_first() {
        Some((sel, rest)) if sel & 1 == 1 => smith_module(rest),
        _ => Module::new(&Engine::default(), data).ok(),
    };
    let Some(module) = module else {
        return;
    };
    if module.imports().next().is_some() {
        return;
    }
    // Module::new ignores the engine; the store's engine sets the limits. Keep memories and
    // tables small so a module declaring 4 GiB of memory is refused rather than allocated.
    let engine = Engine::new(Config {
        max_value_stack: 1 << 20,
        max_call_depth: 10_000,
        max_memory_pages: 256,
        max_table_elements: 100_000,
        consume_fuel: true,
        ..Config::default()
    });
    let mut store = Store::new(&engine, ());
    store.set_fuel(FUEL);
    let Ok(instance) = Linker::new().instantiate(&mut store, &module) else {
        return;
    };
    let funcs: Vec<_> = instance
        .exports(&store)
        .filter_map(|(_, e)| match e {
            Extern::Func(f) => Some(f),
            _ => None,
        })
        .collect();
    for f in funcs {
        let ty = f.ty(&store);
        let params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        let _ = f.call(&mut store, &params, &mut results);
        if store.fuel() == 0 {
            break;
        }
    }
});

//! Guards `kpio_wasm::Module::new` against arbitrary (mostly malformed) bytes: decoding and
//! validation must return `Ok` or `Err`, never panic, hang or over-allocate.
//!
//! When a module is accepted and has no imports, it is also instantiated (memories, tables,
//! globals, element and data segments, start function) and every exported function is called
//! once with zero arguments, so the lazy translator and the interpreter see whatever the
//! validator let through. Execution is metered with fuel so a start function or export that
//! loops forever ends with `OutOfFuel`; every error is a value and is ignored here — only a
//! panic (or a sanitizer report) is a finding.
//!
//! An input whose first byte is odd is not taken as a module: the rest drives wasm-smith,
//! which builds a valid module using the proposals the engine runs beyond 2.0 that raw
//! bytes almost never reach (exception handling's `try_table`/`throw`/`throw_ref` and
//! tags, tail calls, extended constants), so those paths of the translator and the
//! unwinder get exercised too. Even first bytes keep the raw-bytes fuzzing (the whole
//! input is the module).
#![no_main]

use kpio_wasm::{Config, Engine, Extern, Linker, Module, Store, Val};
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

/// Fuel for instantiation plus all calls of one input.
const FUEL: u64 = 200_000;

/// wasm-smith limited to what the engine runs, with the post-2.0 proposals it runs on.
fn smith_config() -> wasm_smith::Config {
    let mut c = wasm_smith::Config::default();
    // Run by the engine beyond WebAssembly 2.0.
    c.exceptions_enabled = true;
    c.tail_call_enabled = true;
    c.extended_const_enabled = true;
    // Not run (validation would refuse the module: no execution to fuzz).
    c.relaxed_simd_enabled = false;
    c.threads_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.gc_enabled = false;
    c.memory64_enabled = false;
    c.custom_page_sizes_enabled = false;
    c.wide_arithmetic_enabled = false;
    c.compact_imports_enabled = false;
    c.custom_descriptors_enabled = false;
    c.max_memories = 1;
    c.simd_enabled = true;
    c.reference_types_enabled = true;
    c.bulk_memory_enabled = true;
    c.multi_value_enabled = true;
    c.saturating_float_to_int_enabled = true;
    c.sign_extension_ops_enabled = true;
    // Instantiable without a host; everything exported, so every function is called.
    c.max_imports = 0;
    c.min_imports = 0;
    c.export_everything = true;
    c.max_memory32_bytes = 16 * 65536;
    c.max_table_elements = 1000;
    c
}

fuzz_target!(|data: &[u8]| {
    let smith;
    let bytes = match data.split_first() {
        Some((first, rest)) if first & 1 == 1 => {
            let mut u = Unstructured::new(rest);
            let Ok(m) = wasm_smith::Module::new(smith_config(), &mut u) else {
                return;
            };
            smith = m.to_bytes();
            &smith[..]
        }
        _ => data,
    };
    let Ok(module) = Module::new(&Engine::default(), bytes) else {
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

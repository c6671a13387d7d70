//! Guards `kpio_wasm::Module::new` against arbitrary (mostly malformed) bytes: decoding and
//! validation must return `Ok` or `Err`, never panic, hang or over-allocate.
//!
//! When a module is accepted and has no imports, it is also instantiated (memories, tables,
//! globals, element and data segments, start function) and every exported function is called
//! once with zero arguments, so the lazy translator and the interpreter see whatever the
//! validator let through. Execution is metered with fuel so a start function or export that
//! loops forever ends with `OutOfFuel`; every error is a value and is ignored here — only a
//! panic (or a sanitizer report) is a finding.
#![no_main]

use kpio_wasm::{Config, Engine, Extern, Linker, Module, Store, Val};
use libfuzzer_sys::fuzz_target;

/// Fuel for instantiation plus all calls of one input.
const FUEL: u64 = 200_000;

fuzz_target!(|data: &[u8]| {
    let Ok(module) = Module::new(&Engine::default(), data) else {
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

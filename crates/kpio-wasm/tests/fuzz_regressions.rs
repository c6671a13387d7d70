//! Inputs the fuzz targets found, kept as regression tests (see `fuzz/README.md`). The
//! modules are wasm-smith's, kept as bytes in `tests/fuzz-regressions/`.

use kpio_wasm::{Engine, Linker, Module, Store, Val};

/// Instantiates `tests/fuzz-regressions/NAME.wasm` and calls export `func` with zero
/// arguments of its parameter types, returning its results (or the trap's message).
fn call_zeroes(name: &str, func: &str) -> Result<Vec<Val>, String> {
    let path = format!(
        "{}/tests/fuzz-regressions/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    let engine = Engine::default();
    let module = Module::new(&engine, &std::fs::read(path).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = instance.get_func(&store, func).unwrap();
    let ty = f.ty(&store);
    let args: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
    let mut out: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    f.call(&mut store, &args, &mut out)
        .map(|()| out)
        .map_err(|t| t.to_string())
}

/// differential, 2026-12-01: a `select` of two `v128` values whose `i32` condition was the
/// frame's last slot. The debug verifier took `V128Select`'s `Aux` word (its condition) for
/// a `v128` operand of two slots and refused the correct code ("internal error: ...
/// V128Select ...: v128 operand in slot 47 of a frame of 48", a panic in debug builds). The
/// function loops until wasm-smith's termination counter runs out, so it ends in a trap.
#[test]
fn v128_select_with_its_condition_in_the_last_frame_slot() {
    let r = call_zeroes("v128-select-condition-in-last-slot", "");
    let e = r.expect_err("the termination counter ends the call");
    assert!(e.contains("unreachable"), "{e}");
}

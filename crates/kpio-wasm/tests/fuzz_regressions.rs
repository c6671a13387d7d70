//! Inputs the fuzz targets found, kept as regression tests (see `fuzz/README.md`). The
//! modules are wasm-smith's, kept as bytes in `tests/fuzz-regressions/`.

use kpio_wasm::{Engine, Linker, Module, Store, Val};

/// Instantiates `tests/fuzz-regressions/NAME.wasm` and calls export `func` with zero
/// arguments of its parameter types, returning its results (or the trap's message).
fn call_zeroes(name: &str, func: &str) -> Result<Vec<Val>, String> {
    call_zeroes_on(&Engine::default(), name, func)
}

/// [`call_zeroes`] on `engine`.
fn call_zeroes_on(engine: &Engine, name: &str, func: &str) -> Result<Vec<Val>, String> {
    let path = format!(
        "{}/tests/fuzz-regressions/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    let engine = engine.clone();
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

/// tiers, 2026-12-02: function 0 returns 17 values and calls itself. In native code
/// (JIT-only engine) the recursion ran until the host stack ran out under AddressSanitizer:
/// the helpers computed the stack limit from the address of a local, which ASan moves to a
/// heap "fake stack", so the limit never fired; and native code did not count the call
/// depth. With the fuzzer's depth limit (2,000) every tier must end every export the same
/// way as the interpreter.
#[cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]
#[test]
fn jit_recursion_with_many_results_matches_the_interpreter() {
    use kpio_wasm::{Config, Tier};
    let with = |tier| {
        Engine::new(Config {
            tier,
            jit_threshold: 1,
            jit_background: false,
            max_call_depth: 2000,
            ..Config::default()
        })
    };
    let bytes = std::fs::read(format!(
        "{}/tests/fuzz-regressions/jit-native-stack-overflow.wasm",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let module = Module::new(&with(Tier::Interp), &bytes).unwrap();
    let names: Vec<String> = module
        .exports()
        .filter(|(_, ty)| matches!(ty, kpio_wasm::ExternType::Func(_)))
        .map(|(name, _)| name.to_string())
        .collect();
    assert!(!names.is_empty());
    for name in &names {
        let want = call_zeroes_on(&with(Tier::Interp), "jit-native-stack-overflow", name);
        for tier in [Tier::Jit, Tier::Auto] {
            let e = with(tier);
            let got = call_zeroes_on(&e, "jit-native-stack-overflow", name);
            assert_eq!(got, want, "export {name:?} on {tier:?}");
            assert!(e.jit_stats().compiled >= 1, "{tier:?} compiled nothing");
        }
    }
}

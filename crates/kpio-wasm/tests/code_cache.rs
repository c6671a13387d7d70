//! The code cache: native code kept from one run (or from `precompile`) is verified and
//! used by the next, which then starts in native code; damaged or foreign entries are
//! refused whole and the module runs as if there were none.
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use kpio_wasm::jit::{CodeCacheError, CompileReason};
use kpio_wasm::{Config, Engine, Func, FuncType, Linker, Module, Store, Tier, Val, ValType};

const WAT: &str = r#"
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32) local.get 0
    else
      local.get 0 i32.const 1 i32.sub call $fib
      local.get 0 i32.const 2 i32.sub call $fib
      i32.add
    end)
  (func (export "host") (param i32) (result i32) local.get 0 i32.const 40 call $add)
  (func (export "sum") (param $n i32) (result i64) (local $acc i64)
    block $out loop $top
      local.get $n i32.eqz br_if $out
      local.get $acc local.get $n i64.extend_i32_u i64.add local.set $acc
      local.get $n i32.const 1 i32.sub local.set $n
      br $top
    end end
    local.get $acc))
"#;

fn engine(tier: Tier, interruptible: bool) -> Engine {
    Engine::new(Config {
        tier,
        jit_threshold: 10,
        // What is compiled, and when, is part of what these tests check.
        jit_background: false,
        interruptible,
        ..Config::default()
    })
}

fn module(engine: &Engine, wat: &str) -> Module {
    Module::new(engine, &wat::parse_str(wat).unwrap()).unwrap()
}

/// Calls `fib(20)`, `host(2)` and `sum(100000)` on a fresh instance of `module`.
fn run(engine: &Engine, module: &Module) -> (i32, i32, i64) {
    let mut store = Store::new(engine, ());
    let add = Func::new(
        &mut store,
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        |_, args, res| {
            res[0] = Val::I32(args[0].i32().unwrap() + args[1].i32().unwrap());
            Ok(())
        },
    );
    let mut linker = Linker::new();
    linker.define("env", "add", add);
    let inst = linker.instantiate(&mut store, module).unwrap();
    let mut call = |name: &str, arg: i32| {
        let f = inst.get_func(&store, name).unwrap();
        let mut out = [Val::default_for(f.ty(&store).results()[0])];
        f.call(&mut store, &[Val::I32(arg)], &mut out).unwrap();
        out[0]
    };
    let fib = call("fib", 20).i32().unwrap();
    let host = call("host", 2).i32().unwrap();
    let sum = match call("sum", 100_000) {
        Val::I64(v) => v,
        v => panic!("{v:?}"),
    };
    (fib, host, sum)
}

const EXPECTED: (i32, i32, i64) = (6765, 42, 5_000_050_000);

#[test]
fn a_second_run_starts_with_the_first_runs_native_code() {
    // With the background compiler, which compiles `fib` once hot and, as idle work, the
    // entry of `sum`: called once, that call moved into native code at its loop.
    let first = Engine::new(Config {
        tier: Tier::Auto,
        jit_threshold: 10,
        jit_background: true,
        interruptible: true,
        ..Config::default()
    });
    let m = module(&first, WAT);
    assert_eq!(run(&first, &m), EXPECTED);
    // Wait for the background compiler.
    first.jit_wait_idle();
    // Function entries compiled (on-stack-replacement entries are not kept).
    let stats = first.jit_stats();
    let compiled = stats
        .events
        .iter()
        .filter(|e| !matches!(e.reason, CompileReason::Loop(_)))
        .count() as u64;
    assert!(compiled >= 2, "{stats:?}");
    let entry = m.native_code_entry(&first).expect("code was compiled");
    // Nothing new since: no second entry.
    assert!(m.native_code_entry(&first).is_none());

    // A new engine and module, as a second launch has.
    let second = engine(Tier::Auto, true);
    let m2 = module(&second, WAT);
    assert_eq!(m2.code_cache_key(&second), m.code_cache_key(&first));
    assert_eq!(m2.load_native_code(&second, &entry), Ok(compiled as usize));
    assert_eq!(run(&second, &m2), EXPECTED);
    let stats = second.jit_stats();
    assert_eq!(stats.compiled, 0, "nothing compiled again: {stats:?}");
    assert_eq!(stats.from_cache, compiled, "{stats:?}");
    // Taken on the first call, not after the threshold's 10.
    assert!(
        stats
            .events
            .iter()
            .all(|e| e.reason == CompileReason::CodeCache)
    );
    assert!(
        m2.native_code_entry(&second).is_none(),
        "nothing new to keep"
    );
}

#[test]
fn a_precompiled_entry_covers_every_function() {
    let e = engine(Tier::Auto, true);
    let m = module(&e, WAT);
    let pre = m.precompile(&e).unwrap();
    assert_eq!((pre.compiled, pre.refused), (3, 0), "{pre:?}");
    let m2 = module(&e, WAT);
    assert_eq!(m2.load_native_code(&e, &pre.entry), Ok(3));
    assert_eq!(run(&e, &m2), EXPECTED);
    let stats = e.jit_stats();
    assert_eq!((stats.compiled, stats.from_cache), (0, 3), "{stats:?}");
}

#[test]
fn a_damaged_entry_is_refused_and_the_module_still_runs() {
    let e = engine(Tier::Auto, true);
    let m = module(&e, WAT);
    let good = m.precompile(&e).unwrap().entry;
    // A flipped bit in the machine code, a truncated file, garbage.
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    let cases: [(&str, &[u8]); 4] = [
        ("flipped", &flipped),
        ("truncated", &good[..good.len() - 1]),
        ("empty", &[]),
        ("garbage", b"#!/bin/sh\nrm -rf /\n"),
    ];
    for (what, bad) in cases {
        let e = engine(Tier::Auto, true);
        let m = module(&e, WAT);
        let err = m.load_native_code(&e, bad).unwrap_err();
        assert!(
            matches!(err, CodeCacheError::Corrupt | CodeCacheError::NotAnEntry),
            "{what}: {err}"
        );
        assert_eq!(run(&e, &m), EXPECTED, "{what}");
        assert_eq!(e.jit_stats().from_cache, 0, "{what}");
    }
}

#[test]
fn an_entry_for_another_module_or_flavour_is_foreign() {
    let e = engine(Tier::Auto, true);
    let entry = module(&e, WAT).precompile(&e).unwrap().entry;
    // Another module: the same code with one constant changed.
    let other = module(&e, &WAT.replace("i32.const 40", "i32.const 41"));
    assert_eq!(
        other.load_native_code(&e, &entry),
        Err(CodeCacheError::Foreign)
    );
    assert_ne!(other.code_cache_key(&e), module(&e, WAT).code_cache_key(&e));
    // The same module, code without interruption checks.
    let plain = engine(Tier::Auto, false);
    assert_eq!(
        module(&plain, WAT).load_native_code(&plain, &entry),
        Err(CodeCacheError::Foreign)
    );
    // JIT-only engines count no loops: another flavour too.
    let jit = engine(Tier::Jit, true);
    assert_eq!(
        module(&jit, WAT).load_native_code(&jit, &entry),
        Err(CodeCacheError::Foreign)
    );
    // An interpreter-only engine has no native code to load.
    let interp = engine(Tier::Interp, true);
    let m = module(&interp, WAT);
    assert_eq!(m.code_cache_key(&interp), None);
    assert_eq!(
        m.load_native_code(&interp, &entry),
        Err(CodeCacheError::NoNativeTier)
    );
}

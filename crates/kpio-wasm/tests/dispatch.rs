//! `Config::dispatch`: an engine can run only the portable loop in a build that has
//! threaded dispatch, reports which backend it runs, and both backends compute the same.

use kpio_wasm::{Config, Dispatch, Engine, Linker, Module, Store, Val, dispatch_backend};

/// Calls, a loop with arithmetic and memory, a trap and an exception caught in a caller:
/// work the threaded handlers do (calls, loops) and work they hand back (throw, trap).
const WAT: &str = r#"
(module
  (memory 1)
  (tag $e (param i32))
  (func $sum (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $sq (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $acc))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "run") (param i32) (result i32 i32)
    (call $sum (local.get 0))
    (i32.load (i32.const 0)))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $thrower (local.get 0)))
      (i32.const -1)))
  (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0))))
"#;

fn engine(dispatch: Dispatch) -> Engine {
    Engine::new(Config {
        dispatch,
        ..Config::default()
    })
}

#[test]
fn an_engine_reports_the_backend_it_runs() {
    assert_eq!(engine(Dispatch::Portable).dispatch_backend(), "portable");
    assert_eq!(
        engine(Dispatch::Auto).dispatch_backend(),
        dispatch_backend()
    );
    assert_eq!(Config::default().dispatch, Dispatch::Auto);
}

/// Every call's results (or trap, with its backtrace) under one backend, on one instance.
fn outcomes(dispatch: Dispatch) -> Vec<Result<Vec<Val>, String>> {
    let engine = engine(dispatch);
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let calls: [(&str, i32, usize); 4] = [
        ("run", 1000, 2),
        ("catch", 42, 1),
        ("div", 0, 1),
        ("div", 2, 1),
    ];
    calls
        .iter()
        .map(|&(name, arg, nres)| {
            let f = inst.get_func(&store, name).unwrap();
            let mut out = vec![Val::I32(0); nres];
            f.call(&mut store, &[Val::I32(arg)], &mut out)
                .map(|()| out)
                .map_err(|t| t.to_string())
        })
        .collect()
}

#[test]
fn both_backends_compute_the_same() {
    let portable = outcomes(Dispatch::Portable);
    assert_eq!(
        portable,
        [
            Ok(vec![Val::I32(333_833_500), Val::I32(500_500)]),
            Ok(vec![Val::I32(42)]),
            Err("integer divide by zero in function 5 at offset 0xa6".to_string()),
            Ok(vec![Val::I32(3)]),
        ]
    );
    assert_eq!(outcomes(Dispatch::Auto), portable);
}

//! Exception handling in native code: `try_table`, `throw` and `throw_ref` compiled with no
//! refusal, with the interpreter's results, in every direction an exception can travel
//! (native to native, native to an interpreted catcher, interpreted to a native catcher,
//! through a host function), and with the two things native frames must get right that the
//! interpreter's do by construction: the call depth the unwound frames had taken comes
//! back, and an exception reference held only by a native frame survives collections.
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use kpio_wasm::jit::CompileReason;
use kpio_wasm::{
    Caller, Config, Engine, Func, FuncType, Linker, Module, Store, Tier, Trap, TrapCode, Val,
    ValType,
};

const PROGRAM: &str = r#"
(module
  (tag $e (export "e") (param i32))
  (tag $big (param i64 f64 v128))
  (tag $never)
  (import "host" "bounce" (func $bounce (param i32) (result i32)))

  ;; throws $e with `n` from `depth` calls further down
  (func $throw_at (export "throw_at") (param $n i32) (param $depth i32)
    (if (local.get $depth)
      (then
        (call $throw_at (local.get $n) (i32.sub (local.get $depth) (i32.const 1)))
        (return)))
    (throw $e (local.get $n)))

  ;; sum of every caught payload, each thrown `depth` calls down
  (func (export "catch_loop") (param $iters i32) (param $depth i32) (result i64)
    (local $i i32) (local $sum i64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $iters)))
        (local.set $sum
          (i64.add (local.get $sum)
            (i64.extend_i32_u
              (block $h (result i32)
                ;; the first clause never matches: the second does
                (try_table (catch $never $done) (catch $e $h)
                  (call $throw_at (local.get $i) (local.get $depth)))
                (i32.const -1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum))

  ;; a payload of several types (a v128 takes two slots), caught by an outer try_table
  ;; after the inner one's clauses did not match
  (func (export "big") (param $a i64) (param $b f64) (result i64 f64 i32)
    (block $h (result i64 f64 v128)
      (try_table (catch $big $h)
        (block $inner
          (try_table (catch $never $inner)
            (throw $big (local.get $a) (local.get $b) (v128.const i32x4 1 2 3 4)))))
      (unreachable))
    (i32x4.extract_lane 2))

  ;; catch_all_ref keeps a reference in a local of this frame only; `storm` more exceptions
  ;; are thrown and dropped (the collector runs); then the kept one is rethrown and
  ;; caught again
  (func (export "held") (param $n i32) (param $storm i32) (result i32)
    (local $x exnref) (local $i i32)
    (local.set $x
      (block $h (result exnref)
        (try_table (catch_all_ref $h) (throw $e (local.get $n)))
        (unreachable)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $storm)))
        ;; (payloads that do not look like references: a small number is one, to the
        ;; conservative scan of payloads)
        (block $h2
          (try_table (catch_all $h2)
            (throw $e (i32.or (local.get $i) (i32.const 0x40000000)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (block $h3 (result i32)
      (try_table (catch $e $h3) (throw_ref (local.get $x)))
      (i32.const -1)))

  ;; an exception from wasm called back by the host, caught here
  (func (export "through_host") (param $n i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $bounce (local.get $n)))
      (return))
    (i32.add (i32.const 1000)))

  ;; traps are not exceptions: a catch_all does not catch one
  (func (export "trap_inside") (result i32)
    (block $h
      (try_table (catch_all $h) (drop (i32.div_u (i32.const 1) (i32.const 0)))))
    (i32.const 5))

  (func (export "null_ref") (throw_ref (ref.null exn)))
)
"#;

struct Run {
    store: Store<()>,
    inst: kpio_wasm::Instance,
}

fn instance(engine: &Engine) -> Run {
    let module = Module::new(engine, &wat::parse_str(PROGRAM).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let mut linker = Linker::new();
    // The host calls back into the instance's `throw_at`, and passes its error on.
    let cell = std::sync::Arc::new(std::sync::OnceLock::<Func>::new());
    let inner = cell.clone();
    let bounce = Func::new(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        move |mut caller: Caller<'_, ()>, args: &[Val], _results: &mut [Val]| {
            let f = *inner.get().expect("set before any call");
            f.call(caller.store_mut(), &[args[0], Val::I32(3)], &mut [])
        },
    );
    linker.define("host", "bounce", bounce);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    cell.set(inst.get_func(&store, "throw_at").unwrap()).ok();
    Run { store, inst }
}

impl Run {
    fn call(&mut self, name: &str, args: &[Val], nres: usize) -> Result<Vec<Val>, Trap> {
        let f = self.inst.get_func(&self.store, name).unwrap();
        let mut out = vec![Val::I32(0); nres];
        f.call(&mut self.store, args, &mut out).map(|()| out)
    }
}

fn engine(tier: Tier, max_call_depth: usize) -> Engine {
    Engine::new(Config {
        tier,
        jit_background: false,
        max_call_depth,
        ..Config::default()
    })
}

#[test]
fn exceptions_are_thrown_and_caught_in_native_code_as_in_the_interpreter() {
    let mut outcomes = Vec::new();
    for tier in [Tier::Interp, Tier::Jit] {
        let e = engine(tier, 1_000_000);
        let mut r = instance(&e);
        let mut out: Vec<Result<Vec<Val>, Option<TrapCode>>> = Vec::new();
        let mut call = |name: &str, args: &[Val], n: usize| {
            out.push(r.call(name, args, n).map_err(|t| t.code()));
        };
        call("catch_loop", &[Val::I32(100), Val::I32(5)], 1);
        call("big", &[Val::I64(-5), Val::F64(2.5.into())], 3);
        call("held", &[Val::I32(77), Val::I32(10)], 1);
        call("through_host", &[Val::I32(9)], 1);
        call("trap_inside", &[], 1);
        call("null_ref", &[], 0);
        if tier == Tier::Jit {
            let s = e.jit_stats();
            assert_eq!(s.refused, 0, "every function compiles: {:?}", s.events);
            assert!(s.compiled >= 7, "{s:?}");
        }
        outcomes.push(out);
    }
    let expected: Vec<Result<Vec<Val>, Option<TrapCode>>> = vec![
        Ok(vec![Val::I64(4950)]),
        Ok(vec![Val::I64(-5), Val::F64(2.5.into()), Val::I32(3)]),
        Ok(vec![Val::I32(77)]),
        Ok(vec![Val::I32(1009)]),
        Err(Some(TrapCode::IntegerDivideByZero)),
        Err(Some(TrapCode::NullExceptionReference)),
    ];
    assert_eq!(outcomes[0], expected, "interpreter");
    assert_eq!(outcomes[1], expected, "native");
}

#[test]
fn an_uncaught_native_throw_reaches_the_host_with_its_payload() {
    let e = engine(Tier::Jit, 1_000_000);
    let mut r = instance(&e);
    let err = r
        .call("throw_at", &[Val::I32(42), Val::I32(10)], 0)
        .unwrap_err();
    let exn = err.exception().expect("an exception, not a trap");
    assert_eq!(exn.payload(), &[Val::I32(42)][..]);
    assert_eq!(e.jit_stats().refused, 0);
}

/// Each caught exception unwinds `depth` native frames, which took a unit of the call
/// depth at entry and, leaving by the trap path, did not give it back: the catching frame
/// must put its own count back, or a few iterations exhaust `max_call_depth`.
#[test]
fn the_call_depth_unwound_frames_took_comes_back_at_the_catch() {
    let e = engine(Tier::Jit, 64);
    let mut r = instance(&e);
    let got = r.call("catch_loop", &[Val::I32(5000), Val::I32(40)], 1);
    assert_eq!(
        got.map_err(|t| t.code()),
        Ok(vec![Val::I64(5000 * 4999 / 2)])
    );
    // and the limit still holds
    let deep = r.call("catch_loop", &[Val::I32(1), Val::I32(100)], 1);
    assert_eq!(deep.unwrap_err().code(), Some(TrapCode::StackExhausted));
}

/// `held` keeps an exnref only in its native frame while thousands of exceptions are
/// thrown and dropped, which runs the collector (at 1,024 live objects and up): the native
/// stack and registers are roots, so the kept object is still live when it is rethrown.
#[test]
fn a_reference_held_by_a_native_frame_survives_collections() {
    let e = engine(Tier::Jit, 1_000_000);
    let mut r = instance(&e);
    let got = r.call("held", &[Val::I32(31), Val::I32(20_000)], 1);
    assert_eq!(got.map_err(|t| t.to_string()), Ok(vec![Val::I32(31)]));
    // The storm's objects were collected (not all kept): the store stays small.
    assert!(
        r.store.exception_objects() < 5_000,
        "{} live exception objects",
        r.store.exception_objects()
    );
}

/// Tiered: `throw_at` is compiled after its 10th call while `catch_loop` is still
/// interpreted (native throws, interpreted frame catches), then `catch_loop` moves into
/// native code by on-stack replacement (native frame catches what native code threw).
#[test]
fn tiering_up_mid_loop_keeps_every_catch() {
    let e = Engine::new(Config {
        tier: Tier::Auto,
        jit_background: false,
        jit_threshold: 10,
        jit_loop_threshold: 500,
        ..Config::default()
    });
    let mut r = instance(&e);
    let got = r.call("catch_loop", &[Val::I32(3000), Val::I32(2)], 1);
    assert_eq!(
        got.map_err(|t| t.code()),
        Ok(vec![Val::I64(3000 * 2999 / 2)])
    );
    let s = e.jit_stats();
    assert_eq!(s.refused, 0, "{:?}", s.events);
    assert!(
        s.events
            .iter()
            .any(|ev| matches!(ev.reason, CompileReason::Loop(_)) && ev.outcome.is_ok()),
        "catch_loop moved into native code mid-loop: {:?}",
        s.events
    );
}

/// A module that catches no exception raises its throws straight to its entry frame (its
/// callers look at nothing after their calls). A catching module that called it through
/// an import still catches every throw, with the payload, and its call depth holds: each
/// throw abandons seven frames of a module allowed 64.
#[test]
fn a_throw_raised_by_a_module_that_catches_nothing_is_caught_by_its_importer() {
    const THROWER: &str = r#"
(module
  (tag $e (export "e") (param i32))
  ;; a caller that went on after its call would trap
  (func $down (export "down") (param $n i32) (param $depth i32)
    (if (local.get $depth)
      (then
        (call $down (local.get $n) (i32.sub (local.get $depth) (i32.const 1)))
        (unreachable)))
    (throw $e (local.get $n))))
"#;
    const CATCHER: &str = r#"
(module
  (import "thrower" "e" (tag $e (param i32)))
  (import "thrower" "down" (func $down (param i32 i32)))
  (func (export "sum") (param $iters i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $iters)))
        (local.set $sum
          (i32.add (local.get $sum)
            (block $h (result i32)
              (try_table (catch $e $h) (call $down (local.get $i) (i32.const 6)))
              (i32.const -1000000))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum)))
"#;
    for tier in [Tier::Interp, Tier::Jit] {
        let e = engine(tier, 64);
        let mut store = Store::new(&e, ());
        let mut linker = Linker::new();
        let thrower = Module::new(&e, &wat::parse_str(THROWER).unwrap()).unwrap();
        let thrower = linker.instantiate(&mut store, &thrower).unwrap();
        linker.instance(&store, "thrower", thrower);
        let catcher = Module::new(&e, &wat::parse_str(CATCHER).unwrap()).unwrap();
        let catcher = linker.instantiate(&mut store, &catcher).unwrap();
        let sum = catcher.get_func(&store, "sum").unwrap();
        let mut out = [Val::I32(0)];
        sum.call(&mut store, &[Val::I32(3000)], &mut out)
            .unwrap_or_else(|t| panic!("{tier:?}: {t}"));
        assert_eq!(out[0], Val::I32(3000 * 2999 / 2), "{tier:?}");
        if tier == Tier::Jit {
            let s = e.jit_stats();
            assert_eq!(s.refused, 0, "{:?}", s.events);
            assert!(s.compiled >= 2, "{s:?}");
        }
    }
}

//! Tail calls (`return_call`, `return_call_indirect`) end to end: the callee replaces the
//! caller's frame, so self and mutual tail recursion far deeper than the engine's call-depth
//! limit (1,000,000 frames by default) runs in constant stack, within one instance, through
//! a table, and across instances; a tail call to a host function returns the host's results
//! to the caller's caller. Expected values are worked out by hand.

use kpio_wasm::*;

const WAT: &str = r#"(module
  (import "host" "double" (func $double (param i32) (result i32)))
  (type $step (func (param i64 i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $odd)

  ;; sum(n) = n + (n - 1) + ... + 1, as a self tail call with an accumulator.
  (func $sum (export "sum") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $sum (i64.sub (local.get $n) (i64.const 1))
                              (i64.add (local.get $acc) (local.get $n))))))

  ;; The same with a plain call: every level keeps its frame.
  (func $sum_call (export "sum_call") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (call $sum_call (i64.sub (local.get $n) (i64.const 1))
                            (i64.add (local.get $acc) (local.get $n))))))

  ;; even(n): 1 if n is even; even tail-calls odd through the table, odd calls even directly.
  (func $even (export "even") (param $n i64) (param $unused i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 1))
      (else (return_call_indirect (type $step)
              (i64.sub (local.get $n) (i64.const 1)) (local.get $unused) (i32.const 0)))))
  (func $odd (export "odd") (param $n i64) (param $unused i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 0))
      (else (return_call $even (i64.sub (local.get $n) (i64.const 1)) (local.get $unused)))))

  ;; A tail call to a host function: its result is this function's result.
  (func $via_host (export "via_host") (param i32) (result i32)
    (return_call $double (i32.add (local.get 0) (i32.const 1))))
  ;; ... seen by a wasm caller, which goes on after it.
  (func (export "outer") (param i32) (result i32)
    (i32.add (call $via_host (local.get 0)) (i32.const 1000)))

  ;; A v128 argument takes two slots: three argument slots move.
  (func $lane3 (param v128 i32) (result i32)
    (i32.add (i32x4.extract_lane 3 (local.get 0)) (local.get 1)))
  (func (export "vtail") (param i32) (result i32)
    (return_call $lane3 (v128.const i32x4 1 2 3 40) (local.get 0))))"#;

fn setup() -> (Store<()>, Instance) {
    let engine = Engine::default();
    let bytes = wat::parse_str(WAT).expect("test module parses");
    let module = Module::new(&engine, &bytes).expect("tail-call module validates");
    let mut store = Store::new(&engine, ());
    let double = Func::new(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        |_, args, results| {
            results[0] = Val::I32(args[0].i32().unwrap() * 2);
            Ok(())
        },
    );
    let mut linker = Linker::new();
    linker.define("host", "double", double);
    let inst = linker
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, inst)
}

fn call(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<Val, Trap> {
    let f = inst.get_func(store, name).expect("export exists");
    let mut out = [Val::I32(0)];
    f.call(store, args, &mut out)?;
    Ok(out[0])
}

#[test]
fn self_tail_recursion_ten_million_deep_runs_in_constant_stack() {
    let (mut s, i) = setup();
    // 10,000,000 * 10,000,001 / 2.
    let r = call(&mut s, i, "sum", &[Val::I64(10_000_000), Val::I64(0)]).unwrap();
    assert_eq!(r, Val::I64(50_000_005_000_000));
}

#[test]
fn the_same_recursion_with_plain_calls_exhausts_the_call_stack() {
    // The contrast that shows the tail call's frame reuse is what makes the test above pass.
    let (mut s, i) = setup();
    let t = call(&mut s, i, "sum_call", &[Val::I64(10_000_000), Val::I64(0)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::StackExhausted));
    // Shallow recursion works, and the store is usable after the trap.
    let r = call(&mut s, i, "sum_call", &[Val::I64(100), Val::I64(0)]).unwrap();
    assert_eq!(r, Val::I64(5050));
}

#[test]
fn deep_mutual_tail_recursion_direct_and_through_a_table() {
    let (mut s, i) = setup();
    let even = |s: &mut Store<()>, n: i64| call(s, i, "even", &[Val::I64(n), Val::I64(0)]);
    let odd = |s: &mut Store<()>, n: i64| call(s, i, "odd", &[Val::I64(n), Val::I64(0)]);
    assert_eq!(even(&mut s, 10_000_001).unwrap(), Val::I64(0));
    assert_eq!(even(&mut s, 10_000_000).unwrap(), Val::I64(1));
    assert_eq!(odd(&mut s, 10_000_001).unwrap(), Val::I64(1));
    assert_eq!(odd(&mut s, 0).unwrap(), Val::I64(0));
}

#[test]
fn tail_call_to_a_host_function_returns_its_results() {
    let (mut s, i) = setup();
    // (20 + 1) * 2.
    assert_eq!(
        call(&mut s, i, "via_host", &[Val::I32(20)]).unwrap(),
        Val::I32(42)
    );
    // The caller of the tail-calling function resumes after it: 42 + 1000.
    assert_eq!(
        call(&mut s, i, "outer", &[Val::I32(20)]).unwrap(),
        Val::I32(1042)
    );
}

#[test]
fn tail_call_moves_v128_arguments() {
    let (mut s, i) = setup();
    // Lane 3 of (1 2 3 40) plus 2.
    assert_eq!(
        call(&mut s, i, "vtail", &[Val::I32(2)]).unwrap(),
        Val::I32(42)
    );
}

/// Instance A steps +1 and tail-calls through its table; instance B steps +2 and tail-calls
/// A's function directly; B's element segment puts B's step into A's table.
const WAT_A: &str = r#"(module
  (type $step (func (param i64 i64) (result i64)))
  (table (export "t") 1 funcref)
  (func (export "a_step") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call_indirect (type $step)
              (i64.sub (local.get $n) (i64.const 1))
              (i64.add (local.get $acc) (i64.const 1))
              (i32.const 0))))))"#;

const WAT_B: &str = r#"(module
  (import "a" "a_step" (func $a_step (param i64 i64) (result i64)))
  (import "a" "t" (table 1 funcref))
  (elem (i32.const 0) $b_step)
  (func $b_step (export "b_step") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $a_step
              (i64.sub (local.get $n) (i64.const 1))
              (i64.add (local.get $acc) (i64.const 2)))))))"#;

#[test]
fn tail_calls_across_instances_do_not_grow_the_stack() {
    let engine = Engine::default();
    let a = Module::new(&engine, &wat::parse_str(WAT_A).unwrap()).unwrap();
    let b = Module::new(&engine, &wat::parse_str(WAT_B).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    let ia = linker.instantiate(&mut store, &a).expect("A instantiates");
    let step = ia.get_func(&store, "a_step").unwrap();
    let table = ia.get_table(&store, "t").unwrap();
    linker.define("a", "a_step", step).define("a", "t", table);
    let ib = linker.instantiate(&mut store, &b).expect("B instantiates");
    // 2,000,001 steps, B first: B takes the odd n (1,000,001 steps of +2), A the even ones
    // (1,000,000 steps of +1); A returns at n = 0. Twice the default call-depth limit.
    let r = call(
        &mut store,
        ib,
        "b_step",
        &[Val::I64(2_000_001), Val::I64(0)],
    )
    .unwrap();
    assert_eq!(r, Val::I64(3_000_002));
    // Entering through A at an even n: A takes the even n from 2,000,000 down to 2
    // (1,000,000 steps of +1), B the odd ones (1,000,000 of +2); B at n = 1 hands n = 0 to A,
    // which returns.
    let r = call(
        &mut store,
        ia,
        "a_step",
        &[Val::I64(2_000_000), Val::I64(0)],
    )
    .unwrap();
    assert_eq!(r, Val::I64(3_000_000));
}

//! The native tier against the interpreter: the same programs in JIT-only, tiered and
//! interpreter-only engines give the same results, traps and backtraces, and the engine's
//! statistic shows what was compiled.
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use kpio_wasm::jit::CompileReason;
use kpio_wasm::{
    Config, Engine, Func, FuncType, Linker, Module, Store, Tier, TrapCode, Val, ValType,
};
use std::time::Duration;

fn engine(tier: Tier, threshold: u32) -> Engine {
    Engine::new(Config {
        tier,
        jit_threshold: threshold,
        // Tier-up at exactly the threshold's call (not in the background).
        jit_background: false,
        ..Config::default()
    })
}

/// Runs `export(args)` of `wat` on a fresh store of `engine`, with an `env.log` host import
/// that adds its two i32 arguments.
fn run(
    engine: &Engine,
    wat: &str,
    export: &str,
    args: &[Val],
    nres: usize,
) -> Result<Vec<Val>, kpio_wasm::Trap> {
    let module = Module::new(engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let mut linker = Linker::new();
    let add = Func::new(
        &mut store,
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        |_caller, args, res| {
            res[0] = Val::I32(args[0].i32().unwrap().wrapping_add(args[1].i32().unwrap()));
            Ok(())
        },
    );
    linker.define("env", "add", add);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let f = inst.get_func(&store, export).unwrap();
    let mut out = vec![Val::I32(0); nres];
    f.call(&mut store, args, &mut out)?;
    Ok(out)
}

const PROGRAM: &str = r#"
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (memory 1)
  (global $g (mut i64) (i64.const 5))
  (table 2 funcref)
  (elem (i32.const 0) $sq $fib)
  (type $unary (func (param i32) (result i32)))
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0
    i32.const 2
    i32.lt_u
    if (result i32)
      local.get 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $fib
      local.get 0
      i32.const 2
      i32.sub
      call $fib
      i32.add
    end)
  (func $sq (param i32) (result i32) local.get 0 local.get 0 i32.mul)
  (func (export "loop") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    block $out
      loop $top
        local.get $i
        local.get $n
        i32.ge_s
        br_if $out
        ;; acc += i * i, through memory and a global
        local.get $i
        i32.const 4
        i32.mul
        local.get $i
        local.get $i
        i32.mul
        i32.store
        local.get $acc
        local.get $i
        i32.const 4
        i32.mul
        i32.load
        i64.extend_i32_u
        i64.add
        local.set $acc
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $top
      end
    end
    local.get $acc
    global.get $g
    i64.add)
  (func (export "host") (param i32) (result i32)
    local.get 0
    i32.const 40
    call $add)
  (func (export "indirect") (param i32 i32) (result i32)
    local.get 1
    local.get 0
    call_indirect (type $unary))
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "trunc") (param f64) (result i32) local.get 0 i32.trunc_f64_s)
  (func (export "oob") (param i32) (result i32) local.get 0 i32.load offset=8)
  (func $deep (export "deep") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      unreachable
    else
      local.get 0
      i32.const 1
      i32.sub
      call $deep
    end)
  (func $runaway (export "runaway") (result i32) call $runaway)
  (func (export "grow") (param i32) (result i32 i32)
    local.get 0
    memory.grow
    memory.size)
  (func (export "br_table") (param i32) (result i32)
    block $a
      block $b
        block $c
          local.get 0
          br_table $a $b $c
        end
        i32.const 30
        return
      end
      i32.const 20
      return
    end
    i32.const 10)
)
"#;

fn all_engines() -> Vec<(&'static str, Engine)> {
    vec![
        ("interp", engine(Tier::Interp, 100)),
        ("jit", engine(Tier::Jit, 0)),
        ("tiered", engine(Tier::Auto, 3)),
    ]
}

#[test]
fn engines_have_the_tier_they_were_asked_for() {
    assert_eq!(engine(Tier::Interp, 1).tier(), Tier::Interp);
    assert_eq!(engine(Tier::Jit, 1).tier(), Tier::Jit);
    assert_eq!(engine(Tier::Auto, 1).tier(), Tier::Auto);
}

#[test]
fn results_agree_across_tiers() {
    let cases: Vec<(&str, Vec<Val>, usize)> = vec![
        ("fib", vec![Val::I32(20)], 1),
        ("loop", vec![Val::I32(1000)], 1),
        ("host", vec![Val::I32(2)], 1),
        ("indirect", vec![Val::I32(0), Val::I32(9)], 1),
        ("indirect", vec![Val::I32(1), Val::I32(10)], 1),
        ("div", vec![Val::I32(-7), Val::I32(2)], 1),
        ("trunc", vec![Val::F64((-3.9f64).into())], 1),
        ("grow", vec![Val::I32(2)], 2),
        ("br_table", vec![Val::I32(0)], 1),
        ("br_table", vec![Val::I32(1)], 1),
        ("br_table", vec![Val::I32(7)], 1),
    ];
    for (export, args, n) in cases {
        let mut seen = Vec::new();
        for (name, e) in all_engines() {
            // Several calls, so the tiered engine crosses its threshold mid-way.
            for _ in 0..5 {
                let r = run(&e, PROGRAM, export, &args, n).unwrap();
                seen.push((name, r));
            }
        }
        let first = seen[0].1.clone();
        for (name, r) in &seen {
            assert_eq!(r, &first, "{export}{args:?} on {name}");
        }
    }
    // Known values, not just agreement.
    let jit = engine(Tier::Jit, 0);
    assert_eq!(
        run(&jit, PROGRAM, "fib", &[Val::I32(20)], 1).unwrap(),
        [Val::I32(6765)]
    );
    let sum: i64 = (0..1000i64).map(|i| i * i).sum::<i64>() + 5;
    assert_eq!(
        run(&jit, PROGRAM, "loop", &[Val::I32(1000)], 1).unwrap(),
        [Val::I64(sum)]
    );
    assert_eq!(
        run(&jit, PROGRAM, "host", &[Val::I32(2)], 1).unwrap(),
        [Val::I32(42)]
    );
    assert_eq!(
        run(&jit, PROGRAM, "indirect", &[Val::I32(0), Val::I32(9)], 1).unwrap(),
        [Val::I32(81)]
    );
    assert_eq!(
        run(&jit, PROGRAM, "grow", &[Val::I32(2)], 2).unwrap(),
        [Val::I32(1), Val::I32(3)]
    );
}

#[test]
fn traps_agree_across_tiers() {
    let cases: Vec<(&str, Vec<Val>, TrapCode)> = vec![
        (
            "div",
            vec![Val::I32(1), Val::I32(0)],
            TrapCode::IntegerDivideByZero,
        ),
        (
            "div",
            vec![Val::I32(i32::MIN), Val::I32(-1)],
            TrapCode::IntegerOverflow,
        ),
        (
            "trunc",
            vec![Val::F64(f64::NAN.into())],
            TrapCode::InvalidConversionToInteger,
        ),
        (
            "trunc",
            vec![Val::F64(3e9f64.into())],
            TrapCode::IntegerOverflow,
        ),
        (
            "oob",
            vec![Val::I32(65536 - 11)],
            TrapCode::MemoryOutOfBounds,
        ),
        (
            "indirect",
            vec![Val::I32(5), Val::I32(1)],
            TrapCode::UndefinedElement,
        ),
        ("deep", vec![Val::I32(3)], TrapCode::Unreachable),
        ("runaway", vec![], TrapCode::StackExhausted),
    ];
    for (export, args, code) in cases {
        for (name, e) in all_engines() {
            for _ in 0..4 {
                let t = run(&e, PROGRAM, export, &args, 1).unwrap_err();
                assert_eq!(t.code(), Some(code), "{export}{args:?} on {name}: {t}");
            }
        }
    }
}

#[test]
fn native_backtraces_name_every_frame() {
    // deep(3) -> deep(2) -> deep(1) -> deep(0): unreachable. Four frames of $deep (func 9).
    for (name, e) in all_engines() {
        let t = run(&e, PROGRAM, "deep", &[Val::I32(3)], 1).unwrap_err();
        let funcs: Vec<u32> = t.backtrace().iter().map(|f| f.func_index).collect();
        assert_eq!(funcs, [9, 9, 9, 9], "{name}: {t}");
        assert!(
            t.backtrace().iter().all(|f| f.module_offset.is_some()),
            "{name}"
        );
    }
    // The offsets agree between the interpreter and native code.
    let a = run(&engine(Tier::Interp, 0), PROGRAM, "deep", &[Val::I32(3)], 1).unwrap_err();
    let b = run(&engine(Tier::Jit, 0), PROGRAM, "deep", &[Val::I32(3)], 1).unwrap_err();
    assert_eq!(a.backtrace(), b.backtrace());
}

#[test]
fn the_statistic_shows_first_call_and_tier_up_compiles() {
    let jit = engine(Tier::Jit, 0);
    run(&jit, PROGRAM, "fib", &[Val::I32(10)], 1).unwrap();
    let s = jit.jit_stats();
    assert!(s.compiled >= 1, "{s:?}");
    let fib = s
        .events
        .iter()
        .find(|e| e.func_index == 1)
        .expect("fib compiled");
    assert_eq!(fib.reason, CompileReason::FirstCall);
    assert!(fib.outcome.is_ok(), "{fib:?}");
    // When and how long: on the calling thread (JIT-only mode), timed, in order.
    assert!(!fib.background, "{fib:?}");
    let took = fib.duration.expect("timed with std");
    let at = fib.at.expect("timed with std");
    assert!(took > Duration::ZERO && took <= at, "{fib:?}");
    let ats: Vec<Duration> = s.events.iter().map(|e| e.at.unwrap()).collect();
    assert!(ats.is_sorted(), "{ats:?}");

    let tiered = engine(Tier::Auto, 50);
    // fib(8) calls fib 67 times: the 50th call compiles it, the rest run native code.
    run(&tiered, PROGRAM, "fib", &[Val::I32(8)], 1).unwrap();
    let s = tiered.jit_stats();
    let fib = s
        .events
        .iter()
        .find(|e| e.func_index == 1)
        .expect("fib tiered up");
    assert_eq!(fib.reason, CompileReason::CallCount(50));

    let interp = engine(Tier::Interp, 0);
    run(&interp, PROGRAM, "fib", &[Val::I32(10)], 1).unwrap();
    assert_eq!(interp.jit_stats().compiled, 0);
}

/// A `main` doing all the work in one call: loops over memory with locals of every type,
/// inside nested blocks, then a second loop, then returns.
const MAIN: &str = r#"
(module
  (memory 1)
  (func (export "main") (param $n i32) (result i64 f64)
    (local $i i32) (local $acc i64) (local $f f64) (local $g f32)
    block $outer
      local.get $n
      i32.eqz
      br_if $outer
      loop $l
        local.get $i
        i32.const 1020
        i32.rem_u
        i32.const 4
        i32.mul
        local.get $i
        i32.store
        local.get $acc
        local.get $i
        i32.const 1020
        i32.rem_u
        i32.const 4
        i32.mul
        i32.load
        i64.extend_i32_u
        i64.add
        local.set $acc
        local.get $f
        f64.const 0.5
        f64.add
        local.set $f
        local.get $g
        f32.const 1
        f32.add
        local.set $g
        local.get $i
        i32.const 1
        i32.add
        local.tee $i
        local.get $n
        i32.lt_u
        br_if $l
      end
    end
    ;; a second loop, run natively after the first moved there
    loop $m
      local.get $i
      i32.const 1
      i32.sub
      local.tee $i
      br_if $m
    end
    local.get $acc
    local.get $f
    local.get $g
    f64.promote_f32
    f64.add)
)
"#;

fn main_engine(loop_threshold: u32) -> Engine {
    Engine::new(Config {
        tier: Tier::Auto,
        jit_threshold: u32::MAX,
        jit_background: false,
        jit_loop_threshold: loop_threshold,
        ..Config::default()
    })
}

#[test]
fn a_long_loop_called_once_moves_into_native_code() {
    let n = 200_000;
    let expected = run(&engine(Tier::Interp, 0), MAIN, "main", &[Val::I32(n)], 2).unwrap();
    let acc: i64 = (0..n as i64).sum();
    assert_eq!(expected[0], Val::I64(acc));
    for threshold in [1, 2, 1000, 150_000] {
        let e = main_engine(threshold);
        let got = run(&e, MAIN, "main", &[Val::I32(n)], 2).unwrap();
        assert_eq!(got, expected, "loop threshold {threshold}");
        let s = e.jit_stats();
        let osr: Vec<_> = s
            .events
            .iter()
            .filter(|e| matches!(e.reason, CompileReason::Loop(_)))
            .collect();
        assert_eq!(osr.len(), 1, "one on-stack replacement: {s:?}");
        assert!(osr[0].outcome.is_ok(), "{osr:?}");
        // Called once, the function's entry is not compiled as well: there may be no
        // second call.
        let entries = |s: &kpio_wasm::jit::JitStats| {
            s.events
                .iter()
                .filter(|e| e.func_index == 0 && matches!(e.reason, CompileReason::CallCount(_)))
                .count()
        };
        assert_eq!(entries(&s), 0, "{s:?}");
    }
    // Its second call compiles it, though the call threshold here is u32::MAX, and runs
    // natively from its entry: no second on-stack replacement.
    let e = main_engine(1000);
    let module = Module::new(&e, &wat::parse_str(MAIN).unwrap()).unwrap();
    let mut store = Store::new(&e, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = inst.get_func(&store, "main").unwrap();
    for _ in 0..2 {
        let mut out = vec![Val::I32(0); 2];
        f.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
        assert_eq!(out, expected);
    }
    let s = e.jit_stats();
    let calls: Vec<_> = s
        .events
        .iter()
        .filter(|e| e.func_index == 0 && e.outcome.is_ok())
        .map(|e| e.reason)
        .collect();
    assert!(
        matches!(
            calls[..],
            [CompileReason::Loop(_), CompileReason::CallCount(2)]
        ),
        "{s:?}"
    );
    // A loop that ends before the threshold stays interpreted.
    let e = main_engine(1_000_000);
    assert_eq!(run(&e, MAIN, "main", &[Val::I32(n)], 2).unwrap(), expected);
    assert_eq!(e.jit_stats().compiled, 0);
}

#[test]
fn a_later_frame_due_at_the_same_loop_reuses_the_entry() {
    // f(1) calls f(0) early in its loop; f(0) runs the loop to the threshold and moves
    // into native code there, compiling the entry. Back in f(1), still interpreted, the
    // loop runs to the threshold again and moves into the same entry, compiled once.
    let wat = r#"(module
      (func $f (export "f") (param $depth i32) (result i64) (local $i i32) (local $acc i64)
        (local.set $i (i32.const 2000))
        (loop $a
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
          (if (i32.and (local.get $depth) (i32.eq (local.get $i) (i32.const 1900)))
            (then (local.set $acc (i64.add (local.get $acc)
              (i64.mul (i64.const 1000) (call $f (i32.sub (local.get $depth) (i32.const 1))))))))
          (br_if $a (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
        (local.get $acc)))"#;
    let sum: i64 = (1..=2000).sum();
    let expected = vec![Val::I64(sum + 1000 * sum)];
    let interp = run(&engine(Tier::Interp, 0), wat, "f", &[Val::I32(1)], 1).unwrap();
    assert_eq!(interp, expected);
    let e = main_engine(1000);
    assert_eq!(run(&e, wat, "f", &[Val::I32(1)], 1).unwrap(), expected);
    let s = e.jit_stats();
    let loops = s
        .events
        .iter()
        .filter(|e| matches!(e.reason, CompileReason::Loop(_)))
        .count();
    assert_eq!(loops, 1, "one on-stack-replacement compile: {s:?}");
    assert_eq!(s.osr_entries, 2, "two frames moved: {s:?}");
}

/// Runs `main` (`() -> i64`) of `wat`, whose import `env.wait` waits for the background
/// compiler, on a tiered engine with a loop threshold of 1000; returns the result and
/// the statistic.
fn run_with_wait(wat: &str) -> (i64, kpio_wasm::jit::JitStats) {
    let e = Engine::new(Config {
        tier: Tier::Auto,
        jit_threshold: u32::MAX,
        jit_background: true,
        jit_loop_threshold: 1000,
        ..Config::default()
    });
    let module = Module::new(&e, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&e, ());
    let mut linker = Linker::new();
    let waiter = e.clone();
    let wait = Func::new(&mut store, FuncType::new([], []), move |_, _, _| {
        waiter.jit_wait_idle();
        Ok(())
    });
    linker.define("env", "wait", wait);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let main = inst.get_func(&store, "main").unwrap();
    let mut out = [Val::I64(0)];
    main.call(&mut store, &[], &mut out).unwrap();
    e.jit_wait_idle();
    (out[0].i64().unwrap(), e.jit_stats())
}

fn loop_compiles(s: &kpio_wasm::jit::JitStats) -> usize {
    s.events
        .iter()
        .filter(|e| matches!(e.reason, CompileReason::Loop(_)) && e.outcome.is_ok())
        .count()
}

#[test]
fn a_background_entry_starts_at_whichever_loop_the_frame_reached() {
    // The frame due in loop $a queues the function's on-stack-replacement entry and goes
    // on interpreting; $a ends before it is due again. The host call waits for the
    // compile, so the entry is ready while the frame runs $b, an outermost loop: it moves
    // into native code there.
    let wat = r#"(module
      (import "env" "wait" (func $wait))
      (func (export "main") (result i64) (local $i i32) (local $acc i64)
        (local.set $i (i32.const 1500))
        (loop $a
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
          (br_if $a (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
        (call $wait)
        (local.set $i (i32.const 3000))
        (loop $b
          (local.set $acc (i64.add (local.get $acc)
            (i64.mul (i64.const 3) (i64.extend_i32_u (local.get $i)))))
          (br_if $b (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
        (local.get $acc)))"#;
    let (got, s) = run_with_wait(wat);
    assert_eq!(got, (1..=1500).sum::<i64>() + 3 * (1..=3000).sum::<i64>());
    let osr: Vec<_> = s
        .events
        .iter()
        .filter(|e| matches!(e.reason, CompileReason::Loop(_)))
        .collect();
    assert_eq!(osr.len(), 1, "one on-stack-replacement compile: {s:?}");
    assert!(osr[0].background && osr[0].outcome.is_ok(), "{osr:?}");
    assert_eq!(s.osr_entries, 1, "the frame moved at $b: {s:?}");
}

#[test]
fn a_frame_due_where_the_entry_does_not_start_is_armed_for_its_next_header() {
    // Due in $x (inside $outer), the entry starts at $x and $outer. Ready while the frame
    // runs $y, where it is due again but the entry does not start: armed, it moves at the
    // next header the entry starts at, $outer's (in its second iteration $x is too short
    // to be due, and $y is never an entry).
    let wat = r#"(module
      (import "env" "wait" (func $wait))
      (func (export "main") (result i64) (local $n i32) (local $i i32) (local $acc i64)
        (local.set $n (i32.const 1500))
        (loop $outer
          (local.set $i (local.get $n))
          (loop $x
            (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
            (br_if $x (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
          (call $wait)
          (local.set $i (i32.const 3000))
          (loop $y
            (local.set $acc (i64.add (local.get $acc) (i64.const 2)))
            (br_if $y (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
          (br_if $outer (i32.ne (local.tee $n (i32.div_u (local.get $n) (i32.const 100)))
            (i32.const 0))))
        (local.get $acc)))"#;
    let (got, s) = run_with_wait(wat);
    assert_eq!(
        got,
        (1..=1500).sum::<i64>() + (1..=15).sum::<i64>() + 2 * 2 * 3000
    );
    assert_eq!(loop_compiles(&s), 1, "{s:?}");
    assert_eq!(s.osr_entries, 1, "the frame moved at $outer: {s:?}");

    // Stuck in $c, which the first entry (for $a, and the outermost $a and $b) does not
    // start at: after 100 thresholds of misses, a second entry is compiled for $c (and
    // waited for, by the host call in $c).
    let wat = r#"(module
      (import "env" "wait" (func $wait))
      (func (export "main") (result i64) (local $i i32) (local $acc i64)
        (local.set $i (i32.const 1500))
        (loop $a
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
          (br_if $a (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
        (call $wait)
        (loop $b
          (local.set $i (i32.const 300000))
          (loop $c
            (call $wait)
            (local.set $acc (i64.add (local.get $acc) (i64.const 1)))
            (br_if $c (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))
        (local.get $acc)))"#;
    let (got, s) = run_with_wait(wat);
    assert_eq!(got, (1..=1500).sum::<i64>() + 300_000);
    assert_eq!(loop_compiles(&s), 2, "{s:?}");
    assert_eq!(s.osr_entries, 1, "the frame moved at $c: {s:?}");
}

#[test]
fn traps_after_on_stack_replacement_keep_their_backtrace() {
    // The loop runs off the end of memory: native code traps after taking over.
    let wat = r#"(module (memory 1)
      (func $inner (param i32) (result i32) local.get 0 i32.load)
      (func (export "main") (result i32) (local $i i32)
        loop $l
          local.get $i
          call $inner
          drop
          local.get $i
          i32.const 4
          i32.add
          local.set $i
          br $l
        end
        i32.const 0))"#;
    let a = run(&engine(Tier::Interp, 0), wat, "main", &[], 1).unwrap_err();
    let b = run(&main_engine(10), wat, "main", &[], 1).unwrap_err();
    assert_eq!(a.code(), Some(TrapCode::MemoryOutOfBounds));
    assert_eq!(b.code(), a.code());
    assert_eq!(b.backtrace(), a.backtrace());
}

#[test]
fn native_loops_are_interruptible() {
    // An endless loop, compiled at its first call, stops when another thread interrupts.
    let wat = r#"(module (func (export "spin") (local i64)
        loop $l local.get 0 i64.const 1 i64.add local.set 0 br $l end))"#;
    for tier in [Tier::Jit, Tier::Auto] {
        let e = Engine::new(Config {
            tier,
            interruptible: true,
            jit_loop_threshold: 10,
            ..Config::default()
        });
        let module = Module::new(&e, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&e, ());
        let inst = Linker::new().instantiate(&mut store, &module).unwrap();
        let f = inst.get_func(&store, "spin").unwrap();
        let handle = store.interrupt_handle();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            handle.interrupt();
        });
        let t = f.call(&mut store, &[], &mut []).unwrap_err();
        stopper.join().unwrap();
        assert_eq!(t.code(), Some(TrapCode::Interrupted), "{tier:?}");
        assert!(e.jit_stats().compiled >= 1, "{tier:?}: ran natively");
    }
}

#[test]
fn a_full_code_budget_evicts_the_oldest_code() {
    // One page of code memory: each function compiled evicts the one before (see
    // `tests/jit_eviction.rs` for the rest of eviction), with the same results.
    let e = Engine::new(Config {
        tier: Tier::Jit,
        jit_code_budget: 4096,
        ..Config::default()
    });
    // fib and loop in one instance (code is freed with its module, so one module).
    let module = Module::new(&e, &wat::parse_str(PROGRAM).unwrap()).unwrap();
    let mut store = Store::new(&e, ());
    let mut linker = Linker::new();
    let add = Func::new(
        &mut store,
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        |_caller, args, res| {
            res[0] = Val::I32(args[0].i32().unwrap().wrapping_add(args[1].i32().unwrap()));
            Ok(())
        },
    );
    linker.define("env", "add", add);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let mut out = [Val::I32(0)];
    inst.get_func(&store, "fib")
        .unwrap()
        .call(&mut store, &[Val::I32(15)], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::I32(610));
    inst.get_func(&store, "loop")
        .unwrap()
        .call(&mut store, &[Val::I32(15)], &mut out)
        .unwrap();
    let sum: i64 = (0..15i64).map(|i| i * i).sum::<i64>() + 5;
    assert_eq!(out[0], Val::I64(sum));
    let s = e.jit_stats();
    assert!(s.code_bytes <= 4096, "{s:?}");
    assert_eq!((s.refused, s.over_budget), (0, 0), "{s:?}");
    assert!(s.compiled >= 2 && s.evicted >= 1, "{s:?}");
}

#[test]
fn the_call_depth_limit_holds_in_native_code() {
    // rec(n) recurses n deep. With max_call_depth 1000 every tier allows exactly the same
    // depth: the interpreter's limit.
    let wat = r#"(module (func $rec (export "rec") (param i32) (result i32)
        local.get 0 i32.eqz if (result i32) i32.const 0 else
        local.get 0 i32.const 1 i32.sub call $rec i32.const 1 i32.add end))"#;
    let with = |tier, threshold| {
        Engine::new(Config {
            tier,
            jit_threshold: threshold,
            jit_background: false,
            max_call_depth: 1000,
            ..Config::default()
        })
    };
    let interp = with(Tier::Interp, 0);
    // The deepest recursion the interpreter allows.
    let deepest = (1..2000)
        .rev()
        .find(|n| run(&interp, wat, "rec", &[Val::I32(*n)], 1).is_ok())
        .unwrap();
    assert!((990..=1001).contains(&deepest), "{deepest}");
    for (name, e) in [("jit", with(Tier::Jit, 0)), ("tiered", with(Tier::Auto, 5))] {
        assert_eq!(
            run(&e, wat, "rec", &[Val::I32(deepest)], 1).unwrap(),
            [Val::I32(deepest)],
            "{name}"
        );
        let t = run(&e, wat, "rec", &[Val::I32(deepest + 1)], 1).unwrap_err();
        assert_eq!(t.code(), Some(TrapCode::StackExhausted), "{name}");
        // The call that may not go deeper traps in its caller, at the call: no frame for
        // the callee, which did not start (the `backends` fuzz target found native code
        // listing one, at offset 0).
        let want = run(&interp, wat, "rec", &[Val::I32(deepest + 1)], 1).unwrap_err();
        let frames = |t: &kpio_wasm::Trap| {
            let f: Vec<_> = t
                .backtrace()
                .iter()
                .map(|f| (f.func_index, f.module_offset))
                .collect();
            (f, t.frames_omitted())
        };
        assert_eq!(frames(&t), frames(&want), "{name}");
        assert!(e.jit_stats().compiled >= 1, "{name}");
    }
}

#[test]
fn recursion_past_the_native_stack_budget_goes_on_in_the_interpreter() {
    // With a native stack budget of 256 KiB, native code holds a few thousand frames of
    // `rec`; the rest of the recursion runs in the interpreter, to the same call-depth
    // limit as an interpreter-only engine.
    let wat = r#"(module (func $rec (export "rec") (param i32) (result i32)
        local.get 0 i32.eqz if (result i32) i32.const 0 else
        local.get 0 i32.const 1 i32.sub call $rec i32.const 1 i32.add end))"#;
    let with = |tier| {
        Engine::new(Config {
            tier,
            jit_threshold: 5,
            jit_background: false,
            max_call_depth: 200_000,
            max_native_stack: 256 * 1024,
            ..Config::default()
        })
    };
    let interp = with(Tier::Interp);
    let deepest = (199_990..200_010)
        .rev()
        .find(|n| run(&interp, wat, "rec", &[Val::I32(*n)], 1).is_ok())
        .unwrap();
    for (name, e) in [("jit", with(Tier::Jit)), ("tiered", with(Tier::Auto))] {
        assert_eq!(
            run(&e, wat, "rec", &[Val::I32(deepest)], 1).unwrap(),
            [Val::I32(deepest)],
            "{name}"
        );
        let t = run(&e, wat, "rec", &[Val::I32(deepest + 1)], 1).unwrap_err();
        assert_eq!(t.code(), Some(TrapCode::StackExhausted), "{name}");
        assert_eq!(
            t.backtrace().len() + t.frames_omitted(),
            deepest as usize + 1,
            "{name}: every frame is counted, native and interpreted"
        );
        assert!(e.jit_stats().compiled >= 1, "{name}");
    }
}

#[test]
fn hot_functions_are_compiled_in_the_background_while_the_interpreter_runs_them() {
    // The default: compiled on the engine's background thread. The calls go on meanwhile
    // (interpreted), every result is right, and once the compiler is idle the statistic
    // shows the tier-up by call count.
    let e = Engine::new(Config {
        jit_threshold: 10,
        ..Config::default()
    });
    assert!(Config::default().jit_background);
    let module = Module::new(&e, &wat::parse_str(PROGRAM).unwrap()).unwrap();
    let mut store = Store::new(&e, ());
    let mut linker = Linker::new();
    let add = Func::new(
        &mut store,
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        |_, args, res| {
            res[0] = Val::I32(args[0].i32().unwrap() + args[1].i32().unwrap());
            Ok(())
        },
    );
    linker.define("env", "add", add);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let fib = inst.get_func(&store, "fib").unwrap();
    let mut out = [Val::I32(0)];
    for n in 0..25 {
        fib.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
        let want = (0..n).fold((0, 1), |(a, b), _| (b, a + b)).0;
        assert_eq!(out[0], Val::I32(want), "fib({n})");
    }
    e.jit_wait_idle();
    let stats = e.jit_stats();
    assert!(
        stats
            .events
            .iter()
            .any(|ev| ev.func_name.as_deref() == Some("fib")
                && matches!(ev.reason, CompileReason::CallCount(n) if n >= 10)
                && ev.outcome.is_ok()
                && ev.background),
        "{stats:?}"
    );
    // Native from here on, with the same results.
    fib.call(&mut store, &[Val::I32(30)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(832_040));
}

#[test]
fn native_tail_calls_run_in_constant_stack_and_depth() {
    // even/odd by mutual `return_call`, and a countdown by `return_call_indirect`, a
    // million calls deep with a call depth limit of 1000 and native code only: each tail
    // call gives its frame (and its depth unit) up before the callee runs.
    let wat = r#"(module
      (type $c (func (param i64) (result i64)))
      (table funcref (elem $down))
      (func $even (export "even") (param i64) (result i32)
        local.get 0 i64.eqz if (result i32) i32.const 1 else
        local.get 0 i64.const 1 i64.sub return_call $odd end)
      (func $odd (param i64) (result i32)
        local.get 0 i64.eqz if (result i32) i32.const 0 else
        local.get 0 i64.const 1 i64.sub return_call $even end)
      (func $down (export "down") (param i64) (result i64)
        local.get 0 i64.eqz if (result i64) i64.const 42 else
        local.get 0 i64.const 1 i64.sub i32.const 0 return_call_indirect (type $c) end)
      (elem declare func $ref_down)
      (func $ref_down (export "ref_down") (type $c)
        local.get 0 i64.eqz if (result i64) i64.const 7 else
        local.get 0 i64.const 1 i64.sub ref.func $ref_down return_call_ref $c end))"#;
    for (name, tier) in [("jit", Tier::Jit), ("interp", Tier::Interp)] {
        let e = Engine::new(Config {
            tier,
            max_call_depth: 1000,
            ..Config::default()
        });
        assert_eq!(
            run(&e, wat, "even", &[Val::I64(1_000_001)], 1).unwrap(),
            [Val::I32(0)],
            "{name}"
        );
        assert_eq!(
            run(&e, wat, "down", &[Val::I64(1_000_000)], 1).unwrap(),
            [Val::I64(42)],
            "{name}"
        );
        assert_eq!(
            run(&e, wat, "ref_down", &[Val::I64(1_000_000)], 1).unwrap(),
            [Val::I64(7)],
            "{name}"
        );
        if tier == Tier::Jit {
            let s = e.jit_stats();
            assert_eq!((s.compiled, s.refused), (4, 0), "{s:?}");
        }
    }
}

#[test]
fn tail_call_traps_have_the_interpreters_backtrace() {
    // A tail call replaces its caller's frame only if the call is made: a trap in the
    // callee has no frame for the caller (also when native code makes the call through
    // the interpreter because the callee has no native code yet), while a bad indirect
    // call traps in the caller's frame. (The first was found by the `tiers` fuzz target.)
    let wat = r#"(module
      (type $v (func (result i32)))
      (table 2 funcref) (elem (i32.const 0) $boom)
      (func $boom (result i32) unreachable)
      (func $direct (export "direct") (result i32) return_call $boom)
      (func $indirect (export "indirect") (param i32) (result i32)
        local.get 0 return_call_indirect (type $v))
      (func (export "outer") (param i32) (result i32)
        local.get 0 call $indirect i32.const 1 i32.add))"#;
    let trace = |t: &kpio_wasm::Trap| {
        t.backtrace()
            .iter()
            .map(|f| (f.func_index, f.module_offset))
            .collect::<Vec<_>>()
    };
    let interp = engine(Tier::Interp, 0);
    for (export, args) in [
        ("direct", vec![]),
        ("indirect", vec![Val::I32(0)]),
        ("outer", vec![Val::I32(0)]),
        ("outer", vec![Val::I32(1)]),
        ("outer", vec![Val::I32(7)]),
    ] {
        let want = run(&interp, wat, export, &args, 1).unwrap_err();
        for (name, e) in [
            ("jit", engine(Tier::Jit, 0)),
            ("tiered", engine(Tier::Auto, 1)),
        ] {
            let got = run(&e, wat, export, &args, 1).unwrap_err();
            assert_eq!(got.code(), want.code(), "{name} {export} {args:?}");
            assert_eq!(trace(&got), trace(&want), "{name} {export} {args:?}");
        }
    }
}

#[test]
fn typed_function_references_agree_across_tiers() {
    // `call_ref`, `br_on_null`, `br_on_non_null` and `ref.as_non_null` in native code:
    // the same results, and null references trap with the interpreter's code and
    // backtrace.
    let wat = r#"(module
      (type $u (func (param i32) (result i32)))
      (elem declare func $sq)
      (func $sq (type $u) local.get 0 local.get 0 i32.mul)
      (func $pick (param $k i32) (result (ref null $u))
        local.get $k if (result (ref null $u)) ref.func $sq else ref.null $u end)
      (func (export "apply") (param $k i32) (param $x i32) (result i32)
        local.get $x local.get $k call $pick call_ref $u)
      (func (export "on_null") (param $k i32) (result i32)
        block $b (result i32)
          i32.const 5 local.get $k call $pick br_on_null $b
          call_ref $u i32.const 1 i32.add
        end)
      (func (export "on_non_null") (param $k i32) (result i32)
        block $b (result i32 (ref $u))
          i32.const 6 local.get $k call $pick br_on_non_null $b
          drop i32.const -1 return
        end
        call_ref $u)
      (func (export "as_non_null") (param $k i32) (result i32)
        i32.const 3 local.get $k call $pick ref.as_non_null call_ref $u))"#;
    let trace = |t: &kpio_wasm::Trap| {
        t.backtrace()
            .iter()
            .map(|f| (f.func_index, f.module_offset))
            .collect::<Vec<_>>()
    };
    let cases: [(&str, Vec<Val>, Option<i32>); 8] = [
        ("apply", vec![Val::I32(1), Val::I32(7)], Some(49)),
        ("apply", vec![Val::I32(0), Val::I32(7)], None),
        ("on_null", vec![Val::I32(1)], Some(26)),
        ("on_null", vec![Val::I32(0)], Some(5)),
        ("on_non_null", vec![Val::I32(1)], Some(36)),
        ("on_non_null", vec![Val::I32(0)], Some(-1)),
        ("as_non_null", vec![Val::I32(1)], Some(9)),
        ("as_non_null", vec![Val::I32(0)], None),
    ];
    let interp = engine(Tier::Interp, 0);
    for (export, args, want) in cases {
        let reference = run(&interp, wat, export, &args, 1);
        match want {
            Some(v) => assert_eq!(reference.as_ref().unwrap(), &[Val::I32(v)]),
            None => assert!(reference.is_err(), "{export} {args:?} traps"),
        }
        for (name, e) in [
            ("jit", engine(Tier::Jit, 0)),
            ("tiered", engine(Tier::Auto, 1)),
        ] {
            let got = run(&e, wat, export, &args, 1);
            match (&got, &reference) {
                (Ok(g), Ok(r)) => assert_eq!(g, r, "{name} {export} {args:?}"),
                (Err(g), Err(r)) => {
                    assert_eq!(g.code(), r.code(), "{name} {export} {args:?}");
                    assert_eq!(trace(g), trace(r), "{name} {export} {args:?}");
                }
                _ => panic!("{name} {export} {args:?}: {got:?} against {reference:?}"),
            }
            assert_eq!(e.jit_stats().refused, 0, "{name}: {:?}", e.jit_stats());
        }
    }
    // The two null traps differ, as the spec names them.
    let null_call = run(&interp, wat, "apply", &[Val::I32(0), Val::I32(0)], 1);
    let null_as = run(&interp, wat, "as_non_null", &[Val::I32(0)], 1);
    assert_eq!(
        null_call.unwrap_err().code(),
        Some(TrapCode::NullFunctionReference)
    );
    assert_eq!(null_as.unwrap_err().code(), Some(TrapCode::NullReference));
}

#[test]
fn a_trap_reaches_the_host_the_same_from_either_tier() {
    // Native code called straight from the host leaves its trap's backtrace open for
    // interpreter frames that never come; the host must get the same `Trap` value as from
    // the interpreter, internal state included (the `backends` fuzz target compares them
    // whole and found the difference).
    let wat = r#"(module
      (func $inner (param i32) (result i32) local.get 0 i32.eqz if unreachable end local.get 0)
      (func (export "f") (param i32) (result i32) local.get 0 call $inner))"#;
    let want = run(&engine(Tier::Interp, 0), wat, "f", &[Val::I32(0)], 1).unwrap_err();
    for (name, e) in [
        ("jit", engine(Tier::Jit, 0)),
        ("tiered", engine(Tier::Auto, 1)),
    ] {
        let got = run(&e, wat, "f", &[Val::I32(0)], 1).unwrap_err();
        assert_eq!(format!("{got:?}"), format!("{want:?}"), "{name}");
    }
}

/// A module that catches no exception raises its traps: every native frame up to the
/// entry is abandoned at once, and its callers check nothing after their calls. So no
/// caller may go on after a call that trapped, whichever way the trap came about (in the
/// frame, in a helper, in a host function, in native code a host function entered), the
/// backtrace must be the interpreter's, and traps raised over and over must leave the
/// call depth and stack as they were.
#[test]
fn a_raised_trap_abandons_every_native_frame_up_to_the_entry() {
    const WAT: &str = r#"
(module
  (import "env" "fail" (func $fail))
  (import "env" "reenter" (func $reenter (param i32)))
  (memory 1)
  (global $after (export "after") (mut i32) (i32.const 0))
  (table 1 funcref)
  (elem (i32.const 0) $down)
  (type $t (func (param i32 i32)))
  ;; `depth` calls down (every other one indirect), then a trap made `how`; every
  ;; caller counts in $after if it goes on after its call
  (func $down (export "down") (param $how i32) (param $depth i32)
    (if (local.get $depth)
      (then
        (if (i32.and (local.get $depth) (i32.const 1))
          (then (call $down (local.get $how) (i32.sub (local.get $depth) (i32.const 1))))
          (else (call_indirect (type $t)
                  (local.get $how) (i32.sub (local.get $depth) (i32.const 1)) (i32.const 0))))
        (global.set $after (i32.add (global.get $after) (i32.const 1)))
        (return)))
    (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 (local.get $how)))
      (unreachable))
      (drop (i32.div_u (i32.const 1) (global.get $after)))
      (return))
    (call $fail)
    (return))
    ;; a host function that calls `down(0, 3)` itself and passes its trap on
    (call $reenter (i32.const 3)))
  (func $count (export "count") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (call $count (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0)))))
"#;
    let codes = [
        TrapCode::Unreachable,
        TrapCode::IntegerDivideByZero,
        TrapCode::Unreachable,
        TrapCode::Unreachable,
    ];
    let run_all = |e: &Engine| {
        let module = Module::new(e, &wat::parse_str(WAT).unwrap()).unwrap();
        let mut store = Store::new(e, ());
        let mut linker = Linker::new();
        let fail = Func::new(&mut store, FuncType::new([], []), |_, _, _| {
            Err(kpio_wasm::Trap::new(TrapCode::Unreachable))
        });
        let reenter = Func::new(
            &mut store,
            FuncType::new([ValType::I32], []),
            |mut caller, args, _| {
                let down = caller.get_export("down").unwrap().into_func().unwrap();
                down.call(caller.store_mut(), &[Val::I32(0), args[0]], &mut [])
            },
        );
        linker.define("env", "fail", fail);
        linker.define("env", "reenter", reenter);
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let down = inst.get_func(&store, "down").unwrap();
        let after = inst.get_global(&store, "after").unwrap();
        let mut traps = Vec::new();
        for round in 0..300 {
            for (how, code) in codes.iter().enumerate() {
                let depth = 1 + (round % 9);
                let args = [Val::I32(how as i32), Val::I32(depth)];
                let t = down.call(&mut store, &args, &mut []).unwrap_err();
                assert_eq!(t.code(), Some(*code), "how {how}: {t}");
                assert_eq!(
                    after.get(&store),
                    Val::I32(0),
                    "how {how}: a caller went on"
                );
                traps.push(format!("{:?}", t.backtrace()));
            }
        }
        // The depth and the stack the abandoned frames had taken are back: a recursion
        // deeper than all the traps' frames together still fits.
        let count = inst.get_func(&store, "count").unwrap();
        let mut out = [Val::I32(0)];
        count
            .call(&mut store, &[Val::I32(20_000)], &mut out)
            .unwrap();
        assert_eq!(out[0], Val::I32(20_000));
        traps
    };
    let want = run_all(&engine(Tier::Interp, 100));
    for (name, e) in [
        ("jit", engine(Tier::Jit, 0)),
        ("tiered", engine(Tier::Auto, 3)),
    ] {
        let got = run_all(&e);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(
                g,
                w,
                "{name}: trap {i} (how {}) has another backtrace",
                i % 4
            );
        }
    }
}

//! Fuel in native code: a fuel-metered run ends at the same instruction, with the same fuel
//! left and the same memory, whether the interpreter runs it, native code runs it from the
//! first call, or it tiers up (by calls, or by on-stack replacement mid-loop) on the way.
//!
//! The reference is the interpreter. For every fuel budget from 0 up to what the whole run
//! takes, each engine runs the program once on a fresh store; the outcomes (result or trap
//! code with its backtrace offsets, fuel left, every byte of memory) must be equal.
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use kpio_wasm::{Config, Engine, Linker, Module, Store, Tier, Val};

/// Loops (with `br_if`, `br_table` and a loop with parameters), `if` with and without
/// `else`, nested blocks, direct, indirect and recursive calls, exceptions thrown one call
/// down and caught by the second of two catch clauses (whose landing pads the interpreter
/// meters as stretches of their own), and a memory write at every step, so where a run
/// stops shows in memory.
const PROGRAM: &str = r#"
(module
  (memory (export "mem") 1)
  (global $step (mut i32) (i32.const 0))
  (type $un (func (param i32) (result i32)))
  (table funcref (elem $sq $tri))
  (tag $t (param i32))
  (tag $u)
  (func $maybe_throw (param $v i32)
    local.get $v i32.const 3 i32.rem_u
    if
      local.get $v throw $t
    end
    local.get $v call $note)
  (func $note (param $v i32)
    ;; mem[4 * (step % 1000)] = v; step += 1
    global.get $step i32.const 1000 i32.rem_u i32.const 4 i32.mul
    local.get $v i32.store
    global.get $step i32.const 1 i32.add global.set $step)
  (func $sq (param i32) (result i32) local.get 0 local.get 0 i32.mul)
  (func $tri (param $n i32) (result i32)
    local.get $n i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get $n i32.const 1 i32.sub call $tri local.get $n i32.add
    end)
  (func $classify (param $x i32) (result i32)
    block $b2
      block $b1
        block $b0
          local.get $x i32.const 3 i32.rem_u
          br_table $b0 $b1 $b2
        end
        i32.const 10 return
      end
      i32.const 20 return
    end
    i32.const 30)
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    loop $l
      local.get $i call $note
      local.get $i i32.const 1 i32.and
      if
        local.get $acc
        local.get $i local.get $i i32.const 2 i32.rem_u call_indirect (type $un)
        i32.add local.set $acc
      end
      local.get $i i32.const 4 i32.rem_u i32.eqz
      if
        local.get $acc local.get $i call $classify i32.add local.set $acc
      else
        local.get $acc i32.const 1 i32.add local.set $acc
      end
      block $skip
        local.get $i i32.const 5 i32.gt_u br_if $skip
        local.get $acc i32.const 3 call $tri i32.add local.set $acc
      end
      block $caught (result i32)
        block $other
          try_table (catch $u $other) (catch $t $caught)
            local.get $i call $maybe_throw
          end
          i32.const 7 br $caught
        end
        i32.const 100
      end
      local.get $acc i32.add local.set $acc
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $l
    end
    ;; A loop with a parameter: sums 1..=n into the value it carries.
    i32.const 0
    local.get $n local.set $i
    loop $m (param i32) (result i32)
      local.get $i i32.add
      local.get $i call $note
      local.get $i i32.const 1 i32.sub local.tee $i
      br_if $m
    end
    local.get $acc i32.add))
"#;

/// How one run ended.
#[derive(Debug, PartialEq)]
struct Outcome {
    result: Result<i32, (Option<kpio_wasm::TrapCode>, Vec<Option<usize>>)>,
    fuel_left: u64,
    /// The first 4 KiB of memory (what `$note` writes), hashed (FNV-1a).
    memory: u64,
}

fn engine(tier: Tier, threshold: u32, loop_threshold: u32) -> Engine {
    Engine::new(Config {
        tier,
        consume_fuel: true,
        jit_threshold: threshold,
        jit_loop_threshold: loop_threshold,
        jit_background: false,
        ..Config::default()
    })
}

fn run(module: &Module, engine: &Engine, fuel: u64, n: i32) -> Outcome {
    let mut store = Store::new(engine, ());
    store.set_fuel(fuel);
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let f = inst.get_func(&store, "run").unwrap();
    let mut out = [Val::I32(0)];
    let result = match f.call(&mut store, &[Val::I32(n)], &mut out) {
        Ok(()) => Ok(out[0].i32().unwrap()),
        Err(t) => Err((
            t.code(),
            t.backtrace().iter().map(|f| f.module_offset).collect(),
        )),
    };
    let mem = inst.get_memory(&store, "mem").unwrap();
    Outcome {
        result,
        fuel_left: store.fuel(),
        memory: mem.data(&store)[..4096]
            .iter()
            .fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ *b as u64).wrapping_mul(0x100_0000_01b3)
            }),
    }
}

fn module(engine: &Engine) -> Module {
    Module::new(engine, &wat::parse_str(PROGRAM).unwrap()).unwrap()
}

#[test]
fn native_code_charges_fuel_exactly_as_the_interpreter_does() {
    let n = 12;
    let interp = engine(Tier::Interp, 0, 0);
    let interp_module = module(&interp);
    // What the whole run takes, by the interpreter's count.
    let full = run(&interp_module, &interp, u64::MAX / 2, n);
    let total = u64::MAX / 2 - full.fuel_left;
    assert!(full.result.is_ok(), "{full:?}");
    assert!(total > 500, "{total}");

    // JIT-only: everything native from its first call. The module's code is compiled
    // once and reused by every run.
    let jit = engine(Tier::Jit, 0, 0);
    let jit_module = module(&jit);
    let mut out_of_fuel = 0;
    for fuel in 0..=total + 1 {
        let want = run(&interp_module, &interp, fuel, n);
        if want.result.is_err() {
            out_of_fuel += 1;
        }
        assert_eq!(
            run(&jit_module, &jit, fuel, n),
            want,
            "JIT-only, fuel {fuel}"
        );
    }
    assert_eq!(
        out_of_fuel, total,
        "every budget short of the total runs out"
    );
    let s = jit.jit_stats();
    assert!(s.compiled >= 4, "{s:?}");
    assert_eq!(s.refused, 0, "{s:?}");
}

#[test]
fn tiering_up_mid_run_changes_no_fuel_count() {
    // Tiered, with a fresh module for each budget so each run tiers up at its own point:
    // functions after 2 calls, and the running `run` frame by on-stack replacement after
    // 3 loop iterations (mid-loop, after the interpreter charged the iteration).
    let n = 12;
    let interp = engine(Tier::Interp, 0, 0);
    let interp_module = module(&interp);
    let full = run(&interp_module, &interp, u64::MAX / 2, n);
    let total = u64::MAX / 2 - full.fuel_left;
    let mut osr_seen = false;
    for fuel in (0..=total + 1).step_by(7).chain([total - 1, total]) {
        let want = run(&interp_module, &interp, fuel, n);
        let tiered = engine(Tier::Auto, 2, 3);
        let got = run(&module(&tiered), &tiered, fuel, n);
        assert_eq!(got, want, "tiered, fuel {fuel}");
        osr_seen |= tiered.jit_stats().events.iter().any(|e| {
            e.outcome.is_ok() && matches!(e.reason, kpio_wasm::jit::CompileReason::Loop(_))
        });
    }
    assert!(osr_seen, "some runs moved into native code mid-loop");
}

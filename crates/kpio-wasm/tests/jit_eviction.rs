//! The native tier under a full code memory budget: old code is evicted to make room,
//! evicted functions go back to the interpreter (and are compiled again when hot again),
//! and evicted code is never freed while a thread can still return into it.
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use kpio_wasm::jit::CompileReason;
use kpio_wasm::{Config, Engine, Instance, Linker, Module, Store, Tier, Val};

/// One page: every small function's code (body and trampoline) takes one.
const PAGE: usize = 4096;

fn engine(tier: Tier, threshold: u32, pages: usize) -> Engine {
    Engine::new(Config {
        tier,
        jit_threshold: threshold,
        jit_background: false,
        jit_code_budget: pages * PAGE,
        ..Config::default()
    })
}

/// `n` functions `$g{i}(x) = (x xor i) * 3 + i`, and `outer(x)`, which threads `x`
/// through all of them in order and then runs a loop of its own (so its own code runs on
/// after the calls), and `direct(i, x)` calling `$g{i}` through a table.
fn program(n: usize) -> String {
    let mut w = String::from("(module (type $t (func (param i32) (result i32)))\n");
    for i in 0..n {
        w.push_str(&format!(
            "(func $g{i} (param i32) (result i32) local.get 0 i32.const {i} i32.xor \
             i32.const 3 i32.mul i32.const {i} i32.add)\n"
        ));
    }
    w.push_str("(table funcref (elem");
    for i in 0..n {
        w.push_str(&format!(" $g{i}"));
    }
    w.push_str("))\n(func (export \"outer\") (param $x i32) (result i32) (local $k i32)\n");
    for i in 0..n {
        w.push_str(&format!("  local.get $x call $g{i} local.set $x\n"));
    }
    w.push_str(
        "  i32.const 1000 local.set $k
  loop $l
    local.get $x i32.const 7 i32.rotl i32.const 12345 i32.xor local.set $x
    local.get $k i32.const 1 i32.sub local.tee $k
    br_if $l
  end
  local.get $x)
(func (export \"direct\") (param i32 i32) (result i32)
  local.get 1 local.get 0 call_indirect (type $t)))",
    );
    w
}

/// What `program`'s `outer` returns, computed here.
fn outer_reference(n: usize, mut x: i32) -> i32 {
    for i in 0..n as i32 {
        x = (x ^ i).wrapping_mul(3).wrapping_add(i);
    }
    for _ in 0..1000 {
        x = x.rotate_left(7) ^ 12345;
    }
    x
}

fn instance(e: &Engine, n: usize) -> (Store<()>, Instance) {
    let module = Module::new(e, &wat::parse_str(program(n)).unwrap()).unwrap();
    let mut store = Store::new(e, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    (store, inst)
}

fn call(store: &mut Store<()>, inst: &Instance, name: &str, args: &[Val]) -> i32 {
    let f = inst.get_func(&*store, name).unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut *store, args, &mut out).unwrap();
    out[0].i32().unwrap()
}

#[test]
fn code_evicted_while_it_runs_stays_mapped_until_it_returns() {
    // JIT-only, four pages: `outer` is compiled first, then each `$g` at its first call
    // from `outer`'s native code. The fourth `$g` evicts `outer` (the oldest code) while
    // `outer` is running: it is on the stack below the calls. Its code must stay mapped
    // until it returns, or returning into it crashes this process.
    let n = 24;
    let e = engine(Tier::Jit, 0, 4);
    let (mut store, inst) = instance(&e, n);
    assert_eq!(
        call(&mut store, &inst, "outer", &[Val::I32(5)]),
        outer_reference(n, 5)
    );
    // How much else is evicted and compiled during the call depends on the stack scan,
    // which is conservative: a stale word left on the stack by an earlier call may keep
    // retired code (a CI run saw 12 evictions and 11 compiles over budget where a local
    // run saw 21 and none). What holds always: `outer` was evicted while it ran (the
    // first compile that did not fit retired it, the oldest), it ran on to the right
    // result, and the budget held.
    let s = e.jit_stats();
    assert!(s.evicted >= 1, "{s:?}");
    assert!(s.code_bytes <= 4 * PAGE, "{s:?}");
    let outer_compiles = |s: &kpio_wasm::jit::JitStats| {
        s.events
            .iter()
            .filter(|ev| ev.outcome.is_ok() && ev.func_index as usize == n)
            .count()
    };
    assert_eq!(outer_compiles(&s), 1, "{s:?}");
    assert_eq!(
        call(&mut store, &inst, "outer", &[Val::I32(-9)]),
        outer_reference(n, -9)
    );
    let s = e.jit_stats();
    assert!(s.code_bytes <= 4 * PAGE, "{s:?}");
}

#[test]
fn evicted_functions_tier_up_again_when_hot_again() {
    // Tiered with a threshold of 3 and room for two functions. `$g0`, `$g1`, `$g2` are
    // called in turn through the table: each reaches the threshold, is compiled, and
    // evicts the oldest; an evicted one counts its calls from zero and is compiled again,
    // after twice as many calls as the time before.
    let e = engine(Tier::Auto, 3, 2);
    let (mut store, inst) = instance(&e, 3);
    for round in 0..30i32 {
        for g in 0..3i32 {
            let x = round * 10 + g;
            let want = (x ^ g).wrapping_mul(3).wrapping_add(g);
            assert_eq!(
                call(&mut store, &inst, "direct", &[Val::I32(g), Val::I32(x)]),
                want,
                "round {round}, $g{g}"
            );
        }
    }
    let s = e.jit_stats();
    assert!(s.evicted >= 3, "{s:?}");
    assert!(s.code_bytes <= 2 * PAGE, "{s:?}");
    // Evicted code was compiled again: more compiles than functions.
    assert!(s.compiled > 4, "{s:?}");
    for g in 0..3u32 {
        let tries: Vec<_> = s.events.iter().filter(|ev| ev.func_index == g).collect();
        assert!(tries.iter().any(|ev| ev.outcome.is_ok()), "$g{g}: {s:?}");
        assert!(tries.len() >= 2, "$g{g} compiled again: {s:?}");
        // Each try came after a fresh count up to the threshold, doubled for each time
        // the function lost its code before (evicted, or a try that did not fit).
        let mut last = 0;
        for ev in &tries {
            let CompileReason::CallCount(n) = ev.reason else {
                panic!("{ev:?}");
            };
            assert!(
                n >= last && n % 3 == 0 && (n / 3).is_power_of_two(),
                "{tries:?}"
            );
            last = n;
        }
        assert!(last > 3, "the threshold grew: {tries:?}");
    }
}

#[test]
fn threads_sharing_a_module_evict_each_others_code_safely() {
    // Four threads, each with its own store of one shared module, call `outer` (24
    // functions deep) in JIT-only mode with room for five functions: every thread's calls
    // evict code that other threads may be running. Results must be right throughout and
    // the budget never passed.
    let n = 24;
    let e = engine(Tier::Jit, 0, 5);
    let module = Module::new(&e, &wat::parse_str(program(n)).unwrap()).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (e, module) = (e.clone(), module.clone());
            std::thread::spawn(move || {
                let mut store = Store::new(&e, ());
                let inst = Linker::new().instantiate(&mut store, &module).unwrap();
                for k in 0..40 {
                    let x = t * 1000 + k;
                    assert_eq!(
                        call(&mut store, &inst, "outer", &[Val::I32(x)]),
                        outer_reference(n, x),
                        "thread {t}, call {k}"
                    );
                    assert!(e.jit_stats().code_bytes <= 5 * PAGE);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let s = e.jit_stats();
    // (How many depends on the threads' timing and on the conservative stack scans.)
    assert!(s.evicted >= 1, "{s:?}");
    assert!(s.code_bytes <= 5 * PAGE, "{s:?}");
}

#[test]
fn code_larger_than_the_whole_budget_is_left_to_the_interpreter() {
    // Half a page of budget: nothing fits, nothing can be evicted to make it fit.
    let e = Engine::new(Config {
        tier: Tier::Jit,
        jit_code_budget: PAGE / 2,
        ..Config::default()
    });
    let (mut store, inst) = instance(&e, 4);
    assert_eq!(
        call(&mut store, &inst, "outer", &[Val::I32(1)]),
        outer_reference(4, 1)
    );
    let s = e.jit_stats();
    assert_eq!((s.compiled, s.evicted, s.code_bytes), (0, 0, 0), "{s:?}");
    assert!(s.over_budget >= 5, "{s:?}");
    assert!(
        s.events
            .iter()
            .all(|ev| ev.outcome.as_ref().is_err_and(|m| m.contains("budget"))),
        "{s:?}"
    );
}

#[test]
fn a_function_that_does_not_fit_is_not_compiled_again_at_every_call() {
    // JIT-only (a compile at the first call) with half a page of budget: `$g0` never
    // fits. Each failed compile doubles the calls before the next try (tries at calls 1,
    // 3, 7, ..., 8191), so 10,000 calls cost 13 compiles, not 10,000 (fuzzing found a guest whose every call compiled, which
    // made a 5 ms run take 22 s).
    let e = Engine::new(Config {
        tier: Tier::Jit,
        jit_code_budget: PAGE / 2,
        jit_background: false,
        ..Config::default()
    });
    let (mut store, inst) = instance(&e, 1);
    for x in 0..10_000 {
        assert_eq!(
            call(&mut store, &inst, "direct", &[Val::I32(0), Val::I32(x)]),
            x.wrapping_mul(3)
        );
    }
    let s = e.jit_stats();
    let g0 = s.events.iter().filter(|ev| ev.func_index == 0).count();
    assert_eq!(g0, 13, "{s:?}");
}

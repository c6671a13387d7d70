//! Fixed-width SIMD in native code: `v128` parameters, results, locals, globals and memory
//! accesses compile (the statistic shows no refusal) and compute what the interpreter does,
//! across native-to-native calls, calls from the host and from interpreted code, and an
//! on-stack replacement whose loop carries a `v128` local.
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use kpio_wasm::jit::CompileReason;
use kpio_wasm::{Config, Engine, Linker, Module, Store, Tier, Val};

const PROGRAM: &str = r#"
(module
  (memory 1)
  (global $gv (mut v128) (v128.const i32x4 1 2 3 4))
  ;; ((a + b as i32x4) * splat(k) as i16x8) ^ gv, and k + 1
  (func $mix (export "mix") (param $a v128) (param $b v128) (param $k i32) (result v128 i32)
    local.get $a
    local.get $b
    i32x4.add
    local.get $k
    i32x4.splat
    i16x8.mul
    global.get $gv
    v128.xor
    local.get $k
    i32.const 1
    i32.add)
  (func (export "main") (param $n i32) (result i64 i64 i32)
    (local $acc v128) (local $i i32) (local $t i32) (local $sum i32)
    v128.const i64x2 7 -9
    local.set $acc
    loop $top
      ;; through memory: stored whole, read back as eight sign-extended bytes
      i32.const 16
      local.get $acc
      v128.store align=1
      local.get $acc
      i32.const 16
      v128.load8x8_s
      local.get $i
      call $mix
      local.set $t
      f32x4.convert_i32x4_s
      f32x4.sqrt
      i32x4.trunc_sat_f32x4_s
      local.get $acc
      local.get $acc
      i8x16.shuffle 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14
      i8x16.add_sat_u
      local.tee $acc
      global.set $gv
      local.get $sum
      local.get $acc
      i8x16.bitmask
      local.get $t
      i32.add
      i32.add
      local.set $sum
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      local.get $n
      i32.lt_u
      br_if $top
    end
    local.get $acc
    i64x2.extract_lane 0
    local.get $acc
    i64x2.extract_lane 1
    local.get $sum)
)
"#;

/// `(a + b) * splat(k)` with the lanes of the global at its start, computed here lane by
/// lane (the oracle of `mix` from the host).
fn mix_expected(a: u128, b: u128, k: i32) -> u128 {
    let i32s = |v: u128| -> [i32; 4] { core::array::from_fn(|i| (v >> (32 * i)) as u32 as i32) };
    let (a, b) = (i32s(a), i32s(b));
    let sum: u128 = (0..4).fold(0, |acc, i| {
        acc | ((a[i].wrapping_add(b[i]) as u32 as u128) << (32 * i))
    });
    let splat: u128 = (0..4).fold(0, |acc, i| acc | ((k as u32 as u128) << (32 * i)));
    let prod: u128 = (0..8).fold(0, |acc, i| {
        let x = (sum >> (16 * i)) as u16 as i16;
        let y = (splat >> (16 * i)) as u16 as i16;
        acc | ((x.wrapping_mul(y) as u16 as u128) << (16 * i))
    });
    let gv: u128 = 1 | 2 << 32 | 3 << 64 | 4 << 96;
    prod ^ gv
}

fn engines() -> Vec<(&'static str, Engine)> {
    let config = |tier, jit_threshold, jit_loop_threshold| {
        Engine::new(Config {
            tier,
            jit_threshold,
            jit_loop_threshold,
            jit_background: false,
            ..Config::default()
        })
    };
    vec![
        ("interp", config(Tier::Interp, 1, 1000)),
        ("jit", config(Tier::Jit, 1, 1000)),
        // `mix` tiers up at its third call, from `main` running in the interpreter.
        ("tiered", config(Tier::Auto, 3, u32::MAX)),
        // `main` moves into native code at its loop, its `v128` local taken along.
        ("osr", config(Tier::Auto, u32::MAX, 50)),
    ]
}

fn call(engine: &Engine, export: &str, args: &[Val], nres: usize) -> Vec<Val> {
    let module = Module::new(engine, &wat::parse_str(PROGRAM).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = inst.get_func(&store, export).unwrap();
    let mut out = vec![Val::I32(0); nres];
    f.call(&mut store, args, &mut out).unwrap();
    out
}

#[test]
fn v128_values_cross_every_kind_of_call_and_agree_across_tiers() {
    let a: u128 = 0x8000_0001_7fff_ffff_0000_ffff_1234_5678;
    let b: u128 = 0x0000_0001_0000_0001_ffff_0001_edcb_a988;
    let k = -3;
    let mix_args = [Val::V128(a), Val::V128(b), Val::I32(k)];
    let want = [Val::V128(mix_expected(a, b, k)), Val::I32(k + 1)];
    let reference = call(&engines()[0].1, "main", &[Val::I32(400)], 3);
    for (name, engine) in engines() {
        assert_eq!(
            call(&engine, "mix", &mix_args, 2),
            want,
            "{name}: mix from the host"
        );
        assert_eq!(
            call(&engine, "main", &[Val::I32(400)], 3),
            reference,
            "{name}: main"
        );
        let stats = engine.jit_stats();
        assert_eq!(stats.refused, 0, "{name}: {stats:?}");
        if name == "interp" {
            continue;
        }
        assert!(stats.compiled >= 1, "{name}: {stats:?}");
        if name == "osr" {
            assert!(
                stats
                    .events
                    .iter()
                    .any(|e| matches!(e.reason, CompileReason::Loop(_)) && e.outcome.is_ok()),
                "{name}: an on-stack replacement: {stats:?}"
            );
        }
    }
}

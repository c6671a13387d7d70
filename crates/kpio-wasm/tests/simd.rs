//! Fixed-width SIMD end to end through the public API: `v128` parameters and results of
//! exported and host functions, `v128` globals (defined, imported, set from the host),
//! `v128` loads and stores, `select`, and a few integer and float lane operations. The
//! expected values are worked out by hand from the spec's lane semantics (lane 0 is the
//! least significant, little-endian), not taken from the engine's output.

use kpio_wasm::*;

/// The `v128` with i32 lanes `l` (lane 0 first).
fn i32x4(l: [i32; 4]) -> u128 {
    l.iter()
        .enumerate()
        .fold(0, |v, (i, x)| v | (*x as u32 as u128) << (32 * i))
}

/// The i32 lanes of `v` (lane 0 first).
fn lanes_i32(v: u128) -> [i32; 4] {
    core::array::from_fn(|i| (v >> (32 * i)) as u32 as i32)
}

/// The f32 lane bits of `v` (lane 0 first).
fn lanes_f32_bits(v: u128) -> [u32; 4] {
    core::array::from_fn(|i| (v >> (32 * i)) as u32)
}

fn v128(v: &Val) -> u128 {
    match v {
        Val::V128(x) => *x,
        other => panic!("expected v128, got {other:?}"),
    }
}

const WAT: &str = r#"(module
  (import "host" "swap" (func $swap (param v128 i32) (result v128 i32)))
  (import "host" "hg" (global $hg v128))
  (memory (export "memory") 1)
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
  (global $g (export "g") (mut v128) (v128.const i32x4 10 20 30 40))

  (func (export "add") (param $a v128) (param $b v128) (result v128)
    (i32x4.add (local.get $a) (local.get $b)))

  ;; memory[16..32] = memory[0..16] + g (i32 lanes); returns the i32 at 28 (lane 3).
  (func (export "mem") (result i32)
    (v128.store (i32.const 16) (i32x4.add (v128.load (i32.const 0)) (global.get $g)))
    (i32.load (i32.const 28)))

  (func (export "set_g") (param v128) (global.set $g (local.get 0)))

  (func (export "with_hg") (result v128) (i32x4.add (global.get $hg) (global.get $g)))

  (func (export "fops") (result f32 f32 f32 f32) (local $v v128)
    (local.set $v
      (f32x4.mul
        (f32x4.add (v128.const f32x4 1.5 -2 0.25 3) (f32x4.splat (f32.const 0.5)))
        (v128.const f32x4 2 2 4 -1)))
    (f32x4.extract_lane 0 (local.get $v))
    (f32x4.extract_lane 1 (local.get $v))
    (f32x4.extract_lane 2 (local.get $v))
    (f32x4.extract_lane 3 (local.get $v)))

  (func (export "fmin") (result v128)
    (f32x4.min (v128.const f32x4 -0 nan 1 5) (v128.const f32x4 0 1 -inf 2)))

  ;; Scalars and a v128 interleaved: the v128 takes two slots between them.
  (func (export "mixed") (param i32 v128 i64) (result i64) (local $t v128) (local $k i32)
    (local.set $t (local.get 1))
    (local.set $k (local.get 0))
    (i64.add
      (i64.add (local.get 2) (i64x2.extract_lane 1 (local.get $t)))
      (i64.extend_i32_s (local.get $k))))

  (func (export "pick") (param v128 v128 i32) (result v128)
    (select (local.get 0) (local.get 1) (local.get 2)))

  (func (export "via_host") (param v128) (result v128 i32)
    (call $swap (local.get 0) (i32.const 7))))"#;

fn setup() -> (Store<()>, Instance) {
    let engine = Engine::default();
    let bytes = wat::parse_str(WAT).expect("test module parses");
    let module = Module::new(&engine, &bytes).expect("SIMD module validates");
    let mut store = Store::new(&engine, ());
    // Reverses the i32 lanes and doubles the scalar.
    let swap = Func::new(
        &mut store,
        FuncType::new([ValType::V128, ValType::I32], [ValType::V128, ValType::I32]),
        |_, args, results| {
            let mut l = lanes_i32(v128(&args[0]));
            l.reverse();
            results[0] = Val::V128(i32x4(l));
            results[1] = Val::I32(args[1].i32().unwrap() * 2);
            Ok(())
        },
    );
    let hg = Global::new(
        &mut store,
        GlobalType::new(ValType::V128, Mutability::Const),
        Val::V128(i32x4([100, 200, 300, 400])),
    )
    .unwrap();
    let mut linker = Linker::new();
    linker.define("host", "swap", swap).define("host", "hg", hg);
    let inst = linker
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, inst)
}

fn call(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Vec<Val> {
    let f = inst.get_func(store, name).expect("export exists");
    let mut out: Vec<Val> = f
        .ty(store)
        .results()
        .iter()
        .map(|t| Val::default_for(*t))
        .collect();
    f.call(store, args, &mut out).expect("runs");
    out
}

#[test]
fn i32x4_add_through_an_exported_function_wraps_per_lane() {
    let (mut s, i) = setup();
    let a = Val::V128(i32x4([1, 2, 3, i32::MAX]));
    let b = Val::V128(i32x4([10, 20, 30, 1]));
    let r = call(&mut s, i, "add", &[a, b]);
    assert_eq!(lanes_i32(v128(&r[0])), [11, 22, 33, i32::MIN]);
}

#[test]
fn v128_load_store_and_globals() {
    let (mut s, i) = setup();
    let g = i.get_global(&s, "g").unwrap();
    assert_eq!(g.get(&s), Val::V128(i32x4([10, 20, 30, 40])));
    assert_eq!(call(&mut s, i, "mem", &[]), [Val::I32(44)]);
    let mem = i.get_memory(&s, "memory").unwrap();
    let stored: Vec<u8> = [11u32, 22, 33, 44]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    assert_eq!(&mem.data(&s)[16..32], &stored[..]);

    // Set from the host, seen by the guest.
    g.set(&mut s, Val::V128(i32x4([-1, 0, 0, -4]))).unwrap();
    assert_eq!(call(&mut s, i, "mem", &[]), [Val::I32(0)]);
    assert_eq!(&mem.data(&s)[16..20], &0u32.to_le_bytes());

    // Set by the guest, seen by the host and by the guest's imported-global sum.
    let v = i32x4([1, -2, 3, -4]);
    call(&mut s, i, "set_g", &[Val::V128(v)]);
    assert_eq!(g.get(&s), Val::V128(v));
    let r = call(&mut s, i, "with_hg", &[]);
    assert_eq!(lanes_i32(v128(&r[0])), [101, 198, 303, 396]);
}

#[test]
fn f32x4_arithmetic_and_min() {
    let (mut s, i) = setup();
    // (1.5+0.5)*2, (-2+0.5)*2, (0.25+0.5)*4, (3+0.5)*-1: all exact in f32.
    let r = call(&mut s, i, "fops", &[]);
    assert_eq!(r, [4.0f32, -3.0, 3.0, -3.5].map(|x| Val::F32(x.into())));
    // min(-0, 0) is -0; a NaN operand gives a NaN (canonical in, so canonical out);
    // min(1, -inf) is -inf; min(5, 2) is 2.
    let l = lanes_f32_bits(v128(&call(&mut s, i, "fmin", &[])[0]));
    assert_eq!(l[0], 0x8000_0000);
    assert_eq!(l[1] & 0x7fff_ffff, 0x7fc0_0000);
    assert_eq!(l[2], f32::NEG_INFINITY.to_bits());
    assert_eq!(l[3], 2.0f32.to_bits());
}

#[test]
fn v128_between_scalars_select_and_host_calls() {
    let (mut s, i) = setup();
    // 1000 + lane 1 (100) + (-3).
    let v = Val::V128(5u128 | 100u128 << 64);
    let r = call(&mut s, i, "mixed", &[Val::I32(-3), v, Val::I64(1000)]);
    assert_eq!(r, [Val::I64(1097)]);

    let a = Val::V128(i32x4([1, 2, 3, 4]));
    let b = Val::V128(u128::MAX);
    assert_eq!(call(&mut s, i, "pick", &[a, b, Val::I32(1)]), [a]);
    assert_eq!(call(&mut s, i, "pick", &[a, b, Val::I32(0)]), [b]);

    let r = call(&mut s, i, "via_host", &[a]);
    assert_eq!(r, [Val::V128(i32x4([4, 3, 2, 1])), Val::I32(14)]);
}

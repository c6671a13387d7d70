//! Relaxed SIMD: each operator's one result, the WebAssembly 3.0 deterministic profile's
//! (`docs/relaxed-simd.md`), pinned on exactly the inputs where the spec allows other
//! results (fused vs unfused rounding, saturation, out-of-range indices, NaN, mixed masks).
//! The spec scripts (`proposals/relaxed-simd`) accept any allowed result with `either`, and
//! the `relaxed_trunc` script has no assertions at all, so these tests are what keeps the
//! choice from drifting. Expected values are worked out by hand, not taken from the engine.

use kpio_wasm::*;

const WAT: &str = r#"(module
  (func (export "f32x4.madd") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f32x4.nmadd") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f64x2.madd") (param v128 v128 v128) (result v128)
    (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f64x2.nmadd") (param v128 v128 v128) (result v128)
    (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "dot") (param v128 v128) (result v128)
    (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
  (func (export "dot_add") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2)))
  (func (export "swizzle") (param v128 v128) (result v128)
    (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func (export "trunc_f32_s") (param v128) (result v128)
    (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
  (func (export "trunc_f32_u") (param v128) (result v128)
    (i32x4.relaxed_trunc_f32x4_u (local.get 0)))
  (func (export "trunc_f64_s") (param v128) (result v128)
    (i32x4.relaxed_trunc_f64x2_s_zero (local.get 0)))
  (func (export "trunc_f64_u") (param v128) (result v128)
    (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
  (func (export "laneselect8") (param v128 v128 v128) (result v128)
    (i8x16.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "laneselect16") (param v128 v128 v128) (result v128)
    (i16x8.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "laneselect32") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "laneselect64") (param v128 v128 v128) (result v128)
    (i64x2.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f32x4.min") (param v128 v128) (result v128)
    (f32x4.relaxed_min (local.get 0) (local.get 1)))
  (func (export "f32x4.max") (param v128 v128) (result v128)
    (f32x4.relaxed_max (local.get 0) (local.get 1)))
  (func (export "f64x2.min") (param v128 v128) (result v128)
    (f64x2.relaxed_min (local.get 0) (local.get 1)))
  (func (export "f64x2.max") (param v128 v128) (result v128)
    (f64x2.relaxed_max (local.get 0) (local.get 1)))
  (func (export "q15") (param v128 v128) (result v128)
    (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  ;; The third operand of a three-operand op in a local written after it: the result must
  ;; not overwrite an input the op still reads.
  (func (export "madd_into_local") (param v128 v128 v128) (result v128)
    (local.set 2 (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
    (local.get 2))
)"#;

fn setup() -> (Store<()>, Instance) {
    let engine = Engine::default();
    let bytes = wat::parse_str(WAT).expect("test module parses");
    let module = Module::new(&engine, &bytes).expect("relaxed SIMD validates");
    let mut store = Store::new(&engine, ());
    let inst = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, inst)
}

fn call(name: &str, args: &[u128]) -> u128 {
    let (mut store, inst) = setup();
    let f = inst.get_func(&store, name).expect("export exists");
    let args: Vec<Val> = args.iter().map(|v| Val::V128(*v)).collect();
    let mut out = [Val::V128(0)];
    f.call(&mut store, &args, &mut out).expect("runs");
    match out[0] {
        Val::V128(v) => v,
        ref other => panic!("expected v128, got {other:?}"),
    }
}

/// Joins lanes of `bits` bits each (lane 0 first) into a vector.
fn join<const N: usize>(bits: u32, lanes: [u64; N]) -> u128 {
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    };
    lanes.iter().enumerate().fold(0, |v, (i, x)| {
        v | ((x & mask) as u128) << (bits as usize * i)
    })
}
fn f32x4(l: [f32; 4]) -> u128 {
    join(32, l.map(|x| x.to_bits() as u64))
}
fn f64x2(l: [f64; 2]) -> u128 {
    join(64, l.map(f64::to_bits))
}
fn i32x4(l: [i32; 4]) -> u128 {
    join(32, l.map(|x| x as u32 as u64))
}
fn i16x8(l: [i16; 8]) -> u128 {
    join(16, l.map(|x| x as u16 as u64))
}
fn i8x16(l: [i8; 16]) -> u128 {
    join(8, l.map(|x| x as u8 as u64))
}
fn f32_lanes(v: u128) -> [u32; 4] {
    core::array::from_fn(|i| (v >> (32 * i)) as u32)
}
fn f64_lanes(v: u128) -> [u64; 2] {
    core::array::from_fn(|i| (v >> (64 * i)) as u64)
}

// (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: the 2^-24 is half an f32 ulp at 1, so the rounded
// product is 1 + 2^-11 (ties to even) and adding -(1 + 2^-11) gives 0; fused, it is 2^-24.
const A32: f32 = 1.0 + 1.0 / 4096.0;
const C32: f32 = 1.0 + 1.0 / 2048.0;
// The same for f64: (1 + 2^-27)^2 = 1 + 2^-26 + 2^-54, a quarter ulp, lost when rounded.
const A64: f64 = 1.0 + 1.0 / 134_217_728.0;
const C64: f64 = 1.0 + 1.0 / 67_108_864.0;

#[test]
fn madd_is_unfused_two_roundings() {
    let fused_f32 = 2f32.powi(-24);
    assert_eq!(
        A32 * A32 - C32,
        0.0,
        "the host rounds the product: the premise"
    );
    assert_eq!(A32.mul_add(A32, -C32), fused_f32, "fused keeps the 2^-24");
    let r = call(
        "f32x4.madd",
        &[
            f32x4([A32, 2.0, A32, 1.5]),
            f32x4([A32, 3.0, A32, -2.0]),
            f32x4([-C32, 1.0, -C32, 0.25]),
        ],
    );
    assert_eq!(r, f32x4([0.0, 7.0, 0.0, -2.75]));
    let r = call(
        "f32x4.nmadd",
        &[
            f32x4([A32, 2.0, A32, 1.5]),
            f32x4([A32, 3.0, A32, -2.0]),
            f32x4([C32, 1.0, C32, 0.25]),
        ],
    );
    assert_eq!(r, f32x4([0.0, -5.0, 0.0, 3.25]));

    assert_eq!(A64 * A64 - C64, 0.0);
    assert_eq!(A64.mul_add(A64, -C64), 2f64.powi(-54));
    let r = call(
        "f64x2.madd",
        &[f64x2([A64, 3.0]), f64x2([A64, 0.5]), f64x2([-C64, 1.0])],
    );
    assert_eq!(r, f64x2([0.0, 2.5]));
    let r = call(
        "f64x2.nmadd",
        &[f64x2([A64, 3.0]), f64x2([A64, 0.5]), f64x2([C64, 1.0])],
    );
    assert_eq!(r, f64x2([0.0, -0.5]));
}

#[test]
fn madd_may_write_a_local_it_reads() {
    let r = call(
        "madd_into_local",
        &[
            f32x4([1.0, 2.0, 3.0, 4.0]),
            f32x4([10.0, 10.0, 10.0, 10.0]),
            f32x4([0.5, 0.25, -1.0, -40.0]),
        ],
    );
    assert_eq!(r, f32x4([10.5, 20.25, 29.0, 0.0]));
}

#[test]
fn dot_is_signed_and_saturates_its_16_bit_sums() {
    // -128 * -128 twice is 32768: saturated to 32767 (wrapping would give -32768). Lane 1:
    // a second operand of -1 is signed (-2), not 255 (unsigned: 2 * 255 * 1 = 510).
    let a = i8x16([
        -128, -128, 1, 1, 127, 127, -128, 127, 0, 0, 5, -6, 0, 0, 0, 0,
    ]);
    let b = i8x16([
        -128, -128, -1, -1, 127, 127, 127, -128, 0, 0, 7, 7, 0, 0, 0, 0,
    ]);
    let r = call("dot", &[a, b]);
    assert_eq!(r, i16x8([32767, -2, 32258, -32512, 0, -7, 0, 0]));
    // The same pairs, widened: lanes (32767 + -2), (32258 + -32512), (0 + -7), 0, plus c.
    let c = i32x4([1, 2, i32::MAX, -4]);
    let r = call("dot_add", &[a, b, c]);
    assert_eq!(r, i32x4([32766, -252, i32::MAX - 7, -4]));
    // Wrapping in the final 32-bit add.
    let ones = i8x16([-128; 16]);
    let r = call("dot_add", &[ones, ones, i32x4([i32::MAX, 0, 0, 0])]);
    assert_eq!(
        r,
        i32x4([i32::MAX.wrapping_add(65534), 65534, 65534, 65534])
    );
}

#[test]
fn swizzle_zeroes_every_out_of_range_index() {
    let a = i8x16(core::array::from_fn(|i| (i as i8 + 1) * 3));
    // 16, 17, 31, 100, 127 would pick lane j % 16 on x86's pshufb; 0x80 and up are 0 anyway.
    let idx = i8x16([
        0, 15, 16, 17, 31, 100, 127, -128, -1, 5, 32, 48, 64, 3, 1, 2,
    ]);
    let r = call("swizzle", &[a, idx]);
    assert_eq!(
        r,
        i8x16([3, 48, 0, 0, 0, 0, 0, 0, 0, 18, 0, 0, 0, 12, 6, 9])
    );
}

#[test]
fn trunc_saturates_and_maps_nan_to_zero() {
    let r = call("trunc_f32_s", &[f32x4([f32::NAN, 3e9, -3e9, -7.9])]);
    assert_eq!(r, i32x4([0, i32::MAX, i32::MIN, -7]));
    let r = call("trunc_f32_u", &[f32x4([f32::NAN, 5e9, -1.5, 4e9])]);
    assert_eq!(r, i32x4([0, -1, 0, 4_000_000_000u32 as i32]));
    let r = call("trunc_f64_s", &[f64x2([f64::NAN, -1e10])]);
    assert_eq!(r, i32x4([0, i32::MIN, 0, 0]));
    let r = call("trunc_f64_s", &[f64x2([2147483647.9, -2147483648.9])]);
    assert_eq!(r, i32x4([i32::MAX, i32::MIN, 0, 0]));
    let r = call("trunc_f64_u", &[f64x2([-f64::INFINITY, 4294967295.5])]);
    assert_eq!(r, i32x4([0, -1, 0, 0]));
    let r = call("trunc_f64_u", &[f64x2([f64::NAN, 1e300])]);
    assert_eq!(r, i32x4([0, -1, 0, 0]));
}

#[test]
fn laneselect_is_bitwise_for_every_lane_width() {
    // A mask whose lanes mix set and clear bits: the top bit alone (x86's blendv) would pick
    // whole lanes; bitwise selection mixes them.
    let a = u128::MAX;
    let b = 0u128;
    let mask = 0x0f0f_00ff_8000_7fff_1234_5678_9abc_def0u128;
    for name in [
        "laneselect8",
        "laneselect16",
        "laneselect32",
        "laneselect64",
    ] {
        assert_eq!(call(name, &[a, b, mask]), mask, "{name}");
        assert_eq!(call(name, &[b, a, mask]), !mask, "{name}");
    }
}

#[test]
fn min_max_propagate_nan_and_order_zeroes() {
    let nan = f32::NAN;
    let r = call(
        "f32x4.min",
        &[f32x4([nan, 1.0, -0.0, 0.0]), f32x4([1.0, nan, 0.0, -0.0])],
    );
    let l = f32_lanes(r);
    assert!(
        f32::from_bits(l[0]).is_nan() && f32::from_bits(l[1]).is_nan(),
        "{l:x?}"
    );
    assert_eq!([l[2], l[3]], [(-0.0f32).to_bits(), (-0.0f32).to_bits()]);
    let r = call(
        "f32x4.max",
        &[f32x4([nan, 1.0, -0.0, 0.0]), f32x4([1.0, nan, 0.0, -0.0])],
    );
    let l = f32_lanes(r);
    assert!(
        f32::from_bits(l[0]).is_nan() && f32::from_bits(l[1]).is_nan(),
        "{l:x?}"
    );
    assert_eq!([l[2], l[3]], [0.0f32.to_bits(), 0.0f32.to_bits()]);

    let r = call("f64x2.min", &[f64x2([f64::NAN, -0.0]), f64x2([1.0, 0.0])]);
    let l = f64_lanes(r);
    assert!(f64::from_bits(l[0]).is_nan());
    assert_eq!(l[1], (-0.0f64).to_bits());
    let r = call("f64x2.max", &[f64x2([2.0, 0.0]), f64x2([f64::NAN, -0.0])]);
    let l = f64_lanes(r);
    assert!(f64::from_bits(l[0]).is_nan());
    assert_eq!(l[1], 0.0f64.to_bits());
}

#[test]
fn q15mulr_saturates_the_one_overflow() {
    let a = i16x8([-32768, -32768, 16384, -32767, 1, 0, 32767, -1]);
    let b = i16x8([-32768, 32767, 16384, -32768, 16384, 5, 32767, 16384]);
    // (a * b + 2^14) >> 15, saturated: -32768^2 is the only overflow (x86's pmulhrsw would
    // give -32768 there).
    let r = call("q15", &[a, b]);
    assert_eq!(r, i16x8([32767, -32767, 8192, 32767, 1, 0, 32766, 0]));
}

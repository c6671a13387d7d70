//! The lane-wise semantics of the fixed-width SIMD operations, on `u128` vectors (lane 0 in
//! the least significant bits). Pure functions: the executor reads the operands from their
//! slots, calls one of these, and writes the result.
//!
//! Float lanes follow the scalar rules of `float` (the spec's `min`/`max`, `nearest`, and
//! libm rounding for no_std); arithmetic NaNs come from the hardware operations, which
//! propagate payloads quietly or produce the canonical NaN, as the spec allows.

use super::float;
use crate::simd::{SimdOp, V128LoadKind};

/// Splits and joins vectors into lanes of one integer type.
macro_rules! lanes {
    ($get:ident, $put:ident, $t:ty, $u:ty, $n:expr) => {
        fn $get(v: u128) -> [$t; $n] {
            core::array::from_fn(|i| (v >> (i * (128 / $n))) as $u as $t)
        }
        fn $put(a: [$t; $n]) -> u128 {
            let mut v = 0u128;
            for (i, x) in a.iter().enumerate() {
                v |= (*x as $u as u128) << (i * (128 / $n));
            }
            v
        }
    };
}
lanes!(i8s, from_i8s, i8, u8, 16);
lanes!(u8s, from_u8s, u8, u8, 16);
lanes!(i16s, from_i16s, i16, u16, 8);
lanes!(u16s, from_u16s, u16, u16, 8);
lanes!(i32s, from_i32s, i32, u32, 4);
lanes!(u32s, from_u32s, u32, u32, 4);
lanes!(i64s, from_i64s, i64, u64, 2);
lanes!(u64s, from_u64s, u64, u64, 2);

fn f32s(v: u128) -> [f32; 4] {
    u32s(v).map(f32::from_bits)
}
fn from_f32s(a: [f32; 4]) -> u128 {
    from_u32s(a.map(f32::to_bits))
}
fn f64s(v: u128) -> [f64; 2] {
    u64s(v).map(f64::from_bits)
}
fn from_f64s(a: [f64; 2]) -> u128 {
    from_u64s(a.map(f64::to_bits))
}

fn zip<T: Copy, U, const N: usize>(a: [T; N], b: [T; N], f: impl Fn(T, T) -> U) -> [U; N] {
    core::array::from_fn(|i| f(a[i], b[i]))
}

/// A compare result lane: all ones or all zeros.
fn mask<T: From<i8>>(c: bool) -> T {
    T::from(if c { -1 } else { 0 })
}

/// Widens the low (`high` false) or high half of `a`'s lanes.
fn half<T: Copy, U, const N: usize, const M: usize>(
    a: [T; N],
    high: bool,
    f: impl Fn(T) -> U,
) -> [U; M] {
    let o = if high { M } else { 0 };
    core::array::from_fn(|i| f(a[o + i]))
}

/// Vector → vector.
pub(super) fn unary(op: SimdOp, v: u128) -> u128 {
    use SimdOp::*;
    match op {
        V128Not => !v,
        I8x16Abs => from_i8s(i8s(v).map(i8::wrapping_abs)),
        I8x16Neg => from_i8s(i8s(v).map(i8::wrapping_neg)),
        I8x16Popcnt => from_u8s(u8s(v).map(|x| x.count_ones() as u8)),
        I16x8Abs => from_i16s(i16s(v).map(i16::wrapping_abs)),
        I16x8Neg => from_i16s(i16s(v).map(i16::wrapping_neg)),
        I32x4Abs => from_i32s(i32s(v).map(i32::wrapping_abs)),
        I32x4Neg => from_i32s(i32s(v).map(i32::wrapping_neg)),
        I64x2Abs => from_i64s(i64s(v).map(i64::wrapping_abs)),
        I64x2Neg => from_i64s(i64s(v).map(i64::wrapping_neg)),
        I16x8ExtAddPairwiseI8x16S => {
            let a = i8s(v);
            from_i16s(core::array::from_fn(|i| {
                a[2 * i] as i16 + a[2 * i + 1] as i16
            }))
        }
        I16x8ExtAddPairwiseI8x16U => {
            let a = u8s(v);
            from_u16s(core::array::from_fn(|i| {
                a[2 * i] as u16 + a[2 * i + 1] as u16
            }))
        }
        I32x4ExtAddPairwiseI16x8S => {
            let a = i16s(v);
            from_i32s(core::array::from_fn(|i| {
                a[2 * i] as i32 + a[2 * i + 1] as i32
            }))
        }
        I32x4ExtAddPairwiseI16x8U => {
            let a = u16s(v);
            from_u32s(core::array::from_fn(|i| {
                a[2 * i] as u32 + a[2 * i + 1] as u32
            }))
        }
        I16x8ExtendLowI8x16S => from_i16s(half(i8s(v), false, |x| x as i16)),
        I16x8ExtendHighI8x16S => from_i16s(half(i8s(v), true, |x| x as i16)),
        I16x8ExtendLowI8x16U => from_u16s(half(u8s(v), false, |x| x as u16)),
        I16x8ExtendHighI8x16U => from_u16s(half(u8s(v), true, |x| x as u16)),
        I32x4ExtendLowI16x8S => from_i32s(half(i16s(v), false, |x| x as i32)),
        I32x4ExtendHighI16x8S => from_i32s(half(i16s(v), true, |x| x as i32)),
        I32x4ExtendLowI16x8U => from_u32s(half(u16s(v), false, |x| x as u32)),
        I32x4ExtendHighI16x8U => from_u32s(half(u16s(v), true, |x| x as u32)),
        I64x2ExtendLowI32x4S => from_i64s(half(i32s(v), false, |x| x as i64)),
        I64x2ExtendHighI32x4S => from_i64s(half(i32s(v), true, |x| x as i64)),
        I64x2ExtendLowI32x4U => from_u64s(half(u32s(v), false, |x| x as u64)),
        I64x2ExtendHighI32x4U => from_u64s(half(u32s(v), true, |x| x as u64)),
        F32x4Ceil => from_f32s(f32s(v).map(float::ceil32)),
        F32x4Floor => from_f32s(f32s(v).map(float::floor32)),
        F32x4Trunc => from_f32s(f32s(v).map(float::trunc32)),
        F32x4Nearest => from_f32s(f32s(v).map(float::nearest32)),
        F32x4Sqrt => from_f32s(f32s(v).map(float::sqrt32)),
        F32x4Abs => from_u32s(u32s(v).map(|x| x & 0x7fff_ffff)),
        F32x4Neg => from_u32s(u32s(v).map(|x| x ^ 0x8000_0000)),
        F64x2Ceil => from_f64s(f64s(v).map(float::ceil64)),
        F64x2Floor => from_f64s(f64s(v).map(float::floor64)),
        F64x2Trunc => from_f64s(f64s(v).map(float::trunc64)),
        F64x2Nearest => from_f64s(f64s(v).map(float::nearest64)),
        F64x2Sqrt => from_f64s(f64s(v).map(float::sqrt64)),
        F64x2Abs => from_u64s(u64s(v).map(|x| x & 0x7fff_ffff_ffff_ffff)),
        F64x2Neg => from_u64s(u64s(v).map(|x| x ^ 0x8000_0000_0000_0000)),
        // Rust's float → int `as` saturates and maps NaN to 0: the spec's `trunc_sat`.
        I32x4TruncSatF32x4S => from_i32s(f32s(v).map(|x| x as i32)),
        I32x4TruncSatF32x4U => from_u32s(f32s(v).map(|x| x as u32)),
        F32x4ConvertI32x4S => from_f32s(i32s(v).map(|x| x as f32)),
        F32x4ConvertI32x4U => from_f32s(u32s(v).map(|x| x as f32)),
        I32x4TruncSatF64x2SZero => {
            let a = f64s(v);
            from_i32s([a[0] as i32, a[1] as i32, 0, 0])
        }
        I32x4TruncSatF64x2UZero => {
            let a = f64s(v);
            from_u32s([a[0] as u32, a[1] as u32, 0, 0])
        }
        F64x2ConvertLowI32x4S => from_f64s(half(i32s(v), false, |x| x as f64)),
        F64x2ConvertLowI32x4U => from_f64s(half(u32s(v), false, |x| x as f64)),
        F32x4DemoteF64x2Zero => {
            let a = f64s(v);
            from_f32s([a[0] as f32, a[1] as f32, 0.0, 0.0])
        }
        F64x2PromoteLowF32x4 => from_f64s(half(f32s(v), false, |x| x as f64)),
        // Relaxed SIMD: the `trunc_sat` results (NaN → 0, out of range saturates).
        I32x4RelaxedTruncF32x4S => unary(I32x4TruncSatF32x4S, v),
        I32x4RelaxedTruncF32x4U => unary(I32x4TruncSatF32x4U, v),
        I32x4RelaxedTruncF64x2SZero => unary(I32x4TruncSatF64x2SZero, v),
        I32x4RelaxedTruncF64x2UZero => unary(I32x4TruncSatF64x2UZero, v),
        _ => unreachable!("{op:?} is not a unary SIMD operation"),
    }
}

/// Scalar → vector.
pub(super) fn splat(op: SimdOp, x: u64) -> u128 {
    match op {
        SimdOp::I8x16Splat => from_u8s([x as u8; 16]),
        SimdOp::I16x8Splat => from_u16s([x as u16; 8]),
        SimdOp::I32x4Splat | SimdOp::F32x4Splat => from_u32s([x as u32; 4]),
        SimdOp::I64x2Splat | SimdOp::F64x2Splat => from_u64s([x; 2]),
        _ => unreachable!("{op:?} is not a splat"),
    }
}

/// Vector → scalar (its slot's bits).
pub(super) fn to_scalar(op: SimdOp, v: u128, lane: u8) -> u64 {
    use SimdOp::*;
    let l = lane as usize;
    match op {
        I8x16ExtractLaneS => i8s(v)[l] as i32 as u32 as u64,
        I8x16ExtractLaneU => u8s(v)[l] as u64,
        I16x8ExtractLaneS => i16s(v)[l] as i32 as u32 as u64,
        I16x8ExtractLaneU => u16s(v)[l] as u64,
        I32x4ExtractLane | F32x4ExtractLane => u32s(v)[l] as u64,
        I64x2ExtractLane | F64x2ExtractLane => u64s(v)[l],
        V128AnyTrue => (v != 0) as u64,
        I8x16AllTrue => u8s(v).iter().all(|x| *x != 0) as u64,
        I16x8AllTrue => u16s(v).iter().all(|x| *x != 0) as u64,
        I32x4AllTrue => u32s(v).iter().all(|x| *x != 0) as u64,
        I64x2AllTrue => u64s(v).iter().all(|x| *x != 0) as u64,
        I8x16Bitmask => bitmask(i8s(v).map(|x| x < 0)),
        I16x8Bitmask => bitmask(i16s(v).map(|x| x < 0)),
        I32x4Bitmask => bitmask(i32s(v).map(|x| x < 0)),
        I64x2Bitmask => bitmask(i64s(v).map(|x| x < 0)),
        _ => unreachable!("{op:?} does not yield a scalar"),
    }
}

fn bitmask<const N: usize>(neg: [bool; N]) -> u64 {
    neg.iter()
        .enumerate()
        .fold(0, |m, (i, n)| m | ((*n as u64) << i))
}

/// Vector × scalar → vector: shifts (by the scalar modulo the lane width) and lane
/// replacement.
pub(super) fn with_scalar(op: SimdOp, v: u128, x: u64, lane: u8) -> u128 {
    use SimdOp::*;
    let l = lane as usize;
    let x32 = x as u32;
    match op {
        I8x16Shl => from_u8s(u8s(v).map(|a| a.wrapping_shl(x32 & 7))),
        I8x16ShrS => from_i8s(i8s(v).map(|a| a.wrapping_shr(x32 & 7))),
        I8x16ShrU => from_u8s(u8s(v).map(|a| a.wrapping_shr(x32 & 7))),
        I16x8Shl => from_u16s(u16s(v).map(|a| a.wrapping_shl(x32 & 15))),
        I16x8ShrS => from_i16s(i16s(v).map(|a| a.wrapping_shr(x32 & 15))),
        I16x8ShrU => from_u16s(u16s(v).map(|a| a.wrapping_shr(x32 & 15))),
        I32x4Shl => from_u32s(u32s(v).map(|a| a.wrapping_shl(x32 & 31))),
        I32x4ShrS => from_i32s(i32s(v).map(|a| a.wrapping_shr(x32 & 31))),
        I32x4ShrU => from_u32s(u32s(v).map(|a| a.wrapping_shr(x32 & 31))),
        I64x2Shl => from_u64s(u64s(v).map(|a| a.wrapping_shl(x32 & 63))),
        I64x2ShrS => from_i64s(i64s(v).map(|a| a.wrapping_shr(x32 & 63))),
        I64x2ShrU => from_u64s(u64s(v).map(|a| a.wrapping_shr(x32 & 63))),
        I8x16ReplaceLane => {
            let mut a = u8s(v);
            a[l] = x as u8;
            from_u8s(a)
        }
        I16x8ReplaceLane => {
            let mut a = u16s(v);
            a[l] = x as u16;
            from_u16s(a)
        }
        I32x4ReplaceLane | F32x4ReplaceLane => {
            let mut a = u32s(v);
            a[l] = x as u32;
            from_u32s(a)
        }
        I64x2ReplaceLane | F64x2ReplaceLane => {
            let mut a = u64s(v);
            a[l] = x;
            from_u64s(a)
        }
        _ => unreachable!("{op:?} does not take a vector and a scalar"),
    }
}

fn sat_i8(x: i32) -> i8 {
    x.clamp(i8::MIN as i32, i8::MAX as i32) as i8
}
fn sat_u8(x: i32) -> u8 {
    x.clamp(0, u8::MAX as i32) as u8
}
fn sat_i16(x: i32) -> i16 {
    x.clamp(i16::MIN as i32, i16::MAX as i32) as i16
}
fn sat_u16(x: i32) -> u16 {
    x.clamp(0, u16::MAX as i32) as u16
}

/// Narrows two vectors of wider lanes into one, saturating.
fn narrow<T: Copy, U, const N: usize, const M: usize>(
    a: [T; N],
    b: [T; N],
    f: impl Fn(T) -> U,
) -> [U; M] {
    core::array::from_fn(|i| if i < N { f(a[i]) } else { f(b[i - N]) })
}

/// Vector × vector → vector.
pub(super) fn binary(op: SimdOp, a: u128, b: u128) -> u128 {
    use SimdOp::*;
    macro_rules! lanewise {
        ($get:ident, $put:ident, $f:expr) => {
            $put(zip($get(a), $get(b), $f))
        };
    }
    macro_rules! cmp {
        ($get:ident, $put:ident, $f:expr) => {
            $put(zip($get(a), $get(b), |x, y| mask(($f)(x, y))))
        };
    }
    match op {
        I8x16Swizzle => {
            let (a, b) = (u8s(a), u8s(b));
            from_u8s(b.map(|i| if i < 16 { a[i as usize] } else { 0 }))
        }
        V128And => a & b,
        V128AndNot => a & !b,
        V128Or => a | b,
        V128Xor => a ^ b,

        I8x16Eq => cmp!(i8s, from_i8s, |x, y| x == y),
        I8x16Ne => cmp!(i8s, from_i8s, |x, y| x != y),
        I8x16LtS => cmp!(i8s, from_i8s, |x, y| x < y),
        I8x16LtU => from_i8s(zip(u8s(a), u8s(b), |x, y| mask(x < y))),
        I8x16GtS => cmp!(i8s, from_i8s, |x, y| x > y),
        I8x16GtU => from_i8s(zip(u8s(a), u8s(b), |x, y| mask(x > y))),
        I8x16LeS => cmp!(i8s, from_i8s, |x, y| x <= y),
        I8x16LeU => from_i8s(zip(u8s(a), u8s(b), |x, y| mask(x <= y))),
        I8x16GeS => cmp!(i8s, from_i8s, |x, y| x >= y),
        I8x16GeU => from_i8s(zip(u8s(a), u8s(b), |x, y| mask(x >= y))),
        I16x8Eq => cmp!(i16s, from_i16s, |x, y| x == y),
        I16x8Ne => cmp!(i16s, from_i16s, |x, y| x != y),
        I16x8LtS => cmp!(i16s, from_i16s, |x, y| x < y),
        I16x8LtU => from_i16s(zip(u16s(a), u16s(b), |x, y| mask(x < y))),
        I16x8GtS => cmp!(i16s, from_i16s, |x, y| x > y),
        I16x8GtU => from_i16s(zip(u16s(a), u16s(b), |x, y| mask(x > y))),
        I16x8LeS => cmp!(i16s, from_i16s, |x, y| x <= y),
        I16x8LeU => from_i16s(zip(u16s(a), u16s(b), |x, y| mask(x <= y))),
        I16x8GeS => cmp!(i16s, from_i16s, |x, y| x >= y),
        I16x8GeU => from_i16s(zip(u16s(a), u16s(b), |x, y| mask(x >= y))),
        I32x4Eq => cmp!(i32s, from_i32s, |x, y| x == y),
        I32x4Ne => cmp!(i32s, from_i32s, |x, y| x != y),
        I32x4LtS => cmp!(i32s, from_i32s, |x, y| x < y),
        I32x4LtU => from_i32s(zip(u32s(a), u32s(b), |x, y| mask(x < y))),
        I32x4GtS => cmp!(i32s, from_i32s, |x, y| x > y),
        I32x4GtU => from_i32s(zip(u32s(a), u32s(b), |x, y| mask(x > y))),
        I32x4LeS => cmp!(i32s, from_i32s, |x, y| x <= y),
        I32x4LeU => from_i32s(zip(u32s(a), u32s(b), |x, y| mask(x <= y))),
        I32x4GeS => cmp!(i32s, from_i32s, |x, y| x >= y),
        I32x4GeU => from_i32s(zip(u32s(a), u32s(b), |x, y| mask(x >= y))),
        I64x2Eq => cmp!(i64s, from_i64s, |x, y| x == y),
        I64x2Ne => cmp!(i64s, from_i64s, |x, y| x != y),
        I64x2LtS => cmp!(i64s, from_i64s, |x, y| x < y),
        I64x2GtS => cmp!(i64s, from_i64s, |x, y| x > y),
        I64x2LeS => cmp!(i64s, from_i64s, |x, y| x <= y),
        I64x2GeS => cmp!(i64s, from_i64s, |x, y| x >= y),
        F32x4Eq => from_i32s(zip(f32s(a), f32s(b), |x, y| mask(x == y))),
        F32x4Ne => from_i32s(zip(f32s(a), f32s(b), |x, y| mask(x != y))),
        F32x4Lt => from_i32s(zip(f32s(a), f32s(b), |x, y| mask(x < y))),
        F32x4Gt => from_i32s(zip(f32s(a), f32s(b), |x, y| mask(x > y))),
        F32x4Le => from_i32s(zip(f32s(a), f32s(b), |x, y| mask(x <= y))),
        F32x4Ge => from_i32s(zip(f32s(a), f32s(b), |x, y| mask(x >= y))),
        F64x2Eq => from_i64s(zip(f64s(a), f64s(b), |x, y| mask(x == y))),
        F64x2Ne => from_i64s(zip(f64s(a), f64s(b), |x, y| mask(x != y))),
        F64x2Lt => from_i64s(zip(f64s(a), f64s(b), |x, y| mask(x < y))),
        F64x2Gt => from_i64s(zip(f64s(a), f64s(b), |x, y| mask(x > y))),
        F64x2Le => from_i64s(zip(f64s(a), f64s(b), |x, y| mask(x <= y))),
        F64x2Ge => from_i64s(zip(f64s(a), f64s(b), |x, y| mask(x >= y))),

        I8x16NarrowI16x8S => from_i8s(narrow(i16s(a), i16s(b), |x| sat_i8(x as i32))),
        I8x16NarrowI16x8U => from_u8s(narrow(i16s(a), i16s(b), |x| sat_u8(x as i32))),
        I16x8NarrowI32x4S => from_i16s(narrow(i32s(a), i32s(b), sat_i16)),
        I16x8NarrowI32x4U => from_u16s(narrow(i32s(a), i32s(b), sat_u16)),

        I8x16Add => lanewise!(u8s, from_u8s, u8::wrapping_add),
        I8x16AddSatS => lanewise!(i8s, from_i8s, i8::saturating_add),
        I8x16AddSatU => lanewise!(u8s, from_u8s, u8::saturating_add),
        I8x16Sub => lanewise!(u8s, from_u8s, u8::wrapping_sub),
        I8x16SubSatS => lanewise!(i8s, from_i8s, i8::saturating_sub),
        I8x16SubSatU => lanewise!(u8s, from_u8s, u8::saturating_sub),
        I8x16MinS => lanewise!(i8s, from_i8s, i8::min),
        I8x16MinU => lanewise!(u8s, from_u8s, u8::min),
        I8x16MaxS => lanewise!(i8s, from_i8s, i8::max),
        I8x16MaxU => lanewise!(u8s, from_u8s, u8::max),
        I8x16AvgrU => lanewise!(u8s, from_u8s, |x, y| (x as u16 + y as u16).div_ceil(2)
            as u8),
        I16x8Q15MulrSatS => lanewise!(i16s, from_i16s, |x, y| {
            sat_i16((x as i32 * y as i32 + 0x4000) >> 15)
        }),
        I16x8Add => lanewise!(u16s, from_u16s, u16::wrapping_add),
        I16x8AddSatS => lanewise!(i16s, from_i16s, i16::saturating_add),
        I16x8AddSatU => lanewise!(u16s, from_u16s, u16::saturating_add),
        I16x8Sub => lanewise!(u16s, from_u16s, u16::wrapping_sub),
        I16x8SubSatS => lanewise!(i16s, from_i16s, i16::saturating_sub),
        I16x8SubSatU => lanewise!(u16s, from_u16s, u16::saturating_sub),
        I16x8Mul => lanewise!(u16s, from_u16s, u16::wrapping_mul),
        I16x8MinS => lanewise!(i16s, from_i16s, i16::min),
        I16x8MinU => lanewise!(u16s, from_u16s, u16::min),
        I16x8MaxS => lanewise!(i16s, from_i16s, i16::max),
        I16x8MaxU => lanewise!(u16s, from_u16s, u16::max),
        I16x8AvgrU => lanewise!(u16s, from_u16s, |x, y| (x as u32 + y as u32).div_ceil(2)
            as u16),
        I16x8ExtMulLowI8x16S => extmul_i16(i8s(a), i8s(b), false),
        I16x8ExtMulHighI8x16S => extmul_i16(i8s(a), i8s(b), true),
        I16x8ExtMulLowI8x16U => extmul_u16(u8s(a), u8s(b), false),
        I16x8ExtMulHighI8x16U => extmul_u16(u8s(a), u8s(b), true),
        I32x4Add => lanewise!(u32s, from_u32s, u32::wrapping_add),
        I32x4Sub => lanewise!(u32s, from_u32s, u32::wrapping_sub),
        I32x4Mul => lanewise!(u32s, from_u32s, u32::wrapping_mul),
        I32x4MinS => lanewise!(i32s, from_i32s, i32::min),
        I32x4MinU => lanewise!(u32s, from_u32s, u32::min),
        I32x4MaxS => lanewise!(i32s, from_i32s, i32::max),
        I32x4MaxU => lanewise!(u32s, from_u32s, u32::max),
        I32x4DotI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i32s(core::array::from_fn(|i| {
                let p = |k: usize| x[k] as i32 * y[k] as i32;
                p(2 * i).wrapping_add(p(2 * i + 1))
            }))
        }
        I32x4ExtMulLowI16x8S => from_i32s(zip(
            half(i16s(a), false, |x| x as i32),
            half(i16s(b), false, |x| x as i32),
            i32::wrapping_mul,
        )),
        I32x4ExtMulHighI16x8S => from_i32s(zip(
            half(i16s(a), true, |x| x as i32),
            half(i16s(b), true, |x| x as i32),
            i32::wrapping_mul,
        )),
        I32x4ExtMulLowI16x8U => from_u32s(zip(
            half(u16s(a), false, |x| x as u32),
            half(u16s(b), false, |x| x as u32),
            u32::wrapping_mul,
        )),
        I32x4ExtMulHighI16x8U => from_u32s(zip(
            half(u16s(a), true, |x| x as u32),
            half(u16s(b), true, |x| x as u32),
            u32::wrapping_mul,
        )),
        I64x2Add => lanewise!(u64s, from_u64s, u64::wrapping_add),
        I64x2Sub => lanewise!(u64s, from_u64s, u64::wrapping_sub),
        I64x2Mul => lanewise!(u64s, from_u64s, u64::wrapping_mul),
        I64x2ExtMulLowI32x4S => from_i64s(zip(
            half(i32s(a), false, |x| x as i64),
            half(i32s(b), false, |x| x as i64),
            i64::wrapping_mul,
        )),
        I64x2ExtMulHighI32x4S => from_i64s(zip(
            half(i32s(a), true, |x| x as i64),
            half(i32s(b), true, |x| x as i64),
            i64::wrapping_mul,
        )),
        I64x2ExtMulLowI32x4U => from_u64s(zip(
            half(u32s(a), false, |x| x as u64),
            half(u32s(b), false, |x| x as u64),
            u64::wrapping_mul,
        )),
        I64x2ExtMulHighI32x4U => from_u64s(zip(
            half(u32s(a), true, |x| x as u64),
            half(u32s(b), true, |x| x as u64),
            u64::wrapping_mul,
        )),

        F32x4Add => lanewise!(f32s, from_f32s, |x, y| x + y),
        F32x4Sub => lanewise!(f32s, from_f32s, |x, y| x - y),
        F32x4Mul => lanewise!(f32s, from_f32s, |x, y| x * y),
        F32x4Div => lanewise!(f32s, from_f32s, |x, y| x / y),
        F32x4Min => lanewise!(f32s, from_f32s, float::min32),
        F32x4Max => lanewise!(f32s, from_f32s, float::max32),
        F32x4PMin => lanewise!(f32s, from_f32s, |x, y| if y < x { y } else { x }),
        F32x4PMax => lanewise!(f32s, from_f32s, |x, y| if x < y { y } else { x }),
        F64x2Add => lanewise!(f64s, from_f64s, |x, y| x + y),
        F64x2Sub => lanewise!(f64s, from_f64s, |x, y| x - y),
        F64x2Mul => lanewise!(f64s, from_f64s, |x, y| x * y),
        F64x2Div => lanewise!(f64s, from_f64s, |x, y| x / y),
        F64x2Min => lanewise!(f64s, from_f64s, float::min64),
        F64x2Max => lanewise!(f64s, from_f64s, float::max64),
        F64x2PMin => lanewise!(f64s, from_f64s, |x, y| if y < x { y } else { x }),
        F64x2PMax => lanewise!(f64s, from_f64s, |x, y| if x < y { y } else { x }),
        // Relaxed SIMD: swizzle zeroes every out-of-range lane, min/max are the NaN-propagating
        // `min`/`max`, Q15 multiplication saturates, and the dot product is signed.
        I8x16RelaxedSwizzle => binary(I8x16Swizzle, a, b),
        F32x4RelaxedMin => binary(F32x4Min, a, b),
        F32x4RelaxedMax => binary(F32x4Max, a, b),
        F64x2RelaxedMin => binary(F64x2Min, a, b),
        F64x2RelaxedMax => binary(F64x2Max, a, b),
        I16x8RelaxedQ15mulrS => binary(I16x8Q15MulrSatS, a, b),
        I16x8RelaxedDotI8x16I7x16S => from_i16s(relaxed_dot_i16(a, b)),
        _ => unreachable!("{op:?} is not a binary SIMD operation"),
    }
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s` as the deterministic profile defines it: both operands'
/// bytes signed, each pair of 16-bit products summed with signed saturation (which only
/// `-128 * -128` twice reaches).
fn relaxed_dot_i16(a: u128, b: u128) -> [i16; 8] {
    let (x, y) = (i8s(a), i8s(b));
    core::array::from_fn(|i| {
        let p = |k: usize| x[k] as i16 * y[k] as i16;
        p(2 * i).saturating_add(p(2 * i + 1))
    })
}

/// Three vectors → vector: the relaxed SIMD operations with three operands (`a`, `b`, `c` in
/// operand order).
pub(super) fn ternary(op: SimdOp, a: u128, b: u128, c: u128) -> u128 {
    use SimdOp::*;
    fn zip3<T: Copy, const N: usize>(
        a: [T; N],
        b: [T; N],
        c: [T; N],
        f: impl Fn(T, T, T) -> T,
    ) -> [T; N] {
        core::array::from_fn(|i| f(a[i], b[i], c[i]))
    }
    match op {
        // Unfused: the product is rounded before the sum (two roundings), never `fma`. Rust
        // does not contract `x * y + z`, so this holds on every host.
        F32x4RelaxedMadd => from_f32s(zip3(f32s(a), f32s(b), f32s(c), |x, y, z| x * y + z)),
        F32x4RelaxedNmadd => from_f32s(zip3(f32s(a), f32s(b), f32s(c), |x, y, z| -x * y + z)),
        F64x2RelaxedMadd => from_f64s(zip3(f64s(a), f64s(b), f64s(c), |x, y, z| x * y + z)),
        F64x2RelaxedNmadd => from_f64s(zip3(f64s(a), f64s(b), f64s(c), |x, y, z| -x * y + z)),
        // Every bit of the mask selects, as in `v128.bitselect`, whatever the lane width.
        I8x16RelaxedLaneselect
        | I16x8RelaxedLaneselect
        | I32x4RelaxedLaneselect
        | I64x2RelaxedLaneselect => bitselect(a, b, c),
        // The saturating signed 16-bit dot product, its pairs widened and summed into 32-bit
        // lanes, plus `c` (wrapping).
        I32x4RelaxedDotI8x16I7x16AddS => {
            let (d, c) = (relaxed_dot_i16(a, b), i32s(c));
            from_i32s(core::array::from_fn(|i| {
                (d[2 * i] as i32 + d[2 * i + 1] as i32).wrapping_add(c[i])
            }))
        }
        _ => unreachable!("{op:?} is not a three-operand SIMD operation"),
    }
}

fn extmul_i16(a: [i8; 16], b: [i8; 16], high: bool) -> u128 {
    let (x, y): ([i16; 8], [i16; 8]) = (half(a, high, |v| v as i16), half(b, high, |v| v as i16));
    from_i16s(zip(x, y, i16::wrapping_mul))
}

fn extmul_u16(a: [u8; 16], b: [u8; 16], high: bool) -> u128 {
    let (x, y): ([u16; 8], [u16; 8]) = (half(a, high, |v| v as u16), half(b, high, |v| v as u16));
    from_u16s(zip(x, y, u16::wrapping_mul))
}

/// `v128.bitselect`: bits of `a` where `c` has ones, of `b` elsewhere.
pub(super) fn bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}

/// `i8x16.shuffle`: lane `i` is byte `mask[i]` of the 32 bytes of `a` then `b`.
pub(super) fn shuffle(a: u128, b: u128, mask: u128) -> u128 {
    let (a, b) = (u8s(a), u8s(b));
    from_u8s(u8s(mask).map(|i| {
        let i = i as usize;
        if i < 16 { a[i] } else { b[i - 16] }
    }))
}

/// How many bytes a `v128` load of `kind` reads.
pub(super) fn load_width(kind: V128LoadKind) -> usize {
    use V128LoadKind::*;
    match kind {
        Full => 16,
        I8x8S | I8x8U | I16x4S | I16x4U | I32x2S | I32x2U | Splat64 | Zero64 => 8,
        Splat8 => 1,
        Splat16 => 2,
        Splat32 | Zero32 => 4,
    }
}

/// The vector a load of `kind` makes of the bytes it read (`bytes`, little-endian, the first
/// `load_width(kind)` of them meaningful).
pub(super) fn load(kind: V128LoadKind, bytes: [u8; 16]) -> u128 {
    use V128LoadKind::*;
    let v = u128::from_le_bytes(bytes);
    match kind {
        Full => v,
        I8x8S => from_i16s(half(i8s(v), false, |x| x as i16)),
        I8x8U => from_u16s(half(u8s(v), false, |x| x as u16)),
        I16x4S => from_i32s(half(i16s(v), false, |x| x as i32)),
        I16x4U => from_u32s(half(u16s(v), false, |x| x as u32)),
        I32x2S => from_i64s(half(i32s(v), false, |x| x as i64)),
        I32x2U => from_u64s(half(u32s(v), false, |x| x as u64)),
        Splat8 => splat(SimdOp::I8x16Splat, v as u64),
        Splat16 => splat(SimdOp::I16x8Splat, v as u64),
        Splat32 => splat(SimdOp::I32x4Splat, v as u64),
        Splat64 => splat(SimdOp::I64x2Splat, v as u64),
        Zero32 => v as u32 as u128,
        Zero64 => v as u64 as u128,
    }
}

/// `v` with lane `lane` of `bytes` bytes replaced by `x`.
pub(super) fn replace_bytes(v: u128, bytes: usize, lane: usize, x: u64) -> u128 {
    let bits = bytes * 8;
    let m = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let shift = lane * bits;
    (v & !((m as u128) << shift)) | (((x & m) as u128) << shift)
}

/// Lane `lane` of `bytes` bytes of `v`.
pub(super) fn lane_bytes(v: u128, bytes: usize, lane: usize) -> u64 {
    let bits = bytes * 8;
    let m = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    ((v >> (lane * bits)) as u64) & m
}

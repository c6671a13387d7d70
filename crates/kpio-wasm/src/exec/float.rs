//! Float helpers with WebAssembly semantics: NaN-propagating min/max, round-half-even,
//! and checked float-to-int truncation. Uses std's intrinsics when hosted, libm otherwise.

use crate::trap::TrapCode;

macro_rules! math {
    ($name:ident, $t:ty, $std:ident, $libm:path) => {
        #[inline(always)]
        pub(crate) fn $name(x: $t) -> $t {
            // Rounding a signalling NaN must give a quiet one; not every implementation does.
            if x.is_nan() {
                return x + x;
            }
            #[cfg(feature = "std")]
            {
                extern crate std;
                x.$std()
            }
            #[cfg(not(feature = "std"))]
            {
                $libm(x)
            }
        }
    };
}

math!(sqrt32, f32, sqrt, libm::sqrtf);
math!(sqrt64, f64, sqrt, libm::sqrt);
math!(ceil32, f32, ceil, libm::ceilf);
math!(ceil64, f64, ceil, libm::ceil);
math!(floor32, f32, floor, libm::floorf);
math!(floor64, f64, floor, libm::floor);
math!(trunc32, f32, trunc, libm::truncf);
math!(trunc64, f64, trunc, libm::trunc);
math!(nearest32, f32, round_ties_even, libm::rintf);
math!(nearest64, f64, round_ties_even, libm::rint);

macro_rules! minmax {
    ($min:ident, $max:ident, $t:ty) => {
        #[inline(always)]
        pub(crate) fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                // -0 and +0 compare equal; min prefers the negative one.
                <$t>::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }
        #[inline(always)]
        pub(crate) fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }
    };
}

minmax!(min32, max32, f32);
minmax!(min64, max64, f64);

/// Truncating conversion that traps on NaN and out-of-range values.
/// `lo` and `hi` are exclusive bounds in the source type.
macro_rules! trunc {
    ($name:ident, $f:ty, $i:ty, $lo:expr, $hi:expr) => {
        #[inline(always)]
        pub(crate) fn $name(x: $f) -> Result<$i, TrapCode> {
            if x.is_nan() {
                Err(TrapCode::InvalidConversionToInteger)
            } else if x > $lo && x < $hi {
                Ok(x as $i)
            } else {
                Err(TrapCode::IntegerOverflow)
            }
        }
    };
}

trunc!(i32_trunc_f32, f32, i32, -2147483904.0f32, 2147483648.0f32);
trunc!(u32_trunc_f32, f32, u32, -1.0f32, 4294967296.0f32);
trunc!(i32_trunc_f64, f64, i32, -2147483649.0f64, 2147483648.0f64);
trunc!(u32_trunc_f64, f64, u32, -1.0f64, 4294967296.0f64);
trunc!(
    i64_trunc_f32,
    f32,
    i64,
    -9223373136366403584.0f32,
    9223372036854775808.0f32
);
trunc!(u64_trunc_f32, f32, u64, -1.0f32, 18446744073709551616.0f32);
trunc!(
    i64_trunc_f64,
    f64,
    i64,
    -9223372036854777856.0f64,
    9223372036854775808.0f64
);
trunc!(u64_trunc_f64, f64, u64, -1.0f64, 18446744073709551616.0f64);

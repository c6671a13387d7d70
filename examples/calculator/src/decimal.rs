//! Exact decimal numbers for the calculator: an `i128` mantissa and a count of
//! fraction digits, so 0.1 + 0.2 is exactly 0.3 (binary floating point would give
//! 0.30000000000000004).
//!
//! Like a pocket calculator, every result is rounded to what the display can show
//! and later operations continue from that shown value:
//! - at most [`MAX_DIGITS`] (16) significant digits in total,
//! - at most [`MAX_FRACTION`] (12) of them after the point,
//! - rounding is half away from zero (2 ÷ 3 = 0.666666666667, −2 ÷ 3 = −0.666666666667),
//! - trailing fraction zeros are dropped (0.50 is 0.5),
//! - a result whose integer part needs more than 16 digits is [`CalcError::Overflow`].
//!
//! With these limits every mantissa is below 10^16, so products (< 10^32) and the
//! long division below stay well inside `i128`.

use core::fmt;

/// Most digits a number may have (integer and fraction digits together).
pub const MAX_DIGITS: u32 = 16;
/// Most digits after the decimal point.
pub const MAX_FRACTION: u32 = 12;

/// Why an operation has no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalcError {
    /// Division by zero.
    DivideByZero,
    /// The result's integer part has more than [`MAX_DIGITS`] digits.
    Overflow,
}

/// A decimal number `mantissa × 10^-scale`, always normalised: no trailing fraction
/// zeros, at most [`MAX_FRACTION`] fraction digits and [`MAX_DIGITS`] digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

const fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

/// Number of decimal digits of `n` (0 for 0).
fn digits(mut n: u128) -> u32 {
    let mut d = 0;
    while n > 0 {
        n /= 10;
        d += 1;
    }
    d
}

/// `m / 10^k` rounded half away from zero.
fn div_pow10_rounded(m: i128, k: u32) -> i128 {
    if k == 0 {
        return m;
    }
    let p = pow10(k);
    let (q, r) = (m / p, m % p);
    // |r| >= p/2 rounds away from zero; r carries m's sign.
    if r.unsigned_abs() * 2 >= p.unsigned_abs() {
        q + m.signum()
    } else {
        q
    }
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// `mantissa × 10^-scale`, rounded and checked like every result (`scale` may be
    /// up to 38; the mantissa may be up to `i128`'s range).
    pub fn new(mantissa: i128, scale: u32) -> Result<Decimal, CalcError> {
        let (mut m, mut s) = (mantissa, scale);
        loop {
            let int_digits = digits(m.unsigned_abs() / pow10(s).unsigned_abs());
            if int_digits > MAX_DIGITS {
                return Err(CalcError::Overflow);
            }
            let allowed = MAX_FRACTION.min(MAX_DIGITS - int_digits);
            if s <= allowed {
                break;
            }
            // Rounding may carry into a new integer digit (9.99…9 → 10): loop to
            // check the limits again.
            m = div_pow10_rounded(m, s - allowed);
            s = allowed;
        }
        while s > 0 && m % 10 == 0 {
            m /= 10;
            s -= 1;
        }
        if m == 0 {
            s = 0;
        }
        Ok(Decimal {
            mantissa: m,
            scale: s,
        })
    }

    /// An integer.
    pub fn from_int(n: i64) -> Result<Decimal, CalcError> {
        Decimal::new(n.into(), 0)
    }

    /// Parses what the calculator's keypad can type: optional `-`, digits, optional
    /// `.` and fraction digits (`"12"`, `"0.5"`, `"3."`, `".5"`). `None` if malformed
    /// or longer than the mantissa can hold; values beyond the display's limits are
    /// rounded (or overflow) like results.
    pub fn parse(s: &str) -> Option<Result<Decimal, CalcError>> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            || int.len() + frac.len() > 36
        {
            return None;
        }
        let mut m: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            m = m * 10 + i128::from(b - b'0');
        }
        if neg {
            m = -m;
        }
        Some(Decimal::new(m, frac.len() as u32))
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// Both mantissas at the larger of the two scales.
    fn aligned(a: Decimal, b: Decimal) -> (i128, i128, u32) {
        let s = a.scale.max(b.scale);
        (
            a.mantissa * pow10(s - a.scale),
            b.mantissa * pow10(s - b.scale),
            s,
        )
    }

    /// `self + other`.
    pub fn checked_add(self, other: Decimal) -> Result<Decimal, CalcError> {
        let (a, b, s) = Decimal::aligned(self, other);
        Decimal::new(a + b, s)
    }

    /// `self − other`.
    pub fn checked_sub(self, other: Decimal) -> Result<Decimal, CalcError> {
        let (a, b, s) = Decimal::aligned(self, other);
        Decimal::new(a - b, s)
    }

    /// `self × other`.
    pub fn checked_mul(self, other: Decimal) -> Result<Decimal, CalcError> {
        Decimal::new(self.mantissa * other.mantissa, self.scale + other.scale)
    }

    /// `self ÷ other`, rounded to the display's digits.
    pub fn checked_div(self, other: Decimal) -> Result<Decimal, CalcError> {
        if other.is_zero() {
            return Err(CalcError::DivideByZero);
        }
        // self / other = (n / d) × 10^(other.scale − self.scale); fold the power of
        // ten into n or d so the quotient n / d is the value itself.
        let (mut n, mut d) = (self.mantissa.abs(), other.mantissa.abs());
        if other.scale >= self.scale {
            n *= pow10(other.scale - self.scale);
        } else {
            d *= pow10(self.scale - other.scale);
        }
        let mut q = n / d;
        if digits(q.unsigned_abs()) > MAX_DIGITS {
            return Err(CalcError::Overflow);
        }
        // Long division for one digit more than can be kept; `Decimal::new` rounds
        // on it (the digits are exact, so the first dropped digit decides).
        let mut r = n % d;
        for _ in 0..=MAX_FRACTION {
            r *= 10;
            q = q * 10 + r / d;
            r %= d;
        }
        let negative = (self.mantissa < 0) != (other.mantissa < 0);
        Decimal::new(if negative { -q } else { q }, MAX_FRACTION + 1)
    }
}

impl fmt::Display for Decimal {
    /// Plain notation: `-` if negative, the integer part (at least `0`), then `.` and
    /// the fraction digits if there are any (`0.3`, `-12`, `0.000001`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = pow10(self.scale).unsigned_abs();
        let abs = self.mantissa.unsigned_abs();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        if self.scale == 0 {
            write!(f, "{sign}{abs}")
        } else {
            let width = self.scale as usize;
            write!(f, "{sign}{}.{:0width$}", abs / p, abs % p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).expect("well-formed").expect("in range")
    }

    fn show(r: Result<Decimal, CalcError>) -> String {
        match r {
            Ok(v) => v.to_string(),
            Err(e) => format!("{e:?}"),
        }
    }

    #[test]
    fn the_float_classics_are_exact() {
        assert_eq!(show(d("0.1").checked_add(d("0.2"))), "0.3");
        assert_eq!(show(d("0.3").checked_sub(d("0.1"))), "0.2");
        assert_eq!(show(d("1.1").checked_mul(d("1.1"))), "1.21");
        assert_eq!(show(d("0.7").checked_add(d("0.1"))), "0.8");
        assert_eq!(show(d("3").checked_mul(d("1.1"))), "3.3");
        assert_eq!(show(d("1").checked_sub(d("0.9"))), "0.1");
        assert_eq!(show(d("100").checked_mul(d("1.15"))), "115");
    }

    #[test]
    fn division_rounds_half_away_from_zero_to_twelve_places() {
        assert_eq!(show(d("1").checked_div(d("3"))), "0.333333333333");
        assert_eq!(show(d("2").checked_div(d("3"))), "0.666666666667");
        assert_eq!(show(d("-2").checked_div(d("3"))), "-0.666666666667");
        assert_eq!(show(d("2").checked_div(d("-3"))), "-0.666666666667");
        assert_eq!(show(d("-2").checked_div(d("-3"))), "0.666666666667");
        assert_eq!(show(d("10").checked_div(d("4"))), "2.5");
        assert_eq!(show(d("1").checked_div(d("8"))), "0.125");
        assert_eq!(show(d("22").checked_div(d("7"))), "3.142857142857");
        assert_eq!(show(d("1").checked_div(d("7"))), "0.142857142857");
        assert_eq!(show(d("0.5").checked_div(d("0.25"))), "2");
        assert_eq!(show(d("0.001").checked_div(d("1000"))), "0.000001");
        // 5e-13 is exactly half of the last place: rounds up (away from zero).
        assert_eq!(
            show(d("0.000000000001").checked_div(d("2"))),
            "0.000000000001"
        );
        assert_eq!(
            show(d("-0.000000000001").checked_div(d("2"))),
            "-0.000000000001"
        );
        // Below half of the last place: zero, never "-0".
        assert_eq!(show(d("-0.000000000001").checked_div(d("3"))), "0");
    }

    #[test]
    fn division_by_zero_is_an_error() {
        assert_eq!(d("1").checked_div(d("0")), Err(CalcError::DivideByZero));
        assert_eq!(d("0").checked_div(d("0")), Err(CalcError::DivideByZero));
        assert_eq!(d("5").checked_div(d("0.000")), Err(CalcError::DivideByZero));
        assert_eq!(show(d("0").checked_div(d("5"))), "0");
    }

    #[test]
    fn negatives() {
        assert_eq!(show(d("1").checked_sub(d("2"))), "-1");
        assert_eq!(show(d("-1.5").checked_add(d("1.5"))), "0");
        assert_eq!(show(d("-1.5").checked_mul(d("-2"))), "3");
        assert_eq!(show(d("-0.1").checked_sub(d("0.2"))), "-0.3");
        assert_eq!(show(d("2.5").checked_mul(d("-0.4"))), "-1");
        assert_eq!(d("-0").to_string(), "0");
    }

    #[test]
    fn sixteen_digits_at_most() {
        // The largest integer the display holds, and one more.
        let max = d("9999999999999999");
        assert_eq!(max.to_string(), "9999999999999999");
        assert_eq!(max.checked_add(d("1")), Err(CalcError::Overflow));
        assert_eq!(max.checked_mul(max), Err(CalcError::Overflow));
        assert_eq!(
            d("-9999999999999999").checked_sub(d("1")),
            Err(CalcError::Overflow)
        );
        assert_eq!(max.checked_div(d("0.1")), Err(CalcError::Overflow));
        assert_eq!(
            show(d("99999999").checked_mul(d("99999999"))),
            "9999999800000001"
        );
        // Fraction digits give way to integer digits: 16 digits in all.
        assert_eq!(
            show(d("123456789").checked_div(d("7"))),
            "17636684.14285714"
        );
        assert_eq!(
            show(d("1234567890123456").checked_add(d("0.4"))),
            "1234567890123456"
        );
        assert_eq!(
            show(d("1234567890123456").checked_add(d("0.5"))),
            "1234567890123457"
        );
        // Rounding that carries into a 17th digit overflows.
        assert_eq!(
            d("9999999999999999").checked_add(d("0.5")),
            Err(CalcError::Overflow)
        );
        // Tiny values keep 12 fraction digits.
        assert_eq!(
            show(d("0.000001").checked_mul(d("0.000001"))),
            "0.000000000001"
        );
        assert_eq!(show(d("0.000001").checked_mul(d("0.0000001"))), "0");
        assert_eq!(
            show(d("0.000001").checked_mul(d("0.0000005"))),
            "0.000000000001"
        );
    }

    #[test]
    fn parsing_and_display() {
        assert_eq!(d("0.50").to_string(), "0.5");
        assert_eq!(d("3.").to_string(), "3");
        assert_eq!(d(".5").to_string(), "0.5");
        assert_eq!(d("007").to_string(), "7");
        assert_eq!(d("-0.05").to_string(), "-0.05");
        assert_eq!(d("0.1234567890125").to_string(), "0.123456789013");
        assert_eq!(Decimal::parse(""), None);
        assert_eq!(Decimal::parse("."), None);
        assert_eq!(Decimal::parse("1.2.3"), None);
        assert_eq!(Decimal::parse("1e5"), None);
        assert_eq!(Decimal::parse("+1"), None);
        assert_eq!(
            Decimal::parse("12345678901234567"),
            Some(Err(CalcError::Overflow))
        );
        assert_eq!(Decimal::from_int(-42).unwrap().to_string(), "-42");
    }

    #[test]
    fn results_are_exact_for_many_sums_of_tenths() {
        // Every a/10 + b/10 for a, b in 0..100 equals (a + b)/10 exactly.
        for a in 0..100 {
            for b in 0..100 {
                let x = Decimal::new(a, 1).unwrap();
                let y = Decimal::new(b, 1).unwrap();
                assert_eq!(x.checked_add(y), Decimal::new(a + b, 1), "{a}/10 + {b}/10");
                assert_eq!(x.checked_sub(y), Decimal::new(a - b, 1), "{a}/10 - {b}/10");
            }
        }
    }

    #[test]
    fn division_then_multiplication_shows_the_rounded_value() {
        // Like a pocket calculator: 1 ÷ 3 × 3 continues from 0.333333333333.
        let third = d("1").checked_div(d("3")).unwrap();
        assert_eq!(show(third.checked_mul(d("3"))), "0.999999999999");
    }
}

//! Conversions between command-line text and [`Val`]s.

use std::fmt;

use kpio_wasm::{ExternRef, F32, F64, FuncType, Val, ValType};

/// `name(i32, i64) -> (f32)`-style rendering of a function signature.
pub fn signature(name: &str, ty: &FuncType) -> String {
    let params: Vec<String> = ty.params().iter().map(|t| t.to_string()).collect();
    let results: Vec<String> = ty.results().iter().map(|t| t.to_string()).collect();
    let mut s = format!("{name}({})", params.join(", "));
    match results.len() {
        0 => {}
        1 => s.push_str(&format!(" -> {}", results[0])),
        _ => s.push_str(&format!(" -> ({})", results.join(", "))),
    }
    s
}

/// Formats a result value the way `kpio run` prints it: integers as signed
/// decimal, floats with Rust's `Display`, references symbolically.
pub struct DisplayVal<'a>(pub &'a Val);

impl fmt::Display for DisplayVal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Val::I32(v) => write!(f, "{v}"),
            Val::I64(v) => write!(f, "{v}"),
            Val::F32(v) => write!(f, "{}", v.to_float()),
            Val::F64(v) => write!(f, "{}", v.to_float()),
            Val::V128(v) => write!(f, "{v:#034x}"),
            Val::FuncRef(None) => f.write_str("ref.null func"),
            Val::FuncRef(Some(_)) => f.write_str("ref.func"),
            Val::ExternRef(None) => f.write_str("ref.null extern"),
            Val::ExternRef(Some(r)) => write!(f, "ref.extern {}", r.get()),
            Val::ExnRef(None) => f.write_str("ref.null exn"),
            Val::ExnRef(Some(_)) => f.write_str("ref.exn"),
        }
    }
}

/// Formats a value with its type and, for floats, its exact bit pattern;
/// used in spec-script failure messages where `-0` vs `0` or NaN payloads
/// matter.
pub struct DebugVal<'a>(pub &'a Val);

impl fmt::Display for DebugVal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Val::I32(v) => write!(f, "i32 {v} ({:#x})", *v as u32),
            Val::I64(v) => write!(f, "i64 {v} ({:#x})", *v as u64),
            Val::F32(v) => write!(f, "f32 {} ({:#010x})", v.to_float(), v.to_bits()),
            Val::F64(v) => write!(f, "f64 {} ({:#018x})", v.to_float(), v.to_bits()),
            Val::V128(v) => write!(f, "v128 {v:#034x}"),
            other => DisplayVal(other).fmt(f),
        }
    }
}

/// Why a command-line argument could not be converted to a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseValError {
    /// The type the argument had to be parsed as.
    pub ty: ValType,
    /// The offending text.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for ParseValError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} `{}`: {}", self.ty, self.text, self.reason)
    }
}

impl std::error::Error for ParseValError {}

/// Parses `text` as a value of type `ty`.
///
/// * `i32`/`i64`: decimal or `0x` hexadecimal, optionally signed; values up
///   to the unsigned maximum are accepted and wrap (`4294967295` is `-1`).
///   `_` digit separators are allowed.
/// * `f32`/`f64`: anything Rust's float parser accepts (`1.5`, `-2e10`,
///   `nan`, `inf`, `-inf`, `infinity`).
/// * `funcref`: only `null`.
/// * `externref`: `null` or a non-negative integer host handle.
/// * typed references (`(ref null $t)`, ...): only `null`, for a nullable one.
pub fn parse_val(ty: &ValType, text: &str) -> Result<Val, ParseValError> {
    let err = |reason: &str| ParseValError {
        ty: *ty,
        text: text.to_string(),
        reason: reason.to_string(),
    };
    match ty {
        ValType::I32 => {
            let v = parse_int(text, 32).map_err(|r| err(&r))?;
            Ok(Val::I32(v as i32))
        }
        ValType::I64 => {
            let v = parse_int(text, 64).map_err(|r| err(&r))?;
            Ok(Val::I64(v as i64))
        }
        ValType::F32 => {
            let v: f32 = text
                .trim()
                .parse()
                .map_err(|_| err("expected a decimal number, `nan` or `inf`"))?;
            Ok(Val::F32(F32::from(v)))
        }
        ValType::F64 => {
            let v: f64 = text
                .trim()
                .parse()
                .map_err(|_| err("expected a decimal number, `nan` or `inf`"))?;
            Ok(Val::F64(F64::from(v)))
        }
        ValType::V128 => {
            // One 128-bit integer (decimal or 0x-hex), lane 0 in the low bits.
            let t = text.trim();
            let v = match t.strip_prefix("0x") {
                Some(h) => u128::from_str_radix(&h.replace('_', ""), 16),
                None => t.replace('_', "").parse::<u128>(),
            };
            Ok(Val::V128(v.map_err(|_| err("expected a 128-bit integer"))?))
        }
        ValType::FuncRef => {
            if is_null(text) {
                Ok(Val::FuncRef(None))
            } else {
                Err(err(
                    "only `null` can be passed as a funcref from the command line",
                ))
            }
        }
        ValType::ExternRef => {
            if is_null(text) {
                Ok(Val::ExternRef(None))
            } else {
                let handle = parse_int(text, 32)
                    .ok()
                    .filter(|v| *v >= 0)
                    .ok_or_else(|| err("expected `null` or a non-negative integer handle"))?;
                Ok(Val::ExternRef(Some(ExternRef::new(handle as u32))))
            }
        }
        ValType::ExnRef => {
            if is_null(text) {
                Ok(Val::ExnRef(None))
            } else {
                Err(err(
                    "only `null` can be passed as an exnref from the command line",
                ))
            }
        }
        // Typed references: only a nullable one's `null` can be written here.
        ValType::Ref(r) => {
            if !is_null(text) {
                Err(err(
                    "only `null` can be passed as a typed reference from the command line",
                ))
            } else if !r.nullable {
                Err(err("a non-null reference type has no `null`"))
            } else {
                Ok(Val::default_for(r.top().into()))
            }
        }
    }
}

fn is_null(text: &str) -> bool {
    matches!(text.trim(), "null" | "ref.null")
}

/// Parses an integer of `bits` width; returns it sign-extended to i128 (the
/// caller truncates). Accepts the union of the signed and unsigned ranges.
fn parse_int(text: &str, bits: u32) -> Result<i128, String> {
    let t = text.trim().replace('_', "");
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let (radix, digits) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(if radix == 16 {
            "expected hexadecimal digits after `0x`".to_string()
        } else {
            "expected a decimal integer or `0x`-prefixed hexadecimal".to_string()
        });
    }
    let magnitude = u128::from_str_radix(digits, radix).map_err(|_| out_of_range(bits))?;
    let (min, max) = (-(1i128 << (bits - 1)), (1i128 << bits) - 1);
    let v = if neg {
        -i128::try_from(magnitude).map_err(|_| out_of_range(bits))?
    } else {
        i128::try_from(magnitude).map_err(|_| out_of_range(bits))?
    };
    if v < min || v > max {
        return Err(out_of_range(bits));
    }
    Ok(v)
}

fn out_of_range(bits: u32) -> String {
    format!(
        "out of range for a {bits}-bit integer (allowed: {} ..= {})",
        -(1i128 << (bits - 1)),
        (1u128 << bits) - 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i32_of(s: &str) -> i32 {
        match parse_val(&ValType::I32, s).unwrap() {
            Val::I32(v) => v,
            _ => unreachable!(),
        }
    }

    #[test]
    fn ints() {
        assert_eq!(i32_of("3"), 3);
        assert_eq!(i32_of("-3"), -3);
        assert_eq!(i32_of("0x10"), 16);
        assert_eq!(i32_of("-0x10"), -16);
        assert_eq!(i32_of("4294967295"), -1);
        assert_eq!(i32_of("-2147483648"), i32::MIN);
        assert!(parse_val(&ValType::I32, "4294967296").is_err());
        assert!(parse_val(&ValType::I32, "-2147483649").is_err());
        assert!(parse_val(&ValType::I32, "abc").is_err());
        assert!(parse_val(&ValType::I32, "").is_err());
        match parse_val(&ValType::I64, "0xffffffffffffffff").unwrap() {
            Val::I64(v) => assert_eq!(v, -1),
            _ => unreachable!(),
        }
    }

    #[test]
    fn floats() {
        match parse_val(&ValType::F32, "1.5").unwrap() {
            Val::F32(v) => assert_eq!(v.to_float(), 1.5),
            _ => unreachable!(),
        }
        match parse_val(&ValType::F64, "nan").unwrap() {
            Val::F64(v) => assert!(v.to_float().is_nan()),
            _ => unreachable!(),
        }
        match parse_val(&ValType::F64, "-inf").unwrap() {
            Val::F64(v) => assert_eq!(v.to_float(), f64::NEG_INFINITY),
            _ => unreachable!(),
        }
        assert!(parse_val(&ValType::F32, "x").is_err());
    }

    #[test]
    fn typed_references_take_null_only_when_nullable() {
        use kpio_wasm::{HeapType, RefType};
        let nullable = ValType::Ref(RefType::new(true, HeapType::Concrete(0)));
        assert_eq!(parse_val(&nullable, "null").unwrap(), Val::FuncRef(None));
        let extern_ = ValType::Ref(RefType::new(true, HeapType::Extern));
        assert_eq!(parse_val(&extern_, "null").unwrap(), Val::ExternRef(None));
        let non_null = ValType::Ref(RefType::new(false, HeapType::Func));
        assert!(parse_val(&non_null, "null").is_err());
        assert!(parse_val(&nullable, "1").is_err());
    }
}

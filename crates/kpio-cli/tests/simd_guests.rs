//! SIMD from a real toolchain: C kernels written with `wasm_simd128.h` intrinsics
//! (`programs/c/simd_kernels.c`, and `simd_relaxed.c` for relaxed SIMD), built with clang for
//! wasm32-wasi with `-msimd128` (`-mrelaxed-simd`), run under `kpio run`, and compared byte
//! for byte with the same source built natively, where the preprocessor picks the plain-C
//! path that computes the same lanes in the same order.
//!
//! Each wasm build is decoded first and must contain the SIMD (relaxed SIMD) instructions its
//! kernels are about, so a build that fell back to scalar code cannot pass.
//!
//! The dispatch backend is the one `kpio` was built with; CI runs this file on both.

mod guests;

use guests::{KPIO, TMP, check, ok, programs_dir, run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm and native builds of one C program.
struct Built {
    wasm: PathBuf,
    native: PathBuf,
}

/// Builds `programs/c/NAME.c` with `clang` (`--target=wasm32-wasi`, `-O2`, `wasm_flags`) and
/// natively with the host clang. Both with `-ffp-contract=off`: neither side may fuse a
/// multiply and an add the source wrote apart.
fn build(name: &str, clang: &str, wasm_flags: &[&str]) -> Built {
    let src = programs_dir().join(format!("c/{name}.c"));
    let dir = Path::new(TMP).join("simd-c");
    std::fs::create_dir_all(&dir).unwrap();
    let (wasm, native) = (dir.join(format!("{name}.wasm")), dir.join(name));
    let flags = ["-O2", "-ffp-contract=off", "-Wall", "-Werror"];
    let o = Command::new(clang)
        .args(["--target=wasm32-wasi", "--sysroot=/usr"])
        .args(flags)
        .args(wasm_flags)
        .arg("-o")
        .arg(&wasm)
        .arg(&src)
        .output()
        .expect("clang is installed (scripts/test.sh installs clang, lld and wasi-libc)");
    check(
        o,
        &format!("{clang} --target=wasm32-wasi {wasm_flags:?} {name}.c"),
    );
    let o = Command::new("clang")
        .args(flags)
        .arg("-o")
        .arg(&native)
        .arg(&src)
        .arg("-lm")
        .output()
        .expect("run the host clang");
    check(o, &format!("clang (native reference build of {name}.c)"));
    Built { wasm, native }
}

/// How many times each fixed-width or relaxed SIMD operator occurs in the module's code,
/// by wasmparser's operator name.
fn simd_ops(wasm: &Path) -> BTreeMap<String, usize> {
    const SHAPES: [&str; 7] = ["V128", "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2"];
    let bytes = std::fs::read(wasm).unwrap();
    let mut ops = BTreeMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        let wasmparser::Payload::CodeSectionEntry(body) = payload.expect("the guest decodes")
        else {
            continue;
        };
        let mut reader = body.get_operators_reader().unwrap();
        while !reader.eof() {
            let op = format!("{:?}", reader.read().unwrap());
            let name = op.split([' ', '{']).next().unwrap_or_default();
            if SHAPES.iter().any(|s| name.starts_with(s)) {
                *ops.entry(name.to_string()).or_insert(0) += 1;
            }
        }
    }
    ops
}

/// Asserts that the module uses every operator of `want`; returns the SIMD operator count.
fn assert_uses(wasm: &Path, want: &[&str]) -> usize {
    let ops = simd_ops(wasm);
    let missing: Vec<_> = want.iter().filter(|w| !ops.contains_key(**w)).collect();
    assert!(
        missing.is_empty(),
        "{} lacks {missing:?}; its SIMD operators: {ops:?}",
        wasm.display()
    );
    ops.values().sum()
}

/// Runs the native build and the wasm build under `kpio run`; asserts that each took the
/// path it should (each program names it on stderr) and that their stdout is identical.
fn assert_same_output(b: &Built, wasm_path: &str) {
    let native = run(Command::new(&b.native), b"");
    let want = ok(&native, "the native build");
    assert_eq!(guests::text(&native.stderr), "path: scalar\n");
    let mut c = Command::new(KPIO);
    c.arg("run").arg(&b.wasm);
    let got = run(c, b"");
    let got_out = ok(&got, "kpio run (wasm build)");
    assert_eq!(guests::text(&got.stderr), format!("path: {wasm_path}\n"));
    assert!(want.lines().count() > 10, "the kernels printed: {want}");
    if got_out != want {
        for (i, (w, g)) in want.lines().zip(got_out.lines()).enumerate() {
            if w != g {
                panic!(
                    "line {}: native `{w}`, kpio `{g}`\nnative:\n{want}\nkpio:\n{got_out}",
                    i + 1
                );
            }
        }
        panic!("outputs differ in length:\nnative:\n{want}\nkpio:\n{got_out}");
    }
}

#[test]
fn simd128_kernels_match_native() {
    let b = build("simd_kernels", "clang", &["-msimd128"]);
    let n = assert_uses(
        &b.wasm,
        &[
            // dot product, matrix multiply
            "F32x4Mul",
            "F32x4Add",
            "V128Load32Splat",
            // byte search
            "I8x16Eq",
            "I8x16Bitmask",
            // image blending
            "I8x16AddSatU",
            "I8x16SubSatU",
            "I8x16AvgrU",
            "I16x8ExtendLowI8x16U",
            "I16x8Mul",
            "I8x16NarrowI16x8U",
            // Q15 filter
            "I16x8Q15MulrSatS",
            "I16x8AddSatS",
            // f64x2
            "F64x2Sqrt",
            "F64x2Min",
            "F64x2Max",
            // table lookup, byte swapping
            "I8x16Swizzle",
            "I8x16Shuffle",
            // widening, narrowing, dot product
            "I8x16NarrowI16x8S",
            "I16x8ExtendLowI8x16S",
            "I32x4ExtAddPairwiseI16x8S",
            "I32x4DotI16x8S",
        ],
    );
    assert!(n >= 100, "only {n} SIMD instructions");
    assert_same_output(&b, "simd128");
}

/// The first clang on the PATH that emits relaxed SIMD with its standard opcodes (16 and
/// later; clang 14's `-mrelaxed-simd` still emits the proposal's prototype encodings).
fn relaxed_clang() -> Option<String> {
    let mut names: Vec<String> = (16..=30).rev().map(|v| format!("clang-{v}")).collect();
    names.push("clang".into());
    names.into_iter().find(|name| {
        let Ok(o) = Command::new(name).arg("--version").output() else {
            return false;
        };
        let text = guests::text(&o.stdout);
        let major = text
            .split("clang version ")
            .nth(1)
            .and_then(|v| v.split('.').next())
            .and_then(|v| v.parse::<u32>().ok());
        o.status.success() && major.is_some_and(|m| m >= 16)
    })
}

#[test]
fn relaxed_simd_kernels_match_native_under_the_documented_choices() {
    let clang = relaxed_clang().expect(
        "a clang of version 16 or later for -mrelaxed-simd (scripts/test.sh installs clang-19)",
    );
    let b = build("simd_relaxed", &clang, &["-msimd128", "-mrelaxed-simd"]);
    assert_uses(
        &b.wasm,
        &[
            "F32x4RelaxedMadd",
            "F32x4RelaxedNmadd",
            "F64x2RelaxedMadd",
            "I32x4RelaxedDotI8x16I7x16AddS",
            "I16x8RelaxedDotI8x16I7x16S",
            "I8x16RelaxedSwizzle",
            "I32x4RelaxedLaneselect",
            "I32x4RelaxedTruncF32x4S",
            "I32x4RelaxedTruncF32x4U",
            "F32x4RelaxedMin",
            "F32x4RelaxedMax",
            "I16x8RelaxedQ15mulrS",
        ],
    );
    assert_same_output(&b, "relaxed-simd");
}

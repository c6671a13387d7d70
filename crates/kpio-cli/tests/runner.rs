//! The `.wast` runner itself: every directive kind passes when the engine
//! behaves as scripted and fails when it doesn't (a runner that passes
//! everything would make the spec suite meaningless).

use kpio_cli::wast::{FileReport, WastOptions, run_wast_str};

fn run(script: &str) -> FileReport {
    let script = script.to_string();
    kpio_cli::with_big_stack(move || run_wast_str("t.wast", &script, &WastOptions::default()))
}

/// Runs `prelude` followed by `directive` and returns whether that last
/// directive passed (the prelude must pass entirely).
fn passes(prelude: &str, directive: &str) -> bool {
    let base = run(prelude);
    assert_eq!(base.failed, 0, "prelude failed: {:?}", base.failures);
    let r = run(&format!("{prelude}\n{directive}"));
    assert_eq!(r.passed + r.failed, base.passed + 1, "{:?}", r.failures);
    r.failed == 0
}

const M: &str = r#"
(module $M
  (global (export "g") i32 (i32.const 42))
  (global $mg (export "mg") (mut i64) (i64.const -1))
  (table (export "tab") 2 funcref)
  (memory (export "mem") 1)
  (elem (i32.const 0) $id)
  (func $id (export "id") (param i32) (result i32) (local.get 0))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "f32") (param f32) (result f32) (local.get 0))
  (func (export "f64") (param f64) (result f64) (local.get 0))
  (func (export "nan_add") (result f32) (f32.add (f32.const nan) (f32.const 1)))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "null_func") (result funcref) (ref.null func))
  (func (export "some_func") (result funcref) (ref.func $id))
  (func (export "call") (param i32) (result i32) (call_indirect (param i32) (result i32) (i32.const 5) (local.get 0)))
  (func $loop (export "loop") (call $loop))
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const 2))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
)
"#;

#[test]
fn assert_return() {
    assert!(passes(
        M,
        r#"(assert_return (invoke "id" (i32.const 7)) (i32.const 7))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "id" (i32.const 7)) (i32.const 8))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "id" (i32.const 7)) (i64.const 7))"#
    ));
    assert!(!passes(M, r#"(assert_return (invoke "id" (i32.const 7)))"#));
    assert!(passes(
        M,
        r#"(assert_return (invoke "two") (i32.const 1) (i64.const 2))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "two") (i32.const 1) (i64.const 3))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "nope") (i32.const 1))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "div" (i32.const 1) (i32.const 0)) (i32.const 0))"#
    ));
    // Module-qualified invoke and `get`.
    assert!(passes(
        M,
        r#"(assert_return (invoke $M "id" (i32.const 1)) (i32.const 1))"#
    ));
    assert!(passes(M, r#"(assert_return (get "g") (i32.const 42))"#));
    assert!(passes(M, r#"(assert_return (get $M "mg") (i64.const -1))"#));
    assert!(!passes(M, r#"(assert_return (get "g") (i32.const 41))"#));
    assert!(!passes(
        M,
        r#"(assert_return (get $Nope "g") (i32.const 42))"#
    ));
}

#[test]
fn floats_and_nans() {
    // Bit-exact comparison: -0 is not 0.
    assert!(passes(
        M,
        r#"(assert_return (invoke "f32" (f32.const -0)) (f32.const -0))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "f32" (f32.const -0)) (f32.const 0))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "f64" (f64.const 0)) (f64.const -0))"#
    ));
    // NaN payloads: the value is passed through unchanged.
    assert!(passes(
        M,
        r#"(assert_return (invoke "f32" (f32.const nan:0x200000)) (f32.const nan:0x200000))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "f32" (f32.const nan)) (f32.const nan:canonical))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "f32" (f32.const -nan)) (f32.const nan:canonical))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "f32" (f32.const nan:0x600000)) (f32.const nan:arithmetic))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "f32" (f32.const nan:0x600000)) (f32.const nan:canonical))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "f32" (f32.const nan:0x1)) (f32.const nan:arithmetic))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "f32" (f32.const 1)) (f32.const nan:arithmetic))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "f64" (f64.const nan)) (f64.const nan:canonical))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "f64" (f64.const nan:0xc000000000000)) (f64.const nan:arithmetic))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "f64" (f64.const nan:0xc000000000000)) (f64.const nan:canonical))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "f64" (f64.const nan:0x1)) (f64.const nan:arithmetic))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "nan_add") (f32.const nan:arithmetic))"#
    ));
}

#[test]
fn references() {
    assert!(passes(
        M,
        r#"(assert_return (invoke "ext" (ref.extern 5)) (ref.extern 5))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "ext" (ref.extern 5)) (ref.extern))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "ext" (ref.extern 5)) (ref.extern 6))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "ext" (ref.extern 5)) (ref.null extern))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "ext" (ref.null extern)) (ref.null extern))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "ext" (ref.null extern)) (ref.null func))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "ext" (ref.null extern)) (ref.extern))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "null_func") (ref.null func))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "null_func") (ref.func))"#
    ));
    assert!(passes(
        M,
        r#"(assert_return (invoke "some_func") (ref.func))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "some_func") (ref.null func))"#
    ));
}

#[test]
fn traps() {
    let div0 = r#"(invoke "div" (i32.const 1) (i32.const 0))"#;
    assert!(passes(
        M,
        &format!(r#"(assert_trap {div0} "integer divide by zero")"#)
    ));
    assert!(!passes(
        M,
        &format!(r#"(assert_trap {div0} "integer overflow")"#)
    ));
    assert!(passes(
        M,
        r#"(assert_trap (invoke "div" (i32.const 0x80000000) (i32.const -1)) "integer overflow")"#
    ));
    assert!(!passes(
        M,
        r#"(assert_trap (invoke "div" (i32.const 4) (i32.const 2)) "integer divide by zero")"#
    ));
    assert!(passes(
        M,
        r#"(assert_trap (invoke "load" (i32.const 65535)) "out of bounds memory access")"#
    ));
    assert!(!passes(
        M,
        r#"(assert_trap (invoke "load" (i32.const 65535)) "out of bounds table access")"#
    ));
    assert!(passes(
        M,
        r#"(assert_trap (invoke "call" (i32.const 1)) "uninitialized element")"#
    ));
    assert!(passes(
        M,
        r#"(assert_trap (invoke "call" (i32.const 1)) "uninitialized element 2")"#
    ));
    assert!(!passes(
        M,
        r#"(assert_trap (invoke "call" (i32.const 1)) "undefined element")"#
    ));
    assert!(passes(
        M,
        r#"(assert_trap (invoke "call" (i32.const 9)) "undefined element")"#
    ));
    // A bare invoke must not trap.
    assert!(passes(M, r#"(invoke "id" (i32.const 1))"#));
    assert!(!passes(M, div0));
    // Traps during instantiation.
    assert!(passes(
        M,
        r#"(assert_trap (module (func $s unreachable) (start $s)) "unreachable")"#
    ));
    assert!(!passes(
        M,
        r#"(assert_trap (module (func $s unreachable) (start $s)) "integer overflow")"#
    ));
    assert!(!passes(
        M,
        r#"(assert_trap (module (func $s) (start $s)) "unreachable")"#
    ));
    assert!(passes(
        M,
        r#"(assert_trap (module (memory 1) (data (i32.const 65536) "a")) "out of bounds memory access")"#
    ));
    // A link error is not a trap.
    assert!(!passes(
        M,
        r#"(assert_trap (module (import "x" "y" (func))) "unreachable")"#
    ));
}

#[test]
fn exhaustion() {
    assert!(passes(
        M,
        r#"(assert_exhaustion (invoke "loop") "call stack exhausted")"#
    ));
    assert!(!passes(
        M,
        r#"(assert_exhaustion (invoke "id" (i32.const 1)) "call stack exhausted")"#
    ));
    assert!(!passes(
        M,
        r#"(assert_exhaustion (invoke "div" (i32.const 1) (i32.const 0)) "call stack exhausted")"#
    ));
}

#[test]
fn invalid_and_malformed() {
    assert!(passes(
        "",
        r#"(assert_invalid (module (func (result i32))) "type mismatch")"#
    ));
    assert!(!passes(
        "",
        r#"(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")"#
    ));
    assert!(passes(
        "",
        r#"(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")"#
    ));
    assert!(!passes(
        "",
        r#"(assert_malformed (module binary "\00asm\01\00\00\00") "whatever")"#
    ));
    assert!(passes(
        "",
        r#"(assert_malformed (module quote "(func (result i32) i32.cont 0)") "unknown operator")"#
    ));
    assert!(!passes(
        "",
        r#"(assert_malformed (module quote "(func (result i32) i32.const 0)") "unknown operator")"#
    ));
    // Modules that fail to compile fail the `module` directive.
    assert!(!passes("", r#"(module (func (result i32)))"#));
    assert!(!passes("", r#"(module binary "\00asm")"#));
    assert!(passes("", r#"(module binary "\00asm\01\00\00\00")"#));
    assert!(passes("", r#"(module quote "(func (export \"f\"))")"#));
}

#[test]
fn linking() {
    let reg = format!("{M}\n(register \"M\" $M)");
    assert!(passes(
        &reg,
        r#"(module (import "M" "id" (func (param i32) (result i32))))"#
    ));
    assert!(!passes(&reg, r#"(module (import "M" "nope" (func)))"#));
    assert!(passes(
        &reg,
        r#"(assert_unlinkable (module (import "M" "nope" (func))) "unknown import")"#
    ));
    assert!(passes(
        &reg,
        r#"(assert_unlinkable (module (import "M" "id" (func))) "incompatible import type")"#
    ));
    assert!(!passes(
        &reg,
        r#"(assert_unlinkable (module (import "M" "id" (func (param i32) (result i32)))) "unknown import")"#
    ));
    // A trap during instantiation is not a link error.
    assert!(!passes(
        &reg,
        r#"(assert_unlinkable (module (func $s unreachable) (start $s)) "unknown import")"#
    ));
    // Imported globals/memories/tables and re-export through the linker.
    assert!(passes(
        &reg,
        r#"(module (import "M" "g" (global i32)) (import "M" "mem" (memory 1)) (import "M" "tab" (table 2 funcref)))"#
    ));
    assert!(!passes("", r#"(register "X" $Nope)"#));
    // spectest
    let spectest = r#"(module
      (import "spectest" "print_i32" (func (param i32)))
      (import "spectest" "print_f64_f64" (func (param f64 f64)))
      (import "spectest" "print" (func))
      (import "spectest" "global_i32" (global $g i32))
      (import "spectest" "global_f64" (global $h f64))
      (import "spectest" "table" (table 10 20 funcref))
      (import "spectest" "memory" (memory 1 2))
      (func (export "g") (result i32) (global.get $g))
      (func (export "h") (result f64) (global.get $h))
      (func (export "p") (call 0 (i32.const 1))))"#;
    assert!(passes(
        spectest,
        r#"(assert_return (invoke "g") (i32.const 666))"#
    ));
    assert!(passes(
        spectest,
        r#"(assert_return (invoke "h") (f64.const 666.6))"#
    ));
    assert!(passes(spectest, r#"(invoke "p")"#));
    assert!(passes(
        "",
        r#"(assert_unlinkable (module (import "spectest" "global_i32" (global (mut i32)))) "incompatible import type")"#
    ));
    assert!(passes(
        "",
        r#"(assert_unlinkable (module (import "spectest" "memory" (memory 3))) "incompatible import type")"#
    ));
}

#[test]
fn definitions_and_instances() {
    let defs = r#"(module definition $D (global (export "g") (mut i32) (i32.const 1)) (func (export "inc") (global.set 0 (i32.add (global.get 0) (i32.const 1)))))
(module instance $I1 $D)
(module instance $I2 $D)
(invoke $I1 "inc")"#;
    assert!(passes(
        defs,
        r#"(assert_return (get $I1 "g") (i32.const 2))"#
    ));
    assert!(passes(
        defs,
        r#"(assert_return (get $I2 "g") (i32.const 1))"#
    ));
    assert!(!passes(defs, r#"(module instance $I3 $Nope)"#));
}

#[test]
fn unsupported_and_parse_errors() {
    assert!(!passes(
        M,
        r#"(assert_return (invoke "id" (v128.const i32x4 0 0 0 0)))"#
    ));
    assert!(!passes(
        M,
        r#"(assert_return (invoke "id" (i32.const 0)) (v128.const i32x4 0 0 0 0))"#
    ));
    assert!(!passes(M, r#"(thread $T (invoke "id" (i32.const 1)))"#));
    assert!(!passes(M, r#"(wait $T)"#));
    assert!(!passes(
        M,
        r#"(assert_exception (invoke "id" (i32.const 1)))"#
    ));
    // A script that does not parse is one failure at the error's location.
    let r = run("(module)\n(assert_return (invoke \"f\"");
    assert_eq!((r.passed, r.failed), (0, 1));
    assert!(r.failures[0].starts_with("t.wast:"), "{:?}", r.failures);
}

#[test]
fn failure_locations() {
    let r = run(
        "(module (func (export \"f\") (result i32) (i32.const 1)))\n  (assert_return (invoke \"f\") (i32.const 2))\n",
    );
    assert_eq!((r.passed, r.failed), (1, 1));
    assert!(
        r.failures[0].starts_with("t.wast:2:3: "),
        "{:?}",
        r.failures
    );
    assert_eq!(r.counts().to_string(), "1 passed, 1 failed");
}

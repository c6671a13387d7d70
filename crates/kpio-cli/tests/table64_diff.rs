//! Differential table64 test: the same scenario runs under wasmtime (the PyPI `wasmtime`
//! package, 50.0.1, memory64 on, through `tests/wasmtime_table64.py`) and under kpio-wasm,
//! and their transcripts must be equal line for line. Nothing here states an expected
//! value: wasmtime is the oracle.
//!
//! The scenario is every table instruction on a 64-bit table (`table.get`/`set`/`size`/
//! `grow`/`fill`/`init`/`copy`, `call_indirect`, `return_call_indirect`) at indices 0, at
//! the edge, just past it, at and past 2^32 and at the top of the `i64` range, copies
//! between a 64-bit and a 32-bit table both ways, a digest of the table after every change,
//! `i64` element segment offsets (one past 2^32), and import matching on the index type.
//!
//! Without python3 and the `wasmtime` package the test fails and says how to install it;
//! `KPIO_SKIP_WASMTIME_DIFF=1` skips it explicitly (as `exceptions_diff`).

use kpio_wasm::{Engine, Instance, InstantiateError, Linker, Module, Store, TrapCode, Val};
use std::collections::BTreeMap;

mod wasmtime_oracle;

/// A 64-bit table `$t` (4 elements, at most 10), a 32-bit table `$s` and a 64-bit table
/// `$m` holding a function of another type, with a function per instruction.
const CORE: &str = r#"(module
  (type $v (func (result i32)))
  (type $ii (func (param i32) (result i32)))
  (table $t (export "t") i64 4 10 funcref)
  (table $s (export "s") 3 funcref)
  (table $m i64 1 funcref)
  (func $f1 (type $v) (i32.const 1))
  (func $f2 (type $v) (i32.const 2))
  (func $f3 (type $v) (i32.const 3))
  (func $g (type $ii) (local.get 0))
  (elem (table $t) (i64.const 1) func $f1 $f2)
  (elem (table $s) (i32.const 0) func $f3 $f1 $f2)
  (elem (table $m) (i64.const 0) func $g)
  (elem $p func $f3 $f1 $f2)

  ;; The table's contents in base 5: each slot 0 if null, else its function's result.
  (func (export "digest") (result i64) (local $i i64) (local $acc i64)
    (block $done
      (loop $l
        (br_if $done (i64.ge_u (local.get $i) (table.size $t)))
        (local.set $acc
          (i64.add (i64.mul (local.get $acc) (i64.const 5))
            (if (result i64) (ref.is_null (table.get $t (local.get $i)))
              (then (i64.const 0))
              (else (i64.extend_i32_u (call_indirect $t (type $v) (local.get $i)))))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "get_is_null") (param i64) (result i32)
    (ref.is_null (table.get $t (local.get 0))))
  (func (export "set_f3") (param i64) (table.set $t (local.get 0) (ref.func $f3)))
  (func (export "set_null") (param i64) (table.set $t (local.get 0) (ref.null func)))
  (func (export "size") (result i64) (table.size $t))
  (func (export "grow") (param i64) (result i64)
    (table.grow $t (ref.func $f1) (local.get 0)))
  (func (export "fill") (param i64 i64)
    (table.fill $t (local.get 0) (ref.func $f2) (local.get 1)))
  (func (export "init") (param i64 i32 i32)
    (table.init $t $p (local.get 0) (local.get 1) (local.get 2)))
  (func (export "call") (param i64) (result i32) (call_indirect $t (type $v) (local.get 0)))
  (func (export "tail") (param i64) (result i32)
    (return_call_indirect $t (type $v) (local.get 0)))
  (func (export "call_m") (param i64) (result i32) (call_indirect $m (type $v) (local.get 0)))
  (func (export "copy") (param i64 i64 i64)
    (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_from_s") (param i64 i32 i32)
    (table.copy $t $s (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_to_s") (param i32 i64 i32)
    (table.copy $s $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "call_s") (param i32) (result i32) (call_indirect $s (type $v) (local.get 0)))
)"#;

/// Imports the core's 64-bit table with a smaller minimum and calls through it.
const IMPORTER: &str = r#"(module
  (import "core" "t" (table $t i64 2 funcref))
  (func (export "size") (result i64) (table.size $t))
  (func (export "call") (param i64) (result i32) (call_indirect $t (result i32) (local.get 0))))"#;

/// Imports the 64-bit table as a 32-bit one: not linkable.
const WRONG_INDEX_TYPE: &str = r#"(module (import "core" "t" (table 2 funcref)))"#;

/// Imports the 32-bit table as a 64-bit one: not linkable.
const WRONG_INDEX_TYPE2: &str = r#"(module (import "core" "s" (table i64 2 funcref)))"#;

/// An element segment whose `i64` offset is in bounds only if cut to 32 bits.
const FAR_SEGMENT: &str = r#"(module (import "core" "t" (table $t i64 4 funcref))
  (func $f (result i32) (i32.const 9))
  (elem (table $t) (i64.const 0x1_0000_0001) func $f))"#;

/// A segment at the very end of the imported table (the table's size when it runs).
const EDGE_SEGMENT: &str = r#"(module (import "core" "t" (table $t i64 4 funcref))
  (func $f (result i32) (i32.const 4))
  (elem (table $t) (i64.const 3) func $f))"#;

/// One argument: its type (`i32` or `i64`) and value.
#[derive(Clone, Copy)]
enum Arg {
    I32(i32),
    I64(i64),
}

struct Spec {
    /// (WAT, name it is registered under)
    modules: Vec<(&'static str, &'static str)>,
    /// (module name, export, arguments)
    calls: Vec<(&'static str, &'static str, Vec<Arg>)>,
}

const TWO_32: i64 = 1 << 32;

fn spec() -> Spec {
    use Arg::{I32, I64};
    let indices = [
        0,
        1,
        3,
        4,
        5,
        TWO_32 - 1,
        TWO_32,
        TWO_32 + 1,
        TWO_32 + 3,
        i64::MAX,
        -1,
    ];
    let mut calls = Vec::new();
    let mut c = |e: &'static str, args: &[Arg]| calls.push(("core", e, args.to_vec()));
    c("digest", &[]);
    for &i in &indices {
        c("get_is_null", &[I64(i)]);
        c("call", &[I64(i)]);
        c("tail", &[I64(i)]);
        c("call_m", &[I64(i)]);
    }
    for &i in &indices {
        c("set_f3", &[I64(i)]);
        c("digest", &[]);
        c("set_null", &[I64(i)]);
        c("digest", &[]);
    }
    let small = [0, 1, 2, 3, 4, TWO_32, TWO_32 + 1, -1];
    for &i in &small {
        for &n in &small {
            c("fill", &[I64(i), I64(n)]);
            c("digest", &[]);
            c("set_null", &[I64(i & 3)]);
        }
    }
    for &d in &indices {
        for s in [0, 1, 3, -1] {
            for n in [0, 1, 2] {
                c("init", &[I64(d), I32(s), I32(n)]);
                c("digest", &[]);
            }
        }
    }
    for &d in &small {
        for &s in &small {
            for n in [0, 1, 2, TWO_32 + 1] {
                c("copy", &[I64(d), I64(s), I64(n)]);
                c("digest", &[]);
            }
        }
    }
    for &d in &small {
        for s in [0, 1, 2, 3, -1] {
            for n in [0, 1, 3, -1] {
                c("copy_from_s", &[I64(d), I32(s), I32(n)]);
                c("digest", &[]);
                c("copy_to_s", &[I32(s), I64(d), I32(n)]);
                for k in 0..3 {
                    c("call_s", &[I32(k)]);
                }
            }
        }
    }
    for delta in [0, 1, TWO_32, TWO_32 + 1, i64::MAX, -1, 7, 4, 2, 1] {
        c("grow", &[I64(delta)]);
        c("size", &[]);
        c("digest", &[]);
    }
    for &i in &indices {
        c("get_is_null", &[I64(i)]);
        c("call", &[I64(i)]);
    }
    for i in [0, 1, 3, 4, 9, 10, TWO_32 + 3] {
        calls.push(("imp", "call", vec![I64(i)]));
    }
    calls.push(("imp", "size", vec![]));
    Spec {
        modules: vec![
            (EDGE_SEGMENT, "edge_before"),
            (CORE, "core"),
            (EDGE_SEGMENT, "edge"),
            (FAR_SEGMENT, "far"),
            (WRONG_INDEX_TYPE, "wrong"),
            (WRONG_INDEX_TYPE2, "wrong2"),
            (IMPORTER, "imp"),
        ],
        calls,
    }
}

fn arg_string(a: &Arg) -> String {
    match a {
        Arg::I32(x) => x.to_string(),
        Arg::I64(x) => x.to_string(),
    }
}

fn trap_kind(code: Option<TrapCode>) -> &'static str {
    match code {
        Some(TrapCode::TableOutOfBounds | TrapCode::UndefinedElement) => "table out of bounds",
        Some(TrapCode::UninitializedElement) => "null",
        Some(TrapCode::IndirectCallTypeMismatch) => "signature",
        _ => "other",
    }
}

/// kpio's transcript of `spec`, in the script's format.
fn kpio_transcript(spec: &Spec) -> String {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    let mut instances: BTreeMap<&str, Instance> = BTreeMap::new();
    let mut out = String::new();
    for (wat, name) in &spec.modules {
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let line = match linker.instantiate(&mut store, &module) {
            Ok(inst) => {
                linker.instance(&store, name, inst);
                instances.insert(name, inst);
                "ok".to_string()
            }
            Err(InstantiateError::Trap(t)) => format!("trap {}", trap_kind(t.code())),
            Err(InstantiateError::Link(_)) => "error".to_string(),
        };
        out.push_str(&format!("instantiate {name} {line}\n"));
    }
    for (m, export, args) in &spec.calls {
        let f = instances[m].get_func(&store, export).unwrap();
        let ty = f.ty(&store);
        let params: Vec<Val> = args
            .iter()
            .map(|a| match *a {
                Arg::I32(x) => Val::I32(x),
                Arg::I64(x) => Val::I64(x),
            })
            .collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        let head = format!(
            "{export}({})",
            args.iter().map(arg_string).collect::<Vec<_>>().join(" ")
        );
        let line = match f.call(&mut store, &params, &mut results) {
            Ok(()) => {
                let vals: Vec<String> = results
                    .iter()
                    .map(|v| match v {
                        Val::I32(x) => x.to_string(),
                        Val::I64(x) => x.to_string(),
                        other => panic!("unexpected result {other:?}"),
                    })
                    .collect();
                format!("{head} = {}", vals.join(" "))
            }
            Err(t) => format!("{head} trap {}", trap_kind(t.code())),
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn wasmtime_transcript(spec: &Spec) -> String {
    let calls: Vec<_> = spec
        .calls
        .iter()
        .map(|(m, e, args)| {
            let args: Vec<_> = args
                .iter()
                .map(|a| match *a {
                    Arg::I32(x) => serde_json::json!(["i32", x]),
                    Arg::I64(x) => serde_json::json!(["i64", x]),
                })
                .collect();
            serde_json::json!({"module": m, "export": e, "args": args})
        })
        .collect();
    wasmtime_oracle::transcript("wasmtime_table64.py", "table64-diff", &spec.modules, calls)
}

#[test]
fn table64_agrees_with_wasmtime() {
    if !wasmtime_oracle::available("table64") {
        return;
    }
    let spec = spec();
    let ours = kpio_transcript(&spec);
    let theirs = wasmtime_transcript(&spec);
    // Line by line, so a difference names its call.
    for (k, (a, b)) in ours.lines().zip(theirs.lines()).enumerate() {
        assert_eq!(a, b, "line {k}: kpio (left) and wasmtime (right) differ");
    }
    assert_eq!(
        ours.lines().count(),
        theirs.lines().count(),
        "transcript lengths"
    );
    // The scenario reaches every outcome.
    for what in [
        " = ",
        "trap table out of bounds",
        "trap null",
        "trap signature",
        " error",
        "instantiate far trap",
    ] {
        assert!(ours.contains(what), "no line with `{what}`");
    }
    println!("{} lines agree", ours.lines().count());
}

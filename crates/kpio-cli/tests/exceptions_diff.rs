//! Differential exception-handling test: the same scenarios run under wasmtime (the PyPI
//! `wasmtime` package, 50.0.1, exceptions on, through `tests/wasmtime_exceptions.py`) and
//! under kpio-wasm, and their transcripts must be equal line for line.
//!
//! No toolchain here builds C++ with wasm exceptions, so the scenarios are WAT: `throw` and
//! every `try_table` clause, rethrow with `throw_ref`, payloads of every value type, across
//! calls and deep stacks, across instances (tags imported, re-exported, and a second
//! instance's own tag), through tail calls, through host frames (a host import that calls
//! back into wasm that throws and passes the exception on), traps inside `try_table` (not
//! caught), and uncaught exceptions (tag and payload compared).
//!
//! Without python3 and the `wasmtime` package the test fails and says how to install it;
//! `KPIO_SKIP_WASMTIME_DIFF=1` skips it explicitly (as `wasi_diff`).

use kpio_wasm::{Caller, Engine, Func, FuncType, Instance, Linker, Module, Store, Val, ValType};
use std::sync::{Arc, Mutex};

mod wasmtime_oracle;

/// Catches, rethrows and payloads within one module.
const CORE: &str = r#"(module
  (import "host" "callback" (func $callback (param i32) (result i32)))
  (tag $e0 (export "e0"))
  (tag $ei (export "ei") (param i32))
  (tag $eall (export "eall") (param i32 i64 f32 f64 v128 funcref externref exnref))
  (tag $escal (export "escal") (param i32 i64 f32 f64))
  (func $f (export "f"))
  (elem declare func $f)

  (func $throw_all (param i32) (param exnref)
    (throw $eall (local.get 0) (i64.const -2) (f32.const 1.25) (f64.const -0.5)
      (v128.const i32x4 1 -2 3 -4) (ref.func $f) (ref.null extern) (local.get 1)))
  ;; Every payload type arrives: a checksum of them all.
  (func (export "payload_all") (param i32) (result i64)
    (local $x exnref) (local $v v128) (local $sum i64)
    (local.set $x (block $c (result exnref)
      (try_table (catch_all_ref $c) (throw $e0)) (unreachable)))
    (block $h (result i32 i64 f32 f64 v128 funcref externref exnref)
      (try_table (catch $eall $h) (call $throw_all (local.get 0) (local.get $x)))
      (unreachable))
    ;; Each step consumes the top of the stack first (folded operands run in order).
    (local.set $sum (i64.extend_i32_u (ref.is_null)))                   ;; exnref: 0
    (local.set $sum (i64.add (i64.mul (i64.extend_i32_u (ref.is_null)) (i64.const 10))
      (local.get $sum)))                                                 ;; externref: 10
    (local.set $sum (i64.add (i64.mul (i64.extend_i32_u (ref.is_null)) (i64.const 100))
      (local.get $sum)))                                                 ;; funcref: 0
    (local.set $v)
    (local.set $sum (i64.add (local.get $sum)
      (i64.extend_i32_s (i32x4.extract_lane 3 (local.get $v)))))       ;; -4
    (local.set $sum (i64.add (i64.reinterpret_f64) (local.get $sum)))
    (local.set $sum (i64.add (i64.extend_i32_u (i32.reinterpret_f32)) (local.get $sum)))
    (local.set $sum (i64.add (local.get $sum)))
    (i64.add (i64.extend_i32_s) (local.get $sum)))

  ;; 0: no throw; 1: $e0; 2: $ei; 3: $escal. Clauses in order, nested try_tables.
  (func $thrower (param i32)
    (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $e0)))
    (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $ei (i32.const 42))))
    (if (i32.eq (local.get 0) (i32.const 3))
      (then (throw $escal (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4)))))
  (func (export "dispatch") (param i32) (result i32)
    (block $all
      (block $ei (result i32)
        (block $e0
          (try_table (catch_all $all)
            (try_table (catch $e0 $e0) (catch $ei $ei)
              (call $thrower (local.get 0))))
          (return (i32.const 0)))
        (return (i32.const 10)))
      (return (i32.add (i32.const 100))))
    (i32.const 1000))

  ;; catch_ref, then rethrow with throw_ref: an outer handler sees the same payload.
  (func (export "rethrow") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $ei $outer)
        (block $inner (result i32 exnref)
          (try_table (catch_ref $ei $inner) (throw $ei (local.get 0)))
          (unreachable))
        (throw_ref)))
    (i32.add (i32.const 1)))
  (func (export "rethrow_uncaught") (param i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $ei (local.get 0)))
      (unreachable))
    (throw_ref))
  (func (export "throw_ref_null") (throw_ref (ref.null exn)))
  (func (export "uncaught_scalars") (param i32)
    (throw $escal (local.get 0) (i64.const -9) (f32.const -0.25) (f64.const 1e300)))

  ;; Traps are not caught.
  (func $div (param i32) (result i32) (i32.div_s (i32.const 7) (local.get 0)))
  (func (export "trap_in_try") (param i32) (result i32)
    (block $h
      (try_table (result i32) (catch_all $h) (call $div (local.get 0)))
      (return))
    (i32.const -1))
  (func (export "unreachable_in_try") (result i32)
    (block $h (try_table (catch_all $h) (unreachable)))
    (i32.const -1))

  ;; Tail calls: the return_call leaves the try_table; the caller's caller catches.
  (func $tail_thrower (param i32) (throw $ei (local.get 0)))
  (func $tail (export "tail") (param i32)
    (block $h (result i32)
      (try_table (catch $ei $h) (return_call $tail_thrower (local.get 0)))
      (return))
    (drop))
  (func (export "through_tail") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $ei $h) (call $tail (local.get 0)))
      (return (i32.const -1)))
    (i32.mul (i32.const 2)))

  ;; A deep stack unwinds to the top.
  (func $down (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $ei (i32.const 77))))
    (call $down (i32.sub (local.get 0) (i32.const 1))))
  (func (export "deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $ei $h) (call $down (local.get 0)))
      (return (i32.const -1))))

  ;; Through a host frame: wasm -> host -> wasm (callback_target) that throws.
  (func (export "callback_target") (param i32) (result i32)
    (if (i32.ge_s (local.get 0) (i32.const 0)) (then (throw $ei (local.get 0))))
    (i32.const 5))
  (func (export "via_host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $ei $h) (call $callback (local.get 0)))
      (return))
    (i32.add (i32.const 1000)))
  (func (export "via_host_uncaught") (param i32) (result i32)
    (call $callback (local.get 0)))

  ;; A loop that throws and catches many times.
  (func (export "spin") (param $n i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (block $h (result i32)
          (try_table (catch $ei $h) (throw $ei (local.get $n)))
          (unreachable))
        (local.set $sum (i32.add (local.get $sum)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $sum))
)"#;

/// A second module: imports the first one's tag and re-exports it, and throws it.
const IMPORTER: &str = r#"(module
  (import "core" "ei" (tag $ei (param i32)))
  (import "core" "callback_target" (func $target (param i32) (result i32)))
  (tag $own (export "own") (param i32))
  (export "ei_again" (tag $ei))
  (func (export "throw_imported") (param i32) (throw $ei (local.get 0)))
  (func (export "throw_own") (param i32) (throw $own (local.get 0)))
  ;; Catches the core module's tag thrown by the core module (through its export).
  (func (export "catch_core") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $ei $h) (call $target (local.get 0)))
      (return))
    (i32.const 500) (i32.add))
)"#;

/// A third module: imports the importer's re-export (the core tag) and a second instance's
/// tag under the same import shape, and tells them apart.
const CHECKER: &str = r#"(module
  (import "imp" "ei_again" (tag $core (param i32)))
  (import "imp" "own" (tag $first (param i32)))
  (import "imp2" "throw_own" (func $second_throw (param i32)))
  (import "imp" "throw_imported" (func $imported_throw (param i32)))
  ;; 1: the core tag (re-exported import is the same tag); 2: the first importer's own
  ;; tag; 3: anything else.
  (func (export "classify_second") (param i32) (result i32)
    (block $other
      (block $first (result i32)
        (block $c (result i32)
          (try_table (catch $core $c) (catch $first $first) (catch_all $other)
            (call $second_throw (local.get 0)))
          (return (i32.const 0)))
        (return (i32.const 1)))
      (return (i32.const 2)))
    (i32.const 3))
  (func (export "classify_reexport") (param i32) (result i32)
    (block $c (result i32)
      (try_table (catch $core $c) (call $imported_throw (local.get 0)))
      (return (i32.const 0)))
    (drop) (i32.const 1))
)"#;

struct Spec {
    /// (WAT, name it is registered under)
    modules: Vec<(&'static str, &'static str)>,
    /// (module index, export, i32 arguments)
    calls: Vec<(usize, &'static str, Vec<i32>)>,
}

fn spec() -> Spec {
    let mut calls = Vec::new();
    let mut c = |m: usize, e: &'static str, args: &[i32]| calls.push((m, e, args.to_vec()));
    for x in [0, 5, -3] {
        c(0, "payload_all", &[x]);
    }
    for x in 0..4 {
        c(0, "dispatch", &[x]);
    }
    c(0, "rethrow", &[41]);
    c(0, "rethrow_uncaught", &[6]);
    c(0, "throw_ref_null", &[]);
    c(0, "uncaught_scalars", &[-8]);
    c(0, "trap_in_try", &[7]);
    c(0, "trap_in_try", &[0]);
    c(0, "unreachable_in_try", &[]);
    c(0, "tail", &[3]);
    c(0, "through_tail", &[21]);
    // Deep, within both engines' stack limits (wasmtime's 512 KiB wasm stack ends near 20,000).
    c(0, "deep", &[2_000]);
    c(0, "via_host", &[9]);
    c(0, "via_host", &[-1]);
    c(0, "via_host_uncaught", &[4]);
    c(0, "spin", &[100_000]);
    c(1, "throw_imported", &[13]);
    c(1, "throw_own", &[14]);
    c(1, "catch_core", &[2]);
    c(1, "catch_core", &[-1]);
    c(2, "throw_own", &[15]);
    c(3, "classify_second", &[16]);
    c(3, "classify_reexport", &[17]);
    Spec {
        modules: vec![
            (CORE, "core"),
            (IMPORTER, "imp"),
            (IMPORTER, "imp2"),
            (CHECKER, "chk"),
        ],
        calls,
    }
}

fn fmt(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(x) => format!("{:#x}", x.to_bits()),
        Val::F64(x) => format!("{:#x}", x.to_bits()),
        Val::FuncRef(r) => if r.is_some() { "ref" } else { "null" }.into(),
        Val::ExternRef(r) => if r.is_some() { "ref" } else { "null" }.into(),
        Val::ExnRef(r) => if r.is_some() { "ref" } else { "null" }.into(),
        Val::V128(x) => format!("{x:#x}"),
    }
}

/// kpio's transcript of `spec`, in the script's format.
fn kpio_transcript(spec: &Spec) -> String {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let target: Arc<Mutex<Option<Func>>> = Arc::default();
    let t = target.clone();
    let callback = Func::new(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        move |mut caller: Caller<'_, ()>, args: &[Val], results: &mut [Val]| {
            let f = t.lock().unwrap().expect("target set");
            // An exception that leaves the call goes on into the calling wasm as it is.
            f.call(caller.store_mut(), args, results)
        },
    );
    let mut linker = Linker::new();
    linker.define("host", "callback", callback);
    let mut instances: Vec<Instance> = Vec::new();
    let mut tags = Vec::new();
    for (wat, name) in &spec.modules {
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let inst = linker.instantiate(&mut store, &module).unwrap();
        linker.instance(&store, name, inst);
        for (export, item) in inst.exports(&store) {
            if let Some(tag) = item.into_tag() {
                tags.push((format!("{name}.{export}"), tag));
            }
        }
        instances.push(inst);
    }
    *target.lock().unwrap() = instances[0].get_func(&store, "callback_target");
    let mut out = String::new();
    for (m, export, args) in &spec.calls {
        let f = instances[*m].get_func(&store, export).unwrap();
        let ty = f.ty(&store);
        let params: Vec<Val> = args.iter().map(|a| Val::I32(*a)).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        let head = format!(
            "{export}({})",
            args.iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let line = match f.call(&mut store, &params, &mut results) {
            Ok(()) => {
                let vals: Vec<String> = results.iter().map(fmt).collect();
                format!("{head} = {}", vals.join(" "))
            }
            Err(t) => match t.exception() {
                Some(e) => {
                    let name = tags
                        .iter()
                        .find(|(_, tag)| *tag == e.tag())
                        .map_or("?", |(n, _)| n.as_str());
                    let vals: Vec<String> = e.payload().iter().map(fmt).collect();
                    format!("{head} exception {name} {}", vals.join(" "))
                }
                None => format!(
                    "{head} trap {}",
                    t.code().map_or("other", |c| match c.message() {
                        "null exception reference" => "null reference",
                        m => m,
                    })
                ),
            },
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
            let args: Vec<_> = args.iter().map(|a| serde_json::json!(["i32", a])).collect();
            serde_json::json!({"module": m, "export": e, "args": args})
        })
        .collect();
    wasmtime_oracle::transcript("wasmtime_exceptions.py", "exn-diff", &spec.modules, calls)
}

#[test]
fn exceptions_agree_with_wasmtime() {
    if !wasmtime_oracle::available("exception") {
        return;
    }
    let spec = spec();
    let ours = kpio_transcript(&spec);
    let theirs = wasmtime_transcript(&spec);
    println!("{ours}");
    assert_eq!(ours, theirs, "kpio (left) and wasmtime (right) differ");
    // The scenarios reach every outcome: returns, caught and uncaught exceptions, traps.
    for what in [" = ", " exception ", " trap "] {
        assert!(ours.contains(what), "no line with `{what}`");
    }
}

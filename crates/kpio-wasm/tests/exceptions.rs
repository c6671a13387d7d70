//! Exception handling (the `exnref` form) end to end: `throw`, `try_table` with every kind
//! of catch clause, `throw_ref`, payloads of every value type, tag identity across
//! instances, unwinding through calls, instances, tail calls and host functions, the error
//! an uncaught exception becomes at the host boundary, traps that no handler catches,
//! fuel, and the bound on exception objects. Expected values are worked out by hand from
//! the spec.

use kpio_wasm::*;

fn compile(engine: &Engine, wat: &str) -> Module {
    let bytes = wat::parse_str(wat).expect("test module parses");
    Module::new(engine, &bytes).expect("test module validates")
}

fn call(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, Trap> {
    let f = inst.get_func(store, name).expect("export exists");
    let ty = f.ty(store);
    let mut out: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    f.call(store, args, &mut out)?;
    Ok(out)
}

fn instance(wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = compile(&engine, wat);
    let mut store = Store::new(&engine, ());
    let inst = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, inst)
}

const PAYLOADS: &str = r#"(module
  (tag $all (export "all")
    (param i32 i64 f32 f64 v128 funcref externref exnref))
  (tag $e (export "e"))
  (func $f (export "f"))
  (elem declare func $f)
  (func $throw_all (param exnref)
    (throw $all (i32.const -7) (i64.const 0x1122334455667788) (f32.const -1.5)
      (f64.const 0x1.8p+1) (v128.const i32x4 1 2 3 4) (ref.func $f)
      (ref.null extern) (local.get 0)))
  ;; Catches every payload value and checks each; 1 if all arrived intact.
  (func (export "roundtrip") (param externref) (result i32)
    (local $inner exnref)
    (local.set $inner
      (block $c (result exnref) (try_table (catch_ref $e $c) (throw $e)) (unreachable)))
    (block $h (result i32 i64 f32 f64 v128 funcref externref exnref)
      (try_table (catch $all $h) (call $throw_all (local.get $inner)))
      (unreachable))
    ;; Stack: i32 i64 f32 f64 v128 funcref externref exnref.
    (if (ref.is_null) (then (return (i32.const 100))))
    (if (i32.eqz (ref.is_null)) (then (return (i32.const 101))))
    (if (ref.is_null) (then (return (i32.const 102))))
    (if (i32.eqz (i32x4.all_true (i32x4.eq (v128.const i32x4 1 2 3 4))))
      (then (return (i32.const 103))))
    (if (f64.ne (f64.const 3)) (then (return (i32.const 104))))
    (if (f32.ne (f32.const -1.5)) (then (return (i32.const 105))))
    (if (i64.ne (i64.const 0x1122334455667788)) (then (return (i32.const 106))))
    (if (i32.ne (i32.const -7)) (then (return (i32.const 107))))
    (i32.const 1))
  ;; Uncaught: the host sees the tag and every payload value.
  (func (export "escape") (param exnref) (call $throw_all (local.get 0)))
  ;; catch_all_ref hands out the exception; throw_ref rethrows it unchanged.
  (func (export "catch_and_return") (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $throw_all (ref.null exn)))
      (unreachable)))
  (func (export "rethrow") (param exnref) (throw_ref (local.get 0)))
)"#;

#[test]
fn payloads_of_every_type_arrive_intact() {
    let (mut store, inst) = instance(PAYLOADS);
    let r = call(&mut store, inst, "roundtrip", &[Val::ExternRef(None)]).unwrap();
    assert_eq!(r, [Val::I32(1)]);
}

#[test]
fn an_uncaught_exception_reaches_the_host_with_its_tag_and_payload() {
    let (mut store, inst) = instance(PAYLOADS);
    let t = call(&mut store, inst, "escape", &[Val::ExnRef(None)]).unwrap_err();
    assert_eq!(t.code(), None, "an exception is not a trap code");
    let e = t.exception().expect("the error carries the exception");
    assert_eq!(e.tag(), inst.get_tag(&store, "all").unwrap());
    assert_ne!(e.tag(), inst.get_tag(&store, "e").unwrap());
    let p = e.payload();
    assert_eq!(p.len(), 8);
    assert_eq!(p[0], Val::I32(-7));
    assert_eq!(p[1], Val::I64(0x1122334455667788));
    assert_eq!(p[2], Val::F32((-1.5f32).into()));
    assert_eq!(p[3], Val::F64(3.0f64.into()));
    assert_eq!(p[4], Val::V128(4 << 96 | 3 << 64 | 2 << 32 | 1));
    assert_eq!(p[5], Val::FuncRef(inst.get_func(&store, "f")));
    assert_eq!(p[6], Val::ExternRef(None));
    assert_eq!(p[7], Val::ExnRef(None));
    assert!(t.to_string().contains("uncaught wasm exception"), "{t}");
    // The object is in the store too.
    let r = e.exnref();
    assert_eq!(r.tag(&store), Some(e.tag()));
    assert_eq!(r.payload(&store).as_deref(), Some(p));
}

#[test]
fn an_exnref_round_trips_through_the_host() {
    let (mut store, inst) = instance(PAYLOADS);
    let r = call(&mut store, inst, "catch_and_return", &[]).unwrap();
    let Val::ExnRef(Some(exn)) = r[0] else {
        panic!("expected an exnref, got {r:?}")
    };
    let all = inst.get_tag(&store, "all").unwrap();
    assert_eq!(exn.tag(&store), Some(all));
    assert_eq!(exn.payload(&store).unwrap()[0], Val::I32(-7));
    // Rethrown by wasm, it comes back as the same exception.
    let t = call(&mut store, inst, "rethrow", &[r[0]]).unwrap_err();
    let e = t.exception().unwrap();
    assert_eq!((e.tag(), e.exnref()), (all, exn));
    // A null reference traps.
    let t = call(&mut store, inst, "rethrow", &[Val::ExnRef(None)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::NullExceptionReference));
    assert!(t.exception().is_none());
}

const TAGS: &str = r#"(module
  (tag $own (export "own") (param i32))
  (func (export "throw_own") (param i32) (throw $own (local.get 0)))
  ;; Calls `f`; 1000 + payload if it throws this instance's tag, -1 for any other
  ;; exception, 0 if it returns.
  (type $t (func))
  (table $tab (export "tab") 1 funcref)
  (func (export "catch_from") (result i32)
    (block $any
      (block $mine (result i32)
        (try_table (catch $own $mine) (catch_all $any)
          (call_indirect (type $t) (i32.const 0)))
        (return (i32.const 0)))
      (return (i32.add (i32.const 1000))))
    (i32.const -1))
)"#;

#[test]
fn each_instance_has_its_own_tags_and_a_reexported_import_is_the_same_tag() {
    let engine = Engine::default();
    let m = compile(&engine, TAGS);
    let mut store = Store::new(&engine, ());
    let a = Linker::new().instantiate(&mut store, &m).unwrap();
    let b = Linker::new().instantiate(&mut store, &m).unwrap();
    assert_ne!(
        a.get_tag(&store, "own").unwrap(),
        b.get_tag(&store, "own").unwrap()
    );
    // A module that imports a's tag, re-exports it, and throws it.
    let reexport = compile(
        &engine,
        r#"(module
          (import "a" "own" (tag $t (param i32)))
          (export "again" (tag $t))
          (func (export "throw") (throw $t (i32.const 5)))
          (func (export "throw_nullary") (throw $t (i32.const 6))))"#,
    );
    let mut linker = Linker::new();
    linker.instance(&store, "a", a);
    let c = linker.instantiate(&mut store, &reexport).unwrap();
    assert_eq!(
        c.get_tag(&store, "again").unwrap(),
        a.get_tag(&store, "own").unwrap()
    );

    let put = |store: &mut Store<()>, inst: Instance, f: Func| {
        let tab = inst.get_table(store, "tab").unwrap();
        tab.set(store, 0, Val::FuncRef(Some(f))).unwrap();
    };
    let c_throw = c.get_func(&store, "throw").unwrap();
    // a catches c's throw by tag (it is a's tag), b only by catch_all.
    put(&mut store, a, c_throw);
    assert_eq!(
        call(&mut store, a, "catch_from", &[]).unwrap(),
        [Val::I32(1005)]
    );
    put(&mut store, b, c_throw);
    assert_eq!(
        call(&mut store, b, "catch_from", &[]).unwrap(),
        [Val::I32(-1)]
    );
    // And b's own throw is b's: a does not catch it by tag.
    let b_throw = b.get_func(&store, "throw_own").unwrap();
    let wrap = compile(
        &engine,
        r#"(module (import "b" "throw_own" (func $t (param i32)))
          (func (export "go") (call $t (i32.const 9))))"#,
    );
    let mut l = Linker::new();
    l.define("b", "throw_own", b_throw);
    let w = l.instantiate(&mut store, &wrap).unwrap();
    let go = w.get_func(&store, "go").unwrap();
    put(&mut store, a, go);
    assert_eq!(
        call(&mut store, a, "catch_from", &[]).unwrap(),
        [Val::I32(-1)]
    );
    put(&mut store, b, go);
    assert_eq!(
        call(&mut store, b, "catch_from", &[]).unwrap(),
        [Val::I32(1009)]
    );
}

#[test]
fn tag_imports_are_checked_and_host_tags_work() {
    let engine = Engine::default();
    let m = compile(
        &engine,
        r#"(module (import "h" "t" (tag $t (param i64)))
          (func (export "throw") (throw $t (i64.const 42))))"#,
    );
    let mut store = Store::new(&engine, ());
    let t = Tag::new(&mut store, FuncType::new([ValType::I64], [])).unwrap();
    assert!(Tag::new(&mut store, FuncType::new([], [ValType::I32])).is_err());
    let wrong = Tag::new(&mut store, FuncType::new([ValType::I32], [])).unwrap();
    let mut linker = Linker::new();
    linker.define("h", "t", wrong);
    let e = linker.instantiate(&mut store, &m).unwrap_err();
    assert!(e.to_string().contains("incompatible import type"), "{e}");
    linker.define("h", "t", t);
    let inst = linker.instantiate(&mut store, &m).unwrap();
    let err = call(&mut store, inst, "throw", &[]).unwrap_err();
    let e = err.exception().unwrap();
    assert_eq!((e.tag(), e.payload()), (t, &[Val::I64(42)][..]));
    assert_eq!(
        m.imports().next().unwrap().ty,
        ExternType::Tag(FuncType::new([ValType::I64], []))
    );
}

const HOST: &str = r#"(module
  (import "host" "callback" (func $callback (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (func (export "thrower") (param i32) (result i32)
    (if (local.get 0) (then (throw $e (i32.add (local.get 0) (i32.const 100)))))
    (i32.const 7))
  ;; wasm -> host -> wasm that throws: the exception crosses the host frame.
  (func (export "outer") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $callback (local.get 0)))
      (return))
    (i32.add (i32.const 1000)))
)"#;

/// What the host callback does with the error of its call back into wasm.
#[derive(Clone, Copy)]
enum Passes {
    /// Returns it as it is: the exception goes on into the calling wasm.
    On,
    /// Replaces it with a trap of its own: nothing catches that.
    AsTrap,
}

fn host_setup(mode: Passes) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let m = compile(&engine, HOST);
    let mut store = Store::new(&engine, ());
    let cell = std::sync::Arc::new(std::sync::OnceLock::<Func>::new());
    let thrower = cell.clone();
    let callback = Func::new(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        move |mut caller: Caller<'_, ()>, args: &[Val], results: &mut [Val]| {
            let f = *thrower.get().expect("set before the call");
            let mut out = [Val::I32(0)];
            match f.call(caller.store_mut(), args, &mut out) {
                Ok(()) => {
                    results[0] = out[0];
                    Ok(())
                }
                Err(t) => match mode {
                    Passes::On => Err(t),
                    Passes::AsTrap => {
                        let e = t.exception().expect("an exception");
                        Err(Trap::host(format!("host saw payload {:?}", e.payload())))
                    }
                },
            }
        },
    );
    let mut linker = Linker::new();
    linker.define("host", "callback", callback);
    let inst = linker.instantiate(&mut store, &m).unwrap();
    cell.set(inst.get_func(&store, "thrower").unwrap()).unwrap();
    (store, inst)
}

#[test]
fn an_exception_a_host_function_returns_propagates_into_the_calling_wasm() {
    let (mut store, inst) = host_setup(Passes::On);
    assert_eq!(
        call(&mut store, inst, "outer", &[Val::I32(0)]).unwrap(),
        [Val::I32(7)]
    );
    assert_eq!(
        call(&mut store, inst, "outer", &[Val::I32(5)]).unwrap(),
        [Val::I32(1105)]
    );
    let (mut store, inst) = host_setup(Passes::AsTrap);
    let t = call(&mut store, inst, "outer", &[Val::I32(5)]).unwrap_err();
    assert!(t.exception().is_none());
    assert!(t.to_string().contains("host saw payload [I32(105)]"), "{t}");
}

#[test]
fn traps_are_not_caught() {
    let (mut store, inst) = instance(
        r#"(module
          (func $div (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
          (func (export "f") (param i32) (result i32)
            (block $h
              (try_table (result i32) (catch_all $h) (call $div (local.get 0)))
              (return))
            (i32.const -1))
          (func (export "g")
            (block $h (try_table (catch_all $h) (unreachable))))
          (func $forever (call $forever))
          (func (export "exhaust")
            (block $h (try_table (catch_all $h) (call $forever)))))"#,
    );
    assert_eq!(
        call(&mut store, inst, "f", &[Val::I32(1)]).unwrap(),
        [Val::I32(1)]
    );
    let t = call(&mut store, inst, "f", &[Val::I32(0)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::IntegerDivideByZero));
    assert!(!t.backtrace().is_empty(), "trap reporting is unchanged");
    let t = call(&mut store, inst, "g", &[]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::Unreachable));
    // The call-depth limit still ends a runaway recursion, and no handler catches that.
    let t = call(&mut store, inst, "exhaust", &[]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::StackExhausted));
    assert_eq!(
        call(&mut store, inst, "f", &[Val::I32(1)]).unwrap(),
        [Val::I32(1)]
    );
}

#[test]
fn a_tail_call_leaves_the_try_table_and_deep_stacks_unwind() {
    let (mut store, inst) = instance(
        r#"(module
          (tag $e (param i64))
          (func $thrower (param i64) (throw $e (local.get 0)))
          ;; The return_call replaces this frame: its handler is gone.
          (func $tail (export "tail") (param i64)
            (block $h (result i64)
              (try_table (catch $e $h) (return_call $thrower (local.get 0)))
              (return))
            (drop))
          (func (export "through_tail") (param i64) (result i64)
            (block $h (result i64)
              (try_table (catch $e $h) (call $tail (local.get 0)))
              (return (i64.const -1)))
            (i64.add (i64.const 1)))
          ;; Recurses n deep, then throws n at the bottom; caught at the top.
          (func $down (param i64)
            (if (i64.eqz (local.get 0)) (then (throw $e (i64.const 77))))
            (call $down (i64.sub (local.get 0) (i64.const 1))))
          (func (export "deep") (param i64) (result i64)
            (block $h (result i64)
              (try_table (catch $e $h) (call $down (local.get 0)))
              (return (i64.const -1)))))"#,
    );
    let t = call(&mut store, inst, "tail", &[Val::I64(3)]).unwrap_err();
    assert_eq!(t.exception().unwrap().payload(), [Val::I64(3)]);
    assert_eq!(
        call(&mut store, inst, "through_tail", &[Val::I64(41)]).unwrap(),
        [Val::I64(42)]
    );
    assert_eq!(
        call(&mut store, inst, "deep", &[Val::I64(100_000)]).unwrap(),
        [Val::I64(77)]
    );
    // The call stack is back to empty: a fresh call works.
    assert_eq!(
        call(&mut store, inst, "deep", &[Val::I64(0)]).unwrap(),
        [Val::I64(77)]
    );
}

const LOOP: &str = r#"(module
  (tag $e (param i32))
  (global $keep (mut exnref) (ref.null exn))
  (func $throw (param i32) (throw $e (local.get 0)))
  ;; Throws and catches n times (catch_ref: the reference is live until the next round);
  ;; returns the sum of the payloads.
  (func (export "spin") (param $n i32) (result i32)
    (local $sum i32) (local $x exnref)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (block $h (result i32 exnref)
          (try_table (catch_ref $e $h) (call $throw (local.get $n)))
          (unreachable))
        (local.set $x)
        (local.set $sum (i32.add (local.get $sum)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $sum))
  ;; Each exception carries the previous one: all stay reachable from the global.
  (tag $link (param exnref))
  (func (export "chain") (param $n i32)
    (loop $l
      (global.set $keep
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (throw $link (global.get $keep)))
          (unreachable)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "drop_chain") (global.set $keep (ref.null exn)))
)"#;

#[test]
fn a_million_throws_do_not_grow_the_store() {
    let (mut store, inst) = instance(LOOP);
    let n = 1_000_000i32;
    let sum = (1..=n as i64).sum::<i64>() as i32;
    assert_eq!(
        call(&mut store, inst, "spin", &[Val::I32(n)]).unwrap(),
        [Val::I32(sum)]
    );
    // Collections keep the objects to a small multiple of the live set (1,024 at least).
    assert!(
        store.exception_objects() <= 2048,
        "{}",
        store.exception_objects()
    );
    // Reachable objects are kept, however many collections pass ...
    call(&mut store, inst, "chain", &[Val::I32(5000)]).unwrap();
    assert!(store.exception_objects() >= 5000);
    call(&mut store, inst, "spin", &[Val::I32(20_000)]).unwrap();
    assert!(store.exception_objects() >= 5000);
    // ... and freed once they are not.
    call(&mut store, inst, "drop_chain", &[]).unwrap();
    call(&mut store, inst, "spin", &[Val::I32(50_000)]).unwrap();
    assert!(
        store.exception_objects() <= 12_000,
        "{}",
        store.exception_objects()
    );
}

/// A module whose only references to two exceptions are a non-null `(ref exn)` global (a
/// host-made import) and a non-null `(ref exn)` table, after enough throws to collect.
/// (The table half fails if the collector roots only `exnref`-typed places; the global's
/// object may also survive through a stale stack slot, since the stack is scanned
/// conservatively.)
const NON_NULL_ROOTS: &str = r#"(module
  (global $g (import "host" "g") (ref exn))
  (tag $p (param i32))
  (tag $e)
  (table $t 1 (ref exn) (global.get $g))
  ;; Puts a new exception (payload 42) in the table, held by nothing else.
  (func (export "stash") (local $r (ref null exn))
    (block $h (result i32 (ref exn))
      (try_table (catch_ref $p $h) (throw $p (i32.const 42)))
      (unreachable))
    (local.set $r)
    (drop)
    (table.set $t (i32.const 0) (ref.as_non_null (local.get $r))))
  (func (export "spin") (param $n i32)
    (loop $l
      (block $c (try_table (catch $e $c) (throw $e)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "rethrow_global") (throw_ref (global.get $g)))
  (func (export "rethrow_table") (throw_ref (table.get $t (i32.const 0))))
)"#;

#[test]
fn non_null_exnref_globals_and_tables_are_collector_roots() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let payloads = Linker::new()
        .instantiate(&mut store, &compile(&engine, PAYLOADS))
        .expect("instantiates");
    let r = call(&mut store, payloads, "catch_and_return", &[]).unwrap();
    let Val::ExnRef(Some(exn)) = r[0] else {
        panic!("expected an exnref, got {r:?}")
    };
    let non_null_exn = ValType::Ref(RefType::new(false, HeapType::Exn));
    let g = Global::new(
        &mut store,
        GlobalType::new(non_null_exn, Mutability::Const),
        r[0],
    )
    .expect("an exception is a `(ref exn)`");
    assert!(
        Global::new(
            &mut store,
            GlobalType::new(non_null_exn, Mutability::Const),
            Val::ExnRef(None)
        )
        .is_err(),
        "null is not a `(ref exn)`"
    );
    assert!(
        Global::new(
            &mut store,
            GlobalType::new(ValType::ExnRef, Mutability::Const),
            Val::ExternRef(None)
        )
        .is_err(),
        "an extern null is not an `exnref`"
    );
    let mut linker = Linker::new();
    linker.define("host", "g", g);
    let inst = linker
        .instantiate(&mut store, &compile(&engine, NON_NULL_ROOTS))
        .expect("instantiates");
    call(&mut store, inst, "stash", &[]).unwrap();
    // Enough throws for several collections.
    call(&mut store, inst, "spin", &[Val::I32(5000)]).unwrap();
    let t = call(&mut store, inst, "rethrow_global", &[]).unwrap_err();
    let all = payloads.get_tag(&store, "all").unwrap();
    let e = t.exception().expect("the global's exception, still live");
    assert_eq!((e.tag(), e.exnref()), (all, exn));
    let t = call(&mut store, inst, "rethrow_table", &[]).unwrap_err();
    let e = t.exception().expect("the table's exception, still live");
    assert_eq!(e.payload(), &[Val::I32(42)]);
}

#[test]
fn reachable_exceptions_are_bounded() {
    let (mut store, inst) = instance(LOOP);
    // 16 bytes an object plus 8 for its one payload slot: the budget runs out first.
    let n = (MAX_LIVE_EXCEPTION_BYTES / 24 + 10) as i32;
    let t = call(&mut store, inst, "chain", &[Val::I32(n)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::ResourceLimitExceeded));
    assert_eq!(
        t.limit_exceeded().unwrap().resource,
        Resource::ExceptionObjects
    );
}

/// Garbage may fill the byte budget before the live count reaches the collection
/// threshold (big payloads, a large live set): a throw then collects rather than failing.
#[test]
fn garbage_never_counts_against_the_byte_budget() {
    // 550 v128 values: 1,100 payload slots, 8,816 bytes an object (a type has at most 1,000
    // parameters).
    let params = "v128 ".repeat(550);
    let args = "(v128.const i64x2 1 1) ".repeat(550);
    let wat = format!(
        r#"(module
          (tag $big (param {params}))
          (table $keep 5000 exnref)
          (func $catch (result exnref)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (throw $big {args}))
              (unreachable)))
          (func (export "keep") (param $n i32)
            (loop $l
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (table.set $keep (local.get $n) (call $catch))
              (br_if $l (local.get $n))))
          (func (export "churn") (param $n i32)
            (loop $l
              (drop (call $catch))
              (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))"#
    );
    let (mut store, inst) = instance(&wat);
    // 5,000 live objects take 44 MB of the 64 MiB; the threshold is then 8,192 objects,
    // which big garbage would reach only past the budget.
    call(&mut store, inst, "keep", &[Val::I32(5000)]).unwrap();
    call(&mut store, inst, "churn", &[Val::I32(10_000)]).unwrap();
    assert!(store.exception_objects() >= 5000);
}

#[test]
fn fuel_runs_out_in_a_throwing_loop() {
    let engine = Engine::new(Config {
        consume_fuel: true,
        ..Config::default()
    });
    let m = compile(&engine, LOOP);
    let mut store = Store::new(&engine, ());
    let inst = Linker::new().instantiate(&mut store, &m).unwrap();
    store.set_fuel(10_000);
    let t = call(&mut store, inst, "spin", &[Val::I32(1_000_000)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::OutOfFuel));
    store.set_fuel(u64::MAX);
    assert_eq!(
        call(&mut store, inst, "spin", &[Val::I32(3)]).unwrap(),
        [Val::I32(6)]
    );
}

#[test]
fn an_exception_from_the_start_function_fails_instantiation() {
    let engine = Engine::default();
    let m = compile(&engine, "(module (tag $e) (func $s (throw $e)) (start $s))");
    let mut store = Store::new(&engine, ());
    match Linker::new().instantiate(&mut store, &m) {
        Err(InstantiateError::Trap(t)) => assert!(t.exception().is_some()),
        other => panic!("expected an exception, got {other:?}"),
    }
}

#[test]
fn legacy_exception_handling_is_refused_by_name() {
    // (module (tag) (func try catch 0 end)), legacy opcodes 0x06 (try) and 0x07 (catch).
    let wasm = [
        0, 97, 115, 109, 1, 0, 0, 0, // header
        1, 4, 1, 0x60, 0, 0, // type section: (func)
        3, 2, 1, 0, // function section
        13, 3, 1, 0, 0, // tag section: one tag of type 0
        10, 9, 1, 7, 0, 0x06, 0x40, 0x07, 0, 0x0b, 0x0b, // code: try catch 0 end end
    ];
    let e = Module::new(&Engine::default(), &wasm).unwrap_err();
    assert_eq!(e.kind(), ModuleErrorKind::Unsupported, "{e}");
    assert!(e.message().contains("legacy exception handling"), "{e}");
}

#[test]
fn null_checks_work_on_exception_references() {
    let (mut store, inst) = instance(
        r#"(module
  (tag $e)
  (func $caught (result exnref)
    (block $h (result exnref) (try_table (catch_all_ref $h) (throw $e)) (unreachable)))
  ;; 1 if null, 2 if not, by br_on_null.
  (func (export "which") (param $null i32) (result i32)
    (block $n
      (br_on_null $n
        (if (result exnref) (local.get $null)
          (then (ref.null exn)) (else (call $caught))))
      (drop)
      (return (i32.const 2)))
    (i32.const 1))
  (func (export "is_null") (param exnref) (result i32) (ref.is_null (local.get 0)))
  (func (export "non_null") (param exnref) (result (ref exn))
    (ref.as_non_null (local.get 0)))
)"#,
    );
    assert_eq!(
        call(&mut store, inst, "which", &[Val::I32(1)]).unwrap(),
        [Val::I32(1)]
    );
    assert_eq!(
        call(&mut store, inst, "which", &[Val::I32(0)]).unwrap(),
        [Val::I32(2)]
    );
    assert_eq!(
        call(&mut store, inst, "is_null", &[Val::ExnRef(None)]).unwrap(),
        [Val::I32(1)]
    );
    let t = call(&mut store, inst, "non_null", &[Val::ExnRef(None)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::NullReference));
}

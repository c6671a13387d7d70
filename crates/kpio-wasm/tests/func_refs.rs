//! Typed function references end to end: `call_ref` within an instance, across instances
//! and into host functions; `return_call_ref` far deeper than the call-depth limit in
//! constant stack; the null traps; typed references at the host boundary (arguments,
//! globals, tables) and at linking; GC refused with its typed error. Expected values are
//! worked out by hand.

use kpio_wasm::*;

/// Module "lib": higher-order functions over `$unop = (func (param i32) (result i32))`.
const LIB: &str = r#"(module
  (type $unop (func (param i32) (result i32)))
  ;; Without GC a type cannot name itself: the loops find themselves through globals.
  (type $loop (func (param i64 i64) (result i64)))

  (func $inc (export "inc") (type $unop) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (export "dbl") (type $unop) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $inc $dbl $count)

  ;; f(x) through a typed reference.
  (func $apply (export "apply") (param $f (ref $unop)) (param $x i32) (result i32)
    (call_ref $unop (local.get $x) (local.get $f)))
  ;; The same, nullable: a null reference traps.
  (func (export "apply_null") (param $f (ref null $unop)) (param $x i32) (result i32)
    (call_ref $unop (local.get $x) (local.get $f)))
  ;; f(f(...f(x))) n times, each through call_ref (the threaded path for `inc`/`dbl`).
  (func (export "iterate") (param $f (ref $unop)) (param $n i32) (param $x i32) (result i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (call_ref $unop (local.get $x) (local.get $f)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $x))
  ;; Returns a reference to `inc` (0) or `dbl` (else), non-null by type.
  (func (export "pick") (param i32) (result (ref $unop))
    (select (result (ref $unop)) (ref.func $dbl) (ref.func $inc) (local.get 0)))

  ;; count(n, acc): adds 1 to acc n times, tail-calling itself through a reference.
  (global $count (ref $loop) (ref.func $count))
  (func $count (export "count") (type $loop)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_ref $loop
              (i64.sub (local.get 0) (i64.const 1))
              (i64.add (local.get 1) (i64.const 1))
              (global.get $count)))))
  (func (export "count_from") (param i64) (result i64)
    (return_call_ref $loop (local.get 0) (i64.const 0) (global.get $count)))
  ;; The same loop with a plain call_ref: every level keeps its frame.
  (global $count_call (ref $loop) (ref.func $count_call))
  (func $count_call (type $loop)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (call_ref $loop
              (i64.sub (local.get 0) (i64.const 1))
              (i64.add (local.get 1) (i64.const 1))
              (global.get $count_call)))))
  (func (export "count_call_from") (param i64) (result i64)
    (call_ref $loop (local.get 0) (i64.const 0) (global.get $count_call)))
  (func (export "tail_null") (param i64) (result i64)
    (return_call_ref $loop (local.get 0) (i64.const 0) (ref.null $loop)))

  ;; ref.as_non_null, br_on_null, br_on_non_null.
  (func (export "non_null") (param funcref) (result (ref func))
    (ref.as_non_null (local.get 0)))
  (func (export "or_minus_one") (param $f (ref null $unop)) (param $x i32) (result i32)
    (block $null
      (return (call_ref $unop (local.get $x) (br_on_null $null (local.get $f)))))
    (i32.const -1))
  (func (export "is_set") (param $f (ref null $unop)) (result i32)
    (block $set (result (ref $unop))
      (br_on_non_null $set (local.get $f))
      (return (i32.const 0)))
    (drop)
    (i32.const 1))

  ;; A table of non-null typed references, filled by its initialiser.
  (table $ops (export "ops") 2 (ref $unop) (ref.func $inc))
  (func (export "via_table") (param $i i32) (param $x i32) (result i32)
    (call_ref $unop (local.get $x) (table.get $ops (local.get $i))))
  (global (export "default_op") (ref $unop) (ref.func $dbl)))"#;

/// Module "user": imports `lib` and calls through it, both ways.
const USER: &str = r#"(module
  (type $unop (func (param i32) (result i32)))
  (import "lib" "apply" (func $apply (param (ref $unop) i32) (result i32)))
  (import "lib" "default_op" (global $op (ref $unop)))
  ;; Typed references are subtypes of funcref: an immutable import may widen.
  (import "lib" "default_op" (global $any funcref))
  (func $sq (type $unop) (i32.mul (local.get 0) (local.get 0)))
  (elem declare func $sq)
  ;; lib's apply calls back into this instance.
  (func (export "square_via_lib") (param i32) (result i32)
    (call $apply (ref.func $sq) (local.get 0)))
  ;; This instance calls lib's function through a reference from lib's global.
  (func (export "default_via_global") (param i32) (result i32)
    (call_ref $unop (local.get 0) (global.get $op))))"#;

fn module(engine: &Engine, wat: &str) -> Module {
    let bytes = wat::parse_str(wat).expect("test module parses");
    Module::new(engine, &bytes).expect("test module validates")
}

fn instantiate(config: Config) -> (Store<()>, Instance) {
    let engine = Engine::new(config);
    let lib = module(&engine, LIB);
    let mut store = Store::new(&engine, ());
    let inst = Linker::new()
        .instantiate(&mut store, &lib)
        .expect("lib instantiates");
    (store, inst)
}

fn call1(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<Val, Trap> {
    let f = inst.get_func(store, name).expect("export exists");
    let mut out = [Val::I32(0)];
    f.call(store, args, &mut out)?;
    Ok(out[0])
}

fn func(store: &Store<()>, inst: Instance, name: &str) -> Val {
    Val::FuncRef(Some(inst.get_func(store, name).expect("export exists")))
}

#[test]
fn call_ref_through_parameters_results_tables_and_globals() {
    let (mut store, lib) = instantiate(Config::default());
    let inc = func(&store, lib, "inc");
    let dbl = func(&store, lib, "dbl");
    let r = call1(&mut store, lib, "apply", &[dbl, Val::I32(21)]).unwrap();
    assert_eq!(r, Val::I32(42));
    // ((((1 + 1) ... ten times: 11; doubling 5 times from 3: 96.
    let r = call1(
        &mut store,
        lib,
        "iterate",
        &[inc, Val::I32(10), Val::I32(1)],
    )
    .unwrap();
    assert_eq!(r, Val::I32(11));
    let r = call1(&mut store, lib, "iterate", &[dbl, Val::I32(5), Val::I32(3)]).unwrap();
    assert_eq!(r, Val::I32(96));
    // A reference returned by the guest goes back in.
    let picked = call1(&mut store, lib, "pick", &[Val::I32(1)]).unwrap();
    assert_eq!(picked, dbl);
    let r = call1(&mut store, lib, "apply", &[picked, Val::I32(8)]).unwrap();
    assert_eq!(r, Val::I32(16));
    // The table's initialiser put `inc` in both entries.
    assert_eq!(
        call1(&mut store, lib, "via_table", &[Val::I32(1), Val::I32(4)]).unwrap(),
        Val::I32(5)
    );
    // br_on_null / br_on_non_null.
    let null = Val::FuncRef(None);
    assert_eq!(
        call1(&mut store, lib, "or_minus_one", &[null, Val::I32(4)]).unwrap(),
        Val::I32(-1)
    );
    assert_eq!(
        call1(&mut store, lib, "or_minus_one", &[inc, Val::I32(4)]).unwrap(),
        Val::I32(5)
    );
    assert_eq!(
        call1(&mut store, lib, "is_set", &[null]).unwrap(),
        Val::I32(0)
    );
    assert_eq!(
        call1(&mut store, lib, "is_set", &[dbl]).unwrap(),
        Val::I32(1)
    );
}

#[test]
fn call_ref_across_instances_both_ways() {
    let engine = Engine::default();
    let lib = module(&engine, LIB);
    let user = module(&engine, USER);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    let lib_inst = linker
        .instantiate(&mut store, &lib)
        .expect("lib instantiates");
    linker.instance(&store, "lib", lib_inst);
    let user_inst = linker
        .instantiate(&mut store, &user)
        .expect("user links: same types, and a typed global widens to funcref");
    // user -> lib.apply -> call_ref into user's $sq.
    let r = call1(&mut store, user_inst, "square_via_lib", &[Val::I32(9)]).unwrap();
    assert_eq!(r, Val::I32(81));
    // user -> call_ref into lib's $dbl, from lib's global.
    let r = call1(&mut store, user_inst, "default_via_global", &[Val::I32(9)]).unwrap();
    assert_eq!(r, Val::I32(18));
    // The host hands lib's apply a function of user's: declared by another module, of
    // the same type, so lib calls into user.
    let sq = user_inst
        .get_func(&store, "square_via_lib")
        .expect("export exists");
    let r = call1(
        &mut store,
        lib_inst,
        "apply",
        &[Val::FuncRef(Some(sq)), Val::I32(3)],
    )
    .unwrap();
    assert_eq!(r, Val::I32(9));
}

#[test]
fn return_call_ref_ten_million_deep_past_the_call_limit_keeps_the_stack_constant() {
    // A small limit: a loop that kept its frames would hit it within the first 1,000.
    let config = Config {
        max_call_depth: 1_000,
        max_value_stack: 64 * 1024,
        ..Config::default()
    };
    let (mut store, lib) = instantiate(config);
    let n = 10_000_000i64;
    let r = call1(&mut store, lib, "count_from", &[Val::I64(n)]).unwrap();
    assert_eq!(r, Val::I64(n));
    // The same loop with call_ref exhausts the stack: the limit is real.
    let t = call1(&mut store, lib, "count_call_from", &[Val::I64(n)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::StackExhausted));
    // Below the limit it runs.
    let r = call1(&mut store, lib, "count_call_from", &[Val::I64(500)]).unwrap();
    assert_eq!(r, Val::I64(500));
}

#[test]
fn null_references_trap_with_their_codes() {
    let (mut store, lib) = instantiate(Config::default());
    let null = Val::FuncRef(None);
    let t = call1(&mut store, lib, "apply_null", &[null, Val::I32(1)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::NullFunctionReference));
    assert_eq!(
        TrapCode::NullFunctionReference.message(),
        "null function reference"
    );
    let t = call1(&mut store, lib, "tail_null", &[Val::I64(1)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::NullFunctionReference));
    let t = call1(&mut store, lib, "non_null", &[null]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::NullReference));
    assert_eq!(TrapCode::NullReference.message(), "null reference");
    // A non-null one passes through unchanged.
    let inc = func(&store, lib, "inc");
    assert_eq!(call1(&mut store, lib, "non_null", &[inc]).unwrap(), inc);
}

#[test]
fn a_host_function_passed_as_a_typed_reference() {
    let (mut store, lib) = instantiate(Config::default());
    let unop = FuncType::new([ValType::I32], [ValType::I32]);
    let host = Func::new(&mut store, unop, |_, args, results| {
        results[0] = Val::I32(args[0].i32().unwrap() - 100);
        Ok(())
    });
    let r = call1(
        &mut store,
        lib,
        "apply",
        &[Val::FuncRef(Some(host)), Val::I32(142)],
    );
    assert_eq!(r.unwrap(), Val::I32(42));
    // Iterated: call_ref to a host function from the loop, three times.
    let r = call1(
        &mut store,
        lib,
        "iterate",
        &[Val::FuncRef(Some(host)), Val::I32(3), Val::I32(1000)],
    );
    assert_eq!(r.unwrap(), Val::I32(700));
    // A function of another type is not a `(ref $unop)`, nor is null: refused at the
    // boundary, before any guest code could call it with the wrong signature.
    let other = Func::new(
        &mut store,
        FuncType::new([ValType::I64], [ValType::I64]),
        |_, _, _| Ok(()),
    );
    let t = call1(
        &mut store,
        lib,
        "apply",
        &[Val::FuncRef(Some(other)), Val::I32(1)],
    );
    assert_eq!(t.unwrap_err().code(), Some(TrapCode::BadSignature));
    let t = call1(&mut store, lib, "apply", &[Val::FuncRef(None), Val::I32(1)]);
    assert_eq!(t.unwrap_err().code(), Some(TrapCode::BadSignature));
}

#[test]
fn typed_references_in_the_api_use_store_type_indices() {
    let (mut store, lib) = instantiate(Config::default());
    let unop = FuncType::new([ValType::I32], [ValType::I32]);
    let id = store.type_index(&unop);
    let typed = RefType::new(false, HeapType::Concrete(id));
    // The exported table and global say so.
    let ops = lib.get_table(&store, "ops").expect("table export");
    assert_eq!(ops.ty(&store).element, typed);
    let g = lib.get_global(&store, "default_op").expect("global export");
    assert_eq!(g.ty(&store).content, ValType::Ref(typed));
    // `apply`'s type names the same index.
    let apply = lib.get_func(&store, "apply").expect("export");
    assert_eq!(apply.ty(&store).params()[0], ValType::Ref(typed));
    assert_eq!(
        apply.ty(&store).to_string(),
        format!("(func (param (ref ${id}) i32) (result i32))")
    );
    // The module's own view uses its type indices.
    let (_, ty) = lib_module(&store, lib)
        .exports()
        .find(|(n, _)| *n == "apply")
        .expect("export");
    assert_eq!(ty.to_string(), "(func (param (ref $0) i32) (result i32))");

    // Tables and globals check values against the type.
    let inc = func(&store, lib, "inc");
    let wrong = Func::new(&mut store, FuncType::new([], []), |_, _, _| Ok(()));
    assert!(ops.set(&mut store, 1, Val::FuncRef(Some(wrong))).is_err());
    assert!(ops.set(&mut store, 1, Val::FuncRef(None)).is_err());
    ops.set(&mut store, 1, inc)
        .expect("a function of the element type");
    assert!(
        Table::new(
            &mut store,
            TableType::new(typed, 1, None),
            Val::FuncRef(None)
        )
        .is_err()
    );
    let t = Table::new(&mut store, TableType::new(typed, 1, None), inc).expect("non-null init");
    assert_eq!(t.get(&store, 0), Some(inc));
    let gt = GlobalType::new(ValType::Ref(typed), Mutability::Var);
    assert!(Global::new(&mut store, gt, Val::FuncRef(None)).is_err());
    let hg = Global::new(&mut store, gt, inc).expect("typed global");
    assert!(hg.set(&mut store, Val::FuncRef(Some(wrong))).is_err());
    assert!(store.matches(&inc, ValType::Ref(typed)));
    assert!(store.matches(&inc, ValType::FuncRef));
    assert!(!store.matches(&Val::FuncRef(Some(wrong)), ValType::Ref(typed)));
    // `Ref` of a nullable abstract type is spelled `FuncRef` in signatures.
    let ft = FuncType::new([ValType::Ref(RefType::FuncRef)], []);
    assert_eq!(ft.params(), [ValType::FuncRef]);
}

fn lib_module(store: &Store<()>, inst: Instance) -> Module {
    inst.module(store)
}

#[test]
fn imports_match_typed_references_by_subtyping() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let unop = FuncType::new([ValType::I32], [ValType::I32]);
    let id = store.type_index(&unop);
    let typed = ValType::Ref(RefType::new(false, HeapType::Concrete(id)));
    let host = Func::new(&mut store, unop, |_, a, r| {
        r[0] = a[0];
        Ok(())
    });
    let konst = Global::new(
        &mut store,
        GlobalType::new(typed, Mutability::Const),
        Val::FuncRef(Some(host)),
    )
    .expect("typed global");
    let var = Global::new(
        &mut store,
        GlobalType::new(typed, Mutability::Var),
        Val::FuncRef(Some(host)),
    )
    .expect("typed global");
    let import = |ty: &str| {
        module(
            &engine,
            &format!(
                r#"(module (type $t (func (param i32) (result i32))) (global (import "h" "g") {ty}))"#
            ),
        )
    };
    let link = |store: &mut Store<()>, g: Global, ty: &str| {
        let mut l = Linker::new();
        l.define("h", "g", g);
        l.instantiate(store, &import(ty)).map(|_| ())
    };
    // Immutable: a subtype is fine (non-null <: nullable, $t <: func).
    for ty in ["(ref $t)", "(ref null $t)", "(ref func)", "funcref"] {
        link(&mut store, konst, ty).unwrap_or_else(|e| panic!("{ty}: {e}"));
    }
    // Mutable: only the same type.
    link(&mut store, var, "(mut (ref $t))").expect("same type");
    for ty in ["(mut (ref null $t))", "(mut funcref)"] {
        assert!(link(&mut store, var, ty).is_err(), "{ty} must not link");
    }
    // Another type is no subtype.
    let other = module(
        &engine,
        r#"(module (type $u (func (param i64))) (global (import "h" "g") (ref $u)))"#,
    );
    let mut l = Linker::new();
    l.define("h", "g", konst);
    assert!(l.instantiate(&mut store, &other).is_err());
}

#[test]
fn gc_is_refused_as_unsupported() {
    let engine = Engine::default();
    for wat in [
        "(module (type (struct (field i32))))",
        "(module (rec (type (func)) (type (func))))",
        "(module (func (param anyref)))",
    ] {
        let bytes = wat::parse_str(wat).expect("parses");
        let e = Module::new(&engine, &bytes).expect_err("GC is refused");
        assert_eq!(e.kind(), ModuleErrorKind::Unsupported, "{wat}: {e}");
        assert!(e.message().contains("GC"), "{wat}: {e}");
    }
}

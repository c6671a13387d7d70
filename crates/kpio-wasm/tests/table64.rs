//! 64-bit tables (table64, part of memory64), end to end: every table instruction with `i64`
//! indices at 0, at the edge and at or past 2^32 (which must trap, never wrap to a small
//! index), `table.grow` refused past the type's maximum and `Config::max_table_elements`,
//! `call_indirect`/`return_call_indirect` through an `i64` index, copies between tables of
//! either index type (the length takes the smaller index type), `i64` element segment
//! offsets, import matching on the index type, and the embedder's `Table` API.

use kpio_wasm::*;

const TWO_32: i64 = 1 << 32;

/// One module with a 64-bit funcref table `$t` (4 elements, at most 10), a 32-bit one `$s`,
/// and functions exercising each instruction on them.
const WAT: &str = r#"(module
  (type $v (func (result i32)))
  (type $ii (func (param i32) (result i32)))
  (table $t (export "t") i64 4 10 funcref)
  (table $s (export "s") 3 funcref)
  (func $f1 (type $v) (i32.const 1))
  (func $f2 (type $v) (i32.const 2))
  (func $f3 (type $v) (i32.const 3))
  (func $g (type $ii) (local.get 0))
  ;; An i64 offset for the 64-bit table, an i32 one for the 32-bit table.
  (elem (table $t) (i64.const 1) func $f1 $f2)
  (elem (table $s) (i32.const 0) func $f3 $f1 $f2)
  (elem $p func $f3 $g)

  ;; What slot i of $t holds: 0 null, else the called function's result ($g traps).
  (func (export "id") (param i64) (result i32)
    (if (result i32) (ref.is_null (table.get $t (local.get 0)))
      (then (i32.const 0))
      (else (call_indirect $t (type $v) (local.get 0)))))
  (func (export "get_is_null") (param i64) (result i32)
    (ref.is_null (table.get $t (local.get 0))))
  (func (export "set_f3") (param i64) (table.set $t (local.get 0) (ref.func $f3)))
  (func (export "set_null") (param i64) (table.set $t (local.get 0) (ref.null func)))
  (func (export "size") (result i64) (table.size $t))
  (func (export "grow") (param i64) (result i64)
    (table.grow $t (ref.func $f1) (local.get 0)))
  (func (export "fill_f2") (param i64 i64) (table.fill $t (local.get 0) (ref.func $f2) (local.get 1)))
  (func (export "init") (param i64 i32 i32)
    (table.init $t $p (local.get 0) (local.get 1) (local.get 2)))
  (func (export "call") (param i64) (result i32) (call_indirect $t (type $v) (local.get 0)))
  (func (export "tail") (param i64) (result i32)
    (return_call_indirect $t (type $v) (local.get 0)))
  (func (export "copy") (param i64 i64 i64)
    (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  ;; 32-bit source into the 64-bit table: i64 destination, i32 source and length.
  (func (export "copy_from_s") (param i64 i32 i32)
    (table.copy $t $s (local.get 0) (local.get 1) (local.get 2)))
  ;; 64-bit source into the 32-bit table: i32 destination, i64 source, i32 length.
  (func (export "copy_to_s") (param i32 i64 i32)
    (table.copy $s $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "call_s") (param i32) (result i32) (call_indirect $s (type $v) (local.get 0)))
)"#;

fn setup(config: Config) -> (Store<()>, Instance) {
    let engine = Engine::new(config);
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    (store, inst)
}

/// Calls export `name`, returning its one result (or `None` for none) or its trap code.
fn call(
    store: &mut Store<()>,
    inst: Instance,
    name: &str,
    args: &[Val],
) -> Result<Option<Val>, TrapCode> {
    let f = inst.get_func(store, name).unwrap();
    let n = f.ty(store).results().len();
    let mut out = vec![Val::I32(0); n];
    match f.call(store, args, &mut out) {
        Ok(()) => Ok(out.first().copied()),
        Err(t) => Err(t.code().unwrap_or_else(|| panic!("not a trap code: {t}"))),
    }
}

fn i32_of(r: Result<Option<Val>, TrapCode>) -> Result<i32, TrapCode> {
    r.map(|v| match v {
        Some(Val::I32(x)) => x,
        other => panic!("expected an i32, got {other:?}"),
    })
}

fn i64_of(r: Result<Option<Val>, TrapCode>) -> Result<i64, TrapCode> {
    r.map(|v| match v {
        Some(Val::I64(x)) => x,
        other => panic!("expected an i64, got {other:?}"),
    })
}

const I: fn(i64) -> Val = Val::I64;
const OOB: Result<i32, TrapCode> = Err(TrapCode::TableOutOfBounds);

/// The contents of `$t` as `id` sees them (0 null, 1..3 the functions, -1 `$g`, the one of
/// another type).
fn contents(store: &mut Store<()>, inst: Instance) -> Vec<i32> {
    let n = i64_of(call(store, inst, "size", &[])).unwrap();
    (0..n)
        .map(|i| match i32_of(call(store, inst, "id", &[I(i)])) {
            Ok(x) => x,
            Err(TrapCode::IndirectCallTypeMismatch) => -1,
            Err(t) => panic!("id({i}): {t:?}"),
        })
        .collect()
}

#[test]
fn get_set_and_size_take_i64_indices_that_never_wrap() {
    let (mut s, inst) = setup(Config::default());
    assert_eq!(contents(&mut s, inst), [0, 1, 2, 0]);
    assert_eq!(i64_of(call(&mut s, inst, "size", &[])), Ok(4));
    let get = |s: &mut Store<()>, i: i64| i32_of(call(s, inst, "get_is_null", &[I(i)]));
    assert_eq!(get(&mut s, 0), Ok(1));
    assert_eq!(get(&mut s, 3), Ok(1));
    assert_eq!(get(&mut s, 4), OOB);
    // 2^32 + 1 would be the non-null slot 1 if the index were cut to 32 bits.
    for i in [TWO_32, TWO_32 + 1, TWO_32 + 3, -1, i64::MIN] {
        assert_eq!(get(&mut s, i), OOB, "index {i:#x}");
    }
    assert_eq!(call(&mut s, inst, "set_f3", &[I(3)]), Ok(None));
    assert_eq!(call(&mut s, inst, "set_null", &[I(1)]), Ok(None));
    for i in [4, TWO_32, TWO_32 + 2, -1] {
        assert_eq!(
            call(&mut s, inst, "set_f3", &[I(i)]),
            Err(TrapCode::TableOutOfBounds)
        );
    }
    assert_eq!(contents(&mut s, inst), [0, 0, 2, 3]);
}

#[test]
fn grow_returns_the_old_size_or_minus_one_as_i64() {
    let (mut s, inst) = setup(Config::default());
    let grow = |s: &mut Store<()>, d: i64| i64_of(call(s, inst, "grow", &[I(d)]));
    // Past the maximum of 10, or deltas that only fit after truncation, are refused.
    for d in [7, TWO_32, TWO_32 + 1, i64::MAX, -1] {
        assert_eq!(grow(&mut s, d), Ok(-1), "delta {d:#x}");
    }
    assert_eq!(grow(&mut s, 0), Ok(4));
    assert_eq!(grow(&mut s, 6), Ok(4));
    assert_eq!(i64_of(call(&mut s, inst, "size", &[])), Ok(10));
    assert_eq!(grow(&mut s, 1), Ok(-1));
    // The new elements hold the initial value.
    assert_eq!(contents(&mut s, inst), [0, 1, 2, 0, 1, 1, 1, 1, 1, 1]);
    assert_eq!(i32_of(call(&mut s, inst, "get_is_null", &[I(9)])), Ok(0));
    assert_eq!(i32_of(call(&mut s, inst, "get_is_null", &[I(10)])), OOB);
}

#[test]
fn config_max_table_elements_bounds_64_bit_growth() {
    // A 64-bit table whose type allows more than 2^32 elements: the engine's bound decides.
    let engine = Engine::new(Config {
        max_table_elements: 100,
        ..Config::default()
    });
    let mut store = Store::new(&engine, ());
    let wat = r#"(module
      (table $t (export "t") i64 1 0x1_0000_0005 funcref)
      (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
      (func (export "size") (result i64) (table.size $t)))"#;
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let grow = |s: &mut Store<()>, d: i64| i64_of(call(s, inst, "grow", &[I(d)]));
    assert_eq!(grow(&mut store, TWO_32), Ok(-1));
    assert_eq!(grow(&mut store, TWO_32 + 4), Ok(-1));
    assert_eq!(grow(&mut store, 100), Ok(-1));
    assert_eq!(grow(&mut store, 99), Ok(1));
    assert_eq!(i64_of(call(&mut store, inst, "size", &[])), Ok(100));
    assert_eq!(grow(&mut store, 1), Ok(-1));
    // The type keeps its 64-bit maximum; the length is the current one.
    let t = inst.get_table(&store, "t").unwrap();
    assert_eq!(
        t.ty(&store),
        TableType::new64(RefType::FuncRef, 100, Some(0x1_0000_0005))
    );

    // A minimum past the bound (past 2^32, too) fails instantiation cleanly.
    for min in ["101", "0x1_0000_0000", "0xffff_ffff_ffff_ffff"] {
        let wat = format!("(module (table i64 {min} funcref))");
        let module = Module::new(&engine, &wat::parse_str(&wat).unwrap()).unwrap();
        let e = Linker::new().instantiate(&mut store, &module).unwrap_err();
        assert!(matches!(e, InstantiateError::Trap(_)), "{e}");
    }
}

#[test]
fn fill_and_init_check_i64_ranges_whole() {
    let (mut s, inst) = setup(Config::default());
    let fill = |s: &mut Store<()>, i: i64, n: i64| call(s, inst, "fill_f2", &[I(i), I(n)]);
    assert_eq!(fill(&mut s, 0, 1), Ok(None));
    assert_eq!(fill(&mut s, 3, 1), Ok(None));
    // An empty fill at the end is fine, one past it is not.
    assert_eq!(fill(&mut s, 4, 0), Ok(None));
    for (i, n) in [
        (5, 0),
        (3, 2),
        (TWO_32, 0),
        (TWO_32 + 1, 1),
        (1, TWO_32),
        (-1, 2),
    ] {
        assert_eq!(
            fill(&mut s, i, n),
            Err(TrapCode::TableOutOfBounds),
            "{i:#x} {n:#x}"
        );
    }
    assert_eq!(contents(&mut s, inst), [2, 1, 2, 2]);

    let init = |s: &mut Store<()>, d: i64, o: i32, n: i32| {
        call(s, inst, "init", &[I(d), Val::I32(o), Val::I32(n)])
    };
    for (d, o, n) in [
        (TWO_32, 0, 1),
        (TWO_32 + 1, 0, 0),
        (3, 0, 2),
        (0, 1, 2),
        (-1, 0, 1),
    ] {
        assert_eq!(
            init(&mut s, d, o, n),
            Err(TrapCode::TableOutOfBounds),
            "{d:#x} {o} {n}"
        );
    }
    assert_eq!(init(&mut s, 4, 2, 0), Ok(None));
    assert_eq!(init(&mut s, 2, 0, 2), Ok(None));
    assert_eq!(contents(&mut s, inst), [2, 1, 3, -1]);
}

#[test]
fn call_indirect_and_return_call_indirect_take_i64_indices() {
    let (mut s, inst) = setup(Config::default());
    for name in ["call", "tail"] {
        let c = |s: &mut Store<()>, i: i64| i32_of(call(s, inst, name, &[I(i)]));
        assert_eq!(c(&mut s, 1), Ok(1));
        assert_eq!(c(&mut s, 2), Ok(2));
        assert_eq!(c(&mut s, 0), Err(TrapCode::UninitializedElement));
        assert_eq!(c(&mut s, 3), Err(TrapCode::UninitializedElement));
        // Past the end, and indices that would be 1 or 2 if cut to 32 bits.
        for i in [4, TWO_32 + 1, TWO_32 + 2, -1, i64::MAX] {
            assert_eq!(
                c(&mut s, i),
                Err(TrapCode::UndefinedElement),
                "{name} {i:#x}"
            );
        }
    }
    // A function of another type in the table: the signature check still applies.
    call(&mut s, inst, "init", &[I(3), Val::I32(1), Val::I32(1)]).unwrap();
    assert_eq!(
        i32_of(call(&mut s, inst, "call", &[I(3)])),
        Err(TrapCode::IndirectCallTypeMismatch)
    );
    assert_eq!(
        i32_of(call(&mut s, inst, "tail", &[I(3)])),
        Err(TrapCode::IndirectCallTypeMismatch)
    );
}

#[test]
fn copies_within_and_between_index_types() {
    let (mut s, inst) = setup(Config::default());
    let copy =
        |s: &mut Store<()>, d: i64, src: i64, n: i64| call(s, inst, "copy", &[I(d), I(src), I(n)]);
    // Overlapping, within the 64-bit table.
    assert_eq!(copy(&mut s, 2, 1, 2), Ok(None));
    assert_eq!(contents(&mut s, inst), [0, 1, 1, 2]);
    assert_eq!(copy(&mut s, 4, 0, 0), Ok(None));
    for (d, src, n) in [
        (5, 0, 0),
        (0, TWO_32, 1),
        (TWO_32, 0, 1),
        (0, 0, TWO_32 + 1),
        (-1, 0, 2),
    ] {
        assert_eq!(
            copy(&mut s, d, src, n),
            Err(TrapCode::TableOutOfBounds),
            "{d:#x} {src:#x} {n:#x}"
        );
    }

    // $s holds f3 f1 f2. Into the 64-bit table: i64 destination, i32 source and length.
    let from_s = |s: &mut Store<()>, d: i64, src: i32, n: i32| {
        call(s, inst, "copy_from_s", &[I(d), Val::I32(src), Val::I32(n)])
    };
    assert_eq!(from_s(&mut s, 1, 0, 3), Ok(None));
    assert_eq!(contents(&mut s, inst), [0, 3, 1, 2]);
    assert_eq!(
        from_s(&mut s, TWO_32 + 1, 0, 1),
        Err(TrapCode::TableOutOfBounds)
    );
    // The i32 source index -1 is 2^32 - 1, not 2^64 - 1; out of bounds either way.
    assert_eq!(from_s(&mut s, 0, -1, 1), Err(TrapCode::TableOutOfBounds));

    // Out of the 64-bit table into the 32-bit one: i64 source.
    let to_s = |s: &mut Store<()>, d: i32, src: i64, n: i32| {
        call(s, inst, "copy_to_s", &[Val::I32(d), I(src), Val::I32(n)])
    };
    assert_eq!(to_s(&mut s, 0, 2, 2), Ok(None));
    let cs = |s: &mut Store<()>, i: i32| i32_of(call(s, inst, "call_s", &[Val::I32(i)]));
    assert_eq!(
        (cs(&mut s, 0), cs(&mut s, 1), cs(&mut s, 2)),
        (Ok(1), Ok(2), Ok(2))
    );
    assert_eq!(
        to_s(&mut s, 0, TWO_32 + 2, 1),
        Err(TrapCode::TableOutOfBounds)
    );
    assert_eq!(to_s(&mut s, 2, 0, 2), Err(TrapCode::TableOutOfBounds));
}

#[test]
fn element_segment_offsets_are_i64_and_never_wrap() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let seg = |offset: &str| {
        format!(
            r#"(module (table $t (export "t") i64 3 funcref) (func $f)
                 (elem (table $t) ({offset}) func $f $f))"#
        )
    };
    // In bounds: at the end, and through an extended constant expression.
    for offset in [
        "i64.const 1",
        "i64.sub (i64.const 0x1_0000_0001) (i64.const 0x1_0000_0000)",
    ] {
        let module = Module::new(&engine, &wat::parse_str(seg(offset)).unwrap()).unwrap();
        let inst = Linker::new().instantiate(&mut store, &module).unwrap();
        let t = inst.get_table(&store, "t").unwrap();
        assert!(matches!(t.get(&store, 0), Some(Val::FuncRef(None))));
        assert!(matches!(t.get(&store, 2), Some(Val::FuncRef(Some(_)))));
    }
    // 2^32 + 1 would be in bounds if cut to 32 bits.
    for offset in ["i64.const 0x1_0000_0001", "i64.const 2", "i64.const -1"] {
        let module = Module::new(&engine, &wat::parse_str(seg(offset)).unwrap()).unwrap();
        let e = Linker::new().instantiate(&mut store, &module).unwrap_err();
        match e {
            InstantiateError::Trap(t) => assert_eq!(t.code(), Some(TrapCode::TableOutOfBounds)),
            e => panic!("{offset}: {e}"),
        }
    }
    // An i32 offset for a 64-bit table is invalid.
    let bad = "(module (table i64 3 funcref) (func $f) (elem (i32.const 0) func $f))";
    assert!(Module::new(&engine, &wat::parse_str(bad).unwrap()).is_err());
}

#[test]
fn imports_match_on_the_index_type() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let mut linker = Linker::new();
    linker.instance(&store, "m", inst);
    let try_import = |store: &mut Store<()>, name: &str, ty: &str| {
        let wat = format!(r#"(module (import "m" "{name}" (table {ty})))"#);
        let module = Module::new(&engine, &wat::parse_str(&wat).unwrap()).unwrap();
        linker.instantiate(store, &module).map(|_| ())
    };
    // $t is (table i64 4 10 funcref), $s (table 3 funcref).
    assert!(try_import(&mut store, "t", "i64 4 10 funcref").is_ok());
    assert!(try_import(&mut store, "t", "i64 2 funcref").is_ok());
    assert!(try_import(&mut store, "t", "i64 0 0x1_0000_0000 funcref").is_ok());
    assert!(try_import(&mut store, "s", "3 funcref").is_ok());
    for (name, ty) in [
        ("t", "4 10 funcref"),
        ("t", "4 funcref"),
        ("s", "i64 3 funcref"),
        ("s", "i64 0 funcref"),
        ("t", "i64 5 funcref"),
        ("t", "i64 4 9 funcref"),
        ("t", "i64 4 10 externref"),
    ] {
        match try_import(&mut store, name, ty) {
            Err(InstantiateError::Link(e)) => {
                assert!(e.to_string().contains("incompatible import type"), "{e}")
            }
            other => panic!("{name} as (table {ty}): {other:?}"),
        }
    }
    // The error names the index type.
    let e = try_import(&mut store, "s", "i64 3 funcref").unwrap_err();
    assert!(e.to_string().contains("(table i64 3 funcref)"), "{e}");
}

#[test]
fn the_embedder_api_works_on_64_bit_tables() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = TableType::new64(RefType::FuncRef, 2, Some(0x1_0000_0000));
    assert!(ty.is_64() && !TableType::new(RefType::FuncRef, 2, None).is_64());
    assert_eq!(ty.to_string(), "(table i64 2 4294967296 funcref)");
    let t = Table::new(&mut store, ty, Val::FuncRef(None)).unwrap();
    assert!(t.is_64(&store));
    assert_eq!(t.ty(&store), ty);
    assert_eq!(t.size(&store), 2);
    assert_eq!(t.grow(&mut store, 3, Val::FuncRef(None)).unwrap(), 2);
    assert_eq!(t.size(&store), 5);
    assert_eq!(t.ty(&store).min, 5);

    // A module imports it as a 64-bit table, fills it and calls through it.
    let wat = r#"(module
      (import "host" "t" (table $t i64 5 funcref))
      (func $seven (result i32) (i32.const 7))
      (elem (table $t) (i64.const 4) func $seven)
      (func (export "call") (param i64) (result i32) (call_indirect $t (result i32) (local.get 0)))
      (func (export "size") (result i64) (table.size $t)))"#;
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut linker = Linker::new();
    linker.define("host", "t", t);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    assert_eq!(i32_of(call(&mut store, inst, "call", &[I(4)])), Ok(7));
    assert!(matches!(t.get(&store, 4), Some(Val::FuncRef(Some(_)))));
    assert!(t.get(&store, 5).is_none());
    let seven = t.get(&store, 4).unwrap();
    t.set(&mut store, 0, seven).unwrap();
    assert_eq!(i32_of(call(&mut store, inst, "call", &[I(0)])), Ok(7));
    assert!(t.set(&mut store, 5, Val::FuncRef(None)).is_err());
    t.grow(&mut store, 1, seven).unwrap();
    assert_eq!(i64_of(call(&mut store, inst, "size", &[])), Ok(6));
    assert_eq!(i32_of(call(&mut store, inst, "call", &[I(5)])), Ok(7));

    // A 32-bit host table does not satisfy the 64-bit import.
    let t32 = Table::new(
        &mut store,
        TableType::new(RefType::FuncRef, 5, None),
        Val::FuncRef(None),
    )
    .unwrap();
    let mut linker = Linker::new();
    linker.define("host", "t", t32);
    assert!(matches!(
        linker.instantiate(&mut store, &module),
        Err(InstantiateError::Link(_))
    ));
}

/// The `i32` operands of the table64 instructions (a mixed copy's 32-bit side and length,
/// `table.init`'s segment offset and length) are read from the low half of their slots:
/// `i32.wrap_i64` leaves the high half as it was, so reading the whole slot would see
/// 2^32 + 1 where the program has 1.
#[test]
fn i32_operands_of_table64_instructions_ignore_the_high_half() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let wat = r#"(module
      (type $v (func (result i32)))
      (table $t i64 4 funcref)
      (table $s 4 funcref)
      (func $f7 (type $v) (i32.const 7))
      (elem (table $s) (i32.const 0) func $f7 $f7)
      (elem $p func $f7 $f7)
      (func $one (result i32) (i32.wrap_i64 (i64.const 0x1_0000_0001)))
      (func (export "from_s") (result i32)
        (table.copy $t $s (i64.const 0) (call $one) (call $one))
        (call_indirect $t (type $v) (i64.const 0)))
      (func (export "to_s") (result i32)
        (table.copy $s $t (call $one) (i64.const 0) (call $one))
        (call_indirect $s (type $v) (i32.const 1)))
      (func (export "init") (result i32)
        (table.init $t $p (i64.const 3) (call $one) (call $one))
        (call_indirect $t (type $v) (i64.const 3))))"#;
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    for name in ["from_s", "to_s", "init"] {
        assert_eq!(i32_of(call(&mut store, inst, name, &[])), Ok(7), "{name}");
    }
}

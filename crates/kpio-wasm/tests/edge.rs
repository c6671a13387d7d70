//! Edge cases the spec testsuite covers thinly: float corner values, trapping conversions,
//! indirect-call type checks, memory growth at the limit, deep recursion, resource limits,
//! big modules, host functions, and the typed errors for bad modules and imports.

use kpio_wasm::*;

fn setup(wat: &str) -> (Store<()>, Instance) {
    setup_with(Config::default(), wat)
}

fn setup_with(config: Config, wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::new(config);
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(&engine, &bytes).expect("test module validates");
    let mut store = Store::new(&engine, ());
    let inst = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, inst)
}

fn call(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, Trap> {
    let f = inst.get_func(store, name).expect("export exists");
    let n = f.ty(store).results().len();
    let mut out = vec![Val::I32(0); n];
    // Fill with the right types so `call` accepts the slice.
    for (o, t) in out.iter_mut().zip(f.ty(store).results()) {
        *o = Val::default_for(*t);
    }
    f.call(store, args, &mut out)?;
    Ok(out)
}

fn f32_bits(v: &Val) -> u32 {
    match v {
        Val::F32(f) => f.to_bits(),
        other => panic!("expected f32, got {other:?}"),
    }
}

fn f64_bits(v: &Val) -> u64 {
    match v {
        Val::F64(f) => f.to_bits(),
        other => panic!("expected f64, got {other:?}"),
    }
}

#[test]
fn float_nan_negative_zero_and_rounding() {
    let (mut s, i) = setup(
        r#"(module
          (func (export "min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
          (func (export "max") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
          (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
          (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
          (func (export "copysign") (param f64 f64) (result f64) (f64.copysign (local.get 0) (local.get 1)))
          (func (export "div") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1))))"#,
    );
    // min(-0, +0) is -0; max(-0, +0) is +0 (IEEE min/max would be either).
    let r = call(&mut s, i, "min", &[Val::from(0.0f32), Val::from(-0.0f32)]).unwrap();
    assert_eq!(f32_bits(&r[0]), 0x8000_0000);
    let r = call(&mut s, i, "max", &[Val::from(-0.0f64), Val::from(0.0f64)]).unwrap();
    assert_eq!(f64_bits(&r[0]), 0);
    // NaN propagates through min/max (Rust's f32::min would return the other operand).
    let r = call(&mut s, i, "min", &[Val::from(f32::NAN), Val::from(1.0f32)]).unwrap();
    assert!(f32::from_bits(f32_bits(&r[0])).is_nan());
    // Round half to even.
    for (x, want) in [
        (2.5, 2.0),
        (3.5, 4.0),
        (-2.5, -2.0),
        (-0.5, -0.0),
        (0.49999999999999994, 0.0),
    ] {
        let r = call(&mut s, i, "nearest", &[Val::from(x)]).unwrap();
        assert_eq!(f64_bits(&r[0]), f64::to_bits(want), "nearest({x})");
    }
    // neg and copysign are bit operations: they keep NaN payloads.
    let r = call(&mut s, i, "neg", &[Val::F32(F32::from_bits(0x7fa0_0001))]).unwrap();
    assert_eq!(f32_bits(&r[0]), 0xffa0_0001);
    let r = call(
        &mut s,
        i,
        "copysign",
        &[Val::from(1.5f64), Val::from(-0.0f64)],
    )
    .unwrap();
    assert_eq!(f64_bits(&r[0]), (-1.5f64).to_bits());
    // 0/0 is a NaN; 1/-0 is -inf.
    let r = call(&mut s, i, "div", &[Val::from(0.0f32), Val::from(0.0f32)]).unwrap();
    assert!(f32::from_bits(f32_bits(&r[0])).is_nan());
    let r = call(&mut s, i, "div", &[Val::from(1.0f32), Val::from(-0.0f32)]).unwrap();
    assert_eq!(f32_bits(&r[0]), f32::NEG_INFINITY.to_bits());
}

#[test]
fn truncation_traps_and_saturation() {
    let (mut s, i) = setup(
        r#"(module
          (func (export "t32") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
          (func (export "tu64") (param f32) (result i64) (i64.trunc_f32_u (local.get 0)))
          (func (export "sat") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0))))"#,
    );
    let t = call(&mut s, i, "t32", &[Val::from(f64::NAN)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::InvalidConversionToInteger));
    let t = call(&mut s, i, "t32", &[Val::from(2147483648.0f64)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::IntegerOverflow));
    // Just inside the range truncates toward zero.
    let r = call(&mut s, i, "t32", &[Val::from(-2147483648.9f64)]).unwrap();
    assert_eq!(r[0], Val::I32(i32::MIN));
    let t = call(&mut s, i, "tu64", &[Val::from(-1.0f32)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::IntegerOverflow));
    let r = call(&mut s, i, "tu64", &[Val::from(-0.9f32)]).unwrap();
    assert_eq!(r[0], Val::I64(0));
    let r = call(&mut s, i, "sat", &[Val::from(1e300f64)]).unwrap();
    assert_eq!(r[0], Val::I32(i32::MAX));
    let r = call(&mut s, i, "sat", &[Val::from(f64::NAN)]).unwrap();
    assert_eq!(r[0], Val::I32(0));
}

#[test]
fn integer_division_traps() {
    let (mut s, i) = setup(
        r#"(module
          (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func (export "rem") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1))))"#,
    );
    let t = call(&mut s, i, "div", &[Val::I32(1), Val::I32(0)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::IntegerDivideByZero));
    let t = call(&mut s, i, "div", &[Val::I32(i32::MIN), Val::I32(-1)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::IntegerOverflow));
    // rem_s of MIN by -1 is 0, not a trap.
    let r = call(&mut s, i, "rem", &[Val::I64(i64::MIN), Val::I64(-1)]).unwrap();
    assert_eq!(r[0], Val::I64(0));
}

#[test]
fn call_indirect_checks_type_bounds_and_null() {
    let (mut s, i) = setup(
        r#"(module
          (type $i2i (func (param i32) (result i32)))
          (type $v2i (func (result i32)))
          (table 3 funcref)
          (elem (i32.const 0) $inc $seven)
          (func $inc (type $i2i) (i32.add (local.get 0) (i32.const 1)))
          (func $seven (type $v2i) (i32.const 7))
          (func (export "call") (param i32 i32) (result i32)
            (call_indirect (type $i2i) (local.get 1) (local.get 0))))"#,
    );
    assert_eq!(
        call(&mut s, i, "call", &[Val::I32(0), Val::I32(41)]).unwrap()[0],
        Val::I32(42)
    );
    let t = call(&mut s, i, "call", &[Val::I32(1), Val::I32(0)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::IndirectCallTypeMismatch));
    let t = call(&mut s, i, "call", &[Val::I32(2), Val::I32(0)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::UninitializedElement));
    let t = call(&mut s, i, "call", &[Val::I32(3), Val::I32(0)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::UndefinedElement));
}

#[test]
fn memory_grow_at_the_limit() {
    let wat = r#"(module (memory (export "m") 1 4)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"#;
    let (mut s, i) = setup(wat);
    assert_eq!(
        call(&mut s, i, "grow", &[Val::I32(3)]).unwrap()[0],
        Val::I32(1)
    );
    // At the declared max: growing fails with -1 and leaves memory usable.
    assert_eq!(
        call(&mut s, i, "grow", &[Val::I32(1)]).unwrap()[0],
        Val::I32(-1)
    );
    assert_eq!(
        call(&mut s, i, "grow", &[Val::I32(0)]).unwrap()[0],
        Val::I32(4)
    );
    let last = 4 * 65536 - 4;
    assert_eq!(
        call(&mut s, i, "load", &[Val::I32(last)]).unwrap()[0],
        Val::I32(0)
    );
    let t = call(&mut s, i, "load", &[Val::I32(last + 1)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::MemoryOutOfBounds));

    // The engine's own page limit caps memories without a declared max.
    let config = Config {
        max_memory_pages: 2,
        ..Config::default()
    };
    let (mut s, i) = setup_with(
        config,
        r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    assert_eq!(
        call(&mut s, i, "grow", &[Val::I32(1)]).unwrap()[0],
        Val::I32(1)
    );
    assert_eq!(
        call(&mut s, i, "grow", &[Val::I32(1)]).unwrap()[0],
        Val::I32(-1)
    );
}

const RECURSE: &str = r#"(module
  (func $down (export "down") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (i64.const 1) (call $down (i64.sub (local.get 0) (i64.const 1))))))))"#;

#[test]
fn deep_recursion_100k_then_exhaustion_is_a_trap() {
    let (mut s, i) = setup(RECURSE);
    let r = call(&mut s, i, "down", &[Val::I64(100_000)]).unwrap();
    assert_eq!(r[0], Val::I64(100_000));
    // Unbounded recursion ends in a trap, not a host stack overflow.
    let t = call(&mut s, i, "down", &[Val::I64(i64::MAX)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::StackExhausted));
    assert!(!t.backtrace().is_empty());
    // The store is still usable afterwards.
    assert_eq!(
        call(&mut s, i, "down", &[Val::I64(10)]).unwrap()[0],
        Val::I64(10)
    );

    let config = Config {
        max_call_depth: 1000,
        ..Config::default()
    };
    let (mut s, i) = setup_with(config, RECURSE);
    assert_eq!(
        call(&mut s, i, "down", &[Val::I64(900)]).unwrap()[0],
        Val::I64(900)
    );
    let t = call(&mut s, i, "down", &[Val::I64(1100)]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::StackExhausted));
}

#[test]
fn fuel_stops_a_runaway_loop() {
    let config = Config {
        consume_fuel: true,
        ..Config::default()
    };
    let (mut s, i) = setup_with(config, r#"(module (func (export "spin") (loop (br 0))))"#);
    s.set_fuel(1_000_000);
    let t = call(&mut s, i, "spin", &[]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::OutOfFuel));
    // A block that needs more than what is left traps without running; the rest remains.
    assert!(s.fuel() < 8, "fuel left: {}", s.fuel());
}

/// A module of at least 10 MB: 2,000 functions, each a long run of arithmetic.
fn big_module() -> Vec<u8> {
    let mut w = String::from("(module\n");
    let body = "(local.set 0 (i32.add (i32.mul (local.get 0) (i32.const 31)) (i32.const 7)))\n"
        .repeat(1100);
    for f in 0..2000 {
        w.push_str(&format!(
            "(func (export \"f{f}\") (param i32) (result i32)\n{body} local.get 0)\n"
        ));
    }
    w.push(')');
    wat::parse_str(&w).unwrap()
}

#[test]
fn ten_megabyte_module_validates_instantiates_and_runs() {
    let bytes = big_module();
    assert!(
        bytes.len() >= 10 * 1024 * 1024,
        "module is {} bytes",
        bytes.len()
    );
    let engine = Engine::default();
    let module = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let mut x: i32 = 5;
    for _ in 0..1100 {
        x = x.wrapping_mul(31).wrapping_add(7);
    }
    let r = call(&mut store, inst, "f1999", &[Val::I32(5)]).unwrap();
    assert_eq!(r[0], Val::I32(x));
}

#[test]
fn bad_modules_get_typed_errors_with_offsets() {
    let engine = Engine::default();
    let e = Module::new(&engine, b"\0asm\x01\0\0\0\x01").unwrap_err();
    assert_eq!(e.kind(), ModuleErrorKind::Malformed);
    let e = Module::new(&engine, b"not wasm at all").unwrap_err();
    assert_eq!(e.kind(), ModuleErrorKind::Malformed);
    assert_eq!(e.offset(), 0);

    let bad = wat::parse_str("(module (func (result i32) (i64.const 1)))").unwrap();
    let e = Module::new(&engine, &bad).unwrap_err();
    assert_eq!(e.kind(), ModuleErrorKind::Invalid);
    assert!(e.offset() > 8, "offset points into the code: {e}");
    assert!(e.to_string().contains("type mismatch"), "{e}");

    // Fixed-width SIMD is part of the 2.0 set the engine runs.
    let simd = wat::parse_str(
        "(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))",
    )
    .unwrap();
    Module::new(&engine, &simd).unwrap();

    // Relaxed SIMD is run too (`tests/relaxed_simd.rs`).
    let relaxed = wat::parse_str(
        "(module (func (result v128) \
           (i32x4.relaxed_trunc_f32x4_s (v128.const f32x4 1 2 3 4))))",
    )
    .unwrap();
    Module::new(&engine, &relaxed).unwrap();

    // So is any other proposal outside the set, e.g. GC.
    let gc = wat::parse_str("(module (type (struct)))").unwrap();
    let e = Module::new(&engine, &gc).unwrap_err();
    assert_eq!(e.kind(), ModuleErrorKind::Unsupported, "{e}");
    assert!(e.to_string().contains("gc"), "{e}");

    // Tail calls are run (`tests/tail_calls.rs`).
    let tail = wat::parse_str("(module (func $f (return_call $f)))").unwrap();
    Module::new(&engine, &tail).unwrap();
}

#[test]
fn unlinkable_imports_name_the_import_and_both_types() {
    let engine = Engine::default();
    let bytes = wat::parse_str(r#"(module (import "env" "f" (func (param i32))))"#).unwrap();
    let module = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    let e = linker.instantiate(&mut store, &module).unwrap_err();
    let InstantiateError::Link(l) = &e else {
        panic!("expected a link error, got {e}")
    };
    assert_eq!((l.module.as_str(), l.name.as_str()), ("env", "f"));
    assert!(e.to_string().contains("env.f"), "{e}");

    let wrong = Func::new(&mut store, FuncType::new([ValType::I64], []), |_, _, _| {
        Ok(())
    });
    linker.define("env", "f", wrong);
    let e = linker.instantiate(&mut store, &module).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("env.f")
            && msg.contains("(func (param i32))")
            && msg.contains("(func (param i64))"),
        "{msg}"
    );
}

#[test]
fn host_functions_read_memory_trap_and_exit() {
    let engine = Engine::default();
    let bytes = wat::parse_str(
        r#"(module
          (import "host" "sum" (func $sum (param i32 i32) (result i32)))
          (import "host" "exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "\01\02\03\04")
          (func (export "sum") (result i32) (call $sum (i32.const 16) (i32.const 4)))
          (func (export "quit") (call $exit (i32.const 3)) unreachable))"#,
    )
    .unwrap();
    let module = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, 0u32);
    let mut linker = Linker::new();
    let sum = Func::new(
        &mut store,
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        |mut caller: Caller<'_, u32>, args, results| {
            let (ptr, len) = (
                args[0].i32().unwrap() as usize,
                args[1].i32().unwrap() as usize,
            );
            let (mem, calls) = caller.memory_and_data().ok_or(Trap::host("no memory"))?;
            let bytes = mem
                .get(ptr..ptr + len)
                .ok_or(Trap::new(TrapCode::MemoryOutOfBounds))?;
            results[0] = Val::I32(bytes.iter().map(|b| *b as i32).sum());
            *calls += 1;
            Ok(())
        },
    );
    let exit = Func::new(
        &mut store,
        FuncType::new([ValType::I32], []),
        |_, args, _| Err(Trap::exit(args[0].i32().unwrap())),
    );
    linker
        .define("host", "sum", sum)
        .define("host", "exit", exit);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let f = inst.get_func(&store, "sum").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(10));
    assert_eq!(*store.data(), 1);
    let quit = inst.get_func(&store, "quit").unwrap();
    let t = quit.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(t.exit_code(), Some(3));
    // Wrong argument types are refused, not misread.
    let t = f.call(&mut store, &[Val::I64(1)], &mut out).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::BadSignature));
}

#[test]
fn trap_backtrace_names_functions_from_the_name_section() {
    let (mut s, i) = setup(
        r#"(module
          (func $inner (unreachable))
          (func $outer (export "go") (call $inner)))"#,
    );
    let t = call(&mut s, i, "go", &[]).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::Unreachable));
    let names: Vec<_> = t
        .backtrace()
        .iter()
        .map(|f| f.func_name.clone().unwrap())
        .collect();
    assert_eq!(names, ["inner", "outer"]);
    assert!(t.backtrace()[0].module_offset.is_some());
    assert!(t.to_string().contains("inner"), "{t}");
}

#[test]
fn multi_value_blocks_params_and_returns() {
    let (mut s, i) = setup(
        r#"(module
          (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
          (func (export "swap") (param i32 i32) (result i32 i32) (call $swap (local.get 0) (local.get 1)))
          (func (export "ifp") (param i32) (result i32)
            (i32.const 10) (i32.const 3)
            (if (param i32 i32) (result i32) (local.get 0)
              (then (i32.sub))
              (else (i32.add))))
          (func (export "sel") (param i32) (result i64)
            (select (i64.const 1) (i64.const 2) (local.get 0))))"#,
    );
    assert_eq!(
        call(&mut s, i, "swap", &[Val::I32(1), Val::I32(2)]).unwrap(),
        [Val::I32(2), Val::I32(1)]
    );
    assert_eq!(
        call(&mut s, i, "ifp", &[Val::I32(1)]).unwrap(),
        [Val::I32(7)]
    );
    assert_eq!(
        call(&mut s, i, "ifp", &[Val::I32(0)]).unwrap(),
        [Val::I32(13)]
    );
    assert_eq!(
        call(&mut s, i, "sel", &[Val::I32(0)]).unwrap(),
        [Val::I64(2)]
    );
}

#[test]
fn host_functions_can_call_back_into_wasm_between_wasm_calls() {
    // sum(n) = n + host(n - 1), where the host function calls sum again: wasm and host
    // frames interleave 200 deep, each level with its own executor on the same stacks.
    // Each level also uses host stack, so the depth of such re-entry is limited too.
    let engine = Engine::new(Config {
        max_host_reentry: 250,
        ..Config::default()
    });
    let bytes = wat::parse_str(
        r#"(module
          (import "host" "again" (func $again (param i32) (result i32)))
          (memory 1)
          (func $leaf (param i32) (result i32) (i32.mul (local.get 0) (i32.const 1)))
          (func (export "sum") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.const 0))
              (else (i32.add (call $leaf (local.get 0))
                             (call $again (i32.sub (local.get 0) (i32.const 1))))))))"#,
    )
    .unwrap();
    let module = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, None::<Func>);
    let again = Func::new(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        |mut caller: Caller<'_, Option<Func>>, args, results| {
            let sum = caller.data().expect("sum is set");
            let mut out = [Val::I32(0)];
            sum.call(caller.store_mut(), args, &mut out)?;
            results[0] = out[0];
            Ok(())
        },
    );
    let mut linker = Linker::new();
    linker.define("host", "again", again);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let sum = inst.get_func(&store, "sum").unwrap();
    *store.data_mut() = Some(sum);
    let mut out = [Val::I32(0)];
    sum.call(&mut store, &[Val::I32(200)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(200 * 201 / 2));
    // And a trap deep inside unwinds every level cleanly; the store stays usable.
    let t = sum.call(&mut store, &[Val::I32(-1)], &mut out).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::StackExhausted), "{t}");
    sum.call(&mut store, &[Val::I32(10)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(55));
}

#[test]
fn a_frame_survives_its_value_stack_moving_during_a_host_call() {
    // `outer` calls the host, which runs a 20,000-deep recursion: the value stack grows
    // and its buffer moves. `outer` then reads its local and returns: both must go to the
    // new buffer (they once went to the freed old one, and the result was lost).
    for tier in [Tier::Interp, Tier::Auto] {
        let engine = Engine::new(Config {
            tier,
            ..Config::default()
        });
        let bytes = wat::parse_str(
            r#"(module
              (import "host" "deep" (func $deep))
              (func $down (export "down") (param i64) (result i64)
                (if (result i64) (i64.eqz (local.get 0))
                  (then (i64.const 0))
                  (else (i64.add (i64.const 1)
                                 (call $down (i64.sub (local.get 0) (i64.const 1)))))))
              (func (export "outer") (param i32) (result i32)
                (call $deep)
                (i32.add (local.get 0) (i32.const 1))))"#,
        )
        .unwrap();
        let module = Module::new(&engine, &bytes).unwrap();
        let mut store = Store::new(&engine, None::<Func>);
        let deep = Func::new(
            &mut store,
            FuncType::new([], []),
            |mut caller: Caller<'_, Option<Func>>, _, _| {
                let down = caller.data().expect("down is set");
                let mut out = [Val::I64(0)];
                down.call(caller.store_mut(), &[Val::I64(20_000)], &mut out)?;
                assert_eq!(out[0], Val::I64(20_000));
                Ok(())
            },
        );
        let mut linker = Linker::new();
        linker.define("host", "deep", deep);
        let inst = linker.instantiate(&mut store, &module).unwrap();
        *store.data_mut() = Some(inst.get_func(&store, "down").unwrap());
        let outer = inst.get_func(&store, "outer").unwrap();
        for n in [41, 7] {
            let mut out = [Val::I32(0)];
            outer.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
            assert_eq!(out[0], Val::I32(n + 1), "{tier:?}");
        }
    }
}

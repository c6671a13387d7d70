//! Compiled code belongs to the module: every instance, in any store and on any thread,
//! runs the same translated functions, translated once; entities are resolved through the
//! running instance, so instances still see their own globals, memories, tables, imports and
//! function references.

use kpio_wasm::*;
use std::sync::Barrier;

/// A module that touches every kind of entity the code names: an imported global and
/// function (different per instance), a memory with a data segment, a mutable global, a
/// table filled by an element segment, direct and indirect calls, and `ref.func`.
const WAT: &str = r#"(module
  (import "env" "base" (global $base i32))
  (import "env" "tick" (func $tick (param i32) (result i32)))
  (type $un (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  (table 2 funcref)
  (elem (i32.const 0) $double $triple)
  (data (i32.const 16) "\05\00\00\00")
  (func $double (type $un) (i32.mul (local.get 0) (i32.const 2)))
  (func $triple (type $un) (i32.mul (local.get 0) (i32.const 3)))
  ;; sum over i < n of double(i) + table[i % 2](i), plus base, mem[16] and tick(n).
  (func (export "work") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $double (local.get $i))))
        (local.set $acc
          (i32.add (local.get $acc)
            (call_indirect (type $un) (local.get $i) (i32.rem_u (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add (local.get $acc) (global.get $base))
    (i32.add (i32.load (i32.const 16)))
    (i32.add (call $tick (local.get $n))))
  (func (export "count") (result i32) (global.get $count))
  (func (export "set_mem") (param i32) (i32.store (i32.const 16) (local.get 0)))
  (func (export "double_ref") (result funcref) (ref.func $double))
  (func (export "double") (param i32) (result i32) (call $double (local.get 0))))"#;

/// What `work(n)` returns for an instance with import `base`, memory word `mem` and a
/// `tick` that adds `tick_add`.
fn expected(n: i32, base: i32, mem: i32, tick_add: i32) -> i32 {
    let sum: i32 = (0..n)
        .map(|i| 2 * i + if i % 2 == 0 { 2 * i } else { 3 * i })
        .sum();
    sum + base + mem + n + tick_add
}

fn instantiate(store: &mut Store<()>, module: &Module, base: i32, tick_add: i32) -> Instance {
    let global = Global::new(
        store,
        GlobalType {
            content: ValType::I32,
            mutability: Mutability::Const,
        },
        Val::I32(base),
    )
    .unwrap();
    let tick = Func::new(
        store,
        FuncType::new([ValType::I32], [ValType::I32]),
        move |_, args, out| {
            let Val::I32(n) = args[0] else { unreachable!() };
            out[0] = Val::I32(n + tick_add);
            Ok(())
        },
    );
    let mut linker = Linker::new();
    linker.define("env", "base", global);
    linker.define("env", "tick", tick);
    linker.instantiate(store, module).expect("instantiates")
}

fn call_i32(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> i32 {
    let f = inst.get_func(store, name).expect("export exists");
    let mut out = [Val::I32(0)];
    f.call(store, args, &mut out).expect("runs");
    match out[0] {
        Val::I32(v) => v,
        ref other => panic!("expected i32, got {other:?}"),
    }
}

fn call0(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) {
    let f = inst.get_func(store, name).expect("export exists");
    f.call(store, args, &mut []).expect("runs");
}

#[test]
fn engine_module_and_store_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Engine>();
    send_sync::<Module>();
    send::<Store<()>>();
}

#[test]
fn a_second_instance_translates_nothing() {
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    assert_eq!(module.translated_functions(), 0, "translation is lazy");

    let mut store = Store::new(&engine, ());
    let a = instantiate(&mut store, &module, 100, 1);
    assert_eq!(
        call_i32(&mut store, a, "work", &[Val::I32(10)]),
        expected(10, 100, 5, 1)
    );
    // work, double, triple.
    let after_first = module.translated_functions();
    assert_eq!(after_first, 3);

    // A second instance in the same store and a third in another store run the same code,
    // each with its own global, memory, table and import.
    let b = instantiate(&mut store, &module, 200, 2);
    call0(&mut store, b, "set_mem", &[Val::I32(7)]);
    let mut other = Store::new(&engine, ());
    let c = instantiate(&mut other, &module, 300, 3);
    let translated_for_set_mem = module.translated_functions();
    assert_eq!(
        translated_for_set_mem,
        after_first + 1,
        "only set_mem was new"
    );
    for _ in 0..3 {
        assert_eq!(
            call_i32(&mut store, b, "work", &[Val::I32(10)]),
            expected(10, 200, 7, 2)
        );
        assert_eq!(
            call_i32(&mut other, c, "work", &[Val::I32(9)]),
            expected(9, 300, 5, 3)
        );
    }
    assert_eq!(
        module.translated_functions(),
        translated_for_set_mem,
        "instances after the first translated nothing"
    );
    assert_eq!(call_i32(&mut store, a, "count", &[]), 1);
    assert_eq!(call_i32(&mut store, b, "count", &[]), 3);
    assert_eq!(call_i32(&mut other, c, "count", &[]), 3);
}

#[test]
fn ref_func_names_the_running_instances_function() {
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let a = instantiate(&mut store, &module, 0, 0);
    let b = instantiate(&mut store, &module, 0, 0);
    for inst in [a, b] {
        let f = inst.get_func(&store, "double_ref").unwrap();
        let mut out = [Val::FuncRef(None)];
        f.call(&mut store, &[], &mut out).unwrap();
        let Val::FuncRef(Some(r)) = out[0] else {
            panic!("expected a function reference, got {:?}", out[0])
        };
        // `double` is exported through a wrapper; the reference is the instance's own
        // `$double`, which gives the same answers and differs between instances.
        let mut res = [Val::I32(0)];
        r.call(&mut store, &[Val::I32(21)], &mut res).unwrap();
        assert_eq!(res[0], Val::I32(42));
    }
    let ref_of = |store: &mut Store<()>, inst: Instance| {
        let f = inst.get_func(store, "double_ref").unwrap();
        let mut out = [Val::FuncRef(None)];
        f.call(store, &[], &mut out).unwrap();
        out[0]
    };
    assert_ne!(ref_of(&mut store, a), ref_of(&mut store, b));
}

/// Instance `b` imports instance `a`'s function of the same module: calls and returns cross
/// instances, and each side must keep using its own memory.
#[test]
fn calls_between_instances_of_one_module_keep_their_memories() {
    let wat = r#"(module
      (import "env" "f" (func $f (param i32) (result i32)))
      (memory 1)
      (data (i32.const 0) "\00")
      (func $g (export "g") (param i32) (result i32)
        ;; store the argument, call the import, then read the stored word back.
        (i32.store (i32.const 0) (local.get 0))
        (i32.add (call $f (i32.add (local.get 0) (i32.const 1)))
                 (i32.mul (i32.load (i32.const 0)) (i32.const 1000)))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let leaf = Func::new(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        |_, args, out| {
            out[0] = args[0];
            Ok(())
        },
    );
    let a = Linker::new()
        .define("env", "f", leaf)
        .instantiate(&mut store, &module)
        .unwrap();
    let a_g = a.get_func(&store, "g").unwrap();
    let b = Linker::new()
        .define("env", "f", a_g)
        .instantiate(&mut store, &module)
        .unwrap();
    // b.g(1): b.mem[0] = 1; a.g(2): a.mem[0] = 2, leaf(3) = 3 -> 3 + 2000; back in b:
    // 2003 + 1 * 1000.
    for _ in 0..3 {
        assert_eq!(call_i32(&mut store, b, "g", &[Val::I32(1)]), 3003);
    }
    assert_eq!(module.translated_functions(), 1);
}

#[test]
fn one_module_runs_on_four_threads_at_once() {
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let barrier = Barrier::new(4);
    let results: Vec<(i32, i32)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (module, engine, barrier) = (&module, &engine, &barrier);
                s.spawn(move || {
                    let mut store = Store::new(engine, ());
                    let inst = instantiate(&mut store, module, 1000 * t, t);
                    // All threads make their first calls together, so translations race.
                    barrier.wait();
                    let n = 2000 + t;
                    let mut last = 0;
                    for _ in 0..50 {
                        last = call_i32(&mut store, inst, "work", &[Val::I32(n)]);
                    }
                    (last, call_i32(&mut store, inst, "count", &[]))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (t, (work, count)) in results.into_iter().enumerate() {
        let t = t as i32;
        assert_eq!(work, expected(2000 + t, 1000 * t, 5, t), "thread {t}");
        assert_eq!(count, 50, "thread {t}");
    }
    // Each function counted once, however many threads translated it at the same time.
    assert_eq!(module.translated_functions(), 4);
}

#[test]
fn translation_options_get_their_own_code() {
    let bytes = wat::parse_str(WAT).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, ());
    let a = instantiate(&mut store, &module, 0, 0);
    assert_eq!(call_i32(&mut store, a, "double", &[Val::I32(1)]), 2);
    assert_eq!(module.translated_functions(), 2);

    // A store whose engine meters fuel needs code that charges it: the same module gets a
    // second translation, which then runs out of fuel as it should.
    let fuel = Engine::new(Config {
        consume_fuel: true,
        ..Config::default()
    });
    let mut metered = Store::new(&fuel, ());
    metered.set_fuel(1_000);
    let b = instantiate(&mut metered, &module, 0, 0);
    let work = b.get_func(&metered, "work").unwrap();
    let mut out = [Val::I32(0)];
    let err = work
        .call(&mut metered, &[Val::I32(1_000_000)], &mut out)
        .unwrap_err();
    assert_eq!(err.code(), Some(TrapCode::OutOfFuel));
    assert!(module.translated_functions() > 2);
}

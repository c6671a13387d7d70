//! Interrupting runaway guests from another thread (`Config::interruptible`,
//! `Store::interrupt_handle`), and fuel stopping them.

use kpio_wasm::*;
use std::sync::mpsc;
use std::thread;

fn interruptible() -> Engine {
    Engine::new(Config {
        interruptible: true,
        ..Config::default()
    })
}

/// Instantiates `wat` with `host.started`, which reports on `tx` each time the guest calls it.
fn setup(engine: &Engine, wat: &str, tx: mpsc::Sender<()>) -> (Store<()>, Instance) {
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(engine, &bytes).expect("test module validates");
    let mut store = Store::new(engine, ());
    let tx = std::sync::Mutex::new(tx);
    let started = Func::new(&mut store, FuncType::new([], []), move |_, _, _| {
        let _ = tx.lock().unwrap().send(());
        Ok(())
    });
    let inst = Instance::new(&mut store, &module, &[Extern::Func(started)]).expect("instantiates");
    (store, inst)
}

/// Runs export `name`, interrupting it from another thread once it has called
/// `host.started`; returns the trap.
fn run_and_interrupt(wat: &str, name: &str) -> Trap {
    let engine = interruptible();
    let (tx, rx) = mpsc::channel();
    let (mut store, inst) = setup(&engine, wat, tx);
    let handle = store.interrupt_handle();
    assert!(!handle.is_interrupted());
    let interrupter = thread::spawn(move || {
        rx.recv().expect("the guest started");
        handle.interrupt();
    });
    let f = inst.get_func(&store, name).unwrap();
    let t = f.call(&mut store, &[], &mut []).unwrap_err();
    interrupter.join().unwrap();
    t
}

#[test]
fn an_infinite_loop_is_interrupted_from_another_thread() {
    let t = run_and_interrupt(
        r#"(module (import "host" "started" (func $started))
             (func (export "spin") (call $started) (loop (br 0))))"#,
        "spin",
    );
    assert_eq!(t.code(), Some(TrapCode::Interrupted));
    assert!(t.to_string().starts_with("interrupted"), "{t}");
    assert_eq!(t.backtrace().len(), 1);
}

#[test]
fn a_loop_of_calls_and_arithmetic_is_interrupted() {
    let t = run_and_interrupt(
        r#"(module (import "host" "started" (func $started))
             (memory 1)
             (func $work (param i32) (result i32)
               (i32.store (i32.const 8) (i32.add (i32.load (i32.const 8)) (local.get 0)))
               (i32.mul (local.get 0) (i32.const 3)))
             (func (export "spin") (local i32)
               (call $started)
               (loop $l
                 (local.set 0 (call $work (local.get 0)))
                 (br_if $l (i32.ne (local.get 0) (i32.const -1))))))"#,
        "spin",
    );
    assert_eq!(t.code(), Some(TrapCode::Interrupted));
}

#[test]
fn nested_loops_and_a_call_chain_are_interrupted() {
    // The inner loop is entered afresh each time; the calls go three functions deep.
    let t = run_and_interrupt(
        r#"(module (import "host" "started" (func $started))
             (func $c (result i32) (i32.const 1))
             (func $b (result i32) (call $c))
             (func $a (result i32) (call $b))
             (func (export "spin") (local i32)
               (call $started)
               (loop $outer
                 (local.set 0 (i32.const 0))
                 (loop $inner
                   (local.set 0 (i32.add (local.get 0) (call $a)))
                   (br_if $inner (i32.lt_u (local.get 0) (i32.const 1000))))
                 (br $outer))))"#,
        "spin",
    );
    assert_eq!(t.code(), Some(TrapCode::Interrupted));
}

#[test]
fn a_raised_interrupt_stops_the_next_call_until_cleared() {
    let engine = interruptible();
    let (tx, _rx) = mpsc::channel();
    let (mut store, inst) = setup(
        &engine,
        r#"(module (import "host" "started" (func))
             (func (export "one") (result i32) (i32.const 1)))"#,
        tx,
    );
    let f = inst.get_func(&store, "one").unwrap();
    let mut out = [Val::I32(0)];
    let handle = store.interrupt_handle();
    handle.interrupt();
    // Checked at function entry, so even a function without loops stops.
    let t = f.call(&mut store, &[], &mut out).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::Interrupted));
    // The handle is shared: every clone sees the same flag.
    let other = store.interrupt_handle();
    assert!(other.is_interrupted());
    other.clear();
    assert!(!handle.is_interrupted());
    f.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(1));
}

#[test]
fn without_interruptible_the_flag_is_not_checked() {
    // Nothing is translated in, so raising the flag changes nothing; fuel still stops
    // the loop.
    let engine = Engine::new(Config {
        consume_fuel: true,
        ..Config::default()
    });
    let (tx, _rx) = mpsc::channel();
    let (mut store, inst) = setup(
        &engine,
        r#"(module (import "host" "started" (func))
             (func (export "spin") (loop (br 0))))"#,
        tx,
    );
    store.interrupt_handle().interrupt();
    store.set_fuel(100_000);
    let f = inst.get_func(&store, "spin").unwrap();
    let t = f.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::OutOfFuel));
}

#[test]
fn fuel_and_interruption_together() {
    let engine = Engine::new(Config {
        consume_fuel: true,
        interruptible: true,
        ..Config::default()
    });
    let (tx, _rx) = mpsc::channel();
    let (mut store, inst) = setup(
        &engine,
        r#"(module (import "host" "started" (func))
             (func (export "count") (param i32) (result i32)
               (loop $l
                 (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                 (br_if $l (local.get 0)))
               (local.get 0)))"#,
        tx,
    );
    let f = inst.get_func(&store, "count").unwrap();
    let mut out = [Val::I32(0)];
    // Enough fuel for a short count, not for a long one.
    store.set_fuel(10_000);
    f.call(&mut store, &[Val::I32(100)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(0));
    let t = f
        .call(&mut store, &[Val::I32(1_000_000)], &mut out)
        .unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::OutOfFuel));
    store.set_fuel(1_000_000);
    store.interrupt_handle().interrupt();
    let t = f.call(&mut store, &[Val::I32(100)], &mut out).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::Interrupted));
}

#[test]
fn the_handle_is_send_sync_and_static() {
    fn check<H: Clone + Send + Sync + 'static>(_: &H) {}
    let store = Store::new(&Engine::default(), ());
    check(&store.interrupt_handle());
}

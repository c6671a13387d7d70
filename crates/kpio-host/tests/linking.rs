//! The three modules define exactly the contract's functions with its signatures.

mod common;

use common::*;
use kpio_app::Permissions;
use kpio_host::{HostCtx, add_to_linker, gui, net, system};
use kpio_wasm::{Engine, Linker, Module, Store};

#[test]
fn function_names_are_the_contracts() {
    let names = |m: &str| -> Vec<&str> { SIGS.iter().filter(|s| s.0 == m).map(|s| s.1).collect() };
    assert_eq!(
        gui::function_names().collect::<Vec<_>>(),
        names(gui::MODULE)
    );
    assert_eq!(
        system::function_names().collect::<Vec<_>>(),
        names(system::MODULE)
    );
    assert_eq!(
        net::function_names().collect::<Vec<_>>(),
        names(net::MODULE)
    );
    assert_eq!(SIGS.len(), 27);
}

#[test]
fn every_import_links_with_the_contract_signature() {
    // App::new instantiates a module importing all 27 with the contract's types.
    let log = RecordingLog::default();
    let app = App::new(builder(Permissions::default(), &log).build().unwrap());
    assert_eq!(app.ctx().app_id(), "test.app");
}

#[test]
fn a_wrong_signature_does_not_link() {
    let wasm =
        wat::parse_str(r#"(module (import "kpio_gui" "clear" (func (param i32) (result i32))))"#)
            .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let ctx = HostCtx::builder("x").build().unwrap();
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::<HostCtx>::new();
    add_to_linker(&mut linker, &mut store, |c| c);
    assert!(linker.instantiate(&mut store, &module).is_err());
}

#[test]
fn a_module_without_memory_still_gets_answers() {
    // No memory: every buffer is out of bounds, but calls without one work.
    let wasm = wat::parse_str(
        r#"(module
            (import "kpio_system" "get_monotonic" (func $m (result i64)))
            (import "kpio_system" "get_locale" (func $l (param i32 i32) (result i32)))
            (func (export "mono") (result i64) (call $m))
            (func (export "locale") (result i32) (call $l (i32.const 0) (i32.const 0))))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let ctx = HostCtx::builder("x").build().unwrap();
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::<HostCtx>::new();
    add_to_linker(&mut linker, &mut store, |c| c);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let mut out = [kpio_wasm::Val::I64(-1)];
    inst.get_func(&store, "mono")
        .unwrap()
        .call(&mut store, &[], &mut out)
        .unwrap();
    assert!(matches!(out[0], kpio_wasm::Val::I64(v) if v >= 0));
    // A zero-length buffer at 0 is inside an empty memory: the full length comes back.
    let mut out = [kpio_wasm::Val::I32(0)];
    inst.get_func(&store, "locale")
        .unwrap()
        .call(&mut store, &[], &mut out)
        .unwrap();
    assert!(matches!(out[0], kpio_wasm::Val::I32(v) if v >= 2));
}

//! `memory.grow` one page at a time (issue 7, defect 4): growth must not copy the memory,
//! which made 4,096 single-page grows take minutes. The speed is measured by
//! `kpio-bench-grow`; this checks the mechanism: on hosted 64-bit Linux the memory's base
//! never moves, and everywhere the contents survive every grow and new pages read as zero.

use kpio_wasm::*;

const GROWS: i32 = 4096;

#[test]
fn four_thousand_single_page_grows_keep_contents_and_base() {
    let wat = r#"(module (memory (export "mem") 1)
      (func (export "grow") (param $n i32) (result i32) (local $old i32)
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $old (memory.grow (i32.const 1)))
          (br_if $done (i32.eq (local.get $old) (i32.const -1)))
          ;; a new page reads as zero; mark it with the low byte of its number
          (if (i32.load8_u (i32.shl (local.get $old) (i32.const 16)))
            (then (return (i32.const -2))))
          (i32.store8 (i32.shl (local.get $old) (i32.const 16)) (local.get $old))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))
        (memory.size)))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let mem = inst.get_memory(&store, "mem").unwrap();
    let base = mem.data(&store).as_ptr();
    let grow = inst.get_func(&store, "grow").unwrap();
    let mut out = [Val::I32(0)];
    grow.call(&mut store, &[Val::I32(GROWS)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(GROWS + 1));
    let data = mem.data(&store);
    assert_eq!(data.len(), (GROWS as usize + 1) * PAGE_SIZE);
    for page in 1..=GROWS as usize {
        assert_eq!(data[page * PAGE_SIZE], page as u8, "page {page}");
    }
    if cfg!(all(target_os = "linux", target_pointer_width = "64")) {
        assert_eq!(data.as_ptr(), base, "growth moved (copied) the memory");
    }
}

//! Multi-memory and memory64, end to end: several memories with their own data, imports
//! and exports of several memories, 64-bit memories (i64 addresses, u64 offsets, i64
//! sizes, growth past 4 GiB of address), copies between memories of either index type,
//! SIMD accesses to other memories, and the store budget on 64-bit growth.

use kpio_wasm::*;

fn instantiate(store: &mut Store<()>, wat: &str) -> Instance {
    let module = Module::new(store.engine(), &wat::parse_str(wat).unwrap()).unwrap();
    Linker::new().instantiate(store, &module).unwrap()
}

/// Calls export `name` with `args`, returning its one result or its trap.
fn call1(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<Val, Trap> {
    let f = inst.get_func(store, name).unwrap();
    let mut out = [Val::I32(0)];
    f.call(store, args, &mut out)?;
    Ok(out[0])
}

/// Calls export `name` with `args`, which returns nothing.
fn call0(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<(), Trap> {
    let f = inst.get_func(store, name).unwrap();
    f.call(store, args, &mut [])
}

fn oob(r: Result<impl core::fmt::Debug, Trap>) {
    let t = r.expect_err("expected an out-of-bounds trap");
    assert_eq!(t.code(), Some(TrapCode::MemoryOutOfBounds), "{t}");
}

#[test]
fn two_memories_keep_separate_data() {
    let mut store = Store::new(&Engine::default(), ());
    let inst = instantiate(
        &mut store,
        r#"(module
          (memory $a (export "a") 1)
          (memory $b (export "b") 2)
          (data (memory $a) (i32.const 0) "\01\02\03\04")
          (data (memory $b) (i32.const 0) "\aa\bb\cc\dd")
          (func (export "load_a") (param i32) (result i32) (i32.load $a (local.get 0)))
          (func (export "load_b") (param i32) (result i32) (i32.load $b (local.get 0)))
          (func (export "load_b8s") (param i32) (result i64) (i64.load8_s $b (local.get 0)))
          (func (export "store_b") (param i32 i32) (i32.store16 $b offset=2 (local.get 0) (local.get 1)))
          (func (export "sizes") (result i32)
            (i32.add (i32.mul (memory.size $a) (i32.const 10)) (memory.size $b)))
          (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0))))"#,
    );
    let i = Val::I32;
    assert_eq!(
        call1(&mut store, inst, "load_a", &[i(0)]),
        Ok(i(0x0403_0201))
    );
    assert_eq!(
        call1(&mut store, inst, "load_b", &[i(0)]),
        Ok(i(0xddcc_bbaa_u32 as i32))
    );
    assert_eq!(
        call1(&mut store, inst, "load_b8s", &[i(0)]),
        Ok(Val::I64(-0x56))
    );
    call0(&mut store, inst, "store_b", &[i(0), i(0x1234)]).unwrap();
    assert_eq!(
        call1(&mut store, inst, "load_b", &[i(0)]),
        Ok(i(0x1234_bbaa))
    );
    // Memory a is untouched.
    assert_eq!(
        call1(&mut store, inst, "load_a", &[i(0)]),
        Ok(i(0x0403_0201))
    );
    assert_eq!(call1(&mut store, inst, "sizes", &[]), Ok(i(12)));
    // Memory b is 2 pages: its last word is in bounds, memory a's bounds are one page.
    assert_eq!(
        call1(&mut store, inst, "load_b", &[i(2 * 65536 - 4)]),
        Ok(i(0))
    );
    oob(call1(&mut store, inst, "load_a", &[i(65536 - 3)]));
    oob(call0(&mut store, inst, "store_b", &[i(-1), i(0)]));
    assert_eq!(call1(&mut store, inst, "grow_b", &[i(1)]), Ok(i(2)));
    assert_eq!(call1(&mut store, inst, "sizes", &[]), Ok(i(13)));
    let (a, b) = (
        inst.get_memory(&store, "a").unwrap(),
        inst.get_memory(&store, "b").unwrap(),
    );
    assert_eq!((a.size(&store), b.size(&store)), (1, 3));
    assert!(!a.is_64(&store) && !b.is_64(&store));
    assert_eq!(&b.data(&store)[..4], &[0xaa, 0xbb, 0x34, 0x12]);
}

#[test]
fn several_memories_are_imported_and_exported() {
    let mut store = Store::new(&Engine::default(), ());
    let m32 = Memory::new(&mut store, MemoryType::new(1, Some(1))).unwrap();
    let m64 = Memory::new(&mut store, MemoryType::new64(1, None)).unwrap();
    assert!(m64.is_64(&store) && !m32.is_64(&store));
    assert_eq!(m64.ty(&store).to_string(), "(memory i64 1)");
    m64.write(&mut store, 8, &[7]).unwrap();
    let wat = r#"(module
      (import "host" "m32" (memory $x 1))
      (import "host" "m64" (memory $y i64 1))
      (memory $own (export "own") i64 1)
      (export "y" (memory $y))
      (func (export "move") (result i32)
        (i32.store8 $x (i32.const 5) (i32.load8_u $y (i64.const 8)))
        (i64.store $own (i64.const 16) (i64.const -1))
        (i32.load8_u $x (i32.const 5))))"#;
    let module = Module::new(store.engine(), &wat::parse_str(wat).unwrap()).unwrap();
    let mut linker = Linker::new();
    linker.define("host", "m32", m32).define("host", "m64", m64);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    assert_eq!(call1(&mut store, inst, "move", &[]), Ok(Val::I32(7)));
    assert_eq!(m32.data(&store)[5], 7);
    assert_eq!(inst.get_memory(&store, "y"), Some(m64));
    let own = inst.get_memory(&store, "own").unwrap();
    assert!(own.is_64(&store));
    assert_eq!(&own.data(&store)[16..24], &[0xff; 8]);

    // A memory's index type must match its import's.
    let mut linker = Linker::new();
    linker.define("host", "m32", m64).define("host", "m64", m64);
    let e = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(e, InstantiateError::Link(_)), "{e}");
    assert!(e.to_string().contains("(memory i64 1)"), "{e}");
}

#[test]
fn a_64_bit_memory_takes_i64_addresses_and_u64_offsets() {
    let mut store = Store::new(&Engine::default(), ());
    let inst = instantiate(
        &mut store,
        r#"(module
          (memory (export "mem") i64 1 3)
          (data (i64.const 0x100) "\11\22\33\44\55\66\77\88")
          (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
          (func (export "load_far") (param i64) (result i32)
            (i32.load8_u offset=0x100000000 (local.get 0)))
          (func (export "load_wrap") (param i64) (result i32)
            (i32.load offset=8 (local.get 0)))
          (func (export "store") (param i64 f64) (f64.store (local.get 0) (local.get 1)))
          (func (export "size") (result i64) (memory.size))
          (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
          (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
          (func (export "sum16") (param i64) (result i32)
            (local $r i32)
            ;; the loaded value goes straight into a local (the translator retargets it)
            (local.set $r (i32.load16_u (local.get 0)))
            (local.get $r)))"#,
    );
    let l = Val::I64;
    assert_eq!(
        call1(&mut store, inst, "load", &[l(0x100)]),
        Ok(l(0x8877_6655_4433_2211_u64 as i64))
    );
    assert_eq!(
        call1(&mut store, inst, "sum16", &[l(0x101)]),
        Ok(Val::I32(0x3322))
    );
    // Addresses and offsets past 4 GiB are taken whole, not truncated to 32 bits.
    oob(call1(&mut store, inst, "load", &[l(1 << 32)]));
    oob(call1(&mut store, inst, "load", &[l((1 << 32) | 0x100)]));
    oob(call1(&mut store, inst, "load_far", &[l(0)]));
    // address + offset + size wraps around 2^64: out of bounds, never a small address.
    oob(call1(&mut store, inst, "load_wrap", &[l(-8)]));
    oob(call1(&mut store, inst, "load_wrap", &[l(-4)]));
    oob(call1(&mut store, inst, "load", &[l(-1)]));
    // The last 8 bytes are in bounds; one byte further is not.
    call0(
        &mut store,
        inst,
        "store",
        &[l(65536 - 8), Val::F64(F64::from(1.5))],
    )
    .unwrap();
    assert_eq!(
        call1(&mut store, inst, "load", &[l(65536 - 8)]),
        Ok(l(1.5f64.to_bits() as i64))
    );
    oob(call0(
        &mut store,
        inst,
        "store",
        &[l(65536 - 7), Val::F64(F64::from(1.5))],
    ));
    // memory.size and memory.grow are i64; a refused grow is -1 (i64).
    assert_eq!(call1(&mut store, inst, "size", &[]), Ok(l(1)));
    assert_eq!(call1(&mut store, inst, "grow", &[l(2)]), Ok(l(1)));
    assert_eq!(call1(&mut store, inst, "grow", &[l(1)]), Ok(l(-1)));
    assert_eq!(call1(&mut store, inst, "grow", &[l(1 << 40)]), Ok(l(-1)));
    assert_eq!(call1(&mut store, inst, "grow", &[l(-1)]), Ok(l(-1)));
    assert_eq!(call1(&mut store, inst, "size", &[]), Ok(l(3)));
    // memory.fill with i64 operands, bounds checked without wrapping.
    call0(&mut store, inst, "fill", &[l(10), Val::I32(0xab), l(3)]).unwrap();
    oob(call0(&mut store, inst, "fill", &[l(-1), Val::I32(0), l(2)]));
    oob(call0(&mut store, inst, "fill", &[l(1), Val::I32(0), l(-1)]));
    let mem = inst.get_memory(&store, "mem").unwrap();
    assert_eq!(&mem.data(&store)[9..14], &[0, 0xab, 0xab, 0xab, 0]);
    assert_eq!(mem.size(&store), 3);
}

#[test]
fn copies_between_32_and_64_bit_memories() {
    let mut store = Store::new(&Engine::default(), ());
    let inst = instantiate(
        &mut store,
        r#"(module
          (memory $m32 (export "m32") 1)
          (memory $m64 (export "m64") i64 1)
          (data $d "\de\ad\be\ef")
          (data (memory $m32) (i32.const 0) "hello")
          ;; to a 64-bit memory from a 32-bit one: i64 destination, i32 source and length
          (func (export "to64") (param i64 i32 i32) (memory.copy $m64 $m32 (local.get 0) (local.get 1) (local.get 2)))
          ;; the other way: i32 destination, i64 source, i32 length
          (func (export "to32") (param i32 i64 i32) (memory.copy $m32 $m64 (local.get 0) (local.get 1) (local.get 2)))
          ;; within the 64-bit memory: all i64
          (func (export "within64") (param i64 i64 i64) (memory.copy $m64 $m64 (local.get 0) (local.get 1) (local.get 2)))
          (func (export "init64") (param i64 i32 i32) (memory.init $m64 $d (local.get 0) (local.get 1) (local.get 2))))"#,
    );
    let (i, l) = (Val::I32, Val::I64);
    call0(&mut store, inst, "to64", &[l(100), i(0), i(5)]).unwrap();
    call0(&mut store, inst, "within64", &[l(102), l(100), l(5)]).unwrap();
    call0(&mut store, inst, "to32", &[i(10), l(100), i(7)]).unwrap();
    call0(&mut store, inst, "init64", &[l(200), i(1), i(3)]).unwrap();
    let m32 = inst.get_memory(&store, "m32").unwrap();
    let m64 = inst.get_memory(&store, "m64").unwrap();
    assert_eq!(&m64.data(&store)[100..107], b"hehello");
    assert_eq!(&m32.data(&store)[10..17], b"hehello");
    assert_eq!(&m64.data(&store)[200..203], &[0xad, 0xbe, 0xef]);
    // Out of bounds in either memory, or wrapping: a trap, and nothing written.
    oob(call0(&mut store, inst, "to64", &[l(65535), i(0), i(2)]));
    oob(call0(&mut store, inst, "to64", &[l(-1), i(0), i(2)]));
    oob(call0(&mut store, inst, "to32", &[i(0), l(-2), i(4)]));
    oob(call0(&mut store, inst, "within64", &[l(0), l(1), l(-1)]));
    oob(call0(&mut store, inst, "init64", &[l(-1), i(0), i(1)]));
    oob(call0(&mut store, inst, "init64", &[l(0), i(2), i(3)]));
    assert_eq!(&m32.data(&store)[..5], b"hello");
}

#[test]
fn simd_reaches_other_memories_and_64_bit_ones() {
    let mut store = Store::new(&Engine::default(), ());
    let inst = instantiate(
        &mut store,
        r#"(module
          (memory $a 1)
          (memory $b (export "b") 1)
          (memory $w (export "w") i64 1)
          (func (export "run") (result i64)
            (v128.store $b offset=16 (i32.const 0) (v128.const i64x2 0x0102030405060708 0x1112131415161718))
            (v128.store $w (i64.const 32) (v128.load $b (i32.const 16)))
            (v128.store8_lane $w 15 (i64.const 48) (v128.load $w (i64.const 32)))
            (i64x2.extract_lane 0
              (v128.load8_lane $b 0 (i32.const 31) (v128.load32_splat $w (i64.const 32)))))
          (func (export "far") (param i64) (drop (v128.load $w (local.get 0)))))"#,
    );
    // Lane 0 of the splat of 0x05060708, with its byte 0 replaced by memory b's byte 31
    // (0x11, the last byte of the stored vector).
    assert_eq!(
        call1(&mut store, inst, "run", &[]),
        Ok(Val::I64(0x0506_0708_0506_0711))
    );
    let w = inst.get_memory(&store, "w").unwrap();
    assert_eq!(w.data(&store)[48], 0x11);
    assert_eq!(w.data(&store)[32], 0x08);
    oob(call0(&mut store, inst, "far", &[Val::I64(65536 - 15)]));
    oob(call0(&mut store, inst, "far", &[Val::I64(-8)]));
}

#[test]
fn store_limits_bound_64_bit_growth() {
    let mut store = Store::new(&Engine::default(), ());
    store.set_limits(StoreLimitsBuilder::new().memory_size(3 * PAGE_SIZE).build());
    let inst = instantiate(
        &mut store,
        r#"(module
          (memory $a 1)
          (memory $w i64 1)
          (func (export "grow_w") (param i64) (result i64) (memory.grow $w (local.get 0)))
          (func (export "grow_a") (param i32) (result i32) (memory.grow $a (local.get 0))))"#,
    );
    // Two pages held, one left in the budget, whichever memory takes it.
    assert_eq!(
        call1(&mut store, inst, "grow_w", &[Val::I64(2)]),
        Ok(Val::I64(-1))
    );
    assert_eq!(
        call1(&mut store, inst, "grow_w", &[Val::I64(1)]),
        Ok(Val::I64(1))
    );
    assert_eq!(
        call1(&mut store, inst, "grow_a", &[Val::I32(1)]),
        Ok(Val::I32(-1))
    );
}

#[test]
fn a_huge_64_bit_minimum_is_refused_cleanly() {
    let mut store = Store::new(&Engine::default(), ());
    // 2^48 pages: as large as a 64-bit memory's type allows, far beyond `Config`'s limit.
    let wat = "(module (memory i64 0x1000000000000) (memory i64 0x1000000000000))";
    let module = Module::new(store.engine(), &wat::parse_str(wat).unwrap()).unwrap();
    let e = Linker::new().instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(e, InstantiateError::Trap(_)), "{e}");
}

#[test]
fn multi_memory_can_be_turned_off() {
    let engine = Engine::new(Config {
        multi_memory: false,
        ..Config::default()
    });
    let two = wat::parse_str("(module (memory 1) (memory 1))").unwrap();
    // Invalid, as in WebAssembly 2.0.
    let e = Module::new(&engine, &two).unwrap_err();
    assert_eq!(e.kind(), ModuleErrorKind::Invalid, "{e}");
    assert!(e.message().contains("multiple memories"), "{e}");
    // One memory, even a 64-bit one, is fine.
    let one = wat::parse_str("(module (memory i64 1))").unwrap();
    Module::new(&engine, &one).unwrap();
    Module::new(&Engine::default(), &two).unwrap();
}

/// A 64-bit memory grown past 4 GiB of address space: the bytes beyond 2^32 are reachable,
/// and the bounds stay exact. Only where memories live in reserved address space (hosted
/// 64-bit Linux), since committing pages there costs no memory until they are touched; the
/// heap fallback would zero 4 GiB.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
#[test]
fn a_64_bit_memory_grows_past_4_gib() {
    let engine = Engine::new(Config {
        max_memory_pages: 65536 + 2,
        ..Config::default()
    });
    let mut store = Store::new(&engine, ());
    let inst = instantiate(
        &mut store,
        r#"(module
          (memory (export "mem") i64 1)
          (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
          (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
          (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
          (func (export "load_off") (param i64) (result i64) (i64.load offset=0x100000000 (local.get 0))))"#,
    );
    let l = Val::I64;
    assert_eq!(call1(&mut store, inst, "grow", &[l(65536)]), Ok(l(1)));
    let beyond = (1i64 << 32) + 8;
    call0(&mut store, inst, "store", &[l(beyond), l(0x5a5a)]).unwrap();
    assert_eq!(call1(&mut store, inst, "load", &[l(beyond)]), Ok(l(0x5a5a)));
    assert_eq!(call1(&mut store, inst, "load_off", &[l(8)]), Ok(l(0x5a5a)));
    // The last 8 bytes of 65537 pages are in bounds, the next are not; past the maximum,
    // growth is refused.
    let end = 65537i64 * 65536;
    assert_eq!(call1(&mut store, inst, "load", &[l(end - 8)]), Ok(l(0)));
    oob(call1(&mut store, inst, "load", &[l(end - 7)]));
    oob(call1(
        &mut store,
        inst,
        "load_off",
        &[l(end - (1 << 32) - 4)],
    ));
    assert_eq!(call1(&mut store, inst, "grow", &[l(2)]), Ok(l(-1)));
    let mem = inst.get_memory(&store, "mem").unwrap();
    assert_eq!(mem.size(&store), 65537);
    assert_eq!(mem.data(&store).len(), 65537 * PAGE_SIZE);
    let mut b = [0u8; 2];
    mem.read(&store, beyond as usize, &mut b).unwrap();
    assert_eq!(b, [0x5a, 0x5a]);
}

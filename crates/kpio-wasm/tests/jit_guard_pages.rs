//! Accesses to 32-bit memories left to guard pages in native code (hosted Linux): every
//! out-of-bounds access, whichever the path (the fault handler for offsets within the
//! guard, an explicit check past it), traps as in the interpreter, with the same
//! backtrace (deep recursion included, whose native frames the fault abandons at once),
//! writes nothing, and leaves the store usable; a fault in native code entered from
//! another instance's native code (through the interpreter's call path) unwinds both.
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use kpio_wasm::{Config, Engine, FrameInfo, Linker, Module, Store, Tier, Trap, Val};

const PROGRAM: &str = r#"
(module
  (memory (export "mem") 1 3)
  (func $load_near (export "load_near") (param $a i32) (result i32)
    (i32.load offset=8 (local.get $a)))
  ;; within the 2 GiB guard: left to the guard pages
  (func (export "load_far") (param $a i32) (result i32)
    (i32.load offset=0x7ffffff0 (local.get $a)))
  ;; past the guard: checked explicitly
  (func (export "load_past_guard") (param $a i32) (result i64)
    (i64.load offset=0xfffffff0 (local.get $a)))
  (func (export "store64") (param $a i32) (param $v i64)
    (i64.store (local.get $a) (local.get $v)))
  (func (export "store8") (param $a i32) (param $v i32)
    (i32.store8 offset=3 (local.get $a) (local.get $v)))
  (func (export "v128_store") (param $a i32)
    (v128.store (local.get $a) (v128.const i64x2 -1 -1)))
  (func (export "grow") (param $n i32) (result i32)
    (memory.grow (local.get $n)))
  ;; `depth` calls deep, then a load at `a`
  (func $rec (export "rec") (param $a i32) (param $depth i32) (result i32)
    (if (result i32) (i32.eqz (local.get $depth))
      (then (call $load_near (local.get $a)))
      (else (i32.add (i32.const 1)
        (call $rec (local.get $a) (i32.sub (local.get $depth) (i32.const 1)))))))
)
"#;

/// Calls the other module's `rec` from native code of its own.
const CALLER: &str = r#"
(module
  (import "callee" "rec" (func $rec (param i32 i32) (result i32)))
  (func $outer (export "outer") (param $a i32) (param $depth i32) (result i32)
    (i32.add (i32.const 100) (call $rec (local.get $a) (local.get $depth))))
)
"#;

fn engine(tier: Tier) -> Engine {
    Engine::new(Config {
        tier,
        jit_background: false,
        ..Config::default()
    })
}

type Outcome = Result<Vec<Val>, (String, Vec<(u32, Option<usize>)>, usize)>;

/// Runs `calls` on a fresh instance (the caller module linked to it); returns each
/// call's results or its trap (message, backtrace as function and offset, frames left
/// out), then memory bytes 65528..65536.
fn run(tier: Tier, calls: &[(&str, Vec<Val>, usize)]) -> (Vec<Outcome>, Vec<u8>) {
    let engine = engine(tier);
    let mut store = Store::new(&engine, ());
    let callee = Module::new(&engine, &wat::parse_str(PROGRAM).unwrap()).unwrap();
    let callee = Linker::new().instantiate(&mut store, &callee).unwrap();
    let mut linker = Linker::new();
    linker.instance(&store, "callee", callee);
    let caller = Module::new(&engine, &wat::parse_str(CALLER).unwrap()).unwrap();
    let caller = linker.instantiate(&mut store, &caller).unwrap();
    let outcomes = calls
        .iter()
        .map(|(name, args, nres)| {
            let f = callee
                .get_func(&store, name)
                .or_else(|| caller.get_func(&store, name))
                .unwrap();
            let mut out = vec![Val::I32(0); *nres];
            f.call(&mut store, args, &mut out)
                .map(|()| out)
                .map_err(|t: Trap| {
                    let frames = t
                        .backtrace()
                        .iter()
                        .map(|f| (f.func_index, f.module_offset))
                        .collect();
                    (t.to_string(), frames, t.frames_omitted())
                })
        })
        .collect();
    let mem = callee.get_memory(&store, "mem").unwrap();
    let tail = mem.data(&store)[65528..65536].to_vec();
    (outcomes, tail)
}

/// Calls export `name` (one `i32` result) of `wat`, instantiated on a fresh `tier`
/// engine: its result, or its trap's message and backtrace.
fn call(
    tier: Tier,
    wat: &str,
    name: &str,
    args: &[Val],
) -> Result<Vec<Val>, (String, Vec<FrameInfo>)> {
    let e = engine(tier);
    let module = Module::new(&e, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&e, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = inst.get_func(&store, name).unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, args, &mut out)
        .map(|()| out.to_vec())
        .map_err(|t: Trap| (t.to_string(), t.backtrace().to_vec()))
}

#[test]
fn out_of_bounds_accesses_trap_as_in_the_interpreter() {
    let i = |v: i32| Val::I32(v);
    let calls = [
        ("load_near", vec![i(65528)], 1),
        // the last 4 bytes end exactly at the memory's end
        ("load_near", vec![i(65524)], 1),
        ("load_near", vec![i(65525)], 1),
        ("load_near", vec![i(-1)], 1),
        ("load_far", vec![i(0)], 1),
        ("load_far", vec![i(-1)], 1),
        ("load_past_guard", vec![i(0)], 1),
        ("load_past_guard", vec![i(-1)], 1),
        // a store straddling the end writes none of its bytes
        ("store64", vec![i(65532), Val::I64(-1)], 0),
        (
            "store64",
            vec![i(65528), Val::I64(0x0102_0304_0506_0708)],
            0,
        ),
        ("store8", vec![i(65533), i(0x55)], 0),
        ("v128_store", vec![i(65530)], 0),
        ("v128_store", vec![i(65520)], 0),
        // once grown, the same address is in bounds; past the new end it is not
        ("grow", vec![i(1)], 1),
        ("load_near", vec![i(65528)], 1),
        ("load_near", vec![i(131064)], 1),
        // deep in native frames, and across instances
        ("rec", vec![i(131068), i(10)], 1),
        ("rec", vec![i(131068), i(300)], 1),
        ("rec", vec![i(8), i(300)], 1),
        ("outer", vec![i(131068), i(40)], 1),
        ("outer", vec![i(16), i(40)], 1),
    ];
    let (interp, interp_mem) = run(Tier::Interp, &calls);
    let traps = interp.iter().filter(|o| o.is_err()).count();
    assert_eq!(traps, 14, "the calls that go out of bounds: {interp:#?}");
    // The deep recursion's backtrace keeps 64 frames and counts the rest.
    let Err((_, frames, omitted)) = &interp[17] else {
        panic!("rec 300 traps: {:?}", interp[17]);
    };
    assert_eq!((frames.len(), *omitted), (64, 301 - 64 + 1));
    for tier in [Tier::Jit, Tier::Auto] {
        let (native, native_mem) = run(tier, &calls);
        for (n, (a, b)) in interp.iter().zip(&native).enumerate() {
            assert_eq!(a, b, "{tier:?}: call {n} ({})", calls[n].0);
        }
        assert_eq!(interp_mem, native_mem, "{tier:?}: the memory's last bytes");
    }
}

#[test]
fn a_fault_of_a_load_feeding_an_address_reports_that_load() {
    // Pointer chasing in an empty memory: the first load faults. Natively it is sunk into
    // the next access's address widening (one `movl`); the trap must still name the first
    // load's offset, as the interpreter's does. From a `tiers` fuzz finding.
    let wat = r#"(module (memory 0)
      (func (export "f") (param i32) (result i32)
        local.get 0 i32.load i32.load i32.load))"#;
    let trap = |tier| call(tier, wat, "f", &[Val::I32(16)]).unwrap_err();
    let interp = trap(Tier::Interp);
    assert!(interp.0.contains("out of bounds"), "{interp:?}");
    assert_eq!(trap(Tier::Jit), interp);
}

#[test]
fn a_fault_of_a_load_whose_arithmetic_moved_next_to_it_reports_that_load() {
    // Cranelift's optimiser leaves a loop body's loads first and its arithmetic after
    // them; the native tier moves each multiply back next to its loads
    // (`compile/schedule.rs`). The loads keep their order, so each fault must still name
    // its own load's offset, as in the interpreter, whichever load is the first out of
    // bounds.
    let wat = r#"(module (memory 1)
      (func (export "f") (param $a i32) (param $b i32) (result i32)
        (local $acc i32) (local $n i32)
        (local.set $n (i32.const 3))
        (loop $l
          (local.set $acc
            (i32.add (local.get $acc)
              (i32.add
                (i32.add
                  (i32.mul (i32.load (local.get $a)) (i32.load offset=4 (local.get $b)))
                  (i32.mul (i32.load offset=8 (local.get $a))
                           (i32.load offset=12 (local.get $b))))
                (i32.xor (i32.load offset=16 (local.get $a)) (i32.const 7)))))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc)))"#;
    let outcome = |tier, a: i32, b: i32| call(tier, wat, "f", &[Val::I32(a), Val::I32(b)]);
    // Each of the five loads is the first out of bounds in one of these.
    let cases = [
        (65536, 0),
        (0, 65532),
        (65528, 0),
        (0, 65524),
        (65520, 0),
        (0, 0),
    ];
    let mut offsets = Vec::new();
    for (a, b) in cases {
        let interp = outcome(Tier::Interp, a, b);
        if let Err((msg, frames)) = &interp {
            assert!(msg.contains("out of bounds"), "{msg}");
            offsets.push(frames[0].module_offset);
        }
        assert_eq!(outcome(Tier::Jit, a, b), interp, "a = {a}, b = {b}");
    }
    offsets.dedup();
    assert_eq!(offsets.len(), 5, "five loads, five offsets: {offsets:?}");
}

#[test]
fn pages_a_callee_grew_are_reached_with_the_base_loaded_at_entry() {
    // A guarded memory grows inside its reservation, so native code keeps the base it
    // loaded at entry across calls (a callee's `memory.grow` changes only the length,
    // which this function never reads). It must still reach each page the callee added,
    // and fault one page past them, as the interpreter does.
    let wat = r#"(module
      (memory 1 4)
      (func $grow (drop (memory.grow (i32.const 1))))
      (func (export "touch") (param $pages i32) (result i32)
        (local $i i32) (local $sum i32)
        (i32.store (i32.const 16) (i32.const 5))
        (block $done
          (loop $l
            (br_if $done (i32.ge_u (local.get $i) (local.get $pages)))
            (call $grow)
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            ;; a word in page `i`, the one just added
            (i32.store offset=40 (i32.shl (local.get $i) (i32.const 16)) (local.get $i))
            (local.set $sum
              (i32.add (local.get $sum)
                (i32.load offset=40 (i32.shl (local.get $i) (i32.const 16)))))
            (br $l)))
        (i32.add (local.get $sum) (i32.load (i32.const 16)))))"#;
    let touch = |tier, pages| call(tier, wat, "touch", &[Val::I32(pages)]).map(|out| out[0]);
    // Three pages added: 1 + 2 + 3, and the 5 stored before the first call.
    assert_eq!(touch(Tier::Interp, 3), Ok(Val::I32(11)));
    // The fourth growth is refused (maximum 4 pages): the store into page 4 faults.
    let past = touch(Tier::Interp, 4);
    assert!(
        past.as_ref()
            .is_err_and(|(m, _)| m.contains("out of bounds")),
        "{past:?}"
    );
    for tier in [Tier::Jit, Tier::Auto] {
        assert_eq!(touch(tier, 3), Ok(Val::I32(11)), "{tier:?}");
        assert_eq!(touch(tier, 4), past, "{tier:?}");
    }
}

//! Several memories, 64-bit memories and 64-bit tables in native code: compiled with no
//! refusal, and the same results and traps as the interpreter where a 32-bit shortcut
//! would go wrong (an address or element index past 2^32, an end that wraps, a memory
//! other than memory 0 growing under running code).
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use kpio_wasm::{Config, Engine, Linker, Module, Store, Tier, TrapCode, Val};

const PROGRAM: &str = r#"
(module
  (memory $a 1)
  (memory $b i64 1 4)
  (memory $c 0 3)
  (table $t i64 2 funcref)
  (elem (table $t) (i64.const 1) func $seven)
  (type $v (func (result i32)))
  (func $seven (type $v) i32.const 7)
  ;; a 64-bit load at `addr` + 8 in memory $b
  (func (export "load64") (param $addr i64) (result i64)
    local.get $addr
    i64.load $b offset=8)
  ;; write into $a, copy to $b, grow $c (from native code) and copy on into it
  (func (export "shuffle") (param $n i32) (result i32 i64 i32)
    (i32.store $a (i32.const 100) (local.get $n))
    (memory.copy $b $a (i64.const 4096) (i32.const 100) (i32.const 4))
    (drop (memory.grow $c (i32.const 2)))
    (memory.copy $c $b (i32.const 70000) (i64.const 4096) (i32.const 4))
    (i32.load $c (i32.const 70000))
    (memory.size $b)
    (memory.size $c))
  ;; call_indirect through the 64-bit table
  (func (export "pick") (param $i i64) (result i32)
    local.get $i
    call_indirect $t (type $v))
  (func (export "grow_t") (result i64)
    (table.grow $t (ref.null func) (i64.const 3)))
)
"#;

fn engines() -> Vec<(&'static str, Engine)> {
    let config = |tier| {
        Engine::new(Config {
            tier,
            jit_background: false,
            ..Config::default()
        })
    };
    vec![("interp", config(Tier::Interp)), ("jit", config(Tier::Jit))]
}

type Outcome = Result<Vec<Val>, Option<TrapCode>>;

fn run(engine: &Engine, calls: &[(&str, Vec<Val>, usize)]) -> Vec<Outcome> {
    let module = Module::new(engine, &wat::parse_str(PROGRAM).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    calls
        .iter()
        .map(|(name, args, nres)| {
            let f = inst.get_func(&store, name).unwrap();
            let mut out = vec![Val::I32(0); *nres];
            f.call(&mut store, args, &mut out)
                .map(|()| out)
                .map_err(|t| t.code())
        })
        .collect()
}

#[test]
fn every_memory_and_64_bit_indices_behave_as_in_the_interpreter() {
    let calls = [
        ("load64", vec![Val::I64(0)], 1),
        ("shuffle", vec![Val::I32(0x1234_5678)], 3),
        ("load64", vec![Val::I64(4096 - 8)], 1),
        // past the 64 KiB of memory $b
        ("load64", vec![Val::I64(65536 - 15)], 1),
        // an address whose low 32 bits are in bounds
        ("load64", vec![Val::I64(1 << 32)], 1),
        // an end that wraps past 2^64 to a small number
        ("load64", vec![Val::I64(-8)], 1),
        ("pick", vec![Val::I64(1)], 1),
        ("pick", vec![Val::I64(0)], 1),
        // element 1 + 2^32: its low 32 bits name `$seven`'s element
        ("pick", vec![Val::I64(1 + (1 << 32))], 1),
        ("grow_t", vec![], 1),
        ("pick", vec![Val::I64(4)], 1),
    ];
    let want: Vec<Outcome> = vec![
        Ok(vec![Val::I64(0)]),
        Ok(vec![Val::I32(0x1234_5678), Val::I64(1), Val::I32(2)]),
        Ok(vec![Val::I64(0x1234_5678)]),
        Err(Some(TrapCode::MemoryOutOfBounds)),
        Err(Some(TrapCode::MemoryOutOfBounds)),
        Err(Some(TrapCode::MemoryOutOfBounds)),
        Ok(vec![Val::I32(7)]),
        Err(Some(TrapCode::UninitializedElement)),
        Err(Some(TrapCode::UndefinedElement)),
        Ok(vec![Val::I64(2)]),
        Err(Some(TrapCode::UninitializedElement)),
    ];
    for (name, engine) in engines() {
        assert_eq!(run(&engine, &calls), want, "{name}");
        let stats = engine.jit_stats();
        assert_eq!(stats.refused, 0, "{name}: {stats:?}");
        if name == "jit" {
            assert_eq!(stats.compiled, 5, "{name}: {stats:?}");
        }
    }
}

//! Store-wide resource limits (`StoreLimits`): memories, tables, instances and the value
//! stack count against one budget, checked before anything is allocated, so a small module
//! cannot reach gigabytes of resident memory (issue 7, defect 3).

use kpio_wasm::*;

/// Peak resident set of this process, in bytes, from `/proc/self/status` (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

const MIB: u64 = 1 << 20;

fn module(engine: &Engine, wat: &str) -> Module {
    let bytes = wat::parse_str(wat).expect("test module parses");
    Module::new(engine, &bytes).expect("test module validates")
}

fn instantiate(store: &mut Store<()>, m: &Module) -> Result<Instance, InstantiateError> {
    Linker::new().instantiate(store, m)
}

fn limit_of(e: &InstantiateError) -> LimitExceeded {
    match e {
        InstantiateError::Trap(t) => {
            assert_eq!(t.code(), Some(TrapCode::ResourceLimitExceeded), "{t}");
            *t.limit_exceeded().expect("names the limit")
        }
        other => panic!("expected a limit trap, got {other}"),
    }
}

fn call_i32(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<i32, Trap> {
    let f = inst.get_func(&*store, name).expect("export exists");
    let mut out = [Val::I32(0)];
    f.call(store, args, &mut out)?;
    match out[0] {
        Val::I32(v) => Ok(v),
        other => panic!("expected i32, got {other:?}"),
    }
}

#[test]
fn hundred_huge_tables_fail_to_instantiate_without_allocating() {
    // The reviewer's package: 100 tables of 10M funcrefs each, every one within
    // `Config::max_table_elements`, 8 GB together.
    let mut wat = String::from("(module\n");
    for _ in 0..100 {
        wat.push_str("(table 10000000 funcref)\n");
    }
    wat.push(')');
    let engine = Engine::default();
    let m = module(&engine, &wat);
    let mut store = Store::new(&engine, ());
    store.set_limits(StoreLimitsBuilder::new().table_elements(100_000).build());

    let before = peak_rss();
    let e = instantiate(&mut store, &m).unwrap_err();
    let after = peak_rss();

    let l = limit_of(&e);
    assert_eq!(l.resource, Resource::TableElements);
    assert_eq!(l.needed, 1_000_000_000);
    assert_eq!(l.limit, 100_000);
    let msg = e.to_string();
    assert!(
        msg.contains("table elements") && msg.contains("100000"),
        "{msg}"
    );
    if let (Some(b), Some(a)) = (before, after) {
        assert!(a - b < 64 * MIB, "peak RSS grew by {} MiB", (a - b) / MIB);
    }
}

#[test]
fn one_table_past_the_budget_is_refused_and_table_grow_returns_minus_one() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    store.set_limits(StoreLimitsBuilder::new().table_elements(30).build());
    let m = module(
        &engine,
        r#"(module (table 10 funcref) (table 10 funcref)
             (func (export "grow") (param i32) (result i32)
               (table.grow 0 (ref.null func) (local.get 0))))"#,
    );
    let i = instantiate(&mut store, &m).unwrap();
    assert_eq!(
        call_i32(&mut store, i, "grow", &[Val::I32(10)]).unwrap(),
        10
    );
    // 30 in use now: one more element is refused, and nothing changed.
    assert_eq!(call_i32(&mut store, i, "grow", &[Val::I32(1)]).unwrap(), -1);
    // Host-created tables count too.
    let ty = TableType::new(RefType::FuncRef, 1, None);
    let err = Table::new(&mut store, ty, Val::FuncRef(None)).unwrap_err();
    assert_eq!(
        err.limit_exceeded().unwrap().resource,
        Resource::TableElements
    );
}

#[test]
fn memory_grow_is_refused_past_the_store_budget() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    store.set_limits(StoreLimitsBuilder::new().memory_size(4 * PAGE_SIZE).build());
    let m = module(
        &engine,
        r#"(module (memory (export "mem") 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let i = instantiate(&mut store, &m).unwrap();
    assert_eq!(call_i32(&mut store, i, "grow", &[Val::I32(2)]).unwrap(), 1);
    assert_eq!(call_i32(&mut store, i, "grow", &[Val::I32(2)]).unwrap(), -1);
    assert_eq!(call_i32(&mut store, i, "grow", &[Val::I32(1)]).unwrap(), 3);
    assert_eq!(call_i32(&mut store, i, "grow", &[Val::I32(1)]).unwrap(), -1);
    let mem = i.get_memory(&store, "mem").unwrap();
    assert_eq!(mem.size(&store), 4);
    assert!(mem.grow(&mut store, 1).is_err());

    // A second memory would take the store past its budget even at its minimum.
    let ty = MemoryType::new(1, None);
    let t = Memory::new(&mut store, ty).unwrap_err();
    let l = t.limit_exceeded().unwrap();
    assert_eq!(l.resource, Resource::MemorySize);
    assert_eq!(l.needed, 5 * PAGE_SIZE as u64);
    assert_eq!(l.limit, 4 * PAGE_SIZE as u64);
}

#[test]
fn memory_creation_past_the_budget_is_an_instantiation_error() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    store.set_limits(StoreLimitsBuilder::new().memory_size(PAGE_SIZE).build());
    let m = module(&engine, "(module (memory 2))");
    let e = instantiate(&mut store, &m).unwrap_err();
    let l = limit_of(&e);
    assert_eq!(l.resource, Resource::MemorySize);
    assert!(e.to_string().contains("linear memory bytes"), "{e}");
    // Nothing of the failed instance was kept against the budget.
    let m = module(&engine, "(module (memory 1))");
    instantiate(&mut store, &m).unwrap();
}

#[test]
fn instance_memory_and_table_counts_are_limited() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    store.set_limits(
        StoreLimitsBuilder::new()
            .instances(2)
            .memories(1)
            .tables(1)
            .build(),
    );
    let empty = module(&engine, "(module)");
    instantiate(&mut store, &empty).unwrap();
    instantiate(&mut store, &empty).unwrap();
    let l = limit_of(&instantiate(&mut store, &empty).unwrap_err());
    assert_eq!(l.resource, Resource::Instances);
    assert_eq!((l.needed, l.limit), (3, 2));

    let mut store = Store::new(&engine, ());
    store.set_limits(StoreLimitsBuilder::new().memories(1).tables(1).build());
    let two_tables = module(&engine, "(module (table 1 funcref) (table 1 funcref))");
    assert_eq!(
        limit_of(&instantiate(&mut store, &two_tables).unwrap_err()).resource,
        Resource::Tables
    );
    // wat has no multi-memory by default; a host memory plus a module memory is two.
    Memory::new(&mut store, MemoryType::new(0, None)).unwrap();
    let one_memory = module(&engine, "(module (memory 0))");
    assert_eq!(
        limit_of(&instantiate(&mut store, &one_memory).unwrap_err()).resource,
        Resource::Memories
    );
}

/// A function with `n` i64 locals that calls itself forever, touching its last local.
fn huge_frame_module(n: usize) -> String {
    format!(
        r#"(module (func $f (export "f") (local {})
             (local.set {last} (i64.const 1))
             (call $f)))"#,
        "i64 ".repeat(n),
        last = n - 1
    )
}

#[test]
fn a_frame_past_the_value_stack_budget_traps_instead_of_allocating() {
    let engine = Engine::default();
    let m = module(&engine, &huge_frame_module(50_000));
    let mut store = Store::new(&engine, ());
    // One frame is 400 KB: more than the whole budget.
    store.set_limits(StoreLimitsBuilder::new().value_stack(64 * 1024).build());
    let i = instantiate(&mut store, &m).unwrap();
    let f = i.get_func(&store, "f").unwrap();
    let t = f.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(t.code(), Some(TrapCode::StackExhausted));
    assert_eq!(t.backtrace().len(), 1, "the first frame did not fit");
}

#[test]
fn deep_huge_frames_stop_at_the_value_stack_budget() {
    let engine = Engine::default();
    let m = module(&engine, &huge_frame_module(50_000));
    let mut store = Store::new(&engine, ());
    store.set_limits(StoreLimitsBuilder::new().value_stack(16 << 20).build());
    let i = instantiate(&mut store, &m).unwrap();
    let f = i.get_func(&store, "f").unwrap();
    let before = peak_rss();
    let t = f.call(&mut store, &[], &mut []).unwrap_err();
    let after = peak_rss();
    assert_eq!(t.code(), Some(TrapCode::StackExhausted));
    // 16 MiB / 400 KB per frame: about 40 frames, far short of the call-depth limit.
    let depth = t.backtrace().len();
    assert!((30..=45).contains(&depth), "depth {depth}");
    if let (Some(b), Some(a)) = (before, after) {
        assert!(a - b < 64 * MIB, "peak RSS grew by {} MiB", (a - b) / MIB);
    }
}

#[test]
fn config_limits_still_apply_under_generous_store_limits() {
    let engine = Engine::new(Config {
        max_memory_pages: 2,
        max_table_elements: 5,
        ..Config::default()
    });
    let mut store = Store::new(&engine, ());
    assert_eq!(*store.limits(), StoreLimits::default());
    let m = module(&engine, "(module (memory 3))");
    assert!(instantiate(&mut store, &m).is_err());
    let m = module(&engine, "(module (table 6 funcref))");
    assert!(instantiate(&mut store, &m).is_err());
}

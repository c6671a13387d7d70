//! `memory.grow` benchmark (not a test): N single-page grows from wasm, each followed by a
//! store into the new page, on kpio-wasm and wasmi side by side. Real allocators (CPython's,
//! dlmalloc's) grow memory this way; an engine that copies the whole memory on each grow
//! makes it quadratic (issue 7, defect 4).
//!
//!     cargo run --release -p kpio-bench --bin kpio-bench-grow -- [--grows N] [--runs N] [--skip-wasmi]
//!
//! N defaults to 4096 (from 1 page to 4097 pages, 256 MiB); each run uses a fresh store and
//! instance, instantiation is not timed, and the best run is reported. `--skip-wasmi` is for
//! large N: wasmi 2.0's `memory.grow` handler does not tail-call into a jump and overflows
//! the 8 MiB main stack at 65535 grows.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use wasm_encoder::{
    BlockType, CodeSection, ExportKind, ExportSection, Function, FunctionSection, MemArg,
    MemArgTarget, MemorySection, MemoryType, Module, TypeSection, ValType,
};

/// `(func (export "grow") (param $n i32) (result i64))`: grows memory 0 by one page `$n`
/// times, writing the new page's first byte each time, and returns the final size in pages
/// (or -1 as soon as a grow is refused).
fn module() -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I64]);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("grow", ExportKind::Func, 0);

    // Locals: 1 = the old size in pages.
    let mut f = Function::new([(1, ValType::I32)]);
    let byte = MemArg {
        offset: 0,
        align: 0,
        target: MemArgTarget::Memory(0),
        ordering: None,
    };
    let mut s = f.instructions();
    s.block(BlockType::Empty).loop_(BlockType::Empty);
    // while n != 0
    s.local_get(0).i32_eqz().br_if(1);
    s.i32_const(1).memory_grow(0).local_tee(1);
    s.i32_const(-1).i32_eq().if_(BlockType::Empty);
    s.i64_const(-1).return_();
    s.end();
    // mem[old * 65536] = n
    s.local_get(1)
        .i32_const(16)
        .i32_shl()
        .local_get(0)
        .i32_store8(byte);
    s.local_get(0).i32_const(1).i32_sub().local_set(0);
    s.br(0).end().end();
    s.memory_size(0).i64_extend_i32_u().end();
    let mut code = CodeSection::new();
    code.function(&f);

    let mut m = Module::new();
    m.section(&types)
        .section(&funcs)
        .section(&memories)
        .section(&exports)
        .section(&code);
    m.finish()
}

/// One engine's timed run: (time of the call, its result).
type Runner = fn(&[u8], i32) -> Result<(Duration, i64)>;

fn kpio(wasm: &[u8], grows: i32) -> Result<(Duration, i64)> {
    use kpio_wasm::{Engine, Linker, Store, Val};
    let engine = Engine::default();
    let module = kpio_wasm::Module::new(&engine, wasm).context("kpio: Module::new failed")?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .context("kpio: instantiate failed")?;
    let f = instance
        .get_func(&store, "grow")
        .context("kpio: no export `grow`")?;
    let mut out = [Val::I64(0)];
    let start = Instant::now();
    f.call(&mut store, &[Val::I32(grows)], &mut out)
        .context("kpio: `grow` trapped")?;
    let dt = start.elapsed();
    match out[0] {
        Val::I64(v) => Ok((dt, v)),
        other => bail!("kpio: `grow` returned {other:?}"),
    }
}

fn wasmi(wasm: &[u8], grows: i32) -> Result<(Duration, i64)> {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).context("wasmi: Module::new failed")?;
    let mut store = wasmi::Store::new(&engine, ());
    let instance = wasmi::Linker::<()>::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .context("wasmi: instantiate failed")?;
    let f = instance
        .get_typed_func::<i32, i64>(&store, "grow")
        .context("wasmi: no export `grow`")?;
    let start = Instant::now();
    let v = f.call(&mut store, grows).context("wasmi: `grow` trapped")?;
    Ok((start.elapsed(), v))
}

fn arg(name: &str, default: usize) -> Result<usize> {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .map(|n| n.parse().with_context(|| format!("{name} takes a number")))
        .transpose()
        .map(|v| v.unwrap_or(default))
}

fn main() -> Result<()> {
    let grows = arg("--grows", 4096)?;
    let runs = arg("--runs", 5)?.max(1);
    let grows_i32 = i32::try_from(grows).context("--grows is too large")?;
    let skip_wasmi = std::env::args().any(|a| a == "--skip-wasmi");
    let wasm = module();
    let expected = grows as i64 + 1;
    let mut best = [Duration::MAX; 2];
    let engines: &[Runner] = if skip_wasmi { &[kpio] } else { &[kpio, wasmi] };
    for _ in 0..runs {
        for (i, run) in engines.iter().enumerate() {
            let (dt, v) = run(&wasm, grows_i32)?;
            if v != expected {
                bail!(
                    "{}: ended with {v} pages, expected {expected}",
                    ["kpio", "wasmi"][i]
                );
            }
            best[i] = best[i].min(dt);
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("{grows} single-page memory.grow calls (1 -> {expected} pages), best of {runs}:");
    println!("| engine     |     ms |");
    println!("| :--------- | -----: |");
    println!("| kpio-wasm  | {:6.2} |", ms(best[0]));
    if !skip_wasmi {
        println!("| wasmi 2.0  | {:6.2} |", ms(best[1]));
        println!(
            "kpio/wasmi: {:.2}",
            best[0].as_secs_f64() / best[1].as_secs_f64()
        );
    }
    Ok(())
}

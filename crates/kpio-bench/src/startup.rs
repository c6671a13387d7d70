//! Generates a large, valid WebAssembly module for the startup benchmark
//! (decode + validate, and instantiate). Nothing is checked in: the module is
//! built here with `wasm-encoder`, deterministically, to at least the
//! requested size.
//!
//! Shape: one `(i32, i32) -> i32` type, a 16-page memory with a 256 KiB data
//! segment, a few globals, a funcref table holding every function (one
//! active element segment), and many functions whose bodies repeat a mix of
//! local/global access, loads and stores, integer arithmetic on i32 and i64,
//! `block`/`br_if`, `if`/`else` and direct calls. About 100 functions are
//! exported. Those bodies are never run.
//!
//! One more function, exported as [`FIRST`], is `() -> i32` and returns a constant:
//! calling it measures the time to the first executed instruction (decode, validate,
//! instantiate, call) without running any of the generated code.
//!
//! And one, exported as [`WORK`], is `(i32) -> i64`: a small hot loop (xorshift, a store
//! and a load in a 64 KiB region of memory the data segment leaves zeroed) run `n` times.
//! The "large program" measurement times decode through its result: a big module of which
//! a run uses a small hot part, as with a language runtime. [`work_reference`] computes its
//! result in Rust.

use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, ElementSection, Elements, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, MemArg, MemArgTarget,
    MemorySection, MemoryType, Module, RefType, TableSection, TableType, TypeSection, ValType,
};

/// Approximate size of one generated function body in bytes.
const BODY_BYTES: usize = 5_000;
const DATA_BYTES: usize = 256 * 1024;
const GLOBALS: u32 = 8;

/// The trivial export: `() -> i32`, returns [`FIRST_RESULT`].
pub const FIRST: &str = "first";
/// What [`FIRST`] returns.
pub const FIRST_RESULT: i32 = 42;
/// The hot loop: `(i32) -> i64`, see the module docs.
pub const WORK: &str = "work";
/// Where [`WORK`]'s 64 KiB region starts (past the data segment).
const WORK_BASE: u32 = 0x8_0000;
/// [`WORK`]'s xorshift seed.
const WORK_SEED: u32 = 0x9e37_79b9;

/// What [`WORK`] returns for `n`, computed the same way in Rust.
pub fn work_reference(n: i32) -> i64 {
    let mut region = vec![0u32; 0x4000];
    let (mut x, mut acc) = (WORK_SEED, 0i64);
    for _ in 0..n.max(0) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let slot = ((x & 0xfffc) / 4) as usize;
        region[slot] = region[slot].wrapping_add(x);
        acc = acc.wrapping_add(region[slot ^ 1] as i64);
    }
    acc
}

/// Builds a module of at least `min_bytes` bytes.
pub fn generate(min_bytes: usize) -> Vec<u8> {
    let num_funcs = (min_bytes / BODY_BYTES + 1).max(2) as u32;
    let mut seed = 0x2545_F491u32;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };

    let mut types = TypeSection::new();
    types
        .ty()
        .function([ValType::I32, ValType::I32], [ValType::I32]);
    types.ty().function([], [ValType::I32]);
    types.ty().function([ValType::I32], [ValType::I64]);

    let mut funcs = FunctionSection::new();
    for _ in 0..num_funcs {
        funcs.function(0);
    }
    // The trivial export and the hot loop, after the generated functions (and outside
    // the table).
    funcs.function(1);
    funcs.function(2);

    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: num_funcs as u64,
        maximum: Some(num_funcs as u64),
        shared: false,
    });

    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 16,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });

    let mut globals = GlobalSection::new();
    for g in 0..GLOBALS {
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(g as i32 * 7),
        );
    }

    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("table", ExportKind::Table, 0);
    for f in (0..num_funcs).step_by((num_funcs as usize / 100).max(1)) {
        exports.export(&format!("f{f}"), ExportKind::Func, f);
    }
    exports.export(FIRST, ExportKind::Func, num_funcs);
    exports.export(WORK, ExportKind::Func, num_funcs + 1);

    let mut elements = ElementSection::new();
    let all: Vec<u32> = (0..num_funcs).collect();
    elements.active(
        None,
        &ConstExpr::i32_const(0),
        Elements::Functions(all.into()),
    );

    let mut code = CodeSection::new();
    for f in 0..num_funcs {
        code.function(&body(f, num_funcs, &mut rnd));
    }
    let mut first = Function::new([]);
    first.instructions().i32_const(FIRST_RESULT).end();
    code.function(&first);
    code.function(&work());

    let mut data = DataSection::new();
    let bytes: Vec<u8> = (0..DATA_BYTES).map(|_| rnd() as u8).collect();
    data.active(0, &ConstExpr::i32_const(1024), bytes);

    let mut module = Module::new();
    module
        .section(&types)
        .section(&funcs)
        .section(&tables)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&elements)
        .section(&code)
        .section(&data);
    module.finish()
}

/// [`WORK`]: param 0 `n`; locals 1 `x` (i32), 2 `acc` (i64), 3 `addr` (i32).
fn work() -> Function {
    let mut f = Function::new([(1, ValType::I32), (1, ValType::I64), (1, ValType::I32)]);
    let mut s = f.instructions();
    s.i32_const(WORK_SEED as i32).local_set(1);
    s.block(BlockType::Empty).loop_(BlockType::Empty);
    s.local_get(0).i32_eqz().br_if(1);
    for (shift, left) in [(13, true), (17, false), (5, true)] {
        s.local_get(1).local_get(1).i32_const(shift);
        if left {
            s.i32_shl();
        } else {
            s.i32_shr_u();
        }
        s.i32_xor().local_set(1);
    }
    // region[x & 0xfffc] += x
    s.local_get(1).i32_const(0xfffc).i32_and().local_set(3);
    s.local_get(3)
        .local_get(3)
        .i32_load(mem(WORK_BASE, 2))
        .local_get(1)
        .i32_add()
        .i32_store(mem(WORK_BASE, 2));
    // acc += region[(x & 0xfffc) ^ 4] (as u32)
    s.local_get(2)
        .local_get(3)
        .i32_const(4)
        .i32_xor()
        .i32_load(mem(WORK_BASE, 2))
        .i64_extend_i32_u()
        .i64_add()
        .local_set(2);
    s.local_get(0).i32_const(1).i32_sub().local_set(0);
    s.br(0).end().end();
    s.local_get(2).end();
    f
}

fn mem(offset: u32, align: u32) -> MemArg {
    MemArg {
        offset: offset as u64,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// Params: 0, 1 (i32). Locals: 2..=5 i32, 6..=7 i64.
fn body(index: u32, num_funcs: u32, rnd: &mut impl FnMut() -> u32) -> Function {
    let mut f = Function::new([(4, ValType::I32), (2, ValType::I64)]);
    let mut unit = 0u32;
    while f.byte_len() < BODY_BYTES {
        let c = rnd();
        let off = (c >> 8) & 0xfff0;
        let mut s = f.instructions();
        s.local_get(0).i32_const(c as i32).i32_add().local_set(2);
        s.local_get(2)
            .i32_const(0xffff)
            .i32_and()
            .i32_load(mem(off, 2))
            .local_get(1)
            .i32_xor();
        s.local_set(3);
        s.block(BlockType::Empty);
        s.local_get(3)
            .i32_const((c >> 3) as i32 & 0xff)
            .i32_and()
            .br_if(0);
        s.local_get(3)
            .i32_const(c.rotate_left(7) as i32)
            .i32_mul()
            .local_set(1);
        s.local_get(1)
            .i64_extend_i32_u()
            .local_get(6)
            .i64_add()
            .local_set(6);
        s.local_get(6)
            .i64_const((c as i64) << 17)
            .i64_xor()
            .i64_const(3)
            .i64_rotl()
            .local_set(7);
        s.end();
        s.local_get(1).if_(BlockType::Result(ValType::I32));
        s.local_get(2).global_get(unit % GLOBALS).i32_sub();
        s.else_();
        s.local_get(3).i32_const(5).i32_shr_u();
        s.end();
        s.local_tee(4).global_set((unit + 3) % GLOBALS);
        s.local_get(2)
            .i32_const(0xfffc)
            .i32_and()
            .local_get(4)
            .i32_store(mem(off, 2));
        s.local_get(7)
            .i32_wrap_i64()
            .local_get(4)
            .i32_add()
            .local_set(5);
        if unit % 8 == 7 {
            let callee = (index + 1 + (c % 64)) % num_funcs;
            s.local_get(5)
                .local_get(1)
                .call(callee)
                .local_get(0)
                .i32_add()
                .local_set(0);
        }
        unit += 1;
    }
    f.instructions().local_get(0).local_get(5).i32_add().end();
    f
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_module_is_valid_and_large_enough() {
        let wasm = super::generate(200_000);
        assert!(wasm.len() >= 200_000, "{} bytes", wasm.len());
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &wasm[..]).expect("valid module");
        let mut store = wasmi::Store::new(&engine, ());
        let instance = wasmi::Linker::<()>::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .expect("instantiates");
        let first = instance
            .get_typed_func::<(), i32>(&store, super::FIRST)
            .expect("the trivial export");
        assert_eq!(first.call(&mut store, ()).unwrap(), super::FIRST_RESULT);
        // The hot loop, run by wasmi (a few iterations: its handlers only tail-call each
        // other in optimised builds, so a debug build's stack grows with every
        // instruction) and by kpio-wasm's interpreter, against the same loop in Rust.
        let work = instance
            .get_typed_func::<i32, i64>(&store, super::WORK)
            .expect("the hot loop");
        for n in [0, 1, 7, 40] {
            assert_eq!(
                work.call(&mut store, n).unwrap(),
                super::work_reference(n),
                "work({n})"
            );
        }
        let k = crate::engines::Kpio::with_config(
            &wasm,
            crate::engines::kpio_config(kpio_wasm::Tier::Interp),
        )
        .unwrap();
        let n = 200_000;
        assert_eq!(k.run(super::WORK, n).unwrap().1, super::work_reference(n));
        assert_ne!(super::work_reference(n), 0);
    }
}

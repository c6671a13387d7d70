//! What the fuzz targets share (most of it the differential ones): `differential` (kpio-wasm against wasmi 2.0),
//! `tiers` (kpio-wasm's interpreter and native tier against each other and wasmi 2.0)
//! and `backends` (kpio-wasm's threaded dispatch against its portable loop). Each turns the
//! input into a wasm-smith module, runs it in several engines under the same limits, calls every
//! export with the same arguments and compares; the pieces here are the ones that do not
//! depend on what the second engine is: the wasm-smith base configuration, kpio's limits,
//! argument drawing, the stats switch, and the module dump and hex print.
//!
//! `oracle` holds what the targets that compare kpio against wasmi 2.0 (`differential`,
//! `tiers`) share: comparable outcomes and values, wasmi's setup, one call in each engine,
//! and the comparison of exported state.
//!
//! Each target includes this file as `mod common;`; a target uses only part of it.
#![allow(dead_code)]

pub mod oracle;

use arbitrary::Unstructured;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Largest memory wasm-smith may declare (min and max), in 64 KiB pages.
pub const SMITH_MAX_PAGES: u64 = 16;
/// Largest table wasm-smith may declare.
pub const SMITH_MAX_TABLE: u64 = 1_000;
/// `memory.grow` / `table.grow` limits, identical in both engines so growth fails alike.
pub const ENGINE_MAX_PAGES: u32 = 32;
pub const ENGINE_MAX_TABLE: u32 = 10_000;
/// Call depth limit in both engines.
pub const CALL_DEPTH: usize = 2_000;
/// Loop iterations plus function entries allowed per instance (`ensure_termination`).
pub const TERMINATION_FUEL: u32 = 20_000;

/// The wasm-smith configuration both targets start from: the features every engine in
/// them runs (WebAssembly 2.0 with fixed-width SIMD, multi-memory up to 4 memories,
/// memory64, tail calls, extended constant expressions), no imports, small memories and
/// tables, canonical NaNs, everything exported. Each target then sets the features that
/// differ between them: relaxed SIMD, exceptions and typed function references (which
/// wasm-smith only generates under its GC switch).
// One assignment per setting, each with its reason, reads better than one struct literal.
#[allow(clippy::field_reassign_with_default)]
pub fn smith_config() -> wasm_smith::Config {
    let mut c = wasm_smith::Config::default();
    // Features kpio does not implement (or not yet; see the targets for the others).
    c.threads_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.custom_page_sizes_enabled = false;
    c.wide_arithmetic_enabled = false;
    c.compact_imports_enabled = false;
    c.custom_descriptors_enabled = false;
    // Multi-memory and memory64 (with which wasm-smith also makes 64-bit tables; kpio and
    // wasmi 2.0 run those too).
    c.memory64_enabled = true;
    c.max_memories = 4;
    // Tail calls (wasm-smith's fuel check at every function entry bounds tail recursion
    // too) and extended constant expressions.
    c.tail_call_enabled = true;
    c.extended_const_enabled = true;
    // WebAssembly 2.0.
    c.simd_enabled = true;
    c.reference_types_enabled = true;
    c.bulk_memory_enabled = true;
    c.multi_value_enabled = true;
    c.saturating_float_to_int_enabled = true;
    c.sign_extension_ops_enabled = true;
    c.allow_floats = true;
    // Nothing to import, so instantiation needs no host.
    c.max_imports = 0;
    c.min_imports = 0;
    // Small memories and tables: cheap to compare after every call.
    c.max_memory32_bytes = SMITH_MAX_PAGES * 65536;
    c.max_memory64_bytes = SMITH_MAX_PAGES as u128 * 65536;
    c.max_table_elements = SMITH_MAX_TABLE;
    c.max_tables = 4;
    // Deterministic floats; every item exported so its state can be compared.
    c.canonicalize_nans = true;
    c.export_everything = true;
    c.allow_start_export = true;
    c.generate_custom_sections = true;
    c
}

/// The instruction kinds for modules made under wasm-smith's GC switch (its only way to
/// typed function references): all but struct and array instructions, which would only make
/// more modules GC ones (kpio refuses GC).
pub fn instructions_without_gc() -> wasm_smith::InstructionKinds {
    wasm_smith::InstructionKinds::new(&[
        wasm_smith::InstructionKind::Numeric,
        wasm_smith::InstructionKind::Vector,
        wasm_smith::InstructionKind::Reference,
        wasm_smith::InstructionKind::Parametric,
        wasm_smith::InstructionKind::Variable,
        wasm_smith::InstructionKind::Table,
        wasm_smith::InstructionKind::Memory,
        wasm_smith::InstructionKind::Control,
    ])
}

/// kpio's limits in these targets (the same for every kpio engine in them).
pub fn kpio_config() -> kpio_wasm::Config {
    kpio_wasm::Config {
        max_value_stack: 1 << 20,
        max_call_depth: CALL_DEPTH,
        max_memory_pages: ENGINE_MAX_PAGES,
        max_table_elements: ENGINE_MAX_TABLE,
        consume_fuel: false,
        // Hot functions are compiled by the thread that finds them hot, at a fixed call:
        // engines given the same calls then run the same code in the same tier. With the
        // background compiler, when code is published depends on timing, and so does where
        // a resource limit cuts (interpreted frames take value-stack slots, native ones do
        // not): `backends` found the value stack running out 51 frames apart in two runs.
        jit_background: false,
        ..kpio_wasm::Config::default()
    }
}

/// An argument of type `ty`, drawn from the fuzz input (zeros once it runs out). Only
/// externrefs carry a value among the references (a host handle both engines are given
/// alike); other references are null, the one value of them that can be named identically
/// in two stores without imports (a non-nullable parameter then gets a null, which both
/// engines must refuse alike).
pub fn kpio_arg(u: &mut Unstructured<'_>, ty: kpio_wasm::ValType) -> kpio_wasm::Val {
    use kpio_wasm::{F32, F64, Val as K, ValType as T};
    match ty {
        T::I32 => K::I32(u.arbitrary().unwrap_or(0)),
        T::I64 => K::I64(u.arbitrary().unwrap_or(0)),
        T::F32 => K::F32(F32::from_bits(u.arbitrary().unwrap_or(0))),
        T::F64 => K::F64(F64::from_bits(u.arbitrary().unwrap_or(0))),
        T::V128 => K::V128(u.arbitrary().unwrap_or(0)),
        T::ExternRef => K::ExternRef(
            u.arbitrary::<Option<u32>>()
                .unwrap_or(None)
                .map(kpio_wasm::ExternRef::new),
        ),
        T::FuncRef | T::ExnRef | T::Ref(_) => K::default_for(ty),
    }
}

pub fn bump(c: &AtomicU64) {
    c.fetch_add(1, Relaxed);
}

/// Whether `KPIO_FUZZ_STATS` is set: the targets then print their counters, and one-sided
/// events as they happen.
pub fn stats_on() -> bool {
    std::env::var_os("KPIO_FUZZ_STATS").is_some()
}

/// Whether the stats are due after `n` inputs: every 10,000 inputs, or every N with
/// `KPIO_FUZZ_STATS=N`.
pub fn stats_due(n: u64) -> bool {
    let every = std::env::var("KPIO_FUZZ_STATS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|&e| e > 0)
        .unwrap_or(10_000);
    stats_on() && n.is_multiple_of(every)
}

/// With `KPIO_FUZZ_DUMP_DIR=dir`, writes each generated module to `dir/<hash>.wasm`: running
/// a target over its corpus with `-runs=0` makes a seed corpus of valid modules for
/// `module_new` (see fuzz/README.md).
pub fn dump(wasm: &[u8]) {
    use std::hash::{Hash, Hasher};
    if let Some(dir) = std::env::var_os("KPIO_FUZZ_DUMP_DIR") {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        wasm.hash(&mut h);
        let path = std::path::Path::new(&dir).join(format!("{:016x}.wasm", h.finish()));
        std::fs::write(path, wasm).expect("KPIO_FUZZ_DUMP_DIR is writable");
    }
}

/// The module as hex, for the panic message (the crash artifact reproduces it anyway).
pub fn print_module(wasm: &[u8]) -> String {
    let mut s = format!("module ({} bytes):", wasm.len());
    for (i, b) in wasm.iter().enumerate() {
        if i % 32 == 0 {
            s.push('\n');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

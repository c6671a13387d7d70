//! The translator: turns one validated function body into register bytecode (see `ir`), on
//! the function's first call in any instance of its module.
//!
//! Translation reads only the module: entities keep their module indices in the code, and
//! the executor resolves them through the running instance. So the result goes into the
//! module's code map (see `code`) and serves every instance.
//!
//! It walks the operators once, after a pre-scan that fixes the frame layout (`prescan`),
//! keeping a compile-time model of the operand stack (`stack`) in which each entry is a
//! local, a constant, or a temp living at its canonical slot. Code is emitted with a little
//! peephole bookkeeping (`emit`): compare+branch fusion and retargeting a result into a
//! local. Blocks, loops, `if`s and branches are resolved at translation time (`control`),
//! so execution never searches. The operators arrive through wasmparser's `VisitOperator`
//! (`visit`): an operator the engine does not translate is a compile error here, and the
//! proposals it does not run yet are listed there explicitly.
//!
//! | file | idea |
//! |---|---|
//! | `prescan.rs` | constants and `if` spill slots: the frame layout |
//! | `stack.rs` | the operand stack model: locals, constants, temps, lazy copies |
//! | `emit.rs` | emitting instructions, fuel and interrupt checks, peepholes |
//! | `fuse.rs` | immediate operands and fused instructions |
//! | `control.rs` | control frames, branches and their fix-ups, returns |
//! | `try_table.rs` | exception handling: `try_table`'s handler table and landing pads, `throw` |
//! | `visit.rs` | the one visitor: operator → instructions |
//! | `func_refs.rs` | typed function references: `call_ref`, `return_call_ref`, `ref.as_non_null` |
//! | `memory.rs` | multi-memory and memory64: the general memory instructions |
//! | `table.rs` | table instructions of either index type (table64) |
//! | `error.rs` | typed translation errors |

pub(crate) mod accumulator;
mod control;
mod emit;
mod error;
mod func_refs;
mod fuse;
mod memory;
mod prescan;
mod stack;
mod table;
mod try_table;
mod visit;

use crate::code::{CodeMap, CompiledFunc, Flavour, Handler};
use crate::ir::{Instr, Slot};
use crate::module::ModuleInner;
use crate::trap::Trap;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use control::Ctrl;
pub(crate) use error::TranslateError;
use stack::Opd;
use wasmparser::{BinaryReader, FunctionBody};

/// What translation reads: the module and the options the code is translated under.
pub(crate) struct Context<'a> {
    pub module: &'a ModuleInner,
    pub flavour: Flavour,
}

/// Function `index`'s code in `map` (one of `module`'s code maps), translating it first if
/// no instance of the module has run it yet. Threads that race here each translate; the
/// first to finish installs its code and the others use it.
pub(crate) fn compiled<'a>(
    module: &ModuleInner,
    map: &'a CodeMap,
    index: u32,
) -> Result<&'a CompiledFunc, Trap> {
    if let Some(c) = map.get(index) {
        return Ok(c);
    }
    let cx = Context {
        module,
        flavour: map.flavour,
    };
    let code = translate(&cx, index)?;
    // The executors trust translated code; in debug builds (every test run) check it.
    #[cfg(debug_assertions)]
    if let Err(e) = crate::verify::verify(module, index, &code) {
        panic!("internal error: {e}");
    }
    Ok(map.install(index, code))
}

/// The translation state of one function body.
struct Translator<'a> {
    cx: &'a Context<'a>,
    code: Vec<Instr>,
    /// The body's byte offset of each instruction in `code`.
    offsets: Vec<u32>,
    stack: Vec<Opd>,
    /// Per stack entry: its slot offset above `temps_base`, and whether it is a `v128`.
    offs: Vec<Slot>,
    wide: Vec<bool>,
    ctrl: Vec<Ctrl>,
    /// The highest the operand stack got, in slots.
    max_height: usize,
    temps_base: Slot,
    consts: BTreeMap<u64, Slot>,
    /// The constant area's values, from slot `const_base` on (for immediate operands).
    const_values: Vec<u64>,
    const_base: Slot,
    /// `v128` constants (and shuffle masks) → their first slot.
    layout_v128: BTreeMap<u128, Slot>,
    /// Local index → first slot, with one more entry for the end; empty when no local is a
    /// `v128`, and then local `i` is slot `i`.
    local_slots: Vec<Slot>,
    next_spill: Slot,
    nresults: usize,
    reachable: bool,
    /// Nesting depth of blocks skipped while unreachable.
    skip_depth: u32,
    /// No peephole rewrite may reach back past a label bound here.
    label_barrier: usize,
    /// The last instruction emitted, the stack height of the temp it wrote, and where it
    /// ends (after its `Aux` words).
    last_result: Option<(usize, usize, usize)>,
    /// How many stack entries are lazy reads of a local (`Opd::Local`).
    local_refs: usize,
    /// Byte offset of the operator being translated.
    offset: u32,
    /// The `ConsumeFuel` of the current straight-line stretch, with fuel metering on.
    fuel_pc: Option<usize>,
    /// The catch clauses of the `try_table`s closed so far (see `try_table`).
    handlers: Vec<Handler>,
    /// The open `try_table`s, innermost last.
    try_tables: Vec<try_table::OpenTry>,
}

impl<'a> Translator<'a> {
    /// A translator for a body whose constants sit at `consts`, spill slots start at
    /// `next_spill` and operand temps at `temps_base`; the body starts at byte `offset`.
    fn new(
        cx: &'a Context<'a>,
        consts: BTreeMap<u64, Slot>,
        temps_base: Slot,
        next_spill: Slot,
        nresults: usize,
        offset: u32,
    ) -> Self {
        Translator {
            cx,
            code: Vec::new(),
            offsets: Vec::new(),
            stack: Vec::new(),
            offs: Vec::new(),
            wide: Vec::new(),
            ctrl: Vec::new(),
            max_height: 0,
            temps_base,
            consts,
            const_values: Vec::new(),
            const_base: 0,
            layout_v128: BTreeMap::new(),
            local_slots: Vec::new(),
            next_spill,
            nresults,
            reachable: true,
            skip_depth: 0,
            label_barrier: 0,
            last_result: None,
            local_refs: 0,
            offset,
            fuel_pc: None,
            handlers: Vec::new(),
            try_tables: Vec::new(),
        }
    }
}

/// Translates function `index` (module index space) of `cx.module`.
pub(crate) fn translate(cx: &Context<'_>, index: u32) -> Result<CompiledFunc, Trap> {
    Ok(translate_body(cx, index)?)
}

fn translate_body(cx: &Context<'_>, index: u32) -> Result<CompiledFunc, TranslateError> {
    let m = cx.module;
    let range = m.bodies[(index - m.num_imported_funcs) as usize].clone();
    let body = FunctionBody::new(BinaryReader::new(
        &m.bytes[range.clone()],
        range.start as u64,
    ));
    let ty = m.func_type(index);
    // Locals (parameters first) in slots: a `v128` takes two. Only functions with a `v128`
    // local keep the index → slot map; elsewhere local `i` is slot `i`.
    let param_slots: u32 = ty.params().iter().map(|t| t.slots() as u32).sum();
    let mut wide_locals = param_slots as usize != ty.params().len();
    let nparams = param_slots;
    let mut nlocals = nparams;
    for l in body.get_locals_reader()? {
        let (count, t) = l?;
        let w = if t == wasmparser::ValType::V128 { 2 } else { 1 };
        wide_locals |= w == 2 && count > 0;
        nlocals = count
            .checked_mul(w)
            .and_then(|n| nlocals.checked_add(n))
            .ok_or(TranslateError::TooManyLocals)?;
    }
    let mut local_slots = Vec::new();
    if wide_locals {
        let mut next = 0;
        for t in ty.params() {
            local_slots.push(next);
            next += t.slots() as u32;
        }
        for l in body.get_locals_reader()? {
            let (count, t) = l?;
            let w = if t == wasmparser::ValType::V128 { 2 } else { 1 };
            for _ in 0..count {
                local_slots.push(next);
                next += w;
            }
        }
        local_slots.push(next);
    }

    let layout = prescan::scan(m, body.get_operators_reader()?, nlocals)?;
    let nconsts = layout.const_values.len() as u32;
    let temps_base = nlocals + nconsts + layout.nspill;

    let mut t = Translator::new(
        cx,
        layout.consts,
        temps_base,
        nlocals + nconsts,
        ty.results().len(),
        range.start as u32,
    );
    t.local_slots = local_slots;
    t.const_values = layout.const_values.clone();
    t.const_base = nlocals;
    t.layout_v128 = layout.v128;
    t.ctrl.push(Ctrl::function(t.nresults));
    t.start_fuel_block();
    t.check_interrupt();
    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        t.offset = ops.original_position() as u32;
        if t.reachable {
            ops.visit_operator(&mut t)??;
        } else {
            let op = ops.read()?;
            t.skip_unreachable(&op);
        }
    }
    let result_slots: usize = ty.results().iter().map(|t| t.slots()).sum();
    let frame_size = (temps_base as usize + t.max_height).max(result_slots);
    accumulator::place(&mut t.code, &t.handlers);
    Ok(CompiledFunc {
        code: t.code.into_boxed_slice(),
        offsets: t.offsets.into_boxed_slice(),
        nparams,
        nlocals,
        frame_init: core::iter::repeat_n(0, (nlocals - nparams) as usize)
            .chain(layout.const_values)
            .collect(),
        frame_size: u32::try_from(frame_size).map_err(|_| TranslateError::FrameTooLarge)?,
        handlers: t.handlers.into_boxed_slice(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Module};
    use alloc::string::ToString;
    use wasmparser::VisitOperator;

    /// Operators of proposals the engine does not run are refused by validation; should one
    /// reach the translator anyway, it is a typed error naming the proposal and operator,
    /// not a panic or a silent mistranslation.
    #[test]
    fn refused_proposal_operators_are_typed_errors() {
        let wasm = wat::parse_str("(module (func))").unwrap();
        let module = Module::new(&Engine::default(), &wasm).unwrap();
        let cx = Context {
            module: &module.inner,
            flavour: Flavour {
                fuel: false,
                interruptible: false,
                osr: false,
                guarded: false,
            },
        };
        let mut t = Translator::new(&cx, BTreeMap::new(), 0, 0, 0, 0x2a);
        let e = t
            .visit_atomic_fence(wasmparser::Ordering::SeqCst)
            .unwrap_err();
        assert!(matches!(
            e,
            TranslateError::Unsupported {
                proposal: "threads",
                operator: "AtomicFence",
                offset: 0x2a
            }
        ));
        let trap: Trap = t.visit_ref_eq().unwrap_err().into();
        assert!(
            trap.to_string()
                .contains("unsupported: gc operator RefEq at byte offset 0x2a"),
            "{trap}"
        );
    }
}

//! A checker for translated code, run on every function after translation in builds with
//! debug assertions (so in every test run).
//!
//! The executors trust the code: they read and write frame slots, follow branch offsets and
//! read `Aux` words without checking. This pass checks what that trust rests on, so a
//! translator bug shows up as a clear panic naming the instruction instead of memory
//! corruption: every slot lies below the frame size, every branch lands on an instruction
//! (not past the end, not on an `Aux` word), `Aux` words follow exactly the instructions
//! that read them, `br_table` is followed by its `Br`s, entity indices are within the
//! module, call frames start where the arguments fit in the caller's frame, and the code
//! cannot run off its end.

use crate::code::CompiledFunc;
use crate::ir::{Base, Instr};
use crate::module::{ImportDesc, ModuleInner};
use crate::translate::accumulator;
use alloc::string::String;
use alloc::vec;
use core::fmt;

/// What is wrong with a translated function, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VerifyError {
    /// Module index of the function.
    pub func: u32,
    /// Index of the offending instruction, if the problem is with one.
    pub pc: Option<usize>,
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pc {
            Some(pc) => write!(
                f,
                "translated function {} at instruction {pc}: {}",
                self.func, self.message
            ),
            None => write!(f, "translated function {}: {}", self.func, self.message),
        }
    }
}

/// How many entities of each kind the module's index spaces hold (imports included).
struct Counts {
    funcs: u32,
    types: u32,
    globals: u32,
    tables: u32,
    memories: u32,
    elems: u32,
    datas: u32,
    tags: u32,
}

impl Counts {
    fn of(m: &ModuleInner) -> Self {
        let imported = |f: fn(&ImportDesc) -> bool| m.imports.iter().filter(|i| f(&i.desc)).count();
        let n = |x: usize| x as u32;
        Counts {
            funcs: n(m.funcs.len()),
            types: n(m.types.len()),
            globals: n(imported(|d| matches!(d, ImportDesc::Global(_))) + m.globals.len()),
            tables: n(imported(|d| matches!(d, ImportDesc::Table(_))) + m.tables.len()),
            memories: n(imported(|d| matches!(d, ImportDesc::Memory(_))) + m.memories.len()),
            elems: n(m.elems.len()),
            datas: n(m.datas.len()),
            tags: n(m.tags.len()),
        }
    }
}

/// Checks function `func`'s translated code `c` against its module.
pub(crate) fn verify(m: &ModuleInner, func: u32, c: &CompiledFunc) -> Result<(), VerifyError> {
    let fail = |pc: Option<usize>, message: String| VerifyError { func, pc, message };
    let code = &c.code;
    let frame = c.frame_size;
    if c.offsets.len() != code.len() {
        return Err(fail(
            None,
            alloc::format!(
                "{} offsets for {} instructions",
                c.offsets.len(),
                code.len()
            ),
        ));
    }
    if c.nparams > c.nlocals
        || (c.frame_init.len() as u64) < (c.nlocals - c.nparams) as u64
        || c.nparams as usize + c.frame_init.len() > frame as usize
    {
        return Err(fail(
            None,
            alloc::format!(
                "{} params, {} locals and {} initial slots do not fit a frame of {frame}",
                c.nparams,
                c.nlocals,
                c.frame_init.len()
            ),
        ));
    }
    let counts = Counts::of(m);

    // First pass: where instructions start (an `Aux` word is not one) and the `Aux` layout.
    let mut starts = vec![false; code.len()];
    let mut last = None;
    let mut pc = 0;
    while pc < code.len() {
        let i = code[pc];
        if let Instr::Aux { .. } = i {
            return Err(fail(Some(pc), "an Aux word no instruction reads".into()));
        }
        starts[pc] = true;
        last = Some(pc);
        let aux = i.aux_words();
        for k in 1..=aux {
            if !matches!(code.get(pc + k), Some(Instr::Aux { .. })) {
                return Err(fail(Some(pc), alloc::format!("{i:?} without its Aux word")));
            }
        }
        if let Instr::BrTable { len, .. } = i {
            let n = len as usize + 1;
            if !(1..=n).all(|k| matches!(code.get(pc + k), Some(Instr::Br { .. }))) {
                return Err(fail(
                    Some(pc),
                    alloc::format!("br_table without its {n} branches"),
                ));
            }
        }
        pc += 1 + aux;
    }

    // Second pass: operands of each instruction.
    let mut pc = 0;
    while pc < code.len() {
        let i = code[pc];
        let at = Some(pc);
        let mut bad_slot = None;
        i.for_each_slot(|s| {
            if s >= frame {
                bad_slot = Some(s);
            }
        });
        if let Some(s) = bad_slot {
            return Err(fail(
                at,
                alloc::format!("{i:?} names slot {s} of a frame of {frame}"),
            ));
        }
        let aux = match code.get(pc + 1) {
            Some(&Instr::Aux { a, b, c }) if i.aux_words() == 1 => (a, b, c),
            _ => (0, 0, 0),
        };
        let index = |what: &str, x: u32, n: u32| {
            if x < n {
                Ok(())
            } else {
                Err(fail(at, alloc::format!("{i:?}: {what} {x} of {n}")))
            }
        };
        let call_frame = |base: Base, ty: u32| {
            let t = &m.types[ty as usize];
            let need = base as usize + t.params().len().max(t.results().len());
            if need > frame as usize {
                Err(fail(
                    at,
                    alloc::format!(
                        "{i:?}: arguments and results need {need} slots of a frame of {frame}"
                    ),
                ))
            } else {
                Ok(())
            }
        };
        // Memory `mem` exists and its index type is `i64` exactly when `is64`.
        let memory = |mem: u32, is64: bool| {
            index("memory", mem, counts.memories)?;
            if m.memory_space[mem as usize].memory64 != is64 {
                let want = if is64 { "64" } else { "32" };
                return Err(fail(
                    at,
                    alloc::format!("{i:?}: memory {mem} is not {want}-bit"),
                ));
            }
            Ok(())
        };
        // Table `table` exists and its index type is `i64` exactly when `is64` (table64).
        let table = |table: u32, is64: bool| {
            index("table", table, counts.tables)?;
            if m.table_space[table as usize].table64 != is64 {
                let want = if is64 { "64" } else { "32" };
                return Err(fail(
                    at,
                    alloc::format!("{i:?}: table {table} is not {want}-bit"),
                ));
            }
            Ok(())
        };
        // A tail call's argument slots: the callee type's, inside this frame.
        let tail_args = |base: Base, n: u32, ty: u32| {
            let t = &m.types[ty as usize];
            let want: u32 = t.params().iter().map(|p| p.slots() as u32).sum();
            if n != want {
                return Err(fail(
                    at,
                    alloc::format!("{i:?}: {n} argument slots for a callee that takes {want}"),
                ));
            }
            if base as u64 + n as u64 > frame as u64 {
                return Err(fail(
                    at,
                    alloc::format!(
                        "{i:?}: arguments need {} slots of a frame of {frame}",
                        base + n
                    ),
                ));
            }
            Ok(())
        };
        match i {
            Instr::Call { func, base } => {
                index("function", func, counts.funcs)?;
                call_frame(base, m.funcs[func as usize])?;
            }
            Instr::CallIndirect { ty, base, .. } | Instr::CallIndirect64 { ty, base, .. } => {
                index("type", ty, counts.types)?;
                table(aux.0, matches!(i, Instr::CallIndirect64 { .. }))?;
                call_frame(base, ty)?;
            }
            Instr::ReturnCall { func, base } => {
                index("function", func, counts.funcs)?;
                tail_args(base, aux.0, m.funcs[func as usize])?;
            }
            Instr::ReturnCallIndirect { ty, base, .. }
            | Instr::ReturnCallIndirect64 { ty, base, .. } => {
                index("type", ty, counts.types)?;
                table(aux.0, matches!(i, Instr::ReturnCallIndirect64 { .. }))?;
                tail_args(base, aux.1, ty)?;
            }
            Instr::CallRef { ty, base, .. } => {
                index("type", ty, counts.types)?;
                call_frame(base, ty)?;
            }
            Instr::ReturnCallRef { ty, base, .. } => {
                index("type", ty, counts.types)?;
                tail_args(base, aux.0, ty)?;
            }
            // A throw's payload is laid out like a tail call's arguments.
            Instr::Throw { tag, base } => {
                index("tag", tag, counts.tags)?;
                tail_args(base, aux.0, m.tags[tag as usize])?;
            }
            // `Select`'s second value, `V128Select`'s condition: one slot.
            Instr::Select { .. }
            | Instr::SelectAccC { .. }
            | Instr::SelectAccA { .. }
            | Instr::V128Select { .. }
                if aux.0 >= frame =>
            {
                return Err(fail(
                    at,
                    alloc::format!("select operand in slot {} of a frame of {frame}", aux.0),
                ));
            }
            // A v128 operand in an Aux word: both of its slots.
            Instr::V128LoadLane { .. }
            | Instr::SimdTernary { .. }
            | Instr::SimdRelaxedTernary { .. }
                if aux.0 + 1 >= frame =>
            {
                return Err(fail(
                    at,
                    alloc::format!(
                        "{i:?}: v128 operand in slot {} of a frame of {frame}",
                        aux.0
                    ),
                ));
            }
            Instr::V128GlobalGet { g, .. } | Instr::V128GlobalSet { g, .. } => {
                index("global", g, counts.globals)?
            }
            Instr::GlobalGet { g, .. } | Instr::GlobalSet { g, .. } => {
                index("global", g, counts.globals)?
            }
            Instr::RefFunc { func, .. } => index("function", func, counts.funcs)?,
            Instr::MemorySize { mem, .. } => index("memory", mem, counts.memories)?,
            Instr::MemoryGrow { mem, .. } => memory(mem, false)?,
            Instr::MemoryFill { .. } | Instr::MemoryCopy { .. } => memory(aux.0, false)?,
            Instr::MemoryInit { .. } => {
                memory(aux.0, false)?;
                index("data segment", aux.1, counts.datas)?;
            }
            // Multi-memory and memory64: the memory exists and has the index type the
            // instruction reads its addresses with.
            Instr::MemLoad { is64, mem, .. }
            | Instr::MemStore { is64, mem, .. }
            | Instr::V128MemLoad { is64, mem, .. }
            | Instr::V128MemStore { is64, mem, .. } => memory(mem, is64)?,
            Instr::V128MemStoreLane { is64, mem, .. } => memory(u32::from(mem), is64)?,
            Instr::V128MemLoadLane { is64, mem, .. } => {
                memory(u32::from(mem), is64)?;
                if aux.0 + 1 >= frame {
                    return Err(fail(
                        at,
                        alloc::format!(
                            "{i:?}: v128 operand in slot {} of a frame of {frame}",
                            aux.0
                        ),
                    ));
                }
            }
            Instr::MemoryGrow64 { mem, .. } => memory(mem, true)?,
            Instr::MemoryFill64 { .. } => memory(aux.0, true)?,
            Instr::MemoryCopyAny { .. } => {
                memory(aux.0, aux.2 & 1 != 0)?;
                memory(aux.1, aux.2 & 2 != 0)?;
            }
            Instr::MemoryInit64 { .. } => {
                memory(aux.0, true)?;
                index("data segment", aux.1, counts.datas)?;
            }
            // The memory-0 forms: memory 0 exists and is 32-bit.
            Instr::I32Load { .. }
            | Instr::I64Load { .. }
            | Instr::F32Load { .. }
            | Instr::F64Load { .. }
            | Instr::I32Load8S { .. }
            | Instr::I32Load8U { .. }
            | Instr::I32Load16S { .. }
            | Instr::I32Load16U { .. }
            | Instr::I64Load8S { .. }
            | Instr::I64Load8U { .. }
            | Instr::I64Load16S { .. }
            | Instr::I64Load16U { .. }
            | Instr::I64Load32S { .. }
            | Instr::I64Load32U { .. }
            | Instr::I32Store { .. }
            | Instr::I64Store { .. }
            | Instr::I32Store8 { .. }
            | Instr::I32Store16 { .. }
            | Instr::I64Store8 { .. }
            | Instr::I64Store16 { .. }
            | Instr::I64Store32 { .. }
            | Instr::V128Load { .. }
            | Instr::V128LoadLane { .. }
            | Instr::V128Store { .. }
            | Instr::V128StoreLane { .. } => memory(0, false)?,
            Instr::DataDrop { data } => index("data segment", data, counts.datas)?,
            // Table instructions name an existing table of the index type they read indices
            // with (`TableSize` serves both).
            Instr::TableSize { table, .. } => index("table", table, counts.tables)?,
            Instr::TableGet { table: t, .. } | Instr::TableSet { table: t, .. } => table(t, false)?,
            Instr::TableGrow { .. } | Instr::TableFill { .. } => table(aux.0, false)?,
            Instr::TableCopy { .. } => {
                table(aux.0, false)?;
                table(aux.1, false)?;
            }
            Instr::TableInit { .. } => {
                table(aux.0, false)?;
                index("element segment", aux.1, counts.elems)?;
            }
            // table64
            Instr::TableGet64 { table: t, .. } | Instr::TableSet64 { table: t, .. } => {
                table(t, true)?
            }
            Instr::TableGrow64 { .. } | Instr::TableFill64 { .. } => table(aux.0, true)?,
            Instr::TableCopyAny { .. } => {
                table(aux.0, aux.2 & 1 != 0)?;
                table(aux.1, aux.2 & 2 != 0)?;
            }
            Instr::TableInit64 { .. } => {
                table(aux.0, true)?;
                index("element segment", aux.1, counts.elems)?;
            }
            Instr::ElemDrop { elem } => index("element segment", elem, counts.elems)?,
            _ => {}
        }
        if let Some(off) = i.branch_offset() {
            let target = pc as i64 + off as i64;
            if target < 0 || target >= code.len() as i64 || !starts[target as usize] {
                return Err(fail(
                    at,
                    alloc::format!("{i:?} branches to {target}, not an instruction"),
                ));
            }
        }
        pc += 1 + i.aux_words();
    }

    // Accumulator forms: where the register holds their accumulator operand (see
    // `translate::accumulator`).
    let held = accumulator::held_slots(code, &c.handlers);
    for pc in 0..code.len() {
        let Some(s) = accumulator::accumulator_operand(code[pc]) else {
            continue;
        };
        if held[pc] != Some(s) {
            return Err(fail(
                Some(pc),
                alloc::format!(
                    "{:?} reads slot {s} from the accumulator, which holds {:?} there",
                    code[pc],
                    held[pc]
                ),
            ));
        }
    }

    // Handler table: body ranges within the code, pads on instruction starts, payload (and
    // reference) slots inside the frame, tags within the module.
    for h in c.handlers.iter() {
        let fail_h = |message: String| fail(None, alloc::format!("handler {h:?}: {message}"));
        if h.start > h.end || h.end as usize > code.len() {
            return Err(fail_h("body range outside the code".into()));
        }
        if !starts.get(h.pad as usize).copied().unwrap_or(false) {
            return Err(fail_h("landing pad is not an instruction".into()));
        }
        let payload: u32 = if h.tag == crate::code::CATCH_ALL {
            0
        } else if h.tag < counts.tags {
            m.tag_type(h.tag)
                .params()
                .iter()
                .map(|p| p.slots() as u32)
                .sum()
        } else {
            return Err(fail_h(alloc::format!("tag {} of {}", h.tag, counts.tags)));
        };
        let need = h.dst as u64 + payload as u64 + h.with_ref as u64;
        if need > frame as u64 {
            return Err(fail_h(alloc::format!(
                "payload needs {need} slots of a frame of {frame}"
            )));
        }
    }

    // Execution must never run off the end.
    // (A tail call ends a function too; its `Aux` word is the last word of the code.)
    match last.map(|pc| code[pc]) {
        Some(
            Instr::Br { .. }
            | Instr::Return
            | Instr::Return1 { .. }
            | Instr::Trap { .. }
            | Instr::ReturnCall { .. }
            | Instr::ReturnCallIndirect { .. }
            | Instr::ReturnCallIndirect64 { .. }
            | Instr::ReturnCallRef { .. }
            | Instr::Throw { .. }
            | Instr::ThrowRef { .. },
        ) => Ok(()),
        other => Err(fail(
            last,
            alloc::format!("code ends with {other:?}, which falls through"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::Flavour;
    use crate::translate::{Context, translate};
    use crate::{Engine, Module};

    /// A module whose one function uses a branch, a select (with its Aux word), a call and
    /// a global.
    fn sample() -> (Module, CompiledFunc) {
        let module = module(
            r#"(module
              (global $g (mut i32) (i32.const 0))
              (func $f (param i32 i32) (result i32)
                (if (local.get 0) (then (global.set $g (local.get 1))))
                (select (local.get 0) (call $f (local.get 1) (i32.const 0)) (local.get 1))))"#,
        );
        let cx = plain(&module);
        let code = translate(&cx, 0).unwrap();
        (module, code)
    }

    /// The module of a WAT text.
    fn module(wat: &str) -> Module {
        Module::new(&Engine::default(), &wat::parse_str(wat).unwrap()).unwrap()
    }

    /// The translation context without fuel or interrupt checks.
    fn plain(m: &Module) -> Context<'_> {
        Context {
            module: &m.inner,
            flavour: Flavour {
                fuel: false,
                interruptible: false,
                osr: false,
                guarded: false,
            },
        }
    }

    fn find(c: &CompiledFunc, f: impl Fn(&Instr) -> bool) -> usize {
        c.code.iter().position(f).expect("instruction present")
    }

    #[test]
    fn translated_code_passes() {
        let (m, c) = sample();
        assert_eq!(verify(&m.inner, 0, &c), Ok(()));
    }

    #[test]
    fn an_accumulator_form_without_its_producer_is_caught() {
        let m = module(
            r#"(module (func (param i32 i32) (result i32)
                 (i32.add (i32.mul (local.get 0) (local.get 1)) (local.get 1))))"#,
        );
        let c = translate(&plain(&m), 0).unwrap();
        assert_eq!(verify(&m.inner, 0, &c), Ok(()));
        let pc = find(&c, |i| matches!(i, Instr::I32AddAccA { .. }));
        // The instruction before it no longer computes the operand.
        let mut bad = CompiledFunc {
            code: c.code.clone(),
            offsets: c.offsets.clone(),
            frame_init: c.frame_init.clone(),
            handlers: c.handlers.clone(),
            ..c
        };
        bad.code[pc - 1] = Instr::Copy { d: 0, s: 1 };
        let e = verify(&m.inner, 0, &bad).unwrap_err();
        assert_eq!(e.pc, Some(pc));
        assert!(e.message.contains("from the accumulator"), "{e}");
    }

    #[test]
    fn a_slot_past_the_frame_is_caught() {
        let (m, mut c) = sample();
        let pc = find(&c, |i| matches!(i, Instr::GlobalSet { .. }));
        c.code[pc] = Instr::GlobalSet {
            s: c.frame_size,
            g: 0,
        };
        let e = verify(&m.inner, 0, &c).unwrap_err();
        assert_eq!(e.pc, Some(pc));
        assert!(e.message.contains("names slot"), "{e}");
    }

    #[test]
    fn a_branch_out_of_range_or_into_an_aux_word_is_caught() {
        let (m, c) = sample();
        let pc = find(&c, |i| i.branch_offset().is_some());
        let aux = find(&c, |i| matches!(i, Instr::Aux { .. }));
        for target in [c.code.len() as i64, -1, aux as i64] {
            let mut bad = CompiledFunc {
                code: c.code.clone(),
                offsets: c.offsets.clone(),
                frame_init: c.frame_init.clone(),
                handlers: c.handlers.clone(),
                ..c
            };
            *bad.code[pc].branch_offset_mut().unwrap() = (target - pc as i64) as i32;
            let e = verify(&m.inner, 0, &bad).unwrap_err();
            assert!(e.message.contains("not an instruction"), "{e}");
        }
    }

    #[test]
    fn a_missing_or_stray_aux_word_is_caught() {
        let (m, c) = sample();
        let aux = find(&c, |i| matches!(i, Instr::Aux { .. }));
        let mut missing = c.code.to_vec();
        missing[aux] = Instr::Return;
        let bad = CompiledFunc {
            code: missing.into(),
            ..sample().1
        };
        assert!(
            verify(&m.inner, 0, &bad)
                .unwrap_err()
                .message
                .contains("without its Aux")
        );

        let mut stray = c.code.to_vec();
        stray[0] = Instr::Aux { a: 0, b: 0, c: 0 };
        let bad = CompiledFunc {
            code: stray.into(),
            ..sample().1
        };
        assert!(
            verify(&m.inner, 0, &bad)
                .unwrap_err()
                .message
                .contains("no instruction reads")
        );
    }

    /// Multi-memory and memory64: accesses to another memory or a 64-bit one translate to
    /// the general instructions, which pass; an index type that disagrees with the memory's,
    /// a memory-0 fast form on a 64-bit memory 0, or a memory out of range are caught.
    #[test]
    fn memory_indices_and_index_types_are_checked() {
        let m = module(
            r#"(module (memory $w i64 1) (memory $n 1)
                 (func (param i64 i32) (result i32)
                   (i64.store $w (local.get 0) (i64.const 1))
                   (memory.copy $n $w (local.get 1) (local.get 0) (i32.const 4))
                   (i32.load $n offset=4 (local.get 1))))"#,
        );
        let cx = plain(&m);
        let c = translate(&cx, 0).unwrap();
        assert_eq!(verify(&m.inner, 0, &c), Ok(()));
        let load = find(&c, |i| matches!(i, Instr::MemLoad { .. }));
        let store = find(&c, |i| matches!(i, Instr::MemStore { .. }));
        assert!(matches!(
            c.code[store],
            Instr::MemStore {
                is64: true,
                mem: 0,
                bytes: 8,
                ..
            }
        ));
        assert!(matches!(
            c.code[load],
            Instr::MemLoad {
                is64: false,
                mem: 1,
                ..
            }
        ));
        assert!(matches!(c.code[load + 1], Instr::Aux { a: 4, b: 0, .. }));
        let copy = find(&c, |i| matches!(i, Instr::MemoryCopyAny { .. }));
        assert!(matches!(c.code[copy + 1], Instr::Aux { a: 1, b: 0, c: 2 }));
        let corrupt = |pc: usize, i: Instr| {
            let mut code = c.code.to_vec();
            code[pc] = i;
            // An instruction without an `Aux` word in place of one with: its word becomes a
            // harmless instruction, so the check under test is the one that fires.
            if i.aux_words() == 0 && c.code[pc].aux_words() == 1 {
                code[pc + 1] = Instr::Copy { d: 0, s: 0 };
            }
            let bad = CompiledFunc {
                code: code.into(),
                offsets: c.offsets.clone(),
                frame_init: c.frame_init.clone(),
                handlers: c.handlers.clone(),
                ..c
            };
            verify(&m.inner, 0, &bad).unwrap_err().message
        };
        let Instr::MemLoad { kind, d, a, .. } = c.code[load] else {
            unreachable!()
        };
        let wrong_type = Instr::MemLoad {
            kind,
            is64: true,
            d,
            a,
            mem: 1,
        };
        assert!(corrupt(load, wrong_type).contains("not 64-bit"));
        let no_such_memory = Instr::MemLoad {
            kind,
            is64: false,
            d,
            a,
            mem: 2,
        };
        assert!(corrupt(load, no_such_memory).contains("memory 2 of 2"));
        // Memory 0 is 64-bit: the memory-0 fast forms may not touch it.
        let fast = Instr::I32Load { d, a, off: 4 };
        assert!(corrupt(load, fast).contains("memory 0 is not 32-bit"));
        let copy_flags = Instr::Aux { a: 1, b: 0, c: 0 };
        assert!(corrupt(copy + 1, copy_flags).contains("memory 0 is not 32-bit"));
    }

    /// table64: operators on a 64-bit table translate to the table64 forms, which pass; a
    /// 32-bit form on a 64-bit table, a table64 form on a 32-bit table, copy flags that
    /// disagree with the tables, or a table out of range are caught.
    #[test]
    fn table_indices_and_index_types_are_checked() {
        let m = module(
            r#"(module (table $w i64 2 funcref) (table $n 2 funcref) (elem $e func)
                 (func (param i64 i32) (result i32)
                   (table.set $w (local.get 0) (table.get $w (local.get 0)))
                   (drop (table.grow $w (ref.null func) (local.get 0)))
                   (table.fill $w (local.get 0) (ref.null func) (local.get 0))
                   (table.init $w $e (local.get 0) (local.get 1) (local.get 1))
                   (table.copy $n $w (local.get 1) (local.get 0) (local.get 1))
                   (drop (table.get $n (local.get 1)))
                   (return_call_indirect $w (result i32) (local.get 0))))"#,
        );
        let cx = plain(&m);
        let c = translate(&cx, 0).unwrap();
        assert_eq!(verify(&m.inner, 0, &c), Ok(()));
        for want in [
            |i: &Instr| matches!(i, Instr::TableGet64 { table: 0, .. }),
            |i: &Instr| matches!(i, Instr::TableSet64 { table: 0, .. }),
            |i: &Instr| matches!(i, Instr::TableGrow64 { .. }),
            |i: &Instr| matches!(i, Instr::TableFill64 { .. }),
            |i: &Instr| matches!(i, Instr::TableInit64 { .. }),
            |i: &Instr| matches!(i, Instr::TableGet { table: 1, .. }),
            |i: &Instr| matches!(i, Instr::ReturnCallIndirect64 { .. }),
        ] {
            find(&c, want);
        }
        let copy = find(&c, |i| matches!(i, Instr::TableCopyAny { .. }));
        assert!(matches!(c.code[copy + 1], Instr::Aux { a: 1, b: 0, c: 2 }));
        let corrupt = |pc: usize, i: Instr| {
            let mut code = c.code.to_vec();
            code[pc] = i;
            let bad = CompiledFunc {
                code: code.into(),
                offsets: c.offsets.clone(),
                frame_init: c.frame_init.clone(),
                handlers: c.handlers.clone(),
                ..c
            };
            verify(&m.inner, 0, &bad).unwrap_err().message
        };
        let get = find(&c, |i| matches!(i, Instr::TableGet64 { .. }));
        let Instr::TableGet64 { d, i, .. } = c.code[get] else {
            unreachable!()
        };
        let narrow = Instr::TableGet { d, i, table: 0 };
        assert!(corrupt(get, narrow).contains("table 0 is not 32-bit"));
        let wide = Instr::TableGet64 { d, i, table: 1 };
        assert!(corrupt(get, wide).contains("table 1 is not 64-bit"));
        let missing = Instr::TableGet64 { d, i, table: 2 };
        assert!(corrupt(get, missing).contains("table 2 of 2"));
        let flags = Instr::Aux { a: 1, b: 0, c: 3 };
        assert!(corrupt(copy + 1, flags).contains("table 1 is not 64-bit"));
        let tail = find(&c, |i| matches!(i, Instr::ReturnCallIndirect64 { .. }));
        let Instr::ReturnCallIndirect64 { ty, index, base } = c.code[tail] else {
            unreachable!()
        };
        let narrow = Instr::ReturnCallIndirect { ty, index, base };
        assert!(corrupt(tail, narrow).contains("table 0 is not 32-bit"));
    }

    /// A function that ends in a tail call (its `Aux` word is the code's last word) passes;
    /// a wrong argument slot count in that word is caught.
    #[test]
    fn tail_calls_end_functions_and_their_argument_count_is_checked() {
        let m = module(
            r#"(module (func $f (param i64 v128) (result i32)
                 (return_call $f (i64.const 1) (local.get 1))))"#,
        );
        let cx = plain(&m);
        let c = translate(&cx, 0).unwrap();
        assert!(matches!(c.code.last(), Some(Instr::Aux { a: 3, .. })));
        assert_eq!(verify(&m.inner, 0, &c), Ok(()));
        let mut code = c.code.to_vec();
        let last = code.len() - 1;
        code[last] = Instr::Aux { a: 2, b: 0, c: 0 };
        let bad = CompiledFunc {
            code: code.into(),
            ..translate(&cx, 0).unwrap()
        };
        let e = verify(&m.inner, 0, &bad).unwrap_err();
        assert!(
            e.message
                .contains("2 argument slots for a callee that takes 3"),
            "{}",
            e.message
        );
    }

    /// A function with a `try_table` passes; a handler whose pad is not an instruction, whose
    /// payload does not fit the frame, or whose tag is out of range is caught.
    #[test]
    fn handler_tables_are_checked() {
        let m = module(
            r#"(module (tag $e (param i64))
              (func (result i64)
                (block $h (result i64)
                  (try_table (catch $e $h) (throw $e (i64.const 1)))
                  (i64.const 0))))"#,
        );
        let cx = plain(&m);
        let c = translate(&cx, 0).unwrap();
        assert_eq!(c.handlers.len(), 1);
        assert_eq!(verify(&m.inner, 0, &c), Ok(()));
        let aux = find(&c, |i| matches!(i, Instr::Aux { .. }));
        let corrupt = |f: &dyn Fn(&mut crate::code::Handler)| {
            let good = translate(&cx, 0).unwrap();
            let mut h = good.handlers.to_vec();
            f(&mut h[0]);
            let bad = CompiledFunc {
                handlers: h.into(),
                ..good
            };
            verify(&m.inner, 0, &bad).unwrap_err().message
        };
        let e = corrupt(&|h| h.pad = aux as u32);
        assert!(e.contains("landing pad is not an instruction"), "{e}");
        let frame = c.frame_size;
        let e = corrupt(&|h| h.dst = frame);
        assert!(e.contains("payload needs"), "{e}");
        let e = corrupt(&|h| h.tag = 7);
        assert!(e.contains("tag 7 of 1"), "{e}");
        let e = corrupt(&|h| h.end = u32::MAX);
        assert!(e.contains("body range"), "{e}");
    }

    #[test]
    fn entity_indices_and_fall_through_are_caught() {
        let (m, c) = sample();
        let pc = find(&c, |i| matches!(i, Instr::Call { .. }));
        let mut code = c.code.to_vec();
        code[pc] = Instr::Call { func: 1, base: 0 };
        let bad = CompiledFunc {
            code: code.into(),
            ..sample().1
        };
        assert!(
            verify(&m.inner, 0, &bad)
                .unwrap_err()
                .message
                .contains("function 1 of 1")
        );

        let mut code = c.code.to_vec();
        let last = code.len() - 1;
        code[last] = Instr::Copy { d: 0, s: 0 };
        let bad = CompiledFunc {
            code: code.into(),
            ..sample().1
        };
        assert!(
            verify(&m.inner, 0, &bad)
                .unwrap_err()
                .message
                .contains("falls through")
        );
    }

    /// Typed function references: `call_ref` and a function that ends in `return_call_ref`
    /// pass; a bad type index, a callee frame past this one's, a wrong argument slot count
    /// and a reference slot past the frame are caught.
    #[test]
    fn call_ref_and_return_call_ref_are_checked() {
        let m = module(
            r#"(module
                 (type $t (func (param i64 v128) (result i32)))
                 (func (param (ref $t)) (result i32)
                   (drop (call_ref $t (i64.const 1) (v128.const i64x2 0 0) (local.get 0)))
                   (return_call_ref $t (i64.const 1) (v128.const i64x2 0 0) (local.get 0))))"#,
        );
        let cx = plain(&m);
        let c = translate(&cx, 0).unwrap();
        assert_eq!(verify(&m.inner, 0, &c), Ok(()));
        let with = |pc: usize, i: Instr| {
            let mut code = c.code.to_vec();
            code[pc] = i;
            let bad = CompiledFunc {
                code: code.into(),
                ..translate(&cx, 0).unwrap()
            };
            verify(&m.inner, 0, &bad).unwrap_err().message
        };
        let call = find(&c, |i| matches!(i, Instr::CallRef { .. }));
        let Instr::CallRef { r, base, .. } = c.code[call] else {
            unreachable!()
        };
        // Types: `$t` and the function's own.
        let e = with(call, Instr::CallRef { ty: 2, r, base });
        assert!(e.contains("type 2 of 2"), "{e}");
        let e = with(
            call,
            Instr::CallRef {
                ty: 0,
                r,
                base: c.frame_size,
            },
        );
        assert!(e.contains("arguments and results need"), "{e}");
        let e = with(
            call,
            Instr::CallRef {
                ty: 0,
                r: c.frame_size,
                base,
            },
        );
        assert!(e.contains("names slot"), "{e}");
        let last = c.code.len() - 1;
        assert!(matches!(c.code[last - 1], Instr::ReturnCallRef { .. }));
        let e = with(last, Instr::Aux { a: 2, b: 0, c: 0 });
        assert!(
            e.contains("2 argument slots for a callee that takes 3"),
            "{e}"
        );
    }
}

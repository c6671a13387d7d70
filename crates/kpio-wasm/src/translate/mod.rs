//! The translator: turns one validated function body into register bytecode (see `ir`), on
//! the function's first call in any instance of its module.
//!
//! Translation reads only the module: entities keep their module indices in the code, and
//! the executor resolves them through the running instance. So the result goes into the
//! module's code map (see `code`) and serves every instance.
//!
//! It walks the operators once, keeping a compile-time model of the operand stack in which
//! each entry is a local, a constant, or a temp living at its canonical slot
//! (`temps_base + height`). Locals and constants are used in place as operands; they are
//! copied into their canonical slot only when their value must survive a write to the local,
//! cross a block boundary, or be handed to a callee or a branch target. Branch targets and
//! the heights values travel to are resolved here, so execution never searches.

use crate::code::{CodeMap, CompiledFunc, Flavour};
use crate::ir::{Instr, Slot};
use crate::module::ModuleInner;
use crate::trap::{Trap, TrapCode};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;
use wasmparser::{BinaryReader, BlockType, FunctionBody, Operator};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Opd {
    /// The current value of a local (its slot is the local's index).
    Local(u32),
    /// A constant in the frame's constant area.
    Const(Slot),
    /// A computed value at its canonical slot.
    Temp,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
}

struct Ctrl {
    kind: Kind,
    /// Operand stack height below the block's parameters.
    height: usize,
    nparams: usize,
    nresults: usize,
    /// Loop header.
    start: usize,
    /// Forward branches to this block's end.
    fixups: Vec<usize>,
    /// For `if`: the branch to patch to the `else` (or the end, without one).
    else_fixup: Option<usize>,
    /// For `if` with parameters: where they are saved for the `else` arm.
    spill: Slot,
}

impl Ctrl {
    fn branch_arity(&self) -> usize {
        if self.kind == Kind::Loop {
            self.nparams
        } else {
            self.nresults
        }
    }
}

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

fn translate_error(e: wasmparser::BinaryReaderError) -> Trap {
    // Bodies were validated by `Module::new`, so this means an engine bug, reported as a trap
    // rather than a panic.
    Trap::host(format!("internal error translating function: {e}"))
}

struct Translator<'a> {
    cx: &'a Context<'a>,
    code: Vec<Instr>,
    offsets: Vec<u32>,
    stack: Vec<Opd>,
    ctrl: Vec<Ctrl>,
    max_height: usize,
    temps_base: Slot,
    consts: BTreeMap<u64, Slot>,
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
    local_refs: usize,
    offset: u32,
    fuel_pc: Option<usize>,
}

/// Translates function `index` (module index space) of `cx.module`.
pub(crate) fn translate(cx: &Context<'_>, index: u32) -> Result<CompiledFunc, Trap> {
    let m = cx.module;
    let range = m.bodies[(index - m.num_imported_funcs) as usize].clone();
    let body = FunctionBody::new(BinaryReader::new(
        &m.bytes[range.clone()],
        range.start as u64,
    ));
    let ty = m.func_type(index);
    let nparams = ty.params().len() as u32;
    let mut nlocals = nparams;
    for l in body.get_locals_reader().map_err(translate_error)? {
        let (count, _) = l.map_err(translate_error)?;
        nlocals = nlocals
            .checked_add(count)
            .ok_or_else(|| Trap::host("function declares too many locals"))?;
    }

    // Pre-scan: the constants (deduplicated) and the spill space of `if`s with parameters
    // decide the frame layout before any operand slot is named.
    let mut consts = BTreeMap::new();
    let mut nspill = 0u32;
    let mut ops = body.get_operators_reader().map_err(translate_error)?;
    while !ops.eof() {
        let v = match ops.read().map_err(translate_error)? {
            Operator::I32Const { value } => value as u32 as u64,
            Operator::I64Const { value } => value as u64,
            Operator::F32Const { value } => value.bits() as u64,
            Operator::F64Const { value } => value.bits(),
            Operator::RefNull { .. } => 0,
            Operator::If {
                blockty: BlockType::FuncType(t),
            } => {
                nspill += m.types[t as usize].params().len() as u32;
                continue;
            }
            _ => continue,
        };
        let next = consts.len() as u32;
        consts.entry(v).or_insert(next);
    }
    let nconsts = consts.len() as u32;
    let mut const_values = alloc::vec![0u64; consts.len()];
    for (v, k) in consts.iter_mut() {
        const_values[*k as usize] = *v;
        *k += nlocals;
    }
    let temps_base = nlocals + nconsts + nspill;

    let mut t = Translator {
        cx,
        code: Vec::new(),
        offsets: Vec::new(),
        stack: Vec::new(),
        ctrl: Vec::new(),
        max_height: 0,
        temps_base,
        consts,
        next_spill: nlocals + nconsts,
        nresults: ty.results().len(),
        reachable: true,
        skip_depth: 0,
        label_barrier: 0,
        last_result: None,
        local_refs: 0,
        offset: range.start as u32,
        fuel_pc: None,
    };
    t.ctrl.push(Ctrl {
        kind: Kind::Func,
        height: 0,
        nparams: 0,
        nresults: t.nresults,
        start: 0,
        fixups: Vec::new(),
        else_fixup: None,
        spill: 0,
    });
    t.start_fuel_block();
    t.check_interrupt();
    let mut ops = body.get_operators_reader().map_err(translate_error)?;
    while !ops.eof() {
        t.offset = ops.original_position() as u32;
        let op = ops.read().map_err(translate_error)?;
        t.op(op)?;
    }
    let frame_size = (temps_base as usize + t.max_height).max(t.nresults);
    Ok(CompiledFunc {
        code: t.code.into_boxed_slice(),
        offsets: t.offsets.into_boxed_slice(),
        nparams,
        nlocals,
        consts: const_values.into_boxed_slice(),
        frame_size: u32::try_from(frame_size).map_err(|_| Trap::new(TrapCode::StackExhausted))?,
    })
}

impl Translator<'_> {
    // ---- operand stack model ----

    fn temp(&self, height: usize) -> Slot {
        self.temps_base + height as Slot
    }

    fn slot_at(&self, h: usize) -> Slot {
        match self.stack[h] {
            Opd::Local(i) => i,
            Opd::Const(s) => s,
            Opd::Temp => self.temp(h),
        }
    }

    fn push(&mut self, o: Opd) {
        if let Opd::Local(_) = o {
            self.local_refs += 1;
        }
        self.stack.push(o);
        self.max_height = self.max_height.max(self.stack.len());
    }

    fn push_temp(&mut self) -> Slot {
        let h = self.stack.len();
        self.push(Opd::Temp);
        self.temp(h)
    }

    fn pop_opd(&mut self) -> (Opd, Slot) {
        let h = self.stack.len() - 1;
        let s = self.slot_at(h);
        let o = self.stack.pop().expect("validated stack");
        if let Opd::Local(_) = o {
            self.local_refs -= 1;
        }
        (o, s)
    }

    fn pop(&mut self) -> Slot {
        self.pop_opd().1
    }

    fn truncate(&mut self, h: usize) {
        while self.stack.len() > h {
            self.pop_opd();
        }
    }

    fn const_slot(&self, v: u64) -> Slot {
        self.consts[&v]
    }

    /// Copies the entry at height `h` into its canonical slot.
    fn materialize(&mut self, h: usize) {
        if self.stack[h] != Opd::Temp {
            let s = self.slot_at(h);
            if let Opd::Local(_) = self.stack[h] {
                self.local_refs -= 1;
            }
            self.stack[h] = Opd::Temp;
            self.emit(Instr::Copy { d: self.temp(h), s });
        }
    }

    fn materialize_top(&mut self, n: usize) {
        let len = self.stack.len();
        for h in len - n..len {
            self.materialize(h);
        }
    }

    /// Before `local` is written: entries still reading it lazily take a copy.
    fn preserve_local(&mut self, local: u32) {
        if self.local_refs == 0 {
            return;
        }
        for h in 0..self.stack.len() {
            if self.stack[h] == Opd::Local(local) {
                self.materialize(h);
            }
        }
    }

    fn materialize_all_locals(&mut self) {
        if self.local_refs == 0 {
            return;
        }
        for h in 0..self.stack.len() {
            if let Opd::Local(_) = self.stack[h] {
                self.materialize(h);
            }
        }
    }

    // ---- code emission ----

    fn emit(&mut self, i: Instr) -> usize {
        self.code.push(i);
        self.offsets.push(self.offset);
        if let Some(pc) = self.fuel_pc
            && let Instr::ConsumeFuel { amount } = &mut self.code[pc]
        {
            *amount = amount.saturating_add(1);
        }
        self.code.len() - 1
    }

    /// Emits an instruction whose result is the new top temp (a rewrite candidate).
    fn emit_result(&mut self, i: Instr) {
        let pc = self.emit(i);
        self.last_result = Some((pc, self.stack.len() - 1, pc + 1));
    }

    fn start_fuel_block(&mut self) {
        if self.cx.flavour.fuel {
            let pc = self.emit(Instr::ConsumeFuel { amount: 0 });
            self.fuel_pc = Some(pc);
        }
    }

    /// At function entry and loop headers (the targets of every back-edge): a guest that
    /// runs on passes one of these on each call and each loop iteration.
    fn check_interrupt(&mut self) {
        if self.cx.flavour.interruptible {
            self.emit(Instr::CheckInterrupt);
        }
    }

    fn bind_label(&mut self) -> usize {
        self.label_barrier = self.code.len();
        self.last_result = None;
        self.code.len()
    }

    fn patch(&mut self, pc: usize, target: usize) {
        let off = target as i64 - pc as i64;
        *self.code[pc]
            .branch_offset_mut()
            .expect("patching a branch") = off as i32;
    }

    /// If the value just popped (at height `h`) was computed by the last instruction and no
    /// label intervenes, returns that instruction's index.
    fn producer_of(&self, h: usize) -> Option<usize> {
        match self.last_result {
            Some((pc, rh, end))
                if rh == h && end == self.code.len() && pc >= self.label_barrier =>
            {
                Some(pc)
            }
            _ => None,
        }
    }

    /// Pops an i32 condition; if it was a compare just emitted, removes it and returns the
    /// fused branch "if condition" (or "if not condition", `negate`) with offset 0.
    fn pop_condition(&mut self, negate: bool) -> Instr {
        let h = self.stack.len() - 1;
        let producer = self.producer_of(h);
        let (opd, c) = self.pop_opd();
        if opd == Opd::Temp
            && let Some(pc) = producer
            && let Some(fused) = self.code[pc].fuse_branch(negate)
        {
            self.code.pop();
            self.offsets.pop();
            self.last_result = None;
            return fused;
        }
        if negate {
            Instr::BrIfEqz { c, off: 0 }
        } else {
            Instr::BrIfNez { c, off: 0 }
        }
    }

    fn copies_needed(&self, target: usize) -> bool {
        let t = &self.ctrl[target];
        if t.kind == Kind::Func {
            return true;
        }
        let n = t.branch_arity();
        let len = self.stack.len();
        (0..n).any(|i| !(self.stack[len - n + i] == Opd::Temp && len - n + i == t.height + i))
    }

    /// Unconditional branch to control frame `target` (an index into `ctrl`), carrying values.
    fn emit_branch(&mut self, target: usize) {
        let (kind, height, n, start) = {
            let t = &self.ctrl[target];
            (t.kind, t.height, t.branch_arity(), t.start)
        };
        if kind == Kind::Func {
            self.emit_return();
            return;
        }
        let len = self.stack.len();
        for i in 0..n {
            let h = len - n + i;
            if !(self.stack[h] == Opd::Temp && h == height + i) {
                let s = self.slot_at(h);
                self.emit(Instr::Copy {
                    d: self.temp(height + i),
                    s,
                });
            }
        }
        let pc = self.emit(Instr::Br { off: 0 });
        if kind == Kind::Loop {
            self.patch(pc, start);
        } else {
            self.ctrl[target].fixups.push(pc);
        }
    }

    /// Emits `branch` (offset 0) so that it goes to control frame `target` when taken.
    fn emit_cond_branch(&mut self, branch: Instr, target: usize) {
        let pc = self.emit(branch);
        if self.ctrl[target].kind == Kind::Loop {
            let start = self.ctrl[target].start;
            self.patch(pc, start);
        } else {
            self.ctrl[target].fixups.push(pc);
        }
    }

    fn emit_return(&mut self) {
        let n = self.nresults;
        let len = self.stack.len();
        match n {
            0 => {
                self.emit(Instr::Return);
            }
            1 => {
                let s = self.slot_at(len - 1);
                self.emit(Instr::Return1 { s });
            }
            _ => {
                // Results go to slots 0..n. A local or constant among the sources that lies in
                // that range could be overwritten before it is read: stage those through their
                // canonical temps (copying temps in increasing order never clobbers a later
                // source). The stack model is left as it is: this code may sit on a branch
                // path that the fall-through does not take.
                let mut srcs: Vec<Slot> = (len - n..len).map(|h| self.slot_at(h)).collect();
                let hazard = (len - n..len)
                    .any(|h| self.stack[h] != Opd::Temp && (self.slot_at(h) as usize) < n);
                if hazard {
                    for (i, src) in srcs.iter_mut().enumerate() {
                        let h = len - n + i;
                        if self.stack[h] != Opd::Temp {
                            self.emit(Instr::Copy {
                                d: self.temp(h),
                                s: *src,
                            });
                            *src = self.temp(h);
                        }
                    }
                }
                for (i, s) in srcs.into_iter().enumerate() {
                    if s != i as Slot {
                        self.emit(Instr::Copy { d: i as Slot, s });
                    }
                }
                self.emit(Instr::Return);
            }
        }
    }

    fn block_arity(&self, bt: BlockType) -> (usize, usize) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(i) => {
                let t = &self.cx.module.types[i as usize];
                (t.params().len(), t.results().len())
            }
        }
    }

    /// Common entry of `block`, `loop` and `if`: lazy locals can't cross into a block (a
    /// write inside might be conditional), and parameters must be at canonical slots.
    fn enter_block(&mut self, kind: Kind, bt: BlockType) -> Ctrl {
        let (nparams, nresults) = self.block_arity(bt);
        self.materialize_all_locals();
        self.materialize_top(nparams);
        Ctrl {
            kind,
            height: self.stack.len() - nparams,
            nparams,
            nresults,
            start: 0,
            fixups: Vec::new(),
            else_fixup: None,
            spill: 0,
        }
    }

    fn call(
        &mut self,
        func: u32,
        nparams: usize,
        nresults: usize,
        indirect: Option<(u32, u32, Slot)>,
    ) {
        self.materialize_top(nparams);
        let h = self.stack.len() - nparams;
        let base = self.temp(h);
        self.truncate(h);
        match indirect {
            None => {
                self.emit(Instr::Call { func, base });
            }
            Some((ty, table, index)) => {
                self.emit(Instr::CallIndirect { ty, index, base });
                self.emit(Instr::Aux {
                    a: table,
                    b: 0,
                    c: 0,
                });
            }
        }
        for _ in 0..nresults {
            self.push_temp();
        }
    }

    fn local_set(&mut self, local: u32) {
        let h = self.stack.len() - 1;
        let producer = self.producer_of(h);
        let (opd, s) = self.pop_opd();
        if s == local {
            return;
        }
        let emitted = self.code.len();
        self.preserve_local(local);
        if opd == Opd::Temp
            && let Some(pc) = producer
            && self.code.len() == emitted
            && let Some(d) = self.code[pc].retargetable_dst()
        {
            *d = local;
            self.last_result = None;
            return;
        }
        self.emit(Instr::Copy { d: local, s });
    }

    // ---- operators ----

    fn op(&mut self, op: Operator<'_>) -> Result<(), Trap> {
        if !self.reachable {
            match op {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                    self.skip_depth += 1;
                    return Ok(());
                }
                Operator::Else if self.skip_depth == 0 => {}
                Operator::End if self.skip_depth == 0 => {}
                Operator::End => {
                    self.skip_depth -= 1;
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }

        macro_rules! un {
            ($v:ident) => {{
                let s = self.pop();
                let d = self.push_temp();
                self.emit_result(Instr::$v { d, s });
            }};
        }
        macro_rules! bin {
            ($v:ident) => {{
                let b = self.pop();
                let a = self.pop();
                let d = self.push_temp();
                self.emit_result(Instr::$v { d, a, b });
            }};
        }
        macro_rules! load {
            ($v:ident, $m:expr) => {{
                let a = self.pop();
                let d = self.push_temp();
                self.emit_result(Instr::$v {
                    d,
                    a,
                    off: $m.offset as u32,
                });
            }};
        }
        macro_rules! store {
            ($v:ident, $m:expr) => {{
                let v = self.pop();
                let a = self.pop();
                self.emit(Instr::$v {
                    a,
                    v,
                    off: $m.offset as u32,
                });
            }};
        }
        macro_rules! konst {
            ($v:expr) => {{
                let s = self.const_slot($v);
                self.push(Opd::Const(s));
            }};
        }
        use Operator as O;
        match op {
            O::Unreachable => {
                self.emit(Instr::Trap {
                    code: TrapCode::Unreachable,
                });
                self.reachable = false;
            }
            O::Nop => {}
            O::Block { blockty } => {
                let c = self.enter_block(Kind::Block, blockty);
                self.ctrl.push(c);
            }
            O::Loop { blockty } => {
                let mut c = self.enter_block(Kind::Loop, blockty);
                c.start = self.bind_label();
                self.ctrl.push(c);
                self.start_fuel_block();
                self.check_interrupt();
            }
            O::If { blockty } => {
                let branch = self.pop_condition(true);
                let mut c = self.enter_block(Kind::If, blockty);
                if c.nparams > 0 {
                    c.spill = self.next_spill;
                    self.next_spill += c.nparams as Slot;
                    for i in 0..c.nparams {
                        let s = self.temp(c.height + i);
                        self.emit(Instr::Copy {
                            d: c.spill + i as Slot,
                            s,
                        });
                    }
                }
                c.else_fixup = Some(self.emit(branch));
                self.ctrl.push(c);
            }
            O::Else => {
                let i = self.ctrl.len() - 1;
                if self.reachable {
                    let n = self.ctrl[i].nresults;
                    self.materialize_top(n);
                    let pc = self.emit(Instr::Br { off: 0 });
                    self.ctrl[i].fixups.push(pc);
                }
                let here = self.bind_label();
                let fix = self.ctrl[i]
                    .else_fixup
                    .take()
                    .expect("if has an else fixup");
                self.patch(fix, here);
                let (height, nparams, spill) = (
                    self.ctrl[i].height,
                    self.ctrl[i].nparams,
                    self.ctrl[i].spill,
                );
                self.truncate(height);
                for k in 0..nparams {
                    let d = self.push_temp();
                    self.emit(Instr::Copy {
                        d,
                        s: spill + k as Slot,
                    });
                }
                self.reachable = true;
                self.start_fuel_block();
            }
            O::End => {
                let c = self.ctrl.pop().expect("validated control stack");
                if c.kind == Kind::Func {
                    if self.reachable {
                        self.emit_return();
                    }
                    self.reachable = false;
                    return Ok(());
                }
                if self.reachable {
                    self.materialize_top(c.nresults);
                }
                self.truncate(c.height);
                let here = self.bind_label();
                for pc in c.fixups {
                    self.patch(pc, here);
                }
                if let Some(pc) = c.else_fixup {
                    self.patch(pc, here);
                }
                for _ in 0..c.nresults {
                    self.push_temp();
                }
                self.reachable = true;
                self.start_fuel_block();
            }
            O::Br { relative_depth } => {
                let target = self.ctrl.len() - 1 - relative_depth as usize;
                self.emit_branch(target);
                self.reachable = false;
            }
            O::BrIf { relative_depth } => {
                let target = self.ctrl.len() - 1 - relative_depth as usize;
                let branch_if = self.pop_condition(false);
                if self.copies_needed(target) {
                    // Invert: skip over the copies and the jump when the condition fails.
                    let skip = branch_if.inverted().expect("a conditional branch");
                    let pc = self.emit(skip);
                    self.emit_branch(target);
                    let here = self.bind_label();
                    self.patch(pc, here);
                } else {
                    self.emit_cond_branch(branch_if, target);
                }
            }
            O::BrTable { targets } => {
                let index = self.pop();
                let depths: Vec<u32> = targets
                    .targets()
                    .chain(core::iter::once(Ok(targets.default())))
                    .collect::<Result<_, _>>()
                    .map_err(translate_error)?;
                self.emit(Instr::BrTable {
                    index,
                    len: depths.len() as u32 - 1,
                });
                let mut stubs = Vec::new();
                for d in depths {
                    let target = self.ctrl.len() - 1 - d as usize;
                    let pc = self.emit(Instr::Br { off: 0 });
                    if self.copies_needed(target) {
                        stubs.push((pc, target));
                    } else if self.ctrl[target].kind == Kind::Loop {
                        let start = self.ctrl[target].start;
                        self.patch(pc, start);
                    } else {
                        self.ctrl[target].fixups.push(pc);
                    }
                }
                for (pc, target) in stubs {
                    let here = self.code.len();
                    self.patch(pc, here);
                    self.emit_branch(target);
                }
                self.reachable = false;
            }
            O::Return => {
                self.emit_return();
                self.reachable = false;
            }
            O::Call { function_index } => {
                let ty = self.cx.module.func_type(function_index);
                let (np, nr) = (ty.params().len(), ty.results().len());
                self.call(function_index, np, nr, None);
            }
            O::CallIndirect {
                type_index,
                table_index,
            } => {
                let ty = &self.cx.module.types[type_index as usize];
                let (np, nr) = (ty.params().len(), ty.results().len());
                let index = self.pop();
                self.call(0, np, nr, Some((type_index, table_index, index)));
            }
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let c = self.pop();
                let b = self.pop();
                let a = self.pop();
                let d = self.push_temp();
                let pc = self.emit(Instr::Select { d, a, b });
                self.emit(Instr::Aux { a: c, b: 0, c: 0 });
                self.last_result = Some((pc, self.stack.len() - 1, pc + 2));
            }
            O::TypedSelectMulti { .. } => {
                return Err(Trap::host("select with multiple results is not supported"));
            }
            O::LocalGet { local_index } => self.push(Opd::Local(local_index)),
            O::LocalSet { local_index } => self.local_set(local_index),
            O::LocalTee { local_index } => {
                self.local_set(local_index);
                self.push(Opd::Local(local_index));
            }
            O::GlobalGet { global_index } => {
                let d = self.push_temp();
                self.emit_result(Instr::GlobalGet { d, g: global_index });
            }
            O::GlobalSet { global_index } => {
                let s = self.pop();
                self.emit(Instr::GlobalSet { s, g: global_index });
            }
            O::I32Load { memarg } => load!(I32Load, memarg),
            O::I64Load { memarg } => load!(I64Load, memarg),
            O::F32Load { memarg } => load!(F32Load, memarg),
            O::F64Load { memarg } => load!(F64Load, memarg),
            O::I32Load8S { memarg } => load!(I32Load8S, memarg),
            O::I32Load8U { memarg } => load!(I32Load8U, memarg),
            O::I32Load16S { memarg } => load!(I32Load16S, memarg),
            O::I32Load16U { memarg } => load!(I32Load16U, memarg),
            O::I64Load8S { memarg } => load!(I64Load8S, memarg),
            O::I64Load8U { memarg } => load!(I64Load8U, memarg),
            O::I64Load16S { memarg } => load!(I64Load16S, memarg),
            O::I64Load16U { memarg } => load!(I64Load16U, memarg),
            O::I64Load32S { memarg } => load!(I64Load32S, memarg),
            O::I64Load32U { memarg } => load!(I64Load32U, memarg),
            O::I32Store { memarg } | O::F32Store { memarg } => store!(I32Store, memarg),
            O::I64Store { memarg } | O::F64Store { memarg } => store!(I64Store, memarg),
            O::I32Store8 { memarg } => store!(I32Store8, memarg),
            O::I32Store16 { memarg } => store!(I32Store16, memarg),
            O::I64Store8 { memarg } => store!(I64Store8, memarg),
            O::I64Store16 { memarg } => store!(I64Store16, memarg),
            O::I64Store32 { memarg } => store!(I64Store32, memarg),
            O::MemorySize { mem } => {
                let d = self.push_temp();
                self.emit_result(Instr::MemorySize { d, mem });
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let d = self.push_temp();
                self.emit_result(Instr::MemoryGrow { d, delta, mem });
            }
            O::MemoryFill { mem } => {
                let n = self.pop();
                let v = self.pop();
                let d = self.pop();
                self.emit(Instr::MemoryFill { d, v, n });
                self.emit(Instr::Aux { a: mem, b: 0, c: 0 });
            }
            O::MemoryCopy {
                dst_mem,
                src_mem: _,
            } => {
                let n = self.pop();
                let s = self.pop();
                let d = self.pop();
                self.emit(Instr::MemoryCopy { d, s, n });
                self.emit(Instr::Aux {
                    a: dst_mem,
                    b: 0,
                    c: 0,
                });
            }
            O::MemoryInit { data_index, mem } => {
                let n = self.pop();
                let s = self.pop();
                let d = self.pop();
                self.emit(Instr::MemoryInit { d, s, n });
                self.emit(Instr::Aux {
                    a: mem,
                    b: data_index,
                    c: 0,
                });
            }
            O::DataDrop { data_index } => {
                self.emit(Instr::DataDrop { data: data_index });
            }
            O::TableGet { table } => {
                let i = self.pop();
                let d = self.push_temp();
                self.emit_result(Instr::TableGet { d, i, table });
            }
            O::TableSet { table } => {
                let v = self.pop();
                let i = self.pop();
                self.emit(Instr::TableSet { i, v, table });
            }
            O::TableSize { table } => {
                let d = self.push_temp();
                self.emit_result(Instr::TableSize { d, table });
            }
            O::TableGrow { table } => {
                let delta = self.pop();
                let init = self.pop();
                let d = self.push_temp();
                self.emit(Instr::TableGrow { d, init, delta });
                self.emit(Instr::Aux {
                    a: table,
                    b: 0,
                    c: 0,
                });
            }
            O::TableFill { table } => {
                let n = self.pop();
                let v = self.pop();
                let i = self.pop();
                self.emit(Instr::TableFill { i, v, n });
                self.emit(Instr::Aux {
                    a: table,
                    b: 0,
                    c: 0,
                });
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let n = self.pop();
                let s = self.pop();
                let d = self.pop();
                self.emit(Instr::TableCopy { d, s, n });
                self.emit(Instr::Aux {
                    a: dst_table,
                    b: src_table,
                    c: 0,
                });
            }
            O::TableInit { elem_index, table } => {
                let n = self.pop();
                let s = self.pop();
                let d = self.pop();
                self.emit(Instr::TableInit { d, s, n });
                self.emit(Instr::Aux {
                    a: table,
                    b: elem_index,
                    c: 0,
                });
            }
            O::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop { elem: elem_index });
            }
            O::RefNull { .. } => konst!(0),
            O::RefIsNull => un!(I64Eqz),
            O::RefFunc { function_index } => {
                let d = self.push_temp();
                self.emit_result(Instr::RefFunc {
                    d,
                    func: function_index,
                });
            }
            O::I32Const { value } => konst!(value as u32 as u64),
            O::I64Const { value } => konst!(value as u64),
            O::F32Const { value } => konst!(value.bits() as u64),
            O::F64Const { value } => konst!(value.bits()),

            O::I32Eqz => un!(I32Eqz),
            O::I32Eq => bin!(I32Eq),
            O::I32Ne => bin!(I32Ne),
            O::I32LtS => bin!(I32LtS),
            O::I32LtU => bin!(I32LtU),
            O::I32GtS => bin!(I32GtS),
            O::I32GtU => bin!(I32GtU),
            O::I32LeS => bin!(I32LeS),
            O::I32LeU => bin!(I32LeU),
            O::I32GeS => bin!(I32GeS),
            O::I32GeU => bin!(I32GeU),
            O::I64Eqz => un!(I64Eqz),
            O::I64Eq => bin!(I64Eq),
            O::I64Ne => bin!(I64Ne),
            O::I64LtS => bin!(I64LtS),
            O::I64LtU => bin!(I64LtU),
            O::I64GtS => bin!(I64GtS),
            O::I64GtU => bin!(I64GtU),
            O::I64LeS => bin!(I64LeS),
            O::I64LeU => bin!(I64LeU),
            O::I64GeS => bin!(I64GeS),
            O::I64GeU => bin!(I64GeU),
            O::F32Eq => bin!(F32Eq),
            O::F32Ne => bin!(F32Ne),
            O::F32Lt => bin!(F32Lt),
            O::F32Gt => bin!(F32Gt),
            O::F32Le => bin!(F32Le),
            O::F32Ge => bin!(F32Ge),
            O::F64Eq => bin!(F64Eq),
            O::F64Ne => bin!(F64Ne),
            O::F64Lt => bin!(F64Lt),
            O::F64Gt => bin!(F64Gt),
            O::F64Le => bin!(F64Le),
            O::F64Ge => bin!(F64Ge),
            O::I32Clz => un!(I32Clz),
            O::I32Ctz => un!(I32Ctz),
            O::I32Popcnt => un!(I32Popcnt),
            O::I32Add => bin!(I32Add),
            O::I32Sub => bin!(I32Sub),
            O::I32Mul => bin!(I32Mul),
            O::I32DivS => bin!(I32DivS),
            O::I32DivU => bin!(I32DivU),
            O::I32RemS => bin!(I32RemS),
            O::I32RemU => bin!(I32RemU),
            O::I32And => bin!(I32And),
            O::I32Or => bin!(I32Or),
            O::I32Xor => bin!(I32Xor),
            O::I32Shl => bin!(I32Shl),
            O::I32ShrS => bin!(I32ShrS),
            O::I32ShrU => bin!(I32ShrU),
            O::I32Rotl => bin!(I32Rotl),
            O::I32Rotr => bin!(I32Rotr),
            O::I64Clz => un!(I64Clz),
            O::I64Ctz => un!(I64Ctz),
            O::I64Popcnt => un!(I64Popcnt),
            O::I64Add => bin!(I64Add),
            O::I64Sub => bin!(I64Sub),
            O::I64Mul => bin!(I64Mul),
            O::I64DivS => bin!(I64DivS),
            O::I64DivU => bin!(I64DivU),
            O::I64RemS => bin!(I64RemS),
            O::I64RemU => bin!(I64RemU),
            O::I64And => bin!(I64And),
            O::I64Or => bin!(I64Or),
            O::I64Xor => bin!(I64Xor),
            O::I64Shl => bin!(I64Shl),
            O::I64ShrS => bin!(I64ShrS),
            O::I64ShrU => bin!(I64ShrU),
            O::I64Rotl => bin!(I64Rotl),
            O::I64Rotr => bin!(I64Rotr),
            O::F32Abs => un!(F32Abs),
            O::F32Neg => un!(F32Neg),
            O::F32Ceil => un!(F32Ceil),
            O::F32Floor => un!(F32Floor),
            O::F32Trunc => un!(F32Trunc),
            O::F32Nearest => un!(F32Nearest),
            O::F32Sqrt => un!(F32Sqrt),
            O::F32Add => bin!(F32Add),
            O::F32Sub => bin!(F32Sub),
            O::F32Mul => bin!(F32Mul),
            O::F32Div => bin!(F32Div),
            O::F32Min => bin!(F32Min),
            O::F32Max => bin!(F32Max),
            O::F32Copysign => bin!(F32Copysign),
            O::F64Abs => un!(F64Abs),
            O::F64Neg => un!(F64Neg),
            O::F64Ceil => un!(F64Ceil),
            O::F64Floor => un!(F64Floor),
            O::F64Trunc => un!(F64Trunc),
            O::F64Nearest => un!(F64Nearest),
            O::F64Sqrt => un!(F64Sqrt),
            O::F64Add => bin!(F64Add),
            O::F64Sub => bin!(F64Sub),
            O::F64Mul => bin!(F64Mul),
            O::F64Div => bin!(F64Div),
            O::F64Min => bin!(F64Min),
            O::F64Max => bin!(F64Max),
            O::F64Copysign => bin!(F64Copysign),
            // Slots hold raw bits and i32 consumers read the low half, so these are free.
            O::I32WrapI64
            | O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64 => {}
            O::I32TruncF32S => un!(I32TruncF32S),
            O::I32TruncF32U => un!(I32TruncF32U),
            O::I32TruncF64S => un!(I32TruncF64S),
            O::I32TruncF64U => un!(I32TruncF64U),
            O::I64ExtendI32S => un!(I64ExtendI32S),
            O::I64ExtendI32U => un!(I64ExtendI32U),
            O::I64TruncF32S => un!(I64TruncF32S),
            O::I64TruncF32U => un!(I64TruncF32U),
            O::I64TruncF64S => un!(I64TruncF64S),
            O::I64TruncF64U => un!(I64TruncF64U),
            O::F32ConvertI32S => un!(F32ConvertI32S),
            O::F32ConvertI32U => un!(F32ConvertI32U),
            O::F32ConvertI64S => un!(F32ConvertI64S),
            O::F32ConvertI64U => un!(F32ConvertI64U),
            O::F32DemoteF64 => un!(F32DemoteF64),
            O::F64ConvertI32S => un!(F64ConvertI32S),
            O::F64ConvertI32U => un!(F64ConvertI32U),
            O::F64ConvertI64S => un!(F64ConvertI64S),
            O::F64ConvertI64U => un!(F64ConvertI64U),
            O::F64PromoteF32 => un!(F64PromoteF32),
            O::I32Extend8S => un!(I32Extend8S),
            O::I32Extend16S => un!(I32Extend16S),
            O::I64Extend8S => un!(I64Extend8S),
            O::I64Extend16S => un!(I64Extend16S),
            O::I64Extend32S => un!(I64Extend32S),
            O::I32TruncSatF32S => un!(I32TruncSatF32S),
            O::I32TruncSatF32U => un!(I32TruncSatF32U),
            O::I32TruncSatF64S => un!(I32TruncSatF64S),
            O::I32TruncSatF64U => un!(I32TruncSatF64U),
            O::I64TruncSatF32S => un!(I64TruncSatF32S),
            O::I64TruncSatF32U => un!(I64TruncSatF32U),
            O::I64TruncSatF64S => un!(I64TruncSatF64S),
            O::I64TruncSatF64U => un!(I64TruncSatF64U),
            other => {
                return Err(Trap::host(format!(
                    "operator not supported by the engine: {other:?}"
                )));
            }
        }
        Ok(())
    }
}

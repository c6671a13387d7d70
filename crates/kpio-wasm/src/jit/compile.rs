//! One validated function body -> Cranelift IR -> x86-64 machine code.
//!
//! The translation reads the wasm operators (wasmparser's reader), not the interpreter's
//! bytecode, so the two tiers are independent implementations of the same semantics (which
//! the differential tests compare). The operand stack becomes SSA values, locals become
//! Cranelift variables, and blocks, loops and `if`s become Cranelift blocks with parameters,
//! as in wasmtime's translator.
//!
//! What native code may do is narrow on purpose (see `vmctx` for the context it gets):
//! - Every trap is an explicit check that branches to the function's one exit block, which
//!   calls the `trap` helper with the trap code and wasm offset and returns; Cranelift's
//!   own trapping instructions (`sdiv`, `fcvt_to_sint`) are only reached after the checks
//!   that make them unable to trap. The one exception: in a guarded flavour, accesses to
//!   32-bit memories within the guard are not checked, and an out-of-bounds one faults on
//!   a guard page, which `super::signals` turns into the trap (see [`Translator::address`]).
//! - After every call the callee's trap flag is checked and, if set, this frame adds itself to
//!   the backtrace and returns too: traps unwind by returning, on any target.
//! - Each memory is reached through a base and length kept in variables, reloaded from the
//!   context after anything that may move or grow it, and every access is bounds-checked
//!   (explicitly, or by the guard pages of a guarded flavour).
//! - Calls to functions of the same module take the callee's native code directly when it
//!   has some; everything else (imports, host functions, interpreted callees,
//!   `call_indirect`, `memory.grow`) goes through a helper in the context.
//!
//! Fixed-width SIMD is translated in [`simd`]; typed function references (`call_ref`,
//! `return_call_ref`, `br_on_null`, `br_on_non_null`, `ref.as_non_null`) here, a `call_ref`
//! to a native function of the same instance being a direct call as for `call_indirect`.
//! Every memory (multi-memory, memory64: a 64-bit address's end is also checked for
//! wrapping) and every table (64-bit ones too) is reached natively.
//!
//! Exceptions travel as pending traps do: `throw` and `throw_ref` leave one through a
//! helper, and every throwing point inside a `try_table` with catch clauses branches on the
//! trap flag to that `try_table`'s landing block (not to the exit block), which offers the
//! pending trap to each clause through the `Catch` helper and branches to the label of the
//! first that takes it, or passes it on outwards (see [`Translator::emit_landing`]). A
//! function using anything not translated would be refused with
//! [`CompileError::Unsupported`], and the interpreter would keep running it.

mod schedule;
mod simd;

use super::sites::Sites;
use super::vmctx::{self, Helper, Op};
use crate::code::{CATCH_ALL, Flavour};
use crate::ir::Instr;
use crate::module::ModuleInner;
use crate::trap::TrapCode;
use crate::types::ValType;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use cranelift_codegen::Context;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{
    self, AbiParam, Block, BlockArg, Function, InstBuilder, JumpTableData, MemFlagsData, Signature,
    StackSlotData, StackSlotKind, Type, UserFuncName, Value, types,
};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use wasmparser::{BinaryReader, BlockType, Catch, FunctionBody, MemArg, Operator};

/// Why a function was not compiled (the interpreter runs it instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// The function uses an operator or feature the native tier does not translate.
    Unsupported { what: String, offset: usize },
    /// Cranelift refused the function (a bug in the translation; reported, never fatal).
    Codegen(String),
    /// The function body could not be read again (it was validated, so this is a bug).
    Read(String),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Unsupported { what, offset } => {
                write!(f, "not compiled natively: {what} at offset {offset:#x}")
            }
            CompileError::Codegen(e) => write!(f, "code generation failed: {e}"),
            CompileError::Read(e) => write!(f, "reading the function body failed: {e}"),
        }
    }
}

impl From<wasmparser::BinaryReaderError> for CompileError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        CompileError::Read(e.to_string())
    }
}

/// Cranelift's backend in the two configurations a compile goes through: `optimizing`
/// (`opt_level = speed`) runs the e-graph pass, then [`schedule::interleave`] repairs the
/// order it left; `lowering` (the same target and flags but `opt_level = none`, so nothing
/// is optimised twice) lowers, allocates registers and emits.
pub struct Isa {
    pub optimizing: OwnedTargetIsa,
    pub lowering: OwnedTargetIsa,
}

/// A compiled function: its body (the native calling convention: context, then the wasm
/// parameters; the wasm results) and its trampoline (context, body address, pointer to the
/// argument slots, which it overwrites with the result slots).
pub struct CompiledCode {
    pub body: Vec<u8>,
    pub trampoline: Vec<u8>,
    /// The 64-bit slots of the function's locals (parameters included, two per `v128`):
    /// what an on-stack-replacement entry takes instead of the parameters.
    pub nlocals: usize,
    /// An on-stack-replacement entry: the wasm offsets of the loops it can start at (empty
    /// for a function's body).
    pub osr_loops: Vec<u32>,
    /// The body's fault and call sites (see [`Sites`]).
    pub sites: Sites,
}

/// The native type of a wasm value type (`v128` is `I8X16`, whatever its lanes: operations
/// bitcast to their lane type and back, as in wasmtime's translator).
fn native_type(t: ValType) -> Option<Type> {
    Some(match t {
        ValType::I32 => types::I32,
        ValType::I64 => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::V128 => types::I8X16,
        // References are slot-encoded (0 = null, else index + 1).
        ValType::FuncRef | ValType::ExternRef | ValType::ExnRef | ValType::Ref(_) => types::I64,
    })
}

/// [`native_type`] of a type as wasmparser spells it (locals, block types).
fn wasm_native_type(t: wasmparser::ValType) -> Option<Type> {
    Some(match t {
        wasmparser::ValType::I32 => types::I32,
        wasmparser::ValType::I64 => types::I64,
        wasmparser::ValType::F32 => types::F32,
        wasmparser::ValType::F64 => types::F64,
        wasmparser::ValType::V128 => types::I8X16,
        wasmparser::ValType::Ref(_) => types::I64,
    })
}

fn native_types(ts: &[ValType], offset: usize) -> Result<Vec<Type>, CompileError> {
    ts.iter()
        .map(|t| {
            native_type(*t).ok_or(CompileError::Unsupported {
                what: "v128 values".into(),
                offset,
            })
        })
        .collect()
}

/// The native signature of a function of wasm type `params -> results`.
pub(crate) fn body_signature(params: &[Type], results: &[Type]) -> Signature {
    // Cranelift's tail-call convention (SystemV's callee-saved registers, callee-popped
    // stack arguments): `return_call` needs it on both sides.
    let mut sig = Signature::new(CallConv::Tail);
    sig.params.push(AbiParam::new(types::I64));
    sig.params.extend(params.iter().map(|t| AbiParam::new(*t)));
    sig.returns
        .extend(results.iter().map(|t| AbiParam::new(*t)));
    sig
}

/// Compiles function `index` (module index, a defined function) of `module`. With
/// `osr`, the code is an on-stack-replacement entry instead, made for a frame found due
/// at the loop at that wasm offset: it takes all the function's locals (parameters, then
/// declared locals) and then the wasm offset of a loop, and starts at that loop's header.
///
/// It can start at that loop, at each loop around it and at each outermost loop of the
/// function, where they are reachable at operand-stack height 0 without parameters (as
/// the interpreter's `LoopCount`s are; "outermost" among those): see
/// [`CompiledCode::osr_loops`]. Compiled in the
/// background, the entry is often ready only once the frame has moved on; from wherever
/// it stands, the frame soon passes one of those headers. Every loop would do as well,
/// but each start takes every live local as a parameter of its header, which more than
/// doubled the compile time of a large function.
pub fn compile(
    isa: &Isa,
    module: &ModuleInner,
    flavour: Flavour,
    index: u32,
    osr: Option<u32>,
) -> Result<CompiledCode, CompileError> {
    let range = module.bodies[(index - module.num_imported_funcs) as usize].clone();
    let fuel = if flavour.fuel {
        fuel_stretches(module, flavour, index, range.start)?
    } else {
        Fuel::default()
    };
    let ty = module.func_type(index);
    let params = native_types(ty.params(), range.start)?;
    let results = native_types(ty.results(), range.start)?;
    let body = FunctionBody::new(BinaryReader::new(
        &module.bytes[range.clone()],
        range.start as u64,
    ));
    // The locals' types, parameters first.
    let mut locals = params.clone();
    for l in body.get_locals_reader()? {
        let (count, t) = l?;
        let Some(ty) = wasm_native_type(t) else {
            return Err(CompileError::Unsupported {
                what: "a local of this type".into(),
                offset: range.start,
            });
        };
        locals.extend(core::iter::repeat_n(ty, count as usize));
    }
    let entry_params = if osr.is_some() {
        let mut p = locals.clone();
        p.push(types::I32);
        p
    } else {
        params.clone()
    };
    let sig = body_signature(&entry_params, &results);

    let mut func = Function::with_name_signature(UserFuncName::user(0, index), sig.clone());
    let mut fctx = FunctionBuilderContext::new();
    let mut osr_loops = Vec::new();
    {
        let b = FunctionBuilder::new(&mut func, &mut fctx);
        let named = if osr.is_some() { &locals } else { &params };
        let mut t = Translator::new(module, flavour, index, b, named, &results);
        if let Some(due) = osr {
            let entry = t.b.current_block().expect("the entry block");
            let id = *t.b.block_params(entry).last().expect("the loop offset");
            let dispatch = t.b.create_block();
            t.osr = Some(Osr {
                id,
                dispatch,
                around: loops_around(&body, due)?,
                loops: Vec::new(),
            });
        }
        t.fuel = fuel;
        t.body_start = range.start as u32;
        t.translate(&body, &locals)?;
        if let Some(o) = t.osr.take() {
            if o.loops.is_empty() {
                return Err(CompileError::Unsupported {
                    what: "on-stack replacement (no loop at operand height 0)".into(),
                    offset: range.start,
                });
            }
            osr_loops = o.emit_dispatch(&mut t.b, t.exit, range.start as u32);
        }
        t.b.seal_all_blocks();
        for (reloads, used) in core::mem::take(&mut t.mem_reloads)
            .into_iter()
            .zip(&t.mem_used)
        {
            for (inst, part) in reloads {
                if !used.serves(part) {
                    t.b.func.layout.remove_inst(inst);
                }
            }
        }
        t.b.finalize(isa.optimizing.frontend_config());
    }
    let (body_code, sites) = emit(isa, func)?;
    // Only unchecked accesses fault; without them no frame is ever walked.
    let sites = if flavour.guarded {
        sites
    } else {
        Sites::default()
    };

    let tramp = trampoline(
        &entry_params,
        &results,
        sig,
        isa.optimizing.frontend_config(),
    );
    let (tramp_code, _) = emit(isa, tramp)?;
    Ok(CompiledCode {
        body: body_code,
        trampoline: tramp_code,
        nlocals: slot_count(&locals),
        osr_loops,
        sites,
    })
}

/// Where the interpreter charges fuel in a function, and how much (see [`fuel_stretches`]).
#[derive(Default)]
struct Fuel {
    /// Wasm offset -> the amount charged where the stretch starting there starts.
    stretches: BTreeMap<u32, u32>,
    /// The offset of a `try_table` with catch clauses -> the amounts of its landing pads'
    /// stretches, in clause order, then of the stretch its body starts (after the pads,
    /// all at the `try_table`'s offset).
    pads: BTreeMap<u32, Vec<u32>>,
}

/// Where the interpreter charges fuel in function `index` and how much, read from its
/// bytecode in `flavour` (translated now if need be).
///
/// The interpreter charges each straight-line stretch of bytecode up front, at the
/// function's entry (the body's start offset), at the labels of `loop`, `else` and `end`,
/// and at a `try_table` with catch clauses (its body, and each clause's landing pad), one
/// unit per bytecode instruction. Native code charges the same amounts at the same places
/// (a pad's when its clause catches), so a fuel-metered run ends at the same instruction,
/// with the same fuel left, in either tier, and tiering up mid-run changes nothing.
fn fuel_stretches(
    module: &ModuleInner,
    flavour: Flavour,
    index: u32,
    body_start: usize,
) -> Result<Fuel, CompileError> {
    let code =
        crate::translate::compiled(module, module.code_map(flavour), index).map_err(|t| {
            CompileError::Unsupported {
                what: alloc::format!("fuel metering (the function's bytecode: {t})"),
                offset: body_start,
            }
        })?;
    // The offsets of the `try_table`s with landing pads.
    let tries: alloc::collections::BTreeSet<u32> = code
        .handlers
        .iter()
        .map(|h| code.offsets[h.pad as usize])
        .collect();
    let mut out = Fuel::default();
    for (i, instr) in code.code.iter().enumerate() {
        let Instr::ConsumeFuel { amount } = *instr else {
            continue;
        };
        let at = code.offsets[i];
        if tries.contains(&at) {
            out.pads.entry(at).or_default().push(amount);
        } else if out.stretches.insert(at, amount).is_some() {
            return Err(CompileError::Unsupported {
                what: "fuel metering (two stretches at one offset)".into(),
                offset: at as usize,
            });
        }
    }
    Ok(out)
}

/// Cranelift's passes and emission: the machine code and its sites. The only relocations
/// allowed are direct self-calls, resolved here (they are relative to the body itself, so
/// the code stays position-independent); any other is refused (helpers and other callees
/// are reached through the context).
fn emit(isa: &Isa, func: Function) -> Result<(Vec<u8>, Sites), CompileError> {
    // The names this function declared for itself.
    let own: Vec<ir::UserExternalNameRef> = match &func.name {
        UserFuncName::User(me) => func
            .params
            .user_named_funcs()
            .iter()
            .filter(|(_, n)| *n == me)
            .map(|(r, _)| r)
            .collect(),
        UserFuncName::Testcase(_) => Vec::new(),
    };
    let mut ctx = Context::for_function(func);
    ctx.optimize(&*isa.optimizing, &mut ControlPlane::default())
        .map_err(|e| CompileError::Codegen(alloc::format!("{e:?}")))?;
    schedule::interleave(&mut ctx.func);
    schedule::label_load_users(&mut ctx.func);
    let code = ctx
        .compile(&*isa.lowering, &mut ControlPlane::default())
        .map_err(|e| CompileError::Codegen(alloc::format!("{:?}", e.inner)))?;
    let mut bytes = code.code_buffer().to_vec();
    resolve_self_calls(&mut bytes, code.buffer.relocs(), &own)?;
    Ok((bytes, super::sites::of(code)))
}

/// Fills in the PC-relative self-calls of a body whose names for itself are `own`: each
/// relocation must be a 32-bit PC-relative call of one of them.
fn resolve_self_calls(
    code: &mut [u8],
    relocs: &[cranelift_codegen::FinalizedMachReloc],
    own: &[ir::UserExternalNameRef],
) -> Result<(), CompileError> {
    use cranelift_codegen::FinalizedRelocTarget;
    use cranelift_codegen::binemit::Reloc;
    for r in relocs {
        let to_self = matches!(&r.target,
            FinalizedRelocTarget::ExternalName(ir::ExternalName::User(n)) if own.contains(n));
        let at = r.offset as usize;
        if !to_self || r.kind != Reloc::X86CallPCRel4 || at + 4 > code.len() {
            return Err(CompileError::Codegen(alloc::format!(
                "machine code needs a relocation other than a self-call: {:?} at {:#x}",
                r.kind,
                r.offset
            )));
        }
        // The target (the body's start, offset 0) relative to the relocated field, with
        // the addend (-4: relative to the end of the field, where the call returns).
        let rel = -(r.offset as i64) + r.addend;
        let rel = i32::try_from(rel).map_err(|_| {
            CompileError::Codegen(alloc::format!("self-call out of range at {:#x}", r.offset))
        })?;
        code[at..at + 4].copy_from_slice(&rel.to_le_bytes());
    }
    Ok(())
}

/// The trampoline from the interpreter: `(cx, body, slots)`: loads the arguments from
/// `slots` (one 64-bit slot each, the interpreter's calling convention), calls `body`, and
/// stores the results into `slots` from slot 0.
fn trampoline(
    params: &[Type],
    results: &[Type],
    body_sig: Signature,
    frontend: cranelift_codegen::isa::TargetFrontendConfig,
) -> Function {
    let mut sig = Signature::new(CallConv::SystemV);
    for _ in 0..3 {
        sig.params.push(AbiParam::new(types::I64));
    }
    let mut func = Function::with_name_signature(UserFuncName::user(1, 0), sig);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let (cx, body, slots) = {
        let p = b.block_params(entry);
        (p[0], p[1], p[2])
    };
    let flags = MemFlagsData::trusted();
    let mut args = Vec::with_capacity(params.len() + 1);
    args.push(cx);
    for (t, off) in params.iter().zip(slot_offsets(params)) {
        args.push(b.ins().load(*t, slot_flags(*t), slots, off));
    }
    // Native code keeps the call depth left (`VmCtx::depth_left`) in the pinned register
    // (r15): bodies take a unit at entry and give it back at return without touching
    // memory. The register is callee-saved for the Rust caller, so its value is put back.
    let outer = b.ins().get_pinned_reg(types::I64);
    let left = b.ins().load(types::I64, flags, cx, vmctx::OFF_DEPTH_LEFT);
    b.ins().set_pinned_reg(left);
    let sigref = b.import_signature(body_sig);
    let call = b.ins().call_indirect(sigref, body, &args);
    let rets: Vec<Value> = b.inst_results(call).to_vec();
    b.ins().set_pinned_reg(outer);
    for ((v, t), off) in rets.into_iter().zip(results).zip(slot_offsets(results)) {
        let wide = to_slot(&mut b, v, *t);
        b.ins().store(slot_flags(*t), wide, slots, off);
    }
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(frontend);
    func
}

/// The byte offsets of values of types `ts` in the interpreter's 64-bit slots (a `v128`
/// takes two, its low half first).
fn slot_offsets(ts: &[Type]) -> Vec<i32> {
    let mut at = 0;
    ts.iter()
        .map(|t| {
            let off = at;
            at += slots_of(*t) as i32 * 8;
            off
        })
        .collect()
}

/// How many 64-bit slots a value of native type `t` takes.
fn slots_of(t: Type) -> usize {
    if t.is_vector() { 2 } else { 1 }
}

/// The slots values of types `ts` take.
fn slot_count(ts: &[Type]) -> usize {
    ts.iter().map(|t| slots_of(*t)).sum()
}

/// Flags of a slot access of type `t`: slots are 8-byte aligned, so a vector is not known
/// to be aligned.
fn slot_flags(t: Type) -> MemFlagsData {
    if t.is_vector() { heap() } else { trusted() }
}

/// A value as it is stored in its slot(s): 32-bit values zero-extended to 64 bits, floats as
/// their bits, vectors as they are (two slots).
fn to_slot(b: &mut FunctionBuilder<'_>, v: Value, t: Type) -> Value {
    match t {
        types::I64 => v,
        types::I8X16 => v,
        types::I32 => b.ins().uextend(types::I64, v),
        types::F32 => {
            let i = b.ins().bitcast(types::I32, MemFlagsData::new(), v);
            b.ins().uextend(types::I64, i)
        }
        types::F64 => b.ins().bitcast(types::I64, MemFlagsData::new(), v),
        _ => unreachable!("slot of {t}"),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Block,
    Loop,
    If,
    /// A `try_table`: a block whose body's throwing points (calls, `throw`, `throw_ref`)
    /// lead to its landing block when a trap is pending (see [`Translator::landing_of_innermost_try`]).
    TryTable,
    /// The function body itself: its end returns.
    Function,
    /// A block opened in unreachable code: skipped to its end.
    Dead,
}

struct Ctrl {
    kind: Kind,
    /// Where the construct continues (its results as block parameters).
    next: Block,
    /// A loop's header (its parameters as block parameters), the branch target.
    header: Option<Block>,
    /// An `if`'s else arm (its parameters as block parameters).
    else_block: Option<Block>,
    /// The `if`'s parameter values, for an implicit else arm.
    else_args: Vec<Value>,
    else_seen: bool,
    params: Vec<Type>,
    results: Vec<Type>,
    /// Operand stack height below the construct's parameters.
    height: usize,
    /// Some branch (or the fall-through) reaches `next`.
    next_reached: bool,
    /// A `try_table`'s catch clauses, in order.
    catches: Vec<Catch>,
    /// A `try_table`'s landing block (made by the first throwing point in its body): its
    /// parameter is the wasm offset of that point, for the backtrace if nothing catches.
    landing: Option<Block>,
    /// Under fuel metering, the fuel each catch clause's landing pad costs (charged when
    /// the clause catches, as the interpreter charges its pad), and the `try_table`'s
    /// offset, where such a charge traps.
    pad_fuel: Option<(Vec<u32>, u32)>,
}

impl Ctrl {
    /// A construct of `kind` continuing at `next`, with its types and the operand stack
    /// height below its parameters; nothing else of it is known yet (a loop's header, an
    /// `if`'s else arm, a `try_table`'s clauses are set by their openers).
    fn new(kind: Kind, next: Block, params: Vec<Type>, results: Vec<Type>, height: usize) -> Self {
        Ctrl {
            kind,
            next,
            header: None,
            else_block: None,
            else_args: Vec::new(),
            else_seen: false,
            params,
            results,
            height,
            next_reached: false,
            catches: Vec::new(),
            landing: None,
            pad_fuel: None,
        }
    }
}

/// The wasm offsets of the loop at offset `due` and of the loops around it.
fn loops_around(body: &FunctionBody<'_>, due: u32) -> Result<Vec<u32>, CompileError> {
    let mut open: Vec<Option<u32>> = Vec::new();
    let mut around = Vec::new();
    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        let at = ops.original_position() as u32;
        match ops.read()? {
            Operator::Loop { .. } => open.push(Some(at)),
            Operator::Block { .. }
            | Operator::If { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. } => open.push(None),
            Operator::End | Operator::Delegate { .. } => {
                if let Some(Some(start)) = open.pop()
                    && (start..at).contains(&due)
                {
                    around.push(start);
                }
            }
            _ => {}
        }
    }
    Ok(around)
}

/// What an on-stack-replacement entry is made of while it is translated: the loop
/// offset it takes, and the loops it can start at.
struct Osr {
    /// The entry's last parameter: the wasm offset of the loop to start at.
    id: Value,
    /// Where the entry jumps to: the switch on `id`, emitted after the body.
    dispatch: Block,
    /// The loop the frame was due at and the loops around it (see [`compile`]).
    around: Vec<u32>,
    /// Each loop it can start at: its offset and the block the dispatch jumps to (its
    /// header, or the block past its fuel charge). These blocks are sealed last, since the
    /// dispatch's jumps to them are added after the body.
    loops: Vec<(u32, Block)>,
}

impl Osr {
    fn starts_at(&self, b: Block) -> bool {
        self.loops.iter().any(|(_, h)| *h == b)
    }

    /// Emits the dispatch: a switch on the loop offset to each loop's block. Another offset
    /// (never passed: `native::osr` enters only at a loop the entry lists) traps as
    /// unreachable. Returns the loops' offsets.
    fn emit_dispatch(self, b: &mut FunctionBuilder<'_>, exit: Block, at: u32) -> Vec<u32> {
        b.switch_to_block(self.dispatch);
        b.seal_block(self.dispatch);
        let other = b.create_block();
        b.set_cold_block(other);
        let mut switch = cranelift_frontend::Switch::new();
        for (off, block) in &self.loops {
            switch.set_entry(u128::from(*off), *block);
        }
        switch.emit(b, self.id, other);
        b.switch_to_block(other);
        b.seal_block(other);
        let code = vmctx::trap_code_to_u32(TrapCode::Unreachable);
        let code = b.ins().iconst(types::I32, code as i64);
        let off = b.ins().iconst(types::I32, at as i64);
        b.ins()
            .jump(exit, &[BlockArg::Value(code), BlockArg::Value(off)]);
        self.loops.into_iter().map(|(off, _)| off).collect()
    }
}

struct Translator<'m, 'b> {
    m: &'m ModuleInner,
    flavour: Flavour,
    func_index: u32,
    b: FunctionBuilder<'b>,
    cx: Value,
    locals: Vec<(Variable, Type)>,
    stack: Vec<Value>,
    ctrl: Vec<Ctrl>,
    reachable: bool,
    /// Each memory's base and length (module memory index).
    mems: Vec<(Variable, Variable)>,
    results: Vec<Type>,
    /// The exit block: `(code, offset)`; calls the trap helper and returns, or raises.
    exit: Block,
    /// The module catches no exception (no `try_table` of any function has a catch
    /// clause, [`ModuleInner::catches_exceptions`]): no frame of its native code can stop
    /// a trap, so a trap is raised (`Helper::Raise`), abandoning every native frame up to
    /// the entry at once, and a call into native code never comes back with one pending:
    /// nothing is checked after it. Otherwise a trap passes back through the frames, each
    /// looking at the trap flag after its calls, so a `try_table` on the way can catch
    /// it.
    raise: bool,
    /// Wasm offset of the operator being translated.
    offset: usize,
    /// Translating an on-stack-replacement entry: where it can start.
    osr: Option<Osr>,
    /// Fuel to charge by wasm offset (see [`fuel_stretches`]); empty without metering.
    fuel: Fuel,
    /// The body's start offset: where the entry's fuel is charged.
    body_start: u32,
    /// Per memory, the loads made by `reload_memory` (at entry, after calls), each with
    /// what it serves, and whether anything read the base and the length: loads nothing
    /// read are removed (loads count as effects, so Cranelift keeps unused ones). Most
    /// functions of a guarded flavour never read a length.
    mem_reloads: Vec<Vec<(ir::Inst, MemPart)>>,
    mem_used: Vec<MemUse>,
    /// The call depth left (the pinned register) once the entry took its unit: what it is
    /// again after every call, so what a landing block puts back (the frames a caught
    /// exception unwound did not give theirs back).
    entry_depth: Option<Value>,
}

/// What a load of `Translator::reload_memory` serves.
#[derive(Clone, Copy)]
enum MemPart {
    /// The context's memory table (a memory other than 0): the base and the length.
    Table,
    Base,
    Len,
}

/// Whether a function read a memory's base and its length.
#[derive(Clone, Copy, Default)]
struct MemUse {
    base: bool,
    len: bool,
}

impl MemUse {
    fn serves(self, part: MemPart) -> bool {
        match part {
            MemPart::Table => self.base || self.len,
            MemPart::Base => self.base,
            MemPart::Len => self.len,
        }
    }
}

/// Flags of accesses to the context and its tables: aligned, never trapping.
fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Flags of loads of what does not change while native code runs: the context's tables
/// (helpers, globals, bodies), their helper and global-slot entries, the interrupt flag's
/// address and the stack limits (set by `vmctx::enter` before the code runs, the same for
/// nested entries). Cranelift may then keep them across calls instead of loading again.
fn fixed() -> MemFlagsData {
    trusted().with_readonly()
}

/// Flags of linear-memory accesses checked beforehand, so they cannot fault; possibly
/// unaligned (see [`Translator::address`] for those that may fault).
fn heap() -> MemFlagsData {
    let mut f = MemFlagsData::new();
    f.set_notrap();
    f
}

impl<'m, 'b> Translator<'m, 'b> {
    fn new(
        m: &'m ModuleInner,
        flavour: Flavour,
        func_index: u32,
        mut b: FunctionBuilder<'b>,
        params: &[Type],
        results: &[Type],
    ) -> Self {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let cx = b.block_params(entry)[0];
        let pvals: Vec<Value> = b.block_params(entry)[1..].to_vec();
        let mut locals = Vec::new();
        for (v, t) in pvals.into_iter().zip(params) {
            let var = b.declare_var(*t);
            b.def_var(var, v);
            locals.push((var, *t));
        }
        let nmems = m.memory_space.len();
        let mems = (0..nmems)
            .map(|_| (b.declare_var(types::I64), b.declare_var(types::I64)))
            .collect();
        let exit = b.create_block();
        b.append_block_param(exit, types::I32);
        b.append_block_param(exit, types::I32);
        b.set_cold_block(exit);
        Translator {
            m,
            flavour,
            func_index,
            b,
            cx,
            locals,
            stack: Vec::new(),
            ctrl: Vec::new(),
            reachable: true,
            mems,
            results: results.to_vec(),
            exit,
            raise: !m.catches_exceptions(),
            offset: 0,
            osr: None,
            fuel: Fuel::default(),
            body_start: 0,
            mem_reloads: alloc::vec![Vec::new(); nmems],
            mem_used: alloc::vec![MemUse::default(); nmems],
            entry_depth: None,
        }
    }

    fn unsupported<T>(&self, what: impl Into<String>) -> Result<T, CompileError> {
        Err(CompileError::Unsupported {
            what: what.into(),
            offset: self.offset,
        })
    }

    /// Translates the body; `locals` are all the locals' types (parameters first). An
    /// on-stack-replacement entry has them all as parameters already.
    fn translate(&mut self, body: &FunctionBody<'_>, locals: &[Type]) -> Result<(), CompileError> {
        // Declared locals, zeroed.
        for ty in &locals[self.locals.len()..] {
            let var = self.b.declare_var(*ty);
            let z = self.zero(*ty);
            self.b.def_var(var, z);
            self.locals.push((var, *ty));
        }
        self.load_memory(true);
        self.stack_check();
        if self.osr.is_none() {
            // (An on-stack-replacement entry continues a call the interpreter charged.)
            self.charge_fuel(self.body_start);
        }
        self.interrupt_check();
        if let Some(o) = &self.osr {
            // The entry goes to the dispatch on the loop offset (emitted once every loop
            // is known, see `Osr::emit_dispatch`); the code before the first loop stays
            // unreachable.
            let dispatch = o.dispatch;
            self.b.ins().jump(dispatch, &[]);
            let dead = self.b.create_block();
            self.b.switch_to_block(dead);
            self.b.seal_block(dead);
        }

        let next = self.b.create_block();
        for t in &self.results.clone() {
            self.b.append_block_param(next, *t);
        }
        let results = self.results.clone();
        self.ctrl
            .push(Ctrl::new(Kind::Function, next, Vec::new(), results, 0));

        let mut ops = body.get_operators_reader()?;
        while !ops.eof() {
            self.offset = ops.original_position() as usize;
            // Every instruction made for the operator carries its offset: a faulting
            // access or a call's return address maps back to it (see `Sites`).
            self.b.set_srcloc(ir::SourceLoc::new(self.offset as u32));
            let op = ops.read()?;
            if self.reachable {
                self.op(op)?;
            } else {
                self.dead_op(op)?;
            }
        }
        self.finish_exit();
        Ok(())
    }

    // ---------------------------------------------------------------- helpers ----

    fn zero(&mut self, t: Type) -> Value {
        match t {
            types::I8X16 => self.vconst(&[0; 16]),
            types::F32 => self.b.ins().f32const(Ieee32::with_bits(0)),
            types::F64 => self.b.ins().f64const(Ieee64::with_bits(0)),
            _ => self.b.ins().iconst(t, 0),
        }
    }

    fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("validated: operand stack not empty")
    }

    fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    fn peekn(&self, n: usize) -> Vec<Value> {
        self.stack[self.stack.len() - n..].to_vec()
    }

    fn load_cx(&mut self, t: Type, off: i32) -> Value {
        self.b.ins().load(t, trusted(), self.cx, off)
    }

    /// A context field that does not change while native code runs (see [`fixed`]).
    fn load_cx_fixed(&mut self, off: i32) -> Value {
        self.b.ins().load(types::I64, fixed(), self.cx, off)
    }

    /// Reloads every memory's base and length from the context (after calls and growth):
    /// memory 0's from its own fields, the others' from the context's memory table. A
    /// guarded 32-bit memory's base is loaded once, at entry (see `load_memory`).
    fn reload_memory(&mut self) {
        self.load_memory(false);
    }

    /// Loads the memories' bases and lengths into their variables: at the function's
    /// entry (`at_entry`) or again after something that may have changed them.
    fn load_memory(&mut self, at_entry: bool) {
        for i in 0..self.mems.len() {
            // A guarded 32-bit memory never moves (it grows inside its reservation), so
            // its base loaded at entry holds for the whole call: a callee's `memory.grow`
            // changes only the length.
            let fixed_base = self.flavour.guarded && !self.mem64(i as u32);
            let reload_base = at_entry || !fixed_base;
            let mut loads = Vec::with_capacity(3);
            let (base, len) = if i == 0 {
                let base = reload_base.then(|| self.load_cx(types::I64, vmctx::OFF_MEM0_BASE));
                let len = self.load_cx(types::I64, vmctx::OFF_MEM0_LEN);
                (base, len)
            } else {
                let table = self.load_cx_fixed(vmctx::OFF_MEMORIES);
                loads.push((table, MemPart::Table));
                let at = i as i32 * vmctx::MEM_SLOT_SIZE;
                let base = reload_base.then(|| {
                    self.b
                        .ins()
                        .load(types::I64, trusted(), table, at + vmctx::OFF_SLOT_BASE)
                });
                let len = self
                    .b
                    .ins()
                    .load(types::I64, trusted(), table, at + vmctx::OFF_SLOT_LEN);
                (base, len)
            };
            if let Some(base) = base {
                loads.push((base, MemPart::Base));
            }
            loads.push((len, MemPart::Len));
            for (v, part) in loads {
                let inst = self.b.func.dfg.value_def(v).unwrap_inst();
                self.mem_reloads[i].push((inst, part));
            }
            let (bv, lv) = self.mems[i];
            if let Some(base) = base {
                self.b.def_var(bv, base);
            }
            self.b.def_var(lv, len);
        }
    }

    /// Memory `mem`'s length in bytes now.
    fn mem_len(&mut self, mem: u32) -> Value {
        self.mem_used[mem as usize].len = true;
        self.b.use_var(self.mems[mem as usize].1)
    }

    /// Memory `mem`'s base now.
    fn mem_base(&mut self, mem: u32) -> Value {
        self.mem_used[mem as usize].base = true;
        self.b.use_var(self.mems[mem as usize].0)
    }

    /// Whether memory `mem` is a 64-bit memory (memory64).
    fn mem64(&self, mem: u32) -> bool {
        self.m.memory_space[mem as usize].is_64()
    }

    /// Whether table `table` is a 64-bit table.
    fn table64(&self, table: u32) -> bool {
        self.m.table_space[table as usize].is_64()
    }

    /// `v` (a 32-bit index, or a 64-bit one where `wide`) as an i64.
    fn index64(&mut self, v: Value, wide: bool) -> Value {
        if wide {
            v
        } else {
            self.b.ins().uextend(types::I64, v)
        }
    }

    /// Branches to the exit block with trap `code` when `cond` (an integer) is non-zero.
    fn trap_if(&mut self, cond: Value, code: TrapCode) {
        self.trap_if_at(cond, code, self.offset as u32);
    }

    /// [`trap_if`](Self::trap_if) at wasm offset `offset`; [`vmctx::NO_FRAME`]: the trap
    /// belongs to the caller's call (a call that may not go deeper), as in the interpreter.
    fn trap_if_at(&mut self, cond: Value, code: TrapCode, offset: u32) {
        self.exit_if(cond, vmctx::trap_code_to_u32(code), offset);
    }

    /// Branches to the exit block with `(code, offset)` when `cond` is non-zero, through a
    /// cold block of its own that sets them: the constants stay off the hot path (passed
    /// to the exit block directly, they would be put in registers before every check).
    fn exit_if(&mut self, cond: Value, code: u32, offset: u32) {
        let (cold, cont) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(cold);
        self.b.ins().brif(cond, cold, &[], cont, &[]);
        self.b.switch_to_block(cold);
        self.b.seal_block(cold);
        let code = self.b.ins().iconst(types::I32, code as i64);
        let off = self.b.ins().iconst(types::I32, offset as i64);
        self.b
            .ins()
            .jump(self.exit, &[BlockArg::Value(code), BlockArg::Value(off)]);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    /// Traps unconditionally; the code after it is unreachable.
    fn trap(&mut self, code: TrapCode) {
        let code = self
            .b
            .ins()
            .iconst(types::I32, vmctx::trap_code_to_u32(code) as i64);
        let off = self.b.ins().iconst(types::I32, self.offset as i64);
        self.b
            .ins()
            .jump(self.exit, &[BlockArg::Value(code), BlockArg::Value(off)]);
        self.reachable = false;
    }

    /// After a call of native code: as [`check_trapped`](Self::check_trapped), except
    /// where traps are raised ([`Translator::raise`]), which never come back here.
    fn check_trapped_after_native_call(&mut self) {
        if !self.raise {
            self.check_trapped();
        }
    }

    /// After a call (or a helper that may trap): if a trap is pending, the innermost
    /// enclosing `try_table` with catch clauses gets to catch it (if it is an exception);
    /// outside one, this frame joins the backtrace and returns (or raises the trap).
    fn check_trapped(&mut self) {
        let t = self.load_cx(types::I32, vmctx::OFF_TRAPPED);
        if self.landing_of_innermost_try().is_none() {
            return self.exit_if(t, 0, self.offset as u32);
        }
        let (cold, cont) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(cold);
        self.b.ins().brif(t, cold, &[], cont, &[]);
        self.b.switch_to_block(cold);
        self.b.seal_block(cold);
        let off = self.b.ins().iconst(types::I32, self.offset as i64);
        self.pass_to_handler(off);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    /// A trap is pending (a `throw` made it): on to the innermost enclosing `try_table`'s
    /// landing, or out of the function. The code after it is unreachable.
    fn unwind(&mut self) {
        let off = self.b.ins().iconst(types::I32, self.offset as i64);
        self.pass_to_handler(off);
        self.reachable = false;
    }

    /// Jumps with the pending trap, raised at wasm offset `off`, to the innermost enclosing
    /// `try_table`'s landing, or to the exit block (this frame joins the backtrace).
    fn pass_to_handler(&mut self, off: Value) {
        match self.landing_of_innermost_try() {
            Some(landing) => {
                self.b.ins().jump(landing, &[BlockArg::Value(off)]);
            }
            None => {
                let zero = self.b.ins().iconst(types::I32, 0);
                self.b
                    .ins()
                    .jump(self.exit, &[BlockArg::Value(zero), BlockArg::Value(off)]);
            }
        }
    }

    /// The landing block of the innermost open `try_table` that has catch clauses (made
    /// now if need be), or `None` outside every one.
    fn landing_of_innermost_try(&mut self) -> Option<Block> {
        let i = self
            .ctrl
            .iter()
            .rposition(|c| c.kind == Kind::TryTable && !c.catches.is_empty())?;
        if let Some(l) = self.ctrl[i].landing {
            return Some(l);
        }
        let l = self.b.create_block();
        self.b.append_block_param(l, types::I32);
        self.b.set_cold_block(l);
        self.ctrl[i].landing = Some(l);
        Some(l)
    }

    /// Emits the landing block `landing` of a `try_table` whose control frame was just
    /// popped, with its catch clauses `catches`: each clause in order asks the `Catch`
    /// helper whether it catches the pending trap; the first that does branches to its
    /// label with the payload (and the reference); if none does, the trap goes on to the
    /// enclosing `try_table`'s landing, or out of the function. As in the interpreter, the
    /// labels are those around the `try_table`.
    fn emit_landing(
        &mut self,
        landing: Block,
        catches: &[Catch],
        pad_fuel: Option<&(Vec<u32>, u32)>,
    ) {
        self.b.switch_to_block(landing);
        self.b.seal_block(landing);
        let off = self.b.block_params(landing)[0];
        // The frames the exception unwound took their depth units and did not give them
        // back; this frame's count is the one it had at the throwing point.
        if let Some(d) = self.entry_depth {
            self.b.ins().set_pinned_reg(d);
        }
        let clauses: Vec<(u32, bool, u32, Vec<Type>)> = catches
            .iter()
            .map(|c| {
                let (tag, with_ref, label) = crate::code::catch_clause(c);
                let mut payload = Vec::new();
                if tag != CATCH_ALL {
                    payload.extend(
                        self.m
                            .tag_type(tag)
                            .params()
                            .iter()
                            .map(|t| native_type(*t).expect("every value type has one")),
                    );
                }
                if with_ref {
                    payload.push(types::I64);
                }
                (tag, with_ref, label, payload)
            })
            .collect();
        let slots = clauses
            .iter()
            .map(|c| slot_count(&c.3))
            .max()
            .unwrap_or(0)
            .max(1);
        let ss = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (slots * 8) as u32,
            3,
        ));
        let p = self.b.ins().stack_addr(types::I64, ss, 0);
        for (k, (tag, with_ref, label, payload)) in clauses.into_iter().enumerate() {
            let tv = self.b.ins().iconst(types::I32, tag as i64);
            let rv = self.b.ins().iconst(types::I32, with_ref as i64);
            let caught = self.call_helper(Helper::Catch, &[tv, rv, p])[0];
            let (hit, miss) = (self.b.create_block(), self.b.create_block());
            self.b.ins().brif(caught, hit, &[], miss, &[]);
            self.b.switch_to_block(hit);
            self.b.seal_block(hit);
            if let Some((amounts, at)) = pad_fuel {
                self.charge_fuel_amount(amounts[k], *at);
            }
            let vals: Vec<Value> = payload
                .iter()
                .zip(slot_offsets(&payload))
                .map(|(t, o)| self.b.ins().load(*t, slot_flags(*t), p, o))
                .collect();
            // The callee that threw may have grown or moved a memory.
            self.reload_memory();
            let (target, _) = self.target(label);
            self.b.ins().jump(target, &Self::args(&vals));
            self.b.switch_to_block(miss);
            self.b.seal_block(miss);
        }
        self.pass_to_handler(off);
    }

    fn finish_exit(&mut self) {
        self.b.switch_to_block(self.exit);
        let (code, off) = {
            let p = self.b.block_params(self.exit);
            (p[0], p[1])
        };
        let func = self.b.ins().iconst(types::I32, self.func_index as i64);
        if self.raise {
            let fp = self.b.ins().get_frame_pointer(types::I64);
            self.call_helper(Helper::Raise, &[code, func, off, fp]);
            // The helper does not return.
            self.b.ins().trap(ir::TrapCode::unwrap_user(1));
        } else {
            self.call_helper(Helper::Trap, &[code, func, off]);
            self.return_zeros();
        }
    }

    /// Returns zeros of the function's result types (what a frame returns with while a trap
    /// is pending: the callers look at the trap flag, not the values).
    fn return_zeros(&mut self) {
        let zeros: Vec<Value> = self
            .results
            .clone()
            .into_iter()
            .map(|t| self.zero(t))
            .collect();
        self.b.ins().return_(&zeros);
    }

    /// Calls helper `h` (its address is in the context's helper table).
    ///
    /// The call depth lives in the pinned register (see [`trampoline`]); it is written to
    /// the context first, where the helpers read it. Helpers are Rust functions, which
    /// keep the register (callee-saved), and native code they enter balances it.
    fn call_helper(&mut self, h: Helper, args: &[Value]) -> Vec<Value> {
        let left = self.b.ins().get_pinned_reg(types::I64);
        self.b
            .ins()
            .store(trusted(), left, self.cx, vmctx::OFF_DEPTH_LEFT);
        let (params, rets) = h.signature();
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.push(AbiParam::new(types::I64));
        sig.params.extend(params.iter().map(|t| AbiParam::new(*t)));
        sig.returns.extend(rets.iter().map(|t| AbiParam::new(*t)));
        let sigref = self.b.import_signature(sig);
        let table = self.load_cx_fixed(vmctx::OFF_HELPERS);
        let f = self
            .b
            .ins()
            .load(types::I64, fixed(), table, (h as i32) * 8);
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.cx);
        all.extend_from_slice(args);
        let call = self.b.ins().call_indirect(sigref, f, &all);
        self.b.inst_results(call).to_vec()
    }

    /// At entry: the native stack limit and the call depth (one unit taken here, given
    /// back by every return).
    ///
    /// Within `vmctx::INTERP_ROOM` of the stack limit, the function runs in the interpreter
    /// instead (whose frames are on the heap, and which calls no native code while the
    /// stack is that low), so deep recursion reaches the same `max_call_depth` as in the
    /// interpreter. Checked here, once per function entry, rather than at every call site.
    fn stack_check(&mut self) {
        let sp = self.b.ins().get_stack_pointer(types::I64);
        if self.osr.is_some() {
            // An on-stack-replacement entry takes over a running interpreter frame, whose
            // depth was counted when it was called: the interpreter's limit, exactly. The
            // interpreter enters it only with room to spare (`native::stack_low`).
            let limit = self.load_cx_fixed(vmctx::OFF_STACK_LIMIT);
            let low = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, limit);
            self.trap_if_at(low, TrapCode::StackExhausted, vmctx::NO_FRAME);
            self.entry_depth = Some(self.b.ins().get_pinned_reg(types::I64));
            return;
        }
        let soft = self.load_cx_fixed(vmctx::OFF_STACK_SOFT_LIMIT);
        let low = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, soft);
        let (slow, cont) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(slow);
        self.b.ins().brif(low, slow, &[], cont, &[]);
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        self.run_in_interpreter(sp);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
        let left = self.b.ins().get_pinned_reg(types::I64);
        let out = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedLessThanOrEqual, left, 0);
        // The function did not start: the trap is its caller's, at the call, as in the
        // interpreter (which checks the depth before it pushes the callee's frame).
        self.trap_if_at(out, TrapCode::StackExhausted, vmctx::NO_FRAME);
        let left = self.b.ins().iadd_imm_s(left, -1);
        self.b.ins().set_pinned_reg(left);
        self.entry_depth = Some(left);
    }

    /// The entry's slow path: below the hard limit, a trap (belonging to the caller's call);
    /// else this very function, run by the interpreter through the call helper with the
    /// entry's parameters, and its results returned. A trap in it already lists the
    /// function's frame, so this native frame adds none.
    fn run_in_interpreter(&mut self, sp: Value) {
        let limit = self.load_cx_fixed(vmctx::OFF_STACK_LIMIT);
        let out = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, limit);
        self.trap_if_at(out, TrapCode::StackExhausted, vmctx::NO_FRAME);
        let nparams = self.m.func_type(self.func_index).params().len();
        let params: Vec<Value> = self.locals[..nparams]
            .iter()
            .map(|(var, _)| self.b.use_var(*var))
            .collect();
        let types: Vec<Type> = self.locals[..nparams].iter().map(|(_, t)| *t).collect();
        let results = self.results.clone();
        let (p, ss) = self.spill(&params, &types, &results);
        let fv = self.b.ins().iconst(types::I32, self.func_index as i64);
        self.call_helper(Helper::Call, &[fv, p]);
        let trapped = self.load_cx(types::I32, vmctx::OFF_TRAPPED);
        self.exit_if(trapped, 0, vmctx::NO_FRAME);
        let base = self.stack.len();
        self.unspill(ss, &results);
        let rets = self.stack.split_off(base);
        self.b.ins().return_(&rets);
    }

    /// Before a return: gives the call depth unit back.
    fn give_back_depth(&mut self) {
        let left = self.b.ins().get_pinned_reg(types::I64);
        let left = self.b.ins().iadd_imm_s(left, 1);
        self.b.ins().set_pinned_reg(left);
    }

    /// Charges the fuel of the stretch starting at wasm offset `at`, if one does: traps
    /// with `OutOfFuel` (charging nothing) when less is left, as the interpreter does.
    fn charge_fuel(&mut self, at: u32) {
        let Some(&amount) = self.fuel.stretches.get(&at) else {
            return;
        };
        self.charge_fuel_amount(amount, at);
    }

    /// Charges `amount` of fuel for the stretch at wasm offset `at` (see
    /// [`charge_fuel`](Self::charge_fuel)).
    fn charge_fuel_amount(&mut self, amount: u32, at: u32) {
        if amount == 0 {
            return;
        }
        let p = self.load_cx_fixed(vmctx::OFF_FUEL);
        let left = self.b.ins().load(types::I64, trusted(), p, 0);
        let short = self
            .b
            .ins()
            .icmp_imm_u(IntCC::UnsignedLessThan, left, amount as i64);
        self.trap_if_at(short, TrapCode::OutOfFuel, at);
        let left = self.b.ins().iadd_imm_s(left, -(amount as i64));
        self.b.ins().store(trusted(), left, p, 0);
    }

    fn interrupt_check(&mut self) {
        if !self.flavour.interruptible {
            return;
        }
        let p = self.load_cx_fixed(vmctx::OFF_INTERRUPT);
        // An atomic load: another thread sets the flag, and a plain load would be taken
        // for the same value as the previous check (no store in between) and removed.
        let v = self.b.ins().atomic_load(types::I8, trusted(), p);
        self.trap_if(v, TrapCode::Interrupted);
    }

    fn block_types(&self, bt: BlockType) -> Result<(Vec<Type>, Vec<Type>), CompileError> {
        match bt {
            BlockType::Empty => Ok((Vec::new(), Vec::new())),
            BlockType::Type(t) => match wasm_native_type(t) {
                Some(t) => Ok((Vec::new(), alloc::vec![t])),
                None => self.unsupported("v128 values"),
            },
            BlockType::FuncType(i) => {
                let ft = &self.m.types[i as usize];
                Ok((
                    native_types(ft.params(), self.offset)?,
                    native_types(ft.results(), self.offset)?,
                ))
            }
        }
    }

    fn block_with_params(&mut self, ts: &[Type]) -> Block {
        let b = self.b.create_block();
        for t in ts {
            self.b.append_block_param(b, *t);
        }
        b
    }

    fn args(vals: &[Value]) -> Vec<BlockArg> {
        vals.iter().map(|v| BlockArg::Value(*v)).collect()
    }

    /// The branch target of relative depth `depth` and how many values it takes; marks a
    /// forward target as reached.
    fn target(&mut self, depth: u32) -> (Block, usize) {
        let i = self.ctrl.len() - 1 - depth as usize;
        let c = &mut self.ctrl[i];
        if c.kind == Kind::Loop {
            (c.header.expect("a loop has a header"), c.params.len())
        } else {
            c.next_reached = true;
            (c.next, c.results.len())
        }
    }

    // ---------------------------------------------------------------- control ----

    /// When `cond` is non-zero, branches to the target of relative depth `depth` with the
    /// values it takes from the top of the stack; goes on in a fresh block otherwise.
    fn br_if(&mut self, cond: Value, depth: u32) {
        let (t, n) = self.target(depth);
        let vals = self.peekn(n);
        let cont = self.b.create_block();
        self.b.ins().brif(cond, t, &Self::args(&vals), cont, &[]);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    fn dead_op(&mut self, op: Operator<'_>) -> Result<(), CompileError> {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. } => {
                let next = self.b.create_block();
                let height = self.stack.len();
                self.ctrl
                    .push(Ctrl::new(Kind::Dead, next, Vec::new(), Vec::new(), height));
            }
            Operator::Else if self.ctrl.last().expect("in a block").kind != Kind::Dead => {
                self.op_else();
            }
            Operator::End => {
                if self.ctrl.last().expect("in a block").kind == Kind::Dead {
                    self.ctrl.pop();
                } else {
                    self.op_end();
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Opens a `block` or a `try_table` (with its catch clauses): its results become the
    /// parameters of the block it continues at.
    fn open_block(
        &mut self,
        bt: BlockType,
        kind: Kind,
        catches: Vec<Catch>,
    ) -> Result<(), CompileError> {
        let (params, results) = self.block_types(bt)?;
        let next = self.block_with_params(&results);
        let height = self.stack.len() - params.len();
        self.ctrl.push(Ctrl {
            catches,
            ..Ctrl::new(kind, next, params, results, height)
        });
        Ok(())
    }

    fn op_else(&mut self) {
        let reachable = self.reachable;
        let top = self.ctrl.len() - 1;
        if reachable {
            let n = self.ctrl[top].results.len();
            let vals = self.peekn(n);
            let next = self.ctrl[top].next;
            self.b.ins().jump(next, &Self::args(&vals));
            self.ctrl[top].next_reached = true;
        }
        let c = &mut self.ctrl[top];
        c.else_seen = true;
        let (height, else_block) = (c.height, c.else_block.expect("an if has an else block"));
        self.stack.truncate(height);
        self.b.switch_to_block(else_block);
        self.b.seal_block(else_block);
        let ps = self.b.block_params(else_block).to_vec();
        self.stack.extend(ps);
        self.reachable = true;
        self.charge_fuel(self.offset as u32);
    }

    fn op_end(&mut self) {
        let c = self.ctrl.pop().expect("in a block");
        if self.reachable {
            let vals = self.peekn(c.results.len());
            self.b.ins().jump(c.next, &Self::args(&vals));
        }
        if let Some(landing) = c.landing {
            self.emit_landing(landing, &c.catches, c.pad_fuel.as_ref());
        }
        let mut reached = c.next_reached || self.reachable;
        if c.kind == Kind::If && !c.else_seen {
            // The implicit else arm passes the parameters on (validation makes them the
            // results).
            let eb = c.else_block.expect("an if has an else block");
            self.b.switch_to_block(eb);
            self.b.seal_block(eb);
            self.b.ins().jump(c.next, &Self::args(&c.else_args));
            reached = true;
        }
        // An on-stack-replacement entry's loop header is sealed once the dispatch jumps
        // to it too (`seal_all_blocks`).
        if let Some(h) = c.header
            && !self.osr.as_ref().is_some_and(|o| o.starts_at(h))
        {
            self.b.seal_block(h);
        }
        self.stack.truncate(c.height);
        if c.kind == Kind::Function {
            self.b.switch_to_block(c.next);
            self.b.seal_block(c.next);
            let rets = self.b.block_params(c.next).to_vec();
            self.give_back_depth();
            self.b.ins().return_(&rets);
            self.reachable = false;
            return;
        }
        if reached {
            self.b.switch_to_block(c.next);
            self.b.seal_block(c.next);
            let ps = self.b.block_params(c.next).to_vec();
            self.stack.extend(ps);
            self.reachable = true;
            self.charge_fuel(self.offset as u32);
        } else {
            self.reachable = false;
        }
    }

    fn op(&mut self, op: Operator<'_>) -> Result<(), CompileError> {
        use Operator as O;
        let b = &mut self.b;
        macro_rules! bin {
            ($f:ident) => {{
                let (x, y) = self.pop2();
                let v = self.b.ins().$f(x, y);
                self.push(v);
            }};
        }
        macro_rules! un {
            ($f:ident) => {{
                let x = self.pop();
                let v = self.b.ins().$f(x);
                self.push(v);
            }};
        }
        macro_rules! icmp {
            ($cc:expr) => {{
                let (x, y) = self.pop2();
                let c = self.b.ins().icmp($cc, x, y);
                let v = self.b.ins().uextend(types::I32, c);
                self.push(v);
            }};
        }
        macro_rules! fcmp {
            ($cc:expr) => {{
                let (x, y) = self.pop2();
                let c = self.b.ins().fcmp($cc, x, y);
                let v = self.b.ins().uextend(types::I32, c);
                self.push(v);
            }};
        }
        macro_rules! eqz {
            () => {{
                let x = self.pop();
                let c = self.b.ins().icmp_imm_s(IntCC::Equal, x, 0);
                let v = self.b.ins().uextend(types::I32, c);
                self.push(v);
            }};
        }
        macro_rules! conv {
            ($f:ident, $t:expr) => {{
                let x = self.pop();
                let v = self.b.ins().$f($t, x);
                self.push(v);
            }};
        }
        let _ = b;
        match op {
            O::Nop => {}
            O::Unreachable => self.trap(TrapCode::Unreachable),
            O::Block { blockty } => self.open_block(blockty, Kind::Block, Vec::new())?,
            O::TryTable { try_table } => {
                let n = try_table.catches.len();
                self.open_block(try_table.ty, Kind::TryTable, try_table.catches)?;
                let at = self.offset as u32;
                if let Some(amounts) = self.fuel.pads.get(&at).cloned() {
                    // The pads' stretches, then the body's: charged now, as the
                    // interpreter does once it has jumped over the pads.
                    let Some((&body, pads)) =
                        amounts.split_last().filter(|_| amounts.len() == n + 1)
                    else {
                        return self.unsupported(alloc::format!(
                            "fuel metering ({} stretches at a try_table with {n} clauses)",
                            amounts.len()
                        ));
                    };
                    self.charge_fuel_amount(body, at);
                    self.ctrl.last_mut().expect("just opened").pad_fuel = Some((pads.to_vec(), at));
                }
            }
            O::Throw { tag_index } => {
                let params = native_types(self.m.tag_type(tag_index).params(), self.offset)?;
                let args = self.peekn(params.len());
                self.stack.truncate(self.stack.len() - params.len());
                let (p, _) = self.spill(&args, &params, &[]);
                let tv = self.b.ins().iconst(types::I32, tag_index as i64);
                let nv = self.b.ins().iconst(types::I32, slot_count(&params) as i64);
                self.call_helper(Helper::Throw, &[tv, nv, p]);
                self.unwind();
            }
            O::ThrowRef => {
                let exn = self.pop();
                let null = self.b.ins().icmp_imm_s(IntCC::Equal, exn, 0);
                self.trap_if(null, TrapCode::NullExceptionReference);
                self.call_helper(Helper::ThrowRef, &[exn]);
                self.unwind();
            }
            O::Loop { blockty } => {
                let (params, results) = self.block_types(blockty)?;
                let at = self.offset as u32;
                // A loop an on-stack-replacement entry can start at: the dispatch jumps to
                // this block. Like the interpreter's `LoopCount`, only where the frame's
                // locals are all its state.
                // Outermost among the loops a frame can move at (those around it may have
                // operands: coremark's iteration loop does).
                let outermost = !self
                    .ctrl
                    .iter()
                    .any(|c| c.kind == Kind::Loop && c.params.is_empty() && c.height == 0);
                let osr_entry = if params.is_empty()
                    && self.stack.is_empty()
                    && self
                        .osr
                        .as_ref()
                        .is_some_and(|o| outermost || o.around.contains(&at))
                {
                    let h = self.b.create_block();
                    if let Some(o) = &mut self.osr {
                        o.loops.push((at, h));
                    }
                    Some(h)
                } else {
                    None
                };
                let charged = self.fuel.stretches.get(&at).is_some_and(|a| *a > 0);
                // The back-edges' target. An on-stack-replacement entry comes in past the
                // loop's fuel charge: the interpreter charged this iteration already.
                let header = match osr_entry {
                    Some(h) if !charged => h,
                    _ => self.block_with_params(&params),
                };
                let next = self.block_with_params(&results);
                let vals = self.peekn(params.len());
                self.b.ins().jump(header, &Self::args(&vals));
                let height = self.stack.len() - params.len();
                self.stack.truncate(height);
                self.b.switch_to_block(header);
                let ps = self.b.block_params(header).to_vec();
                self.stack.extend(ps);
                self.ctrl.push(Ctrl {
                    header: Some(header),
                    ..Ctrl::new(Kind::Loop, next, params, results, height)
                });
                self.charge_fuel(at);
                if let Some(body) = osr_entry
                    && charged
                {
                    // Sealed once the dispatch jumps to it too.
                    self.b.ins().jump(body, &[]);
                    self.b.switch_to_block(body);
                }
                self.interrupt_check();
            }
            O::If { blockty } => {
                let (params, results) = self.block_types(blockty)?;
                let cond = self.pop();
                let then = self.block_with_params(&params);
                let els = self.block_with_params(&params);
                let next = self.block_with_params(&results);
                let vals = self.peekn(params.len());
                let args = Self::args(&vals);
                self.b.ins().brif(cond, then, &args, els, &args);
                let height = self.stack.len() - params.len();
                self.stack.truncate(height);
                self.b.switch_to_block(then);
                self.b.seal_block(then);
                let ps = self.b.block_params(then).to_vec();
                self.stack.extend(ps);
                self.ctrl.push(Ctrl {
                    else_block: Some(els),
                    else_args: vals,
                    ..Ctrl::new(Kind::If, next, params, results, height)
                });
            }
            O::Else => self.op_else(),
            O::End => self.op_end(),
            O::Br { relative_depth } => {
                let (t, n) = self.target(relative_depth);
                let vals = self.peekn(n);
                self.b.ins().jump(t, &Self::args(&vals));
                self.reachable = false;
            }
            O::BrIf { relative_depth } => {
                let cond = self.pop();
                self.br_if(cond, relative_depth);
            }
            O::BrTable { targets } => {
                let index = self.pop();
                let mut depths = Vec::with_capacity(targets.len() as usize);
                for d in targets.targets() {
                    depths.push(d?);
                }
                let default = targets.default();
                // Each target gets an edge block without parameters that jumps on with
                // the values (a jump table's entries carry no arguments of their own).
                let edge = |this: &mut Self, depth: u32| {
                    let (t, n) = this.target(depth);
                    let vals = this.peekn(n);
                    let e = this.b.create_block();
                    (e, t, vals)
                };
                let mut edges = Vec::with_capacity(depths.len() + 1);
                for d in &depths {
                    edges.push(edge(self, *d));
                }
                let def = edge(self, default);
                let pool = &mut self.b.func.dfg.value_lists;
                let entries: Vec<ir::BlockCall> = edges
                    .iter()
                    .map(|(e, _, _)| ir::BlockCall::new(*e, core::iter::empty(), pool))
                    .collect();
                let def_call = ir::BlockCall::new(def.0, core::iter::empty(), pool);
                let jt = self
                    .b
                    .create_jump_table(JumpTableData::new(def_call, &entries));
                self.b.ins().br_table(index, jt);
                for (e, t, vals) in edges.into_iter().chain(core::iter::once(def)) {
                    self.b.switch_to_block(e);
                    self.b.seal_block(e);
                    self.b.ins().jump(t, &Self::args(&vals));
                }
                self.reachable = false;
            }
            O::Return => {
                let vals = self.peekn(self.results.len());
                self.give_back_depth();
                self.b.ins().return_(&vals);
                self.reachable = false;
            }
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let c = self.pop();
                let (x, y) = self.pop2();
                let v = self.b.ins().select(c, x, y);
                self.push(v);
            }
            O::TypedSelectMulti { .. } => return self.unsupported("select with several types"),
            O::LocalGet { local_index } => {
                let v = self.b.use_var(self.locals[local_index as usize].0);
                self.push(v);
            }
            O::LocalSet { local_index } => {
                let v = self.pop();
                self.b.def_var(self.locals[local_index as usize].0, v);
            }
            O::LocalTee { local_index } => {
                let v = *self.stack.last().expect("validated");
                self.b.def_var(self.locals[local_index as usize].0, v);
            }
            O::GlobalGet { global_index } => {
                let (p, t) = self.global(global_index)?;
                let v = self.b.ins().load(t, slot_flags(t), p, 0);
                self.push(v);
            }
            O::GlobalSet { global_index } => {
                let (p, t) = self.global(global_index)?;
                let v = self.pop();
                let w = to_slot(&mut self.b, v, t);
                self.b.ins().store(slot_flags(t), w, p, 0);
            }
            O::I32Const { value } => {
                let v = self.b.ins().iconst(types::I32, value as i64);
                self.push(v);
            }
            O::I64Const { value } => {
                let v = self.b.ins().iconst(types::I64, value);
                self.push(v);
            }
            O::F32Const { value } => {
                let v = self.b.ins().f32const(Ieee32::with_bits(value.bits()));
                self.push(v);
            }
            O::F64Const { value } => {
                let v = self.b.ins().f64const(Ieee64::with_bits(value.bits()));
                self.push(v);
            }
            O::RefNull { .. } => {
                let v = self.b.ins().iconst(types::I64, 0);
                self.push(v);
            }
            O::RefIsNull => eqz!(),

            // Calls.
            O::Call { function_index } => self.call(function_index)?,
            O::CallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index)?,
            O::ReturnCall { function_index } => self.return_call(function_index)?,
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.return_call_indirect(type_index, table_index)?,
            O::CallRef { type_index } => self.call_ref(type_index, false)?,
            O::ReturnCallRef { type_index } => self.call_ref(type_index, true)?,

            // Typed function references (null is 0).
            O::RefAsNonNull => {
                let r = *self.stack.last().expect("validated");
                let null = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
                self.trap_if(null, TrapCode::NullReference);
            }
            O::BrOnNull { relative_depth } => {
                let r = self.pop();
                let null = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
                self.br_if(null, relative_depth);
                self.push(r);
            }
            O::BrOnNonNull { relative_depth } => {
                // The target takes the reference too, on top of its other values.
                let r = *self.stack.last().expect("validated");
                self.br_if(r, relative_depth);
                self.pop();
            }

            // Memory 0.
            O::I32Load { memarg } => self.load(memarg, types::I32, 4, Ext::None)?,
            O::I64Load { memarg } => self.load(memarg, types::I64, 8, Ext::None)?,
            O::F32Load { memarg } => self.load(memarg, types::F32, 4, Ext::None)?,
            O::F64Load { memarg } => self.load(memarg, types::F64, 8, Ext::None)?,
            O::I32Load8S { memarg } => self.load(memarg, types::I32, 1, Ext::S)?,
            O::I32Load8U { memarg } => self.load(memarg, types::I32, 1, Ext::U)?,
            O::I32Load16S { memarg } => self.load(memarg, types::I32, 2, Ext::S)?,
            O::I32Load16U { memarg } => self.load(memarg, types::I32, 2, Ext::U)?,
            O::I64Load8S { memarg } => self.load(memarg, types::I64, 1, Ext::S)?,
            O::I64Load8U { memarg } => self.load(memarg, types::I64, 1, Ext::U)?,
            O::I64Load16S { memarg } => self.load(memarg, types::I64, 2, Ext::S)?,
            O::I64Load16U { memarg } => self.load(memarg, types::I64, 2, Ext::U)?,
            O::I64Load32S { memarg } => self.load(memarg, types::I64, 4, Ext::S)?,
            O::I64Load32U { memarg } => self.load(memarg, types::I64, 4, Ext::U)?,
            O::I32Store { memarg } | O::F32Store { memarg } => self.store(memarg, 4)?,
            O::I64Store { memarg } | O::F64Store { memarg } => self.store(memarg, 8)?,
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store(memarg, 1)?,
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => self.store(memarg, 2)?,
            O::I64Store32 { memarg } => self.store(memarg, 4)?,
            O::MemorySize { mem } => {
                let len = self.mem_len(mem);
                let pages = self.b.ins().ushr_imm_u(len, 16);
                let v = if self.mem64(mem) {
                    pages
                } else {
                    self.b.ins().ireduce(types::I32, pages)
                };
                self.push(v);
            }
            O::MemoryGrow { mem } if mem == 0 && !self.mem64(0) => {
                let delta = self.pop();
                let r = self.call_helper(Helper::MemoryGrow, &[delta]);
                self.check_trapped();
                self.reload_memory();
                self.push(r[0]);
            }
            O::MemoryGrow { mem } => {
                self.op_helper(Op::MemoryGrow, &[mem], 1, true);
                if !self.mem64(mem) {
                    self.narrow_top();
                }
                self.reload_memory();
            }

            // i32.
            O::I32Eqz => eqz!(),
            O::I32Eq | O::I64Eq => icmp!(IntCC::Equal),
            O::I32Ne | O::I64Ne => icmp!(IntCC::NotEqual),
            O::I32LtS | O::I64LtS => icmp!(IntCC::SignedLessThan),
            O::I32LtU | O::I64LtU => icmp!(IntCC::UnsignedLessThan),
            O::I32GtS | O::I64GtS => icmp!(IntCC::SignedGreaterThan),
            O::I32GtU | O::I64GtU => icmp!(IntCC::UnsignedGreaterThan),
            O::I32LeS | O::I64LeS => icmp!(IntCC::SignedLessThanOrEqual),
            O::I32LeU | O::I64LeU => icmp!(IntCC::UnsignedLessThanOrEqual),
            O::I32GeS | O::I64GeS => icmp!(IntCC::SignedGreaterThanOrEqual),
            O::I32GeU | O::I64GeU => icmp!(IntCC::UnsignedGreaterThanOrEqual),
            O::I64Eqz => eqz!(),
            O::I32Clz | O::I64Clz => un!(clz),
            O::I32Ctz | O::I64Ctz => un!(ctz),
            O::I32Popcnt | O::I64Popcnt => un!(popcnt),
            O::I32Add | O::I64Add => bin!(iadd),
            O::I32Sub | O::I64Sub => bin!(isub),
            O::I32Mul | O::I64Mul => bin!(imul),
            O::I32DivS | O::I64DivS => self.div(true, true),
            O::I32DivU | O::I64DivU => self.div(false, true),
            O::I32RemS | O::I64RemS => self.div(true, false),
            O::I32RemU | O::I64RemU => self.div(false, false),
            O::I32And | O::I64And => bin!(band),
            O::I32Or | O::I64Or => bin!(bor),
            O::I32Xor | O::I64Xor => bin!(bxor),
            O::I32Shl | O::I64Shl => bin!(ishl),
            O::I32ShrS | O::I64ShrS => bin!(sshr),
            O::I32ShrU | O::I64ShrU => bin!(ushr),
            O::I32Rotl | O::I64Rotl => bin!(rotl),
            O::I32Rotr | O::I64Rotr => bin!(rotr),

            // Floats.
            O::F32Eq | O::F64Eq => fcmp!(FloatCC::Equal),
            O::F32Ne | O::F64Ne => fcmp!(FloatCC::NotEqual),
            O::F32Lt | O::F64Lt => fcmp!(FloatCC::LessThan),
            O::F32Gt | O::F64Gt => fcmp!(FloatCC::GreaterThan),
            O::F32Le | O::F64Le => fcmp!(FloatCC::LessThanOrEqual),
            O::F32Ge | O::F64Ge => fcmp!(FloatCC::GreaterThanOrEqual),
            O::F32Abs | O::F64Abs => un!(fabs),
            O::F32Neg | O::F64Neg => un!(fneg),
            O::F32Ceil | O::F64Ceil => un!(ceil),
            O::F32Floor | O::F64Floor => un!(floor),
            O::F32Trunc | O::F64Trunc => un!(trunc),
            O::F32Nearest | O::F64Nearest => un!(nearest),
            O::F32Sqrt | O::F64Sqrt => un!(sqrt),
            O::F32Add | O::F64Add => bin!(fadd),
            O::F32Sub | O::F64Sub => bin!(fsub),
            O::F32Mul | O::F64Mul => bin!(fmul),
            O::F32Div | O::F64Div => bin!(fdiv),
            O::F32Min | O::F64Min => bin!(fmin),
            O::F32Max | O::F64Max => bin!(fmax),
            O::F32Copysign | O::F64Copysign => bin!(fcopysign),

            // Conversions.
            O::I32WrapI64 => conv!(ireduce, types::I32),
            O::I64ExtendI32S => conv!(sextend, types::I64),
            O::I64ExtendI32U => conv!(uextend, types::I64),
            O::I32TruncF32S | O::I32TruncF64S => self.trunc(types::I32, true),
            O::I32TruncF32U | O::I32TruncF64U => self.trunc(types::I32, false),
            O::I64TruncF32S | O::I64TruncF64S => self.trunc(types::I64, true),
            O::I64TruncF32U | O::I64TruncF64U => self.trunc(types::I64, false),
            O::I32TruncSatF32S | O::I32TruncSatF64S => conv!(fcvt_to_sint_sat, types::I32),
            O::I32TruncSatF32U | O::I32TruncSatF64U => conv!(fcvt_to_uint_sat, types::I32),
            O::I64TruncSatF32S | O::I64TruncSatF64S => conv!(fcvt_to_sint_sat, types::I64),
            O::I64TruncSatF32U | O::I64TruncSatF64U => conv!(fcvt_to_uint_sat, types::I64),
            O::F32ConvertI32S | O::F32ConvertI64S => conv!(fcvt_from_sint, types::F32),
            O::F32ConvertI32U | O::F32ConvertI64U => conv!(fcvt_from_uint, types::F32),
            O::F64ConvertI32S | O::F64ConvertI64S => conv!(fcvt_from_sint, types::F64),
            O::F64ConvertI32U | O::F64ConvertI64U => conv!(fcvt_from_uint, types::F64),
            O::F32DemoteF64 => conv!(fdemote, types::F32),
            O::F64PromoteF32 => conv!(fpromote, types::F64),
            O::I32ReinterpretF32 => self.bitcast(types::I32),
            O::I64ReinterpretF64 => self.bitcast(types::I64),
            O::F32ReinterpretI32 => self.bitcast(types::F32),
            O::F64ReinterpretI64 => self.bitcast(types::F64),
            O::I32Extend8S => self.extend_in_place(types::I32, types::I8),
            O::I32Extend16S => self.extend_in_place(types::I32, types::I16),
            O::I64Extend8S => self.extend_in_place(types::I64, types::I8),
            O::I64Extend16S => self.extend_in_place(types::I64, types::I16),
            O::I64Extend32S => self.extend_in_place(types::I64, types::I32),

            // Table, bulk memory and reference instructions: through the `Op` helper.
            // Addresses and lengths go to the helper zero-extended from 32 bits (or as they
            // are from a 64-bit memory).
            O::MemoryFill { mem } => self.op_helper(Op::MemoryFill, &[mem], 3, false),
            O::MemoryCopy { dst_mem, src_mem } => {
                self.op_helper(Op::MemoryCopy, &[dst_mem, src_mem], 3, false)
            }
            O::MemoryInit { data_index, mem } => {
                self.op_helper(Op::MemoryInit, &[mem, data_index], 3, false)
            }
            O::DataDrop { data_index } => self.op_helper(Op::DataDrop, &[data_index], 0, false),
            // Table indices and lengths go to the helper as memory addresses do; sizes of
            // 32-bit tables come back narrowed (a failed grow's all-ones to -1).
            O::TableGet { table } => self.op_helper(Op::TableGet, &[table], 1, true),
            O::TableSet { table } => self.op_helper(Op::TableSet, &[table], 2, false),
            O::TableSize { table } => {
                self.op_helper(Op::TableSize, &[table], 0, true);
                if !self.table64(table) {
                    self.narrow_top();
                }
            }
            O::TableGrow { table } => {
                self.op_helper(Op::TableGrow, &[table], 2, true);
                if !self.table64(table) {
                    self.narrow_top();
                }
            }
            O::TableFill { table } => self.op_helper(Op::TableFill, &[table], 3, false),
            O::TableCopy {
                dst_table,
                src_table,
            } => self.op_helper(Op::TableCopy, &[dst_table, src_table], 3, false),
            O::TableInit { elem_index, table } => {
                self.op_helper(Op::TableInit, &[table, elem_index], 3, false)
            }
            O::ElemDrop { elem_index } => self.op_helper(Op::ElemDrop, &[elem_index], 0, false),
            O::RefFunc { function_index } => {
                self.op_helper(Op::RefFunc, &[function_index], 0, true)
            }

            other => {
                if self.simd_op(&other)? {
                    return Ok(());
                }
                let name = alloc::format!("{other:?}");
                let name = name.split([' ', '{', '(']).next().unwrap_or("operator");
                return self.unsupported(alloc::format!("the {name} operator"));
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------- operations ----

    /// Runs `op` through the `Op` helper with module indices `indices` and the top
    /// `operands` values of the stack (widened to i64); pushes its i64 result if
    /// `result`. Traps it raises end the function like any call's.
    fn op_helper(&mut self, op: Op, indices: &[u32], operands: usize, result: bool) {
        let vals = self.peekn(operands);
        self.stack.truncate(self.stack.len() - operands);
        let mut args = Vec::with_capacity(6);
        args.push(self.b.ins().iconst(types::I32, op as i64));
        for i in indices {
            args.push(self.b.ins().iconst(types::I64, *i as i64));
        }
        for v in vals {
            let t = self.b.func.dfg.value_type(v);
            args.push(if t == types::I32 {
                self.b.ins().uextend(types::I64, v)
            } else {
                v
            });
        }
        while args.len() < 6 {
            args.push(self.b.ins().iconst(types::I64, 0));
        }
        let r = self.call_helper(Helper::Op, &args);
        self.check_trapped();
        if result {
            self.push(r[0]);
        }
    }

    /// Narrows the i64 on top of the stack to i32 (helper results of i32 instructions).
    fn narrow_top(&mut self) {
        let v = self.pop();
        let n = self.b.ins().ireduce(types::I32, v);
        self.push(n);
    }

    fn bitcast(&mut self, t: Type) {
        let x = self.pop();
        let v = self.b.ins().bitcast(t, MemFlagsData::new(), x);
        self.push(v);
    }

    fn extend_in_place(&mut self, t: Type, narrow: Type) {
        let x = self.pop();
        let n = self.b.ins().ireduce(narrow, x);
        let v = self.b.ins().sextend(t, n);
        self.push(v);
    }

    /// Integer division and remainder, with wasm's traps checked first.
    fn div(&mut self, signed: bool, quotient: bool) {
        let (x, y) = self.pop2();
        let t = self.b.func.dfg.value_type(x);
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
        self.trap_if(zero, TrapCode::IntegerDivideByZero);
        let v = if signed && quotient {
            let min = if t == types::I32 {
                i32::MIN as i64
            } else {
                i64::MIN
            };
            let a = self.b.ins().icmp_imm_s(IntCC::Equal, x, min);
            let bm = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
            let both = self.b.ins().band(a, bm);
            self.trap_if(both, TrapCode::IntegerOverflow);
            self.b.ins().sdiv(x, y)
        } else if signed {
            // `srem` of MIN by -1 is 0 in Cranelift (no fault), as wasm wants.
            self.b.ins().srem(x, y)
        } else if quotient {
            self.b.ins().udiv(x, y)
        } else {
            self.b.ins().urem(x, y)
        };
        self.push(v);
    }

    /// `trunc_f*_s/u`: NaN and out-of-range inputs trap before the conversion.
    fn trunc(&mut self, to: Type, signed: bool) {
        let x = self.pop();
        let from = self.b.func.dfg.value_type(x);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.trap_if(nan, TrapCode::InvalidConversionToInteger);
        // The open interval of inputs whose truncation fits (the spec's bounds, exact in
        // both float types).
        let (lo, hi): (f64, f64) = match (to, signed, from) {
            (types::I32, true, types::F32) => (-2147483904.0, 2147483648.0),
            (types::I32, true, _) => (-2147483649.0, 2147483648.0),
            (types::I32, false, _) => (-1.0, 4294967296.0),
            (types::I64, true, types::F32) => (-9223373136366403584.0, 9223372036854775808.0),
            (types::I64, true, _) => (-9223372036854777856.0, 9223372036854775808.0),
            (_, false, _) => (-1.0, 18446744073709551616.0),
            _ => unreachable!(),
        };
        let (lo, hi) = if from == types::F32 {
            (
                self.b.ins().f32const(Ieee32::with_float(lo as f32)),
                self.b.ins().f32const(Ieee32::with_float(hi as f32)),
            )
        } else {
            (
                self.b.ins().f64const(Ieee64::with_float(lo)),
                self.b.ins().f64const(Ieee64::with_float(hi)),
            )
        };
        let below = self.b.ins().fcmp(FloatCC::LessThanOrEqual, x, lo);
        let above = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, x, hi);
        let out = self.b.ins().bor(below, above);
        self.trap_if(out, TrapCode::IntegerOverflow);
        let v = if signed {
            self.b.ins().fcvt_to_sint(to, x)
        } else {
            self.b.ins().fcvt_to_uint(to, x)
        };
        self.push(v);
    }

    /// The native address of an access of `size` bytes at the popped address plus
    /// `memarg`'s offset, in its memory, and the flags to access it with.
    ///
    /// Bounds-checked explicitly (the access cannot fault, and is flagged so), unless the
    /// instance's 32-bit memories sit in guarded reservations ([`Flavour::guarded`]) and
    /// the access ends within the guard past 4 GiB: then an out-of-bounds access faults
    /// on an inaccessible page, the access is flagged as one that may trap, and the fault
    /// handler ([`super::signals`]) turns the fault into the same trap, at the wasm offset
    /// recorded for the instruction (see [`Sites`]).
    fn address(
        &mut self,
        memarg: MemArg,
        size: u64,
    ) -> Result<(Value, MemFlagsData), CompileError> {
        let wasmparser::MemArgTarget::Memory(mem) = memarg.target else {
            return self.unsupported("array memory access");
        };
        let wide = self.mem64(mem);
        let a = self.pop();
        let a = self.index64(a, wide);
        let by_guard = self.flavour.guarded
            && !wide
            && memarg
                .offset
                .checked_add(size)
                .is_some_and(|end| end <= crate::memory::GUARD_BYTES as u64);
        let flags = if by_guard {
            MemFlagsData::new().with_trap_code(Some(ir::TrapCode::HEAP_OUT_OF_BOUNDS))
        } else {
            let len = self.mem_len(mem);
            let oob = match memarg.offset.checked_add(size) {
                // A 32-bit memory: `a < 2^32` and its offsets are below 2^32, so no wrap in
                // 64 bits. A 64-bit one: the end may wrap, which is out of bounds too.
                Some(k) => {
                    let end = self.b.ins().iadd_imm_s(a, k as i64);
                    let past = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
                    if wide {
                        let wrapped = self.b.ins().icmp(IntCC::UnsignedLessThan, end, a);
                        self.b.ins().bor(past, wrapped)
                    } else {
                        past
                    }
                }
                // An offset so large that no address is in bounds.
                None => self.b.ins().iconst(types::I8, 1),
            };
            self.trap_if(oob, TrapCode::MemoryOutOfBounds);
            heap()
        };
        let base = self.mem_base(mem);
        let p = self.b.ins().iadd(base, a);
        let p = if memarg.offset == 0 {
            p
        } else {
            self.b.ins().iadd_imm_s(p, memarg.offset as i64)
        };
        Ok((p, flags))
    }

    fn load(&mut self, memarg: MemArg, t: Type, size: u64, ext: Ext) -> Result<(), CompileError> {
        let (p, f) = self.address(memarg, size)?;
        let ins = self.b.ins();
        let v = match (size, ext) {
            (1, Ext::S) => ins.sload8(t, f, p, 0),
            (1, _) => ins.uload8(t, f, p, 0),
            (2, Ext::S) => ins.sload16(t, f, p, 0),
            (2, _) => ins.uload16(t, f, p, 0),
            (4, Ext::S) if t == types::I64 => ins.sload32(f, p, 0),
            (4, Ext::U) if t == types::I64 => ins.uload32(f, p, 0),
            _ => ins.load(t, f, p, 0),
        };
        self.push(v);
        Ok(())
    }

    fn store(&mut self, memarg: MemArg, size: u64) -> Result<(), CompileError> {
        let v = self.pop();
        let (p, f) = self.address(memarg, size)?;
        let t = self.b.func.dfg.value_type(v);
        let ins = self.b.ins();
        match size {
            1 => ins.istore8(f, v, p, 0),
            2 => ins.istore16(f, v, p, 0),
            4 if t == types::I64 => ins.istore32(f, v, p, 0),
            _ => ins.store(f, v, p, 0),
        };
        Ok(())
    }

    /// The address of module global `g`'s value slot, and its native type.
    fn global(&mut self, g: u32) -> Result<(Value, Type), CompileError> {
        let gt = self.m.global_type(g).expect("validated: the global exists");
        let Some(t) = native_type(gt.content) else {
            return self.unsupported("a global of this type");
        };
        let table = self.load_cx_fixed(vmctx::OFF_GLOBALS);
        let p = self
            .b
            .ins()
            .load(types::I64, fixed(), table, (g as i32) * 8);
        Ok((p, t))
    }

    /// Spills `args` (of types `params`) into a new stack slot with room for `params` and
    /// `results` in 64-bit slots, the interpreter's calling convention; returns the slot's
    /// address.
    fn spill(
        &mut self,
        args: &[Value],
        params: &[Type],
        results: &[Type],
    ) -> (Value, ir::StackSlot) {
        let n = slot_count(params).max(slot_count(results));
        let ss = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (n.max(1) * 8) as u32,
            3,
        ));
        let p = self.b.ins().stack_addr(types::I64, ss, 0);
        for ((v, t), off) in args.iter().zip(params).zip(slot_offsets(params)) {
            let w = to_slot(&mut self.b, *v, *t);
            self.b.ins().store(slot_flags(*t), w, p, off);
        }
        (p, ss)
    }

    fn unspill(&mut self, ss: ir::StackSlot, results: &[Type]) {
        let p = self.b.ins().stack_addr(types::I64, ss, 0);
        for (t, off) in results.iter().zip(slot_offsets(results)) {
            let v = self.b.ins().load(*t, slot_flags(*t), p, off);
            self.push(v);
        }
    }

    fn call(&mut self, f: u32) -> Result<(), CompileError> {
        let ft = self.m.func_type(f);
        let params = native_types(ft.params(), self.offset)?;
        let results = native_types(ft.results(), self.offset)?;
        let args = self.peekn(params.len());
        self.stack.truncate(self.stack.len() - params.len());
        if self.calls_itself(f) {
            let all = self.self_call_args(&args);
            let callee = self.self_ref();
            let call = self.b.ins().call(callee, &all);
            let rets = self.b.inst_results(call).to_vec();
            self.check_trapped_after_native_call();
            self.stack.extend(rets);
            self.reload_memory();
            return Ok(());
        }
        let join = self.block_with_params(&results);
        if f >= self.m.num_imported_funcs {
            // A function of this module: its native code if it has some.
            let natives = self.load_cx_fixed(vmctx::OFF_NATIVES);
            let body = self
                .b
                .ins()
                .load(types::I64, trusted(), natives, (f as i32) * 8);
            self.direct_call_if(body, body, &args, &params, &results, join);
        }
        let (p, ss) = self.spill(&args, &params, &results);
        let fv = self.b.ins().iconst(types::I32, f as i64);
        self.call_helper(Helper::Call, &[fv, p]);
        self.check_trapped();
        let base = self.stack.len();
        self.unspill(ss, &results);
        let rets = self.stack.split_off(base);
        self.b.ins().jump(join, &Self::args(&rets));
        self.join_call(join);
        Ok(())
    }

    fn call_indirect(&mut self, ty: u32, table: u32) -> Result<(), CompileError> {
        let (params, results, elem, args) = self.indirect_operands(ty, table)?;
        let join = self.block_with_params(&results);
        // Direct when the callee is a native function of this instance of the right type.
        let body = self.resolve_indirect(ty, table, elem);
        let is_body = self.is_body(body);
        self.direct_call_if(is_body, body, &args, &params, &results, join);
        let rets = self.indirect_by_helper(ty, table, elem, &args, &params, &results, false);
        self.b.ins().jump(join, &Self::args(&rets));
        self.join_call(join);
        Ok(())
    }

    /// When `cond` is non-zero, calls native `body` with `args` and jumps to `join` with
    /// its results; otherwise goes on in a fresh block (the call's slow path).
    fn direct_call_if(
        &mut self,
        cond: Value,
        body: Value,
        args: &[Value],
        params: &[Type],
        results: &[Type],
        join: Block,
    ) {
        let (sigref, all, slow) = self.enter_direct(cond, args, params, results);
        let call = self.b.ins().call_indirect(sigref, body, &all);
        let rets = self.b.inst_results(call).to_vec();
        self.check_trapped_after_native_call();
        self.b.ins().jump(join, &Self::args(&rets));
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
    }

    /// Branches on `cond` to a fresh block for a direct call and switches to it; returns
    /// the callee's signature, the call's arguments (the context first) and the block for
    /// the other way, to switch to once the direct call is made.
    fn enter_direct(
        &mut self,
        cond: Value,
        args: &[Value],
        params: &[Type],
        results: &[Type],
    ) -> (ir::SigRef, Vec<Value>, Block) {
        let (direct, slow) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(cond, direct, &[], slow, &[]);
        self.b.switch_to_block(direct);
        self.b.seal_block(direct);
        let sigref = self.b.import_signature(body_signature(params, results));
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.cx);
        all.extend_from_slice(args);
        (sigref, all, slow)
    }

    /// Whether a call of function `f` calls this very code: a recursive call made from
    /// the function's own body (not from an on-stack-replacement entry, whose code takes
    /// the locals, not the parameters). That code needs no lookup in the natives table:
    /// it exists, since it is running, and it stays mapped while any frame of it is on a
    /// stack, evicted or not. So the call is a direct `call` to the body's start (see
    /// [`resolve_self_calls`]).
    fn calls_itself(&self, f: u32) -> bool {
        f == self.func_index && self.osr.is_none()
    }

    /// A reference to this function, for direct self-calls: colocated, so Cranelift emits
    /// a PC-relative call that [`resolve_self_calls`] fills in.
    fn self_ref(&mut self) -> ir::FuncRef {
        let sig = self.b.func.signature.clone();
        let sigref = self.b.import_signature(sig);
        let name = self
            .b
            .func
            .declare_imported_user_function(ir::UserExternalName::new(0, self.func_index));
        self.b.import_function(ir::ExtFuncData {
            name: ir::ExternalName::user(name),
            signature: sigref,
            colocated: true,
            patchable: false,
        })
    }

    /// A self-call's arguments: the context, then `args`.
    fn self_call_args(&self, args: &[Value]) -> Vec<Value> {
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.cx);
        all.extend_from_slice(args);
        all
    }

    /// Goes on after a call at `join`, whose parameters are the call's results.
    fn join_call(&mut self, join: Block) {
        self.b.switch_to_block(join);
        self.b.seal_block(join);
        let ps = self.b.block_params(join).to_vec();
        self.stack.extend(ps);
        self.reload_memory();
    }

    /// Whether `ResolveIndirect`'s answer `body` is a body (not `NOT_DIRECT` or `BAD_CALL`).
    fn is_body(&mut self, body: Value) -> Value {
        self.b
            .ins()
            .icmp_imm_u(IntCC::UnsignedGreaterThan, body, vmctx::BAD_CALL as i64)
    }

    /// The operands of an indirect call through `table` expecting type `ty`, popped:
    /// parameter and result types, the element index, the arguments.
    fn indirect_operands(&mut self, ty: u32, table: u32) -> Result<IndirectOperands, CompileError> {
        let ft = &self.m.types[ty as usize];
        let params = native_types(ft.params(), self.offset)?;
        let results = native_types(ft.results(), self.offset)?;
        let elem = self.pop();
        let wide = self.table64(table);
        let elem = self.index64(elem, wide);
        let args = self.peekn(params.len());
        self.stack.truncate(self.stack.len() - params.len());
        Ok((params, results, elem, args))
    }

    /// The callee's body if native code can call it directly, else 0 (the helper's answer).
    fn resolve_indirect(&mut self, ty: u32, table: u32, elem: Value) -> Value {
        let tv = self.b.ins().iconst(types::I32, table as i64);
        let yv = self.b.ins().iconst(types::I32, ty as i64);
        self.call_helper(Helper::ResolveIndirect, &[tv, yv, elem])[0]
    }

    /// An indirect call through the `call_indirect` helper (the interpreter or the host
    /// runs the callee; bad calls trap there); returns the results. `tail`: it stands for
    /// a tail call (see [`pass_trap_on`](Self::pass_trap_on)).
    #[allow(clippy::too_many_arguments)]
    fn indirect_by_helper(
        &mut self,
        ty: u32,
        table: u32,
        elem: Value,
        args: &[Value],
        params: &[Type],
        results: &[Type],
        tail: bool,
    ) -> Vec<Value> {
        let tv = self.b.ins().iconst(types::I32, table as i64);
        let yv = self.b.ins().iconst(types::I32, ty as i64);
        self.call_by_helper(
            Helper::CallIndirect,
            &[tv, yv, elem],
            args,
            params,
            results,
            tail,
        )
    }

    /// A call through helper `h` (`CallIndirect` or `CallRef`) with its leading operands
    /// `lead`, then the address of `args` spilled in the interpreter's slot convention;
    /// returns the results. `tail`: it stands for a tail call (see
    /// [`pass_trap_on`](Self::pass_trap_on)).
    fn call_by_helper(
        &mut self,
        h: Helper,
        lead: &[Value],
        args: &[Value],
        params: &[Type],
        results: &[Type],
        tail: bool,
    ) -> Vec<Value> {
        let (p, ss) = self.spill(args, params, results);
        let mut operands = lead.to_vec();
        operands.push(p);
        self.call_helper(h, &operands);
        if tail {
            self.pass_trap_on();
        } else {
            self.check_trapped();
        }
        let base = self.stack.len();
        self.unspill(ss, results);
        self.stack.split_off(base)
    }

    /// `return_call`: a native callee is jumped to (the frame is given up first, so
    /// tail-recursive loops run in constant stack); any other callee is called through the
    /// helper and its results returned.
    fn return_call(&mut self, f: u32) -> Result<(), CompileError> {
        let ft = self.m.func_type(f);
        let params = native_types(ft.params(), self.offset)?;
        let results = native_types(ft.results(), self.offset)?;
        let args = self.peekn(params.len());
        self.stack.truncate(self.stack.len() - params.len());
        if self.calls_itself(f) {
            let all = self.self_call_args(&args);
            let callee = self.self_ref();
            self.give_back_depth();
            self.b.ins().return_call(callee, &all);
            self.reachable = false;
            return Ok(());
        }
        if f >= self.m.num_imported_funcs {
            let natives = self.load_cx_fixed(vmctx::OFF_NATIVES);
            let body = self
                .b
                .ins()
                .load(types::I64, trusted(), natives, (f as i32) * 8);
            self.tail_call_if(body, body, &args, &params, &results);
        }
        let (p, ss) = self.spill(&args, &params, &results);
        let fv = self.b.ins().iconst(types::I32, f as i64);
        self.call_helper(Helper::Call, &[fv, p]);
        self.pass_trap_on();
        let base = self.stack.len();
        self.unspill(ss, &results);
        let rets = self.stack.split_off(base);
        self.give_back_depth();
        self.b.ins().return_(&rets);
        self.reachable = false;
        Ok(())
    }

    /// After a tail call made as a plain call (through a helper): a trap in the callee
    /// passes on without this frame in its backtrace, since a tail call replaces its
    /// caller's frame (the interpreter's backtrace has no frame for it either).
    fn pass_trap_on(&mut self) {
        let t = self.load_cx(types::I32, vmctx::OFF_TRAPPED);
        if self.raise {
            return self.exit_if(t, 0, vmctx::NO_FRAME);
        }
        let (cold, cont) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(cold);
        self.b.ins().brif(t, cold, &[], cont, &[]);
        self.b.switch_to_block(cold);
        self.b.seal_block(cold);
        self.return_zeros();
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    /// `return_call_indirect`: as [`return_call`](Self::return_call), the callee resolved
    /// as for `call_indirect`.
    fn return_call_indirect(&mut self, ty: u32, table: u32) -> Result<(), CompileError> {
        let (params, results, elem, args) = self.indirect_operands(ty, table)?;
        let body = self.resolve_indirect(ty, table, elem);
        let is_body = self.is_body(body);
        self.tail_call_if(is_body, body, &args, &params, &results);
        // A bad call traps here, in this frame (as in the interpreter, whose frame is
        // replaced only by a call that is made).
        let bad = self
            .b
            .ins()
            .icmp_imm_u(IntCC::Equal, body, vmctx::BAD_CALL as i64);
        let tv = self.b.ins().iconst(types::I32, table as i64);
        let yv = self.b.ins().iconst(types::I32, ty as i64);
        let (trap, call) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(trap);
        self.b.ins().brif(bad, trap, &[], call, &[]);
        self.b.switch_to_block(trap);
        self.b.seal_block(trap);
        let (p, _) = self.spill(&args, &params, &results);
        self.call_helper(Helper::CallIndirect, &[tv, yv, elem, p]);
        // The helper raised the trap: on with this frame in the backtrace.
        let code = self.b.ins().iconst(types::I32, 0);
        let off = self.b.ins().iconst(types::I32, self.offset as i64);
        self.b
            .ins()
            .jump(self.exit, &[BlockArg::Value(code), BlockArg::Value(off)]);
        self.b.switch_to_block(call);
        self.b.seal_block(call);
        let rets = self.indirect_by_helper(ty, table, elem, &args, &params, &results, true);
        self.give_back_depth();
        self.b.ins().return_(&rets);
        self.reachable = false;
        Ok(())
    }

    /// When `cond` is non-zero, gives this frame's depth unit back and tail-calls `body`
    /// with `args`; otherwise goes on in a fresh block.
    fn tail_call_if(
        &mut self,
        cond: Value,
        body: Value,
        args: &[Value],
        params: &[Type],
        results: &[Type],
    ) {
        let (sigref, all, slow) = self.enter_direct(cond, args, params, results);
        self.give_back_depth();
        self.b.ins().return_call_indirect(sigref, body, &all);
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
    }
}

impl Translator<'_, '_> {
    /// `call_ref` (`tail`: `return_call_ref`) of a reference of module type `ty`: null
    /// traps in this frame; a native function of this instance is called directly (after
    /// one resolving helper call), anything else through the `call_ref` helper.
    fn call_ref(&mut self, ty: u32, tail: bool) -> Result<(), CompileError> {
        let ft = &self.m.types[ty as usize];
        let params = native_types(ft.params(), self.offset)?;
        let results = native_types(ft.results(), self.offset)?;
        let r = self.pop();
        let args = self.peekn(params.len());
        self.stack.truncate(self.stack.len() - params.len());
        let null = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
        self.trap_if(null, TrapCode::NullFunctionReference);
        let body = self.call_helper(Helper::ResolveRef, &[r])[0];
        let is_body = self.is_body(body);
        let join = (!tail).then(|| self.block_with_params(&results));
        match join {
            Some(join) => self.direct_call_if(is_body, body, &args, &params, &results, join),
            None => self.tail_call_if(is_body, body, &args, &params, &results),
        }
        let rets = self.call_by_helper(Helper::CallRef, &[r], &args, &params, &results, tail);
        match join {
            Some(join) => {
                self.b.ins().jump(join, &Self::args(&rets));
                self.join_call(join);
            }
            None => {
                self.give_back_depth();
                self.b.ins().return_(&rets);
                self.reachable = false;
            }
        }
        Ok(())
    }
}

/// An indirect call's parameter and result types, element index and arguments.
type IndirectOperands = (Vec<Type>, Vec<Type>, Value, Vec<Value>);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ext {
    None,
    S,
    U,
}

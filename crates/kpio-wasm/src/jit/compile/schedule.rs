//! Pure instructions placed back next to the values they consume, after Cranelift's
//! optimiser and before its lowering.
//!
//! Cranelift's e-graph pass takes pure instructions out of the layout and puts each back
//! just before its first use by an instruction with effects. Loads of wasm memory may trap,
//! so they keep their places, and arithmetic on loaded values lands after the last of
//! them. A block that loads sixteen values, multiplies them in pairs and sums the products
//! (coremark's unrolled matrix kernels, as wasm gives them) ends up with all sixteen loads
//! first: sixteen values live at once, spilled to the stack and reloaded. Wasm's own order
//! interleaved them, which needs three registers.
//!
//! [`interleave`] undoes that within each block: a pure instruction that is the only use
//! of one of its operands moves up to just after the latest definition of its operands in
//! the block (with single-use constants it takes along), so an operand dies as soon as it
//! can. It never moves an instruction out of its block or above a definition it needs, so
//! each still runs exactly when it did, on the same values.
//!
//! The x64 backend may lower a load together with the instruction using it (an extending
//! load, or a memory operand) when nothing with an effect lies between them, and the
//! machine instruction then carries the user's source location. Faults on guard pages are
//! reported at the wasm offset of the faulting instruction's location
//! (`super::super::sites`), which must be the load's, as in the interpreter.
//! [`label_load_users`] gives every instruction a load could be lowered with the load's
//! location (they cannot trap or call themselves, so nothing else reads it). Where it
//! matters with Cranelift 0.135: a loaded address widened for the next access becomes one
//! `movl` (pointer chasing; `a_fault_of_a_load_feeding_an_address_reports_that_load` in
//! `jit_guard_pages.rs` fails without the labels). It was not seen folding a trapping load
//! into arithmetic, even adjacent; the labels cover that too.

use alloc::vec::Vec;
use cranelift_codegen::ir::{Function, Inst, Opcode, Value, ValueDef};

/// Moves every pure instruction that ends the life of one of its operands up to where its
/// operands are all defined (see the module docs).
pub(super) fn interleave(func: &mut Function) {
    let uses = use_counts(func);
    let blocks: Vec<_> = func.layout.blocks().collect();
    for block in blocks {
        let insts: Vec<Inst> = func.layout.block_insts(block).collect();
        for inst in insts {
            if !movable(func, inst) {
                continue;
            }
            let mut dying = 0;
            let mut anchor: Option<Inst> = None;
            let mut constants = Vec::new();
            for &arg in func.dfg.inst_args(inst) {
                let single = uses[arg.as_u32() as usize] == 1;
                let ValueDef::Result(def, _) = func.dfg.value_def(arg) else {
                    dying += usize::from(single);
                    continue;
                };
                if func.layout.inst_block(def) != Some(block) {
                    dying += usize::from(single);
                } else if single && constant(func, def) {
                    constants.push(def);
                } else {
                    dying += usize::from(single);
                    let later = anchor
                        .is_none_or(|a| func.layout.pp_cmp(def, a) == core::cmp::Ordering::Greater);
                    if later {
                        anchor = Some(def);
                    }
                }
            }
            if dying == 0 {
                continue;
            }
            for &c in &constants {
                func.layout.remove_inst(c);
            }
            func.layout.remove_inst(inst);
            let before = match anchor {
                Some(a) => func.layout.next_inst(a),
                None => func.layout.first_inst(block),
            }
            .expect("a block ends with its terminator, which never moves");
            for &c in &constants {
                func.layout.insert_inst(c, before);
            }
            func.layout.insert_inst(inst, before);
        }
    }
}

/// Gives the source location of each load to the instructions after it that use its
/// value, directly or through pure instructions, before the next instruction with an
/// effect (the only ones a load can be merged into), and to a branch that ends that
/// stretch if it uses such a value.
pub(super) fn label_load_users(func: &mut Function) {
    let blocks: Vec<_> = func.layout.blocks().collect();
    let mut tainted: Vec<Value> = Vec::new();
    for block in blocks {
        let insts: Vec<Inst> = func.layout.block_insts(block).collect();
        let mut load_at = None;
        tainted.clear();
        for inst in insts {
            let op = func.dfg.insts[inst].opcode();
            let uses_load = load_at.is_some()
                && func
                    .dfg
                    .inst_values(inst)
                    .any(|v| tainted.contains(&func.dfg.resolve_aliases(v)));
            if !has_effect(op) {
                if uses_load {
                    func.srclocs[inst] = load_at.expect("checked");
                    tainted.extend_from_slice(func.dfg.inst_results(inst));
                }
                continue;
            }
            if uses_load && op.is_branch() && !op.is_call() && !op.can_trap() {
                func.srclocs[inst] = load_at.expect("checked");
            }
            tainted.clear();
            load_at = None;
            if op.can_load() && !op.can_store() && func.dfg.inst_results(inst).len() == 1 {
                load_at = Some(func.srclocs[inst]);
                tainted.push(func.dfg.first_result(inst));
            }
        }
    }
}

/// How many times each value is used (aliases resolved: the e-graph pass resolves them).
fn use_counts(func: &Function) -> Vec<u32> {
    let mut uses = alloc::vec![0u32; func.dfg.num_values()];
    let mut count = |v: Value| {
        let v = func.dfg.resolve_aliases(v);
        uses[v.as_u32() as usize] += 1;
    };
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            func.dfg.inst_values(inst).for_each(&mut count);
        }
    }
    uses
}

/// Whether `inst` computes one value from its operands and nothing else: no memory, no
/// trap, no control flow, no other effect.
fn movable(func: &Function, inst: Inst) -> bool {
    func.dfg.inst_results(inst).len() == 1
        && !func.dfg.inst_args(inst).is_empty()
        && !has_effect(func.dfg.insts[inst].opcode())
}

/// Whether instructions with opcode `op` touch memory, may trap, transfer control or have
/// some other effect.
fn has_effect(op: Opcode) -> bool {
    op.can_trap()
        || op.can_load()
        || op.can_store()
        || op.other_side_effects()
        || op.is_call()
        || op.is_branch()
        || op.is_terminator()
        || op.is_return()
}

/// Whether `inst` defines a constant.
fn constant(func: &Function, inst: Inst) -> bool {
    matches!(
        func.dfg.insts[inst].opcode(),
        Opcode::Iconst | Opcode::F32const | Opcode::F64const | Opcode::Vconst
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cranelift_codegen::ir::{
        AbiParam, InstBuilder, MemFlagsData, Signature, UserFuncName, types,
    };
    use cranelift_codegen::isa::CallConv;
    use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

    /// `p[0] * p[1] + p[2] * p[3]` laid out as the e-graph pass leaves it: the four loads
    /// (which may trap) first, then the arithmetic.
    fn loads_first() -> Function {
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.push(AbiParam::new(types::I64));
        sig.returns.push(AbiParam::new(types::I32));
        let mut func = Function::with_name_signature(UserFuncName::user(0, 0), sig);
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut func, &mut fctx);
        let block = b.create_block();
        b.append_block_params_for_function_params(block);
        b.switch_to_block(block);
        let p = b.block_params(block)[0];
        let flags = MemFlagsData::new()
            .with_trap_code(Some(cranelift_codegen::ir::TrapCode::HEAP_OUT_OF_BOUNDS));
        let v: Vec<Value> = (0..4)
            .map(|i| {
                b.set_srcloc(cranelift_codegen::ir::SourceLoc::new(100 + i));
                b.ins().load(types::I32, flags, p, i as i32 * 4)
            })
            .collect();
        b.set_srcloc(cranelift_codegen::ir::SourceLoc::new(200));
        let x = b.ins().imul(v[0], v[1]);
        let y = b.ins().imul(v[2], v[3]);
        let s = b.ins().iadd(x, y);
        b.ins().return_(&[s]);
        b.seal_all_blocks();
        let flags = cranelift_codegen::settings::Flags::new(cranelift_codegen::settings::builder());
        let isa = cranelift_codegen::isa::lookup_by_name("x86_64").unwrap();
        b.finalize(isa.finish(flags).unwrap().frontend_config());
        func
    }

    fn opcodes(func: &Function) -> Vec<Opcode> {
        let block = func.layout.entry_block().unwrap();
        func.layout
            .block_insts(block)
            .map(|i| func.dfg.insts[i].opcode())
            .collect()
    }

    #[test]
    fn arithmetic_moves_up_to_the_loads_it_ends() {
        let mut func = loads_first();
        interleave(&mut func);
        use Opcode::*;
        assert_eq!(
            opcodes(&func),
            [Load, Load, Imul, Load, Load, Imul, Iadd, Return]
        );
    }

    #[test]
    fn an_instruction_a_load_may_merge_into_gets_the_loads_location() {
        let mut func = loads_first();
        interleave(&mut func);
        label_load_users(&mut func);
        let block = func.layout.entry_block().unwrap();
        let locs: Vec<u32> = func
            .layout
            .block_insts(block)
            .map(|i| func.srcloc(i).bits())
            .collect();
        // Each multiply follows the second of its loads; the sum follows the second
        // multiply, which uses the fourth load through it. The return has no load next.
        assert_eq!(locs, [100, 101, 101, 102, 103, 103, 103, 200]);
    }
}

//! The one visitor: each WebAssembly operator becomes instructions.
//!
//! The translator implements wasmparser's `VisitOperator`, whose methods have no defaults:
//! an operator the engine does not translate is a compile error here, not a runtime
//! surprise. The proposals the engine does not run yet are listed by name in
//! `refused_proposals!`, each operator of them translating to a typed
//! `TranslateError::Unsupported`; validation refuses them first (see `module::features`),
//! and a wasmparser upgrade that adds a proposal group fails to compile until it is listed
//! here. The SIMD operators are not part of this trait (wasmparser's `simd` feature moves them
//! to `VisitSimdOperator`): `visit_simd` translates them.
//!
//! The arithmetic, compare, conversion, load and store operators map one-to-one onto an
//! instruction; the tables below name the pairs. Control operators go to `control`.

use super::Translator;
use super::error::TranslateError;
use super::fuse::ImmRule;
use super::stack::Opd;
use crate::ir::Instr;
use crate::load_kind::LoadKind;
use crate::trap::TrapCode;
use alloc::vec::Vec;
use wasmparser::{BlockType, BrTable, HeapType, Ieee32, Ieee64, MemArg, ValType, VisitOperator};

type Out = Result<(), TranslateError>;

#[path = "visit_simd.rs"]
mod simd;

/// Visit methods for the operators of the proposals the engine does not run: one arm per
/// proposal, so every group wasmparser knows is named here, either as translated (by the
/// methods of the `VisitOperator` impl below) or as refused.
macro_rules! refused_proposals {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $( refused_proposals!(@one $proposal $op $({ $($arg: $argty),* })? => $visit); )*
    };
    // Translated: the WebAssembly 2.0 set. Its SIMD operators (and relaxed SIMD's) are not
    // part of this trait with wasmparser's `simd` feature: see `visit_simd`.
    (@one mvp $($rest:tt)*) => {};
    (@one sign_extension $($rest:tt)*) => {};
    (@one saturating_float_to_int $($rest:tt)*) => {};
    (@one bulk_memory $($rest:tt)*) => {};
    (@one reference_types $($rest:tt)*) => {};
    // Not run yet.
    // Tail calls (`return_call`, `return_call_indirect`; wasmparser files `return_call_ref`
    // under typed function references).
    (@one tail_call $($rest:tt)*) => {};
    // Exception handling, the `exnref` form (`try_table`, `throw`, `throw_ref`): see
    // `try_table`. The legacy form (`try`, `catch`, `rethrow`, `delegate`) is refused.
    (@one exceptions $($rest:tt)*) => {};
    (@one legacy_exceptions $($rest:tt)*) => { refused_proposals!(@refuse "legacy exception-handling" $($rest)*); };
    // Typed function references: translated (see `func_refs` and `control`).
    (@one function_references $($rest:tt)*) => {};
    (@one gc $($rest:tt)*) => { refused_proposals!(@refuse "gc" $($rest)*); };
    (@one custom_descriptors $($rest:tt)*) => { refused_proposals!(@refuse "custom-descriptors" $($rest)*); };
    (@one threads $($rest:tt)*) => { refused_proposals!(@refuse "threads" $($rest)*); };
    (@one shared_everything_threads $($rest:tt)*) => { refused_proposals!(@refuse "shared-everything-threads" $($rest)*); };
    (@one acquire_release_atomics $($rest:tt)*) => { refused_proposals!(@refuse "acquire-release-atomics" $($rest)*); };
    (@one memory_control $($rest:tt)*) => { refused_proposals!(@refuse "memory-control" $($rest)*); };
    (@one stack_switching $($rest:tt)*) => { refused_proposals!(@refuse "stack-switching" $($rest)*); };
    (@one wide_arithmetic $($rest:tt)*) => { refused_proposals!(@refuse "wide-arithmetic" $($rest)*); };
    (@refuse $name:literal $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident) => {
        fn $visit(&mut self $($(, $arg: $argty)*)?) -> Out {
            $($(let _ = $arg;)*)?
            Err(TranslateError::Unsupported {
                proposal: $name,
                operator: stringify!($op),
                offset: self.offset,
            })
        }
    };
}

/// Visit methods for operators that pop one operand and push one `Instr::$i { d, s }`.
macro_rules! unary {
    ($($visit:ident => $i:ident,)*) => {
        $(fn $visit(&mut self) -> Out {
            let s = self.pop();
            let d = self.push_temp();
            self.emit_result(Instr::$i { d, s });
            Ok(())
        })*
    };
}

/// Visit methods for operators that pop two operands and push one `Instr::$i { d, a, b }`.
macro_rules! binary {
    ($($visit:ident => $i:ident,)*) => {
        $(fn $visit(&mut self) -> Out {
            let b = self.pop();
            let a = self.pop();
            let d = self.push_temp();
            self.emit_result(Instr::$i { d, a, b });
            Ok(())
        })*
    };
}

/// Visit methods for integer operators with an immediate form (see `fuse`): a constant
/// operand that `ImmRule::$rule` accepts becomes the immediate of `Instr::$imm`.
macro_rules! binary_imm {
    ($($visit:ident => $i:ident, $imm:ident, $rule:ident,)*) => {
        $(fn $visit(&mut self) -> Out {
            let ops = self.pop_binary_imm(ImmRule::$rule);
            let d = self.push_temp();
            self.emit_result(match ops {
                Ok((a, imm)) => Instr::$imm { d, a, imm },
                Err((a, b)) => Instr::$i { d, a, b },
            });
            Ok(())
        })*
    };
}

/// Visit methods for loads: address in, value out, the static offset in the instruction
/// (for a 32-bit memory 0, where `fuse` may fold an address add into it; other memories
/// take the general `MemLoad`, see `memory`).
macro_rules! loads {
    ($($visit:ident => $i:ident,)*) => {
        $(fn $visit(&mut self, memarg: MemArg) -> Out {
            let m = self.memarg(&memarg)?;
            if self.plain_memory(m.0) {
                // Validation keeps a 32-bit memory's offsets below 2^32.
                let off = m.1 as u32;
                self.load(true, m.1, |d, a| Instr::$i { d, a, off });
            } else {
                let a = self.pop();
                let d = self.push_temp();
                self.emit_mem_load(LoadKind::$i, d, a, m);
            }
            Ok(())
        })*
    };
}

/// Visit methods for stores of `$bytes` bytes (floats store their bits through the integer
/// stores); other memories than a 32-bit memory 0 take the general `MemStore`.
macro_rules! stores {
    ($($visit:ident => $i:ident $bytes:literal,)*) => {
        $(fn $visit(&mut self, memarg: MemArg) -> Out {
            let m = self.memarg(&memarg)?;
            if self.plain_memory(m.0) {
                let off = m.1 as u32;
                self.store(true, m.1, |a, v| Instr::$i { a, v, off });
            } else {
                let v = self.pop();
                let a = self.pop();
                self.emit_mem_store($bytes, a, v, m);
            }
            Ok(())
        })*
    };
}

/// Visit methods for operators that change only a value's type: slots hold raw bits and
/// i32 consumers read the low half, so these emit nothing.
macro_rules! free {
    ($($visit:ident,)*) => {
        $(fn $visit(&mut self) -> Out {
            Ok(())
        })*
    };
}

impl Translator<'_> {
    /// Pushes a constant (its slot was reserved by the pre-scan).
    fn konst(&mut self, bits: u64) -> Out {
        let s = self.const_slot(bits);
        self.push(Opd::Const(s));
        Ok(())
    }

    /// A call of a function of type `(nparams) -> (nresults)`: arguments go to their
    /// canonical slots, where the callee's frame starts and its results come back.
    fn call(
        &mut self,
        func: u32,
        nparams: usize,
        results_wide: impl Iterator<Item = bool>,
        indirect: Option<(u32, u32, crate::ir::Slot)>,
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
                self.emit(self.call_indirect_instr(ty, table, index, base));
                self.emit(Instr::Aux {
                    a: table,
                    b: 0,
                    c: 0,
                });
            }
        }
        for w in results_wide {
            self.push_temp_as(w);
        }
    }

    /// A tail call (`return_call`, `return_call_indirect`): the arguments go to temps from
    /// `base` on, as for a call; the executor moves them to slot 0 and replaces this frame
    /// with the callee's, so nothing after it in this block runs.
    fn return_call(
        &mut self,
        func: u32,
        ty: &crate::FuncType,
        indirect: Option<(u32, u32, crate::ir::Slot)>,
    ) {
        let nparams = ty.params().len();
        let arg_slots: u32 = ty.params().iter().map(|t| t.slots() as u32).sum();
        self.materialize_top(nparams);
        let h = self.stack.len() - nparams;
        let base = self.temp(h);
        self.truncate(h);
        match indirect {
            None => {
                self.emit(Instr::ReturnCall { func, base });
                self.emit(Instr::Aux {
                    a: arg_slots,
                    b: 0,
                    c: 0,
                });
            }
            Some((ty, table, index)) => {
                self.emit(self.return_call_indirect_instr(ty, table, index, base));
                self.emit(Instr::Aux {
                    a: table,
                    b: arg_slots,
                    c: 0,
                });
            }
        }
        self.reachable = false;
    }

    /// Whether global `g` (module index) holds a `v128`.
    fn global_is_v128(&self, g: u32) -> bool {
        self.cx
            .module
            .global_type(g)
            .is_some_and(|t| t.content == crate::ValType::V128)
    }
}

impl<'a> VisitOperator<'a> for Translator<'_> {
    type Output = Out;

    wasmparser::for_each_visit_operator!(refused_proposals);

    fn simd_visitor(
        &mut self,
    ) -> Option<&mut dyn wasmparser::VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    fn visit_unreachable(&mut self) -> Out {
        self.emit(Instr::Trap {
            code: TrapCode::Unreachable,
        });
        self.reachable = false;
        Ok(())
    }
    fn visit_nop(&mut self) -> Out {
        Ok(())
    }
    fn visit_block(&mut self, blockty: BlockType) -> Out {
        self.block(blockty);
        Ok(())
    }
    fn visit_loop(&mut self, blockty: BlockType) -> Out {
        self.loop_(blockty);
        Ok(())
    }
    fn visit_if(&mut self, blockty: BlockType) -> Out {
        self.if_(blockty);
        Ok(())
    }
    fn visit_else(&mut self) -> Out {
        self.else_();
        Ok(())
    }
    fn visit_end(&mut self) -> Out {
        self.end();
        Ok(())
    }
    fn visit_try_table(&mut self, try_table: wasmparser::TryTable) -> Out {
        self.try_table(try_table);
        Ok(())
    }
    fn visit_throw(&mut self, tag_index: u32) -> Out {
        self.throw(tag_index);
        Ok(())
    }
    fn visit_throw_ref(&mut self) -> Out {
        self.throw_ref();
        Ok(())
    }
    fn visit_br(&mut self, relative_depth: u32) -> Out {
        self.br(relative_depth);
        Ok(())
    }
    fn visit_br_if(&mut self, relative_depth: u32) -> Out {
        self.br_if(relative_depth);
        Ok(())
    }
    fn visit_br_table(&mut self, targets: BrTable<'a>) -> Out {
        self.br_table(targets)
    }
    fn visit_return(&mut self) -> Out {
        self.return_();
        Ok(())
    }
    fn visit_call(&mut self, function_index: u32) -> Out {
        let m = self.cx.module;
        let ty = m.func_type(function_index);
        let wide = ty.results().iter().map(|t| *t == crate::ValType::V128);
        self.call(function_index, ty.params().len(), wide, None);
        Ok(())
    }
    fn visit_call_indirect(&mut self, type_index: u32, table_index: u32) -> Out {
        let m = self.cx.module;
        let ty = &m.types[type_index as usize];
        let wide = ty.results().iter().map(|t| *t == crate::ValType::V128);
        let index = self.pop();
        self.call(
            0,
            ty.params().len(),
            wide,
            Some((type_index, table_index, index)),
        );
        Ok(())
    }
    fn visit_return_call(&mut self, function_index: u32) -> Out {
        let m = self.cx.module;
        let ty = m.func_type(function_index);
        self.return_call(function_index, ty, None);
        Ok(())
    }
    fn visit_return_call_indirect(&mut self, type_index: u32, table_index: u32) -> Out {
        let m = self.cx.module;
        let ty = &m.types[type_index as usize];
        let index = self.pop();
        self.return_call(0, ty, Some((type_index, table_index, index)));
        Ok(())
    }
    fn visit_call_ref(&mut self, type_index: u32) -> Out {
        self.call_ref(type_index);
        Ok(())
    }
    fn visit_return_call_ref(&mut self, type_index: u32) -> Out {
        self.return_call_ref(type_index);
        Ok(())
    }
    fn visit_ref_as_non_null(&mut self) -> Out {
        self.ref_as_non_null();
        Ok(())
    }
    fn visit_br_on_null(&mut self, relative_depth: u32) -> Out {
        self.br_on_null(relative_depth);
        Ok(())
    }
    fn visit_br_on_non_null(&mut self, relative_depth: u32) -> Out {
        self.br_on_non_null(relative_depth);
        Ok(())
    }
    fn visit_drop(&mut self) -> Out {
        self.pop();
        Ok(())
    }
    fn visit_select(&mut self) -> Out {
        let c = self.pop();
        let wide = self.top_is_wide();
        let b = self.pop();
        let a = self.pop();
        let d = self.push_temp_as(wide);
        let pc = if wide {
            self.emit(Instr::V128Select { d, a, b })
        } else {
            self.emit(Instr::Select { d, c, a })
        };
        // `V128Select` reads its condition from the `Aux` word, `Select` its second value.
        let extra = if wide { c } else { b };
        self.emit(Instr::Aux {
            a: extra,
            b: 0,
            c: 0,
        });
        self.last_result = Some((pc, self.stack.len() - 1, pc + 2));
        Ok(())
    }
    fn visit_typed_select(&mut self, _ty: ValType) -> Out {
        self.visit_select()
    }
    fn visit_typed_select_multi(&mut self, _tys: Vec<ValType>) -> Out {
        Err(TranslateError::SelectMulti {
            offset: self.offset,
        })
    }
    fn visit_local_get(&mut self, local_index: u32) -> Out {
        let (slot, wide) = self.local_slot(local_index);
        self.push_as(Opd::Local(slot), wide);
        Ok(())
    }
    fn visit_local_set(&mut self, local_index: u32) -> Out {
        self.local_set(local_index);
        Ok(())
    }
    fn visit_local_tee(&mut self, local_index: u32) -> Out {
        self.local_set(local_index);
        self.visit_local_get(local_index)
    }
    fn visit_global_get(&mut self, global_index: u32) -> Out {
        let g = global_index;
        if self.global_is_v128(g) {
            let d = self.push_temp_as(true);
            self.emit_result(Instr::V128GlobalGet { d, g });
        } else {
            let d = self.push_temp();
            self.emit_result(Instr::GlobalGet { d, g });
        }
        Ok(())
    }
    fn visit_global_set(&mut self, global_index: u32) -> Out {
        let g = global_index;
        let s = self.pop();
        if self.global_is_v128(g) {
            self.emit(Instr::V128GlobalSet { s, g });
        } else {
            self.emit(Instr::GlobalSet { s, g });
        }
        Ok(())
    }
    fn visit_memory_size(&mut self, mem: u32) -> Out {
        let d = self.push_temp();
        self.emit_result(Instr::MemorySize { d, mem });
        Ok(())
    }
    fn visit_memory_grow(&mut self, mem: u32) -> Out {
        let delta = self.pop();
        let d = self.push_temp();
        if self.memory_is_64(mem) {
            self.emit_result(Instr::MemoryGrow64 { d, delta, mem });
        } else {
            self.emit_result(Instr::MemoryGrow { d, delta, mem });
        }
        Ok(())
    }
    fn visit_memory_fill(&mut self, mem: u32) -> Out {
        let n = self.pop();
        let v = self.pop();
        let d = self.pop();
        if self.memory_is_64(mem) {
            self.emit(Instr::MemoryFill64 { d, v, n });
        } else {
            self.emit(Instr::MemoryFill { d, v, n });
        }
        self.emit(Instr::Aux { a: mem, b: 0, c: 0 });
        Ok(())
    }
    fn visit_memory_copy(&mut self, dst_mem: u32, src_mem: u32) -> Out {
        let n = self.pop();
        let s = self.pop();
        let d = self.pop();
        let (d64, s64) = (self.memory_is_64(dst_mem), self.memory_is_64(src_mem));
        if dst_mem == src_mem && !d64 {
            self.emit(Instr::MemoryCopy { d, s, n });
            self.emit(Instr::Aux {
                a: dst_mem,
                b: 0,
                c: 0,
            });
        } else {
            self.emit(Instr::MemoryCopyAny { d, s, n });
            self.emit(Instr::Aux {
                a: dst_mem,
                b: src_mem,
                c: d64 as u32 | (s64 as u32) << 1,
            });
        }
        Ok(())
    }
    fn visit_memory_init(&mut self, data_index: u32, mem: u32) -> Out {
        let n = self.pop();
        let s = self.pop();
        let d = self.pop();
        if self.memory_is_64(mem) {
            self.emit(Instr::MemoryInit64 { d, s, n });
        } else {
            self.emit(Instr::MemoryInit { d, s, n });
        }
        self.emit(Instr::Aux {
            a: mem,
            b: data_index,
            c: 0,
        });
        Ok(())
    }
    fn visit_data_drop(&mut self, data_index: u32) -> Out {
        self.emit(Instr::DataDrop { data: data_index });
        Ok(())
    }
    fn visit_table_get(&mut self, table: u32) -> Out {
        self.table_get(table);
        Ok(())
    }
    fn visit_table_set(&mut self, table: u32) -> Out {
        self.table_set(table);
        Ok(())
    }
    fn visit_table_size(&mut self, table: u32) -> Out {
        let d = self.push_temp();
        self.emit_result(Instr::TableSize { d, table });
        Ok(())
    }
    fn visit_table_grow(&mut self, table: u32) -> Out {
        self.table_grow(table);
        Ok(())
    }
    fn visit_table_fill(&mut self, table: u32) -> Out {
        self.table_fill(table);
        Ok(())
    }
    fn visit_table_copy(&mut self, dst_table: u32, src_table: u32) -> Out {
        self.table_copy(dst_table, src_table);
        Ok(())
    }
    fn visit_table_init(&mut self, elem_index: u32, table: u32) -> Out {
        self.table_init(elem_index, table);
        Ok(())
    }
    fn visit_elem_drop(&mut self, elem_index: u32) -> Out {
        self.emit(Instr::ElemDrop { elem: elem_index });
        Ok(())
    }
    fn visit_ref_null(&mut self, _hty: HeapType) -> Out {
        self.konst(0)
    }
    fn visit_ref_func(&mut self, function_index: u32) -> Out {
        let d = self.push_temp();
        self.emit_result(Instr::RefFunc {
            d,
            func: function_index,
        });
        Ok(())
    }
    fn visit_i32_add(&mut self) -> Out {
        self.i32_add();
        Ok(())
    }
    fn visit_i32_const(&mut self, value: i32) -> Out {
        self.konst(value as u32 as u64)
    }
    fn visit_i64_const(&mut self, value: i64) -> Out {
        self.konst(value as u64)
    }
    fn visit_f32_const(&mut self, value: Ieee32) -> Out {
        self.konst(value.bits() as u64)
    }
    fn visit_f64_const(&mut self, value: Ieee64) -> Out {
        self.konst(value.bits())
    }

    free! {
        visit_i32_wrap_i64,
        visit_i32_reinterpret_f32,
        visit_i64_reinterpret_f64,
        visit_f32_reinterpret_i32,
        visit_f64_reinterpret_i64,
    }
    unary! {
        visit_i32_eqz => I32Eqz,
        visit_i64_eqz => I64Eqz,
        visit_i32_clz => I32Clz,
        visit_i32_ctz => I32Ctz,
        visit_i32_popcnt => I32Popcnt,
        visit_i64_clz => I64Clz,
        visit_i64_ctz => I64Ctz,
        visit_i64_popcnt => I64Popcnt,
        visit_f32_abs => F32Abs,
        visit_f32_neg => F32Neg,
        visit_f32_ceil => F32Ceil,
        visit_f32_floor => F32Floor,
        visit_f32_trunc => F32Trunc,
        visit_f32_nearest => F32Nearest,
        visit_f32_sqrt => F32Sqrt,
        visit_f64_abs => F64Abs,
        visit_f64_neg => F64Neg,
        visit_f64_ceil => F64Ceil,
        visit_f64_floor => F64Floor,
        visit_f64_trunc => F64Trunc,
        visit_f64_nearest => F64Nearest,
        visit_f64_sqrt => F64Sqrt,
        visit_i32_trunc_f32_s => I32TruncF32S,
        visit_i32_trunc_f32_u => I32TruncF32U,
        visit_i32_trunc_f64_s => I32TruncF64S,
        visit_i32_trunc_f64_u => I32TruncF64U,
        visit_i64_extend_i32_s => I64ExtendI32S,
        visit_i64_extend_i32_u => I64ExtendI32U,
        visit_i64_trunc_f32_s => I64TruncF32S,
        visit_i64_trunc_f32_u => I64TruncF32U,
        visit_i64_trunc_f64_s => I64TruncF64S,
        visit_i64_trunc_f64_u => I64TruncF64U,
        visit_f32_convert_i32_s => F32ConvertI32S,
        visit_f32_convert_i32_u => F32ConvertI32U,
        visit_f32_convert_i64_s => F32ConvertI64S,
        visit_f32_convert_i64_u => F32ConvertI64U,
        visit_f32_demote_f64 => F32DemoteF64,
        visit_f64_convert_i32_s => F64ConvertI32S,
        visit_f64_convert_i32_u => F64ConvertI32U,
        visit_f64_convert_i64_s => F64ConvertI64S,
        visit_f64_convert_i64_u => F64ConvertI64U,
        visit_f64_promote_f32 => F64PromoteF32,
        visit_i32_extend8_s => I32Extend8S,
        visit_i32_extend16_s => I32Extend16S,
        visit_i64_extend8_s => I64Extend8S,
        visit_i64_extend16_s => I64Extend16S,
        visit_i64_extend32_s => I64Extend32S,
        visit_i32_trunc_sat_f32_s => I32TruncSatF32S,
        visit_i32_trunc_sat_f32_u => I32TruncSatF32U,
        visit_i32_trunc_sat_f64_s => I32TruncSatF64S,
        visit_i32_trunc_sat_f64_u => I32TruncSatF64U,
        visit_i64_trunc_sat_f32_s => I64TruncSatF32S,
        visit_i64_trunc_sat_f32_u => I64TruncSatF32U,
        visit_i64_trunc_sat_f64_s => I64TruncSatF64S,
        visit_i64_trunc_sat_f64_u => I64TruncSatF64U,
        // A null reference is 0, so `ref.is_null` is `i64.eqz`.
        visit_ref_is_null => I64Eqz,
    }
    binary! {
        visit_i32_eq => I32Eq,
        visit_i32_ne => I32Ne,
        visit_i32_lt_s => I32LtS,
        visit_i32_lt_u => I32LtU,
        visit_i32_gt_s => I32GtS,
        visit_i32_gt_u => I32GtU,
        visit_i32_le_s => I32LeS,
        visit_i32_le_u => I32LeU,
        visit_i32_ge_s => I32GeS,
        visit_i32_ge_u => I32GeU,
        visit_i64_eq => I64Eq,
        visit_i64_ne => I64Ne,
        visit_i64_lt_s => I64LtS,
        visit_i64_lt_u => I64LtU,
        visit_i64_gt_s => I64GtS,
        visit_i64_gt_u => I64GtU,
        visit_i64_le_s => I64LeS,
        visit_i64_le_u => I64LeU,
        visit_i64_ge_s => I64GeS,
        visit_i64_ge_u => I64GeU,
        visit_f32_eq => F32Eq,
        visit_f32_ne => F32Ne,
        visit_f32_lt => F32Lt,
        visit_f32_gt => F32Gt,
        visit_f32_le => F32Le,
        visit_f32_ge => F32Ge,
        visit_f64_eq => F64Eq,
        visit_f64_ne => F64Ne,
        visit_f64_lt => F64Lt,
        visit_f64_gt => F64Gt,
        visit_f64_le => F64Le,
        visit_f64_ge => F64Ge,
        visit_i32_div_s => I32DivS,
        visit_i32_div_u => I32DivU,
        visit_i32_rem_s => I32RemS,
        visit_i32_rem_u => I32RemU,
        visit_i64_div_s => I64DivS,
        visit_i64_div_u => I64DivU,
        visit_i64_rem_s => I64RemS,
        visit_i64_rem_u => I64RemU,
        visit_f32_add => F32Add,
        visit_f32_sub => F32Sub,
        visit_f32_mul => F32Mul,
        visit_f32_div => F32Div,
        visit_f32_min => F32Min,
        visit_f32_max => F32Max,
        visit_f32_copysign => F32Copysign,
        visit_f64_add => F64Add,
        visit_f64_sub => F64Sub,
        visit_f64_mul => F64Mul,
        visit_f64_div => F64Div,
        visit_f64_min => F64Min,
        visit_f64_max => F64Max,
        visit_f64_copysign => F64Copysign,
    }
    binary_imm! {
        visit_i32_sub => I32Sub, I32AddImm, I32Sub,
        visit_i32_mul => I32Mul, I32MulImm, I32Commutes,
        visit_i32_and => I32And, I32AndImm, I32Commutes,
        visit_i32_or => I32Or, I32OrImm, I32Commutes,
        visit_i32_xor => I32Xor, I32XorImm, I32Commutes,
        visit_i32_shl => I32Shl, I32ShlImm, I32Shift,
        visit_i32_shr_s => I32ShrS, I32ShrSImm, I32Shift,
        visit_i32_shr_u => I32ShrU, I32ShrUImm, I32Shift,
        visit_i32_rotl => I32Rotl, I32RotlImm, I32Shift,
        visit_i32_rotr => I32Rotr, I32RotlImm, I32Rotr,
        visit_i64_add => I64Add, I64AddImm, I64Commutes,
        visit_i64_sub => I64Sub, I64AddImm, I64Sub,
        visit_i64_mul => I64Mul, I64MulImm, I64Commutes,
        visit_i64_and => I64And, I64AndImm, I64Commutes,
        visit_i64_or => I64Or, I64OrImm, I64Commutes,
        visit_i64_xor => I64Xor, I64XorImm, I64Commutes,
        visit_i64_shl => I64Shl, I64ShlImm, I64Shift,
        visit_i64_shr_s => I64ShrS, I64ShrSImm, I64Shift,
        visit_i64_shr_u => I64ShrU, I64ShrUImm, I64Shift,
        visit_i64_rotl => I64Rotl, I64RotlImm, I64Shift,
        visit_i64_rotr => I64Rotr, I64RotlImm, I64Rotr,
    }
    loads! {
        visit_i32_load => I32Load,
        visit_i64_load => I64Load,
        visit_f32_load => F32Load,
        visit_f64_load => F64Load,
        visit_i32_load8_s => I32Load8S,
        visit_i32_load8_u => I32Load8U,
        visit_i32_load16_s => I32Load16S,
        visit_i32_load16_u => I32Load16U,
        visit_i64_load8_s => I64Load8S,
        visit_i64_load8_u => I64Load8U,
        visit_i64_load16_s => I64Load16S,
        visit_i64_load16_u => I64Load16U,
        visit_i64_load32_s => I64Load32S,
        visit_i64_load32_u => I64Load32U,
    }
    stores! {
        visit_i32_store => I32Store 4,
        visit_i64_store => I64Store 8,
        visit_f32_store => I32Store 4,
        visit_f64_store => I64Store 8,
        visit_i32_store8 => I32Store8 1,
        visit_i32_store16 => I32Store16 2,
        visit_i64_store8 => I64Store8 1,
        visit_i64_store16 => I64Store16 2,
        visit_i64_store32 => I64Store32 4,
    }
}

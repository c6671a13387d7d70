//! The SIMD half of the visitor: wasmparser's
//! `VisitSimdOperator`, whose methods have no defaults either, so a fixed-width SIMD
//! operator the engine does not translate is a compile error here. Relaxed SIMD's operators
//! map onto the same rows (three-operand ones onto `SimdRelaxedTernary`), each with the one
//! result `exec::simd` fixes for it.
//!
//! Memory accesses and constants are written out; every other operator maps onto one of
//! the generic `Simd*` instructions by its shape, with its `SimdOp` naming the operation.

use super::super::Translator;
use super::super::stack::Opd;
use super::Out;
use crate::ir::Instr;
use crate::simd::{SimdOp, V128LoadKind};
use wasmparser::{MemArg, V128, VisitSimdOperator};

/// Vector → vector.
macro_rules! simd_unary {
    ($($visit:ident => $op:ident,)*) => {
        $(fn $visit(&mut self) -> Out {
            let s = self.pop();
            let d = self.push_temp_as(true);
            self.emit_result(Instr::SimdUnary { d, s, op: SimdOp::$op });
            Ok(())
        })*
    };
}

/// Vector × vector → vector.
macro_rules! simd_binary {
    ($($visit:ident => $op:ident,)*) => {
        $(fn $visit(&mut self) -> Out {
            let b = self.pop();
            let a = self.pop();
            let d = self.push_temp_as(true);
            self.emit_result(Instr::SimdBinary { d, a, b, op: SimdOp::$op });
            Ok(())
        })*
    };
}

/// Scalar → vector.
macro_rules! simd_splat {
    ($($visit:ident => $op:ident,)*) => {
        $(fn $visit(&mut self) -> Out {
            let s = self.pop();
            let d = self.push_temp_as(true);
            self.emit_result(Instr::SimdSplat { d, s, op: SimdOp::$op });
            Ok(())
        })*
    };
}

/// Vector → scalar, with a lane index for the lane extractions.
macro_rules! simd_to_scalar {
    ($($visit:ident => $op:ident $([$lane:ident])?,)*) => {
        $(fn $visit(&mut self $(, $lane: u8)?) -> Out {
            let lane = 0 $(+ $lane)?;
            let s = self.pop();
            let d = self.push_temp();
            self.emit_result(Instr::SimdToScalar { d, s, op: SimdOp::$op, lane });
            Ok(())
        })*
    };
}

/// Vector × scalar → vector, with a lane index for the lane replacements.
macro_rules! simd_with_scalar {
    ($($visit:ident => $op:ident $([$lane:ident])?,)*) => {
        $(fn $visit(&mut self $(, $lane: u8)?) -> Out {
            let lane = 0 $(+ $lane)?;
            let b = self.pop();
            let a = self.pop();
            let d = self.push_temp_as(true);
            self.emit_result(Instr::SimdWithScalar { d, a, b, op: SimdOp::$op, lane });
            Ok(())
        })*
    };
}

/// Loads that make a vector of the bytes at an address.
macro_rules! simd_loads {
    ($($visit:ident => $kind:ident,)*) => {
        $(fn $visit(&mut self, memarg: MemArg) -> Out {
            let m = self.memarg(&memarg)?;
            let a = self.pop();
            let d = self.push_temp_as(true);
            if self.plain_memory(m.0) {
                let off = m.1 as u32;
                self.emit_result(Instr::V128Load { d, a, off, kind: V128LoadKind::$kind });
            } else {
                self.emit_v128_mem_load(V128LoadKind::$kind, d, a, m);
            }
            Ok(())
        })*
    };
}

/// Loads of one lane into a vector.
macro_rules! simd_load_lanes {
    ($($visit:ident => $bytes:literal,)*) => {
        $(fn $visit(&mut self, memarg: MemArg, lane: u8) -> Out {
            let v = self.pop();
            let a = self.pop();
            let d = self.push_temp_as(true);
            let m = self.memarg(&memarg)?;
            if self.plain_memory(m.0) {
                let off = m.1 as u32;
                self.emit(Instr::V128LoadLane { d, a, off });
                self.emit(Instr::Aux { a: v, b: $bytes, c: lane as u32 });
            } else {
                self.emit_v128_mem_load_lane(($bytes, lane), d, a, v, m);
            }
            Ok(())
        })*
    };
}

/// Stores of one lane of a vector.
macro_rules! simd_store_lanes {
    ($($visit:ident => $bytes:literal,)*) => {
        $(fn $visit(&mut self, memarg: MemArg, lane: u8) -> Out {
            let v = self.pop();
            let a = self.pop();
            let m = self.memarg(&memarg)?;
            if self.plain_memory(m.0) {
                let off = m.1 as u32;
                self.emit(Instr::V128StoreLane { a, v, off, bytes: $bytes, lane });
            } else {
                self.emit_v128_mem_store(Some(($bytes, lane)), a, v, m);
            }
            Ok(())
        })*
    };
}

/// Three vectors → vector: the relaxed operations of three operands, the third in an `Aux`.
macro_rules! simd_ternary_op {
    ($($visit:ident => $op:ident,)*) => {
        $(fn $visit(&mut self) -> Out {
            let c = self.pop();
            let b = self.pop();
            let a = self.pop();
            let d = self.push_temp_as(true);
            self.emit(Instr::SimdRelaxedTernary { d, a, b, op: SimdOp::$op });
            self.emit(Instr::Aux { a: c, b: 0, c: 0 });
            Ok(())
        })*
    };
}

impl<'a> VisitSimdOperator<'a> for Translator<'_> {
    fn visit_v128_const(&mut self, value: V128) -> Out {
        let s = self.v128_const_slot(value.i128() as u128);
        self.push_as(Opd::Const(s), true);
        Ok(())
    }
    fn visit_i8x16_shuffle(&mut self, lanes: [u8; 16]) -> Out {
        let mask = self.v128_const_slot(u128::from_le_bytes(lanes));
        let b = self.pop();
        let a = self.pop();
        let d = self.push_temp_as(true);
        self.emit(Instr::SimdTernary { d, a, b });
        self.emit(Instr::Aux {
            a: mask,
            b: 1,
            c: 0,
        });
        Ok(())
    }
    fn visit_v128_bitselect(&mut self) -> Out {
        let c = self.pop();
        let b = self.pop();
        let a = self.pop();
        let d = self.push_temp_as(true);
        self.emit(Instr::SimdTernary { d, a, b });
        self.emit(Instr::Aux { a: c, b: 0, c: 0 });
        Ok(())
    }
    fn visit_v128_store(&mut self, memarg: MemArg) -> Out {
        let v = self.pop();
        let a = self.pop();
        let m = self.memarg(&memarg)?;
        if self.plain_memory(m.0) {
            self.emit(Instr::V128Store {
                a,
                v,
                off: m.1 as u32,
            });
        } else {
            self.emit_v128_mem_store(None, a, v, m);
        }
        Ok(())
    }
    simd_loads! {
        visit_v128_load => Full,
        visit_v128_load8x8_s => I8x8S,
        visit_v128_load8x8_u => I8x8U,
        visit_v128_load16x4_s => I16x4S,
        visit_v128_load16x4_u => I16x4U,
        visit_v128_load32x2_s => I32x2S,
        visit_v128_load32x2_u => I32x2U,
        visit_v128_load8_splat => Splat8,
        visit_v128_load16_splat => Splat16,
        visit_v128_load32_splat => Splat32,
        visit_v128_load64_splat => Splat64,
        visit_v128_load32_zero => Zero32,
        visit_v128_load64_zero => Zero64,
    }
    simd_load_lanes! {
        visit_v128_load8_lane => 1,
        visit_v128_load16_lane => 2,
        visit_v128_load32_lane => 4,
        visit_v128_load64_lane => 8,
    }
    simd_store_lanes! {
        visit_v128_store8_lane => 1,
        visit_v128_store16_lane => 2,
        visit_v128_store32_lane => 4,
        visit_v128_store64_lane => 8,
    }
    simd_unary! {
        visit_v128_not => V128Not,
        visit_i8x16_abs => I8x16Abs,
        visit_i8x16_neg => I8x16Neg,
        visit_i8x16_popcnt => I8x16Popcnt,
        visit_i16x8_extadd_pairwise_i8x16_s => I16x8ExtAddPairwiseI8x16S,
        visit_i16x8_extadd_pairwise_i8x16_u => I16x8ExtAddPairwiseI8x16U,
        visit_i16x8_abs => I16x8Abs,
        visit_i16x8_neg => I16x8Neg,
        visit_i16x8_extend_low_i8x16_s => I16x8ExtendLowI8x16S,
        visit_i16x8_extend_high_i8x16_s => I16x8ExtendHighI8x16S,
        visit_i16x8_extend_low_i8x16_u => I16x8ExtendLowI8x16U,
        visit_i16x8_extend_high_i8x16_u => I16x8ExtendHighI8x16U,
        visit_i32x4_extadd_pairwise_i16x8_s => I32x4ExtAddPairwiseI16x8S,
        visit_i32x4_extadd_pairwise_i16x8_u => I32x4ExtAddPairwiseI16x8U,
        visit_i32x4_abs => I32x4Abs,
        visit_i32x4_neg => I32x4Neg,
        visit_i32x4_extend_low_i16x8_s => I32x4ExtendLowI16x8S,
        visit_i32x4_extend_high_i16x8_s => I32x4ExtendHighI16x8S,
        visit_i32x4_extend_low_i16x8_u => I32x4ExtendLowI16x8U,
        visit_i32x4_extend_high_i16x8_u => I32x4ExtendHighI16x8U,
        visit_i64x2_abs => I64x2Abs,
        visit_i64x2_neg => I64x2Neg,
        visit_i64x2_extend_low_i32x4_s => I64x2ExtendLowI32x4S,
        visit_i64x2_extend_high_i32x4_s => I64x2ExtendHighI32x4S,
        visit_i64x2_extend_low_i32x4_u => I64x2ExtendLowI32x4U,
        visit_i64x2_extend_high_i32x4_u => I64x2ExtendHighI32x4U,
        visit_f32x4_ceil => F32x4Ceil,
        visit_f32x4_floor => F32x4Floor,
        visit_f32x4_trunc => F32x4Trunc,
        visit_f32x4_nearest => F32x4Nearest,
        visit_f32x4_abs => F32x4Abs,
        visit_f32x4_neg => F32x4Neg,
        visit_f32x4_sqrt => F32x4Sqrt,
        visit_f64x2_ceil => F64x2Ceil,
        visit_f64x2_floor => F64x2Floor,
        visit_f64x2_trunc => F64x2Trunc,
        visit_f64x2_nearest => F64x2Nearest,
        visit_f64x2_abs => F64x2Abs,
        visit_f64x2_neg => F64x2Neg,
        visit_f64x2_sqrt => F64x2Sqrt,
        visit_i32x4_trunc_sat_f32x4_s => I32x4TruncSatF32x4S,
        visit_i32x4_trunc_sat_f32x4_u => I32x4TruncSatF32x4U,
        visit_f32x4_convert_i32x4_s => F32x4ConvertI32x4S,
        visit_f32x4_convert_i32x4_u => F32x4ConvertI32x4U,
        visit_i32x4_trunc_sat_f64x2_s_zero => I32x4TruncSatF64x2SZero,
        visit_i32x4_trunc_sat_f64x2_u_zero => I32x4TruncSatF64x2UZero,
        visit_f64x2_convert_low_i32x4_s => F64x2ConvertLowI32x4S,
        visit_f64x2_convert_low_i32x4_u => F64x2ConvertLowI32x4U,
        visit_f32x4_demote_f64x2_zero => F32x4DemoteF64x2Zero,
        visit_f64x2_promote_low_f32x4 => F64x2PromoteLowF32x4,
    }
    simd_binary! {
        visit_i8x16_swizzle => I8x16Swizzle,
        visit_i8x16_eq => I8x16Eq,
        visit_i8x16_ne => I8x16Ne,
        visit_i8x16_lt_s => I8x16LtS,
        visit_i8x16_lt_u => I8x16LtU,
        visit_i8x16_gt_s => I8x16GtS,
        visit_i8x16_gt_u => I8x16GtU,
        visit_i8x16_le_s => I8x16LeS,
        visit_i8x16_le_u => I8x16LeU,
        visit_i8x16_ge_s => I8x16GeS,
        visit_i8x16_ge_u => I8x16GeU,
        visit_i16x8_eq => I16x8Eq,
        visit_i16x8_ne => I16x8Ne,
        visit_i16x8_lt_s => I16x8LtS,
        visit_i16x8_lt_u => I16x8LtU,
        visit_i16x8_gt_s => I16x8GtS,
        visit_i16x8_gt_u => I16x8GtU,
        visit_i16x8_le_s => I16x8LeS,
        visit_i16x8_le_u => I16x8LeU,
        visit_i16x8_ge_s => I16x8GeS,
        visit_i16x8_ge_u => I16x8GeU,
        visit_i32x4_eq => I32x4Eq,
        visit_i32x4_ne => I32x4Ne,
        visit_i32x4_lt_s => I32x4LtS,
        visit_i32x4_lt_u => I32x4LtU,
        visit_i32x4_gt_s => I32x4GtS,
        visit_i32x4_gt_u => I32x4GtU,
        visit_i32x4_le_s => I32x4LeS,
        visit_i32x4_le_u => I32x4LeU,
        visit_i32x4_ge_s => I32x4GeS,
        visit_i32x4_ge_u => I32x4GeU,
        visit_i64x2_eq => I64x2Eq,
        visit_i64x2_ne => I64x2Ne,
        visit_i64x2_lt_s => I64x2LtS,
        visit_i64x2_gt_s => I64x2GtS,
        visit_i64x2_le_s => I64x2LeS,
        visit_i64x2_ge_s => I64x2GeS,
        visit_f32x4_eq => F32x4Eq,
        visit_f32x4_ne => F32x4Ne,
        visit_f32x4_lt => F32x4Lt,
        visit_f32x4_gt => F32x4Gt,
        visit_f32x4_le => F32x4Le,
        visit_f32x4_ge => F32x4Ge,
        visit_f64x2_eq => F64x2Eq,
        visit_f64x2_ne => F64x2Ne,
        visit_f64x2_lt => F64x2Lt,
        visit_f64x2_gt => F64x2Gt,
        visit_f64x2_le => F64x2Le,
        visit_f64x2_ge => F64x2Ge,
        visit_v128_and => V128And,
        visit_v128_andnot => V128AndNot,
        visit_v128_or => V128Or,
        visit_v128_xor => V128Xor,
        visit_i8x16_narrow_i16x8_s => I8x16NarrowI16x8S,
        visit_i8x16_narrow_i16x8_u => I8x16NarrowI16x8U,
        visit_i8x16_add => I8x16Add,
        visit_i8x16_add_sat_s => I8x16AddSatS,
        visit_i8x16_add_sat_u => I8x16AddSatU,
        visit_i8x16_sub => I8x16Sub,
        visit_i8x16_sub_sat_s => I8x16SubSatS,
        visit_i8x16_sub_sat_u => I8x16SubSatU,
        visit_i8x16_min_s => I8x16MinS,
        visit_i8x16_min_u => I8x16MinU,
        visit_i8x16_max_s => I8x16MaxS,
        visit_i8x16_max_u => I8x16MaxU,
        visit_i8x16_avgr_u => I8x16AvgrU,
        visit_i16x8_q15mulr_sat_s => I16x8Q15MulrSatS,
        visit_i16x8_narrow_i32x4_s => I16x8NarrowI32x4S,
        visit_i16x8_narrow_i32x4_u => I16x8NarrowI32x4U,
        visit_i16x8_add => I16x8Add,
        visit_i16x8_add_sat_s => I16x8AddSatS,
        visit_i16x8_add_sat_u => I16x8AddSatU,
        visit_i16x8_sub => I16x8Sub,
        visit_i16x8_sub_sat_s => I16x8SubSatS,
        visit_i16x8_sub_sat_u => I16x8SubSatU,
        visit_i16x8_mul => I16x8Mul,
        visit_i16x8_min_s => I16x8MinS,
        visit_i16x8_min_u => I16x8MinU,
        visit_i16x8_max_s => I16x8MaxS,
        visit_i16x8_max_u => I16x8MaxU,
        visit_i16x8_avgr_u => I16x8AvgrU,
        visit_i16x8_extmul_low_i8x16_s => I16x8ExtMulLowI8x16S,
        visit_i16x8_extmul_high_i8x16_s => I16x8ExtMulHighI8x16S,
        visit_i16x8_extmul_low_i8x16_u => I16x8ExtMulLowI8x16U,
        visit_i16x8_extmul_high_i8x16_u => I16x8ExtMulHighI8x16U,
        visit_i32x4_add => I32x4Add,
        visit_i32x4_sub => I32x4Sub,
        visit_i32x4_mul => I32x4Mul,
        visit_i32x4_min_s => I32x4MinS,
        visit_i32x4_min_u => I32x4MinU,
        visit_i32x4_max_s => I32x4MaxS,
        visit_i32x4_max_u => I32x4MaxU,
        visit_i32x4_dot_i16x8_s => I32x4DotI16x8S,
        visit_i32x4_extmul_low_i16x8_s => I32x4ExtMulLowI16x8S,
        visit_i32x4_extmul_high_i16x8_s => I32x4ExtMulHighI16x8S,
        visit_i32x4_extmul_low_i16x8_u => I32x4ExtMulLowI16x8U,
        visit_i32x4_extmul_high_i16x8_u => I32x4ExtMulHighI16x8U,
        visit_i64x2_add => I64x2Add,
        visit_i64x2_sub => I64x2Sub,
        visit_i64x2_mul => I64x2Mul,
        visit_i64x2_extmul_low_i32x4_s => I64x2ExtMulLowI32x4S,
        visit_i64x2_extmul_high_i32x4_s => I64x2ExtMulHighI32x4S,
        visit_i64x2_extmul_low_i32x4_u => I64x2ExtMulLowI32x4U,
        visit_i64x2_extmul_high_i32x4_u => I64x2ExtMulHighI32x4U,
        visit_f32x4_add => F32x4Add,
        visit_f32x4_sub => F32x4Sub,
        visit_f32x4_mul => F32x4Mul,
        visit_f32x4_div => F32x4Div,
        visit_f32x4_min => F32x4Min,
        visit_f32x4_max => F32x4Max,
        visit_f32x4_pmin => F32x4PMin,
        visit_f32x4_pmax => F32x4PMax,
        visit_f64x2_add => F64x2Add,
        visit_f64x2_sub => F64x2Sub,
        visit_f64x2_mul => F64x2Mul,
        visit_f64x2_div => F64x2Div,
        visit_f64x2_min => F64x2Min,
        visit_f64x2_max => F64x2Max,
        visit_f64x2_pmin => F64x2PMin,
        visit_f64x2_pmax => F64x2PMax,
    }
    // Relaxed SIMD: one fixed result each, the deterministic profile's (`exec::simd`,
    // `docs/relaxed-simd.md`).
    simd_unary! {
        visit_i32x4_relaxed_trunc_f32x4_s => I32x4RelaxedTruncF32x4S,
        visit_i32x4_relaxed_trunc_f32x4_u => I32x4RelaxedTruncF32x4U,
        visit_i32x4_relaxed_trunc_f64x2_s_zero => I32x4RelaxedTruncF64x2SZero,
        visit_i32x4_relaxed_trunc_f64x2_u_zero => I32x4RelaxedTruncF64x2UZero,
    }
    simd_binary! {
        visit_i8x16_relaxed_swizzle => I8x16RelaxedSwizzle,
        visit_f32x4_relaxed_min => F32x4RelaxedMin,
        visit_f32x4_relaxed_max => F32x4RelaxedMax,
        visit_f64x2_relaxed_min => F64x2RelaxedMin,
        visit_f64x2_relaxed_max => F64x2RelaxedMax,
        visit_i16x8_relaxed_q15mulr_s => I16x8RelaxedQ15mulrS,
        visit_i16x8_relaxed_dot_i8x16_i7x16_s => I16x8RelaxedDotI8x16I7x16S,
    }
    simd_ternary_op! {
        visit_f32x4_relaxed_madd => F32x4RelaxedMadd,
        visit_f32x4_relaxed_nmadd => F32x4RelaxedNmadd,
        visit_f64x2_relaxed_madd => F64x2RelaxedMadd,
        visit_f64x2_relaxed_nmadd => F64x2RelaxedNmadd,
        visit_i8x16_relaxed_laneselect => I8x16RelaxedLaneselect,
        visit_i16x8_relaxed_laneselect => I16x8RelaxedLaneselect,
        visit_i32x4_relaxed_laneselect => I32x4RelaxedLaneselect,
        visit_i64x2_relaxed_laneselect => I64x2RelaxedLaneselect,
        visit_i32x4_relaxed_dot_i8x16_i7x16_add_s => I32x4RelaxedDotI8x16I7x16AddS,
    }
    simd_splat! {
        visit_i8x16_splat => I8x16Splat,
        visit_i16x8_splat => I16x8Splat,
        visit_i32x4_splat => I32x4Splat,
        visit_i64x2_splat => I64x2Splat,
        visit_f32x4_splat => F32x4Splat,
        visit_f64x2_splat => F64x2Splat,
    }
    simd_to_scalar! {
        visit_i8x16_extract_lane_s => I8x16ExtractLaneS [lane],
        visit_i8x16_extract_lane_u => I8x16ExtractLaneU [lane],
        visit_i16x8_extract_lane_s => I16x8ExtractLaneS [lane],
        visit_i16x8_extract_lane_u => I16x8ExtractLaneU [lane],
        visit_i32x4_extract_lane => I32x4ExtractLane [lane],
        visit_i64x2_extract_lane => I64x2ExtractLane [lane],
        visit_f32x4_extract_lane => F32x4ExtractLane [lane],
        visit_f64x2_extract_lane => F64x2ExtractLane [lane],
        visit_v128_any_true => V128AnyTrue,
        visit_i8x16_all_true => I8x16AllTrue,
        visit_i8x16_bitmask => I8x16Bitmask,
        visit_i16x8_all_true => I16x8AllTrue,
        visit_i16x8_bitmask => I16x8Bitmask,
        visit_i32x4_all_true => I32x4AllTrue,
        visit_i32x4_bitmask => I32x4Bitmask,
        visit_i64x2_all_true => I64x2AllTrue,
        visit_i64x2_bitmask => I64x2Bitmask,
    }
    simd_with_scalar! {
        visit_i8x16_replace_lane => I8x16ReplaceLane [lane],
        visit_i16x8_replace_lane => I16x8ReplaceLane [lane],
        visit_i32x4_replace_lane => I32x4ReplaceLane [lane],
        visit_i64x2_replace_lane => I64x2ReplaceLane [lane],
        visit_f32x4_replace_lane => F32x4ReplaceLane [lane],
        visit_f64x2_replace_lane => F64x2ReplaceLane [lane],
        visit_i8x16_shl => I8x16Shl,
        visit_i8x16_shr_s => I8x16ShrS,
        visit_i8x16_shr_u => I8x16ShrU,
        visit_i16x8_shl => I16x8Shl,
        visit_i16x8_shr_s => I16x8ShrS,
        visit_i16x8_shr_u => I16x8ShrU,
        visit_i32x4_shl => I32x4Shl,
        visit_i32x4_shr_s => I32x4ShrS,
        visit_i32x4_shr_u => I32x4ShrU,
        visit_i64x2_shl => I64x2Shl,
        visit_i64x2_shr_s => I64x2ShrS,
        visit_i64x2_shr_u => I64x2ShrU,
    }
}

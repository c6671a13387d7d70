//! Fixed-width SIMD (and relaxed SIMD) operators -> Cranelift vector instructions.
//!
//! A `v128` lives on the operand stack, in locals and in block parameters as one type,
//! `I8X16`; each operator bitcasts its operands to its lane type and its result back (the
//! optimiser removes the pairs that cancel), as wasmtime's translator does.
//!
//! The relaxed operators have the interpreter's results (the deterministic profile of
//! `docs/relaxed-simd.md`), so a function computes the same in either tier: `relaxed_madd`
//! is unfused, the relaxed dot products saturate their 16-bit sums, min/max and truncation
//! are their strict counterparts, and the lane selects are `bitselect`.

use super::Translator;
use crate::jit::compile::CompileError;
use alloc::vec::Vec;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value, types,
};
use wasmparser::{MemArg, Operator};

/// Flags of a bitcast between vector types: lanes reinterpreted in memory order.
fn lanes() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

impl Translator<'_, '_> {
    /// A `v128` constant of 16 bytes (little-endian lanes).
    pub(super) fn vconst(&mut self, bytes: &[u8; 16]) -> Value {
        self.vconst_of(types::I8X16, bytes)
    }

    /// A vector constant of type `ty`.
    fn vconst_of(&mut self, ty: Type, bytes: &[u8; 16]) -> Value {
        let c = self
            .b
            .func
            .dfg
            .constants
            .insert(ConstantData::from(&bytes[..]));
        self.b.ins().vconst(ty, c)
    }

    /// Pops a `v128` as lanes of type `ty`.
    fn pop_v(&mut self, ty: Type) -> Value {
        let v = self.pop();
        self.cast(v, ty)
    }

    fn cast(&mut self, v: Value, ty: Type) -> Value {
        if self.b.func.dfg.value_type(v) == ty {
            v
        } else {
            self.b.ins().bitcast(ty, lanes(), v)
        }
    }

    /// Pushes a vector of any lane type as a `v128` (`I8X16`).
    fn push_v(&mut self, v: Value) {
        let v = self.cast(v, types::I8X16);
        self.push(v);
    }

    /// Translates `op` if it is a SIMD operator (`Ok(true)`); `Ok(false)` if it is not one.
    pub(super) fn simd_op(&mut self, op: &Operator<'_>) -> Result<bool, CompileError> {
        use Operator as O;
        use types::{F32X4, F64X2, I8X16, I16X8, I32X4, I64X2};
        macro_rules! un {
            ($ty:expr, $f:ident) => {{
                let x = self.pop_v($ty);
                let v = self.b.ins().$f(x);
                self.push_v(v);
            }};
        }
        macro_rules! bin {
            ($ty:expr, $f:ident) => {{
                let y = self.pop_v($ty);
                let x = self.pop_v($ty);
                let v = self.b.ins().$f(x, y);
                self.push_v(v);
            }};
        }
        macro_rules! icmp {
            ($ty:expr, $cc:expr) => {{
                let y = self.pop_v($ty);
                let x = self.pop_v($ty);
                let v = self.b.ins().icmp($cc, x, y);
                self.push_v(v);
            }};
        }
        macro_rules! fcmp {
            ($ty:expr, $cc:expr) => {{
                let y = self.pop_v($ty);
                let x = self.pop_v($ty);
                let v = self.b.ins().fcmp($cc, x, y);
                self.push_v(v);
            }};
        }
        macro_rules! shift {
            ($ty:expr, $f:ident) => {{
                // Cranelift takes the amount modulo the lane width, as wasm does.
                let n = self.pop();
                let x = self.pop_v($ty);
                let v = self.b.ins().$f(x, n);
                self.push_v(v);
            }};
        }
        macro_rules! widen {
            ($ty:expr, $f:ident) => {{
                let x = self.pop_v($ty);
                let v = self.b.ins().$f(x);
                self.push_v(v);
            }};
        }
        macro_rules! extmul {
            ($ty:expr, $f:ident) => {{
                let y = self.pop_v($ty);
                let x = self.pop_v($ty);
                let x = self.b.ins().$f(x);
                let y = self.b.ins().$f(y);
                let v = self.b.ins().imul(x, y);
                self.push_v(v);
            }};
        }
        macro_rules! all_true {
            ($ty:expr) => {{
                let x = self.pop_v($ty);
                let c = self.b.ins().vall_true(x);
                let v = self.b.ins().uextend(types::I32, c);
                self.push(v);
            }};
        }
        macro_rules! bitmask {
            ($ty:expr) => {{
                let x = self.pop_v($ty);
                let v = self.b.ins().vhigh_bits(types::I32, x);
                self.push(v);
            }};
        }
        match *op {
            // Memory.
            O::V128Load { memarg } => {
                let (p, f) = self.address(memarg, 16)?;
                let v = self.b.ins().load(I8X16, f, p, 0);
                self.push(v);
            }
            O::V128Store { memarg } => {
                let v = self.pop();
                let (p, f) = self.address(memarg, 16)?;
                self.b.ins().store(f, v, p, 0);
            }
            O::V128Load8x8S { memarg } => {
                self.load_extend(memarg, |b, p, f| b.sload8x8(f, p, 0))?
            }
            O::V128Load8x8U { memarg } => {
                self.load_extend(memarg, |b, p, f| b.uload8x8(f, p, 0))?
            }
            O::V128Load16x4S { memarg } => {
                self.load_extend(memarg, |b, p, f| b.sload16x4(f, p, 0))?
            }
            O::V128Load16x4U { memarg } => {
                self.load_extend(memarg, |b, p, f| b.uload16x4(f, p, 0))?
            }
            O::V128Load32x2S { memarg } => {
                self.load_extend(memarg, |b, p, f| b.sload32x2(f, p, 0))?
            }
            O::V128Load32x2U { memarg } => {
                self.load_extend(memarg, |b, p, f| b.uload32x2(f, p, 0))?
            }
            O::V128Load8Splat { memarg } => self.load_splat(memarg, types::I8, I8X16)?,
            O::V128Load16Splat { memarg } => self.load_splat(memarg, types::I16, I16X8)?,
            O::V128Load32Splat { memarg } => self.load_splat(memarg, types::I32, I32X4)?,
            O::V128Load64Splat { memarg } => self.load_splat(memarg, types::I64, I64X2)?,
            O::V128Load32Zero { memarg } => self.load_zero(memarg, types::I32, I32X4)?,
            O::V128Load64Zero { memarg } => self.load_zero(memarg, types::I64, I64X2)?,
            O::V128Load8Lane { memarg, lane } => self.load_lane(memarg, lane, types::I8, I8X16)?,
            O::V128Load16Lane { memarg, lane } => {
                self.load_lane(memarg, lane, types::I16, I16X8)?
            }
            O::V128Load32Lane { memarg, lane } => {
                self.load_lane(memarg, lane, types::I32, I32X4)?
            }
            O::V128Load64Lane { memarg, lane } => {
                self.load_lane(memarg, lane, types::I64, I64X2)?
            }
            O::V128Store8Lane { memarg, lane } => self.store_lane(memarg, lane, I8X16)?,
            O::V128Store16Lane { memarg, lane } => self.store_lane(memarg, lane, I16X8)?,
            O::V128Store32Lane { memarg, lane } => self.store_lane(memarg, lane, I32X4)?,
            O::V128Store64Lane { memarg, lane } => self.store_lane(memarg, lane, I64X2)?,

            // Constants, shuffles, lanes.
            O::V128Const { value } => {
                let v = self.vconst(value.bytes());
                self.push(v);
            }
            O::I8x16Shuffle { lanes } => {
                let y = self.pop_v(I8X16);
                let x = self.pop_v(I8X16);
                let mask = self
                    .b
                    .func
                    .dfg
                    .immediates
                    .push(ConstantData::from(&lanes[..]));
                let v = self.b.ins().shuffle(x, y, mask);
                self.push_v(v);
            }
            // Out-of-range indices give 0 lanes, in the strict and the relaxed form alike.
            O::I8x16Swizzle | O::I8x16RelaxedSwizzle => bin!(I8X16, swizzle),
            O::I8x16Splat => self.splat(I8X16, Some(types::I8)),
            O::I16x8Splat => self.splat(I16X8, Some(types::I16)),
            O::I32x4Splat => self.splat(I32X4, None),
            O::I64x2Splat => self.splat(I64X2, None),
            O::F32x4Splat => self.splat(F32X4, None),
            O::F64x2Splat => self.splat(F64X2, None),
            O::I8x16ExtractLaneS { lane } => self.extract(I8X16, lane, Some(true)),
            O::I8x16ExtractLaneU { lane } => self.extract(I8X16, lane, Some(false)),
            O::I16x8ExtractLaneS { lane } => self.extract(I16X8, lane, Some(true)),
            O::I16x8ExtractLaneU { lane } => self.extract(I16X8, lane, Some(false)),
            O::I32x4ExtractLane { lane } => self.extract(I32X4, lane, None),
            O::I64x2ExtractLane { lane } => self.extract(I64X2, lane, None),
            O::F32x4ExtractLane { lane } => self.extract(F32X4, lane, None),
            O::F64x2ExtractLane { lane } => self.extract(F64X2, lane, None),
            O::I8x16ReplaceLane { lane } => self.replace(I8X16, lane, Some(types::I8)),
            O::I16x8ReplaceLane { lane } => self.replace(I16X8, lane, Some(types::I16)),
            O::I32x4ReplaceLane { lane } => self.replace(I32X4, lane, None),
            O::I64x2ReplaceLane { lane } => self.replace(I64X2, lane, None),
            O::F32x4ReplaceLane { lane } => self.replace(F32X4, lane, None),
            O::F64x2ReplaceLane { lane } => self.replace(F64X2, lane, None),

            // Comparisons (all-ones lanes for true).
            O::I8x16Eq => icmp!(I8X16, IntCC::Equal),
            O::I8x16Ne => icmp!(I8X16, IntCC::NotEqual),
            O::I8x16LtS => icmp!(I8X16, IntCC::SignedLessThan),
            O::I8x16LtU => icmp!(I8X16, IntCC::UnsignedLessThan),
            O::I8x16GtS => icmp!(I8X16, IntCC::SignedGreaterThan),
            O::I8x16GtU => icmp!(I8X16, IntCC::UnsignedGreaterThan),
            O::I8x16LeS => icmp!(I8X16, IntCC::SignedLessThanOrEqual),
            O::I8x16LeU => icmp!(I8X16, IntCC::UnsignedLessThanOrEqual),
            O::I8x16GeS => icmp!(I8X16, IntCC::SignedGreaterThanOrEqual),
            O::I8x16GeU => icmp!(I8X16, IntCC::UnsignedGreaterThanOrEqual),
            O::I16x8Eq => icmp!(I16X8, IntCC::Equal),
            O::I16x8Ne => icmp!(I16X8, IntCC::NotEqual),
            O::I16x8LtS => icmp!(I16X8, IntCC::SignedLessThan),
            O::I16x8LtU => icmp!(I16X8, IntCC::UnsignedLessThan),
            O::I16x8GtS => icmp!(I16X8, IntCC::SignedGreaterThan),
            O::I16x8GtU => icmp!(I16X8, IntCC::UnsignedGreaterThan),
            O::I16x8LeS => icmp!(I16X8, IntCC::SignedLessThanOrEqual),
            O::I16x8LeU => icmp!(I16X8, IntCC::UnsignedLessThanOrEqual),
            O::I16x8GeS => icmp!(I16X8, IntCC::SignedGreaterThanOrEqual),
            O::I16x8GeU => icmp!(I16X8, IntCC::UnsignedGreaterThanOrEqual),
            O::I32x4Eq => icmp!(I32X4, IntCC::Equal),
            O::I32x4Ne => icmp!(I32X4, IntCC::NotEqual),
            O::I32x4LtS => icmp!(I32X4, IntCC::SignedLessThan),
            O::I32x4LtU => icmp!(I32X4, IntCC::UnsignedLessThan),
            O::I32x4GtS => icmp!(I32X4, IntCC::SignedGreaterThan),
            O::I32x4GtU => icmp!(I32X4, IntCC::UnsignedGreaterThan),
            O::I32x4LeS => icmp!(I32X4, IntCC::SignedLessThanOrEqual),
            O::I32x4LeU => icmp!(I32X4, IntCC::UnsignedLessThanOrEqual),
            O::I32x4GeS => icmp!(I32X4, IntCC::SignedGreaterThanOrEqual),
            O::I32x4GeU => icmp!(I32X4, IntCC::UnsignedGreaterThanOrEqual),
            O::I64x2Eq => icmp!(I64X2, IntCC::Equal),
            O::I64x2Ne => icmp!(I64X2, IntCC::NotEqual),
            O::I64x2LtS => icmp!(I64X2, IntCC::SignedLessThan),
            O::I64x2GtS => icmp!(I64X2, IntCC::SignedGreaterThan),
            O::I64x2LeS => icmp!(I64X2, IntCC::SignedLessThanOrEqual),
            O::I64x2GeS => icmp!(I64X2, IntCC::SignedGreaterThanOrEqual),
            O::F32x4Eq => fcmp!(F32X4, FloatCC::Equal),
            O::F32x4Ne => fcmp!(F32X4, FloatCC::NotEqual),
            O::F32x4Lt => fcmp!(F32X4, FloatCC::LessThan),
            O::F32x4Gt => fcmp!(F32X4, FloatCC::GreaterThan),
            O::F32x4Le => fcmp!(F32X4, FloatCC::LessThanOrEqual),
            O::F32x4Ge => fcmp!(F32X4, FloatCC::GreaterThanOrEqual),
            O::F64x2Eq => fcmp!(F64X2, FloatCC::Equal),
            O::F64x2Ne => fcmp!(F64X2, FloatCC::NotEqual),
            O::F64x2Lt => fcmp!(F64X2, FloatCC::LessThan),
            O::F64x2Gt => fcmp!(F64X2, FloatCC::GreaterThan),
            O::F64x2Le => fcmp!(F64X2, FloatCC::LessThanOrEqual),
            O::F64x2Ge => fcmp!(F64X2, FloatCC::GreaterThanOrEqual),

            // Bitwise.
            O::V128Not => un!(I8X16, bnot),
            O::V128And => bin!(I8X16, band),
            O::V128AndNot => bin!(I8X16, band_not),
            O::V128Or => bin!(I8X16, bor),
            O::V128Xor => bin!(I8X16, bxor),
            O::V128Bitselect
            | O::I8x16RelaxedLaneselect
            | O::I16x8RelaxedLaneselect
            | O::I32x4RelaxedLaneselect
            | O::I64x2RelaxedLaneselect => {
                // Every mask bit selects, whatever the lane width (the relaxed forms too).
                let c = self.pop_v(I8X16);
                let y = self.pop_v(I8X16);
                let x = self.pop_v(I8X16);
                let v = self.b.ins().bitselect(c, x, y);
                self.push(v);
            }
            O::V128AnyTrue => {
                let x = self.pop_v(I8X16);
                let c = self.b.ins().vany_true(x);
                let v = self.b.ins().uextend(types::I32, c);
                self.push(v);
            }

            // i8x16.
            O::I8x16Abs => un!(I8X16, iabs),
            O::I8x16Neg => un!(I8X16, ineg),
            O::I8x16Popcnt => un!(I8X16, popcnt),
            O::I8x16AllTrue => all_true!(I8X16),
            O::I8x16Bitmask => bitmask!(I8X16),
            O::I8x16NarrowI16x8S => bin!(I16X8, snarrow),
            O::I8x16NarrowI16x8U => bin!(I16X8, unarrow),
            O::I8x16Shl => shift!(I8X16, ishl),
            O::I8x16ShrS => shift!(I8X16, sshr),
            O::I8x16ShrU => shift!(I8X16, ushr),
            O::I8x16Add => bin!(I8X16, iadd),
            O::I8x16AddSatS => bin!(I8X16, sadd_sat),
            O::I8x16AddSatU => bin!(I8X16, uadd_sat),
            O::I8x16Sub => bin!(I8X16, isub),
            O::I8x16SubSatS => bin!(I8X16, ssub_sat),
            O::I8x16SubSatU => bin!(I8X16, usub_sat),
            O::I8x16MinS => bin!(I8X16, smin),
            O::I8x16MinU => bin!(I8X16, umin),
            O::I8x16MaxS => bin!(I8X16, smax),
            O::I8x16MaxU => bin!(I8X16, umax),
            O::I8x16AvgrU => bin!(I8X16, avg_round),

            // i16x8.
            O::I16x8ExtAddPairwiseI8x16S => self.ext_add_pairwise(I8X16, true),
            O::I16x8ExtAddPairwiseI8x16U => self.ext_add_pairwise(I8X16, false),
            O::I16x8Abs => un!(I16X8, iabs),
            O::I16x8Neg => un!(I16X8, ineg),
            O::I16x8Q15MulrSatS | O::I16x8RelaxedQ15mulrS => bin!(I16X8, sqmul_round_sat),
            O::I16x8AllTrue => all_true!(I16X8),
            O::I16x8Bitmask => bitmask!(I16X8),
            O::I16x8NarrowI32x4S => bin!(I32X4, snarrow),
            O::I16x8NarrowI32x4U => bin!(I32X4, unarrow),
            O::I16x8ExtendLowI8x16S => widen!(I8X16, swiden_low),
            O::I16x8ExtendHighI8x16S => widen!(I8X16, swiden_high),
            O::I16x8ExtendLowI8x16U => widen!(I8X16, uwiden_low),
            O::I16x8ExtendHighI8x16U => widen!(I8X16, uwiden_high),
            O::I16x8Shl => shift!(I16X8, ishl),
            O::I16x8ShrS => shift!(I16X8, sshr),
            O::I16x8ShrU => shift!(I16X8, ushr),
            O::I16x8Add => bin!(I16X8, iadd),
            O::I16x8AddSatS => bin!(I16X8, sadd_sat),
            O::I16x8AddSatU => bin!(I16X8, uadd_sat),
            O::I16x8Sub => bin!(I16X8, isub),
            O::I16x8SubSatS => bin!(I16X8, ssub_sat),
            O::I16x8SubSatU => bin!(I16X8, usub_sat),
            O::I16x8Mul => bin!(I16X8, imul),
            O::I16x8MinS => bin!(I16X8, smin),
            O::I16x8MinU => bin!(I16X8, umin),
            O::I16x8MaxS => bin!(I16X8, smax),
            O::I16x8MaxU => bin!(I16X8, umax),
            O::I16x8AvgrU => bin!(I16X8, avg_round),
            O::I16x8ExtMulLowI8x16S => extmul!(I8X16, swiden_low),
            O::I16x8ExtMulHighI8x16S => extmul!(I8X16, swiden_high),
            O::I16x8ExtMulLowI8x16U => extmul!(I8X16, uwiden_low),
            O::I16x8ExtMulHighI8x16U => extmul!(I8X16, uwiden_high),

            // i32x4.
            O::I32x4ExtAddPairwiseI16x8S => self.ext_add_pairwise(I16X8, true),
            O::I32x4ExtAddPairwiseI16x8U => self.ext_add_pairwise(I16X8, false),
            O::I32x4Abs => un!(I32X4, iabs),
            O::I32x4Neg => un!(I32X4, ineg),
            O::I32x4AllTrue => all_true!(I32X4),
            O::I32x4Bitmask => bitmask!(I32X4),
            O::I32x4ExtendLowI16x8S => widen!(I16X8, swiden_low),
            O::I32x4ExtendHighI16x8S => widen!(I16X8, swiden_high),
            O::I32x4ExtendLowI16x8U => widen!(I16X8, uwiden_low),
            O::I32x4ExtendHighI16x8U => widen!(I16X8, uwiden_high),
            O::I32x4Shl => shift!(I32X4, ishl),
            O::I32x4ShrS => shift!(I32X4, sshr),
            O::I32x4ShrU => shift!(I32X4, ushr),
            O::I32x4Add => bin!(I32X4, iadd),
            O::I32x4Sub => bin!(I32X4, isub),
            O::I32x4Mul => bin!(I32X4, imul),
            O::I32x4MinS => bin!(I32X4, smin),
            O::I32x4MinU => bin!(I32X4, umin),
            O::I32x4MaxS => bin!(I32X4, smax),
            O::I32x4MaxU => bin!(I32X4, umax),
            O::I32x4DotI16x8S => {
                let y = self.pop_v(I16X8);
                let x = self.pop_v(I16X8);
                let v = self.dot_i16(x, y);
                self.push_v(v);
            }
            O::I32x4ExtMulLowI16x8S => extmul!(I16X8, swiden_low),
            O::I32x4ExtMulHighI16x8S => extmul!(I16X8, swiden_high),
            O::I32x4ExtMulLowI16x8U => extmul!(I16X8, uwiden_low),
            O::I32x4ExtMulHighI16x8U => extmul!(I16X8, uwiden_high),

            // i64x2.
            O::I64x2Abs => un!(I64X2, iabs),
            O::I64x2Neg => un!(I64X2, ineg),
            O::I64x2AllTrue => all_true!(I64X2),
            O::I64x2Bitmask => bitmask!(I64X2),
            O::I64x2ExtendLowI32x4S => widen!(I32X4, swiden_low),
            O::I64x2ExtendHighI32x4S => widen!(I32X4, swiden_high),
            O::I64x2ExtendLowI32x4U => widen!(I32X4, uwiden_low),
            O::I64x2ExtendHighI32x4U => widen!(I32X4, uwiden_high),
            O::I64x2Shl => shift!(I64X2, ishl),
            O::I64x2ShrS => shift!(I64X2, sshr),
            O::I64x2ShrU => shift!(I64X2, ushr),
            O::I64x2Add => bin!(I64X2, iadd),
            O::I64x2Sub => bin!(I64X2, isub),
            O::I64x2Mul => bin!(I64X2, imul),
            O::I64x2ExtMulLowI32x4S => extmul!(I32X4, swiden_low),
            O::I64x2ExtMulHighI32x4S => extmul!(I32X4, swiden_high),
            O::I64x2ExtMulLowI32x4U => extmul!(I32X4, uwiden_low),
            O::I64x2ExtMulHighI32x4U => extmul!(I32X4, uwiden_high),

            // f32x4 and f64x2.
            O::F32x4Ceil => un!(F32X4, ceil),
            O::F32x4Floor => un!(F32X4, floor),
            O::F32x4Trunc => un!(F32X4, trunc),
            O::F32x4Nearest => un!(F32X4, nearest),
            O::F32x4Abs => un!(F32X4, fabs),
            O::F32x4Neg => un!(F32X4, fneg),
            O::F32x4Sqrt => un!(F32X4, sqrt),
            O::F32x4Add => bin!(F32X4, fadd),
            O::F32x4Sub => bin!(F32X4, fsub),
            O::F32x4Mul => bin!(F32X4, fmul),
            O::F32x4Div => bin!(F32X4, fdiv),
            O::F32x4Min | O::F32x4RelaxedMin => bin!(F32X4, fmin),
            O::F32x4Max | O::F32x4RelaxedMax => bin!(F32X4, fmax),
            O::F32x4PMin => self.pseudo_min_max(F32X4, true),
            O::F32x4PMax => self.pseudo_min_max(F32X4, false),
            O::F64x2Ceil => un!(F64X2, ceil),
            O::F64x2Floor => un!(F64X2, floor),
            O::F64x2Trunc => un!(F64X2, trunc),
            O::F64x2Nearest => un!(F64X2, nearest),
            O::F64x2Abs => un!(F64X2, fabs),
            O::F64x2Neg => un!(F64X2, fneg),
            O::F64x2Sqrt => un!(F64X2, sqrt),
            O::F64x2Add => bin!(F64X2, fadd),
            O::F64x2Sub => bin!(F64X2, fsub),
            O::F64x2Mul => bin!(F64X2, fmul),
            O::F64x2Div => bin!(F64X2, fdiv),
            O::F64x2Min | O::F64x2RelaxedMin => bin!(F64X2, fmin),
            O::F64x2Max | O::F64x2RelaxedMax => bin!(F64X2, fmax),
            O::F64x2PMin => self.pseudo_min_max(F64X2, true),
            O::F64x2PMax => self.pseudo_min_max(F64X2, false),
            O::F32x4RelaxedMadd => self.madd(F32X4, false),
            O::F32x4RelaxedNmadd => self.madd(F32X4, true),
            O::F64x2RelaxedMadd => self.madd(F64X2, false),
            O::F64x2RelaxedNmadd => self.madd(F64X2, true),

            // Conversions.
            O::I32x4TruncSatF32x4S | O::I32x4RelaxedTruncF32x4S => {
                let x = self.pop_v(F32X4);
                let v = self.b.ins().fcvt_to_sint_sat(I32X4, x);
                self.push_v(v);
            }
            O::I32x4TruncSatF32x4U | O::I32x4RelaxedTruncF32x4U => {
                let x = self.pop_v(F32X4);
                let v = self.b.ins().fcvt_to_uint_sat(I32X4, x);
                self.push_v(v);
            }
            O::F32x4ConvertI32x4S => {
                let x = self.pop_v(I32X4);
                let v = self.b.ins().fcvt_from_sint(F32X4, x);
                self.push_v(v);
            }
            O::F32x4ConvertI32x4U => {
                let x = self.pop_v(I32X4);
                let v = self.b.ins().fcvt_from_uint(F32X4, x);
                self.push_v(v);
            }
            O::I32x4TruncSatF64x2SZero | O::I32x4RelaxedTruncF64x2SZero => {
                let x = self.pop_v(F64X2);
                let c = self.b.ins().fcvt_to_sint_sat(I64X2, x);
                // A zero of the wide type itself: Cranelift's x86-64 lowering knows the
                // pattern `narrow(fcvt_to_*_sat(x), vconst 0)` only.
                let z = self.vconst_of(I64X2, &[0; 16]);
                let v = self.b.ins().snarrow(c, z);
                self.push_v(v);
            }
            O::I32x4TruncSatF64x2UZero | O::I32x4RelaxedTruncF64x2UZero => {
                let x = self.pop_v(F64X2);
                let c = self.b.ins().fcvt_to_uint_sat(I64X2, x);
                // A zero of the wide type itself: Cranelift's x86-64 lowering knows the
                // pattern `narrow(fcvt_to_*_sat(x), vconst 0)` only.
                let z = self.vconst_of(I64X2, &[0; 16]);
                let v = self.b.ins().uunarrow(c, z);
                self.push_v(v);
            }
            O::F64x2ConvertLowI32x4S => {
                let x = self.pop_v(I32X4);
                let w = self.b.ins().swiden_low(x);
                let v = self.b.ins().fcvt_from_sint(F64X2, w);
                self.push_v(v);
            }
            O::F64x2ConvertLowI32x4U => {
                let x = self.pop_v(I32X4);
                let w = self.b.ins().uwiden_low(x);
                let v = self.b.ins().fcvt_from_uint(F64X2, w);
                self.push_v(v);
            }
            O::F32x4DemoteF64x2Zero => un!(F64X2, fvdemote),
            O::F64x2PromoteLowF32x4 => un!(F32X4, fvpromote_low),

            // Relaxed dot products, as the deterministic profile defines them.
            O::I16x8RelaxedDotI8x16I7x16S => {
                let y = self.pop_v(I8X16);
                let x = self.pop_v(I8X16);
                let v = self.relaxed_dot_i16(x, y);
                self.push_v(v);
            }
            O::I32x4RelaxedDotI8x16I7x16AddS => {
                let c = self.pop_v(I32X4);
                let y = self.pop_v(I8X16);
                let x = self.pop_v(I8X16);
                let d = self.relaxed_dot_i16(x, y);
                let lo = self.b.ins().swiden_low(d);
                let hi = self.b.ins().swiden_high(d);
                let sums = self.b.ins().iadd_pairwise(lo, hi);
                let v = self.b.ins().iadd(sums, c);
                self.push_v(v);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `v128.loadNxM_s/u`: `load` reads 8 bytes and widens them.
    fn load_extend(
        &mut self,
        memarg: MemArg,
        load: impl FnOnce(cranelift_frontend::FuncInstBuilder<'_, '_>, Value, MemFlagsData) -> Value,
    ) -> Result<(), CompileError> {
        let (p, f) = self.address(memarg, 8)?;
        let v = load(self.b.ins(), p, f);
        self.push_v(v);
        Ok(())
    }

    fn load_splat(&mut self, memarg: MemArg, t: Type, vt: Type) -> Result<(), CompileError> {
        let (p, f) = self.address(memarg, t.bytes() as u64)?;
        let x = self.b.ins().load(t, f, p, 0);
        let v = self.b.ins().splat(vt, x);
        self.push_v(v);
        Ok(())
    }

    fn load_zero(&mut self, memarg: MemArg, t: Type, vt: Type) -> Result<(), CompileError> {
        let (p, f) = self.address(memarg, t.bytes() as u64)?;
        let x = self.b.ins().load(t, f, p, 0);
        let v = self.b.ins().scalar_to_vector(vt, x);
        self.push_v(v);
        Ok(())
    }

    fn load_lane(
        &mut self,
        memarg: MemArg,
        lane: u8,
        t: Type,
        vt: Type,
    ) -> Result<(), CompileError> {
        let v = self.pop_v(vt);
        let (p, f) = self.address(memarg, t.bytes() as u64)?;
        let x = self.b.ins().load(t, f, p, 0);
        let r = self.b.ins().insertlane(v, x, lane);
        self.push_v(r);
        Ok(())
    }

    fn store_lane(&mut self, memarg: MemArg, lane: u8, vt: Type) -> Result<(), CompileError> {
        let v = self.pop_v(vt);
        let (p, f) = self.address(memarg, vt.lane_type().bytes() as u64)?;
        let x = self.b.ins().extractlane(v, lane);
        self.b.ins().store(f, x, p, 0);
        Ok(())
    }

    /// `*.splat`: the scalar (narrowed to `narrow` for 8- and 16-bit lanes) in every lane.
    fn splat(&mut self, vt: Type, narrow: Option<Type>) {
        let x = self.pop();
        let x = match narrow {
            Some(t) => self.b.ins().ireduce(t, x),
            None => x,
        };
        let v = self.b.ins().splat(vt, x);
        self.push_v(v);
    }

    /// `*.extract_lane`: `signed` for 8- and 16-bit lanes (extended to i32).
    fn extract(&mut self, vt: Type, lane: u8, signed: Option<bool>) {
        let v = self.pop_v(vt);
        let x = self.b.ins().extractlane(v, lane);
        let x = match signed {
            Some(true) => self.b.ins().sextend(types::I32, x),
            Some(false) => self.b.ins().uextend(types::I32, x),
            None => x,
        };
        self.push(x);
    }

    fn replace(&mut self, vt: Type, lane: u8, narrow: Option<Type>) {
        let x = self.pop();
        let v = self.pop_v(vt);
        let x = match narrow {
            Some(t) => self.b.ins().ireduce(t, x),
            None => x,
        };
        let r = self.b.ins().insertlane(v, x, lane);
        self.push_v(r);
    }

    /// `extadd_pairwise`: the lanes of `from` widened, adjacent pairs summed.
    fn ext_add_pairwise(&mut self, from: Type, signed: bool) {
        let x = self.pop_v(from);
        let (lo, hi) = if signed {
            (self.b.ins().swiden_low(x), self.b.ins().swiden_high(x))
        } else {
            (self.b.ins().uwiden_low(x), self.b.ins().uwiden_high(x))
        };
        let v = self.b.ins().iadd_pairwise(lo, hi);
        self.push_v(v);
    }

    /// `i32x4.dot_i16x8_s`: products of signed 16-bit lanes, adjacent pairs summed
    /// (wrapping: only `-32768 * -32768` twice overflows).
    fn dot_i16(&mut self, x: Value, y: Value) -> Value {
        let (xl, yl) = (self.b.ins().swiden_low(x), self.b.ins().swiden_low(y));
        let (xh, yh) = (self.b.ins().swiden_high(x), self.b.ins().swiden_high(y));
        let lo = self.b.ins().imul(xl, yl);
        let hi = self.b.ins().imul(xh, yh);
        self.b.ins().iadd_pairwise(lo, hi)
    }

    /// `i16x8.relaxed_dot_i8x16_i7x16_s` as the interpreter computes it: signed bytes
    /// multiplied (each product fits 16 bits), adjacent pairs summed with signed saturation.
    fn relaxed_dot_i16(&mut self, x: Value, y: Value) -> Value {
        let (xl, yl) = (self.b.ins().swiden_low(x), self.b.ins().swiden_low(y));
        let (xh, yh) = (self.b.ins().swiden_high(x), self.b.ins().swiden_high(y));
        let plo = self.b.ins().imul(xl, yl);
        let phi = self.b.ins().imul(xh, yh);
        let sums: Vec<Value> = [plo, phi]
            .into_iter()
            .map(|p| {
                let lo = self.b.ins().swiden_low(p);
                let hi = self.b.ins().swiden_high(p);
                self.b.ins().iadd_pairwise(lo, hi)
            })
            .collect();
        self.b.ins().snarrow(sums[0], sums[1])
    }

    /// `pmin`/`pmax`: `b < a ? b : a` and `a < b ? b : a`, lane by lane (no NaN rules).
    fn pseudo_min_max(&mut self, vt: Type, min: bool) {
        let b = self.pop_v(vt);
        let a = self.pop_v(vt);
        let c = if min {
            self.b.ins().fcmp(FloatCC::LessThan, b, a)
        } else {
            self.b.ins().fcmp(FloatCC::LessThan, a, b)
        };
        let c = self.cast(c, vt);
        let v = self.b.ins().bitselect(c, b, a);
        self.push_v(v);
    }

    /// `relaxed_madd` (`a * b + c`) and `relaxed_nmadd` (`-a * b + c`), unfused: two
    /// roundings, as in the interpreter.
    fn madd(&mut self, vt: Type, negate: bool) {
        let c = self.pop_v(vt);
        let b = self.pop_v(vt);
        let a = self.pop_v(vt);
        let a = if negate { self.b.ins().fneg(a) } else { a };
        let p = self.b.ins().fmul(a, b);
        let v = self.b.ins().fadd(p, c);
        self.push_v(v);
    }
}

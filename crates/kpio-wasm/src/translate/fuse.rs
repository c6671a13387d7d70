//! Immediate operands and fused instructions: fewer handlers and fewer frame round trips
//! on the hot paths.
//!
//! An integer operator with a constant operand takes the constant into the instruction
//! (`I32AddImm` and the like) instead of reading it from its constant slot. A load or
//! store whose address was just computed by an `i32.add` of a constant (into a temp that
//! nothing else reads) absorbs the add: `I32LoadAddImm` computes the address itself, so
//! the sum never goes through the frame. The static offset must be 0 there, because the
//! add wraps at 2^32 and the offset does not.
//!
//! Both rewrites only look at the operands and at the last instruction emitted, through
//! the same `producer_of` rule as the other peepholes (see `emit`), so no label can
//! intervene.

use super::Translator;
use super::stack::Opd;
use crate::ir::{Instr, Slot};

/// How a binary operator's constant operand becomes an immediate.
#[derive(Clone, Copy)]
pub(super) enum ImmRule {
    /// An i32 operator whose operands commute (`add`, `mul`, `and`, `or`, `xor`).
    I32Commutes,
    /// An i64 operator whose operands commute, for a constant that fits an `i32`.
    I64Commutes,
    /// `i32.sub`: the negated right operand, as an `add`.
    I32Sub,
    /// `i64.sub`: the negated right operand, as an `add`, if it fits an `i32`.
    I64Sub,
    /// An i32 shift or `rotl`: the right operand modulo 32.
    I32Shift,
    /// `i32.rotr`: the right operand as a left rotation count.
    I32Rotr,
    /// An i64 shift or `rotl`: the right operand modulo 64.
    I64Shift,
    /// `i64.rotr`: the right operand as a left rotation count.
    I64Rotr,
}

impl ImmRule {
    fn commutes(self) -> bool {
        matches!(self, ImmRule::I32Commutes | ImmRule::I64Commutes)
    }

    /// The immediate for constant `c`, if it has one.
    fn imm(self, c: u64) -> Option<i32> {
        let fits = |v: i64| i32::try_from(v).ok();
        match self {
            ImmRule::I32Commutes => Some(c as u32 as i32),
            ImmRule::I64Commutes => fits(c as i64),
            ImmRule::I32Sub => Some((c as u32).wrapping_neg() as i32),
            ImmRule::I64Sub => fits((c as i64).wrapping_neg()),
            ImmRule::I32Shift => Some((c & 31) as i32),
            ImmRule::I32Rotr => Some((32 - (c & 31) as i32) & 31),
            ImmRule::I64Shift => Some((c & 63) as i32),
            ImmRule::I64Rotr => Some((64 - (c & 63) as i32) & 63),
        }
    }
}

/// The load kinds that can absorb an `i32.add` of a constant, by the instruction they
/// would otherwise be.
fn load_add_imm(load: Instr, d: Slot, a: Slot, imm: i32) -> Option<Instr> {
    Some(match load {
        Instr::I32Load { .. } | Instr::F32Load { .. } | Instr::I64Load32U { .. } => {
            Instr::I32LoadAddImm { d, a, imm }
        }
        Instr::I64Load { .. } | Instr::F64Load { .. } => Instr::I64LoadAddImm { d, a, imm },
        Instr::I32Load8S { .. } => Instr::I32Load8SAddImm { d, a, imm },
        Instr::I32Load8U { .. } | Instr::I64Load8U { .. } => Instr::I32Load8UAddImm { d, a, imm },
        Instr::I32Load16S { .. } => Instr::I32Load16SAddImm { d, a, imm },
        Instr::I32Load16U { .. } | Instr::I64Load16U { .. } => {
            Instr::I32Load16UAddImm { d, a, imm }
        }
        Instr::I64Load8S { .. } => Instr::I64Load8SAddImm { d, a, imm },
        Instr::I64Load16S { .. } => Instr::I64Load16SAddImm { d, a, imm },
        Instr::I64Load32S { .. } => Instr::I64Load32SAddImm { d, a, imm },
        _ => return None,
    })
}

/// The same for stores (which store the low bytes of the value, whatever its type).
fn store_add_imm(store: Instr, a: Slot, v: Slot, imm: i32) -> Option<Instr> {
    Some(match store {
        Instr::I32Store { .. } | Instr::I64Store32 { .. } => Instr::I32StoreAddImm { a, v, imm },
        Instr::I64Store { .. } => Instr::I64StoreAddImm { a, v, imm },
        Instr::I32Store8 { .. } | Instr::I64Store8 { .. } => Instr::I32Store8AddImm { a, v, imm },
        Instr::I32Store16 { .. } | Instr::I64Store16 { .. } => {
            Instr::I32Store16AddImm { a, v, imm }
        }
        _ => return None,
    })
}

impl Translator<'_> {
    /// The value of a constant operand.
    fn const_value(&self, o: Opd) -> Option<u64> {
        match o {
            Opd::Const(s) => self
                .const_values
                .get((s - self.const_base) as usize)
                .copied(),
            _ => None,
        }
    }

    /// Pops a binary operator's two operands. `Ok((a, imm))` if one is a constant that
    /// `rule` turns into an immediate (with `a` the other operand), else `Err((a, b))`.
    pub(super) fn pop_binary_imm(&mut self, rule: ImmRule) -> Result<(Slot, i32), (Slot, Slot)> {
        let (bo, b) = self.pop_opd();
        let (ao, a) = self.pop_opd();
        if let Some(imm) = self.const_value(bo).and_then(|c| rule.imm(c)) {
            return Ok((a, imm));
        }
        if rule.commutes()
            && let Some(imm) = self.const_value(ao).and_then(|c| rule.imm(c))
        {
            return Ok((b, imm));
        }
        Err((a, b))
    }

    /// `i32.add`: `I32AddImm` with a constant operand; `I32AddShl` when the other operand
    /// is a temp that an `I32ShlImm` just computed; else `I32Add`.
    pub(super) fn i32_add(&mut self) {
        let h = self.stack.len() - 1;
        let shl =
            |t: &Self, h: usize| match (t.stack[h], t.producer_of(h).map(|pc| (pc, t.code[pc]))) {
                (Opd::Temp, Some((pc, Instr::I32ShlImm { a, imm, .. }))) => {
                    Some((pc, a, imm as u8))
                }
                _ => None,
            };
        // Only the last instruction can be fused, so at most one of these is `Some`.
        let (shl_b, shl_a) = (shl(self, h), shl(self, h - 1));
        let ops = self.pop_binary_imm(ImmRule::I32Commutes);
        let d = self.push_temp();
        let (a, b) = match ops {
            Ok((a, imm)) => return self.emit_result(Instr::I32AddImm { d, a, imm }),
            Err(ab) => ab,
        };
        let fused = match (shl_b, shl_a) {
            (Some((pc, i, k)), _) => Some((pc, Instr::I32AddShl { k, d, a, b: i })),
            (None, Some((pc, i, k))) => Some((pc, Instr::I32AddShl { k, d, a: b, b: i })),
            (None, None) => None,
        };
        match fused {
            Some((pc, i)) => {
                self.replace_last(pc, i);
                self.last_result = Some((pc, self.stack.len() - 1, pc + 1));
            }
            None => self.emit_result(Instr::I32Add { d, a, b }),
        }
    }

    /// If the top entry (a memory address) is a temp that an `I32AddImm` just computed,
    /// returns that instruction's index, with the add's operand and constant.
    fn address_add(&self) -> Option<(usize, Slot, i32)> {
        let h = self.stack.len() - 1;
        let pc = self.producer_of(h)?;
        match (self.stack[h], self.code[pc]) {
            (Opd::Temp, Instr::I32AddImm { a, imm, .. }) => Some((pc, a, imm)),
            _ => None,
        }
    }

    /// Replaces instruction `pc` (the last one) with `i`, which now stands for the operator
    /// being translated too: it takes that operator's offset and fuel.
    fn replace_last(&mut self, pc: usize, i: Instr) {
        self.code[pc] = i;
        self.offsets[pc] = self.offset;
        if let Some(fuel) = self.fuel_pc
            && let Instr::ConsumeFuel { amount } = &mut self.code[fuel]
        {
            *amount = amount.saturating_add(1);
        }
    }

    /// A load from the top entry with static offset `off`: emits `load` (built from its
    /// destination and address), or, for memory 0 (`mem0`), the fused form that absorbs
    /// the address's `i32.add` of a constant.
    pub(super) fn load(&mut self, mem0: bool, off: u64, load: impl Fn(Slot, Slot) -> Instr) {
        let fused = if mem0 && off == 0 {
            self.address_add()
        } else {
            None
        };
        let a = self.pop();
        let d = self.push_temp();
        let plain = load(d, a);
        if let Some((pc, base, imm)) = fused
            && let Some(i) = load_add_imm(plain, d, base, imm)
        {
            self.replace_last(pc, i);
            self.last_result = Some((pc, self.stack.len() - 1, pc + 1));
            return;
        }
        self.emit_result(plain);
    }

    /// A store of the top entry at the address below it, with static offset `off`: emits
    /// `store` (built from its address and value), or, for memory 0, the fused form.
    pub(super) fn store(&mut self, mem0: bool, off: u64, store: impl Fn(Slot, Slot) -> Instr) {
        let v = self.pop();
        // The value emitted nothing after the address's add (else that add is not last).
        let fused = if mem0 && off == 0 {
            self.address_add()
        } else {
            None
        };
        let a = self.pop();
        let plain = store(a, v);
        if let Some((pc, base, imm)) = fused
            && let Some(i) = store_add_imm(plain, base, v, imm)
        {
            self.replace_last(pc, i);
            self.last_result = None;
            return;
        }
        self.emit(plain);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Context, translate};
    use crate::code::Flavour;
    use crate::ir::Instr;
    use crate::{Engine, Module};
    use alloc::vec::Vec;

    /// The code of function 0 of `wat`, without fuel or interrupt checks.
    fn code(wat: &str) -> Vec<Instr> {
        let module = Module::new(&Engine::default(), &wat::parse_str(wat).unwrap()).unwrap();
        let cx = Context {
            module: &module.inner,
            flavour: Flavour {
                fuel: false,
                interruptible: false,
                osr: false,
                guarded: false,
            },
        };
        translate(&cx, 0).unwrap().code.into_vec()
    }

    #[test]
    fn constant_operands_become_immediates() {
        let c = code(
            "(module (func (param i32 i64) (result i32 i64 i32)
               (i32.sub (local.get 0) (i32.const 5))
               (i64.rotr (local.get 1) (i64.const 8))
               (i32.shl (i32.const 3) (local.get 0))))",
        );
        assert!(
            c.contains(&Instr::I32AddImm {
                d: 5,
                a: 0,
                imm: -5
            }),
            "{c:?}"
        );
        assert!(
            c.contains(&Instr::I64RotlImm {
                d: 6,
                a: 1,
                imm: 56
            }),
            "{c:?}"
        );
        // A constant shifted by a variable count keeps the plain form.
        assert!(c.iter().any(|i| matches!(i, Instr::I32Shl { .. })), "{c:?}");
    }

    #[test]
    fn a_shift_by_a_constant_folds_into_the_add_after_it() {
        let c = code(
            "(module (func (param i32 i32) (result i32 i32)
               (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))
               (i32.add (i32.shl (local.get 1) (i32.const 35)) (local.get 0))))",
        );
        let fused: Vec<_> = c
            .iter()
            .filter_map(|i| match *i {
                Instr::I32AddShl { k, a, b, .. } => Some((k, a, b)),
                _ => None,
            })
            .collect();
        assert_eq!(fused, [(2, 0, 1), (3, 0, 1)], "{c:?}");
        assert!(
            !c.iter().any(|i| matches!(i, Instr::I32ShlImm { .. })),
            "{c:?}"
        );
    }

    #[test]
    fn an_i64_constant_beyond_i32_stays_in_its_slot() {
        let c = code(
            "(module (func (param i64) (result i64)
               (i64.add (local.get 0) (i64.const 0x100000000))))",
        );
        assert!(c.iter().any(|i| matches!(i, Instr::I64Add { .. })), "{c:?}");
    }

    #[test]
    fn an_add_of_a_constant_folds_into_a_load_or_store_with_offset_0() {
        let c = code(
            "(module (memory 1) (func (param i32) (result f64)
               (i32.store8 (i32.add (local.get 0) (i32.const 7)) (local.get 0))
               (f64.load (i32.add (local.get 0) (i32.const 16)))))",
        );
        assert!(
            c.contains(&Instr::I32Store8AddImm { a: 0, v: 0, imm: 7 }),
            "{c:?}"
        );
        assert!(
            c.iter()
                .any(|i| matches!(i, Instr::I64LoadAddImm { a: 0, imm: 16, .. })),
            "{c:?}"
        );
        assert!(
            !c.iter().any(|i| matches!(i, Instr::I32AddImm { .. })),
            "{c:?}"
        );
    }

    #[test]
    fn a_static_offset_or_a_reused_sum_keeps_the_add() {
        // With an offset the add would wrap where the offset does not; a sum also kept in
        // a local is read again.
        let c = code(
            "(module (memory 1) (func (param i32) (result i32 i32)
               (i32.load offset=4 (i32.add (local.get 0) (i32.const 8)))
               (i32.load (local.tee 0 (i32.add (local.get 0) (i32.const 8))))))",
        );
        let adds = c
            .iter()
            .filter(|i| matches!(i, Instr::I32AddImm { .. }))
            .count();
        assert_eq!(adds, 2, "{c:?}");
        assert!(
            !c.iter().any(|i| matches!(i, Instr::I32LoadAddImm { .. })),
            "{c:?}"
        );
    }
}

//! The accumulator: a value that goes from one instruction to the next in a register.
//!
//! Every result goes to a frame slot, and the next instruction that needs it loads it from
//! there. In a chain of dependent operations (`x * y + z`, an index turned into an address
//! and loaded) each step then waits for a store to reach the load that reads it back, a few
//! cycles that dominate short handlers. So the threaded backend also passes the result of
//! every simple instruction to the next handler in a register (the accumulator), and an
//! *accumulator form* of an instruction (`I32AddAccA`: `i32.add` whose `a` is the previous
//! result) reads that operand from the register instead of its slot.
//!
//! The result is still written to its slot, so the slot and the register agree: the portable
//! loop (and a threaded handler that hands an instruction back to it) reads the slot, and
//! nothing else about the code changes. Which instructions have accumulator forms, and for
//! which operands, is declared once, in the rows of `exec::ops::simple_ops`.
//!
//! A simple instruction that computes no result (a store, a conditional branch) passes the
//! register on as it got it, so a value stays there across it.
//!
//! This pass runs on a function's finished code, after every other rewrite. It follows the
//! register through each straight-line stretch: which slot's value it holds after each
//! simple instruction, nothing after anything else (calls, returns and whatever the portable
//! loop executes pass nothing on) and nothing where control may arrive from elsewhere (branch
//! targets and landing pads). An instruction that reads the slot the register holds becomes
//! its accumulator form.

use crate::code::Handler;
use crate::exec::ops::simple_ops;
use crate::ir::{Instr, Slot};
use alloc::vec;
use alloc::vec::Vec;

/// For one `simple_ops` row: in `accumulator_form`, the rewrite into this accumulator form.
macro_rules! form_case {
    ($i:ident, $s:ident, $name:ident $fields:tt) => {};
    ($i:ident, $s:ident, $name:ident $fields:tt [$operand:ident of $base:ident]) => {
        if let Instr::$base $fields = $i
            && $operand == $s
        {
            return Some(Instr::$name $fields);
        }
    };
}

/// For one `simple_ops` row: in `accumulator_operand`, the operand this form reads.
macro_rules! operand_case {
    ($i:ident, $name:ident $fields:tt) => {};
    ($i:ident, $name:ident $fields:tt [$operand:ident of $base:ident]) => {
        if let Instr::$name $fields = $i {
            return Some($operand);
        }
    };
}

macro_rules! gen_accumulator {
    ({} $($name:ident $fields:tt $([$($acc:tt)*])? => $body:block)*) => {
        /// Whether the threaded backend runs `i` in a handler of its own (a row of
        /// `simple_ops`), which passes its result on in the accumulator.
        pub(crate) fn is_simple(i: &Instr) -> bool {
            matches!(i, $(Instr::$name { .. })|*)
        }

        /// The accumulator form of `i` that takes operand slot `s` from the accumulator, if
        /// `i` reads `s` and has one.
        #[allow(unused_variables)]
        fn accumulator_form(i: Instr, s: Slot) -> Option<Instr> {
            $( form_case!(i, s, $name $fields $([$($acc)*])?); )*
            None
        }

        /// For an accumulator form, the operand slot it reads from the accumulator.
        #[allow(unused_variables)]
        #[cfg_attr(not(any(debug_assertions, test)), allow(dead_code))]
        pub(crate) fn accumulator_operand(i: Instr) -> Option<Slot> {
            $( operand_case!(i, $name $fields $([$($acc)*])?); )*
            None
        }
    };
}

simple_ops!(gen_accumulator {});

/// What the register holds after `i` runs, given that it held the value of slot `held`
/// before (`None`: nothing known): the value of `i`'s destination if it computes one; what
/// it held before if `i` is a simple instruction that writes no slot and falls through (a
/// store, a conditional branch not taken); else nothing.
fn held_after(i: Instr, held: Option<Slot>) -> Option<Slot> {
    let mut i = i;
    if !is_simple(&i) || matches!(i, Instr::Br { .. } | Instr::BrTable { .. }) {
        return None;
    }
    match i.retargetable_dst() {
        Some(d) => Some(*d),
        None => held,
    }
}

/// For each instruction start, the slot whose value the register holds when the
/// instruction runs, if it is known (`None` at branch targets, landing pads, `Aux` words
/// and after anything but a simple instruction).
pub(crate) fn held_slots(code: &[Instr], handlers: &[Handler]) -> Vec<Option<Slot>> {
    let mut entered = vec![false; code.len()];
    for (pc, i) in code.iter().enumerate() {
        if let Some(off) = i.branch_offset()
            && let Some(e) = entered.get_mut((pc as i64 + off as i64) as usize)
        {
            *e = true;
        }
    }
    for h in handlers {
        if let Some(e) = entered.get_mut(h.pad as usize) {
            *e = true;
        }
    }
    let mut held_at = vec![None; code.len()];
    let mut held = None;
    let mut pc = 0;
    while pc < code.len() {
        if entered[pc] {
            held = None;
        }
        held_at[pc] = held;
        held = held_after(code[pc], held);
        pc += 1 + code[pc].aux_words();
    }
    held_at
}

/// Turns each instruction that reads the value the register holds into its accumulator
/// form, where it has one.
pub(super) fn place(code: &mut [Instr], handlers: &[Handler]) {
    for (pc, held) in held_slots(code, handlers).into_iter().enumerate() {
        if let Some(s) = held
            && let Some(form) = accumulator_form(code[pc], s)
        {
            code[pc] = form;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::{CompiledFunc, Flavour};
    use crate::translate::{Context, translate};
    use crate::{Engine, Module};

    /// Function 0 of a WAT module, translated (without fuel or interrupt checks).
    fn code_of(wat: &str) -> CompiledFunc {
        let m = Module::new(&Engine::default(), &wat::parse_str(wat).unwrap()).unwrap();
        let cx = Context {
            module: &m.inner,
            flavour: Flavour {
                fuel: false,
                interruptible: false,
                osr: false,
                guarded: false,
            },
        };
        translate(&cx, 0).unwrap()
    }

    #[test]
    fn a_chain_of_operators_reads_each_result_from_the_accumulator() {
        // x*y + z, then sqrt of that: each step reads the one before from the register.
        let c = code_of(
            r#"(module (func (param f64 f64 f64) (result f64)
                 (f64.sqrt (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))))"#,
        );
        let code: Vec<Instr> = c.code.to_vec();
        let mul = code
            .iter()
            .position(|i| matches!(i, Instr::F64Mul { .. }))
            .expect("the multiply stays as it is (nothing before it)");
        let Instr::F64Mul { d: product, .. } = code[mul] else {
            unreachable!()
        };
        assert!(
            matches!(code[mul + 1], Instr::F64AddAccA { a, .. } if a == product),
            "{code:?}"
        );
        assert!(
            matches!(code[mul + 2], Instr::F64SqrtAccS { .. }),
            "{code:?}"
        );
    }

    #[test]
    fn the_right_hand_operand_and_loads_use_it_too() {
        // An address computed and loaded, and a value that is the second operand.
        let c = code_of(
            r#"(module (memory 1) (func (param i32 i32) (result i32)
                 (i32.sub (local.get 1) (i32.load (i32.shl (local.get 0) (i32.const 2))))))"#,
        );
        let code: Vec<Instr> = c.code.to_vec();
        assert!(
            code.iter().any(|i| matches!(i, Instr::I32LoadAccA { .. })),
            "{code:?}"
        );
        assert!(
            code.iter().any(|i| matches!(i, Instr::I32SubAccB { .. })),
            "{code:?}"
        );
    }

    #[test]
    fn a_branch_target_never_reads_the_accumulator() {
        // The `i32.add` after the loop header is reached from the back-edge too, where the
        // register holds something else: it must read its slot.
        let c = code_of(
            r#"(module (func (param i32) (result i32) (local i32)
                 (local.set 1 (i32.mul (local.get 0) (i32.const 3)))
                 (loop $l
                   (local.set 1 (i32.add (local.get 1) (local.get 0)))
                   (br_if $l (i32.lt_u (local.get 1) (i32.const 100))))
                 (local.get 1)))"#,
        );
        let code: Vec<Instr> = c.code.to_vec();
        let (back_edge, off) = code
            .iter()
            .enumerate()
            .find_map(|(pc, i)| i.branch_offset().filter(|&o| o < 0).map(|o| (pc, o)))
            .expect("a back-edge");
        let header = (back_edge as i64 + off as i64) as usize;
        assert!(
            held_after(code[header - 1], None).is_some(),
            "the instruction before the header computes a result: {code:?}"
        );
        assert_eq!(held_slots(&code, &c.handlers)[header], None);
        assert!(
            accumulator_operand(code[header]).is_none(),
            "the loop header reads the accumulator: {code:?}"
        );
    }

    #[test]
    fn a_value_stays_in_the_register_across_a_store() {
        // The loaded value is stored, then compared: the compare still finds it in the
        // register, since the store passes the register on.
        let c = code_of(
            r#"(module (memory 1) (func (param i32 i32) (result i32) (local i32)
                 (local.set 2 (i32.load (local.get 0)))
                 (i32.store (local.get 1) (local.get 2))
                 (i32.lt_u (local.get 2) (local.get 1))))"#,
        );
        let code: Vec<Instr> = c.code.to_vec();
        let store = code
            .iter()
            .position(|i| matches!(i, Instr::I32StoreAccV { .. }))
            .expect("the store reads the loaded value from the register");
        assert!(
            matches!(code[store + 1], Instr::I32LtUAccA { .. }),
            "{code:?}"
        );
    }

    #[test]
    fn every_accumulator_form_names_an_operand_of_its_base() {
        // Forms built from base instructions whose every slot operand is `7` read slot 7.
        let forms = [
            Instr::I32Add { d: 1, a: 7, b: 2 },
            Instr::I64Sub { d: 1, a: 2, b: 7 },
            Instr::BrI32LtU { a: 7, b: 2, off: 3 },
            Instr::I32Store { a: 2, v: 7, off: 0 },
        ];
        for base in forms {
            let form = accumulator_form(base, 7).expect("a form");
            assert_ne!(form, base);
            assert_eq!(accumulator_operand(form), Some(7), "{form:?}");
            assert_eq!(accumulator_form(base, 9), None, "{base:?} does not read 9");
        }
    }
}

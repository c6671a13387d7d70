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
//! This pass runs on a function's finished code, after every other rewrite: it turns an
//! instruction into its accumulator form when the instruction just before it is a simple
//! instruction that computed the operand, and control cannot reach the instruction any other
//! way (it is no branch target and no landing pad). Calls, returns and anything the portable
//! loop executes leave nothing in the register, and they are not simple instructions.

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

/// The slot whose value `i` leaves in the accumulator, if it leaves one.
pub(crate) fn result_in_accumulator(i: Instr) -> Option<Slot> {
    let mut i = i;
    if is_simple(&i) {
        i.retargetable_dst().map(|d| *d)
    } else {
        None
    }
}

/// Which instructions control can reach other than from the instruction before: branch
/// targets and landing pads.
pub(crate) fn entered_elsewhere(code: &[Instr], handlers: &[Handler]) -> Vec<bool> {
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
    entered
}

/// Turns each instruction that reads the result of the one before into its accumulator
/// form, where it has one and nothing else enters it.
pub(super) fn place(code: &mut [Instr], handlers: &[Handler]) {
    let entered = entered_elsewhere(code, handlers);
    for pc in 1..code.len() {
        if entered[pc] {
            continue;
        }
        if let Some(s) = result_in_accumulator(code[pc - 1])
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
        let entered = entered_elsewhere(&code, &c.handlers);
        let header = entered.iter().position(|&e| e).expect("a loop header");
        assert!(
            result_in_accumulator(code[header - 1]).is_some(),
            "{code:?}"
        );
        assert!(
            accumulator_operand(code[header]).is_none(),
            "the loop header reads the accumulator: {code:?}"
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

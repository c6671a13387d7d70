//! Typed function references: `call_ref`, `return_call_ref` and `ref.as_non_null`
//! (`br_on_null` and `br_on_non_null` are branches: see `control`).
//!
//! A function reference is a slot holding a store function index + 1 (0 is null).
//! Validation typed the reference with the call's function type, and every reference that
//! enters a typed slot from outside is checked at the boundary (arguments, globals, tables,
//! host results, imports), so the call needs no signature check: only the null check.

use super::Translator;
use crate::ir::Instr;

impl Translator<'_> {
    /// `call_ref $t`: the reference on top, the arguments below it; like `call_indirect`
    /// the arguments go to their canonical slots, where the callee's frame starts.
    pub(super) fn call_ref(&mut self, type_index: u32) {
        let m = self.cx.module;
        let ty = &m.types[type_index as usize];
        // The reference is read by the call before the callee's frame is set up, so
        // reading it from wherever it is (a local, a constant, a temp above the arguments)
        // is safe.
        let r = self.pop();
        let nparams = ty.params().len();
        self.materialize_top(nparams);
        let h = self.stack.len() - nparams;
        let base = self.temp(h);
        self.truncate(h);
        self.emit(Instr::CallRef {
            ty: type_index,
            r,
            base,
        });
        for t in ty.results() {
            self.push_temp_as(*t == crate::ValType::V128);
        }
    }

    /// `return_call_ref $t`: as `call_ref`, but the callee replaces this frame (see
    /// `return_call`).
    pub(super) fn return_call_ref(&mut self, type_index: u32) {
        let m = self.cx.module;
        let ty = &m.types[type_index as usize];
        let r = self.pop();
        let nparams = ty.params().len();
        let arg_slots: u32 = ty.params().iter().map(|t| t.slots() as u32).sum();
        self.materialize_top(nparams);
        let h = self.stack.len() - nparams;
        let base = self.temp(h);
        self.truncate(h);
        self.emit(Instr::ReturnCallRef {
            ty: type_index,
            r,
            base,
        });
        self.emit(Instr::Aux {
            a: arg_slots,
            b: 0,
            c: 0,
        });
        self.reachable = false;
    }

    /// `ref.as_non_null`: a check only; the reference stays where it is.
    pub(super) fn ref_as_non_null(&mut self) {
        let (opd, s) = self.pop_opd();
        self.emit(Instr::RefAsNonNull { s });
        self.push(opd);
    }
}

#[cfg(test)]
mod tests {
    use crate::code::Flavour;
    use crate::ir::Instr;
    use crate::{Engine, Module};

    /// The code of function `index` of the module in `wat`.
    fn code_of(wat: &str, index: u32) -> alloc::vec::Vec<Instr> {
        let wasm = wat::parse_str(wat).unwrap();
        let module = Module::new(&Engine::default(), &wasm).unwrap();
        let cx = super::super::Context {
            module: &module.inner,
            flavour: Flavour {
                fuel: false,
                interruptible: false,
                osr: false,
                guarded: false,
            },
        };
        super::super::translate(&cx, index).unwrap().code.to_vec()
    }

    #[test]
    fn call_ref_reads_the_reference_in_place_and_passes_arguments_at_base() {
        let code = code_of(
            r#"(module
                 (type $t (func (param i32) (result i32)))
                 (func (param $f (ref $t)) (param $x i32) (result i32)
                   (call_ref $t (local.get $x) (local.get $f))))"#,
            0,
        );
        // The argument is copied to its canonical temp; the reference is read from local 0.
        assert!(
            code.iter()
                .any(|i| matches!(i, Instr::CallRef { ty: 0, r: 0, base } if *base >= 2)),
            "{code:?}"
        );
    }

    #[test]
    fn return_call_ref_carries_its_argument_slot_count() {
        let code = code_of(
            r#"(module
                 (type $t (func (param i64 v128)))
                 (func (param $f (ref null $t))
                   (return_call_ref $t (i64.const 1) (v128.const i64x2 0 0) (local.get $f))))"#,
            0,
        );
        let pc = code
            .iter()
            .position(|i| matches!(i, Instr::ReturnCallRef { r: 0, .. }))
            .expect("a ReturnCallRef");
        assert!(matches!(code[pc + 1], Instr::Aux { a: 3, .. }), "{code:?}");
    }

    #[test]
    fn ref_as_non_null_checks_without_copying() {
        let code = code_of(
            r#"(module
                 (func (param $f funcref) (result (ref func))
                   (ref.as_non_null (local.get $f))))"#,
            0,
        );
        assert_eq!(code[0], Instr::RefAsNonNull { s: 0 });
        assert_eq!(code[1], Instr::Return1 { s: 0 });
    }
}

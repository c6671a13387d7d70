//! Exception handling: `try_table`, `throw` and `throw_ref`.
//!
//! A `try_table` is a block whose catch clauses become rows of the function's handler
//! table (`code::Handler`): the instruction range of the block's body, the tag, and a
//! *landing pad*. The pads are emitted just before the body, behind a jump over them, in
//! the context that encloses the `try_table` (which is where the spec resolves the clauses'
//! labels): each pad takes the stack as it is below the block's parameters, pushes the
//! caught payload (and, for `catch_ref`/`catch_all_ref`, the exception reference) as temps
//! at their canonical slots, and branches to the clause's label like a `br`, with its
//! copies, returns and fix-ups. So the unwinder only writes the payload to the pad's first
//! temp slot and jumps to the pad; everything after is ordinary code.
//!
//! `throw` passes its payload like call arguments (in temps from a base slot on);
//! `throw_ref` names the slot of its reference. Both end the reachable code.

use super::Translator;
use crate::code::{CATCH_ALL, Handler, catch_clause};
use crate::ir::Instr;
use alloc::vec::Vec;
use wasmparser::TryTable;

/// A `try_table` whose `end` has not been reached yet.
pub(super) struct OpenTry {
    /// Its control frame's index in `ctrl`.
    depth: usize,
    /// The first instruction of its body.
    start: usize,
    /// Its catch clauses, in order, without their body range yet.
    clauses: Vec<Handler>,
}

impl Translator<'_> {
    pub(super) fn try_table(&mut self, tt: TryTable) {
        let (nparams, _) = self.block_arity(tt.ty);
        self.materialize_all_locals();
        self.materialize_top(nparams);
        let h0 = self.stack.len() - nparams;
        let mut clauses = Vec::with_capacity(tt.catches.len());
        if !tt.catches.is_empty() {
            let params_wide: Vec<bool> = (h0..self.stack.len()).map(|h| self.is_wide(h)).collect();
            let over = self.emit(Instr::Br { off: 0 });
            for c in &tt.catches {
                let (tag, with_ref, label) = catch_clause(c);
                // The pad: the block's parameters are gone, the payload is on the stack.
                self.truncate(h0);
                let pad = self.bind_label();
                self.start_fuel_block();
                let dst = self.temp(h0);
                if tag != CATCH_ALL {
                    let m = self.cx.module;
                    for t in m.tag_type(tag).params() {
                        self.push_temp_as(*t == crate::ValType::V128);
                    }
                }
                if with_ref {
                    self.push_temp();
                }
                let target = self.target(label);
                self.emit_branch(target);
                clauses.push(Handler {
                    start: 0,
                    end: 0,
                    tag,
                    with_ref,
                    pad: pad as u32,
                    dst,
                });
            }
            // Back to the stack the body starts with: its parameters, at their canonical
            // slots (the pads wrote only on paths that abandoned them).
            self.truncate(h0);
            for w in params_wide {
                self.push_temp_as(w);
            }
            let here = self.bind_label();
            self.patch(over, here);
            self.start_fuel_block();
        }
        self.block(tt.ty);
        let depth = self.ctrl.len() - 1;
        let start = self.code.len();
        self.try_tables.push(OpenTry {
            depth,
            start,
            clauses,
        });
    }

    /// At the `end` of a block whose control frame was at `ctrl[depth]`: if it is a
    /// `try_table`, its body ends here, and its clauses join the handler table (after those
    /// of the `try_table`s nested in it, which ended earlier).
    pub(super) fn close_try_table(&mut self, depth: usize) {
        if self.try_tables.last().is_some_and(|t| t.depth == depth) {
            let t = self.try_tables.pop().expect("checked");
            let end = self.code.len() as u32;
            for h in t.clauses {
                self.handlers.push(Handler {
                    start: t.start as u32,
                    end,
                    ..h
                });
            }
        }
    }

    pub(super) fn throw(&mut self, tag: u32) {
        let ty = self.cx.module.tag_type(tag);
        let n = ty.params().len();
        let slots: u32 = ty.params().iter().map(|t| t.slots() as u32).sum();
        self.materialize_top(n);
        let h = self.stack.len() - n;
        let base = self.temp(h);
        self.truncate(h);
        self.emit(Instr::Throw { tag, base });
        self.emit(Instr::Aux {
            a: slots,
            b: 0,
            c: 0,
        });
        self.reachable = false;
    }

    pub(super) fn throw_ref(&mut self) {
        let s = self.pop();
        self.emit(Instr::ThrowRef { s });
        self.reachable = false;
    }
}

#[cfg(test)]
mod tests {
    use crate::code::{CATCH_ALL, Flavour};
    use crate::ir::Instr;
    use crate::translate::{Context, translate};
    use crate::{Engine, Module};

    fn translate_first(wat: &str) -> crate::code::CompiledFunc {
        let wasm = wat::parse_str(wat).unwrap();
        let module = Module::new(&Engine::default(), &wasm).unwrap();
        let cx = Context {
            module: &module.inner,
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
    fn nested_try_tables_list_the_inner_clauses_first() {
        let c = translate_first(
            r#"(module (tag $a (param i32)) (tag $b)
              (func (result i32)
                (block $outer
                  (block $inner (result i32)
                    (drop (block $r (result exnref)
                      (try_table (catch_all $outer)
                        (try_table (catch $a $inner) (catch_all_ref $r)
                          (throw $a (i32.const 7))))
                      (unreachable)))
                    (unreachable))
                  (return))
                (i32.const 0)))"#,
        );
        let tags: alloc::vec::Vec<_> = c.handlers.iter().map(|h| (h.tag, h.with_ref)).collect();
        assert_eq!(tags, [(0, false), (CATCH_ALL, true), (CATCH_ALL, false)]);
        let (inner, outer) = (c.handlers[0], c.handlers[2]);
        assert!(outer.start <= inner.start && inner.end <= outer.end);
        // The throw lies in both bodies; each pad lies outside its own body.
        let throw = c
            .code
            .iter()
            .position(|i| matches!(i, Instr::Throw { .. }))
            .unwrap() as u32;
        for h in c.handlers.iter() {
            assert!(h.start <= throw && throw < h.end);
            assert!(h.pad < h.start || h.pad >= h.end);
        }
        assert_eq!(c.handler_for(throw as usize, |t| t == 0), Some(&inner));
        assert_eq!(
            c.handler_for(throw as usize, |_| false),
            Some(&c.handlers[1])
        );
    }

    #[test]
    fn functions_without_try_table_have_no_handlers() {
        let c = translate_first("(module (tag) (func (throw 0)))");
        assert!(c.handlers.is_empty());
        assert!(matches!(c.code[0], Instr::Throw { tag: 0, .. }));
    }
}

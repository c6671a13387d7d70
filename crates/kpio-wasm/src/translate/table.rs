//! Table64: which table instructions an operator on a table translates to.
//!
//! An operator on a 32-bit table keeps the instructions it always had (`TableGet`,
//! `TableCopy`, `CallIndirect`, ...), which read `i32` indices from the low half of their
//! slots; on a 64-bit table it becomes the table64 form (`TableGet64`, `TableCopyAny`,
//! `CallIndirect64`, ...), which reads `i64` indices whole. `table.size` is `TableSize` for
//! both: the length is written as a whole slot, which is the `i64` a 64-bit table's
//! `table.size` yields and, in its low half, the `i32` of a 32-bit table's.

use super::Translator;
use crate::ir::{Base, Instr, Slot};

impl Translator<'_> {
    /// Whether table `table` (module index) is indexed with `i64`.
    pub(super) fn table_is_64(&self, table: u32) -> bool {
        self.cx.module.table_space[table as usize].table64
    }

    /// `call_indirect` through `table` at the index in slot `index`.
    pub(super) fn call_indirect_instr(
        &self,
        ty: u32,
        table: u32,
        index: Slot,
        base: Base,
    ) -> Instr {
        if self.table_is_64(table) {
            Instr::CallIndirect64 { ty, index, base }
        } else {
            Instr::CallIndirect { ty, index, base }
        }
    }

    /// `return_call_indirect` through `table` at the index in slot `index`.
    pub(super) fn return_call_indirect_instr(
        &self,
        ty: u32,
        table: u32,
        index: Slot,
        base: Base,
    ) -> Instr {
        if self.table_is_64(table) {
            Instr::ReturnCallIndirect64 { ty, index, base }
        } else {
            Instr::ReturnCallIndirect { ty, index, base }
        }
    }

    pub(super) fn table_get(&mut self, table: u32) {
        let i = self.pop();
        let d = self.push_temp();
        self.emit_result(if self.table_is_64(table) {
            Instr::TableGet64 { d, i, table }
        } else {
            Instr::TableGet { d, i, table }
        });
    }

    pub(super) fn table_set(&mut self, table: u32) {
        let v = self.pop();
        let i = self.pop();
        self.emit(if self.table_is_64(table) {
            Instr::TableSet64 { i, v, table }
        } else {
            Instr::TableSet { i, v, table }
        });
    }

    pub(super) fn table_grow(&mut self, table: u32) {
        let delta = self.pop();
        let init = self.pop();
        let d = self.push_temp();
        self.emit(if self.table_is_64(table) {
            Instr::TableGrow64 { d, init, delta }
        } else {
            Instr::TableGrow { d, init, delta }
        });
        self.emit(Instr::Aux {
            a: table,
            b: 0,
            c: 0,
        });
    }

    pub(super) fn table_fill(&mut self, table: u32) {
        let n = self.pop();
        let v = self.pop();
        let i = self.pop();
        self.emit(if self.table_is_64(table) {
            Instr::TableFill64 { i, v, n }
        } else {
            Instr::TableFill { i, v, n }
        });
        self.emit(Instr::Aux {
            a: table,
            b: 0,
            c: 0,
        });
    }

    /// `table.copy`: `TableCopy` between two 32-bit tables, else `TableCopyAny` with the
    /// index types of both tables in `Aux.c`.
    pub(super) fn table_copy(&mut self, dst: u32, src: u32) {
        let n = self.pop();
        let s = self.pop();
        let d = self.pop();
        let flags = u32::from(self.table_is_64(dst)) | u32::from(self.table_is_64(src)) << 1;
        self.emit(if flags == 0 {
            Instr::TableCopy { d, s, n }
        } else {
            Instr::TableCopyAny { d, s, n }
        });
        self.emit(Instr::Aux {
            a: dst,
            b: src,
            c: flags,
        });
    }

    pub(super) fn table_init(&mut self, elem: u32, table: u32) {
        let n = self.pop();
        let s = self.pop();
        let d = self.pop();
        self.emit(if self.table_is_64(table) {
            Instr::TableInit64 { d, s, n }
        } else {
            Instr::TableInit { d, s, n }
        });
        self.emit(Instr::Aux {
            a: table,
            b: elem,
            c: 0,
        });
    }
}

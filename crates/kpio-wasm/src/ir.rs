//! The interpreter's bytecode: a register machine over 64-bit frame slots.
//!
//! A function's frame is `[params + locals | constants | operand temps]`. Operands name slots
//! directly, so `local.get`/`local.set` traffic and constants vanish into operands
//! (`i32.add` of two locals is one instruction). Branch offsets are relative to the branch
//! itself and resolved at translation time, as are the stack heights they carry values to.
//!
//! Every instruction is 16 bytes. Rare instructions with more operands are followed by
//! `Aux` words that only they read.
//!
//! Entities (functions, globals, tables, memories, types, element and data segments) are
//! named by their *module* index, never a store's, so the code is the same for every
//! instance of the module (see `code`); the executor maps them through the running
//! instance.

use crate::trap::TrapCode;

/// Index of a 64-bit slot relative to the frame pointer.
pub(crate) type Slot = u32;

/// Where a callee's frame starts, relative to the caller's frame pointer: the caller's
/// slot of its first argument and result. Not itself a slot of the caller: a call with no
/// arguments and no results may start its callee's frame at the caller's frame size.
pub(crate) type Base = u32;

/// Calls `$each` with field `$x` if its type is `Slot`.
macro_rules! slot_field {
    (Slot, $x:ident, $each:ident) => {
        $each($x)
    };
    ($t:tt, $x:ident, $each:ident) => {
        let _ = $x;
    };
}

macro_rules! instrs {
    ($($(#[$m:meta])* $name:ident $({ $($f:ident : $t:tt),* })?,)*) => {
        /// `repr(u8)`: the first byte of every instruction is its `Op`, which the threaded
        /// dispatcher indexes its handler table with.
        #[derive(Debug, Clone, Copy, PartialEq)]
        #[repr(u8)]
        pub(crate) enum Instr {
            $($(#[$m])* $name $({ $($f: $t),* })?,)*
        }

        /// The opcode of each `Instr` variant, in the same order.
        #[allow(dead_code)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum Op {
            $($name,)*
        }

        /// Number of opcodes.
        #[allow(dead_code)]
        pub(crate) const OP_COUNT: usize = [$(Op::$name),*].len();

        impl Instr {
            /// Calls `each` with every frame slot the instruction's own fields name (its
            /// `Aux` words are not included), from the one instruction table.
            #[cfg_attr(not(any(debug_assertions, test)), allow(dead_code))]
            pub(crate) fn for_each_slot(&self, mut each: impl FnMut(Slot)) {
                match *self {
                    $(Instr::$name $({ $($f),* })? => { $($(slot_field!($t, $f, each);)*)? })*
                }
            }
        }
    };
}

instrs! {
    /// Traps unconditionally (`unreachable`).
    Trap { code: TrapCode },
    Br { off: i32 },
    BrIfNez { c: Slot, off: i32 },
    BrIfEqz { c: Slot, off: i32 },
    BrI64Nez { c: Slot, off: i32 },
    BrI64Eqz { c: Slot, off: i32 },
    // Fused compare-and-branch: branch if `a OP b`.
    BrI32Eq { a: Slot, b: Slot, off: i32 },
    BrI32Ne { a: Slot, b: Slot, off: i32 },
    BrI32LtS { a: Slot, b: Slot, off: i32 },
    BrI32LtU { a: Slot, b: Slot, off: i32 },
    BrI32GtS { a: Slot, b: Slot, off: i32 },
    BrI32GtU { a: Slot, b: Slot, off: i32 },
    BrI32LeS { a: Slot, b: Slot, off: i32 },
    BrI32LeU { a: Slot, b: Slot, off: i32 },
    BrI32GeS { a: Slot, b: Slot, off: i32 },
    BrI32GeU { a: Slot, b: Slot, off: i32 },
    BrI64Eq { a: Slot, b: Slot, off: i32 },
    BrI64Ne { a: Slot, b: Slot, off: i32 },
    BrI64LtS { a: Slot, b: Slot, off: i32 },
    BrI64LtU { a: Slot, b: Slot, off: i32 },
    BrI64GtS { a: Slot, b: Slot, off: i32 },
    BrI64GtU { a: Slot, b: Slot, off: i32 },
    BrI64LeS { a: Slot, b: Slot, off: i32 },
    BrI64LeU { a: Slot, b: Slot, off: i32 },
    BrI64GeS { a: Slot, b: Slot, off: i32 },
    BrI64GeU { a: Slot, b: Slot, off: i32 },
    /// Jumps to the `min(index, len)`-th of the `len + 1` `Br` instructions that follow.
    BrTable { index: Slot, len: u32 },
    /// Returns from the function; results are already in slots `0..n`.
    Return,
    /// Returns one value: copies slot `s` to slot 0 first.
    Return1 { s: Slot },
    /// Calls function `func` (module index); its frame starts at slot `base`, where the
    /// arguments are and where the results will be.
    Call { func: u32, base: Base },
    /// Calls through table (next `Aux.a`) at index `slot[index]`, expecting module type `ty`.
    CallIndirect { ty: u32, index: Slot, base: Base },
    /// Extra operands of the preceding instruction.
    Aux { a: u32, b: u32, c: u32 },
    ConsumeFuel { amount: u32 },
    /// Traps with `Interrupted` if the store's interrupt flag is raised. Only translated in
    /// with `Config::interruptible`, at function entries and loop headers.
    CheckInterrupt,

    Copy { d: Slot, s: Slot },
    /// `slot[d] = if slot[c] != 0 { slot[a] } else { slot[b] }`, with `c` in the next `Aux.a`.
    Select { d: Slot, a: Slot, b: Slot },
    GlobalGet { d: Slot, g: u32 },
    GlobalSet { s: Slot, g: u32 },
    /// A reference to function `func`: instance-specific, so not a frame constant.
    RefFunc { d: Slot, func: u32 },

    I32Load { d: Slot, a: Slot, off: u32 },
    I64Load { d: Slot, a: Slot, off: u32 },
    F32Load { d: Slot, a: Slot, off: u32 },
    F64Load { d: Slot, a: Slot, off: u32 },
    I32Load8S { d: Slot, a: Slot, off: u32 },
    I32Load8U { d: Slot, a: Slot, off: u32 },
    I32Load16S { d: Slot, a: Slot, off: u32 },
    I32Load16U { d: Slot, a: Slot, off: u32 },
    I64Load8S { d: Slot, a: Slot, off: u32 },
    I64Load8U { d: Slot, a: Slot, off: u32 },
    I64Load16S { d: Slot, a: Slot, off: u32 },
    I64Load16U { d: Slot, a: Slot, off: u32 },
    I64Load32S { d: Slot, a: Slot, off: u32 },
    I64Load32U { d: Slot, a: Slot, off: u32 },
    I32Store { a: Slot, v: Slot, off: u32 },
    I64Store { a: Slot, v: Slot, off: u32 },
    I32Store8 { a: Slot, v: Slot, off: u32 },
    I32Store16 { a: Slot, v: Slot, off: u32 },
    I64Store8 { a: Slot, v: Slot, off: u32 },
    I64Store16 { a: Slot, v: Slot, off: u32 },
    I64Store32 { a: Slot, v: Slot, off: u32 },
    MemorySize { d: Slot, mem: u32 },
    MemoryGrow { d: Slot, delta: Slot, mem: u32 },
    /// Aux.a = memory.
    MemoryFill { d: Slot, v: Slot, n: Slot },
    /// Aux.a = memory.
    MemoryCopy { d: Slot, s: Slot, n: Slot },
    /// Aux.a = memory, Aux.b = data segment.
    MemoryInit { d: Slot, s: Slot, n: Slot },
    DataDrop { data: u32 },
    TableGet { d: Slot, i: Slot, table: u32 },
    TableSet { i: Slot, v: Slot, table: u32 },
    TableSize { d: Slot, table: u32 },
    /// Aux.a = table.
    TableGrow { d: Slot, init: Slot, delta: Slot },
    /// Aux.a = table.
    TableFill { i: Slot, v: Slot, n: Slot },
    /// Aux.a = destination table, Aux.b = source table.
    TableCopy { d: Slot, s: Slot, n: Slot },
    /// Aux.a = table, Aux.b = element segment.
    TableInit { d: Slot, s: Slot, n: Slot },
    ElemDrop { elem: u32 },

    I32Eqz { d: Slot, s: Slot },
    I32Eq { d: Slot, a: Slot, b: Slot },
    I32Ne { d: Slot, a: Slot, b: Slot },
    I32LtS { d: Slot, a: Slot, b: Slot },
    I32LtU { d: Slot, a: Slot, b: Slot },
    I32GtS { d: Slot, a: Slot, b: Slot },
    I32GtU { d: Slot, a: Slot, b: Slot },
    I32LeS { d: Slot, a: Slot, b: Slot },
    I32LeU { d: Slot, a: Slot, b: Slot },
    I32GeS { d: Slot, a: Slot, b: Slot },
    I32GeU { d: Slot, a: Slot, b: Slot },
    I64Eqz { d: Slot, s: Slot },
    I64Eq { d: Slot, a: Slot, b: Slot },
    I64Ne { d: Slot, a: Slot, b: Slot },
    I64LtS { d: Slot, a: Slot, b: Slot },
    I64LtU { d: Slot, a: Slot, b: Slot },
    I64GtS { d: Slot, a: Slot, b: Slot },
    I64GtU { d: Slot, a: Slot, b: Slot },
    I64LeS { d: Slot, a: Slot, b: Slot },
    I64LeU { d: Slot, a: Slot, b: Slot },
    I64GeS { d: Slot, a: Slot, b: Slot },
    I64GeU { d: Slot, a: Slot, b: Slot },
    F32Eq { d: Slot, a: Slot, b: Slot },
    F32Ne { d: Slot, a: Slot, b: Slot },
    F32Lt { d: Slot, a: Slot, b: Slot },
    F32Gt { d: Slot, a: Slot, b: Slot },
    F32Le { d: Slot, a: Slot, b: Slot },
    F32Ge { d: Slot, a: Slot, b: Slot },
    F64Eq { d: Slot, a: Slot, b: Slot },
    F64Ne { d: Slot, a: Slot, b: Slot },
    F64Lt { d: Slot, a: Slot, b: Slot },
    F64Gt { d: Slot, a: Slot, b: Slot },
    F64Le { d: Slot, a: Slot, b: Slot },
    F64Ge { d: Slot, a: Slot, b: Slot },

    I32Clz { d: Slot, s: Slot },
    I32Ctz { d: Slot, s: Slot },
    I32Popcnt { d: Slot, s: Slot },
    I32Add { d: Slot, a: Slot, b: Slot },
    I32Sub { d: Slot, a: Slot, b: Slot },
    I32Mul { d: Slot, a: Slot, b: Slot },
    I32DivS { d: Slot, a: Slot, b: Slot },
    I32DivU { d: Slot, a: Slot, b: Slot },
    I32RemS { d: Slot, a: Slot, b: Slot },
    I32RemU { d: Slot, a: Slot, b: Slot },
    I32And { d: Slot, a: Slot, b: Slot },
    I32Or { d: Slot, a: Slot, b: Slot },
    I32Xor { d: Slot, a: Slot, b: Slot },
    I32Shl { d: Slot, a: Slot, b: Slot },
    I32ShrS { d: Slot, a: Slot, b: Slot },
    I32ShrU { d: Slot, a: Slot, b: Slot },
    I32Rotl { d: Slot, a: Slot, b: Slot },
    I32Rotr { d: Slot, a: Slot, b: Slot },
    I64Clz { d: Slot, s: Slot },
    I64Ctz { d: Slot, s: Slot },
    I64Popcnt { d: Slot, s: Slot },
    I64Add { d: Slot, a: Slot, b: Slot },
    I64Sub { d: Slot, a: Slot, b: Slot },
    I64Mul { d: Slot, a: Slot, b: Slot },
    I64DivS { d: Slot, a: Slot, b: Slot },
    I64DivU { d: Slot, a: Slot, b: Slot },
    I64RemS { d: Slot, a: Slot, b: Slot },
    I64RemU { d: Slot, a: Slot, b: Slot },
    I64And { d: Slot, a: Slot, b: Slot },
    I64Or { d: Slot, a: Slot, b: Slot },
    I64Xor { d: Slot, a: Slot, b: Slot },
    I64Shl { d: Slot, a: Slot, b: Slot },
    I64ShrS { d: Slot, a: Slot, b: Slot },
    I64ShrU { d: Slot, a: Slot, b: Slot },
    I64Rotl { d: Slot, a: Slot, b: Slot },
    I64Rotr { d: Slot, a: Slot, b: Slot },

    F32Abs { d: Slot, s: Slot },
    F32Neg { d: Slot, s: Slot },
    F32Ceil { d: Slot, s: Slot },
    F32Floor { d: Slot, s: Slot },
    F32Trunc { d: Slot, s: Slot },
    F32Nearest { d: Slot, s: Slot },
    F32Sqrt { d: Slot, s: Slot },
    F32Add { d: Slot, a: Slot, b: Slot },
    F32Sub { d: Slot, a: Slot, b: Slot },
    F32Mul { d: Slot, a: Slot, b: Slot },
    F32Div { d: Slot, a: Slot, b: Slot },
    F32Min { d: Slot, a: Slot, b: Slot },
    F32Max { d: Slot, a: Slot, b: Slot },
    F32Copysign { d: Slot, a: Slot, b: Slot },
    F64Abs { d: Slot, s: Slot },
    F64Neg { d: Slot, s: Slot },
    F64Ceil { d: Slot, s: Slot },
    F64Floor { d: Slot, s: Slot },
    F64Trunc { d: Slot, s: Slot },
    F64Nearest { d: Slot, s: Slot },
    F64Sqrt { d: Slot, s: Slot },
    F64Add { d: Slot, a: Slot, b: Slot },
    F64Sub { d: Slot, a: Slot, b: Slot },
    F64Mul { d: Slot, a: Slot, b: Slot },
    F64Div { d: Slot, a: Slot, b: Slot },
    F64Min { d: Slot, a: Slot, b: Slot },
    F64Max { d: Slot, a: Slot, b: Slot },
    F64Copysign { d: Slot, a: Slot, b: Slot },

    I32TruncF32S { d: Slot, s: Slot },
    I32TruncF32U { d: Slot, s: Slot },
    I32TruncF64S { d: Slot, s: Slot },
    I32TruncF64U { d: Slot, s: Slot },
    I64ExtendI32S { d: Slot, s: Slot },
    I64ExtendI32U { d: Slot, s: Slot },
    I64TruncF32S { d: Slot, s: Slot },
    I64TruncF32U { d: Slot, s: Slot },
    I64TruncF64S { d: Slot, s: Slot },
    I64TruncF64U { d: Slot, s: Slot },
    F32ConvertI32S { d: Slot, s: Slot },
    F32ConvertI32U { d: Slot, s: Slot },
    F32ConvertI64S { d: Slot, s: Slot },
    F32ConvertI64U { d: Slot, s: Slot },
    F32DemoteF64 { d: Slot, s: Slot },
    F64ConvertI32S { d: Slot, s: Slot },
    F64ConvertI32U { d: Slot, s: Slot },
    F64ConvertI64S { d: Slot, s: Slot },
    F64ConvertI64U { d: Slot, s: Slot },
    F64PromoteF32 { d: Slot, s: Slot },
    I32Extend8S { d: Slot, s: Slot },
    I32Extend16S { d: Slot, s: Slot },
    I64Extend8S { d: Slot, s: Slot },
    I64Extend16S { d: Slot, s: Slot },
    I64Extend32S { d: Slot, s: Slot },
    I32TruncSatF32S { d: Slot, s: Slot },
    I32TruncSatF32U { d: Slot, s: Slot },
    I32TruncSatF64S { d: Slot, s: Slot },
    I32TruncSatF64U { d: Slot, s: Slot },
    I64TruncSatF32S { d: Slot, s: Slot },
    I64TruncSatF32U { d: Slot, s: Slot },
    I64TruncSatF64S { d: Slot, s: Slot },
    I64TruncSatF64U { d: Slot, s: Slot },
}

const _: () = assert!(core::mem::size_of::<Instr>() == 16);

impl Instr {
    /// The destination slot of an instruction that computes a fresh value from its inputs
    /// (reads all inputs before writing `d`), so the translator may retarget it.
    pub(crate) fn retargetable_dst(&mut self) -> Option<&mut Slot> {
        use Instr::*;
        match self {
            Copy { d, .. }
            | GlobalGet { d, .. }
            | RefFunc { d, .. }
            | TableGet { d, .. }
            | TableSize { d, .. }
            | MemorySize { d, .. }
            | MemoryGrow { d, .. } => Some(d),
            I32Load { d, .. }
            | I64Load { d, .. }
            | F32Load { d, .. }
            | F64Load { d, .. }
            | I32Load8S { d, .. }
            | I32Load8U { d, .. }
            | I32Load16S { d, .. }
            | I32Load16U { d, .. }
            | I64Load8S { d, .. }
            | I64Load8U { d, .. }
            | I64Load16S { d, .. }
            | I64Load16U { d, .. }
            | I64Load32S { d, .. }
            | I64Load32U { d, .. } => Some(d),
            I32Eqz { d, .. }
            | I32Eq { d, .. }
            | I32Ne { d, .. }
            | I32LtS { d, .. }
            | I32LtU { d, .. }
            | I32GtS { d, .. }
            | I32GtU { d, .. }
            | I32LeS { d, .. }
            | I32LeU { d, .. }
            | I32GeS { d, .. }
            | I32GeU { d, .. }
            | I64Eqz { d, .. }
            | I64Eq { d, .. }
            | I64Ne { d, .. }
            | I64LtS { d, .. }
            | I64LtU { d, .. }
            | I64GtS { d, .. }
            | I64GtU { d, .. }
            | I64LeS { d, .. }
            | I64LeU { d, .. }
            | I64GeS { d, .. }
            | I64GeU { d, .. }
            | F32Eq { d, .. }
            | F32Ne { d, .. }
            | F32Lt { d, .. }
            | F32Gt { d, .. }
            | F32Le { d, .. }
            | F32Ge { d, .. }
            | F64Eq { d, .. }
            | F64Ne { d, .. }
            | F64Lt { d, .. }
            | F64Gt { d, .. }
            | F64Le { d, .. }
            | F64Ge { d, .. } => Some(d),
            I32Clz { d, .. }
            | I32Ctz { d, .. }
            | I32Popcnt { d, .. }
            | I32Add { d, .. }
            | I32Sub { d, .. }
            | I32Mul { d, .. }
            | I32DivS { d, .. }
            | I32DivU { d, .. }
            | I32RemS { d, .. }
            | I32RemU { d, .. }
            | I32And { d, .. }
            | I32Or { d, .. }
            | I32Xor { d, .. }
            | I32Shl { d, .. }
            | I32ShrS { d, .. }
            | I32ShrU { d, .. }
            | I32Rotl { d, .. }
            | I32Rotr { d, .. }
            | I64Clz { d, .. }
            | I64Ctz { d, .. }
            | I64Popcnt { d, .. }
            | I64Add { d, .. }
            | I64Sub { d, .. }
            | I64Mul { d, .. }
            | I64DivS { d, .. }
            | I64DivU { d, .. }
            | I64RemS { d, .. }
            | I64RemU { d, .. }
            | I64And { d, .. }
            | I64Or { d, .. }
            | I64Xor { d, .. }
            | I64Shl { d, .. }
            | I64ShrS { d, .. }
            | I64ShrU { d, .. }
            | I64Rotl { d, .. }
            | I64Rotr { d, .. } => Some(d),
            F32Abs { d, .. }
            | F32Neg { d, .. }
            | F32Ceil { d, .. }
            | F32Floor { d, .. }
            | F32Trunc { d, .. }
            | F32Nearest { d, .. }
            | F32Sqrt { d, .. }
            | F32Add { d, .. }
            | F32Sub { d, .. }
            | F32Mul { d, .. }
            | F32Div { d, .. }
            | F32Min { d, .. }
            | F32Max { d, .. }
            | F32Copysign { d, .. }
            | F64Abs { d, .. }
            | F64Neg { d, .. }
            | F64Ceil { d, .. }
            | F64Floor { d, .. }
            | F64Trunc { d, .. }
            | F64Nearest { d, .. }
            | F64Sqrt { d, .. }
            | F64Add { d, .. }
            | F64Sub { d, .. }
            | F64Mul { d, .. }
            | F64Div { d, .. }
            | F64Min { d, .. }
            | F64Max { d, .. }
            | F64Copysign { d, .. } => Some(d),
            I32TruncF32S { d, .. }
            | I32TruncF32U { d, .. }
            | I32TruncF64S { d, .. }
            | I32TruncF64U { d, .. }
            | I64ExtendI32S { d, .. }
            | I64ExtendI32U { d, .. }
            | I64TruncF32S { d, .. }
            | I64TruncF32U { d, .. }
            | I64TruncF64S { d, .. }
            | I64TruncF64U { d, .. }
            | F32ConvertI32S { d, .. }
            | F32ConvertI32U { d, .. }
            | F32ConvertI64S { d, .. }
            | F32ConvertI64U { d, .. }
            | F32DemoteF64 { d, .. }
            | F64ConvertI32S { d, .. }
            | F64ConvertI32U { d, .. }
            | F64ConvertI64S { d, .. }
            | F64ConvertI64U { d, .. }
            | F64PromoteF32 { d, .. }
            | I32Extend8S { d, .. }
            | I32Extend16S { d, .. }
            | I64Extend8S { d, .. }
            | I64Extend16S { d, .. }
            | I64Extend32S { d, .. }
            | I32TruncSatF32S { d, .. }
            | I32TruncSatF32U { d, .. }
            | I32TruncSatF64S { d, .. }
            | I32TruncSatF64U { d, .. }
            | I64TruncSatF32S { d, .. }
            | I64TruncSatF32U { d, .. }
            | I64TruncSatF64S { d, .. }
            | I64TruncSatF64U { d, .. } => Some(d),
            _ => None,
        }
    }

    /// For a compare just emitted into a temp, the fused branch "if compare holds"
    /// (or, `negate`, "if it does not hold").
    pub(crate) fn fuse_branch(&self, negate: bool) -> Option<Instr> {
        use Instr::*;
        let off = 0;
        Some(match (*self, negate) {
            (I32Eqz { s, .. }, false) => BrIfEqz { c: s, off },
            (I32Eqz { s, .. }, true) => BrIfNez { c: s, off },
            (I64Eqz { s, .. }, false) => BrI64Eqz { c: s, off },
            (I64Eqz { s, .. }, true) => BrI64Nez { c: s, off },
            (I32Eq { a, b, .. }, false) | (I32Ne { a, b, .. }, true) => BrI32Eq { a, b, off },
            (I32Ne { a, b, .. }, false) | (I32Eq { a, b, .. }, true) => BrI32Ne { a, b, off },
            (I32LtS { a, b, .. }, false) | (I32GeS { a, b, .. }, true) => BrI32LtS { a, b, off },
            (I32LtU { a, b, .. }, false) | (I32GeU { a, b, .. }, true) => BrI32LtU { a, b, off },
            (I32GtS { a, b, .. }, false) | (I32LeS { a, b, .. }, true) => BrI32GtS { a, b, off },
            (I32GtU { a, b, .. }, false) | (I32LeU { a, b, .. }, true) => BrI32GtU { a, b, off },
            (I32LeS { a, b, .. }, false) | (I32GtS { a, b, .. }, true) => BrI32LeS { a, b, off },
            (I32LeU { a, b, .. }, false) | (I32GtU { a, b, .. }, true) => BrI32LeU { a, b, off },
            (I32GeS { a, b, .. }, false) | (I32LtS { a, b, .. }, true) => BrI32GeS { a, b, off },
            (I32GeU { a, b, .. }, false) | (I32LtU { a, b, .. }, true) => BrI32GeU { a, b, off },
            (I64Eq { a, b, .. }, false) | (I64Ne { a, b, .. }, true) => BrI64Eq { a, b, off },
            (I64Ne { a, b, .. }, false) | (I64Eq { a, b, .. }, true) => BrI64Ne { a, b, off },
            (I64LtS { a, b, .. }, false) | (I64GeS { a, b, .. }, true) => BrI64LtS { a, b, off },
            (I64LtU { a, b, .. }, false) | (I64GeU { a, b, .. }, true) => BrI64LtU { a, b, off },
            (I64GtS { a, b, .. }, false) | (I64LeS { a, b, .. }, true) => BrI64GtS { a, b, off },
            (I64GtU { a, b, .. }, false) | (I64LeU { a, b, .. }, true) => BrI64GtU { a, b, off },
            (I64LeS { a, b, .. }, false) | (I64GtS { a, b, .. }, true) => BrI64LeS { a, b, off },
            (I64LeU { a, b, .. }, false) | (I64GtU { a, b, .. }, true) => BrI64LeU { a, b, off },
            (I64GeS { a, b, .. }, false) | (I64LtS { a, b, .. }, true) => BrI64GeS { a, b, off },
            (I64GeU { a, b, .. }, false) | (I64LtU { a, b, .. }, true) => BrI64GeU { a, b, off },
            _ => return None,
        })
    }

    /// How many `Aux` words follow the instruction.
    #[cfg_attr(not(any(debug_assertions, test)), allow(dead_code))]
    pub(crate) fn aux_words(&self) -> usize {
        use Instr::*;
        match self {
            CallIndirect { .. }
            | Select { .. }
            | MemoryFill { .. }
            | MemoryCopy { .. }
            | MemoryInit { .. }
            | TableGrow { .. }
            | TableFill { .. }
            | TableCopy { .. }
            | TableInit { .. } => 1,
            _ => 0,
        }
    }

    /// The branch offset of a branch instruction (relative to the branch itself).
    #[cfg_attr(not(any(debug_assertions, test)), allow(dead_code))]
    pub(crate) fn branch_offset(&self) -> Option<i32> {
        let mut i = *self;
        i.branch_offset_mut().map(|o| *o)
    }

    /// The branch offset field of a branch instruction, for patching.
    pub(crate) fn branch_offset_mut(&mut self) -> Option<&mut i32> {
        use Instr::*;
        match self {
            Br { off }
            | BrIfNez { off, .. }
            | BrIfEqz { off, .. }
            | BrI64Nez { off, .. }
            | BrI64Eqz { off, .. }
            | BrI32Eq { off, .. }
            | BrI32Ne { off, .. }
            | BrI32LtS { off, .. }
            | BrI32LtU { off, .. }
            | BrI32GtS { off, .. }
            | BrI32GtU { off, .. }
            | BrI32LeS { off, .. }
            | BrI32LeU { off, .. }
            | BrI32GeS { off, .. }
            | BrI32GeU { off, .. }
            | BrI64Eq { off, .. }
            | BrI64Ne { off, .. }
            | BrI64LtS { off, .. }
            | BrI64LtU { off, .. }
            | BrI64GtS { off, .. }
            | BrI64GtU { off, .. }
            | BrI64LeS { off, .. }
            | BrI64LeU { off, .. }
            | BrI64GeS { off, .. }
            | BrI64GeU { off, .. } => Some(off),
            _ => None,
        }
    }
}

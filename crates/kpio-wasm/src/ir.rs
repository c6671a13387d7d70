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

use crate::load_kind::LoadKind;
use crate::simd::{SimdOp, V128LoadKind};
use crate::trap::TrapCode;

/// Index of a 64-bit slot relative to the frame pointer.
pub(crate) type Slot = u32;

/// Where a callee's frame starts, relative to the caller's frame pointer: the caller's
/// slot of its first argument and result. Not itself a slot of the caller: a call with no
/// arguments and no results may start its callee's frame at the caller's frame size.
pub(crate) type Base = u32;

/// A destination slot that the instruction writes only after reading all its inputs, so the
/// translator may point it at a local instead of a temp (`local.set` after the instruction).
/// Only the instruction table's field types say which instructions have one.
pub(crate) type Dst = Slot;

/// The first of the two adjacent slots of a `v128` operand (low half first).
pub(crate) type VSlot = Slot;

/// A `v128` destination (two slots), retargetable like a [`Dst`].
pub(crate) type VDst = Slot;

/// A branch offset, relative to the branch instruction itself. A field of this type makes the
/// instruction a branch (see [`Instr::branch_offset_mut`]).
pub(crate) type Off = i32;

/// Calls `$each` with field `$x` if its type names a frame slot (`Slot` or `Dst`).
macro_rules! slot_field {
    (Slot, $x:ident, $each:ident) => {
        $each(*$x)
    };
    (Dst, $x:ident, $each:ident) => {
        $each(*$x)
    };
    (VSlot, $x:ident, $each:ident) => {{
        $each(*$x);
        $each(*$x + 1)
    }};
    (VDst, $x:ident, $each:ident) => {{
        $each(*$x);
        $each(*$x + 1)
    }};
    ($t:tt, $x:ident, $each:ident) => {
        let _ = $x;
    };
}

/// Stores field `$x` into `$out` if its type is `$want` (a `Dst` or an `Off`).
macro_rules! typed_field {
    (Dst, Dst, $x:ident, $out:ident) => {
        $out = Some($x)
    };
    (Dst, VDst, $x:ident, $out:ident) => {
        $out = Some($x)
    };
    (Off, Off, $x:ident, $out:ident) => {
        $out = Some($x)
    };
    ($want:tt, $t:tt, $x:ident, $out:ident) => {
        let _ = $x;
    };
}

/// The number of `Aux` words a row's `+ Aux` marker declares.
macro_rules! aux_count {
    () => {
        0
    };
    (Aux) => {
        1
    };
}

/// The body of `Instr::inverted` for one row: its `! Inverse`, with the same fields.
macro_rules! inverse_of {
    ([] $($fields:tt)?) => {
        None
    };
    ([$inv:ident] { $($f:ident),* }) => {
        Some(Instr::$inv { $($f),* })
    };
}

/// The body of `Instr::fuse_branch` for one row: its `=> Branch { .. }`, at offset 0.
macro_rules! fused_of {
    ([]) => {
        None
    };
    ([$br:ident { $($bf:ident $(: $bv:ident)?),* }]) => {
        Some(Instr::$br { $($bf $(: $bv)?,)* off: 0 })
    };
}

/// Defines `Instr`, `Op` and the per-instruction properties from one table. A row is
///
/// `Name { field: Type, ... } [+ Aux] [! Inverse] [=> FusedBranch { field: operand, ... }],`
///
/// - field types `Slot`/`Dst` name frame slots, `Dst` a retargetable destination, `Off` a
///   branch offset; `VSlot`/`VDst` the same for a `v128`, which takes the named slot and the
///   next;
/// - `+ Aux`: one `Aux` word follows the instruction;
/// - `! Inverse` (conditional branches): the branch taken exactly when this one is not,
///   with the same fields;
/// - `=> Branch { .. }` (compares): the conditional branch, offset 0, taken exactly when
///   the compare yields 1, with its fields taken from the compare's operands.
macro_rules! instrs {
    ($(
        $(#[$m:meta])*
        $name:ident $({ $($f:ident : $t:tt),* })?
        $(+ $aux:ident)?
        $(! $inv:ident)?
        $(=> $br:ident { $($bf:ident $(: $bv:ident)?),* })?,
    )*) => {
        /// `repr(u16)`: the first two bytes of every instruction are its `Op`, which the
        /// threaded dispatcher indexes its handler table with. (There are more than 256
        /// instructions since the 3.0 features and the fused forms; a 16-bit tag still
        /// leaves every row in 16 bytes, the assertion below the table checks it.)
        #[derive(Debug, Clone, Copy, PartialEq)]
        #[repr(u16)]
        pub(crate) enum Instr {
            $($(#[$m])* $name $({ $($f: $t),* })?,)*
        }

        /// The opcode of each `Instr` variant, in the same order.
        #[allow(dead_code)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u16)]
        pub(crate) enum Op {
            $($name,)*
        }

        /// Number of opcodes.
        #[allow(dead_code)]
        pub(crate) const OP_COUNT: usize = [$(Op::$name),*].len();

        impl Instr {
            /// Calls `each` with every frame slot the instruction's own fields name (its
            /// `Aux` words are not included).
            #[cfg_attr(not(any(debug_assertions, test)), allow(dead_code))]
            pub(crate) fn for_each_slot(&self, mut each: impl FnMut(Slot)) {
                match self {
                    $(Instr::$name $({ $($f),* })? => { $($(slot_field!($t, $f, each);)*)? })*
                }
            }

            /// The destination of an instruction that computes a fresh value from its inputs
            /// (reads all inputs before writing it), so the translator may retarget it.
            pub(crate) fn retargetable_dst(&mut self) -> Option<&mut Slot> {
                let mut out = None;
                match self {
                    $(Instr::$name $({ $($f),* })? => {
                        $($(typed_field!(Dst, $t, $f, out);)*)?
                    })*
                }
                out
            }

            /// The branch offset field of a branch instruction, for patching.
            pub(crate) fn branch_offset_mut(&mut self) -> Option<&mut Off> {
                let mut out = None;
                match self {
                    $(Instr::$name $({ $($f),* })? => {
                        $($(typed_field!(Off, $t, $f, out);)*)?
                    })*
                }
                out
            }

            /// How many `Aux` words follow the instruction.
            #[cfg_attr(not(any(debug_assertions, test)), allow(dead_code))]
            pub(crate) fn aux_words(&self) -> usize {
                match self {
                    $(Instr::$name { .. } => aux_count!($($aux)?),)*
                }
            }

            /// For a conditional branch, the branch taken exactly when it is not (same
            /// operands and offset).
            #[allow(unused_variables)]
            pub(crate) fn inverted(self) -> Option<Instr> {
                match self {
                    $(Instr::$name $({ $($f),* })? => inverse_of!([$($inv)?] $({ $($f),* })?),)*
                }
            }

            /// For a compare just emitted into a temp, the fused branch (offset 0) taken when
            /// the compare holds, or, `negate`, when it does not.
            #[allow(unused_variables)]
            pub(crate) fn fuse_branch(&self, negate: bool) -> Option<Instr> {
                let fused = match *self {
                    $(Instr::$name $({ $($f),* })? => {
                        fused_of!([$($br { $($bf $(: $bv)?),* })?])
                    })*
                }?;
                if negate { fused.inverted() } else { Some(fused) }
            }
        }
    };
}

instrs! {
    /// Traps unconditionally (`unreachable`).
    Trap { code: TrapCode },
    Br { off: Off },
    BrIfNez { c: Slot, off: Off } ! BrIfEqz,
    BrIfEqz { c: Slot, off: Off } ! BrIfNez,
    BrI64Nez { c: Slot, off: Off } ! BrI64Eqz,
    BrI64Eqz { c: Slot, off: Off } ! BrI64Nez,
    // Fused compare-and-branch: branch if `a OP b`.
    BrI32Eq { a: Slot, b: Slot, off: Off } ! BrI32Ne,
    BrI32Ne { a: Slot, b: Slot, off: Off } ! BrI32Eq,
    BrI32LtS { a: Slot, b: Slot, off: Off } ! BrI32GeS,
    BrI32LtU { a: Slot, b: Slot, off: Off } ! BrI32GeU,
    BrI32GtS { a: Slot, b: Slot, off: Off } ! BrI32LeS,
    BrI32GtU { a: Slot, b: Slot, off: Off } ! BrI32LeU,
    BrI32LeS { a: Slot, b: Slot, off: Off } ! BrI32GtS,
    BrI32LeU { a: Slot, b: Slot, off: Off } ! BrI32GtU,
    BrI32GeS { a: Slot, b: Slot, off: Off } ! BrI32LtS,
    BrI32GeU { a: Slot, b: Slot, off: Off } ! BrI32LtU,
    BrI64Eq { a: Slot, b: Slot, off: Off } ! BrI64Ne,
    BrI64Ne { a: Slot, b: Slot, off: Off } ! BrI64Eq,
    BrI64LtS { a: Slot, b: Slot, off: Off } ! BrI64GeS,
    BrI64LtU { a: Slot, b: Slot, off: Off } ! BrI64GeU,
    BrI64GtS { a: Slot, b: Slot, off: Off } ! BrI64LeS,
    BrI64GtU { a: Slot, b: Slot, off: Off } ! BrI64LeU,
    BrI64LeS { a: Slot, b: Slot, off: Off } ! BrI64GtS,
    BrI64LeU { a: Slot, b: Slot, off: Off } ! BrI64GtU,
    BrI64GeS { a: Slot, b: Slot, off: Off } ! BrI64LtS,
    BrI64GeU { a: Slot, b: Slot, off: Off } ! BrI64LtU,
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
    CallIndirect { ty: u32, index: Slot, base: Base } + Aux,
    /// Tail-calls function `func` (module index): the `Aux.a` argument slots at `base` move
    /// to slot 0 and the callee's frame replaces this one (a host callee runs there, then
    /// this function returns its results).
    ReturnCall { func: u32, base: Base } + Aux,
    /// Tail-calls through table `Aux.a` at index `slot[index]`, expecting module type `ty`,
    /// with `Aux.b` argument slots at `base`, like `ReturnCall`.
    ReturnCallIndirect { ty: u32, index: Slot, base: Base } + Aux,
    // Exception handling.
    /// Throws a new exception of tag `tag` (module index) whose payload, the tag type's
    /// parameters, is in the `Aux.a` slots from `base` on (packed like call arguments). The
    /// unwinder looks the handler up in the function's handler table (`code::Handler`).
    Throw { tag: u32, base: Base } + Aux,
    /// Rethrows the exception `slot[s]` refers to; traps on null.
    ThrowRef { s: Slot },
    /// Extra operands of the preceding instruction.
    Aux { a: u32, b: u32, c: u32 },
    ConsumeFuel { amount: u32 },
    /// Traps with `Interrupted` if the store's interrupt flag is raised. Only translated in
    /// with `Config::interruptible`, at function entries and loop headers.
    CheckInterrupt,
    /// Tiered engines (`Flavour::osr`): counts an iteration of the loop at wasm offset `id`
    /// (a loop header at operand-stack height 0 without parameters); at the threshold the
    /// portable loop moves the running frame into native code (on-stack replacement).
    LoopCount { id: u32 },

    Copy { d: Dst, s: Slot },
    /// `slot[d] = if slot[c] != 0 { slot[a] } else { slot[b] }`, with `b` in the next `Aux.a`
    /// (the condition is a field, so an accumulator form can take it from the register).
    Select { d: Dst, c: Slot, a: Slot } + Aux,
    GlobalGet { d: Dst, g: u32 },
    GlobalSet { s: Slot, g: u32 },
    /// A reference to function `func`: instance-specific, so not a frame constant.
    RefFunc { d: Dst, func: u32 },
    // Typed function references.
    /// Traps with `NullReference` if the reference in slot `s` is null (`ref.as_non_null`;
    /// the value stays where it is).
    RefAsNonNull { s: Slot },
    /// Calls the function referenced by slot `r` (a store function, `index + 1`; null
    /// traps with `NullFunctionReference`), of module type `ty`, its frame at `base` like
    /// `Call`. Validation typed the reference, so the executor does not check `ty` again.
    CallRef { ty: u32, r: Slot, base: Base },
    /// Tail-calls the function referenced by slot `r`, of module type `ty`, with `Aux.a`
    /// argument slots at `base`, like `ReturnCall`.
    ReturnCallRef { ty: u32, r: Slot, base: Base } + Aux,

    I32Load { d: Dst, a: Slot, off: u32 },
    I64Load { d: Dst, a: Slot, off: u32 },
    F32Load { d: Dst, a: Slot, off: u32 },
    F64Load { d: Dst, a: Slot, off: u32 },
    I32Load8S { d: Dst, a: Slot, off: u32 },
    I32Load8U { d: Dst, a: Slot, off: u32 },
    I32Load16S { d: Dst, a: Slot, off: u32 },
    I32Load16U { d: Dst, a: Slot, off: u32 },
    I64Load8S { d: Dst, a: Slot, off: u32 },
    I64Load8U { d: Dst, a: Slot, off: u32 },
    I64Load16S { d: Dst, a: Slot, off: u32 },
    I64Load16U { d: Dst, a: Slot, off: u32 },
    I64Load32S { d: Dst, a: Slot, off: u32 },
    I64Load32U { d: Dst, a: Slot, off: u32 },
    I32Store { a: Slot, v: Slot, off: u32 },
    I64Store { a: Slot, v: Slot, off: u32 },
    I32Store8 { a: Slot, v: Slot, off: u32 },
    I32Store16 { a: Slot, v: Slot, off: u32 },
    I64Store8 { a: Slot, v: Slot, off: u32 },
    I64Store16 { a: Slot, v: Slot, off: u32 },
    I64Store32 { a: Slot, v: Slot, off: u32 },
    MemorySize { d: Dst, mem: u32 },
    MemoryGrow { d: Dst, delta: Slot, mem: u32 },
    /// Aux.a = memory.
    MemoryFill { d: Slot, v: Slot, n: Slot } + Aux,
    /// Aux.a = memory.
    MemoryCopy { d: Slot, s: Slot, n: Slot } + Aux,
    /// Aux.a = memory, Aux.b = data segment.
    MemoryInit { d: Slot, s: Slot, n: Slot } + Aux,
    DataDrop { data: u32 },
    TableGet { d: Dst, i: Slot, table: u32 },
    TableSet { i: Slot, v: Slot, table: u32 },
    TableSize { d: Dst, table: u32 },
    /// Aux.a = table.
    TableGrow { d: Slot, init: Slot, delta: Slot } + Aux,
    /// Aux.a = table.
    TableFill { i: Slot, v: Slot, n: Slot } + Aux,
    /// Aux.a = destination table, Aux.b = source table.
    TableCopy { d: Slot, s: Slot, n: Slot } + Aux,
    /// Aux.a = table, Aux.b = element segment.
    TableInit { d: Slot, s: Slot, n: Slot } + Aux,
    ElemDrop { elem: u32 },
    // table64: the instructions above are for 32-bit tables (`i32` indices and lengths, read
    // from the low half of the slot); a 64-bit table's take these, with `i64` indices, or a
    // `TableCopyAny` when either table of a copy is 64-bit. `table.size` is `TableSize` for
    // both (the length is written whole). The threaded backend hands these to the portable
    // loop.
    /// `table.get` of a 64-bit table: `slot[d] = table[slot[i]]`.
    TableGet64 { d: Dst, i: Slot, table: u32 },
    /// `table.set` of a 64-bit table: `table[slot[i]] = slot[v]`.
    TableSet64 { i: Slot, v: Slot, table: u32 },
    /// `table.grow` of a 64-bit table: an `i64` delta, the old size or -1 as `i64`;
    /// Aux.a = table.
    TableGrow64 { d: Slot, init: Slot, delta: Slot } + Aux,
    /// `table.fill` of a 64-bit table; Aux.a = table.
    TableFill64 { i: Slot, v: Slot, n: Slot } + Aux,
    /// `table.copy` where either table is 64-bit; Aux.a = destination table, Aux.b = source
    /// table, Aux.c = bit 0: the destination is 64-bit, bit 1: the source is (the length is
    /// `i64` only if both are).
    TableCopyAny { d: Slot, s: Slot, n: Slot } + Aux,
    /// `table.init` of a 64-bit table (an `i64` destination; the segment offset and the
    /// length stay `i32`); Aux.a = table, Aux.b = element segment.
    TableInit64 { d: Slot, s: Slot, n: Slot } + Aux,
    /// `call_indirect` through a 64-bit table (Aux.a) at the `i64` index `slot[index]`,
    /// like `CallIndirect`.
    CallIndirect64 { ty: u32, index: Slot, base: Base } + Aux,
    /// `return_call_indirect` through a 64-bit table at an `i64` index, like
    /// `ReturnCallIndirect` (Aux.a = table, Aux.b = argument slots).
    ReturnCallIndirect64 { ty: u32, index: Slot, base: Base } + Aux,
    // Multi-memory and memory64. The instructions above that touch memory 0 implicitly
    // (`I32Load`, `V128Store`, ...), and `MemoryGrow`/`MemoryFill`/`MemoryCopy`/`MemoryInit`,
    // are for 32-bit memories (the loads and stores for memory 0 only); an access to another
    // memory, or to a 64-bit memory, takes one of these. `is64`: the memory's addresses (and
    // sizes) are `i64`, else `i32` (read from the low half of the slot). A 64-bit static
    // offset is in the next `Aux` word: `Aux.a` its low half, `Aux.b` its high half, except
    // where said otherwise. The threaded backend hands these to the portable loop.
    /// `slot[d] = kind(memory mem [slot[a] + offset])`.
    MemLoad { kind: LoadKind, is64: bool, d: Dst, a: Slot, mem: u32 } + Aux,
    /// Stores the low `bytes` bytes of `slot[v]` at `slot[a] + offset` in memory `mem`.
    MemStore { bytes: u8, is64: bool, a: Slot, v: Slot, mem: u32 } + Aux,
    /// `memory.grow` of a 64-bit memory: an `i64` delta, the old size or -1 as `i64`.
    MemoryGrow64 { d: Dst, delta: Slot, mem: u32 },
    /// `memory.fill` of a 64-bit memory; Aux.a = memory.
    MemoryFill64 { d: Slot, v: Slot, n: Slot } + Aux,
    /// `memory.copy` between two memories, or within a 64-bit one; Aux.a = destination
    /// memory, Aux.b = source memory, Aux.c = bit 0: the destination is 64-bit, bit 1: the
    /// source is (the length is `i64` only if both are).
    MemoryCopyAny { d: Slot, s: Slot, n: Slot } + Aux,
    /// `memory.init` of a 64-bit memory (an `i64` destination); Aux.a = memory, Aux.b =
    /// data segment.
    MemoryInit64 { d: Slot, s: Slot, n: Slot } + Aux,
    V128MemLoad { kind: V128LoadKind, is64: bool, d: VDst, a: Slot, mem: u32 } + Aux,
    /// Loads `bytes` into lane `lane` of the vector in slot `Aux.a`; the offset is in
    /// `Aux.b` (low half) and `Aux.c` (high half). The lane forms name their memory in 16
    /// bits (wasmparser allows at most 100 memories) so that they fit 16 bytes.
    V128MemLoadLane { bytes: u8, lane: u8, is64: bool, mem: u16, d: VDst, a: Slot } + Aux,
    V128MemStore { is64: bool, a: Slot, v: VSlot, mem: u32 } + Aux,
    /// Stores lane `lane` (of `bytes` bytes) of `v`.
    V128MemStoreLane { bytes: u8, lane: u8, is64: bool, mem: u16, a: Slot, v: VSlot } + Aux,

    // Fused and immediate forms.
    // An integer operator with a constant operand takes it as `imm` instead of reading a
    // constant slot (an i64 operator only when the constant fits in an `i32`, sign-extended;
    // shift and rotate counts already reduced, `rotr` as `rotl`, `sub` as `add` of the
    // negation).
    I32AddImm { d: Dst, a: Slot, imm: i32 },
    I32MulImm { d: Dst, a: Slot, imm: i32 },
    I32AndImm { d: Dst, a: Slot, imm: i32 },
    I32OrImm { d: Dst, a: Slot, imm: i32 },
    I32XorImm { d: Dst, a: Slot, imm: i32 },
    I32ShlImm { d: Dst, a: Slot, imm: i32 },
    I32ShrSImm { d: Dst, a: Slot, imm: i32 },
    I32ShrUImm { d: Dst, a: Slot, imm: i32 },
    I32RotlImm { d: Dst, a: Slot, imm: i32 },
    I64AddImm { d: Dst, a: Slot, imm: i32 },
    I64MulImm { d: Dst, a: Slot, imm: i32 },
    I64AndImm { d: Dst, a: Slot, imm: i32 },
    I64OrImm { d: Dst, a: Slot, imm: i32 },
    I64XorImm { d: Dst, a: Slot, imm: i32 },
    I64ShlImm { d: Dst, a: Slot, imm: i32 },
    I64ShrSImm { d: Dst, a: Slot, imm: i32 },
    I64ShrUImm { d: Dst, a: Slot, imm: i32 },
    I64RotlImm { d: Dst, a: Slot, imm: i32 },
    /// `slot[d] = slot[a] + (slot[b] << k)` (i32): an `i32.shl` by a constant fused into the
    /// `i32.add` after it, the usual array-element address.
    I32AddShl { k: u8, d: Dst, a: Slot, b: Slot },
    // Memory 0 accesses at address `(slot[a] + imm) mod 2^32`: an `i32.add` of a constant
    // folded into the load or store after it (static offset 0). A narrow load names the
    // extension it does; the zero-extending ones serve both widths, f32/f64 the integer ones.
    I32LoadAddImm { d: Dst, a: Slot, imm: i32 },
    I64LoadAddImm { d: Dst, a: Slot, imm: i32 },
    I32Load8SAddImm { d: Dst, a: Slot, imm: i32 },
    I32Load8UAddImm { d: Dst, a: Slot, imm: i32 },
    I32Load16SAddImm { d: Dst, a: Slot, imm: i32 },
    I32Load16UAddImm { d: Dst, a: Slot, imm: i32 },
    I64Load8SAddImm { d: Dst, a: Slot, imm: i32 },
    I64Load16SAddImm { d: Dst, a: Slot, imm: i32 },
    I64Load32SAddImm { d: Dst, a: Slot, imm: i32 },
    I32StoreAddImm { a: Slot, v: Slot, imm: i32 },
    I64StoreAddImm { a: Slot, v: Slot, imm: i32 },
    I32Store8AddImm { a: Slot, v: Slot, imm: i32 },
    I32Store16AddImm { a: Slot, v: Slot, imm: i32 },

    I32Eqz { d: Dst, s: Slot } => BrIfEqz { c: s },
    I32Eq { d: Dst, a: Slot, b: Slot } => BrI32Eq { a, b },
    I32Ne { d: Dst, a: Slot, b: Slot } => BrI32Ne { a, b },
    I32LtS { d: Dst, a: Slot, b: Slot } => BrI32LtS { a, b },
    I32LtU { d: Dst, a: Slot, b: Slot } => BrI32LtU { a, b },
    I32GtS { d: Dst, a: Slot, b: Slot } => BrI32GtS { a, b },
    I32GtU { d: Dst, a: Slot, b: Slot } => BrI32GtU { a, b },
    I32LeS { d: Dst, a: Slot, b: Slot } => BrI32LeS { a, b },
    I32LeU { d: Dst, a: Slot, b: Slot } => BrI32LeU { a, b },
    I32GeS { d: Dst, a: Slot, b: Slot } => BrI32GeS { a, b },
    I32GeU { d: Dst, a: Slot, b: Slot } => BrI32GeU { a, b },
    I64Eqz { d: Dst, s: Slot } => BrI64Eqz { c: s },
    I64Eq { d: Dst, a: Slot, b: Slot } => BrI64Eq { a, b },
    I64Ne { d: Dst, a: Slot, b: Slot } => BrI64Ne { a, b },
    I64LtS { d: Dst, a: Slot, b: Slot } => BrI64LtS { a, b },
    I64LtU { d: Dst, a: Slot, b: Slot } => BrI64LtU { a, b },
    I64GtS { d: Dst, a: Slot, b: Slot } => BrI64GtS { a, b },
    I64GtU { d: Dst, a: Slot, b: Slot } => BrI64GtU { a, b },
    I64LeS { d: Dst, a: Slot, b: Slot } => BrI64LeS { a, b },
    I64LeU { d: Dst, a: Slot, b: Slot } => BrI64LeU { a, b },
    I64GeS { d: Dst, a: Slot, b: Slot } => BrI64GeS { a, b },
    I64GeU { d: Dst, a: Slot, b: Slot } => BrI64GeU { a, b },
    F32Eq { d: Dst, a: Slot, b: Slot },
    F32Ne { d: Dst, a: Slot, b: Slot },
    F32Lt { d: Dst, a: Slot, b: Slot },
    F32Gt { d: Dst, a: Slot, b: Slot },
    F32Le { d: Dst, a: Slot, b: Slot },
    F32Ge { d: Dst, a: Slot, b: Slot },
    F64Eq { d: Dst, a: Slot, b: Slot },
    F64Ne { d: Dst, a: Slot, b: Slot },
    F64Lt { d: Dst, a: Slot, b: Slot },
    F64Gt { d: Dst, a: Slot, b: Slot },
    F64Le { d: Dst, a: Slot, b: Slot },
    F64Ge { d: Dst, a: Slot, b: Slot },

    I32Clz { d: Dst, s: Slot },
    I32Ctz { d: Dst, s: Slot },
    I32Popcnt { d: Dst, s: Slot },
    I32Add { d: Dst, a: Slot, b: Slot },
    I32Sub { d: Dst, a: Slot, b: Slot },
    I32Mul { d: Dst, a: Slot, b: Slot },
    I32DivS { d: Dst, a: Slot, b: Slot },
    I32DivU { d: Dst, a: Slot, b: Slot },
    I32RemS { d: Dst, a: Slot, b: Slot },
    I32RemU { d: Dst, a: Slot, b: Slot },
    I32And { d: Dst, a: Slot, b: Slot },
    I32Or { d: Dst, a: Slot, b: Slot },
    I32Xor { d: Dst, a: Slot, b: Slot },
    I32Shl { d: Dst, a: Slot, b: Slot },
    I32ShrS { d: Dst, a: Slot, b: Slot },
    I32ShrU { d: Dst, a: Slot, b: Slot },
    I32Rotl { d: Dst, a: Slot, b: Slot },
    I32Rotr { d: Dst, a: Slot, b: Slot },
    I64Clz { d: Dst, s: Slot },
    I64Ctz { d: Dst, s: Slot },
    I64Popcnt { d: Dst, s: Slot },
    I64Add { d: Dst, a: Slot, b: Slot },
    I64Sub { d: Dst, a: Slot, b: Slot },
    I64Mul { d: Dst, a: Slot, b: Slot },
    I64DivS { d: Dst, a: Slot, b: Slot },
    I64DivU { d: Dst, a: Slot, b: Slot },
    I64RemS { d: Dst, a: Slot, b: Slot },
    I64RemU { d: Dst, a: Slot, b: Slot },
    I64And { d: Dst, a: Slot, b: Slot },
    I64Or { d: Dst, a: Slot, b: Slot },
    I64Xor { d: Dst, a: Slot, b: Slot },
    I64Shl { d: Dst, a: Slot, b: Slot },
    I64ShrS { d: Dst, a: Slot, b: Slot },
    I64ShrU { d: Dst, a: Slot, b: Slot },
    I64Rotl { d: Dst, a: Slot, b: Slot },
    I64Rotr { d: Dst, a: Slot, b: Slot },

    F32Abs { d: Dst, s: Slot },
    F32Neg { d: Dst, s: Slot },
    F32Ceil { d: Dst, s: Slot },
    F32Floor { d: Dst, s: Slot },
    F32Trunc { d: Dst, s: Slot },
    F32Nearest { d: Dst, s: Slot },
    F32Sqrt { d: Dst, s: Slot },
    F32Add { d: Dst, a: Slot, b: Slot },
    F32Sub { d: Dst, a: Slot, b: Slot },
    F32Mul { d: Dst, a: Slot, b: Slot },
    F32Div { d: Dst, a: Slot, b: Slot },
    F32Min { d: Dst, a: Slot, b: Slot },
    F32Max { d: Dst, a: Slot, b: Slot },
    F32Copysign { d: Dst, a: Slot, b: Slot },
    F64Abs { d: Dst, s: Slot },
    F64Neg { d: Dst, s: Slot },
    F64Ceil { d: Dst, s: Slot },
    F64Floor { d: Dst, s: Slot },
    F64Trunc { d: Dst, s: Slot },
    F64Nearest { d: Dst, s: Slot },
    F64Sqrt { d: Dst, s: Slot },
    F64Add { d: Dst, a: Slot, b: Slot },
    F64Sub { d: Dst, a: Slot, b: Slot },
    F64Mul { d: Dst, a: Slot, b: Slot },
    F64Div { d: Dst, a: Slot, b: Slot },
    F64Min { d: Dst, a: Slot, b: Slot },
    F64Max { d: Dst, a: Slot, b: Slot },
    F64Copysign { d: Dst, a: Slot, b: Slot },

    I32TruncF32S { d: Dst, s: Slot },
    I32TruncF32U { d: Dst, s: Slot },
    I32TruncF64S { d: Dst, s: Slot },
    I32TruncF64U { d: Dst, s: Slot },
    I64ExtendI32S { d: Dst, s: Slot },
    I64ExtendI32U { d: Dst, s: Slot },
    I64TruncF32S { d: Dst, s: Slot },
    I64TruncF32U { d: Dst, s: Slot },
    I64TruncF64S { d: Dst, s: Slot },
    I64TruncF64U { d: Dst, s: Slot },
    F32ConvertI32S { d: Dst, s: Slot },
    F32ConvertI32U { d: Dst, s: Slot },
    F32ConvertI64S { d: Dst, s: Slot },
    F32ConvertI64U { d: Dst, s: Slot },
    F32DemoteF64 { d: Dst, s: Slot },
    F64ConvertI32S { d: Dst, s: Slot },
    F64ConvertI32U { d: Dst, s: Slot },
    F64ConvertI64S { d: Dst, s: Slot },
    F64ConvertI64U { d: Dst, s: Slot },
    F64PromoteF32 { d: Dst, s: Slot },
    I32Extend8S { d: Dst, s: Slot },
    I32Extend16S { d: Dst, s: Slot },
    I64Extend8S { d: Dst, s: Slot },
    I64Extend16S { d: Dst, s: Slot },
    I64Extend32S { d: Dst, s: Slot },
    I32TruncSatF32S { d: Dst, s: Slot },
    I32TruncSatF32U { d: Dst, s: Slot },
    I32TruncSatF64S { d: Dst, s: Slot },
    I32TruncSatF64U { d: Dst, s: Slot },
    I64TruncSatF32S { d: Dst, s: Slot },
    I64TruncSatF32U { d: Dst, s: Slot },
    I64TruncSatF64S { d: Dst, s: Slot },
    I64TruncSatF64U { d: Dst, s: Slot },

    // Fixed-width SIMD. A `v128` takes two adjacent slots; the executor reads all inputs
    // before it writes a destination. `Instr` is `repr(u16)`, so each row is laid out in
    // field order after the two opcode bytes: the small fields come first to fit 16 bytes.
    V128Copy { d: VDst, s: VSlot },
    /// `slot[d] = if slot[c] != 0 { slot[a] } else { slot[b] }` (two slots each), with `c`
    /// in the next `Aux.a`.
    V128Select { d: VSlot, a: VSlot, b: VSlot } + Aux,
    V128GlobalGet { d: VDst, g: u32 },
    V128GlobalSet { s: VSlot, g: u32 },
    V128Load { kind: V128LoadKind, d: VDst, a: Slot, off: u32 },
    /// Loads `bytes` (1, 2, 4 or 8; next `Aux.b`) into lane `Aux.c` of the vector in slot
    /// `Aux.a`.
    V128LoadLane { d: VDst, a: Slot, off: u32 } + Aux,
    V128Store { a: Slot, v: VSlot, off: u32 },
    /// Stores lane `lane` (of `bytes` bytes) of `v`.
    V128StoreLane { bytes: u8, lane: u8, a: Slot, v: VSlot, off: u32 },
    /// Vector → vector.
    SimdUnary { op: SimdOp, d: VDst, s: VSlot },
    /// Scalar → vector (`splat`).
    SimdSplat { op: SimdOp, d: VDst, s: Slot },
    /// Vector → scalar: lane extraction (lane `lane`), `any_true`, `all_true`, `bitmask`.
    SimdToScalar { lane: u8, op: SimdOp, d: Dst, s: VSlot },
    /// Vector × vector → vector.
    SimdBinary { op: SimdOp, d: VDst, a: VSlot, b: VSlot },
    /// Vector × scalar → vector: shifts, and lane replacement (lane `lane`).
    SimdWithScalar { lane: u8, op: SimdOp, d: VDst, a: VSlot, b: Slot },
    /// Three vectors → vector: `bitselect` (`c` in the next `Aux.a`) and `i8x16.shuffle`
    /// (its lane mask a `v128` constant in slot `Aux.a`); the operation in `Aux.b`.
    SimdTernary { d: VSlot, a: VSlot, b: VSlot } + Aux,

    // Relaxed SIMD.
    /// Three vectors → vector: the relaxed operations `op` of three operands (`madd`,
    /// `nmadd`, `laneselect`, `dot_i8x16_i7x16_add_s`), the third in the next `Aux.a`.
    SimdRelaxedTernary { op: SimdOp, d: VSlot, a: VSlot, b: VSlot } + Aux,

    // Accumulator forms (see `translate::accumulator`): the same as the instruction their
    // name starts with, except that one operand (named after `Acc`) is the result of the
    // instruction just before, which the threaded backend passes in a register.
    BrIfNezAccC { c: Slot, off: Off },
    BrIfEqzAccC { c: Slot, off: Off },
    BrI64NezAccC { c: Slot, off: Off },
    BrI64EqzAccC { c: Slot, off: Off },
    BrI32EqAccA { a: Slot, b: Slot, off: Off },
    BrI32EqAccB { a: Slot, b: Slot, off: Off },
    BrI32NeAccA { a: Slot, b: Slot, off: Off },
    BrI32NeAccB { a: Slot, b: Slot, off: Off },
    BrI32LtSAccA { a: Slot, b: Slot, off: Off },
    BrI32LtSAccB { a: Slot, b: Slot, off: Off },
    BrI32LtUAccA { a: Slot, b: Slot, off: Off },
    BrI32LtUAccB { a: Slot, b: Slot, off: Off },
    BrI32GtSAccA { a: Slot, b: Slot, off: Off },
    BrI32GtSAccB { a: Slot, b: Slot, off: Off },
    BrI32GtUAccA { a: Slot, b: Slot, off: Off },
    BrI32GtUAccB { a: Slot, b: Slot, off: Off },
    BrI32LeSAccA { a: Slot, b: Slot, off: Off },
    BrI32LeSAccB { a: Slot, b: Slot, off: Off },
    BrI32LeUAccA { a: Slot, b: Slot, off: Off },
    BrI32LeUAccB { a: Slot, b: Slot, off: Off },
    BrI32GeSAccA { a: Slot, b: Slot, off: Off },
    BrI32GeSAccB { a: Slot, b: Slot, off: Off },
    BrI32GeUAccA { a: Slot, b: Slot, off: Off },
    BrI32GeUAccB { a: Slot, b: Slot, off: Off },
    BrI64EqAccA { a: Slot, b: Slot, off: Off },
    BrI64EqAccB { a: Slot, b: Slot, off: Off },
    BrI64NeAccA { a: Slot, b: Slot, off: Off },
    BrI64NeAccB { a: Slot, b: Slot, off: Off },
    BrI64LtSAccA { a: Slot, b: Slot, off: Off },
    BrI64LtSAccB { a: Slot, b: Slot, off: Off },
    BrI64LtUAccA { a: Slot, b: Slot, off: Off },
    BrI64LtUAccB { a: Slot, b: Slot, off: Off },
    BrI64GtSAccA { a: Slot, b: Slot, off: Off },
    BrI64GtSAccB { a: Slot, b: Slot, off: Off },
    BrI64GtUAccA { a: Slot, b: Slot, off: Off },
    BrI64GtUAccB { a: Slot, b: Slot, off: Off },
    BrI64LeSAccA { a: Slot, b: Slot, off: Off },
    BrI64LeSAccB { a: Slot, b: Slot, off: Off },
    BrI64LeUAccA { a: Slot, b: Slot, off: Off },
    BrI64LeUAccB { a: Slot, b: Slot, off: Off },
    BrI64GeSAccA { a: Slot, b: Slot, off: Off },
    BrI64GeSAccB { a: Slot, b: Slot, off: Off },
    BrI64GeUAccA { a: Slot, b: Slot, off: Off },
    BrI64GeUAccB { a: Slot, b: Slot, off: Off },
    CopyAccS { d: Dst, s: Slot },
    I32LoadAccA { d: Dst, a: Slot, off: u32 },
    I64LoadAccA { d: Dst, a: Slot, off: u32 },
    F64LoadAccA { d: Dst, a: Slot, off: u32 },
    I32Load8UAccA { d: Dst, a: Slot, off: u32 },
    I32Load8SAccA { d: Dst, a: Slot, off: u32 },
    I32Load16UAccA { d: Dst, a: Slot, off: u32 },
    I32Load16SAccA { d: Dst, a: Slot, off: u32 },
    I32StoreAccA { a: Slot, v: Slot, off: u32 },
    I32StoreAccV { a: Slot, v: Slot, off: u32 },
    I64StoreAccA { a: Slot, v: Slot, off: u32 },
    I64StoreAccV { a: Slot, v: Slot, off: u32 },
    I32Store8AccA { a: Slot, v: Slot, off: u32 },
    I32Store8AccV { a: Slot, v: Slot, off: u32 },
    I32Store16AccV { a: Slot, v: Slot, off: u32 },
    I32AddImmAccA { d: Dst, a: Slot, imm: i32 },
    I32MulImmAccA { d: Dst, a: Slot, imm: i32 },
    I32AndImmAccA { d: Dst, a: Slot, imm: i32 },
    I32OrImmAccA { d: Dst, a: Slot, imm: i32 },
    I32XorImmAccA { d: Dst, a: Slot, imm: i32 },
    I32ShlImmAccA { d: Dst, a: Slot, imm: i32 },
    I32ShrSImmAccA { d: Dst, a: Slot, imm: i32 },
    I32ShrUImmAccA { d: Dst, a: Slot, imm: i32 },
    I32RotlImmAccA { d: Dst, a: Slot, imm: i32 },
    I64AddImmAccA { d: Dst, a: Slot, imm: i32 },
    I64MulImmAccA { d: Dst, a: Slot, imm: i32 },
    I64AndImmAccA { d: Dst, a: Slot, imm: i32 },
    I64OrImmAccA { d: Dst, a: Slot, imm: i32 },
    I64XorImmAccA { d: Dst, a: Slot, imm: i32 },
    I64ShlImmAccA { d: Dst, a: Slot, imm: i32 },
    I64ShrSImmAccA { d: Dst, a: Slot, imm: i32 },
    I64ShrUImmAccA { d: Dst, a: Slot, imm: i32 },
    I64RotlImmAccA { d: Dst, a: Slot, imm: i32 },
    I32AddShlAccA { k: u8, d: Dst, a: Slot, b: Slot },
    I32AddShlAccB { k: u8, d: Dst, a: Slot, b: Slot },
    I32LoadAddImmAccA { d: Dst, a: Slot, imm: i32 },
    I64LoadAddImmAccA { d: Dst, a: Slot, imm: i32 },
    I32Load8UAddImmAccA { d: Dst, a: Slot, imm: i32 },
    I32Load8SAddImmAccA { d: Dst, a: Slot, imm: i32 },
    I32Load16UAddImmAccA { d: Dst, a: Slot, imm: i32 },
    I32Load16SAddImmAccA { d: Dst, a: Slot, imm: i32 },
    I32StoreAddImmAccA { a: Slot, v: Slot, imm: i32 },
    I32StoreAddImmAccV { a: Slot, v: Slot, imm: i32 },
    I64StoreAddImmAccA { a: Slot, v: Slot, imm: i32 },
    I64StoreAddImmAccV { a: Slot, v: Slot, imm: i32 },
    I32Store8AddImmAccA { a: Slot, v: Slot, imm: i32 },
    I32Store8AddImmAccV { a: Slot, v: Slot, imm: i32 },
    I32EqzAccS { d: Dst, s: Slot },
    I64EqzAccS { d: Dst, s: Slot },
    I32AddAccA { d: Dst, a: Slot, b: Slot },
    I32AddAccB { d: Dst, a: Slot, b: Slot },
    I32SubAccA { d: Dst, a: Slot, b: Slot },
    I32SubAccB { d: Dst, a: Slot, b: Slot },
    I32MulAccA { d: Dst, a: Slot, b: Slot },
    I32MulAccB { d: Dst, a: Slot, b: Slot },
    I32AndAccA { d: Dst, a: Slot, b: Slot },
    I32AndAccB { d: Dst, a: Slot, b: Slot },
    I32OrAccA { d: Dst, a: Slot, b: Slot },
    I32OrAccB { d: Dst, a: Slot, b: Slot },
    I32XorAccA { d: Dst, a: Slot, b: Slot },
    I32XorAccB { d: Dst, a: Slot, b: Slot },
    I32ShlAccA { d: Dst, a: Slot, b: Slot },
    I32ShlAccB { d: Dst, a: Slot, b: Slot },
    I32ShrSAccA { d: Dst, a: Slot, b: Slot },
    I32ShrSAccB { d: Dst, a: Slot, b: Slot },
    I32ShrUAccA { d: Dst, a: Slot, b: Slot },
    I32ShrUAccB { d: Dst, a: Slot, b: Slot },
    I32RotlAccA { d: Dst, a: Slot, b: Slot },
    I32RotlAccB { d: Dst, a: Slot, b: Slot },
    I64AddAccA { d: Dst, a: Slot, b: Slot },
    I64AddAccB { d: Dst, a: Slot, b: Slot },
    I64SubAccA { d: Dst, a: Slot, b: Slot },
    I64SubAccB { d: Dst, a: Slot, b: Slot },
    I64MulAccA { d: Dst, a: Slot, b: Slot },
    I64MulAccB { d: Dst, a: Slot, b: Slot },
    I64AndAccA { d: Dst, a: Slot, b: Slot },
    I64AndAccB { d: Dst, a: Slot, b: Slot },
    I64OrAccA { d: Dst, a: Slot, b: Slot },
    I64OrAccB { d: Dst, a: Slot, b: Slot },
    I64XorAccA { d: Dst, a: Slot, b: Slot },
    I64XorAccB { d: Dst, a: Slot, b: Slot },
    I64ShlAccA { d: Dst, a: Slot, b: Slot },
    I64ShlAccB { d: Dst, a: Slot, b: Slot },
    I64ShrSAccA { d: Dst, a: Slot, b: Slot },
    I64ShrSAccB { d: Dst, a: Slot, b: Slot },
    I64ShrUAccA { d: Dst, a: Slot, b: Slot },
    I64ShrUAccB { d: Dst, a: Slot, b: Slot },
    I64RotlAccA { d: Dst, a: Slot, b: Slot },
    I64RotlAccB { d: Dst, a: Slot, b: Slot },
    F64AddAccA { d: Dst, a: Slot, b: Slot },
    F64AddAccB { d: Dst, a: Slot, b: Slot },
    F64SubAccA { d: Dst, a: Slot, b: Slot },
    F64SubAccB { d: Dst, a: Slot, b: Slot },
    F64MulAccA { d: Dst, a: Slot, b: Slot },
    F64MulAccB { d: Dst, a: Slot, b: Slot },
    F64DivAccA { d: Dst, a: Slot, b: Slot },
    F64DivAccB { d: Dst, a: Slot, b: Slot },
    F64SqrtAccS { d: Dst, s: Slot },
    F64NegAccS { d: Dst, s: Slot },
    F64AbsAccS { d: Dst, s: Slot },
    I64ExtendI32SAccS { d: Dst, s: Slot },
    I64ExtendI32UAccS { d: Dst, s: Slot },
    F64ConvertI32SAccS { d: Dst, s: Slot },
    F64ConvertI64SAccS { d: Dst, s: Slot },
    I32EqAccA { d: Dst, a: Slot, b: Slot },
    I32EqAccB { d: Dst, a: Slot, b: Slot },
    I32NeAccA { d: Dst, a: Slot, b: Slot },
    I32NeAccB { d: Dst, a: Slot, b: Slot },
    I32LtSAccA { d: Dst, a: Slot, b: Slot },
    I32LtSAccB { d: Dst, a: Slot, b: Slot },
    I32LtUAccA { d: Dst, a: Slot, b: Slot },
    I32LtUAccB { d: Dst, a: Slot, b: Slot },
    I32GtSAccA { d: Dst, a: Slot, b: Slot },
    I32GtSAccB { d: Dst, a: Slot, b: Slot },
    I32GtUAccA { d: Dst, a: Slot, b: Slot },
    I32GtUAccB { d: Dst, a: Slot, b: Slot },
    I32LeSAccA { d: Dst, a: Slot, b: Slot },
    I32LeSAccB { d: Dst, a: Slot, b: Slot },
    I32LeUAccA { d: Dst, a: Slot, b: Slot },
    I32LeUAccB { d: Dst, a: Slot, b: Slot },
    I32GeSAccA { d: Dst, a: Slot, b: Slot },
    I32GeSAccB { d: Dst, a: Slot, b: Slot },
    I32GeUAccA { d: Dst, a: Slot, b: Slot },
    I32GeUAccB { d: Dst, a: Slot, b: Slot },
    I64EqAccA { d: Dst, a: Slot, b: Slot },
    I64EqAccB { d: Dst, a: Slot, b: Slot },
    I64NeAccA { d: Dst, a: Slot, b: Slot },
    I64NeAccB { d: Dst, a: Slot, b: Slot },
    I64LtSAccA { d: Dst, a: Slot, b: Slot },
    I64LtSAccB { d: Dst, a: Slot, b: Slot },
    I64LtUAccA { d: Dst, a: Slot, b: Slot },
    I64LtUAccB { d: Dst, a: Slot, b: Slot },
    I64GtSAccA { d: Dst, a: Slot, b: Slot },
    I64GtSAccB { d: Dst, a: Slot, b: Slot },
    I64GtUAccA { d: Dst, a: Slot, b: Slot },
    I64GtUAccB { d: Dst, a: Slot, b: Slot },
    I32ClzAccS { d: Dst, s: Slot },
    I32CtzAccS { d: Dst, s: Slot },
    I32PopcntAccS { d: Dst, s: Slot },
    I64PopcntAccS { d: Dst, s: Slot },
    SelectAccC { d: Dst, c: Slot, a: Slot } + Aux,
    SelectAccA { d: Dst, c: Slot, a: Slot } + Aux,
}

const _: () = assert!(core::mem::size_of::<Instr>() == 16);

impl Instr {
    /// The branch offset of a branch instruction (relative to the branch itself).
    #[cfg_attr(not(any(debug_assertions, test)), allow(dead_code))]
    pub(crate) fn branch_offset(&self) -> Option<Off> {
        let mut i = *self;
        i.branch_offset_mut().map(|o| *o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn compares_fuse_into_the_branch_of_the_same_condition() {
        let lt = Instr::I32LtS { d: 9, a: 1, b: 2 };
        let taken = Instr::BrI32LtS { a: 1, b: 2, off: 0 };
        let not_taken = Instr::BrI32GeS { a: 1, b: 2, off: 0 };
        assert_eq!(lt.fuse_branch(false), Some(taken));
        assert_eq!(lt.fuse_branch(true), Some(not_taken));
        let eqz = Instr::I64Eqz { d: 9, s: 3 };
        assert_eq!(
            eqz.fuse_branch(false),
            Some(Instr::BrI64Eqz { c: 3, off: 0 })
        );
        assert_eq!(
            eqz.fuse_branch(true),
            Some(Instr::BrI64Nez { c: 3, off: 0 })
        );
        // Float compares do not fuse: with NaN, "not less" is not "greater or equal".
        assert_eq!(Instr::F64Lt { d: 9, a: 1, b: 2 }.fuse_branch(false), None);
        assert_eq!(Instr::I32Add { d: 9, a: 1, b: 2 }.fuse_branch(false), None);
    }

    #[test]
    fn inverses_are_conditional_branches_and_involutions() {
        let branches = [
            Instr::BrIfNez { c: 1, off: 5 },
            Instr::BrI64Eqz { c: 1, off: 5 },
            Instr::BrI32LeU {
                a: 1,
                b: 2,
                off: -3,
            },
            Instr::BrI64GtS { a: 1, b: 2, off: 7 },
        ];
        for b in branches {
            let inv = b.inverted().expect("conditional branch has an inverse");
            assert_ne!(inv, b);
            assert_eq!(inv.branch_offset(), b.branch_offset());
            assert_eq!(inv.inverted(), Some(b));
        }
        assert_eq!(Instr::Br { off: 1 }.inverted(), None);
        assert_eq!(Instr::Br { off: 1 }.branch_offset(), Some(1));
    }

    #[test]
    fn properties_follow_the_field_types() {
        let mut add = Instr::I32Add { d: 4, a: 1, b: 2 };
        *add.retargetable_dst().expect("arithmetic has a Dst") = 0;
        assert_eq!(add, Instr::I32Add { d: 0, a: 1, b: 2 });
        // `memory.copy`'s `d` is an address operand, not a destination.
        let mut copy = Instr::MemoryCopy { d: 4, s: 1, n: 2 };
        assert_eq!(copy.retargetable_dst(), None);
        assert_eq!(copy.aux_words(), 1);
        assert_eq!(Instr::Copy { d: 1, s: 2 }.aux_words(), 0);
        let mut slots = Vec::new();
        Instr::Select { d: 3, c: 1, a: 2 }.for_each_slot(|s| slots.push(s));
        assert_eq!(slots, [3, 1, 2]);
    }
}

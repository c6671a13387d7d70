//! The context native code runs with, and the helpers it calls.
//!
//! Each instance that runs native code has one [`VmCtx`] (boxed, so its address is stable).
//! Native code receives its address as the first argument and reads fixed offsets of it:
//! memory 0's base and length, the addresses of the instance's globals, the module's table
//! of native function bodies, the interrupt flag, the native stack limit, the trap flag and
//! the helper table. Everything else (calls that leave native code, `call_indirect`,
//! `memory.grow`, traps) is a helper: an `extern "sysv64"` Rust function, reached through
//! the helper table, that gets back to the store through the context's store pointer.
//!
//! The context is refreshed on every entry from the interpreter (store pointer, memory,
//! stack limit) and by every helper before it returns (memory, which the helper's callee
//! may have grown or moved), so native code reloads memory only after calls (and of a
//! guarded 32-bit memory, which never moves, only the length).
//!
//! A trap that leaves native code at once (a raised one, or a guard-page fault) resumes
//! the entry frame [`enter`] records here for each activation (see [`super::entry`]).

use super::entry::EntryFrame;
use super::native;
use crate::Store;
use crate::code::CATCH_ALL;
use crate::trap::{FrameInfo, Trap, TrapCode};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::mem::offset_of;
use core::sync::atomic::{AtomicBool, AtomicUsize};
use cranelift_codegen::ir::{Type, types};

/// What native code reads and writes; see the module docs. `repr(C)`: native code uses the
/// offsets below.
#[repr(C)]
pub(crate) struct VmCtx {
    pub mem0_base: *mut u8,
    pub mem0_len: u64,
    /// Module memory index -> that memory's base and length (memory 0 too, also in the two
    /// fields above, which native code reaches with one load less).
    pub memories: *const MemSlot,
    /// Module global index -> the address of that global's value slot.
    pub globals: *const *mut u64,
    /// Module function index -> native body address (0: none yet). The module's, shared by
    /// every instance of it.
    pub natives: *const AtomicUsize,
    pub interrupt: *const AtomicBool,
    /// The store's fuel (`Store::set_fuel`), which native code of a fuel-metered engine
    /// charges in place, as the interpreter does (set on every entry).
    pub fuel: *mut u64,
    /// Native code traps with `StackExhausted` when the stack pointer is below this.
    pub stack_limit: usize,
    /// `stack_limit` plus [`INTERP_ROOM`]: below this, native calls go through the
    /// interpreter, whose frames are on the heap (see [`INTERP_ROOM`]).
    pub stack_soft_limit: usize,
    /// How many more calls may nest (`Config::max_call_depth` less the frames already
    /// live): native code takes one at each function entry and gives it back on return,
    /// and traps with `StackExhausted` below zero. While native code runs the count lives
    /// in the pinned register (r15); trampolines load it from here, and native code writes
    /// it back here before every helper call (the helpers read it here).
    pub depth_left: i64,
    /// Non-zero once a trap is pending: native frames return to the interpreter.
    pub trapped: u32,
    _pad: u32,
    pub helpers: *const Helpers,
    /// The `Store<T>` running this instance (set on every entry).
    pub store: *mut (),
    pub instance: u32,
    /// The pending trap (Rust only).
    pub pending: Option<Trap>,
    /// The entry frame of the innermost activation of native code running this instance,
    /// which a raised trap resumes (set by [`enter`] for its call, then restored).
    pub entry: *const EntryFrame,
    /// Native frames the pending trap unwound through, innermost first: (function, offset).
    pub frames: Vec<(u32, u32)>,
    /// Owns what `globals` points at.
    global_slots: Box<[*mut u64]>,
    /// Owns what `memories` points at (refreshed in place, so the pointer stays valid).
    memory_slots: Box<[MemSlot]>,
}

/// A memory's base and length as native code reads them (`VmCtx::memories`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct MemSlot {
    pub base: *mut u8,
    pub len: u64,
}

/// Byte offsets in a [`MemSlot`].
pub(crate) const MEM_SLOT_SIZE: i32 = core::mem::size_of::<MemSlot>() as i32;
pub(crate) const OFF_SLOT_BASE: i32 = offset_of!(MemSlot, base) as i32;
pub(crate) const OFF_SLOT_LEN: i32 = offset_of!(MemSlot, len) as i32;

pub(crate) const OFF_MEM0_BASE: i32 = offset_of!(VmCtx, mem0_base) as i32;
pub(crate) const OFF_MEM0_LEN: i32 = offset_of!(VmCtx, mem0_len) as i32;
pub(crate) const OFF_MEMORIES: i32 = offset_of!(VmCtx, memories) as i32;
pub(crate) const OFF_GLOBALS: i32 = offset_of!(VmCtx, globals) as i32;
pub(crate) const OFF_NATIVES: i32 = offset_of!(VmCtx, natives) as i32;
pub(crate) const OFF_INTERRUPT: i32 = offset_of!(VmCtx, interrupt) as i32;
pub(crate) const OFF_FUEL: i32 = offset_of!(VmCtx, fuel) as i32;
pub(crate) const OFF_STACK_LIMIT: i32 = offset_of!(VmCtx, stack_limit) as i32;
pub(crate) const OFF_STACK_SOFT_LIMIT: i32 = offset_of!(VmCtx, stack_soft_limit) as i32;
pub(crate) const OFF_DEPTH_LEFT: i32 = offset_of!(VmCtx, depth_left) as i32;
pub(crate) const OFF_TRAPPED: i32 = offset_of!(VmCtx, trapped) as i32;
pub(crate) const OFF_HELPERS: i32 = offset_of!(VmCtx, helpers) as i32;

/// The helpers native code calls, in the order of [`Helpers`]' fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Helper {
    /// `(func: i32, slots: i64)`: calls module function `func` through the interpreter (or
    /// the host), arguments and results in `slots`.
    Call = 0,
    /// `(table: i32, type: i32, elem: i64, slots: i64)`: `call_indirect` (the element
    /// index zero-extended from a 32-bit table's).
    CallIndirect = 1,
    /// `(delta: i32) -> i32`: `memory.grow` of memory 0.
    MemoryGrow = 2,
    /// `(code: i32, func: i32, offset: i32)`: a trap (code != 0) raised, or one passing
    /// through (code 0), in function `func` at `offset`.
    Trap = 3,
    /// `(op: i32, a: i64, b: i64, c: i64, d: i64, e: i64) -> i64`: a table, bulk memory
    /// or reference instruction ([`Op`]), its module indices and operands widened to i64.
    Op = 4,
    /// `(table: i32, type: i32, elem: i64) -> i64`: the native body `call_indirect` (or
    /// `return_call_indirect`) can call directly, or [`NOT_DIRECT`] or [`BAD_CALL`] (see
    /// [`helper_resolve_indirect`]).
    ResolveIndirect = 5,
    /// `(ref: i64, slots: i64)`: `call_ref` of a non-null function reference (the store
    /// function `ref - 1`), arguments and results in `slots`.
    CallRef = 6,
    /// `(ref: i64) -> i64`: the native body `call_ref` (or `return_call_ref`) of a non-null
    /// reference can call directly, or [`NOT_DIRECT`].
    ResolveRef = 7,
    /// `(tag: i32, n: i32, slots: i64)`: `throw` of module tag `tag` with the `n` payload
    /// slots at `slots`: the new exception becomes the pending trap (or the trap that
    /// refused to make it, past the exception budget).
    Throw = 8,
    /// `(exn: i64)`: `throw_ref` of a non-null exception reference (a stale one traps).
    ThrowRef = 9,
    /// `(tag: i32, with_ref: i32, slots: i64) -> i32`: a `try_table`'s catch clause for
    /// module tag `tag` ([`CATCH_ALL`] for `catch_all`, as in the handler table): 1 if the
    /// pending trap is an exception it catches, which is then no longer pending, its
    /// payload written to `slots` (and, if `with_ref`, its reference after it); else 0.
    Catch = 10,
    /// `(code: i32, func: i32, offset: i32, fp: i64)`, never returns: raises a trap (code
    /// != 0) or the pending one (code 0) in function `func` at `offset`, from the native
    /// frame whose frame pointer is `fp`. Every native frame up to the entry frame is
    /// abandoned, each caller on the way joining the backtrace (see [`super::entry`]).
    /// Only code of modules that catch no exception raises (`Translator::raise`).
    Raise = 11,
}

/// The instructions native code runs through [`Helper::Op`], with their operands: module
/// indices first, then the wasm operands in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Op {
    /// (mem, d, v, n)
    MemoryFill,
    /// (dst mem, src mem, d, s, n)
    MemoryCopy,
    /// (mem, data, d, s, n)
    MemoryInit,
    /// (data)
    DataDrop,
    /// (table, i) -> value
    TableGet,
    /// (table, i, v)
    TableSet,
    /// (table) -> length
    TableSize,
    /// (table, init, delta) -> old length or -1
    TableGrow,
    /// (table, i, v, n)
    TableFill,
    /// (dst table, src table, d, s, n)
    TableCopy,
    /// (table, elem, d, s, n)
    TableInit,
    /// (elem)
    ElemDrop,
    /// (func) -> reference
    RefFunc,
    /// (mem, delta) -> old length in pages, or `u64::MAX` (memory 0 of 32 bits has its
    /// own helper, `Helper::MemoryGrow`)
    MemoryGrow,
}

impl Op {
    const ALL: [Op; 14] = [
        Op::MemoryFill,
        Op::MemoryCopy,
        Op::MemoryInit,
        Op::DataDrop,
        Op::TableGet,
        Op::TableSet,
        Op::TableSize,
        Op::TableGrow,
        Op::TableFill,
        Op::TableCopy,
        Op::TableInit,
        Op::ElemDrop,
        Op::RefFunc,
        Op::MemoryGrow,
    ];
}

impl Helper {
    /// Parameter and result types after the context.
    pub(crate) fn signature(self) -> (&'static [Type], &'static [Type]) {
        match self {
            Helper::Call => (&[types::I32, types::I64], &[]),
            Helper::CallIndirect => (&[types::I32, types::I32, types::I64, types::I64], &[]),
            Helper::MemoryGrow => (&[types::I32], &[types::I32]),
            Helper::Trap => (&[types::I32, types::I32, types::I32], &[]),
            Helper::Op => (
                &[
                    types::I32,
                    types::I64,
                    types::I64,
                    types::I64,
                    types::I64,
                    types::I64,
                ],
                &[types::I64],
            ),
            Helper::ResolveIndirect => (&[types::I32, types::I32, types::I64], &[types::I64]),
            Helper::CallRef => (&[types::I64, types::I64], &[]),
            Helper::ResolveRef => (&[types::I64], &[types::I64]),
            Helper::Throw => (&[types::I32, types::I32, types::I64], &[]),
            Helper::ThrowRef => (&[types::I64], &[]),
            Helper::Catch => (&[types::I32, types::I32, types::I64], &[types::I32]),
            Helper::Raise => (&[types::I32, types::I32, types::I32, types::I64], &[]),
        }
    }
}

/// The helper table, one per store type `T`.
#[repr(C)]
pub(crate) struct Helpers {
    call: unsafe extern "sysv64" fn(*mut VmCtx, u32, *mut u64),
    call_indirect: unsafe extern "sysv64" fn(*mut VmCtx, u32, u32, u64, *mut u64),
    memory_grow: unsafe extern "sysv64" fn(*mut VmCtx, u32) -> u32,
    trap: unsafe extern "sysv64" fn(*mut VmCtx, u32, u32, u32),
    op: unsafe extern "sysv64" fn(*mut VmCtx, u32, u64, u64, u64, u64, u64) -> u64,
    resolve_indirect: unsafe extern "sysv64" fn(*mut VmCtx, u32, u32, u64) -> u64,
    call_ref: unsafe extern "sysv64" fn(*mut VmCtx, u64, *mut u64),
    resolve_ref: unsafe extern "sysv64" fn(*mut VmCtx, u64) -> u64,
    throw: unsafe extern "sysv64" fn(*mut VmCtx, u32, u32, *const u64),
    throw_ref: unsafe extern "sysv64" fn(*mut VmCtx, u64),
    catch: unsafe extern "sysv64" fn(*mut VmCtx, u32, u32, *mut u64) -> u32,
    raise: unsafe extern "sysv64" fn(*mut VmCtx, u32, u32, u32, u64) -> !,
}

fn helpers<T>() -> &'static Helpers {
    const {
        &Helpers {
            call: helper_call::<T>,
            call_indirect: helper_call_indirect::<T>,
            memory_grow: helper_memory_grow::<T>,
            trap: helper_trap,
            op: helper_op::<T>,
            resolve_indirect: helper_resolve_indirect::<T>,
            call_ref: helper_call_ref::<T>,
            resolve_ref: helper_resolve_ref::<T>,
            throw: helper_throw::<T>,
            throw_ref: helper_throw_ref::<T>,
            catch: helper_catch::<T>,
            raise: helper_raise,
        }
    }
}

/// The offset a trap at a function's entry passes (stack or call depth exhausted): the
/// function did not start, so the trap is its caller's, at the call, as in the interpreter.
pub(crate) const NO_FRAME: u32 = u32::MAX;

/// Trap codes as native code passes them (0 means "no new trap").
const TRAP_CODES: [TrapCode; 17] = [
    TrapCode::Unreachable,
    TrapCode::MemoryOutOfBounds,
    TrapCode::TableOutOfBounds,
    TrapCode::UndefinedElement,
    TrapCode::UninitializedElement,
    TrapCode::IndirectCallTypeMismatch,
    TrapCode::IntegerDivideByZero,
    TrapCode::IntegerOverflow,
    TrapCode::InvalidConversionToInteger,
    TrapCode::StackExhausted,
    TrapCode::OutOfFuel,
    TrapCode::Interrupted,
    TrapCode::ResourceLimitExceeded,
    TrapCode::BadSignature,
    TrapCode::NullReference,
    TrapCode::NullFunctionReference,
    TrapCode::NullExceptionReference,
];

pub(crate) fn trap_code_to_u32(c: TrapCode) -> u32 {
    TRAP_CODES
        .iter()
        .position(|t| *t == c)
        .expect("every trap code is listed") as u32
        + 1
}

fn trap_code_from_u32(c: u32) -> Option<TrapCode> {
    TRAP_CODES.get((c as usize).checked_sub(1)?).copied()
}

/// Room kept below the stack limit for helpers: the interpreter, host functions and the
/// native frames they call in turn check the limit again before going deeper.
const HELPER_ROOM: usize = 64 * 1024;

/// When the stack pointer comes within this of the limit, calls out of native code (and
/// the interpreter's calls into it) run in the interpreter instead, whose frames are on the
/// heap: a deep recursion goes on to the same `Config::max_call_depth` as in the
/// interpreter, rather than trapping when `Config::max_native_stack` runs out. The room
/// covers the helper, the interpreter and the host functions it calls ([`HELPER_ROOM`]),
/// and the frame of the native function that made the call.
pub(crate) const INTERP_ROOM: usize = 2 * HELPER_ROOM;

/// The current stack pointer: the register itself, as native code reads it (the address of
/// a local is not it: sanitizers move locals to a heap-allocated "fake stack").
#[inline(always)]
pub(crate) fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads a register into a fresh output; no memory or flags are touched.
    unsafe {
        core::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    sp
}

impl VmCtx {
    /// The context of instance `inst` of `store`, made on its first native call.
    pub(crate) fn new<T>(
        store: &mut Store<T>,
        inst: u32,
        natives: *const AtomicUsize,
    ) -> Box<Self> {
        let inner = &mut store.inner;
        let ie = &inner.instances[inst as usize];
        let global_slots: Box<[*mut u64]> = ie
            .globals
            .iter()
            .map(|g| core::ptr::addr_of_mut!(inner.globals[*g as usize].value))
            .collect();
        let empty = MemSlot {
            base: core::ptr::null_mut(),
            len: 0,
        };
        let memory_slots = alloc::vec![empty; ie.memories.len()].into_boxed_slice();
        let mut cx = Box::new(VmCtx {
            mem0_base: core::ptr::null_mut(),
            mem0_len: 0,
            memories: core::ptr::null(),
            globals: core::ptr::null(),
            natives,
            interrupt: alloc::sync::Arc::as_ptr(&inner.interrupt.0),
            fuel: core::ptr::null_mut(),
            stack_limit: usize::MAX,
            stack_soft_limit: usize::MAX,
            depth_left: 0,
            trapped: 0,
            _pad: 0,
            helpers: helpers::<T>(),
            store: core::ptr::null_mut(),
            instance: inst,
            pending: None,
            entry: core::ptr::null(),
            frames: Vec::new(),
            global_slots,
            memory_slots,
        });
        cx.globals = cx.global_slots.as_ptr();
        cx.memories = cx.memory_slots.as_ptr();
        cx
    }

    /// Each memory's base and length, as native code reads them.
    #[cfg(all(feature = "std", target_os = "linux", not(miri)))]
    pub(crate) fn memory_slots(&self) -> &[MemSlot] {
        &self.memory_slots
    }

    /// Reloads memory 0's base and length from the store.
    fn refresh_memory<T>(&mut self, store: &Store<T>) {
        let ie = &store.inner.instances[self.instance as usize];
        for (slot, &m) in self.memory_slots.iter_mut().zip(&ie.memories) {
            let m = &store.inner.memories[m as usize];
            *slot = MemSlot {
                base: m.base(),
                len: m.len() as u64,
            };
        }
        (self.mem0_base, self.mem0_len) = match self.memory_slots.first() {
            Some(s) => (s.base, s.len),
            None => (core::ptr::null_mut(), 0),
        };
    }

    /// Records a trap (or a failure passed up from a callee) for the native frames to
    /// return with.
    fn fail(&mut self, t: Trap) {
        self.pending = Some(t);
        self.trapped = 1;
    }

    /// A trap raised (`code` != 0) or passing through (0) in function `func` at `offset`
    /// ([`NO_FRAME`]: not in that function's frame, which did not start).
    fn trap_at(&mut self, code: u32, func: u32, offset: u32) {
        if let Some(c) = trap_code_from_u32(code) {
            self.frames.clear();
            self.fail(c.into());
        }
        if offset != NO_FRAME {
            self.frames.push((func, offset));
        }
    }
}

/// Runs `native`'s body for function `func` of instance `inst` with the arguments in
/// `slots` (at least as many slots as the function has parameters or results), writing the
/// results there. Called by the interpreter.
pub(crate) fn enter<T>(
    store: &mut Store<T>,
    inst: u32,
    native: native::NativeEntry,
    cx: *mut VmCtx,
    slots: &mut [u64],
    depth_bonus: i64,
) -> Result<(), Trap> {
    let sp = stack_pointer();
    // SAFETY: `cx` is the instance's boxed context, owned by the store's instance and not
    // otherwise borrowed while native code runs (helpers reach it only through this pointer).
    let cxr = unsafe { &mut *cx };
    let outer_limit = (cxr.stack_limit, cxr.stack_soft_limit);
    let outer_depth = cxr.depth_left;
    // The interpreter checks the depth when it calls, not for the function the host (or a
    // helper) enters: `depth_bonus` 1 gives native code the same allowance there.
    cxr.depth_left =
        native::max_call_depth(store) as i64 - store.inner.stack.frames.len() as i64 + depth_bonus;
    let limit = if native::native_depth(store) == 0 {
        sp.saturating_sub(store.inner.engine.config().max_native_stack)
    } else {
        native::stack_limit(store)
    };
    cxr.stack_limit = limit;
    cxr.stack_soft_limit = limit.saturating_add(INTERP_ROOM);
    cxr.store = (store as *mut Store<T>).cast();
    cxr.fuel = &mut store.inner.fuel;
    cxr.refresh_memory(store);
    native::enter_native(store, limit, sp);
    // SAFETY: the trampoline was compiled for this function's signature: it reads the
    // parameters from `slots` and writes the results there; `slots` has room for both.
    // The context is valid and refreshed; the body's address is its compiled code, kept
    // mapped while the store is pinned (see `reclaim`), which it is until this returns.
    let outer_entry = cxr.entry;
    #[cfg(all(feature = "std", target_os = "linux", not(miri)))]
    let fault =
        unsafe { super::signals::call(native.trampoline, cx, native.body, slots.as_mut_ptr()) };
    #[cfg(not(all(feature = "std", target_os = "linux", not(miri))))]
    let fault: Option<(Vec<(u32, u32)>, usize)> = {
        let mut frame = EntryFrame::new();
        let frame: *mut EntryFrame = &mut frame;
        // SAFETY: as above; `frame` outlives the call, and the raise helper reads it
        // through the context only while native code runs.
        unsafe {
            (*cx).entry = frame;
            super::entry::call(
                frame,
                native.trampoline,
                cx,
                native.body,
                slots.as_mut_ptr(),
            );
        }
        None
    };
    native::leave_native(store);
    // SAFETY: as above; native code has returned.
    let cxr = unsafe { &mut *cx };
    (cxr.stack_limit, cxr.stack_soft_limit) = outer_limit;
    cxr.depth_left = outer_depth;
    cxr.entry = outer_entry;
    // An unchecked access faulted: the trap its native frames would have returned with.
    let mut omitted = 0;
    if let Some((frames, skipped)) = fault {
        cxr.frames = frames;
        cxr.fail(TrapCode::MemoryOutOfBounds.into());
        omitted = skipped;
    }
    if cxr.trapped == 0 {
        return Ok(());
    }
    cxr.trapped = 0;
    let frames = core::mem::take(&mut cxr.frames);
    let t = cxr
        .pending
        .take()
        .unwrap_or_else(|| Trap::new(TrapCode::Unreachable));
    let module = &store.inner.instances[inst as usize].module;
    let infos = frames.iter().map(|&(f, off)| FrameInfo {
        func_index: f,
        func_name: module.func_names.get(&f).cloned(),
        module_offset: Some(off as usize),
    });
    Err(t.continue_backtrace(infos).omitting(omitted))
}

/// The store and context behind a helper's `cx`.
///
/// # Safety
/// `cx` is the context native code was entered with, whose `store` is a `Store<T>` that
/// the interpreter lent to native code for the call.
unsafe fn parts<'a, T>(cx: *mut VmCtx) -> (&'a mut VmCtx, &'a mut Store<T>) {
    // SAFETY: as the caller promised; native code holds no references into either.
    unsafe {
        let cx = &mut *cx;
        let store = &mut *(cx.store as *mut Store<T>);
        (cx, store)
    }
}

/// Whether a helper may go deeper (run the interpreter, a host function, more native code).
fn room(cx: &VmCtx) -> bool {
    stack_pointer() >= cx.stack_limit.saturating_add(HELPER_ROOM)
}

unsafe extern "sysv64" fn helper_call<T>(cx: *mut VmCtx, func: u32, slots: *mut u64) {
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    if !room(cx) {
        return cx.fail(TrapCode::StackExhausted.into());
    }
    let inst = cx.instance;
    let callee = store.inner.instances[inst as usize].funcs[func as usize];
    // SAFETY: native code spilled the arguments into a stack slot for the callee's type.
    unsafe { call_store_func(cx, store, callee, slots) }
}

unsafe extern "sysv64" fn helper_call_indirect<T>(
    cx: *mut VmCtx,
    table: u32,
    ty: u32,
    elem: u64,
    slots: *mut u64,
) {
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    if !room(cx) {
        return cx.fail(TrapCode::StackExhausted.into());
    }
    let inst = cx.instance;
    let callee = match crate::exec::indirect_callee(store, inst, table, ty, elem) {
        Ok(f) => f,
        Err(c) => return cx.fail(c.into()),
    };
    // SAFETY: native code spilled the arguments into a stack slot for the type it was
    // compiled with, which `indirect_callee` checked is the callee's.
    unsafe { call_store_func(cx, store, callee, slots) }
}

/// [`Helper::ResolveIndirect`]: a valid call native code cannot make directly.
pub(crate) const NOT_DIRECT: u64 = 0;
/// [`Helper::ResolveIndirect`]: a call that traps (null or missing element, wrong type).
pub(crate) const BAD_CALL: u64 = 1;

/// The body native code may call directly for an indirect call through element `elem` of
/// table `table` expecting module type `ty`: the callee's native body if it is a function
/// of the calling instance (so it runs with the same context) that has native code and is
/// of that type. Otherwise [`NOT_DIRECT`], or [`BAD_CALL`] for a call that traps; the
/// caller then calls through the `call_indirect` helper, which raises the trap or calls
/// through the interpreter.
unsafe extern "sysv64" fn helper_resolve_indirect<T>(
    cx: *mut VmCtx,
    table: u32,
    ty: u32,
    elem: u64,
) -> u64 {
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    let inst = cx.instance;
    match crate::exec::indirect_callee(store, inst, table, ty, elem) {
        Ok(callee) => native::direct_body(store, inst, callee) as u64,
        Err(_) => BAD_CALL,
    }
}

/// `call_ref` of reference `r`, which native code checked is not null (validation checked
/// its type).
unsafe extern "sysv64" fn helper_call_ref<T>(cx: *mut VmCtx, r: u64, slots: *mut u64) {
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    if !room(cx) {
        return cx.fail(TrapCode::StackExhausted.into());
    }
    let callee = (r - 1) as u32;
    // SAFETY: native code spilled the arguments into a stack slot for the reference's
    // type, which is the callee's.
    unsafe { call_store_func(cx, store, callee, slots) }
}

/// The body native code may call directly for `call_ref` of non-null reference `r` (see
/// [`helper_resolve_indirect`]), or [`NOT_DIRECT`].
unsafe extern "sysv64" fn helper_resolve_ref<T>(cx: *mut VmCtx, r: u64) -> u64 {
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    native::direct_body(store, cx.instance, (r - 1) as u32) as u64
}

/// Calls store function `callee` for native code (the `call` and `call_indirect` helpers):
/// one call level, the arguments and results in `slots`, memory refreshed afterwards.
///
/// # Safety
/// `slots` holds at least as many slots as `callee` has parameters or results.
unsafe fn call_store_func<T>(cx: &mut VmCtx, store: &mut Store<T>, callee: u32, slots: *mut u64) {
    let inst = cx.instance;
    let n = native::slot_count(store, callee);
    // SAFETY: as the caller promised.
    let slots = unsafe { core::slice::from_raw_parts_mut(slots, n) };
    // A call takes one level, as a direct native call does at the callee's entry.
    if cx.depth_left <= 0 {
        return cx.fail(TrapCode::StackExhausted.into());
    }
    native::safe_point(store);
    let r = native::with_depth_left(store, cx.depth_left - 1, |store| {
        crate::exec::call_with_slots(store, callee, slots, Some(inst))
    });
    cx.refresh_memory(store);
    if let Err(t) = r {
        cx.fail(t);
    }
}

unsafe extern "sysv64" fn helper_memory_grow<T>(cx: *mut VmCtx, delta: u32) -> u32 {
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    let mem = store.inner.instances[cx.instance as usize].memories[0];
    let r = store
        .inner
        .grow_memory(mem, delta as u64)
        .map_or(u32::MAX, |old| old as u32);
    cx.refresh_memory(store);
    r
}

/// Runs one [`Op`]; see there for the operands.
unsafe extern "sysv64" fn helper_op<T>(
    cx: *mut VmCtx,
    op: u32,
    a: u64,
    b: u64,
    c: u64,
    d: u64,
    e: u64,
) -> u64 {
    use crate::exec;
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    let inner = &mut store.inner;
    let inst = cx.instance as usize;
    // The store index of the running instance's entity `$i` of kind `$space`.
    macro_rules! res {
        ($space:ident, $i:expr) => {
            inner.instances[inst].$space[$i as usize]
        };
    }
    let r: Result<u64, TrapCode> = match Op::ALL[op as usize] {
        Op::MemoryFill => {
            let m = res!(memories, a);
            exec::memory_fill(inner, m, b, c as u8, d).map(|()| 0)
        }
        Op::MemoryCopy => {
            let (dm, sm) = (res!(memories, a), res!(memories, b));
            exec::memory::copy(&mut inner.memories, dm, sm, c, d, e).map(|()| 0)
        }
        Op::MemoryInit => {
            let (m, data) = (res!(memories, a), res!(datas, b));
            exec::memory_init(inner, m, data, c, d as u32, e as u32).map(|()| 0)
        }
        Op::DataDrop => {
            let data = res!(datas, a);
            inner.datas[data as usize].range = 0..0;
            Ok(0)
        }
        Op::TableGet => {
            let t = res!(tables, a);
            exec::table::get(&inner.tables[t as usize].elems, b)
        }
        Op::TableSet => {
            let t = res!(tables, a);
            exec::table::get_mut(&mut inner.tables[t as usize].elems, b).map(|slot| {
                *slot = c;
                0
            })
        }
        Op::TableSize => {
            let t = res!(tables, a);
            Ok(inner.tables[t as usize].elems.len() as u64)
        }
        // Indices and lengths arrive as u64 (zero-extended from 32-bit tables'), and a
        // failed grow is all ones, which a 32-bit table's caller narrows to -1.
        Op::TableGrow => {
            let t = res!(tables, a);
            Ok(inner.grow_table64(t, c, b).unwrap_or(u64::MAX))
        }
        Op::TableFill => {
            let t = res!(tables, a);
            exec::table::fill(inner, t, b, c, d).map(|()| 0)
        }
        Op::TableCopy => {
            let (dt, st) = (res!(tables, a), res!(tables, b));
            exec::table::copy(inner, dt, st, c, d, e).map(|()| 0)
        }
        Op::TableInit => {
            let (t, elem) = (res!(tables, a), res!(elems, b));
            exec::table::init(inner, t, elem, c, d as u32, e as u32).map(|()| 0)
        }
        Op::ElemDrop => {
            let elem = res!(elems, a);
            inner.elems[elem as usize].items = Vec::new();
            Ok(0)
        }
        Op::RefFunc => Ok(res!(funcs, a) as u64 + 1),
        Op::MemoryGrow => {
            let m = res!(memories, a);
            Ok(inner.grow_memory(m, b).unwrap_or(u64::MAX))
        }
    };
    if Op::ALL[op as usize] == Op::MemoryGrow {
        // The memory's length (and, without a reservation, its base) changed.
        cx.refresh_memory(store);
    }
    match r {
        Ok(v) => v,
        Err(c) => {
            cx.fail(c.into());
            0
        }
    }
}

/// `throw`: makes the exception object (the interpreter's frames below are roots for the
/// collection it may run, and so are the native frames: see `native::native_roots`) and
/// makes it the pending trap, which the native frames pass up like any trap until a
/// [`helper_catch`] takes it or it leaves native code.
unsafe extern "sysv64" fn helper_throw<T>(cx: *mut VmCtx, tag: u32, n: u32, slots: *const u64) {
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    let inner = &mut store.inner;
    let tag = inner.instances[cx.instance as usize].tags[tag as usize];
    // SAFETY: native code spilled the tag type's `n` payload slots there.
    let payload: Box<[u64]> = unsafe { core::slice::from_raw_parts(slots, n as usize) }.into();
    let extent = inner.stack.top;
    match inner.new_exception(tag, payload, extent) {
        Ok(exn) => {
            let t = inner.escaping(exn);
            cx.fail(t);
        }
        Err(t) => cx.fail(t),
    }
}

/// `throw_ref` of a non-null reference (native code traps on null itself).
unsafe extern "sysv64" fn helper_throw_ref<T>(cx: *mut VmCtx, exn: u64) {
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    let inner = &mut store.inner;
    if inner.exns.get(exn).is_none() {
        // The interpreter's words for the same case.
        return cx.fail(Trap::host("throw_ref of a stale exception reference"));
    }
    let t = inner.escaping(exn);
    cx.fail(t);
}

/// One catch clause of a `try_table` whose body a pending trap left (see
/// [`Helper::Catch`]). Matching is the interpreter's: the clause's tag, resolved in the
/// running instance, is the exception's tag. An exception a host function made (not an
/// object of this store, or a stale one) is made an object again, as the interpreter does.
unsafe extern "sysv64" fn helper_catch<T>(
    cx: *mut VmCtx,
    tag: u32,
    with_ref: u32,
    slots: *mut u64,
) -> u32 {
    // SAFETY: native code passes its own context.
    let (cx, store) = unsafe { parts::<T>(cx) };
    let inner = &mut store.inner;
    let Some(e) = cx.pending.as_ref().and_then(Trap::exception) else {
        return 0;
    };
    if tag != CATCH_ALL && inner.instances[cx.instance as usize].tags[tag as usize] != e.tag().0 {
        return 0;
    }
    let extent = inner.stack.top;
    let exn = match inner.rethrown(e, extent) {
        Ok(exn) => exn,
        Err(t) => {
            // Past the exception budget: that trap replaces the exception (as in the
            // interpreter, whose `rethrown` fails the same way).
            cx.fail(t);
            return 0;
        }
    };
    let payload = &inner.exns.get(exn).expect("live: just looked up").payload;
    let mut n = 0;
    if tag != CATCH_ALL {
        n = payload.len();
        // SAFETY: native code made room at `slots` for the tag type's payload slots and
        // the reference.
        unsafe { core::ptr::copy_nonoverlapping(payload.as_ptr(), slots, n) };
    }
    if with_ref != 0 {
        // SAFETY: as above.
        unsafe { *slots.add(n) = exn };
    }
    cx.pending = None;
    cx.trapped = 0;
    cx.frames.clear();
    1
}

unsafe extern "sysv64" fn helper_trap(cx: *mut VmCtx, code: u32, func: u32, offset: u32) {
    // SAFETY: native code passes its own context; this helper does not touch the store.
    let cx = unsafe { &mut *cx };
    cx.trap_at(code, func, offset);
}

/// [`Helper::Raise`]. Holds nothing to drop when it resumes the entry frame: the frames
/// go into the context's own list.
unsafe extern "sysv64" fn helper_raise(
    cx: *mut VmCtx,
    code: u32,
    func: u32,
    offset: u32,
    fp: u64,
) -> ! {
    // SAFETY: native code passes its own context; this helper does not touch the store.
    let cx = unsafe { &mut *cx };
    cx.trap_at(code, func, offset);
    let entry = cx.entry;
    // SAFETY: `enter` set `entry` to the entry frame of the activation running, which is
    // live below the raising frame `fp` (native code keeps frame pointers, so the chain
    // from `fp` to the entry frame is intact); the native frames above it own nothing.
    unsafe {
        super::sites::callers(fp as usize, (*entry).fp, &mut cx.frames);
        super::entry::resume(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_codes_round_trip() {
        for c in TRAP_CODES {
            assert_eq!(trap_code_from_u32(trap_code_to_u32(c)), Some(c));
        }
        assert_eq!(trap_code_from_u32(0), None);
    }
}

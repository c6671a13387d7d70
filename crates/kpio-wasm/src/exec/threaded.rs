//! Threaded dispatch for the simple instructions (x86_64, optimised hosted builds).
//!
//! Each simple instruction gets its own handler; a handler does its work and then
//! tail-calls the next instruction's handler through a table indexed by opcode, so every
//! handler has its own indirect jump (which the branch predictor learns per instruction)
//! and the hot state (`ip`, `fp`, the memory base and the context) stays in argument
//! registers. The fourth argument, in `rcx`, carries nothing: x86 takes variable shift and
//! rotate counts only in `cl`, so a handler that shifts would otherwise save and restore
//! what `rcx` holds. The memory's length is read from the context where a bounds check
//! needs it (a memory operand of the compare).
//! Calls to functions of the running instance that are already translated (`call`, and
//! `call_ref` of a reference to one of them), and the returns to callers in the same
//! instance, are handled here too, through [`FastCx`]. Anything else,
//! or an instruction about to trap or to hit a limit, returns its address to the portable
//! loop in `exec`, which executes it and comes back.
//!
//! This relies on LLVM turning the tail calls into jumps, which it does when optimising
//! (`build.rs` enables this module only then, and never for bare-metal targets, where
//! arguments may travel on the stack and the calls would pile up frames).

use super::ops::{frame_helpers, simple_ops};
use super::{Frame, ea, float};
use crate::code::{CompiledFunc, OnceBox};
use crate::ir::{Instr, OP_COUNT, Op};
use crate::trap::TrapCode;
use alloc::vec::Vec;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, Ordering};

type Handler = unsafe extern "sysv64" fn(
    *const Instr,
    *mut u64,
    *mut u8,
    Scratch,
    *mut FastCx,
    IntAcc,
    FloatAcc,
) -> *const Instr;

/// The argument that keeps `rcx` free (see the module comment): never read.
type Scratch = MaybeUninit<usize>;

/// The accumulator, in `r9`: the result of the instruction just executed, if it computed
/// one into a slot (it is in the slot too). Only an accumulator form reads it, and the
/// translator places one only right after such an instruction (see
/// `translate::accumulator`), so the operand arrives without a store-to-load round trip
/// through the frame. Handlers that compute nothing pass it on uninitialised.
type IntAcc = MaybeUninit<u64>;

/// The same result as an `f64`, in `xmm0`, for the accumulator forms of the `f64`
/// operators (a float result would otherwise cross to an integer register and back).
type FloatAcc = MaybeUninit<f64>;

/// Nothing in the accumulator (after an instruction that computes no result).
const NO_ACC: (IntAcc, FloatAcc) = (MaybeUninit::uninit(), MaybeUninit::uninit());

/// What the call and return handlers need besides the registers: the value stack, the frame
/// stack, the running instance's code map, and the current function. The portable loop
/// fills it in before each [`run`] and reads `fp` and `func` back after. The instance never
/// changes here: calls and returns that would change it go to the portable loop.
pub(super) struct FastCx {
    pub slots: *mut u64,
    pub slots_len: usize,
    pub frames: *mut Vec<Frame>,
    /// `frames.len()` when the executor was entered: returns below it go to the loop.
    pub depth: usize,
    pub max_depth: usize,
    /// The module's code map entries, by module function index. Entries of imported
    /// functions are always empty, so calls to imports go to the portable loop.
    pub code: *const OnceBox<CompiledFunc>,
    pub instance: u32,
    /// Module index of the running function.
    pub func: u32,
    /// The running instance's defined functions are the store functions
    /// `first_defined .. first_defined + num_defined` (instantiation adds them in a row),
    /// module indices from `num_imported` on: how `call_ref` finds a callee of its own.
    pub first_defined: u32,
    pub num_defined: u32,
    pub num_imported: u32,
    /// Where the current frame was when `run` returned.
    pub fp: *mut u64,
    /// The store's interrupt flag, for `CheckInterrupt`.
    pub interrupt: *const AtomicBool,
    /// The length of the function's memory 0 (`run` fills it in).
    pub mem_len: usize,
    /// A native tier is on: calls go to the portable loop, which counts them and takes
    /// native code where there is some.
    #[cfg(feature = "jit")]
    pub jit: bool,
    /// The running module's loop-iteration counters, by function (null without a tiered
    /// native tier), for `LoopCount`.
    #[cfg(feature = "jit")]
    pub loop_counts: *const core::sync::atomic::AtomicU32,
    /// `Config::jit_loop_threshold` (below the counters' "done" value).
    #[cfg(feature = "jit")]
    pub loop_threshold: u32,
}

/// Runs instructions from `ip` until one needs the portable loop; returns it, with the
/// frame pointer and current function left in `cx`.
///
/// # Safety
/// `ip` points into translated code, `fp` at a frame with all the slots that code names,
/// `mem_base`/`mem_len` describe the function's memory 0, and `cx` the live stacks.
#[inline(always)]
pub(super) unsafe fn run(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    mem_len: usize,
    cx: &mut FastCx,
) -> *const Instr {
    cx.mem_len = mem_len;
    // SAFETY: `dispatch` needs what `run` was promised.
    unsafe { dispatch(ip, fp, mem_base, cx, NO_ACC) }
}

#[inline(always)]
unsafe fn dispatch(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    cx: *mut FastCx,
    acc: (IntAcc, FloatAcc),
) -> *const Instr {
    // SAFETY: `Instr` is `repr(u16)`: its first two bytes are the opcode, always below
    // OP_COUNT; an `Instr` is at least 2-aligned (it has u16 and u32 fields), so the read is
    // aligned.
    unsafe {
        let op = *(ip as *const u16) as usize;
        (TABLE.get_unchecked(op))(ip, fp, mem_base, MaybeUninit::uninit(), cx, acc.0, acc.1)
    }
}

/// The handler of every instruction the portable loop executes: hands it back.
unsafe extern "sysv64" fn bail(
    ip: *const Instr,
    fp: *mut u64,
    _: *mut u8,
    _: Scratch,
    cx: *mut FastCx,
    _: IntAcc,
    _: FloatAcc,
) -> *const Instr {
    // SAFETY: `cx` is the context `run` was given.
    unsafe { hand_back(ip, fp, cx) }
}

/// Returns the instruction at `ip` to the portable loop, with the frame it runs in.
///
/// # Safety
/// `cx` is the context `run` was given.
#[inline(always)]
unsafe fn hand_back(ip: *const Instr, fp: *mut u64, cx: *mut FastCx) -> *const Instr {
    // SAFETY: as the caller promised.
    unsafe { (*cx).fp = fp };
    ip
}

/// `call` of a function of the running instance (not an import: those may belong to other
/// instances or the host) that is translated and fits in the frame and value stacks as they
/// are; everything else goes to the portable loop.
unsafe extern "sysv64" fn call(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    _: Scratch,
    cx: *mut FastCx,
    _: IntAcc,
    _: FloatAcc,
) -> *const Instr {
    // SAFETY: the table sends only `Call` here; `enter` needs what this handler was given.
    unsafe {
        let Instr::Call { func: callee, base } = *ip else {
            core::hint::unreachable_unchecked()
        };
        // Validation keeps `callee` within the module's functions.
        enter(ip, fp, mem_base, cx, callee, base)
    }
}

/// `call_ref` of a function defined by the running instance (a reference to one of its
/// store functions); null references, imports, host functions and other instances' go to
/// the portable loop, as do calls `enter` turns down.
unsafe extern "sysv64" fn call_ref(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    _: Scratch,
    cx: *mut FastCx,
    _: IntAcc,
    _: FloatAcc,
) -> *const Instr {
    // SAFETY: the table sends only `CallRef` here; `r` is a slot of the frame (verified);
    // the range check makes `callee` a defined function of the running instance's module.
    unsafe {
        let Instr::CallRef { r, base, .. } = *ip else {
            core::hint::unreachable_unchecked()
        };
        // Null (0) wraps to u64::MAX, outside every range.
        let store_func = (*fp.add(r as usize)).wrapping_sub(1);
        let k = store_func.wrapping_sub((*cx).first_defined as u64);
        if k >= (*cx).num_defined as u64 {
            return hand_back(ip, fp, cx);
        }
        let callee = (*cx).num_imported + k as u32;
        enter(ip, fp, mem_base, cx, callee, base)
    }
}

/// Enters function `callee` (module index, of the running instance) for the call at `ip`
/// (no `Aux` words) with its frame at `base`, if it is translated and fits in the frame and
/// value stacks as they are; else hands the call to the portable loop.
///
/// # Safety
/// As for the handlers, and `callee` is below the module's function count.
#[inline(always)]
unsafe fn enter(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    cx: *mut FastCx,
    callee: u32,
    base: u32,
) -> *const Instr {
    // SAFETY: `cx` describes the live value and frame stacks (see `FastCx`); every index
    // is checked against them before use.
    unsafe {
        let c = (*(*cx).code.add(callee as usize)).as_ptr();
        #[cfg(feature = "jit")]
        if (*cx).jit {
            return hand_back(ip, fp, cx);
        }
        if c.is_null() {
            return hand_back(ip, fp, cx);
        }
        let c = &*c;
        let frames = &mut *(*cx).frames;
        let fp_off = fp.offset_from((*cx).slots) as usize;
        let callee_off = fp_off + base as usize;
        if frames.len() >= (*cx).max_depth
            || frames.len() == frames.capacity()
            || callee_off + c.frame_size as usize > (*cx).slots_len
        {
            return hand_back(ip, fp, cx);
        }
        frames.push(Frame {
            ip: ip.add(1),
            fp: fp_off,
            func: (*cx).func,
            instance: (*cx).instance,
        });
        let fp = (*cx).slots.add(callee_off);
        (*cx).func = callee;
        let (init, to) = (&c.frame_init, fp.add(c.nparams as usize));
        if init.len() > SHORT_FRAME_INIT {
            return enter_long(c, fp, mem_base, cx);
        }
        // A few words: copied here, so that this handler calls nothing (a call would make
        // it save and restore registers on every wasm call).
        for k in 0..init.len() {
            *to.add(k) = *init.as_ptr().add(k);
        }
        dispatch(c.code.as_ptr(), fp, mem_base, cx, NO_ACC)
    }
}

/// How many initial slots (`CompiledFunc::frame_init`) `enter` copies itself.
const SHORT_FRAME_INIT: usize = 4;

/// `enter` for a callee with more initial slots than `SHORT_FRAME_INIT`: the copy (a
/// `memcpy`) happens here, away from the short path.
///
/// # Safety
/// As for `dispatch`, with `fp` the frame of `c`, which has room for its initial slots.
#[inline(never)]
unsafe fn enter_long(
    c: &CompiledFunc,
    fp: *mut u64,
    mem_base: *mut u8,
    cx: *mut FastCx,
) -> *const Instr {
    // SAFETY: as the caller promised.
    unsafe {
        let to = fp.add(c.nparams as usize);
        core::ptr::copy_nonoverlapping(c.frame_init.as_ptr(), to, c.frame_init.len());
        dispatch(c.code.as_ptr(), fp, mem_base, cx, NO_ACC)
    }
}

/// A return to a caller in the same instance (results are already in place, or `Return1`
/// puts its one result there); a return to the host or another instance goes to the
/// portable loop.
unsafe extern "sysv64" fn ret(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    _: Scratch,
    cx: *mut FastCx,
    _: IntAcc,
    _: FloatAcc,
) -> *const Instr {
    // SAFETY: as for `call`; a saved frame's `fp` lies in the value stack.
    unsafe {
        let frames = &mut *(*cx).frames;
        if frames.len() <= (*cx).depth {
            return hand_back(ip, fp, cx);
        }
        let Some(f) = frames.last() else {
            return hand_back(ip, fp, cx);
        };
        if f.instance != (*cx).instance {
            return hand_back(ip, fp, cx);
        }
        if let Instr::Return1 { s } = *ip {
            *fp = *fp.add(s as usize);
        }
        let (next, caller_fp, func) = (f.ip, f.fp, f.func);
        frames.pop();
        (*cx).func = func;
        dispatch(next, (*cx).slots.add(caller_fp), mem_base, cx, NO_ACC)
    }
}

/// `CheckInterrupt`: carries on unless the flag is raised; then the portable loop traps.
unsafe extern "sysv64" fn check_interrupt(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    _: Scratch,
    cx: *mut FastCx,
    _: IntAcc,
    _: FloatAcc,
) -> *const Instr {
    // SAFETY: `cx` is the context `run` was given; its flag pointer is the store's, which
    // outlives the run.
    unsafe {
        if (*(*cx).interrupt).load(Ordering::Relaxed) {
            return hand_back(ip, fp, cx);
        }
        dispatch(ip.add(1), fp, mem_base, cx, NO_ACC)
    }
}

/// `LoopCount`: counts a loop iteration of the running function; hands the instruction to
/// the portable loop when on-stack replacement is due.
#[cfg(feature = "jit")]
unsafe extern "sysv64" fn loop_count(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    _: Scratch,
    cx: *mut FastCx,
    _: IntAcc,
    _: FloatAcc,
) -> *const Instr {
    // SAFETY: `cx` is the context `run` was given; `loop_counts` is null or the running
    // module's counter array, which has an entry per function and outlives the run.
    unsafe {
        let counts = (*cx).loop_counts;
        if !counts.is_null()
            && crate::jit::native::count_loop(
                &*counts.add((*cx).func as usize),
                (*cx).loop_threshold,
            )
        {
            return hand_back(ip, fp, cx);
        }
        dispatch(ip.add(1), fp, mem_base, cx, NO_ACC)
    }
}

macro_rules! gen_handlers {
    ({ $d:tt } $($name:ident $fields:tt $([$($acc:tt)*])? => $body:block)*) => {
        $(
            // The shared helpers carry their own `unsafe` blocks, nested in the handler's.
            #[allow(non_snake_case, unused_mut, unused_macros, unused_unsafe, unused_variables, unused_assignments, clippy::unnecessary_cast)]
            unsafe extern "sysv64" fn $name(
                mut ip: *const Instr,
                fp: *mut u64,
                mem_base: *mut u8,
                _: Scratch,
                cx: *mut FastCx,
                int_acc: IntAcc,
                float_acc: FloatAcc,
            ) -> *const Instr {
                // SAFETY: `cx` is the context `run` was given. Only bounds checks read it
                // (LLVM drops the load from the other handlers).
                #[allow(unused_variables)]
                let mem_len = unsafe { (*cx).mem_len };
                // An accumulator form reads its accumulator operand from `int_acc` or
                // `float_acc` (see `frame_helpers`).
                frame_helpers!({ $d } ip, fp, mem_base, mem_len $(; int_acc, float_acc, $($acc)*)?);
                // An instruction that computes a result passes it to the next handler in
                // the accumulator too; one that does not (a store, a branch) passes on what
                // it was given (see `translate::accumulator`).
                let mut acc = (int_acc, float_acc);
                macro_rules! keep_result {
                    ($d v:expr) => {
                        acc = (MaybeUninit::new($d v), MaybeUninit::new(f64::from_bits($d v)));
                    };
                }
                macro_rules! aux_a {
                    () => {
                        match *ip.add(1) {
                            Instr::Aux { a, .. } => a,
                            _ => core::hint::unreachable_unchecked(),
                        }
                    };
                }
                // Hand the instruction back untouched; the portable loop raises the trap.
                macro_rules! trap {
                    ($d c:expr) => {{
                        let _ = $d c;
                        return hand_back(ip, fp, cx);
                    }};
                }
                // SAFETY: the table sends only this variant here; the caller of `run`
                // vouches for `fp` and memory.
                unsafe {
                    let Instr::$name $fields = *ip else {
                        core::hint::unreachable_unchecked()
                    };
                    $body
                    dispatch(ip, fp, mem_base, cx, acc)
                }
            }
        )*

        static TABLE: [Handler; OP_COUNT] = {
            let mut t = [bail as Handler; OP_COUNT];
            $( t[Op::$name as usize] = $name; )*
            t[Op::Call as usize] = call;
            t[Op::CallRef as usize] = call_ref;
            t[Op::Return as usize] = ret;
            t[Op::Return1 as usize] = ret;
            t[Op::CheckInterrupt as usize] = check_interrupt;
            #[cfg(feature = "jit")]
            {
                t[Op::LoopCount as usize] = loop_count;
            }
            t
        };
    };
}

simple_ops!(gen_handlers { $ });

//! Hosted Linux: faults of native code on guard pages become wasm traps.
//!
//! Native code of a guarded flavour ([`crate::code::Flavour::guarded`]) leaves accesses to
//! 32-bit memories unchecked: every such memory is reserved with 4 GiB plus a guard, so an
//! out-of-bounds access lands on an inaccessible page and the kernel raises `SIGSEGV`.
//! Explicit checks made up a large part of the code (a compare and a branch per access)
//! and of its compile time; wasmtime elides them the same way.
//!
//! Every entry into native code on hosted Linux goes through [`call`], which makes an
//! [`Activation`] current on the thread and calls the trampoline from an entry frame
//! ([`super::entry`]). The handler installed here (once per process, chaining to the
//! handler that was there before for every fault that is not ours) takes a fault as ours
//! only while an activation is current and the faulting address lies in a memory
//! reservation of that activation's instance. It records the faulting instruction and
//! the return addresses on the frame-pointer chain (native code keeps frame pointers),
//! then resumes the thread at the entry frame, as if the trampoline had returned: every
//! native frame since the entry is abandoned at once. [`call`] then rebuilds the trap,
//! with the wasm offset of the faulting access and of each native caller's call, from
//! the bodies' [`super::sites`].
//!
//! A fault that the recorded instruction does not explain (not an unchecked access of a
//! published body) would be a bug in the engine: the process aborts with a report,
//! rather than turn it into a trap.

extern crate std;

use super::entry::{EntryFrame, resume_address};
use super::native::Trampoline;
use super::vmctx::VmCtx;
use crate::trap::BACKTRACE_KEEP;
use alloc::vec::Vec;
use core::cell::Cell;
use core::ffi::{c_int, c_void};
use std::sync::OnceLock;

/// Return addresses kept from each end of the frame chain: one more than a backtrace
/// keeps, for the trampoline's frame, which is among them and not a wasm frame.
const KEPT: usize = BACKTRACE_KEEP + 1;

/// One entry into native code on this thread (see the module docs).
struct Activation {
    /// The entry frame (the handler resumes there; the trampoline's frame links to its
    /// frame pointer, which ends the walk).
    entry: EntryFrame,
    /// The context of the instance running: a fault is ours only in its memories.
    cx: *const VmCtx,
    /// What the handler found, if native code faulted.
    fault: Option<Fault>,
    /// The activation this one nests in (native code called a helper that entered native
    /// code again), current again once this one ends.
    outer: *mut Activation,
}

/// A fault of native code, as the handler recorded it.
struct Fault {
    /// The faulting instruction and address.
    pc: usize,
    addr: usize,
    /// Return addresses on the frame chain, innermost first: the first [`KEPT`], and the
    /// last [`KEPT`] (a ring, `total` in all) if there are more.
    inner: [usize; KEPT],
    outer: [usize; KEPT],
    total: usize,
}

std::thread_local! {
    /// The innermost activation of this thread, or null. Const-initialised and without a
    /// destructor, so the handler reads it without initialising anything.
    static CURRENT: Cell<*mut Activation> = const { Cell::new(core::ptr::null_mut()) };
}

/// The handler that was installed before ours, for the faults that are not ours.
static PREVIOUS: OnceLock<Option<libc::sigaction>> = OnceLock::new();

/// Installs the fault handler (once per process); whether it is in place. Without it,
/// engines keep every memory access checked.
pub(crate) fn install() -> bool {
    PREVIOUS
        .get_or_init(|| {
            // SAFETY: `sigaction` with a zeroed (empty-mask) action whose handler is a
            // plain `extern "C"` function of the right signature; the previous action is
            // written into a local.
            unsafe {
                let mut action: libc::sigaction = core::mem::zeroed();
                action.sa_sigaction = on_fault as *const () as usize;
                // On the alternate stack where the thread has one: a stack overflow's fault
                // must still reach the handler that reports it (std's), which we chain to.
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                let mut previous: libc::sigaction = core::mem::zeroed();
                (libc::sigaction(libc::SIGSEGV, &action, &mut previous) == 0).then_some(previous)
            }
        })
        .is_some()
}

/// Calls `trampoline(cx, body, slots)` as the thread's innermost activation. Returns
/// the frames of the trap if native code faulted on a guard page (see the module docs):
/// `(function, wasm offset)` innermost first, and how many frames were left out between
/// the innermost and the outermost [`BACKTRACE_KEEP`].
///
/// # Safety
/// As calling the trampoline directly: `cx` is the refreshed context of the instance
/// whose code `body` is, `slots` has room for its parameters and results, and the code
/// stays mapped until this returns.
pub(crate) unsafe fn call(
    trampoline: Trampoline,
    cx: *mut VmCtx,
    body: *const u8,
    slots: *mut u64,
) -> Option<(Vec<(u32, u32)>, usize)> {
    let mut activation = Activation {
        entry: EntryFrame::new(),
        cx,
        fault: None,
        outer: CURRENT.with(|c| c.get()),
    };
    let act: *mut Activation = &mut activation;
    CURRENT.with(|c| c.set(act));
    // SAFETY: as the caller promised for the trampoline; `act` outlives the call. The
    // context's entry frame is read by the raise helper while native code runs, and
    // restored by the caller (`vmctx::enter`).
    unsafe {
        (*cx).entry = &raw const (*act).entry;
        super::entry::call(&raw mut (*act).entry, trampoline, cx, body, slots);
    }
    // SAFETY: the call is over; nothing else refers to `act` now.
    let act = unsafe { &mut *act };
    CURRENT.with(|c| c.set(act.outer));
    // A raise resumes the entry frame too, with no fault recorded (its trap is pending
    // in the context).
    act.fault.as_ref().map(frames)
}

/// The trap's frames from a recorded fault: the faulting access, then each native
/// caller; aborts if the faulting instruction is not an unchecked access.
fn frames(f: &Fault) -> (Vec<(u32, u32)>, usize) {
    let Some((func, offset)) = super::sites::fault_at(f.pc) else {
        // Straight to the process's stderr, not `eprintln!`: a test harness captures
        // that, and the capture is lost with the process.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "kpio-wasm: memory fault at {:#x} (instruction {:#x}) in a linear memory's \
             reservation, not at an unchecked access of native code: an engine bug",
            f.addr,
            f.pc
        );
        std::process::abort();
    };
    let mut out = Vec::with_capacity(1 + f.total.min(2 * KEPT));
    out.push((func, offset));
    let kept = f.total.min(KEPT);
    let mut returns: Vec<usize> = f.inner[..kept].to_vec();
    let mut omitted = 0;
    if f.total > KEPT {
        let rest = f.total - KEPT;
        let n = rest.min(KEPT);
        // The ring's last `n` entries, oldest first.
        returns.extend((f.total - n..f.total).map(|i| f.outer[i % KEPT]));
        omitted = rest - n;
    }
    // The walk ends at the trampoline's frame, whose return address (into the entry) is
    // not a call site of a body.
    for ret in returns {
        match super::sites::call_returning_to(ret) {
            Some(frame) => out.push(frame),
            None => break,
        }
    }
    (out, omitted)
}

/// The handler (see the module docs).
extern "C" fn on_fault(signal: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    let act = CURRENT.with(|c| c.get());
    // SAFETY: the kernel passes a valid `siginfo_t` and `ucontext_t` for an `SA_SIGINFO`
    // handler. `act`, when not null, is the live activation of this thread (`call` keeps
    // it current only while its frame lives), and its context is the instance's, which
    // nothing else mutates while its native code runs. The frame chain read is this
    // thread's stack between the faulting frame and the entry frame, intact: the
    // handler runs below it (or on the alternate stack).
    unsafe {
        let addr = (*info).si_addr() as usize;
        if !act.is_null() && in_memories(&*(*act).cx, addr) {
            let uc = &mut *(context as *mut libc::ucontext_t);
            let g = &mut uc.uc_mcontext.gregs;
            let (pc, fp) = (
                g[libc::REG_RIP as usize] as usize,
                g[libc::REG_RBP as usize] as usize,
            );
            let sp = g[libc::REG_RSP as usize] as usize;
            let entry = &(*act).entry;
            (*act).fault = Some(walk(pc, addr, sp, fp, entry.fp));
            g[libc::REG_RIP as usize] = resume_address() as i64;
            g[libc::REG_RSP as usize] = entry.sp as i64;
            g[libc::REG_RBP as usize] = entry.fp as i64;
            return;
        }
        chain(signal, info, context);
    }
}

/// Whether `addr` lies in the reservation of one of `cx`'s memories.
fn in_memories(cx: &VmCtx, addr: usize) -> bool {
    let span = crate::memory::GUARDED_SPAN;
    cx.memory_slots().iter().any(|m| {
        let base = m.base as usize;
        !m.base.is_null() && addr >= base && addr - base < span
    })
}

/// Records the fault at `pc`, reading the frame chain from the faulting frame's `fp` up
/// to the entry frame's `entry_fp`.
///
/// # Safety
/// `sp..entry_fp` is this thread's live stack, and native code keeps frame pointers.
unsafe fn walk(pc: usize, addr: usize, sp: usize, mut fp: usize, entry_fp: usize) -> Fault {
    let mut f = Fault {
        pc,
        addr,
        inner: [0; KEPT],
        outer: [0; KEPT],
        total: 0,
    };
    // Every frame lies between the faulting stack pointer and the entry frame.
    while fp >= sp && fp < entry_fp && fp.is_multiple_of(8) {
        // SAFETY: `fp` is a frame of the live stack (checked to lie in it): its first word
        // is the caller's frame pointer, the next the return address.
        let (next, ret) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        if f.total < KEPT {
            f.inner[f.total] = ret;
        }
        f.outer[f.total % KEPT] = ret;
        f.total += 1;
        if next == entry_fp || next <= fp {
            break;
        }
        fp = next;
    }
    f
}

/// Passes a fault that is not ours to the handler installed before ours; with none (the
/// default action), restores it, and the faulting instruction faults again on return.
///
/// # Safety
/// The arguments are the handler's own.
unsafe fn chain(signal: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    let previous = PREVIOUS.get().copied().flatten();
    let handler = previous.map_or(libc::SIG_DFL, |p| p.sa_sigaction);
    match previous {
        Some(p) if handler != libc::SIG_DFL && handler != libc::SIG_IGN => {
            // SAFETY: the previous handler, called as it was installed to be.
            unsafe {
                if p.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) =
                        core::mem::transmute(handler);
                    f(signal, info, context);
                } else {
                    let f: extern "C" fn(c_int) = core::mem::transmute(handler);
                    f(signal);
                }
            }
        }
        _ => {
            // SAFETY: a zeroed action is the default one with an empty mask.
            unsafe {
                let mut action: libc::sigaction = core::mem::zeroed();
                action.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(signal, &action, core::ptr::null_mut());
            }
        }
    }
}

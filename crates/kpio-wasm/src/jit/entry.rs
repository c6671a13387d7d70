//! The frame every entry into native code starts from, and the way back to it.
//!
//! [`call`] runs a trampoline from a small assembly frame that saves the callee-saved
//! registers and records its stack and frame pointers in an [`EntryFrame`]. [`resume`]
//! abandons every frame above an entry frame at once and returns from the entry frame,
//! as if the trampoline had returned: with the stack and frame pointers restored and the
//! saved registers popped, the thread goes on in [`call`]'s caller.
//!
//! Two things resume an entry frame:
//! - a trap raised in native code (`vmctx`'s raise helper), which recorded the trap and
//!   the frames it leaves in the context first. Native code of a module that catches no
//!   exception has no use for a trap flag after its calls: a trap never comes back
//!   through them (see `compile`'s `Translator::raise`).
//! - on hosted Linux, a fault on a guard page (`signals`, from its handler).
//!
//! Abandoning frames this way is sound because none of them owns anything: native frames
//! hold no heap memory, the call depth they took lives in the pinned register (r15),
//! which the entry frame restores, and the one Rust frame between them and [`resume`]
//! (the raise helper) holds nothing to drop when it calls it.

use super::native::Trampoline;
use super::vmctx::VmCtx;

/// Where an entry frame stands (see the module docs). `repr(C)`: the assembly writes it.
#[repr(C)]
#[derive(Debug)]
pub(crate) struct EntryFrame {
    /// The stack pointer once the registers are saved: [`resume`] goes on from there.
    pub sp: usize,
    /// The entry frame's frame pointer: the trampoline's frame links to it, which ends
    /// every walk of the frame-pointer chain.
    pub fp: usize,
}

impl EntryFrame {
    pub(crate) const fn new() -> Self {
        EntryFrame { sp: 0, fp: 0 }
    }
}

/// Calls `trampoline(cx, body, slots)` from an entry frame recorded in `frame`. Returns
/// whether the call ended by [`resume`] (true) rather than by returning.
///
/// # Safety
/// As calling the trampoline directly: `cx` is the refreshed context of the instance
/// whose code `body` is, `slots` has room for its parameters and results, and the code
/// stays mapped until this returns. `frame` stays valid until this returns.
pub(crate) unsafe fn call(
    frame: *mut EntryFrame,
    trampoline: Trampoline,
    cx: *mut VmCtx,
    body: *const u8,
    slots: *mut u64,
) -> bool {
    // SAFETY: as the caller promised; the assembly only writes `frame`'s two fields.
    unsafe { native_entry(frame, trampoline, cx, body, slots) != 0 }
}

/// Returns from the entry frame `frame` (see the module docs), with every frame above it
/// abandoned.
///
/// # Safety
/// `frame` is an entry frame of this thread that is live (its [`call`] has not returned),
/// and no frame above it owns anything that must be dropped or released.
pub(crate) unsafe fn resume(frame: *const EntryFrame) -> ! {
    // SAFETY: as the caller promised.
    unsafe { native_unwind(frame) }
}

/// The address to resume a thread at with the stack and frame pointers of an entry frame
/// (for the fault handler, which sets them in the interrupted context).
#[cfg_attr(
    not(all(feature = "std", target_os = "linux", not(miri))),
    allow(dead_code)
)]
pub(crate) fn resume_address() -> usize {
    native_resume as *const () as usize
}

/// The entry frame: saves the callee-saved registers, records its stack and frame
/// pointers in `frame`, and calls `trampoline(cx, body, slots)`; returns 0. A resumed
/// frame returns 1 ([`native_resume`]).
#[unsafe(naked)]
unsafe extern "sysv64" fn native_entry(
    frame: *mut EntryFrame,
    trampoline: Trampoline,
    cx: *mut VmCtx,
    body: *const u8,
    slots: *mut u64,
) -> u64 {
    core::arch::naked_asm!(
        "push rbp",
        "mov rbp, rsp",
        "push rbx",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        // Keeps the stack 16-byte aligned at the call.
        "push rdi",
        "mov [rdi], rsp",
        "mov [rdi + 8], rbp",
        "mov rax, rsi",
        "mov rdi, rdx",
        "mov rsi, rcx",
        "mov rdx, r8",
        "call rax",
        "xor eax, eax",
        "jmp {epilogue}",
        epilogue = sym entry_epilogue,
    )
}

/// [`resume`]: the stack and frame pointers from `frame`, then [`native_resume`].
#[unsafe(naked)]
unsafe extern "sysv64" fn native_unwind(frame: *const EntryFrame) -> ! {
    core::arch::naked_asm!(
        "mov rsp, [rdi]",
        "mov rbp, [rdi + 8]",
        "jmp {resume}",
        resume = sym native_resume,
    )
}

/// Where a resumed entry frame goes on, with its stack and frame pointers: its epilogue,
/// returning 1.
#[unsafe(naked)]
unsafe extern "sysv64" fn native_resume() {
    core::arch::naked_asm!("mov eax, 1", "jmp {epilogue}", epilogue = sym entry_epilogue)
}

/// [`native_entry`]'s epilogue, shared by its return and [`native_resume`]: pops what the
/// entry pushed and returns from the entry frame with `eax` as it is.
#[unsafe(naked)]
unsafe extern "sysv64" fn entry_epilogue() {
    core::arch::naked_asm!(
        "add rsp, 8",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbx",
        "pop rbp",
        "ret",
    )
}

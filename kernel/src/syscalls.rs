//! The app syscalls 106–111 (`kpio_app::syscall`'s ABI) on the kernel: the `syscall`
//! instruction enters [`syscall_entry`], which hands the number and the six argument
//! registers to `kpio_app::dispatch` with [`KernelApps`] as its services. So a program on
//! KPIO that manages apps uses exactly the argument decoding, pointer checks and errnos of
//! the hosted `kpio` command (which calls the same dispatcher through `kpio-userlib`'s
//! `Direct`); the kernel's own boot plan launches its apps through it.
//!
//! Everything runs in ring 0 for now, so there is no stack switch and no `sysret` (which
//! always returns to ring 3): the entry keeps the caller's stack, and returns by restoring
//! the flags (saved in r11) and jumping to the return address (saved in rcx). Pointers
//! must lie in the kernel heap, where callers' buffers live; anything else is `EFAULT`,
//! never a page fault.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::arch::naked_asm;
use kpio_app::syscall::{Access, Fault, UserMemory};
use kpio_app::{AppDescriptor, AppError, AppInstanceId, AppServices, KernelAppId};
use x86_64::VirtAddr;
use x86_64::registers::model_specific::{Efer, EferFlags, LStar, Msr, SFMask};
use x86_64::registers::rflags::RFlags;

use crate::launch::{self, NoGui};

/// The kernel heap's range: where a caller's buffers may be.
static mut HEAP: (u64, u64) = (0, 0);

/// Sets up `syscall`: enabled in EFER, its entry in LSTAR, the kernel's code selector in
/// STAR (SS is the next descriptor, as the GDT has it), and the direction flag cleared on
/// entry (interrupts stay as they were, so a long call is preemptible).
pub fn init(heap_start: u64, heap_bytes: u64) {
    // SAFETY: written once at boot, before any syscall, read only by `KernelMemory`.
    unsafe { HEAP = (heap_start, heap_start + heap_bytes) };
    let code = crate::gdt::selectors().code.0 as u64;
    // SAFETY: the MSRs are architectural; the entry below is a valid handler for the
    // calling convention `kpio-userlib`'s RawSyscall uses, and the selectors are the
    // kernel's own (GDT index 1 code, index 2 data).
    unsafe {
        Efer::update(|f| f.insert(EferFlags::SYSTEM_CALL_EXTENSIONS));
        Msr::new(0xC000_0081).write((code << 48) | (code << 32));
        LStar::write(VirtAddr::new(syscall_entry as *const () as u64));
        SFMask::write(RFlags::DIRECTION_FLAG);
    }
}

/// `syscall`: rax = number, rdi, rsi, rdx, r10, r8, r9 = arguments; rcx and r11 hold the
/// return address and flags. Saves the argument registers (callers expect them kept),
/// passes them as an array, and returns rax = the result.
#[unsafe(naked)]
extern "C" fn syscall_entry() {
    naked_asm!(
        "push rcx",
        "push r11",
        "push r9", "push r8", "push r10", "push rdx", "push rsi", "push rdi", "push rax",
        "mov rdi, rsp",
        "push rbp",
        "mov rbp, rsp",
        "and rsp, -16",
        "call {dispatch}",
        "mov rsp, rbp",
        "pop rbp",
        "add rsp, 8",
        "pop rdi", "pop rsi", "pop rdx", "pop r10", "pop r8", "pop r9",
        "pop r11",
        "pop rcx",
        "push r11",
        "popfq",
        "jmp rcx",
        dispatch = sym dispatch,
    );
}

extern "C" fn dispatch(regs: *const [u64; 7]) -> i64 {
    // SAFETY: the entry passes the seven registers it just pushed.
    let [nr, a0, a1, a2, a3, a4, a5] = unsafe { *regs };
    let mut mem = KernelMemory;
    kpio_app::dispatch(nr, [a0, a1, a2, a3, a4, a5], &mut mem, &mut KernelApps)
}

/// Callers' memory: any range inside the kernel heap.
struct KernelMemory;

impl KernelMemory {
    fn inside(ptr: u64, len: u64) -> Result<(), Fault> {
        // An empty range touches nothing, wherever it points (an empty buffer's pointer
        // is dangling).
        if len == 0 {
            return Ok(());
        }
        // SAFETY: set once at boot before any syscall.
        let (start, end) = unsafe { HEAP };
        let fault = Fault { ptr, len };
        let last = ptr.checked_add(len).ok_or(fault)?;
        if ptr >= start && last <= end {
            Ok(())
        } else {
            Err(fault)
        }
    }
}

impl UserMemory for KernelMemory {
    fn check(&self, ptr: u64, len: u64, _: Access) -> Result<(), Fault> {
        Self::inside(ptr, len)
    }
    fn read(&self, ptr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        Self::inside(ptr, buf.len() as u64)?;
        if buf.is_empty() {
            return Ok(()); // `ptr` may be null: nothing to copy from it
        }
        // SAFETY: the range lies in the mapped heap; the caller promised (Syscall's
        // contract) that nothing else uses it during the call.
        unsafe { core::ptr::copy_nonoverlapping(ptr as *const u8, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }
    fn write(&mut self, ptr: u64, data: &[u8]) -> Result<(), Fault> {
        Self::inside(ptr, data.len() as u64)?;
        if data.is_empty() {
            return Ok(());
        }
        // SAFETY: as for `read`.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), ptr as *mut u8, data.len()) };
        Ok(())
    }
}

/// The services behind the syscalls: the kernel's home and launcher.
struct KernelApps;

fn no_home() -> AppError {
    AppError::Unsupported(String::from("the app platform has not started"))
}

impl AppServices for KernelApps {
    fn install(&mut self, _: &[u8]) -> Result<KernelAppId, AppError> {
        Err(AppError::Unsupported(String::from(
            "installing on a running KPIO image: the home is built into the image (kpio image --app)",
        )))
    }

    fn launch(&mut self, id: KernelAppId, args: Vec<String>) -> Result<AppInstanceId, AppError> {
        let (prepared, backend) = crate::home::with(|h| {
            let p = launch::prepare(h, &id.0.to_string()).map_err(|e| match e {
                launch::LaunchError::NotInstalled(_, e) => e,
                other => AppError::Invalid(other.to_string()),
            })?;
            Ok::<_, AppError>((p, h.backend.clone()))
        })
        .ok_or_else(no_home)??;
        let rng = crate::random::source().ok_or_else(no_home)?;
        let hooks = crate::desktop::hooks_for(&prepared.desc.app_id)
            .unwrap_or_else(|| alloc::boxed::Box::new(NoGui));
        launch::start(prepared, backend, args, rng, hooks)
    }

    fn terminate(&mut self, inst: AppInstanceId) -> Result<(), AppError> {
        if launch::stop(inst) {
            Ok(())
        } else {
            Err(AppError::NotFound(alloc::format!("instance {inst}")))
        }
    }

    fn info(&self, id: KernelAppId) -> Result<AppDescriptor, AppError> {
        crate::home::with(|h| h.registry.get(id).cloned())
            .ok_or_else(no_home)?
            .ok_or_else(|| AppError::NotFound(alloc::format!("app {id}")))
    }

    fn list(&self) -> Vec<KernelAppId> {
        crate::home::with(|h| h.registry.list().map(|d| d.id).collect()).unwrap_or_default()
    }

    fn uninstall(&mut self, _: KernelAppId) -> Result<(), AppError> {
        Err(AppError::Unsupported(String::from(
            "uninstalling on a running KPIO image: the home is built into the image",
        )))
    }
}

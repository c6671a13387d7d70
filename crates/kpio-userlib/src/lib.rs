//! Safe wrappers over KPIO's app syscalls (106–111), for programs that install, launch and
//! manage apps.
//!
//! The ABI itself (registers, argument layouts, errnos) is documented in
//! [`kpio_app::syscall`]. Each wrapper takes a [`Syscall`] backend:
//!
//! - `RawSyscall` (only when built for KPIO itself: `x86_64` + `target_os = "none"`)
//!   executes the `syscall` instruction.
//! - [`Direct`] (anywhere) calls the kernel's [`kpio_app::dispatch`] in-process with an
//!   [`AppServices`] implementation. The hosted `kpio` command uses it, so its commands go
//!   through exactly the argument decoding, pointer checks and errno mapping of the kernel.
//!
//! # How pointers are made
//!
//! A wrapper never passes the address of the caller's own slices. Every backend owns one
//! scratch buffer ([`Syscall::scratch`]); a wrapper copies the call's inputs into it, leaves
//! room for its outputs, and passes `base + offset` as each pointer, where `base` is the
//! address at which the *kernel side* sees the buffer's first byte: the buffer's real
//! address for `RawSyscall`, the fixed [`DIRECT_BASE`] for [`Direct`], whose dispatcher
//! sees the scratch buffer as a [`SliceMemory`] starting there. After the call the wrapper
//! reads outputs back from the same buffer. So one wrapper works with both backends, and
//! under [`Direct`] a pointer outside the scratch buffer is an `EFAULT` exactly as an
//! unmapped address is on KPIO.
//!
//! ```
//! use kpio_userlib::{Direct, Errno, KernelAppId, app_info, app_list};
//! # use kpio_app::{AppDescriptor, AppError, AppInstanceId, AppServices};
//! # struct NoApps;
//! # impl AppServices for NoApps {
//! #     fn install(&mut self, _: &[u8]) -> Result<KernelAppId, AppError> { Err(AppError::Invalid("no".into())) }
//! #     fn launch(&mut self, id: KernelAppId, _: Vec<String>) -> Result<AppInstanceId, AppError> { Err(AppError::NotFound(format!("app {id}"))) }
//! #     fn terminate(&mut self, i: AppInstanceId) -> Result<(), AppError> { Err(AppError::NotFound(format!("instance {i}"))) }
//! #     fn info(&self, id: KernelAppId) -> Result<AppDescriptor, AppError> { Err(AppError::NotFound(format!("app {id}"))) }
//! #     fn list(&self) -> Vec<KernelAppId> { Vec::new() }
//! #     fn uninstall(&mut self, id: KernelAppId) -> Result<(), AppError> { Err(AppError::NotFound(format!("app {id}"))) }
//! # }
//! let mut services = NoApps;
//! let mut sys = Direct::new(&mut services);
//! assert_eq!(app_list(&mut sys), Ok(vec![]));
//! assert_eq!(app_info(&mut sys, KernelAppId(7)).unwrap_err(), Errno::ENOENT);
//! ```

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

pub use kpio_app::syscall::{
    SYS_APP_GET_INFO, SYS_APP_INSTALL, SYS_APP_LAUNCH, SYS_APP_LIST, SYS_APP_TERMINATE,
    SYS_APP_UNINSTALL,
};
pub use kpio_app::{
    AppDescriptor, AppInstanceId, AppServices, Errno, KernelAppId, MAX_ARGS_BYTES,
    MAX_PACKAGE_BYTES, SliceMemory,
};

/// How many times a wrapper re-asks when a result grew between its size query and the call.
const RETRIES: usize = 8;

/// A way to make app syscalls; see the crate docs for how pointers are made.
pub trait Syscall {
    /// Makes syscall `nr` with `args` (`rdi, rsi, rdx, r10, r8, r9`) and returns `rax`.
    ///
    /// # Safety
    ///
    /// Every pointer argument must, for the length the call uses, address memory of this
    /// caller that the call may read (inputs) or write (outputs), and nothing else may use
    /// that memory during the call. Addresses inside the buffer last returned by
    /// [`Syscall::scratch`] (at the address it gave) satisfy this.
    unsafe fn syscall(&mut self, nr: u64, args: [u64; 6]) -> i64;

    /// A buffer of exactly `len` bytes where wrappers stage a call's memory, and the
    /// address at which the kernel side sees its first byte. The buffer (and its address)
    /// stays valid, and its contents change only by syscalls, until the next call to
    /// `scratch`. `ENOMEM` if it cannot be allocated.
    fn scratch(&mut self, len: usize) -> Result<(&mut [u8], u64), Errno>;
}

fn grow(buf: &mut Vec<u8>, len: usize) -> Result<(), Errno> {
    if len > buf.len() {
        buf.try_reserve(len - buf.len())
            .map_err(|_| Errno::ENOMEM)?;
    }
    buf.resize(len, 0);
    Ok(())
}

/// The backend that runs the kernel's dispatcher in-process (hosted `kpio`, tests).
pub struct Direct<'a> {
    svc: &'a mut dyn AppServices,
    scratch: Vec<u8>,
}

/// The address at which [`Direct`]'s dispatcher sees the scratch buffer (non-zero, so a
/// null pointer is never valid).
pub const DIRECT_BASE: u64 = 0x1_0000;

impl<'a> Direct<'a> {
    pub fn new(svc: &'a mut dyn AppServices) -> Direct<'a> {
        Direct {
            svc,
            scratch: Vec::new(),
        }
    }

    /// A raw call: the dispatcher sees the scratch buffer at [`DIRECT_BASE`]. Safe, because
    /// every address is checked against that buffer (anything else is `-EFAULT`).
    pub fn call(&mut self, nr: u64, args: [u64; 6]) -> i64 {
        let mut mem = SliceMemory::with_base(DIRECT_BASE, &mut self.scratch);
        kpio_app::dispatch(nr, args, &mut mem, self.svc)
    }

    /// The services behind the dispatcher.
    pub fn services(&mut self) -> &mut dyn AppServices {
        self.svc
    }
}

impl Syscall for Direct<'_> {
    unsafe fn syscall(&mut self, nr: u64, args: [u64; 6]) -> i64 {
        self.call(nr, args)
    }

    fn scratch(&mut self, len: usize) -> Result<(&mut [u8], u64), Errno> {
        grow(&mut self.scratch, len)?;
        Ok((&mut self.scratch[..], DIRECT_BASE))
    }
}

/// The backend that executes `syscall` (x86_64 KPIO only), per the ABI in
/// [`kpio_app::syscall`].
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
#[derive(Debug, Default)]
pub struct RawSyscall {
    scratch: Vec<u8>,
}

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
impl RawSyscall {
    pub fn new() -> RawSyscall {
        RawSyscall::default()
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
impl Syscall for RawSyscall {
    unsafe fn syscall(&mut self, nr: u64, args: [u64; 6]) -> i64 {
        let ret: i64;
        // SAFETY: the instruction itself only clobbers rcx and r11 (declared) and rax (the
        // result); the memory the kernel touches is the caller's promise (see the trait).
        unsafe {
            core::arch::asm!(
                "syscall",
                inlateout("rax") nr as i64 => ret,
                in("rdi") args[0],
                in("rsi") args[1],
                in("rdx") args[2],
                in("r10") args[3],
                in("r8") args[4],
                in("r9") args[5],
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        ret
    }

    fn scratch(&mut self, len: usize) -> Result<(&mut [u8], u64), Errno> {
        grow(&mut self.scratch, len)?;
        let base = self.scratch.as_ptr() as u64;
        Ok((&mut self.scratch[..], base))
    }
}

/// Makes a call whose pointer arguments all lie in the scratch buffer just set up.
fn call<S: Syscall + ?Sized>(sys: &mut S, nr: u64, args: [u64; 6]) -> Result<u64, Errno> {
    // SAFETY: every wrapper passes only addresses inside the buffer the last `scratch` call
    // returned, for lengths within it (or no pointers at all).
    Errno::from_ret(unsafe { sys.syscall(nr, args) })
}

fn u64_at(buf: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(src) = buf.get(at..at + 8) {
        b.copy_from_slice(src);
    }
    u64::from_le_bytes(b)
}

/// Scratch layout shared by install and launch: an 8-byte output slot, then the input.
fn call_with_input_and_id<S: Syscall + ?Sized>(
    sys: &mut S,
    nr: u64,
    first_arg: Option<u64>,
    input: &[u8],
) -> Result<u64, Errno> {
    let total = input.len().checked_add(8).ok_or(Errno::ENOMEM)?;
    let (buf, base) = sys.scratch(total)?;
    buf[8..].copy_from_slice(input);
    let (out_ptr, in_ptr, in_len) = (base, base + 8, input.len() as u64);
    let args = match first_arg {
        None => [in_ptr, in_len, out_ptr, 0, 0, 0],
        Some(a) => [a, in_ptr, in_len, out_ptr, 0, 0],
    };
    call(sys, nr, args)?;
    let (buf, _) = sys.scratch(total)?;
    Ok(u64_at(buf, 0))
}

/// `AppInstall`: installs the `.kpioapp` package `pkg`; the new app's id.
pub fn app_install<S: Syscall + ?Sized>(sys: &mut S, pkg: &[u8]) -> Result<KernelAppId, Errno> {
    if pkg.len() as u64 > MAX_PACKAGE_BYTES {
        return Err(Errno::EFBIG);
    }
    call_with_input_and_id(sys, SYS_APP_INSTALL, None, pkg).map(KernelAppId)
}

/// `AppLaunch`: starts app `id` with `args`; the new instance's id. `EINVAL` if an argument
/// contains NUL, `E2BIG` if they are over [`MAX_ARGS_BYTES`] together.
pub fn app_launch<S: Syscall + ?Sized, A: AsRef<str>>(
    sys: &mut S,
    id: KernelAppId,
    args: &[A],
) -> Result<AppInstanceId, Errno> {
    let blob = kpio_app::syscall::encode_args(args)?;
    call_with_input_and_id(sys, SYS_APP_LAUNCH, Some(id.0), &blob).map(AppInstanceId)
}

/// `AppTerminate`: stops instance `inst`.
pub fn app_terminate<S: Syscall + ?Sized>(sys: &mut S, inst: AppInstanceId) -> Result<(), Errno> {
    call(sys, SYS_APP_TERMINATE, [inst.0, 0, 0, 0, 0, 0]).map(|_| ())
}

/// `AppGetInfo` as the raw JSON text (what `kpio info --json` prints).
pub fn app_info_json<S: Syscall + ?Sized>(sys: &mut S, id: KernelAppId) -> Result<String, Errno> {
    for _ in 0..RETRIES {
        let need = call(sys, SYS_APP_GET_INFO, [id.0, 0, 0, 0, 0, 0])?;
        let len = usize::try_from(need).map_err(|_| Errno::ENOMEM)?;
        let (_, base) = sys.scratch(len)?;
        match call(sys, SYS_APP_GET_INFO, [id.0, base, need, 0, 0, 0]) {
            Err(Errno::ERANGE) => continue,
            Err(e) => return Err(e),
            Ok(n) => {
                let (buf, _) = sys.scratch(len)?;
                let text = buf.get(..n as usize).ok_or(Errno::EIO)?;
                return core::str::from_utf8(text)
                    .map(String::from)
                    .map_err(|_| Errno::EIO);
            }
        }
    }
    Err(Errno::ERANGE)
}

/// `AppGetInfo`: the descriptor of app `id`. `EIO` if the kernel's JSON does not parse.
pub fn app_info<S: Syscall + ?Sized>(sys: &mut S, id: KernelAppId) -> Result<AppDescriptor, Errno> {
    let json = app_info_json(sys, id)?;
    AppDescriptor::from_json(json.as_bytes(), "AppGetInfo").map_err(|_| Errno::EIO)
}

/// `AppList`: the ids of all installed apps, ascending.
pub fn app_list<S: Syscall + ?Sized>(sys: &mut S) -> Result<Vec<KernelAppId>, Errno> {
    let mut count = call(sys, SYS_APP_LIST, [0; 6])?;
    for _ in 0..RETRIES {
        let bytes = count
            .checked_mul(8)
            .and_then(|b| usize::try_from(b).ok())
            .ok_or(Errno::ENOMEM)?;
        let (_, base) = sys.scratch(bytes)?;
        let total = call(sys, SYS_APP_LIST, [base, bytes as u64, 0, 0, 0, 0])?;
        if total <= count {
            let (buf, _) = sys.scratch(bytes)?;
            return Ok((0..total as usize)
                .map(|i| KernelAppId(u64_at(buf, i * 8)))
                .collect());
        }
        count = total;
    }
    Err(Errno::ERANGE)
}

/// `AppUninstall`: removes app `id`.
pub fn app_uninstall<S: Syscall + ?Sized>(sys: &mut S, id: KernelAppId) -> Result<(), Errno> {
    call(sys, SYS_APP_UNINSTALL, [id.0, 0, 0, 0, 0, 0]).map(|_| ())
}

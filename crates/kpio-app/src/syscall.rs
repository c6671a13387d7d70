//! The app syscalls (106–111): their register ABI, the caller's memory as the kernel sees
//! it ([`UserMemory`]), the services behind them ([`AppServices`]) and the [`dispatch`]er.
//!
//! # Register ABI (x86_64)
//!
//! The `syscall` instruction with `rax` = the syscall number and the arguments in `rdi`,
//! `rsi`, `rdx`, `r10`, `r8`, `r9` (in that order; arguments a call does not use are
//! ignored). `rcx` and `r11` are clobbered by the instruction; every other register is
//! preserved. The result comes back in `rax`: a value `>= 0` is success (its meaning is per
//! call, below), a value in `-4095..=-1` is `-errno` with a Linux error number ([`Errno`]).
//! All multi-byte values the kernel reads from or writes to memory are little-endian;
//! pointers are addresses in the caller's address space.
//!
//! | nr | name | arguments | success value |
//! |---|---|---|---|
//! | 106 | `AppInstall` | `pkg_ptr, pkg_len, out_id_ptr` | 0; the new app's id (u64) stored at `out_id_ptr` |
//! | 107 | `AppLaunch` | `app_id, argv_ptr, argv_len, out_instance_ptr` | 0; the instance id (u64) stored at `out_instance_ptr` |
//! | 108 | `AppTerminate` | `instance_id` | 0 |
//! | 109 | `AppGetInfo` | `app_id, buf_ptr, buf_len` | bytes of descriptor JSON written to `buf` (see below) |
//! | 110 | `AppList` | `buf_ptr, buf_len` | the total number of installed apps (see below) |
//! | 111 | `AppUninstall` | `app_id` | 0 |
//!
//! - **AppInstall**: `pkg` is the `.kpioapp` file's bytes, at most [`MAX_PACKAGE_BYTES`]
//!   (50 MiB, else `EFBIG`).
//! - **AppLaunch**: `argv` is the arguments blob: each argument is UTF-8 followed by one NUL
//!   byte (`"a\0b\0"` is `["a", "b"]`, `"\0"` is `[""]`, the empty blob is no arguments); a
//!   blob that does not end in NUL or is not UTF-8 is `EINVAL`; at most
//!   [`MAX_ARGS_BYTES`] (64 KiB, else `E2BIG`).
//! - **AppGetInfo**: writes the app's [`AppDescriptor`] as compact JSON (UTF-8, no NUL
//!   terminator) and returns its length. `buf_len == 0` is a size query: nothing is written,
//!   `buf_ptr` is not checked, and the return value is the length the JSON needs. If
//!   `0 < buf_len <` that length, the call fails with `ERANGE` and writes nothing: query
//!   again and retry (the descriptor may have grown meanwhile).
//! - **AppList**: writes the ids of the installed apps, in ascending order, as u64 each,
//!   as many as fit whole in `buf_len` bytes (`buf_len / 8`), and returns the total number
//!   of installed apps. A return value greater than `buf_len / 8` means the list was cut:
//!   retry with `8 × return value` bytes. `buf_len == 0` is a pure count (no pointer check).
//!
//! # Errors
//!
//! | errno | when |
//! |---|---|
//! | `EFAULT` (14) | a (pointer, length) pair is not entirely mapped in the caller's address space with the needed access, or `ptr + len` overflows |
//! | `ENOSYS` (38) | the number is not one of 106–111 |
//! | `ENOENT` (2) | no app with this id, no instance with this id |
//! | `EFBIG` (27) | the package is over [`MAX_PACKAGE_BYTES`] |
//! | `E2BIG` (7) | the argument blob is over [`MAX_ARGS_BYTES`] |
//! | `ERANGE` (34) | `AppGetInfo`'s buffer is too small |
//! | `EINVAL` (22) | malformed argument blob; invalid package; illegal state change |
//! | `EEXIST` (17) | a package with the same id is installed |
//! | `EPERM` (1), `EBUSY` (16), `EIO` (5), `ENOMEM` (12), `ENOSPC` (28), `EROFS` (30), `EOPNOTSUPP` (95) | as [`AppError::errno`] maps the service's error |
//!
//! # Checking user memory
//!
//! [`dispatch`] validates every (pointer, length) pair a call uses against the caller's
//! address space ([`UserMemory::check`]), with checked arithmetic, *before* it reads
//! anything, calls the service or writes anything; input sizes are bounded before any
//! buffer is allocated, and allocations that fail are `ENOMEM`, not a panic. So a bad
//! output pointer never leaves an app installed or launched whose id the caller cannot
//! learn. (If a multi-threaded caller unmaps an output buffer while the call runs, the
//! final copy fails with `EFAULT` after the action took effect.) The dispatcher never
//! panics on any input.
//!
//! Hosted, the same dispatcher serves the `kpio` command: `kpio-userlib`'s `Direct` stages
//! the call's buffers in one scratch buffer and passes addresses into it, which a
//! [`SliceMemory`] maps back.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{AppError, Errno};
use crate::types::{AppDescriptor, AppInstanceId, KernelAppId};

/// `AppInstall(pkg_ptr, pkg_len, out_id_ptr) -> 0`.
pub const SYS_APP_INSTALL: u64 = 106;
/// `AppLaunch(app_id, argv_ptr, argv_len, out_instance_ptr) -> 0`.
pub const SYS_APP_LAUNCH: u64 = 107;
/// `AppTerminate(instance_id) -> 0`.
pub const SYS_APP_TERMINATE: u64 = 108;
/// `AppGetInfo(app_id, buf_ptr, buf_len) -> bytes`.
pub const SYS_APP_GET_INFO: u64 = 109;
/// `AppList(buf_ptr, buf_len) -> total count`.
pub const SYS_APP_LIST: u64 = 110;
/// `AppUninstall(app_id) -> 0`.
pub const SYS_APP_UNINSTALL: u64 = 111;

/// Largest package `AppInstall` accepts (50 MiB).
pub const MAX_PACKAGE_BYTES: u64 = 50 << 20;
/// Largest argument blob `AppLaunch` accepts (64 KiB).
pub const MAX_ARGS_BYTES: u64 = 64 << 10;

/// The name of an app syscall number (`"AppInstall"`), for traces.
pub fn syscall_name(nr: u64) -> Option<&'static str> {
    Some(match nr {
        SYS_APP_INSTALL => "AppInstall",
        SYS_APP_LAUNCH => "AppLaunch",
        SYS_APP_TERMINATE => "AppTerminate",
        SYS_APP_GET_INFO => "AppGetInfo",
        SYS_APP_LIST => "AppList",
        SYS_APP_UNINSTALL => "AppUninstall",
        _ => return None,
    })
}

/// A (pointer, length) pair that is not entirely accessible in the caller's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub ptr: u64,
    pub len: u64,
}

/// The kind of access a range is checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The caller's address space, as the dispatcher reaches it.
///
/// Implementations: the kernel's (page tables of the calling process), [`SliceMemory`]
/// (one contiguous buffer: hosted callers, a wasm linear memory) and [`RegionMemory`]
/// (mapped ranges with holes, for tests). All methods must treat `ptr + len` overflow as a
/// fault and must not panic.
pub trait UserMemory {
    /// `Ok` if every byte of `ptr..ptr + len` is mapped for `access`. A zero-length range is
    /// always `Ok`.
    fn check(&self, ptr: u64, len: u64, access: Access) -> Result<(), Fault>;
    /// Copies `buf.len()` bytes from `ptr`.
    fn read(&self, ptr: u64, buf: &mut [u8]) -> Result<(), Fault>;
    /// Copies `data` to `ptr`.
    fn write(&mut self, ptr: u64, data: &[u8]) -> Result<(), Fault>;
}

/// One contiguous buffer seen at addresses `base..base + len` (read and write).
#[derive(Debug)]
pub struct SliceMemory<'a> {
    base: u64,
    mem: &'a mut [u8],
}

impl<'a> SliceMemory<'a> {
    /// `mem` at addresses `0..mem.len()`.
    pub fn new(mem: &'a mut [u8]) -> SliceMemory<'a> {
        SliceMemory { base: 0, mem }
    }

    /// `mem` at addresses `base..base + mem.len()` (a non-zero base keeps null invalid).
    pub fn with_base(base: u64, mem: &'a mut [u8]) -> SliceMemory<'a> {
        SliceMemory { base, mem }
    }

    /// The index range of `ptr..ptr + len` in the buffer.
    fn range(&self, ptr: u64, len: u64) -> Result<core::ops::Range<usize>, Fault> {
        let fault = Fault { ptr, len };
        let end = ptr.checked_add(len).ok_or(fault)?;
        let start = ptr.checked_sub(self.base).ok_or(fault)?;
        let end = end - self.base;
        if end > self.mem.len() as u64 {
            return Err(fault);
        }
        Ok(start as usize..end as usize)
    }
}

impl UserMemory for SliceMemory<'_> {
    fn check(&self, ptr: u64, len: u64, _: Access) -> Result<(), Fault> {
        if len == 0 {
            return Ok(());
        }
        self.range(ptr, len).map(|_| ())
    }

    fn read(&self, ptr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        if buf.is_empty() {
            return Ok(());
        }
        let r = self.range(ptr, buf.len() as u64)?;
        buf.copy_from_slice(&self.mem[r]);
        Ok(())
    }

    fn write(&mut self, ptr: u64, data: &[u8]) -> Result<(), Fault> {
        if data.is_empty() {
            return Ok(());
        }
        let r = self.range(ptr, data.len() as u64)?;
        self.mem[r].copy_from_slice(data);
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct Region {
    start: u64,
    data: Vec<u8>,
    writable: bool,
}

impl Region {
    fn end(&self) -> u64 {
        self.start + self.data.len() as u64
    }
}

/// An address space of separately mapped ranges with holes between them, some read-only:
/// the model of a process's memory for testing the dispatcher. A range that crosses from
/// one mapping into a directly adjacent one is fine; one that touches a hole is a fault.
#[derive(Debug, Clone, Default)]
pub struct RegionMemory {
    regions: Vec<Region>,
}

impl RegionMemory {
    pub fn new() -> RegionMemory {
        RegionMemory::default()
    }

    /// Maps `len` zero bytes at `start`. `false` (and nothing mapped) if the range is
    /// empty, overflows or overlaps an existing mapping.
    pub fn map(&mut self, start: u64, len: u64, writable: bool) -> bool {
        let Ok(n) = usize::try_from(len) else {
            return false;
        };
        self.map_bytes(start, alloc::vec![0; n], writable)
    }

    /// Maps `data` at `start`; see [`RegionMemory::map`].
    pub fn map_bytes(&mut self, start: u64, data: Vec<u8>, writable: bool) -> bool {
        let Some(end) = start.checked_add(data.len() as u64) else {
            return false;
        };
        if data.is_empty()
            || self
                .regions
                .iter()
                .any(|r| start < r.end() && r.start < end)
        {
            return false;
        }
        let at = self.regions.partition_point(|r| r.start < start);
        self.regions.insert(
            at,
            Region {
                start,
                data,
                writable,
            },
        );
        true
    }

    /// The bytes at `ptr..ptr + len`, if mapped.
    pub fn bytes(&self, ptr: u64, len: u64) -> Option<Vec<u8>> {
        let mut buf = alloc::vec![0; usize::try_from(len).ok()?];
        self.read(ptr, &mut buf).ok()?;
        Some(buf)
    }

    /// Calls `f(region index, offset in region, byte count)` for the pieces of
    /// `ptr..ptr + len`, after checking the whole range.
    fn pieces(
        &self,
        ptr: u64,
        len: u64,
        access: Access,
        mut f: impl FnMut(usize, usize, usize),
    ) -> Result<(), Fault> {
        let fault = Fault { ptr, len };
        let end = ptr.checked_add(len).ok_or(fault)?;
        let mut spans = Vec::new();
        let mut cur = ptr;
        while cur < end {
            let i = self
                .regions
                .iter()
                .position(|r| r.start <= cur && cur < r.end())
                .ok_or(fault)?;
            let r = &self.regions[i];
            if access == Access::Write && !r.writable {
                return Err(fault);
            }
            let upto = end.min(r.end());
            spans.push((i, (cur - r.start) as usize, (upto - cur) as usize));
            cur = upto;
        }
        for (i, off, n) in spans {
            f(i, off, n);
        }
        Ok(())
    }
}

impl UserMemory for RegionMemory {
    fn check(&self, ptr: u64, len: u64, access: Access) -> Result<(), Fault> {
        self.pieces(ptr, len, access, |_, _, _| {})
    }

    fn read(&self, ptr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        let mut at = 0;
        let regions = &self.regions;
        self.pieces(ptr, buf.len() as u64, Access::Read, |i, off, n| {
            buf[at..at + n].copy_from_slice(&regions[i].data[off..off + n]);
            at += n;
        })
    }

    fn write(&mut self, ptr: u64, data: &[u8]) -> Result<(), Fault> {
        let mut spans = Vec::new();
        self.pieces(ptr, data.len() as u64, Access::Write, |i, off, n| {
            spans.push((i, off, n));
        })?;
        let mut at = 0;
        for (i, off, n) in spans {
            self.regions[i].data[off..off + n].copy_from_slice(&data[at..at + n]);
            at += n;
        }
        Ok(())
    }
}

/// What the app syscalls do; the package manager (`kpio-pkg`) implements it over the
/// registry, the lifecycle and the VFS.
pub trait AppServices {
    /// Validates and installs a `.kpioapp` package; the new app's id.
    fn install(&mut self, pkg: &[u8]) -> Result<KernelAppId, AppError>;
    /// Starts a new instance of an installed app with these arguments.
    fn launch(&mut self, id: KernelAppId, args: Vec<String>) -> Result<AppInstanceId, AppError>;
    /// Stops an instance.
    fn terminate(&mut self, inst: AppInstanceId) -> Result<(), AppError>;
    /// The descriptor of an installed app.
    fn info(&self, id: KernelAppId) -> Result<AppDescriptor, AppError>;
    /// The ids of all installed apps, ascending.
    fn list(&self) -> Vec<KernelAppId>;
    /// Removes an installed app.
    fn uninstall(&mut self, id: KernelAppId) -> Result<(), AppError>;
}

/// Runs app syscall `nr` with `args` (`rdi, rsi, rdx, r10, r8, r9`) for a caller whose
/// memory is `mem`; returns the value for `rax` (see the module docs). Never panics.
pub fn dispatch(
    nr: u64,
    args: [u64; 6],
    mem: &mut dyn UserMemory,
    svc: &mut dyn AppServices,
) -> i64 {
    let result = match nr {
        SYS_APP_INSTALL => app_install(args, mem, svc),
        SYS_APP_LAUNCH => app_launch(args, mem, svc),
        SYS_APP_TERMINATE => svc
            .terminate(AppInstanceId(args[0]))
            .map(|()| 0)
            .map_err(|e| e.errno()),
        SYS_APP_GET_INFO => app_get_info(args, mem, svc),
        SYS_APP_LIST => app_list(args, mem, svc),
        SYS_APP_UNINSTALL => svc
            .uninstall(KernelAppId(args[0]))
            .map(|()| 0)
            .map_err(|e| e.errno()),
        _ => Err(Errno::ENOSYS),
    };
    match result {
        Ok(v) => i64::try_from(v).unwrap_or(i64::MAX),
        Err(e) => e.to_ret(),
    }
}

fn check(mem: &dyn UserMemory, ptr: u64, len: u64, access: Access) -> Result<(), Errno> {
    mem.check(ptr, len, access).map_err(|_| Errno::EFAULT)
}

/// Reads `len` (already bounded) bytes from a checked range.
fn copy_in(mem: &dyn UserMemory, ptr: u64, len: u64) -> Result<Vec<u8>, Errno> {
    let n = usize::try_from(len).map_err(|_| Errno::ENOMEM)?;
    let mut buf = Vec::new();
    buf.try_reserve_exact(n).map_err(|_| Errno::ENOMEM)?;
    buf.resize(n, 0);
    mem.read(ptr, &mut buf).map_err(|_| Errno::EFAULT)?;
    Ok(buf)
}

fn store_u64(mem: &mut dyn UserMemory, ptr: u64, v: u64) -> Result<(), Errno> {
    mem.write(ptr, &v.to_le_bytes()).map_err(|_| Errno::EFAULT)
}

fn app_install(
    [pkg_ptr, pkg_len, out_ptr, ..]: [u64; 6],
    mem: &mut dyn UserMemory,
    svc: &mut dyn AppServices,
) -> Result<u64, Errno> {
    if pkg_len > MAX_PACKAGE_BYTES {
        return Err(Errno::EFBIG);
    }
    check(mem, pkg_ptr, pkg_len, Access::Read)?;
    check(mem, out_ptr, 8, Access::Write)?;
    let pkg = copy_in(mem, pkg_ptr, pkg_len)?;
    let id = svc.install(&pkg).map_err(|e| e.errno())?;
    store_u64(mem, out_ptr, id.0)?;
    Ok(0)
}

/// Splits an `AppLaunch` argument blob (see the module docs).
pub fn parse_args(blob: &[u8]) -> Result<Vec<String>, Errno> {
    let Some((&0, body)) = blob.split_last() else {
        return if blob.is_empty() {
            Ok(Vec::new())
        } else {
            Err(Errno::EINVAL)
        };
    };
    body.split(|&b| b == 0)
        .map(|a| {
            core::str::from_utf8(a)
                .map(String::from)
                .map_err(|_| Errno::EINVAL)
        })
        .collect()
}

/// Builds an `AppLaunch` argument blob; `EINVAL` if an argument contains NUL, `E2BIG` if
/// the blob would be over [`MAX_ARGS_BYTES`].
pub fn encode_args<S: AsRef<str>>(args: &[S]) -> Result<Vec<u8>, Errno> {
    let mut blob = Vec::new();
    for a in args {
        let a = a.as_ref().as_bytes();
        if a.contains(&0) {
            return Err(Errno::EINVAL);
        }
        if (blob.len() + a.len() + 1) as u64 > MAX_ARGS_BYTES {
            return Err(Errno::E2BIG);
        }
        blob.extend_from_slice(a);
        blob.push(0);
    }
    Ok(blob)
}

fn app_launch(
    [app_id, argv_ptr, argv_len, out_ptr, ..]: [u64; 6],
    mem: &mut dyn UserMemory,
    svc: &mut dyn AppServices,
) -> Result<u64, Errno> {
    if argv_len > MAX_ARGS_BYTES {
        return Err(Errno::E2BIG);
    }
    check(mem, argv_ptr, argv_len, Access::Read)?;
    check(mem, out_ptr, 8, Access::Write)?;
    let args = parse_args(&copy_in(mem, argv_ptr, argv_len)?)?;
    let inst = svc
        .launch(KernelAppId(app_id), args)
        .map_err(|e| e.errno())?;
    store_u64(mem, out_ptr, inst.0)?;
    Ok(0)
}

fn app_get_info(
    [app_id, buf_ptr, buf_len, ..]: [u64; 6],
    mem: &mut dyn UserMemory,
    svc: &mut dyn AppServices,
) -> Result<u64, Errno> {
    check(mem, buf_ptr, buf_len, Access::Write)?;
    let json = svc
        .info(KernelAppId(app_id))
        .map_err(|e| e.errno())?
        .to_json();
    let need = json.len() as u64;
    if buf_len == 0 {
        return Ok(need);
    }
    if buf_len < need {
        return Err(Errno::ERANGE);
    }
    mem.write(buf_ptr, json.as_bytes())
        .map_err(|_| Errno::EFAULT)?;
    Ok(need)
}

fn app_list(
    [buf_ptr, buf_len, ..]: [u64; 6],
    mem: &mut dyn UserMemory,
    svc: &mut dyn AppServices,
) -> Result<u64, Errno> {
    check(mem, buf_ptr, buf_len, Access::Write)?;
    let ids = svc.list();
    let fit = usize::try_from(buf_len / 8)
        .unwrap_or(usize::MAX)
        .min(ids.len());
    let mut out = Vec::new();
    out.try_reserve_exact(fit * 8).map_err(|_| Errno::ENOMEM)?;
    for id in &ids[..fit] {
        out.extend_from_slice(&id.0.to_le_bytes());
    }
    mem.write(buf_ptr, &out).map_err(|_| Errno::EFAULT)?;
    Ok(ids.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn args_blob_round_trips() {
        for args in [
            vec![],
            vec!["".to_string()],
            vec!["a".to_string(), "".to_string(), "ünï".to_string()],
        ] {
            assert_eq!(parse_args(&encode_args(&args).unwrap()).unwrap(), args);
        }
        assert_eq!(parse_args(b"a"), Err(Errno::EINVAL));
        assert_eq!(parse_args(b"\xff\0"), Err(Errno::EINVAL));
        assert_eq!(encode_args(&["a\0b"]), Err(Errno::EINVAL));
    }

    #[test]
    fn slice_memory_bounds() {
        let mut buf = [0u8; 16];
        let mut m = SliceMemory::with_base(0x1000, &mut buf);
        assert!(m.check(0x1000, 16, Access::Read).is_ok());
        assert!(m.check(0x1000, 17, Access::Read).is_err());
        assert!(m.check(0xfff, 1, Access::Read).is_err());
        assert!(m.check(u64::MAX, 2, Access::Read).is_err());
        assert!(m.check(0, 0, Access::Read).is_ok());
        assert!(m.write(0x100f, &[1, 2]).is_err());
        m.write(0x100e, &[1, 2]).unwrap();
        let mut two = [0; 2];
        m.read(0x100e, &mut two).unwrap();
        assert_eq!(two, [1, 2]);
    }

    #[test]
    fn region_memory_holes_and_read_only() {
        let mut m = RegionMemory::new();
        assert!(m.map(0x1000, 0x100, true));
        assert!(m.map(0x1100, 0x100, false));
        assert!(m.map(0x3000, 0x100, true));
        assert!(!m.map(0x10ff, 2, true), "overlap refused");
        assert!(
            m.check(0x10f0, 0x20, Access::Read).is_ok(),
            "adjacent mappings"
        );
        assert!(
            m.check(0x10f0, 0x20, Access::Write).is_err(),
            "read-only part"
        );
        assert!(
            m.check(0x11f0, 0x20, Access::Read).is_err(),
            "into the hole"
        );
        m.write(0x10fe, &[7, 8]).unwrap();
        assert!(m.write(0x10ff, &[7, 8]).is_err());
        assert_eq!(m.bytes(0x10fe, 3).unwrap(), [7, 8, 0]);
    }
}

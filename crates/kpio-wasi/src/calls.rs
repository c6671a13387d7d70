//! The 46 functions of `wasi_snapshot_preview1`, as methods of [`WasiCtx`] over checked
//! guest memory. The dispatcher in `linker.rs` unpacks the wasm arguments and turns the
//! outcome into an errno result or a trap.
//!
//! Order of checks, as wasmtime (wiggle) does it: flag and enum arguments first (`inval`),
//! then the descriptor (`badf`, or the kind-specific errno), then rights, then the work.

// The argument lists are the ABI's.
#![allow(clippy::too_many_arguments)]

use crate::abi::{self, eventtype, fdflags, filetype, fstflags, oflags, rights, whence};
use crate::ctx::{Entry, Kind, WasiCtx};
use crate::errno::Errno;
use crate::mem::{Fail, GuestMem, WasiResult};
use crate::services::{ClockId, InputStream, OutputStream};
use alloc::format;
use kpio_vfs::{FileType, Handle, Metadata, OpenOptions, SeekFrom, SetTime};
use kpio_wasm::Trap;

/// `filetype` of a VFS file type.
fn filetype_of(t: FileType) -> u8 {
    match t {
        FileType::RegularFile => filetype::REGULAR_FILE,
        FileType::Directory => filetype::DIRECTORY,
        FileType::Symlink => filetype::SYMBOLIC_LINK,
        FileType::Unknown => filetype::UNKNOWN,
    }
}

/// The 64-byte `filestat` record.
fn filestat_bytes(m: &Metadata) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[0..8].copy_from_slice(&m.dev.to_le_bytes());
    b[8..16].copy_from_slice(&m.ino.to_le_bytes());
    b[16] = filetype_of(m.file_type);
    b[24..32].copy_from_slice(&m.nlink.to_le_bytes());
    b[32..40].copy_from_slice(&m.size.to_le_bytes());
    b[40..48].copy_from_slice(&m.atime_ns.to_le_bytes());
    b[48..56].copy_from_slice(&m.mtime_ns.to_le_bytes());
    b[56..64].copy_from_slice(&m.ctime_ns.to_le_bytes());
    b
}

/// One timestamp of `*_set_times`: setting both a value and "now" is `inval`.
fn set_time(flags: u16, set: u16, now: u16, value: u64) -> Result<SetTime, Errno> {
    match (flags & set != 0, flags & now != 0) {
        (true, true) => Err(Errno::Inval),
        (true, false) => Ok(SetTime::At(value)),
        (false, true) => Ok(SetTime::Now),
        (false, false) => Ok(SetTime::Omit),
    }
}

fn check_fstflags(fst: u32) -> Result<(SetTime, SetTime), Errno> {
    let fst = u16::try_from(fst).map_err(|_| Errno::Inval)?;
    if fst & !fstflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    Ok((
        set_time(fst, fstflags::ATIM, fstflags::ATIM_NOW, 0)?,
        set_time(fst, fstflags::MTIM, fstflags::MTIM_NOW, 0)?,
    ))
}

/// Fills in the values of `check_fstflags`'s `At` placeholders.
fn with_values(t: (SetTime, SetTime), atim: u64, mtim: u64) -> (SetTime, SetTime) {
    let fill = |s: SetTime, v: u64| match s {
        SetTime::At(_) => SetTime::At(v),
        other => other,
    };
    (fill(t.0, atim), fill(t.1, mtim))
}

fn check_lookupflags(flags: u32) -> Result<bool, Errno> {
    if flags & !abi::LOOKUP_SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval);
    }
    Ok(flags & abi::LOOKUP_SYMLINK_FOLLOW != 0)
}

fn check_fdflags(flags: u32) -> Result<u16, Errno> {
    match u16::try_from(flags) {
        Ok(f) if f & !fdflags::ALL == 0 => Ok(f),
        _ => Err(Errno::Inval),
    }
}

fn check_rights(r: u64) -> Result<u64, Errno> {
    if r & !rights::ALL != 0 {
        return Err(Errno::Inval);
    }
    Ok(r)
}

/// Checks every buffer of an iovec array before any I/O happens, so a bad pointer traps
/// without a partial transfer. The array itself was checked by the caller.
fn check_iovecs(mem: &GuestMem<'_>, iovs: u32, iovs_len: u32) -> WasiResult<()> {
    for i in 0..iovs_len {
        let (ptr, len) = mem.iovec(iovs, i)?;
        mem.check(ptr, u64::from(len))?;
    }
    Ok(())
}

/// A vectored write: `op` gets each non-empty buffer in turn and returns how much it took.
/// Stops at the first short write; an error after some bytes were written ends the call
/// with the count so far (as `writev`). The total is capped at `u32::MAX`.
fn gather(
    mem: &GuestMem<'_>,
    iovs: u32,
    iovs_len: u32,
    mut op: impl FnMut(&[u8], u64) -> Result<usize, Errno>,
) -> WasiResult<u32> {
    mem.check_array(iovs, iovs_len, abi::IOVEC_SIZE)?;
    check_iovecs(mem, iovs, iovs_len)?;
    let mut total: u32 = 0;
    for i in 0..iovs_len {
        let (ptr, len) = mem.iovec(iovs, i)?;
        let len = len.min(u32::MAX - total);
        if len == 0 {
            if total == u32::MAX {
                break;
            }
            continue;
        }
        let buf = mem.bytes(ptr, len)?;
        let n = match op(buf, u64::from(total)) {
            Ok(n) => n.min(len as usize) as u32,
            Err(e) if total == 0 => return Err(e.into()),
            Err(_) => break,
        };
        total += n;
        if n < len {
            break;
        }
    }
    Ok(total)
}

/// A vectored read, the mirror of [`gather`]. With `first_only` (streams), only the first
/// non-empty buffer is read into, so a read never blocks once it has data.
fn scatter(
    mem: &mut GuestMem<'_>,
    iovs: u32,
    iovs_len: u32,
    first_only: bool,
    mut op: impl FnMut(&mut [u8], u64) -> Result<usize, Errno>,
) -> WasiResult<u32> {
    mem.check_array(iovs, iovs_len, abi::IOVEC_SIZE)?;
    check_iovecs(mem, iovs, iovs_len)?;
    let mut total: u32 = 0;
    for i in 0..iovs_len {
        let (ptr, len) = mem.iovec(iovs, i)?;
        let len = len.min(u32::MAX - total);
        if len == 0 {
            if total == u32::MAX {
                break;
            }
            continue;
        }
        let buf = mem.bytes_mut(ptr, len)?;
        let n = match op(buf, u64::from(total)) {
            Ok(n) => n.min(len as usize) as u32,
            Err(e) if total == 0 => return Err(e.into()),
            Err(_) => break,
        };
        total += n;
        if n < len || first_only {
            break;
        }
    }
    Ok(total)
}

/// Writes all of `buf` to a stream (retrying short writes); returns how much went out.
fn write_stream(s: &mut dyn OutputStream, buf: &[u8]) -> Result<usize, Errno> {
    let mut done = 0;
    while done < buf.len() {
        match s.write(&buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n.min(buf.len() - done),
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(done)
}

fn read_stream(s: &mut dyn InputStream, buf: &mut [u8]) -> Result<usize, Errno> {
    s.read(buf)
}

/// Signal names for `proc_raise`'s trap message, by number.
const SIGNALS: [&str; 31] = [
    "NONE", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
    "USR2", "PIPE", "ALRM", "TERM", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
    "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS",
];

/// What `poll_oneoff` learned about one subscription in its first pass.
enum Sub {
    /// A clock that fires `remaining` ns after the call started.
    Clock { remaining: u64 },
    /// A descriptor that is ready now.
    Fd,
}

impl WasiCtx {
    // ----- descriptor lookups ---------------------------------------------------------

    /// A regular file's handle, checking `needed` rights. Directories and stdio: `badf`.
    fn file(&self, fd: u32, needed: u64) -> Result<Handle, Errno> {
        let e = self.fds.get(fd)?;
        match e.kind {
            Kind::File(h) => {
                e.require(needed)?;
                Ok(h)
            }
            _ => Err(Errno::Badf),
        }
    }

    /// A directory's handle, checking `needed` rights. Anything else: `badf` (as wasmtime).
    fn dir(&self, fd: u32, needed: u64) -> Result<Handle, Errno> {
        let e = self.fds.get(fd)?;
        match e.kind {
            Kind::Dir { handle, .. } => {
                e.require(needed)?;
                Ok(handle)
            }
            _ => Err(Errno::Badf),
        }
    }

    /// A file's or directory's handle, checking `needed` rights. Stdio: `badf`.
    fn node(&self, fd: u32, needed: u64) -> Result<Handle, Errno> {
        let e = self.fds.get(fd)?;
        match e.kind {
            Kind::File(h) | Kind::Dir { handle: h, .. } => {
                e.require(needed)?;
                Ok(h)
            }
            _ => Err(Errno::Badf),
        }
    }

    /// A seekable file (for `fd_seek`, `fd_tell`): stdio is `spipe`, directories `badf`.
    fn seekable(&self, fd: u32, needed: u64) -> Result<Handle, Errno> {
        let e = self.fds.get(fd)?;
        match e.kind {
            Kind::File(h) => {
                e.require(needed)?;
                Ok(h)
            }
            Kind::Stdin(_) | Kind::Output(_) => Err(Errno::Spipe),
            Kind::Dir { .. } => Err(Errno::Badf),
        }
    }

    // ----- args, environ -------------------------------------------------------------

    fn strings_get(
        list: &[alloc::string::String],
        mem: &mut GuestMem<'_>,
        ptrs: u32,
        buf: u32,
    ) -> WasiResult<()> {
        mem.check_array(ptrs, list.len() as u32, 4)?;
        let total: u64 = list.iter().map(|s| s.len() as u64 + 1).sum();
        mem.check(buf, total)?;
        let mut at = u64::from(buf);
        for (i, s) in list.iter().enumerate() {
            mem.write_u32(u64::from(ptrs) + 4 * i as u64, at as u32)?;
            mem.write(at, s.as_bytes())?;
            mem.write_u8(at + s.len() as u64, 0)?;
            at += s.len() as u64 + 1;
        }
        Ok(())
    }

    fn sizes_get(
        list: &[alloc::string::String],
        mem: &mut GuestMem<'_>,
        count_ptr: u32,
        size_ptr: u32,
    ) -> WasiResult<()> {
        mem.check(count_ptr, 4)?;
        mem.check(size_ptr, 4)?;
        // Both fit in u32: checked by the builder.
        let size: u64 = list.iter().map(|s| s.len() as u64 + 1).sum();
        mem.write_u32(u64::from(count_ptr), list.len() as u32)?;
        mem.write_u32(u64::from(size_ptr), size as u32)
    }

    pub(crate) fn args_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        argv: u32,
        buf: u32,
    ) -> WasiResult<()> {
        Self::strings_get(&self.args, mem, argv, buf)
    }

    pub(crate) fn args_sizes_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        argc: u32,
        size: u32,
    ) -> WasiResult<()> {
        Self::sizes_get(&self.args, mem, argc, size)
    }

    pub(crate) fn environ_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        environ: u32,
        buf: u32,
    ) -> WasiResult<()> {
        Self::strings_get(&self.env, mem, environ, buf)
    }

    pub(crate) fn environ_sizes_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        count: u32,
        size: u32,
    ) -> WasiResult<()> {
        Self::sizes_get(&self.env, mem, count, size)
    }

    // ----- clocks, randomness, scheduling, process -----------------------------------

    pub(crate) fn clock_res_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        id: u32,
        out: u32,
    ) -> WasiResult<()> {
        let id = ClockId::from_raw(id).ok_or(Errno::Inval)?;
        mem.check(out, 8)?;
        let res = self.clock.resolution(id)?;
        mem.write_u64(u64::from(out), res)
    }

    pub(crate) fn clock_time_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        id: u32,
        _precision: u64,
        out: u32,
    ) -> WasiResult<()> {
        let id = ClockId::from_raw(id).ok_or(Errno::Inval)?;
        mem.check(out, 8)?;
        let now = self.clock.now(id)?;
        mem.write_u64(u64::from(out), now)
    }

    pub(crate) fn random_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        buf: u32,
        len: u32,
    ) -> WasiResult<()> {
        let dst = mem.bytes_mut(buf, len)?;
        self.random.fill(dst)?;
        Ok(())
    }

    pub(crate) fn sched_yield(&mut self) -> WasiResult<()> {
        // One thread per guest: nothing else of this guest could run.
        Ok(())
    }

    pub(crate) fn proc_exit(&mut self, code: u32) -> WasiResult<()> {
        // As wasmtime: statuses from 126 up are reserved by shells (126 "cannot execute",
        // 127 "not found", 128+n "killed by signal n"), so a guest may not claim them.
        if code >= 126 {
            return Err(Fail::Trap(Trap::host(format!(
                "proc_exit: exit status {code} is outside of [0..126)"
            ))));
        }
        let code = code as i32;
        self.exit_code = Some(code);
        Err(Fail::Trap(Trap::exit(code)))
    }

    /// The default action of the signal, as for a process without handlers: ignored
    /// signals (and `none`) succeed; stop signals succeed too (there is no job control to
    /// stop for); every other signal terminates the guest with a trap naming it.
    pub(crate) fn proc_raise(&mut self, sig: u32) -> WasiResult<()> {
        if sig > abi::SIGNAL_MAX {
            return Err(Errno::Inval.into());
        }
        let name = SIGNALS[sig as usize];
        match name {
            "NONE" | "CHLD" | "CONT" | "URG" | "WINCH" | "STOP" | "TSTP" | "TTIN" | "TTOU" => {
                Ok(())
            }
            _ => Err(Fail::Trap(Trap::host(format!(
                "terminated by signal SIG{name} (proc_raise)"
            )))),
        }
    }

    // ----- fd_* ----------------------------------------------------------------------

    pub(crate) fn fd_advise(
        &mut self,
        fd: u32,
        _offset: u64,
        _len: u64,
        advice: u32,
    ) -> WasiResult<()> {
        if advice > abi::ADVICE_MAX {
            return Err(Errno::Inval.into());
        }
        // Advice only; the VFS has no read-ahead or cache to steer.
        self.file(fd, rights::FD_ADVISE)?;
        Ok(())
    }

    pub(crate) fn fd_allocate(&mut self, fd: u32, offset: u64, len: u64) -> WasiResult<()> {
        let h = self.file(fd, rights::FD_ALLOCATE)?;
        if offset
            .checked_add(len)
            .is_none_or(|end| end > i64::MAX as u64)
        {
            return Err(Errno::Fbig.into());
        }
        self.vfs.allocate(h, offset, len)?;
        Ok(())
    }

    pub(crate) fn fd_close(&mut self, fd: u32) -> WasiResult<()> {
        let e = self.fds.remove(fd).ok_or(Errno::Badf)?;
        self.close_entry(e)
    }

    pub(crate) fn fd_datasync(&mut self, fd: u32) -> WasiResult<()> {
        let h = self.node(fd, rights::FD_DATASYNC)?;
        self.vfs.datasync(h)?;
        Ok(())
    }

    pub(crate) fn fd_sync(&mut self, fd: u32) -> WasiResult<()> {
        let h = self.node(fd, rights::FD_SYNC)?;
        self.vfs.sync(h)?;
        Ok(())
    }

    pub(crate) fn fd_fdstat_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        out: u32,
    ) -> WasiResult<()> {
        mem.check(out, abi::FDSTAT_SIZE)?;
        let e = self.fds.get(fd)?;
        let ft = match &e.kind {
            Kind::Stdin(s) if s.is_terminal() => filetype::CHARACTER_DEVICE,
            Kind::Output(s) if s.is_terminal() => filetype::CHARACTER_DEVICE,
            Kind::Stdin(_) | Kind::Output(_) => filetype::UNKNOWN,
            Kind::File(_) => filetype::REGULAR_FILE,
            Kind::Dir { .. } => filetype::DIRECTORY,
        };
        let mut b = [0u8; 24];
        b[0] = ft;
        b[2..4].copy_from_slice(&e.flags.to_le_bytes());
        b[8..16].copy_from_slice(&e.base.to_le_bytes());
        b[16..24].copy_from_slice(&e.inheriting.to_le_bytes());
        mem.write(u64::from(out), &b)
    }

    /// Only `append` and `nonblock` can change (as wasmtime); the sync flags are `inval`.
    /// `nonblock` is recorded and reported but never makes an operation fail with `again`.
    pub(crate) fn fd_fdstat_set_flags(&mut self, fd: u32, flags: u32) -> WasiResult<()> {
        let flags = check_fdflags(flags)?;
        let h = self.file(fd, rights::FD_FDSTAT_SET_FLAGS)?;
        if flags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
            return Err(Errno::Inval.into());
        }
        self.vfs.set_append(h, flags & fdflags::APPEND != 0)?;
        let e = self.fds.get_mut(fd)?;
        e.flags = (e.flags & !(fdflags::APPEND | fdflags::NONBLOCK)) | flags;
        Ok(())
    }

    /// Rights can only be dropped: asking for one the fd lacks is `notcapable`.
    pub(crate) fn fd_fdstat_set_rights(
        &mut self,
        fd: u32,
        base: u64,
        inheriting: u64,
    ) -> WasiResult<()> {
        let base = check_rights(base)?;
        let inheriting = check_rights(inheriting)?;
        let e = self.fds.get_mut(fd)?;
        if base & !e.base != 0 || inheriting & !e.inheriting != 0 {
            return Err(Errno::Notcapable.into());
        }
        e.base = base;
        e.inheriting = inheriting;
        Ok(())
    }

    pub(crate) fn fd_filestat_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        out: u32,
    ) -> WasiResult<()> {
        mem.check(out, abi::FILESTAT_SIZE)?;
        let tty = match &self.fds.get(fd)?.kind {
            Kind::Stdin(s) => Some(s.is_terminal()),
            Kind::Output(s) => Some(s.is_terminal()),
            Kind::File(_) | Kind::Dir { .. } => None,
        };
        let bytes = match tty {
            // As wasmtime: stdio has only a file type.
            Some(tty) => {
                let mut b = [0u8; 64];
                b[16] = if tty {
                    filetype::CHARACTER_DEVICE
                } else {
                    filetype::UNKNOWN
                };
                b
            }
            None => {
                let h = self.node(fd, rights::FD_FILESTAT_GET)?;
                filestat_bytes(&self.vfs.stat(h)?)
            }
        };
        mem.write(u64::from(out), &bytes)
    }

    /// As wasmtime (and `ftruncate`): a file not open for writing, or a size beyond
    /// `i64::MAX`, is `inval`.
    pub(crate) fn fd_filestat_set_size(&mut self, fd: u32, size: u64) -> WasiResult<()> {
        let h = self.file(fd, rights::FD_FILESTAT_SET_SIZE)?;
        if self.fds.get(fd)?.base & rights::FD_WRITE == 0 || size > i64::MAX as u64 {
            return Err(Errno::Inval.into());
        }
        self.vfs.set_len(h, size)?;
        Ok(())
    }

    pub(crate) fn fd_filestat_set_times(
        &mut self,
        fd: u32,
        atim: u64,
        mtim: u64,
        fst: u32,
    ) -> WasiResult<()> {
        let (a, m) = with_values(check_fstflags(fst)?, atim, mtim);
        let h = self.node(fd, rights::FD_FILESTAT_SET_TIMES)?;
        self.vfs.set_times(h, a, m)?;
        Ok(())
    }

    pub(crate) fn fd_read(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        out: u32,
    ) -> WasiResult<()> {
        mem.check(out, 4)?;
        let e = self.fds.get_mut(fd)?;
        let n = match &mut e.kind {
            Kind::File(h) => {
                let h = *h;
                e.require(rights::FD_READ)?;
                let vfs = &mut self.vfs;
                scatter(mem, iovs, iovs_len, false, |buf, _| Ok(vfs.read(h, buf)?))?
            }
            Kind::Stdin(_) => {
                e.require(rights::FD_READ)?;
                let Kind::Stdin(s) = &mut e.kind else {
                    return Err(Errno::Badf.into());
                };
                scatter(mem, iovs, iovs_len, true, |buf, _| {
                    read_stream(&mut **s, buf)
                })?
            }
            _ => return Err(Errno::Badf.into()),
        };
        mem.write_u32(u64::from(out), n)
    }

    pub(crate) fn fd_pread(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        out: u32,
    ) -> WasiResult<()> {
        mem.check(out, 4)?;
        let e = self.fds.get(fd)?;
        let h = match e.kind {
            Kind::File(h) => {
                e.require(rights::FD_READ | rights::FD_SEEK)?;
                h
            }
            Kind::Stdin(_) => return Err(Errno::Spipe.into()),
            _ => return Err(Errno::Badf.into()),
        };
        let vfs = &mut self.vfs;
        let n = scatter(mem, iovs, iovs_len, false, |buf, done| {
            let at = offset.checked_add(done).ok_or(Errno::Inval)?;
            Ok(vfs.read_at(h, at, buf)?)
        })?;
        mem.write_u32(u64::from(out), n)
    }

    pub(crate) fn fd_write(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        out: u32,
    ) -> WasiResult<()> {
        mem.check(out, 4)?;
        let e = self.fds.get_mut(fd)?;
        let sync = e.flags & (fdflags::SYNC | fdflags::DSYNC);
        let n = match &mut e.kind {
            Kind::File(h) => {
                let h = *h;
                e.require(rights::FD_WRITE)?;
                let vfs = &mut self.vfs;
                let n = gather(mem, iovs, iovs_len, |buf, _| Ok(vfs.write(h, buf)?))?;
                self.sync_after_write(h, sync, n)?;
                n
            }
            Kind::Output(_) => {
                e.require(rights::FD_WRITE)?;
                let Kind::Output(s) = &mut e.kind else {
                    return Err(Errno::Badf.into());
                };
                let n = gather(mem, iovs, iovs_len, |buf, _| write_stream(&mut **s, buf))?;
                match s.flush() {
                    Err(err) if n == 0 => return Err(err.into()),
                    _ => {}
                }
                n
            }
            _ => return Err(Errno::Badf.into()),
        };
        mem.write_u32(u64::from(out), n)
    }

    /// `fd_pwrite`. In append mode the data goes to the end whatever the offset (Linux
    /// `pwrite` semantics, as wasmtime); the cursor never moves.
    pub(crate) fn fd_pwrite(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        out: u32,
    ) -> WasiResult<()> {
        mem.check(out, 4)?;
        let e = self.fds.get(fd)?;
        let (h, flags) = match e.kind {
            Kind::File(h) => {
                e.require(rights::FD_WRITE | rights::FD_SEEK)?;
                (h, e.flags)
            }
            Kind::Output(_) => return Err(Errno::Spipe.into()),
            _ => return Err(Errno::Badf.into()),
        };
        let start = if flags & fdflags::APPEND != 0 {
            self.vfs.stat(h)?.size
        } else {
            offset
        };
        let vfs = &mut self.vfs;
        let n = gather(mem, iovs, iovs_len, |buf, done| {
            let at = start.checked_add(done).ok_or(Errno::Fbig)?;
            Ok(vfs.write_at(h, at, buf)?)
        })?;
        self.sync_after_write(h, flags & (fdflags::SYNC | fdflags::DSYNC), n)?;
        mem.write_u32(u64::from(out), n)
    }

    /// Honours `fdflags::sync` / `dsync` from `path_open`.
    fn sync_after_write(&mut self, h: Handle, sync: u16, written: u32) -> WasiResult<()> {
        if written == 0 || sync == 0 {
            return Ok(());
        }
        if sync & fdflags::SYNC != 0 {
            self.vfs.sync(h)?;
        } else {
            self.vfs.datasync(h)?;
        }
        Ok(())
    }

    pub(crate) fn fd_prestat_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        out: u32,
    ) -> WasiResult<()> {
        mem.check(out, abi::PRESTAT_SIZE)?;
        match &self.fds.get(fd)?.kind {
            Kind::Dir {
                preopen: Some(name),
                ..
            } => {
                let len = u32::try_from(name.len()).map_err(|_| Errno::Overflow)?;
                let mut b = [0u8; 8];
                b[4..8].copy_from_slice(&len.to_le_bytes());
                mem.write(u64::from(out), &b)
            }
            _ => Err(Errno::Badf.into()),
        }
    }

    pub(crate) fn fd_prestat_dir_name(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        path: u32,
        len: u32,
    ) -> WasiResult<()> {
        match &self.fds.get(fd)?.kind {
            Kind::Dir {
                preopen: Some(name),
                ..
            } => {
                if name.len() > len as usize {
                    return Err(Errno::Nametoolong.into());
                }
                mem.check(path, name.len() as u64)?;
                mem.write(u64::from(path), name.as_bytes())
            }
            _ => Err(Errno::Notdir.into()),
        }
    }

    pub(crate) fn fd_readdir(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        buf: u32,
        buf_len: u32,
        cookie: u64,
        out: u32,
    ) -> WasiResult<()> {
        mem.check(out, 4)?;
        mem.check(buf, u64::from(buf_len))?;
        let h = self.dir(fd, rights::FD_READDIR)?;
        let entries = self.vfs.read_dir(h, cookie)?;
        let dst = mem.bytes_mut(buf, buf_len)?;
        let mut used = 0usize;
        // Entries back to back: a 24-byte `dirent` header, then the name (no NUL). The last
        // one is cut off where the buffer ends; a full buffer tells the caller to ask again
        // from the last complete entry's cookie (wasi-libc relies on this).
        'entries: for e in &entries {
            let name = e.name.as_bytes();
            let mut hdr = [0u8; abi::DIRENT_SIZE];
            hdr[0..8].copy_from_slice(&e.next_cookie.to_le_bytes());
            hdr[8..16].copy_from_slice(&e.ino.to_le_bytes());
            hdr[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
            hdr[20] = filetype_of(e.file_type);
            for part in [&hdr[..], name] {
                let n = part.len().min(dst.len() - used);
                dst[used..used + n].copy_from_slice(&part[..n]);
                used += n;
                if used == dst.len() {
                    break 'entries;
                }
            }
        }
        mem.write_u32(u64::from(out), used as u32)
    }

    /// Moves `from` to number `to`, closing whatever was at `to`. As wasmtime, `to` must be
    /// open (`badf` otherwise).
    pub(crate) fn fd_renumber(&mut self, from: u32, to: u32) -> WasiResult<()> {
        if let Some(old) = self.fds.renumber(from, to)? {
            self.close_entry(old)?;
        }
        Ok(())
    }

    pub(crate) fn fd_seek(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        offset: i64,
        wh: u32,
        out: u32,
    ) -> WasiResult<()> {
        if wh > whence::END {
            return Err(Errno::Inval.into());
        }
        mem.check(out, 8)?;
        // `lseek(fd, 0, SEEK_CUR)` is `tell`, needing only that right.
        let needed = if offset == 0 && wh == whence::CUR {
            rights::FD_TELL
        } else {
            rights::FD_SEEK
        };
        let h = self.seekable(fd, needed)?;
        let pos = match wh {
            whence::SET => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
            whence::CUR => SeekFrom::Current(offset),
            _ => SeekFrom::End(offset),
        };
        let new = self.vfs.seek(h, pos)?;
        mem.write_u64(u64::from(out), new)
    }

    pub(crate) fn fd_tell(&mut self, mem: &mut GuestMem<'_>, fd: u32, out: u32) -> WasiResult<()> {
        mem.check(out, 8)?;
        let h = self.seekable(fd, rights::FD_TELL)?;
        let pos = self.vfs.tell(h)?;
        mem.write_u64(u64::from(out), pos)
    }

    // ----- path_* --------------------------------------------------------------------

    pub(crate) fn path_create_directory(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        path: u32,
        len: u32,
    ) -> WasiResult<()> {
        let h = self.dir(fd, rights::PATH_CREATE_DIRECTORY)?;
        let path = mem.str(path, len)?;
        self.vfs.create_dir(h, path)?;
        Ok(())
    }

    pub(crate) fn path_filestat_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        flags: u32,
        path: u32,
        len: u32,
        out: u32,
    ) -> WasiResult<()> {
        let follow = check_lookupflags(flags)?;
        mem.check(out, abi::FILESTAT_SIZE)?;
        let h = self.dir(fd, rights::PATH_FILESTAT_GET)?;
        let path = mem.str(path, len)?;
        let m = self.vfs.stat_path(h, path, follow)?;
        mem.write(u64::from(out), &filestat_bytes(&m))
    }

    pub(crate) fn path_filestat_set_times(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        flags: u32,
        path: u32,
        len: u32,
        atim: u64,
        mtim: u64,
        fst: u32,
    ) -> WasiResult<()> {
        let follow = check_lookupflags(flags)?;
        let (a, m) = with_values(check_fstflags(fst)?, atim, mtim);
        let h = self.dir(fd, rights::PATH_FILESTAT_SET_TIMES)?;
        let path = mem.str(path, len)?;
        self.vfs.set_times_path(h, path, follow, a, m)?;
        Ok(())
    }

    pub(crate) fn path_link(
        &mut self,
        mem: &mut GuestMem<'_>,
        old_fd: u32,
        old_flags: u32,
        old_path: u32,
        old_len: u32,
        new_fd: u32,
        new_path: u32,
        new_len: u32,
    ) -> WasiResult<()> {
        // Linking to what a symlink points at is `inval` in wasmtime (as `linkat` with
        // `AT_SYMLINK_FOLLOW` is not offered by cap-std).
        if check_lookupflags(old_flags)? {
            return Err(Errno::Inval.into());
        }
        let src = self.dir(old_fd, rights::PATH_LINK_SOURCE)?;
        let dst = self.dir(new_fd, rights::PATH_LINK_TARGET)?;
        let old_path = mem.str(old_path, old_len)?;
        let new_path = mem.str(new_path, new_len)?;
        match self.vfs.hard_link(src, old_path, false, dst, new_path) {
            // A new name with a trailing slash could only be a directory, and a hard link
            // never is: the name does not exist, `noent`, as `linkat` and wasmtime report
            // (and as `path_symlink` does here).
            Err(kpio_vfs::VfsError::NotDir { .. })
                if new_path.ends_with('/') && !old_path.ends_with('/') =>
            {
                Err(Errno::Noent.into())
            }
            r => Ok(r?),
        }
    }

    /// `path_open`. The new descriptor can read if `fs_rights_base` has `fd_read` and write
    /// if it has `fd_write` (as wasmtime); those two must be in the directory's inheriting
    /// rights. The new fd's rights are everything that applies to what was opened (minus
    /// read/write as opened), limited by the directory's inheriting rights.
    pub(crate) fn path_open(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        dirflags: u32,
        path: u32,
        len: u32,
        of: u32,
        base: u64,
        inheriting: u64,
        fdf: u32,
        out: u32,
    ) -> WasiResult<()> {
        let follow = check_lookupflags(dirflags)?;
        let of = match u16::try_from(of) {
            Ok(o) if o & !oflags::ALL == 0 => o,
            _ => return Err(Errno::Inval.into()),
        };
        let base = check_rights(base)?;
        check_rights(inheriting)?;
        let fdf = check_fdflags(fdf)?;
        mem.check(out, 4)?;
        let path = mem.str(path, len)?;
        let parent = self.fds.get(fd)?;
        let dir = match parent.kind {
            Kind::Dir { handle, .. } => handle,
            Kind::File(_) => return Err(Errno::Notdir.into()),
            _ => return Err(Errno::Badf.into()),
        };
        let mut needed = rights::PATH_OPEN;
        if of & oflags::CREAT != 0 {
            needed |= rights::PATH_CREATE_FILE;
        }
        parent.require(needed)?;
        let parent_inheriting = parent.inheriting;
        let rw = base & (rights::FD_READ | rights::FD_WRITE);
        if rw & !parent_inheriting != 0 {
            return Err(Errno::Notcapable.into());
        }
        self.fds.check_room()?;
        let opts = OpenOptions {
            read: base & rights::FD_READ != 0,
            write: base & rights::FD_WRITE != 0,
            append: fdf & fdflags::APPEND != 0,
            create: of & oflags::CREAT != 0,
            exclusive: of & oflags::EXCL != 0,
            truncate: of & oflags::TRUNC != 0,
            directory: of & oflags::DIRECTORY != 0,
            follow,
        };
        let h = self.vfs.open(dir, path, &opts)?;
        let info = match self.vfs.handle_info(h) {
            Ok(i) => i,
            Err(e) => {
                let _ = self.vfs.close(h);
                return Err(e.into());
            }
        };
        let entry = if info.file_type == FileType::Directory {
            let applicable =
                rights::ALL & !(rights::FD_SEEK | rights::FD_FILESTAT_SET_SIZE | rights::FD_WRITE);
            Entry {
                kind: Kind::Dir {
                    handle: h,
                    preopen: None,
                },
                base: applicable & parent_inheriting,
                inheriting: parent_inheriting,
                flags: fdf & !fdflags::APPEND,
            }
        } else {
            let mut applicable = rights::ALL;
            if !info.read {
                applicable &= !(rights::FD_READ | rights::FD_READDIR);
            }
            if !info.write {
                applicable &= !rights::FD_WRITE;
            }
            let r = applicable & parent_inheriting;
            Entry {
                kind: Kind::File(h),
                base: r,
                inheriting: r,
                flags: fdf,
            }
        };
        match self.fds.insert(entry) {
            Ok(new_fd) => mem.write_u32(u64::from(out), new_fd),
            Err(e) => {
                let _ = self.vfs.close(h);
                Err(e.into())
            }
        }
    }

    pub(crate) fn path_readlink(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        path: u32,
        len: u32,
        buf: u32,
        buf_len: u32,
        out: u32,
    ) -> WasiResult<()> {
        mem.check(out, 4)?;
        mem.check(buf, u64::from(buf_len))?;
        let h = self.dir(fd, rights::PATH_READLINK)?;
        let path = mem.str(path, len)?;
        let target = self.vfs.read_link(h, path)?;
        // wasmtime (cap-std) refuses to reveal an absolute target: it names a place outside
        // every preopen, so reading it is the same escape as following it.
        if target.starts_with('/') {
            return Err(Errno::Perm.into());
        }
        // Truncated to the buffer, as `readlink`.
        let bytes = target.as_bytes();
        let n = bytes.len().min(buf_len as usize);
        mem.write(u64::from(buf), &bytes[..n])?;
        mem.write_u32(u64::from(out), n as u32)
    }

    pub(crate) fn path_remove_directory(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        path: u32,
        len: u32,
    ) -> WasiResult<()> {
        let h = self.dir(fd, rights::PATH_REMOVE_DIRECTORY)?;
        let path = mem.str(path, len)?;
        // `rmdir` of a path ending in "." is `inval` (POSIX; wasmtime reports it so), not the
        // VFS's `busy` for removing the directory itself.
        if path.trim_end_matches('/').rsplit('/').next() == Some(".") {
            return Err(Errno::Inval.into());
        }
        self.vfs.remove_dir(h, path)?;
        Ok(())
    }

    pub(crate) fn path_rename(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        old_path: u32,
        old_len: u32,
        new_fd: u32,
        new_path: u32,
        new_len: u32,
    ) -> WasiResult<()> {
        let src = self.dir(fd, rights::PATH_RENAME_SOURCE)?;
        let dst = self.dir(new_fd, rights::PATH_RENAME_TARGET)?;
        let old_path = mem.str(old_path, old_len)?;
        let new_path = mem.str(new_path, new_len)?;
        // A trailing slash does not make rename act on what a symlink points at: renaming
        // "link/" is `notdir` (as `renameat` and wasmtime), never a rename of the target.
        if old_path.len() > 1 && old_path.ends_with('/') {
            let name = old_path.trim_end_matches('/');
            if let Ok(m) = self.vfs.stat_path(src, name, false)
                && m.file_type == FileType::Symlink
            {
                return Err(Errno::Notdir.into());
            }
        }
        self.vfs.rename(src, old_path, dst, new_path)?;
        Ok(())
    }

    pub(crate) fn path_symlink(
        &mut self,
        mem: &mut GuestMem<'_>,
        old_path: u32,
        old_len: u32,
        fd: u32,
        new_path: u32,
        new_len: u32,
    ) -> WasiResult<()> {
        let h = self.dir(fd, rights::PATH_SYMLINK)?;
        let target = mem.str(old_path, old_len)?;
        let path = mem.str(new_path, new_len)?;
        self.vfs.symlink(target, h, path)?;
        Ok(())
    }

    pub(crate) fn path_unlink_file(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        path: u32,
        len: u32,
    ) -> WasiResult<()> {
        let h = self.dir(fd, rights::PATH_UNLINK_FILE)?;
        let path = mem.str(path, len)?;
        self.vfs.unlink(h, path)?;
        Ok(())
    }

    // ----- poll_oneoff ---------------------------------------------------------------

    /// First pass over one subscription: validates it and says when it is ready.
    fn poll_sub(
        &mut self,
        mem: &GuestMem<'_>,
        at: u64,
        start: &mut [Option<u64>; 2],
    ) -> WasiResult<Sub> {
        match mem.read_u8(at + 8)? {
            eventtype::CLOCK => {
                let id = mem.read_u32(at + 16)?;
                let timeout = mem.read_u64(at + 24)?;
                let flags = mem.read_u16(at + 40)?;
                if flags & !abi::SUBCLOCK_ABSTIME != 0 {
                    return Err(Errno::Inval.into());
                }
                // CPU-time clocks do not advance while the guest sleeps, so a timeout on
                // them could never fire: `inval`, as wasmtime.
                let (slot, clock) = match ClockId::from_raw(id) {
                    Some(ClockId::Realtime) => (0, ClockId::Realtime),
                    Some(ClockId::Monotonic) => (1, ClockId::Monotonic),
                    _ => return Err(Errno::Inval.into()),
                };
                let remaining = if flags & abi::SUBCLOCK_ABSTIME != 0 {
                    let now = match start[slot] {
                        Some(n) => n,
                        None => {
                            let n = self.clock.now(clock)?;
                            start[slot] = Some(n);
                            n
                        }
                    };
                    timeout.saturating_sub(now)
                } else {
                    timeout
                };
                Ok(Sub::Clock { remaining })
            }
            tag @ (eventtype::FD_READ | eventtype::FD_WRITE) => {
                let fd = mem.read_u32(at + 16)?;
                let e = self.fds.get(fd)?;
                match (&e.kind, tag) {
                    (Kind::Stdin(_) | Kind::File(_), eventtype::FD_READ) => {
                        e.require(rights::FD_READ)?
                    }
                    (Kind::Output(_) | Kind::File(_), eventtype::FD_WRITE) => {
                        e.require(rights::FD_WRITE)?
                    }
                    _ => return Err(Errno::Badf.into()),
                }
                Ok(Sub::Fd)
            }
            _ => Err(Errno::Inval.into()),
        }
    }

    /// The event of a ready descriptor subscription: for a regular file open for reading,
    /// `nbytes` is what is left to read (and `hangup` at the end); otherwise 1, as wasmtime.
    fn fd_event(&mut self, fd: u32, tag: u8) -> (Errno, u64, u16) {
        let Ok(e) = self.fds.get(fd) else {
            return (Errno::Badf, 0, 0);
        };
        match (&e.kind, tag) {
            (Kind::File(h), eventtype::FD_READ) => {
                let h = *h;
                let left = self
                    .vfs
                    .tell(h)
                    .and_then(|pos| Ok(self.vfs.stat(h)?.size.saturating_sub(pos)));
                match left {
                    Ok(0) => (Errno::Success, 0, abi::EVENTRW_HANGUP),
                    Ok(n) => (Errno::Success, n, 0),
                    Err(err) => (Errno::from(&err), 0, 0),
                }
            }
            _ => (Errno::Success, 1, 0),
        }
    }

    /// `poll_oneoff`. Descriptors (regular files, stdio) are always ready, so with any fd
    /// subscription the call returns at once with those events (plus clocks already due).
    /// With only clocks it sleeps, through the injected clock, until the earliest is due,
    /// and reports every clock due by then.
    pub(crate) fn poll_oneoff(
        &mut self,
        mem: &mut GuestMem<'_>,
        subs: u32,
        events: u32,
        nsubs: u32,
        out: u32,
    ) -> WasiResult<()> {
        if nsubs == 0 {
            // Sleeping forever is not something preview 1 can ask for.
            return Err(Errno::Inval.into());
        }
        mem.check(out, 4)?;
        mem.check_array(subs, nsubs, abi::SUBSCRIPTION_SIZE)?;
        mem.check_array(events, nsubs, abi::EVENT_SIZE)?;
        let sub_at = |i: u32| u64::from(subs) + abi::SUBSCRIPTION_SIZE * u64::from(i);
        let mut start = [None; 2];
        let mut any_fd = false;
        let mut earliest = u64::MAX;
        for i in 0..nsubs {
            match self.poll_sub(mem, sub_at(i), &mut start)? {
                Sub::Fd => any_fd = true,
                Sub::Clock { remaining } => earliest = earliest.min(remaining),
            }
        }
        let waited = if any_fd {
            0
        } else {
            if earliest > 0 {
                self.clock.sleep(earliest);
            }
            earliest
        };
        let mut count: u32 = 0;
        for i in 0..nsubs {
            let at = sub_at(i);
            let userdata = mem.read_u64(at)?;
            let (tag, ready) = match self.poll_sub(mem, at, &mut start)? {
                Sub::Clock { remaining } => (eventtype::CLOCK, remaining <= waited),
                Sub::Fd => (mem.read_u8(at + 8)?, true),
            };
            if !ready {
                continue;
            }
            let (error, nbytes, flags) = if tag == eventtype::CLOCK {
                (Errno::Success, 0, 0)
            } else {
                let fd = mem.read_u32(at + 16)?;
                self.fd_event(fd, tag)
            };
            let mut ev = [0u8; 32];
            ev[0..8].copy_from_slice(&userdata.to_le_bytes());
            ev[8..10].copy_from_slice(&error.raw().to_le_bytes());
            ev[10] = tag;
            ev[16..24].copy_from_slice(&nbytes.to_le_bytes());
            ev[24..26].copy_from_slice(&flags.to_le_bytes());
            mem.write(u64::from(events) + abi::EVENT_SIZE * u64::from(count), &ev)?;
            count += 1;
        }
        mem.write_u32(u64::from(out), count)
    }

    // ----- sock_* --------------------------------------------------------------------
    //
    // Preview 1 cannot create sockets; they only exist if the host preopens them, which
    // comes with the network permission (issue 4). Until then no descriptor is a socket:
    // `notsock` for an open descriptor, `badf` for anything else (as wasmtime).

    fn not_a_socket(&self, fd: u32) -> WasiResult<()> {
        self.fds.get(fd)?;
        Err(Errno::Notsock.into())
    }

    pub(crate) fn sock_accept(&mut self, fd: u32, flags: u32) -> WasiResult<()> {
        check_fdflags(flags)?;
        self.not_a_socket(fd)
    }

    pub(crate) fn sock_recv(&mut self, fd: u32, ri_flags: u32) -> WasiResult<()> {
        if ri_flags & !abi::RIFLAGS_ALL != 0 {
            return Err(Errno::Inval.into());
        }
        self.not_a_socket(fd)
    }

    pub(crate) fn sock_send(&mut self, fd: u32) -> WasiResult<()> {
        self.not_a_socket(fd)
    }

    pub(crate) fn sock_shutdown(&mut self, fd: u32, how: u32) -> WasiResult<()> {
        if how & !abi::SDFLAGS_ALL != 0 {
            return Err(Errno::Inval.into());
        }
        self.not_a_socket(fd)
    }
}

//! [`WasiCtx`]: one guest's WASI state (arguments, environment, file descriptor table, VFS,
//! stdio, clock, randomness, exit code) and [`WasiCtxBuilder`], which makes one.

use crate::abi::rights;
use crate::errno::Errno;
use crate::mem::{Fail, WasiResult};
use crate::services::{Discard, InputStream, MemoryInput, OutputStream, RandomSource, WasiClock};
use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use kpio_vfs::{Handle, MountId, Vfs, VfsError, VfsLimits};

/// Default bound on open file descriptors (stdio and preopens included).
pub const DEFAULT_MAX_FDS: usize = 1024;

/// What a file descriptor refers to.
pub(crate) enum Kind {
    /// Standard input (fd 0 unless renumbered).
    Stdin(Box<dyn InputStream>),
    /// Standard output or error.
    Output(Box<dyn OutputStream>),
    /// A regular file of the VFS.
    File(Handle),
    /// A directory of the VFS; `preopen` is its prestat name if it is a preopen.
    Dir {
        handle: Handle,
        preopen: Option<String>,
    },
}

/// One open file descriptor.
pub(crate) struct Entry {
    pub kind: Kind,
    /// Rights of operations on this fd (`fs_rights_base`).
    pub base: u64,
    /// Rights of fds opened through this one (`fs_rights_inheriting`).
    pub inheriting: u64,
    /// `fdflags` as last set (append, dsync, nonblock, rsync, sync).
    pub flags: u16,
}

impl Entry {
    /// Checks that this fd holds `needed`: a missing `fd_read`/`fd_write` is `badf` (what
    /// wasmtime and POSIX report for a file not open for that access), any other missing
    /// right is `notcapable`.
    pub(crate) fn require(&self, needed: u64) -> Result<(), Errno> {
        let missing = needed & !self.base;
        if missing == 0 {
            Ok(())
        } else if missing & (rights::FD_READ | rights::FD_WRITE) != 0 {
            Err(Errno::Badf)
        } else {
            Err(Errno::Notcapable)
        }
    }
}

/// The descriptor table: numbers to entries, bounded by `max`.
///
/// Numbers are chosen as wasmtime does, so programs that print or compare descriptor
/// numbers see the same ones: the highest previously closed number if any, else one past
/// the highest open one.
pub(crate) struct FdTable {
    used: BTreeMap<u32, Entry>,
    free: BTreeSet<u32>,
    max: usize,
}

impl FdTable {
    fn new(max: usize) -> Self {
        FdTable {
            used: BTreeMap::new(),
            free: BTreeSet::new(),
            max,
        }
    }

    pub(crate) fn get(&self, fd: u32) -> Result<&Entry, Errno> {
        self.used.get(&fd).ok_or(Errno::Badf)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> Result<&mut Entry, Errno> {
        self.used.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// `mfile` when the table is full.
    pub(crate) fn check_room(&self) -> Result<(), Errno> {
        if self.used.len() >= self.max {
            return Err(Errno::Mfile);
        }
        Ok(())
    }

    fn next_number(&mut self) -> u32 {
        if let Some(fd) = self.free.pop_last() {
            return fd;
        }
        match self.used.last_key_value() {
            None => 0,
            Some((&last, _)) => match last.checked_add(1) {
                Some(fd) => fd,
                // Someone renumbered to u32::MAX: take the highest unused number. The table
                // holds at most `max` entries, so this looks at most `max + 1` numbers.
                None => (0..=u32::MAX)
                    .rev()
                    .find(|fd| !self.used.contains_key(fd))
                    .unwrap_or(0),
            },
        }
    }

    pub(crate) fn insert(&mut self, entry: Entry) -> Result<u32, Errno> {
        self.check_room()?;
        let fd = self.next_number();
        self.used.insert(fd, entry);
        Ok(fd)
    }

    pub(crate) fn remove(&mut self, fd: u32) -> Option<Entry> {
        let e = self.used.remove(&fd)?;
        self.remember_free(fd);
        Some(e)
    }

    fn remember_free(&mut self, fd: u32) {
        self.free.insert(fd);
        // Renumbering to arbitrary numbers could otherwise grow this set without bound.
        while self.free.len() > self.max {
            self.free.pop_last();
        }
    }

    /// Moves `from` to `to`, returning the entry that was at `to` (to be closed). Both must
    /// be open (`badf` otherwise), as in wasmtime: renumbering is `dup2` onto an existing
    /// descriptor, not a way to pick arbitrary numbers.
    pub(crate) fn renumber(&mut self, from: u32, to: u32) -> Result<Option<Entry>, Errno> {
        if !self.used.contains_key(&from) || !self.used.contains_key(&to) {
            return Err(Errno::Badf);
        }
        if from == to {
            return Ok(None);
        }
        let e = self.used.remove(&from).ok_or(Errno::Badf)?;
        let old = self.used.insert(to, e);
        self.free.remove(&to);
        self.remember_free(from);
        Ok(old)
    }

    pub(crate) fn len(&self) -> usize {
        self.used.len()
    }
}

/// Why [`WasiCtxBuilder::build`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WasiError {
    /// Argument `index` cannot be passed to a guest.
    Arg { index: usize, reason: &'static str },
    /// Environment variable `key` cannot be passed to a guest.
    Env { key: String, reason: &'static str },
    /// The arguments or environment do not fit the 32-bit sizes of the ABI.
    TooLarge { what: &'static str },
    /// Stdio plus the preopens need more descriptors than `max_fds` allows.
    TooManyFds { needed: usize, max_fds: usize },
    /// A mount could not be opened as a preopen.
    Preopen { path: String, error: VfsError },
    /// `preopen_name` named a mount the VFS does not have.
    UnknownMount { mount: u32 },
    /// No clock was given (hosted builds default to `host::HostClock`).
    MissingClock,
    /// No random source was given (hosted builds default to `host::OsRandom`).
    MissingRandom,
}

impl fmt::Display for WasiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WasiError::Arg { index, reason } => write!(f, "argument {index}: {reason}"),
            WasiError::Env { key, reason } => {
                write!(f, "environment variable {key:?}: {reason}")
            }
            WasiError::TooLarge { what } => write!(f, "{what} exceed 4 GiB"),
            WasiError::TooManyFds { needed, max_fds } => write!(
                f,
                "stdio and the preopens need {needed} file descriptors, but max_fds is {max_fds}"
            ),
            WasiError::Preopen { path, error } => {
                write!(f, "cannot preopen mount {path:?}: {error}")
            }
            WasiError::UnknownMount { mount } => {
                write!(f, "preopen_name: the VFS has no mount {mount}")
            }
            WasiError::MissingClock => f.write_str("no clock was given (WasiCtxBuilder::clock)"),
            WasiError::MissingRandom => {
                f.write_str("no random source was given (WasiCtxBuilder::random)")
            }
        }
    }
}

impl core::error::Error for WasiError {}

/// One guest's WASI state. Put it (or a struct holding it) in the `Store`'s data and register
/// the functions with [`add_to_linker`](crate::add_to_linker).
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<String>,
    pub(crate) vfs: Vfs,
    pub(crate) fds: FdTable,
    pub(crate) clock: Box<dyn WasiClock>,
    pub(crate) random: Box<dyn RandomSource>,
    pub(crate) exit_code: Option<i32>,
}

impl WasiCtx {
    /// The status the guest passed to `proc_exit`, once it has called it.
    pub fn exit_code(&self) -> Option<i32> {
        self.exit_code
    }

    /// The guest's VFS (to inspect what it wrote, or to share a handle's view).
    pub fn vfs(&self) -> &Vfs {
        &self.vfs
    }

    pub fn vfs_mut(&mut self) -> &mut Vfs {
        &mut self.vfs
    }

    /// The arguments, `argv[0]` first.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// Number of open file descriptors (stdio and preopens included).
    pub fn open_fds(&self) -> usize {
        self.fds.len()
    }

    /// Closes `fd`'s entry, giving back its VFS handle.
    pub(crate) fn close_entry(&mut self, e: Entry) -> WasiResult<()> {
        match e.kind {
            Kind::File(h) | Kind::Dir { handle: h, .. } => self.vfs.close(h).map_err(Fail::from),
            Kind::Output(mut s) => {
                // Whatever was buffered still goes out; a failure here is not the guest's.
                let _ = s.flush();
                Ok(())
            }
            Kind::Stdin(_) => Ok(()),
        }
    }
}

impl fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiCtx")
            .field("args", &self.args)
            .field("env", &self.env)
            .field("open_fds", &self.fds.len())
            .field("exit_code", &self.exit_code)
            .finish_non_exhaustive()
    }
}

/// Builds a [`WasiCtx`].
///
/// Defaults: no arguments, no environment, no preopens, empty stdin, stdout and stderr
/// discarded (as wasmtime without `inherit_stdio`), `max_fds` 1024. The clock and the
/// random source must be given, except with feature `host`, where they default to
/// [`host::HostClock`](crate::host::HostClock) and [`host::OsRandom`](crate::host::OsRandom).
#[derive(Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    vfs: Option<Vfs>,
    preopen_names: Vec<(MountId, String)>,
    stdin: Option<Box<dyn InputStream>>,
    stdout: Option<Box<dyn OutputStream>>,
    stderr: Option<Box<dyn OutputStream>>,
    clock: Option<Box<dyn WasiClock>>,
    random: Option<Box<dyn RandomSource>>,
    max_fds: Option<usize>,
}

impl WasiCtxBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one argument (the first is `argv[0]`, the program name).
    pub fn arg(&mut self, a: impl Into<String>) -> &mut Self {
        self.args.push(a.into());
        self
    }

    /// Appends arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, a: I) -> &mut Self {
        self.args.extend(a.into_iter().map(Into::into));
        self
    }

    /// Adds an environment variable (`environ_get` gives `KEY=VALUE`, in the order added).
    pub fn env(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The guest's file system. Every mount becomes a preopen: fds 3, 4, … in
    /// [`Vfs::mounts`] order, each named by its mount path unless renamed with
    /// [`preopen_name`](Self::preopen_name).
    pub fn vfs(&mut self, vfs: Vfs) -> &mut Self {
        self.vfs = Some(vfs);
        self
    }

    /// The name `fd_prestat_dir_name` reports for `mount` (default: the mount's guest path,
    /// like `/` or `/data`). `kpio run --dir .` uses `"."`, as wasmtime names a preopen by
    /// the guest path the user wrote.
    pub fn preopen_name(&mut self, mount: MountId, name: impl Into<String>) -> &mut Self {
        self.preopen_names.retain(|(m, _)| *m != mount);
        self.preopen_names.push((mount, name.into()));
        self
    }

    pub fn stdin(&mut self, s: Box<dyn InputStream>) -> &mut Self {
        self.stdin = Some(s);
        self
    }

    pub fn stdout(&mut self, s: Box<dyn OutputStream>) -> &mut Self {
        self.stdout = Some(s);
        self
    }

    pub fn stderr(&mut self, s: Box<dyn OutputStream>) -> &mut Self {
        self.stderr = Some(s);
        self
    }

    pub fn clock(&mut self, c: Box<dyn WasiClock>) -> &mut Self {
        self.clock = Some(c);
        self
    }

    pub fn random(&mut self, r: Box<dyn RandomSource>) -> &mut Self {
        self.random = Some(r);
        self
    }

    /// Most file descriptors open at once, stdio and preopens included (`mfile` beyond).
    pub fn max_fds(&mut self, n: usize) -> &mut Self {
        self.max_fds = Some(n);
        self
    }

    /// Checks the configuration and makes the context. Takes the configured VFS, streams,
    /// clock and random source out of the builder (it is left empty).
    pub fn build(&mut self) -> Result<WasiCtx, WasiError> {
        let b = core::mem::take(self);
        check_strings(&b.args, &b.env)?;
        let clock = match b.clock {
            Some(c) => c,
            None => default_clock()?,
        };
        let random = match b.random {
            Some(r) => r,
            None => default_random()?,
        };
        let mut vfs = b.vfs.unwrap_or_else(|| Vfs::new(VfsLimits::default()));
        let mounts = vfs.mounts();
        for (m, _) in &b.preopen_names {
            if !mounts.iter().any(|info| info.id == *m) {
                return Err(WasiError::UnknownMount { mount: m.0 });
            }
        }
        let max_fds = b.max_fds.unwrap_or(DEFAULT_MAX_FDS);
        let needed = 3 + mounts.len();
        if needed > max_fds {
            return Err(WasiError::TooManyFds { needed, max_fds });
        }
        let mut fds = FdTable::new(max_fds);
        let stdio = [
            (
                Kind::Stdin(b.stdin.unwrap_or_else(|| Box::new(MemoryInput::default()))),
                rights::FD_READ,
            ),
            (
                Kind::Output(b.stdout.unwrap_or_else(|| Box::new(Discard))),
                rights::FD_WRITE,
            ),
            (
                Kind::Output(b.stderr.unwrap_or_else(|| Box::new(Discard))),
                rights::FD_WRITE,
            ),
        ];
        for (kind, r) in stdio {
            let entry = Entry {
                kind,
                base: r,
                inheriting: r,
                flags: 0,
            };
            fds.insert(entry)
                .map_err(|_| WasiError::TooManyFds { needed, max_fds })?;
        }
        for info in mounts {
            let handle = vfs.open_root(info.id).map_err(|error| WasiError::Preopen {
                path: info.path.clone(),
                error,
            })?;
            let name = b
                .preopen_names
                .iter()
                .find(|(m, _)| *m == info.id)
                .map_or_else(|| info.path.clone(), |(_, n)| n.clone());
            let entry = Entry {
                kind: Kind::Dir {
                    handle,
                    preopen: Some(name),
                },
                base: rights::PREOPEN_BASE,
                inheriting: rights::PREOPEN_INHERITING,
                flags: 0,
            };
            fds.insert(entry)
                .map_err(|_| WasiError::TooManyFds { needed, max_fds })?;
        }
        Ok(WasiCtx {
            args: b.args,
            env: b
                .env
                .into_iter()
                .map(|(k, v)| {
                    let mut s = String::with_capacity(k.len() + 1 + v.len());
                    s.push_str(&k);
                    s.push('=');
                    s.push_str(&v);
                    s
                })
                .collect(),
            vfs,
            fds,
            clock,
            random,
            exit_code: None,
        })
    }
}

/// Arguments and environment must be C strings (no NUL), keys must not contain `=` or be
/// empty, and the `*_sizes_get` results must fit in 32 bits.
fn check_strings(args: &[String], env: &[(String, String)]) -> Result<(), WasiError> {
    for (index, a) in args.iter().enumerate() {
        if a.contains('\0') {
            return Err(WasiError::Arg {
                index,
                reason: "contains a NUL byte",
            });
        }
    }
    for (k, v) in env {
        let reason = if k.is_empty() {
            Some("the name is empty")
        } else if k.contains('=') {
            Some("the name contains '='")
        } else if k.contains('\0') || v.contains('\0') {
            Some("contains a NUL byte")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(WasiError::Env {
                key: k.to_string(),
                reason,
            });
        }
    }
    let arg_bytes: u64 = args.iter().map(|a| a.len() as u64 + 1).sum();
    if args.len() as u64 > u64::from(u32::MAX / 4) || arg_bytes > u64::from(u32::MAX) {
        return Err(WasiError::TooLarge { what: "arguments" });
    }
    let env_bytes: u64 = env
        .iter()
        .map(|(k, v)| k.len() as u64 + v.len() as u64 + 2)
        .sum();
    if env.len() as u64 > u64::from(u32::MAX / 4) || env_bytes > u64::from(u32::MAX) {
        return Err(WasiError::TooLarge {
            what: "environment variables",
        });
    }
    Ok(())
}

#[cfg(feature = "host")]
fn default_clock() -> Result<Box<dyn WasiClock>, WasiError> {
    Ok(Box::new(crate::host::HostClock::new()))
}

#[cfg(not(feature = "host"))]
fn default_clock() -> Result<Box<dyn WasiClock>, WasiError> {
    Err(WasiError::MissingClock)
}

#[cfg(feature = "host")]
fn default_random() -> Result<Box<dyn RandomSource>, WasiError> {
    Ok(Box::new(crate::host::OsRandom))
}

#[cfg(not(feature = "host"))]
fn default_random() -> Result<Box<dyn RandomSource>, WasiError> {
    Err(WasiError::MissingRandom)
}

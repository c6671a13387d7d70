//! Plain values shared by the front end ([`Vfs`](crate::Vfs)) and the backends: file types,
//! metadata, open options, directory entries, and the injected [`Clock`].

use alloc::string::String;
use core::sync::atomic::{AtomicU64, Ordering};

/// What kind of object a directory entry or handle refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    RegularFile,
    Directory,
    Symlink,
    /// Anything else a host directory may hold (device, FIFO, socket). The VFS never opens
    /// these for I/O.
    Unknown,
}

/// Metadata of a file, directory or symlink (WASI `filestat`). Timestamps are nanoseconds
/// since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata {
    /// The mount the object was reached through ([`MountId`](crate::MountId) index); two
    /// objects are the same only if `dev` and `ino` both match.
    pub dev: u64,
    /// Inode number, unique within one backend while the object exists.
    pub ino: u64,
    pub file_type: FileType,
    /// Number of directory entries (hard links) naming the object.
    pub nlink: u64,
    /// Size in bytes; for a symlink, the length of its target.
    pub size: u64,
    pub atime_ns: u64,
    pub mtime_ns: u64,
    pub ctime_ns: u64,
}

/// How to change one timestamp (WASI `fstflags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetTime {
    /// Leave it as it is.
    Omit,
    /// Set it to the backend's current time (the in-memory backend's injected [`Clock`]; the
    /// host backend's OS clock, which also stamps its writes).
    Now,
    /// Set it to this many nanoseconds since the Unix epoch.
    At(u64),
}

/// Where a [`Vfs::seek`](crate::Vfs::seek) is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekFrom {
    Start(u64),
    Current(i64),
    End(i64),
}

/// Options of [`Vfs::open`](crate::Vfs::open) (WASI `path_open`'s `oflags`, `lookupflags` and
/// the read/write part of its rights and `fdflags`). Defaults: read-only, no create, follow
/// symlinks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    /// The handle may be read.
    pub read: bool,
    /// The handle may be written, truncated and allocated.
    pub write: bool,
    /// Writes through the cursor go to the end of the file (`fdflags::append`).
    pub append: bool,
    /// Create a regular file if the entry does not exist (`O_CREAT`).
    pub create: bool,
    /// With `create`: fail with `Exists` if the entry exists (`O_EXCL`).
    pub exclusive: bool,
    /// Truncate an existing regular file to 0 bytes (`O_TRUNC`; needs `write`).
    pub truncate: bool,
    /// The entry must be a directory (`O_DIRECTORY`).
    pub directory: bool,
    /// Follow a symlink in the final component (`lookupflags::symlink_follow`); symlinks in
    /// earlier components are always followed, confined to the start directory.
    pub follow: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            read: true,
            write: false,
            append: false,
            create: false,
            exclusive: false,
            truncate: false,
            directory: false,
            follow: true,
        }
    }
}

impl OpenOptions {
    /// Read-only, following symlinks: the same as `default()`.
    pub fn read() -> Self {
        Self::default()
    }
    /// Read-write, create if missing (no truncate).
    pub fn read_write_create() -> Self {
        OpenOptions {
            write: true,
            create: true,
            ..Self::default()
        }
    }
    /// Open a directory.
    pub fn dir() -> Self {
        OpenOptions {
            directory: true,
            ..Self::default()
        }
    }
    pub fn with_read(mut self, v: bool) -> Self {
        self.read = v;
        self
    }
    pub fn with_write(mut self, v: bool) -> Self {
        self.write = v;
        self
    }
    pub fn with_append(mut self, v: bool) -> Self {
        self.append = v;
        self
    }
    pub fn with_create(mut self, v: bool) -> Self {
        self.create = v;
        self
    }
    pub fn with_exclusive(mut self, v: bool) -> Self {
        self.exclusive = v;
        self
    }
    pub fn with_truncate(mut self, v: bool) -> Self {
        self.truncate = v;
        self
    }
    pub fn with_directory(mut self, v: bool) -> Self {
        self.directory = v;
        self
    }
    pub fn with_follow(mut self, v: bool) -> Self {
        self.follow = v;
        self
    }
}

/// What a backend is asked to do when opening a regular file by (directory, name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileOpen {
    /// Open for writing too (the host backend opens `O_RDWR` instead of `O_RDONLY`).
    pub write: bool,
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
}

/// A directory entry as a backend lists it (without `.` and `..`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDirEntry {
    pub name: String,
    pub file_type: FileType,
    pub ino: u64,
}

/// A directory entry as [`Vfs::read_dir`](crate::Vfs::read_dir) returns it (WASI `dirent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// Pass this to `read_dir` to continue *after* this entry.
    pub next_cookie: u64,
    pub ino: u64,
    pub file_type: FileType,
    pub name: String,
}

/// The time source for backends that keep their own timestamps. Injected, never global.
pub trait Clock: Send + Sync {
    /// Nanoseconds since the Unix epoch.
    fn now_ns(&self) -> u64;
}

impl<F: Fn() -> u64 + Send + Sync> Clock for F {
    fn now_ns(&self) -> u64 {
        self()
    }
}

/// A clock that only moves when told to: for tests, and for a kernel before it has an RTC.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn new(start_ns: u64) -> Self {
        ManualClock(AtomicU64::new(start_ns))
    }
    pub fn set(&self, ns: u64) {
        self.0.store(ns, Ordering::Relaxed);
    }
    pub fn advance(&self, ns: u64) {
        self.0.fetch_add(ns, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now_ns(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

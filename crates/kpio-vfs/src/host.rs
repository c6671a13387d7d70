//! The host backend (feature `host`): a real directory, so data persists across runs.
//!
//! Every node is an open file descriptor and every operation is an `*at` system call on a
//! directory descriptor plus one validated [`Name`], always with `O_NOFOLLOW` /
//! `AT_SYMLINK_NOFOLLOW`. So the OS never resolves a path of more than one component and
//! never follows a symlink: the [`Vfs`](crate::Vfs) resolver reads symlinks and decides
//! where they lead, and a symlink planted in the directory out of band that points outside
//! (absolute, or `..` past the root) is refused like any other. Because nodes are
//! descriptors, a handle keeps referring to its object after a rename, and an unlinked open
//! file stays readable, exactly as in the in-memory backend.
//!
//! Timestamps are the OS's (it stamps writes itself), so [`SetTime::Now`] means the OS clock
//! here. Entries whose names are not UTF-8 are left out of listings (the VFS namespace is
//! UTF-8), and devices, FIFOs and sockets are listed as [`FileType::Unknown`] and never
//! opened. Total disk use is not limited here (only file size, by [`HostOptions`]).

extern crate std;

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::Mutex;

use rustix::fs::{self as rfs, AtFlags, Mode, OFlags, Timespec, Timestamps};
use rustix::io::Errno;

use crate::backend::{Backend, NodeId};
use crate::error::{PathErrorReason, VfsError, VfsResult};
use crate::path::Name;
use crate::types::{FileOpen, FileType, Metadata, RawDirEntry, SetTime};

/// Options of a [`HostFs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostOptions {
    /// Largest size of one regular file (`FileTooLarge` beyond).
    pub max_file_size: u64,
}

impl Default for HostOptions {
    /// 4 GiB per file.
    fn default() -> Self {
        HostOptions {
            max_file_size: 4 << 30,
        }
    }
}

/// The [`Backend`] over a host directory.
pub struct HostFs {
    root: Arc<OwnedFd>,
    nodes: Mutex<Nodes>,
    opts: HostOptions,
}

struct Nodes {
    next: NodeId,
    map: HashMap<NodeId, Arc<OwnedFd>>,
}

/// Maps an OS error to the VFS's, naming `name`.
fn os_err(op: &'static str, name: &str, e: Errno) -> VfsError {
    let path = name.to_string();
    match e {
        Errno::NOENT => VfsError::NotFound { path },
        Errno::EXIST => VfsError::Exists { path },
        Errno::NOTDIR => VfsError::NotDir { path },
        Errno::ISDIR => VfsError::IsDir { path },
        Errno::NOTEMPTY => VfsError::NotEmpty { path },
        Errno::LOOP => VfsError::Loop { path },
        Errno::NAMETOOLONG => VfsError::NameTooLong { path },
        Errno::ACCESS | Errno::PERM => VfsError::PermissionDenied { path },
        Errno::XDEV => VfsError::CrossDevice { path },
        Errno::ROFS => VfsError::ReadOnly { path },
        Errno::BUSY => VfsError::Busy { path },
        Errno::NOSPC | Errno::DQUOT => VfsError::NoSpace { what: "host disk" },
        Errno::FBIG => VfsError::FileTooLarge,
        Errno::MFILE | Errno::NFILE => VfsError::TooManyOpen,
        Errno::INVAL => VfsError::Invalid { what: op },
        _ => VfsError::Io {
            op,
            message: e.to_string(),
        },
    }
}

/// Retries a system call interrupted by a signal.
fn retry<T>(mut f: impl FnMut() -> rustix::io::Result<T>) -> rustix::io::Result<T> {
    loop {
        match f() {
            Err(Errno::INTR) => continue,
            r => return r,
        }
    }
}

fn file_type(mode: rfs::RawMode) -> FileType {
    match rfs::FileType::from_raw_mode(mode) {
        rfs::FileType::RegularFile => FileType::RegularFile,
        rfs::FileType::Directory => FileType::Directory,
        rfs::FileType::Symlink => FileType::Symlink,
        _ => FileType::Unknown,
    }
}

fn ns(sec: i64, nsec: i64) -> u64 {
    // Times before 1970 are clamped to the epoch: WASI timestamps are unsigned.
    u64::try_from(sec)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(nsec).unwrap_or(0))
}

fn metadata(st: &rfs::Stat) -> Metadata {
    #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
    Metadata {
        dev: 0,
        ino: st.st_ino as u64,
        file_type: file_type(st.st_mode),
        nlink: st.st_nlink as u64,
        size: u64::try_from(st.st_size).unwrap_or(0),
        atime_ns: ns(st.st_atime as i64, st.st_atime_nsec as i64),
        mtime_ns: ns(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ctime_ns: ns(st.st_ctime as i64, st.st_ctime_nsec as i64),
    }
}

fn timespec(t: SetTime) -> Timespec {
    match t {
        SetTime::Omit => Timespec {
            tv_sec: 0,
            tv_nsec: rfs::UTIME_OMIT,
        },
        SetTime::Now => Timespec {
            tv_sec: 0,
            tv_nsec: rfs::UTIME_NOW,
        },
        SetTime::At(ns) => Timespec {
            tv_sec: (ns / 1_000_000_000) as i64,
            tv_nsec: (ns % 1_000_000_000) as _,
        },
    }
}

impl HostFs {
    /// Opens (creating it and its parents if missing) the host directory `root`. `root` is
    /// trusted host configuration (for example `$KPIO_HOME`); only what lies below it is
    /// treated as untrusted.
    pub fn open(root: impl AsRef<Path>, opts: HostOptions) -> VfsResult<HostFs> {
        let root = root.as_ref();
        std::fs::create_dir_all(root).map_err(|e| VfsError::Io {
            op: "create root directory",
            message: alloc::format!("{}: {e}", root.display()),
        })?;
        let fd = rfs::open(
            root,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| VfsError::Io {
            op: "open root directory",
            message: alloc::format!("{}: {e}", root.display()),
        })?;
        Ok(HostFs {
            root: Arc::new(fd),
            nodes: Mutex::new(Nodes {
                next: 1,
                map: HashMap::new(),
            }),
            opts,
        })
    }

    fn nodes(&self) -> std::sync::MutexGuard<'_, Nodes> {
        // A panic elsewhere while holding the lock leaves the map consistent (every change
        // is one insert or remove), so a poisoned lock is still usable.
        self.nodes.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn add(&self, fd: Arc<OwnedFd>) -> NodeId {
        let mut nodes = self.nodes();
        let id = nodes.next;
        nodes.next += 1;
        nodes.map.insert(id, fd);
        id
    }

    fn fd(&self, node: NodeId) -> VfsResult<Arc<OwnedFd>> {
        self.nodes()
            .map
            .get(&node)
            .cloned()
            .ok_or(VfsError::BadHandle)
    }

    fn check_size(&self, end: Option<u64>) -> VfsResult<()> {
        match end {
            Some(end) if end <= self.opts.max_file_size => Ok(()),
            _ => Err(VfsError::FileTooLarge),
        }
    }
}

impl Backend for HostFs {
    fn root(&self) -> VfsResult<NodeId> {
        Ok(self.add(Arc::clone(&self.root)))
    }

    fn dup(&self, node: NodeId) -> VfsResult<NodeId> {
        let fd = self.fd(node)?;
        Ok(self.add(fd))
    }

    fn release(&self, node: NodeId) {
        self.nodes().map.remove(&node);
    }

    fn stat(&self, node: NodeId) -> VfsResult<Metadata> {
        let fd = self.fd(node)?;
        let st = rfs::fstat(&*fd).map_err(|e| os_err("fstat", "", e))?;
        Ok(metadata(&st))
    }

    fn stat_at(&self, dir: NodeId, name: &Name) -> VfsResult<Metadata> {
        let fd = self.fd(dir)?;
        let st = rfs::statat(&*fd, name.as_str(), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| os_err("stat", name, e))?;
        Ok(metadata(&st))
    }

    fn open_dir(&self, dir: NodeId, name: &Name) -> VfsResult<NodeId> {
        let fd = self.fd(dir)?;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        match retry(|| rfs::openat(&*fd, name.as_str(), flags, Mode::empty())) {
            Ok(child) => Ok(self.add(Arc::new(child))),
            // O_NOFOLLOW on a symlink: it is not a directory we may enter.
            Err(Errno::LOOP) => Err(VfsError::NotDir {
                path: name.to_string(),
            }),
            Err(e) => Err(os_err("open directory", name, e)),
        }
    }

    fn open_file(&self, dir: NodeId, name: &Name, opts: &FileOpen) -> VfsResult<NodeId> {
        let fd = self.fd(dir)?;
        // O_NONBLOCK: a FIFO planted out of band must not hang the open; it is refused below.
        let mut flags = OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
        flags |= if opts.write {
            OFlags::RDWR
        } else {
            OFlags::RDONLY
        };
        if opts.create {
            flags |= OFlags::CREATE;
        }
        if opts.exclusive {
            flags |= OFlags::EXCL;
        }
        if opts.truncate {
            flags |= OFlags::TRUNC;
        }
        let file = retry(|| rfs::openat(&*fd, name.as_str(), flags, Mode::from_raw_mode(0o666)))
            .map_err(|e| os_err("open file", name, e))?;
        let st = rfs::fstat(&file).map_err(|e| os_err("fstat", name, e))?;
        match file_type(st.st_mode) {
            FileType::RegularFile => Ok(self.add(Arc::new(file))),
            FileType::Directory => Err(VfsError::IsDir {
                path: name.to_string(),
            }),
            _ => Err(VfsError::Unsupported {
                what: "opening a device, FIFO or socket",
            }),
        }
    }

    fn read_at(&self, file: NodeId, offset: u64, buf: &mut [u8]) -> VfsResult<usize> {
        let fd = self.fd(file)?;
        retry(|| rustix::io::pread(&*fd, &mut *buf, offset)).map_err(|e| os_err("read", "", e))
    }

    fn write_at(&self, file: NodeId, offset: u64, data: &[u8]) -> VfsResult<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        self.check_size(offset.checked_add(data.len() as u64))?;
        let fd = self.fd(file)?;
        retry(|| rustix::io::pwrite(&*fd, data, offset)).map_err(|e| os_err("write", "", e))
    }

    fn set_len(&self, file: NodeId, len: u64) -> VfsResult<()> {
        self.check_size(Some(len))?;
        let fd = self.fd(file)?;
        retry(|| rfs::ftruncate(&*fd, len)).map_err(|e| os_err("set size", "", e))
    }

    fn allocate(&self, file: NodeId, offset: u64, len: u64) -> VfsResult<()> {
        if len == 0 {
            return Ok(());
        }
        let end = offset.checked_add(len);
        self.check_size(end)?;
        let fd = self.fd(file)?;
        match retry(|| rfs::fallocate(&*fd, rfs::FallocateFlags::empty(), offset, len)) {
            Ok(()) => Ok(()),
            // Some file systems cannot reserve blocks; growing the size is what WASI needs.
            Err(Errno::OPNOTSUPP) | Err(Errno::NOSYS) => {
                let size = self.stat(file)?.size;
                let end = end.unwrap_or(u64::MAX);
                if end > size {
                    retry(|| rfs::ftruncate(&*fd, end)).map_err(|e| os_err("allocate", "", e))?;
                }
                Ok(())
            }
            Err(e) => Err(os_err("allocate", "", e)),
        }
    }

    fn sync(&self, node: NodeId, data_only: bool) -> VfsResult<()> {
        let fd = self.fd(node)?;
        if data_only {
            retry(|| rfs::fdatasync(&*fd)).map_err(|e| os_err("datasync", "", e))
        } else {
            retry(|| rfs::fsync(&*fd)).map_err(|e| os_err("sync", "", e))
        }
    }

    fn set_times(&self, node: NodeId, atime: SetTime, mtime: SetTime) -> VfsResult<()> {
        let fd = self.fd(node)?;
        let ts = Timestamps {
            last_access: timespec(atime),
            last_modification: timespec(mtime),
        };
        rfs::futimens(&*fd, &ts).map_err(|e| os_err("set times", "", e))
    }

    fn set_times_at(
        &self,
        dir: NodeId,
        name: &Name,
        atime: SetTime,
        mtime: SetTime,
    ) -> VfsResult<()> {
        let fd = self.fd(dir)?;
        let ts = Timestamps {
            last_access: timespec(atime),
            last_modification: timespec(mtime),
        };
        rfs::utimensat(&*fd, name.as_str(), &ts, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| os_err("set times", name, e))
    }

    fn read_dir(&self, dir: NodeId) -> VfsResult<Vec<RawDirEntry>> {
        let fd = self.fd(dir)?;
        // A fresh descriptor for "." so each listing starts at the beginning and the node's
        // own descriptor keeps no directory position.
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let list = retry(|| rfs::openat(&*fd, ".", flags, Mode::empty()))
            .map_err(|e| os_err("read directory", "", e))?;
        let entries = rfs::Dir::new(list).map_err(|e| os_err("read directory", "", e))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| os_err("read directory", "", e))?;
            let Ok(name) = entry.file_name().to_str() else {
                continue; // not UTF-8: not nameable through the VFS
            };
            if name == "." || name == ".." {
                continue;
            }
            let file_type = match entry.file_type() {
                rfs::FileType::RegularFile => FileType::RegularFile,
                rfs::FileType::Directory => FileType::Directory,
                rfs::FileType::Symlink => FileType::Symlink,
                rfs::FileType::Unknown => {
                    // Some file systems do not fill d_type; ask (without following).
                    match rfs::statat(&*fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                        Ok(st) => file_type(st.st_mode),
                        Err(Errno::NOENT) => continue, // removed meanwhile
                        Err(e) => return Err(os_err("read directory", name, e)),
                    }
                }
                _ => FileType::Unknown,
            };
            out.push(RawDirEntry {
                name: name.to_string(),
                file_type,
                ino: entry.ino(),
            });
        }
        Ok(out)
    }

    fn create_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        let fd = self.fd(dir)?;
        rfs::mkdirat(&*fd, name.as_str(), Mode::from_raw_mode(0o777))
            .map_err(|e| os_err("create directory", name, e))
    }

    fn symlink(&self, target: &str, dir: NodeId, name: &Name) -> VfsResult<()> {
        let fd = self.fd(dir)?;
        rfs::symlinkat(target, &*fd, name.as_str()).map_err(|e| os_err("symlink", name, e))
    }

    fn read_link(&self, dir: NodeId, name: &Name) -> VfsResult<String> {
        let fd = self.fd(dir)?;
        let target = rfs::readlinkat(&*fd, name.as_str(), Vec::new()).map_err(|e| match e {
            Errno::INVAL => VfsError::Invalid {
                what: "not a symlink",
            },
            e => os_err("read link", name, e),
        })?;
        target.into_string().map_err(|_| VfsError::InvalidPath {
            path: name.to_string(),
            reason: PathErrorReason::NotUtf8,
        })
    }

    fn hard_link(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()> {
        let (s, d) = (self.fd(src_dir)?, self.fd(dst_dir)?);
        rfs::linkat(
            &*s,
            src_name.as_str(),
            &*d,
            dst_name.as_str(),
            AtFlags::empty(),
        )
        .map_err(|e| match e {
            Errno::EXIST => os_err("link", dst_name, e),
            e => os_err("link", src_name, e),
        })
    }

    fn unlink(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        let fd = self.fd(dir)?;
        rfs::unlinkat(&*fd, name.as_str(), AtFlags::empty()).map_err(|e| match e {
            // POSIX allows EPERM for unlinking a directory; Linux says EISDIR. Normalize.
            Errno::PERM | Errno::ISDIR
                if matches!(self.stat_at(dir, name), Ok(m) if m.file_type == FileType::Directory) =>
            {
                VfsError::IsDir {
                    path: name.to_string(),
                }
            }
            e => os_err("unlink", name, e),
        })
    }

    fn remove_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        let fd = self.fd(dir)?;
        rfs::unlinkat(&*fd, name.as_str(), AtFlags::REMOVEDIR).map_err(|e| match e {
            Errno::EXIST => VfsError::NotEmpty {
                path: name.to_string(),
            },
            e => os_err("remove directory", name, e),
        })
    }

    fn rename(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()> {
        let (s, d) = (self.fd(src_dir)?, self.fd(dst_dir)?);
        rfs::renameat(&*s, src_name.as_str(), &*d, dst_name.as_str()).map_err(|e| match e {
            Errno::NOTEMPTY | Errno::EXIST => VfsError::NotEmpty {
                path: dst_name.to_string(),
            },
            Errno::ISDIR => os_err("rename", dst_name, e),
            Errno::NOTDIR => {
                // Either the source is a directory and the destination is not, or a
                // component is missing; the destination is the usual culprit.
                os_err("rename", dst_name, e)
            }
            Errno::INVAL => VfsError::Invalid {
                what: "cannot move a directory into itself",
            },
            e => os_err("rename", src_name, e),
        })
    }
}

//! Fault injection for crash-consistency tests of anything built on the VFS (registry
//! commits, package installs, storage engines).
//!
//! [`FaultFs`] wraps a backend and counts operations; armed with [`FaultFs::fail_in`], it
//! makes the `n`-th counted operation fail, either alone (a transient I/O error) or with
//! every one after it (a crash: nothing after that point reaches the disk). A write that
//! fails can first write half its data (`torn_writes`), as a crash in the middle of a
//! write may leave.

use crate::backend::{Backend, NodeId};
use crate::error::{VfsError, VfsResult};
use crate::path::Name;
use crate::types::{FileOpen, Metadata, RawDirEntry, SetTime};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Which operations a [`FaultFs`] counts (and may fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Every operation except `release`, reads and lookups included.
    All,
    /// Only operations that change the file system (including opens that create or
    /// truncate).
    Mutating,
}

/// A backend that fails operations on request; see the module docs.
pub struct FaultFs {
    inner: Arc<dyn Backend>,
    counted: Counted,
    torn_writes: bool,
    count: AtomicU64,
    fail_at: AtomicU64,
    crash: AtomicBool,
}

impl FaultFs {
    pub fn new(inner: Arc<dyn Backend>, counted: Counted, torn_writes: bool) -> Arc<FaultFs> {
        Arc::new(FaultFs {
            inner,
            counted,
            torn_writes,
            count: AtomicU64::new(0),
            fail_at: AtomicU64::new(u64::MAX),
            crash: AtomicBool::new(false),
        })
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &Arc<dyn Backend> {
        &self.inner
    }

    /// Counted operations so far.
    pub fn ops(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }

    /// Fails the `n`-th counted operation from now (0 = the next one); with `crash`,
    /// every one after it too.
    pub fn fail_in(&self, n: u64, crash: bool) {
        self.crash.store(crash, Ordering::SeqCst);
        self.fail_at
            .store(self.ops().saturating_add(n), Ordering::SeqCst);
    }

    /// Stops failing.
    pub fn heal(&self) {
        self.fail_at.store(u64::MAX, Ordering::SeqCst);
        self.crash.store(false, Ordering::SeqCst);
    }

    /// Counts an operation of `kind`; `Err` if it must fail.
    fn tick(&self, op: &'static str, mutating: bool) -> VfsResult<()> {
        if !mutating && self.counted == Counted::Mutating {
            return Ok(());
        }
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        let at = self.fail_at.load(Ordering::SeqCst);
        if n == at || (self.crash.load(Ordering::SeqCst) && n >= at) {
            return Err(VfsError::Io {
                op,
                message: alloc::format!("injected fault at operation {n}"),
            });
        }
        Ok(())
    }
}

impl Backend for FaultFs {
    fn root(&self) -> VfsResult<NodeId> {
        self.tick("root", false)?;
        self.inner.root()
    }
    fn dup(&self, node: NodeId) -> VfsResult<NodeId> {
        self.tick("dup", false)?;
        self.inner.dup(node)
    }
    fn release(&self, node: NodeId) {
        self.inner.release(node)
    }
    fn stat(&self, node: NodeId) -> VfsResult<Metadata> {
        self.tick("stat", false)?;
        self.inner.stat(node)
    }
    fn stat_at(&self, dir: NodeId, name: &Name) -> VfsResult<Metadata> {
        self.tick("stat_at", false)?;
        self.inner.stat_at(dir, name)
    }
    fn open_dir(&self, dir: NodeId, name: &Name) -> VfsResult<NodeId> {
        self.tick("open_dir", false)?;
        self.inner.open_dir(dir, name)
    }
    fn open_file(&self, dir: NodeId, name: &Name, opts: &FileOpen) -> VfsResult<NodeId> {
        self.tick("open_file", opts.create || opts.truncate)?;
        self.inner.open_file(dir, name, opts)
    }
    fn read_at(&self, file: NodeId, offset: u64, buf: &mut [u8]) -> VfsResult<usize> {
        self.tick("read_at", false)?;
        self.inner.read_at(file, offset, buf)
    }
    fn write_at(&self, file: NodeId, offset: u64, data: &[u8]) -> VfsResult<usize> {
        if let Err(e) = self.tick("write_at", true) {
            if self.torn_writes {
                let _ = self.inner.write_at(file, offset, &data[..data.len() / 2]);
            }
            return Err(e);
        }
        self.inner.write_at(file, offset, data)
    }
    fn set_len(&self, file: NodeId, len: u64) -> VfsResult<()> {
        self.tick("set_len", true)?;
        self.inner.set_len(file, len)
    }
    fn allocate(&self, file: NodeId, offset: u64, len: u64) -> VfsResult<()> {
        self.tick("allocate", true)?;
        self.inner.allocate(file, offset, len)
    }
    fn sync(&self, node: NodeId, data_only: bool) -> VfsResult<()> {
        self.tick("sync", true)?;
        self.inner.sync(node, data_only)
    }
    fn set_times(&self, node: NodeId, atime: SetTime, mtime: SetTime) -> VfsResult<()> {
        self.tick("set_times", true)?;
        self.inner.set_times(node, atime, mtime)
    }
    fn set_times_at(
        &self,
        dir: NodeId,
        name: &Name,
        atime: SetTime,
        mtime: SetTime,
    ) -> VfsResult<()> {
        self.tick("set_times_at", true)?;
        self.inner.set_times_at(dir, name, atime, mtime)
    }
    fn read_dir(&self, dir: NodeId) -> VfsResult<Vec<RawDirEntry>> {
        self.tick("read_dir", false)?;
        self.inner.read_dir(dir)
    }
    fn create_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        self.tick("create_dir", true)?;
        self.inner.create_dir(dir, name)
    }
    fn symlink(&self, target: &str, dir: NodeId, name: &Name) -> VfsResult<()> {
        self.tick("symlink", true)?;
        self.inner.symlink(target, dir, name)
    }
    fn read_link(&self, dir: NodeId, name: &Name) -> VfsResult<String> {
        self.tick("read_link", false)?;
        self.inner.read_link(dir, name)
    }
    fn hard_link(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()> {
        self.tick("hard_link", true)?;
        self.inner.hard_link(src_dir, src_name, dst_dir, dst_name)
    }
    fn unlink(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        self.tick("unlink", true)?;
        self.inner.unlink(dir, name)
    }
    fn remove_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        self.tick("remove_dir", true)?;
        self.inner.remove_dir(dir, name)
    }
    fn rename(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()> {
        self.tick("rename", true)?;
        self.inner.rename(src_dir, src_name, dst_dir, dst_name)
    }
}

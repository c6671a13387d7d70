//! Crash consistency of `Registry::commit`: a backend that fails from its N-th operation on
//! (the process was killed there) or only at its N-th operation (a transient I/O error),
//! for every N a commit reaches. Afterwards the registry on storage must be exactly the old
//! one or exactly the new one.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use common::{add, memory_backend, system_vfs};
use kpio_app::{AppType, Registry};
use kpio_vfs::{
    Backend, FileOpen, MemoryFs, Metadata, Name, NodeId, RawDirEntry, SetTime, VfsError, VfsResult,
};

/// Delegates to a `MemoryFs`, failing operation number `fail_at` (counted from 0 since
/// `arm`) and, in `kill` mode, every operation after it. A failing `write_at` first writes
/// half its data (a torn write).
struct Failing {
    inner: Arc<MemoryFs>,
    ops: AtomicU64,
    fail_at: AtomicU64,
    kill: AtomicBool,
}

impl Failing {
    fn new(inner: Arc<MemoryFs>) -> Failing {
        Failing {
            inner,
            ops: AtomicU64::new(0),
            fail_at: AtomicU64::new(u64::MAX),
            kill: AtomicBool::new(false),
        }
    }

    fn arm(&self, at: u64, kill: bool) {
        self.ops.store(0, Ordering::SeqCst);
        self.kill.store(kill, Ordering::SeqCst);
        self.fail_at.store(at, Ordering::SeqCst);
    }

    fn disarm(&self) {
        self.fail_at.store(u64::MAX, Ordering::SeqCst);
    }

    /// Counts an operation; `Err` if it must fail.
    fn tick(&self) -> VfsResult<()> {
        let n = self.ops.fetch_add(1, Ordering::SeqCst);
        let at = self.fail_at.load(Ordering::SeqCst);
        let fail = if self.kill.load(Ordering::SeqCst) {
            n >= at
        } else {
            n == at
        };
        if fail {
            Err(VfsError::Io {
                op: "injected",
                message: format!("operation {n} failed"),
            })
        } else {
            Ok(())
        }
    }

    fn ops(&self) -> u64 {
        self.ops.load(Ordering::SeqCst)
    }
}

impl Backend for Failing {
    fn root(&self) -> VfsResult<NodeId> {
        self.tick()?;
        self.inner.root()
    }
    fn dup(&self, node: NodeId) -> VfsResult<NodeId> {
        self.tick()?;
        self.inner.dup(node)
    }
    fn release(&self, node: NodeId) {
        self.inner.release(node);
    }
    fn stat(&self, node: NodeId) -> VfsResult<Metadata> {
        self.tick()?;
        self.inner.stat(node)
    }
    fn stat_at(&self, dir: NodeId, name: &Name) -> VfsResult<Metadata> {
        self.tick()?;
        self.inner.stat_at(dir, name)
    }
    fn open_dir(&self, dir: NodeId, name: &Name) -> VfsResult<NodeId> {
        self.tick()?;
        self.inner.open_dir(dir, name)
    }
    fn open_file(&self, dir: NodeId, name: &Name, opts: &FileOpen) -> VfsResult<NodeId> {
        self.tick()?;
        self.inner.open_file(dir, name, opts)
    }
    fn read_at(&self, file: NodeId, offset: u64, buf: &mut [u8]) -> VfsResult<usize> {
        self.tick()?;
        self.inner.read_at(file, offset, buf)
    }
    fn write_at(&self, file: NodeId, offset: u64, data: &[u8]) -> VfsResult<usize> {
        if let Err(e) = self.tick() {
            let _ = self.inner.write_at(file, offset, &data[..data.len() / 2]);
            return Err(e);
        }
        self.inner.write_at(file, offset, data)
    }
    fn set_len(&self, file: NodeId, len: u64) -> VfsResult<()> {
        self.tick()?;
        self.inner.set_len(file, len)
    }
    fn allocate(&self, file: NodeId, offset: u64, len: u64) -> VfsResult<()> {
        self.tick()?;
        self.inner.allocate(file, offset, len)
    }
    fn sync(&self, node: NodeId, data_only: bool) -> VfsResult<()> {
        self.tick()?;
        self.inner.sync(node, data_only)
    }
    fn set_times(&self, node: NodeId, atime: SetTime, mtime: SetTime) -> VfsResult<()> {
        self.tick()?;
        self.inner.set_times(node, atime, mtime)
    }
    fn set_times_at(
        &self,
        dir: NodeId,
        name: &Name,
        atime: SetTime,
        mtime: SetTime,
    ) -> VfsResult<()> {
        self.tick()?;
        self.inner.set_times_at(dir, name, atime, mtime)
    }
    fn read_dir(&self, dir: NodeId) -> VfsResult<Vec<RawDirEntry>> {
        self.tick()?;
        self.inner.read_dir(dir)
    }
    fn create_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        self.tick()?;
        self.inner.create_dir(dir, name)
    }
    fn symlink(&self, target: &str, dir: NodeId, name: &Name) -> VfsResult<()> {
        self.tick()?;
        self.inner.symlink(target, dir, name)
    }
    fn read_link(&self, dir: NodeId, name: &Name) -> VfsResult<String> {
        self.tick()?;
        self.inner.read_link(dir, name)
    }
    fn hard_link(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()> {
        self.tick()?;
        self.inner.hard_link(src_dir, src_name, dst_dir, dst_name)
    }
    fn unlink(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        self.tick()?;
        self.inner.unlink(dir, name)
    }
    fn remove_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        self.tick()?;
        self.inner.remove_dir(dir, name)
    }
    fn rename(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()> {
        self.tick()?;
        self.inner.rename(src_dir, src_name, dst_dir, dst_name)
    }
}

/// Old and new registries; the new one is larger than the old (so a torn or truncated
/// write could be mistaken for neither) and has different content.
fn registries(old_empty: bool) -> (Registry, Registry) {
    let mut old = Registry::new();
    if !old_empty {
        add(&mut old, "com.old.one", "Old One", AppType::WasmApp);
        add(&mut old, "com.old.two", "Old Two", AppType::WebApp);
    }
    let mut new = old.clone();
    let first = new.list().next().map(|d| d.id);
    if let Some(first) = first {
        new.unregister(first).unwrap();
    }
    for i in 0..20 {
        add(&mut new, &format!("com.new.{i}"), "New", AppType::WasmApp);
    }
    (old, new)
}

/// Returns (how many failure points led to the old registry, how many to the new one).
fn run(old_empty: bool, kill: bool) -> (u32, u32) {
    let (old, new) = registries(old_empty);
    let (mut saw_old, mut saw_new) = (0, 0);
    for n in 0.. {
        let mem = memory_backend();
        let failing = Arc::new(Failing::new(Arc::clone(&mem)));
        let backend: Arc<dyn Backend> = Arc::clone(&failing) as Arc<dyn Backend>;
        let (mut vfs, root) = system_vfs(Arc::clone(&backend));
        if !old_empty {
            old.commit(&mut vfs, root).unwrap();
        }

        failing.arm(n, kill);
        let result = new.commit(&mut vfs, root);
        let reached = failing.ops();
        failing.disarm();
        if n >= reached {
            // The commit finished before failure point n: every point has been tried.
            result.unwrap();
            assert!(n > 5, "a commit takes more than a handful of operations");
            break;
        }
        assert!(result.is_err(), "operation {n} failed but commit said Ok");
        // "Restart": drop everything in memory, keep only what is on storage.
        drop(vfs);
        let (mut vfs, root) = system_vfs(Arc::clone(&backend));
        let loaded = Registry::load(&mut vfs, root)
            .unwrap_or_else(|e| panic!("after failure at operation {n}: {e}"));
        if loaded == old {
            saw_old += 1;
        } else if loaded == new {
            saw_new += 1;
        } else {
            panic!("after failure at operation {n}: neither old nor new: {loaded:?}");
        }
        // A later commit succeeds and wins.
        new.commit(&mut vfs, root).unwrap();
        assert_eq!(Registry::load(&mut vfs, root).unwrap(), new);
    }
    (saw_old, saw_new)
}

#[test]
fn killed_commit_leaves_old_or_new_registry() {
    let (old, new) = run(false, true);
    assert!(old > 0 && new > 0, "old {old} new {new}");
}

#[test]
fn killed_first_commit_leaves_no_registry_or_the_new_one() {
    let (old, new) = run(true, true);
    assert!(old > 0 && new > 0, "old {old} new {new}");
}

#[test]
fn transient_failures_leave_old_or_new_registry() {
    let (old, new) = run(false, false);
    assert!(old > 0 && new > 0, "old {old} new {new}");
}

//! The storage interface under the VFS: a [`Backend`] stores one tree of directories, files
//! and symlinks and knows nothing about paths.
//!
//! Path resolution, symlink following, confinement, mounts, handles and read-only checks all
//! live once in [`Vfs`](crate::Vfs), above this trait, so every backend gets the same
//! security properties. A backend only ever sees one directory node plus one [`Name`] at a
//! time, and must never follow a symlink itself (every operation is "no-follow").
//!
//! Nodes are referred to by [`NodeId`]s, which are *references*: [`Backend::root`],
//! [`Backend::open_dir`], [`Backend::open_file`] and [`Backend::dup`] each return a new
//! reference that must be given back with [`Backend::release`] exactly once. A referenced
//! node stays usable after it is unlinked or renamed (POSIX semantics for open files), and a
//! backend frees an unlinked node only when its last reference is released.
//!
//! Backends are shared by the sandboxes of many apps (`Arc<dyn Backend>`), so methods take
//! `&self` and implementations synchronize internally.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::error::VfsResult;
use crate::path::Name;
use crate::types::{FileOpen, Metadata, RawDirEntry, SetTime};

/// A backend's reference to one of its nodes. Meaningful only to the backend that issued it.
pub type NodeId = u64;

/// One tree of files. See the module docs for the reference rules.
///
/// Operations named `*_at` act on the entry `name` inside directory `dir` without following
/// it if it is a symlink. Errors carry the entry name as their path; the VFS replaces it with
/// the caller's path.
pub trait Backend: Send + Sync {
    /// A new reference to the root directory.
    fn root(&self) -> VfsResult<NodeId>;
    /// Another reference to an already referenced node.
    fn dup(&self, node: NodeId) -> VfsResult<NodeId>;
    /// Gives a reference back. Unknown ids are ignored.
    fn release(&self, node: NodeId);

    /// Metadata of a referenced node (`dev` is filled in by the VFS).
    fn stat(&self, node: NodeId) -> VfsResult<Metadata>;
    /// Metadata of an entry, not following a symlink (`lstat`).
    fn stat_at(&self, dir: NodeId, name: &Name) -> VfsResult<Metadata>;

    /// A reference to the directory `name` in `dir`: `NotDir` if it is anything else,
    /// including a symlink.
    fn open_dir(&self, dir: NodeId, name: &Name) -> VfsResult<NodeId>;
    /// A reference to the regular file `name` in `dir`, creating or truncating it as asked.
    /// A symlink there is `Loop` (or `Exists` with `create && exclusive`), a directory is
    /// `IsDir`, anything else `Unsupported`.
    fn open_file(&self, dir: NodeId, name: &Name, opts: &FileOpen) -> VfsResult<NodeId>;

    /// Reads from a regular file at `offset`; returns 0 at or past the end.
    fn read_at(&self, file: NodeId, offset: u64, buf: &mut [u8]) -> VfsResult<usize>;
    /// Writes to a regular file at `offset`, extending it (with zeros in any gap).
    fn write_at(&self, file: NodeId, offset: u64, data: &[u8]) -> VfsResult<usize>;
    /// Sets a regular file's size, cutting or zero-extending.
    fn set_len(&self, file: NodeId, len: u64) -> VfsResult<()>;
    /// Makes sure the bytes `offset..offset + len` exist (the size becomes at least
    /// `offset + len`; nothing shrinks; `len == 0` does nothing).
    fn allocate(&self, file: NodeId, offset: u64, len: u64) -> VfsResult<()>;
    /// Flushes data (and, unless `data_only`, metadata) to stable storage.
    fn sync(&self, node: NodeId, data_only: bool) -> VfsResult<()>;
    /// Changes a referenced node's access and modification times.
    fn set_times(&self, node: NodeId, atime: SetTime, mtime: SetTime) -> VfsResult<()>;
    /// Changes an entry's times without following a symlink.
    fn set_times_at(
        &self,
        dir: NodeId,
        name: &Name,
        atime: SetTime,
        mtime: SetTime,
    ) -> VfsResult<()>;

    /// All entries of a directory except `.` and `..`, in any order.
    fn read_dir(&self, dir: NodeId) -> VfsResult<Vec<RawDirEntry>>;
    /// Creates an empty directory (`Exists` if the name is taken).
    fn create_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()>;
    /// Creates a symlink holding `target` verbatim (the VFS has validated it).
    fn symlink(&self, target: &str, dir: NodeId, name: &Name) -> VfsResult<()>;
    /// The target text of the symlink `name` (`Invalid` if it is not a symlink).
    fn read_link(&self, dir: NodeId, name: &Name) -> VfsResult<String>;
    /// Adds the name `dst_name` in `dst_dir` for the object `src_name` in `src_dir` (a
    /// symlink is linked itself; a directory is `PermissionDenied`).
    fn hard_link(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()>;
    /// Removes a non-directory entry (`IsDir` for a directory).
    fn unlink(&self, dir: NodeId, name: &Name) -> VfsResult<()>;
    /// Removes an empty directory (`NotDir`, `NotEmpty`).
    fn remove_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()>;
    /// POSIX `rename`: replaces an existing destination of a compatible kind (file over
    /// file, directory over empty directory), refuses to move a directory into itself.
    fn rename(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()>;
}

/// A reference that releases itself when dropped, so no early return can leak it.
pub(crate) struct NodeRef {
    backend: Arc<dyn Backend>,
    id: NodeId,
}

impl NodeRef {
    /// Takes ownership of a reference just returned by `backend`.
    pub(crate) fn new(backend: &Arc<dyn Backend>, id: NodeId) -> NodeRef {
        NodeRef {
            backend: Arc::clone(backend),
            id,
        }
    }

    pub(crate) fn id(&self) -> NodeId {
        self.id
    }

    pub(crate) fn dup(&self) -> VfsResult<NodeRef> {
        let id = self.backend.dup(self.id)?;
        Ok(NodeRef::new(&self.backend, id))
    }
}

impl Drop for NodeRef {
    fn drop(&mut self) {
        self.backend.release(self.id);
    }
}

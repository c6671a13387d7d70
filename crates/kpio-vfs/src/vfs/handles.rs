//! The handle table of a [`Vfs`], and what each open handle may do.
//!
//! A [`Handle`] is a plain index into the table; the WASI layer keeps its own fd numbers and
//! maps them to handles. Each slot records the handle's kind (file or directory), its access
//! mode (read, write, append) and the mount it was opened through, because every operation
//! is checked against those here, once, rather than trusted to the caller: a directory
//! handle is not read as a file, a read-only handle is not written, and nothing is written
//! through a read-only mount. The table is bounded
//! ([`VfsLimits::max_open`](crate::VfsLimits::max_open)) so a guest
//! cannot pin an unbounded number of backend references (host file descriptors).

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{MountId, Vfs};
use crate::backend::{Backend, NodeId, NodeRef};
use crate::error::{VfsError, VfsResult};
use crate::types::FileType;

/// An open file or directory of one [`Vfs`]. Plain index; the WASI layer keeps its own fd
/// numbers and maps them to handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle(u32);

impl Handle {
    pub fn raw(self) -> u32 {
        self.0
    }
    pub fn from_raw(raw: u32) -> Handle {
        Handle(raw)
    }
}

/// What [`Vfs::handle_info`] tells about an open handle (for WASI `fd_fdstat_get`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandleInfo {
    pub mount: MountId,
    /// `RegularFile` or `Directory`.
    pub file_type: FileType,
    pub read: bool,
    pub write: bool,
    pub append: bool,
    /// The handle's mount refuses modification.
    pub read_only_mount: bool,
}

/// One open handle: the node it holds a reference to, and what it may do with it.
pub(super) struct Open {
    /// Index into the mount table.
    pub(super) mount: usize,
    pub(super) node: NodeRef,
    pub(super) is_dir: bool,
    pub(super) read: bool,
    pub(super) write: bool,
    pub(super) append: bool,
    /// The cursor of `read`/`write`/`seek` (files only).
    pub(super) pos: u64,
}

/// Open handles by index. Freed slots are reused (lowest first), so handle numbers stay
/// small however long an app runs.
pub(super) struct HandleTable {
    slots: Vec<Option<Open>>,
    /// Number of `Some` slots, kept so the bound is checked without a scan.
    open: usize,
    max_open: usize,
}

impl HandleTable {
    pub(super) fn new(max_open: usize) -> HandleTable {
        HandleTable {
            slots: Vec::new(),
            open: 0,
            max_open,
        }
    }

    /// `TooManyOpen` if no further handle may be opened. Separate from [`Self::insert`] so
    /// an open can fail early, before it resolves a path or creates a file.
    pub(super) fn check_room(&self) -> VfsResult<()> {
        if self.open >= self.max_open {
            return Err(VfsError::TooManyOpen);
        }
        Ok(())
    }

    /// Stores `open` in the lowest free slot; the caller has passed [`Self::check_room`].
    pub(super) fn insert(&mut self, open: Open) -> Handle {
        self.open += 1;
        if let Some(i) = self.slots.iter().position(Option::is_none) {
            self.slots[i] = Some(open);
            return Handle(i as u32);
        }
        self.slots.push(Some(open));
        Handle((self.slots.len() - 1) as u32)
    }

    pub(super) fn get(&self, h: Handle) -> VfsResult<&Open> {
        self.slots
            .get(h.0 as usize)
            .and_then(Option::as_ref)
            .ok_or(VfsError::BadHandle)
    }

    pub(super) fn get_mut(&mut self, h: Handle) -> VfsResult<&mut Open> {
        self.slots
            .get_mut(h.0 as usize)
            .and_then(Option::as_mut)
            .ok_or(VfsError::BadHandle)
    }

    /// Frees a slot, dropping (so releasing) its node reference.
    fn remove(&mut self, h: Handle) -> VfsResult<()> {
        let slot = self
            .slots
            .get_mut(h.0 as usize)
            .ok_or(VfsError::BadHandle)?;
        if slot.take().is_none() {
            return Err(VfsError::BadHandle);
        }
        self.open -= 1;
        Ok(())
    }
}

impl Vfs {
    /// Opens a new directory handle on a mount's root (a WASI preopen).
    pub fn open_root(&mut self, mount: MountId) -> VfsResult<Handle> {
        let m = self.mounts.get(mount.0 as usize).ok_or(VfsError::Invalid {
            what: "no such mount",
        })?;
        self.handles.check_room()?;
        let node = m.root.dup()?;
        Ok(self.handles.insert(Open {
            mount: mount.0 as usize,
            node,
            is_dir: true,
            read: true,
            write: false,
            append: false,
            pos: 0,
        }))
    }

    /// Number of handles open now.
    pub fn open_count(&self) -> usize {
        self.handles.open
    }

    /// Closes a handle. The object stays alive while other handles or names refer to it.
    pub fn close(&mut self, h: Handle) -> VfsResult<()> {
        self.handles.remove(h)
    }

    /// What kind of handle this is and how it was opened.
    pub fn handle_info(&self, h: Handle) -> VfsResult<HandleInfo> {
        let o = self.handles.get(h)?;
        Ok(HandleInfo {
            mount: MountId(o.mount as u32),
            file_type: if o.is_dir {
                FileType::Directory
            } else {
                FileType::RegularFile
            },
            read: o.read,
            write: o.write,
            append: o.append,
            read_only_mount: self.mounts[o.mount].read_only,
        })
    }

    /// Turns append mode on or off (WASI `fd_fdstat_set_flags`).
    pub fn set_append(&mut self, h: Handle, append: bool) -> VfsResult<()> {
        let o = self.handles.get_mut(h)?;
        if o.is_dir {
            return Err(VfsError::IsDir {
                path: String::new(),
            });
        }
        o.append = append;
        Ok(())
    }

    /// The backend a handle's node belongs to.
    pub(super) fn backend_of(&self, o: &Open) -> Arc<dyn Backend> {
        Arc::clone(&self.mounts[o.mount].backend)
    }

    /// The handle as a regular file (`IsDir` for a directory), with its backend.
    pub(super) fn file(&self, h: Handle) -> VfsResult<(&Open, Arc<dyn Backend>)> {
        let o = self.handles.get(h)?;
        if o.is_dir {
            return Err(VfsError::IsDir {
                path: String::new(),
            });
        }
        Ok((o, self.backend_of(o)))
    }

    /// A file handle opened for reading (`BadAccessMode` otherwise).
    pub(super) fn readable_file(&self, h: Handle) -> VfsResult<(&Open, Arc<dyn Backend>)> {
        let (o, b) = self.file(h)?;
        if !o.read {
            return Err(VfsError::BadAccessMode);
        }
        Ok((o, b))
    }

    /// A file handle that may be written (mount and access mode both allow it).
    pub(super) fn writable_file(&self, h: Handle) -> VfsResult<(NodeId, Arc<dyn Backend>)> {
        let (o, b) = self.file(h)?;
        if self.mounts[o.mount].read_only {
            return Err(VfsError::ReadOnly {
                path: String::new(),
            });
        }
        if !o.write {
            return Err(VfsError::BadAccessMode);
        }
        Ok((o.node.id(), b))
    }

    /// The handle as a directory to resolve paths in (`NotDir` for a file): (mount index,
    /// backend, node).
    pub(super) fn dir(&self, h: Handle) -> VfsResult<(usize, Arc<dyn Backend>, NodeId)> {
        let o = self.handles.get(h)?;
        if !o.is_dir {
            return Err(VfsError::NotDir {
                path: String::new(),
            });
        }
        Ok((o.mount, self.backend_of(o), o.node.id()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::OpenOptions;
    use crate::vfs::{MountOptions, VfsLimits, test_backend};

    #[test]
    fn handle_table_is_bounded_and_slots_are_reused() {
        let mut vfs = Vfs::new(VfsLimits { max_open: 3 });
        let m = vfs
            .mount("/", test_backend(), "", MountOptions::default())
            .unwrap();
        let root = vfs.open_root(m).unwrap();
        let a = vfs
            .open(root, "a", &OpenOptions::read_write_create())
            .unwrap();
        let _b = vfs.open(root, "a", &OpenOptions::read()).unwrap();
        assert_eq!(
            vfs.open(root, "a", &OpenOptions::read()),
            Err(VfsError::TooManyOpen)
        );
        vfs.close(a).unwrap();
        assert_eq!(vfs.close(a), Err(VfsError::BadHandle));
        let c = vfs.open(root, "a", &OpenOptions::read()).unwrap();
        assert_eq!(c, a, "freed slot reused");
        assert_eq!(vfs.open_count(), 3);
    }
}

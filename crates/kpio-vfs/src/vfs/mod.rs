//! The front end: [`Vfs`] owns a mount table and a handle table and implements every
//! path-based and handle-based operation on top of [`Backend`]s.
//!
//! This is where the security properties live, once for all backends:
//!
//! - Paths are parsed into [`VPath`](crate::VPath)s at the API edge.
//! - A path whose `..`s climb above its start on their face is refused up front (`Escape`).
//! - Resolution walks one component at a time from the directory handle given, keeping the
//!   chain of directories it walked. `..` steps back along that chain; stepping back past
//!   the start directory is [`VfsError::Escape`](crate::VfsError::Escape). So a handle is
//!   a capability for its subtree only (as in WASI and cap-std), and nothing above a mount
//!   root is ever reachable.
//! - Symlinks are read (never followed by a backend) and their targets are spliced into the
//!   remaining path, at most [`MAX_SYMLINK_HOPS`] times (`Loop` beyond). A target that is
//!   absolute, or whose `..` climbs past the start directory, is `Escape`. Creating a symlink
//!   with an absolute target is refused up front, so such links never get stored.
//! - Mounts are disjoint capability roots. Writes through a read-only mount are `ReadOnly`;
//!   rename and link between mounts are `CrossDevice`. Mount points are matched component by
//!   component, so `/apps/data/1` is never a prefix of `/apps/data/10`.
//! - The number of open handles is bounded ([`VfsLimits::max_open`]) and resolution holds at
//!   most [`MAX_DEPTH`] directories at once.
//!
//! A `Vfs` is one app's (or the system's) view; it is single-owner (`&mut self`), while the
//! backends under it are shared.
//!
//! The `Vfs` type and its limits are defined here; each submodule adds one part of it, so
//! each rule above can be read and reviewed in one place (confinement in `resolve`, access
//! checks in `handles`, mount rules in `mounts`):
//!
//! - `mounts`: the mount table: attaching a backend directory, listing mounts, finding the
//!   mount a guest path falls in, the read-only check.
//! - `handles`: the handle table and what a handle is allowed to do (its kind and access
//!   mode); opening a mount root, closing, `handle_info`.
//! - `resolve`: confined path resolution from a directory handle (`..`, symlinks, escapes,
//!   depth and hop limits), the one place paths are walked.
//! - `open`: `path_open`, the one operation that turns a path into a new handle.
//! - `handle_ops`: operations on an open handle (`fd_read`, `fd_write`, `fd_seek`, ...).
//! - `path_ops`: operations on a path relative to a directory handle (`path_unlink_file`,
//!   `path_rename`, ...), other than opening.
//! - `readdir`: directory listing with cookies that survive changes to the directory.

mod handle_ops;
mod handles;
mod mounts;
mod open;
mod path_ops;
mod readdir;
mod resolve;

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::backend::Backend;
use crate::error::VfsResult;

pub use handles::{Handle, HandleInfo};
pub use mounts::{MountId, MountInfo, MountOptions};
pub use readdir::{DOT_COOKIE, DOTDOT_COOKIE};
pub use resolve::{MAX_DEPTH, MAX_SYMLINK_HOPS};

use handles::HandleTable;
use mounts::Mount;

/// Limits of one [`Vfs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VfsLimits {
    /// Most handles open at once (`TooManyOpen` beyond).
    pub max_open: usize,
}

impl Default for VfsLimits {
    /// 1024 handles.
    fn default() -> Self {
        VfsLimits { max_open: 1024 }
    }
}

/// One app's (or the system's) view of the file systems: mounts plus open handles.
pub struct Vfs {
    /// Indexed by [`MountId`]; mounts are never removed, so an index stays valid.
    mounts: Vec<Mount>,
    handles: HandleTable,
}

impl Vfs {
    /// A VFS with no mounts yet.
    pub fn new(limits: VfsLimits) -> Vfs {
        Vfs {
            mounts: Vec::new(),
            handles: HandleTable::new(limits.max_open),
        }
    }

    /// A VFS with the whole of `backend` mounted read-write at `/` (the system's view).
    pub fn with_root(backend: Arc<dyn Backend>) -> VfsResult<Vfs> {
        let mut vfs = Vfs::new(VfsLimits::default());
        vfs.mount("/", backend, "", MountOptions::default())?;
        Ok(vfs)
    }
}

/// Makes an error name `path`, the caller's whole path, in place of whatever (empty, or a
/// backend's single component) it carried, so guest-facing messages name what was asked for.
fn no_path<T>(r: VfsResult<T>, path: &str) -> VfsResult<T> {
    r.map_err(|e| e.with_path(path))
}

/// A fresh in-memory backend for the unit tests of the submodules.
#[cfg(test)]
fn test_backend() -> Arc<dyn Backend> {
    use crate::memory::{MemoryFs, MemoryLimits};
    use crate::types::ManualClock;
    Arc::new(MemoryFs::new(
        MemoryLimits::default(),
        Arc::new(ManualClock::new(5)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::VfsError;
    use crate::types::OpenOptions;

    #[test]
    fn vfs_can_move_between_threads() {
        fn send<T: Send>() {}
        send::<Vfs>();
    }

    #[test]
    fn errors_name_the_callers_path() {
        let mut vfs = Vfs::with_root(test_backend()).unwrap();
        let root = vfs.open_root(MountId(0)).unwrap();
        vfs.create_dir(root, "d").unwrap();
        let err = vfs
            .open(root, "d/missing/x", &OpenOptions::read())
            .unwrap_err();
        assert_eq!(
            err,
            VfsError::NotFound {
                path: "d/missing/x".into()
            }
        );
        assert_eq!(
            alloc::format!("{err}"),
            "\"d/missing/x\": no such file or directory"
        );
    }
}

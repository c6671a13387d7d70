//! Confined path resolution: how a path given relative to a directory handle becomes one
//! directory plus a final name, without ever leaving that directory's subtree.
//!
//! This is the only place paths are walked, so the confinement rules hold for every
//! operation and every backend:
//!
//! - A path whose `..`s climb above its start on their face is refused up front (`Escape`).
//! - Resolution walks one component at a time, keeping the chain of directories it walked.
//!   `..` steps back along that chain (after a symlink it is the parent of the link's
//!   target, as in POSIX); stepping back past the start directory is `Escape`.
//! - Symlinks are read, never followed by a backend, and their targets spliced into the
//!   remaining path, at most [`MAX_SYMLINK_HOPS`] times (`Loop` beyond). An absolute target
//!   is `Escape` (it fails to parse as a relative path).
//! - At most [`MAX_DEPTH`] directories are held at once (`NameTooLong` beyond), which bounds
//!   the backend references (host file descriptors) one lookup pins.
//!
//! The final component is looked up but not opened: each operation decides what to do with
//! the entry (open it, remove it, create it, ...).

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::handles::Handle;
use super::{Vfs, no_path};
use crate::backend::{Backend, NodeId, NodeRef};
use crate::error::{VfsError, VfsResult};
use crate::path::{Component, Name, VPath};
use crate::types::FileType;

/// Most symlinks followed while resolving one path (as Linux's limit).
pub const MAX_SYMLINK_HOPS: u32 = 40;
/// Most directories one resolution may descend below its start directory at once; deeper is
/// `NameTooLong`. Bounds the backend references (host file descriptors) a lookup holds.
pub const MAX_DEPTH: usize = 256;

/// Outcome of resolving a path: the directory the last component lives in, and that
/// component (`None` when the path names the directory itself, as `.` or `a/..` do).
pub(super) struct Resolved {
    /// Directories walked below the start, owned so they stay valid; the last one is `dir`.
    held: Vec<NodeRef>,
    pub(super) dir: NodeId,
    pub(super) name: Option<Name>,
    /// The path ended in `/`: the final entry must be a directory.
    pub(super) trailing: bool,
}

impl Resolved {
    /// A reference to `dir` itself, for opening it.
    pub(super) fn dir_ref(mut self, backend: &Arc<dyn Backend>) -> VfsResult<NodeRef> {
        match self.held.pop() {
            Some(r) => Ok(r),
            None => Ok(NodeRef::new(backend, backend.dup(self.dir)?)),
        }
    }

    /// The final name, for operations that need one.
    pub(super) fn name(&self) -> VfsResult<&Name> {
        // Callers that need a name get `Busy` for `.`/`a/..`, like rmdir(".") on Linux.
        self.name.as_ref().ok_or(VfsError::Busy {
            path: String::new(),
        })
    }
}

/// Parses the text of a symlink met during resolution.
fn parse_link_target(target: &str) -> VfsResult<VPath> {
    match VPath::parse(target) {
        Ok(p) => Ok(p),
        // A symlink to nothing (possible only when planted on a host directory) resolves to
        // nothing.
        Err(VfsError::InvalidPath { .. }) => Err(VfsError::NotFound {
            path: String::new(),
        }),
        Err(e) => Err(e),
    }
}

/// Walks `path` from `start`; a final symlink is followed only with `follow_final` (or a
/// trailing `/`). See the module docs.
pub(super) fn resolve(
    backend: &Arc<dyn Backend>,
    start: NodeId,
    path: &VPath,
    follow_final: bool,
) -> VfsResult<Resolved> {
    if path.escapes_lexically() {
        return Err(VfsError::Escape {
            path: String::new(),
        });
    }
    let mut held: Vec<NodeRef> = Vec::new();
    let mut pending: Vec<Component> = path.components().iter().rev().cloned().collect();
    let mut trailing = path.has_trailing_slash();
    let mut hops = 0u32;
    // Walks until the path runs out (`None`: the path names the directory reached) or a
    // final entry is found that the caller acts on itself (`Some(name)`).
    let name = loop {
        let Some(comp) = pending.pop() else {
            break None;
        };
        let cur = held.last().map_or(start, NodeRef::id);
        let name = match comp {
            Component::Parent => {
                if held.pop().is_none() {
                    return Err(VfsError::Escape {
                        path: String::new(),
                    });
                }
                continue;
            }
            Component::Name(name) => name,
        };
        let last = pending.is_empty();
        if last && !follow_final && !trailing {
            break Some(name);
        }
        let meta = match backend.stat_at(cur, &name) {
            Ok(m) => m,
            // A missing final entry is for the operation to judge (create it, or NotFound).
            Err(VfsError::NotFound { .. }) if last => break Some(name),
            Err(e) => return Err(e),
        };
        match meta.file_type {
            FileType::Symlink => {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(VfsError::Loop {
                        path: String::new(),
                    });
                }
                let target = parse_link_target(&backend.read_link(cur, &name)?)?;
                if last {
                    trailing |= target.has_trailing_slash();
                }
                pending.extend(target.components().iter().rev().cloned());
            }
            FileType::Directory => {
                if last {
                    break Some(name);
                }
                if held.len() >= MAX_DEPTH {
                    return Err(VfsError::NameTooLong {
                        path: String::new(),
                    });
                }
                let id = backend.open_dir(cur, &name)?;
                held.push(NodeRef::new(backend, id));
            }
            FileType::RegularFile | FileType::Unknown => {
                if last && !trailing {
                    break Some(name);
                }
                return Err(VfsError::NotDir {
                    path: String::new(),
                });
            }
        }
    };
    let dir = held.last().map_or(start, NodeRef::id);
    Ok(Resolved {
        held,
        dir,
        name,
        trailing,
    })
}

impl Vfs {
    /// Resolves `path` from directory handle `dir`, for an operation that only looks:
    /// (mount index, backend, outcome).
    pub(super) fn resolve_in(
        &self,
        dir: Handle,
        path: &str,
        follow: bool,
    ) -> VfsResult<(usize, Arc<dyn Backend>, Resolved)> {
        let (mount, backend, start) = self.dir(dir)?;
        let r = resolve(&backend, start, &VPath::parse(path)?, follow)?;
        Ok((mount, backend, r))
    }

    /// The common start of a path operation that changes something: the directory's mount
    /// must be writable (checked first, so a read-only mount says `ReadOnly` whatever the
    /// path), then `path` is resolved from it (a final symlink followed only with `follow`).
    pub(super) fn resolve_writable(
        &self,
        dir: Handle,
        path: &str,
        follow: bool,
    ) -> VfsResult<(Arc<dyn Backend>, Resolved)> {
        let (mount, backend, start) = self.dir(dir)?;
        self.check_writable_mount(mount)?;
        let r = resolve(&backend, start, &VPath::parse(path)?, follow)?;
        Ok((backend, r))
    }

    /// The common start of a two-path operation (`rename`, `hard_link`): both directories
    /// must be in one mount (else `CrossDevice`, naming `dst_path`), which must be writable
    /// (else the error names `ro_path`); then both paths are resolved, the source's final
    /// symlink followed only with `follow_src`.
    pub(super) fn resolve_two(
        &self,
        src_dir: Handle,
        src_path: &str,
        follow_src: bool,
        dst_dir: Handle,
        dst_path: &str,
        ro_path: &str,
    ) -> VfsResult<(Arc<dyn Backend>, Resolved, Resolved)> {
        let (sm, backend, s_start) = self.dir(src_dir)?;
        let (dm, _, d_start) = self.dir(dst_dir)?;
        if sm != dm {
            return Err(VfsError::CrossDevice {
                path: dst_path.to_string(),
            });
        }
        no_path(self.check_writable_mount(sm), ro_path)?;
        let s = no_path(
            VPath::parse(src_path).and_then(|p| resolve(&backend, s_start, &p, follow_src)),
            src_path,
        )?;
        let d = no_path(
            VPath::parse(dst_path).and_then(|p| resolve(&backend, d_start, &p, false)),
            dst_path,
        )?;
        Ok((backend, s, d))
    }
}

//! Operations on a path relative to a directory handle (WASI's `path_*` calls other than
//! `path_open`): metadata and times, creating and removing directories, unlinking,
//! symlinks, rename and hard links.
//!
//! Each resolves its path(s) through `resolve`, so confinement is never re-implemented
//! here; what is left is each operation's handling of the final entry (`.`, a trailing `/`,
//! what kind of entry is there) and naming the caller's path in every error.

use alloc::string::{String, ToString};
use alloc::sync::Arc;

use super::handles::Handle;
use super::resolve::Resolved;
use super::{Vfs, no_path};
use crate::backend::Backend;
use crate::error::{VfsError, VfsResult};
use crate::path::VPath;
use crate::types::{FileType, Metadata, SetTime};

impl Vfs {
    /// Metadata of `path` (`path_filestat_get`); `follow` follows a final symlink.
    pub fn stat_path(&mut self, dir: Handle, path: &str, follow: bool) -> VfsResult<Metadata> {
        no_path(self.stat_path_inner(dir, path, follow), path)
    }

    fn stat_path_inner(&mut self, dir: Handle, path: &str, follow: bool) -> VfsResult<Metadata> {
        let (mount, backend, r) = self.resolve_in(dir, path, follow)?;
        let mut m = match &r.name {
            None => backend.stat(r.dir)?,
            Some(name) => backend.stat_at(r.dir, name)?,
        };
        if r.trailing && m.file_type != FileType::Directory {
            return Err(VfsError::NotDir {
                path: String::new(),
            });
        }
        m.dev = mount as u64;
        Ok(m)
    }

    /// Sets times of `path` (`path_filestat_set_times`).
    pub fn set_times_path(
        &mut self,
        dir: Handle,
        path: &str,
        follow: bool,
        atime: SetTime,
        mtime: SetTime,
    ) -> VfsResult<()> {
        self.modify_path(dir, path, follow, |backend, r| match &r.name {
            None => backend.set_times(r.dir, atime, mtime),
            Some(name) => backend.set_times_at(r.dir, name, atime, mtime),
        })
    }

    /// Creates a directory (`path_create_directory`).
    pub fn create_dir(&mut self, dir: Handle, path: &str) -> VfsResult<()> {
        self.modify_path(dir, path, false, |backend, r| {
            let Some(name) = &r.name else {
                return Err(VfsError::Exists {
                    path: String::new(),
                });
            };
            backend.create_dir(r.dir, name)
        })
    }

    /// Removes an empty directory (`path_remove_directory`).
    pub fn remove_dir(&mut self, dir: Handle, path: &str) -> VfsResult<()> {
        self.modify_path(dir, path, false, |backend, r| {
            backend.remove_dir(r.dir, r.name()?)
        })
    }

    /// Removes a file or symlink (`path_unlink_file`). Open handles keep the data readable.
    pub fn unlink(&mut self, dir: Handle, path: &str) -> VfsResult<()> {
        self.modify_path(dir, path, false, |backend, r| {
            let Some(name) = &r.name else {
                return Err(VfsError::IsDir {
                    path: String::new(),
                });
            };
            if r.trailing {
                // `file/` names a directory that is not there; `dir/` is a directory.
                let m = backend.stat_at(r.dir, name)?;
                return Err(if m.file_type == FileType::Directory {
                    VfsError::IsDir {
                        path: String::new(),
                    }
                } else {
                    VfsError::NotDir {
                        path: String::new(),
                    }
                });
            }
            backend.unlink(r.dir, name)
        })
    }

    /// Creates a symlink at `path` holding `target` (`path_symlink`). The target is checked
    /// as text: it must parse as a relative path (absolute → `Escape`), so links stored in
    /// any backend never point at the host's root. Whether it stays inside is checked each
    /// time it is followed.
    pub fn symlink(&mut self, target: &str, dir: Handle, path: &str) -> VfsResult<()> {
        VPath::parse(target)?;
        self.modify_path(dir, path, false, |backend, r| {
            let Some(name) = &r.name else {
                return Err(VfsError::Exists {
                    path: String::new(),
                });
            };
            if r.trailing {
                backend.stat_at(r.dir, name)?;
                return Err(VfsError::Exists {
                    path: String::new(),
                });
            }
            backend.symlink(target, r.dir, name)
        })
    }

    /// The target text of the symlink at `path` (`path_readlink`); `Invalid` if it is not a
    /// symlink.
    pub fn read_link(&mut self, dir: Handle, path: &str) -> VfsResult<String> {
        no_path(
            self.resolve_in(dir, path, false)
                .and_then(|(_, backend, r)| {
                    let Some(name) = &r.name else {
                        return Err(VfsError::Invalid {
                            what: "not a symlink",
                        });
                    };
                    backend.read_link(r.dir, name)
                }),
            path,
        )
    }

    /// Renames `src_path` (relative to `src_dir`) to `dst_path` (relative to `dst_dir`)
    /// with POSIX semantics (`path_rename`). Neither final component is followed. Across
    /// mounts: `CrossDevice`.
    pub fn rename(
        &mut self,
        src_dir: Handle,
        src_path: &str,
        dst_dir: Handle,
        dst_path: &str,
    ) -> VfsResult<()> {
        let (backend, s, d) =
            self.resolve_two(src_dir, src_path, false, dst_dir, dst_path, src_path)?;
        let sn = no_path(s.name(), src_path)?;
        let dn = no_path(d.name(), dst_path)?;
        if s.trailing || d.trailing {
            let m = no_path(backend.stat_at(s.dir, sn), src_path)?;
            if m.file_type != FileType::Directory {
                return Err(VfsError::NotDir {
                    path: src_path.to_string(),
                });
            }
        }
        backend
            .rename(s.dir, sn, d.dir, dn)
            .map_err(|e| name_either_path(e, src_path, dst_path))
    }

    /// Adds the name `dst_path` for the object at `src_path` (`path_link`); `follow`
    /// follows a final symlink in `src_path`. Directories cannot be linked
    /// (`PermissionDenied`); across mounts: `CrossDevice`.
    pub fn hard_link(
        &mut self,
        src_dir: Handle,
        src_path: &str,
        follow: bool,
        dst_dir: Handle,
        dst_path: &str,
    ) -> VfsResult<()> {
        let (backend, s, d) =
            self.resolve_two(src_dir, src_path, follow, dst_dir, dst_path, dst_path)?;
        let Some(sn) = &s.name else {
            return Err(VfsError::PermissionDenied {
                path: src_path.to_string(),
            });
        };
        let dn = d.name.as_ref().ok_or_else(|| VfsError::Exists {
            path: dst_path.to_string(),
        })?;
        if d.trailing {
            return Err(VfsError::NotDir {
                path: dst_path.to_string(),
            });
        }
        backend
            .hard_link(s.dir, sn, d.dir, dn)
            .map_err(|e| name_either_path(e, src_path, dst_path))
    }

    /// Runs `op` on `path` resolved for a modification ([`Vfs::resolve_writable`]), with
    /// every error naming `path`: the shape shared by the one-path operations that change
    /// something.
    fn modify_path<T>(
        &self,
        dir: Handle,
        path: &str,
        follow: bool,
        op: impl FnOnce(&Arc<dyn Backend>, &Resolved) -> VfsResult<T>,
    ) -> VfsResult<T> {
        no_path(
            self.resolve_writable(dir, path, follow)
                .and_then(|(backend, r)| op(&backend, &r)),
            path,
        )
    }
}

/// Names the path a two-path operation's backend error concerns: the destination when what
/// stands there is in the way, otherwise the source (missing, or not movable).
fn name_either_path(e: VfsError, src_path: &str, dst_path: &str) -> VfsError {
    let about_destination = matches!(
        e,
        VfsError::Exists { .. }
            | VfsError::NotEmpty { .. }
            | VfsError::IsDir { .. }
            | VfsError::NotDir { .. }
    );
    e.with_path(if about_destination {
        dst_path
    } else {
        src_path
    })
}

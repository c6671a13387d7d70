//! The mount table of a [`Vfs`]: which backend directory appears at which guest path, and
//! whether it may be modified.
//!
//! Mounts are disjoint capability roots: a handle opened in one can never reach another, so
//! the table is consulted only to attach a backend directory ([`Vfs::mount`]), to map an
//! absolute guest path to a mount ([`Vfs::find_mount`], for WASI preopens and the host's own
//! paths), and to refuse writes through a read-only mount. Mount points are kept as parsed
//! [`Name`]s and compared component by component, so `/apps/data/1` is never a prefix of
//! `/apps/data/10`.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{Vfs, no_path};
use crate::backend::{Backend, NodeRef};
use crate::error::{VfsError, VfsResult};
use crate::path::{Component, Name, VPath};
use crate::types::FileType;

/// One mount of a [`Vfs`]; also the `dev` of [`Metadata`](crate::Metadata) reached through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MountId(pub u32);

/// How [`Vfs::mount`] attaches a backend directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MountOptions {
    /// Refuse every modification through this mount with `ReadOnly`.
    pub read_only: bool,
    /// Create the backend directory (and its parents) if missing.
    pub create: bool,
}

/// A mount as [`Vfs::mounts`] reports it (what WASI needs for its preopens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    pub id: MountId,
    /// Where the mount appears to the guest, normalized: `/`, `/system/fonts`.
    pub path: String,
    pub read_only: bool,
}

/// One entry of the mount table.
pub(super) struct Mount {
    /// The normalized guest path, as [`MountInfo::path`] reports it.
    path: String,
    /// The guest path's components, for whole-component matching.
    names: Vec<Name>,
    pub(super) backend: Arc<dyn Backend>,
    /// Held for the mount's lifetime, so the mounted directory stays reachable even if it is
    /// renamed or unlinked in the backend meanwhile.
    pub(super) root: NodeRef,
    pub(super) read_only: bool,
}

impl Vfs {
    /// Mounts directory `backend_path` of `backend` (relative to the backend root; `""` is
    /// the root) at the absolute guest path `guest_path`. No component of `backend_path` may
    /// be a symlink (`PermissionDenied`): a mount's location is fixed by the host, never
    /// redirected by a link someone planted.
    pub fn mount(
        &mut self,
        guest_path: &str,
        backend: Arc<dyn Backend>,
        backend_path: &str,
        opts: MountOptions,
    ) -> VfsResult<MountId> {
        let Some(rel) = guest_path.strip_prefix('/') else {
            return Err(VfsError::Invalid {
                what: "mount point must be an absolute path",
            });
        };
        let names = clean_names(rel, guest_path)?;
        if self.mounts.iter().any(|m| m.names == names) {
            return Err(VfsError::Exists {
                path: guest_path.to_string(),
            });
        }
        let subdir = clean_names(backend_path.trim_start_matches('/'), backend_path)?;
        let mut cur = NodeRef::new(&backend, backend.root()?);
        for name in &subdir {
            let meta = match backend.stat_at(cur.id(), name) {
                Err(VfsError::NotFound { .. }) if opts.create => {
                    match backend.create_dir(cur.id(), name) {
                        // Another sandbox may have created it meanwhile.
                        Ok(()) | Err(VfsError::Exists { .. }) => {}
                        Err(e) => return Err(e.with_path(backend_path)),
                    }
                    no_path(backend.stat_at(cur.id(), name), backend_path)?
                }
                r => no_path(r, backend_path)?,
            };
            match meta.file_type {
                FileType::Directory => {}
                FileType::Symlink => {
                    return Err(VfsError::PermissionDenied {
                        path: backend_path.to_string(),
                    });
                }
                _ => {
                    return Err(VfsError::NotDir {
                        path: backend_path.to_string(),
                    });
                }
            }
            let next = no_path(backend.open_dir(cur.id(), name), backend_path)?;
            cur = NodeRef::new(&backend, next);
        }
        let path = if names.is_empty() {
            "/".to_string()
        } else {
            names.iter().fold(String::new(), |mut s, n| {
                s.push('/');
                s.push_str(n);
                s
            })
        };
        let id = u32::try_from(self.mounts.len()).map_err(|_| VfsError::Invalid {
            what: "too many mounts",
        })?;
        self.mounts.push(Mount {
            path,
            names,
            backend,
            root: cur,
            read_only: opts.read_only,
        });
        Ok(MountId(id))
    }

    /// All mounts, in mount order (the WASI layer makes one preopen of each).
    pub fn mounts(&self) -> Vec<MountInfo> {
        self.mounts
            .iter()
            .enumerate()
            .map(|(i, m)| MountInfo {
                id: MountId(i as u32),
                path: m.path.clone(),
                read_only: m.read_only,
            })
            .collect()
    }

    /// Splits an absolute guest path into the mount it falls in (the deepest mount point
    /// that is a whole-component prefix) and the rest, relative to that mount's root.
    /// `/system/fonts2/x` never falls in a mount at `/system/fonts`.
    pub fn find_mount(&self, guest_path: &str) -> VfsResult<(MountId, String)> {
        let Some(rel) = guest_path.strip_prefix('/') else {
            return Err(VfsError::Invalid {
                what: "guest path must be absolute",
            });
        };
        let parsed = if rel.is_empty() {
            Vec::new()
        } else {
            VPath::parse(rel)
                .map_err(|e| e.with_path(guest_path))?
                .components()
                .to_vec()
        };
        let mut best: Option<usize> = None;
        for (i, m) in self.mounts.iter().enumerate() {
            let is_prefix = m.names.len() <= parsed.len()
                && m.names
                    .iter()
                    .zip(&parsed)
                    .all(|(n, c)| matches!(c, Component::Name(cn) if cn == n));
            if is_prefix && best.is_none_or(|b| self.mounts[b].names.len() < m.names.len()) {
                best = Some(i);
            }
        }
        let Some(i) = best else {
            return Err(VfsError::NotFound {
                path: guest_path.to_string(),
            });
        };
        let mut rest = String::new();
        for c in &parsed[self.mounts[i].names.len()..] {
            if !rest.is_empty() {
                rest.push('/');
            }
            match c {
                Component::Name(n) => rest.push_str(n),
                Component::Parent => rest.push_str(".."),
            }
        }
        if rest.is_empty() {
            rest.push('.');
        }
        Ok((MountId(i as u32), rest))
    }

    /// `ReadOnly` (naming no path yet) if mount `mount` refuses modification.
    pub(super) fn check_writable_mount(&self, mount: usize) -> VfsResult<()> {
        if self.mounts[mount].read_only {
            return Err(VfsError::ReadOnly {
                path: String::new(),
            });
        }
        Ok(())
    }
}

/// Names of a path that may not contain `..` (mount points, backend directories): these
/// are fixed by the host, so a `..` there is a mistake to report, not a step to take.
fn clean_names(rel: &str, original: &str) -> VfsResult<Vec<Name>> {
    if rel.is_empty() {
        return Ok(Vec::new());
    }
    VPath::parse(rel)
        .map_err(|e| e.with_path(original))?
        .clean_names(original)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::test_backend;

    #[test]
    fn find_mount_matches_whole_components() {
        let fs = test_backend();
        let mut vfs = Vfs::with_root(Arc::clone(&fs)).unwrap();
        let opts = MountOptions {
            read_only: true,
            create: true,
        };
        let fonts = vfs.mount("/system/fonts/", fs, "sys/fonts", opts).unwrap();
        assert_eq!(
            vfs.find_mount("/system/fonts/a.ttf").unwrap(),
            (fonts, "a.ttf".into())
        );
        assert_eq!(
            vfs.find_mount("/system/fonts").unwrap(),
            (fonts, ".".into())
        );
        assert_eq!(
            vfs.find_mount("/system/fonts2/a").unwrap(),
            (MountId(0), "system/fonts2/a".into())
        );
        assert_eq!(vfs.mounts()[1].path, "/system/fonts");
        assert!(vfs.find_mount("relative").is_err());
    }
}

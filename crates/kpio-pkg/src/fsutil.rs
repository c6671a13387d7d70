//! Whole-file and whole-tree helpers over a [`Vfs`] directory handle, with errors that
//! name the operation and the path ([`PkgError::Vfs`]).
//!
//! Every helper closes the handles it opens, on success and on error.

use kpio_vfs::{FileType, Handle, OpenOptions, Vfs, VfsError};

use crate::error::PkgError;

/// Joins two relative paths with `/` (either may be empty).
pub(crate) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// The type of the entry at `path` (not following a final symlink), or `None` if there is
/// nothing there.
pub(crate) fn kind(vfs: &mut Vfs, root: Handle, path: &str) -> Result<Option<FileType>, PkgError> {
    match vfs.stat_path(root, path, false) {
        Ok(m) => Ok(Some(m.file_type)),
        Err(VfsError::NotFound { .. }) => Ok(None),
        Err(e) => Err(PkgError::vfs("inspect", path, e)),
    }
}

/// Creates `path` and its missing parents.
pub(crate) fn create_dir_all(vfs: &mut Vfs, root: Handle, path: &str) -> Result<(), PkgError> {
    let mut cur = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        cur = join(&cur, part);
        match vfs.create_dir(root, &cur) {
            Ok(()) => {}
            Err(VfsError::Exists { .. }) => {
                if kind(vfs, root, &cur)? != Some(FileType::Directory) {
                    return Err(PkgError::vfs(
                        "create directory",
                        &cur,
                        VfsError::NotDir { path: cur.clone() },
                    ));
                }
            }
            Err(e) => return Err(PkgError::vfs("create directory", &cur, e)),
        }
    }
    Ok(())
}

/// Creates the new file `path` (it must not exist), writes `data` and syncs it.
pub(crate) fn write_new_file(
    vfs: &mut Vfs,
    root: Handle,
    path: &str,
    data: &[u8],
) -> Result<(), PkgError> {
    let opts = OpenOptions::read_write_create()
        .with_exclusive(true)
        .with_follow(false);
    let h = vfs
        .open(root, path, &opts)
        .map_err(|e| PkgError::vfs("create", path, e))?;
    let result = (|| {
        let mut rest = data;
        while !rest.is_empty() {
            let n = vfs
                .write(h, rest)
                .map_err(|e| PkgError::vfs("write", path, e))?;
            if n == 0 {
                return Err(PkgError::vfs(
                    "write",
                    path,
                    VfsError::Io {
                        op: "write",
                        message: "wrote 0 bytes".into(),
                    },
                ));
            }
            rest = &rest[n.min(rest.len())..];
        }
        vfs.sync(h).map_err(|e| PkgError::vfs("sync", path, e))
    })();
    let _ = vfs.close(h);
    result
}

/// Reads the regular file `path` whole, refusing one larger than `limit` bytes.
pub(crate) fn read_file(
    vfs: &mut Vfs,
    root: Handle,
    path: &str,
    limit: u64,
) -> Result<Vec<u8>, PkgError> {
    let h = vfs
        .open(root, path, &OpenOptions::read().with_follow(false))
        .map_err(|e| PkgError::vfs("open", path, e))?;
    let result = (|| {
        let size = vfs
            .stat(h)
            .map_err(|e| PkgError::vfs("inspect", path, e))?
            .size;
        if size > limit {
            return Err(PkgError::FileTooLarge {
                path: path.to_string(),
                size,
                limit,
            });
        }
        let mut out = Vec::with_capacity(size as usize);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = vfs
                .read(h, &mut buf)
                .map_err(|e| PkgError::vfs("read", path, e))?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
            if out.len() as u64 > limit {
                return Err(PkgError::FileTooLarge {
                    path: path.to_string(),
                    size: out.len() as u64,
                    limit,
                });
            }
        }
    })();
    let _ = vfs.close(h);
    result
}

/// The entries of directory `path` (without `.` and `..`), sorted by name.
pub(crate) fn list_dir(
    vfs: &mut Vfs,
    root: Handle,
    path: &str,
) -> Result<Vec<(String, FileType)>, PkgError> {
    let opts = OpenOptions::dir().with_follow(false);
    let h = vfs
        .open(root, if path.is_empty() { "." } else { path }, &opts)
        .map_err(|e| PkgError::vfs("open directory", path, e))?;
    let result = vfs
        .read_dir(h, 0)
        .map_err(|e| PkgError::vfs("list", path, e));
    let _ = vfs.close(h);
    let mut out: Vec<(String, FileType)> = result?
        .into_iter()
        .filter(|e| e.name != "." && e.name != "..")
        .map(|e| (e.name, e.file_type))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Flushes directory `path` (so entries created or renamed in it are durable).
pub(crate) fn sync_dir(vfs: &mut Vfs, root: Handle, path: &str) -> Result<(), PkgError> {
    let opts = OpenOptions::dir().with_follow(false);
    let h = vfs
        .open(root, if path.is_empty() { "." } else { path }, &opts)
        .map_err(|e| PkgError::vfs("open directory", path, e))?;
    let result = vfs.sync(h).map_err(|e| PkgError::vfs("sync", path, e));
    let _ = vfs.close(h);
    result
}

/// Renames `from` to `to` (both relative to `root`).
pub(crate) fn rename(vfs: &mut Vfs, root: Handle, from: &str, to: &str) -> Result<(), PkgError> {
    vfs.rename(root, from, root, to)
        .map_err(|e| PkgError::vfs("rename", from, e))
}

/// Deletes `path` and everything under it; nothing there is fine. Symlinks are removed,
/// never followed.
pub(crate) fn remove_tree(vfs: &mut Vfs, root: Handle, path: &str) -> Result<(), PkgError> {
    match kind(vfs, root, path)? {
        None => Ok(()),
        Some(FileType::Directory) => {
            for (name, _) in list_dir(vfs, root, path)? {
                remove_tree(vfs, root, &join(path, &name))?;
            }
            vfs.remove_dir(root, path)
                .map_err(|e| PkgError::vfs("remove directory", path, e))
        }
        Some(_) => vfs
            .unlink(root, path)
            .map_err(|e| PkgError::vfs("remove", path, e)),
    }
}

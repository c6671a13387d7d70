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

/// Most directory handles [`remove_tree`] holds open at once while it descends.
///
/// A tree may be far deeper than this (a guest can nest directories without limit by
/// opening each one and creating the next inside it); deeper subtrees are moved up
/// instead of descended into (see [`remove_tree`]), so neither the VFS's handle table
/// nor the host's descriptor table can run out, whatever the depth.
pub(crate) const REMOVE_MAX_OPEN: usize = 32;

/// Deletes `path` and everything under it; nothing there is fine. Symlinks are removed,
/// never followed.
///
/// `path` itself is resolved once (it is a short path this crate built, such as
/// `apps/data/{app_id}`); everything below it is reached through **open directory
/// handles**, one name at a time, never through a full path, because what an app made in
/// its data directory may be nested deeper or have a longer path than any path-based call
/// accepts ([`kpio_vfs::MAX_DEPTH`], [`kpio_vfs::MAX_PATH_LEN`]). The walk keeps an explicit
/// stack (no recursion, so no depth can overflow the host stack) of at most
/// [`REMOVE_MAX_OPEN`] handles; a directory found below that depth is renamed up into
/// `path` itself under a fresh name and removed from there later, so the work stays linear
/// in the size of the tree and the handles bounded.
pub(crate) fn remove_tree(vfs: &mut Vfs, root: Handle, path: &str) -> Result<(), PkgError> {
    match kind(vfs, root, path)? {
        None => return Ok(()),
        Some(FileType::Directory) => {}
        Some(_) => {
            return ignore_missing(vfs.unlink(root, path))
                .map_err(|e| PkgError::vfs("remove", path, e));
        }
    }
    let top = vfs
        .open(root, path, &OpenOptions::dir().with_follow(false))
        .map_err(|e| PkgError::vfs("open directory", path, e))?;
    let emptied = empty_dir(vfs, top, path);
    let _ = vfs.close(top);
    emptied?;
    ignore_missing(vfs.remove_dir(root, path))
        .map_err(|e| PkgError::vfs("remove directory", path, e))
}

/// `Ok` for `NotFound`: something already gone need not be removed.
fn ignore_missing(r: Result<(), VfsError>) -> Result<(), VfsError> {
    match r {
        Err(VfsError::NotFound { .. }) => Ok(()),
        r => r,
    }
}

/// One open directory of [`empty_dir`]'s walk.
struct Level {
    handle: Handle,
    /// Its name in the directory one level up.
    name: String,
    /// Subdirectories still to empty and remove, found by the last listing.
    pending: Vec<String>,
}

/// Deletes everything inside the open directory `top` (which is `path`, for messages).
fn empty_dir(vfs: &mut Vfs, top: Handle, path: &str) -> Result<(), PkgError> {
    let mut stack: Vec<Level> = Vec::new();
    let result = empty_dir_walk(vfs, top, path, &mut stack);
    for level in stack {
        let _ = vfs.close(level.handle);
    }
    result
}

fn empty_dir_walk(
    vfs: &mut Vfs,
    top: Handle,
    path: &str,
    stack: &mut Vec<Level>,
) -> Result<(), PkgError> {
    let mut top_pending = list_level(vfs, top, path, &[])?;
    let mut moved = 0u64;
    loop {
        let cur = stack.last().map_or(top, |l| l.handle);
        let next = match stack.last_mut() {
            Some(l) => l.pending.pop(),
            None => top_pending.pop(),
        };
        let Some(name) = next else {
            // Every subdirectory listed is gone; list again, because entries may have
            // been moved up here (or made) since.
            let again = list_level(vfs, cur, path, stack)?;
            if !again.is_empty() {
                match stack.last_mut() {
                    Some(l) => l.pending = again,
                    None => top_pending = again,
                }
                continue;
            }
            let Some(done) = stack.pop() else {
                return Ok(());
            };
            let _ = vfs.close(done.handle);
            let parent = stack.last().map_or(top, |l| l.handle);
            ignore_missing(vfs.remove_dir(parent, &done.name)).map_err(|e| {
                PkgError::vfs("remove directory", &describe(path, stack, &done.name), e)
            })?;
            continue;
        };
        if stack.len() < REMOVE_MAX_OPEN {
            let opts = OpenOptions::dir().with_follow(false);
            let handle = match vfs.open(cur, &name, &opts) {
                Ok(h) => h,
                Err(VfsError::NotFound { .. }) => continue,
                Err(e) => {
                    return Err(PkgError::vfs(
                        "open directory",
                        &describe(path, stack, &name),
                        e,
                    ));
                }
            };
            stack.push(Level {
                handle,
                name: name.clone(),
                pending: Vec::new(),
            });
            let pending = list_level(vfs, handle, path, stack)?;
            if let Some(l) = stack.last_mut() {
                l.pending = pending;
            }
        } else {
            move_up(vfs, cur, &name, top, path, stack, &mut moved)?;
        }
    }
}

/// Lists the open directory `dir` (at `stack`'s depth below `path`), unlinks every
/// entry that is not a directory, and returns the names of its subdirectories.
fn list_level(
    vfs: &mut Vfs,
    dir: Handle,
    path: &str,
    stack: &[Level],
) -> Result<Vec<String>, PkgError> {
    let here = || match stack.last() {
        Some(l) => describe(path, &stack[..stack.len() - 1], &l.name),
        None => path.to_string(),
    };
    let entries = vfs
        .read_dir(dir, 0)
        .map_err(|e| PkgError::vfs("list", &here(), e))?;
    let mut dirs = Vec::new();
    for e in entries {
        if e.name == "." || e.name == ".." {
            continue;
        }
        if e.file_type == FileType::Directory {
            dirs.push(e.name);
        } else {
            ignore_missing(vfs.unlink(dir, &e.name))
                .map_err(|err| PkgError::vfs("remove", &join(&here(), &e.name), err))?;
        }
    }
    Ok(dirs)
}

/// Renames directory `name` in `dir` (too deep to descend into) to a fresh name directly
/// in `top`, where the walk finds it again at depth one.
fn move_up(
    vfs: &mut Vfs,
    dir: Handle,
    name: &str,
    top: Handle,
    path: &str,
    stack: &[Level],
    moved: &mut u64,
) -> Result<(), PkgError> {
    // A name taken by something else (another tree's leftover, an app's own file) is
    // skipped; a few thousand tries cannot all be taken unless something is wrong.
    for _ in 0..4096 {
        *moved += 1;
        let fresh = format!(".kpio-remove-{moved}");
        match vfs.stat_path(top, &fresh, false) {
            Err(VfsError::NotFound { .. }) => {}
            Ok(_) => continue,
            Err(e) => return Err(PkgError::vfs("inspect", &join(path, &fresh), e)),
        }
        match vfs.rename(dir, name, top, &fresh) {
            Ok(()) => return Ok(()),
            Err(VfsError::Exists { .. } | VfsError::NotEmpty { .. }) => continue,
            Err(VfsError::NotFound { .. }) => return Ok(()),
            Err(e) => {
                return Err(PkgError::vfs("move up", &describe(path, stack, name), e));
            }
        }
    }
    Err(PkgError::vfs(
        "move up",
        &describe(path, stack, name),
        VfsError::Exists {
            path: join(path, ".kpio-remove-*"),
        },
    ))
}

/// A readable name for entry `name` under the walk's open directories: the full path when
/// it is short, else its start and end with the depth (a guest's tree can be far longer
/// than anyone wants in a message).
fn describe(path: &str, stack: &[Level], name: &str) -> String {
    let full_len = path.len() + stack.iter().map(|l| l.name.len() + 1).sum::<usize>() + name.len();
    if full_len <= 256 {
        let mut s = path.to_string();
        for l in stack {
            s = join(&s, &l.name);
        }
        return join(&s, name);
    }
    let first = stack.first().map_or("", |l| l.name.as_str());
    format!(
        "{}/…/{name} ({} levels below {path})",
        join(path, first),
        stack.len() + 1
    )
}

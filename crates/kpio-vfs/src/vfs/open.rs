//! [`Vfs::open`] (WASI `path_open`): the one operation that turns a path into a new handle.
//!
//! Kept apart from the other path operations because it has the most rules to get right:
//! whether a final symlink is followed, whether a directory may be opened as asked, which
//! options imply a write (and so are refused on a read-only mount even when nothing would
//! change), and the order of those checks, which decides which error a guest sees.

use alloc::string::String;
use alloc::sync::Arc;

use super::handles::{Handle, Open};
use super::resolve::{Resolved, resolve};
use super::{Vfs, no_path};
use crate::backend::{Backend, NodeRef};
use crate::error::{VfsError, VfsResult};
use crate::path::{Name, VPath};
use crate::types::{FileOpen, FileType, OpenOptions};

impl Vfs {
    /// Opens `path` relative to directory handle `dir` (WASI `path_open`).
    ///
    /// The final component is followed if it is a symlink only with `opts.follow`; an
    /// unfollowed symlink is `Loop` (`Exists` with `create` + `exclusive`). A directory opens
    /// as a directory handle unless `write`/`truncate` is asked (`IsDir`). `directory` makes
    /// anything else `NotDir`. Any of `write`, `create`, `truncate` on a read-only mount is
    /// `ReadOnly`, even if the file exists.
    pub fn open(&mut self, dir: Handle, path: &str, opts: &OpenOptions) -> VfsResult<Handle> {
        no_path(self.open_inner(dir, path, opts), path)
    }

    fn open_inner(&mut self, dir: Handle, path: &str, opts: &OpenOptions) -> VfsResult<Handle> {
        let (mount, backend, start) = self.dir(dir)?;
        let vp = VPath::parse(path)?;
        if opts.write || opts.create || opts.truncate {
            self.check_writable_mount(mount)?;
        }
        if opts.truncate && !opts.write {
            return Err(VfsError::Invalid {
                what: "truncate needs write access",
            });
        }
        if opts.directory && opts.create {
            return Err(VfsError::Invalid {
                what: "cannot create a directory with open",
            });
        }
        // Before resolving, so a full table never creates a file it cannot hand out.
        self.handles.check_room()?;
        let r = resolve(&backend, start, &vp, opts.follow)?;
        let dir_checks = || -> VfsResult<()> {
            if opts.create && opts.exclusive {
                return Err(VfsError::Exists {
                    path: String::new(),
                });
            }
            if opts.write || opts.truncate {
                return Err(VfsError::IsDir {
                    path: String::new(),
                });
            }
            Ok(())
        };
        let (node, is_dir) = match r.name.clone() {
            None => {
                dir_checks()?;
                (r.dir_ref(&backend)?, true)
            }
            Some(name) => match backend.stat_at(r.dir, &name) {
                Ok(m) => match m.file_type {
                    FileType::Directory => {
                        dir_checks()?;
                        let id = backend.open_dir(r.dir, &name)?;
                        (NodeRef::new(&backend, id), true)
                    }
                    FileType::Symlink => {
                        return Err(if opts.create && opts.exclusive {
                            VfsError::Exists {
                                path: String::new(),
                            }
                        } else {
                            VfsError::Loop {
                                path: String::new(),
                            }
                        });
                    }
                    FileType::Unknown => {
                        return Err(VfsError::Unsupported {
                            what: "opening a device, FIFO or socket",
                        });
                    }
                    FileType::RegularFile => {
                        if opts.directory || r.trailing {
                            return Err(VfsError::NotDir {
                                path: String::new(),
                            });
                        }
                        (backend_open_file(&backend, &r, &name, opts)?, false)
                    }
                },
                Err(VfsError::NotFound { .. }) if opts.create => {
                    if r.trailing {
                        return Err(VfsError::IsDir {
                            path: String::new(),
                        });
                    }
                    (backend_open_file(&backend, &r, &name, opts)?, false)
                }
                Err(e) => return Err(e),
            },
        };
        Ok(self.handles.insert(Open {
            mount,
            node,
            is_dir,
            read: opts.read || is_dir,
            write: opts.write && !is_dir,
            append: opts.append && !is_dir,
            pos: 0,
        }))
    }
}

/// Opens (creating or truncating as asked) the regular file `name` in the resolved
/// directory, passing the backend only the options that concern storage.
fn backend_open_file(
    backend: &Arc<dyn Backend>,
    r: &Resolved,
    name: &Name,
    opts: &OpenOptions,
) -> VfsResult<NodeRef> {
    let fo = FileOpen {
        write: opts.write,
        create: opts.create,
        exclusive: opts.exclusive,
        truncate: opts.truncate,
    };
    let id = backend.open_file(r.dir, name, &fo)?;
    Ok(NodeRef::new(backend, id))
}

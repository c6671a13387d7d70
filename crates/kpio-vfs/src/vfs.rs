//! The front end: [`Vfs`] owns a mount table and a handle table and implements every
//! path-based and handle-based operation on top of [`Backend`]s.
//!
//! This is where the security properties live, once for all backends:
//!
//! - Paths are parsed into [`VPath`]s at the API edge.
//! - A path whose `..`s climb above its start on their face is refused up front (`Escape`).
//! - Resolution walks one component at a time from the directory handle given, keeping the
//!   chain of directories it walked. `..` steps back along that chain; stepping back past
//!   the start directory is [`VfsError::Escape`]. So a handle is a capability for its subtree
//!   only (as in WASI and cap-std), and nothing above a mount root is ever reachable.
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

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::backend::{Backend, NodeId, NodeRef};
use crate::error::{VfsError, VfsResult};
use crate::path::{Component, Name, VPath};
use crate::types::{DirEntry, FileOpen, FileType, Metadata, OpenOptions, SeekFrom, SetTime};

/// Most symlinks followed while resolving one path (as Linux's limit).
pub const MAX_SYMLINK_HOPS: u32 = 40;
/// Most directories one resolution may descend below its start directory at once; deeper is
/// `NameTooLong`. Bounds the backend references (host file descriptors) a lookup holds.
pub const MAX_DEPTH: usize = 256;
/// Cookie after the `.` entry of [`Vfs::read_dir`].
pub const DOT_COOKIE: u64 = 1;
/// Cookie after the `..` entry of [`Vfs::read_dir`].
pub const DOTDOT_COOKIE: u64 = 2;

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

/// One mount of a [`Vfs`]; also the `dev` of [`Metadata`] reached through it.
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

struct Mount {
    path: String,
    names: Vec<Name>,
    backend: Arc<dyn Backend>,
    root: NodeRef,
    read_only: bool,
}

struct Open {
    mount: usize,
    node: NodeRef,
    is_dir: bool,
    read: bool,
    write: bool,
    append: bool,
    pos: u64,
}

/// Outcome of resolving a path: the directory the last component lives in, and that
/// component (`None` when the path names the directory itself, as `.` or `a/..` do).
struct Resolved {
    /// Directories walked below the start, owned so they stay valid; the last one is `dir`.
    held: Vec<NodeRef>,
    dir: NodeId,
    name: Option<Name>,
    /// The path ended in `/`: the final entry must be a directory.
    trailing: bool,
}

impl Resolved {
    /// A reference to `dir` itself, for opening it.
    fn dir_ref(mut self, backend: &Arc<dyn Backend>) -> VfsResult<NodeRef> {
        match self.held.pop() {
            Some(r) => Ok(r),
            None => Ok(NodeRef::new(backend, backend.dup(self.dir)?)),
        }
    }

    fn name(&self) -> VfsResult<&Name> {
        // Callers that need a name get `Busy` for `.`/`a/..`, like rmdir(".") on Linux.
        self.name.as_ref().ok_or(VfsError::Busy {
            path: String::new(),
        })
    }
}

fn no_path<T>(r: VfsResult<T>, path: &str) -> VfsResult<T> {
    r.map_err(|e| e.with_path(path))
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

/// Walks `path` from `start`. See the module docs.
fn resolve(
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
    while let Some(comp) = pending.pop() {
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
            return Ok(Resolved {
                held,
                dir: cur,
                name: Some(name),
                trailing,
            });
        }
        let meta = match backend.stat_at(cur, &name) {
            Ok(m) => m,
            Err(VfsError::NotFound { .. }) if last => {
                return Ok(Resolved {
                    held,
                    dir: cur,
                    name: Some(name),
                    trailing,
                });
            }
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
                    return Ok(Resolved {
                        held,
                        dir: cur,
                        name: Some(name),
                        trailing,
                    });
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
                    return Ok(Resolved {
                        held,
                        dir: cur,
                        name: Some(name),
                        trailing,
                    });
                }
                return Err(VfsError::NotDir {
                    path: String::new(),
                });
            }
        }
    }
    let dir = held.last().map_or(start, NodeRef::id);
    Ok(Resolved {
        held,
        dir,
        name: None,
        trailing,
    })
}

/// FNV-1a, 64 bit: a fixed, portable hash so cookies mean the same on every run.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The cookie of a directory entry: a hash of its name with the top bit set, so it never
/// collides with 0 (start), [`DOT_COOKIE`] or [`DOTDOT_COOKIE`]. Because it depends only on
/// the name, a cookie stays valid however the directory changes. (Two names whose 63-bit
/// hashes collide would make the second invisible to a resumed listing; at 2^-63 per pair
/// this is accepted.)
fn entry_cookie(name: &str) -> u64 {
    fnv1a(name.as_bytes()) | (1 << 63)
}

/// One app's (or the system's) view of the file systems: mounts plus open handles.
pub struct Vfs {
    mounts: Vec<Mount>,
    handles: Vec<Option<Open>>,
    open: usize,
    limits: VfsLimits,
}

impl Vfs {
    /// A VFS with no mounts yet.
    pub fn new(limits: VfsLimits) -> Vfs {
        Vfs {
            mounts: Vec::new(),
            handles: Vec::new(),
            open: 0,
            limits,
        }
    }

    /// A VFS with the whole of `backend` mounted read-write at `/` (the system's view).
    pub fn with_root(backend: Arc<dyn Backend>) -> VfsResult<Vfs> {
        let mut vfs = Vfs::new(VfsLimits::default());
        vfs.mount("/", backend, "", MountOptions::default())?;
        Ok(vfs)
    }

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

    /// Opens a new directory handle on a mount's root (a WASI preopen).
    pub fn open_root(&mut self, mount: MountId) -> VfsResult<Handle> {
        let m = self.mounts.get(mount.0 as usize).ok_or(VfsError::Invalid {
            what: "no such mount",
        })?;
        self.check_room()?;
        let node = m.root.dup()?;
        Ok(self.insert(Open {
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
        self.open
    }

    // ----- handles -------------------------------------------------------------------

    fn check_room(&self) -> VfsResult<()> {
        if self.open >= self.limits.max_open {
            return Err(VfsError::TooManyOpen);
        }
        Ok(())
    }

    fn insert(&mut self, open: Open) -> Handle {
        self.open += 1;
        if let Some(i) = self.handles.iter().position(Option::is_none) {
            self.handles[i] = Some(open);
            return Handle(i as u32);
        }
        self.handles.push(Some(open));
        Handle((self.handles.len() - 1) as u32)
    }

    fn get(&self, h: Handle) -> VfsResult<&Open> {
        self.handles
            .get(h.0 as usize)
            .and_then(Option::as_ref)
            .ok_or(VfsError::BadHandle)
    }

    fn get_mut(&mut self, h: Handle) -> VfsResult<&mut Open> {
        self.handles
            .get_mut(h.0 as usize)
            .and_then(Option::as_mut)
            .ok_or(VfsError::BadHandle)
    }

    fn backend_of(&self, o: &Open) -> Arc<dyn Backend> {
        Arc::clone(&self.mounts[o.mount].backend)
    }

    /// The handle as a regular file: its backend and node.
    fn file(&self, h: Handle) -> VfsResult<(&Open, Arc<dyn Backend>)> {
        let o = self.get(h)?;
        if o.is_dir {
            return Err(VfsError::IsDir {
                path: String::new(),
            });
        }
        Ok((o, self.backend_of(o)))
    }

    /// A file handle that may be written (mount and access mode both allow it).
    fn writable_file(&self, h: Handle) -> VfsResult<(NodeId, Arc<dyn Backend>)> {
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

    /// The handle as a directory to resolve paths in: (mount index, backend, node).
    fn dir(&self, h: Handle) -> VfsResult<(usize, Arc<dyn Backend>, NodeId)> {
        let o = self.get(h)?;
        if !o.is_dir {
            return Err(VfsError::NotDir {
                path: String::new(),
            });
        }
        Ok((o.mount, self.backend_of(o), o.node.id()))
    }

    fn check_writable_mount(&self, mount: usize) -> VfsResult<()> {
        if self.mounts[mount].read_only {
            return Err(VfsError::ReadOnly {
                path: String::new(),
            });
        }
        Ok(())
    }

    /// The common start of a path operation that changes something: the directory's mount
    /// must be writable, then `path` is resolved from it (a final symlink followed only
    /// with `follow`).
    fn resolve_writable(
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
    fn resolve_two(
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
        self.check_room()?;
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
                        (self.backend_open_file(&backend, &r, &name, opts)?, false)
                    }
                },
                Err(VfsError::NotFound { .. }) if opts.create => {
                    if r.trailing {
                        return Err(VfsError::IsDir {
                            path: String::new(),
                        });
                    }
                    (self.backend_open_file(&backend, &r, &name, opts)?, false)
                }
                Err(e) => return Err(e),
            },
        };
        Ok(self.insert(Open {
            mount,
            node,
            is_dir,
            read: opts.read || is_dir,
            write: opts.write && !is_dir,
            append: opts.append && !is_dir,
            pos: 0,
        }))
    }

    fn backend_open_file(
        &self,
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

    /// Closes a handle. The object stays alive while other handles or names refer to it.
    pub fn close(&mut self, h: Handle) -> VfsResult<()> {
        let slot = self
            .handles
            .get_mut(h.0 as usize)
            .ok_or(VfsError::BadHandle)?;
        if slot.take().is_none() {
            return Err(VfsError::BadHandle);
        }
        self.open -= 1;
        Ok(())
    }

    /// What kind of handle this is and how it was opened.
    pub fn handle_info(&self, h: Handle) -> VfsResult<HandleInfo> {
        let o = self.get(h)?;
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
        let o = self.get_mut(h)?;
        if o.is_dir {
            return Err(VfsError::IsDir {
                path: String::new(),
            });
        }
        o.append = append;
        Ok(())
    }

    /// Reads at the cursor and advances it (`fd_read`).
    pub fn read(&mut self, h: Handle, buf: &mut [u8]) -> VfsResult<usize> {
        let (o, b) = self.file(h)?;
        if !o.read {
            return Err(VfsError::BadAccessMode);
        }
        let n = b.read_at(o.node.id(), o.pos, buf)?;
        let o = self.get_mut(h)?;
        o.pos += n as u64;
        Ok(n)
    }

    /// Reads at `offset` without moving the cursor (`fd_pread`).
    pub fn read_at(&mut self, h: Handle, offset: u64, buf: &mut [u8]) -> VfsResult<usize> {
        let (o, b) = self.file(h)?;
        if !o.read {
            return Err(VfsError::BadAccessMode);
        }
        b.read_at(o.node.id(), offset, buf)
    }

    /// Writes at the cursor (at the end in append mode) and advances it (`fd_write`).
    pub fn write(&mut self, h: Handle, data: &[u8]) -> VfsResult<usize> {
        let (node, b) = self.writable_file(h)?;
        let o = self.get(h)?;
        let offset = if o.append { b.stat(node)?.size } else { o.pos };
        let n = b.write_at(node, offset, data)?;
        self.get_mut(h)?.pos = offset + n as u64;
        Ok(n)
    }

    /// Writes at `offset` without moving the cursor, also in append mode (`fd_pwrite`).
    pub fn write_at(&mut self, h: Handle, offset: u64, data: &[u8]) -> VfsResult<usize> {
        let (node, b) = self.writable_file(h)?;
        b.write_at(node, offset, data)
    }

    /// Moves the cursor; returns the new position (`fd_seek`). Seeking past the end is
    /// allowed; before the start is `Invalid`.
    pub fn seek(&mut self, h: Handle, pos: SeekFrom) -> VfsResult<u64> {
        let (o, b) = self.file(h)?;
        let base_and_delta = match pos {
            SeekFrom::Start(p) => (p, 0),
            SeekFrom::Current(d) => (o.pos, d),
            SeekFrom::End(d) => (b.stat(o.node.id())?.size, d),
        };
        let new = base_and_delta
            .0
            .checked_add_signed(base_and_delta.1)
            .filter(|&p| p <= i64::MAX as u64)
            .ok_or(VfsError::Invalid {
                what: "seek before start or beyond 2^63",
            })?;
        self.get_mut(h)?.pos = new;
        Ok(new)
    }

    /// The cursor position (`fd_tell`).
    pub fn tell(&self, h: Handle) -> VfsResult<u64> {
        let (o, _) = self.file(h)?;
        Ok(o.pos)
    }

    /// Flushes data and metadata (`fd_sync`); works on directories too.
    pub fn sync(&mut self, h: Handle) -> VfsResult<()> {
        let o = self.get(h)?;
        self.backend_of(o).sync(o.node.id(), false)
    }

    /// Flushes data (`fd_datasync`).
    pub fn datasync(&mut self, h: Handle) -> VfsResult<()> {
        let o = self.get(h)?;
        self.backend_of(o).sync(o.node.id(), true)
    }

    /// Metadata of the open object (`fd_filestat_get`); `dev` is the mount id.
    pub fn stat(&mut self, h: Handle) -> VfsResult<Metadata> {
        let o = self.get(h)?;
        let mut m = self.backend_of(o).stat(o.node.id())?;
        m.dev = o.mount as u64;
        Ok(m)
    }

    /// Sets the size, cutting or zero-extending (`fd_filestat_set_size`).
    pub fn set_len(&mut self, h: Handle, len: u64) -> VfsResult<()> {
        let (node, b) = self.writable_file(h)?;
        b.set_len(node, len)
    }

    /// Makes the size at least `offset + len` (`fd_allocate`).
    pub fn allocate(&mut self, h: Handle, offset: u64, len: u64) -> VfsResult<()> {
        let (node, b) = self.writable_file(h)?;
        b.allocate(node, offset, len)
    }

    /// Sets access/modification times of the open object (`fd_filestat_set_times`).
    pub fn set_times(&mut self, h: Handle, atime: SetTime, mtime: SetTime) -> VfsResult<()> {
        let o = self.get(h)?;
        self.check_writable_mount(o.mount)?;
        self.backend_of(o).set_times(o.node.id(), atime, mtime)
    }

    /// Lists a directory handle's entries after `cookie` (`fd_readdir`): `.` and `..` first
    /// (cookies [`DOT_COOKIE`], [`DOTDOT_COOKIE`]), then the entries ordered by cookie. Pass
    /// 0 to start, or any returned `next_cookie` to resume after that entry. Cookies depend
    /// only on entry names, so they stay valid while entries are added or removed: an entry
    /// present for the whole listing is returned exactly once; one added or removed meanwhile
    /// may or may not be (as POSIX allows). `..`'s `ino` is the directory's own (a handle
    /// cannot see above itself).
    pub fn read_dir(&mut self, h: Handle, cookie: u64) -> VfsResult<Vec<DirEntry>> {
        let (_, backend, node) = self.dir(h)?;
        let ino = backend.stat(node)?.ino;
        let mut out = Vec::new();
        for (c, name) in [(DOT_COOKIE, "."), (DOTDOT_COOKIE, "..")] {
            if cookie < c {
                out.push(DirEntry {
                    next_cookie: c,
                    ino,
                    file_type: FileType::Directory,
                    name: name.to_string(),
                });
            }
        }
        let mut entries: Vec<(u64, DirEntry)> = backend
            .read_dir(node)?
            .into_iter()
            .map(|e| {
                let c = entry_cookie(&e.name);
                (
                    c,
                    DirEntry {
                        next_cookie: c,
                        ino: e.ino,
                        file_type: e.file_type,
                        name: e.name,
                    },
                )
            })
            .filter(|(c, _)| *c > cookie)
            .collect();
        entries.sort_unstable_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
        out.extend(entries.into_iter().map(|(_, e)| e));
        Ok(out)
    }

    // ----- path operations -----------------------------------------------------------

    /// Metadata of `path` (`path_filestat_get`); `follow` follows a final symlink.
    pub fn stat_path(&mut self, dir: Handle, path: &str, follow: bool) -> VfsResult<Metadata> {
        no_path(self.stat_path_inner(dir, path, follow), path)
    }

    fn stat_path_inner(&mut self, dir: Handle, path: &str, follow: bool) -> VfsResult<Metadata> {
        let (mount, backend, start) = self.dir(dir)?;
        let r = resolve(&backend, start, &VPath::parse(path)?, follow)?;
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
        no_path(
            (|| {
                let (backend, r) = self.resolve_writable(dir, path, follow)?;
                match &r.name {
                    None => backend.set_times(r.dir, atime, mtime),
                    Some(name) => backend.set_times_at(r.dir, name, atime, mtime),
                }
            })(),
            path,
        )
    }

    /// Creates a directory (`path_create_directory`).
    pub fn create_dir(&mut self, dir: Handle, path: &str) -> VfsResult<()> {
        no_path(
            (|| {
                let (backend, r) = self.resolve_writable(dir, path, false)?;
                let Some(name) = &r.name else {
                    return Err(VfsError::Exists {
                        path: String::new(),
                    });
                };
                backend.create_dir(r.dir, name)
            })(),
            path,
        )
    }

    /// Removes an empty directory (`path_remove_directory`).
    pub fn remove_dir(&mut self, dir: Handle, path: &str) -> VfsResult<()> {
        no_path(
            (|| {
                let (backend, r) = self.resolve_writable(dir, path, false)?;
                backend.remove_dir(r.dir, r.name()?)
            })(),
            path,
        )
    }

    /// Removes a file or symlink (`path_unlink_file`). Open handles keep the data readable.
    pub fn unlink(&mut self, dir: Handle, path: &str) -> VfsResult<()> {
        no_path(
            (|| {
                let (backend, r) = self.resolve_writable(dir, path, false)?;
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
            })(),
            path,
        )
    }

    /// Creates a symlink at `path` holding `target` (`path_symlink`). The target is checked
    /// as text: it must parse as a relative path (absolute → `Escape`), so links stored in
    /// any backend never point at the host's root. Whether it stays inside is checked each
    /// time it is followed.
    pub fn symlink(&mut self, target: &str, dir: Handle, path: &str) -> VfsResult<()> {
        VPath::parse(target)?;
        no_path(
            (|| {
                let (backend, r) = self.resolve_writable(dir, path, false)?;
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
            })(),
            path,
        )
    }

    /// The target text of the symlink at `path` (`path_readlink`); `Invalid` if it is not a
    /// symlink.
    pub fn read_link(&mut self, dir: Handle, path: &str) -> VfsResult<String> {
        no_path(
            (|| {
                let (_, backend, start) = self.dir(dir)?;
                let r = resolve(&backend, start, &VPath::parse(path)?, false)?;
                let Some(name) = &r.name else {
                    return Err(VfsError::Invalid {
                        what: "not a symlink",
                    });
                };
                backend.read_link(r.dir, name)
            })(),
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
        backend.rename(s.dir, sn, d.dir, dn).map_err(|e| {
            let which = if about_destination(&e) {
                dst_path
            } else {
                src_path
            };
            e.with_path(which)
        })
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
        backend.hard_link(s.dir, sn, d.dir, dn).map_err(|e| {
            let which = if about_destination(&e) {
                dst_path
            } else {
                src_path
            };
            e.with_path(which)
        })
    }
}

/// Whether a two-path operation's error concerns its destination (what stands there is in
/// the way) rather than its source (missing, or not movable).
fn about_destination(e: &VfsError) -> bool {
    matches!(
        e,
        VfsError::Exists { .. }
            | VfsError::NotEmpty { .. }
            | VfsError::IsDir { .. }
            | VfsError::NotDir { .. }
    )
}

/// Names of a path that may not contain `..` (mount points, backend directories).
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
    use crate::memory::{MemoryFs, MemoryLimits};
    use crate::types::ManualClock;

    fn vfs() -> (Vfs, Handle) {
        let clock = Arc::new(ManualClock::new(5));
        let fs: Arc<dyn Backend> = Arc::new(MemoryFs::new(MemoryLimits::default(), clock));
        let mut vfs = Vfs::with_root(fs).unwrap();
        let root = vfs.open_root(MountId(0)).unwrap();
        (vfs, root)
    }

    #[test]
    fn vfs_can_move_between_threads() {
        fn send<T: Send>() {}
        send::<Vfs>();
    }

    #[test]
    fn cookies_are_above_the_dot_entries_and_name_determined() {
        assert!(entry_cookie("") > DOTDOT_COOKIE);
        assert_eq!(entry_cookie("abc"), entry_cookie("abc"));
        assert_ne!(entry_cookie("abc"), entry_cookie("abd"));
    }

    #[test]
    fn handle_table_is_bounded_and_slots_are_reused() {
        let clock = Arc::new(ManualClock::new(5));
        let fs: Arc<dyn Backend> = Arc::new(MemoryFs::new(MemoryLimits::default(), clock));
        let mut vfs = Vfs::new(VfsLimits { max_open: 3 });
        let m = vfs.mount("/", fs, "", MountOptions::default()).unwrap();
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

    #[test]
    fn errors_name_the_callers_path() {
        let (mut vfs, root) = vfs();
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

    #[test]
    fn find_mount_matches_whole_components() {
        let clock = Arc::new(ManualClock::new(5));
        let fs: Arc<dyn Backend> = Arc::new(MemoryFs::new(MemoryLimits::default(), clock));
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

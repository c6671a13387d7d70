//! The in-memory backend: a tree of inodes in a `BTreeMap`, for the kernel before it has a
//! disk, for tests, and for scratch space.
//!
//! Everything a guest can make it allocate is bounded by [`MemoryLimits`]: bytes of file
//! data, symlink targets and directory entries (each entry is charged its name length plus
//! [`ENTRY_OVERHEAD`], so a flood of hard links is bounded too), the number of inodes, and
//! the size of any one file. Exceeding a limit is an error (`NoSpace`, `FileTooLarge`), and
//! allocation uses `try_reserve`, so a guest can never make the host abort on out-of-memory.
//!
//! Timestamps come from the injected [`Clock`]. Reads do not update `atime` (like `noatime`).

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use spin::Mutex;

use crate::backend::{Backend, NodeId};
use crate::error::{VfsError, VfsResult};
use crate::path::Name;
use crate::types::{Clock, FileOpen, FileType, Metadata, RawDirEntry, SetTime};

/// Bytes charged for each directory entry on top of its name.
pub const ENTRY_OVERHEAD: u64 = 32;

const ROOT: u64 = 1;

/// Resource limits of a [`MemoryFs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryLimits {
    /// Largest size of one regular file, in bytes (`FileTooLarge` beyond).
    pub max_file_size: u64,
    /// Total bytes of file data, symlink targets and directory entries (`NoSpace` beyond).
    pub max_total_bytes: u64,
    /// Number of inodes, the root included (`NoSpace` beyond).
    pub max_inodes: u64,
}

impl Default for MemoryLimits {
    /// 64 MiB per file, 256 MiB in all, 65 536 inodes.
    fn default() -> Self {
        MemoryLimits {
            max_file_size: 64 << 20,
            max_total_bytes: 256 << 20,
            max_inodes: 65_536,
        }
    }
}

enum Data {
    File(Vec<u8>),
    Dir {
        entries: BTreeMap<String, u64>,
        /// The directory holding this one (the root is its own parent). Needed to refuse
        /// moving a directory into its own subtree.
        parent: u64,
    },
    Symlink(String),
}

struct Inode {
    data: Data,
    /// Directory entries naming this inode (0 once unlinked / removed).
    nlink: u64,
    /// Outstanding [`NodeId`] references (open handles, resolver steps).
    refs: u64,
    atime: u64,
    mtime: u64,
    ctime: u64,
}

impl Inode {
    fn file_type(&self) -> FileType {
        match self.data {
            Data::File(_) => FileType::RegularFile,
            Data::Dir { .. } => FileType::Directory,
            Data::Symlink(_) => FileType::Symlink,
        }
    }

    fn size(&self) -> u64 {
        match &self.data {
            Data::File(v) => v.len() as u64,
            Data::Dir { entries, .. } => entries.len() as u64,
            Data::Symlink(t) => t.len() as u64,
        }
    }

    /// Bytes this inode's own content is charged (entries are charged when linked).
    fn content_bytes(&self) -> u64 {
        match &self.data {
            Data::File(v) => v.len() as u64,
            Data::Symlink(t) => t.len() as u64,
            Data::Dir { .. } => 0,
        }
    }
}

fn entry_cost(name: &str) -> u64 {
    name.len() as u64 + ENTRY_OVERHEAD
}

fn not_found(name: &str) -> VfsError {
    VfsError::NotFound {
        path: name.to_string(),
    }
}

fn apply_time(slot: &mut u64, t: SetTime, now: u64) {
    match t {
        SetTime::Omit => {}
        SetTime::Now => *slot = now,
        SetTime::At(ns) => *slot = ns,
    }
}

struct State {
    inodes: BTreeMap<u64, Inode>,
    next_ino: u64,
    used_bytes: u64,
    limits: MemoryLimits,
}

impl State {
    fn get(&self, ino: u64) -> VfsResult<&Inode> {
        // A NodeId the backend never issued (or already freed) is a caller bug.
        self.inodes.get(&ino).ok_or(VfsError::BadHandle)
    }

    fn get_mut(&mut self, ino: u64) -> VfsResult<&mut Inode> {
        self.inodes.get_mut(&ino).ok_or(VfsError::BadHandle)
    }

    /// The length of a regular file; `IsDir` or `Invalid` for anything else.
    fn file_len(&self, ino: u64) -> VfsResult<u64> {
        match &self.get(ino)?.data {
            Data::File(v) => Ok(v.len() as u64),
            Data::Dir { .. } => Err(VfsError::IsDir {
                path: String::new(),
            }),
            Data::Symlink(_) => Err(VfsError::Invalid {
                what: "not a regular file",
            }),
        }
    }

    fn entries(&self, dir: u64) -> VfsResult<&BTreeMap<String, u64>> {
        match &self.get(dir)?.data {
            Data::Dir { entries, .. } => Ok(entries),
            _ => Err(VfsError::NotDir {
                path: String::new(),
            }),
        }
    }

    fn entries_mut(&mut self, dir: u64) -> VfsResult<&mut BTreeMap<String, u64>> {
        match &mut self.get_mut(dir)?.data {
            Data::Dir { entries, .. } => Ok(entries),
            _ => Err(VfsError::NotDir {
                path: String::new(),
            }),
        }
    }

    fn lookup(&self, dir: u64, name: &Name) -> VfsResult<u64> {
        self.entries(dir)?
            .get(name.as_str())
            .copied()
            .ok_or_else(|| not_found(name))
    }

    /// A directory that may receive new entries: it exists and has not been removed.
    fn live_dir(&self, dir: u64, name: &Name) -> VfsResult<()> {
        self.entries(dir)?;
        if self.get(dir)?.nlink == 0 {
            return Err(not_found(name));
        }
        Ok(())
    }

    fn is_dir(&self, ino: u64) -> bool {
        matches!(
            self.inodes.get(&ino).map(|i| &i.data),
            Some(Data::Dir { .. })
        )
    }

    fn charge(&mut self, bytes: u64) -> VfsResult<()> {
        match self.used_bytes.checked_add(bytes) {
            Some(total) if total <= self.limits.max_total_bytes => {
                self.used_bytes = total;
                Ok(())
            }
            _ => Err(VfsError::NoSpace {
                what: "total bytes",
            }),
        }
    }

    fn uncharge(&mut self, bytes: u64) {
        self.used_bytes = self.used_bytes.saturating_sub(bytes);
    }

    fn check_inode_room(&self) -> VfsResult<()> {
        if self.inodes.len() as u64 >= self.limits.max_inodes {
            return Err(VfsError::NoSpace { what: "inodes" });
        }
        Ok(())
    }

    /// Creates an inode and links it as `name` in `dir`. The caller has checked that `dir` is
    /// live and `name` free; this charges the entry and `extra` content bytes.
    fn create(
        &mut self,
        dir: u64,
        name: &Name,
        data: Data,
        extra: u64,
        now: u64,
    ) -> VfsResult<u64> {
        self.check_inode_room()?;
        self.charge(entry_cost(name) + extra)?;
        let ino = self.next_ino;
        self.next_ino += 1;
        self.inodes.insert(
            ino,
            Inode {
                data,
                nlink: 1,
                refs: 0,
                atime: now,
                mtime: now,
                ctime: now,
            },
        );
        self.entries_mut(dir)?.insert(name.to_string(), ino);
        self.touch_dir(dir, now);
        Ok(ino)
    }

    fn touch_dir(&mut self, dir: u64, now: u64) {
        if let Some(d) = self.inodes.get_mut(&dir) {
            d.mtime = now;
            d.ctime = now;
        }
    }

    /// Frees an inode nobody names or references any more.
    fn maybe_free(&mut self, ino: u64) {
        if ino == ROOT {
            return;
        }
        let free = matches!(self.inodes.get(&ino), Some(i) if i.nlink == 0 && i.refs == 0);
        if free && let Some(inode) = self.inodes.remove(&ino) {
            self.uncharge(inode.content_bytes());
        }
    }

    /// Resizes a file's data within the limits, charging or refunding the difference.
    fn resize_file(&mut self, file: u64, new_len: u64, now: u64) -> VfsResult<()> {
        if new_len > self.limits.max_file_size {
            return Err(VfsError::FileTooLarge);
        }
        let cur = self.file_len(file)?;
        if new_len > cur {
            self.charge(new_len - cur)?;
        }
        let inode = self.get_mut(file)?;
        let Data::File(v) = &mut inode.data else {
            unreachable!("checked above");
        };
        let new_len_usize = usize::try_from(new_len).map_err(|_| VfsError::FileTooLarge)?;
        if new_len > cur {
            if v.try_reserve_exact(new_len_usize - v.len()).is_err() {
                self.uncharge(new_len - cur);
                return Err(VfsError::NoSpace {
                    what: "host memory",
                });
            }
            v.resize(new_len_usize, 0);
        } else if new_len < cur {
            v.truncate(new_len_usize);
            // Give the memory back, or a guest could hold it while the accounting says free.
            v.shrink_to_fit();
            self.uncharge(cur - new_len);
        }
        let inode = self.get_mut(file)?;
        inode.mtime = now;
        inode.ctime = now;
        Ok(())
    }

    fn metadata(&self, ino: u64) -> VfsResult<Metadata> {
        let i = self.get(ino)?;
        Ok(Metadata {
            dev: 0,
            ino,
            file_type: i.file_type(),
            nlink: i.nlink,
            size: i.size(),
            atime_ns: i.atime,
            mtime_ns: i.mtime,
            ctime_ns: i.ctime,
        })
    }
}

/// The in-memory [`Backend`].
pub struct MemoryFs {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
}

impl MemoryFs {
    /// An empty file system holding only its root directory.
    pub fn new(limits: MemoryLimits, clock: Arc<dyn Clock>) -> MemoryFs {
        let now = clock.now_ns();
        let mut inodes = BTreeMap::new();
        inodes.insert(
            ROOT,
            Inode {
                data: Data::Dir {
                    entries: BTreeMap::new(),
                    parent: ROOT,
                },
                nlink: 1,
                refs: 0,
                atime: now,
                mtime: now,
                ctime: now,
            },
        );
        MemoryFs {
            state: Mutex::new(State {
                inodes,
                next_ino: ROOT + 1,
                used_bytes: 0,
                limits,
            }),
            clock,
        }
    }

    /// `(bytes charged, inodes in use)`, including unlinked inodes still referenced.
    pub fn usage(&self) -> (u64, u64) {
        let st = self.state.lock();
        (st.used_bytes, st.inodes.len() as u64)
    }

    /// The limits this file system enforces.
    pub fn limits(&self) -> MemoryLimits {
        self.state.lock().limits
    }

    fn now(&self) -> u64 {
        self.clock.now_ns()
    }
}

impl Backend for MemoryFs {
    fn root(&self) -> VfsResult<NodeId> {
        self.dup(ROOT)
    }

    fn dup(&self, node: NodeId) -> VfsResult<NodeId> {
        self.state.lock().get_mut(node)?.refs += 1;
        Ok(node)
    }

    fn release(&self, node: NodeId) {
        let mut st = self.state.lock();
        if let Some(i) = st.inodes.get_mut(&node) {
            i.refs = i.refs.saturating_sub(1);
            st.maybe_free(node);
        }
    }

    fn stat(&self, node: NodeId) -> VfsResult<Metadata> {
        self.state.lock().metadata(node)
    }

    fn stat_at(&self, dir: NodeId, name: &Name) -> VfsResult<Metadata> {
        let st = self.state.lock();
        let ino = st.lookup(dir, name)?;
        st.metadata(ino)
    }

    fn open_dir(&self, dir: NodeId, name: &Name) -> VfsResult<NodeId> {
        let mut st = self.state.lock();
        let ino = st.lookup(dir, name)?;
        if !st.is_dir(ino) {
            return Err(VfsError::NotDir {
                path: name.to_string(),
            });
        }
        st.get_mut(ino)?.refs += 1;
        Ok(ino)
    }

    fn open_file(&self, dir: NodeId, name: &Name, opts: &FileOpen) -> VfsResult<NodeId> {
        let now = self.now();
        let mut st = self.state.lock();
        let ino = match st.lookup(dir, name) {
            Ok(ino) => {
                if opts.create && opts.exclusive {
                    return Err(VfsError::Exists {
                        path: name.to_string(),
                    });
                }
                match st.get(ino)?.data {
                    Data::File(_) => {}
                    Data::Dir { .. } => {
                        return Err(VfsError::IsDir {
                            path: name.to_string(),
                        });
                    }
                    Data::Symlink(_) => {
                        return Err(VfsError::Loop {
                            path: name.to_string(),
                        });
                    }
                }
                if opts.truncate {
                    st.resize_file(ino, 0, now)?;
                }
                ino
            }
            Err(VfsError::NotFound { .. }) if opts.create => {
                st.live_dir(dir, name)?;
                st.create(dir, name, Data::File(Vec::new()), 0, now)?
            }
            Err(e) => return Err(e),
        };
        st.get_mut(ino)?.refs += 1;
        Ok(ino)
    }

    fn read_at(&self, file: NodeId, offset: u64, buf: &mut [u8]) -> VfsResult<usize> {
        let st = self.state.lock();
        match &st.get(file)?.data {
            Data::File(v) => {
                let len = v.len() as u64;
                if offset >= len {
                    return Ok(0);
                }
                // offset < len <= usize::MAX, so the cast is exact.
                let start = offset as usize;
                let n = buf.len().min(v.len() - start);
                buf[..n].copy_from_slice(&v[start..start + n]);
                Ok(n)
            }
            Data::Dir { .. } => Err(VfsError::IsDir {
                path: String::new(),
            }),
            Data::Symlink(_) => Err(VfsError::Invalid {
                what: "not a regular file",
            }),
        }
    }

    fn write_at(&self, file: NodeId, offset: u64, data: &[u8]) -> VfsResult<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let now = self.now();
        let mut st = self.state.lock();
        let end = offset
            .checked_add(data.len() as u64)
            .ok_or(VfsError::FileTooLarge)?;
        let cur = st.get(file)?.size();
        if end > cur {
            st.resize_file(file, end, now)?;
        }
        let inode = st.get_mut(file)?;
        let Data::File(v) = &mut inode.data else {
            return Err(VfsError::Invalid {
                what: "not a regular file",
            });
        };
        // end <= max_file_size and the vector holds `end` bytes, so these casts are exact.
        let start = offset as usize;
        v[start..start + data.len()].copy_from_slice(data);
        inode.mtime = now;
        inode.ctime = now;
        Ok(data.len())
    }

    fn set_len(&self, file: NodeId, len: u64) -> VfsResult<()> {
        let now = self.now();
        self.state.lock().resize_file(file, len, now)
    }

    fn allocate(&self, file: NodeId, offset: u64, len: u64) -> VfsResult<()> {
        if len == 0 {
            return Ok(());
        }
        let now = self.now();
        let mut st = self.state.lock();
        let end = offset.checked_add(len).ok_or(VfsError::FileTooLarge)?;
        let cur = st.file_len(file)?;
        if end > cur {
            st.resize_file(file, end, now)?;
        }
        Ok(())
    }

    fn sync(&self, node: NodeId, _data_only: bool) -> VfsResult<()> {
        // Nothing to flush; only check the reference is real.
        self.state.lock().get(node).map(|_| ())
    }

    fn set_times(&self, node: NodeId, atime: SetTime, mtime: SetTime) -> VfsResult<()> {
        let now = self.now();
        let mut st = self.state.lock();
        let i = st.get_mut(node)?;
        apply_time(&mut i.atime, atime, now);
        apply_time(&mut i.mtime, mtime, now);
        i.ctime = now;
        Ok(())
    }

    fn set_times_at(
        &self,
        dir: NodeId,
        name: &Name,
        atime: SetTime,
        mtime: SetTime,
    ) -> VfsResult<()> {
        let now = self.now();
        let mut st = self.state.lock();
        let ino = st.lookup(dir, name)?;
        let i = st.get_mut(ino)?;
        apply_time(&mut i.atime, atime, now);
        apply_time(&mut i.mtime, mtime, now);
        i.ctime = now;
        Ok(())
    }

    fn read_dir(&self, dir: NodeId) -> VfsResult<Vec<RawDirEntry>> {
        let st = self.state.lock();
        let entries = st.entries(dir)?;
        let mut out = Vec::new();
        out.try_reserve_exact(entries.len())
            .map_err(|_| VfsError::NoSpace {
                what: "host memory",
            })?;
        for (name, &ino) in entries {
            out.push(RawDirEntry {
                name: name.clone(),
                file_type: st.get(ino)?.file_type(),
                ino,
            });
        }
        Ok(out)
    }

    fn create_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        let now = self.now();
        let mut st = self.state.lock();
        st.live_dir(dir, name)?;
        if st.entries(dir)?.contains_key(name.as_str()) {
            return Err(VfsError::Exists {
                path: name.to_string(),
            });
        }
        let data = Data::Dir {
            entries: BTreeMap::new(),
            parent: dir,
        };
        st.create(dir, name, data, 0, now).map(|_| ())
    }

    fn symlink(&self, target: &str, dir: NodeId, name: &Name) -> VfsResult<()> {
        let now = self.now();
        let mut st = self.state.lock();
        st.live_dir(dir, name)?;
        if st.entries(dir)?.contains_key(name.as_str()) {
            return Err(VfsError::Exists {
                path: name.to_string(),
            });
        }
        let data = Data::Symlink(target.to_string());
        st.create(dir, name, data, target.len() as u64, now)
            .map(|_| ())
    }

    fn read_link(&self, dir: NodeId, name: &Name) -> VfsResult<String> {
        let st = self.state.lock();
        let ino = st.lookup(dir, name)?;
        match &st.get(ino)?.data {
            Data::Symlink(t) => Ok(t.clone()),
            _ => Err(VfsError::Invalid {
                what: "not a symlink",
            }),
        }
    }

    fn hard_link(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()> {
        let now = self.now();
        let mut st = self.state.lock();
        let ino = st.lookup(src_dir, src_name)?;
        if st.is_dir(ino) {
            return Err(VfsError::PermissionDenied {
                path: src_name.to_string(),
            });
        }
        st.live_dir(dst_dir, dst_name)?;
        if st.entries(dst_dir)?.contains_key(dst_name.as_str()) {
            return Err(VfsError::Exists {
                path: dst_name.to_string(),
            });
        }
        st.charge(entry_cost(dst_name))?;
        st.entries_mut(dst_dir)?.insert(dst_name.to_string(), ino);
        st.touch_dir(dst_dir, now);
        let i = st.get_mut(ino)?;
        i.nlink += 1;
        i.ctime = now;
        Ok(())
    }

    fn unlink(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        let now = self.now();
        let mut st = self.state.lock();
        let ino = st.lookup(dir, name)?;
        if st.is_dir(ino) {
            return Err(VfsError::IsDir {
                path: name.to_string(),
            });
        }
        st.entries_mut(dir)?.remove(name.as_str());
        st.uncharge(entry_cost(name));
        st.touch_dir(dir, now);
        let i = st.get_mut(ino)?;
        i.nlink = i.nlink.saturating_sub(1);
        i.ctime = now;
        st.maybe_free(ino);
        Ok(())
    }

    fn remove_dir(&self, dir: NodeId, name: &Name) -> VfsResult<()> {
        let now = self.now();
        let mut st = self.state.lock();
        let ino = st.lookup(dir, name)?;
        match &st.get(ino)?.data {
            Data::Dir { entries, .. } if entries.is_empty() => {}
            Data::Dir { .. } => {
                return Err(VfsError::NotEmpty {
                    path: name.to_string(),
                });
            }
            _ => {
                return Err(VfsError::NotDir {
                    path: name.to_string(),
                });
            }
        }
        st.entries_mut(dir)?.remove(name.as_str());
        st.uncharge(entry_cost(name));
        st.touch_dir(dir, now);
        let i = st.get_mut(ino)?;
        i.nlink = 0;
        i.ctime = now;
        st.maybe_free(ino);
        Ok(())
    }

    fn rename(
        &self,
        src_dir: NodeId,
        src_name: &Name,
        dst_dir: NodeId,
        dst_name: &Name,
    ) -> VfsResult<()> {
        let now = self.now();
        let mut st = self.state.lock();
        let src = st.lookup(src_dir, src_name)?;
        st.live_dir(dst_dir, dst_name)?;
        let dst = st.entries(dst_dir)?.get(dst_name.as_str()).copied();
        if dst == Some(src) {
            // Two names of one object: POSIX says do nothing.
            return Ok(());
        }
        let src_is_dir = st.is_dir(src);
        if src_is_dir {
            // Walk up from the destination: meeting `src` means moving it into itself.
            let mut cur = dst_dir;
            loop {
                if cur == src {
                    return Err(VfsError::Invalid {
                        what: "cannot move a directory into itself",
                    });
                }
                match st.get(cur)?.data {
                    Data::Dir { parent, .. } if cur != ROOT => cur = parent,
                    _ => break,
                }
            }
        }
        if let Some(d) = dst {
            match (src_is_dir, st.is_dir(d)) {
                (true, false) => {
                    return Err(VfsError::NotDir {
                        path: dst_name.to_string(),
                    });
                }
                (false, true) => {
                    return Err(VfsError::IsDir {
                        path: dst_name.to_string(),
                    });
                }
                (true, true) if !st.entries(d)?.is_empty() => {
                    return Err(VfsError::NotEmpty {
                        path: dst_name.to_string(),
                    });
                }
                _ => {}
            }
        }
        let added = entry_cost(dst_name);
        let removed = entry_cost(src_name) + dst.map_or(0, |_| entry_cost(dst_name));
        if added > removed {
            st.charge(added - removed)?;
        }
        st.entries_mut(src_dir)?.remove(src_name.as_str());
        st.entries_mut(dst_dir)?.insert(dst_name.to_string(), src);
        if removed > added {
            st.uncharge(removed - added);
        }
        if let Some(d) = dst {
            let replaced_dir = st.is_dir(d);
            let i = st.get_mut(d)?;
            i.nlink = if replaced_dir {
                0
            } else {
                i.nlink.saturating_sub(1)
            };
            i.ctime = now;
            st.maybe_free(d);
        }
        let i = st.get_mut(src)?;
        i.ctime = now;
        if let Data::Dir { parent, .. } = &mut i.data {
            *parent = dst_dir;
        }
        st.touch_dir(src_dir, now);
        st.touch_dir(dst_dir, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ManualClock;

    fn fs(limits: MemoryLimits) -> MemoryFs {
        MemoryFs::new(limits, Arc::new(ManualClock::new(1_000)))
    }

    fn n(s: &str) -> Name {
        Name::new(s).unwrap()
    }

    fn create(fs: &MemoryFs, dir: NodeId, name: &str) -> NodeId {
        let opts = FileOpen {
            write: true,
            create: true,
            ..FileOpen::default()
        };
        fs.open_file(dir, &n(name), &opts).unwrap()
    }

    #[test]
    fn unlinked_inode_lives_until_last_reference() {
        let fs = fs(MemoryLimits::default());
        let root = fs.root().unwrap();
        let f = create(&fs, root, "f");
        fs.write_at(f, 0, b"data").unwrap();
        fs.unlink(root, &n("f")).unwrap();
        assert_eq!(fs.stat(f).unwrap().nlink, 0);
        let mut buf = [0; 4];
        assert_eq!(fs.read_at(f, 0, &mut buf).unwrap(), 4);
        let (bytes, inodes) = fs.usage();
        assert_eq!((bytes, inodes), (4, 2));
        fs.release(f);
        assert_eq!(
            fs.usage(),
            (0, 1),
            "freed and refunded after the last release"
        );
    }

    #[test]
    fn entries_are_charged_so_link_floods_hit_the_limit() {
        let limits = MemoryLimits {
            max_total_bytes: 10 * (ENTRY_OVERHEAD + 3),
            ..MemoryLimits::default()
        };
        let fs = fs(limits);
        let root = fs.root().unwrap();
        let f = create(&fs, root, "f00");
        let mut made = 1;
        let err = loop {
            let name = alloc::format!("l{made:02}");
            match fs.hard_link(root, &n("f00"), root, &n(&name)) {
                Ok(()) => made += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(made, 10);
        assert_eq!(
            err,
            VfsError::NoSpace {
                what: "total bytes"
            }
        );
        fs.release(f);
    }

    #[test]
    fn shrinking_refunds_and_sparse_growth_is_bounded() {
        let limits = MemoryLimits {
            max_file_size: 1 << 20,
            max_total_bytes: 2 << 20,
            max_inodes: 8,
        };
        let fs = fs(limits);
        let root = fs.root().unwrap();
        let f = create(&fs, root, "f");
        let entry = entry_cost("f");
        assert_eq!(fs.write_at(f, 1 << 20, b"x"), Err(VfsError::FileTooLarge));
        assert_eq!(fs.write_at(f, u64::MAX, b"x"), Err(VfsError::FileTooLarge));
        fs.write_at(f, (1 << 20) - 1, b"x").unwrap();
        assert_eq!(fs.usage().0, (1 << 20) + entry);
        fs.set_len(f, 10).unwrap();
        assert_eq!(fs.usage().0, 10 + entry);
        fs.release(f);
    }

    #[test]
    fn rename_refuses_moving_a_directory_into_itself() {
        let fs = fs(MemoryLimits::default());
        let root = fs.root().unwrap();
        fs.create_dir(root, &n("a")).unwrap();
        let a = fs.open_dir(root, &n("a")).unwrap();
        fs.create_dir(a, &n("b")).unwrap();
        let b = fs.open_dir(a, &n("b")).unwrap();
        assert!(matches!(
            fs.rename(root, &n("a"), b, &n("x")),
            Err(VfsError::Invalid { .. })
        ));
        assert!(matches!(
            fs.rename(root, &n("a"), a, &n("x")),
            Err(VfsError::Invalid { .. })
        ));
        fs.release(b);
        fs.release(a);
    }

    #[test]
    fn removed_directory_accepts_no_new_entries() {
        let fs = fs(MemoryLimits::default());
        let root = fs.root().unwrap();
        fs.create_dir(root, &n("d")).unwrap();
        let d = fs.open_dir(root, &n("d")).unwrap();
        fs.remove_dir(root, &n("d")).unwrap();
        assert!(matches!(
            fs.create_dir(d, &n("x")),
            Err(VfsError::NotFound { .. })
        ));
        fs.release(d);
        assert_eq!(fs.usage(), (0, 1));
    }
}

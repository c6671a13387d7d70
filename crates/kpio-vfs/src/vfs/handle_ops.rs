//! Operations on an open handle (WASI's `fd_*` calls): reading, writing and seeking a
//! file's cursor, syncing, and reading or changing the open object's metadata.
//!
//! Each starts from the accessors in `handles` that check the handle's kind and access mode
//! and the mount's read-only flag, so those are enforced before a backend is asked anything.

use super::Vfs;
use super::handles::Handle;
use crate::error::{VfsError, VfsResult};
use crate::types::{Metadata, SeekFrom, SetTime};

impl Vfs {
    /// Reads at the cursor and advances it (`fd_read`).
    pub fn read(&mut self, h: Handle, buf: &mut [u8]) -> VfsResult<usize> {
        let (o, b) = self.readable_file(h)?;
        let n = b.read_at(o.node.id(), o.pos, buf)?;
        self.handles.get_mut(h)?.pos += n as u64;
        Ok(n)
    }

    /// Reads at `offset` without moving the cursor (`fd_pread`).
    pub fn read_at(&mut self, h: Handle, offset: u64, buf: &mut [u8]) -> VfsResult<usize> {
        let (o, b) = self.readable_file(h)?;
        b.read_at(o.node.id(), offset, buf)
    }

    /// Writes at the cursor (at the end in append mode) and advances it (`fd_write`).
    pub fn write(&mut self, h: Handle, data: &[u8]) -> VfsResult<usize> {
        let (node, b) = self.writable_file(h)?;
        let o = self.handles.get(h)?;
        let offset = if o.append { b.stat(node)?.size } else { o.pos };
        let n = b.write_at(node, offset, data)?;
        self.handles.get_mut(h)?.pos = offset + n as u64;
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
        // Like POSIX's signed `off_t`, positions stay below 2^63.
        let new = base_and_delta
            .0
            .checked_add_signed(base_and_delta.1)
            .filter(|&p| p <= i64::MAX as u64)
            .ok_or(VfsError::Invalid {
                what: "seek before start or beyond 2^63",
            })?;
        self.handles.get_mut(h)?.pos = new;
        Ok(new)
    }

    /// The cursor position (`fd_tell`).
    pub fn tell(&self, h: Handle) -> VfsResult<u64> {
        let (o, _) = self.file(h)?;
        Ok(o.pos)
    }

    /// Flushes data and metadata (`fd_sync`); works on directories too.
    pub fn sync(&mut self, h: Handle) -> VfsResult<()> {
        self.sync_handle(h, false)
    }

    /// Flushes data (`fd_datasync`).
    pub fn datasync(&mut self, h: Handle) -> VfsResult<()> {
        self.sync_handle(h, true)
    }

    fn sync_handle(&self, h: Handle, data_only: bool) -> VfsResult<()> {
        let o = self.handles.get(h)?;
        self.backend_of(o).sync(o.node.id(), data_only)
    }

    /// Metadata of the open object (`fd_filestat_get`); `dev` is the mount id.
    pub fn stat(&mut self, h: Handle) -> VfsResult<Metadata> {
        let o = self.handles.get(h)?;
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
        let o = self.handles.get(h)?;
        self.check_writable_mount(o.mount)?;
        self.backend_of(o).set_times(o.node.id(), atime, mtime)
    }
}

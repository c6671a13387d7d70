//! Linear memories: a zero-initialised byte buffer whose base address and length the
//! interpreter caches, and `Memory`, the embedder's handle to one.

use crate::Store;
use crate::trap::{Trap, TrapCode};
use crate::types::MemoryType;
use alloc::alloc::{Layout, alloc_zeroed, dealloc};
use core::ptr::NonNull;

/// Bytes per WebAssembly page.
pub const PAGE_SIZE: usize = 65536;

/// A linear memory's storage. Growth allocates a fresh zeroed block (lazily zeroed by the
/// allocator for large sizes) and copies, so a failed growth leaves the memory untouched.
pub(crate) struct MemoryEntity {
    ptr: NonNull<u8>,
    len: usize,
    pub ty: MemoryType,
    /// The effective maximum in pages: the type's max capped by the engine's limit.
    max_pages: u32,
}

// SAFETY: the buffer is uniquely owned by the entity, like a `Vec<u8>`.
unsafe impl Send for MemoryEntity {}
unsafe impl Sync for MemoryEntity {}

impl MemoryEntity {
    pub fn new(ty: MemoryType, limit_pages: u32) -> Result<Self, Trap> {
        let max_pages = ty.max.unwrap_or(65536).min(65536).min(limit_pages);
        let mut m = MemoryEntity {
            ptr: NonNull::dangling(),
            len: 0,
            ty,
            max_pages,
        };
        if ty.min > max_pages || m.grow(ty.min).is_none() {
            return Err(Trap::host(alloc::format!(
                "cannot allocate memory of {} pages (limit {} pages)",
                ty.min,
                max_pages
            )));
        }
        Ok(m)
    }

    pub fn pages(&self) -> u32 {
        (self.len / PAGE_SIZE) as u32
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn base(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
    pub fn data(&self) -> &[u8] {
        // SAFETY: ptr is valid for len bytes (or dangling with len 0).
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
    pub fn data_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, and we hold &mut self.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Grows by `delta` pages; returns the old size in pages, or None if refused.
    pub fn grow(&mut self, delta: u32) -> Option<u32> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let new_len = new as usize * PAGE_SIZE;
        let layout = Layout::from_size_align(new_len, 16).ok()?;
        // SAFETY: new_len > 0; the old block, if any, was allocated with the same alignment.
        unsafe {
            let p = alloc_zeroed(layout);
            let p = NonNull::new(p)?;
            if self.len > 0 {
                core::ptr::copy_nonoverlapping(self.ptr.as_ptr(), p.as_ptr(), self.len);
                dealloc(
                    self.ptr.as_ptr(),
                    Layout::from_size_align_unchecked(self.len, 16),
                );
            }
            self.ptr = p;
        }
        self.len = new_len;
        Some(old)
    }
}

impl Drop for MemoryEntity {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: allocated in `grow` with this layout.
            unsafe {
                dealloc(
                    self.ptr.as_ptr(),
                    Layout::from_size_align_unchecked(self.len, 16),
                )
            }
        }
    }
}

/// A handle to a linear memory in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);

impl Memory {
    /// Creates a memory of the given type (for imports provided by the host), within the
    /// store's limits.
    pub fn new<T>(store: &mut Store<T>, ty: MemoryType) -> Result<Memory, Trap> {
        store.inner.new_memory(ty).map(Memory)
    }
    pub fn ty<T>(&self, store: &Store<T>) -> MemoryType {
        let m = &store.inner.memories[self.0 as usize];
        MemoryType {
            min: m.pages(),
            max: m.ty.max,
        }
    }
    pub fn size<T>(&self, store: &Store<T>) -> u32 {
        store.inner.memories[self.0 as usize].pages()
    }
    pub fn data<'a, T>(&self, store: &'a Store<T>) -> &'a [u8] {
        store.inner.memories[self.0 as usize].data()
    }
    pub fn data_mut<'a, T>(&self, store: &'a mut Store<T>) -> &'a mut [u8] {
        store.inner.memories[self.0 as usize].data_mut()
    }
    /// Grows by `delta` pages, returning the previous size.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u32) -> Result<u32, Trap> {
        store
            .inner
            .grow_memory(self.0, delta)
            .ok_or_else(|| Trap::host("memory.grow refused: limit reached"))
    }
    /// Copies `buf.len()` bytes at `offset` into `buf`.
    pub fn read<T>(&self, store: &Store<T>, offset: usize, buf: &mut [u8]) -> Result<(), Trap> {
        let data = self.data(store);
        let end = offset
            .checked_add(buf.len())
            .ok_or(TrapCode::MemoryOutOfBounds)?;
        buf.copy_from_slice(data.get(offset..end).ok_or(TrapCode::MemoryOutOfBounds)?);
        Ok(())
    }
    /// Copies `buf` into memory at `offset`.
    pub fn write<T>(&self, store: &mut Store<T>, offset: usize, buf: &[u8]) -> Result<(), Trap> {
        let data = self.data_mut(store);
        let end = offset
            .checked_add(buf.len())
            .ok_or(TrapCode::MemoryOutOfBounds)?;
        data.get_mut(offset..end)
            .ok_or(TrapCode::MemoryOutOfBounds)?
            .copy_from_slice(buf);
        Ok(())
    }
}

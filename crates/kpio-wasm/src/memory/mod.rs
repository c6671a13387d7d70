//! Linear memories: a zero-initialised byte buffer whose base address and length the
//! interpreter caches, and `Memory`, the embedder's handle to one.
//!
//! Where the bytes live depends on the target: hosted 64-bit Linux reserves the address
//! space once and commits on growth ([`reserved`]); elsewhere, or if reserving fails, the
//! global allocator holds them with geometric capacity growth ([`heap`]). Either way
//! `memory.grow` costs time in proportion to the pages added, not to the memory's size.

mod heap;
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod reserved;

use crate::Store;
use crate::trap::{Trap, TrapCode};
use crate::types::MemoryType;
use heap::HeapBuffer;

/// Bytes per WebAssembly page.
pub const PAGE_SIZE: usize = 65536;

enum Storage {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    Reserved(reserved::ReservedBuffer),
    Heap(HeapBuffer),
}

/// Inaccessible address space kept after a 32-bit memory's 4 GiB where it is reserved
/// (as wasmtime's default guard): native code may leave unchecked an access whose static
/// offset plus size is at most this (see [`MemoryEntity::guarded`]).
#[cfg_attr(
    not(any(feature = "jit", all(target_os = "linux", target_pointer_width = "64"))),
    allow(dead_code)
)]
pub(crate) const GUARD_BYTES: usize = 2 << 30;

/// A guarded 32-bit memory's reservation: all a 32-bit address reaches, then the guard.
#[cfg_attr(
    not(all(target_os = "linux", target_pointer_width = "64")),
    allow(dead_code)
)]
pub(crate) const GUARDED_SPAN: usize = (1 << 32) + GUARD_BYTES;

/// Pages a 32-bit memory can address (4 GiB).
const MAX_PAGES_32: u64 = 1 << 16;
/// Pages a 64-bit memory's type may declare (2^64 bytes).
const MAX_PAGES_64: u64 = 1 << 48;

/// A linear memory's storage. A failed growth leaves the memory untouched.
pub(crate) struct MemoryEntity {
    storage: Storage,
    pub ty: MemoryType,
    /// The effective maximum in pages: the type's max capped by the engine's limit.
    max_pages: u64,
}

impl MemoryEntity {
    pub fn new(ty: MemoryType, limit_pages: u32) -> Result<Self, Trap> {
        let type_max = if ty.memory64 {
            MAX_PAGES_64
        } else {
            MAX_PAGES_32
        };
        let max_pages = ty
            .max
            .unwrap_or(type_max)
            .min(type_max)
            .min(limit_pages as u64);
        let refused = || {
            Trap::host(alloc::format!(
                "cannot allocate memory of {} pages (limit {} pages)",
                ty.min,
                max_pages
            ))
        };
        if ty.min > max_pages {
            return Err(refused());
        }
        // Where the bytes live. A 32-bit memory gets the full 4 GiB plus a guard, so a JIT
        // tier can elide bounds checks on 32-bit addresses. A 64-bit memory reserves just its
        // effective maximum, without a guard: no finite guard covers what an `i64` address
        // plus a `u64` offset can reach, so every access to it is bounds-checked explicitly
        // (and wrap-around checked) whatever the backend, and guard pages would buy nothing.
        // Beyond the address space (a huge maximum), it falls back to the heap like any
        // memory whose reservation fails.
        #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
        let storage = {
            // At most `u32::MAX` pages (`limit_pages`), so 2^48 bytes: fits a 64-bit `usize`.
            let max_bytes = usize::try_from(max_pages)
                .unwrap_or(usize::MAX)
                .saturating_mul(PAGE_SIZE);
            match reserved::ReservedBuffer::new(max_bytes, !ty.memory64) {
                Some(r) => Storage::Reserved(r),
                None => Storage::Heap(HeapBuffer::new()),
            }
        };
        #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
        let storage = Storage::Heap(HeapBuffer::new());
        let mut m = MemoryEntity {
            storage,
            ty,
            max_pages,
        };
        if m.grow(ty.min, usize::MAX).is_none() {
            return Err(refused());
        }
        Ok(m)
    }

    /// Whether the memory sits in a guarded reservation: every address a 32-bit index plus
    /// an offset of at most [`GUARD_BYTES`] reaches is inside it, and what lies past the
    /// memory's length faults (never readable or writable), so native code may leave such
    /// accesses unchecked. Never true for a 64-bit memory.
    pub fn guarded(&self) -> bool {
        match &self.storage {
            #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
            Storage::Reserved(r) => !self.ty.memory64 && r.guarded(),
            Storage::Heap(_) => false,
        }
    }

    /// Whether the memory is addressed with `i64` (memory64).
    pub fn is_64(&self) -> bool {
        self.ty.memory64
    }

    pub fn pages(&self) -> u64 {
        (self.len() / PAGE_SIZE) as u64
    }
    pub fn len(&self) -> usize {
        match &self.storage {
            #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
            Storage::Reserved(r) => r.len(),
            Storage::Heap(h) => h.len(),
        }
    }
    pub fn base(&self) -> *mut u8 {
        match &self.storage {
            #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
            Storage::Reserved(r) => r.base(),
            Storage::Heap(h) => h.base(),
        }
    }
    pub fn data(&self) -> &[u8] {
        // SAFETY: base is valid for len initialised bytes (or dangling with len 0).
        unsafe { core::slice::from_raw_parts(self.base(), self.len()) }
    }
    pub fn data_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, and we hold &mut self.
        unsafe { core::slice::from_raw_parts_mut(self.base(), self.len()) }
    }

    /// Grows by `delta` pages; returns the old size in pages, or None if refused.
    /// `budget` is the most bytes this memory may reach under the store's limits; storage
    /// that over-allocates for future growth stays within it.
    pub fn grow(&mut self, delta: u64, budget: usize) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let new_len = usize::try_from(new).ok()?.checked_mul(PAGE_SIZE)?;
        let ok = match &mut self.storage {
            #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
            Storage::Reserved(r) => r.grow_to(new_len),
            Storage::Heap(h) => {
                let max_bytes = usize::try_from(self.max_pages)
                    .unwrap_or(usize::MAX)
                    .saturating_mul(PAGE_SIZE);
                h.grow_to(new_len, max_bytes.min(budget))
            }
        };
        ok.then_some(old)
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
            memory64: m.ty.memory64,
        }
    }
    /// Whether the memory is addressed with `i64` (memory64).
    pub fn is_64<T>(&self, store: &Store<T>) -> bool {
        store.inner.memories[self.0 as usize].is_64()
    }
    /// The size in pages.
    pub fn size<T>(&self, store: &Store<T>) -> u64 {
        store.inner.memories[self.0 as usize].pages()
    }
    pub fn data<'a, T>(&self, store: &'a Store<T>) -> &'a [u8] {
        store.inner.memories[self.0 as usize].data()
    }
    pub fn data_mut<'a, T>(&self, store: &'a mut Store<T>) -> &'a mut [u8] {
        store.inner.memories[self.0 as usize].data_mut()
    }
    /// Grows by `delta` pages, returning the previous size.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u64) -> Result<u64, Trap> {
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

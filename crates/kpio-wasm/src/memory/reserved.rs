//! Linear-memory storage in reserved address space (hosted 64-bit Linux), as wasmtime does.
//!
//! The memory's whole address range is reserved once with `mmap(PROT_NONE)`: 4 GiB (all a
//! 32-bit memory can address) plus a guard region, so that native code from a JIT tier can
//! elide bounds checks. Growth commits pages in place with `mprotect(READ|WRITE)`: no copy,
//! and the base never moves. Fresh anonymous pages read as zero, and uncommitted ones cost
//! no memory (`MAP_NORESERVE`). If the address space is short (e.g. `ulimit -v`), a
//! reservation of just the memory's maximum is tried instead.

use core::ptr::NonNull;

use super::GUARDED_SPAN;

pub(crate) struct ReservedBuffer {
    base: NonNull<u8>,
    /// Bytes committed (readable and writable) from `base`.
    len: usize,
    /// Bytes reserved from `base`; never changes.
    reserved: usize,
}

// SAFETY: the mapping is uniquely owned, like a `Vec<u8>`'s block.
unsafe impl Send for ReservedBuffer {}
// SAFETY: shared access only reads through `&self` methods that return the pointer.
unsafe impl Sync for ReservedBuffer {}

/// Reserves `size` bytes of inaccessible address space.
fn reserve(size: usize) -> Option<NonNull<u8>> {
    if size == 0 {
        return None;
    }
    // SAFETY: a fresh private anonymous mapping at an address of the kernel's choosing
    // touches no existing memory.
    let p = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            size,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    NonNull::new(p.cast())
}

impl ReservedBuffer {
    /// Reserves room for a memory of at most `max_bytes`; None if no reservation (not even
    /// of `max_bytes`) can be made. `guarded` (32-bit memories) reserves the whole 4 GiB a
    /// 32-bit address reaches plus the guard, falling back to `max_bytes`; otherwise (64-bit
    /// memories, which are always bounds-checked) exactly `max_bytes`.
    pub fn new(max_bytes: usize, guarded: bool) -> Option<Self> {
        // Miri cannot model PROT_NONE mappings; under it memories use the heap backend,
        // which is what the bare-metal target runs anyway.
        if cfg!(miri) {
            return None;
        }
        let full = if guarded {
            reserve(GUARDED_SPAN).map(|b| (b, GUARDED_SPAN))
        } else {
            None
        };
        let (base, reserved) = match full {
            Some(r) => r,
            None => (reserve(max_bytes)?, max_bytes),
        };
        Some(ReservedBuffer {
            base,
            len: 0,
            reserved,
        })
    }

    pub fn base(&self) -> *mut u8 {
        self.base.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Commits up to `new_len` bytes (a multiple of the wasm page size, hence of the OS page
    /// size). False if it would pass the reservation or the kernel refuses; the buffer is
    /// then unchanged.
    /// Whether every 32-bit address plus an offset below the guard size stays inside
    /// the reservation: such an access past `len` faults instead of reaching other memory.
    pub fn guarded(&self) -> bool {
        self.reserved >= GUARDED_SPAN
    }

    pub fn grow_to(&mut self, new_len: usize) -> bool {
        debug_assert!(new_len >= self.len);
        if new_len > self.reserved {
            return false;
        }
        if new_len == self.len {
            return true;
        }
        // SAFETY: `len..new_len` lies inside our reservation (checked above), and `len` is
        // page-aligned because every length is a whole number of wasm pages.
        let r = unsafe {
            libc::mprotect(
                self.base.as_ptr().add(self.len).cast(),
                new_len - self.len,
                libc::PROT_READ | libc::PROT_WRITE,
            )
        };
        if r != 0 {
            return false;
        }
        self.len = new_len;
        true
    }
}

impl Drop for ReservedBuffer {
    fn drop(&mut self) {
        // SAFETY: `base..base + reserved` is exactly the mapping made in `new`, and nothing
        // refers to it once the buffer is dropped. A failure could only mean a bad
        // argument, so there is nothing to do with it.
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.reserved);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::PAGE_SIZE;

    #[test]
    fn commits_in_place_with_zeroed_pages() {
        let mut b = ReservedBuffer::new(16 * PAGE_SIZE, true).expect("reserve");
        let base = b.base();
        assert!(b.grow_to(PAGE_SIZE));
        // SAFETY: one page is committed.
        unsafe { *b.base().add(PAGE_SIZE - 1) = 7 };
        assert!(b.grow_to(3 * PAGE_SIZE));
        assert_eq!(b.base(), base, "the base never moves");
        // SAFETY: three pages are committed.
        let s = unsafe { core::slice::from_raw_parts(b.base(), b.len()) };
        assert_eq!(s[PAGE_SIZE - 1], 7);
        assert!(s[PAGE_SIZE..].iter().all(|&x| x == 0));
    }

    /// A 64-bit memory's reservation (unguarded) is exactly its maximum: growth stops there.
    #[test]
    fn an_unguarded_reservation_is_the_maximum() {
        let mut b = ReservedBuffer::new(3 * PAGE_SIZE, false).expect("reserve");
        assert_eq!(b.reserved, 3 * PAGE_SIZE);
        assert!(b.grow_to(3 * PAGE_SIZE));
        assert!(!b.grow_to(4 * PAGE_SIZE));
        let guarded = ReservedBuffer::new(3 * PAGE_SIZE, true).expect("reserve");
        assert!(
            guarded.reserved >= 1 << 32,
            "a 32-bit memory reserves all it can address"
        );
    }

    #[test]
    fn refuses_past_the_reservation() {
        let mut b = ReservedBuffer::new(PAGE_SIZE, true).expect("reserve");
        assert!(!b.grow_to(b.reserved + PAGE_SIZE));
        assert_eq!(b.len(), 0);
    }
}

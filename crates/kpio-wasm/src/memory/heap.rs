//! Linear-memory storage from the global allocator, for targets without virtual-memory
//! reservation (the kernel's `x86_64-unknown-none`) and as the hosted fallback.
//!
//! Capacity grows geometrically (at least doubling, capped by the memory's maximum and the
//! caller's budget), so N single-page grows copy O(N) pages in all instead of O(N²).
//! Bytes between the length and the capacity are uninitialised; they are zeroed when a
//! grow exposes them.

use alloc::alloc::{Layout, alloc, dealloc, realloc};
use core::ptr::NonNull;

/// Alignment of the block: enough for any wasm access the interpreter does unaligned anyway,
/// and for the allocator to hand out large blocks directly from the OS.
const ALIGN: usize = 16;

pub(crate) struct HeapBuffer {
    ptr: NonNull<u8>,
    len: usize,
    cap: usize,
}

// SAFETY: the block is uniquely owned, like a `Vec<u8>`'s.
unsafe impl Send for HeapBuffer {}
// SAFETY: shared access only reads through `&self` methods that return the pointer.
unsafe impl Sync for HeapBuffer {}

impl HeapBuffer {
    pub fn new() -> Self {
        HeapBuffer {
            ptr: NonNull::dangling(),
            len: 0,
            cap: 0,
        }
    }

    pub fn base(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Grows to `new_len` zeroed-at-the-end bytes, reallocating to at most `cap_limit`
    /// bytes of capacity (never less than `new_len`). False if the allocator refuses; the
    /// buffer is then unchanged.
    pub fn grow_to(&mut self, new_len: usize, cap_limit: usize) -> bool {
        debug_assert!(new_len >= self.len);
        if new_len > self.cap {
            let new_cap = self.cap.saturating_mul(2).min(cap_limit).max(new_len);
            let Ok(layout) = Layout::from_size_align(new_cap, ALIGN) else {
                return false;
            };
            let p = if self.cap == 0 {
                // SAFETY: `new_cap >= new_len > self.cap == 0`, so the size is not zero.
                unsafe { alloc(layout) }
            } else {
                // SAFETY: `ptr` was allocated by this allocator with `cap` bytes at `ALIGN`
                // (the layout below), and `new_cap` fits a `Layout` (checked above).
                unsafe {
                    realloc(
                        self.ptr.as_ptr(),
                        Layout::from_size_align_unchecked(self.cap, ALIGN),
                        new_cap,
                    )
                }
            };
            let Some(p) = NonNull::new(p) else {
                return false;
            };
            self.ptr = p;
            self.cap = new_cap;
        }
        // SAFETY: `len..new_len` lies within the `cap` bytes of the block.
        unsafe { core::ptr::write_bytes(self.ptr.as_ptr().add(self.len), 0, new_len - self.len) };
        self.len = new_len;
        true
    }
}

impl Drop for HeapBuffer {
    fn drop(&mut self) {
        if self.cap > 0 {
            // SAFETY: allocated in `grow_to` with exactly this layout.
            unsafe {
                dealloc(
                    self.ptr.as_ptr(),
                    Layout::from_size_align_unchecked(self.cap, ALIGN),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_geometrically_keeps_contents_and_zeroes_new_bytes() {
        let mut b = HeapBuffer::new();
        let mut reallocs = 0;
        let mut last_cap = 0;
        for n in 1..=300usize {
            assert!(b.grow_to(n * 100, usize::MAX));
            if b.cap != last_cap {
                reallocs += 1;
                last_cap = b.cap;
            }
            // SAFETY: `len` bytes are initialised.
            let s = unsafe { core::slice::from_raw_parts_mut(b.base(), b.len()) };
            assert!(s[(n - 1) * 100..].iter().all(|&x| x == 0));
            s[(n - 1) * 100] = n as u8;
        }
        // SAFETY: as above.
        let s = unsafe { core::slice::from_raw_parts(b.base(), b.len()) };
        for n in 1..=300usize {
            assert_eq!(s[(n - 1) * 100], n as u8);
        }
        assert!(reallocs <= 10, "{reallocs} reallocations");
    }

    #[test]
    fn capacity_stays_within_the_limit() {
        let mut b = HeapBuffer::new();
        assert!(b.grow_to(1000, 1500));
        assert_eq!(b.cap, 1000);
        // Doubling would give 2000; the limit caps it.
        assert!(b.grow_to(1200, 1500));
        assert_eq!(b.cap, 1500);
        // A limit below the length asked for yields to the length.
        assert!(b.grow_to(1600, 1500));
        assert_eq!(b.cap, 1600);
    }
}

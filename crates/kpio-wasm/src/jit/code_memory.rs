//! Executable memory for the native tier: W^X pages within a budget.
//!
//! Machine code is copied into fresh read-write pages, which are then flipped to
//! read-execute before any of it runs; a mapping is never writable and executable at once
//! (W^X), so a guest that corrupts memory cannot turn a write into new code. The pages come
//! from the platform through [`CodePages`]: hosted 64-bit Linux uses mmap/mprotect
//! ([`HostPages`]); the kernel supplies its own page-table flags.
//!
//! Every [`CodeMemory`] (one per engine) counts the bytes of the pages it has published
//! against a budget ([`DEFAULT_CODE_BUDGET`]). The charge is taken with a compare-exchange
//! before anything is mapped, so racing publishes cannot together pass the budget, and it
//! is given back when a [`CodeBlock`] is dropped (its pages unmapped) or when mapping fails.
//!
//! No instruction-cache maintenance is done: x86-64 keeps instruction fetch coherent with
//! stores, and the pages are fresh and flipped by a syscall before their address is shared.
//! An ISA without that guarantee would need a flush in `publish`.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Where executable pages come from: the platform. Hosted Linux: mmap/mprotect
/// ([`HostPages`]); the kernel provides its own page-table flags later.
pub trait CodePages: Send + Sync {
    /// The page size (a power of two).
    fn page_size(&self) -> usize;

    /// Maps `len` bytes (a multiple of `page_size`) readable and writable, not executable.
    /// The returned pointer is page-aligned.
    fn map_rw(&self, len: usize) -> Result<NonNull<u8>, CodeMemoryError>;

    /// Makes `[ptr, ptr+len)` readable and executable, no longer writable.
    ///
    /// # Safety
    /// The range was returned by `map_rw` with this `len` and is not yet RX.
    unsafe fn make_rx(&self, ptr: NonNull<u8>, len: usize) -> Result<(), CodeMemoryError>;

    /// Unmaps a range returned by `map_rw`.
    ///
    /// # Safety
    /// No code in it runs or will run; it is not used after.
    unsafe fn unmap(&self, ptr: NonNull<u8>, len: usize);
}

/// Why code could not be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeMemoryError {
    /// Publishing `requested` bytes would take the code memory past its budget.
    BudgetExceeded {
        requested: usize,
        used: usize,
        budget: usize,
    },
    /// The platform refused to map (or protect) pages; `errno` where it has one (else 0).
    Map {
        op: &'static str,
        len: usize,
        errno: i32,
    },
    /// Nothing to publish (empty code).
    Empty,
}

impl fmt::Display for CodeMemoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeMemoryError::BudgetExceeded {
                requested,
                used,
                budget,
            } => write!(
                f,
                "code memory budget exceeded: publishing {requested} bytes of pages with \
                 {used} of {budget} bytes already in use"
            ),
            CodeMemoryError::Map { op, len, errno } => {
                write!(f, "code memory: {op} of {len} bytes failed (errno {errno})")
            }
            CodeMemoryError::Empty => f.write_str("code memory: no machine code to publish"),
        }
    }
}

impl core::error::Error for CodeMemoryError {}

/// The default budget: 16 MiB of mapped code pages per engine.
pub const DEFAULT_CODE_BUDGET: usize = 16 << 20;

/// Each part of a block starts at a multiple of this (the alignment compilers give
/// function entries).
const PART_ALIGN: usize = 16;

/// Fills the bytes between and after parts: x86 `int3`, so a stray jump into padding
/// traps instead of running whatever the page held.
const PAD: u8 = 0xCC;

/// An engine's code memory: publishes machine code into fresh pages and counts them
/// against a budget. Shared through an `Arc` (each [`CodeBlock`] holds one).
pub struct CodeMemory {
    pages: Arc<dyn CodePages>,
    budget: usize,
    /// Bytes of pages charged: those of live blocks plus those of publishes in progress.
    used: AtomicUsize,
    /// Live blocks.
    blocks: AtomicUsize,
}

impl fmt::Debug for CodeMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeMemory")
            .field("used", &self.used())
            .field("budget", &self.budget)
            .field("blocks", &self.blocks())
            .finish_non_exhaustive()
    }
}

impl CodeMemory {
    /// A code memory taking pages from `pages`, holding at most `budget` bytes of them.
    pub fn new(pages: Arc<dyn CodePages>, budget: usize) -> Self {
        CodeMemory {
            pages,
            budget,
            used: AtomicUsize::new(0),
            blocks: AtomicUsize::new(0),
        }
    }

    /// Copies each of `parts` into one fresh mapping (each part starting at a 16-byte
    /// aligned offset), flips the mapping to read-execute, and returns it. The mapping
    /// is rounded up to whole pages, and those page bytes are what the budget counts.
    /// Fails with `BudgetExceeded` before mapping anything when the budget would be passed.
    pub fn publish(self: &Arc<Self>, parts: &[&[u8]]) -> Result<CodeBlock, CodeMemoryError> {
        let page = self.pages.page_size();
        assert!(
            page.is_power_of_two(),
            "CodePages::page_size must be a power of two, got {page}"
        );
        let (offsets, code_len) = match layout(parts.iter().map(|p| p.len())) {
            Some(l) => l,
            None => return Err(self.exceeded(usize::MAX)),
        };
        if code_len == 0 {
            return Err(CodeMemoryError::Empty);
        }
        let Some(mapped_len) = round_to_pages(code_len, page) else {
            return Err(self.exceeded(usize::MAX));
        };

        self.charge(mapped_len)?;
        let ptr = match self.pages.map_rw(mapped_len) {
            Ok(p) => p,
            Err(e) => {
                self.uncharge(mapped_len);
                return Err(e);
            }
        };
        debug_assert_eq!(ptr.as_ptr() as usize & (page - 1), 0, "map_rw: unaligned");

        // SAFETY: `ptr..ptr + mapped_len` is a fresh read-write mapping that nothing else
        // refers to, and `layout` placed every part inside `code_len <= mapped_len`
        // without overlap.
        let bytes = unsafe { core::slice::from_raw_parts_mut(ptr.as_ptr(), mapped_len) };
        let mut end = 0;
        for (part, &off) in parts.iter().zip(offsets.iter()) {
            bytes[end..off].fill(PAD);
            bytes[off..off + part.len()].copy_from_slice(part);
            end = off + part.len();
        }
        bytes[end..].fill(PAD);

        // SAFETY: the range came from `map_rw` with this length and has not been made RX;
        // the slice written through above is not used again.
        if let Err(e) = unsafe { self.pages.make_rx(ptr, mapped_len) } {
            // SAFETY: no code in the range was ever executable, let alone run, and the
            // pointer is dropped here.
            unsafe { self.pages.unmap(ptr, mapped_len) };
            self.uncharge(mapped_len);
            return Err(e);
        }
        self.blocks.fetch_add(1, Ordering::Relaxed);
        Ok(CodeBlock {
            memory: Arc::clone(self),
            base: ptr,
            mapped_len,
            code_len,
            offsets,
        })
    }

    /// Bytes of pages currently published (live [`CodeBlock`]s; a publish in progress
    /// counts from its budget check on).
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    /// The most bytes of pages this code memory holds at once.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Live [`CodeBlock`]s.
    pub fn blocks(&self) -> usize {
        self.blocks.load(Ordering::Relaxed)
    }

    /// Takes `len` bytes of the budget, or says why not. A compare-exchange loop, so two
    /// racing publishes cannot both see room that only one of them fits in.
    fn charge(&self, len: usize) -> Result<(), CodeMemoryError> {
        let mut used = self.used.load(Ordering::Acquire);
        loop {
            if len > self.budget.saturating_sub(used) {
                return Err(CodeMemoryError::BudgetExceeded {
                    requested: len,
                    used,
                    budget: self.budget,
                });
            }
            match self.used.compare_exchange_weak(
                used,
                used + len,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(now) => used = now,
            }
        }
    }

    fn uncharge(&self, len: usize) {
        self.used.fetch_sub(len, Ordering::AcqRel);
    }

    fn exceeded(&self, requested: usize) -> CodeMemoryError {
        CodeMemoryError::BudgetExceeded {
            requested,
            used: self.used(),
            budget: self.budget,
        }
    }
}

/// Where each part of lengths `lens` starts (16-byte aligned, in order) and where the last
/// non-empty one ends; None if the sizes overflow the address space.
fn layout(lens: impl ExactSizeIterator<Item = usize>) -> Option<(Box<[usize]>, usize)> {
    let mut offsets = alloc::vec::Vec::with_capacity(lens.len());
    let mut end = 0usize;
    // Empty parts after the last non-empty one add only padding, not code.
    let mut code_len = 0;
    for len in lens {
        let off = end.checked_add(PART_ALIGN - 1)? & !(PART_ALIGN - 1);
        offsets.push(off);
        end = off.checked_add(len)?;
        if len != 0 {
            code_len = end;
        }
    }
    Some((offsets.into_boxed_slice(), code_len))
}

/// `len` rounded up to whole pages of `page` bytes (a power of two); None on overflow.
fn round_to_pages(len: usize, page: usize) -> Option<usize> {
    Some(len.checked_add(page - 1)? & !(page - 1))
}

/// Published code: read-execute pages, unmapped (and uncharged from the budget) on drop.
pub struct CodeBlock {
    memory: Arc<CodeMemory>,
    base: NonNull<u8>,
    /// Whole pages from `base`.
    mapped_len: usize,
    /// From `base` to the end of the last non-empty part.
    code_len: usize,
    offsets: Box<[usize]>,
}

// SAFETY: the block uniquely owns its mapping, which is read-execute and never written
// again; sharing or moving it across threads only hands out its address.
unsafe impl Send for CodeBlock {}
// SAFETY: as above: `&CodeBlock` gives only read access (addresses and lengths).
unsafe impl Sync for CodeBlock {}

impl fmt::Debug for CodeBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeBlock")
            .field("base", &self.base)
            .field("mapped_len", &self.mapped_len)
            .field("code_len", &self.code_len)
            .field("offsets", &self.offsets)
            .finish()
    }
}

impl CodeBlock {
    /// The start of the mapping (page-aligned).
    pub fn base(&self) -> *const u8 {
        self.base.as_ptr()
    }

    /// Where each part given to [`CodeMemory::publish`] starts, from [`base`](Self::base).
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// The address of part `i` (`base + offsets[i]`). Panics if there is no part `i`.
    pub fn part(&self, i: usize) -> *const u8 {
        self.base().wrapping_add(self.offsets[i])
    }

    /// The bytes mapped: whole pages, what the budget counts.
    pub fn mapped_len(&self) -> usize {
        self.mapped_len
    }

    /// The bytes from `base` to the end of the last part (the rest of the mapping is
    /// padding).
    pub fn code_len(&self) -> usize {
        self.code_len
    }

    /// Is `addr` inside the code (`base..base + code_len`)? For mapping a faulting
    /// instruction address back to the code it belongs to.
    pub fn contains(&self, addr: usize) -> bool {
        let base = self.base.as_ptr() as usize;
        addr >= base && addr - base < self.code_len
    }
}

impl Drop for CodeBlock {
    fn drop(&mut self) {
        // SAFETY: the range is exactly the mapping `publish` made; whoever runs code in it
        // holds the block (its owners guarantee no frame of it is live once they drop it),
        // and the pointer goes with the block.
        unsafe { self.memory.pages.unmap(self.base, self.mapped_len) };
        // Uncharged only after the unmap, so the pages actually mapped never pass the
        // budget either.
        self.memory.uncharge(self.mapped_len);
        self.memory.blocks.fetch_sub(1, Ordering::Relaxed);
    }
}

/// mmap/mprotect on hosted 64-bit Linux.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
#[derive(Debug, Clone, Copy, Default)]
pub struct HostPages;

/// The platform's [`CodePages`]: [`HostPages`] on hosted 64-bit Linux.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub fn host_pages() -> Option<Arc<dyn CodePages>> {
    Some(Arc::new(HostPages))
}

/// The platform's [`CodePages`]: none here (the kernel provides its own).
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
pub fn host_pages() -> Option<Arc<dyn CodePages>> {
    None
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn errno() -> i32 {
    // SAFETY: `__errno_location` returns this thread's errno slot, always valid to read.
    unsafe { *libc::__errno_location() }
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
impl CodePages for HostPages {
    fn page_size(&self) -> usize {
        // The page size never changes while the process runs; ask once.
        static PAGE: AtomicUsize = AtomicUsize::new(0);
        match PAGE.load(Ordering::Relaxed) {
            0 => {
                // SAFETY: sysconf reads a constant of the process.
                let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
                let n = if n > 0 { n as usize } else { 4096 };
                PAGE.store(n, Ordering::Relaxed);
                n
            }
            n => n,
        }
    }

    fn map_rw(&self, len: usize) -> Result<NonNull<u8>, CodeMemoryError> {
        // SAFETY: a fresh private anonymous mapping at an address of the kernel's choosing
        // touches no existing memory.
        let p = unsafe {
            libc::mmap(
                core::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(CodeMemoryError::Map {
                op: "mmap",
                len,
                errno: errno(),
            });
        }
        NonNull::new(p.cast()).ok_or(CodeMemoryError::Map {
            op: "mmap",
            len,
            errno: 0,
        })
    }

    unsafe fn make_rx(&self, ptr: NonNull<u8>, len: usize) -> Result<(), CodeMemoryError> {
        // SAFETY: the caller guarantees the range is one of our mappings; changing its
        // protection affects nothing else.
        let r =
            unsafe { libc::mprotect(ptr.as_ptr().cast(), len, libc::PROT_READ | libc::PROT_EXEC) };
        if r != 0 {
            return Err(CodeMemoryError::Map {
                op: "mprotect",
                len,
                errno: errno(),
            });
        }
        Ok(())
    }

    unsafe fn unmap(&self, ptr: NonNull<u8>, len: usize) {
        // SAFETY: the caller guarantees the range is one of our mappings and unused from
        // now on. A failure could only mean a bad argument, so there is nothing to do
        // with it.
        unsafe {
            libc::munmap(ptr.as_ptr().cast(), len);
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use core::sync::atomic::AtomicBool;
    use std::sync::Mutex;

    /// Pages from the heap, for the accounting paths on any host: it records what was
    /// written at `make_rx` time, and can be told to fail either step.
    #[derive(Default)]
    struct HeapPages {
        fail_map: AtomicBool,
        fail_rx: AtomicBool,
        /// Live mappings: (address, length).
        live: Mutex<Vec<(usize, usize)>>,
        /// The bytes of each range as `make_rx` saw them.
        at_rx: Mutex<Vec<Vec<u8>>>,
        maps: AtomicUsize,
    }

    const HEAP_PAGE: usize = 4096;

    impl CodePages for HeapPages {
        fn page_size(&self) -> usize {
            HEAP_PAGE
        }
        fn map_rw(&self, len: usize) -> Result<NonNull<u8>, CodeMemoryError> {
            assert_eq!(len % HEAP_PAGE, 0, "map_rw takes whole pages");
            if self.fail_map.load(Ordering::Relaxed) {
                return Err(CodeMemoryError::Map {
                    op: "mmap",
                    len,
                    errno: 12,
                });
            }
            self.maps.fetch_add(1, Ordering::Relaxed);
            let layout = core::alloc::Layout::from_size_align(len, HEAP_PAGE).unwrap();
            // SAFETY: `len` is a non-zero multiple of the page size.
            let p = NonNull::new(unsafe { alloc::alloc::alloc(layout) }).unwrap();
            self.live.lock().unwrap().push((p.as_ptr() as usize, len));
            Ok(p)
        }
        unsafe fn make_rx(&self, ptr: NonNull<u8>, len: usize) -> Result<(), CodeMemoryError> {
            assert!(
                self.live
                    .lock()
                    .unwrap()
                    .contains(&(ptr.as_ptr() as usize, len))
            );
            // SAFETY: the caller hands over a live range of ours, fully written.
            let bytes = unsafe { core::slice::from_raw_parts(ptr.as_ptr(), len) };
            self.at_rx.lock().unwrap().push(bytes.to_vec());
            if self.fail_rx.load(Ordering::Relaxed) {
                return Err(CodeMemoryError::Map {
                    op: "mprotect",
                    len,
                    errno: 13,
                });
            }
            Ok(())
        }
        unsafe fn unmap(&self, ptr: NonNull<u8>, len: usize) {
            let mut live = self.live.lock().unwrap();
            let i = live
                .iter()
                .position(|&r| r == (ptr.as_ptr() as usize, len))
                .expect("unmap of a range that map_rw returned");
            live.remove(i);
            let layout = core::alloc::Layout::from_size_align(len, HEAP_PAGE).unwrap();
            // SAFETY: allocated in `map_rw` with this layout, and unmapped once.
            unsafe { alloc::alloc::dealloc(ptr.as_ptr(), layout) };
        }
    }

    fn heap(budget: usize) -> (Arc<HeapPages>, Arc<CodeMemory>) {
        let pages = Arc::new(HeapPages::default());
        let mem = Arc::new(CodeMemory::new(pages.clone(), budget));
        (pages, mem)
    }

    #[test]
    fn parts_start_16_byte_aligned_with_int3_between() {
        let (pages, mem) = heap(DEFAULT_CODE_BUDGET);
        let a = [1u8; 5];
        let b = [2u8; 16];
        let c = [3u8; 3];
        let block = mem.publish(&[&a, &b, &[], &c]).unwrap();
        assert_eq!(block.offsets(), &[0, 16, 32, 32]);
        assert_eq!(block.code_len(), 35);
        assert_eq!(block.mapped_len(), HEAP_PAGE);
        assert_eq!(block.part(1), block.base().wrapping_add(16));
        let seen = &pages.at_rx.lock().unwrap()[0];
        assert_eq!(&seen[..5], &a);
        assert!(seen[5..16].iter().all(|&x| x == PAD));
        assert_eq!(&seen[16..32], &b);
        assert_eq!(&seen[32..35], &c);
        assert!(seen[35..].iter().all(|&x| x == PAD), "the tail is int3");
        let base = block.base() as usize;
        assert!(block.contains(base) && block.contains(base + 34));
        assert!(!block.contains(base + 35) && !block.contains(base - 1));
    }

    #[test]
    fn the_mapping_is_whole_pages_and_the_budget_counts_them() {
        let (_, mem) = heap(DEFAULT_CODE_BUDGET);
        let code = vec![0x90u8; HEAP_PAGE + 1];
        let block = mem.publish(&[&code]).unwrap();
        assert_eq!(block.mapped_len(), 2 * HEAP_PAGE);
        assert_eq!((mem.used(), mem.blocks()), (2 * HEAP_PAGE, 1));
        let exact = mem.publish(&[&code[..HEAP_PAGE]]).unwrap();
        assert_eq!(exact.mapped_len(), HEAP_PAGE);
        assert_eq!((mem.used(), mem.blocks()), (3 * HEAP_PAGE, 2));
        drop(block);
        assert_eq!((mem.used(), mem.blocks()), (HEAP_PAGE, 1));
        drop(exact);
        assert_eq!((mem.used(), mem.blocks()), (0, 0));
    }

    #[test]
    fn empty_code_is_refused() {
        let (pages, mem) = heap(DEFAULT_CODE_BUDGET);
        assert_eq!(mem.publish(&[]).unwrap_err(), CodeMemoryError::Empty);
        assert_eq!(
            mem.publish(&[&[], &[]]).unwrap_err(),
            CodeMemoryError::Empty
        );
        assert_eq!(pages.maps.load(Ordering::Relaxed), 0);
        assert_eq!(mem.used(), 0);
    }

    #[test]
    fn past_the_budget_fails_before_mapping() {
        let (pages, mem) = heap(2 * HEAP_PAGE);
        let one = mem.publish(&[&[0xC3]]).unwrap();
        let err = mem.publish(&[&vec![0x90; HEAP_PAGE + 1]]).unwrap_err();
        assert_eq!(
            err,
            CodeMemoryError::BudgetExceeded {
                requested: 2 * HEAP_PAGE,
                used: HEAP_PAGE,
                budget: 2 * HEAP_PAGE
            }
        );
        assert_eq!(pages.maps.load(Ordering::Relaxed), 1, "nothing mapped");
        assert_eq!((mem.used(), mem.blocks()), (HEAP_PAGE, 1));
        drop(one);
        let two = mem.publish(&[&vec![0x90; HEAP_PAGE + 1]]).unwrap();
        assert_eq!(mem.used(), 2 * HEAP_PAGE);
        drop(two);
    }

    /// Lengths that overflow the address space (only reachable with repeated parts) are
    /// reported, not wrapped.
    #[test]
    fn sizes_past_the_address_space_are_refused() {
        let half = isize::MAX as usize;
        assert!(layout([half, half, 2].into_iter()).is_none());
        assert!(layout([usize::MAX - 3].into_iter()).is_some());
        assert!(
            layout([usize::MAX - 3, 1].into_iter()).is_none(),
            "aligning overflows"
        );
        assert_eq!(round_to_pages(usize::MAX - 5, 4096), None);
        assert_eq!(round_to_pages(4097, 4096), Some(8192));
        assert_eq!(round_to_pages(4096, 4096), Some(4096));
    }

    #[test]
    fn a_failed_map_gives_the_charge_back() {
        let (pages, mem) = heap(HEAP_PAGE);
        pages.fail_map.store(true, Ordering::Relaxed);
        let err = mem.publish(&[&[0xC3]]).unwrap_err();
        assert_eq!(
            err,
            CodeMemoryError::Map {
                op: "mmap",
                len: HEAP_PAGE,
                errno: 12
            }
        );
        assert_eq!((mem.used(), mem.blocks()), (0, 0));
        pages.fail_map.store(false, Ordering::Relaxed);
        // The whole budget is still there.
        let b = mem.publish(&[&[0xC3]]).unwrap();
        assert_eq!(mem.used(), HEAP_PAGE);
        drop(b);
    }

    #[test]
    fn a_failed_make_rx_unmaps_and_gives_the_charge_back() {
        let (pages, mem) = heap(HEAP_PAGE);
        pages.fail_rx.store(true, Ordering::Relaxed);
        let err = mem.publish(&[&[0xC3]]).unwrap_err();
        assert!(matches!(err, CodeMemoryError::Map { op: "mprotect", .. }));
        assert!(pages.live.lock().unwrap().is_empty(), "unmapped");
        assert_eq!((mem.used(), mem.blocks()), (0, 0));
    }

    #[test]
    fn dropping_a_block_unmaps_its_pages() {
        let (pages, mem) = heap(DEFAULT_CODE_BUDGET);
        let block = mem.publish(&[&[0xC3]]).unwrap();
        assert_eq!(pages.live.lock().unwrap().len(), 1);
        drop(block);
        assert!(pages.live.lock().unwrap().is_empty());
    }

    #[test]
    fn errors_name_what_and_how_much() {
        let e = CodeMemoryError::BudgetExceeded {
            requested: 8192,
            used: 4096,
            budget: 8192,
        };
        let s = alloc::format!("{e}");
        assert!(
            s.contains("8192") && s.contains("4096") && s.contains("budget"),
            "{s}"
        );
        let e = CodeMemoryError::Map {
            op: "mprotect",
            len: 4096,
            errno: 13,
        };
        let s = alloc::format!("{e}");
        assert!(
            s.contains("mprotect") && s.contains("4096") && s.contains("13"),
            "{s}"
        );
    }

    /// Real code on real pages: two functions in one block, called.
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    #[test]
    fn host_pages_run_published_code() {
        let mem = Arc::new(CodeMemory::new(host_pages().unwrap(), DEFAULT_CODE_BUDGET));
        // mov eax, edi; add eax, esi; ret
        let add = [0x89, 0xf8, 0x01, 0xf0, 0xc3];
        // mov eax, edi; imul eax, esi; ret
        let mul = [0x89, 0xf8, 0x0f, 0xaf, 0xc6, 0xc3];
        let block = mem.publish(&[&add, &mul]).unwrap();
        assert_eq!(block.offsets(), &[0, 16]);
        assert_eq!(block.mapped_len(), HostPages.page_size());
        type F = extern "sysv64" fn(i32, i32) -> i32;
        // SAFETY: each part is a complete sysv64 function of this signature, and the
        // block (hence the code) outlives the calls.
        let (f, g) = unsafe {
            (
                core::mem::transmute::<*const u8, F>(block.part(0)),
                core::mem::transmute::<*const u8, F>(block.part(1)),
            )
        };
        assert_eq!(f(2, 40), 42);
        assert_eq!(f(i32::MAX, 1), i32::MIN);
        assert_eq!(g(6, 7), 42);
        assert_eq!(mem.used(), block.mapped_len());
        drop(block);
        assert_eq!((mem.used(), mem.blocks()), (0, 0));
    }
}

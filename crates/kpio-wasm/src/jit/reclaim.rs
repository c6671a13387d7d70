//! Safe reclamation of evicted native code.
//!
//! When the code memory budget is full, the engine evicts old code (see `native`): the
//! function is unpublished (native callers and the interpreter stop finding it) and its
//! code is *retired* here. Retired code may still be running: a thread may be inside it or
//! have it as a return address further up its stack. It is freed only when no thread can
//! reach it any more.
//!
//! The scheme is epoch-based, with one slot per store. A store *pins* its slot to the
//! current epoch before it reads any published code address (when it enters native code
//! from depth 0) and sets it back to [`QUIESCENT`] when its outermost native call
//! returns. Retiring code takes the next epoch. Code retired at epoch `r` is freed once
//! every slot is above `r`: each store then either holds no native code at all, or pinned
//! after the code was unpublished and so cannot have read its address.
//!
//! A store that stays in native code for a long time (a `main` running natively) would
//! hold back every retirement. So at its safe points (calls out of native code, and a
//! compile that needs room) a pinned store with garbage pending scans its own stack
//! between the current stack pointer and its outermost native entry. Retired code no word
//! there points into cannot be returned into by this store: the store *clears* it, and
//! code every pinned store older than it has cleared is freed too. If it finds none at
//! all, the store moves its slot up to the current epoch. The scan is conservative (any
//! word that looks like an address into retired code keeps it), which errs only towards
//! keeping code longer. Native code keeps code addresses only as return addresses (a body
//! address read from the table is called at once), so the stack is where they are.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Range;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A slot's value while its store runs no native code.
pub(crate) const QUIESCENT: u64 = u64::MAX;

/// Code retired at `epoch`, kept alive by `owner` until it is freed.
struct Retired {
    epoch: u64,
    /// The addresses of its machine code (for the stack scan).
    range: Range<usize>,
    /// Bytes of code pages it holds (returned to the budget when it is dropped).
    bytes: usize,
    /// Held only to be dropped when the code is freed.
    _owner: Box<dyn Send + Sync>,
    /// The slots (by address) whose stores scanned their stacks after it was retired and
    /// found no reference to it: they cannot reach it any more, whatever their epoch.
    cleared: Vec<usize>,
}

/// An engine's retired code and its stores' epoch slots.
#[derive(Default)]
pub(crate) struct Reclaim {
    epoch: AtomicU64,
    /// One slot per store that has run native code; a slot no store holds any more (only
    /// this list does) is dropped at the next reclaim.
    slots: spin::Mutex<Vec<Arc<AtomicU64>>>,
    garbage: spin::Mutex<Vec<Retired>>,
    /// `garbage.len()`, read without the lock at safe points.
    pending: AtomicUsize,
    /// Bytes of code pages retired and not yet freed.
    pending_bytes: AtomicUsize,
}

impl Reclaim {
    /// A new slot for a store, quiescent.
    pub fn register(&self) -> Arc<AtomicU64> {
        let slot = Arc::new(AtomicU64::new(QUIESCENT));
        self.slots.lock().push(Arc::clone(&slot));
        slot
    }

    /// Pins `slot` to the current epoch. Must come before the store reads any published
    /// code address; the two sequentially consistent operations order it before them.
    pub fn pin(&self, slot: &AtomicU64) {
        slot.store(self.epoch.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// The store runs no native code any more.
    pub fn unpin(&self, slot: &AtomicU64) {
        slot.store(QUIESCENT, Ordering::Release);
    }

    /// The current epoch (a store that already scanned at this epoch need not again).
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Whether retired code is waiting to be freed.
    pub fn has_garbage(&self) -> bool {
        self.pending.load(Ordering::Relaxed) != 0
    }

    /// Bytes of code pages retired and not yet freed.
    pub fn pending_bytes(&self) -> usize {
        self.pending_bytes.load(Ordering::Relaxed)
    }

    /// Retires code at `range` (`bytes` of pages, kept by `owner`). The caller has already
    /// unpublished it: no thread that pins from now on can find it.
    pub fn retire(&self, range: Range<usize>, bytes: usize, owner: Box<dyn Send + Sync>) {
        let mut garbage = self.garbage.lock();
        // Inside the lock: a scan that read a later epoch finds this entry in the list.
        let epoch = self.epoch.fetch_add(1, Ordering::SeqCst);
        garbage.push(Retired {
            epoch,
            range,
            bytes,
            _owner: owner,
            cleared: Vec::new(),
        });
        self.pending.store(garbage.len(), Ordering::Relaxed);
        self.pending_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Scans the stack between `lo` and `hi` of the store owning pinned `slot`: clears the
    /// retired code no word there points into, and moves the slot up to the current epoch
    /// if none is pointed into at all; then frees what it can. Returns the epoch scanned at.
    ///
    /// # Safety
    /// `lo..hi` is a readable part of the calling thread's own stack (from its stack
    /// pointer up to its outermost native entry), and the thread holds no code address
    /// other than on that stack.
    pub unsafe fn quiesce(&self, slot: &AtomicU64, lo: usize, hi: usize) -> u64 {
        let now = self.epoch.load(Ordering::SeqCst);
        if slot.load(Ordering::Relaxed) == QUIESCENT {
            return now;
        }
        {
            let mut garbage = self.garbage.lock();
            let span = |f: fn(&Retired) -> usize| garbage.iter().map(f);
            let (min, max) = (
                span(|g| g.range.start).min().unwrap_or(0),
                span(|g| g.range.end).max().unwrap_or(0),
            );
            let mut live = alloc::vec![false; garbage.len()];
            let mut at = lo & !7;
            while at < (hi & !7) {
                // SAFETY: the caller promised `lo..hi` is readable stack.
                let w = unsafe { stack_word(at) };
                if (min..max).contains(&w) {
                    for (k, g) in garbage.iter().enumerate() {
                        live[k] |= g.range.contains(&w);
                    }
                }
                at += 8;
            }
            let me = slot as *const AtomicU64 as usize;
            for (g, live) in garbage.iter_mut().zip(&live) {
                if !live && !g.cleared.contains(&me) {
                    g.cleared.push(me);
                }
            }
            if !live.contains(&true) {
                slot.fetch_max(now, Ordering::SeqCst);
            }
        }
        self.reclaim();
        now
    }

    /// Frees the retired code no store can reach; returns the bytes of pages freed.
    pub fn reclaim(&self) -> usize {
        if !self.has_garbage() {
            return 0;
        }
        let freed: Vec<Retired> = {
            let mut garbage = self.garbage.lock();
            // The slots are read after the garbage lock is taken, so after every entry in
            // the list was retired: a store that read an entry's code before it was
            // unpublished shows its pin here.
            let slots: Vec<(usize, u64)> = {
                let mut slots = self.slots.lock();
                // A slot only this list holds belongs to a dropped store.
                slots.retain(|s| Arc::strong_count(s) > 1);
                slots
                    .iter()
                    .map(|s| (Arc::as_ptr(s) as usize, s.load(Ordering::SeqCst)))
                    .collect()
            };
            let unreachable = |g: &Retired| {
                slots
                    .iter()
                    .all(|(at, pinned)| *pinned > g.epoch || g.cleared.contains(at))
            };
            let (free, keep) = core::mem::take(&mut *garbage)
                .into_iter()
                .partition(|g| unreachable(g));
            *garbage = keep;
            self.pending.store(garbage.len(), Ordering::Relaxed);
            free
        };
        let bytes: usize = freed.iter().map(|g| g.bytes).sum();
        self.pending_bytes.fetch_sub(bytes, Ordering::Relaxed);
        // Dropping the owners unmaps the pages (outside the lock: it is a system call).
        drop(freed);
        bytes
    }

    /// Runs `f` while no retired code is freed (for reading published code bytes that an
    /// eviction might retire meanwhile).
    pub fn hold<R>(&self, f: impl FnOnce() -> R) -> R {
        let _garbage = self.garbage.lock();
        f()
    }
}

/// The word at `at`, read as plain machine memory: a conservative scan reads whatever
/// the stack holds (padding, dead slots), which is fine for the machine but not for a
/// sanitizer's view of Rust frames (AddressSanitizer reports its red zones), so on x86-64
/// the read is one `mov` the sanitizer does not instrument.
///
/// # Safety
/// `at` is an aligned address of readable memory.
#[inline]
pub(crate) unsafe fn stack_word(at: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let w: usize;
        // SAFETY: as the caller promised; one aligned 8-byte load, no other effect.
        unsafe {
            core::arch::asm!(
                "mov {w}, qword ptr [{at}]",
                w = out(reg) w,
                at = in(reg) at,
                options(nostack, readonly, preserves_flags)
            )
        };
        w
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        // SAFETY: as the caller promised; the value is only compared.
        unsafe { core::ptr::read_volatile(at as *const usize) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dropped(Arc<AtomicUsize>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn owner(n: &Arc<AtomicUsize>) -> Box<dyn Send + Sync> {
        Box::new(Dropped(Arc::clone(n)))
    }

    #[test]
    fn retired_code_waits_for_stores_pinned_before_it() {
        let r = Reclaim::default();
        let dropped = Arc::new(AtomicUsize::new(0));
        let a = r.register();
        let b = r.register();
        r.pin(&a); // `a` may have read the code's address.
        r.retire(0x1000..0x2000, 4096, owner(&dropped));
        r.pin(&b); // `b` pinned after: it cannot have.
        assert_eq!(r.reclaim(), 0);
        assert_eq!(dropped.load(Ordering::SeqCst), 0);
        assert_eq!(r.pending_bytes(), 4096);
        r.unpin(&a);
        assert_eq!(r.reclaim(), 4096);
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
        assert!(!r.has_garbage());
        assert_eq!(r.pending_bytes(), 0);
    }

    #[test]
    fn a_dropped_store_holds_nothing_back() {
        let r = Reclaim::default();
        let dropped = Arc::new(AtomicUsize::new(0));
        let a = r.register();
        r.pin(&a);
        r.retire(0x1000..0x2000, 4096, owner(&dropped));
        drop(a); // dropped while pinned (its thread is gone)
        assert_eq!(r.reclaim(), 4096);
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_stack_scan_keeps_code_a_return_address_points_into() {
        let r = Reclaim::default();
        let dropped = Arc::new(AtomicUsize::new(0));
        let a = r.register();
        r.pin(&a);
        r.retire(0x1000..0x2000, 4096, owner(&dropped));
        // A "stack" holding an address inside the retired code.
        let stack = [7usize, 0x1abc, 9];
        let (lo, hi) = (stack.as_ptr() as usize, stack.as_ptr() as usize + 24);
        // SAFETY: `lo..hi` is the array above, readable.
        unsafe { r.quiesce(&a, lo, hi) };
        assert_eq!(dropped.load(Ordering::SeqCst), 0, "a word points into it");
        let stack = [7usize, 0x2000, 0xfff];
        let (lo, hi) = (stack.as_ptr() as usize, stack.as_ptr() as usize + 24);
        // SAFETY: as above.
        let at = unsafe { r.quiesce(&a, lo, hi) };
        assert_eq!(at, 1);
        assert_eq!(dropped.load(Ordering::SeqCst), 1, "nothing points into it");
        // The slot stays pinned (at the new epoch), not quiescent.
        assert_eq!(a.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_scan_frees_what_is_not_on_the_stack_and_keeps_what_is() {
        let r = Reclaim::default();
        let (kept, freed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let a = r.register();
        let b = r.register();
        r.pin(&a);
        r.pin(&b);
        r.retire(0x1000..0x2000, 4096, owner(&kept));
        r.retire(0x8000..0x9000, 4096, owner(&freed));
        let stack = [0x1008usize, 3];
        let (lo, hi) = (stack.as_ptr() as usize, stack.as_ptr() as usize + 16);
        // SAFETY: `lo..hi` is the array above, readable.
        unsafe { r.quiesce(&a, lo, hi) };
        // `b` (pinned before both were retired) has not cleared them yet.
        assert_eq!(freed.load(Ordering::SeqCst), 0);
        let empty = [0usize; 2];
        let (lo, hi) = (empty.as_ptr() as usize, empty.as_ptr() as usize + 16);
        // SAFETY: as above.
        unsafe { r.quiesce(&b, lo, hi) };
        assert_eq!(
            freed.load(Ordering::SeqCst),
            1,
            "neither stack points into it"
        );
        assert_eq!(kept.load(Ordering::SeqCst), 0, "`a`'s stack points into it");
        assert_eq!(r.pending_bytes(), 4096);
        r.unpin(&a);
        r.reclaim();
        assert_eq!(kept.load(Ordering::SeqCst), 1);
    }
}

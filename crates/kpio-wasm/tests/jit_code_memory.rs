//! The JIT's code memory on real pages (hosted x86-64 Linux): published code runs, the
//! pages are never writable and executable at once (checked in `/proc/self/maps` at every
//! step), the budget holds under racing publishes, and dropped code is unmapped.
//!
//! Every test takes `LOCK`, so while one reads `/proc/self/maps` no other test of this
//! binary maps or unmaps code.
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, MutexGuard};

use kpio_wasm::jit::code_memory::{
    CodeBlock, CodeMemory, CodeMemoryError, CodePages, DEFAULT_CODE_BUDGET, HostPages, host_pages,
};

static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// `mov eax, edi; add eax, esi; ret`
const ADD: [u8; 5] = [0x89, 0xf8, 0x01, 0xf0, 0xc3];
/// `mov eax, edi; sub eax, esi; ret`
const SUB: [u8; 5] = [0x89, 0xf8, 0x29, 0xf0, 0xc3];

type BinOp = extern "sysv64" fn(i32, i32) -> i32;

/// Part `i` of `block` as a function.
///
/// # Safety
/// The part is a complete sysv64 `fn(i32, i32) -> i32`, and `block` outlives every call.
unsafe fn binop(block: &CodeBlock, i: usize) -> BinOp {
    // SAFETY: as the caller guarantees.
    unsafe { std::mem::transmute::<*const u8, BinOp>(block.part(i)) }
}

/// One line of `/proc/self/maps`: `[start, end)` and the permissions (`rw-p`, `r-xp`, ...).
struct Mapping {
    start: usize,
    end: usize,
    perms: String,
}

fn maps() -> Vec<Mapping> {
    let text = std::fs::read_to_string("/proc/self/maps").expect("read /proc/self/maps");
    text.lines()
        .map(|line| {
            let mut fields = line.split_whitespace();
            let range = fields.next().unwrap();
            let perms = fields.next().unwrap().to_string();
            let (a, b) = range.split_once('-').unwrap();
            Mapping {
                start: usize::from_str_radix(a, 16).unwrap(),
                end: usize::from_str_radix(b, 16).unwrap(),
                perms,
            }
        })
        .collect()
}

/// The permissions of every mapping overlapping `[base, base + len)`, and whether they
/// cover all of it.
fn perms_over(base: usize, len: usize) -> (Vec<String>, bool) {
    let mut perms = Vec::new();
    let mut covered = 0;
    for m in maps() {
        let (s, e) = (m.start.max(base), m.end.min(base + len));
        if s < e {
            covered += e - s;
            perms.push(m.perms);
        }
    }
    (perms, covered == len)
}

/// Panics if any mapping of the process is writable and executable.
fn assert_no_wx_anywhere(when: &str) {
    for m in maps() {
        let b = m.perms.as_bytes();
        assert!(
            !(b[1] == b'w' && b[2] == b'x'),
            "{when}: {:#x}-{:#x} is {}",
            m.start,
            m.end,
            m.perms
        );
    }
}

/// Host pages that look at `/proc/self/maps` around every step and count what is mapped.
#[derive(Default)]
struct Watched {
    /// (step, permissions of the range at that step, whole range covered).
    steps: Mutex<Vec<(&'static str, Vec<String>, bool)>>,
    maps: AtomicUsize,
    /// Bytes mapped now, and the most ever mapped at once.
    mapped: AtomicUsize,
    peak: AtomicUsize,
    /// The last range unmapped.
    unmapped: Mutex<Option<(usize, usize)>>,
    /// Record steps (off in the racing test, where reading maps each time is slow).
    record: bool,
}

impl Watched {
    fn recording() -> Self {
        Watched {
            record: true,
            ..Watched::default()
        }
    }

    fn step(&self, step: &'static str, ptr: NonNull<u8>, len: usize) {
        if self.record {
            let (perms, whole) = perms_over(ptr.as_ptr() as usize, len);
            self.steps.lock().unwrap().push((step, perms, whole));
            assert_no_wx_anywhere(step);
        }
    }
}

impl CodePages for Watched {
    fn page_size(&self) -> usize {
        HostPages.page_size()
    }

    fn map_rw(&self, len: usize) -> Result<NonNull<u8>, CodeMemoryError> {
        let p = HostPages.map_rw(len)?;
        self.maps.fetch_add(1, Ordering::SeqCst);
        let now = self.mapped.fetch_add(len, Ordering::SeqCst) + len;
        self.peak.fetch_max(now, Ordering::SeqCst);
        self.step("after map_rw", p, len);
        Ok(p)
    }

    unsafe fn make_rx(&self, ptr: NonNull<u8>, len: usize) -> Result<(), CodeMemoryError> {
        self.step("before make_rx (code written)", ptr, len);
        // SAFETY: forwarded from our caller, and the range came from HostPages::map_rw.
        unsafe { HostPages.make_rx(ptr, len) }?;
        self.step("after make_rx", ptr, len);
        Ok(())
    }

    unsafe fn unmap(&self, ptr: NonNull<u8>, len: usize) {
        self.step("before unmap", ptr, len);
        // SAFETY: forwarded from our caller, and the range came from HostPages::map_rw.
        unsafe { HostPages.unmap(ptr, len) };
        self.mapped.fetch_sub(len, Ordering::SeqCst);
        *self.unmapped.lock().unwrap() = Some((ptr.as_ptr() as usize, len));
    }
}

fn page() -> usize {
    HostPages.page_size()
}

#[test]
fn published_code_runs_and_its_pages_are_never_writable_and_executable() {
    let _g = lock();
    let pages = Arc::new(Watched::recording());
    let mem = Arc::new(CodeMemory::new(pages.clone(), DEFAULT_CODE_BUDGET));
    let block = mem.publish(&[&ADD, &SUB]).unwrap();
    assert_eq!(block.offsets(), &[0, 16]);
    assert_eq!(block.mapped_len(), page());

    // SAFETY: both parts are complete `fn(i32, i32) -> i32`s; `block` outlives the calls.
    let (add, sub) = unsafe { (binop(&block, 0), binop(&block, 1)) };
    assert_eq!(add(40, 2), 42);
    assert_eq!(sub(40, 2), 38);
    assert_eq!(
        add(i32::MAX, 1),
        i32::MIN,
        "wrapping, as the instruction does"
    );

    let rw = vec!["rw-p".to_string()];
    let rx = vec!["r-xp".to_string()];
    let steps = pages.steps.lock().unwrap().clone();
    assert_eq!(
        steps,
        vec![
            ("after map_rw", rw.clone(), true),
            ("before make_rx (code written)", rw, true),
            ("after make_rx", rx.clone(), true),
        ],
        "written while rw-p only, then r-xp only"
    );
    let base = block.base() as usize;
    assert_eq!(perms_over(base, block.mapped_len()), (rx, true));
    assert_no_wx_anywhere("with code published");

    let len = block.mapped_len();
    drop(block);
    assert_eq!(*pages.unmapped.lock().unwrap(), Some((base, len)));
    // Another thread of the test harness may reuse the address range for its own data,
    // but no code of this binary is mapped meanwhile (`LOCK`), so nothing may be
    // executable there any more.
    let (after, _) = perms_over(base, len);
    assert!(
        after.iter().all(|p| p.as_bytes()[2] != b'x'),
        "dropped code still mapped executable: {after:?}"
    );
    assert_eq!((mem.used(), mem.blocks()), (0, 0));
}

#[test]
fn a_multi_page_block_is_unmapped_whole_on_drop() {
    let _g = lock();
    let mem = Arc::new(CodeMemory::new(host_pages().unwrap(), DEFAULT_CODE_BUDGET));
    let filler = vec![0x90u8; 2 * page() + 7];
    let block = mem.publish(&[&ADD, &filler, &SUB]).unwrap();
    assert_eq!(block.mapped_len(), 3 * page());
    assert_eq!(mem.used(), 3 * page());
    let base = block.base() as usize;
    assert_eq!(
        perms_over(base, 3 * page()),
        (vec!["r-xp".to_string()], true)
    );
    assert!(block.contains(base) && block.contains(block.part(2) as usize + 4));
    assert!(!block.contains(block.part(2) as usize + 5));
    // SAFETY: parts 0 and 2 are complete functions; `block` outlives the calls.
    let (add, sub) = unsafe { (binop(&block, 0), binop(&block, 2)) };
    assert_eq!((add(1, 2), sub(1, 2)), (3, -1));
    drop(block);
    let (after, _) = perms_over(base, 3 * page());
    assert!(after.iter().all(|p| p.as_bytes()[2] != b'x'), "{after:?}");
}

#[test]
fn the_budget_refuses_before_mapping_and_frees_on_drop() {
    let _g = lock();
    let pages = Arc::new(Watched::default());
    let mem = Arc::new(CodeMemory::new(pages.clone(), 2 * page()));
    assert_eq!(mem.budget(), 2 * page());
    let first = mem.publish(&[&ADD]).unwrap();
    assert_eq!((mem.used(), mem.blocks()), (page(), 1));

    let big = vec![0x90u8; page() + 1];
    let err = mem.publish(&[&big]).unwrap_err();
    assert_eq!(
        err,
        CodeMemoryError::BudgetExceeded {
            requested: 2 * page(),
            used: page(),
            budget: 2 * page(),
        }
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&(2 * page()).to_string()) && msg.contains(&page().to_string()),
        "{msg}"
    );
    assert_eq!(
        pages.maps.load(Ordering::SeqCst),
        1,
        "the refused publish mapped nothing"
    );
    assert_eq!((mem.used(), mem.blocks()), (page(), 1));

    drop(first);
    assert_eq!((mem.used(), mem.blocks()), (0, 0));
    let second = mem.publish(&[&big]).unwrap();
    assert_eq!((mem.used(), mem.blocks()), (2 * page(), 1));
    drop(second);
    assert_eq!(pages.mapped.load(Ordering::SeqCst), 0);
}

#[test]
fn empty_code_is_refused_and_maps_nothing() {
    let _g = lock();
    let pages = Arc::new(Watched::default());
    let mem = Arc::new(CodeMemory::new(pages.clone(), DEFAULT_CODE_BUDGET));
    assert_eq!(mem.publish(&[]).unwrap_err(), CodeMemoryError::Empty);
    assert_eq!(
        mem.publish(&[&[], &[]]).unwrap_err(),
        CodeMemoryError::Empty
    );
    assert_eq!(pages.maps.load(Ordering::SeqCst), 0);
    assert_eq!((mem.used(), mem.blocks()), (0, 0));
}

/// Four threads publish blocks of 2, 3 and 4 pages into an 8-page budget, each keeping
/// its last three (9 pages, more than the budget even for one thread alone), and run each
/// block's code. The pages mapped at once never pass the budget, every refusal names
/// numbers that prove it had to refuse, and all is given back at the end.
#[test]
fn racing_publishes_never_pass_the_budget() {
    let _g = lock();
    const THREADS: usize = 4;
    const ROUNDS: usize = 150;
    let budget = 8 * page();
    let pages = Arc::new(Watched::default());
    let mem = Arc::new(CodeMemory::new(pages.clone(), budget));
    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (mem, start) = (mem.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let mut held: Vec<CodeBlock> = Vec::new();
                let (mut published, mut refused) = (0, 0);
                for round in 0..ROUNDS {
                    let pages_wanted = 2 + (round + t) % 3;
                    // The function, then filler up to the wanted size.
                    let filler = vec![0x90u8; (pages_wanted - 1) * page()];
                    match mem.publish(&[&ADD, &filler]) {
                        Ok(block) => {
                            assert_eq!(block.mapped_len(), pages_wanted * page());
                            assert!(mem.used() <= budget);
                            // SAFETY: part 0 is a complete function; `block` outlives the call.
                            let add = unsafe { binop(&block, 0) };
                            assert_eq!(add(round as i32, t as i32), (round + t) as i32);
                            published += 1;
                            held.push(block);
                            if held.len() > 3 {
                                held.remove(0);
                            }
                        }
                        Err(CodeMemoryError::BudgetExceeded {
                            requested,
                            used,
                            budget: b,
                        }) => {
                            assert_eq!((requested, b), (pages_wanted * page(), budget));
                            assert!(used + requested > budget, "refused with room: {used}");
                            refused += 1;
                            // Make room, so that this thread also publishes.
                            if !held.is_empty() {
                                held.remove(0);
                            }
                        }
                        Err(e) => panic!("unexpected: {e}"),
                    }
                }
                (published, refused)
            })
        })
        .collect();
    let results: Vec<(usize, usize)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let published: usize = results.iter().map(|r| r.0).sum();
    let refused: usize = results.iter().map(|r| r.1).sum();
    assert!(published > 0 && refused > 0, "{results:?}");
    assert!(
        pages.peak.load(Ordering::SeqCst) <= budget,
        "{} bytes mapped at once, budget {budget}",
        pages.peak.load(Ordering::SeqCst)
    );
    assert_eq!((mem.used(), mem.blocks()), (0, 0));
    assert_eq!(pages.mapped.load(Ordering::SeqCst), 0);
    assert_eq!(pages.maps.load(Ordering::SeqCst), published);
}

//! Native code per module, tier-up, and the engine's JIT state.
//!
//! A module keeps one [`NativeMap`] per code flavour (like its bytecode maps): for every
//! function a call counter, a state (interpreted, compiled, refused), the compiled code
//! once there is some, and the body's address in a flat table that native callers read
//! (the context's `natives`). Code belongs to the module: every instance, in any store, on
//! any thread, runs the same native code, and it is freed with the module.
//!
//! Tier-up: the interpreter counts calls of each function; at the engine's threshold
//! (`Config::jit_threshold`; 0 in JIT-only mode, so the first call compiles) the calling
//! thread compiles the function. A function that fails to compile is marked refused and
//! never tried again; the interpreter keeps running it.
//!
//! Eviction: code pages are charged to the engine's budget (`Config::jit_code_budget`).
//! When a new function does not fit, the oldest published code (in publishing order,
//! across the engine's modules) is evicted until enough is retired to make room: the
//! function goes back to the interpreter with its call count reset, so it is compiled
//! again only if it gets hot again. Evicted code is freed when no thread can still be
//! running it (see [`super::reclaim`]); a compile that still does not fit leaves its
//! function interpreted, to be tried again when it is next found hot.

use super::code_cache::{self, CodeCacheError};
use super::code_memory::{CodeBlock, CodeMemory, CodeMemoryError};
use super::compile::{self, CompileError};
#[cfg(feature = "std")]
extern crate std;

use super::reclaim::Reclaim;
use super::sites::Sites;
use super::vmctx::VmCtx;
use crate::Store;
use crate::code::Flavour;
use crate::module::ModuleInner;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};
use core::time::Duration;
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};

/// The trampoline's type: `(cx, body, slots)`.
pub(crate) type Trampoline = unsafe extern "sysv64" fn(*mut VmCtx, *const u8, *mut u64);

/// One function's native code.
pub(crate) struct NativeFunc {
    /// Keeps the pages mapped.
    block: CodeBlock,
    pub body: *const u8,
    pub trampoline: Trampoline,
    /// The lengths of the body's and the trampoline's machine code (for a code cache entry).
    lens: (usize, usize),
    /// The body's fault and call sites (for a code cache entry).
    sites: Arc<Sites>,
    /// The body's entry in the registry of sites, while its code is mapped.
    _registration: Option<super::sites::Registration>,
}

/// Where to enter a function's native code: copied out of its [`NativeFunc`] by a pinned
/// store (see [`super::reclaim`]), valid while the store stays pinned.
#[derive(Clone, Copy)]
pub(crate) struct NativeEntry {
    pub body: *const u8,
    pub trampoline: Trampoline,
}

impl NativeFunc {
    fn entry(&self) -> NativeEntry {
        NativeEntry {
            body: self.body,
            trampoline: self.trampoline,
        }
    }

    /// The addresses of its machine code, body and trampoline.
    fn range(&self) -> core::ops::Range<usize> {
        let base = self.block.base() as usize;
        base..base + self.block.code_len()
    }

    /// The body's and the trampoline's machine code, read back from the code pages, and
    /// the body's sites.
    fn code(&self) -> (&[u8], &[u8], &Arc<Sites>) {
        // SAFETY: both parts lie inside the block's mapping, which is readable (read-
        // execute) and stays mapped and unchanged while `self` (which owns it) lives.
        unsafe {
            (
                core::slice::from_raw_parts(self.body, self.lens.0),
                core::slice::from_raw_parts(self.trampoline as *const u8, self.lens.1),
                &self.sites,
            )
        }
    }
}

// SAFETY: the code is immutable read-execute memory owned by `block`; the pointers into it
// are plain addresses, valid on any thread while the block lives.
unsafe impl Send for NativeFunc {}
// SAFETY: as above; nothing in it is mutated after construction.
unsafe impl Sync for NativeFunc {}

const INTERPRETED: u8 = 0;
const NATIVE: u8 = 1;
const REFUSED: u8 = 2;
/// Not compiled yet, but a loaded code cache entry has its code: published on its next call.
const CACHED: u8 = 3;
/// Queued for (or being compiled by) the background compiler; interpreted meanwhile.
const COMPILING: u8 = 4;
/// Not compiled, but its first call moved into native code at a loop (on-stack
/// replacement): compiled (or queued) at its next call, whatever the call count.
const LOOPED: u8 = 5;

/// A function's on-stack-replacement entry (see [`compile::compile`]): its code, how many
/// slots of locals it takes (the loop offset comes after them), and the loops it can
/// start at.
pub(crate) struct OsrCode {
    nf: NativeFunc,
    nlocals: usize,
    loops: Vec<u32>,
}

/// An on-stack-replacement entry of a function, or `None` if the native tier refused it.
type OsrEntry = (u32, Option<Arc<OsrCode>>);

/// On-stack-replacement compiles a function may have (each entry starts at the loops
/// around the one its frame was due at, and at the outermost loops; see
/// [`compile::compile`]).
const OSR_COMPILES: u8 = 3;

/// How many loop thresholds of iterations an armed frame may run, missing the function's
/// entries, before the function gets an entry for where its frames stand (see [`osr`]).
/// Each miss costs a look at the entries. Coremark's frame, due in an inner loop, runs
/// more than 10 thresholds of other inner loops before its outer loop comes round again.
const OSR_PATIENCE: u32 = 100;

/// A module's native code for one flavour.
pub(crate) struct NativeMap {
    /// Each function's code, owned (`Box::into_raw`) by the map; null while it has none.
    /// Set from null by publishing, set back to null by eviction (which retires the code).
    funcs: Box<[AtomicPtr<NativeFunc>]>,
    /// Body addresses by module function index (0: none), for native callers.
    bodies: Box<[AtomicUsize]>,
    calls: Box<[AtomicU32]>,
    state: Box<[AtomicU8]>,
    /// Loop iterations counted in the interpreter, by function (see [`count_loop`]).
    loops: Box<[AtomicU32]>,
    /// How many times each function lost its code to the budget (evicted, or compiled and
    /// found not to fit): the calls before its next compile double with each (see
    /// [`retry_threshold`]), so a budget too small for what is hot costs a compile now and
    /// then, not one per call.
    setbacks: Box<[AtomicU8]>,
    /// On-stack replacement code by function: `None` if it was refused.
    osr: spin::Mutex<Vec<OsrEntry>>,
    /// On-stack-replacement compiles started, by function (at most [`OSR_COMPILES`]).
    osr_started: Box<[AtomicU8]>,
    /// Whether an on-stack-replacement compile of the function is under way.
    osr_busy: Box<[AtomicBool]>,
    /// Frames due in a loop none of the function's entries starts at, in a row: each
    /// checks again at the next iteration (armed), until so many missed that a compile
    /// for where they stand is worth it (see [`osr`]).
    osr_misses: Box<[AtomicU32]>,
    /// The code cache entry loaded for this map (functions in state [`CACHED`] take their
    /// code from it).
    loaded: spin::Mutex<Option<Arc<code_cache::Entry>>>,
    /// Code was compiled here that the loaded entry (if any) does not hold.
    fresh: AtomicBool,
}

impl NativeMap {
    fn new(n: usize) -> Self {
        NativeMap {
            funcs: (0..n)
                .map(|_| AtomicPtr::new(core::ptr::null_mut()))
                .collect(),
            bodies: (0..n).map(|_| AtomicUsize::new(0)).collect(),
            calls: (0..n).map(|_| AtomicU32::new(0)).collect(),
            state: (0..n).map(|_| AtomicU8::new(INTERPRETED)).collect(),
            loops: (0..n).map(|_| AtomicU32::new(0)).collect(),
            setbacks: (0..n).map(|_| AtomicU8::new(0)).collect(),
            osr: spin::Mutex::new(Vec::new()),
            osr_started: (0..n).map(|_| AtomicU8::new(0)).collect(),
            osr_busy: (0..n).map(|_| AtomicBool::new(false)).collect(),
            osr_misses: (0..n).map(|_| AtomicU32::new(0)).collect(),
            loaded: spin::Mutex::new(None),
            fresh: AtomicBool::new(false),
        }
    }

    pub(crate) fn bodies(&self) -> *const AtomicUsize {
        self.bodies.as_ptr()
    }
}

impl Drop for NativeMap {
    fn drop(&mut self) {
        for f in self.funcs.iter_mut() {
            let p = *f.get_mut();
            if !p.is_null() {
                // SAFETY: a non-null pointer here came from `Box::into_raw` in `install`
                // and was not retired (eviction nulls it first); the module is being
                // dropped, so no instance (and no code) of it runs any more.
                drop(unsafe { Box::from_raw(p) });
            }
        }
    }
}

/// Why a function was compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileReason {
    /// JIT-only mode: compiled on its first call.
    FirstCall,
    /// Tiered mode: it was called `Config::jit_threshold` times.
    CallCount(u32),
    /// Tiered mode: its loops ran `Config::jit_loop_threshold` iterations interpreted, the
    /// frame standing at the loop at this wasm offset: compiled is an entry that moves
    /// frames into native code at that loop or one around it or outermost (on-stack
    /// replacement). The function's entry is compiled for later calls at once if it was
    /// called before, else as idle work of the background compiler or at its next call.
    Loop(u32),
    /// Not compiled: its code came from a loaded code cache entry (published on its first
    /// call).
    CodeCache,
}

/// Counts one loop iteration against `threshold` (`Config::jit_loop_threshold`); true
/// when on-stack replacement is due (the counter then stays at the threshold until
/// [`loop_due`] counts from zero again, or [`osr`] ends the counting with [`OSR_DONE`]).
#[inline(always)]
#[cfg_attr(not(kpio_threaded), allow(dead_code))]
pub(crate) fn count_loop(c: &AtomicU32, threshold: u32) -> bool {
    let n = c.load(Ordering::Relaxed);
    if n < threshold {
        c.store(n + 1, Ordering::Relaxed);
        false
    } else {
        n == threshold
    }
}

/// A loop counter's value once on-stack replacement was refused for its function: its
/// loops are not counted any more.
const OSR_DONE: u32 = u32::MAX;

/// The loop counters of instance `inst`'s module, by function (null without a tiered
/// native tier).
#[cfg_attr(not(kpio_threaded), allow(dead_code))]
pub(crate) fn loop_counts<T>(inner: &crate::store::StoreInner<T>, inst: u32) -> *const AtomicU32 {
    if inner.engine.jit().is_none() || inner.engine.tier() != crate::Tier::Auto {
        return core::ptr::null();
    }
    let ie = &inner.instances[inst as usize];
    map_of(&ie.module, ie.flavour).loops.as_ptr()
}

/// Counts a loop iteration of function `func` (module index) of instance `inst`; true
/// when on-stack replacement is due now: each time the function's interpreted loops have
/// run the threshold again, until [`osr`] gives up on the function.
pub(crate) fn loop_due<T>(inner: &crate::store::StoreInner<T>, inst: u32, func: u32) -> bool {
    if inner.engine.jit().is_none() {
        return false;
    }
    let ie = &inner.instances[inst as usize];
    let c = &map_of(&ie.module, ie.flavour).loops[func as usize];
    let threshold = inner.engine.config().jit_loop_threshold.min(OSR_DONE - 1);
    if !count_loop(c, threshold) {
        return false;
    }
    // Counted from zero again: a later interpreted call of the function (one that runs
    // while its entry is still being compiled, say) moves into native code the same way.
    c.store(0, Ordering::Relaxed);
    !stack_low(inner)
}

/// On-stack replacement: runs the rest of interpreted function `func` of instance `inst`,
/// whose frame is at `slots[fp..]` and stands at the header of the loop at wasm offset
/// `id` with an empty operand stack, in native code entered at that loop with the frame's
/// locals. `Some(Ok)`: the function returned, its results in the frame's first slots.
/// `None`: the interpreter carries on (no entry starts here yet, or the native tier
/// refused).
///
/// A frame due where no entry starts gets one compiled for its loop. With a background
/// compiler (`Config::jit_background`) the compile is queued as hot and the frame goes on
/// interpreting: the next time a frame of the function is due, it enters if the entry
/// starts where it stands. Else it is *armed*: due again at its next loop iteration, until
/// it reaches a header the entry starts at (the loop it was due at comes round, or an
/// outer one). After [`OSR_PATIENCE`] thresholds of such misses in a row, the function gets
/// another entry for where its frames stand, up to [`OSR_COMPILES`] entries. Without a
/// background compiler the frame waits for the compile. A refused entry ends the loop
/// counting of its function.
pub(crate) fn osr<T>(
    store: &mut Store<T>,
    inst: u32,
    func: u32,
    id: u32,
    fp: usize,
) -> Option<Result<(), crate::Trap>> {
    let jit = store.inner.engine.jit()?;
    let ie = &store.inner.instances[inst as usize];
    let (module, flavour) = (ie.module.clone(), ie.flavour);
    let map = map_of(&module, flavour);
    let i = func as usize;
    let (found, have) = {
        let osr = map.osr.lock();
        let mut mine = osr.iter().filter(|(f, _)| *f == func).map(|(_, c)| c);
        if mine.clone().any(Option::is_none) {
            drop(osr);
            map.loops[i].store(OSR_DONE, Ordering::Relaxed);
            return None;
        }
        let found = mine
            .clone()
            .flatten()
            .find(|c| c.loops.contains(&id))
            .cloned();
        (found, mine.next().is_some())
    };
    let code = match found {
        Some(code) => code,
        // Being compiled: counted as before meanwhile.
        None if map.osr_busy[i].load(Ordering::Acquire) => return None,
        None => {
            let threshold = store.inner.engine.config().jit_loop_threshold;
            let misses = map.osr_misses[i].fetch_add(1, Ordering::Relaxed);
            if have && misses < threshold.saturating_mul(OSR_PATIENCE) {
                // Armed: due again at the next iteration.
                let _ = map.loops[i].compare_exchange(
                    0,
                    threshold.min(OSR_DONE - 1),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
                return None;
            }
            // Busy first: a thread that lost the race for it must not use up one of the
            // function's compiles.
            if map.osr_busy[i].swap(true, Ordering::AcqRel) {
                return None;
            }
            let started =
                map.osr_started[i].fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    (n < OSR_COMPILES).then_some(n + 1)
                });
            if started.is_err() {
                map.osr_busy[i].store(false, Ordering::Release);
                return None;
            }
            map.osr_misses[i].store(0, Ordering::Relaxed);
            if queue_osr(store, inst, func, CompileReason::Loop(id)) {
                // Its later calls, and later launches (the code cache), want its entry
                // as they would after the move.
                lookup_forced(store, inst, func);
                return None;
            }
            let scan = scan_of(&store.inner);
            let code =
                compile_osr_into_map(jit, &module, flavour, func, id, &scan, Timing::start(false))?;
            if !code.loops.contains(&id) {
                return None;
            }
            code
        }
    };
    map.osr_misses[i].store(0, Ordering::Relaxed);
    jit.osr_entries.fetch_add(1, Ordering::Relaxed);
    // Later calls take native code too.
    lookup_forced(store, inst, func);
    // Callees' code is read from here on (the entry itself is kept by `nf`).
    let inner = &mut store.inner;
    if let Some(jit) = inner.engine.jit() {
        pin(&mut inner.jit, jit);
    }
    let (entry, nlocals) = (code.nf.entry(), code.nlocals);
    let nresults: usize = module
        .func_type(func)
        .results()
        .iter()
        .map(|t| t.slots())
        .sum();
    // The locals, then the loop to start at.
    let n = (nlocals + 1).max(nresults);
    let mut buf = alloc::vec![0u64; n];
    buf[..nlocals].copy_from_slice(&store.inner.stack.slots[fp..fp + nlocals]);
    buf[nlocals] = u64::from(id);
    let cx = context(store, inst, map.bodies());
    let saved_top = store.inner.stack.top;
    // The frame's slots are dead from here on but for the results written back below;
    // nested calls run above them.
    let frame_end = fp
        + store.inner.instances[inst as usize]
            .code()
            .get(func)
            .map_or(n, |c| c.frame_size as usize);
    store.inner.stack.top = store.inner.stack.top.max(frame_end);
    let r = super::vmctx::enter(store, inst, entry, cx, &mut buf, 0);
    drop(code);
    store.inner.stack.top = saved_top;
    if r.is_ok() {
        store.inner.stack.slots[fp..fp + nresults].copy_from_slice(&buf[..nresults]);
    }
    Some(r.map_err(crate::Trap::frame_replaced))
}

/// One compilation, in order: what the engine's statistic lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileEvent {
    /// Sequence number of the compilation in this engine (0, 1, ...): the order of events.
    pub seq: u64,
    /// The module's name (name section), if any.
    pub module: Option<String>,
    pub func_index: u32,
    pub func_name: Option<String>,
    pub reason: CompileReason,
    /// Bytes of code pages it took (body and trampoline), or why it was not compiled.
    pub outcome: Result<usize, String>,
    /// Whether the background compiler made it; else the thread that ran into the
    /// function (on-stack replacement, JIT-only mode, a code cache entry, no threads), which
    /// waited for it.
    pub background: bool,
    /// How long it took, code generation and publishing (`None` without a clock: no
    /// `std`).
    pub duration: Option<Duration>,
    /// When it was done, since the engine's native tier was set up (`None` without a
    /// clock).
    pub at: Option<Duration>,
}

/// When a compilation started and on which thread: what its [`CompileEvent`] reports.
#[derive(Clone, Copy)]
pub(crate) struct Timing {
    background: bool,
    #[cfg(feature = "std")]
    started: std::time::Instant,
}

impl Timing {
    /// A compilation starting now, on the background compiler if `background`.
    pub(crate) fn start(background: bool) -> Self {
        Timing {
            background,
            #[cfg(feature = "std")]
            started: std::time::Instant::now(),
        }
    }

    fn elapsed(&self) -> Option<Duration> {
        #[cfg(feature = "std")]
        {
            Some(self.started.elapsed())
        }
        #[cfg(not(feature = "std"))]
        {
            None
        }
    }
}

/// What the JIT tier did in an engine: see `Engine::jit_stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JitStats {
    /// Functions compiled to native code.
    pub compiled: u64,
    /// Functions the native tier refused (the interpreter runs them).
    pub refused: u64,
    /// Functions whose native code came from a code cache entry instead of Cranelift.
    pub from_cache: u64,
    /// Native code evicted to stay within the code memory budget (those functions went back
    /// to the interpreter; they may be compiled again).
    pub evicted: u64,
    /// Compilations whose code did not fit in the budget even after eviction (their
    /// functions stay interpreted until they are found hot again).
    pub over_budget: u64,
    /// Interpreted frames that moved into native code at a loop (on-stack replacement).
    /// A function's first compiles its entry (a [`CompileReason::Loop`] event); later
    /// frames due at the same loop reuse that entry.
    pub osr_entries: u64,
    /// Bytes of code pages in use now (code is freed with its module).
    pub code_bytes: usize,
    /// Bytes of code pages compiled in all.
    pub compiled_bytes: usize,
    /// The most recent compilations, oldest first (at most [`EVENTS_KEPT`]).
    pub events: Vec<CompileEvent>,
}

/// How many compile events an engine keeps.
pub const EVENTS_KEPT: usize = 4096;

/// An engine's JIT state: the target, the code memory, the statistic.
pub(crate) struct JitEngine {
    isa: compile::Isa,
    /// Faults of native code on guard pages become traps (`super::signals`), so code for
    /// guarded memories may leave their accesses unchecked (`Flavour::guarded`).
    traps_by_fault: bool,
    memory: Arc<CodeMemory>,
    /// The CPU features the code may use (part of every code cache key).
    features: Vec<&'static str>,
    seq: AtomicUsize,
    compiled: AtomicUsize,
    refused: AtomicUsize,
    from_cache: AtomicUsize,
    compiled_bytes: AtomicUsize,
    evicted: AtomicUsize,
    over_budget: AtomicUsize,
    /// Frames moved into native code at a loop (see [`JitStats::osr_entries`]).
    osr_entries: AtomicUsize,
    events: spin::Mutex<Vec<CompileEvent>>,
    /// Published code, oldest first: the eviction order. Its lock also serialises
    /// evictions.
    published: spin::Mutex<VecDeque<Published>>,
    /// Evicted code waiting until no thread can be running it.
    reclaim: Reclaim,
    #[cfg(feature = "std")]
    background: super::background::Background,
    /// When the tier was set up: the origin of [`CompileEvent::at`].
    #[cfg(feature = "std")]
    created: std::time::Instant,
}

/// A thread's safe point scan, run when a publish has evicted code (see [`safe_point`]).
type Scan<'a> = &'a dyn Fn();

/// For threads that run no wasm (the background compiler).
#[cfg(feature = "std")]
pub(crate) const NO_SCAN: Scan<'static> = &|| {};

/// The safe point scan of the thread running `inner`'s store, for a compile it runs.
fn scan_of<T>(inner: &crate::store::StoreInner<T>) -> impl Fn() + '_ {
    move || {
        if let Some(jit) = inner.engine.jit() {
            scan_stack(&inner.jit, jit);
        }
    }
}

/// Scans the calling thread's stack for the store whose native-code state is `j` (see
/// [`Reclaim::quiesce`]), if it is pinned and in native code; returns the epoch scanned at.
/// Called only at safe points: a call out of native code, or a compile on the
/// interpreter's call path.
fn scan_stack(j: &StoreJit, jit: &JitEngine) -> Option<u64> {
    let slot = j.slot.as_ref().filter(|_| j.pinned && j.depth > 0)?;
    let lo = super::vmctx::stack_pointer();
    // SAFETY: `lo..entry_sp` is this thread's stack from here up to where its outermost
    // native call was entered (`vmctx::enter` records it), all of it live frames. Native
    // code holds code addresses only as return addresses there (a body read from the
    // table is called at once), and at a safe point the interpreter holds none.
    Some(unsafe { jit.reclaim.quiesce(slot, lo, j.entry_sp) })
}

/// A record of published code, for eviction.
struct Published {
    module: Weak<ModuleInner>,
    flavour: Flavour,
    func: u32,
    /// Whether it is an on-stack-replacement entry.
    osr: bool,
    /// The body's address: a record whose function has other code now is stale.
    body: usize,
}

/// Why a function got no native code.
#[derive(Debug)]
enum BuildError {
    /// The code generator refused it (for good).
    Refused(String),
    /// Its code does not fit in the code memory budget now.
    OverBudget(CodeMemoryError),
}

impl BuildError {
    fn message(&self) -> String {
        match self {
            BuildError::Refused(why) => why.clone(),
            BuildError::OverBudget(e) => alloc::format!("{e}"),
        }
    }
}

impl fmt::Debug for JitEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JitEngine")
            .field("compiled", &self.compiled.load(Ordering::Relaxed))
            .field("code_bytes", &self.memory.used())
            .finish()
    }
}

/// Why the JIT tier could not be set up (the engine then interprets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JitSetupError {
    /// No executable pages on this platform (no `CodePages`).
    NoCodePages,
    /// Cranelift does not support this CPU.
    Isa(String),
}

/// The CPU features Cranelift may use here, as its x86 setting names.
fn cpu_features() -> Vec<&'static str> {
    let mut out = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        // `cpuid` exists on every x86_64 CPU; unsupported leaves read as zeros.
        use core::arch::x86_64::__cpuid_count;
        let (l1, l7, e1) = (
            __cpuid_count(1, 0),
            __cpuid_count(7, 0),
            __cpuid_count(0x8000_0001, 0),
        );
        let bit = |r: u32, b: u32| r & (1 << b) != 0;
        let flags = [
            ("has_sse3", bit(l1.ecx, 0)),
            ("has_ssse3", bit(l1.ecx, 9)),
            ("has_sse41", bit(l1.ecx, 19)),
            ("has_sse42", bit(l1.ecx, 20)),
            ("has_popcnt", bit(l1.ecx, 23)),
            ("has_bmi1", bit(l7.ebx, 3)),
            ("has_bmi2", bit(l7.ebx, 8)),
            ("has_lzcnt", bit(e1.ecx, 5)),
        ];
        out.extend(flags.iter().filter(|(_, on)| *on).map(|(n, _)| *n));
    }
    out
}

/// Cranelift's x86-64 backend for the CPU `features`, optimising at `opt_level`.
fn target_isa(opt_level: &str, features: &[&'static str]) -> Result<OwnedTargetIsa, JitSetupError> {
    let mut shared = settings::builder();
    let set = |b: &mut settings::Builder, k: &str, v: &str| {
        b.set(k, v)
            .map_err(|e| JitSetupError::Isa(alloc::format!("{k}={v}: {e}")))
    };
    set(&mut shared, "opt_level", opt_level)?;
    set(&mut shared, "enable_multi_ret_implicit_sret", "true")?;
    // r15 holds the call depth left (see `compile::trampoline`).
    set(&mut shared, "enable_pinned_reg", "true")?;
    // Cranelift's x86-64 tail calls (`return_call`) rely on frame pointers.
    set(&mut shared, "preserve_frame_pointers", "true")?;
    // Verification of every function costs compile time; debug builds keep it.
    set(
        &mut shared,
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    let mut isa = cranelift_codegen::isa::lookup_by_name("x86_64")
        .map_err(|e| JitSetupError::Isa(alloc::format!("{e}")))?;
    for &f in features {
        isa.enable(f)
            .map_err(|e| JitSetupError::Isa(alloc::format!("{f}: {e}")))?;
    }
    isa.finish(settings::Flags::new(shared))
        .map_err(|e| JitSetupError::Isa(alloc::format!("{e}")))
}

impl JitEngine {
    pub(crate) fn new(
        pages: Arc<dyn super::code_memory::CodePages>,
        budget: usize,
    ) -> Result<Self, JitSetupError> {
        let features = cpu_features();
        let isa = compile::Isa {
            optimizing: target_isa("speed", &features)?,
            lowering: target_isa("none", &features)?,
        };
        #[cfg(all(feature = "std", target_os = "linux", not(miri)))]
        let traps_by_fault = super::signals::install();
        #[cfg(not(all(feature = "std", target_os = "linux", not(miri))))]
        let traps_by_fault = false;
        Ok(JitEngine {
            isa,
            traps_by_fault,
            memory: Arc::new(CodeMemory::new(pages, budget)),
            features,
            seq: AtomicUsize::new(0),
            compiled: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            from_cache: AtomicUsize::new(0),
            compiled_bytes: AtomicUsize::new(0),
            evicted: AtomicUsize::new(0),
            over_budget: AtomicUsize::new(0),
            osr_entries: AtomicUsize::new(0),
            events: spin::Mutex::new(Vec::new()),
            published: spin::Mutex::new(VecDeque::new()),
            reclaim: Reclaim::default(),
            #[cfg(feature = "std")]
            background: Default::default(),
            #[cfg(feature = "std")]
            created: std::time::Instant::now(),
        })
    }

    #[cfg(feature = "std")]
    pub(crate) fn background(&self) -> &super::background::Background {
        &self.background
    }

    /// Waits until the background compiler has nothing queued or running.
    pub(crate) fn wait_idle(&self) {
        #[cfg(feature = "std")]
        self.background.wait_idle();
    }

    /// Whether faults of native code on guard pages become traps (see
    /// [`super::signals`]).
    pub(crate) fn traps_by_fault(&self) -> bool {
        self.traps_by_fault
    }

    pub(crate) fn stats(&self) -> JitStats {
        JitStats {
            compiled: self.compiled.load(Ordering::Relaxed) as u64,
            refused: self.refused.load(Ordering::Relaxed) as u64,
            from_cache: self.from_cache.load(Ordering::Relaxed) as u64,
            evicted: self.evicted.load(Ordering::Relaxed) as u64,
            over_budget: self.over_budget.load(Ordering::Relaxed) as u64,
            osr_entries: self.osr_entries.load(Ordering::Relaxed) as u64,
            code_bytes: self.memory.used(),
            compiled_bytes: self.compiled_bytes.load(Ordering::Relaxed),
            events: self.events.lock().clone(),
        }
    }

    /// Counts a compilation of function `func` of `module` (its code's bytes, or why it was
    /// refused) and records its event.
    fn note(
        &self,
        module: &ModuleInner,
        func: u32,
        reason: CompileReason,
        outcome: Result<usize, &BuildError>,
        timing: Timing,
    ) {
        #[cfg(feature = "std")]
        let at = Some(self.created.elapsed());
        #[cfg(not(feature = "std"))]
        let at = None;
        match outcome {
            Ok(_) if reason == CompileReason::CodeCache => {
                self.from_cache.fetch_add(1, Ordering::Relaxed);
            }
            Ok(bytes) => {
                self.compiled.fetch_add(1, Ordering::Relaxed);
                self.compiled_bytes.fetch_add(bytes, Ordering::Relaxed);
            }
            Err(BuildError::Refused(_)) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
            }
            Err(BuildError::OverBudget(_)) => {
                self.over_budget.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.record(CompileEvent {
            seq: self.seq.fetch_add(1, Ordering::Relaxed) as u64,
            module: module.name.clone(),
            func_index: func,
            func_name: module.func_names.get(&func).cloned(),
            reason,
            outcome: outcome.map_err(BuildError::message),
            background: timing.background,
            duration: timing.elapsed(),
            at,
        });
    }

    fn record(&self, e: CompileEvent) {
        let mut ev = self.events.lock();
        if ev.len() == EVENTS_KEPT {
            ev.remove(0);
        }
        ev.push(e);
    }

    /// Compiles and publishes function `index`.
    fn build(
        &self,
        module: &ModuleInner,
        flavour: Flavour,
        index: u32,
        scan: Scan,
    ) -> Result<NativeFunc, BuildError> {
        self.build_code(module, flavour, index, None, scan)
            .map(|(nf, _)| nf)
    }

    /// Compiles and publishes function `index`'s on-stack-replacement entry, for a frame
    /// due at the loop at wasm offset `due`.
    fn build_osr(
        &self,
        module: &ModuleInner,
        flavour: Flavour,
        index: u32,
        due: u32,
        scan: Scan,
    ) -> Result<OsrCode, BuildError> {
        self.build_code(module, flavour, index, Some(due), scan)
            .map(|(nf, code)| OsrCode {
                nf,
                nlocals: code.nlocals,
                loops: code.osr_loops,
            })
    }

    /// [`build`](Self::build) or [`build_osr`](Self::build_osr); also returns what was
    /// compiled, its code now copied into the code pages.
    fn build_code(
        &self,
        module: &ModuleInner,
        flavour: Flavour,
        index: u32,
        osr: Option<u32>,
        scan: Scan,
    ) -> Result<(NativeFunc, compile::CompiledCode), BuildError> {
        let mut code = compile::compile(&self.isa, module, flavour, index, osr)
            .map_err(|e: CompileError| BuildError::Refused(alloc::format!("{e}")))?;
        let sites = Arc::new(core::mem::take(&mut code.sites));
        let nf = self.publish(&code.body, &code.trampoline, index, &sites, scan)?;
        #[cfg(feature = "std")]
        super::perf_map::record(nf.body, nf.lens.0, || {
            let name = module.func_names.get(&index).cloned();
            let name = name.unwrap_or_else(|| alloc::format!("wasm[{index}]"));
            if osr.is_some() {
                alloc::format!("{name} (osr)")
            } else {
                name
            }
        });
        Ok((nf, code))
    }

    /// Maps a function's body and trampoline (compiled by [`compile::compile`], now or by
    /// the same engine build for a code cache entry) read-execute, evicting old code if
    /// the budget is full. `scan` is the publishing thread's safe point scan (see
    /// [`safe_point`]), run after evicting so that code it is not running is freed at once.
    fn publish(
        &self,
        body: &[u8],
        trampoline: &[u8],
        func: u32,
        sites: &Arc<Sites>,
        scan: Scan,
    ) -> Result<NativeFunc, BuildError> {
        // Round 0 evicts as if everything retired will be freed; what the scan and the
        // reclaim could not free then is `stuck` (some thread may be running it), and
        // round 1 evicts that much more.
        let mut stuck = 0;
        let mut round = 0;
        let block = loop {
            match self.memory.publish(&[body, trampoline]) {
                Ok(block) => break block,
                Err(
                    e @ CodeMemoryError::BudgetExceeded {
                        requested, budget, ..
                    },
                ) => {
                    if requested > budget || round == 2 {
                        return Err(BuildError::OverBudget(e));
                    }
                    round += 1;
                    self.reclaim.reclaim();
                    self.evict(requested + stuck);
                    scan();
                    self.reclaim.reclaim();
                    stuck = self.reclaim.pending_bytes();
                }
                Err(e) => return Err(BuildError::Refused(alloc::format!("{e}"))),
            }
        };
        let body_ptr = block.part(0);
        // SAFETY: part 1 is the trampoline, compiled with exactly this signature
        // (`compile::trampoline`), published read-execute.
        let trampoline_fn: Trampoline = unsafe { core::mem::transmute(block.part(1)) };
        let start = body_ptr as usize;
        Ok(NativeFunc {
            block,
            body: body_ptr,
            trampoline: trampoline_fn,
            lens: (body.len(), trampoline.len()),
            sites: Arc::clone(sites),
            _registration: super::sites::register(start..start + body.len(), func, sites),
        })
    }

    /// Remembers published code for eviction (oldest first). Records of dropped modules
    /// and of code since replaced are pruned as the list doubles.
    fn track(
        &self,
        module: &Arc<ModuleInner>,
        flavour: Flavour,
        func: u32,
        osr: bool,
        body: *const u8,
    ) {
        let mut published = self.published.lock();
        if published.len() >= 1024 && published.len().is_power_of_two() {
            published.retain(|p| p.module.strong_count() > 0);
        }
        published.push_back(Published {
            module: Arc::downgrade(module),
            flavour,
            func,
            osr,
            body: body as usize,
        });
    }

    /// Evicts the oldest published code until `requested` more bytes of pages would fit
    /// beside the code still published (code retired and not yet freed counts as gone:
    /// it will be freed once no thread runs it).
    fn evict(&self, requested: usize) {
        let mut published = self.published.lock();
        let budget = self.memory.budget();
        while self
            .memory
            .used()
            .saturating_sub(self.reclaim.pending_bytes())
            + requested
            > budget
        {
            let Some(p) = published.pop_front() else {
                break;
            };
            if self.retire(&p) {
                self.evicted.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Unpublishes the code `p` records and retires it, unless the record is stale.
    /// Called with the `published` lock held, so no other eviction runs meanwhile.
    fn retire(&self, p: &Published) -> bool {
        let Some(module) = p.module.upgrade() else {
            return false;
        };
        let Some(map) = module.native_map_if_made(p.flavour) else {
            return false;
        };
        let i = p.func as usize;
        if p.osr {
            // An on-stack-replacement entry: a frame running it holds its own `Arc`, so
            // the code is freed when the last one is dropped.
            let mut osr = map.osr.lock();
            let Some(k) = osr.iter().position(|(f, code)| {
                *f == p.func && code.as_ref().is_some_and(|c| c.nf.body as usize == p.body)
            }) else {
                return false;
            };
            let entry = osr.swap_remove(k);
            drop(osr);
            drop(entry);
            return true;
        }
        let cur = map.funcs[i].load(Ordering::Acquire);
        // SAFETY: a non-null pointer in the map is live code owned by it; only eviction
        // takes it out, and evictions are serialised by the `published` lock we hold.
        if cur.is_null() || unsafe { (*cur).body } as usize != p.body {
            return false;
        }
        if map.funcs[i]
            .compare_exchange(
                cur,
                core::ptr::null_mut(),
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_err()
        {
            return false;
        }
        // Native callers stop calling it, then the interpreter stops entering it and
        // counts its calls from zero. No new compile of it can start before the state
        // leaves `NATIVE`, so these cannot undo a newer publish.
        let _ = map.bodies[i].compare_exchange(p.body, 0, Ordering::SeqCst, Ordering::SeqCst);
        map.calls[i].store(0, Ordering::Relaxed);
        set_back(&map.setbacks[i]);
        let _ =
            map.state[i].compare_exchange(NATIVE, INTERPRETED, Ordering::SeqCst, Ordering::SeqCst);
        // SAFETY: taken out of the map above (the compare-exchange made it ours).
        let nf = unsafe { Box::from_raw(cur) };
        let (range, bytes) = (nf.range(), nf.block.mapped_len());
        self.reclaim.retire(range, bytes, nf);
        true
    }
}

/// The calls a function waits for before it is compiled again after `setbacks` losses of
/// its code to the budget: `threshold` doubled for each, up to 2^16 times (a JIT-only
/// engine, threshold 1, then tries every 65,536 calls, a tiered one every 6.5 million).
fn retry_threshold(threshold: u32, setbacks: u8) -> u32 {
    threshold.saturating_mul(1 << setbacks.min(16))
}

/// Counts one loss of a function's code to the budget (see [`NativeMap::setbacks`]).
fn set_back(c: &AtomicU8) {
    let _ = c.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_add(1));
}

/// The native code map of `module` for `flavour`, made on first use.
pub(crate) fn map_of(module: &ModuleInner, flavour: Flavour) -> &NativeMap {
    module.native_map(flavour, || NativeMap::new(module.funcs.len()))
}

/// Native code for function `func` (module index) of instance `inst`, if it has some or
/// it is now due to be compiled (counting this call). `None`: interpret it. `Some`: the
/// store is pinned (see [`super::reclaim`]), so the code stays mapped until the store's
/// outermost native call returns; the caller enters it at once.
pub(crate) fn lookup<T>(store: &mut Store<T>, inst: u32, func: u32) -> Option<NativeEntry> {
    store.inner.engine.jit()?;
    if stack_low(&store.inner) {
        return None;
    }
    safe_point(store);
    let ie = &store.inner.instances[inst as usize];
    let map = map_of(&ie.module, ie.flavour);
    let i = func as usize;
    let state = map.state[i].load(Ordering::Acquire);
    match state {
        NATIVE => return published(store, inst, func),
        REFUSED | COMPILING => return None,
        CACHED if install_cached(store, inst, func) => return published(store, inst, func),
        _ => {}
    }
    let ie = &store.inner.instances[inst as usize];
    let map = map_of(&ie.module, ie.flavour);
    let config = store.inner.engine.config();
    let reason = match config.tier {
        crate::Tier::Jit => CompileReason::FirstCall,
        _ => CompileReason::CallCount(0),
    };
    let threshold = call_threshold(config, map, i);
    let calls = map.calls[i]
        .fetch_add(1, Ordering::Relaxed)
        .saturating_add(1);
    if calls < threshold && state != LOOPED {
        return None;
    }
    let reason = match reason {
        CompileReason::CallCount(_) => CompileReason::CallCount(calls),
        r => r,
    };
    if reason == CompileReason::FirstCall {
        compile_now(store, inst, func, reason);
    } else if !queue_or_compile(store, inst, func, reason) {
        return None;
    }
    published(store, inst, func)
}

/// The call that makes function `i` of `map` due for compiling: the first with a JIT-only
/// engine, else `Config::jit_threshold`, raised each time the function lost its code to
/// the budget.
fn call_threshold(config: &crate::Config, map: &NativeMap, i: usize) -> u32 {
    let threshold = match config.tier {
        crate::Tier::Jit => 1,
        _ => config.jit_threshold.max(1),
    };
    retry_threshold(threshold, map.setbacks[i].load(Ordering::Relaxed))
}

/// Pins the store (see [`super::reclaim`]) and reads function `func`'s published code:
/// `None` if it has none (never compiled, or evicted).
fn published<T>(store: &mut Store<T>, inst: u32, func: u32) -> Option<NativeEntry> {
    let inner = &mut store.inner;
    let jit = inner.engine.jit()?;
    let ie = &inner.instances[inst as usize];
    let map = map_of(&ie.module, ie.flavour);
    pin(&mut inner.jit, jit);
    let p = map.funcs[func as usize].load(Ordering::SeqCst);
    if p.is_null() {
        unpin_if_idle(&mut inner.jit, jit);
        return None;
    }
    // SAFETY: read after pinning: eviction unpublishes code before it retires it, so this
    // code is either live or retired at an epoch the store's slot holds back.
    Some(unsafe { (*p).entry() })
}

/// Pins the store's slot before it reads published code (once per outermost native call).
fn pin(j: &mut StoreJit, jit: &JitEngine) {
    if !j.pinned {
        let slot = j.slot.get_or_insert_with(|| jit.reclaim.register());
        jit.reclaim.pin(slot);
        j.pinned = true;
    }
}

/// Unpins the store's slot if it runs no native code.
fn unpin_if_idle(j: &mut StoreJit, jit: &JitEngine) {
    if j.pinned && j.depth == 0 {
        if let Some(slot) = &j.slot {
            jit.reclaim.unpin(slot);
        }
        j.pinned = false;
    }
}

/// A safe point of a store in native code (a call out of it): if evicted code is waiting
/// to be freed, the store scans its stack and lets go of what is not on it, so a store
/// that stays in native code for long does not hold evicted code back for ever.
pub(crate) fn safe_point<T>(store: &mut Store<T>) {
    let inner = &mut store.inner;
    let Some(jit) = inner.engine.jit() else {
        return;
    };
    let j = &mut inner.jit;
    // Only in native code while garbage waits, and once per epoch (cheapest tests first:
    // this runs at every interpreted call).
    if !j.pinned || j.depth == 0 || !jit.reclaim.has_garbage() || j.scanned == jit.reclaim.epoch() {
        return;
    }
    if let Some(at) = scan_stack(j, jit) {
        j.scanned = at;
    }
}

/// Queues function `func` of instance `inst` for the background compiler
/// (`Config::jit_background`) and returns false (interpret it meanwhile), or, without one,
/// compiles it now and returns true.
fn queue_or_compile<T>(store: &Store<T>, inst: u32, func: u32, reason: CompileReason) -> bool {
    #[cfg(feature = "std")]
    if store.inner.engine.config().jit_background {
        let ie = &store.inner.instances[inst as usize];
        let map = map_of(&ie.module, ie.flavour);
        let i = func as usize;
        // Queued: this call and those until the code is published are interpreted.
        let queued = [INTERPRETED, LOOPED].into_iter().any(|from| {
            map.state[i]
                .compare_exchange(from, COMPILING, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        });
        if !queued {
            return false;
        }
        match submit(store, inst, func, reason, super::background::Priority::Hot) {
            None | Some(Ok(())) => return false,
            // No thread: compiled here after all.
            Some(Err(_)) => map.state[i].store(INTERPRETED, Ordering::Release),
        }
    }
    compile_now(store, inst, func, reason);
    true
}

/// Queues the entry of function `func` of instance `inst` (in state [`LOOPED`]) as idle
/// work for the background compiler, where there is one.
fn queue_idle<T>(store: &Store<T>, inst: u32, func: u32, reason: CompileReason) {
    #[cfg(feature = "std")]
    if store.inner.engine.config().jit_background {
        // No thread: the next call compiles it.
        let _ = submit(store, inst, func, reason, super::background::Priority::Idle);
    }
    #[cfg(not(feature = "std"))]
    let _ = (store, inst, func, reason);
}

/// Queues the on-stack-replacement entry of function `func` of instance `inst` for the
/// background compiler (`Config::jit_background`), as hot: true if it was queued, false if
/// the caller compiles it now (no background compiler, or no thread).
fn queue_osr<T>(store: &Store<T>, inst: u32, func: u32, reason: CompileReason) -> bool {
    #[cfg(feature = "std")]
    if store.inner.engine.config().jit_background {
        let hot = super::background::Priority::Hot;
        return matches!(submit(store, inst, func, reason, hot), Some(Ok(())));
    }
    let _ = (store, inst, func, reason);
    false
}

/// Compiles function `func`'s on-stack-replacement entry for a frame due at the loop at
/// wasm offset `due` ([`CompileReason::Loop`]) and keeps it in the module's map, or keeps that the native
/// tier refused it (which ends the function's loop counting); records the event. Run by
/// the thread whose frame is due (`scan` is its [`scan_of`]) or by the background
/// compiler ([`NO_SCAN`]).
pub(crate) fn compile_osr_into_map(
    jit: &JitEngine,
    module: &Arc<ModuleInner>,
    flavour: Flavour,
    func: u32,
    due: u32,
    scan: Scan,
    timing: Timing,
) -> Option<Arc<OsrCode>> {
    let reason = CompileReason::Loop(due);
    let built = jit.build_osr(module, flavour, func, due, scan);
    match &built {
        Ok(c) => jit.note(module, func, reason, Ok(c.nf.block.mapped_len()), timing),
        Err(e) => jit.note(module, func, reason, Err(e), timing),
    }
    keep_osr(jit, module, flavour, func, built.ok())
}

/// Keeps function `func`'s on-stack-replacement entry in the module's map (`None`: it
/// was refused, and the function's loops are not counted any more).
pub(crate) fn keep_osr(
    jit: &JitEngine,
    module: &Arc<ModuleInner>,
    flavour: Flavour,
    func: u32,
    code: Option<OsrCode>,
) -> Option<Arc<OsrCode>> {
    let map = map_of(module, flavour);
    let code = code.map(Arc::new);
    map.osr.lock().push((func, code.clone()));
    match &code {
        Some(c) => jit.track(module, flavour, func, true, c.nf.body),
        None => map.loops[func as usize].store(OSR_DONE, Ordering::Relaxed),
    }
    map.osr_busy[func as usize].store(false, Ordering::Release);
    code
}

/// Submits function `func` of instance `inst` to the engine's background compiler with
/// `priority`: `None` without a native tier, `Some(Err)` when no thread could be started.
#[cfg(feature = "std")]
fn submit<T>(
    store: &Store<T>,
    inst: u32,
    func: u32,
    reason: CompileReason,
    priority: super::background::Priority,
) -> Option<Result<(), super::background::Job>> {
    let jit = store.inner.engine.jit_arc()?;
    let ie = &store.inner.instances[inst as usize];
    let job = super::background::Job {
        jit: Arc::clone(jit),
        module: Arc::clone(&ie.module),
        flavour: ie.flavour,
        func,
        reason,
    };
    Some(jit.background().submit(job, priority))
}

/// An idle job of the background compiler starts: true if its function is still waiting
/// for it (in state [`LOOPED`]), now marked as compiling; false if it was compiled (or
/// queued as hot) meanwhile.
#[cfg(feature = "std")]
pub(crate) fn claim_idle_job(module: &ModuleInner, flavour: Flavour, func: u32) -> bool {
    map_of(module, flavour).state[func as usize]
        .compare_exchange(LOOPED, COMPILING, Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
}

/// After on-stack replacement of function `func` of instance `inst` (or once its entry is
/// queued for the background compiler): makes its later calls
/// native too, unless it has native code or was refused. A function called more than once
/// is compiled (or queued) now, so the next call does not start over in the interpreter.
/// A function on its first call (a `main` that does all the work) is not hot: its only
/// call runs natively from the loop on, and compiling its entry now would take the
/// background compiler from functions that are. Its entry is queued as idle work (for a
/// later call, or the code cache of a later launch), and its next call, if any, makes it
/// due at once.
fn lookup_forced<T>(store: &Store<T>, inst: u32, func: u32) {
    let ie = &store.inner.instances[inst as usize];
    let map = map_of(&ie.module, ie.flavour);
    let i = func as usize;
    match map.state[i].load(Ordering::Acquire) {
        NATIVE | REFUSED | COMPILING => {}
        state => {
            if state == CACHED && install_cached(store, inst, func) {
                return;
            }
            let calls = map.calls[i].load(Ordering::Relaxed);
            if calls <= 1 {
                if map.state[i]
                    .compare_exchange(INTERPRETED, LOOPED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    queue_idle(store, inst, func, CompileReason::CallCount(calls));
                }
                return;
            }
            // The running call is native from its loop on; later calls need not wait for
            // this compile (the background compiler's, where there is one).
            queue_or_compile(store, inst, func, CompileReason::CallCount(calls));
        }
    }
}

/// Publishes function `func`'s code from the loaded code cache entry; true if it has
/// native code now. If it cannot be mapped (the code budget), the function goes back to
/// being counted and compiled as if there were no entry.
fn install_cached<T>(store: &Store<T>, inst: u32, func: u32) -> bool {
    let Some(jit) = store.inner.engine.jit() else {
        return false;
    };
    let ie = &store.inner.instances[inst as usize];
    let map = map_of(&ie.module, ie.flavour);
    let entry = map.loaded.lock().clone();
    let timing = Timing::start(false);
    let published = entry
        .as_ref()
        .and_then(|e| e.body(func))
        .ok_or_else(|| BuildError::Refused(String::from("not in the loaded entry")))
        .and_then(|(body, tramp, sites)| {
            jit.publish(body, tramp, func, sites, &scan_of(&store.inner))
        });
    match published {
        Ok(nf) => {
            #[cfg(feature = "std")]
            super::perf_map::record(nf.body, nf.lens.0, || {
                let name = ie.module.func_names.get(&func).cloned();
                name.unwrap_or_else(|| alloc::format!("wasm[{func}]"))
            });
            // Published by another thread first: it has native code all the same.
            install(
                jit,
                &ie.module,
                ie.flavour,
                func,
                nf,
                CompileReason::CodeCache,
                timing,
            );
            true
        }
        Err(_) => {
            let _ = map.state[func as usize].compare_exchange(
                CACHED,
                INTERPRETED,
                Ordering::AcqRel,
                Ordering::Acquire,
            );
            false
        }
    }
}

/// Compiles function `func` of instance `inst` now and installs its code (unless another
/// thread did first); records the event.
fn compile_now<T>(store: &Store<T>, inst: u32, func: u32, reason: CompileReason) {
    if let Some(jit) = store.inner.engine.jit() {
        let ie = &store.inner.instances[inst as usize];
        compile_into_map(
            jit,
            &ie.module,
            ie.flavour,
            func,
            reason,
            &scan_of(&store.inner),
            Timing::start(false),
        );
    }
}

/// Compiles function `func` of `module` in `flavour` and publishes it in the module's map
/// (unless another thread did first), or leaves it to the interpreter; records the event.
/// Run by the thread that found the function hot (`scan` is its [`scan_of`]), or by the
/// background compiler ([`NO_SCAN`]).
pub(crate) fn compile_into_map(
    jit: &JitEngine,
    module: &Arc<ModuleInner>,
    flavour: Flavour,
    func: u32,
    reason: CompileReason,
    scan: Scan,
    timing: Timing,
) {
    match jit.build(module, flavour, func, scan) {
        Ok(nf) => {
            install(jit, module, flavour, func, nf, reason, timing);
        }
        Err(e) => not_built(jit, module, flavour, func, reason, &e, timing),
    }
}

/// Publishes `nf` as function `func`'s code in `module`'s map unless another thread did
/// first (then `nf` is dropped and false returned); records the event, and the code for
/// eviction.
fn install(
    jit: &JitEngine,
    module: &Arc<ModuleInner>,
    flavour: Flavour,
    func: u32,
    nf: NativeFunc,
    reason: CompileReason,
    timing: Timing,
) -> bool {
    let map = map_of(module, flavour);
    let i = func as usize;
    let (body, bytes) = (nf.body, nf.block.mapped_len());
    let p = Box::into_raw(Box::new(nf));
    if map.funcs[i]
        .compare_exchange(
            core::ptr::null_mut(),
            p,
            Ordering::AcqRel,
            Ordering::Acquire,
        )
        .is_err()
    {
        // SAFETY: `p` came from `Box::into_raw` just above and was never published.
        drop(unsafe { Box::from_raw(p) });
        return false;
    }
    map.bodies[i].store(body as usize, Ordering::Release);
    map.state[i].store(NATIVE, Ordering::Release);
    if reason != CompileReason::CodeCache {
        map.fresh.store(true, Ordering::Release);
    }
    // Tracked last: eviction finds the code only once all of the above is in place.
    jit.track(module, flavour, func, false, body);
    jit.note(module, func, reason, Ok(bytes), timing);
    true
}

/// Marks function `func` refused (the interpreter keeps it) and records why (for the
/// background compiler, whose code generator panicked).
#[cfg(feature = "std")]
pub(crate) fn refuse(
    jit: &JitEngine,
    module: &ModuleInner,
    flavour: Flavour,
    func: u32,
    reason: CompileReason,
    why: &str,
    timing: Timing,
) {
    not_built(
        jit,
        module,
        flavour,
        func,
        reason,
        &BuildError::Refused(String::from(why)),
        timing,
    );
}

/// Marks function `func`'s on-stack-replacement entry refused (its loops are not counted
/// any more) and records why (for the background compiler, whose code generator panicked).
#[cfg(feature = "std")]
pub(crate) fn refuse_osr(
    jit: &JitEngine,
    module: &Arc<ModuleInner>,
    flavour: Flavour,
    func: u32,
    reason: CompileReason,
    why: &str,
    timing: Timing,
) {
    keep_osr(jit, module, flavour, func, None);
    let e = BuildError::Refused(String::from(why));
    jit.note(module, func, reason, Err(&e), timing);
}

/// Function `func` got no native code: refused for good, or (over the code budget) back
/// to the interpreter with its calls counted from zero, to be tried again when it is hot
/// again. Records the event.
fn not_built(
    jit: &JitEngine,
    module: &ModuleInner,
    flavour: Flavour,
    func: u32,
    reason: CompileReason,
    e: &BuildError,
    timing: Timing,
) {
    let map = map_of(module, flavour);
    let i = func as usize;
    match e {
        BuildError::Refused(_) => map.state[i].store(REFUSED, Ordering::Release),
        BuildError::OverBudget(_) => {
            map.calls[i].store(0, Ordering::Relaxed);
            set_back(&map.setbacks[i]);
            map.state[i].store(INTERPRETED, Ordering::Release);
        }
    }
    jit.note(module, func, reason, Err(e), timing);
}

/// The store's native-code state: how deep native code is nested, the stack limit of the
/// outermost entry, each instance's context, and its epoch slot (see [`super::reclaim`]).
#[derive(Default)]
pub(crate) struct StoreJit {
    depth: u32,
    limit: usize,
    /// The stack pointer where the outermost native call was entered (the top of what a
    /// safe point scans).
    entry_sp: usize,
    /// The interpreter's call depth limit inside calls out of native code (see
    /// [`max_call_depth`]).
    max_depth: Option<usize>,
    contexts: Vec<Option<Box<VmCtx>>>,
    /// The store's epoch slot in the engine (made on its first native call).
    slot: Option<Arc<AtomicU64>>,
    /// Whether the slot is pinned: from reading published code until the outermost native
    /// call returns.
    pinned: bool,
    /// The epoch of the last safe point scan.
    scanned: u64,
}

// SAFETY: the contexts hold raw pointers into the store's own entities and the module's
// code, which move with the store; they are only used by the thread running the store.
unsafe impl Send for StoreJit {}
// SAFETY: as above; shared references never touch the contexts.
unsafe impl Sync for StoreJit {}

/// The call depth limit the interpreter works to now: `Config::max_call_depth`, or, inside
/// a call from native code, what the native frames around it left.
pub(crate) fn max_call_depth<T>(store: &Store<T>) -> usize {
    store
        .inner
        .jit
        .max_depth
        .unwrap_or(store.inner.engine.config().max_call_depth)
}

/// Runs `f` (a call out of native code) with the interpreter's depth limit set so that
/// `depth_left` more frames fit above the frames live now.
pub(crate) fn with_depth_left<T, R>(
    store: &mut Store<T>,
    depth_left: i64,
    f: impl FnOnce(&mut Store<T>) -> R,
) -> R {
    let live = store.inner.stack.frames.len() as i64;
    let saved = store.inner.jit.max_depth;
    store.inner.jit.max_depth = Some(live.saturating_add(depth_left).max(0) as usize);
    let r = f(store);
    store.inner.jit.max_depth = saved;
    r
}

pub(crate) fn native_depth<T>(store: &Store<T>) -> u32 {
    store.inner.jit.depth
}

/// Whether native code is running and the stack is within [`super::vmctx::INTERP_ROOM`] of
/// its limit: the interpreter then calls no more native code, so the recursion goes on on
/// the heap.
pub(crate) fn stack_low<T>(inner: &crate::store::StoreInner<T>) -> bool {
    inner.jit.depth > 0
        && super::vmctx::stack_pointer() < inner.jit.limit.saturating_add(super::vmctx::INTERP_ROOM)
}

pub(crate) fn stack_limit<T>(store: &Store<T>) -> usize {
    store.inner.jit.limit
}

/// Native code is entered at stack pointer `sp`, with stack limit `limit` if it is the
/// outermost entry. The store is pinned already (by [`lookup`] or [`osr`]).
pub(crate) fn enter_native<T>(store: &mut Store<T>, limit: usize, sp: usize) {
    let j = &mut store.inner.jit;
    debug_assert!(j.pinned, "native code entered without a pinned slot");
    if j.depth == 0 {
        j.limit = limit;
        j.entry_sp = sp;
    }
    j.depth += 1;
}

/// The words native frames may hold exception references in, for a collection of the
/// store's exception objects (`StoreInner::new_exception`) while native code is running:
/// the callee-saved registers (a native frame's value may sit in one that no frame between
/// has saved yet), then every word of this thread's stack from the calling frame up to the
/// outermost native entry. Native frames keep no map of their reference slots, so the scan
/// is conservative, as the interpreter's scan of its value stack is: a word that only looks
/// like a live reference keeps garbage alive, a live one is never missed. Empty when no
/// native code is running. (x86-64 only, as the native tier is.)
///
/// Inlined, so the registers and the stack pointer are read in the caller's frame, which
/// must consume the words before it returns: a register its prologue saved and reuses is
/// in that frame, so scanned; one it did not save still holds its caller's value.
#[inline(always)]
pub(crate) fn native_roots<T>(inner: &crate::store::StoreInner<T>) -> NativeRoots {
    let j = &inner.jit;
    if j.depth == 0 {
        return NativeRoots {
            registers: [0; 6],
            next_register: 6,
            at: 0,
            end: 0,
        };
    }
    let (a, b, c, d, e, f): (u64, u64, u64, u64, u64, u64);
    // SAFETY: copies registers into fresh outputs (caller-saved registers named
    // explicitly, so no output is one still to be read); no memory, stack or flags.
    unsafe {
        core::arch::asm!(
            "mov rax, rbx",
            "mov rcx, rbp",
            "mov rdx, r12",
            "mov rsi, r13",
            "mov rdi, r14",
            "mov r8, r15",
            out("rax") a, out("rcx") b, out("rdx") c,
            out("rsi") d, out("rdi") e, out("r8") f,
            options(nomem, nostack, preserves_flags)
        )
    };
    NativeRoots {
        registers: [a, b, c, d, e, f],
        next_register: 0,
        at: super::vmctx::stack_pointer() & !7,
        end: j.entry_sp & !7,
    }
}

/// The words of [`native_roots`], read one at a time (the stack between the collector and
/// the outermost native entry may be many megabytes: it is not copied).
pub(crate) struct NativeRoots {
    registers: [u64; 6],
    next_register: usize,
    at: usize,
    end: usize,
}

impl Iterator for NativeRoots {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        if let Some(&r) = self.registers.get(self.next_register) {
            self.next_register += 1;
            return Some(r);
        }
        if self.at >= self.end {
            return None;
        }
        // SAFETY: `at..end` is this thread's stack from the frame that called
        // `native_roots` (still live: it consumes these words before it returns) up to
        // where the outermost native call was entered (`vmctx::enter` records it): live
        // frames, readable, and only read here.
        let w = unsafe { super::reclaim::stack_word(self.at) } as u64;
        self.at += 8;
        Some(w)
    }
}

/// Native code returned; after the outermost call the store unpins.
pub(crate) fn leave_native<T>(store: &mut Store<T>) {
    let inner = &mut store.inner;
    inner.jit.depth -= 1;
    if let Some(jit) = inner.engine.jit() {
        unpin_if_idle(&mut inner.jit, jit);
    }
}

/// The native body of store function `callee` if native code of instance `inst` may call
/// it directly (a function of `inst` with published code), else
/// [`NOT_DIRECT`](super::vmctx::NOT_DIRECT). Read by a pinned store
/// (native code is running), so the body stays mapped while it may run.
pub(crate) fn direct_body<T>(store: &Store<T>, inst: u32, callee: u32) -> usize {
    match store.inner.funcs[callee as usize].kind {
        crate::store::FuncKind::Wasm(ref w) if w.instance == inst => {
            let ie = &store.inner.instances[inst as usize];
            match map_of(&ie.module, ie.flavour).bodies[w.index as usize].load(Ordering::Acquire) {
                0 => super::vmctx::NOT_DIRECT as usize,
                body => body,
            }
        }
        _ => super::vmctx::NOT_DIRECT as usize,
    }
}

/// The larger of the parameter and result slot counts of store function `func`.
pub(crate) fn slot_count<T>(store: &Store<T>, func: u32) -> usize {
    let ty = store.inner.func_type(func);
    let n = |ts: &[crate::ValType]| ts.iter().map(|t| t.slots()).sum::<usize>();
    n(ty.params()).max(n(ty.results()))
}

/// Calls the native code `entry` (from [`lookup`]) of function `func` of instance `inst` with its arguments at
/// `slots[off..]` of the value stack, leaving the results there.
///
/// `from_interp`: an interpreted function is the caller (its frame is running, not among
/// the saved frames); else the host or native code (through a helper) is.
pub(crate) fn call<T>(
    store: &mut Store<T>,
    inst: u32,
    func: u32,
    entry: NativeEntry,
    off: usize,
    from_interp: bool,
) -> Result<(), crate::Trap> {
    let ie = &store.inner.instances[inst as usize];
    let bodies = map_of(&ie.module, ie.flavour).bodies();
    let cx = context(store, inst, bodies);
    let n = {
        let ty = store.inner.instances[inst as usize].module.func_type(func);
        let c = |ts: &[crate::ValType]| ts.iter().map(|t| t.slots()).sum::<usize>();
        c(ty.params()).max(c(ty.results()))
    };
    // Arguments and results pass through a buffer: nested calls may move the value stack.
    let mut small = [0u64; 16];
    let mut big = Vec::new();
    let buf: &mut [u64] = if n <= small.len() {
        &mut small[..n]
    } else {
        big.resize(n, 0);
        &mut big
    };
    buf.copy_from_slice(&store.inner.stack.slots[off..off + n]);
    let saved_top = store.inner.stack.top;
    store.inner.stack.top = store.inner.stack.top.max(off + n);
    let r = super::vmctx::enter(store, inst, entry, cx, buf, !from_interp as i64);
    store.inner.stack.top = saved_top;
    r?;
    store.inner.stack.slots[off..off + n].copy_from_slice(buf);
    Ok(())
}

/// Instance `inst`'s context, made on first use.
fn context<T>(store: &mut Store<T>, inst: u32, bodies: *const AtomicUsize) -> *mut VmCtx {
    let i = inst as usize;
    if store.inner.jit.contexts.len() <= i {
        store.inner.jit.contexts.resize_with(i + 1, || None);
    }
    if store.inner.jit.contexts[i].is_none() {
        let cx = VmCtx::new(store, inst, bodies);
        store.inner.jit.contexts[i] = Some(cx);
    }
    let cx = store.inner.jit.contexts[i].as_mut().expect("made above");
    &mut **cx
}

/// The code cache key of `module`'s native code on `engine` (see [`code_cache`]).
pub(crate) fn cache_key(
    engine: &crate::Engine,
    module: &ModuleInner,
) -> Result<[u8; 32], CodeCacheError> {
    let jit = engine.jit().ok_or(CodeCacheError::NoNativeTier)?;
    Ok(code_cache::key(module, Flavour::of(engine), &jit.features))
}

/// Verifies `entry` and makes its functions' code the next thing each of them runs (see
/// `Module::load_native_code`). Returns how many functions it holds.
pub(crate) fn load_entry(
    engine: &crate::Engine,
    module: &ModuleInner,
    entry: &[u8],
) -> Result<usize, CodeCacheError> {
    let key = cache_key(engine, module)?;
    let defined = module.num_imported_funcs..module.funcs.len() as u32;
    let entry = code_cache::read(entry, &key, defined)?;
    let map = map_of(module, Flavour::of(engine));
    let n = entry.funcs.len();
    // Published first: a thread that sees `CACHED` finds the entry.
    *map.loaded.lock() = Some(Arc::new(entry));
    let loaded = map.loaded.lock().clone().expect("set above");
    for &f in loaded.funcs.keys() {
        let _ = map.state[f as usize].compare_exchange(
            INTERPRETED,
            CACHED,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }
    Ok(n)
}

/// A code cache entry with every function of `module` that has native code on `engine`
/// (compiled, or loaded from an entry), if any was compiled since the module was loaded or
/// this was last asked (see `Module::native_code_entry`).
pub(crate) fn entry_of(
    engine: &crate::Engine,
    module: &ModuleInner,
) -> Result<Option<Vec<u8>>, CodeCacheError> {
    let key = cache_key(engine, module)?;
    let Some(map) = module.native_map_if_made(Flavour::of(engine)) else {
        return Ok(None);
    };
    if !map.fresh.swap(false, Ordering::AcqRel) {
        return Ok(None);
    }
    let loaded = map.loaded.lock().clone();
    let jit = engine.jit().ok_or(CodeCacheError::NoNativeTier)?;
    // Code read here is not freed meanwhile, even if an eviction retires it.
    Ok(Some(jit.reclaim.hold(|| {
        let mut funcs = Vec::new();
        for (i, state) in map.state.iter().enumerate() {
            let index = i as u32;
            let code = match state.load(Ordering::Acquire) {
                NATIVE => {
                    let p = map.funcs[i].load(Ordering::Acquire);
                    // SAFETY: published code; freeing waits for `hold`.
                    (!p.is_null()).then(|| unsafe { &*p }.code())
                }
                CACHED => loaded.as_ref().and_then(|e| e.body(index)),
                _ => None,
            };
            if let Some((body, trampoline, sites)) = code {
                funcs.push(code_cache::EntryFunc {
                    index,
                    body,
                    trampoline,
                    sites,
                });
            }
        }
        code_cache::write(&key, &funcs)
    })))
}

/// What `Module::precompile` made: a code cache entry and how many functions it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precompiled {
    /// The code cache entry (to store under `Module::code_cache_key`).
    pub entry: Vec<u8>,
    /// Functions compiled into the entry.
    pub compiled: usize,
    /// Functions the native tier refused (they will run in the interpreter).
    pub refused: usize,
    /// Why the first refused function was refused.
    pub first_refusal: Option<String>,
}

/// Compiles every function `module` defines for `engine` into a code cache entry (nothing
/// is mapped executable).
pub(crate) fn precompile(
    engine: &crate::Engine,
    module: &ModuleInner,
) -> Result<Precompiled, CodeCacheError> {
    let jit = engine.jit().ok_or(CodeCacheError::NoNativeTier)?;
    let key = cache_key(engine, module)?;
    let flavour = Flavour::of(engine);
    let mut codes = Vec::new();
    let (mut refused, mut first_refusal) = (0, None);
    for index in module.num_imported_funcs..module.funcs.len() as u32 {
        match compile::compile(&jit.isa, module, flavour, index, None) {
            Ok(code) => codes.push((index, code)),
            Err(e) => {
                refused += 1;
                first_refusal.get_or_insert_with(|| alloc::format!("function {index}: {e}"));
            }
        }
    }
    let funcs: Vec<_> = codes
        .iter()
        .map(|(index, code)| code_cache::EntryFunc {
            index: *index,
            body: &code.body,
            trampoline: &code.trampoline,
            sites: &code.sites,
        })
        .collect();
    Ok(Precompiled {
        entry: code_cache::write(&key, &funcs),
        compiled: codes.len(),
        refused,
        first_refusal,
    })
}

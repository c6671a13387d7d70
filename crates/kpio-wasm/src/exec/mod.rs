//! The executor: runs register bytecode in one loop. Guest-to-guest calls push a `Frame` on
//! a heap vector instead of recursing on the host stack, so guest recursion depth is bounded
//! by `Config` limits and ends in a "call stack exhausted" trap, never a host overflow.
//!
//! Hot state (instruction pointer, frame pointer, memory base and length) lives in locals;
//! it is reloaded after anything that may move it: calls, returns, `memory.grow`, host calls.
//!
//! The running function is named by its instance and its module index; the code comes from
//! the module's code map, and the module indices in it are mapped to store entities through
//! the instance (`InstanceEntity`'s index spaces).

mod float;
pub(crate) mod memory;
pub(crate) mod ops;
mod simd;
pub(crate) mod table;
#[cfg(kpio_threaded)]
mod threaded;

use ops::{frame_helpers, simple_ops};

use crate::Store;
use crate::code::{CodeMap, CompiledFunc};
use crate::func::Caller;
use crate::ir::Instr;
use crate::store::{FuncKind, StoreInner};
use crate::translate;
use crate::trap::{BACKTRACE_KEEP, FrameInfo, Trap, TrapCode};
use crate::value::Val;
use alloc::vec::Vec;

/// Which dispatch backend this build of the interpreter uses with [`Dispatch::Auto`]
/// (the default): `"threaded"` (per-handler tail calls, x86_64 hosted optimised builds; see
/// `build.rs`) or `"portable"` (one `match` loop). Tests assert it so a build that silently
/// lost threaded dispatch shows. [`Engine::dispatch_backend`](crate::Engine::dispatch_backend)
/// says what one engine runs, [`Dispatch::Portable`] included.
///
/// [`Dispatch::Auto`]: crate::Dispatch::Auto
/// [`Dispatch::Portable`]: crate::Dispatch::Portable
pub fn dispatch_backend() -> &'static str {
    if cfg!(kpio_threaded) {
        "threaded"
    } else {
        "portable"
    }
}

/// A suspended caller.
pub(crate) struct Frame {
    ip: *const Instr,
    fp: usize,
    /// Module index of the function.
    func: u32,
    instance: u32,
}

/// The value stack and call frames, reused across calls.
#[derive(Default)]
pub(crate) struct Stack {
    pub(crate) slots: Vec<u64>,
    pub(crate) frames: Vec<Frame>,
    /// First free slot: nested host-to-wasm calls start here.
    pub(crate) top: usize,
    /// Scratch for host function arguments and results.
    vals: Vec<Val>,
    /// Host-to-wasm entries in progress (re-entry from host functions nests them).
    entries: usize,
}

impl Stack {
    /// The value stack's slots below `extent` (clamped to its length): the live frames
    /// when `extent` is the end of the running one.
    pub(crate) fn live_slots(&self, extent: usize) -> &[u64] {
        &self.slots[..extent.min(self.slots.len())]
    }
}

// SAFETY: `Frame::ip` points into bytecode owned by a module that an instance of the store
// keeps alive (code is never freed before its module); it is only dereferenced by the
// executor holding `&mut Store`.
unsafe impl Send for Stack {}
// SAFETY: as for `Send`: nothing reads through `Frame::ip` from a shared `&Stack`.
unsafe impl Sync for Stack {}

/// The code map instance `inst` runs. The map lives in the instance's module, which the
/// store keeps alive as long as the instance, so the pointer stays valid for the store's
/// lifetime.
fn code_map_of<T>(inner: &StoreInner<T>, inst: u32) -> *const CodeMap {
    inner.instances[inst as usize].code()
}

/// Returns the bytecode of function `func` (module index) of instance `inst`, translating
/// it if no instance of the module ran it yet.
fn compiled<T>(inner: &StoreInner<T>, inst: u32, func: u32) -> Result<&CompiledFunc, Trap> {
    let ie = &inner.instances[inst as usize];
    translate::compiled(&ie.module, ie.code(), func)
}

/// Makes sure `slots` has at least `needed` entries, within the configured limit.
fn reserve_slots<T>(inner: &mut StoreInner<T>, needed: usize) -> Result<(), TrapCode> {
    if needed <= inner.stack.slots.len() {
        return Ok(());
    }
    let max = inner.max_slots();
    let slots = &mut inner.stack.slots;
    if needed > max {
        return Err(TrapCode::StackExhausted);
    }
    let new_len = needed.max(slots.len() * 2).max(1024).min(max);
    slots
        .try_reserve(new_len - slots.len())
        .map_err(|_| TrapCode::StackExhausted)?;
    slots.resize(new_len, 0);
    Ok(())
}

/// Calls store function `func` from the host.
pub(crate) fn call<T>(
    store: &mut Store<T>,
    func: u32,
    params: &[Val],
    results: &mut [Val],
) -> Result<(), Trap> {
    if store.inner.stack.entries >= store.inner.engine.config().max_host_reentry {
        return Err(TrapCode::StackExhausted.into());
    }
    let base = store.inner.stack.top;
    let ty = store.inner.func_type(func);
    let slots_of = |ts: &[crate::ValType]| ts.iter().map(|t| t.slots()).sum::<usize>();
    let n = slots_of(ty.params()).max(slots_of(ty.results()));
    reserve_slots(&mut store.inner, base + n)?;
    write_vals(&mut store.inner.stack.slots[base..], params.iter().copied());
    let depth = store.inner.stack.frames.len();
    store.inner.stack.entries += 1;
    let r = match store.inner.funcs[func as usize].kind {
        FuncKind::Wasm(ref w) => {
            let (inst, index) = (w.instance, w.index);
            run_wasm(store, inst, index, base)
        }
        FuncKind::Host(_) => call_host(store, func, base, None),
    };
    store.inner.stack.entries -= 1;
    store.inner.stack.frames.truncate(depth);
    store.inner.stack.top = base;
    r.map_err(Trap::closed)?;
    let ty = store.inner.func_type(func);
    read_vals(
        &store.inner.stack.slots[base..],
        ty.results(),
        results.iter_mut(),
    );
    Ok(())
}

/// Runs function `index` of instance `inst` with its arguments at `slots[base..]`: its
/// native code if it has (or now gets) some, else the interpreter.
fn run_wasm<T>(store: &mut Store<T>, inst: u32, index: u32, base: usize) -> Result<(), Trap> {
    #[cfg(feature = "jit")]
    if let Some(entry) = crate::jit::native::lookup(store, inst, index) {
        return crate::jit::native::call(store, inst, index, entry, base, false);
    }
    // SAFETY: the stack holds the arguments at `base`; `run` upholds its invariants.
    unsafe { run(store, inst, index, base) }
}

/// Calls store function `func` for native code, with the arguments in `slots` (in slot
/// form) and the results written back there; `caller` is the calling instance (for host
/// functions' `Caller`). Runs above everything live on the value stack.
#[cfg(feature = "jit")]
pub(crate) fn call_with_slots<T>(
    store: &mut Store<T>,
    func: u32,
    slots: &mut [u64],
    caller: Option<u32>,
) -> Result<(), Trap> {
    let base = store.inner.stack.top;
    let n = slots.len();
    reserve_slots(&mut store.inner, base + n.max(1))?;
    store.inner.stack.slots[base..base + n].copy_from_slice(slots);
    let depth = store.inner.stack.frames.len();
    let r = match store.inner.funcs[func as usize].kind {
        FuncKind::Wasm(ref w) => {
            let (inst, index) = (w.instance, w.index);
            run_wasm(store, inst, index, base)
        }
        // Native code's frames must not continue the backtrace of a trap a host function
        // passed on, as the interpreter's do not (`Trap::with_backtrace`).
        FuncKind::Host(_) => call_host(store, func, base, caller).map_err(Trap::sealed_if_traced),
    };
    store.inner.stack.frames.truncate(depth);
    store.inner.stack.top = base;
    r?;
    slots.copy_from_slice(&store.inner.stack.slots[base..base + n]);
    Ok(())
}

/// The store function at index `i` of module table `table` of instance `inst`, checked
/// against module type `ty`, or the trap of a bad indirect call.
fn indirect_callee_at<T>(
    inner: &StoreInner<T>,
    inst: u32,
    table: u32,
    ty: u32,
    i: u64,
) -> Result<u32, TrapCode> {
    let ie = &inner.instances[inst as usize];
    let Ok(r) = table::get(&inner.tables[ie.tables[table as usize] as usize].elems, i) else {
        return Err(TrapCode::UndefinedElement);
    };
    if r == 0 {
        return Err(TrapCode::UninitializedElement);
    }
    let callee = (r - 1) as u32;
    if inner.funcs[callee as usize].ty != ie.types[ty as usize] {
        return Err(TrapCode::IndirectCallTypeMismatch);
    }
    Ok(callee)
}

/// [`indirect_callee_at`] for native code's `call_indirect` (the element index of a 32-bit
/// table zero-extended).
#[cfg(feature = "jit")]
pub(crate) fn indirect_callee<T>(
    store: &Store<T>,
    inst: u32,
    table: u32,
    ty: u32,
    elem: u64,
) -> Result<u32, TrapCode> {
    indirect_callee_at(&store.inner, inst, table, ty, elem)
}

/// Writes `vals` into consecutive slots from `out[0]`, a `v128` taking two (the calling
/// convention of arguments and results).
fn write_vals(out: &mut [u64], vals: impl Iterator<Item = Val>) {
    let mut k = 0;
    for v in vals {
        let (lo, hi) = v.to_slots();
        out[k] = lo;
        if v.ty() == crate::ValType::V128 {
            out[k + 1] = hi;
        }
        k += v.ty().slots();
    }
}

/// Reads values of types `tys` from consecutive slots from `slots[0]` into `out`.
fn read_vals<'v>(slots: &[u64], tys: &[crate::ValType], out: impl Iterator<Item = &'v mut Val>) {
    let mut k = 0;
    for (r, t) in out.zip(tys) {
        let hi = if *t == crate::ValType::V128 {
            slots[k + 1]
        } else {
            0
        };
        *r = Val::from_slots(*t, slots[k], hi);
        k += t.slots();
    }
}

/// Calls host function `func` with arguments at `slots[base..]`, writing results there.
fn call_host<T>(
    store: &mut Store<T>,
    func: u32,
    base: usize,
    instance: Option<u32>,
) -> Result<(), Trap> {
    let entity = &store.inner.funcs[func as usize];
    let FuncKind::Host(h) = &entity.kind else {
        unreachable!("call_host on a wasm function")
    };
    let h = h.clone();
    let ty = &store.inner.types[entity.ty as usize];
    let np = ty.params().len();
    let slots_of = |ts: &[crate::ValType]| ts.iter().map(|t| t.slots()).sum::<usize>();
    let (sp, sr) = (slots_of(ty.params()), slots_of(ty.results()));
    let mut vals = core::mem::take(&mut store.inner.stack.vals);
    vals.clear();
    vals.extend(ty.params().iter().map(|t| Val::default_for(*t)));
    read_vals(
        &store.inner.stack.slots[base..],
        ty.params(),
        vals.iter_mut(),
    );
    for t in ty.results() {
        vals.push(Val::default_for(*t));
    }
    let saved_top = store.inner.stack.top;
    store.inner.stack.top = base + sp.max(sr);
    let (args, rets) = vals.split_at_mut(np);
    let r = h(
        Caller {
            store: &mut *store,
            instance,
        },
        args,
        rets,
    );
    store.inner.stack.top = saved_top;
    let r = r.and_then(|()| {
        let ty = &store.inner.types[store.inner.funcs[func as usize].ty as usize];
        for (v, t) in vals[np..].iter().zip(ty.results()) {
            if !store.inner.val_matches(v, *t) {
                return Err(Trap::host(alloc::format!(
                    "host function returned {} for a result of type {t}",
                    v.ty()
                )));
            }
        }
        write_vals(
            &mut store.inner.stack.slots[base..],
            vals[np..].iter().copied(),
        );
        Ok(())
    });
    store.inner.stack.vals = vals;
    r
}

/// Builds the wasm backtrace of a trap: the trapping frame, then its callers, keeping only
/// the innermost and outermost `BACKTRACE_KEEP` of a deep stack; returns the frames and
/// how many were left out between them. Memory and time are bounded by what is kept.
fn backtrace<T>(
    inner: &StoreInner<T>,
    (inst, func): (u32, u32),
    ip: *const Instr,
    depth: usize,
) -> (Vec<FrameInfo>, usize) {
    let info = |(inst, func): (u32, u32), ip: *const Instr| {
        let ie = &inner.instances[inst as usize];
        let module_offset = ie.code().get(func).and_then(|c| {
            let i = (ip as usize).wrapping_sub(c.code.as_ptr() as usize) / size_of::<Instr>();
            c.offsets.get(i).map(|o| *o as usize)
        });
        FrameInfo {
            func_index: func,
            func_name: ie.module.func_names.get(&func).cloned(),
            module_offset,
        }
    };
    // Innermost first: the trapping frame, then the saved frames from the top down. A
    // saved ip is the return address: the call is the instruction before it.
    let saved = &inner.stack.frames[depth..];
    let caller = |f: &Frame| ((f.instance, f.func), f.ip.wrapping_sub(1));
    let inward = core::iter::once(((inst, func), ip)).chain(saved.iter().rev().map(caller));
    let total = 1 + saved.len();
    let omitted = total.saturating_sub(2 * BACKTRACE_KEEP);
    let mut out = Vec::with_capacity(total.min(2 * BACKTRACE_KEEP));
    if omitted == 0 {
        out.extend(inward.map(|(f, ip)| info(f, ip)));
    } else {
        // The innermost frames, then the outermost ones (the first saved, reversed),
        // without visiting the middle.
        out.extend(inward.take(BACKTRACE_KEEP).map(|(f, ip)| info(f, ip)));
        let outer = saved[..BACKTRACE_KEEP].iter().rev().map(caller);
        out.extend(outer.map(|(f, ip)| info(f, ip)));
    }
    (out, omitted)
}

/// Where the running frame of function `func` (module index) of instance `inst`, at slot
/// `fp_off`, ends: what the value stack holds live.
fn frame_end<T>(inner: &StoreInner<T>, inst: u32, func: u32, fp_off: usize) -> usize {
    let c = inner.instances[inst as usize].code().get(func);
    fp_off + c.map_or(0, |c| c.frame_size as usize)
}

/// Where an exception is caught: the handling frame and its landing pad.
struct Landing {
    inst: u32,
    func: u32,
    ip: *const Instr,
    fp: usize,
}

/// Unwinds to the handler of exception `exn` (a live object's slot): looks up the running
/// frame's handler table at `ip` (unless `skip`: a frame a tail call to the host replaced),
/// then each caller's at its call, popping frames down to `depth`. At the handler, writes
/// the payload (and the reference) where the clause's pad expects them. `None`: no frame of
/// this run catches it; the frames are popped.
fn unwind<T>(
    inner: &mut StoreInner<T>,
    depth: usize,
    exn: u64,
    (mut inst, mut func): (u32, u32),
    mut ip: *const Instr,
    mut fp: usize,
    mut skip: bool,
) -> Option<Landing> {
    let tag = inner.exns.get(exn).expect("a thrown exception is live").tag;
    loop {
        if !skip {
            let ie = &inner.instances[inst as usize];
            let c = ie
                .code()
                .get(func)
                .expect("a running function is translated");
            if !c.handlers.is_empty() {
                let pc = (ip as usize).wrapping_sub(c.code.as_ptr() as usize) / size_of::<Instr>();
                let tags = &ie.tags;
                if let Some(h) = c.handler_for(pc, |t| tags[t as usize] == tag) {
                    let obj = inner.exns.get(exn).expect("live");
                    let d = fp + h.dst as usize;
                    let mut n = 0;
                    if h.tag != crate::code::CATCH_ALL {
                        n = obj.payload.len();
                        inner.stack.slots[d..d + n].copy_from_slice(&obj.payload);
                    }
                    if h.with_ref {
                        inner.stack.slots[d + n] = exn;
                    }
                    return Some(Landing {
                        inst,
                        func,
                        ip: c.code[h.pad as usize..].as_ptr(),
                        fp,
                    });
                }
            }
        }
        skip = false;
        if inner.stack.frames.len() == depth {
            return None;
        }
        let f = inner.stack.frames.pop().expect("frame above depth");
        // A saved ip is the return address: the call is the instruction before it.
        (inst, func, ip, fp) = (f.instance, f.func, f.ip.wrapping_sub(1), f.fp);
    }
}

/// Base and length of instance `inst`'s memory 0 (null and 0 without one).
fn mem_of<T>(inner: &StoreInner<T>, inst: u32) -> (*mut u8, usize) {
    match inner.instances[inst as usize].memories.first() {
        Some(&m) => {
            let m = &inner.memories[m as usize];
            (m.base(), m.len())
        }
        None => (core::ptr::null_mut(), 0),
    }
}

/// The store function a `call_ref` reference names (`index + 1`), or its null trap.
#[inline(always)]
fn ref_callee(r: u64) -> Result<u32, TrapCode> {
    match r.checked_sub(1) {
        Some(f) => Ok(f as u32),
        None => Err(TrapCode::NullFunctionReference),
    }
}

/// Effective address check: `addr + off .. + N` must lie within `len`.
#[inline(always)]
fn ea(addr: u64, off: u32, n: usize, len: usize) -> Result<usize, TrapCode> {
    let a = (addr as u32 as usize) + off as usize;
    if a + n <= len {
        Ok(a)
    } else {
        Err(TrapCode::MemoryOutOfBounds)
    }
}

/// `memory.init`: `n` bytes of data segment `data` from `s` to `d` in memory `mem` (store
/// indices). `d` is an address of the memory's index type (zero-extended if 32-bit).
pub(crate) fn memory_init<T>(
    inner: &mut StoreInner<T>,
    mem: u32,
    data: u32,
    d: u64,
    s: u32,
    n: u32,
) -> Result<(), TrapCode> {
    let src = inner.datas[data as usize].bytes();
    let src = src
        .get(s as usize..s as usize + n as usize)
        .ok_or(TrapCode::MemoryOutOfBounds)?;
    let m = &mut inner.memories[mem as usize];
    memory::bytes_mut(m, d, 0, n as usize)?.copy_from_slice(src);
    Ok(())
}

pub(crate) fn table_init<T>(
    inner: &mut StoreInner<T>,
    table: u32,
    elem: u32,
    d: u32,
    s: u32,
    n: u32,
) -> Result<(), TrapCode> {
    table::init(inner, table, elem, d.into(), s, n)
}

pub(crate) fn memory_fill<T>(
    inner: &mut StoreInner<T>,
    mem: u32,
    d: u64,
    v: u8,
    n: u64,
) -> Result<(), TrapCode> {
    let m = &mut inner.memories[mem as usize];
    let r = memory::range(d, 0, n, m.len())?;
    m.data_mut()[r].fill(v);
    Ok(())
}

pub(crate) fn memory_copy<T>(
    inner: &mut StoreInner<T>,
    mem: u32,
    d: u32,
    s: u32,
    n: u32,
) -> Result<(), TrapCode> {
    memory::copy(&mut inner.memories, mem, mem, d as u64, s as u64, n as u64)
}

pub(crate) fn table_copy<T>(
    inner: &mut StoreInner<T>,
    dt: u32,
    st: u32,
    d: u32,
    s: u32,
    n: u32,
) -> Result<(), TrapCode> {
    table::copy(inner, dt, st, d.into(), s.into(), n.into())
}

pub(crate) fn table_fill<T>(
    inner: &mut StoreInner<T>,
    table: u32,
    i: u32,
    v: u64,
    n: u32,
) -> Result<(), TrapCode> {
    table::fill(inner, table, i.into(), v, n.into())
}

/// Runs function `entry` (module index) of instance `entry_inst` with its frame at
/// `slots[base..]` until it returns.
///
/// # Safety
/// `slots[base..base + nparams]` must hold the arguments. The loop keeps raw pointers to the
/// slot vector and linear memory and refreshes them after every operation that may move them.
// The outer loop never loops: it only gives `enter!`'s `break` a target for the first entry.
#[allow(clippy::never_loop)]
unsafe fn run<T>(
    store: &mut Store<T>,
    entry_inst: u32,
    entry: u32,
    base: usize,
) -> Result<(), Trap> {
    let depth = store.inner.stack.frames.len();
    #[cfg(feature = "jit")]
    let max_depth = crate::jit::native::max_call_depth(store);
    #[cfg(not(feature = "jit"))]
    let max_depth = store.inner.engine.config().max_call_depth;
    // `Dispatch::Portable` skips the threaded handlers: read once per run, tested once per
    // pass of the loop below (the threaded handlers run until an instruction bails, so the
    // test is not per instruction).
    #[cfg(kpio_threaded)]
    let threaded = store.inner.engine.config().dispatch == crate::Dispatch::Auto;
    // With a native tier, calls consult it (so the threaded handlers hand calls back).
    #[cfg(feature = "jit")]
    let jit_on = store.inner.engine.jit().is_some();
    // Room for calls the threaded handlers can make without reallocating.
    let _ = store.inner.stack.frames.try_reserve(256);

    // The running function: its instance, its module index, and the module's code map
    // (valid while the store lives: the instance keeps its module alive).
    let mut inst = entry_inst;
    let mut func = entry;
    let mut code_map: *const CodeMap = code_map_of(&store.inner, inst);
    let mut ip: *const Instr;
    let mut fp: *mut u64;
    // The value stack's buffer `fp` points into: a host or native call may grow the stack
    // and move it, after which `refresh!` finds the frame's offset from this, not from the
    // new buffer.
    let mut fp_buf: usize;
    let mut mem_base: *mut u8;
    let mut mem_len: usize;

    // Enters function `$f` (module index) of instance `$i` with its frame at slot offset
    // `$off`.
    macro_rules! enter {
        ($i:expr, $f:expr, $off:expr) => {{
            let (i, f, off): (u32, u32, usize) = ($i, $f, $off);
            if i != inst {
                inst = i;
                code_map = code_map_of(&store.inner, inst);
            }
            // SAFETY: `code_map` is the running instance's, alive while the store is.
            let cached = unsafe { (*code_map).get(f) };
            let c: *const CompiledFunc = match cached {
                Some(c) => c,
                None => match compiled(&store.inner, inst, f) {
                    Ok(c) => c,
                    Err(t) => break Err(t),
                },
            };
            // SAFETY: boxed code in the module's code map never moves, and is freed only
            // with the module, which the store's instance keeps alive.
            let c = unsafe { &*c };
            let (code, nparams, frame) =
                (c.code.as_ptr(), c.nparams as usize, c.frame_size as usize);
            if let Err(t) = reserve_slots(&mut store.inner, off + frame) {
                break Err(t.into());
            }
            let slots = &mut store.inner.stack.slots[off..off + frame];
            slots[nparams..nparams + c.frame_init.len()].copy_from_slice(&c.frame_init);
            // SAFETY: `reserve_slots` made the stack at least `off + frame` slots long.
            fp = unsafe { store.inner.stack.slots.as_mut_ptr().add(off) };
            fp_buf = store.inner.stack.slots.as_ptr() as usize;
            ip = code;
            func = f;
            (mem_base, mem_len) = mem_of(&store.inner, inst);
        }};
    }

    ip = core::ptr::null();

    let result: Result<(), Trap> = 'outer: loop {
        enter!(entry_inst, entry, base);
        let r = loop {
            frame_helpers!({ $ } ip, fp, mem_base, mem_len);
            // This loop keeps no accumulator: its accumulator forms read the operand's slot,
            // which the instruction before wrote too.
            macro_rules! keep_result {
                ($v:expr) => {
                    let _ = $v;
                };
            }
            macro_rules! trap {
                ($c:expr) => {
                    break Err(Trap::new($c))
                };
            }
            // The `Aux` word after the current instruction. SAFETY: instructions that read
            // one are always followed by one (checked by `verify`).
            macro_rules! aux {
                () => {
                    match unsafe { *ip.add(1) } {
                        Instr::Aux { a, b, c } => (a, b, c),
                        _ => unreachable!("instruction without its Aux word"),
                    }
                };
            }
            // After the value stack may have been reallocated: `fp` keeps its offset.
            macro_rules! refresh {
                () => {{
                    // `fp` points into buffer `fp_buf`, which may have moved since: the
                    // offset is taken there, as plain numbers (the old buffer may be freed).
                    let off = (fp as usize - fp_buf) / core::mem::size_of::<u64>();
                    // SAFETY: the frame is still inside the (possibly new) buffer, which
                    // only ever grows.
                    fp = unsafe { store.inner.stack.slots.as_mut_ptr().add(off) };
                    fp_buf = store.inner.stack.slots.as_ptr() as usize;
                    (mem_base, mem_len) = mem_of(&store.inner, inst);
                }};
            }
            // The store index of the running instance's entity `$idx` of kind `$space`
            // (`funcs`, `globals`, `memories`, `tables`, `types`, `elems`, `datas`).
            macro_rules! res {
                ($space:ident, $idx:expr) => {
                    store.inner.instances[inst as usize].$space[$idx as usize]
                };
            }

            // A `v128` operand: two adjacent slots, low half first.
            macro_rules! rv {
                ($s:expr) => {
                    (r!($s) as u128) | ((r!($s + 1) as u128) << 64)
                };
            }
            macro_rules! wv {
                ($d:expr, $v:expr) => {{
                    let v: u128 = $v;
                    set!($d, v as u64);
                    set!($d + 1, (v >> 64) as u64);
                    skip!(1);
                }};
            }
            // The bytes `addr + off .. + N` of memory 0, or an out-of-bounds trap.
            macro_rules! mem_at {
                ($a:expr, $off:expr, $n:expr) => {{
                    let a = tri!(ea(r!($a), $off, $n, mem_len));
                    // SAFETY: `ea` checked `a + N <= mem_len`, and `mem_base`/`mem_len`
                    // describe memory 0 as it is now (reloaded after anything that moves it).
                    unsafe { core::slice::from_raw_parts_mut(mem_base.add(a), $n) }
                }};
            }

            // An address operand of a memory of either index type: `i64` if `$is64`, else
            // the `i32` in the slot's low half, zero-extended.
            macro_rules! addr {
                ($is64:expr, $s:expr) => {
                    if $is64 { r!($s) } else { r32!($s) as u64 }
                };
            }
            // The 64-bit static offset in the `Aux` word after the current instruction.
            macro_rules! aux_offset {
                () => {{
                    let (lo, hi, _) = aux!();
                    lo as u64 | (hi as u64) << 32
                }};
            }
            // The first operand of the `Aux` word after the current instruction.
            macro_rules! aux_a {
                () => {
                    aux!().0
                };
            }
            // Calls store function `$callee` with its frame at slot `$base`; the caller
            // resumes `$len` instructions on (the call and its Aux words).
            macro_rules! call {
                ($callee:expr, $base:expr, $len:expr) => {{
                    let callee: u32 = $callee;
                    // SAFETY: `fp` points into the value stack's current buffer.
                    let fp_off =
                        unsafe { fp.offset_from(store.inner.stack.slots.as_ptr()) } as usize;
                    let callee_off = fp_off + $base as usize;
                    let (callee_inst, callee_index) = match &store.inner.funcs[callee as usize].kind
                    {
                        FuncKind::Wasm(w) => (w.instance, w.index),
                        FuncKind::Host(_) => {
                            if let Err(t) = reserve_slots(&mut store.inner, callee_off + 1) {
                                trap!(t);
                            }
                            if let Err(t) = call_host(store, callee, callee_off, Some(inst)) {
                                host_failed!(t, false);
                            }
                            skip!($len);
                            refresh!();
                            continue;
                        }
                    };
                    #[cfg(feature = "jit")]
                    if jit_on
                        && let Some(entry) =
                            crate::jit::native::lookup(store, callee_inst, callee_index)
                    {
                        if let Err(t) = crate::jit::native::call(
                            store,
                            callee_inst,
                            callee_index,
                            entry,
                            callee_off,
                            true,
                        ) {
                            host_failed!(t, false);
                        }
                        skip!($len);
                        refresh!();
                        continue;
                    }
                    if store.inner.stack.frames.len() >= max_depth {
                        trap!(TrapCode::StackExhausted);
                    }
                    store.inner.stack.frames.push(Frame {
                        // SAFETY: a call is never the last instruction (see `skip!`).
                        ip: unsafe { ip.add($len) },
                        fp: fp_off,
                        func,
                        instance: inst,
                    });
                    enter!(callee_inst, callee_index, callee_off);
                }};
            }
            // Returns to the saved caller (results are in slots from 0 on), or ends the run.
            macro_rules! ret {
                () => {{
                    if store.inner.stack.frames.len() == depth {
                        break Ok(());
                    }
                    let f = store.inner.stack.frames.pop().expect("frame above depth");
                    ip = f.ip;
                    // SAFETY: a saved frame lies inside the value stack.
                    fp = unsafe { store.inner.stack.slots.as_mut_ptr().add(f.fp) };
                    fp_buf = store.inner.stack.slots.as_ptr() as usize;
                    func = f.func;
                    if f.instance != inst {
                        inst = f.instance;
                        code_map = code_map_of(&store.inner, inst);
                    }
                    (mem_base, mem_len) = mem_of(&store.inner, inst);
                }};
            }
            // The store function at `slot[$index]` of table `$table`, checked against module
            // type `$ty`, or the trap of a bad indirect call. `@at`: at the 64-bit index `$i`
            // (a 64-bit table's, taken whole: past 2^32 it is undefined, never wrapped).
            macro_rules! indirect_callee {
                ($table:expr, $ty:expr, $index:expr) => {
                    indirect_callee!(@at $table, $ty, r32!($index) as u64)
                };
                (@at $table:expr, $ty:expr, $i:expr) => {{
                    match indirect_callee_at(&store.inner, inst, $table, $ty, $i) {
                        Ok(callee) => callee,
                        Err(c) => trap!(c),
                    }
                }};
            }
            // Tail-calls store function `$callee` whose `$n` argument slots are at `$base`:
            // they move to slot 0 and the callee takes over this frame, so the call stack
            // does not grow. A host callee runs there and this function returns its results.
            macro_rules! tail_call {
                ($callee:expr, $base:expr, $n:expr) => {{
                    let callee: u32 = $callee;
                    // SAFETY: `fp` points into the value stack's current buffer.
                    let fp_off =
                        unsafe { fp.offset_from(store.inner.stack.slots.as_ptr()) } as usize;
                    let from = fp_off + $base as usize;
                    // The arguments are temps of this frame, inside the stack (translation
                    // sized the frame for them); the copy may overlap, `copy_within` allows it.
                    store
                        .inner
                        .stack
                        .slots
                        .copy_within(from..from + $n as usize, fp_off);
                    match &store.inner.funcs[callee as usize].kind {
                        FuncKind::Wasm(w) => {
                            let (callee_inst, callee_index) = (w.instance, w.index);
                            enter!(callee_inst, callee_index, fp_off);
                        }
                        FuncKind::Host(_) => {
                            let ty =
                                &store.inner.types[store.inner.funcs[callee as usize].ty as usize];
                            let slots_of =
                                |ts: &[crate::ValType]| ts.iter().map(|t| t.slots()).sum::<usize>();
                            let need = slots_of(ty.params()).max(slots_of(ty.results())).max(1);
                            if let Err(t) = reserve_slots(&mut store.inner, fp_off + need) {
                                trap!(t);
                            }
                            if let Err(t) = call_host(store, callee, fp_off, Some(inst)) {
                                host_failed!(t, true);
                            }
                            // `ret!` reloads the frame pointer and memory (the host may have
                            // moved both).
                            ret!();
                        }
                    }
                }};
            }
            // Unwinds to the handler of exception `$exn` (a live object's slot) from the
            // running frame at `ip` (`$skip`: from its caller, the running frame having been
            // replaced by a tail call), or ends the run with the exception as its error.
            macro_rules! throw {
                ($exn:expr, $skip:expr) => {{
                    let exn: u64 = $exn;
                    // SAFETY: `fp` points into the value stack's current buffer.
                    let fp_off =
                        unsafe { fp.offset_from(store.inner.stack.slots.as_ptr()) } as usize;
                    match unwind(
                        &mut store.inner,
                        depth,
                        exn,
                        (inst, func),
                        ip,
                        fp_off,
                        $skip,
                    ) {
                        Some(l) => {
                            if l.inst != inst {
                                inst = l.inst;
                                code_map = code_map_of(&store.inner, inst);
                            }
                            func = l.func;
                            ip = l.ip;
                            // SAFETY: the handling frame lies inside the value stack.
                            fp = unsafe { store.inner.stack.slots.as_mut_ptr().add(l.fp) };
                            fp_buf = store.inner.stack.slots.as_ptr() as usize;
                            (mem_base, mem_len) = mem_of(&store.inner, inst);
                            continue;
                        }
                        None => break Err(store.inner.escaping(exn)),
                    }
                }};
            }
            // A host function called from here failed with `$t`: an exception (one that
            // left wasm it called, or that it passed on) propagates into this wasm, from
            // the call (`$skip` as for `throw!`); anything else ends the run.
            macro_rules! host_failed {
                ($t:expr, $skip:expr) => {{
                    let t: Trap = $t;
                    let Some(e) = t.exception() else {
                        break Err(t);
                    };
                    // SAFETY: `fp` points into the value stack's current buffer.
                    let fp_off =
                        unsafe { fp.offset_from(store.inner.stack.slots.as_ptr()) } as usize;
                    let extent = frame_end(&store.inner, inst, func, fp_off);
                    match store.inner.rethrown(e, extent) {
                        Ok(exn) => throw!(exn, $skip),
                        Err(t) => break Err(t),
                    }
                }};
            }
            // One `match` over every instruction: the simple ones from the shared table,
            // then the rest. With threaded dispatch on, the simple arms only run when a
            // threaded handler handed back an instruction that is about to trap.
            macro_rules! gen_match {
                ({ $($slow:tt)* } $($name:ident $fields:tt $([$($acc:tt)*])? => $body:block)*) => {
                    // SAFETY: `ip` points at an instruction of the running function's code.
                    match unsafe { *ip } {
                        $(Instr::$name $fields => $body)*
                        $($slow)*
                    }
                };
            }
            #[cfg(kpio_threaded)]
            if threaded {
                let ie = &store.inner.instances[inst as usize];
                let num_imported = ie.module.num_imported_funcs;
                let mut cx = threaded::FastCx {
                    first_defined: ie.funcs.get(num_imported as usize).copied().unwrap_or(0),
                    num_defined: ie.funcs.len() as u32 - num_imported,
                    num_imported,
                    slots: store.inner.stack.slots.as_mut_ptr(),
                    slots_len: store.inner.stack.slots.len(),
                    frames: &mut store.inner.stack.frames,
                    depth,
                    max_depth,
                    // SAFETY: the running instance's code map outlives the run.
                    code: unsafe { (*code_map).entries() },
                    instance: inst,
                    func,
                    fp,
                    interrupt: store.inner.interrupt.flag(),
                    mem_len,
                    #[cfg(feature = "jit")]
                    jit: jit_on,
                    #[cfg(feature = "jit")]
                    loop_counts: crate::jit::native::loop_counts(&store.inner, inst),
                    #[cfg(feature = "jit")]
                    loop_threshold: store
                        .inner
                        .engine
                        .config()
                        .jit_loop_threshold
                        .min(u32::MAX - 1),
                };
                // SAFETY: the state handed over is the portable loop's own, which upholds
                // what `threaded::run` requires; `code_map` is the running instance's.
                ip = unsafe { threaded::run(ip, fp, mem_base, mem_len, &mut cx) };
                fp = cx.fp;
                func = cx.func;
            }
            simple_ops!(gen_match {
                Instr::Trap { code } => trap!(code),
                Instr::Return | Instr::Return1 { .. } => {
                    // SAFETY: `ip` points at this `Return`/`Return1`.
                    if let Instr::Return1 { s } = unsafe { *ip } {
                        set!(0, r!(s));
                    }
                    ret!();
                }
                Instr::Call { func: callee, base } => call!(res!(funcs, callee), base, 1),
                Instr::CallIndirect { ty, index, base } => {
                    let (table, _, _) = aux!();
                    let callee = indirect_callee!(table, ty, index);
                    call!(callee, base, 2)
                }
                Instr::ReturnCall { func: callee, base } => {
                    let n = aux!().0;
                    tail_call!(res!(funcs, callee), base, n)
                }
                Instr::ReturnCallIndirect { ty, index, base } => {
                    let (table, n, _) = aux!();
                    let callee = indirect_callee!(table, ty, index);
                    tail_call!(callee, base, n)
                }
                Instr::CallRef { r, base, .. } => {
                    let callee = tri!(ref_callee(r!(r)));
                    call!(callee, base, 1)
                }
                Instr::ReturnCallRef { r, base, .. } => {
                    let callee = tri!(ref_callee(r!(r)));
                    let n = aux!().0;
                    tail_call!(callee, base, n)
                }
                Instr::Throw { tag, base } => {
                    let n = aux!().0 as usize;
                    // SAFETY: `fp` points into the value stack's current buffer.
                    let fp_off =
                        unsafe { fp.offset_from(store.inner.stack.slots.as_ptr()) } as usize;
                    let at = fp_off + base as usize;
                    let payload: alloc::boxed::Box<[u64]> =
                        store.inner.stack.slots[at..at + n].into();
                    let extent = frame_end(&store.inner, inst, func, fp_off);
                    let tag = res!(tags, tag);
                    match store.inner.new_exception(tag, payload, extent) {
                        Ok(exn) => throw!(exn, false),
                        Err(t) => break Err(t),
                    }
                }
                Instr::ThrowRef { s } => {
                    let exn = r!(s);
                    if exn == 0 {
                        trap!(TrapCode::NullExceptionReference);
                    }
                    if store.inner.exns.get(exn).is_none() {
                        break Err(Trap::host("throw_ref of a stale exception reference"));
                    }
                    throw!(exn, false)
                }
                Instr::Aux { .. } => unreachable!("Aux is never executed"),
                Instr::ConsumeFuel { amount } => {
                    let fuel = &mut store.inner.fuel;
                    if *fuel < amount as u64 {
                        trap!(TrapCode::OutOfFuel);
                    }
                    *fuel -= amount as u64;
                    skip!(1);
                }
                Instr::CheckInterrupt => {
                    if store.inner.interrupt.is_interrupted() {
                        trap!(TrapCode::Interrupted);
                    }
                    skip!(1);
                }
                Instr::LoopCount { id } => {
                    #[cfg(feature = "jit")]
                    if crate::jit::native::loop_due(&store.inner, inst, func) {
                        // SAFETY: `fp` points into the value stack's current buffer.
                        let fp_off =
                            unsafe { fp.offset_from(store.inner.stack.slots.as_ptr()) } as usize;
                        match crate::jit::native::osr(store, inst, func, id, fp_off) {
                            // Native code ran the rest of the function: its results are in
                            // the frame's first slots, as a return leaves them.
                            Some(Ok(())) => {
                                ret!();
                                continue;
                            }
                            Some(Err(t)) => host_failed!(t, false),
                            None => {}
                        }
                    }
                    let _ = id;
                    skip!(1);
                }
                Instr::GlobalGet { d, g } => {
                    w!(d, store.inner.globals[res!(globals, g) as usize].value)
                }
                Instr::GlobalSet { s, g } => {
                    let g = res!(globals, g);
                    store.inner.globals[g as usize].value = r!(s);
                    skip!(1);
                }
                Instr::RefFunc { d, func } => w!(d, res!(funcs, func) as u64 + 1),

                Instr::MemorySize { d, mem } => {
                    w!(d, store.inner.memories[res!(memories, mem) as usize].pages())
                }
                Instr::MemoryGrow { d, delta, mem } => {
                    let r = store.inner.grow_memory(res!(memories, mem), r32!(delta) as u64);
                    set!(d, r.map_or(u32::MAX as u64, |p| p));
                    skip!(1);
                    refresh!();
                }
                Instr::MemoryFill { d, v, n } => {
                    let mem = res!(memories, aux!().0);
                    tri!(memory_fill(
                        &mut store.inner,
                        mem,
                        r32!(d) as u64,
                        r!(v) as u8,
                        r32!(n) as u64
                    ));
                    skip!(2);
                }
                Instr::MemoryCopy { d, s, n } => {
                    let mem = res!(memories, aux!().0);
                    tri!(memory_copy(
                        &mut store.inner,
                        mem,
                        r32!(d),
                        r32!(s),
                        r32!(n)
                    ));
                    skip!(2);
                }
                Instr::MemoryInit { d, s, n } => {
                    let (mem, data, _) = aux!();
                    let (mem, data) = (res!(memories, mem), res!(datas, data));
                    tri!(memory_init(
                        &mut store.inner,
                        mem,
                        data,
                        r32!(d) as u64,
                        r32!(s),
                        r32!(n)
                    ));
                    skip!(2);
                }
                Instr::DataDrop { data } => {
                    let data = res!(datas, data);
                    store.inner.datas[data as usize].range = 0..0;
                    skip!(1);
                }
                Instr::TableGet { d, i, table } => {
                    let t = &store.inner.tables[res!(tables, table) as usize].elems;
                    let v = tri!(
                        t.get(r32!(i) as usize)
                            .copied()
                            .ok_or(TrapCode::TableOutOfBounds)
                    );
                    w!(d, v)
                }
                Instr::TableSet { i, v, table } => {
                    let val = r!(v);
                    let table = res!(tables, table);
                    let t = &mut store.inner.tables[table as usize].elems;
                    let e = tri!(
                        t.get_mut(r32!(i) as usize)
                            .ok_or(TrapCode::TableOutOfBounds)
                    );
                    *e = val;
                    skip!(1);
                }
                Instr::TableSize { d, table } => {
                    w!(d, store.inner.tables[res!(tables, table) as usize].elems.len() as u64)
                }
                Instr::TableGrow { d, init, delta } => {
                    let table = res!(tables, aux!().0);
                    let r = store.inner.grow_table(table, r32!(delta), r!(init));
                    set!(d, r.map_or(u32::MAX, |p| p) as u64);
                    skip!(2);
                }
                Instr::TableFill { i, v, n } => {
                    let table = res!(tables, aux!().0);
                    tri!(table_fill(&mut store.inner, table, r32!(i), r!(v), r32!(n)));
                    skip!(2);
                }
                Instr::TableCopy { d, s, n } => {
                    let (dt, st, _) = aux!();
                    let (dt, st) = (res!(tables, dt), res!(tables, st));
                    tri!(table_copy(
                        &mut store.inner,
                        dt,
                        st,
                        r32!(d),
                        r32!(s),
                        r32!(n)
                    ));
                    skip!(2);
                }
                Instr::TableInit { d, s, n } => {
                    let (table, elem, _) = aux!();
                    let (table, elem) = (res!(tables, table), res!(elems, elem));
                    tri!(table_init(
                        &mut store.inner,
                        table,
                        elem,
                        r32!(d),
                        r32!(s),
                        r32!(n)
                    ));
                    skip!(2);
                }
                Instr::ElemDrop { elem } => {
                    let elem = res!(elems, elem);
                    store.inner.elems[elem as usize].items = Vec::new();
                    skip!(1);
                }
                // table64: here only (the threaded backend hands these back). `i64` indices
                // and lengths, taken whole; see `table`.
                Instr::TableGet64 { d, i, table } => {
                    let t = &store.inner.tables[res!(tables, table) as usize].elems;
                    w!(d, tri!(table::get(t, r!(i))))
                }
                Instr::TableSet64 { i, v, table } => {
                    let (i, val) = (r!(i), r!(v));
                    let t = &mut store.inner.tables[res!(tables, table) as usize].elems;
                    *tri!(table::get_mut(t, i)) = val;
                    skip!(1);
                }
                Instr::TableGrow64 { d, init, delta } => {
                    let table = res!(tables, aux_a!());
                    let r = store.inner.grow_table64(table, r!(delta), r!(init));
                    set!(d, r.unwrap_or(u64::MAX));
                    skip!(2);
                }
                Instr::TableFill64 { i, v, n } => {
                    let table = res!(tables, aux_a!());
                    tri!(table::fill(&mut store.inner, table, r!(i), r!(v), r!(n)));
                    skip!(2);
                }
                Instr::TableCopyAny { d, s, n } => {
                    let (dt, st, flags) = aux!();
                    let (dt, st) = (res!(tables, dt), res!(tables, st));
                    let (d, s, n) = table::copy_operands(flags, r!(d), r!(s), r!(n));
                    tri!(table::copy(&mut store.inner, dt, st, d, s, n));
                    skip!(2);
                }
                Instr::TableInit64 { d, s, n } => {
                    let (table, elem, _) = aux!();
                    let (table, elem) = (res!(tables, table), res!(elems, elem));
                    tri!(table::init(
                        &mut store.inner,
                        table,
                        elem,
                        r!(d),
                        r32!(s),
                        r32!(n)
                    ));
                    skip!(2);
                }
                Instr::CallIndirect64 { ty, index, base } => {
                    let callee = indirect_callee!(@at aux_a!(), ty, r!(index));
                    call!(callee, base, 2)
                }
                Instr::ReturnCallIndirect64 { ty, index, base } => {
                    let (table, n, _) = aux!();
                    let callee = indirect_callee!(@at table, ty, r!(index));
                    tail_call!(callee, base, n)
                }

                // Multi-memory and memory64: here only (the threaded backend hands these
                // back). Any memory of the instance, of either index type; see `memory`.
                Instr::MemLoad { kind, is64, d, a, mem } => {
                    let (addr, off) = (addr!(is64, a), aux_offset!());
                    let m = &store.inner.memories[res!(memories, mem) as usize];
                    set!(d, tri!(memory::load(m, kind, addr, off)));
                    skip!(2);
                }
                Instr::MemStore { bytes, is64, a, v, mem } => {
                    let (addr, off, v) = (addr!(is64, a), aux_offset!(), r!(v));
                    let m = &mut store.inner.memories[res!(memories, mem) as usize];
                    tri!(memory::store(m, bytes as usize, addr, off, v));
                    skip!(2);
                }
                Instr::MemoryGrow64 { d, delta, mem } => {
                    let r = store.inner.grow_memory(res!(memories, mem), r!(delta));
                    set!(d, r.unwrap_or(u64::MAX));
                    skip!(1);
                    refresh!();
                }
                Instr::MemoryFill64 { d, v, n } => {
                    let mem = res!(memories, aux!().0);
                    tri!(memory_fill(&mut store.inner, mem, r!(d), r!(v) as u8, r!(n)));
                    skip!(2);
                }
                Instr::MemoryCopyAny { d, s, n } => {
                    let (dm, sm, wide) = aux!();
                    let (d64, s64) = (wide & 1 != 0, wide & 2 != 0);
                    // The length has the smaller of the two index types.
                    let n = if d64 && s64 { r!(n) } else { r32!(n) as u64 };
                    let (d, s) = (addr!(d64, d), addr!(s64, s));
                    let (dm, sm) = (res!(memories, dm), res!(memories, sm));
                    tri!(memory::copy(&mut store.inner.memories, dm, sm, d, s, n));
                    skip!(2);
                }
                Instr::MemoryInit64 { d, s, n } => {
                    let (mem, data, _) = aux!();
                    let (mem, data) = (res!(memories, mem), res!(datas, data));
                    tri!(memory_init(
                        &mut store.inner,
                        mem,
                        data,
                        r!(d),
                        r32!(s),
                        r32!(n)
                    ));
                    skip!(2);
                }
                Instr::V128MemLoad { kind, is64, d, a, mem } => {
                    let (addr, off) = (addr!(is64, a), aux_offset!());
                    let m = &store.inner.memories[res!(memories, mem) as usize];
                    let n = simd::load_width(kind);
                    let mut bytes = [0u8; 16];
                    bytes[..n].copy_from_slice(tri!(memory::bytes(m, addr, off, n)));
                    wv!(d, simd::load(kind, bytes));
                    skip!(1);
                }
                Instr::V128MemLoadLane { bytes: n, lane, is64, d, a, mem } => {
                    let (v, lo, hi) = aux!();
                    let (addr, off) = (addr!(is64, a), lo as u64 | (hi as u64) << 32);
                    let m = &store.inner.memories[res!(memories, mem) as usize];
                    let n = n as usize;
                    let mut bytes = [0u8; 8];
                    bytes[..n].copy_from_slice(tri!(memory::bytes(m, addr, off, n)));
                    let x = u64::from_le_bytes(bytes);
                    wv!(d, simd::replace_bytes(rv!(v), n, lane as usize, x));
                    skip!(1);
                }
                Instr::V128MemStore { is64, a, v, mem } => {
                    let (addr, off, v) = (addr!(is64, a), aux_offset!(), rv!(v));
                    let m = &mut store.inner.memories[res!(memories, mem) as usize];
                    tri!(memory::bytes_mut(m, addr, off, 16)).copy_from_slice(&v.to_le_bytes());
                    skip!(2);
                }
                Instr::V128MemStoreLane { bytes: n, lane, is64, a, v, mem } => {
                    let (addr, off) = (addr!(is64, a), aux_offset!());
                    let n = n as usize;
                    let x = simd::lane_bytes(rv!(v), n, lane as usize);
                    let m = &mut store.inner.memories[res!(memories, mem) as usize];
                    tri!(memory::store(m, n, addr, off, x));
                    skip!(2);
                }

                // Fixed-width SIMD: here only, for now (the threaded backend hands these back).
                Instr::V128Copy { d, s } => wv!(d, rv!(s)),
                Instr::V128Select { d, a, b } => {
                    let c = aux_a!();
                    let v = if r32!(c) != 0 { rv!(a) } else { rv!(b) };
                    wv!(d, v);
                    skip!(1);
                }
                Instr::V128GlobalGet { d, g } => {
                    let g = &store.inner.globals[res!(globals, g) as usize];
                    wv!(d, g.value as u128 | (g.hi as u128) << 64)
                }
                Instr::V128GlobalSet { s, g } => {
                    let v = rv!(s);
                    let g = &mut store.inner.globals[res!(globals, g) as usize];
                    (g.value, g.hi) = (v as u64, (v >> 64) as u64);
                    skip!(1);
                }
                Instr::V128Load { d, a, off, kind } => {
                    let n = simd::load_width(kind);
                    let mut bytes = [0u8; 16];
                    bytes[..n].copy_from_slice(mem_at!(a, off, n));
                    wv!(d, simd::load(kind, bytes))
                }
                Instr::V128LoadLane { d, a, off } => {
                    let (v, n, lane) = aux!();
                    let (n, lane) = (n as usize, lane as usize);
                    let mut bytes = [0u8; 8];
                    bytes[..n].copy_from_slice(mem_at!(a, off, n));
                    let x = u64::from_le_bytes(bytes);
                    wv!(d, simd::replace_bytes(rv!(v), n, lane, x));
                    skip!(1);
                }
                Instr::V128Store { a, v, off } => {
                    let v = rv!(v);
                    mem_at!(a, off, 16).copy_from_slice(&v.to_le_bytes());
                    skip!(1);
                }
                Instr::V128StoreLane { a, v, off, bytes, lane } => {
                    let n = bytes as usize;
                    let x = simd::lane_bytes(rv!(v), n, lane as usize);
                    mem_at!(a, off, n).copy_from_slice(&x.to_le_bytes()[..n]);
                    skip!(1);
                }
                Instr::SimdUnary { d, s, op } => wv!(d, simd::unary(op, rv!(s))),
                Instr::SimdSplat { d, s, op } => wv!(d, simd::splat(op, r!(s))),
                Instr::SimdToScalar { d, s, op, lane } => {
                    w!(d, simd::to_scalar(op, rv!(s), lane))
                }
                Instr::SimdBinary { d, a, b, op } => wv!(d, simd::binary(op, rv!(a), rv!(b))),
                Instr::SimdWithScalar { d, a, b, op, lane } => {
                    wv!(d, simd::with_scalar(op, rv!(a), r!(b), lane))
                }
                Instr::SimdTernary { d, a, b } => {
                    let (c, which, _) = aux!();
                    let v = if which == 0 {
                        simd::bitselect(rv!(a), rv!(b), rv!(c))
                    } else {
                        simd::shuffle(rv!(a), rv!(b), rv!(c))
                    };
                    wv!(d, v);
                    skip!(1);
                }
                Instr::SimdRelaxedTernary { d, a, b, op } => {
                    let (c, _, _) = aux!();
                    wv!(d, simd::ternary(op, rv!(a), rv!(b), rv!(c)));
                    skip!(1);
                }

            });
        };
        break 'outer r;
    };
    result.map_err(|t| {
        let (bt, omitted) = backtrace(&store.inner, (inst, func), ip, depth);
        t.with_backtrace(bt, omitted)
    })
}

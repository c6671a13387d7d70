//! Where a native body's machine code maps back to wasm offsets.
//!
//! Two kinds of trap abandon every native frame of an activation at once
//! ([`super::entry`]): a trap raised by native code of a module that catches no
//! exception, and, where native code relies on guard pages
//! ([`crate::code::Flavour::guarded`]) rather than checking its memory accesses, an
//! out-of-bounds access that faults ([`super::signals`]). Their backtraces are rebuilt
//! from these tables: for each native caller on the frame-pointer chain, the wasm offset
//! of the call its return address follows, and the faulting instruction's wasm offset.
//! (Native frames that return with a pending trap report their own offsets, through the
//! trap helper.)

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// A body's fault and call sites: code offset (from the body's start) -> wasm offset,
/// each sorted by code offset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sites {
    /// The memory accesses that may fault (on a guard page), at the offset of their
    /// instruction.
    pub faults: Vec<(u32, u32)>,
    /// The calls, at the offset of their return address.
    pub calls: Vec<(u32, u32)>,
}

impl Sites {
    /// The wasm offset of the access whose instruction starts at code offset `at`.
    pub fn fault_at(&self, at: u32) -> Option<u32> {
        lookup(&self.faults, at)
    }

    /// The wasm offset of the call whose return address is code offset `at`.
    pub fn call_returning_to(&self, at: u32) -> Option<u32> {
        lookup(&self.calls, at)
    }

    /// Appends the tables to `out` (the code cache's encoding: each table's length, then
    /// its pairs, all `u32` little-endian).
    pub fn write(&self, out: &mut Vec<u8>) {
        for table in [&self.faults, &self.calls] {
            out.extend_from_slice(&(table.len() as u32).to_le_bytes());
            for &(code, wasm) in table {
                out.extend_from_slice(&code.to_le_bytes());
                out.extend_from_slice(&wasm.to_le_bytes());
            }
        }
    }

    /// Reads what [`write`](Self::write) wrote at the start of `bytes`; returns the tables
    /// and the bytes after them, or None if they are cut short or not sorted (a damaged
    /// entry, which the code cache then discards).
    pub fn read(bytes: &[u8]) -> Option<(Sites, &[u8])> {
        let mut rest = bytes;
        let mut word = || -> Option<u32> {
            let (w, r) = rest.split_first_chunk::<4>()?;
            rest = r;
            Some(u32::from_le_bytes(*w))
        };
        let mut tables = [Vec::new(), Vec::new()];
        for table in &mut tables {
            let n = word()? as usize;
            // Each pair takes 8 bytes: a count larger than what is left is damage, and
            // must not reserve memory for it.
            let mut t = Vec::new();
            for _ in 0..n {
                t.push((word()?, word()?));
            }
            if !t.is_sorted_by(|a, b| a.0 < b.0) {
                return None;
            }
            *table = t;
        }
        let [faults, calls] = tables;
        Some((Sites { faults, calls }, rest))
    }
}

fn lookup(table: &[(u32, u32)], at: u32) -> Option<u32> {
    table
        .binary_search_by_key(&at, |&(code, _)| code)
        .ok()
        .map(|i| table[i].1)
}

/// The sites of `code`, as Cranelift compiled it: its heap-out-of-bounds trap records
/// and its call sites, each with the wasm offset of the instruction's source location.
pub(crate) fn of(code: &cranelift_codegen::CompiledCode) -> Sites {
    use cranelift_codegen::ir::TrapCode;
    let buffer = &code.buffer;
    let locs = buffer.get_srclocs_sorted();
    // The source location of the instruction covering code offset `at`.
    let wasm_at = |at: u32| -> Option<u32> {
        let i = locs.partition_point(|l| l.end <= at);
        let l = locs.get(i)?;
        (l.start <= at && !l.loc.is_default()).then(|| l.loc.bits())
    };
    let mut faults: Vec<(u32, u32)> = buffer
        .traps()
        .iter()
        .filter(|t| t.code == TrapCode::HEAP_OUT_OF_BOUNDS)
        .filter_map(|t| Some((t.offset, wasm_at(t.offset)?)))
        .collect();
    // A call's return address follows its last byte, which the call's location covers.
    let mut calls: Vec<(u32, u32)> = buffer
        .call_sites()
        .filter_map(|c| Some((c.ret_addr, wasm_at(c.ret_addr.checked_sub(1)?)?)))
        .collect();
    for t in [&mut faults, &mut calls] {
        t.sort_unstable();
        t.dedup_by_key(|p| p.0);
    }
    Sites { faults, calls }
}

/// A published body's place in [`BODIES`].
struct Published {
    end: usize,
    func: u32,
    sites: Arc<Sites>,
}

/// Every published body that has sites, by the address it starts at, for the fault
/// handler's trap (read once the faulting thread has resumed, never in the handler).
static BODIES: spin::Mutex<BTreeMap<usize, Published>> = spin::Mutex::new(BTreeMap::new());

/// A body's entry in the registry, removed when this is dropped (with the body's code:
/// [`super::native::NativeFunc`] holds it).
pub(crate) struct Registration(usize);

impl Drop for Registration {
    fn drop(&mut self) {
        BODIES.lock().remove(&self.0);
    }
}

/// Registers the body of module function `func` at `body` (its code's address range)
/// with its sites; None (nothing to register) if it has none.
pub(crate) fn register(
    body: core::ops::Range<usize>,
    func: u32,
    sites: &Arc<Sites>,
) -> Option<Registration> {
    if sites.faults.is_empty() && sites.calls.is_empty() {
        return None;
    }
    let entry = Published {
        end: body.end,
        func,
        sites: Arc::clone(sites),
    };
    BODIES.lock().insert(body.start, entry);
    Some(Registration(body.start))
}

/// `f` of the registered body containing address `pc`, its function and `pc`'s offset in it.
fn with_body<R>(pc: usize, f: impl FnOnce(&Sites, u32, u32) -> Option<R>) -> Option<R> {
    in_body(&BODIES.lock(), pc, f)
}

/// [`with_body`] with the registry locked already.
fn in_body<R>(
    bodies: &BTreeMap<usize, Published>,
    pc: usize,
    f: impl FnOnce(&Sites, u32, u32) -> Option<R>,
) -> Option<R> {
    let (&start, body) = bodies.range(..=pc).next_back()?;
    if pc >= body.end {
        return None;
    }
    f(&body.sites, body.func, (pc - start) as u32)
}

/// The function and wasm offset of the unchecked access whose instruction is at `pc`.
// Only the fault handler (hosted Linux) looks faults up.
#[cfg_attr(
    not(all(feature = "std", target_os = "linux", not(miri))),
    allow(dead_code)
)]
pub(crate) fn fault_at(pc: usize) -> Option<(u32, u32)> {
    with_body(pc, |s, func, at| Some((func, s.fault_at(at)?)))
}

/// The function and wasm offset of the call that returns to `pc`.
#[cfg_attr(
    not(all(feature = "std", target_os = "linux", not(miri))),
    allow(dead_code)
)]
pub(crate) fn call_returning_to(pc: usize) -> Option<(u32, u32)> {
    with_body(pc, |s, func, at| Some((func, s.call_returning_to(at)?)))
}

/// Appends to `out`, innermost first, the function and wasm offset of each native caller
/// on the frame-pointer chain above the frame at `fp`: the call its return address
/// follows. Stops below the entry frame at `entry_fp`, or at the first return address
/// that is no body's call site (the trampoline's, into the entry frame).
///
/// # Safety
/// `fp` is a frame of this thread's live stack below the entry frame at `entry_fp`, and
/// every frame between keeps a frame pointer.
pub(crate) unsafe fn callers(mut fp: usize, entry_fp: usize, out: &mut Vec<(u32, u32)>) {
    let bodies = BODIES.lock();
    while fp < entry_fp && fp.is_multiple_of(8) {
        // SAFETY: `fp` is a frame of the live stack below the entry frame (as the caller
        // promised, and the chain only goes up, checked below): its first word is the
        // caller's frame pointer, the next the return address.
        let (next, ret) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        let Some(frame) = in_body(&bodies, ret, |s, func, at| {
            Some((func, s.call_returning_to(at)?))
        }) else {
            break;
        };
        out.push(frame);
        if next <= fp {
            break;
        }
        fp = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_damage() {
        let s = Sites {
            faults: alloc::vec![(4, 10), (9, 12)],
            calls: alloc::vec![(20, 30)],
        };
        let mut out = Vec::new();
        s.write(&mut out);
        out.push(0xaa);
        let (back, rest) = Sites::read(&out).expect("reads back");
        assert_eq!(back, s);
        assert_eq!(rest, &[0xaa]);
        assert_eq!(back.fault_at(9), Some(12));
        assert_eq!(back.fault_at(8), None);
        assert_eq!(back.call_returning_to(20), Some(30));
        // Cut short anywhere: refused.
        for n in 0..out.len() - 1 {
            assert!(Sites::read(&out[..n]).is_none(), "cut at {n}");
        }
        // A count far past the bytes: refused without reserving for it.
        let mut huge = u32::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(&[0; 8]);
        assert!(Sites::read(&huge).is_none());
        // Unsorted: refused.
        let mut bad = Vec::new();
        Sites {
            faults: alloc::vec![(9, 1), (4, 2)],
            calls: Vec::new(),
        }
        .write(&mut bad);
        assert!(Sites::read(&bad).is_none());
    }
}

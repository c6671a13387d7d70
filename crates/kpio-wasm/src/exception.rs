//! Exception handling, the `exnref` form: tags, exception objects, and how long the objects
//! live.
//!
//! A *tag* is a store entity like a function or a global ([`Tag`]): a module's tag section
//! makes a new one per instance, an imported tag is the exporter's own (so a re-exported
//! import is the same tag, and two instances of one module have different tags). `throw`
//! makes an *exception object*: the store index of its tag and its payload, the tag type's
//! parameters in the slot encoding of arguments (a `v128` takes two slots, a reference its
//! encoded value). The objects live in the store's [`ExnHeap`]; an `exnref` names one.
//!
//! **Encoding.** An `exnref` slot is `0` for null, else `generation << 32 | (index + 1)`:
//! the heap reuses freed entries, and bumping an entry's generation when it is freed makes
//! every old reference to it stale, so a stale reference is detected (a trap, or `None`
//! from the embedder's accessors) and never reads a newer object.
//!
//! **Lifetime.** Objects are freed when unreachable, by a mark-and-sweep collection that
//! runs when a `throw` finds the live count at its threshold (1,024 at first, then twice
//! what survived the last collection, so the work is amortised over the allocations), or
//! finds that the new object would not fit the byte budget below. Roots: the value stack
//! up to the running frame's end, scanned *conservatively* (slots are untyped, so any slot
//! whose value is the exact encoding of a live object keeps it: a wrong guess keeps
//! garbage alive, never frees a live object), globals and tables of type
//! `exnref`, and the exception that last escaped to the embedder (as wasmtime keeps its
//! "pending exception"). Payload slots are traced conservatively too. References the
//! embedder holds in [`Val::ExnRef`] values are not roots: one kept across a later call that
//! throws may go stale. What stays reachable is bounded as well: the live objects' bytes
//! (16 per object plus 8 per payload slot) may not pass [`MAX_LIVE_EXCEPTION_BYTES`]; a
//! `throw` past it traps with `ResourceLimitExceeded` (`Resource::ExceptionObjects`).

use crate::Store;
use crate::limits::{LimitExceeded, Resource};
use crate::trap::Trap;
use crate::types::{FuncType, HeapType, ValType};
use crate::value::Val;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// The most bytes the live exception objects of one store may take together (16 bytes per
/// object plus 8 per payload slot): 64 MiB.
pub const MAX_LIVE_EXCEPTION_BYTES: usize = 64 << 20;

/// Live objects below which no collection runs, and the least threshold after one.
const MIN_COLLECTION_THRESHOLD: usize = 1024;

/// A handle to an exception tag in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag(pub(crate) u32);

/// A tag in the store: the interned type of its payload (a function type with no results).
pub(crate) struct TagEntity {
    pub ty: u32,
}

impl Tag {
    /// Defines a tag for the host (to satisfy a module's tag import). Its exceptions carry
    /// values of `ty`'s parameter types; `ty` must have no results.
    pub fn new<T>(store: &mut Store<T>, ty: FuncType) -> Result<Tag, Trap> {
        if !ty.results().is_empty() {
            return Err(Trap::host(alloc::format!(
                "a tag type has no results, found {ty}"
            )));
        }
        let ty = store.inner.intern_type(&ty);
        store.inner.tags.push(TagEntity { ty });
        Ok(Tag(store.inner.tags.len() as u32 - 1))
    }

    /// The tag's type: its parameters are the payload's types.
    pub fn ty<T>(&self, store: &Store<T>) -> FuncType {
        store.inner.types[store.inner.tags[self.0 as usize].ty as usize].clone()
    }
}

impl<T> Store<T> {
    /// How many exception objects the store holds: those reachable, and those thrown since
    /// the last collection (see the module docs; at most about twice what stays reachable,
    /// and at least 1,024 before a collection runs).
    pub fn exception_objects(&self) -> usize {
        self.inner.exns.live()
    }
}

/// A reference to an exception object of a store: the value of an `exnref`. It stays valid
/// while the object is reachable from the guest (see the module docs: the embedder's copies
/// are not roots); a stale reference reads as `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExnRef {
    index: u32,
    generation: u32,
}

impl ExnRef {
    /// The slot encoding: never 0 (the index is stored plus one).
    pub(crate) fn to_slot(self) -> u64 {
        (self.generation as u64) << 32 | (self.index as u64 + 1)
    }

    /// Decodes a non-null slot; `None` for null.
    pub(crate) fn from_slot(slot: u64) -> Option<ExnRef> {
        let low = slot as u32;
        (low != 0).then(|| ExnRef {
            index: low - 1,
            generation: (slot >> 32) as u32,
        })
    }

    /// The exception's tag, or `None` if the reference is stale.
    pub fn tag<T>(&self, store: &Store<T>) -> Option<Tag> {
        store.inner.exns.get(self.to_slot()).map(|o| Tag(o.tag))
    }

    /// The exception's payload values, or `None` if the reference is stale.
    pub fn payload<T>(&self, store: &Store<T>) -> Option<Vec<Val>> {
        let o = store.inner.exns.get(self.to_slot())?;
        Some(store.inner.payload_vals(o.tag, &o.payload))
    }
}

/// An exception that left wasm at a host boundary: the error a `Func::call` returns (see
/// `Trap::exception`). It carries the tag and a copy of the payload, so the embedder can
/// inspect them without the store, and the object itself: a host function that returns the
/// trap to the wasm that called it rethrows that object there (or, should it have been
/// collected meanwhile, a new one with the same tag and payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    tag: Tag,
    payload: Vec<Val>,
    exn: ExnRef,
}

impl Exception {
    /// The exception's tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }
    /// The values the exception carries, in the tag type's parameter order.
    pub fn payload(&self) -> &[Val] {
        &self.payload
    }
    /// The exception object in the store.
    pub fn exnref(&self) -> ExnRef {
        self.exn
    }
}

/// One exception object: its tag (store index) and payload slots.
pub(crate) struct ExnObject {
    pub tag: u32,
    pub payload: Box<[u64]>,
}

impl ExnObject {
    fn bytes(&self) -> usize {
        16 + 8 * self.payload.len()
    }
}

struct Entry {
    generation: u32,
    obj: Option<ExnObject>,
}

/// The store's exception objects (see the module docs).
pub(crate) struct ExnHeap {
    entries: Vec<Entry>,
    /// Indices of free entries.
    free: Vec<u32>,
    live: usize,
    live_bytes: usize,
    /// A collection runs before an allocation when `live` reaches this.
    threshold: usize,
    /// The exception that last escaped to the embedder (a slot, 0 for none): a root.
    pub pending: u64,
}

impl Default for ExnHeap {
    fn default() -> Self {
        ExnHeap {
            entries: Vec::new(),
            free: Vec::new(),
            live: 0,
            live_bytes: 0,
            threshold: MIN_COLLECTION_THRESHOLD,
            pending: 0,
        }
    }
}

impl ExnHeap {
    /// The index of the live object `slot` names exactly, if any.
    fn index_of(&self, slot: u64) -> Option<usize> {
        let r = ExnRef::from_slot(slot)?;
        let e = self.entries.get(r.index as usize)?;
        (e.generation == r.generation && e.obj.is_some()).then_some(r.index as usize)
    }

    /// The live object `slot` names, or `None` (null or stale).
    pub fn get(&self, slot: u64) -> Option<&ExnObject> {
        self.entries[self.index_of(slot)?].obj.as_ref()
    }

    /// Whether an allocation with `payload_slots` should collect first: the live count is
    /// at the threshold, or the object would not fit the byte budget (garbage may be what
    /// fills it).
    pub fn wants_collection(&self, payload_slots: usize) -> bool {
        self.live >= self.threshold
            || self.live_bytes + 16 + 8 * payload_slots > MAX_LIVE_EXCEPTION_BYTES
    }

    /// How many objects are live (not yet collected).
    pub fn live(&self) -> usize {
        self.live
    }

    /// Makes an object; returns its slot encoding, or the limit it would exceed.
    pub fn alloc(&mut self, tag: u32, payload: Box<[u64]>) -> Result<u64, LimitExceeded> {
        let obj = ExnObject { tag, payload };
        let needed = self.live_bytes.saturating_add(obj.bytes());
        // The index is stored plus one in 32 bits, so `u32::MAX` entries at most.
        if needed > MAX_LIVE_EXCEPTION_BYTES || self.entries.len() >= u32::MAX as usize {
            return Err(LimitExceeded {
                resource: Resource::ExceptionObjects,
                needed: needed as u64,
                limit: MAX_LIVE_EXCEPTION_BYTES as u64,
            });
        }
        self.live += 1;
        self.live_bytes = needed;
        let index = match self.free.pop() {
            Some(i) => {
                self.entries[i as usize].obj = Some(obj);
                i
            }
            None => {
                self.entries.push(Entry {
                    generation: 0,
                    obj: Some(obj),
                });
                self.entries.len() as u32 - 1
            }
        };
        Ok(ExnRef {
            index,
            generation: self.entries[index as usize].generation,
        }
        .to_slot())
    }

    /// Frees every object not reachable from `roots` (slot values, read conservatively)
    /// or from the pending exception, through payloads.
    pub fn collect(&mut self, roots: impl Iterator<Item = u64>) {
        let mut marked = alloc::vec![false; self.entries.len()];
        let mut work = Vec::new();
        for slot in roots.chain(core::iter::once(self.pending)) {
            if let Some(i) = self.index_of(slot)
                && !marked[i]
            {
                marked[i] = true;
                work.push(i);
            }
        }
        while let Some(i) = work.pop() {
            let obj = self.entries[i]
                .obj
                .as_ref()
                .expect("marked objects are live");
            for &slot in obj.payload.iter() {
                if let Some(j) = self.index_of(slot)
                    && !marked[j]
                {
                    marked[j] = true;
                    work.push(j);
                }
            }
        }
        for (i, e) in self.entries.iter_mut().enumerate() {
            if !marked[i]
                && let Some(obj) = e.obj.take()
            {
                self.live -= 1;
                self.live_bytes -= obj.bytes();
                // Old references to this entry go stale.
                e.generation = e.generation.wrapping_add(1);
                self.free.push(i as u32);
            }
        }
        self.threshold = MIN_COLLECTION_THRESHOLD.max(2 * self.live);
    }
}

impl<T> crate::store::StoreInner<T> {
    /// Makes an exception object of tag `tag` (store index), collecting unreachable ones
    /// first when due. The value stack up to `extent` (the end of the running frame) is
    /// live: it roots the objects the running frames hold, and so do native frames, if
    /// native code is running (their stack and registers, scanned conservatively).
    pub(crate) fn new_exception(
        &mut self,
        tag: u32,
        payload: Box<[u64]>,
        extent: usize,
    ) -> Result<u64, Trap> {
        if self.exns.wants_collection(payload.len()) {
            let globals = self
                .globals
                .iter()
                // `exnref` and `(ref exn)` alike.
                .filter(|g| {
                    g.ty.content
                        .as_ref_type()
                        .is_some_and(|r| r.heap == HeapType::Exn)
                })
                .map(|g| g.value);
            let tables = self
                .tables
                .iter()
                .filter(|t| t.ty.element.heap == HeapType::Exn)
                .flat_map(|t| t.elems.iter().copied());
            let roots = self
                .stack
                .live_slots(extent)
                .iter()
                .copied()
                .chain(globals)
                .chain(tables)
                .chain(payload.iter().copied());
            // Native frames hold references in registers and on the machine stack (read
            // in this frame, which outlives the collection).
            #[cfg(feature = "jit")]
            let native = crate::jit::native::native_roots(self);
            #[cfg(not(feature = "jit"))]
            let native = core::iter::empty();
            self.exns.collect(roots.chain(native));
        }
        self.exns.alloc(tag, payload).map_err(Trap::limit)
    }

    /// The payload slots of an exception of tag `tag` as values.
    pub(crate) fn payload_vals(&self, tag: u32, payload: &[u64]) -> Vec<Val> {
        let ty = &self.types[self.tags[tag as usize].ty as usize];
        let mut k = 0;
        ty.params()
            .iter()
            .map(|t| {
                let hi = if *t == ValType::V128 {
                    payload[k + 1]
                } else {
                    0
                };
                let v = Val::from_slots(*t, payload[k], hi);
                k += t.slots();
                v
            })
            .collect()
    }

    /// The error an exception that leaves wasm becomes: it carries the object and a copy
    /// of its tag and payload. The object becomes the pending exception (a root).
    pub(crate) fn escaping(&mut self, slot: u64) -> Trap {
        let obj = self.exns.get(slot).expect("a thrown exception is live");
        let payload = self.payload_vals(obj.tag, &obj.payload);
        let tag = Tag(obj.tag);
        self.exns.pending = slot;
        Trap::uncaught(Exception {
            tag,
            payload,
            exn: ExnRef::from_slot(slot).expect("not null"),
        })
    }

    /// The object to rethrow for an exception a host function returned to wasm: the one it
    /// names if it is still live, else a new one with its tag and payload.
    pub(crate) fn rethrown(&mut self, e: &Exception, extent: usize) -> Result<u64, Trap> {
        let slot = e.exn.to_slot();
        if self.exns.get(slot).is_some_and(|o| o.tag == e.tag.0) {
            return Ok(slot);
        }
        let mut payload = Vec::new();
        for v in &e.payload {
            let (lo, hi) = v.to_slots();
            payload.push(lo);
            if v.ty() == ValType::V128 {
                payload.push(hi);
            }
        }
        self.new_exception(e.tag.0, payload.into_boxed_slice(), extent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_encode_index_and_generation_and_never_zero() {
        let r = ExnRef {
            index: 0,
            generation: 0,
        };
        assert_eq!(r.to_slot(), 1);
        assert_eq!(ExnRef::from_slot(1), Some(r));
        assert_eq!(ExnRef::from_slot(0), None);
        let r = ExnRef {
            index: 7,
            generation: 3,
        };
        assert_eq!(ExnRef::from_slot(r.to_slot()), Some(r));
    }

    #[test]
    fn collection_frees_the_unreachable_and_stales_their_references() {
        let mut h = ExnHeap::default();
        let a = h.alloc(0, Box::new([])).unwrap();
        let b = h.alloc(0, Box::new([a])).unwrap();
        let c = h.alloc(0, Box::new([5, 6])).unwrap();
        assert_eq!(h.live(), 3);
        // `b` is a root and holds `a` through its payload; `c` is garbage.
        h.collect([b, 12345].into_iter());
        assert_eq!(h.live(), 2);
        assert!(h.get(a).is_some() && h.get(b).is_some());
        assert!(h.get(c).is_none(), "a freed object's reference is stale");
        // The freed entry is reused under a new generation: the old reference stays stale.
        let d = h.alloc(1, Box::new([])).unwrap();
        assert_ne!(c, d);
        assert!(h.get(c).is_none());
        assert_eq!(h.get(d).map(|o| o.tag), Some(1));
        // The pending exception is a root of its own.
        h.pending = d;
        h.collect(core::iter::empty());
        assert_eq!(h.live(), 1);
        assert!(h.get(d).is_some());
    }

    #[test]
    fn live_bytes_are_bounded() {
        let mut h = ExnHeap::default();
        let big = MAX_LIVE_EXCEPTION_BYTES / 8;
        let e = h
            .alloc(0, alloc::vec![0; big].into_boxed_slice())
            .unwrap_err();
        assert_eq!(e.resource, Resource::ExceptionObjects);
        assert_eq!(h.live(), 0);
        // Freed objects give their bytes back.
        let half = alloc::vec![0; big / 2].into_boxed_slice();
        h.alloc(0, half.clone()).unwrap();
        assert!(h.alloc(0, half.clone()).is_err());
        h.collect(core::iter::empty());
        h.alloc(0, half).unwrap();
    }
}

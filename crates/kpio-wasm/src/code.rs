//! Translated code and where it lives: a module's code map.
//!
//! A [`CompiledFunc`] is one function's bytecode (see `ir`) with its frame layout. It is
//! translated against the *module*: every function, global, table, memory, type, element
//! and data segment it names is a module index, which the executor resolves through the
//! running instance. So the code does not depend on any instance, and a module keeps one
//! [`CodeMap`] that all its instances, in any store and on any thread, share: a function is
//! translated on its first call anywhere and never again.
//!
//! Translation options change the code (fuel metering and interrupt checks are translated
//! in), so a module has one map per combination of options ([`Flavour`]), made when the
//! first instance that needs it is created.

use crate::ir::{Instr, Slot};
use alloc::boxed::Box;
use core::fmt;
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// A function translated to bytecode, with its frame layout.
pub(crate) struct CompiledFunc {
    pub code: Box<[Instr]>,
    /// Wasm byte offset of each instruction, for trap locations.
    pub offsets: Box<[u32]>,
    pub nparams: u32,
    /// Parameters plus declared locals (the executors need only `frame_init`; the verifier
    /// checks the two agree).
    #[cfg_attr(not(any(debug_assertions, test)), allow(dead_code))]
    pub nlocals: u32,
    /// What each call writes into the frame after the parameters: a zero for each declared
    /// local, then the constants. (One copy from one array, which a call of a function with
    /// few of them does without calling `memcpy`.)
    pub frame_init: Box<[u64]>,
    pub frame_size: u32,
    /// The catch clauses of the function's `try_table`s, innermost `try_table` first and
    /// each one's clauses in order: the unwinder takes the first that covers the throwing
    /// (or calling) instruction and matches the exception. Empty without `try_table`.
    pub handlers: Box<[Handler]>,
}

/// [`Handler::tag`] of `catch_all` and `catch_all_ref`.
pub(crate) const CATCH_ALL: u32 = u32::MAX;

/// A catch clause as both tiers read it: the tag caught (module index, or [`CATCH_ALL`]),
/// whether the exception reference is delivered after the payload, and the label.
pub(crate) fn catch_clause(c: &wasmparser::Catch) -> (u32, bool, u32) {
    use wasmparser::Catch;
    match *c {
        Catch::One { tag, label } => (tag, false, label),
        Catch::OneRef { tag, label } => (tag, true, label),
        Catch::All { label } => (CATCH_ALL, false, label),
        Catch::AllRef { label } => (CATCH_ALL, true, label),
    }
}

/// One catch clause of a `try_table`, for the unwinder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Handler {
    /// The `try_table`'s body: instructions `start..end` (indices into the code). A throw
    /// there, or a call there that an exception leaves, is covered by this clause.
    pub start: u32,
    pub end: u32,
    /// The tag caught (module index), or [`CATCH_ALL`].
    pub tag: u32,
    /// `catch_ref`/`catch_all_ref`: the exception reference is delivered after the payload.
    pub with_ref: bool,
    /// The clause's landing pad (an instruction index): code that carries the values from
    /// `dst` to the clause's label, as a `br` would.
    pub pad: u32,
    /// Where the payload goes (packed like arguments), then the reference.
    pub dst: Slot,
}

impl CompiledFunc {
    /// The first catch clause covering instruction `pc` for which `catches(tag)` holds
    /// (`tag` a module index; `catch_all` clauses match without asking).
    pub fn handler_for(&self, pc: usize, mut catches: impl FnMut(u32) -> bool) -> Option<&Handler> {
        let pc = pc as u32;
        self.handlers
            .iter()
            .find(|h| h.start <= pc && pc < h.end && (h.tag == CATCH_ALL || catches(h.tag)))
    }
}

/// A cell written at most once, by any thread, without locks (`no_std` has no `OnceLock`).
///
/// Racing writers each build a value; one compare-exchange decides the winner and the losers
/// free their copies, so readers only ever see one value, which lives as long as the cell.
pub(crate) struct OnceBox<T> {
    ptr: AtomicPtr<T>,
    /// The cell owns a `T` (through `ptr`) and hands out `&T` to any thread; the auto traits
    /// are stated by hand below, as `std::sync::OnceLock` does.
    _owns: PhantomData<*const T>,
}

// SAFETY: the cell owns at most one boxed `T`; moving the cell to another thread moves that
// `T`, which is sound when `T: Send`.
unsafe impl<T: Send> Send for OnceBox<T> {}
// SAFETY: through `&OnceBox<T>` a thread may read the `T` (needs `T: Sync`) or install a `T`
// it built, which other threads then read and the owner's thread eventually drops (needs
// `T: Send`). The pointer itself is only touched atomically.
unsafe impl<T: Send + Sync> Sync for OnceBox<T> {}

impl<T> OnceBox<T> {
    pub const fn new() -> Self {
        OnceBox {
            ptr: AtomicPtr::new(ptr::null_mut()),
            _owns: PhantomData,
        }
    }

    /// The value, once set. `Acquire` pairs with the `Release` of the winning store, so the
    /// value's contents are visible.
    #[inline(always)]
    pub fn get(&self) -> Option<&T> {
        let p = self.ptr.load(Ordering::Acquire);
        // SAFETY: a non-null pointer came from `Box::into_raw` in `get_or_set` and is freed
        // only by `drop`, which cannot run while `&self` is borrowed.
        unsafe { p.as_ref() }
    }

    /// The value's address, or null before it is set; for code that keeps raw pointers.
    #[inline(always)]
    pub fn as_ptr(&self) -> *const T {
        self.ptr.load(Ordering::Acquire)
    }

    /// Installs `value` unless another thread got there first. Returns the value in the cell
    /// and whether it is `value`.
    pub fn get_or_set(&self, value: Box<T>) -> (&T, bool) {
        let new = Box::into_raw(value);
        match self
            .ptr
            .compare_exchange(ptr::null_mut(), new, Ordering::AcqRel, Ordering::Acquire)
        {
            // SAFETY: `new` is now owned by the cell, which outlives `&self`.
            Ok(_) => (unsafe { &*new }, true),
            Err(winner) => {
                // SAFETY: `new` lost the race, so nobody else ever saw it: free it. `winner`
                // is the cell's value, alive as long as the cell.
                unsafe {
                    drop(Box::from_raw(new));
                    (&*winner, false)
                }
            }
        }
    }

    /// The value, building and installing it first if the cell is empty.
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        match self.get() {
            Some(v) => v,
            None => self.get_or_set(Box::new(f())).0,
        }
    }
}

impl<T> Default for OnceBox<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for OnceBox<T> {
    fn drop(&mut self) {
        let p = *self.ptr.get_mut();
        if !p.is_null() {
            // SAFETY: a non-null pointer came from `Box::into_raw` and is owned by the cell,
            // which nobody can reach any more.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}

impl<T> fmt::Debug for OnceBox<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.as_ptr().is_null() {
            "OnceBox(empty)"
        } else {
            "OnceBox(set)"
        })
    }
}

/// The translation options code depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flavour {
    /// Charge fuel (`Config::consume_fuel`).
    pub fuel: bool,
    /// Check the interrupt flag (`Config::interruptible`).
    pub interruptible: bool,
    /// Count loop iterations for on-stack replacement (a tiered engine with a native tier).
    pub osr: bool,
    /// Native code may leave accesses to 32-bit memories unchecked, relying on guard
    /// pages and the fault handler: the engine has one (`jit::signals`), and every 32-bit
    /// memory of the instance sits in a guarded reservation (`MemoryEntity::guarded`).
    /// Set by instantiation; the interpreter ignores it.
    pub guarded: bool,
}

impl Flavour {
    /// The flavour `engine`'s instances run: what its configuration asks for.
    pub fn of(engine: &crate::Engine) -> Flavour {
        let config = engine.config();
        Flavour {
            fuel: config.consume_fuel,
            interruptible: config.interruptible,
            osr: engine.tier() == crate::Tier::Auto,
            // What instances get unless a memory of theirs is not guarded (instantiation
            // clears it then): the flavour of code cache entries and precompiled code.
            #[cfg(feature = "jit")]
            guarded: engine.jit().is_some_and(|j| j.traps_by_fault()),
            #[cfg(not(feature = "jit"))]
            guarded: false,
        }
    }

    /// How many flavours there are: the length of a module's array of code maps.
    pub const COUNT: usize = 16;

    /// This flavour's place in a module's array of code maps.
    pub fn index(self) -> usize {
        self.fuel as usize
            | (self.interruptible as usize) << 1
            | (self.osr as usize) << 2
            | (self.guarded as usize) << 3
    }
}

/// One module's translated functions for one [`Flavour`], indexed by module function
/// index. Imported functions' entries stay empty: the threaded executor relies on that to
/// send calls to imports (which may be another instance's or the host's) to the portable
/// loop, and `install` enforces it.
pub(crate) struct CodeMap {
    pub flavour: Flavour,
    funcs: Box<[OnceBox<CompiledFunc>]>,
    /// Index of the first function the module defines (after its imports).
    first_defined: u32,
    /// Functions translated into this map (translations that lost a race don't count).
    translated: AtomicUsize,
}

impl CodeMap {
    pub fn new(flavour: Flavour, num_funcs: usize, first_defined: u32) -> Self {
        CodeMap {
            flavour,
            funcs: (0..num_funcs).map(|_| OnceBox::new()).collect(),
            first_defined,
            translated: AtomicUsize::new(0),
        }
    }

    /// Function `index`'s code, if it was translated.
    #[inline(always)]
    pub fn get(&self, index: u32) -> Option<&CompiledFunc> {
        self.funcs[index as usize].get()
    }

    /// The first entry, for the threaded executor, which reads entries by raw pointer.
    #[cfg_attr(not(kpio_threaded), allow(dead_code))]
    pub fn entries(&self) -> *const OnceBox<CompiledFunc> {
        self.funcs.as_ptr()
    }

    /// Installs `code` for function `index` unless another thread did first; returns the
    /// installed code.
    pub fn install(&self, index: u32, code: CompiledFunc) -> &CompiledFunc {
        assert!(
            index >= self.first_defined,
            "code installed for imported function {index}"
        );
        let (c, ours) = self.funcs[index as usize].get_or_set(Box::new(code));
        if ours {
            self.translated.fetch_add(1, Ordering::Relaxed);
        }
        c
    }

    /// How many functions have been translated into this map.
    pub fn translated(&self) -> usize {
        self.translated.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for CodeMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeMap")
            .field("flavour", &self.flavour)
            .field("functions", &self.funcs.len())
            .field("translated", &self.translated())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_box_keeps_the_first_value() {
        let cell = OnceBox::new();
        assert!(cell.get().is_none());
        let (v, ours) = cell.get_or_set(Box::new(1u32));
        assert_eq!((*v, ours), (1, true));
        let (v, ours) = cell.get_or_set(Box::new(2u32));
        assert_eq!((*v, ours), (1, false));
        assert_eq!(*cell.get_or_init(|| 3), 1);
    }

    #[test]
    fn flavours_have_distinct_indices() {
        let mut seen = [false; Flavour::COUNT];
        for fuel in [false, true] {
            for interruptible in [false, true] {
                for osr in [false, true] {
                    for guarded in [false, true] {
                        let i = Flavour {
                            fuel,
                            interruptible,
                            osr,
                            guarded,
                        }
                        .index();
                        assert!(!seen[i]);
                        seen[i] = true;
                    }
                }
            }
        }
    }
}

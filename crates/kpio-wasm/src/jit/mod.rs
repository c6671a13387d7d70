//! The native tier: validated functions compiled to x86-64 with Cranelift.
//!
//! - `background` (`std`): the thread that compiles hot functions while the interpreter
//!   goes on running them.
//! - `code_cache`: a module's native code as a verified entry to keep between runs
//!   (`Module::precompile`, `Module::native_code_entry`, `Module::load_native_code`).
//! - `code_memory`: executable pages from the platform (hosted: mmap/mprotect), written
//!   read-write and flipped to read-execute before use, never both (W^X), within a budget.
//! - `compile`: one function body -> Cranelift IR -> machine code, from the wasm operators
//!   (wasmparser's reader), independent of the interpreter's bytecode.
//! - `entry`: the assembly frame every call into native code starts from, and the way
//!   back to it that abandons the native frames above (raised traps, guard-page faults).
//! - `perf_map` (`std`): names of native code for `perf` (`KPIO_PERF_MAP=1`).
//! - `reclaim`: evicted code freed only once no thread can be running it (epochs per
//!   store, stack scans at safe points).
//! - `signals` (hosted Linux): faults of native code on guard pages become traps.
//! - `sites`: where a body's machine code maps back to wasm offsets (for the backtraces
//!   of those traps).
//! - `vmctx`: the context native code runs with, and the helpers it calls.
//! - `native`: each module's native code, tier-up by call counts, the engine's JIT state
//!   and its statistic.

#[cfg(feature = "std")]
pub(crate) mod background;
pub mod code_cache;
pub mod code_memory;
pub(crate) mod compile;
pub(crate) mod entry;
pub(crate) mod native;
#[cfg(feature = "std")]
pub(crate) mod perf_map;
pub(crate) mod reclaim;
#[cfg(all(feature = "std", target_os = "linux", not(miri)))]
pub(crate) mod signals;
pub(crate) mod sites;
pub(crate) mod vmctx;

pub use code_cache::CodeCacheError;
pub use compile::CompileError;
pub use native::{CompileEvent, CompileReason, EVENTS_KEPT, JitSetupError, JitStats, Precompiled};

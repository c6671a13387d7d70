//! `Engine` and `Config`: the limits every store made from the engine runs under.

/// Resource limits and execution options. The defaults suit hosted apps; the kernel
/// passes smaller ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Maximum number of 64-bit value-stack slots (locals, constants and operands of all
    /// active frames). Reaching it traps with "call stack exhausted".
    pub max_value_stack: usize,
    /// Maximum nesting of wasm calls. Reaching it traps with "call stack exhausted".
    pub max_call_depth: usize,
    /// Maximum nesting of host-to-wasm entries (a host function calling back into wasm,
    /// which calls the host again, ...). Each level uses host stack, unlike wasm-to-wasm
    /// calls; reaching it traps with "call stack exhausted".
    pub max_host_reentry: usize,
    /// Upper bound on any linear memory, in 64 KiB pages; `memory.grow` past it returns -1.
    pub max_memory_pages: u32,
    /// Upper bound on any table's length; `table.grow` past it returns -1.
    pub max_table_elements: u32,
    /// Meter execution with fuel (see `Store::set_fuel`). Costs a little speed.
    pub consume_fuel: bool,
    /// Check the store's interrupt flag (see `Store::interrupt_handle`) at every function
    /// entry and loop header, trapping with `TrapCode::Interrupted` once it is raised.
    /// Off costs nothing: the checks are only translated in when this is on.
    pub interruptible: bool,
    /// Accept modules with more than one memory (the multi-memory proposal, part of
    /// WebAssembly 3.0). Off, validation refuses them as WebAssembly 2.0 does, which is what
    /// scripts written before multi-memory (memory64's) expect.
    pub multi_memory: bool,
    /// Which dispatch backend runs the bytecode (see [`Dispatch`]). Both run the same
    /// instructions with the same results; `Portable` exists to compare them (the
    /// `backends` fuzz target, the spec tests, `kpio wast --dispatch`) and to measure what
    /// threaded dispatch gains, in one build.
    pub dispatch: Dispatch,
}

/// The interpreter's dispatch backend, chosen per engine.
///
/// A build has threaded dispatch (one handler per instruction, chained by tail calls) only
/// on optimised x86_64 hosted builds without the `portable-dispatch` cargo feature (see the
/// crate's `build.rs`); every build has the portable `match` loop, which also runs whatever
/// the threaded handlers hand back (calls across instances, host calls, traps, exceptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dispatch {
    /// Threaded dispatch where this build has it, else the portable loop. The default.
    #[default]
    Auto,
    /// Only the portable loop, even in a build that has threaded dispatch.
    Portable,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_value_stack: 64 * 1024 * 1024,
            max_call_depth: 1_000_000,
            max_host_reentry: 100,
            max_memory_pages: 65536,
            max_table_elements: 10_000_000,
            consume_fuel: false,
            interruptible: false,
            multi_memory: true,
            dispatch: Dispatch::Auto,
        }
    }
}

/// Shared configuration for modules and stores. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    config: alloc::sync::Arc<Config>,
}

impl Engine {
    pub fn new(config: Config) -> Self {
        Engine {
            config: alloc::sync::Arc::new(config),
        }
    }
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The dispatch backend this engine's stores run: `"threaded"` or `"portable"` (what
    /// [`Config::dispatch`] asks for, as far as this build has it; see
    /// [`dispatch_backend`](crate::dispatch_backend) for what `Auto` gives in this build).
    pub fn dispatch_backend(&self) -> &'static str {
        match self.config.dispatch {
            Dispatch::Auto => crate::exec::dispatch_backend(),
            Dispatch::Portable => "portable",
        }
    }
}

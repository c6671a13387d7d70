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
    /// Which tiers run wasm code (see [`Tier`]). Without the `jit` cargo feature, or where
    /// the platform has no executable pages, every tier is the interpreter.
    pub tier: Tier,
    /// Tiered mode: a function is compiled to native code on its `jit_threshold`-th call.
    pub jit_threshold: u32,
    /// Tiered mode: an interpreted call whose loops have run this many iterations moves
    /// into native code at its next loop header (on-stack replacement).
    pub jit_loop_threshold: u32,
    /// Bytes of host stack native code may use below the point where it is first entered
    /// (deeper recursion traps with "call stack exhausted"). The thread running the guest
    /// needs at least this much stack left; 512 KiB by default, as wasmtime's
    /// `max_wasm_stack`.
    pub max_native_stack: usize,
    /// Bytes of native code pages an engine may have in use (see the `jit` module).
    pub jit_code_budget: usize,
    /// Tiered mode: compile hot functions, and on-stack-replacement entries of looping
    /// frames, on a background thread (one per engine, with the `std` feature) while the
    /// interpreter goes on running them, instead of on the thread that found them hot.
    /// JIT-only mode compiles on the running thread, which needs the code at once. On by
    /// default.
    pub jit_background: bool,
}

/// Which execution tiers an engine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tier {
    /// Only the interpreter.
    Interp,
    /// Every function that the native tier can compile is compiled on its first call; the
    /// rest (and all of it where there is no native tier) is interpreted.
    Jit,
    /// Functions start in the interpreter and are compiled once they are called
    /// [`Config::jit_threshold`] times. The default.
    #[default]
    Auto,
}

impl Tier {
    /// The tier's name on the command line: `interp`, `jit` or `auto`.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interp => "interp",
            Tier::Jit => "jit",
            Tier::Auto => "auto",
        }
    }

    /// The tier named `name` (`interp`, `jit` or `auto`).
    pub fn from_name(name: &str) -> Option<Tier> {
        [Tier::Interp, Tier::Jit, Tier::Auto]
            .into_iter()
            .find(|t| t.name() == name)
    }
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
            tier: Tier::Auto,
            jit_threshold: 100,
            jit_loop_threshold: 1000,
            max_native_stack: 512 * 1024,
            jit_code_budget: 16 << 20,
            jit_background: true,
        }
    }
}

/// Shared configuration for modules and stores, and the native tier's state (its code
/// memory and statistic). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Engine {
    config: alloc::sync::Arc<Config>,
    #[cfg(feature = "jit")]
    jit: Option<alloc::sync::Arc<crate::jit::native::JitEngine>>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(Config::default())
    }
}

impl Engine {
    /// An engine with `config`. With the `jit` feature and a tier other than
    /// [`Tier::Interp`], this sets up the native tier where the platform has executable
    /// pages (hosted 64-bit Linux); elsewhere the engine interprets.
    pub fn new(config: Config) -> Self {
        #[cfg(feature = "jit")]
        let jit = match config.tier {
            Tier::Interp => None,
            Tier::Jit | Tier::Auto => crate::jit::code_memory::host_pages().and_then(|pages| {
                crate::jit::native::JitEngine::new(pages, config.jit_code_budget)
                    .ok()
                    .map(alloc::sync::Arc::new)
            }),
        };
        Engine {
            config: alloc::sync::Arc::new(config),
            #[cfg(feature = "jit")]
            jit,
        }
    }

    /// An engine whose native tier takes its executable pages from `pages` (the kernel's
    /// page-table flags, or a test's recording wrapper).
    #[cfg(feature = "jit")]
    pub fn with_code_pages(
        config: Config,
        pages: alloc::sync::Arc<dyn crate::jit::code_memory::CodePages>,
    ) -> Result<Self, crate::jit::JitSetupError> {
        let jit = match config.tier {
            Tier::Interp => None,
            Tier::Jit | Tier::Auto => Some(alloc::sync::Arc::new(
                crate::jit::native::JitEngine::new(pages, config.jit_code_budget)?,
            )),
        };
        Ok(Engine {
            config: alloc::sync::Arc::new(config),
            jit,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The tier this engine really runs: [`Tier::Interp`] when it has no native tier (no
    /// `jit` feature, no executable pages), else its configured tier.
    pub fn tier(&self) -> Tier {
        #[cfg(feature = "jit")]
        if self.jit.is_some() {
            return self.config.tier;
        }
        Tier::Interp
    }

    /// What the native tier compiled (and refused), in order; empty without one.
    #[cfg(feature = "jit")]
    pub fn jit_stats(&self) -> crate::jit::JitStats {
        self.jit.as_ref().map(|j| j.stats()).unwrap_or_default()
    }

    #[cfg(feature = "jit")]
    pub(crate) fn jit(&self) -> Option<&crate::jit::native::JitEngine> {
        self.jit.as_deref()
    }

    #[cfg(all(feature = "jit", feature = "std"))]
    pub(crate) fn jit_arc(&self) -> Option<&alloc::sync::Arc<crate::jit::native::JitEngine>> {
        self.jit.as_ref()
    }

    /// Waits until the native tier's background compiler (`Config::jit_background`) has
    /// nothing queued or running, so every function found hot so far has its native code
    /// (or was refused). Returns at once without one.
    #[cfg(feature = "jit")]
    pub fn jit_wait_idle(&self) {
        if let Some(j) = &self.jit {
            j.wait_idle();
        }
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

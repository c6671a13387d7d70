//! kpio-wasm (in any of its tiers) and wasmi behind one small interface: prepare a
//! module, then run one exported `(i32) -> i64` program on a fresh instance, timing only
//! the call (instantiation is outside the timed region). kpio's native tier compiles
//! lazily, inside that call, into code owned by the module: a caller that wants every
//! timed call to pay for its compilation prepares a fresh [`Kpio`] per run.
//! (The third engine, wasmtime, runs in Python: see `wasmtime_peer`.)

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

use crate::startup::{FIRST, FIRST_RESULT};

/// Startup of one fresh engine on one module: the steps to the first executed
/// instruction, each timed on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Startup {
    /// `Module::new`: decode and validate (kpio and wasmi translate lazily).
    pub decode: Duration,
    pub instantiate: Duration,
    /// The call of the module's trivial export ([`FIRST`]).
    pub first_call: Duration,
}

impl Startup {
    /// Time to the first executed instruction: all three steps.
    pub fn total(&self) -> Duration {
        self.decode + self.instantiate + self.first_call
    }
}

/// What kpio's native tier did in one engine (see `Engine::jit_stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitSummary {
    pub compiled: u64,
    pub refused: u64,
    pub code_bytes: u64,
}

/// Runs `f`, turning a panic inside the engine into an error so one broken
/// engine does not end the whole benchmark.
pub fn guarded<R>(what: &str, f: impl FnOnce() -> Result<R>) -> Result<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".into());
            Err(anyhow!("{what}: engine panicked: {msg}"))
        }
    }
}

// ---------------------------------------------------------------- kpio ----

pub struct Kpio {
    engine: kpio_wasm::Engine,
    module: kpio_wasm::Module,
}

/// kpio-wasm's default configuration but for the tier (and so the tier's default
/// thresholds: `Tier::Auto` compiles at the 100th call or moves a loop after 1000
/// iterations).
pub fn kpio_config(tier: kpio_wasm::Tier) -> kpio_wasm::Config {
    kpio_wasm::Config {
        tier,
        ..kpio_wasm::Config::default()
    }
}

impl Kpio {
    /// kpio-wasm with `config` (see [`kpio_config`] for the tiers the tables compare).
    pub fn with_config(wasm: &[u8], config: kpio_wasm::Config) -> Result<Self> {
        let engine = kpio_wasm::Engine::new(config);
        let module = kpio_wasm::Module::new(&engine, wasm)
            .map_err(|e| anyhow!("kpio: Module::new failed: {e}"))?;
        Ok(Kpio { engine, module })
    }

    /// One timed call of `export(arg)` on a fresh instance.
    pub fn run(&self, export: &str, arg: i32) -> Result<(Duration, i64)> {
        use kpio_wasm::Val;
        let mut store = kpio_wasm::Store::new(&self.engine, ());
        let linker = kpio_wasm::Linker::<()>::new();
        let instance = linker
            .instantiate(&mut store, &self.module)
            .map_err(|e| anyhow!("kpio: instantiate failed: {e}"))?;
        let func = instance
            .get_func(&store, export)
            .ok_or_else(|| anyhow!("kpio: no exported function `{export}`"))?;
        let mut results = [Val::I64(0)];
        let start = Instant::now();
        func.call(&mut store, &[Val::I32(arg)], &mut results)
            .map_err(|e| anyhow!("kpio: `{export}({arg})` trapped: {e}"))?;
        let elapsed = start.elapsed();
        match results[0] {
            Val::I64(v) => Ok((elapsed, v)),
            ref other => bail!("kpio: `{export}` returned {other:?}, expected an i64"),
        }
    }

    /// What the native tier has compiled in this engine so far.
    pub fn jit_summary(&self) -> JitSummary {
        let s = self.engine.jit_stats();
        JitSummary {
            compiled: s.compiled,
            refused: s.refused,
            code_bytes: s.code_bytes as u64,
        }
    }

    /// Startup of a fresh engine with `config` on `wasm` (the generated startup module):
    /// decode+validate, instantiate, and the call of its trivial export.
    pub fn startup(wasm: &[u8], config: kpio_wasm::Config) -> Result<Startup> {
        use kpio_wasm::Val;
        let engine = kpio_wasm::Engine::new(config);
        let start = Instant::now();
        let module = kpio_wasm::Module::new(&engine, wasm)
            .map_err(|e| anyhow!("kpio: Module::new failed: {e}"))?;
        let decode = start.elapsed();
        let mut store = kpio_wasm::Store::new(&engine, ());
        let linker = kpio_wasm::Linker::<()>::new();
        let start = Instant::now();
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| anyhow!("kpio: instantiate failed: {e}"))?;
        let instantiate = start.elapsed();
        // The export lookup is not timed: it is a name search, not startup work.
        let func = instance
            .get_func(&store, FIRST)
            .ok_or_else(|| anyhow!("kpio: no exported function `{FIRST}`"))?;
        let mut results = [Val::I32(0)];
        let start = Instant::now();
        func.call(&mut store, &[], &mut results)
            .map_err(|e| anyhow!("kpio: `{FIRST}()` trapped: {e}"))?;
        let first_call = start.elapsed();
        match results[0] {
            Val::I32(FIRST_RESULT) => Ok(Startup {
                decode,
                instantiate,
                first_call,
            }),
            ref other => bail!("kpio: `{FIRST}` returned {other:?}, expected {FIRST_RESULT}"),
        }
    }
}

// --------------------------------------------------------------- wasmi ----

pub struct Wasmi {
    engine: wasmi::Engine,
    module: wasmi::Module,
}

impl Wasmi {
    pub fn new(wasm: &[u8]) -> Result<Self> {
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, wasm).context("wasmi: Module::new failed")?;
        Ok(Wasmi { engine, module })
    }

    /// One timed call of `export(arg)` on a fresh instance.
    pub fn run(&self, export: &str, arg: i32) -> Result<(Duration, i64)> {
        let mut store = wasmi::Store::new(&self.engine, ());
        let linker = wasmi::Linker::<()>::new(&self.engine);
        let instance = linker
            .instantiate_and_start(&mut store, &self.module)
            .context("wasmi: instantiate failed")?;
        let func = instance
            .get_typed_func::<i32, i64>(&store, export)
            .with_context(|| format!("wasmi: no exported `(i32) -> i64` function `{export}`"))?;
        let start = Instant::now();
        let v = func
            .call(&mut store, arg)
            .with_context(|| format!("wasmi: `{export}({arg})` trapped"))?;
        Ok((start.elapsed(), v))
    }

    /// Startup of a fresh engine, as [`Kpio::startup`].
    pub fn startup(wasm: &[u8]) -> Result<Startup> {
        let engine = wasmi::Engine::default();
        let start = Instant::now();
        let module = wasmi::Module::new(&engine, wasm).context("wasmi: Module::new failed")?;
        let decode = start.elapsed();
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let start = Instant::now();
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .context("wasmi: instantiate failed")?;
        let instantiate = start.elapsed();
        let func = instance
            .get_typed_func::<(), i32>(&store, FIRST)
            .with_context(|| format!("wasmi: no exported `() -> i32` function `{FIRST}`"))?;
        let start = Instant::now();
        let v = func
            .call(&mut store, ())
            .with_context(|| format!("wasmi: `{FIRST}()` trapped"))?;
        let first_call = start.elapsed();
        if v != FIRST_RESULT {
            bail!("wasmi: `{FIRST}` returned {v}, expected {FIRST_RESULT}");
        }
        Ok(Startup {
            decode,
            instantiate,
            first_call,
        })
    }
}

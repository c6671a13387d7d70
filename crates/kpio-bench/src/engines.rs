//! The two interpreters behind one small interface: prepare a module once,
//! then run one exported `(i32) -> i64` program on a fresh instance per run,
//! timing only the call (instantiation is outside the timed region).
//! (The third engine, wasmtime, runs in Python: see `wasmtime_peer`.)

use std::hint::black_box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

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

impl Kpio {
    /// kpio-wasm with its default configuration (what the engines table's `kpio` column is).
    pub fn new(wasm: &[u8]) -> Result<Self> {
        Self::with_config(wasm, kpio_wasm::Config::default())
    }

    /// kpio-wasm with `config`, for rows that compare configurations of the engine.
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

    /// Startup: (decode+validate, instantiate) times for one fresh engine.
    pub fn startup(wasm: &[u8]) -> Result<(Duration, Duration)> {
        Self::startup_with_config(wasm, kpio_wasm::Config::default())
    }

    /// [`Kpio::startup`] for a fresh engine with `config`.
    pub fn startup_with_config(
        wasm: &[u8],
        config: kpio_wasm::Config,
    ) -> Result<(Duration, Duration)> {
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
        let inst = start.elapsed();
        black_box(&instance);
        Ok((decode, inst))
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

    /// Startup: (decode+validate, instantiate) times for one fresh engine.
    pub fn startup(wasm: &[u8]) -> Result<(Duration, Duration)> {
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
        let inst = start.elapsed();
        black_box(&instance);
        Ok((decode, inst))
    }
}

//! The large-program measurement (issue 9's third target): time to the result of a big
//! module of which a run uses a small hot part, as with a language runtime built for WASI.
//!
//! The module is the startup group's generated one (10+ MB) with its [`WORK`] export, a
//! small hot loop. Each engine's time runs from the module's bytes to the loop's result:
//! - kpio (interp, tiered): `Module::new` (decode + validate; translation and native code
//!   are lazy), instantiate, and the call, whose time includes the compile of what gets hot;
//! - wasmtime: `Module` (every function compiled with Cranelift up front) and the call
//!   (instantiation, well under a millisecond, is not counted).
//!
//! This is a stand-in: a generated module, not a real language runtime (none is available
//! offline here); its cold code is real code (5 KB bodies of memory, arithmetic and calls)
//! that wasmtime compiles and kpio only validates.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};

use crate::engines::{Kpio, kpio_config};
use crate::startup::{self, WORK, work_reference};
use crate::{
    INTERP, KPIO_TIERS, TIERED, Table, fmt_ms, fmt_ratio, nanos, ratio_of, spawn_worker, tagged,
    wasmtime_peer,
};

/// The loop's iteration count: about half a second in the interpreter.
pub const ARG: i32 = 20_000_000;

/// One engine's time to result, or why it has none.
pub type Cell = Option<Result<Duration, String>>;

/// The measured times.
pub struct Rows {
    pub interp: Cell,
    pub tiered: Cell,
    pub wasmtime: Cell,
    pub bytes: usize,
}

/// `__worker large ENGINE BYTES RUNS`: prints `LARGE <best ns> <result>` for a kpio tier.
pub fn worker(engine: &str, bytes: usize, runs: u32) -> Result<()> {
    let tier = crate::kpio_tier(engine).ok_or_else(|| anyhow!("unknown engine {engine}"))?;
    let wasm = startup::generate(bytes);
    let mut best = Duration::MAX;
    let mut result = None;
    for _ in 0..runs {
        let start = Instant::now();
        let k = Kpio::with_config(&wasm, kpio_config(tier))?;
        let (_, v) = k.run(WORK, ARG)?;
        best = best.min(start.elapsed());
        if v != work_reference(ARG) {
            bail!(
                "{engine}: work({ARG}) returned {v}, expected {}",
                work_reference(ARG)
            );
        }
        result = Some(v);
    }
    let v = result.ok_or_else(|| anyhow!("large: no runs"))?;
    println!("LARGE {} {v}", best.as_nanos());
    Ok(())
}

/// Measures every engine that runs (kpio unless `skip_kpio`, wasmtime when `peer`).
pub fn measure(bytes: usize, runs: u32, skip_kpio: bool, peer: bool) -> Rows {
    let kpio = |engine: &str| -> Result<Duration, String> {
        let out = spawn_worker(&[
            "large".into(),
            engine.into(),
            bytes.to_string(),
            runs.to_string(),
        ])
        .map_err(|e| format!("{e:#}"))?;
        let [t, _] = tagged(&out, "LARGE").map_err(|e| format!("{e:#}"))?;
        nanos(t).map_err(|e| format!("{e:#}"))
    };
    let wasmtime = || -> Result<Duration, String> {
        let path =
            std::env::temp_dir().join(format!("kpio-bench-large-{}.wasm", std::process::id()));
        std::fs::write(&path, startup::generate(bytes))
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
        let r = wasmtime_peer::run(&path, WORK, ARG, runs);
        // Best effort: a leftover file in the temp directory is harmless.
        let _ = std::fs::remove_file(&path);
        let m = r?;
        if m.result != work_reference(ARG) {
            return Err(format!(
                "wasmtime: work({ARG}) returned {}, expected {}",
                m.result,
                work_reference(ARG)
            ));
        }
        Ok(m.to_result)
    };
    Rows {
        interp: (!skip_kpio).then(|| kpio(KPIO_TIERS[INTERP].engine)),
        tiered: (!skip_kpio).then(|| kpio(KPIO_TIERS[TIERED].engine)),
        wasmtime: peer.then(wasmtime),
        bytes,
    }
}

/// The failures to report, one line each.
pub fn failures(r: &Rows) -> Vec<String> {
    [
        ("kpio interp", &r.interp),
        ("kpio tiered", &r.tiered),
        ("wasmtime", &r.wasmtime),
    ]
    .into_iter()
    .filter_map(|(name, c)| match c {
        Some(Err(e)) => Some(format!("large program: {name} failed: {e}")),
        _ => None,
    })
    .collect()
}

pub fn print(r: &Rows, runs: u32, md: bool) {
    let note = if md { "" } else { "# " };
    println!(
        "{note}large program: the generated module ({} bytes) and its `{WORK}({ARG})` hot loop, \
         from the bytes to the result, best of {runs} run(s), fresh engine each run",
        startup::generate(r.bytes).len(),
    );
    if md {
        println!();
    }
    let ok = |c: &Cell| c.as_ref().and_then(|c| c.as_ref().ok()).copied();
    let cell = |c: &Cell| ok(c).map_or("-".into(), fmt_ms);
    let mut t = Table::new(&[
        "large program",
        "kpio interp ms",
        "kpio tiered ms",
        "wasmtime compile + call ms",
        "tiered/wasmtime",
        "interp/tiered",
    ]);
    let (tiered, wasmtime, interp) = (ok(&r.tiered), ok(&r.wasmtime), ok(&r.interp));
    let show = |x: Option<f64>| x.map_or("-".into(), fmt_ratio);
    t.row(vec![
        format!("{WORK}({ARG})"),
        cell(&r.interp),
        cell(&r.tiered),
        cell(&r.wasmtime),
        show(ratio_of(tiered, wasmtime)),
        show(ratio_of(interp, tiered)),
    ]);
    t.print(md);
    if let Some(x) = ratio_of(tiered, wasmtime) {
        println!();
        println!(
            "{}target, a large program reaches its result sooner on the tiered engine than on \
             wasmtime counting its up-front compile: {} ({})",
            if md { "- " } else { "  " },
            if x < 1.0 { "met" } else { "NOT met" },
            fmt_ratio(x)
        );
    }
    println!();
}

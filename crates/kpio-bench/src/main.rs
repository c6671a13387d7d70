//! `kpio-bench`: runs the same Rust programs (bench/programs, compiled to
//! wasm32-unknown-unknown) on kpio-wasm and on wasmi 2.0 side by side, checks
//! both against the natively compiled programs, and prints time per program,
//! the ratios and their geometric means; then measures startup (decode +
//! validate, instantiate) on a generated module of 10+ MB.
//!
//! wasmtime (the PyPI `wasmtime` package, a prebuilt Cranelift JIT) is an optional
//! third peer, run through `python3` (see [`wasmtime_peer`]): its call time goes in
//! the same table, its up-front compile in a table of its own. Without python3 or
//! the package its column stays empty and the report says why; `--skip-wasmtime`
//! leaves it out.
//!
//! Each engine measurement runs in a child process of this binary (the
//! hidden `__worker` mode), so a crash or stack overflow in one engine is
//! reported as an error for that cell instead of ending the benchmark.
//!
//!     cargo run --profile bench-speed -p kpio-bench -- [--runs N] [--filter NAME] [--markdown]
//!
//! The GUI benchmarks (draw_rect call latency, the calculator at 60 Hz, cold start to
//! first frame; see [`gui`]) run against the hosted desktop when asked for by name:
//!
//!     cargo run --profile bench-speed -p kpio-bench -- gui [--markdown]
//!
//! (`engines gui` runs both groups; no group name runs `engines`, as before.)
//!
//! `bench-speed` (workspace Cargo.toml) is the release profile plus fat LTO
//! and one codegen unit, the profile wasmi's authors recommend for speed;
//! both engines are in this one binary, so both get it.

mod engines;
mod gui;
mod large;
mod startup;
mod wasmtime_peer;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;

use engines::{JitSummary, Kpio, Startup, Wasmi, guarded, kpio_config};

/// One benchmark program: an export of the wasm module and the same
/// function linked natively.
struct Program {
    name: &'static str,
    /// Default size argument (chosen for roughly 0.3–2 s on wasmi 2.0).
    arg: i32,
    what: &'static str,
    native: extern "C" fn(i32) -> i64,
}

const PROGRAMS: &[Program] = &[
    Program {
        name: "fib",
        arg: 36,
        what: "naive recursive fib(n)",
        native: kpio_bench_programs::fib,
    },
    Program {
        name: "sha256",
        arg: 32,
        what: "SHA-256 over n MiB of generated data",
        native: kpio_bench_programs::sha256,
    },
    Program {
        name: "coremark",
        arg: 400,
        what: "CoreMark-like list/matrix/state machine/CRC mix, n iterations",
        native: kpio_bench_programs::coremark,
    },
    Program {
        name: "nbody",
        arg: 1_000_000,
        what: "n-body (5 bodies, f64), n steps",
        native: kpio_bench_programs::nbody,
    },
    Program {
        name: "sort",
        arg: 3_000_000,
        what: "sort_unstable of n pseudo-random u32",
        native: kpio_bench_programs::sort,
    },
    Program {
        name: "matmul",
        arg: 60,
        what: "f64 matrix multiply, 128x128 (dot products against a transposed B), n rounds",
        native: kpio_bench_programs::matmul,
    },
    Program {
        name: "bits",
        arg: 5_000_000,
        what: "i32/i64 bit manipulation (popcnt, clz/ctz, rotates, bit reversal, Morton, table-free CRC-32, bitset), n words",
        native: kpio_bench_programs::bits,
    },
];

#[derive(Parser)]
#[command(
    name = "kpio-bench",
    about = "Run the benchmark programs on kpio-wasm and wasmi 2.0 side by side (plus native, and wasmtime through python3 when its package is installed), and measure startup on a generated 10+ MB module"
)]
struct Args {
    /// Benchmark groups to run: `engines` (the programs and startup, the default) and
    /// `gui` (the desktop: draw_rect latency, the calculator at 60 Hz, cold start).
    #[arg(value_name = "GROUP", value_parser = ["engines", "gui"])]
    groups: Vec<String>,
    /// Timed runs per program and engine; the best (minimum) is reported. The programs run
    /// in rounds, each engine once per round, so a slow spell of the machine falls on all
    /// engines alike.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Only run programs whose name contains NAME (repeatable; `startup`
    /// selects the startup measurement).
    #[arg(long, value_name = "NAME")]
    filter: Vec<String>,
    /// Print the tables as Markdown (for docs/benchmarks.md).
    #[arg(long)]
    markdown: bool,
    /// Override a program's size argument, e.g. `--size fib=30` (repeatable).
    #[arg(long, value_name = "NAME=N")]
    size: Vec<String>,
    /// Use this prebuilt wasm module instead of building bench/programs.
    #[arg(long, value_name = "FILE")]
    wasm: Option<PathBuf>,
    /// Size of the generated startup module in MB (10^6 bytes).
    #[arg(long, default_value_t = 12.0, value_name = "MB")]
    startup_mb: f64,
    /// Skip the startup measurement.
    #[arg(long)]
    skip_startup: bool,
    /// Skip kpio-wasm (all three tiers).
    #[arg(long)]
    skip_kpio: bool,
    /// Skip wasmi (its columns show `-`).
    #[arg(long)]
    skip_wasmi: bool,
    /// gui: draw_rect calls per timed loop.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    gui_calls: u32,
    /// gui: timed draw_rect loops per rectangle size (the best is reported).
    #[arg(long, default_value_t = 5, value_name = "N")]
    gui_rounds: u32,
    /// gui: key presses typed into the calculator.
    #[arg(long, default_value_t = 60, value_name = "N")]
    gui_presses: u32,
    /// gui: calculator launches timed for the cold start.
    #[arg(long, default_value_t = 10, value_name = "N")]
    gui_launches: u32,
    /// gui: only draw_rect (no calculator, so no wasm32-wasip1 build).
    #[arg(long)]
    skip_calculator: bool,
    /// Skip the wasmtime peer (python3 with the PyPI `wasmtime` package): the engines
    /// table's wasmtime columns and compile table, and the gui cold start's peer.
    #[arg(long)]
    skip_wasmtime: bool,
    /// gui: use this calculator module instead of building examples/calculator.
    #[arg(long, value_name = "FILE")]
    calculator_wasm: Option<PathBuf>,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("__worker") {
        return match worker(&argv[2..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e:#}");
                ExitCode::from(2)
            }
        };
    }
    match run_groups(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("kpio-bench: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

// ------------------------------------------------------------ worker ----

/// One column of kpio-wasm: the worker's engine name, the table's column, the tier.
struct KpioTier {
    engine: &'static str,
    column: &'static str,
    tier: kpio_wasm::Tier,
}

/// The tiers side by side (issue 9): indexes [`INTERP`], [`TIERED`], [`JIT`].
const KPIO_TIERS: [KpioTier; 3] = [
    KpioTier {
        engine: "kpio-interp",
        column: "interp",
        tier: kpio_wasm::Tier::Interp,
    },
    KpioTier {
        engine: "kpio-tiered",
        column: "tiered",
        tier: kpio_wasm::Tier::Auto,
    },
    KpioTier {
        engine: "kpio-jit",
        column: "jit",
        tier: kpio_wasm::Tier::Jit,
    },
];
const INTERP: usize = 0;
const TIERED: usize = 1;
const JIT: usize = 2;

fn kpio_tier(engine: &str) -> Option<kpio_wasm::Tier> {
    KPIO_TIERS
        .iter()
        .find(|t| t.engine == engine)
        .map(|t| t.tier)
}

/// Child-process mode:
/// `__worker run ENGINE WASM EXPORT ARG RUNS` prints `RESULT <best ns> <i64>` (and for
/// kpio `JIT <compiled> <refused> <code bytes>`, the native tier's statistic of the last
/// run); `__worker startup ENGINE BYTES RUNS` prints
/// `STARTUP <decode ns> <instantiate ns> <first call ns> <best total ns>`.
/// ENGINE is `wasmi` or one of [`KPIO_TIERS`]' engine names.
fn worker(args: &[String]) -> Result<()> {
    let arg = |i: usize| {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| anyhow!("bad worker args"))
    };
    match arg(0)? {
        "run" => {
            let (engine, wasm_path, export) = (arg(1)?, arg(2)?, arg(3)?);
            let n: i32 = arg(4)?.parse()?;
            let runs: u32 = arg(5)?.parse()?;
            let wasm = std::fs::read(wasm_path).with_context(|| format!("reading {wasm_path}"))?;
            if engine == "wasmi" {
                let w = Wasmi::new(&wasm)?;
                let m = measure(runs, &mut || w.run(export, n))?;
                println!("RESULT {} {}", m.best.as_nanos(), m.result);
            } else {
                let tier = kpio_tier(engine).ok_or_else(|| anyhow!("unknown engine {engine}"))?;
                // A fresh engine and module per run (not timed), so that every timed call
                // compiles what it tiers up, as a first launch would: compiled code belongs
                // to the module, and a reused module would hand runs 2.. native code
                // compiled in run 1.
                let mut jit = JitSummary::default();
                let m = measure(runs, &mut || {
                    guarded(engine, || {
                        let k = Kpio::with_config(&wasm, kpio_config(tier))?;
                        let r = k.run(export, n)?;
                        jit = k.jit_summary();
                        Ok(r)
                    })
                })?;
                println!("RESULT {} {}", m.best.as_nanos(), m.result);
                println!("JIT {} {} {}", jit.compiled, jit.refused, jit.code_bytes);
            }
        }
        "startup" => {
            let engine = arg(1)?;
            let bytes: usize = arg(2)?.parse()?;
            let runs: u32 = arg(3)?.parse()?;
            let wasm = startup::generate(bytes);
            let mut best: Option<(Startup, Duration)> = None;
            for _ in 0..runs {
                let s = match engine {
                    "wasmi" => Wasmi::startup(&wasm)?,
                    other => {
                        let tier =
                            kpio_tier(other).ok_or_else(|| anyhow!("unknown engine {other}"))?;
                        guarded(other, || Kpio::startup(&wasm, kpio_config(tier)))?
                    }
                };
                best = Some(match best {
                    None => (s, s.total()),
                    Some((b, t)) => (
                        Startup {
                            decode: b.decode.min(s.decode),
                            instantiate: b.instantiate.min(s.instantiate),
                            first_call: b.first_call.min(s.first_call),
                        },
                        t.min(s.total()),
                    ),
                });
            }
            let (b, total) = best.ok_or_else(|| anyhow!("startup: no runs"))?;
            println!(
                "STARTUP {} {} {} {}",
                b.decode.as_nanos(),
                b.instantiate.as_nanos(),
                b.first_call.as_nanos(),
                total.as_nanos()
            );
        }
        "large" => large::worker(arg(1)?, arg(2)?.parse()?, arg(3)?.parse()?)?,
        "gui" => gui::worker(&args[1..])?,
        other => bail!("unknown worker mode {other}"),
    }
    Ok(())
}

struct Measurement {
    best: Duration,
    result: i64,
}

/// Best of `runs`; every run must produce the same result.
fn measure(runs: u32, f: &mut dyn FnMut() -> Result<(Duration, i64)>) -> Result<Measurement> {
    let mut best = Duration::MAX;
    let mut result = None;
    for _ in 0..runs {
        let (d, v) = f()?;
        if let Some(r) = result
            && r != v
        {
            bail!("result changed between runs: {r:#018x}, then {v:#018x}");
        }
        result = Some(v);
        best = best.min(d);
    }
    Ok(Measurement {
        best,
        result: result.expect("runs >= 1"),
    })
}

/// Runs a worker child; its standard output on success, else the last line of its
/// error output and how it ended.
fn spawn_worker(args: &[String]) -> Result<String> {
    let exe = std::env::current_exe().context("locating kpio-bench executable")?;
    let out = Command::new(exe)
        .arg("__worker")
        .args(args)
        .output()
        .context("spawning worker process")?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let msg = stderr.trim();
        let msg = if msg.is_empty() { "(no message)" } else { msg };
        bail!(
            "{} ({})",
            msg.lines().last().unwrap_or(msg),
            describe_status(&out.status)
        );
    }
    Ok(stdout)
}

/// The `N` integers on the first line of `stdout` that starts with `tag` (a worker's
/// output line, e.g. `RESULT 123 -4`).
fn tagged<const N: usize>(stdout: &str, tag: &str) -> Result<[i128; N]> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(tag)?.strip_prefix(' '))
        .ok_or_else(|| anyhow!("worker printed no {tag} line: {stdout:?}"))?;
    let nums: Vec<i128> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("bad worker line {tag} {line}"))?;
    nums.try_into()
        .map_err(|v: Vec<i128>| anyhow!("worker line {tag} has {} numbers, want {N}", v.len()))
}

/// A non-negative worker number of nanoseconds.
fn nanos(n: i128) -> Result<Duration> {
    u64::try_from(n)
        .map(Duration::from_nanos)
        .map_err(|_| anyhow!("worker printed {n} nanoseconds"))
}

fn describe_status(s: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            return format!("killed by signal {sig}");
        }
    }
    format!("{s}")
}

// ------------------------------------------------------------- build ----

fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Is the wasm32-unknown-unknown standard library installed? `None` if
/// this could not be determined.
fn wasm_target_installed() -> Option<bool> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .args([
            "--print",
            "target-libdir",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return Some(false);
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let entries = std::fs::read_dir(&dir).ok();
    Some(entries.is_some_and(|mut e| {
        e.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libcore-")))
    }))
}

const TARGET_HINT: &str = "the wasm32-unknown-unknown target is not installed for this toolchain.\n\
     Install it with:\n\n    rustup target add wasm32-unknown-unknown\n\n\
     (or pass --wasm FILE with a prebuilt bench/programs module)";

fn build_programs() -> Result<PathBuf> {
    if wasm_target_installed() == Some(false) {
        bail!("{TARGET_HINT}");
    }
    let root = workspace_root();
    let manifest = root.join("bench/programs/Cargo.toml");
    let target_dir = root.join("target/bench-programs");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building bench/programs for wasm32-unknown-unknown ...");
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--manifest-path",
        ])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .status()
        .context("running cargo")?;
    if !status.success() {
        if wasm_target_installed() != Some(true) {
            bail!("building bench/programs failed; {TARGET_HINT}");
        }
        bail!("building bench/programs for wasm32-unknown-unknown failed ({status})");
    }
    Ok(target_dir.join("wasm32-unknown-unknown/release/kpio_bench_programs.wasm"))
}

/// The Cargo profile this binary was built with, read from the name of the
/// directory it sits in (`target/<profile>/kpio-bench`; `debug` for the dev
/// profile). Both engines are compiled into this one binary, so this is the
/// profile of both; the report prints it so a table says how it was built.
fn build_profile() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.file_name()?.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "unknown".into())
}

// --------------------------------------------------------------- run ----

/// A cell: a measurement or why there is none.
type Cell = Result<Measurement, String>;

/// One kpio tier's cell, with what its native tier compiled (`None` if the worker failed).
struct TierCell {
    cell: Cell,
    jit: Option<JitSummary>,
}

struct Row {
    label: String,
    native: Measurement,
    /// Indexed as [`KPIO_TIERS`]; `None` with `--skip-kpio`.
    kpio: Option<[TierCell; 3]>,
    /// `None` with `--skip-wasmi`.
    wasmi: Option<Cell>,
    /// `None` when the peer is skipped or unavailable.
    wasmtime: Option<Result<wasmtime_peer::PeerMeasurement, String>>,
    ok: bool,
}

/// One engine's startup: best of each step, and the best total of one run.
struct StartupCell {
    decode: Duration,
    instantiate: Duration,
    first_call: Duration,
    total: Duration,
}

/// The better of two startup measurements of one engine, step by step (the total stays
/// the best sum within one run); a failure wins, so it is reported.
fn best_startup(
    a: Result<StartupCell, String>,
    b: Result<StartupCell, String>,
) -> Result<StartupCell, String> {
    let (a, b) = (a?, b?);
    Ok(StartupCell {
        decode: a.decode.min(b.decode),
        instantiate: a.instantiate.min(b.instantiate),
        first_call: a.first_call.min(b.first_call),
        total: a.total.min(b.total),
    })
}

/// The startup table's cells; `None` for an engine that is skipped.
struct StartupRows {
    interp: Option<Result<StartupCell, String>>,
    tiered: Option<Result<StartupCell, String>>,
    wasmi: Option<Result<StartupCell, String>>,
    wasmtime: Option<Result<StartupCell, String>>,
}

/// Whether the wasmtime peer runs, and if not, why (printed with the report).
enum Peer {
    Skipped,
    Unavailable(String),
    Ready(wasmtime_peer::PeerInfo),
}

impl Peer {
    fn ready(&self) -> bool {
        matches!(self, Peer::Ready(_))
    }

    fn describe(&self) -> String {
        match self {
            Peer::Skipped => "wasmtime peer: skipped (--skip-wasmtime)".into(),
            Peer::Unavailable(why) => {
                format!("wasmtime peer: not available, its columns are empty: {why}")
            }
            Peer::Ready(i) => format!(
                "wasmtime peer: PyPI `wasmtime` {} (python {}), default config (Cranelift), \
                 a fresh engine per run, so every compile is cold",
                i.wasmtime, i.python
            ),
        }
    }
}

/// A wasmtime measurement as a [`Cell`] of its call time, for the checks and the table.
/// The better of two runs' cells of one engine: the faster, or the first error; a result
/// that changed between runs is an error.
fn best_cell(a: Cell, b: Cell) -> Cell {
    let (a, b) = (a?, b?);
    if a.result != b.result {
        return Err(format!(
            "result changed between runs: {:#018x}, then {:#018x}",
            a.result, b.result
        ));
    }
    Ok(Measurement {
        best: a.best.min(b.best),
        result: a.result,
    })
}

fn peer_cell(c: &Result<wasmtime_peer::PeerMeasurement, String>) -> Cell {
    c.as_ref()
        .map(|m| Measurement {
            best: m.call,
            result: m.result,
        })
        .map_err(Clone::clone)
}

fn selected(filters: &[String], name: &str) -> bool {
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

/// Runs the groups asked for (`engines` when none is named).
fn run_groups(args: Args) -> Result<bool> {
    let gui = args.groups.iter().any(|g| g == "gui");
    let engines = args.groups.is_empty() || args.groups.iter().any(|g| g == "engines");
    let gui_options = gui.then(|| gui::GuiOptions {
        calls: args.gui_calls.max(1),
        rounds: args.gui_rounds.max(1),
        presses: args.gui_presses,
        launches: args.gui_launches,
        skip_calculator: args.skip_calculator,
        skip_wasmtime: args.skip_wasmtime,
        calculator_wasm: args.calculator_wasm.clone(),
        markdown: args.markdown,
    });
    let mut ok = true;
    if engines {
        ok &= run(args)?;
    }
    if let Some(o) = gui_options {
        ok &= gui::run(&o)?;
    }
    Ok(ok)
}

fn run(args: Args) -> Result<bool> {
    let mut sizes: Vec<(String, i32)> = Vec::new();
    for s in &args.size {
        let (name, n) = s
            .split_once('=')
            .ok_or_else(|| anyhow!("--size wants NAME=N, got {s}"))?;
        if !PROGRAMS.iter().any(|p| p.name == name) {
            bail!("--size: unknown program {name}");
        }
        sizes.push((
            name.to_string(),
            n.parse().with_context(|| format!("--size {s}"))?,
        ));
    }
    let programs: Vec<(&Program, i32)> = PROGRAMS
        .iter()
        .filter(|p| selected(&args.filter, p.name))
        .map(|p| {
            (
                p,
                sizes
                    .iter()
                    .rev()
                    .find(|(n, _)| n == p.name)
                    .map_or(p.arg, |s| s.1),
            )
        })
        .collect();
    let do_startup = !args.skip_startup && selected(&args.filter, "startup");
    if programs.is_empty() && !do_startup {
        let names: Vec<&str> = PROGRAMS.iter().map(|p| p.name).collect();
        bail!(
            "--filter matched nothing (programs: {} startup)",
            names.join(" ")
        );
    }

    let peer = if args.skip_wasmtime {
        Peer::Skipped
    } else {
        match wasmtime_peer::probe() {
            Ok(info) => Peer::Ready(info),
            Err(why) => Peer::Unavailable(why),
        }
    };
    if let Peer::Unavailable(_) = &peer {
        eprintln!("note: {}", peer.describe());
    }

    let mut failures: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    let mut wasm_len = 0;
    if !programs.is_empty() {
        let wasm_path = match &args.wasm {
            Some(p) => p.clone(),
            None => build_programs()?,
        };
        wasm_len = std::fs::metadata(&wasm_path)
            .with_context(|| format!("reading {}", wasm_path.display()))?
            .len();
        let wasm_arg = wasm_path.to_string_lossy().into_owned();
        for &(p, n) in &programs {
            let label = format!("{}({n})", p.name);
            eprint!("{label:<18} ");
            let engine_run = |engine: &str| -> Result<String> {
                spawn_worker(&[
                    "run".into(),
                    engine.into(),
                    wasm_arg.clone(),
                    p.name.into(),
                    n.to_string(),
                    "1".into(),
                ])
            };
            let result_cell = |out: &Result<String>| -> Cell {
                let out = out.as_ref().map_err(|e| format!("{e:#}"))?;
                let [ns, v] = tagged(out, "RESULT").map_err(|e| format!("{e:#}"))?;
                Ok(Measurement {
                    best: nanos(ns).map_err(|e| format!("{e:#}"))?,
                    result: v as i64,
                })
            };
            // Rounds, each running every engine once: the machine's slow spells (seconds
            // long) then fall on all engines alike instead of on one engine's runs.
            let mut native: Option<Measurement> = None;
            let mut wasmi: Option<Cell> = None;
            let mut kpio: Option<[TierCell; 3]> = None;
            let mut peer_runs: Option<Result<Vec<wasmtime_peer::PeerRun>, String>> = None;
            for _ in 0..args.runs.max(1) {
                let m = measure(1, &mut || {
                    let t = Instant::now();
                    let v = black_box((p.native)(black_box(n)));
                    Ok((t.elapsed(), v))
                })?;
                native = Some(match native {
                    None => m,
                    Some(b) if b.result != m.result => {
                        bail!("{label}: native result changed between runs")
                    }
                    Some(b) => Measurement {
                        best: b.best.min(m.best),
                        result: b.result,
                    },
                });
                if !args.skip_wasmi {
                    let c = result_cell(&engine_run("wasmi"));
                    wasmi = Some(match wasmi {
                        None => c,
                        Some(b) => best_cell(b, c),
                    });
                }
                if !args.skip_kpio {
                    let round = KPIO_TIERS.each_ref().map(|t| {
                        let out = engine_run(t.engine);
                        let cell = result_cell(&out);
                        let jit = out.ok().and_then(|o| {
                            let [compiled, refused, bytes] = tagged(&o, "JIT").ok()?;
                            Some(JitSummary {
                                compiled: compiled as u64,
                                refused: refused as u64,
                                code_bytes: bytes as u64,
                            })
                        });
                        TierCell { cell, jit }
                    });
                    kpio = Some(match kpio {
                        None => round,
                        Some(best) => {
                            let mut round = round.into_iter();
                            best.map(|b| {
                                let r = round.next().expect("three tiers");
                                TierCell {
                                    cell: best_cell(b.cell, r.cell),
                                    jit: r.jit.or(b.jit),
                                }
                            })
                        }
                    });
                }
                if peer.ready() {
                    let r = wasmtime_peer::runs(&wasm_path, p.name, n, 1);
                    peer_runs = Some(match (peer_runs, r) {
                        (None, r) => r,
                        (Some(Err(e)), _) | (Some(Ok(_)), Err(e)) => Err(e),
                        (Some(Ok(mut all)), Ok(more)) => {
                            all.extend(more);
                            Ok(all)
                        }
                    });
                }
            }
            let native = native.expect("at least one round");
            eprint!("native {} ms", fmt_ms(native.best));
            if let Some(c) = &wasmi {
                eprint!(", wasmi {}", progress(c));
            }
            if let Some(k) = &kpio {
                for (t, c) in KPIO_TIERS.iter().zip(k) {
                    eprint!(", kpio {} {}", t.column, progress(&c.cell));
                }
            }
            let wasmtime = peer_runs.map(|r| r.and_then(|r| wasmtime_peer::summarize(&r)));
            let wasmtime_cell = wasmtime.as_ref().map(peer_cell);
            if let Some(w) = &wasmtime_cell {
                eprint!(", wasmtime {}", progress(w));
            }
            eprintln!();

            let mut ok = true;
            let mut checked: Vec<(String, Option<&Cell>)> = vec![("wasmi".into(), wasmi.as_ref())];
            if let Some(k) = &kpio {
                for (t, c) in KPIO_TIERS.iter().zip(k) {
                    checked.push((format!("kpio {}", t.column), Some(&c.cell)));
                }
            }
            checked.push(("wasmtime".into(), wasmtime_cell.as_ref()));
            for (engine, cell) in checked {
                match cell {
                    None => {}
                    Some(Err(e)) => {
                        ok = false;
                        failures.push(format!("{label}: {engine} failed: {e}"));
                    }
                    Some(Ok(m)) if m.result != native.result => {
                        ok = false;
                        failures.push(format!(
                            "{label}: RESULT MISMATCH: {engine} returned {:#018x}, native {:#018x}",
                            m.result, native.result
                        ));
                    }
                    Some(Ok(_)) => {}
                }
            }
            rows.push(Row {
                label,
                native,
                kpio,
                wasmi,
                wasmtime,
                ok,
            });
        }
    }

    let mut startup = None;
    let startup_bytes = (args.startup_mb * 1e6) as usize;
    if do_startup {
        eprint!(
            "startup: generating and loading a {:.1} MB module ... ",
            args.startup_mb
        );
        let engine_startup = |engine: &str| -> Result<StartupCell, String> {
            let out = spawn_worker(&[
                "startup".into(),
                engine.into(),
                startup_bytes.to_string(),
                args.runs.to_string(),
            ])
            .map_err(|e| format!("{e:#}"))?;
            let [d, i, c, t] = tagged(&out, "STARTUP").map_err(|e| format!("{e:#}"))?;
            let ns = |v| nanos(v).map_err(|e| format!("{e:#}"));
            Ok(StartupCell {
                decode: ns(d)?,
                instantiate: ns(i)?,
                first_call: ns(c)?,
                total: ns(t)?,
            })
        };
        // In rounds, each engine's runs in a fresh worker process per round: a process's
        // speed at loading a 12 MB module varies (the runs in one process were all about
        // 70 ms or all about 125 ms, whatever the engine), and rounds let every engine
        // draw from the same spells.
        let mut kpio_cells = [None, None, None];
        for _ in 0..args.runs.max(1) {
            let engines = [
                (!args.skip_kpio).then_some(KPIO_TIERS[INTERP].engine),
                (!args.skip_kpio).then_some(KPIO_TIERS[TIERED].engine),
                (!args.skip_wasmi).then_some("wasmi"),
            ];
            for (cell, engine) in kpio_cells.iter_mut().zip(engines) {
                if let Some(engine) = engine {
                    let run = engine_startup(engine);
                    *cell = Some(match cell.take() {
                        None => run,
                        Some(best) => best_startup(best, run),
                    });
                }
            }
        }
        let [interp, tiered, wasmi] = kpio_cells;
        let s = StartupRows {
            interp,
            tiered,
            wasmi,
            wasmtime: peer
                .ready()
                .then(|| wasmtime_startup(startup_bytes, args.runs)),
        };
        eprintln!("done");
        for (engine, cell) in [
            ("kpio interp", s.interp.as_ref()),
            ("kpio tiered", s.tiered.as_ref()),
            ("wasmi", s.wasmi.as_ref()),
            ("wasmtime", s.wasmtime.as_ref()),
        ] {
            if let Some(Err(e)) = cell {
                failures.push(format!("startup: {engine} failed: {e}"));
            }
        }
        startup = Some(s);
    }
    let large = do_startup.then(|| {
        eprint!(
            "large program: a {:.1} MB module's hot loop ... ",
            args.startup_mb
        );
        let r = large::measure(startup_bytes, args.runs, args.skip_kpio, peer.ready());
        eprintln!("done");
        failures.extend(large::failures(&r));
        r
    });

    // ---- report ----
    let md = args.markdown;
    let note = if md { "" } else { "# " };
    println!();
    println!(
        "{note}build: profile `{}` (the executable's directory); kpio-wasm dispatch backend: {}",
        build_profile(),
        kpio_wasm::dispatch_backend()
    );
    println!();
    if !rows.is_empty() || startup.is_some() {
        println!("{note}{}", peer.describe());
        println!();
    }
    if !rows.is_empty() {
        print_program_tables(&rows, args.runs, wasm_len, md);
        if rows.iter().any(|r| r.wasmtime.is_some()) {
            print_compile_table(&rows, args.runs, md);
        }
        for &(p, _) in &programs {
            println!("{}{}: {}", if md { "- " } else { "  " }, p.name, p.what);
        }
        println!();
    }
    if let Some(s) = &startup {
        println!(
            "{note}startup: generated module of {} bytes, best of {} run(s) per step, fresh engine each run",
            startup::generate(startup_bytes).len(),
            args.runs
        );
        if md {
            println!();
        }
        print_startup_table(s, md);
    }
    if let Some(r) = &large {
        println!();
        large::print(r, args.runs, md);
    }

    if failures.is_empty() {
        return Ok(true);
    }
    eprintln!();
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    eprintln!("!!! kpio-bench: {} FAILURE(S)", failures.len());
    for f in &failures {
        eprintln!("!!!   {f}");
    }
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    Ok(false)
}

/// Startup on wasmtime: the generated module goes to a temporary file the script reads.
fn wasmtime_startup(bytes: usize, runs: u32) -> Result<StartupCell, String> {
    let path = std::env::temp_dir().join(format!("kpio-bench-startup-{}.wasm", std::process::id()));
    std::fs::write(&path, startup::generate(bytes))
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    let r = wasmtime_peer::startup(&path, runs);
    // Best effort: a leftover file in the temp directory is harmless.
    let _ = std::fs::remove_file(&path);
    r.map(|s| StartupCell {
        decode: s.compile,
        instantiate: s.instantiate,
        first_call: s.first_call,
        total: s.total,
    })
}

/// The best of a duration column of `rows`, when it was measured.
fn best_of(c: Option<&Cell>) -> Option<Duration> {
    c.and_then(|c| c.as_ref().ok()).map(|m| m.best)
}

/// The engines tables: times (with what the native tier compiled), then ratios and the
/// issue's targets.
fn print_program_tables(rows: &[Row], runs: u32, wasm_len: u64, md: bool) {
    let note = if md { "" } else { "# " };
    println!(
        "{note}programs: best of {runs} run(s), in rounds that run every engine once; module \
         {wasm_len} bytes; native = same Rust source compiled for the host; times are of the \
         call alone (instantiation not timed)"
    );
    if md {
        println!();
    }
    let mut t = Table::new(&[
        "program",
        "native ms",
        "kpio interp ms",
        "kpio tiered ms",
        "kpio jit ms",
        "wasmi ms",
        "wasmtime ms",
        "tiered compiled",
        "check",
    ]);
    for r in rows {
        let k = |i: usize| r.kpio.as_ref().map_or("-".into(), |k| cell_ms(&k[i].cell));
        t.row(vec![
            r.label.clone(),
            fmt_ms(r.native.best),
            k(INTERP),
            k(TIERED),
            k(JIT),
            r.wasmi.as_ref().map_or("-".into(), cell_ms),
            r.wasmtime
                .as_ref()
                .map_or("-".into(), |c| cell_ms(&peer_cell(c))),
            r.kpio
                .as_ref()
                .and_then(|k| k[TIERED].jit)
                .map_or("-".into(), |j| fmt_jit(&j)),
            if r.ok { "ok".into() } else { "FAILED".into() },
        ]);
    }
    t.print(md);
    println!();
    println!(
        "{}kpio interp = `Tier::Interp`; kpio tiered = `Tier::Auto`, the default (a function \
         is compiled at its 100th call, and a call whose loops have run 1000 iterations moves \
         into native code); kpio jit = `Tier::Jit` (every function compiled at its first call). \
         Every kpio run has a fresh engine and module (made outside the timing), so the tiered \
         and jit times include their Cranelift compiles, done lazily inside the timed call; \
         wasmtime compiles the whole module up front, outside its timed call (see the compile \
         table). \"tiered compiled\": functions the tiered engine compiled in a run, and their \
         code size.",
        if md { "" } else { "  " }
    );
    println!();

    println!("{note}ratios of the times above (a / b; below 1 means a is faster)");
    if md {
        println!();
    }
    let mut t = Table::new(&[
        "program",
        "interp/tiered",
        "tiered/wasmtime",
        "tiered/native",
        "jit/wasmtime",
        "interp/wasmi",
        "wasmtime/native",
        "wasmi/native",
    ]);
    let mut g = [(); 7].map(|_| Geo::default());
    let mut speedups = Vec::new();
    let mut vs_wasmtime = Vec::new();
    for r in rows {
        let k = |i: usize| best_of(r.kpio.as_ref().map(|k| &k[i].cell));
        let (interp, tiered, jit) = (k(INTERP), k(TIERED), k(JIT));
        let w = best_of(r.wasmi.as_ref());
        let wt = r
            .wasmtime
            .as_ref()
            .and_then(|c| c.as_ref().ok())
            .map(|m| m.call);
        let n = Some(r.native.best);
        speedups.push((r.label.clone(), ratio_of(interp, tiered)));
        vs_wasmtime.push(ratio_of(tiered, wt));
        let [g0, g1, g2, g3, g4, g5, g6] = &mut g;
        t.row(vec![
            r.label.clone(),
            ratio(interp, tiered, g0),
            ratio(tiered, wt, g1),
            ratio(tiered, n, g2),
            ratio(jit, wt, g3),
            ratio(interp, w, g4),
            ratio(wt, n, g5),
            ratio(w, n, g6),
        ]);
    }
    let mut geo_row = vec!["geomean".to_string()];
    geo_row.extend(g.iter().map(Geo::show));
    t.row(geo_row);
    t.print(md);
    println!();
    let bullet = if md { "- " } else { "  " };
    println!(
        "{bullet}target, tiered at least {SPEEDUP_TARGET}x faster than the interpreter on every program: {}",
        speedup_target(&speedups, SPEEDUP_TARGET)
    );
    println!(
        "{bullet}target, tiered geomean within {WASMTIME_TARGET}x of wasmtime's call: {}",
        geomean_target(&vs_wasmtime, WASMTIME_TARGET)
    );
    println!();
}

/// Issue 9's gate: the tiered engine at least this many times faster than the interpreter,
/// on every program.
const SPEEDUP_TARGET: f64 = 5.0;
/// Issue 9's target: the tiered engine's geomean time at most this multiple of wasmtime's.
const WASMTIME_TARGET: f64 = 1.15;
/// Issue 9's startup target: time to first instruction of the tiered engine at most this
/// multiple of the interpreter-only engine's.
const STARTUP_TARGET: f64 = 1.10;

/// wasmtime's up-front compile beside its call: time to result counting the compile,
/// against kpio's call times (kpio compiles lazily, inside the call).
fn print_compile_table(rows: &[Row], runs: u32, md: bool) {
    println!(
        "{}wasmtime compile: `Module(engine, wasm)` of the whole programs module with a fresh \
         engine, best of {runs} run(s); compile + call is the best sum within one run; the \
         kpio columns are the call times of the table above, which include kpio's lazy \
         compiles (its `Module::new`, under 1 ms for this module, is not counted)",
        if md { "" } else { "# " },
    );
    if md {
        println!();
    }
    let mut t = Table::new(&[
        "program",
        "wasmtime compile ms",
        "wasmtime call ms",
        "compile + call ms",
        "kpio interp ms",
        "kpio tiered ms",
        "interp/(compile + call)",
        "tiered/(compile + call)",
    ]);
    let mut g = [Geo::default(), Geo::default()];
    for r in rows {
        let k = |i: usize| best_of(r.kpio.as_ref().map(|k| &k[i].cell));
        let k_ms = |i: usize| r.kpio.as_ref().map_or("-".into(), |k| cell_ms(&k[i].cell));
        let [gi, gt] = &mut g;
        let cells = match &r.wasmtime {
            Some(Ok(m)) => vec![
                fmt_ms(m.compile),
                fmt_ms(m.call),
                fmt_ms(m.to_result),
                k_ms(INTERP),
                k_ms(TIERED),
                ratio(k(INTERP), Some(m.to_result), gi),
                ratio(k(TIERED), Some(m.to_result), gt),
            ],
            Some(Err(_)) => {
                let mut v = vec!["error".to_string(); 3];
                v.extend([k_ms(INTERP), k_ms(TIERED), "-".into(), "-".into()]);
                v
            }
            None => vec!["-".into(); 7],
        };
        let mut row = vec![r.label.clone()];
        row.extend(cells);
        t.row(row);
    }
    let mut geo_row = vec!["geomean".to_string()];
    geo_row.extend(vec![String::new(); 5]);
    geo_row.extend(g.iter().map(Geo::show));
    t.row(geo_row);
    t.print(md);
    println!();
}

/// Startup of the generated module: each step and the time to the first instruction,
/// for the interpreter-only and the tiered kpio engine, wasmi and wasmtime.
fn print_startup_table(s: &StartupRows, md: bool) {
    let mut t = Table::new(&[
        "startup",
        "kpio interp ms",
        "kpio tiered ms",
        "wasmi ms",
        "wasmtime ms",
        "tiered/interp",
        "tiered/wasmtime",
    ]);
    type Step = fn(&StartupCell) -> Duration;
    let steps: [(&str, Step); 4] = [
        ("decode+validate (Module::new)", |c| c.decode),
        ("instantiate", |c| c.instantiate),
        ("first call (trivial export)", |c| c.first_call),
        ("time to first instruction", |c| c.total),
    ];
    let mut to_first = None;
    for (label, step) in steps {
        let get = |c: Option<&Result<StartupCell, String>>| -> (String, Option<Duration>) {
            match c {
                None => ("-".into(), None),
                Some(Err(_)) => ("error".into(), None),
                Some(Ok(c)) => (fmt_ms(step(c)), Some(step(c))),
            }
        };
        let (i, id) = get(s.interp.as_ref());
        let (k, kd) = get(s.tiered.as_ref());
        let (w, _) = get(s.wasmi.as_ref());
        let (wt, wtd) = get(s.wasmtime.as_ref());
        if label == "time to first instruction" {
            to_first = Some(ratio_of(kd, id));
        }
        t.row(vec![
            label.to_string(),
            i,
            k,
            w,
            wt,
            ratio(kd, id, &mut Geo::default()),
            ratio(kd, wtd, &mut Geo::default()),
        ]);
    }
    t.print(md);
    println!();
    let bullet = if md { "- " } else { "  " };
    println!(
        "{bullet}each step is the best of its own runs; time to first instruction is the best \
         sum of the three steps within one run. kpio and wasmi run in rounds, each engine's runs in \
         a fresh process per round (a process loads a module this size fast or slow throughout). \
         wasmtime's Module::new compiles every function \
         with Cranelift (kpio and wasmi decode and validate, translating lazily); its instantiate \
         and call are timed in Python."
    );
    if let Some(r) = to_first {
        println!(
            "{bullet}target, tiered time to first instruction within {STARTUP_TARGET}x of the \
             interpreter-only engine's: {}",
            geomean_target(&[r], STARTUP_TARGET)
        );
    }
    println!();
}

// ----------------------------------------------------------- output ----

fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 0.1 {
        // Startup's first call takes microseconds: three significant digits.
        fmt_ratio(ms)
    } else if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// What a tiered engine compiled: functions, code size, and refusals if any.
fn fmt_jit(j: &JitSummary) -> String {
    let kib = j.code_bytes.div_ceil(1024);
    if j.refused == 0 {
        format!("{} fn, {kib} KiB", j.compiled)
    } else {
        format!("{} fn, {kib} KiB, {} refused", j.compiled, j.refused)
    }
}

fn progress(c: &Cell) -> String {
    match c {
        Ok(m) => format!("{} ms", fmt_ms(m.best)),
        Err(_) => "error".into(),
    }
}

fn cell_ms(c: &Cell) -> String {
    match c {
        Ok(m) => fmt_ms(m.best),
        Err(_) => "error".into(),
    }
}

/// A running geometric mean of ratios.
#[derive(Default)]
struct Geo {
    log_sum: f64,
    n: u32,
}

impl Geo {
    fn add(&mut self, r: f64) {
        self.log_sum += r.ln();
        self.n += 1;
    }

    fn value(&self) -> Option<f64> {
        (self.n > 0).then(|| (self.log_sum / self.n as f64).exp())
    }

    fn show(&self) -> String {
        self.value().map_or("-".into(), |g| format!("{g:.2}"))
    }
}

/// `a / b` when both were measured and neither is zero.
fn ratio_of(a: Option<Duration>, b: Option<Duration>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if !b.is_zero() && !a.is_zero() => {
            Some(a.as_secs_f64() / b.as_secs_f64())
        }
        _ => None,
    }
}

/// Two decimals, or three significant digits below 0.1 (wasmtime's compile against a
/// lazy decode gives ratios like 0.004).
fn fmt_ratio(r: f64) -> String {
    if r <= 0.0 || !r.is_finite() {
        format!("{r}")
    } else if r < 0.1 {
        let decimals = (2.0 - r.log10().floor()) as usize;
        format!("{r:.decimals$}")
    } else {
        format!("{r:.2}")
    }
}

/// The ratio cell `a / b`, added to `g`; `-` when either is missing.
fn ratio(a: Option<Duration>, b: Option<Duration>, g: &mut Geo) -> String {
    match ratio_of(a, b) {
        Some(r) => {
            g.add(r);
            fmt_ratio(r)
        }
        None => "-".into(),
    }
}

/// Verdict on "at least `min` on every program" for `(program, ratio)` pairs: `met`,
/// `NOT met` (naming the programs below), or `not measured` (naming the programs without
/// a ratio), with the lowest ratio seen.
fn speedup_target(speedups: &[(String, Option<f64>)], min: f64) -> String {
    let missing: Vec<&str> = speedups
        .iter()
        .filter(|(_, r)| r.is_none())
        .map(|(l, _)| l.as_str())
        .collect();
    let below: Vec<String> = speedups
        .iter()
        .filter_map(|(l, r)| r.filter(|&r| r < min).map(|r| format!("{l} {r:.2}x")))
        .collect();
    let lowest = speedups
        .iter()
        .filter_map(|(l, r)| r.map(|r| (l, r)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let verdict = if speedups.is_empty() || !missing.is_empty() {
        "not measured"
    } else if below.is_empty() {
        "met"
    } else {
        "NOT met"
    };
    let mut out = verdict.to_string();
    if let Some((l, r)) = lowest {
        out += &format!(", lowest {r:.2}x ({l})");
    }
    if !below.is_empty() {
        out += &format!("; below: {}", below.join(", "));
    }
    if !missing.is_empty() {
        out += &format!("; no ratio for: {}", missing.join(", "));
    }
    out
}

/// Verdict on "geometric mean of `ratios` at most `max`": `met` or `NOT met` with the
/// geomean, or `not measured` when any ratio is missing (a geomean of a subset is shown
/// but not judged).
fn geomean_target(ratios: &[Option<f64>], max: f64) -> String {
    let mut g = Geo::default();
    for r in ratios.iter().flatten() {
        g.add(*r);
    }
    let shown = g.value().map(|v| format!("{v:.2}"));
    match shown {
        None => "not measured".into(),
        Some(v) if (g.n as usize) < ratios.len() => {
            format!(
                "not measured (geomean {v} of {} of {} ratios)",
                g.n,
                ratios.len()
            )
        }
        Some(v) if g.value().is_some_and(|x| x <= max) => format!("met ({v})"),
        Some(v) => format!("NOT met ({v})"),
    }
}

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, r: Vec<String>) {
        self.rows.push(r);
    }

    fn print(&self, markdown: bool) {
        let cols = self.header.len();
        let width: Vec<usize> = (0..cols)
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r[c].len())
                    .chain([self.header[c].len()])
                    .max()
                    .unwrap()
            })
            .collect();
        let line = |r: &[String]| -> String {
            let cells: Vec<String> = (0..cols)
                .map(|c| {
                    if c == 0 {
                        format!("{:<w$}", r[c], w = width[c])
                    } else {
                        format!("{:>w$}", r[c], w = width[c])
                    }
                })
                .collect();
            if markdown {
                format!("| {} |", cells.join(" | "))
            } else {
                cells.join("  ")
            }
        };
        println!("{}", line(&self.header));
        if markdown {
            let seps: Vec<String> = (0..cols)
                .map(|c| {
                    if c == 0 {
                        format!(":{}", "-".repeat(width[c] - 1))
                    } else {
                        format!("{}:", "-".repeat(width[c] - 1))
                    }
                })
                .collect();
            println!("| {} |", seps.join(" | "));
        } else {
            let total = width.iter().sum::<usize>() + 2 * (cols - 1);
            println!("{}", "-".repeat(total));
        }
        for r in &self.rows {
            println!("{}", line(r));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use kpio_bench_programs as programs;

    use super::*;

    fn ms(v: u64) -> Option<Duration> {
        Some(Duration::from_millis(v))
    }

    #[test]
    fn ratios_and_their_geomean() {
        assert_eq!(ratio_of(ms(400), ms(100)), Some(4.0));
        assert_eq!(ratio_of(ms(300), None), None);
        assert_eq!(ratio_of(None, ms(1)), None);
        // A zero time (clock resolution) gives no ratio rather than 0 or infinity.
        assert_eq!(ratio_of(ms(1), Some(Duration::ZERO)), None);
        assert_eq!(ratio_of(Some(Duration::ZERO), ms(1)), None);
        let mut g = Geo::default();
        assert_eq!(g.show(), "-");
        assert_eq!(ratio(ms(200), ms(100), &mut g), "2.00");
        assert_eq!(ratio(ms(100), ms(800), &mut g), "0.12");
        assert_eq!(ratio(None, ms(800), &mut g), "-");
        // sqrt(2 * 0.125) = 0.5; the missing pair is left out.
        assert_eq!(g.n, 2);
        assert!((g.value().unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(fmt_ratio(0.00699), "0.00699");
        assert_eq!(fmt_ratio(0.0512), "0.0512");
        assert_eq!(fmt_ratio(11.654), "11.65");
    }

    #[test]
    fn speedup_target_names_the_programs_that_miss() {
        let p = |l: &str, r: Option<f64>| (l.to_string(), r);
        assert_eq!(
            speedup_target(&[p("fib", Some(9.0)), p("sort", Some(5.0))], 5.0),
            "met, lowest 5.00x (sort)"
        );
        assert_eq!(
            speedup_target(&[p("fib", Some(9.0)), p("bits", Some(4.5))], 5.0),
            "NOT met, lowest 4.50x (bits); below: bits 4.50x"
        );
        assert_eq!(
            speedup_target(&[p("fib", Some(9.0)), p("bits", None)], 5.0),
            "not measured, lowest 9.00x (fib); no ratio for: bits"
        );
        assert_eq!(speedup_target(&[], 5.0), "not measured");
    }

    #[test]
    fn geomean_target_judges_only_complete_sets() {
        assert_eq!(geomean_target(&[Some(1.0), Some(1.21)], 1.15), "met (1.10)");
        assert_eq!(
            geomean_target(&[Some(1.0), Some(1.44)], 1.15),
            "NOT met (1.20)"
        );
        assert_eq!(
            geomean_target(&[Some(1.0), None], 1.15),
            "not measured (geomean 1.00 of 1 of 2 ratios)"
        );
        assert_eq!(geomean_target(&[None], 1.15), "not measured");
        assert_eq!(geomean_target(&[], 1.15), "not measured");
    }

    #[test]
    fn worker_lines_are_read_by_tag() {
        let out = "noise\nRESULT 1500 -7\nJIT 3 0 4096\nRESULTS 9 9\n";
        assert_eq!(tagged::<2>(out, "RESULT").unwrap(), [1500, -7]);
        assert_eq!(tagged::<3>(out, "JIT").unwrap(), [3, 0, 4096]);
        // The tag is a whole word: `RESULTS` is not `RESULT`.
        assert!(tagged::<2>("RESULTS 9 9\n", "RESULT").is_err());
        assert!(tagged::<3>(out, "RESULT").is_err());
        assert!(tagged::<1>("RESULT x\n", "RESULT").is_err());
        assert!(tagged::<1>("", "RESULT").is_err());
        assert!(nanos(-1).is_err());
        assert_eq!(nanos(5).unwrap(), Duration::from_nanos(5));
    }

    #[test]
    fn tier_names_and_jit_summaries() {
        assert_eq!(kpio_tier("kpio-interp"), Some(kpio_wasm::Tier::Interp));
        assert_eq!(kpio_tier("kpio-tiered"), Some(kpio_wasm::Tier::Auto));
        assert_eq!(kpio_tier("kpio-jit"), Some(kpio_wasm::Tier::Jit));
        assert_eq!(kpio_tier("kpio"), None);
        let j = |compiled, refused, code_bytes| JitSummary {
            compiled,
            refused,
            code_bytes,
        };
        assert_eq!(fmt_jit(&j(12, 0, 40_000)), "12 fn, 40 KiB");
        assert_eq!(fmt_jit(&j(1, 2, 1)), "1 fn, 1 KiB, 2 refused");
        assert_eq!(fmt_ms(Duration::from_micros(42)), "0.0420");
        assert_eq!(fmt_ms(Duration::ZERO), "0");
        assert_eq!(fmt_ms(Duration::from_micros(2_500)), "2.50");
    }

    fn hex(d: [u8; 32]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_known_vectors() {
        assert_eq!(
            hex(programs::Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(programs::Sha256::digest(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn native_programs_small_sizes() {
        assert_eq!(programs::fib(20), 6765);
        // Published n-body reference output for 1000 steps.
        let e = f64::from_bits(programs::nbody(1000) as u64);
        assert_eq!(format!("{e:.9}"), "-0.169087605");
        assert_ne!(programs::sort(10_000), -1);
        assert_eq!(programs::coremark(3), programs::coremark(3));
    }

    /// Pins the two newest programs at small sizes, so a change to their
    /// source (which would make tables of different dates incomparable) shows
    /// up here. The values were read off the first version (2026-12-01).
    #[test]
    fn matmul_and_bits_pinned() {
        assert_eq!(programs::bits(1000) as u64, 0x95b6_00e0_9dca_945a);
        assert_eq!(programs::matmul(2) as u64, 0x401e_1815_3e24_2d88);
    }
}

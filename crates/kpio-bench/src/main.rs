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
mod startup;
mod wasmtime_peer;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;

use engines::{Kpio, Wasmi, guarded};

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
    /// Timed runs per program and engine; the best (minimum) is reported.
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
    /// Skip kpio-wasm (wasmi and native only).
    #[arg(long)]
    skip_kpio: bool,
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

/// Child-process mode:
/// `__worker run ENGINE WASM EXPORT ARG RUNS` prints `RESULT <best ns> <i64>`;
/// `__worker startup ENGINE BYTES RUNS` prints `STARTUP <decode ns> <instantiate ns>`.
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
            let mut run: Box<dyn FnMut() -> Result<(Duration, i64)>> = match engine {
                "kpio" => {
                    let k = guarded("kpio", || Kpio::new(&wasm))?;
                    Box::new(move || guarded("kpio", || k.run(export, n)))
                }
                "wasmi" => {
                    let w = Wasmi::new(&wasm)?;
                    Box::new(move || w.run(export, n))
                }
                other => bail!("unknown engine {other}"),
            };
            let m = measure(runs, &mut *run)?;
            println!("RESULT {} {}", m.best.as_nanos(), m.result);
        }
        "startup" => {
            let engine = arg(1)?;
            let bytes: usize = arg(2)?.parse()?;
            let runs: u32 = arg(3)?.parse()?;
            let wasm = startup::generate(bytes);
            let (mut decode, mut inst) = (Duration::MAX, Duration::MAX);
            for _ in 0..runs {
                let (d, i) = match engine {
                    "kpio" => guarded("kpio", || Kpio::startup(&wasm))?,
                    "wasmi" => Wasmi::startup(&wasm)?,
                    other => bail!("unknown engine {other}"),
                };
                decode = decode.min(d);
                inst = inst.min(i);
            }
            println!("STARTUP {} {}", decode.as_nanos(), inst.as_nanos());
        }
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

/// Runs a worker child and returns the numbers on its tagged output line.
fn spawn_worker(tag: &str, args: &[String]) -> Result<(u128, i128)> {
    let exe = std::env::current_exe().context("locating kpio-bench executable")?;
    let out = Command::new(exe)
        .arg("__worker")
        .args(args)
        .output()
        .context("spawning worker process")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let msg = stderr.trim();
        let msg = if msg.is_empty() { "(no message)" } else { msg };
        bail!(
            "{} ({})",
            msg.lines().last().unwrap_or(msg),
            describe_status(&out.status)
        );
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(tag))
        .ok_or_else(|| anyhow!("worker printed no {tag} line: {stdout}{stderr}"))?;
    let mut it = line.split_whitespace();
    let a = it
        .next()
        .ok_or_else(|| anyhow!("bad worker output"))?
        .parse()?;
    let b = it
        .next()
        .ok_or_else(|| anyhow!("bad worker output"))?
        .parse()?;
    Ok((a, b))
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

struct Row {
    label: String,
    native: Measurement,
    kpio: Option<Cell>,
    wasmi: Cell,
    /// `None` when the peer is skipped or unavailable.
    wasmtime: Option<Result<wasmtime_peer::PeerMeasurement, String>>,
    ok: bool,
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
            eprint!("{label:<18} native ");
            let native = measure(args.runs, &mut || {
                let t = Instant::now();
                let v = black_box((p.native)(black_box(n)));
                Ok((t.elapsed(), v))
            })?;
            eprint!("{} ms, wasmi ", fmt_ms(native.best));
            let engine_cell = |engine: &str| -> Cell {
                let wargs = [
                    "run".into(),
                    engine.into(),
                    wasm_arg.clone(),
                    p.name.into(),
                    n.to_string(),
                    args.runs.to_string(),
                ];
                spawn_worker("RESULT ", &wargs)
                    .map(|(ns, v)| Measurement {
                        best: Duration::from_nanos(ns as u64),
                        result: v as i64,
                    })
                    .map_err(|e| format!("{e:#}"))
            };
            let wasmi = engine_cell("wasmi");
            eprint!("{}", progress(&wasmi));
            let kpio = (!args.skip_kpio).then(|| {
                eprint!(", kpio ");
                engine_cell("kpio")
            });
            if let Some(k) = &kpio {
                eprint!("{}", progress(k));
            }
            let wasmtime = peer.ready().then(|| {
                eprint!(", wasmtime ");
                wasmtime_peer::run(&wasm_path, p.name, n, args.runs)
            });
            let wasmtime_cell = wasmtime.as_ref().map(peer_cell);
            if let Some(w) = &wasmtime_cell {
                eprint!("{}", progress(w));
            }
            eprintln!();

            let mut ok = true;
            for (engine, cell) in [
                ("wasmi", Some(&wasmi)),
                ("kpio", kpio.as_ref()),
                ("wasmtime", wasmtime_cell.as_ref()),
            ] {
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
            if let (Ok(w), Some(Ok(k))) = (&wasmi, &kpio)
                && w.result != k.result
            {
                failures.push(format!(
                    "{label}: RESULT MISMATCH: kpio {:#018x} vs wasmi {:#018x}",
                    k.result, w.result
                ));
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

    let mut startup_rows = Vec::new();
    let startup_bytes = (args.startup_mb * 1e6) as usize;
    if do_startup {
        eprint!(
            "startup: generating and loading a {:.1} MB module ... ",
            args.startup_mb
        );
        let sargs = |engine: &str| -> Vec<String> {
            vec![
                "startup".into(),
                engine.into(),
                startup_bytes.to_string(),
                args.runs.to_string(),
            ]
        };
        let ns = |d: u128| Duration::from_nanos(d as u64);
        let wasmi = spawn_worker("STARTUP ", &sargs("wasmi"))
            .map(|(d, i)| (ns(d), ns(i as u128)))
            .map_err(|e| format!("{e:#}"));
        let kpio = (!args.skip_kpio).then(|| {
            spawn_worker("STARTUP ", &sargs("kpio"))
                .map(|(d, i)| (ns(d), ns(i as u128)))
                .map_err(|e| format!("{e:#}"))
        });
        let wasmtime = peer
            .ready()
            .then(|| wasmtime_startup(startup_bytes, args.runs));
        eprintln!("done");
        for (engine, cell) in [
            ("wasmi", Some(&wasmi)),
            ("kpio", kpio.as_ref()),
            ("wasmtime", wasmtime.as_ref()),
        ] {
            if let Some(Err(e)) = cell {
                failures.push(format!("startup: {engine} failed: {e}"));
            }
        }
        let pick = |c: &Result<(Duration, Duration), String>, second: bool| -> Cell {
            c.as_ref()
                .map(|&(d, i)| Measurement {
                    best: if second { i } else { d },
                    result: 0,
                })
                .map_err(Clone::clone)
        };
        startup_rows.push((
            "decode+validate (Module::new)",
            kpio.as_ref().map(|k| pick(k, false)),
            pick(&wasmi, false),
            wasmtime.as_ref().map(|w| pick(w, false)),
        ));
        startup_rows.push((
            "instantiate",
            kpio.as_ref().map(|k| pick(k, true)),
            pick(&wasmi, true),
            wasmtime.as_ref().map(|w| pick(w, true)),
        ));
    }

    // ---- report ----
    let md = args.markdown;
    println!();
    println!(
        "{}build: profile `{}` (the executable's directory); kpio-wasm dispatch backend: {}",
        if md { "" } else { "# " },
        build_profile(),
        kpio_wasm::dispatch_backend()
    );
    println!();
    if !rows.is_empty() || !startup_rows.is_empty() {
        println!("{}{}", if md { "" } else { "# " }, peer.describe());
        println!();
    }
    if !rows.is_empty() {
        println!(
            "{}programs: best of {} run(s); module {} bytes; native = same Rust source compiled for the host",
            if md { "" } else { "# " },
            args.runs,
            wasm_len
        );
        if md {
            println!();
        }
        let mut t = Table::new(&[
            "program",
            "native ms",
            "kpio ms",
            "wasmi ms",
            "wasmtime ms",
            "kpio/wasmi",
            "kpio/wasmtime",
            "wasmi/native",
            "wasmtime/native",
            "kpio/native",
            "check",
        ]);
        let mut g = [(); 5].map(|_| Geo::default());
        for r in &rows {
            let k = r
                .kpio
                .as_ref()
                .and_then(|c| c.as_ref().ok())
                .map(|m| m.best);
            let w = r.wasmi.as_ref().ok().map(|m| m.best);
            let wt = r
                .wasmtime
                .as_ref()
                .and_then(|c| c.as_ref().ok())
                .map(|m| m.call);
            let n = Some(r.native.best);
            let [g_kw, g_kwt, g_wn, g_wtn, g_kn] = &mut g;
            t.row(vec![
                r.label.clone(),
                fmt_ms(r.native.best),
                r.kpio.as_ref().map_or("-".into(), cell_ms),
                cell_ms(&r.wasmi),
                r.wasmtime
                    .as_ref()
                    .map_or("-".into(), |c| cell_ms(&peer_cell(c))),
                ratio(k, w, g_kw),
                ratio(k, wt, g_kwt),
                ratio(w, n, g_wn),
                ratio(wt, n, g_wtn),
                ratio(k, n, g_kn),
                if r.ok { "ok".into() } else { "FAILED".into() },
            ]);
        }
        let mut geo_row = vec!["geomean".to_string(), String::new(), String::new()];
        geo_row.extend([String::new(), String::new()]);
        geo_row.extend(g.iter().map(Geo::show));
        geo_row.push(String::new());
        t.row(geo_row);
        t.print(md);
        println!();
        if rows.iter().any(|r| r.wasmtime.is_some()) {
            print_compile_table(&rows, args.runs, md);
        }
        for &(p, _) in &programs {
            println!("{}{}: {}", if md { "- " } else { "  " }, p.name, p.what);
        }
        println!();
    }
    if !startup_rows.is_empty() {
        println!(
            "{}startup: generated module of {} bytes, best of {} run(s), fresh engine each run",
            if md { "" } else { "# " },
            startup::generate(startup_bytes).len(),
            args.runs
        );
        if md {
            println!();
        }
        let mut t = Table::new(&[
            "startup",
            "kpio ms",
            "wasmi ms",
            "wasmtime ms",
            "kpio/wasmi",
            "kpio/wasmtime",
        ]);
        for (label, k, w, wt) in &startup_rows {
            let kd = k.as_ref().and_then(|c| c.as_ref().ok()).map(|m| m.best);
            let wd = w.as_ref().ok().map(|m| m.best);
            let wtd = wt.as_ref().and_then(|c| c.as_ref().ok()).map(|m| m.best);
            t.row(vec![
                label.to_string(),
                k.as_ref().map_or("-".into(), cell_ms),
                cell_ms(w),
                wt.as_ref().map_or("-".into(), cell_ms),
                ratio(kd, wd, &mut Geo::default()),
                ratio(kd, wtd, &mut Geo::default()),
            ]);
        }
        t.print(md);
        println!();
        if startup_rows.iter().any(|r| r.3.is_some()) {
            println!(
                "{}wasmtime's Module::new compiles every function with Cranelift (kpio and wasmi \
                 decode and validate, translating lazily); its instantiate is timed in Python.",
                if md { "" } else { "  " }
            );
            println!();
        }
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
fn wasmtime_startup(bytes: usize, runs: u32) -> Result<(Duration, Duration), String> {
    let path = std::env::temp_dir().join(format!("kpio-bench-startup-{}.wasm", std::process::id()));
    std::fs::write(&path, startup::generate(bytes))
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    let r = wasmtime_peer::startup(&path, runs);
    // Best effort: a leftover file in the temp directory is harmless.
    let _ = std::fs::remove_file(&path);
    r
}

/// wasmtime's up-front compile beside its call: time to result counting the compile,
/// against kpio's call time (kpio translates lazily, inside the call).
fn print_compile_table(rows: &[Row], runs: u32, md: bool) {
    println!(
        "{}wasmtime compile: `Module(engine, wasm)` of the whole programs module with a fresh \
         engine, best of {runs} run(s); compile + call is the best sum within one run",
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
        "kpio ms",
        "kpio/(compile + call)",
    ]);
    let mut g = Geo::default();
    for r in rows {
        let k = r
            .kpio
            .as_ref()
            .and_then(|c| c.as_ref().ok())
            .map(|m| m.best);
        let cells = match &r.wasmtime {
            Some(Ok(m)) => vec![
                fmt_ms(m.compile),
                fmt_ms(m.call),
                fmt_ms(m.to_result),
                r.kpio.as_ref().map_or("-".into(), cell_ms),
                ratio(k, Some(m.to_result), &mut g),
            ],
            Some(Err(_)) => vec![
                "error".into(),
                "error".into(),
                "error".into(),
                "-".into(),
                "-".into(),
            ],
            None => vec!["-".into(); 5],
        };
        let mut row = vec![r.label.clone()];
        row.extend(cells);
        t.row(row);
    }
    let mut geo_row = vec!["geomean".to_string()];
    geo_row.extend(vec![String::new(); 4]);
    geo_row.push(g.show());
    t.row(geo_row);
    t.print(md);
    println!();
}

// ----------------------------------------------------------- output ----

fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
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

#[derive(Default)]
struct Geo {
    log_sum: f64,
    n: u32,
}

impl Geo {
    fn show(&self) -> String {
        if self.n == 0 {
            "-".into()
        } else {
            format!("{:.2}", (self.log_sum / self.n as f64).exp())
        }
    }
}

fn ratio(a: Option<Duration>, b: Option<Duration>, g: &mut Geo) -> String {
    match (a, b) {
        (Some(a), Some(b)) if !b.is_zero() && !a.is_zero() => {
            let r = a.as_secs_f64() / b.as_secs_f64();
            g.log_sum += r.ln();
            g.n += 1;
            // Two decimals, or three significant digits below 0.1 (wasmtime's compile
            // against a lazy decode gives ratios like 0.004).
            if r < 0.1 {
                let decimals = (2.0 - r.log10().floor()) as usize;
                format!("{r:.decimals$}")
            } else {
                format!("{r:.2}")
            }
        }
        _ => "-".into(),
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
    use kpio_bench_programs as programs;

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

//! `kpio-bench gui`: the GUI benchmarks of issue 10, run against the real hosted desktop
//! (`kpio_cli::desktop::Session`: the shell, the apps on their own threads, the desktop's
//! `GuiBackend`) in a child process whose `KPIO_HOME` is a scratch directory.
//!
//! 1. **draw_rect call latency.** A WAT app installed in the desktop calls
//!    `kpio_gui.draw_rect` N times in a loop and times the loop itself with
//!    `kpio_system.get_monotonic`, then the same loop without the call; it logs the numbers
//!    (the session log is how it reports). Every call goes through the engine, kpio-host's
//!    `kpio_gui` import module (permission check, argument checks) and the desktop's real
//!    backend, which fills the rectangle on the window's back canvas. The peer is the same
//!    `Canvas::fill_rect` called natively in this process. A third column runs the same
//!    calls without the desktop ([`host_only_rects`]): the module in a plain kpio-wasm
//!    store linked by `kpio_host::add_to_linker`, over a backend that fills a canvas as
//!    the desktop's does, timed from outside; it splits the cost between the engine and
//!    import module on one side and the desktop's backend on the other.
//! 2. **Calculator at 60 Hz.** The real calculator (examples/calculator built for
//!    wasm32-wasip1, packed and installed like `kpio install --yes`) runs in the desktop,
//!    which is driven at 60 Hz as the headless front end does. Digits are typed one per
//!    press; for each press the benchmark times the app's redraw (input → the app presents
//!    a frame whose text differs, seen in the shell's scene) and input → the first display
//!    frame composed after that; for every display frame it times `Frontend::frame()` (the
//!    compose) and the interval between frames.
//! 3. **Cold start to first frame.** The calculator is launched N times (closed through its
//!    close button in between); each launch's "first frame X ms after launch" log line
//!    (from the app's first `request_frame`) is read, and the time from `Session::launch`
//!    to the end of the first display frame showing the window's content is measured too.
//!    Peer (optional, `python3` with the `wasmtime` package): wasmtime compiling and
//!    instantiating the same calculator module with WASI and no-op `kpio_*` imports, and
//!    running it to its first `request_frame` (`gui_wasmtime.py`).
//!
//! Timings are printed against their peer or target with the ratio (ours / theirs); nothing
//! here asserts a time.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use kpio_app::Permissions;
use kpio_cli::apps;
use kpio_cli::desktop::headless::FRAME;
use kpio_cli::desktop::{Frontend, Session};
use kpio_gui::Canvas;
use kpio_gui::shell::scene::SceneWindow;
use kpio_gui::shell::{InputEvent, Key, MouseButton};
use kpio_host::{DrawOp, GuiBackend, GuiEvent, HostCtx, HostError, add_to_linker};
use kpio_pkg::Review;
use kpio_wasm::{Engine, Linker, Module, Store, Val};

use crate::{Table, workspace_root};

/// The draw_rect test app's id.
const RECTS_ID: &str = "org.kpio.bench.rects";
/// The calculator's id (examples/calculator/package/manifest.toml).
const CALC_ID: &str = "com.kpio.calculator";
/// Rectangle sides the draw_rect benchmark draws (a small rectangle, where the call's
/// overhead dominates, and one about a calculator button's size).
const RECT_SIDES: [u32; 2] = [16, 64];
/// The draw_rect app's window (content) size.
const RECTS_WINDOW: (u32, u32) = (320, 240);
/// The colour drawn: opaque, so both sides take `fill_rect`'s plain-store path.
const RECT_ARGB: u32 = 0xFF33_66CC;
/// The desktop's size.
const SCREEN: (u32, u32) = (1024, 768);
/// The issue's targets.
const TARGET_CALL: Duration = Duration::from_micros(10);
const PLAN_CALL: Duration = Duration::from_millis(1);
const TARGET_START: Duration = Duration::from_millis(100);
const PLAN_START: Duration = Duration::from_secs(2);
/// How long any one step may take before the benchmark gives up on it.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// What to run, from the command line.
#[derive(Clone, Debug)]
pub struct GuiOptions {
    /// draw_rect calls per timed loop.
    pub calls: u32,
    /// Timed loops per rectangle size (the best is reported).
    pub rounds: u32,
    /// Key presses typed into the calculator.
    pub presses: u32,
    /// Calculator launches for the cold start.
    pub launches: u32,
    /// Skip the calculator (measurements 2 and 3); no wasm32-wasip1 build needed.
    pub skip_calculator: bool,
    /// Skip the wasmtime peer of the cold start.
    pub skip_wasmtime: bool,
    /// Use this calculator module instead of building examples/calculator.
    pub calculator_wasm: Option<PathBuf>,
    pub markdown: bool,
}

// ------------------------------------------------------------ parent ----

/// Builds what is needed, runs the measurements in a child process with a scratch
/// `KPIO_HOME`, and passes its report through. Returns whether it succeeded.
pub fn run(o: &GuiOptions) -> Result<bool> {
    let calc = if o.skip_calculator {
        None
    } else {
        Some(match &o.calculator_wasm {
            Some(p) => p.clone(),
            None => build_calculator()?,
        })
    };
    let dir = workspace_root()
        .join("target/bench-gui")
        .join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let exe = std::env::current_exe().context("locating kpio-bench executable")?;
    eprintln!(
        "gui: running the desktop benchmarks (scratch KPIO_HOME in {}) ...",
        dir.display()
    );
    let out = Command::new(exe)
        .arg("__worker")
        .arg("gui")
        .arg(&dir)
        .args([
            o.calls.to_string(),
            o.rounds.to_string(),
            o.presses.to_string(),
            o.launches.to_string(),
            u8::from(o.markdown).to_string(),
            u8::from(o.skip_wasmtime).to_string(),
        ])
        .arg(calc.as_deref().unwrap_or(Path::new("-")))
        .env("KPIO_HOME", dir.join("home"))
        .stdout(Stdio::inherit())
        // The desktop prints its log on standard error: kept for a failure's explanation.
        .stderr(Stdio::piped())
        .output()
        .context("spawning the gui worker")?;
    let log = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprintln!("{log}");
        eprintln!(
            "kpio-bench: gui benchmark failed ({}); its scratch directory {} is kept",
            crate::describe_status(&out.status),
            dir.display()
        );
        return Ok(false);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(true)
}

/// Builds examples/calculator for wasm32-wasip1 as the desktop tests do.
fn build_calculator() -> Result<PathBuf> {
    let root = workspace_root();
    let target = root.join("target/bench-gui/build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("gui: building examples/calculator for wasm32-wasip1 ...");
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--target", "wasm32-wasip1"])
        .arg("--manifest-path")
        .arg(root.join("examples/calculator/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("RUSTFLAGS")
        .status()
        .context("running cargo")?;
    if !status.success() {
        bail!(
            "building examples/calculator failed ({status}); the wasm32-wasip1 target is \
             needed (rustup target add wasm32-wasip1), or pass --skip-calculator"
        );
    }
    Ok(target.join("wasm32-wasip1/release/calculator.wasm"))
}

// ------------------------------------------------------------ worker ----

/// Child-process mode: `__worker gui DIR CALLS ROUNDS PRESSES LAUNCHES MARKDOWN
/// SKIP_WASMTIME CALC_WASM|-`, with `KPIO_HOME` set to `DIR/home`.
pub fn worker(args: &[String]) -> Result<()> {
    let arg = |i: usize| {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| anyhow!("bad gui worker args"))
    };
    let dir = PathBuf::from(arg(0)?);
    let num = |i: usize| -> Result<u32> { Ok(arg(i)?.parse()?) };
    let calc = match arg(7)? {
        "-" => None,
        p => Some(PathBuf::from(p)),
    };
    let o = GuiOptions {
        calls: num(1)?.max(1),
        rounds: num(2)?.max(1),
        presses: num(3)?,
        launches: num(4)?,
        markdown: num(5)? != 0,
        skip_wasmtime: num(6)? != 0,
        skip_calculator: calc.is_none(),
        calculator_wasm: calc,
    };
    let report = measure_all(&dir, &o)?;
    report.print(&o);
    Ok(())
}

/// Everything measured, for the report.
#[derive(Default)]
struct Report {
    rects: Vec<RectTimes>,
    calc: Option<CalcRun>,
    starts: Vec<Start>,
    /// wasmtime's compile + instantiate + run to the first request_frame, per run; or why
    /// there is none.
    wasmtime: Option<Result<Vec<Duration>, String>>,
}

/// draw_rect per call, for one rectangle side.
struct RectTimes {
    side: u32,
    /// Through the desktop, timed by the guest (best loop).
    desktop: Duration,
    /// The guest loop's own time per iteration, without the call.
    bare: Duration,
    /// The same module and import module without the desktop, timed from outside.
    host_only: Duration,
    /// `Canvas::fill_rect` called natively.
    native: Duration,
}

struct CalcRun {
    /// `Frontend::frame()` per display frame while typing.
    compose: Vec<Duration>,
    /// Start-to-start interval of display frames while typing.
    interval: Vec<Duration>,
    /// Per press: input → the app presented a changed frame.
    redraw: Vec<Duration>,
    /// Per press: input → end of the first display frame composed with it.
    shown: Vec<Duration>,
    /// Per press: display frames run until it was shown.
    shown_frames: Vec<u32>,
}

struct Start {
    /// The desktop's "first frame X ms after launch" (the app's first request_frame).
    logged: Duration,
    /// `Session::launch` → end of the first display frame showing the app's content.
    shown: Duration,
}

fn measure_all(dir: &Path, o: &GuiOptions) -> Result<Report> {
    let mut report = Report::default();
    install_dir(
        &write_rects_app(&dir.join("rects"), o.calls, o.rounds)?,
        dir,
    )?;
    if let Some(wasm) = &o.calculator_wasm {
        let pkg = dir.join("calculator");
        copy_dir(&workspace_root().join("examples/calculator/package"), &pkg)?;
        std::fs::copy(wasm, pkg.join("app.wasm"))
            .with_context(|| format!("copying {}", wasm.display()))?;
        install_dir(&pkg, dir)?;
    }
    let mut desk = Desk::open()?;

    eprintln!("gui: draw_rect ...");
    report.rects = measure_rects(&mut desk, o)?;
    if let Some(wasm) = &o.calculator_wasm {
        eprintln!("gui: calculator cold start ({} launches) ...", o.launches);
        for _ in 0..o.launches {
            report.starts.push(cold_start(&mut desk)?);
        }
        if o.presses > 0 {
            eprintln!("gui: calculator at 60 Hz ({} presses) ...", o.presses);
            report.calc = Some(type_into_calculator(&mut desk, o.presses)?);
        }
        if !o.skip_wasmtime && o.launches > 0 {
            eprintln!("gui: wasmtime peer ...");
            report.wasmtime = Some(wasmtime_peer(dir, wasm, o.launches));
        }
    }
    Ok(report)
}

/// Packs the package directory `pkg` and installs it, permissions accepted.
fn install_dir(pkg: &Path, dir: &Path) -> Result<()> {
    let name = pkg
        .file_name()
        .map_or("app".into(), |n| n.to_string_lossy());
    let out = dir.join(format!("{name}.kpioapp"));
    apps::pack(pkg, &out).map_err(|e| anyhow!("kpio pack {}: {e}", pkg.display()))?;
    let bytes = std::fs::read(&out).with_context(|| format!("reading {}", out.display()))?;
    apps::install_with(
        &bytes,
        &out.display().to_string(),
        false,
        Review::AcceptRequested,
    )
    .map_err(|e| anyhow!("installing {}: {e}", out.display()))?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for e in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type()?.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).with_context(|| format!("copying {}", src.display()))?;
        }
    }
    Ok(())
}

/// The desktop, driven at 60 Hz the way the headless front end drives it.
struct Desk {
    session: Session,
    next_frame: Instant,
    last_start: Option<Instant>,
}

impl Desk {
    fn open() -> Result<Desk> {
        let session =
            Session::open(SCREEN.0, SCREEN.1).map_err(|e| anyhow!("opening the desktop: {e}"))?;
        Ok(Desk {
            session,
            next_frame: Instant::now(),
            last_start: None,
        })
    }

    /// Waits for the next display frame's time and runs it; returns how long `frame()`
    /// took and the interval since the previous frame started.
    fn frame(&mut self) -> (Duration, Option<Duration>) {
        let now = Instant::now();
        if self.next_frame > now {
            std::thread::sleep(self.next_frame - now);
        }
        self.next_frame = self.next_frame.max(now) + FRAME;
        let start = Instant::now();
        let interval = self.last_start.map(|l| start - l);
        self.last_start = Some(start);
        self.session.frame();
        (start.elapsed(), interval)
    }

    fn window(&self, app_id: &str) -> Option<SceneWindow> {
        let scene = self.session.shared().lock().shell.scene();
        scene.windows.into_iter().find(|w| w.app_id == app_id)
    }

    /// Runs display frames until `done` holds (checked before each frame), at most
    /// [`STEP_TIMEOUT`].
    fn frames_until(&mut self, what: &str, mut done: impl FnMut(&Desk) -> bool) -> Result<()> {
        let end = Instant::now() + STEP_TIMEOUT;
        while !done(self) {
            if Instant::now() >= end {
                bail!(
                    "timed out after {STEP_TIMEOUT:?} waiting for {what}; the log says:\n{}",
                    self.session.log_lines().join("\n")
                );
            }
            self.frame();
        }
        Ok(())
    }

    /// Until the next display frame is due, checks `cond` every 200 µs; returns the time
    /// (since `since`) it was first seen to hold, if it did.
    fn watch(&self, since: Instant, mut cond: impl FnMut(&Desk) -> bool) -> Option<Duration> {
        loop {
            if cond(self) {
                return Some(since.elapsed());
            }
            if Instant::now() >= self.next_frame {
                return None;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    fn key(&mut self, c: char) {
        let key = Key::Char(c);
        self.session.input(InputEvent::KeyDown { key });
        self.session.input(InputEvent::KeyUp { key });
    }

    fn click(&mut self, (x, y): (i32, i32)) {
        let button = MouseButton::Left;
        self.session.input(InputEvent::MouseMove { x, y });
        self.session.input(InputEvent::MouseDown { x, y, button });
        self.session.input(InputEvent::MouseUp { x, y, button });
    }

    /// Clicks `app_id`'s window's close button and runs frames until the app has ended
    /// and its window is gone.
    fn close(&mut self, app_id: &str) -> Result<()> {
        let w = self
            .window(app_id)
            .ok_or_else(|| anyhow!("{app_id} has no window to close"))?;
        self.click(w.close_button.center());
        self.frames_until(&format!("{app_id} to close"), |d| {
            d.session.running_launches() == 0 && d.window(app_id).is_none()
        })
    }
}

// --------------------------------------------------------- draw_rect ----

/// The draw_rect app: for each round and rectangle side, times `calls` iterations of a
/// loop that calls draw_rect, then of the same loop without the call, and logs
/// `SIDE CALL_NS LOOP_NS`; then presents one frame and exits.
fn rects_wat(calls: u32, rounds: u32) -> String {
    let (ww, wh) = RECTS_WINDOW;
    let sides: String = RECT_SIDES
        .iter()
        .map(|s| format!("(call $round (local.get $w) (i32.const {s}))\n"))
        .collect();
    format!(
        r#"(module
  (import "kpio_gui" "create_window" (func $create (param i32 i32 i32 i32) (result i32)))
  (import "kpio_gui" "draw_rect" (func $rect (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "kpio_gui" "request_frame" (func $frame (param i32) (result i32)))
  (import "kpio_system" "get_monotonic" (func $now (result i64)))
  (import "kpio_system" "log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "Rects")
  ;; draw_rect in a loop; any error code makes the app trap (the run fails loudly)
  (func $rects (param $w i32) (param $s i32) (result i64) (local $i i32) (local $t i64) (local $acc i32)
    (local.set $t (call $now))
    (loop $l
      (local.set $acc (i32.or (local.get $acc)
        (call $rect (local.get $w) (i32.and (local.get $i) (i32.const 63)) (i32.const 8)
                    (local.get $s) (local.get $s) (i32.const {argb}))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {calls}))))
    (local.set $t (i64.sub (call $now) (local.get $t)))
    (if (local.get $acc) (then unreachable))
    (local.get $t))
  ;; the same loop, its arguments computed, without the call
  (func $bare (param $w i32) (param $s i32) (result i64) (local $i i32) (local $t i64) (local $acc i32)
    (local.set $t (call $now))
    (loop $l
      (local.set $acc (i32.or (local.get $acc)
        (i32.sub (i32.and (local.get $i) (i32.const 63)) (i32.and (local.get $i) (i32.const 63)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {calls}))))
    (local.set $t (i64.sub (call $now) (local.get $t)))
    (if (local.get $acc) (then unreachable))
    (local.get $t))
  ;; writes $v in decimal ending before $p; returns where it starts
  (func $fmt (param $v i64) (param $p i32) (result i32)
    (loop $d
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $d (i64.ne (local.get $v) (i64.const 0))))
    (local.get $p))
  (func $round (param $w i32) (param $s i32) (local $call i64) (local $bare i64) (local $p i32)
    (local.set $call (call $rects (local.get $w) (local.get $s)))
    (local.set $bare (call $bare (local.get $w) (local.get $s)))
    (local.set $p (call $fmt (local.get $bare) (i32.const 1024)))
    (local.set $p (i32.sub (local.get $p) (i32.const 1)))
    (i32.store8 (local.get $p) (i32.const 32))
    (local.set $p (call $fmt (local.get $call) (local.get $p)))
    (local.set $p (i32.sub (local.get $p) (i32.const 1)))
    (i32.store8 (local.get $p) (i32.const 32))
    (local.set $p (call $fmt (i64.extend_i32_u (local.get $s)) (local.get $p)))
    (drop (call $log (i32.const 2) (local.get $p) (i32.sub (i32.const 1024) (local.get $p)))))
  (func (export "_start") (local $w i32) (local $r i32)
    (local.set $w (call $create (i32.const 0) (i32.const 5) (i32.const {ww}) (i32.const {wh})))
    (if (i32.le_s (local.get $w) (i32.const 0)) (then unreachable))
    (loop $again
      {sides}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $r) (i32.const {rounds}))))
    (drop (call $frame (local.get $w)))))"#,
        argb = RECT_ARGB as i32,
    )
}

/// Writes the draw_rect app's package directory.
fn write_rects_app(dir: &Path, calls: u32, rounds: u32) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(
        dir.join("manifest.toml"),
        format!(
            "[app]\nid = \"{RECTS_ID}\"\nname = \"Rects\"\nversion = \"1.0.0\"\n\
             entry = \"app.wasm\"\n\n[permissions]\ngui = true\n"
        ),
    )?;
    let wasm = wat::parse_str(rects_wat(calls, rounds)).context("assembling the rects app")?;
    std::fs::write(dir.join("app.wasm"), wasm)?;
    Ok(dir.to_path_buf())
}

/// The `SIDE CALL_NS LOOP_NS` lines the rects app logged.
fn rects_lines(lines: &[String]) -> Vec<(u32, u64, u64)> {
    let tag = format!("[{RECTS_ID} #");
    lines
        .iter()
        .filter(|l| l.contains(&tag))
        .filter_map(|l| {
            let nums: Vec<u64> = l
                .split_once("info: ")?
                .1
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            match nums[..] {
                [s, c, b] => Some((u32::try_from(s).ok()?, c, b)),
                _ => None,
            }
        })
        .collect()
}

/// Runs the rects app; per side: best per-call time, the loop's own time per iteration
/// (in the round with that best time), and native fill_rect per call.
fn measure_rects(desk: &mut Desk, o: &GuiOptions) -> Result<Vec<RectTimes>> {
    desk.session.launch(RECTS_ID);
    let want = o.rounds as usize * RECT_SIDES.len();
    desk.frames_until("the rects app's timings", |d| {
        rects_lines(&d.session.log_lines()).len() >= want
    })?;
    desk.frames_until("the rects app to end", |d| {
        d.session.running_launches() == 0
    })?;
    let lines = rects_lines(&desk.session.log_lines());
    let per = |ns: u64| Duration::from_secs_f64(ns as f64 / 1e9 / f64::from(o.calls));
    let mut out = Vec::new();
    for side in RECT_SIDES {
        let (_, call, bare) = lines
            .iter()
            .filter(|l| l.0 == side)
            .min_by_key(|l| l.1)
            .copied()
            .ok_or_else(|| anyhow!("no timing for side {side}"))?;
        out.push(RectTimes {
            side,
            desktop: per(call),
            bare: per(bare),
            host_only: host_only_rects(side, o.calls, o.rounds)?,
            native: native_fill_rect(side, o.calls, o.rounds),
        });
    }
    Ok(out)
}

/// The draw_rect loop alone: `rects(win, side, n)` calls draw_rect `n` times, as the
/// rects app does, and returns the OR of the results (0 when every call succeeded).
const HOST_ONLY_WAT: &str = r#"(module
  (import "kpio_gui" "draw_rect" (func $rect (param i32 i32 i32 i32 i32 i32) (result i32)))
  (func (export "rects") (param $w i32) (param $s i32) (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.or (local.get $acc)
        (call $rect (local.get $w) (i32.and (local.get $i) (i32.const 63)) (i32.const 8)
                    (local.get $s) (local.get $s) (i32.const 0xFF3366CC))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))"#;

/// A `kpio_gui` backend with one window whose canvas `draw` fills the way the desktop's
/// backend fills its back canvas (the desktop's own type is private to kpio-cli).
struct CanvasGui {
    canvas: Canvas,
}

impl GuiBackend for CanvasGui {
    fn create_window(&mut self, _title: &str, _w: u32, _h: u32) -> Result<u32, HostError> {
        Ok(1)
    }
    fn close_window(&mut self, _win: u32) -> Result<(), HostError> {
        Ok(())
    }
    fn set_title(&mut self, _win: u32, _title: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn draw(&mut self, win: u32, op: DrawOp<'_>) -> Result<u32, HostError> {
        if win != 1 {
            return Err(HostError::Invalid);
        }
        match op {
            DrawOp::Rect { x, y, w, h, argb } => self.canvas.fill_rect(x, y, w, h, argb),
            DrawOp::Clear(argb) => self.canvas.clear(argb),
            _ => return Err(HostError::Unavailable),
        }
        Ok(0)
    }
    fn measure_text(&mut self, _text: &str, _size: u32) -> u32 {
        0
    }
    fn request_frame(&mut self, _win: u32) -> Result<(), HostError> {
        Ok(())
    }
    fn poll_event(
        &mut self,
        _win: u32,
        _timeout: Option<u32>,
    ) -> Result<Option<GuiEvent>, HostError> {
        Ok(None)
    }
}

/// draw_rect without the desktop: the loop module in a kpio-wasm store with the kpio host
/// APIs linked (`gui` granted) over [`CanvasGui`]; best of `rounds` loops of `calls`,
/// timed around the call into wasm, per call.
fn host_only_rects(side: u32, calls: u32, rounds: u32) -> Result<Duration> {
    let wasm = wat::parse_str(HOST_ONLY_WAT).context("assembling the draw_rect loop")?;
    let permissions = Permissions {
        gui: true,
        ..Permissions::default()
    };
    let gui = CanvasGui {
        canvas: Canvas::new(RECTS_WINDOW.0, RECTS_WINDOW.1).map_err(|e| anyhow!("{e}"))?,
    };
    let ctx = HostCtx::builder(RECTS_ID)
        .permissions(permissions)
        .gui(Box::new(gui))
        .build()
        .map_err(|e| anyhow!("host context: {e}"))?;
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).map_err(|e| anyhow!("draw_rect loop: {e}"))?;
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::<HostCtx>::new();
    add_to_linker(&mut linker, &mut store, |c| c);
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| anyhow!("instantiating the draw_rect loop: {e}"))?;
    let func = instance
        .get_func(&store, "rects")
        .ok_or_else(|| anyhow!("no export rects"))?;
    let args = [Val::I32(1), Val::I32(side as i32), Val::I32(calls as i32)];
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let mut out = [Val::I32(0)];
        let t = Instant::now();
        func.call(&mut store, &args, &mut out)
            .map_err(|e| anyhow!("draw_rect loop: {e}"))?;
        best = best.min(t.elapsed());
        if out[0] != Val::I32(0) {
            bail!(
                "draw_rect failed in the loop without the desktop: {:?}",
                out[0]
            );
        }
    }
    Ok(Duration::from_secs_f64(
        best.as_secs_f64() / f64::from(calls),
    ))
}

/// The peer: `Canvas::fill_rect` of the same rectangles on a canvas of the window's size,
/// called natively; best of `rounds`, per call.
fn native_fill_rect(side: u32, calls: u32, rounds: u32) -> Duration {
    let mut c = Canvas::new(RECTS_WINDOW.0, RECTS_WINDOW.1).expect("small canvas");
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        for i in 0..calls {
            black_box(&mut c).fill_rect(black_box((i & 63) as i32), 8, side, side, RECT_ARGB);
        }
        best = best.min(t.elapsed());
    }
    black_box(c.pixel(8, 8));
    Duration::from_secs_f64(best.as_secs_f64() / f64::from(calls))
}

// -------------------------------------------------------- calculator ----

/// Launches the calculator and runs frames until its first frame is on screen; returns
/// the launch's timings, after closing it again.
fn cold_start(desk: &mut Desk) -> Result<Start> {
    let before = desk.session.log_lines().len();
    let t0 = Instant::now();
    desk.session.launch(CALC_ID);
    // The scene is looked at once per frame only: watching it closely would take the
    // desktop's lock and a core from the app while it starts. The frame that showed the
    // first frame is worked out afterwards from the logged time of its present.
    let mut frames = Vec::new();
    let end = t0 + STEP_TIMEOUT;
    loop {
        desk.frame();
        frames.push((desk.last_start.expect("a frame ran"), Instant::now()));
        if desk.window(CALC_ID).is_some_and(|w| w.has_frame) {
            break;
        }
        if Instant::now() >= end {
            bail!("the calculator showed no frame within {STEP_TIMEOUT:?}");
        }
    }
    // The present came before the check above, so at the latest this frame composes it.
    desk.frame();
    frames.push((desk.last_start.expect("a frame ran"), Instant::now()));
    let logged = desk.session.log_lines()[before..]
        .iter()
        .find_map(|l| first_frame_ms(l, CALC_ID))
        .ok_or_else(|| anyhow!("no \"first frame\" log line for the calculator"))?;
    let presented = t0 + Duration::from_secs_f64(logged / 1e3);
    let shown = frames
        .iter()
        .find(|(start, _)| *start >= presented)
        .or(frames.last())
        .map(|(_, end)| *end - t0)
        .expect("at least one frame");
    desk.close(CALC_ID)?;
    Ok(Start {
        logged: Duration::from_secs_f64(logged / 1e3),
        shown,
    })
}

/// The milliseconds of a `kpio: [APP #N] first frame X ms after launch` line of `app_id`.
fn first_frame_ms(line: &str, app_id: &str) -> Option<f64> {
    let rest = line.strip_prefix(&format!("kpio: [{app_id} #"))?;
    let ms = rest
        .split_once("] first frame ")?
        .1
        .strip_suffix(" ms after launch")?;
    ms.parse().ok()
}

/// The key typed by press `i`: digits 1..9, then C (so the display never overflows and
/// every press changes it).
fn press_key(i: u32) -> char {
    match i % 10 {
        9 => 'c',
        d => char::from(b'1' + d as u8),
    }
}

fn type_into_calculator(desk: &mut Desk, presses: u32) -> Result<CalcRun> {
    desk.session.launch(CALC_ID);
    desk.frames_until("the calculator's window", |d| {
        d.window(CALC_ID)
            .is_some_and(|w| w.has_frame && !w.text_runs.is_empty())
    })?;
    // Let the launch settle (splash gone, window focused) before timing.
    for _ in 0..10 {
        desk.frame();
    }
    let text = |d: &Desk| d.window(CALC_ID).map(|w| w.text()).unwrap_or_default();
    let mut run = CalcRun {
        compose: Vec::new(),
        interval: Vec::new(),
        redraw: Vec::new(),
        shown: Vec::new(),
        shown_frames: Vec::new(),
    };
    for i in 0..presses {
        let before = text(desk);
        let t_in = Instant::now();
        desk.key(press_key(i));
        let mut presented = None;
        let mut frames = 0;
        loop {
            // Until the display's next frame is due, watch for the app's present; one
            // seen by then is in the picture the frame composes.
            let changed = desk.watch(t_in, |d| text(d) != before);
            presented = presented.or(changed);
            let (cost, interval) = desk.frame();
            frames += 1;
            run.compose.push(cost);
            run.interval.extend(interval);
            if changed.is_some() {
                run.shown.push(t_in.elapsed());
                run.shown_frames.push(frames);
                break;
            }
            if frames > 600 {
                bail!("the calculator did not redraw within 600 frames of press {i}");
            }
        }
        run.redraw.extend(presented);
        // One idle frame, so the next press also comes just after a frame.
        let (cost, interval) = desk.frame();
        run.compose.push(cost);
        run.interval.extend(interval);
    }
    desk.close(CALC_ID)?;
    Ok(run)
}

// ---------------------------------------------------------- wasmtime ----

/// Runs `gui_wasmtime.py` on the calculator module: per run, seconds from compiling the
/// module to its first request_frame.
fn wasmtime_peer(dir: &Path, wasm: &Path, runs: u32) -> Result<Vec<Duration>, String> {
    let script = dir.join("gui_wasmtime.py");
    std::fs::write(&script, include_str!("gui_wasmtime.py")).map_err(|e| e.to_string())?;
    let out = Command::new("python3")
        .arg(&script)
        .arg(wasm)
        .arg(runs.to_string())
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().last().unwrap_or("failed").to_string());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("FIRST_FRAME "))
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .map(Duration::from_secs_f64)
                .map_err(|e| e.to_string())
        })
        .collect()
}

// ------------------------------------------------------------ report ----

/// The `p`-th percentile (nearest rank) of `v`.
fn percentile(v: &[Duration], p: f64) -> Duration {
    let mut s = v.to_vec();
    s.sort();
    if s.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
    s[rank.clamp(1, s.len()) - 1]
}

fn ns(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e9;
    if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn ms(d: Duration) -> String {
    crate::fmt_ms(d)
}

fn ratio(a: Duration, b: Duration) -> String {
    if b.is_zero() {
        return "-".into();
    }
    let r = a.as_secs_f64() / b.as_secs_f64();
    if r < 0.01 {
        format!("{r:.1e}")
    } else {
        format!("{r:.2}")
    }
}

impl Report {
    fn print(&self, o: &GuiOptions) {
        let md = o.markdown;
        let h = if md { "" } else { "# " };
        println!();
        println!(
            "{h}gui: draw_rect through the desktop (engine -> kpio_gui import -> desktop backend -> \
             back canvas), {} calls per loop, best of {} loop(s); peer: Canvas::fill_rect natively",
            o.calls, o.rounds
        );
        if md {
            println!();
        }
        let mut t = Table::new(&[
            "rect",
            "kpio ns/call",
            "native ns/call",
            "kpio/native",
            "kpio/target 10us",
            "kpio/plan 1ms",
            "no-desktop ns/call",
            "loop ns/iter",
        ]);
        for r in &self.rects {
            t.row(vec![
                format!("{0}x{0}", r.side),
                ns(r.desktop),
                ns(r.native),
                ratio(r.desktop, r.native),
                ratio(r.desktop, TARGET_CALL),
                ratio(r.desktop, PLAN_CALL),
                ns(r.host_only),
                ns(r.bare),
            ]);
        }
        t.print(md);
        println!();

        if let Some(c) = &self.calc {
            println!(
                "{h}gui: calculator at 60 Hz: {} key presses, {} display frames",
                c.redraw.len().max(c.shown.len()),
                c.compose.len()
            );
            if md {
                println!();
            }
            let budget = FRAME;
            let mut t = Table::new(&[
                "calculator",
                "median ms",
                "p95 ms",
                "max ms",
                "budget ms",
                "p95/budget",
            ]);
            let mut row = |label: &str, v: &[Duration]| {
                let p95 = percentile(v, 95.0);
                t.row(vec![
                    label.into(),
                    ms(percentile(v, 50.0)),
                    ms(p95),
                    ms(percentile(v, 100.0)),
                    ms(budget),
                    ratio(p95, budget),
                ]);
            };
            row("desktop frame() (compose)", &c.compose);
            row("display frame interval", &c.interval);
            row("app redraw: input -> present", &c.redraw);
            row("input -> on screen (60 Hz)", &c.shown);
            t.print(md);
            let max_frames = c.shown_frames.iter().max().copied().unwrap_or(0);
            let one = c.shown_frames.iter().filter(|&&f| f == 1).count();
            println!();
            println!(
                "{}presses shown in the first display frame after them: {one} of {}; at most {max_frames} frame(s)",
                if md { "" } else { "  " },
                c.shown_frames.len()
            );
            println!();
        }

        if !self.starts.is_empty() {
            println!(
                "{h}gui: calculator cold start, {} launch(es) in one desktop (closed in between)",
                self.starts.len()
            );
            if md {
                println!();
            }
            let logged: Vec<Duration> = self.starts.iter().map(|s| s.logged).collect();
            let shown: Vec<Duration> = self.starts.iter().map(|s| s.shown).collect();
            let mut t = Table::new(&[
                "cold start",
                "first ms",
                "median ms",
                "max ms",
                "against",
                "its ms",
                "median ratio",
                "max ratio",
            ]);
            let mut rows = |label: &str, v: &[Duration], against: &str, d: Duration| {
                let (med, max) = (percentile(v, 50.0), percentile(v, 100.0));
                t.row(vec![
                    label.into(),
                    ms(v[0]),
                    ms(med),
                    ms(max),
                    against.into(),
                    ms(d),
                    ratio(med, d),
                    ratio(max, d),
                ]);
            };
            let peer = match &self.wasmtime {
                Some(Ok(v)) if !v.is_empty() => Some(percentile(v, 50.0)),
                _ => None,
            };
            for (label, v) in [
                ("logged first frame", &logged),
                ("launch -> on screen", &shown),
            ] {
                rows(label, v, "target (issue) 100 ms", TARGET_START);
                rows(label, v, "plan 2 s", PLAN_START);
                if let Some(p) = peer {
                    rows(label, v, "wasmtime (median)", p);
                }
            }
            t.print(md);
            println!();
            match &self.wasmtime {
                Some(Ok(v)) if !v.is_empty() => println!(
                    "{}wasmtime: compile + instantiate + run to the first request_frame (no-op kpio_* imports), \
                     {} run(s): first {} ms, median {} ms, max {} ms",
                    if md { "" } else { "  " },
                    v.len(),
                    ms(v[0]),
                    ms(percentile(v, 50.0)),
                    ms(percentile(v, 100.0))
                ),
                Some(Ok(_)) => println!("  wasmtime: no runs"),
                Some(Err(e)) => println!("  wasmtime peer skipped: {e}"),
                None => println!("  wasmtime peer not run"),
            }
            println!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rects_app_assembles_and_its_lines_parse() {
        wat::parse_str(rects_wat(10, 2)).unwrap();
        let lines = vec![
            "kpio: [org.kpio.bench.rects #3] info: 16 12345 678".to_string(),
            "kpio: [org.kpio.bench.rects #3] first frame 4.2 ms after launch".to_string(),
            "kpio: [other #1] info: 16 1 1".to_string(),
        ];
        assert_eq!(rects_lines(&lines), [(16, 12345, 678)]);
        assert_eq!(first_frame_ms(&lines[1], RECTS_ID), Some(4.2));
        assert_eq!(first_frame_ms(&lines[0], RECTS_ID), None);
    }

    #[test]
    fn presses_change_the_display_every_time() {
        let keys: String = (0..12).map(press_key).collect();
        assert_eq!(keys, "123456789c12");
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50.0), Duration::from_millis(10));
        assert_eq!(percentile(&v, 95.0), Duration::from_millis(19));
        assert_eq!(percentile(&v, 100.0), Duration::from_millis(20));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn draw_rect_without_the_desktop_runs() {
        assert!(host_only_rects(16, 10, 1).unwrap() > Duration::ZERO);
    }

    #[test]
    fn native_peer_runs() {
        assert!(native_fill_rect(16, 10, 1) > Duration::ZERO);
    }
}

//! The `kpio` command-line tool.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kpio_cli::apps;
use kpio_cli::run::{Outcome, RunError, RunRequest};
use kpio_cli::values::DisplayVal;
use kpio_cli::wast::{Counts, WastOptions, run_wast_file};
use kpio_wasm::{BacktraceLine, Dispatch, Tier};

/// Run WebAssembly programs and spec scripts on KPIO's engine.
#[derive(Debug, Parser)]
#[command(name = "kpio", version, about, long_about = None)]
#[command(propagate_version = true, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a WebAssembly program (WASI) or call one export of a module.
    #[command(
        long_about = "\
Run a WebAssembly program, or call one export of a module.

FILE is a binary module (.wasm), a text module (.wat), a package (.kpioapp, \
run without installing it) or the id, app id or name of an installed app \
(see `kpio list`). For modules, WASI preview 1 \
(`wasi_snapshot_preview1`) is provided, as `wasmtime run` does: the program \
sees ARGS as its arguments (argv[0] is FILE), the variables given with --env, \
the directories given with --dir, and the terminal's stdin/stdout/stderr.

Without --invoke, the `_start` export runs (a WASI command). The exit status \
is the program's `proc_exit` code, 0 when `_start` returns.

With --invoke NAME, the exported function NAME is called with ARGS, each \
parsed according to the function's parameter type, and each result is printed \
on its own line (integers as signed decimal):
  i32, i64   decimal or 0x-hexadecimal, optionally signed (-1, 0xff)
  f32, f64   decimal (1.5, -2e10), nan, inf, -inf
  externref  null or an integer handle; funcref: null

Exit status: the guest's exit code; 134 if execution trapped (the message and \
a wasm backtrace go to stderr); 124 if --timeout stopped it; 2 if the module \
could not be loaded or linked.",
        after_help = "\
Options go before FILE; everything after FILE is the program's (as in wasmtime).

Examples:
  kpio run --env NAME=kpio hello.wasm arg1 arg2
  kpio run --dir ./data::/data app.wasm
  kpio run --dir . tool.wasm input.txt
  kpio run --invoke add add.wat 1 2
  kpio run --timeout 2s --max-memory 64MiB untrusted.wasm
  kpio run com.kpio.hello -- --verbose       (an installed app; see `kpio list`)"
    )]
    Run {
        /// Preopen a host directory for the guest, as GUEST (default: the same path).
        /// Repeatable.
        #[arg(long = "dir", value_name = "HOST[::GUEST]")]
        dirs: Vec<String>,
        /// Set an environment variable for the guest (just KEY: pass on the host's value).
        /// Repeatable.
        #[arg(long = "env", value_name = "KEY[=VALUE]")]
        envs: Vec<String>,
        /// Call the exported function NAME instead of running `_start`.
        #[arg(long, value_name = "NAME")]
        invoke: Option<String>,
        /// Stop the guest after it has executed about N instructions (fuel): it traps
        /// with "all fuel consumed" (exit status 134).
        #[arg(long, value_name = "N")]
        fuel: Option<u64>,
        /// Interrupt the guest after DURATION of wall-clock time (500ms, 2s, 1.5m, 1h):
        /// it stops with "timed out" and exit status 124.
        #[arg(long, value_name = "DURATION", value_parser = kpio_cli::guards::parse_duration)]
        timeout: Option<std::time::Duration>,
        /// Cap the guest's linear memory at SIZE in all (65536, 64K, 16MiB, 1G):
        /// `memory.grow` past it fails, and a module that needs more cannot start.
        #[arg(long, value_name = "SIZE", value_parser = kpio_cli::guards::parse_size)]
        max_memory: Option<u64>,
        /// For an installed app: restart it when it fails (non-zero exit or trap), up to
        /// 3 times with backoff, as the platform does for launched apps.
        #[arg(long)]
        restart: bool,
        /// Which interpreter loop runs the module (modules only, not apps).
        #[arg(long, value_enum, value_name = "BACKEND", default_value_t = DispatchArg::Auto)]
        dispatch: DispatchArg,
        /// Which execution tiers run the guest: the interpreter only, native code for
        /// every function the JIT can compile, or both with hot functions compiled.
        #[arg(long, value_enum, value_name = "TIER", default_value_t = TierArg::Auto)]
        tier: TierArg,
        /// Executable memory the native tier may use, in all (64K, 16MiB; default 16 MiB):
        /// past it the oldest code is evicted (its functions go back to the interpreter,
        /// to be compiled again if they get hot again). Each function takes whole 4 KiB
        /// pages.
        #[arg(long, value_name = "SIZE", value_parser = kpio_cli::guards::parse_size)]
        jit_code_budget: Option<u64>,
        /// When the guest ends, print what the native tier compiled and why it refused
        /// the functions it did not (on stderr); for an installed app, also what its code
        /// cache gave (native code kept from earlier runs).
        #[arg(long)]
        jit_stats: bool,
        /// The module to run (.wasm binary or .wat text), then the program's arguments
        /// (or, with --invoke, the function's). Everything after FILE goes to the guest.
        #[arg(
            value_name = "FILE [ARGS]",
            required = true,
            num_args = 1..,
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        module_and_args: Vec<String>,
    },
    /// Pack a directory with a manifest.toml into a .kpioapp package.
    #[command(
        long_about = "\
Pack a directory into a .kpioapp package (a ZIP file).

DIR holds manifest.toml, the entry module it names (e.g. app.wasm), and \
optionally the icon, resources/ and data/. The package is validated the way \
`kpio install` will validate it before it is written.",
        after_help = "Example:\n  kpio pack examples/hello-world/package -o hello.kpioapp"
    )]
    Pack {
        /// The package directory.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The package file to write.
        #[arg(short, long, value_name = "X.kpioapp")]
        output: PathBuf,
    },
    /// Install (or update) an app from a .kpioapp package.
    #[command(long_about = "\
Install an app from a .kpioapp package into KPIO_HOME (default: \
$XDG_DATA_HOME/kpio or ~/.local/share/kpio).

Installing an app that is already installed updates it: the code and \
resources are replaced, its data is kept. A lower version is refused unless \
--force is given. Any failure leaves the previous state untouched.

Before anything is installed, kpio shows the permissions the app asks for \
(files, network, windows, notifications, clipboard, background, memory) and \
asks for approval on the terminal; --yes approves them without asking (for \
scripts). The answer is stored with the app (see `kpio info`). An update that \
asks for the same permissions is not asked again; one that asks for different \
permissions is.")]
    Install {
        /// The package.
        #[arg(value_name = "X.kpioapp")]
        package: PathBuf,
        /// Allow installing a lower version over a higher one.
        #[arg(long)]
        force: bool,
        /// Approve the permissions the app asks for without asking.
        #[arg(short = 'y', long)]
        yes: bool,
        /// Also compile the whole app to native code now and keep it in the app's code
        /// cache, so its first launch starts in native code (later launches do anyway,
        /// for what earlier ones compiled).
        #[arg(long)]
        precompile: bool,
    },
    /// List installed apps.
    List {
        /// Print the app descriptors as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show an installed app's details and permissions.
    Info {
        /// The app's id, app id (e.g. com.kpio.hello) or name.
        #[arg(value_name = "ID")]
        app: String,
    },
    /// Uninstall an app: its running instances are stopped, its code, data and storage
    /// deleted.
    Uninstall {
        /// The app's id, app id or name.
        #[arg(value_name = "ID")]
        app: String,
    },
    /// List running app instances (`kpio run ID` processes).
    #[command(long_about = "\
List the running instances of installed apps: INSTANCE (the number `kpio kill` \
takes), APP ID, NAME, PID (the `kpio run` process), STARTED (UTC) and STATE \
(starting or running). Instances whose process has died are forgotten.")]
    Ps {
        /// Print the instances as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop a running app instance.
    #[command(long_about = "\
Stop a running app instance (see `kpio ps`): its process gets SIGTERM, which \
interrupts the app and ends `kpio run` with status 143; if it has not ended \
after 5 seconds it gets SIGKILL.")]
    Kill {
        /// The instance number from `kpio ps`.
        #[arg(value_name = "INSTANCE")]
        instance: String,
    },
    /// Open the KPIO desktop with the installed apps.
    #[command(long_about = "\
Open the KPIO desktop in a window: the installed apps as icons (double-click to \
open, right-click for Open / Uninstall), their windows, the taskbar, toasts and \
the notification panel. Drop a .kpioapp file on the window to install it (after \
a permission review). Each app runs on its own thread; closing its window asks \
it to quit. Needs a display (X11 or Wayland); on a machine without one, run it \
under Xvfb: `xvfb-run -a kpio desktop`.

With --headless there is no window: the desktop runs a script of clicks, keys \
and waits, and writes PNG screenshots and JSON scene descriptions. Scripts name \
what they click (an icon, a dialog button, a text a window drew), never where it \
is. One command per line, `#` comments:

  install FILE                      install a package (review dialog)
  launch APP                        start an app by app id or icon label
  click icon APP                    also double-click / right-click
  click menu LABEL                  an item of the open menu
  click dialog LABEL                a button of the open dialog
  click text TEXT in WINDOW         a text the window drew (a key's label)
  click WINDOW at X Y               content coordinates; `click at X Y`: screen
  click close|minimise|taskbar WINDOW
  click bell | click mark-all-read | click toast TITLE
  drag X1 Y1 X2 Y2
  key NAME                          a character, Enter, Escape, PageDown, F1, ...
  type TEXT                         one key press per character
  wait 500ms
  wait-for COND [timeout 5s]        window T, no-window T, text X in W, failed W,
                                    icon A, no-icon A, toast T, dialog T,
                                    windows N, log TEXT
  screenshot FILE.png | scene FILE.json | log FILE | quit

Example:
  kpio desktop --headless --script demo.kpio-script

The script fails (exit status 1) at the first command that cannot be done or \
condition that does not hold in time, saying what the desktop showed.")]
    Desktop {
        /// Run without a window, driven by --script.
        #[arg(long, requires = "script")]
        headless: bool,
        /// The script a headless desktop runs.
        #[arg(long, value_name = "FILE", requires = "headless")]
        script: Option<PathBuf>,
        /// Desktop size in pixels, WIDTHxHEIGHT.
        #[arg(long, value_name = "WxH", default_value = "1024x768", value_parser = parse_size)]
        size: (u32, u32),
        /// Close the window after showing this many frames (tests, demos).
        #[arg(long, value_name = "N")]
        exit_after_frames: Option<u64>,
    },
    /// Build a bootable KPIO disk image with apps installed; --run boots it in QEMU.
    #[command(
        long_about = "\
Build a bootable KPIO disk image (BIOS, bootloader 0.11) with the given .kpioapp \
packages installed, and with --run boot it in QEMU.

The packages are installed into a fresh KPIO home exactly as `kpio install --yes` \
would (each gets the permissions it asks for), which becomes the kernel's in-memory \
file system at boot. --launch names apps to start at boot (their output goes to the \
serial console); without --no-desktop the desktop starts on the screen.

It builds the kernel (kernel/, for x86_64-unknown-none) and the image writer from the \
KPIO source tree this kpio was built from (or --source DIR), which needs rustup's \
x86_64-unknown-none target and its rust-src and llvm-tools components. --run needs \
qemu-system-x86_64 (Debian: qemu-system-x86); QEMU's serial console is this \
terminal.

Exit status with --run: the kernel's (0 when every --launch app exited 0 with \
--exit-when-done), 2 if it faulted; otherwise 0 once the image is written.",
        after_help = "Examples:\n  bash scripts/build-apps.sh\n  kpio image --app target/apps/hello-world.kpioapp --app target/apps/calculator.kpioapp --run\n  kpio image --app target/apps/hello-world.kpioapp --launch com.kpio.hello --no-desktop --exit-when-done --run --headless"
    )]
    Image {
        /// A .kpioapp package to install in the image. Repeatable.
        #[arg(long = "app", value_name = "PKG")]
        apps: Vec<PathBuf>,
        /// Where to write the image.
        #[arg(short, long, value_name = "FILE", default_value = "target/kpio.img")]
        out: PathBuf,
        /// An installed app (id or name) to start at boot. Repeatable.
        #[arg(long, value_name = "APP")]
        launch: Vec<String>,
        /// Boot without the desktop: only the --launch apps run.
        #[arg(long)]
        no_desktop: bool,
        /// Leave QEMU once every --launch app has ended: success if all exited 0.
        #[arg(long, requires = "no_desktop")]
        exit_when_done: bool,
        /// Boot the image in QEMU once it is written.
        #[arg(long)]
        run: bool,
        /// With --run: no QEMU window, only the serial console.
        #[arg(long, requires = "run")]
        headless: bool,
        /// The KPIO source tree to build the kernel from.
        #[arg(long, value_name = "DIR")]
        source: Option<PathBuf>,
        /// Make the kernel crash on purpose once booted, to see its fault report (like
        /// Linux's sysrq-c).
        #[arg(long, value_name = "KIND", value_parser = ["page-fault", "invalid-opcode", "panic"])]
        crash: Option<String>,
    },
    /// The web platform: run web-platform-tests files or a script in a JavaScript realm.
    Web {
        #[command(subcommand)]
        command: WebCommand,
    },
    /// Run WebAssembly spec-test scripts (.wast).
    #[command(
        long_about = "\
Run WebAssembly spec-test scripts (.wast).

Every directive (module, register, invoke, assert_return, assert_trap, \
assert_exhaustion, assert_invalid, assert_malformed, assert_unlinkable, ...) \
counts as one check. Each failure is reported on stderr as \
`FILE:LINE:COL: message`. With several files a summary line is printed per \
file; the last line is always the total: `N passed, M failed`.

Scripts can import from the `spectest` module (print functions, globals \
global_i32/i64/f32/f64, a funcref table and a memory).

The interpreter has two dispatch backends, which must agree on every script: \
threaded dispatch (a handler per instruction; what optimised x86-64 builds run \
by default) and the portable `match` loop (in every build; what the kernel \
runs). --dispatch portable runs only the portable loop in a build that has \
both, so one build checks both: run the scripts once with each. Likewise the \
execution tiers: --tier interp (the interpreter only), --tier jit (native code \
for every function the JIT compiles) and --tier auto (tiered; with \
--jit-threshold 1 every function tiers up on its first call).

Exit status: 0 if every check passed, 1 otherwise.",
        after_help = "Examples:\n  kpio wast i32.wast i64.wast\n  kpio wast --dispatch portable simd_*.wast    (the portable loop only)\n  kpio wast --tier jit i32.wast                (native code)"
    )]
    Wast {
        /// The scripts to run.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Let the `spectest.print*` functions print their arguments.
        #[arg(short, long)]
        verbose: bool,
        /// Refuse modules with more than one memory, as scripts written before
        /// multi-memory expect (WebAssembly 2.0's, and the memory64 proposal's).
        #[arg(long)]
        single_memory: bool,
        /// Which interpreter loop runs the scripts; every script must pass on both.
        #[arg(long, value_enum, value_name = "BACKEND", default_value_t = DispatchArg::Auto)]
        dispatch: DispatchArg,
        /// Which execution tiers run the scripts; every script must pass on each.
        #[arg(long, value_enum, value_name = "TIER", default_value_t = TierArg::Auto)]
        tier: TierArg,
        /// With --tier auto: compile a function on its Nth call (1: everything tiers up
        /// at once, mid-script).
        #[arg(long, value_name = "N")]
        jit_threshold: Option<u32>,
        /// After each script, print what the native tier compiled and why it refused
        /// the functions it did not (on stderr).
        #[arg(long)]
        jit_stats: bool,
    },
}

/// `kpio web ...`: the web platform's engines.
#[derive(Debug, Subcommand)]
enum WebCommand {
    /// Run web-platform-tests files in KPIO's JavaScript realms.
    #[command(
        long_about = "\
Run web-platform-tests files in KPIO's JavaScript realms, through the real \
testharness.js, and print one line per subtest (PASS, FAIL, TIMEOUT, NOTRUN, \
PRECONDITION_FAILED) and a closing `N passed, M failed` line.

PATH is a test file or a directory searched for them: `.any.js` files run in a \
window and in a dedicated worker (or the scopes of their `// META: global=` line), \
`.window.js` in a window, `.worker.js` in a worker, `.html` files in a window with \
their <script> elements in order. `// META: script=` lines load their scripts first \
(paths starting with / from the WPT root). The exit status is 0 when everything \
passed.",
        after_help = "Examples:\n  kpio web test crates/kpio-web/tests/wpt\n  kpio web test --root ~/wpt ~/wpt/url/urlsearchparams-sort.any.js"
    )]
    Test {
        /// Test files, or directories to search for them.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
        /// testharness.js to use; found next to the tests (a WPT checkout's
        /// resources/, or node_modules/wpt-runner from npm) when not given.
        #[arg(long, value_name = "FILE")]
        testharness: Option<PathBuf>,
        /// The WPT checkout's root, for `META: script=/...` paths.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Seconds a file may take before its unfinished subtests time out.
        #[arg(long, value_name = "SECONDS", default_value_t = 10)]
        timeout: u64,
        /// Show what the tests print to their console, and the errors they report
        /// (many on purpose), on stderr.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Serve a directory over HTTP on 127.0.0.1 (web apps, test files), with the test
    /// endpoints under /_kpio/ that `kpio web test` suites use.
    #[command(
        after_help = "The server answers as two origins, http://127.0.0.1:PORT and \
http://localhost:PORT. It runs until interrupted (Ctrl-C).\n\nExample:\n  kpio web serve \
--port 8080 crates/kpio-web/tests/wpt"
    )]
    Serve {
        /// The directory to serve.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The port (a free one when not given).
        #[arg(long, value_name = "PORT", default_value_t = 0)]
        port: u16,
    },
    /// Run a script in a window realm, then its timers until none is left.
    Run {
        /// The script (a classic script, as a <script> element runs it).
        #[arg(value_name = "FILE")]
        script: PathBuf,
        /// Seconds to wait for pending timers before giving up.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        timeout: u64,
        /// Seconds one task (the script, a timer callback) may run before it is
        /// stopped.
        #[arg(long, value_name = "SECONDS", default_value_t = 10)]
        task_time: u64,
        /// Bytes of memory the realm's heap may use (suffixes K, M, G).
        #[arg(long, value_name = "BYTES", value_parser = kpio_cli::guards::parse_size)]
        max_memory: Option<u64>,
        /// Keep the app's storage in DIR (crash-safe: localStorage in DIR/local_storage,
        /// IndexedDB in DIR/idb, caches in DIR/caches; service worker registrations,
        /// sync tasks), so a later run sees it; in memory when not given.
        #[arg(long, value_name = "DIR")]
        storage: Option<PathBuf>,
        /// The page's URL: its `location`, its origin (for CORS) and the base of
        /// relative URLs. Default: the script's file: URL (an opaque origin).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// What fetch() may reach: none, local (this machine and the local network),
        /// full, or a comma-separated allow-list of hosts (example.com,*.example.org,
        /// localhost:8080).
        #[arg(long, value_name = "SCOPE", default_value = "none", value_parser = kpio_cli::web::parse_network)]
        network: kpio_web::NetworkScope,
        /// Start offline: navigator.onLine is false and every fetch fails.
        #[arg(long)]
        offline: bool,
        /// Offline fallback rules for when no service worker answers: a JSON list of
        /// {"pattern": "/static/*", "strategy": "cache-first", "cache": "NAME"} (strategies:
        /// cache-only, cache-first, network-first, stale-while-revalidate, network-only).
        #[arg(long, value_name = "FILE")]
        offline_fallback: Option<PathBuf>,
        /// Keep the Cache API's caches (`caches`) in DIR (crash-safe), so a later run
        /// sees them; DIR/caches of --storage, or in memory, when not given.
        #[arg(long, value_name = "DIR")]
        cache: Option<PathBuf>,
    },
}

/// `--tier`: which execution tiers run wasm (`kpio_wasm::Tier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TierArg {
    /// The interpreter only
    Interp,
    /// Native code (Cranelift) for every function the JIT compiles, on its first call;
    /// the interpreter for the rest
    Jit,
    /// Start in the interpreter; compile functions once they are called often
    Auto,
}

impl From<TierArg> for Tier {
    fn from(t: TierArg) -> Tier {
        match t {
            TierArg::Interp => Tier::Interp,
            TierArg::Jit => Tier::Jit,
            TierArg::Auto => Tier::Auto,
        }
    }
}

/// `--dispatch`: the interpreter's dispatch backend (`kpio_wasm::Dispatch`). Both run the
/// same instructions with the same results; `portable` is there to check that, and to
/// measure what threaded dispatch gains, without building the engine a second time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DispatchArg {
    /// Threaded dispatch (a handler per instruction, chained by tail calls) where this
    /// build has it: optimised builds for x86-64 hosts; the portable loop elsewhere
    Auto,
    /// Only the portable `match` loop, which bare-metal (kernel) builds run
    Portable,
}

impl From<DispatchArg> for Dispatch {
    fn from(d: DispatchArg) -> Dispatch {
        match d {
            DispatchArg::Auto => Dispatch::Auto,
            DispatchArg::Portable => Dispatch::Portable,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The text parser is recursive and the interpreter may be too: run on a
    // thread with a big stack.
    kpio_cli::with_big_stack(move || match cli.command {
        Command::Run {
            dirs,
            envs,
            invoke,
            fuel,
            timeout,
            max_memory,
            restart,
            dispatch,
            tier,
            jit_code_budget,
            jit_stats,
            mut module_and_args,
        } => {
            let target = module_and_args.remove(0);
            // `kpio run ID -- args`: the `--` separates, it is not an argument.
            if module_and_args.first().is_some_and(|a| a == "--") {
                module_and_args.remove(0);
            }
            let limits = kpio_pkg::RunLimits {
                fuel,
                timeout,
                max_memory,
                tier: Some(tier.into()),
                jit_code_budget: jit_code_budget.map(|b| usize::try_from(b).unwrap_or(usize::MAX)),
            };
            let path = match run_target(&target) {
                Ok(RunTarget::Module(path)) => path,
                Ok(target_kind @ (RunTarget::Package(_) | RunTarget::App)) => {
                    if !dirs.is_empty()
                        || !envs.is_empty()
                        || invoke.is_some()
                        || dispatch != DispatchArg::Auto
                    {
                        eprintln!(
                            "error: --dir, --env, --invoke and --dispatch apply to modules; an \
                             app gets its data directory, environment, entry point and engine \
                             from the platform"
                        );
                        return ExitCode::from(2);
                    }
                    let r = if let RunTarget::Package(path) = target_kind {
                        apps::run_package_file(&path, &module_and_args, &limits)
                    } else {
                        apps::run_installed(&target, &module_and_args, restart, &limits, jit_stats)
                    };
                    return match r {
                        Ok(code) => ExitCode::from(code as u8),
                        Err(e) => {
                            eprintln!("error: {e}");
                            ExitCode::from(2)
                        }
                    };
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            };
            cmd_run(RunRequest {
                path,
                invoke,
                args: module_and_args,
                dirs,
                envs,
                limits,
                dispatch: dispatch.into(),
                jit_stats,
            })
        }
        Command::Pack { dir, output } => report(apps::pack(&dir, &output)),
        Command::Install {
            package,
            force,
            yes,
            precompile,
        } => report(apps::install(&package, force, yes, precompile)),
        Command::List { json } => report(apps::list(json)),
        Command::Info { app } => report(apps::info(&app)),
        Command::Uninstall { app } => report(apps::uninstall(&app)),
        Command::Ps { json } => report(apps::ps(json)),
        Command::Kill { instance } => report(apps::kill(&instance)),
        Command::Desktop {
            headless,
            script,
            size: (width, height),
            exit_after_frames,
        } => cmd_desktop(headless, script, width, height, exit_after_frames),
        Command::Web { command } => cmd_web(command),
        Command::Image {
            apps,
            out,
            launch,
            no_desktop,
            exit_when_done,
            run,
            headless,
            source,
            crash,
        } => cmd_image(
            &kpio_cli::image::ImageRequest {
                packages: apps,
                out,
                launch,
                desktop: !no_desktop,
                exit_when_done,
                source,
                crash,
            },
            run,
            headless,
        ),
        Command::Wast {
            files,
            verbose,
            single_memory,
            dispatch,
            tier,
            jit_threshold,
            jit_stats,
        } => cmd_wast(
            &files,
            jit_stats,
            &WastOptions {
                verbose,
                single_memory,
                dispatch: dispatch.into(),
                tier: tier.into(),
                jit_threshold,
                jit_loop_threshold: None,
            },
        ),
    })
}

fn cmd_image(req: &kpio_cli::image::ImageRequest, run: bool, headless: bool) -> ExitCode {
    let image = match kpio_cli::image::build(req) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if !run {
        return ExitCode::SUCCESS;
    }
    match kpio_cli::image::boot(&image, headless) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn cmd_web(command: WebCommand) -> ExitCode {
    match command {
        WebCommand::Test {
            paths,
            testharness,
            root,
            timeout,
            verbose,
        } => {
            let req = kpio_cli::web::TestRequest {
                paths,
                testharness,
                root,
                timeout: std::time::Duration::from_secs(timeout),
                verbose,
            };
            match kpio_cli::web::test(&req, &mut std::io::stdout().lock()) {
                Ok(t) if t.failed == 0 => ExitCode::SUCCESS,
                Ok(_) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        WebCommand::Serve { dir, port } => {
            match kpio_web::local_server::LocalServer::start_on(&dir, port) {
                Ok(server) => {
                    println!("serving {} at {}", dir.display(), server.origin());
                    // Parent processes (test oracles) read the line above to find the port.
                    let _ = std::io::Write::flush(&mut std::io::stdout());
                    loop {
                        std::thread::park();
                    }
                }
                Err(e) => {
                    eprintln!("error: serving {}: {e}", dir.display());
                    ExitCode::FAILURE
                }
            }
        }
        WebCommand::Run {
            script,
            timeout,
            task_time,
            max_memory,
            storage,
            url,
            network,
            offline,
            offline_fallback,
            cache,
        } => {
            let mut limits = kpio_web::Limits {
                task_time: std::time::Duration::from_secs(task_time),
                ..kpio_web::Limits::default()
            };
            if let Some(m) = max_memory {
                limits.memory = usize::try_from(m).unwrap_or(usize::MAX);
            }
            let req = kpio_cli::web::RunRequest {
                script,
                timeout: std::time::Duration::from_secs(timeout),
                limits,
                storage,
                url,
                network: (network != kpio_web::NetworkScope::None).then_some(network),
                offline,
                offline_fallback,
                cache,
            };
            match kpio_cli::web::run(&req) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Prints a command's output, or its error with exit status 1.
/// `WIDTHxHEIGHT`, each 320..=7680.
fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{s:?} is not WIDTHxHEIGHT, e.g. 1280x800"))?;
    let dim = |v: &str| match v.parse::<u32>() {
        Ok(n @ 320..=7680) => Ok(n),
        _ => Err(format!("{v:?} is not a size between 320 and 7680 pixels")),
    };
    Ok((dim(w)?, dim(h)?))
}

fn cmd_desktop(
    headless: bool,
    script: Option<PathBuf>,
    width: u32,
    height: u32,
    exit_after_frames: Option<u64>,
) -> ExitCode {
    if headless {
        let Some(script) = script else {
            eprintln!("error: --headless needs --script FILE");
            return ExitCode::from(2);
        };
        return match kpio_cli::desktop::headless::run_script(&script, width, height) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut session = match kpio_cli::desktop::Session::open(width, height) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = kpio_cli::desktop::window::WindowOptions { exit_after_frames };
    let r = kpio_cli::desktop::window::run(&mut session, options);
    session.shutdown();
    match r {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report(r: Result<String, apps::AppCmdError>) -> ExitCode {
    match r {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What `kpio run TARGET` names.
enum RunTarget {
    /// A module file (.wasm binary or .wat text).
    Module(PathBuf),
    /// A .kpioapp package file, run without installing it.
    Package(PathBuf),
    /// An installed app (TARGET is its id, app id or name).
    App,
}

/// Decides what TARGET names, with an error message when it names nothing or is
/// ambiguous. Something that looks like a path (it has a `/` or a `.wasm`, `.wat` or
/// `.kpioapp` extension) is a file and must exist; a bare word is an installed app,
/// unless a file of that name exists too, which is refused rather than letting the file
/// silently shadow the app.
fn run_target(target: &str) -> Result<RunTarget, String> {
    let path = PathBuf::from(target);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let looks_like_file = target.contains('/') || matches!(ext, "wasm" | "wat" | "kpioapp");
    let exists = std::fs::symlink_metadata(&path).is_ok();
    if looks_like_file {
        if !exists {
            return Err(format!("{target}: no such file"));
        }
        return Ok(if ext == "kpioapp" {
            RunTarget::Package(path)
        } else {
            RunTarget::Module(path)
        });
    }
    // A bare word: an installed app, or a file in the current directory.
    let app = apps::lookup_installed(target);
    match (exists, app) {
        (true, Ok(Some(d))) => Err(format!(
            "`{target}` is both a file here and the installed app {} (id {}); \
             write `./{target}` to run the file, or `kpio run {}` for the app",
            d.app_id,
            d.id,
            if target == d.app_id {
                d.id.to_string()
            } else {
                d.app_id.clone()
            }
        )),
        (true, _) => Ok(RunTarget::Module(path)),
        (false, Ok(Some(_))) => Ok(RunTarget::App),
        (false, Ok(None)) => Err(format!(
            "`{target}` is neither a file nor an installed app (see `kpio list` for ids, \
             app ids and names)"
        )),
        (false, Err(e)) => Err(e.to_string()),
    }
}

fn cmd_run(req: RunRequest) -> ExitCode {
    let mut engine = None;
    let r = kpio_cli::run::run_with_engine(&req, &mut engine);
    // After the program's own output (and results, printed below first).
    let stats = |engine: Option<kpio_wasm::Engine>| {
        if let (true, Some(e)) = (req.jit_stats, engine) {
            // What was found hot at the end may still be compiling.
            e.jit_wait_idle();
            let name = req.path.display().to_string();
            let s = e.jit_stats();
            eprint!("{}", kpio_cli::jit_stats::summary(&name, &s));
            eprint!("{}", kpio_cli::jit_stats::timeline(&s));
        }
    };
    let code = cmd_run_outcome(r);
    stats(engine);
    code
}

fn cmd_run_outcome(r: Result<Outcome, RunError>) -> ExitCode {
    match r {
        Ok(Outcome::Returned(results)) => {
            for v in &results {
                println!("{}", DisplayVal(v));
            }
            ExitCode::SUCCESS
        }
        // Exit statuses are a byte on Unix; wasmtime truncates the same way.
        Ok(Outcome::Exited(code)) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e}");
            if let RunError::Trap(t) | RunError::StartTrap(t) = &e
                && !t.backtrace().is_empty()
            {
                eprintln!("wasm backtrace:");
                // Bounded: the innermost and outermost frames, and how many lie between.
                for line in t.backtrace_lines() {
                    let BacktraceLine::Frame { depth, frame } = line else {
                        eprintln!("{line}");
                        continue;
                    };
                    let at = frame
                        .module_offset
                        .map_or(String::from("?"), |o| format!("{o:#x}"));
                    match &frame.func_name {
                        Some(name) => {
                            eprintln!("  {depth:>3}: {at} - {:#}", rustc_demangle::demangle(name))
                        }
                        None => eprintln!("  {depth:>3}: {at} - <func {}>", frame.func_index),
                    }
                }
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn cmd_wast(files: &[PathBuf], jit_stats: bool, opts: &WastOptions) -> ExitCode {
    let mut total = Counts::default();
    for file in files {
        let report = run_wast_file(file, opts);
        for failure in &report.failures {
            eprintln!("{failure}");
        }
        if jit_stats {
            eprint!(
                "{}",
                kpio_cli::jit_stats::summary(&report.name, &report.jit)
            );
        }
        if files.len() > 1 {
            println!("{}: {}", report.name, report.counts());
        }
        total.add(report.counts());
    }
    println!("{total}");
    if total.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

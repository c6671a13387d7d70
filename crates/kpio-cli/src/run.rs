//! `kpio run`: load a `.wasm` binary or `.wat` text module, instantiate it with WASI
//! preview 1 (`wasi_snapshot_preview1`) available, and run `_start` or call one export.
//!
//! Like `wasmtime run`: `--dir HOST[::GUEST]` preopens host directories, `--env K=V`
//! sets the environment, arguments after the file go to the program, and the exit status
//! is the guest's `proc_exit` code (0 when `_start` returns, 134 after a trap).
//! `--fuel`, `--timeout` and `--max-memory` ([`RunLimits`]) hold a runaway guest as they
//! hold an app: fuel metering, an interrupt when the time is up (exit status 124), and a
//! store budget for memory, tables and the value stack.

use std::fmt;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use kpio_pkg::{GuardedRun, Interruption, RunLimits};
use kpio_vfs::{HostFs, HostOptions, MountOptions, Vfs, VfsLimits};
use kpio_wasi::{WasiCtx, WasiCtxBuilder};
use kpio_wasm::{
    Config, Engine, Extern, InstantiateError, LinkError, Linker, Module, ModuleError, Store, Trap,
    Val,
};

use crate::guards::{TIMEOUT_EXIT_STATUS, process_run_control, show_duration};
use crate::values::{ParseValError, parse_val, signature};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The module file (`.wasm` binary or `.wat` text).
    pub path: PathBuf,
    /// The export to call; `None` means `_start`.
    pub invoke: Option<String>,
    /// With `--invoke`: the function's arguments, parsed by its parameter types.
    /// Without: the program's arguments (`argv[1..]`).
    pub args: Vec<String>,
    /// Preopened directories, `HOST[::GUEST]` (GUEST defaults to HOST).
    pub dirs: Vec<String>,
    /// Environment variables, `KEY=VALUE` (or `KEY`: the host's value).
    pub envs: Vec<String>,
    /// Fuel, timeout and memory limits.
    pub limits: RunLimits,
    /// The interpreter's dispatch backend (`Config::dispatch`).
    pub dispatch: kpio_wasm::Dispatch,
    /// Print the native tier's statistic on stderr when the run ends (`--jit-stats`).
    pub jit_stats: bool,
}

/// How a run ended without an error.
#[derive(Debug)]
pub enum Outcome {
    /// The called function returned these values (none for `_start`).
    Returned(Vec<Val>),
    /// The guest asked to exit with this status (WASI `proc_exit`).
    Exited(i32),
}

/// Everything that can go wrong in `kpio run`.
#[derive(Debug)]
pub enum RunError {
    /// The file could not be read.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The file is text but not a valid `.wat` module.
    Text { path: PathBuf, message: String },
    /// A `.wasm` file that does not start with the binary format's magic number (and is
    /// not a text module either).
    NotWasm { path: PathBuf, start: Vec<u8> },
    /// The engine rejected the module (malformed / invalid / unsupported).
    Compile { path: PathBuf, error: ModuleError },
    /// An import could not be resolved (`kpio run` provides no imports).
    Link(LinkError),
    /// The start function (or an active segment) trapped while instantiating.
    StartTrap(Trap),
    /// Instantiating needs more than the store's limits allow (`--max-memory`).
    Limit(Trap),
    /// No `--invoke` given and no `_start` export.
    NoEntryPoint { exports: Vec<String> },
    /// The requested export doesn't exist.
    NoSuchExport { name: String, exports: Vec<String> },
    /// The requested export exists but is not a function.
    NotAFunction { name: String, kind: &'static str },
    /// Wrong number of arguments.
    ArgCount {
        signature: String,
        expected: usize,
        got: usize,
    },
    /// An argument didn't parse as its parameter's type.
    BadArg { index: usize, error: ParseValError },
    /// The call trapped.
    Trap(Trap),
    /// `--timeout` interrupted the guest.
    TimedOut(std::time::Duration),
    /// A `--dir` could not be opened or mounted.
    Dir { spec: String, message: String },
    /// A `--env` is not `KEY=VALUE`.
    BadEnv(String),
    /// The WASI context could not be set up.
    Wasi(String),
}

impl RunError {
    /// Process exit status for this error: 134 (128 + SIGABRT, as wasmtime) for a trap,
    /// 2 for everything that prevented running (like a usage error).
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Trap(_) | RunError::StartTrap(_) => 134,
            RunError::TimedOut(_) => TIMEOUT_EXIT_STATUS,
            _ => 2,
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "  (the module exports no functions)".to_string()
    } else {
        items
            .iter()
            .map(|s| format!("  {s}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Io { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            RunError::Text { path, message } => {
                write!(
                    f,
                    "{} is not a valid text module: {message}",
                    path.display()
                )
            }
            RunError::NotWasm { path, start } => write!(
                f,
                "{} is not a WebAssembly module: a binary module starts with the magic \
                 number 00 61 73 6d (\"\\0asm\"), this file starts with {}",
                path.display(),
                if start.is_empty() {
                    "nothing (it is empty)".to_string()
                } else {
                    start
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                }
            ),
            RunError::Compile { path, error } => {
                write!(f, "{} failed to compile: {error}", path.display())
            }
            RunError::Link(e) => write!(
                f,
                "failed to link: {e}\n(note: `kpio run` provides only WASI preview 1, \
                 `wasi_snapshot_preview1`)"
            ),
            RunError::StartTrap(t) => write!(f, "{t} (during instantiation)"),
            RunError::Limit(t) => write!(f, "cannot instantiate the module: {t}"),
            RunError::NoEntryPoint { exports } => write!(
                f,
                "the module has no `_start` export; use `--invoke NAME` to call \
                 one of its exported functions:\n{}",
                list(exports)
            ),
            RunError::NoSuchExport { name, exports } => write!(
                f,
                "the module has no export named `{name}`; exported functions:\n{}",
                list(exports)
            ),
            RunError::NotAFunction { name, kind } => {
                write!(f, "export `{name}` is a {kind}, not a function")
            }
            RunError::ArgCount {
                signature,
                expected,
                got,
            } => write!(
                f,
                "`{signature}` takes {expected} argument{}, but {got} {} given",
                if *expected == 1 { "" } else { "s" },
                if *got == 1 { "was" } else { "were" }
            ),
            RunError::BadArg { index, error } => {
                write!(f, "argument {}: {error}", index + 1)
            }
            RunError::Trap(t) => write!(f, "{t}"),
            RunError::TimedOut(d) => write!(
                f,
                "timed out after {} (the --timeout limit); the guest was interrupted",
                show_duration(*d)
            ),
            RunError::Dir { spec, message } => write!(f, "--dir {spec}: {message}"),
            RunError::BadEnv(e) => write!(
                f,
                "--env {e}: expected KEY=VALUE, or the name of a variable set in this environment"
            ),
            RunError::Wasi(m) => write!(f, "cannot set up WASI: {m}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Reads a module file and returns its binary encoding: binary files are
/// passed through, text (`.wat`) is parsed and encoded.
pub fn load_module_bytes(path: &Path) -> Result<Vec<u8>, RunError> {
    let bytes = std::fs::read(path).map_err(|error| RunError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    // A `.wasm` file (or any file that isn't text) must be a binary module; wasmtime also
    // accepts text in a `.wasm` file, so that is tried, but its parse error would only
    // confuse: say what a binary module must start with instead.
    let binary_expected = path.extension().is_some_and(|e| e == "wasm");
    let not_wasm = || RunError::NotWasm {
        path: path.to_path_buf(),
        start: bytes.iter().take(8).copied().collect(),
    };
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(_) => return Err(not_wasm()),
    };
    wat_to_binary(text).map_err(|mut e| {
        if binary_expected {
            return not_wasm();
        }
        e.set_path(path);
        e.set_text(text);
        RunError::Text {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    })
}

/// Parses WebAssembly text (a module, or a bare list of module fields) and
/// encodes it to the binary format.
pub fn wat_to_binary(text: &str) -> Result<Vec<u8>, ::wast::Error> {
    let buf = ::wast::parser::ParseBuffer::new(text)?;
    let mut wat = ::wast::parser::parse::<::wast::Wat<'_>>(&buf)?;
    wat.encode()
}

/// Builds the guest's WASI context: arguments, environment, preopens, host stdio,
/// clocks and randomness.
fn wasi_context(req: &RunRequest, guard: &GuardedRun<'_>) -> Result<WasiCtx, RunError> {
    let mut b = WasiCtxBuilder::new();
    b.arg(req.path.display().to_string());
    if req.invoke.is_none() {
        b.args(req.args.iter().cloned());
    }
    for e in &req.envs {
        match e.split_once('=') {
            Some((k, v)) => {
                b.env(k, v);
            }
            // `--env NAME` passes the host's value on, as wasmtime does.
            None => match std::env::var(e) {
                Ok(v) => {
                    b.env(e.as_str(), v);
                }
                Err(_) => return Err(RunError::BadEnv(e.clone())),
            },
        }
    }
    let mut vfs = Vfs::new(VfsLimits::default());
    let mut names = Vec::new();
    for spec in &req.dirs {
        let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
        let dir_err = |message: String| RunError::Dir {
            spec: spec.clone(),
            message,
        };
        // A missing directory is an error, as in wasmtime: creating it would turn a typo
        // into a new tree.
        match std::fs::metadata(host) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(dir_err(format!("{host} is not a directory"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(dir_err(format!("host directory {host} does not exist")));
            }
            Err(e) => return Err(dir_err(format!("cannot open host directory {host}: {e}"))),
        }
        let backend = HostFs::open(host, HostOptions::default())
            .map_err(|e| dir_err(format!("cannot open host directory {host}: {e}")))?;
        // The VFS wants absolute mount points; the guest sees the name as given (wasi-libc
        // and Rust's std resolve relative paths through a preopen named ".").
        let trimmed = guest.trim_start_matches("./").trim_start_matches('/');
        let point = if trimmed.is_empty() || trimmed == "." {
            "/".to_string()
        } else {
            format!("/{trimmed}")
        };
        let opts = MountOptions {
            read_only: false,
            create: false,
        };
        let id = vfs
            .mount(&point, Arc::new(backend), "/", opts)
            .map_err(|e| dir_err(format!("cannot preopen it as {guest}: {e}")))?;
        names.push((id, guest.to_string()));
    }
    b.vfs(vfs);
    for (id, name) in names {
        b.preopen_name(id, name);
    }
    b.stdin(Box::new(kpio_wasi::host::Stdin))
        .stdout(Box::new(kpio_wasi::host::Stdout))
        .stderr(Box::new(kpio_wasi::host::Stderr))
        // Sleeps end early when the timeout fires, so a sleeping guest is stopped too.
        .clock(guard.clock(Box::new(kpio_wasi::host::HostClock::new())))
        .random(Box::new(kpio_wasi::host::OsRandom));
    b.build().map_err(|e| RunError::Wasi(e.to_string()))
}

/// Loads, instantiates and runs the request.
pub fn run(req: &RunRequest) -> Result<Outcome, RunError> {
    run_with_engine(req, &mut None)
}

/// [`run`], also handing back the engine it made (for its native-tier statistic), however
/// the run ends.
pub fn run_with_engine(
    req: &RunRequest,
    engine_out: &mut Option<Engine>,
) -> Result<Outcome, RunError> {
    let bytes = load_module_bytes(&req.path)?;
    // Interruptible only when a timeout asks for it: the checks cost a little speed.
    let base = Config {
        dispatch: req.dispatch,
        // `kpio` runs guests on a `BIG_STACK` thread: native code may recurse as deep as
        // the interpreter does (a million calls), keeping half the stack for the rest.
        max_native_stack: crate::BIG_STACK / 2,
        ..Config::default()
    };
    let config = req.limits.engine_config(base, false);
    let engine = Engine::new(config);
    *engine_out = Some(engine.clone());
    let module = Module::new(&engine, &bytes).map_err(|error| RunError::Compile {
        path: req.path.clone(),
        error,
    })?;
    let control = process_run_control();
    let mut guard = control.begin();
    let mut store = Store::new(&engine, wasi_context(req, &guard)?);
    // The same budget an app gets, with all the memory the engine allows.
    let budget = req
        .limits
        .store_limits(engine.config().max_memory_pages, engine.config());
    req.limits.apply(&mut store, budget);
    guard.arm(store.interrupt_handle(), req.limits.timeout);
    // Once the timer fired, the run timed out however it ended (see kpio_pkg::guards).
    let timed_out = || match guard.interrupted() {
        Some(Interruption::TimedOut(d)) => Some(d),
        _ => None,
    };
    let mut linker = Linker::<WasiCtx>::new();
    kpio_wasi::add_to_linker(&mut linker, &mut store, |cx| cx);
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(InstantiateError::Link(l)) => return Err(RunError::Link(l)),
        Err(InstantiateError::Trap(t)) => {
            if let Some(d) = timed_out() {
                return Err(RunError::TimedOut(d));
            }
            return match t.exit_code() {
                Some(code) => Ok(Outcome::Exited(code)),
                None if t.limit_exceeded().is_some() => Err(RunError::Limit(t)),
                None => Err(RunError::StartTrap(t)),
            };
        }
    };

    let exported_funcs = || -> Vec<String> {
        module
            .exports()
            .filter_map(|(name, _)| match instance.get_export(&store, name) {
                Some(Extern::Func(f)) => Some(signature(name, &f.ty(&store))),
                _ => None,
            })
            .collect()
    };

    let name = match &req.invoke {
        Some(name) => name.as_str(),
        None => {
            if instance.get_export(&store, "_start").is_none() {
                return Err(RunError::NoEntryPoint {
                    exports: exported_funcs(),
                });
            }
            "_start"
        }
    };
    let func = match instance.get_export(&store, name) {
        Some(Extern::Func(f)) => f,
        Some(other) => {
            return Err(RunError::NotAFunction {
                name: name.to_string(),
                kind: match other {
                    Extern::Func(_) => "function",
                    Extern::Global(_) => "global",
                    Extern::Memory(_) => "memory",
                    Extern::Table(_) => "table",
                    Extern::Tag(_) => "tag",
                },
            });
        }
        None => {
            return Err(RunError::NoSuchExport {
                name: name.to_string(),
                exports: exported_funcs(),
            });
        }
    };

    let ty = func.ty(&store);
    let fn_args: &[String] = if req.invoke.is_some() { &req.args } else { &[] };
    if ty.params().len() != fn_args.len() {
        return Err(RunError::ArgCount {
            signature: signature(name, &ty),
            expected: ty.params().len(),
            got: fn_args.len(),
        });
    }
    let args = ty
        .params()
        .iter()
        .zip(fn_args)
        .enumerate()
        .map(|(index, (ty, text))| {
            parse_val(ty, text).map_err(|error| RunError::BadArg { index, error })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    let r = func.call(&mut store, &args, &mut results);
    if let Some(d) = timed_out() {
        return Err(RunError::TimedOut(d));
    }
    match r {
        Ok(()) => Ok(Outcome::Returned(results)),
        Err(t) => match t.exit_code() {
            Some(code) => Ok(Outcome::Exited(code)),
            None => Err(RunError::Trap(t)),
        },
    }
}

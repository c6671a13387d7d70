//! `kpio run`: load a `.wasm` binary or `.wat` text module, instantiate it
//! without imports, and call one export.

use std::fmt;
use std::path::{Path, PathBuf};

use kpio_wasm::{
    Engine, Extern, InstantiateError, LinkError, Linker, Module, ModuleError, Store, Trap, Val,
};

use crate::values::{ParseValError, default_val, parse_val, signature};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The module file (`.wasm` binary or `.wat` text).
    pub path: PathBuf,
    /// The export to call; `None` means `_start`.
    pub invoke: Option<String>,
    /// Arguments, parsed according to the export's parameter types.
    pub args: Vec<String>,
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
    /// The engine rejected the module (malformed / invalid / unsupported).
    Compile { path: PathBuf, error: ModuleError },
    /// An import could not be resolved (`kpio run` provides no imports).
    Link(LinkError),
    /// The start function (or an active segment) trapped while instantiating.
    StartTrap(Trap),
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
}

impl RunError {
    /// Process exit status for this error: 1 for a trap during execution,
    /// 2 for everything that prevented running (like a usage error).
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Trap(_) | RunError::StartTrap(_) => 1,
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
            RunError::Compile { path, error } => {
                write!(f, "{} failed to compile: {error}", path.display())
            }
            RunError::Link(e) => write!(
                f,
                "failed to link: {e}\n(note: `kpio run` provides no imports; \
                 the module must be self-contained)"
            ),
            RunError::StartTrap(t) => write!(f, "{t} (during instantiation)"),
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
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        // Not text: let the engine report why it isn't a module.
        Err(_) => return Ok(bytes),
    };
    wat_to_binary(text).map_err(|mut e| {
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

/// Loads, instantiates and runs the request; returns the call's results.
pub fn run(req: &RunRequest) -> Result<Vec<Val>, RunError> {
    let bytes = load_module_bytes(&req.path)?;
    let engine = Engine::default();
    let module = Module::new(&engine, &bytes).map_err(|error| RunError::Compile {
        path: req.path.clone(),
        error,
    })?;
    let mut store = Store::new(&engine, ());
    let linker = Linker::<()>::new();
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| match e {
            InstantiateError::Link(l) => RunError::Link(l),
            InstantiateError::Trap(t) => RunError::StartTrap(t),
        })?;

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
    if ty.params().len() != req.args.len() {
        return Err(RunError::ArgCount {
            signature: signature(name, &ty),
            expected: ty.params().len(),
            got: req.args.len(),
        });
    }
    let args = ty
        .params()
        .iter()
        .zip(&req.args)
        .enumerate()
        .map(|(index, (ty, text))| {
            parse_val(ty, text).map_err(|error| RunError::BadArg { index, error })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut results: Vec<Val> = ty.results().iter().map(default_val).collect();
    func.call(&mut store, &args, &mut results)
        .map_err(RunError::Trap)?;
    Ok(results)
}

//! A WebAssembly spec-script (`.wast`) runner over `kpio-wasm`.
//!
//! Every directive of a script is one *check*: it either passes or fails
//! (with a `FILE:LINE:COL: message` description). Directives outside the
//! WebAssembly 2.0 script language and the exception-handling proposal's
//! `assert_exception` (threads, components, ...) fail with "unsupported
//! directive". A panic inside the engine never aborts
//! the run: it is caught and reported as a failed check ("engine panicked").

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;

use ::wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use ::wast::lexer::{Lexer, TokenKind};
use ::wast::parser::{self, ParseBuffer};
use ::wast::token::{Id, Span};
use ::wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};
use kpio_wasm::{
    Caller, Config, Engine, F32, F64, FuncType, Global, GlobalType, Instance, InstantiateError,
    Linker, Memory, MemoryType, Module, Mutability, RefType, Store, Table, TableType, Trap, Val,
    ValType,
};

use crate::values::DebugVal;

/// Knobs for [`run_wast_str`] / [`run_wast_file`].
#[derive(Debug, Clone, Default)]
pub struct WastOptions {
    /// Let the `spectest.print*` functions print their arguments to stdout
    /// (otherwise they are no-ops).
    pub verbose: bool,
    /// Run with multi-memory off (`Config::multi_memory`), for scripts written before it
    /// that expect a second memory to be invalid (WebAssembly 2.0's, memory64's).
    pub single_memory: bool,
    /// The interpreter's dispatch backend (`Config::dispatch`): both must pass every script.
    pub dispatch: kpio_wasm::Dispatch,
    /// The execution tiers (`Config::tier`): each must pass every script.
    pub tier: kpio_wasm::Tier,
    /// Tiered mode's compile threshold (`Config::jit_threshold`); `None`: the default.
    /// Given, functions are compiled on the running thread at exactly that call (not in the
    /// background).
    pub jit_threshold: Option<u32>,
    /// Tiered mode's loop threshold for on-stack replacement (`Config::jit_loop_threshold`);
    /// `None`: the default.
    pub jit_loop_threshold: Option<u32>,
}

/// The outcome of running one script.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// The name the script was run under (used as the `FILE` of failures).
    pub name: String,
    /// Number of directives that passed.
    pub passed: usize,
    /// Number of directives that failed.
    pub failed: usize,
    /// Number of directives that were not run.
    pub skipped: usize,
    /// One `FILE:LINE:COL: message` line per failure, in script order.
    pub failures: Vec<String>,
    /// What the native tier compiled and refused while running the script.
    pub jit: kpio_wasm::jit::JitStats,
}

impl FileReport {
    /// Prints the first `max` failures on stderr, then how many more there were, so a
    /// broken file cannot flood a test log.
    pub fn eprint_failures(&self, max: usize) {
        for failure in self.failures.iter().take(max) {
            eprintln!("{failure}");
        }
        if self.failures.len() > max {
            eprintln!(
                "{}: ... and {} more failures",
                self.name,
                self.failures.len() - max
            );
        }
    }

    /// An empty report for `name`.
    pub fn new(name: impl Into<String>) -> Self {
        FileReport {
            name: name.into(),
            ..FileReport::default()
        }
    }

    /// `N passed, M failed` (plus `, K skipped` if anything was skipped).
    pub fn counts(&self) -> Counts {
        Counts {
            passed: self.passed,
            failed: self.failed,
            skipped: self.skipped,
        }
    }
}

/// Pass/fail/skip tallies; `Display` renders the closing-line format
/// `N passed, M failed` (plus `, K skipped` only if `K > 0`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Counts {
    /// Adds another file's counts to these.
    pub fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)?;
        if self.skipped > 0 {
            write!(f, ", {} skipped", self.skipped)?;
        }
        Ok(())
    }
}

/// Reads and runs the script at `path`. An unreadable file is reported as
/// one failed check.
pub fn run_wast_file(path: &Path, opts: &WastOptions) -> FileReport {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => run_wast_str(&name, &text, opts),
            Err(_) => failed_file(&name, "1:1: file is not valid UTF-8"),
        },
        Err(e) => failed_file(&name, &format!("cannot read file: {e}")),
    }
}

fn failed_file(name: &str, msg: &str) -> FileReport {
    let mut r = FileReport::new(name);
    r.failed = 1;
    r.failures.push(format!("{name}: {msg}"));
    r
}

/// Parses a whole script into its directives, with the lexer settings the
/// spec test suite needs (it contains "confusing" unicode in names).
///
/// A script without any directives (only whitespace and comments) is empty,
/// not an error.
fn parse_script<'a>(
    contents: &str,
    buf: &'a ParseBuffer<'a>,
) -> Result<Vec<WastDirective<'a>>, ::wast::Error> {
    let meaningful = lexer(contents).iter(0).any(|t| match t {
        Ok(token) => !matches!(
            token.kind,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
        ),
        Err(_) => true,
    });
    if !meaningful {
        return Ok(Vec::new());
    }
    Ok(parser::parse::<Wast<'a>>(buf)?.directives)
}

fn lexer(contents: &str) -> Lexer<'_> {
    let mut lexer = Lexer::new(contents);
    lexer.allow_confusing_unicode(true);
    lexer
}

/// Counts the directives of a script without running it (for reporting
/// skipped files). Returns the parse error text on failure.
pub fn count_directives(contents: &str) -> Result<usize, String> {
    let buf = ParseBuffer::new_with_lexer(lexer(contents)).map_err(|e| e.message())?;
    parse_script(contents, &buf)
        .map(|d| d.len())
        .map_err(|e| e.message())
}

/// Runs a script given as text; `name` is used in failure messages.
///
/// Must run on a thread with a big stack (see [`crate::BIG_STACK`]): the
/// text parser is recursive.
pub fn run_wast_str(name: &str, contents: &str, opts: &WastOptions) -> FileReport {
    install_panic_hook();
    let mut report = FileReport::new(name);
    let loc = |span: Span| {
        let (line, mut col) = span.linecol_in(contents);
        // Directive spans point at the keyword; report the opening paren.
        if col > 0 && contents.as_bytes().get(span.offset() - 1) == Some(&b'(') {
            col -= 1;
        }
        format!("{name}:{}:{}", line + 1, col + 1)
    };
    let buf = match ParseBuffer::new_with_lexer(lexer(contents)) {
        Ok(buf) => buf,
        Err(e) => {
            report.failed = 1;
            report
                .failures
                .push(format!("{}: parse error: {}", loc(e.span()), e.message()));
            return report;
        }
    };
    let directives = match parse_script(contents, &buf) {
        Ok(d) => d,
        Err(e) => {
            report.failed = 1;
            report
                .failures
                .push(format!("{}: parse error: {}", loc(e.span()), e.message()));
            return report;
        }
    };

    let mut runner = Runner::new(opts);
    for directive in directives {
        let span = directive.span();
        let outcome = catch_panics(|| runner.directive(directive));
        match outcome {
            Ok(()) => report.passed += 1,
            Err(msg) => {
                report.failed += 1;
                report.failures.push(format!("{}: {msg}", loc(span)));
            }
        }
    }
    report.jit = runner.engine.jit_stats();
    report
}

// ---------------------------------------------------------------------------
// Panic capture

thread_local! {
    /// Set while a directive runs: the hook records instead of printing.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once per process) a panic hook that, on threads currently
/// running a directive, records the panic message and location instead of
/// printing it; other panics go to the previous hook.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(Cell::get) {
                let msg = info.payload_as_str().unwrap_or("<non-string payload>");
                let text = match info.location() {
                    Some(l) => format!("{msg} (at {}:{}:{})", l.file(), l.line(), l.column()),
                    None => msg.to_string(),
                };
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
            } else {
                previous(info)
            }
        }));
    });
}

fn catch_panics(f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    CAPTURING.with(|c| c.set(true));
    LAST_PANIC.with(|p| *p.borrow_mut() = None);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CAPTURING.with(|c| c.set(false));
    match result {
        Ok(r) => r,
        Err(payload) => {
            let msg = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| {
                    payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "<non-string payload>".into())
                });
            Err(format!("engine panicked: {msg}"))
        }
    }
}

// ---------------------------------------------------------------------------
// Trap matching

/// Whether our trap satisfies the script's expected message.
///
/// `ours` is the trap's full `Display` text; `main` its main part, i.e. the
/// bare spec wording without backtrace/location detail (the trap code's
/// message when the trap has a code; otherwise [`main_part`] of `ours`).
///
/// Passes if `ours` contains `expected` (our text may add detail), or if
/// `expected` starts with `main` (the script may add detail, e.g.
/// "uninitialized element 2"). Different trap kinds never match ("integer
/// overflow" vs "integer divide by zero").
pub fn trap_matches(ours: &str, main: &str, expected: &str) -> bool {
    if ours.contains(expected) {
        return true;
    }
    let main = main.trim();
    !main.is_empty() && expected.starts_with(main)
}

/// The main part of a trap message: the text before any `:`, `(`, newline
/// or ` in function` / ` at offset` suffix.
pub fn main_part(text: &str) -> &str {
    let mut end = text.find([':', '(', '\n']).unwrap_or(text.len());
    for suffix in [" in function", " at offset"] {
        if let Some(i) = text[..end].find(suffix) {
            end = i;
        }
    }
    text[..end].trim()
}

// ---------------------------------------------------------------------------
// The runner

/// Why an execution (`invoke`, module instantiation, `get`) did not produce
/// values.
enum ExecError {
    /// The engine trapped: this is what `assert_trap` wants.
    Trap(Trap),
    /// Anything else (unknown export, module didn't compile, link error...).
    Other(String),
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecError::Trap(t) => write!(f, "trap: {t}"),
            ExecError::Other(s) => f.write_str(s),
        }
    }
}

impl From<String> for ExecError {
    fn from(s: String) -> Self {
        ExecError::Other(s)
    }
}

struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The most recently instantiated module (target of un-named references).
    current: Option<Instance>,
    /// Instances of modules that carry a `$name`.
    instances: HashMap<String, Instance>,
    /// `(module definition $name ...)` modules.
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
}

impl Runner {
    fn new(opts: &WastOptions) -> Self {
        let defaults = Config::default();
        let engine = Engine::new(Config {
            multi_memory: !opts.single_memory,
            dispatch: opts.dispatch,
            tier: opts.tier,
            jit_threshold: opts.jit_threshold.unwrap_or(defaults.jit_threshold),
            jit_loop_threshold: opts
                .jit_loop_threshold
                .unwrap_or(defaults.jit_loop_threshold),
            // An explicit threshold asks for tier-up at that call: compiled on the calling
            // thread, so it happens there and then.
            jit_background: opts.jit_threshold.is_none(),
            ..defaults
        });
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new();
        define_spectest(&mut store, &mut linker, opts.verbose);
        Runner {
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
        }
    }

    fn directive(&mut self, directive: WastDirective<'_>) -> Result<(), String> {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name();
                let bytes = encode(&mut module)?;
                let module = self.compile(&bytes)?;
                let instance = self
                    .linker
                    .instantiate(&mut self.store, &module)
                    .map_err(|e| instantiate_failure(&e))?;
                self.set_current(name, instance);
                Ok(())
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name();
                let bytes = encode(&mut module)?;
                let module = self.compile(&bytes)?;
                if let Some(name) = name {
                    self.definitions
                        .insert(name.name().to_string(), module.clone());
                }
                self.last_definition = Some(module);
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let def = match module {
                    Some(id) => self
                        .definitions
                        .get(id.name())
                        .cloned()
                        .ok_or_else(|| format!("unknown module definition `${}`", id.name()))?,
                    None => self
                        .last_definition
                        .clone()
                        .ok_or("no module definition to instantiate")?,
                };
                let inst = self
                    .linker
                    .instantiate(&mut self.store, &def)
                    .map_err(|e| instantiate_failure(&e))?;
                self.set_current(instance, inst);
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module)?;
                self.linker.instance(&self.store, name, instance);
                Ok(())
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(_) => Ok(()),
                Err(ExecError::Trap(t)) => Err(format!(
                    "invoke `{}` trapped unexpectedly: {t}",
                    invoke.name
                )),
                Err(ExecError::Other(s)) => Err(s),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let what = describe_exec(&exec);
                let actual = match self.execute(exec) {
                    Ok(v) => v,
                    Err(ExecError::Trap(t)) => {
                        return Err(format!("{what}: expected a return, got trap: {t}"));
                    }
                    Err(ExecError::Other(s)) => return Err(format!("{what}: {s}")),
                };
                check_results(&actual, &results).map_err(|e| format!("{what}: {e}"))
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let what = describe_exec(&exec);
                self.expect_trap(exec, message)
                    .map_err(|e| format!("{what}: {e}"))
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let what = describe_exec_invoke(&call);
                self.expect_trap(WastExecute::Invoke(call), message)
                    .map_err(|e| format!("{what}: {e}"))
            }
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => {
                let bytes = match module.encode() {
                    Ok(b) => b,
                    // The text encoder already refused it: certainly not a
                    // valid module.
                    Err(_) => return Ok(()),
                };
                match Module::new(&self.engine, &bytes) {
                    Ok(_) => Err(format!(
                        "expected invalid module (\"{message}\"), but it compiled"
                    )),
                    Err(_) => Ok(()),
                }
            }
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => {
                if matches!(
                    module,
                    QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
                ) {
                    return Err("unsupported directive: component model".into());
                }
                let bytes = match module.encode() {
                    Ok(b) => b,
                    // `module quote`: a text parse error is a malformed module.
                    Err(_) => return Ok(()),
                };
                match Module::new(&self.engine, &bytes) {
                    Ok(_) => Err(format!(
                        "expected malformed module (\"{message}\"), but it compiled"
                    )),
                    Err(_) => Ok(()),
                }
            }
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let bytes = encode_wat(&mut module)?;
                let module = self.compile(&bytes)?;
                match self.linker.instantiate(&mut self.store, &module) {
                    Ok(_) => Err(format!(
                        "expected link error (\"{message}\"), but instantiation succeeded"
                    )),
                    Err(InstantiateError::Link(_)) => Ok(()),
                    Err(InstantiateError::Trap(t)) => Err(format!(
                        "expected link error (\"{message}\"), got trap: {t}"
                    )),
                }
            }
            WastDirective::AssertInvalidCustom { .. } => {
                Err("unsupported directive: assert_invalid_custom".into())
            }
            WastDirective::AssertMalformedCustom { .. } => {
                Err("unsupported directive: assert_malformed_custom".into())
            }
            WastDirective::AssertException { exec, .. } => {
                let what = describe_exec(&exec);
                match self.execute(exec) {
                    Ok(v) => Err(format!(
                        "{what}: expected an uncaught exception, got {}",
                        fmt_vals(&v)
                    )),
                    Err(ExecError::Trap(t)) if t.exception().is_some() => Ok(()),
                    Err(ExecError::Trap(t)) => Err(format!(
                        "{what}: expected an uncaught exception, got trap: {t}"
                    )),
                    Err(ExecError::Other(s)) => Err(format!("{what}: {s}")),
                }
            }
            WastDirective::AssertSuspension { .. } => {
                Err("unsupported directive: assert_suspension".into())
            }
            WastDirective::Thread(_) => Err("unsupported directive: thread".into()),
            WastDirective::Wait { .. } => Err("unsupported directive: wait".into()),
        }
    }

    fn compile(&self, bytes: &[u8]) -> Result<Module, String> {
        Module::new(&self.engine, bytes).map_err(|e| format!("module failed to compile: {e}"))
    }

    fn set_current(&mut self, name: Option<Id<'_>>, instance: Instance) {
        if let Some(name) = name {
            self.instances.insert(name.name().to_string(), instance);
        }
        self.current = Some(instance);
    }

    fn instance(&self, name: Option<Id<'_>>) -> Result<Instance, String> {
        match name {
            Some(id) => self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown module `${}`", id.name())),
            None => self
                .current
                .ok_or_else(|| "no module has been instantiated yet".to_string()),
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, ExecError> {
        let instance = self.instance(invoke.module)?;
        let func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| format!("no exported function `{}`", invoke.name))?;
        let args = invoke
            .args
            .iter()
            .map(arg_val)
            .collect::<Result<Vec<_>, _>>()?;
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        func.call(&mut self.store, &args, &mut results)
            .map_err(ExecError::Trap)?;
        Ok(results)
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, ExecError> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(mut wat) => {
                let bytes = encode_wat(&mut wat)?;
                let module = self.compile(&bytes)?;
                match self.linker.instantiate(&mut self.store, &module) {
                    Ok(_) => Ok(Vec::new()),
                    Err(InstantiateError::Trap(t)) => Err(ExecError::Trap(t)),
                    Err(e @ InstantiateError::Link(_)) => {
                        Err(ExecError::Other(format!("link error: {e}")))
                    }
                }
            }
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                let g = instance
                    .get_global(&self.store, global)
                    .ok_or_else(|| format!("no exported global `{global}`"))?;
                Ok(vec![g.get(&self.store)])
            }
        }
    }

    fn expect_trap(&mut self, exec: WastExecute<'_>, expected: &str) -> Result<(), String> {
        match self.execute(exec) {
            Ok(values) if values.is_empty() => Err(format!(
                "expected trap \"{expected}\", but it completed normally"
            )),
            Ok(values) => Err(format!(
                "expected trap \"{expected}\", got {}",
                fmt_vals(&values)
            )),
            Err(ExecError::Trap(t)) => {
                let ours = t.to_string();
                let main = match t.code() {
                    Some(code) => code.message(),
                    None => main_part(&ours),
                };
                if trap_matches(&ours, main, expected) {
                    Ok(())
                } else {
                    Err(format!("expected trap \"{expected}\", got trap \"{ours}\""))
                }
            }
            Err(ExecError::Other(s)) => Err(s),
        }
    }
}

fn instantiate_failure(e: &InstantiateError) -> String {
    match e {
        InstantiateError::Link(_) => format!("module failed to link: {e}"),
        InstantiateError::Trap(_) => format!("module instantiation trapped: {e}"),
    }
}

fn encode(module: &mut QuoteWat<'_>) -> Result<Vec<u8>, String> {
    match module {
        QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)) => {
            Err("unsupported directive: component model".into())
        }
        _ => module
            .encode()
            .map_err(|e| format!("failed to encode module text: {}", e.message())),
    }
}

fn encode_wat(wat: &mut Wat<'_>) -> Result<Vec<u8>, String> {
    match wat {
        Wat::Component(_) => Err("unsupported directive: component model".into()),
        Wat::Module(_) => wat
            .encode()
            .map_err(|e| format!("failed to encode module text: {}", e.message())),
    }
}

fn describe_exec(exec: &WastExecute<'_>) -> String {
    match exec {
        WastExecute::Invoke(i) => describe_exec_invoke(i),
        WastExecute::Wat(_) => "module instantiation".to_string(),
        WastExecute::Get { module, global, .. } => match module {
            Some(m) => format!("get ${} \"{global}\"", m.name()),
            None => format!("get \"{global}\""),
        },
    }
}

fn describe_exec_invoke(i: &WastInvoke<'_>) -> String {
    match i.module {
        Some(m) => format!("invoke ${} \"{}\"", m.name(), i.name),
        None => format!("invoke \"{}\"", i.name),
    }
}

fn fmt_vals(values: &[Val]) -> String {
    let parts: Vec<String> = values.iter().map(|v| DebugVal(v).to_string()).collect();
    format!("[{}]", parts.join(", "))
}

// ---------------------------------------------------------------------------
// Values

fn arg_val(arg: &WastArg<'_>) -> Result<Val, ExecError> {
    let core = match arg {
        WastArg::Core(core) => core,
        _ => {
            return Err("unsupported argument: component-model value"
                .to_string()
                .into());
        }
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(F32::from_bits(v.bits)),
        WastArgCore::F64(v) => Val::F64(F64::from_bits(v.bits)),
        WastArgCore::RefNull(ht) => match null_kind(ht) {
            Some(ValType::FuncRef) => Val::FuncRef(None),
            Some(ValType::ExternRef) => Val::ExternRef(None),
            Some(ValType::ExnRef) => Val::ExnRef(None),
            _ => return Err(format!("unsupported argument: ref.null {ht:?}").into()),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(kpio_wasm::ExternRef::new(*n))),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefHost(_) => {
            return Err("unsupported argument: ref.host".to_string().into());
        }
    })
}

/// The reference type of a `ref.null` heap type, if it is one we support (a defined
/// type is a function type: without GC there are no others).
fn null_kind(ht: &HeapType<'_>) -> Option<ValType> {
    match ht {
        HeapType::Concrete(_) => Some(ValType::FuncRef),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func | AbstractHeapType::NoFunc,
        } => Some(ValType::FuncRef),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
        } => Some(ValType::ExternRef),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Exn | AbstractHeapType::NoExn,
        } => Some(ValType::ExnRef),
        _ => None,
    }
}

fn check_results(actual: &[Val], expected: &[WastRet<'_>]) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!(
            "expected {} result(s), got {}: {}",
            expected.len(),
            actual.len(),
            fmt_vals(actual)
        ));
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let e = match e {
            WastRet::Core(core) => core,
            _ => return Err("unsupported expected value: component-model value".into()),
        };
        match ret_matches(a, e) {
            Ok(true) => {}
            Ok(false) => {
                return Err(format!(
                    "result {i}: expected {}, got {}",
                    describe_ret(e),
                    DebugVal(a)
                ));
            }
            Err(msg) => return Err(msg),
        }
    }
    Ok(())
}

/// Whether `actual` matches the expectation; `Err` for expectations outside
/// what this engine supports (v128, GC references).
fn ret_matches(actual: &Val, expected: &WastRetCore<'_>) -> Result<bool, String> {
    Ok(match (expected, actual) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(p), Val::F32(a)) => f32_matches(p, a.to_bits()),
        (WastRetCore::F64(p), Val::F64(a)) => f64_matches(p, a.to_bits()),
        (WastRetCore::RefNull(ht), Val::FuncRef(r)) => {
            r.is_none()
                && ht
                    .as_ref()
                    .is_none_or(|ht| null_kind(ht) == Some(ValType::FuncRef))
        }
        (WastRetCore::RefNull(ht), Val::ExternRef(r)) => {
            r.is_none()
                && ht
                    .as_ref()
                    .is_none_or(|ht| null_kind(ht) == Some(ValType::ExternRef))
        }
        (WastRetCore::RefNull(ht), Val::ExnRef(r)) => {
            r.is_none()
                && ht
                    .as_ref()
                    .is_none_or(|ht| null_kind(ht) == Some(ValType::ExnRef))
        }
        (WastRetCore::RefFunc(_), Val::FuncRef(r)) => r.is_some(),
        (WastRetCore::RefExtern(e), Val::ExternRef(r)) => match (e, r) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(n), Some(r)) => r.get() == *n,
        },
        (WastRetCore::Either(options), _) => {
            for option in options {
                if ret_matches(actual, option)? {
                    return Ok(true);
                }
            }
            false
        }
        (WastRetCore::V128(p), Val::V128(a)) => v128_matches(p, *a),
        (
            WastRetCore::RefHost(_)
            | WastRetCore::RefAny
            | WastRetCore::RefEq
            | WastRetCore::RefArray
            | WastRetCore::RefStruct
            | WastRetCore::RefI31
            | WastRetCore::RefI31Shared,
            _,
        ) => {
            return Err(format!(
                "unsupported expected value: {}",
                describe_ret(expected)
            ));
        }
        // Type mismatch between expectation and actual value.
        _ => false,
    })
}

/// A `v128` expectation, lane by lane (float lanes may be NaN patterns).
fn v128_matches(p: &::wast::core::V128Pattern, v: u128) -> bool {
    use ::wast::core::V128Pattern as P;
    let b = v.to_le_bytes();
    let lane = |i: usize, n: usize| {
        let mut x = [0u8; 8];
        x[..n].copy_from_slice(&b[i * n..i * n + n]);
        u64::from_le_bytes(x)
    };
    match p {
        P::I8x16(e) => e
            .iter()
            .enumerate()
            .all(|(i, e)| *e as u8 as u64 == lane(i, 1)),
        P::I16x8(e) => e
            .iter()
            .enumerate()
            .all(|(i, e)| *e as u16 as u64 == lane(i, 2)),
        P::I32x4(e) => e
            .iter()
            .enumerate()
            .all(|(i, e)| *e as u32 as u64 == lane(i, 4)),
        P::I64x2(e) => e.iter().enumerate().all(|(i, e)| *e as u64 == lane(i, 8)),
        P::F32x4(e) => e
            .iter()
            .enumerate()
            .all(|(i, e)| f32_matches(e, lane(i, 4) as u32)),
        P::F64x2(e) => e
            .iter()
            .enumerate()
            .all(|(i, e)| f64_matches(e, lane(i, 8))),
    }
}

fn f32_matches(p: &NanPattern<::wast::token::F32>, bits: u32) -> bool {
    match p {
        NanPattern::Value(v) => v.bits == bits,
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
    }
}

fn f64_matches(p: &NanPattern<::wast::token::F64>, bits: u64) -> bool {
    match p {
        NanPattern::Value(v) => v.bits == bits,
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
    }
}

fn describe_ret(e: &WastRetCore<'_>) -> String {
    fn nan<T>(p: &NanPattern<T>, ty: &str, val: impl Fn(&T) -> String) -> String {
        match p {
            NanPattern::CanonicalNan => format!("{ty} nan:canonical"),
            NanPattern::ArithmeticNan => format!("{ty} nan:arithmetic"),
            NanPattern::Value(v) => format!("{ty} {}", val(v)),
        }
    }
    match e {
        WastRetCore::I32(v) => format!("i32 {v} ({:#x})", *v as u32),
        WastRetCore::I64(v) => format!("i64 {v} ({:#x})", *v as u64),
        WastRetCore::F32(p) => nan(p, "f32", |v| {
            format!("{} ({:#010x})", f32::from_bits(v.bits), v.bits)
        }),
        WastRetCore::F64(p) => nan(p, "f64", |v| {
            format!("{} ({:#018x})", f64::from_bits(v.bits), v.bits)
        }),
        WastRetCore::V128(p) => format!("v128 {p:?}"),
        WastRetCore::RefNull(Some(ht)) => match null_kind(ht) {
            Some(ValType::FuncRef) => "ref.null func".into(),
            Some(ValType::ExternRef) => "ref.null extern".into(),
            Some(ValType::ExnRef) => "ref.null exn".into(),
            _ => format!("ref.null {ht:?}"),
        },
        WastRetCore::RefNull(None) => "ref.null".into(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefExtern(None) => "ref.extern".into(),
        WastRetCore::RefHost(n) => format!("ref.host {n}"),
        WastRetCore::RefFunc(_) => "ref.func".into(),
        WastRetCore::RefAny => "ref.any".into(),
        WastRetCore::RefEq => "ref.eq".into(),
        WastRetCore::RefArray => "ref.array".into(),
        WastRetCore::RefStruct => "ref.struct".into(),
        WastRetCore::RefI31 => "ref.i31".into(),
        WastRetCore::RefI31Shared => "ref.i31_shared".into(),
        WastRetCore::Either(options) => {
            let parts: Vec<String> = options.iter().map(describe_ret).collect();
            format!("either({})", parts.join(" | "))
        }
    }
}

// ---------------------------------------------------------------------------
// The `spectest` host module

/// Defines the `spectest` module the spec scripts import from.
fn define_spectest(store: &mut Store<()>, linker: &mut Linker<()>, verbose: bool) {
    use ValType::{F32 as TF32, F64 as TF64, I32 as TI32, I64 as TI64};
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[TI32]),
        ("print_i64", &[TI64]),
        ("print_f32", &[TF32]),
        ("print_f64", &[TF64]),
        ("print_i32_f32", &[TI32, TF32]),
        ("print_f64_f64", &[TF64, TF64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().cloned(), []);
        let func = kpio_wasm::Func::new(
            store,
            ty,
            move |_caller: Caller<'_, ()>, args: &[Val], _results: &mut [Val]| {
                if verbose {
                    let parts: Vec<String> = args
                        .iter()
                        .map(|a| {
                            let ty = a.ty();
                            format!("{} : {ty}", crate::values::DisplayVal(a))
                        })
                        .collect();
                    println!("{}", parts.join(" "));
                }
                Ok(())
            },
        );
        linker.define("spectest", name, func);
    }

    let globals = [
        ("global_i32", TI32, Val::I32(666)),
        ("global_i64", TI64, Val::I64(666)),
        ("global_f32", TF32, Val::F32(F32::from(666.6f32))),
        ("global_f64", TF64, Val::F64(F64::from(666.6f64))),
    ];
    for (name, ty, val) in globals {
        let g = Global::new(store, GlobalType::new(ty, Mutability::Const), val)
            .expect("spectest global");
        linker.define("spectest", name, g);
    }

    let table = Table::new(
        store,
        TableType::new(RefType::FuncRef, 10, Some(20)),
        Val::FuncRef(None),
    )
    .expect("spectest table");
    linker.define("spectest", "table", table);
    // The 64-bit twin the spec interpreter's spectest has had since memory64 (table64).
    let table64 = Table::new(
        store,
        TableType::new64(RefType::FuncRef, 10, Some(20)),
        Val::FuncRef(None),
    )
    .expect("spectest table64");
    linker.define("spectest", "table64", table64);

    let memory = Memory::new(store, MemoryType::new(1, Some(2))).expect("spectest memory");
    linker.define("spectest", "memory", memory);
}

#[cfg(test)]
mod tests {
    use super::{catch_panics, install_panic_hook, main_part, trap_matches};

    #[test]
    fn panics_become_failures() {
        install_panic_hook();
        let r = catch_panics(|| panic!("boom {}", 42));
        let msg = r.unwrap_err();
        assert!(msg.starts_with("engine panicked: boom 42 (at "), "{msg}");
        assert!(msg.contains("wast.rs"), "{msg}");
        assert_eq!(catch_panics(|| Err("x".into())), Err("x".to_string()));
        assert_eq!(catch_panics(|| Ok(())), Ok(()));
    }

    fn m(ours: &str, expected: &str) -> bool {
        trap_matches(ours, main_part(ours), expected)
    }

    #[test]
    fn trap_matching() {
        assert!(m("integer divide by zero", "integer divide by zero"));
        assert!(m(
            "out of bounds memory access in function 3 at offset 0x40",
            "out of bounds memory access"
        ));
        assert!(m(
            "uninitialized element in function 2 `f` at offset 0x1",
            "uninitialized element 2"
        ));
        assert!(m(
            "uninitialized element: index 7",
            "uninitialized element 2"
        ));
        assert!(m("unreachable executed", "unreachable"));
        assert!(!m("integer overflow", "integer divide by zero"));
        assert!(!m("integer divide by zero", "integer overflow"));
        assert!(!m("undefined element", "uninitialized element"));
        assert!(!m("", "unreachable"));
        assert!(trap_matches(
            "uninitialized element in function 0",
            "uninitialized element",
            "uninitialized element 2"
        ));
    }
}

//! Running installed apps on the kernel, as the hosted launcher (`kpio-pkg`'s `launch.rs`)
//! does: the app's entry module runs `_start` with WASI preview 1 (its data directory as
//! `/`, as its `filesystem` permission allows), the kpio host APIs (permission-checked),
//! its memory capped by its permissions and its store under the app budget
//! (`kpio_app::budget`), always interruptible so it can be stopped.
//!
//! Each launch is one kernel thread; a run that fails is restarted by the lifecycle's
//! policy (`kpio_app::Lifecycle`, shared by all apps), after its backoff, until it gives up.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use kpio_app::{AppDescriptor, AppInstanceId, Lifecycle, RestartDecision, RestartPolicy};
use kpio_host::{Cancel, GuiBackend, HostCtx};
use kpio_vfs::Backend;
use kpio_wasi::WasiCtxBuilder;
use kpio_wasm::{
    Config, Engine, InstantiateError, InterruptHandle, Linker, Module, Store, TrapCode,
};
use spin::Mutex;

use crate::home::Home;
use crate::services::{CpuRandom, KernelClock, KernelSystem, SerialLog, boxed_stdio};

/// The lifecycle of every app instance on this kernel.
static LIFECYCLE: Mutex<Option<Lifecycle>> = Mutex::new(None);

fn lifecycle<R>(f: impl FnOnce(&mut Lifecycle) -> R) -> R {
    let mut l = LIFECYCLE.lock();
    f(l.get_or_insert_with(|| Lifecycle::new(RestartPolicy::default())))
}

/// How one run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    Exited(i32),
    Trapped(String),
    Stopped,
}

/// Why an app could not be launched at all.
#[derive(Debug)]
pub enum LaunchError {
    NotInstalled(String, kpio_app::AppError),
    Read {
        app: String,
        path: String,
        error: kpio_vfs::VfsError,
    },
    Invalid {
        app: String,
        error: kpio_wasm::ModuleError,
    },
}

impl core::fmt::Display for LaunchError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LaunchError::NotInstalled(key, e) => write!(f, "no installed app `{key}`: {e}"),
            LaunchError::Read { app, path, error } => {
                write!(f, "{app}: cannot read its module {path}: {error}")
            }
            LaunchError::Invalid { app, error } => write!(f, "{app}: invalid module: {error}"),
        }
    }
}

/// An app ready to run: its descriptor and its validated module.
pub struct Prepared {
    pub desc: AppDescriptor,
    engine: Engine,
    module: Module,
}

/// Finds the app (by id, name or number, as `kpio run` does) and validates its module.
pub fn prepare(home: &mut Home, key: &str) -> Result<Prepared, LaunchError> {
    let desc = home
        .registry
        .find(key)
        .map_err(|e| LaunchError::NotInstalled(key.to_string(), e))?
        .clone();
    let path = format!("{}/{}", desc.install_path.trim_matches('/'), desc.entry);
    let bytes = home.read(&path).map_err(|error| LaunchError::Read {
        app: desc.app_id.clone(),
        path: path.clone(),
        error,
    })?;
    let mut config = desc.permissions.engine_config(Config::default());
    config.interruptible = true;
    // The native tier takes its pages from the kernel (W^X through the page tables); if it
    // cannot be set up, the app is interpreted.
    let engine = match Engine::with_code_pages(
        config.clone(),
        alloc::sync::Arc::new(crate::code_pages::KernelPages),
    ) {
        Ok(e) => e,
        Err(e) => {
            crate::println!(
                "kpio: {}: no native tier ({e:?}); interpreting",
                desc.app_id
            );
            Engine::new(config)
        }
    };
    let module = Module::new(&engine, &bytes).map_err(|error| LaunchError::Invalid {
        app: desc.app_id.clone(),
        error,
    })?;
    Ok(Prepared {
        desc,
        engine,
        module,
    })
}

/// What a launcher adds to each run: the `kpio_gui` backend (the desktop gives its
/// windows; boot apps get none), and what to do when the run ends.
pub trait RunHooks {
    fn gui(&self, inst: AppInstanceId, cancel: Cancel) -> Option<Box<dyn GuiBackend>>;
    fn started(&self, _inst: AppInstanceId, _stop: InterruptHandle) {}
    fn ended(&self, _inst: AppInstanceId, _end: &RunEnd) {}
}

/// Boot apps: no windows.
pub struct NoGui;

impl RunHooks for NoGui {
    fn gui(&self, _: AppInstanceId, _: Cancel) -> Option<Box<dyn GuiBackend>> {
        None
    }
}

/// The WASI and host-API state of one run.
pub struct AppCtx {
    pub wasi: kpio_wasi::WasiCtx,
    pub host: HostCtx,
}

/// Runs still going: each instance and its stop handle (`terminate`, the desktop's close
/// deadline).
static RUNNING: Mutex<Vec<(AppInstanceId, InterruptHandle)>> = Mutex::new(Vec::new());

/// Launches, by their first instance: how the last run ended, once it has.
type LaunchEnd = Arc<Mutex<Option<RunEnd>>>;
static LAUNCHES: Mutex<Vec<(AppInstanceId, LaunchEnd)>> = Mutex::new(Vec::new());

/// Stops a running instance (its store's interrupt; a sleeping or waiting guest wakes).
pub fn stop(inst: AppInstanceId) -> bool {
    let running = RUNNING.lock();
    let found = running.iter().find(|(i, _)| *i == inst);
    if let Some((_, stop)) = found {
        stop.interrupt();
    }
    found.is_some()
}

/// How the launch whose first instance is `first` ended: `None` while it runs (or if no
/// such launch was made).
pub fn launch_end(first: AppInstanceId) -> Option<RunEnd> {
    let slot = LAUNCHES
        .lock()
        .iter()
        .find(|(i, _)| *i == first)
        .map(|(_, e)| e.clone())?;
    slot.lock().clone()
}

/// Starts the app on its own kernel thread, runs it until it exits for good (restarts
/// after failures as the lifecycle's policy says), and returns its first instance at once.
/// `hooks` gives each run its windows and hears when it starts and ends.
pub fn start(
    app: Prepared,
    backend: Arc<dyn Backend>,
    args: Vec<String>,
    rng: crate::random::Source,
    hooks: Box<dyn RunHooks + Send>,
) -> Result<AppInstanceId, kpio_app::AppError> {
    let id = app.desc.id;
    lifecycle(|l| l.reset(id));
    let first = lifecycle(|l| l.launch(id))?;
    let end: LaunchEnd = Arc::new(Mutex::new(None));
    LAUNCHES.lock().push((first, end.clone()));
    let name = app.desc.app_id.clone();
    crate::sched::spawn(&name, move || {
        let last = run(&app, backend, &args, rng, &*hooks, first);
        let stats = app.engine.jit_stats();
        if stats.compiled > 0 || stats.refused > 0 {
            crate::println!(
                "kpio: {}: native tier: {} functions compiled ({} bytes of code, {} loop entries), {} refused",
                app.desc.app_id,
                stats.compiled,
                stats.code_bytes,
                stats.osr_entries,
                stats.refused
            );
        }
        *end.lock() = Some(last);
    });
    Ok(first)
}

/// The restart loop of one launch, from its first instance; returns how the last run ended.
fn run(
    app: &Prepared,
    backend: Arc<dyn Backend>,
    args: &[String],
    rng: crate::random::Source,
    hooks: &dyn RunHooks,
    first: AppInstanceId,
) -> RunEnd {
    let id = app.desc.id;
    let mut next = Some(first);
    loop {
        let inst = match next.take().map_or_else(|| lifecycle(|l| l.launch(id)), Ok) {
            Ok(inst) => inst,
            Err(e) => return RunEnd::Trapped(e.to_string()),
        };
        let end = run_once(app, backend.clone(), args, rng, inst, hooks);
        RUNNING.lock().retain(|(i, _)| *i != inst);
        hooks.ended(inst, &end);
        let recorded = lifecycle(|l| match &end {
            RunEnd::Exited(code) => l.exited(inst, *code),
            RunEnd::Trapped(why) => l.trapped(inst, why.clone()),
            RunEnd::Stopped => l.terminate(inst),
        });
        if let Err(e) = recorded {
            crate::println!("kpio: {}: lifecycle: {e}", app.desc.app_id);
        }
        if matches!(end, RunEnd::Exited(0) | RunEnd::Stopped) {
            return end;
        }
        let now = crate::clock::monotonic_ms();
        match lifecycle(|l| l.on_failure(inst, now)) {
            Ok(RestartDecision::RestartAt(at)) => {
                crate::println!(
                    "kpio: {} failed; restarting in {} ms",
                    app.desc.app_id,
                    at.saturating_sub(now)
                );
                crate::sched::sleep_ms(at.saturating_sub(now));
            }
            Ok(RestartDecision::GiveUp) | Err(_) => {
                crate::println!("kpio: {} failed; not restarted again", app.desc.app_id);
                return end;
            }
        }
    }
}

fn run_once(
    app: &Prepared,
    backend: Arc<dyn Backend>,
    args: &[String],
    rng: crate::random::Source,
    inst: AppInstanceId,
    hooks: &dyn RunHooks,
) -> RunEnd {
    let desc = &app.desc;
    let vfs = match desc.permissions.app_vfs(backend, &desc.data_path) {
        Ok(v) => v,
        Err(e) => return RunEnd::Trapped(format!("its data directory: {e}")),
    };
    let (stdin, stdout, stderr) = boxed_stdio();
    let setup = |store: Option<&Store<AppCtx>>| {
        let stop = store.map(|s| s.interrupt_handle());
        WasiCtxBuilder::new()
            .arg(desc.name.as_str())
            .args(args.iter().cloned())
            .env("KPIO_APP_ID", desc.app_id.as_str())
            .vfs(vfs)
            .stdin(stdin)
            .stdout(stdout)
            .stderr(stderr)
            .clock(alloc::boxed::Box::new(KernelClock { stop }))
            .random(alloc::boxed::Box::new(CpuRandom(rng)))
            .build()
    };
    // The host context and the clock need the store's interrupt handle, so the store
    // starts with placeholder contexts that are replaced before anything runs.
    let placeholder = |what: &str| RunEnd::Trapped(format!("cannot set up {what}"));
    let Ok(host) = HostCtx::builder(desc.app_id.as_str())
        .system(alloc::boxed::Box::new(KernelSystem))
        .build()
    else {
        return placeholder("the kpio host APIs");
    };
    let Ok(wasi) = WasiCtxBuilder::new()
        .clock(alloc::boxed::Box::new(KernelClock { stop: None }))
        .random(alloc::boxed::Box::new(CpuRandom(rng)))
        .build()
    else {
        return placeholder("WASI");
    };
    let mut store = Store::new(&app.engine, AppCtx { wasi, host });
    let handle = store.interrupt_handle();
    match setup(Some(&store)) {
        Ok(w) => store.data_mut().wasi = w,
        Err(e) => return RunEnd::Trapped(format!("WASI: {e}")),
    }
    let cancel = Cancel::from(handle.clone());
    let mut builder = HostCtx::builder(desc.app_id.as_str());
    if let Some(gui) = hooks.gui(inst, cancel.clone()) {
        builder = builder.gui(gui);
    }
    match builder
        .instance_id(inst)
        .permissions(desc.permissions.clone())
        .system(alloc::boxed::Box::new(KernelSystem))
        .log(alloc::boxed::Box::new(SerialLog))
        .cancel(cancel)
        .build()
    {
        Ok(h) => store.data_mut().host = h,
        Err(e) => return RunEnd::Trapped(format!("the kpio host APIs: {e}")),
    }
    let budget = desc.permissions.memory_budget(app.engine.config());
    store.set_limits(kpio_app::budget::store_limits(budget, app.engine.config()));
    RUNNING.lock().push((inst, handle.clone()));
    hooks.started(inst, handle);
    let mut linker = Linker::<AppCtx>::new();
    kpio_wasi::add_to_linker(&mut linker, &mut store, |cx| &mut cx.wasi);
    kpio_host::add_to_linker(&mut linker, &mut store, |cx| &mut cx.host);
    let instance = match linker.instantiate(&mut store, &app.module) {
        Ok(i) => i,
        Err(InstantiateError::Link(e)) => return RunEnd::Trapped(format!("link: {e}")),
        Err(InstantiateError::Trap(t)) => return trap_end(t),
    };
    let _ = lifecycle(|l| l.running(inst));
    let Some(start) = instance.get_func(&store, "_start") else {
        return RunEnd::Trapped(String::from("the module exports no `_start` function"));
    };
    match start.call(&mut store, &[], &mut []) {
        Ok(()) => RunEnd::Exited(0),
        Err(t) => trap_end(t),
    }
}

fn trap_end(t: kpio_wasm::Trap) -> RunEnd {
    if let Some(code) = t.exit_code() {
        return RunEnd::Exited(code);
    }
    if t.code() == Some(TrapCode::Interrupted) {
        return RunEnd::Stopped;
    }
    RunEnd::Trapped(t.to_string())
}

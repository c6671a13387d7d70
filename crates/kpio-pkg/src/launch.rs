//! Running apps: [`AppManager::launch`] for installed apps, [`run_package`] for a package
//! that is not installed.
//!
//! An app runs its entry module's `_start` on KPIO's engine with WASI preview 1:
//! - `argv` is `[name, args…]` (the display name, then the caller's arguments);
//! - the environment is `KPIO_APP_ID={app_id}`;
//! - its data directory `apps/data/{app_id}/data/` is the preopen `/`, read-only or
//!   read-write as its `filesystem` permission says, and absent with `filesystem = "none"`
//!   ([`Permissions::app_vfs`](kpio_app::Permissions::app_vfs)); an app can reach nothing
//!   else, in particular no other app's files and not its own code;
//! - its linear memory is capped by its `memory_limit_pages` permission
//!   ([`Permissions::engine_config`](kpio_app::Permissions::engine_config)): growing past
//!   it returns -1, and a module that needs more to start cannot be instantiated.
//!
//! Each run is an instance in the manager's [`Lifecycle`](kpio_app::Lifecycle): exit code 0
//! → `Terminated`, another code or a trap → `Failed`, after which the lifecycle's restart
//! policy decides (by default 3 restarts after 100, 200 and 400 ms, waited through
//! [`Platform::sleep_ms`]; then the app stays `Failed`).
//! A user's launch resets a given-up app first. Failing to link (an import KPIO does not
//! provide) is not restarted: no run could succeed.
//!
//! # Runaway guards
//!
//! Every app runs interruptible, so it can be stopped ([`RunControl`]) and timed out, and
//! under a store budget ([`app_store_limits`]): its memory limit (or the engine's) counts
//! all its memories together, and its tables and value stack have fixed budgets, so a
//! small package cannot reach gigabytes. [`RunLimits`] (`kpio run --fuel/--timeout/
//! --max-memory`) adds fuel, a wall-clock timeout per run, and a lower memory cap (the
//! pieces live in [`crate::guards`], shared with `kpio run FILE.wasm`). A timed-out or
//! stopped app is not restarted.
//!
//! # Launching without holding the platform
//!
//! [`AppManager::launch`] is [`AppManager::prepare_launch`] (registry work: read and
//! validate the module, commit `last_launched`) then [`AppManager::run_prepared`] (the
//! app's code; no registry access). A hosted caller holds its lock only around the first.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kpio_app::{
    AppDescriptor, AppInstanceId, AppState, AppType, KernelAppId, Permissions, RestartDecision,
};
use kpio_vfs::{Backend, ManualClock, MemoryFs, MemoryLimits};
use kpio_wasi::WasiCtxBuilder;
use kpio_wasm::{Engine, InstantiateError, Linker, Module, Store, StoreLimits, TrapCode};

use crate::code_cache::CodeCacheUse;
use crate::error::PkgError;
use crate::fsutil::{create_dir_all, join, read_file, write_new_file};
use crate::guards::{Interruption, RunControl, RunLimits};
use crate::host_apis::{AppCtx, DefaultHostApis, HostApis, HostRun};
use crate::install::AppManager;
use crate::package::Package;
use crate::platform::{Platform, Stdio};
use kpio_host::{Cancel, HostCtx};

/// How one run of an app ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// `_start` returned (0) or the app called `proc_exit`.
    Exited(i32),
    /// The app trapped; the text says why (`all fuel consumed` when its fuel ran out).
    Trapped(String),
    /// [`RunLimits::timeout`] passed and the app was interrupted.
    TimedOut(Duration),
    /// [`RunControl::stop`] interrupted the app (`kpio kill`, an uninstall).
    Stopped,
}

impl RunEnd {
    /// The exit code, if it exited.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            RunEnd::Exited(c) => Some(*c),
            _ => None,
        }
    }

    /// Exited with code 0.
    pub fn is_success(&self) -> bool {
        *self == RunEnd::Exited(0)
    }
}

/// What a launch did: one run per instance, restarts included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    pub app: KernelAppId,
    /// Every instance started, in order, with how it ended.
    pub runs: Vec<(AppInstanceId, RunEnd)>,
    /// The app's lifecycle state afterwards: `Registered` after a clean end, `Failed` once
    /// the restart policy gave up.
    pub state: AppState,
}

impl RunOutcome {
    /// How the last run ended.
    pub fn last(&self) -> &RunEnd {
        &self.runs.last().expect("a launch runs at least once").1
    }

    /// Number of restarts (runs after the first).
    pub fn restarts(&self) -> usize {
        self.runs.len().saturating_sub(1)
    }
}

/// The store budget of an app: its permission's memory limit (or the engine's per-memory
/// maximum) for all its memories together, lowered by `limits.max_memory`, plus the fixed
/// table and value-stack budgets of [`RunLimits::store_limits`].
pub fn app_store_limits(
    perms: &Permissions,
    config: &kpio_wasm::Config,
    limits: &RunLimits,
) -> StoreLimits {
    let pages = perms
        .memory_limit_pages
        .map_or(config.max_memory_pages, |p| p.min(config.max_memory_pages));
    limits.store_limits(pages, config)
}

/// The engine configuration an app runs with: its permissions' memory cap, fuel metering
/// when asked, and always interruptible (so it can be stopped and timed out).
fn app_engine_config(
    perms: &Permissions,
    base: kpio_wasm::Config,
    limits: &RunLimits,
) -> kpio_wasm::Config {
    limits.engine_config(perms.engine_config(base), true)
}

/// One run of `module` with the app's WASI context.
struct RunSpec<'a> {
    app: &'a str,
    name: &'a str,
    args: &'a [String],
    backend: Arc<dyn Backend>,
    desc_perms: &'a kpio_app::Permissions,
    data_path: &'a str,
    limits: RunLimits,
    store_limits: StoreLimits,
}

#[allow(clippy::too_many_arguments)]
fn run_once(
    spec: &RunSpec<'_>,
    engine: &Engine,
    module: &Module,
    stdio: &Stdio,
    platform: &dyn Platform,
    control: &RunControl,
    host: (&dyn HostApis, AppInstanceId),
    mut on_running: impl FnMut() -> Result<(), PkgError>,
) -> Result<RunEnd, PkgError> {
    let vfs = spec
        .desc_perms
        .app_vfs(Arc::clone(&spec.backend), spec.data_path)?;
    let (stdin, stdout, stderr) = stdio.streams();
    let mut guard = control.begin();
    let ctx = WasiCtxBuilder::new()
        .arg(spec.name)
        .args(spec.args.iter().cloned())
        .env("KPIO_APP_ID", spec.app)
        .vfs(vfs)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        .clock(guard.clock(platform.wasi_clock()))
        .random(platform.random())
        .build()
        .map_err(|e| PkgError::Wasi {
            app: spec.app.to_string(),
            error: e.to_string(),
        })?;
    let (apis, instance) = host;
    let run = |cancel| HostRun {
        app_id: spec.app,
        name: spec.name,
        instance,
        cancel,
        platform,
    };
    let host_error = |e: kpio_host::HostCtxError| PkgError::Wasi {
        app: spec.app.to_string(),
        error: format!("cannot set up the kpio host APIs: {e}"),
    };
    // The host context needs the store's interrupt handle (its cancel flag), so the store
    // starts with a context without backends that is replaced before anything runs.
    let placeholder = HostCtx::builder(spec.app).build().map_err(host_error)?;
    let mut store = Store::new(
        engine,
        AppCtx {
            wasi: ctx,
            host: placeholder,
        },
    );
    let cancel = Cancel::from(store.interrupt_handle());
    store.data_mut().host = apis
        .context(&run(cancel.clone()))
        .instance_id(instance)
        .permissions(spec.desc_perms.clone())
        .cancel(cancel)
        .build()
        .map_err(host_error)?;
    spec.limits.apply(&mut store, spec.store_limits);
    guard.arm(store.interrupt_handle(), spec.limits.timeout);
    let result = run_store(spec, module, &mut store, &mut on_running)?;
    // A run that was interrupted ends as such however the guest ended (see crate::guards).
    Ok(match guard.interrupted() {
        Some(Interruption::TimedOut(d)) => RunEnd::TimedOut(d),
        Some(Interruption::Stopped) => RunEnd::Stopped,
        None => match result {
            Err(t) if t.code() == Some(TrapCode::Interrupted) => RunEnd::Stopped,
            Err(t) => match t.exit_code() {
                Some(c) => RunEnd::Exited(c),
                None => RunEnd::Trapped(t.to_string()),
            },
            Ok(end) => end,
        },
    })
}

/// Instantiates and runs `_start`: the run's end, or the trap that ended it (mapped by the
/// caller, which knows whether an interrupt was a timeout or a stop).
fn run_store(
    spec: &RunSpec<'_>,
    module: &Module,
    store: &mut Store<AppCtx>,
    on_running: &mut dyn FnMut() -> Result<(), PkgError>,
) -> Result<Result<RunEnd, kpio_wasm::Trap>, PkgError> {
    let mut linker = Linker::<AppCtx>::new();
    kpio_wasi::add_to_linker(&mut linker, store, |cx| &mut cx.wasi);
    kpio_host::add_to_linker(&mut linker, store, |cx| &mut cx.host);
    let instance = match linker.instantiate(store, module) {
        Ok(i) => i,
        Err(InstantiateError::Link(e)) => {
            return Err(PkgError::Link {
                app: spec.app.to_string(),
                error: e.to_string(),
            });
        }
        Err(InstantiateError::Trap(t)) => {
            if t.exit_code().is_none() && t.code() != Some(TrapCode::Interrupted) {
                return Ok(Ok(RunEnd::Trapped(format!("during instantiation: {t}"))));
            }
            return Ok(Err(t));
        }
    };
    on_running()?;
    let Some(start) = instance.get_func(&*store, "_start") else {
        return Ok(Ok(RunEnd::Trapped(
            "the module exports no `_start` function".into(),
        )));
    };
    Ok(match start.call(store, &[], &mut []) {
        Ok(()) => Ok(RunEnd::Exited(0)),
        Err(t) => Err(t),
    })
}

/// An installed app ready to run: its descriptor, the engine and the validated entry
/// module. Made by [`AppManager::prepare_launch`] while the caller holds whatever keeps
/// other managers out; running it ([`AppManager::run_prepared`]) needs no registry access,
/// so a long-running app does not keep others from installing, listing or launching.
pub struct PreparedLaunch {
    pub(crate) desc: AppDescriptor,
    pub(crate) engine: Engine,
    pub(crate) module: Module,
    limits: RunLimits,
    code_cache: CodeCacheUse,
}

impl PreparedLaunch {
    /// What the launch found in the app's code cache (native code from earlier runs).
    pub fn code_cache(&self) -> &CodeCacheUse {
        &self.code_cache
    }

    /// The engine the app runs on (its statistic shows what the native tier did).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl std::fmt::Debug for PreparedLaunch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedLaunch")
            .field("app", &self.desc.app_id)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl PreparedLaunch {
    /// The app as registered when it was prepared (with the new `last_launched`).
    pub fn descriptor(&self) -> &AppDescriptor {
        &self.desc
    }
}

impl AppManager {
    /// Launches installed app `id` with `args` (see the module docs), waits for it to
    /// finish, restarting it as the restart policy says, and records `last_launched`
    /// (committed before it starts).
    pub fn launch(
        &mut self,
        id: KernelAppId,
        args: &[String],
        stdio: &Stdio,
    ) -> Result<RunOutcome, PkgError> {
        let prepared = self.prepare_launch(id, RunLimits::default())?;
        self.run_prepared(&prepared, args, stdio, &RunControl::new(), &mut || {})
    }

    /// The registry part of a launch: checks the app, reads and validates its entry
    /// module, loads its code cache, and commits `last_launched`. Nothing of the app runs
    /// yet.
    pub fn prepare_launch(
        &mut self,
        id: KernelAppId,
        limits: RunLimits,
    ) -> Result<PreparedLaunch, PkgError> {
        let mut prepared = self.prepare_module(id, limits)?;
        prepared.code_cache =
            self.load_code_cache(&prepared.desc.app_id, &prepared.engine, &prepared.module);
        let mut new_reg = self.registry.clone();
        let mut updated = prepared.desc.clone();
        updated.last_launched = Some(self.platform.now_ns());
        new_reg.update(updated.clone())?;
        new_reg.commit(&mut self.vfs, self.root)?;
        self.registry = new_reg;
        prepared.desc = updated;
        Ok(prepared)
    }

    /// App `id`'s descriptor, and its entry module read and validated on the engine it
    /// runs with under `limits`.
    pub(crate) fn prepare_module(
        &mut self,
        id: KernelAppId,
        limits: RunLimits,
    ) -> Result<PreparedLaunch, PkgError> {
        self.reload()?;
        let desc: AppDescriptor = self.info(id)?.clone();
        if desc.app_type != AppType::WasmApp {
            return Err(PkgError::Conflict {
                app: desc.app_id.clone(),
                reason: format!("it is a {}, not a .kpioapp app", desc.app_type),
            });
        }
        crate::install::check_layout(&desc)?;
        let entry = join(desc.install_path.trim_start_matches('/'), &desc.entry);
        let bytes = read_file(
            &mut self.vfs,
            self.root,
            &entry,
            self.limits.max_total_bytes,
        )
        .map_err(|e| match e {
            PkgError::Vfs { error, .. } => PkgError::Corrupt {
                path: entry.clone(),
                reason: format!("cannot read the entry module: {error}"),
            },
            other => other,
        })?;
        let engine = Engine::new(app_engine_config(
            &desc.permissions,
            self.engine_config.clone(),
            &limits,
        ));
        let module = Module::new(&engine, &bytes).map_err(|e| PkgError::Corrupt {
            path: entry.clone(),
            reason: e.to_string(),
        })?;
        Ok(PreparedLaunch {
            desc,
            engine,
            module,
            limits,
            code_cache: CodeCacheUse::Off,
        })
    }

    /// Runs a prepared app until it ends, restarting it as the restart policy says (not
    /// after a timeout or a stop). Touches only the app's data directory, its code cache
    /// (written at the end if the runs compiled anything new, see [`crate::code_cache`])
    /// and this manager's lifecycle, never the registry. `on_running` is called each time
    /// the app's code starts (after instantiation).
    pub fn run_prepared(
        &mut self,
        prepared: &PreparedLaunch,
        args: &[String],
        stdio: &Stdio,
        control: &RunControl,
        on_running: &mut dyn FnMut(),
    ) -> Result<RunOutcome, PkgError> {
        let desc = &prepared.desc;
        let id = desc.id;
        let store_limits = app_store_limits(
            &desc.permissions,
            prepared.engine.config(),
            &prepared.limits,
        );
        let spec = RunSpec {
            app: &desc.app_id,
            name: &desc.name,
            args,
            backend: Arc::clone(&self.backend),
            desc_perms: &desc.permissions,
            data_path: &desc.data_path,
            limits: prepared.limits,
            store_limits,
        };
        self.lifecycle.reset(id);
        let mut runs = Vec::new();
        loop {
            let inst = self.lifecycle.launch(id)?;
            let lifecycle = &mut self.lifecycle;
            let end = run_once(
                &spec,
                &prepared.engine,
                &prepared.module,
                stdio,
                &*self.platform,
                control,
                (&*self.host_apis, inst),
                || {
                    lifecycle.running(inst)?;
                    on_running();
                    Ok(())
                },
            );
            let ended = |end: &RunEnd| {
                self.host_apis.run_ended(
                    &HostRun {
                        app_id: &desc.app_id,
                        name: &desc.name,
                        instance: inst,
                        cancel: Cancel::never(),
                        platform: &*self.platform,
                    },
                    end,
                )
            };
            let end = match end {
                Ok(end) => end,
                Err(e) => {
                    ended(&RunEnd::Trapped(e.to_string()));
                    let _ = self.lifecycle.trapped(inst, e.to_string());
                    return Err(e);
                }
            };
            ended(&end);
            match &end {
                RunEnd::Exited(code) => self.lifecycle.exited(inst, *code)?,
                RunEnd::Trapped(why) => self.lifecycle.trapped(inst, why.clone())?,
                RunEnd::TimedOut(after) => self
                    .lifecycle
                    .trapped(inst, format!("timed out after {after:?}"))?,
                RunEnd::Stopped => self.lifecycle.terminate(inst)?,
            }
            let last = matches!(end, RunEnd::TimedOut(_) | RunEnd::Stopped);
            let failed = !end.is_success();
            runs.push((inst, end));
            if !failed || last || control.is_stopped() {
                break;
            }
            let now_ms = self.platform.now_ns() / 1_000_000;
            match self.lifecycle.on_failure(inst, now_ms)? {
                RestartDecision::RestartAt(at) => {
                    self.platform.sleep_ms(at.saturating_sub(now_ms));
                    if control.is_stopped() {
                        break;
                    }
                }
                RestartDecision::GiveUp => break,
            }
        }
        self.save_code_cache(&desc.app_id, &prepared.engine, &prepared.module);
        Ok(RunOutcome {
            app: id,
            runs,
            state: self.lifecycle.app_state(id),
        })
    }
}

/// Runs a package without installing it (`kpio run app.kpioapp`): once, no restarts, with
/// its `data/` seeded into a fresh in-memory file system that is dropped afterwards.
/// Arguments, environment and permissions are as for an installed app.
pub fn run_package(
    pkg: &Package,
    args: &[String],
    stdio: &Stdio,
    platform: &dyn Platform,
    engine_config: kpio_wasm::Config,
) -> Result<RunEnd, PkgError> {
    run_package_with(
        pkg,
        args,
        stdio,
        platform,
        engine_config,
        RunLimits::default(),
        &RunControl::new(),
    )
}

/// [`run_package`] with runaway guards and a way to stop it.
pub fn run_package_with(
    pkg: &Package,
    args: &[String],
    stdio: &Stdio,
    platform: &dyn Platform,
    engine_config: kpio_wasm::Config,
    limits: RunLimits,
    control: &RunControl,
) -> Result<RunEnd, PkgError> {
    let m = &pkg.manifest;
    let backend: Arc<dyn Backend> = Arc::new(MemoryFs::new(
        MemoryLimits::default(),
        Arc::new(ManualClock::new(platform.now_ns())),
    ));
    let data_path = join(
        crate::install::APPS_DATA,
        &join(&m.id, crate::install::DATA_NAME),
    );
    {
        let mut vfs = kpio_vfs::Vfs::with_root(Arc::clone(&backend))
            .map_err(|e| PkgError::vfs("mount", "/", e))?;
        let root = vfs
            .open_root(kpio_vfs::MountId(0))
            .map_err(|e| PkgError::vfs("open", "/", e))?;
        create_dir_all(&mut vfs, root, &data_path)?;
        let mut made = BTreeMap::new();
        for (rel, bytes) in &pkg.data {
            let path = join(&data_path, rel);
            if let Some((parent, _)) = path.rsplit_once('/')
                && made.insert(parent.to_string(), ()).is_none()
            {
                create_dir_all(&mut vfs, root, parent)?;
            }
            write_new_file(&mut vfs, root, &path, bytes)?;
        }
    }
    let perms = m.permissions.to_app();
    let engine = Engine::new(app_engine_config(&perms, engine_config, &limits));
    let module = Module::new(&engine, pkg.entry_bytes()).map_err(|e| PkgError::InvalidWasm {
        path: m.entry.clone(),
        error: e.to_string(),
    })?;
    let spec = RunSpec {
        app: &m.id,
        name: &m.name,
        args,
        backend,
        desc_perms: &perms,
        data_path: &data_path,
        limits,
        store_limits: app_store_limits(&perms, engine.config(), &limits),
    };
    run_once(
        &spec,
        &engine,
        &module,
        stdio,
        platform,
        control,
        (&DefaultHostApis, AppInstanceId(1)),
        || Ok(()),
    )
}

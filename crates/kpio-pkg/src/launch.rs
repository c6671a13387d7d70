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

use std::collections::BTreeMap;
use std::sync::Arc;

use kpio_app::{AppDescriptor, AppInstanceId, AppState, AppType, KernelAppId, RestartDecision};
use kpio_vfs::{Backend, ManualClock, MemoryFs, MemoryLimits};
use kpio_wasi::{WasiCtx, WasiCtxBuilder};
use kpio_wasm::{Engine, InstantiateError, Linker, Module, Store};

use crate::error::PkgError;
use crate::fsutil::{create_dir_all, join, read_file, write_new_file};
use crate::install::AppManager;
use crate::package::Package;
use crate::platform::{Platform, Stdio};

/// How one run of an app ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// `_start` returned (0) or the app called `proc_exit`.
    Exited(i32),
    /// The app trapped; the text says why.
    Trapped(String),
}

impl RunEnd {
    /// The exit code, if it exited.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            RunEnd::Exited(c) => Some(*c),
            RunEnd::Trapped(_) => None,
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

/// One run of `module` with the app's WASI context.
struct RunSpec<'a> {
    app: &'a str,
    name: &'a str,
    args: &'a [String],
    backend: Arc<dyn Backend>,
    desc_perms: &'a kpio_app::Permissions,
    data_path: &'a str,
}

fn run_once(
    spec: &RunSpec<'_>,
    engine: &Engine,
    module: &Module,
    stdio: &Stdio,
    platform: &dyn Platform,
    mut on_running: impl FnMut() -> Result<(), PkgError>,
) -> Result<RunEnd, PkgError> {
    let vfs = spec
        .desc_perms
        .app_vfs(Arc::clone(&spec.backend), spec.data_path)?;
    let (stdin, stdout, stderr) = stdio.streams();
    let ctx = WasiCtxBuilder::new()
        .arg(spec.name)
        .args(spec.args.iter().cloned())
        .env("KPIO_APP_ID", spec.app)
        .vfs(vfs)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        .clock(platform.wasi_clock())
        .random(platform.random())
        .build()
        .map_err(|e| PkgError::Wasi {
            app: spec.app.to_string(),
            error: e.to_string(),
        })?;
    let mut store = Store::new(engine, ctx);
    let mut linker = Linker::<WasiCtx>::new();
    kpio_wasi::add_to_linker(&mut linker, &mut store, |cx| cx);
    let instance = match linker.instantiate(&mut store, module) {
        Ok(i) => i,
        Err(InstantiateError::Link(e)) => {
            return Err(PkgError::Link {
                app: spec.app.to_string(),
                error: e.to_string(),
            });
        }
        Err(InstantiateError::Trap(t)) => {
            return Ok(match t.exit_code() {
                Some(c) => RunEnd::Exited(c),
                None => RunEnd::Trapped(format!("during instantiation: {t}")),
            });
        }
    };
    on_running()?;
    let Some(start) = instance.get_func(&store, "_start") else {
        return Ok(RunEnd::Trapped(
            "the module exports no `_start` function".into(),
        ));
    };
    Ok(match start.call(&mut store, &[], &mut []) {
        Ok(()) => RunEnd::Exited(0),
        Err(t) => match t.exit_code() {
            Some(c) => RunEnd::Exited(c),
            None => RunEnd::Trapped(t.to_string()),
        },
    })
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
        let engine = Engine::new(desc.permissions.engine_config(self.engine_config.clone()));
        let module = Module::new(&engine, &bytes).map_err(|e| PkgError::Corrupt {
            path: entry.clone(),
            reason: e.to_string(),
        })?;

        let mut new_reg = self.registry.clone();
        let mut updated = desc.clone();
        updated.last_launched = Some(self.platform.now_ns());
        new_reg.update(updated)?;
        new_reg.commit(&mut self.vfs, self.root)?;
        self.registry = new_reg;

        let spec = RunSpec {
            app: &desc.app_id,
            name: &desc.name,
            args,
            backend: Arc::clone(&self.backend),
            desc_perms: &desc.permissions,
            data_path: &desc.data_path,
        };
        self.lifecycle.reset(id);
        let mut runs = Vec::new();
        loop {
            let inst = self.lifecycle.launch(id)?;
            let lifecycle = &mut self.lifecycle;
            let end = run_once(&spec, &engine, &module, stdio, &*self.platform, || {
                Ok(lifecycle.running(inst)?)
            });
            let end = match end {
                Ok(end) => end,
                Err(e) => {
                    let _ = self.lifecycle.trapped(inst, e.to_string());
                    return Err(e);
                }
            };
            match &end {
                RunEnd::Exited(code) => self.lifecycle.exited(inst, *code)?,
                RunEnd::Trapped(why) => self.lifecycle.trapped(inst, why.clone())?,
            }
            let failed = !end.is_success();
            runs.push((inst, end));
            if !failed {
                break;
            }
            let now_ms = self.platform.now_ns() / 1_000_000;
            match self.lifecycle.on_failure(inst, now_ms)? {
                RestartDecision::RestartAt(at) => self.platform.sleep_ms(at.saturating_sub(now_ms)),
                RestartDecision::GiveUp => break,
            }
        }
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
    let engine = Engine::new(perms.engine_config(engine_config));
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
    };
    run_once(&spec, &engine, &module, stdio, platform, || Ok(()))
}

//! [`AppManager`]: install, update, uninstall and crash recovery of `.kpioapp` apps.
//!
//! # Layout (paths relative to the system VFS root)
//!
//! ```text
//! apps/data/{app_id}/v{N}/        the installed version: manifest.toml, the entry module,
//!                                 the icon, resources/ (N grows with every install/update)
//! apps/data/{app_id}/data/        the app's own files, mounted at `/` when it runs; seeded
//!                                 from the package's data/ on first install, kept on update
//! apps/storage/{app_id}/          app storage (owned by the storage layer), and
//! apps/cache/{app_id}/            app cache: both deleted on uninstall
//! system/apps/registry.json       the registry (kpio-app), the ONE commit point
//! ```
//!
//! # Crash safety: one commit point
//!
//! An install or update (1) validates the whole package in memory before writing anything
//! ([`Package::from_bytes`]); (2) writes the new version into `v{N+1}.staging/`, syncing
//! every file and directory, then renames it to `v{N+1}`; (3) on first install seeds
//! `data.staging/` and renames it to `data`; (4) commits the registry that points at
//! `v{N+1}` ([`Registry::commit`]: temp file, sync, atomic rename, directory sync); (5) only
//! then deletes `v{N}`. Uninstall commits the registry without the app first, then deletes
//! its directories.
//!
//! So the registry on disk always names a complete version, and whatever a crash leaves
//! behind is *not* named by it: [`AppManager::recover`] (run by [`AppManager::open`], and
//! after any failed operation) deletes every directory under `apps/data/`,
//! `apps/storage/` and `apps/cache/` whose name is no registered app's id, and in each
//! registered `.kpioapp` app's directory everything but `data/` and the registered
//! version. The registry is therefore the single source of truth for which app
//! directories exist under `apps/` — other components must register their apps before
//! creating directories there. A kill at any point leaves the old app or the new one,
//! never a mix.
//!
//! When an operation fails, nothing of it remains: the in-memory registry is replaced by
//! the one on disk (which is the old one unless the commit point was passed, in which case
//! the operation counts as done) and `recover` removes the rest.
//!
//! # Garbage never stops the platform
//!
//! `recover` is best-effort: a leftover it cannot delete is reported as a
//! [`Warning::LeftoverKept`] and skipped, and tried again at the next
//! [`AppManager::open`], so no leftover can make opening fail. Trees are deleted through
//! open directory handles, whatever their depth or path length (see
//! `fsutil::remove_tree`). A corrupt `registry.json` is replaced by its previous
//! generation ([`Registry::load_report`], [`Warning::RegistryRestored`]) before `recover`
//! looks at anything, so `recover` never works from an empty registry by mistake.

use std::sync::Arc;

use kpio_app::{AppDescriptor, AppError, AppType, KernelAppId, Lifecycle, Registry, RestartPolicy};
use kpio_vfs::{Backend, FileType, Handle, MountId, Vfs};

use crate::archive::Limits;
use crate::error::{PkgError, Warning};
use crate::fsutil::{
    create_dir_all, join, kind, list_dir, remove_tree, rename, sync_dir, write_new_file,
};
use crate::host_apis::HostApis;
use crate::manifest::check_app_id;
use crate::package::Package;
use crate::platform::{Platform, Stdio};
use crate::review::Review;

/// Where app code and data directories live.
pub const APPS_DATA: &str = "apps/data";
/// Per-app storage directories (deleted on uninstall).
pub const APPS_STORAGE: &str = "apps/storage";
/// Per-app cache directories (deleted on uninstall).
pub const APPS_CACHE: &str = "apps/cache";
/// The name of an app's data directory inside `apps/data/{app_id}/`.
pub const DATA_NAME: &str = "data";
/// The desktop's remembered window placement of an app, beside its version and data
/// directories in `apps/data/{app_id}/` (kept by recovery and updates, removed on uninstall;
/// the app itself cannot see it).
pub const WINDOW_STATE_NAME: &str = "window_state.json";
/// Suffix of directories being written.
pub const STAGING_SUFFIX: &str = ".staging";

/// Options of [`AppManager::install`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallOptions {
    /// Install even if the package is older than the installed version.
    pub force: bool,
    /// The answer to the permission review ([`crate::review`]); by default none, so an
    /// install that needs approval fails with [`PkgError::NeedsApproval`].
    pub review: Review,
}

impl InstallOptions {
    /// Options that approve whatever the package asks for (scripts' `--yes`, tests).
    pub fn accept_requested() -> InstallOptions {
        InstallOptions {
            force: false,
            review: Review::AcceptRequested,
        }
    }
}

/// What an install did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallOutcome {
    pub id: KernelAppId,
    pub app_id: String,
    /// The version that was installed before (an update), if any.
    pub previous_version: Option<String>,
    pub new_version: String,
}

/// Progress reports of a long operation, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Checking the package (`bytes` long).
    Validating {
        bytes: u64,
    },
    /// The package is valid: `files` files, `bytes` bytes to write.
    Validated {
        app_id: String,
        version: String,
        files: usize,
        bytes: u64,
    },
    /// Writing `path` (relative to the system root); `done` of `total` bytes are written
    /// once it is.
    Writing {
        path: String,
        done: u64,
        total: u64,
    },
    /// Committing the registry.
    Committing,
    /// Deleting what the operation replaced.
    CleaningUp,
    Done,
}

/// What [`AppManager::recover`] removed, and what it could not (paths relative to the
/// system root).
#[derive(Debug, Clone, Default)]
pub struct RecoverReport {
    pub removed: Vec<String>,
    /// Leftovers that could not be deleted, with why; also reported as
    /// [`Warning::LeftoverKept`]. They are tried again by the next `recover`.
    pub kept: Vec<(String, PkgError)>,
}

/// Where [`AppManager::open`] keeps a `registry.json` it replaced by the previous
/// generation, for a person to look at.
pub const CORRUPT_REGISTRY_PATH: &str = "system/apps/registry.json.corrupt";

/// Installs, updates, uninstalls, lists and launches `.kpioapp` apps over one VFS backend.
/// See the module docs for the layout and the crash-safety argument.
pub struct AppManager {
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) vfs: Vfs,
    pub(crate) root: Handle,
    pub(crate) registry: Registry,
    pub(crate) lifecycle: Lifecycle,
    pub(crate) platform: Arc<dyn Platform>,
    pub(crate) limits: Limits,
    pub(crate) engine_config: kpio_wasm::Config,
    pub(crate) default_stdio: Stdio,
    /// What launched apps' `kpio_gui` / `kpio_system` / `kpio_net` calls reach.
    pub(crate) host_apis: Arc<dyn HostApis>,
    /// Problems worked around since the last [`AppManager::take_warnings`].
    pub(crate) warnings: Vec<Warning>,
}

impl std::fmt::Debug for AppManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppManager")
            .field("registry", &self.registry)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}

/// Whether `path` (relative to the root) is inside `apps/data/{app_id}/`, so this
/// manager may delete it and an app may be run from it.
pub(crate) fn owned_path(path: &str, app_id: &str) -> bool {
    check_app_id(app_id).is_ok()
        && path
            .strip_prefix(APPS_DATA)
            .and_then(|p| p.strip_prefix('/'))
            .and_then(|p| p.strip_prefix(app_id))
            .and_then(|p| p.strip_prefix('/'))
            .is_some_and(|rest| {
                !rest.is_empty()
                    && !rest
                        .split('/')
                        .any(|c| c == ".." || c == "." || c.is_empty())
            })
}

/// Checks that a `.kpioapp` app's registry entry points where this manager puts apps
/// (a damaged or hand-edited registry must not make an app run with another directory
/// as its data, or run code from elsewhere).
pub(crate) fn check_layout(desc: &AppDescriptor) -> Result<(), PkgError> {
    let app_dir = join(APPS_DATA, &desc.app_id);
    let ok = check_app_id(&desc.app_id).is_ok()
        && desc.data_path.trim_start_matches('/') == join(&app_dir, DATA_NAME)
        && owned_path(desc.install_path.trim_start_matches('/'), &desc.app_id)
        && crate::archive::check_entry_name(&desc.entry).is_ok();
    if ok {
        Ok(())
    } else {
        Err(PkgError::Corrupt {
            path: Registry::PATH.to_string(),
            reason: format!(
                "app {} ({:?}) has install_path {:?}, data_path {:?}, entry {:?}, which are \
                 not inside {app_dir}/",
                desc.id, desc.app_id, desc.install_path, desc.data_path, desc.entry
            ),
        })
    }
}

/// The `v{N}` number of an install path ending in `/v{N}`.
fn version_number(install_path: &str) -> Option<u64> {
    install_path
        .rsplit('/')
        .next()?
        .strip_prefix('v')?
        .parse()
        .ok()
}

impl AppManager {
    /// Opens the manager over `backend` (the whole system tree: hosted, `KPIO_HOME`):
    /// loads the registry and runs [`AppManager::recover`].
    ///
    /// Fails only if the registry cannot be read at all (both it and its previous
    /// generation are unusable, or the file system fails); leftovers that cannot be deleted
    /// and a registry restored from its previous generation are [`Warning`]s (see
    /// [`AppManager::take_warnings`]). A restored registry is committed again, with the
    /// damaged file kept as [`CORRUPT_REGISTRY_PATH`], so the warning is given once.
    ///
    /// Only one manager may change a tree at a time: `recover` deletes what another
    /// manager's unfinished install has written. A hosted embedder with several processes
    /// holds a host-level lock around the life of a manager that changes anything, or
    /// uses [`AppManager::open_no_recover`] for read-only work.
    pub fn open(
        backend: Arc<dyn Backend>,
        platform: Arc<dyn Platform>,
    ) -> Result<AppManager, PkgError> {
        let mut m = AppManager::open_no_recover(backend, platform)?;
        m.repair_registry();
        m.recover()?;
        Ok(m)
    }

    /// After a load that fell back to the previous generation: keeps the damaged file as
    /// [`CORRUPT_REGISTRY_PATH`] and commits the registry in use, so later commands read a
    /// good `registry.json`. Best-effort: if it fails, the next load falls back again.
    fn repair_registry(&mut self) {
        let Some(Warning::RegistryRestored { kept_as, .. }) = self
            .warnings
            .iter_mut()
            .rev()
            .find(|w| matches!(w, Warning::RegistryRestored { kept_as: None, .. }))
        else {
            return;
        };
        let (vfs, root) = (&mut self.vfs, self.root);
        if kind(vfs, root, Registry::PATH).ok().flatten() == Some(FileType::RegularFile)
            && rename(vfs, root, Registry::PATH, CORRUPT_REGISTRY_PATH).is_ok()
        {
            *kept_as = Some(CORRUPT_REGISTRY_PATH.to_string());
        }
        // The current file is gone (or unusable), so this commit leaves the previous
        // generation as it is.
        let _ = self.registry.commit(vfs, root);
    }

    /// Reads the committed registry, noting a fallback to the previous generation as a
    /// warning (once per distinct problem).
    fn load_registry(
        vfs: &mut Vfs,
        root: Handle,
        warnings: &mut Vec<Warning>,
    ) -> Result<Registry, PkgError> {
        let (registry, restored) = Registry::load_report(vfs, root)?;
        if let Some(restored) = restored {
            let seen = |w: &Warning| matches!(w, Warning::RegistryRestored { restored: r, .. } if *r == restored);
            if !warnings.iter().any(seen) {
                warnings.push(Warning::RegistryRestored {
                    restored,
                    kept_as: None,
                });
            }
        }
        Ok(registry)
    }

    /// Takes the problems worked around since the last call (see [`Warning`]): a hosted
    /// command prints them after opening and after each operation.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// The problems worked around since the last [`AppManager::take_warnings`].
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Opens the manager without [`AppManager::recover`]ing: for looking (list, info)
    /// while another manager may be changing the tree. Leftovers of a crash stay until a
    /// manager is opened with [`AppManager::open`].
    pub fn open_no_recover(
        backend: Arc<dyn Backend>,
        platform: Arc<dyn Platform>,
    ) -> Result<AppManager, PkgError> {
        let mut vfs =
            Vfs::with_root(Arc::clone(&backend)).map_err(|e| PkgError::vfs("mount", "/", e))?;
        let root = vfs
            .open_root(MountId(0))
            .map_err(|e| PkgError::vfs("open", "/", e))?;
        let mut warnings = Vec::new();
        let registry = AppManager::load_registry(&mut vfs, root, &mut warnings)?;
        Ok(AppManager {
            backend,
            vfs,
            root,
            registry,
            lifecycle: Lifecycle::default(),
            platform,
            limits: Limits::default(),
            engine_config: kpio_wasm::Config::default(),
            default_stdio: Stdio::null(),
            host_apis: Arc::new(crate::host_apis::DefaultHostApis),
            warnings,
        })
    }

    /// Re-reads the registry from disk, so an operation starts from what is committed
    /// (another manager may have committed since this one last looked).
    pub fn reload(&mut self) -> Result<(), PkgError> {
        self.registry = AppManager::load_registry(&mut self.vfs, self.root, &mut self.warnings)?;
        Ok(())
    }

    /// Replaces the restart policy (and forgets all instances).
    #[must_use]
    pub fn with_restart_policy(mut self, policy: RestartPolicy) -> AppManager {
        self.lifecycle = Lifecycle::new(policy);
        self
    }

    /// Replaces the package limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> AppManager {
        self.limits = limits;
        self
    }

    /// The engine configuration apps run under (each app's memory permission can only
    /// lower `max_memory_pages`).
    #[must_use]
    pub fn with_engine_config(mut self, config: kpio_wasm::Config) -> AppManager {
        self.engine_config = config;
        self
    }

    /// The stdio of apps launched through [`kpio_app::AppServices::launch`].
    #[must_use]
    pub fn with_default_stdio(mut self, stdio: Stdio) -> AppManager {
        self.default_stdio = stdio;
        self
    }

    /// Launched apps get their kpio host APIs from `apis` (the desktop's windows, say)
    /// instead of [`DefaultHostApis`](crate::DefaultHostApis).
    pub fn with_host_apis(mut self, apis: Arc<dyn HostApis>) -> AppManager {
        self.host_apis = apis;
        self
    }

    /// The registry as committed.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The instances launched by this manager.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.lifecycle
    }

    /// The backend the manager works on.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// All installed apps (every type), by id.
    pub fn list(&self) -> impl Iterator<Item = &AppDescriptor> {
        self.registry.list()
    }

    /// One installed app.
    pub fn info(&self, id: KernelAppId) -> Result<&AppDescriptor, PkgError> {
        self.registry.get(id).ok_or_else(|| PkgError::NotInstalled {
            app: id.to_string(),
        })
    }

    /// Finds an app by what a person types, with [`Registry::find`]'s precedence: digits
    /// are a numeric id and nothing else; then an exact package id (`app_id`); then the
    /// package id or display name that reads the same once folded. `NotInstalled` if none
    /// matches, `App(Ambiguous)` if several do.
    pub fn find(&self, key: &str) -> Result<&AppDescriptor, PkgError> {
        self.registry.find(key).map_err(|e| match e {
            AppError::NotFound(_) => PkgError::NotInstalled {
                app: key.to_string(),
            },
            e => PkgError::App(e),
        })
    }

    /// Validates and installs (or updates) the package `bytes`. See the module docs for
    /// what happens on failure (nothing) and on a crash (the old app or the new one).
    pub fn install(
        &mut self,
        bytes: &[u8],
        options: InstallOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<InstallOutcome, PkgError> {
        progress(Progress::Validating {
            bytes: bytes.len() as u64,
        });
        let package = Package::from_bytes_with_limits(bytes, &self.limits)?;
        self.install_package(&package, options, progress)
    }

    /// Installs (or updates) an already validated package.
    pub fn install_package(
        &mut self,
        pkg: &Package,
        options: InstallOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<InstallOutcome, PkgError> {
        let m = &pkg.manifest;
        // `Package`'s fields are public: check again what the paths written depend on.
        pkg.check_paths()?;
        self.reload()?;
        progress(Progress::Validated {
            app_id: m.id.clone(),
            version: m.version.to_string(),
            files: pkg.files.len() + pkg.data.len(),
            bytes: pkg.total_bytes(),
        });
        let existing = self.registry.list().find(|d| d.app_id == m.id).cloned();
        if let Some(d) = &existing {
            if d.app_type != AppType::WasmApp {
                return Err(PkgError::Conflict {
                    app: m.id.clone(),
                    reason: format!("the id belongs to an installed {}", d.app_type),
                });
            }
            // A version that does not parse (a hand-edited registry) counts as older.
            if let Ok(installed) = semver::Version::parse(&d.version)
                && m.version < installed
                && !options.force
            {
                return Err(PkgError::Downgrade {
                    app: m.id.clone(),
                    installed: installed.to_string(),
                    new: m.version.to_string(),
                });
            }
            if !self.lifecycle.live_instances(d.id).is_empty() {
                return Err(PkgError::App(kpio_app::AppError::Busy(format!(
                    "app {:?} has running instances",
                    d.app_id
                ))));
            }
        }

        let requested = m.permissions.to_app();
        let approval = crate::review::approve(
            &options.review,
            &m.id,
            &m.name,
            &m.version.to_string(),
            &requested,
            existing.as_ref().and_then(|d| d.approval.as_ref()),
            self.platform.now_ns(),
        )?;

        let app_dir = join(APPS_DATA, &m.id);
        let n = existing
            .as_ref()
            .and_then(|d| version_number(&d.install_path))
            .unwrap_or(0)
            + 1;
        let ver_dir = join(&app_dir, &format!("v{n}"));
        let old_dir = existing
            .as_ref()
            .map(|d| d.install_path.trim_start_matches('/').to_string());

        let mut new_reg = self.registry.clone();
        let desc = AppDescriptor {
            id: match &existing {
                Some(d) => d.id,
                None => new_reg.allocate_id()?,
            },
            app_id: m.id.clone(),
            name: m.name.clone(),
            version: m.version.to_string(),
            app_type: AppType::WasmApp,
            icon: pkg.icon_bytes().map(<[u8]>::to_vec).unwrap_or_default(),
            install_path: format!("/{ver_dir}"),
            data_path: format!("/{}", join(&app_dir, DATA_NAME)),
            entry: m.entry.clone(),
            permissions: requested,
            installed_at: self.platform.now_ns(),
            last_launched: existing.as_ref().and_then(|d| d.last_launched),
            approval: Some(approval),
        };
        let id = desc.id;

        let written = self.write_version(pkg, &app_dir, &ver_dir, progress);
        let staged = written.and_then(|()| {
            match &existing {
                Some(_) => new_reg.update(desc)?,
                None => {
                    new_reg.register(desc)?;
                }
            }
            Ok(())
        });
        if let Err(e) = staged {
            self.rollback();
            return Err(e);
        }
        progress(Progress::Committing);
        self.commit(new_reg)?;

        progress(Progress::CleaningUp);
        if let Some(old) = old_dir
            && old != ver_dir
            && owned_path(&old, &m.id)
            && remove_tree(&mut self.vfs, self.root, &old).is_err()
        {
            // Committed already; what is left is garbage `recover` removes.
            let _ = self.recover();
        }
        progress(Progress::Done);
        Ok(InstallOutcome {
            id,
            app_id: m.id.clone(),
            previous_version: existing.map(|d| d.version),
            new_version: m.version.to_string(),
        })
    }

    /// Steps 2 and 3 of an install: the version directory, and a first data directory.
    fn write_version(
        &mut self,
        pkg: &Package,
        app_dir: &str,
        ver_dir: &str,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), PkgError> {
        let (vfs, root) = (&mut self.vfs, self.root);
        let total = pkg.total_bytes();
        let mut done = 0u64;
        create_dir_all(vfs, root, app_dir)?;
        for d in ["", "apps", APPS_DATA] {
            sync_dir(vfs, root, d)?;
        }

        let staging = format!("{ver_dir}{STAGING_SUFFIX}");
        remove_tree(vfs, root, &staging)?;
        remove_tree(vfs, root, ver_dir)?;
        write_tree(vfs, root, &staging, &pkg.files, &mut done, total, progress)?;
        rename(vfs, root, &staging, ver_dir)?;
        sync_dir(vfs, root, app_dir)?;

        let data_dir = join(app_dir, DATA_NAME);
        if kind(vfs, root, &data_dir)? != Some(FileType::Directory) {
            // First install (or a data directory that went missing): seed it.
            let staging = format!("{data_dir}{STAGING_SUFFIX}");
            remove_tree(vfs, root, &staging)?;
            remove_tree(vfs, root, &data_dir)?;
            write_tree(vfs, root, &staging, &pkg.data, &mut done, total, progress)?;
            rename(vfs, root, &staging, &data_dir)?;
            sync_dir(vfs, root, app_dir)?;
        }
        Ok(())
    }

    /// Step 4: commits `new_reg`. If the commit fails, the registry on disk decides: if it
    /// is `new_reg` the commit point was passed and this is success; otherwise the failed
    /// operation is rolled back.
    fn commit(&mut self, new_reg: Registry) -> Result<(), PkgError> {
        match new_reg.commit(&mut self.vfs, self.root) {
            Ok(()) => {
                self.registry = new_reg;
                Ok(())
            }
            Err(e) => {
                if let Ok(on_disk) = Registry::load(&mut self.vfs, self.root)
                    && on_disk == new_reg
                {
                    self.registry = new_reg;
                    return Ok(());
                }
                self.rollback();
                Err(e.into())
            }
        }
    }

    /// Undoes a failed operation: the registry on disk is the truth; `recover` removes
    /// whatever it does not name. If the registry cannot be read, nothing is deleted (the
    /// next [`AppManager::open`] recovers).
    fn rollback(&mut self) {
        if let Ok(on_disk) = Registry::load(&mut self.vfs, self.root) {
            self.registry = on_disk;
            let _ = self.recover();
        }
    }

    /// Uninstalls a `.kpioapp` app: stops its instances, unregisters it (committed), then
    /// deletes `apps/data/{app_id}`, `apps/storage/{app_id}` and `apps/cache/{app_id}`.
    /// Returns the descriptor it had.
    pub fn uninstall(&mut self, id: KernelAppId) -> Result<AppDescriptor, PkgError> {
        self.reload()?;
        let desc = self.info(id)?.clone();
        if desc.app_type != AppType::WasmApp {
            return Err(PkgError::Conflict {
                app: desc.app_id.clone(),
                reason: format!("it is a {}, not a .kpioapp app", desc.app_type),
            });
        }
        for inst in self.lifecycle.live_instances(id) {
            self.lifecycle.terminate(inst)?;
        }
        self.lifecycle.forget_app(id)?;
        let mut new_reg = self.registry.clone();
        new_reg.unregister(id)?;
        self.commit(new_reg)?;
        if check_app_id(&desc.app_id).is_ok() {
            for base in [APPS_DATA, APPS_STORAGE, APPS_CACHE] {
                if remove_tree(&mut self.vfs, self.root, &join(base, &desc.app_id)).is_err() {
                    let _ = self.recover();
                    break;
                }
            }
        }
        Ok(desc)
    }

    /// Deletes everything under `apps/` that the registry does not account for (see the
    /// module docs). Safe to run at any time no operation is in progress.
    ///
    /// Best-effort: what cannot be listed or deleted is skipped, listed in
    /// [`RecoverReport::kept`] and reported as a [`Warning::LeftoverKept`]; the next
    /// `recover` tries again. It does not fail because of garbage.
    pub fn recover(&mut self) -> Result<RecoverReport, PkgError> {
        let mut report = RecoverReport::default();
        let (vfs, root, registry) = (&mut self.vfs, self.root, &self.registry);
        for base in [APPS_DATA, APPS_STORAGE, APPS_CACHE] {
            let entries = match kind(vfs, root, base) {
                Ok(Some(FileType::Directory)) => list_dir(vfs, root, base),
                Ok(_) => continue,
                Err(e) => Err(e),
            };
            let entries = match entries {
                Ok(entries) => entries,
                Err(e) => {
                    report.kept.push((base.to_string(), e));
                    continue;
                }
            };
            for (name, _) in entries {
                let path = join(base, &name);
                let Some(desc) = registry.list().find(|d| d.app_id == name) else {
                    remove_leftover(vfs, root, path, &mut report);
                    continue;
                };
                if base != APPS_DATA || desc.app_type != AppType::WasmApp {
                    continue;
                }
                let current = desc
                    .install_path
                    .trim_start_matches('/')
                    .strip_prefix(&format!("{path}/"))
                    .map(str::to_string);
                let children = match list_dir(vfs, root, &path) {
                    Ok(children) => children,
                    Err(e) => {
                        report.kept.push((path, e));
                        continue;
                    }
                };
                for (child, _) in children {
                    if child == DATA_NAME
                        || child == WINDOW_STATE_NAME
                        || Some(&child) == current.as_ref()
                    {
                        continue;
                    }
                    remove_leftover(vfs, root, join(&path, &child), &mut report);
                }
            }
        }
        self.warnings.extend(
            report
                .kept
                .iter()
                .map(|(path, error)| Warning::LeftoverKept {
                    path: path.clone(),
                    error: error.clone(),
                }),
        );
        Ok(report)
    }
}

/// Deletes one leftover for [`AppManager::recover`], noting the outcome in `report`.
fn remove_leftover(vfs: &mut Vfs, root: Handle, path: String, report: &mut RecoverReport) {
    match remove_tree(vfs, root, &path) {
        Ok(()) => report.removed.push(path),
        Err(e) => report.kept.push((path, e)),
    }
}

/// Writes `files` (relative path → bytes) into a new directory `dir`, syncing every file
/// and then every directory, deepest first.
fn write_tree(
    vfs: &mut Vfs,
    root: Handle,
    dir: &str,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
    done: &mut u64,
    total: u64,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), PkgError> {
    create_dir_all(vfs, root, dir)?;
    let mut dirs = vec![dir.to_string()];
    for (rel, bytes) in files {
        let path = join(dir, rel);
        if let Some((parent, _)) = path.rsplit_once('/')
            && !dirs.iter().any(|d| d == parent)
        {
            create_dir_all(vfs, root, parent)?;
            let mut p = parent;
            while p.len() > dir.len() {
                if !dirs.iter().any(|d| d == p) {
                    dirs.push(p.to_string());
                }
                p = p.rsplit_once('/').map_or("", |(a, _)| a);
            }
        }
        *done += bytes.len() as u64;
        progress(Progress::Writing {
            path: path.clone(),
            done: *done,
            total,
        });
        write_new_file(vfs, root, &path, bytes)?;
    }
    dirs.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    for d in dirs {
        sync_dir(vfs, root, &d)?;
    }
    Ok(())
}

//! `.kpioapp` packages: the format, its validation, packing, install / update / uninstall
//! with crash-safe rollback, and the launcher.
//!
//! A `.kpioapp` is a ZIP (stored or deflate entries) holding `manifest.toml` (see
//! [`manifest`]), the entry WebAssembly module it names, optionally an icon, `resources/`
//! and `data/` (the seed of the app's own writable directory).
//!
//! - [`archive`]: reading the ZIP defensively (size limits, zip bombs, path escapes,
//!   duplicates, symlinks).
//! - [`manifest`]: `manifest.toml` into a typed [`Manifest`], errors with line and column.
//! - [`package`]: [`Package::from_bytes`], the single gate: container + manifest + layout +
//!   entry module validated by the engine.
//! - [`pack`]: [`pack_dir`] builds a package from an app directory, deterministically.
//! - [`install`]: [`AppManager`], install/update/uninstall over a [`kpio_vfs::Backend`] with
//!   the registry file as the one commit point, and [`AppManager::recover`].
//! - [`host_apis`]: what an app's `kpio_gui` / `kpio_system` / `kpio_net` calls reach
//!   ([`HostApis`]; the desktop gives windows).
//! - [`review`]: the permission review an install needs ([`Review`]).
//! - [`launch`]: [`AppManager::launch`] (WASI args, env, data dir at `/`, permissions,
//!   lifecycle and restart policy) and [`run_package`].
//! - `instances` (feature `host`): the durable records of running instances that
//!   `kpio ps`, `kpio kill` and `kpio uninstall` use across processes.
//! - [`AppManager`] implements [`kpio_app::AppServices`] (syscalls 106–111).
//!
//! Every error is a [`PkgError`] naming the file or entry and the reason.
//!
//! ```
//! use std::sync::Arc;
//! use kpio_pkg::{AppManager, InstallOptions, ManualPlatform, RunEnd, Stdio, pack_entries};
//! use kpio_vfs::{Backend, ManualClock, MemoryFs, MemoryLimits};
//!
//! let manifest = r#"
//!     [app]
//!     id = "org.example.hello"
//!     name = "Hello"
//!     version = "1.0.0"
//!     entry = "app.wasm"
//!     [permissions]
//!     filesystem = "read-write"
//! "#;
//! let wasm = wat::parse_str(r#"(module (func (export "_start")))"#).unwrap();
//! let package = pack_entries([
//!     ("manifest.toml", manifest.as_bytes().to_vec()),
//!     ("app.wasm", wasm),
//!     ("data/settings.json", b"{}".to_vec()),
//! ])?;
//!
//! let fs: Arc<dyn Backend> =
//!     Arc::new(MemoryFs::new(MemoryLimits::default(), Arc::new(ManualClock::new(0))));
//! let mut apps = AppManager::open(fs, Arc::new(ManualPlatform::new(0)))?;
//! let installed = apps.install(&package, InstallOptions::accept_requested(), &mut |p| println!("{p:?}"))?;
//! assert_eq!(apps.info(installed.id)?.install_path, "/apps/data/org.example.hello/v1");
//! let run = apps.launch(installed.id, &["--help".into()], &Stdio::null())?;
//! assert_eq!(*run.last(), RunEnd::Exited(0));
//! apps.uninstall(installed.id)?;
//! # Ok::<(), kpio_pkg::PkgError>(())
//! ```
//!
//! This crate needs `std` (the `zip` and `toml` readers); everything it builds on
//! (engine, VFS, WASI, app layer) is `no_std`. Platform services come in through
//! [`Platform`] and [`Stdio`]; feature `host` adds `HostPlatform` (the OS clock, sleeps
//! and CSPRNG) and `Stdio::inherit` (the process's stdio).

#![forbid(unsafe_code)]

pub mod archive;
pub mod code_cache;
mod error;
mod fsutil;
pub mod guards;
pub mod host_apis;
pub mod install;
#[cfg(feature = "host")]
pub mod instances;
pub mod launch;
pub mod manifest;
pub mod pack;
pub mod package;
mod platform;
pub mod review;
mod services;

pub use archive::{ArchiveFile, Limits, check_entry_name, read_archive};
pub use error::{ApprovalNeeded, PkgError, Warning};
pub use guards::{
    APP_INSTANCES, APP_MEMORIES, APP_TABLE_ELEMENTS, APP_TABLES, APP_VALUE_STACK_BYTES, GuardedRun,
    Interruption, RunControl, RunLimits, STUCK_GRACE, StuckHandler,
};
pub use host_apis::{AppCtx, DefaultHostApis, HostApis, HostRun, PlatformSystem, StderrLog};
pub use install::{
    AppManager, CORRUPT_REGISTRY_PATH, InstallOptions, InstallOutcome, Progress, RecoverReport,
};
#[cfg(feature = "host")]
pub use instances::{InstanceRecord, InstanceState, Instances, ProcessRef};
pub use launch::{
    PreparedLaunch, RunEnd, RunOutcome, app_store_limits, run_package, run_package_with,
};
pub use manifest::{
    FsAccess, KPIO_VERSION, MANIFEST_FILE, Manifest, ManifestPermissions, NetworkAccess,
};
pub use pack::{pack_dir, pack_entries};
pub use package::{Package, check_module};
#[cfg(feature = "host")]
pub use platform::HostPlatform;
pub use platform::{ManualPlatform, Platform, Stdio};
pub use review::Review;

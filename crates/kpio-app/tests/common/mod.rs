//! Shared test helpers: descriptors, VFS setups and a small `AppServices` implementation.

#![allow(dead_code)]

use std::sync::Arc;

use kpio_app::{
    AppDescriptor, AppError, AppInstanceId, AppServices, AppType, FsPermission, KernelAppId,
    Lifecycle, NetworkPermission, Permissions, Registry,
};
use kpio_vfs::{Backend, Handle, ManualClock, MemoryFs, MemoryLimits, MountId, Vfs};

/// A descriptor with every field set to something non-default.
pub fn full_desc(id: KernelAppId, app_id: &str, name: &str, t: AppType) -> AppDescriptor {
    AppDescriptor {
        id,
        app_id: app_id.into(),
        name: name.into(),
        version: "1.2.3-beta.1+build.5".into(),
        app_type: t,
        icon: (0..=255u8).chain([0x89, b'P', b'N', b'G']).collect(),
        install_path: format!("/apps/data/{app_id}/v3"),
        data_path: format!("/apps/data/{app_id}/data"),
        entry: "app.wasm".into(),
        permissions: Permissions {
            filesystem: FsPermission::ReadWrite,
            network: NetworkPermission::AllowList(vec![
                "api.example.com".into(),
                "*.cdn.example".into(),
            ]),
            gui: true,
            notifications: true,
            clipboard: false,
            background: true,
            memory_limit_pages: Some(256),
        },
        installed_at: 1_700_000_000_123_456_789,
        last_launched: Some(u64::MAX),
        approval: None,
    }
}

/// Registers a fresh app in `reg`.
pub fn add(reg: &mut Registry, app_id: &str, name: &str, t: AppType) -> KernelAppId {
    let id = reg.allocate_id().unwrap();
    reg.register(full_desc(id, app_id, name, t)).unwrap()
}

pub fn memory_backend() -> Arc<MemoryFs> {
    Arc::new(MemoryFs::new(
        MemoryLimits::default(),
        Arc::new(ManualClock::new(1)),
    ))
}

/// The system's view of `backend` and its root handle.
pub fn system_vfs(backend: Arc<dyn Backend>) -> (Vfs, Handle) {
    let mut vfs = Vfs::with_root(backend).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    (vfs, root)
}

/// A temporary host directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "kpio-app-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Minimal services: a "package" is just the app id as UTF-8 text.
#[derive(Default)]
pub struct MockServices {
    pub registry: Registry,
    pub lifecycle: Lifecycle,
    pub installs: usize,
    pub launched_args: Vec<Vec<String>>,
}

impl AppServices for MockServices {
    fn install(&mut self, pkg: &[u8]) -> Result<KernelAppId, AppError> {
        self.installs += 1;
        let app_id = std::str::from_utf8(pkg)
            .map_err(|_| AppError::Invalid("package is not UTF-8".into()))?;
        if app_id.is_empty() {
            return Err(AppError::Invalid("empty package".into()));
        }
        if let Some(d) = self.registry.find_by_name(app_id)
            && d.app_id == app_id
        {
            return Err(AppError::Exists(format!("app {app_id:?}")));
        }
        let id = self.registry.allocate_id()?;
        self.registry
            .register(full_desc(id, app_id, app_id, AppType::WasmApp))
    }

    fn launch(&mut self, id: KernelAppId, args: Vec<String>) -> Result<AppInstanceId, AppError> {
        if self.registry.get(id).is_none() {
            return Err(AppError::NotFound(format!("app {id}")));
        }
        let inst = self.lifecycle.launch(id)?;
        self.lifecycle.running(inst)?;
        self.launched_args.push(args);
        Ok(inst)
    }

    fn terminate(&mut self, inst: AppInstanceId) -> Result<(), AppError> {
        self.lifecycle.terminate(inst)
    }

    fn info(&self, id: KernelAppId) -> Result<AppDescriptor, AppError> {
        self.registry
            .get(id)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("app {id}")))
    }

    fn list(&self) -> Vec<KernelAppId> {
        self.registry.list().map(|d| d.id).collect()
    }

    fn uninstall(&mut self, id: KernelAppId) -> Result<(), AppError> {
        if self.registry.get(id).is_none() {
            return Err(AppError::NotFound(format!("app {id}")));
        }
        self.lifecycle.forget_app(id)?;
        self.registry.unregister(id).map(|_| ())
    }
}

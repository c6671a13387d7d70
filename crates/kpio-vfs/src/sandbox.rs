//! Per-app sandbox views: the [`Vfs`] an app's WASI layer is given.
//!
//! An app sees its own data directory `apps/data/{id}/` of the shared backend as `/`, plus
//! any extra read-only mounts the host grants (fonts, shared assets) at their own guest
//! paths. The app id is parsed as a single [`Name`], so it can never be `..`, contain `/`, or
//! otherwise point outside `apps/data/`; and since mounts are separate capability roots
//! compared component by component, app `1` can never reach app `10`'s files or vice versa.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::backend::Backend;
use crate::error::VfsResult;
use crate::path::Name;
use crate::vfs::{MountOptions, Vfs, VfsLimits};

/// Where app data directories live in the shared backend.
pub const APP_DATA_DIR: &str = "apps/data";

/// Builds the [`Vfs`] of one app.
///
/// ```
/// use std::sync::Arc;
/// use kpio_vfs::{Backend, ManualClock, MemoryFs, MemoryLimits, MountId, OpenOptions, SandboxBuilder};
///
/// let fs: Arc<dyn Backend> = Arc::new(MemoryFs::new(MemoryLimits::default(), Arc::new(ManualClock::new(0))));
/// let mut app = SandboxBuilder::new("1")?.build(Arc::clone(&fs))?;
/// let root = app.open_root(MountId(0))?;
/// let f = app.open(root, "notes.txt", &OpenOptions::read_write_create())?;
/// app.write(f, b"hello")?;
/// assert!(app.open(root, "../10/notes.txt", &OpenOptions::read()).is_err());
/// # Ok::<(), kpio_vfs::VfsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    app_id: Name,
    read_only: Vec<(String, String)>,
    limits: VfsLimits,
}

impl SandboxBuilder {
    /// Starts a sandbox for `app_id`, which must be a valid single file name.
    pub fn new(app_id: &str) -> VfsResult<SandboxBuilder> {
        Ok(SandboxBuilder {
            app_id: Name::new(app_id)?,
            read_only: Vec::new(),
            limits: VfsLimits::default(),
        })
    }

    /// Also mounts the backend directory `path` read-only at the same guest path
    /// (for example `/system/fonts/`).
    #[must_use]
    pub fn read_only(self, path: &str) -> SandboxBuilder {
        self.read_only_at(path, path)
    }

    /// Also mounts the backend directory `backend_path` read-only at `guest_path`.
    #[must_use]
    pub fn read_only_at(mut self, guest_path: &str, backend_path: &str) -> SandboxBuilder {
        self.read_only
            .push((guest_path.to_string(), backend_path.to_string()));
        self
    }

    /// Sets the handle limits of the resulting [`Vfs`].
    #[must_use]
    pub fn limits(mut self, limits: VfsLimits) -> SandboxBuilder {
        self.limits = limits;
        self
    }

    /// The backend directory of this app's data (`apps/data/{id}`).
    pub fn data_dir(&self) -> String {
        alloc::format!("{APP_DATA_DIR}/{}", self.app_id)
    }

    /// Mounts the app's data directory (created if missing) read-write at `/` as mount 0,
    /// then each read-only path in the order given (which must exist).
    pub fn build(self, backend: Arc<dyn Backend>) -> VfsResult<Vfs> {
        let mut vfs = Vfs::new(self.limits);
        let rw = MountOptions {
            read_only: false,
            create: true,
        };
        vfs.mount("/", Arc::clone(&backend), &self.data_dir(), rw)?;
        let ro = MountOptions {
            read_only: true,
            create: false,
        };
        for (guest, host) in &self.read_only {
            vfs.mount(guest, Arc::clone(&backend), host, ro)?;
        }
        Ok(vfs)
    }
}

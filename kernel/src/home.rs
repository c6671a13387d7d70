//! The KPIO home on the kernel: an in-memory file system filled at boot from the ramdisk
//! (a tar archive `kpio image` made of a KPIO_HOME with the chosen apps installed), with
//! the app registry read from it. It has the hosted layout (`system/apps/registry.json`,
//! `apps/data/{id}/v{N}/` code, `apps/data/{id}/data/` each app's own files), so the
//! registry, permissions and sandboxes work as they do hosted.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use kpio_app::Registry;
use kpio_vfs::{Backend, Handle, MemoryFs, MemoryLimits, MountId, OpenOptions, Vfs};

/// Why the home could not be set up.
#[derive(Debug)]
pub enum HomeError {
    Vfs(kpio_vfs::VfsError),
    Archive(kpio_vfs::tar::TarError),
    Registry(kpio_app::AppError),
}

impl core::fmt::Display for HomeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HomeError::Vfs(e) => write!(f, "the file system: {e}"),
            HomeError::Archive(e) => write!(f, "the ramdisk: {e}"),
            HomeError::Registry(e) => write!(f, "the app registry: {e}"),
        }
    }
}

pub struct Home {
    pub backend: Arc<dyn Backend>,
    pub vfs: Vfs,
    pub root: Handle,
    pub registry: Registry,
}

impl Home {
    /// Unpacks `archive` into a new in-memory file system of at most `capacity` bytes.
    pub fn from_archive(archive: &[u8], capacity: u64) -> Result<(Home, Unpacked), HomeError> {
        let limits = MemoryLimits {
            max_total_bytes: capacity,
            max_file_size: capacity,
            ..MemoryLimits::default()
        };
        let backend: Arc<dyn Backend> =
            Arc::new(MemoryFs::new(limits, Arc::new(crate::clock::realtime_ns)));
        let mut vfs = Vfs::with_root(backend.clone()).map_err(HomeError::Vfs)?;
        let root = vfs.open_root(MountId(0)).map_err(HomeError::Vfs)?;
        let unpacked =
            kpio_vfs::tar::unpack(&mut vfs, root, archive).map_err(HomeError::Archive)?;
        let registry = Registry::load(&mut vfs, root).map_err(HomeError::Registry)?;
        Ok((
            Home {
                backend,
                vfs,
                root,
                registry,
            },
            Unpacked {
                files: unpacked.files,
                bytes: unpacked.bytes,
            },
        ))
    }

    /// A whole file under the home.
    pub fn read(&mut self, path: &str) -> Result<Vec<u8>, kpio_vfs::VfsError> {
        let h = self.vfs.open(self.root, path, &OpenOptions::read())?;
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        let result = loop {
            match self.vfs.read(h, &mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => break Err(e),
            }
        };
        let _ = self.vfs.close(h);
        result.map(|()| out)
    }

    /// The installed apps' ids, in registry order.
    pub fn app_ids(&self) -> Vec<String> {
        self.registry.list().map(|d| d.app_id.clone()).collect()
    }
}

/// What the ramdisk held.
pub struct Unpacked {
    pub files: usize,
    pub bytes: u64,
}

/// The home, once booted: the desktop, the app syscalls and the boot plan share it.
static HOME: spin::Mutex<Option<Home>> = spin::Mutex::new(None);

/// Makes `home` the kernel's home.
pub fn install(home: Home) {
    *HOME.lock() = Some(home);
}

/// Runs `f` on the kernel's home (`None` before `install`). Held briefly: looking up an
/// app, reading and validating its module.
pub fn with<R>(f: impl FnOnce(&mut Home) -> R) -> Option<R> {
    HOME.lock().as_mut().map(f)
}

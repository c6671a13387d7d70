//! Where an app's web storage lives on the platform.
//!
//! An installed app `{id}` keeps, under the platform's root (`KPIO_HOME` when hosted):
//!
//! | path | what |
//! |---|---|
//! | `apps/storage/{id}/local_storage/` | `localStorage` (snapshot and journal) |
//! | `apps/storage/{id}/idb/` | IndexedDB |
//! | `apps/cache/{id}/caches/` | Cache Storage |
//! | `apps/cache/{id}/service_workers/` | service worker registrations and scripts |
//! | `apps/data/{id}/sync_tasks.json` | background sync tasks |
//!
//! Storage is what the app asked to keep (counted against its budget); the cache may be
//! rebuilt from the network; data is the platform's bookkeeping for the app.

use std::path::{Path, PathBuf};

/// An app's three directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDirs {
    pub storage: PathBuf,
    pub cache: PathBuf,
    pub data: PathBuf,
}

impl AppDirs {
    /// An installed app's directories under the platform's root.
    pub fn installed(root: &Path, id: &str) -> AppDirs {
        let apps = root.join("apps");
        AppDirs {
            storage: apps.join("storage").join(id),
            cache: apps.join("cache").join(id),
            data: apps.join("data").join(id),
        }
    }

    /// Everything in one directory (`kpio web run --storage DIR`).
    pub fn single(dir: &Path) -> AppDirs {
        AppDirs {
            storage: dir.to_owned(),
            cache: dir.to_owned(),
            data: dir.to_owned(),
        }
    }

    pub fn local_storage(&self) -> PathBuf {
        self.storage.join("local_storage")
    }

    pub fn indexed_db(&self) -> PathBuf {
        self.storage.join("idb")
    }

    pub fn caches(&self) -> PathBuf {
        self.cache.join("caches")
    }

    pub fn service_workers(&self) -> PathBuf {
        self.cache.join("service_workers")
    }

    pub fn sync_tasks(&self) -> PathBuf {
        self.data.join("sync_tasks.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installed_apps_directories_follow_the_platforms_layout() {
        let d = AppDirs::installed(Path::new("/home/k"), "org.example.notes");
        assert_eq!(
            d.local_storage(),
            Path::new("/home/k/apps/storage/org.example.notes/local_storage")
        );
        assert_eq!(
            d.indexed_db(),
            Path::new("/home/k/apps/storage/org.example.notes/idb")
        );
        assert_eq!(
            d.caches(),
            Path::new("/home/k/apps/cache/org.example.notes/caches")
        );
        assert_eq!(
            d.service_workers(),
            Path::new("/home/k/apps/cache/org.example.notes/service_workers")
        );
        assert_eq!(
            d.sync_tasks(),
            Path::new("/home/k/apps/data/org.example.notes/sync_tasks.json")
        );
    }
}

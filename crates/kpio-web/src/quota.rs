//! An app's storage budget, as `navigator.storage.estimate()` reports it: what each of
//! its stores uses, and the sum of their quotas.
//!
//! Each store enforces its own quota where it writes (Web Storage's 5 MiB of UTF-16 code
//! units, IndexedDB's share, Cache Storage's LRU budget); this is the view over them. The
//! plan's per-app budget is 50 MB for localStorage and IndexedDB together (5 + 45 MB),
//! with Cache Storage's 25 MB beside it.

use crate::web_storage::{AreaKind, WebStorage};
use std::rc::Rc;

/// A store that counts against the app's budget.
pub trait StorageUsage {
    /// The name `estimate()`'s `usageDetails` gives it (`indexedDB`, `caches`, ...).
    fn name(&self) -> &'static str;
    /// Bytes used now.
    fn usage(&self) -> u64;
    /// Bytes the store may use.
    fn quota(&self) -> u64;
}

impl StorageUsage for WebStorage {
    fn name(&self) -> &'static str {
        "localStorage"
    }

    fn usage(&self) -> u64 {
        // Two bytes per UTF-16 code unit, as the quota counts them; only `localStorage`
        // (sessionStorage lasts as long as the app runs and browsers leave it out too).
        self.read(AreaKind::Local, |a| a.used() as u64 * 2)
    }

    fn quota(&self) -> u64 {
        self.read(AreaKind::Local, |a| a.quota() as u64 * 2)
    }
}

impl StorageUsage for crate::CacheStore {
    fn name(&self) -> &'static str {
        "caches"
    }

    fn usage(&self) -> u64 {
        crate::CacheStore::usage(self)
    }

    fn quota(&self) -> u64 {
        self.budget()
    }
}

impl StorageUsage for crate::IndexedDbStore {
    fn name(&self) -> &'static str {
        "indexedDB"
    }

    fn usage(&self) -> u64 {
        crate::IndexedDbStore::usage(self)
    }

    fn quota(&self) -> u64 {
        crate::IndexedDbStore::quota(self)
    }
}

/// The app's stores, for `estimate()`.
#[derive(Clone, Default)]
pub struct StorageBudget {
    stores: Vec<Rc<dyn StorageUsage>>,
}

/// What `estimate()` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub usage: u64,
    pub quota: u64,
    /// Usage per store, stores using nothing left out (as Chromium does).
    pub details: Vec<(&'static str, u64)>,
}

impl StorageBudget {
    pub fn new() -> StorageBudget {
        StorageBudget::default()
    }

    /// Adds a store.
    pub fn with(mut self, store: Rc<dyn StorageUsage>) -> StorageBudget {
        self.stores.push(store);
        self
    }

    pub fn estimate(&self) -> Estimate {
        let mut e = Estimate {
            usage: 0,
            quota: 0,
            details: Vec::new(),
        };
        for s in &self.stores {
            let used = s.usage();
            e.usage += used;
            e.quota += s.quota();
            if used > 0 {
                e.details.push((s.name(), used));
            }
        }
        e
    }
}

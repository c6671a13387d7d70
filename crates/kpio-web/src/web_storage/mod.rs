//! Web Storage (HTML section 12.2): an app's `localStorage`, durable on disk, and its
//! `sessionStorage`, gone when the app exits, shared by the app's windows (realms) in
//! this process, with `storage` events delivered to the other windows.

mod area;
mod journal;

pub use area::{DEFAULT_QUOTA_UNITS, QuotaExceeded, StorageArea};
pub use journal::StorageError;

use journal::{Change, Journal};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::path::Path;
use std::rc::Rc;

/// Which of an app's two storage areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    Local,
    Session,
}

/// A change another window made, for a `storage` event. Keys and values are JSON string
/// literals (see [`StorageArea`]); `key` is `None` for `clear()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageChange {
    pub area: AreaKind,
    pub key: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub url: String,
}

pub(crate) type ChangeQueue = Rc<RefCell<VecDeque<StorageChange>>>;

/// Why a `setItem` did not happen.
#[derive(Debug)]
pub enum SetError {
    Quota(QuotaExceeded),
    Io(StorageError),
}

struct Local {
    area: StorageArea,
    journal: Option<Journal>,
}

/// One app's Web Storage, shared by the realms of its windows.
pub struct WebStorage {
    local: RefCell<Local>,
    session: RefCell<StorageArea>,
    windows: RefCell<Vec<(u64, ChangeQueue)>>,
    next_window: Cell<u64>,
}

impl WebStorage {
    /// The storage of an app whose `localStorage` lives in `dir` (the platform uses
    /// `/apps/storage/{id}/local_storage/`), each area with `quota_units` UTF-16 code
    /// units ([`DEFAULT_QUOTA_UNITS`]).
    pub fn open(dir: &Path, quota_units: usize) -> Result<Rc<WebStorage>, StorageError> {
        let (area, journal) = Journal::open(dir, quota_units)?;
        Ok(Self::with(area, Some(journal), quota_units))
    }

    /// Storage kept in memory only (tests, pages that are not installed apps).
    pub fn in_memory(quota_units: usize) -> Rc<WebStorage> {
        Self::with(StorageArea::new(quota_units), None, quota_units)
    }

    fn with(area: StorageArea, journal: Option<Journal>, quota_units: usize) -> Rc<WebStorage> {
        Rc::new(WebStorage {
            local: RefCell::new(Local { area, journal }),
            session: RefCell::new(StorageArea::new(quota_units)),
            windows: RefCell::new(Vec::new()),
            next_window: Cell::new(1),
        })
    }

    /// Makes every `localStorage` change so far durable across a power loss too.
    pub fn sync(&self) -> Result<(), StorageError> {
        match &mut self.local.borrow_mut().journal {
            Some(j) => j.sync(),
            None => Ok(()),
        }
    }

    /// The items of an area, as JSON string literals, in `key(n)` order.
    pub fn items(&self, kind: AreaKind) -> Vec<(String, String)> {
        self.read(kind, |a| {
            a.items()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
    }

    pub(crate) fn subscribe(&self) -> (u64, ChangeQueue) {
        let id = self.next_window.get();
        self.next_window.set(id + 1);
        let queue = ChangeQueue::default();
        self.windows.borrow_mut().push((id, queue.clone()));
        (id, queue)
    }

    pub(crate) fn unsubscribe(&self, id: u64) {
        self.windows.borrow_mut().retain(|(w, _)| *w != id);
    }

    pub(crate) fn read<R>(&self, kind: AreaKind, f: impl FnOnce(&StorageArea) -> R) -> R {
        match kind {
            AreaKind::Local => f(&self.local.borrow().area),
            AreaKind::Session => f(&self.session.borrow()),
        }
    }

    /// `setItem` from window `from`: whether anything changed.
    pub(crate) fn set(
        &self,
        from: u64,
        url: &str,
        kind: AreaKind,
        key: &str,
        value: &str,
    ) -> Result<bool, SetError> {
        let old = match kind {
            AreaKind::Local => {
                let mut local = self.local.borrow_mut();
                let local = &mut *local;
                if local.area.get(key) == Some(value) {
                    return Ok(false);
                }
                local.area.check_set(key, value).map_err(SetError::Quota)?;
                if let Some(j) = &mut local.journal {
                    persist(j, &local.area, &Change::Set { key, value }).map_err(SetError::Io)?;
                }
                local.area.set(key, value).map_err(SetError::Quota)?
            }
            AreaKind::Session => {
                let mut s = self.session.borrow_mut();
                if s.get(key) == Some(value) {
                    return Ok(false);
                }
                s.set(key, value).map_err(SetError::Quota)?
            }
        };
        self.broadcast(
            from,
            StorageChange {
                area: kind,
                key: Some(key.to_owned()),
                old_value: old,
                new_value: Some(value.to_owned()),
                url: url.to_owned(),
            },
        );
        Ok(true)
    }

    /// `removeItem`: whether the key was there.
    pub(crate) fn remove(
        &self,
        from: u64,
        url: &str,
        kind: AreaKind,
        key: &str,
    ) -> Result<bool, StorageError> {
        let old = match kind {
            AreaKind::Local => {
                let mut local = self.local.borrow_mut();
                let local = &mut *local;
                let Some(old) = local.area.get(key).map(str::to_owned) else {
                    return Ok(false);
                };
                if let Some(j) = &mut local.journal {
                    persist(j, &local.area, &Change::Remove { key })?;
                }
                local.area.remove(key);
                old
            }
            AreaKind::Session => match self.session.borrow_mut().remove(key) {
                Some(old) => old,
                None => return Ok(false),
            },
        };
        self.broadcast(
            from,
            StorageChange {
                area: kind,
                key: Some(key.to_owned()),
                old_value: Some(old),
                new_value: None,
                url: url.to_owned(),
            },
        );
        Ok(true)
    }

    /// `clear()`: whether there was anything.
    pub(crate) fn clear(&self, from: u64, url: &str, kind: AreaKind) -> Result<bool, StorageError> {
        match kind {
            AreaKind::Local => {
                let mut local = self.local.borrow_mut();
                let local = &mut *local;
                if local.area.is_empty() {
                    return Ok(false);
                }
                if let Some(j) = &mut local.journal {
                    persist(j, &local.area, &Change::Clear)?;
                }
                local.area.clear();
            }
            AreaKind::Session => {
                if !self.session.borrow_mut().clear() {
                    return Ok(false);
                }
            }
        }
        self.broadcast(
            from,
            StorageChange {
                area: kind,
                key: None,
                old_value: None,
                new_value: None,
                url: url.to_owned(),
            },
        );
        Ok(true)
    }

    /// Queues a `storage` event for every window but the one that made the change.
    fn broadcast(&self, from: u64, change: StorageChange) {
        for (id, queue) in self.windows.borrow().iter() {
            if *id != from {
                queue.borrow_mut().push_back(change.clone());
            }
        }
    }
}

/// Appends a change, compacting first when the journal has grown large. The change is
/// appended before memory changes, so a failed write leaves both as they were.
fn persist(j: &mut Journal, area: &StorageArea, change: &Change<'_>) -> Result<(), StorageError> {
    if j.wants_compaction(area) {
        j.compact(area)?;
    }
    j.append(change)
}

impl Drop for WebStorage {
    fn drop(&mut self) {
        let _ = self.sync();
    }
}

//! The Cache API's storage (Service Workers spec, section 5): an app's named caches of
//! request/response pairs, shared by its windows and workers in this process, kept on
//! disk in a crash-safe database (see [`db`]) or in memory.
//!
//! The prelude (`js/cache_storage.js`) has the API's object model; this module has what
//! needs the host: the name to cache map, each cache's request response list in order,
//! the spec's "Query Cache" and "Batch Cache Operations" (atomic: a batch is written in
//! one transaction or not at all), and the app's quota.
//!
//! Quota: an app may keep [`DEFAULT_BUDGET`] bytes (or what the host gives), counting
//! each entry as its response body plus its stored request and response metadata. When
//! a write would go past the budget, the least recently used entries (by their last put
//! or match, across all the app's caches, never the entries the write itself adds) are
//! evicted, in the same transaction, until it fits; a write whose own entries are larger
//! than the budget fails with `QuotaExceededError` and changes nothing. Recency is kept
//! in memory and written with the next write (or [`CacheStore::flush`], or when the
//! store is dropped), so a match does not wait for the disk; a crash forgets the matches
//! since the last write, never an entry.

mod db;
pub(crate) mod js;
mod matching;
mod record;

pub(crate) use matching::{Query, QueryOptions};
pub(crate) use record::{EntryRecord, HeaderList, RequestRecord, ResponseRecord};

use db::{Change, Db};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::rc::Rc;

/// An app's default budget for its caches: 25 MB.
pub const DEFAULT_BUDGET: u64 = 25 * 1000 * 1000;

/// Why the cache store could not be opened, read or written. Each names the store's file.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The file is not a cache store this build can read, or its contents are damaged.
    /// The store is refused, never emptied.
    #[error("{store}: the cache store is corrupt: {detail}")]
    Corrupt { store: String, detail: String },
    /// Another process has the store open.
    #[error("{store}: the cache store is in use by another process")]
    InUse { store: String },
    /// The file system failed.
    #[error("{store}: {what}: {source}")]
    Io {
        store: String,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The database failed in another way.
    #[error("{store}: {what}: {source}")]
    Db {
        store: String,
        what: &'static str,
        #[source]
        source: redb::Error,
    },
}

impl CacheError {
    fn from_redb(store: &str, what: &'static str, e: redb::Error) -> CacheError {
        match e {
            redb::Error::Corrupted(detail) => CacheError::Corrupt {
                store: store.to_owned(),
                detail,
            },
            redb::Error::DatabaseAlreadyOpen => CacheError::InUse {
                store: store.to_owned(),
            },
            // redb's word for a file that is not a database it can read.
            redb::Error::Io(source) if source.kind() == std::io::ErrorKind::InvalidData => {
                CacheError::Corrupt {
                    store: store.to_owned(),
                    detail: source.to_string(),
                }
            }
            redb::Error::Io(source) => CacheError::Io {
                store: store.to_owned(),
                what,
                source,
            },
            redb::Error::UpgradeRequired(v) => CacheError::Corrupt {
                store: store.to_owned(),
                detail: format!("the file needs a newer redb (file format {v})"),
            },
            source => CacheError::Db {
                store: store.to_owned(),
                what,
                source,
            },
        }
    }

    fn from_open(store: &str, e: redb::DatabaseError) -> CacheError {
        Self::from_redb(store, "opening the store", e.into())
    }
}

/// Why a batch of cache operations (put, delete, addAll) did not happen; the exception
/// the API rejects with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BatchError {
    #[error("{0}")]
    Type(String),
    #[error("{0}")]
    InvalidState(String),
    #[error(
        "the entries need {needed} bytes, more than the {budget} bytes this app's caches may use"
    )]
    Quota { needed: u64, budget: u64 },
    #[error(transparent)]
    Store(#[from] CacheError),
}

/// One cache batch operation.
pub(crate) enum BatchOp<'a> {
    Put {
        request: RequestRecord,
        response: ResponseRecord,
        body: &'a [u8],
    },
    Delete {
        query: Query,
        options: QueryOptions,
    },
}

/// An entry as kept in memory (its body stays on disk).
struct Entry {
    record: EntryRecord,
    /// Bytes it counts against the budget: record plus body.
    size: u64,
    /// The LRU clock's value at its last put or match.
    tick: u64,
}

struct State {
    db: Db,
    budget: u64,
    /// The name to cache map: cache id → name; id order is creation order.
    names: BTreeMap<u64, String>,
    /// Every entry, by id (insertion order), including those of doomed caches.
    entries: BTreeMap<u64, Entry>,
    /// Cache id → its entries in order, for live and doomed caches.
    lists: HashMap<u64, BTreeSet<u64>>,
    /// `Cache` objects alive, per cache id, in all realms.
    handles: HashMap<u64, usize>,
    usage: u64,
    next_id: u64,
    tick: u64,
    /// Entries matched since the last write, whose tick the disk does not have yet.
    touched: BTreeSet<u64>,
}

/// One app's caches, shared by the realms of its windows and workers.
pub struct CacheStore {
    state: RefCell<State>,
}

impl CacheStore {
    /// The store of an app whose caches live in `dir` (the platform uses
    /// `/apps/cache/{id}/`), with `budget` bytes ([`DEFAULT_BUDGET`]). A corrupt file is
    /// refused with [`CacheError::Corrupt`].
    pub fn open(dir: &Path, budget: u64) -> Result<Rc<CacheStore>, CacheError> {
        let (db, loaded) = Db::open(dir)?;
        Ok(Self::with(db, loaded, budget))
    }

    /// A store kept in memory only (tests, pages that are not installed apps).
    pub fn in_memory(budget: u64) -> Result<Rc<CacheStore>, CacheError> {
        let (db, loaded) = Db::in_memory()?;
        Ok(Self::with(db, loaded, budget))
    }

    fn with(db: Db, loaded: db::Loaded, budget: u64) -> Rc<CacheStore> {
        let mut lists: HashMap<u64, BTreeSet<u64>> = loaded
            .caches
            .keys()
            .map(|&id| (id, BTreeSet::new()))
            .collect();
        let mut entries = BTreeMap::new();
        let mut usage = 0;
        for (id, (record, meta, body, tick)) in loaded.entries {
            lists.entry(record.cache).or_default().insert(id);
            usage += meta + body;
            entries.insert(
                id,
                Entry {
                    record,
                    size: meta + body,
                    tick,
                },
            );
        }
        Rc::new(CacheStore {
            state: RefCell::new(State {
                db,
                budget,
                names: loaded.caches,
                entries,
                lists,
                handles: HashMap::new(),
                usage,
                next_id: loaded.next_id,
                tick: loaded.tick,
                touched: BTreeSet::new(),
            }),
        })
    }

    /// Bytes the app's caches use now (for `navigator.storage.estimate()`).
    pub fn usage(&self) -> u64 {
        self.state.borrow().usage
    }

    /// Bytes the app's caches may use.
    pub fn budget(&self) -> u64 {
        self.state.borrow().budget
    }

    /// The names of the caches, in creation order (`caches.keys()`), as JSON string
    /// literals (which keep the lone surrogates a name may have; as Web Storage's keys).
    pub fn cache_names(&self) -> Vec<String> {
        self.state.borrow().names.values().cloned().collect()
    }

    /// The request URLs of cache `name` (a JSON string literal, as [`Self::cache_names`]
    /// gives) in order, or `None` if there is no such cache.
    pub fn request_urls(&self, name: &str) -> Option<Vec<String>> {
        let s = self.state.borrow();
        let id = s.cache_id(name)?;
        Some(
            s.lists[&id]
                .iter()
                .map(|e| s.entries[e].record.request.url.clone())
                .collect(),
        )
    }

    /// Writes the recency of the entries matched since the last write, so eviction after
    /// a restart knows it.
    pub fn flush(&self) -> Result<(), CacheError> {
        let mut s = self.state.borrow_mut();
        if s.touched.is_empty() {
            return Ok(());
        }
        let change = s.change();
        s.db.apply(&change)?;
        s.touched.clear();
        Ok(())
    }

    /// `caches.has(name)`.
    pub(crate) fn has_cache(&self, name: &str) -> bool {
        self.state.borrow().cache_id(name).is_some()
    }

    /// `caches.open(name)`: the cache's id, made if it does not exist.
    pub(crate) fn open_cache(&self, name: &str) -> Result<u64, CacheError> {
        let mut s = self.state.borrow_mut();
        if let Some(id) = s.cache_id(name) {
            return Ok(id);
        }
        let id = s.next_id;
        s.next_id += 1;
        let mut change = s.change();
        change.add_caches.push((id, name.to_owned()));
        if let Err(e) = s.db.apply(&change) {
            s.next_id -= 1;
            return Err(e);
        }
        s.touched.clear();
        s.names.insert(id, name.to_owned());
        s.lists.insert(id, BTreeSet::new());
        Ok(id)
    }

    /// `caches.delete(name)`: whether there was such a cache. Its entries go now, or,
    /// while a `Cache` object still uses it, when the last one goes.
    pub(crate) fn delete_cache(&self, name: &str) -> Result<bool, CacheError> {
        let mut s = self.state.borrow_mut();
        let Some(id) = s.cache_id(name) else {
            return Ok(false);
        };
        let purge = s.handles.get(&id).copied().unwrap_or(0) == 0;
        let mut change = s.change();
        change.remove_caches.push(id);
        if purge {
            change.remove_entries = s.lists[&id].iter().copied().collect();
        }
        s.db.apply(&change)?;
        s.touched.clear();
        s.names.remove(&id);
        if purge {
            s.forget_cache(id);
        }
        Ok(true)
    }

    /// The ids of the caches, in creation order.
    pub(crate) fn cache_ids(&self) -> Vec<(u64, String)> {
        let s = self.state.borrow();
        s.names.iter().map(|(id, n)| (*id, n.clone())).collect()
    }

    /// The id of cache `name`.
    pub(crate) fn cache_id(&self, name: &str) -> Option<u64> {
        self.state.borrow().cache_id(name)
    }

    /// A `Cache` object for cache `id` was made.
    pub(crate) fn retain(&self, id: u64) {
        *self.state.borrow_mut().handles.entry(id).or_default() += 1;
    }

    /// A `Cache` object for cache `id` is gone; the last one of a deleted cache takes its
    /// entries with it. A failure to remove them now leaves them for the next open.
    pub(crate) fn release(&self, id: u64) {
        let mut s = self.state.borrow_mut();
        let Some(n) = s.handles.get_mut(&id) else {
            return;
        };
        *n -= 1;
        if *n > 0 {
            return;
        }
        s.handles.remove(&id);
        if s.names.contains_key(&id) || !s.lists.contains_key(&id) {
            return;
        }
        let mut change = s.change();
        change.remove_entries = s.lists[&id].iter().copied().collect();
        if s.db.apply(&change).is_ok() {
            s.touched.clear();
            s.forget_cache(id);
        }
    }

    /// "Query Cache" over cache `id` (every entry when `query` is `None`): the matching
    /// entries' ids in order; only the first with `first_only`.
    pub(crate) fn query(
        &self,
        id: u64,
        query: Option<&Query>,
        options: QueryOptions,
        first_only: bool,
    ) -> Vec<u64> {
        let s = self.state.borrow();
        let Some(list) = s.lists.get(&id) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in list {
            let entry = &s.entries[e];
            let hit = query.is_none_or(|q| {
                matching::matches(
                    q,
                    &entry.record.request,
                    Some(&entry.record.response),
                    options,
                )
            });
            if hit {
                out.push(*e);
                if first_only {
                    break;
                }
            }
        }
        out
    }

    /// Marks entries as just used (a match), for LRU eviction.
    pub(crate) fn touch(&self, ids: &[u64]) {
        let mut s = self.state.borrow_mut();
        for id in ids {
            s.tick += 1;
            let tick = s.tick;
            if let Some(e) = s.entries.get_mut(id) {
                e.tick = tick;
                s.touched.insert(*id);
            }
        }
    }

    /// Calls `f` with entry `id`'s record and its body read in place from the store
    /// (`None` for a response without a body).
    pub(crate) fn with_entry<R>(
        &self,
        id: u64,
        f: impl FnOnce(&EntryRecord, Option<&[u8]>) -> R,
    ) -> Result<Option<R>, CacheError> {
        let s = self.state.borrow();
        let Some(entry) = s.entries.get(&id) else {
            return Ok(None);
        };
        if !entry.record.response.has_body {
            return Ok(Some(f(&entry.record, None)));
        }
        s.db.with_body(id, |body| f(&entry.record, Some(body)))
            .map(Some)
    }

    /// Calls `f` with entry `id`'s record.
    pub(crate) fn with_record<R>(&self, id: u64, f: impl FnOnce(&EntryRecord) -> R) -> Option<R> {
        let s = self.state.borrow();
        s.entries.get(&id).map(|e| f(&e.record))
    }

    /// "Batch Cache Operations" on cache `id`: all of `ops` or, on an error, none. Returns
    /// how many entries the delete operations removed.
    pub(crate) fn batch(&self, id: u64, ops: &[BatchOp<'_>]) -> Result<usize, BatchError> {
        let mut s = self.state.borrow_mut();
        if !s.lists.contains_key(&id) {
            return Err(BatchError::InvalidState(
                "the cache no longer exists".into(),
            ));
        }
        let mut removed: BTreeSet<u64> = BTreeSet::new();
        let mut added: Vec<(EntryRecord, &[u8])> = Vec::new();
        let mut deleted = 0;
        for op in ops {
            let (query, options) = match op {
                BatchOp::Put { request, .. } => (Query::of(request), QueryOptions::default()),
                BatchOp::Delete { query, options } => (query.clone(), *options),
            };
            let duplicate = added
                .iter()
                .any(|(r, _)| matching::matches(&query, &r.request, Some(&r.response), options));
            if duplicate {
                return Err(BatchError::InvalidState(format!(
                    "the batch has two operations for {}",
                    query.url
                )));
            }
            let hits: Vec<u64> = s.lists[&id]
                .iter()
                .filter(|e| !removed.contains(e))
                .filter(|e| {
                    let r = &s.entries[e].record;
                    matching::matches(&query, &r.request, Some(&r.response), options)
                })
                .copied()
                .collect();
            match op {
                BatchOp::Delete { .. } => {
                    deleted += hits.len();
                    removed.extend(hits);
                }
                BatchOp::Put {
                    request,
                    response,
                    body,
                } => {
                    let scheme = request.url.split(':').next().unwrap_or("");
                    if scheme != "http" && scheme != "https" {
                        return Err(BatchError::Type(format!(
                            "Request scheme '{scheme}' is unsupported"
                        )));
                    }
                    if request.method != "GET" {
                        return Err(BatchError::Type(format!(
                            "Request method '{}' is unsupported",
                            request.method
                        )));
                    }
                    removed.extend(hits);
                    added.push((
                        EntryRecord {
                            cache: id,
                            request: request.clone(),
                            response: response.clone(),
                        },
                        body,
                    ));
                }
            }
        }
        if added.is_empty() && removed.is_empty() {
            return Ok(0);
        }

        let encoded: Vec<Vec<u8>> = added.iter().map(|(r, _)| r.encode()).collect();
        let sizes: Vec<u64> = added
            .iter()
            .zip(&encoded)
            .map(|((_, body), rec)| (rec.len() + body.len()) as u64)
            .collect();
        let added_size: u64 = sizes.iter().sum();
        if added_size > s.budget {
            return Err(BatchError::Quota {
                needed: added_size,
                budget: s.budget,
            });
        }
        let freed: u64 = removed.iter().map(|e| s.entries[e].size).sum();
        let mut usage = s.usage - freed + added_size;
        let mut evicted = Vec::new();
        if usage > s.budget {
            // Least recently used first; equal ticks (never matched since an old store
            // was loaded) in insertion order.
            let mut candidates: Vec<(u64, u64, u64)> = s
                .entries
                .iter()
                .filter(|(e, _)| !removed.contains(e))
                .map(|(e, entry)| (entry.tick, *e, entry.size))
                .collect();
            candidates.sort_unstable();
            for (_, e, size) in candidates {
                if usage <= s.budget {
                    break;
                }
                usage -= size;
                evicted.push(e);
            }
        }

        let mut change = s.change();
        change.remove_entries = removed.iter().chain(&evicted).copied().collect();
        let mut next_id = s.next_id;
        let mut tick = s.tick;
        let mut new_ids = Vec::with_capacity(added.len());
        for ((_, body), rec) in added.iter().zip(encoded) {
            tick += 1;
            change.add_entries.push((next_id, rec, body, tick));
            new_ids.push((next_id, tick));
            next_id += 1;
        }
        change.next_id = next_id;
        change.tick = tick;
        s.db.apply(&change)?;

        s.touched.clear();
        s.next_id = next_id;
        s.tick = tick;
        for e in removed.iter().chain(&evicted) {
            s.remove_entry(*e);
        }
        for (((record, _), (e, tick)), size) in added.into_iter().zip(new_ids).zip(sizes) {
            s.usage += size;
            s.lists.entry(id).or_default().insert(e);
            s.entries.insert(e, Entry { record, size, tick });
        }
        Ok(deleted)
    }
}

impl State {
    fn cache_id(&self, name: &str) -> Option<u64> {
        self.names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(id, _)| *id)
    }

    /// A change that writes the pending recency and the counters, to be filled in.
    fn change<'a>(&self) -> Change<'a> {
        Change {
            ticks: self
                .touched
                .iter()
                .filter_map(|e| self.entries.get(e).map(|entry| (*e, entry.tick)))
                .collect(),
            next_id: self.next_id,
            tick: self.tick,
            ..Change::default()
        }
    }

    fn remove_entry(&mut self, e: u64) {
        if let Some(entry) = self.entries.remove(&e) {
            self.usage -= entry.size;
            if let Some(list) = self.lists.get_mut(&entry.record.cache) {
                list.remove(&e);
            }
        }
    }

    fn forget_cache(&mut self, id: u64) {
        if let Some(list) = self.lists.remove(&id) {
            for e in list {
                if let Some(entry) = self.entries.remove(&e) {
                    self.usage -= entry.size;
                }
            }
        }
    }
}

impl Drop for CacheStore {
    fn drop(&mut self) {
        // Best effort: recency not written is only a less exact eviction order later.
        let _ = self.flush();
    }
}

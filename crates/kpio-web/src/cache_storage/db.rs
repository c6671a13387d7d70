//! The cache store on disk: one redb database file (`caches.redb`) whose write
//! transactions are atomic and durable, so a batch of cache operations is on disk whole
//! or not at all, whenever the process dies.
//!
//! Tables:
//! - `meta`: `version`, `next_id` (the next cache or entry id), `tick` (the LRU clock).
//! - `caches`: cache id → name; ids grow, so id order is the order caches were made.
//! - `entries`: entry id → [`EntryRecord`]; id order is insertion order.
//! - `bodies`: entry id → the response body's bytes.
//! - `lru`: entry id → the tick of its last put or match.
//!
//! A cache that `caches.delete()` removed while a `Cache` object still used it leaves
//! the `caches` table at once but keeps its entries until no object uses it; entries
//! whose cache is not in `caches` (left by a process that died first) are removed when
//! the store is opened.

use super::CacheError;
use super::record::EntryRecord;
use redb::backends::InMemoryBackend;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::collections::BTreeMap;
use std::path::Path;

const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const CACHES: TableDefinition<u64, &str> = TableDefinition::new("caches");
const ENTRIES: TableDefinition<u64, &[u8]> = TableDefinition::new("entries");
const BODIES: TableDefinition<u64, &[u8]> = TableDefinition::new("bodies");
const LRU: TableDefinition<u64, u64> = TableDefinition::new("lru");

/// The store's format version, in `meta`.
const FORMAT: u64 = 1;

/// redb's page cache: enough for the hot entries of a 25 MB budget; the OS caches the rest.
const PAGE_CACHE: usize = 16 << 20;

/// The file a store directory holds.
pub(crate) const FILE_NAME: &str = "caches.redb";

/// What the store held when it was opened.
pub(crate) struct Loaded {
    pub(crate) next_id: u64,
    pub(crate) tick: u64,
    /// Cache id → name.
    pub(crate) caches: BTreeMap<u64, String>,
    /// Entry id → (record, its encoded size, body size, last-used tick).
    pub(crate) entries: BTreeMap<u64, (EntryRecord, u64, u64, u64)>,
}

/// One write transaction's changes, applied all at once.
#[derive(Default)]
pub(crate) struct Change<'a> {
    pub(crate) add_caches: Vec<(u64, String)>,
    pub(crate) remove_caches: Vec<u64>,
    pub(crate) remove_entries: Vec<u64>,
    /// (id, encoded record, body, tick).
    pub(crate) add_entries: Vec<(u64, Vec<u8>, &'a [u8], u64)>,
    /// Entry id → tick, for entries matched since the last write.
    pub(crate) ticks: Vec<(u64, u64)>,
    pub(crate) next_id: u64,
    pub(crate) tick: u64,
}

/// The database, and the name errors give it.
pub(crate) struct Db {
    db: Database,
    /// The file (or "an in-memory cache store"), for error messages.
    pub(crate) name: String,
}

impl Db {
    /// Opens (or makes) `dir/caches.redb`, checking every page's checksum first.
    pub(crate) fn open(dir: &Path) -> Result<(Db, Loaded), CacheError> {
        std::fs::create_dir_all(dir).map_err(|source| CacheError::Io {
            store: dir.display().to_string(),
            what: "making the directory",
            source,
        })?;
        let path = dir.join(FILE_NAME);
        let name = path.display().to_string();
        crate::redb_file::create_whole(&path).map_err(|source| CacheError::Io {
            store: name.clone(),
            what: "creating the store",
            source,
        })?;
        let db = builder()
            .create(&path)
            .map_err(|e| CacheError::from_open(&name, e))?;
        Db { db, name }.load()
    }

    /// A store in memory only.
    pub(crate) fn in_memory() -> Result<(Db, Loaded), CacheError> {
        let name = "an in-memory cache store".to_owned();
        let db = builder()
            .create_with_backend(InMemoryBackend::new())
            .map_err(|e| CacheError::from_open(&name, e))?;
        Db { db, name }.load()
    }

    fn err(&self, what: &'static str) -> impl Fn(redb::Error) -> CacheError + '_ {
        move |e| CacheError::from_redb(&self.name, what, e)
    }

    /// Reads everything but the bodies; makes the tables of a new store, and removes the
    /// entries of caches that are gone.
    fn load(self) -> Result<(Db, Loaded), CacheError> {
        let opening = "opening the store";
        let txn = self
            .db
            .begin_write()
            .map_err(|e| self.err(opening)(e.into()))?;
        let mut loaded = Loaded {
            next_id: 1,
            tick: 0,
            caches: BTreeMap::new(),
            entries: BTreeMap::new(),
        };
        let mut orphans = Vec::new();
        {
            let e = |e: redb::TableError| self.err(opening)(e.into());
            let s = |e: redb::StorageError| self.err(opening)(e.into());
            let mut meta = txn.open_table(META).map_err(e)?;
            let version = meta.get("version").map_err(s)?.map(|v| v.value());
            match version {
                None => {
                    meta.insert("version", FORMAT).map_err(s)?;
                }
                Some(FORMAT) => {}
                Some(v) => {
                    return Err(CacheError::Corrupt {
                        store: self.name.clone(),
                        detail: format!("format version {v}, this build reads version {FORMAT}"),
                    });
                }
            }
            loaded.next_id = meta.get("next_id").map_err(s)?.map_or(1, |v| v.value());
            loaded.tick = meta.get("tick").map_err(s)?.map_or(0, |v| v.value());
            let caches = txn.open_table(CACHES).map_err(e)?;
            for row in caches.iter().map_err(s)? {
                let (id, name) = row.map_err(s)?;
                loaded.caches.insert(id.value(), name.value().to_owned());
            }
            let entries = txn.open_table(ENTRIES).map_err(e)?;
            let bodies = txn.open_table(BODIES).map_err(e)?;
            let lru = txn.open_table(LRU).map_err(e)?;
            for row in entries.iter().map_err(s)? {
                let (id, bytes) = row.map_err(s)?;
                let id = id.value();
                let bytes = bytes.value();
                let record = EntryRecord::decode(bytes).map_err(|detail| CacheError::Corrupt {
                    store: self.name.clone(),
                    detail: format!("entry {id}: {detail}"),
                })?;
                let body = bodies
                    .get(id)
                    .map_err(s)?
                    .map_or(0, |b| b.value().len() as u64);
                let tick = lru.get(id).map_err(s)?.map_or(0, |t| t.value());
                if id >= loaded.next_id || record.cache >= loaded.next_id {
                    return Err(CacheError::Corrupt {
                        store: self.name.clone(),
                        detail: format!(
                            "entry {id} is past the store's next id {}",
                            loaded.next_id
                        ),
                    });
                }
                if !loaded.caches.contains_key(&record.cache) {
                    orphans.push(id);
                    continue;
                }
                loaded
                    .entries
                    .insert(id, (record, bytes.len() as u64, body, tick));
            }
        }
        {
            let s = |e: redb::StorageError| self.err(opening)(e.into());
            let e = |e: redb::TableError| self.err(opening)(e.into());
            let mut entries = txn.open_table(ENTRIES).map_err(e)?;
            let mut bodies = txn.open_table(BODIES).map_err(e)?;
            let mut lru = txn.open_table(LRU).map_err(e)?;
            for id in orphans {
                entries.remove(id).map_err(s)?;
                bodies.remove(id).map_err(s)?;
                lru.remove(id).map_err(s)?;
            }
        }
        txn.commit().map_err(|e| self.err(opening)(e.into()))?;
        Ok((self, loaded))
    }

    /// Applies `change` in one durable transaction: all of it or, on an error, none.
    pub(crate) fn apply(&self, change: &Change<'_>) -> Result<(), CacheError> {
        let what = "writing to the store";
        let err = self.err(what);
        let txn = self.db.begin_write().map_err(|e| err(e.into()))?;
        {
            let s = |e: redb::StorageError| err(e.into());
            let t = |e: redb::TableError| err(e.into());
            let mut caches = txn.open_table(CACHES).map_err(t)?;
            for id in &change.remove_caches {
                caches.remove(*id).map_err(s)?;
            }
            for (id, name) in &change.add_caches {
                caches.insert(*id, name.as_str()).map_err(s)?;
            }
            let mut entries = txn.open_table(ENTRIES).map_err(t)?;
            let mut bodies = txn.open_table(BODIES).map_err(t)?;
            let mut lru = txn.open_table(LRU).map_err(t)?;
            for id in &change.remove_entries {
                entries.remove(*id).map_err(s)?;
                bodies.remove(*id).map_err(s)?;
                lru.remove(*id).map_err(s)?;
            }
            for (id, record, body, tick) in &change.add_entries {
                entries.insert(*id, record.as_slice()).map_err(s)?;
                bodies.insert(*id, *body).map_err(s)?;
                lru.insert(*id, *tick).map_err(s)?;
            }
            for (id, tick) in &change.ticks {
                // An entry matched, then removed by this change, keeps no tick.
                if entries.get(*id).map_err(s)?.is_some() {
                    lru.insert(*id, *tick).map_err(s)?;
                }
            }
            let mut meta = txn.open_table(META).map_err(t)?;
            meta.insert("next_id", change.next_id).map_err(s)?;
            meta.insert("tick", change.tick).map_err(s)?;
        }
        txn.commit().map_err(|e| err(e.into()))
    }

    /// Calls `f` with the body of entry `id` (empty when it has none), read in place.
    pub(crate) fn with_body<R>(
        &self,
        id: u64,
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, CacheError> {
        let what = "reading a response body";
        let err = self.err(what);
        let txn = self.db.begin_read().map_err(|e| err(e.into()))?;
        let bodies = txn.open_table(BODIES).map_err(|e| err(e.into()))?;
        let body = bodies.get(id).map_err(|e| err(e.into()))?;
        Ok(match body {
            Some(b) => f(b.value()),
            None => f(&[]),
        })
    }
}

fn builder() -> redb::Builder {
    let mut b = Database::builder();
    // A file changed behind redb's back fails to open with `Corrupted` instead of being
    // trusted (where a plain open may panic on a bad page).
    b.set_check_integrity_on_open(true);
    b.set_cache_size(PAGE_CACHE);
    b
}

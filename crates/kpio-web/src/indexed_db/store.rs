//! An origin's IndexedDB data in one redb database: the records, the index entries, the
//! key generators, each database's schema (its catalog) and the bytes used, all changed
//! inside redb transactions, so a crash leaves the state before or after a commit.
//!
//! Tables (every key starts with the 8-byte big-endian id of the object store or index,
//! ids never reused):
//! - `records`: `store id ++ key` to the record: its index entries (so they can be
//!   removed when the record is), then the serialised value;
//! - `indexes`: `index id ++ index key ++ primary key` to nothing;
//! - `meta`: `db:<name as a JSON literal>` to the catalog (JSON the prelude writes),
//!   `gen:<store id>` to the key generator's current number, `next-id`, `usage`.

use super::connections::Connections;
use super::key::Key;
use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction,
};
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::rc::Rc;

const RECORDS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("records");
const INDEXES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("indexes");
const META: TableDefinition<&[u8], &[u8]> = TableDefinition::new("meta");

/// The file name of an origin's IndexedDB data inside the directory the host gives.
pub const FILE_NAME: &str = "indexeddb.redb";

/// The default byte budget: IndexedDB's share (45 MB) of an app's 50 MB.
pub const DEFAULT_QUOTA: u64 = 45_000_000;

/// The largest key generator number (2^53): past it, generating a key fails.
const MAX_GENERATED: f64 = 9_007_199_254_740_992.0;

/// What went wrong in the store. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum IdbError {
    #[error("IndexedDB store {file}: {source}")]
    Store {
        file: String,
        #[source]
        source: Box<redb::Error>,
    },
    #[error("IndexedDB store {file}: cannot create the directory: {source}")]
    Dir {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("IndexedDB store {file} is corrupt: {what}")]
    Corrupt { file: String, what: String },
    #[error("IndexedDB store {file}: no transaction {id}")]
    NoTransaction { file: String, id: u32 },
    #[error("IndexedDB store {file}: transaction {id} is read-only")]
    ReadOnly { file: String, id: u32 },
}

/// Why a write was refused (the request fails with that error; the store is unchanged).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// `add()` of an existing key, or a unique index's key already used.
    #[error("{0}")]
    Constraint(String),
    #[error("the write needs {needed} bytes, over the quota of {quota}")]
    Quota { needed: u64, quota: u64 },
    #[error(transparent)]
    Store(#[from] IdbError),
}

/// An index's keys for one record.
#[derive(Debug, Clone)]
pub struct IndexKeys {
    pub index: u64,
    pub unique: bool,
    /// The index keys (several for a multiEntry index; repeats are stored once).
    pub keys: Vec<Key>,
}

/// What a scan reads: an object store's records, or an index's entries (with the records
/// of its object store).
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Store(u64),
    Index { index: u64, store: u64 },
}

impl Source {
    fn id(self) -> u64 {
        match self {
            Source::Store(id) | Source::Index { index: id, .. } => id,
        }
    }
}

/// One bound of a scan: keys on this side of `key` (and, for an index, of the pair
/// (`key`, `primary`) when `primary` is given).
#[derive(Debug, Clone)]
pub struct Limit {
    pub key: Key,
    pub primary: Option<Key>,
    /// An upper bound (else a lower one).
    pub upper: bool,
    /// `key` itself is left out.
    pub open: bool,
}

/// A scan of a source in key order (then primary key order for an index).
#[derive(Debug, Clone)]
pub struct Scan {
    pub source: Source,
    pub limits: Vec<Limit>,
    pub reverse: bool,
    /// One entry per distinct key: the one with the lowest primary key.
    pub unique: bool,
    /// Entries (or distinct keys) passed over before the first one returned.
    pub skip: u64,
    /// At most this many entries.
    pub count: Option<u64>,
    /// Read the records' values too.
    pub values: bool,
}

/// An entry a scan found.
#[derive(Debug, Clone)]
pub struct Found {
    pub key: Key,
    /// The record's key (the same as `key` for an object store).
    pub primary: Key,
    pub value: Option<Vec<u8>>,
}

enum Txn {
    Read(ReadTransaction),
    Write {
        tx: Box<WriteTransaction>,
        usage: u64,
    },
}

/// What the app's other stores use now, in bytes.
pub type OthersUsage = Rc<dyn Fn() -> u64>;

/// An origin's IndexedDB storage, shared by the realms of the app. Opened lazily: a
/// corrupt file is found (and reported as [`IdbError`]) at the first use.
pub struct IndexedDbStore {
    path: Option<PathBuf>,
    quota: u64,
    /// The app's budget shared with its other stores, and what they use now (see
    /// [`IndexedDbStore::share_budget`]).
    shared: RefCell<Option<(u64, OthersUsage)>>,
    db: OnceCell<Database>,
    /// Open transactions, each with the owner (a realm) that began it.
    txns: RefCell<HashMap<u32, (u64, Txn)>>,
    next_txn: Cell<u32>,
    next_owner: Cell<u64>,
    usage: Cell<u64>,
    /// The last store error the page was told about (as UnknownError), for the host.
    last_error: RefCell<Option<String>>,
    connections: Connections,
}

impl std::fmt::Debug for IndexedDbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexedDbStore")
            .field("file", &self.file())
            .field("quota", &self.quota)
            .finish()
    }
}

/// The generator's number after `n`: past 2^53, where `n + 1` would round back to `n`,
/// a number above the limit, so the next generation fails.
fn after(n: f64) -> f64 {
    if n >= MAX_GENERATED {
        MAX_GENERATED * 2.0
    } else {
        n + 1.0
    }
}

fn u64_be(b: &[u8]) -> u64 {
    let mut raw = [0u8; 8];
    let n = b.len().min(8);
    raw[..n].copy_from_slice(&b[..n]);
    u64::from_be_bytes(raw)
}

/// Appends `bytes` with its length.
fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// A record's stored form: its index entries (full `indexes` keys), then the value.
fn encode_record(entries: &[Vec<u8>], value: &[u8]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(8 + value.len() + entries.iter().map(|e| e.len() + 4).sum::<usize>());
    out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    for e in entries {
        put_bytes(&mut out, e);
    }
    out.extend_from_slice(value);
    out
}

/// Splits a stored record into its index entries and its value; `None` when malformed.
fn decode_record(b: &[u8]) -> Option<(Vec<&[u8]>, &[u8])> {
    let n = u32::from_be_bytes(b.get(..4)?.try_into().ok()?) as usize;
    let mut at = 4;
    let mut entries = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        let len = u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize;
        at += 4;
        entries.push(b.get(at..at.checked_add(len)?)?);
        at += len;
    }
    Some((entries, &b[at..]))
}

fn prefix(id: u64) -> Vec<u8> {
    id.to_be_bytes().to_vec()
}

/// A range of table keys: its lower and upper bound.
type Bounds = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// The bounds a scan's limits give inside `id`'s key space; `None` when empty.
fn bounds(id: u64, limits: &[Limit]) -> Option<Bounds> {
    let mut lower = Bound::Included(prefix(id));
    let mut upper = match id.checked_add(1) {
        Some(next) => Bound::Excluded(prefix(next)),
        None => Bound::Unbounded,
    };
    for l in limits {
        let mut b = prefix(id);
        l.key.encode_into(&mut b);
        let bound = match (&l.primary, l.upper, l.open) {
            (Some(p), _, open) => {
                p.encode_into(&mut b);
                if open {
                    Bound::Excluded(b)
                } else {
                    Bound::Included(b)
                }
            }
            // key > K: everything past K and all its entries (0xFF is above every tag).
            (None, false, true) => {
                b.push(0xFF);
                Bound::Included(b)
            }
            (None, false, false) => Bound::Included(b),
            (None, true, false) => {
                b.push(0xFF);
                Bound::Excluded(b)
            }
            (None, true, true) => Bound::Excluded(b),
        };
        if l.upper {
            if tighter(&bound, &upper, true) {
                upper = bound;
            }
        } else if tighter(&bound, &lower, false) {
            lower = bound;
        }
    }
    let empty = match (&lower, &upper) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
            a >= b
        }
        _ => false,
    };
    (!empty).then_some((lower, upper))
}

/// Whether bound `a` leaves out more than `b` (as an upper bound when `upper`).
fn tighter(a: &Bound<Vec<u8>>, b: &Bound<Vec<u8>>, upper: bool) -> bool {
    use std::cmp::Ordering::*;
    let (av, ae) = match a {
        Bound::Included(v) => (v, false),
        Bound::Excluded(v) => (v, true),
        Bound::Unbounded => return false,
    };
    let (bv, be) = match b {
        Bound::Included(v) => (v, false),
        Bound::Excluded(v) => (v, true),
        Bound::Unbounded => return true,
    };
    match av.cmp(bv) {
        Equal => ae && !be,
        Greater => !upper,
        Less => upper,
    }
}

/// Runs `$body` with `$rec`, `$idx` and `$meta` bound to the transaction's tables, for
/// either kind of transaction (their table types differ but both are readable).
macro_rules! with_tables {
    ($self:expr, $txn:expr, |$rec:ident, $idx:ident, $meta:ident| $body:expr) => {{
        let txns = $self.txns.borrow();
        let (_, txn) = txns.get(&$txn).ok_or_else(|| IdbError::NoTransaction {
            file: $self.file(),
            id: $txn,
        })?;
        match txn {
            Txn::Read(tx) => {
                let $rec = tx.open_table(RECORDS).map_err(|e| $self.err(e))?;
                let $idx = tx.open_table(INDEXES).map_err(|e| $self.err(e))?;
                let $meta = tx.open_table(META).map_err(|e| $self.err(e))?;
                $body
            }
            Txn::Write { tx, .. } => {
                let $rec = tx.open_table(RECORDS).map_err(|e| $self.err(e))?;
                let $idx = tx.open_table(INDEXES).map_err(|e| $self.err(e))?;
                let $meta = tx.open_table(META).map_err(|e| $self.err(e))?;
                $body
            }
        }
    }};
}

impl IndexedDbStore {
    /// The store of an origin whose IndexedDB data lives in `dir` (the file
    /// [`FILE_NAME`] there), with a budget of `quota` bytes ([`DEFAULT_QUOTA`]). The
    /// file is opened at the first use; [`IndexedDbStore::check`] opens it now.
    pub fn open(dir: &Path, quota: u64) -> Rc<IndexedDbStore> {
        Self::with(Some(dir.join(FILE_NAME)), quota)
    }

    /// A store kept in memory only (tests, pages that are not installed apps).
    pub fn in_memory(quota: u64) -> Rc<IndexedDbStore> {
        Self::with(None, quota)
    }

    fn with(path: Option<PathBuf>, quota: u64) -> Rc<IndexedDbStore> {
        Rc::new(IndexedDbStore {
            path,
            quota,
            shared: RefCell::new(None),
            db: OnceCell::new(),
            txns: RefCell::new(HashMap::new()),
            next_txn: Cell::new(1),
            next_owner: Cell::new(1),
            usage: Cell::new(0),
            last_error: RefCell::new(None),
            connections: Connections::default(),
        })
    }

    /// The file's path, or `(in memory)`.
    pub fn file(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => "(in memory)".into(),
        }
    }

    fn err(&self, e: impl Into<redb::Error>) -> IdbError {
        IdbError::Store {
            file: self.file(),
            source: Box::new(e.into()),
        }
    }

    fn corrupt(&self, what: impl Into<String>) -> IdbError {
        IdbError::Corrupt {
            file: self.file(),
            what: what.into(),
        }
    }

    /// Opens the file now (creating it when missing): an error names the file.
    pub fn check(&self) -> Result<(), IdbError> {
        self.db().map(|_| ())
    }

    fn db(&self) -> Result<&Database, IdbError> {
        if let Some(db) = self.db.get() {
            return Ok(db);
        }
        let db = match &self.path {
            Some(p) => {
                if let Some(dir) = p.parent() {
                    std::fs::create_dir_all(dir).map_err(|source| IdbError::Dir {
                        file: self.file(),
                        source,
                    })?;
                }
                crate::redb_file::create_whole(p).map_err(|source| IdbError::Dir {
                    file: self.file(),
                    source,
                })?;
                Database::create(p).map_err(|e| self.err(e))?
            }
            None => Database::builder()
                .create_with_backend(redb::backends::InMemoryBackend::new())
                .map_err(|e| self.err(e))?,
        };
        // The tables exist from the start, so read transactions can always open them.
        let tx = db.begin_write().map_err(|e| self.err(e))?;
        let usage = {
            tx.open_table(RECORDS).map_err(|e| self.err(e))?;
            tx.open_table(INDEXES).map_err(|e| self.err(e))?;
            let meta = tx.open_table(META).map_err(|e| self.err(e))?;
            let usage = meta.get(b"usage".as_slice()).map_err(|e| self.err(e))?;
            match usage {
                Some(v) if v.value().len() == 8 => u64_be(v.value()),
                Some(_) => return Err(self.corrupt("the usage counter is malformed")),
                None => 0,
            }
        };
        tx.commit().map_err(|e| self.err(e))?;
        self.usage.set(usage);
        Ok(self.db.get_or_init(|| db))
    }

    /// Bytes the origin's IndexedDB data takes (keys, values and index entries, as
    /// committed), for `navigator.storage.estimate()`.
    pub fn usage(&self) -> u64 {
        // The count is read from the file when it is opened (an error is left for the
        // first real use to report).
        let _ = self.db();
        self.usage.get()
    }

    /// Keeps a store error the page saw as `UnknownError`, for the host.
    pub(crate) fn note_error(&self, e: &IdbError) {
        *self.last_error.borrow_mut() = Some(e.to_string());
    }

    /// The last store error the page saw (as `UnknownError`) since the last call: the
    /// Rust error's text, naming the file.
    pub fn take_error(&self) -> Option<String> {
        self.last_error.borrow_mut().take()
    }

    /// The byte budget.
    /// Makes IndexedDB share `budget` bytes with the app's other stores, which use
    /// `others()` bytes now: a write past either this store's quota or what the others
    /// leave of the budget fails. (The plan's per-app budget: 50 MB for `localStorage` and
    /// IndexedDB together.)
    pub fn share_budget(&self, budget: u64, others: OthersUsage) {
        *self.shared.borrow_mut() = Some((budget, others));
    }

    /// What a write may bring this store's usage to now: its quota, or less when the
    /// app's shared budget has less left.
    fn effective_quota(&self) -> u64 {
        match &*self.shared.borrow() {
            Some((budget, others)) => self.quota.min(budget.saturating_sub(others())),
            None => self.quota,
        }
    }

    pub fn quota(&self) -> u64 {
        self.quota
    }

    /// A new owner id for [`IndexedDbStore::begin`] (one per realm).
    pub fn new_owner(&self) -> u64 {
        let id = self.next_owner.get();
        self.next_owner.set(id + 1);
        id
    }

    /// The open connections of the realms sharing this store.
    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    /// Ends every transaction `owner` began, uncommitted, and forgets its connections: a
    /// realm that goes away (or was stopped) leaves no writer holding the store and
    /// blocks no version change.
    pub fn release(&self, owner: u64) {
        self.connections.release(owner);
        let ids: Vec<u32> = self
            .txns
            .borrow()
            .iter()
            .filter(|(_, (o, _))| *o == owner)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let _ = self.abort(id);
        }
    }

    /// Begins a transaction for `owner`: `Ok(None)` when a write transaction is asked
    /// for while another (of another realm sharing the store) is open.
    pub fn begin(&self, write: bool, owner: u64) -> Result<Option<u32>, IdbError> {
        let db = self.db()?;
        let txn = if write {
            let mut tx = match db.try_begin_write() {
                Ok(tx) => tx,
                Err(redb::TransactionError::WouldBlock) => return Ok(None),
                Err(e) => return Err(self.err(e)),
            };
            // A commit is on disk when commit() returns: the page's `complete` event
            // means the data survives a crash.
            tx.set_durability(redb::Durability::Immediate)
                .map_err(|e| self.corrupt(format!("cannot set durability: {e}")))?;
            Txn::Write {
                tx: Box::new(tx),
                usage: self.usage.get(),
            }
        } else {
            Txn::Read(db.begin_read().map_err(|e| self.err(e))?)
        };
        let id = self.next_txn.get();
        self.next_txn.set(id.wrapping_add(1).max(1));
        self.txns.borrow_mut().insert(id, (owner, txn));
        Ok(Some(id))
    }

    /// Commits (a write transaction, durably) or ends (a read one) transaction `id`.
    pub fn commit(&self, id: u32) -> Result<(), IdbError> {
        let txn = self.txns.borrow_mut().remove(&id).map(|(_, t)| t);
        match txn {
            Some(Txn::Write { tx, usage }) => {
                {
                    let mut meta = tx.open_table(META).map_err(|e| self.err(e))?;
                    meta.insert(b"usage".as_slice(), usage.to_be_bytes().as_slice())
                        .map_err(|e| self.err(e))?;
                }
                tx.commit().map_err(|e| self.err(e))?;
                self.usage.set(usage);
                Ok(())
            }
            Some(Txn::Read(_)) => Ok(()),
            None => Err(IdbError::NoTransaction {
                file: self.file(),
                id,
            }),
        }
    }

    /// Abandons transaction `id`: none of its writes happened.
    pub fn abort(&self, id: u32) -> Result<(), IdbError> {
        let txn = self.txns.borrow_mut().remove(&id).map(|(_, t)| t);
        match txn {
            Some(Txn::Write { tx, .. }) => tx.abort().map_err(|e| self.err(e)),
            _ => Ok(()),
        }
    }

    /// Runs `f` on a write transaction's tables and usage counter.
    fn write<R>(
        &self,
        id: u32,
        f: impl FnOnce(&mut WriteTables<'_>) -> Result<R, WriteError>,
    ) -> Result<R, WriteError> {
        let mut txns = self.txns.borrow_mut();
        let (_, txn) = txns.get_mut(&id).ok_or_else(|| IdbError::NoTransaction {
            file: self.file(),
            id,
        })?;
        let Txn::Write { tx, usage } = txn else {
            return Err(IdbError::ReadOnly {
                file: self.file(),
                id,
            }
            .into());
        };
        let mut t = WriteTables {
            records: tx.open_table(RECORDS).map_err(|e| self.err(e))?,
            indexes: tx.open_table(INDEXES).map_err(|e| self.err(e))?,
            meta: tx.open_table(META).map_err(|e| self.err(e))?,
            usage: *usage,
            quota: self.effective_quota(),
            store: self,
        };
        let r = f(&mut t)?;
        *usage = t.usage;
        Ok(r)
    }

    /// A meta entry as of transaction `id`.
    pub fn meta_get(&self, id: u32, key: &str) -> Result<Option<Vec<u8>>, IdbError> {
        with_tables!(self, id, |_rec, _idx, meta| {
            let v = meta.get(key.as_bytes()).map_err(|e| self.err(e))?;
            Ok(v.map(|v| v.value().to_vec()))
        })
    }

    /// The meta entries whose names start with `start`, as of transaction `id`.
    pub fn meta_list(&self, id: u32, start: &str) -> Result<Vec<(String, Vec<u8>)>, IdbError> {
        with_tables!(self, id, |_rec, _idx, meta| {
            let mut out = Vec::new();
            let range = meta.range(start.as_bytes()..).map_err(|e| self.err(e))?;
            for item in range {
                let (k, v) = item.map_err(|e| self.err(e))?;
                if !k.value().starts_with(start.as_bytes()) {
                    break;
                }
                let name = String::from_utf8(k.value().to_vec())
                    .map_err(|_| self.corrupt("a meta entry's name is not UTF-8"))?;
                out.push((name, v.value().to_vec()));
            }
            Ok(out)
        })
    }

    /// Sets (or, with `None`, removes) a meta entry.
    pub fn meta_set(&self, id: u32, key: &str, value: Option<&[u8]>) -> Result<(), WriteError> {
        self.write(id, |t| {
            let old = match value {
                Some(v) => t.meta.insert(key.as_bytes(), v),
                None => t.meta.remove(key.as_bytes()),
            }
            .map_err(|e| self.err(e))?
            .map(|g| g.value().len() as u64 + key.len() as u64);
            let new = value.map_or(0, |v| (v.len() + key.len()) as u64);
            t.usage = t.usage.saturating_sub(old.unwrap_or(0)) + new;
            Ok(())
        })
    }

    /// A fresh id for an object store or index.
    pub fn new_id(&self, id: u32) -> Result<u64, WriteError> {
        self.write(id, |t| {
            let next = match t.meta.get(b"next-id".as_slice()).map_err(|e| self.err(e))? {
                Some(v) => u64_be(v.value()),
                None => 1,
            };
            t.meta
                .insert(b"next-id".as_slice(), (next + 1).to_be_bytes().as_slice())
                .map_err(|e| self.err(e))?;
            Ok(next)
        })
    }

    /// The specification's "generate a key": the store's next number, or `None` when the
    /// generator is past 2^53.
    pub fn generate_key(&self, id: u32, store: u64) -> Result<Option<f64>, WriteError> {
        self.write(id, |t| {
            let current = t.generator(store)?;
            if current > MAX_GENERATED {
                return Ok(None);
            }
            t.set_generator(store, after(current))?;
            Ok(Some(current))
        })
    }

    /// The specification's "store a record into an object store" once the key is known:
    /// checks `add()`'s no-overwrite rule, unique indexes and the quota, then replaces the
    /// record and its index entries. `generator`: the store has a key generator, which a
    /// number key may move forward.
    #[allow(clippy::too_many_arguments)]
    pub fn put(
        &self,
        id: u32,
        store: u64,
        key: &Key,
        value: &[u8],
        indexes: &[IndexKeys],
        no_overwrite: bool,
        generator: bool,
    ) -> Result<(), WriteError> {
        self.write(id, |t| {
            if generator && let Key::Number(n) = key {
                let n = n.floor().min(MAX_GENERATED);
                if n >= t.generator(store)? {
                    t.set_generator(store, after(n))?;
                }
            }
            let mut rk = prefix(store);
            key.encode_into(&mut rk);
            let old = t
                .records
                .get(rk.as_slice())
                .map_err(|e| self.err(e))?
                .map(|g| g.value().to_vec());
            if no_overwrite && old.is_some() {
                return Err(WriteError::Constraint(
                    "A record with the given key already exists in the object store.".into(),
                ));
            }
            let primary = key.encode();
            let mut entries = Vec::new();
            for ix in indexes {
                let mut keys: Vec<Vec<u8>> = ix.keys.iter().map(Key::encode).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    let mut e = prefix(ix.index);
                    e.extend_from_slice(&k);
                    if ix.unique && t.taken(&e, &primary)? {
                        return Err(WriteError::Constraint(
                            "A unique index already has a record with the same key.".into(),
                        ));
                    }
                    e.extend_from_slice(&primary);
                    entries.push(e);
                }
            }
            let record = encode_record(&entries, value);
            let new_size = (rk.len() + record.len()) as u64
                + entries.iter().map(|e| e.len() as u64).sum::<u64>();
            let old_size = match &old {
                Some(o) => {
                    let (old_entries, _) =
                        decode_record(o).ok_or_else(|| self.corrupt("a record is malformed"))?;
                    (rk.len() + o.len()) as u64
                        + old_entries.iter().map(|e| e.len() as u64).sum::<u64>()
                }
                None => 0,
            };
            let needed = t.usage.saturating_sub(old_size) + new_size;
            if needed > t.quota {
                return Err(WriteError::Quota {
                    needed,
                    quota: t.quota,
                });
            }
            if let Some(o) = &old {
                t.remove_entries(o)?;
            }
            for e in &entries {
                t.indexes
                    .insert(e.as_slice(), [].as_slice())
                    .map_err(|e| self.err(e))?;
            }
            t.records
                .insert(rk.as_slice(), record.as_slice())
                .map_err(|e| self.err(e))?;
            t.usage = needed;
            Ok(())
        })
    }

    /// Adds a new index's entries for existing records (`createIndex` on a store with
    /// records): each pair is a record's key and its index keys.
    pub fn add_index_entries(
        &self,
        id: u32,
        store: u64,
        index: u64,
        unique: bool,
        records: &[(Key, Vec<Key>)],
    ) -> Result<(), WriteError> {
        self.write(id, |t| {
            for (pk, keys) in records {
                let primary = pk.encode();
                let mut rk = prefix(store);
                rk.extend_from_slice(&primary);
                let Some(old) = t
                    .records
                    .get(rk.as_slice())
                    .map_err(|e| self.err(e))?
                    .map(|g| g.value().to_vec())
                else {
                    continue;
                };
                let (mut entries, value) = decode_record(&old)
                    .map(|(e, v)| (e.into_iter().map(<[u8]>::to_vec).collect::<Vec<_>>(), v))
                    .ok_or_else(|| self.corrupt("a record is malformed"))?;
                let mut encoded: Vec<Vec<u8>> = keys.iter().map(Key::encode).collect();
                encoded.sort();
                encoded.dedup();
                let mut added = 0u64;
                for k in encoded {
                    let mut e = prefix(index);
                    e.extend_from_slice(&k);
                    if unique && t.taken(&e, &primary)? {
                        return Err(WriteError::Constraint(
                            "Unable to add key to index: at least one key does not satisfy the uniqueness requirements.".into(),
                        ));
                    }
                    e.extend_from_slice(&primary);
                    added += 2 * e.len() as u64 + 4;
                    t.indexes
                        .insert(e.as_slice(), [].as_slice())
                        .map_err(|e| self.err(e))?;
                    entries.push(e);
                }
                let needed = t.usage + added;
                if needed > t.quota {
                    return Err(WriteError::Quota {
                        needed,
                        quota: t.quota,
                    });
                }
                let record = encode_record(&entries, value);
                t.records
                    .insert(rk.as_slice(), record.as_slice())
                    .map_err(|e| self.err(e))?;
                t.usage = needed;
            }
            Ok(())
        })
    }

    /// Deletes the records of `store` inside `limits` (every record without limits),
    /// with their index entries: how many there were.
    pub fn delete(&self, id: u32, store: u64, limits: &[Limit]) -> Result<u64, WriteError> {
        let Some((lower, upper)) = bounds(store, limits) else {
            return Ok(0);
        };
        self.write(id, |t| {
            let doomed: Vec<(Vec<u8>, Vec<u8>)> = {
                let range = t
                    .records
                    .range((as_ref(&lower), as_ref(&upper)))
                    .map_err(|e| self.err(e))?;
                let mut out = Vec::new();
                for item in range {
                    let (k, v) = item.map_err(|e| self.err(e))?;
                    out.push((k.value().to_vec(), v.value().to_vec()));
                }
                out
            };
            for (k, v) in &doomed {
                let freed = t.remove_entries(v)?;
                t.records.remove(k.as_slice()).map_err(|e| self.err(e))?;
                t.usage = t.usage.saturating_sub(freed + (k.len() + v.len()) as u64);
            }
            Ok(doomed.len() as u64)
        })
    }

    /// Deletes an index's entries (`deleteIndex`, `deleteObjectStore`). The records keep
    /// their note of the entries, which removal of an unknown entry ignores.
    pub fn delete_index(&self, id: u32, index: u64) -> Result<(), WriteError> {
        let Some((lower, upper)) = bounds(index, &[]) else {
            return Ok(());
        };
        self.write(id, |t| {
            let mut freed = 0u64;
            t.indexes
                .retain_in((as_ref(&lower), as_ref(&upper)), |k, _| {
                    freed += k.len() as u64;
                    false
                })
                .map_err(|e| self.err(e))?;
            t.usage = t.usage.saturating_sub(freed);
            Ok(())
        })
    }

    /// Deletes an object store's key generator.
    pub fn delete_generator(&self, id: u32, store: u64) -> Result<(), WriteError> {
        self.meta_set(id, &format!("gen:{store}"), None)
    }

    /// Reads `scan.source` as of transaction `id`.
    pub fn scan(&self, id: u32, scan: &Scan) -> Result<Vec<Found>, IdbError> {
        let Some((lower, upper)) = bounds(scan.source.id(), &scan.limits) else {
            return Ok(Vec::new());
        };
        with_tables!(self, id, |rec, idx, _meta| {
            let table = match scan.source {
                Source::Store(_) => &rec,
                Source::Index { .. } => &idx,
            };
            let mut range = table
                .range((as_ref(&lower), as_ref(&upper)))
                .map_err(|e| self.err(e))?;
            let mut out = Vec::new();
            let mut skip = scan.skip;
            let want = scan.count.unwrap_or(u64::MAX);
            // The entry of the current group of equal keys that a unique scan returns.
            let mut pending: Option<(Vec<u8>, usize)> = None;
            let mut last_key: Option<Vec<u8>> = None;
            let mut emit =
                |entry: Vec<u8>, split: usize, out: &mut Vec<Found>| -> Result<bool, IdbError> {
                    if skip > 0 {
                        skip -= 1;
                        return Ok(false);
                    }
                    out.push(self.found(&rec, scan, &entry, split)?);
                    Ok(out.len() as u64 >= want)
                };
            if want == 0 {
                return Ok(out);
            }
            loop {
                let item = if scan.reverse {
                    range.next_back()
                } else {
                    range.next()
                };
                let Some(item) = item else { break };
                let (k, _) = item.map_err(|e| self.err(e))?;
                let entry = k.value().to_vec();
                let split = match scan.source {
                    Source::Store(_) => entry.len(),
                    Source::Index { .. } => {
                        let (_, used) = entry
                            .get(8..)
                            .ok_or_else(|| self.corrupt("an index entry is too short"))
                            .and_then(|b| {
                                Key::decode_prefix(b)
                                    .map_err(|e| self.corrupt(format!("an index key: {e}")))
                            })?;
                        8 + used
                    }
                };
                if !scan.unique {
                    if emit(entry, split, &mut out)? {
                        break;
                    }
                    continue;
                }
                let same = last_key.as_deref() == Some(&entry[..split]);
                if scan.reverse {
                    // Walking backwards, a group's last entry seen has its lowest
                    // primary key: hold it until the key changes.
                    if !same {
                        last_key = Some(entry[..split].to_vec());
                        if let Some((e, s)) = pending.take()
                            && emit(e, s, &mut out)?
                        {
                            break;
                        }
                    }
                    pending = Some((entry, split));
                } else if !same {
                    last_key = Some(entry[..split].to_vec());
                    if emit(entry, split, &mut out)? {
                        break;
                    }
                }
            }
            if let Some((e, s)) = pending
                && (out.len() as u64) < want
            {
                emit(e, s, &mut out)?;
            }
            Ok(out)
        })
    }

    /// Turns a scanned entry (a full table key) into what the scan returns.
    fn found(
        &self,
        records: &impl ReadableTable<&'static [u8], &'static [u8]>,
        scan: &Scan,
        entry: &[u8],
        split: usize,
    ) -> Result<Found, IdbError> {
        let key = Key::decode(&entry[8..split]).map_err(|e| self.corrupt(format!("a key: {e}")))?;
        let (primary, rk) = match scan.source {
            Source::Store(_) => (key.clone(), entry.to_vec()),
            Source::Index { store, .. } => {
                let p = Key::decode(&entry[split..])
                    .map_err(|e| self.corrupt(format!("a primary key: {e}")))?;
                let mut rk = prefix(store);
                rk.extend_from_slice(&entry[split..]);
                (p, rk)
            }
        };
        let value = if scan.values {
            let g = records
                .get(rk.as_slice())
                .map_err(|e| self.err(e))?
                .ok_or_else(|| self.corrupt("an index entry's record is missing"))?;
            let (_, v) =
                decode_record(g.value()).ok_or_else(|| self.corrupt("a record is malformed"))?;
            Some(v.to_vec())
        } else {
            None
        };
        Ok(Found {
            key,
            primary,
            value,
        })
    }

    /// How many entries of `source` lie inside `limits`.
    pub fn count(&self, id: u32, source: Source, limits: &[Limit]) -> Result<u64, IdbError> {
        let Some((lower, upper)) = bounds(source.id(), limits) else {
            return Ok(0);
        };
        with_tables!(self, id, |rec, idx, _meta| {
            let table = match source {
                Source::Store(_) => &rec,
                Source::Index { .. } => &idx,
            };
            let range = table
                .range((as_ref(&lower), as_ref(&upper)))
                .map_err(|e| self.err(e))?;
            let mut n = 0;
            for item in range {
                item.map_err(|e| self.err(e))?;
                n += 1;
            }
            Ok(n)
        })
    }
}

fn as_ref(b: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match b {
        Bound::Included(v) => Bound::Included(v.as_slice()),
        Bound::Excluded(v) => Bound::Excluded(v.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// A write transaction's tables, with its running byte count.
struct WriteTables<'t> {
    records: redb::Table<'t, &'static [u8], &'static [u8]>,
    indexes: redb::Table<'t, &'static [u8], &'static [u8]>,
    meta: redb::Table<'t, &'static [u8], &'static [u8]>,
    usage: u64,
    quota: u64,
    store: &'t IndexedDbStore,
}

impl WriteTables<'_> {
    fn generator(&self, store: u64) -> Result<f64, IdbError> {
        let key = format!("gen:{store}");
        match self
            .meta
            .get(key.as_bytes())
            .map_err(|e| self.store.err(e))?
        {
            Some(v) if v.value().len() == 8 => Ok(f64::from_bits(u64_be(v.value()))),
            Some(_) => Err(self.store.corrupt("a key generator is malformed")),
            None => Ok(1.0),
        }
    }

    fn set_generator(&mut self, store: u64, n: f64) -> Result<(), IdbError> {
        let key = format!("gen:{store}");
        self.meta
            .insert(key.as_bytes(), n.to_bits().to_be_bytes().as_slice())
            .map_err(|e| self.store.err(e))?;
        Ok(())
    }

    /// Whether an index (entries starting with `ik`: index id and key) has an entry
    /// for another record than `primary`.
    fn taken(&self, ik: &[u8], primary: &[u8]) -> Result<bool, IdbError> {
        let mut end = ik.to_vec();
        end.push(0xFF);
        let range = self
            .indexes
            .range(ik..end.as_slice())
            .map_err(|e| self.store.err(e))?;
        for item in range {
            let (k, _) = item.map_err(|e| self.store.err(e))?;
            if &k.value()[ik.len()..] != primary {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Removes a stored record's index entries: the bytes they took.
    fn remove_entries(&mut self, record: &[u8]) -> Result<u64, IdbError> {
        let (entries, _) =
            decode_record(record).ok_or_else(|| self.store.corrupt("a record is malformed"))?;
        let mut freed = 0;
        for e in entries {
            if self
                .indexes
                .remove(e)
                .map_err(|e| self.store.err(e))?
                .is_some()
            {
                freed += e.len() as u64;
            }
        }
        Ok(freed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(n: f64) -> Key {
        Key::Number(n)
    }

    #[test]
    fn records_and_index_entries_roll_back_with_an_aborted_transaction() {
        let s = IndexedDbStore::in_memory(DEFAULT_QUOTA);
        let t = s.begin(true, 0).unwrap().unwrap();
        let ix = [IndexKeys {
            index: 2,
            unique: true,
            keys: vec![num(10.0)],
        }];
        s.put(t, 1, &num(1.0), b"one", &ix, false, false).unwrap();
        s.commit(t).unwrap();
        let used = s.usage();
        assert!(used > 0);
        let t = s.begin(true, 0).unwrap().unwrap();
        s.put(t, 1, &num(2.0), b"two", &[], false, false).unwrap();
        let clash = [IndexKeys {
            index: 2,
            unique: true,
            keys: vec![num(10.0)],
        }];
        assert!(matches!(
            s.put(t, 1, &num(3.0), b"three", &clash, false, false),
            Err(WriteError::Constraint(_))
        ));
        s.abort(t).unwrap();
        assert_eq!(s.usage(), used);
        let t = s.begin(false, 0).unwrap().unwrap();
        let all = s
            .scan(
                t,
                &Scan {
                    source: Source::Store(1),
                    limits: vec![],
                    reverse: false,
                    unique: false,
                    skip: 0,
                    count: None,
                    values: true,
                },
            )
            .unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].value.as_deref(), Some(b"one".as_slice()));
        let by_index = s
            .scan(
                t,
                &Scan {
                    source: Source::Index { index: 2, store: 1 },
                    limits: vec![],
                    reverse: true,
                    unique: true,
                    skip: 0,
                    count: None,
                    values: true,
                },
            )
            .unwrap();
        assert_eq!(by_index.len(), 1);
        assert_eq!(by_index[0].primary, num(1.0));
        s.commit(t).unwrap();
    }

    #[test]
    fn the_quota_refuses_a_write_and_changes_nothing() {
        let s = IndexedDbStore::in_memory(1000);
        let t = s.begin(true, 0).unwrap().unwrap();
        assert!(matches!(
            s.put(t, 1, &num(1.0), &[0u8; 2000], &[], false, false),
            Err(WriteError::Quota { .. })
        ));
        s.put(t, 1, &num(1.0), &[0u8; 100], &[], false, false)
            .unwrap();
        s.commit(t).unwrap();
        assert!(s.usage() >= 100 && s.usage() < 200);
    }

    #[test]
    fn a_second_writer_is_told_to_wait_not_blocked() {
        let s = IndexedDbStore::in_memory(DEFAULT_QUOTA);
        let t = s.begin(true, 0).unwrap().unwrap();
        assert_eq!(s.begin(true, 0).unwrap(), None);
        s.commit(t).unwrap();
        assert!(s.begin(true, 0).unwrap().is_some());
    }

    #[test]
    fn a_corrupt_file_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("kpio-idb-corrupt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(FILE_NAME), vec![0x5Au8; 70_000]).unwrap();
        let s = IndexedDbStore::open(&dir, DEFAULT_QUOTA);
        let e = s.check().unwrap_err().to_string();
        assert!(e.contains(FILE_NAME), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

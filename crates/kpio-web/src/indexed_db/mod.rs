//! IndexedDB (W3C Indexed Database API 3.0): the storage under `indexedDB`.
//!
//! The object model (IDBFactory, IDBDatabase, transactions, requests, cursors, the
//! value serialiser) is JavaScript, `js/indexed_db.js`; this module is what it stands on:
//! [`key`], the order-preserving binary encoding of keys, and [`store`], an origin's
//! data in one redb database (`DIR/idb/indexeddb.redb` for `kpio web run --storage DIR`),
//! where every readwrite or versionchange transaction is one redb write transaction
//! committed with immediate durability, so a crash leaves the state before or after it;
//! and [`connections`], the registry that carries version changes between the realms
//! sharing a store.

pub mod connections;
pub mod key;
pub(crate) mod ops;
pub mod store;

pub use store::{DEFAULT_QUOTA, IdbError, IndexedDbStore};

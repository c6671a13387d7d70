//! KPIO's web app platform: the engines under installed web apps (PWAs), headless.
//!
//! Every web app, and every service worker, runs in its own [`Realm`]: a QuickJS runtime
//! (through rquickjs) with its own heap, a memory limit, a per-task time limit and an
//! interrupt handle, so a runaway or hostile script is stopped without touching the
//! platform or another app. A realm's global scope has the web's basic globals (events,
//! `DOMException`, `structuredClone`, timers and microtasks, `console`, `URL`, encodings),
//! written like Deno's: JavaScript for the web's object model (`js/`), Rust for what needs
//! the host or an existing standard implementation (the WHATWG URL parser of the `url`
//! crate, the Encoding Standard's codecs of `encoding_rs`, the clock, timers).
//!
//! [`cache_storage`] keeps an app's Cache API caches (`caches`), [`web_storage`] its
//! `localStorage`.
//!
//! [`wpt`] runs web-platform-tests files, through the real `testharness.js`, inside a
//! realm; `kpio web test` is its command line.

pub mod app;
pub mod app_dirs;
pub mod cache_storage;
mod console;
mod error;
pub mod host_message;
pub mod indexed_db;
mod limits;
pub mod local_server;
pub mod net;
pub mod notifications;
pub mod offline_fallback;
mod ops;
mod prelude;
pub mod quota;
mod realm;
mod redb_file;
pub mod service_worker;
mod timers;
pub mod web_storage;
pub mod wpt;

pub use cache_storage::{CacheError, CacheStore};
pub use console::{ConsoleLevel, ConsoleSink};
pub use error::{ScriptError, WebError};
pub use indexed_db::IndexedDbStore;
pub use limits::{InterruptHandle, Limits};
pub use net::scope::{HostPattern, Network, NetworkScope, OfflineSwitch};
pub use realm::{GlobalKind, LoopEnd, Realm, RealmOptions};
pub use web_storage::WebStorage;

//! Service workers: an app's registrations and their lifecycle ([`registry`]), kept on
//! disk ([`store`]), and the host functions pages and workers reach them with ([`ops`]).
//!
//! A service worker runs in its own realm (`GlobalKind::ServiceWorker`), which the
//! scheduler ([`crate::app::WebApp`]) starts when the registry asks. Pages and workers
//! talk to the registry through ops; the registry answers through host messages.

pub(crate) mod ops;
pub mod registry;
pub mod store;
pub mod sync;

pub use registry::{Action, FETCH_EVENT_TIMEOUT, FETCH_RESPONSE_TIMEOUT, Registry, WorkerState};
pub use store::{SavedRegistration, SwStore, SwStoreError};
pub use sync::{SyncPolicy, SyncStoreError, SyncTasks};

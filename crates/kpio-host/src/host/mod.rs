//! std implementations of the platform traits (feature `host`): [`StdSystem`] (the OS
//! clocks, host name and locale, an in-process clipboard, notifications forwarded to the
//! embedder) and [`StdNet`] (real sockets through `std::net`).

mod cancellable;
mod net;
mod system;

pub use net::{DEFAULT_MAX_SOCKETS, StdNet};
pub use system::{NotifyFn, SharedClipboard, StdSystem, locale_to_bcp47};

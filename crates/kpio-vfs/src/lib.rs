//! KPIO's virtual file system: the layer WASI preview 1 and the app platform sit on.
//!
//! `#![no_std]` + `alloc`, so the same VFS runs hosted and inside the KPIO kernel.
//!
//! - [`path`]: untrusted path strings become typed [`VPath`]s and [`Name`]s.
//! - [`Backend`]: the storage interface (one tree, one directory + one name at a time, never
//!   following symlinks). Backends: [`MemoryFs`] (bounded by [`MemoryLimits`]) and, with
//!   feature `host`, [`HostFs`] over a real directory.
//! - [`Vfs`]: mounts + handles; resolves paths component by component, confined to the
//!   directory handle they start from, with symlinks followed by the VFS itself. All WASI
//!   file operations are methods here. Errors are one [`VfsError`] enum mapping 1:1 onto
//!   WASI errnos.
//! - [`SandboxBuilder`]: an app's view, its `apps/data/{id}/` at `/` plus read-only extras.
//! - [`tar`]: unpacks a ustar archive into a [`Vfs`] (the kernel's ramdisk at boot).
//!
//! Nothing here reads a global: clocks ([`Clock`]) and backends are passed in.
//!
//! ```
//! use std::sync::Arc;
//! use kpio_vfs::{Backend, ManualClock, MemoryFs, MemoryLimits, MountId, OpenOptions, SeekFrom, Vfs};
//!
//! let fs: Arc<dyn Backend> =
//!     Arc::new(MemoryFs::new(MemoryLimits::default(), Arc::new(ManualClock::new(0))));
//! let mut vfs = Vfs::with_root(fs)?;
//! let root = vfs.open_root(MountId(0))?;
//! vfs.create_dir(root, "docs")?;
//! let f = vfs.open(root, "docs/a.txt", &OpenOptions::read_write_create())?;
//! vfs.write(f, b"hello")?;
//! vfs.seek(f, SeekFrom::Start(0))?;
//! let mut buf = [0; 5];
//! assert_eq!(vfs.read(f, &mut buf)?, 5);
//! assert_eq!(&buf, b"hello");
//! assert!(vfs.open(root, "../escape", &OpenOptions::read()).is_err());
//! # Ok::<(), kpio_vfs::VfsError>(())
//! ```

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod backend;
mod error;
/// Fault injection for crash tests (feature `fault-injection`).
#[cfg(feature = "fault-injection")]
pub mod fault;
#[cfg(feature = "host")]
mod host;
mod memory;
pub mod path;
mod sandbox;
pub mod tar;
mod types;
mod vfs;

pub use backend::{Backend, NodeId};
pub use error::{PathErrorReason, VfsError, VfsResult};
#[cfg(feature = "host")]
pub use host::{HostFs, HostOptions};
pub use memory::{ENTRY_OVERHEAD, MemoryFs, MemoryLimits};
pub use path::{Component, MAX_NAME_LEN, MAX_PATH_LEN, Name, VPath};
pub use sandbox::{APP_DATA_DIR, SandboxBuilder};
pub use types::{
    Clock, DirEntry, FileOpen, FileType, ManualClock, Metadata, OpenOptions, RawDirEntry, SeekFrom,
    SetTime,
};
pub use vfs::{
    DOT_COOKIE, DOTDOT_COOKIE, Handle, HandleInfo, MAX_DEPTH, MAX_SYMLINK_HOPS, MountId, MountInfo,
    MountOptions, Vfs, VfsLimits,
};

//! KPIO's app layer: what is installed, what runs, what each app may do, and the syscalls
//! that reach it.
//!
//! `#![no_std]` + `alloc`: the same code runs in the hosted `kpio` command and in the KPIO
//! kernel. Nothing here reads a global: the VFS, the clock (as plain numbers) and the
//! services behind the syscalls are passed in.
//!
//! - [`Registry`]: installed apps ([`AppDescriptor`]s keyed by [`KernelAppId`]), persisted
//!   as JSON at [`Registry::PATH`] in the VFS with write-new + sync + atomic rename, so a
//!   crash leaves the old registry or the new one.
//! - [`lifecycle`]: [`Lifecycle`] tracks instances ([`AppInstanceId`]) through
//!   Launching → Running ⇄ Suspended → Terminated / Failed, and decides restarts of failed
//!   apps with a [`RestartPolicy`] (3 restarts with exponential backoff, then give up).
//! - [`names`]: when two app names are the same (NFKC + case folding) and which names are
//!   refused (format and bidi controls, edge whitespace, numbers).
//! - [`permissions`]: [`Permissions`] per app and their enforcement helpers for the VFS
//!   view, host API calls, network hosts and the engine's memory limit.
//! - [`syscall`]: the app syscalls 106–111, their register ABI, user-memory checking and the
//!   [`dispatch`]er over an [`AppServices`] implementation.
//! - [`AppError`]: one error type, mapped onto Linux [`Errno`]s for the syscalls.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod base64;
pub mod budget;
mod error;
pub mod lifecycle;
pub mod names;
pub mod permissions;
mod registry;
pub mod syscall;
mod types;

pub use error::{AppError, Errno};
pub use lifecycle::{AppState, Failure, InstanceInfo, Lifecycle, RestartDecision, RestartPolicy};
pub use names::{NameError, NameProblem};
pub use permissions::{Capability, FsPermission, NetworkPermission, Permissions};
pub use registry::{MAX_REGISTRY_BYTES, Registry, RegistryRestored};
pub use syscall::{
    AppServices, MAX_ARGS_BYTES, MAX_PACKAGE_BYTES, RegionMemory, SliceMemory, UserMemory, dispatch,
};
pub use types::{AppDescriptor, AppInstanceId, AppType, Approval, ApprovalSource, KernelAppId};

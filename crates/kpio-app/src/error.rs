//! [`AppError`], the one error type of the app layer, and [`Errno`], the Linux error numbers
//! the app syscalls return.
//!
//! | `AppError` variant | errno |
//! |---|---|
//! | `NotFound` | `ENOENT` (2) |
//! | `Exists` | `EEXIST` (17) |
//! | `Corrupt` | `EIO` (5) |
//! | `Vfs(e)` | by the VFS error: `NotFound` → `ENOENT`, `Exists` → `EEXIST`, `NoSpace` → `ENOSPC`, `ReadOnly` → `EROFS`, `PermissionDenied`/`Escape` → `EPERM`, `FileTooLarge` → `EFBIG`, `Invalid`/`InvalidPath` → `EINVAL`, anything else `EIO` |
//! | `InvalidTransition` | `EINVAL` (22) |
//! | `Permission` | `EPERM` (1) |
//! | `Invalid` | `EINVAL` (22) |
//! | `TooLarge` | `EFBIG` (27) |
//! | `Busy` | `EBUSY` (16) |
//! | `Unsupported` | `EOPNOTSUPP` (95) |
//! | `OutOfMemory` | `ENOMEM` (12) |
//! | `Name` | `EINVAL` (22) |
//! | `Ambiguous` | `EINVAL` (22) |
//! | `IdsExhausted` | `ENOSPC` (28) |

use alloc::string::String;
use core::fmt;

use kpio_vfs::VfsError;

use crate::lifecycle::AppState;
use crate::names::NameError;
use crate::types::KernelAppId;

/// A Linux error number, as the app syscalls return it (negated) in `rax`.
///
/// A plain number rather than an enum, so a caller can hold any value a kernel returns; the
/// constants are the ones the app layer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(pub i32);

impl Errno {
    /// Operation not permitted (a permission the app was not granted).
    pub const EPERM: Errno = Errno(1);
    /// No such app or instance.
    pub const ENOENT: Errno = Errno(2);
    /// I/O error (the registry or the file system failed).
    pub const EIO: Errno = Errno(5);
    /// Argument list too long (the AppLaunch argument blob).
    pub const E2BIG: Errno = Errno(7);
    /// Out of memory.
    pub const ENOMEM: Errno = Errno(12);
    /// Bad address: a pointer/length pair is not entirely inside the caller's memory.
    pub const EFAULT: Errno = Errno(14);
    /// Busy (for example uninstalling an app that has running instances).
    pub const EBUSY: Errno = Errno(16);
    /// Already exists (an app with this package id is installed).
    pub const EEXIST: Errno = Errno(17);
    /// Invalid argument.
    pub const EINVAL: Errno = Errno(22);
    /// File too large (a package over the size limit).
    pub const EFBIG: Errno = Errno(27);
    /// No space left.
    pub const ENOSPC: Errno = Errno(28);
    /// Read-only file system.
    pub const EROFS: Errno = Errno(30);
    /// Result too large for the buffer given.
    pub const ERANGE: Errno = Errno(34);
    /// Unknown syscall number.
    pub const ENOSYS: Errno = Errno(38);
    /// Operation not supported.
    pub const EOPNOTSUPP: Errno = Errno(95);

    /// The number.
    pub fn raw(self) -> i32 {
        self.0
    }

    /// The symbolic name (`"ENOENT"`), or `None` for a number this crate does not use.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Errno::EPERM => "EPERM",
            Errno::ENOENT => "ENOENT",
            Errno::EIO => "EIO",
            Errno::E2BIG => "E2BIG",
            Errno::ENOMEM => "ENOMEM",
            Errno::EFAULT => "EFAULT",
            Errno::EBUSY => "EBUSY",
            Errno::EEXIST => "EEXIST",
            Errno::EINVAL => "EINVAL",
            Errno::EFBIG => "EFBIG",
            Errno::ENOSPC => "ENOSPC",
            Errno::EROFS => "EROFS",
            Errno::ERANGE => "ERANGE",
            Errno::ENOSYS => "ENOSYS",
            Errno::EOPNOTSUPP => "EOPNOTSUPP",
            _ => return None,
        })
    }

    fn describe(self) -> &'static str {
        match self {
            Errno::EPERM => "operation not permitted",
            Errno::ENOENT => "no such app or instance",
            Errno::EIO => "I/O error",
            Errno::E2BIG => "argument list too long",
            Errno::ENOMEM => "out of memory",
            Errno::EFAULT => "bad address",
            Errno::EBUSY => "busy",
            Errno::EEXIST => "already exists",
            Errno::EINVAL => "invalid argument",
            Errno::EFBIG => "too large",
            Errno::ENOSPC => "no space left",
            Errno::EROFS => "read-only file system",
            Errno::ERANGE => "buffer too small",
            Errno::ENOSYS => "unknown system call",
            Errno::EOPNOTSUPP => "operation not supported",
            _ => "unknown error",
        }
    }

    /// The syscall return value for this error: `-errno`.
    pub fn to_ret(self) -> i64 {
        -i64::from(self.0)
    }

    /// Decodes a syscall return value: `Ok(value)` for `ret >= 0`, else the errno. A value
    /// below `-i32::MAX` (which no kernel returns) decodes as `EINVAL`.
    pub fn from_ret(ret: i64) -> Result<u64, Errno> {
        if ret >= 0 {
            Ok(ret as u64)
        } else {
            Err(i32::try_from(-(ret as i128))
                .map(Errno)
                .unwrap_or(Errno::EINVAL))
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({})", self.describe()),
            None => write!(f, "errno {}", self.0),
        }
    }
}

impl core::error::Error for Errno {}

/// Everything that can go wrong in the app layer. Each variant names what it is about; see
/// the module docs for the [`Errno`] each maps to ([`AppError::errno`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppError {
    /// No such thing; the text names it (`"app 7"`, `"instance 3"`, `"app \"com.x\""`).
    NotFound(String),
    /// Already there; the text names it (`"app \"com.kpio.hello\""`).
    Exists(String),
    /// A stored file (the registry) cannot be understood: `path` is the file, `reason` what
    /// is wrong and where (serde_json's line and column when it is the JSON).
    Corrupt { path: String, reason: String },
    /// The file system failed.
    Vfs(VfsError),
    /// A lifecycle event that is not allowed in the current state: `subject` names the
    /// instance or app, `from` is its state, `to` the state the event would lead to.
    InvalidTransition {
        subject: String,
        from: AppState,
        to: AppState,
    },
    /// The app lacks a permission; the text names which and for what
    /// (`"network access to \"example.com\" (network: LocalOnly)"`).
    Permission { what: String },
    /// An argument, descriptor or package is invalid; the text says what and why.
    Invalid(String),
    /// An input is over its size limit: `what` it is, its `size` and the `limit`, in bytes.
    TooLarge {
        what: &'static str,
        size: u64,
        limit: u64,
    },
    /// The target is in use (uninstalling an app with live instances).
    Busy(String),
    /// Not supported (yet) here; the text says what.
    Unsupported(String),
    /// An allocation of `bytes` failed.
    OutOfMemory { bytes: u64 },
    /// A display name or app id is not acceptable (see [`crate::names`]).
    Name(NameError),
    /// What a person typed (`key`) matches several apps (`ids`) equally well: two
    /// installed apps whose names read the same (possible only in a registry written
    /// before names were folded).
    Ambiguous {
        key: String,
        ids: alloc::vec::Vec<KernelAppId>,
    },
    /// Every app id has been handed out: the registry's `next_id` is `next_id` and the one
    /// after it does not fit in 64 bits. Ids are never reused, so no app can be added.
    IdsExhausted { next_id: u64 },
}

impl AppError {
    /// The Linux errno a syscall reports for this error (see the module docs).
    pub fn errno(&self) -> Errno {
        match self {
            AppError::NotFound(_) => Errno::ENOENT,
            AppError::Exists(_) => Errno::EEXIST,
            AppError::Corrupt { .. } => Errno::EIO,
            AppError::Vfs(e) => vfs_errno(e),
            AppError::InvalidTransition { .. } | AppError::Invalid(_) => Errno::EINVAL,
            AppError::Permission { .. } => Errno::EPERM,
            AppError::TooLarge { .. } => Errno::EFBIG,
            AppError::Busy(_) => Errno::EBUSY,
            AppError::Unsupported(_) => Errno::EOPNOTSUPP,
            AppError::OutOfMemory { .. } => Errno::ENOMEM,
            AppError::Name(_) | AppError::Ambiguous { .. } => Errno::EINVAL,
            AppError::IdsExhausted { .. } => Errno::ENOSPC,
        }
    }
}

fn vfs_errno(e: &VfsError) -> Errno {
    match e {
        VfsError::NotFound { .. } => Errno::ENOENT,
        VfsError::Exists { .. } => Errno::EEXIST,
        VfsError::NoSpace { .. } => Errno::ENOSPC,
        VfsError::ReadOnly { .. } => Errno::EROFS,
        VfsError::PermissionDenied { .. } | VfsError::Escape { .. } => Errno::EPERM,
        VfsError::FileTooLarge => Errno::EFBIG,
        VfsError::Invalid { .. } | VfsError::InvalidPath { .. } => Errno::EINVAL,
        _ => Errno::EIO,
    }
}

impl From<VfsError> for AppError {
    fn from(e: VfsError) -> Self {
        AppError::Vfs(e)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::NotFound(what) => write!(f, "{what}: not found"),
            AppError::Exists(what) => write!(f, "{what}: already exists"),
            AppError::Corrupt { path, reason } => write!(f, "{path:?} is corrupt: {reason}"),
            AppError::Vfs(e) => write!(f, "file system: {e}"),
            AppError::InvalidTransition { subject, from, to } => {
                write!(f, "{subject}: cannot go from {from} to {to}")
            }
            AppError::Permission { what } => write!(f, "permission denied: {what}"),
            AppError::Invalid(what) => write!(f, "invalid: {what}"),
            AppError::TooLarge { what, size, limit } => {
                write!(f, "{what} is too large: {size} bytes, limit {limit}")
            }
            AppError::Busy(what) => write!(f, "{what}: busy"),
            AppError::Unsupported(what) => write!(f, "unsupported: {what}"),
            AppError::OutOfMemory { bytes } => write!(f, "out of memory allocating {bytes} bytes"),
            AppError::Name(e) => write!(f, "{e}"),
            AppError::Ambiguous { key, ids } => {
                write!(f, "{key:?} names several apps (ids")?;
                for (i, id) in ids.iter().enumerate() {
                    write!(f, "{}{id}", if i == 0 { " " } else { ", " })?;
                }
                f.write_str("); use the numeric id")
            }
            AppError::IdsExhausted { next_id } => write!(
                f,
                "no app id left: the registry's next id is {next_id} and ids are never reused"
            ),
        }
    }
}

impl core::error::Error for AppError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            AppError::Vfs(e) => Some(e),
            AppError::Name(e) => Some(e),
            _ => None,
        }
    }
}

impl From<NameError> for AppError {
    fn from(e: NameError) -> Self {
        AppError::Name(e)
    }
}

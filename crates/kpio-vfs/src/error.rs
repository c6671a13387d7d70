//! The one error type of the VFS.
//!
//! Every variant corresponds to exactly one WASI preview 1 errno, so the WASI layer can map
//! errors with a plain `match` and never has to guess. Variants that concern a path carry the
//! path as the caller gave it (path-based [`Vfs`](crate::Vfs) operations replace whatever a
//! backend reported with the caller's full path, so a guest-facing message names what the
//! guest asked for, not an internal component).
//!
//! | variant | WASI errno |
//! |---|---|
//! | `NotFound` | `noent` |
//! | `Exists` | `exist` |
//! | `NotDir` | `notdir` |
//! | `IsDir` | `isdir` |
//! | `NotEmpty` | `notempty` |
//! | `Loop` | `loop` |
//! | `NameTooLong` | `nametoolong` |
//! | `InvalidPath` | `inval` (`noent` for [`PathErrorReason::Empty`], `ilseq` for `NotUtf8`) |
//! | `Escape` | `notcapable` (or `perm`) |
//! | `ReadOnly` | `rofs` |
//! | `PermissionDenied` | `perm` |
//! | `CrossDevice` | `xdev` |
//! | `Busy` | `busy` |
//! | `NoSpace` | `nospc` |
//! | `FileTooLarge` | `fbig` |
//! | `TooManyOpen` | `nfile` |
//! | `BadHandle`, `BadAccessMode` | `badf` |
//! | `Invalid` | `inval` |
//! | `Unsupported` | `notsup` |
//! | `Io` | `io` |

use alloc::string::String;
use core::fmt;

/// Result alias used throughout the crate.
pub type VfsResult<T> = Result<T, VfsError>;

/// Why a path string was rejected by [`VPath::parse`](crate::VPath::parse) or
/// [`Name::new`](crate::Name::new).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathErrorReason {
    /// The path (or name) is the empty string.
    Empty,
    /// The path contains a NUL byte, which no file name can hold.
    NulByte,
    /// A single name contains `/` (names are one component).
    ContainsSlash,
    /// A single name is `.` or `..`, which are navigation, not names.
    DotName,
    /// Bytes from a host directory are not UTF-8 (the VFS namespace is UTF-8).
    NotUtf8,
}

impl PathErrorReason {
    fn describe(self) -> &'static str {
        match self {
            PathErrorReason::Empty => "it is empty",
            PathErrorReason::NulByte => "it contains a NUL byte",
            PathErrorReason::ContainsSlash => "a file name may not contain '/'",
            PathErrorReason::DotName => "'.' and '..' are not file names",
            PathErrorReason::NotUtf8 => "it is not UTF-8",
        }
    }
}

/// Everything that can go wrong in the VFS. See the module docs for the WASI errno of each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VfsError {
    /// No entry at `path` (or a directory along it is missing).
    NotFound { path: String },
    /// An entry already exists at `path` (create-exclusive, mkdir, link, symlink).
    Exists { path: String },
    /// A component used as a directory is not one, or the target must be a directory.
    NotDir { path: String },
    /// The operation needs a non-directory but found a directory.
    IsDir { path: String },
    /// A directory to remove or replace is not empty.
    NotEmpty { path: String },
    /// Too many symbolic links were followed, or a symlink was found where links are not
    /// followed (open without "follow" on a symlink).
    Loop { path: String },
    /// A component is longer than [`MAX_NAME_LEN`](crate::MAX_NAME_LEN), the path is longer
    /// than [`MAX_PATH_LEN`](crate::MAX_PATH_LEN) or nests deeper than
    /// [`MAX_DEPTH`](crate::MAX_DEPTH).
    NameTooLong { path: String },
    /// The path text itself is malformed.
    InvalidPath {
        path: String,
        reason: PathErrorReason,
    },
    /// The path would leave the directory it is resolved in: an absolute path, `..` above the
    /// start directory, or a symlink whose target is absolute or climbs out.
    Escape { path: String },
    /// The path is on a read-only mount and the operation would modify it.
    ReadOnly { path: String },
    /// The operation is not permitted on this entry (for example a hard link to a directory,
    /// or a symlink inside a mount's own path).
    PermissionDenied { path: String },
    /// Rename or link between two different mounts.
    CrossDevice { path: String },
    /// The entry is in use in a way that forbids the operation (removing or renaming a
    /// mount root, or `.`).
    Busy { path: String },
    /// A configured storage limit (`what`: total bytes, inodes) would be exceeded.
    NoSpace { what: &'static str },
    /// A file would grow beyond the configured maximum file size.
    FileTooLarge,
    /// The handle table of this [`Vfs`](crate::Vfs) is full.
    TooManyOpen,
    /// The handle does not name an open file or directory of this VFS.
    BadHandle,
    /// The handle is open, but not for this kind of access (read on a write-only handle,
    /// write on a read-only one).
    BadAccessMode,
    /// An argument is invalid for this operation (`what` says which).
    Invalid { what: &'static str },
    /// The operation is not supported here (`what` says which).
    Unsupported { what: &'static str },
    /// The host file system failed; `op` is the operation, `message` the OS's words.
    Io { op: &'static str, message: String },
}

/// The pattern of every variant that carries a path, bound to `$p` (written once for
/// `path` and `path_mut`).
macro_rules! with_path {
    ($p:ident) => {
        VfsError::NotFound { path: $p }
            | VfsError::Exists { path: $p }
            | VfsError::NotDir { path: $p }
            | VfsError::IsDir { path: $p }
            | VfsError::NotEmpty { path: $p }
            | VfsError::Loop { path: $p }
            | VfsError::NameTooLong { path: $p }
            | VfsError::InvalidPath { path: $p, .. }
            | VfsError::Escape { path: $p }
            | VfsError::ReadOnly { path: $p }
            | VfsError::PermissionDenied { path: $p }
            | VfsError::CrossDevice { path: $p }
            | VfsError::Busy { path: $p }
    };
}

impl VfsError {
    /// The same error, naming `path` instead of whatever path it carried. Errors without a
    /// path are returned unchanged.
    #[must_use]
    pub fn with_path(mut self, new: &str) -> Self {
        if let Some(p) = self.path_mut() {
            p.clear();
            p.push_str(new);
        }
        self
    }

    /// The path the error concerns, if it concerns one.
    pub fn path(&self) -> Option<&str> {
        match self {
            with_path!(path) => Some(path),
            _ => None,
        }
    }

    fn path_mut(&mut self) -> Option<&mut String> {
        match self {
            with_path!(path) => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for VfsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VfsError::NotFound { path } => write!(f, "{path:?}: no such file or directory"),
            VfsError::Exists { path } => write!(f, "{path:?}: already exists"),
            VfsError::NotDir { path } => write!(f, "{path:?}: not a directory"),
            VfsError::IsDir { path } => write!(f, "{path:?}: is a directory"),
            VfsError::NotEmpty { path } => write!(f, "{path:?}: directory not empty"),
            VfsError::Loop { path } => {
                write!(
                    f,
                    "{path:?}: too many symbolic links, or a symlink where none may be followed"
                )
            }
            VfsError::NameTooLong { path } => write!(f, "{path:?}: name or path too long"),
            VfsError::InvalidPath { path, reason } => {
                write!(f, "{path:?}: invalid path: {}", reason.describe())
            }
            VfsError::Escape { path } => {
                write!(f, "{path:?}: path leaves the directory it is resolved in")
            }
            VfsError::ReadOnly { path } => write!(f, "{path:?}: read-only mount"),
            VfsError::PermissionDenied { path } => write!(f, "{path:?}: operation not permitted"),
            VfsError::CrossDevice { path } => write!(f, "{path:?}: crosses a mount boundary"),
            VfsError::Busy { path } => write!(f, "{path:?}: busy"),
            VfsError::NoSpace { what } => write!(f, "no space: {what} limit reached"),
            VfsError::FileTooLarge => f.write_str("file would exceed the maximum file size"),
            VfsError::TooManyOpen => f.write_str("too many open handles"),
            VfsError::BadHandle => f.write_str("bad handle"),
            VfsError::BadAccessMode => f.write_str("handle not open for this kind of access"),
            VfsError::Invalid { what } => write!(f, "invalid argument: {what}"),
            VfsError::Unsupported { what } => write!(f, "unsupported: {what}"),
            VfsError::Io { op, message } => write!(f, "host I/O error in {op}: {message}"),
        }
    }
}

impl core::error::Error for VfsError {}

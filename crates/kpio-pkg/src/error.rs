//! The one error type of the crate.
//!
//! Packages are untrusted input, so every way one can be refused is its own variant, and
//! each names what it is about: the package entry (`entry`, a path inside the ZIP), the
//! manifest field with its line and column, or the installed file (`path`, relative to the
//! system VFS root), plus the reason. `Display` turns that into one sentence a person can
//! act on.
//!
//! A [`Warning`] is a problem the manager worked around instead of failing on (a damaged
//! registry restored from its previous generation, a leftover it could not delete yet);
//! [`AppManager::take_warnings`](crate::AppManager::take_warnings) hands them to whoever
//! tells people.

use std::fmt;

use kpio_app::{AppError, RegistryRestored};
use kpio_vfs::VfsError;

/// Everything that can go wrong while reading, packing, installing, uninstalling or
/// launching a `.kpioapp`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PkgError {
    // ----- the container ---------------------------------------------------------------
    /// The package file is bigger than [`Limits::max_package_bytes`](crate::Limits)
    /// (checked before anything is parsed).
    TooLarge { size: u64, limit: u64 },
    /// The bytes are not a readable ZIP archive, or one entry's data is damaged
    /// (`entry` names it when the problem is in one entry).
    BadZip {
        entry: Option<String>,
        reason: String,
    },
    /// More entries than [`Limits::max_entries`](crate::Limits).
    TooManyEntries { count: usize, limit: usize },
    /// The archive would expand to far more than it occupies: `reason` says which limit
    /// (total uncompressed size, one entry's compression ratio, data beyond the declared
    /// size).
    ZipBomb { entry: String, reason: String },
    /// An entry name that would be written outside the package's directory: absolute,
    /// `..`, a drive letter or a backslash.
    PathEscape { entry: String, reason: &'static str },
    /// An entry name that is not a clean relative path (NUL or control characters, empty
    /// or `.` components, too long, not UTF-8).
    BadEntryName { entry: String, reason: &'static str },
    /// Two entries with the same name, or names that read the same (letter case, Unicode
    /// normalization, compatibility forms; they
    /// would collide on a case-insensitive file system). `first` is the earlier one.
    DuplicateEntry { entry: String, first: String },
    /// `entry` lies under `file`, which is a file, not a directory.
    PathConflict { entry: String, file: String },
    /// The entry is a symbolic link; packages hold only files and directories.
    Symlink { entry: String },
    /// The entry uses something this reader does not accept (a compression method other
    /// than stored or deflate, encryption).
    UnsupportedEntry { entry: String, reason: String },
    /// The entry is outside the package layout: only `manifest.toml`, the entry module,
    /// the icon, `resources/…` and `data/…` may be present.
    UnexpectedEntry { entry: String },

    // ----- the manifest ----------------------------------------------------------------
    /// The package has no `manifest.toml` at its root.
    NoManifest,
    /// `manifest.toml` is not valid TOML or does not have the manifest's shape (missing
    /// or unknown keys, wrong types). Line and column are 1-based.
    Toml {
        line: usize,
        column: usize,
        message: String,
    },
    /// A manifest value has the right type but an unacceptable value (an id with bad
    /// characters, a version that is not SemVer, …).
    InvalidField {
        field: &'static str,
        line: usize,
        column: usize,
        reason: String,
    },
    /// The app needs a newer KPIO than this one.
    UnsupportedKpio { required: String, running: String },
    /// A file the manifest names is bigger than allowed (the manifest itself, the icon).
    FileTooLarge { path: String, size: u64, limit: u64 },
    /// The manifest names a file (`field` = `entry` or `icon`) the package does not hold.
    MissingFile { field: &'static str, path: String },

    // ----- the entry module ------------------------------------------------------------
    /// The entry module named by the manifest is not in the package.
    MissingEntry { path: String },
    /// The entry file does not start with the WebAssembly magic number.
    NotWasm { path: String },
    /// The engine refused the entry module (malformed, invalid or unsupported).
    InvalidWasm { path: String, error: String },
    /// The entry module exports no `_start` function, so it cannot be launched.
    NoStart { path: String },

    // ----- installing ------------------------------------------------------------------
    /// The package is older than the installed app; pass `force` to install it anyway.
    Downgrade {
        app: String,
        installed: String,
        new: String,
    },
    /// The app's permissions have not been approved: a person must see `requested` (and
    /// what the installed version had approved, `previous`) and answer
    /// ([`Review`](crate::Review)).
    NeedsApproval(Box<ApprovalNeeded>),
    /// The app id is taken by an app this installer does not manage (a web app).
    Conflict { app: String, reason: String },
    /// No installed app has this id.
    NotInstalled { app: String },
    /// An installed app's files are not what its registry entry says (`path` names the
    /// file).
    Corrupt { path: String, reason: String },
    /// A file system operation failed; `op` is what was being done, `path` where (relative
    /// to the system root).
    Vfs {
        op: &'static str,
        path: String,
        error: VfsError,
    },
    /// The registry or the lifecycle refused (see [`AppError`]).
    App(AppError),

    // ----- packing (hosted) -----------------------------------------------------------
    /// Reading the source directory failed.
    Io { path: String, message: String },

    // ----- launching -------------------------------------------------------------------
    /// The app's module needs an import KPIO does not provide.
    Link { app: String, error: String },
    /// The app's WASI context could not be set up.
    Wasi { app: String, error: String },
}

/// What a person must see to approve an install ([`PkgError::NeedsApproval`]): the app,
/// the permissions it asks for, and what the installed version had approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalNeeded {
    pub app: String,
    pub name: String,
    pub version: String,
    pub requested: kpio_app::Permissions,
    pub previous: Option<kpio_app::Permissions>,
}

impl PkgError {
    pub(crate) fn vfs(op: &'static str, path: &str, error: VfsError) -> PkgError {
        PkgError::Vfs {
            op,
            path: path.to_string(),
            error,
        }
    }

    /// A short stable name of the variant (`"too-large"`, `"path-escape"`, …), for
    /// machine-readable output and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            PkgError::TooLarge { .. } => "too-large",
            PkgError::BadZip { .. } => "bad-zip",
            PkgError::TooManyEntries { .. } => "too-many-entries",
            PkgError::ZipBomb { .. } => "zip-bomb",
            PkgError::PathEscape { .. } => "path-escape",
            PkgError::BadEntryName { .. } => "bad-entry-name",
            PkgError::DuplicateEntry { .. } => "duplicate-entry",
            PkgError::PathConflict { .. } => "path-conflict",
            PkgError::Symlink { .. } => "symlink",
            PkgError::UnsupportedEntry { .. } => "unsupported-entry",
            PkgError::UnexpectedEntry { .. } => "unexpected-entry",
            PkgError::NoManifest => "no-manifest",
            PkgError::Toml { .. } => "toml",
            PkgError::InvalidField { .. } => "invalid-field",
            PkgError::UnsupportedKpio { .. } => "unsupported-kpio",
            PkgError::FileTooLarge { .. } => "file-too-large",
            PkgError::MissingFile { .. } => "missing-file",
            PkgError::MissingEntry { .. } => "missing-entry",
            PkgError::NotWasm { .. } => "not-wasm",
            PkgError::InvalidWasm { .. } => "invalid-wasm",
            PkgError::NoStart { .. } => "no-start",
            PkgError::Downgrade { .. } => "downgrade",
            PkgError::NeedsApproval(_) => "needs-approval",
            PkgError::Conflict { .. } => "conflict",
            PkgError::NotInstalled { .. } => "not-installed",
            PkgError::Corrupt { .. } => "corrupt",
            PkgError::Vfs { .. } => "vfs",
            PkgError::App(_) => "app",
            PkgError::Io { .. } => "io",
            PkgError::Link { .. } => "link",
            PkgError::Wasi { .. } => "wasi",
        }
    }
}

const MANIFEST: &str = crate::manifest::MANIFEST_FILE;

fn mib(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

impl fmt::Display for PkgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PkgError::TooLarge { size, limit } => write!(
                f,
                "package is too large: {size} bytes, the limit is {}",
                mib(*limit)
            ),
            PkgError::BadZip {
                entry: Some(e),
                reason,
            } => write!(f, "package entry {e:?} is damaged: {reason}"),
            PkgError::BadZip {
                entry: None,
                reason,
            } => write!(f, "package is not a valid ZIP archive: {reason}"),
            PkgError::TooManyEntries { count, limit } => {
                write!(f, "package has {count} entries, the limit is {limit}")
            }
            PkgError::ZipBomb { entry, reason } => {
                write!(f, "package entry {entry:?} refused as a zip bomb: {reason}")
            }
            PkgError::PathEscape { entry, reason } => write!(
                f,
                "package entry {entry:?} would be written outside the app's directory: {reason}"
            ),
            PkgError::BadEntryName { entry, reason } => {
                write!(f, "package entry {entry:?} has an invalid name: {reason}")
            }
            PkgError::DuplicateEntry { entry, first } if entry == first => {
                write!(f, "package entry {entry:?} appears more than once")
            }
            PkgError::DuplicateEntry { entry, first } => write!(
                f,
                "package entries {first:?} and {entry:?} differ only in letter case or Unicode form"
            ),
            PkgError::PathConflict { entry, file } => write!(
                f,
                "package entry {entry:?} lies under {file:?}, which is a file"
            ),
            PkgError::Symlink { entry } => write!(
                f,
                "package entry {entry:?} is a symbolic link; packages may hold only files and directories"
            ),
            PkgError::UnsupportedEntry { entry, reason } => {
                write!(f, "package entry {entry:?} is not supported: {reason}")
            }
            PkgError::UnexpectedEntry { entry } => write!(
                f,
                "package entry {entry:?} is not allowed: a package holds only {MANIFEST}, \
                 the entry module, the icon, resources/ and data/"
            ),
            PkgError::NoManifest => {
                write!(f, "package has no {MANIFEST} at its root")
            }
            PkgError::Toml {
                line,
                column,
                message,
            } => write!(f, "{MANIFEST}:{line}:{column}: {message}"),
            PkgError::InvalidField {
                field,
                line,
                column,
                reason,
            } => write!(f, "{MANIFEST}:{line}:{column}: invalid `{field}`: {reason}"),
            PkgError::UnsupportedKpio { required, running } => write!(
                f,
                "{MANIFEST}: the app needs KPIO {required} or newer, this is KPIO {running}"
            ),
            PkgError::FileTooLarge { path, size, limit } => write!(
                f,
                "{path:?} is too large: {size} bytes, the limit is {}",
                mib(*limit)
            ),
            PkgError::MissingFile { field, path } => write!(
                f,
                "{MANIFEST}: `{field}` names {path:?}, which the package does not contain"
            ),
            PkgError::MissingEntry { path } => write!(
                f,
                "the entry module {path:?} named in {MANIFEST} is not in the package"
            ),
            PkgError::NotWasm { path } => write!(
                f,
                "the entry module {path:?} is not WebAssembly (no \\0asm header)"
            ),
            PkgError::InvalidWasm { path, error } => {
                write!(f, "the entry module {path:?} failed validation: {error}")
            }
            PkgError::NoStart { path } => {
                write!(f, "the entry module {path:?} exports no `_start` function")
            }
            PkgError::Downgrade {
                app,
                installed,
                new,
            } => write!(
                f,
                "{app} {installed} is installed; refusing to downgrade to {new} (use --force)"
            ),
            PkgError::NeedsApproval(n) => match &n.previous {
                None => write!(
                    f,
                    "{} {} needs its permissions approved before it is installed",
                    n.app, n.version
                ),
                Some(_) => write!(
                    f,
                    "{} {} asks for different permissions than the installed version; they \
                     need approving again",
                    n.app, n.version
                ),
            },
            PkgError::Conflict { app, reason } => write!(f, "cannot install {app}: {reason}"),
            PkgError::NotInstalled { app } => write!(f, "no installed app {app}"),
            PkgError::Corrupt { path, reason } => {
                write!(f, "installed file {path:?} is corrupt: {reason}")
            }
            PkgError::Vfs { op, path, error } => {
                write!(f, "{op} {path:?} failed: {error}")
            }
            PkgError::App(e) => write!(f, "{e}"),
            PkgError::Io { path, message } => write!(f, "{path}: {message}"),
            PkgError::Link { app, error } => write!(f, "cannot start {app}: {error}"),
            PkgError::Wasi { app, error } => {
                write!(f, "cannot set up WASI for {app}: {error}")
            }
        }
    }
}

impl std::error::Error for PkgError {}

impl From<AppError> for PkgError {
    fn from(e: AppError) -> Self {
        PkgError::App(e)
    }
}

/// Something [`AppManager`](crate::AppManager) worked around rather than failed on. Each
/// displays as one sentence for a person.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Warning {
    /// `registry.json` was unusable, and the manager runs on the previous generation
    /// (which it also made the current file again, keeping the damaged one as
    /// `kept_as` when that worked).
    RegistryRestored {
        restored: RegistryRestored,
        kept_as: Option<String>,
    },
    /// A leftover under `apps/` (`path`, relative to the system root) that no app owns
    /// could not be deleted; it is tried again the next time the platform opens.
    LeftoverKept { path: String, error: PkgError },
    /// An app's code cache entry (`path`) was refused or could not be written; the app
    /// runs without it (its functions are compiled again as they get hot).
    CodeCacheDiscarded { path: String, reason: String },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::RegistryRestored { restored, kept_as } => {
                write!(f, "{restored}")?;
                if let Some(k) = kept_as {
                    write!(f, "; the damaged file was kept as {k}")?;
                }
                Ok(())
            }
            Warning::CodeCacheDiscarded { path, reason } => {
                write!(f, "native code cache {path:?} not used: {reason}")
            }
            Warning::LeftoverKept { path, error } => write!(
                f,
                "could not delete {path:?}, which no installed app owns (it will be tried \
                 again next time): {error}"
            ),
        }
    }
}

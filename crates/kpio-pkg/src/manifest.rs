//! `manifest.toml`: the package's description of itself, parsed into a typed [`Manifest`].
//!
//! ```toml
//! [app]
//! id = "org.example.notes"        # [a-z0-9.-], starts with a letter or digit, no "..", ≤ 128
//! name = "Notes"                  # shown to people, ≤ 128 characters, no control, format
//!                                 # or bidi characters, no edge whitespace, not a number
//! version = "1.2.0"               # SemVer
//! entry = "app.wasm"              # the module to run, a path inside the package
//! description = "Takes notes"     # optional
//! author = "Example Ltd"          # optional
//! icon = "resources/icon.png"     # optional, a path inside the package, ≤ 256 KiB
//! min_kpio_version = "0.1.0"      # optional; refused on an older KPIO
//!
//! [permissions]                   # optional; everything defaults to "none" / false
//! filesystem = "read-write"       # "none" | "read-only" | "read-write"
//! network = "none"                # "none" | "local" | "full" | ["api.example.org", …]
//! gui = true
//! clipboard = false
//! notifications = false
//! background = false
//! memory_limit_pages = 256        # optional cap on linear memory, in 64 KiB pages
//! ```
//!
//! Unknown keys are errors (a misspelt `[permisions]` must not silently grant nothing).
//! Every error carries the 1-based line and column of the offending text:
//! [`PkgError::Toml`] for syntax and shape, [`PkgError::InvalidField`] for values.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::archive::check_entry_name;
use crate::error::PkgError;

/// The manifest's name at the package root.
pub const MANIFEST_FILE: &str = "manifest.toml";

/// The KPIO version `min_kpio_version` is compared with.
pub const KPIO_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Longest app id and app name, in characters.
pub const MAX_ID_LEN: usize = 128;

/// How much of the file system the app may see: its data directory, mounted at `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FsAccess {
    #[default]
    None,
    ReadOnly,
    ReadWrite,
}

/// Which hosts the app may talk to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NetworkAccess {
    #[default]
    None,
    /// Loopback only (`localhost`, 127.0.0.0/8, ::1): this computer.
    Local,
    /// Only these host names.
    AllowList(Vec<String>),
    Full,
}

/// The `[permissions]` table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManifestPermissions {
    pub filesystem: FsAccess,
    pub network: NetworkAccess,
    pub gui: bool,
    pub clipboard: bool,
    pub notifications: bool,
    pub background: bool,
    pub memory_limit_pages: Option<u32>,
}

impl ManifestPermissions {
    /// The app layer's form of these permissions.
    pub fn to_app(&self) -> kpio_app::Permissions {
        kpio_app::Permissions {
            filesystem: match self.filesystem {
                FsAccess::None => kpio_app::FsPermission::None,
                FsAccess::ReadOnly => kpio_app::FsPermission::ReadOnly,
                FsAccess::ReadWrite => kpio_app::FsPermission::ReadWrite,
            },
            network: match &self.network {
                NetworkAccess::None => kpio_app::NetworkPermission::None,
                NetworkAccess::Local => kpio_app::NetworkPermission::LocalOnly,
                NetworkAccess::AllowList(hosts) => {
                    kpio_app::NetworkPermission::AllowList(hosts.clone())
                }
                NetworkAccess::Full => kpio_app::NetworkPermission::Full,
            },
            gui: self.gui,
            notifications: self.notifications,
            clipboard: self.clipboard,
            background: self.background,
            memory_limit_pages: self.memory_limit_pages,
        }
    }
}

/// A validated manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub id: String,
    pub name: String,
    pub version: semver::Version,
    /// Path of the entry module inside the package (a clean relative path).
    pub entry: String,
    pub description: Option<String>,
    pub author: Option<String>,
    /// Path of the icon inside the package.
    pub icon: Option<String>,
    pub min_kpio_version: Option<semver::Version>,
    pub permissions: ManifestPermissions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    app: RawApp,
    #[serde(default)]
    permissions: RawPermissions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApp {
    id: Spanned<String>,
    name: Spanned<String>,
    version: Spanned<String>,
    entry: Spanned<String>,
    description: Option<Spanned<String>>,
    author: Option<Spanned<String>>,
    icon: Option<Spanned<String>>,
    min_kpio_version: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPermissions {
    #[serde(default)]
    filesystem: FsAccess,
    network: Option<Spanned<RawNetwork>>,
    #[serde(default)]
    gui: bool,
    #[serde(default)]
    clipboard: bool,
    #[serde(default)]
    notifications: bool,
    #[serde(default)]
    background: bool,
    memory_limit_pages: Option<Spanned<u32>>,
}

/// `network = "none" | "local" | "full"` or a list of host names.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "\"none\", \"local\", \"full\" or a list of host names"
)]
enum RawNetwork {
    Mode(String),
    Hosts(Vec<String>),
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn invalid(field: &'static str, text: &str, span: Range<usize>, reason: String) -> PkgError {
    let (line, column) = line_column(text, span.start);
    PkgError::InvalidField {
        field,
        line,
        column,
        reason,
    }
}

/// Checks an app id: `[a-z0-9.-]`, 1 to [`MAX_ID_LEN`] characters, starting with a letter
/// or digit, not ending with `.` or `-`, no `..`. Such an id is always a single safe file
/// name, so it can name the app's directories.
pub fn check_app_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("it is empty".into());
    }
    if id.len() > MAX_ID_LEN {
        return Err(format!("it is longer than {MAX_ID_LEN} characters"));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Err(format!(
            "{c:?} is not allowed; use lowercase letters, digits, '.' and '-'"
        ));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("it must start with a letter or digit".into());
    }
    if id.ends_with(['.', '-']) {
        return Err("it must not end with '.' or '-'".into());
    }
    if id.contains("..") {
        return Err("it must not contain \"..\"".into());
    }
    Ok(())
}

fn check_text(value: &str, max: usize) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("it is empty".into());
    }
    if value.chars().count() > max {
        return Err(format!("it is longer than {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("it contains control characters".into());
    }
    Ok(())
}

fn parse_version(
    field: &'static str,
    text: &str,
    value: &Spanned<String>,
) -> Result<semver::Version, PkgError> {
    semver::Version::parse(value.get_ref()).map_err(|e| {
        invalid(
            field,
            text,
            value.span(),
            format!("{:?} is not a SemVer version: {e}", value.get_ref()),
        )
    })
}

impl Manifest {
    /// Parses and validates manifest text. Does not look at the rest of the package (see
    /// [`Package`](crate::Package) for the entry and icon checks).
    pub fn parse(text: &str) -> Result<Manifest, PkgError> {
        let raw: RawManifest = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
            PkgError::Toml {
                line,
                column,
                message: e.message().trim_end().to_string(),
            }
        })?;
        let app = raw.app;

        check_app_id(app.id.get_ref()).map_err(|r| invalid("id", text, app.id.span(), r))?;
        check_text(app.name.get_ref(), MAX_ID_LEN)
            .map_err(|r| invalid("name", text, app.name.span(), r))?;
        // The registry's name rules, here too so the error points at the line: no
        // format/bidi/control characters, no edge whitespace, not a number.
        kpio_app::names::check_display_name(app.name.get_ref())
            .map_err(|e| invalid("name", text, app.name.span(), e.to_string()))?;
        let version = parse_version("version", text, &app.version)?;
        check_entry_name(app.entry.get_ref())
            .map_err(|e| invalid("entry", text, app.entry.span(), e.to_string()))?;
        if app.entry.get_ref().ends_with('/') {
            return Err(invalid(
                "entry",
                text,
                app.entry.span(),
                "it names a directory".into(),
            ));
        }
        if app.entry.get_ref().starts_with("data/") {
            return Err(invalid(
                "entry",
                text,
                app.entry.span(),
                "the entry module cannot be under data/ (the app's writable files)".into(),
            ));
        }
        if let Some(icon) = &app.icon {
            check_entry_name(icon.get_ref())
                .map_err(|e| invalid("icon", text, icon.span(), e.to_string()))?;
            if icon.get_ref().starts_with("data/") || icon.get_ref().ends_with('/') {
                return Err(invalid(
                    "icon",
                    text,
                    icon.span(),
                    "the icon must be a file outside data/".into(),
                ));
            }
        }
        let min_kpio_version = match &app.min_kpio_version {
            Some(v) => Some(parse_version("min_kpio_version", text, v)?),
            None => None,
        };
        if let Some(d) = &app.description
            && d.get_ref().chars().count() > 4096
        {
            return Err(invalid(
                "description",
                text,
                d.span(),
                "it is longer than 4096 characters".into(),
            ));
        }
        if let Some(a) = &app.author {
            check_text(a.get_ref(), 256).map_err(|r| invalid("author", text, a.span(), r))?;
        }

        let p = raw.permissions;
        let network = match p.network {
            None => NetworkAccess::None,
            Some(n) => {
                let span = n.span();
                match n.into_inner() {
                    RawNetwork::Mode(m) => match m.as_str() {
                        "none" => NetworkAccess::None,
                        "local" => NetworkAccess::Local,
                        "full" => NetworkAccess::Full,
                        other => {
                            return Err(invalid(
                                "network",
                                text,
                                span,
                                format!(
                                    "{other:?} is not one of \"none\", \"local\", \"full\" \
                                     (or a list of host names)"
                                ),
                            ));
                        }
                    },
                    RawNetwork::Hosts(hosts) => {
                        // The app layer's rules for allow-list entries.
                        let probe = kpio_app::Permissions {
                            network: kpio_app::NetworkPermission::AllowList(hosts.clone()),
                            ..kpio_app::Permissions::default()
                        };
                        probe.validate().map_err(|e| {
                            let reason = match e {
                                kpio_app::AppError::Invalid(r) => r,
                                other => other.to_string(),
                            };
                            invalid("network", text, span.clone(), reason)
                        })?;
                        NetworkAccess::AllowList(hosts)
                    }
                }
            }
        };
        let memory_limit_pages = match p.memory_limit_pages {
            None => None,
            Some(pages) => {
                let n = *pages.get_ref();
                if n == 0 || n > 65536 {
                    return Err(invalid(
                        "memory_limit_pages",
                        text,
                        pages.span(),
                        format!("{n} is not between 1 and 65536 pages"),
                    ));
                }
                Some(n)
            }
        };

        let manifest = Manifest {
            id: app.id.into_inner(),
            name: app.name.into_inner(),
            version,
            entry: app.entry.into_inner(),
            description: app.description.map(Spanned::into_inner),
            author: app.author.map(Spanned::into_inner),
            icon: app.icon.map(Spanned::into_inner),
            min_kpio_version,
            permissions: ManifestPermissions {
                filesystem: p.filesystem,
                network,
                gui: p.gui,
                clipboard: p.clipboard,
                notifications: p.notifications,
                background: p.background,
                memory_limit_pages,
            },
        };
        manifest.check_kpio_version()?;
        Ok(manifest)
    }

    /// Refuses the app if it needs a newer KPIO than [`KPIO_VERSION`].
    pub fn check_kpio_version(&self) -> Result<(), PkgError> {
        if let Some(required) = &self.min_kpio_version {
            let running = semver::Version::parse(KPIO_VERSION).expect("KPIO_VERSION is SemVer");
            if *required > running {
                return Err(PkgError::UnsupportedKpio {
                    required: required.to_string(),
                    running: running.to_string(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let t = "ab\nçd = 1\n";
        assert_eq!(line_column(t, 0), (1, 1));
        assert_eq!(line_column(t, 3), (2, 1));
        assert_eq!(line_column(t, 6), (2, 3));
        assert_eq!(line_column(t, 999), (3, 1));
    }

    #[test]
    fn ids() {
        for ok in ["a", "a1", "org.example.notes", "x-y.z9"] {
            assert!(check_app_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "A", "a/b", "..", "a..b", ".a", "a.", "-a", "a b", "ä", "a_b",
        ] {
            assert!(check_app_id(bad).is_err(), "{bad}");
        }
        assert!(check_app_id(&"a".repeat(129)).is_err());
        assert!(check_app_id(&"a".repeat(128)).is_ok());
    }
}

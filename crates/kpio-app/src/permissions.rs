//! What an app may do, stored per app in the registry, and the checks that enforce it where
//! it acts:
//!
//! - files: [`Permissions::vfs_mount_options`] / [`Permissions::app_vfs`] decide whether and
//!   how the app's data directory is mounted into the [`Vfs`] its WASI layer sees (no mount
//!   at all means no preopen, so the app cannot name a file);
//! - network: [`Permissions::check_network`] for every connection a host API opens;
//! - notifications, clipboard, GUI: [`Permissions::check`] in the host API calls
//!   (`kpio-host`);
//! - background: recorded, reviewed and shown, but nothing checks it yet, because no app
//!   runs in the background: an app runs only while launched;
//! - memory: [`Permissions::engine_config`] caps the engine's `max_memory_pages`.
//!
//! [`Permissions::default`] is least privilege: nothing granted, no extra memory cap.
//!
//! JSON form (fields may be left out, meaning the least-privilege default):
//! `{"filesystem":"ReadWrite","network":{"AllowList":["api.example.com","*.cdn.example"]},
//! "gui":true,"notifications":false,"clipboard":false,"background":false,
//! "memory_limit_pages":256}`; `network` is `"None"`, `"LocalOnly"`, `"Full"` or
//! `{"AllowList":[…]}`.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use kpio_vfs::{Backend, MountOptions, Vfs, VfsLimits};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Largest memory limit an app may ask for: the whole 32-bit wasm address space.
pub const MAX_MEMORY_LIMIT_PAGES: u32 = 65536;

/// Access to the app's own data directory (`data_path`). Apps never see other files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum FsPermission {
    /// No file access: the data directory is not mounted.
    #[default]
    None,
    /// The data directory is mounted read-only.
    ReadOnly,
    /// The data directory is mounted read-write.
    ReadWrite,
}

/// Which hosts the app may connect to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum NetworkPermission {
    /// No network access.
    #[default]
    None,
    /// Loopback only: `localhost`, `127.0.0.0/8`, `::1` (and `::ffff:127.x.y.z`).
    LocalOnly,
    /// Only these hosts: an entry is an exact host name or IP literal (case-insensitive), or
    /// `*.suffix`, which matches every host strictly below `suffix` (`*.example.com` matches
    /// `a.example.com` and `a.b.example.com`, not `example.com`).
    AllowList(Vec<String>),
    /// Any host.
    Full,
}

impl fmt::Display for NetworkPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkPermission::None => f.write_str("None"),
            NetworkPermission::LocalOnly => f.write_str("LocalOnly"),
            NetworkPermission::AllowList(list) => write!(f, "AllowList{list:?}"),
            NetworkPermission::Full => f.write_str("Full"),
        }
    }
}

/// The on/off capabilities a host API checks with [`Permissions::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Open windows and draw (`kpio:gui`).
    Gui,
    /// Post notifications and toasts.
    Notifications,
    /// Read or write the clipboard.
    Clipboard,
    /// Keep running while no window is open / be restarted in the background.
    Background,
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Capability::Gui => "gui",
            Capability::Notifications => "notifications",
            Capability::Clipboard => "clipboard",
            Capability::Background => "background",
        })
    }
}

/// Everything an app is allowed. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Permissions {
    pub filesystem: FsPermission,
    pub network: NetworkPermission,
    pub gui: bool,
    pub notifications: bool,
    pub clipboard: bool,
    pub background: bool,
    /// Cap on each linear memory of the app, in 64 KiB pages (`None`: the host's default).
    pub memory_limit_pages: Option<u32>,
}

impl Permissions {
    /// Checks the values a manifest or registry file may get wrong: allow-list entries must
    /// be host names (letters, digits, `-`, dot-separated labels of 1–63 bytes, 253 bytes
    /// at most) or IP literals, optionally behind `*.`; the memory limit must be at most
    /// [`MAX_MEMORY_LIMIT_PAGES`].
    pub fn validate(&self) -> Result<(), AppError> {
        if let NetworkPermission::AllowList(list) = &self.network {
            for (i, entry) in list.iter().enumerate() {
                let host = entry.strip_prefix("*.").unwrap_or(entry);
                let ok = if host.len() == entry.len() {
                    valid_host_name(host) || parse_ip(host).is_some()
                } else {
                    valid_host_name(host)
                };
                if !ok {
                    return Err(AppError::Invalid(format!(
                        "network allow-list entry {i} ({entry:?}) is not a host name, IP \
                         address or *.domain"
                    )));
                }
            }
        }
        if let Some(pages) = self.memory_limit_pages
            && !(1..=MAX_MEMORY_LIMIT_PAGES).contains(&pages)
        {
            // As the manifest says: 0 pages would let no module with memory start.
            return Err(AppError::Invalid(format!(
                "memory_limit_pages {pages} is not between 1 and {MAX_MEMORY_LIMIT_PAGES}"
            )));
        }
        Ok(())
    }

    /// Whether the app has `cap`: `Permission` naming it if not.
    pub fn check(&self, cap: Capability) -> Result<(), AppError> {
        let granted = match cap {
            Capability::Gui => self.gui,
            Capability::Notifications => self.notifications,
            Capability::Clipboard => self.clipboard,
            Capability::Background => self.background,
        };
        if granted {
            Ok(())
        } else {
            Err(AppError::Permission {
                what: format!("{cap} is not granted"),
            })
        }
    }

    /// Whether the app may connect to `host` (a host name or IP literal, IPv6 with or
    /// without brackets, no port). Matching ignores ASCII case and one trailing dot. An
    /// empty host is `Invalid`; a host not allowed is `Permission` naming it.
    pub fn check_network(&self, host: &str) -> Result<(), AppError> {
        let norm = normalize_host(host);
        if norm.is_empty() {
            return Err(AppError::Invalid(format!("network host {host:?} is empty")));
        }
        let allowed = match &self.network {
            NetworkPermission::None => false,
            NetworkPermission::LocalOnly => is_loopback(&norm),
            NetworkPermission::AllowList(list) => {
                list.iter().any(|e| allow_entry_matches(e, &norm))
            }
            NetworkPermission::Full => true,
        };
        if allowed {
            Ok(())
        } else {
            Err(AppError::Permission {
                what: format!("network access to {host:?} (network: {})", self.network),
            })
        }
    }

    /// How to mount the app's data directory into its VFS: `None` for no file access (no
    /// mount, so no WASI preopen), read-only or read-write otherwise. The directory is
    /// created if missing either way.
    pub fn vfs_mount_options(&self) -> Option<MountOptions> {
        match self.filesystem {
            FsPermission::None => None,
            FsPermission::ReadOnly => Some(MountOptions {
                read_only: true,
                create: true,
            }),
            FsPermission::ReadWrite => Some(MountOptions {
                read_only: false,
                create: true,
            }),
        }
    }

    /// The [`Vfs`] an app's WASI layer gets: its data directory `data_path` (a path in
    /// `backend`, leading `/` optional) mounted at `/` as [`Permissions::vfs_mount_options`]
    /// says, or no mount at all.
    pub fn app_vfs(&self, backend: Arc<dyn Backend>, data_path: &str) -> Result<Vfs, AppError> {
        let mut vfs = Vfs::new(VfsLimits::default());
        if let Some(opts) = self.vfs_mount_options() {
            vfs.mount("/", backend, data_path.trim_start_matches('/'), opts)?;
        }
        Ok(vfs)
    }

    /// What these permissions allow, one line each, for a person reviewing an install
    /// (`kpio install`'s prompt, the desktop's dialog, `kpio info`). Every field appears,
    /// granted or not, so nothing is hidden by omission.
    pub fn describe(&self) -> Vec<String> {
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let mut lines = Vec::new();
        lines.push(format!(
            "files: {}",
            match self.filesystem {
                FsPermission::None => "none",
                FsPermission::ReadOnly => "read its own data folder",
                FsPermission::ReadWrite => "read and write its own data folder",
            }
        ));
        lines.push(format!(
            "network: {}",
            match &self.network {
                NetworkPermission::None => String::from("none"),
                NetworkPermission::LocalOnly => String::from("this computer only (localhost)"),
                NetworkPermission::AllowList(list) => format!("only {}", list.join(", ")),
                NetworkPermission::Full => String::from("any host"),
            }
        ));
        lines.push(format!("windows (gui): {}", yes_no(self.gui)));
        lines.push(format!("notifications: {}", yes_no(self.notifications)));
        lines.push(format!("clipboard: {}", yes_no(self.clipboard)));
        lines.push(format!("background: {}", yes_no(self.background)));
        if let Some(pages) = self.memory_limit_pages {
            lines.push(format!(
                "memory: at most {} KiB of linear memory",
                u64::from(pages) * 64
            ));
        }
        lines
    }

    /// `base` with the app's memory limit applied: `max_memory_pages` becomes the smaller
    /// of the two, so an app can lower the host's cap but never raise it.
    pub fn engine_config(&self, base: kpio_wasm::Config) -> kpio_wasm::Config {
        let mut config = base;
        if let Some(limit) = self.memory_limit_pages {
            config.max_memory_pages = config.max_memory_pages.min(limit);
        }
        config
    }
}

/// Lower-case, without `[]` around an IPv6 literal and without one trailing dot.
fn normalize_host(host: &str) -> String {
    let h = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let h = h.strip_suffix('.').unwrap_or(h);
    h.to_ascii_lowercase()
}

enum Ip {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

fn parse_ip(host: &str) -> Option<Ip> {
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return Some(Ip::V4(v4));
    }
    let inner = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    inner.parse::<Ipv6Addr>().ok().map(Ip::V6)
}

fn is_loopback(norm: &str) -> bool {
    if norm == "localhost" {
        return true;
    }
    match parse_ip(norm) {
        Some(Ip::V4(a)) => a.is_loopback(),
        Some(Ip::V6(a)) => a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
        None => false,
    }
}

fn allow_entry_matches(entry: &str, norm: &str) -> bool {
    let entry = normalize_host(entry);
    if let Some(suffix) = entry.strip_prefix("*.") {
        norm.len() > suffix.len() + 1
            && norm.ends_with(suffix)
            && norm.as_bytes()[norm.len() - suffix.len() - 1] == b'.'
    } else {
        match (parse_ip(&entry), parse_ip(norm)) {
            (Some(Ip::V4(a)), Some(Ip::V4(b))) => a == b,
            (Some(Ip::V6(a)), Some(Ip::V6(b))) => a == b,
            _ => entry == norm,
        }
    }
}

fn valid_host_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn net(n: NetworkPermission) -> Permissions {
        Permissions {
            network: n,
            ..Permissions::default()
        }
    }

    #[test]
    fn default_is_least_privilege() {
        let p = Permissions::default();
        assert_eq!(p.filesystem, FsPermission::None);
        assert_eq!(p.network, NetworkPermission::None);
        for cap in [
            Capability::Gui,
            Capability::Notifications,
            Capability::Clipboard,
            Capability::Background,
        ] {
            assert!(matches!(p.check(cap), Err(AppError::Permission { .. })));
        }
        assert!(p.check_network("localhost").is_err());
        assert_eq!(p.vfs_mount_options(), None);
        assert_eq!(p.memory_limit_pages, None);
    }

    #[test]
    fn local_only_means_loopback() {
        let p = net(NetworkPermission::LocalOnly);
        for ok in [
            "localhost",
            "LOCALHOST",
            "localhost.",
            "127.0.0.1",
            "127.255.1.2",
            "::1",
            "[::1]",
            "0:0:0:0:0:0:0:1",
            "::ffff:127.0.0.1",
        ] {
            assert_eq!(p.check_network(ok), Ok(()), "{ok}");
        }
        for bad in [
            "128.0.0.1",
            "10.0.0.1",
            "localhost.example.com",
            "mylocalhost",
            "::2",
            "127.1",
            "example.com",
        ] {
            assert!(
                matches!(p.check_network(bad), Err(AppError::Permission { .. })),
                "{bad}"
            );
        }
        assert!(matches!(p.check_network(""), Err(AppError::Invalid(_))));
    }

    #[test]
    fn allow_list_matches_exact_hosts_and_wildcard_subdomains() {
        let p = net(NetworkPermission::AllowList(vec![
            "api.example.com".to_string(),
            "*.cdn.example".to_string(),
            "10.0.0.7".to_string(),
        ]));
        for ok in [
            "api.example.com",
            "API.Example.com.",
            "a.cdn.example",
            "a.b.cdn.example",
            "10.0.0.7",
        ] {
            assert_eq!(p.check_network(ok), Ok(()), "{ok}");
        }
        for bad in [
            "example.com",
            "x.api.example.com",
            "cdn.example",
            "evilcdn.example",
            "a.cdn.example.evil",
            "10.0.0.8",
            "localhost",
        ] {
            let err = p.check_network(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn full_allows_any_host() {
        let p = net(NetworkPermission::Full);
        assert_eq!(p.check_network("example.org"), Ok(()));
        assert_eq!(p.check_network("203.0.113.9"), Ok(()));
    }

    #[test]
    fn validate_rejects_bad_allow_list_entries_and_limits() {
        for bad in [
            "",
            "*",
            "*.",
            "a..b",
            "-a.com",
            "a b",
            "http://a.com",
            "*.*.a",
        ] {
            let p = net(NetworkPermission::AllowList(vec![bad.to_string()]));
            assert!(matches!(p.validate(), Err(AppError::Invalid(_))), "{bad:?}");
        }
        for pages in [0, 65537] {
            let p = Permissions {
                memory_limit_pages: Some(pages),
                ..Permissions::default()
            };
            // As the manifest: a registry saying 0 pages is as wrong as one saying too many.
            assert!(matches!(p.validate(), Err(AppError::Invalid(_))), "{pages}");
        }
        for pages in [1, 65536] {
            let p = Permissions {
                memory_limit_pages: Some(pages),
                ..Permissions::default()
            };
            assert_eq!(p.validate(), Ok(()), "{pages}");
        }
    }

    #[test]
    fn capabilities_are_checked_one_by_one() {
        let p = Permissions {
            notifications: true,
            ..Permissions::default()
        };
        assert_eq!(p.check(Capability::Notifications), Ok(()));
        let err = p.check(Capability::Clipboard).unwrap_err();
        assert_eq!(
            err.to_string(),
            "permission denied: clipboard is not granted"
        );
    }

    #[test]
    fn memory_limit_only_lowers_the_engine_cap() {
        let base = kpio_wasm::Config {
            max_memory_pages: 1000,
            ..kpio_wasm::Config::default()
        };
        let lower = Permissions {
            memory_limit_pages: Some(16),
            ..Permissions::default()
        };
        assert_eq!(lower.engine_config(base.clone()).max_memory_pages, 16);
        let higher = Permissions {
            memory_limit_pages: Some(5000),
            ..Permissions::default()
        };
        assert_eq!(higher.engine_config(base.clone()).max_memory_pages, 1000);
        assert_eq!(
            Permissions::default().engine_config(base).max_memory_pages,
            1000
        );
    }

    #[test]
    fn filesystem_permission_picks_the_mount() {
        let mut p = Permissions::default();
        assert_eq!(p.vfs_mount_options(), None);
        p.filesystem = FsPermission::ReadOnly;
        assert!(p.vfs_mount_options().unwrap().read_only);
        p.filesystem = FsPermission::ReadWrite;
        assert!(!p.vfs_mount_options().unwrap().read_only);
    }
}

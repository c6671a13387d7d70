//! The plain values of the app layer: ids, app types and the [`AppDescriptor`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::permissions::Permissions;

/// The kernel's id of an installed app. Ids start at 1 and are never reused: the registry
/// keeps the next id across uninstalls and restarts. Displayed as the bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KernelAppId(pub u64);

impl fmt::Display for KernelAppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One running (or finished) instance of an app; one app may have several at once. Ids
/// start at 1 and are never reused within one [`Lifecycle`](crate::Lifecycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AppInstanceId(pub u64);

impl fmt::Display for AppInstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What kind of app a descriptor describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AppType {
    /// A PWA run by the web platform.
    WebApp,
    /// A `.kpioapp` package whose entry is a WebAssembly module.
    WasmApp,
    /// A native program (kernel builds only).
    NativeApp,
}

impl fmt::Display for AppType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AppType::WebApp => "WebApp",
            AppType::WasmApp => "WasmApp",
            AppType::NativeApp => "NativeApp",
        })
    }
}

/// Everything the registry keeps about one installed app.
///
/// In JSON (the registry file, `AppGetInfo`, `kpio list --json`) the fields appear under
/// their Rust names, `icon` as standard base64 with padding, `last_launched` as `null` when
/// the app never ran, and permissions as [`Permissions`] describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppDescriptor {
    pub id: KernelAppId,
    /// Package id from the manifest, e.g. `"com.kpio.hello"`; unique in a registry.
    pub app_id: String,
    /// Display name.
    pub name: String,
    /// SemVer text of the installed version.
    pub version: String,
    pub app_type: AppType,
    /// Icon file bytes (PNG), possibly empty.
    #[serde(with = "crate::base64::serde_bytes")]
    pub icon: Vec<u8>,
    /// VFS path of the installed version's directory, e.g. `"/apps/data/com.kpio.hello/v3"`.
    pub install_path: String,
    /// VFS path of the app's own data directory, e.g. `"/apps/data/com.kpio.hello/data"`.
    pub data_path: String,
    /// The entry file inside `install_path`, e.g. `"app.wasm"`.
    pub entry: String,
    pub permissions: Permissions,
    /// When it was installed, in nanoseconds since the Unix epoch.
    pub installed_at: u64,
    /// When it was last launched (nanoseconds since the Unix epoch), if ever.
    #[serde(default)]
    pub last_launched: Option<u64>,
    /// The permissions a person approved for this app, and when. `None` for apps installed
    /// before installs were reviewed. An update asking for anything else is reviewed again.
    #[serde(default)]
    pub approval: Option<Approval>,
}

/// A person's answer to an install's permission review: they approved exactly
/// `permissions`, at `approved_at` (nanoseconds since the Unix epoch), through `via`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub permissions: Permissions,
    pub approved_at: u64,
    pub via: ApprovalSource,
}

/// Where an install's permissions were approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApprovalSource {
    /// Answered "yes" at `kpio install`'s prompt.
    Prompt,
    /// Approved in advance on the command line (`kpio install --yes`) or by the caller of
    /// the library for an unattended install.
    Unattended,
    /// The desktop's install dialog.
    Dialog,
    /// Carried over from the previous version, which asked for the same permissions.
    Unchanged,
}

impl fmt::Display for ApprovalSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApprovalSource::Prompt => "at the install prompt",
            ApprovalSource::Unattended => "unattended (--yes)",
            ApprovalSource::Dialog => "in the desktop's install dialog",
            ApprovalSource::Unchanged => "unchanged from the previous version",
        })
    }
}

impl AppDescriptor {
    /// The descriptor as compact JSON (the `AppGetInfo` payload).
    pub fn to_json(&self) -> String {
        // Serializing these types into a String cannot fail: every map key is a string and
        // there are no floats.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The descriptor as indented JSON, for people.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses a descriptor from JSON (the `AppGetInfo` payload) and checks it as the
    /// registry would ([`AppDescriptor::validate`]). `source` names where the bytes came
    /// from in the error.
    pub fn from_json(bytes: &[u8], source: &str) -> Result<AppDescriptor, AppError> {
        let desc: AppDescriptor = serde_json::from_slice(bytes).map_err(|e| AppError::Corrupt {
            path: source.into(),
            reason: alloc::format!("{e}"),
        })?;
        desc.validate()?;
        Ok(desc)
    }

    /// Checks what the registry relies on: a non-zero id, a non-empty `app_id`, `name` and
    /// `entry`, and valid permissions ([`Permissions::validate`]).
    pub fn validate(&self) -> Result<(), AppError> {
        let subject = || alloc::format!("app {} ({:?})", self.id, self.app_id);
        if self.id.0 == 0 {
            return Err(AppError::Invalid(alloc::format!("{}: id 0", subject())));
        }
        for (field, value) in [
            ("app_id", &self.app_id),
            ("name", &self.name),
            ("entry", &self.entry),
        ] {
            if value.is_empty() {
                return Err(AppError::Invalid(alloc::format!(
                    "{}: empty {field}",
                    subject()
                )));
            }
        }
        self.permissions
            .validate()
            .map_err(|e| AppError::Invalid(alloc::format!("{}: {e}", subject())))
    }
}

//! The registry of installed apps and its crash-safe file.
//!
//! # File
//!
//! `system/apps/registry.json` under the VFS directory handle given to [`Registry::load`] /
//! [`Registry::commit`] (hosted: under `KPIO_HOME`). Human-readable JSON:
//!
//! ```json
//! {
//!   "format": 1,
//!   "next_id": 3,
//!   "apps": [ { "id": 1, "app_id": "com.kpio.hello", "name": "Hello", … }, … ]
//! }
//! ```
//!
//! `format` is [`Registry::FORMAT`]; a file with another number is refused as corrupt rather
//! than misread. `apps` are in id order; each is an [`AppDescriptor`]'s JSON.
//!
//! # Crash safety
//!
//! [`Registry::commit`] never writes `registry.json` in place. It writes the whole new
//! registry to `registry.json.tmp` (created or truncated), syncs it, renames it over
//! `registry.json` (atomic: a reader sees the old file or the new one), then syncs the
//! directory so the rename itself is durable. If the process dies at any point, the file is
//! the old registry or the new one, never a mix; a leftover `.tmp` is never read and is
//! overwritten by the next commit.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use kpio_vfs::{Handle, OpenOptions, Vfs, VfsError};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::types::{AppDescriptor, AppType, KernelAppId};

/// Registry files larger than this are refused as corrupt instead of being read.
pub const MAX_REGISTRY_BYTES: u64 = 256 << 20;

/// The installed apps; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    next_id: u64,
    apps: BTreeMap<KernelAppId, AppDescriptor>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

#[derive(Serialize)]
struct FileOut<'a> {
    format: u32,
    next_id: u64,
    apps: Vec<&'a AppDescriptor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    /// Checked through [`FormatOnly`] first.
    #[serde(rename = "format")]
    _format: u32,
    next_id: u64,
    apps: Vec<AppDescriptor>,
}

/// Just the version, read first so a newer format is reported as such.
#[derive(Deserialize)]
struct FormatOnly {
    format: u32,
}

impl Registry {
    /// Where the registry lives, relative to the VFS root handle given.
    pub const PATH: &'static str = "system/apps/registry.json";
    /// The directory of [`Registry::PATH`].
    pub const DIR: &'static str = "system/apps";
    /// The file name of [`Registry::PATH`].
    pub const FILE: &'static str = "registry.json";
    /// The temporary file a commit writes before renaming it over [`Registry::FILE`].
    pub const TMP_FILE: &'static str = "registry.json.tmp";
    /// The `format` number this version writes and reads.
    pub const FORMAT: u32 = 1;

    /// An empty registry; the first id will be 1.
    pub fn new() -> Registry {
        Registry {
            next_id: 1,
            apps: BTreeMap::new(),
        }
    }

    /// The id the next [`Registry::allocate_id`] returns.
    pub fn next_id(&self) -> KernelAppId {
        KernelAppId(self.next_id)
    }

    /// Number of installed apps.
    pub fn len(&self) -> usize {
        self.apps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }

    /// Reads the registry at [`Registry::PATH`] under `root`. A missing file (or missing
    /// directory) is an empty registry; an unreadable, malformed or inconsistent file is
    /// `Corrupt` naming the path and the problem; other file system failures are `Vfs`.
    pub fn load(vfs: &mut Vfs, root: Handle) -> Result<Registry, AppError> {
        let file = match vfs.open(root, Self::PATH, &OpenOptions::read()) {
            Ok(h) => h,
            Err(VfsError::NotFound { .. }) => return Ok(Registry::new()),
            Err(e) => return Err(e.into()),
        };
        let bytes = read_all(vfs, file);
        let _ = vfs.close(file);
        Registry::from_json(&bytes?, Self::PATH)
    }

    /// Parses a registry file's bytes; `path` names it in errors.
    pub fn from_json(bytes: &[u8], path: &str) -> Result<Registry, AppError> {
        let corrupt = |reason: String| AppError::Corrupt {
            path: path.into(),
            reason,
        };
        let version: FormatOnly =
            serde_json::from_slice(bytes).map_err(|e| corrupt(format!("{e}")))?;
        if version.format != Self::FORMAT {
            return Err(corrupt(format!(
                "format {} is not supported (this version reads format {})",
                version.format,
                Self::FORMAT
            )));
        }
        let file: FileIn = serde_json::from_slice(bytes).map_err(|e| corrupt(format!("{e}")))?;
        if file.next_id == 0 {
            return Err(corrupt("next_id is 0".into()));
        }
        let mut reg = Registry {
            next_id: file.next_id,
            apps: BTreeMap::new(),
        };
        for (i, desc) in file.apps.into_iter().enumerate() {
            reg.check_new(&desc)
                .map_err(|e| corrupt(format!("apps[{i}]: {e}")))?;
            reg.apps.insert(desc.id, desc);
        }
        Ok(reg)
    }

    /// The registry file's text (pretty-printed JSON, apps in id order).
    pub fn to_json(&self) -> String {
        let file = FileOut {
            format: Self::FORMAT,
            next_id: self.next_id,
            apps: self.apps.values().collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes the registry to [`Registry::PATH`] under `root` crash-safely (see the module
    /// docs), creating `system/apps` if missing.
    pub fn commit(&self, vfs: &mut Vfs, root: Handle) -> Result<(), AppError> {
        let text = self.to_json();
        let mut path = String::new();
        for part in Self::DIR.split('/') {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(part);
            match vfs.create_dir(root, &path) {
                Ok(()) | Err(VfsError::Exists { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let dir = vfs.open(root, Self::DIR, &OpenOptions::dir())?;
        let result = write_and_rename(vfs, dir, text.as_bytes());
        let _ = vfs.close(dir);
        result
    }

    /// A new id: ids start at 1 and are never handed out twice by this registry (nor by
    /// one loaded from its committed file).
    pub fn allocate_id(&mut self) -> KernelAppId {
        let id = KernelAppId(self.next_id);
        self.next_id += 1;
        id
    }

    /// Adds an app. `desc.id` must come from [`Registry::allocate_id`] and not be in use
    /// (`Invalid`, `Exists`); its `app_id` must be new (`Exists`); the descriptor must pass
    /// [`AppDescriptor::validate`] (`Invalid`).
    pub fn register(&mut self, desc: AppDescriptor) -> Result<KernelAppId, AppError> {
        self.check_new(&desc)?;
        let id = desc.id;
        self.apps.insert(id, desc);
        Ok(id)
    }

    /// Replaces the descriptor with the same id (`NotFound` if none). Its `app_id` may not
    /// become another app's (`Exists`).
    pub fn update(&mut self, desc: AppDescriptor) -> Result<(), AppError> {
        if !self.apps.contains_key(&desc.id) {
            return Err(AppError::NotFound(format!("app {}", desc.id)));
        }
        desc.validate()?;
        if let Some(other) = self
            .apps
            .values()
            .find(|d| d.app_id == desc.app_id && d.id != desc.id)
        {
            return Err(AppError::Exists(format!(
                "app {:?} (id {})",
                other.app_id, other.id
            )));
        }
        self.apps.insert(desc.id, desc);
        Ok(())
    }

    /// Removes an app and returns its descriptor (`NotFound` if none). Its id is not reused.
    pub fn unregister(&mut self, id: KernelAppId) -> Result<AppDescriptor, AppError> {
        self.apps
            .remove(&id)
            .ok_or_else(|| AppError::NotFound(format!("app {id}")))
    }

    pub fn get(&self, id: KernelAppId) -> Option<&AppDescriptor> {
        self.apps.get(&id)
    }

    /// All apps, by id.
    pub fn list(&self) -> impl Iterator<Item = &AppDescriptor> {
        self.apps.values()
    }

    /// The app whose package id (`app_id`) is `name`, else the first (by id) whose display
    /// name is `name`. Exact, case-sensitive matches.
    pub fn find_by_name(&self, name: &str) -> Option<&AppDescriptor> {
        self.apps
            .values()
            .find(|d| d.app_id == name)
            .or_else(|| self.apps.values().find(|d| d.name == name))
    }

    /// All apps of type `t`, by id.
    pub fn find_by_type(&self, t: AppType) -> Vec<&AppDescriptor> {
        self.apps.values().filter(|d| d.app_type == t).collect()
    }

    fn check_new(&self, desc: &AppDescriptor) -> Result<(), AppError> {
        desc.validate()?;
        if desc.id.0 >= self.next_id {
            return Err(AppError::Invalid(format!(
                "app id {} was not allocated by this registry (next id {})",
                desc.id, self.next_id
            )));
        }
        if self.apps.contains_key(&desc.id) {
            return Err(AppError::Exists(format!("app id {}", desc.id)));
        }
        if let Some(other) = self.apps.values().find(|d| d.app_id == desc.app_id) {
            return Err(AppError::Exists(format!(
                "app {:?} (id {})",
                other.app_id, other.id
            )));
        }
        Ok(())
    }
}

fn read_all(vfs: &mut Vfs, file: Handle) -> Result<Vec<u8>, AppError> {
    let size = vfs.stat(file)?.size;
    if size > MAX_REGISTRY_BYTES {
        return Err(AppError::Corrupt {
            path: Registry::PATH.into(),
            reason: format!("{size} bytes, more than the {MAX_REGISTRY_BYTES} allowed"),
        });
    }
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = vfs.read(file, &mut chunk)?;
        if n == 0 {
            return Ok(bytes);
        }
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() as u64 > MAX_REGISTRY_BYTES {
            return Err(AppError::Corrupt {
                path: Registry::PATH.into(),
                reason: format!("more than the {MAX_REGISTRY_BYTES} bytes allowed"),
            });
        }
    }
}

/// Steps 1–4 of a commit inside the open directory `dir` (see the module docs).
fn write_and_rename(vfs: &mut Vfs, dir: Handle, data: &[u8]) -> Result<(), AppError> {
    let opts = OpenOptions::read_write_create().with_truncate(true);
    let tmp = vfs.open(dir, Registry::TMP_FILE, &opts)?;
    let written = write_all(vfs, tmp, data).and_then(|()| vfs.sync(tmp));
    let _ = vfs.close(tmp);
    written?;
    vfs.rename(dir, Registry::TMP_FILE, dir, Registry::FILE)?;
    vfs.sync(dir)?;
    Ok(())
}

fn write_all(vfs: &mut Vfs, file: Handle, mut data: &[u8]) -> Result<(), VfsError> {
    while !data.is_empty() {
        let n = vfs.write(file, data)?;
        if n == 0 {
            return Err(VfsError::Io {
                op: "write",
                message: "wrote 0 bytes".into(),
            });
        }
        data = &data[n.min(data.len())..];
    }
    Ok(())
}

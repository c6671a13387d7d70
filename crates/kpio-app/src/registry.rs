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
//!
//! # The previous generation
//!
//! Before that, each commit copies the committed `registry.json`, if it is a valid
//! registry, to `registry.json.prev` the same way (write `registry.json.prev.tmp`, sync,
//! rename). So `registry.json.prev` is always a complete registry one commit older than
//! `registry.json` (or the same, when nothing changed), and a damaged current file never
//! replaces a good previous one. [`Registry::load_report`] falls back to it when
//! `registry.json` is corrupt (unparsable, truncated, empty, too large) or missing while a
//! previous generation exists, and says so ([`RegistryRestored`]); only when both are
//! unusable is the registry `Corrupt`, naming both files.
//!
//! # Names
//!
//! [`Registry::register`] and [`Registry::update`] refuse names that are not acceptable or
//! that read the same as another app's id or name ([`crate::names`]), and
//! [`Registry::find`] resolves what a person types with one explicit precedence: a number
//! is an id and nothing else, then an exact app id, then the folded app ids and names.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use core::fmt;

use kpio_vfs::{Handle, OpenOptions, Vfs, VfsError};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::names::{self, NameError, NameProblem, fold, is_numeric_key};
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

/// [`Registry::load_report`] could not use `registry.json` and restored the registry from
/// the previous generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRestored {
    /// The refused file ([`Registry::PATH`]).
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
    /// The file the registry was restored from ([`Registry::PREV_PATH`]).
    pub from: String,
}

impl fmt::Display for RegistryRestored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} was corrupt ({}); restored the previous generation from {}",
            self.path, self.reason, self.from
        )
    }
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
    /// The previous generation: the file [`Registry::FILE`] was before the last commit.
    pub const PREV_FILE: &'static str = "registry.json.prev";
    /// [`Registry::PREV_FILE`] with its directory.
    pub const PREV_PATH: &'static str = "system/apps/registry.json.prev";
    /// The temporary file a commit writes before renaming it over [`Registry::PREV_FILE`].
    pub const PREV_TMP_FILE: &'static str = "registry.json.prev.tmp";
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

    /// Reads the registry at [`Registry::PATH`] under `root`, falling back to the previous
    /// generation as [`Registry::load_report`] does (without saying so: use that to tell
    /// people).
    pub fn load(vfs: &mut Vfs, root: Handle) -> Result<Registry, AppError> {
        Ok(Registry::load_report(vfs, root)?.0)
    }

    /// Reads the registry at [`Registry::PATH`] under `root`. A missing file (or missing
    /// directory) with no previous generation is an empty registry. A corrupt file
    /// (malformed, truncated, empty, inconsistent, too large), or a missing one while
    /// [`Registry::PREV_PATH`] exists, is replaced by the previous generation, reported as
    /// [`RegistryRestored`]; if that is unusable too the result is `Corrupt`, naming both
    /// files. Other file system failures are `Vfs`.
    pub fn load_report(
        vfs: &mut Vfs,
        root: Handle,
    ) -> Result<(Registry, Option<RegistryRestored>), AppError> {
        let problem = match read_file(vfs, root, Self::PATH)? {
            Some(Ok(bytes)) => match Registry::from_json(&bytes, Self::PATH) {
                Ok(reg) => return Ok((reg, None)),
                Err(AppError::Corrupt { reason, .. }) => reason,
                Err(e) => return Err(e),
            },
            Some(Err(reason)) => reason,
            None => String::from("it is missing"),
        };
        let prev_problem = match read_file(vfs, root, Self::PREV_PATH)? {
            Some(Ok(bytes)) => match Registry::from_json(&bytes, Self::PREV_PATH) {
                Ok(reg) => {
                    let restored = RegistryRestored {
                        path: Self::PATH.into(),
                        reason: problem,
                        from: Self::PREV_PATH.into(),
                    };
                    return Ok((reg, Some(restored)));
                }
                Err(AppError::Corrupt { reason, .. }) => reason,
                Err(e) => return Err(e),
            },
            Some(Err(reason)) => reason,
            // Neither file: nothing was ever committed here.
            None if problem == "it is missing" => return Ok((Registry::new(), None)),
            None => String::from("it does not exist"),
        };
        Err(AppError::Corrupt {
            path: Self::PATH.into(),
            reason: format!(
                "{problem}; the previous generation {:?} cannot be used either: {prev_problem}",
                Self::PREV_PATH
            ),
        })
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

    /// Writes the registry to [`Registry::PATH`] under `root` crash-safely, first making
    /// the committed file the previous generation (see the module docs); creates
    /// `system/apps` if missing.
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
        let result = (|| {
            // A current file that is not a valid registry (the one a load just replaced
            // with the previous generation) must not replace that good previous one.
            if let Some(Ok(current)) = read_file(vfs, dir, Self::FILE)?
                && Registry::from_json(&current, Self::PATH).is_ok()
            {
                write_and_rename(vfs, dir, Self::PREV_TMP_FILE, Self::PREV_FILE, &current)?;
            }
            write_and_rename(vfs, dir, Self::TMP_FILE, Self::FILE, text.as_bytes())?;
            vfs.sync(dir)?;
            Ok(())
        })();
        let _ = vfs.close(dir);
        result
    }

    /// A new id: ids start at 1 and are never handed out twice by this registry (nor by
    /// one loaded from its committed file). `IdsExhausted` once `next_id` cannot advance
    /// (it is `u64::MAX`): the registry is unchanged and no id is ever repeated.
    pub fn allocate_id(&mut self) -> Result<KernelAppId, AppError> {
        let next = self.next_id.checked_add(1).ok_or(AppError::IdsExhausted {
            next_id: self.next_id,
        })?;
        let id = KernelAppId(self.next_id);
        self.next_id = next;
        Ok(id)
    }

    /// Adds an app. `desc.id` must come from [`Registry::allocate_id`] and not be in use
    /// (`Invalid`, `Exists`); its `app_id` must be new (`Exists`); the descriptor must pass
    /// [`AppDescriptor::validate`] (`Invalid`); its id and name must be acceptable
    /// (`Name`) and read differently from every other app's id and name (`Exists`; see
    /// [`crate::names`]).
    pub fn register(&mut self, desc: AppDescriptor) -> Result<KernelAppId, AppError> {
        self.check_new(&desc)?;
        self.check_names(&desc, None)?;
        let id = desc.id;
        self.apps.insert(id, desc);
        Ok(id)
    }

    /// Replaces the descriptor with the same id (`NotFound` if none). Its `app_id` may not
    /// become another app's (`Exists`), and names are checked as in
    /// [`Registry::register`] (collisions only when the id or name reads differently from
    /// before, so an app that already shared a name in an old registry can still update).
    pub fn update(&mut self, desc: AppDescriptor) -> Result<(), AppError> {
        let Some(before) = self.apps.get(&desc.id) else {
            return Err(AppError::NotFound(format!("app {}", desc.id)));
        };
        desc.validate()?;
        self.check_names(&desc, Some(before))?;
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

    /// The app whose package id (`app_id`) is `name`, else the app whose id or display
    /// name reads the same as `name` ([`names::same_name`]); `None` if there is none or
    /// several. Numbers are not ids here: see [`Registry::find`].
    pub fn find_by_name(&self, name: &str) -> Option<&AppDescriptor> {
        self.find_by_text(name).ok().flatten()
    }

    /// Resolves what a person types to one app, with this precedence:
    ///
    /// 1. ASCII digits ([`names::is_numeric_key`]) are a numeric id and nothing else
    ///    (`NotFound` if no app has it), so `kpio run 1` always means app 1 — no display
    ///    name can look like a number, and an app id that is all digits is refused;
    /// 2. an app whose `app_id` is exactly `key`;
    /// 3. the app whose `app_id` or display name reads the same as `key` once folded
    ///    ([`names::fold`]); `Ambiguous` if several apps do (only possible in a registry
    ///    written before names were folded).
    pub fn find(&self, key: &str) -> Result<&AppDescriptor, AppError> {
        let not_found = || AppError::NotFound(format!("app {key:?}"));
        if is_numeric_key(key) {
            return key
                .parse::<u64>()
                .ok()
                .and_then(|n| self.apps.get(&KernelAppId(n)))
                .ok_or_else(not_found);
        }
        self.find_by_text(key)?.ok_or_else(not_found)
    }

    /// Steps 2 and 3 of [`Registry::find`].
    fn find_by_text(&self, key: &str) -> Result<Option<&AppDescriptor>, AppError> {
        if let Some(d) = self.apps.values().find(|d| d.app_id == key) {
            return Ok(Some(d));
        }
        let k = fold(key);
        let matches: Vec<&AppDescriptor> = self
            .apps
            .values()
            .filter(|d| fold(&d.app_id) == k || fold(&d.name) == k)
            .collect();
        match matches.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            several => Err(AppError::Ambiguous {
                key: key.into(),
                ids: several.iter().map(|d| d.id).collect(),
            }),
        }
    }

    /// All apps of type `t`, by id.
    pub fn find_by_type(&self, t: AppType) -> Vec<&AppDescriptor> {
        self.apps.values().filter(|d| d.app_type == t).collect()
    }

    /// The name rules of [`Registry::register`] and [`Registry::update`] (`before`: the
    /// descriptor an update replaces).
    fn check_names(
        &self,
        desc: &AppDescriptor,
        before: Option<&AppDescriptor>,
    ) -> Result<(), AppError> {
        names::check_text("app_id", &desc.app_id)?;
        if is_numeric_key(&desc.app_id) {
            return Err(AppError::Name(NameError {
                field: "app_id",
                value: desc.app_id.clone(),
                problem: NameProblem::Numeric,
            }));
        }
        names::check_display_name(&desc.name)?;
        let (id_key, name_key) = (fold(&desc.app_id), fold(&desc.name));
        if let Some(b) = before
            && fold(&b.app_id) == id_key
            && fold(&b.name) == name_key
        {
            return Ok(());
        }
        for other in self.apps.values().filter(|d| d.id != desc.id) {
            let (other_id, other_name) = (fold(&other.app_id), fold(&other.name));
            let clash = [
                (
                    "display name",
                    &desc.name,
                    &name_key,
                    "name",
                    &other.name,
                    &other_name,
                ),
                (
                    "display name",
                    &desc.name,
                    &name_key,
                    "app id",
                    &other.app_id,
                    &other_id,
                ),
                (
                    "app id",
                    &desc.app_id,
                    &id_key,
                    "name",
                    &other.name,
                    &other_name,
                ),
                (
                    "app id",
                    &desc.app_id,
                    &id_key,
                    "app id",
                    &other.app_id,
                    &other_id,
                ),
            ]
            .into_iter()
            .find(|c| c.2 == c.5);
            if let Some((what, value, _, other_what, other_value, _)) = clash {
                return Err(AppError::Exists(format!(
                    "an app whose {what} reads as {value:?} (app {} {:?} has the \
                     {other_what} {other_value:?})",
                    other.id, other.app_id
                )));
            }
        }
        Ok(())
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

/// The bytes of file `name` under directory `dir`: `None` if it does not exist,
/// `Some(Err(reason))` if it is too large to be a registry.
fn read_file(
    vfs: &mut Vfs,
    dir: Handle,
    name: &str,
) -> Result<Option<Result<Vec<u8>, String>>, AppError> {
    let file = match vfs.open(dir, name, &OpenOptions::read()) {
        Ok(h) => h,
        Err(VfsError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let bytes = read_all(vfs, file);
    let _ = vfs.close(file);
    Ok(Some(bytes?))
}

fn read_all(vfs: &mut Vfs, file: Handle) -> Result<Result<Vec<u8>, String>, AppError> {
    let size = vfs.stat(file)?.size;
    if size > MAX_REGISTRY_BYTES {
        return Ok(Err(format!(
            "{size} bytes, more than the {MAX_REGISTRY_BYTES} allowed"
        )));
    }
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = vfs.read(file, &mut chunk)?;
        if n == 0 {
            return Ok(Ok(bytes));
        }
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() as u64 > MAX_REGISTRY_BYTES {
            return Ok(Err(format!(
                "more than the {MAX_REGISTRY_BYTES} bytes allowed"
            )));
        }
    }
}

/// Writes `data` to `tmp` in the open directory `dir` (created or truncated), syncs it and
/// renames it over `target` (the caller syncs `dir` afterwards).
fn write_and_rename(
    vfs: &mut Vfs,
    dir: Handle,
    tmp: &str,
    target: &str,
    data: &[u8],
) -> Result<(), AppError> {
    let opts = OpenOptions::read_write_create().with_truncate(true);
    let file = vfs.open(dir, tmp, &opts)?;
    let written = write_all(vfs, file, data).and_then(|()| vfs.sync(file));
    let _ = vfs.close(file);
    written?;
    vfs.rename(dir, tmp, dir, target)?;
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

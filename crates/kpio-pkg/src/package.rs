//! A validated package in memory: [`Package::from_bytes`] is the single gate every
//! `.kpioapp` passes before anything is written.
//!
//! Checks, in order (the first failure is returned): the container ([`read_archive`]:
//! size, ZIP structure, names, duplicates, bombs), `manifest.toml` present and valid
//! ([`Manifest::parse`]), the layout (only `manifest.toml`, the entry, the icon,
//! `resources/…` and `data/…`), the entry module present, starting with `\0asm`, accepted
//! by the engine's validator ([`kpio_wasm::Module::new`]) and exporting `_start`, and the
//! icon present and at most [`MAX_ICON_BYTES`].
//!
//! Directory entries carry no meaning (directories are implied by file paths), so an
//! empty directory in a package is not reproduced on install.

use std::collections::BTreeMap;

use kpio_wasm::{Engine, ExternType, Module};

use crate::archive::{Limits, check_entry_name, read_archive};
use crate::error::PkgError;
use crate::manifest::{MANIFEST_FILE, Manifest, line_column};

/// Largest `manifest.toml`.
pub const MAX_MANIFEST_BYTES: u64 = 256 * 1024;
/// Largest icon (it is kept in the registry).
pub const MAX_ICON_BYTES: u64 = 256 * 1024;
/// Where resources live in a package.
pub const RESOURCES_DIR: &str = "resources/";
/// Where the seed of the app's data directory lives in a package.
pub const DATA_DIR: &str = "data/";

/// A package that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub manifest: Manifest,
    /// The files of the app's code directory, keyed by package path: `manifest.toml`, the
    /// entry module, the icon and everything under `resources/`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The seed of the app's data directory, keyed by path relative to `data/`.
    pub data: BTreeMap<String, Vec<u8>>,
}

impl Package {
    /// Validates a package with the default [`Limits`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Package, PkgError> {
        Package::from_bytes_with_limits(bytes, &Limits::default())
    }

    /// Validates a package with the given limits.
    pub fn from_bytes_with_limits(bytes: &[u8], limits: &Limits) -> Result<Package, PkgError> {
        let entries = read_archive(bytes, limits)?;
        let mut all: BTreeMap<String, Vec<u8>> =
            entries.into_iter().map(|f| (f.name, f.data)).collect();

        let raw_manifest = all.get(MANIFEST_FILE).ok_or(PkgError::NoManifest)?;
        if raw_manifest.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(PkgError::FileTooLarge {
                path: MANIFEST_FILE.into(),
                size: raw_manifest.len() as u64,
                limit: MAX_MANIFEST_BYTES,
            });
        }
        let text = std::str::from_utf8(raw_manifest).map_err(|e| {
            let valid = std::str::from_utf8(&raw_manifest[..e.valid_up_to()]).unwrap_or("");
            let (line, column) = line_column(valid, valid.len());
            PkgError::Toml {
                line,
                column,
                message: "the manifest is not UTF-8".into(),
            }
        })?;
        let manifest = Manifest::parse(text)?;

        for name in all.keys() {
            let allowed = name == MANIFEST_FILE
                || *name == manifest.entry
                || manifest.icon.as_deref() == Some(name.as_str())
                || name.starts_with(RESOURCES_DIR)
                || name.starts_with(DATA_DIR);
            if !allowed {
                return Err(PkgError::UnexpectedEntry {
                    entry: name.clone(),
                });
            }
        }

        let entry = all
            .get(&manifest.entry)
            .ok_or_else(|| PkgError::MissingEntry {
                path: manifest.entry.clone(),
            })?;
        check_module(&manifest.entry, entry)?;

        if let Some(icon) = &manifest.icon {
            let bytes = all.get(icon).ok_or_else(|| PkgError::MissingFile {
                field: "icon",
                path: icon.clone(),
            })?;
            if bytes.len() as u64 > MAX_ICON_BYTES {
                return Err(PkgError::FileTooLarge {
                    path: icon.clone(),
                    size: bytes.len() as u64,
                    limit: MAX_ICON_BYTES,
                });
            }
        }

        let data_names: Vec<String> = all
            .keys()
            .filter(|n| n.starts_with(DATA_DIR))
            .cloned()
            .collect();
        let mut data = BTreeMap::new();
        for name in data_names {
            let bytes = all.remove(&name).expect("listed");
            data.insert(name[DATA_DIR.len()..].to_string(), bytes);
        }
        Ok(Package {
            manifest,
            files: all,
            data,
        })
    }

    /// The entry module's bytes (empty if a hand-built package lacks it).
    pub fn entry_bytes(&self) -> &[u8] {
        self.files
            .get(&self.manifest.entry)
            .map_or(&[][..], Vec::as_slice)
    }

    /// Re-checks what installing relies on, for a `Package` built or changed by hand: the
    /// app id, every file path, and the entry module's presence.
    pub fn check_paths(&self) -> Result<(), PkgError> {
        crate::manifest::check_app_id(&self.manifest.id).map_err(|reason| {
            PkgError::InvalidField {
                field: "id",
                line: 1,
                column: 1,
                reason,
            }
        })?;
        let data = self.data.keys().map(|k| (format!("{DATA_DIR}{k}"), k));
        for (shown, name) in self.files.keys().map(|k| (k.clone(), k)).chain(data) {
            check_entry_name(name).map_err(|p| p.into_error(&shown))?;
            if name.ends_with('/') {
                return Err(PkgError::BadEntryName {
                    entry: shown,
                    reason: "a file name cannot end with '/'",
                });
            }
        }
        if !self.files.contains_key(&self.manifest.entry) {
            return Err(PkgError::MissingEntry {
                path: self.manifest.entry.clone(),
            });
        }
        Ok(())
    }

    /// The icon's bytes, if the manifest names one.
    pub fn icon_bytes(&self) -> Option<&[u8]> {
        self.manifest
            .icon
            .as_ref()
            .and_then(|i| self.files.get(i))
            .map(Vec::as_slice)
    }

    /// Total bytes of code files plus data seed.
    pub fn total_bytes(&self) -> u64 {
        self.files
            .values()
            .chain(self.data.values())
            .map(|b| b.len() as u64)
            .sum()
    }
}

/// Checks that `bytes` (the file `path`) is a valid WebAssembly module exporting a
/// `_start` function.
pub fn check_module(path: &str, bytes: &[u8]) -> Result<Module, PkgError> {
    if !bytes.starts_with(b"\0asm") {
        return Err(PkgError::NotWasm {
            path: path.to_string(),
        });
    }
    let module = Module::new(&Engine::default(), bytes).map_err(|e| PkgError::InvalidWasm {
        path: path.to_string(),
        error: e.to_string(),
    })?;
    let has_start = module
        .exports()
        .any(|(name, ty)| name == "_start" && matches!(ty, ExternType::Func(_)));
    if !has_start {
        return Err(PkgError::NoStart {
            path: path.to_string(),
        });
    }
    Ok(module)
}

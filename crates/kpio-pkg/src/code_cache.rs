//! Installed apps' native code, kept between launches: `apps/cache/{app_id}/code/{key}.kcode`.
//!
//! The engine makes and verifies the entries (`kpio_wasm::jit::code_cache`); this module
//! keeps them with the app:
//! - [`AppManager::prepare_launch`] loads the entry whose key matches the app's module on
//!   this engine build and CPU, so functions compiled in an earlier run start native. An
//!   entry the engine refuses (damaged, foreign) is deleted and reported as
//!   [`Warning::CodeCacheDiscarded`]; the app runs as if there were none.
//! - After a launch, [`AppManager::run_prepared`] writes the module's entry if the run
//!   compiled anything new: to a temporary name first, synced, then renamed over the old
//!   entry, so a reader sees the old entry or the new one whole (and a half-written one
//!   would fail its digest anyway). Entries under other keys (an older version of the app,
//!   another engine build) are deleted then.
//! - [`AppManager::precompile`] compiles a whole app ahead of time (`kpio install
//!   --precompile`).
//!
//! The cache lives inside `apps/cache/{app_id}`, so uninstalling the app deletes it.

use kpio_app::KernelAppId;
use kpio_vfs::FileType;
use kpio_wasm::{Engine, Module};

use crate::error::{PkgError, Warning};
use crate::fsutil::{create_dir_all, join, kind, list_dir, read_file, rename, write_new_file};
use crate::install::{APPS_CACHE, AppManager};

/// Extension of a code cache entry's file.
const EXT: &str = ".kcode";

/// Largest code cache entry read back (a 10 MB module compiles to about 30 MB of code).
const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;

/// What a launch found in the app's code cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCacheUse {
    /// The engine has no native tier, so there is nothing to cache.
    Off,
    /// No entry for this module on this engine yet.
    Missing,
    /// An entry with native code for this many functions was loaded.
    Loaded(usize),
    /// An entry was refused (and deleted): the reason.
    Discarded(String),
}

/// The directory of app `app_id`'s code cache, relative to the system root.
pub(crate) fn dir(app_id: &str) -> String {
    join(&join(APPS_CACHE, app_id), "code")
}

impl AppManager {
    /// Loads app `app_id`'s code cache entry for `module` on `engine` (see the module docs).
    pub(crate) fn load_code_cache(
        &mut self,
        app_id: &str,
        engine: &Engine,
        module: &Module,
    ) -> CodeCacheUse {
        let Some(key) = module.code_cache_key(engine) else {
            return CodeCacheUse::Off;
        };
        let path = join(&dir(app_id), &format!("{key}{EXT}"));
        if !matches!(
            kind(&mut self.vfs, self.root, &path),
            Ok(Some(FileType::RegularFile))
        ) {
            return CodeCacheUse::Missing;
        }
        let why = match read_file(&mut self.vfs, self.root, &path, MAX_ENTRY_BYTES) {
            Ok(bytes) => match module.load_native_code(engine, &bytes) {
                Ok(n) => return CodeCacheUse::Loaded(n),
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        };
        let _ = self.vfs.unlink(self.root, &path);
        self.warnings.push(Warning::CodeCacheDiscarded {
            path,
            reason: why.clone(),
        });
        CodeCacheUse::Discarded(why)
    }

    /// Writes `entry` (for `module` on `engine`) as app `app_id`'s code cache, replacing
    /// what was there. Returns the entry's path.
    pub(crate) fn write_code_cache(
        &mut self,
        app_id: &str,
        engine: &Engine,
        module: &Module,
        entry: &[u8],
    ) -> Result<String, PkgError> {
        let key = module
            .code_cache_key(engine)
            .expect("an engine that made an entry has a native tier");
        let dir = dir(app_id);
        create_dir_all(&mut self.vfs, self.root, &dir)?;
        let name = format!("{key}{EXT}");
        let path = join(&dir, &name);
        // Unique per writer: two instances of an app may finish at once.
        let tmp = join(
            &dir,
            &format!(
                "{name}.{:x}.tmp",
                self.platform.now_ns() ^ std::process::id() as u64
            ),
        );
        let written = write_new_file(&mut self.vfs, self.root, &tmp, entry)
            .and_then(|()| rename(&mut self.vfs, self.root, &tmp, &path));
        if let Err(e) = written {
            let _ = self.vfs.unlink(self.root, &tmp);
            return Err(e);
        }
        // Entries under other keys are for another version of the app or another engine
        // build: they would never be read again.
        if let Ok(names) = list_dir(&mut self.vfs, self.root, &dir) {
            for (other, _) in names {
                if !other.starts_with(&name) {
                    let _ = self.vfs.unlink(self.root, &join(&dir, &other));
                }
            }
        }
        Ok(path)
    }

    /// After a run: keeps what `module` compiled on `engine`, if anything new. A failure
    /// to write is a warning, not an error of the run.
    pub(crate) fn save_code_cache(&mut self, app_id: &str, engine: &Engine, module: &Module) {
        // Functions found hot at the end of the run may still be compiling.
        engine.jit_wait_idle();
        let Some(entry) = module.native_code_entry(engine) else {
            return;
        };
        if let Err(e) = self.write_code_cache(app_id, engine, module, &entry) {
            self.warnings.push(Warning::CodeCacheDiscarded {
                path: dir(app_id),
                reason: format!("could not keep the app's native code: {e}"),
            });
        }
    }

    /// Compiles app `id`'s whole entry module to native code ahead of time, as it will run
    /// when launched, and keeps it in the app's code cache, so even the first launch starts
    /// native. Returns how many functions were compiled and refused.
    pub fn precompile(&mut self, id: KernelAppId) -> Result<PrecompileReport, PkgError> {
        let prepared = self.prepare_module(id, crate::guards::RunLimits::default())?;
        let (engine, module) = (&prepared.engine, &prepared.module);
        let app_id = &prepared.desc.app_id;
        let pre = module.precompile(engine).map_err(|e| PkgError::Corrupt {
            path: app_id.clone(),
            reason: format!("cannot precompile: {e}"),
        })?;
        let path = self.write_code_cache(app_id, engine, module, &pre.entry)?;
        Ok(PrecompileReport {
            compiled: pre.compiled,
            refused: pre.refused,
            first_refusal: pre.first_refusal,
            path,
            bytes: pre.entry.len(),
        })
    }
}

/// What [`AppManager::precompile`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrecompileReport {
    /// Functions compiled to native code.
    pub compiled: usize,
    /// Functions the native tier refused (they run in the interpreter).
    pub refused: usize,
    /// Why the first refused function was refused.
    pub first_refusal: Option<String>,
    /// The entry's path, relative to the system root.
    pub path: String,
    /// The entry's size.
    pub bytes: usize,
}

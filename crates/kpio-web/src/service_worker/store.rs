//! Service worker registrations on disk, under the app's cache directory
//! (`/apps/cache/{id}/service_workers/`): `registrations.json` lists each registration
//! with an active worker (scope, `updateViaCache`, script URL, script file) and each
//! script is a file beside it (`script-<crc32>-<length>.js`).
//!
//! Crash-safe: script files are written (to a temporary name, synced, renamed) before the
//! list that names them, and the list is replaced by a rename, so a kill leaves the old or
//! the new list, each naming files that exist. Unreferenced scripts are removed after.

use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

const LIST: &str = "registrations.json";

/// One saved registration with its active worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedRegistration {
    pub scope: String,
    pub update_via_cache: String,
    pub script_url: String,
    pub script: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    scope: String,
    update_via_cache: String,
    script_url: String,
    script_file: String,
}

/// Why the store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SwStoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a service worker registration list: {source}")]
    Corrupt {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: a script file name must be a plain file name: {name:?}")]
    BadName { path: PathBuf, name: String },
}

/// An app's saved registrations.
#[derive(Debug)]
pub struct SwStore {
    dir: PathBuf,
    loaded: Vec<SavedRegistration>,
    /// The last write's failure, if it failed (registration goes on in memory).
    last_error: Option<String>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SwStoreError + '_ {
    move |source| SwStoreError::Io {
        path: path.to_owned(),
        source,
    }
}

impl SwStore {
    /// Opens (creating) the store in `dir` and reads its registrations. A list that does
    /// not parse, or names a missing script, is an error naming the file: never
    /// silently emptied.
    pub fn open(dir: &Path) -> Result<SwStore, SwStoreError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let list = dir.join(LIST);
        let loaded = match fs::read(&list) {
            Ok(bytes) => {
                let entries: Vec<Entry> =
                    serde_json::from_slice(&bytes).map_err(|source| SwStoreError::Corrupt {
                        path: list.clone(),
                        source,
                    })?;
                let mut out = Vec::new();
                for e in entries {
                    if Path::new(&e.script_file)
                        .file_name()
                        .and_then(|n| n.to_str())
                        != Some(e.script_file.as_str())
                    {
                        return Err(SwStoreError::BadName {
                            path: list.clone(),
                            name: e.script_file,
                        });
                    }
                    let path = dir.join(&e.script_file);
                    let script = fs::read(&path).map_err(io(&path))?;
                    out.push(SavedRegistration {
                        scope: e.scope,
                        update_via_cache: e.update_via_cache,
                        script_url: e.script_url,
                        script,
                    });
                }
                out
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(&list)(e)),
        };
        Ok(SwStore {
            dir: dir.to_owned(),
            loaded,
            last_error: None,
        })
    }

    /// The registrations read when the store was opened.
    pub fn registrations(&self) -> &[SavedRegistration] {
        &self.loaded
    }

    /// The last save's failure, if it failed.
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// Replaces the saved registrations.
    pub fn save(&mut self, registrations: Vec<SavedRegistration>) {
        self.last_error = self.try_save(&registrations).err().map(|e| e.to_string());
    }

    fn try_save(&self, registrations: &[SavedRegistration]) -> Result<(), SwStoreError> {
        let mut entries = Vec::new();
        for r in registrations {
            let name = format!(
                "script-{:08x}-{}.js",
                crc32fast::hash(&r.script),
                r.script.len()
            );
            let path = self.dir.join(&name);
            if fs::read(&path).ok().as_deref() != Some(r.script.as_slice()) {
                write_atomically(&path, &r.script)?;
            }
            entries.push(Entry {
                scope: r.scope.clone(),
                update_via_cache: r.update_via_cache.clone(),
                script_url: r.script_url.clone(),
                script_file: name,
            });
        }
        let json = serde_json::to_vec_pretty(&entries).expect("plain data serialises");
        write_atomically(&self.dir.join(LIST), &json)?;
        // Scripts no entry names any more.
        let keep: Vec<&str> = entries.iter().map(|e| e.script_file.as_str()).collect();
        if let Ok(dir) = fs::read_dir(&self.dir) {
            for f in dir.flatten() {
                let name = f.file_name();
                let name = name.to_string_lossy();
                if name.starts_with("script-")
                    && name.ends_with(".js")
                    && !keep.contains(&name.as_ref())
                {
                    let _ = fs::remove_file(f.path());
                }
            }
        }
        Ok(())
    }
}

/// Writes `bytes` to a temporary file, syncs it, renames it over `path`, and syncs the
/// directory.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SwStoreError> {
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    drop(f);
    fs::rename(&tmp, path).map_err(io(path))?;
    if let Some(dir) = path.parent()
        && let Ok(d) = fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_survive_reopening_and_a_corrupt_list_is_refused() {
        let dir = std::env::temp_dir().join(format!("kpio-sw-store-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let mut store = SwStore::open(&dir).unwrap();
        assert!(store.registrations().is_empty());
        let reg = SavedRegistration {
            scope: "http://a.test/app/".into(),
            update_via_cache: "imports".into(),
            script_url: "http://a.test/app/sw.js".into(),
            script: b"self.onfetch = () => {};".to_vec(),
        };
        store.save(vec![reg.clone()]);
        assert_eq!(store.last_error(), None);
        let again = SwStore::open(&dir).unwrap();
        assert_eq!(again.registrations(), &[reg]);
        // Saving nothing removes the script file too.
        let mut store = again;
        store.save(Vec::new());
        let files: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|f| f.file_name())
            .collect();
        assert_eq!(files, vec![std::ffi::OsString::from(LIST)]);
        fs::write(dir.join(LIST), b"[{\"scope\": 3}").unwrap();
        let err = SwStore::open(&dir).unwrap_err();
        assert!(err.to_string().contains(LIST), "{err}");
        fs::write(
            dir.join(LIST),
            br#"[{"scope":"s","update_via_cache":"imports","script_url":"u","script_file":"../x.js"}]"#,
        )
        .unwrap();
        assert!(matches!(
            SwStore::open(&dir),
            Err(SwStoreError::BadName { .. })
        ));
        fs::remove_dir_all(&dir).unwrap();
    }
}

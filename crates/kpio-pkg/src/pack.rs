//! Building `.kpioapp` files: [`pack_dir`] from an app's directory, [`pack_entries`] from
//! files in memory.
//!
//! Output is deterministic: entries sorted by name, every timestamp 1980-01-01 00:00,
//! mode 0644, deflate at the default level, no extra fields, so the same input always
//! gives the same bytes.

use std::io::{Cursor, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::error::PkgError;
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::package::{DATA_DIR, Package, RESOURCES_DIR};

/// Writes `entries` (package path → bytes) into a ZIP, deflated, in name order. Does not
/// validate anything: [`Package::from_bytes`] is the check.
pub fn pack_entries<I, S>(entries: I) -> Result<Vec<u8>, PkgError>
where
    I: IntoIterator<Item = (S, Vec<u8>)>,
    S: Into<String>,
{
    let mut entries: Vec<(String, Vec<u8>)> =
        entries.into_iter().map(|(n, b)| (n.into(), b)).collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let err = |entry: &str, e: &dyn std::fmt::Display| PkgError::BadZip {
        entry: Some(entry.to_string()),
        reason: format!("cannot write it: {e}"),
    };
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in &entries {
        zip.start_file(name.as_str(), options)
            .map_err(|e| err(name, &e))?;
        zip.write_all(bytes).map_err(|e| err(name, &e))?;
    }
    let out = zip.finish().map_err(|e| PkgError::BadZip {
        entry: None,
        reason: format!("cannot finish the archive: {e}"),
    })?;
    Ok(out.into_inner())
}

fn io(path: &Path, e: impl std::fmt::Display) -> PkgError {
    PkgError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Adds every regular file under `dir/rel` to `out` (as `rel/…`). Symlinks are refused:
/// a package never holds links, and following one could pack files from anywhere.
fn walk(root: &Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) -> Result<(), PkgError> {
    let dir = root.join(rel);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| io(&dir, e))? {
        let entry = entry.map_err(|e| io(&dir, e))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| io(&dir.join(&n), "the file name is not UTF-8"))?;
        names.push(name);
    }
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let child = format!("{rel}{name}");
        let meta = std::fs::symlink_metadata(&path).map_err(|e| io(&path, e))?;
        if meta.file_type().is_symlink() {
            return Err(io(
                &path,
                "is a symbolic link; packages hold only files and directories",
            ));
        } else if meta.is_dir() {
            walk(root, &format!("{child}/"), out)?;
        } else if meta.is_file() {
            out.push((child, std::fs::read(&path).map_err(|e| io(&path, e))?));
        } else {
            return Err(io(&path, "is not a regular file or directory"));
        }
    }
    Ok(())
}

/// Packs an app directory: `manifest.toml`, the entry module and icon it names,
/// `resources/` and `data/` (anything else in the directory, such as sources or build
/// output, is left out). The result is validated with [`Package::from_bytes`], so a
/// directory that would make an invalid package fails here with the same error.
pub fn pack_dir(dir: &Path) -> Result<Vec<u8>, PkgError> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = match std::fs::read(&manifest_path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(PkgError::NoManifest),
        Err(e) => return Err(io(&manifest_path, e)),
    };
    let manifest = Manifest::parse(
        std::str::from_utf8(&text).map_err(|_| io(&manifest_path, "it is not UTF-8"))?,
    )?;
    let mut files = vec![(MANIFEST_FILE.to_string(), text.clone())];
    for named in std::iter::once(&manifest.entry).chain(manifest.icon.as_ref()) {
        if files.iter().any(|(n, _)| n == named) {
            continue;
        }
        let path = dir.join(named);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(if *named == manifest.entry {
                    PkgError::MissingEntry {
                        path: named.clone(),
                    }
                } else {
                    PkgError::MissingFile {
                        field: "icon",
                        path: named.clone(),
                    }
                });
            }
            Err(e) => return Err(io(&path, e)),
            Ok(m) if !m.is_file() => return Err(io(&path, "is not a regular file")),
            Ok(_) => {}
        }
        files.push((
            named.clone(),
            std::fs::read(&path).map_err(|e| io(&path, e))?,
        ));
    }
    for sub in [RESOURCES_DIR, DATA_DIR] {
        let path = dir.join(sub);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&path, e)),
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(io(&path, "is not a directory")),
        }
        let mut found = Vec::new();
        walk(dir, sub, &mut found)?;
        for (n, b) in found {
            if !files.iter().any(|(f, _)| *f == n) {
                files.push((n, b));
            }
        }
    }
    let bytes = pack_entries(files)?;
    Package::from_bytes(&bytes)?;
    Ok(bytes)
}

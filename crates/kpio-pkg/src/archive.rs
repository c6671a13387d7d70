//! The ZIP container of a `.kpioapp`: read whole into memory, defensively.
//!
//! A package is hostile until proven otherwise, so [`read_archive`] checks, in this order,
//! and stops at the first problem:
//!
//! 1. the package size against [`Limits::max_package_bytes`] (50 MiB), before parsing;
//! 2. that it is a ZIP (via the `zip` crate) with nothing prepended, and at most
//!    [`Limits::max_entries`] entries;
//! 3. every entry name ([`check_entry_name`]): UTF-8, relative, `/`-separated, no `..`,
//!    no `.` or empty components, no backslash, no `:` (drive letters, NTFS streams), no
//!    NUL, control, format or bidi characters (which make a listing show another name),
//!    at most 1024 bytes and 255 per component;
//! 4. duplicates: two entries whose names read the same — equal after NFKC and full
//!    Unicode case folding ([`kpio_app::names::fold`]: `É`/`é`, NFC/NFD `é`, `k`/Kelvin
//!    sign) — are refused ([`PkgError::DuplicateEntry`]), because KPIO must be able to
//!    extract a package onto a case- or normalization-insensitive file system without one
//!    file silently replacing another, and two look-alike names are a spoof; an entry
//!    under a name that is a file is a [`PkgError::PathConflict`];
//! 5. local headers agree with the central directory, and no two entries share bytes
//!    (overlapping entries are the "quoted overlap" zip bomb);
//! 6. entry kinds: symlinks, encrypted entries and methods other than stored (0) and
//!    deflate (8) are refused;
//! 7. zip bombs, first by the **declared** sizes: the sum of uncompressed sizes at most
//!    [`Limits::max_total_bytes`] (200 MiB), and no entry larger than
//!    [`Limits::ratio_min_bytes`] (1 MiB) expanding more than [`Limits::max_ratio`]
//!    (100:1); then while inflating, each entry is read through a `take(declared + 1)`
//!    limit, so an entry that produces more than it declared is caught after one extra
//!    byte, and one that produces less (or fails its CRC) is damaged.
//!
//! Small entries are exempt from the ratio test because a few KiB of zeros legitimately
//! compress 200:1; the total limit still bounds what any number of them can expand to.

use std::collections::HashMap;
use std::fmt;
use std::io::{Cursor, Read};

use zip::CompressionMethod;
use zip::ZipArchive;
use zip::read::ZipReadOptions;

use crate::error::PkgError;

/// Longest entry name, in bytes.
pub const MAX_ENTRY_NAME: usize = 1024;

/// Size limits applied to every package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest package file (the compressed ZIP).
    pub max_package_bytes: u64,
    /// Largest sum of the entries' uncompressed sizes.
    pub max_total_bytes: u64,
    /// Largest uncompressed/compressed ratio of one entry bigger than `ratio_min_bytes`.
    pub max_ratio: u64,
    /// Entries up to this many uncompressed bytes are exempt from the ratio test.
    pub ratio_min_bytes: u64,
    /// Most entries (files and directories) in one package.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_package_bytes: 50 * 1024 * 1024,
            max_total_bytes: 200 * 1024 * 1024,
            max_ratio: 100,
            ratio_min_bytes: 1024 * 1024,
            max_entries: 10_000,
        }
    }
}

/// One regular file of the archive, inflated and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFile {
    /// A clean relative path (see [`check_entry_name`]).
    pub name: String,
    pub data: Vec<u8>,
}

/// Why an entry name was refused: it escapes the extraction directory, or is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Escape(&'static str),
    Bad(&'static str),
}

impl NameProblem {
    pub(crate) fn into_error(self, entry: &str) -> PkgError {
        match self {
            NameProblem::Escape(reason) => PkgError::PathEscape {
                entry: entry.to_string(),
                reason,
            },
            NameProblem::Bad(reason) => PkgError::BadEntryName {
                entry: entry.to_string(),
                reason,
            },
        }
    }
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::Escape(r) => write!(f, "it leaves the package: {r}"),
            NameProblem::Bad(r) => f.write_str(r),
        }
    }
}

/// Checks one entry name (a directory entry may end with `/`). See the module docs for
/// the rules.
pub fn check_entry_name(name: &str) -> Result<(), NameProblem> {
    if name.starts_with('/') {
        return Err(NameProblem::Escape("it is an absolute path"));
    }
    if name.contains('\\') {
        return Err(NameProblem::Escape(
            "it contains a backslash, a path separator on some systems",
        ));
    }
    if name.contains(':') {
        return Err(NameProblem::Escape(
            "it contains ':', which can name a drive or an alternate data stream",
        ));
    }
    if name.contains('\0') {
        return Err(NameProblem::Bad("it contains a NUL byte"));
    }
    if name.chars().any(char::is_control) {
        return Err(NameProblem::Bad("it contains control characters"));
    }
    if kpio_app::names::find_hidden(name).is_some() {
        return Err(NameProblem::Bad(
            "it contains format or bidirectional control characters",
        ));
    }
    if name.len() > MAX_ENTRY_NAME {
        return Err(NameProblem::Bad("it is longer than 1024 bytes"));
    }
    let body = name.strip_suffix('/').unwrap_or(name);
    if body.is_empty() {
        return Err(NameProblem::Bad("it is empty"));
    }
    for c in body.split('/') {
        match c {
            ".." => return Err(NameProblem::Escape("it has a '..' component")),
            "." => return Err(NameProblem::Bad("it has a '.' component")),
            "" => return Err(NameProblem::Bad("it has an empty component ('//')")),
            c if c.len() > kpio_vfs::MAX_NAME_LEN => {
                return Err(NameProblem::Bad("a component is longer than 255 bytes"));
            }
            _ => {}
        }
    }
    Ok(())
}

fn bad_zip(entry: Option<&str>, e: impl fmt::Display) -> PkgError {
    PkgError::BadZip {
        entry: entry.map(str::to_string),
        reason: e.to_string(),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as usize)
}

/// The raw names of the central directory, duplicates included (the `zip` crate keys its
/// entries by name, so it cannot say *which* name is duplicated).
fn central_directory_names(bytes: &[u8], start: u64) -> Result<Vec<&[u8]>, PkgError> {
    const SIG: &[u8] = &[0x50, 0x4b, 0x01, 0x02];
    let broken = || bad_zip(None, "central directory record is truncated");
    let mut at = usize::try_from(start).map_err(|_| broken())?;
    let mut names = Vec::new();
    while bytes.get(at..at + 4) == Some(SIG) {
        let name_len = u16_at(bytes, at + 28).ok_or_else(broken)?;
        let extra_len = u16_at(bytes, at + 30).ok_or_else(broken)?;
        let comment_len = u16_at(bytes, at + 32).ok_or_else(broken)?;
        let name = bytes.get(at + 46..at + 46 + name_len).ok_or_else(broken)?;
        names.push(name);
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(names)
}

/// Checks names, duplicates and file/directory conflicts; returns the names (in archive
/// order) as strings.
fn check_names(raw: &[&[u8]]) -> Result<Vec<String>, PkgError> {
    let mut names = Vec::with_capacity(raw.len());
    // key: name without trailing '/', folded (NFKC + case fold) → (original name, is_dir)
    let mut seen: HashMap<String, (String, bool)> = HashMap::with_capacity(raw.len());
    for bytes in raw {
        let Ok(name) = std::str::from_utf8(bytes) else {
            return Err(PkgError::BadEntryName {
                entry: String::from_utf8_lossy(bytes).into_owned(),
                reason: "it is not UTF-8",
            });
        };
        check_entry_name(name).map_err(|p| p.into_error(name))?;
        let is_dir = name.ends_with('/');
        let key = kpio_app::names::fold(name.trim_end_matches('/'));
        if let Some((first, _)) = seen.get(&key) {
            return Err(PkgError::DuplicateEntry {
                entry: name.to_string(),
                first: first.clone(),
            });
        }
        seen.insert(key, (name.to_string(), is_dir));
        names.push(name.to_string());
    }
    // Every ancestor of an entry must be a directory (or not listed at all).
    for name in &names {
        let body = name.trim_end_matches('/');
        let mut cut = 0;
        while let Some(i) = body[cut..].find('/') {
            let ancestor = kpio_app::names::fold(&body[..cut + i]);
            if let Some((file, false)) = seen.get(&ancestor) {
                return Err(PkgError::PathConflict {
                    entry: name.clone(),
                    file: file.clone(),
                });
            }
            cut += i + 1;
        }
    }
    Ok(names)
}

/// Reads and checks a whole package archive; returns its regular files in archive order
/// (directory entries are checked, then dropped: directories are implied by file paths).
pub fn read_archive(bytes: &[u8], limits: &Limits) -> Result<Vec<ArchiveFile>, PkgError> {
    let size = bytes.len() as u64;
    if size > limits.max_package_bytes {
        return Err(PkgError::TooLarge {
            size,
            limit: limits.max_package_bytes,
        });
    }
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad_zip(None, e))?;
    if zip.offset() != 0 {
        return Err(bad_zip(
            None,
            format!("{} bytes of other data precede the archive", zip.offset()),
        ));
    }
    let raw = central_directory_names(bytes, zip.central_directory_start())?;
    if raw.len() > limits.max_entries {
        return Err(PkgError::TooManyEntries {
            count: raw.len(),
            limit: limits.max_entries,
        });
    }
    let names = check_names(&raw)?;
    if names.len() != zip.len() {
        // Cannot happen once names are unique, unless the central directory is not what
        // the reader parsed.
        return Err(bad_zip(None, "the central directory is inconsistent"));
    }
    zip.validate_header_consistency()
        .map_err(|e| bad_zip(None, e))?;

    // Declared sizes first: nothing is inflated before the whole archive passes.
    let mut total: u64 = 0;
    let mut files = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let e = zip.by_index_data(i).map_err(|e| bad_zip(None, e))?;
        let name = name.as_str();
        debug_assert_eq!(e.name_raw(), name.as_bytes());
        if e.is_symlink() {
            return Err(PkgError::Symlink {
                entry: name.to_string(),
            });
        }
        if e.encrypted() {
            return Err(PkgError::UnsupportedEntry {
                entry: name.to_string(),
                reason: "it is encrypted".into(),
            });
        }
        match e.compression() {
            CompressionMethod::Stored | CompressionMethod::Deflated => {}
            other => {
                return Err(PkgError::UnsupportedEntry {
                    entry: name.to_string(),
                    reason: format!(
                        "compression method {other}; only stored and deflate are accepted"
                    ),
                });
            }
        }
        let (usize_, csize) = (e.size(), e.compressed_size());
        if name.ends_with('/') || e.is_dir() {
            if usize_ != 0 {
                return Err(bad_zip(Some(name), "a directory entry holds data"));
            }
            continue;
        }
        total = total.saturating_add(usize_);
        if total > limits.max_total_bytes {
            return Err(PkgError::ZipBomb {
                entry: name.to_string(),
                reason: format!(
                    "the entries up to this one expand to {total} bytes, more than the \
                     {} byte limit",
                    limits.max_total_bytes
                ),
            });
        }
        if usize_ > limits.ratio_min_bytes && usize_ > csize.saturating_mul(limits.max_ratio) {
            return Err(PkgError::ZipBomb {
                entry: name.to_string(),
                reason: format!(
                    "{csize} compressed bytes expand to {usize_} (more than {}:1)",
                    limits.max_ratio
                ),
            });
        }
        files.push((i, usize_));
    }

    let mut out = Vec::with_capacity(files.len());
    for (i, declared) in files {
        let name = names[i].as_str();
        let f = zip
            .by_index_with_options(i, ZipReadOptions::new().enforce_header_consistency(true))
            .map_err(|e| bad_zip(Some(name), e))?;
        let mut data = Vec::with_capacity(declared.min(1024 * 1024) as usize);
        f.take(declared + 1)
            .read_to_end(&mut data)
            .map_err(|e| bad_zip(Some(name), e))?;
        let got = data.len() as u64;
        if got > declared {
            return Err(PkgError::ZipBomb {
                entry: name.to_string(),
                reason: format!("it inflates to more than its declared {declared} bytes"),
            });
        }
        if got < declared {
            return Err(bad_zip(
                Some(name),
                format!("it holds {got} bytes but declares {declared}"),
            ));
        }
        out.push(ArchiveFile {
            name: name.to_string(),
            data,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "a/b.txt", "resources/", "data/x/y", "é/ü"] {
            assert_eq!(check_entry_name(ok), Ok(()), "{ok}");
        }
        for (bad, escape) in [
            ("/etc/passwd", true),
            ("../x", true),
            ("a/../../x", true),
            ("a\\..\\x", true),
            ("C:/x", true),
            ("c:x", true),
            ("a\0b", false),
            ("a//b", false),
            ("./a", false),
            ("", false),
            ("/", true),
            ("a\nb", false),
        ] {
            let r = check_entry_name(bad);
            assert!(r.is_err(), "{bad:?}");
            assert_eq!(matches!(r, Err(NameProblem::Escape(_))), escape, "{bad:?}");
        }
    }
}

//! A reader for ustar (POSIX tar) archives that unpacks them into a [`Vfs`].
//!
//! Why it exists: the KPIO kernel boots with a ramdisk that is a tar archive of a KPIO home
//! directory (the app registry, installed apps' files, their data) and must turn it into an
//! in-memory file system before any app can run. The host writes that archive with the `tar`
//! crate's ustar headers; archives from GNU tar (`--format=ustar`, `gnu` or `pax`) read too,
//! so a ramdisk can also be made by hand.
//!
//! What is read, one 512-byte header at a time:
//!
//! - Regular files (`'0'`, `'\0'`) and directories (`'5'`), created with their parents as
//!   `mkdir -p` would. Files are created or truncated, then written whole.
//! - Per-file pax headers (`'x'`): their `path` and `size` records apply to the next entry;
//!   other keys are ignored, and global pax headers (`'g'`) are skipped.
//! - Paths are `prefix/name` (ustar's split of long paths); names end at the first NUL in
//!   their field. Sizes are octal or GNU base-256.
//!
//! Everything else (symlinks, hard links, devices, FIFOs, GNU long names) is refused with
//! [`TarError::Unsupported`]: the kernel must not get a tree that differs silently from the
//! archive. For the same reason an entry is never written through a symlink the VFS
//! already held. Modes, owners and times are not kept: the VFS has no owners or permission bits.
//! So a ramdisk's paths must fit ustar's fields (a last component of at most 100 bytes, at
//! most 155 before it) or come in a pax `path` record: for longer ones the `tar` crate writes
//! a GNU long-name entry, which is refused.
//!
//! The archive is untrusted bytes: every header is checksummed, every length is checked
//! against the input with checked arithmetic, and every path is checked for absolute paths
//! and `..` before the VFS sees it, so a bad archive is a [`TarError`] naming the byte offset
//! of the header at fault, never a panic or a file outside `dir`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::{FileType, Handle, OpenOptions, Vfs, VfsError};

/// Archives are sequences of 512-byte blocks; headers start on block boundaries.
const BLOCK: usize = 512;

// Fields of a ustar header: (offset, length).
const NAME: (usize, usize) = (0, 100);
const SIZE: (usize, usize) = (124, 12);
const CHECKSUM: (usize, usize) = (148, 8);
const TYPEFLAG: usize = 156;
/// Magic and version together: `ustar\0` `00` (POSIX) or `ustar ` ` \0` (GNU).
const MAGIC_VERSION: (usize, usize) = (257, 8);
const PREFIX: (usize, usize) = (345, 155);

const POSIX_MAGIC: &[u8; 8] = b"ustar\x0000";
const GNU_MAGIC: &[u8; 8] = b"ustar  \x00";

/// What was unpacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unpacked {
    /// Regular-file entries written (a path the archive lists twice counts twice; the last
    /// one wins, as with `tar -x`).
    pub files: usize,
    /// Directories created, whether the archive lists them or only implies them as parents.
    /// Directories that existed already are not counted.
    pub dirs: usize,
    /// Bytes of file data written.
    pub bytes: u64,
}

/// Why an archive could not be unpacked. Every variant names the byte offset of the header
/// at fault within the archive; those that concern an entry name its path as the archive
/// gave it (lossily decoded if it is not UTF-8).
///
/// Entries before the one at fault have been unpacked already.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TarError {
    /// The block at `offset` is not a header this reader accepts (partial, not ustar, a bad
    /// number, a malformed pax record, a misplaced zero block); `reason` says which.
    BadHeader { offset: u64, reason: &'static str },
    /// The header's checksum does not match its bytes (a corrupt or non-tar input).
    BadChecksum { offset: u64, path: String },
    /// The entry's path is absolute, climbs out with `..`, is empty or is not UTF-8.
    BadPath {
        offset: u64,
        path: String,
        reason: &'static str,
    },
    /// The entry's type (`kind`, its type flag) is not a regular file or a directory.
    Unsupported {
        offset: u64,
        path: String,
        kind: char,
    },
    /// The entry's data needs `needed` bytes but only `available` remain in the archive.
    Truncated {
        offset: u64,
        path: String,
        needed: u64,
        available: u64,
    },
    /// The VFS refused to create or write the entry (out of space, a file where a directory
    /// is needed, ...).
    Vfs {
        offset: u64,
        path: String,
        source: VfsError,
    },
}

impl TarError {
    /// The byte offset within the archive of the header the error concerns.
    pub fn offset(&self) -> u64 {
        match self {
            TarError::BadHeader { offset, .. }
            | TarError::BadChecksum { offset, .. }
            | TarError::BadPath { offset, .. }
            | TarError::Unsupported { offset, .. }
            | TarError::Truncated { offset, .. }
            | TarError::Vfs { offset, .. } => *offset,
        }
    }
}

/// What an entry of type `kind` is, for error messages.
fn describe_kind(kind: char) -> &'static str {
    match kind {
        '1' => "a hard link",
        '2' => "a symbolic link",
        '3' => "a character device",
        '4' => "a block device",
        '6' => "a FIFO",
        '7' => "a contiguous file",
        'L' => "a GNU long-name entry",
        'K' => "a GNU long-link-name entry",
        'S' => "a GNU sparse file",
        'D' => "a GNU incremental-backup directory",
        'M' => "a GNU multi-volume continuation",
        'V' => "a volume label",
        'A'..='Z' => "a vendor-specific entry",
        _ => "an entry of unknown type",
    }
}

impl fmt::Display for TarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TarError::BadHeader { offset, reason } => {
                write!(f, "tar header at byte {offset}: {reason}")
            }
            TarError::BadChecksum { offset, path } => write!(
                f,
                "{path:?} (tar header at byte {offset}): checksum mismatch, the header is corrupt"
            ),
            TarError::BadPath {
                offset,
                path,
                reason,
            } => write!(f, "{path:?} (tar entry at byte {offset}): {reason}"),
            TarError::Unsupported { offset, path, kind } => write!(
                f,
                "{path:?} (tar entry at byte {offset}): {} (type {kind:?}) cannot be unpacked; \
                 only regular files and directories can",
                describe_kind(*kind)
            ),
            TarError::Truncated {
                offset,
                path,
                needed,
                available,
            } => write!(
                f,
                "{path:?} (tar entry at byte {offset}): archive truncated: the entry has \
                 {needed} bytes of data but only {available} remain"
            ),
            TarError::Vfs {
                offset,
                path,
                source,
            } => write!(f, "{path:?} (tar entry at byte {offset}): {source}"),
        }
    }
}

impl core::error::Error for TarError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            TarError::Vfs { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Unpacks the tar `archive` into the directory `dir` of `vfs`.
///
/// Entries are created in archive order, so on error the entries before the one at fault
/// are in the VFS. The archive ends at two zero blocks (what follows them is ignored, as
/// tar's record padding is), or at the end of the input when that falls on a header
/// boundary; an empty input is an empty archive.
pub fn unpack(vfs: &mut Vfs, dir: Handle, archive: &[u8]) -> Result<Unpacked, TarError> {
    let mut unpacked = Unpacked::default();
    // Records of the last per-file pax header, waiting for the entry they describe.
    let mut pending_pax: Option<PaxOverrides> = None;
    let mut pos = 0usize;

    while let Some(rest) = archive.get(pos..).filter(|rest| !rest.is_empty()) {
        let offset = pos as u64;
        let Some(block) = rest.first_chunk::<BLOCK>() else {
            return Err(TarError::BadHeader {
                offset,
                reason: "partial header: the archive ends inside it",
            });
        };

        if is_zero(block) {
            let after = rest.get(BLOCK..).unwrap_or_default();
            // Two zero blocks end the archive; be lenient about the second being cut off, but
            // not about more entries after a single one, which tar would silently drop.
            if after.is_empty() || after.first_chunk::<BLOCK>().is_some_and(is_zero) {
                break;
            }
            return Err(TarError::BadHeader {
                offset,
                reason: "a zero block (end of archive) is followed by more data, not by a \
                         second zero block",
            });
        }

        let header = Header::parse(block, offset)?;
        let header_size = header.size()?;
        let data_start = pos + BLOCK;

        if let b'x' | b'g' = header.typeflag {
            let (data, next) =
                entry_data(archive, offset, data_start, header_size, || header.path())?;
            if header.typeflag == b'x' {
                // A second pax header before the entry merges with the first (later wins).
                let overrides = pending_pax.get_or_insert_with(|| PaxOverrides::new(offset));
                overrides.header_offset = offset;
                overrides
                    .apply(data)
                    .map_err(|reason| TarError::BadHeader { offset, reason })?;
            }
            // Global pax headers ('g') set defaults for mtime, owners and the like: nothing
            // the VFS keeps, so they are skipped.
            pos = next;
            continue;
        }

        let (path, size) = match pending_pax.take() {
            Some(pax) => (
                pax.path.unwrap_or_else(|| header.path()),
                // A pax size says how much data follows the header, whatever the ustar field says.
                pax.size.unwrap_or(header_size),
            ),
            None => (header.path(), header_size),
        };
        let entry = Entry {
            offset,
            raw_path: &path,
        };
        pos = match header.typeflag {
            b'0' | b'\0' => {
                let (data, next) = entry_data(archive, offset, data_start, size, || path.clone())?;
                entry.unpack_file(vfs, dir, data, &mut unpacked)?;
                next
            }
            b'5' => {
                // POSIX stores no data for directories; with a size we would have to guess
                // where the next header is, so refuse rather than guess.
                if size != 0 {
                    return Err(TarError::BadHeader {
                        offset,
                        reason: "a directory entry has a nonzero size",
                    });
                }
                entry.unpack_dir(vfs, dir, &mut unpacked)?;
                data_start
            }
            other => {
                return Err(TarError::Unsupported {
                    offset,
                    path: lossy(&path),
                    kind: char::from(other),
                });
            }
        };
    }

    if let Some(overrides) = pending_pax {
        return Err(TarError::BadHeader {
            offset: overrides.header_offset,
            reason: "a pax extended header is not followed by the entry it describes",
        });
    }
    Ok(unpacked)
}

/// The `size` bytes of data of the entry whose header is at `offset`, starting at `start`,
/// and where the next header starts: past the padding to a whole block, or at the end of
/// the input if only padding is missing. `path` names the entry if the data runs past the
/// end of the archive.
fn entry_data(
    archive: &[u8],
    offset: u64,
    start: usize,
    size: u64,
    path: impl FnOnce() -> Vec<u8>,
) -> Result<(&[u8], usize), TarError> {
    let rest = archive.get(start..).unwrap_or_default();
    let Some(data) = usize::try_from(size).ok().and_then(|size| rest.get(..size)) else {
        return Err(TarError::Truncated {
            offset,
            path: lossy(&path()),
            needed: size,
            available: rest.len() as u64,
        });
    };
    // data.len() <= rest.len(), so rounding up to a block could only overflow for inputs
    // within 511 bytes of usize::MAX; saturate and clamp rather than assume.
    let padded = data.len().div_ceil(BLOCK).saturating_mul(BLOCK);
    let next = start.saturating_add(padded).min(archive.len());
    Ok((data, next))
}

fn is_zero(block: &[u8; BLOCK]) -> bool {
    block.iter().all(|&b| b == 0)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A header whose checksum and magic have been checked.
struct Header<'a> {
    block: &'a [u8; BLOCK],
    offset: u64,
    typeflag: u8,
    /// POSIX ustar has a prefix field; in GNU headers those bytes hold other things.
    has_prefix: bool,
}

impl<'a> Header<'a> {
    fn parse(block: &'a [u8; BLOCK], offset: u64) -> Result<Header<'a>, TarError> {
        let magic = field(block, MAGIC_VERSION);
        let has_prefix = magic == POSIX_MAGIC;
        let header = Header {
            block,
            offset,
            typeflag: block[TYPEFLAG],
            has_prefix,
        };
        // The checksum first: on a corrupt block the magic says nothing useful.
        if !checksum_matches(block) {
            return Err(TarError::BadChecksum {
                offset,
                path: lossy(&header.path()),
            });
        }
        if !has_prefix && magic != GNU_MAGIC {
            return Err(TarError::BadHeader {
                offset,
                reason: "not a ustar header: the magic is neither \"ustar\\0\" \"00\" (POSIX) \
                         nor \"ustar  \\0\" (GNU)",
            });
        }
        Ok(header)
    }

    /// The path as stored: `prefix/name`, each cut at its first NUL.
    fn path(&self) -> Vec<u8> {
        let name = until_nul(field(self.block, NAME));
        let prefix = if self.has_prefix {
            until_nul(field(self.block, PREFIX))
        } else {
            &[]
        };
        let mut path = Vec::with_capacity(prefix.len() + 1 + name.len());
        if !prefix.is_empty() {
            path.extend_from_slice(prefix);
            path.push(b'/');
        }
        path.extend_from_slice(name);
        path
    }

    fn size(&self) -> Result<u64, TarError> {
        parse_size(field(self.block, SIZE)).map_err(|reason| TarError::BadHeader {
            offset: self.offset,
            reason,
        })
    }
}

/// The bytes of one header field. The field tables above all lie within a block.
fn field(block: &[u8; BLOCK], (start, len): (usize, usize)) -> &[u8] {
    block.get(start..start + len).unwrap_or_default()
}

fn until_nul(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}

/// The header's checksum field against the sum of its bytes, the field itself counted as
/// spaces. POSIX sums unsigned bytes; some old tars summed signed ones, so accept either.
fn checksum_matches(block: &[u8; BLOCK]) -> bool {
    let Some(stored) = parse_octal(field(block, CHECKSUM)) else {
        return false;
    };
    let (start, len) = CHECKSUM;
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, &byte) in block.iter().enumerate() {
        let byte = if (start..start + len).contains(&i) {
            b' '
        } else {
            byte
        };
        unsigned += u64::from(byte);
        signed += i64::from(i8::from_ne_bytes([byte]));
    }
    stored == unsigned || i64::try_from(stored) == Ok(signed)
}

/// An octal number field: optional leading spaces, octal digits, then only NULs or spaces.
fn parse_octal(field: &[u8]) -> Option<u64> {
    let start = field.iter().position(|&b| b != b' ').unwrap_or(field.len());
    let field = field.get(start..)?;
    let digits = field
        .iter()
        .take_while(|b| (b'0'..=b'7').contains(b))
        .count();
    let (digits, rest) = field.split_at_checked(digits)?;
    if digits.is_empty() || !rest.iter().all(|&b| b == 0 || b == b' ') {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(8)?.checked_add(u64::from(d - b'0'))
    })
}

/// The size field: octal, or GNU's base-256 (first byte's high bit set, then a big-endian
/// two's-complement number) that tar writers use for sizes of 8 GiB and more.
fn parse_size(field: &[u8]) -> Result<u64, &'static str> {
    match field.split_first() {
        Some((&first, rest)) if first & 0x80 != 0 => {
            if first & 0x40 != 0 {
                return Err("the size field is negative (base-256)");
            }
            rest.iter()
                .try_fold(u64::from(first & 0x3f), |n, &b| {
                    n.checked_mul(256)?.checked_add(u64::from(b))
                })
                .ok_or("the size field (base-256) does not fit in 64 bits")
        }
        _ => parse_octal(field).ok_or("the size field is not an octal number"),
    }
}

/// The records of per-file pax headers that this reader honours.
struct PaxOverrides {
    /// Offset of the (last) pax header, for the error if no entry follows it.
    header_offset: u64,
    path: Option<Vec<u8>>,
    size: Option<u64>,
}

impl PaxOverrides {
    fn new(header_offset: u64) -> PaxOverrides {
        PaxOverrides {
            header_offset,
            path: None,
            size: None,
        }
    }

    /// Reads the records of a pax header's data: each is `"<length> <key>=<value>\n"`, the
    /// length in decimal counting the whole record. An empty value removes the override.
    fn apply(&mut self, mut data: &[u8]) -> Result<(), &'static str> {
        while !data.is_empty() {
            let space = data
                .iter()
                .position(|&b| b == b' ')
                .ok_or("malformed pax record: no space after its length")?;
            let (length_digits, _) = data.split_at(space);
            let length = parse_decimal(length_digits)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or("malformed pax record: its length is not a decimal number")?;
            let (record, rest) = data
                .split_at_checked(length)
                .ok_or("malformed pax record: its length runs past the header's data")?;
            let body = record
                .get(space + 1..)
                .and_then(|body| body.strip_suffix(b"\n"))
                .ok_or(
                    "malformed pax record: it does not end in a newline where its length says",
                )?;
            let equals = body
                .iter()
                .position(|&b| b == b'=')
                .ok_or("malformed pax record: no '=' between key and value")?;
            let (key, value) = body.split_at(equals);
            let value = value.get(1..).unwrap_or_default();
            match key {
                b"path" => self.path = (!value.is_empty()).then(|| value.to_vec()),
                b"size" if value.is_empty() => self.size = None,
                b"size" => {
                    let size = parse_decimal(value)
                        .ok_or("the pax size record is not a decimal number")?;
                    self.size = Some(size);
                }
                // mtime, uid, uname, linkpath, ...: nothing the VFS keeps.
                _ => {}
            }
            data = rest;
        }
        Ok(())
    }
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        if !d.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// A file or directory entry about to be created.
struct Entry<'a> {
    offset: u64,
    raw_path: &'a [u8],
}

impl Entry<'_> {
    fn bad_path(&self, reason: &'static str) -> TarError {
        TarError::BadPath {
            offset: self.offset,
            path: lossy(self.raw_path),
            reason,
        }
    }

    fn vfs_error(&self, source: VfsError) -> TarError {
        TarError::Vfs {
            offset: self.offset,
            path: lossy(self.raw_path),
            source,
        }
    }

    /// The path relative to the target directory: UTF-8, relative, without `..`, with `.`
    /// and empty components dropped. Checked here, although the VFS would refuse escapes
    /// too, so the error names the archive entry. May be empty (`./` names the target).
    fn clean_path(&self) -> Result<String, TarError> {
        if self.raw_path.is_empty() {
            return Err(self.bad_path("the path is empty"));
        }
        let text = core::str::from_utf8(self.raw_path)
            .map_err(|_| self.bad_path("the path is not UTF-8"))?;
        if text.starts_with('/') {
            return Err(self.bad_path("the path is absolute"));
        }
        if text.contains('\0') {
            return Err(self.bad_path("the path contains a NUL byte"));
        }
        let mut clean = String::with_capacity(text.len());
        for component in text.split('/') {
            match component {
                "" | "." => {}
                ".." => return Err(self.bad_path("the path has a '..' component")),
                name => {
                    if !clean.is_empty() {
                        clean.push('/');
                    }
                    clean.push_str(name);
                }
            }
        }
        Ok(clean)
    }

    fn unpack_dir(
        &self,
        vfs: &mut Vfs,
        dir: Handle,
        unpacked: &mut Unpacked,
    ) -> Result<(), TarError> {
        let path = self.clean_path()?;
        if path.is_empty() {
            return Ok(()); // `./`: the target directory itself, which exists.
        }
        create_dirs(vfs, dir, &path, unpacked).map_err(|e| self.vfs_error(e))?;
        ensure_dir(vfs, dir, &path, unpacked).map_err(|e| self.vfs_error(e))
    }

    fn unpack_file(
        &self,
        vfs: &mut Vfs,
        dir: Handle,
        data: &[u8],
        unpacked: &mut Unpacked,
    ) -> Result<(), TarError> {
        let path = self.clean_path()?;
        if path.is_empty() {
            return Err(self.bad_path("the path names no file"));
        }
        if self.raw_path.ends_with(b"/") {
            return Err(self.bad_path("a regular file's path ends in '/'"));
        }
        create_dirs(vfs, dir, &path, unpacked).map_err(|e| self.vfs_error(e))?;
        write_file(vfs, dir, &path, data).map_err(|e| self.vfs_error(e))?;
        unpacked.files += 1;
        unpacked.bytes += data.len() as u64;
        Ok(())
    }
}

/// Makes sure every proper ancestor of `path` (`a` and `a/b` for `a/b/c`) is a directory.
fn create_dirs(
    vfs: &mut Vfs,
    dir: Handle,
    path: &str,
    unpacked: &mut Unpacked,
) -> Result<(), VfsError> {
    for (slash, _) in path.match_indices('/') {
        ensure_dir(vfs, dir, &path[..slash], unpacked)?;
    }
    Ok(())
}

/// Creates the directory `path` unless a directory is there already.
fn ensure_dir(
    vfs: &mut Vfs,
    dir: Handle,
    path: &str,
    unpacked: &mut Unpacked,
) -> Result<(), VfsError> {
    // Not following symlinks: an entry goes where the archive says, never through a link
    // the VFS held before (a link where a directory is needed is "not a directory").
    match vfs.stat_path(dir, path, false) {
        Ok(meta) if meta.file_type == FileType::Directory => Ok(()),
        Ok(_) => Err(VfsError::NotDir { path: path.into() }),
        Err(VfsError::NotFound { .. }) => {
            vfs.create_dir(dir, path)?;
            unpacked.dirs += 1;
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Creates or truncates the file at `path` and writes `data` to it.
fn write_file(vfs: &mut Vfs, dir: Handle, path: &str, data: &[u8]) -> Result<(), VfsError> {
    let options = OpenOptions::default()
        .with_read(false)
        .with_write(true)
        .with_create(true)
        .with_truncate(true)
        // Replace what is at `path`, never write through a symlink to somewhere else.
        .with_follow(false);
    let file = vfs.open(dir, path, &options)?;
    let written = write_all(vfs, file, data);
    // Close even when writing failed, so a bad entry does not leak a handle.
    let closed = vfs.close(file);
    written.and(closed)
}

fn write_all(vfs: &mut Vfs, file: Handle, mut data: &[u8]) -> Result<(), VfsError> {
    while !data.is_empty() {
        let n = vfs.write(file, data)?;
        if n == 0 {
            return Err(VfsError::Io {
                op: "write",
                message: "the backend accepted no bytes".into(),
            });
        }
        data = data.get(n..).unwrap_or_default();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::{Backend, ManualClock, MemoryFs, MemoryLimits, MountId};
    use alloc::format;
    use alloc::string::ToString;
    use alloc::sync::Arc;
    use alloc::vec;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    // ---- fixtures -------------------------------------------------------------------------

    fn memory_vfs() -> (Vfs, Handle) {
        let fs: Arc<dyn Backend> = Arc::new(MemoryFs::new(
            MemoryLimits::default(),
            Arc::new(ManualClock::new(0)),
        ));
        let mut vfs = Vfs::with_root(fs).unwrap();
        let root = vfs.open_root(MountId(0)).unwrap();
        (vfs, root)
    }

    fn unpack_fresh(archive: &[u8]) -> (Vfs, Handle, Result<Unpacked, TarError>) {
        let (mut vfs, root) = memory_vfs();
        let result = unpack(&mut vfs, root, archive);
        (vfs, root, result)
    }

    fn read_file(vfs: &mut Vfs, dir: Handle, path: &str) -> Vec<u8> {
        let meta = vfs.stat_path(dir, path, false).unwrap();
        assert_eq!(meta.file_type, FileType::RegularFile, "{path}");
        let f = vfs.open(dir, path, &OpenOptions::read()).unwrap();
        let mut out = vec![0; meta.size as usize];
        let mut filled = 0;
        while filled < out.len() {
            let n = vfs.read(f, &mut out[filled..]).unwrap();
            assert_ne!(n, 0, "{path}: short read");
            filled += n;
        }
        vfs.close(f).unwrap();
        out
    }

    fn is_dir(vfs: &mut Vfs, dir: Handle, path: &str) -> bool {
        vfs.stat_path(dir, path, false)
            .is_ok_and(|m| m.file_type == FileType::Directory)
    }

    /// Bytes that differ from position to position, so misplaced data shows.
    fn pattern(len: usize, seed: u64) -> Vec<u8> {
        let mut rng = XorShift(seed | 1);
        (0..len).map(|_| rng.next() as u8).collect()
    }

    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Archives the way the host writes the ramdisk: the `tar` crate with ustar headers.
    struct UstarWriter(::tar::Builder<Vec<u8>>);

    impl UstarWriter {
        fn new() -> Self {
            UstarWriter(::tar::Builder::new(Vec::new()))
        }
        fn file(&mut self, path: &str, data: &[u8]) -> &mut Self {
            let mut h = ::tar::Header::new_ustar();
            h.set_entry_type(::tar::EntryType::Regular);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            self.0.append_data(&mut h, path, data).unwrap();
            self
        }
        fn dir(&mut self, path: &str) -> &mut Self {
            let mut h = ::tar::Header::new_ustar();
            h.set_entry_type(::tar::EntryType::Directory);
            h.set_size(0);
            h.set_mode(0o755);
            self.0.append_data(&mut h, path, std::io::empty()).unwrap();
            self
        }
        fn link(&mut self, kind: ::tar::EntryType, path: &str, target: &str) -> &mut Self {
            let mut h = ::tar::Header::new_ustar();
            h.set_entry_type(kind);
            h.set_size(0);
            self.0.append_link(&mut h, path, target).unwrap();
            self
        }
        fn finish(self) -> Vec<u8> {
            self.0.into_inner().unwrap()
        }
    }

    /// A hand-made POSIX ustar header, for inputs no tar writer would produce.
    fn raw_header(name: &[u8], typeflag: u8, size_field: &[u8]) -> [u8; BLOCK] {
        let mut h = [0u8; BLOCK];
        h[..name.len()].copy_from_slice(name);
        h[100..108].copy_from_slice(b"0000644\0");
        h[124..124 + size_field.len()].copy_from_slice(size_field);
        h[156] = typeflag;
        h[257..265].copy_from_slice(POSIX_MAGIC);
        set_checksum(&mut h);
        h
    }

    fn octal_size(size: u64) -> Vec<u8> {
        format!("{size:011o}\0").into_bytes()
    }

    fn set_checksum(h: &mut [u8; BLOCK]) {
        h[148..156].fill(b' ');
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    }

    /// Headers and data padded to blocks, then the two zero blocks.
    fn raw_archive(entries: &[(&[u8; BLOCK], &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (header, data) in entries {
            out.extend_from_slice(*header);
            out.extend_from_slice(data);
            out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
        }
        out.resize(out.len() + 2 * BLOCK, 0);
        out
    }

    fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
        // The length counts itself, so find the fixed point.
        let rest = key.len() + value.len() + 3; // ' ', '=', '\n'
        let mut len = rest + 1;
        while format!("{len}").len() + rest != len {
            len += 1;
        }
        let mut out = format!("{len} {key}=").into_bytes();
        out.extend_from_slice(value);
        out.push(b'\n');
        out
    }

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let path = std::env::temp_dir().join(format!(
                "kpio-vfs-tar-{}-{tag}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn assert_err_mentions(err: &TarError, offset: u64, needles: &[&str]) {
        assert_eq!(err.offset(), offset, "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("at byte {offset}")),
            "message does not name offset {offset}: {message}"
        );
        for needle in needles {
            assert!(
                message.contains(needle),
                "{message:?} does not mention {needle:?}"
            );
        }
    }

    // ---- archives from real writers ------------------------------------------------------

    #[test]
    fn unpacks_a_ustar_archive_written_by_the_tar_crate() {
        let big = pattern(1 << 20, 7);
        let registry = br#"{"apps":[{"id":"com.example.notes","version":"1.0.0"}]}"#;
        let long_dir = format!(
            "apps/data/com.example.notes/{}/{}",
            "d".repeat(60),
            "e".repeat(50)
        );
        let long_path = format!("{long_dir}/notes-with-a-long-name.json");
        assert!(long_path.len() > 100);
        let mut w = UstarWriter::new();
        w.dir("apps/")
            .file("apps/registry.json", registry)
            .dir("apps/com.example.notes/")
            .dir("apps/com.example.notes/files/")
            .file("apps/com.example.notes/files/app.wasm", &big)
            .file("apps/com.example.notes/files/empty", b"")
            // Parents never listed as entries: created like `mkdir -p`.
            .file(&long_path, b"{\"notes\":[]}")
            .file("unlisted/a/b/c.txt", b"deep");
        let archive = w.finish();
        // The long path went into the ustar prefix field, not a GNU long-name entry.
        assert!(!archive.windows(13).any(|w| w == b"././@LongLink"));

        let (mut vfs, root) = memory_vfs();
        let unpacked = unpack(&mut vfs, root, &archive).unwrap();
        assert_eq!(unpacked.files, 5);
        assert_eq!(unpacked.bytes, (registry.len() + big.len() + 12 + 4) as u64);
        // apps, notes, files; apps/data, com.example.notes, d..., e...; unlisted, a, b.
        assert_eq!(unpacked.dirs, 10);

        assert_eq!(read_file(&mut vfs, root, "apps/registry.json"), registry);
        assert_eq!(
            read_file(&mut vfs, root, "apps/com.example.notes/files/app.wasm"),
            big
        );
        assert_eq!(
            read_file(&mut vfs, root, "apps/com.example.notes/files/empty"),
            b""
        );
        assert_eq!(read_file(&mut vfs, root, &long_path), b"{\"notes\":[]}");
        assert_eq!(read_file(&mut vfs, root, "unlisted/a/b/c.txt"), b"deep");
        for dir in [
            "apps",
            "apps/com.example.notes/files",
            &long_dir,
            "unlisted/a/b",
        ] {
            assert!(is_dir(&mut vfs, root, dir), "{dir}");
        }
        assert_eq!(vfs.open_count(), 1, "only the root handle stays open");
    }

    #[test]
    fn unpacks_into_the_given_directory_over_existing_entries() {
        let (mut vfs, root) = memory_vfs();
        vfs.create_dir(root, "home").unwrap();
        vfs.create_dir(root, "home/apps").unwrap();
        let f = vfs
            .open(root, "home/apps/old.txt", &OpenOptions::read_write_create())
            .unwrap();
        vfs.write(f, b"a much longer old content").unwrap();
        vfs.close(f).unwrap();
        let home = vfs.open(root, "home", &OpenOptions::dir()).unwrap();

        let mut w = UstarWriter::new();
        w.dir("apps/")
            .file("apps/old.txt", b"new")
            .file("./x/y.txt", b"y");
        let unpacked = unpack(&mut vfs, home, &w.finish()).unwrap();
        // `apps` existed; only `x` was created.
        assert_eq!(
            unpacked,
            Unpacked {
                files: 2,
                dirs: 1,
                bytes: 4
            }
        );
        assert_eq!(read_file(&mut vfs, root, "home/apps/old.txt"), b"new");
        assert_eq!(read_file(&mut vfs, root, "home/x/y.txt"), b"y");
    }

    #[test]
    fn a_later_entry_for_the_same_path_wins() {
        let mut w = UstarWriter::new();
        w.file("a.txt", b"first version").file("a.txt", b"second");
        let (mut vfs, root, result) = unpack_fresh(&w.finish());
        assert_eq!(result.unwrap().files, 2);
        assert_eq!(read_file(&mut vfs, root, "a.txt"), b"second");
    }

    /// Runs GNU tar on `tree` with `format`; `None` if there is no `tar` on PATH.
    fn gnu_tar(tree: &Path, format: &str, out: &Path) -> Option<Vec<u8>> {
        let status = Command::new("tar")
            .env("LC_ALL", "C")
            .arg(format!("--format={format}"))
            .arg("-cf")
            .arg(out)
            .arg("-C")
            .arg(tree)
            .arg(".")
            .status();
        match status {
            Ok(status) => {
                assert!(status.success(), "tar --format={format} failed: {status}");
                Some(std::fs::read(out).unwrap())
            }
            Err(e) => {
                std::eprintln!("skipped: no tar on PATH ({e})");
                None
            }
        }
    }

    /// Writes `files` (path, contents) and `dirs` under a fresh temporary directory.
    fn host_tree(tag: &str, files: &[(&str, Vec<u8>)], dirs: &[&str]) -> TempDir {
        let tmp = TempDir::new(tag);
        let tree = tmp.0.join("tree");
        std::fs::create_dir(&tree).unwrap();
        for dir in dirs {
            std::fs::create_dir_all(tree.join(dir)).unwrap();
        }
        for (path, data) in files {
            let path = tree.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        }
        tmp
    }

    /// Checks that the VFS holds exactly what the host directory `host` holds, recursively.
    fn assert_same_tree(vfs: &mut Vfs, root: Handle, host: &Path, rel: &str) -> usize {
        let mut checked = 0;
        let mut host_names = Vec::new();
        for entry in std::fs::read_dir(host).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type().unwrap().is_dir() {
                assert!(is_dir(vfs, root, &path), "{path} is not a directory");
                checked += assert_same_tree(vfs, root, &entry.path(), &path);
            } else {
                let host_bytes = std::fs::read(entry.path()).unwrap();
                assert_eq!(read_file(vfs, root, &path), host_bytes, "{path}");
            }
            checked += 1;
            host_names.push(name);
        }
        let dir = if rel.is_empty() {
            vfs.open(root, ".", &OpenOptions::dir()).unwrap()
        } else {
            vfs.open(root, rel, &OpenOptions::dir()).unwrap()
        };
        let mut vfs_names: Vec<String> = vfs
            .read_dir(dir, 0)
            .unwrap()
            .into_iter()
            .map(|e| e.name.to_string())
            .filter(|n| n != "." && n != "..")
            .collect();
        vfs.close(dir).unwrap();
        vfs_names.sort();
        host_names.sort();
        assert_eq!(vfs_names, host_names, "entries of {rel:?}");
        checked
    }

    fn home_files() -> Vec<(&'static str, Vec<u8>)> {
        vec![
            ("apps/registry.json", b"{\"apps\":[]}".to_vec()),
            ("apps/com.example.notes/files/app.wasm", pattern(100_000, 3)),
            ("apps/data/com.example.notes/empty", Vec::new()),
            ("apps/data/com.example.notes/notes/1.json", b"{}".to_vec()),
        ]
    }

    #[test]
    fn unpacks_gnu_tar_ustar_and_gnu_formats() {
        let long = format!("apps/data/{}/{}/file.txt", "p".repeat(70), "q".repeat(60));
        for (format, with_long_path) in [("ustar", true), ("gnu", false)] {
            let mut files = home_files();
            if with_long_path {
                // GNU tar's ustar splits this into prefix and name; its gnu format would use
                // an 'L' entry, which is refused (see the hostile tests).
                files.push((long.as_str(), b"long".to_vec()));
            }
            let tmp = host_tree(format, &files, &["apps/com.example.notes/cache"]);
            let Some(archive) = gnu_tar(&tmp.0.join("tree"), format, &tmp.0.join("out.tar")) else {
                return;
            };
            let magic: &[u8] = if format == "gnu" {
                GNU_MAGIC
            } else {
                POSIX_MAGIC
            };
            assert_eq!(&archive[257..265], magic);

            let (mut vfs, root) = memory_vfs();
            let unpacked = unpack(&mut vfs, root, &archive)
                .unwrap_or_else(|e| panic!("--format={format}: {e}"));
            assert_eq!(unpacked.files, files.len(), "--format={format}");
            let entries = assert_same_tree(&mut vfs, root, &tmp.0.join("tree"), "");
            assert_eq!(entries, unpacked.files + unpacked.dirs, "--format={format}");
        }
    }

    #[test]
    fn unpacks_a_gnu_tar_pax_archive_with_a_path_record() {
        // A last component over 100 bytes fits no ustar name field: only a pax `path` does.
        let long = format!("{}/{}", "a".repeat(40), "b".repeat(109));
        assert_eq!(long.len(), 150);
        let mut files = home_files();
        files.push((long.as_str(), b"pax".to_vec()));
        let tmp = host_tree("pax", &files, &[]);
        let Some(archive) = gnu_tar(&tmp.0.join("tree"), "pax", &tmp.0.join("out.tar")) else {
            return;
        };
        assert!(
            archive.windows(6).any(|w| w == b" path="),
            "no pax path record"
        );

        let (mut vfs, root) = memory_vfs();
        let unpacked = unpack(&mut vfs, root, &archive).unwrap();
        assert_eq!(read_file(&mut vfs, root, &long), b"pax");
        let entries = assert_same_tree(&mut vfs, root, &tmp.0.join("tree"), "");
        assert_eq!(entries, unpacked.files + unpacked.dirs);
    }

    // ---- hand-made but valid -------------------------------------------------------------

    #[test]
    fn an_empty_input_is_an_empty_archive() {
        let (_, _, result) = unpack_fresh(&[]);
        assert_eq!(result.unwrap(), Unpacked::default());
        let (_, _, result) = unpack_fresh(&[0; 2 * BLOCK]);
        assert_eq!(result.unwrap(), Unpacked::default());
    }

    #[test]
    fn end_of_archive_markers_may_be_short_and_padding_is_ignored() {
        let header = raw_header(b"a.txt", b'0', &octal_size(3));
        let mut full = raw_archive(&[(&header, b"abc")]);
        // Record padding after the two zero blocks, with junk in it.
        full.extend_from_slice(&[0xAA; 3 * BLOCK]);
        // One zero block, or none, at the end of the input.
        let no_marker = full[..2 * BLOCK].to_vec();
        let one_zero = full[..3 * BLOCK].to_vec();
        // The padding of the last data block is missing.
        let unpadded = full[..BLOCK + 3].to_vec();
        for archive in [full, no_marker, one_zero, unpadded] {
            let (mut vfs, root, result) = unpack_fresh(&archive);
            assert_eq!(result.unwrap().files, 1, "{} bytes", archive.len());
            assert_eq!(read_file(&mut vfs, root, "a.txt"), b"abc");
        }
    }

    #[test]
    fn signed_checksums_gnu_magic_base256_sizes_and_prefixes_are_accepted() {
        // Old tars summed signed bytes: a name with bytes >= 0x80 tells the sums apart.
        let mut signed = raw_header("é-signed.txt".as_bytes(), b'0', &octal_size(1));
        signed[148..156].fill(b' ');
        let sum: i64 = signed.iter().map(|&b| i64::from(b as i8)).sum();
        signed[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());

        let mut gnu = raw_header(b"gnu.txt", b'0', &octal_size(1));
        gnu[257..265].copy_from_slice(GNU_MAGIC);
        // GNU headers keep atime where ustar has its prefix: it must not become a path.
        gnu[345..357].copy_from_slice(b"14000000000\0");
        set_checksum(&mut gnu);

        let mut base256 = [0u8; 12];
        base256[0] = 0x80;
        base256[11] = 2;
        let big_size = raw_header(b"base256.txt", b'0', &base256);

        let mut prefixed = raw_header(b"name.txt", b'\0', &octal_size(1));
        prefixed[345..355].copy_from_slice(b"./pre/fix/");
        set_checksum(&mut prefixed);

        // Leading spaces and a space terminator, as some old tars wrote numbers.
        let spaced = raw_header(b"spaced.txt", b'0', b"      1 \0");

        let archive = raw_archive(&[
            (&signed, b"s"),
            (&gnu, b"g"),
            (&big_size, b"bb"),
            (&prefixed, b"p"),
            (&spaced, b"x"),
        ]);
        let (mut vfs, root, result) = unpack_fresh(&archive);
        assert_eq!(
            result.unwrap(),
            Unpacked {
                files: 5,
                dirs: 2,
                bytes: 6
            }
        );
        assert_eq!(read_file(&mut vfs, root, "é-signed.txt"), b"s");
        assert_eq!(read_file(&mut vfs, root, "gnu.txt"), b"g");
        assert_eq!(read_file(&mut vfs, root, "base256.txt"), b"bb");
        assert_eq!(read_file(&mut vfs, root, "pre/fix/name.txt"), b"p");
        assert_eq!(read_file(&mut vfs, root, "spaced.txt"), b"x");
    }

    #[test]
    fn pax_path_and_size_records_apply_to_the_next_entry_only() {
        let long = format!("{}/{}", "x".repeat(120), "y".repeat(130));
        let mut records = pax_record("mtime", b"1700000000.5");
        records.extend(pax_record("path", long.as_bytes()));
        let pax = raw_header(b"PaxHeaders/f", b'x', &octal_size(records.len() as u64));
        let file = raw_header(b"truncated-name", b'0', &octal_size(2));

        // The size record overrides a ustar size field (which writers zero when the size
        // does not fit in it).
        let size_record = pax_record("size", b"5");
        let pax_size = raw_header(b"PaxHeaders/g", b'x', &octal_size(size_record.len() as u64));
        let sized = raw_header(b"sized.txt", b'0', &octal_size(0));

        let global_records = pax_record("path", b"ignored-global");
        let global = raw_header(
            b"GlobalHead",
            b'g',
            &octal_size(global_records.len() as u64),
        );
        let after = raw_header(b"after.txt", b'0', &octal_size(1));

        let archive = raw_archive(&[
            (&pax, &records),
            (&file, b"ok"),
            (&pax_size, &size_record),
            (&sized, b"12345"),
            (&global, &global_records),
            (&after, b"!"),
        ]);
        let (mut vfs, root, result) = unpack_fresh(&archive);
        assert_eq!(result.unwrap().files, 3);
        assert_eq!(read_file(&mut vfs, root, &long), b"ok");
        assert_eq!(read_file(&mut vfs, root, "sized.txt"), b"12345");
        assert_eq!(read_file(&mut vfs, root, "after.txt"), b"!");
        assert!(vfs.stat_path(root, "truncated-name", false).is_err());
        assert!(vfs.stat_path(root, "ignored-global", false).is_err());
    }

    // ---- hostile input -------------------------------------------------------------------

    #[test]
    fn a_bad_checksum_is_refused() {
        let mut w = UstarWriter::new();
        w.file("ok.txt", b"fine").file("apps/registry.json", b"{}");
        let mut archive = w.finish();
        archive[2 * BLOCK + 120] ^= 0x01; // In the mode field of the second header.
        let (mut vfs, root, result) = unpack_fresh(&archive);
        let err = result.unwrap_err();
        assert!(matches!(&err, TarError::BadChecksum { path, .. } if path == "apps/registry.json"));
        assert_err_mentions(&err, 2 * BLOCK as u64, &["apps/registry.json", "checksum"]);
        // Entries before the bad one were unpacked.
        assert_eq!(read_file(&mut vfs, root, "ok.txt"), b"fine");
    }

    #[test]
    fn escaping_and_malformed_paths_are_refused() {
        let cases: [(&[u8], u8, &str); 8] = [
            (b"../escape", b'0', "'..'"),
            (b"apps/../../escape", b'0', "'..'"),
            (b"..", b'5', "'..'"),
            (b"/etc/passwd", b'0', "absolute"),
            (b"/", b'5', "absolute"),
            (b"", b'0', "empty"),
            (b"bad-\xff\xfe-utf8", b'0', "UTF-8"),
            (b"file-with-slash/", b'0', "ends in '/'"),
        ];
        for (name, typeflag, reason) in cases {
            let ok = raw_header(b"first.txt", b'0', &octal_size(0));
            let bad = raw_header(name, typeflag, &octal_size(0));
            let (mut vfs, root, result) = unpack_fresh(&raw_archive(&[(&ok, b""), (&bad, b"")]));
            let err = result.unwrap_err();
            let shown = String::from_utf8_lossy(name).into_owned();
            assert!(
                matches!(&err, TarError::BadPath { path, .. } if *path == shown),
                "{shown}: {err:?}"
            );
            assert_err_mentions(&err, BLOCK as u64, &[reason, &format!("{shown:?}")]);
            assert!(read_file(&mut vfs, root, "first.txt").is_empty());
        }
        // `.` alone names no file.
        let dot = raw_header(b"./", b'0', &octal_size(0));
        let (_, _, result) = unpack_fresh(&raw_archive(&[(&dot, b"")]));
        assert!(matches!(result, Err(TarError::BadPath { offset: 0, .. })));
        // A pax path is checked like any other.
        let record = pax_record("path", b"../../etc/shadow");
        let pax = raw_header(b"PaxHeaders/x", b'x', &octal_size(record.len() as u64));
        let file = raw_header(b"innocent", b'0', &octal_size(0));
        let (_, _, result) = unpack_fresh(&raw_archive(&[(&pax, &record), (&file, b"")]));
        let err = result.unwrap_err();
        assert!(matches!(&err, TarError::BadPath { path, .. } if path == "../../etc/shadow"));
        assert_err_mentions(&err, 2 * BLOCK as u64, &["../../etc/shadow"]);
    }

    #[test]
    fn links_devices_and_gnu_long_names_are_refused() {
        let mut w = UstarWriter::new();
        w.file("before.txt", b"b")
            .link(::tar::EntryType::Symlink, "apps/link", "../../etc");
        let symlink = w.finish();
        let mut w = UstarWriter::new();
        w.file("before.txt", b"b")
            .link(::tar::EntryType::Link, "apps/hard", "before.txt");
        let hardlink = w.finish();
        let fifo = raw_archive(&[
            (&raw_header(b"before.txt", b'0', &octal_size(1)), b"b"),
            (&raw_header(b"pipe", b'6', &octal_size(0)), b""),
        ]);
        // The `tar` crate falls back to a GNU 'L' entry for a name no ustar header holds.
        let long = format!("{}/{}", "d".repeat(20), "n".repeat(120));
        let mut w = UstarWriter::new();
        w.file("before.txt", b"b").file(&long, b"x");
        let long_name = w.finish();

        for (archive, kind, path, words) in [
            (symlink, '2', "apps/link", "symbolic link"),
            (hardlink, '1', "apps/hard", "hard link"),
            (fifo, '6', "pipe", "FIFO"),
            (long_name, 'L', "././@LongLink", "GNU long-name"),
        ] {
            let (mut vfs, root, result) = unpack_fresh(&archive);
            let err = result.unwrap_err();
            let TarError::Unsupported {
                kind: k, path: p, ..
            } = &err
            else {
                panic!("{err:?}");
            };
            assert_eq!((*k, p.as_str()), (kind, path));
            assert_err_mentions(&err, 2 * BLOCK as u64, &[path, words, &format!("{kind:?}")]);
            assert_eq!(read_file(&mut vfs, root, "before.txt"), b"b");
        }
    }

    #[test]
    fn truncated_archives_are_refused() {
        let mut w = UstarWriter::new();
        w.file("small", b"s")
            .file("apps/big.bin", &pattern(5000, 1));
        let full = w.finish();
        // Cut inside the second entry's data (it starts at byte 3 * 512).
        let cut = &full[..3 * BLOCK + 1000];
        let (_, _, result) = unpack_fresh(cut);
        let err = result.unwrap_err();
        assert_eq!(
            err,
            TarError::Truncated {
                offset: 2 * BLOCK as u64,
                path: "apps/big.bin".into(),
                needed: 5000,
                available: 1000,
            }
        );
        assert_err_mentions(&err, 2 * BLOCK as u64, &["apps/big.bin", "5000", "1000"]);

        // A size far beyond the input, and one beyond u64 in base 256.
        let largest_octal = 0o777_7777_7777; // 8 GiB - 1, the most 11 octal digits hold.
        let huge = raw_header(b"huge", b'0', &octal_size(largest_octal));
        let (_, _, result) = unpack_fresh(&raw_archive(&[(&huge, b"")]));
        let Err(TarError::Truncated {
            offset: 0,
            needed,
            available,
            ..
        }) = result
        else {
            panic!("{result:?}");
        };
        assert_eq!((needed, available), (largest_octal, 2 * BLOCK as u64));
        let mut base256 = [0xFFu8; 12];
        base256[0] = 0x80;
        let too_big = raw_header(b"too-big", b'0', &base256);
        let (_, _, result) = unpack_fresh(&raw_archive(&[(&too_big, b"")]));
        let err = result.unwrap_err();
        assert!(
            matches!(err, TarError::BadHeader { offset: 0, .. }),
            "{err:?}"
        );
        assert_err_mentions(&err, 0, &["64 bits"]);
    }

    #[test]
    fn a_partial_header_is_refused() {
        let mut w = UstarWriter::new();
        w.file("a", b"a");
        let archive = w.finish();
        for len in [1, 100, BLOCK - 1, 2 * BLOCK + 1, 2 * BLOCK + 511] {
            let (_, _, result) = unpack_fresh(&archive[..len]);
            let header_at = (len / BLOCK * BLOCK) as u64;
            let err = result.unwrap_err();
            assert!(matches!(err, TarError::BadHeader { .. }), "{len}: {err:?}");
            assert_err_mentions(&err, header_at, &["partial header"]);
        }
    }

    #[test]
    fn bad_numbers_and_bad_headers_are_refused() {
        let ok = raw_header(b"ok", b'0', &octal_size(0));
        let garbage = raw_header(b"garbage-size", b'0', b"12x4\0");
        let blank = raw_header(b"blank-size", b'0', b"\0");
        let mut negative = [0xFFu8; 12];
        negative[11] = 0xF0;
        let negative = raw_header(b"negative-size", b'0', &negative);
        let dir_with_size = raw_header(b"dir/", b'5', &octal_size(512));
        let mut v7 = raw_header(b"v7-header", b'0', &octal_size(0));
        v7[257..265].fill(0);
        set_checksum(&mut v7);
        let mut bad_checksum_field = raw_header(b"checksum-field", b'0', &octal_size(0));
        bad_checksum_field[148..156].copy_from_slice(b"zzzzzz\0 ");

        for (bad, words) in [
            (&garbage, "not an octal number"),
            (&blank, "not an octal number"),
            (&negative, "negative"),
            (&dir_with_size, "nonzero size"),
            (&v7, "magic"),
        ] {
            let (_, _, result) = unpack_fresh(&raw_archive(&[(&ok, b""), (bad, b"")]));
            let err = result.unwrap_err();
            assert!(
                matches!(err, TarError::BadHeader { .. }),
                "{words}: {err:?}"
            );
            assert_err_mentions(&err, BLOCK as u64, &[words]);
        }
        let (_, _, result) = unpack_fresh(&raw_archive(&[(&ok, b""), (&bad_checksum_field, b"")]));
        let err = result.unwrap_err();
        assert!(matches!(err, TarError::BadChecksum { .. }));
        assert_err_mentions(&err, BLOCK as u64, &["checksum-field"]);
    }

    #[test]
    fn a_lone_zero_block_before_more_entries_is_refused() {
        let a = raw_header(b"a", b'0', &octal_size(0));
        let b = raw_header(b"b", b'0', &octal_size(0));
        let mut archive = Vec::new();
        archive.extend_from_slice(&a);
        archive.extend_from_slice(&[0; BLOCK]);
        archive.extend_from_slice(&b);
        let (_, _, result) = unpack_fresh(&archive);
        let err = result.unwrap_err();
        assert!(matches!(err, TarError::BadHeader { .. }));
        assert_err_mentions(&err, BLOCK as u64, &["zero block"]);
    }

    #[test]
    fn malformed_pax_headers_are_refused() {
        let file = raw_header(b"file", b'0', &octal_size(0));
        let cases: [(&[u8], &str); 6] = [
            (b"11 path=abc", "newline"),
            (b"99 path=abc\n", "past the header's data"),
            (b"x path=abc\n", "not a decimal number"),
            (b"path=abc\n", "no space"),
            (b"9 pathab\n", "no '='"),
            (b"10 size=z\n", "size record"),
        ];
        for (records, words) in cases {
            let pax = raw_header(b"PaxHeaders/file", b'x', &octal_size(records.len() as u64));
            let (_, _, result) = unpack_fresh(&raw_archive(&[(&pax, records), (&file, b"")]));
            let err = result.unwrap_err();
            assert!(
                matches!(err, TarError::BadHeader { offset: 0, .. }),
                "{words}: {err:?}"
            );
            assert_err_mentions(&err, 0, &[words]);
        }
        // A pax header with no entry after it.
        let records = pax_record("path", b"orphan");
        let ok = raw_header(b"ok", b'0', &octal_size(0));
        let pax = raw_header(
            b"PaxHeaders/orphan",
            b'x',
            &octal_size(records.len() as u64),
        );
        let (_, _, result) = unpack_fresh(&raw_archive(&[(&ok, b""), (&pax, &records)]));
        let err = result.unwrap_err();
        assert!(matches!(err, TarError::BadHeader { .. }));
        assert_err_mentions(&err, BLOCK as u64, &["not followed"]);
    }

    #[test]
    fn vfs_refusals_name_the_entry() {
        let mut w = UstarWriter::new();
        w.file("apps", b"a file").file("apps/registry.json", b"{}");
        let (_, _, result) = unpack_fresh(&w.finish());
        let err = result.unwrap_err();
        let TarError::Vfs { path, source, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(path, "apps/registry.json");
        assert!(matches!(source, VfsError::NotDir { .. }), "{source:?}");
        assert_err_mentions(
            &err,
            2 * BLOCK as u64,
            &["apps/registry.json", "not a directory"],
        );
        assert!(core::error::Error::source(&err).is_some());

        // A symlink already in the VFS is neither written through nor descended into.
        let (mut vfs, root) = memory_vfs();
        vfs.create_dir(root, "elsewhere").unwrap();
        vfs.symlink("elsewhere", root, "link").unwrap();
        for path in ["link", "link/file"] {
            let mut w = UstarWriter::new();
            w.file(path, b"x");
            let err = unpack(&mut vfs, root, &w.finish()).unwrap_err();
            assert!(matches!(err, TarError::Vfs { .. }), "{path}: {err:?}");
        }
        assert!(vfs.stat_path(root, "elsewhere/file", false).is_err());

        // Out of space in the backend.
        let fs: Arc<dyn Backend> = Arc::new(MemoryFs::new(
            MemoryLimits {
                max_file_size: 100,
                ..MemoryLimits::default()
            },
            Arc::new(ManualClock::new(0)),
        ));
        let mut vfs = Vfs::with_root(fs).unwrap();
        let root = vfs.open_root(MountId(0)).unwrap();
        let mut w = UstarWriter::new();
        w.file("too-big", &[0; 101]);
        let err = unpack(&mut vfs, root, &w.finish()).unwrap_err();
        assert!(matches!(
            err,
            TarError::Vfs {
                source: VfsError::FileTooLarge,
                offset: 0,
                ..
            }
        ));
        assert_eq!(vfs.open_count(), 1, "the failed file's handle was closed");
    }

    // ---- no panics -----------------------------------------------------------------------

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let len = match round % 3 {
                0 => rng.below(64),
                1 => rng.below(4 * BLOCK + 1),
                _ => BLOCK * rng.below(5),
            };
            let mut input: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            // Some inputs get a valid-looking header so parsing goes past the checksum.
            if round % 2 == 0 && input.len() >= BLOCK {
                input[257..265].copy_from_slice(POSIX_MAGIC);
                input[156] = b"0125xgL\0"[rng.below(8)];
                let block: &mut [u8; BLOCK] = (&mut input[..BLOCK]).try_into().unwrap();
                set_checksum(block);
            }
            let (_, _, result) = unpack_fresh(&input);
            if let Err(e) = result {
                let _ = e.to_string();
            }
        }
    }

    #[test]
    fn mutated_archives_never_panic() {
        let records = pax_record("path", b"pax/long/name.txt");
        let pax = raw_header(b"PaxHeaders/p", b'x', &octal_size(records.len() as u64));
        let mut w = UstarWriter::new();
        w.dir("apps/")
            .file("apps/registry.json", b"{\"apps\":[]}")
            .file("apps/x/data.bin", &pattern(1500, 9));
        let mut valid = w.finish();
        valid.truncate(valid.len() - 2 * BLOCK);
        valid.extend_from_slice(&raw_archive(&[
            (&pax, &records),
            (&raw_header(b"p", b'0', &octal_size(3)), b"pax"),
        ]));
        let (_, _, result) = unpack_fresh(&valid);
        assert_eq!(result.unwrap().files, 3);

        // Every block with something in it: the headers, and some data blocks too, which a
        // "checksum" only mutates further.
        let nonzero_blocks: Vec<usize> = (0..valid.len())
            .step_by(BLOCK)
            .filter(|&at| valid[at..at + BLOCK].iter().any(|&b| b != 0))
            .collect();
        let mut rng = XorShift(42);
        for round in 0..3000 {
            let mut input = valid.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(input.len());
                input[at] = rng.next() as u8;
            }
            // Half the time, repair the checksums so the mutated fields get parsed.
            if round % 2 == 0 {
                for &at in &nonzero_blocks {
                    let block: &mut [u8; BLOCK] = (&mut input[at..at + BLOCK]).try_into().unwrap();
                    if block.iter().any(|&b| b != 0) {
                        set_checksum(block);
                    }
                }
            }
            if round % 5 == 0 {
                input.truncate(rng.below(input.len() + 1));
            }
            let (_, _, result) = unpack_fresh(&input);
            if let Err(e) = result {
                let _ = e.to_string();
            }
        }
        // Every prefix of the valid archive.
        for len in 0..=valid.len() {
            let (_, _, result) = unpack_fresh(&valid[..len]);
            if let Err(e) = result {
                let _ = e.to_string();
            }
        }
    }
}

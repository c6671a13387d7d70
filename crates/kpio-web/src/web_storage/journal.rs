//! A storage area on disk, so that a process killed at any instant leaves the state
//! before or after each change, never a torn one.
//!
//! Two kinds of file in the area's directory:
//! - `snapshot`: every item at some generation G, written whole to `snapshot.tmp`,
//!   synced, and renamed over `snapshot` (the rename is atomic), with a CRC-32 of its
//!   contents at the end;
//! - `journal-G`: the changes since that snapshot, one record each, appended with a single
//!   `write` (length, CRC-32, then the change). A record cut short by a kill fails its
//!   length or CRC check and is dropped (with anything after it) when the area is opened.
//!
//! Appends are not synced one by one: the operating system has them as soon as `write`
//! returns, so they survive the process being killed; a power loss can lose the changes
//! since the last sync (at compaction and when the area is closed), like browsers, which
//! also write local storage lazily. When the journal outgrows the items it describes, a
//! new snapshot (G + 1) is written and a fresh journal started.

use super::area::StorageArea;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

const SNAPSHOT_MAGIC: &[u8; 8] = b"KPIOLS1\n";
const SET: u8 = 1;
const REMOVE: u8 = 2;
const CLEAR: u8 = 3;

/// Why an area's files could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A snapshot that does not pass its own checks: never written by a crash (snapshots
    /// are renamed into place whole), so something else changed it; it is left as it is.
    #[error("{path}: not a storage snapshot this version wrote ({why}); left untouched")]
    Corrupt { path: PathBuf, why: String },
}

/// One change, as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<'a> {
    Set { key: &'a str, value: &'a str },
    Remove { key: &'a str },
    Clear,
}

/// An open journal: the directory and the journal file being appended to.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    generation: u64,
    file: File,
    journal_bytes: u64,
}

impl Journal {
    /// Opens (or creates) the area stored in `dir`, with `quota_units`; returns the items
    /// and the journal to append to.
    pub fn open(dir: &Path, quota_units: usize) -> Result<(StorageArea, Journal), StorageError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StorageError::Io { path, source }
        };
        fs::create_dir_all(dir).map_err(io(dir))?;
        // A leftover of a compaction cut short: the snapshot it was writing never made it.
        let _ = fs::remove_file(dir.join("snapshot.tmp"));
        let mut area = StorageArea::new(usize::MAX);
        let snapshot = dir.join("snapshot");
        let generation = match fs::read(&snapshot) {
            Ok(bytes) => read_snapshot(&snapshot, &bytes, &mut area)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io(&snapshot)(e)),
        };
        // Journals of other generations are leftovers of compactions.
        for entry in fs::read_dir(dir).map_err(io(dir))? {
            let entry = entry.map_err(io(dir))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if let Some(g) = name.strip_prefix("journal-")
                && g != generation.to_string()
            {
                let _ = fs::remove_file(entry.path());
            }
        }
        let path = dir.join(format!("journal-{generation}"));
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io(&path))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io(&path))?;
        let good = replay(&bytes, &mut area);
        if good < bytes.len() {
            // The torn tail of a change a kill cut short.
            file.set_len(good as u64).map_err(io(&path))?;
        }
        area.set_quota(quota_units);
        Ok((
            area,
            Journal {
                dir: dir.to_owned(),
                generation,
                file,
                journal_bytes: good as u64,
            },
        ))
    }

    /// Appends one change (one `write`).
    pub fn append(&mut self, change: &Change<'_>) -> Result<(), StorageError> {
        let mut payload = Vec::new();
        match change {
            Change::Set { key, value } => {
                payload.push(SET);
                payload.extend_from_slice(&(key.len() as u32).to_le_bytes());
                payload.extend_from_slice(key.as_bytes());
                payload.extend_from_slice(value.as_bytes());
            }
            Change::Remove { key } => {
                payload.push(REMOVE);
                payload.extend_from_slice(key.as_bytes());
            }
            Change::Clear => payload.push(CLEAR),
        }
        let mut record = Vec::with_capacity(payload.len() + 8);
        record.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        record.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        record.extend_from_slice(&payload);
        self.file
            .write_all(&record)
            .map_err(|source| StorageError::Io {
                path: self.journal_path(),
                source,
            })?;
        self.journal_bytes += record.len() as u64;
        Ok(())
    }

    /// Whether the journal has grown past the point where a new snapshot pays.
    pub fn wants_compaction(&self, area: &StorageArea) -> bool {
        self.journal_bytes > 64 * 1024 && self.journal_bytes > 2 * (area.used() as u64 * 2 + 1024)
    }

    /// Writes `area` as the next generation's snapshot and starts its empty journal.
    pub fn compact(&mut self, area: &StorageArea) -> Result<(), StorageError> {
        let next = self.generation + 1;
        let tmp = self.dir.join("snapshot.tmp");
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StorageError::Io { path, source }
        };
        let mut bytes = Vec::new();
        bytes.extend_from_slice(SNAPSHOT_MAGIC);
        bytes.extend_from_slice(&next.to_le_bytes());
        bytes.extend_from_slice(&(area.len() as u64).to_le_bytes());
        for (k, v) in area.items() {
            bytes.extend_from_slice(&(k.len() as u32).to_le_bytes());
            bytes.extend_from_slice(k.as_bytes());
            bytes.extend_from_slice(&(v.len() as u32).to_le_bytes());
            bytes.extend_from_slice(v.as_bytes());
        }
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        {
            let mut f = File::create(&tmp).map_err(io(&tmp))?;
            f.write_all(&bytes).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
        }
        let snapshot = self.dir.join("snapshot");
        // The new journal exists (empty) before the snapshot naming it does.
        let journal = self.dir.join(format!("journal-{next}"));
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .truncate(false)
            .open(&journal)
            .map_err(io(&journal))?;
        file.set_len(0).map_err(io(&journal))?;
        fs::rename(&tmp, &snapshot).map_err(io(&snapshot))?;
        sync_dir(&self.dir).map_err(io(&self.dir))?;
        let old = self.journal_path();
        self.file = file;
        self.generation = next;
        self.journal_bytes = 0;
        let _ = fs::remove_file(old);
        Ok(())
    }

    /// Makes every change so far durable (also across a power loss).
    pub fn sync(&mut self) -> Result<(), StorageError> {
        self.file.sync_data().map_err(|source| StorageError::Io {
            path: self.journal_path(),
            source,
        })
    }

    fn journal_path(&self) -> PathBuf {
        self.dir.join(format!("journal-{}", self.generation))
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Reads a snapshot into `area`; its generation.
fn read_snapshot(path: &Path, bytes: &[u8], area: &mut StorageArea) -> Result<u64, StorageError> {
    let corrupt = |why: &str| StorageError::Corrupt {
        path: path.to_owned(),
        why: why.to_owned(),
    };
    if bytes.len() < 28 || &bytes[..8] != SNAPSHOT_MAGIC {
        return Err(corrupt("no snapshot header"));
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(body).to_le_bytes() != crc {
        return Err(corrupt("checksum mismatch"));
    }
    let generation = u64::from_le_bytes(body[8..16].try_into().unwrap());
    let count = u64::from_le_bytes(body[16..24].try_into().unwrap());
    let mut rest = &body[24..];
    for _ in 0..count {
        let key = take_string(&mut rest).ok_or_else(|| corrupt("truncated item"))?;
        let value = take_string(&mut rest).ok_or_else(|| corrupt("truncated item"))?;
        let _ = area.set(key, value);
    }
    if !rest.is_empty() {
        return Err(corrupt("bytes after the last item"));
    }
    Ok(generation)
}

fn take_string<'a>(rest: &mut &'a [u8]) -> Option<&'a str> {
    let len = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    let s = std::str::from_utf8(rest.get(4..4 + len)?).ok()?;
    *rest = &rest[4 + len..];
    Some(s)
}

/// Applies the journal's whole records to `area`; the length of the good prefix.
fn replay(bytes: &[u8], area: &mut StorageArea) -> usize {
    let mut at = 0;
    while bytes.len() - at >= 8 {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let crc = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap());
        let Some(payload) = bytes.get(at + 8..at + 8 + len) else {
            break;
        };
        if crc32fast::hash(payload) != crc || !apply(payload, area) {
            break;
        }
        at += 8 + len;
    }
    at
}

fn apply(payload: &[u8], area: &mut StorageArea) -> bool {
    match payload.split_first() {
        Some((&SET, rest)) => {
            let Some(klen) = rest
                .get(..4)
                .map(|b| u32::from_le_bytes(b.try_into().unwrap()) as usize)
            else {
                return false;
            };
            let (Some(k), Some(v)) = (rest.get(4..4 + klen), rest.get(4 + klen..)) else {
                return false;
            };
            match (std::str::from_utf8(k), std::str::from_utf8(v)) {
                (Ok(k), Ok(v)) => area.set(k, v).is_ok(),
                _ => false,
            }
        }
        Some((&REMOVE, key)) => match std::str::from_utf8(key) {
            Ok(k) => {
                area.remove(k);
                true
            }
            Err(_) => false,
        },
        Some((&CLEAR, [])) => {
            area.clear();
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kpio-ls-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn changes_survive_reopening_and_a_torn_tail_is_dropped() {
        let d = dir("torn");
        {
            let (mut area, mut j) = Journal::open(&d, 1000).unwrap();
            for (k, v) in [("\"a\"", "\"1\""), ("\"b\"", "\"2\"")] {
                area.set(k, v).unwrap();
                j.append(&Change::Set { key: k, value: v }).unwrap();
            }
            area.remove("\"a\"");
            j.append(&Change::Remove { key: "\"a\"" }).unwrap();
        }
        // A kill in the middle of the next append leaves part of a record.
        let journal = d.join("journal-0");
        let mut f = OpenOptions::new().append(true).open(&journal).unwrap();
        f.write_all(&[20, 0, 0, 0, 1, 2]).unwrap();
        drop(f);
        let before = fs::metadata(&journal).unwrap().len();
        let (area, _) = Journal::open(&d, 1000).unwrap();
        assert_eq!(area.items().collect::<Vec<_>>(), vec![("\"b\"", "\"2\"")]);
        assert_eq!(
            fs::metadata(&journal).unwrap().len(),
            before - 6,
            "the torn tail is cut"
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn compaction_starts_a_new_generation_with_the_same_items() {
        let d = dir("compact");
        let (mut area, mut j) = Journal::open(&d, 1 << 20).unwrap();
        for i in 0..3000 {
            let k = format!("\"k{}\"", i % 10);
            let v = format!("\"{i}\"");
            area.set(&k, &v).unwrap();
            j.append(&Change::Set { key: &k, value: &v }).unwrap();
            if j.wants_compaction(&area) {
                j.compact(&area).unwrap();
            }
        }
        assert!(j.generation > 0, "the journal was compacted");
        drop(j);
        let (again, j) = Journal::open(&d, 1 << 20).unwrap();
        assert_eq!(
            again.items().collect::<Vec<_>>(),
            area.items().collect::<Vec<_>>()
        );
        let journals: Vec<_> = fs::read_dir(&d)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("journal-"))
            .collect();
        assert_eq!(journals, vec![format!("journal-{}", j.generation)]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_snapshot_changed_by_something_else_is_refused_and_kept() {
        let d = dir("corrupt");
        let (mut area, mut j) = Journal::open(&d, 1000).unwrap();
        area.set("\"a\"", "\"1\"").unwrap();
        j.compact(&area).unwrap();
        drop(j);
        let snap = d.join("snapshot");
        let mut bytes = fs::read(&snap).unwrap();
        bytes[30] ^= 0xff;
        fs::write(&snap, &bytes).unwrap();
        let err = Journal::open(&d, 1000).unwrap_err();
        assert!(matches!(err, StorageError::Corrupt { .. }), "{err}");
        assert_eq!(fs::read(&snap).unwrap(), bytes, "left untouched");
        fs::remove_dir_all(&d).unwrap();
    }
}

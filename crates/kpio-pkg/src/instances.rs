//! The running instances of installed apps, recorded durably so that other `kpio`
//! processes can list them (`kpio ps`), stop one (`kpio kill`) and stop an app's
//! instances before uninstalling it.
//!
//! # Files (relative to the system VFS root: hosted, `KPIO_HOME`)
//!
//! ```text
//! system/run/next_instance       the next instance number (decimal)
//! system/run/{N}.json            one running instance: an [`InstanceRecord`]
//! ```
//!
//! A launcher allocates its number while it holds the platform's lock (the counter is
//! the only shared thing written), then writes and rewrites only its own record. Every
//! record is written to `{N}.json.tmp` and renamed over `{N}.json`, so a reader sees a
//! whole record or none, and removed when the run ends.
//!
//! A launcher that is killed (SIGKILL, a crash, a power cut) leaves its record behind.
//! Each record names its host process by pid *and* the process's start time (field 22 of
//! `/proc/{pid}/stat`, clock ticks since boot), so a pid reused by another process — or
//! any pid after a reboot — is not mistaken for the instance: [`Instances::list`] drops
//! and deletes every record whose process is gone.
//!
//! Records are not synced: they describe live processes, and after a power cut every one
//! of them is stale anyway.

use std::sync::Arc;

use kpio_app::{AppDescriptor, KernelAppId};
use kpio_vfs::{Backend, FileType, Handle, MountId, Vfs, VfsError};
use serde::{Deserialize, Serialize};

use crate::error::PkgError;
use crate::fsutil::{create_dir_all, join, kind, list_dir, read_file, rename, write_new_file};

/// Where the instance records live.
pub const RUN_DIR: &str = "system/run";
const COUNTER: &str = "next_instance";
const TMP_SUFFIX: &str = ".tmp";
/// Records are small; anything bigger is not one of ours.
const MAX_RECORD_BYTES: u64 = 64 << 10;

/// A host process, named so that a reused pid is not mistaken for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessRef {
    pub pid: u32,
    /// The process's start time, clock ticks after boot (`/proc/{pid}/stat` field 22).
    pub start: u64,
}

impl ProcessRef {
    /// This process.
    pub fn current() -> Result<ProcessRef, PkgError> {
        let pid = std::process::id();
        let start = proc_start(pid).ok_or_else(|| PkgError::Io {
            path: format!("/proc/{pid}/stat"),
            message: "cannot read this process's start time".into(),
        })?;
        Ok(ProcessRef { pid, start })
    }

    /// Whether this very process still runs (a zombie does not: it has ended and only
    /// waits for its parent to collect its status).
    pub fn is_alive(&self) -> bool {
        proc_start(self.pid) == Some(self.start)
    }
}

/// Start time of process `pid`, or `None` if it does not exist or is a zombie.
fn proc_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so split after
    // the last `)`; the state is then field 3 and the start time field 22.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    fields.nth(22 - 4)?.parse().ok()
}

/// What a running instance is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceState {
    /// Recorded; the module is being instantiated (or the app waits to be restarted).
    Starting,
    /// The app's code runs.
    Running,
}

impl std::fmt::Display for InstanceState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            InstanceState::Starting => "starting",
            InstanceState::Running => "running",
        })
    }
}

/// One running instance of an installed app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceRecord {
    /// The instance number, unique in this `KPIO_HOME` (never reused).
    pub instance: u64,
    /// The app's kernel id.
    pub app: KernelAppId,
    /// The app's reverse-domain id.
    pub app_id: String,
    /// The app's display name.
    pub name: String,
    /// The host process running it.
    pub process: ProcessRef,
    /// When it was launched, nanoseconds since the Unix epoch.
    pub started_ns: u64,
    pub state: InstanceState,
}

impl InstanceRecord {
    /// The record as one line of JSON (`kpio ps --json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The instance records of one system tree; see the module docs.
pub struct Instances {
    vfs: Vfs,
    root: Handle,
}

impl std::fmt::Debug for Instances {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instances").finish_non_exhaustive()
    }
}

fn record_path(instance: u64) -> String {
    join(RUN_DIR, &format!("{instance}.json"))
}

impl Instances {
    /// Opens the records of the tree `backend` holds (nothing is written yet).
    pub fn open(backend: Arc<dyn Backend>) -> Result<Instances, PkgError> {
        let mut vfs = Vfs::with_root(backend).map_err(|e| PkgError::vfs("mount", "/", e))?;
        let root = vfs
            .open_root(MountId(0))
            .map_err(|e| PkgError::vfs("open", "/", e))?;
        Ok(Instances { vfs, root })
    }

    /// Records a new instance of `app` run by this process, in state `Starting`. The
    /// caller holds the platform's lock (the instance number is allocated here).
    pub fn register(
        &mut self,
        app: &AppDescriptor,
        started_ns: u64,
    ) -> Result<InstanceRecord, PkgError> {
        create_dir_all(&mut self.vfs, self.root, RUN_DIR)?;
        let counter = join(RUN_DIR, COUNTER);
        let instance = match kind(&mut self.vfs, self.root, &counter)? {
            None => 1,
            Some(_) => {
                let bytes = read_file(&mut self.vfs, self.root, &counter, 64)?;
                std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .ok_or_else(|| PkgError::Corrupt {
                        path: counter.clone(),
                        reason: "not a decimal instance number".into(),
                    })?
            }
        };
        let next = instance.checked_add(1).ok_or_else(|| PkgError::Corrupt {
            path: counter.clone(),
            reason: "the instance numbers are used up".into(),
        })?;
        self.replace(&counter, next.to_string().as_bytes())?;
        let record = InstanceRecord {
            instance,
            app: app.id,
            app_id: app.app_id.clone(),
            name: app.name.clone(),
            process: ProcessRef::current()?,
            started_ns,
            state: InstanceState::Starting,
        };
        self.write(&record)?;
        Ok(record)
    }

    /// Rewrites `record` (its owner, after changing its state).
    pub fn write(&mut self, record: &InstanceRecord) -> Result<(), PkgError> {
        let json = serde_json::to_vec_pretty(record).map_err(|e| PkgError::Io {
            path: record_path(record.instance),
            message: e.to_string(),
        })?;
        self.replace(&record_path(record.instance), &json)
    }

    /// Deletes the record of `instance` (nothing there is fine).
    pub fn remove(&mut self, instance: u64) -> Result<(), PkgError> {
        let path = record_path(instance);
        match self.vfs.unlink(self.root, &path) {
            Ok(()) | Err(VfsError::NotFound { .. }) => Ok(()),
            Err(e) => Err(PkgError::vfs("remove", &path, e)),
        }
    }

    /// The record of `instance` as stored, alive or not.
    pub fn get(&mut self, instance: u64) -> Result<Option<InstanceRecord>, PkgError> {
        let path = record_path(instance);
        if kind(&mut self.vfs, self.root, &path)? != Some(FileType::RegularFile) {
            return Ok(None);
        }
        let bytes = read_file(&mut self.vfs, self.root, &path, MAX_RECORD_BYTES)?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| PkgError::Corrupt {
                path,
                reason: e.to_string(),
            })
    }

    /// The instances whose process still runs, by number. Records of processes that are
    /// gone are deleted on the way (and unreadable records, which no `kpio` writes).
    pub fn list(&mut self) -> Result<Vec<InstanceRecord>, PkgError> {
        if kind(&mut self.vfs, self.root, RUN_DIR)? != Some(FileType::Directory) {
            return Ok(Vec::new());
        }
        let mut live = Vec::new();
        for (name, _) in list_dir(&mut self.vfs, self.root, RUN_DIR)? {
            let Some(n) = name
                .strip_suffix(".json")
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            match self.get(n) {
                Ok(Some(r)) if r.instance == n && r.process.is_alive() => live.push(r),
                Ok(None) => {}
                Ok(Some(_)) | Err(PkgError::Corrupt { .. }) => self.remove(n)?,
                Err(e) => return Err(e),
            }
        }
        live.sort_by_key(|r| r.instance);
        Ok(live)
    }

    /// Deletes leftovers of writes that were interrupted (`*.tmp` whose record's process
    /// is gone). Only while holding the platform's lock: a launcher writes its first
    /// record under it.
    pub fn prune_temporaries(&mut self) -> Result<(), PkgError> {
        if kind(&mut self.vfs, self.root, RUN_DIR)? != Some(FileType::Directory) {
            return Ok(());
        }
        let live: Vec<u64> = self.list()?.iter().map(|r| r.instance).collect();
        for (name, _) in list_dir(&mut self.vfs, self.root, RUN_DIR)? {
            let Some(stem) = name.strip_suffix(TMP_SUFFIX) else {
                continue;
            };
            let owner = stem
                .strip_suffix(".json")
                .and_then(|n| n.parse::<u64>().ok());
            if owner.is_none_or(|n| !live.contains(&n)) {
                let path = join(RUN_DIR, &name);
                match self.vfs.unlink(self.root, &path) {
                    Ok(()) | Err(VfsError::NotFound { .. }) => {}
                    Err(e) => return Err(PkgError::vfs("remove", &path, e)),
                }
            }
        }
        Ok(())
    }

    /// Replaces `path` whole: writes `{path}.tmp`, then renames it over `path`.
    fn replace(&mut self, path: &str, bytes: &[u8]) -> Result<(), PkgError> {
        let tmp = format!("{path}{TMP_SUFFIX}");
        match self.vfs.unlink(self.root, &tmp) {
            Ok(()) | Err(VfsError::NotFound { .. }) => {}
            Err(e) => return Err(PkgError::vfs("remove", &tmp, e)),
        }
        write_new_file(&mut self.vfs, self.root, &tmp, bytes)?;
        rename(&mut self.vfs, self.root, &tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_changed_start_is_not() {
        let me = ProcessRef::current().unwrap();
        assert!(me.is_alive());
        let reused = ProcessRef {
            start: me.start + 1,
            ..me
        };
        assert!(
            !reused.is_alive(),
            "a pid with another start time is another process"
        );
        let none = ProcessRef {
            pid: u32::MAX,
            start: 0,
        };
        assert!(!none.is_alive());
    }
}

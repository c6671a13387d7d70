//! Background sync (WICG Background Synchronization): the tags registrations asked to
//! sync, when each fires, and the retries.
//!
//! A task fires when the network is online: its registration's active worker gets a
//! `sync` event. When the event's promises reject (or it times out), the task waits and
//! fires again after the policy's delays (30 s, 60 s, 300 s by default); the last try is
//! the event's `lastChance`, after which the task is given up. Tasks are kept, by
//! registration scope and tag, in `sync_tasks.json` under the app's data directory
//! (`/apps/data/{id}/`), replaced by rename, so they survive a restart: a task that was
//! firing when the app stopped fires again.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long to wait before each retry; the number of retries is its length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPolicy {
    pub retry_delays: Vec<Duration>,
}

impl Default for SyncPolicy {
    fn default() -> SyncPolicy {
        SyncPolicy {
            retry_delays: vec![
                Duration::from_secs(30),
                Duration::from_secs(60),
                Duration::from_secs(300),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Waiting for the network, or for its retry time.
    Pending,
    /// Its event is out.
    Firing,
    /// Registered again while firing: fires again whatever the event's outcome.
    ReregisteredWhileFiring,
}

/// One sync task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncTask {
    pub scope: String,
    pub tag: String,
    pub state: TaskState,
    /// Events fired so far that failed.
    pub failures: u32,
    /// Not before this time (milliseconds since the Unix epoch), after a failure.
    pub retry_at_ms: Option<u64>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Why the task list could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SyncStoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a sync task list: {source}")]
    Corrupt {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// An app's sync tasks.
#[derive(Debug)]
pub struct SyncTasks {
    path: Option<PathBuf>,
    tasks: Vec<SyncTask>,
    pub(crate) policy: SyncPolicy,
    /// The last save's failure, if it failed.
    last_error: Option<String>,
}

/// What [`SyncTasks::due`] hands out: fire a `sync` event for `tag` at the registration
/// with `scope`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fire {
    pub scope: String,
    pub tag: String,
    pub last_chance: bool,
}

impl SyncTasks {
    /// Tasks kept in memory only.
    pub fn in_memory(policy: SyncPolicy) -> SyncTasks {
        SyncTasks {
            path: None,
            tasks: Vec::new(),
            policy,
            last_error: None,
        }
    }

    /// Tasks kept in `path` (a JSON file; created at the first change). A file that does
    /// not parse is an error naming it, never an empty list.
    pub fn open(path: &Path, policy: SyncPolicy) -> Result<SyncTasks, SyncStoreError> {
        let mut tasks: Vec<SyncTask> = match std::fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| SyncStoreError::Corrupt {
                    path: path.to_owned(),
                    source,
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(SyncStoreError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        // Events out when the app stopped never finished: they fire again.
        for t in &mut tasks {
            t.state = TaskState::Pending;
        }
        Ok(SyncTasks {
            path: Some(path.to_owned()),
            tasks,
            policy,
            last_error: None,
        })
    }

    pub fn tasks(&self) -> &[SyncTask] {
        &self.tasks
    }

    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// `sync.register(tag)`: a new task, or one registered again.
    pub fn register(&mut self, scope: &str, tag: &str) {
        match self
            .tasks
            .iter_mut()
            .find(|t| t.scope == scope && t.tag == tag)
        {
            Some(t) if t.state == TaskState::Firing => t.state = TaskState::ReregisteredWhileFiring,
            Some(_) => {}
            None => self.tasks.push(SyncTask {
                scope: scope.to_owned(),
                tag: tag.to_owned(),
                state: TaskState::Pending,
                failures: 0,
                retry_at_ms: None,
            }),
        }
        self.save();
    }

    /// `sync.getTags()`.
    pub fn tags(&self, scope: &str) -> Vec<String> {
        self.tasks
            .iter()
            .filter(|t| t.scope == scope)
            .map(|t| t.tag.clone())
            .collect()
    }

    /// The tasks to fire now (the network being online), marked firing.
    pub fn due(&mut self) -> Vec<Fire> {
        let now = now_ms();
        let retries = self.policy.retry_delays.len() as u32;
        let mut out = Vec::new();
        for t in &mut self.tasks {
            if t.state == TaskState::Pending && t.retry_at_ms.is_none_or(|at| at <= now) {
                t.state = TaskState::Firing;
                out.push(Fire {
                    scope: t.scope.clone(),
                    tag: t.tag.clone(),
                    last_chance: t.failures >= retries,
                });
            }
        }
        if !out.is_empty() {
            self.save();
        }
        out
    }

    /// When the next retry is due, if one waits.
    pub fn next_retry(&self) -> Option<Instant> {
        let now = now_ms();
        self.tasks
            .iter()
            .filter(|t| t.state == TaskState::Pending)
            .filter_map(|t| t.retry_at_ms)
            .min()
            .map(|at| Instant::now() + Duration::from_millis(at.saturating_sub(now)))
    }

    /// Whether a task waits for the network (it fires once online).
    pub fn waiting_for_network(&self) -> bool {
        self.tasks
            .iter()
            .any(|t| t.state == TaskState::Pending && t.retry_at_ms.is_none())
    }

    /// A fired task's event ended: `ok` when its promises fulfilled.
    pub fn finished(&mut self, scope: &str, tag: &str, ok: bool) {
        let retries = self.policy.retry_delays.len() as u32;
        let delays = self.policy.retry_delays.clone();
        let Some(i) = self
            .tasks
            .iter()
            .position(|t| t.scope == scope && t.tag == tag)
        else {
            return;
        };
        let t = &mut self.tasks[i];
        if t.state == TaskState::ReregisteredWhileFiring {
            t.state = TaskState::Pending;
            t.failures = 0;
            t.retry_at_ms = None;
        } else if ok || t.failures >= retries {
            // Done, or given up after its last chance.
            self.tasks.remove(i);
        } else {
            let delay = delays[t.failures as usize];
            t.failures += 1;
            t.state = TaskState::Pending;
            t.retry_at_ms = Some(now_ms() + delay.as_millis() as u64);
        }
        self.save();
    }

    /// A registration went away: its tasks too.
    pub fn forget(&mut self, scope: &str) {
        let before = self.tasks.len();
        self.tasks.retain(|t| t.scope != scope);
        if self.tasks.len() != before {
            self.save();
        }
    }

    fn save(&mut self) {
        let Some(path) = &self.path else {
            return;
        };
        let json = serde_json::to_vec_pretty(&self.tasks).expect("plain data serialises");
        let tmp = path.with_extension("tmp");
        let result = (|| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::File::create(&tmp)?;
            std::io::Write::write_all(&mut f, &json)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        self.last_error = result.err().map(|e| format!("{}: {e}", path.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> SyncPolicy {
        SyncPolicy {
            retry_delays: vec![Duration::ZERO, Duration::ZERO],
        }
    }

    #[test]
    fn a_failing_task_retries_then_has_its_last_chance_then_is_given_up() {
        let mut s = SyncTasks::in_memory(policy());
        s.register("https://a.test/", "send");
        let f = s.due();
        assert_eq!(f.len(), 1);
        assert!(!f[0].last_chance);
        assert!(s.due().is_empty(), "firing tasks are not due again");
        s.finished("https://a.test/", "send", false);
        assert!(!s.due()[0].last_chance);
        s.finished("https://a.test/", "send", false);
        assert!(s.due()[0].last_chance);
        s.finished("https://a.test/", "send", false);
        assert!(s.tasks().is_empty());
    }

    #[test]
    fn registering_while_firing_fires_again_and_success_removes() {
        let mut s = SyncTasks::in_memory(policy());
        s.register("s", "t");
        s.due();
        s.register("s", "t");
        s.finished("s", "t", true);
        assert_eq!(s.tags("s"), vec!["t".to_owned()]);
        assert_eq!(s.due().len(), 1);
        s.finished("s", "t", true);
        assert!(s.tags("s").is_empty());
    }

    #[test]
    fn tasks_survive_reopening_and_firing_ones_fire_again() {
        let path = std::env::temp_dir().join(format!("kpio-sync-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut s = SyncTasks::open(&path, policy()).unwrap();
        s.register("s", "a");
        s.register("s", "b");
        s.due();
        let mut again = SyncTasks::open(&path, policy()).unwrap();
        assert_eq!(again.tags("s"), vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(again.due().len(), 2);
        std::fs::write(&path, b"{").unwrap();
        let err = SyncTasks::open(&path, policy()).unwrap_err();
        assert!(err.to_string().contains("sync"), "{err}");
        std::fs::remove_file(&path).unwrap();
    }
}

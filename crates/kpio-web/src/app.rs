//! A running web app: its windows (page realms), its service workers' realms, and the
//! one event loop that runs them all on this thread, a task at a time each in turn.
//!
//! The app's realms share its network, Web Storage and service worker registry. The
//! registry ([`crate::service_worker::Registry`]) asks for worker realms to be started
//! and stopped; the app does that between tasks.

use crate::console::ConsoleSink;
use crate::host_message::{HostMessage, Inbox, Plain};
use crate::net::Signal;
use crate::notifications::{NotificationCenter, NotificationLink, Target, UserAction};
use crate::offline_fallback::OfflineFallback;
use crate::realm::{GlobalKind, LoopEnd, Realm, RealmOptions};
use crate::service_worker::ops::{Role, SwLink};
use crate::service_worker::registry::{ClientId, WorkerId};
use crate::service_worker::{Action, Registry, SwStore, SyncPolicy, SyncTasks};
use crate::{CacheStore, ConsoleLevel, IndexedDbStore, Limits, Network, WebError, WebStorage};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where an app's realms print: `(realm label, level, text)`; the label is the page's
/// or the worker's URL.
pub type AppConsole = Rc<dyn Fn(&str, ConsoleLevel, &str)>;

/// How to run an app.
pub struct WebAppOptions {
    /// The app's origin (`https://notes.example`); its windows and workers must be
    /// under it.
    pub origin: String,
    pub limits: Limits,
    pub network: Option<Arc<Network>>,
    pub storage: Option<Rc<WebStorage>>,
    /// The app's Cache Storage (`caches`), shared by its windows and workers.
    pub caches: Option<Rc<CacheStore>>,
    /// The app's IndexedDB (`indexedDB`), shared by its windows and workers.
    pub indexed_db: Option<Rc<IndexedDbStore>>,
    /// The bytes `localStorage` and IndexedDB may use together
    /// ([`DEFAULT_STORAGE_BUDGET`], the plan's 50 MB); each also has its own quota.
    pub storage_budget: u64,
    /// Where service worker registrations are kept (`/apps/cache/{id}/service_workers`);
    /// in memory when `None`.
    pub service_workers: Option<SwStore>,
    /// Where the realms print; standard error when `None`.
    pub console: Option<AppConsole>,
    /// The platform's notification centre; without one, notifications are denied.
    pub notifications: Option<Rc<dyn NotificationCenter>>,
    /// The offline fallback rules for pages no service worker answers for (see
    /// [`crate::offline_fallback`]); none when empty.
    pub offline_fallback: OfflineFallback,
    /// Background sync's tasks (`/apps/data/{id}/sync_tasks.json`, or in memory) and
    /// retry policy.
    pub sync: SyncTasks,
}

/// The per-app budget of `localStorage` and IndexedDB together: 50 MB.
pub const DEFAULT_STORAGE_BUDGET: u64 = 50_000_000;

/// A window's handle in its app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WindowId(pub u64);

struct Window {
    realm: Realm,
    client: ClientId,
}

/// A running web app.
pub struct WebApp {
    options: WebAppOptions,
    signal: Arc<Signal>,
    registry: Rc<RefCell<Registry>>,
    windows: BTreeMap<WindowId, Window>,
    workers: BTreeMap<WorkerId, Realm>,
    next_window: u64,
    /// Why worker realms stopped (a limit, an interrupt): the host may log them.
    worker_failures: Vec<String>,
    notifications: Option<NotificationLink>,
    /// Whether the network was online when last looked at.
    online: bool,
}

impl WebApp {
    pub fn new(mut options: WebAppOptions) -> WebApp {
        // localStorage and IndexedDB share the app's budget (the plan's 50 MB).
        if let (Some(idb), Some(storage)) = (&options.indexed_db, &options.storage) {
            let storage = storage.clone();
            idb.share_budget(
                options.storage_budget,
                Rc::new(move || crate::quota::StorageUsage::usage(&*storage)),
            );
        }
        let store = options.service_workers.take();
        let sync = core::mem::replace(
            &mut options.sync,
            SyncTasks::in_memory(SyncPolicy::default()),
        );
        let mut registry = Registry::new(&options.origin, store, sync);
        registry.fallback = core::mem::take(&mut options.offline_fallback);
        let online = options.network.as_ref().is_some_and(|n| !n.is_offline());
        let notifications = options
            .notifications
            .clone()
            .map(|c| NotificationLink::new(c, &options.origin));
        WebApp {
            online,
            notifications,
            options,
            signal: Arc::default(),
            registry: Rc::new(RefCell::new(registry)),
            windows: BTreeMap::new(),
            workers: BTreeMap::new(),
            next_window: 1,
            worker_failures: Vec::new(),
        }
    }

    fn console_for(&self, label: &str) -> Option<ConsoleSink> {
        let console = self.options.console.clone()?;
        let label = label.to_owned();
        Some(Box::new(move |level, text: &str| {
            console(&label, level, text)
        }))
    }

    /// Opens a window (a page realm) at `url`; a service worker whose scope covers it
    /// controls it from the start.
    pub fn open_window(&mut self, url: &str) -> Result<WindowId, WebError> {
        let inbox = Inbox::default();
        let client = self.registry.borrow_mut().add_client(url, inbox.clone());
        let realm = Realm::build(
            RealmOptions {
                kind: GlobalKind::Window,
                limits: self.options.limits,
                console: self.console_for(url),
                storage: self.options.storage.clone(),
                caches: self.options.caches.clone(),
                indexed_db: self.options.indexed_db.clone(),
                url: url.to_owned(),
                network: self.options.network.clone(),
                notifications: self.notifications.clone(),
            },
            self.signal.clone(),
            Some(SwLink {
                registry: self.registry.clone(),
                role: Role::Client(client),
            }),
            inbox,
        );
        let realm = match realm {
            Ok(r) => r,
            Err(e) => {
                self.registry.borrow_mut().remove_client(client);
                return Err(e);
            }
        };
        let id = WindowId(self.next_window);
        self.next_window += 1;
        self.windows.insert(id, Window { realm, client });
        Ok(id)
    }

    /// The window's realm (to run scripts in it).
    pub fn window(&mut self, id: WindowId) -> Option<&mut Realm> {
        self.windows.get_mut(&id).map(|w| &mut w.realm)
    }

    /// Closes a window: its realm goes, and a waiting service worker may activate.
    pub fn close_window(&mut self, id: WindowId) {
        if let Some(w) = self.windows.remove(&id) {
            self.registry.borrow_mut().remove_client(w.client);
        }
        self.pump();
    }

    /// Runs a classic script in a window, then does what it asked of the service
    /// worker registry.
    pub fn eval_script(&mut self, id: WindowId, source: &str, file: &str) -> Result<(), WebError> {
        let w = self.windows.get_mut(&id).ok_or_else(|| WebError::Engine {
            what: "running a script".into(),
            message: format!("no window {}", id.0),
        })?;
        let r = w.realm.eval_script(source, file);
        self.pump();
        r
    }

    /// Service worker realms running now.
    pub fn running_workers(&self) -> usize {
        self.workers.len()
    }

    /// The ids of the service worker realms running now.
    pub fn worker_ids(&self) -> Vec<WorkerId> {
        self.workers.keys().copied().collect()
    }

    /// A running service worker's realm.
    pub fn worker(&mut self, id: WorkerId) -> Option<&mut Realm> {
        self.workers.get_mut(&id)
    }

    /// Exceptions and rejections that went uncaught in the app's realms (windows open
    /// now, workers running now), as [`Realm::uncaught_errors`] counts them.
    pub fn uncaught_errors(&self) -> u64 {
        self.windows
            .values()
            .map(|w| w.realm.uncaught_errors())
            .chain(self.workers.values().map(Realm::uncaught_errors))
            .sum()
    }

    /// Why worker realms were stopped so far.
    pub fn worker_failures(&self) -> &[String] {
        &self.worker_failures
    }

    /// Runs every realm's tasks, one per realm in turn, until nothing is left to do,
    /// `done()` is true, or `timeout` passes. A window stopped by a limit ends the run
    /// with its error; a worker stopped so is dropped (and noted in
    /// [`WebApp::worker_failures`]).
    pub fn run(
        &mut self,
        timeout: Duration,
        done: &mut dyn FnMut(&mut WebApp) -> bool,
    ) -> Result<LoopEnd, WebError> {
        let end = Instant::now() + timeout;
        loop {
            self.pump();
            if done(self) {
                return Ok(LoopEnd::Done);
            }
            let mut ran = false;
            let ids: Vec<WindowId> = self.windows.keys().copied().collect();
            for id in ids {
                if let Some(w) = self.windows.get_mut(&id) {
                    ran |= w.realm.run_ready_task()?;
                }
                self.pump();
            }
            let workers: Vec<WorkerId> = self.workers.keys().copied().collect();
            for id in workers {
                let result = match self.workers.get_mut(&id) {
                    Some(realm) => realm.run_ready_task(),
                    None => continue,
                };
                match result {
                    Ok(r) => ran |= r,
                    Err(e) => self.worker_stopped(id, e),
                }
                self.pump();
            }
            if ran {
                continue;
            }
            // Nothing ready: wait for the earliest timer or deadline, or a report.
            let mut next: Option<Instant> = self.registry.borrow().next_deadline();
            let mut reports = false;
            let realms = self
                .windows
                .values()
                .map(|w| &w.realm)
                .chain(self.workers.values());
            for realm in realms {
                let p = realm.pending();
                reports |= p.reports;
                next = match (next, p.timer) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            if next.is_none() && !reports {
                return Ok(LoopEnd::Idle);
            }
            let now = Instant::now();
            if now >= end {
                return Ok(LoopEnd::TimedOut);
            }
            let until = next.map_or(end, |t| t.min(end));
            self.wait(until, reports);
        }
    }

    fn wait(&self, until: Instant, reports: bool) {
        let now = Instant::now();
        if until <= now {
            return;
        }
        let d = (until - now).min(Duration::from_millis(20));
        if reports {
            self.signal.wait(d);
        } else {
            std::thread::sleep(d);
        }
    }

    /// A worker's realm stopped (a limit, an interrupt): it is dropped; the registry
    /// hears of it as a failure to start when it was starting.
    fn worker_stopped(&mut self, id: WorkerId, e: WebError) {
        self.workers.remove(&id);
        self.worker_failures
            .push(format!("service worker {id}: {e}"));
        self.registry
            .borrow_mut()
            .worker_started(id, Err(e.to_string()));
    }

    /// Does what the registry asked (start or stop worker realms) and checks its
    /// deadlines.
    fn pump(&mut self) {
        self.deliver_notification_actions();
        self.watch_network();
        loop {
            self.registry.borrow_mut().tick(Instant::now());
            let actions = self.registry.borrow_mut().take_actions();
            if actions.is_empty() {
                return;
            }
            for action in actions {
                match action {
                    Action::StartWorker {
                        worker,
                        script_url,
                        script,
                    } => {
                        let result = self.start_worker(worker, &script_url, &script);
                        self.registry.borrow_mut().worker_started(worker, result);
                    }
                    Action::StopWorker { worker } => {
                        self.workers.remove(&worker);
                    }
                }
            }
        }
    }

    /// Tells the realms when the network goes offline or comes back (`online` and
    /// `offline` events), and fires the sync events that are due while online.
    fn watch_network(&mut self) {
        let online = self
            .options
            .network
            .as_ref()
            .is_some_and(|n| !n.is_offline());
        if online != self.online {
            self.online = online;
            let inboxes = self
                .windows
                .values()
                .map(|w| w.realm.inbox())
                .chain(self.workers.values().map(Realm::inbox));
            for inbox in inboxes {
                inbox
                    .borrow_mut()
                    .push_back(HostMessage::new("netStatus", vec![online.into()]));
            }
        }
        self.registry.borrow_mut().fire_syncs(online);
    }

    /// Hands what the user did with the app's notifications to their owners: the page
    /// that made one, or the registration's active worker.
    fn deliver_notification_actions(&mut self) {
        let Some(link) = &self.notifications else {
            return;
        };
        for (id, action) in link.center.take_user_actions() {
            let (kind, action) = match action {
                UserAction::Click { action } => ("click", action),
                UserAction::Close => ("close", String::new()),
            };
            let owner = {
                let mut owners = link.owners.borrow_mut();
                if kind == "close" {
                    owners.remove(&id)
                } else {
                    owners.get(&id).cloned()
                }
            };
            let Some(owner) = owner else {
                continue;
            };
            match owner.target {
                Target::Page(inbox) => inbox.borrow_mut().push_back(HostMessage::new(
                    "notifyAction",
                    vec![id.into(), kind.into(), action.into()],
                )),
                Target::Registration(reg) => self.registry.borrow_mut().notification_action(
                    reg,
                    vec![
                        id.into(),
                        kind.into(),
                        action.into(),
                        Plain::List(owner.info),
                    ],
                ),
            }
        }
    }

    /// "Run Service Worker": a realm for the worker, its script run once.
    fn start_worker(
        &mut self,
        worker: WorkerId,
        script_url: &str,
        script: &[u8],
    ) -> Result<Inbox, String> {
        let source = String::from_utf8_lossy(script).into_owned();
        let mut realm = Realm::build(
            RealmOptions {
                kind: GlobalKind::ServiceWorker,
                limits: self.options.limits,
                console: self.console_for(script_url),
                storage: None,
                caches: self.options.caches.clone(),
                indexed_db: self.options.indexed_db.clone(),
                url: script_url.to_owned(),
                network: self.options.network.clone(),
                notifications: self.notifications.clone(),
            },
            self.signal.clone(),
            Some(SwLink {
                registry: self.registry.clone(),
                role: Role::Worker(worker),
            }),
            Inbox::default(),
        )
        .map_err(|e| e.to_string())?;
        realm
            .eval_script(&source, script_url)
            .map_err(|e| e.to_string())?;
        let inbox = realm.inbox();
        self.workers.insert(worker, realm);
        Ok(inbox)
    }
}

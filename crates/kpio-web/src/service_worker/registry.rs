//! An app's service worker registrations and the Service Workers specification's
//! algorithms over them: the job queue (Register, Update, Unregister), Install, Activate,
//! Try Activate, clients and their controllers, `clients.claim()`, and fetch events
//! routed from a controlled page to its worker and back.
//!
//! The registry holds state only. Realms belong to the scheduler ([`crate::app::WebApp`]);
//! the registry reaches them through their inboxes ([`crate::host_message`]) and asks the
//! scheduler to start or stop worker realms through [`Action`]s. When a job's Update needs
//! the script, the registry asks the job's page to fetch it (`swFetchScript`): the fetch
//! and its checks happen in that page's realm (js/service_worker.js), which hands the
//! registry the bytes or the error.

use super::store::{SavedRegistration, SwStore};
use super::sync::SyncTasks;
use crate::host_message::{HostMessage, Inbox, Plain};
use crate::offline_fallback::OfflineFallback;
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

/// How long a fetch event may take to be dispatched and handled (respondWith() called,
/// or not) before the page's request goes to the network instead.
pub const FETCH_EVENT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the promise given to respondWith() may take before the page's request fails
/// with a network error (it does not go to the network then: the worker took it on, and
/// may have acted on it). Chromium's limit for an event, 5 minutes.
pub const FETCH_RESPONSE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long an install or activate event's `waitUntil` promises may take before the
/// event counts as failed (install) or done (activate).
pub const LIFECYCLE_EVENT_TIMEOUT: Duration = Duration::from_secs(300);

pub type ClientId = u64;
pub type WorkerId = u64;
pub type RegistrationId = u64;

/// A service worker's state (Service Workers, section 3.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerState {
    Parsed,
    Installing,
    Installed,
    Activating,
    Activated,
    Redundant,
}

impl WorkerState {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerState::Parsed => "parsed",
            WorkerState::Installing => "installing",
            WorkerState::Installed => "installed",
            WorkerState::Activating => "activating",
            WorkerState::Activated => "activated",
            WorkerState::Redundant => "redundant",
        }
    }
}

#[derive(Debug)]
pub(crate) struct Worker {
    pub(crate) id: WorkerId,
    pub(crate) registration: RegistrationId,
    pub(crate) script_url: String,
    pub(crate) script: Vec<u8>,
    pub(crate) state: WorkerState,
    pub(crate) skip_waiting: bool,
    /// The worker's realm's inbox, once the scheduler has started it.
    pub(crate) inbox: Option<Inbox>,
    /// Whether the scheduler was asked to start its realm.
    pub(crate) starting: bool,
    /// Messages waiting for the realm to start.
    pub(crate) pending: Vec<HostMessage>,
}

#[derive(Debug)]
pub(crate) struct Registration {
    pub(crate) id: RegistrationId,
    pub(crate) scope: String,
    pub(crate) update_via_cache: String,
    pub(crate) installing: Option<WorkerId>,
    pub(crate) waiting: Option<WorkerId>,
    pub(crate) active: Option<WorkerId>,
    pub(crate) uninstalling: bool,
}

impl Registration {
    fn newest(&self) -> Option<WorkerId> {
        self.installing.or(self.waiting).or(self.active)
    }
}

pub(crate) struct Client {
    pub(crate) url: String,
    pub(crate) inbox: Inbox,
    /// The active worker that controls the client.
    pub(crate) controller: Option<WorkerId>,
}

/// What the scheduler must do for the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start a realm for the worker, running its script; report with
    /// [`Registry::worker_started`].
    StartWorker {
        worker: WorkerId,
        script_url: String,
        script: Vec<u8>,
    },
    /// The worker is redundant: drop its realm.
    StopWorker { worker: WorkerId },
}

/// One job of the job queue.
#[derive(Debug)]
enum Job {
    /// Register, or update() of a registration (`update_of`).
    Register {
        client: ClientId,
        promise: u64,
        scope: String,
        script_url: String,
        update_via_cache: String,
        /// An update() of an existing registration (rejects if it is gone).
        update_of: Option<RegistrationId>,
    },
    Unregister {
        client: ClientId,
        promise: u64,
        registration: RegistrationId,
    },
}

/// Where a job stands while it waits on a page or a worker.
#[derive(Debug)]
enum Running {
    /// The job's page is fetching the script (Update's fetch); `fetch` names the request.
    Fetching {
        job: Job,
        fetch: u64,
        registration: RegistrationId,
        new_registration: bool,
    },
    /// The worker's realm is starting; then Install.
    Starting {
        job: Job,
        worker: WorkerId,
        new_registration: bool,
    },
    /// The install event is out.
    Installing {
        worker: WorkerId,
        event: u64,
        deadline: Instant,
    },
}

struct PendingFetch {
    client: ClientId,
    worker: WorkerId,
    deadline: Instant,
    /// respondWith() was called: past the deadline, a network error.
    responding: bool,
    /// The event, held back while the worker is activating (Handle Fetch waits for it
    /// to be activated).
    held: Option<HostMessage>,
}

struct PendingActivate {
    worker: WorkerId,
    deadline: Instant,
}

/// An app's service worker registrations (one origin's).
pub struct Registry {
    origin: String,
    store: Option<SwStore>,
    registrations: BTreeMap<RegistrationId, Registration>,
    workers: BTreeMap<WorkerId, Worker>,
    clients: BTreeMap<ClientId, Client>,
    jobs: VecDeque<Job>,
    running: Option<Running>,
    activates: BTreeMap<u64, PendingActivate>,
    fetches: BTreeMap<u64, PendingFetch>,
    actions: Vec<Action>,
    next_id: u64,
    sync: SyncTasks,
    /// The app's offline fallback rules, for pages no worker answers for.
    pub(crate) fallback: OfflineFallback,
    /// Sync events out: event id → (worker, scope, tag, deadline).
    syncs: BTreeMap<u64, (WorkerId, String, String, Instant)>,
}

/// A worker as the JavaScript side sees it: `[id, scriptURL, state, registrationId]`.
fn worker_plain(w: &Worker) -> Plain {
    Plain::List(vec![
        w.id.into(),
        w.script_url.clone().into(),
        w.state.as_str().into(),
        w.registration.into(),
    ])
}

impl Registry {
    /// The registry of the app whose origin is `origin`, with registrations kept in
    /// `store` (none when `None`: they last as long as the registry).
    pub fn new(origin: &str, store: Option<SwStore>, sync: SyncTasks) -> Registry {
        let mut r = Registry {
            sync,
            fallback: OfflineFallback::default(),
            syncs: BTreeMap::new(),
            origin: origin.to_owned(),
            store: None,
            registrations: BTreeMap::new(),
            workers: BTreeMap::new(),
            clients: BTreeMap::new(),
            jobs: VecDeque::new(),
            running: None,
            activates: BTreeMap::new(),
            fetches: BTreeMap::new(),
            actions: Vec::new(),
            next_id: 1,
        };
        if let Some(store) = &store {
            for saved in store.registrations() {
                let reg = r.id();
                let worker = r.id();
                r.workers.insert(
                    worker,
                    Worker {
                        id: worker,
                        registration: reg,
                        script_url: saved.script_url.clone(),
                        script: saved.script.clone(),
                        state: WorkerState::Activated,
                        skip_waiting: false,
                        inbox: None,
                        starting: false,
                        pending: Vec::new(),
                    },
                );
                r.registrations.insert(
                    reg,
                    Registration {
                        id: reg,
                        scope: saved.scope.clone(),
                        update_via_cache: saved.update_via_cache.clone(),
                        installing: None,
                        waiting: None,
                        active: Some(worker),
                        uninstalling: false,
                    },
                );
            }
        }
        r.store = store;
        r
    }

    fn id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// What the scheduler must do now.
    pub fn take_actions(&mut self) -> Vec<Action> {
        core::mem::take(&mut self.actions)
    }

    // -------------------------------------------------------------------------------
    // Clients.
    // -------------------------------------------------------------------------------

    /// A new page (window realm) at `url`: the registration whose scope matches it
    /// controls it if it has an active worker ("Match Service Worker Registration").
    pub(crate) fn add_client(&mut self, url: &str, inbox: Inbox) -> ClientId {
        let id = self.id();
        let controller = self
            .matching_registration(url)
            .and_then(|r| self.registrations[&r].active);
        self.clients.insert(
            id,
            Client {
                url: url.to_owned(),
                inbox,
                controller,
            },
        );
        id
    }

    /// The page closed ("Handle Service Worker Client Unload"): the registration it used
    /// may now be cleared (if unregistered) or have its waiting worker activate. A job
    /// waiting on the page's fetch of a script fails.
    pub(crate) fn remove_client(&mut self, client: ClientId) {
        let Some(c) = self.clients.remove(&client) else {
            return;
        };
        if let Some(Running::Fetching { job, fetch, .. }) = &self.running
            && matches!(job, Job::Register { client: c, .. } if *c == client)
        {
            let fetch = *fetch;
            self.script_fetched(
                client,
                fetch,
                Err(("TypeError".into(), "the page closed".into())),
            );
        }
        if let Some(w) = c.controller {
            self.client_unloaded(w);
        }
    }

    /// A client stopped using the registration of `worker` (it closed, or another
    /// worker claimed it): when no other client uses it, an unregistered registration is
    /// cleared, and a waiting worker may activate.
    fn client_unloaded(&mut self, worker: WorkerId) {
        let Some(reg) = self.workers.get(&worker).map(|w| w.registration) else {
            return;
        };
        if self.in_use(reg) {
            return;
        }
        if self.registrations.get(&reg).is_some_and(|r| r.uninstalling) {
            self.clear_registration(reg);
            return;
        }
        self.try_activate(reg);
    }

    /// Whether a client uses the registration (one of its workers controls a client).
    fn in_use(&self, reg: RegistrationId) -> bool {
        self.clients.values().any(|c| {
            c.controller
                .is_some_and(|w| self.workers.get(&w).is_some_and(|w| w.registration == reg))
        })
    }

    /// The client's controller, if a worker controls it.
    pub(crate) fn controller(&self, client: ClientId) -> Option<Plain> {
        let w = self.clients.get(&client)?.controller?;
        self.workers.get(&w).map(worker_plain)
    }

    /// The clients `clients.matchAll()` and `clients.get()` see, in creation order:
    /// `[id, url, controlled by the worker]` each. With `include_uncontrolled`, every
    /// client of the origin, in the worker's scope or not ("Match All" filters by
    /// storage key only); otherwise the clients the worker controls.
    pub(crate) fn clients_of(&self, worker: WorkerId, include_uncontrolled: bool) -> Vec<Plain> {
        if !self.workers.contains_key(&worker) {
            return Vec::new();
        }
        self.clients
            .iter()
            .filter(|(_, c)| include_uncontrolled || c.controller == Some(worker))
            .map(|(id, c)| {
                Plain::List(vec![
                    format!("client-{id}").into(),
                    c.url.clone().into(),
                    (c.controller == Some(worker)).into(),
                ])
            })
            .collect()
    }

    /// The registration whose scope is the longest prefix of `url`.
    fn matching_registration(&self, url: &str) -> Option<RegistrationId> {
        self.registrations
            .values()
            .filter(|r| !r.uninstalling && url.starts_with(&r.scope))
            .max_by_key(|r| r.scope.len())
            .map(|r| r.id)
    }

    // -------------------------------------------------------------------------------
    // What pages see.
    // -------------------------------------------------------------------------------

    /// `[id, scope, updateViaCache, installing, waiting, active]`.
    pub(crate) fn registration_plain(&self, reg: RegistrationId) -> Plain {
        let Some(r) = self.registrations.get(&reg) else {
            return Plain::Null;
        };
        let w = |id: Option<WorkerId>| {
            id.and_then(|id| self.workers.get(&id))
                .map_or(Plain::Null, worker_plain)
        };
        Plain::List(vec![
            r.id.into(),
            r.scope.clone().into(),
            r.update_via_cache.clone().into(),
            w(r.installing),
            w(r.waiting),
            w(r.active),
        ])
    }

    /// getRegistration(url): the registration matching `url`.
    pub(crate) fn registration_for(&self, url: &str) -> Plain {
        self.matching_registration(url)
            .map_or(Plain::Null, |r| self.registration_plain(r))
    }

    /// getRegistrations(): every one not being uninstalled.
    pub(crate) fn all_registrations(&self) -> Vec<Plain> {
        self.registrations
            .values()
            .filter(|r| !r.uninstalling)
            .map(|r| self.registration_plain(r.id))
            .collect()
    }

    /// Tells every realm that may hold objects for `reg` its new slots, then the state
    /// change of `changed` ("Update Registration State", "Update Worker State").
    fn broadcast(&self, reg: RegistrationId, changed: Option<WorkerId>) {
        let slots = self.registration_plain(reg);
        let state = changed.and_then(|w| self.workers.get(&w));
        let mut inboxes: Vec<&Inbox> = self.clients.values().map(|c| &c.inbox).collect();
        inboxes.extend(self.workers.values().filter_map(|w| w.inbox.as_ref()));
        for inbox in inboxes {
            let mut q = inbox.borrow_mut();
            q.push_back(HostMessage::new("swRegistration", vec![slots.clone()]));
            if let Some(w) = state {
                q.push_back(HostMessage::new(
                    "swState",
                    vec![w.id.into(), w.state.as_str().into()],
                ));
            }
        }
    }

    fn send_to_client(&self, client: ClientId, message: HostMessage) {
        if let Some(c) = self.clients.get(&client) {
            c.inbox.borrow_mut().push_back(message);
        }
    }

    fn settle(&self, client: ClientId, promise: u64, ok: bool, value: Plain) {
        self.send_to_client(
            client,
            HostMessage::new("swSettle", vec![promise.into(), ok.into(), value]),
        );
    }

    fn reject(&self, client: ClientId, promise: u64, name: &str, message: &str) {
        self.settle(
            client,
            promise,
            false,
            Plain::List(vec![name.into(), message.into()]),
        );
    }

    // -------------------------------------------------------------------------------
    // The job queue.
    // -------------------------------------------------------------------------------

    /// register() or update(): the page checked the URLs (Start Register); the job asks
    /// it for the script when its Update needs it.
    pub(crate) fn schedule_register(
        &mut self,
        client: ClientId,
        promise: u64,
        scope: String,
        script_url: String,
        update_via_cache: String,
        update_of: Option<RegistrationId>,
    ) {
        self.jobs.push_back(Job::Register {
            client,
            promise,
            scope,
            script_url,
            update_via_cache,
            update_of,
        });
        self.run_jobs();
    }

    pub(crate) fn schedule_unregister(
        &mut self,
        client: ClientId,
        promise: u64,
        registration: RegistrationId,
    ) {
        self.jobs.push_back(Job::Unregister {
            client,
            promise,
            registration,
        });
        self.run_jobs();
    }

    /// Runs jobs until one has to wait for a worker.
    fn run_jobs(&mut self) {
        while self.running.is_none() {
            let Some(job) = self.jobs.pop_front() else {
                return;
            };
            match job {
                Job::Unregister {
                    client,
                    promise,
                    registration,
                } => self.unregister(client, promise, registration),
                job @ Job::Register { .. } => self.register(job),
            }
        }
    }

    fn unregister(&mut self, client: ClientId, promise: u64, reg: RegistrationId) {
        let Some(r) = self.registrations.get_mut(&reg) else {
            self.settle(client, promise, true, false.into());
            return;
        };
        if r.uninstalling {
            self.settle(client, promise, true, false.into());
            return;
        }
        r.uninstalling = true;
        self.save();
        self.settle(client, promise, true, true.into());
        // Cleared now unless a client still uses it; then when the last one goes
        // (`client_unloaded`).
        if !self.in_use(reg) {
            self.clear_registration(reg);
        }
    }

    /// "Clear Registration": every worker becomes redundant, the registration goes.
    fn clear_registration(&mut self, reg: RegistrationId) {
        let Some(r) = self.registrations.get(&reg) else {
            return;
        };
        let workers: Vec<WorkerId> = [r.installing, r.waiting, r.active]
            .into_iter()
            .flatten()
            .collect();
        for w in workers {
            self.make_redundant(w);
        }
        if let Some(r) = self.registrations.get_mut(&reg) {
            r.installing = None;
            r.waiting = None;
            r.active = None;
        }
        self.broadcast(reg, None);
        if let Some(r) = self.registrations.remove(&reg) {
            self.sync.forget(&r.scope);
        }
        self.save();
    }

    fn make_redundant(&mut self, w: WorkerId) {
        let Some(worker) = self.workers.get_mut(&w) else {
            return;
        };
        worker.state = WorkerState::Redundant;
        let reg = worker.registration;
        self.broadcast(reg, Some(w));
        self.actions.push(Action::StopWorker { worker: w });
        // Its realm goes: the fetch events it was given go to the network.
        let orphaned: Vec<u64> = self
            .fetches
            .iter()
            .filter(|(_, f)| f.worker == w)
            .map(|(id, _)| *id)
            .collect();
        for id in orphaned {
            self.fetch_done(
                id,
                vec!["fallback".into(), "the worker became redundant".into()],
            );
        }
        // The realm is gone once the scheduler acts: later messages to it are dropped.
        if let Some(worker) = self.workers.get_mut(&w) {
            worker.inbox = None;
        }
    }

    /// Register, then Update (Service Workers, "Register" and "Update"), up to the
    /// script's fetch, which the job's page makes.
    fn register(&mut self, job: Job) {
        let Job::Register {
            client,
            promise,
            ref scope,
            ref script_url,
            ref update_via_cache,
            update_of,
        } = job
        else {
            unreachable!("register jobs only");
        };
        // Get Registration: the registration of the scope, unless unregistered.
        let existing = self
            .registrations
            .values()
            .find(|r| r.scope == *scope && !r.uninstalling)
            .map(|r| r.id);
        let (reg, new_registration) = match (update_of, existing) {
            // Update: the registration is gone (unregistered) or is another one now.
            (Some(of), found) if found != Some(of) => {
                self.reject(
                    client,
                    promise,
                    "TypeError",
                    "the registration was unregistered",
                );
                return;
            }
            (Some(of), _) => {
                let newest = self.registrations[&of].newest();
                if newest.is_some_and(|w| self.workers[&w].script_url != *script_url) {
                    self.reject(
                        client,
                        promise,
                        "TypeError",
                        "the registration's newest worker has another script URL",
                    );
                    return;
                }
                (of, false)
            }
            (None, Some(reg)) => {
                // Register: the same script, type and updateViaCache as the newest
                // worker's means nothing to do (update() is what checks for changes).
                let r = &self.registrations[&reg];
                if let Some(newest) = r.newest()
                    && self.workers[&newest].script_url == *script_url
                    && r.update_via_cache == *update_via_cache
                {
                    let value = self.registration_plain(reg);
                    self.settle(client, promise, true, value);
                    return;
                }
                (reg, false)
            }
            (None, None) => {
                // Set Registration. (An unregistered registration of the same scope
                // that a page still uses stays, apart, until that page goes.)
                let reg = self.id();
                self.registrations.insert(
                    reg,
                    Registration {
                        id: reg,
                        scope: scope.clone(),
                        update_via_cache: update_via_cache.clone(),
                        installing: None,
                        waiting: None,
                        active: None,
                        uninstalling: false,
                    },
                );
                (reg, true)
            }
        };
        // Update's fetch of the script, in the job's page.
        let fetch = self.id();
        self.send_to_client(
            client,
            HostMessage::new(
                "swFetchScript",
                vec![
                    fetch.into(),
                    script_url.clone().into(),
                    scope.clone().into(),
                    update_via_cache.clone().into(),
                ],
            ),
        );
        self.running = Some(Running::Fetching {
            job,
            fetch,
            registration: reg,
            new_registration,
        });
    }

    /// The job's page fetched the script (`Ok`, its bytes) or failed to (`Err`, the
    /// exception's name and message): Update goes on, or rejects and finishes.
    pub(crate) fn script_fetched(
        &mut self,
        client: ClientId,
        fetch: u64,
        result: Result<Vec<u8>, (String, String)>,
    ) {
        if !matches!(self.running, Some(Running::Fetching { fetch: f, .. }) if f == fetch) {
            // No job is waiting for this fetch (any more).
            return;
        }
        let Some(Running::Fetching {
            job,
            fetch: f,
            registration: reg,
            new_registration,
        }) = self.running.take()
        else {
            return;
        };
        let Job::Register {
            client: job_client,
            promise,
            ref script_url,
            ref update_via_cache,
            ..
        } = job
        else {
            unreachable!("only register jobs fetch scripts");
        };
        if f != fetch || job_client != client {
            // Not this job's answer.
            self.running = Some(Running::Fetching {
                job,
                fetch: f,
                registration: reg,
                new_registration,
            });
            return;
        }
        let script = match result {
            Ok(script) => script,
            Err((name, message)) => {
                self.reject(job_client, promise, &name, &message);
                self.forget_if_empty(reg, new_registration);
                self.run_jobs();
                return;
            }
        };
        // Update: a newest worker with the same URL and the same bytes means nothing
        // changed ("byte-for-byte" check); the registration takes the job's
        // updateViaCache.
        if let Some(newest) = self.registrations.get(&reg).and_then(Registration::newest) {
            let w = &self.workers[&newest];
            if w.script_url == *script_url && w.script == script {
                if let Some(r) = self.registrations.get_mut(&reg) {
                    r.update_via_cache = update_via_cache.clone();
                }
                let value = self.registration_plain(reg);
                self.settle(job_client, promise, true, value);
                self.save();
                self.run_jobs();
                return;
            }
        }
        let worker = self.id();
        self.workers.insert(
            worker,
            Worker {
                id: worker,
                registration: reg,
                script_url: script_url.clone(),
                script: script.clone(),
                state: WorkerState::Parsed,
                skip_waiting: false,
                inbox: None,
                starting: true,
                pending: Vec::new(),
            },
        );
        self.actions.push(Action::StartWorker {
            worker,
            script_url: script_url.clone(),
            script,
        });
        self.running = Some(Running::Starting {
            job,
            worker,
            new_registration,
        });
    }

    /// A registration the failed job made, and which has no worker, goes.
    fn forget_if_empty(&mut self, reg: RegistrationId, new_registration: bool) {
        if new_registration
            && self
                .registrations
                .get(&reg)
                .is_some_and(|r| r.newest().is_none())
        {
            self.registrations.remove(&reg);
        }
    }

    /// The scheduler started (`Ok`, with the realm's inbox) or failed to start (`Err`,
    /// the script threw or a limit stopped it) a worker's realm.
    pub(crate) fn worker_started(&mut self, worker: WorkerId, result: Result<Inbox, String>) {
        match self.running.take() {
            Some(Running::Starting {
                job,
                worker: w,
                new_registration,
            }) if w == worker => {
                let Job::Register {
                    client,
                    promise,
                    update_via_cache,
                    ..
                } = job
                else {
                    unreachable!("only register jobs start workers");
                };
                match result {
                    Ok(inbox) => {
                        if let Some(wk) = self.workers.get_mut(&worker) {
                            wk.inbox = Some(inbox);
                        }
                        self.install(client, promise, worker, update_via_cache);
                    }
                    Err(message) => {
                        let reg = self.workers[&worker].registration;
                        self.workers.remove(&worker);
                        self.reject(
                            client,
                            promise,
                            "TypeError",
                            &format!("the service worker script failed to run: {message}"),
                        );
                        self.forget_if_empty(reg, new_registration);
                        self.run_jobs();
                    }
                }
            }
            other => {
                self.running = other;
                // A worker restored from the store, started for an event.
                let Some(w) = self.workers.get_mut(&worker) else {
                    return;
                };
                w.starting = false;
                match result {
                    Ok(inbox) => {
                        let reg = w.registration;
                        let pending = core::mem::take(&mut w.pending);
                        w.inbox = Some(inbox.clone());
                        // Its realm learns its registration's slots first.
                        let slots = self.registration_plain(reg);
                        let mut q = inbox.borrow_mut();
                        q.push_back(HostMessage::new("swRegistration", vec![slots]));
                        q.extend(pending);
                    }
                    Err(_) => {
                        // Its realm is gone (its script failed, or a limit stopped it):
                        // its fetch events go to the network, and the next event starts
                        // it again.
                        w.inbox = None;
                        w.pending.clear();
                        let failed: Vec<u64> = self
                            .fetches
                            .iter()
                            .filter(|(_, f)| f.worker == worker)
                            .map(|(id, _)| *id)
                            .collect();
                        for id in failed {
                            self.fetch_done(
                                id,
                                vec!["fallback".into(), "the worker failed to start".into()],
                            );
                        }
                    }
                }
            }
        }
    }

    /// Install (section 3.2.7), up to the install event.
    fn install(
        &mut self,
        client: ClientId,
        promise: u64,
        worker: WorkerId,
        update_via_cache: String,
    ) {
        let reg = self.workers[&worker].registration;
        let r = self
            .registrations
            .get_mut(&reg)
            .expect("a worker's registration");
        r.update_via_cache = update_via_cache;
        // A worker still installing from an earlier job is superseded.
        if let Some(old) = r.installing.replace(worker) {
            self.make_redundant(old);
        }
        self.workers.get_mut(&worker).expect("just made").state = WorkerState::Installing;
        self.broadcast(reg, Some(worker));
        // The register() promise resolves now, before the install event.
        let value = self.registration_plain(reg);
        self.settle(client, promise, true, value);
        // Every realm's object for the registration fires updatefound (realms without
        // one ignore it).
        let inboxes = self
            .clients
            .values()
            .map(|c| &c.inbox)
            .chain(self.workers.values().filter_map(|w| w.inbox.as_ref()));
        for inbox in inboxes {
            inbox
                .borrow_mut()
                .push_back(HostMessage::new("swUpdateFound", vec![reg.into()]));
        }
        let event = self.id();
        self.send_to_worker(worker, HostMessage::new("swInstall", vec![event.into()]));
        self.running = Some(Running::Installing {
            worker,
            event,
            deadline: Instant::now() + LIFECYCLE_EVENT_TIMEOUT,
        });
    }

    /// Sends a message to a worker's realm, asking the scheduler to start it first if
    /// it is not running (a worker restored from the store).
    fn send_to_worker(&mut self, worker: WorkerId, message: HostMessage) {
        let Some(w) = self.workers.get_mut(&worker) else {
            return;
        };
        if w.state == WorkerState::Redundant {
            return;
        }
        if let Some(inbox) = &w.inbox {
            inbox.borrow_mut().push_back(message);
            return;
        }
        w.pending.push(message);
        if !w.starting {
            w.starting = true;
            self.actions.push(Action::StartWorker {
                worker,
                script_url: w.script_url.clone(),
                script: w.script.clone(),
            });
        }
    }

    /// A lifecycle event's `waitUntil` promises settled (`ok`: all fulfilled).
    pub(crate) fn event_done(&mut self, event: u64, ok: bool) {
        match &self.running {
            Some(Running::Installing {
                worker, event: e, ..
            }) if *e == event => {
                let worker = *worker;
                self.running = None;
                self.installed(worker, ok);
                self.run_jobs();
                return;
            }
            _ => {}
        }
        if let Some(a) = self.activates.remove(&event) {
            self.activated(a.worker);
        }
    }

    fn installed(&mut self, worker: WorkerId, ok: bool) {
        let Some(reg) = self.workers.get(&worker).map(|w| w.registration) else {
            return;
        };
        let Some(r) = self.registrations.get_mut(&reg) else {
            return;
        };
        if r.installing != Some(worker) {
            return;
        }
        r.installing = None;
        if !ok {
            self.make_redundant(worker);
            let r = &self.registrations[&reg];
            if r.newest().is_none() {
                self.registrations.remove(&reg);
            }
            return;
        }
        if let Some(old) = self
            .registrations
            .get_mut(&reg)
            .and_then(|r| r.waiting.replace(worker))
        {
            self.make_redundant(old);
        }
        self.workers
            .get_mut(&worker)
            .expect("installed worker")
            .state = WorkerState::Installed;
        self.broadcast(reg, Some(worker));
        self.try_activate(reg);
    }

    /// Try Activate: the waiting worker activates when there is no active one, or when
    /// the active one has no pending events and either no client uses the registration
    /// or the waiting one called skipWaiting(); never while the active one is still
    /// activating (it is tried again once that one is activated). The active worker's
    /// pending events are taken as its fetch events still unanswered.
    fn try_activate(&mut self, reg: RegistrationId) {
        let Some(r) = self.registrations.get(&reg) else {
            return;
        };
        let Some(waiting) = r.waiting else {
            return;
        };
        let Some(active) = r.active else {
            self.activate(reg);
            return;
        };
        if self.workers[&active].state == WorkerState::Activating {
            return;
        }
        let pending_events = self.fetches.values().any(|f| f.worker == active);
        let skip = self.workers[&waiting].skip_waiting;
        if !pending_events && (!self.in_use(reg) || skip) {
            self.activate(reg);
        }
    }

    /// Activate (section 3.2.12), up to the activate event.
    fn activate(&mut self, reg: RegistrationId) {
        let r = self.registrations.get_mut(&reg).expect("a registration");
        let Some(worker) = r.waiting.take() else {
            return;
        };
        let old = r.active.replace(worker);
        if let Some(old) = old {
            self.make_redundant(old);
        }
        self.workers.get_mut(&worker).expect("waiting worker").state = WorkerState::Activating;
        self.broadcast(reg, Some(worker));
        // Clients the old worker controlled are now controlled by the new one.
        if let Some(old) = old {
            let moved: Vec<ClientId> = self
                .clients
                .iter()
                .filter(|(_, c)| c.controller == Some(old))
                .map(|(id, _)| *id)
                .collect();
            for c in moved {
                self.set_controller(c, worker);
            }
        }
        self.save();
        let event = self.id();
        self.activates.insert(
            event,
            PendingActivate {
                worker,
                deadline: Instant::now() + LIFECYCLE_EVENT_TIMEOUT,
            },
        );
        self.send_to_worker(worker, HostMessage::new("swActivate", vec![event.into()]));
    }

    fn activated(&mut self, worker: WorkerId) {
        let Some(w) = self.workers.get_mut(&worker) else {
            return;
        };
        if w.state != WorkerState::Activating {
            return;
        }
        w.state = WorkerState::Activated;
        let reg = w.registration;
        self.broadcast(reg, Some(worker));
        // Fetch events held while it was activating go out now.
        let held: Vec<HostMessage> = self
            .fetches
            .values_mut()
            .filter(|f| f.worker == worker)
            .filter_map(|f| f.held.take())
            .collect();
        for message in held {
            self.send_to_worker(worker, message);
        }
        // A worker that waited for this one to finish activating may go now.
        self.try_activate(reg);
    }

    fn set_controller(&mut self, client: ClientId, worker: WorkerId) {
        let plain = self.workers.get(&worker).map(worker_plain);
        if let (Some(c), Some(plain)) = (self.clients.get_mut(&client), plain) {
            c.controller = Some(worker);
            c.inbox
                .borrow_mut()
                .push_back(HostMessage::new("swController", vec![plain]));
        }
    }

    /// skipWaiting() from the worker's realm.
    pub(crate) fn skip_waiting(&mut self, worker: WorkerId) {
        let Some(w) = self.workers.get_mut(&worker) else {
            return;
        };
        w.skip_waiting = true;
        let reg = w.registration;
        self.try_activate(reg);
    }

    /// clients.claim() (section 4.3.4): every client in scope not controlled by the
    /// worker becomes so. Err when the worker is not the active one.
    pub(crate) fn claim(&mut self, worker: WorkerId) -> Result<(), &'static str> {
        let Some(reg) = self.workers.get(&worker).map(|w| w.registration) else {
            return Err("the worker is gone");
        };
        let Some(r) = self.registrations.get(&reg) else {
            return Err("the registration is gone");
        };
        if r.active != Some(worker) {
            return Err("only the active worker can claim clients");
        }
        let scope = r.scope.clone();
        let claim: Vec<ClientId> = self
            .clients
            .iter()
            .filter(|(_, c)| c.url.starts_with(&scope) && c.controller != Some(worker))
            .filter(|(_, c)| self.matching_registration(&c.url) == Some(reg))
            .map(|(id, _)| *id)
            .collect();
        for c in claim {
            let previous = self.clients.get(&c).and_then(|c| c.controller);
            self.set_controller(c, worker);
            // The page no longer uses its previous controller's registration (Handle
            // Service Worker Client Unload, run once the page has moved: a waiting worker
            // there may activate, an unregistered registration may be cleared).
            if let Some(previous) = previous {
                self.client_unloaded(previous);
            }
        }
        Ok(())
    }

    // -------------------------------------------------------------------------------
    // Fetch events.
    // -------------------------------------------------------------------------------

    /// A controlled page's fetch: hands the worker a fetch event (`request` is what
    /// js/service_worker_global.js makes a Request of). `None` when the client has no
    /// controller (the page goes to the network).
    pub(crate) fn dispatch_fetch(&mut self, client: ClientId, request: Vec<Plain>) -> Option<u64> {
        let worker = self.clients.get(&client)?.controller?;
        let state = self.workers.get(&worker)?.state;
        if state == WorkerState::Redundant {
            return None;
        }
        let id = self.id();
        let mut args = vec![id.into(), format!("client-{client}").into()];
        args.extend(request);
        let message = HostMessage::new("swFetch", args);
        // Handle Fetch waits for an activating worker to be activated.
        let activating = state == WorkerState::Activating;
        self.fetches.insert(
            id,
            PendingFetch {
                client,
                worker,
                deadline: Instant::now() + FETCH_EVENT_TIMEOUT,
                responding: false,
                held: activating.then(|| message.clone()),
            },
        );
        if !activating {
            self.send_to_worker(worker, message);
        }
        Some(id)
    }

    /// The worker answered a fetch event: `answer` is `["response", status, statusText,
    /// headers, bytes, type, urlList]`, `["fallback"]` (not handled) or `["error",
    /// message]`.
    pub(crate) fn fetch_done(&mut self, fetch: u64, answer: Vec<Plain>) {
        let Some(f) = self.fetches.remove(&fetch) else {
            // Answered after the timeout: the page went to the network already.
            return;
        };
        let mut args = vec![fetch.into()];
        args.extend(answer);
        self.send_to_client(f.client, HostMessage::new("swFetchResult", args));
        // The worker may have no pending event left: a waiting worker may activate.
        if let Some(reg) = self.workers.get(&f.worker).map(|w| w.registration) {
            self.try_activate(reg);
        }
    }

    /// A notification the registration showed was clicked or closed: its active worker
    /// gets a `notificationclick` or `notificationclose` event (started if needed).
    pub(crate) fn notification_action(&mut self, reg: RegistrationId, args: Vec<Plain>) {
        let Some(active) = self.registrations.get(&reg).and_then(|r| r.active) else {
            return;
        };
        self.send_to_worker(active, HostMessage::new("swNotification", args));
    }

    // -------------------------------------------------------------------------------
    // Background sync.
    // -------------------------------------------------------------------------------

    /// `registration.sync.register(tag)`; Err names the DOMException.
    pub(crate) fn sync_register(
        &mut self,
        reg: RegistrationId,
        tag: &str,
    ) -> Result<(), &'static str> {
        let r = self.registrations.get(&reg).ok_or("InvalidStateError")?;
        if r.active.is_none() || r.uninstalling {
            return Err("InvalidStateError");
        }
        let scope = r.scope.clone();
        self.sync.register(&scope, tag);
        Ok(())
    }

    /// `registration.sync.getTags()`.
    pub(crate) fn sync_tags(&self, reg: RegistrationId) -> Vec<Plain> {
        self.registrations.get(&reg).map_or(Vec::new(), |r| {
            self.sync
                .tags(&r.scope)
                .into_iter()
                .map(Plain::from)
                .collect()
        })
    }

    /// Fires the sync events that are due (only when the network is online).
    pub(crate) fn fire_syncs(&mut self, online: bool) {
        if !online {
            return;
        }
        for fire in self.sync.due() {
            let active = self
                .registrations
                .values()
                .find(|r| r.scope == fire.scope && !r.uninstalling)
                .and_then(|r| r.active);
            let Some(worker) = active else {
                self.sync.forget(&fire.scope);
                continue;
            };
            let event = self.id();
            self.syncs.insert(
                event,
                (
                    worker,
                    fire.scope.clone(),
                    fire.tag.clone(),
                    Instant::now() + LIFECYCLE_EVENT_TIMEOUT,
                ),
            );
            self.send_to_worker(
                worker,
                HostMessage::new(
                    "swSync",
                    vec![event.into(), fire.tag.into(), fire.last_chance.into()],
                ),
            );
        }
    }

    /// A sync event's promises settled.
    pub(crate) fn sync_done(&mut self, event: u64, ok: bool) {
        if let Some((_, scope, tag, _)) = self.syncs.remove(&event) {
            self.sync.finished(&scope, &tag, ok);
        }
    }

    /// The worker called respondWith() for a fetch event: the page waits for its
    /// answer, up to [`FETCH_RESPONSE_TIMEOUT`].
    pub(crate) fn fetch_responding(&mut self, fetch: u64) {
        if let Some(f) = self.fetches.get_mut(&fetch) {
            f.responding = true;
            f.deadline = Instant::now() + FETCH_RESPONSE_TIMEOUT;
        }
    }

    /// Deadlines: fetch events not handled after [`FETCH_EVENT_TIMEOUT`] go to the
    /// network, respondWith() promises not settled after [`FETCH_RESPONSE_TIMEOUT`]
    /// are network errors; lifecycle events past theirs end.
    pub(crate) fn tick(&mut self, now: Instant) {
        let late: Vec<(u64, bool)> = self
            .fetches
            .iter()
            .filter(|(_, f)| f.deadline <= now)
            .map(|(id, f)| (*id, f.responding))
            .collect();
        for (id, responding) in late {
            let answer = if responding {
                vec![
                    "error".into(),
                    "the service worker's respondWith() promise did not settle in time".into(),
                ]
            } else {
                vec!["fallback".into(), "timeout".into()]
            };
            self.fetch_done(id, answer);
        }
        if let Some(Running::Installing {
            event, deadline, ..
        }) = &self.running
            && *deadline <= now
        {
            let event = *event;
            self.event_done(event, false);
        }
        let late: Vec<u64> = self
            .activates
            .iter()
            .filter(|(_, a)| a.deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in late {
            self.event_done(id, true);
        }
        let late: Vec<u64> = self
            .syncs
            .iter()
            .filter(|(_, s)| s.3 <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in late {
            self.sync_done(id, false);
        }
    }

    /// The earliest deadline the registry waits for.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let fetch = self.fetches.values().map(|f| f.deadline).min();
        let install = match &self.running {
            Some(Running::Installing { deadline, .. }) => Some(*deadline),
            _ => None,
        };
        let activate = self.activates.values().map(|a| a.deadline).min();
        let sync = self.syncs.values().map(|s| s.3).min();
        let retry = self.sync.next_retry();
        [fetch, install, activate, sync, retry]
            .into_iter()
            .flatten()
            .min()
    }

    /// Saves the registrations with an active worker (installing and waiting workers are
    /// not kept: after a restart, their pages register again and they install again).
    fn save(&mut self) {
        let Some(store) = &mut self.store else {
            return;
        };
        let saved: Vec<SavedRegistration> = self
            .registrations
            .values()
            .filter(|r| !r.uninstalling)
            .filter_map(|r| {
                let w = self.workers.get(&r.active?)?;
                Some(SavedRegistration {
                    scope: r.scope.clone(),
                    update_via_cache: r.update_via_cache.clone(),
                    script_url: w.script_url.clone(),
                    script: w.script.clone(),
                })
            })
            .collect();
        store.save(saved);
    }

    /// The worker's id in its registration's realm... (for the SW realm's own objects).
    pub(crate) fn worker_plain(&self, worker: WorkerId) -> Plain {
        self.workers.get(&worker).map_or(Plain::Null, worker_plain)
    }

    pub(crate) fn registration_of(&self, worker: WorkerId) -> Option<RegistrationId> {
        self.workers.get(&worker).map(|w| w.registration)
    }
}

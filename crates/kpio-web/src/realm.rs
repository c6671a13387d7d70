//! A realm: one QuickJS runtime and context with the web's globals, its limits, and its
//! event loop (tasks, then the microtasks they queued).

use crate::cache_storage::CacheStore;
use crate::cache_storage::js::CacheLink;
use crate::console::{ConsoleSink, stderr_sink};
use crate::error::{ScriptError, WebError};
use crate::host_message::Inbox;
use crate::indexed_db::IndexedDbStore;
use crate::limits::{InterruptHandle, Limits};
use crate::net::{NetEvent, NetLink, Signal, scope::Network};
use crate::notifications::NotificationLink;
use crate::ops::{self, Host};
use crate::prelude;
use crate::service_worker::ops::SwLink;
use crate::web_storage::{AreaKind, StorageChange, WebStorage};
use rquickjs::context::EvalOptions;
use rquickjs::{Context, Ctx, Function, Object, Persistent, Runtime, Value, qjs};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Which global scope a realm has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalKind {
    /// A window's (`Window`, `self`, `window`), without a document yet.
    Window,
    /// A dedicated worker's (`DedicatedWorkerGlobalScope`).
    DedicatedWorker,
    /// A service worker's (`ServiceWorkerGlobalScope`).
    ServiceWorker,
}

impl GlobalKind {
    /// The name the prelude knows the scope by (`internals.kind`).
    pub fn name(self) -> &'static str {
        match self {
            GlobalKind::Window => "window",
            GlobalKind::DedicatedWorker => "worker",
            GlobalKind::ServiceWorker => "serviceworker",
        }
    }
}

/// How to make a realm.
pub struct RealmOptions {
    pub kind: GlobalKind,
    pub limits: Limits,
    /// Where `console` prints; standard error when `None`.
    pub console: Option<ConsoleSink>,
    /// The app's Web Storage (`localStorage`, `sessionStorage`), shared with its other
    /// windows; window realms only (workers have no Web Storage).
    pub storage: Option<Rc<WebStorage>>,
    /// The page's URL: its `location`, its origin, the base of relative URLs, and the
    /// `url` of the `storage` events it causes.
    pub url: String,
    /// The app's network (its permission scope and the offline switch); `None` means no
    /// network at all.
    pub network: Option<Arc<Network>>,
    /// The platform's notification centre as the app sees it; without one,
    /// `Notification.permission` is "denied".
    pub notifications: Option<NotificationLink>,
    /// The app's Cache API store (`caches`), shared with its other windows and workers;
    /// realms without one have no `caches`.
    pub caches: Option<Rc<CacheStore>>,
    /// The app's IndexedDB data (`indexedDB`), shared with its other realms; no
    /// `indexedDB` when `None`.
    pub indexed_db: Option<Rc<IndexedDbStore>>,
}

impl Default for RealmOptions {
    fn default() -> Self {
        RealmOptions {
            kind: GlobalKind::Window,
            limits: Limits::default(),
            console: None,
            storage: None,
            url: String::from("about:blank"),
            network: None,
            notifications: None,
            caches: None,
            indexed_db: None,
        }
    }
}

/// Why the interrupt handler stopped a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fired {
    TimeLimit,
    Interrupt,
}

impl Fired {
    /// The realm's error for a task (`what`) the interrupt handler stopped.
    fn error(self, what: &str, limits: Limits) -> WebError {
        match self {
            Fired::TimeLimit => WebError::TimeLimit {
                what: what.into(),
                limit: limits.task_time,
            },
            Fired::Interrupt => WebError::Interrupted { what: what.into() },
        }
    }
}

/// What the interrupt handler reads: the running task's deadline.
#[derive(Default)]
struct Watch {
    deadline: Cell<Option<Instant>>,
    fired: Cell<Option<Fired>>,
}

/// How an event loop run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopEnd {
    /// No timer is left: nothing more will happen without the host.
    Idle,
    /// The caller's condition became true.
    Done,
    /// The time the caller gave passed first.
    TimedOut,
}

/// One isolated JavaScript realm (an app's page, or a worker): its own heap, limits and
/// event loop. Not `Send`: it lives on the thread that made it; [`Realm::interrupt_handle`]
/// stops it from others.
pub struct Realm {
    // Field order is drop order: the context before its runtime.
    context: Context,
    runtime: Runtime,
    host: Rc<RefCell<Host>>,
    watch: Rc<Watch>,
    interrupt: InterruptHandle,
    limits: Limits,
    stopped: Option<String>,
    /// Raised when a report for this realm arrives from another thread.
    signal: Arc<Signal>,
}

/// What a realm waits for when it has no task ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pending {
    /// Its next timer.
    pub(crate) timer: Option<Instant>,
    /// Whether it waits for a report from another thread (the network).
    pub(crate) reports: bool,
}

impl Pending {
    pub(crate) fn is_idle(&self) -> bool {
        self.timer.is_none() && !self.reports
    }
}

impl Realm {
    /// Makes a realm and runs the prelude that defines its globals.
    pub fn new(options: RealmOptions) -> Result<Realm, WebError> {
        Realm::with_signal(options, Arc::default())
    }

    /// A realm whose reports raise `signal`, shared with the other realms one scheduler
    /// runs.
    pub(crate) fn with_signal(
        options: RealmOptions,
        signal: Arc<Signal>,
    ) -> Result<Realm, WebError> {
        Realm::build(options, signal, None, Inbox::default())
    }

    /// A realm of a [`crate::app::WebApp`]: sharing its signal, linked to its service
    /// worker registry.
    pub(crate) fn build(
        options: RealmOptions,
        signal: Arc<Signal>,
        service_worker: Option<SwLink>,
        inbox: Inbox,
    ) -> Result<Realm, WebError> {
        let engine = |e: rquickjs::Error| WebError::Engine {
            what: "making a realm".into(),
            message: e.to_string(),
        };
        let runtime = Runtime::new().map_err(engine)?;
        runtime.set_memory_limit(options.limits.memory);
        runtime.set_max_stack_size(options.limits.stack);
        let watch = Rc::new(Watch::default());
        let interrupt = InterruptHandle::default();
        {
            let watch = watch.clone();
            let flag = interrupt.0.clone();
            runtime.set_interrupt_handler(Some(Box::new(move || {
                if flag.load(Ordering::Relaxed) {
                    watch.fired.set(Some(Fired::Interrupt));
                    return true;
                }
                match watch.deadline.get() {
                    Some(d) if Instant::now() >= d => {
                        watch.fired.set(Some(Fired::TimeLimit));
                        true
                    }
                    _ => false,
                }
            })));
        }
        let context = Context::full(&runtime).map_err(engine)?;
        let host = Rc::new(RefCell::new(Host::new(
            options.console.unwrap_or_else(stderr_sink),
        )));
        host.borrow_mut().indexed_db = options.indexed_db.clone();
        {
            // QuickJS reports each rejection without a handler, and each handler added to
            // a rejected promise later; they wait for the end of the microtask checkpoint.
            let host = host.clone();
            runtime.set_host_promise_rejection_tracker(Some(Box::new(
                move |ctx, promise, reason, handled| {
                    let entry = (
                        Persistent::save(&ctx, promise),
                        Persistent::save(&ctx, reason),
                        handled,
                    );
                    host.borrow_mut().rejections.push(entry);
                },
            )));
        }
        // The page's URL, which must parse: it is the base of every relative URL.
        let url = match url::Url::parse(&options.url) {
            Ok(u) => u.to_string(),
            Err(e) => {
                return Err(WebError::Engine {
                    what: "making a realm".into(),
                    message: format!("the page URL {:?} is not a URL: {e}", options.url),
                });
            }
        };
        host.borrow_mut().service_worker = service_worker;
        host.borrow_mut().notifications = options.notifications;
        {
            let mut budget = crate::quota::StorageBudget::new();
            if let Some(storage) = &options.storage {
                budget = budget.with(storage.clone());
            }
            if let Some(idb) = &options.indexed_db {
                budget = budget.with(idb.clone());
            }
            if let Some(caches) = &options.caches {
                budget = budget.with(caches.clone());
            }
            host.borrow_mut().budget = budget;
        }
        host.borrow_mut().inbox = inbox;
        if let Some(network) = options.network {
            host.borrow_mut().net = Some(NetLink::new(network, signal.clone()));
        }
        if let Some(store) = options.caches {
            host.borrow_mut().caches = Some(CacheLink::new(store));
        }
        if let (Some(storage), GlobalKind::Window) = (options.storage, options.kind) {
            let (window, changes) = storage.subscribe();
            host.borrow_mut().storage = Some(ops::StorageLink {
                storage,
                window,
                changes,
                url: url.clone(),
            });
        }
        let mut realm = Realm {
            context,
            runtime,
            host,
            watch,
            interrupt,
            limits: options.limits,
            stopped: None,
            signal,
        };
        realm.run_prelude(options.kind, url)?;
        Ok(realm)
    }

    fn run_prelude(&mut self, kind: GlobalKind, url: String) -> Result<(), WebError> {
        let host = self.host.clone();
        self.task("the realm's prelude", move |ctx| {
            let ops = ops::install(ctx, &host)?;
            let internals = Object::new(ctx.clone())?;
            internals.set("url", url)?;
            internals.set("kind", kind.name())?;
            for (file, source) in prelude::FILES {
                let f: Function = ctx.eval_with_options(*source, eval_options(file, true))?;
                f.call::<_, ()>((ops.clone(), internals.clone()))?;
            }
            Ok(())
        })
        .map_err(|e| match e {
            WebError::Script(s) => WebError::Engine {
                what: "the realm's prelude".into(),
                message: s.to_string(),
            },
            other => other,
        })
    }

    /// A handle that stops this realm from any thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.interrupt.clone()
    }

    /// How many exceptions were reported as uncaught and how many promise rejections
    /// stayed unhandled since the realm was made, leaving out those a listener cancelled
    /// (`preventDefault()` on the `error` or `unhandledrejection` event).
    pub fn uncaught_errors(&self) -> u64 {
        self.host.borrow().uncaught
    }

    /// Bytes the realm's heap holds now.
    pub fn memory_used(&self) -> usize {
        let usage = self.runtime.memory_usage();
        usage.malloc_size.max(0) as usize
    }

    /// Runs a classic script (as a `<script>` element does) as one task, then its
    /// microtasks. An uncaught exception is reported to the realm (its `error` event and
    /// console) and returned; the realm goes on.
    pub fn eval_script(&mut self, source: &str, file: &str) -> Result<(), WebError> {
        let source = source.to_owned();
        let file = file.to_owned();
        let what = format!("script {file}");
        self.task(&what, move |ctx| {
            ctx.eval_with_options::<(), _>(source, eval_options(&file, false))
        })
    }

    /// Runs tasks (queued tasks first, then version changes other realms asked of its
    /// IndexedDB connections, then storage events, then due timers), each
    /// followed by its microtasks, until none is left, `done()` is true (checked after
    /// every task), or `timeout` passes.
    pub fn run_event_loop(
        &mut self,
        timeout: Duration,
        done: &mut dyn FnMut() -> bool,
    ) -> Result<LoopEnd, WebError> {
        let end = Instant::now() + timeout;
        loop {
            self.check_running("running the event loop")?;
            if done() {
                return Ok(LoopEnd::Done);
            }
            if self.run_ready_task()? {
                continue;
            }
            let pending = self.pending();
            if pending.is_idle() {
                return Ok(LoopEnd::Idle);
            }
            let now = Instant::now();
            if now >= end {
                return Ok(LoopEnd::TimedOut);
            }
            let until = pending.timer.map_or(end, |t| t.min(end));
            self.wait(until, pending.reports)?;
        }
    }

    /// Runs one task that is ready now: a queued task, then a storage event, then a
    /// network report, then a due timer. Whether there was one.
    pub(crate) fn run_ready_task(&mut self) -> Result<bool, WebError> {
        self.check_running("running a task")?;
        if self.run_queued_task()?
            || self.deliver_host_message()?
            || self.fire_idb_notice()?
            || self.fire_storage_events()?
            || self.fire_net_event()?
        {
            return Ok(true);
        }
        let due = self
            .host
            .borrow()
            .timers
            .next_due()
            .is_some_and(|t| t <= Instant::now());
        if due {
            self.run_due_timer()?;
        }
        Ok(due)
    }

    /// What the realm waits for, when [`Realm::run_ready_task`] found nothing to run.
    pub(crate) fn pending(&self) -> Pending {
        let host = self.host.borrow();
        Pending {
            timer: host.timers.next_due(),
            reports: host.net.as_ref().is_some_and(|n| n.awaiting()),
        }
    }

    /// One of the prelude's entry points, if the prelude has set it.
    fn hook(
        &self,
        pick: impl FnOnce(&ops::Hooks) -> Option<Persistent<Function<'static>>>,
    ) -> Option<Persistent<Function<'static>>> {
        self.host.borrow().hooks.as_ref().and_then(pick)
    }

    /// The realm's queue of host messages, for senders to push into.
    pub(crate) fn inbox(&self) -> Inbox {
        self.host.borrow().inbox.clone()
    }

    /// Hands the oldest host message to the prelude's hook, as a task; whether there
    /// was one. Without a hook (a realm whose prelude takes none) it is dropped.
    fn deliver_host_message(&mut self) -> Result<bool, WebError> {
        let message = self.host.borrow().inbox.borrow_mut().pop_front();
        let Some(message) = message else {
            return Ok(false);
        };
        let hook = self.hook(|h| h.host_message.clone());
        if let Some(hook) = hook {
            let what = format!("a host message ({})", message.kind);
            self.task(&what, move |ctx| {
                let f = hook.restore(ctx)?;
                let args = message.into_args(ctx)?;
                f.call::<_, ()>((rquickjs::function::Rest(args),))
            })?;
        }
        Ok(true)
    }

    fn run_due_timer(&mut self) -> Result<(), WebError> {
        let due = self.host.borrow_mut().timers.pop_due(Instant::now());
        let Some(id) = due else {
            return Ok(());
        };
        let hook = self.hook(|h| Some(h.run_timer.clone()));
        if let Some(run_timer) = hook {
            self.task("a timer callback", move |ctx| {
                let f = run_timer.restore(ctx)?;
                f.call::<_, ()>((id,))
            })?;
        }
        Ok(())
    }

    /// Delivers one report of a network exchange, as a task; whether there was one.
    fn fire_net_event(&mut self) -> Result<bool, WebError> {
        let event = match self.host.borrow_mut().net.as_mut() {
            Some(net) => net.next(),
            None => return Ok(false),
        };
        let Some(event) = event else {
            return Ok(false);
        };
        let hook = self.hook(|h| h.net_event.clone());
        let Some(hook) = hook else {
            return Ok(true);
        };
        self.task("a network report", move |ctx| {
            let f = hook.restore(ctx)?;
            match event {
                NetEvent::Head(id, head) => {
                    let headers = rquickjs::Array::new(ctx.clone())?;
                    for (i, (n, v)) in head.headers.into_iter().enumerate() {
                        headers.set(i, vec![n, v])?;
                    }
                    f.call::<_, ()>((id, "head", head.status, head.status_text, headers))
                }
                NetEvent::Chunk(id, bytes) => {
                    let bytes = rquickjs::TypedArray::<u8>::new(ctx.clone(), bytes)?;
                    f.call::<_, ()>((id, "chunk", bytes))
                }
                NetEvent::End(id) => f.call::<_, ()>((id, "end")),
                NetEvent::Failed(id, e) => f.call::<_, ()>((id, "error", e.describe())),
            }
        })?;
        Ok(true)
    }

    /// Runs the oldest task the prelude queued; whether there was one.
    fn run_queued_task(&mut self) -> Result<bool, WebError> {
        let task = self.host.borrow_mut().tasks.pop_front();
        let Some(task) = task else {
            return Ok(false);
        };
        self.task("a queued task", move |ctx| {
            task.restore(ctx)?.call::<_, ()>(())
        })?;
        Ok(true)
    }

    /// Fires one IndexedDB `versionchange` another realm sharing the store asked for, as
    /// a task; whether there was one.
    fn fire_idb_notice(&mut self) -> Result<bool, WebError> {
        let notice = {
            let host = self.host.borrow();
            let Some(store) = &host.indexed_db else {
                return Ok(false);
            };
            store.connections().take(host.idb_owner)
        };
        let Some(n) = notice else {
            return Ok(false);
        };
        let hook = self.hook(|h| h.idb_notice.clone());
        if let Some(fire) = hook {
            self.task("an IndexedDB versionchange event", move |ctx| {
                fire.restore(ctx)?
                    .call::<_, ()>((n.conn as f64, n.old, n.new))
            })?;
        }
        Ok(true)
    }

    /// Fires one `storage` event another window's change queued, as a task; whether
    /// there was one.
    fn fire_storage_events(&mut self) -> Result<bool, WebError> {
        let change = {
            let host = self.host.borrow();
            let Some(link) = &host.storage else {
                return Ok(false);
            };
            link.changes.borrow_mut().pop_front()
        };
        let Some(change) = change else {
            return Ok(false);
        };
        let hook = self.hook(|h| h.fire_storage.clone());
        if let Some(fire) = hook {
            let StorageChange {
                area,
                key,
                old_value,
                new_value,
                url,
            } = change;
            let area = match area {
                AreaKind::Local => "local",
                AreaKind::Session => "session",
            };
            self.task("a storage event", move |ctx| {
                let f = fire.restore(ctx)?;
                f.call::<_, ()>((area, key, old_value, new_value, url))
            })?;
        }
        Ok(true)
    }

    /// Waits until `until`, or less when the realm is interrupted or (when `reports`) a
    /// report from another thread arrives.
    fn wait(&self, until: Instant, reports: bool) -> Result<(), WebError> {
        loop {
            if self.interrupt.is_interrupted() {
                return Err(WebError::Interrupted {
                    what: "waiting for the next task".into(),
                });
            }
            let now = Instant::now();
            if now >= until {
                return Ok(());
            }
            // Short slices, so an interrupt from another thread is seen quickly.
            let slice = (until - now).min(Duration::from_millis(20));
            if reports {
                if self.signal.wait(slice) {
                    return Ok(());
                }
            } else {
                std::thread::sleep(slice);
            }
        }
    }

    fn check_running(&self, what: &str) -> Result<(), WebError> {
        if let Some(reason) = &self.stopped {
            return Err(WebError::Stopped {
                reason: reason.clone(),
            });
        }
        if self.interrupt.is_interrupted() {
            return Err(WebError::Interrupted { what: what.into() });
        }
        Ok(())
    }

    /// Runs `body` as one task with the realm's time limit, then the microtask
    /// checkpoint. Errors are classified: a limit or an interrupt stops the realm; an
    /// uncaught exception is reported and returned.
    pub(crate) fn task<F>(&mut self, what: &str, body: F) -> Result<(), WebError>
    where
        F: for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<()>,
    {
        self.check_running(what)?;
        self.watch.fired.set(None);
        self.watch
            .deadline
            .set(Some(Instant::now() + self.limits.task_time));
        let host = self.host.clone();
        let watch = self.watch.clone();
        let limits = self.limits;
        let outcome = self.context.with(|ctx| {
            let mut first = body(&ctx)
                .err()
                .map(|e| failure(&ctx, &host, &watch, limits, what, e));
            // The microtask checkpoint, even after an uncaught exception, as HTML's
            // "clean up after running script" does.
            if first.as_ref().is_none_or(|f| !f.stops_realm()) {
                loop {
                    match run_one_job(&ctx) {
                        Ok(true) => continue,
                        Ok(false) => match notify_rejections(&ctx, &host) {
                            // Listeners of the events may have queued more microtasks.
                            Ok(true) => continue,
                            Ok(false) => {
                                if let Err(e) = cleanup_transactions(&ctx, &host) {
                                    first.get_or_insert(failure(
                                        &ctx, &host, &watch, limits, what, e,
                                    ));
                                }
                                break;
                            }
                            Err(e) => {
                                first.get_or_insert(failure(&ctx, &host, &watch, limits, what, e));
                                break;
                            }
                        },
                        Err(e) => {
                            let f = failure(&ctx, &host, &watch, limits, what, e);
                            let stop = f.stops_realm();
                            if first.is_none() || stop {
                                first = Some(f);
                            }
                            if stop {
                                break;
                            }
                        }
                    }
                }
            }
            first
        });
        self.watch.deadline.set(None);
        match outcome {
            None => Ok(()),
            Some(e) => {
                if e.stops_realm() {
                    self.stopped = Some(e.to_string());
                }
                Err(e)
            }
        }
    }
}

impl Drop for Realm {
    fn drop(&mut self) {
        // The hooks hold JavaScript functions: release them while the runtime lives.
        let mut host = self.host.borrow_mut();
        host.hooks = None;
        host.rejections.clear();
        host.tasks.clear();
        if let Some(link) = host.storage.take() {
            link.storage.unsubscribe(link.window);
        }
        if let Some(net) = host.net.as_mut() {
            net.close();
        }
        if let Some(mut link) = host.caches.take() {
            link.release_all();
        }
        // Its unfinished IndexedDB transactions end uncommitted, freeing the store's
        // writer for the app's other realms.
        if let Some(store) = host.indexed_db.take() {
            store.release(host.idb_owner);
        }
    }
}

fn eval_options(file: &str, strict: bool) -> EvalOptions {
    let mut o = EvalOptions::default();
    o.global = true;
    o.strict = strict;
    o.filename = Some(file.to_owned());
    o
}

/// Runs one pending job (a promise reaction, a queued microtask). `Err` carries what it
/// threw: only what promises cannot catch (an interrupt, running out of memory) escapes
/// a job.
fn run_one_job(ctx: &Ctx<'_>) -> rquickjs::Result<bool> {
    let mut job_ctx = core::ptr::null_mut();
    // SAFETY: `ctx` is locked by `Context::with` for this call, and a realm's runtime has
    // this one context, so a failing job leaves its exception on `ctx` (taken by
    // `failure` through `Ctx::catch`).
    let r = unsafe {
        qjs::JS_ExecutePendingJob(qjs::JS_GetRuntime(ctx.as_raw().as_ptr()), &mut job_ctx)
    };
    match r {
        0 => Ok(false),
        r if r > 0 => Ok(true),
        _ => Err(rquickjs::Error::Exception),
    }
}

/// HTML's "notify about rejected promises", at the end of a microtask checkpoint: hands
/// the rejections QuickJS tracked since the last one to the prelude (js/rejections.js),
/// which fires `unhandledrejection` and `rejectionhandled`. Whether there were any.
fn notify_rejections(ctx: &Ctx<'_>, host: &Rc<RefCell<Host>>) -> rquickjs::Result<bool> {
    let (tracked, hook) = {
        let mut h = host.borrow_mut();
        let tracked = core::mem::take(&mut h.rejections);
        let hook = h.hooks.as_ref().and_then(|k| k.notify_rejections.clone());
        (tracked, hook)
    };
    if tracked.is_empty() {
        return Ok(false);
    }
    let Some(hook) = hook else {
        return Ok(false);
    };
    let list = rquickjs::Array::new(ctx.clone())?;
    for (i, (promise, reason, handled)) in tracked.into_iter().enumerate() {
        let entry = rquickjs::Array::new(ctx.clone())?;
        entry.set(0, promise.restore(ctx)?)?;
        entry.set(1, reason.restore(ctx)?)?;
        entry.set(2, handled)?;
        list.set(i, entry)?;
    }
    hook.restore(ctx)?.call::<_, ()>((list,))?;
    Ok(true)
}

/// The end of a microtask checkpoint: IndexedDB's "cleanup Indexed Database
/// transactions" (transactions active since this task began become inactive, and may
/// commit).
fn cleanup_transactions(ctx: &Ctx<'_>, host: &Rc<RefCell<Host>>) -> rquickjs::Result<()> {
    let hook = host.borrow().hooks.as_ref().and_then(|h| h.cleanup.clone());
    match hook {
        Some(hook) => hook.restore(ctx)?.call::<_, ()>(()),
        None => Ok(()),
    }
}

/// Turns an error out of QuickJS into the realm's error, reporting uncaught exceptions.
fn failure(
    ctx: &Ctx<'_>,
    host: &Rc<RefCell<Host>>,
    watch: &Watch,
    limits: Limits,
    what: &str,
    e: rquickjs::Error,
) -> WebError {
    let thrown = match e {
        rquickjs::Error::Exception => ctx.catch(),
        rquickjs::Error::Allocation => {
            return WebError::OutOfMemory {
                what: what.into(),
                limit: limits.memory,
            };
        }
        other => {
            return WebError::Engine {
                what: what.into(),
                message: other.to_string(),
            };
        }
    };
    if let Some(fired) = watch.fired.take() {
        return fired.error(what, limits);
    }
    let error = script_error(&thrown);
    if error.name == "InternalError" && error.message == "out of memory" {
        return WebError::OutOfMemory {
            what: what.into(),
            limit: limits.memory,
        };
    }
    // Report it as HTML does (the global's `error` event, then the console), unless the
    // realm's prelude is not there yet.
    let report = host.borrow().hooks.as_ref().map(|h| h.report.clone());
    if let Some(report) = report
        && let Ok(f) = report.restore(ctx)
        && f.call::<_, ()>((thrown,)).is_err()
    {
        let _ = ctx.catch();
        if let Some(fired) = watch.fired.take() {
            return fired.error(&format!("{what} (reporting its exception)"), limits);
        }
    }
    WebError::Script(error)
}

/// What a thrown value says about itself: name, message, stack and the innermost place.
fn script_error(thrown: &Value<'_>) -> ScriptError {
    let text = |v: rquickjs::Result<Value<'_>>| -> Option<String> {
        let v = v.ok()?;
        if v.is_undefined() {
            return None;
        }
        v.get::<rquickjs::convert::Coerced<String>>()
            .ok()
            .map(|s| s.0)
    };
    let (name, message, stack) = match thrown.as_object() {
        Some(o) if thrown.is_error() || o.contains_key("message").unwrap_or(false) => (
            text(o.get("name")).unwrap_or_else(|| "Error".into()),
            text(o.get("message")).unwrap_or_default(),
            text(o.get("stack")).unwrap_or_default(),
        ),
        _ => (
            "uncaught".into(),
            text(Ok(thrown.clone())).unwrap_or_else(|| "a value that is not a string".into()),
            String::new(),
        ),
    };
    let (file, line, column) = place(&stack);
    ScriptError {
        name,
        message,
        file,
        line,
        column,
        stack,
    }
}

/// The first `file:line:column` of a QuickJS stack (`    at f (file.js:3:9)`).
fn place(stack: &str) -> (Option<String>, Option<u32>, Option<u32>) {
    for l in stack.lines() {
        let l = l.trim().trim_end_matches(')');
        let Some(at) = l.strip_prefix("at ") else {
            continue;
        };
        let loc = at.rsplit_once('(').map_or(at, |(_, loc)| loc);
        let mut parts = loc.rsplitn(3, ':');
        let (Some(col), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if let (Ok(line), Ok(col)) = (line.parse(), col.parse()) {
            return (Some(file.to_owned()), Some(line), Some(col));
        }
    }
    (None, None, None)
}

#[cfg(test)]
mod tests {
    use super::place;

    #[test]
    fn the_place_is_the_innermost_frame_of_a_quickjs_stack() {
        let stack = "    at f (app.js:3:9)\n    at <eval> (app.js:5:1)\n";
        assert_eq!(place(stack), (Some("app.js".into()), Some(3), Some(9)));
        assert_eq!(
            place("    at app.js:7:2\n"),
            (Some("app.js".into()), Some(7), Some(2))
        );
        assert_eq!(place("    at f (native)\n"), (None, None, None));
    }
}

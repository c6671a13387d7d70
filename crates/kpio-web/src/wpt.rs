//! Runs web-platform-tests files inside a realm, through the real `testharness.js`.
//!
//! A test file is run as WPT's own server would serve it: an `.any.js` file once per
//! global scope its `// META: global=` line asks for (a window and a dedicated worker by
//! default), a `.window.js` file in a window, a `.worker.js` file in a worker, and an
//! `.html` file in a window with its `<script>` elements in order. `// META: script=`
//! lines load their scripts first. `testharness.js` comes from the `wpt-runner` npm
//! package (or a WPT checkout); the results come from its `add_result_callback` and
//! `add_completion_callback`.

use crate::app::{WebApp, WebAppOptions, WindowId};
use crate::local_server::LocalServer;
use crate::service_worker::registry::WorkerId;
use crate::{GlobalKind, Limits, LoopEnd, Network, NetworkScope, Realm, RealmOptions, WebError};
use rquickjs::Function;
use rquickjs::convert::List;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

/// A subtest's result, as testharness.js reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    Timeout,
    NotRun,
    PreconditionFailed,
}

impl Status {
    fn from_code(code: i32) -> Status {
        match code {
            0 => Status::Pass,
            2 => Status::Timeout,
            3 => Status::NotRun,
            4 => Status::PreconditionFailed,
            _ => Status::Fail,
        }
    }

    /// The name WPT prints.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Timeout => "TIMEOUT",
            Status::NotRun => "NOTRUN",
            Status::PreconditionFailed => "PRECONDITION_FAILED",
        }
    }
}

/// One subtest: its name, result and the harness's message (an assertion's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subtest {
    pub name: String,
    pub status: Status,
    pub message: Option<String>,
}

/// The harness's status for a whole file: OK, or why the file as a whole failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HarnessStatus {
    Ok,
    /// An uncaught exception outside a subtest, a script that did not load, or the realm
    /// stopped by a limit.
    Error(String),
    Timeout,
    PreconditionFailed(String),
}

/// What one run of a test file in one global scope gave.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub scope: GlobalKind,
    pub subtests: Vec<Subtest>,
    pub harness: HarnessStatus,
}

impl FileReport {
    /// Whether every subtest passed and the harness is OK.
    pub fn passed(&self) -> bool {
        self.harness == HarnessStatus::Ok && self.subtests.iter().all(|s| s.status == Status::Pass)
    }
}

/// Why a file could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum WptError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Meta { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Caches {
        path: PathBuf,
        #[source]
        source: crate::CacheError,
    },
    #[error("{path}: {source}")]
    Realm {
        path: PathBuf,
        #[source]
        source: Box<WebError>,
    },
}

/// The harness script and how long a file may take.
#[derive(Debug, Clone)]
pub struct Options {
    /// The source of `testharness.js`.
    pub testharness: String,
    /// WPT's root, for `META: script=/...` paths; the test file's nearest ancestor with
    /// that path when `None`.
    pub root: Option<PathBuf>,
    /// A file's time limit (WPT's default, 10 s; `META: timeout=long` multiplies it by 6).
    pub timeout: Duration,
    pub limits: Limits,
    /// Print what the tests write to their console (and the errors they report on
    /// purpose) to standard error, each line after the file's name; dropped when false.
    pub show_console: bool,
}

impl Options {
    /// Options with `testharness.js` read from `path`.
    pub fn with_testharness(path: &Path) -> Result<Options, WptError> {
        let testharness = std::fs::read_to_string(path).map_err(|source| WptError::Read {
            path: path.to_owned(),
            source,
        })?;
        Ok(Options {
            testharness,
            root: None,
            timeout: Duration::from_secs(10),
            limits: Limits::default(),
            show_console: false,
        })
    }
}

/// Where `testharness.js` is found near `start` (a test file or directory, or the current
/// directory): a WPT checkout's `resources/testharness.js`, or the `wpt-runner` npm
/// package's copy in a `node_modules` of an ancestor.
pub fn find_testharness(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    for dir in start.ancestors() {
        for candidate in [
            dir.join("resources/testharness.js"),
            dir.join("node_modules/wpt-runner/testharness/testharness.js"),
            dir.join("tests/harness/node_modules/wpt-runner/testharness/testharness.js"),
        ] {
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The test files under `paths` (files as given; directories searched recursively for
/// `.any.js`, `.window.js`, `.worker.js` and `.html` files), sorted.
pub fn test_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, WptError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            collect(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), WptError> {
    let read = |source| WptError::Read {
        path: dir.to_owned(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(read)?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name()
                .is_some_and(|n| n == "node_modules" || n == "resources")
            {
                continue;
            }
            collect(&p, out)?;
        } else if is_test_file(&p) {
            out.push(p);
        }
    }
    Ok(())
}

fn is_test_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    [".any.js", ".window.js", ".worker.js", ".html", ".htm"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// A test file's `// META:` lines.
#[derive(Debug, Default)]
struct Meta {
    scripts: Vec<String>,
    globals: Option<Vec<String>>,
    long: bool,
}

fn parse_meta(source: &str) -> Meta {
    let mut meta = Meta::default();
    for line in source.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(rest) = line.strip_prefix("//") else {
            break;
        };
        let Some(item) = rest.trim().strip_prefix("META:") else {
            continue;
        };
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key.trim() {
            "script" => meta.scripts.push(value.trim().to_owned()),
            "global" => {
                meta.globals = Some(value.split(',').map(|g| g.trim().to_owned()).collect());
            }
            "timeout" => meta.long = value.trim() == "long",
            _ => {}
        }
    }
    meta
}

/// The scopes a file runs in, and the scopes it asks for that cannot run here yet.
fn scopes(path: &Path, meta: &Meta) -> (Vec<GlobalKind>, Vec<String>) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".window.js") || name.ends_with(".html") || name.ends_with(".htm") {
        return (vec![GlobalKind::Window], vec![]);
    }
    if name.ends_with(".worker.js") {
        return (vec![GlobalKind::DedicatedWorker], vec![]);
    }
    let asked = meta
        .globals
        .clone()
        .unwrap_or_else(|| vec!["window".into(), "dedicatedworker".into()]);
    let mut run = Vec::new();
    let mut not_yet = Vec::new();
    for g in asked {
        let kind = match g.as_str() {
            "window" => Some(GlobalKind::Window),
            "worker" | "dedicatedworker" => Some(GlobalKind::DedicatedWorker),
            "serviceworker" => Some(GlobalKind::ServiceWorker),
            "default" => {
                for k in [GlobalKind::Window, GlobalKind::DedicatedWorker] {
                    if !run.contains(&k) {
                        run.push(k);
                    }
                }
                None
            }
            _ => {
                not_yet.push(g);
                None
            }
        };
        if let Some(k) = kind
            && !run.contains(&k)
        {
            run.push(k);
        }
    }
    (run, not_yet)
}

/// What running a file gave: a report per scope it ran in, and the scopes it asked for
/// that this runtime does not have yet (shared workers, service workers, shadow realms).
#[derive(Debug)]
pub struct FileRun {
    pub reports: Vec<FileReport>,
    pub skipped_scopes: Vec<String>,
}

/// Runs one test file in every scope it asks for.
pub fn run_file(path: &Path, options: &Options) -> Result<FileRun, WptError> {
    let source = std::fs::read_to_string(path).map_err(|source| WptError::Read {
        path: path.to_owned(),
        source,
    })?;
    let is_html = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    let meta = parse_meta(&source);
    let (kinds, skipped_scopes) = scopes(path, &meta);
    // The scripts to run after the harness, in order: (name, source).
    let mut scripts = Vec::new();
    if is_html {
        for script in html_scripts(&source) {
            match script {
                HtmlScript::Src(src) => {
                    if src.ends_with("/testharness.js") || src.ends_with("/testharnessreport.js") {
                        continue;
                    }
                    scripts.push(load(path, options, &src)?);
                }
                HtmlScript::Inline(text) => scripts.push((display(path), text)),
            }
        }
    } else {
        for s in &meta.scripts {
            scripts.push(load(path, options, s)?);
        }
        scripts.push((display(path), source));
    }
    let timeout = if meta.long {
        options.timeout * 6
    } else {
        options.timeout
    };
    let reports = kinds
        .into_iter()
        .map(|kind| run_in(path, kind, &scripts, options, timeout))
        .collect::<Result<_, _>>()?;
    Ok(FileRun {
        reports,
        skipped_scopes,
    })
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Reads a `META: script=` or `<script src>` path: absolute ones from WPT's root,
/// relative ones from the test file's directory.
fn load(test: &Path, options: &Options, src: &str) -> Result<(String, String), WptError> {
    let dir = test.parent().unwrap_or(Path::new("."));
    let file = if let Some(abs) = src.strip_prefix('/') {
        match &options.root {
            Some(root) => root.join(abs),
            None => dir
                .ancestors()
                .map(|a| a.join(abs))
                .find(|p| p.is_file())
                .ok_or_else(|| WptError::Meta {
                    path: test.to_owned(),
                    message: format!(
                        "script {src} not found above the test's directory (give the WPT root)"
                    ),
                })?,
        }
    } else {
        dir.join(src)
    };
    let text = std::fs::read_to_string(&file).map_err(|source| WptError::Read {
        path: file.clone(),
        source,
    })?;
    Ok((display(&file), text))
}

enum HtmlScript {
    Src(String),
    Inline(String),
}

/// The `<script>` elements of an HTML test file, in document order.
fn html_scripts(html: &str) -> Vec<HtmlScript> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script") {
        let start = at + start;
        let Some(tag_end) = lower[start..].find('>') else {
            break;
        };
        let tag_end = start + tag_end;
        let tag = &html[start..tag_end];
        let body_start = tag_end + 1;
        let close = lower[body_start..]
            .find("</script")
            .map_or(html.len(), |i| body_start + i);
        if let Some(src) = attribute(tag, "src") {
            out.push(HtmlScript::Src(src));
        } else {
            out.push(HtmlScript::Inline(html[body_start..close].to_owned()));
        }
        at = close.max(body_start);
        if at >= html.len() {
            break;
        }
        at += 1;
    }
    out
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut search = 0;
    while let Some(i) = lower[search..].find(name) {
        let i = search + i;
        let before = lower[..i].chars().last();
        let after = lower[i + name.len()..].trim_start();
        if before.is_some_and(char::is_whitespace) && after.starts_with('=') {
            let value = after[1..].trim_start();
            let offset = tag.len() - value.len();
            let value = &tag[offset..];
            return Some(match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_owned(),
                _ => value
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            });
        }
        search = i + name.len();
    }
    None
}

/// Each script runs as its own task, as `<script>` elements do, with microtask checkpoints
/// between them. Without a document, testharness.js would take the first checkpoint as
/// the end of loading and finish after the first test, so the runner says when every
/// script has run, with `done()`, as WPT's own worker wrapper does.
const EXPLICIT_DONE: &str = "setup({ explicit_done: true });";

/// One test of the completion callback's list: name, status code, message.
type ResultRow = (Option<String>, i32, Option<String>);

#[derive(Default)]
struct Collected {
    subtests: Vec<Subtest>,
    done: Option<HarnessStatus>,
}

/// The glue between testharness.js and the runner: results go to the two functions. The
/// completion callback's list is the final word: a test still running when the file
/// timed out appears only there (as TIMEOUT).
const REPORT_HOOK: &str = r#"(function (result, complete) {
  const text = (v) => (v === undefined || v === null ? null : String(v).toWellFormed());
  add_result_callback(function (t) { result(text(t.name), t.status, text(t.message)); });
  add_completion_callback(function (tests, status) {
    complete(status.status, text(status.message),
      tests.map((t) => [text(t.name), t.status, text(t.message)]));
  });
})"#;

/// Where a file's scripts run: a realm of its own (a dedicated worker's scope), or a
/// realm of a [`WebApp`] (a window, a service worker), whose loop runs the app's other
/// realms too.
enum Target {
    Realm(Realm),
    Window(WebApp, WindowId),
    Worker(WebApp, WorkerId),
}

impl Target {
    fn realm(&mut self) -> &mut Realm {
        match self {
            Target::Realm(r) => r,
            Target::Window(app, w) => app.window(*w).expect("the test's window"),
            Target::Worker(app, w) => app.worker(*w).expect("the test's worker"),
        }
    }

    fn run(
        &mut self,
        timeout: Duration,
        done: &mut dyn FnMut() -> bool,
    ) -> Result<LoopEnd, WebError> {
        match self {
            Target::Realm(r) => r.run_event_loop(timeout, done),
            Target::Window(app, _) | Target::Worker(app, _) => app.run(timeout, &mut |_| done()),
        }
    }
}

/// The service worker script of a file run in the service worker scope: the harness,
/// the runner's setup and the file's scripts, in order, as one classic script.
const SW_TEST_SCRIPT: &str = "__kpio_sw_test__.js";

fn run_in(
    path: &Path,
    kind: GlobalKind,
    scripts: &[(String, String)],
    options: &Options,
    timeout: Duration,
) -> Result<FileReport, WptError> {
    let realm_err = |source| WptError::Realm {
        path: path.to_owned(),
        source: Box::new(source),
    };
    // The test is served over HTTP from the local server, as WPT serves tests: its
    // `location` is there, relative URLs resolve against it, and fetch() reaches the
    // server (and only this machine) through the `local` network scope.
    let dir = path.parent().unwrap_or(Path::new("."));
    let serve_root = options.root.as_deref().unwrap_or(dir);
    let server = LocalServer::start(serve_root).map_err(|source| WptError::Read {
        path: serve_root.to_owned(),
        source,
    })?;
    let relative = path
        .canonicalize()
        .ok()
        .and_then(|p| {
            let root = serve_root.canonicalize().ok()?;
            p.strip_prefix(root).ok().map(Path::to_owned)
        })
        .unwrap_or_else(|| PathBuf::from(path.file_name().unwrap_or_default()));
    let mut url = url::Url::parse(&server.origin()).expect("the server's origin is a URL");
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.clear();
        for c in relative.components() {
            segments.push(&c.as_os_str().to_string_lossy());
        }
    }
    let console = |label: &str| -> crate::ConsoleSink {
        if options.show_console {
            let file = label.to_owned();
            Box::new(move |_, text: &str| {
                for line in text.lines() {
                    eprintln!("{file}: {line}");
                }
            })
        } else {
            Box::new(|_, _: &str| {})
        }
    };
    let network = Network::new(NetworkScope::Local);
    // Each file gets storage and caches of its own, in memory, as a fresh browser
    // profile would.
    let storage = crate::WebStorage::in_memory(crate::web_storage::DEFAULT_QUOTA_UNITS);
    let indexed_db = crate::IndexedDbStore::in_memory(crate::indexed_db::DEFAULT_QUOTA);
    let caches =
        crate::CacheStore::in_memory(crate::cache_storage::DEFAULT_BUDGET).map_err(|source| {
            WptError::Caches {
                path: path.to_owned(),
                source,
            }
        })?;
    let app = || {
        let show = options.show_console;
        let file = display(path);
        WebApp::new(WebAppOptions {
            origin: server.origin(),
            limits: options.limits,
            network: Some(network.clone()),
            storage: Some(storage.clone()),
            caches: Some(caches.clone()),
            indexed_db: Some(indexed_db.clone()),
            storage_budget: crate::app::DEFAULT_STORAGE_BUDGET,
            service_workers: None,
            offline_fallback: Default::default(),
            sync: crate::service_worker::SyncTasks::in_memory(Default::default()),
            notifications: Some(Rc::new(crate::notifications::HeadlessCenter::new(
                crate::notifications::Permission::Granted,
            ))),
            console: Some(Rc::new(move |_, _, text: &str| {
                if show {
                    for line in text.lines() {
                        eprintln!("{file}: {line}");
                    }
                }
            })),
        })
    };
    let collected = Rc::new(RefCell::new(Collected::default()));
    let report = |harness: HarnessStatus, collected: &Rc<RefCell<Collected>>| FileReport {
        path: path.to_owned(),
        scope: kind,
        subtests: collected.borrow().subtests.clone(),
        harness,
    };
    let mut target;
    let to_run: &[(String, String)];
    match kind {
        GlobalKind::DedicatedWorker => {
            let realm = Realm::new(RealmOptions {
                kind,
                limits: options.limits,
                storage: Some(storage.clone()),
                caches: Some(caches.clone()),
                indexed_db: Some(indexed_db.clone()),
                url: url.to_string(),
                network: Some(network.clone()),
                notifications: None,
                console: Some(console(&display(path))),
            })
            .map_err(realm_err)?;
            target = Target::Realm(realm);
            to_run = scripts;
        }
        GlobalKind::Window => {
            let mut app = app();
            let w = app.open_window(url.as_str()).map_err(realm_err)?;
            target = Target::Window(app, w);
            to_run = scripts;
        }
        GlobalKind::ServiceWorker => {
            // The file's scripts are the worker's script, registered by a window of the
            // app, as WPT's service worker tests are.
            let mut source = String::new();
            for (_, text) in std::iter::once(&(String::new(), options.testharness.clone()))
                .chain(std::iter::once(&(String::new(), EXPLICIT_DONE.to_owned())))
                .chain(scripts.iter())
            {
                source.push_str(text);
                source.push_str("\n;\n");
            }
            let script_path = {
                let mut u = url.clone();
                u.path_segments_mut()
                    .map(|mut s| {
                        s.pop().push(SW_TEST_SCRIPT);
                    })
                    .ok();
                u.path().to_owned()
            };
            server.add_file(&script_path, source.into_bytes(), "text/javascript");
            let mut app = app();
            let w = app.open_window(url.as_str()).map_err(realm_err)?;
            // As WPT does, the worker's scope covers no page ('does/not/exist'): the
            // registering page stays uncontrolled.
            let register = format!(
                "navigator.serviceWorker.register({script_path:?}, {{ scope: 'does/not/exist' }})\
                 .catch((e) => console.error('registering the test worker failed: ' + e.message));"
            );
            app.eval_script(w, &register, "the runner's registration")
                .map_err(realm_err)?;
            app.run(timeout, &mut |app| app.running_workers() > 0)
                .map_err(realm_err)?;
            let Some(worker) = app.worker_ids().first().copied() else {
                return Ok(report(
                    HarnessStatus::Error(
                        "the test's service worker did not start (its script failed; run with \
                         --verbose to see why)"
                            .into(),
                    ),
                    &collected,
                ));
            };
            target = Target::Worker(app, worker);
            to_run = &[];
        }
    }

    if kind != GlobalKind::ServiceWorker {
        let realm = target.realm();
        let setup = run_script(realm, &options.testharness, "testharness.js")
            .and_then(|()| run_script(realm, EXPLICIT_DONE, "the runner's setup"));
        if let Err(e) = setup {
            return Ok(report(HarnessStatus::Error(e.to_string()), &collected));
        }
    }
    let c = collected.clone();
    target
        .realm()
        .task("installing the result hooks", move |ctx| {
            let hook: Function = ctx.eval(REPORT_HOOK)?;
            let c1 = c.clone();
            let result = Function::new(
                ctx.clone(),
                move |name: Option<String>, status: i32, message: Option<String>| {
                    c1.borrow_mut().subtests.push(Subtest {
                        name: name.unwrap_or_default(),
                        status: Status::from_code(status),
                        message,
                    });
                },
            )?;
            let c2 = c.clone();
            let complete = Function::new(
                ctx.clone(),
                move |status: i32, message: Option<String>, tests: Vec<List<ResultRow>>| {
                    let m = message.unwrap_or_default();
                    let mut c = c2.borrow_mut();
                    c.subtests = tests
                        .into_iter()
                        .map(|List((name, status, message))| Subtest {
                            name: name.unwrap_or_default(),
                            status: Status::from_code(status),
                            message,
                        })
                        .collect();
                    c.done = Some(match status {
                        0 => HarnessStatus::Ok,
                        2 => HarnessStatus::Timeout,
                        3 => HarnessStatus::PreconditionFailed(m),
                        _ => HarnessStatus::Error(m),
                    });
                },
            )?;
            hook.call::<_, ()>((result, complete))
        })
        .map_err(realm_err)?;
    let c = collected.clone();
    if let Err(e) = load_and_run(&mut target, to_run, timeout, &mut || {
        c.borrow().done.is_some()
    }) {
        return Ok(report(HarnessStatus::Error(e.to_string()), &collected));
    }
    let harness = collected
        .borrow_mut()
        .done
        .take()
        .unwrap_or_else(|| HarnessStatus::Error("the harness never completed".into()));
    Ok(report(harness, &collected))
}

/// Runs one script as a task. A script error outside any subtest is the harness's to
/// report (its `error` listener), so only what stops the realm is an error here.
fn run_script(realm: &mut Realm, source: &str, name: &str) -> Result<(), WebError> {
    match realm.eval_script(source, name) {
        Err(e) if e.stops_realm() => Err(e),
        _ => Ok(()),
    }
}

/// Runs the file's scripts, says `done()`, and runs the event loop until the harness
/// completes (`done`); past `timeout`, or with nothing left to run, the harness's own
/// `timeout()` marks what did not finish.
fn load_and_run(
    target: &mut Target,
    scripts: &[(String, String)],
    timeout: Duration,
    done: &mut dyn FnMut() -> bool,
) -> Result<(), WebError> {
    for (name, source) in scripts {
        run_script(target.realm(), source, name)?;
    }
    // The harness learns that every script has run from `done()` (see `EXPLICIT_DONE`).
    run_script(target.realm(), "done();", "the runner's done()")?;
    if target.run(timeout, done)? != LoopEnd::Done {
        run_script(target.realm(), "timeout();", "the runner's timeout")?;
        target.run(Duration::from_secs(1), done)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_lines_name_scripts_globals_and_timeout() {
        let src = "// META: global=window,worker\n// META: script=/common/a.js\n//META: timeout=long\n\ntest(() => {});\n// META: script=late.js\n";
        let m = parse_meta(src);
        assert_eq!(m.scripts, vec!["/common/a.js".to_owned()]);
        assert_eq!(
            m.globals,
            Some(vec!["window".to_owned(), "worker".to_owned()])
        );
        assert!(m.long);
    }

    #[test]
    fn any_files_run_in_a_window_and_a_worker_unless_told() {
        let (run, skipped) = scopes(Path::new("a.any.js"), &Meta::default());
        assert_eq!(run, vec![GlobalKind::Window, GlobalKind::DedicatedWorker]);
        assert!(skipped.is_empty());
        let meta = parse_meta("// META: global=window,serviceworker,sharedworker\n");
        let (run, skipped) = scopes(Path::new("a.any.js"), &meta);
        assert_eq!(run, vec![GlobalKind::Window, GlobalKind::ServiceWorker]);
        assert_eq!(skipped, vec!["sharedworker".to_owned()]);
        assert_eq!(
            scopes(Path::new("b.worker.js"), &meta).0,
            vec![GlobalKind::DedicatedWorker]
        );
    }

    #[test]
    fn html_scripts_come_in_document_order() {
        let html = "<!doctype html><title>t</title>\n<script src=\"/resources/testharness.js\"></script>\n<SCRIPT SRC='helper.js'></SCRIPT><script>\ntest(() => {}, 'x');\n</script>";
        let s = html_scripts(html);
        assert_eq!(s.len(), 3);
        assert!(matches!(&s[0], HtmlScript::Src(p) if p == "/resources/testharness.js"));
        assert!(matches!(&s[1], HtmlScript::Src(p) if p == "helper.js"));
        assert!(matches!(&s[2], HtmlScript::Inline(t) if t.contains("'x'")));
    }
}

//! `kpio web`: the web platform's engines from the command line.
//!
//! `kpio web test` runs web-platform-tests files in KPIO's JavaScript realms and prints
//! one line per subtest; `kpio web run` runs a script in a window realm until its timers
//! are done.

use kpio_web::app::{WebApp, WebAppOptions};
use kpio_web::service_worker::{SyncPolicy, SyncTasks};
use kpio_web::wpt::{self, FileReport, HarnessStatus, Status};
use kpio_web::{GlobalKind, Limits};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `kpio web test` was asked.
#[derive(Debug, Clone)]
pub struct TestRequest {
    pub paths: Vec<PathBuf>,
    pub testharness: Option<PathBuf>,
    pub root: Option<PathBuf>,
    pub timeout: Duration,
    /// Show the tests' console output (on stderr).
    pub verbose: bool,
}

/// Subtest counts over every file.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
}

/// Runs the test files under `req.paths`, printing to `out`. `Err` when the command
/// itself cannot run (no harness, an unreadable path).
pub fn test(req: &TestRequest, out: &mut dyn Write) -> anyhow::Result<Totals> {
    let harness = match &req.testharness {
        Some(p) => p.clone(),
        None => std::env::var_os("KPIO_TESTHARNESS")
            .map(PathBuf::from)
            .or_else(|| req.paths.iter().find_map(|p| wpt::find_testharness(p)))
            .or_else(|| wpt::find_testharness(Path::new(".")))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "testharness.js not found: pass --testharness PATH (a WPT checkout's \
                     resources/testharness.js), set KPIO_TESTHARNESS, or install it next to the \
                     tests with `npm install wpt-runner@7.0.0`"
                )
            })?,
    };
    let mut options = wpt::Options::with_testharness(&harness)?;
    options.root = req.root.clone();
    options.timeout = req.timeout;
    options.show_console = req.verbose;
    let files = wpt::test_files(&req.paths)?;
    if files.is_empty() {
        anyhow::bail!(
            "no test files (.any.js, .window.js, .worker.js, .html) under the given paths"
        );
    }
    let mut totals = Totals::default();
    for file in &files {
        let run = match wpt::run_file(file, &options) {
            Ok(run) => run,
            Err(e) => {
                writeln!(out, "ERROR {e}")?;
                totals.failed += 1;
                continue;
            }
        };
        for report in &run.reports {
            print_report(report, out, &mut totals)?;
        }
        for scope in &run.skipped_scopes {
            writeln!(
                out,
                "SKIP {} ({scope}): this scope is not supported yet",
                file.display()
            )?;
        }
    }
    writeln!(out, "{} passed, {} failed", totals.passed, totals.failed)?;
    Ok(totals)
}

fn scope_name(kind: GlobalKind) -> &'static str {
    kind.name()
}

fn print_report(
    report: &FileReport,
    out: &mut dyn Write,
    totals: &mut Totals,
) -> std::io::Result<()> {
    let file = format!("{} ({})", report.path.display(), scope_name(report.scope));
    for s in &report.subtests {
        if s.status == Status::Pass {
            totals.passed += 1;
            writeln!(out, "PASS {file}: {}", s.name)?;
        } else {
            totals.failed += 1;
            match &s.message {
                Some(m) if !m.is_empty() => {
                    writeln!(out, "{} {file}: {}: {m}", s.status.as_str(), s.name)?
                }
                _ => writeln!(out, "{} {file}: {}", s.status.as_str(), s.name)?,
            }
        }
    }
    match &report.harness {
        HarnessStatus::Ok => {}
        HarnessStatus::Error(m) => {
            totals.failed += 1;
            writeln!(out, "HARNESS ERROR {file}: {m}")?;
        }
        HarnessStatus::Timeout => {
            totals.failed += 1;
            writeln!(out, "HARNESS TIMEOUT {file}")?;
        }
        HarnessStatus::PreconditionFailed(m) => {
            totals.failed += 1;
            writeln!(out, "HARNESS PRECONDITION_FAILED {file}: {m}")?;
        }
    }
    Ok(())
}

/// What `kpio web run` was asked.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub script: PathBuf,
    /// How long to wait for pending timers and fetches.
    pub timeout: Duration,
    pub limits: Limits,
    /// Where the app's storage is kept (in memory when `None`): `local_storage/`,
    /// `idb/`, `caches/`, `service_workers/` and `sync_tasks.json` in it.
    pub storage: Option<PathBuf>,
    /// The page's URL (its `location` and origin); `file://` + the script's path when
    /// `None`.
    pub url: Option<String>,
    /// The network permission; `None` for no network.
    pub network: Option<kpio_web::NetworkScope>,
    /// Start with the network switched off (`navigator.onLine` false, fetches fail).
    pub offline: bool,
    /// The offline fallback rules (a JSON file, see `kpio_web::offline_fallback`).
    pub offline_fallback: Option<PathBuf>,
    /// Where the Cache API's caches are kept, if not in the storage directory's
    /// `caches/` (in memory when neither is given).
    pub cache: Option<PathBuf>,
}

/// Parses `--network`: `none`, `local`, `full`, or a comma-separated allow-list of
/// hosts (`example.com,*.example.org,localhost:8080`).
pub fn parse_network(s: &str) -> Result<kpio_web::NetworkScope, String> {
    Ok(match s {
        "none" => kpio_web::NetworkScope::None,
        "local" => kpio_web::NetworkScope::Local,
        "full" => kpio_web::NetworkScope::Full,
        list => kpio_web::NetworkScope::AllowList(
            list.split(',')
                .map(|h| kpio_web::HostPattern::parse(h.trim()).map_err(|e| e.to_string()))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// Runs the script in a window realm, then its tasks (timers, fetches) until none is
/// left or the timeout passes. Console output goes to stdout and stderr. Fails when the
/// script throws, a limit stops it, work is left, or any exception or rejection went
/// uncaught.
pub fn run(req: &RunRequest) -> anyhow::Result<()> {
    let script = req.script.as_path();
    let timeout = req.timeout;
    let limits = req.limits;
    let storage = req.storage.as_deref();
    let source = std::fs::read_to_string(script)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", script.display()))?;
    let dirs = storage.map(kpio_web::app_dirs::AppDirs::single);
    let web_storage = match &dirs {
        Some(d) => kpio_web::WebStorage::open(
            &d.local_storage(),
            kpio_web::web_storage::DEFAULT_QUOTA_UNITS,
        )?,
        None => kpio_web::WebStorage::in_memory(kpio_web::web_storage::DEFAULT_QUOTA_UNITS),
    };
    let indexed_db = match &dirs {
        Some(d) => {
            kpio_web::IndexedDbStore::open(&d.indexed_db(), kpio_web::indexed_db::DEFAULT_QUOTA)
        }
        None => kpio_web::IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA),
    };
    let budget = kpio_web::cache_storage::DEFAULT_BUDGET;
    let cache_dir = req
        .cache
        .clone()
        .or_else(|| dirs.as_ref().map(kpio_web::app_dirs::AppDirs::caches));
    let caches = match &cache_dir {
        Some(dir) => kpio_web::CacheStore::open(dir, budget)?,
        None => kpio_web::CacheStore::in_memory(budget)?,
    };
    let url = match &req.url {
        Some(u) => u.clone(),
        None => url_of_file(script)?,
    };
    let origin = url::Url::parse(&url)
        .map_err(|e| anyhow::anyhow!("--url {url:?}: {e}"))?
        .origin()
        .ascii_serialization();
    let mut app = WebApp::new(WebAppOptions {
        origin: origin.clone(),
        limits,
        network: req.network.clone().map(|scope| {
            let network = kpio_web::Network::new(scope);
            network.offline_switch().set_offline(req.offline);
            network
        }),
        storage: Some(web_storage),
        caches: Some(caches.clone()),
        indexed_db: Some(indexed_db.clone()),
        storage_budget: kpio_web::app::DEFAULT_STORAGE_BUDGET,
        service_workers: match &dirs {
            Some(d) => Some(kpio_web::service_worker::SwStore::open(
                &d.service_workers(),
            )?),
            None => None,
        },
        sync: match &dirs {
            Some(d) => SyncTasks::open(&d.sync_tasks(), SyncPolicy::default())?,
            None => SyncTasks::in_memory(SyncPolicy::default()),
        },
        offline_fallback: match &req.offline_fallback {
            Some(path) => {
                let json = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
                kpio_web::offline_fallback::OfflineFallback::parse(&json, &origin)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
            None => Default::default(),
        },
        notifications: None,
        console: Some(std::rc::Rc::new(|_, level, text| match level {
            kpio_web::ConsoleLevel::Log | kpio_web::ConsoleLevel::Debug => println!("{text}"),
            kpio_web::ConsoleLevel::Warn | kpio_web::ConsoleLevel::Error => eprintln!("{text}"),
        })),
    });
    // A store error the page saw as UnknownError: the host's side of it.
    let report_store = || {
        if let Some(e) = indexed_db.take_error() {
            eprintln!("kpio web run: {e}");
        }
    };
    let window = app.open_window(&url)?;
    let result = app.eval_script(window, &source, &script.display().to_string());
    report_store();
    result?;
    let end = app.run(timeout, &mut |_| false);
    report_store();
    if let kpio_web::LoopEnd::TimedOut = end? {
        anyhow::bail!(
            "{}: timers or fetches still pending after {timeout:?}",
            script.display()
        );
    }
    let uncaught = app.uncaught_errors();
    drop(app);
    // The caches' recency (for eviction) since their last write.
    caches.flush()?;
    // An exception a timer callback or a microtask threw was reported above, as a page
    // reports it; the command still fails, as a script run should.
    match uncaught {
        0 => Ok(()),
        1 => anyhow::bail!("{}: an uncaught error", script.display()),
        n => anyhow::bail!("{}: {n} uncaught errors", script.display()),
    }
}

/// `file://` and the script's absolute path, percent-encoded as URLs are.
fn url_of_file(script: &Path) -> anyhow::Result<String> {
    let abs = std::path::absolute(script)
        .map_err(|e| anyhow::anyhow!("{}: cannot make the path absolute: {e}", script.display()))?;
    Ok(url::Url::from_file_path(&abs)
        .map_err(|()| anyhow::anyhow!("{}: not a file URL", abs.display()))?
        .to_string())
}

//! `kpio web`: the web platform's engines from the command line.
//!
//! `kpio web test` runs web-platform-tests files in KPIO's JavaScript realms and prints
//! one line per subtest; `kpio web run` runs a script in a window realm until its timers
//! are done.

use kpio_web::wpt::{self, FileReport, HarnessStatus, Status};
use kpio_web::{GlobalKind, Limits, Realm, RealmOptions};
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
    match kind {
        GlobalKind::Window => "window",
        GlobalKind::DedicatedWorker => "worker",
    }
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

/// Runs `script` in a window realm, then its timers until none is left or `timeout`
/// passes. Console output goes to stdout and stderr. Fails when the script throws, a
/// limit stops it, timers are left, or any exception or rejection went uncaught.
/// `storage`: where `localStorage` is kept (in memory when `None`).
pub fn run(
    script: &Path,
    timeout: Duration,
    limits: Limits,
    storage: Option<&Path>,
) -> anyhow::Result<()> {
    let source = std::fs::read_to_string(script)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", script.display()))?;
    // IndexedDB lives beside localStorage, in DIR/idb/.
    let indexed_db = match storage {
        Some(dir) => {
            kpio_web::IndexedDbStore::open(&dir.join("idb"), kpio_web::indexed_db::DEFAULT_QUOTA)
        }
        None => kpio_web::IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA),
    };
    let storage = match storage {
        Some(dir) => kpio_web::WebStorage::open(dir, kpio_web::web_storage::DEFAULT_QUOTA_UNITS)?,
        None => kpio_web::WebStorage::in_memory(kpio_web::web_storage::DEFAULT_QUOTA_UNITS),
    };
    let mut realm = Realm::new(RealmOptions {
        kind: GlobalKind::Window,
        limits,
        storage: Some(storage),
        indexed_db: Some(indexed_db.clone()),
        url: format!("file://{}", script.display()),
        console: Some(Box::new(|level, text| match level {
            kpio_web::ConsoleLevel::Log | kpio_web::ConsoleLevel::Debug => println!("{text}"),
            kpio_web::ConsoleLevel::Warn | kpio_web::ConsoleLevel::Error => eprintln!("{text}"),
        })),
    })?;
    let result = realm.eval_script(&source, &script.display().to_string());
    // A store error the page saw as UnknownError: the host's side of it.
    let report_store = || {
        if let Some(e) = indexed_db.take_error() {
            eprintln!("kpio web run: {e}");
        }
    };
    report_store();
    result?;
    let end = realm.run_event_loop(timeout, &mut || false);
    report_store();
    if let kpio_web::LoopEnd::TimedOut = end? {
        anyhow::bail!(
            "{}: timers still pending after {timeout:?}",
            script.display()
        );
    }
    // An exception a timer callback or a microtask threw was reported above, as a page
    // reports it; the command still fails, as a script run should.
    match realm.uncaught_errors() {
        0 => Ok(()),
        1 => anyhow::bail!("{}: an uncaught error", script.display()),
        n => anyhow::bail!("{}: {n} uncaught errors", script.display()),
    }
}

//! The web-platform-tests-style suites of `tests/wpt/`, run through the real
//! testharness.js (npm's `wpt-runner`, installed by `npm ci` in `tests/harness/`) in
//! window and worker realms (`.any.js` in both, `.window.js` in a window), as
//! `kpio web test` runs them.

use kpio_web::wpt::{self, HarnessStatus, Status};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn options() -> wpt::Options {
    let harness = here().join("harness/node_modules/wpt-runner/testharness/testharness.js");
    assert!(
        harness.is_file(),
        "{} is missing: run `npm ci --prefix crates/kpio-web/tests/harness` (the README's test command does)",
        harness.display()
    );
    wpt::Options::with_testharness(&harness).expect("testharness.js")
}

/// (file, subtest) pairs listed in known-differences.txt.
fn known_differences() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(here().join("wpt/known-differences.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.splitn(3, " | ");
            let file = parts.next().unwrap().trim().to_owned();
            let name = parts
                .next()
                .expect("FILE | SUBTEST | reason")
                .trim()
                .to_owned();
            assert!(
                parts.next().is_some_and(|r| !r.trim().is_empty()),
                "no reason given: {l}"
            );
            (file, name)
        })
        .collect()
}

#[test]
fn every_suite_passes_in_its_scopes_but_for_the_listed_differences() {
    let options = options();
    let files = wpt::test_files(&[here().join("wpt")]).unwrap();
    assert!(files.len() >= 7, "suites found: {files:?}");
    let known = known_differences();
    let mut unexpected = Vec::new();
    let mut failing_known = BTreeSet::new();
    let mut passed = 0;
    for file in &files {
        let run = wpt::run_file(file, &options).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!run.reports.is_empty(), "{name}: ran in no scope");
        assert!(run.skipped_scopes.is_empty());
        for report in &run.reports {
            assert_eq!(
                report.harness,
                HarnessStatus::Ok,
                "{} ({:?})",
                name,
                report.scope
            );
            // Every suite has at least 5 subtests in each scope: fewer means a file
            // stopped early.
            assert!(
                report.subtests.len() >= 5,
                "{name}: only {} subtests ran",
                report.subtests.len()
            );
            for s in &report.subtests {
                if s.status == Status::Pass {
                    passed += 1;
                } else if known.contains(&(name.clone(), s.name.clone())) {
                    failing_known.insert((name.clone(), s.name.clone()));
                } else {
                    unexpected.push(format!(
                        "{} {name} ({:?}): {}: {:?}",
                        s.status.as_str(),
                        report.scope,
                        s.name,
                        s.message
                    ));
                }
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "unexpected results:\n{}",
        unexpected.join("\n")
    );
    let now_passing: Vec<_> = known.difference(&failing_known).collect();
    assert!(
        now_passing.is_empty(),
        "listed as known differences but passing now: {now_passing:?}"
    );
    assert!(passed > 1000, "only {passed} subtests passed");
}

#[test]
fn a_failing_assertion_a_timeout_and_a_stray_exception_are_reported_as_such() {
    let dir = std::env::temp_dir().join(format!("kpio-wpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("outcomes.window.js");
    std::fs::write(
        &file,
        "// META: title=outcomes\n\
         test(() => assert_equals(1 + 1, 2), 'passes');\n\
         test(() => assert_equals(1 + 1, 3, 'arithmetic'), 'fails');\n\
         promise_test(() => new Promise(() => {}), 'never settles');\n",
    )
    .unwrap();
    let mut options = options();
    options.timeout = std::time::Duration::from_millis(300);
    let run = wpt::run_file(&file, &options).unwrap();
    let report = &run.reports[0];
    let status = |n: &str| {
        report
            .subtests
            .iter()
            .find(|s| s.name == n)
            .map(|s| s.status)
    };
    assert_eq!(status("passes"), Some(Status::Pass));
    assert_eq!(status("fails"), Some(Status::Fail));
    // A test still running when the file times out is TIMEOUT in the completion list.
    assert_eq!(status("never settles"), Some(Status::Timeout));
    let fails = report.subtests.iter().find(|s| s.name == "fails").unwrap();
    assert!(
        fails
            .message
            .as_deref()
            .unwrap_or("")
            .contains("arithmetic"),
        "{fails:?}"
    );
    assert_eq!(report.harness, HarnessStatus::Timeout);

    // An exception outside any test is a harness error, not a silent pass.
    let file = dir.join("stray.window.js");
    std::fs::write(&file, "test(() => {}, 'ok');\nundefinedFunction();\n").unwrap();
    let run = wpt::run_file(&file, &options).unwrap();
    assert!(
        matches!(&run.reports[0].harness, HarnessStatus::Error(m) if m.contains("undefinedFunction")),
        "{:?}",
        run.reports[0].harness
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_runaway_test_file_is_stopped_and_reported() {
    let dir = std::env::temp_dir().join(format!("kpio-wpt-spin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("spin.any.js");
    std::fs::write(
        &file,
        "// META: global=window\ntest(() => { for (;;) {} }, 'spins');\n",
    )
    .unwrap();
    let mut options = options();
    options.limits.task_time = std::time::Duration::from_millis(200);
    let run = wpt::run_file(Path::new(&file), &options).unwrap();
    assert!(
        matches!(&run.reports[0].harness, HarnessStatus::Error(m) if m.contains("interrupted")),
        "{:?}",
        run.reports[0].harness
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_html_test_runs_its_scripts_in_document_order_and_meta_scripts_load_first() {
    let dir = std::env::temp_dir().join(format!("kpio-wpt-html-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("resources")).unwrap();
    std::fs::write(dir.join("helper.js"), "var fromHelper = 41;\n").unwrap();
    std::fs::write(dir.join("resources/common.js"), "var fromRoot = 'root';\n").unwrap();
    let html = dir.join("page.html");
    std::fs::write(
        &html,
        "<!doctype html>\n<title>order</title>\n<script src=\"/resources/testharness.js\"></script>\n\
         <script src=\"/resources/testharnessreport.js\"></script>\n<script src='helper.js'></script>\n\
         <script>\ntest(() => assert_equals(fromHelper + 1, 42), 'the src script ran first');\n</script>\n",
    )
    .unwrap();
    let any = dir.join("meta.any.js");
    std::fs::write(
        &any,
        "// META: global=window\n// META: script=/resources/common.js\n// META: script=helper.js\n\
         test(() => assert_equals(fromRoot + fromHelper, 'root41'), 'META scripts ran first');\n",
    )
    .unwrap();
    let options = options();
    for (file, name) in [
        (&html, "the src script ran first"),
        (&any, "META scripts ran first"),
    ] {
        let run = wpt::run_file(file, &options).unwrap();
        assert_eq!(run.reports.len(), 1);
        let report = &run.reports[0];
        assert_eq!(report.harness, HarnessStatus::Ok, "{}", file.display());
        assert_eq!(report.subtests.len(), 1);
        assert_eq!(report.subtests[0].name, name);
        assert_eq!(
            report.subtests[0].status,
            Status::Pass,
            "{:?}",
            report.subtests[0]
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

//! wasmtime (the PyPI package) as the oracle of the differential tests that compare call
//! transcripts (`exceptions_diff.rs`, `table64_diff.rs`): whether it is installed, and
//! running a scenario through a driver script in `tests/` that prints one line per call.

use std::path::Path;
use std::process::Command;

/// Whether `python3` can import `wasmtime`. `KPIO_SKIP_WASMTIME_DIFF=1` skips the test (says
/// so and returns false); otherwise a missing package fails it with the command that
/// installs it. `what` names the test in that message.
pub fn available(what: &str) -> bool {
    if std::env::var_os("KPIO_SKIP_WASMTIME_DIFF").is_some_and(|v| v == "1") {
        eprintln!("KPIO_SKIP_WASMTIME_DIFF=1: the differential test against wasmtime is skipped");
        return false;
    }
    let probe = Command::new("python3")
        .args(["-c", "import wasmtime"])
        .status();
    assert!(
        probe.is_ok_and(|s| s.success()),
        "the differential {what} test needs python3 with the `wasmtime` package:\n    \
         python3 -m pip install wasmtime==50.0.1\n\
         (set KPIO_SKIP_WASMTIME_DIFF=1 to skip this test)"
    );
    true
}

/// Runs `tests/SCRIPT` under wasmtime on `modules` (WAT text and the name each is
/// registered under, in order) and `calls` (the script's JSON call objects), with the files
/// it needs written to a directory `NAME-PID` of the test's temporary directory; returns its
/// transcript, each line with trailing blanks cut.
pub fn transcript(
    script: &str,
    name: &str,
    modules: &[(&str, &str)],
    calls: Vec<serde_json::Value>,
) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut listed = Vec::new();
    for (k, (wat, name)) in modules.iter().enumerate() {
        let path = dir.join(format!("m{k}.wasm"));
        std::fs::write(&path, wat::parse_str(wat).unwrap()).unwrap();
        listed.push(serde_json::json!({"wasm": path, "name": name}));
    }
    let path = dir.join("spec.json");
    std::fs::write(
        &path,
        serde_json::json!({"modules": listed, "calls": calls}).to_string(),
    )
    .unwrap();
    let o = Command::new("python3")
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests")
                .join(script),
        )
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{script} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

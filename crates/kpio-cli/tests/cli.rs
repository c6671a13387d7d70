//! End-to-end tests of the `kpio` binary.

use std::path::PathBuf;
use std::process::{Command, Output};

const KPIO: &str = env!("CARGO_BIN_EXE_kpio");

const WAT: &str = r#"
(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)
  (func (export "div") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.div_s)
  (func (export "pair") (param i64 f64) (result i64 f64)
    local.get 0
    local.get 1)
  (memory (export "mem") 1))
"#;

/// A fresh directory for one test (removed when dropped).
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("kpio-cli-test-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn kpio(args: &[&str]) -> Output {
    Command::new(KPIO).args(args).output().expect("run kpio")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_add() {
    let dir = TempDir::new("run_add");
    let wat = dir.file("x.wat", WAT);
    let o = kpio(&["run", "--invoke", "add", wat.to_str().unwrap(), "1", "2"]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "3\n");

    // Negative numbers and hex are arguments, not flags.
    let o = kpio(&[
        "run",
        "--invoke",
        "add",
        wat.to_str().unwrap(),
        "-5",
        "0x10",
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "11\n");
}

#[test]
fn run_multi_value() {
    let dir = TempDir::new("run_multi_value");
    let wat = dir.file("x.wat", WAT);
    let o = kpio(&[
        "run",
        "--invoke",
        "pair",
        wat.to_str().unwrap(),
        "-7",
        "2.5",
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "-7\n2.5\n");
}

#[test]
fn run_trap_exits_134_like_wasmtime() {
    let dir = TempDir::new("run_trap");
    let wat = dir.file("x.wat", WAT);
    let o = kpio(&["run", "--invoke", "div", wat.to_str().unwrap(), "1", "0"]);
    assert_eq!(o.status.code(), Some(134), "stderr: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "stderr: {err}");
    assert!(err.contains("integer divide by zero"), "stderr: {err}");
    assert_eq!(stdout(&o), "");
}

#[test]
fn run_without_invoke_lists_exports() {
    let dir = TempDir::new("run_no_invoke");
    let wat = dir.file("x.wat", WAT);
    let o = kpio(&["run", wat.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("--invoke"), "stderr: {err}");
    assert!(err.contains("add(i32, i32) -> i32"), "stderr: {err}");
}

#[test]
fn run_start() {
    let dir = TempDir::new("run_start");
    let wat = dir.file(
        "s.wat",
        r#"(module (func (export "_start") (result i32) i32.const 42))"#,
    );
    let o = kpio(&["run", wat.to_str().unwrap()]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "42\n");
}

#[test]
fn run_usage_errors() {
    let dir = TempDir::new("run_usage");
    let wat = dir.file("x.wat", WAT);
    let path = wat.to_str().unwrap();

    let o = kpio(&["run", "--invoke", "add", path, "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("takes 2 arguments"), "{}", stderr(&o));

    let o = kpio(&["run", "--invoke", "add", path, "1", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("argument 2: invalid i32 `x`"),
        "{}",
        stderr(&o)
    );

    let o = kpio(&["run", "--invoke", "nope", path]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no export named `nope`"),
        "{}",
        stderr(&o)
    );

    let o = kpio(&["run", "--invoke", "mem", path]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a memory"), "{}", stderr(&o));

    let imp = dir.file(
        "imp.wat",
        r#"(module (import "env" "f" (func)) (func (export "g")))"#,
    );
    let o = kpio(&["run", "--invoke", "g", imp.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("failed to link"), "{}", stderr(&o));

    let bad = dir.file("bad.wat", "(module (func (export \"f\") i32.bogus))");
    let o = kpio(&["run", "--invoke", "f", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a valid text module"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn wast_reports_failures() {
    let dir = TempDir::new("wast");
    let script = dir.file(
        "t.wast",
        r#"(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
"#,
    );
    let o = kpio(&["wast", script.to_str().unwrap()]);
    assert!(!o.status.success());
    let out = stdout(&o);
    assert_eq!(
        out.lines().last(),
        Some("2 passed, 1 failed"),
        "stdout: {out}"
    );
    let err = stderr(&o);
    assert!(err.contains("t.wast:5:1: "), "stderr: {err}");
}

/// `kpio wast` runs 64-bit tables, and its spectest module has the spec interpreter's
/// `table64` (i64, 10 to 20 funcref) beside `table`.
#[test]
fn wast_runs_64_bit_tables_and_spectest_table64() {
    let dir = TempDir::new("wast_table64");
    let script = dir.file(
        "t.wast",
        r#"(module (import "spectest" "table64" (table $t i64 10 20 funcref))
  (func $f (result i32) (i32.const 5))
  (elem (table $t) (i64.const 9) func $f)
  (func (export "call") (param i64) (result i32) (call_indirect $t (result i32) (local.get 0)))
  (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0))))
(assert_return (invoke "call" (i64.const 9)) (i32.const 5))
(assert_trap (invoke "call" (i64.const 0x100000009)) "undefined element")
(assert_return (invoke "grow" (i64.const 11)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 10)) (i64.const 10))
(assert_unlinkable (module (import "spectest" "table64" (table 10 funcref))) "incompatible import type")
"#,
    );
    let o = kpio(&["wast", script.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(o.status.success(), "stdout: {out}\nstderr: {}", stderr(&o));
    assert_eq!(
        out.lines().last(),
        Some("6 passed, 0 failed"),
        "stdout: {out}"
    );
}

#[test]
fn wast_several_files() {
    let dir = TempDir::new("wast_several");
    let good = dir.file(
        "good.wast",
        r#"(module (func (export "f") (result i32) (i32.const 7)))
(assert_return (invoke "f") (i32.const 7))
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_malformed (module quote "(func") "unexpected end")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_unlinkable (module (import "nowhere" "x" (func))) "unknown import")
"#,
    );
    let bad = dir.file(
        "bad.wast",
        r#"(module (func (export "d") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))
(assert_trap (invoke "d" (i32.const 0)) "integer overflow")
"#,
    );
    let o = kpio(&["wast", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "stdout: {out}");
    assert!(
        lines[0].ends_with("good.wast: 6 passed, 0 failed"),
        "stdout: {out}"
    );
    assert!(
        lines[1].ends_with("bad.wast: 1 passed, 1 failed"),
        "stdout: {out}"
    );
    assert_eq!(lines[2], "7 passed, 1 failed");
    let err = stderr(&o);
    assert!(err.contains("integer divide by zero"), "stderr: {err}");
}

#[test]
fn wast_and_run_take_a_dispatch_backend() {
    let dir = TempDir::new("dispatch");
    let script = dir.file(
        "t.wast",
        r#"(module
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1))))))))
(assert_return (invoke "fac" (i64.const 20)) (i64.const 2432902008176640000))
"#,
    );
    for backend in ["auto", "portable"] {
        let o = kpio(&["wast", "--dispatch", backend, script.to_str().unwrap()]);
        assert!(o.status.success(), "{backend}: stderr: {}", stderr(&o));
        assert_eq!(stdout(&o), "2 passed, 0 failed\n", "{backend}");

        let wat = dir.file("x.wat", WAT);
        let o = kpio(&[
            "run",
            "--dispatch",
            backend,
            "--invoke",
            "add",
            wat.to_str().unwrap(),
            "1",
            "2",
        ]);
        assert!(o.status.success(), "{backend}: stderr: {}", stderr(&o));
        assert_eq!(stdout(&o), "3\n", "{backend}");
    }

    // A backend that does not exist is a usage error that names the ones that do.
    let o = kpio(&["wast", "--dispatch", "jit", script.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("auto") && err.contains("portable"), "{err}");

    // The help says what the backends are.
    let o = kpio(&["wast", "--help"]);
    let out = stdout(&o);
    assert!(
        out.contains("--dispatch <BACKEND>") && out.contains("portable `match` loop"),
        "{out}"
    );
}

#[test]
fn help_mentions_subcommands() {
    let o = kpio(&["--help"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("run") && out.contains("wast"), "{out}");
    let o = kpio(&["run", "--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("--invoke"));
}

#[test]
fn kpio_perf_map_names_native_code_for_perf() {
    // With KPIO_PERF_MAP=1, every function the native tier publishes is listed in
    // /tmp/perf-PID.map as `START SIZE NAME`, so `perf report` can name JIT code.
    let dir = TempDir::new("perf-map");
    let wat = dir.file(
        "named.wat",
        r#"(module (func $square (export "square") (param i32) (result i32)
             local.get 0 local.get 0 i32.mul))"#,
    );
    let child = Command::new(KPIO)
        .env("KPIO_PERF_MAP", "1")
        .args(["run", "--tier", "jit", "--invoke", "square"])
        .arg(&wat)
        .arg("7")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run kpio");
    let map = PathBuf::from(format!("/tmp/perf-{}.map", child.id()));
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(stdout(&o), "49\n");
    let text = std::fs::read_to_string(&map).expect("the perf map was written");
    let _ = std::fs::remove_file(&map);
    let line = text
        .lines()
        .find(|l| l.ends_with(" square"))
        .unwrap_or_else(|| panic!("no line for `square` in {text:?}"));
    let mut parts = line.split(' ');
    let start = u64::from_str_radix(parts.next().unwrap(), 16).unwrap();
    let size = u64::from_str_radix(parts.next().unwrap(), 16).unwrap();
    assert!(start > 0 && size > 0, "{line}");

    // Off without the variable.
    let child = Command::new(KPIO)
        .env_remove("KPIO_PERF_MAP")
        .args(["run", "--tier", "jit", "--invoke", "square"])
        .arg(&wat)
        .arg("7")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let map = PathBuf::from(format!("/tmp/perf-{}.map", child.id()));
    let o = child.wait_with_output().unwrap();
    assert_eq!(stdout(&o), "49\n");
    assert!(!map.exists(), "{map:?} written without KPIO_PERF_MAP");
}

#[test]
fn jit_code_budget_bounds_the_native_tier_and_evicts_old_code() {
    // Two functions, JIT-only, room for one (each takes a 4 KiB page): compiling the
    // second evicts the first, and the result is still right.
    let dir = TempDir::new("jit-budget");
    let wat = dir.file(
        "two.wat",
        r#"(module
             (func $sq (param i32) (result i32) local.get 0 local.get 0 i32.mul)
             (func $inc (param i32) (result i32) local.get 0 i32.const 1 i32.add)
             (func (export "main") (param i32) (result i32)
               local.get 0 call $sq call $inc))"#,
    );
    let o = Command::new(KPIO)
        .args([
            "run",
            "--tier",
            "jit",
            "--jit-code-budget",
            "4K",
            "--jit-stats",
        ])
        .args(["--invoke", "main"])
        .arg(&wat)
        .arg("7")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o), "50\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("evicted to stay within the code budget"),
        "{err}"
    );

    // The default budget evicts nothing here.
    let o = Command::new(KPIO)
        .args(["run", "--tier", "jit", "--jit-stats", "--invoke", "main"])
        .arg(&wat)
        .arg("7")
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "50\n");
    assert!(!String::from_utf8_lossy(&o.stderr).contains("evicted"));

    // A size that is not one is refused, naming the flag.
    let o = Command::new(KPIO)
        .args(["run", "--jit-code-budget", "lots", "--invoke", "main"])
        .arg(&wat)
        .arg("7")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--jit-code-budget"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

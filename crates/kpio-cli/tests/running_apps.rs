//! Running apps as real processes: `kpio run <app>` does not hold the platform lock while
//! the app runs, `kpio ps` lists running instances, `kpio kill` and `kpio uninstall` stop
//! them, stale records of killed processes are pruned; `KPIO_HOME` is private and its
//! lock is not followed through a symlink; `kpio install` refuses endless and oversized
//! files before reading them.
//!
//! Children get a generous deadline (20 s) only so that a regression fails instead of
//! hanging the suite; nothing asserts how fast anything is.

mod guests;

use guests::{KPIO, ok, temp_dir, text};

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Deadline for any child: far above what a working command needs.
const DEADLINE: Duration = Duration::from_secs(20);

/// Waits for `child` until [`DEADLINE`]; kills it and panics if it is still running then.
fn wait_deadline(mut child: Child, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "`{what}` did not finish within {DEADLINE:?} (blocked?):\n{}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `kpio ARGS` in `home` to completion (or the deadline).
fn kpio(home: &Path, args: &[&str]) -> Output {
    let child = Command::new(KPIO)
        .env("KPIO_HOME", home)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_deadline(child, &format!("kpio {}", args.join(" ")))
}

/// A package of app `id` whose entry module is `wat`, with `permissions` (TOML lines).
fn package(dir: &Path, id: &str, wat: &str, permissions: &str) -> PathBuf {
    let manifest = format!(
        "[app]\nid = \"{id}\"\nname = \"{id}\"\nversion = \"1.0.0\"\nentry = \"app.wasm\"\n\n\
         [permissions]\n{permissions}\n"
    );
    let bytes = kpio_pkg::pack_entries([
        ("manifest.toml", manifest.into_bytes()),
        ("app.wasm", wat::parse_str(wat).unwrap()),
    ])
    .unwrap();
    let path = dir.join(format!("{id}.kpioapp"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Prints "started" and loops forever.
const LOOP: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "started\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))
    (loop $l (br $l))))"#;

/// Prints "started" and sleeps (poll_oneoff on a relative clock) for about 30 years.
const SLEEP: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $p (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "started\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))
    ;; subscription at 64: userdata 0, tag 0 (clock), clock id 1 (monotonic) at +8,
    ;; timeout at +16, precision at +24, flags 0 (relative) at +32.
    (i32.store8 (i32.const 72) (i32.const 0))
    (i32.store (i32.const 80) (i32.const 1))
    (i64.store (i32.const 88) (i64.const 1000000000000000000))
    (drop (call $p (i32.const 64) (i32.const 256) (i32.const 1) (i32.const 512)))))"#;

/// A home with the looping app installed.
fn home_with(id: &str, wat: &str) -> (PathBuf, PathBuf) {
    let home = temp_dir("lifecycle-home");
    let work = temp_dir("lifecycle-work");
    let pkg = package(&work, id, wat, "filesystem = \"read-write\"");
    ok(
        &kpio(&home, &["install", "--yes", pkg.to_str().unwrap()]),
        "install the app",
    );
    (home, work)
}

/// Starts `kpio run ARGS` and waits until the guest printed "started".
fn start_app(home: &Path, args: &[&str]) -> Child {
    let mut child = Command::new(KPIO)
        .env("KPIO_HOME", home)
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(line) if line == "started\n" => child,
        other => {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the app did not start ({other:?}): {:?}\n{}",
                out.status,
                text(&out.stderr)
            );
        }
    }
}

/// The running instances as `kpio ps --json` reports them: (instance, app_id, pid, state).
fn ps(home: &Path) -> Vec<(u64, String, u32, String)> {
    let out = ok(&kpio(home, &["ps", "--json"]), "ps --json");
    let v: serde_json::Value = serde_json::from_str(&out).expect("ps --json is JSON");
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["instance"].as_u64().unwrap(),
                r["app_id"].as_str().unwrap().to_string(),
                r["process"]["pid"].as_u64().unwrap() as u32,
                r["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn exit_of(child: Child, what: &str) -> (ExitStatus, String) {
    let out = wait_deadline(child, what);
    (out.status, text(&out.stderr))
}

#[test]
fn a_running_app_blocks_nothing_and_kill_ends_it() {
    let (home, work) = home_with("org.test.looper", LOOP);
    let other = package(&work, "org.test.other", LOOP, "");
    let child = start_app(&home, &["org.test.looper"]);
    let pid = child.id();

    // While it loops, every other command goes ahead.
    let list = ok(&kpio(&home, &["list"]), "list while an app runs");
    assert!(list.contains("org.test.looper"), "{list}");
    let info = ok(
        &kpio(&home, &["info", "org.test.looper"]),
        "info while an app runs",
    );
    assert!(!info.contains("last launched: never"), "{info}");
    ok(
        &kpio(&home, &["install", "--yes", other.to_str().unwrap()]),
        "install while an app runs",
    );

    // ps shows it, running, in this very process.
    let running = ps(&home);
    assert_eq!(running.len(), 1, "{running:?}");
    let (n, app, ps_pid, state) = running[0].clone();
    assert_eq!(
        (app.as_str(), ps_pid, state.as_str()),
        ("org.test.looper", pid, "running")
    );
    let table = ok(&kpio(&home, &["ps"]), "ps");
    assert!(
        table.contains("INSTANCE")
            && table.contains("org.test.looper")
            && table.contains(&pid.to_string()),
        "{table}"
    );

    // kill ends it through its SIGTERM handler: the guest is interrupted, the record goes.
    let killed = ok(&kpio(&home, &["kill", &n.to_string()]), "kill");
    assert!(killed.contains(&format!("instance {n}")), "{killed}");
    let (status, stderr) = exit_of(child, "the killed app");
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("stopped (SIGTERM)"), "{stderr}");
    assert!(ps(&home).is_empty());
    assert!(
        !home.join(format!("system/run/{n}.json")).exists(),
        "the record is removed"
    );
    let again = kpio(&home, &["kill", &n.to_string()]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("no running instance"),
        "{}",
        text(&again.stderr)
    );

    // Instance numbers are not reused.
    let child = start_app(&home, &["org.test.looper"]);
    let running = ps(&home);
    assert_eq!(running.len(), 1);
    assert!(running[0].0 > n, "{running:?}");
    ok(&kpio(&home, &["kill", &running[0].0.to_string()]), "kill 2");
    exit_of(child, "the second app");
}

#[test]
fn uninstall_stops_the_apps_running_instances_first() {
    let (home, _work) = home_with("org.test.looper", LOOP);
    let a = start_app(&home, &["org.test.looper"]);
    let b = start_app(&home, &["org.test.looper"]);
    assert_eq!(ps(&home).len(), 2);
    let out = ok(
        &kpio(&home, &["uninstall", "org.test.looper"]),
        "uninstall while running",
    );
    assert!(
        out.contains("after stopping its 2 running instances"),
        "{out}"
    );
    for (child, what) in [(a, "first instance"), (b, "second instance")] {
        let (status, stderr) = exit_of(child, what);
        assert!(!status.success(), "{what}: {stderr}");
    }
    assert!(ps(&home).is_empty());
    let list = ok(&kpio(&home, &["list"]), "list");
    assert!(!list.contains("org.test.looper"), "{list}");
    assert!(!home.join("apps/data/org.test.looper").exists());
}

#[test]
fn the_record_of_a_sigkilled_instance_is_pruned() {
    let (home, _work) = home_with("org.test.looper", LOOP);
    let mut child = start_app(&home, &["org.test.looper"]);
    let running = ps(&home);
    assert_eq!(running.len(), 1);
    let record = home.join(format!("system/run/{}.json", running[0].0));
    assert!(record.exists());
    // SIGKILL: no handler runs, the record stays behind.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(record.exists(), "a SIGKILLed run cannot clean up");
    assert!(ps(&home).is_empty(), "ps does not list a dead process");
    assert!(!record.exists(), "ps pruned the stale record");
    // And commands that take the lock still work.
    ok(&kpio(&home, &["list"]), "list");
}

#[test]
fn a_planted_lock_symlink_is_not_followed() {
    let home = temp_dir("lifecycle-home");
    let victim = temp_dir("lifecycle-victim").join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, home.join(".lock")).unwrap();
    for cmd in [&["list"][..], &["info", "x"], &["uninstall", "x"]] {
        let o = kpio(&home, cmd);
        assert!(!o.status.success(), "{cmd:?} must fail");
        let err = text(&o.stderr);
        assert!(
            err.contains(".lock") && err.contains("symbolic link"),
            "{cmd:?}: {err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        std::fs::symlink_metadata(home.join(".lock"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the symlink is left for the user to inspect"
    );
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn kpio_home_is_private() {
    let parent = temp_dir("lifecycle-parent");
    let home = parent.join("fresh");
    let work = temp_dir("lifecycle-work");
    let pkg = package(&work, "org.test.files", LOOP, "filesystem = \"read-write\"");
    // Whatever the caller's umask (0 here: everything would be world-writable).
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000 && exec '{KPIO}' install --yes '{}'",
            pkg.display()
        ))
        .env("KPIO_HOME", &home)
        .output()
        .unwrap();
    ok(&o, "install with umask 000");
    assert_eq!(mode(&home), 0o700, "KPIO_HOME");
    assert_eq!(mode(&home.join(".lock")), 0o600, "the lock");
    let mut seen = 0;
    let mut stack = vec![home.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let ft = std::fs::symlink_metadata(&p).unwrap().file_type();
            if ft.is_dir() {
                assert_eq!(mode(&p), 0o700, "{}", p.display());
                stack.push(p);
            } else {
                assert_eq!(mode(&p), 0o600, "{}", p.display());
            }
            seen += 1;
        }
    }
    assert!(seen > 5, "checked {seen} entries");

    // An existing home that others can read is made private.
    let open = temp_dir("lifecycle-open");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
    ok(&kpio(&open, &["list"]), "list");
    assert_eq!(mode(&open), 0o700);
}

#[test]
fn a_kpio_home_of_another_user_is_refused() {
    // Only root can give a directory away; elsewhere there is nothing to test.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to chown");
        return;
    }
    let home = temp_dir("lifecycle-theirs");
    std::os::unix::fs::chown(&home, Some(65534), Some(65534)).unwrap();
    let o = kpio(&home, &["list"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("belongs to user id 65534") && err.contains(home.to_str().unwrap()),
        "{err}"
    );
    assert!(!home.join(".lock").exists(), "nothing was created in it");
}

#[test]
fn install_refuses_endless_and_oversized_files_before_reading() {
    let home = temp_dir("lifecycle-home");
    let o = kpio(&home, &["install", "--yes", "/dev/zero"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("/dev/zero") && err.contains("character device"),
        "{err}"
    );

    let work = temp_dir("lifecycle-work");
    let sparse = work.join("huge.kpioapp");
    let f = std::fs::File::create(&sparse).unwrap();
    f.set_len(60 << 20).unwrap();
    drop(f);
    let o = kpio(&home, &["install", "--yes", sparse.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    let limit = kpio_pkg::Limits::default().max_package_bytes;
    assert!(
        err.contains(sparse.to_str().unwrap())
            && err.contains(&(60u64 << 20).to_string())
            && err.contains(&limit.to_string()),
        "{err}"
    );

    let dir = work.join("a-directory.kpioapp");
    std::fs::create_dir(&dir).unwrap();
    let o = kpio(&home, &["install", "--yes", dir.to_str().unwrap()]);
    assert!(
        text(&o.stderr).contains("is a directory"),
        "{}",
        text(&o.stderr)
    );
}

/// Runs installed app `id` with `guards` to its end: (exit status, stderr).
fn run_guarded(home: &Path, guards: &[&str], id: &str) -> (Option<i32>, String) {
    let mut args = vec!["run"];
    args.extend_from_slice(guards);
    args.push(id);
    let o = kpio(home, &args);
    (o.status.code(), text(&o.stderr))
}

#[test]
fn timeout_stops_a_looping_and_a_sleeping_app() {
    let (home, work) = home_with("org.test.looper", LOOP);
    let (code, err) = run_guarded(&home, &["--timeout", "1s"], "org.test.looper");
    assert_eq!(code, Some(124), "{err}");
    assert!(err.contains("timed out after 1s"), "{err}");
    assert!(ps(&home).is_empty(), "the record is gone");

    let sleeper = package(&work, "org.test.sleeper", SLEEP, "");
    ok(
        &kpio(&home, &["install", "--yes", sleeper.to_str().unwrap()]),
        "install",
    );
    let (code, err) = run_guarded(&home, &["--timeout", "500ms"], "org.test.sleeper");
    assert_eq!(code, Some(124), "{err}");
    assert!(err.contains("timed out after 500ms"), "{err}");

    // A timed-out app is not restarted, even with --restart.
    let (code, err) = run_guarded(
        &home,
        &["--restart", "--timeout", "300ms"],
        "org.test.looper",
    );
    assert_eq!(code, Some(124), "{err}");
}

/// Prints "started", then reads stdin (which the test keeps open and silent).
const READ_STDIN: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $r (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "started\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 64))
    (drop (call $r (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 32)))))"#;

#[test]
fn kill_ends_an_app_blocked_in_a_host_call() {
    let (home, _work) = home_with("org.test.reader", READ_STDIN);
    // stdin is a pipe nobody writes to: the read blocks where no interrupt check runs.
    let mut child = Command::new(KPIO)
        .env("KPIO_HOME", &home)
        .args(["run", "org.test.reader"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "started\n");
    let n = ps(&home)[0].0;
    ok(&kpio(&home, &["kill", &n.to_string()]), "kill");
    let (status, stderr) = exit_of(child, "the blocked app");
    // Its own grace period ran out first: it cleaned up and exited 143 itself.
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(ps(&home).is_empty());
    assert!(
        std::fs::read_dir(home.join("system/run"))
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".json"))
    );
    drop(stdin);
}

#[test]
fn kill_reaches_a_sleeping_app() {
    let (home, _work) = home_with("org.test.sleeper", SLEEP);
    let child = start_app(&home, &["org.test.sleeper"]);
    let n = ps(&home)[0].0;
    ok(&kpio(&home, &["kill", &n.to_string()]), "kill");
    let (status, stderr) = exit_of(child, "the killed sleeper");
    assert_eq!(status.code(), Some(143), "{stderr}");
}

#[test]
fn fuel_ends_a_looping_app_with_a_trap() {
    let (home, _work) = home_with("org.test.looper", LOOP);
    let (code, err) = run_guarded(&home, &["--fuel", "100000"], "org.test.looper");
    assert_eq!(code, Some(134), "{err}");
    assert!(err.contains("all fuel consumed"), "{err}");
}

#[test]
fn memory_limits_bound_an_installed_app() {
    let home = temp_dir("lifecycle-home");
    let work = temp_dir("lifecycle-work");
    // Needs 4 pages to start: over a 2-page --max-memory.
    let big = package(
        &work,
        "org.test.big",
        r#"(module (memory 4) (func (export "_start")))"#,
        "",
    );
    ok(
        &kpio(&home, &["install", "--yes", big.to_str().unwrap()]),
        "install",
    );
    let (code, err) = run_guarded(&home, &["--max-memory", "128K"], "org.test.big");
    assert_eq!(code, Some(134), "{err}");
    let (code, err) = run_guarded(&home, &["--max-memory", "256K"], "org.test.big");
    assert_eq!(code, Some(0), "{err}");

    // The manifest's memory limit is the app's whole budget: growing several memories
    // or tables past it fails. Here: 100 tables of 10M funcrefs with a 1-page limit.
    let tables: String = (0..100)
        .map(|i| format!("(table $t{i} 10000000 funcref)"))
        .collect();
    let greedy = package(
        &work,
        "org.test.greedy",
        &format!(r#"(module {tables} (memory 1) (func (export "_start")))"#),
        "memory_limit_pages = 1",
    );
    ok(
        &kpio(&home, &["install", "--yes", greedy.to_str().unwrap()]),
        "install",
    );
    let (code, err) = run_guarded(&home, &[], "org.test.greedy");
    assert_eq!(code, Some(134), "{err}");
    assert!(err.contains("table elements"), "{err}");
}

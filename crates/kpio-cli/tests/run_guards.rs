//! `kpio run` against runaway guests and user mistakes: `--timeout`, `--fuel` and
//! `--max-memory` stop guests that loop, sleep or allocate forever; a missing `--dir`, a
//! missing file, a `.wasm` file that is not wasm, and a file that would shadow an
//! installed app each get an error that says so.

mod guests;

use guests::{KPIO, temp_dir};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `kpio` in `dir` with `KPIO_HOME` inside it.
fn kpio_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(KPIO)
        .current_dir(dir)
        .env("KPIO_HOME", dir.join("home"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("kpio ended by a signal")
}

/// Writes a module file into `dir`.
fn module(dir: &Path, name: &str, wat: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, wat).unwrap();
    p
}

const LOOP_FOREVER: &str = r#"(module (func (export "_start") (loop br 0)))"#;

/// Sleeps for 292 years in one `poll_oneoff` clock subscription.
const SLEEP_FOREVER: &str = r#"
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  ;; subscription at 0: userdata 0, tag 0 (clock), clock id 1 (monotonic) at 16,
  ;; timeout at 24, precision 0, flags 0 (relative)
  (data (i32.const 16) "\01\00\00\00\00\00\00\00\ff\ff\ff\ff\ff\ff\ff\7f")
  (func (export "_start")
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
"#;

/// Grows its memory one page at a time until refused, then exits with the page count.
const GROW_UNTIL_REFUSED: &str = r#"
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func (export "_start")
    (block $done
      (loop $more
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (call $exit (memory.size))))
"#;

/// Exits with its argument count.
const ARGC: &str = r#"
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (call $exit (i32.load (i32.const 0)))))
"#;

#[test]
fn timeout_stops_a_guest_that_loops_forever() {
    let dir = temp_dir("guards-loop");
    module(&dir, "loop.wat", LOOP_FOREVER);
    let o = kpio_in(&dir, &["run", "--timeout", "300ms", "loop.wat"]);
    assert_eq!(code(&o), 124, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("timed out after 300ms"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn timeout_stops_a_guest_that_sleeps_forever() {
    let dir = temp_dir("guards-sleep");
    module(&dir, "sleep.wat", SLEEP_FOREVER);
    let o = kpio_in(&dir, &["run", "--timeout", "300ms", "sleep.wat"]);
    assert_eq!(code(&o), 124, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("timed out after 300ms"), "{err}");
    // The sleep was cut short and the guest stopped at the engine's interrupt, not by
    // the process giving up on a blocked host call.
    assert!(!err.contains("blocked in a host call"), "{err}");
}

#[test]
fn fuel_stops_a_guest_that_loops_forever() {
    let dir = temp_dir("guards-fuel");
    module(&dir, "loop.wat", LOOP_FOREVER);
    let o = kpio_in(&dir, &["run", "--fuel", "1000000", "loop.wat"]);
    assert_eq!(code(&o), 134, "{}", stderr(&o));
    assert!(stderr(&o).contains("all fuel consumed"), "{}", stderr(&o));
}

#[test]
fn max_memory_bounds_a_guest_that_allocates_forever() {
    let dir = temp_dir("guards-grow");
    module(&dir, "grow.wat", GROW_UNTIL_REFUSED);
    // 1 MiB is 16 pages: growth is refused there and the guest reports its size.
    let o = kpio_in(&dir, &["run", "--max-memory", "1MiB", "grow.wat"]);
    assert_eq!(code(&o), 16, "{}", stderr(&o));
    // A module that needs more than the limit to start does not start.
    module(
        &dir,
        "big.wat",
        r#"(module (memory 32) (func (export "_start")))"#,
    );
    let o = kpio_in(&dir, &["run", "--max-memory", "1MiB", "big.wat"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("memory"), "{}", stderr(&o));
}

#[test]
fn bad_guard_values_are_usage_errors() {
    let dir = temp_dir("guards-badguard");
    module(&dir, "loop.wat", LOOP_FOREVER);
    let o = kpio_in(&dir, &["run", "--timeout", "soon", "loop.wat"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("a duration such as"), "{}", stderr(&o));
    let o = kpio_in(&dir, &["run", "--max-memory", "lots", "loop.wat"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("a size such as"), "{}", stderr(&o));
}

#[test]
fn options_after_the_file_go_to_the_guest() {
    let dir = temp_dir("guards-argv");
    module(&dir, "argc.wat", ARGC);
    // Before FILE, --env is kpio's: argv is just the file.
    let o = kpio_in(&dir, &["run", "--env", "A=1", "argc.wat"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // After FILE, everything is the guest's, as in wasmtime.
    let o = kpio_in(&dir, &["run", "argc.wat", "--env", "A=1", "x"]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    // The examples in `kpio run --help` put options first.
    let help = kpio_in(&dir, &["run", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    for line in help
        .lines()
        .filter(|l| l.trim_start().starts_with("kpio run "))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let file = words
            .iter()
            .position(|w| w.ends_with(".wasm") || w.ends_with(".wat"));
        if let Some(file) = file {
            assert!(
                !words[file..].iter().any(|w| w.starts_with("--")),
                "help example passes options after FILE: {line}"
            );
        }
    }
}

#[test]
fn missing_dir_is_an_error_and_is_not_created() {
    let dir = temp_dir("guards-nodir");
    module(&dir, "argc.wat", ARGC);
    let o = kpio_in(&dir, &["run", "--dir", "typo/data", "argc.wat"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--dir typo/data: host directory typo/data does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(
        !dir.join("typo").exists(),
        "kpio created the missing directory"
    );
    std::fs::write(dir.join("plain"), "x").unwrap();
    let o = kpio_in(&dir, &["run", "--dir", "plain", "argc.wat"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("plain is not a directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_missing_file_says_so() {
    let dir = temp_dir("guards-missing");
    for name in ["missing.wasm", "missing.wat", "sub/x.wasm", "gone.kpioapp"] {
        let o = kpio_in(&dir, &["run", name]);
        assert_eq!(code(&o), 2);
        let err = stderr(&o);
        assert!(err.contains(&format!("{name}: no such file")), "{err}");
        assert!(!err.contains("installed app"), "{err}");
    }
    let o = kpio_in(&dir, &["run", "nothing-here"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("`nothing-here` is neither a file nor an installed app"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_wasm_file_without_the_magic_number_says_so() {
    let dir = temp_dir("guards-magic");
    std::fs::write(dir.join("text.wasm"), "hello, I am not a module\n").unwrap();
    std::fs::write(dir.join("empty.wasm"), "").unwrap();
    std::fs::write(dir.join("elf.wasm"), b"\x7fELF\x02\x01\x01\x00\xff\xfe").unwrap();
    for (name, start) in [
        ("text.wasm", "68 65 6c 6c 6f 2c 20 49"),
        ("empty.wasm", "nothing (it is empty)"),
        ("elf.wasm", "7f 45 4c 46 02 01 01 00"),
    ] {
        let o = kpio_in(&dir, &["run", name]);
        assert_eq!(code(&o), 2);
        let err = stderr(&o);
        assert!(
            err.contains(&format!("{name} is not a WebAssembly module"))
                && err.contains("magic number 00 61 73 6d")
                && err.contains(start),
            "{err}"
        );
    }
    // Text in a .wasm file is still accepted, as wasmtime does.
    module(&dir, "text-module.wasm", ARGC);
    let o = kpio_in(&dir, &["run", "text-module.wasm"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn a_file_does_not_silently_shadow_an_installed_app() {
    let dir = temp_dir("guards-shadow");
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("manifest.toml"),
        "[app]\nid = \"com.example.argc\"\nname = \"argc\"\nversion = \"1.0.0\"\nentry = \"app.wasm\"\n",
    )
    .unwrap();
    let wasm = wat::parse_str(ARGC).unwrap();
    std::fs::write(pkg.join("app.wasm"), &wasm).unwrap();
    let o = kpio_in(&dir, &["pack", "pkg", "-o", "argc.kpioapp"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = kpio_in(&dir, &["install", "--yes", "argc.kpioapp"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Installed apps run by name (argv is [name]).
    let o = kpio_in(&dir, &["run", "argc"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // A file called like the app makes the bare word ambiguous: refused, with both ways out.
    module(&dir, "argc", ARGC);
    let o = kpio_in(&dir, &["run", "argc", "x"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("`argc` is both a file here and the installed app com.example.argc")
            && err.contains("./argc")
            && err.contains("kpio run com.example.argc"),
        "{err}"
    );
    let o = kpio_in(&dir, &["run", "./argc", "x"]);
    assert_eq!(code(&o), 2, "the file runs: argv is [./argc, x]");
    let o = kpio_in(&dir, &["run", "com.example.argc", "x"]);
    assert_eq!(code(&o), 2, "the app runs: argv is [argc, x]");
}

#[test]
fn deep_recursion_prints_a_bounded_backtrace() {
    let dir = temp_dir("guards-recurse");
    module(
        &dir,
        "recurse.wat",
        r#"(module (func $f (call $f)) (func (export "_start") (call $f)))"#,
    );
    let o = kpio_in(&dir, &["run", "recurse.wat"]);
    assert_eq!(code(&o), 134, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("call stack exhausted"), "{err}");
    // Hundreds of thousands of frames deep, yet a screenful of backtrace.
    let omitted = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("... ")?
                .strip_suffix(" frames omitted")
        })
        .unwrap_or_else(|| panic!("no omitted-frames line in:\n{err}"));
    assert!(omitted.parse::<u64>().unwrap() > 100_000, "{omitted}");
    assert!(err.lines().count() < 100, "{} lines", err.lines().count());
    // The outermost frame keeps its true depth.
    assert!(err.lines().last().unwrap().contains("<func 1>"), "{err}");
}

#[test]
fn timeout_ends_a_guest_blocked_reading_stdin() {
    let dir = temp_dir("guards-stdin");
    module(
        &dir,
        "read.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "fd_read"
            (func $read (param i32 i32 i32 i32) (result i32)))
          (memory 1)
          (data (i32.const 0) "\10\00\00\00\00\01\00\00")
          (func (export "_start")
            (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    // stdin is a pipe nobody writes to or closes: the read blocks where no interrupt
    // check can reach it, and the process gives up on the guest after a grace period.
    let mut child = Command::new(KPIO)
        .current_dir(&dir)
        .args(["run", "--timeout", "200ms", "read.wat"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _stdin = child.stdin.take();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 124, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("timed out after 200ms")
            && stderr(&o).contains("blocked in a host call"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn timeout_and_fuel_stop_an_endless_tail_call_loop() {
    // A tail call reuses its frame, so no stack limit ever ends this loop.
    let dir = temp_dir("tailloop");
    module(
        &dir,
        "tail.wat",
        r#"(module (func $f (return_call $f)) (func (export "_start") (call $f)))"#,
    );
    let o = kpio_in(&dir, &["run", "--timeout", "300ms", "tail.wat"]);
    assert_eq!(code(&o), 124, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("timed out after 300ms"),
        "{}",
        stderr(&o)
    );
    let o = kpio_in(&dir, &["run", "--fuel", "1000000", "tail.wat"]);
    assert_eq!(code(&o), 134, "{}", stderr(&o));
    assert!(stderr(&o).contains("all fuel consumed"), "{}", stderr(&o));
}

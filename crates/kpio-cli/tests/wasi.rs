//! End-to-end WASI: real programs run under `kpio run` and natively, outputs compared.
//!
//! The Rust programs in `programs/rust` are built by this test for `wasm32-wasip1` and for
//! the host; the C program in `programs/c` is built with clang + wasi-libc and with the
//! host C compiler. `scripts/test.sh` installs the wasm target, clang, lld and wasi-libc.

mod guests;

use guests::*;
use std::path::Path;
use std::process::{Command, Output};

/// `kpio run [flags] WASM args...`
fn kpio(flags: &[&str], wasm: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut c = Command::new(KPIO);
    c.arg("run").args(flags).arg(wasm).args(args);
    run(c, stdin)
}

fn native(bin: &Path, cwd: &Path, envs: &[(&str, &str)], args: &[&str], stdin: &[u8]) -> Output {
    let mut c = Command::new(bin);
    c.current_dir(cwd)
        .args(args)
        .env_clear()
        .envs(envs.iter().copied());
    run(c, stdin)
}

#[test]
fn hello_args_and_env_match_native() {
    let dir = temp_dir("hello");
    let want = native(
        &rust_native("hello"),
        &dir,
        &[("KPIO_A", "1"), ("KPIO_B", "two words")],
        &["x", "y z"],
        b"",
    );
    // `--env NAME` passes the host's value on, like wasmtime.
    let mut c = Command::new(KPIO);
    c.args(["run", "--env", "KPIO_A=1", "--env", "KPIO_B"])
        .arg(rust_wasm("hello"))
        .args(["x", "y z"])
        .env("KPIO_B", "two words");
    let got = run(c, b"");
    assert!(got.status.success(), "{}", text(&got.stderr));
    assert_eq!(text(&got.stdout), text(&want.stdout));
    assert!(text(&got.stdout).starts_with("Hello from KPIO!\narg 1: x\narg 2: y z\n"));
}

#[test]
fn std_fs_operations_match_native() {
    let (a, b) = (temp_dir("fs-native"), temp_dir("fs-kpio"));
    let want = native(&rust_native("fs_ops"), &a, &[], &[], b"");
    check(want.clone(), "native fs_ops");
    let dir = format!("{}::.", b.display());
    let got = kpio(&["--dir", &dir], &rust_wasm("fs_ops"), &[], b"");
    assert!(
        got.status.success(),
        "kpio fs_ops:\n{}{}",
        text(&got.stdout),
        text(&got.stderr)
    );
    assert_eq!(text(&got.stdout), text(&want.stdout));
    // The program cleans up after itself: the preopened directory is empty again.
    assert_eq!(std::fs::read_dir(&b).unwrap().count(), 0);
}

#[test]
fn stdin_is_read_to_the_end() {
    let input = b"first line\nsecond line\nthird\n";
    let got = kpio(&[], &rust_wasm("stdin_upper"), &[], input);
    assert!(got.status.success(), "{}", text(&got.stderr));
    let want = native(&rust_native("stdin_upper"), Path::new(TMP), &[], &[], input);
    assert_eq!(text(&got.stdout), text(&want.stdout));
    assert_eq!(
        text(&got.stdout),
        "FIRST LINE\nSECOND LINE\nTHIRD\nlines: 3\n"
    );
}

#[test]
fn clocks_sleep_and_randomness_are_real() {
    let got = kpio(&[], &rust_wasm("clocks_random"), &[], b"");
    assert!(got.status.success(), "{}", text(&got.stderr));
    assert_eq!(
        text(&got.stdout),
        "realtime after 2020: true\nslept at least 20ms: true\nmonotonic: true\nrandom differs: true\n"
    );
}

#[test]
fn proc_exit_code_becomes_the_exit_status() {
    for code in [0, 3, 42] {
        let got = kpio(&[], &rust_wasm("exit_code"), &[&code.to_string()], b"");
        assert_eq!(got.status.code(), Some(code), "{}", text(&got.stderr));
        assert_eq!(text(&got.stdout), format!("exiting with {code}\n"));
        assert_eq!(text(&got.stderr), "to stderr\n");
    }
}

#[test]
fn a_trap_exits_non_zero_with_a_named_backtrace() {
    let got = kpio(&[], &rust_wasm("panics"), &["1", "2"], b"");
    assert_eq!(text(&got.stdout), "sum 3\n");
    assert_eq!(got.status.code(), Some(134), "{}", text(&got.stderr));
    let err = text(&got.stderr);
    assert!(
        err.contains("deliberate panic"),
        "the guest's panic message is shown:\n{err}"
    );
    assert!(err.contains("unreachable"), "{err}");
    assert!(err.contains("wasm backtrace:"), "{err}");
    // Frames are named from the name section (Rust symbols), not just indices.
    assert!(err.contains("panics::main"), "{err}");
}

#[test]
fn c_program_through_wasi_libc_matches_native() {
    let (wasm, bin) = c_program("files");
    let (a, b) = (temp_dir("c-native"), temp_dir("c-kpio"));
    let want = native(
        &bin,
        &a,
        &[("KPIO_GREETING", "hi there")],
        &["one", "5"],
        b"",
    );
    assert_eq!(
        want.status.code(),
        Some(5),
        "native: {}",
        text(&want.stderr)
    );
    let dir = format!("{}::.", b.display());
    let got = kpio(
        &["--dir", &dir, "--env", "KPIO_GREETING=hi there"],
        &wasm,
        &["one", "5"],
        b"",
    );
    assert_eq!(
        got.status.code(),
        Some(5),
        "kpio: {}{}",
        text(&got.stdout),
        text(&got.stderr)
    );
    assert_eq!(text(&got.stdout), text(&want.stdout));
    assert_eq!(text(&got.stderr), "done\n");
    assert_eq!(std::fs::read_dir(&b).unwrap().count(), 0);
}

#[test]
fn files_outside_the_preopen_are_unreachable() {
    let root = temp_dir("escape");
    let inner = root.join("inner");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::write(root.join("secret.txt"), "top secret").unwrap();
    std::os::unix::fs::symlink(root.join("secret.txt"), inner.join("link")).unwrap();
    let dir = format!("{}::.", inner.display());
    // A small module that tries `path_open` on whatever path it reads from stdin.
    let probe = Path::new(TMP).join("escape-probe.wat");
    std::fs::write(&probe, ESCAPE_PROBE).unwrap();
    for path in [
        "../secret.txt",
        "/secret.txt",
        "link",
        "sub/../../secret.txt",
    ] {
        let got = kpio(
            &["--dir", &dir, "--invoke", "open"],
            &probe,
            &[],
            path.as_bytes(),
        );
        assert!(got.status.success(), "{path}: {}", text(&got.stderr));
        let errno: i32 = text(&got.stdout).trim().parse().unwrap();
        assert_ne!(errno, 0, "opening {path} outside the preopen must fail");
    }
    // And the same probe can open a file that is inside.
    std::fs::write(inner.join("ok.txt"), "fine").unwrap();
    let got = kpio(&["--dir", &dir, "--invoke", "open"], &probe, &[], b"ok.txt");
    assert_eq!(text(&got.stdout).trim(), "0", "{}", text(&got.stderr));
}

/// Reads a path from stdin and returns the errno of `path_open` on preopen fd 3.
const ESCAPE_PROBE: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "open") (result i32)
    ;; iovec at 0: buf 64, len 256; nread at 16
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 256))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
    ;; path_open(fd 3, follow symlinks, path, len, oflags 0, rights read, 0, fdflags 0, out fd at 32)
    (call $path_open (i32.const 3) (i32.const 1) (i32.const 64) (i32.load (i32.const 16))
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 32))))"#;

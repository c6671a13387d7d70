//! End-to-end WASI: real programs run under `kpio run` and natively, outputs compared.
//!
//! The Rust programs in `programs/rust` are built by this test for `wasm32-wasip1` and for
//! the host; the C program in `programs/c` is built with clang + wasi-libc and with the
//! host C compiler. `scripts/test.sh` installs the wasm target, clang, lld and wasi-libc.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

const KPIO: &str = env!("CARGO_BIN_EXE_kpio");
const TMP: &str = env!("CARGO_TARGET_TMPDIR");

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs")
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // Build the guests as their own project, not with this test's flags.
    c.env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    c
}

fn check(out: Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds the Rust programs for wasm32-wasip1 and natively (once per test process);
/// returns the target directory.
fn rust_programs() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let target = Path::new(TMP).join("wasi-programs");
        let manifest = programs_dir().join("rust/Cargo.toml");
        for wasm in [true, false] {
            let mut c = cargo();
            c.args(["build", "--release", "--quiet", "--manifest-path"])
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&target);
            if wasm {
                c.args(["--target", "wasm32-wasip1"]);
            }
            check(
                c.output().expect("run cargo"),
                "building the Rust guest programs",
            );
        }
        target
    })
}

fn rust_wasm(name: &str) -> PathBuf {
    rust_programs().join(format!("wasm32-wasip1/release/{name}.wasm"))
}

fn rust_native(name: &str) -> PathBuf {
    rust_programs().join(format!("release/{name}"))
}

/// Builds `programs/c/NAME.c` with clang for wasm32-wasi and with the host compiler.
fn c_program(name: &str) -> (PathBuf, PathBuf) {
    let src = programs_dir().join(format!("c/{name}.c"));
    let out = Path::new(TMP).join("wasi-c");
    std::fs::create_dir_all(&out).unwrap();
    let (wasm, native) = (out.join(format!("{name}.wasm")), out.join(name));
    let o = Command::new("clang")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-o"])
        .arg(&wasm)
        .arg(&src)
        .output()
        .expect("clang is installed (scripts/test.sh installs clang, lld and wasi-libc)");
    check(o, "clang --target=wasm32-wasi");
    let o = Command::new("cc")
        .arg("-O2")
        .arg("-o")
        .arg(&native)
        .arg(&src)
        .output()
        .unwrap();
    check(o, "cc (native reference build)");
    (wasm, native)
}

/// A fresh empty directory.
fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = Path::new(TMP).join(format!(
        "wasi-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(mut c: Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

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

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
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

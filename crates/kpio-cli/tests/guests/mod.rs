//! Building and running guest programs, and fresh scratch directories, shared by the
//! end-to-end tests of the `kpio` binary (`wasi.rs`, `wasi_diff.rs`, `apps.rs`,
//! `running_apps.rs`, `run_guards.rs`).
//!
//! Rust guests in `programs/rust` are built with cargo for `wasm32-wasip1` (and natively);
//! C guests with clang + Debian's wasi-libc. `scripts/test.sh` installs the wasm target,
//! clang, lld and wasi-libc.

// Each test binary that includes this module uses a different subset of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub const KPIO: &str = env!("CARGO_BIN_EXE_kpio");
pub const TMP: &str = env!("CARGO_TARGET_TMPDIR");

pub fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs")
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // Build the guests as their own project, not with this test's flags.
    c.env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    c
}

pub fn check(out: Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds the Rust programs for wasm32-wasip1 and natively (once per test process);
/// returns the target directory.
pub fn rust_programs() -> &'static Path {
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

pub fn rust_wasm(name: &str) -> PathBuf {
    rust_programs().join(format!("wasm32-wasip1/release/{name}.wasm"))
}

pub fn rust_native(name: &str) -> PathBuf {
    rust_programs().join(format!("release/{name}"))
}

/// Compiles one C source file with clang for wasm32-wasi into `out`.
pub fn c_wasm(src: &Path, out: &Path) {
    let o = Command::new("clang")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-o"])
        .arg(out)
        .arg(src)
        .output()
        .expect("clang is installed (scripts/test.sh installs clang, lld and wasi-libc)");
    check(o, &format!("clang --target=wasm32-wasi {}", src.display()));
}

/// Builds `programs/c/NAME.c` with clang for wasm32-wasi and with the host compiler.
pub fn c_program(name: &str) -> (PathBuf, PathBuf) {
    let src = programs_dir().join(format!("c/{name}.c"));
    let out = Path::new(TMP).join("wasi-c");
    std::fs::create_dir_all(&out).unwrap();
    let (wasm, native) = (out.join(format!("{name}.wasm")), out.join(name));
    c_wasm(&src, &wasm);
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
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = Path::new(TMP).join(format!(
        "{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `c` with `stdin` as its input, capturing stdout and stderr.
pub fn run(mut c: Command, stdin: &[u8]) -> Output {
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

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts that a command succeeded, showing its output if not; returns its stdout.
pub fn ok(o: &Output, what: &str) -> String {
    assert!(
        o.status.success(),
        "{what} failed ({:?}):\n{}{}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

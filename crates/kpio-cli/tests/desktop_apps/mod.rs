//! The desktop's end-to-end tests' apps: the demo apps built from source (calculator and
//! text viewer in Rust with the kpio-guest SDK, paint in C with kpio.h) and small test
//! apps written in WAT, each packed into a real `.kpioapp` with the real `kpio pack`.

// Each test binary that includes this module uses some of its apps.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::guests::{KPIO, TMP, ok};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds examples/`name` (a Rust app) for wasm32-wasip1 and returns its module.
fn rust_example(name: &str, krate: &str) -> PathBuf {
    let target = Path::new(TMP).join(format!("desktop-build-{name}"));
    let o = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "--target", "wasm32-wasip1"])
        .arg("--manifest-path")
        .arg(repo().join(format!("examples/{name}/Cargo.toml")))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    ok(&o, &format!("building examples/{name}"));
    target.join(format!("wasm32-wasip1/release/{krate}.wasm"))
}

/// Copies examples/`name`/package with `wasm` as its module into a scratch directory and
/// packs it; returns the package.
fn pack_example(name: &str, wasm: &Path) -> PathBuf {
    let dir = Path::new(TMP).join(format!("desktop-pkg-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&repo().join(format!("examples/{name}/package")), &dir);
    std::fs::copy(wasm, dir.join("app.wasm")).unwrap();
    pack(&dir, name)
}

/// Packs a package directory into `TMP/NAME.kpioapp`.
pub fn pack(dir: &Path, name: &str) -> PathBuf {
    let out = Path::new(TMP).join(format!("{name}.kpioapp"));
    let o = Command::new(KPIO)
        .arg("pack")
        .arg(dir)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    ok(&o, &format!("kpio pack {}", dir.display()));
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst);
        } else if e.file_name() != "app.wasm" {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

pub fn calculator() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| pack_example("calculator", &rust_example("calculator", "calculator")))
}

pub fn text_viewer() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| pack_example("text-viewer", &rust_example("text-viewer", "text-viewer")))
}

pub fn hello_world() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| pack_example("hello-world", &rust_example("hello-world", "hello-world")))
}

pub fn paint() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let wasm = Path::new(TMP).join("desktop-paint.wasm");
        let src = repo().join("examples/c-paint/paint.c");
        let include = repo().join("crates/kpio-guest/include");
        let o = Command::new("clang")
            .args([
                "--target=wasm32-wasi",
                "--sysroot=/usr",
                "-O2",
                "-Wall",
                "-Werror",
            ])
            .arg("-I")
            .arg(&include)
            .arg("-o")
            .arg(&wasm)
            .arg(&src)
            .output()
            .expect("clang is installed (scripts/test.sh installs it)");
        ok(&o, "building examples/c-paint");
        pack_example("c-paint", &wasm)
    })
}

/// A test app written in WAT: `manifest` is the `[permissions]` table's body.
pub fn wat_app(id: &str, name: &str, permissions: &str, wat: &str) -> PathBuf {
    let dir = Path::new(TMP).join(format!("desktop-wat-{id}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("manifest.toml"),
        format!(
            "[app]\nid = \"{id}\"\nname = \"{name}\"\nversion = \"1.0.0\"\nentry = \"app.wasm\"\n\n\
             [permissions]\n{permissions}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("app.wasm"), wat::parse_str(wat).unwrap()).unwrap();
    pack(&dir, id)
}

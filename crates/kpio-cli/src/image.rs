//! `kpio image`: a bootable KPIO disk image with a chosen set of apps installed, and
//! `kpio image --run`, which boots it in QEMU.
//!
//! An image is bootloader 0.11's BIOS stages, the kernel (`kernel/`, built for
//! `x86_64-unknown-none`) and a ramdisk: a tar archive of a KPIO home in which the
//! packages were installed by the same code as `kpio install` (so the kernel finds the
//! registry, the apps' code and their seeded data in the hosted layout), plus
//! `system/boot.json`, what the boot does (`kernel/src/boot_plan.rs`).
//!
//! The kernel and the image writer are built from the KPIO source tree with cargo, each
//! in its own target directory under the tree's `target/` (or `$CARGO_TARGET_DIR`); the
//! image writer's build needs `RUSTC_BOOTSTRAP=1` for bootloader's boot stages, set for
//! that build only. So `kpio image` needs the source tree it was built from (or
//! `--source DIR`), rustup's `rust-src` and `llvm-tools` components, and the
//! `x86_64-unknown-none` target; `--run` needs `qemu-system-x86_64`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use kpio_pkg::Review;

/// What `kpio image` is asked to build.
#[derive(Debug, Clone, Default)]
pub struct ImageRequest {
    /// `.kpioapp` packages to install in the image.
    pub packages: Vec<PathBuf>,
    /// Where to write the image.
    pub out: PathBuf,
    /// Installed apps (id or name) to launch at boot.
    pub launch: Vec<String>,
    /// Start the desktop.
    pub desktop: bool,
    /// Leave QEMU once the launched apps ended (only without the desktop).
    pub exit_when_done: bool,
    /// The KPIO source tree; `None`: the one this `kpio` was built from.
    pub source: Option<PathBuf>,
    /// Make the kernel crash on purpose once booted (`page-fault`, `invalid-opcode`,
    /// `panic`), to see its fault report.
    pub crash: Option<String>,
}

/// Why an image could not be built or booted; each names what and where.
#[derive(Debug)]
pub enum ImageError {
    /// The source tree has no `kernel/`.
    NoSource(PathBuf),
    Io {
        what: String,
        error: std::io::Error,
    },
    /// A package failed to install into the image's home.
    Install {
        package: PathBuf,
        error: String,
    },
    /// A build step (cargo) failed.
    Build {
        what: &'static str,
        status: String,
    },
    /// A boot app that no package installs.
    UnknownLaunch(String),
    /// `qemu-system-x86_64` is not installed.
    NoQemu,
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::NoSource(p) => write!(
                f,
                "no KPIO source tree at {} (it needs kernel/Cargo.toml); pass --source DIR",
                p.display()
            ),
            ImageError::Io { what, error } => write!(f, "{what}: {error}"),
            ImageError::Install { package, error } => {
                write!(
                    f,
                    "cannot install {} into the image: {error}",
                    package.display()
                )
            }
            ImageError::Build { what, status } => write!(
                f,
                "building {what} failed ({status}); it needs rustup's x86_64-unknown-none \
                 target and the rust-src and llvm-tools components (scripts/test.sh adds them)"
            ),
            ImageError::UnknownLaunch(app) => write!(
                f,
                "--launch {app}: no package given with --app installs an app of that id or name"
            ),
            ImageError::NoQemu => write!(
                f,
                "qemu-system-x86_64 was not found; install it (Debian: apt-get install qemu-system-x86)"
            ),
        }
    }
}

impl std::error::Error for ImageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImageError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ImageError {
    let what = what.into();
    move |error| ImageError::Io { what, error }
}

/// The source tree: `--source`, else `$KPIO_SOURCE`, else where this binary was built.
pub fn source_tree(given: Option<&Path>) -> Result<PathBuf, ImageError> {
    let dir = given
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("KPIO_SOURCE").map(PathBuf::from))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    if !dir.join("kernel/Cargo.toml").is_file() {
        return Err(ImageError::NoSource(dir));
    }
    Ok(dir.canonicalize().unwrap_or(dir))
}

/// Where builds go: `$CARGO_TARGET_DIR`, else the source tree's `target/`.
fn target_dir(source: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| source.join("target"))
}

/// A cargo command for a build of our own, without what an outer cargo (a test run) set
/// for its build.
fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        c.env_remove(var);
    }
    c
}

fn run(mut cmd: Command, what: &'static str) -> Result<(), ImageError> {
    let status = cmd
        .status()
        .map_err(io(format!("cannot run cargo for {what}")))?;
    if !status.success() {
        return Err(ImageError::Build {
            what,
            status: status.to_string(),
        });
    }
    Ok(())
}

/// Builds the kernel; returns its ELF.
pub fn build_kernel(source: &Path) -> Result<PathBuf, ImageError> {
    let target = target_dir(source).join("kernel");
    let mut cmd = cargo();
    cmd.args([
        "build",
        "--release",
        "--locked",
        "--target",
        "x86_64-unknown-none",
    ])
    .arg("--manifest-path")
    .arg(source.join("kernel/Cargo.toml"))
    .arg("--target-dir")
    .arg(&target);
    run(cmd, "the kernel")?;
    Ok(target.join("x86_64-unknown-none/release/kpio-kernel"))
}

/// Writes the disk image from the kernel and the ramdisk.
fn write_disk(source: &Path, kernel: &Path, ramdisk: &Path, out: &Path) -> Result<(), ImageError> {
    let mut cmd = cargo();
    cmd.args(["run", "--release", "--locked", "-q"])
        .arg("--manifest-path")
        .arg(source.join("kernel/disk-image/Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir(source).join("disk-image"))
        // bootloader's build script compiles the boot stages with -Zbuild-std.
        .env("RUSTC_BOOTSTRAP", "1")
        .arg("--")
        .arg(kernel)
        .arg(ramdisk)
        .arg(out);
    run(cmd, "the disk image")
}

/// `system/boot.json` for the request.
pub fn boot_json(req: &ImageRequest) -> String {
    let run: Vec<serde_json::Value> = req
        .launch
        .iter()
        .map(|app| serde_json::json!({ "app": app }))
        .collect();
    let mut plan = serde_json::json!({
        "run": run,
        "desktop": req.desktop,
        "exit_when_done": req.exit_when_done,
    });
    if let Some(kind) = &req.crash {
        plan["crash"] = serde_json::Value::String(kind.clone());
    }
    plan.to_string()
}

/// Installs the packages into a fresh home at `home`, writes the boot plan into it, and
/// returns the installed apps' (id, name).
fn stage_home(req: &ImageRequest, home: &Path) -> Result<Vec<(String, String)>, ImageError> {
    if home.exists() {
        std::fs::remove_dir_all(home).map_err(io(format!("cannot clear {}", home.display())))?;
    }
    std::fs::create_dir_all(home).map_err(io(format!("cannot create {}", home.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home, std::fs::Permissions::from_mode(0o700))
            .map_err(io(format!("cannot make {} private", home.display())))?;
    }
    let mut installed = Vec::new();
    for package in &req.packages {
        let bytes =
            std::fs::read(package).map_err(io(format!("cannot read {}", package.display())))?;
        // Building an image is choosing its apps: they get the permissions they ask for,
        // as `kpio install --yes`.
        let message = crate::apps::install_at(
            home,
            &bytes,
            &package.display().to_string(),
            true,
            Review::AcceptRequested,
        )
        .map_err(|e| ImageError::Install {
            package: package.clone(),
            error: e.to_string(),
        })?;
        eprintln!("kpio image: {message}");
    }
    let apps = crate::apps::installed_apps_at(home).map_err(|e| ImageError::Install {
        package: home.to_path_buf(),
        error: e.to_string(),
    })?;
    for d in apps {
        installed.push((d.app_id, d.name));
    }
    for app in &req.launch {
        let folded = kpio_app::names::fold(app);
        let known = installed.iter().any(|(id, name)| {
            id == app
                || kpio_app::names::fold(id) == folded
                || kpio_app::names::fold(name) == folded
        });
        if !known {
            return Err(ImageError::UnknownLaunch(app.clone()));
        }
    }
    let system = home.join("system");
    std::fs::create_dir_all(&system).map_err(io(format!("cannot create {}", system.display())))?;
    std::fs::write(system.join("boot.json"), boot_json(req))
        .map_err(io("cannot write system/boot.json"))?;
    Ok(installed)
}

/// Writes `home` as a ustar archive (what the kernel's `kpio_vfs::tar` reads), leaving out
/// the hosted platform's lock and its records of running processes.
pub fn archive_home(home: &Path, out: &Path) -> Result<u64, ImageError> {
    let file =
        std::fs::File::create(out).map_err(io(format!("cannot create {}", out.display())))?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    let mut stack = vec![PathBuf::new()];
    let mut files = 0u64;
    while let Some(rel) = stack.pop() {
        let dir = home.join(&rel);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(io(format!("cannot list {}", dir.display())))?
            .collect::<Result<_, _>>()
            .map_err(io(format!("cannot list {}", dir.display())))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let path = rel.join(&name);
            if path == Path::new(".lock") || path == Path::new("system/run") {
                continue;
            }
            let meta = entry
                .metadata()
                .map_err(io(format!("cannot stat {}", entry.path().display())))?;
            let mut header = tar::Header::new_ustar();
            header.set_mtime(
                meta.modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_secs()),
            );
            let append = |tar: &mut tar::Builder<_>, header: &mut tar::Header, data: &[u8]| {
                tar.append_data(header, &path, data)
                    .map_err(io(format!("cannot archive {}", path.display())))
            };
            if meta.is_dir() {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                append(&mut tar, &mut header, &[])?;
                stack.push(path);
            } else if meta.is_file() {
                let data = std::fs::read(entry.path())
                    .map_err(io(format!("cannot read {}", entry.path().display())))?;
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                header.set_size(data.len() as u64);
                append(&mut tar, &mut header, &data)?;
                files += 1;
            }
            // Anything else (a symlink an app made) is not part of an installed home.
        }
    }
    tar.into_inner()
        .and_then(|mut w| std::io::Write::flush(&mut w))
        .map_err(io(format!("cannot write {}", out.display())))?;
    Ok(files)
}

/// Builds the image; returns its path.
pub fn build(req: &ImageRequest) -> Result<PathBuf, ImageError> {
    let source = source_tree(req.source.as_deref())?;
    let work = target_dir(&source)
        .join("image")
        .join(std::process::id().to_string());
    let home = work.join("home");
    let installed = stage_home(req, &home)?;
    let ramdisk = work.join("ramdisk.tar");
    let files = archive_home(&home, &ramdisk)?;
    eprintln!("kpio image: building the kernel");
    let kernel = build_kernel(&source)?;
    eprintln!("kpio image: writing {}", req.out.display());
    if let Some(parent) = req.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(io(format!("cannot create {}", parent.display())))?;
    }
    let out = std::path::absolute(&req.out).map_err(io(format!("{}", req.out.display())))?;
    write_disk(&source, &kernel, &ramdisk, &out)?;
    let _ = std::fs::remove_dir_all(&work);
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    let names: Vec<&str> = installed.iter().map(|(id, _)| id.as_str()).collect();
    eprintln!(
        "kpio image: wrote {} ({} KiB): {} apps ({}), {files} files in the ramdisk",
        out.display(),
        size / 1024,
        names.len(),
        if names.is_empty() {
            String::from("none")
        } else {
            names.join(", ")
        },
    );
    Ok(out)
}

/// How QEMU is started for an image: the serial console on stdout, `isa-debug-exit` for
/// the kernel's exit code, a CPU model with RDRAND (`-cpu max`), 1 GiB of memory.
pub fn qemu_command(image: &Path, headless: bool) -> Command {
    let mut c = Command::new("qemu-system-x86_64");
    c.arg("-drive")
        .arg(format!("format=raw,file={}", image.display()))
        .args(["-serial", "stdio"])
        .args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"])
        .args(["-cpu", "max", "-m", "1G", "-no-reboot"]);
    if headless {
        c.args(["-display", "none"]);
    }
    c
}

/// What QEMU's exit status says the kernel reported (`kernel/src/qemu.rs`).
pub fn kernel_exit(status: Option<i32>) -> Result<i32, String> {
    match status {
        Some(33) => Ok(0),
        Some(35) => Ok(1),
        Some(37) => Err(String::from("the kernel faulted (see the report above)")),
        Some(0) => Ok(0), // the window was closed
        Some(c) => Err(format!("QEMU exited with status {c}")),
        None => Err(String::from("QEMU was killed by a signal")),
    }
}

/// Boots `image` in QEMU and waits; returns the kernel's exit code. Without a display
/// (no `DISPLAY` or `WAYLAND_DISPLAY`) QEMU could not open its window, so it runs headless.
pub fn boot(image: &Path, headless: bool) -> Result<i32, ImageError> {
    let no_display =
        std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none();
    if no_display && !headless {
        eprintln!("kpio image: no display: booting headless (the serial console is below)");
    }
    let status = match qemu_command(image, headless || no_display).status() {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ImageError::NoQemu),
        Err(e) => return Err(io("cannot start qemu-system-x86_64")(e)),
    };
    kernel_exit(status.code()).map_err(|status| ImageError::Build {
        what: "the boot",
        status,
    })
}

//! End-to-end app platform: `kpio pack`, `install`, `list`, `info`, `run`, `uninstall` on a
//! fresh `KPIO_HOME`, the validation errors a user sees, and crash safety under real kills.

mod guests;

use guests::{KPIO, TMP, ok, temp_dir, text};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn kpio(home: &Path, args: &[&str]) -> Output {
    Command::new(KPIO)
        .env("KPIO_HOME", home)
        .args(args)
        .output()
        .unwrap()
}

/// The hello-world example's wasm, built once for wasm32-wasip1.
fn hello_wasm() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hello-world");
        let target = Path::new(TMP).join("hello-world");
        let o = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "build",
                "--release",
                "--quiet",
                "--target",
                "wasm32-wasip1",
                "--manifest-path",
            ])
            .arg(root.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .env_remove("RUSTFLAGS")
            .output()
            .unwrap();
        ok(&o, "building examples/hello-world");
        target.join("wasm32-wasip1/release/hello-world.wasm")
    })
}

/// A package directory: the example's manifest (with `version`), its resources and data,
/// the hello-world wasm, and `extra` bytes of resources (to make installs take a while).
fn package_dir(version: &str, extra: usize) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hello-world/package");
    let dir = temp_dir(&format!("apps-pkg-{version}"));
    let manifest = std::fs::read_to_string(src.join("manifest.toml")).unwrap();
    let manifest = manifest.replace("version = \"1.0.0\"", &format!("version = \"{version}\""));
    std::fs::write(dir.join("manifest.toml"), manifest).unwrap();
    std::fs::create_dir_all(dir.join("resources")).unwrap();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(
        src.join("resources/icon.png"),
        dir.join("resources/icon.png"),
    )
    .unwrap();
    std::fs::copy(src.join("data/welcome.txt"), dir.join("data/welcome.txt")).unwrap();
    std::fs::copy(hello_wasm(), dir.join("app.wasm")).unwrap();
    if extra > 0 {
        // Incompressible-ish bytes so the archive and the install are really that big.
        let mut x: u64 = 0x9e3779b97f4a7c15 ^ version.len() as u64;
        let bytes: Vec<u8> = (0..extra)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        for (i, chunk) in bytes.chunks(256 * 1024).enumerate() {
            std::fs::write(dir.join(format!("resources/blob{i}.bin")), chunk).unwrap();
        }
    }
    dir
}

fn pack(home: &Path, dir: &Path, out: &Path) {
    ok(
        &kpio(
            home,
            &["pack", dir.to_str().unwrap(), "-o", out.to_str().unwrap()],
        ),
        "kpio pack",
    );
}

#[test]
fn pack_install_list_run_update_uninstall() {
    let home = temp_dir("apps-home");
    let work = temp_dir("apps-work");
    let v1 = work.join("hello-1.kpioapp");
    pack(&home, &package_dir("1.0.0", 0), &v1);

    let out = ok(
        &kpio(&home, &["install", "--yes", v1.to_str().unwrap()]),
        "install v1",
    );
    assert!(
        out.contains("com.kpio.hello") && out.contains("1.0.0"),
        "{out}"
    );

    let list = ok(&kpio(&home, &["list", "--json"]), "list --json");
    assert!(
        list.contains("\"com.kpio.hello\"") && list.contains("\"1.0.0\""),
        "{list}"
    );
    let info = ok(&kpio(&home, &["info", "com.kpio.hello"]), "info");
    assert!(
        info.contains("hello-world") && info.contains("read-write"),
        "{info}"
    );

    let run = ok(
        &kpio(&home, &["run", "com.kpio.hello", "--", "one", "two"]),
        "run",
    );
    assert!(
        run.starts_with("Hello from KPIO!\narg[0] = hello-world\narg[1] = one\narg[2] = two\n"),
        "{run}"
    );
    assert!(run.contains("env KPIO_APP_ID=com.kpio.hello"), "{run}");
    assert!(run.contains("data: Welcome!"), "{run}");
    assert!(run.contains("launch #1"), "{run}");
    let run = ok(&kpio(&home, &["run", "com.kpio.hello"]), "run again");
    assert!(
        run.contains("launch #2"),
        "data persists across runs: {run}"
    );

    // Update keeps data/ (the launch counter) and replaces the code.
    let v2 = work.join("hello-2.kpioapp");
    pack(&home, &package_dir("1.1.0", 0), &v2);
    let out = ok(
        &kpio(&home, &["install", "--yes", v2.to_str().unwrap()]),
        "update to 1.1.0",
    );
    assert!(out.contains("1.1.0"), "{out}");
    let run = ok(&kpio(&home, &["run", "com.kpio.hello"]), "run after update");
    assert!(run.contains("launch #3"), "{run}");
    let info = ok(
        &kpio(&home, &["info", "com.kpio.hello"]),
        "info after update",
    );
    assert!(info.contains("1.1.0"), "{info}");

    // A downgrade is refused unless forced.
    let o = kpio(&home, &["install", "--yes", v1.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("1.0.0") && text(&o.stderr).contains("1.1.0"),
        "{}",
        text(&o.stderr)
    );
    ok(
        &kpio(
            &home,
            &["install", "--yes", "--force", v1.to_str().unwrap()],
        ),
        "forced downgrade",
    );

    // Uninstall removes the registration and every file of the app.
    ok(&kpio(&home, &["uninstall", "com.kpio.hello"]), "uninstall");
    let list = ok(&kpio(&home, &["list", "--json"]), "list after uninstall");
    assert!(!list.contains("com.kpio.hello"), "{list}");
    let o = kpio(&home, &["info", "com.kpio.hello"]);
    assert!(!o.status.success());
    let leftovers: Vec<_> = walk(&home)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("com.kpio.hello"))
        .collect();
    assert!(leftovers.is_empty(), "files left behind: {leftovers:?}");
}

#[test]
fn run_a_package_file_directly() {
    let home = temp_dir("apps-home-direct");
    let pkg = temp_dir("apps-direct").join("hello.kpioapp");
    pack(&home, &package_dir("1.0.0", 0), &pkg);
    let run = ok(
        &kpio(&home, &["run", pkg.to_str().unwrap(), "--", "x"]),
        "run X.kpioapp",
    );
    assert!(run.starts_with("Hello from KPIO!\n"), "{run}");
    assert!(run.contains("arg[1] = x"), "{run}");
}

#[test]
fn broken_packages_are_refused_with_the_reason() {
    let home = temp_dir("apps-home-bad");
    let work = temp_dir("apps-bad");
    // Not a ZIP at all.
    let junk = work.join("junk.kpioapp");
    std::fs::write(&junk, b"definitely not a zip").unwrap();
    let o = kpio(&home, &["install", "--yes", junk.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("junk.kpioapp"),
        "the error names the file: {err}"
    );

    // A manifest with a TOML syntax error: line and column are reported.
    let dir = package_dir("1.0.0", 0);
    std::fs::write(
        dir.join("manifest.toml"),
        "[app]\nid = \"com.kpio.hello\"\nname = \n",
    )
    .unwrap();
    let o = kpio(
        &home,
        &[
            "pack",
            dir.to_str().unwrap(),
            "-o",
            work.join("x.kpioapp").to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    let err = text(&o.stderr);
    // Compiler-style FILE:LINE:COLUMN.
    assert!(err.contains("manifest.toml:3:"), "{err}");

    // The entry is not WebAssembly.
    let dir = package_dir("1.0.0", 0);
    std::fs::write(dir.join("app.wasm"), b"MZ not wasm").unwrap();
    let o = kpio(
        &home,
        &[
            "pack",
            dir.to_str().unwrap(),
            "-o",
            work.join("y.kpioapp").to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("app.wasm"), "{}", text(&o.stderr));

    // Nothing was installed by any of this.
    let list = ok(&kpio(&home, &["list", "--json"]), "list");
    assert!(!list.contains("com.kpio.hello"), "{list}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            }
            out.push(p);
        }
    }
    out
}

/// Checks that what `kpio list --json` says is installed matches the files on disk, and
/// returns the installed version of the test app, if any.
fn consistent_version(home: &Path) -> Option<String> {
    let list = ok(&kpio(home, &["list", "--json"]), "list after a kill");
    let installed = list.contains("\"com.kpio.hello\"");
    let version = ["1.0.0", "2.0.0"]
        .into_iter()
        .find(|v| list.contains(&format!("\"{v}\"")));
    assert_eq!(installed, version.is_some(), "{list}");
    // After recovery no staging directory survives.
    let staging: Vec<_> = walk(home)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("staging"))
        .collect();
    assert!(
        staging.is_empty(),
        "staging left after recovery: {staging:?}"
    );
    if installed {
        // The registered version runs and really is that version's code and resources.
        let run = ok(&kpio(home, &["run", "com.kpio.hello"]), "run after a kill");
        assert!(run.starts_with("Hello from KPIO!"), "{run}");
        let info = ok(
            &kpio(home, &["info", "com.kpio.hello"]),
            "info after a kill",
        );
        assert!(info.contains(version.unwrap()), "{info}");
    }
    version.map(String::from)
}

#[test]
fn killing_install_and_update_at_random_points_leaves_old_or_new() {
    let home = temp_dir("apps-home-crash");
    let work = temp_dir("apps-crash");
    // Big enough (8 MB of resources) that an install takes a while to kill into.
    let (p1, p2) = (work.join("v1.kpioapp"), work.join("v2.kpioapp"));
    pack(&home, &package_dir("1.0.0", 8 << 20), &p1);
    pack(&home, &package_dir("2.0.0", 8 << 20), &p2);

    // How long an uninterrupted install takes, to spread the kills over it.
    let t = Instant::now();
    ok(
        &kpio(&home, &["install", "--yes", p1.to_str().unwrap()]),
        "timing install",
    );
    let full = t.elapsed().max(Duration::from_millis(5));
    ok(&kpio(&home, &["uninstall", "com.kpio.hello"]), "reset");

    let mut seed: u64 = 0x2545F4914F6CDD1D;
    let mut seen = std::collections::BTreeSet::new();
    // The kills spread over `scale` times the measured install time. Installs run slower
    // on a busy machine than the one timed above, so while every kill has landed before
    // the commit point the spread widens (and narrows while every kill has landed after
    // it), until both have been seen.
    let mut scale = 1.2;
    let both = |seen: &std::collections::BTreeSet<(bool, bool)>| {
        seen.iter().any(|(unchanged, _)| *unchanged)
            && seen.iter().any(|(unchanged, _)| !*unchanged)
    };
    for round in 0..96 {
        if round >= 24 && both(&seen) {
            break;
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let before = consistent_version(&home);
        // Alternate fresh installs and updates (and forced downgrades back to 1.0.0).
        let pkg = if before.as_deref() == Some("1.0.0") {
            &p2
        } else {
            &p1
        };
        let mut child = Command::new(KPIO)
            .env("KPIO_HOME", &home)
            .args(["install", "--yes", "--force", pkg.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let delay = full.mul_f64((seed % 1000) as f64 / 1000.0 * scale);
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        let after = consistent_version(&home);
        let target = if pkg == &p1 { "1.0.0" } else { "2.0.0" };
        // Old or new, never anything else.
        assert!(
            after == before || after.as_deref() == Some(target),
            "round {round}: before {before:?}, after {after:?}, target {target}, {status:?}"
        );
        seen.insert((before == after, status.success()));
        if !both(&seen) {
            scale *= if before == after { 1.3 } else { 0.8 };
        }
    }
    // The kills really landed both before and after the commit point.
    assert!(seen.iter().any(|(unchanged, _)| *unchanged), "{seen:?}");
    assert!(seen.iter().any(|(unchanged, _)| !*unchanged), "{seen:?}");
}

#[test]
fn a_corrupt_registry_is_restored_from_its_previous_generation_with_a_warning() {
    let home = temp_dir("apps-corrupt-home");
    let work = temp_dir("apps-corrupt-work");
    let v1 = work.join("hello-1.kpioapp");
    let v2 = work.join("hello-2.kpioapp");
    pack(&home, &package_dir("1.0.0", 0), &v1);
    pack(&home, &package_dir("2.0.0", 0), &v2);
    ok(
        &kpio(&home, &["install", "--yes", v1.to_str().unwrap()]),
        "install v1",
    );
    // The update's commit keeps the registry naming 1.0.0 as the previous generation.
    ok(
        &kpio(&home, &["install", "--yes", v2.to_str().unwrap()]),
        "update",
    );
    let registry = home.join("system/apps/registry.json");
    let full = std::fs::read(&registry).unwrap();
    std::fs::write(&registry, &full[..full.len() / 2]).unwrap();

    let o = kpio(&home, &["list"]);
    let listed = ok(&o, "list with a truncated registry");
    let warning = text(&o.stderr);
    assert!(
        warning.contains("kpio: warning:")
            && warning.contains("registry.json was corrupt")
            && warning.contains("restored the previous generation"),
        "{warning}"
    );
    assert!(listed.contains("com.kpio.hello"), "{listed}");
    // The damaged file is kept for inspection, and the warning is not repeated.
    assert!(home.join("system/apps/registry.json.corrupt").exists());
    let o = kpio(&home, &["list"]);
    ok(&o, "list again");
    assert!(!text(&o.stderr).contains("warning"), "{}", text(&o.stderr));
    // Every command works again: install over the restored state.
    ok(
        &kpio(&home, &["install", "--yes", v2.to_str().unwrap()]),
        "install after restore",
    );
}

/// `kpio install` under a pseudo-terminal (util-linux `script`), answering the permission
/// prompt with `answer`.
fn install_at_prompt(home: &Path, pkg: &Path, answer: &str) -> Output {
    let mut child = Command::new("script")
        .args(["-qec"])
        .arg(format!("{KPIO} install {}", pkg.display()))
        .arg("/dev/null")
        .env("KPIO_HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    // The prompt reads one line; `script` forwards it through the terminal.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{answer}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn installs_ask_for_permission_approval_and_remember_the_answer() {
    let home = temp_dir("review-home");
    let work = temp_dir("review-work");
    let v1 = work.join("hello-1.kpioapp");
    pack(&home, &package_dir("1.0.0", 0), &v1);

    // No terminal and no --yes: nothing is installed, and the error shows what was asked.
    let o = kpio(&home, &["install", v1.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    for want in [
        "its permissions need approval",
        "hello-world 1.0.0 (com.kpio.hello) asks for:",
        "files: read and write its own data folder",
        "network: none",
        "windows (gui): no",
        "--yes",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    assert_eq!(ok(&kpio(&home, &["list", "--json"]), "list").trim(), "[]");

    // Declined at the prompt: still nothing installed.
    let o = install_at_prompt(&home, &v1, "n");
    let shown = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(shown.contains("with these permissions? [y/N]"), "{shown}");
    assert!(shown.contains("were not approved"), "{shown}");
    assert_eq!(ok(&kpio(&home, &["list", "--json"]), "list").trim(), "[]");

    // Approved at the prompt: installed, and `kpio info` says how.
    let o = install_at_prompt(&home, &v1, "y");
    let shown = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{shown}");
    assert!(shown.contains("installed com.kpio.hello 1.0.0"), "{shown}");
    let info = ok(&kpio(&home, &["info", "com.kpio.hello"]), "info");
    assert!(
        info.contains("approved:      yes, at the install prompt"),
        "{info}"
    );

    // An update asking for the same permissions is not asked again.
    let v2 = work.join("hello-2.kpioapp");
    pack(&home, &package_dir("1.1.0", 0), &v2);
    ok(
        &kpio(&home, &["install", v2.to_str().unwrap()]),
        "same permissions",
    );
    let info = ok(&kpio(&home, &["info", "com.kpio.hello"]), "info");
    assert!(
        info.contains("approved:      yes, unchanged from the previous version"),
        "{info}"
    );

    // One asking for more is, and shows what had been approved.
    let dir = package_dir("1.2.0", 0);
    let manifest = std::fs::read_to_string(dir.join("manifest.toml")).unwrap();
    std::fs::write(
        dir.join("manifest.toml"),
        manifest.replace("network = \"none\"", "network = \"local\""),
    )
    .unwrap();
    let v3 = work.join("hello-3.kpioapp");
    pack(&home, &dir, &v3);
    let o = kpio(&home, &["install", v3.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("network: this computer only (localhost)"),
        "{err}"
    );
    assert!(err.contains("The installed version was approved for:\n  files: read and write its own data folder\n  network: none"), "{err}");
    let info = ok(&kpio(&home, &["info", "com.kpio.hello"]), "info");
    assert!(
        info.contains("version:       1.1.0"),
        "refused update changed nothing: {info}"
    );
    ok(
        &kpio(&home, &["install", "--yes", v3.to_str().unwrap()]),
        "--yes",
    );
    let info = ok(&kpio(&home, &["info", "com.kpio.hello"]), "info");
    assert!(
        info.contains("approved:      yes, unattended (--yes)"),
        "{info}"
    );
}

/// The `.kcode` files under `home`.
fn code_cache_files(home: &Path) -> Vec<PathBuf> {
    walk(home)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "kcode"))
        .collect()
}

#[test]
fn native_code_is_kept_between_launches_and_a_damaged_entry_is_discarded() {
    let home = temp_dir("apps-code-cache-home");
    let work = temp_dir("apps-code-cache-work");
    let pkg = work.join("hello.kpioapp");
    pack(&home, &package_dir("1.0.0", 0), &pkg);

    // Installed and compiled ahead of time.
    let out = ok(
        &kpio(
            &home,
            &["install", "--yes", "--precompile", pkg.to_str().unwrap()],
        ),
        "install --precompile",
    );
    assert!(out.contains("precompiled com.kpio.hello: "), "{out}");
    let files = code_cache_files(&home);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].starts_with(home.join("apps/cache/com.kpio.hello/code")),
        "{files:?}"
    );

    // The launch starts with that code: nothing compiled, functions loaded.
    let o = kpio(&home, &["run", "--jit-stats", "com.kpio.hello"]);
    let (stdout, stderr) = (ok(&o, "run with the cache"), text(&o.stderr));
    assert!(stdout.starts_with("Hello from KPIO!\n"), "{stdout}");
    assert!(stderr.contains("code cache: native code for "), "{stderr}");
    assert!(stderr.contains("loaded from the code cache"), "{stderr}");
    assert!(
        stderr.contains(": native tier: 0 functions compiled"),
        "{stderr}"
    );

    // A damaged entry: refused with a warning, deleted, and the app runs all the same.
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&files[0], &bytes).unwrap();
    let o = kpio(&home, &["run", "--jit-stats", "com.kpio.hello"]);
    let (stdout, stderr) = (ok(&o, "run with a damaged cache"), text(&o.stderr));
    assert!(stdout.starts_with("Hello from KPIO!\n"), "{stdout}");
    assert!(
        stderr.contains("warning: native code cache") && stderr.contains("damaged"),
        "{stderr}"
    );
    assert!(stderr.contains("code cache: entry discarded"), "{stderr}");
    assert!(!stderr.contains("loaded from the code cache"), "{stderr}");
    for f in code_cache_files(&home) {
        assert_ne!(
            std::fs::read(&f).unwrap(),
            bytes,
            "the damaged entry is gone"
        );
    }

    // Uninstalling deletes the app's code cache with it.
    ok(
        &kpio(
            &home,
            &[
                "install",
                "--yes",
                "--precompile",
                pkg.to_str().unwrap(),
                "--force",
            ],
        ),
        "reinstall",
    );
    assert_eq!(code_cache_files(&home).len(), 1);
    ok(&kpio(&home, &["uninstall", "com.kpio.hello"]), "uninstall");
    assert!(code_cache_files(&home).is_empty());
}

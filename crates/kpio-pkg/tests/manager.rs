//! Install, update, downgrade, uninstall, launch, isolation, permissions, restarts.

mod common;

use std::sync::Arc;

use common::*;
use kpio_app::{AppDescriptor, AppServices, AppState, AppType, KernelAppId, Permissions, Registry};
use kpio_pkg::{
    AppManager, InstallOptions, Package, PkgError, Progress, RunEnd, Stdio, pack_dir, run_package,
};
use kpio_vfs::{MountId, OpenOptions, Vfs};
use kpio_wasi::MemoryOutput;

fn install(m: &mut AppManager, bytes: &[u8]) -> Result<kpio_pkg::InstallOutcome, PkgError> {
    m.install(bytes, InstallOptions::accept_requested(), &mut |_| {})
}

/// Runs `id` and returns (outcome, stdout).
fn run(m: &mut AppManager, id: KernelAppId, args: &[&str]) -> (kpio_pkg::RunOutcome, String) {
    let out = MemoryOutput::new();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let outcome = m
        .launch(id, &args, &Stdio::capture(&out, &MemoryOutput::new()))
        .unwrap();
    (outcome, String::from_utf8(out.contents()).unwrap())
}

fn file(fs: &Arc<dyn kpio_vfs::Backend>, path: &str) -> Option<Vec<u8>> {
    snapshot(fs)
        .into_iter()
        .find(|(p, _)| p == path)
        .map(|(_, d)| d)
}

fn write(fs: &Arc<dyn kpio_vfs::Backend>, path: &str, data: &[u8]) {
    let mut vfs = Vfs::with_root(Arc::clone(fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let h = vfs
        .open(
            root,
            path,
            &OpenOptions::read_write_create().with_truncate(true),
        )
        .unwrap();
    vfs.write(h, data).unwrap();
    vfs.close(h).unwrap();
}

fn mkdir(fs: &Arc<dyn kpio_vfs::Backend>, path: &str) {
    let mut vfs = Vfs::with_root(Arc::clone(fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let mut cur = String::new();
    for part in path.split('/') {
        if !cur.is_empty() {
            cur.push('/');
        }
        cur.push_str(part);
        let _ = vfs.create_dir(root, &cur);
    }
}

#[test]
fn pack_install_list_info_launch_update_downgrade_uninstall() {
    // pack a directory
    let dir = std::env::temp_dir().join(format!("kpio-pkg-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("resources/img")).unwrap();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("manifest.toml"),
        manifest("org.example.hello", "1.0.0", "").replace(
            "description",
            "icon = \"resources/img/icon.png\"\ndescription",
        ),
    )
    .unwrap();
    std::fs::write(dir.join("app.wasm"), wasm(&echo_wat("hello v1"))).unwrap();
    std::fs::write(dir.join("resources/img/icon.png"), b"\x89PNG-icon").unwrap();
    std::fs::write(dir.join("resources/old.txt"), b"only in v1").unwrap();
    std::fs::write(dir.join("data/note.txt"), b"seeded").unwrap();
    std::fs::write(dir.join("src/main.rs"), b"fn main() {}").unwrap();
    let v1 = pack_dir(&dir).unwrap();
    assert_eq!(v1, pack_dir(&dir).unwrap(), "packing is deterministic");
    let pkg = Package::from_bytes(&v1).unwrap();
    assert!(
        !pkg.files.contains_key("src/main.rs"),
        "sources are left out"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // install
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    let mut events = Vec::new();
    let out = m
        .install(&v1, InstallOptions::accept_requested(), &mut |e| {
            events.push(e)
        })
        .unwrap();
    assert_eq!(out.id, KernelAppId(1));
    assert_eq!(out.previous_version, None);
    assert_eq!(out.new_version, "1.0.0");
    assert!(matches!(events.first(), Some(Progress::Validating { .. })));
    assert!(matches!(events.last(), Some(Progress::Done)));
    assert!(events.iter().any(|e| matches!(e, Progress::Committing)));
    let writes: Vec<&Progress> = events
        .iter()
        .filter(|e| matches!(e, Progress::Writing { .. }))
        .collect();
    assert_eq!(writes.len(), 5, "{events:?}");
    if let Some(Progress::Writing { done, total, .. }) = writes.last() {
        assert_eq!(done, total);
    }

    // list + info
    let ids: Vec<KernelAppId> = m.list().map(|d| d.id).collect();
    assert_eq!(ids, [KernelAppId(1)]);
    let info = m.info(out.id).unwrap().clone();
    assert_eq!(info.app_id, "org.example.hello");
    assert_eq!(info.name, "App org.example.hello");
    assert_eq!(info.version, "1.0.0");
    assert_eq!(info.app_type, AppType::WasmApp);
    assert_eq!(info.icon, b"\x89PNG-icon");
    assert_eq!(info.install_path, "/apps/data/org.example.hello/v1");
    assert_eq!(info.data_path, "/apps/data/org.example.hello/data");
    assert_eq!(info.entry, "app.wasm");
    assert_eq!(info.installed_at, T0);
    assert_eq!(info.last_launched, None);
    assert_eq!(m.find("org.example.hello").unwrap().id, out.id);
    assert_eq!(m.find("1").unwrap().id, out.id);
    assert_eq!(m.find("App org.example.hello").unwrap().id, out.id);
    assert!(matches!(m.find("nope"), Err(PkgError::NotInstalled { .. })));
    assert_eq!(
        paths(&snapshot(&fs)),
        [
            "apps/data/org.example.hello/",
            "apps/data/org.example.hello/data/",
            "apps/data/org.example.hello/data/note.txt",
            "apps/data/org.example.hello/v1/",
            "apps/data/org.example.hello/v1/app.wasm",
            "apps/data/org.example.hello/v1/manifest.toml",
            "apps/data/org.example.hello/v1/resources/",
            "apps/data/org.example.hello/v1/resources/img/",
            "apps/data/org.example.hello/v1/resources/img/icon.png",
            "apps/data/org.example.hello/v1/resources/old.txt",
            "system/apps/registry.json",
        ]
    );

    // launch: argv = [name, args…], env KPIO_APP_ID, data dir at /
    p.advance_ms(5);
    let (outcome, stdout) = run(&mut m, out.id, &["one", "two words"]);
    assert_eq!(outcome.runs.len(), 1);
    assert_eq!(*outcome.last(), RunEnd::Exited(0));
    assert_eq!(outcome.state, AppState::Registered);
    assert_eq!(
        stdout,
        "hello v1\nApp org.example.hello\none\ntwo words\nKPIO_APP_ID=org.example.hello\nnote=seeded\n"
    );
    let launched = T0 + 5_000_000;
    assert_eq!(m.info(out.id).unwrap().last_launched, Some(launched));
    // …committed:
    let mut vfs = Vfs::with_root(Arc::clone(&fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let on_disk = Registry::load(&mut vfs, root).unwrap();
    assert_eq!(on_disk.get(out.id).unwrap().last_launched, Some(launched));

    // the app changes its data
    write(
        &fs,
        "apps/data/org.example.hello/data/note.txt",
        b"user data",
    );

    // update: keeps data/, replaces the module and resources
    let v2 = package_with(
        "org.example.hello",
        "1.1.0",
        &wasm(&echo_wat("hello v2")),
        "",
        &[("data/note.txt", b"seed of v2 must not win")],
    );
    let up = install(&mut m, &v2).unwrap();
    assert_eq!(up.id, out.id);
    assert_eq!(up.previous_version.as_deref(), Some("1.0.0"));
    assert_eq!(up.new_version, "1.1.0");
    let info = m.info(out.id).unwrap().clone();
    assert_eq!(info.install_path, "/apps/data/org.example.hello/v2");
    assert_eq!(info.version, "1.1.0");
    assert_eq!(
        info.last_launched,
        Some(launched),
        "update keeps last_launched"
    );
    assert!(info.icon.is_empty(), "v2 has no icon");
    assert_eq!(
        paths(&snapshot(&fs)),
        [
            "apps/data/org.example.hello/",
            "apps/data/org.example.hello/data/",
            "apps/data/org.example.hello/data/note.txt",
            "apps/data/org.example.hello/v2/",
            "apps/data/org.example.hello/v2/app.wasm",
            "apps/data/org.example.hello/v2/manifest.toml",
            "apps/data/org.example.hello/v2/resources/",
            "apps/data/org.example.hello/v2/resources/r-1.1.0.txt",
            "system/apps/registry.json",
        ]
    );
    let (_, stdout) = run(&mut m, out.id, &[]);
    assert!(stdout.starts_with("hello v2\n"), "{stdout}");
    assert!(stdout.ends_with("note=user data\n"), "{stdout}");

    // downgrade refused, registry and files unchanged
    let before = snapshot(&fs);
    let v09 = package("org.example.hello", "0.9.0", "hello v0.9");
    let e = install(&mut m, &v09).unwrap_err();
    assert!(
        matches!(&e, PkgError::Downgrade { installed, new, .. } if installed == "1.1.0" && new == "0.9.0"),
        "{e:?}"
    );
    assert!(e.to_string().contains("--force"), "{e}");
    assert_eq!(snapshot(&fs), before);
    // forced
    let forced = m
        .install(
            &v09,
            InstallOptions {
                force: true,
                ..InstallOptions::accept_requested()
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(forced.previous_version.as_deref(), Some("1.1.0"));
    assert_eq!(
        m.info(out.id).unwrap().install_path,
        "/apps/data/org.example.hello/v3"
    );
    let (_, stdout) = run(&mut m, out.id, &[]);
    assert!(stdout.starts_with("hello v0.9\n") && stdout.ends_with("note=user data\n"));

    // the same version again is a reinstall
    install(&mut m, &v09).unwrap();

    // uninstall removes everything
    mkdir(&fs, "apps/storage/org.example.hello/idb");
    write(&fs, "apps/storage/org.example.hello/idb/x", b"1");
    mkdir(&fs, "apps/cache/org.example.hello");
    let gone = m.uninstall(out.id).unwrap();
    assert_eq!(gone.app_id, "org.example.hello");
    assert_eq!(m.list().count(), 0);
    assert_eq!(
        paths(&snapshot(&fs)),
        ["apps/cache/", "apps/storage/", "system/apps/registry.json"]
    );
    assert!(matches!(
        m.uninstall(out.id),
        Err(PkgError::NotInstalled { .. })
    ));
    // a new install gets a new id (never reused)
    let again = install(&mut m, &v1).unwrap();
    assert_eq!(again.id, KernelAppId(2));
}

#[test]
fn state_survives_reopening() {
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    let id = install(&mut m, &package("a.b", "1.0.0", "m")).unwrap().id;
    drop(m);
    let mut m = manager(Arc::clone(&fs), &p);
    assert_eq!(m.info(id).unwrap().version, "1.0.0");
    let (_, out) = run(&mut m, id, &[]);
    assert!(out.starts_with("m\n"));
}

#[test]
fn app_one_cannot_reach_app_ten() {
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    let ten = install(
        &mut m,
        &package_with(
            "a10",
            "1.0.0",
            &wasm(&echo_wat("ten")),
            "",
            &[("data/secret.txt", b"ten's secret")],
        ),
    )
    .unwrap()
    .id;
    let _ = ten;
    const READ: u64 = 2;
    for path in [
        "../../a10/data/secret.txt",
        "../a10/data/secret.txt",
        "/apps/data/a10/data/secret.txt",
        "../../../apps/data/a10/data/secret.txt",
        "../v1/manifest.toml",
        "../../../system/apps/registry.json",
    ] {
        let guest = wasm(&open_wat(path, 0, READ, ""));
        let id = install(&mut m, &package_with("a1", "1.0.0", &guest, "", &[]))
            .unwrap()
            .id;
        let (outcome, _) = run(&mut m, id, &[]);
        let code = outcome.runs[0].1.exit_code().unwrap();
        // perm (63) or notcapable (76): never success
        assert!(code == 63 || code == 76, "{path}: errno {code}");
        m.uninstall(id).unwrap();
    }
    // while its own data is reachable
    let guest = wasm(&open_wat("note.txt", 0, READ, ""));
    let id = install(&mut m, &package_with("a1", "1.0.0", &guest, "", &[]))
        .unwrap()
        .id;
    let (outcome, _) = run(&mut m, id, &[]);
    assert_eq!(*outcome.last(), RunEnd::Exited(0));
}

#[test]
fn filesystem_permission_is_enforced() {
    const WRITE: u64 = 64;
    const CREAT: u32 = 1;
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    let writer = wasm(&open_wat("out.txt", CREAT, WRITE, "written"));
    // read-write: the file appears in the app's data directory
    let id = install(&mut m, &package_with("rw", "1.0.0", &writer, "", &[]))
        .unwrap()
        .id;
    let (o, _) = run(&mut m, id, &[]);
    assert_eq!(*o.last(), RunEnd::Exited(0));
    assert_eq!(file(&fs, "apps/data/rw/data/out.txt").unwrap(), b"written");
    // read-only: rofs (69)
    let ro = package_with("ro", "1.0.0", &writer, "", &[]).clone();
    let ro_pkg = {
        let mut pkg = Package::from_bytes(&ro).unwrap();
        pkg.manifest.permissions.filesystem = kpio_pkg::FsAccess::ReadOnly;
        pkg
    };
    let id = m
        .install_package(&ro_pkg, InstallOptions::accept_requested(), &mut |_| {})
        .unwrap()
        .id;
    let (o, _) = run(&mut m, id, &[]);
    assert_eq!(*o.last(), RunEnd::Exited(69));
    // none: no preopen at all, fd 3 is badf (8)
    let mut none_pkg = ro_pkg.clone();
    none_pkg.manifest.id = "none".into();
    // Display names are unique (compared folded), like ids.
    none_pkg.manifest.name = "App none".into();
    none_pkg.manifest.permissions.filesystem = kpio_pkg::FsAccess::None;
    let id = m
        .install_package(&none_pkg, InstallOptions::accept_requested(), &mut |_| {})
        .unwrap()
        .id;
    let (o, _) = run(&mut m, id, &[]);
    assert_eq!(*o.last(), RunEnd::Exited(8));
    assert_eq!(
        m.info(id).unwrap().permissions,
        Permissions {
            filesystem: kpio_app::FsPermission::None,
            ..Permissions::default()
        }
    );
}

#[test]
fn a_failing_app_is_restarted_three_times_then_stays_failed() {
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    let id = install(
        &mut m,
        &package_with("fails", "1.0.0", &wasm(&exit_wat(1)), "", &[]),
    )
    .unwrap()
    .id;
    let (outcome, stdout) = run(&mut m, id, &[]);
    assert_eq!(outcome.runs.len(), 4);
    assert_eq!(outcome.restarts(), 3);
    assert!(outcome.runs.iter().all(|(_, e)| *e == RunEnd::Exited(1)));
    assert_eq!(outcome.state, AppState::Failed);
    assert_eq!(m.lifecycle().app_state(id), AppState::Failed);
    for (inst, _) in &outcome.runs {
        assert_eq!(m.lifecycle().state(*inst), Some(AppState::Failed));
    }
    assert_eq!(stdout, "run\nrun\nrun\nrun\n");
    assert_eq!(p.sleeps(), [100, 200, 400]);
    // a user's launch tries again (4 more runs)
    let (outcome, _) = run(&mut m, id, &[]);
    assert_eq!(outcome.runs.len(), 4);
    assert_eq!(p.sleeps().len(), 6);
}

#[test]
fn a_trapping_app_fails_with_the_reason() {
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p).with_restart_policy(kpio_app::RestartPolicy {
        max_restarts: 0,
        ..Default::default()
    });
    let trap = wasm("(module (func (export \"_start\") unreachable))");
    let id = install(&mut m, &package_with("traps", "1.0.0", &trap, "", &[]))
        .unwrap()
        .id;
    let (outcome, _) = run(&mut m, id, &[]);
    assert_eq!(outcome.runs.len(), 1);
    assert!(
        matches!(outcome.last(), RunEnd::Trapped(why) if why.contains("unreachable")),
        "{outcome:?}"
    );
    assert_eq!(outcome.state, AppState::Failed);
    assert!(p.sleeps().is_empty());
}

#[test]
fn memory_limit_permission_is_enforced() {
    // grows by 8 pages: exit 7 if memory.grow returned -1, else 0
    let grower = wasm(
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (if (i32.eq (memory.grow (i32.const 8)) (i32.const -1))
              (then (call $exit (i32.const 7))))))"#,
    );
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    let free = install(&mut m, &package_with("free", "1.0.0", &grower, "", &[]))
        .unwrap()
        .id;
    assert_eq!(*run(&mut m, free, &[]).0.last(), RunEnd::Exited(0));
    let capped = install(
        &mut m,
        &package_with("capped", "1.0.0", &grower, "memory_limit_pages = 4\n", &[]),
    )
    .unwrap()
    .id;
    assert_eq!(
        m.info(capped).unwrap().permissions.memory_limit_pages,
        Some(4)
    );
    assert_eq!(*run(&mut m, capped, &[]).0.last(), RunEnd::Exited(7));
    // a module that needs more than its cap to start cannot be instantiated
    let big = wasm(r#"(module (memory (export "memory") 16) (func (export "_start")))"#);
    let id = install(
        &mut m,
        &package_with("big", "1.0.0", &big, "memory_limit_pages = 4\n", &[]),
    )
    .unwrap()
    .id;
    let (o, _) = run(&mut m, id, &[]);
    assert!(matches!(o.runs[0].1, RunEnd::Trapped(_)), "{o:?}");
}

#[test]
fn an_unlinkable_app_is_not_restarted() {
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    let guest = wasm(r#"(module (import "env" "missing" (func)) (func (export "_start")))"#);
    let id = install(&mut m, &package_with("link", "1.0.0", &guest, "", &[]))
        .unwrap()
        .id;
    let e = m.launch(id, &[], &Stdio::null()).unwrap_err();
    assert!(
        matches!(&e, PkgError::Link { app, error } if app == "link" && error.contains("env.missing") || error.contains("missing")),
        "{e:?}"
    );
    assert!(p.sleeps().is_empty());
}

#[test]
fn recover_removes_what_the_registry_does_not_name() {
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    install(&mut m, &package("a.b", "1.0.0", "m")).unwrap();
    let clean = snapshot(&fs);
    drop(m);
    for d in [
        "apps/data/ghost/v1",
        "apps/data/a.b/v2.staging/resources",
        "apps/data/a.b/v7",
        "apps/data/a.b/data.staging",
        "apps/storage/ghost",
        "apps/cache/ghost",
    ] {
        mkdir(&fs, d);
    }
    write(&fs, "apps/data/a.b/v7/app.wasm", b"old");
    write(&fs, "apps/data/ghost/v1/app.wasm", b"x");
    let mut m = manager(Arc::clone(&fs), &p);
    let mut expected = clean.clone();
    expected.push(("apps/cache/".into(), Vec::new()));
    expected.push(("apps/storage/".into(), Vec::new()));
    expected.sort();
    assert_eq!(paths(&snapshot(&fs)), paths(&expected));
    assert_eq!(snapshot(&fs), expected);
    assert!(m.recover().unwrap().removed.is_empty());
}

#[test]
fn ids_of_other_app_types_are_not_taken_over() {
    let fs = memory_fs();
    {
        let mut vfs = Vfs::with_root(Arc::clone(&fs)).unwrap();
        let root = vfs.open_root(MountId(0)).unwrap();
        let mut reg = Registry::new();
        let id = reg.allocate_id().unwrap();
        reg.register(AppDescriptor {
            id,
            app_id: "web.app".into(),
            name: "Web".into(),
            version: "1.0.0".into(),
            app_type: AppType::WebApp,
            icon: Vec::new(),
            install_path: "/apps/web/web.app".into(),
            data_path: "/apps/data/web.app".into(),
            entry: "index.html".into(),
            permissions: Permissions::default(),
            installed_at: 0,
            last_launched: None,
            approval: None,
        })
        .unwrap();
        reg.commit(&mut vfs, root).unwrap();
    }
    mkdir(&fs, "apps/data/web.app/whatever");
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    assert!(
        file(&fs, "apps/data/web.app/whatever/").is_some(),
        "recover leaves registered web apps alone"
    );
    let e = install(&mut m, &package("web.app", "2.0.0", "m")).unwrap_err();
    assert!(matches!(e, PkgError::Conflict { .. }), "{e:?}");
    assert!(matches!(
        m.uninstall(KernelAppId(1)),
        Err(PkgError::Conflict { .. })
    ));
    assert!(matches!(
        m.launch(KernelAppId(1), &[], &Stdio::null()),
        Err(PkgError::Conflict { .. })
    ));
}

#[test]
fn app_services_syscall_surface() {
    let fs = memory_fs();
    let p = platform();
    let out = MemoryOutput::new();
    let mut m =
        manager(Arc::clone(&fs), &p).with_default_stdio(Stdio::capture(&out, &MemoryOutput::new()));
    // Nobody can be asked through the syscall, so it installs only what was approved: a
    // new app is refused, an update asking for the approved permissions goes through.
    let first = install(&mut m, &package("svc.app", "1.0.0", "svc")).unwrap();
    let mut svc: Box<dyn AppServices> = Box::new(m);
    let e = svc
        .install(&package("other.app", "1.0.0", "other"))
        .unwrap_err();
    assert!(
        matches!(&e, kpio_app::AppError::Permission { what } if what.contains("approved")),
        "{e:?}"
    );
    let id = svc.install(&package("svc.app", "1.0.1", "svc")).unwrap();
    assert_eq!(id, first.id);
    assert_eq!(svc.list(), [id]);
    assert_eq!(svc.info(id).unwrap().app_id, "svc.app");
    let inst = svc.launch(id, vec!["x".into()]).unwrap();
    assert_eq!(inst.0, 1);
    assert!(String::from_utf8(out.contents()).unwrap().contains("\nx\n"));
    // the instance already finished
    assert!(matches!(
        svc.terminate(inst),
        Err(kpio_app::AppError::InvalidTransition { .. })
    ));
    let e = svc.install(b"garbage").unwrap_err();
    assert!(matches!(e, kpio_app::AppError::Invalid(_)), "{e:?}");
    let e = svc
        .install(&package("svc.app", "0.1.0", "old"))
        .unwrap_err();
    assert!(matches!(e, kpio_app::AppError::Exists(_)), "{e:?}");
    svc.uninstall(id).unwrap();
    assert!(svc.list().is_empty());
    assert!(matches!(svc.info(id), Err(kpio_app::AppError::NotFound(_))));
}

#[test]
fn running_a_package_without_installing_it() {
    let pkg = Package::from_bytes(&package("tmp.app", "1.0.0", "temp")).unwrap();
    let out = MemoryOutput::new();
    let end = run_package(
        &pkg,
        &["a".to_string()],
        &Stdio::capture(&out, &MemoryOutput::new()),
        &platform(),
        kpio_wasm::Config::default(),
    )
    .unwrap();
    assert_eq!(end, RunEnd::Exited(0));
    assert_eq!(
        String::from_utf8(out.contents()).unwrap(),
        "temp\nApp tmp.app\na\nKPIO_APP_ID=tmp.app\nnote=seed 1.0.0\n"
    );
}

#[test]
fn a_tampered_registry_cannot_redirect_an_app() {
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    let id = install(&mut m, &package("a.b", "1.0.0", "m")).unwrap().id;
    drop(m);
    // point the app's data directory at the system directory
    let mut vfs = Vfs::with_root(Arc::clone(&fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let mut reg = Registry::load(&mut vfs, root).unwrap();
    let mut d = reg.get(id).unwrap().clone();
    d.data_path = "/system".into();
    reg.update(d).unwrap();
    reg.commit(&mut vfs, root).unwrap();
    let mut m = manager(Arc::clone(&fs), &p);
    let e = m.launch(id, &[], &Stdio::null()).unwrap_err();
    assert!(
        matches!(&e, PkgError::Corrupt { path, reason } if path == "system/apps/registry.json" && reason.contains("/system")),
        "{e:?}"
    );
}

#[test]
fn a_hand_built_package_is_checked_again() {
    let fs = memory_fs();
    let p = platform();
    let mut m = manager(Arc::clone(&fs), &p);
    let good = Package::from_bytes(&package("a.b", "1.0.0", "m")).unwrap();
    let before = snapshot(&fs);
    let mut bad = good.clone();
    bad.files
        .insert("../../../system/evil".into(), b"x".to_vec());
    let e = m
        .install_package(&bad, InstallOptions::accept_requested(), &mut |_| {})
        .unwrap_err();
    assert!(matches!(e, PkgError::PathEscape { .. }), "{e:?}");
    let mut bad = good.clone();
    bad.data.insert("/abs".into(), b"x".to_vec());
    let e = m
        .install_package(&bad, InstallOptions::accept_requested(), &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(&e, PkgError::PathEscape { entry, .. } if entry == "data//abs"),
        "{e:?}"
    );
    let mut bad = good.clone();
    bad.manifest.id = "../x".into();
    let e = m
        .install_package(&bad, InstallOptions::accept_requested(), &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(e, PkgError::InvalidField { field: "id", .. }),
        "{e:?}"
    );
    assert_eq!(snapshot(&fs), before);
}

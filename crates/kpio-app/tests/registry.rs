//! Registry: operations, JSON, and persistence in the VFS (memory and host directory, and
//! across a new process).

mod common;

use std::sync::Arc;

use common::{TempDir, add, full_desc, memory_backend, system_vfs};
use kpio_app::{
    AppDescriptor, AppError, AppType, KernelAppId, NetworkPermission, Permissions, Registry,
};
use kpio_vfs::{Backend, HostFs, HostOptions, OpenOptions};

#[test]
fn ids_start_at_one_and_are_never_reused() {
    let mut reg = Registry::new();
    assert_eq!(reg.next_id(), KernelAppId(1));
    let a = add(&mut reg, "com.a", "A", AppType::WasmApp);
    let b = add(&mut reg, "com.b", "B", AppType::WebApp);
    assert_eq!((a, b), (KernelAppId(1), KernelAppId(2)));
    reg.unregister(b).unwrap();
    let c = add(&mut reg, "com.c", "C", AppType::WasmApp);
    assert_eq!(c, KernelAppId(3));
    assert_eq!(c.to_string(), "3");
}

#[test]
fn register_get_list_find_update_unregister() {
    let mut reg = Registry::new();
    let hello = add(&mut reg, "com.kpio.hello", "Hello", AppType::WasmApp);
    let web = add(&mut reg, "com.kpio.web", "Browser Thing", AppType::WebApp);
    let calc = add(&mut reg, "com.kpio.calc", "Calculator", AppType::WasmApp);

    assert_eq!(reg.len(), 3);
    assert_eq!(reg.get(hello).unwrap().app_id, "com.kpio.hello");
    assert!(reg.get(KernelAppId(99)).is_none());
    let ids: Vec<_> = reg.list().map(|d| d.id).collect();
    assert_eq!(ids, [hello, web, calc]);

    assert_eq!(reg.find_by_name("com.kpio.calc").unwrap().id, calc);
    assert_eq!(reg.find_by_name("Browser Thing").unwrap().id, web);
    assert_eq!(
        reg.find_by_name("calculator").unwrap().id,
        calc,
        "names are compared case-folded"
    );
    assert!(reg.find_by_name("calculato").is_none());
    let wasm: Vec<_> = reg
        .find_by_type(AppType::WasmApp)
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(wasm, [hello, calc]);
    assert!(reg.find_by_type(AppType::NativeApp).is_empty());

    let mut d = reg.get(hello).unwrap().clone();
    d.version = "2.0.0".into();
    d.last_launched = Some(42);
    reg.update(d.clone()).unwrap();
    assert_eq!(reg.get(hello), Some(&d));

    let removed = reg.unregister(web).unwrap();
    assert_eq!(removed.app_id, "com.kpio.web");
    assert!(reg.get(web).is_none());
    assert!(reg.find_by_name("com.kpio.web").is_none());
    assert!(matches!(reg.unregister(web), Err(AppError::NotFound(_))));
}

#[test]
fn registry_refuses_duplicates_and_unallocated_ids() {
    let mut reg = Registry::new();
    add(&mut reg, "com.a", "A", AppType::WasmApp);

    let id = reg.allocate_id().unwrap();
    let err = reg
        .register(full_desc(id, "com.a", "Other", AppType::WasmApp))
        .unwrap_err();
    assert!(
        matches!(err, AppError::Exists(ref s) if s.contains("com.a")),
        "{err}"
    );
    assert_eq!(err.errno(), kpio_app::Errno::EEXIST);

    let err = reg
        .register(full_desc(KernelAppId(1), "com.b", "B", AppType::WasmApp))
        .unwrap_err();
    assert!(matches!(err, AppError::Exists(_)), "{err}");

    let err = reg
        .register(full_desc(KernelAppId(50), "com.b", "B", AppType::WasmApp))
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)), "{err}");

    let mut bad = full_desc(id, "", "B", AppType::WasmApp);
    assert!(matches!(
        reg.register(bad.clone()),
        Err(AppError::Invalid(_))
    ));
    bad.app_id = "com.b".into();
    bad.permissions.network = NetworkPermission::AllowList(vec!["not a host".into()]);
    assert!(matches!(reg.register(bad), Err(AppError::Invalid(_))));

    let b = reg
        .register(full_desc(id, "com.b", "B", AppType::WasmApp))
        .unwrap();
    let mut clash = reg.get(b).unwrap().clone();
    clash.app_id = "com.a".into();
    assert!(matches!(reg.update(clash), Err(AppError::Exists(_))));
    let ghost = full_desc(KernelAppId(77), "com.x", "X", AppType::WasmApp);
    assert!(matches!(reg.update(ghost), Err(AppError::NotFound(_))));
}

#[test]
fn every_descriptor_field_round_trips_through_json() {
    let d = full_desc(
        KernelAppId(9),
        "com.kpio.hello",
        "Hello",
        AppType::NativeApp,
    );
    let json = d.to_json();
    for field in [
        "\"id\":9",
        "\"app_id\":\"com.kpio.hello\"",
        "\"version\":\"1.2.3-beta.1+build.5\"",
        "\"app_type\":\"NativeApp\"",
        "\"install_path\":\"/apps/data/com.kpio.hello/v3\"",
        "\"data_path\":\"/apps/data/com.kpio.hello/data\"",
        "\"entry\":\"app.wasm\"",
        "\"filesystem\":\"ReadWrite\"",
        "\"AllowList\":[\"api.example.com\",\"*.cdn.example\"]",
        "\"memory_limit_pages\":256",
        "\"installed_at\":1700000000123456789",
        "\"last_launched\":18446744073709551615",
    ] {
        assert!(json.contains(field), "{field} missing in {json}");
    }
    assert_eq!(AppDescriptor::from_json(json.as_bytes(), "t").unwrap(), d);
    assert_eq!(
        AppDescriptor::from_json(d.to_json_pretty().as_bytes(), "t").unwrap(),
        d
    );

    // Every variant of every enum, and the least-privilege defaults.
    for (t, net) in [
        (AppType::WebApp, NetworkPermission::None),
        (AppType::WasmApp, NetworkPermission::LocalOnly),
        (AppType::NativeApp, NetworkPermission::Full),
    ] {
        let mut d = full_desc(KernelAppId(1), "a", "a", t);
        d.permissions = Permissions {
            network: net,
            ..Permissions::default()
        };
        d.icon.clear();
        d.last_launched = None;
        let json = d.to_json();
        assert!(json.contains("\"last_launched\":null"), "{json}");
        assert_eq!(AppDescriptor::from_json(json.as_bytes(), "t").unwrap(), d);
    }

    // Permissions may leave fields out (least privilege), descriptors may not.
    let mut v: serde_json::Value = serde_json::from_str(&d.to_json()).unwrap();
    v["permissions"] = serde_json::json!({ "gui": true });
    let parsed = AppDescriptor::from_json(v.to_string().as_bytes(), "t").unwrap();
    assert_eq!(
        parsed.permissions,
        Permissions {
            gui: true,
            ..Permissions::default()
        }
    );
    v.as_object_mut().unwrap().remove("entry");
    let err = AppDescriptor::from_json(v.to_string().as_bytes(), "info.json").unwrap_err();
    assert!(
        matches!(&err, AppError::Corrupt { path, reason } if path == "info.json" && reason.contains("entry")),
        "{err}"
    );
}

#[test]
fn registry_json_round_trips_with_format_and_next_id() {
    let mut reg = Registry::new();
    add(&mut reg, "com.a", "A", AppType::WasmApp);
    let b = add(&mut reg, "com.b", "B", AppType::WebApp);
    reg.unregister(b).unwrap();
    let text = reg.to_json();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], 1);
    assert_eq!(v["next_id"], 3);
    assert_eq!(v["apps"].as_array().unwrap().len(), 1);
    let back = Registry::from_json(text.as_bytes(), "r").unwrap();
    assert_eq!(back, reg);
    assert_eq!(back.next_id(), KernelAppId(3));
}

fn commit_and_load(backend: Arc<dyn Backend>) {
    let mut reg = Registry::new();
    add(&mut reg, "com.kpio.hello", "Hello", AppType::WasmApp);
    add(&mut reg, "com.kpio.web", "Web", AppType::WebApp);

    let (mut vfs, root) = system_vfs(Arc::clone(&backend));
    assert_eq!(Registry::load(&mut vfs, root).unwrap(), Registry::new());
    reg.commit(&mut vfs, root).unwrap();
    assert_eq!(Registry::load(&mut vfs, root).unwrap(), reg);

    // A second commit replaces the file and leaves no temporary behind.
    let id = add(&mut reg, "com.kpio.calc", "Calc", AppType::WasmApp);
    reg.commit(&mut vfs, root).unwrap();
    assert!(
        vfs.stat_path(root, "system/apps/registry.json.tmp", false)
            .is_err()
    );
    assert_eq!(vfs.open_count(), 1, "commit and load close their handles");

    // A fresh VFS over the same storage sees the same registry.
    let (mut vfs2, root2) = system_vfs(backend);
    let loaded = Registry::load(&mut vfs2, root2).unwrap();
    assert_eq!(loaded, reg);
    assert_eq!(loaded.get(id).unwrap().name, "Calc");
}

#[test]
fn commit_and_load_in_memory() {
    commit_and_load(memory_backend());
}

#[test]
fn commit_and_load_in_a_host_directory() {
    let dir = TempDir::new("host");
    let fs: Arc<dyn Backend> = Arc::new(HostFs::open(&dir.0, HostOptions::default()).unwrap());
    commit_and_load(fs);
    let text = std::fs::read_to_string(dir.0.join("system/apps/registry.json")).unwrap();
    assert!(text.contains("\"format\": 1"), "{text}");
}

const CHILD_ENV: &str = "KPIO_APP_TEST_CHILD_DIR";

/// Runs only inside the child process started by
/// `registry_persists_across_processes_in_a_host_directory`.
#[test]
fn child_process_loads_registry() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let fs: Arc<dyn Backend> = Arc::new(HostFs::open(&dir, HostOptions::default()).unwrap());
    let (mut vfs, root) = system_vfs(fs);
    let mut reg = Registry::load(&mut vfs, root).unwrap();
    println!("CHILD-SAW {}", reg.to_json().replace('\n', " "));
    // The child installs one more app; the parent must see it.
    add(&mut reg, "com.child", "Child", AppType::WebApp);
    reg.commit(&mut vfs, root).unwrap();
}

#[test]
fn registry_persists_across_processes_in_a_host_directory() {
    let dir = TempDir::new("proc");
    let mut reg = Registry::new();
    add(&mut reg, "com.kpio.hello", "Hello", AppType::WasmApp);
    {
        let fs: Arc<dyn Backend> = Arc::new(HostFs::open(&dir.0, HostOptions::default()).unwrap());
        let (mut vfs, root) = system_vfs(fs);
        reg.commit(&mut vfs, root).unwrap();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_process_loads_registry", "--nocapture"])
        .env(CHILD_ENV, &dir.0)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = format!("CHILD-SAW {}", reg.to_json().replace('\n', " "));
    assert!(stdout.contains(&expected), "{stdout}");

    // A new registry loaded from the same directory has the child's app too.
    let fs: Arc<dyn Backend> = Arc::new(HostFs::open(&dir.0, HostOptions::default()).unwrap());
    let (mut vfs, root) = system_vfs(fs);
    let loaded = Registry::load(&mut vfs, root).unwrap();
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded.find_by_name("com.child").unwrap().id, KernelAppId(2));
    assert_eq!(loaded.next_id(), KernelAppId(3));
}

fn write_file(vfs: &mut kpio_vfs::Vfs, root: kpio_vfs::Handle, path: &str, data: &[u8]) {
    let opts = OpenOptions::read_write_create().with_truncate(true);
    let _ = vfs.create_dir(root, "system");
    let _ = vfs.create_dir(root, "system/apps");
    let f = vfs.open(root, path, &opts).unwrap();
    vfs.write(f, data).unwrap();
    vfs.close(f).unwrap();
}

#[test]
fn corrupt_files_are_reported_with_path_and_reason() {
    let (mut vfs, root) = system_vfs(memory_backend());
    let mut good = Registry::new();
    add(&mut good, "com.a", "A", AppType::WasmApp);
    let good_json = good.to_json();
    let dup = good_json.replace("\"next_id\": 2", "\"next_id\": 5");
    let mut two = good.clone();
    let id = two.allocate_id().unwrap();
    two.register(full_desc(id, "com.b", "B", AppType::WasmApp))
        .unwrap();
    let dup_app_id = two.to_json().replace("com.b", "com.a");

    let beyond = good_json.replace("\"next_id\": 2", "\"next_id\": 1");
    let cases: [(&str, &[u8], &str); 7] = [
        ("garbage", b"{not json", "line 1"),
        ("empty", b"", "EOF"),
        (
            "truncated",
            &good_json.as_bytes()[..good_json.len() / 2],
            "EOF",
        ),
        (
            "future format",
            br#"{"format": 2, "next_id": 1, "apps": []}"#,
            "format 2",
        ),
        (
            "next_id 0",
            br#"{"format": 1, "next_id": 0, "apps": []}"#,
            "next_id",
        ),
        ("duplicate app_id", dup_app_id.as_bytes(), "apps[1]"),
        ("id beyond next_id", beyond.as_bytes(), "not allocated"),
    ];
    for (what, bytes, needle) in cases {
        write_file(&mut vfs, root, Registry::PATH, bytes);
        let err = Registry::load(&mut vfs, root).unwrap_err();
        match &err {
            AppError::Corrupt { path, reason } => {
                assert_eq!(path, Registry::PATH, "{what}");
                assert!(reason.contains(needle), "{what}: {reason}");
            }
            other => panic!("{what}: {other}"),
        }
        assert_eq!(err.errno(), kpio_app::Errno::EIO);
    }
    // Still loadable once fixed.
    write_file(&mut vfs, root, Registry::PATH, dup.as_bytes());
    assert_eq!(
        Registry::load(&mut vfs, root).unwrap().next_id(),
        KernelAppId(5)
    );
}

#[test]
fn a_leftover_temporary_file_is_ignored_and_replaced() {
    let (mut vfs, root) = system_vfs(memory_backend());
    let mut reg = Registry::new();
    add(&mut reg, "com.a", "A", AppType::WasmApp);
    reg.commit(&mut vfs, root).unwrap();
    write_file(
        &mut vfs,
        root,
        "system/apps/registry.json.tmp",
        b"half a regis",
    );
    assert_eq!(Registry::load(&mut vfs, root).unwrap(), reg);
    add(&mut reg, "com.b", "B", AppType::WasmApp);
    reg.commit(&mut vfs, root).unwrap();
    assert_eq!(Registry::load(&mut vfs, root).unwrap(), reg);
}

#[test]
fn next_id_at_u64_max_is_a_typed_error_not_a_wrap() {
    let mut good = Registry::new();
    add(&mut good, "com.a", "A", AppType::WasmApp);
    let json = good
        .to_json()
        .replace("\"next_id\": 2", &format!("\"next_id\": {}", u64::MAX));
    let mut reg = Registry::from_json(json.as_bytes(), "test").unwrap();
    assert_eq!(reg.next_id(), KernelAppId(u64::MAX));
    let err = reg.allocate_id().unwrap_err();
    assert_eq!(err, AppError::IdsExhausted { next_id: u64::MAX });
    assert_eq!(err.errno(), kpio_app::Errno::ENOSPC);
    assert!(err.to_string().contains("no app id left"), "{err}");
    // Nothing changed: the next id is still the same, and nothing was handed out twice.
    assert_eq!(reg.next_id(), KernelAppId(u64::MAX));
    assert_eq!(reg.allocate_id(), Err(err));

    // One below the end still works, once.
    let json = good
        .to_json()
        .replace("\"next_id\": 2", &format!("\"next_id\": {}", u64::MAX - 1));
    let mut reg = Registry::from_json(json.as_bytes(), "test").unwrap();
    assert_eq!(reg.allocate_id(), Ok(KernelAppId(u64::MAX - 1)));
    assert!(matches!(
        reg.allocate_id(),
        Err(AppError::IdsExhausted { .. })
    ));
}

//! The manager over a real directory (what `KPIO_HOME` is): install, update, launch,
//! uninstall, and recovery of leftovers, with the directory syncs and renames of HostFs.
#![cfg(feature = "host")]

mod common;

use std::sync::Arc;

use common::*;
use kpio_pkg::{AppManager, HostPlatform, InstallOptions, RunEnd, Stdio};
use kpio_vfs::{Backend, HostFs, HostOptions};
use kpio_wasi::MemoryOutput;

#[test]
fn install_update_launch_uninstall_on_a_host_directory() {
    let home = std::env::temp_dir().join(format!("kpio-pkg-host-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let open = || -> AppManager {
        let fs: Arc<dyn Backend> = Arc::new(HostFs::open(&home, HostOptions::default()).unwrap());
        AppManager::open(fs, Arc::new(HostPlatform)).unwrap()
    };
    let mut m = open();
    let id = m
        .install(
            &package("host.app", "1.0.0", "one"),
            InstallOptions::accept_requested(),
            &mut |_| {},
        )
        .unwrap()
        .id;
    let app = home.join("apps/data/host.app");
    assert_eq!(
        std::fs::read(app.join("data/note.txt")).unwrap(),
        b"seed 1.0.0"
    );
    assert!(app.join("v1/app.wasm").is_file());
    std::fs::write(app.join("data/note.txt"), b"kept").unwrap();

    m.install(
        &package("host.app", "2.0.0", "two"),
        InstallOptions::accept_requested(),
        &mut |_| {},
    )
    .unwrap();
    assert!(!app.join("v1").exists());
    assert!(app.join("v2/resources/r-2.0.0.txt").is_file());

    // leftovers of a crash are removed by the next manager
    std::fs::create_dir_all(app.join("v3.staging/resources")).unwrap();
    std::fs::create_dir_all(home.join("apps/data/ghost/data")).unwrap();
    drop(m);
    let mut m = open();
    assert!(!app.join("v3.staging").exists());
    assert!(!home.join("apps/data/ghost").exists());

    let out = MemoryOutput::new();
    let o = m
        .launch(
            id,
            &["x".into()],
            &Stdio::capture(&out, &MemoryOutput::new()),
        )
        .unwrap();
    assert_eq!(*o.last(), RunEnd::Exited(0));
    let text = String::from_utf8(out.contents()).unwrap();
    assert_eq!(
        text,
        "two\nApp host.app\nx\nKPIO_APP_ID=host.app\nnote=kept\n"
    );

    m.uninstall(id).unwrap();
    assert!(!app.exists());
    let registry = std::fs::read_to_string(home.join("system/apps/registry.json")).unwrap();
    assert!(!registry.contains("host.app"), "{registry}");
    std::fs::remove_dir_all(&home).unwrap();
}

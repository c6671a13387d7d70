//! Permissions enforced where they act: the VFS view an app's WASI layer gets, and the
//! engine's memory limit.

mod common;

use std::sync::Arc;

use common::{memory_backend, system_vfs};
use kpio_app::{FsPermission, Permissions};
use kpio_vfs::{Backend, MountId, OpenOptions, VfsError};
use kpio_wasm::{Engine, Linker, Module, Store, Val};

const DATA: &str = "/apps/data/com.kpio.hello/data";

fn with_fs(fs: FsPermission) -> Permissions {
    Permissions {
        filesystem: fs,
        ..Permissions::default()
    }
}

#[test]
fn no_filesystem_permission_means_no_mount() {
    let backend: Arc<dyn Backend> = memory_backend();
    let vfs = with_fs(FsPermission::None).app_vfs(backend, DATA).unwrap();
    assert!(vfs.mounts().is_empty(), "nothing to preopen");
}

#[test]
fn read_only_permission_mounts_the_data_directory_read_only() {
    let backend: Arc<dyn Backend> = memory_backend();
    // The system puts a file there.
    let (mut sys, root) = system_vfs(Arc::clone(&backend));
    for d in [
        "apps",
        "apps/data",
        "apps/data/com.kpio.hello",
        DATA.trim_start_matches('/'),
    ] {
        sys.create_dir(root, d).unwrap();
    }
    let f = sys
        .open(
            root,
            "apps/data/com.kpio.hello/data/seed.txt",
            &OpenOptions::read_write_create(),
        )
        .unwrap();
    sys.write(f, b"seed").unwrap();

    let mut vfs = with_fs(FsPermission::ReadOnly)
        .app_vfs(Arc::clone(&backend), DATA)
        .unwrap();
    let mounts = vfs.mounts();
    assert_eq!(mounts.len(), 1);
    assert!(mounts[0].read_only);
    assert_eq!(mounts[0].path, "/");
    let r = vfs.open_root(MountId(0)).unwrap();
    let f = vfs.open(r, "seed.txt", &OpenOptions::read()).unwrap();
    let mut buf = [0; 4];
    assert_eq!(vfs.read(f, &mut buf).unwrap(), 4);
    assert_eq!(&buf, b"seed");
    assert!(matches!(
        vfs.open(r, "new.txt", &OpenOptions::read_write_create()),
        Err(VfsError::ReadOnly { .. })
    ));
    // And nothing outside the data directory is reachable.
    assert!(vfs.open(r, "../v3/app.wasm", &OpenOptions::read()).is_err());
}

#[test]
fn read_write_permission_creates_and_mounts_the_data_directory() {
    let backend: Arc<dyn Backend> = memory_backend();
    let mut vfs = with_fs(FsPermission::ReadWrite)
        .app_vfs(Arc::clone(&backend), DATA)
        .unwrap();
    let r = vfs.open_root(MountId(0)).unwrap();
    let f = vfs
        .open(r, "notes.txt", &OpenOptions::read_write_create())
        .unwrap();
    vfs.write(f, b"hi").unwrap();
    let (mut sys, root) = system_vfs(backend);
    let meta = sys
        .stat_path(root, "apps/data/com.kpio.hello/data/notes.txt", false)
        .unwrap();
    assert_eq!(meta.size, 2);
}

#[test]
fn memory_limit_caps_memory_grow_in_the_engine() {
    let wasm = wat::parse_str(
        r#"(module (memory 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let grow = |perms: &Permissions, pages: i32| -> i32 {
        let engine = Engine::new(perms.engine_config(kpio_wasm::Config::default()));
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Linker::<()>::new()
            .instantiate(&mut store, &module)
            .unwrap();
        let f = inst.get_func(&store, "grow").unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut store, &[Val::I32(pages)], &mut out).unwrap();
        match out[0] {
            Val::I32(v) => v,
            ref other => panic!("{other:?}"),
        }
    };
    let limited = Permissions {
        memory_limit_pages: Some(4),
        ..Permissions::default()
    };
    assert_eq!(grow(&limited, 3), 1, "up to the limit: old size returned");
    assert_eq!(grow(&limited, 4), -1, "past the limit");
    assert_eq!(grow(&Permissions::default(), 4), 1, "no app limit");
}

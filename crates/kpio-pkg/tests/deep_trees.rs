//! Issue 7, defect 1: an app that fills its data directory with a tree deeper or longer
//! than any path the VFS accepts (20 nested 250-byte names: 5 KB of path; 300 or 3000
//! nested one-letter names: deeper than `kpio_vfs::MAX_DEPTH`) must not brick the
//! platform. Uninstall removes such trees (through open directory handles), and a leftover
//! that cannot be removed is a warning, never a failed open.

mod common;

use std::sync::Arc;

use common::*;
use kpio_app::KernelAppId;
use kpio_pkg::{AppManager, InstallOptions, RunEnd, Stdio, Warning};
use kpio_vfs::fault::{Counted, FaultFs};
use kpio_vfs::{Backend, FileType, Handle, MountId, OpenOptions, Vfs};
use kpio_wasi::MemoryOutput;

const APP: &str = "deep.app";
const DATA: &str = "apps/data/deep.app/data";

/// The tree shapes of the issue, plus one far deeper than the remover's handle stack.
fn shapes() -> Vec<(String, usize)> {
    vec![("x".repeat(250), 20), ("d".into(), 300), ("e".into(), 3000)]
}

fn install(m: &mut AppManager, wasm_bytes: &[u8]) -> KernelAppId {
    m.install(
        &package_with(APP, "1.0.0", wasm_bytes, "", &[]),
        InstallOptions::accept_requested(),
        &mut |_| {},
    )
    .unwrap()
    .id
}

/// Makes `depth` nested directories named `name` under `dir`, as a guest does: each one
/// created and opened relative to the handle of the one above (no path ever longer than
/// one name), with a file at the bottom. Returns nothing; closes what it opens.
fn build_tree(vfs: &mut Vfs, dir: Handle, name: &str, depth: usize) {
    let mut cur = dir;
    for _ in 0..depth {
        vfs.create_dir(cur, name).unwrap();
        let next = vfs.open(cur, name, &OpenOptions::dir()).unwrap();
        if cur != dir {
            vfs.close(cur).unwrap();
        }
        cur = next;
    }
    let f = vfs
        .open(cur, "bottom.txt", &OpenOptions::read_write_create())
        .unwrap();
    vfs.write(f, b"deep").unwrap();
    vfs.close(f).unwrap();
    if cur != dir {
        vfs.close(cur).unwrap();
    }
}

/// Builds every shape in the installed app's data directory, through the system VFS.
fn fill_data_dir(fs: &Arc<dyn Backend>) {
    let mut vfs = Vfs::with_root(Arc::clone(fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let data = vfs.open(root, DATA, &OpenOptions::dir()).unwrap();
    for (i, (name, depth)) in shapes().into_iter().enumerate() {
        let top = format!("tree{i}");
        vfs.create_dir(data, &top).unwrap();
        let h = vfs.open(data, &top, &OpenOptions::dir()).unwrap();
        build_tree(&mut vfs, h, &name, depth);
        vfs.close(h).unwrap();
    }
}

/// Whether `apps/data/deep.app` exists.
fn app_dir_exists(fs: &Arc<dyn Backend>) -> bool {
    let mut vfs = Vfs::with_root(Arc::clone(fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    vfs.stat_path(root, "apps/data/deep.app", false).is_ok()
}

/// Uninstall, list, reopen, install again: all must work and the tree must be gone.
fn uninstall_and_go_on(fs: &Arc<dyn Backend>, mut m: AppManager, id: KernelAppId) {
    m.uninstall(id).unwrap();
    let warnings: Vec<String> = m.take_warnings().iter().map(Warning::to_string).collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(!app_dir_exists(fs), "the tree is gone");
    assert_eq!(m.list().count(), 0);
    drop(m);
    let mut m = AppManager::open(Arc::clone(fs), Arc::new(platform())).unwrap();
    assert!(m.take_warnings().is_empty());
    assert_eq!(m.list().count(), 0);
    let again = install(&mut m, &wasm(&exit_wat(0)));
    let (o, _) = run(&mut m, again);
    assert_eq!(*o.last(), RunEnd::Exited(0));
    let mut vfs = Vfs::with_root(Arc::clone(fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let data = vfs.open(root, DATA, &OpenOptions::dir()).unwrap();
    let names: Vec<String> = vfs
        .read_dir(data, 0)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n != "." && n != "..")
        .collect();
    assert_eq!(names, ["note.txt"], "a fresh data directory");
}

fn run(m: &mut AppManager, id: KernelAppId) -> (kpio_pkg::RunOutcome, String) {
    let out = MemoryOutput::new();
    let o = m
        .launch(id, &[], &Stdio::capture(&out, &MemoryOutput::new()))
        .unwrap();
    (o, String::from_utf8(out.contents()).unwrap())
}

#[test]
fn uninstall_removes_trees_no_path_can_name_in_memory() {
    let fs = memory_fs();
    let mut m = manager(Arc::clone(&fs), &platform());
    let id = install(&mut m, &wasm(&exit_wat(0)));
    fill_data_dir(&fs);
    uninstall_and_go_on(&fs, m, id);
}

/// A guest that, in its data directory (fd 3), creates `depth` nested directories named
/// `name`, each made and opened relative to the descriptor of the one above, closing the
/// one above as it goes (so it holds two descriptors at most), and exits 0 (or 100 + the
/// errno of the step that failed). Rights: path_create_directory, path_open, fd_readdir,
/// path_filestat_get (a directory asked for with write rights is `isdir`).
fn nesting_guest(name: &str, depth: u32) -> String {
    let n = name.len();
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "{name}")
  (func (export "_start") (local $fd i32) (local $i i32) (local $e i32)
    (local.set $fd (i32.const 3))
    (loop $l
      (local.set $e (call $mkdir (local.get $fd) (i32.const 1024) (i32.const {n})))
      (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
      (local.set $e (call $open (local.get $fd) (i32.const 0) (i32.const 1024) (i32.const {n})
        (i32.const 2) (i64.const 0x46200) (i64.const 0x46200) (i32.const 0) (i32.const 16)))
      (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
      (if (i32.ne (local.get $fd) (i32.const 3)) (then (drop (call $close (local.get $fd)))))
      (local.set $fd (i32.load (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {depth}))))
    (call $exit (i32.const 0))))"#
    )
}

/// Counts the depth of the chain of directories named `name` under `dir`.
fn depth_of(vfs: &mut Vfs, dir: Handle, name: &str) -> usize {
    let mut depth = 0;
    let mut cur = dir;
    while let Ok(next) = vfs.open(cur, name, &OpenOptions::dir().with_follow(false)) {
        if cur != dir {
            vfs.close(cur).unwrap();
        }
        cur = next;
        depth += 1;
    }
    if cur != dir {
        vfs.close(cur).unwrap();
    }
    depth
}

/// The end-to-end case on a real directory (what `KPIO_HOME` is), with each shape made by
/// a real guest through WASI, then uninstall, list, install again.
#[cfg(feature = "host")]
#[test]
fn a_guest_that_nests_directories_without_end_cannot_brick_the_host_platform() {
    use kpio_vfs::{HostFs, HostOptions};

    for (i, (name, depth)) in shapes().into_iter().enumerate() {
        let home = std::env::temp_dir().join(format!("kpio-deep-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        let fs: Arc<dyn Backend> = Arc::new(HostFs::open(&home, HostOptions::default()).unwrap());
        let mut m = manager(Arc::clone(&fs), &platform());
        let id = install(&mut m, &wasm(&nesting_guest(&name, depth as u32)));
        let (o, _) = run(&mut m, id);
        assert_eq!(
            *o.last(),
            RunEnd::Exited(0),
            "{depth} x {} bytes: {o:?}",
            name.len()
        );
        {
            let mut vfs = Vfs::with_root(Arc::clone(&fs)).unwrap();
            let root = vfs.open_root(MountId(0)).unwrap();
            let data = vfs.open(root, DATA, &OpenOptions::dir()).unwrap();
            assert_eq!(depth_of(&mut vfs, data, &name), depth, "the guest built it");
            // No single path can name the bottom of the tree.
            let full = vec![name.as_str(); depth].join("/");
            assert!(
                vfs.stat_path(data, &full, false).is_err(),
                "deeper or longer than a path may be"
            );
        }
        uninstall_and_go_on(&fs, m, id);
        std::fs::remove_dir_all(&home).unwrap();
    }
}

#[cfg(feature = "host")]
#[test]
fn uninstall_removes_trees_no_path_can_name_on_a_host_directory() {
    use kpio_vfs::{HostFs, HostOptions};

    let home = std::env::temp_dir().join(format!("kpio-deep-host-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let fs: Arc<dyn Backend> = Arc::new(HostFs::open(&home, HostOptions::default()).unwrap());
    let mut m = manager(Arc::clone(&fs), &platform());
    let id = install(&mut m, &wasm(&exit_wat(0)));
    fill_data_dir(&fs);
    uninstall_and_go_on(&fs, m, id);
    for i in 0..shapes().len() {
        assert!(!home.join(DATA).join(format!("tree{i}")).exists());
    }
    std::fs::remove_dir_all(&home).unwrap();
}

/// A leftover that cannot be deleted now is a warning and is retried at the next open;
/// opening never fails because of it.
#[test]
fn a_leftover_that_cannot_be_removed_is_a_warning_not_a_failed_open() {
    let inner = memory_fs();
    {
        let mut vfs = Vfs::with_root(Arc::clone(&inner)).unwrap();
        let root = vfs.open_root(MountId(0)).unwrap();
        for d in [
            "apps",
            "apps/data",
            "apps/data/ghost",
            "apps/data/ghost/data",
        ] {
            vfs.create_dir(root, d).unwrap();
        }
        let h = vfs
            .open(
                root,
                "apps/data/ghost/data/f",
                &OpenOptions::read_write_create(),
            )
            .unwrap();
        vfs.close(h).unwrap();
    }
    let fault = FaultFs::new(Arc::clone(&inner), Counted::Mutating, false);
    // The first change the open makes (deleting the ghost's file) fails once.
    fault.fail_in(0, false);
    let mut m = AppManager::open(fault.clone() as Arc<dyn Backend>, Arc::new(platform()))
        .expect("garbage never makes opening fail");
    fault.heal();
    let warnings = m.take_warnings();
    assert!(
        matches!(&warnings[..], [Warning::LeftoverKept { path, .. }] if path == "apps/data/ghost"),
        "{warnings:?}"
    );
    assert!(
        warnings[0].to_string().contains("tried again"),
        "{}",
        warnings[0]
    );
    assert!(m.take_warnings().is_empty(), "taken");
    drop(m);

    let mut m = AppManager::open(fault.clone() as Arc<dyn Backend>, Arc::new(platform())).unwrap();
    assert!(m.take_warnings().is_empty());
    let mut vfs = Vfs::with_root(inner).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let apps_data = vfs.open(root, "apps/data", &OpenOptions::dir()).unwrap();
    let left: Vec<(String, FileType)> = vfs
        .read_dir(apps_data, 0)
        .unwrap()
        .into_iter()
        .filter(|e| e.name != "." && e.name != "..")
        .map(|e| (e.name, e.file_type))
        .collect();
    assert!(left.is_empty(), "retried and removed: {left:?}");
}

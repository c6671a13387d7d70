//! Fault injection at every mutating file system operation of install, update and
//! uninstall: a transient fault rolls back completely (registry and files unchanged, no
//! garbage), and a crash (nothing after the fault reaches the disk) leaves the old state or
//! the new one once the next manager has recovered.

mod common;

use std::sync::Arc;

use common::*;
use kpio_pkg::{AppManager, InstallOptions};
use kpio_vfs::Backend;

#[derive(Clone, Copy, Debug)]
enum Op {
    Install,
    Update,
    Uninstall,
}

fn base(m: &mut AppManager, op: Op) {
    match op {
        Op::Install => {}
        Op::Update | Op::Uninstall => {
            m.install(
                &package("crash.app", "1.0.0", "v1"),
                InstallOptions::accept_requested(),
                &mut |_| {},
            )
            .unwrap();
            // some user data the update must keep
            let fs = Arc::clone(m.backend());
            let mut vfs = kpio_vfs::Vfs::with_root(fs).unwrap();
            let root = vfs.open_root(kpio_vfs::MountId(0)).unwrap();
            let h = vfs
                .open(
                    root,
                    "apps/data/crash.app/data/user.txt",
                    &kpio_vfs::OpenOptions::read_write_create(),
                )
                .unwrap();
            vfs.write(h, b"mine").unwrap();
            vfs.close(h).unwrap();
        }
    }
}

fn act(m: &mut AppManager, op: Op) -> Result<(), kpio_pkg::PkgError> {
    match op {
        Op::Install => m
            .install(
                &package("crash.app", "1.0.0", "v1"),
                InstallOptions::accept_requested(),
                &mut |_| {},
            )
            .map(|_| ()),
        Op::Update => m
            .install(
                &package_with(
                    "crash.app",
                    "2.0.0",
                    &wasm(&echo_wat("v2")),
                    "",
                    &[("resources/extra/deep.txt", b"deep")],
                ),
                InstallOptions::accept_requested(),
                &mut |_| {},
            )
            .map(|_| ()),
        Op::Uninstall => m.uninstall(kpio_app::KernelAppId(1)).map(|_| ()),
    }
}

struct World {
    inner: Arc<dyn Backend>,
    fault: Arc<FaultFs>,
    manager: AppManager,
}

fn world(op: Op) -> World {
    let inner = memory_fs();
    let fault = fault_fs(Arc::clone(&inner));
    let p = platform();
    let mut manager = AppManager::open(fault.clone() as Arc<dyn Backend>, Arc::new(p)).unwrap();
    base(&mut manager, op);
    World {
        inner,
        fault,
        manager,
    }
}

/// (state before, state after, mutating operations the op performs)
fn reference(op: Op) -> (Tree, Tree, u64) {
    let mut w = world(op);
    let before = snapshot(&w.inner);
    let start = w.fault.ops();
    act(&mut w.manager, op).unwrap();
    let ops = w.fault.ops() - start;
    (before, snapshot(&w.inner), ops)
}

fn transient_faults(op: Op) {
    let (before, after, ops) = reference(op);
    assert!(ops > 10, "{op:?}: {ops} operations");
    assert_ne!(before, after);
    let (mut failed, mut succeeded) = (0, 0);
    for n in 0..ops {
        let mut w = world(op);
        let registry_before = w.manager.registry().clone();
        w.fault.fail_in(n, false);
        let result = act(&mut w.manager, op);
        w.fault.heal();
        match result {
            Err(e) => {
                failed += 1;
                check_previous_generation(&w.inner, &format!("{op:?} fault #{n}"));
                assert!(e.to_string().contains("injected fault"), "{op:?} #{n}: {e}");
                assert_eq!(w.manager.registry(), &registry_before, "{op:?} #{n}");
                assert_eq!(
                    paths(&snapshot(&w.inner)),
                    paths(&before),
                    "{op:?} fault #{n}: {e}"
                );
                assert_eq!(snapshot(&w.inner), before, "{op:?} fault #{n}");
                assert!(
                    w.manager.recover().unwrap().removed.is_empty(),
                    "{op:?} #{n}: rollback left garbage"
                );
                // and the operation works once the fault is gone
                act(&mut w.manager, op).unwrap();
                assert_eq!(snapshot(&w.inner), after, "{op:?} retry after #{n}");
            }
            Ok(()) => {
                // the fault hit the clean-up after the commit point
                succeeded += 1;
                w.manager.recover().unwrap();
                assert_eq!(snapshot(&w.inner), after, "{op:?} fault #{n} after commit");
            }
        }
    }
    assert!(failed > 0 && failed + succeeded == ops);
}

fn crashes(op: Op) {
    let (before, after, ops) = reference(op);
    let (mut old, mut new) = (0, 0);
    for n in 0..=ops {
        let w = world(op);
        let World {
            inner,
            fault,
            mut manager,
        } = w;
        fault.fail_in(n, true);
        let result = act(&mut manager, op);
        drop(manager);
        fault.heal();
        // the next start recovers
        let p = platform();
        let mut reopened =
            AppManager::open(fault.clone() as Arc<dyn Backend>, Arc::new(p)).unwrap();
        let state = snapshot(&inner);
        check_previous_generation(&inner, &format!("{op:?} crash #{n}"));
        if state == before {
            assert!(
                result.is_err(),
                "{op:?} crash #{n}: success reported but nothing changed"
            );
            old += 1;
        } else {
            assert_eq!(
                paths(&state),
                paths(&after),
                "{op:?} crash #{n}: {result:?}"
            );
            assert_eq!(state, after, "{op:?} crash #{n}");
            new += 1;
        }
        assert!(reopened.recover().unwrap().removed.is_empty());
        // whatever state it is in, the manager can go on
        if state == before {
            act(&mut reopened, op).unwrap();
            assert_eq!(snapshot(&inner), after, "{op:?} redo after crash #{n}");
        }
    }
    assert!(old > 0 && new > 0, "{op:?}: old {old}, new {new}");
}

#[test]
fn install_rolls_back_on_every_fault() {
    transient_faults(Op::Install);
}

#[test]
fn update_rolls_back_on_every_fault() {
    transient_faults(Op::Update);
}

#[test]
fn uninstall_rolls_back_on_every_fault() {
    transient_faults(Op::Uninstall);
}

#[test]
fn install_survives_a_crash_anywhere() {
    crashes(Op::Install);
}

#[test]
fn update_survives_a_crash_anywhere() {
    crashes(Op::Update);
}

#[test]
fn uninstall_survives_a_crash_anywhere() {
    crashes(Op::Uninstall);
}

//! Crash consistency of `Registry::commit`: a backend that fails from its N-th operation on
//! (the process was killed there) or only at its N-th operation (a transient I/O error),
//! for every N a commit reaches. Afterwards the registry on storage must be exactly the old
//! one or exactly the new one.

mod common;

use std::sync::Arc;

use common::{add, memory_backend, system_vfs};
use kpio_app::{AppType, Registry};
use kpio_vfs::Backend;
use kpio_vfs::fault::{Counted, FaultFs};

/// Old and new registries; the new one is larger than the old (so a torn or truncated
/// write could be mistaken for neither) and has different content.
fn registries(old_empty: bool) -> (Registry, Registry) {
    let mut old = Registry::new();
    if !old_empty {
        add(&mut old, "com.old.one", "Old One", AppType::WasmApp);
        add(&mut old, "com.old.two", "Old Two", AppType::WebApp);
    }
    let mut new = old.clone();
    let first = new.list().next().map(|d| d.id);
    if let Some(first) = first {
        new.unregister(first).unwrap();
    }
    for i in 0..20 {
        add(&mut new, &format!("com.new.{i}"), "New", AppType::WasmApp);
    }
    (old, new)
}

/// Returns (how many failure points led to the old registry, how many to the new one).
fn run(old_empty: bool, kill: bool) -> (u32, u32) {
    let (old, new) = registries(old_empty);
    let (mut saw_old, mut saw_new) = (0, 0);
    for n in 0.. {
        let mem = memory_backend();
        // Every operation counts, and a failing write first writes half its data.
        let failing = FaultFs::new(mem, Counted::All, true);
        let backend: Arc<dyn Backend> = Arc::clone(&failing) as Arc<dyn Backend>;
        let (mut vfs, root) = system_vfs(Arc::clone(&backend));
        if !old_empty {
            old.commit(&mut vfs, root).unwrap();
        }

        let start = failing.ops();
        failing.fail_in(n, kill);
        let result = new.commit(&mut vfs, root);
        let reached = failing.ops() - start;
        failing.heal();
        if n >= reached {
            // The commit finished before failure point n: every point has been tried.
            result.unwrap();
            assert!(n > 5, "a commit takes more than a handful of operations");
            break;
        }
        assert!(result.is_err(), "operation {n} failed but commit said Ok");
        // "Restart": drop everything in memory, keep only what is on storage.
        drop(vfs);
        let (mut vfs, root) = system_vfs(Arc::clone(&backend));
        let loaded = Registry::load(&mut vfs, root)
            .unwrap_or_else(|e| panic!("after failure at operation {n}: {e}"));
        if loaded == old {
            saw_old += 1;
        } else if loaded == new {
            saw_new += 1;
        } else {
            panic!("after failure at operation {n}: neither old nor new: {loaded:?}");
        }
        // A later commit succeeds and wins.
        new.commit(&mut vfs, root).unwrap();
        assert_eq!(Registry::load(&mut vfs, root).unwrap(), new);
    }
    (saw_old, saw_new)
}

#[test]
fn killed_commit_leaves_old_or_new_registry() {
    let (old, new) = run(false, true);
    assert!(old > 0 && new > 0, "old {old} new {new}");
}

#[test]
fn killed_first_commit_leaves_no_registry_or_the_new_one() {
    let (old, new) = run(true, true);
    assert!(old > 0 && new > 0, "old {old} new {new}");
}

#[test]
fn transient_failures_leave_old_or_new_registry() {
    let (old, new) = run(false, false);
    assert!(old > 0 && new > 0, "old {old} new {new}");
}

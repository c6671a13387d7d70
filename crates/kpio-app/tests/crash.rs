//! Crash consistency of `Registry::commit`: a backend that fails from its N-th operation on
//! (the process was killed there) or only at its N-th operation (a transient I/O error),
//! for every N a commit reaches. Afterwards the registry on storage must be exactly the old
//! one or exactly the new one, and the previous generation (`registry.json.prev`, written
//! by the same commit) must be a whole registry one generation older: when the current
//! file is then damaged, loading falls back to it.

mod common;

use std::sync::Arc;

use common::{add, memory_backend, system_vfs};
use kpio_app::{AppType, Registry};
use kpio_vfs::fault::{Counted, FaultFs};
use kpio_vfs::{Backend, Handle, OpenOptions, Vfs};

/// Old and new registries; the new one is larger than the old (so a torn or truncated
/// write could be mistaken for neither) and has different content.
fn registries(old_empty: bool) -> (Registry, Registry) {
    let mut old = Registry::new();
    if !old_empty {
        add(&mut old, "com.old.zero", "Old Zero", AppType::WasmApp);
        add(&mut old, "com.old.one", "Old One", AppType::WasmApp);
        add(&mut old, "com.old.two", "Old Two", AppType::WebApp);
    }
    let mut new = old.clone();
    let first = new.list().next().map(|d| d.id);
    if let Some(first) = first {
        new.unregister(first).unwrap();
    }
    for i in 0..20 {
        add(
            &mut new,
            &format!("com.new.{i}"),
            &format!("New {i}"),
            AppType::WasmApp,
        );
    }
    (old, new)
}

/// The generation before `old`: `old` without its last app.
fn older_than(old: &Registry) -> Registry {
    let mut older = old.clone();
    if let Some(last) = older.list().last().map(|d| d.id) {
        older.unregister(last).unwrap();
    }
    older
}

/// The previous generation as stored, if there is one.
fn stored_prev(vfs: &mut Vfs, root: Handle) -> Option<Registry> {
    let h = vfs
        .open(root, Registry::PREV_PATH, &OpenOptions::read())
        .ok()?;
    let mut bytes = vec![0u8; 1 << 20];
    let n = vfs.read(h, &mut bytes).unwrap();
    vfs.close(h).unwrap();
    Some(
        Registry::from_json(&bytes[..n], Registry::PREV_PATH)
            .unwrap_or_else(|e| panic!("the previous generation is torn: {e}")),
    )
}

/// Overwrites `registry.json` in place with `bytes` (damage, not a commit).
fn damage_current(vfs: &mut Vfs, root: Handle, bytes: &[u8]) {
    let opts = OpenOptions::read_write_create().with_truncate(true);
    let h = vfs.open(root, Registry::PATH, &opts).unwrap();
    vfs.write(h, bytes).unwrap();
    vfs.close(h).unwrap();
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
        let older = older_than(&old);
        if !old_empty {
            older.commit(&mut vfs, root).unwrap();
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
        let prev = stored_prev(&mut vfs, root);
        if loaded == old {
            saw_old += 1;
            // Not committed: the previous generation is the one before old, or old itself
            // if the copy was made before the failure.
            if !old_empty {
                let p = prev.clone().expect("a previous generation exists");
                assert!(p == older || p == old, "after failure at {n}: prev {p:?}");
            }
        } else if loaded == new {
            saw_new += 1;
            // Committed: old is the previous generation.
            if !old_empty {
                assert_eq!(prev.as_ref(), Some(&old), "after failure at {n}");
            }
        } else {
            panic!("after failure at operation {n}: neither old nor new: {loaded:?}");
        }
        // The current file damaged (truncated, garbage, empty): the previous generation
        // is used, and the load says so.
        if let Some(prev) = &prev {
            let text = loaded.to_json();
            for damage in [&text.as_bytes()[..text.len() / 2], b"\x00garbage{", b""] {
                damage_current(&mut vfs, root, damage);
                let (got, restored) = Registry::load_report(&mut vfs, root).unwrap();
                assert_eq!(&got, prev, "after failure at {n}");
                let restored = restored.expect("the fallback is reported");
                assert_eq!(restored.from, Registry::PREV_PATH);
            }
        }
        // A later commit succeeds and wins.
        new.commit(&mut vfs, root).unwrap();
        assert_eq!(Registry::load(&mut vfs, root).unwrap(), new);
        // A damaged current file never becomes the previous generation.
        if let Some(prev) = &prev {
            assert_eq!(stored_prev(&mut vfs, root).as_ref(), Some(prev));
        }
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

//! `localStorage` survives `kill -9` at any instant: 200 times, a `kpio web run` process
//! writing as fast as it can is killed, and every time the area holds exactly the state
//! after some whole number of changes.

#[path = "support/kill_loop.rs"]
mod kill_loop;

use kill_loop::KillLoop;
use kpio_web::WebStorage;
use kpio_web::web_storage::{AreaKind, DEFAULT_QUOTA_UNITS};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;

/// Each round i: set item<i>, remove item<i-50>, set n = i + 1. So after N whole rounds
/// the items are item<N-50> .. item<N-1> and n = N; a kill inside round N may add
/// item<N> and then drop item<N-50>, in that order.
const WRITER: &str = r#"
let n = Number(localStorage.getItem('n') ?? '0');
console.log('writing from ' + n);
for (;;) {
  localStorage.setItem('item' + n, 'value of ' + n + ' ' + 'x'.repeat(n % 97));
  if (n >= 50) localStorage.removeItem('item' + (n - 50));
  localStorage.setItem('n', String(n + 1));
  n++;
}
"#;

fn value(i: u64) -> String {
    format!("value of {i} {}", "x".repeat((i % 97) as usize))
}

/// Checks the invariant; returns n.
fn check(dir: &std::path::Path, kill: usize) -> u64 {
    let storage = WebStorage::open(&dir.join("local_storage"), DEFAULT_QUOTA_UNITS)
        .unwrap_or_else(|e| panic!("kill {kill}: the storage does not open: {e}"));
    let items: BTreeMap<String, String> = storage
        .items(AreaKind::Local)
        .into_iter()
        .map(|(k, v)| {
            let k: String = serde_json::from_str(&k).unwrap();
            let v: String = serde_json::from_str(&v).unwrap();
            (k, v)
        })
        .collect();
    let n: u64 = items.get("n").map_or(0, |v| v.parse().unwrap());
    let mut expected: BTreeMap<String, String> = (n.saturating_sub(50)..n)
        .map(|i| (format!("item{i}"), value(i)))
        .collect();
    if n > 0 {
        expected.insert("n".into(), n.to_string());
    }
    // A round cut short: item<n> set, and maybe item<n-50> removed already.
    let mut partial = expected.clone();
    partial.insert(format!("item{n}"), value(n));
    let mut partial_removed = partial.clone();
    if n >= 50 {
        partial_removed.remove(&format!("item{}", n - 50));
    }
    assert!(
        items == expected || items == partial || items == partial_removed,
        "kill {kill}: n = {n}, the items are not the state after a whole number of changes: {:?}",
        items.keys().collect::<Vec<_>>()
    );
    n
}

#[test]
fn local_storage_holds_a_whole_state_after_200_kills() {
    let dir = std::env::temp_dir().join(format!("kpio-ls-kills-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("writer.js");
    std::fs::write(&script, WRITER).unwrap();
    let storage_dir = dir.join("app");
    let mut kills = KillLoop::new(0x9e37_79b9_7f4a_7c15, "writing");
    let mut last_n = 0;
    let mut grew = 0;
    let start = Instant::now();
    for kill in 0..200 {
        kills.run(
            Command::new(env!("CARGO_BIN_EXE_kpio"))
                .args(["web", "run", "--task-time", "600", "--storage"])
                .arg(&storage_dir)
                .arg(&script),
            kill,
        );
        let n = check(&storage_dir, kill);
        assert!(n >= last_n, "kill {kill}: n went back from {last_n} to {n}");
        if n > last_n {
            grew += 1;
        }
        last_n = n;
    }
    // The kills landed while writing, not only before the script started.
    assert!(
        grew >= 100,
        "only {grew} of 200 runs wrote anything (n = {last_n})"
    );
    eprintln!(
        "200 kills in {:?}, {last_n} rounds written",
        start.elapsed()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

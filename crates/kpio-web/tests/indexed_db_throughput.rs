//! A rough throughput measurement, not a check: 10,000 puts in one readwrite transaction
//! and 10,000 gets, in memory and on disk. Run it in a release build:
//! `cargo test --release -p kpio-web --test indexed_db_throughput -- --ignored --nocapture`.

use kpio_web::{IndexedDbStore, Realm, RealmOptions};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

const SCRIPT: &str = r#"
const N = 10000;
const r = indexedDB.open('bench', 1);
r.onupgradeneeded = () => r.result.createObjectStore('s');
r.onsuccess = () => {
  const db = r.result;
  const t0 = performance.now();
  const tx = db.transaction('s', 'readwrite');
  const s = tx.objectStore('s');
  for (let i = 0; i < N; i++) s.put({ id: i, name: 'item ' + i, tags: ['a', 'b'], n: i * 1.5 }, i);
  tx.oncomplete = () => {
    const t1 = performance.now();
    const rt = db.transaction('s');
    const rs = rt.objectStore('s');
    let got = 0;
    for (let i = 0; i < N; i++) rs.get(i).onsuccess = (e) => { got += e.target.result.id === i ? 1 : 0; };
    rt.oncomplete = () => {
      const t2 = performance.now();
      console.log(`puts ${(t1 - t0).toFixed(0)} ms gets ${(t2 - t1).toFixed(0)} ms (${got} read)`);
      console.log('done');
    };
  };
};
"#;

fn measure(store: Rc<IndexedDbStore>, what: &str) {
    let lines: Rc<RefCell<Vec<String>>> = Rc::default();
    let sink = lines.clone();
    let mut realm = Realm::new(RealmOptions {
        indexed_db: Some(store),
        console: Some(Box::new(move |_, t| sink.borrow_mut().push(t.into()))),
        ..RealmOptions::default()
    })
    .unwrap();
    realm.eval_script(SCRIPT, "bench.js").unwrap();
    let l = lines.clone();
    realm
        .run_event_loop(Duration::from_secs(120), &mut || {
            l.borrow().iter().any(|x| x == "done")
        })
        .unwrap();
    eprintln!("{what}: {}", lines.borrow()[0]);
}

#[test]
#[ignore = "a measurement; run with --ignored in a release build"]
fn ten_thousand_puts_and_gets() {
    measure(
        IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA),
        "in memory",
    );
    let dir = std::env::temp_dir().join(format!("kpio-idb-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    measure(
        IndexedDbStore::open(&dir, kpio_web::indexed_db::DEFAULT_QUOTA),
        "on disk",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

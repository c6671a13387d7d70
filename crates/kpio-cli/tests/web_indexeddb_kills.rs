//! IndexedDB survives `kill -9` at any instant: 200 times, a `kpio web run --storage DIR`
//! process running readwrite transactions back to back is killed, and every time a
//! second process finds the database as it was after some whole number of transactions,
//! never a mix, and with every transaction whose `complete` event fired.

#[path = "support/kill_loop.rs"]
mod kill_loop;

use kill_loop::KillLoop;
use std::process::Command;
use std::time::Instant;

/// Ten accounts of 100; each transaction moves an amount between two of them, logs the
/// move in `log` and counts it in `meta`. So after any whole number of transactions the
/// balances sum to 1000, `log` holds `count` records and the accounts' move counters sum
/// to twice `count`. Each `complete` prints the count it committed.
const WRITER: &str = r#"
const N = 10;
const r = indexedDB.open('bank', 1);
r.onupgradeneeded = () => {
  const db = r.result;
  const a = db.createObjectStore('accounts');
  for (let i = 0; i < N; i++) a.put({ balance: 100, moves: 0 }, i);
  db.createObjectStore('log', { autoIncrement: true });
  db.createObjectStore('meta').put(0, 'count');
};
r.onsuccess = () => {
  const db = r.result;
  let seed = Date.now() % 100000;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  function round() {
    const tx = db.transaction(['accounts', 'log', 'meta'], 'readwrite');
    const a = tx.objectStore('accounts');
    const from = next() % N, to = next() % N, amount = next() % 50;
    let n;
    tx.objectStore('meta').get('count').onsuccess = (e) => {
      n = e.target.result;
      a.get(from).onsuccess = (e1) => {
        const x = e1.target.result;
        x.balance -= amount;
        x.moves++;
        a.put(x, from);
        a.get(to).onsuccess = (e2) => {
          const y = e2.target.result;
          y.balance += amount;
          y.moves++;
          a.put(y, to);
          tx.objectStore('log').add({ n, from, to, amount, pad: 'p'.repeat(n % 300) });
          tx.objectStore('meta').put(n + 1, 'count');
        };
      };
    };
    tx.oncomplete = () => { console.log('committed ' + (n + 1)); round(); };
  }
  round();
};
"#;

/// Prints `STATE none`, or `STATE count sum logCount moves`, or `STATE error ...`.
const READER: &str = r#"
indexedDB.databases().then((list) => {
  if (!list.some((d) => d.name === 'bank')) { console.log('STATE none'); return; }
  const r = indexedDB.open('bank');
  r.onerror = () => console.log('STATE error ' + r.error.name + ': ' + r.error.message);
  r.onsuccess = () => {
    const db = r.result;
    const tx = db.transaction(['accounts', 'log', 'meta']);
    const out = {};
    tx.objectStore('accounts').getAll().onsuccess = (e) => {
      out.sum = e.target.result.reduce((s, x) => s + x.balance, 0);
      out.moves = e.target.result.reduce((s, x) => s + x.moves, 0);
      out.accounts = e.target.result.length;
    };
    tx.objectStore('log').count().onsuccess = (e) => { out.log = e.target.result; };
    tx.objectStore('meta').get('count').onsuccess = (e) => { out.count = e.target.result; };
    tx.oncomplete = () => console.log(`STATE ${out.count} ${out.sum} ${out.log} ${out.moves} ${out.accounts}`);
    tx.onabort = () => console.log('STATE error ' + tx.error);
  };
}, (e) => console.log('STATE error ' + e));
"#;

fn kpio() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kpio"));
    c.args(["web", "run", "--task-time", "600", "--storage"]);
    c
}

/// The reader's count after checking the invariants (0 when there is no database yet).
fn check(dir: &std::path::Path, script: &std::path::Path, kill: usize) -> u64 {
    let out = kpio().arg(dir).arg(script).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "kill {kill}: the reader failed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("STATE "))
        .unwrap_or_else(|| panic!("kill {kill}: the reader printed no state: {stdout}"));
    if line == "none" {
        return 0;
    }
    let f: Vec<&str> = line.split(' ').collect();
    assert!(
        f.len() == 5 && f[0] != "error",
        "kill {kill}: the database does not read: {line}"
    );
    let n: u64 = f[0].parse().unwrap();
    assert_eq!(
        f[1], "1000",
        "kill {kill}: the balances do not sum to 1000: {line}"
    );
    assert_eq!(
        f[2], f[0],
        "kill {kill}: log records and count differ: {line}"
    );
    assert_eq!(
        f[3],
        (2 * n).to_string(),
        "kill {kill}: moves are not 2 x count: {line}"
    );
    assert_eq!(f[4], "10", "kill {kill}: accounts missing: {line}");
    n
}

#[test]
fn indexeddb_holds_a_whole_state_after_200_kills() {
    let dir = std::env::temp_dir().join(format!("kpio-idb-kills-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let writer = dir.join("writer.js");
    let reader = dir.join("reader.js");
    std::fs::write(&writer, WRITER).unwrap();
    std::fs::write(&reader, READER).unwrap();
    let storage = dir.join("storage");
    let mut kills = KillLoop::new(0x2545_f491_4f6c_dd1d, "committed ");
    let mut last_n = 0;
    let mut grew = 0;
    let start = Instant::now();
    for kill in 0..200 {
        let printed = kills.run(kpio().arg(&storage).arg(&writer), kill);
        // The last transaction whose complete event fired: it must have survived.
        let completed: u64 = printed
            .lines()
            .filter_map(|l| l.strip_prefix("committed ")?.parse().ok())
            .max()
            .unwrap_or(0);
        let n = check(&storage, &reader, kill);
        assert!(
            n >= last_n,
            "kill {kill}: count went back from {last_n} to {n}"
        );
        assert!(
            n >= completed,
            "kill {kill}: transaction {completed} completed but the count is {n}"
        );
        if n > last_n {
            grew += 1;
        }
        last_n = n;
    }
    assert!(
        grew >= 100,
        "only {grew} of 200 runs committed anything (count = {last_n})"
    );
    assert!(
        storage.join("idb").join("indexeddb.redb").is_file(),
        "IndexedDB is kept in DIR/idb/"
    );
    eprintln!(
        "200 kills in {:?}, {last_n} transactions committed",
        start.elapsed()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

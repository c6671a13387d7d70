//! IndexedDB in realms, for what scripts cannot see: data kept on disk across stores,
//! two realms sharing one store, a corrupt file, the quota and its usage count, and the
//! value serialiser's round trip over many generated values.

use kpio_web::indexed_db::store::FILE_NAME;
use kpio_web::{IndexedDbStore, Realm, RealmOptions};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

type Lines = Rc<RefCell<Vec<String>>>;

fn realm(store: &Rc<IndexedDbStore>) -> (Realm, Lines) {
    let lines: Lines = Rc::default();
    let sink = lines.clone();
    let realm = Realm::new(RealmOptions {
        indexed_db: Some(store.clone()),
        console: Some(Box::new(move |_, text| sink.borrow_mut().push(text.into()))),
        ..RealmOptions::default()
    })
    .unwrap();
    (realm, lines)
}

/// Runs `script`, then the event loop until `done` is printed (or 10 s pass).
fn run(r: &mut Realm, lines: &Lines, script: &str) -> Vec<String> {
    r.eval_script(script, "test.js").unwrap();
    let l = lines.clone();
    r.run_event_loop(Duration::from_secs(10), &mut || {
        l.borrow().iter().any(|x| x == "done")
    })
    .unwrap();
    lines.borrow_mut().drain(..).collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kpio-idb-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const WRITE: &str = r#"
const r = indexedDB.open('app', 3);
r.onupgradeneeded = () => {
  const s = r.result.createObjectStore('notes', { keyPath: 'id', autoIncrement: true });
  s.createIndex('by_tag', 'tags', { multiEntry: true });
};
r.onsuccess = () => {
  const tx = r.result.transaction('notes', 'readwrite');
  const s = tx.objectStore('notes');
  s.put({ text: 'first', tags: ['a', 'b'], when: new Date(5) });
  s.put({ text: 'second', tags: ['b'], big: 10n ** 30n, m: new Map([[1, 'one']]) });
  tx.oncomplete = () => { r.result.close(); console.log('done'); };
};
"#;

const READ: &str = r#"
const r = indexedDB.open('app');
r.onsuccess = () => {
  const db = r.result;
  const s = db.transaction('notes').objectStore('notes');
  s.index('by_tag').getAll('b').onsuccess = (e) => {
    const v = e.target.result;
    console.log(`version ${db.version} ${v.length} ${v[0].text} ${v[0].when.getTime()} ${v[1].big} ${v[1].m.get(1)} ${v[1].id}`);
  };
  indexedDB.databases().then((l) => { console.log(JSON.stringify(l)); console.log('done'); });
};
r.onerror = () => { console.log('error ' + r.error.name); console.log('done'); };
"#;

#[test]
fn data_outlives_the_store_and_the_realm() {
    let dir = temp_dir("persist");
    {
        let store = IndexedDbStore::open(&dir, kpio_web::indexed_db::DEFAULT_QUOTA);
        let (mut r, lines) = realm(&store);
        assert_eq!(run(&mut r, &lines, WRITE), ["done"]);
        assert!(store.usage() > 0, "the usage counts what was written");
    }
    assert!(dir.join(FILE_NAME).is_file());
    let store = IndexedDbStore::open(&dir, kpio_web::indexed_db::DEFAULT_QUOTA);
    let used = store.usage();
    let (mut r, lines) = realm(&store);
    let out = run(&mut r, &lines, READ);
    assert_eq!(
        out[0],
        "version 3 2 first 5 1000000000000000000000000000000 one 2"
    );
    assert_eq!(out[1], r#"[{"name":"app","version":3}]"#);
    assert!(store.check().is_ok());
    assert!(used > 0, "the usage is read back from the file");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_realms_sharing_a_store_take_turns_at_writing() {
    let store = IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA);
    let (mut a, la) = realm(&store);
    let (mut b, lb) = realm(&store);
    let setup = r#"
      const r = indexedDB.open('shared', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('s');
      r.onsuccess = () => { r.result.close(); console.log('done'); };
    "#;
    assert_eq!(run(&mut a, &la, setup), ["done"]);
    // A starts a readwrite transaction and, its event loop not running, holds it open.
    a.eval_script(
        r#"{
      const r = indexedDB.open('shared', 1);
      r.onsuccess = () => {
        const tx = r.result.transaction('s', 'readwrite');
        tx.objectStore('s').put('from a', 'k');
        tx.oncomplete = () => console.log('a committed');
        console.log('a holds');
      };
    }"#,
        "a.js",
    )
    .unwrap();
    let lac = la.clone();
    a.run_event_loop(Duration::from_secs(5), &mut || {
        lac.borrow().iter().any(|x| x == "a holds")
    })
    .unwrap();
    b.eval_script(
        r#"
      const r = indexedDB.open('shared', 1);
      r.onsuccess = () => {
        const tx = r.result.transaction('s', 'readwrite');
        const s = tx.objectStore('s');
        s.get('k').onsuccess = (e) => { console.log('b saw ' + e.target.result); s.put('from b', 'k'); };
        tx.oncomplete = () => console.log('done');
      };
    "#,
        "b.js",
    )
    .unwrap();
    // B waits for A's writer (retrying, not blocking the thread) ...
    let lbc = lb.clone();
    b.run_event_loop(Duration::from_millis(200), &mut || {
        lbc.borrow().iter().any(|x| x == "done")
    })
    .unwrap();
    assert!(
        lb.borrow().is_empty(),
        "B wrote while A held the store: {:?}",
        lb.borrow()
    );
    // ... and goes on once A commits.
    a.run_event_loop(Duration::from_secs(5), &mut || {
        la.borrow().iter().any(|x| x == "a committed")
    })
    .unwrap();
    b.run_event_loop(Duration::from_secs(5), &mut || {
        lbc.borrow().iter().any(|x| x == "done")
    })
    .unwrap();
    assert_eq!(*lb.borrow(), ["b saw from a", "done"]);
}

/// Runs the realms' event loops in turn (as a host driving an app's windows does) until
/// `done` is printed in `lines` of the first, or 5 s pass.
fn run_both(a: &mut Realm, la: &Lines, b: &mut Realm) {
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        let l = la.clone();
        a.run_event_loop(Duration::from_millis(10), &mut || {
            l.borrow().iter().any(|x| x == "done")
        })
        .unwrap();
        if la.borrow().iter().any(|x| x == "done") {
            return;
        }
        b.run_event_loop(Duration::from_millis(10), &mut || false)
            .unwrap();
    }
    panic!("not done: {:?}", la.borrow());
}

#[test]
fn a_version_change_reaches_another_realms_connections() {
    let store = IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA);
    let (mut a, la) = realm(&store);
    let (mut b, lb) = realm(&store);
    assert_eq!(
        run(
            &mut b,
            &lb,
            r#"
      var db;
      const r = indexedDB.open('x', 1);
      r.onsuccess = () => {
        db = r.result;
        db.onversionchange = (e) => {
          console.log(`b: versionchange ${e.oldVersion} -> ${e.newVersion}`);
          setTimeout(() => { console.log('b: closing'); db.close(); }, 30);
        };
        console.log('done');
      };
    "#
        ),
        ["done"]
    );
    a.eval_script(
        r#"
      const r = indexedDB.open('x', 2);
      r.onblocked = (e) => console.log(`a: blocked ${e.oldVersion} -> ${e.newVersion}`);
      r.onupgradeneeded = () => console.log('a: upgradeneeded');
      r.onsuccess = () => { console.log('a: version ' + r.result.version); console.log('done'); };
    "#,
        "a.js",
    )
    .unwrap();
    run_both(&mut a, &la, &mut b);
    assert_eq!(
        *la.borrow(),
        [
            "a: blocked 1 -> 2",
            "a: upgradeneeded",
            "a: version 2",
            "done"
        ]
    );
    assert_eq!(*lb.borrow(), ["b: versionchange 1 -> 2", "b: closing"]);
}

#[test]
fn a_deletion_waits_for_another_realm_that_closes_at_once() {
    let store = IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA);
    let (mut a, la) = realm(&store);
    let (mut b, lb) = realm(&store);
    let open_b = r#"
      const r = indexedDB.open('y', 3);
      r.onsuccess = () => {
        const db = r.result;
        db.onversionchange = (e) => { console.log('b: versionchange ' + e.newVersion); db.close(); };
        console.log('done');
      };
    "#;
    assert_eq!(run(&mut b, &lb, open_b), ["done"]);
    a.eval_script(
        r#"
      const r = indexedDB.deleteDatabase('y');
      r.onblocked = () => console.log('a: blocked');
      r.onsuccess = (e) => { console.log('a: deleted ' + e.oldVersion); console.log('done'); };
    "#,
        "a.js",
    )
    .unwrap();
    run_both(&mut a, &la, &mut b);
    assert_eq!(
        *la.borrow(),
        ["a: deleted 3", "done"],
        "no blocked: b closed when asked"
    );
    assert_eq!(*lb.borrow(), ["b: versionchange null"]);
}

#[test]
fn an_open_in_another_realm_waits_for_an_upgrade_in_progress() {
    let store = IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA);
    let (mut a, la) = realm(&store);
    let (mut b, lb) = realm(&store);
    a.eval_script(
        r#"
      const r = indexedDB.open('z', 2);
      r.onupgradeneeded = () => { r.result.createObjectStore('made'); console.log('upgrading'); };
      r.onsuccess = () => console.log('a open');
    "#,
        "a.js",
    )
    .unwrap();
    let l = la.clone();
    a.run_event_loop(Duration::from_secs(5), &mut || {
        l.borrow().iter().any(|x| x == "upgrading")
    })
    .unwrap();
    b.eval_script(
        r#"
      const r = indexedDB.open('z');
      r.onsuccess = () => {
        console.log(`b open ${r.result.version} ${[...r.result.objectStoreNames]}`);
        console.log('done');
      };
    "#,
        "b.js",
    )
    .unwrap();
    b.run_event_loop(Duration::from_millis(100), &mut || false)
        .unwrap();
    assert!(
        lb.borrow().is_empty(),
        "b opened during a's upgrade: {:?}",
        lb.borrow()
    );
    a.run_event_loop(Duration::from_secs(5), &mut || {
        l.borrow().iter().any(|x| x == "a open")
    })
    .unwrap();
    let lbc = lb.clone();
    b.run_event_loop(Duration::from_secs(5), &mut || {
        lbc.borrow().iter().any(|x| x == "done")
    })
    .unwrap();
    assert_eq!(lb.borrow()[0], "b open 2 made");
}

#[test]
fn a_realm_dropped_mid_transaction_frees_the_store() {
    let store = IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA);
    {
        let (mut a, la) = realm(&store);
        a.eval_script(
            r#"
          const r = indexedDB.open('d', 1);
          r.onupgradeneeded = () => { r.result.createObjectStore('s').put('never committed', 1); console.log('upgrading'); };
        "#,
            "a.js",
        )
        .unwrap();
        let l = la.clone();
        a.run_event_loop(Duration::from_secs(5), &mut || {
            l.borrow().iter().any(|x| x == "upgrading")
        })
        .unwrap();
        // Dropped here, its upgrade transaction (a write) still open.
    }
    let (mut b, lb) = realm(&store);
    let out = run(
        &mut b,
        &lb,
        r#"
      const r = indexedDB.open('d', 1);
      r.onupgradeneeded = (e) => console.log('fresh upgrade from ' + e.oldVersion);
      r.onsuccess = () => console.log('done');
    "#,
    );
    assert_eq!(out, ["fresh upgrade from 0", "done"]);
}

#[test]
fn a_corrupt_file_is_unknown_error_to_the_page_and_named_to_the_host() {
    let dir = temp_dir("corrupt");
    std::fs::write(
        dir.join(FILE_NAME),
        b"this is not a redb file, only text ".repeat(3000),
    )
    .unwrap();
    let store = IndexedDbStore::open(&dir, kpio_web::indexed_db::DEFAULT_QUOTA);
    let (mut r, lines) = realm(&store);
    let out = run(
        &mut r,
        &lines,
        r#"
      const r = indexedDB.open('x', 1);
      r.onsuccess = () => { console.log('opened?!'); console.log('done'); };
      r.onerror = (e) => { e.preventDefault(); console.log(r.error.name); console.log('done'); };
    "#,
    );
    assert_eq!(out, ["UnknownError", "done"]);
    let host = store.take_error().expect("the host is told");
    assert!(host.contains(FILE_NAME), "{host}");
    // The file is left as it was: never silently emptied.
    assert!(
        std::fs::read(dir.join(FILE_NAME))
            .unwrap()
            .starts_with(b"this is not")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_corrupt_record_is_unknown_error_and_aborts_the_transaction() {
    let store = IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA);
    let (mut r, lines) = realm(&store);
    let setup = r#"
      const r = indexedDB.open('c', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('s').put('fine', 1);
      r.onsuccess = () => { r.result.close(); console.log('done'); };
    "#;
    assert_eq!(run(&mut r, &lines, setup), ["done"]);
    // The first store made gets id 1: overwrite its record 2 with bytes that are no value.
    let t = store.begin(true, 0).unwrap().unwrap();
    let key = kpio_web::indexed_db::key::Key::Number(2.0);
    store
        .put(t, 1, &key, b"\x01\x99 not a value", &[], false, false)
        .unwrap();
    store.commit(t).unwrap();
    let out = run(
        &mut r,
        &lines,
        r#"{
      const r = indexedDB.open('c', 1);
      r.onsuccess = () => {
        const tx = r.result.transaction('s');
        const s = tx.objectStore('s');
        s.get(1).onsuccess = (e) => console.log('good ' + e.target.result);
        const bad = s.get(2);
        bad.onerror = () => console.log('bad ' + bad.error.name);
        tx.onabort = () => { console.log('abort ' + tx.error.name); console.log('done'); };
      };
    }"#,
    );
    assert_eq!(
        out,
        [
            "good fine",
            "bad UnknownError",
            "abort UnknownError",
            "done"
        ]
    );
}

#[test]
fn the_quota_fails_a_write_with_quota_exceeded_error_and_aborts() {
    let store = IndexedDbStore::in_memory(20_000);
    let (mut r, lines) = realm(&store);
    let out = run(
        &mut r,
        &lines,
        r#"
      const r = indexedDB.open('q', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('s');
      r.onsuccess = () => {
        const db = r.result;
        const tx = db.transaction('s', 'readwrite');
        tx.objectStore('s').put('small', 1);
        const big = tx.objectStore('s').put(new Uint8Array(30000), 2);
        big.onerror = () => console.log('request ' + big.error.name);
        tx.onabort = () => {
          console.log('abort ' + tx.error.name);
          const t2 = db.transaction('s', 'readwrite');
          t2.objectStore('s').put('x'.repeat(1000), 3);
          t2.oncomplete = () => {
            db.transaction('s').objectStore('s').getAllKeys().onsuccess = (e) => {
              console.log('keys ' + e.target.result.join());
              console.log('done');
            };
          };
        };
      };
    "#,
    );
    assert_eq!(
        out,
        [
            "request QuotaExceededError",
            "abort QuotaExceededError",
            "keys 3",
            "done"
        ]
    );
    assert!(
        store.usage() > 1000 && store.usage() < 20_000,
        "{}",
        store.usage()
    );
}

/// A small deterministic generator of JavaScript value expressions.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn value(&mut self, depth: u32) -> String {
        let leaf = depth > 3;
        match self.below(if leaf { 9 } else { 15 }) {
            0 => ["undefined", "null", "true", "false"][self.below(4) as usize].into(),
            1 => ["0", "-0", "NaN", "Infinity", "-1.5e-300", "2**53", "-7"][self.below(7) as usize]
                .into(),
            2 => format!("{}n", self.next() as i64),
            3 => {
                const UNITS: [&str; 6] = [
                    "a",
                    "\\u00e9",
                    "\\uD800",
                    "\\uDC00",
                    "\\u0000",
                    "\\uD83D\\uDE00",
                ];
                let n = self.below(6);
                let mut s = String::from("'");
                for _ in 0..n {
                    s.push_str(UNITS[self.below(6) as usize]);
                }
                s + "'"
            }
            4 => format!("'{}'", "long".repeat(self.below(40) as usize)),
            5 => format!("new Date({})", self.next() % 10_000_000_000_000),
            6 => format!("/a{}b/gimsuy", self.below(5)),
            7 => format!(
                "new {}([{}, 2, 3])",
                ["Uint8Array", "Int16Array", "Float64Array", "Uint32Array"][self.below(4) as usize],
                self.below(100)
            ),
            8 => [
                "new Number(-0)",
                "new String('s')",
                "new Boolean(true)",
                "Object(3n)",
            ][self.below(4) as usize]
                .into(),
            9 | 10 => {
                let n = self.below(4);
                let items: Vec<String> = (0..n).map(|_| self.value(depth + 1)).collect();
                format!(
                    "[{}{}]",
                    items.join(", "),
                    if self.below(3) == 0 { ", , 7" } else { "" }
                )
            }
            11 | 12 => {
                let n = self.below(4);
                let items: Vec<String> = (0..n)
                    .map(|i| format!("k{i}: {}", self.value(depth + 1)))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
            13 => format!(
                "new Map([[{}, {}]])",
                self.value(depth + 1),
                self.value(depth + 1)
            ),
            _ => format!(
                "new Set([{}, {}])",
                self.value(depth + 1),
                self.value(depth + 1)
            ),
        }
    }
}

/// Compares two values structurally (types, prototypes, -0, NaN, holes) in JavaScript.
const SAME: &str = r#"
function same(a, b) {
  if (typeof a !== typeof b) return false;
  if (typeof a !== 'object' || a === null) return Object.is(a, b);
  if (b === null || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const tag = Object.prototype.toString.call(a);
  if (tag !== Object.prototype.toString.call(b)) return false;
  if (a instanceof Date) return Object.is(a.getTime(), b.getTime());
  if (a instanceof RegExp) return a.source === b.source && a.flags === b.flags;
  if (ArrayBuffer.isView(a)) return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  if (a instanceof Map) return same([...a], [...b]);
  if (a instanceof Set) return same([...a], [...b]);
  if (tag === '[object Number]' || tag === '[object String]' || tag === '[object Boolean]' || tag === '[object BigInt]') {
    return Object.is(a.valueOf(), b.valueOf());
  }
  if (Array.isArray(a) && a.length !== b.length) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same(a[k], b[k]));
}
"#;

#[test]
fn generated_values_come_back_the_same() {
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let values: Vec<String> = (0..400).map(|_| g.value(0)).collect();
    let script = format!(
        r#"{SAME}
        const values = [{}];
        const r = indexedDB.open('rt', 1);
        r.onupgradeneeded = () => r.result.createObjectStore('s');
        r.onsuccess = () => {{
          const db = r.result;
          const tx = db.transaction('s', 'readwrite');
          values.forEach((v, i) => tx.objectStore('s').put(v, i));
          tx.oncomplete = () => {{
            db.transaction('s').objectStore('s').getAll().onsuccess = (e) => {{
              const got = e.target.result;
              let bad = 0;
              got.forEach((v, i) => {{ if (!same(values[i], v)) {{ bad++; console.log('differs ' + i); }} }});
              console.log('checked ' + got.length + ' bad ' + bad);
              console.log('done');
            }};
          }};
        }};
    "#,
        values.join(",\n")
    );
    let store = IndexedDbStore::in_memory(kpio_web::indexed_db::DEFAULT_QUOTA);
    let (mut r, lines) = realm(&store);
    let out = run(&mut r, &lines, &script);
    assert_eq!(out, ["checked 400 bad 0", "done"], "values: {values:?}");
}

/// localStorage and IndexedDB share the app's budget: what one uses, the other cannot.
#[test]
fn local_storage_and_indexed_db_share_the_apps_budget() {
    use kpio_web::app::{WebApp, WebAppOptions};
    let lines: Rc<RefCell<Vec<String>>> = Rc::default();
    let sink = lines.clone();
    let mut app = WebApp::new(WebAppOptions {
        origin: "https://app.test".into(),
        limits: kpio_web::Limits::default(),
        network: None,
        storage: Some(kpio_web::WebStorage::in_memory(
            kpio_web::web_storage::DEFAULT_QUOTA_UNITS,
        )),
        caches: None,
        indexed_db: Some(IndexedDbStore::in_memory(
            kpio_web::indexed_db::DEFAULT_QUOTA,
        )),
        storage_budget: 300_000,
        service_workers: None,
        offline_fallback: Default::default(),
        sync: kpio_web::service_worker::SyncTasks::in_memory(Default::default()),
        notifications: None,
        console: Some(Rc::new(move |_, _, t| sink.borrow_mut().push(t.to_owned()))),
    });
    let w = app.open_window("https://app.test/").unwrap();
    app.eval_script(
        w,
        r#"
        const req = (r) => new Promise((ok, no) => { r.onsuccess = () => ok(r.result); r.onerror = (e) => { e.preventDefault(); no(r.error); }; });
        const put = (db, v) => new Promise((ok) => {
          const tx = db.transaction('s', 'readwrite');
          tx.objectStore('s').put(v, 'k');
          tx.oncomplete = () => ok('stored');
          tx.onabort = () => ok(tx.error.name);
        });
        (async () => {
          const open = indexedDB.open('budget', 1);
          open.onupgradeneeded = () => open.result.createObjectStore('s');
          const db = await req(open);
          localStorage.setItem('k', 'x'.repeat(100000));
          console.log('small ' + await put(db, 'y'.repeat(40000)));
          console.log('big ' + await put(db, 'y'.repeat(100000)));
          localStorage.clear();
          console.log('after clear ' + await put(db, 'y'.repeat(100000)));
          console.log('END');
        })();
        "#,
        "page.js",
    )
    .unwrap();
    let l = lines.clone();
    app.run(Duration::from_secs(20), &mut |_| {
        l.borrow().iter().any(|x| x == "END")
    })
    .unwrap();
    assert_eq!(
        *lines.borrow(),
        [
            "small stored",
            "big QuotaExceededError",
            "after clear stored",
            "END"
        ]
    );
}

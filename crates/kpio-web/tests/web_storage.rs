//! Web Storage in realms: the API, quota, `storage` events between an app's windows,
//! and durability across realms opened on the same directory.

use kpio_web::web_storage::DEFAULT_QUOTA_UNITS;
use kpio_web::{ConsoleLevel, GlobalKind, Realm, RealmOptions, WebError, WebStorage};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

type Lines = Rc<RefCell<Vec<String>>>;

fn window(storage: &Rc<WebStorage>, url: &str) -> (Realm, Lines) {
    let lines: Lines = Rc::default();
    let sink = lines.clone();
    let realm = Realm::new(RealmOptions {
        storage: Some(storage.clone()),
        url: url.into(),
        console: Some(Box::new(move |level, text| {
            let prefix = if level == ConsoleLevel::Error {
                "error: "
            } else {
                ""
            };
            sink.borrow_mut().push(format!("{prefix}{text}"))
        })),
        ..RealmOptions::default()
    })
    .unwrap();
    (realm, lines)
}

fn run(r: &mut Realm, script: &str) {
    if let Err(e) = r.eval_script(script, "test.js") {
        panic!("{e}");
    }
    r.run_event_loop(Duration::from_secs(5), &mut || false)
        .unwrap();
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kpio-webstorage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn local_storage_keeps_strings_with_named_properties_and_lone_surrogates() {
    let storage = WebStorage::in_memory(DEFAULT_QUOTA_UNITS);
    let (mut w, lines) = window(&storage, "https://app.example/");
    run(
        &mut w,
        r#"
        localStorage.setItem('a', 1);
        localStorage.b = {toString() { return 'two'; }};
        localStorage.setItem('odd', 'x\ud800y');
        console.log(localStorage.length, localStorage.getItem('a'), localStorage.b, typeof localStorage.a);
        console.log(localStorage.getItem('odd') === 'x\ud800y', localStorage.getItem('nope'));
        console.log(Object.keys(localStorage).join(','), 'a' in localStorage, localStorage.key(1));
        delete localStorage.a;
        localStorage.removeItem('b');
        console.log(localStorage.length, localStorage.key(0), localStorage.key(5));
        localStorage.clear();
        console.log(localStorage.length, Object.prototype.toString.call(localStorage), localStorage instanceof Storage);
        // A name the prototype has stays the method; the item is there all the same.
        localStorage.setItem('getItem', 'shadowed');
        console.log(typeof localStorage.getItem, localStorage.getItem('getItem'));
        "#,
    );
    assert_eq!(
        *lines.borrow(),
        vec![
            "3 1 two string",
            "true null",
            "a,b,odd true b",
            "1 odd null",
            "0 [object Storage] true",
            "function shadowed",
        ]
    );
}

#[test]
fn the_quota_counts_utf16_code_units_and_throws_quota_exceeded_error() {
    let storage = WebStorage::in_memory(100);
    let (mut w, lines) = window(&storage, "https://app.example/");
    run(
        &mut w,
        r#"
        localStorage.setItem('k', 'x'.repeat(98));          // 1 + 98 = 99 code units
        try { localStorage.setItem('k2', ''); } catch (e) { console.log('1', e.name, e instanceof DOMException, e.code); }
        try { localStorage.setItem('k', 'x'.repeat(99) + '😀'); } catch (e) { console.log('2', e.name); }
        localStorage.setItem('k', 'é'.repeat(99));           // replacing: 1 + 99 = 100
        console.log(localStorage.getItem('k').length, localStorage.length);
        "#,
    );
    assert_eq!(
        *lines.borrow(),
        vec![
            "1 QuotaExceededError true 22",
            "2 QuotaExceededError",
            "99 1"
        ]
    );
}

#[test]
fn other_windows_get_storage_events_and_the_writer_does_not() {
    let storage = WebStorage::in_memory(DEFAULT_QUOTA_UNITS);
    let (mut a, a_lines) = window(&storage, "https://app.example/a");
    let (mut b, b_lines) = window(&storage, "https://app.example/b");
    let listen = "addEventListener('storage', (e) => console.log(e.key, e.oldValue, e.newValue, e.url, e.storageArea === localStorage, e.storageArea === sessionStorage, e.isTrusted));";
    run(&mut a, listen);
    run(&mut b, listen);
    run(
        &mut a,
        "localStorage.setItem('k', 'v1'); localStorage.setItem('k', 'v1'); localStorage.setItem('k', 'v2'); sessionStorage.setItem('s', '1'); localStorage.removeItem('k'); localStorage.removeItem('missing'); localStorage.clear(); localStorage.setItem('z', 'z'); localStorage.clear();",
    );
    run(&mut b, "");
    assert!(a_lines.borrow().is_empty(), "{:?}", a_lines.borrow());
    assert_eq!(
        *b_lines.borrow(),
        vec![
            "k null v1 https://app.example/a true false true",
            "k v1 v2 https://app.example/a true false true",
            "s null 1 https://app.example/a false true true",
            "k v2 null https://app.example/a true false true",
            "z null z https://app.example/a true false true",
            "null null null https://app.example/a true false true",
        ]
    );
}

#[test]
fn local_storage_outlives_its_realms_and_session_storage_does_not() {
    let dir = temp_dir("durable");
    {
        let storage = WebStorage::open(&dir, DEFAULT_QUOTA_UNITS).unwrap();
        let (mut w, _) = window(&storage, "https://app.example/");
        // The last i with i % 7 == 6 below 2000 is 1994.
        run(
            &mut w,
            "for (let i = 0; i < 2000; i++) localStorage.setItem('k' + (i % 7), 'v' + i); localStorage.removeItem('k3'); sessionStorage.setItem('s', 'gone');",
        );
    }
    let storage = WebStorage::open(&dir, DEFAULT_QUOTA_UNITS).unwrap();
    let (mut w, lines) = window(&storage, "https://app.example/");
    run(
        &mut w,
        "console.log(localStorage.length, localStorage.getItem('k6'), localStorage.getItem('k3'), sessionStorage.length);",
    );
    assert_eq!(*lines.borrow(), vec!["6 v1994 null 0"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn workers_have_no_web_storage() {
    let storage = WebStorage::in_memory(DEFAULT_QUOTA_UNITS);
    let mut worker = Realm::new(RealmOptions {
        kind: GlobalKind::DedicatedWorker,
        storage: Some(storage),
        ..RealmOptions::default()
    })
    .unwrap();
    let err = worker
        .eval_script("localStorage.length", "w.js")
        .unwrap_err();
    assert!(
        matches!(err, WebError::Script(ref e) if e.name == "ReferenceError"),
        "{err}"
    );
}

//! The Cache API's store, end to end through realms: persistence across realms and
//! stores opened on the same directory, LRU eviction under the byte budget, doomed
//! caches, corrupt files refused, and add()/addAll() over fetch() from a local server.

use kpio_web::cache_storage::DEFAULT_BUDGET;
use kpio_web::local_server::LocalServer;
use kpio_web::{CacheError, CacheStore, GlobalKind, Network, NetworkScope, Realm, RealmOptions};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

type Lines = Rc<RefCell<Vec<String>>>;

fn realm(store: &Rc<CacheStore>, kind: GlobalKind) -> (Realm, Lines) {
    let lines: Lines = Rc::default();
    let sink = lines.clone();
    let realm = Realm::new(RealmOptions {
        kind,
        caches: Some(store.clone()),
        console: Some(Box::new(move |_, text| {
            sink.borrow_mut().push(text.to_owned())
        })),
        ..RealmOptions::default()
    })
    .unwrap();
    (realm, lines)
}

/// Runs the body of an async function in `r`; what it logged. Panics if it throws.
fn run_in(r: &mut Realm, lines: &Lines, body: &str) -> Vec<String> {
    lines.borrow_mut().clear();
    let script = format!(
        "(async () => {{\n{body}\n}})().then(() => console.log('<done>'), \
         (e) => console.log('<error>', e && e.name, e && e.message));"
    );
    r.eval_script(&script, "test.js").unwrap();
    let l = lines.clone();
    r.run_event_loop(Duration::from_secs(20), &mut || {
        l.borrow()
            .iter()
            .any(|x| x == "<done>" || x.starts_with("<error>"))
    })
    .unwrap();
    let mut out = lines.borrow().clone();
    assert_eq!(out.pop().as_deref(), Some("<done>"), "{out:?}");
    out
}

/// Runs `body` in a new window realm on `store`.
fn run(store: &Rc<CacheStore>, body: &str) -> Vec<String> {
    let (mut r, lines) = realm(store, GlobalKind::Window);
    run_in(&mut r, &lines, body)
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kpio-caches-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn names(store: &CacheStore) -> Vec<String> {
    store.cache_names()
}

fn urls(store: &CacheStore, name: &str) -> Vec<String> {
    store
        .request_urls(&format!("{name:?}"))
        .unwrap_or_else(|| panic!("no cache {name}"))
        .into_iter()
        .map(|u| u.trim_start_matches("https://app.test/").to_owned())
        .collect()
}

#[test]
fn caches_outlive_their_realms_and_their_store() {
    let dir = temp_dir("persist");
    {
        let store = CacheStore::open(&dir, DEFAULT_BUDGET).unwrap();
        run(
            &store,
            r#"
            const a = await caches.open('static-v1');
            await a.put('https://app.test/index.html', new Response('<h1>hi</h1>', {
              status: 200, statusText: 'OK', headers: { 'Content-Type': 'text/html', 'X-Build': '7' } }));
            await a.put(new Request('https://app.test/data', { headers: { 'X-Lang': 'fr' } }),
              new Response(new Uint8Array([0, 1, 254, 255]), { headers: { Vary: 'X-Lang' } }));
            await a.put('https://app.test/empty', new Response(null, { status: 204 }));
            const b = await caches.open('api');
            await b.put('https://app.test/api?q=1', new Response('{"n":1}'));
            "#,
        );
        // Another realm (a worker) of the same app sees them at once.
        let (mut w, lines) = realm(&store, GlobalKind::DedicatedWorker);
        let out = run_in(
            &mut w,
            &lines,
            "console.log((await caches.keys()).join(','), \
             await (await caches.match('https://app.test/api?q=1')).text());",
        );
        assert_eq!(out, ["static-v1,api {\"n\":1}"]);
    }
    // A new store on the same directory (as after a restart) has everything, in order.
    let store = CacheStore::open(&dir, DEFAULT_BUDGET).unwrap();
    assert_eq!(names(&store), ["\"static-v1\"", "\"api\""]);
    assert_eq!(urls(&store, "static-v1"), ["index.html", "data", "empty"]);
    let out = run(
        &store,
        r#"
        const c = await caches.open('static-v1');
        const page = await c.match('https://app.test/index.html');
        console.log(page.status, page.statusText, page.headers.get('x-build'), page.type, await page.text());
        const data = await c.match(new Request('https://app.test/data', { headers: { 'X-Lang': 'fr' } }));
        console.log(Array.from(new Uint8Array(await data.arrayBuffer())).join(' '));
        console.log(await c.match('https://app.test/data'), 'without the header');
        const empty = await c.match('https://app.test/empty');
        console.log(empty.status, empty.body);
        const [, key] = await c.keys();
        console.log(key.url, key.headers.get('x-lang'));
        "#,
    );
    assert_eq!(
        out,
        [
            "200 OK 7 default <h1>hi</h1>",
            "0 1 254 255",
            "undefined without the header",
            "204 null",
            "https://app.test/data fr",
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_budget_evicts_the_least_recently_used_entries_across_caches() {
    let dir = temp_dir("lru");
    // Each entry is a 2,000-byte body plus ~250 bytes of metadata: four fit, five do not.
    let budget = 9_500;
    let store = CacheStore::open(&dir, budget).unwrap();
    let put = |cache: &str, n: u32| {
        format!(
            "await (await caches.open('{cache}')).put('https://app.test/{n}', \
             new Response('x'.repeat(2000)));"
        )
    };
    run(
        &store,
        &[put("a", 1), put("b", 2), put("a", 3), put("b", 4)].concat(),
    );
    assert!(
        store.usage() <= budget && store.usage() > 8_000,
        "{}",
        store.usage()
    );
    assert_eq!(urls(&store, "a"), ["1", "3"]);
    // Matching 1 (via CacheStorage) and 2 (via Cache) makes 3 the least recently used.
    run(
        &store,
        "await caches.match('https://app.test/1'); \
         await (await caches.open('b')).matchAll('https://app.test/2');",
    );
    run(&store, &put("a", 5));
    assert_eq!(urls(&store, "a"), ["1", "5"], "3 was evicted");
    assert_eq!(urls(&store, "b"), ["2", "4"]);
    // Recency survives a restart (it is written when the store is dropped).
    drop(store);
    let store = CacheStore::open(&dir, budget).unwrap();
    run(&store, &put("b", 6));
    assert_eq!(
        urls(&store, "b"),
        ["2", "6"],
        "4 was the least recently used"
    );
    assert_eq!(urls(&store, "a"), ["1", "5"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_entry_larger_than_the_budget_is_quota_exceeded_and_changes_nothing() {
    let store = CacheStore::in_memory(5_000).unwrap();
    let out = run(
        &store,
        r#"
        const c = await caches.open('c');
        await c.put('https://app.test/small', new Response('s'.repeat(1000)));
        try {
          await c.put('https://app.test/huge', new Response('h'.repeat(6000)));
        } catch (e) {
          console.log(e.name, e instanceof DOMException, e.code);
        }
        try {
          await c.put('https://app.test/small', new Response('h'.repeat(6000)));
        } catch (e) {
          console.log(e.name);
        }
        console.log((await c.keys()).length, (await (await c.match('https://app.test/small')).text()).length);
        "#,
    );
    assert_eq!(
        out,
        ["QuotaExceededError true 22", "QuotaExceededError", "1 1000"]
    );
    assert!(
        store.usage() > 1000 && store.usage() < 1500,
        "{}",
        store.usage()
    );
}

#[test]
fn usage_counts_bodies_and_metadata_and_falls_when_entries_go() {
    let store = CacheStore::in_memory(DEFAULT_BUDGET).unwrap();
    assert_eq!(store.usage(), 0);
    assert_eq!(store.budget(), DEFAULT_BUDGET);
    run(
        &store,
        "const c = await caches.open('c'); \
         await c.put('https://app.test/a', new Response(new Uint8Array(10000))); \
         await c.put('https://app.test/b', new Response(new Uint8Array(5000)));",
    );
    let both = store.usage();
    assert!((15_000..16_000).contains(&both), "{both}");
    run(
        &store,
        "await (await caches.open('c')).delete('https://app.test/a');",
    );
    let one = store.usage();
    assert!((5_000..5_500).contains(&one), "{one}");
    run(&store, "await caches.delete('c');");
    assert_eq!(store.usage(), 0);
}

#[test]
fn a_deleted_cache_keeps_its_entries_while_a_cache_object_uses_it() {
    let store = CacheStore::in_memory(DEFAULT_BUDGET).unwrap();
    let (mut w, lines) = realm(&store, GlobalKind::Window);
    let out = run_in(
        &mut w,
        &lines,
        r#"
        globalThis.kept = await caches.open('old');
        await kept.put('https://app.test/x', new Response('x'.repeat(1000)));
        console.log(await caches.delete('old'), await caches.has('old'));
        "#,
    );
    assert_eq!(out, ["true false"]);
    assert!(
        store.usage() > 1000,
        "the doomed cache still holds its entry"
    );
    assert!(store.cache_names().is_empty());
    let out = run_in(
        &mut w,
        &lines,
        "console.log(await (await kept.match('https://app.test/x')).text() === 'x'.repeat(1000));",
    );
    assert_eq!(out, ["true"]);
    // The realm ends: its Cache objects go, and the doomed cache's entries with them.
    drop(w);
    assert_eq!(store.usage(), 0);
}

#[test]
fn a_cache_object_that_is_collected_releases_its_deleted_cache() {
    let store = CacheStore::in_memory(DEFAULT_BUDGET).unwrap();
    let (mut w, lines) = realm(&store, GlobalKind::Window);
    run_in(
        &mut w,
        &lines,
        r#"
        let c = await caches.open('gone');
        await c.put('https://app.test/x', new Response('x'));
        await caches.delete('gone');
        c = null;
        "#,
    );
    // QuickJS frees the unreachable object; the registry's callback runs as a job.
    run_in(&mut w, &lines, "await null;");
    assert_eq!(store.usage(), 0);
}

#[test]
fn workers_and_windows_share_one_store() {
    let store = CacheStore::in_memory(DEFAULT_BUDGET).unwrap();
    let (mut win, wl) = realm(&store, GlobalKind::Window);
    let (mut worker, kl) = realm(&store, GlobalKind::DedicatedWorker);
    run_in(
        &mut worker,
        &kl,
        "await (await caches.open('shared')).put('https://app.test/w', new Response('from the worker'));",
    );
    let out = run_in(
        &mut win,
        &wl,
        "console.log(await (await caches.match('https://app.test/w')).text());",
    );
    assert_eq!(out, ["from the worker"]);
}

/// A realm whose `fetch` is a stand-in answering from a table, as add() and addAll() use
/// whatever `globalThis.fetch` is when they are called.
/// What add() and addAll() fetch: a local HTTP server with a few files, and its test
/// endpoints for the rest (see `kpio_web::local_server`).
fn server_site(name: &str) -> (PathBuf, LocalServer) {
    let dir = temp_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["one", "two", "three", "d"] {
        std::fs::write(dir.join(f), format!("body of /{f}")).unwrap();
    }
    std::fs::write(dir.join("z"), "z".repeat(3000)).unwrap();
    let server = LocalServer::start(&dir).unwrap();
    (dir, server)
}

/// Runs `body` in a window realm on `store` whose page is on `server`, with fetch()
/// reaching it.
fn run_served(store: &Rc<CacheStore>, server: &LocalServer, body: &str) -> Vec<String> {
    let lines: Lines = Rc::default();
    let sink = lines.clone();
    let mut realm = Realm::new(RealmOptions {
        kind: GlobalKind::Window,
        caches: Some(store.clone()),
        url: format!("{}/", server.origin()),
        network: Some(Network::new(NetworkScope::Local)),
        console: Some(Box::new(move |_, text| {
            sink.borrow_mut().push(text.to_owned())
        })),
        ..RealmOptions::default()
    })
    .unwrap();
    run_in(&mut realm, &lines, body)
}

const PRELUDE: &str = r#"
const c = await caches.open('fetched');
const keys = async () => (await c.keys()).map((r) => { const u = new URL(r.url); return u.pathname + u.search; }).join(',');
const failure = (p) => p.then(() => 'resolved', (e) => e.name);
"#;

#[test]
fn add_and_add_all_fetch_check_and_store_all_or_nothing() {
    let (dir, server) = server_site("add");
    let store = CacheStore::in_memory(DEFAULT_BUDGET).unwrap();
    let out = run_served(
        &store,
        &server,
        &format!(
            "{PRELUDE}
            console.log(await c.add('/one'), await keys());
            console.log(await (await c.match('/one')).text());
            await c.addAll(['/two', new Request('/_kpio/stream?chunks=2&size=3')]);
            console.log(await keys(), await (await c.match('/_kpio/stream?chunks=2&size=3')).text());
            console.log(await failure(c.add('/missing')), await keys());
            console.log(await failure(c.add('/_kpio/status?code=206')));
            console.log(await failure(c.add('/_kpio/status?header=Vary%3AAccept%2C%20*')));
            console.log(await failure(c.add('/_kpio/raw')));
            console.log(await failure(c.addAll(['/three', '/missing'])), await keys());
            console.log(await failure(c.addAll(['/d', '/d#x'])), await keys());
            console.log(await failure(c.add('data:text/plain,x')), await failure(c.addAll([new Request('/p?log=refused', {{ method: 'POST' }})])));
            console.log((await (await fetch('/_kpio/log?key=refused')).json()).length, 'fetches of refused requests');
            await c.addAll([]);
            console.log(await keys());
            "
        ),
    );
    assert_eq!(
        out,
        [
            "undefined /one",
            "body of /one",
            "/one,/two,/_kpio/stream?chunks=2&size=3 012012",
            "TypeError /one,/two,/_kpio/stream?chunks=2&size=3",
            "TypeError",
            "TypeError",
            "TypeError",
            "TypeError /one,/two,/_kpio/stream?chunks=2&size=3",
            "InvalidStateError /one,/two,/_kpio/stream?chunks=2&size=3",
            "TypeError TypeError",
            "0 fetches of refused requests",
            "/one,/two,/_kpio/stream?chunks=2&size=3",
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_add_all_batch_never_evicts_its_own_entries() {
    // Three 3,000-byte responses (and their headers) fit a 10,500-byte budget only once
    // the older entries go.
    let (dir, server) = server_site("batch");
    let store = CacheStore::in_memory(10_500).unwrap();
    let out = run_served(
        &store,
        &server,
        &format!(
            "{PRELUDE}
            await c.put('/old1', new Response('o'.repeat(3000)));
            await c.put('/old2', new Response('o'.repeat(3000)));
            await c.addAll(['/z?n1', '/z?n2', '/z?n3']);
            console.log(await keys());
            console.log(await failure(c.addAll(['/z?m1', '/z?m2', '/z?m3', '/z?m4'])), await keys());
            "
        ),
    );
    assert_eq!(
        out,
        ["/z?n1,/z?n2,/z?n3", "QuotaExceededError /z?n1,/z?n2,/z?n3"],
        "the old entries went; a batch larger than the budget changes nothing"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// What opening `dir` gives, as an error.
fn open_error(dir: &Path) -> CacheError {
    match CacheStore::open(dir, DEFAULT_BUDGET) {
        Ok(_) => panic!("{} opened", dir.display()),
        Err(e) => e,
    }
}

fn filled_store(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let store = CacheStore::open(&dir, DEFAULT_BUDGET).unwrap();
    run(
        &store,
        "const c = await caches.open('c'); \
         for (let i = 0; i < 20; i++) await c.put('https://app.test/' + i, new Response('v'.repeat(3000) + i));",
    );
    drop(store);
    let file = dir.join("caches.redb");
    assert!(file.is_file());
    (dir, file)
}

#[test]
fn a_file_that_is_not_a_store_is_refused_by_name_and_left_alone() {
    let dir = temp_dir("garbage");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("caches.redb");
    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&file, &garbage).unwrap();
    let e = open_error(&dir);
    assert!(matches!(e, CacheError::Corrupt { .. }), "{e:?}");
    assert!(e.to_string().contains(&file.display().to_string()), "{e}");
    assert!(
        std::fs::read(&file).unwrap() == garbage,
        "never emptied or rewritten"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn damaged_pages_of_a_store_are_refused_by_name_and_left_alone() {
    let (dir, file) = filled_store("damaged");
    let mut bytes = std::fs::read(&file).unwrap();
    // Flip bytes inside a stored body (live data, under a page checksum).
    let at = bytes
        .windows(64)
        .position(|w| w.iter().all(|&b| b == b'v'))
        .expect("a body in the file");
    for b in &mut bytes[at..at + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&file, &bytes).unwrap();
    let e = open_error(&dir);
    assert!(e.to_string().contains(&file.display().to_string()), "{e}");
    assert!(matches!(e, CacheError::Corrupt { .. }), "{e:?}");
    assert!(
        std::fs::read(&file).unwrap() == bytes,
        "the file was changed"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_truncated_store_is_refused() {
    let (dir, file) = filled_store("truncated");
    let bytes = std::fs::read(&file).unwrap();
    for len in [bytes.len() / 3, 100, 7] {
        std::fs::write(&file, &bytes[..len]).unwrap();
        let e = open_error(&dir);
        assert!(
            e.to_string().contains(&file.display().to_string()),
            "{len}: {e}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_record_inside_a_sound_file_is_refused_by_name() {
    let (dir, file) = filled_store("record");
    {
        // Write a bad record with redb itself, so every page checksum is right.
        let db = redb::Database::create(&file).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let table: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("entries");
            let mut t = txn.open_table(table).unwrap();
            let first = {
                use redb::ReadableTable;
                t.first().unwrap().unwrap().0.value()
            };
            t.insert(first, [1u8, 2, 3].as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let e = open_error(&dir);
    assert!(matches!(e, CacheError::Corrupt { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains(&file.display().to_string()) && text.contains("entry"),
        "{text}"
    );
    // Refused, not emptied: every entry is still there, the bad one too.
    let db = redb::Database::create(&file).unwrap();
    let txn = db.begin_read().unwrap();
    let table: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("entries");
    let t = txn.open_table(table).unwrap();
    use redb::{ReadableDatabase, ReadableTableMetadata};
    assert_eq!(t.len().unwrap(), 20);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_open_elsewhere_is_in_use() {
    let dir = temp_dir("in-use");
    let _store = CacheStore::open(&dir, DEFAULT_BUDGET).unwrap();
    let e = open_error(&dir);
    assert!(matches!(e, CacheError::InUse { .. }), "{e:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_byte_flipped_anywhere_never_panics() {
    let (dir, file) = filled_store("flips");
    let good = std::fs::read(&file).unwrap();
    let step = (good.len() / 150).max(1);
    let (mut refused, mut opened) = (0, 0);
    for at in (0..good.len()).step_by(step) {
        let mut bytes = good.clone();
        bytes[at] ^= 0x41;
        std::fs::write(&file, &bytes).unwrap();
        match CacheStore::open(&dir, DEFAULT_BUDGET) {
            Err(e) => {
                assert!(
                    e.to_string().contains(&file.display().to_string()),
                    "{at}: {e}"
                );
                refused += 1;
            }
            Ok(store) => {
                // A flip in space redb does not use: everything reads back.
                let out = run(
                    &store,
                    "const c = await caches.open('c'); let n = 0; \
                     for (const r of await c.matchAll()) n += (await r.text()).length; console.log(n);",
                );
                assert_eq!(out, ["60030"], "{at}");
                opened += 1;
            }
        }
    }
    eprintln!("{refused} refused, {opened} opened");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn operations_take_effect_in_the_order_they_were_called() {
    let store = CacheStore::in_memory(DEFAULT_BUDGET).unwrap();
    let out = run(
        &store,
        r#"
        const c = await caches.open('order');
        c.put('https://app.test/a', new Response('first'));
        c.put('https://app.test/a', new Response('second'));
        const seen = c.match('https://app.test/a').then((r) => r.text());
        const deleted = c.delete('https://app.test/a');
        const after = c.match('https://app.test/a');
        console.log(await seen, await deleted, await after);
        // A streamed body joins the order when it has been read: one that never ends
        // holds up nothing.
        const endless = new ReadableStream({ pull() { return new Promise(() => {}); } });
        c.put('https://app.test/endless', new Response(endless));
        await c.put('https://app.test/b', new Response('b'));
        console.log(await (await c.match('https://app.test/b')).text(), await c.match('https://app.test/endless'));
        "#,
    );
    assert_eq!(out, ["second true undefined", "b undefined"]);
}

//! The Cache API's store across processes: `kpio web run --cache DIR` keeps caches for
//! the next run, a batch is whole on disk after `kill -9` at any instant, and a cache
//! deleted while in use by a process that then died is cleaned up when the store opens.

#[path = "support/kill_loop.rs"]
mod kill_loop;

use kill_loop::KillLoop;
use kpio_web::cache_storage::DEFAULT_BUDGET;
use kpio_web::{CacheStore, Realm, RealmOptions};
use std::cell::RefCell;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kpio-cache-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `source` with `kpio web run --cache cache_dir`; its standard output.
fn kpio_run(dir: &Path, cache_dir: &Path, name: &str, source: &str) -> String {
    let script = dir.join(name);
    std::fs::write(&script, source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kpio"))
        .args(["web", "run", "--cache"])
        .arg(cache_dir)
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn caches_written_by_one_run_are_read_by_the_next() {
    let dir = temp_dir("persist");
    let cache_dir = dir.join("cache");
    kpio_run(
        &dir,
        &cache_dir,
        "write.js",
        r#"
        (async () => {
          const c = await caches.open('offline-v2');
          await c.put('https://app.test/', new Response('<!doctype html>home', {
            headers: { 'Content-Type': 'text/html' } }));
          await c.put('https://app.test/app.js', new Response('console.log(1)', { status: 203 }));
          await caches.open('scratch');
          await caches.delete('scratch');
        })();
        "#,
    );
    let out = kpio_run(
        &dir,
        &cache_dir,
        "read.js",
        r#"
        (async () => {
          console.log(JSON.stringify(await caches.keys()));
          const c = await caches.open('offline-v2');
          console.log((await c.keys()).map((r) => r.url).join(' '));
          const home = await caches.match('https://app.test/');
          console.log(home.headers.get('content-type'), await home.text());
          console.log((await c.match('https://app.test/app.js')).status);
        })();
        "#,
    );
    assert_eq!(
        out,
        "[\"offline-v2\"]\nhttps://app.test/ https://app.test/app.js\ntext/html <!doctype html>home\n203\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Each round n adds three entries (item<n>?a, ?b, ?c) in one addAll() batch, then
/// deletes the rounds older than n-9, each one's three entries in one delete() with
/// ignoreSearch. `fetch` is a stand-in (the runtime has none yet); add() and addAll() use
/// whatever `fetch` is.
const WRITER: &str = r#"
// Each entry is fetched from the local server's echo endpoint, whose body names the URL
// it answered, so a torn body or a body under the wrong URL shows.
(async () => {
  const c = await caches.open('rounds');
  let n = 0;
  let low = Infinity;
  for (const r of await c.keys()) {
    const round = Number(/item(\d+)/.exec(r.url)[1]);
    n = Math.max(n, round + 1);
    low = Math.min(low, round);
  }
  if (low === Infinity) low = 0;
  console.log('writing from ' + n);
  for (;;) {
    const base = '/_kpio/echo/item' + n;
    await c.addAll([base + '?a', base + '?b', base + '?c']);
    for (; low <= n - 10; low++) await c.delete('/_kpio/echo/item' + low, { ignoreSearch: true });
    n++;
  }
})();
"#;

/// Whether `body` is the echo endpoint's answer for `url` (its path and query).
fn is_echo_of(body: &str, url: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    let path = &url[url.find("/_kpio/").unwrap_or(0)..];
    v["url"] == path
}

/// Reads every entry of the store in `dir` through a realm: (url, body) in order.
fn entries(dir: &Path) -> Vec<(String, String)> {
    let store = CacheStore::open(dir, DEFAULT_BUDGET)
        .unwrap_or_else(|e| panic!("the store does not open: {e}"));
    let lines: Rc<RefCell<Vec<String>>> = Rc::default();
    let sink = lines.clone();
    let mut realm = Realm::new(RealmOptions {
        caches: Some(store),
        console: Some(Box::new(move |_, t| sink.borrow_mut().push(t.to_owned()))),
        ..RealmOptions::default()
    })
    .unwrap();
    realm
        .eval_script(
            r#"(async () => {
              const c = await caches.open('rounds');
              const keys = await c.keys();
              const all = await c.matchAll();
              for (let i = 0; i < keys.length; i++) console.log(JSON.stringify([keys[i].url, await all[i].text()]));
              console.log('<end>');
            })();"#,
            "check.js",
        )
        .unwrap();
    let l = lines.clone();
    realm
        .run_event_loop(Duration::from_secs(30), &mut || {
            l.borrow().last().is_some_and(|x| x == "<end>")
        })
        .unwrap();
    let mut out = lines.borrow().clone();
    assert_eq!(out.pop().as_deref(), Some("<end>"));
    out.iter()
        .map(|l| serde_json::from_str::<(String, String)>(l).unwrap())
        .collect()
}

/// Checks that the store holds whole rounds only: a contiguous run of rounds, each with
/// its three entries and their whole bodies, at most twelve of them (eleven, and one
/// more added by a run that starts before its deletes). Returns the next round.
fn check(dir: &Path, kill: usize) -> u64 {
    let entries = entries(dir);
    let mut rounds = std::collections::BTreeMap::<u64, Vec<String>>::new();
    for (url, body) in &entries {
        assert!(
            is_echo_of(body, url),
            "kill {kill}: a torn body for {url}: {body}"
        );
        let item = &url[url.find("/item").unwrap() + "/item".len()..url.len() - 2];
        let n: u64 = item.parse().unwrap();
        rounds
            .entry(n)
            .or_default()
            .push(url[url.len() - 1..].to_owned());
    }
    for (n, parts) in &rounds {
        assert_eq!(
            parts,
            &["a", "b", "c"],
            "kill {kill}: round {n} is not whole"
        );
    }
    let (Some(first), Some(last)) = (rounds.keys().next(), rounds.keys().last()) else {
        return 0;
    };
    assert_eq!(
        rounds.len() as u64,
        last - first + 1,
        "kill {kill}: rounds missing between {first} and {last}"
    );
    assert!(
        rounds.len() <= 12,
        "kill {kill}: {} rounds kept",
        rounds.len()
    );
    last + 1
}

#[test]
fn every_batch_is_whole_on_disk_after_100_kills() {
    let dir = temp_dir("kills");
    let script = dir.join("writer.js");
    std::fs::write(&script, WRITER).unwrap();
    let cache_dir = dir.join("cache");
    let server = kpio_web::local_server::LocalServer::start(&dir).unwrap();
    let page = format!("{}/", server.origin());
    let mut kills = KillLoop::new(0x2545_f491_4f6c_dd1d, "writing");
    kills.spread_ms = 200;
    let (mut last_n, mut grew) = (0, 0);
    let start = Instant::now();
    for kill in 0..100 {
        kills.run(
            Command::new(env!("CARGO_BIN_EXE_kpio"))
                .args(["web", "run", "--task-time", "600", "--network", "local"])
                .arg("--url")
                .arg(&page)
                .arg("--cache")
                .arg(&cache_dir)
                .arg(&script),
            kill,
        );
        let n = check(&cache_dir, kill);
        assert!(
            n >= last_n,
            "kill {kill}: went back from round {last_n} to {n}"
        );
        if n > last_n {
            grew += 1;
        }
        last_n = n;
    }
    assert!(
        grew >= 50,
        "only {grew} of 100 runs wrote anything (round {last_n})"
    );
    eprintln!(
        "100 kills in {:?}, {last_n} rounds written",
        start.elapsed()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_cache_deleted_in_use_by_a_killed_process_is_gone_when_the_store_opens() {
    let dir = temp_dir("doomed");
    let cache_dir = dir.join("cache");
    let script = dir.join("doom.js");
    std::fs::write(
        &script,
        r#"
        (async () => {
          globalThis.held = await caches.open('doomed');
          await held.put('https://app.test/big', new Response('d'.repeat(100000)));
          await (await caches.open('kept')).put('https://app.test/k', new Response('k'));
          await caches.delete('doomed');
          console.log('ready');
          setTimeout(() => { for (;;) {} }, 0);
        })();
        "#,
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kpio"))
        .args(["web", "run", "--task-time", "600", "--cache"])
        .arg(&cache_dir)
        .arg(&script)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    child.kill().unwrap();
    child.wait().unwrap();
    let store = CacheStore::open(&cache_dir, DEFAULT_BUDGET).unwrap();
    assert_eq!(store.cache_names(), ["\"kept\""]);
    assert!(
        store.usage() < 1000,
        "the doomed entry is gone: {}",
        store.usage()
    );
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

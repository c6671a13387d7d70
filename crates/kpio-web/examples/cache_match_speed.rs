//! How long `cache.match()` of a 1 MB entry takes, on a store on disk:
//! `cargo run --release -p kpio-web --example cache_match_speed`.
//!
//! It times, in the page, the promise of `match()` from the call until it settles (the
//! body read from the store into a new `Uint8Array`, the `Response` made around it, and
//! the task the result waits for), then the same followed by reading the body whole.

use kpio_web::cache_storage::DEFAULT_BUDGET;
use kpio_web::{CacheStore, Realm, RealmOptions};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

const SCRIPT: &str = r#"
(async () => {
  const c = await caches.open('speed');
  const big = new Uint8Array(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = i & 255;
  await c.put('https://app.test/big', new Response(big));
  for (let i = 0; i < 200; i++) await c.put('https://app.test/small/' + i, new Response('s' + i));
  const time = async (label, n, f) => {
    for (let i = 0; i < 10; i++) await f();
    const times = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await f();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / n;
    console.log(`${label}: mean ${(mean * 1000).toFixed(0)} us, median ${(times[n >> 1] * 1000).toFixed(0)} us, ` +
      `p95 ${(times[Math.floor(n * 0.95)] * 1000).toFixed(0)} us over ${n}`);
  };
  await time('match() of a 1 MB entry', 500, () => c.match('https://app.test/big'));
  await time('match() of a 1 MB entry, then arrayBuffer()', 200,
    async () => (await c.match('https://app.test/big')).arrayBuffer());
  await time('match() of a small entry among 201', 500, () => c.match('https://app.test/small/100'));
  await time('caches.match() of a 1 MB entry', 500, () => caches.match('https://app.test/big'));
  console.log('<end>');
})();
"#;

fn main() {
    let dir = std::env::temp_dir().join(format!("kpio-cache-speed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = CacheStore::open(&dir, DEFAULT_BUDGET).expect("a cache store");
    let lines: Rc<RefCell<Vec<String>>> = Rc::default();
    let sink = lines.clone();
    let mut realm = Realm::new(RealmOptions {
        caches: Some(store),
        console: Some(Box::new(move |_, text| {
            println!("{text}");
            sink.borrow_mut().push(text.to_owned());
        })),
        ..RealmOptions::default()
    })
    .expect("a realm");
    realm.eval_script(SCRIPT, "speed.js").expect("the script");
    let l = lines.clone();
    realm
        .run_event_loop(Duration::from_secs(120), &mut || {
            l.borrow().last().is_some_and(|x| x == "<end>")
        })
        .expect("the event loop");
    drop(realm);
    let _ = std::fs::remove_dir_all(&dir);
}

//! Service workers end to end: a page in a [`WebApp`] registers a worker served by the
//! local HTTP server, the worker installs and activates, and the page's fetches go
//! through it; registrations survive a restart of the app.

use kpio_web::app::{WebApp, WebAppOptions};
use kpio_web::local_server::LocalServer;
use kpio_web::service_worker::SwStore;
use kpio_web::{Limits, Network, NetworkScope};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

mod support;

use support::{Lines, run_until};

struct Site {
    dir: PathBuf,
    server: LocalServer,
}

fn site(name: &str, files: &[(&str, &str)]) -> Site {
    let dir = std::env::temp_dir().join(format!("kpio-sw-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let server = LocalServer::start(&dir).unwrap();
    Site { dir, server }
}

fn app(site: &Site, store: Option<&Path>) -> (WebApp, Lines) {
    let lines: Lines = Rc::default();
    let app = WebApp::new(WebAppOptions {
        limits: Limits {
            task_time: Duration::from_secs(2),
            ..Limits::default()
        },
        network: Some(Network::new(NetworkScope::Local)),
        service_workers: store.map(|d| SwStore::open(d).unwrap()),
        ..support::options(&site.server.origin(), &lines)
    });
    (app, lines)
}

const WORKER: &str = r#"
self.addEventListener('install', (e) => {
  console.log('install ' + (self.registration.installing === self.serviceWorker));
  e.waitUntil(new Promise((r) => setTimeout(r, 50)));
});
self.addEventListener('activate', (e) => {
  console.log('activate');
  e.waitUntil(self.clients.claim());
});
self.addEventListener('fetch', (e) => {
  const u = new URL(e.request.url);
  if (u.pathname === '/hello') {
    e.respondWith(new Response('from the worker ' + e.request.method, { headers: { 'X-SW': '1' } }));
  } else if (u.pathname === '/slow') {
    e.respondWith(new Promise((r) => setTimeout(() => r(new Response('late answer')), 5800)));
  } else if (u.pathname === '/broken') {
    e.respondWith(Promise.reject(new Error('no')));
  } else if (u.pathname === '/echo-through') {
    e.respondWith(fetch(e.request));
  }
});
"#;

const PAGE: &str = r#"
navigator.serviceWorker.register('/sw.js').then((reg) => {
  console.log('registered ' + reg.scope);
  const w = reg.installing;
  console.log('state ' + w.state);
  w.addEventListener('statechange', () => console.log('state ' + w.state));
  reg.onupdatefound = () => console.log('updatefound');
}, (e) => console.log('register failed ' + e.name + ': ' + e.message));
navigator.serviceWorker.addEventListener('controllerchange', async () => {
  console.log('controller ' + navigator.serviceWorker.controller.state);
  const r = await fetch('/hello', { method: 'POST', body: 'x' });
  console.log(await r.text() + ' ' + r.headers.get('x-sw') + ' ' + r.url);
  const n = await fetch('/_kpio/status?code=200&body=network');
  console.log(await n.text());
  const t = await fetch('/echo-through?header=X-A:b');
  console.log('through ' + t.status);
  await fetch('/broken').then(() => console.log('broken resolved'), (e) => console.log('broken ' + e.name));
  console.log('DONE');
});
"#;

#[test]
fn a_page_registers_a_worker_that_installs_activates_claims_and_answers_fetches() {
    let site = site("basic", &[("sw.js", WORKER), ("index.html", "<p>app</p>")]);
    let (mut app, lines) = app(&site, None);
    let url = format!("{}/index.html", site.server.origin());
    let w = app.open_window(&url).unwrap();
    app.eval_script(w, PAGE, "page.js").unwrap();
    run_until(&mut app, &lines, "DONE");
    let l = lines.borrow().clone();
    let origin = site.server.origin();
    let expected = [
        format!("registered {origin}/"),
        "state installing".into(),
        "install true".into(),
        "state installed".into(),
        "state activating".into(),
        "activate".into(),
        "controller activating".into(),
        format!("from the worker POST 1 {origin}/hello"),
        "network".into(),
        "through 404".into(),
        "broken TypeError".into(),
        "DONE".into(),
    ];
    let seen: Vec<&String> = l.iter().filter(|x| expected.contains(x)).collect();
    assert_eq!(seen, expected.iter().collect::<Vec<_>>(), "the log: {l:#?}");
    assert!(l.contains(&"updatefound".to_owned()), "{l:#?}");
    assert!(l.contains(&"state activated".to_owned()), "{l:#?}");
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn registrations_survive_a_restart_and_the_restored_worker_answers() {
    let site = site(
        "restart",
        &[("app/sw.js", WORKER), ("app/index.html", "app")],
    );
    let store = site.dir.join("store");
    let url = format!("{}/app/index.html", site.server.origin());
    {
        let (mut app, lines) = app(&site, Some(&store));
        let w = app.open_window(&url).unwrap();
        app.eval_script(
            w,
            "navigator.serviceWorker.register('sw.js').then((r) => console.log('scope ' + r.scope));\
             navigator.serviceWorker.ready.then((r) => console.log('ready ' + r.active.scriptURL));",
            "page.js",
        )
        .unwrap();
        run_until(
            &mut app,
            &lines,
            &format!("ready {}/app/sw.js", site.server.origin()),
        );
        assert!(
            lines
                .borrow()
                .contains(&format!("scope {}/app/", site.server.origin()))
        );
    }
    // A new app on the same store: the page is controlled from the start, and the worker
    // starts when its first fetch event comes.
    let (mut app, lines) = app(&site, Some(&store));
    let w = app.open_window(&url).unwrap();
    assert_eq!(app.running_workers(), 0);
    app.eval_script(
        w,
        "console.log('controlled ' + (navigator.serviceWorker.controller !== null));\
         fetch('/hello').then((r) => r.text()).then((t) => console.log(t));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "from the worker GET");
    assert_eq!(lines.borrow()[0], "controlled true");
    assert_eq!(app.running_workers(), 1);
    // A page outside the scope is not controlled.
    let outside = app
        .open_window(&format!("{}/other.html", site.server.origin()))
        .unwrap();
    app.eval_script(
        outside,
        "console.log('outside controlled ' + (navigator.serviceWorker.controller !== null))",
        "page.js",
    )
    .unwrap();
    assert!(
        lines
            .borrow()
            .contains(&"outside controlled false".to_owned())
    );
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn a_fetch_event_not_handled_within_five_seconds_goes_to_the_network() {
    // Each /block event keeps the worker busy for 1.9 s (under the 2 s task limit), so
    // the event for /queued, behind three of them, is not handled within 5 s.
    let worker = "self.onactivate = (e) => e.waitUntil(clients.claim());\
        self.onfetch = (e) => {\
          if (e.request.url.endsWith('/block')) { const end = Date.now() + 1900; while (Date.now() < end) {} }\
          if (e.request.url.endsWith('/queued')) e.respondWith(new Response('too late'));\
        };";
    let site = site("busy", &[("sw.js", worker)]);
    let (mut app, lines) = app(&site, None);
    let w = app
        .open_window(&format!("{}/index.html", site.server.origin()))
        .unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = async () => {\
           for (let i = 0; i < 3; i++) fetch('/block');\
           const t0 = performance.now();\
           const r = await fetch('/queued');\
           const waited = (performance.now() - t0) / 1000;\
           console.log('queued ' + r.status + ' ' + (waited >= 5 ? 'after 5 s' : 'after ' + waited + ' s'));\
         };",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "queued 404 after 5 s");
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn a_respond_with_promise_slower_than_five_seconds_still_answers_the_page() {
    // The worker took the request on: it is not sent to the network as well.
    let site = site("slow", &[("sw.js", WORKER)]);
    let (mut app, lines) = app(&site, None);
    let w = app
        .open_window(&format!("{}/index.html", site.server.origin()))
        .unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = async () => {\
           const t0 = performance.now();\
           const r = await fetch('/slow');\
           console.log('slow ' + r.status + ' ' + await r.text() + ' ' + Math.round((performance.now() - t0) / 1000));\
         };",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "slow 200 late answer 6");
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn a_runaway_fetch_handler_is_stopped_and_the_page_goes_to_the_network() {
    let worker = "self.onactivate = (e) => e.waitUntil(clients.claim());\
                  self.onfetch = (e) => { if (e.request.url.endsWith('/spin')) for (;;) {} };";
    let site = site("runaway", &[("sw.js", worker)]);
    let (mut app, lines) = app(&site, None);
    let w = app
        .open_window(&format!("{}/index.html", site.server.origin()))
        .unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = async () => {\
           const r = await fetch('/spin');\
           console.log('spin ' + r.status);\
           const again = await fetch('/_kpio/status?code=201');\
           console.log('again ' + again.status);\
         };",
        "page.js",
    )
    .unwrap();
    // The default task limit is 10 s; this app's is shorter.
    run_until(&mut app, &lines, "again 201");
    assert!(lines.borrow().contains(&"spin 404".to_owned()));
    assert_eq!(
        app.worker_failures().len(),
        1,
        "{:?}",
        app.worker_failures()
    );
    assert!(
        app.worker_failures()[0].contains("limit of 2s"),
        "{:?}",
        app.worker_failures()
    );
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn register_refuses_bad_scripts_with_the_specified_errors() {
    let site = site(
        "bad",
        &[
            ("syntax.js", "self.oninstall = ("),
            ("throws.js", "throw new Error('at start')"),
            ("sw.txt", "self.onfetch = () => {};"),
            ("sub/sw.js", "self.onfetch = () => {};"),
        ],
    );
    let (mut app, lines) = app(&site, None);
    let w = app
        .open_window(&format!("{}/index.html", site.server.origin()))
        .unwrap();
    app.eval_script(
        w,
        r#"
        const tries = [
          ['syntax', () => navigator.serviceWorker.register('/syntax.js')],
          ['throws', () => navigator.serviceWorker.register('/throws.js')],
          ['missing', () => navigator.serviceWorker.register('/missing.js')],
          ['mime', () => navigator.serviceWorker.register('/sw.txt')],
          ['scope', () => navigator.serviceWorker.register('/sub/sw.js', { scope: '/' })],
          ['origin', () => navigator.serviceWorker.register('http://example.com/sw.js')],
          ['scheme', () => navigator.serviceWorker.register('data:text/javascript,1')],
          ['module', () => navigator.serviceWorker.register('/sub/sw.js', { type: 'module' })],
        ];
        (async () => {
          for (const [name, f] of tries) {
            await f().then(() => console.log(name + ' resolved'), (e) => console.log(name + ' ' + e.name));
          }
          const regs = await navigator.serviceWorker.getRegistrations();
          console.log('registrations ' + regs.length);
          console.log('END');
        })();
        "#,
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "END");
    let l = lines.borrow();
    for expected in [
        "syntax TypeError",
        "throws TypeError",
        "missing TypeError",
        "mime SecurityError",
        "scope SecurityError",
        "origin SecurityError",
        "scheme TypeError",
        "module TypeError",
        "registrations 0",
    ] {
        assert!(l.contains(&expected.to_owned()), "{expected}: {l:#?}");
    }
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn an_update_waits_while_the_old_worker_controls_a_page_and_unregister_clears() {
    let v1 = "self.onactivate = (e) => e.waitUntil(clients.claim());\
              self.onfetch = (e) => e.respondWith(new Response('v1'));";
    let site = site("update", &[("sw.js", v1)]);
    let (mut app, lines) = app(&site, None);
    let url = format!("{}/index.html", site.server.origin());
    let w = app.open_window(&url).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = async () => {\
           console.log(await (await fetch('/x')).text());\
         };",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "v1");
    // The same bytes: no new worker.
    app.eval_script(
        w,
        "navigator.serviceWorker.getRegistration().then(async (reg) => {\
           reg.onupdatefound = () => console.log('updatefound');\
           await reg.update();\
           console.log('same ' + (reg.installing === null && reg.waiting === null));\
         });",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "same true");
    assert!(!lines.borrow().contains(&"updatefound".to_owned()));
    // New bytes: a new worker installs and waits, as the old one controls the page.
    let v2 = v1.replace("v1", "v2");
    std::fs::write(site.dir.join("sw.js"), v2).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.getRegistration().then(async (reg) => {\
           await reg.update();\
           const w = reg.installing;\
           w.onstatechange = () => { if (w.state === 'installed') console.log('waiting ' + (reg.waiting === w)); };\
         });",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "waiting true");
    // A second page in scope, then the first closes: the new worker still waits, as the
    // second page is controlled by the old one.
    let w2 = app.open_window(&url).unwrap();
    app.close_window(w);
    app.eval_script(
        w2,
        "fetch('/x').then((r) => r.text()).then((t) => console.log('second ' + t));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "second v1");
    app.close_window(w2);
    // No page left: the waiting worker activated; a new page gets it.
    let w3 = app.open_window(&url).unwrap();
    app.eval_script(
        w3,
        "fetch('/x').then((r) => r.text()).then(async (t) => {\
           console.log('third ' + t);\
           const reg = await navigator.serviceWorker.getRegistration();\
           console.log('unregistered ' + await reg.unregister());\
           console.log('after ' + (await navigator.serviceWorker.getRegistrations()).length);\
           console.log('still controlled ' + (navigator.serviceWorker.controller !== null));\
         });",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "still controlled true");
    let l = lines.borrow();
    assert!(l.contains(&"third v2".to_owned()), "{l:#?}");
    assert!(l.contains(&"unregistered true".to_owned()), "{l:#?}");
    assert!(l.contains(&"after 0".to_owned()), "{l:#?}");
    let _ = std::fs::remove_dir_all(&site.dir);
}

/// A worker that claims its clients and answers `/x` with its version.
fn versioned(version: &str) -> String {
    format!(
        "self.onactivate = (e) => e.waitUntil(clients.claim());\
         self.onfetch = (e) => {{ if (e.request.url.endsWith('/x')) e.respondWith(new Response('{version}')); }};"
    )
}

#[test]
fn an_unregistered_registration_is_cleared_when_its_last_page_closes() {
    let site = site("cleared", &[("sw.js", &versioned("v1"))]);
    let store = site.dir.join("store");
    let (mut app, lines) = app(&site, Some(&store));
    let url = format!("{}/index.html", site.server.origin());
    let w = app.open_window(&url).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = async () => {\
           const reg = await navigator.serviceWorker.getRegistration();\
           console.log('unregistered ' + await reg.unregister());\
           console.log(await (await fetch('/x')).text());\
         };",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "v1");
    assert!(lines.borrow().contains(&"unregistered true".to_owned()));
    // The page still uses the unregistered registration: its worker runs on, and the
    // store no longer has it.
    assert_eq!(app.running_workers(), 1);
    assert!(SwStore::open(&store).unwrap().registrations().is_empty());
    // The page goes: the registration is cleared and its worker stopped.
    app.close_window(w);
    assert_eq!(
        app.running_workers(),
        0,
        "the worker of a cleared registration stops"
    );
    let again = app.open_window(&url).unwrap();
    app.eval_script(
        again,
        "navigator.serviceWorker.getRegistrations().then((r) => console.log('left ' + r.length + ' ' + \
         (navigator.serviceWorker.controller === null)));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "left 0 true");
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn register_with_the_same_script_url_does_not_fetch_it_again_but_update_does() {
    let site = site("same-url", &[("sw.js", &versioned("v1"))]);
    let (mut app, lines) = app(&site, None);
    let url = format!("{}/index.html", site.server.origin());
    let w = app.open_window(&url).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = async () => {\
           console.log('first ' + await (await fetch('/x')).text());\
         };",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "first v1");
    // The script changes on the server, then disappears: register() of the same URL is
    // not an update check, so it resolves without fetching.
    std::fs::write(site.dir.join("sw.js"), versioned("v2")).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js').then(async (reg) => {\
           console.log('again ' + (reg.installing === null && reg.waiting === null));\
           console.log('still ' + await (await fetch('/x')).text());\
         }, (e) => console.log('again failed ' + e.name));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "still v1");
    assert!(lines.borrow().contains(&"again true".to_owned()));
    std::fs::remove_file(site.dir.join("sw.js")).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js').then(\
           () => console.log('gone: resolved'), (e) => console.log('gone: ' + e.name));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "gone: resolved");
    // update() does fetch: the new script installs and (claiming) takes over.
    std::fs::write(site.dir.join("sw.js"), versioned("v2")).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.getRegistration().then(async (reg) => {\
           await reg.update();\
           reg.installing.onstatechange = async (e) => {\
             if (e.target.state === 'activated') console.log('updated ' + await (await fetch('/x')).text());\
           };\
         });",
        "page.js",
    )
    .unwrap();
    // The new worker waits while v1 controls the page; closing the page lets it activate.
    let l = lines.clone();
    app.run(Duration::from_millis(500), &mut |_| {
        l.borrow().iter().any(|x| x.starts_with("updated"))
    })
    .unwrap();
    assert!(!lines.borrow().iter().any(|x| x.starts_with("updated")));
    app.close_window(w);
    let w2 = app.open_window(&url).unwrap();
    app.eval_script(
        w2,
        "fetch('/x').then((r) => r.text()).then((t) => console.log('after ' + t));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "after v2");
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn a_job_whose_page_closes_while_it_fetches_the_script_fails_and_the_queue_goes_on() {
    let site = site("job-page-closes", &[("sw.js", &versioned("v1"))]);
    let (mut app, lines) = app(&site, None);
    let origin = site.server.origin();
    // The first page's script never finishes arriving.
    let w1 = app.open_window(&format!("{origin}/a/index.html")).unwrap();
    app.eval_script(
        w1,
        "navigator.serviceWorker.register('/_kpio/stall?header=Content-Type:text/javascript', { scope: '/_kpio/' })\
           .then(() => console.log('stalled resolved'), (e) => console.log('stalled ' + e.name));",
        "page.js",
    )
    .unwrap();
    let w2 = app.open_window(&format!("{origin}/index.html")).unwrap();
    app.eval_script(
        w2,
        "navigator.serviceWorker.register('/sw.js').then((r) => console.log('second registered ' + r.scope));",
        "page.js",
    )
    .unwrap();
    // The second job waits behind the first.
    let l = lines.clone();
    app.run(Duration::from_millis(300), &mut |_| {
        l.borrow().iter().any(|x| x.starts_with("second"))
    })
    .unwrap();
    assert!(!lines.borrow().iter().any(|x| x.starts_with("second")));
    app.close_window(w1);
    run_until(&mut app, &lines, &format!("second registered {origin}/"));
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn redirected_responses_from_the_worker_follow_the_request_redirect_mode() {
    // The worker answers with what it fetched from a redirect: followed (a response
    // with two URLs), or kept as an opaque redirect.
    let worker = "self.onactivate = (e) => e.waitUntil(clients.claim());\
        self.onfetch = (e) => {\
          const u = new URL(e.request.url);\
          const target = '/_kpio/redirect?location=' + encodeURIComponent('/_kpio/status?body=landed');\
          if (u.pathname === '/followed') e.respondWith(fetch(target));\
          if (u.pathname === '/manual') e.respondWith(fetch(target, { redirect: 'manual' }));\
        };";
    let site = site("redirects", &[("sw.js", worker)]);
    let (mut app, lines) = app(&site, None);
    let origin = site.server.origin();
    let w = app.open_window(&format!("{origin}/index.html")).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = async () => {\
           const r = await fetch('/followed');\
           console.log('followed ' + r.redirected + ' ' + new URL(r.url).pathname + ' ' + await r.text());\
           for (const mode of ['error', 'manual']) {\
             await fetch('/followed', { redirect: mode }).then(() => console.log(mode + ' resolved'), (e) => console.log(mode + ' ' + e.name));\
           }\
           const m = await fetch('/manual', { redirect: 'manual' });\
           console.log('manual ' + m.type + ' ' + m.status);\
           await fetch('/manual').then(() => console.log('follow resolved'), (e) => console.log('follow ' + e.name));\
           console.log('END');\
         };",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "END");
    let l = lines.borrow();
    for expected in [
        "followed true /_kpio/status landed",
        "error TypeError",
        "manual TypeError",
        "manual opaqueredirect 0",
        "follow TypeError",
    ] {
        assert!(l.contains(&expected.to_owned()), "{expected}: {l:#?}");
    }
    drop(l);
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn the_script_is_fetched_with_the_service_worker_header_bypassing_caches_and_not_redirected() {
    let site = site("script-request", &[("sw.js", "self.oninstall = () => {};")]);
    let (mut app, lines) = app(&site, None);
    let w = app
        .open_window(&format!("{}/index.html", site.server.origin()))
        .unwrap();
    app.eval_script(
        w,
        r#"
        (async () => {
          const script = '/_kpio/status?log=script&header=Content-Type:text/javascript&body=' +
            encodeURIComponent('self.oninstall = () => {};');
          await navigator.serviceWorker.register(script, { scope: '/_kpio/scope/' });
          const [entry] = await (await fetch('/_kpio/log?key=script')).json();
          const h = new Map(entry.headers.map(([n, v]) => [n.toLowerCase(), v]));
          console.log('service-worker ' + h.get('service-worker'));
          console.log('cache-control ' + h.get('cache-control'));
          await navigator.serviceWorker.register('/_kpio/redirect?location=/sw.js', { scope: '/_kpio/redirected/' })
            .then(() => console.log('redirected resolved'), (e) => console.log('redirected ' + e.name));
          console.log('END');
        })();
        "#,
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "END");
    let l = lines.borrow();
    for expected in [
        "service-worker script",
        "cache-control max-age=0",
        "redirected TypeError",
    ] {
        assert!(l.contains(&expected.to_owned()), "{expected}: {l:#?}");
    }
    drop(l);
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn the_offline_fallback_rules_serve_a_page_no_worker_controls() {
    let site = site(
        "fallback",
        &[
            ("static/app.js", "console.log('app')"),
            ("api/items", "[1,2,3]"),
        ],
    );
    let lines: Lines = Rc::default();
    let network = Network::new(NetworkScope::Local);
    let origin = site.server.origin();
    let mut app = WebApp::new(WebAppOptions {
        network: Some(network.clone()),
        caches: Some(
            kpio_web::CacheStore::in_memory(kpio_web::cache_storage::DEFAULT_BUDGET).unwrap(),
        ),
        offline_fallback: kpio_web::offline_fallback::OfflineFallback::parse(
            r#"[{"pattern": "/static/*", "strategy": "cache-first", "cache": "static"},
                {"pattern": "/api/*", "strategy": "network-first", "cache": "api"},
                {"pattern": "/only/*", "strategy": "cache-only", "cache": "static"}]"#,
            &origin,
        )
        .unwrap(),
        ..support::options(&origin, &lines)
    });
    let w = app.open_window(&format!("{origin}/index.html")).unwrap();
    app.eval_script(
        w,
        "(async () => {\
           console.log('static ' + await (await fetch('/static/app.js')).text());\
           console.log('api ' + await (await fetch('/api/items')).text());\
           const cached = await (await caches.open('static')).keys();\
           console.log('cached ' + cached.map((r) => new URL(r.url).pathname).join(','));\
           await fetch('/only/x').then(() => console.log('only resolved'), (e) => console.log('only ' + e.name));\
           console.log('ONLINE DONE');\
         })();",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "ONLINE DONE");
    network.offline_switch().set_offline(true);
    app.eval_script(
        w,
        "(async () => {\
           console.log('offline static ' + await (await fetch('/static/app.js')).text());\
           console.log('offline api ' + await (await fetch('/api/items')).text());\
           await fetch('/index.html').then(() => console.log('other resolved'), (e) => console.log('other ' + e.name));\
           console.log('OFFLINE DONE');\
         })();",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "OFFLINE DONE");
    let l = lines.borrow();
    for expected in [
        "static console.log('app')",
        "api [1,2,3]",
        "cached /static/app.js",
        "only TypeError",
        "offline static console.log('app')",
        "offline api [1,2,3]",
        "other TypeError",
    ] {
        assert!(l.contains(&expected.to_owned()), "{expected}: {l:#?}");
    }
    let _ = std::fs::remove_dir_all(&site.dir);
}

#[test]
fn cache_first_and_network_first_written_as_worker_code_over_cache_storage() {
    let worker = r#"
      self.oninstall = (e) => e.waitUntil(caches.open('static').then((c) => c.addAll(['/app.js'])));
      self.onactivate = (e) => e.waitUntil(clients.claim());
      self.onfetch = (e) => {
        const url = new URL(e.request.url);
        if (url.pathname === '/app.js') {
          // Cache first.
          e.respondWith(caches.match(e.request).then((r) => r || fetch(e.request)));
        } else if (url.pathname.startsWith('/api/')) {
          // Network first, keeping a copy.
          e.respondWith(fetch(e.request).then(async (r) => {
            const c = await caches.open('api');
            await c.put(e.request, r.clone());
            return r;
          }).catch(() => caches.match(e.request)));
        }
      };
    "#;
    let site = site(
        "strategies",
        &[("sw.js", worker), ("app.js", "v1"), ("api/data", "fresh")],
    );
    let lines: Lines = Rc::default();
    let network = Network::new(NetworkScope::Local);
    let origin = site.server.origin();
    let mut app = WebApp::new(WebAppOptions {
        network: Some(network.clone()),
        caches: Some(
            kpio_web::CacheStore::in_memory(kpio_web::cache_storage::DEFAULT_BUDGET).unwrap(),
        ),
        offline_fallback: Default::default(),
        ..support::options(&origin, &lines)
    });
    let w = app.open_window(&format!("{origin}/")).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = async () => {\
           console.log('online ' + await (await fetch('/app.js')).text() + ' ' + await (await fetch('/api/data')).text());\
           console.log('READY');\
         };",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "READY");
    // The server's copy changes and the network goes: the worker's caches answer.
    std::fs::write(site.dir.join("app.js"), "v2").unwrap();
    network.offline_switch().set_offline(true);
    app.eval_script(
        w,
        "(async () => {\
           console.log('offline ' + await (await fetch('/app.js')).text() + ' ' + await (await fetch('/api/data')).text());\
           await fetch('/api/other').then(() => console.log('other resolved'), (e) => console.log('other ' + e.name));\
         })();",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "other TypeError");
    network.offline_switch().set_offline(false);
    app.eval_script(
        w,
        "fetch('/app.js').then((r) => r.text()).then((t) => console.log('cache first ' + t));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "cache first v1");
    let l = lines.borrow();
    assert!(l.contains(&"online v1 fresh".to_owned()), "{l:#?}");
    assert!(l.contains(&"offline v1 fresh".to_owned()), "{l:#?}");
    drop(l);
    let _ = std::fs::remove_dir_all(&site.dir);
}

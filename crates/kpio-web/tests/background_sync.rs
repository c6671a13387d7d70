//! Background sync end to end: tags registered while offline fire when the network comes
//! back, failures retry on the policy's delays with a last chance, and tasks survive a
//! restart of the app.

use kpio_web::app::{WebApp, WebAppOptions};
use kpio_web::local_server::LocalServer;
use kpio_web::service_worker::{SwStore, SyncPolicy, SyncTasks};
use kpio_web::{Network, NetworkScope};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

mod support;

use support::{Lines, run_until};

const WORKER: &str = r#"
self.onactivate = (e) => e.waitUntil(clients.claim());
self.onsync = (e) => {
  console.log('sync ' + e.tag + ' ' + e.lastChance);
  if (e.tag.startsWith('flaky')) {
    e.waitUntil(Promise.reject(new Error('server down')));
  } else {
    e.waitUntil(fetch('/_kpio/status?code=200&body=sent').then((r) => r.text()).then((t) => console.log('outbox ' + t)));
  }
};
"#;

fn policy() -> SyncPolicy {
    SyncPolicy {
        retry_delays: vec![
            Duration::from_millis(50),
            Duration::from_millis(100),
            Duration::from_millis(150),
        ],
    }
}

fn app(
    server: &LocalServer,
    network: &Arc<Network>,
    store: &Path,
    tasks: Option<&Path>,
) -> (WebApp, Lines) {
    let lines: Lines = Rc::default();
    let app = WebApp::new(WebAppOptions {
        network: Some(network.clone()),
        service_workers: Some(SwStore::open(store).unwrap()),
        sync: match tasks {
            Some(p) => SyncTasks::open(p, policy()).unwrap(),
            None => SyncTasks::in_memory(policy()),
        },
        ..support::options(&server.origin(), &lines)
    });
    (app, lines)
}

fn site(name: &str) -> (PathBuf, LocalServer) {
    let d = std::env::temp_dir().join(format!("kpio-sync-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("sw.js"), WORKER).unwrap();
    let server = LocalServer::start(&d).unwrap();
    (d, server)
}

/// Opens a page, registers the worker and waits until it controls the page.
fn controlled_page(app: &mut WebApp, lines: &Lines, origin: &str) -> kpio_web::app::WindowId {
    let w = app.open_window(&format!("{origin}/")).unwrap();
    app.eval_script(
        w,
        "addEventListener('online', () => console.log('online event'));\
         addEventListener('offline', () => console.log('offline event'));\
         navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = () => console.log('controlled');",
        "page.js",
    )
    .unwrap();
    run_until(app, lines, "controlled");
    w
}

#[test]
fn a_tag_registered_offline_fires_when_the_network_comes_back() {
    let (d, server) = site("offline");
    let network = Network::new(NetworkScope::Local);
    let (mut app, lines) = app(&server, &network, &d.join("sw-store"), None);
    let w = controlled_page(&mut app, &lines, &server.origin());
    network.offline_switch().set_offline(true);
    app.eval_script(
        w,
        "console.log('onLine ' + navigator.onLine);\
         navigator.serviceWorker.ready.then(async (reg) => {\
           await reg.sync.register('outbox');\
           await reg.sync.register('outbox');\
           console.log('tags ' + (await reg.sync.getTags()).join(','));\
         });",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "tags outbox");
    app.run(Duration::from_millis(300), &mut |_| false).unwrap();
    assert!(
        !lines.borrow().iter().any(|l| l.starts_with("sync ")),
        "no sync while offline: {:#?}",
        lines.borrow()
    );
    network.offline_switch().set_offline(false);
    run_until(&mut app, &lines, "outbox sent");
    let l = lines.borrow();
    assert!(l.contains(&"onLine false".to_owned()));
    assert!(l.contains(&"offline event".to_owned()));
    assert!(l.contains(&"online event".to_owned()));
    assert_eq!(
        l.iter().filter(|x| x.starts_with("sync outbox")).count(),
        1,
        "{l:#?}"
    );
    drop(l);
    app.eval_script(
        w,
        "navigator.serviceWorker.ready.then(async (reg) => console.log('after ' + (await reg.sync.getTags()).length));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "after 0");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_failing_sync_retries_on_the_policy_then_has_a_last_chance_then_is_given_up() {
    let (d, server) = site("retry");
    let network = Network::new(NetworkScope::Local);
    let (mut app, lines) = app(&server, &network, &d.join("sw-store"), None);
    let w = controlled_page(&mut app, &lines, &server.origin());
    app.eval_script(
        w,
        "navigator.serviceWorker.ready.then((reg) => reg.sync.register('flaky'));",
        "page.js",
    )
    .unwrap();
    let started = std::time::Instant::now();
    run_until(&mut app, &lines, "sync flaky true");
    // 50 + 100 + 150 ms of retry delays.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    app.run(Duration::from_millis(400), &mut |_| false).unwrap();
    let l = lines.borrow();
    let tries: Vec<&String> = l.iter().filter(|x| x.starts_with("sync flaky")).collect();
    assert_eq!(
        tries,
        [
            "sync flaky false",
            "sync flaky false",
            "sync flaky false",
            "sync flaky true"
        ]
    );
    drop(l);
    app.eval_script(
        w,
        "navigator.serviceWorker.ready.then(async (reg) => console.log('left ' + (await reg.sync.getTags()).length));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "left 0");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn sync_tasks_survive_a_restart_and_fire_in_the_restored_worker() {
    let (d, server) = site("restart");
    let network = Network::new(NetworkScope::Local);
    let store = d.join("sw-store");
    let tasks = d.join("data/sync_tasks.json");
    {
        let (mut app, lines) = app(&server, &network, &store, Some(&tasks));
        let w = controlled_page(&mut app, &lines, &server.origin());
        network.offline_switch().set_offline(true);
        app.eval_script(
            w,
            "navigator.serviceWorker.ready.then((reg) => reg.sync.register('outbox')).then(() => console.log('queued'));",
            "page.js",
        )
        .unwrap();
        run_until(&mut app, &lines, "queued");
    }
    let saved = std::fs::read_to_string(&tasks).unwrap();
    assert!(saved.contains("\"outbox\""), "{saved}");
    network.offline_switch().set_offline(false);
    let (mut app, lines) = app(&server, &network, &store, Some(&tasks));
    run_until(&mut app, &lines, "outbox sent");
    assert!(!std::fs::read_to_string(&tasks).unwrap().contains("outbox"));
    let _ = std::fs::remove_dir_all(&d);
}

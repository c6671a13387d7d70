//! Notifications end to end: what a page or a service worker shows reaches the platform's
//! notification centre, and what the user does there comes back as events.

use kpio_web::app::{WebApp, WebAppOptions};
use kpio_web::local_server::LocalServer;
use kpio_web::notifications::{HeadlessCenter, NotificationCenter, Permission};
use kpio_web::{Network, NetworkScope};
use std::rc::Rc;
use std::time::Duration;

mod support;

use support::{Lines, run_until};

fn app(server: &LocalServer, center: Rc<HeadlessCenter>) -> (WebApp, Lines) {
    let lines: Lines = Rc::default();
    let app = WebApp::new(WebAppOptions {
        network: Some(Network::new(NetworkScope::Local)),
        notifications: Some(center),
        ..support::options(&server.origin(), &lines)
    });
    (app, lines)
}

fn dir(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("kpio-notify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (p, t) in files {
        std::fs::write(d.join(p), t).unwrap();
    }
    d
}

#[test]
fn a_page_asks_permission_shows_and_hears_the_users_click_and_close() {
    let d = dir("page", &[]);
    let server = LocalServer::start(&d).unwrap();
    let center = Rc::new(HeadlessCenter::new(Permission::Granted));
    let (mut app, lines) = app(&server, center.clone());
    let w = app.open_window(&format!("{}/", server.origin())).unwrap();
    app.eval_script(
        w,
        r#"
        console.log('before ' + Notification.permission);
        Notification.requestPermission().then((p) => {
          console.log('answer ' + p + ' ' + Notification.permission);
          const n = new Notification('Saved', { body: 'Your note is saved', tag: 'save', icon: 'icon.png', data: { id: 7 } });
          n.onshow = () => console.log('shown');
          n.onclick = (e) => console.log('clicked ' + e.cancelable + ' ' + n.data.id);
          n.onclose = () => console.log('closed');
          const m = new Notification('Other');
          m.onshow = () => { console.log('other shown'); m.close(); };
          m.onclose = () => console.log('other closed');
        });
        "#,
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "other closed");
    let shown = center.shown();
    assert_eq!(shown.len(), 1, "{shown:?}");
    let (id, n) = &shown[0];
    assert_eq!(n.title, "Saved");
    assert_eq!(n.body, "Your note is saved");
    assert_eq!(n.tag, "save");
    assert_eq!(n.icon, format!("{}/icon.png", server.origin()));
    assert_eq!(n.origin, server.origin());
    center.click(*id, "");
    run_until(&mut app, &lines, "clicked true 7");
    center.dismiss(*id);
    run_until(&mut app, &lines, "closed");
    let l = lines.borrow();
    assert_eq!(l[0], "before default");
    assert!(l.contains(&"answer granted granted".to_owned()), "{l:#?}");
    assert_eq!(center.permission(&server.origin()), Permission::Granted);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn without_permission_a_notification_fires_error_and_shows_nothing() {
    let d = dir("denied", &[]);
    let server = LocalServer::start(&d).unwrap();
    let center = Rc::new(HeadlessCenter::new(Permission::Denied));
    let (mut app, lines) = app(&server, center.clone());
    let w = app.open_window(&format!("{}/", server.origin())).unwrap();
    app.eval_script(
        w,
        "Notification.requestPermission().then((p) => {\
           console.log('answer ' + p);\
           const n = new Notification('x');\
           n.onerror = () => console.log('error event');\
           n.onshow = () => console.log('shown?');\
         });",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "error event");
    assert!(lines.borrow().contains(&"answer denied".to_owned()));
    assert!(center.shown().is_empty());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_workers_notification_click_reaches_the_worker_with_its_action() {
    let worker = r#"
      self.onactivate = (e) => e.waitUntil(clients.claim());
      self.onfetch = (e) => {
        if (e.request.url.endsWith('/notify')) {
          e.respondWith(self.registration.showNotification('New mail', {
            body: '2 messages', tag: 'mail', data: { folder: 'inbox' },
            actions: [{ action: 'open', title: 'Open' }, { action: 'archive', title: 'Archive' }, { action: 'x', title: 'dropped' }],
          }).then(() => self.registration.getNotifications({ tag: 'mail' }))
            .then((list) => new Response(list.length + ' ' + list[0].title + ' ' + list[0].actions.length)));
        } else if (e.request.url.endsWith('/seen')) {
          e.respondWith(new Response(self.seen || 'nothing'));
        }
      };
      self.onnotificationclick = (e) => {
        self.seen = e.action + ' ' + e.notification.title + ' ' + e.notification.data.folder;
        e.notification.close();
      };
    "#;
    let d = dir("worker", &[("sw.js", worker)]);
    let server = LocalServer::start(&d).unwrap();
    let center = Rc::new(HeadlessCenter::new(Permission::Granted));
    center.set_permission(&server.origin(), Permission::Granted);
    let (mut app, lines) = app(&server, center.clone());
    let w = app.open_window(&format!("{}/", server.origin())).unwrap();
    app.eval_script(
        w,
        "navigator.serviceWorker.register('/sw.js');\
         navigator.serviceWorker.oncontrollerchange = async () => {\
           console.log(await (await fetch('/notify')).text());\
         };",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "1 New mail 2");
    let shown = center.shown();
    assert_eq!(shown.len(), 1);
    assert_eq!(
        shown[0].1.actions,
        vec![
            ("open".to_owned(), "Open".to_owned()),
            ("archive".to_owned(), "Archive".to_owned())
        ]
    );
    center.click(shown[0].0, "archive");
    app.run(Duration::from_millis(200), &mut |_| false).unwrap();
    assert!(center.shown().is_empty(), "the worker closed it");
    app.eval_script(
        w,
        "fetch('/seen').then((r) => r.text()).then((t) => console.log('seen ' + t));",
        "page.js",
    )
    .unwrap();
    run_until(&mut app, &lines, "seen archive New mail inbox");
    let _ = std::fs::remove_dir_all(&d);
}

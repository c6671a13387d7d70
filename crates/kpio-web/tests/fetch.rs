//! fetch() where JavaScript cannot see: the app's network scope and the offline switch,
//! hostile servers (an endless head, a huge header, an endless body nobody reads, a
//! connection an abort must cut), and realms interrupted or dropped while exchanges are
//! in flight. Every server here is on the loopback interface.

use kpio_web::local_server::LocalServer;
use kpio_web::{ConsoleLevel, HostPattern, Network, NetworkScope, Realm, RealmOptions, WebError};
use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

type Lines = Rc<RefCell<Vec<String>>>;

/// The tests count the process's exchange threads, so they run one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn realm(network: Option<Arc<Network>>, url: &str) -> (Realm, Lines) {
    let lines: Lines = Rc::default();
    let sink = lines.clone();
    let realm = Realm::new(RealmOptions {
        url: url.to_owned(),
        network,
        console: Some(Box::new(move |level, text| {
            if level != ConsoleLevel::Error {
                sink.borrow_mut().push(text.to_owned());
            }
        })),
        ..RealmOptions::default()
    })
    .expect("a realm");
    (realm, lines)
}

/// Runs `script`, then the event loop until it logs a line starting with `done`; that
/// line, without the word.
fn run(realm: &mut Realm, lines: &Lines, script: &str, timeout: Duration) -> String {
    realm
        .eval_script(script, "test.js")
        .expect("the script runs");
    let found = |lines: &Lines| {
        lines
            .borrow()
            .iter()
            .find(|l| l.starts_with("done"))
            .map(|l| l["done".len()..].trim().to_owned())
    };
    let end = realm
        .run_event_loop(timeout, &mut || found(lines).is_some())
        .expect("the event loop runs");
    found(lines).unwrap_or_else(|| {
        panic!(
            "no result ({end:?}) within {timeout:?}; console: {:?}",
            lines.borrow()
        )
    })
}

/// A script that fetches `url` and logs `done ok STATUS BODY` or `done NAME: MESSAGE`.
fn fetch_text(url: &str) -> String {
    format!(
        "fetch({url:?}).then(r => r.text().then(t => console.log('done ok', r.status, t)))\
         .catch(e => console.log('done', e.name + ': ' + e.message));"
    )
}

/// The exchange threads alive in this process (they are named `kpio-fetch-ID`).
fn fetch_threads() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| t.ok())
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm"))
                .is_ok_and(|c| c.starts_with("kpio-fetch-"))
        })
        .count()
}

fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    f()
}

/// A loopback server that hands each connection to `serve` on a thread of its own, after
/// reading the request head. `serve` reports what it saw through the returned channel.
struct Hostile {
    port: u16,
    events: Receiver<String>,
}

fn hostile(serve: fn(TcpStream, &mpsc::Sender<String>)) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let tx = tx.clone();
            std::thread::spawn(move || {
                // The request head, up to its blank line.
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match conn.read(&mut b) {
                        Ok(1) => head.push(b[0]),
                        _ => return,
                    }
                }
                serve(conn, &tx);
            });
        }
    });
    Hostile { port, events: rx }
}

impl Hostile {
    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Waits (bounded) for the client to close the connection; reports `closed` or
/// `still open`.
fn report_close(mut conn: TcpStream, tx: &mpsc::Sender<String>) {
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut b = [0u8; 256];
    let what = loop {
        match conn.read(&mut b) {
            Ok(0) => break "closed",
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break "still open",
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break "still open",
            Err(_) => break "closed",
        }
    };
    let _ = tx.send(what.into());
}

// ------------------------------------------------------------------------------------
// Network scopes.
// ------------------------------------------------------------------------------------

#[test]
fn no_network_permission_rejects_with_a_type_error_that_names_it() {
    let _s = serial();
    let server = LocalServer::start(&std::env::temp_dir()).unwrap();
    let url = format!("{}/_kpio/echo", server.origin());
    // No network at all.
    let (mut r, lines) = realm(None, &format!("{}/page.html", server.origin()));
    let out = run(&mut r, &lines, &fetch_text(&url), Duration::from_secs(10));
    assert!(
        out.starts_with("TypeError:") && out.contains("no network permission"),
        "{out}"
    );
    // A network whose scope is `none`.
    let (mut r, lines) = realm(
        Some(Network::new(NetworkScope::None)),
        &format!("{}/page.html", server.origin()),
    );
    let out = run(&mut r, &lines, &fetch_text(&url), Duration::from_secs(10));
    assert!(
        out.starts_with("TypeError:") && out.contains("network permission (none)"),
        "{out}"
    );
    // data: URLs need no network.
    let (mut r, lines) = realm(None, "about:blank");
    let out = run(
        &mut r,
        &lines,
        &fetch_text("data:,local"),
        Duration::from_secs(10),
    );
    assert_eq!(out, "ok 200 local");
}

#[test]
fn an_allow_list_reaches_its_hosts_and_refuses_others_before_resolving_them() {
    let _s = serial();
    let server = LocalServer::start(&std::env::temp_dir()).unwrap();
    let scope = NetworkScope::AllowList(vec![
        HostPattern::parse(&format!("127.0.0.1:{}", server.port())).unwrap(),
    ]);
    let page = format!("{}/page.html", server.origin());
    let (mut r, lines) = realm(Some(Network::new(scope.clone())), &page);
    let out = run(
        &mut r,
        &lines,
        &fetch_text(&format!("{}/_kpio/status?body=allowed", server.origin())),
        Duration::from_secs(10),
    );
    assert_eq!(out, "ok 200 allowed");

    // Another host of the same server: refused by the list.
    let (mut r, lines) = realm(Some(Network::new(scope.clone())), &page);
    let other = format!("{}/_kpio/echo?acao=*", server.other_origin());
    let out = run(&mut r, &lines, &fetch_text(&other), Duration::from_secs(10));
    assert!(out.contains("does not allow this host"), "{out}");

    // A name that cannot resolve: the refusal is the scope's, not the resolver's, so
    // the name was never looked up (and it comes at once).
    let (mut r, lines) = realm(Some(Network::new(scope)), &page);
    let start = Instant::now();
    let out = run(
        &mut r,
        &lines,
        &fetch_text("http://not-on-the-list.invalid/x"),
        Duration::from_secs(10),
    );
    assert!(out.contains("does not allow this host"), "{out}");
    assert!(!out.contains("resolving"), "{out}");
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn the_local_scope_refuses_public_addresses_without_connecting() {
    let _s = serial();
    let server = LocalServer::start(&std::env::temp_dir()).unwrap();
    // Checked first: if the scope allowed these, the fetches below would try to connect
    // off this machine, which these tests must never do.
    for a in ["192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"] {
        assert!(
            !NetworkScope::Local.allows_address(a.parse::<IpAddr>().unwrap()),
            "{a}"
        );
    }
    let page = format!("{}/page.html", server.origin());
    for url in [
        "http://192.0.2.1/",
        "http://[2001:db8::1]:8080/",
        "http://[::ffff:192.0.2.1]/",
    ] {
        let (mut r, lines) = realm(Some(Network::new(NetworkScope::Local)), &page);
        let start = Instant::now();
        let out = run(&mut r, &lines, &fetch_text(url), Duration::from_secs(10));
        assert!(
            out.contains("resolves only to addresses the app's network permission (local)"),
            "{url}: {out}"
        );
        assert!(start.elapsed() < Duration::from_secs(2), "{url}");
    }
    // The loopback server itself is local, under both of its names.
    let (mut r, lines) = realm(Some(Network::new(NetworkScope::Local)), &page);
    let out = run(
        &mut r,
        &lines,
        &fetch_text(&format!(
            "{}/_kpio/status?body=near&acao=*",
            server.other_origin()
        )),
        Duration::from_secs(10),
    );
    assert_eq!(out, "ok 200 near");
}

#[test]
fn the_offline_switch_fails_new_fetches_and_cuts_bodies_in_progress() {
    let _s = serial();
    let server = LocalServer::start(&std::env::temp_dir()).unwrap();
    let network = Network::new(NetworkScope::Local);
    let switch = network.offline_switch();
    let (mut r, lines) = realm(Some(network), &format!("{}/page.html", server.origin()));
    let origin = server.origin();
    let ok = run(
        &mut r,
        &lines,
        &fetch_text(&format!("{origin}/_kpio/status?body=up")),
        Duration::from_secs(10),
    );
    assert_eq!(ok, "ok 200 up");

    // A body streaming in when the network goes away.
    lines.borrow_mut().clear();
    r.eval_script(
        &format!(
            "globalThis.reader = null;
             fetch('{origin}/_kpio/stream?chunks=100&size=1000&delay=50').then(async (res) => {{
               reader = res.body.getReader();
               await reader.read();
               console.log('first chunk');
             }});"
        ),
        "stream.js",
    )
    .unwrap();
    r.run_event_loop(Duration::from_secs(10), &mut || {
        lines.borrow().iter().any(|l| l == "first chunk")
    })
    .unwrap();
    switch.set_offline(true);
    let out = run(
        &mut r,
        &lines,
        "(async () => { try { for (;;) { const { done } = await reader.read(); if (done) { console.log('done ended'); return; } } }
          catch (e) { console.log('done', e.name, navigator.onLine); } })();",
        Duration::from_secs(10),
    );
    assert_eq!(out, "TypeError false");

    // New fetches fail while offline, and work again once back.
    lines.borrow_mut().clear();
    let out = run(
        &mut r,
        &lines,
        &fetch_text(&format!("{origin}/_kpio/status?body=x")),
        Duration::from_secs(10),
    );
    assert!(out.contains("offline"), "{out}");
    switch.set_offline(false);
    lines.borrow_mut().clear();
    let out = run(
        &mut r,
        &lines,
        &format!(
            "fetch('{origin}/_kpio/status?body=back').then(r => r.text()).then(t => console.log('done', t, navigator.onLine));"
        ),
        Duration::from_secs(10),
    );
    assert_eq!(out, "back true");
}

#[test]
fn a_bad_port_is_never_connected_to() {
    let _s = serial();
    // 6666 is IRC's, on the Fetch Standard's list of bad ports. Skipped if taken.
    let Ok(listener) = TcpListener::bind("127.0.0.1:6666") else {
        eprintln!("port 6666 is taken: skipped");
        return;
    };
    listener.set_nonblocking(true).unwrap();
    let server = LocalServer::start(&std::env::temp_dir()).unwrap();
    let page = format!("{}/page.html", server.origin());
    let (mut r, lines) = realm(Some(Network::new(NetworkScope::Local)), &page);
    let out = run(
        &mut r,
        &lines,
        &fetch_text("http://127.0.0.1:6666/"),
        Duration::from_secs(10),
    );
    assert!(out.contains("bad port"), "{out}");
    // Nor through a redirect.
    let (mut r, lines) = realm(Some(Network::new(NetworkScope::Local)), &page);
    let out = run(
        &mut r,
        &lines,
        &fetch_text(&format!(
            "{}/_kpio/redirect?location=http%3A%2F%2F127.0.0.1%3A6666%2F",
            server.origin()
        )),
        Duration::from_secs(10),
    );
    assert!(out.contains("bad port"), "{out}");
    assert!(
        listener.accept().is_err(),
        "something connected to the bad port"
    );
}

// ------------------------------------------------------------------------------------
// Hostile servers.
// ------------------------------------------------------------------------------------

#[test]
fn an_endless_response_head_is_refused_and_the_connection_closed() {
    let _s = serial();
    let server = hostile(|mut conn, tx| {
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\n");
        let mut sent = 0usize;
        // Header lines until the client goes away (bounded: 16 MB at most).
        while sent < 16 << 20 {
            match conn.write_all(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n") {
                Ok(()) => sent += 52,
                Err(_) => break,
            }
        }
        let _ = tx.send(format!("sent {sent}"));
    });
    let (mut r, lines) = realm(
        Some(Network::new(NetworkScope::Local)),
        &format!("{}/", server.origin()),
    );
    let out = run(
        &mut r,
        &lines,
        &fetch_text(&format!("{}/endless-head", server.origin())),
        Duration::from_secs(10),
    );
    assert!(out.starts_with("TypeError:"), "{out}");
    let sent: usize = server
        .events
        .recv_timeout(Duration::from_secs(10))
        .expect("the server saw the connection end")
        .trim_start_matches("sent ")
        .parse()
        .unwrap();
    assert!(sent < 8 << 20, "the client read {sent} bytes of head");
}

#[test]
fn a_70_kb_header_is_refused() {
    let _s = serial();
    let server = hostile(|mut conn, _| {
        let big = "b".repeat(70 * 1024);
        let _ = conn.write_all(
            format!("HTTP/1.1 200 OK\r\nX-Big: {big}\r\nContent-Length: 2\r\n\r\nok").as_bytes(),
        );
    });
    let (mut r, lines) = realm(
        Some(Network::new(NetworkScope::Local)),
        &format!("{}/", server.origin()),
    );
    let out = run(
        &mut r,
        &lines,
        &fetch_text(&format!("{}/big-header", server.origin())),
        Duration::from_secs(10),
    );
    assert!(
        out.starts_with("TypeError:") && out.contains("head exceeds"),
        "{out}"
    );
}

#[test]
fn an_endless_body_the_page_stops_reading_holds_memory_and_the_server_back() {
    let _s = serial();
    static WRITTEN: AtomicUsize = AtomicUsize::new(0);
    WRITTEN.store(0, Ordering::SeqCst);
    let server = hostile(|mut conn, tx| {
        let _ =
            conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n");
        let block = vec![b'z'; 64 * 1024];
        conn.set_write_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        // Until the client stops taking bytes (a write times out) or goes away, bounded
        // at 256 MB.
        while WRITTEN.load(Ordering::SeqCst) < 256 << 20 {
            match conn.write_all(&block) {
                Ok(()) => {
                    WRITTEN.fetch_add(block.len(), Ordering::SeqCst);
                }
                Err(_) => break,
            }
        }
        let _ = tx.send("stopped".into());
    });
    let (mut r, lines) = realm(
        Some(Network::new(NetworkScope::Local)),
        &format!("{}/", server.origin()),
    );
    let before = r.memory_used();
    let out = run(
        &mut r,
        &lines,
        &format!(
            "fetch('{}/endless').then(async (res) => {{
               globalThis.keep = res.body.getReader();
               const {{ value }} = await keep.read();
               console.log('done read', value.byteLength > 0);
             }});",
            server.origin()
        ),
        Duration::from_secs(10),
    );
    assert_eq!(out, "read true");
    // The page holds the reader and reads no more: the server is soon blocked by TCP.
    let _ = r.run_event_loop(Duration::from_millis(1500), &mut || false);
    let first = WRITTEN.load(Ordering::SeqCst);
    let _ = r.run_event_loop(Duration::from_millis(1000), &mut || false);
    let second = WRITTEN.load(Ordering::SeqCst);
    assert_eq!(first, second, "the download stopped with the reading");
    assert!(first < 32 << 20, "{first} bytes went out before it stopped");
    let grew = r.memory_used().saturating_sub(before);
    assert!(grew < 8 << 20, "the realm's heap grew by {grew} bytes");
    drop(r);
}

#[test]
fn an_abort_cuts_the_connection() {
    let _s = serial();
    let server = hostile(|mut conn, tx| {
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nsome");
        report_close(conn, tx);
    });
    let (mut r, lines) = realm(
        Some(Network::new(NetworkScope::Local)),
        &format!("{}/", server.origin()),
    );
    let out = run(
        &mut r,
        &lines,
        &format!(
            "const c = new AbortController();
             fetch('{}/held', {{ signal: c.signal }}).then(async (res) => {{
               const reader = res.body.getReader();
               await reader.read();
               c.abort();
               await reader.read().catch(e => console.log('done', e.name));
             }});",
            server.origin()
        ),
        Duration::from_secs(10),
    );
    assert_eq!(out, "AbortError");
    let seen = server.events.recv_timeout(Duration::from_secs(15)).unwrap();
    assert_eq!(seen, "closed", "the server saw the connection end");
}

#[test]
fn an_abort_before_the_head_cuts_the_connection_too() {
    let _s = serial();
    let server = hostile(report_close);
    let (mut r, lines) = realm(
        Some(Network::new(NetworkScope::Local)),
        &format!("{}/", server.origin()),
    );
    let out = run(
        &mut r,
        &lines,
        &format!(
            "const c = new AbortController();
             fetch('{}/silent', {{ signal: c.signal }}).catch(e => console.log('done', e.name));
             setTimeout(() => c.abort(), 200);",
            server.origin()
        ),
        Duration::from_secs(10),
    );
    assert_eq!(out, "AbortError");
    let seen = server.events.recv_timeout(Duration::from_secs(15)).unwrap();
    assert_eq!(seen, "closed");
    assert!(
        wait_until(Duration::from_secs(5), || fetch_threads() == 0),
        "{} exchange threads left",
        fetch_threads()
    );
}

// ------------------------------------------------------------------------------------
// Realms interrupted or dropped while they wait on the network.
// ------------------------------------------------------------------------------------

#[test]
fn an_interrupt_from_another_thread_stops_a_realm_waiting_on_the_network() {
    let _s = serial();
    let server = hostile(report_close);
    let (mut r, _lines) = realm(
        Some(Network::new(NetworkScope::Local)),
        &format!("{}/", server.origin()),
    );
    r.eval_script(
        &format!("fetch('{}/never').then(() => {{}});", server.origin()),
        "wait.js",
    )
    .unwrap();
    let handle = r.interrupt_handle();
    let interrupter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        handle.interrupt();
        Instant::now()
    });
    let result = r.run_event_loop(Duration::from_secs(30), &mut || false);
    let returned = Instant::now();
    let interrupted_at = interrupter.join().unwrap();
    assert!(
        matches!(result, Err(WebError::Interrupted { .. })),
        "{result:?}"
    );
    assert!(
        returned.duration_since(interrupted_at) < Duration::from_millis(500),
        "the loop returned {:?} after the interrupt",
        returned.duration_since(interrupted_at)
    );
    drop(r);
    assert_eq!(
        server.events.recv_timeout(Duration::from_secs(15)).unwrap(),
        "closed"
    );
}

#[test]
fn dropping_a_realm_with_fetches_in_flight_ends_their_threads_and_connections() {
    let _s = serial();
    let server = hostile(|mut conn, tx| {
        // Half of them answer a head and stall in the body, half never answer.
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
        report_close(conn, tx);
    });
    let silent = hostile(report_close);
    let (mut r, lines) = realm(
        Some(Network::new(NetworkScope::Local)),
        &format!("{}/", server.origin()),
    );
    r.eval_script(
        &format!(
            "globalThis.kept = [];
             for (let i = 0; i < 5; i++) {{
               fetch('{}/body' + i).then(res => {{ kept.push(res); res.body.getReader().read(); console.log('head'); }});
               fetch('http://127.0.0.1:{}/nothing' + i, {{ mode: 'no-cors' }});
             }}",
            server.origin(),
            silent.port
        ),
        "many.js",
    )
    .unwrap();
    r.run_event_loop(Duration::from_secs(10), &mut || {
        lines.borrow().iter().filter(|l| *l == "head").count() == 5
    })
    .unwrap();
    assert!(fetch_threads() >= 10, "{} threads", fetch_threads());
    let start = Instant::now();
    drop(r);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "dropping took {:?}",
        start.elapsed()
    );
    for events in [&server.events, &silent.events] {
        for _ in 0..5 {
            assert_eq!(
                events.recv_timeout(Duration::from_secs(15)).unwrap(),
                "closed"
            );
        }
    }
    assert!(
        wait_until(Duration::from_secs(5), || fetch_threads() == 0),
        "{} exchange threads left",
        fetch_threads()
    );
}

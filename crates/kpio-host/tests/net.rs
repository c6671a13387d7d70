//! `kpio_net` end to end over real loopback sockets (`StdNet`), and the network scope.
//! Nothing here leaves the machine: names outside the scope are denied before any
//! resolution, and only 127.0.0.1 / localhost are ever connected to.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::{Arc, Mutex};
use std::thread;

use common::*;
use kpio_app::{NetworkPermission, Permissions};
use kpio_host::{Cancel, HostError, NetBackend, SocketKind};
use kpio_wasm::TrapCode;

const TIMED_OUT: i32 = -6;
const REFUSED: i32 = -8;
const ADDR_IN_USE: i32 = -9;
const NOT_CONNECTED: i32 = -10;
const TCP: i32 = 1;
const UDP: i32 = 2;

fn perms(network: NetworkPermission) -> Permissions {
    Permissions {
        network,
        ..Permissions::default()
    }
}

fn start(network: NetworkPermission) -> (App, RecordingLog) {
    let log = RecordingLog::default();
    let ctx = builder(perms(network), &log).build().unwrap();
    (App::new(ctx), log)
}

/// Writes `host` at 0x1000 and calls `kpio_net.<op>(sock, host, port)`.
fn to_host(app: &mut App, op: &str, sock: i32, host: &str, port: u16) -> i32 {
    app.write(0x1000, host.as_bytes());
    app.call(
        &format!("kpio_net.{op}"),
        &[sock, 0x1000, host.len() as i32, i32::from(port)],
    )
}

/// A loopback echo server for one connection; returns its port.
fn echo_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = [0u8; 256];
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => s.write_all(&buf[..n]).unwrap(),
            }
        }
    });
    port
}

/// A loopback port nobody listens on (bound, then released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn echo_round_trip(app: &mut App, host: &str) {
    let port = echo_server();
    let s = app.call("kpio_net.socket_create", &[TCP]);
    assert!(s > 0);
    assert_eq!(to_host(app, "connect", s, host, port), 0, "connect {host}");
    app.write(0, b"hello, echo");
    assert_eq!(app.call("kpio_net.send", &[s, 0, 11]), 11);
    let mut got = Vec::new();
    while got.len() < 11 {
        let n = app.call("kpio_net.recv", &[s, 100, 64, -1]);
        assert!(n > 0, "recv: {n}");
        got.extend(app.read(100, n as usize));
    }
    assert_eq!(got, b"hello, echo");
    assert_eq!(app.call("kpio_net.close", &[s]), 0);
    assert_eq!(app.call("kpio_net.close", &[s]), INVALID);
}

#[test]
fn tcp_echo_round_trip_local_only() {
    let (mut app, log) = start(NetworkPermission::LocalOnly);
    echo_round_trip(&mut app, "127.0.0.1");
    echo_round_trip(&mut app, "localhost");
    assert!(log.denials().is_empty());
}

#[test]
fn local_only_denies_everything_else_before_resolving() {
    let (mut app, log) = start(NetworkPermission::LocalOnly);
    let s = app.call("kpio_net.socket_create", &[TCP]);
    assert_eq!(to_host(&mut app, "connect", s, "example.com", 80), DENIED);
    assert_eq!(to_host(&mut app, "connect", s, "10.0.0.1", 80), DENIED);
    assert_eq!(to_host(&mut app, "connect", s, "[2001:db8::1]", 80), DENIED);
    assert_eq!(to_host(&mut app, "bind", s, "0.0.0.0", 0), DENIED);
    let d = log.denials();
    assert_eq!(d.len(), 4);
    assert_eq!(d[0].call, "kpio_net::connect");
    assert!(d[0].what.contains("example.com"), "{}", d[0].what);
    assert_eq!(d[3].call, "kpio_net::bind");
    // The socket is still usable: the app carries on.
    let port = echo_server();
    assert_eq!(to_host(&mut app, "connect", s, "127.0.0.1", port), 0);
}

/// A backend that resolves every name to a fixed address and records what it was asked.
struct FakeResolver {
    to: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
}

impl NetBackend for FakeResolver {
    fn socket_create(&mut self, _: SocketKind) -> Result<u32, HostError> {
        Ok(1)
    }
    fn resolve(&mut self, host: &str, port: u16, _: &Cancel) -> Result<Vec<SocketAddr>, HostError> {
        self.asked.lock().unwrap().push(host.into());
        Ok(vec![SocketAddr::new(self.to.ip(), port)])
    }
    fn bind(&mut self, _: u32, _: &[SocketAddr]) -> Result<(), HostError> {
        Ok(())
    }
    fn connect(&mut self, _: u32, _: &[SocketAddr], _: &Cancel) -> Result<(), HostError> {
        Ok(())
    }
    fn listen(&mut self, _: u32, _: u32) -> Result<(), HostError> {
        Ok(())
    }
    fn accept(&mut self, _: u32, _: Option<u32>, _: &Cancel) -> Result<u32, HostError> {
        Err(HostError::TimedOut)
    }
    fn send(&mut self, _: u32, d: &[u8], _: &Cancel) -> Result<usize, HostError> {
        Ok(d.len())
    }
    fn recv(
        &mut self,
        _: u32,
        _: &mut [u8],
        _: Option<u32>,
        _: &Cancel,
    ) -> Result<usize, HostError> {
        Ok(0)
    }
    fn close(&mut self, _: u32) -> Result<(), HostError> {
        Ok(())
    }
}

#[test]
fn local_only_checks_every_resolved_address() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = RecordingLog::default();
    let net = FakeResolver {
        to: "10.1.2.3:0".parse().unwrap(),
        asked: asked.clone(),
    };
    let ctx = builder(perms(NetworkPermission::LocalOnly), &log)
        .net(Box::new(net))
        .build()
        .unwrap();
    let mut app = App::new(ctx);
    // "localhost" passes by name, but here it resolves outside the machine: denied.
    assert_eq!(to_host(&mut app, "connect", 1, "localhost", 80), DENIED);
    assert_eq!(asked.lock().unwrap().as_slice(), ["localhost"]);
    let d = log.denials();
    assert_eq!(d.len(), 1);
    assert!(d[0].what.contains("10.1.2.3"), "{}", d[0].what);
    // A name outside the scope is never even resolved.
    assert_eq!(to_host(&mut app, "connect", 1, "example.com", 80), DENIED);
    assert_eq!(asked.lock().unwrap().len(), 1);

    // With an allow-list the name is what is allowed, wherever it resolves.
    let log = RecordingLog::default();
    let net = FakeResolver {
        to: "10.1.2.3:0".parse().unwrap(),
        asked: Arc::default(),
    };
    let ctx = builder(
        perms(NetworkPermission::AllowList(vec!["*.example.com".into()])),
        &log,
    )
    .net(Box::new(net))
    .build()
    .unwrap();
    let mut app = App::new(ctx);
    assert_eq!(to_host(&mut app, "connect", 1, "api.example.com", 443), 0);
    assert_eq!(to_host(&mut app, "connect", 1, "example.com", 443), DENIED);
    assert_eq!(log.denials().len(), 1);
}

#[test]
fn allow_list_is_by_name_or_literal() {
    let (mut app, log) = start(NetworkPermission::AllowList(vec!["127.0.0.1".into()]));
    echo_round_trip(&mut app, "127.0.0.1");
    let s = app.call("kpio_net.socket_create", &[TCP]);
    assert_eq!(to_host(&mut app, "connect", s, "localhost", 80), DENIED);
    assert_eq!(to_host(&mut app, "connect", s, "10.0.0.1", 80), DENIED);
    assert_eq!(log.denials().len(), 2);

    let (mut app, log) = start(NetworkPermission::AllowList(vec!["localhost".into()]));
    echo_round_trip(&mut app, "localhost");
    assert!(log.denials().is_empty());
}

#[test]
fn network_none_denies_every_call_without_trapping() {
    let (mut app, log) = start(NetworkPermission::None);
    let bad = 0x7FFF_0000;
    let calls: &[(&str, &[i32])] = &[
        ("socket_create", &[TCP]),
        ("bind", &[1, bad, 9, 0]),
        ("connect", &[1, bad, 9, 80]),
        ("listen", &[1, 1]),
        ("accept", &[1, -1]),
        ("send", &[1, bad, 100]),
        ("recv", &[1, bad, 100, -1]),
        ("close", &[1]),
    ];
    for (name, args) in calls {
        assert_eq!(
            app.call(&format!("kpio_net.{name}"), args),
            DENIED,
            "{name}"
        );
    }
    let d = log.denials();
    assert_eq!(d.len(), calls.len());
    assert!(
        d.iter()
            .all(|d| d.what == "network is not granted (network: None)")
    );
    assert_eq!(d[5].call, "kpio_net::send");
}

#[test]
fn full_allows_any_host_it_is_given() {
    // Only a loopback host is used; Full must simply not deny it.
    let (mut app, log) = start(NetworkPermission::Full);
    echo_round_trip(&mut app, "127.0.0.1");
    assert!(log.denials().is_empty());
}

#[test]
fn app_as_server_accepts_and_answers() {
    let (mut app, _) = start(NetworkPermission::LocalOnly);
    let port = free_port();
    let l = app.call("kpio_net.socket_create", &[TCP]);
    assert_eq!(to_host(&mut app, "bind", l, "127.0.0.1", port), 0);
    // Accepting before listen: not listening.
    assert_eq!(app.call("kpio_net.accept", &[l, 0]), NOT_CONNECTED);
    assert_eq!(app.call("kpio_net.listen", &[l, 8]), 0);
    // Nobody there yet: timeout 0 is "would block".
    assert_eq!(app.call("kpio_net.accept", &[l, 0]), TIMED_OUT);
    let client = thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).unwrap();
        buf
    });
    let c = app.call("kpio_net.accept", &[l, -1]);
    assert!(c > 0 && c != l);
    let mut got = Vec::new();
    while got.len() < 4 {
        let n = app.call("kpio_net.recv", &[c, 0, 4, -1]);
        assert!(n > 0);
        got.extend(app.read(0, n as usize));
    }
    assert_eq!(got, b"ping");
    app.write(0, b"pong");
    assert_eq!(app.call("kpio_net.send", &[c, 0, 4]), 4);
    assert_eq!(&client.join().unwrap(), b"pong");
    // The client has gone: recv reports the close as 0.
    assert_eq!(app.call("kpio_net.recv", &[c, 0, 4, -1]), 0);
    // Binding a port in use.
    let other = app.call("kpio_net.socket_create", &[TCP]);
    assert_eq!(
        to_host(&mut app, "bind", other, "127.0.0.1", port),
        ADDR_IN_USE
    );
}

#[test]
fn recv_times_out() {
    let (mut app, _) = start(NetworkPermission::LocalOnly);
    let port = echo_server();
    let s = app.call("kpio_net.socket_create", &[TCP]);
    assert_eq!(to_host(&mut app, "connect", s, "127.0.0.1", port), 0);
    assert_eq!(app.call("kpio_net.recv", &[s, 0, 16, 0]), TIMED_OUT);
    assert_eq!(app.call("kpio_net.recv", &[s, 0, 16, 120]), TIMED_OUT);
    // Still connected afterwards.
    app.write(0, b"x");
    assert_eq!(app.call("kpio_net.send", &[s, 0, 1]), 1);
    assert_eq!(app.call("kpio_net.recv", &[s, 0, 16, -1]), 1);
}

#[test]
fn a_stopped_run_wakes_a_blocking_accept() {
    let (mut app, _) = start(NetworkPermission::LocalOnly);
    let handle = app.store.interrupt_handle();
    app.store
        .data_mut()
        .set_cancel(Cancel::from(handle.clone()));
    let l = app.call("kpio_net.socket_create", &[TCP]);
    assert_eq!(to_host(&mut app, "bind", l, "127.0.0.1", 0), 0);
    assert_eq!(app.call("kpio_net.listen", &[l, 1]), 0);
    let port = echo_server();
    let c = app.call("kpio_net.socket_create", &[TCP]);
    assert_eq!(to_host(&mut app, "connect", c, "127.0.0.1", port), 0);
    let stopper = thread::spawn(move || {
        thread::sleep(std::time::Duration::from_millis(100));
        handle.interrupt();
    });
    // Waits forever unless stopped; returns (TIMED_OUT) once the handle is raised.
    assert_eq!(app.call("kpio_net.accept", &[l, -1]), TIMED_OUT);
    stopper.join().unwrap();
    // Every blocking call gives up while the flag stays raised.
    assert_eq!(app.call("kpio_net.accept", &[l, -1]), TIMED_OUT);
    assert_eq!(app.call("kpio_net.recv", &[c, 0, 16, -1]), TIMED_OUT);
}

#[test]
fn a_host_without_a_network_is_unavailable() {
    let log = RecordingLog::default();
    let ctx = builder(perms(NetworkPermission::Full), &log)
        .net(Box::new(kpio_host::NoNet))
        .build()
        .unwrap();
    let mut app = App::new(ctx);
    assert_eq!(app.call("kpio_net.socket_create", &[TCP]), UNAVAILABLE);
    assert_eq!(
        to_host(&mut app, "connect", 1, "127.0.0.1", 80),
        UNAVAILABLE
    );
    assert!(log.denials().is_empty());
}

#[test]
fn socket_errors() {
    let (mut app, _) = start(NetworkPermission::LocalOnly);
    assert_eq!(app.call("kpio_net.socket_create", &[3]), INVALID);
    assert_eq!(app.call("kpio_net.socket_create", &[0]), INVALID);
    let s = app.call("kpio_net.socket_create", &[TCP]);
    assert_eq!(
        to_host(&mut app, "connect", s, "127.0.0.1", free_port()),
        REFUSED
    );
    assert_eq!(app.call("kpio_net.send", &[s, 0, 1]), NOT_CONNECTED);
    assert_eq!(app.call("kpio_net.recv", &[s, 0, 1, 0]), NOT_CONNECTED);
    assert_eq!(app.call("kpio_net.listen", &[s, 1]), INVALID);
    assert_eq!(app.call("kpio_net.listen", &[s, -1]), INVALID);
    assert_eq!(app.call("kpio_net.send", &[99, 0, 1]), INVALID);
    assert_eq!(app.call("kpio_net.close", &[0]), INVALID);
    // Ports: 1..=65535 for connect, 0..=65535 for bind; the host must not be empty.
    assert_eq!(to_host(&mut app, "connect", s, "127.0.0.1", 0), INVALID);
    app.write(0x1000, b"127.0.0.1");
    assert_eq!(
        app.call("kpio_net.connect", &[s, 0x1000, 9, 65536]),
        INVALID
    );
    assert_eq!(app.call("kpio_net.connect", &[s, 0x1000, 0, 80]), INVALID);
    assert_eq!(app.call("kpio_net.connect", &[s, 0x1000, 254, 80]), LIMIT);
    // At most 64 sockets per instance.
    let mut n = 1;
    while app.call("kpio_net.socket_create", &[UDP]) > 0 {
        n += 1;
    }
    assert_eq!(n, 64);
    assert_eq!(app.call("kpio_net.socket_create", &[UDP]), LIMIT);
    assert_eq!(app.call("kpio_net.close", &[s]), 0);
    assert!(app.call("kpio_net.socket_create", &[UDP]) > 0);
}

#[test]
fn bad_buffers_trap() {
    let (mut app, _) = start(NetworkPermission::LocalOnly);
    let s = app.call("kpio_net.socket_create", &[TCP]);
    for (name, args) in [
        ("connect", vec![s, 65530, 9, 80]),
        ("send", vec![s, 65535, 2]),
        ("recv", vec![s, 65000, 1000, 0]),
    ] {
        let err = app
            .try_call(&format!("kpio_net.{name}"), &args)
            .unwrap_err();
        assert_eq!(err.code(), Some(TrapCode::MemoryOutOfBounds), "{name}");
        assert!(
            app.ctx()
                .last_fault()
                .unwrap()
                .starts_with(&format!("kpio_net::{name}:"))
        );
    }
}

#[test]
fn udp_round_trip() {
    let (mut app, _) = start(NetworkPermission::LocalOnly);
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port();
    let u = app.call("kpio_net.socket_create", &[UDP]);
    assert_eq!(app.call("kpio_net.send", &[u, 0, 1]), NOT_CONNECTED);
    assert_eq!(to_host(&mut app, "connect", u, "127.0.0.1", port), 0);
    app.write(0, b"ping");
    assert_eq!(app.call("kpio_net.send", &[u, 0, 4]), 4);
    let mut buf = [0u8; 16];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"ping");
    peer.send_to(b"pong", from).unwrap();
    assert_eq!(app.call("kpio_net.recv", &[u, 100, 16, -1]), 4);
    assert_eq!(app.read(100, 4), b"pong");
    assert_eq!(app.call("kpio_net.recv", &[u, 100, 16, 0]), TIMED_OUT);
}

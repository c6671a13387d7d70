//! [`StdNet`]: real TCP and UDP sockets through `std::net`, in a bounded handle table per
//! app instance.
//!
//! std has no separate bind and listen for TCP, so `bind` creates the listening socket
//! (errors such as `ADDR_IN_USE` surface there) and `listen` marks it as accepting; a TCP
//! socket that was bound cannot then `connect` (`INVALID`). Every wait is cut into slices
//! of at most 50 ms with the cancel flag checked between them: reads and writes through
//! socket timeouts, `accept` by polling a non-blocking listener, `connect` and name
//! resolution (which std cannot interrupt) on a helper thread the caller stops waiting for.

use std::collections::BTreeMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};
use std::vec::Vec;

use super::cancellable::{self, SLICE};
use crate::abi::{HostError, SocketKind};
use crate::platform::{Cancel, NetBackend};

/// Sockets one instance may hold at once by default (see [`StdNet::with_max_sockets`]).
pub const DEFAULT_MAX_SOCKETS: usize = 64;

/// How long one connection attempt may take before it is given up (`TIMED_OUT`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// How often `accept` looks for a new connection.
const ACCEPT_POLL: Duration = Duration::from_millis(10);

enum Sock {
    /// A TCP socket neither bound nor connected yet.
    Tcp,
    /// A bound TCP socket (`listening` once `listen` was called).
    Listener {
        l: TcpListener,
        listening: bool,
    },
    Stream(TcpStream),
    /// A UDP socket, once bound (explicitly, or implicitly by `connect`).
    Udp(Option<UdpSocket>),
}

/// The hosted [`NetBackend`].
pub struct StdNet {
    socks: BTreeMap<u32, Sock>,
    next: u32,
    max: usize,
}

impl Default for StdNet {
    fn default() -> Self {
        StdNet::new()
    }
}

impl StdNet {
    /// An empty table of at most [`DEFAULT_MAX_SOCKETS`] sockets.
    pub fn new() -> StdNet {
        StdNet {
            socks: BTreeMap::new(),
            next: 1,
            max: DEFAULT_MAX_SOCKETS,
        }
    }
    pub fn with_max_sockets(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
    /// How many sockets are open.
    pub fn open_sockets(&self) -> usize {
        self.socks.len()
    }

    /// Adds `s` under a new handle. Handles are never reused within one table, so a stale
    /// handle is `INVALID` rather than someone else's socket.
    fn insert(&mut self, s: Sock) -> Result<u32, HostError> {
        if self.socks.len() >= self.max || self.next > i32::MAX as u32 {
            return Err(HostError::Limit);
        }
        let h = self.next;
        self.next += 1;
        self.socks.insert(h, s);
        Ok(h)
    }

    fn get(&mut self, sock: u32) -> Result<&mut Sock, HostError> {
        self.socks.get_mut(&sock).ok_or(HostError::Invalid)
    }
}

/// std's I/O errors as ABI codes.
fn map_io(e: &io::Error) -> HostError {
    match e.kind() {
        ErrorKind::ConnectionRefused => HostError::Refused,
        ErrorKind::AddrInUse => HostError::AddrInUse,
        ErrorKind::NotConnected => HostError::NotConnected,
        ErrorKind::TimedOut | ErrorKind::WouldBlock => HostError::TimedOut,
        ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe
        | ErrorKind::UnexpectedEof => HostError::Closed,
        ErrorKind::HostUnreachable
        | ErrorKind::NetworkUnreachable
        | ErrorKind::AddrNotAvailable
        | ErrorKind::NetworkDown => HostError::Unreachable,
        ErrorKind::InvalidInput => HostError::Invalid,
        _ => HostError::Io,
    }
}

fn waiting(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

/// When a wait of `timeout_ms` started now ends (`None`: never).
fn deadline(timeout_ms: Option<u32>) -> Option<Instant> {
    timeout_ms.map(|ms| Instant::now() + Duration::from_millis(u64::from(ms)))
}

/// The next slice to wait: at most [`SLICE`], `None` once the deadline passed.
fn next_slice(deadline: Option<Instant>) -> Option<Duration> {
    match deadline {
        None => Some(SLICE),
        Some(d) => {
            let left = d.saturating_duration_since(Instant::now());
            (!left.is_zero()).then(|| left.min(SLICE))
        }
    }
}

/// Waits for a stream/datagram read in slices: `read` is called with the socket's read
/// timeout set to each slice; `set_timeout` / `set_nonblocking` configure the socket.
fn timed_read(
    timeout_ms: Option<u32>,
    cancel: &Cancel,
    set_nonblocking: &dyn Fn(bool) -> io::Result<()>,
    set_timeout: &dyn Fn(Duration) -> io::Result<()>,
    read: &mut dyn FnMut() -> io::Result<usize>,
) -> Result<usize, HostError> {
    if timeout_ms == Some(0) {
        set_nonblocking(true).map_err(|e| map_io(&e))?;
        let r = loop {
            match read() {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                r => break r,
            }
        };
        set_nonblocking(false).map_err(|e| map_io(&e))?;
        return r.map_err(|e| map_io(&e));
    }
    let end = deadline(timeout_ms);
    loop {
        let Some(slice) = next_slice(end) else {
            return Err(HostError::TimedOut);
        };
        set_timeout(slice).map_err(|e| map_io(&e))?;
        match read() {
            Ok(n) => return Ok(n),
            Err(e) if waiting(&e) => {
                if cancel.is_cancelled() {
                    return Err(HostError::TimedOut);
                }
            }
            Err(e) => return Err(map_io(&e)),
        }
    }
}

/// Writes some of `data`, waiting in slices (a full send buffer) until the cancel flag.
fn timed_write(
    cancel: &Cancel,
    set_timeout: &dyn Fn(Duration) -> io::Result<()>,
    write: &mut dyn FnMut() -> io::Result<usize>,
) -> Result<usize, HostError> {
    set_timeout(SLICE).map_err(|e| map_io(&e))?;
    loop {
        match write() {
            Ok(n) => return Ok(n),
            Err(e) if waiting(&e) => {
                if cancel.is_cancelled() {
                    return Err(HostError::TimedOut);
                }
            }
            Err(e) => return Err(map_io(&e)),
        }
    }
}

impl NetBackend for StdNet {
    fn socket_create(&mut self, kind: SocketKind) -> Result<u32, HostError> {
        self.insert(match kind {
            SocketKind::Tcp => Sock::Tcp,
            SocketKind::Udp => Sock::Udp(None),
        })
    }

    fn resolve(
        &mut self,
        host: &str,
        port: u16,
        cancel: &Cancel,
    ) -> Result<Vec<SocketAddr>, HostError> {
        let host = std::string::String::from(host);
        let found = cancellable::run(cancel, move || {
            (host.as_str(), port)
                .to_socket_addrs()
                .map(|it| it.collect::<Vec<_>>())
        })?;
        match found {
            Ok(addrs) if !addrs.is_empty() => Ok(addrs),
            _ => Err(HostError::Unreachable),
        }
    }

    fn bind(&mut self, sock: u32, addrs: &[SocketAddr]) -> Result<(), HostError> {
        let s = self.get(sock)?;
        *s = match s {
            Sock::Tcp => {
                let l = TcpListener::bind(addrs).map_err(|e| map_io(&e))?;
                // accept polls, so it can give up when cancelled.
                l.set_nonblocking(true).map_err(|e| map_io(&e))?;
                Sock::Listener {
                    l,
                    listening: false,
                }
            }
            Sock::Udp(None) => Sock::Udp(Some(UdpSocket::bind(addrs).map_err(|e| map_io(&e))?)),
            _ => return Err(HostError::Invalid),
        };
        Ok(())
    }

    fn connect(
        &mut self,
        sock: u32,
        addrs: &[SocketAddr],
        cancel: &Cancel,
    ) -> Result<(), HostError> {
        match self.get(sock)? {
            Sock::Tcp => {}
            Sock::Udp(udp) => {
                if udp.is_none() {
                    let any = match addrs.first() {
                        Some(SocketAddr::V6(_)) => SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)),
                        _ => SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
                    };
                    *udp = Some(UdpSocket::bind(any).map_err(|e| map_io(&e))?);
                }
                let Some(u) = udp.as_ref() else {
                    return Err(HostError::Io);
                };
                return u.connect(addrs).map_err(|e| map_io(&e));
            }
            _ => return Err(HostError::Invalid),
        }
        let mut last = HostError::Unreachable;
        for &addr in addrs {
            let r = cancellable::run(cancel, move || {
                TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
            })?;
            match r {
                Ok(stream) => {
                    *self.get(sock)? = Sock::Stream(stream);
                    return Ok(());
                }
                Err(e) => last = map_io(&e),
            }
        }
        Err(last)
    }

    fn listen(&mut self, sock: u32, _backlog: u32) -> Result<(), HostError> {
        // std listens with its own backlog (128) already at bind.
        match self.get(sock)? {
            Sock::Listener { listening, .. } => {
                *listening = true;
                Ok(())
            }
            _ => Err(HostError::Invalid),
        }
    }

    fn accept(
        &mut self,
        sock: u32,
        timeout_ms: Option<u32>,
        cancel: &Cancel,
    ) -> Result<u32, HostError> {
        let full = self.socks.len() >= self.max;
        let Sock::Listener { l, listening: true } = self.get(sock)? else {
            return Err(HostError::NotConnected);
        };
        if full {
            // Leave the connection queued for when a handle is free.
            return Err(HostError::Limit);
        }
        let end = deadline(timeout_ms);
        let stream = loop {
            match l.accept() {
                Ok((s, _)) => break s,
                Err(e) if waiting(&e) => {
                    if cancel.is_cancelled() {
                        return Err(HostError::TimedOut);
                    }
                    match next_slice(end) {
                        Some(slice) => std::thread::sleep(slice.min(ACCEPT_POLL)),
                        None => return Err(HostError::TimedOut),
                    }
                }
                Err(e) => return Err(map_io(&e)),
            }
        };
        stream.set_nonblocking(false).map_err(|e| map_io(&e))?;
        self.insert(Sock::Stream(stream))
    }

    fn send(&mut self, sock: u32, data: &[u8], cancel: &Cancel) -> Result<usize, HostError> {
        match self.get(sock)? {
            Sock::Stream(s) => {
                let s: &TcpStream = s;
                timed_write(cancel, &|d| s.set_write_timeout(Some(d)), &mut || {
                    let mut w = s;
                    w.write(data)
                })
            }
            Sock::Udp(Some(u)) => {
                if u.peer_addr().is_err() {
                    return Err(HostError::NotConnected);
                }
                let u: &UdpSocket = u;
                timed_write(cancel, &|d| u.set_write_timeout(Some(d)), &mut || {
                    u.send(data)
                })
            }
            _ => Err(HostError::NotConnected),
        }
    }

    fn recv(
        &mut self,
        sock: u32,
        buf: &mut [u8],
        timeout_ms: Option<u32>,
        cancel: &Cancel,
    ) -> Result<usize, HostError> {
        if buf.is_empty() {
            // A zero-byte read would look like "peer closed"; there is nothing to wait for.
            return match self.get(sock)? {
                Sock::Stream(_) | Sock::Udp(Some(_)) => Ok(0),
                _ => Err(HostError::NotConnected),
            };
        }
        match self.get(sock)? {
            Sock::Stream(s) => {
                let s: &TcpStream = s;
                timed_read(
                    timeout_ms,
                    cancel,
                    &|b| s.set_nonblocking(b),
                    &|d| s.set_read_timeout(Some(d)),
                    &mut || {
                        let mut r = s;
                        r.read(buf)
                    },
                )
            }
            Sock::Udp(Some(u)) => {
                let u: &UdpSocket = u;
                timed_read(
                    timeout_ms,
                    cancel,
                    &|b| u.set_nonblocking(b),
                    &|d| u.set_read_timeout(Some(d)),
                    &mut || u.recv(buf),
                )
            }
            _ => Err(HostError::NotConnected),
        }
    }

    fn close(&mut self, sock: u32) -> Result<(), HostError> {
        self.socks.remove(&sock).map(drop).ok_or(HostError::Invalid)
    }
}

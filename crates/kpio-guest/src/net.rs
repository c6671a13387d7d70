//! `kpio_net`: TCP and UDP sockets over the host's network stack. Every call needs a
//! `network` permission other than `none`; the host checks each host name (and, for
//! `local`, every address it resolves to) against the app's network scope.

use crate::{Error, Timeout, check, sys};

fn len(b: &[u8]) -> i32 {
    i32::try_from(b.len()).unwrap_or(i32::MAX)
}

/// The kind of a socket: `kpio-abi`'s `SocketKind` (1 TCP, 2 UDP).
pub use kpio_abi::SocketKind as Kind;

/// A host socket. Closed when dropped.
#[derive(Debug)]
pub struct Socket {
    handle: i32,
}

impl Socket {
    /// A new unconnected socket.
    pub fn new(kind: Kind) -> Result<Socket, Error> {
        // SAFETY: a plain call with an integer argument.
        let handle = check(unsafe { sys::socket_create(kind as i32) })? as i32;
        Ok(Socket { handle })
    }

    /// A TCP connection to `host` (a name or an IP literal) on `port`, like
    /// `std::net::TcpStream::connect`.
    pub fn connect_tcp(host: &str, port: u16) -> Result<Socket, Error> {
        let s = Socket::new(Kind::Tcp)?;
        s.connect(host, port)?;
        Ok(s)
    }

    /// A TCP socket listening on `host`:`port` (`"127.0.0.1"`, `"0.0.0.0"`; port 0
    /// picks a free one).
    pub fn listen_tcp(host: &str, port: u16, backlog: u32) -> Result<Socket, Error> {
        let s = Socket::new(Kind::Tcp)?;
        s.bind(host, port)?;
        s.listen(backlog)?;
        Ok(s)
    }

    /// The host's handle of this socket.
    pub fn handle(&self) -> i32 {
        self.handle
    }

    /// Binds to a local address.
    pub fn bind(&self, host: &str, port: u16) -> Result<(), Error> {
        // SAFETY: the pointer and length describe `host`, alive for the call.
        check(unsafe {
            sys::bind(
                self.handle,
                host.as_ptr(),
                len(host.as_bytes()),
                port.into(),
            )
        })
        .map(drop)
    }

    /// Connects to `host` (a name or an IP literal) on `port`.
    pub fn connect(&self, host: &str, port: u16) -> Result<(), Error> {
        // SAFETY: the pointer and length describe `host`, alive for the call.
        check(unsafe {
            sys::connect(
                self.handle,
                host.as_ptr(),
                len(host.as_bytes()),
                port.into(),
            )
        })
        .map(drop)
    }

    /// Starts listening with a queue of `backlog` connections.
    pub fn listen(&self, backlog: u32) -> Result<(), Error> {
        let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
        // SAFETY: a plain call with integer arguments.
        check(unsafe { sys::listen(self.handle, backlog) }).map(drop)
    }

    /// Waits up to `timeout` for a connection; [`Error::TimedOut`] if none came.
    pub fn accept(&self, timeout: Timeout) -> Result<Socket, Error> {
        // SAFETY: a plain call with integer arguments.
        let handle = check(unsafe { sys::accept(self.handle, timeout.to_abi()) })? as i32;
        Ok(Socket { handle })
    }

    /// Sends some of `data`; returns how many bytes were sent.
    pub fn send(&self, data: &[u8]) -> Result<usize, Error> {
        // SAFETY: the pointer and length describe `data`, alive for the call.
        check(unsafe { sys::send(self.handle, data.as_ptr(), len(data)) }).map(|n| n as usize)
    }

    /// Sends all of `data`.
    pub fn send_all(&self, mut data: &[u8]) -> Result<(), Error> {
        while !data.is_empty() {
            let n = self.send(data)?;
            if n == 0 {
                return Err(Error::Closed);
            }
            data = &data[n.min(data.len())..];
        }
        Ok(())
    }

    /// Receives into `buf`, waiting up to `timeout`; returns how many bytes came
    /// (0 = the peer closed the connection), [`Error::TimedOut`] if none came.
    pub fn recv(&self, buf: &mut [u8], timeout: Timeout) -> Result<usize, Error> {
        // SAFETY: the pointer and capacity describe `buf`, writable for the call.
        check(unsafe { sys::recv(self.handle, buf.as_mut_ptr(), len(buf), timeout.to_abi()) })
            .map(|n| n as usize)
    }

    /// Closes the socket now (dropping it does the same).
    pub fn close(self) -> Result<(), Error> {
        let handle = self.handle;
        core::mem::forget(self);
        // SAFETY: a plain call with an integer argument.
        check(unsafe { sys::close(handle) }).map(drop)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // SAFETY: a plain call with an integer argument; a failure means the socket is
        // already gone.
        unsafe { sys::close(self.handle) };
    }
}

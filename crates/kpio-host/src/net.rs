//! The `kpio_net` import module: TCP and UDP sockets over the instance's
//! [`NetBackend`](crate::NetBackend).
//!
//! Every call needs network access (`network` other than `None`), else `DENIED`. `bind`
//! and `connect` also check the host against the app's scope with
//! `Permissions::check_network` (a name is checked as written; an IP literal as its
//! address); with `LocalOnly`, every address a name resolves to must be loopback too, so
//! a name that resolves outside the machine is denied even though it is not an address.
//! IP literals are parsed here and never resolved; names are resolved by the backend only
//! after the name itself passed.

use alloc::format;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

use kpio_app::NetworkPermission;

use crate::abi::{HostError, MAX_HOST_BYTES, SocketKind};
use crate::ctx::HostCtx;
use crate::linker::{Args, Def, I, def};
use crate::mem::{GuestMem, HostResult};

/// The import module name.
pub const MODULE: &str = "kpio_net";

/// Names of the functions of `kpio_net`, in the ABI reference's order.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    defs().into_iter().map(|d| d.name)
}

#[rustfmt::skip]
pub(crate) fn defs() -> [Def; 8] {
    [
        def!("kpio_net", "socket_create", [I] -> I, socket_create),
        def!("kpio_net", "bind", [I, I, I, I] -> I, bind),
        def!("kpio_net", "connect", [I, I, I, I] -> I, connect),
        def!("kpio_net", "listen", [I, I] -> I, listen),
        def!("kpio_net", "accept", [I, I] -> I, accept),
        def!("kpio_net", "send", [I, I, I] -> I, send),
        def!("kpio_net", "recv", [I, I, I, I] -> I, recv),
        def!("kpio_net", "close", [I] -> I, close),
    ]
}

/// A byte count as a call result (never negative).
fn count(n: usize) -> HostResult<i64> {
    match i32::try_from(n) {
        Ok(v) => Ok(i64::from(v)),
        Err(_) => Err(HostError::Io.into()),
    }
}

/// A backend's new handle as a call result: it must be > 0 and fit an i32, or the app
/// would read it as an error code.
fn handle(h: u32) -> HostResult<i64> {
    match i32::try_from(h) {
        Ok(v) if v > 0 => Ok(i64::from(v)),
        _ => Err(HostError::Io.into()),
    }
}

fn socket_create(c: &mut HostCtx, _m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require_network(a.call)?;
    let kind = SocketKind::from_i32(a.i32(0)?).ok_or(HostError::Invalid)?;
    handle(c.net.socket_create(kind)?)
}

/// The checked addresses of `host:port` for `bind` / `connect`: the host is read from
/// memory, checked against the scope, resolved (names only) and, for `LocalOnly`, every
/// resolved address is checked too.
fn addresses(
    c: &mut HostCtx,
    m: &GuestMem<'_>,
    a: &Args<'_>,
    min_port: i32,
) -> HostResult<(u32, Vec<SocketAddr>)> {
    c.require_network(a.call)?;
    let sock = a.handle(0)?;
    let port = a.i32(3)?;
    let port = match u16::try_from(port) {
        Ok(p) if port >= min_port => p,
        _ => return Err(HostError::Invalid.into()),
    };
    let host = m.str(a.u32(1)?, a.u32(2)?, MAX_HOST_BYTES)?;
    c.require_host(a.call, host)?;
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addrs = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => {
            let addrs = c.net.resolve(bare, port, &c.cancel)?;
            if c.permissions().network == NetworkPermission::LocalOnly {
                for addr in &addrs {
                    let ip = addr.ip().to_string();
                    if c.permissions().check_network(&ip).is_err() {
                        return Err(c
                            .deny(
                                a.call,
                                format!(
                                    "network access to {host:?}, which resolves to {ip} \
                                     (network: LocalOnly)"
                                ),
                            )
                            .into());
                    }
                }
            }
            addrs
        }
    };
    if addrs.is_empty() {
        return Err(HostError::Unreachable.into());
    }
    Ok((sock, addrs))
}

fn bind(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    let (sock, addrs) = addresses(c, m, a, 0)?;
    c.net.bind(sock, &addrs)?;
    Ok(0)
}

fn connect(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    let (sock, addrs) = addresses(c, m, a, 1)?;
    c.net.connect(sock, &addrs, &c.cancel)?;
    Ok(0)
}

fn listen(c: &mut HostCtx, _m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require_network(a.call)?;
    let sock = a.handle(0)?;
    let backlog = a.size(1)?;
    c.net.listen(sock, backlog)?;
    Ok(0)
}

fn accept(c: &mut HostCtx, _m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require_network(a.call)?;
    let sock = a.handle(0)?;
    let timeout = a.timeout(1)?;
    handle(c.net.accept(sock, timeout, &c.cancel)?)
}

fn send(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require_network(a.call)?;
    let sock = a.handle(0)?;
    let data = m.bytes(a.u32(1)?, a.u32(2)?)?;
    let n = c.net.send(sock, data, &c.cancel)?;
    count(n.min(data.len()))
}

fn recv(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require_network(a.call)?;
    let sock = a.handle(0)?;
    let timeout = a.timeout(3)?;
    let buf = m.bytes_mut(a.u32(1)?, a.u32(2)?)?;
    let cap = buf.len();
    let n = c.net.recv(sock, buf, timeout, &c.cancel)?;
    count(n.min(cap))
}

fn close(c: &mut HostCtx, _m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require_network(a.call)?;
    let sock = a.handle(0)?;
    c.net.close(sock)?;
    Ok(0)
}

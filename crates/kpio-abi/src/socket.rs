//! Socket kinds: the `kind` argument of `kpio_net::socket_create`.

/// The kind of a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketKind {
    /// 1: a TCP socket (stream).
    Tcp = 1,
    /// 2: a UDP socket (datagrams).
    Udp = 2,
}

impl SocketKind {
    /// The kind with this number (1 or 2), if any.
    pub const fn from_i32(v: i32) -> Option<SocketKind> {
        match v {
            1 => Some(SocketKind::Tcp),
            2 => Some(SocketKind::Udp),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_numbered_as_documented() {
        assert_eq!(SocketKind::from_i32(1), Some(SocketKind::Tcp));
        assert_eq!(SocketKind::from_i32(2), Some(SocketKind::Udp));
        assert_eq!(SocketKind::from_i32(0), None);
        assert_eq!(SocketKind::Udp as i32, 2);
    }
}

//! An app's network permission: which hosts its `fetch()` may reach, and the switch that
//! takes the whole platform offline.
//!
//! The scope is checked twice per connection: on the URL's host before resolving it (so a
//! name outside an allow-list is never even looked up), and on every address the name
//! resolved to before connecting (so a name that resolves to a private address cannot smuggle
//! a `local`-less app onto the local network, nor a `local` app out of it).

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Which hosts an app may fetch from, as its manifest's network permission says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkScope {
    /// No network at all: every fetch is a network error.
    None,
    /// This machine and the local network: loopback, private (RFC 1918, IPv6 unique
    /// local) and link-local addresses only.
    Local,
    /// Only the listed hosts (see [`HostPattern`]), whatever they resolve to.
    AllowList(Vec<HostPattern>),
    /// Any host.
    Full,
}

/// One allow-list entry: `example.com` (that host), `*.example.com` (its subdomains, not
/// itself), each optionally with `:port` (any port otherwise). Host names compare
/// ASCII-case-insensitively; IP addresses are written as in URLs (`[::1]` for IPv6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    host: String,
    subdomains: bool,
    port: Option<u16>,
}

/// Why a pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("network allow-list entry {entry:?}: {reason}")]
pub struct PatternError {
    pub entry: String,
    pub reason: &'static str,
}

impl HostPattern {
    /// Parses `host`, `*.host`, `host:port` or `*.host:port`.
    pub fn parse(entry: &str) -> Result<HostPattern, PatternError> {
        let bad = |reason| PatternError {
            entry: entry.into(),
            reason,
        };
        let (rest, subdomains) = match entry.strip_prefix("*.") {
            Some(r) => (r, true),
            None => (entry, false),
        };
        // A port follows the last colon, unless the colon is inside an IPv6 literal.
        let (host, port) = match rest.rfind(':') {
            Some(i) if !rest[i..].contains(']') => {
                let port = rest[i + 1..]
                    .parse()
                    .map_err(|_| bad("the port is not a number"))?;
                (&rest[..i], Some(port))
            }
            _ => (rest, None),
        };
        if host.is_empty() {
            return Err(bad("the host is empty"));
        }
        if host.contains(['/', '*', '@', '?', '#', ' ']) {
            return Err(bad(
                "a host may not contain '/', '*', '@', '?', '#' or spaces",
            ));
        }
        Ok(HostPattern {
            host: host.to_ascii_lowercase(),
            subdomains,
            port,
        })
    }

    /// Whether a URL's host (serialised as the URL Standard does) and port match.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        if self.port.is_some_and(|p| p != port) {
            return false;
        }
        let host = host.to_ascii_lowercase();
        if self.subdomains {
            host.len() > self.host.len() + 1
                && host.ends_with(&self.host)
                && host.as_bytes()[host.len() - self.host.len() - 1] == b'.'
        } else {
            host == self.host
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.subdomains {
            f.write_str("*.")?;
        }
        f.write_str(&self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

impl fmt::Display for NetworkScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkScope::None => f.write_str("none"),
            NetworkScope::Local => f.write_str("local"),
            NetworkScope::Full => f.write_str("full"),
            NetworkScope::AllowList(list) => {
                f.write_str("allow-list [")?;
                for (i, p) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl NetworkScope {
    /// Whether the scope lets a request to `host:port` be attempted at all.
    pub fn allows_host(&self, host: &str, port: u16) -> bool {
        match self {
            NetworkScope::None => false,
            NetworkScope::Local | NetworkScope::Full => true,
            NetworkScope::AllowList(list) => list.iter().any(|p| p.matches(host, port)),
        }
    }

    /// Whether the scope lets a connection to `addr` be made.
    pub fn allows_address(&self, addr: IpAddr) -> bool {
        match self {
            NetworkScope::None => false,
            NetworkScope::Local => is_local(addr),
            NetworkScope::AllowList(_) | NetworkScope::Full => true,
        }
    }
}

/// Loopback, private and link-local addresses (and their IPv4-mapped IPv6 forms).
pub fn is_local(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => is_local_v4(a),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => is_local_v4(v4),
            None => is_local_v6(a),
        },
    }
}

fn is_local_v4(a: Ipv4Addr) -> bool {
    a.is_loopback() || a.is_private() || a.is_link_local()
}

fn is_local_v6(a: Ipv6Addr) -> bool {
    // fc00::/7 unique local, fe80::/10 link-local.
    a.is_loopback() || (a.segments()[0] & 0xfe00) == 0xfc00 || (a.segments()[0] & 0xffc0) == 0xfe80
}

/// The platform's network as the web engines see it: one app's scope, and the offline
/// switch (shared by every app; tests flip it to simulate losing the network).
#[derive(Debug)]
pub struct Network {
    scope: NetworkScope,
    offline: Arc<AtomicBool>,
}

impl Network {
    /// A network for an app with `scope`, online, with its own offline switch.
    pub fn new(scope: NetworkScope) -> Arc<Network> {
        Arc::new(Network {
            scope,
            offline: Arc::default(),
        })
    }

    /// A network for an app with `scope` that shares `switch` (see
    /// [`Network::offline_switch`]) with other apps.
    pub fn with_switch(scope: NetworkScope, switch: OfflineSwitch) -> Arc<Network> {
        Arc::new(Network {
            scope,
            offline: switch.0,
        })
    }

    pub fn scope(&self) -> &NetworkScope {
        &self.scope
    }

    /// The switch that takes this network offline and back.
    pub fn offline_switch(&self) -> OfflineSwitch {
        OfflineSwitch(self.offline.clone())
    }

    pub fn is_offline(&self) -> bool {
        self.offline.load(Ordering::SeqCst)
    }
}

/// Takes the network offline (every new fetch fails and connections in progress are
/// cut at their next read) and brings it back; cheap to clone and `Send`.
#[derive(Debug, Clone, Default)]
pub struct OfflineSwitch(Arc<AtomicBool>);

impl OfflineSwitch {
    pub fn set_offline(&self, offline: bool) {
        self.0.store(offline, Ordering::SeqCst);
    }

    pub fn is_offline(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_hosts_subdomains_and_ports() {
        let p = HostPattern::parse("Example.com").unwrap();
        assert!(p.matches("example.com", 443));
        assert!(p.matches("EXAMPLE.COM", 80));
        assert!(!p.matches("api.example.com", 443));
        assert!(!p.matches("badexample.com", 443));
        let p = HostPattern::parse("*.example.com:8443").unwrap();
        assert!(p.matches("api.example.com", 8443));
        assert!(!p.matches("api.example.com", 443));
        assert!(!p.matches("example.com", 8443));
        assert!(!p.matches("xexample.com", 8443));
        let p = HostPattern::parse("[::1]:8080").unwrap();
        assert!(p.matches("[::1]", 8080));
        let p = HostPattern::parse("[::1]").unwrap();
        assert!(p.matches("[::1]", 1));
        assert!(HostPattern::parse("a.com:x").is_err());
        assert!(HostPattern::parse("*.").is_err());
        assert!(HostPattern::parse("a.com/path").is_err());
    }

    #[test]
    fn local_means_loopback_private_and_link_local() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:192.168.0.1",
        ] {
            assert!(is_local(a.parse().unwrap()), "{a}");
        }
        for a in ["8.8.8.8", "172.32.0.1", "2001:db8::1", "::ffff:8.8.8.8"] {
            assert!(!is_local(a.parse().unwrap()), "{a}");
        }
        assert!(!NetworkScope::Local.allows_address("1.1.1.1".parse().unwrap()));
        assert!(!NetworkScope::None.allows_host("localhost", 80));
    }
}

//! One HTTP/1.1 exchange (the Fetch Standard's "HTTP-network fetch"): connect through the
//! app's network scope, send the request, parse the response head, and read the body as
//! its framing (length, chunked, or until close) and content coding (gzip, deflate) say.
//!
//! Redirects, CORS and everything else above one exchange are the Fetch Standard's "main
//! fetch", in js/fetch.js. A connection serves one request (`Connection: close`): there is
//! no pool yet.

use super::scope::Network;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use url::Url;

/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes a response head (status line and headers) may have.
const MAX_HEAD: usize = 64 * 1024;
/// The most header fields a response may have (the head's size limits them first: a
/// field takes at least 4 bytes).
const MAX_HEADERS: usize = MAX_HEAD / 4;
/// The most bytes a chunk-size line or a trailer line may have.
const MAX_LINE: usize = 8 * 1024;

/// One request to send.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub method: String,
    pub url: Url,
    /// The request's header list, in order, as fetch() made it (no `Host`,
    /// `Content-Length` or `Connection`: added here; `Accept-Encoding` only when fetch()
    /// chose one).
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// A response's status line and headers.
#[derive(Debug, Clone)]
pub struct ResponseHead {
    pub status: u16,
    pub status_text: String,
    pub headers: Vec<(String, String)>,
}

/// Why an exchange failed: each becomes the network error (a `TypeError`) fetch() rejects
/// with, its message saying this.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("the network is offline")]
    Offline,
    #[error("{url}: the app's network permission ({scope}) does not allow this host")]
    HostNotAllowed { url: String, scope: String },
    #[error(
        "{url}: {host} resolves only to addresses the app's network permission ({scope}) does not allow"
    )]
    AddressNotAllowed {
        url: String,
        host: String,
        scope: String,
    },
    #[error("{url}: only http and https URLs go to the network")]
    Scheme { url: String },
    #[error("{url}: resolving {host}")]
    Resolve {
        url: String,
        host: String,
        #[source]
        source: io::Error,
    },
    #[error("{url}: connecting to {addr}")]
    Connect {
        url: String,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error("{url}: TLS")]
    Tls {
        url: String,
        #[source]
        source: io::Error,
    },
    #[error("{url}: {during}")]
    Io {
        url: String,
        during: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{url}: malformed response: {what}")]
    Protocol { url: String, what: String },
}

impl NetError {
    /// The message with its causes, as the page's `TypeError` says it.
    pub(crate) fn describe(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }
}

/// A connection's byte stream: plain TCP or TLS over it.
enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => match s.read(buf) {
                // A server that closes without TLS's close_notify has still ended the body
                // for framings that end at close; the framing decides whether that is
                // early.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                r => r,
            },
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// A handle that cuts a connection from another thread (an abort, the realm closing):
/// the blocked read returns at once.
#[derive(Clone, Default)]
pub(crate) struct Cut(Arc<Mutex<CutState>>);

#[derive(Default)]
struct CutState {
    socket: Option<TcpStream>,
    cut: bool,
}

impl Cut {
    pub(crate) fn cut(&self) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        s.cut = true;
        if let Some(socket) = s.socket.take() {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }

    /// Remembers the socket to shut down; false if the exchange was cut already.
    fn watch(&self, socket: &TcpStream) -> bool {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if s.cut {
            let _ = socket.shutdown(Shutdown::Both);
            return false;
        }
        s.socket = socket.try_clone().ok();
        true
    }
}

fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports TLS 1.2 and 1.3")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

/// Connects to the URL's host through `network`'s scope and sends `exchange`; returns the
/// response head and a reader of its body.
pub(crate) fn send(
    network: &Network,
    exchange: &Exchange,
    cut: &Cut,
) -> Result<(ResponseHead, Body), NetError> {
    let url = &exchange.url;
    let href = || url.as_str().to_owned();
    let io_err = |during, source| NetError::Io {
        url: href(),
        during,
        source,
    };
    if network.is_offline() {
        return Err(NetError::Offline);
    }
    let tls = match url.scheme() {
        "http" => false,
        "https" => true,
        _ => return Err(NetError::Scheme { url: href() }),
    };
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url
        .port_or_known_default()
        .unwrap_or(if tls { 443 } else { 80 });
    let scope = network.scope();
    if !scope.allows_host(&host, port) {
        return Err(NetError::HostNotAllowed {
            url: href(),
            scope: scope.to_string(),
        });
    }
    // `[::1]` in URLs; the resolver wants `::1`.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(|source| NetError::Resolve {
            url: href(),
            host: host.clone(),
            source,
        })?
        .filter(|a| scope.allows_address(a.ip()))
        .collect();
    if addrs.is_empty() {
        return Err(NetError::AddressNotAllowed {
            url: href(),
            host,
            scope: scope.to_string(),
        });
    }
    let mut last = None;
    let mut socket = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(s) => {
                socket = Some(s);
                break;
            }
            Err(source) => last = Some((addr, source)),
        }
    }
    let socket = match (socket, last) {
        (Some(s), _) => s,
        (None, Some((addr, source))) => {
            return Err(NetError::Connect {
                url: href(),
                addr,
                source,
            });
        }
        (None, None) => unreachable!("at least one address was tried"),
    };
    let _ = socket.set_nodelay(true);
    if !cut.watch(&socket) {
        return Err(io_err(
            "connecting",
            io::Error::new(io::ErrorKind::Interrupted, "aborted"),
        ));
    }
    let mut stream = if tls {
        let name = rustls::pki_types::ServerName::try_from(bare.to_owned()).map_err(|e| {
            NetError::Tls {
                url: href(),
                source: io::Error::new(io::ErrorKind::InvalidInput, e),
            }
        })?;
        let conn =
            rustls::ClientConnection::new(tls_config(), name).map_err(|e| NetError::Tls {
                url: href(),
                source: io::Error::other(e),
            })?;
        Stream::Tls(Box::new(rustls::StreamOwned::new(conn, socket)))
    } else {
        Stream::Plain(socket)
    };

    let request = serialize_request(exchange, &host, port, tls);
    stream
        .write_all(&request)
        .and_then(|()| match &exchange.body {
            Some(b) => stream.write_all(b),
            None => Ok(()),
        })
        .and_then(|()| stream.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData if tls => NetError::Tls {
                url: href(),
                source: e,
            },
            _ => io_err("sending the request", e),
        })?;

    receive(Box::new(stream), &exchange.method, url.as_str())
}

/// Reads a response to a request with `method` from `stream`: its head (interim 1xx
/// responses skipped), then a reader of its body as its framing and content coding say.
/// Public for the fuzz target and tests, which hand it bytes instead of a connection.
pub fn receive(
    mut stream: Box<dyn Read + Send>,
    method: &str,
    url: &str,
) -> Result<(ResponseHead, Body), NetError> {
    let mut buf = Vec::with_capacity(4096);
    let head = loop {
        let (head, used) = read_head(&mut stream, &mut buf, url)?;
        buf.drain(..used);
        // Interim responses (100 Continue, 103 Early Hints) are skipped, as browsers do
        // for fetch().
        if (100..200).contains(&head.status) && head.status != 101 {
            continue;
        }
        break head;
    };
    let framing = framing(method, &head, url)?;
    let raw = Framed {
        stream,
        buf,
        pos: 0,
        framing,
        url: url.to_owned(),
    };
    let coding = head
        .headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-encoding"))
        .map(|(_, v)| v.trim().to_ascii_lowercase());
    let reader: Box<dyn Read + Send> = match coding.as_deref() {
        Some("gzip" | "x-gzip") => Box::new(Decode::new(raw, Coding::Gzip)),
        Some("deflate") => Box::new(Decode::new(raw, Coding::Deflate)),
        _ => Box::new(raw),
    };
    Ok((
        head,
        Body {
            reader,
            url: url.to_owned(),
            done: false,
        },
    ))
}

fn serialize_request(ex: &Exchange, host: &str, port: u16, tls: bool) -> Vec<u8> {
    let mut target = ex.url.path().to_owned();
    if let Some(q) = ex.url.query() {
        target.push('?');
        target.push_str(q);
    }
    let mut out = format!("{} {} HTTP/1.1\r\n", ex.method, target).into_bytes();
    let default_port = if tls { 443 } else { 80 };
    if port == default_port {
        out.extend_from_slice(format!("Host: {host}\r\n").as_bytes());
    } else {
        out.extend_from_slice(format!("Host: {host}:{port}\r\n").as_bytes());
    }
    for (n, v) in &ex.headers {
        out.extend_from_slice(n.as_bytes());
        out.extend_from_slice(b": ");
        // Header values are byte strings: each code point one byte (ISO-8859-1), as
        // browsers send them, not UTF-8. Headers lets no code point above 0xFF in.
        out.extend(v.chars().map(|c| u8::try_from(c).unwrap_or(b'?')));
        out.extend_from_slice(b"\r\n");
    }
    match &ex.body {
        Some(b) => out.extend_from_slice(format!("Content-Length: {}\r\n", b.len()).as_bytes()),
        // The Fetch Standard (HTTP-network-or-cache fetch): a POST or PUT without a body
        // says its length is 0; other methods without a body say nothing.
        None if matches!(ex.method.as_str(), "POST" | "PUT") => {
            out.extend_from_slice(b"Content-Length: 0\r\n")
        }
        None => {}
    }
    // fetch() asks for `identity` itself when it must (a Range request).
    if !ex
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("accept-encoding"))
    {
        out.extend_from_slice(b"Accept-Encoding: gzip, deflate\r\n");
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out
}

/// Reads until `buf` holds a whole response head; the head and how many bytes it took.
fn read_head(
    stream: &mut Box<dyn Read + Send>,
    buf: &mut Vec<u8>,
    url: &str,
) -> Result<(ResponseHead, usize), NetError> {
    let proto = |what: String| NetError::Protocol {
        url: url.into(),
        what,
    };
    loop {
        if !buf.is_empty() {
            let mut slots = vec![httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut r = httparse::Response::new(&mut slots);
            // As browsers parse heads: obsolete line folding is a space, and a malformed
            // header line (a bad name, no colon) is skipped rather than failing the
            // response; a NUL or a lone CR still does.
            let parsed = httparse::ParserConfig::default()
                .allow_obsolete_multiline_headers_in_responses(true)
                .ignore_invalid_headers_in_responses(true)
                .parse_response(&mut r, buf);
            match parsed {
                // The limit holds for a head that arrived whole in the last read too.
                Ok(httparse::Status::Complete(used)) if used > MAX_HEAD => {
                    return Err(proto(format!("the response head exceeds {MAX_HEAD} bytes")));
                }
                Ok(httparse::Status::Complete(used)) => {
                    let headers = r
                        .headers
                        .iter()
                        .map(|h| (h.name.to_owned(), unfold(h.value)))
                        .collect();
                    return Ok((
                        ResponseHead {
                            status: r.code.unwrap_or(0),
                            status_text: r.reason.unwrap_or("").to_owned(),
                            headers,
                        },
                        used,
                    ));
                }
                Ok(httparse::Status::Partial) => {}
                Err(e) => return Err(proto(format!("the response head: {e}"))),
            }
        }
        if buf.len() > MAX_HEAD {
            return Err(proto(format!("the response head exceeds {MAX_HEAD} bytes")));
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).map_err(|source| NetError::Io {
            url: url.into(),
            during: "reading the response head",
            source,
        })?;
        if n == 0 {
            return Err(proto(if buf.is_empty() {
                "the server closed the connection without a response".into()
            } else {
                "the connection closed inside the response head".into()
            }));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A header value as fetch() sees it: bytes as ISO-8859-1 (each byte one code unit, as
/// browsers' byte strings are), each obsolete line fold (CRLF and the whitespace after
/// it) one space, as RFC 9112 (section 5.2) asks of a user agent.
fn unfold(value: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        if b == b'\r' || b == b'\n' {
            while i < value.len() && matches!(value[i], b'\r' | b'\n' | b' ' | b'\t') {
                i += 1;
            }
            out.push(' ');
            continue;
        }
        out.push(b as char);
        i += 1;
    }
    out
}

/// How a response's body ends (RFC 9112, section 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(u64),
    Chunked(Chunk),
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk's data, with this much left.
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// The trailer section, after the last chunk.
    Trailers,
    Done,
}

fn framing(method: &str, head: &ResponseHead, url: &str) -> Result<Framing, NetError> {
    if method == "HEAD" || matches!(head.status, 204 | 304) || head.status < 200 {
        return Ok(Framing::Empty);
    }
    let values = |name: &'static str| {
        head.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if let Some(te) = values("transfer-encoding").next_back() {
        let last = te.rsplit(',').next().unwrap_or("").trim();
        return Ok(if last.eq_ignore_ascii_case("chunked") {
            Framing::Chunked(Chunk::Size)
        } else {
            Framing::Close
        });
    }
    let mut length: Option<u64> = None;
    for v in values("content-length") {
        for part in v.split(',') {
            let n: u64 = part.trim().parse().map_err(|_| NetError::Protocol {
                url: url.into(),
                what: format!("Content-Length {v:?} is not a number"),
            })?;
            if length.is_some_and(|l| l != n) {
                return Err(NetError::Protocol {
                    url: url.into(),
                    what: "Content-Length has different values".into(),
                });
            }
            length = Some(n);
        }
    }
    Ok(length.map_or(Framing::Close, Framing::Length))
}

/// The body's bytes as they travel, with the framing taken off.
struct Framed {
    stream: Box<dyn Read + Send>,
    /// Bytes read past what was consumed (the head's leftovers, then read-ahead).
    buf: Vec<u8>,
    pos: usize,
    framing: Framing,
    url: String,
}

impl Framed {
    fn fill(&mut self) -> io::Result<usize> {
        if self.pos < self.buf.len() {
            return Ok(self.buf.len() - self.pos);
        }
        self.buf.clear();
        self.pos = 0;
        self.buf.resize(16 * 1024, 0);
        let n = self.stream.read(&mut self.buf)?;
        self.buf.truncate(n);
        Ok(n)
    }

    fn take(&mut self, out: &mut [u8], max: u64) -> io::Result<usize> {
        let avail = self.fill()?;
        let n = avail
            .min(out.len())
            .min(usize::try_from(max).unwrap_or(usize::MAX));
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }

    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        loop {
            if self.fill()? == 0 {
                return Err(early_close());
            }
            let b = self.buf[self.pos];
            self.pos += 1;
            if b == b'\n' {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(String::from_utf8_lossy(&line).into_owned());
            }
            line.push(b);
            if line.len() > MAX_LINE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a chunk line exceeds {MAX_LINE} bytes"),
                ));
            }
        }
    }
}

fn early_close() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the connection closed before the body's end",
    )
}

impl Read for Framed {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            match self.framing {
                Framing::Empty | Framing::Chunked(Chunk::Done) | Framing::Length(0) => {
                    return Ok(0);
                }
                Framing::Close => return self.take(out, u64::MAX),
                Framing::Length(left) => {
                    let n = self.take(out, left)?;
                    if n == 0 {
                        return Err(early_close());
                    }
                    self.framing = Framing::Length(left - n as u64);
                    return Ok(n);
                }
                Framing::Chunked(Chunk::Size) => {
                    let line = self.line()?;
                    let size = line.split(';').next().unwrap_or("").trim();
                    let size = u64::from_str_radix(size, 16).map_err(|_| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("bad chunk size line {line:?} in {}", self.url),
                        )
                    })?;
                    self.framing = Framing::Chunked(if size == 0 {
                        Chunk::Trailers
                    } else {
                        Chunk::Data(size)
                    });
                }
                Framing::Chunked(Chunk::Data(left)) => {
                    let n = self.take(out, left)?;
                    if n == 0 {
                        return Err(early_close());
                    }
                    let left = left - n as u64;
                    self.framing = Framing::Chunked(if left == 0 {
                        Chunk::DataEnd
                    } else {
                        Chunk::Data(left)
                    });
                    return Ok(n);
                }
                Framing::Chunked(Chunk::DataEnd) => {
                    let line = self.line()?;
                    if !line.is_empty() {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "a chunk's data is longer than its size",
                        ));
                    }
                    self.framing = Framing::Chunked(Chunk::Size);
                }
                Framing::Chunked(Chunk::Trailers) => {
                    // Trailer fields are read and dropped: fetch() does not expose them.
                    if self.line()?.is_empty() {
                        self.framing = Framing::Chunked(Chunk::Done);
                    }
                }
            }
        }
    }
}

/// A content coding fetch() decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    /// HTTP's `deflate`: zlib-wrapped as RFC 9110 says, or raw DEFLATE as some servers
    /// send (browsers accept both; the first bytes tell them apart).
    Deflate,
}

/// A content-coded body, decoded. The decoder is chosen at the first read, from the
/// body's first bytes (after the framing is taken off): an empty body stays empty
/// (servers label empty bodies `gzip` too, and browsers read them as empty), and
/// `deflate` picks zlib or raw.
struct Decode {
    inner: Option<Framed>,
    coding: Coding,
    decoder: Option<Box<dyn Read + Send>>,
}

impl Decode {
    fn new(inner: Framed, coding: Coding) -> Decode {
        Decode {
            inner: Some(inner),
            coding,
            decoder: None,
        }
    }
}

impl Read for Decode {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.decoder.is_none() {
            let Some(mut inner) = self.inner.take() else {
                return Ok(0);
            };
            // The first two bytes of the body: enough to tell zlib from raw DEFLATE.
            let mut first = [0u8; 2];
            let mut n = 0;
            while n < first.len() {
                match inner.read(&mut first[n..]) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if n == 0 {
                return Ok(0);
            }
            let zlib = n == 2 && first[0] & 0x0f == 8 && {
                // A zlib header: compression method 8, and a check value.
                (u16::from(first[0]) << 8 | u16::from(first[1])) % 31 == 0
            };
            let body = io::Cursor::new(first[..n].to_vec()).chain(inner);
            self.decoder = Some(match self.coding {
                Coding::Gzip => Box::new(flate2::read::MultiGzDecoder::new(body)),
                Coding::Deflate if zlib => Box::new(flate2::read::ZlibDecoder::new(body)),
                Coding::Deflate => Box::new(flate2::read::DeflateDecoder::new(body)),
            });
        }
        self.decoder.as_mut().expect("chosen above").read(out)
    }
}

/// A response body being read.
pub struct Body {
    reader: Box<dyn Read + Send>,
    url: String,
    done: bool,
}

impl Body {
    /// The next bytes (at most `max`), or `None` at the end.
    pub fn next_chunk(&mut self, max: usize) -> Result<Option<Vec<u8>>, NetError> {
        if self.done {
            return Ok(None);
        }
        let mut out = vec![0u8; max];
        loop {
            match self.reader.read(&mut out) {
                Ok(0) => {
                    self.done = true;
                    return Ok(None);
                }
                Ok(n) => {
                    out.truncate(n);
                    return Ok(Some(out));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    self.done = true;
                    return Err(NetError::Io {
                        url: self.url.clone(),
                        during: "reading the response body",
                        source,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn read(bytes: &[u8], method: &str) -> Result<(ResponseHead, Vec<u8>), NetError> {
        let (head, mut body) = receive(Box::new(Cursor::new(bytes.to_vec())), method, "http://t/")?;
        let mut out = Vec::new();
        while let Some(b) = body.next_chunk(5)? {
            out.extend_from_slice(&b);
        }
        Ok((head, out))
    }

    fn compressed(coding: &str, text: &[u8]) -> Vec<u8> {
        match coding {
            "gzip" => {
                let mut e =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(text).unwrap();
                e.finish().unwrap()
            }
            "zlib" => {
                let mut e =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(text).unwrap();
                e.finish().unwrap()
            }
            _ => {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(text).unwrap();
                e.finish().unwrap()
            }
        }
    }

    #[test]
    fn framings_are_taken_off() {
        let (head, body) =
            read(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef", "GET").unwrap();
        assert_eq!(
            (head.status, head.status_text.as_str(), body.as_slice()),
            (200, "OK", &b"abc"[..])
        );
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n";
        assert_eq!(read(chunked, "GET").unwrap().1, b"abcde");
        let close = b"HTTP/1.0 200 OK\r\n\r\nuntil the end";
        assert_eq!(read(close, "GET").unwrap().1, b"until the end");
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
        assert_eq!(read(head, "HEAD").unwrap().1, b"");
        let interim = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
        assert_eq!(read(interim, "POST").unwrap().0.status, 204);
    }

    #[test]
    fn content_codings_are_decoded() {
        for (coding, name) in [("gzip", "gzip"), ("zlib", "deflate"), ("raw", "deflate")] {
            let data = compressed(coding, b"the same text, twice: the same text");
            let mut bytes = format!(
                "HTTP/1.1 200 OK\r\nContent-Encoding: {name}\r\nContent-Length: {}\r\n\r\n",
                data.len()
            )
            .into_bytes();
            bytes.extend_from_slice(&data);
            assert_eq!(
                read(&bytes, "GET").unwrap().1,
                b"the same text, twice: the same text",
                "{coding}"
            );
        }
    }

    #[test]
    fn broken_responses_are_typed_errors() {
        let cases: [&[u8]; 6] = [
            b"",
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n",
            b"NOT HTTP AT ALL\r\n\r\n",
        ];
        for c in cases {
            assert!(read(c, "GET").is_err(), "{:?}", String::from_utf8_lossy(c));
        }
        let mut huge = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
        huge.extend(std::iter::repeat_n(b'a', MAX_HEAD + 10));
        let e = read(&huge, "GET").unwrap_err();
        assert!(e.to_string().contains("exceeds"), "{e}");
    }
}

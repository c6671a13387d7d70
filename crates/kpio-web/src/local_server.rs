//! A small HTTP/1.1 server on the loopback interface: serves a directory's files (web
//! apps, test files) and the test endpoints under `/_kpio/`, so fetch(), CORS, redirects
//! and streaming bodies are tested against a real server with no outside network.
//!
//! Reachable as two origins, `http://127.0.0.1:PORT` and `http://localhost:PORT`, which
//! is what cross-origin tests need. One thread per connection; one request per
//! connection (`Connection: close`). No endpoint ever writes an absolute URL of its own,
//! so the same endpoints work behind a proxy (the Chromium oracle forwards `/_kpio/` to
//! this server).
//!
//! Endpoints (query parameters; `header=Name:Value` may repeat on each and adds a
//! response header; every one also takes `acao`, `acac`, `acam`, `acah`, `aceh` for the
//! Access-Control-* headers of its responses and of OPTIONS preflights to it, and
//! `log=KEY` to record the request under KEY):
//! - OPTIONS with `Access-Control-Request-Method` (a CORS preflight) to any `/_kpio/`
//!   path is a preflight's answer: status
//!   `preflight-status` (200 by default), no body. When any `pf-` parameter is given
//!   (`pf-acao`, `pf-acac`, `pf-acam`, `pf-acah`, `pf-aceh`, `pf-header`), the preflight
//!   answers with those headers only (the prefix taken off) and the other response with
//!   the unprefixed ones: a preflight and its request can then disagree.
//! - `/_kpio/echo` (and any path under `/_kpio/echo/`): 200 with a JSON body `{method,
//!   url, headers: [[name, value]...], body}` describing the request (the body as Latin-1
//!   text).
//! - `/_kpio/status?code=N&text=T&body=B`: that status, reason phrase and body.
//! - `/_kpio/redirect?status=302&location=URL&count=N`: a redirect to URL; with `count`
//!   above 1, first a redirect to this same endpoint with `count` one lower (a chain of
//!   N redirects, all relative).
//! - `/_kpio/stream?chunks=N&size=B&delay=MS`: a chunked body of N chunks of B bytes
//!   (`0123456789` repeated), MS milliseconds apart.
//! - `/_kpio/encoded?coding=gzip|deflate|raw-deflate&body=B&chunked=1`: B,
//!   content-coded; with `chunked`, sent in chunks of at most 7 bytes.
//! - `/_kpio/stall`: a head, then no body until the client goes away.
//! - `/_kpio/hang`: no response at all until the client goes away.
//! - `/_kpio/raw?hex=H`: exactly the bytes H (hex) and a close: broken responses.
//! - `/_kpio/log?key=KEY`: the requests recorded under KEY, as JSON
//!   `[{method, url, headers, body}...]`.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One recorded request: method, target, headers, body (as Latin-1 text).
type LogEntry = (String, String, Vec<(String, String)>, String);
type Log = Arc<Mutex<HashMap<String, Vec<LogEntry>>>>;
/// Files served from memory (path → bytes, MIME type), before the directory's.
type Virtual = Arc<Mutex<HashMap<String, (Vec<u8>, String)>>>;

/// A running server; stops when dropped.
pub struct LocalServer {
    addr: SocketAddr,
    virtual_files: Virtual,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LocalServer {
    /// Serves `root` (and the test endpoints) on a free loopback port.
    pub fn start(root: &Path) -> io::Result<LocalServer> {
        LocalServer::start_on(root, 0)
    }

    /// Serves `root` on loopback port `port` (0: a free one).
    pub fn start_on(root: &Path, port: u16) -> io::Result<LocalServer> {
        let root = root.canonicalize()?;
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let log: Log = Arc::default();
        let virtual_files: Virtual = Arc::default();
        let files = virtual_files.clone();
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("kpio-local-server".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if flag.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let root = root.clone();
                    let log = log.clone();
                    let flag = flag.clone();
                    let files = files.clone();
                    let _ = std::thread::Builder::new()
                        .name("kpio-local-server-conn".into())
                        .spawn(move || {
                            let _ = serve(conn, &root, &log, &files, &flag);
                        });
                }
            })?;
        Ok(LocalServer {
            addr,
            virtual_files,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }

    /// `http://localhost:PORT`: the same server as another origin.
    pub fn other_origin(&self) -> String {
        format!("http://localhost:{}", self.addr.port())
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Serves `bytes` as `mime_type` at `path` (`/dir/file.js`), before any file of the
    /// directory.
    pub fn add_file(&self, path: &str, bytes: Vec<u8>, mime_type: &str) {
        self.virtual_files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_owned(), (bytes, mime_type.to_owned()));
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn read_request(conn: &TcpStream) -> io::Result<Request> {
    let mut reader = BufReader::new(conn);
    // Head lines are bytes (a header value may hold any byte but CR, LF and NUL): read
    // as Latin-1, one character per byte.
    let mut read_line = |line: &mut String| -> io::Result<usize> {
        let mut bytes = Vec::new();
        let n = reader.read_until(b'\n', &mut bytes)?;
        *line = latin1(&bytes);
        Ok(n)
    };
    let mut line = String::new();
    read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("/").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if read_line(&mut h)? == 0 {
            break;
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
        if headers.len() > 200 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "too many headers",
            ));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(64 * 1024 * 1024)];
    reader.read_exact(&mut body)?;
    Ok(Request {
        method,
        target,
        headers,
        body,
    })
}

fn query(target: &str) -> (String, Vec<(String, String)>) {
    let (path, q) = target.split_once('?').unwrap_or((target, ""));
    let params = url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (path.to_owned(), params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        _ => "",
    }
}

fn write_response(
    conn: &mut TcpStream,
    status: u16,
    text: &str,
    headers: &[(String, String)],
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    let mut out = format!("HTTP/1.1 {status} {text}\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    conn.write_all(out.as_bytes())?;
    if !head_only {
        conn.write_all(body)?;
    }
    conn.flush()
}

/// The response headers every endpoint takes from its query: `header=Name:Value` and the
/// CORS shorthands.
fn extra_headers(params: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in params {
        let name = match k.as_str() {
            "header" => {
                if let Some((n, v)) = v.split_once(':') {
                    out.push((n.trim().to_owned(), v.trim().to_owned()));
                }
                continue;
            }
            "acao" => "Access-Control-Allow-Origin",
            "acac" => "Access-Control-Allow-Credentials",
            "acam" => "Access-Control-Allow-Methods",
            "acah" => "Access-Control-Allow-Headers",
            "aceh" => "Access-Control-Expose-Headers",
            _ => continue,
        };
        out.push((name.to_owned(), v.clone()));
    }
    out
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_headers(headers: &[(String, String)]) -> String {
    let items: Vec<String> = headers
        .iter()
        .map(|(n, v)| format!("[{},{}]", json_string(n), json_string(v)))
        .collect();
    format!("[{}]", items.join(","))
}

fn serve(
    mut conn: TcpStream,
    root: &Path,
    log: &Log,
    files: &Virtual,
    stop: &AtomicBool,
) -> io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let req = read_request(&conn)?;
    let (path, params) = query(&req.target);
    let head_only = req.method == "HEAD";
    if let Some(key) = param(&params, "log") {
        log.lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.to_owned())
            .or_default()
            .push((
                req.method.clone(),
                req.target.clone(),
                req.headers.clone(),
                latin1(&req.body),
            ));
    }
    let mut headers = extra_headers(&params);
    let preflight = req.method == "OPTIONS"
        && req
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("access-control-request-method"));
    if preflight && path.starts_with("/_kpio/") {
        let status = param(&params, "preflight-status")
            .and_then(|s| s.parse().ok())
            .unwrap_or(200);
        let own: Vec<(String, String)> = params
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("pf-")?.to_owned(), v.clone())))
            .collect();
        if !own.is_empty() {
            headers = extra_headers(&own);
        }
        return write_response(&mut conn, status, reason(status), &headers, b"", false);
    }
    match path.as_str() {
        p if p == "/_kpio/echo" || p.starts_with("/_kpio/echo/") => {
            let body = latin1(&req.body);
            let json = format!(
                "{{\"method\":{},\"url\":{},\"headers\":{},\"body\":{}}}",
                json_string(&req.method),
                json_string(&req.target),
                json_headers(&req.headers),
                json_string(&body)
            );
            headers.push(("Content-Type".into(), "application/json".into()));
            write_response(&mut conn, 200, "OK", &headers, json.as_bytes(), head_only)
        }
        "/_kpio/status" => {
            let status = param(&params, "code")
                .and_then(|s| s.parse().ok())
                .unwrap_or(200);
            let text = param(&params, "text").unwrap_or(reason(status)).to_owned();
            let body = param(&params, "body").unwrap_or("").as_bytes().to_vec();
            write_response(&mut conn, status, &text, &headers, &body, head_only)
        }
        "/_kpio/redirect" => {
            let status = param(&params, "status")
                .and_then(|s| s.parse().ok())
                .unwrap_or(302);
            let count: u32 = param(&params, "count")
                .and_then(|s| s.parse().ok())
                .unwrap_or(1);
            if count > 1 {
                // The same endpoint with one redirect less, relative to this one.
                let rest: Vec<(String, String)> = params
                    .iter()
                    .map(|(k, v)| {
                        let v = if k == "count" {
                            (count - 1).to_string()
                        } else {
                            v.clone()
                        };
                        (k.clone(), v)
                    })
                    .collect();
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(rest)
                    .finish();
                headers.push(("Location".into(), format!("{path}?{query}")));
            } else if let Some(l) = param(&params, "location") {
                headers.push(("Location".into(), l.to_owned()));
            }
            write_response(
                &mut conn,
                status,
                reason(status),
                &headers,
                b"redirecting",
                head_only,
            )
        }
        "/_kpio/stream" => {
            let chunks: usize = param(&params, "chunks")
                .and_then(|s| s.parse().ok())
                .unwrap_or(3);
            let size: usize = param(&params, "size")
                .and_then(|s| s.parse().ok())
                .unwrap_or(10);
            let delay: u64 = param(&params, "delay")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let mut out = String::from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
            for (n, v) in &headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("Connection: close\r\n\r\n");
            conn.write_all(out.as_bytes())?;
            let data: Vec<u8> = (0..size).map(|i| b'0' + (i % 10) as u8).collect();
            for _ in 0..chunks {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(delay));
                conn.write_all(format!("{size:x}\r\n").as_bytes())?;
                conn.write_all(&data)?;
                conn.write_all(b"\r\n")?;
                conn.flush()?;
            }
            conn.write_all(b"0\r\n\r\n")?;
            conn.flush()
        }
        "/_kpio/encoded" => {
            let body = param(&params, "body").unwrap_or("").as_bytes();
            let coding = param(&params, "coding").unwrap_or("gzip");
            let encoded = match coding {
                "gzip" => {
                    let mut e =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                    e.write_all(body)?;
                    e.finish()?
                }
                "deflate" => {
                    let mut e =
                        flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                    e.write_all(body)?;
                    e.finish()?
                }
                _ => {
                    let mut e = flate2::write::DeflateEncoder::new(
                        Vec::new(),
                        flate2::Compression::default(),
                    );
                    e.write_all(body)?;
                    e.finish()?
                }
            };
            let name = if coding == "raw-deflate" {
                "deflate"
            } else {
                coding
            };
            headers.push(("Content-Encoding".into(), name.into()));
            if param(&params, "chunked").is_none() {
                return write_response(&mut conn, 200, "OK", &headers, &encoded, head_only);
            }
            let mut out = String::from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
            for (n, v) in &headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("Connection: close\r\n\r\n");
            conn.write_all(out.as_bytes())?;
            for piece in encoded.chunks(7) {
                conn.write_all(format!("{:x}\r\n", piece.len()).as_bytes())?;
                conn.write_all(piece)?;
                conn.write_all(b"\r\n")?;
            }
            conn.write_all(b"0\r\n\r\n")?;
            conn.flush()
        }
        "/_kpio/stall" => {
            let mut out = String::from("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n");
            for (n, v) in &headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("\r\nfirst");
            conn.write_all(out.as_bytes())?;
            conn.flush()?;
            wait_for_close(&mut conn, stop)
        }
        "/_kpio/hang" => wait_for_close(&mut conn, stop),
        "/_kpio/raw" => {
            let hex = param(&params, "hex").unwrap_or("");
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                .collect();
            conn.write_all(&bytes)?;
            conn.flush()?;
            conn.shutdown(Shutdown::Write)
        }
        "/_kpio/log" => {
            let key = param(&params, "key").unwrap_or("");
            let entries = log
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(key)
                .cloned()
                .unwrap_or_default();
            let items: Vec<String> = entries
                .iter()
                .map(|(m, u, h, b)| {
                    format!(
                        "{{\"method\":{},\"url\":{},\"headers\":{},\"body\":{}}}",
                        json_string(m),
                        json_string(u),
                        json_headers(h),
                        json_string(b)
                    )
                })
                .collect();
            headers.push(("Content-Type".into(), "application/json".into()));
            let body = format!("[{}]", items.join(","));
            write_response(&mut conn, 200, "OK", &headers, body.as_bytes(), head_only)
        }
        _ => {
            let file = files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&path)
                .cloned();
            match file {
                Some((bytes, mime)) if req.method == "GET" || head_only => {
                    headers.push(("Content-Type".into(), mime));
                    write_response(&mut conn, 200, "OK", &headers, &bytes, head_only)
                }
                _ => serve_file(&mut conn, root, &path, &req.method, headers),
            }
        }
    }
}

/// Bytes as text, one character per byte (ISO-8859-1), as the echo and log report bodies.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// Waits for the client to go away (a read of 0 bytes or an error), or the server to
/// stop, reading and dropping whatever the client sends meanwhile.
fn wait_for_close(conn: &mut TcpStream, stop: &AtomicBool) -> io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_millis(100)))?;
    let mut b = [0u8; 64];
    loop {
        match conn.read(&mut b) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
            }
            Err(_) => return Ok(()),
        }
    }
}

fn serve_file(
    conn: &mut TcpStream,
    root: &Path,
    path: &str,
    method: &str,
    mut headers: Vec<(String, String)>,
) -> io::Result<()> {
    if method != "GET" && method != "HEAD" {
        headers.push(("Allow".into(), "GET, HEAD".into()));
        return write_response(conn, 405, "Method Not Allowed", &headers, b"", false);
    }
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    // Only plain path segments: no `..`, no absolute components, so nothing outside
    // `root` is reachable.
    let mut file = PathBuf::from(root);
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(s) => file.push(s),
            Component::CurDir => {}
            _ => return write_response(conn, 403, "Forbidden", &headers, b"", false),
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let within = file
        .canonicalize()
        .map(|f| f.starts_with(root))
        .unwrap_or(false);
    let body = match std::fs::read(&file) {
        Ok(b) if within => b,
        _ => {
            return write_response(
                conn,
                404,
                "Not Found",
                &headers,
                b"not found",
                method == "HEAD",
            );
        }
    };
    headers.push(("Content-Type".into(), content_type(&file).into()));
    write_response(conn, 200, "OK", &headers, &body, method == "HEAD")
}

/// The MIME type of a served file, by its extension.
pub fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "wasm" => "application/wasm",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

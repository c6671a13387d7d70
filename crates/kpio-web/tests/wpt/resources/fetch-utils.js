// Helpers the fetch-*.any.js suites share. The tests are served from an http origin
// whose server also answers the /_kpio/ endpoints (crates/kpio-web/src/local_server.rs
// documents them): `kpio web test` serves them from its local server, the Chromium
// oracle forwards /_kpio/ to `kpio web serve`. `localhost` on the same port is a second
// origin for cross-origin tests.
'use strict';

// This origin, and another one on the same server.
const SAME = location.origin;
const OTHER = location.origin.replace('127.0.0.1', 'localhost');

// A fresh key for the server's request log.
function logKey() {
  return 'k' + Math.random().toString(36).slice(2) + Date.now().toString(36);
}

// A query string from an object or a list of pairs (repeated names allowed).
function qs(params) {
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  return new URLSearchParams(pairs).toString();
}

// An endpoint's URL, on this origin unless `origin` is given.
function endpoint(name, params = {}, origin = SAME) {
  const q = qs(params);
  return `${origin}/_kpio/${name}${q === '' ? '' : '?' + q}`;
}

// The echo endpoint's report of a request: { method, url, headers (an object of
// lowercased names to values, repeated ones joined with ', '), rawHeaders, body }.
async function echoed(response) {
  const j = await response.json();
  const headers = {};
  for (const [n, v] of j.headers) {
    const k = n.toLowerCase();
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  }
  return { method: j.method, url: j.url, headers, rawHeaders: j.headers, body: j.body };
}

// fetch() the echo endpoint and return what it saw.
async function echo(init = {}, params = {}, origin = SAME) {
  return echoed(await fetch(endpoint('echo', params, origin), init));
}

// The requests the server logged under `key`, each { method, url, headers (as in
// echoed()), body }.
async function serverLog(key) {
  const r = await fetch(endpoint('log', { key }));
  const list = await r.json();
  return list.map((e) => {
    const headers = {};
    for (const [n, v] of e.headers) {
      const k = n.toLowerCase();
      headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
    }
    return { method: e.method, url: e.url, headers, body: e.body };
  });
}

// The /_kpio/raw URL that answers exactly `text` (each char one byte) and closes.
function rawURL(text, origin = SAME) {
  let hex = '';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(2, '0');
  return `${origin}/_kpio/raw?hex=${hex}`;
}

// A redirect endpoint's URL.
function redirectURL(location, params = {}, origin = SAME) {
  return endpoint('redirect', Object.assign({ location }, params), origin);
}

// Reads a stream to the end: the bytes, concatenated.
async function readAllBytes(stream) {
  const reader = stream.getReader();
  const parts = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.byteLength; }
  return out;
}

// Bytes as a Latin-1 string.
function latin1(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

// META: global=window,worker
// META: script=resources/fetch-utils.js
// Request bodies as fetch() sends them and response bodies as it streams them: the
// Body mixin's readers, streaming, cancel, clone (tee), big bodies, content codings,
// and responses that are broken on the wire (each a TypeError, never a hang).
'use strict';

const enc = new TextEncoder();

// ----------------------------------------------------------------------------------
// Request bodies.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const big = 'x'.repeat(1024 * 1024);
  const j = await echo({ method: 'POST', body: big });
  assert_equals(j.body.length, big.length);
  assert_equals(j.headers['content-length'], String(big.length));
}, 'a 1 MiB string body arrives whole');

promise_test(async () => {
  const bytes = new Uint8Array(256);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  const j = await echo({ method: 'POST', body: bytes });
  assert_equals(j.body.length, 256);
  for (let i = 0; i < 256; i++) assert_equals(j.body.charCodeAt(i), i, `byte ${i}`);
}, 'every byte value survives a Uint8Array body');

promise_test(async () => {
  const buf = new ArrayBuffer(4);
  new DataView(buf).setUint32(0, 0x41424344);
  assert_equals((await echo({ method: 'POST', body: new DataView(buf, 1, 2) })).body, 'BC');
  assert_equals((await echo({ method: 'POST', body: buf })).body, 'ABCD');
}, 'DataView and ArrayBuffer bodies');

promise_test(async () => {
  const body = new Uint8Array([1, 2, 3]);
  const p = fetch(endpoint('echo'), { method: 'POST', body });
  body[0] = 9; // The body was copied when the request was made.
  assert_equals((await echoed(await p)).body, '\u0001\u0002\u0003');
}, 'a BufferSource body is copied when fetch() is called');

promise_test(async () => {
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(enc.encode('one,'));
      c.enqueue(enc.encode('two'));
      c.close();
    },
  });
  const j = await echo({ method: 'POST', body: stream, duplex: 'half' });
  assert_equals(j.body, 'one,two');
}, 'a ReadableStream body (duplex "half") is sent');

promise_test(async (t) => {
  const stream = new ReadableStream({ start(c) { c.close(); } });
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo'), { method: 'POST', body: stream }));
}, 'a ReadableStream body without duplex: a TypeError');

promise_test(async (t) => {
  const stream = new ReadableStream({ start(c) { c.enqueue('not bytes'); c.close(); } });
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo'), { method: 'POST', body: stream, duplex: 'half' }));
}, 'a ReadableStream body chunk that is not a Uint8Array: a TypeError');

promise_test(async (t) => {
  const stream = new ReadableStream({ pull(c) { c.error(new Error('broken')); } });
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo'), { method: 'POST', body: stream, duplex: 'half' }));
}, 'a ReadableStream body that errors: a TypeError');

promise_test(async (t) => {
  const req = new Request(endpoint('echo'), { method: 'POST', body: 'once' });
  await fetch(req);
  assert_true(req.bodyUsed);
  await promise_rejects_js(t, TypeError, fetch(req));
}, 'a Request\'s body can be sent once');

promise_test(async () => {
  const req = new Request(endpoint('echo'), { method: 'POST', body: 'cloned' });
  const copy = req.clone();
  assert_equals((await echoed(await fetch(req))).body, 'cloned');
  assert_equals((await echoed(await fetch(copy))).body, 'cloned');
}, 'a cloned Request sends the same body');

// ----------------------------------------------------------------------------------
// Reading response bodies.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const r = await fetch(endpoint('status', { body: '{"a":[1,2]}' }));
  const j = await r.json();
  assert_array_equals(j.a, [1, 2]);
  assert_true(r.bodyUsed);
}, 'json()');

promise_test(async (t) => {
  const r = await fetch(endpoint('status', { body: '{oops' }));
  await promise_rejects_js(t, SyntaxError, r.json());
}, 'json() of a body that is not JSON: a SyntaxError');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n\xef\xbb\xbfh\xc3\xa9\xff'));
  assert_equals(await r.text(), 'h\u00e9\ufffd', 'BOM dropped, bad byte replaced');
}, 'text() decodes UTF-8: no BOM, U+FFFD for bad bytes');

promise_test(async () => {
  let all = '';
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  const r = await fetch(rawURL(`HTTP/1.1 200 OK\r\nContent-Length: 256\r\n\r\n${all}`));
  const bytes = new Uint8Array(await r.arrayBuffer());
  assert_equals(bytes.length, 256);
  for (let i = 0; i < 256; i++) assert_equals(bytes[i], i, `byte ${i}`);
}, 'arrayBuffer() is binary-safe');

promise_test(async () => {
  const r = await fetch(endpoint('status', { body: 'abc' }));
  const b = await r.bytes();
  assert_true(b instanceof Uint8Array);
  assert_equals(latin1(b), 'abc');
}, 'bytes()');

promise_test(async () => {
  const r = await fetch(endpoint('status', { code: 200 }));
  assert_not_equals(r.body, null, 'an empty body is still a body');
  assert_equals(await r.text(), '');
}, 'a 200 with Content-Length: 0 has an empty, non-null body');

for (const code of [204, 205, 304]) {
  promise_test(async () => {
    const r = await fetch(endpoint('status', { code }));
    assert_equals(r.status, code);
    assert_equals(r.body, null);
    assert_equals(await r.text(), '');
  }, `a ${code} (a null body status) has a null body`);
}

promise_test(async () => {
  const r = await fetch(endpoint('echo'), { method: 'HEAD' });
  assert_equals(r.body, null);
  assert_equals(r.headers.get('content-type'), 'application/json');
}, 'a HEAD response has a null body and its headers');

promise_test(async (t) => {
  const r = await fetch(endpoint('status', { body: 'locked' }));
  r.body.getReader();
  assert_true(r.body.locked);
  await promise_rejects_js(t, TypeError, r.text());
}, 'a locked body cannot be read by text()');

promise_test(async () => {
  const r = await fetch(endpoint('stream', { chunks: 2, size: 1000 }));
  const reader = r.body.getReader({ mode: 'byob' });
  const { value } = await reader.read(new Uint8Array(10));
  assert_true(value instanceof Uint8Array);
  assert_less_than_equal(value.byteLength, 10);
  await reader.cancel();
}, 'a response body is a byte stream (BYOB readers work)');

// ----------------------------------------------------------------------------------
// Streaming.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const start = Date.now();
  const r = await fetch(endpoint('stall'));
  assert_equals(r.status, 200, 'the response is there once the head is');
  const reader = r.body.getReader();
  const { value } = await reader.read();
  assert_equals(latin1(value), 'first');
  assert_less_than(Date.now() - start, 5000);
  await reader.cancel();
}, 'fetch() resolves at the head; the body streams in as it comes');

promise_test(async () => {
  const r = await fetch(endpoint('stream', { chunks: 3, size: 10, delay: 300 }));
  const reader = r.body.getReader();
  const t0 = Date.now();
  const first = await reader.read();
  const firstAt = Date.now() - t0;
  assert_false(first.done);
  let total = first.value.byteLength;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
  }
  const allAt = Date.now() - t0;
  assert_equals(total, 30);
  assert_less_than(firstAt, allAt, 'the first chunk came before the last');
}, 'chunks are read as the server sends them');

promise_test(async () => {
  const r = await fetch(endpoint('stream', { chunks: 50, size: 10000, delay: 10 }));
  await r.body.cancel();
  assert_true(r.bodyUsed);
  const again = await fetch(endpoint('status', { body: 'next' }));
  assert_equals(await again.text(), 'next');
}, 'cancel() ends the body, and fetching goes on');

promise_test(async (t) => {
  const r = await fetch(endpoint('stream', { chunks: 3, size: 10 }));
  await r.body.cancel();
  await promise_rejects_js(t, TypeError, r.text());
}, 'a cancelled body cannot be read');

promise_test(async () => {
  const r = await fetch(endpoint('stream', { chunks: 8, size: 65536 }));
  const c = r.clone();
  const [a, b] = await Promise.all([r.arrayBuffer(), c.arrayBuffer()]);
  assert_equals(a.byteLength, 8 * 65536);
  assert_equals(b.byteLength, 8 * 65536);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  for (let i = 0; i < x.length; i += 4099) assert_equals(x[i], y[i]);
}, 'clone() tees the body: both read all of it');

promise_test(async () => {
  const r = await fetch(endpoint('stream', { chunks: 2, size: 10 }));
  const c = r.clone();
  assert_equals(await c.text(), '01234567890123456789');
  assert_equals(await r.text(), '01234567890123456789', 'the original still reads after the clone did');
  assert_equals(c.status, r.status);
  assert_equals(c.url, r.url);
  assert_equals(c.type, r.type);
}, 'a clone reads on its own, with the same status, url and type');

promise_test(async () => {
  const r = await fetch(endpoint('stream', { chunks: 2, size: 10 }));
  await r.text();
  assert_throws_js(TypeError, () => r.clone());
}, 'a read response cannot be cloned');

promise_test(async () => {
  const r = await fetch(endpoint('stream', { chunks: 80, size: 65536 }));
  const buf = await r.arrayBuffer();
  assert_equals(buf.byteLength, 5 * 1024 * 1024);
  const v = new Uint8Array(buf);
  assert_equals(v[0], 0x30);
  assert_equals(v[v.length - 1], 0x30 + ((65536 - 1) % 10));
}, 'a 5 MiB body');

promise_test(async () => {
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(endpoint('status', { body: `n${i}` }))));
  const texts = await Promise.all(rs.map((r) => r.text()));
  for (let i = 0; i < 20; i++) assert_equals(texts[i], `n${i}`);
}, '20 fetches at once');

// ----------------------------------------------------------------------------------
// Content codings.
// ----------------------------------------------------------------------------------
for (const coding of ['gzip', 'deflate', 'raw-deflate']) {
  promise_test(async () => {
    const text = 'compressed '.repeat(1000);
    const r = await fetch(endpoint('encoded', { coding, body: text }));
    assert_equals(r.headers.get('content-encoding'), coding === 'raw-deflate' ? 'deflate' : coding);
    assert_equals(await r.text(), text);
  }, `Content-Encoding ${coding} is decoded`);
}

for (const coding of ['gzip', 'deflate', 'raw-deflate']) {
  promise_test(async () => {
    const text = 'chunked and compressed '.repeat(50);
    const r = await fetch(endpoint('encoded', { coding, body: text, chunked: 1 }));
    assert_equals(await r.text(), text);
  }, `Content-Encoding ${coding} over chunked framing is decoded`);
}

for (const coding of ['gzip', 'deflate', 'GZIP']) {
  promise_test(async () => {
    const r = await fetch(rawURL(`HTTP/1.1 200 OK\r\nContent-Encoding: ${coding}\r\nContent-Length: 0\r\n\r\n`));
    assert_equals(await r.text(), '');
    const c = await fetch(rawURL(`HTTP/1.1 200 OK\r\nContent-Encoding: ${coding}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`));
    assert_equals(await c.text(), '');
  }, `an empty body labelled ${coding} reads as empty`);
}

promise_test(async (t) => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\nnot gzip!!'));
  await promise_rejects_js(t, TypeError, r.text());
}, 'a corrupt gzip body: reading it is a TypeError');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nContent-Encoding: x-unknown\r\nContent-Length: 5\r\n\r\nplain'));
  assert_equals(await r.text(), 'plain');
}, 'an unknown content coding is left alone');

// ----------------------------------------------------------------------------------
// Framing, and broken responses.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n'));
  assert_equals(await r.text(), 'abcde');
}, 'chunked framing with extensions and trailers');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close'));
  assert_equals(await r.text(), 'until close');
}, 'a body without length ends at the close');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold'));
  assert_equals(r.status, 200);
  assert_equals(await r.text(), 'old');
}, 'an HTTP/1.0 response');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef'));
  assert_equals(await r.text(), 'abc');
}, 'bytes past Content-Length are not the body');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok'));
  assert_equals(r.status, 201);
  assert_equals(await r.text(), 'ok');
}, 'an interim 100 response is skipped');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n'));
  assert_equals(r.status, 200);
  assert_equals(r.statusText, '');
}, 'an empty reason phrase is an empty statusText');

promise_test(async () => {
  let fields = '';
  for (let i = 0; i < 300; i++) fields += `X-H${i}: ${i}\r\n`;
  const r = await fetch(rawURL(`HTTP/1.1 200 OK\r\n${fields}Content-Length: 2\r\n\r\nok`));
  assert_equals(r.headers.get('x-h299'), '299');
  assert_equals(await r.text(), 'ok');
}, 'a head with 300 header fields');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nX-Fold: a\r\n  b\r\nContent-Length: 2\r\n\r\nok'));
  assert_equals(r.headers.get('x-fold'), 'a b', 'an obsolete line fold is a space');
}, 'obsolete line folding in a response header');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nBad Name: x\r\nno colon here\r\nX-Good: 1\r\nContent-Length: 2\r\n\r\nok'));
  assert_equals(r.headers.get('x-good'), '1');
  assert_equals(await r.text(), 'ok');
}, 'malformed header lines are skipped, the response stands');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\nContent-Length: 2\n\nok'));
  assert_equals(await r.text(), 'ok');
}, 'a head with bare LF line ends');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok'));
  assert_equals(await r.text(), 'ok');
}, 'a repeated equal Content-Length is one length');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 599 Odd\r\nContent-Length: 2\r\n\r\nok'));
  assert_equals(r.status, 599);
  assert_equals(r.statusText, 'Odd');
}, 'an unknown status code is passed on');

promise_test(async (t) => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
  await promise_rejects_js(t, TypeError, r.text());
}, 'a body shorter than its Content-Length: reading it is a TypeError');

promise_test(async (t) => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'));
  await promise_rejects_js(t, TypeError, r.text());
}, 'a bad chunk size: reading is a TypeError');

promise_test(async (t) => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'));
  await promise_rejects_js(t, TypeError, r.text());
}, 'a chunked body cut before its last chunk: reading is a TypeError');

promise_test(async (t) => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n'));
  await promise_rejects_js(t, TypeError, r.text());
}, 'a chunk longer than its size: reading is a TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(rawURL('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd')));
}, 'two different Content-Lengths: a network error');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(rawURL('HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n')));
  await promise_rejects_js(t, TypeError, fetch(rawURL('garbage\r\n\r\n')));
}, 'a malformed status line: a network error');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(rawURL('')));
}, 'a server that closes without answering: a network error');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(rawURL('HTTP/1.1 200 OK\r\nContent-Le')));
}, 'a head cut short: a network error');

// META: global=window,worker
// META: script=resources/fetch-utils.js
// Aborting fetch() (the Fetch Standard's fetch method, "abort the fetch() call"): before
// it starts, while it connects, after the response, while the body is read; the abort
// reason everywhere it shows, and what an abort leaves alone.
'use strict';

promise_test(async (t) => {
  const c = new AbortController();
  c.abort();
  await promise_rejects_dom(t, 'AbortError', fetch(endpoint('echo'), { signal: c.signal }));
}, 'aborted before fetch(): an AbortError');

promise_test(async (t) => {
  const reason = new Error('my reason');
  await promise_rejects_exactly(t, reason, fetch(endpoint('echo'), { signal: AbortSignal.abort(reason) }));
  await promise_rejects_exactly(t, 'a string', fetch(endpoint('echo'), { signal: AbortSignal.abort('a string') }));
}, 'aborted before fetch(): the reason, whatever it is');

promise_test(async (t) => {
  const key = logKey();
  const c = new AbortController();
  c.abort();
  await promise_rejects_dom(t, 'AbortError', fetch(endpoint('echo', { log: key }), { signal: c.signal, method: 'POST', body: 'x' }));
  assert_equals((await serverLog(key)).length, 0, 'nothing was sent');
}, 'an aborted signal sends nothing');

promise_test(async (t) => {
  const c = new AbortController();
  const p = fetch(endpoint('hang'), { signal: c.signal });
  setTimeout(() => c.abort(), 100);
  await promise_rejects_dom(t, 'AbortError', p);
}, 'aborted while waiting for the response: an AbortError');

promise_test(async (t) => {
  const c = new AbortController();
  const reason = { why: 'custom' };
  const p = fetch(endpoint('hang'), { signal: c.signal });
  setTimeout(() => c.abort(reason), 50);
  await promise_rejects_exactly(t, reason, p);
}, 'aborted while waiting: rejects with the reason');

promise_test(async (t) => {
  const p = fetch(endpoint('hang'), { signal: AbortSignal.timeout(100) });
  await promise_rejects_dom(t, 'TimeoutError', p);
}, 'AbortSignal.timeout(): a TimeoutError');

promise_test(async (t) => {
  const c = new AbortController();
  const p = fetch(redirectURL(endpoint('hang')), { signal: c.signal });
  setTimeout(() => c.abort(), 100);
  await promise_rejects_dom(t, 'AbortError', p);
}, 'aborted in the middle of a redirect chain');

promise_test(async (t) => {
  const c = new AbortController();
  const r = await fetch(endpoint('stall'), { signal: c.signal });
  c.abort();
  await promise_rejects_dom(t, 'AbortError', r.text());
}, 'aborted after the response: reading the body rejects');

promise_test(async (t) => {
  const c = new AbortController();
  const reason = new RangeError('stop');
  const r = await fetch(endpoint('stall'), { signal: c.signal });
  const reader = r.body.getReader();
  const first = await reader.read();
  assert_false(first.done);
  const pending = reader.read();
  c.abort(reason);
  await promise_rejects_exactly(t, reason, pending, 'a pending read');
  await promise_rejects_exactly(t, reason, reader.read(), 'a later read');
  await promise_rejects_exactly(t, reason, reader.closed, 'the reader\'s closed promise');
}, 'aborted while reading: the body stream errors with the reason');

promise_test(async (t) => {
  const c = new AbortController();
  const r = await fetch(endpoint('stream', { chunks: 2, size: 1000 }), { signal: c.signal });
  const reader = r.body.getReader({ mode: 'byob' });
  await reader.read(new Uint8Array(10));
  c.abort();
  await promise_rejects_dom(t, 'AbortError', reader.read(new Uint8Array(10)));
}, 'aborted while reading with a BYOB reader');

promise_test(async () => {
  const c = new AbortController();
  const r = await fetch(endpoint('status', { body: 'done' }), { signal: c.signal });
  const text = await r.text();
  c.abort();
  assert_equals(text, 'done');
  assert_true(r.bodyUsed);
}, 'an abort after the body was read changes nothing');

promise_test(async () => {
  const c = new AbortController();
  const r = await fetch(endpoint('stream', { chunks: 3, size: 100 }), { signal: c.signal });
  const all = await r.arrayBuffer();
  c.abort();
  assert_equals(all.byteLength, 300);
}, 'an abort after a streamed body ended changes nothing');

promise_test(async (t) => {
  const c = new AbortController();
  const r = await fetch(endpoint('stall'), { signal: c.signal });
  const copy = r.clone();
  c.abort();
  await promise_rejects_dom(t, 'AbortError', r.text());
  await promise_rejects_dom(t, 'AbortError', copy.text());
}, 'an abort reaches a clone\'s body too');

promise_test(async (t) => {
  const c = new AbortController();
  const req = new Request(endpoint('hang'), { signal: c.signal });
  assert_false(req.signal.aborted);
  const p = fetch(req);
  c.abort();
  assert_true(req.signal.aborted);
  await promise_rejects_dom(t, 'AbortError', p);
}, 'a Request\'s signal aborts fetch(request)');

promise_test(async (t) => {
  const a = new AbortController();
  const b = new AbortController();
  const p = fetch(endpoint('hang'), { signal: AbortSignal.any([a.signal, b.signal]) });
  b.abort('from b');
  await promise_rejects_exactly(t, 'from b', p);
}, 'AbortSignal.any(): the first abort\'s reason');

promise_test(async (t) => {
  const c = new AbortController();
  const p = fetch(endpoint('hang'), { signal: c.signal });
  c.abort('first');
  c.abort('second');
  await promise_rejects_exactly(t, 'first', p);
}, 'a second abort() changes nothing');

promise_test(async (t) => {
  const c = new AbortController();
  const aborted = fetch(endpoint('hang'), { signal: c.signal });
  const other = fetch(endpoint('status', { body: 'unaffected' }));
  c.abort();
  await promise_rejects_dom(t, 'AbortError', aborted);
  assert_equals(await (await other).text(), 'unaffected');
}, 'an abort touches only its own fetch');

promise_test(async () => {
  const c = new AbortController();
  const p = fetch(rawURL(''), { signal: c.signal });
  let error;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  c.abort();
  assert_true(error instanceof TypeError, 'the network error stays');
}, 'an abort after a network error changes nothing');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo'), { signal: {} }));
}, 'a signal that is not an AbortSignal: a TypeError');

promise_test(async (t) => {
  const c = new AbortController();
  let cancelled = null;
  const body = new ReadableStream({
    pull(ctl) { ctl.enqueue(new Uint8Array([1])); return new Promise(() => {}); },
    cancel(reason) { cancelled = reason; },
  });
  const reason = new Error('upload stopped');
  const p = fetch(endpoint('echo'), { method: 'POST', body, duplex: 'half', signal: c.signal });
  p.catch(() => {}); // Looked at below; handled now so an early rejection is not unhandled.
  await new Promise((r) => setTimeout(r, 50));
  c.abort(reason);
  await promise_rejects_exactly(t, reason, p);
  assert_equals(cancelled, reason, 'the request body was cancelled with the reason');
}, 'an abort cancels a streamed request body with the reason');

promise_test(async (t) => {
  const c = new AbortController();
  const p = fetch(endpoint('hang'), { signal: c.signal });
  let sawEvent = false;
  c.signal.addEventListener('abort', () => { sawEvent = true; });
  c.abort();
  assert_true(sawEvent, 'the abort event fired synchronously');
  await promise_rejects_dom(t, 'AbortError', p);
}, 'fetch() and the signal\'s abort event both see the abort');

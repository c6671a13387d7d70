// META: global=window,worker
const other = location.origin.replace('127.0.0.1', 'localhost');
promise_test(async () => {
  const r = await fetch('/_kpio/echo?x=1', { method: 'POST', body: 'hello', headers: { 'X-Test': 'a' } });
  assert_equals(r.status, 200);
  assert_equals(r.type, 'basic');
  const j = await r.json();
  assert_equals(j.method, 'POST');
  assert_equals(j.body, 'hello');
  assert_equals(j.url, '/_kpio/echo?x=1');
  const h = Object.fromEntries(j.headers.map(([n, v]) => [n.toLowerCase(), v]));
  assert_equals(h['x-test'], 'a');
  assert_equals(h['content-type'], 'text/plain;charset=UTF-8');
  assert_equals(h['content-length'], '5');
}, 'same-origin POST');
promise_test(async () => {
  const r = await fetch('/_kpio/redirect?status=302&location=' + encodeURIComponent('/_kpio/echo'), { method: 'POST', body: 'x' });
  assert_true(r.redirected);
  const j = await r.json();
  assert_equals(j.method, 'GET');
  assert_equals(j.body, '');
}, '302 POST becomes GET');
promise_test(async () => {
  const r = await fetch('/_kpio/redirect?location=/x', { redirect: 'manual' });
  assert_equals(r.type, 'opaqueredirect');
  assert_equals(r.status, 0);
}, 'manual redirect');
promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('/_kpio/redirect?location=/x', { redirect: 'error' }));
}, 'error redirect');
promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(other + '/_kpio/echo'));
}, 'cross-origin without ACAO');
promise_test(async () => {
  const r = await fetch(other + '/_kpio/echo?acao=*&header=X-Secret:1&aceh=');
  assert_equals(r.type, 'cors');
  assert_equals(r.headers.get('x-secret'), null);
  assert_equals(r.headers.get('content-type'), 'application/json');
  const j = await r.json();
  const h = Object.fromEntries(j.headers.map(([n, v]) => [n.toLowerCase(), v]));
  assert_equals(h.origin, location.origin);
}, 'cross-origin with ACAO');
promise_test(async (t) => {
  const key = 'pf' + Math.random();
  await promise_rejects_js(t, TypeError, fetch(other + `/_kpio/echo?acao=*&log=${key}`, { method: 'PUT' }));
  const log = await (await fetch(`/_kpio/log?key=${key}`)).json();
  assert_equals(log.length, 1);
  assert_equals(log[0].method, 'OPTIONS');
  const r = await fetch(other + `/_kpio/echo?acao=*&acam=PUT&log=${key}`, { method: 'PUT' });
  assert_equals((await r.json()).method, 'PUT');
}, 'preflight');
promise_test(async () => {
  const r = await fetch('/_kpio/stream?chunks=5&size=100000');
  const reader = r.body.getReader();
  let total = 0;
  for (;;) { const { value, done } = await reader.read(); if (done) break; total += value.byteLength; }
  assert_equals(total, 500000);
}, 'streamed chunked body');
promise_test(async () => {
  for (const coding of ['gzip', 'deflate', 'raw-deflate']) {
    const r = await fetch(`/_kpio/encoded?coding=${coding}&body=compressed+text`);
    assert_equals(await r.text(), 'compressed text', coding);
  }
}, 'content codings');
promise_test(async (t) => {
  const c = new AbortController();
  const r = await fetch('/_kpio/stall', { signal: c.signal });
  const p = r.text();
  c.abort();
  await promise_rejects_dom(t, 'AbortError', p);
}, 'abort a stalled body');
promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('/_kpio/raw?hex=' + Array.from(new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')).map(b => b.toString(16).padStart(2, '0')).join('')).then(r => r.text()));
}, 'truncated body');
promise_test(async () => {
  for (let i = 0; i < 50; i++) { const r = await fetch('/_kpio/status?code=204'); assert_equals(r.status, 204); }
  for (let i = 0; i < 50; i++) { const r = await fetch('/_kpio/stream?chunks=3&size=100000'); assert_true(r.ok); }
}, 'many unread responses do not stall');
promise_test(async () => {
  const r = await fetch('fetch-basic.any.js');
  assert_true((await r.text()).includes('many unread responses'));
  assert_equals(r.url, new URL('fetch-basic.any.js', location.href).href);
}, 'relative file');
promise_test(async () => {
  const r = await fetch('data:text/plain;base64,aGVsbG8=');
  assert_equals(r.status, 200);
  assert_equals(r.statusText, 'OK');
  assert_equals(r.headers.get('content-type'), 'text/plain');
  assert_equals(await r.text(), 'hello');
}, 'data: URL, base64');
promise_test(async () => {
  const r = await fetch('data:,a%20b');
  assert_equals(r.headers.get('content-type'), 'text/plain;charset=US-ASCII');
  assert_equals(await r.text(), 'a b');
}, 'data: URL, percent-encoded, default type');
promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('about:blank'));
  await promise_rejects_js(t, TypeError, fetch('data:text/plain;base64,%'));
}, 'about:blank and a bad base64 data: URL are network errors');
promise_test(async () => {
  const r = await fetch('/_kpio/echo', { method: 'HEAD' });
  assert_equals(r.status, 200);
  assert_equals(r.body, null);
  const n = await fetch('/_kpio/status?code=204');
  assert_equals(n.body, null);
}, 'HEAD and 204 have null bodies');
promise_test(async () => {
  const r = await fetch('/_kpio/redirect?status=301&location=' + encodeURIComponent('/_kpio/echo?after=1'));
  assert_equals(r.url, location.origin + '/_kpio/echo?after=1');
  assert_true(r.redirected);
}, 'response URL is the last URL');
promise_test(async () => {
  const req = new Request('/_kpio/echo', { method: 'PUT', body: 'from a Request' });
  const j = await (await fetch(req)).json();
  assert_equals(j.method, 'PUT');
  assert_equals(j.body, 'from a Request');
  assert_true(req.bodyUsed);
}, 'a Request object as input');
promise_test(async (t) => {
  const c = new AbortController();
  c.abort();
  await promise_rejects_dom(t, 'AbortError', fetch('/_kpio/echo', { signal: c.signal }));
  const reason = new Error('mine');
  await promise_rejects_exactly(t, reason, fetch('/_kpio/echo', { signal: AbortSignal.abort(reason) }));
}, 'an aborted signal rejects with its reason');
promise_test(async () => {
  const r = await fetch('/_kpio/status?code=418&text=I%27m+a+teapot&body=tea');
  assert_equals(r.status, 418);
  assert_equals(r.statusText, "I'm a teapot");
  assert_false(r.ok);
  assert_equals(await r.text(), 'tea');
}, 'status and status text');
test(() => {
  assert_true(navigator.onLine);
  assert_equals(location.origin, self.origin);
  assert_true(location.href.startsWith('http://127.0.0.1:'));
}, 'navigator.onLine, location and origin');
promise_test(async () => {
  const r = await fetch('/_kpio/stream?chunks=2&size=1000');
  const reader = r.body.getReader({ mode: 'byob' });
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(300));
    if (done) break;
    assert_less_than_equal(value.byteLength, 300);
    total += value.byteLength;
  }
  assert_equals(total, 2000);
}, 'a BYOB reader reads the body');

// META: global=window,worker
// META: script=resources/fetch-utils.js
// Request modes as main fetch switches on them: same-origin, no-cors (opaque filtered
// responses, the no-cors header guard, the Cross-Origin-Resource-Policy check), cors,
// and the only-if-cached cache mode.
'use strict';

async function assertOpaque(r) {
  assert_equals(r.type, 'opaque');
  assert_equals(r.status, 0);
  assert_equals(r.statusText, '');
  assert_false(r.ok);
  assert_equals(r.url, '');
  assert_false(r.redirected);
  assert_equals([...r.headers].length, 0, 'no headers');
  assert_equals(r.body, null);
  assert_equals(await r.text(), '');
}

// ----------------------------------------------------------------------------------
// same-origin
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const r = await fetch(endpoint('echo'), { mode: 'same-origin' });
  assert_equals(r.type, 'basic');
  assert_equals(r.status, 200);
}, 'same-origin mode, same-origin URL: a basic response');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo', { acao: '*' }, OTHER), { mode: 'same-origin' }));
}, 'same-origin mode, another origin: a network error, whatever CORS says');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(redirectURL(endpoint('echo', { acao: '*' }, OTHER)), { mode: 'same-origin' }));
}, 'same-origin mode, redirected to another origin: a network error');

promise_test(async () => {
  const r = await fetch(redirectURL(endpoint('echo')), { mode: 'same-origin' });
  assert_equals(r.type, 'basic');
  assert_true(r.redirected);
}, 'same-origin mode, redirected within the origin: fine');

promise_test(async () => {
  const r = await fetch('data:,same', { mode: 'same-origin' });
  assert_equals(r.type, 'basic');
  assert_equals(await r.text(), 'same');
}, 'same-origin mode, a data: URL: a basic response');

promise_test(async () => {
  const req = new Request(endpoint('echo'), { mode: 'same-origin' });
  assert_equals(req.mode, 'same-origin');
  assert_equals((await fetch(req)).type, 'basic');
}, 'a Request\'s mode is fetch()\'s');

// ----------------------------------------------------------------------------------
// no-cors
// ----------------------------------------------------------------------------------
promise_test(async () => {
  await assertOpaque(await fetch(endpoint('echo', {}, OTHER), { mode: 'no-cors' }));
}, 'no-cors to another origin: an opaque response with nothing in it');

promise_test(async () => {
  await assertOpaque(await fetch(endpoint('echo', { acao: '*', aceh: '*' }, OTHER), { mode: 'no-cors' }));
}, 'no-cors stays opaque even when the server allows CORS');

promise_test(async () => {
  await assertOpaque(await fetch(endpoint('status', { code: 404, body: 'x' }, OTHER), { mode: 'no-cors' }));
}, 'no-cors hides the status too (a 404 is status 0)');

promise_test(async () => {
  const r = await fetch(endpoint('echo'), { mode: 'no-cors' });
  assert_equals(r.type, 'basic');
  assert_equals(r.status, 200);
  assert_equals((await echoed(r)).method, 'GET');
}, 'no-cors to the same origin: a basic response');

promise_test(async () => {
  const key = logKey();
  const r = await fetch(endpoint('echo', { log: key }, OTHER), { mode: 'no-cors', method: 'POST', body: 'sent' });
  assert_equals(r.type, 'opaque');
  const log = await serverLog(key);
  assert_array_equals(log.map((e) => e.method), ['POST'], 'no preflight');
  assert_equals(log[0].body, 'sent');
}, 'a no-cors POST is sent, without a preflight');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { log: key }, OTHER), {
    mode: 'no-cors', method: 'POST', body: 'x',
    headers: { 'X-Custom': '1', 'Content-Type': 'application/json', Accept: 'text/html', 'Content-Language': 'de' },
  });
  const [seen] = await serverLog(key);
  assert_false('x-custom' in seen.headers, 'an unsafe header is dropped');
  assert_equals(seen.headers['content-type'], 'text/plain;charset=UTF-8', 'an unsafe Content-Type is dropped');
  assert_equals(seen.headers.accept, 'text/html');
  assert_equals(seen.headers['content-language'], 'de');
}, 'no-cors sends only CORS-safelisted request headers');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo', {}, OTHER), { mode: 'no-cors', method: 'PUT' }));
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo'), { mode: 'no-cors', method: 'DELETE' }));
}, 'no-cors with a method that is not CORS-safelisted: a TypeError');

for (const redirect of ['manual', 'error']) {
  promise_test(async (t) => {
    await promise_rejects_js(t, TypeError, fetch(endpoint('echo', {}, OTHER), { mode: 'no-cors', redirect }));
  }, `no-cors to another origin with redirect "${redirect}": a network error`);
}

promise_test(async () => {
  const r = await fetch(redirectURL(endpoint('echo')), { mode: 'no-cors', redirect: 'manual' });
  assert_equals(r.type, 'opaqueredirect', 'a same-origin URL is fetched as basic first');
}, 'no-cors to the same origin with redirect "manual": an opaque-redirect response');

promise_test(async () => {
  await assertOpaque(await fetch(redirectURL(endpoint('echo', {}, OTHER)), { mode: 'no-cors' }));
}, 'no-cors, the same origin redirected to another: opaque');

promise_test(async () => {
  await assertOpaque(await fetch(redirectURL(endpoint('echo'), {}, OTHER), { mode: 'no-cors' }));
}, 'no-cors, another origin redirected back: still opaque');

promise_test(async () => {
  const r = await fetch(endpoint('echo', {}, OTHER), { mode: 'no-cors' });
  const c = r.clone();
  assert_equals(c.type, 'opaque');
  assert_equals(c.status, 0);
  assert_equals(c.body, null);
}, 'an opaque response clones as opaque');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(rawURL('', OTHER), { mode: 'no-cors' }));
}, 'no-cors: a network failure is still a rejection');

// ----------------------------------------------------------------------------------
// Cross-Origin-Resource-Policy (for opaque responses).
// ----------------------------------------------------------------------------------
promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { header: 'Cross-Origin-Resource-Policy:same-origin' }, OTHER), { mode: 'no-cors' }));
}, 'CORP same-origin blocks a no-cors response from another origin');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { header: 'Cross-Origin-Resource-Policy:same-site' }, OTHER), { mode: 'no-cors' }));
}, 'CORP same-site blocks a no-cors response from another site (127.0.0.1 and localhost)');

promise_test(async () => {
  const r = await fetch(endpoint('echo', { header: 'Cross-Origin-Resource-Policy:cross-origin' }, OTHER), { mode: 'no-cors' });
  assert_equals(r.type, 'opaque');
  const bad = await fetch(endpoint('echo', { header: 'Cross-Origin-Resource-Policy:SAME-ORIGIN' }, OTHER), { mode: 'no-cors' });
  assert_equals(bad.type, 'opaque', 'an unknown value is no policy');
}, 'CORP cross-origin (or an unknown value) lets a no-cors response through');

promise_test(async () => {
  const r = await fetch(endpoint('echo', { header: 'Cross-Origin-Resource-Policy:same-origin' }), { mode: 'no-cors' });
  assert_equals(r.type, 'basic');
}, 'CORP same-origin does not block the same origin');

promise_test(async () => {
  const r = await fetch(endpoint('echo', { acao: '*', header: 'Cross-Origin-Resource-Policy:same-origin' }, OTHER));
  assert_equals(r.type, 'cors');
}, 'CORP does not apply to CORS requests');

promise_test(async (t) => {
  const hop = redirectURL(endpoint('echo', {}, OTHER), { header: 'Cross-Origin-Resource-Policy:same-origin' }, OTHER);
  await promise_rejects_js(t, TypeError, fetch(hop, { mode: 'no-cors' }));
}, 'CORP on a redirect of a no-cors request blocks it');

// ----------------------------------------------------------------------------------
// cors (the default) and others.
// ----------------------------------------------------------------------------------
test(() => {
  assert_equals(new Request(endpoint('echo')).mode, 'cors');
  assert_throws_js(TypeError, () => new Request(endpoint('echo'), { mode: 'navigate' }));
}, 'fetch()\'s default mode is cors; navigate cannot be asked for');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo'), { mode: 'navigate' }));
}, 'fetch() with mode navigate rejects');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo'), { cache: 'only-if-cached' }));
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo'), { cache: 'only-if-cached', mode: 'no-cors' }));
}, 'only-if-cached needs same-origin mode');

promise_test(async (t) => {
  const url = endpoint('echo', { uncached: logKey(), header: 'Cache-Control:no-store' });
  await promise_rejects_js(t, TypeError, fetch(url, { cache: 'only-if-cached', mode: 'same-origin' }));
}, 'only-if-cached with nothing cached: a network error');

for (const cache of ['default', 'no-store', 'reload', 'no-cache', 'force-cache']) {
  promise_test(async () => {
    const r = await fetch(endpoint('echo', { cache }), { cache });
    assert_equals(r.status, 200);
  }, `cache mode ${cache} fetches`);
}

for (const credentials of ['omit', 'same-origin', 'include']) {
  promise_test(async () => {
    const r = await fetch(endpoint('echo'), { credentials });
    assert_equals(r.type, 'basic');
  }, `credentials ${credentials} on the same origin`);
}

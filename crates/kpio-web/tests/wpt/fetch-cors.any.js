// META: global=window,worker
// META: script=resources/fetch-utils.js
// The CORS protocol as the Fetch Standard's main fetch, HTTP fetch, CORS-preflight fetch
// and CORS check define it: which requests are simple and which are preflighted (the
// CORS-safelisted methods and request-headers), the Access-Control-* answers a response
// and a preflight must give, what a CORS response exposes, and redirects across origins.
'use strict';

// A user agent may cache a preflight's answer for a URL (the CORS-preflight cache): tests
// that count preflights give each request a URL of its own with `n`.

// What the server logged under `key`: the methods, in order.
async function methods(key) {
  return (await serverLog(key)).map((e) => e.method);
}

// ----------------------------------------------------------------------------------
// Simple requests and the CORS check.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const key = logKey();
  const r = await fetch(endpoint('echo', { acao: '*', log: key }, OTHER));
  assert_equals(r.status, 200);
  assert_equals(r.type, 'cors');
  assert_equals(r.url, endpoint('echo', { acao: '*', log: key }, OTHER));
  assert_false(r.redirected);
  assert_array_equals(await methods(key), ['GET'], 'no preflight');
}, 'a cross-origin GET with ACAO * is a CORS response, without a preflight');

promise_test(async () => {
  const j = await echoed(await fetch(endpoint('echo', { acao: SAME }, OTHER)));
  assert_equals(j.headers.origin, SAME, 'the Origin header is the page\'s origin');
}, 'ACAO naming the request\'s origin passes, and the request carried Origin');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo', {}, OTHER)));
}, 'no ACAO: a network error');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo', { acao: OTHER }, OTHER)));
}, 'ACAO naming another origin: a network error');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo', { acao: 'null' }, OTHER)));
}, 'ACAO null does not match a real origin');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo', { acao: SAME + '/' }, OTHER)));
  await promise_rejects_js(t, TypeError, fetch(endpoint('echo', { acao: SAME.toUpperCase() }, OTHER)));
}, 'ACAO is compared byte for byte with the serialized origin');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', [['acao', '*'], ['header', 'Access-Control-Allow-Origin:*']], OTHER)));
}, 'two ACAO headers (combined "*, *") fail the CORS check');

promise_test(async () => {
  const r = await fetch(endpoint('status', { code: 404, body: 'missing', acao: '*' }, OTHER));
  assert_equals(r.status, 404);
  assert_equals(r.type, 'cors');
  assert_equals(await r.text(), 'missing');
}, 'a CORS response with an error status is still a response');

promise_test(async () => {
  const key = logKey();
  const r = await fetch(endpoint('echo', { log: key }), { mode: 'cors', headers: { 'X-Custom': '1' } });
  assert_equals(r.type, 'basic');
  assert_array_equals(await methods(key), ['GET'], 'no preflight');
}, 'a same-origin request in cors mode needs no CORS headers and no preflight');

// ----------------------------------------------------------------------------------
// Which requests are preflighted.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const key = logKey();
  const j = await echoed(await fetch(endpoint('echo', { acao: '*', log: key }, OTHER),
    { method: 'POST', body: 'text' }));
  assert_equals(j.method, 'POST');
  assert_equals(j.headers['content-type'], 'text/plain;charset=UTF-8');
  assert_array_equals(await methods(key), ['POST']);
}, 'POST with a string body (text/plain) is simple');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { acao: '*', log: key }, OTHER),
    { method: 'POST', body: new URLSearchParams('a=1') });
  assert_array_equals(await methods(key), ['POST']);
}, 'POST with URLSearchParams (application/x-www-form-urlencoded) is simple');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { acao: '*', log: key }, OTHER),
    { method: 'POST', body: 'x', headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' } });
  await fetch(endpoint('echo', { acao: '*', log: key }, OTHER),
    { method: 'POST', body: 'x', headers: { 'Content-Type': 'Text/Plain; charset=utf-8' } });
  assert_array_equals(await methods(key), ['POST', 'POST']);
}, 'multipart/form-data and text/plain with parameters (any case) are safelisted');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { acao: '*', acah: 'content-type', log: key }, OTHER),
    { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
  const log = await serverLog(key);
  assert_array_equals(log.map((e) => e.method), ['OPTIONS', 'POST']);
  assert_equals(log[0].headers['access-control-request-method'], 'POST');
  assert_equals(log[0].headers['access-control-request-headers'], 'content-type');
}, 'Content-Type application/json is preflighted, naming content-type');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { acao: '*', acah: 'content-type', log: key }, OTHER),
    { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain; a="(x)"' } });
  assert_array_equals(await methods(key), ['OPTIONS', 'POST']);
}, 'a Content-Type with a CORS-unsafe byte is preflighted even for text/plain');

promise_test(async () => {
  const key = logKey();
  const url = (n) => endpoint('echo', { acao: '*', acah: 'accept', log: key, n }, OTHER);
  await fetch(url(1), { headers: { Accept: 'application/json, text/*;q=0.5' } });
  await fetch(url(2), { headers: { Accept: 'a"b' } });
  await fetch(url(3), { headers: { Accept: 'x'.repeat(129) } });
  assert_array_equals(await methods(key), ['GET', 'OPTIONS', 'GET', 'OPTIONS', 'GET']);
}, 'Accept is safelisted unless it has a CORS-unsafe byte or more than 128 bytes');

promise_test(async () => {
  const key = logKey();
  const url = (n) => endpoint('echo', { acao: '*', acah: 'accept-language,content-language', log: key, n }, OTHER);
  await fetch(url(1), { headers: { 'Accept-Language': 'en-US,de;q=0.5', 'Content-Language': 'de' } });
  await fetch(url(2), { headers: { 'Accept-Language': 'en_US' } });
  await fetch(url(3), { headers: { 'Content-Language': 'de/at' } });
  assert_array_equals(await methods(key), ['GET', 'OPTIONS', 'GET', 'OPTIONS', 'GET']);
}, 'Accept-Language and Content-Language allow only their safelisted bytes');

promise_test(async () => {
  const key = logKey();
  const url = (n) => endpoint('echo', { acao: '*', acah: 'range', log: key, n }, OTHER);
  await fetch(url(1), { headers: { Range: 'bytes=0-10' } });
  await fetch(url(2), { headers: { Range: 'bytes=5-' } });
  await fetch(url(3), { headers: { Range: 'bytes=-5' } });
  await fetch(url(4), { headers: { Range: 'bytes=0-1,3-4' } });
  assert_array_equals(await methods(key), ['GET', 'GET', 'OPTIONS', 'GET', 'OPTIONS', 'GET']);
}, 'Range is safelisted only as one range with a start');

promise_test(async () => {
  const key = logKey();
  const h = new Headers();
  // Each value is safelisted on its own; together they pass 1024 bytes.
  for (let i = 0; i < 9; i++) h.append('Accept', 'a'.repeat(120));
  await fetch(endpoint('echo', { acao: '*', acah: 'accept', log: key }, OTHER), { headers: h });
  const log = await serverLog(key);
  assert_equals(log[0].method, 'OPTIONS');
  assert_equals(log[0].headers['access-control-request-headers'], 'accept');
}, 'safelisted headers worth more than 1024 bytes together are preflighted');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { acao: '*', acah: '*', log: key }, OTHER),
    { method: 'POST', body: 'x', headers: { 'X-B': '1', 'x-a': '2', 'Content-Type': 'application/xml' } });
  const log = await serverLog(key);
  assert_equals(log[0].headers['access-control-request-headers'], 'content-type,x-a,x-b');
}, 'Access-Control-Request-Headers: sorted, lowercased, comma-separated names');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { acao: '*', acam: 'PUT', acah: 'x-custom', log: key }, OTHER),
    { method: 'PUT', body: 'payload', headers: { 'X-Custom': 'v' } });
  const log = await serverLog(key);
  assert_array_equals(log.map((e) => e.method), ['OPTIONS', 'PUT']);
  const pre = log[0];
  assert_equals(pre.headers['access-control-request-method'], 'PUT');
  assert_equals(pre.headers.origin, SAME);
  assert_equals(pre.headers.accept, '*/*');
  assert_false('x-custom' in pre.headers, 'the preflight leaves out the request\'s headers');
  assert_equals(pre.body, '', 'the preflight has no body');
  assert_equals(log[1].headers['x-custom'], 'v');
  assert_equals(log[1].body, 'payload');
}, 'the preflight: OPTIONS with the method, the origin and Accept */*, nothing else of the request');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { acao: '*', acam: 'DELETE', log: key }, OTHER), { method: 'DELETE' });
  const log = await serverLog(key);
  assert_array_equals(log.map((e) => e.method), ['OPTIONS', 'DELETE']);
  assert_false('access-control-request-headers' in log[0].headers, 'no unsafe headers, no ACRH');
}, 'a non-safelisted method alone is preflighted, without Access-Control-Request-Headers');

// ----------------------------------------------------------------------------------
// The preflight's answer.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const r = await fetch(endpoint('echo', { acao: '*', acam: 'GET, PUT , DELETE' }, OTHER), { method: 'PUT' });
  assert_equals((await echoed(r)).method, 'PUT');
}, 'Access-Control-Allow-Methods is a list, with whitespace around its items');

promise_test(async () => {
  const r = await fetch(endpoint('echo', { acao: '*', acam: '*' }, OTHER), { method: 'PATCH', body: 'x' });
  assert_equals((await echoed(r)).method, 'PATCH');
}, 'Access-Control-Allow-Methods * allows any method without credentials');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: SAME, acac: 'true', acam: '*' }, OTHER), { method: 'PUT', credentials: 'include' }));
  const r = await fetch(endpoint('echo', { acao: SAME, acac: 'true', acam: 'PUT' }, OTHER),
    { method: 'PUT', credentials: 'include' });
  assert_equals(r.status, 200);
}, 'with credentials, * in Access-Control-Allow-Methods is no wildcard');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: '*', acam: 'PATCH' }, OTHER), { method: 'patch' }));
  const r = await fetch(endpoint('echo', { acao: '*', acam: 'patch' }, OTHER), { method: 'patch' });
  assert_equals((await echoed(r)).method, 'patch');
}, 'methods are compared case-sensitively (patch is not normalized)');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: '*', acam: 'POST' }, OTHER), { method: 'PUT' }));
}, 'a method the preflight does not allow: a network error');

promise_test(async () => {
  const r = await fetch(endpoint('echo', { acao: '*', acah: 'X-Custom' }, OTHER), { headers: { 'X-Custom': '1' } });
  assert_equals((await echoed(r)).headers['x-custom'], '1');
}, 'a safelisted method with an unsafe header needs only Access-Control-Allow-Headers');

promise_test(async () => {
  const r = await fetch(endpoint('echo', { acao: '*', acah: ' x-one ,X-TWO' }, OTHER),
    { headers: { 'X-One': '1', 'x-two': '2' } });
  const j = await echoed(r);
  assert_equals(j.headers['x-one'], '1');
  assert_equals(j.headers['x-two'], '2');
}, 'Access-Control-Allow-Headers matches names case-insensitively, as a list');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: '*', acah: 'x-one' }, OTHER), { headers: { 'X-One': '1', 'X-Two': '2' } }));
}, 'a header the preflight does not allow: a network error');

promise_test(async (t) => {
  const r = await fetch(endpoint('echo', { acao: '*', acah: '*', n: 1 }, OTHER), { headers: { 'X-Any': '1' } });
  assert_equals((await echoed(r)).headers['x-any'], '1');
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: '*', acah: '*', n: 2 }, OTHER), { headers: { Authorization: 'Basic eDp5' } }));
  const a = await fetch(endpoint('echo', { acao: '*', acah: '*, authorization' }, OTHER),
    { headers: { Authorization: 'Basic eDp5' } });
  assert_equals((await echoed(a)).headers.authorization, 'Basic eDp5');
}, 'Access-Control-Allow-Headers * covers every header but Authorization');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: SAME, acac: 'true', acah: '*' }, OTHER),
      { credentials: 'include', headers: { 'X-Any': '1' } }));
}, 'with credentials, * in Access-Control-Allow-Headers is no wildcard');

for (const status of [204, 299]) {
  promise_test(async () => {
    const r = await fetch(endpoint('echo', { acao: '*', acam: 'PUT', 'preflight-status': status }, OTHER), { method: 'PUT' });
    assert_equals(r.status, 200);
  }, `a preflight answered ${status} (an ok status) passes`);
}

for (const status of [300, 400, 404, 500]) {
  promise_test(async (t) => {
    await promise_rejects_js(t, TypeError,
      fetch(endpoint('echo', { acao: '*', acam: 'PUT', 'preflight-status': status }, OTHER), { method: 'PUT' }));
  }, `a preflight answered ${status} fails`);
}

promise_test(async (t) => {
  const key = logKey();
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: '*', 'pf-acam': 'PUT', log: key }, OTHER), { method: 'PUT' }));
  assert_array_equals(await methods(key), ['OPTIONS'], 'the request itself was never sent');
}, 'a preflight without ACAO fails, and the request is not sent');

promise_test(async (t) => {
  const key = logKey();
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { 'pf-acao': '*', 'pf-acam': 'PUT', log: key }, OTHER), { method: 'PUT' }));
  assert_array_equals(await methods(key), ['OPTIONS', 'PUT'], 'the request was sent');
}, 'a passing preflight does not excuse the response from the CORS check');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: '*', acam: 'PUT', 'preflight-status': 302 }, OTHER), { method: 'PUT' }));
}, 'a preflight is not redirected: a 302 answer fails');

// ----------------------------------------------------------------------------------
// Credentials.
// ----------------------------------------------------------------------------------
promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: '*', acac: 'true' }, OTHER), { credentials: 'include' }));
}, 'with credentials, ACAO * fails');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: SAME }, OTHER), { credentials: 'include' }));
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: SAME, acac: 'TRUE' }, OTHER), { credentials: 'include' }));
  const r = await fetch(endpoint('echo', { acao: SAME, acac: 'true' }, OTHER), { credentials: 'include' });
  assert_equals(r.type, 'cors');
}, 'with credentials, ACAO must name the origin and ACAC must be exactly "true"');

promise_test(async () => {
  const r = await fetch(endpoint('echo', { acao: '*', acac: 'true' }, OTHER), { credentials: 'same-origin' });
  assert_equals(r.status, 200);
  const o = await fetch(endpoint('echo', { acao: '*' }, OTHER), { credentials: 'omit' });
  assert_equals(o.status, 200);
}, 'without credentials, ACAO * passes whatever ACAC says');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(endpoint('echo', { acao: SAME, acac: 'true', acam: 'PUT', 'pf-acao': SAME, 'pf-acam': 'PUT' }, OTHER),
      { method: 'PUT', credentials: 'include' }));
}, 'with credentials, the preflight needs ACAC too');

// ----------------------------------------------------------------------------------
// What a CORS response exposes.
// ----------------------------------------------------------------------------------
const EXPOSE = [
  ['header', 'X-Custom:custom'], ['header', 'X-Other:other'], ['header', 'Cache-Control:no-cache'],
  ['header', 'Content-Language:de'], ['header', 'Expires:0'], ['header', 'Last-Modified:Tue, 15 Nov 1994 12:45:26 GMT'],
  ['header', 'Pragma:no-cache'], ['header', 'Set-Cookie:a=b'],
];

promise_test(async () => {
  const r = await fetch(endpoint('echo', [['acao', '*'], ...EXPOSE], OTHER));
  for (const n of ['content-type', 'content-length', 'cache-control', 'content-language', 'expires', 'last-modified', 'pragma']) {
    assert_true(r.headers.has(n), n);
  }
  assert_false(r.headers.has('x-custom'));
  assert_false(r.headers.has('set-cookie'));
  assert_false(r.headers.has('access-control-allow-origin'), 'ACAO itself is not exposed');
}, 'a CORS response exposes only the CORS-safelisted response headers by default');

promise_test(async () => {
  const r = await fetch(endpoint('echo', [['acao', '*'], ['aceh', 'X-Custom, Access-Control-Allow-Origin'], ...EXPOSE], OTHER));
  assert_equals(r.headers.get('x-custom'), 'custom');
  assert_false(r.headers.has('x-other'));
  assert_equals(r.headers.get('access-control-allow-origin'), '*');
}, 'Access-Control-Expose-Headers exposes the headers it names');

promise_test(async () => {
  const r = await fetch(endpoint('echo', [['acao', '*'], ['aceh', 'x-CUSTOM'], ...EXPOSE], OTHER));
  assert_equals(r.headers.get('X-Custom'), 'custom');
}, 'Access-Control-Expose-Headers names compare case-insensitively');

promise_test(async () => {
  const r = await fetch(endpoint('echo', [['acao', '*'], ['aceh', '*'], ...EXPOSE], OTHER));
  assert_equals(r.headers.get('x-custom'), 'custom');
  assert_equals(r.headers.get('x-other'), 'other');
  assert_false(r.headers.has('set-cookie'), 'Set-Cookie never');
}, 'Access-Control-Expose-Headers * exposes every header but Set-Cookie');

promise_test(async () => {
  const r = await fetch(endpoint('echo', [['acao', SAME], ['acac', 'true'], ['aceh', '*'], ...EXPOSE], OTHER),
    { credentials: 'include' });
  assert_false(r.headers.has('x-custom'), '* is a header name here');
  assert_true(r.headers.has('content-type'));
  const named = await fetch(endpoint('echo', [['acao', SAME], ['acac', 'true'], ['aceh', '*, x-other'], ...EXPOSE], OTHER),
    { credentials: 'include' });
  assert_equals(named.headers.get('x-other'), 'other');
  assert_false(named.headers.has('x-custom'));
}, 'with credentials, Access-Control-Expose-Headers * is no wildcard');

promise_test(async () => {
  const r = await fetch(endpoint('echo', [['acao', '*'], ['aceh', 'x-custom'], ...EXPOSE], OTHER));
  const names = [...r.headers.keys()];
  assert_true(names.includes('x-custom'));
  assert_false(names.includes('x-other'));
  assert_false(names.includes('set-cookie'));
}, 'iterating a CORS response\'s headers shows only the exposed ones');

// ----------------------------------------------------------------------------------
// Redirects across origins.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const key = logKey();
  const target = endpoint('echo', { acao: '*', log: key }, OTHER);
  const r = await fetch(redirectURL(target));
  assert_equals(r.type, 'cors');
  assert_true(r.redirected);
  assert_equals(r.url, target);
  const log = await serverLog(key);
  assert_equals(log[0].headers.origin, SAME, 'same origin, then another: not tainted');
}, 'same origin redirected to another origin: a CORS request with the page\'s Origin');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(redirectURL(endpoint('echo', {}, OTHER))));
}, 'redirected to another origin without ACAO: a network error');

promise_test(async (t) => {
  const target = endpoint('echo', { acao: '*' }, OTHER);
  await promise_rejects_js(t, TypeError, fetch(redirectURL(target, {}, OTHER)));
  const r = await fetch(redirectURL(target, { acao: '*' }, OTHER));
  assert_equals(r.status, 200);
}, 'a cross-origin redirect response must pass the CORS check itself');

promise_test(async () => {
  const key = logKey();
  const target = endpoint('echo', { acao: '*', log: key });
  const r = await fetch(redirectURL(target, { acao: '*' }, OTHER));
  assert_equals(r.type, 'cors', 'once CORS, always CORS');
  const log = await serverLog(key);
  assert_equals(log[0].headers.origin, 'null', 'another origin, then back: tainted');
}, 'another origin redirected back to the page\'s origin: Origin becomes "null"');

promise_test(async (t) => {
  const target = endpoint('echo', { acao: SAME });
  await promise_rejects_js(t, TypeError, fetch(redirectURL(target, { acao: '*' }, OTHER)));
  const r = await fetch(redirectURL(endpoint('echo', { acao: 'null' }), { acao: '*' }, OTHER));
  assert_equals(r.status, 200);
}, 'after a tainting redirect, ACAO must be * or "null"');

promise_test(async () => {
  const key = logKey();
  const target = endpoint('echo', { acao: '*', log: key }, OTHER);
  await fetch(redirectURL(target, { acao: '*' }, OTHER));
  const log = await serverLog(key);
  assert_equals(log[0].headers.origin, SAME, 'the same other origin twice: not tainted');
}, 'another origin redirected within itself keeps the Origin');

promise_test(async () => {
  const key = logKey();
  const target = endpoint('echo', { acao: '*', log: key }, OTHER);
  const middle = redirectURL(target, { acao: '*' }, OTHER);
  await fetch(redirectURL(middle));
  const log = await serverLog(key);
  assert_equals(log[0].headers.origin, SAME);
}, 'page origin, page origin, another origin: not tainted');

promise_test(async () => {
  const key = logKey();
  const target = endpoint('echo', { acao: '*', acam: 'PUT', log: key }, OTHER);
  const r = await fetch(redirectURL(target, { status: 307 }), { method: 'PUT', body: 'b' });
  assert_equals(r.status, 200);
  const log = await serverLog(key);
  assert_array_equals(log.map((e) => e.method), ['OPTIONS', 'PUT'], 'preflighted at the new origin');
  assert_equals(log[1].body, 'b');
}, 'a same-origin PUT redirected to another origin is preflighted there');

promise_test(async (t) => {
  const target = endpoint('echo', { acao: '*' }, OTHER).replace('http://', 'http://user:pass@');
  await promise_rejects_js(t, TypeError, fetch(redirectURL(target)));
}, 'a CORS request redirected to a URL with credentials: a network error');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('about:blank', { mode: 'cors' }));
}, 'cors mode to a non-HTTP(S) scheme other than data: is a network error');

promise_test(async () => {
  const r = await fetch('data:text/plain,cors', { mode: 'cors' });
  assert_equals(r.type, 'basic');
  assert_equals(await r.text(), 'cors');
}, 'a data: URL in cors mode is a basic response');

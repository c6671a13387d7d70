// META: global=window,worker
// META: script=resources/fetch-utils.js
// The headers a request carries on the wire (the Fetch Standard's fetch, main fetch and
// HTTP-network-or-cache fetch; Referrer Policy's "determine request's referrer"), and
// the headers a response shows.
'use strict';

// ----------------------------------------------------------------------------------
// Defaults the user agent adds.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const j = await echo();
  assert_equals(j.headers['user-agent'], navigator.userAgent);
}, 'User-Agent is navigator.userAgent');

promise_test(async () => {
  assert_equals((await echo()).headers.accept, '*/*');
  assert_equals((await echo({ headers: { Accept: 'text/html' } })).headers.accept, 'text/html');
}, 'Accept defaults to */*, and a page\'s Accept replaces it');

promise_test(async () => {
  const j = await echo();
  assert_true(typeof j.headers['accept-language'] === 'string' && j.headers['accept-language'] !== '');
  assert_equals((await echo({ headers: { 'Accept-Language': 'fr' } })).headers['accept-language'], 'fr');
}, 'Accept-Language is sent, and a page\'s replaces it');

promise_test(async () => {
  assert_equals((await echo()).headers.host, location.host);
  const other = await echo({}, { acao: '*' }, OTHER);
  assert_equals(other.headers.host, new URL(OTHER).host);
}, 'Host is the URL\'s host and port');

promise_test(async () => {
  const j = await echo({ headers: { 'X-Spaces': '  padded\t', 'X-Twice': '1' } });
  assert_equals(j.headers['x-spaces'], 'padded');
  const h = new Headers();
  h.append('X-Twice', '1');
  h.append('X-Twice', '2');
  assert_equals((await echo({ headers: h })).headers['x-twice'], '1, 2');
}, 'header values are trimmed; repeated names arrive as one combined value');

promise_test(async () => {
  const j = await echo({ headers: { 'X-Latin': 'caf\u00e9 \u00ff' } });
  assert_equals(j.headers['x-latin'], 'caf\u00e9 \u00ff', 'one byte per code point, not UTF-8');
}, 'header values are sent as bytes (ISO-8859-1)');

// ----------------------------------------------------------------------------------
// Forbidden request headers are never the page's.
// ----------------------------------------------------------------------------------
for (const name of ['Accept-Charset', 'Accept-Encoding', 'Access-Control-Request-Headers',
  'Access-Control-Request-Method', 'Connection', 'Content-Length', 'Cookie', 'Cookie2', 'Date',
  'DNT', 'Expect', 'Keep-Alive', 'Origin', 'Referer', 'Set-Cookie', 'TE', 'Trailer',
  'Transfer-Encoding', 'Upgrade', 'Via', 'Proxy-Authorization', 'Proxy-Foo', 'Sec-Foo', 'Sec-Fetch-Site']) {
  promise_test(async () => {
    const j = await echo({ method: 'POST', body: 'b', headers: { [name]: 'x-page' } });
    assert_not_equals(j.headers[name.toLowerCase()], 'x-page');
    assert_equals(j.body, 'b');
  }, `the forbidden header ${name} is not the page's`);
}

promise_test(async () => {
  const dropped = await echo({ headers: { 'X-HTTP-Method-Override': 'TRACE', 'X-Method-Override': 'put, connect' } });
  assert_false('x-http-method-override' in dropped.headers);
  assert_false('x-method-override' in dropped.headers);
  const kept = await echo({ headers: { 'X-HTTP-Method-Override': 'PUT' } });
  assert_equals(kept.headers['x-http-method-override'], 'PUT');
}, 'method-override headers naming a forbidden method are dropped');

// ----------------------------------------------------------------------------------
// Content-Type and Content-Length.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const j = await echo({ method: 'POST', body: 'héllo' });
  assert_equals(j.headers['content-type'], 'text/plain;charset=UTF-8');
  assert_equals(j.headers['content-length'], '6', 'UTF-8 bytes');
  assert_equals(j.body, 'h\u00c3\u00a9llo');
}, 'a string body: text/plain;charset=UTF-8, its UTF-8 length');

promise_test(async () => {
  const j = await echo({ method: 'POST', body: new URLSearchParams([['a', 'b c'], ['d', 'é']]) });
  assert_equals(j.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
  assert_equals(j.body, 'a=b+c&d=%C3%A9');
}, 'a URLSearchParams body: application/x-www-form-urlencoded;charset=UTF-8');

promise_test(async () => {
  const j = await echo({ method: 'POST', body: new Uint8Array([0, 1, 255]).buffer });
  assert_false('content-type' in j.headers, 'no Content-Type');
  assert_equals(j.headers['content-length'], '3');
  assert_equals(j.body, '\u0000\u0001\u00ff');
  const view = await echo({ method: 'POST', body: new Uint8Array([9, 8, 7, 6]).subarray(1, 3) });
  assert_equals(view.body, '\u0008\u0007', 'a view sends only its bytes');
}, 'a BufferSource body: its bytes, no Content-Type');

promise_test(async () => {
  const j = await echo({ method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
  assert_equals(j.headers['content-type'], 'application/json');
}, 'a page\'s Content-Type wins over the body\'s');

promise_test(async () => {
  assert_equals((await echo({ method: 'POST' })).headers['content-length'], '0');
  assert_equals((await echo({ method: 'PUT' })).headers['content-length'], '0');
}, 'POST and PUT without a body send Content-Length: 0');

promise_test(async () => {
  assert_false('content-length' in (await echo()).headers);
  assert_false('content-length' in (await echo({ method: 'DELETE' })).headers);
  assert_false('content-length' in (await echo({ method: 'OPTIONS' })).headers);
}, 'GET, DELETE and OPTIONS without a body send no Content-Length');

promise_test(async () => {
  assert_equals((await echo({ method: 'DELETE', body: '' })).headers['content-length'], '0');
}, 'an empty body is still a body: Content-Length: 0');

// ----------------------------------------------------------------------------------
// Origin.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  assert_false('origin' in (await echo()).headers, 'GET');
  const key = logKey();
  await fetch(endpoint('echo', { log: key }), { method: 'HEAD' });
  assert_false('origin' in (await serverLog(key))[0].headers, 'HEAD');
}, 'a same-origin GET or HEAD has no Origin');

promise_test(async () => {
  assert_equals((await echo({ method: 'POST', body: 'x' })).headers.origin, SAME);
  assert_equals((await echo({ method: 'PUT', body: 'x' })).headers.origin, SAME);
  assert_equals((await echo({ method: 'DELETE' })).headers.origin, SAME);
}, 'a same-origin POST, PUT or DELETE has Origin');

promise_test(async () => {
  assert_equals((await echo({}, { acao: '*' }, OTHER)).headers.origin, SAME);
}, 'a CORS GET has Origin');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { log: key }, OTHER), { mode: 'no-cors' });
  await fetch(endpoint('echo', { log: key }, OTHER), { mode: 'no-cors', method: 'POST', body: 'x' });
  const [get, post] = await serverLog(key);
  assert_false('origin' in get.headers, 'no-cors GET');
  assert_equals(post.headers.origin, SAME, 'no-cors POST');
}, 'a no-cors GET has no Origin, a no-cors POST has one');

promise_test(async () => {
  const j = await echo({ method: 'POST', body: 'x', referrerPolicy: 'no-referrer' });
  assert_equals(j.headers.origin, 'null');
}, 'a POST under referrer policy no-referrer sends Origin: null');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { log: key }, OTHER), { mode: 'no-cors', method: 'POST', body: 'x', referrerPolicy: 'same-origin' });
  assert_equals((await serverLog(key))[0].headers.origin, 'null');
  assert_equals((await echo({ method: 'POST', body: 'x', referrerPolicy: 'same-origin' })).headers.origin, SAME);
}, 'under referrer policy same-origin, a cross-origin POST sends Origin: null');

promise_test(async () => {
  const j = await echo({ method: 'POST', body: 'x', referrerPolicy: 'unsafe-url' });
  assert_equals(j.headers.origin, SAME);
}, 'other referrer policies leave Origin alone');

// ----------------------------------------------------------------------------------
// Referer.
// ----------------------------------------------------------------------------------
const PAGE = location.href.split('#')[0];
const POLICIES = {
  // policy: [same-origin Referer, cross-origin Referer] (null: none)
  '': [PAGE, SAME + '/'],
  'no-referrer': [null, null],
  'no-referrer-when-downgrade': [PAGE, PAGE],
  'origin': [SAME + '/', SAME + '/'],
  'origin-when-cross-origin': [PAGE, SAME + '/'],
  'same-origin': [PAGE, null],
  'strict-origin': [SAME + '/', SAME + '/'],
  'strict-origin-when-cross-origin': [PAGE, SAME + '/'],
  'unsafe-url': [PAGE, PAGE],
};
for (const [policy, [same, cross]] of Object.entries(POLICIES)) {
  promise_test(async () => {
    const s = await echo({ referrerPolicy: policy });
    assert_equals(s.headers.referer === undefined ? null : s.headers.referer, same, 'same origin');
    const c = await echo({ referrerPolicy: policy }, { acao: '*' }, OTHER);
    assert_equals(c.headers.referer === undefined ? null : c.headers.referer, cross, 'cross origin');
  }, `Referer under referrer policy "${policy}"`);
}

promise_test(async () => {
  assert_false('referer' in (await echo({ referrer: '' })).headers);
}, 'referrer "" sends no Referer');

promise_test(async () => {
  const ref = SAME + '/some/path?q=1';
  assert_equals((await echo({ referrer: ref })).headers.referer, ref);
  assert_equals((await echo({ referrer: ref + '#frag' })).headers.referer, ref, 'without the fragment');
}, 'a same-origin referrer URL is sent as it is, without its fragment');

promise_test(async () => {
  const withCredentials = SAME.replace('http://', 'http://user:secret@') + '/page?x=1';
  const j = await echo({ referrer: withCredentials, referrerPolicy: 'unsafe-url' });
  assert_equals(j.headers.referer, SAME + '/page?x=1');
}, 'a referrer URL\'s credentials are never sent');

promise_test(async () => {
  const j = await echo({ referrer: OTHER + '/elsewhere' });
  assert_equals(j.headers.referer, PAGE, 'another origin\'s URL falls back to the client');
  assert_equals((await echo({ referrer: 'about:client' })).headers.referer, PAGE);
}, 'a referrer of another origin, or about:client, means the client');

promise_test(async () => {
  const key = logKey();
  await fetch(redirectURL(endpoint('echo', { acao: '*', log: key }, OTHER)));
  assert_equals((await serverLog(key))[0].headers.referer, SAME + '/', 'origin only at the other origin');
}, 'the Referer is determined again after a redirect to another origin');

promise_test(async () => {
  const key = logKey();
  const back = endpoint('echo', { log: key, acao: '*' });
  await fetch(redirectURL(redirectURL(back, { acao: '*' }, OTHER)));
  assert_equals((await serverLog(key))[0].headers.referer, SAME + '/', 'once reduced, it stays reduced');
}, 'a Referer reduced on the way stays reduced back at the page\'s origin');

promise_test(async () => {
  const key = logKey();
  await fetch(redirectURL(endpoint('echo', { log: key }), { header: 'Referrer-Policy:no-referrer' }));
  assert_false('referer' in (await serverLog(key))[0].headers);
  const key2 = logKey();
  await fetch(redirectURL(endpoint('echo', { log: key2 }), { header: 'Referrer-Policy:origin, bogus' }));
  assert_equals((await serverLog(key2))[0].headers.referer, SAME + '/', 'the last valid token');
}, 'a redirect\'s Referrer-Policy header changes the policy for what follows');

promise_test(async () => {
  const key = logKey();
  await fetch(endpoint('echo', { acao: '*', acam: 'PUT', log: key }, OTHER), { method: 'PUT' });
  const [pre, put] = await serverLog(key);
  assert_equals(pre.method, 'OPTIONS');
  assert_equals(pre.headers.referer, SAME + '/');
  assert_equals(put.headers.referer, SAME + '/');
}, 'the preflight carries the request\'s Referer');

// ----------------------------------------------------------------------------------
// Cache modes and Range.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const j = await echo({ cache: 'default' });
  assert_false('pragma' in j.headers);
}, 'cache mode default adds no Pragma');

for (const cache of ['no-store', 'reload']) {
  promise_test(async () => {
    const j = await echo({ cache });
    assert_equals(j.headers.pragma, 'no-cache');
    assert_equals(j.headers['cache-control'], 'no-cache');
    const own = await echo({ cache, headers: { 'Cache-Control': 'max-age=5', Pragma: 'x' } });
    assert_equals(own.headers['cache-control'], 'max-age=5', 'the page\'s own is kept');
    assert_equals(own.headers.pragma, 'x');
  }, `cache mode ${cache} sends Pragma and Cache-Control: no-cache`);
}

promise_test(async () => {
  const j = await echo({ cache: 'no-cache' });
  assert_equals(j.headers['cache-control'], 'max-age=0');
}, 'cache mode no-cache sends Cache-Control: max-age=0');

promise_test(async () => {
  const j = await echo({ headers: { 'If-None-Match': '"x"' } });
  assert_equals(j.headers['if-none-match'], '"x"');
  assert_equals(j.headers.pragma, 'no-cache', 'a conditional request is no-store');
  assert_equals(j.headers['cache-control'], 'no-cache');
}, 'a conditional header makes the default cache mode no-store');

promise_test(async () => {
  const j = await echo({ headers: { Range: 'bytes=0-1' } });
  assert_equals(j.headers.range, 'bytes=0-1');
  assert_equals(j.headers['accept-encoding'], 'identity');
}, 'a Range request asks for Accept-Encoding: identity');

// ----------------------------------------------------------------------------------
// Response headers.
// ----------------------------------------------------------------------------------
promise_test(async () => {
  const r = await fetch(endpoint('echo', [['header', 'Set-Cookie:a=b'], ['header', 'Set-Cookie2:c=d'], ['header', 'X-Seen:1']]));
  assert_false(r.headers.has('set-cookie'));
  assert_false(r.headers.has('set-cookie2'));
  assert_equals(r.headers.get('x-seen'), '1');
  assert_array_equals(r.headers.getSetCookie(), []);
}, 'a basic response hides Set-Cookie and Set-Cookie2');

promise_test(async () => {
  const r = await fetch(endpoint('echo'));
  assert_throws_js(TypeError, () => r.headers.set('X-A', '1'));
  assert_throws_js(TypeError, () => r.headers.append('X-A', '1'));
  assert_throws_js(TypeError, () => r.headers.delete('content-type'));
}, 'a fetched response\'s headers are immutable');

promise_test(async () => {
  const r = await fetch(endpoint('echo', [['header', 'X-Dup:a'], ['header', 'x-dup:b'], ['header', 'X-Case:v']]));
  assert_equals(r.headers.get('X-DUP'), 'a, b');
  const names = [...r.headers.keys()];
  assert_true(names.includes('x-case'), 'lowercased');
  const sorted = names.slice().sort();
  assert_array_equals(names, sorted, 'sorted');
}, 'response headers combine, compare case-insensitively and iterate sorted');

promise_test(async () => {
  const r = await fetch(rawURL('HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9\r\nContent-Length: 0\r\n\r\n'));
  assert_equals(r.headers.get('x-latin'), 'caf\u00e9', 'each byte one code unit');
}, 'response header bytes read as ISO-8859-1');

promise_test(async () => {
  const r = await fetch(endpoint('status', { code: 200, header: 'Content-Type:text/x-mine' }));
  assert_equals(r.headers.get('content-type'), 'text/x-mine');
  assert_equals(r.headers.get('content-length'), '0');
}, 'a basic response shows its Content-Type and Content-Length');

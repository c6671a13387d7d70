// META: global=window,worker
// META: script=resources/fetch-utils.js
// Redirects as the Fetch Standard's HTTP fetch and HTTP-redirect fetch follow them: the
// method and body each redirect status keeps or drops, the redirect modes, the limit of
// 20, Location resolution, schemes a redirect may not reach, the headers dropped on the
// way, and what the response says of its redirects.
'use strict';

const RESULTS = {
  // status: method → [final method, body kept]
  301: { GET: ['GET', false], HEAD: ['HEAD', false], POST: ['GET', false], PUT: ['PUT', true], DELETE: ['DELETE', true] },
  302: { GET: ['GET', false], HEAD: ['HEAD', false], POST: ['GET', false], PUT: ['PUT', true], DELETE: ['DELETE', true] },
  303: { GET: ['GET', false], HEAD: ['HEAD', false], POST: ['GET', false], PUT: ['GET', false], DELETE: ['GET', false] },
  307: { GET: ['GET', false], HEAD: ['HEAD', false], POST: ['POST', true], PUT: ['PUT', true], DELETE: ['DELETE', true] },
  308: { GET: ['GET', false], HEAD: ['HEAD', false], POST: ['POST', true], PUT: ['PUT', true], DELETE: ['DELETE', true] },
};

for (const status of [301, 302, 303, 307, 308]) {
  for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']) {
    const [expected, keepsBody] = RESULTS[status][method];
    promise_test(async () => {
      const key = logKey();
      const hasBody = method !== 'GET' && method !== 'HEAD';
      const init = { method, headers: { 'Content-Language': 'de' } };
      if (hasBody) init.body = 'payload';
      const r = await fetch(redirectURL(endpoint('echo', { log: key }), { status }), init);
      assert_equals(r.status, 200);
      assert_true(r.redirected);
      const [seen] = await serverLog(key);
      assert_equals(seen.method, expected, 'method');
      if (keepsBody) {
        assert_equals(seen.body, 'payload', 'the body is sent again');
        assert_equals(seen.headers['content-type'], 'text/plain;charset=UTF-8');
        assert_equals(seen.headers['content-language'], 'de');
      } else {
        assert_equals(seen.body, '', 'no body');
        assert_false('content-type' in seen.headers, 'no Content-Type');
        if (hasBody) assert_false('content-language' in seen.headers, 'request-body headers removed');
      }
    }, `${status} redirect of a ${method} request: ${expected}${keepsBody ? ' with the body' : ''}`);
  }
}

promise_test(async () => {
  const target = endpoint('echo', { after: 1 });
  const r = await fetch(redirectURL(target));
  assert_true(r.redirected);
  assert_equals(r.url, target);
  assert_equals(r.type, 'basic');
  const plain = await fetch(endpoint('echo'));
  assert_false(plain.redirected);
}, 'response.redirected and response.url after a redirect');

promise_test(async () => {
  const r = await fetch(redirectURL(endpoint('echo', { hop: 20 }), { count: 20 }));
  assert_equals(r.status, 200);
  assert_equals(r.url, endpoint('echo', { hop: 20 }));
}, '20 redirects are followed');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(redirectURL(endpoint('echo'), { count: 21 })));
}, 'a 21st redirect is a network error');

promise_test(async (t) => {
  // Location '#again' is this same URL (with a fragment that is never sent): forever.
  await promise_rejects_js(t, TypeError, fetch(redirectURL('#again')));
}, 'a redirect loop ends in a network error');

promise_test(async () => {
  const r = await fetch(endpoint('redirect', { status: 302 }));
  assert_equals(r.status, 302, 'no Location: the redirect is the response');
  assert_false(r.redirected);
  assert_equals(await r.text(), 'redirecting');
}, 'a redirect status without Location is the response itself');

promise_test(async () => {
  const r = await fetch(redirectURL('echo?relative=1'));
  assert_equals(r.url, endpoint('echo', { relative: 1 }));
  const up = await fetch(redirectURL('../_kpio/echo?up=1'));
  assert_equals(up.url, endpoint('echo', { up: 1 }));
  const abs = await fetch(redirectURL('/_kpio/echo?abs=1'));
  assert_equals(abs.url, endpoint('echo', { abs: 1 }));
}, 'Location is resolved against the URL that redirected');

promise_test(async () => {
  const target = OTHER.replace('http:', '') + '/_kpio/echo?acao=*&scheme=relative';
  const r = await fetch(redirectURL(target));
  assert_equals(r.url, 'http:' + target);
  assert_equals(r.type, 'cors');
}, 'a scheme-relative Location goes to its host');

promise_test(async () => {
  const r = await fetch(redirectURL('/_kpio/echo?frag=1#part'));
  assert_equals(r.url, endpoint('echo', { frag: 1 }), 'response.url has no fragment');
  const j = await echoed(r);
  assert_equals(j.url, '/_kpio/echo?frag=1', 'the fragment is never sent');
}, 'a Location with a fragment: the fragment is neither sent nor in response.url');

promise_test(async () => {
  const r = await fetch(redirectURL('/_kpio/echo?kept=1') + '#mine');
  assert_equals(r.url, endpoint('echo', { kept: 1 }));
}, 'the request\'s fragment carries over, and is not in response.url either');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(redirectURL('http://[bad')));
}, 'a Location that is not a URL: a network error');

for (const target of ['data:text/plain,hi', 'about:blank', 'javascript:1', 'ftp://127.0.0.1/x', 'file:///etc/hosts']) {
  promise_test(async (t) => {
    await promise_rejects_js(t, TypeError, fetch(redirectURL(target)));
  }, `a redirect to ${target.split(':')[0]}: is a network error`);
}

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(redirectURL(endpoint('echo')), { redirect: 'error' }));
}, 'redirect mode "error": a redirect is a network error');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(endpoint('redirect', { status: 302 }), { redirect: 'error' }));
}, 'redirect mode "error": a redirect status without Location is a network error too');

promise_test(async () => {
  const url = redirectURL(endpoint('echo'), { header: 'X-Hop:1' });
  const r = await fetch(url, { redirect: 'manual' });
  assert_equals(r.type, 'opaqueredirect');
  assert_equals(r.status, 0);
  assert_equals(r.statusText, '');
  assert_false(r.ok);
  assert_equals([...r.headers].length, 0, 'no headers');
  assert_equals(r.body, null);
  assert_equals(r.url, url);
  assert_false(r.redirected);
}, 'redirect mode "manual": an opaque-redirect response');

for (const status of [301, 303, 308]) {
  promise_test(async () => {
    const key = logKey();
    const r = await fetch(redirectURL(endpoint('echo', { log: key }), { status }), { redirect: 'manual', method: 'POST', body: 'x' });
    assert_equals(r.type, 'opaqueredirect');
    assert_equals((await serverLog(key)).length, 0, 'the redirect was not followed');
  }, `redirect mode "manual" does not follow a ${status}`);
}

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError,
    fetch(redirectURL(endpoint('echo'), {}, OTHER), { redirect: 'manual' }));
  const r = await fetch(redirectURL(endpoint('echo'), { acao: '*' }, OTHER), { redirect: 'manual' });
  assert_equals(r.type, 'opaqueredirect');
}, 'redirect mode "manual" across origins: the redirect must pass the CORS check');

for (const status of [300, 304, 305, 306]) {
  promise_test(async () => {
    const r = await fetch(redirectURL(endpoint('echo'), { status }));
    assert_equals(r.status, status, 'not a redirect status');
    assert_false(r.redirected);
  }, `${status} with a Location is not a redirect`);
}

promise_test(async () => {
  const r = await fetch(redirectURL(endpoint('echo'), { header: 'X-Hop:1' }));
  assert_false(r.headers.has('x-hop'));
  assert_equals(r.headers.get('content-type'), 'application/json');
}, 'the response has the last hop\'s headers only');

promise_test(async () => {
  const j = await echoed(await fetch(redirectURL(endpoint('echo')), { headers: { Authorization: 'Basic YTpi', 'X-Custom': 'c' } }));
  assert_equals(j.headers.authorization, 'Basic YTpi');
  assert_equals(j.headers['x-custom'], 'c');
}, 'a same-origin redirect keeps Authorization and the other headers');

promise_test(async () => {
  const target = endpoint('echo', { acao: '*', acah: 'x-custom' }, OTHER);
  const j = await echoed(await fetch(redirectURL(target), { headers: { Authorization: 'Basic YTpi', 'X-Custom': 'c' } }));
  assert_false('authorization' in j.headers, 'Authorization dropped');
  assert_equals(j.headers['x-custom'], 'c');
}, 'a redirect to another origin drops Authorization');

promise_test(async () => {
  const key = logKey();
  const back = endpoint('echo', { log: key, acao: '*' });
  const r = await fetch(redirectURL(redirectURL(back, { acao: '*' }, OTHER)), { headers: { Authorization: 'Basic YTpi' } });
  assert_equals(r.status, 200);
  const [seen] = await serverLog(key);
  assert_false('authorization' in seen.headers, 'gone for good once another origin was seen');
}, 'Authorization stays dropped after coming back to the first origin');

promise_test(async () => {
  const r = await fetch(redirectURL(endpoint('status', { code: 201, body: 'created' })));
  assert_equals(r.status, 201);
  assert_equals(await r.text(), 'created');
}, 'the body of the last hop is the response\'s');

promise_test(async () => {
  const r = await fetch(redirectURL(endpoint('status', { code: 204 }), { status: 303 }), { method: 'HEAD' });
  assert_equals(r.status, 204);
  assert_equals(r.body, null);
}, 'a 303 keeps HEAD');

promise_test(async (t) => {
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('s')); c.close(); } });
  await promise_rejects_js(t, TypeError,
    fetch(redirectURL(endpoint('echo'), { status: 307 }), { method: 'POST', body: stream, duplex: 'half' }));
}, 'a streamed body cannot follow a 307: a network error');

promise_test(async () => {
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('s')); c.close(); } });
  const r = await fetch(redirectURL(endpoint('echo'), { status: 303 }), { method: 'POST', body: stream, duplex: 'half' });
  const j = await echoed(r);
  assert_equals(j.method, 'GET');
  assert_equals(j.body, '');
}, 'a streamed body follows a 303 (it becomes a GET without body)');

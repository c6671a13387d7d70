// META: global=window,worker
// META: title=Request, Response and Body (Fetch Standard, sections 5.3 to 5.5)
'use strict';

const URL1 = 'https://example.test/x';

// ---------------------------------------------------------------------------------
// Body
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const r = new Response('héllo');
  assert_equals(r.headers.get('content-type'), 'text/plain;charset=UTF-8');
  assert_true(r.body instanceof ReadableStream);
  assert_false(r.bodyUsed);
  assert_equals(await r.text(), 'héllo');
  assert_true(r.bodyUsed);
}, 'A string body is UTF-8 with the text/plain;charset=UTF-8 content type');

promise_test(async () => {
  const r = new Response('héllo');
  const bytes = await r.bytes();
  assert_true(bytes instanceof Uint8Array);
  assert_array_equals(Array.from(bytes), [0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]);
}, 'bytes() gives a Uint8Array of the UTF-8 encoding');

promise_test(async () => {
  const buffer = await new Response('abc').arrayBuffer();
  assert_true(buffer instanceof ArrayBuffer);
  assert_array_equals(Array.from(new Uint8Array(buffer)), [97, 98, 99]);
}, 'arrayBuffer() gives an ArrayBuffer');

promise_test(async () => {
  const r = new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff]));
  assert_equals(await r.text(), 'a\ufffd');
}, 'text() strips a UTF-8 BOM and replaces invalid bytes');

promise_test(async () => {
  const r = new Response('{"a":[1,2],"b":null}');
  assert_object_equals(await r.json(), { a: [1, 2], b: null });
}, 'json() parses the body as JSON');

promise_test(async (t) => {
  await promise_rejects_js(t, SyntaxError, new Response('{nope').json());
}, 'json() rejects with SyntaxError on invalid JSON');

promise_test(async () => {
  const r = new Response();
  assert_equals(r.body, null);
  assert_false(r.bodyUsed);
  assert_equals(await r.text(), '');
  assert_false(r.bodyUsed);
  assert_equals((await r.arrayBuffer()).byteLength, 0);
  assert_equals(r.headers.get('content-type'), null);
}, 'A null body reads as empty, any number of times, and is never used');

promise_test(async (t) => {
  const r = new Response('x');
  await r.text();
  await promise_rejects_js(t, TypeError, r.text());
  await promise_rejects_js(t, TypeError, r.arrayBuffer());
  await promise_rejects_js(t, TypeError, r.json());
  await promise_rejects_js(t, TypeError, r.bytes());
}, 'Reading a used body rejects with TypeError');

promise_test(async (t) => {
  const r = new Response('x');
  r.body.getReader();
  assert_false(r.bodyUsed);
  await promise_rejects_js(t, TypeError, r.text());
}, 'Reading a locked body rejects with TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, Response.prototype.text.call({}));
  await promise_rejects_js(t, TypeError, Request.prototype.json.call(new Response('1')));
}, 'The body methods reject (not throw) on a wrong this');

promise_test(async () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const r = new Response(bytes);
  bytes[0] = 9;
  assert_equals(r.headers.get('content-type'), null);
  assert_array_equals(Array.from(await r.bytes()), [1, 2, 3]);
}, 'A typed array body is copied and has no content type');

promise_test(async () => {
  const buffer = new Uint8Array([1, 2, 3, 4, 5]).buffer;
  assert_array_equals(Array.from(await new Response(buffer).bytes()), [1, 2, 3, 4, 5]);
  assert_array_equals(Array.from(await new Response(new DataView(buffer, 1, 3)).bytes()), [2, 3, 4]);
  assert_array_equals(Array.from(await new Response(new Uint16Array(buffer, 0, 2)).bytes()), [1, 2, 3, 4]);
}, 'ArrayBuffer, DataView and typed array views: only the viewed bytes');

promise_test(async () => {
  const r = new Response(new URLSearchParams([['a', 'b c'], ['d', '&']]));
  assert_equals(r.headers.get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8');
  assert_equals(await r.text(), 'a=b+c&d=%26');
}, 'A URLSearchParams body is urlencoded');

promise_test(async () => {
  const r = new Response('x', { headers: { 'Content-Type': 'text/html' } });
  assert_equals(r.headers.get('content-type'), 'text/html');
}, 'An explicit Content-Type is not replaced');

promise_test(async () => {
  const r = new Response({ toString() { return 'obj'; } });
  assert_equals(r.headers.get('content-type'), 'text/plain;charset=UTF-8');
  assert_equals(await r.text(), 'obj');
  assert_equals(await new Response(42).text(), '42');
}, 'Any other object or primitive becomes a string');

promise_test(async () => {
  const enc = new TextEncoder();
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(enc.encode('ab'));
      c.enqueue(enc.encode('cd'));
      c.close();
    },
  });
  const r = new Response(stream);
  assert_equals(r.body, stream);
  assert_equals(r.headers.get('content-type'), null);
  assert_equals(await r.text(), 'abcd');
  assert_true(r.bodyUsed);
}, 'A ReadableStream body is used as it is');

promise_test(async (t) => {
  const stream = new ReadableStream({
    start(c) {
      c.enqueue('not bytes');
      c.close();
    },
  });
  await promise_rejects_js(t, TypeError, new Response(stream).text());
}, 'A stream chunk that is not a Uint8Array makes reading reject with TypeError');

promise_test(async (t) => {
  const locked = new ReadableStream();
  locked.getReader();
  assert_throws_js(TypeError, () => new Response(locked));
  const disturbed = new ReadableStream();
  disturbed.cancel();
  assert_throws_js(TypeError, () => new Response(disturbed));
}, 'A locked or disturbed ReadableStream cannot be a body');

promise_test(async () => {
  const r = new Response('chunked');
  const reader = r.body.getReader();
  let text = '';
  const dec = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    assert_true(value instanceof Uint8Array);
    text += dec.decode(value, { stream: true });
  }
  assert_equals(text, 'chunked');
  assert_true(r.bodyUsed);
}, 'The body stream gives Uint8Array chunks, and reading it makes the body used');

// ---------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------

test(() => {
  const r = new Request(URL1);
  assert_equals(r.method, 'GET');
  assert_equals(r.url, URL1);
  assert_equals(r.destination, '');
  assert_equals(r.referrer, 'about:client');
  assert_equals(r.referrerPolicy, '');
  assert_equals(r.mode, 'cors');
  assert_equals(r.credentials, 'same-origin');
  assert_equals(r.cache, 'default');
  assert_equals(r.redirect, 'follow');
  assert_equals(r.integrity, '');
  assert_false(r.keepalive);
  assert_false(r.isReloadNavigation);
  assert_false(r.isHistoryNavigation);
  assert_equals(r.duplex, 'half');
  assert_true(r.signal instanceof AbortSignal);
  assert_false(r.signal.aborted);
  assert_equals(r.body, null);
  assert_false(r.bodyUsed);
  assert_true(r.headers instanceof Headers);
  assert_array_equals([...r.headers], []);
}, 'A Request from a URL string has the default attributes');

test(() => {
  assert_equals(new Request('https://EXAMPLE.test/a/../b?q#frag').url, 'https://example.test/b?q#frag');
}, 'The URL is parsed and serialized, fragment included');

test(() => {
  assert_throws_js(TypeError, () => new Request('https://exa mple.test/'));
  assert_throws_js(TypeError, () => new Request('http://[::1'));
}, 'An unparsable URL is a TypeError');

test(() => {
  assert_throws_js(TypeError, () => new Request('https://user:pass@example.test/'));
  assert_throws_js(TypeError, () => new Request('https://user@example.test/'));
}, 'A URL with credentials is a TypeError');

test(() => {
  assert_throws_js(TypeError, () => new Request());
  assert_throws_js(TypeError, () => Request(URL1));
}, 'Request needs an argument and new');

test(() => {
  for (const m of ['delete', 'get', 'head', 'options', 'post', 'put']) {
    assert_equals(new Request(URL1, { method: m }).method, m.toUpperCase(), m);
  }
  assert_equals(new Request(URL1, { method: 'patch' }).method, 'patch');
  assert_equals(new Request(URL1, { method: 'Custom-Method' }).method, 'Custom-Method');
}, 'Methods: the six standard ones are uppercased, others kept as given');

test(() => {
  for (const m of ['CONNECT', 'connect', 'TRACE', 'trace', 'TRACK', 'Track']) {
    assert_throws_js(TypeError, () => new Request(URL1, { method: m }), m);
  }
}, 'CONNECT, TRACE and TRACK are forbidden methods');

test(() => {
  for (const m of ['', 'GE T', 'GET\n', 'a(b', 'é']) {
    assert_throws_js(TypeError, () => new Request(URL1, { method: m }), JSON.stringify(m));
  }
}, 'A method that is not a token is a TypeError');

test(() => {
  assert_throws_js(TypeError, () => new Request(URL1, { body: 'x' }));
  assert_throws_js(TypeError, () => new Request(URL1, { method: 'HEAD', body: 'x' }));
  assert_equals(new Request(URL1, { body: null }).body, null);
  assert_equals(new Request(URL1, { method: 'HEAD', body: undefined }).body, null);
}, 'GET and HEAD requests with a body are a TypeError; null and undefined bodies are none');

promise_test(async () => {
  const r = new Request(URL1, { method: 'POST', body: 'hi' });
  assert_equals(r.headers.get('content-type'), 'text/plain;charset=UTF-8');
  assert_true(r.body instanceof ReadableStream);
  assert_equals(await r.text(), 'hi');
  assert_true(r.bodyUsed);
}, 'A POST request with a string body');

test(() => {
  const init = {
    mode: 'same-origin', credentials: 'include', cache: 'no-store', redirect: 'manual',
    referrerPolicy: 'no-referrer', integrity: 'sha256-abc', keepalive: true,
  };
  const r = new Request(URL1, init);
  for (const [k, v] of Object.entries(init)) assert_equals(r[k], v, k);
}, 'The init members are reflected');

test(() => {
  assert_throws_js(TypeError, () => new Request(URL1, { mode: 'navigate' }));
  assert_throws_js(TypeError, () => new Request(URL1, { mode: 'bogus' }));
  assert_throws_js(TypeError, () => new Request(URL1, { credentials: 'bogus' }));
  assert_throws_js(TypeError, () => new Request(URL1, { cache: 'bogus' }));
  assert_throws_js(TypeError, () => new Request(URL1, { redirect: 'bogus' }));
  assert_throws_js(TypeError, () => new Request(URL1, { referrerPolicy: 'bogus' }));
}, "Invalid enum values and mode 'navigate' are TypeErrors");

test(() => {
  assert_throws_js(TypeError, () => new Request(URL1, { cache: 'only-if-cached' }));
  assert_equals(new Request(URL1, { cache: 'only-if-cached', mode: 'same-origin' }).cache, 'only-if-cached');
}, "'only-if-cached' needs mode 'same-origin'");

test(() => {
  assert_throws_js(TypeError, () => new Request(URL1, { mode: 'no-cors', method: 'PUT' }));
  assert_equals(new Request(URL1, { mode: 'no-cors', method: 'post' }).method, 'POST');
}, 'A no-cors request needs a CORS-safelisted method');

test(() => {
  assert_equals(new Request(URL1, { referrer: '' }).referrer, '');
  assert_equals(new Request(URL1, { referrer: 'about:client' }).referrer, 'about:client');
  assert_throws_js(TypeError, () => new Request(URL1, { referrer: 'https://exa mple.test/' }));
}, "referrer: '' is no referrer, about:client the client, an invalid URL a TypeError");

test(() => {
  const r = new Request(URL1, { headers: [['X-A', '1'], ['x-a', '2']] });
  assert_equals(r.headers.get('x-a'), '1, 2');
  assert_throws_js(TypeError, () => r.headers.append('bad name', 'v'));
}, 'Request headers come from init');

test(() => {
  const r = new Request(URL1, { headers: { 'X-Ok': '1', Cookie: 'a=b', Host: 'evil.test', 'Sec-X': '1' } });
  assert_array_equals([...r.headers.keys()], ['x-ok']);
  r.headers.set('Origin', 'https://evil.test');
  assert_false(r.headers.has('origin'));
}, "The 'request' guard drops forbidden request headers");

test(() => {
  const base = new Request(URL1, {
    method: 'PUT', headers: { 'X-A': '1' }, mode: 'same-origin', credentials: 'omit',
    cache: 'reload', redirect: 'error', integrity: 'i', referrerPolicy: 'origin',
  });
  const r = new Request(base);
  assert_equals(r.url, URL1);
  assert_equals(r.method, 'PUT');
  assert_equals(r.headers.get('x-a'), '1');
  assert_not_equals(r.headers, base.headers);
  assert_equals(r.mode, 'same-origin');
  assert_equals(r.credentials, 'omit');
  assert_equals(r.cache, 'reload');
  assert_equals(r.redirect, 'error');
  assert_equals(r.integrity, 'i');
  assert_equals(r.referrerPolicy, 'origin');
}, 'A Request from a Request copies its fields and headers');

test(() => {
  const base = new Request(URL1, { headers: { 'X-A': '1' }, referrerPolicy: 'origin' });
  const r = new Request(base, { method: 'POST', headers: { 'X-B': '2' } });
  assert_equals(r.method, 'POST');
  assert_false(r.headers.has('x-a'));
  assert_equals(r.headers.get('x-b'), '2');
  assert_equals(r.referrerPolicy, '');
  const keep = new Request(base, { cache: 'no-cache' });
  assert_equals(keep.headers.get('x-a'), '1');
}, 'init headers replace the input request\'s; a non-empty init resets the referrer policy');

promise_test(async () => {
  const base = new Request(URL1, { method: 'POST', body: 'payload' });
  const r = new Request(base);
  assert_true(base.bodyUsed);
  assert_equals(await r.text(), 'payload');
  assert_throws_js(TypeError, () => new Request(base));
}, 'A Request from a Request takes its body, which becomes used');

promise_test(async () => {
  const base = new Request(URL1, { method: 'POST', body: 'old' });
  const r = new Request(base, { body: 'new' });
  assert_false(base.bodyUsed);
  assert_equals(await r.text(), 'new');
  assert_equals(await base.text(), 'old');
}, 'An init body leaves the input request\'s body alone');

promise_test(async () => {
  const base = new Request(URL1, { method: 'POST', body: 'x' });
  await base.text();
  assert_throws_js(TypeError, () => new Request(base));
  assert_throws_js(TypeError, () => base.clone());
}, 'A used Request can be neither a new Request\'s input nor cloned');

test(() => {
  const base = new Request(URL1, { method: 'POST', body: 'x' });
  assert_throws_js(TypeError, () => new Request(base, { method: 'GET' }));
}, 'A GET request cannot take the input request\'s body');

test(() => {
  const body = new ReadableStream();
  assert_throws_js(TypeError, () => new Request(URL1, { method: 'POST', body }));
  const r = new Request(URL1, { method: 'POST', body, duplex: 'half' });
  assert_equals(r.body, body);
  assert_equals(r.duplex, 'half');
  assert_throws_js(TypeError, () => new Request(URL1, { method: 'POST', body: new ReadableStream(), duplex: 'full' }));
}, "A stream body needs duplex 'half'");

test(() => {
  assert_throws_js(TypeError, () => new Request(URL1, {
    method: 'POST', body: new ReadableStream(), duplex: 'half', keepalive: true,
  }));
}, 'A keepalive request cannot have a stream body');

test(() => {
  assert_throws_js(TypeError, () => new Request(URL1, { signal: {} }));
  assert_throws_js(TypeError, () => new Request(URL1, { window: {} }));
  assert_equals(new Request(URL1, { window: null }).url, URL1);
}, 'signal must be an AbortSignal, window null');

test(() => {
  const controller = new AbortController();
  const r = new Request(URL1, { signal: controller.signal });
  assert_not_equals(r.signal, controller.signal);
  assert_false(r.signal.aborted);
  controller.abort('why');
  assert_true(r.signal.aborted);
  assert_equals(r.signal.reason, 'why');
}, "The request's signal follows init's signal");

test(() => {
  const controller = new AbortController();
  const base = new Request(URL1, { signal: controller.signal });
  const r = new Request(base);
  const clone = r.clone();
  controller.abort();
  assert_true(r.signal.aborted);
  assert_true(clone.signal.aborted);
}, "A Request from a Request, and a clone, follow the input's signal");

test(() => {
  const r = new Request(URL1, { signal: AbortSignal.abort('early') });
  assert_true(r.signal.aborted);
  assert_equals(r.signal.reason, 'early');
}, 'An aborted signal gives an aborted request signal');

promise_test(async () => {
  const r = new Request(URL1, { method: 'POST', body: 'twice', headers: { 'X-A': '1' } });
  const c = r.clone();
  assert_true(c instanceof Request);
  assert_equals(c.method, 'POST');
  assert_equals(c.url, URL1);
  assert_equals(c.headers.get('x-a'), '1');
  assert_not_equals(c.headers, r.headers);
  assert_equals(await c.text(), 'twice');
  assert_equals(await r.text(), 'twice');
}, 'Request clone() copies everything and tees the body');

test(() => {
  const r = new Request(URL1);
  assert_equals(String(r), '[object Request]');
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(Request.prototype, 'url').get.call({}));
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(Request.prototype, 'body').get.call({}));
}, 'Request brand checks and toStringTag');

// ---------------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------------

test(() => {
  const r = new Response();
  assert_equals(r.type, 'default');
  assert_equals(r.url, '');
  assert_false(r.redirected);
  assert_equals(r.status, 200);
  assert_true(r.ok);
  assert_equals(r.statusText, '');
  assert_true(r.headers instanceof Headers);
  assert_equals(r.body, null);
}, 'A new Response has the default attributes');

test(() => {
  const r = new Response(null, { status: 404, statusText: 'Not Found', headers: { 'X-A': '1' } });
  assert_equals(r.status, 404);
  assert_false(r.ok);
  assert_equals(r.statusText, 'Not Found');
  assert_equals(r.headers.get('x-a'), '1');
  assert_true(new Response(null, { status: 299 }).ok);
  assert_false(new Response(null, { status: 300 }).ok);
}, 'status, statusText and headers come from init; ok is 200 to 299');

test(() => {
  for (const status of [0, 100, 199, 600, 999]) {
    assert_throws_js(RangeError, () => new Response(null, { status }), String(status));
  }
  assert_equals(new Response(null, { status: 599 }).status, 599);
}, 'A status outside 200..599 is a RangeError');

test(() => {
  assert_throws_js(TypeError, () => new Response(null, { statusText: 'a\nb' }));
  assert_throws_js(TypeError, () => new Response(null, { statusText: 'a\rb' }));
  assert_throws_js(TypeError, () => new Response(null, { statusText: '\u0100' }));
  assert_equals(new Response(null, { statusText: 'tab\tand \xff' }).statusText, 'tab\tand \xff');
}, 'statusText must match reason-phrase');

test(() => {
  for (const status of [204, 205, 304]) {
    assert_throws_js(TypeError, () => new Response('x', { status }), String(status));
    assert_throws_js(TypeError, () => new Response('', { status }), `empty string, ${status}`);
    assert_equals(new Response(null, { status }).status, status);
  }
}, 'A null body status with a body is a TypeError');

test(() => {
  const r = new Response('x');
  r.headers.append('X-B', '2');
  r.headers.append('Set-Cookie', 'a=b');
  assert_equals(r.headers.get('x-b'), '2');
  assert_false(r.headers.has('set-cookie'));
}, "The 'response' guard drops Set-Cookie");

test(() => {
  const r = Response.error();
  assert_equals(r.type, 'error');
  assert_equals(r.status, 0);
  assert_false(r.ok);
  assert_equals(r.statusText, '');
  assert_equals(r.url, '');
  assert_equals(r.body, null);
  assert_throws_js(TypeError, () => r.headers.append('a', 'b'));
}, 'Response.error() is a network error with immutable headers');

test(() => {
  const r = Response.redirect('https://example.test/a/../b');
  assert_equals(r.status, 302);
  assert_equals(r.headers.get('location'), 'https://example.test/b');
  assert_equals(r.type, 'default');
  assert_equals(r.body, null);
  assert_throws_js(TypeError, () => r.headers.set('location', 'x'));
  for (const status of [301, 303, 307, 308]) {
    assert_equals(Response.redirect(URL1, status).status, status);
  }
}, 'Response.redirect() sets Location and the status, with immutable headers');

test(() => {
  for (const status of [200, 300, 304, 309, 400]) {
    assert_throws_js(RangeError, () => Response.redirect(URL1, status), String(status));
  }
  assert_throws_js(TypeError, () => Response.redirect('https://exa mple.test/'));
}, 'Response.redirect(): other statuses are a RangeError, a bad URL a TypeError');

promise_test(async () => {
  const r = Response.json({ a: 1, b: ['x'] }, { status: 201, headers: { 'X-A': '1' } });
  assert_equals(r.status, 201);
  assert_equals(r.headers.get('content-type'), 'application/json');
  assert_equals(r.headers.get('x-a'), '1');
  assert_equals(await r.text(), '{"a":1,"b":["x"]}');
  const typed = Response.json('s', { headers: { 'Content-Type': 'text/json' } });
  assert_equals(typed.headers.get('content-type'), 'text/json');
}, 'Response.json() serializes data with the application/json content type');

test(() => {
  assert_throws_js(TypeError, () => Response.json(undefined));
  assert_throws_js(TypeError, () => Response.json(Symbol('s')));
  assert_throws_js(TypeError, () => Response.json(1n));
  assert_throws_js(TypeError, () => Response.json(null, { status: 204 }));
  assert_throws_js(RangeError, () => Response.json(null, { status: 100 }));
}, 'Response.json(): unserializable data, null body statuses and bad statuses throw');

promise_test(async () => {
  const r = new Response('data', { status: 201, statusText: 'Made', headers: { 'X-A': '1' } });
  const c = r.clone();
  assert_equals(c.status, 201);
  assert_equals(c.statusText, 'Made');
  assert_equals(c.headers.get('x-a'), '1');
  assert_not_equals(c.headers, r.headers);
  assert_equals(await r.text(), 'data');
  assert_equals(await c.text(), 'data');
}, 'Response clone() copies everything and tees the body');

test(() => {
  const c = Response.error().clone();
  assert_equals(c.type, 'error');
  assert_throws_js(TypeError, () => c.headers.append('a', 'b'));
}, 'A clone keeps the headers guard');

promise_test(async () => {
  const r = new Response('x');
  await r.text();
  assert_throws_js(TypeError, () => r.clone());
  const locked = new Response('y');
  locked.body.getReader();
  assert_throws_js(TypeError, () => locked.clone());
}, 'A used or locked Response cannot be cloned');

test(() => {
  assert_throws_js(TypeError, () => Response());
  assert_throws_js(TypeError, () => new Response(null, 5));
  assert_equals(String(new Response()), '[object Response]');
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(Response.prototype, 'status').get.call({}));
}, 'Response needs new, an object init, and checks its brand');

test(() => {
  for (const [proto, names] of [
    [Request.prototype, ['body', 'bodyUsed', 'arrayBuffer', 'bytes', 'text', 'json', 'clone', 'signal', 'duplex']],
    [Response.prototype, ['body', 'bodyUsed', 'arrayBuffer', 'bytes', 'text', 'json', 'clone', 'ok', 'redirected']],
  ]) {
    for (const name of names) {
      const d = Object.getOwnPropertyDescriptor(proto, name);
      assert_not_equals(d, undefined, name);
      assert_true(d.enumerable, name);
    }
  }
  assert_equals(typeof Response.error, 'function');
  assert_equals(typeof Response.redirect, 'function');
  assert_equals(typeof Response.json, 'function');
}, 'The Body mixin members are on both prototypes');

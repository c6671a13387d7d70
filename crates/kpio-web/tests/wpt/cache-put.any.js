// META: global=window,worker
// META: title=Cache.put (Service Workers, section 5.4.5, and "Batch Cache Operations")
// META: script=resources/cache-helpers.js
'use strict';

cache_test(async (cache) => {
  const result = await cache.put(new Request(url('a')), new Response('a'));
  assert_equals(result, undefined);
  assert_equals(await (await cache.match(url('a'))).text(), 'a');
}, 'put() with a Request resolves with undefined and stores the pair');

cache_test(async (cache) => {
  await cache.put(url('string'), new Response('s'));
  const keys = await cache.keys();
  assert_equals(keys.length, 1);
  assert_equals(keys[0].url, url('string'));
  assert_equals(keys[0].method, 'GET');
}, 'put() with a URL string stores a GET request for it');

cache_test(async (cache) => {
  await cache.put(url('replace'), new Response('old'));
  await cache.put(url('replace'), new Response('new'));
  const all = await cache.matchAll();
  assert_array_equals(await texts(all), ['new'], 'one entry, the new response');
}, 'put() replaces the entry of the same request');

cache_test(async (cache) => {
  await fill(cache, [
    [url('x?a'), new Response('1')], [url('y'), new Response('2')], [url('x?a'), new Response('3')],
  ]);
  assert_array_equals(urls(await cache.keys()), [url('y'), url('x?a')]);
  assert_array_equals(await texts(await cache.matchAll()), ['2', '3']);
}, 'put() of a request already cached moves it to the end');

cache_test(async (cache) => {
  await fill(cache, [[url('q?1'), new Response('1')], [url('q?2'), new Response('2')]]);
  assert_array_equals(urls(await cache.keys()), [url('q?1'), url('q?2')]);
}, 'put() of URLs differing in their query keeps both');

cache_test(async (cache) => {
  await cache.put(url('frag#one'), new Response('1'));
  await cache.put(url('frag#two'), new Response('2'));
  const keys = await cache.keys();
  assert_array_equals(urls(keys), [url('frag#two')], 'the fragment does not make another entry');
  assert_equals(await (await cache.match(url('frag'))).text(), '2');
}, 'put() of URLs differing in their fragment replaces, and keeps the request\'s URL');

// Chromium 156 keeps one entry per URL whatever Vary says (this fails there).
cache_test(async (cache) => {
  await cache.put(withHeaders('vary', { 'X-Lang': 'en' }), varying('en', 'X-Lang'));
  await cache.put(withHeaders('vary', { 'X-Lang': 'fr' }), varying('fr', 'X-Lang'));
  assert_equals((await cache.keys()).length, 2, 'Vary tells the two requests apart');
  assert_equals(await (await cache.match(withHeaders('vary', { 'X-Lang': 'fr' }))).text(), 'fr');
  assert_equals(await (await cache.match(withHeaders('vary', { 'X-Lang': 'en' }))).text(), 'en');
  await cache.put(withHeaders('vary', { 'X-Lang': 'en' }), varying('en 2', 'X-Lang'));
  assert_array_equals(await texts(await cache.matchAll(url('vary'), { ignoreVary: true })), ['fr', 'en 2'],
    'only the entry whose Vary matched was replaced');
}, 'put() replaces only the entries whose Vary header the new request matches');

cache_test(async (cache) => {
  await cache.put(withHeaders('novary', { 'X-Lang': 'en' }), new Response('en'));
  await cache.put(withHeaders('novary', { 'X-Lang': 'fr' }), new Response('fr'));
  assert_array_equals(await texts(await cache.matchAll()), ['fr']);
}, 'put() without Vary replaces whatever the request headers');

cache_test(async (cache) => {
  const request = withHeaders('stored-headers', { 'X-Token': 't1', 'Accept': 'text/plain' });
  await cache.put(request, new Response('h'));
  const [key] = await cache.keys();
  assert_equals(key.headers.get('x-token'), 't1');
  assert_equals(key.headers.get('accept'), 'text/plain');
}, 'put() keeps the request\'s headers');

cache_test(async (cache, t) => {
  const post = new Request(url('post'), { method: 'POST', body: 'x' });
  await promise_rejects_js(t, TypeError, cache.put(post, new Response('p')));
  const put = new Request(url('put'), { method: 'PUT' });
  await promise_rejects_js(t, TypeError, cache.put(put, new Response('p')));
  const head = new Request(url('head'), { method: 'HEAD' });
  await promise_rejects_js(t, TypeError, cache.put(head, new Response('p')));
  assert_array_equals(await cache.keys(), []);
}, 'put() of a request whose method is not GET rejects with TypeError');

cache_test(async (cache, t) => {
  for (const u of ['data:text/plain,x', 'ftp://example.test/x', 'about:blank', 'blob:https://example.test/x',
    'file:///tmp/x', 'ws://example.test/']) {
    await promise_rejects_js(t, TypeError, cache.put(u, new Response('x')), u);
  }
  assert_array_equals(await cache.keys(), []);
}, 'put() of a URL that is not http or https rejects with TypeError');

cache_test(async (cache) => {
  await cache.put('http://example.test/plain', new Response('h'));
  assert_equals(await (await cache.match('http://example.test/plain')).text(), 'h');
  assert_equals(await cache.match('https://example.test/plain'), undefined, 'the scheme counts');
}, 'put() of an http URL');

cache_test(async (cache, t) => {
  await promise_rejects_js(t, TypeError, cache.put(url('partial'), new Response('p', { status: 206 })));
  assert_equals(await cache.match(url('partial')), undefined);
}, 'put() of a 206 response rejects with TypeError');

cache_test(async (cache, t) => {
  for (const vary of ['*', 'X-A, *', ' * ', '*, X-B']) {
    await promise_rejects_js(t, TypeError, cache.put(url('star'), varying('s', vary)), vary);
  }
  const two = new Response('s', { headers: [['Vary', 'X-A'], ['Vary', '*']] });
  await promise_rejects_js(t, TypeError, cache.put(url('star'), two), 'in a second Vary header');
  assert_equals(await cache.match(url('star')), undefined);
}, 'put() of a response with Vary: * rejects with TypeError');

cache_test(async (cache) => {
  await cache.put(url('quoted'), varying('q', '"*"'));
  assert_equals((await cache.keys()).length, 1);
}, 'put() of a response whose Vary has a quoted "*" is no Vary: *');

cache_test(async (cache) => {
  for (const status of [200, 201, 204, 301, 404, 500]) {
    const body = status === 204 ? null : `status ${status}`;
    await cache.put(url(`status-${status}`), new Response(body, { status }));
    assert_equals((await cache.match(url(`status-${status}`))).status, status);
  }
}, 'put() takes responses of any status but 206');

cache_test(async (cache) => {
  const response = new Response('body');
  const done = cache.put(url('consumes'), response);
  assert_true(response.bodyUsed, 'the body is used at once');
  assert_true(response.body.locked, 'and locked');
  await done;
  assert_true(response.bodyUsed);
}, 'put() reads the response\'s body');

cache_test(async (cache, t) => {
  const response = new Response('used');
  await response.text();
  await promise_rejects_js(t, TypeError, cache.put(url('used'), response));
  assert_equals(await cache.match(url('used')), undefined);
}, 'put() of a response whose body was read rejects with TypeError');

cache_test(async (cache, t) => {
  const response = new Response('locked');
  const reader = response.body.getReader();
  await promise_rejects_js(t, TypeError, cache.put(url('locked'), response));
  reader.releaseLock();
  assert_equals(await cache.match(url('locked')), undefined);
}, 'put() of a response whose body is locked rejects with TypeError');

cache_test(async (cache) => {
  const response = new Response('clone');
  await cache.put(url('clone'), response.clone());
  assert_false(response.bodyUsed);
  assert_equals(await response.text(), 'clone');
  assert_equals(await (await cache.match(url('clone'))).text(), 'clone');
}, 'put() of a clone leaves the original readable');

cache_test(async (cache) => {
  const chunks = ['Hel', 'lo, ', 'stream'];
  const stream = new ReadableStream({
    pull(controller) {
      if (chunks.length === 0) controller.close();
      else controller.enqueue(new TextEncoder().encode(chunks.shift()));
    },
  });
  await cache.put(url('stream'), new Response(stream));
  assert_equals(await (await cache.match(url('stream'))).text(), 'Hello, stream');
}, 'put() of a streamed body stores all its chunks');

cache_test(async (cache) => {
  const stream = new ReadableStream({ pull(c) { c.error(new RangeError('broken')); } });
  let rejected = false;
  await cache.put(url('broken'), new Response(stream)).catch(() => { rejected = true; });
  assert_true(rejected, 'put() rejects');
  assert_equals(await cache.match(url('broken')), undefined, 'and stores nothing');
}, 'put() of a body stream that errors rejects and stores nothing');

cache_test(async (cache, t) => {
  const stream = new ReadableStream({ pull(c) { c.enqueue('not bytes'); } });
  await cache.put(url('strings'), new Response(stream)).then(
    () => assert_unreached('a chunk that is not a Uint8Array'), () => {});
  assert_equals(await cache.match(url('strings')), undefined);
}, 'put() of a body stream of strings rejects and stores nothing');

cache_test(async (cache, t) => {
  await promise_rejects_js(t, TypeError, cache.put(url('x')), 'no response');
  await promise_rejects_js(t, TypeError, cache.put(url('x'), 'text'), 'a string');
  await promise_rejects_js(t, TypeError, cache.put(url('x'), { status: 200 }), 'an object');
  await promise_rejects_js(t, TypeError, cache.put(url('x'), new Request(url('x'))), 'a Request');
  await promise_rejects_js(t, TypeError, cache.put('https://[invalid', new Response('x')), 'a bad URL');
  await promise_rejects_js(t, TypeError, Cache.prototype.put.call({}, url('x'), new Response('x')));
  assert_array_equals(await cache.keys(), []);
}, 'put() with bad arguments rejects with TypeError');

cache_test(async (cache) => {
  await cache.put(url('e'), Response.error());
  const r = await cache.match(url('e'));
  assert_equals(r.type, 'error');
}, 'put() of an error response stores it');

cache_test(async (cache) => {
  await cache.put(url('redirect'), Response.redirect(url('elsewhere'), 301));
  const r = await cache.match(url('redirect'));
  assert_equals(r.status, 301);
  assert_equals(r.headers.get('location'), url('elsewhere'));
}, 'put() of a redirect response keeps its Location');

cache_test(async (cache) => {
  await cache.put(url('json'), Response.json({ a: [1, 2] }));
  const r = await cache.match(url('json'));
  assert_equals(r.headers.get('content-type'), 'application/json');
  assert_object_equals(await r.json(), { a: [1, 2] });
}, 'put() of Response.json()');

cache_test(async (cache) => {
  await cache.put(url('r1'), new Response('one'));
  await cache.put(url('r2'), new Response('two'));
  await cache.put(url('r3'), new Response('three'));
  assert_array_equals(await texts(await cache.matchAll()), ['one', 'two', 'three']);
}, 'put() entries are kept in insertion order');

cache_test(async (cache) => {
  const other = await caches.open('put-other-cache');
  try {
    await cache.put(url('mine'), new Response('mine'));
    assert_equals(await other.match(url('mine')), undefined);
  } finally {
    await caches.delete('put-other-cache');
  }
}, 'put() into one cache leaves the others alone');

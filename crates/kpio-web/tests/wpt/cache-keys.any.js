// META: global=window,worker
// META: title=Cache.keys (Service Workers, section 5.4.7)
// META: script=resources/cache-helpers.js
'use strict';

cache_test(async (cache) => {
  const keys = await cache.keys();
  assert_true(Array.isArray(keys));
  assert_equals(keys.length, 0);
}, 'keys() of an empty cache is an empty array');

cache_test(async (cache) => {
  await fill(cache, [[url('c'), new Response('c')], [url('a'), new Response('a')], [url('b'), new Response('b')]]);
  assert_array_equals(urls(await cache.keys()), [url('c'), url('a'), url('b')]);
}, 'keys() lists the requests in insertion order');

cache_test(async (cache) => {
  await fill(cache, [[url('a'), new Response('a')], [url('b'), new Response('b')], [url('a'), new Response('a2')]]);
  assert_array_equals(urls(await cache.keys()), [url('b'), url('a')]);
}, 'keys() puts a replaced entry last');

cache_test(async (cache) => {
  await cache.put(url('req'), new Response('r'));
  const [request] = await cache.keys();
  assert_true(request instanceof Request);
  assert_equals(request.url, url('req'));
  assert_equals(request.method, 'GET');
  assert_false(request.bodyUsed);
  assert_equals(request.body, null);
}, 'keys() gives Request objects');

cache_test(async (cache) => {
  await cache.put(url('fresh'), new Response('f'));
  const [a] = await cache.keys();
  const [b] = await cache.keys();
  assert_not_equals(a, b);
  assert_not_equals(a.headers, b.headers);
}, 'keys() gives new Request objects each time');

cache_test(async (cache) => {
  await cache.put(withHeaders('headers', { 'X-One': '1', 'Accept': 'text/html' }), new Response('h'));
  const [request] = await cache.keys();
  assert_equals(request.headers.get('x-one'), '1');
  assert_equals(request.headers.get('accept'), 'text/html');
}, 'keys() gives the requests with their headers');

// Chromium 156 gives mutable headers (this fails there); the spec says immutable.
cache_test(async (cache) => {
  await cache.put(withHeaders('immutable', { 'X-One': '1' }), new Response('i'));
  const [request] = await cache.keys();
  assert_throws_js(TypeError, () => request.headers.set('X-One', '2'));
  assert_throws_js(TypeError, () => request.headers.delete('X-One'));
  assert_equals(request.headers.get('x-one'), '1');
}, 'keys() gives requests whose headers are immutable');

cache_test(async (cache) => {
  await cache.put(url('frag#part'), new Response('f'));
  const [request] = await cache.keys();
  assert_equals(request.url, url('frag#part'));
}, 'keys() gives the request\'s URL with its fragment');

cache_test(async (cache) => {
  await fill(cache, [[url('a'), new Response('a')], [url('b'), new Response('b')]]);
  assert_array_equals(urls(await cache.keys(undefined)), [url('a'), url('b')], 'undefined request');
  assert_array_equals(urls(await cache.keys(undefined, {})), [url('a'), url('b')], 'and empty options');
}, 'keys() with an undefined request lists everything');

cache_test(async (cache) => {
  await fill(cache, [[url('a'), new Response('a')], [url('b'), new Response('b')]]);
  assert_array_equals(urls(await cache.keys(url('b'))), [url('b')]);
  assert_array_equals(urls(await cache.keys(new Request(url('a')))), [url('a')]);
  assert_array_equals(await cache.keys(url('c')), []);
}, 'keys() with a request lists its matches');

cache_test(async (cache) => {
  await fill(cache, [[url('s?1'), new Response('1')], [url('t'), new Response('t')], [url('s?2'), new Response('2')]]);
  assert_array_equals(urls(await cache.keys(url('s'), { ignoreSearch: true })), [url('s?1'), url('s?2')]);
  assert_array_equals(urls(await cache.keys(url('s'))), []);
}, 'keys() with ignoreSearch');

cache_test(async (cache) => {
  await cache.put(url('m'), new Response('m'));
  const post = new Request(url('m'), { method: 'POST' });
  assert_array_equals(await cache.keys(post), []);
  assert_array_equals(urls(await cache.keys(post, { ignoreMethod: true })), [url('m')]);
}, 'keys() with a POST request: nothing, unless ignoreMethod');

// Chromium 156 keeps one entry per URL whatever Vary says (this fails there).
cache_test(async (cache) => {
  await fill(cache, [
    [withHeaders('v', { 'X-Lang': 'en' }), varying('en', 'X-Lang')],
    [withHeaders('v', { 'X-Lang': 'fr' }), varying('fr', 'X-Lang')],
    [url('v'), varying('none', 'X-Lang')],
  ]);
  const fr = await cache.keys(withHeaders('v', { 'X-Lang': 'fr' }));
  assert_array_equals(fr.map((r) => r.headers.get('x-lang')), ['fr']);
  const plain = await cache.keys(url('v'));
  assert_array_equals(plain.map((r) => r.headers.get('x-lang')), [null]);
  const all = await cache.keys(url('v'), { ignoreVary: true });
  assert_array_equals(all.map((r) => r.headers.get('x-lang')), ['en', 'fr', null]);
}, 'keys() with Vary, and with ignoreVary');

cache_test(async (cache) => {
  await cache.put(url('d'), new Response('d'));
  await cache.delete(url('d'));
  assert_array_equals(await cache.keys(), []);
}, 'keys() after delete() lists nothing');

cache_test(async (cache) => {
  const keys = await cache.keys();
  keys.push('mine');
  assert_equals(keys.length, 1, 'the array is the caller\'s');
  assert_array_equals(await cache.keys(), []);
}, 'keys() resolves with a new array the caller may change');

cache_test(async (cache, t) => {
  await promise_rejects_js(t, TypeError, cache.keys('https://[invalid'));
  await promise_rejects_js(t, TypeError, cache.keys(url('x'), 'bad'));
  await promise_rejects_js(t, TypeError, Cache.prototype.keys.call({}));
}, 'keys() rejects with TypeError: an invalid URL, bad options, another object');

cache_test(async (cache) => {
  await cache.put(url('used'), new Response('u'));
  const [request] = await cache.keys();
  const again = new Request(request);
  assert_equals(again.url, url('used'));
  assert_equals((await cache.match(request)).status, 200, 'a key matches its entry');
}, 'keys() gives requests that work as requests');

cache_test(async (cache) => {
  for (let i = 0; i < 50; i++) await cache.put(url(`many/${i}`), new Response(`${i}`));
  const keys = await cache.keys();
  assert_equals(keys.length, 50);
  assert_array_equals(urls(keys), Array.from({ length: 50 }, (_, i) => url(`many/${i}`)));
}, 'keys() of fifty entries, in order');

cache_test(async (cache) => {
  await cache.put('http://example.test/cache/plain', new Response('h'));
  await cache.put(url('secure'), new Response('s'));
  assert_array_equals(urls(await cache.keys()), ['http://example.test/cache/plain', url('secure')]);
}, 'keys() keeps http and https URLs apart');

cache_test(async (cache) => {
  await fill(cache, [[url('h?1'), new Response('1')], [url('h?2'), new Response('2')]]);
  const head = new Request(url('h'), { method: 'HEAD' });
  assert_array_equals(urls(await cache.keys(head, { ignoreMethod: true, ignoreSearch: true })),
    [url('h?1'), url('h?2')]);
}, 'keys() with ignoreMethod and ignoreSearch together');

promise_test(async () => {
  const name = 'keys-doomed-cache';
  const cache = await caches.open(name);
  await cache.put(url('doomed'), new Response('d'));
  await caches.delete(name);
  assert_array_equals(urls(await cache.keys()), [url('doomed')]);
}, 'keys() of a cache deleted from CacheStorage still lists its requests');

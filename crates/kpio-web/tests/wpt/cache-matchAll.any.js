// META: global=window,worker
// META: title=Cache.matchAll (Service Workers, section 5.4.2)
// META: script=resources/cache-helpers.js
'use strict';

cache_test(async (cache) => {
  const all = await cache.matchAll();
  assert_true(Array.isArray(all));
  assert_equals(all.length, 0);
}, 'matchAll() of an empty cache is an empty array');

cache_test(async (cache) => {
  await fill(cache, [[url('b'), new Response('b')], [url('a'), new Response('a')], [url('c'), new Response('c')]]);
  assert_array_equals(await texts(await cache.matchAll()), ['b', 'a', 'c']);
}, 'matchAll() without a request gives every response in insertion order');

cache_test(async (cache) => {
  await fill(cache, [[url('a'), new Response('a')], [url('b'), new Response('b')]]);
  assert_array_equals(await texts(await cache.matchAll(undefined)), ['a', 'b']);
  assert_array_equals(await texts(await cache.matchAll(undefined, {})), ['a', 'b']);
  assert_array_equals(await texts(await cache.matchAll(undefined, { ignoreSearch: true })), ['a', 'b']);
}, 'matchAll() with an undefined request gives every response');

cache_test(async (cache) => {
  await fill(cache, [[url('a'), new Response('a')], [url('b'), new Response('b')]]);
  assert_array_equals(await texts(await cache.matchAll(url('b'))), ['b']);
  assert_array_equals(await texts(await cache.matchAll(new Request(url('a')))), ['a']);
}, 'matchAll() by URL and by Request');

cache_test(async (cache) => {
  await cache.put(url('a'), new Response('a'));
  assert_array_equals(await cache.matchAll(url('missing')), []);
}, 'matchAll() without a match is an empty array');

cache_test(async (cache) => {
  await fill(cache, [
    [url('s?1'), new Response('1')], [url('t'), new Response('t')], [url('s'), new Response('2')],
    [url('s?3'), new Response('3')],
  ]);
  assert_array_equals(await texts(await cache.matchAll(url('s?9'), { ignoreSearch: true })), ['1', '2', '3']);
  assert_array_equals(await texts(await cache.matchAll(url('s?3'))), ['3']);
}, 'matchAll() with ignoreSearch gives every query\'s response in order');

cache_test(async (cache) => {
  await cache.put(url('frag#x'), new Response('f'));
  assert_array_equals(await texts(await cache.matchAll(url('frag#y'))), ['f']);
}, 'matchAll() ignores fragments');

cache_test(async (cache) => {
  await cache.put(url('m'), new Response('m'));
  for (const method of ['POST', 'HEAD', 'PUT', 'DELETE']) {
    const request = new Request(url('m'), { method });
    assert_array_equals(await cache.matchAll(request), [], method);
    assert_array_equals(await texts(await cache.matchAll(request, { ignoreMethod: true })), ['m'], method);
  }
}, 'matchAll() of a request whose method is not GET: nothing, unless ignoreMethod');

// Chromium 156 keeps one entry per URL whatever Vary says (this fails there).
cache_test(async (cache) => {
  await fill(cache, [
    [withHeaders('v', { 'X-Lang': 'en' }), varying('en', 'X-Lang')],
    [withHeaders('v', { 'X-Lang': 'fr' }), varying('fr', 'X-Lang')],
    [url('v'), varying('none', 'X-Lang')],
  ]);
  assert_array_equals(await texts(await cache.matchAll(url('v'))), ['none']);
  assert_array_equals(await texts(await cache.matchAll(withHeaders('v', { 'X-Lang': 'en' }))), ['en']);
  assert_array_equals(await texts(await cache.matchAll(url('v'), { ignoreVary: true })), ['en', 'fr', 'none']);
}, 'matchAll() with variants of one URL, and with ignoreVary');

// Chromium 156 keeps one entry per URL whatever Vary says (this fails there).
cache_test(async (cache) => {
  await fill(cache, [
    [withHeaders('pairs', { 'X-A': '1', 'X-B': '1' }), varying('11', 'X-A, X-B')],
    [withHeaders('pairs', { 'X-A': '1', 'X-B': '2' }), varying('12', 'X-A, X-B')],
    [withHeaders('pairs', { 'X-A': '2', 'X-B': '2' }), varying('22', 'X-A, X-B')],
  ]);
  assert_array_equals(await texts(await cache.matchAll(withHeaders('pairs', { 'X-A': '1', 'X-B': '2' }))), ['12']);
  assert_array_equals(await texts(await cache.matchAll(withHeaders('pairs', { 'X-A': '1' }))), []);
  assert_array_equals(await texts(await cache.matchAll(url('pairs'), { ignoreVary: true })), ['11', '12', '22']);
}, 'matchAll() with Vary naming two headers');

cache_test(async (cache) => {
  await cache.put(url('new'), new Response('n'));
  const [a] = await cache.matchAll();
  const [b] = await cache.matchAll();
  assert_not_equals(a, b);
  assert_equals(await a.text(), 'n');
  assert_equals(await b.text(), 'n');
}, 'matchAll() gives new responses each time');

cache_test(async (cache) => {
  const all = await cache.matchAll();
  all.push(new Response('mine'));
  assert_equals(all.length, 1);
  assert_array_equals(await cache.matchAll(), []);
}, 'matchAll() resolves with a new array the caller may change');

cache_test(async (cache) => {
  await fill(cache, [[url('1'), new Response('1')], [url('2'), new Response('2')], [url('1'), new Response('1b')]]);
  assert_array_equals(await texts(await cache.matchAll()), ['2', '1b']);
}, 'matchAll() after a replacement has it last');

cache_test(async (cache) => {
  await fill(cache, [
    [url('types/error'), Response.error()],
    [url('types/empty'), new Response(null, { status: 204 })],
    [url('types/ok'), new Response('ok', { status: 200, statusText: 'Fine' })],
  ]);
  const all = await cache.matchAll();
  assert_array_equals(all.map((r) => r.type), ['error', 'default', 'default']);
  assert_array_equals(all.map((r) => r.status), [0, 204, 200]);
  assert_array_equals(all.map((r) => r.statusText), ['', '', 'Fine']);
  assert_array_equals(all.map((r) => r.body === null), [true, true, false]);
}, 'matchAll() keeps each response\'s type, status and body');

// Chromium 156 gives mutable headers (this fails there); the spec says immutable.
cache_test(async (cache) => {
  await cache.put(url('imm'), new Response('i'));
  const [r] = await cache.matchAll();
  assert_throws_js(TypeError, () => r.headers.set('X-Nope', '1'));
}, 'matchAll() gives responses whose headers are immutable');

cache_test(async (cache, t) => {
  await promise_rejects_js(t, TypeError, cache.matchAll('https://[invalid'));
  await promise_rejects_js(t, TypeError, cache.matchAll(url('x'), false));
  await promise_rejects_js(t, TypeError, Cache.prototype.matchAll.call({}));
  await promise_rejects_js(t, TypeError, cache.matchAll(Symbol('s')));
}, 'matchAll() rejects with TypeError: an invalid URL, bad options, another object, a Symbol');

cache_test(async (cache) => {
  await fill(cache, [[url('x?1'), new Response('1')], [url('x?2'), new Response('2')]]);
  await cache.delete(url('x?1'));
  assert_array_equals(await texts(await cache.matchAll(url('x'), { ignoreSearch: true })), ['2']);
}, 'matchAll() after delete()');

cache_test(async (cache) => {
  const other = await caches.open('matchall-other-cache');
  try {
    await other.put(url('o'), new Response('other'));
    await cache.put(url('m'), new Response('mine'));
    assert_array_equals(await texts(await cache.matchAll()), ['mine']);
  } finally {
    await caches.delete('matchall-other-cache');
  }
}, 'matchAll() sees its own cache only');

cache_test(async (cache) => {
  const bodies = ['α', 'β'.repeat(1000), ''];
  for (const [i, b] of bodies.entries()) await cache.put(url(`body/${i}`), new Response(b));
  assert_array_equals(await texts(await cache.matchAll()), bodies);
}, 'matchAll() gives each body whole');

cache_test(async (cache) => {
  await fill(cache, [
    [withHeaders('both?1', { 'X-Lang': 'en' }), varying('en', 'X-Lang')],
    [url('both?2'), varying('none', 'X-Lang')],
  ]);
  assert_array_equals(await texts(await cache.matchAll(url('both'), { ignoreSearch: true })), ['none']);
  assert_array_equals(await texts(await cache.matchAll(url('both'), { ignoreSearch: true, ignoreVary: true })),
    ['en', 'none']);
}, 'matchAll() with ignoreSearch and ignoreVary together');

promise_test(async () => {
  const name = 'matchall-doomed-cache';
  const cache = await caches.open(name);
  await cache.put(url('doomed'), new Response('d'));
  await caches.delete(name);
  assert_array_equals(await texts(await cache.matchAll()), ['d']);
}, 'matchAll() of a cache deleted from CacheStorage still gives its responses');

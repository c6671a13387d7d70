// META: global=window,worker
// META: title=Cache.delete (Service Workers, section 5.4.6)
// META: script=resources/cache-helpers.js
'use strict';

cache_test(async (cache) => {
  await cache.put(url('a'), new Response('a'));
  assert_true(await cache.delete(url('a')));
  assert_equals(await cache.match(url('a')), undefined);
  assert_array_equals(await cache.keys(), []);
}, 'delete() of a cached URL resolves with true and removes it');

cache_test(async (cache) => {
  assert_false(await cache.delete(url('nothing')));
}, 'delete() on an empty cache resolves with false');

cache_test(async (cache) => {
  await cache.put(url('kept'), new Response('k'));
  assert_false(await cache.delete(url('other')));
  assert_array_equals(urls(await cache.keys()), [url('kept')]);
}, 'delete() of a URL not cached resolves with false and changes nothing');

cache_test(async (cache) => {
  const request = new Request(url('req'));
  await cache.put(request, new Response('r'));
  assert_true(await cache.delete(new Request(url('req'))));
  assert_equals(await cache.match(url('req')), undefined);
}, 'delete() by Request');

cache_test(async (cache) => {
  await cache.put(url('twice'), new Response('t'));
  assert_true(await cache.delete(url('twice')));
  assert_false(await cache.delete(url('twice')));
}, 'delete() twice: true, then false');

cache_test(async (cache) => {
  await fill(cache, [
    [url('s?1'), new Response('1')], [url('other'), new Response('o')], [url('s?2'), new Response('2')],
    [url('s'), new Response('3')],
  ]);
  assert_true(await cache.delete(url('s?9'), { ignoreSearch: true }));
  assert_array_equals(urls(await cache.keys()), [url('other')], 'every match went');
}, 'delete() with ignoreSearch removes every entry of the URL whatever its query');

cache_test(async (cache) => {
  await fill(cache, [[url('s?1'), new Response('1')], [url('s?2'), new Response('2')]]);
  assert_true(await cache.delete(url('s?1')));
  assert_array_equals(urls(await cache.keys()), [url('s?2')]);
}, 'delete() without ignoreSearch removes only the exact query');

cache_test(async (cache) => {
  await cache.put(url('frag#a'), new Response('f'));
  assert_true(await cache.delete(url('frag#b')));
  assert_array_equals(await cache.keys(), []);
}, 'delete() ignores fragments');

cache_test(async (cache) => {
  await cache.put(url('post'), new Response('p'));
  const post = new Request(url('post'), { method: 'POST' });
  assert_false(await cache.delete(post));
  assert_array_equals(urls(await cache.keys()), [url('post')], 'nothing went');
  assert_true(await cache.delete(post, { ignoreMethod: true }));
  assert_array_equals(await cache.keys(), []);
}, 'delete() of a POST request: false, unless ignoreMethod');

cache_test(async (cache) => {
  await cache.put(withHeaders('vary', { 'X-Lang': 'en' }), varying('en', 'X-Lang'));
  assert_false(await cache.delete(withHeaders('vary', { 'X-Lang': 'fr' })));
  assert_false(await cache.delete(url('vary')));
  assert_true(await cache.delete(withHeaders('vary', { 'X-Lang': 'en' })));
}, 'delete() compares the headers the Vary header names');

cache_test(async (cache) => {
  await fill(cache, [
    [withHeaders('vary', { 'X-Lang': 'en' }), varying('en', 'X-Lang')],
    [withHeaders('vary', { 'X-Lang': 'fr' }), varying('fr', 'X-Lang')],
  ]);
  assert_true(await cache.delete(url('vary'), { ignoreVary: true }));
  assert_array_equals(await cache.keys(), [], 'both variants went');
}, 'delete() with ignoreVary removes every variant');

// Chromium 156 keeps one entry per URL whatever Vary says (this fails there).
cache_test(async (cache) => {
  await fill(cache, [
    [withHeaders('variant', { 'X-Lang': 'en' }), varying('en', 'X-Lang')],
    [withHeaders('variant', { 'X-Lang': 'fr' }), varying('fr', 'X-Lang')],
  ]);
  assert_true(await cache.delete(withHeaders('variant', { 'X-Lang': 'fr' })));
  assert_array_equals(await texts(await cache.matchAll()), ['en']);
}, 'delete() of one variant keeps the others');

cache_test(async (cache) => {
  const other = await caches.open('delete-other-cache');
  try {
    await other.put(url('both'), new Response('other'));
    await cache.put(url('both'), new Response('mine'));
    assert_true(await cache.delete(url('both')));
    assert_equals(await (await other.match(url('both'))).text(), 'other');
  } finally {
    await caches.delete('delete-other-cache');
  }
}, 'delete() removes from its own cache only');

cache_test(async (cache) => {
  await fill(cache, [[url('1'), new Response('1')], [url('2'), new Response('2')], [url('3'), new Response('3')]]);
  assert_true(await cache.delete(url('2')));
  await cache.put(url('2'), new Response('2 again'));
  assert_array_equals(urls(await cache.keys()), [url('1'), url('3'), url('2')]);
}, 'delete() then put() puts the entry last');

cache_test(async (cache) => {
  await cache.put(url('x'), new Response('x'));
  const request = new Request(url('x'));
  assert_true(await cache.delete(request));
  assert_false(request.bodyUsed);
  assert_equals(request.url, url('x'));
}, 'delete() leaves its Request as it was');

cache_test(async (cache, t) => {
  await promise_rejects_js(t, TypeError, cache.delete());
  await promise_rejects_js(t, TypeError, cache.delete('https://[invalid'));
  await promise_rejects_js(t, TypeError, cache.delete(url('x'), 3));
  await promise_rejects_js(t, TypeError, Cache.prototype.delete.call({}, url('x')));
}, 'delete() rejects with TypeError: no argument, an invalid URL, bad options, another object');

cache_test(async (cache) => {
  await cache.put(url('opts'), new Response('o'));
  assert_true(await cache.delete(url('opts'), null));
}, 'delete() takes null options');

cache_test(async (cache) => {
  await fill(cache, [[url('p?a'), new Response('a')], [url('p?b'), new Response('b')]]);
  const head = new Request(url('p'), { method: 'HEAD' });
  assert_true(await cache.delete(head, { ignoreMethod: true, ignoreSearch: true }));
  assert_array_equals(await cache.keys(), []);
}, 'delete() with several options together');

cache_test(async (cache) => {
  await cache.put(url('doomed'), new Response('d'));
  const name = 'delete-doomed-cache';
  const doomed = await caches.open(name);
  await doomed.put(url('doomed'), new Response('d'));
  await caches.delete(name);
  assert_true(await doomed.delete(url('doomed')), 'a deleted cache still works');
  assert_array_equals(await doomed.keys(), []);
}, 'delete() on a Cache whose cache was deleted from CacheStorage');

cache_test(async (cache) => {
  await fill(cache, [['http://example.test/cache/scheme', new Response('http')], [url('scheme'), new Response('https')]]);
  assert_true(await cache.delete('http://example.test/cache/scheme'));
  assert_array_equals(urls(await cache.keys()), [url('scheme')]);
}, 'delete() of an http URL leaves the https one');

promise_test(async (t) => {
  const name = 'delete-storage-match';
  t.add_cleanup(() => caches.delete(name));
  const cache = await caches.open(name);
  await cache.put(url('seen'), new Response('s'));
  assert_not_equals(await caches.match(url('seen'), { cacheName: name }), undefined);
  await cache.delete(url('seen'));
  assert_equals(await caches.match(url('seen'), { cacheName: name }), undefined);
}, 'delete() is seen by CacheStorage.match()');

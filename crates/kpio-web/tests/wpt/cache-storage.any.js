// META: global=window,worker
// META: title=CacheStorage and the caches attribute (Service Workers, sections 5.3 and 5.5)
// META: script=resources/cache-helpers.js
'use strict';

// Each test uses cache names of its own: a file's tests share one CacheStorage.

test(() => {
  assert_true(caches instanceof CacheStorage);
  assert_equals(self.caches, self.caches, '[SameObject]');
  assert_equals(Object.prototype.toString.call(caches), '[object CacheStorage]');
}, 'caches is the global\'s one CacheStorage');

test(() => {
  const home = self.constructor.name === 'Window' ? self : WorkerGlobalScope.prototype;
  const d = Object.getOwnPropertyDescriptor(home, 'caches');
  assert_equals(typeof d.get, 'function');
  assert_equals(d.set, undefined);
  assert_true(d.enumerable);
  assert_true(d.configurable);
}, 'caches is a read-only accessor where WindowOrWorkerGlobalScope\'s attributes live');

test(() => {
  assert_throws_js(TypeError, () => new CacheStorage());
  assert_throws_js(TypeError, () => new Cache());
  assert_throws_js(TypeError, () => CacheStorage());
}, 'Cache and CacheStorage have no constructor');

test(() => {
  const lengths = { match: 1, has: 1, open: 1, delete: 1, keys: 0 };
  for (const [name, length] of Object.entries(lengths)) {
    const d = Object.getOwnPropertyDescriptor(CacheStorage.prototype, name);
    assert_equals(typeof d.value, 'function', name);
    assert_equals(d.value.length, length, `${name}.length`);
    assert_true(d.enumerable && d.writable && d.configurable, name);
  }
  assert_equals(CacheStorage.prototype[Symbol.toStringTag], 'CacheStorage');
}, 'CacheStorage\'s operations and their lengths');

test(() => {
  const lengths = { match: 1, matchAll: 0, add: 1, addAll: 1, put: 2, delete: 1, keys: 0 };
  for (const [name, length] of Object.entries(lengths)) {
    const d = Object.getOwnPropertyDescriptor(Cache.prototype, name);
    assert_equals(typeof d.value, 'function', name);
    assert_equals(d.value.length, length, `${name}.length`);
  }
  assert_equals(Cache.prototype[Symbol.toStringTag], 'Cache');
}, 'Cache\'s operations and their lengths');

promise_test(async (t) => {
  t.add_cleanup(() => caches.delete('storage-open'));
  const cache = await caches.open('storage-open');
  assert_true(cache instanceof Cache);
  assert_array_equals(await cache.keys(), [], 'a new cache is empty');
}, 'open() makes a new cache and resolves with a Cache');

promise_test(async (t) => {
  t.add_cleanup(() => caches.delete('storage-twice'));
  const a = await caches.open('storage-twice');
  const b = await caches.open('storage-twice');
  assert_not_equals(a, b, 'a new Cache object each time');
  await a.put(url('shared'), new Response('one'));
  const r = await b.match(url('shared'));
  assert_equals(await r.text(), 'one', 'both objects are the same cache');
}, 'open() of an existing name gives a new Cache object for the same cache');

promise_test(async (t) => {
  t.add_cleanup(() => caches.delete(''));
  const cache = await caches.open('');
  assert_true(cache instanceof Cache);
  assert_true(await caches.has(''));
  assert_true((await caches.keys()).includes(''));
}, 'The empty string is a cache name');

promise_test(async (t) => {
  t.add_cleanup(() => Promise.all([caches.delete('undefined'), caches.delete('null'), caches.delete('42')]));
  await caches.open(undefined);
  await caches.open(null);
  await caches.open(42);
  assert_true(await caches.has('undefined'));
  assert_true(await caches.has('null'));
  assert_true(await caches.has('42'));
}, 'Cache names are DOMStrings: undefined, null and numbers become strings');

promise_test(async (t) => {
  const names = ['Ünïcødé', '\u{1F600} cache', 'x\ud800y'];
  t.add_cleanup(() => Promise.all(names.map((n) => caches.delete(n))));
  for (const n of names) await caches.open(n);
  for (const n of names) assert_true(await caches.has(n), n);
  assert_false(await caches.has('x\ufffdy'), 'a lone surrogate is kept, not replaced');
  const keys = await caches.keys();
  for (const n of names) assert_true(keys.includes(n), `keys() has ${n}`);
}, 'Cache names keep any code units, lone surrogates too');

promise_test(async (t) => {
  t.add_cleanup(() => caches.delete('storage-Case'));
  await caches.open('storage-Case');
  assert_true(await caches.has('storage-Case'));
  assert_false(await caches.has('storage-case'));
  assert_false(await caches.has('storage-Case '));
}, 'Cache names compare exactly (case and spaces count)');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, caches.open());
  await promise_rejects_js(t, TypeError, caches.has());
  await promise_rejects_js(t, TypeError, caches.delete());
  await promise_rejects_js(t, TypeError, caches.match());
}, 'open(), has(), delete() and match() need an argument (a rejection, not a throw)');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, caches.open(Symbol('s')));
  await promise_rejects_js(t, TypeError, caches.has(Symbol('s')));
}, 'A Symbol cache name is a TypeError rejection');

promise_test(async (t) => {
  const other = {};
  await promise_rejects_js(t, TypeError, CacheStorage.prototype.keys.call(other));
  await promise_rejects_js(t, TypeError, CacheStorage.prototype.open.call(other, 'x'));
  await promise_rejects_js(t, TypeError, CacheStorage.prototype.has.call(undefined, 'x'));
  await promise_rejects_js(t, TypeError, CacheStorage.prototype.match.call(other, url('x')));
}, 'CacheStorage\'s operations on another object reject with TypeError');

promise_test(async () => {
  assert_false(await caches.has('storage-never-opened'));
}, 'has() is false for a name never opened');

promise_test(async (t) => {
  t.add_cleanup(() => caches.delete('storage-has'));
  await caches.open('storage-has');
  assert_true(await caches.has('storage-has'));
}, 'has() is true once a cache is opened');

promise_test(async (t) => {
  const names = ['storage-order-b', 'storage-order-a', 'storage-order-c'];
  t.add_cleanup(() => Promise.all(names.map((n) => caches.delete(n))));
  for (const n of names) await caches.open(n);
  const keys = (await caches.keys()).filter((k) => k.startsWith('storage-order-'));
  assert_array_equals(keys, names, 'creation order, not sorted');
}, 'keys() lists the names in the order the caches were made');

promise_test(async (t) => {
  const names = ['storage-reopen-1', 'storage-reopen-2'];
  t.add_cleanup(() => Promise.all(names.map((n) => caches.delete(n))));
  for (const n of names) await caches.open(n);
  await caches.delete('storage-reopen-1');
  await caches.open('storage-reopen-1');
  const keys = (await caches.keys()).filter((k) => k.startsWith('storage-reopen-'));
  assert_array_equals(keys, ['storage-reopen-2', 'storage-reopen-1']);
}, 'A cache deleted and opened again is last in keys()');

promise_test(async () => {
  const keys = await caches.keys();
  assert_true(Array.isArray(keys));
  assert_not_equals(await caches.keys(), keys, 'a new array each time');
}, 'keys() resolves with a new array each time');

promise_test(async () => {
  await caches.open('storage-delete');
  assert_true(await caches.delete('storage-delete'), 'an existing cache');
  assert_false(await caches.has('storage-delete'));
  assert_false(await caches.delete('storage-delete'), 'it is gone');
  assert_false((await caches.keys()).includes('storage-delete'));
}, 'delete() removes a cache: true, then false');

promise_test(async () => {
  const cache = await caches.open('storage-doomed');
  await cache.put(url('doomed-1'), new Response('one'));
  assert_true(await caches.delete('storage-doomed'));
  // The Cache object still works on the deleted cache.
  await cache.put(url('doomed-2'), new Response('two'));
  assert_array_equals(urls(await cache.keys()), [url('doomed-1'), url('doomed-2')]);
  assert_equals(await (await cache.match(url('doomed-1'))).text(), 'one');
  // caches.match() no longer sees it.
  assert_equals(await caches.match(url('doomed-1')), undefined);
  // A new cache of that name starts empty.
  const again = await caches.open('storage-doomed');
  assert_array_equals(await again.keys(), []);
  await caches.delete('storage-doomed');
}, 'delete() dooms a cache: its Cache objects go on working, a reopened one is new');

promise_test(async (t) => {
  const names = ['storage-match-1', 'storage-match-2'];
  t.add_cleanup(() => Promise.all(names.map((n) => caches.delete(n))));
  const first = await caches.open(names[0]);
  const second = await caches.open(names[1]);
  await second.put(url('in-both'), new Response('second'));
  await first.put(url('in-both'), new Response('first'));
  await second.put(url('in-second'), new Response('only second'));
  assert_equals(await (await caches.match(url('in-both'))).text(), 'first', 'caches in creation order');
  assert_equals(await (await caches.match(url('in-second'))).text(), 'only second');
  assert_equals(await caches.match(url('in-neither')), undefined);
}, 'match() looks through the caches in creation order');

promise_test(async (t) => {
  const names = ['storage-named-1', 'storage-named-2'];
  t.add_cleanup(() => Promise.all(names.map((n) => caches.delete(n))));
  const first = await caches.open(names[0]);
  const second = await caches.open(names[1]);
  await first.put(url('named'), new Response('first'));
  await second.put(url('named'), new Response('second'));
  const r = await caches.match(url('named'), { cacheName: names[1] });
  assert_equals(await r.text(), 'second');
  assert_equals(await caches.match(url('in-first-only'), { cacheName: names[1] }), undefined);
}, 'match() with cacheName looks in that cache only');

promise_test(async () => {
  assert_equals(await caches.match(url('x'), { cacheName: 'storage-no-such-cache' }), undefined);
  assert_false(await caches.has('storage-no-such-cache'), 'match() makes no cache');
}, 'match() with the name of no cache resolves with undefined');

promise_test(async (t) => {
  t.add_cleanup(() => caches.delete('storage-options'));
  const cache = await caches.open('storage-options');
  await cache.put(url('opt?a=1'), new Response('a'));
  assert_equals(await caches.match(url('opt?b=2')), undefined);
  const r = await caches.match(url('opt?b=2'), { ignoreSearch: true });
  assert_equals(await r.text(), 'a');
  const r2 = await caches.match(url('opt'), { ignoreSearch: true, cacheName: 'storage-options' });
  assert_equals(await r2.text(), 'a');
}, 'match() passes the query options on to each cache');

promise_test(async (t) => {
  t.add_cleanup(() => caches.delete('storage-method'));
  const cache = await caches.open('storage-method');
  await cache.put(url('method'), new Response('m'));
  const post = new Request(url('method'), { method: 'POST' });
  assert_equals(await caches.match(post), undefined);
  const r = await caches.match(post, { ignoreMethod: true });
  assert_equals(await r.text(), 'm');
}, 'match() with a POST request matches nothing unless ignoreMethod');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, caches.match('https://[invalid'));
  await promise_rejects_js(t, TypeError, caches.match(url('x'), 7), 'options that are not an object');
}, 'match() with an invalid URL or options rejects with TypeError');

promise_test(async (t) => {
  t.add_cleanup(() => caches.delete('storage-fresh'));
  const cache = await caches.open('storage-fresh');
  await cache.put(url('fresh'), new Response('fresh'));
  const a = await caches.match(url('fresh'));
  const b = await caches.match(url('fresh'));
  assert_not_equals(a, b);
  assert_equals(await a.text(), 'fresh');
  assert_false(b.bodyUsed, 'reading one does not use the other');
  assert_equals(await b.text(), 'fresh');
}, 'match() gives a new Response each time');

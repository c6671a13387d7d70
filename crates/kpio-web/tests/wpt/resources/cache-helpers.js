// Helpers of the Cache API suites (cache-*.any.js).
'use strict';

// Absolute URLs: the runtime has no document URL to resolve relative ones against (in a
// browser these are cross-origin URLs, which a cache keeps as well).
const BASE = 'https://example.test/cache/';
const url = (path) => BASE + path;

let cacheSerial = 0;
// A promise_test given a new, empty cache of its own, deleted when the test ends.
function cache_test(fn, name) {
  promise_test(async (t) => {
    const cacheName = `cache-test-${++cacheSerial}: ${name}`;
    await caches.delete(cacheName);
    const cache = await caches.open(cacheName);
    t.add_cleanup(() => caches.delete(cacheName));
    return fn(cache, t);
  }, name);
}

// Puts each [request, response] pair, in order.
async function fill(cache, pairs) {
  for (const [request, response] of pairs) await cache.put(request, response);
}

// The bodies of responses, as text, in order.
function texts(responses) {
  return Promise.all(Array.from(responses, (r) => r.text()));
}

// The URLs of requests, in order.
function urls(requests) {
  return Array.from(requests, (r) => r.url);
}

// A response with a Vary header.
function varying(text, vary) {
  return new Response(text, { headers: { Vary: vary } });
}

// A request with headers.
function withHeaders(path, headers) {
  return new Request(url(path), { headers });
}

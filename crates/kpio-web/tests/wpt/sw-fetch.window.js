// META: title=Service workers: fetch events, respondWith() and the responses a page gets
// META: script=resources/sw-helpers.js
//
// Written from the Service Workers specification (W3C, Nightly): Handle Fetch (the
// fetch event's request, clientId, resultingClientId, preloadResponse and handled; not
// calling respondWith() means the network, unless the event was canceled), the FetchEvent
// interface (respondWith()'s checks and its network errors), ExtendableEvent.waitUntil()
// ("add lifetime promise": an event that is no longer active throws InvalidStateError),
// clients.get() and matchAll(); and from the Fetch Standard: "HTTP fetch" (the checks of
// a service worker's response: a network error for an error response, an opaque response
// to a request that is not no-cors, a CORS response to a same-origin request; a redirect
// status is followed, made an opaque redirect or refused as the request's redirect mode
// says) and "main fetch" (mode checks before the service worker is asked, the response
// filtered by the request's response tainting, a HEAD response has no body).
//
// The worker (resources/sw-fetch-worker.js) controls this page for the whole file. It
// answers requests whose URL has `sw=ROUTE`; what it saw comes back in its responses.
'use strict';

const FETCH_WORKER = `resources/sw-fetch-worker.js?${SW_ALLOW_ROOT}`;
const DATA = 'data from the network\n';
let controlRegistration = null;

promise_setup(async () => {
  const old = await navigator.serviceWorker.getRegistration();
  if (old) await old.unregister();
  const changed = swNextEvent(navigator.serviceWorker, 'controllerchange');
  controlRegistration = await navigator.serviceWorker.register(FETCH_WORKER, { scope: './' });
  await changed;
});

// The JSON the worker recorded under `key`.
async function recordedResult(key) {
  const r = await fetch(`resources/sw-data.txt?sw=result&key=${key}`);
  return r.json();
}

promise_test(async () => {
  const controller = navigator.serviceWorker.controller;
  assert_true(controller instanceof ServiceWorker);
  assert_equals(controller, controlRegistration.active);
  assert_equals(controller.scriptURL, swURL(FETCH_WORKER));
}, 'The page is controlled by the registration\'s active worker');

// -------------------------------------------------------------------------------------
// Responses the worker makes.
// -------------------------------------------------------------------------------------

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=text');
  assert_equals(r.status, 201);
  assert_equals(r.statusText, 'Made Here');
  assert_true(r.ok);
  assert_equals(r.headers.get('X-From'), 'worker');
  assert_equals(r.headers.get('Content-Type'), 'text/plain;charset=utf-8');
  assert_equals(r.type, 'basic', 'filtered as the request\'s basic tainting says');
  assert_equals(r.url, swURL('resources/made-up?sw=text'), 'a response with no URL gets the request\'s');
  assert_false(r.redirected);
  assert_equals(await r.text(), 'from the worker');
}, 'respondWith(new Response(...)): the page gets its status, headers and body');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=set-cookie');
  assert_equals(r.headers.get('Set-Cookie'), null, 'a basic filtered response has no Set-Cookie');
  assert_equals(r.headers.get('X-Other'), '1');
}, 'The response is basic filtered: no Set-Cookie');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=null-body');
  assert_equals(r.status, 204);
  assert_equals(r.body, null);
  assert_equals(r.headers.get('X-Empty'), 'yes');
  assert_equals(await r.text(), '');
}, 'A response with a null body reaches the page with a null body');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=stream');
  assert_equals(await r.text(), 'one two three');
}, 'A response whose body is a ReadableStream filled over time reaches the page whole');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=later');
  assert_equals(await r.text(), 'answered later');
}, 'respondWith() a promise that fulfils later');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=text', { method: 'HEAD' });
  assert_equals(r.status, 201);
  assert_equals(r.body, null, 'a response to HEAD has no body');
  assert_equals(await r.text(), '');
}, 'A response to a HEAD request has a null body, whatever the worker gave');

promise_test(async () => {
  const r = await fetch('resources/sw-data.txt?sw=network');
  assert_equals(r.status, 200);
  assert_equals(r.type, 'basic');
  assert_equals(r.url, swURL('resources/sw-data.txt?sw=network'));
  assert_equals(await r.text(), DATA);
}, 'respondWith(fetch(event.request)) passes the network\'s response through');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=network-other');
  assert_equals(r.url, swURL('resources/sw-data.txt'), 'the URL of the response the worker fetched');
  assert_equals(await r.text(), DATA);
}, 'A response the worker fetched from another URL keeps that URL');

promise_test(async () => {
  const r = await fetch('resources/sw-data.txt?sw=not-a-route');
  assert_equals(r.status, 200);
  assert_equals(await r.text(), DATA);
}, 'Without respondWith() the request goes to the network');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=reject'));
}, 'respondWith() a rejected promise: the page\'s fetch rejects with a TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=not-response'));
}, 'respondWith() something that is not a Response: TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=response-error'));
}, 'respondWith(Response.error()): TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=used-body'));
}, 'respondWith() a Response whose body was read: TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/sw-data.txt?sw=prevent-default'));
}, 'preventDefault() without respondWith(): a network error, not the network');

// -------------------------------------------------------------------------------------
// FetchEvent's own checks and promises.
// -------------------------------------------------------------------------------------

promise_test(async () => {
  await fetch('resources/made-up?sw=handled&key=respond');
  assert_equals(await recordedResult('handled-respond'), 'resolved');
}, 'handled resolves once the worker\'s response is given');

promise_test(async () => {
  const r = await fetch('resources/sw-data.txt?sw=handled&key=fallback');
  assert_equals(await r.text(), DATA);
  assert_equals(await recordedResult('handled-fallback'), 'resolved');
}, 'handled resolves when the request goes to the network');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=handled&key=reject'));
  assert_equals(await recordedResult('handled-reject'), 'rejected NetworkError');
}, 'handled rejects with a NetworkError when respondWith()\'s promise rejects');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=handled&key=prevent'));
  assert_equals(await recordedResult('handled-prevent'), 'rejected NetworkError');
}, 'handled rejects with a NetworkError when the event was canceled');

promise_test(async () => {
  const r = await fetch('resources/sw-data.txt?sw=late-respond&key=1');
  assert_equals(await r.text(), DATA, 'the request went to the network');
  assert_equals(await recordedResult('late-1'), 'InvalidStateError');
}, 'respondWith() after the listener returned throws an InvalidStateError');

promise_test(async () => {
  await fetch('resources/sw-data.txt?sw=late-wait-until&key=2');
  assert_equals(await recordedResult('late-2'), 'InvalidStateError');
}, 'waitUntil() after the listener returned, with no promise pending, throws an InvalidStateError');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=extended-wait-until&key=3');
  assert_equals(await r.text(), 'extended');
  assert_equals(await recordedResult('late-3'), 'none');
}, 'waitUntil() after the listener returned works while a lifetime promise is pending');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=twice');
  assert_equals(r.headers.get('X-Second-Call'), 'InvalidStateError');
  assert_equals(await r.text(), 'first');
}, 'A second respondWith() throws an InvalidStateError; the first one answers');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=stop');
  assert_equals(await r.text(), 'null', 'the second listener was not called');
  await fetch('resources/sw-data.txt?sw=pass-through');
  const again = await fetch('resources/made-up?sw=second-saw');
  assert_equals(await again.text(), 'pass-through', 'it is called when the first does not respond');
}, 'respondWith() stops the event\'s propagation to the other listeners');

// -------------------------------------------------------------------------------------
// What the worker sees.
// -------------------------------------------------------------------------------------

promise_test(async () => {
  const d = await (await fetch('resources/made-up?sw=echo')).json();
  assert_equals(d.method, 'GET');
  assert_equals(d.url, swURL('resources/made-up?sw=echo'));
  assert_equals(d.body, null);
  assert_equals(d.mode, 'cors');
  assert_equals(d.credentials, 'same-origin');
  assert_equals(d.cache, 'default');
  assert_equals(d.redirect, 'follow');
  assert_equals(d.referrer, location.href, 'the referrer was determined before the worker was asked');
  assert_equals(d.referrerPolicy, 'strict-origin-when-cross-origin',
    'an empty referrer policy became the policy container\'s before the worker was asked');
  assert_equals(d.destination, '');
  assert_equals(d.integrity, '');
  assert_false(d.keepalive);
  assert_false(d.isReloadNavigation);
  assert_false(d.isHistoryNavigation);
  assert_false(d.signalAborted);
}, 'The worker sees a plain fetch()\'s request as the page made it');

promise_test(async () => {
  const d = await (await fetch('resources/made-up?sw=echo', {
    method: 'POST',
    body: 'hello, worker',
    headers: { 'X-Test': 'yes', 'X-Multi': 'a' },
    mode: 'same-origin',
    credentials: 'omit',
    cache: 'no-store',
    redirect: 'manual',
    referrerPolicy: 'no-referrer',
    keepalive: true,
  })).json();
  assert_equals(d.method, 'POST');
  assert_equals(d.body, 'hello, worker');
  assert_false(d.bodyUsedBefore, 'the body was not read before the worker');
  const headers = new Map(d.headers);
  assert_equals(headers.get('x-test'), 'yes');
  assert_equals(headers.get('x-multi'), 'a');
  assert_equals(headers.get('content-type'), 'text/plain;charset=UTF-8');
  assert_equals(d.mode, 'same-origin');
  assert_equals(d.credentials, 'omit');
  assert_equals(d.cache, 'no-store');
  assert_equals(d.redirect, 'manual');
  assert_equals(d.referrerPolicy, 'no-referrer');
  assert_equals(d.referrer, '', 'no referrer under no-referrer');
  assert_true(d.keepalive);
}, 'The worker sees the request\'s method, body, headers, mode, credentials, cache, redirect, referrer policy and keepalive');

promise_test(async () => {
  const d = await (await fetch('resources/made-up?sw=echo', { method: 'PUT', body: 'x' })).json();
  assert_equals(d.method, 'PUT');
  const e = await (await fetch('resources/made-up?sw=echo', { mode: 'no-cors' })).json();
  assert_equals(e.mode, 'no-cors');
}, 'The worker sees other methods and no-cors requests');

promise_test(async () => {
  const d = await (await fetch('resources/made-up?sw=echo#the-fragment')).json();
  assert_equals(d.url, swURL('resources/made-up?sw=echo#the-fragment'));
}, 'The request\'s URL keeps its fragment');

promise_test(async () => {
  const d = await (await fetch('resources/made-up?sw=echo')).json();
  assert_equals(d.headersImmutable, 'TypeError');
}, 'The request\'s headers are immutable in the worker');

promise_test(async () => {
  const d = await (await fetch('resources/made-up?sw=echo')).json();
  assert_equals(d.cloneHeadersImmutable, 'TypeError');
}, 'A clone of the request has immutable headers too');

promise_test(async () => {
  const d = await (await fetch('resources/made-up?sw=event')).json();
  assert_equals(d.type, 'fetch');
  assert_true(d.isTrusted, 'isTrusted');
  assert_false(d.bubbles, 'bubbles');
  assert_true(d.cancelable, 'cancelable');
  assert_true(d.isFetchEvent, 'a FetchEvent');
  assert_true(d.isExtendableEvent, 'an ExtendableEvent');
  assert_true(d.sameRequest, 'request is [SameObject]');
  assert_true(d.target, 'dispatched at the global scope');
  assert_true(d.currentTarget, 'currentTarget');
  assert_equals(d.eventPhase, Event.AT_TARGET);
  assert_equals(d.clientIdType, 'string');
  assert_false(d.clientIdEmpty, 'a subresource request has its client\'s id');
  assert_equals(d.resultingClientId, '', 'only navigations have a resulting client');
  assert_equals(d.preloadResponse, 'undefined', 'preloadResponse resolves with undefined');
  assert_true(d.handledIsPromise, 'handled is a promise');
}, 'The fetch event: a trusted, cancelable FetchEvent with the client\'s id');

promise_test(async () => {
  const d = await (await fetch('resources/made-up?sw=event')).json();
  assert_equals(d.replacesClientId, '', 'only navigations replace a client');
}, 'The fetch event\'s replacesClientId is empty for a subresource request');

promise_test(async () => {
  const d = await (await fetch('resources/made-up?sw=event')).json();
  assert_not_equals(d.client, null, 'clients.get(event.clientId) finds the page');
  assert_true(d.client.id);
  assert_equals(d.client.url, location.href);
  assert_equals(d.client.type, 'window');
  assert_equals(d.client.frameType, 'top-level');
  assert_true(d.client.isWindowClient, 'a WindowClient');
  const me = d.matchAll.filter((c) => c.id);
  assert_equals(me.length, 1, 'clients.matchAll() lists the controlled page once');
  assert_equals(me[0].url, location.href);
}, 'clients.get(clientId) and clients.matchAll() find the page as a WindowClient');

// -------------------------------------------------------------------------------------
// Fetch's checks around the worker.
// -------------------------------------------------------------------------------------

promise_test(async () => {
  const url = swOtherOrigin('resources/made-up?sw=text');
  const r = await fetch(url);
  assert_equals(r.type, 'cors', 'a CORS request\'s response is CORS filtered');
  assert_equals(r.status, 201);
  assert_equals(r.headers.get('X-From'), null, 'a header the response does not expose');
  assert_equals(r.headers.get('Content-Type'), 'text/plain;charset=utf-8', 'a safelisted header');
  assert_equals(r.url, url);
  assert_equals(await r.text(), 'from the worker');
}, 'A controlled page\'s request to another origin goes to the worker; its response is CORS filtered');

promise_test(async () => {
  const r = await fetch(swOtherOrigin('resources/made-up?sw=text'), { mode: 'no-cors' });
  assert_equals(r.type, 'opaque');
  assert_equals(r.status, 0);
  assert_equals(r.body, null);
}, 'A no-cors request to another origin answered by the worker is opaque to the page');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch(swOtherOrigin('resources/made-up?sw=text&key=so'), { mode: 'same-origin' }));
  const seen = await (await fetch('resources/made-up?sw=seen')).json();
  assert_false(seen.some((u) => u.includes('key=so')), 'the worker never saw it');
}, 'A same-origin request to another origin fails before the worker is asked');

promise_test(async () => {
  const r = await fetch('data:text/plain,not%20intercepted');
  assert_equals(await r.text(), 'not intercepted');
  const seen = await (await fetch('resources/made-up?sw=seen')).json();
  assert_false(seen.some((u) => u.startsWith('data:')), 'the worker never saw it');
}, 'data: URLs are not given to the worker');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=opaque'));
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=opaque', { mode: 'same-origin' }));
  const r = await fetch('resources/made-up?sw=opaque', { mode: 'no-cors' });
  assert_equals(r.type, 'opaque');
  assert_equals(r.status, 0);
}, 'An opaque response answers only a no-cors request; otherwise a network error');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=cors', { mode: 'same-origin' }));
  const r = await fetch('resources/made-up?sw=cors');
  assert_equals(r.type, 'cors');
  assert_equals(await r.text(), DATA);
}, 'A CORS response to a same-origin request is a network error; a cors request takes it');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=redirect&key=follow');
  assert_true(r.redirected);
  assert_equals(r.url, swURL('resources/sw-data.txt?sw=text&redirected=follow'));
  assert_equals(r.status, 201, 'the redirected request went to the worker too');
  assert_equals(await r.text(), 'from the worker');
}, 'A redirect from the worker is followed, the new request going to the worker too');

promise_test(async () => {
  const r = await fetch('resources/made-up?sw=redirect&key=manual', { redirect: 'manual' });
  assert_equals(r.type, 'opaqueredirect');
  assert_equals(r.status, 0);
  assert_equals(r.url, swURL('resources/made-up?sw=redirect&key=manual'));
}, 'A redirect from the worker to a manual-redirect request is an opaque redirect');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, fetch('resources/made-up?sw=redirect&key=error', { redirect: 'error' }));
}, 'A redirect from the worker to an error-redirect request is a network error');

promise_test(async (t) => {
  const controller = new AbortController();
  const p = fetch('resources/made-up?sw=later', { signal: controller.signal });
  setTimeout(() => controller.abort(), 10);
  await promise_rejects_dom(t, 'AbortError', p);
}, 'Aborting a fetch the worker is still answering rejects it with an AbortError');

// -------------------------------------------------------------------------------------
// Caching strategies, written as ordinary service worker code.
// -------------------------------------------------------------------------------------

promise_test(async () => {
  const first = await fetch('resources/sw-data.txt?sw=cache-first');
  assert_equals(first.headers.get('X-Source'), null, 'the first answer is the network\'s');
  assert_equals(await first.text(), DATA);
  const second = await fetch('resources/sw-data.txt?sw=cache-first');
  assert_equals(second.headers.get('X-Source'), 'cache');
  assert_equals(await second.text(), DATA);
  const stats = await (await fetch('resources/made-up?sw=stats')).json();
  assert_equals(stats.networkCount, 1, 'the network was asked once');
}, 'Cache first: the network once, then the worker\'s copy');

promise_test(async (t) => {
  const online = await fetch('resources/sw-data.txt?sw=network-first');
  assert_equals(online.headers.get('X-Source'), null);
  assert_equals(await online.text(), DATA);
  const offline = await fetch('resources/sw-data.txt?sw=network-first&offline');
  assert_equals(offline.headers.get('X-Source'), 'cache', 'the copy when the network fails');
  assert_equals(await offline.text(), DATA);
  await promise_rejects_js(t, TypeError, fetch('resources/never-fetched.txt?sw=network-first&offline'),
    'nothing to fall back on');
}, 'Network first: the network while it answers, then the worker\'s copy');

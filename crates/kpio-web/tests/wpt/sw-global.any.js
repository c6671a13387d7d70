// META: global=serviceworker
// META: title=Service workers: the service worker's global scope and its events
//
// Written from the Service Workers specification (W3C, Nightly): ServiceWorkerGlobalScope
// (clients, registration, serviceWorker, skipWaiting(), the event handlers), the
// ExtendableEvent and FetchEvent interfaces (constructors, "add lifetime promise": an
// untrusted event or one no longer active throws InvalidStateError; respondWith()'s own
// checks), Clients (get(), matchAll() and its ClientQueryOptions, openWindow()'s checks,
// claim() by a worker that is not active), the install and activate events (Install,
// Activate), and WebIDL (interface objects, argument conversion, promise-returning
// operations reject instead of throwing).
//
// This file is the service worker: the page that registers it is not in its scope, as in
// WPT (scope "does/not/exist"), so it controls no page.
'use strict';

// What the worker and its registration look like while the script first runs: Update
// runs the script before Install makes the worker the registration's installing one.
const atEvaluation = {
  state: self.serviceWorker.state,
  installing: self.registration.installing,
  waiting: self.registration.waiting,
  active: self.registration.active,
};

// The install and activate events, as they come. The install event is held open (by a
// waitUntil() promise) until the subtests that need an installing worker have run.
const lifecycle = [];
let releaseInstall;
const installHeld = new Promise((resolve) => { releaseInstall = resolve; });
const installEvent = new Promise((resolve) => {
  self.addEventListener('install', (e) => {
    lifecycle.push(['install', self.serviceWorker.state,
      self.registration.installing === self.serviceWorker]);
    e.waitUntil(installHeld);
    resolve(e);
  });
});
const activateEvent = new Promise((resolve) => {
  self.addEventListener('activate', (e) => {
    lifecycle.push(['activate', self.serviceWorker.state,
      self.registration.active === self.serviceWorker]);
    resolve(e);
  });
});

test(() => {
  assert_equals(atEvaluation.state, 'parsed');
}, 'While its script first runs, the worker is "parsed"');

test(() => {
  assert_equals(atEvaluation.installing, null, 'installing');
  assert_equals(atEvaluation.waiting, null, 'waiting');
  assert_equals(atEvaluation.active, null, 'active');
}, 'While its script first runs, the new registration has no worker yet');

// -------------------------------------------------------------------------------------
// While the worker is installing.
// -------------------------------------------------------------------------------------

promise_test(async (t) => {
  await promise_rejects_dom(t, 'InvalidStateError', self.clients.claim());
}, 'clients.claim() by a worker that is not active rejects with an InvalidStateError');

promise_test(async (t) => {
  const e = await installEvent;
  assert_true(e instanceof ExtendableEvent);
  assert_equals(e.type, 'install');
  assert_true(e.isTrusted);
  assert_false(e.bubbles);
  assert_false(e.cancelable);
  assert_equals(e.target, self);
  const [, state, installing] = lifecycle[0];
  assert_equals(state, 'installing', 'the worker is installing');
  assert_true(installing, 'registration.installing is the worker');
}, 'The install event is a trusted ExtendableEvent, fired while the worker is installing');

promise_test(async (t) => {
  await installEvent;
  assert_equals(self.serviceWorker.state, 'installing');
  await promise_rejects_dom(t, 'InvalidStateError', self.registration.update());
}, 'registration.update() from an installing worker rejects with an InvalidStateError');

promise_test(async (t) => {
  const e = await installEvent;
  await new Promise((r) => setTimeout(r, 0));
  // Still active: a lifetime promise is pending.
  e.waitUntil(Promise.resolve());
  releaseInstall();
  await installHeld;
  // Once every lifetime promise settled (a microtask later), the event is over.
  await new Promise((r) => setTimeout(r, 0));
  assert_throws_dom('InvalidStateError', () => e.waitUntil(Promise.resolve()));
}, 'waitUntil() works after dispatch while a lifetime promise is pending, and throws an InvalidStateError after');

promise_test(async (t) => {
  const e = await activateEvent;
  assert_equals(e.constructor, ExtendableEvent);
  assert_equals(e.type, 'activate');
  assert_true(e.isTrusted);
  const [, state, active] = lifecycle[1];
  assert_equals(state, 'activating', 'the worker is activating');
  assert_true(active, 'registration.active is the worker');
  assert_array_equals(lifecycle.map((l) => l[0]), ['install', 'activate']);
}, 'The activate event follows: a trusted ExtendableEvent while the worker is activating');

promise_test(async (t) => {
  await activateEvent;
  await self.clients.claim();
}, 'clients.claim() by the active worker resolves');

// -------------------------------------------------------------------------------------
// The global scope.
// -------------------------------------------------------------------------------------

test(() => {
  assert_true(self instanceof ServiceWorkerGlobalScope);
  assert_true(self instanceof WorkerGlobalScope);
  assert_true(self instanceof EventTarget);
  assert_equals(Object.getPrototypeOf(self), ServiceWorkerGlobalScope.prototype);
  assert_throws_js(TypeError, () => new ServiceWorkerGlobalScope());
}, 'The global object is a ServiceWorkerGlobalScope');

// ServiceWorkerGlobalScope is a [Global] interface: WebIDL puts its attributes and
// operations on the global object itself, not on the interface's prototype.
test(() => {
  for (const name of ['clients', 'registration', 'serviceWorker']) {
    const d = Object.getOwnPropertyDescriptor(self, name);
    assert_not_equals(d, undefined, `${name} is an own property of the global`);
    assert_equals(typeof d.get, 'function', `${name} is an accessor`);
    assert_equals(d.set, undefined, `${name} is read-only`);
    assert_equals(self[name], self[name], `${name} is [SameObject]`);
  }
  assert_true(self.clients instanceof Clients);
  assert_true(self.registration instanceof ServiceWorkerRegistration);
  assert_true(self.serviceWorker instanceof ServiceWorker);
}, 'clients, registration and serviceWorker: read-only attributes of the global, always the same objects');

test(() => {
  const d = Object.getOwnPropertyDescriptor(self, 'skipWaiting');
  assert_not_equals(d, undefined, 'an own property of the global');
  assert_equals(typeof d.value, 'function');
  assert_true(d.writable);
  assert_true(d.enumerable);
  assert_true(d.configurable);
  assert_equals(d.value.length, 0);
}, 'skipWaiting is an operation of the global object itself');

test(() => {
  assert_equals(self.serviceWorker.scriptURL, self.location.href);
  assert_equals(self.registration.scope, new URL('does/not/exist', self.location.href).href);
  const newest = self.registration.installing || self.registration.waiting || self.registration.active;
  assert_equals(newest === null || newest === self.serviceWorker, true,
    'the registration\'s worker objects are the same objects as self.serviceWorker');
}, 'serviceWorker is this worker; registration is its registration');

test(() => {
  for (const name of ['oninstall', 'onactivate', 'onfetch', 'onmessage', 'onmessageerror']) {
    const d = Object.getOwnPropertyDescriptor(self, name);
    assert_not_equals(d, undefined, `${name} is an own property of the global`);
    assert_equals(typeof d.get, 'function', `${name} is an accessor`);
    assert_equals(typeof d.set, 'function', `${name} is writable`);
    assert_equals(self[name], null, `${name} starts as null`);
  }
}, 'The event handlers of ServiceWorkerGlobalScope');

promise_test(async () => {
  const a = self.skipWaiting();
  const b = self.skipWaiting();
  assert_true(a instanceof Promise);
  assert_not_equals(a, b, '[NewObject]');
  assert_equals(await a, undefined);
  assert_equals(await b, undefined);
}, 'skipWaiting() returns a new promise that resolves with undefined');

test(() => {
  for (const name of ['ExtendableEvent', 'FetchEvent', 'Clients', 'Client', 'WindowClient',
    'ServiceWorker', 'ServiceWorkerRegistration', 'ServiceWorkerGlobalScope']) {
    assert_equals(typeof self[name], 'function', name);
  }
  assert_false('Window' in self, 'Window');
}, 'The service worker interfaces are exposed');

test(() => {
  assert_throws_js(TypeError, () => new Clients());
  assert_throws_js(TypeError, () => new Client());
  assert_throws_js(TypeError, () => new WindowClient());
  assert_throws_js(TypeError, () => new ServiceWorker());
  assert_throws_js(TypeError, () => new ServiceWorkerRegistration());
}, 'Clients, Client, WindowClient, ServiceWorker and ServiceWorkerRegistration have no constructor');

test(() => {
  assert_true(WindowClient.prototype instanceof Client, 'WindowClient extends Client');
  for (const name of ['url', 'frameType', 'id', 'type']) {
    const d = Object.getOwnPropertyDescriptor(Client.prototype, name);
    assert_not_equals(d, undefined, `Client.${name}`);
    assert_equals(typeof d.get, 'function', `Client.${name}`);
  }
  for (const name of ['visibilityState', 'focused']) {
    const d = Object.getOwnPropertyDescriptor(WindowClient.prototype, name);
    assert_not_equals(d, undefined, `WindowClient.${name}`);
    assert_equals(typeof d.get, 'function', `WindowClient.${name}`);
  }
  assert_equals(typeof Client.prototype.postMessage, 'function');
  assert_equals(typeof WindowClient.prototype.focus, 'function');
  assert_equals(typeof WindowClient.prototype.navigate, 'function');
  for (const name of ['get', 'matchAll', 'openWindow', 'claim']) {
    assert_equals(typeof Clients.prototype[name], 'function', `Clients.${name}`);
  }
  assert_equals(Clients.prototype.get.length, 1);
  assert_equals(Clients.prototype.matchAll.length, 0);
  assert_equals(Clients.prototype.openWindow.length, 1);
}, 'Client, WindowClient and Clients have their members');

// -------------------------------------------------------------------------------------
// ExtendableEvent.
// -------------------------------------------------------------------------------------

test(() => {
  const e = new ExtendableEvent('custom');
  assert_true(e instanceof Event);
  assert_equals(e.type, 'custom');
  assert_false(e.bubbles);
  assert_false(e.cancelable);
  assert_false(e.isTrusted);
  const f = new ExtendableEvent('custom', { bubbles: true, cancelable: true });
  assert_true(f.bubbles);
  assert_true(f.cancelable);
  assert_equals(ExtendableEvent.length, 1);
  assert_throws_js(TypeError, () => new ExtendableEvent());
  assert_throws_js(TypeError, () => ExtendableEvent('custom'), 'needs new');
  assert_throws_js(TypeError, () => new ExtendableEvent('custom', 5), 'the init is a dictionary');
}, 'new ExtendableEvent(type, init)');

test(() => {
  const e = new ExtendableEvent('custom');
  assert_throws_dom('InvalidStateError', () => e.waitUntil(Promise.resolve()));
  assert_throws_js(TypeError, () => e.waitUntil(), 'the argument is required');
}, 'waitUntil() on an untrusted event throws an InvalidStateError');

test(() => {
  const e = new ExtendableEvent('custom');
  let thrown = null;
  self.addEventListener('custom', () => {
    try {
      e.waitUntil(Promise.resolve());
    } catch (err) {
      thrown = err;
    }
  }, { once: true });
  self.dispatchEvent(e);
  assert_not_equals(thrown, null, 'it threw');
  assert_equals(thrown.name, 'InvalidStateError');
}, 'waitUntil() on an untrusted event throws even while it is dispatched');

test(() => {
  assert_throws_js(TypeError, () => ExtendableEvent.prototype.waitUntil.call(new Event('x'), Promise.resolve()));
}, 'waitUntil() checks its receiver');

// -------------------------------------------------------------------------------------
// FetchEvent.
// -------------------------------------------------------------------------------------

test(() => {
  const request = new Request('https://example.test/a');
  const e = new FetchEvent('fetch', { request });
  assert_true(e instanceof ExtendableEvent);
  assert_equals(e.type, 'fetch');
  assert_equals(e.request, request, 'the request it was given');
  assert_equals(e.request, e.request, '[SameObject]');
  assert_equals(e.clientId, '');
  assert_equals(e.resultingClientId, '');
  assert_true(e.preloadResponse instanceof Promise);
  assert_true(e.handled instanceof Promise);
  assert_false(e.isTrusted);
  assert_false(e.cancelable);
  assert_equals(FetchEvent.length, 2);
}, 'new FetchEvent(type, { request }) and its defaults');

promise_test(async () => {
  const e = new FetchEvent('fetch', { request: new Request('https://example.test/a') });
  assert_equals(await e.preloadResponse, undefined);
}, 'A new FetchEvent\'s preloadResponse resolves with undefined');

test(() => {
  const request = new Request('https://example.test/a');
  const e = new FetchEvent('x', { request, clientId: 'c1', resultingClientId: 'c2', cancelable: true });
  assert_equals(e.clientId, 'c1');
  assert_equals(e.resultingClientId, 'c2');
  assert_true(e.cancelable);
}, 'FetchEvent takes its ids and EventInit from the init dictionary');

test(() => {
  const request = new Request('https://example.test/a');
  assert_equals(new FetchEvent('fetch', { request }).replacesClientId, '', 'the default');
  assert_equals(new FetchEvent('fetch', { request, replacesClientId: 'c3' }).replacesClientId, 'c3');
}, 'FetchEvent.replacesClientId');

test(() => {
  assert_throws_js(TypeError, () => new FetchEvent('fetch'), 'no init');
  assert_throws_js(TypeError, () => new FetchEvent('fetch', {}), 'no request');
  assert_throws_js(TypeError, () => new FetchEvent('fetch', { request: 'https://example.test/' }), 'not a Request');
  assert_throws_js(TypeError, () => new FetchEvent('fetch', { request: null }), 'null');
}, 'FetchEvent needs a Request in its init dictionary');

test(() => {
  const e = new FetchEvent('fetch', { request: new Request('https://example.test/a') });
  assert_throws_dom('InvalidStateError', () => e.respondWith(new Response('x')));
  assert_throws_js(TypeError, () => e.respondWith(), 'the argument is required');
}, 'respondWith() outside a dispatch throws an InvalidStateError');

test(() => {
  const e = new FetchEvent('synthetic-fetch', { request: new Request('https://example.test/a') });
  let thrown = null;
  self.addEventListener('synthetic-fetch', () => {
    try {
      e.respondWith(new Response('x'));
    } catch (err) {
      thrown = err;
    }
  }, { once: true });
  self.dispatchEvent(e);
  assert_not_equals(thrown, null, 'it threw');
  assert_equals(thrown.name, 'InvalidStateError');
}, 'respondWith() on an untrusted FetchEvent being dispatched throws an InvalidStateError');

// -------------------------------------------------------------------------------------
// Clients.
// -------------------------------------------------------------------------------------

promise_test(async () => {
  const list = await self.clients.matchAll();
  assert_true(Array.isArray(list));
  assert_equals(list.length, 0, 'no page is controlled by this worker');
}, 'clients.matchAll() lists only controlled clients by default: none here');

promise_test(async () => {
  const list = await self.clients.matchAll({ includeUncontrolled: true });
  assert_greater_than_equal(list.length, 1, 'the page that registered this worker');
  for (const c of list) {
    assert_true(c instanceof WindowClient, 'a WindowClient');
    assert_equals(c.type, 'window');
    assert_equals(typeof c.id, 'string');
    assert_not_equals(c.id, '');
    assert_equals(new URL(c.url).origin, self.location.origin);
    assert_equals(c.frameType, 'top-level');
    assert_true(['visible', 'hidden'].includes(c.visibilityState), `visibilityState ${c.visibilityState}`);
    assert_equals(typeof c.focused, 'boolean', 'focused');
  }
  const again = await self.clients.matchAll({ includeUncontrolled: true });
  assert_not_equals(again[0], list[0], 'new objects each time');
  assert_equals(again[0].id, list[0].id, 'for the same client');
}, 'clients.matchAll({ includeUncontrolled: true }) lists the origin\'s windows, even outside the scope');

promise_test(async () => {
  const [page] = await self.clients.matchAll({ includeUncontrolled: true });
  const origins = page.ancestorOrigins;
  assert_true(Array.isArray(origins), 'an array');
  assert_equals(origins.length, 0, 'a top-level window has no ancestors');
  assert_true(Object.isFrozen(origins), 'frozen');
  assert_equals(page.ancestorOrigins, origins, '[SameObject]');
}, 'WindowClient.ancestorOrigins of a top-level window is an empty frozen array');

promise_test(async () => {
  const list = await self.clients.matchAll({ includeUncontrolled: true });
  assert_true(Object.isFrozen(list));
}, 'clients.matchAll() resolves with a frozen array');

promise_test(async () => {
  const windows = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
  const all = await self.clients.matchAll({ includeUncontrolled: true, type: 'all' });
  const workers = await self.clients.matchAll({ includeUncontrolled: true, type: 'worker' });
  const shared = await self.clients.matchAll({ includeUncontrolled: true, type: 'sharedworker' });
  assert_equals(all.length, windows.length);
  assert_equals(workers.length, 0);
  assert_equals(shared.length, 0);
}, 'clients.matchAll() filters by type');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, self.clients.matchAll({ type: 'tab' }));
  await promise_rejects_js(t, TypeError, self.clients.matchAll(5));
}, 'clients.matchAll() rejects a type outside ClientType with a TypeError');

promise_test(async () => {
  const [page] = await self.clients.matchAll({ includeUncontrolled: true });
  const found = await self.clients.get(page.id);
  assert_true(found instanceof WindowClient);
  assert_equals(found.id, page.id);
  assert_equals(found.url, page.url);
  assert_not_equals(found, page, 'a new object');
  assert_equals(await self.clients.get('no such client'), undefined);
}, 'clients.get(id) finds a client by id, or resolves with undefined');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, self.clients.get());
}, 'clients.get() without an id rejects with a TypeError');

promise_test(async (t) => {
  await promise_rejects_dom(t, 'InvalidAccessError', self.clients.openWindow('opened.html'));
  await promise_rejects_js(t, TypeError, self.clients.openWindow());
}, 'clients.openWindow() without a user activation rejects with an InvalidAccessError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, self.clients.openWindow('http://[bad'), 'a URL that does not parse');
  await promise_rejects_js(t, TypeError, self.clients.openWindow('about:blank'), 'about:blank');
}, 'clients.openWindow() checks its URL first: TypeError');

promise_test(async (t) => {
  const [page] = await self.clients.matchAll({ includeUncontrolled: true });
  await promise_rejects_dom(t, 'InvalidAccessError', page.focus());
}, 'WindowClient.focus() without a user activation rejects with an InvalidAccessError');

promise_test(async (t) => {
  const [page] = await self.clients.matchAll({ includeUncontrolled: true });
  await promise_rejects_js(t, TypeError, page.navigate('http://[bad'), 'a URL that does not parse');
  await promise_rejects_js(t, TypeError, page.navigate('about:blank'), 'about:blank');
  await promise_rejects_js(t, TypeError, page.navigate('elsewhere.html'), 'a page this worker does not control');
}, 'WindowClient.navigate() rejects bad URLs and pages the worker does not control with a TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, Clients.prototype.matchAll.call({}));
  const get = Object.getOwnPropertyDescriptor(Client.prototype, 'url').get;
  assert_throws_js(TypeError, () => get.call({}));
}, 'Clients and Client check their receiver');

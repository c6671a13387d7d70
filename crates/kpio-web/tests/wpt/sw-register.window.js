// META: title=Service workers: register(), getRegistration(s) and the registration objects
// META: script=resources/sw-helpers.js
//
// Written from the Service Workers specification (W3C, Nightly): the ServiceWorkerContainer
// interface (register(), getRegistration(), getRegistrations(), controller), the Start
// Register, Register and Update algorithms (the URL checks and their TypeError /
// SecurityError, the default scope, the script's MIME type, the path restriction and
// Service-Worker-Allowed), "Match Service Worker Registration" (longest prefix of the
// serialized URL), "get the service worker (registration) object" (one object per
// worker and registration in a realm), and WebIDL (promise-returning operations reject
// instead of throwing; enumerations; interface objects without a constructor).
//
// Every registration here has a scope under resources/scope/, which does not cover this
// page: the page stays uncontrolled. Each subtest unregisters what it registered.
'use strict';

const SCOPE = 'resources/scope/register/';

// -------------------------------------------------------------------------------------
// The objects.
// -------------------------------------------------------------------------------------

test(() => {
  assert_true(navigator.serviceWorker instanceof ServiceWorkerContainer);
  assert_true(navigator.serviceWorker instanceof EventTarget);
  assert_equals(navigator.serviceWorker, navigator.serviceWorker, 'SameObject');
  assert_equals(navigator.serviceWorker.controller, null, 'an uncontrolled page has no controller');
}, 'navigator.serviceWorker is the page\'s ServiceWorkerContainer');

test(() => {
  assert_throws_js(TypeError, () => new ServiceWorkerContainer());
  assert_throws_js(TypeError, () => new ServiceWorkerRegistration());
  assert_throws_js(TypeError, () => new ServiceWorker());
}, 'ServiceWorkerContainer, ServiceWorkerRegistration and ServiceWorker have no constructor');

test(() => {
  for (const name of ['register', 'getRegistration', 'getRegistrations', 'startMessages']) {
    assert_equals(typeof ServiceWorkerContainer.prototype[name], 'function', name);
  }
  for (const name of ['controller', 'ready', 'oncontrollerchange', 'onmessage', 'onmessageerror']) {
    const d = Object.getOwnPropertyDescriptor(ServiceWorkerContainer.prototype, name);
    assert_equals(typeof d.get, 'function', `${name} is an accessor`);
  }
  for (const name of ['installing', 'waiting', 'active', 'scope', 'updateViaCache', 'onupdatefound']) {
    const d = Object.getOwnPropertyDescriptor(ServiceWorkerRegistration.prototype, name);
    assert_equals(typeof d.get, 'function', `${name} is an accessor`);
  }
  for (const name of ['scriptURL', 'state', 'onstatechange', 'onerror']) {
    const d = Object.getOwnPropertyDescriptor(ServiceWorker.prototype, name);
    assert_equals(typeof d.get, 'function', `${name} is an accessor`);
  }
  assert_equals(ServiceWorkerContainer.prototype.register.length, 1);
  assert_equals(ServiceWorkerContainer.prototype.getRegistration.length, 0);
  assert_equals(ServiceWorkerRegistration.prototype.update.length, 0);
  assert_equals(ServiceWorkerRegistration.prototype.unregister.length, 0);
  assert_equals(ServiceWorker.prototype.postMessage.length, 1);
}, 'The interfaces have their members');

test(() => {
  assert_false('ExtendableEvent' in self, 'ExtendableEvent');
  assert_false('FetchEvent' in self, 'FetchEvent');
  assert_false('Clients' in self, 'Clients');
  assert_false('ServiceWorkerGlobalScope' in self, 'ServiceWorkerGlobalScope');
}, 'The worker-side interfaces are not exposed to a window');

test(() => {
  const getter = Object.getOwnPropertyDescriptor(ServiceWorkerContainer.prototype, 'controller').get;
  assert_throws_js(TypeError, () => getter.call({}));
  const scope = Object.getOwnPropertyDescriptor(ServiceWorkerRegistration.prototype, 'scope').get;
  assert_throws_js(TypeError, () => scope.call(navigator.serviceWorker));
}, 'The getters throw a TypeError for objects of another interface');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, ServiceWorkerContainer.prototype.register.call({}, 'resources/sw-empty.js'));
}, 'register() rejects with a TypeError when called on another object');

// -------------------------------------------------------------------------------------
// register(): the registration it resolves with.
// -------------------------------------------------------------------------------------

promise_test(async (t) => {
  const p = navigator.serviceWorker.register('resources/sw-empty.js', { scope: SCOPE });
  assert_true(p instanceof Promise);
  const registration = swCleanup(t, await p);
  assert_true(registration instanceof ServiceWorkerRegistration);
  assert_equals(registration.scope, swURL(SCOPE));
  assert_equals(registration.updateViaCache, 'imports', 'the default updateViaCache');
  const worker = registration.installing;
  assert_true(worker instanceof ServiceWorker, 'installing');
  assert_equals(worker.state, 'installing');
  assert_equals(worker.scriptURL, swURL('resources/sw-empty.js'));
  assert_equals(registration.waiting, null);
  assert_equals(registration.active, null);
}, 'register() resolves with a registration whose installing worker is installing');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty.js'));
  assert_equals(registration.scope, swURL('resources/'));
}, 'The scope defaults to the script\'s directory');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: 'resources/scope/register/a/../b/./c' }));
  assert_equals(registration.scope, swURL('resources/scope/register/b/c'));
}, 'The scope is parsed against the page\'s URL; it need not end with a slash');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    'resources/sw-empty.js#script-fragment', { scope: `${SCOPE}#scope-fragment` }));
  assert_equals(registration.scope, swURL(SCOPE), 'the scope has no fragment');
  assert_equals(registration.installing.scriptURL, swURL('resources/sw-empty.js'),
    'the script URL has no fragment');
}, 'Fragments are removed from the script and scope URLs');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    swURL('resources/sw-empty.js?a=1&b=%20'), { scope: `${SCOPE}?q=1` }));
  assert_equals(registration.scope, swURL(`${SCOPE}?q=1`));
  assert_equals(registration.installing.scriptURL, swURL('resources/sw-empty.js?a=1&b=%20'));
}, 'Queries are kept in the script and scope URLs');

promise_test(async (t) => {
  const first = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty.js', { scope: SCOPE }));
  const worker = first.installing;
  const second = await navigator.serviceWorker.register('resources/sw-empty.js', { scope: SCOPE });
  assert_equals(second, first, 'the same ServiceWorkerRegistration object');
  assert_equals(second.installing || second.waiting || second.active, worker, 'the same worker');
}, 'Registering the same script and scope again resolves with the same registration');

promise_test(async (t) => {
  const a = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty.js', { scope: `${SCOPE}one/` }));
  const aWorker = a.installing;
  const b = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty.js', { scope: `${SCOPE}two/` }));
  const bWorker = b.installing;
  assert_not_equals(a, b);
  assert_not_equals(aWorker, bWorker, 'a worker per registration');
  assert_equals(aWorker.scriptURL, bWorker.scriptURL);
}, 'Two scopes are two registrations, each with its own worker');

promise_test(async (t) => {
  for (const value of ['imports', 'all', 'none']) {
    const registration = swCleanup(t, await navigator.serviceWorker.register(
      'resources/sw-empty.js', { scope: `${SCOPE}uvc-${value}/`, updateViaCache: value }));
    assert_equals(registration.updateViaCache, value);
  }
}, 'updateViaCache is the value register() was given');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: SCOPE, updateViaCache: 'imports' }));
  const again = await navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: SCOPE, updateViaCache: 'none' });
  assert_equals(again, registration);
  assert_equals(registration.updateViaCache, 'none');
}, 'Registering again with another updateViaCache changes the registration\'s');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: SCOPE, updateViaCache: 'sometimes' }));
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: SCOPE, type: 'shared' }));
}, 'An updateViaCache or type outside its enumeration rejects with a TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register());
}, 'register() without a script URL rejects with a TypeError (it does not throw)');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register('resources/sw-empty.js', 5));
}, 'register() with options that are not a dictionary rejects with a TypeError');

// -------------------------------------------------------------------------------------
// Start Register's checks.
// -------------------------------------------------------------------------------------

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register('http://[bad', { scope: SCOPE }));
}, 'A script URL that does not parse rejects with a TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: 'http://[bad' }));
}, 'A scope URL that does not parse rejects with a TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'data:text/javascript,//', { scope: SCOPE }));
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'ftp://127.0.0.1/sw.js', { scope: SCOPE }));
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register('about:blank', { scope: SCOPE }));
}, 'A script URL that is not http or https rejects with a TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: 'data:text/html,' }));
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: 'ftp://127.0.0.1/scope/' }));
}, 'A scope URL that is not http or https rejects with a TypeError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw%2fempty.js', { scope: SCOPE }));
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources%5Csw-empty.js', { scope: SCOPE }));
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: 'resources/scope%2Fregister/' }));
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: 'resources/scope/register%5c/' }));
}, 'An escaped slash or backslash (%2f, %5c, any case) in either path rejects with a TypeError');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: 'resources/scope/register/%2e%2E/x%41/' }));
  assert_true(registration.scope.startsWith(swURL('resources/scope/')), registration.scope);
}, 'Other escapes in the scope path are allowed');

promise_test(async (t) => {
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    swOtherOrigin('resources/sw-empty.js'), { scope: SCOPE }));
}, 'A script on another origin rejects with a SecurityError');

promise_test(async (t) => {
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: swOtherOrigin(SCOPE) }));
}, 'A scope on another origin rejects with a SecurityError');

promise_test(async (t) => {
  // Start Register checks the scope's scheme before Register checks the origins.
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    swOtherOrigin('resources/sw-empty.js'), { scope: 'data:text/html,' }));
}, 'A bad scope scheme is a TypeError even when the script is on another origin');

// -------------------------------------------------------------------------------------
// Update's checks of the fetched script.
// -------------------------------------------------------------------------------------

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-missing.js', { scope: SCOPE }));
  assert_equals(await navigator.serviceWorker.getRegistration(SCOPE), undefined);
}, 'A script that is not found (404) rejects with a TypeError and leaves no registration');

promise_test(async (t) => {
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    'resources/sw-empty.txt', { scope: SCOPE }));
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    'resources/sw-empty.json', { scope: SCOPE }));
  assert_equals(await navigator.serviceWorker.getRegistration(SCOPE), undefined);
}, 'A script whose MIME type is not JavaScript rejects with a SecurityError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-throws.js', { scope: SCOPE }));
  assert_equals(await navigator.serviceWorker.getRegistration(SCOPE), undefined);
}, 'A script that throws when it runs rejects with a TypeError and leaves no registration');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-syntax-error.js', { scope: SCOPE }));
  assert_equals(await navigator.serviceWorker.getRegistration(SCOPE), undefined);
}, 'A script that does not parse rejects with a TypeError and leaves no registration');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty.js', { scope: SCOPE }));
  await swWaitForState(registration.installing, 'activated');
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.register(
    'resources/sw-throws.js', { scope: SCOPE }));
  const still = await navigator.serviceWorker.getRegistration(SCOPE);
  assert_equals(still, registration, 'the registration is still there');
  assert_equals(registration.active.scriptURL, swURL('resources/sw-empty.js'));
  assert_equals(registration.installing, null);
  assert_equals(registration.waiting, null);
}, 'A failed update of an existing registration keeps it and its active worker');

promise_test(async (t) => {
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: 'resources-not/' }));
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: './' }));
}, 'A scope above the script\'s directory rejects with a SecurityError');

promise_test(async (t) => {
  // Scopes are compared as strings: "resources" is not under "resources/".
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    'resources/sw-empty.js', { scope: 'resources' }));
}, 'The scope must start with the script\'s directory, slash included');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    `resources/sw-empty.js?${SW_ALLOW_ROOT}`, { scope: './' }));
  assert_equals(registration.scope, swURL('./'));
}, 'Service-Worker-Allowed: / allows a scope above the script');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    'resources/sw-empty.js?header=Service-Worker-Allowed:scope/', { scope: 'resources/scope/x/' }));
  assert_equals(registration.scope, swURL('resources/scope/x/'));
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    'resources/sw-empty.js?header=Service-Worker-Allowed:scope/', { scope: 'resources/other/' }));
}, 'A relative Service-Worker-Allowed is resolved against the script\'s URL and can narrow the scope');

promise_test(async (t) => {
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    `resources/sw-empty.js?header=${encodeURIComponent('Service-Worker-Allowed:http://[bad')}`, { scope: './' }));
}, 'A Service-Worker-Allowed that is not a URL allows nothing: SecurityError');

promise_test(async (t) => {
  const allowed = encodeURIComponent(`Service-Worker-Allowed:${swOtherOrigin('./')}`);
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.register(
    `resources/sw-empty.js?header=${allowed}`, { scope: './' }));
}, 'A Service-Worker-Allowed on another origin allows nothing: SecurityError');

// -------------------------------------------------------------------------------------
// getRegistration() and getRegistrations().
// -------------------------------------------------------------------------------------

promise_test(async (t) => {
  assert_equals(await navigator.serviceWorker.getRegistration(), undefined, 'for the page');
  assert_equals(await navigator.serviceWorker.getRegistration(SCOPE), undefined, 'for the scope');
  const regs = await navigator.serviceWorker.getRegistrations();
  assert_true(Array.isArray(regs));
  assert_equals(regs.length, 0);
}, 'With no registration, getRegistration() resolves with undefined and getRegistrations() with []');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty.js', { scope: SCOPE }));
  assert_equals(await navigator.serviceWorker.getRegistration(SCOPE), registration, 'the scope');
  assert_equals(await navigator.serviceWorker.getRegistration(`${SCOPE}deeper/page.html?x#y`), registration, 'under it');
  assert_equals(await navigator.serviceWorker.getRegistration(swURL(SCOPE)), registration, 'absolute');
  assert_equals(await navigator.serviceWorker.getRegistration('resources/scope/'), undefined, 'above it');
  assert_equals(await navigator.serviceWorker.getRegistration(), undefined, 'the page is not in the scope');
}, 'getRegistration(url) finds the registration whose scope the URL starts with');

promise_test(async (t) => {
  const outer = await swRegister(t, 'resources/sw-empty.js', { scope: `${SCOPE}nest` });
  const inner = await swRegister(t, 'resources/sw-empty.js', { scope: `${SCOPE}nest/inner/` });
  assert_equals(await navigator.serviceWorker.getRegistration(`${SCOPE}nest/inner/x`), inner, 'the longest scope');
  assert_equals(await navigator.serviceWorker.getRegistration(`${SCOPE}nest/other`), outer);
  // Matching is by string prefix, not by path segment.
  assert_equals(await navigator.serviceWorker.getRegistration(`${SCOPE}nesting.html`), outer);
}, 'getRegistration() picks the longest matching scope, by string prefix');

promise_test(async (t) => {
  await promise_rejects_dom(t, 'SecurityError', navigator.serviceWorker.getRegistration(swOtherOrigin(SCOPE)));
}, 'getRegistration() rejects a URL on another origin with a SecurityError');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, navigator.serviceWorker.getRegistration('http://[bad'));
}, 'getRegistration() rejects a URL that does not parse with a TypeError');

promise_test(async (t) => {
  const a = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty.js', { scope: `${SCOPE}list-a/` }));
  const b = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty-2.js', { scope: `${SCOPE}list-b/` }));
  const regs = await navigator.serviceWorker.getRegistrations();
  assert_equals(regs.length, 2);
  assert_true(regs.includes(a), 'a');
  assert_true(regs.includes(b), 'b');
  const again = await navigator.serviceWorker.getRegistrations();
  assert_not_equals(again, regs, 'a new array each time');
  assert_true(again.includes(a) && again.includes(b), 'the same objects');
}, 'getRegistrations() lists every registration of the origin, as the same objects');

promise_test(async (t) => {
  const regs = await navigator.serviceWorker.getRegistrations();
  assert_true(Object.isFrozen(regs));
}, 'getRegistrations() resolves with a frozen array');

promise_test(async (t) => {
  const scope = `${SCOPE}order/`;
  // Jobs run in the order they were scheduled: the second script wins.
  const first = navigator.serviceWorker.register('resources/sw-empty.js', { scope });
  const second = navigator.serviceWorker.register('resources/sw-empty-2.js', { scope });
  const [a, b] = await Promise.all([first, second]);
  swCleanup(t, a);
  assert_equals(a, b, 'one registration');
  await swWaitForState(b.installing || b.waiting || b.active, 'activated');
  assert_equals(b.active.scriptURL, swURL('resources/sw-empty-2.js'));
}, 'Two register() calls for one scope run in order: the later script ends up active');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    'resources/sw-module.mjs', { scope: `${SCOPE}module/`, type: 'module' }));
  await swWaitForState(registration.installing, 'activated');
}, 'A module service worker registers and activates');

promise_test(async (t) => {
  const registration = await navigator.serviceWorker.register('resources/sw-empty.js', { scope: SCOPE });
  await swWaitForState(registration.installing, 'activated');
  assert_true(await registration.unregister(), 'unregister() resolves with true');
  assert_equals(await navigator.serviceWorker.getRegistration(SCOPE), undefined);
  assert_equals((await navigator.serviceWorker.getRegistrations()).length, 0);
}, 'An unregistered registration is no longer found');

// -------------------------------------------------------------------------------------
// Objects: one per worker and registration.
// -------------------------------------------------------------------------------------

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty.js', { scope: SCOPE }));
  const worker = registration.installing;
  await swWaitForState(worker, 'installed');
  assert_equals(registration.waiting, worker, 'installed: waiting is the same object');
  await swWaitForState(worker, 'activated');
  assert_equals(registration.active, worker, 'activated: active is the same object');
  assert_equals((await navigator.serviceWorker.getRegistration(SCOPE)).active, worker);
}, 'A worker is one ServiceWorker object through its states');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register('resources/sw-empty.js', { scope: SCOPE }));
  const worker = registration.installing;
  assert_equals(worker.onstatechange, null);
  assert_equals(worker.onerror, null);
  assert_equals(registration.onupdatefound, null);
  let called = 0;
  worker.onstatechange = () => { called += 1; };
  await swWaitForState(worker, 'activated');
  assert_greater_than_equal(called, 2, 'onstatechange was called');
}, 'onstatechange, onerror and onupdatefound are event handlers');

// META: title=Service workers: the lifecycle of workers and registrations, seen from a page
// META: script=resources/sw-helpers.js
// META: timeout=long
//
// Written from the Service Workers specification (W3C, Nightly): Install (updatefound,
// "installing", the install event's extend lifetime promises deciding "installed" or
// "redundant"), Activate ("activating", controllerchange, the activate event, then
// "activated"), Try Activate (a waiting worker activates when the active one is no
// longer used, when it calls skipWaiting(), and never while the active one is still
// activating), Update Registration State and Update Worker State (the registration's
// attributes are set before statechange fires), clients.claim() and "Handle Service
// Worker Client Unload" (a page claimed away from a registration no longer uses it),
// update(), Unregister and Clear Registration, and the ready promise.
//
// The page is a single window: it is never unloaded. The subtests that control it run
// last and in order, each building on the one before (see "The page's controller").
'use strict';

const WORKER = 'resources/sw-lifecycle-worker.js';
const scopeFor = (name) => `resources/scope/lifecycle/${name}/`;

// The states `worker` goes through from now on, `count` of them.
function statesOf(worker, count) {
  return new Promise((resolve) => {
    const states = [];
    worker.addEventListener('statechange', function listener() {
      states.push(worker.state);
      if (states.length === count) {
        worker.removeEventListener('statechange', listener);
        resolve(states);
      }
    });
  });
}

// -------------------------------------------------------------------------------------
// Install and Activate, for a registration that controls nothing.
// -------------------------------------------------------------------------------------

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(WORKER, { scope: scopeFor('states') }));
  const worker = registration.installing;
  assert_equals(worker.state, 'installing');
  const seen = [];
  worker.addEventListener('statechange', () => {
    seen.push([worker.state, registration.installing, registration.waiting, registration.active]);
  });
  await swWaitForState(worker, 'activated');
  assert_array_equals(seen.map((s) => s[0]), ['installed', 'activating', 'activated']);
  assert_array_equals(seen[0].slice(1), [null, worker, null], 'installed: the waiting worker');
  assert_array_equals(seen[1].slice(1), [null, null, worker], 'activating: the active worker');
  assert_array_equals(seen[2].slice(1), [null, null, worker], 'activated: the active worker');
}, 'A new worker goes installing, installed, activating, activated, the registration\'s attributes set before each statechange');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(WORKER, { scope: scopeFor('updatefound') }));
  const installing = registration.installing;
  const event = await swNextEvent(registration, 'updatefound');
  assert_equals(event.type, 'updatefound');
  assert_equals(event.constructor, Event);
  assert_true(event.isTrusted);
  assert_false(event.bubbles);
  assert_false(event.cancelable);
  assert_equals(event.target, registration);
  assert_equals(registration.installing, installing, 'the installing worker is set when updatefound fires');
}, 'updatefound fires at the registration after register() resolves, while the worker is installing');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(WORKER, { scope: scopeFor('statechange-event') }));
  const worker = registration.installing;
  const event = await swNextEvent(worker, 'statechange');
  assert_equals(event.type, 'statechange');
  assert_equals(event.constructor, Event);
  assert_true(event.isTrusted);
  assert_false(event.bubbles);
  assert_false(event.cancelable);
  assert_equals(event.target, worker);
  assert_equals(worker.state, 'installed');
}, 'statechange is a plain trusted Event at the ServiceWorker object');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    `${WORKER}?install=delay&ms=600`, { scope: scopeFor('install-delay') }));
  const worker = registration.installing;
  await swDelay(200);
  assert_equals(worker.state, 'installing', 'still installing while the install event is extended');
  assert_equals(registration.installing, worker);
  await swWaitForState(worker, 'installed');
}, 'waitUntil() in the install event keeps the worker installing until its promise settles');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    `${WORKER}?activate=delay&ms=600`, { scope: scopeFor('activate-delay') }));
  const worker = registration.installing;
  await swWaitForState(worker, 'activating');
  await swDelay(200);
  assert_equals(worker.state, 'activating', 'still activating while the activate event is extended');
  assert_equals(registration.active, worker);
  await swWaitForState(worker, 'activated');
}, 'waitUntil() in the activate event keeps the worker activating until its promise settles');

promise_test(async (t) => {
  const scope = scopeFor('install-reject');
  const registration = await navigator.serviceWorker.register(`${WORKER}?install=reject`, { scope });
  swCleanup(t, registration);
  const worker = registration.installing;
  const states = await statesOf(worker, 1);
  assert_array_equals(states, ['redundant'], 'installing, then redundant');
  assert_equals(registration.installing, null);
  assert_equals(registration.waiting, null);
  assert_equals(registration.active, null);
  assert_equals(await navigator.serviceWorker.getRegistration(scope), undefined,
    'a registration that never had another worker is gone');
}, 'A rejected install event promise makes the worker redundant and removes a new registration');

promise_test(async (t) => {
  const scope = scopeFor('install-reject-update');
  const registration = await swRegister(t, WORKER, { scope });
  const active = registration.active;
  await navigator.serviceWorker.register(`${WORKER}?install=reject`, { scope });
  const failed = registration.installing;
  await swWaitForState(failed, 'redundant');
  assert_equals(await navigator.serviceWorker.getRegistration(scope), registration, 'the registration stays');
  assert_equals(registration.active, active, 'with its active worker');
  assert_equals(active.state, 'activated');
}, 'A failed install of an update leaves the registration and its active worker');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    `${WORKER}?install=throw`, { scope: scopeFor('install-throw') }));
  await swWaitForState(registration.installing, 'activated');
}, 'An exception thrown by an install listener does not fail the installation');

promise_test(async (t) => {
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    `${WORKER}?activate=reject`, { scope: scopeFor('activate-reject') }));
  await swWaitForState(registration.installing, 'activated');
}, 'A rejected activate event promise still ends in "activated"');

promise_test(async (t) => {
  const scope = scopeFor('activate-wait');
  const registration = swCleanup(t, await navigator.serviceWorker.register(
    `${WORKER}?activate=delay&ms=800`, { scope }));
  const first = registration.installing;
  await swWaitForState(first, 'activating');
  const order = [];
  first.addEventListener('statechange', () => order.push(`first ${first.state}`));
  await navigator.serviceWorker.register(`${WORKER}?skip-waiting`, { scope });
  const second = registration.installing;
  second.addEventListener('statechange', () => order.push(`second ${second.state}`));
  await swWaitForState(second, 'activated');
  assert_array_equals(order, ['second installed', 'first activated', 'first redundant',
    'second activating', 'second activated']);
}, 'A waiting worker with skipWaiting() stays installed until the active one has finished activating');

promise_test(async (t) => {
  const scope = scopeFor('update-same');
  const registration = await swRegister(t, WORKER, { scope });
  const active = registration.active;
  let updatefound = false;
  registration.addEventListener('updatefound', () => { updatefound = true; });
  await registration.update();
  assert_equals(registration.installing, null);
  assert_equals(registration.waiting, null);
  assert_equals(registration.active, active);
  assert_false(updatefound, 'no updatefound');
}, 'update() with an unchanged script makes no new worker');

promise_test(async (t) => {
  const scope = scopeFor('update-result');
  const registration = await swRegister(t, WORKER, { scope });
  const result = await registration.update();
  assert_equals(result, registration, 'update() resolves with the registration');
}, 'update() resolves with the registration');

promise_test(async (t) => {
  const scope = scopeFor('register-other-script');
  const registration = await swRegister(t, WORKER, { scope });
  const first = registration.active;
  const again = await navigator.serviceWorker.register(`${WORKER}?second`, { scope });
  assert_equals(again, registration, 'the same registration');
  const second = registration.installing;
  assert_not_equals(second, null, 'a new worker installs');
  assert_equals(second.scriptURL, swURL(`${WORKER}?second`));
  const states = statesOf(first, 1);
  await swWaitForState(second, 'activated');
  assert_array_equals(await states, ['redundant'], 'the old worker is redundant');
  assert_equals(registration.active, second);
}, 'Registering another script for a scope updates the registration: the old worker becomes redundant');

promise_test(async (t) => {
  const scope = scopeFor('unregister');
  const registration = await swRegister(t, WORKER, { scope });
  const active = registration.active;
  const redundant = swWaitForState(active, 'redundant');
  assert_true(await registration.unregister());
  await redundant;
  // Clear Registration updates the worker's state, then the registration's attributes.
  await swDelay(0);
  assert_equals(registration.active, null, 'the registration is cleared');
  assert_equals(await navigator.serviceWorker.getRegistration(scope), undefined);
}, 'Unregistering a registration nobody uses makes its workers redundant');

promise_test(async (t) => {
  const scope = scopeFor('unregister-twice');
  const registration = await swRegister(t, WORKER, { scope });
  assert_true(await registration.unregister(), 'first');
  assert_false(await registration.unregister(), 'second');
}, 'A second unregister() resolves with false');

promise_test(async (t) => {
  const scope = scopeFor('update-cleared');
  const registration = await swRegister(t, WORKER, { scope });
  const active = registration.active;
  await registration.unregister();
  await swWaitForState(active, 'redundant');
  await swDelay(0);
  assert_equals(registration.active, null);
  await promise_rejects_dom(t, 'InvalidStateError', registration.update());
}, 'update() of a cleared registration (no worker left) rejects with an InvalidStateError');

promise_test(async (t) => {
  const scope = scopeFor('register-after-unregister');
  const registration = await swRegister(t, WORKER, { scope });
  await registration.unregister();
  const fresh = swCleanup(t, await navigator.serviceWorker.register(WORKER, { scope }));
  assert_not_equals(fresh, registration, 'a new registration object');
  assert_equals(await navigator.serviceWorker.getRegistration(scope), fresh);
}, 'Registering after unregister() makes a new registration');

// -------------------------------------------------------------------------------------
// The page's controller. These subtests run in order and build on each other.
// -------------------------------------------------------------------------------------

const PAGE_SCOPE = './';
let pageRegistration = null;
let readyResult = null;
const readyPromise = navigator.serviceWorker.ready;
readyPromise.then((r) => { readyResult = r; });

promise_test(async (t) => {
  assert_true(readyPromise instanceof Promise);
  assert_equals(navigator.serviceWorker.ready, readyPromise, 'the same promise each time');
  await swDelay(50);
  assert_equals(readyResult, null, 'not resolved while no registration covers the page');
}, 'ready stays pending while no registration with an active worker covers the page');

promise_test(async (t) => {
  assert_equals(navigator.serviceWorker.controller, null);
  const changed = swNextEvent(navigator.serviceWorker, 'controllerchange');
  pageRegistration = await navigator.serviceWorker.register(`${WORKER}?claim&${SW_ALLOW_ROOT}`, { scope: PAGE_SCOPE });
  const worker = pageRegistration.installing;
  const event = await changed;
  assert_equals(event.constructor, Event);
  assert_true(event.isTrusted);
  assert_equals(event.target, navigator.serviceWorker);
  assert_equals(navigator.serviceWorker.controller, worker, 'the controller is the claiming worker');
  assert_equals(pageRegistration.active, worker);
  assert_true(['activating', 'activated'].includes(worker.state), worker.state);
}, 'clients.claim() in the activate event makes the worker control the page: controllerchange');

promise_test(async (t) => {
  const registration = await readyPromise;
  assert_equals(registration, pageRegistration);
  assert_not_equals(registration.active, null);
}, 'ready resolves with the registration covering the page once it has an active worker');

promise_test(async (t) => {
  const response = await fetch('?sw-log');
  const report = await response.json();
  assert_equals(report.script, swURL(`${WORKER}?claim&${SW_ALLOW_ROOT}`));
  assert_array_equals(report.log, ['evaluated', 'install', 'activate', 'claimed', 'fetch']);
}, 'The controller gets the page\'s fetches, after its install and activate events');

let waitingWorker = null;
let unregisteredRegistration = null;
promise_test(async (t) => {
  const controller = navigator.serviceWorker.controller;
  await navigator.serviceWorker.register(`${WORKER}?waits&${SW_ALLOW_ROOT}`, { scope: PAGE_SCOPE });
  waitingWorker = pageRegistration.installing;
  await swWaitForState(waitingWorker, 'installed');
  await swDelay(200);
  assert_equals(waitingWorker.state, 'installed', 'it waits');
  assert_equals(pageRegistration.waiting, waitingWorker);
  assert_equals(pageRegistration.active, controller);
  assert_equals(navigator.serviceWorker.controller, controller, 'the page keeps its controller');
  const report = await (await fetch('?sw-log')).json();
  assert_equals(report.script, controller.scriptURL, 'fetches still go to the old worker');
}, 'A new worker waits while the active one controls the page');

promise_test(async (t) => {
  const old = navigator.serviceWorker.controller;
  const oldRedundant = swWaitForState(old, 'redundant');
  const activated = swWaitForState(waitingWorker, 'activated');
  // A registration whose scope is this very page's URL is a longer match than the
  // directory's: its worker claims the page, which then no longer uses the first
  // registration, so that registration's waiting worker activates.
  // (The next subtests go on with this registration: it is not unregistered here.)
  const exact = await navigator.serviceWorker.register(`${WORKER}?exact&claim&${SW_ALLOW_ROOT}`, { scope: location.href });
  const claimer = exact.installing;
  await swNextEvent(navigator.serviceWorker, 'controllerchange');
  assert_equals(navigator.serviceWorker.controller, claimer);
  await activated;
  await oldRedundant;
  assert_equals(pageRegistration.active, waitingWorker);
  assert_equals(pageRegistration.waiting, null);
}, 'A waiting worker activates once its registration is no longer used by the page');

promise_test(async (t) => {
  const exact = await navigator.serviceWorker.getRegistration();
  assert_equals(exact.scope, location.href);
  const claimer = navigator.serviceWorker.controller;
  const changed = swNextEvent(navigator.serviceWorker, 'controllerchange');
  await navigator.serviceWorker.register(`${WORKER}?exact&skip-waiting&${SW_ALLOW_ROOT}`, { scope: location.href });
  const skipper = exact.installing;
  await changed;
  assert_equals(navigator.serviceWorker.controller, skipper, 'the new worker controls the page at once');
  await swWaitForState(claimer, 'redundant');
  await swWaitForState(skipper, 'activated');
  const report = await (await fetch('?sw-log')).json();
  assert_equals(report.script, skipper.scriptURL, 'and gets its fetches');
}, 'skipWaiting() activates a new worker while the page uses its registration: controllerchange');

promise_test(async (t) => {
  const exact = await navigator.serviceWorker.getRegistration();
  const controller = navigator.serviceWorker.controller;
  await navigator.serviceWorker.register(`${WORKER}?exact&skip-later=600&${SW_ALLOW_ROOT}`, { scope: location.href });
  const later = exact.installing;
  await swWaitForState(later, 'installed');
  assert_equals(exact.waiting, later, 'it waits, the page using its registration');
  assert_equals(navigator.serviceWorker.controller, controller);
  const changed = swNextEvent(navigator.serviceWorker, 'controllerchange');
  await swWaitForState(later, 'activated');
  await changed;
  assert_equals(navigator.serviceWorker.controller, later);
  assert_equals(controller.state, 'redundant');
}, 'A waiting worker that calls skipWaiting() activates at once');

promise_test(async (t) => {
  const exact = await navigator.serviceWorker.getRegistration();
  const controller = navigator.serviceWorker.controller;
  unregisteredRegistration = exact;
  assert_true(await exact.unregister());
  assert_equals(navigator.serviceWorker.controller, controller, 'the page keeps its controller');
  assert_equals(controller.state, 'activated', 'which is not redundant while the page uses it');
  const report = await (await fetch('?sw-log')).json();
  assert_equals(report.script, controller.scriptURL, 'and still gets its fetches');
  assert_equals(await navigator.serviceWorker.getRegistration(), pageRegistration,
    'the page now matches the directory\'s registration');
  const again = swCleanup(t, await navigator.serviceWorker.register(
    `${WORKER}?exact&skip-waiting&${SW_ALLOW_ROOT}`, { scope: location.href }));
  assert_not_equals(again, exact, 'registering the scope again makes a new registration');
}, 'Unregistering the registration that controls the page leaves the page controlled');

promise_test(async (t) => {
  // The registration the page used is unregistered: it still has its worker, but
  // Update finds no registration for its scope.
  const controller = navigator.serviceWorker.controller;
  const regs = await navigator.serviceWorker.getRegistrations();
  assert_false(regs.some((r) => r.active === controller), 'not listed any more');
  const old = await new Promise((resolve) => {
    // The unregistered registration object is still reachable from the earlier subtest.
    resolve(unregisteredRegistration);
  });
  assert_not_equals(old.active, null);
  await promise_rejects_js(t, TypeError, old.update());
}, 'update() of an unregistered registration still in use rejects with a TypeError');

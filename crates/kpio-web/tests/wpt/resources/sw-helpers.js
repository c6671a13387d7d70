// Helpers shared by the sw-*.window.js suites (service workers, seen from a page).
//
// Worker scripts live beside this file. A registration whose scope covers the test page
// (the test's directory) needs `Service-Worker-Allowed`, which both test servers (KPIO's
// local server and the Chromium oracle's) add for a `?header=Name:Value` query.
'use strict';

const SW_ALLOW_ROOT = 'header=Service-Worker-Allowed:/';

// A URL relative to this page's directory, resolved.
function swURL(relative) {
  return new URL(relative, location.href).href;
}

// The same URL on the other origin of the test server (127.0.0.1 <-> localhost).
function swOtherOrigin(relative) {
  const u = new URL(relative, location.href);
  u.hostname = u.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return u.href;
}

// Resolves once `worker.state` is `state` (now or at a statechange); rejects if it
// becomes "redundant" first (unless that is the state waited for).
function swWaitForState(worker, state) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (worker.state === state) {
        worker.removeEventListener('statechange', check);
        resolve(worker);
      } else if (worker.state === 'redundant') {
        worker.removeEventListener('statechange', check);
        reject(new Error(`the worker ${worker.scriptURL} became redundant waiting for "${state}"`));
      }
    };
    worker.addEventListener('statechange', check);
    check();
  });
}

// Resolves with the next event of `type` at `target`.
function swNextEvent(target, type) {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

// Unregisters `registration` when the subtest ends.
function swCleanup(t, registration) {
  t.add_cleanup(() => registration.unregister().then(() => {}, () => {}));
  return registration;
}

// Registers `script` with `options` (unregistered when the subtest ends) and waits for
// its newest worker to reach `state`.
async function swRegister(t, script, options, state = 'activated') {
  const registration = await navigator.serviceWorker.register(script, options);
  swCleanup(t, registration);
  const worker = registration.installing || registration.waiting || registration.active;
  await swWaitForState(worker, state);
  return registration;
}

// A promise that rejects after `ms` with a message naming what did not happen.
function swTimeout(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms));
}

// Resolves after `ms` milliseconds.
function swDelay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

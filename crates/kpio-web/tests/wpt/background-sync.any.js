// META: global=window,serviceworker
// Background Synchronization (https://wicg.github.io/background-sync/spec/): the
// interfaces pages and workers see. When tags fire is tested end to end in
// crates/kpio-web/tests/background_sync.rs.
'use strict';

const isWorker = typeof ServiceWorkerGlobalScope === 'function' && self instanceof ServiceWorkerGlobalScope;

test(() => {
  assert_equals(typeof SyncManager, 'function');
  assert_throws_js(TypeError, () => new SyncManager());
  assert_true('sync' in ServiceWorkerRegistration.prototype);
  assert_equals(typeof SyncManager.prototype.register, 'function');
  assert_equals(typeof SyncManager.prototype.getTags, 'function');
}, 'SyncManager and registration.sync exist');

promise_test(async (t) => {
  // WebIDL: a promise-returning operation rejects on a wrong receiver; a getter throws.
  await promise_rejects_js(t, TypeError, SyncManager.prototype.register.call({}, 'x'));
  await promise_rejects_js(t, TypeError, SyncManager.prototype.getTags.call({}));
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(ServiceWorkerRegistration.prototype, 'sync').get.call({}));
}, 'members check their receiver');

if (isWorker) {
  test(() => {
    assert_equals(self.registration.sync, self.registration.sync);
    assert_true(self.registration.sync instanceof SyncManager);
  }, 'registration.sync is one SyncManager');

  promise_test(async (t) => {
    // The test's own worker is installing: its registration has no active worker.
    if (self.registration.active !== null) return;
    await promise_rejects_dom(t, 'InvalidStateError', self.registration.sync.register('x'));
  }, 'register() without an active worker rejects with InvalidStateError');

  promise_test(async () => {
    assert_array_equals(await self.registration.sync.getTags(), []);
  }, 'getTags() starts empty');

  test(() => {
    assert_true(SyncEvent.prototype instanceof ExtendableEvent);
    assert_throws_js(TypeError, () => new SyncEvent('sync'));
    assert_throws_js(TypeError, () => new SyncEvent('sync', {}));
    const e = new SyncEvent('sync', { tag: 'outbox' });
    assert_equals(e.tag, 'outbox');
    assert_false(e.lastChance);
    assert_true(new SyncEvent('sync', { tag: 't', lastChance: true }).lastChance);
    assert_false(e.isTrusted);
  }, 'SyncEvent');

  test(() => {
    assert_true('onsync' in self);
    assert_equals(self.onsync, null);
  }, 'the worker has onsync');
} else {
  test(() => {
    assert_equals(typeof SyncEvent, 'undefined');
  }, 'SyncEvent is for service workers only');

  test(() => {
    assert_true('ononline' in self);
    assert_true('onoffline' in self);
    assert_true(navigator.onLine);
  }, 'online and offline handlers');

  promise_test(async () => {
    assert_equals(await navigator.serviceWorker.getRegistration(), undefined);
  }, 'no registration before one is made');
}

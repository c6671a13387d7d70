// META: global=window,worker
// The Storage Standard's StorageManager (https://storage.spec.whatwg.org/#storagemanager).
'use strict';

test(() => {
  assert_true(navigator.storage instanceof StorageManager);
  assert_equals(navigator.storage, navigator.storage);
  assert_throws_js(TypeError, () => new StorageManager());
}, 'navigator.storage is the one StorageManager');

promise_test(async () => {
  const e = await navigator.storage.estimate();
  assert_equals(typeof e.usage, 'number');
  assert_equals(typeof e.quota, 'number');
  assert_greater_than_equal(e.quota, e.usage);
}, 'estimate() resolves with usage and quota');

promise_test(async () => {
  assert_true(await navigator.storage.persisted());
}, 'an installed app\'s storage is persistent');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, StorageManager.prototype.estimate.call({}));
  await promise_rejects_js(t, TypeError, StorageManager.prototype.persisted.call({}));
}, 'operations reject on a wrong receiver');

test(() => {
  assert_equals('persist' in StorageManager.prototype, typeof window === 'object');
}, 'persist() is exposed in windows only');

if (typeof localStorage === 'object') {
  promise_test(async () => {
    localStorage.clear();
    const before = await navigator.storage.estimate();
    localStorage.setItem('k', 'x'.repeat(1000));
    const after = await navigator.storage.estimate();
    // 1,001 UTF-16 code units of key and value: 2,002 bytes.
    assert_equals(after.usage - before.usage, 2002);
    assert_equals(after.usageDetails.localStorage, (before.usageDetails.localStorage || 0) + 2002);
    localStorage.clear();
  }, 'localStorage counts against the budget');

  promise_test(async () => {
    assert_true(await navigator.storage.persist());
  }, 'persist() resolves true');
}

// The Storage Standard's StorageManager (`navigator.storage`): estimate() sums what the
// app's stores use and their quotas (src/quota.rs); an installed app's storage is
// persistent, so persisted() and persist() are true.
(function (ops, internals) {
  'use strict';
  const { illegal, token } = internals;
  const $Promise = Promise;
  class StorageManager {
    constructor(key) { if (key !== token) throw illegal(); }
    estimate() {
      if (!managers.has(this)) return $Promise.reject(new TypeError('Illegal invocation: not a StorageManager'));
      const [usage, quota, details] = ops.storageEstimate();
      const usageDetails = {};
      for (const [name, bytes] of details) usageDetails[name] = bytes;
      return $Promise.resolve({ usage, quota, usageDetails });
    }
    persisted() {
      if (!managers.has(this)) return $Promise.reject(new TypeError('Illegal invocation: not a StorageManager'));
      return $Promise.resolve(true);
    }
    persist() {
      if (!managers.has(this)) return $Promise.reject(new TypeError('Illegal invocation: not a StorageManager'));
      return $Promise.resolve(true);
    }
    getDirectory() {
      return $Promise.reject(internals.domException('NotSupportedError', "Failed to execute 'getDirectory' on 'StorageManager': the origin private file system is not supported yet."));
    }
  }
  if (internals.kind !== 'window') delete StorageManager.prototype.persist;
  internals.defineInterface(StorageManager, 'StorageManager');
  const manager = new StorageManager(token);
  const managers = new WeakSet([manager]);
  Object.defineProperty(internals.NavigatorInterface.prototype, 'storage', {
    get: function storage() { return manager; }, enumerable: true, configurable: true,
  });
});

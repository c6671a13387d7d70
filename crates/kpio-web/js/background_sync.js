// Background sync (WICG Background Synchronization): `registration.sync` (SyncManager:
// register, getTags) and, in service workers, SyncEvent and `onsync`. When a tag fires,
// how often it retries and when it is given up is the host's (src/service_worker/sync.rs).
(function (ops, internals) {
  'use strict';
  const Registration = globalThis.ServiceWorkerRegistration;
  if (Registration === undefined) return;
  const { requireArgs, illegal, token } = internals;
  const $Promise = Promise;
  const $TypeError = TypeError;
  const regId = internals.serviceWorkerRegistrationId;

  const managers = new WeakMap();
  const owner = new WeakMap();
  class SyncManager {
    constructor(key, registration) {
      if (key !== token) throw illegal();
      owner.set(this, registration);
    }
    register(tag) {
      try {
        requireArgs(arguments.length, 1, "Failed to execute 'register' on 'SyncManager'");
        const reg = ownerOf(this);
        const error = ops.syncRegister(regId(reg), internals.toDOMString(tag));
        if (error !== null && error !== undefined) {
          return $Promise.reject(internals.domException(error, "Failed to execute 'register' on 'SyncManager': the registration has no active worker."));
        }
        return $Promise.resolve(undefined);
      } catch (e) {
        return $Promise.reject(e);
      }
    }
    getTags() {
      try {
        return $Promise.resolve(ops.syncTags(regId(ownerOf(this))));
      } catch (e) {
        return $Promise.reject(e);
      }
    }
  }
  function ownerOf(m) {
    const r = owner.get(m);
    if (r === undefined) throw new $TypeError('Illegal invocation: not a SyncManager');
    return r;
  }
  internals.defineInterface(SyncManager, 'SyncManager');
  Object.defineProperty(Registration.prototype, 'sync', {
    get: function sync() {
      regId(this);
      let m = managers.get(this);
      if (m === undefined) {
        m = new SyncManager(token, this);
        managers.set(this, m);
      }
      return m;
    },
    enumerable: true, configurable: true,
  });

  if (internals.kind !== 'serviceworker') return;
  const eventSlots = new WeakMap();
  class SyncEvent extends internals.ExtendableEvent {
    constructor(type, init) {
      requireArgs(arguments.length, 2, "Failed to construct 'SyncEvent'");
      const d = internals.dictionary(init, "Failed to construct 'SyncEvent'");
      if (d.tag === undefined) throw new $TypeError("Failed to construct 'SyncEvent': member tag is required.");
      super(type, init);
      eventSlots.set(this, { tag: internals.toDOMString(d.tag), lastChance: Boolean(d.lastChance) });
    }
    get tag() { return slotsOf(this).tag; }
    get lastChance() { return slotsOf(this).lastChance; }
  }
  function slotsOf(e) {
    const s = eventSlots.get(e);
    if (s === undefined) throw new $TypeError('Illegal invocation: not a SyncEvent');
    return s;
  }
  internals.defineInterface(SyncEvent, 'SyncEvent');
  internals.defineEventHandler(internals.globalInterface.prototype, 'sync');
  internals.onHostMessage('swSync', (id, tag, lastChance) => {
    internals.fireExtendable(new SyncEvent('sync', { tag, lastChance }), (ok) => ops.syncDone(id, ok));
  });
});

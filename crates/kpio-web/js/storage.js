// Web Storage (HTML section 12.2): Storage objects with named properties, StorageEvent,
// and localStorage/sessionStorage over the app's storage areas (src/web_storage/).
(function (ops, internals) {
  'use strict';
  const { requireArgs, illegal, token, toDOMString } = internals;

  class StorageEvent extends Event {
    #init;
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "Failed to construct 'StorageEvent'");
      const init = internals.dictionary(eventInitDict, "Failed to construct 'StorageEvent'");
      super(type, init);
      const str = (v) => (v === undefined || v === null ? null : toDOMString(v));
      if (init.storageArea !== undefined && init.storageArea !== null && !areas.has(init.storageArea)) {
        throw new TypeError("Failed to construct 'StorageEvent': member storageArea is not of type Storage.");
      }
      this.#init = {
        key: str(init.key), oldValue: str(init.oldValue), newValue: str(init.newValue),
        url: init.url === undefined ? '' : internals.toUSV(init.url),
        storageArea: init.storageArea === undefined ? null : init.storageArea,
      };
    }
    get key() { return this.#init.key; }
    get oldValue() { return this.#init.oldValue; }
    get newValue() { return this.#init.newValue; }
    get url() { return this.#init.url; }
    get storageArea() { return this.#init.storageArea; }
    initStorageEvent(type, bubbles = false, cancelable = false, key = null, oldValue = null,
      newValue = null, url = '', storageArea = null) {
      requireArgs(arguments.length, 1, "Failed to execute 'initStorageEvent' on 'StorageEvent'");
      if (!(#init in this)) throw illegal();
      const str = (v) => (v === undefined || v === null ? null : toDOMString(v));
      if (storageArea !== null && storageArea !== undefined && !areas.has(storageArea)) {
        throw new TypeError("Failed to execute 'initStorageEvent' on 'StorageEvent': parameter 8 is not of type 'Storage'.");
      }
      // Like DOM's initEvent(): nothing while the event is being dispatched.
      if (internals.isDispatching(this)) return;
      this.initEvent(type, bubbles, cancelable);
      this.#init = {
        key: str(key), oldValue: str(oldValue), newValue: str(newValue),
        url: internals.toUSV(url), storageArea: storageArea === undefined ? null : storageArea,
      };
    }
  }
  internals.defineInterface(StorageEvent, 'StorageEvent');

  // Storage objects (and their proxies) to their area: 0 local, 1 session.
  const areas = new WeakMap();
  function area(self) {
    const a = areas.get(self);
    if (a === undefined) throw illegal();
    return a;
  }
  const lit = (s) => JSON.stringify(toDOMString(s));

  function failed(result) {
    if (result === undefined || result === null || result === '') return;
    if (result.startsWith('quota:')) {
      throw internals.domException('QuotaExceededError',
        `Failed to execute 'setItem' on 'Storage': ${result.slice(6)}.`);
    }
    throw internals.domException('UnknownError', `Storage could not be written: ${result.replace(/^io:/, '')}`);
  }

  class Storage {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
    }
    get length() { return ops.storageLength(area(this)); }
    key(index) {
      requireArgs(arguments.length, 1, "Failed to execute 'key' on 'Storage'");
      const k = ops.storageKey(area(this), Number(index) >>> 0);
      return k === undefined || k === null ? null : JSON.parse(k);
    }
    getItem(key) {
      requireArgs(arguments.length, 1, "Failed to execute 'getItem' on 'Storage'");
      const v = ops.storageGet(area(this), lit(key));
      return v === undefined || v === null ? null : JSON.parse(v);
    }
    setItem(key, value) {
      requireArgs(arguments.length, 2, "Failed to execute 'setItem' on 'Storage'");
      const a = area(this);
      failed(ops.storageSet(a, lit(key), lit(value)));
    }
    removeItem(key) {
      requireArgs(arguments.length, 1, "Failed to execute 'removeItem' on 'Storage'");
      failed(ops.storageRemove(area(this), lit(key)));
    }
    clear() {
      failed(ops.storageClear(area(this)));
    }
  }
  internals.defineInterface(Storage, 'Storage');

  if (!ops.hasStorage || internals.kind !== 'window') return;

  // WebIDL's legacy platform object with named properties: a key reads, writes and
  // deletes as a property unless the prototype chain already has that name.
  function visible(target, p) {
    if (typeof p !== 'string' || p in target) return false;
    const v = ops.storageGet(areas.get(target), JSON.stringify(p));
    return v !== null && v !== undefined;
  }
  function make(kind) {
    const target = new Storage(token);
    areas.set(target, kind);
    const proxy = new Proxy(target, {
      get(t, p, receiver) {
        if (visible(t, p)) return JSON.parse(ops.storageGet(kind, JSON.stringify(p)));
        return Reflect.get(t, p, receiver === proxy ? t : receiver);
      },
      set(t, p, v, receiver) {
        if (typeof p === 'string' && receiver === proxy) {
          Storage.prototype.setItem.call(proxy, p, v);
          return true;
        }
        return Reflect.set(t, p, v, receiver);
      },
      has(t, p) {
        return visible(t, p) || Reflect.has(t, p);
      },
      deleteProperty(t, p) {
        if (visible(t, p)) {
          Storage.prototype.removeItem.call(proxy, p);
          return true;
        }
        return Reflect.deleteProperty(t, p);
      },
      // Only the names the visibility rule shows (not "getItem", "length", ...).
      ownKeys(t) {
        const keys = ops.storageKeys(kind).map((k) => JSON.parse(k)).filter((k) => !(k in t));
        for (const k of Reflect.ownKeys(t)) if (!keys.includes(k)) keys.push(k);
        return keys;
      },
      // A legacy platform object cannot be made non-extensible.
      preventExtensions() {
        return false;
      },
      getOwnPropertyDescriptor(t, p) {
        if (visible(t, p)) {
          return {
            value: JSON.parse(ops.storageGet(kind, JSON.stringify(p))),
            writable: true, enumerable: true, configurable: true,
          };
        }
        return Reflect.getOwnPropertyDescriptor(t, p);
      },
      defineProperty(t, p, d) {
        if (typeof p === 'string') {
          if ('get' in d || 'set' in d) return false;
          Storage.prototype.setItem.call(proxy, p, d.value);
          return true;
        }
        return Reflect.defineProperty(t, p, d);
      },
    });
    areas.set(proxy, kind);
    return proxy;
  }
  const local = make(0);
  const session = make(1);
  for (const [name, value] of [['localStorage', local], ['sessionStorage', session]]) {
    Object.defineProperty(globalThis, name, {
      get() { return value; }, enumerable: true, configurable: true,
    });
  }

  // A change another window made: the `storage` event at this window's global.
  ops.setStorageHook(function fireStorage(kind, key, oldValue, newValue, url) {
    const parse = (v) => (v === undefined || v === null ? null : JSON.parse(v));
    internals.fire(globalThis, new StorageEvent('storage', {
      key: parse(key), oldValue: parse(oldValue), newValue: parse(newValue), url,
      storageArea: kind === 'local' ? local : session,
    }));
  });
  internals.defineEventHandler(globalThis, 'storage');
});

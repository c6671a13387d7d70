// A service worker's global scope (Service Workers, section 4): ExtendableEvent and
// FetchEvent, `registration`, `serviceWorker`, `skipWaiting()`, `clients` (Clients,
// Client), the lifecycle events the host sends (swInstall, swActivate: answered with
// swEventDone once every waitUntil promise settled) and fetch events (swFetch: answered
// with swFetchDone, the response's bytes read in full).
(function (ops, internals) {
  'use strict';
  if (internals.kind !== 'serviceworker') return;
  const { requireArgs, illegal, token } = internals;
  const $Promise = Promise;
  const $TypeError = TypeError;
  const domException = internals.domException;
  const F = internals.fetch;

  // -------------------------------------------------------------------------------
  // ExtendableEvent: waitUntil and the "extend lifetime promises".
  // -------------------------------------------------------------------------------
  const extendable = new WeakMap();
  class ExtendableEvent extends Event {
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "Failed to construct 'ExtendableEvent'");
      super(type, eventInitDict);
      extendable.set(this, { pending: 0, rejected: false, onSettled: null, respondWithEntered: false });
    }
    waitUntil(f) {
      const x = extendable.get(this);
      if (x === undefined) throw new $TypeError('Illegal invocation');
      requireArgs(arguments.length, 1, "Failed to execute 'waitUntil' on 'ExtendableEvent'");
      if (!this.isTrusted) {
        throw domException('InvalidStateError', "Failed to execute 'waitUntil' on 'ExtendableEvent': the event is not trusted.");
      }
      if (!internals.isDispatching(this) && x.pending === 0) {
        throw domException('InvalidStateError', "Failed to execute 'waitUntil' on 'ExtendableEvent': the event handler is already finished.");
      }
      addLifetimePromise(x, $Promise.resolve(f));
    }
  }
  internals.defineInterface(ExtendableEvent, 'ExtendableEvent');
  internals.ExtendableEvent = ExtendableEvent;

  function addLifetimePromise(x, p) {
    x.pending += 1;
    const settle = (ok) => {
      // A microtask later, as the standard's "queue a microtask" does, so promises
      // added in reaction still count.
      queueMicrotask(() => {
        x.pending -= 1;
        if (!ok) x.rejected = true;
        if (x.pending === 0 && x.onSettled !== null) x.onSettled();
      });
    };
    p.then(() => settle(true), () => settle(false));
  }

  // Fires a trusted event and calls `done(ok)` once its lifetime promises settled.
  function fireExtendable(event, done) {
    const x = extendable.get(event);
    internals.fire(globalThis, event);
    if (x.pending === 0) {
      done(!x.rejected);
      return;
    }
    x.onSettled = () => {
      x.onSettled = null;
      done(!x.rejected);
    };
  }

  internals.fireExtendable = fireExtendable;

  internals.onHostMessage('swInstall', (id) => {
    fireExtendable(new ExtendableEvent('install'), (ok) => ops.swEventDone(id, ok));
  });
  internals.onHostMessage('swActivate', (id) => {
    fireExtendable(new ExtendableEvent('activate'), (ok) => ops.swEventDone(id, ok));
  });

  // -------------------------------------------------------------------------------
  // FetchEvent.
  // -------------------------------------------------------------------------------
  const fetchSlots = new WeakMap();
  class FetchEvent extends ExtendableEvent {
    constructor(type, eventInitDict) {
      requireArgs(arguments.length, 2, "Failed to construct 'FetchEvent'");
      const init = internals.dictionary(eventInitDict, "Failed to construct 'FetchEvent'");
      if (!F.isRequest(init.request)) {
        throw new $TypeError("Failed to construct 'FetchEvent': member request is not of type Request.");
      }
      super(type, eventInitDict);
      let handledResolve, handledReject;
      const handled = new $Promise((res, rej) => { handledResolve = res; handledReject = rej; });
      handled.catch(() => {});
      fetchSlots.set(this, {
        request: init.request,
        clientId: init.clientId === undefined ? '' : `${init.clientId}`,
        resultingClientId: init.resultingClientId === undefined ? '' : `${init.resultingClientId}`,
        replacesClientId: init.replacesClientId === undefined ? '' : `${init.replacesClientId}`,
        preloadResponse: init.preloadResponse === undefined ? $Promise.resolve(undefined) : init.preloadResponse,
        handled, handledResolve, handledReject,
        response: null,
      });
    }
    get request() { return slots(this).request; }
    get clientId() { return slots(this).clientId; }
    get resultingClientId() { return slots(this).resultingClientId; }
    get replacesClientId() { return slots(this).replacesClientId; }
    get preloadResponse() { return slots(this).preloadResponse; }
    get handled() { return slots(this).handled; }
    respondWith(r) {
      const s = slots(this);
      requireArgs(arguments.length, 1, "Failed to execute 'respondWith' on 'FetchEvent'");
      const x = extendable.get(this);
      if (!internals.isDispatching(this)) {
        throw domException('InvalidStateError', "Failed to execute 'respondWith' on 'FetchEvent': the event handler is already finished.");
      }
      if (x.respondWithEntered) {
        throw domException('InvalidStateError', "Failed to execute 'respondWith' on 'FetchEvent': the event has already been responded to.");
      }
      const p = $Promise.resolve(r);
      addLifetimePromise(x, p);
      x.respondWithEntered = true;
      this.stopPropagation();
      this.stopImmediatePropagation();
      s.response = p;
    }
  }
  function slots(e) {
    const s = fetchSlots.get(e);
    if (s === undefined) throw new $TypeError('Illegal invocation: not a FetchEvent');
    return s;
  }
  internals.defineInterface(FetchEvent, 'FetchEvent');

  // swFetch(id, clientId, method, url, headers, body, mode, credentials, cache, redirect,
  // referrerPolicy, integrity, keepalive).
  internals.onHostMessage('swFetch', (id, clientId, method, url, headers, body, mode, credentials,
    cache, redirect, referrerPolicy, integrity, keepalive) => {
    let request;
    try {
      request = new F.Request(url, {
        method, headers, body: body === null ? undefined : body,
        mode: mode === 'navigate' ? 'same-origin' : mode, credentials, cache, redirect,
        referrerPolicy, integrity, keepalive,
      });
    } catch (e) {
      ops.swFetchDone(id, ['error', `the request could not be made in the worker: ${e.message}`]);
      return;
    }
    const event = new FetchEvent('fetch', { request, clientId, cancelable: true });
    internals.fire(globalThis, event);
    const s = fetchSlots.get(event);
    if (s.response === null) {
      s.handledReject(domException('NetworkError', 'The fetch event was not handled.'));
      ops.swFetchDone(id, ['fallback', 'not handled']);
      return;
    }
    s.response.then(async (response) => {
      if (!F.isResponse(response)) {
        throw new $TypeError('the value passed to respondWith() is not a Response');
      }
      if (response.bodyUsed) throw new $TypeError("the Response's body is already used");
      const type = response.type;
      const bytes = response.body === null ? null : new Uint8Array(await response.arrayBuffer());
      const list = [];
      for (const pair of response.headers) list.push(pair);
      s.handledResolve(undefined);
      ops.swFetchDone(id, ['response', response.status, response.statusText, list, bytes, type,
        F.urlListOf(response)]);
    }).catch((e) => {
      s.handledReject(e);
      ops.swFetchDone(id, ['error', `the service worker's response failed: ${e && e.message}`]);
    });
  });

  // -------------------------------------------------------------------------------
  // Clients and Client.
  // -------------------------------------------------------------------------------
  const clientSlots = new WeakMap();
  class Client {
    constructor(key, plain) {
      if (key !== token) throw illegal();
      clientSlots.set(this, { id: plain[0], url: plain[1] });
    }
    get id() { return clientOf(this).id; }
    get url() { return clientOf(this).url; }
    get type() { clientOf(this); return 'window'; }
    get frameType() { clientOf(this); return 'top-level'; }
    postMessage(message, options = undefined) {
      clientOf(this);
      throw domException('NotSupportedError', "Failed to execute 'postMessage' on 'Client': messages to pages are not supported yet.");
    }
  }
  function clientOf(c) {
    const s = clientSlots.get(c);
    if (s === undefined) throw new $TypeError('Illegal invocation: not a Client');
    return s;
  }
  internals.defineInterface(Client, 'Client');

  class Clients {
    constructor(key) { if (key !== token) throw illegal(); }
    get(id) {
      requireArgs(arguments.length, 1, "Failed to execute 'get' on 'Clients'");
      const found = ops.swClients(true).find((c) => c[0] === `${id}`);
      return $Promise.resolve(found === undefined ? undefined : new Client(token, found));
    }
    matchAll(options = undefined) {
      const o = internals.dictionary(options, "Failed to execute 'matchAll' on 'Clients'");
      const type = o.type === undefined ? 'window' : `${o.type}`;
      if (!['window', 'worker', 'sharedworker', 'all'].includes(type)) {
        return $Promise.reject(new $TypeError(`Failed to execute 'matchAll': '${type}' is not a ClientType.`));
      }
      const list = type === 'window' || type === 'all' ? ops.swClients(Boolean(o.includeUncontrolled)) : [];
      return $Promise.resolve(list.map((c) => new Client(token, c)));
    }
    openWindow(url) {
      requireArgs(arguments.length, 1, "Failed to execute 'openWindow' on 'Clients'");
      return $Promise.reject(domException('InvalidAccessError', "Failed to execute 'openWindow' on 'Clients': not allowed to open a window."));
    }
    claim() {
      try {
        ops.swClaim();
        return $Promise.resolve(undefined);
      } catch (e) {
        return $Promise.reject(domException('InvalidStateError', `Failed to execute 'claim' on 'Clients': ${e.message}`));
      }
    }
  }
  internals.defineInterface(Clients, 'Clients');
  const clients = new Clients(token);

  // -------------------------------------------------------------------------------
  // ServiceWorkerGlobalScope's members.
  // -------------------------------------------------------------------------------
  const proto = internals.globalInterface.prototype;
  const self = internals.serviceWorkerObject(ops.swSelf());
  const registration = internals.serviceWorkerRegistrationObject(ops.swSelfRegistration());
  const define = (name, get) => Object.defineProperty(proto, name, {
    get: { [name]() { return get(); } }[name], enumerable: true, configurable: true,
  });
  define('clients', () => clients);
  define('registration', () => registration);
  define('serviceWorker', () => self);
  Object.defineProperty(proto, 'skipWaiting', {
    value: function skipWaiting() {
      ops.swSkipWaiting();
      return $Promise.resolve(undefined);
    },
    writable: true, enumerable: true, configurable: true,
  });
  for (const name of ['install', 'activate', 'fetch', 'message', 'messageerror']) {
    internals.defineEventHandler(proto, name);
  }
  // importScripts() needs a synchronous fetch, which this runtime does not have yet.
  Object.defineProperty(internals.operationsHome, 'importScripts', {
    value: function importScripts() {
      throw domException('NetworkError', "Failed to execute 'importScripts': importing scripts is not supported yet.");
    },
    writable: true, enumerable: true, configurable: true,
  });
});

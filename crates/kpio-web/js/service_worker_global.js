// A service worker's global scope (Service Workers, section 4): ExtendableEvent and
// FetchEvent, `registration`, `serviceWorker`, `skipWaiting()`, `clients` (Clients,
// Client, WindowClient), the lifecycle events the host sends (swInstall, swActivate:
// answered with swEventDone once every waitUntil promise settled) and fetch events
// (swFetch: answered with swFetchDone, the response's bytes read in full).
//
// ServiceWorkerGlobalScope is a [Global] interface, so WebIDL puts its own attributes and
// operations (clients, registration, serviceWorker, skipWaiting, the event handlers) on
// the global object itself; WorkerGlobalScope's (importScripts) go on its prototype.
//
// Not here yet: importScripts() (it needs a synchronous fetch), messages
// (ExtendableMessageEvent, Client.postMessage), WindowClient.navigate() past its checks
// (a window's URL cannot change here), and navigation preload.
(function (ops, internals) {
  'use strict';
  if (internals.kind !== 'serviceworker') return;
  const { requireArgs, illegal, token } = internals;
  const $Promise = Promise;
  const $TypeError = TypeError;
  const $URL = URL;
  const $Object = Object;
  const domException = internals.domException;
  const F = internals.fetch;
  const urlHref = Object.getOwnPropertyDescriptor($URL.prototype, 'href').get;
  const call = (fn, self, ...args) => Reflect.apply(fn, self, args);
  // A promise-returning operation turns what it throws into a rejection (WebIDL).
  const promiseOp = (f) => {
    try {
      return $Promise.resolve(f());
    } catch (e) {
      return $Promise.reject(e);
    }
  };

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
      if (x === undefined) throw new $TypeError('Illegal invocation: not an ExtendableEvent');
      requireArgs(arguments.length, 1, "Failed to execute 'waitUntil' on 'ExtendableEvent'");
      addLifetimePromise(this, x, $Promise.resolve(f), 'waitUntil');
    }
  }
  internals.defineInterface(ExtendableEvent, 'ExtendableEvent');
  internals.ExtendableEvent = ExtendableEvent;

  // "Add lifetime promise": only to a trusted event that is still active (being
  // dispatched, or with a lifetime promise pending).
  function addLifetimePromise(event, x, p, method) {
    const what = `Failed to execute '${method}' on '${method === 'waitUntil' ? 'ExtendableEvent' : 'FetchEvent'}'`;
    if (!event.isTrusted) {
      throw domException('InvalidStateError', `${what}: the event is not trusted.`);
    }
    if (!internals.isDispatching(event) && x.pending === 0) {
      throw domException('InvalidStateError', `${what}: the event handler is already finished.`);
    }
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
        clientId: init.clientId === undefined ? '' : internals.toDOMString(init.clientId),
        resultingClientId: init.resultingClientId === undefined ? '' : internals.toDOMString(init.resultingClientId),
        replacesClientId: init.replacesClientId === undefined ? '' : internals.toDOMString(init.replacesClientId),
        preloadResponse: init.preloadResponse === undefined ? $Promise.resolve(undefined) : $Promise.resolve(init.preloadResponse),
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
        throw domException('InvalidStateError', "Failed to execute 'respondWith' on 'FetchEvent': the event is not being dispatched.");
      }
      if (x.respondWithEntered) {
        throw domException('InvalidStateError', "Failed to execute 'respondWith' on 'FetchEvent': the event has already been responded to.");
      }
      const p = $Promise.resolve(r);
      addLifetimePromise(this, x, p, 'respondWith');
      this.stopPropagation();
      this.stopImmediatePropagation();
      x.respondWithEntered = true;
      s.response = p;
    }
  }
  function slots(e) {
    const s = fetchSlots.get(e);
    if (s === undefined) throw new $TypeError('Illegal invocation: not a FetchEvent');
    return s;
  }
  internals.defineInterface(FetchEvent, 'FetchEvent');

  const networkErrorException = () => domException('NetworkError', 'The fetch event did not produce a response.');

  // swFetch(id, clientId, method, url, headers, body, mode, credentials, cache, redirect,
  // referrer, referrerPolicy, integrity, keepalive): Handle Fetch's task.
  internals.onHostMessage('swFetch', (id, clientId, method, url, headers, body, mode, credentials,
    cache, redirect, referrer, referrerPolicy, integrity, keepalive) => {
    let request;
    try {
      request = new F.Request(url, {
        method, headers, body: body === null ? undefined : body,
        mode: mode === 'navigate' ? 'same-origin' : mode, credentials, cache, redirect,
        referrer, referrerPolicy, integrity, keepalive,
      });
      // The request object of a fetch event has immutable headers.
      internals.headers.guard(request.headers, 'immutable');
    } catch (e) {
      ops.swFetchDone(id, ['error', `the request could not be made in the worker: ${e.message}`]);
      return;
    }
    const event = new FetchEvent('fetch', { request, clientId, cancelable: true });
    internals.fire(globalThis, event);
    const s = fetchSlots.get(event);
    if (s.response === null) {
      // Not handled: the network, unless a listener canceled the event.
      if (event.defaultPrevented) {
        s.handledReject(networkErrorException());
        ops.swFetchDone(id, ['error', 'the fetch event was canceled without a response']);
      } else {
        s.handledResolve(undefined);
        ops.swFetchDone(id, ['fallback', 'not handled']);
      }
      return;
    }
    // The worker took the request on: the page waits for its answer (no network
    // fallback any more).
    ops.swFetchResponding(id);
    s.response.then(async (response) => {
      if (!F.isResponse(response)) {
        throw new $TypeError('the value passed to respondWith() is not a Response');
      }
      if (response.bodyUsed || (response.body !== null && response.body.locked)) {
        throw new $TypeError("the Response's body is already used");
      }
      // The response is given: Handle Fetch resolves `handled` now; its body is read
      // here and sent whole.
      s.handledResolve(undefined);
      const type = response.type;
      const list = [];
      for (const pair of response.headers) list.push(pair);
      let bytes = null;
      try {
        bytes = response.body === null ? null : new Uint8Array(await response.arrayBuffer());
      } catch (e) {
        ops.swFetchDone(id, ['error', `the service worker's response body failed: ${e && e.message}`]);
        return;
      }
      ops.swFetchDone(id, ['response', response.status, response.statusText, list, bytes, type,
        F.urlListOf(response)]);
    }).catch((e) => {
      s.handledReject(networkErrorException());
      ops.swFetchDone(id, ['error', `the service worker's response failed: ${e && e.message}`]);
    });
  });

  // -------------------------------------------------------------------------------
  // Clients, Client and WindowClient. The host describes a client as
  // [id, url, controlled by this worker].
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
      requireArgs(arguments.length, 1, "Failed to execute 'postMessage' on 'Client'");
      throw domException('NotSupportedError', "Failed to execute 'postMessage' on 'Client': messages to pages are not supported yet.");
    }
  }
  function clientOf(c) {
    const s = clientSlots.get(c);
    if (s === undefined) throw new $TypeError('Illegal invocation: not a Client');
    return s;
  }
  internals.defineInterface(Client, 'Client');

  // A window client. Windows here have no focus or visibility of their own: a window
  // is taken as visible and not focused (the focus state's initial value).
  const windowSlots = new WeakMap();
  class WindowClient extends Client {
    constructor(key, plain) {
      if (key !== token) throw illegal();
      super(key, plain);
      windowSlots.set(this, { ancestorOrigins: $Object.freeze([]) });
    }
    get visibilityState() { windowOf(this); return 'visible'; }
    get focused() { windowOf(this); return false; }
    get ancestorOrigins() { return windowOf(this).ancestorOrigins; }
    focus() {
      return promiseOp(() => {
        windowOf(this);
        // Focusing needs a user activation, which a service worker never has here.
        throw domException('InvalidAccessError', "Failed to execute 'focus' on 'WindowClient': not allowed to focus a window.");
      });
    }
    navigate(url) {
      return promiseOp(() => {
        windowOf(this);
        requireArgs(arguments.length, 1, "Failed to execute 'navigate' on 'WindowClient'");
        const u = parseURL(url, "Failed to execute 'navigate' on 'WindowClient'");
        const id = clientOf(this).id;
        const current = ops.swClients(true).find((c) => c[0] === id);
        if (current === undefined || current[2] !== true) {
          throw new $TypeError("Failed to execute 'navigate' on 'WindowClient': the client is not controlled by this service worker.");
        }
        throw domException('NotSupportedError', `Failed to execute 'navigate' on 'WindowClient': navigating a window (to ${call(urlHref, u)}) is not supported yet.`);
      });
    }
  }
  function windowOf(c) {
    const s = windowSlots.get(c);
    if (s === undefined) throw new $TypeError('Illegal invocation: not a WindowClient');
    return s;
  }
  internals.defineInterface(WindowClient, 'WindowClient');

  // A URL argument parsed against the worker's URL; TypeError when it does not parse or
  // is about:blank (openWindow() and navigate()).
  function parseURL(url, what) {
    let u;
    try {
      u = new $URL(internals.toUSV(url), internals.url);
    } catch (_) {
      throw new $TypeError(`${what}: the URL is invalid.`);
    }
    if (call(urlHref, u) === 'about:blank') throw new $TypeError(`${what}: the URL is about:blank.`);
    return u;
  }

  const CLIENT_TYPES = ['window', 'worker', 'sharedworker', 'all'];
  const isClients = new WeakSet();
  function clientsOf(self, what) {
    if (!isClients.has(self)) throw new $TypeError(`${what}: Illegal invocation: not a Clients`);
  }
  class Clients {
    constructor(key) {
      if (key !== token) throw illegal();
      isClients.add(this);
    }
    get(id) {
      return promiseOp(() => {
        clientsOf(this, "Failed to execute 'get' on 'Clients'");
        requireArgs(arguments.length, 1, "Failed to execute 'get' on 'Clients'");
        const wanted = internals.toDOMString(id);
        const found = ops.swClients(true).find((c) => c[0] === wanted);
        return found === undefined ? undefined : new WindowClient(token, found);
      });
    }
    matchAll(options = undefined) {
      return promiseOp(() => {
        clientsOf(this, "Failed to execute 'matchAll' on 'Clients'");
        const o = internals.dictionary(options, "Failed to execute 'matchAll' on 'Clients'");
        const includeUncontrolled = Boolean(o.includeUncontrolled);
        const type = o.type === undefined ? 'window' : internals.toDOMString(o.type);
        if (!CLIENT_TYPES.includes(type)) {
          throw new $TypeError(`Failed to execute 'matchAll' on 'Clients': '${type}' is not a valid ClientType.`);
        }
        // Every client here is a window (dedicated workers are not service worker
        // clients yet).
        const list = type === 'window' || type === 'all' ? ops.swClients(includeUncontrolled) : [];
        return $Object.freeze(list.map((c) => new WindowClient(token, c)));
      });
    }
    openWindow(url) {
      return promiseOp(() => {
        clientsOf(this, "Failed to execute 'openWindow' on 'Clients'");
        requireArgs(arguments.length, 1, "Failed to execute 'openWindow' on 'Clients'");
        parseURL(url, "Failed to execute 'openWindow' on 'Clients'");
        // Opening a window needs a user activation (a notification click), which a
        // service worker does not have here.
        throw domException('InvalidAccessError', "Failed to execute 'openWindow' on 'Clients': not allowed to open a window.");
      });
    }
    claim() {
      return promiseOp(() => {
        clientsOf(this, "Failed to execute 'claim' on 'Clients'");
        try {
          ops.swClaim();
        } catch (e) {
          throw domException('InvalidStateError', `Failed to execute 'claim' on 'Clients': ${e.message}`);
        }
        return undefined;
      });
    }
  }
  internals.defineInterface(Clients, 'Clients');
  const clients = new Clients(token);

  // -------------------------------------------------------------------------------
  // ServiceWorkerGlobalScope's members: own properties of the global ([Global]).
  // -------------------------------------------------------------------------------
  const self = internals.serviceWorkerObject(ops.swSelf());
  const registration = internals.serviceWorkerRegistrationObject(ops.swSelfRegistration());
  const checkGlobal = (o, name) => {
    if (o !== undefined && o !== null && o !== globalThis) {
      throw new $TypeError(`Illegal invocation: '${name}' of another object than the global`);
    }
  };
  const define = (name, value) => Object.defineProperty(globalThis, name, {
    get: { [name]() { checkGlobal(this, name); return value; } }[name],
    enumerable: true, configurable: true,
  });
  define('clients', clients);
  define('registration', registration);
  define('serviceWorker', self);
  Object.defineProperty(globalThis, 'skipWaiting', {
    value: function skipWaiting() {
      return promiseOp(() => {
        checkGlobal(this, 'skipWaiting');
        ops.swSkipWaiting();
        return undefined;
      });
    },
    writable: true, enumerable: true, configurable: true,
  });
  for (const name of ['install', 'activate', 'fetch', 'message', 'messageerror']) {
    internals.defineEventHandler(globalThis, name);
  }
  // importScripts() needs a synchronous fetch, which this runtime does not have yet.
  Object.defineProperty(internals.operationsHome, 'importScripts', {
    value: function importScripts() {
      throw domException('NetworkError', "Failed to execute 'importScripts': importing scripts is not supported yet.");
    },
    writable: true, enumerable: true, configurable: true,
  });
});

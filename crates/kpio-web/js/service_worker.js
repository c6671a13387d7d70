// Service Workers (W3C), the objects pages and workers see: ServiceWorker,
// ServiceWorkerRegistration, and for windows ServiceWorkerContainer
// (navigator.serviceWorker) with register(), getRegistration(s), ready and controller.
//
// The registrations themselves, the job queue and the lifecycle live in the host
// (src/service_worker/registry.rs), which sends this realm their changes as host
// messages: swRegistration (a registration's slots), swState (a worker's state, firing
// statechange), swUpdateFound, swController (controllerchange) and swSettle (a job's
// promise). register() and update() make Start Register's checks here and schedule a
// job; when the job's Update needs the script, the host asks for it (swFetchScript) and
// this realm fetches and checks it, then hands the host its bytes or the error.
//
// Not here yet: postMessage between pages and workers (throws NotSupportedError), module
// workers (`type: 'module'` is a TypeError), navigationPreload, and soft updates on
// navigation.
(function (ops, internals) {
  'use strict';
  if (ops.swRole === 'none') return;
  const { requireArgs, illegal, token } = internals;
  const $URL = URL;
  const $Promise = Promise;
  const $TypeError = TypeError;
  const call = (fn, self, ...args) => Reflect.apply(fn, self, args);
  const urlHref = Object.getOwnPropertyDescriptor($URL.prototype, 'href').get;
  const urlPathname = Object.getOwnPropertyDescriptor($URL.prototype, 'pathname').get;
  const urlOrigin = Object.getOwnPropertyDescriptor($URL.prototype, 'origin').get;
  const urlProtocol = Object.getOwnPropertyDescriptor($URL.prototype, 'protocol').get;
  const urlHashSet = Object.getOwnPropertyDescriptor($URL.prototype, 'hash').set;
  const domException = internals.domException;
  const fire = (target, type) => internals.fire(target, new Event(type));

  // -------------------------------------------------------------------------------
  // ServiceWorker: one object per worker in this realm.
  // -------------------------------------------------------------------------------
  const workers = new Map();
  const workerSlots = new WeakMap();
  class ServiceWorker extends EventTarget {
    constructor(key, id, scriptURL, state) {
      if (key !== token) throw illegal();
      super();
      workerSlots.set(this, { id, scriptURL, state });
    }
    get scriptURL() { return slotsOf(this, workerSlots, 'ServiceWorker').scriptURL; }
    get state() { return slotsOf(this, workerSlots, 'ServiceWorker').state; }
    postMessage(message, options = undefined) {
      slotsOf(this, workerSlots, 'ServiceWorker');
      requireArgs(arguments.length, 1, "Failed to execute 'postMessage' on 'ServiceWorker'");
      throw domException('NotSupportedError', "Failed to execute 'postMessage' on 'ServiceWorker': messages to service workers are not supported yet.");
    }
  }
  internals.defineEventHandler(ServiceWorker.prototype, 'statechange');
  internals.defineEventHandler(ServiceWorker.prototype, 'error');
  internals.defineInterface(ServiceWorker, 'ServiceWorker');

  function slotsOf(self, map, name) {
    const s = map.get(self);
    if (s === undefined) throw new $TypeError(`Illegal invocation: not a ${name}`);
    return s;
  }

  // "Get the service worker object" for [id, scriptURL, state, registrationId].
  function workerObject(plain) {
    if (plain === null) return null;
    const [id, scriptURL, state] = plain;
    let w = workers.get(id);
    if (w === undefined) {
      w = new ServiceWorker(token, id, scriptURL, state);
      workers.set(id, w);
    }
    return w;
  }

  internals.onHostMessage('swState', (id, state) => {
    const w = workers.get(id);
    if (w === undefined) return;
    const s = workerSlots.get(w);
    if (s.state === state) return;
    s.state = state;
    fire(w, 'statechange');
  });

  // -------------------------------------------------------------------------------
  // ServiceWorkerRegistration: one object per registration in this realm.
  // -------------------------------------------------------------------------------
  const registrations = new Map();
  const regSlots = new WeakMap();
  class ServiceWorkerRegistration extends EventTarget {
    constructor(key, plain) {
      if (key !== token) throw illegal();
      super();
      regSlots.set(this, { id: plain[0], scope: plain[1], updateViaCache: plain[2], installing: null, waiting: null, active: null });
      setSlots(this, plain);
    }
    get installing() { return slotsOf(this, regSlots, 'ServiceWorkerRegistration').installing; }
    get waiting() { return slotsOf(this, regSlots, 'ServiceWorkerRegistration').waiting; }
    get active() { return slotsOf(this, regSlots, 'ServiceWorkerRegistration').active; }
    get scope() { return slotsOf(this, regSlots, 'ServiceWorkerRegistration').scope; }
    get updateViaCache() { return slotsOf(this, regSlots, 'ServiceWorkerRegistration').updateViaCache; }
    update() {
      let s;
      try {
        s = slotsOf(this, regSlots, 'ServiceWorkerRegistration');
      } catch (e) {
        return $Promise.reject(e);
      }
      const newest = s.installing || s.waiting || s.active;
      if (newest === null) {
        return $Promise.reject(domException('InvalidStateError', "Failed to execute 'update' on 'ServiceWorkerRegistration': the registration has no worker."));
      }
      if (internals.kind === 'serviceworker') {
        const me = globalThis.serviceWorker;
        if (me !== undefined && me.state === 'installing') {
          return $Promise.reject(domException('InvalidStateError', "Failed to execute 'update' on 'ServiceWorkerRegistration': the service worker is installing."));
        }
      }
      if (ops.swRole !== 'client') {
        return $Promise.reject(domException('NotSupportedError', "Failed to execute 'update' on 'ServiceWorkerRegistration': updates from a worker are not supported yet."));
      }
      const scriptURL = workerSlots.get(newest).scriptURL;
      return job((p) => ops.swRegister(p, s.scope, scriptURL, s.updateViaCache, s.id));
    }
    unregister() {
      let s;
      try {
        s = slotsOf(this, regSlots, 'ServiceWorkerRegistration');
      } catch (e) {
        return $Promise.reject(e);
      }
      if (ops.swRole !== 'client') {
        return $Promise.reject(domException('NotSupportedError', "Failed to execute 'unregister' on 'ServiceWorkerRegistration': unregistering from a worker is not supported yet."));
      }
      return job((p) => ops.swUnregister(p, s.id));
    }
  }
  internals.defineEventHandler(ServiceWorkerRegistration.prototype, 'updatefound');
  internals.defineInterface(ServiceWorkerRegistration, 'ServiceWorkerRegistration');

  function setSlots(reg, plain) {
    const s = regSlots.get(reg);
    s.scope = plain[1];
    s.updateViaCache = plain[2];
    s.installing = workerObject(plain[3]);
    s.waiting = workerObject(plain[4]);
    s.active = workerObject(plain[5]);
  }

  // "Get the service worker registration object" for a registration's plain slots.
  function registrationObject(plain) {
    if (plain === null) return null;
    let r = registrations.get(plain[0]);
    if (r === undefined) {
      r = new ServiceWorkerRegistration(token, plain);
      registrations.set(plain[0], r);
    } else {
      setSlots(r, plain);
    }
    return r;
  }
  internals.serviceWorkerRegistrationObject = registrationObject;
  internals.serviceWorkerRegistrationId = (reg) => slotsOf(reg, regSlots, 'ServiceWorkerRegistration').id;
  internals.serviceWorkerObject = workerObject;

  internals.onHostMessage('swRegistration', (plain) => {
    const r = registrations.get(plain[0]);
    if (r !== undefined) setSlots(r, plain);
    else if (internals.kind === 'serviceworker') registrationObject(plain);
    if (internals.kind === 'window') checkReady();
  });
  internals.onHostMessage('swUpdateFound', (id) => {
    const r = registrations.get(id);
    if (r !== undefined) fire(r, 'updatefound');
  });

  // Job promises: settled by swSettle(id, ok, value).
  const jobs = new Map();
  let nextJob = 1;
  function job(start) {
    return new $Promise((resolve, reject) => {
      const id = nextJob++;
      jobs.set(id, { resolve, reject });
      start(id);
    });
  }
  internals.onHostMessage('swSettle', (id, ok, value) => {
    const j = jobs.get(id);
    if (j === undefined) return;
    jobs.delete(id);
    if (!ok) {
      const [name, message] = value;
      j.reject(name === 'TypeError' ? new $TypeError(message) : domException(name, message));
    } else if (Array.isArray(value)) {
      j.resolve(registrationObject(value));
    } else {
      j.resolve(value);
    }
  });

  // -------------------------------------------------------------------------------
  // Start Register's checks (register()), and Update's fetch of the script (asked for by
  // the host when a job of this realm needs it).
  // -------------------------------------------------------------------------------
  const JS_MIME = /^(application\/(ecmascript|javascript|x-ecmascript|x-javascript)|text\/(ecmascript|javascript|javascript1\.[0-5]|jscript|livescript|x-ecmascript|x-javascript))$/;
  const hasEscapedSlash = (u) => /%2f|%5c/i.test(call(urlPathname, u));
  const WHAT = 'Failed to register a ServiceWorker';
  // Start Register's checks of one URL: its scheme and its path.
  function checkURL(u, what) {
    const scheme = call(urlProtocol, u);
    if (scheme !== 'http:' && scheme !== 'https:') {
      throw new $TypeError(`${WHAT}: the ${what} URL must be http or https.`);
    }
    if (hasEscapedSlash(u)) {
      throw new $TypeError(`${WHAT}: the ${what} URL's path contains an escaped slash.`);
    }
  }
  // A URL without its fragment.
  function withoutFragment(u) {
    call(urlHashSet, u, '');
    return u;
  }

  // Start Register, then Register's origin checks; schedules the job. `scopeURL` is a
  // URL, null (the default) or the error of a scope that did not parse.
  function startRegister(scriptURL, scopeURL, updateViaCache) {
    withoutFragment(scriptURL);
    checkURL(scriptURL, 'script');
    if (scopeURL === null) scopeURL = new $URL('./', call(urlHref, scriptURL));
    if (!(scopeURL instanceof $URL)) throw scopeURL;
    withoutFragment(scopeURL);
    checkURL(scopeURL, 'scope');
    if (call(urlOrigin, scriptURL) !== internals.origin) {
      throw domException('SecurityError', `${WHAT}: the script URL's origin does not match the page's.`);
    }
    if (call(urlOrigin, scopeURL) !== internals.origin) {
      throw domException('SecurityError', `${WHAT}: the scope URL's origin does not match the page's.`);
    }
    return job((p) => ops.swRegister(p, call(urlHref, scopeURL), call(urlHref, scriptURL), updateViaCache));
  }

  // Update's fetch of the script, and its checks (the status, as browsers check it
  // first, then the MIME type, then the scope against Service-Worker-Allowed).
  async function fetchScript(scriptURL, scope, updateViaCache) {
    const cache = updateViaCache === 'all' ? 'default' : 'no-cache';
    let response;
    try {
      response = await internals.fetchWithoutServiceWorker(scriptURL, {
        headers: { 'Service-Worker': 'script' }, cache, credentials: 'same-origin', redirect: 'error',
      });
    } catch (e) {
      throw new $TypeError(`${WHAT}: fetching the script failed: ${e.message}`);
    }
    if (!response.ok) {
      throw new $TypeError(`${WHAT}: the script's response has status ${response.status}.`);
    }
    const type = (response.headers.get('Content-Type') || '').split(';')[0].trim().toLowerCase();
    if (!JS_MIME.test(type)) {
      throw domException('SecurityError', `${WHAT}: the script has an unsupported MIME type ('${type}').`);
    }
    // The scope must be under the script's directory, or under Service-Worker-Allowed's
    // path when that is a URL of the script's origin.
    const allowed = response.headers.get('Service-Worker-Allowed');
    let maxScope = call(urlPathname, new $URL('./', scriptURL));
    if (allowed !== null) {
      let a = null;
      try {
        a = new $URL(allowed, scriptURL);
      } catch (_) {
        // Not a URL: no scope is allowed.
      }
      if (a === null || call(urlOrigin, a) !== call(urlOrigin, new $URL(scriptURL))) {
        throw domException('SecurityError', `${WHAT}: the Service-Worker-Allowed header ('${allowed}') is not a URL of the script's origin.`);
      }
      maxScope = call(urlPathname, a);
    }
    if (!call(urlPathname, new $URL(scope)).startsWith(maxScope)) {
      throw domException('SecurityError', `${WHAT}: the scope ('${scope}') is not under the allowed scope ('${maxScope}').`);
    }
    return new Uint8Array(await response.arrayBuffer());
  }
  if (ops.swRole === 'client') {
    internals.onHostMessage('swFetchScript', (id, scriptURL, scope, updateViaCache) => {
      fetchScript(scriptURL, scope, updateViaCache).then(
        (bytes) => ops.swScriptFetched(id, bytes),
        (e) => ops.swScriptFailed(id, e instanceof $TypeError ? 'TypeError' : `${e.name}`, `${e.message}`));
    });
  }

  // -------------------------------------------------------------------------------
  // ServiceWorkerContainer (windows).
  // -------------------------------------------------------------------------------
  if (internals.kind !== 'window') return;
  let controller = workerObject(ops.swController());
  let readyResolve;
  const readyPromise = new $Promise((r) => { readyResolve = r; });
  let readyDone = false;
  function checkReady() {
    if (readyDone) return;
    const plain = ops.swRegistrationFor(internals.url);
    if (plain !== null && plain[5] !== null) {
      readyDone = true;
      readyResolve(registrationObject(plain));
    }
  }

  // Its members check that they are called on the container.
  let container = null;
  const containerOf = (self, what) => {
    if (self !== container || container === null) {
      throw new $TypeError(`${what}: Illegal invocation: not a ServiceWorkerContainer`);
    }
  };
  // WebIDL: what a promise-returning operation throws rejects its promise.
  const promiseOp = (f) => {
    try {
      return $Promise.resolve(f());
    } catch (e) {
      return $Promise.reject(e);
    }
  };
  class ServiceWorkerContainer extends EventTarget {
    constructor(key) {
      if (key !== token) throw illegal();
      super();
    }
    get controller() {
      containerOf(this, "Failed to read 'controller' from 'ServiceWorkerContainer'");
      return controller;
    }
    get ready() {
      containerOf(this, "Failed to read 'ready' from 'ServiceWorkerContainer'");
      return readyPromise;
    }
    register(scriptURL, options = undefined) {
      return promiseOp(() => {
        const what = "Failed to execute 'register' on 'ServiceWorkerContainer'";
        containerOf(this, what);
        requireArgs(arguments.length, 1, what);
        const script = internals.toUSV(scriptURL);
        const o = internals.dictionary(options, what);
        const scope = o.scope === undefined ? undefined : internals.toUSV(o.scope);
        const type = o.type === undefined ? 'classic' : `${o.type}`;
        if (type !== 'classic' && type !== 'module') throw new $TypeError(`${what}: '${type}' is not a valid WorkerType.`);
        const uvc = o.updateViaCache === undefined ? 'imports' : `${o.updateViaCache}`;
        if (!['imports', 'all', 'none'].includes(uvc)) throw new $TypeError(`${what}: '${uvc}' is not a valid ServiceWorkerUpdateViaCache.`);
        if (type === 'module') throw new $TypeError(`${what}: module service workers are not supported yet.`);
        let scriptParsed;
        try {
          scriptParsed = new $URL(script, internals.url);
        } catch (_) {
          throw new $TypeError(`${WHAT}: the script URL is invalid.`);
        }
        let scopeParsed = null;
        if (scope !== undefined) {
          try {
            scopeParsed = new $URL(scope, internals.url);
          } catch (_) {
            // Start Register rejects it, after the script URL's checks.
            scopeParsed = new $TypeError(`${WHAT}: the scope URL is invalid.`);
          }
        }
        return startRegister(scriptParsed, scopeParsed, uvc);
      });
    }
    getRegistration(clientURL = '') {
      return promiseOp(() => {
        containerOf(this, "Failed to execute 'getRegistration' on 'ServiceWorkerContainer'");
        let u;
        try {
          u = new $URL(internals.toUSV(clientURL), internals.url);
        } catch (e) {
          throw new $TypeError("Failed to execute 'getRegistration' on 'ServiceWorkerContainer': the URL is invalid.");
        }
        withoutFragment(u);
        if (call(urlOrigin, u) !== internals.origin) {
          throw domException('SecurityError', "Failed to execute 'getRegistration' on 'ServiceWorkerContainer': the URL's origin does not match the page's.");
        }
        const plain = ops.swRegistrationFor(call(urlHref, u));
        return plain === null ? undefined : registrationObject(plain);
      });
    }
    getRegistrations() {
      return promiseOp(() => {
        containerOf(this, "Failed to execute 'getRegistrations' on 'ServiceWorkerContainer'");
        return Object.freeze(ops.swRegistrations().map(registrationObject));
      });
    }
    startMessages() {
      containerOf(this, "Failed to execute 'startMessages' on 'ServiceWorkerContainer'");
    }
  }
  internals.defineEventHandler(ServiceWorkerContainer.prototype, 'controllerchange');
  internals.defineEventHandler(ServiceWorkerContainer.prototype, 'message');
  internals.defineEventHandler(ServiceWorkerContainer.prototype, 'messageerror');
  internals.defineInterface(ServiceWorkerContainer, 'ServiceWorkerContainer');
  container = new ServiceWorkerContainer(token);
  Object.defineProperty(internals.NavigatorInterface.prototype, 'serviceWorker', {
    get: function serviceWorker() { return container; }, enumerable: true, configurable: true,
  });
  internals.onHostMessage('swController', (plain) => {
    controller = workerObject(plain);
    fire(container, 'controllerchange');
  });
  internals.isControlled = () => controller !== null;
  checkReady();
});

// Service Workers (W3C), the objects pages and workers see: ServiceWorker,
// ServiceWorkerRegistration, and for windows ServiceWorkerContainer
// (navigator.serviceWorker) with register(), getRegistration(s), ready and controller.
//
// The registrations themselves, the job queue and the lifecycle live in the host
// (src/service_worker/registry.rs), which sends this realm their changes as host
// messages: swRegistration (a registration's slots), swState (a worker's state, firing
// statechange), swUpdateFound, swController (controllerchange) and swSettle (a job's
// promise). register() and update() fetch the script here, then hand the host its bytes.
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
      const s = slotsOf(this, regSlots, 'ServiceWorkerRegistration');
      const newest = s.installing || s.waiting || s.active;
      if (newest === null) {
        return $Promise.reject(domException('InvalidStateError', "Failed to execute 'update' on 'ServiceWorkerRegistration': the registration has no worker."));
      }
      if (ops.swRole !== 'client') {
        return $Promise.reject(domException('NotSupportedError', "Failed to execute 'update' on 'ServiceWorkerRegistration': updates from a worker are not supported yet."));
      }
      return runRegister(new $URL(workerSlots.get(newest).scriptURL), new $URL(s.scope), s.updateViaCache, s.id);
    }
    unregister() {
      const s = slotsOf(this, regSlots, 'ServiceWorkerRegistration');
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
  // register() and update(): Start Register's checks, then Update's script fetch.
  // -------------------------------------------------------------------------------
  const JS_MIME = /^(application\/(ecmascript|javascript|x-ecmascript|x-javascript)|text\/(ecmascript|javascript|javascript1\.[0-5]|jscript|livescript|x-ecmascript|x-javascript))$/;
  const hasEscapedSlash = (u) => /%2f|%5c/i.test(call(urlPathname, u));
  function checkURL(u, what) {
    const scheme = call(urlProtocol, u);
    if (scheme !== 'http:' && scheme !== 'https:') {
      throw new $TypeError(`Failed to register a ServiceWorker: the ${what} URL must be http or https.`);
    }
    if (hasEscapedSlash(u)) {
      throw new $TypeError(`Failed to register a ServiceWorker: the ${what} URL's path contains an escaped slash.`);
    }
    if (call(urlOrigin, u) !== internals.origin) {
      throw domException('SecurityError', `Failed to register a ServiceWorker: the ${what} URL's origin does not match the page's.`);
    }
  }

  async function runRegister(scriptURL, scopeURL, updateViaCache, updateOf) {
    checkURL(scriptURL, 'script');
    checkURL(scopeURL, 'scope');
    const cache = updateViaCache === 'all' ? 'default' : 'no-cache';
    let response;
    try {
      response = await internals.fetchWithoutServiceWorker(call(urlHref, scriptURL), {
        headers: { 'Service-Worker': 'script' }, cache, credentials: 'same-origin', redirect: 'error',
      });
    } catch (e) {
      throw new $TypeError(`Failed to register a ServiceWorker: fetching the script failed: ${e.message}`);
    }
    if (!response.ok) {
      throw new $TypeError(`Failed to register a ServiceWorker: the script's response has status ${response.status}.`);
    }
    const type = (response.headers.get('Content-Type') || '').split(';')[0].trim().toLowerCase();
    if (!JS_MIME.test(type)) {
      throw domException('SecurityError', `Failed to register a ServiceWorker: the script has an unsupported MIME type ('${type}').`);
    }
    // The scope must be under the script's directory, or Service-Worker-Allowed's.
    const allowed = response.headers.get('Service-Worker-Allowed');
    let maxScope = call(urlPathname, new $URL('./', call(urlHref, scriptURL)));
    if (allowed !== null) {
      let a;
      try {
        a = new $URL(allowed, call(urlHref, scriptURL));
      } catch (_) {
        throw new $TypeError('Failed to register a ServiceWorker: Service-Worker-Allowed is not a URL.');
      }
      maxScope = call(urlPathname, a);
    }
    if (!call(urlPathname, scopeURL).startsWith(maxScope)) {
      throw domException('SecurityError', `Failed to register a ServiceWorker: the scope ('${call(urlHref, scopeURL)}') is not under the allowed scope ('${maxScope}').`);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    return job((p) => (updateOf === null
      ? ops.swRegister(p, call(urlHref, scopeURL), call(urlHref, scriptURL), bytes, updateViaCache)
      : ops.swRegister(p, call(urlHref, scopeURL), call(urlHref, scriptURL), bytes, updateViaCache, updateOf)));
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

  class ServiceWorkerContainer extends EventTarget {
    constructor(key) {
      if (key !== token) throw illegal();
      super();
    }
    get controller() { return controller; }
    get ready() { return readyPromise; }
    register(scriptURL, options = undefined) {
      try {
        requireArgs(arguments.length, 1, "Failed to execute 'register' on 'ServiceWorkerContainer'");
        const o = internals.dictionary(options, "Failed to execute 'register' on 'ServiceWorkerContainer'");
        const script = new $URL(internals.toUSV(scriptURL), internals.url);
        const scope = o.scope === undefined ? new $URL('./', call(urlHref, script))
          : new $URL(internals.toUSV(o.scope), internals.url);
        const type = o.type === undefined ? 'classic' : `${o.type}`;
        if (type !== 'classic' && type !== 'module') throw new $TypeError(`Failed to execute 'register': '${type}' is not a WorkerType.`);
        if (type === 'module') throw new $TypeError("Failed to execute 'register': module service workers are not supported yet.");
        const uvc = o.updateViaCache === undefined ? 'imports' : `${o.updateViaCache}`;
        if (!['imports', 'all', 'none'].includes(uvc)) throw new $TypeError(`Failed to execute 'register': '${uvc}' is not a ServiceWorkerUpdateViaCache.`);
        return runRegister(script, scope, uvc, null);
      } catch (e) {
        return $Promise.reject(e);
      }
    }
    getRegistration(clientURL = '') {
      let u;
      try {
        u = new $URL(internals.toUSV(clientURL), internals.url);
      } catch (e) {
        return $Promise.reject(new $TypeError("Failed to execute 'getRegistration': the URL is invalid."));
      }
      if (call(urlOrigin, u) !== internals.origin) {
        return $Promise.reject(domException('SecurityError', "Failed to execute 'getRegistration': the URL's origin does not match the page's."));
      }
      const plain = ops.swRegistrationFor(call(urlHref, u));
      return $Promise.resolve(plain === null ? undefined : registrationObject(plain));
    }
    getRegistrations() {
      return $Promise.resolve(ops.swRegistrations().map(registrationObject));
    }
    startMessages() {}
  }
  internals.defineEventHandler(ServiceWorkerContainer.prototype, 'controllerchange');
  internals.defineEventHandler(ServiceWorkerContainer.prototype, 'message');
  internals.defineEventHandler(ServiceWorkerContainer.prototype, 'messageerror');
  internals.defineInterface(ServiceWorkerContainer, 'ServiceWorkerContainer');
  const container = new ServiceWorkerContainer(token);
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

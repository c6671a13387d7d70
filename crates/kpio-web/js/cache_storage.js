// The Cache API (Service Workers, section 5): CacheStorage (`caches`) and Cache, over the
// app's cache store (src/cache_storage/), in windows and workers. Realms without a store
// (ops.hasCaches false) have none of it, as an insecure context has none.
//
// Needs, from earlier prelude files: webidl.js, dom_exception.js, timers.js
// (internals.queueTask), headers.js, streams.js and request_response.js (internals.fetch);
// so it goes after request_response.js in src/prelude.rs.
//
// Operations run in the order they were called, each as a task of its own ("in parallel",
// then "queue a task" to settle its promise). put() first reads the response body: a
// body with bytes behind it (a string, a BufferSource) keeps its operation's place in that
// order; a streamed body joins the order when it has been read, so a stream that never
// ends holds up no other operation. add() and addAll() fetch with the prelude's fetch()
// (js/fetch.js), through the page's service worker as browsers do.
//
// matchAll() and keys() resolve with plain arrays, as Chromium and Firefox do, where the
// spec's IDL says frozen arrays; the Requests and Responses they give have immutable
// Headers, as the spec says (Chromium's are mutable).
(function (ops, internals) {
  'use strict';
  if (!ops.hasCaches) return;
  const { requireArgs, illegal, token, toDOMString, toUSV } = internals;
  const F = internals.fetch;
  const S = internals.streams;

  // Intrinsics, taken now so that scripts changing the globals later change nothing here.
  const $Request = F.Request;
  const $Promise = Promise;
  const $TypeError = TypeError;
  const $FinalizationRegistry = FinalizationRegistry;
  const $URL = URL;
  const $AbortController = AbortController;
  const urlProtocol = Object.getOwnPropertyDescriptor($URL.prototype, 'protocol').get;
  const promiseThen = Promise.prototype.then;
  const promiseAll = Promise.all;
  const registerFinalizer = FinalizationRegistry.prototype.register;
  const jsonStringify = JSON.stringify;
  const jsonParse = JSON.parse;
  const toLowerCase = String.prototype.toLowerCase;
  // Cache names travel to the host as JSON string literals, which keep lone surrogates
  // (a DOMString may have them; the host's strings are UTF-8).
  const nameLiteral = (name) => jsonStringify(toDOMString(name));
  const call = (fn, self, ...args) => Reflect.apply(fn, self, args);
  const then = (p, onFulfilled, onRejected) => call(promiseThen, p, onFulfilled, onRejected);
  const resolved = (v) => $Promise.resolve(v);

  // WebIDL: an operation that returns a promise rejects where it would throw.
  function promiseOp(steps) {
    try {
      return steps();
    } catch (e) {
      return $Promise.reject(e);
    }
  }

  // The exception a host error stands for (src/cache_storage/js.rs names it).
  function hostError(e) {
    if (e === null || typeof e !== 'object') return e;
    if (e.name === 'TypeError') return new $TypeError(e.message);
    if (e.name === 'InvalidStateError' || e.name === 'QuotaExceededError' || e.name === 'UnknownError') {
      return internals.domException(e.name, e.message);
    }
    return e;
  }

  // ---------------------------------------------------------------------------------
  // The order of operations.
  // ---------------------------------------------------------------------------------
  let tail = resolved(undefined);
  // Runs `steps(value)` (host work) as a task of its own once the operations scheduled
  // before have run and `ready` (if given) has fulfilled with `value`; the promise
  // settles with what `steps` returns or throws.
  function schedule(steps, ready) {
    // `ready` is waited for only once the operations before have run: a rejection before
    // then is handled here, not reported as unhandled.
    if (ready !== undefined) then(ready, undefined, () => {});
    return new $Promise((resolve, reject) => {
      const start = ready === undefined ? tail : then(tail, () => ready);
      const run = (value) => new $Promise((finished) => {
        internals.queueTask(() => {
          try {
            resolve(steps(value));
          } catch (e) {
            reject(hostError(e));
          }
          finished();
        });
      });
      tail = then(then(start, run, reject), undefined, () => {});
    });
  }
  // Like schedule, for an operation waiting on `read`: a read of bytes already there
  // keeps the operation's place; a streamed read takes its place when it is done.
  function scheduleAfterRead(read, sourced, steps) {
    if (sourced) return schedule(steps, read);
    return then(read, (value) => schedule(() => steps(value)));
  }

  // ---------------------------------------------------------------------------------
  // Arguments.
  // ---------------------------------------------------------------------------------
  // WebIDL's RequestInfo: a Request object, or else a USVString.
  function requestInfo(v) {
    return F.isRequest(v) ? v : toUSV(v);
  }

  // CacheQueryOptions, members in lexicographic order; with `multi`, also
  // MultiCacheQueryOptions' cacheName (undefined when absent).
  function queryOptions(v, what, multi) {
    const d = internals.dictionary(v, what);
    const o = { ignoreMethod: !!d.ignoreMethod, ignoreSearch: !!d.ignoreSearch, ignoreVary: !!d.ignoreVary };
    if (multi) {
      const name = d.cacheName;
      o.cacheName = name === undefined ? undefined : nameLiteral(name);
    }
    return o;
  }
  const optionsList = (o) => [o.ignoreSearch, o.ignoreMethod, o.ignoreVary];

  // [[name, value], ...] as [name, value, name, value, ...].
  function flat(list) {
    const out = [];
    for (let i = 0; i < list.length; i++) {
      out[out.length] = list[i][0];
      out[out.length] = list[i][1];
    }
    return out;
  }

  // The query for a RequestInfo: [url, method, headers], or null where the spec answers
  // "nothing" at once (a Request whose method is not GET, without ignoreMethod).
  function queryFor(request, o) {
    if (F.isRequest(request)) {
      const r = F.requestData(request);
      if (r.method !== 'GET' && !o.ignoreMethod) return null;
      return [r.url, r.method, flat(r.headers)];
    }
    const r = F.requestData(new $Request(request));
    return [r.url, r.method, flat(r.headers)];
  }

  function isHttp(url) {
    const p = call(urlProtocol, new $URL(url));
    return p === 'http:' || p === 'https:';
  }

  // The Fetch Standard's "get, decode, and split" of the Vary header, and whether one of
  // its values is `*`.
  function varyStar(headers) {
    let value = null;
    for (let i = 0; i < headers.length; i++) {
      if (call(toLowerCase, headers[i][0]) === 'vary') {
        value = value === null ? headers[i][1] : `${value}, ${headers[i][1]}`;
      }
    }
    if (value === null) return false;
    let item = '';
    let quoted = false;
    let escaped = false;
    const items = [];
    for (const c of value) {
      if (quoted) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') quoted = false;
        item += c;
      } else if (c === '"') {
        quoted = true;
        item += c;
      } else if (c === ',') {
        items[items.length] = item;
        item = '';
      } else {
        item += c;
      }
    }
    items[items.length] = item;
    for (let i = 0; i < items.length; i++) {
      if (items[i].replace(/^[ \t]+|[ \t]+$/g, '') === '*') return true;
    }
    return false;
  }

  // A put operation for the host, from a Request object's data and a response's parts.
  function putOp(requestObject, parts, bytes) {
    const r = F.requestData(requestObject);
    return ['put', r.url, r.method, flat(r.headers), F.requestExtra(requestObject), parts.type,
      parts.status, parts.statusText, flat(parts.headers), parts.urlList, bytes];
  }

  // A response the host gave back, as a new Response object.
  function toResponse(entry) {
    if (entry === undefined || entry === null) return undefined;
    return F.cachedResponse(entry[0], entry[1], entry[2], entry[3], entry[4], entry[5]);
  }
  function toResponses(list) {
    const out = [];
    for (let i = 0; i < list.length; i++) out[i] = toResponse(list[i]);
    return out;
  }

  // ---------------------------------------------------------------------------------
  // Cache.
  // ---------------------------------------------------------------------------------
  const cacheIds = new WeakMap();
  // A Cache object keeps its cache alive after caches.delete(); the host learns when it
  // is gone.
  const finalizers = new $FinalizationRegistry((id) => ops.cacheRelease(id));
  function cacheId(self) {
    const id = cacheIds.get(self);
    if (id === undefined) throw illegal();
    return id;
  }
  function newCache(id) {
    const c = new Cache(token);
    cacheIds.set(c, id);
    ops.cacheRetain(id);
    call(registerFinalizer, finalizers, c, id);
    return c;
  }

  class Cache {
    constructor(key = undefined) {
      if (key !== token) throw new $TypeError('Illegal constructor');
    }
    match(request, options = undefined) {
      return promiseOp(() => {
        const what = "Failed to execute 'match' on 'Cache'";
        const id = cacheId(this);
        requireArgs(arguments.length, 1, what);
        request = requestInfo(request);
        const o = queryOptions(options, what, false);
        const q = queryFor(request, o);
        if (q === null) return resolved(undefined);
        return schedule(() => {
          const found = ops.cacheMatch(id, q, optionsList(o), true);
          return found.length === 0 ? undefined : toResponse(found[0]);
        });
      });
    }
    matchAll(request = undefined, options = undefined) {
      return promiseOp(() => {
        const what = "Failed to execute 'matchAll' on 'Cache'";
        const id = cacheId(this);
        if (request !== undefined) request = requestInfo(request);
        const o = queryOptions(options, what, false);
        let q;
        if (request !== undefined) {
          q = queryFor(request, o);
          if (q === null) return resolved([]);
        }
        return schedule(() => toResponses(ops.cacheMatch(id, q, optionsList(o), false)));
      });
    }
    add(request) {
      return promiseOp(() => {
        const what = "Failed to execute 'add' on 'Cache'";
        const id = cacheId(this);
        requireArgs(arguments.length, 1, what);
        return then(addAll(id, [requestInfo(request)], what), () => undefined);
      });
    }
    addAll(requests) {
      return promiseOp(() => {
        const what = "Failed to execute 'addAll' on 'Cache'";
        const id = cacheId(this);
        requireArgs(arguments.length, 1, what);
        const list = internals.sequence(requests, what);
        for (let i = 0; i < list.length; i++) list[i] = requestInfo(list[i]);
        return addAll(id, list, what);
      });
    }
    put(request, response) {
      return promiseOp(() => {
        const what = "Failed to execute 'put' on 'Cache'";
        const id = cacheId(this);
        requireArgs(arguments.length, 2, what);
        request = requestInfo(request);
        if (!F.isResponse(response)) throw new $TypeError(`${what}: parameter 2 is not of type 'Response'.`);
        const requestObject = F.isRequest(request) ? request : new $Request(request);
        const r = F.requestData(requestObject);
        if (!isHttp(r.url)) {
          throw new $TypeError(`${what}: Request scheme '${call(urlProtocol, new $URL(r.url)).slice(0, -1)}' is unsupported`);
        }
        if (r.method !== 'GET') throw new $TypeError(`${what}: Request method '${r.method}' is unsupported`);
        const parts = F.responseParts(response);
        if (parts.status === 206) throw new $TypeError(`${what}: Partial response (status code 206) is unsupported`);
        if (varyStar(parts.headers)) throw new $TypeError(`${what}: Vary header contains *`);
        if (parts.body !== null && F.bodyUnusable(parts.body)) {
          throw new $TypeError(`${what}: Response body is already used`);
        }
        // The body is read whole (which locks and disturbs it) before the entry is written.
        const read = parts.body === null ? resolved(null) : S.readAll(parts.body.stream);
        const sourced = parts.body === null || parts.body.source !== null;
        return scheduleAfterRead(read, sourced, (bytes) => {
          ops.cacheBatch(id, [putOp(requestObject, parts, bytes)]);
          return undefined;
        });
      });
    }
    delete(request, options = undefined) {
      return promiseOp(() => {
        const what = "Failed to execute 'delete' on 'Cache'";
        const id = cacheId(this);
        requireArgs(arguments.length, 1, what);
        request = requestInfo(request);
        const o = queryOptions(options, what, false);
        const q = queryFor(request, o);
        if (q === null) return resolved(false);
        return schedule(() => ops.cacheBatch(id, [['delete', q[0], q[1], q[2], o.ignoreSearch,
          o.ignoreMethod, o.ignoreVary]]) > 0);
      });
    }
    keys(request = undefined, options = undefined) {
      return promiseOp(() => {
        const what = "Failed to execute 'keys' on 'Cache'";
        const id = cacheId(this);
        if (request !== undefined) request = requestInfo(request);
        const o = queryOptions(options, what, false);
        let q;
        if (request !== undefined) {
          q = queryFor(request, o);
          if (q === null) return resolved([]);
        }
        return schedule(() => {
          const list = ops.cacheKeys(id, q, optionsList(o));
          const out = [];
          for (let i = 0; i < list.length; i++) {
            const [url, method, headers, extra] = list[i];
            out[i] = F.cachedRequest(url, method, headers, extra, 'immutable');
          }
          return out;
        });
      });
    }
  }
  internals.defineInterface(Cache, 'Cache');

  // addAll's steps after its arguments are converted: fetch each request, check each
  // response, read each body, then put them all in one batch.
  function addAll(id, requests, what) {
    for (let i = 0; i < requests.length; i++) {
      if (F.isRequest(requests[i])) {
        const r = F.requestData(requests[i]);
        if (!isHttp(r.url)) throw new $TypeError(`${what}: Request scheme is unsupported`);
        if (r.method !== 'GET') throw new $TypeError(`${what}: Request method '${r.method}' is unsupported`);
      }
    }
    const requestList = [];
    for (let i = 0; i < requests.length; i++) {
      const r = new $Request(requests[i]);
      if (!isHttp(F.requestData(r).url)) throw new $TypeError(`${what}: Request scheme is unsupported`);
      requestList[i] = r;
    }
    // The prelude's fetch (js/fetch.js), as browsers use their own: a page replacing
    // `fetch` changes nothing here.
    const fetch = internals.fetchMethod;
    if (typeof fetch !== 'function') {
      throw new $TypeError(`${what}: fetch() is not available in this realm.`);
    }
    const controllers = [];
    const abortAll = () => {
      for (let i = 0; i < controllers.length; i++) controllers[i].abort();
    };
    const responsePromises = [];
    for (let i = 0; i < requestList.length; i++) {
      const controller = new $AbortController();
      controllers[i] = controller;
      const fetched = call(fetch, globalThis, requestList[i], { signal: controller.signal });
      responsePromises[i] = then(fetched, (response) => {
        if (!F.isResponse(response)) throw new $TypeError(`${what}: fetch() did not give a Response.`);
        const parts = F.responseParts(response);
        if (parts.type === 'error' || parts.status < 200 || parts.status > 299 || parts.status === 206) {
          throw new $TypeError(`${what}: Request failed (status ${parts.status})`);
        }
        if (varyStar(parts.headers)) {
          abortAll();
          throw new $TypeError(`${what}: Vary header contains *`);
        }
        if (parts.body === null) return [parts, null];
        if (F.bodyUnusable(parts.body)) throw new $TypeError(`${what}: Response body is already used`);
        return then(S.readAll(parts.body.stream), (bytes) => [parts, bytes]);
      });
    }
    const all = call(promiseAll, $Promise, responsePromises);
    return then(all, (responses) => schedule(() => {
      const batch = [];
      for (let i = 0; i < responses.length; i++) {
        batch[i] = putOp(requestList[i], responses[i][0], responses[i][1]);
      }
      ops.cacheBatch(id, batch);
      return undefined;
    }));
  }

  // ---------------------------------------------------------------------------------
  // CacheStorage.
  // ---------------------------------------------------------------------------------
  const storages = new WeakSet();
  function checkStorage(self) {
    if (!storages.has(self)) throw illegal();
  }

  class CacheStorage {
    constructor(key = undefined) {
      if (key !== token) throw new $TypeError('Illegal constructor');
      storages.add(this);
    }
    match(request, options = undefined) {
      return promiseOp(() => {
        const what = "Failed to execute 'match' on 'CacheStorage'";
        checkStorage(this);
        requireArgs(arguments.length, 1, what);
        request = requestInfo(request);
        const o = queryOptions(options, what, true);
        const q = queryFor(request, o);
        if (q === null) return resolved(undefined);
        const name = o.cacheName === undefined ? null : o.cacheName;
        return schedule(() => toResponse(ops.cachesMatch(name, q, optionsList(o))));
      });
    }
    has(cacheName) {
      return promiseOp(() => {
        checkStorage(this);
        requireArgs(arguments.length, 1, "Failed to execute 'has' on 'CacheStorage'");
        const name = nameLiteral(cacheName);
        return schedule(() => ops.cachesHas(name));
      });
    }
    open(cacheName) {
      return promiseOp(() => {
        checkStorage(this);
        requireArgs(arguments.length, 1, "Failed to execute 'open' on 'CacheStorage'");
        const name = nameLiteral(cacheName);
        return schedule(() => newCache(ops.cachesOpen(name)));
      });
    }
    delete(cacheName) {
      return promiseOp(() => {
        checkStorage(this);
        requireArgs(arguments.length, 1, "Failed to execute 'delete' on 'CacheStorage'");
        const name = nameLiteral(cacheName);
        return schedule(() => ops.cachesDelete(name));
      });
    }
    keys() {
      return promiseOp(() => {
        checkStorage(this);
        return schedule(() => {
          const names = ops.cachesKeys();
          const out = [];
          for (let i = 0; i < names.length; i++) out[i] = jsonParse(names[i]);
          return out;
        });
      });
    }
  }
  internals.defineInterface(CacheStorage, 'CacheStorage');

  // WindowOrWorkerGlobalScope's `caches`: one CacheStorage per global ([SameObject]), an
  // accessor where the mixin's operations live.
  const storage = new CacheStorage(token);
  const accessor = Object.getOwnPropertyDescriptor({ get caches() { return storage; } }, 'caches');
  accessor.enumerable = true;
  Object.defineProperty(internals.operationsHome || globalThis, 'caches', accessor);
});

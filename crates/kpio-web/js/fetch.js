// fetch(): the Fetch Standard's fetch method (section 5.6) and, under it, "main fetch",
// "scheme fetch", "HTTP fetch" with CORS and its preflight, and "HTTP-redirect fetch".
// One HTTP exchange (connecting through the app's network permission, framing, content
// codings) is the host's (src/net/); its reports come back as tasks through netEvent.
//
// Needs, from earlier prelude files: request_response.js (internals.fetch), streams.js
// (internals.streams), headers.js, abort.js, location.js (internals.origin, the realm's
// origin) and navigator.js (internals.userAgent).
//
// Not here (docs/web-platform.md lists them): an HTTP cache and cookies (every request
// goes to the network without credentials; `credentials: 'include'` changes only the
// CORS checks), a CORS-preflight cache, Subresource Integrity (a request with integrity
// metadata is a network error), `blob:` URLs, and keepalive past the realm's life.
(function (ops, internals) {
  'use strict';
  const F = internals.fetch;
  const S = internals.streams;
  const $URL = URL;
  const $Promise = Promise;
  const $TypeError = TypeError;
  const $Uint8Array = Uint8Array;
  const call = (fn, self, ...args) => Reflect.apply(fn, self, args);
  const urlOrigin = Object.getOwnPropertyDescriptor($URL.prototype, 'origin').get;
  const urlProtocol = Object.getOwnPropertyDescriptor($URL.prototype, 'protocol').get;
  const urlUsername = Object.getOwnPropertyDescriptor($URL.prototype, 'username').get;
  const urlPassword = Object.getOwnPropertyDescriptor($URL.prototype, 'password').get;
  const urlHref = Object.getOwnPropertyDescriptor($URL.prototype, 'href').get;
  const urlHash = Object.getOwnPropertyDescriptor($URL.prototype, 'hash').get;
  const textEncode = TextEncoder.prototype.encode;
  const encoder = new TextEncoder();
  const atob_ = atob;

  // The realm's origin ("null" when opaque, as a page at about:blank or file: has).
  const clientOrigin = internals.origin;

  // ---------------------------------------------------------------------------------
  // Exchanges in flight, by id: what each report goes to.
  // ---------------------------------------------------------------------------------
  const exchanges = new Map();
  ops.setNetHook((id, kind, a, b, c) => {
    const x = exchanges.get(id);
    if (x === undefined) return;
    if (kind === 'head') x.head(a, b, c);
    else if (kind === 'chunk') x.chunk(a);
    else if (kind === 'end') { exchanges.delete(id); x.end(); }
    else { exchanges.delete(id); x.fail(a); }
  });

  class NetworkError {
    constructor(message) { this.message = message; }
  }
  const networkError = (message) => new NetworkError(message);

  // A body nobody can read any more (its stream was collected) ends its exchange, so an
  // unread response does not hold a connection for the realm's life.
  const bodyGone = new FinalizationRegistry((id) => {
    exchanges.delete(id);
    ops.netAbort(id);
  });
  // Body streams' controls, kept alive by their stream only.
  const controls = new WeakMap();

  // One HTTP exchange: a promise of a response record { status, statusText, headers,
  // body (a ReadableStream or null) } or a NetworkError record. Only the
  // stream (the page's) keeps its controls alive: the exchange's entry holds it weakly.
  function exchange(ctl, method, url, headers, bodyBytes) {
    if (!ops.hasNetwork) return $Promise.resolve(networkError('the app has no network permission'));
    return new $Promise((resolve) => {
      let id;
      try {
        id = bodyBytes === null ? ops.netStart(method, url, headers)
          : ops.netStart(method, url, headers, bodyBytes);
      } catch (e) {
        resolve(networkError(e.message));
        return;
      }
      ctl.current = id;
      let streamRef = null;
      let pullDone = null;
      const control = () => {
        const stream = streamRef === null ? undefined : streamRef.deref();
        return stream === undefined ? null : controls.get(stream);
      };
      const settlePull = () => {
        const r = pullDone;
        pullDone = null;
        if (r !== null) r();
      };
      exchanges.set(id, {
        head(status, statusText, list) {
          const nullBody = method === 'HEAD' || status === 204 || status === 304 || status === 205 ||
            status === 101;
          if (nullBody) {
            // No body to read: let the exchange's thread end.
            exchanges.delete(id);
            ops.netAbort(id);
            resolve({ status, statusText, headers: list, body: null });
            return;
          }
          const body = S.setUp({
            bytes: true,
            highWaterMark: 65536,
            pull() {
              if (!ops.netPull(id)) return undefined;
              return new $Promise((r) => { pullDone = r; });
            },
            cancel() {
              exchanges.delete(id);
              ops.netAbort(id);
            },
          });
          controls.set(body.stream, body);
          streamRef = new WeakRef(body.stream);
          bodyGone.register(body.stream, id);
          resolve({ status, statusText, headers: list, body: body.stream });
        },
        chunk(bytes) {
          const c = control();
          if (c !== null) c.enqueue(bytes);
          settlePull();
        },
        end() {
          const c = control();
          if (c !== null) c.close();
          settlePull();
        },
        fail(message) {
          if (streamRef === null) {
            resolve(networkError(message));
            return;
          }
          const c = control();
          if (c !== null) c.error(new $TypeError(`fetch: ${message}`));
          settlePull();
        },
      });
    });
  }

  // ---------------------------------------------------------------------------------
  // Header list helpers (lists of [name, value], names compared case-insensitively).
  // ---------------------------------------------------------------------------------
  const lower = (s) => s.toLowerCase();
  function getHeader(list, name) {
    const n = lower(name);
    const values = list.filter(([k]) => lower(k) === n).map(([, v]) => v);
    return values.length === 0 ? null : values.join(', ');
  }
  const hasHeader = (list, name) => list.some(([k]) => lower(k) === lower(name));
  const removeHeader = (list, name) => list.filter(([k]) => lower(k) !== lower(name));
  // "Extract header list values" for a comma-separated list, trimmed, empty ones dropped.
  function headerListValues(list, name) {
    const v = getHeader(list, name);
    if (v === null) return null;
    return v.split(',').map((s) => s.replace(/^[\t ]+|[\t ]+$/g, '')).filter((s) => s !== '');
  }

  // The CORS-safelisted request headers check (section 2.2.2) for one header.
  const CORS_UNSAFE_BYTE = /[\x00-\x08\x0A-\x1F"():<>?@[\\\]{}\x7F]/;
  function safelistedRequestHeader(name, value) {
    if (value.length > 128) return false;
    switch (lower(name)) {
      case 'accept':
        return !CORS_UNSAFE_BYTE.test(value);
      case 'accept-language':
      case 'content-language':
        return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
      case 'content-type': {
        if (CORS_UNSAFE_BYTE.test(value)) return false;
        const essence = lower(value.split(';')[0].trim());
        return essence === 'application/x-www-form-urlencoded' || essence === 'multipart/form-data' ||
          essence === 'text/plain';
      }
      case 'range':
        return /^bytes=\d*-\d*$/.test(value) && !/^bytes=-$/.test(value);
      default:
        return false;
    }
  }
  // "CORS-unsafe request-header names": sorted, lowercased, unique.
  function corsUnsafeNames(list) {
    const unsafe = new Set();
    let total = 0;
    const potentiallyUnsafe = [];
    for (const [n, v] of list) {
      if (!safelistedRequestHeader(n, v)) unsafe.add(lower(n));
      else { potentiallyUnsafe.push(lower(n)); total += v.length; }
    }
    if (total > 1024) for (const n of potentiallyUnsafe) unsafe.add(n);
    return [...unsafe].sort();
  }
  const safelistedMethod = (m) => m === 'GET' || m === 'HEAD' || m === 'POST';

  // ---------------------------------------------------------------------------------
  // URLs and origins.
  // ---------------------------------------------------------------------------------
  const originOf = (u) => call(urlOrigin, u);
  const schemeOf = (u) => call(urlProtocol, u).slice(0, -1);
  const hasCredentials = (u) => call(urlUsername, u) !== '' || call(urlPassword, u) !== '';
  function sameOrigin(a, bOrigin) {
    const o = originOf(a);
    // Opaque origins are same origin only with themselves; "null" stands for any of them.
    return o !== 'null' && o === bOrigin;
  }

  // ---------------------------------------------------------------------------------
  // data: URLs (section 4.2.1's "data: URL processor").
  // ---------------------------------------------------------------------------------
  function percentDecode(s) {
    const out = [];
    const bytes = call(textEncode, encoder, s);
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      const hex = (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
      if (b === 0x25 && i + 2 < bytes.length + 0 && hex(bytes[i + 1]) && hex(bytes[i + 2])) {
        out.push(parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
        i += 2;
      } else out.push(b);
    }
    return new $Uint8Array(out);
  }
  function processDataURL(u) {
    const input = call(urlHref, u).slice('data:'.length);
    const withoutFragment = input.includes('#') ? input.slice(0, input.indexOf('#')) : input;
    const comma = withoutFragment.indexOf(',');
    if (comma < 0) return null;
    let mimeType = withoutFragment.slice(0, comma).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
    let body = percentDecode(withoutFragment.slice(comma + 1));
    const m = /;[\x20]*base64$/i.exec(mimeType);
    if (m !== null) {
      let text = '';
      for (const b of body) text += String.fromCharCode(b);
      try {
        text = atob_(text);
      } catch (_) {
        return null;
      }
      body = new $Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) body[i] = text.charCodeAt(i);
      mimeType = mimeType.slice(0, m.index);
    }
    if (mimeType.startsWith(';')) mimeType = `text/plain${mimeType}`;
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.test(mimeType)) {
      mimeType = 'text/plain;charset=US-ASCII';
    }
    return { mimeType: lower(mimeType.split(';')[0]) + mimeType.slice(mimeType.indexOf(';') < 0 ? mimeType.length : mimeType.indexOf(';')), body };
  }

  // ---------------------------------------------------------------------------------
  // Fetching (section 4): a request record in, a response record out.
  // ---------------------------------------------------------------------------------
  // request: { method, url (URL), urlList, headers, mode, credentials, cache, redirect,
  //   referrer, bodyBytes, redirectCount, tainting, taintedOrigin, useCorsPreflight }
  async function mainFetch(req, ctl, recursive) {
    const url = req.urlList[req.urlList.length - 1];
    if (req.integrity !== '') {
      return networkError('Subresource Integrity metadata is not supported yet');
    }
    let response;
    const scheme = schemeOf(url);
    if ((sameOrigin(url, clientOrigin) && req.tainting === 'basic') || scheme === 'data') {
      req.tainting = 'basic';
      response = await schemeFetch(req, ctl);
    } else if (req.mode === 'same-origin') {
      return networkError(`${call(urlHref, url)}: a same-origin request to another origin`);
    } else if (req.mode === 'no-cors') {
      if (req.redirect !== 'follow') {
        return networkError('a no-cors request must follow redirects');
      }
      req.tainting = 'opaque';
      response = await schemeFetch(req, ctl);
    } else if (scheme !== 'http' && scheme !== 'https') {
      return networkError(`${call(urlHref, url)}: only http and https URLs can be fetched with CORS`);
    } else if (req.useCorsPreflight || !safelistedMethod(req.method) || corsUnsafeNames(req.headers).length > 0) {
      req.tainting = 'cors';
      response = await httpFetch(req, ctl, true);
    } else {
      req.tainting = 'cors';
      response = await httpFetch(req, ctl, false);
    }
    if (recursive || response instanceof NetworkError) return response;
    if (response.internalResponse !== undefined) return response;
    if (response.urlList.length === 0) response.urlList = req.urlList.slice();
    // A response that is not filtered yet (the network's, or one a service worker made)
    // is filtered as the request's response tainting says; one a service worker passed
    // on already filtered (basic, cors, opaque) keeps its filter.
    if (!response.filtered) {
      response.type = req.tainting === 'basic' ? 'basic' : req.tainting === 'cors' ? 'cors' : 'opaque';
      if (response.type === 'cors' && response.corsExposedHeaderNames === undefined) {
        response.corsExposedHeaderNames = corsExposedNames(req, response.headers);
      }
    }
    if (response.type === 'opaque') {
      if (response.body !== null) S.cancel(response.body, undefined);
      return { type: 'opaque', status: 0, statusText: '', headers: [], body: null, urlList: [] };
    }
    // A response to HEAD or CONNECT, or with a null body status, has no body, whatever
    // the network or a service worker gave.
    if (response.body !== null && (req.method === 'HEAD' || req.method === 'CONNECT' ||
      NULL_BODY_STATUSES.includes(response.status))) {
      S.cancel(response.body, undefined);
      response.body = null;
    }
    return response;
  }
  const NULL_BODY_STATUSES = [101, 103, 204, 205, 304];

  // The CORS-exposed header-name list of a CORS response (main fetch, step 13.1).
  function corsExposedNames(req, headers) {
    const exposed = headerListValues(headers, 'Access-Control-Expose-Headers') || [];
    return req.credentials !== 'include' && exposed.includes('*') ? headers.map(([n]) => n) : exposed;
  }

  async function schemeFetch(req, ctl) {
    const url = req.urlList[req.urlList.length - 1];
    switch (schemeOf(url)) {
      case 'about':
        return networkError('about: URLs cannot be fetched');
      case 'blob':
        return networkError('blob: URLs are not supported yet');
      case 'data': {
        const d = processDataURL(url);
        if (d === null) return networkError(`${call(urlHref, url)}: not a valid data: URL`);
        return {
          status: 200, statusText: 'OK', headers: [['Content-Type', d.mimeType]],
          body: S.fromBytes(d.body), urlList: [],
        };
      }
      case 'file':
        return networkError('file: URLs cannot be fetched');
      case 'http':
      case 'https':
        return httpFetch(req, ctl, false);
      default:
        return networkError(`${call(urlHref, url)}: unknown scheme`);
    }
  }

  // The request's serialised origin: "null" once a redirect has tainted it.
  const serializedOrigin = (req) => (req.taintedOrigin ? 'null' : clientOrigin);

  // The CORS check (section 4.9).
  function corsCheck(req, headers) {
    const allow = getHeader(headers, 'Access-Control-Allow-Origin');
    if (allow === null) return false;
    if (req.credentials !== 'include' && allow === '*') return true;
    if (serializedOrigin(req) !== allow) return false;
    if (req.credentials !== 'include') return true;
    return getHeader(headers, 'Access-Control-Allow-Credentials') === 'true';
  }

  async function httpFetch(req, ctl, makePreflight) {
    const url = req.urlList[req.urlList.length - 1];
    // HTTP fetch, step 5: a controlled client's request goes to its service worker
    // first (Handle Fetch); null means it did not answer.
    if (req.serviceWorkers === 'all') {
      const fromWorker = await handleFetch(req);
      if (fromWorker !== null) return serviceWorkerResponse(req, ctl, fromWorker);
    }
    if (req.cache === 'only-if-cached') {
      // Without an HTTP cache nothing is cached: a network error, as the standard says
      // for a cache miss.
      return networkError('only-if-cached: nothing is cached');
    }
    if (makePreflight) {
      const pre = await corsPreflight(req, ctl);
      if (pre instanceof NetworkError) return pre;
    }
    const response = await networkFetch(req, ctl);
    if (response instanceof NetworkError) return response;
    if (req.tainting === 'cors' && !corsCheck(req, response.headers)) {
      if (response.body !== null) S.cancel(response.body, undefined);
      return networkError(`${call(urlHref, url)}: blocked by CORS (no matching Access-Control-Allow-Origin)`);
    }
    response.urlList = [];
    if (req.tainting === 'cors') response.corsExposedHeaderNames = corsExposedNames(req, response.headers);
    if ([301, 302, 303, 307, 308].includes(response.status)) {
      if (req.redirect === 'error') {
        if (response.body !== null) S.cancel(response.body, undefined);
        return networkError(`${call(urlHref, url)}: redirected, and the request's redirect mode is "error"`);
      }
      if (req.redirect === 'manual') {
        if (response.body !== null) S.cancel(response.body, undefined);
        return {
          type: 'opaqueredirect', status: 0, statusText: '', headers: [], body: null,
          urlList: req.urlList.slice(), internalResponse: response,
        };
      }
      return redirectFetch(req, ctl, response);
    }
    return response;
  }

  // HTTP-redirect fetch (section 4.4).
  async function redirectFetch(req, ctl, response) {
    const current = req.urlList[req.urlList.length - 1];
    const location = getHeader(response.headers, 'Location');
    if (response.body !== null) S.cancel(response.body, undefined);
    if (location === null) return response;
    let locationURL;
    try {
      locationURL = new $URL(location, call(urlHref, current));
    } catch (_) {
      return networkError(`${call(urlHref, current)}: the redirect's Location ${JSON.stringify(location)} is not a URL`);
    }
    if (call(urlHash, locationURL) === '' && call(urlHash, current) !== '') {
      locationURL = new $URL(call(urlHash, current), call(urlHref, locationURL));
    }
    const scheme = schemeOf(locationURL);
    if (scheme !== 'http' && scheme !== 'https') {
      return networkError(`${call(urlHref, current)}: redirected to a ${scheme}: URL`);
    }
    if (req.redirectCount === 20) return networkError(`${call(urlHref, current)}: more than 20 redirects`);
    req.redirectCount += 1;
    if (req.mode === 'cors' && hasCredentials(locationURL) && !sameOrigin(current, originOf(locationURL))) {
      return networkError('a CORS request was redirected to a URL with credentials');
    }
    if (req.tainting === 'cors' && hasCredentials(locationURL)) {
      return networkError('a CORS request was redirected to a URL with credentials');
    }
    if (!sameOrigin(locationURL, originOf(current)) && !sameOrigin(locationURL, clientOrigin)) {
      req.taintedOrigin = true;
    }
    if (((response.status === 301 || response.status === 302) && req.method === 'POST') ||
      (response.status === 303 && req.method !== 'GET' && req.method !== 'HEAD')) {
      req.method = 'GET';
      req.bodyBytes = null;
      for (const n of ['Content-Encoding', 'Content-Language', 'Content-Location', 'Content-Type']) {
        req.headers = removeHeader(req.headers, n);
      }
    }
    if (!sameOrigin(current, originOf(locationURL))) {
      req.headers = removeHeader(req.headers, 'Authorization');
    }
    req.urlList.push(locationURL);
    return mainFetch(req, ctl, true);
  }

  // CORS-preflight fetch (section 4.8).
  async function corsPreflight(req, ctl) {
    const url = req.urlList[req.urlList.length - 1];
    const headers = [['Accept', '*/*'], ['Access-Control-Request-Method', req.method]];
    const unsafe = corsUnsafeNames(req.headers);
    if (unsafe.length > 0) headers.push(['Access-Control-Request-Headers', unsafe.join(',')]);
    headers.push(['Origin', serializedOrigin(req)], ['User-Agent', internals.userAgent]);
    const response = await exchange(ctl, 'OPTIONS', call(urlHref, url).split('#')[0], headers, null);
    if (response instanceof NetworkError) return response;
    if (response.body !== null) S.cancel(response.body, undefined);
    const where = call(urlHref, url);
    if (!corsCheck(req, response.headers) || response.status < 200 || response.status > 299) {
      return networkError(`${where}: blocked by CORS (the preflight failed)`);
    }
    const methods = headerListValues(response.headers, 'Access-Control-Allow-Methods') || [];
    const names = (headerListValues(response.headers, 'Access-Control-Allow-Headers') || []).map(lower);
    if (!methods.includes(req.method) && !safelistedMethod(req.method) &&
      !(methods.includes('*') && req.credentials !== 'include')) {
      return networkError(`${where}: blocked by CORS (method ${req.method} not allowed by the preflight)`);
    }
    for (const n of unsafe) {
      const wildcard = names.includes('*') && req.credentials !== 'include' && n !== 'authorization';
      if (!names.includes(n) && !wildcard) {
        return networkError(`${where}: blocked by CORS (header ${n} not allowed by the preflight)`);
      }
    }
    return response;
  }

  // HTTP-network-or-cache fetch without a cache (section 4.6), then the exchange.
  async function networkFetch(req, ctl) {
    const url = req.urlList[req.urlList.length - 1];
    let headers = req.headers.slice();
    // "Append a request Origin header".
    if (req.tainting === 'cors') headers.push(['Origin', serializedOrigin(req)]);
    else if (req.method !== 'GET' && req.method !== 'HEAD') {
      headers.push(['Origin', req.taintedOrigin ? 'null' : clientOrigin]);
    }
    if (!hasHeader(headers, 'User-Agent')) headers.push(['User-Agent', internals.userAgent]);
    if (!hasHeader(headers, 'Accept')) headers.push(['Accept', '*/*']);
    if (!hasHeader(headers, 'Accept-Language')) headers.push(['Accept-Language', 'en-US,en;q=0.9']);
    if ((req.cache === 'no-store' || req.cache === 'reload' || req.cache === 'no-cache')) {
      if (!hasHeader(headers, 'Pragma')) headers.push(['Pragma', 'no-cache']);
      if (!hasHeader(headers, 'Cache-Control')) headers.push(['Cache-Control', req.cache === 'no-cache' ? 'max-age=0' : 'no-cache']);
    }
    if (req.referrer !== null) headers.push(['Referer', req.referrer]);
    const target = call(urlHref, url).split('#')[0];
    return exchange(ctl, req.method, target, headers, req.bodyBytes);
  }

  // The referrer policy of this realm's policy container (HTML's default).
  const DEFAULT_REFERRER_POLICY = 'strict-origin-when-cross-origin';

  // The Referer to send under the default policy (strict-origin-when-cross-origin) or
  // the request's, for a request made by this realm ("client" referrer).
  function referrerFor(data, url) {
    if (data.referrer === '' || data.referrer === 'no-referrer') return null;
    let ref;
    try {
      ref = new $URL(data.referrer === 'about:client' ? internals.url : data.referrer);
    } catch (_) {
      return null;
    }
    const scheme = schemeOf(ref);
    if (scheme !== 'http' && scheme !== 'https') return null;
    const full = call(urlHref, ref).split('#')[0].replace(/\/\/[^@/]*@/, '//');
    const originOnly = `${originOf(ref)}/`;
    const downgrade = schemeOf(ref) === 'https' && schemeOf(url) === 'http';
    const same = sameOrigin(url, originOf(ref));
    switch (data.referrerPolicy || DEFAULT_REFERRER_POLICY) {
      case 'no-referrer': return null;
      case 'unsafe-url': return full;
      case 'origin': return originOnly;
      case 'same-origin': return same ? full : null;
      case 'strict-origin': return downgrade ? null : originOnly;
      case 'origin-when-cross-origin': return same ? full : originOnly;
      case 'no-referrer-when-downgrade': return downgrade ? null : full;
      default: return same ? full : downgrade ? null : originOnly;
    }
  }

  // ---------------------------------------------------------------------------------
  // The fetch() method (section 5.6).
  // ---------------------------------------------------------------------------------
  function fetch(input, init = undefined) {
    internals.requireArgs(arguments.length, 1, "Failed to execute 'fetch'");
    return fetchImpl(input, init, true);
  }

  // Service worker interception (Handle Fetch): a controlled page's request goes to its
  // worker's fetch event. Resolves with null (the network: not handled, or no answer in
  // 5 s), a NetworkError record (respondWith() failed, or the event was canceled), or the
  // worker's response record.
  const swFetches = new Map();
  if (ops.swRole === 'client') {
    internals.onHostMessage('swFetchResult', (id, kind, ...rest) => {
      const resolve = swFetches.get(id);
      if (resolve === undefined) return;
      swFetches.delete(id);
      resolve([kind, ...rest]);
    });
  }
  // The offline fallback (src/offline_fallback.rs): for a page no worker can answer for,
  // the app's rules (URL patterns and strategies over Cache Storage) answer instead.
  // `null` when no rule applies.
  async function offlineFallback(req) {
    const url = call(urlHref, req.urlList[req.urlList.length - 1]);
    const rule = ops.fallbackRule(url);
    if (rule === null || rule === undefined || req.method !== 'GET' || typeof caches === 'undefined') return null;
    const [strategy, cacheName] = rule;
    const request = () => new F.Request(url, { method: 'GET', headers: req.headers, mode: 'same-origin' === req.mode ? 'same-origin' : undefined });
    const fromNetwork = async (cache) => {
      const r = await internals.fetchWithoutServiceWorker(request());
      if (r.ok && cache !== null) await cache.put(request(), r.clone());
      return r;
    };
    const cache = await caches.open(cacheName);
    let response = null;
    switch (strategy) {
      case 'cache-only':
        response = await cache.match(request());
        if (response === undefined) return networkError(`${url}: not in the offline cache (cache-only)`);
        break;
      case 'cache-first':
        response = (await cache.match(request())) || await fromNetwork(cache);
        break;
      case 'network-first':
        try {
          response = await fromNetwork(cache);
        } catch (e) {
          response = await cache.match(request());
          if (response === undefined) throw e;
        }
        break;
      case 'stale-while-revalidate': {
        const cached = await cache.match(request());
        const refresh = fromNetwork(cache);
        refresh.catch(() => {});
        response = cached || await refresh;
        break;
      }
      default:
        return null;
    }
    return F.responseRecord(response);
  }

  // A response record the offline fallback gave, marked as a worker's would be.
  function fallbackRecord(r) {
    if (r === null || r instanceof NetworkError) return r;
    r.filtered = r.type !== 'default';
    if (r.type === 'cors') r.corsExposedHeaderNames = r.headers.map(([n]) => n);
    return r;
  }
  const offlineFallbackFor = (req) => offlineFallback(req).then(fallbackRecord, (e) => networkError(e && e.message));

  function handleFetch(req) {
    if (ops.swRole !== 'client' || internals.isControlled === undefined) {
      return $Promise.resolve(null);
    }
    const url = req.urlList[req.urlList.length - 1];
    const scheme = schemeOf(url);
    if (scheme !== 'http' && scheme !== 'https') return $Promise.resolve(null);
    if (!internals.isControlled()) return offlineFallbackFor(req);
    const id = ops.swFetch([req.method, call(urlHref, url), req.headers, req.bodyBytes, req.mode,
      req.credentials, req.cache, req.redirect, req.referrer === null ? '' : req.referrer,
      req.referrerPolicy, req.integrity, req.keepalive]);
    if (id === null || id === undefined) return $Promise.resolve(null);
    return new $Promise((resolve) => swFetches.set(id, resolve)).then(([kind, ...rest]) => {
      if (kind === 'fallback') {
        // A worker that could not run (its script failed, a limit stopped it, it became
        // redundant) leaves the request to the app's offline fallback rules, if any.
        return rest[0] === 'not handled' || rest[0] === 'timeout' ? null : offlineFallbackFor(req);
      }
      if (kind === 'error') return networkError(rest[0]);
      const [status, statusText, headers, bytes, type, urlList] = rest;
      return {
        type, status, statusText, headers, body: bytes === null ? null : S.fromBytes(bytes),
        urlList: urlList.map((u) => new $URL(u)),
        // A response the worker got from fetch() is filtered already; one it made
        // ("default") is filtered by main fetch, as the request's tainting says.
        filtered: type !== 'default',
        corsExposedHeaderNames: type === 'cors' ? headers.map(([n]) => n) : undefined,
      };
    });
  }

  // HTTP fetch, steps 5.5 to 9, for a service worker's response: the checks of its type
  // against the request, then a redirect status is followed, made an opaque redirect or
  // refused, as the request's redirect mode says.
  function serviceWorkerResponse(req, ctl, response) {
    if (response instanceof NetworkError) return response;
    const refuse = (why) => {
      if (response.body !== null) S.cancel(response.body, undefined);
      return networkError(`the service worker's response ${why}`);
    };
    if (response.type === 'error') return refuse('is a network error');
    if (req.mode === 'same-origin' && response.type === 'cors') {
      return refuse('is a CORS response, to a same-origin request');
    }
    if (req.mode !== 'no-cors' && response.type === 'opaque') {
      return refuse('is opaque, to a request that is not no-cors');
    }
    if (req.redirect !== 'manual' && response.type === 'opaqueredirect') {
      return refuse('is an opaque redirect, to a request that does not redirect manually');
    }
    if (req.redirect !== 'follow' && response.urlList.length > 1) {
      return refuse('was redirected, to a request that does not follow redirects');
    }
    if (response.type !== 'opaqueredirect' && [301, 302, 303, 307, 308].includes(response.status)) {
      if (req.redirect === 'error') return refuse(`redirects (${response.status}), to a request whose redirect mode is "error"`);
      if (req.redirect === 'manual') {
        if (response.body !== null) S.cancel(response.body, undefined);
        return {
          type: 'opaqueredirect', status: 0, statusText: '', headers: [], body: null,
          urlList: req.urlList.slice(), internalResponse: response,
        };
      }
      return redirectFetch(req, ctl, response);
    }
    return response;
  }

  function fetchImpl(input, init, serviceWorkers) {
    let request;
    try {
      request = new F.Request(input, init);
    } catch (e) {
      return $Promise.reject(e);
    }
    const data = F.requestData(request);
    let resolveP, rejectP;
    const p = new $Promise((res, rej) => { resolveP = res; rejectP = rej; });
    const ctl = { current: null, aborted: false, responseBody: null };
    let responseObject = null;

    const abortCall = (error) => {
      rejectP(error);
      if (data.body !== null && S.isReadable(data.body.stream)) S.cancel(data.body.stream, error);
      const body = ctl.responseBody === null ? undefined : ctl.responseBody.deref();
      if (body !== undefined && S.isReadable(body)) {
        const c = controls.get(body);
        if (c !== undefined) c.error(error);
        else S.cancel(body, error);
      }
    };
    if (data.signal.aborted) {
      abortCall(data.signal.reason);
      return p;
    }
    internals.onAbort(data.signal, () => {
      if (ctl.aborted) return;
      ctl.aborted = true;
      if (ctl.current !== null) {
        exchanges.delete(ctl.current);
        ops.netAbort(ctl.current);
      }
      abortCall(data.signal.reason);
    });

    const url = new $URL(data.url);
    F.requestBodyBytes(request).then(async (bodyBytes) => {
      if (ctl.aborted) return;
      const req = {
        method: data.method, urlList: [url], headers: data.headers, mode: data.mode,
        credentials: data.credentials, cache: data.cache, redirect: data.redirect,
        referrer: referrerFor(data, url), integrity: data.integrity, bodyBytes,
        redirectCount: 0, tainting: 'basic', taintedOrigin: false, useCorsPreflight: false,
        // Main fetch, step 7: an empty referrer policy becomes the client's default.
        referrerPolicy: data.referrerPolicy || DEFAULT_REFERRER_POLICY,
        keepalive: data.keepalive, serviceWorkers: serviceWorkers ? 'all' : 'none',
      };
      return mainFetch(req, ctl, false);
    }).then((response) => {
      if (ctl.aborted || response === undefined) return;
      if (response instanceof NetworkError) {
        rejectP(new $TypeError(`fetch: ${response.message}`));
        return;
      }
      const inner = response.internalResponse !== undefined ? response.internalResponse : response;
      if (inner.body !== null && response.type !== 'opaqueredirect') {
        ctl.responseBody = new WeakRef(inner.body);
      }
      responseObject = F.makeResponse({
        type: response.type, status: response.status, statusText: response.statusText,
        headers: response.headers, body: response.body, urlList: response.urlList.map((u) => call(urlHref, u)),
        corsExposedHeaderNames: response.corsExposedHeaderNames || [],
      });
      resolveP(responseObject);
    }, (e) => {
      if (!ctl.aborted) rejectP(e instanceof $TypeError ? e : new $TypeError(`fetch: ${e && e.message}`));
    });
    return p;
  }
  internals.exposeOperation('fetch', fetch);
  // Service worker scripts are fetched around the worker, never through it.
  internals.fetchWithoutServiceWorker = (input, init) => fetchImpl(input, init, false);
  // For the offline switch and service workers.
  internals.fetchMethod = fetch;
});

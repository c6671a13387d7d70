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
  const urlHostname = Object.getOwnPropertyDescriptor($URL.prototype, 'hostname').get;
  const urlPathname = Object.getOwnPropertyDescriptor($URL.prototype, 'pathname').get;
  const urlPort = Object.getOwnPropertyDescriptor($URL.prototype, 'port').get;
  const setUsername = Object.getOwnPropertyDescriptor($URL.prototype, 'username').set;
  const setPassword = Object.getOwnPropertyDescriptor($URL.prototype, 'password').set;
  const setHash = Object.getOwnPropertyDescriptor($URL.prototype, 'hash').set;
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

  const safelistedRequestHeader = internals.headers.corsSafelisted;
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
  // A "potentially trustworthy URL" (Secure Contexts): about:blank, data:, and URLs of
  // potentially trustworthy origins (https, loopback hosts, file:, the kpio: app scheme).
  function trustworthyURL(u) {
    const scheme = schemeOf(u);
    if (scheme === 'data') return true;
    if (scheme === 'about') return call(urlPathname, u) === 'blank';
    if (scheme === 'https' || scheme === 'wss' || scheme === 'file' || scheme === 'kpio') return true;
    if (scheme !== 'http' && scheme !== 'ws') return false;
    const h = call(urlHostname, u);
    return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '[::1]';
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
    const parsed = parseMimeType(mimeType);
    return { mimeType: parsed === null ? 'text/plain;charset=US-ASCII' : serializeMimeType(parsed), body };
  }

  // MIME Sniffing's "parse a MIME type" (section 4.4): { type, subtype, parameters (a Map) }
  // or null for failure.
  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const QUOTED_STRING_TOKENS = /^[\t\x20-\x7E\x80-\xFF]*$/;
  const trimHTTP = (s) => s.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  function parseMimeType(input) {
    input = trimHTTP(input);
    const slash = input.indexOf('/');
    if (slash < 0) return null;
    const type = input.slice(0, slash);
    if (!TOKEN.test(type)) return null;
    let position = slash + 1;
    let end = input.indexOf(';', position);
    if (end < 0) end = input.length;
    const subtype = input.slice(position, end).replace(/[\t\n\r ]+$/, '');
    if (!TOKEN.test(subtype)) return null;
    position = end;
    const parameters = new Map();
    while (position < input.length) {
      position += 1; // past ';'
      while (position < input.length && /[\t\n\r ]/.test(input[position])) position += 1;
      let nameEnd = position;
      while (nameEnd < input.length && input[nameEnd] !== ';' && input[nameEnd] !== '=') nameEnd += 1;
      const name = lower(input.slice(position, nameEnd));
      position = nameEnd;
      if (position < input.length) {
        if (input[position] === ';') continue;
        position += 1; // past '='
      }
      if (position >= input.length) break;
      let value;
      if (input[position] === '"') {
        // "Collect an HTTP quoted string" with extract-value.
        value = '';
        position += 1;
        for (;;) {
          while (position < input.length && input[position] !== '"' && input[position] !== '\\') {
            value += input[position];
            position += 1;
          }
          if (position >= input.length) break;
          const c = input[position];
          position += 1;
          if (c === '\\') {
            if (position >= input.length) {
              value += '\\';
              break;
            }
            value += input[position];
            position += 1;
          } else break;
        }
        while (position < input.length && input[position] !== ';') position += 1;
      } else {
        let valueEnd = input.indexOf(';', position);
        if (valueEnd < 0) valueEnd = input.length;
        value = input.slice(position, valueEnd).replace(/[\t\n\r ]+$/, '');
        position = valueEnd;
        if (value === '') continue;
      }
      if (name !== '' && TOKEN.test(name) && QUOTED_STRING_TOKENS.test(value) && !parameters.has(name)) {
        parameters.set(name, value);
      }
    }
    return { type: lower(type), subtype: lower(subtype), parameters };
  }

  // "Serialize a MIME type" (section 4.5).
  function serializeMimeType(m) {
    let out = `${m.type}/${m.subtype}`;
    for (const [name, value] of m.parameters) {
      let v = value;
      if (v === '' || !TOKEN.test(v)) v = `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
      out += `;${name}=${v}`;
    }
    return out;
  }

  // The Fetch Standard's bad ports (section 2.9).
  const BAD_PORTS = new Set(['0', '1', '7', '9', '11', '13', '15', '17', '19', '20', '21', '22', '23',
    '25', '37', '42', '43', '53', '69', '77', '79', '87', '95', '101', '102', '103', '104', '109', '110',
    '111', '113', '115', '117', '119', '123', '135', '137', '139', '143', '161', '179', '389', '427',
    '465', '512', '513', '514', '515', '526', '530', '531', '532', '540', '548', '554', '556', '563',
    '587', '601', '636', '989', '990', '993', '995', '1719', '1720', '1723', '2049', '3659', '4045',
    '4190', '5060', '5061', '6000', '6566', '6665', '6666', '6667', '6668', '6669', '6679', '6697',
    '10080']);

  // ---------------------------------------------------------------------------------
  // Fetching (section 4): a request record in, a response record out.
  // ---------------------------------------------------------------------------------
  // request: { method, urlList (URLs), headers, mode, credentials, cache, redirect,
  //   referrer ('client', 'no-referrer' or a URL), referrerPolicy, integrity, bodyBytes,
  //   bodyFromStream, redirectCount, tainting, taintedOrigin, useCorsPreflight }
  async function mainFetch(req, ctl, recursive) {
    const url = req.urlList[req.urlList.length - 1];
    if (req.integrity !== '') {
      return networkError('Subresource Integrity metadata is not supported yet');
    }
    // "Should request be blocked due to a bad port": ports of other protocols (SMTP,
    // IRC...) that a page must not reach with HTTP.
    const scheme0 = schemeOf(url);
    if ((scheme0 === 'http' || scheme0 === 'https') && BAD_PORTS.has(call(urlPort, url))) {
      return networkError(`${call(urlHref, url)}: port ${call(urlPort, url)} is blocked (a bad port)`);
    }
    // The client's policy container has the default policy (a realm sets none of its own).
    if (req.referrerPolicy === '') req.referrerPolicy = 'strict-origin-when-cross-origin';
    // Every hop determines the referrer anew, from what the last hop sent.
    if (req.referrer !== 'no-referrer') req.referrer = determineReferrer(req);
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

  // The cross-origin resource policy check (section 3.8) of a response to a request
  // whose tainting is "opaque": whether `Cross-Origin-Resource-Policy` blocks it. A realm
  // has no embedder policy of its own ("unsafe-none").
  function corpBlocks(req, headers) {
    const policy = getHeader(headers, 'Cross-Origin-Resource-Policy');
    const url = req.urlList[req.urlList.length - 1];
    if (policy === 'same-origin') return !sameOrigin(url, clientOrigin);
    if (policy === 'same-site') {
      // Schemelessly same site: the same host for IP addresses and single labels, the same
      // registrable domain otherwise (without a public suffix list, the same host).
      let client;
      try {
        client = new $URL(clientOrigin);
      } catch (_) {
        return true;
      }
      if (call(urlHostname, client) !== call(urlHostname, url)) return true;
      return schemeOf(client) !== 'https' && schemeOf(url) === 'https';
    }
    return false;
  }

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
    if (req.tainting === 'opaque' && corpBlocks(req, response.headers)) {
      if (response.body !== null) S.cancel(response.body, undefined);
      return networkError(`${call(urlHref, url)}: blocked by its Cross-Origin-Resource-Policy`);
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
    // No Location: the redirect is the response, body and all.
    if (location === null) return response;
    if (response.body !== null) S.cancel(response.body, undefined);
    let locationURL;
    try {
      locationURL = new $URL(location, call(urlHref, current));
    } catch (_) {
      return networkError(`${call(urlHref, current)}: the redirect's Location ${JSON.stringify(location)} is not a URL`);
    }
    // A Location without a fragment takes the request's ("null" fragment: no '#' at all).
    if (!call(urlHref, locationURL).includes('#') && call(urlHash, current) !== '') {
      locationURL = new $URL(call(urlHash, current), call(urlHref, locationURL));
    }
    const scheme = schemeOf(locationURL);
    if (scheme !== 'http' && scheme !== 'https') {
      return networkError(`${call(urlHref, current)}: redirected to a ${scheme}: URL`);
    }
    if (req.redirectCount === 20) return networkError(`${call(urlHref, current)}: more than 20 redirects`);
    req.redirectCount += 1;
    if (req.mode === 'cors' && hasCredentials(locationURL) && !sameOrigin(locationURL, clientOrigin)) {
      return networkError('a CORS request was redirected to a URL with credentials');
    }
    if (req.tainting === 'cors' && hasCredentials(locationURL)) {
      return networkError('a CORS request was redirected to a URL with credentials');
    }
    // A body read from a ReadableStream cannot be sent again.
    if (response.status !== 303 && req.bodyBytes !== null && req.bodyFromStream) {
      return networkError(`${call(urlHref, current)}: redirected (${response.status}), and a streamed request body cannot be sent again`);
    }
    if (((response.status === 301 || response.status === 302) && req.method === 'POST') ||
      (response.status === 303 && req.method !== 'GET' && req.method !== 'HEAD')) {
      req.method = 'GET';
      req.bodyBytes = null;
      for (const n of ['Content-Encoding', 'Content-Language', 'Content-Location', 'Content-Type']) {
        req.headers = removeHeader(req.headers, n);
      }
    }
    if (!sameOrigin(locationURL, originOf(current))) {
      req.headers = removeHeader(req.headers, 'Authorization');
    }
    // "Has a redirect-tainted origin": a hop to another origin from a URL whose origin is
    // not the request's.
    if (!sameOrigin(locationURL, originOf(current)) && !sameOrigin(current, clientOrigin)) {
      req.taintedOrigin = true;
    }
    req.urlList.push(locationURL);
    // "Set request's referrer policy on redirect".
    const policy = parseReferrerPolicy(response.headers);
    if (policy !== '') req.referrerPolicy = policy;
    return mainFetch(req, ctl, true);
  }

  const REFERRER_POLICIES = ['no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin',
    'strict-origin', 'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url'];
  // "Parse a referrer policy from a Referrer-Policy header": the last known token.
  function parseReferrerPolicy(headers) {
    let policy = '';
    for (const token of headerListValues(headers, 'Referrer-Policy') || []) {
      if (REFERRER_POLICIES.includes(token)) policy = token;
    }
    return policy;
  }

  // CORS-preflight fetch (section 4.8).
  async function corsPreflight(req, ctl) {
    const url = req.urlList[req.urlList.length - 1];
    const headers = [['Accept', '*/*'], ['Access-Control-Request-Method', req.method]];
    const unsafe = corsUnsafeNames(req.headers);
    if (unsafe.length > 0) headers.push(['Access-Control-Request-Headers', unsafe.join(',')]);
    if (req.referrer !== 'no-referrer') headers.push(['Referer', call(urlHref, req.referrer)]);
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
      let origin = serializedOrigin(req);
      switch (req.referrerPolicy) {
        case 'no-referrer':
          origin = 'null';
          break;
        case 'no-referrer-when-downgrade':
        case 'strict-origin':
        case 'strict-origin-when-cross-origin':
          if (clientOrigin.startsWith('https:') && schemeOf(url) !== 'https') origin = 'null';
          break;
        case 'same-origin':
          if (!sameOrigin(url, clientOrigin)) origin = 'null';
          break;
        default:
          break;
      }
      headers.push(['Origin', origin]);
    }
    if (!hasHeader(headers, 'User-Agent')) headers.push(['User-Agent', internals.userAgent]);
    if (!hasHeader(headers, 'Accept')) headers.push(['Accept', '*/*']);
    if (!hasHeader(headers, 'Accept-Language')) headers.push(['Accept-Language', 'en-US,en;q=0.9']);
    // A conditional request is the page's own revalidation: nothing cached may answer it.
    let cache = req.cache;
    const conditional = ['If-Modified-Since', 'If-None-Match', 'If-Unmodified-Since', 'If-Match', 'If-Range'];
    if (cache === 'default' && conditional.some((n) => hasHeader(headers, n))) cache = 'no-store';
    if (cache === 'no-cache' && !hasHeader(headers, 'Cache-Control')) headers.push(['Cache-Control', 'max-age=0']);
    if (cache === 'no-store' || cache === 'reload') {
      if (!hasHeader(headers, 'Pragma')) headers.push(['Pragma', 'no-cache']);
      if (!hasHeader(headers, 'Cache-Control')) headers.push(['Cache-Control', 'no-cache']);
    }
    // Partial content must not be content-coded.
    if (hasHeader(headers, 'Range')) headers.push(['Accept-Encoding', 'identity']);
    if (req.referrer !== 'no-referrer') headers.push(['Referer', call(urlHref, req.referrer)]);
    const target = call(urlHref, url).split('#')[0];
    return exchange(ctl, req.method, target, headers, req.bodyBytes);
  }

  // The realm's URL: the referrer source of a request whose referrer is "client".
  let clientURL = null;
  try {
    clientURL = new $URL(internals.url);
  } catch (_) {
    clientURL = null;
  }

  // "Strip url for use as a referrer": no credentials, no fragment, and with originOnly
  // no path or query either. Only http(s) URLs are sent (as Chromium does: a file: or
  // kpio: URL would tell a server about the machine), null otherwise.
  function stripReferrer(u, originOnly) {
    const scheme = schemeOf(u);
    if (scheme !== 'http' && scheme !== 'https') return null;
    if (originOnly) return new $URL(`${originOf(u)}/`);
    const out = new $URL(call(urlHref, u));
    call(setUsername, out, '');
    call(setPassword, out, '');
    call(setHash, out, '');
    return new $URL(call(urlHref, out).split('#')[0]);
  }

  // "Determine request's referrer" (Referrer Policy, section 8.3) for the request's
  // current URL: a URL, or "no-referrer".
  function determineReferrer(req) {
    const source = req.referrer === 'client' ? clientURL : req.referrer;
    if (source === null) return 'no-referrer';
    let full = stripReferrer(source, false);
    const originOnly = stripReferrer(source, true);
    if (full === null) return 'no-referrer';
    if (call(urlHref, full).length > 4096) full = originOnly;
    const current = req.urlList[req.urlList.length - 1];
    const downgrade = trustworthyURL(full) && !trustworthyURL(current);
    const same = sameOrigin(current, originOf(full));
    switch (req.referrerPolicy) {
      case 'no-referrer': return 'no-referrer';
      case 'origin': return originOnly;
      case 'unsafe-url': return full;
      case 'strict-origin': return downgrade ? 'no-referrer' : originOnly;
      case 'same-origin': return same ? full : 'no-referrer';
      case 'origin-when-cross-origin': return same ? full : originOnly;
      case 'no-referrer-when-downgrade': return downgrade ? 'no-referrer' : full;
      default: return same ? full : downgrade ? 'no-referrer' : originOnly;
    }
  }

  // A request's referrer as requestData gives it: '' (none), 'about:client' or a URL.
  function initialReferrer(referrer) {
    if (referrer === '') return 'no-referrer';
    if (referrer === 'about:client') return 'client';
    try {
      return new $URL(referrer);
    } catch (_) {
      return 'client';
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
      req.credentials, req.cache, req.redirect,
      req.referrer === null || req.referrer === 'no-referrer' ? ''
        : typeof req.referrer === 'string' ? req.referrer : call(urlHref, req.referrer),
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
        referrer: initialReferrer(data.referrer), referrerPolicy: data.referrerPolicy,
        integrity: data.integrity, bodyBytes,
        bodyFromStream: data.body !== null && data.body.source === null,
        redirectCount: 0, tainting: 'basic', taintedOrigin: false,
        useCorsPreflight: false,
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

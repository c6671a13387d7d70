// The Fetch Standard's Body mixin, Request and Response (sections 5.3 to 5.5), and what
// the coming fetch() needs from them (`internals.fetch`).
//
// Needs, from earlier prelude files: webidl.js, abort.js (AbortSignal.any for the
// request's dependent signal), url.js (URL, URLSearchParams), encoding.js (TextEncoder,
// TextDecoder), headers.js (internals.headers), streams.js (internals.streams),
// mime_type.js (internals.mime), blob.js (internals.blob), form_data.js
// (internals.formData) and multipart.js (internals.multipart); so it goes after those in
// src/prelude.rs.
//
// Not here yet: the "request-no-cors" header guard (a no-cors request's headers use the
// "request" guard; its method is still checked to be CORS-safelisted), and origins (the
// runtime has no `location`, so relative URLs are a TypeError unless `globalThis.location`
// exists, and the environment's origin is taken as opaque).
(function (ops, internals) {
  'use strict';
  const { requireArgs, illegal, toUSV, toDOMString } = internals;
  const S = internals.streams;
  const H = internals.headers;
  const M = internals.mime;
  const B = internals.blob;
  const F = internals.formData;

  // Intrinsics, taken now so that scripts changing the globals later change nothing here.
  const $URL = URL;
  const urlHref = Object.getOwnPropertyDescriptor($URL.prototype, 'href').get;
  const urlUsername = Object.getOwnPropertyDescriptor($URL.prototype, 'username').get;
  const urlPassword = Object.getOwnPropertyDescriptor($URL.prototype, 'password').get;
  const urlProtocol = Object.getOwnPropertyDescriptor($URL.prototype, 'protocol').get;
  const urlPathname = Object.getOwnPropertyDescriptor($URL.prototype, 'pathname').get;
  const urlHash = Object.getOwnPropertyDescriptor($URL.prototype, 'hash').get;
  const uspToString = URLSearchParams.prototype.toString;
  const $TextEncoder = TextEncoder;
  const $TextDecoder = TextDecoder;
  const encode = $TextEncoder.prototype.encode;
  const decode = $TextDecoder.prototype.decode;
  const encoder = new $TextEncoder();
  const abortSignalAny = AbortSignal.any;
  const $AbortSignal = AbortSignal;
  const $TransformStream = S.TransformStream;
  const tsReadable = Object.getOwnPropertyDescriptor($TransformStream.prototype, 'readable').get;
  const tsWritable = Object.getOwnPropertyDescriptor($TransformStream.prototype, 'writable').get;
  const abLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
  const taByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength').get;
  const $Uint8Array = Uint8Array;
  const $Promise = Promise;
  const jsonParse = JSON.parse;
  const headersGet = Headers.prototype.get;
  const jsonStringify = JSON.stringify;
  const call = (fn, self, ...args) => Reflect.apply(fn, self, args);

  // ---------------------------------------------------------------------------------
  // URLs. The API base URL: this runtime has no `location` yet, so without one there is
  // no base and a relative URL fails to parse (a TypeError); when a `globalThis.location`
  // exists, its href is the base.
  // ---------------------------------------------------------------------------------
  function baseURL() {
    const loc = globalThis.location;
    if (loc === undefined || loc === null) return undefined;
    return `${loc.href !== undefined ? loc.href : loc}`;
  }
  // A URL object, or null on failure.
  function parseURL(input) {
    try {
      const base = baseURL();
      return base === undefined ? new $URL(input) : new $URL(input, base);
    } catch (_) {
      return null;
    }
  }
  function hrefWithoutFragment(u) {
    const href = call(urlHref, u);
    const hash = href.indexOf('#');
    return hash < 0 ? href : href.slice(0, hash);
  }

  // ---------------------------------------------------------------------------------
  // Bodies: { stream, source, length } (section 5.1's "body").
  // ---------------------------------------------------------------------------------
  function isArrayBuffer(v) {
    try {
      call(abLength, v);
      return true;
    } catch (_) {
      return false;
    }
  }
  function isURLSearchParams(v) {
    if (typeof v !== 'object' || v === null) return false;
    try {
      call(uspToString, v);
      return true;
    } catch (_) {
      return false;
    }
  }
  function bytesBody(bytes) {
    return { stream: S.fromBytes(bytes), source: bytes, length: bytes.byteLength };
  }

  // WebIDL's conversion of a BodyInit union value: ReadableStream, Blob, BufferSource,
  // FormData and URLSearchParams are kept, anything else becomes a USVString.
  function convertBodyInit(v) {
    if (typeof v === 'object' && v !== null) {
      if (S.isReadableStream(v) || B.isBlob(v) || ArrayBuffer.isView(v) || isArrayBuffer(v) ||
        F.isFormData(v) || isURLSearchParams(v)) return v;
    }
    return toUSV(v);
  }

  // "Extract a body" from a converted BodyInit: [body, content type or null].
  function extract(object, keepalive, what) {
    if (typeof object === 'string') {
      return [bytesBody(call(encode, encoder, object)), 'text/plain;charset=UTF-8'];
    }
    if (S.isReadableStream(object)) {
      if (keepalive) throw new TypeError(`${what}: a keepalive request cannot have a ReadableStream body.`);
      if (S.isDisturbed(object) || S.isLocked(object)) {
        throw new TypeError(`${what}: the ReadableStream body is disturbed or locked.`);
      }
      return [{ stream: object, source: null, length: null }, null];
    }
    if (isURLSearchParams(object)) {
      return [bytesBody(call(encode, encoder, call(uspToString, object))),
        'application/x-www-form-urlencoded;charset=UTF-8'];
    }
    // A Blob: its stream, and its size for Content-Length; its type, if it has one.
    if (B.isBlob(object)) {
      const type = B.typeOf(object);
      return [{ stream: B.stream(object), source: object, length: B.sizeOf(object) }, type === '' ? null : type];
    }
    // FormData: encoded now (so later changes to the object change nothing), as HTML's
    // multipart/form-data encoding algorithm says, with UTF-8. The standard leaves the
    // length unclear (whatwg/html#6424); the encoding is whole, so it is known. The
    // source is the encoded bytes, so that a body sent again (a redirect) keeps the
    // boundary its Content-Type names.
    if (F.isFormData(object)) {
      const { bytes, boundary } = internals.multipart.encode(F.entries(object));
      return [{ stream: S.fromBytes(bytes), source: bytes, length: call(taByteLength, bytes) },
        `multipart/form-data; boundary=${boundary}`];
    }
    // A BufferSource: a copy of its bytes.
    const view = ArrayBuffer.isView(object)
      ? new $Uint8Array(object.buffer, object.byteOffset, object.byteLength)
      : new $Uint8Array(object);
    return [bytesBody(new $Uint8Array(view)), null];
  }

  // "Clone a body": tee its stream, keep one branch, give back the other.
  function cloneBody(body) {
    const [out1, out2] = S.tee(body.stream);
    body.stream = out1;
    return { stream: out2, source: body.source, length: body.length };
  }

  const state = new WeakMap();
  function st(self, kind) {
    const s = state.get(self);
    if (s === undefined || s.kind !== kind) throw illegal();
    return s;
  }
  function bodyOf(self, kind) {
    return st(self, kind).body;
  }
  function disturbed(body) {
    return body !== null && S.isDisturbed(body.stream);
  }
  // "Unusable": the body is non-null and its stream disturbed or locked.
  function unusable(body) {
    return body !== null && (S.isDisturbed(body.stream) || S.isLocked(body.stream));
  }

  // "Consume body": a promise of all the body's bytes (empty for a null body).
  function consume(self, kind, what) {
    let body;
    try {
      body = bodyOf(self, kind);
    } catch (e) {
      return $Promise.reject(e);
    }
    if (unusable(body)) {
      return $Promise.reject(new TypeError(`${what}: body stream already read or locked.`));
    }
    if (body === null) return $Promise.resolve(new $Uint8Array(0));
    return S.readAll(body.stream);
  }
  const utf8Decode = (bytes) => call(decode, new $TextDecoder(), bytes);
  const utf8DecodeWithoutBOM = (bytes) => call(decode, new $TextDecoder('utf-8', { ignoreBOM: true }), bytes);

  // Fetch's "get, decode, and split" of a header: its combined value split at commas
  // outside quoted strings, each value without leading and trailing tabs and spaces;
  // null if the header is absent.
  function getDecodeSplit(headers, name) {
    const input = call(headersGet, headers, name);
    if (input === null) return null;
    const values = [];
    const p = { pos: 0 };
    let temporary = '';
    for (;;) {
      while (p.pos < input.length && input[p.pos] !== '"' && input[p.pos] !== ',') temporary += input[p.pos++];
      if (p.pos < input.length && input[p.pos] === '"') {
        temporary += M.collectQuotedString(input, p, false);
        if (p.pos < input.length) continue;
      }
      let a = 0;
      let b = temporary.length;
      while (a < b && (temporary[a] === ' ' || temporary[a] === '\t')) a++;
      while (b > a && (temporary[b - 1] === ' ' || temporary[b - 1] === '\t')) b--;
      values[values.length] = temporary.slice(a, b);
      temporary = '';
      if (p.pos >= input.length) return values;
      p.pos++; // the ','
    }
  }

  // Fetch's "extract a MIME type" from a header list: a MIME type record, or null.
  function extractMIMEType(headers) {
    let charset = null;
    let essence = null;
    let mimeType = null;
    const values = getDecodeSplit(headers, 'Content-Type');
    if (values === null) return null;
    for (let i = 0; i < values.length; i++) {
      const temporary = M.parse(values[i]);
      if (temporary === null || M.essence(temporary) === '*/*') continue;
      mimeType = temporary;
      if (M.essence(mimeType) !== essence) {
        charset = null;
        const c = M.param(mimeType, 'charset');
        if (c !== undefined) charset = c;
        essence = M.essence(mimeType);
      } else if (M.param(mimeType, 'charset') === undefined && charset !== null) {
        M.setParam(mimeType, 'charset', charset);
      }
    }
    return mimeType;
  }

  // formData()'s "package data": the bytes as a FormData, per the body's MIME type.
  function packageFormData(bytes, headers, what) {
    const mimeType = extractMIMEType(headers);
    const essence = mimeType === null ? null : M.essence(mimeType);
    if (essence === 'multipart/form-data') {
      const boundary = M.param(mimeType, 'boundary');
      if (boundary === undefined) throw new TypeError(`${what}: the multipart/form-data MIME type has no boundary.`);
      const entries = internals.multipart.parse(bytes, boundary);
      if (entries === null) throw new TypeError(`${what}: the body is not valid multipart/form-data.`);
      return F.make(entries);
    }
    if (essence === 'application/x-www-form-urlencoded') {
      // The application/x-www-form-urlencoded parser works on bytes; decoding first,
      // lossily and keeping a BOM, gives the same names and values.
      const list = ops.formParse(utf8DecodeWithoutBOM(bytes));
      const entries = [];
      for (let i = 0; i + 1 < list.length; i += 2) entries[entries.length] = [list[i], list[i + 1]];
      return F.make(entries);
    }
    throw new TypeError(`${what}: the body's MIME type is neither multipart/form-data nor application/x-www-form-urlencoded.`);
  }

  // The Body mixin's members, put on both prototypes (each checking its own brand).
  function mixBody(proto, kind) {
    const members = {
      get body() {
        const body = bodyOf(this, kind);
        return body === null ? null : body.stream;
      },
      get bodyUsed() {
        return disturbed(bodyOf(this, kind));
      },
      arrayBuffer() {
        return consume(this, kind, `Failed to execute 'arrayBuffer' on '${kind}'`).then((b) => b.buffer);
      },
      bytes() {
        return consume(this, kind, `Failed to execute 'bytes' on '${kind}'`).then((b) => b);
      },
      text() {
        return consume(this, kind, `Failed to execute 'text' on '${kind}'`).then(utf8Decode);
      },
      json() {
        return consume(this, kind, `Failed to execute 'json' on '${kind}'`).then((b) => jsonParse(utf8Decode(b)));
      },
      // A Blob of the bytes, typed with the body's MIME type (serialized, then made a
      // Blob type: ASCII lowercase, empty if not printable ASCII), or untyped.
      blob() {
        return consume(this, kind, `Failed to execute 'blob' on '${kind}'`).then((b) => {
          const mimeType = extractMIMEType(st(this, kind).headers);
          return B.make(b, mimeType === null ? '' : M.serialize(mimeType));
        });
      },
      formData() {
        const what = `Failed to execute 'formData' on '${kind}'`;
        return consume(this, kind, what).then((b) => packageFormData(b, st(this, kind).headers, what));
      },
    };
    for (const key of Reflect.ownKeys(members)) {
      Object.defineProperty(proto, key, Object.getOwnPropertyDescriptor(members, key));
    }
  }

  // ---------------------------------------------------------------------------------
  // Dictionaries and enums.
  // ---------------------------------------------------------------------------------
  function enumValue(v, values, name, what) {
    const s = toDOMString(v);
    if (!values.includes(s)) {
      throw new TypeError(`${what}: The provided value '${s}' is not a valid enum value of type ${name}.`);
    }
    return s;
  }
  const MODES = ['navigate', 'same-origin', 'no-cors', 'cors'];
  const CREDENTIALS = ['omit', 'same-origin', 'include'];
  const CACHES = ['default', 'no-store', 'reload', 'no-cache', 'force-cache', 'only-if-cached'];
  const REDIRECTS = ['follow', 'error', 'manual'];
  const POLICIES = ['', 'no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin',
    'strict-origin', 'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url'];
  const DUPLEXES = ['half'];
  const PRIORITIES = ['high', 'low', 'auto'];

  // RequestInit, converted member by member in lexicographic order, as WebIDL does.
  // Members that are absent (or undefined) are not in the result.
  function requestInit(v, what) {
    const d = internals.dictionary(v, what);
    const out = {};
    const get = (k) => d[k];
    let x;
    if ((x = get('body')) !== undefined) out.body = x === null ? null : convertBodyInit(x);
    if ((x = get('cache')) !== undefined) out.cache = enumValue(x, CACHES, 'RequestCache', what);
    if ((x = get('credentials')) !== undefined) out.credentials = enumValue(x, CREDENTIALS, 'RequestCredentials', what);
    if ((x = get('duplex')) !== undefined) out.duplex = enumValue(x, DUPLEXES, 'RequestDuplex', what);
    if ((x = get('headers')) !== undefined) {
      if (typeof x !== 'object' && typeof x !== 'function' || x === null) {
        throw new TypeError(`${what}: The provided value is not of type 'HeadersInit'.`);
      }
      out.headers = x;
    }
    if ((x = get('integrity')) !== undefined) out.integrity = toDOMString(x);
    if ((x = get('keepalive')) !== undefined) out.keepalive = !!x;
    if ((x = get('method')) !== undefined) out.method = byteString(x, what);
    if ((x = get('mode')) !== undefined) out.mode = enumValue(x, MODES, 'RequestMode', what);
    if ((x = get('priority')) !== undefined) out.priority = enumValue(x, PRIORITIES, 'RequestPriority', what);
    if ((x = get('redirect')) !== undefined) out.redirect = enumValue(x, REDIRECTS, 'RequestRedirect', what);
    if ((x = get('referrer')) !== undefined) out.referrer = toUSV(x);
    if ((x = get('referrerPolicy')) !== undefined) out.referrerPolicy = enumValue(x, POLICIES, 'ReferrerPolicy', what);
    if ((x = get('signal')) !== undefined) {
      if (x !== null && !internals.isAbortSignal(x)) {
        throw new TypeError(`${what}: member signal is not of type AbortSignal.`);
      }
      out.signal = x;
    }
    if ('window' in d && (x = get('window')) !== undefined) out.window = x;
    return out;
  }

  function byteString(v, what) {
    const s = toDOMString(v);
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0xff) throw new TypeError(`${what}: the value is not a valid ByteString.`);
    }
    return s;
  }

  // WebIDL's unsigned short.
  function unsignedShort(v) {
    const n = Number(v);
    if (!Number.isFinite(n)) return 0;
    const t = Math.trunc(n) % 65536;
    return t < 0 ? t + 65536 : t === 0 ? 0 : t;
  }

  // ResponseInit: headers, status, statusText.
  function responseInit(v, what) {
    const d = internals.dictionary(v, what);
    const out = { status: 200, statusText: '' };
    let x;
    if ((x = d.headers) !== undefined) {
      if (typeof x !== 'object' && typeof x !== 'function' || x === null) {
        throw new TypeError(`${what}: The provided value is not of type 'HeadersInit'.`);
      }
      out.headers = x;
    }
    if ((x = d.status) !== undefined) out.status = unsignedShort(x);
    if ((x = d.statusText) !== undefined) out.statusText = byteString(x, what);
    return out;
  }

  // ---------------------------------------------------------------------------------
  // Request (section 5.4).
  // ---------------------------------------------------------------------------------
  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const NORMALIZED = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];
  const FORBIDDEN_METHODS = ['CONNECT', 'TRACE', 'TRACK'];
  const SAFELISTED_METHODS = ['GET', 'HEAD', 'POST'];

  // A request's fields, copied (section 5.4's constructor step 12), without the body.
  function copyRequest(r) {
    return {
      method: r.method, url: r.url, headerList: r.headerList.slice(), referrer: r.referrer,
      referrerPolicy: r.referrerPolicy, mode: r.mode, credentials: r.credentials,
      cache: r.cache, redirect: r.redirect, integrity: r.integrity, keepalive: r.keepalive,
      reloadNavigation: r.reloadNavigation, historyNavigation: r.historyNavigation,
      urlList: r.urlList.slice(), window: r.window,
    };
  }

  function serializeReferrer(referrer) {
    if (referrer === 'no-referrer') return '';
    if (referrer === 'client') return 'about:client';
    return call(urlHref, referrer);
  }

  class Request {
    constructor(input, init = undefined) {
      const what = "Failed to construct 'Request'";
      requireArgs(arguments.length, 1, what);
      const inputState = state.get(input);
      const inputIsRequest = inputState !== undefined && inputState.kind === 'Request';
      if (!inputIsRequest) input = toUSV(input);
      const opts = requestInit(init, what);

      let request;
      let fallbackMode = null;
      let signal = null;
      if (!inputIsRequest) {
        const parsed = parseURL(input);
        if (parsed === null) throw new TypeError(`${what}: Failed to parse URL from ${input}`);
        if (call(urlUsername, parsed) !== '' || call(urlPassword, parsed) !== '') {
          throw new TypeError(`${what}: Request cannot be constructed from a URL that includes credentials: ${input}`);
        }
        request = {
          method: 'GET', url: parsed, headerList: [], referrer: 'client', referrerPolicy: '',
          mode: 'no-cors', credentials: 'same-origin', cache: 'default', redirect: 'follow',
          integrity: '', keepalive: false, reloadNavigation: false, historyNavigation: false,
          urlList: [parsed], window: 'client',
        };
        fallbackMode = 'cors';
      } else {
        request = inputState.request;
        signal = inputState.signal;
      }
      // There is no environment settings object to compare windows with: "window" is
      // "client" unless init has one, which must be null.
      let window = 'client';
      if (opts.window !== undefined) {
        if (opts.window !== null) throw new TypeError(`${what}: 'window' can only be null.`);
        window = 'no-window';
      }
      request = copyRequest(request);
      // The input's header list is its Headers object's.
      if (inputIsRequest) request.headerList = H.list(inputState.headers);
      request.window = window;

      const initNotEmpty = Reflect.ownKeys(opts).length > 0;
      if (initNotEmpty) {
        if (request.mode === 'navigate') request.mode = 'same-origin';
        request.reloadNavigation = false;
        request.historyNavigation = false;
        request.referrer = 'client';
        request.referrerPolicy = '';
        request.urlList = [request.urlList[request.urlList.length - 1]];
        request.url = request.urlList[0];
      }
      if (opts.referrer !== undefined) {
        if (opts.referrer === '') request.referrer = 'no-referrer';
        else {
          const parsed = parseURL(opts.referrer);
          if (parsed === null) throw new TypeError(`${what}: Referrer '${opts.referrer}' is not a valid URL.`);
          // about:client, or a URL of another origin than the environment's, is "client".
          // Without `location` the environment's origin is opaque: same origin with none.
          const loc = globalThis.location;
          const origin = loc !== undefined && loc !== null ? `${loc.origin}` : null;
          const isAboutClient = call(urlProtocol, parsed) === 'about:' && call(urlPathname, parsed) === 'client';
          if (isAboutClient || origin === null || origin === 'null' || parsed.origin !== origin) {
            request.referrer = 'client';
          } else {
            request.referrer = parsed;
          }
        }
      }
      if (opts.referrerPolicy !== undefined) request.referrerPolicy = opts.referrerPolicy;
      let mode = opts.mode !== undefined ? opts.mode : fallbackMode;
      if (mode === 'navigate') throw new TypeError(`${what}: Cannot construct a Request with a RequestInit whose mode member is set as 'navigate'.`);
      if (mode !== null) request.mode = mode;
      if (opts.credentials !== undefined) request.credentials = opts.credentials;
      if (opts.cache !== undefined) request.cache = opts.cache;
      if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') {
        throw new TypeError(`${what}: 'only-if-cached' can be set only with 'same-origin' mode`);
      }
      if (opts.redirect !== undefined) request.redirect = opts.redirect;
      if (opts.integrity !== undefined) request.integrity = opts.integrity;
      if (opts.keepalive !== undefined) request.keepalive = opts.keepalive;
      if (opts.method !== undefined) {
        let method = opts.method;
        if (!TOKEN.test(method)) throw new TypeError(`${what}: '${method}' is not a valid HTTP method.`);
        const upper = method.toUpperCase();
        if (FORBIDDEN_METHODS.includes(upper)) throw new TypeError(`${what}: '${method}' HTTP method is unsupported.`);
        if (NORMALIZED.includes(upper)) method = upper;
        request.method = method;
      }
      if (opts.signal !== undefined) signal = opts.signal;

      const s = {
        kind: 'Request', request, body: null, headers: null, signal: null,
      };
      state.set(this, s);
      s.signal = call(abortSignalAny, $AbortSignal, signal !== null ? [signal] : []);

      if (request.mode === 'no-cors' && !SAFELISTED_METHODS.includes(request.method)) {
        throw new TypeError(`${what}: '${request.method}' is unsupported in no-cors mode.`);
      }
      // The headers: with init, init's (or the input's) filled through the guard, which
      // is "request-no-cors" for a no-cors request; without init, the input's list as is.
      const guard = request.mode === 'no-cors' ? 'request-no-cors' : 'request';
      if (initNotEmpty) {
        s.headers = H.make(guard, opts.headers !== undefined ? opts.headers : request.headerList);
      } else {
        s.headers = H.make('none', request.headerList);
        H.guard(s.headers, guard);
      }

      const inputBody = inputIsRequest ? inputState.body : null;
      const initBodyGiven = opts.body !== undefined && opts.body !== null;
      if ((initBodyGiven || inputBody !== null) && (request.method === 'GET' || request.method === 'HEAD')) {
        throw new TypeError(`${what}: Request with GET/HEAD method cannot have body.`);
      }
      let initBody = null;
      if (initBodyGiven) {
        const [body, type] = extract(opts.body, request.keepalive, what);
        initBody = body;
        if (type !== null && !s.headers.has('content-type')) s.headers.append('Content-Type', type);
      }
      const inputOrInitBody = initBody !== null ? initBody : inputBody;
      if (inputOrInitBody !== null && inputOrInitBody.source === null) {
        if (initBody !== null && opts.duplex === undefined) {
          throw new TypeError(`${what}: The duplex member must be specified for a request with a streaming body.`);
        }
        if (request.mode !== 'same-origin' && request.mode !== 'cors') {
          throw new TypeError(`${what}: a request with a streaming body needs mode 'same-origin' or 'cors'.`);
        }
      }
      let finalBody = inputOrInitBody;
      if (initBody === null && inputBody !== null) {
        if (unusable(inputBody)) throw new TypeError(`${what}: Cannot construct a Request with a Request object that has already been used.`);
        // "Create a proxy": pipe the input's stream through an identity transform, which
        // disturbs (and locks) the input's body now.
        const ts = new $TransformStream();
        const p = S.pipeTo(inputBody.stream, call(tsWritable, ts));
        p.then(undefined, () => {});
        finalBody = { stream: call(tsReadable, ts), source: inputBody.source, length: inputBody.length };
      }
      s.body = finalBody;
    }
    get method() { return st(this, 'Request').request.method; }
    get url() { return call(urlHref, st(this, 'Request').request.url); }
    get headers() { return st(this, 'Request').headers; }
    get destination() { st(this, 'Request'); return ''; }
    get referrer() { return serializeReferrer(st(this, 'Request').request.referrer); }
    get referrerPolicy() { return st(this, 'Request').request.referrerPolicy; }
    get mode() { return st(this, 'Request').request.mode; }
    get credentials() { return st(this, 'Request').request.credentials; }
    get cache() { return st(this, 'Request').request.cache; }
    get redirect() { return st(this, 'Request').request.redirect; }
    get integrity() { return st(this, 'Request').request.integrity; }
    get keepalive() { return st(this, 'Request').request.keepalive; }
    get isReloadNavigation() { return st(this, 'Request').request.reloadNavigation; }
    get isHistoryNavigation() { return st(this, 'Request').request.historyNavigation; }
    get signal() { return st(this, 'Request').signal; }
    get duplex() { st(this, 'Request'); return 'half'; }
    clone() {
      const s = st(this, 'Request');
      if (unusable(s.body)) throw new TypeError("Failed to execute 'clone' on 'Request': Request body is already used");
      const request = copyRequest(s.request);
      const c = {
        kind: 'Request', request, body: s.body === null ? null : cloneBody(s.body),
        headers: H.make(H.guardOf(s.headers), H.list(s.headers)), signal: null,
      };
      H.guard(c.headers, H.guardOf(s.headers));
      c.signal = call(abortSignalAny, $AbortSignal, [s.signal]);
      const obj = Object.create(Request.prototype);
      state.set(obj, c);
      return obj;
    }
  }
  mixBody(Request.prototype, 'Request');
  internals.defineInterface(Request, 'Request');

  // ---------------------------------------------------------------------------------
  // Response (section 5.5).
  // ---------------------------------------------------------------------------------
  const NULL_BODY_STATUSES = [101, 103, 204, 205, 304];
  const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
  const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

  function newResponseObject(s) {
    const obj = Object.create(Response.prototype);
    state.set(obj, s);
    return obj;
  }
  function responseState(guard) {
    return {
      kind: 'Response', type: 'default', status: 200, statusText: '', urlList: [],
      body: null, headers: H.make(guard, undefined),
    };
  }

  // "Initialize a response".
  function initialize(s, init, body, what) {
    if (init.status < 200 || init.status > 599) {
      throw new RangeError(`${what}: The status provided (${init.status}) is outside the range [200, 599].`);
    }
    if (!REASON_PHRASE.test(init.statusText)) throw new TypeError(`${what}: Invalid statusText`);
    s.status = init.status;
    s.statusText = init.statusText;
    if (init.headers !== undefined) s.headers = H.make('response', init.headers);
    if (body !== null) {
      if (NULL_BODY_STATUSES.includes(s.status)) {
        throw new TypeError(`${what}: Response with null body status cannot have body`);
      }
      s.body = body[0];
      if (body[1] !== null && !s.headers.has('content-type')) s.headers.append('Content-Type', body[1]);
    }
  }

  class Response {
    constructor(body = null, init = undefined) {
      const what = "Failed to construct 'Response'";
      if (body !== null) body = convertBodyInit(body);
      const opts = responseInit(init, what);
      const s = responseState('response');
      state.set(this, s);
      initialize(s, opts, body === null ? null : extract(body, false, what), what);
    }
    static error() {
      const s = responseState('immutable');
      s.type = 'error';
      s.status = 0;
      return newResponseObject(s);
    }
    static redirect(url, status = 302) {
      const what = "Failed to execute 'redirect' on 'Response'";
      requireArgs(arguments.length, 1, what);
      url = toUSV(url);
      status = unsignedShort(status);
      const parsed = parseURL(url);
      if (parsed === null) throw new TypeError(`${what}: Failed to parse URL from ${url}`);
      if (!REDIRECT_STATUSES.includes(status)) throw new RangeError(`${what}: Invalid status code ${status}`);
      const s = responseState('response');
      s.status = status;
      s.headers.append('Location', call(urlHref, parsed));
      H.guard(s.headers, 'immutable');
      return newResponseObject(s);
    }
    static json(data, init = undefined) {
      const what = "Failed to execute 'json' on 'Response'";
      requireArgs(arguments.length, 1, what);
      const opts = responseInit(init, what);
      const text = jsonStringify(data);
      if (text === undefined) throw new TypeError(`${what}: Value is not JSON serializable`);
      const [body] = extract(text, false, what);
      const s = responseState('response');
      initialize(s, opts, [body, 'application/json'], what);
      return newResponseObject(s);
    }
    get type() { return st(this, 'Response').type; }
    get url() {
      const list = st(this, 'Response').urlList;
      return list.length === 0 ? '' : hrefWithoutFragment(list[list.length - 1]);
    }
    get redirected() { return st(this, 'Response').urlList.length > 1; }
    get status() { return st(this, 'Response').status; }
    get ok() {
      const status = st(this, 'Response').status;
      return status >= 200 && status <= 299;
    }
    get statusText() { return st(this, 'Response').statusText; }
    get headers() { return st(this, 'Response').headers; }
    clone() {
      const s = st(this, 'Response');
      if (unusable(s.body)) throw new TypeError("Failed to execute 'clone' on 'Response': Response body is already used");
      const c = {
        kind: 'Response', type: s.type, status: s.status, statusText: s.statusText,
        urlList: s.urlList.slice(), body: s.body === null ? null : cloneBody(s.body),
        headers: H.make('none', H.list(s.headers)),
      };
      H.guard(c.headers, H.guardOf(s.headers));
      return newResponseObject(c);
    }
  }
  mixBody(Response.prototype, 'Response');
  internals.defineInterface(Response, 'Response');

  // ---------------------------------------------------------------------------------
  // For fetch().
  // ---------------------------------------------------------------------------------
  const SAFELISTED_RESPONSE = ['cache-control', 'content-language', 'content-length',
    'content-type', 'expires', 'last-modified', 'pragma'];

  internals.fetch = {
    Request,
    Response,
    isRequest: (v) => state.has(v) && state.get(v).kind === 'Request',
    isResponse: (v) => state.has(v) && state.get(v).kind === 'Response',
    // What transmitting a request needs: { method, url (string), headers ([name, value]
    // pairs), mode, credentials, cache, redirect, referrer (string), referrerPolicy,
    // keepalive, integrity, signal, body (null or { stream, source, length }) }.
    requestData(req) {
      const s = st(req, 'Request');
      const r = s.request;
      return {
        method: r.method, url: call(urlHref, r.url), headers: H.list(s.headers), mode: r.mode,
        credentials: r.credentials, cache: r.cache, redirect: r.redirect,
        referrer: serializeReferrer(r.referrer), referrerPolicy: r.referrerPolicy,
        keepalive: r.keepalive, integrity: r.integrity, signal: s.signal, body: s.body,
      };
    },
    // The request's body bytes: a promise of a Uint8Array, or of null for a null body.
    // Reads the body (so the request becomes used); rejects if it is unusable.
    requestBodyBytes(req) {
      const s = st(req, 'Request');
      if (s.body === null) return $Promise.resolve(null);
      if (unusable(s.body)) return $Promise.reject(new TypeError('fetch: the request body is already used.'));
      return S.readAll(s.body.stream);
    },
    // A response from the network: { type: 'basic' | 'cors' | 'default', status,
    // statusText, headers: [[name, value], ...], body: Uint8Array | ReadableStream |
    // null, urlList: [string, ...] (or url: string), corsExposedHeaderNames: [...] }.
    // Filtered as the type says; its Headers are immutable, as fetch()'s are.
    makeResponse({ type = 'basic', status = 200, statusText = '', headers = [], body = null,
      urlList, url, corsExposedHeaderNames = [] } = {}) {
      let list = headers.map(([n, v]) => [`${n}`, `${v}`]);
      if (type === 'basic') {
        list = list.filter(([n]) => !['set-cookie', 'set-cookie2'].includes(n.toLowerCase()));
      } else if (type === 'cors') {
        const exposed = corsExposedHeaderNames.map((n) => `${n}`.toLowerCase());
        // The list holds names only: fetch() turns a wildcard into every name before
        // this, and with credentials `*` is just a name (the Fetch Standard, main fetch).
        list = list.filter(([n]) => {
          const l = n.toLowerCase();
          return SAFELISTED_RESPONSE.includes(l) || (exposed.includes(l) && l !== 'set-cookie' && l !== 'set-cookie2');
        });
      }
      const s = responseState('none');
      for (const [n, v] of list) s.headers.append(n, v);
      H.guard(s.headers, 'immutable');
      s.type = type;
      s.status = status;
      s.statusText = statusText;
      const urls = urlList !== undefined ? urlList : url !== undefined ? [url] : [];
      s.urlList = urls.map((u) => new $URL(`${u}`));
      if (body !== null && body !== undefined) {
        s.body = S.isReadableStream(body)
          ? { stream: body, source: null, length: null }
          : bytesBody(new $Uint8Array(body));
      }
      return newResponseObject(s);
    },
    // Fetch's "safely extract" of a body's source again (HTTP-redirect fetch re-sends a
    // 307/308 request's body from it): a new body of the same bytes. A source is a
    // Uint8Array or a Blob (a stream body has none, and cannot be re-sent).
    extractSource(source) {
      if (B.isBlob(source)) return extract(source, false, 'fetch')[0];
      return bytesBody(new $Uint8Array(source));
    },
    // A network error (what Response.error() returns).
    networkError: () => Response.error(),
    // A response's URL list, as strings.
    urlListOf: (res) => st(res, 'Response').urlList.map((u) => call(urlHref, u)),
    // What fetch() needs of a Response to answer with it: { type, status, statusText,
    // headers: [[name, value], ...], body: ReadableStream | null, urlList: [URL] }.
    // Takes the body: the Response is used afterwards.
    responseRecord(res) {
      const s = st(res, 'Response');
      if (s.body !== null && unusable(s.body)) throw new TypeError('The response body is already used.');
      const body = s.body === null ? null : s.body.stream;
      return {
        type: s.type, status: s.status, statusText: s.statusText, headers: H.list(s.headers),
        body, urlList: s.urlList.slice(),
      };
    },

    // For the Cache API (js/cache_storage.js). A response's parts as a cache keeps them:
    // { type, status, statusText, headers: [[name, value], ...], urlList: [href, ...],
    // body: null or { stream, source, length } (the caller reads it) }.
    responseParts(res) {
      const s = st(res, 'Response');
      const urlList = [];
      for (const u of s.urlList) urlList.push(call(urlHref, u));
      return {
        type: s.type, status: s.status, statusText: s.statusText, headers: H.list(s.headers),
        urlList, body: s.body,
      };
    },
    // Whether a body (of responseParts) is disturbed or locked.
    bodyUnusable: unusable,
    // A new Response with parts a cache kept: its Headers immutable, its body `bytes` (a
    // Uint8Array it takes over, not copied) or none when `bytes` is null. `headers` is
    // [name, value, name, value, ...].
    cachedResponse(type, status, statusText, headers, urlList, bytes) {
      const s = responseState('none');
      s.headers = H.make('none', pairs(headers));
      H.guard(s.headers, 'immutable');
      s.type = type;
      s.status = status;
      s.statusText = statusText;
      const urls = [];
      for (const u of urlList) urls.push(new $URL(u));
      s.urlList = urls;
      if (bytes !== null) {
        const source = S.setUp({ bytes: true });
        if (bytes.byteLength > 0) source.enqueue(bytes);
        source.close();
        s.body = { stream: source.stream, source: null, length: bytes.byteLength };
      }
      return newResponseObject(s);
    },
    // The request fields a cache keeps besides the URL, method and headers, as JSON.
    requestExtra(req) {
      const r = st(req, 'Request').request;
      return jsonStringify({
        referrer: serializeReferrer(r.referrer), referrerPolicy: r.referrerPolicy, mode: r.mode,
        credentials: r.credentials, cache: r.cache, redirect: r.redirect, integrity: r.integrity,
        keepalive: r.keepalive,
      });
    },
    // A new Request with what a cache kept (requestExtra's JSON); its Headers have
    // `guard`.
    cachedRequest(url, method, headers, extra, guard) {
      const x = jsonParse(extra);
      const parsed = new $URL(url);
      const referrer = x.referrer === '' ? 'no-referrer'
        : x.referrer === 'about:client' || x.referrer === undefined ? 'client' : new $URL(x.referrer);
      const request = {
        method, url: parsed, headerList: [], referrer, referrerPolicy: x.referrerPolicy || '',
        mode: x.mode || 'cors', credentials: x.credentials || 'same-origin',
        cache: x.cache || 'default', redirect: x.redirect || 'follow', integrity: x.integrity || '',
        keepalive: !!x.keepalive, reloadNavigation: false, historyNavigation: false,
        urlList: [parsed], window: 'client',
      };
      const c = { kind: 'Request', request, body: null, headers: null, signal: null };
      c.headers = H.make('none', pairs(headers));
      H.guard(c.headers, guard);
      c.signal = call(abortSignalAny, $AbortSignal, []);
      const obj = Object.create(Request.prototype);
      state.set(obj, c);
      return obj;
    },
  };
  // [name, value, name, value, ...] as [[name, value], ...].
  function pairs(flat) {
    const out = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
    return out;
  }
});

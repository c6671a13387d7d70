// The Fetch Standard's Headers (section 5.2): a header list with a guard, ByteString
// names and values, and iteration sorted and combined as the standard says.
(function (ops, internals) {
  'use strict';
  const { requireArgs, illegal } = internals;

  // RFC 9110's token characters.
  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const FORBIDDEN_REQUEST = new Set([
    'accept-charset', 'accept-encoding', 'access-control-request-headers',
    'access-control-request-method', 'connection', 'content-length', 'cookie', 'cookie2',
    'date', 'dnt', 'expect', 'host', 'keep-alive', 'origin', 'referer', 'set-cookie', 'te',
    'trailer', 'transfer-encoding', 'upgrade', 'via',
  ]);
  const FORBIDDEN_RESPONSE = new Set(['set-cookie', 'set-cookie2']);

  // WebIDL's ByteString: every code unit at most 0xFF.
  function byteString(v, what) {
    const s = internals.toDOMString(v);
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0xff) {
        throw new TypeError(`${what}: the value is not a valid ByteString (code unit ${s.charCodeAt(i)} at index ${i}).`);
      }
    }
    return s;
  }

  // Strips leading and trailing HTTP whitespace (tab, LF, CR, space).
  function normalize(value) {
    return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  }

  function validate(name, value, what) {
    if (!TOKEN.test(name)) throw new TypeError(`${what}: '${name}' is not a valid HTTP header name.`);
    if (/[\0\r\n]/.test(value)) throw new TypeError(`${what}: '${value}' is not a valid HTTP header value.`);
  }

  function forbiddenRequest(name, value) {
    const n = name.toLowerCase();
    if (FORBIDDEN_REQUEST.has(n) || n.startsWith('proxy-') || n.startsWith('sec-')) return true;
    if (n === 'x-http-method' || n === 'x-http-method-override' || n === 'x-method-override') {
      return value.split(',').some((m) => ['connect', 'trace', 'track'].includes(normalize(m).toLowerCase()));
    }
    return false;
  }

  // The CORS-safelisted request-header check (section 2.2.2) for one header.
  const CORS_UNSAFE_BYTE = /[\x00-\x08\x0A-\x1F"():<>?@[\\\]{}\x7F]/;
  function corsSafelisted(name, value) {
    if (value.length > 128) return false;
    switch (name.toLowerCase()) {
      case 'accept':
        return !CORS_UNSAFE_BYTE.test(value);
      case 'accept-language':
      case 'content-language':
        return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
      case 'content-type': {
        if (CORS_UNSAFE_BYTE.test(value)) return false;
        const essence = value.split(';')[0].replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '').toLowerCase();
        return essence === 'application/x-www-form-urlencoded' || essence === 'multipart/form-data' ||
          essence === 'text/plain';
      }
      case 'range': {
        // "Parse a single range header value" without whitespace; a suffix range (no
        // start) is not safelisted.
        const m = /^bytes=(\d*)-(\d*)$/i.exec(value);
        if (m === null || m[1] === '') return false;
        return m[2] === '' || Number(m[1]) <= Number(m[2]);
      }
      default:
        return false;
    }
  }
  const NO_CORS_NAMES = ['accept', 'accept-language', 'content-language', 'content-type'];
  // A "no-CORS-safelisted request-header".
  const noCorsSafelisted = (name, value) => NO_CORS_NAMES.includes(name.toLowerCase()) && corsSafelisted(name, value);
  // The combined value `name` would have with `value` appended.
  function combinedWith(s, name, value) {
    const lower = name.toLowerCase();
    const values = s.list.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
    return values.length === 0 ? value : `${values.join(', ')}, ${value}`;
  }

  const lists = new WeakMap();
  function st(self) {
    const s = lists.get(self);
    if (!s) throw illegal();
    return s;
  }

  // Whether the guard lets `name` be changed; throws for an immutable list.
  function allowed(s, name, value, what) {
    if (s.guard === 'immutable') throw new TypeError(`${what}: the headers are immutable.`);
    if (s.guard === 'request' && forbiddenRequest(name, value)) return false;
    if (s.guard === 'response' && FORBIDDEN_RESPONSE.has(name.toLowerCase())) return false;
    return true;
  }

  function append(s, name, value, what) {
    value = normalize(value);
    validate(name, value, what);
    if (!allowed(s, name, value, what)) return;
    // A no-cors request keeps only headers a simple request may have, judged by the
    // value the header would end up with.
    if (s.guard === 'request-no-cors' && !noCorsSafelisted(name, combinedWith(s, name, value))) return;
    s.list.push([name, value]);
    // "Remove privileged no-CORS request-headers" (Range).
    if (s.guard === 'request-no-cors') s.list = s.list.filter(([k]) => k.toLowerCase() !== 'range');
  }

  function fill(s, init, what) {
    if (typeof init !== 'object' && typeof init !== 'function' || init === null) {
      throw new TypeError(`${what}: The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.`);
    }
    if (typeof init[Symbol.iterator] === 'function') {
      for (const header of init) {
        const pair = internals.sequence(header, what);
        if (pair.length !== 2) throw new TypeError(`${what}: Invalid value: a header needs a name and a value.`);
        append(s, byteString(pair[0], what), byteString(pair[1], what), what);
      }
    } else {
      for (const key of Reflect.ownKeys(init)) {
        const d = Reflect.getOwnPropertyDescriptor(init, key);
        if (d === undefined || !d.enumerable) continue;
        if (typeof key === 'symbol') throw new TypeError(`${what}: a header name cannot be a Symbol.`);
        append(s, byteString(key, what), byteString(init[key], what), what);
      }
    }
  }

  // "Sort and combine": lowercase names in byte order, values joined with ", ", except
  // each Set-Cookie on its own.
  function sorted(s) {
    const names = [...new Set(s.list.map(([n]) => n.toLowerCase()))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out = [];
    for (const n of names) {
      if (n === 'set-cookie') {
        for (const [k, v] of s.list) if (k.toLowerCase() === n) out.push([n, v]);
      } else {
        out.push([n, s.list.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v).join(', ')]);
      }
    }
    return out;
  }

  class Headers {
    constructor(init = undefined) {
      const s = { list: [], guard: 'none' };
      lists.set(this, s);
      if (init !== undefined) fill(s, init, "Failed to construct 'Headers'");
    }
    append(name, value) {
      requireArgs(arguments.length, 2, "Failed to execute 'append' on 'Headers'");
      const what = "Failed to execute 'append' on 'Headers'";
      append(st(this), byteString(name, what), byteString(value, what), what);
    }
    delete(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'delete' on 'Headers'");
      const what = "Failed to execute 'delete' on 'Headers'";
      const s = st(this);
      name = byteString(name, what);
      if (!TOKEN.test(name)) throw new TypeError(`${what}: '${name}' is not a valid HTTP header name.`);
      if (!allowed(s, name, '', what)) return;
      const lower = name.toLowerCase();
      if (s.guard === 'request-no-cors' && !NO_CORS_NAMES.includes(lower) && lower !== 'range') return;
      s.list = s.list.filter(([k]) => k.toLowerCase() !== lower);
    }
    get(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'get' on 'Headers'");
      const what = "Failed to execute 'get' on 'Headers'";
      name = byteString(name, what);
      if (!TOKEN.test(name)) throw new TypeError(`${what}: '${name}' is not a valid HTTP header name.`);
      const lower = name.toLowerCase();
      const values = st(this).list.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
      return values.length === 0 ? null : values.join(', ');
    }
    getSetCookie() {
      return st(this).list.filter(([k]) => k.toLowerCase() === 'set-cookie').map(([, v]) => v);
    }
    has(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'has' on 'Headers'");
      const what = "Failed to execute 'has' on 'Headers'";
      name = byteString(name, what);
      if (!TOKEN.test(name)) throw new TypeError(`${what}: '${name}' is not a valid HTTP header name.`);
      const lower = name.toLowerCase();
      return st(this).list.some(([k]) => k.toLowerCase() === lower);
    }
    set(name, value) {
      requireArgs(arguments.length, 2, "Failed to execute 'set' on 'Headers'");
      const what = "Failed to execute 'set' on 'Headers'";
      const s = st(this);
      name = byteString(name, what);
      value = normalize(byteString(value, what));
      validate(name, value, what);
      if (!allowed(s, name, value, what)) return;
      if (s.guard === 'request-no-cors' && !noCorsSafelisted(name, value)) return;
      const lower = name.toLowerCase();
      const i = s.list.findIndex(([k]) => k.toLowerCase() === lower);
      if (i < 0) s.list.push([name, value]);
      else {
        s.list[i] = [s.list[i][0], value];
        s.list = s.list.filter(([k], j) => j <= i || k.toLowerCase() !== lower);
      }
    }
    forEach(callback, thisArg = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'forEach' on 'Headers'");
      if (typeof callback !== 'function') throw new TypeError("Failed to execute 'forEach' on 'Headers': The callback provided as parameter 1 is not a function.");
      const s = st(this);
      for (let i = 0; ; i++) {
        const pairs = sorted(s);
        if (i >= pairs.length) break;
        callback.call(thisArg, pairs[i][1], pairs[i][0], this);
      }
    }
    entries() { return iterator(st(this), 'entries'); }
    keys() { return iterator(st(this), 'keys'); }
    values() { return iterator(st(this), 'values'); }
  }
  Object.defineProperty(Headers.prototype, Symbol.iterator, {
    value: Headers.prototype.entries, writable: true, configurable: true,
  });

  // Each next() sorts and combines the live list again.
  const iterator = internals.pairIterator('Headers', sorted);
  internals.defineInterface(Headers, 'Headers');

  // For Request and Response: headers with a guard, and the raw list.
  internals.headers = {
    // The guard applies while the list is filled, except `immutable`, set after.
    make(guard, init) {
      const h = new Headers();
      const s = lists.get(h);
      if (guard !== 'immutable') s.guard = guard;
      if (init !== undefined) fill(s, init, 'headers');
      s.guard = guard;
      return h;
    },
    guard(h, guard) { lists.get(h).guard = guard; },
    guardOf(h) { return lists.get(h).guard; },
    // For fetch()'s CORS rules.
    corsSafelisted,
    list(h) { return lists.get(h).list.slice(); },
    sorted(h) { return sorted(lists.get(h)); },
  };
});

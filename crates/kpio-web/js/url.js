// The URL Standard's API (URL, URLSearchParams) over the `url` crate's parser, which
// implements the standard's parsing and setters (src/ops.rs).
(function (ops, internals) {
  'use strict';
  const { toUSV, requireArgs, illegal } = internals;
  const PARTS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname',
    'port', 'pathname', 'search', 'hash'];

  const urls = new WeakMap();
  function st(self) {
    const s = urls.get(self);
    if (!s) throw illegal();
    return s;
  }
  function parts(s) {
    if (s.parts === null) s.parts = ops.urlParts(s.href);
    return s.parts;
  }
  function setHref(s, href) {
    s.href = href;
    s.parts = null;
  }

  class URL {
    constructor(url, base = undefined) {
      requireArgs(arguments.length, 1, "Failed to construct 'URL'");
      const href = base === undefined ? ops.urlParse(toUSV(url)) : ops.urlParse(toUSV(url), toUSV(base));
      if (href === undefined || href === null) {
        throw new TypeError(`Failed to construct 'URL': Invalid URL`);
      }
      const s = { href, parts: null, query: null };
      urls.set(this, s);
      s.query = newParams(this);
    }
    static canParse(url, base = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'canParse' on 'URL'");
      const href = base === undefined ? ops.urlParse(toUSV(url)) : ops.urlParse(toUSV(url), toUSV(base));
      return href !== undefined && href !== null;
    }
    static parse(url, base = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'parse' on 'URL'");
      try {
        return base === undefined ? new URL(url) : new URL(url, base);
      } catch (_) {
        return null;
      }
    }
    get href() { return st(this).href; }
    set href(v) {
      const s = st(this);
      const href = ops.urlSet(s.href, 'href', toUSV(v));
      if (href === undefined || href === null) throw new TypeError(`Failed to set the 'href' property on 'URL': Invalid URL`);
      setHref(s, href);
      resetParams(s);
    }
    get origin() { return parts(st(this))[1]; }
    toString() { return st(this).href; }
    toJSON() { return st(this).href; }
    get searchParams() { return st(this).query; }
  }
  for (const [i, name] of PARTS.entries()) {
    if (name === 'href' || name === 'origin') continue;
    Object.defineProperty(URL.prototype, name, {
      get() { return parts(st(this))[i]; },
      set(v) {
        const s = st(this);
        const href = ops.urlSet(s.href, name, toUSV(v));
        if (href !== undefined && href !== null) setHref(s, href);
        if (name === 'search') resetParams(s);
      },
      enumerable: true,
      configurable: true,
    });
  }
  internals.defineInterface(URL, 'URL');

  // URLSearchParams: a list of name-value pairs, tied to a URL's query when it has one.
  const params = new WeakMap();
  function ps(self) {
    const s = params.get(self);
    if (!s) throw illegal();
    return s;
  }
  function parse(s) {
    const flat = ops.formParse(s);
    const list = [];
    for (let i = 0; i < flat.length; i += 2) list.push([flat[i], flat[i + 1]]);
    return list;
  }
  function serialize(list) {
    return ops.formSerialize(list.flat());
  }
  function newParams(url) {
    const p = new URLSearchParams();
    const s = params.get(p);
    s.url = url;
    s.list = parse(parts(urls.get(url))[9].replace(/^\?/, ''));
    return p;
  }
  function resetParams(urlState) {
    const s = params.get(urlState.query);
    s.list = parse(parts(urlState)[9].replace(/^\?/, ''));
  }
  // URLSearchParams's "update": the URL's query becomes the serialisation, or null when
  // it is empty.
  function update(s) {
    if (s.url === null) return;
    const u = urls.get(s.url);
    // An empty serialisation makes the query null: the URL loses its "?" too.
    const href = ops.urlSet(u.href, 'search', serialize(s.list));
    setHref(u, href);
  }


  const iterator = internals.pairIterator('URLSearchParams', (state) => state.list);

  class URLSearchParams {
    constructor(init = '') {
      const s = { list: [], url: null };
      params.set(this, s);
      if (typeof init === 'object' && init !== null || typeof init === 'function') {
        if (typeof init[Symbol.iterator] === 'function') {
          for (const pair of init) {
            const p = internals.sequence(pair, "Failed to construct 'URLSearchParams'");
            if (p.length !== 2) {
              throw new TypeError("Failed to construct 'URLSearchParams': Each query pair must be an iterable [name, value] tuple");
            }
            s.list.push([toUSV(p[0]), toUSV(p[1])]);
          }
        } else {
          for (const key of Reflect.ownKeys(init)) {
            const d = Reflect.getOwnPropertyDescriptor(init, key);
            if (d === undefined || !d.enumerable || typeof key === 'symbol') continue;
            s.list.push([toUSV(key), toUSV(init[key])]);
          }
        }
      } else {
        let str = toUSV(init);
        if (str.startsWith('?')) str = str.slice(1);
        s.list = parse(str);
      }
    }
    get size() { return ps(this).list.length; }
    append(name, value) {
      requireArgs(arguments.length, 2, "Failed to execute 'append' on 'URLSearchParams'");
      const s = ps(this);
      s.list.push([toUSV(name), toUSV(value)]);
      update(s);
    }
    delete(name, value = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'delete' on 'URLSearchParams'");
      const s = ps(this);
      name = toUSV(name);
      if (value === undefined) s.list = s.list.filter(([n]) => n !== name);
      else {
        value = toUSV(value);
        s.list = s.list.filter(([n, v]) => !(n === name && v === value));
      }
      update(s);
    }
    get(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'get' on 'URLSearchParams'");
      name = toUSV(name);
      const p = ps(this).list.find(([n]) => n === name);
      return p === undefined ? null : p[1];
    }
    getAll(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'getAll' on 'URLSearchParams'");
      name = toUSV(name);
      return ps(this).list.filter(([n]) => n === name).map(([, v]) => v);
    }
    has(name, value = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'has' on 'URLSearchParams'");
      name = toUSV(name);
      if (value === undefined) return ps(this).list.some(([n]) => n === name);
      value = toUSV(value);
      return ps(this).list.some(([n, v]) => n === name && v === value);
    }
    set(name, value) {
      requireArgs(arguments.length, 2, "Failed to execute 'set' on 'URLSearchParams'");
      const s = ps(this);
      name = toUSV(name);
      value = toUSV(value);
      const i = s.list.findIndex(([n]) => n === name);
      if (i < 0) s.list.push([name, value]);
      else {
        s.list[i] = [name, value];
        s.list = s.list.filter(([n], j) => j <= i || n !== name);
      }
      update(s);
    }
    sort() {
      const s = ps(this);
      // Stable, by code units of the names (JavaScript's default string order).
      s.list = s.list
        .map((p, i) => [p, i])
        .sort(([a, i], [b, j]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : i - j))
        .map(([p]) => p);
      update(s);
    }
    forEach(callback, thisArg = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'forEach' on 'URLSearchParams'");
      if (typeof callback !== 'function') throw new TypeError("Failed to execute 'forEach' on 'URLSearchParams': The callback provided as parameter 1 is not a function.");
      const s = ps(this);
      for (let i = 0; i < s.list.length; i++) {
        const [n, v] = s.list[i];
        callback.call(thisArg, v, n, this);
      }
    }
    entries() { return iterator(ps(this), 'entries'); }
    keys() { return iterator(ps(this), 'keys'); }
    values() { return iterator(ps(this), 'values'); }
    toString() { return serialize(ps(this).list); }
  }
  Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
    value: URLSearchParams.prototype.entries, writable: true, configurable: true,
  });
  internals.defineInterface(URLSearchParams, 'URLSearchParams');
});

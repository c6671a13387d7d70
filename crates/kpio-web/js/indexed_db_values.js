// IndexedDB's keys, key paths and stored values (W3C Indexed Database API 3.0, sections
// 2.7 and 7): converting values to keys and back, comparing keys, evaluating key paths
// and injecting keys, and HTML's StructuredSerializeForStorage to bytes and back. The
// API (indexed_db.js) uses them through `internals.idb`.
//
// A key here is: a number; a string; {d: ms} for a date; {b: Uint8Array} for binary; an
// array of keys. That is also what the host takes (src/indexed_db/ops.rs), except that a
// string with lone surrogates travels as {u: Uint16Array}.
(function (ops, internals) {
  'use strict';
  const dataError = (m) => internals.domException('DataError', m);
  const cloneError = (m) => internals.domException('DataCloneError', m);

  const isArray = Array.isArray;
  const arrayFrom = Array.from;
  const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const dateValue = Date.prototype.getTime;
  const classId = ops.classId;
  const cls = {
    object: classId({}),
    array: classId([]),
    error: classId(new Error()),
    number: classId(new Number(0)),
    string: classId(new String('')),
    boolean: classId(new Boolean(false)),
    bigint: classId(Object(0n)),
    date: classId(new Date(0)),
    regexp: classId(/x/),
    arrayBuffer: classId(new ArrayBuffer(0)),
    dataView: classId(new DataView(new ArrayBuffer(0))),
    map: classId(new Map()),
    set: classId(new Set()),
  };
  const typedArrays = [
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
    Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  ];
  if (typeof Float16Array === 'function') typedArrays.push(Float16Array);
  const typedIndex = new Map(typedArrays.map((T, i) => [classId(new T(0)), i]));

  const bufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
  const bufferDetached = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'detached');
  const bufferResizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable');
  const bufferMax = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'maxByteLength');
  const bufferSlice = ArrayBuffer.prototype.slice;
  const TypedArray = Object.getPrototypeOf(Uint8Array);
  const typedBuffer = Object.getOwnPropertyDescriptor(TypedArray.prototype, 'buffer').get;
  const typedOffset = Object.getOwnPropertyDescriptor(TypedArray.prototype, 'byteOffset').get;
  const typedByteLength = Object.getOwnPropertyDescriptor(TypedArray.prototype, 'byteLength').get;
  const typedLength = Object.getOwnPropertyDescriptor(TypedArray.prototype, 'length').get;
  const viewBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, 'buffer').get;
  const viewOffset = Object.getOwnPropertyDescriptor(DataView.prototype, 'byteOffset').get;
  const viewLength = Object.getOwnPropertyDescriptor(DataView.prototype, 'byteLength').get;
  const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source').get;
  const regexpFlags = Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags').get;
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;
  const mapSet = Map.prototype.set;
  const setAdd = Set.prototype.add;
  const isWellFormed = String.prototype.isWellFormed;
  const fromCharCode = String.fromCharCode;
  const u8Set = Uint8Array.prototype.set;
  const errorNames = new Set(['Error', 'EvalError', 'RangeError', 'ReferenceError',
    'SyntaxError', 'TypeError', 'URIError']);
  const errorCtors = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  const TD = globalThis.TextDecoder;
  const utf8 = new TD();
  const decodeUtf8 = TD.prototype.decode;

  const isDetached = bufferDetached
    ? (b) => bufferDetached.get.call(b)
    : (b) => { try { bufferSlice.call(b, 0, 0); return false; } catch (_) { return true; } };

  function bufferSourceBytes(v) {
    const id = classId(v);
    if (id === cls.arrayBuffer) {
      return isDetached(v) ? null : new Uint8Array(bufferSlice.call(v, 0));
    }
    if (id === cls.dataView) {
      const b = viewBuffer.call(v);
      if (isDetached(b)) return null;
      return new Uint8Array(bufferSlice.call(b, viewOffset.call(v), viewOffset.call(v) + viewLength.call(v)));
    }
    if (typedIndex.has(id)) {
      const b = typedBuffer.call(v);
      if (isDetached(b)) return null;
      const o = typedOffset.call(v);
      return new Uint8Array(bufferSlice.call(b, o, o + typedByteLength.call(v)));
    }
    return undefined;
  }

  // "Convert a value to a key": the key, or undefined when the value is not a valid key
  // (exceptions from getters propagate).
  function toKey(input, seen, depth = 0) {
    const t = typeof input;
    if (t === 'number') return Number.isNaN(input) ? undefined : input;
    if (t === 'string') return input;
    if (t !== 'object' || input === null) return undefined;
    if (classId(input) === cls.date) {
      const ms = dateValue.call(input);
      return Number.isNaN(ms) ? undefined : { d: ms };
    }
    const bytes = bufferSourceBytes(input);
    if (bytes === null) return undefined;
    if (bytes !== undefined) return { b: bytes };
    if (isArray(input)) {
      if (seen === undefined) seen = new Set();
      if (seen.has(input)) return undefined;
      // Arrays nested deeper than the store keeps (src/indexed_db/key.rs, MAX_DEPTH)
      // are refused rather than overflowing a stack.
      if (depth >= 1000) return undefined;
      const len = Math.min(Math.max(0, Math.trunc(Number(input.length)) || 0), 2 ** 32 - 1);
      // The specification's `seen` is one set for the whole conversion, never emptied:
      // an array met twice (even side by side, not nested) makes the key invalid.
      seen.add(input);
      const keys = [];
      for (let i = 0; i < len; i++) {
        if (!hasOwn(input, i)) return undefined;
        const k = toKey(input[i], seen, depth + 1);
        if (k === undefined) return undefined;
        keys.push(k);
      }
      return keys;
    }
    return undefined;
  }

  // "Convert a value to a multiEntry key".
  function toMultiEntryKey(input) {
    if (!isArray(input)) return toKey(input);
    const seen = new Set([input]);
    const keys = [];
    const len = Math.min(Math.max(0, Math.trunc(Number(input.length)) || 0), 2 ** 32 - 1);
    for (let i = 0; i < len; i++) {
      if (!hasOwn(input, i)) continue;
      const k = toKey(input[i], seen);
      if (k !== undefined && !keys.some((x) => compare(x, k) === 0)) keys.push(k);
    }
    return keys;
  }

  function rank(k) {
    if (typeof k === 'number') return 0;
    if (typeof k === 'string') return 2;
    if (isArray(k)) return 4;
    return 'd' in k ? 1 : 3;
  }

  // "Compare two keys": -1, 0 or 1.
  function compare(a, b) {
    const ra = rank(a), rb = rank(b);
    if (ra !== rb) return ra < rb ? -1 : 1;
    switch (ra) {
      case 0: case 2: return a < b ? -1 : a > b ? 1 : 0;
      case 1: return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
      case 3: {
        const x = a.b, y = b.b;
        const n = Math.min(x.length, y.length);
        for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
        return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
      }
      default: {
        const n = Math.min(a.length, b.length);
        for (let i = 0; i < n; i++) {
          const c = compare(a[i], b[i]);
          if (c !== 0) return c;
        }
        return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
      }
    }
  }

  // "Convert a key to a value".
  function keyToValue(k) {
    if (typeof k === 'number' || typeof k === 'string') return k;
    if (isArray(k)) return k.map(keyToValue);
    if ('d' in k) return new Date(k.d);
    const out = new ArrayBuffer(k.b.length);
    new Uint8Array(out).set(k.b);
    return out;
  }

  function units(s) {
    const u = new Uint16Array(s.length);
    for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
    return { u };
  }
  // A key in the host's form.
  function toWire(k) {
    if (typeof k === 'string') return isWellFormed.call(k) ? k : units(k);
    if (isArray(k)) return k.map(toWire);
    return k;
  }
  function unitsToString(u) {
    let s = '';
    for (let i = 0; i < u.length; i += 4096) s += fromCharCode.apply(null, u.subarray(i, i + 4096));
    return s;
  }
  // A key from the host's form.
  function fromWire(k) {
    if (typeof k === 'number' || typeof k === 'string') return k;
    if (isArray(k)) return k.map(fromWire);
    if ('u' in k) return unitsToString(k.u);
    return k;
  }

  // Key paths ---------------------------------------------------------------------------

  const identifier = /^[$_\p{ID_Start}][$\u200c\u200d\p{ID_Continue}]*$/u;
  function validPathString(p) {
    if (p === '') return true;
    return p.split('.').every((part) => identifier.test(part));
  }
  // "Valid key path".
  function validKeyPath(p) {
    if (typeof p === 'string') return validPathString(p);
    return isArray(p) && p.length > 0 && p.every((x) => typeof x === 'string' && validPathString(x));
  }

  // A key path argument (WebIDL `(DOMString or sequence<DOMString>)`).
  function convertKeyPath(v) {
    if (v !== null && typeof v === 'object' && typeof v[Symbol.iterator] === 'function') {
      return arrayFrom(v, (x) => internals.toDOMString(x));
    }
    return internals.toDOMString(v);
  }

  const FAILURE = Symbol('failure');
  // "Evaluate a key path on a value": the value, or FAILURE.
  function evaluate(value, path) {
    if (isArray(path)) {
      const out = [];
      for (const p of path) {
        const v = evaluate(value, p);
        if (v === FAILURE) return FAILURE;
        out.push(v);
      }
      return out;
    }
    if (path === '') return value;
    for (const id of path.split('.')) {
      if (typeof value === 'string' && id === 'length') {
        value = value.length;
      } else if (isArray(value) && id === 'length') {
        value = value.length;
      } else if (internals.idbBlobProperty && internals.idbBlobProperty(value, id) !== FAILURE) {
        value = internals.idbBlobProperty(value, id);
      } else if (typeof value !== 'object' || value === null) {
        return FAILURE;
      } else {
        if (!hasOwn(value, id)) return FAILURE;
        value = value[id];
      }
    }
    return value;
  }

  // "Extract a key from a value using a key path": a key, undefined (invalid) or FAILURE.
  function extractKey(value, path, multiEntry) {
    const r = evaluate(value, path);
    if (r === FAILURE) return FAILURE;
    return multiEntry ? toMultiEntryKey(r) : toKey(r);
  }

  const isObjectLike = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';
  // "Check that a key could be injected into a value".
  function canInject(value, path) {
    const ids = path.split('.');
    ids.pop();
    for (const id of ids) {
      if (!isObjectLike(value)) return false;
      if (!hasOwn(value, id)) return true;
      value = value[id];
    }
    return isObjectLike(value);
  }

  // "Inject a key into a value using a key path".
  function inject(value, key, path) {
    const ids = path.split('.');
    const last = ids.pop();
    for (const id of ids) {
      if (!hasOwn(value, id)) internals.defineData(value, id, {});
      value = value[id];
    }
    internals.defineData(value, last, keyToValue(key));
  }

  // The serialiser --------------------------------------------------------------------
  //
  // One tag byte per value; objects are numbered in the order they are first written
  // and a later occurrence is a back-reference, so cycles and shared references survive.

  const T = {
    undef: 1, nul: 2, tru: 3, fals: 4, num: 5, bigint: 6, str16: 7, str8: 8,
    boolObj: 9, numObj: 10, bigObj: 11, strObj: 12, date: 13, regexp: 14, buffer: 15,
    view: 16, dataView: 17, map: 18, set: 19, error: 20, array: 21, object: 22, ref: 23,
    domException: 24, resizable: 25, end: 0,
  };
  const VERSION = 1;

  class Writer {
    constructor() {
      this.buf = new Uint8Array(256);
      this.view = new DataView(this.buf.buffer);
      this.at = 0;
    }
    room(n) {
      if (this.at + n <= this.buf.length) return;
      let size = this.buf.length * 2;
      while (size < this.at + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.at));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    byte(b) { this.room(1); this.buf[this.at++] = b; }
    u32(n) { this.room(4); this.view.setUint32(this.at, n); this.at += 4; }
    f64(n) { this.room(8); this.view.setFloat64(this.at, n); this.at += 8; }
    bytes(b) { this.u32(b.length); this.room(b.length); this.buf.set(b, this.at); this.at += b.length; }
    string(s) {
      if (s.length > 32 && isWellFormed.call(s)) {
        this.byte(T.str8);
        this.bytes(ops.utf8Encode(s));
        return;
      }
      this.byte(T.str16);
      this.u32(s.length);
      this.room(s.length * 2);
      const buf = this.buf;
      let at = this.at;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        buf[at++] = c >> 8;
        buf[at++] = c & 255;
      }
      this.at = at;
    }
    done() { return this.buf.slice(0, this.at); }
  }

  // StructuredSerializeForStorage(value) as bytes; DataCloneError for what cannot be.
  function serialize(value) {
    const w = new Writer();
    w.byte(VERSION);
    write(w, value, new Map());
    return w.done();
  }

  function write(w, v, memory) {
    switch (typeof v) {
      case 'undefined': w.byte(T.undef); return;
      case 'boolean': w.byte(v ? T.tru : T.fals); return;
      case 'number': w.byte(T.num); w.f64(v); return;
      case 'bigint': w.byte(T.bigint); w.string(v.toString()); return;
      case 'string': w.string(v); return;
      case 'symbol': throw cloneError('Symbol() could not be cloned.');
      case 'function': throw cloneError(`${v.name || 'function'} could not be cloned.`);
      default: break;
    }
    if (v === null) { w.byte(T.nul); return; }
    if (memory.has(v)) { w.byte(T.ref); w.u32(memory.get(v)); return; }
    if (ops.isProxy(v)) throw cloneError('#<Object> could not be cloned.');
    const id = classId(v);
    memory.set(v, memory.size);
    switch (id) {
      case cls.boolean: w.byte(T.boolObj); w.byte(Boolean.prototype.valueOf.call(v) ? 1 : 0); return;
      case cls.number: w.byte(T.numObj); w.f64(Number.prototype.valueOf.call(v)); return;
      case cls.bigint: w.byte(T.bigObj); w.string(BigInt.prototype.valueOf.call(v).toString()); return;
      case cls.string: w.byte(T.strObj); w.string(String.prototype.valueOf.call(v)); return;
      case cls.date: w.byte(T.date); w.f64(dateValue.call(v)); return;
      case cls.regexp: w.byte(T.regexp); w.string(regexpSource.call(v)); w.string(regexpFlags.call(v)); return;
      case cls.arrayBuffer: {
        if (isDetached(v)) throw cloneError('An ArrayBuffer is detached and could not be cloned.');
        const resizable = bufferResizable && bufferResizable.get.call(v);
        w.byte(resizable ? T.resizable : T.buffer);
        if (resizable) w.f64(bufferMax.get.call(v));
        w.bytes(new Uint8Array(v));
        return;
      }
      case cls.dataView: {
        const b = viewBuffer.call(v);
        if (isDetached(b)) throw cloneError('An ArrayBuffer is detached and could not be cloned.');
        w.byte(T.dataView);
        write(w, b, memory);
        w.f64(viewOffset.call(v));
        w.f64(viewLength.call(v));
        return;
      }
      case cls.map: {
        w.byte(T.map);
        const entries = [...mapEntries.call(v)];
        w.u32(entries.length);
        for (const [k, x] of entries) { write(w, k, memory); write(w, x, memory); }
        return;
      }
      case cls.set: {
        w.byte(T.set);
        const values = [...setValues.call(v)];
        w.u32(values.length);
        for (const x of values) write(w, x, memory);
        return;
      }
      case cls.error: {
        w.byte(T.error);
        const name = v.name;
        w.string(errorNames.has(name) ? name : 'Error');
        const hasMessage = hasOwn(v, 'message');
        w.byte(hasMessage ? 1 : 0);
        if (hasMessage) w.string(String(v.message));
        const stack = v.stack;
        w.byte(typeof stack === 'string' ? 1 : 0);
        if (typeof stack === 'string') w.string(stack);
        return;
      }
      case cls.array:
        w.byte(T.array);
        w.f64(v.length);
        properties(w, v, memory);
        return;
      case cls.object:
        if (internals.isDOMException(v)) {
          w.byte(T.domException);
          w.string(String(v.name));
          w.string(String(v.message));
          return;
        }
        if (internals.interfaces.some((C) => v instanceof C)) {
          throw cloneError(`${Object.prototype.toString.call(v)} could not be cloned.`);
        }
        w.byte(T.object);
        properties(w, v, memory);
        return;
      default: {
        const index = typedIndex.get(id);
        if (index !== undefined) {
          const b = typedBuffer.call(v);
          if (isDetached(b)) throw cloneError('An ArrayBuffer is detached and could not be cloned.');
          w.byte(T.view);
          w.byte(index);
          write(w, b, memory);
          w.f64(typedOffset.call(v));
          w.f64(typedLength.call(v));
          return;
        }
        throw cloneError(`${Object.prototype.toString.call(v)} could not be cloned.`);
      }
    }
  }

  // The own enumerable string-keyed properties, each still there when its turn comes.
  function properties(w, v, memory) {
    for (const key of Object.keys(v)) {
      if (!hasOwn(v, key)) continue;
      const x = v[key];
      w.byte(1);
      w.string(key);
      write(w, x, memory);
    }
    w.byte(T.end);
  }

  class Reader {
    constructor(bytes) {
      this.buf = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.at = 0;
    }
    need(n) {
      if (this.at + n > this.buf.length) throw new RangeError('a stored value is truncated');
    }
    byte() { this.need(1); return this.buf[this.at++]; }
    u32() { this.need(4); const n = this.view.getUint32(this.at); this.at += 4; return n; }
    f64() { this.need(8); const n = this.view.getFloat64(this.at); this.at += 8; return n; }
    bytes() { const n = this.u32(); this.need(n); const b = this.buf.subarray(this.at, this.at + n); this.at += n; return b; }
    string() {
      const tag = this.byte();
      if (tag === T.str8) return decodeUtf8.call(utf8, this.bytes());
      if (tag !== T.str16) throw new RangeError('a stored value has a malformed string');
      const n = this.u32();
      this.need(n * 2);
      const u = new Uint16Array(n);
      for (let i = 0; i < n; i++) u[i] = (this.buf[this.at + 2 * i] << 8) | this.buf[this.at + 2 * i + 1];
      this.at += n * 2;
      return unitsToString(u);
    }
  }

  // StructuredDeserialize of bytes `serialize` made. A malformed value throws a
  // RangeError, which the caller reports as UnknownError.
  function deserialize(bytes) {
    const r = new Reader(bytes);
    if (r.byte() !== VERSION) throw new RangeError('a stored value has an unknown format');
    const v = read(r, []);
    if (r.at !== bytes.length) throw new RangeError('a stored value has trailing bytes');
    return v;
  }

  function read(r, memory) {
    const tag = r.byte();
    switch (tag) {
      case T.undef: return undefined;
      case T.nul: return null;
      case T.tru: return true;
      case T.fals: return false;
      case T.num: return r.f64();
      case T.bigint: return BigInt(r.string());
      case T.str8: case T.str16: r.at--; return r.string();
      case T.ref: {
        const i = r.u32();
        if (i >= memory.length) throw new RangeError('a stored value has a bad reference');
        return memory[i];
      }
      default: break;
    }
    const slot = memory.length;
    memory.push(undefined);
    const keep = (o) => { memory[slot] = o; return o; };
    switch (tag) {
      case T.boolObj: return keep(new Boolean(r.byte() === 1));
      case T.numObj: return keep(new Number(r.f64()));
      case T.bigObj: return keep(Object(BigInt(r.string())));
      case T.strObj: return keep(new String(r.string()));
      case T.date: return keep(new Date(r.f64()));
      case T.regexp: { const source = r.string(); return keep(new RegExp(source, r.string())); }
      case T.buffer: {
        const b = r.bytes();
        const out = new ArrayBuffer(b.length);
        new Uint8Array(out).set(b);
        return keep(out);
      }
      case T.resizable: {
        const max = r.f64();
        const b = r.bytes();
        const out = new ArrayBuffer(b.length, { maxByteLength: max });
        new Uint8Array(out).set(b);
        return keep(out);
      }
      case T.dataView: {
        const b = read(r, memory);
        const offset = r.f64();
        return keep(new DataView(b, offset, r.f64()));
      }
      case T.view: {
        const C = typedArrays[r.byte()];
        if (C === undefined) throw new RangeError('a stored value has an unknown typed array');
        const b = read(r, memory);
        const offset = r.f64();
        return keep(new C(b, offset, r.f64()));
      }
      case T.map: {
        const m = keep(new Map());
        const n = r.u32();
        for (let i = 0; i < n; i++) { const k = read(r, memory); mapSet.call(m, k, read(r, memory)); }
        return m;
      }
      case T.set: {
        const s = keep(new Set());
        const n = r.u32();
        for (let i = 0; i < n; i++) setAdd.call(s, read(r, memory));
        return s;
      }
      case T.error: {
        const name = r.string();
        const C = errorCtors[name] || Error;
        const e = keep(r.byte() === 1 ? new C(r.string()) : new C());
        if (r.byte() === 1) {
          Object.defineProperty(e, 'stack', { value: r.string(), writable: true, configurable: true });
        }
        return e;
      }
      case T.domException: {
        const name = r.string();
        return keep(internals.domException(name, r.string()));
      }
      case T.array: {
        const a = keep(new Array(r.f64()));
        readProperties(r, a, memory);
        return a;
      }
      case T.object: {
        const o = keep({});
        readProperties(r, o, memory);
        return o;
      }
      default: throw new RangeError(`a stored value has an unknown tag ${tag}`);
    }
  }

  function readProperties(r, o, memory) {
    while (r.byte() === 1) {
      const key = r.string();
      internals.defineData(o, key, read(r, memory));
    }
  }

  internals.idb = {
    toKey, toMultiEntryKey, compare, keyToValue, toWire, fromWire,
    validKeyPath, convertKeyPath, evaluate, extractKey, canInject, inject, FAILURE,
    serialize, deserialize, isDetached,
    dataError,
  };
});

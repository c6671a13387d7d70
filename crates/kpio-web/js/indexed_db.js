// IndexedDB (W3C Indexed Database API 3.0): indexedDB and its interfaces, over the
// origin's store (src/indexed_db/). Keys, key paths and the value serialiser are in
// indexed_db_values.js.
//
// How it runs. Every readwrite or versionchange transaction is one write transaction of
// the host's store, every readonly one a read snapshot. Transactions start in creation
// order once no earlier unfinished transaction with an overlapping scope conflicts
// (readonly ones share); a started transaction performs each request as soon as the
// requests before it are performed, and delivers each result as its own task (HTML's
// task queue, internals.queueTask). A transaction is active during the task that made
// it and while its requests' success and error events are dispatched, until the end of
// that task's microtask checkpoint ("cleanup Indexed Database transactions", called by
// the realm), when it commits if no request is left. Opening and deleting databases go
// through one queue per database name; connections of this realm see each other's
// versionchange events.
(function (ops, internals) {
  'use strict';
  if (!ops.hasIndexedDb) return;
  const { requireArgs, illegal, token, toDOMString, defineInterface, defineEventHandler } = internals;
  const I = internals.idb;
  const exc = (name, message) => internals.domException(name, message);
  const queueTask = internals.queueTask;
  const setTimer = globalThis.setTimeout;
  const isArray = Array.isArray;
  const fire = internals.fireReportingThrow;
  // Captured now: catalogs are written with them, so a page replacing JSON's methods
  // or ArrayBuffer.isView later changes nothing stored.
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const isView = ArrayBuffer.isView;
  const arrayFrom = Array.from;
  const dateClass = ops.classId(new Date(0));
  const bufferClass = ops.classId(new ArrayBuffer(0));

  // Errors ----------------------------------------------------------------------------

  // What an op or the deserialiser threw, as the DOMException a request fails with.
  function opError(e) {
    if (internals.isDOMException(e)) return e;
    const m = e !== null && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(e);
    if (m.startsWith('constraint:')) return exc('ConstraintError', m.slice(11));
    if (m.startsWith('quota:')) return exc('QuotaExceededError', `The quota has been exceeded: ${m.slice(6)}`);
    if (m.startsWith('unknown:')) return exc('UnknownError', m.slice(8));
    return exc('UnknownError', `The stored data could not be read: ${m}`);
  }
  const inactive = (what) => exc('TransactionInactiveError',
    `Failed to execute '${what}': The transaction is not active.`);
  const deletedStore = (what) => exc('InvalidStateError',
    `Failed to execute '${what}': The object store or index has been deleted.`);

  // WebIDL conversions ----------------------------------------------------------------

  function enumValue(v, allowed, what) {
    const s = toDOMString(v);
    if (!allowed.includes(s)) {
      throw new TypeError(`${what}: The provided value '${s}' is not a valid enum value.`);
    }
    return s;
  }
  // [EnforceRange] unsigned long long / unsigned long.
  function enforceRange(v, max, what) {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new TypeError(`${what}: Value is not a finite number.`);
    const t = Math.trunc(n);
    if (t < 0 || t > max) throw new TypeError(`${what}: Value is outside the accepted range.`);
    return t;
  }
  // WebIDL's unsigned long long without [EnforceRange]: modulo 2^64.
  function unsignedLongLong(v) {
    const n = Number(v);
    if (!Number.isFinite(n)) return 0;
    const t = Math.trunc(n);
    return t >= 0 ? t % 2 ** 64 : 2 ** 64 + (t % 2 ** 64);
  }
  const DIRECTIONS = ['next', 'nextunique', 'prev', 'prevunique'];

  // DOMStringList ---------------------------------------------------------------------

  const lists = new WeakMap();
  class DOMStringList {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
    }
    get length() {
      const l = lists.get(this);
      if (!l) throw illegal();
      return l.length;
    }
    item(index) {
      requireArgs(arguments.length, 1, "Failed to execute 'item' on 'DOMStringList'");
      const l = lists.get(this);
      if (!l) throw illegal();
      const i = Number(index) >>> 0;
      return i < l.length ? l[i] : null;
    }
    contains(string) {
      requireArgs(arguments.length, 1, "Failed to execute 'contains' on 'DOMStringList'");
      const l = lists.get(this);
      if (!l) throw illegal();
      return l.includes(toDOMString(string));
    }
  }
  defineInterface(DOMStringList, 'DOMStringList');
  // An indexed getter and a length make a WebIDL interface iterable like an array.
  Object.defineProperty(DOMStringList.prototype, Symbol.iterator, {
    value: Array.prototype.values, writable: true, enumerable: false, configurable: true,
  });
  function stringList(names) {
    const sorted = [...names].sort();
    const l = new DOMStringList(token);
    lists.set(l, sorted);
    sorted.forEach((n, i) => Object.defineProperty(l, i, {
      value: n, writable: false, enumerable: true, configurable: true,
    }));
    return l;
  }

  // IDBKeyRange -----------------------------------------------------------------------

  const ranges = new WeakMap();
  function makeRange(lower, upper, lowerOpen, upperOpen) {
    const r = new IDBKeyRange(token);
    ranges.set(r, { lower, upper, lowerOpen, upperOpen });
    return r;
  }
  function keyOrThrow(v, what) {
    const k = I.toKey(v);
    if (k === undefined) throw I.dataError(`Failed to execute '${what}': The parameter is not a valid key.`);
    return k;
  }
  function inRange(r, k) {
    if (r.lower !== undefined) {
      const c = I.compare(r.lower, k);
      if (c > 0 || (c === 0 && r.lowerOpen)) return false;
    }
    if (r.upper !== undefined) {
      const c = I.compare(r.upper, k);
      if (c < 0 || (c === 0 && r.upperOpen)) return false;
    }
    return true;
  }
  class IDBKeyRange {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
    }
    get lower() { const r = rangeOf(this); return r.lower === undefined ? undefined : I.keyToValue(r.lower); }
    get upper() { const r = rangeOf(this); return r.upper === undefined ? undefined : I.keyToValue(r.upper); }
    get lowerOpen() { return rangeOf(this).lowerOpen; }
    get upperOpen() { return rangeOf(this).upperOpen; }
    includes(key) {
      requireArgs(arguments.length, 1, "Failed to execute 'includes' on 'IDBKeyRange'");
      const r = rangeOf(this);
      return inRange(r, keyOrThrow(key, 'includes'));
    }
    static only(value) {
      requireArgs(arguments.length, 1, "Failed to execute 'only' on 'IDBKeyRange'");
      const k = keyOrThrow(value, 'only');
      return makeRange(k, k, false, false);
    }
    static lowerBound(lower, open = false) {
      requireArgs(arguments.length, 1, "Failed to execute 'lowerBound' on 'IDBKeyRange'");
      return makeRange(keyOrThrow(lower, 'lowerBound'), undefined, !!open, true);
    }
    static upperBound(upper, open = false) {
      requireArgs(arguments.length, 1, "Failed to execute 'upperBound' on 'IDBKeyRange'");
      return makeRange(undefined, keyOrThrow(upper, 'upperBound'), true, !!open);
    }
    static bound(lower, upper, lowerOpen = false, upperOpen = false) {
      requireArgs(arguments.length, 2, "Failed to execute 'bound' on 'IDBKeyRange'");
      const l = keyOrThrow(lower, 'bound');
      const u = keyOrThrow(upper, 'bound');
      const c = I.compare(l, u);
      if (c > 0) throw I.dataError("Failed to execute 'bound' on 'IDBKeyRange': The lower key is greater than the upper key.");
      if (c === 0 && (lowerOpen || upperOpen)) {
        throw I.dataError("Failed to execute 'bound' on 'IDBKeyRange': The lower key and upper key are equal and one of the bounds is open.");
      }
      return makeRange(l, u, !!lowerOpen, !!upperOpen);
    }
  }
  function rangeOf(self) {
    const r = ranges.get(self);
    if (!r) throw illegal();
    return r;
  }
  defineInterface(IDBKeyRange, 'IDBKeyRange');

  // "Convert a value to a key range": null for an unbounded range.
  function toRange(value, nullDisallowed, what) {
    const r = ranges.get(value);
    if (r) return r;
    if (value === undefined || value === null) {
      if (nullDisallowed) throw I.dataError(`Failed to execute '${what}': No key or key range specified.`);
      return null;
    }
    const k = keyOrThrow(value, what);
    return { lower: k, upper: k, lowerOpen: false, upperOpen: false };
  }
  // A range as the host's scan limits.
  function limitsOf(r) {
    const out = [];
    if (r) {
      if (r.lower !== undefined) out.push([I.toWire(r.lower), undefined, false, r.lowerOpen]);
      if (r.upper !== undefined) out.push([I.toWire(r.upper), undefined, true, r.upperOpen]);
    }
    return out;
  }
  // Whether a value is a "potentially valid key range" (else an options dictionary).
  function potentiallyRange(v) {
    if (ranges.has(v)) return true;
    if (typeof v === 'number' || typeof v === 'string') return true;
    if (typeof v !== 'object' || v === null) return false;
    if (isArray(v)) return true;
    const id = ops.classId(v);
    return id === dateClass || isView(v) || id === bufferClass;
  }

  // IDBVersionChangeEvent -----------------------------------------------------------------

  class IDBVersionChangeEvent extends Event {
    #oldVersion;
    #newVersion;
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "Failed to construct 'IDBVersionChangeEvent'");
      const init = internals.dictionary(eventInitDict, "Failed to construct 'IDBVersionChangeEvent'");
      super(type, init);
      this.#oldVersion = init.oldVersion === undefined ? 0 : unsignedLongLong(init.oldVersion);
      this.#newVersion = init.newVersion === undefined || init.newVersion === null
        ? null : unsignedLongLong(init.newVersion);
    }
    get oldVersion() {
      if (!(#oldVersion in this)) throw illegal();
      return this.#oldVersion;
    }
    get newVersion() {
      if (!(#newVersion in this)) throw illegal();
      return this.#newVersion;
    }
  }
  defineInterface(IDBVersionChangeEvent, 'IDBVersionChangeEvent');
  const versionEvent = (type, oldVersion, newVersion) =>
    new IDBVersionChangeEvent(type, { oldVersion, newVersion });

  // IDBRecord (getAllRecords) -----------------------------------------------------------

  const records = new WeakMap();
  class IDBRecord {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
    }
    get key() { return recordOf(this).key; }
    get primaryKey() { return recordOf(this).primaryKey; }
    get value() { return recordOf(this).value; }
  }
  function recordOf(self) {
    const r = records.get(self);
    if (!r) throw illegal();
    return r;
  }
  defineInterface(IDBRecord, 'IDBRecord');

  // Requests --------------------------------------------------------------------------

  const requests = new WeakMap();
  class IDBRequest extends EventTarget {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
      super();
    }
    get result() {
      const R = requestOf(this);
      if (!R.done) throw exc('InvalidStateError', "Failed to read the 'result' property from 'IDBRequest': The request has not finished.");
      return R.result;
    }
    get error() {
      const R = requestOf(this);
      if (!R.done) throw exc('InvalidStateError', "Failed to read the 'error' property from 'IDBRequest': The request has not finished.");
      return R.error;
    }
    get source() { return requestOf(this).source; }
    get transaction() { const R = requestOf(this); return R.tx ? R.tx.tx : null; }
    get readyState() { return requestOf(this).done ? 'done' : 'pending'; }
  }
  function requestOf(self) {
    const R = requests.get(self);
    if (!R) throw illegal();
    return R;
  }
  defineInterface(IDBRequest, 'IDBRequest');
  defineEventHandler(IDBRequest.prototype, 'success');
  defineEventHandler(IDBRequest.prototype, 'error');

  class IDBOpenDBRequest extends IDBRequest {}
  defineInterface(IDBOpenDBRequest, 'IDBOpenDBRequest');
  defineEventHandler(IDBOpenDBRequest.prototype, 'blocked');
  defineEventHandler(IDBOpenDBRequest.prototype, 'upgradeneeded');

  function newRequest(C, source, X) {
    const req = new C(token);
    const R = { req, source, tx: X, done: false, result: undefined, error: null, cancelled: false };
    requests.set(req, R);
    internals.setEventParent(req, () => (R.tx ? R.tx.tx : null));
    return R;
  }

  // Transactions ----------------------------------------------------------------------

  const txStates = new WeakMap();
  // Unfinished transactions of every connection, in creation order.
  let transactions = [];
  // Transactions made active since the last microtask checkpoint ended.
  let activated = [];

  class IDBTransaction extends EventTarget {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
      super();
    }
    get objectStoreNames() {
      const X = txOf(this);
      if (X.mode === 'versionchange') return stringList(X.conn.schema.stores.map((s) => s.name));
      return stringList(X.scope);
    }
    get mode() { return txOf(this).mode; }
    get durability() { return txOf(this).durability; }
    get db() { return txOf(this).conn.db; }
    get error() { return txOf(this).error; }
    objectStore(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'objectStore' on 'IDBTransaction'");
      const X = txOf(this);
      name = toDOMString(name);
      if (X.state === 'finished') {
        throw exc('InvalidStateError', "Failed to execute 'objectStore' on 'IDBTransaction': The transaction has finished.");
      }
      const meta = X.conn.schema.stores.find((s) => s.name === name);
      if (!meta || (X.mode !== 'versionchange' && !X.scope.includes(name))) {
        throw exc('NotFoundError', "Failed to execute 'objectStore' on 'IDBTransaction': The specified object store was not found.");
      }
      return storeHandle(X, meta).store;
    }
    abort() {
      const X = txOf(this);
      if (X.state === 'committing' || X.state === 'finished') {
        throw exc('InvalidStateError', "Failed to execute 'abort' on 'IDBTransaction': The transaction has already been committed or aborted.");
      }
      X.state = 'inactive';
      abortTx(X, null);
    }
    commit() {
      const X = txOf(this);
      if (X.state !== 'active') {
        throw exc('InvalidStateError', "Failed to execute 'commit' on 'IDBTransaction': The transaction is not active.");
      }
      X.state = 'committing';
      maybeCommit(X);
    }
  }
  function txOf(self) {
    const X = txStates.get(self);
    if (!X) throw illegal();
    return X;
  }
  defineInterface(IDBTransaction, 'IDBTransaction');
  for (const e of ['abort', 'complete', 'error']) defineEventHandler(IDBTransaction.prototype, e);

  function newTransaction(conn, scope, mode, durability) {
    const tx = new IDBTransaction(token);
    const X = {
      tx, conn, scope, mode, durability, state: 'active', started: false, hostId: 0,
      queue: [], pending: new Set(), error: null, handles: new Map(), aborted: false,
      openRequest: null, snapshot: null, oldVersion: 0,
    };
    txStates.set(tx, X);
    internals.setEventParent(tx, () => conn.db);
    conn.txns.add(X);
    transactions.push(X);
    activated.push(X);
    return X;
  }

  function activate(X) {
    if (X.state === 'inactive') {
      X.state = 'active';
      activated.push(X);
    }
  }

  // "Cleanup Indexed Database transactions", at the end of every microtask checkpoint.
  ops.setCleanupHook(function cleanup() {
    if (activated.length === 0) return;
    const list = activated;
    activated = [];
    for (const X of list) {
      if (X.state === 'active') X.state = 'inactive';
      maybeCommit(X);
    }
  });

  function overlaps(a, b) {
    if (a.conn.name !== b.conn.name) return false;
    if (a.mode === 'versionchange' || b.mode === 'versionchange') return true;
    return a.scope.some((n) => b.scope.includes(n));
  }

  let retryArmed = false;
  // Starts every waiting transaction that may start now.
  function startTransactions() {
    for (const X of transactions.slice()) {
      if (X.started || X.state === 'finished') continue;
      let blocked = false;
      for (const Y of transactions) {
        if (Y === X) break;
        if (Y.state === 'finished' || !overlaps(X, Y)) continue;
        if (X.mode === 'readonly' && Y.mode === 'readonly') continue;
        blocked = true;
        break;
      }
      if (blocked) continue;
      let id;
      try {
        id = ops.idbBegin(X.mode !== 'readonly');
      } catch (e) {
        abortTx(X, opError(e));
        continue;
      }
      if (id === 0) {
        // Another realm sharing the store holds its writer: try again shortly.
        if (!retryArmed) {
          retryArmed = true;
          setTimer(() => { retryArmed = false; pump(); }, 5);
        }
        continue;
      }
      X.hostId = id;
      X.started = true;
      if (X.onStart) X.onStart();
      runQueue(X);
      maybeCommit(X);
    }
  }

  // Performs the requests of a started transaction that are not performed yet, in
  // order, each result delivered as its own task.
  function runQueue(X) {
    if (!X.started || X.queue.length === 0 || X.state === 'finished') return;
    // Performing a request runs no page code, so nothing is placed meanwhile.
    const queue = X.queue;
    X.queue = [];
    for (const { R, exec } of queue) {
      let ok = true;
      let value;
      try {
        value = exec();
      } catch (e) {
        ok = false;
        value = opError(e);
      }
      queueTask(() => deliver(X, R, ok, value));
    }
  }

  // "Asynchronously execute a request": `exec` runs when the request's turn comes and
  // returns a function that makes the result when it is delivered.
  function place(X, R, exec) {
    X.pending.add(R);
    X.queue.push({ R, exec });
    runQueue(X);
    return R.req;
  }

  function deliver(X, R, ok, value) {
    if (R.cancelled) return;
    X.pending.delete(R);
    let result;
    if (ok) {
      try {
        result = value();
      } catch (e) {
        ok = false;
        value = opError(e);
      }
    }
    R.done = true;
    if (ok) {
      R.result = result;
      R.error = null;
      // "Fire a success event".
      activate(X);
      const threw = fire(R.req, new Event('success', { bubbles: false, cancelable: false }));
      if (X.state === 'finished') return;
      if (threw) {
        abortTx(X, exc('AbortError', 'An exception was thrown in an event handler.'));
        return;
      }
    } else {
      R.result = undefined;
      R.error = value;
      // "Fire an error event".
      activate(X);
      const event = new Event('error', { bubbles: true, cancelable: true });
      const threw = fire(R.req, event);
      if (X.state === 'finished') return;
      if (threw) {
        abortTx(X, exc('AbortError', 'An exception was thrown in an event handler.'));
        return;
      }
      if (!event.defaultPrevented) {
        abortTx(X, value);
        return;
      }
    }
    maybeCommit(X);
  }

  // Commits a transaction that is no longer active (or was asked to commit) once every
  // request has been delivered.
  function maybeCommit(X) {
    if (!X.started || X.aborted || X.holding) return;
    if (X.pendingAbort) {
      abortTx(X, X.pendingAbort);
      return;
    }
    if (X.state !== 'inactive' && X.state !== 'committing') return;
    if (X.queue.length > 0 || X.pending.size > 0 || X.committed) return;
    X.state = 'committing';
    X.committed = true;
    try {
      ops.idbCommit(X.hostId);
    } catch (e) {
      X.committed = false;
      X.hostId = 0;
      abortTx(X, opError(e));
      return;
    }
    X.hostId = 0;
    transactions = transactions.filter((Y) => Y !== X);
    queueTask(() => {
      if (X.mode === 'versionchange') X.conn.upgradeTx = null;
      X.state = 'finished';
      X.conn.txns.delete(X);
      closed(X.conn);
      fire(X.tx, new Event('complete', { bubbles: false, cancelable: false }));
      if (X.openRequest) {
        X.openRequest.tx = null;
        if (X.onFinish) X.onFinish(false);
      }
      pump();
    });
    pump();
  }

  // "Abort a transaction" with `error` (null when the page asked).
  function abortTx(X, error) {
    if (X.aborted || X.state === 'finished') return;
    X.aborted = true;
    if (X.hostId) {
      try { ops.idbAbort(X.hostId); } catch (_) { /* the store forgets it either way */ }
      X.hostId = 0;
    }
    if (X.mode === 'versionchange') revertSchema(X);
    X.state = 'finished';
    if (error) X.error = error;
    transactions = transactions.filter((Y) => Y !== X);
    const pending = X.pending;
    X.pending = new Set();
    X.queue = [];
    for (const R of pending) {
      R.cancelled = true;
      queueTask(() => {
        R.done = true;
        R.result = undefined;
        R.error = exc('AbortError', 'The transaction was aborted, so the request cannot be fulfilled.');
        fire(R.req, new Event('error', { bubbles: true, cancelable: true }));
      });
    }
    queueTask(() => {
      if (X.mode === 'versionchange') X.conn.upgradeTx = null;
      X.conn.txns.delete(X);
      closed(X.conn);
      fire(X.tx, new Event('abort', { bubbles: true, cancelable: false }));
      if (X.onFinish) X.onFinish(true);
      pump();
    });
    pump();
  }

  // An aborted upgrade leaves the connection as it was before it.
  function revertSchema(X) {
    const C = X.conn;
    C.schema = X.snapshot;
    C.version = X.oldVersion;
    for (const [id, S] of X.handles) {
      const meta = C.schema.stores.find((s) => s.id === id);
      if (meta) S.name = meta.name;
      S.created = !meta;
      for (const [iid, IX] of S.indexes) {
        const im = meta && meta.indexes.find((x) => x.id === iid);
        if (im) IX.name = im.name;
      }
    }
  }

  function saveCatalog(X) {
    const C = X.conn;
    ops.idbMetaSet(X.hostId, catalogKey(C.name), stringify({
      name: C.name, version: C.version, stores: C.schema.stores,
    }));
  }
  const catalogKey = (name) => 'db:' + stringify(name);

  // Object stores ---------------------------------------------------------------------

  const storeStates = new WeakMap();
  // The transaction's one IDBObjectStore for a store.
  function storeHandle(X, meta) {
    let S = X.handles.get(meta.id);
    if (!S) {
      const store = new IDBObjectStore(token);
      S = { store, X, id: meta.id, name: meta.name, indexes: new Map(), keyPath: undefined, created: false };
      storeStates.set(store, S);
      X.handles.set(meta.id, S);
    }
    return S;
  }
  function storeOf(self) {
    const S = storeStates.get(self);
    if (!S) throw illegal();
    return S;
  }
  const metaOf = (S) => S.X.conn.schema.stores.find((s) => s.id === S.id);

  // The index entries of a value, for the host.
  function indexEntries(meta, value) {
    const out = [];
    for (const ix of meta.indexes) {
      const k = I.extractKey(value, ix.keyPath, ix.multiEntry);
      if (k === I.FAILURE || k === undefined) continue;
      const keys = ix.multiEntry && isArray(k) ? k : [k];
      out.push([ix.id, ix.unique, keys.map(I.toWire)]);
    }
    return out;
  }

  // The checks every read shares; returns the store's metadata.
  function readable(S, what) {
    const meta = metaOf(S);
    if (!meta) throw deletedStore(what);
    if (S.X.state !== 'active') throw inactive(what);
    return meta;
  }
  function writable(S, what) {
    const meta = readable(S, what);
    if (S.X.mode === 'readonly') {
      throw exc('ReadOnlyError', `Failed to execute '${what}': The transaction is read-only.`);
    }
    return meta;
  }

  // HTML's structured clone of a value, made while the transaction is inactive (its
  // getters may not use it): the bytes, and the copy when the store needs one (to
  // evaluate its key path or its indexes' key paths on).
  function cloneFor(X, value, meta) {
    const was = X.state;
    X.state = 'inactive';
    let bytes;
    try {
      bytes = I.serialize(value);
    } finally {
      if (X.state === 'inactive') X.state = was;
    }
    const needed = meta.keyPath !== null || meta.indexes.length > 0;
    return { bytes, clone: needed ? I.deserialize(bytes) : undefined };
  }

  // "Store a record into an object store", performed when the request's turn comes.
  function storeRecord(X, meta, key, clone, bytes, noOverwrite) {
    return () => {
      if (key === undefined) {
        const n = ops.idbGenerateKey(X.hostId, meta.id);
        if (n === null || n === undefined) throw exc('ConstraintError', 'The key generator has reached its maximum value.');
        key = n;
        if (meta.keyPath !== null) {
          I.inject(clone, n, meta.keyPath);
          bytes = I.serialize(clone);
        }
      }
      ops.idbPut(X.hostId, meta.id, I.toWire(key), bytes, indexEntries(meta, clone), noOverwrite, meta.autoIncrement);
      return () => I.keyToValue(key);
    };
  }

  function addOrPut(S, what, args, noOverwrite) {
    const [value, key] = args;
    const keyGiven = args.length > 1 && key !== undefined;
    const meta = writable(S, what);
    const X = S.X;
    const inline = meta.keyPath !== null;
    if (inline && keyGiven) {
      throw I.dataError(`Failed to execute '${what}' on 'IDBObjectStore': The object store uses in-line keys and the key parameter was provided.`);
    }
    if (!inline && !meta.autoIncrement && !keyGiven) {
      throw I.dataError(`Failed to execute '${what}' on 'IDBObjectStore': The object store uses out-of-line keys and has no key generator and the key parameter was not provided.`);
    }
    let k;
    if (keyGiven) k = keyOrThrow(key, what);
    const { bytes, clone } = cloneFor(X, value, meta);
    if (inline) {
      const kpk = I.extractKey(clone, meta.keyPath, false);
      if (kpk === undefined) {
        throw I.dataError(`Failed to execute '${what}' on 'IDBObjectStore': Evaluating the object store's key path yielded a value that is not a valid key.`);
      }
      if (kpk !== I.FAILURE) {
        k = kpk;
      } else if (!meta.autoIncrement) {
        throw I.dataError(`Failed to execute '${what}' on 'IDBObjectStore': Evaluating the object store's key path did not yield a value.`);
      } else if (!I.canInject(clone, meta.keyPath)) {
        throw I.dataError(`Failed to execute '${what}' on 'IDBObjectStore': A generated key could not be inserted into the value.`);
      }
    }
    const R = newRequest(IDBRequest, S.store, X);
    return place(X, R, storeRecord(X, meta, k, clone, bytes, noOverwrite));
  }

  // The arguments of getAll/getAllKeys/getAllRecords: range, count and direction.
  function getAllArgs(args, what, optionsOnly) {
    let [query, count] = args;
    let direction = 'next';
    if (optionsOnly || (query !== undefined && query !== null && !potentiallyRange(query))) {
      const o = internals.dictionary(query, what);
      query = o.query;
      count = o.count;
      if (o.direction !== undefined) direction = enumValue(o.direction, DIRECTIONS, what);
    }
    const n = count === undefined ? 0 : enforceRange(count, 2 ** 32 - 1, what);
    return { query, count: n, direction };
  }

  // A scan of a store or index for the reads.
  function scan(X, source, limits, opts) {
    return ops.idbScan(X.hostId, source, limits, [
      !!opts.reverse, !!opts.unique, opts.skip || 0, opts.count === undefined ? -1 : opts.count, !!opts.values,
    ]);
  }
  const directionOpts = (direction) => ({
    reverse: direction === 'prev' || direction === 'prevunique',
    unique: direction === 'nextunique' || direction === 'prevunique',
  });

  // The reads object stores and indexes share. `src` is [index id or 0, store id].
  function readOps(owner, X, src, isIndex) {
    const source = owner;
    return {
      get(query, what) {
        const r = toRange(query, true, what);
        return place(X, newRequest(IDBRequest, source, X), () => {
          const f = scan(X, src, limitsOf(r), { count: 1, values: true });
          if (f.length === 0) return () => undefined;
          const bytes = f[0][2];
          return () => I.deserialize(bytes);
        });
      },
      getKey(query, what) {
        const r = toRange(query, true, what);
        return place(X, newRequest(IDBRequest, source, X), () => {
          const f = scan(X, src, limitsOf(r), { count: 1 });
          if (f.length === 0) return () => undefined;
          const k = I.fromWire(f[0][1]);
          return () => I.keyToValue(k);
        });
      },
      getAll(kind, a, what) {
        const r = toRange(a.query, false, what);
        return place(X, newRequest(IDBRequest, source, X), () => {
          const o = directionOpts(a.direction);
          o.count = a.count === 0 ? -1 : a.count;
          o.values = kind !== 'keys';
          if (!isIndex) o.unique = false;
          const f = scan(X, src, limitsOf(r), o);
          return () => f.map((e) => {
            if (kind === 'keys') return I.keyToValue(I.fromWire(e[1]));
            if (kind === 'values') return I.deserialize(e[2]);
            const rec = new IDBRecord(token);
            records.set(rec, {
              key: I.keyToValue(I.fromWire(e[0])),
              primaryKey: I.keyToValue(I.fromWire(e[1])),
              value: I.deserialize(e[2]),
            });
            return rec;
          });
        });
      },
      count(query, what) {
        const r = toRange(query, false, what);
        return place(X, newRequest(IDBRequest, source, X), () => {
          const n = ops.idbCount(X.hostId, src, limitsOf(r));
          return () => n;
        });
      },
      openCursor(query, direction, keyOnly, what) {
        const r = toRange(query, false, what);
        const R = newRequest(IDBRequest, source, X);
        const K = newCursor(X, owner, src, isIndex, direction, r, keyOnly, R);
        return place(X, R, iterate(K, undefined, undefined, 1));
      },
    };
  }

  class IDBObjectStore {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
    }
    get name() { return storeOf(this).name; }
    set name(value) {
      const S = storeOf(this);
      const name = toDOMString(value);
      const meta = metaOf(S);
      const what = "Failed to set the 'name' property on 'IDBObjectStore'";
      if (!meta) throw exc('InvalidStateError', `${what}: The object store has been deleted.`);
      if (S.X.mode !== 'versionchange') throw exc('InvalidStateError', `${what}: The database is not running a version change transaction.`);
      if (S.X.state !== 'active') throw exc('TransactionInactiveError', `${what}: The transaction is not active.`);
      if (S.name === name) return;
      if (S.X.conn.schema.stores.some((s) => s.name === name)) {
        throw exc('ConstraintError', `${what}: An object store with the specified name already exists.`);
      }
      meta.name = name;
      S.name = name;
      saveCatalog(S.X);
    }
    get keyPath() {
      const S = storeOf(this);
      if (S.keyPath === undefined) {
        const meta = metaOf(S) || S.X.snapshot?.stores.find((s) => s.id === S.id);
        const p = meta ? meta.keyPath : null;
        S.keyPath = isArray(p) ? [...p] : p;
      }
      return S.keyPath;
    }
    get indexNames() {
      const S = storeOf(this);
      const meta = metaOf(S);
      return stringList(meta ? meta.indexes.map((x) => x.name) : []);
    }
    get transaction() { return storeOf(this).X.tx; }
    get autoIncrement() {
      const S = storeOf(this);
      const meta = metaOf(S);
      return meta ? meta.autoIncrement : false;
    }
    put(value, key = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'put' on 'IDBObjectStore'");
      return addOrPut(storeOf(this), 'put', [...arguments], false);
    }
    add(value, key = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'add' on 'IDBObjectStore'");
      return addOrPut(storeOf(this), 'add', [...arguments], true);
    }
    delete(query) {
      requireArgs(arguments.length, 1, "Failed to execute 'delete' on 'IDBObjectStore'");
      const S = storeOf(this);
      const meta = writable(S, 'delete');
      const r = toRange(query, true, 'delete');
      const X = S.X;
      return place(X, newRequest(IDBRequest, S.store, X), () => {
        ops.idbDelete(X.hostId, meta.id, limitsOf(r));
        return () => undefined;
      });
    }
    clear() {
      const S = storeOf(this);
      const meta = writable(S, 'clear');
      const X = S.X;
      return place(X, newRequest(IDBRequest, S.store, X), () => {
        ops.idbDelete(X.hostId, meta.id, []);
        return () => undefined;
      });
    }
    get(query) {
      requireArgs(arguments.length, 1, "Failed to execute 'get' on 'IDBObjectStore'");
      const S = storeOf(this);
      const meta = readable(S, 'get');
      return readOps(S.store, S.X, [0, meta.id], false).get(query, 'get');
    }
    getKey(query) {
      requireArgs(arguments.length, 1, "Failed to execute 'getKey' on 'IDBObjectStore'");
      const S = storeOf(this);
      const meta = readable(S, 'getKey');
      return readOps(S.store, S.X, [0, meta.id], false).getKey(query, 'getKey');
    }
    getAll(queryOrOptions = undefined, count = undefined) {
      const S = storeOf(this);
      const a = getAllArgs([queryOrOptions, count], "Failed to execute 'getAll' on 'IDBObjectStore'");
      const meta = readable(S, 'getAll');
      return readOps(S.store, S.X, [0, meta.id], false).getAll('values', a, 'getAll');
    }
    getAllKeys(queryOrOptions = undefined, count = undefined) {
      const S = storeOf(this);
      const a = getAllArgs([queryOrOptions, count], "Failed to execute 'getAllKeys' on 'IDBObjectStore'");
      const meta = readable(S, 'getAllKeys');
      return readOps(S.store, S.X, [0, meta.id], false).getAll('keys', a, 'getAllKeys');
    }
    getAllRecords(options = undefined) {
      const S = storeOf(this);
      const a = getAllArgs([options], "Failed to execute 'getAllRecords' on 'IDBObjectStore'", true);
      const meta = readable(S, 'getAllRecords');
      return readOps(S.store, S.X, [0, meta.id], false).getAll('records', a, 'getAllRecords');
    }
    count(query = undefined) {
      const S = storeOf(this);
      const meta = readable(S, 'count');
      return readOps(S.store, S.X, [0, meta.id], false).count(query, 'count');
    }
    openCursor(query = undefined, direction = 'next') {
      const S = storeOf(this);
      direction = enumValue(direction, DIRECTIONS, "Failed to execute 'openCursor' on 'IDBObjectStore'");
      const meta = readable(S, 'openCursor');
      return readOps(S.store, S.X, [0, meta.id], false).openCursor(query, direction, false, 'openCursor');
    }
    openKeyCursor(query = undefined, direction = 'next') {
      const S = storeOf(this);
      direction = enumValue(direction, DIRECTIONS, "Failed to execute 'openKeyCursor' on 'IDBObjectStore'");
      const meta = readable(S, 'openKeyCursor');
      return readOps(S.store, S.X, [0, meta.id], false).openCursor(query, direction, true, 'openKeyCursor');
    }
    index(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'index' on 'IDBObjectStore'");
      const S = storeOf(this);
      name = toDOMString(name);
      const meta = metaOf(S);
      if (!meta) throw deletedStore('index');
      if (S.X.state === 'finished') {
        throw exc('InvalidStateError', "Failed to execute 'index' on 'IDBObjectStore': The transaction has finished.");
      }
      const im = meta.indexes.find((x) => x.name === name);
      if (!im) throw exc('NotFoundError', "Failed to execute 'index' on 'IDBObjectStore': The specified index was not found.");
      return indexHandle(S, im).index;
    }
    createIndex(name, keyPath, options = undefined) {
      requireArgs(arguments.length, 2, "Failed to execute 'createIndex' on 'IDBObjectStore'");
      const S = storeOf(this);
      name = toDOMString(name);
      keyPath = I.convertKeyPath(keyPath);
      const o = internals.dictionary(options, "Failed to execute 'createIndex' on 'IDBObjectStore'");
      const unique = !!o.unique;
      const multiEntry = !!o.multiEntry;
      const X = S.X;
      const what = "Failed to execute 'createIndex' on 'IDBObjectStore'";
      if (X.mode !== 'versionchange') throw exc('InvalidStateError', `${what}: The database is not running a version change transaction.`);
      const meta = metaOf(S);
      if (!meta) throw exc('InvalidStateError', `${what}: The object store has been deleted.`);
      if (X.state !== 'active') throw exc('TransactionInactiveError', `${what}: The transaction is not active.`);
      if (meta.indexes.some((x) => x.name === name)) throw exc('ConstraintError', `${what}: An index with the specified name already exists.`);
      if (!I.validKeyPath(keyPath)) throw exc('SyntaxError', `${what}: The keyPath argument contains an invalid key path.`);
      if (multiEntry && isArray(keyPath)) throw exc('InvalidAccessError', `${what}: The keyPath argument was an array and the multiEntry option is true.`);
      const id = ops.idbNewId(X.hostId);
      const im = { id, name, keyPath, unique, multiEntry };
      meta.indexes.push(im);
      saveCatalog(X);
      // The records already in the store get their entries now; a unique index they
      // break aborts the upgrade with ConstraintError.
      try {
        const found = scan(X, [0, meta.id], [], { values: true });
        const list = [];
        for (const e of found) {
          const k = I.extractKey(I.deserialize(e[2]), keyPath, multiEntry);
          if (k === I.FAILURE || k === undefined) continue;
          list.push([e[1], (multiEntry && isArray(k) ? k : [k]).map(I.toWire)]);
        }
        if (list.length > 0) ops.idbAddIndexEntries(X.hostId, meta.id, id, unique, list);
      } catch (e) {
        // Aborted soon, and never committed first.
        const error = opError(e);
        X.pendingAbort = error;
        queueTask(() => abortTx(X, error));
      }
      return indexHandle(S, im).index;
    }
    deleteIndex(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'deleteIndex' on 'IDBObjectStore'");
      const S = storeOf(this);
      name = toDOMString(name);
      const X = S.X;
      const what = "Failed to execute 'deleteIndex' on 'IDBObjectStore'";
      if (X.mode !== 'versionchange') throw exc('InvalidStateError', `${what}: The database is not running a version change transaction.`);
      const meta = metaOf(S);
      if (!meta) throw exc('InvalidStateError', `${what}: The object store has been deleted.`);
      if (X.state !== 'active') throw exc('TransactionInactiveError', `${what}: The transaction is not active.`);
      const at = meta.indexes.findIndex((x) => x.name === name);
      if (at < 0) throw exc('NotFoundError', `${what}: The specified index was not found.`);
      const [im] = meta.indexes.splice(at, 1);
      ops.idbDeleteIndex(X.hostId, im.id);
      saveCatalog(X);
    }
  }
  defineInterface(IDBObjectStore, 'IDBObjectStore');

  // Indexes ---------------------------------------------------------------------------

  const indexStates = new WeakMap();
  function indexHandle(S, im) {
    let IX = S.indexes.get(im.id);
    if (!IX) {
      const index = new IDBIndex(token);
      IX = { index, S, id: im.id, name: im.name, keyPath: undefined };
      indexStates.set(index, IX);
      S.indexes.set(im.id, IX);
    }
    return IX;
  }
  function indexOf(self) {
    const IX = indexStates.get(self);
    if (!IX) throw illegal();
    return IX;
  }
  function indexMeta(IX) {
    const meta = metaOf(IX.S);
    return meta && meta.indexes.find((x) => x.id === IX.id);
  }
  function indexReadable(IX, what) {
    const im = indexMeta(IX);
    if (!im) throw deletedStore(what);
    if (IX.S.X.state !== 'active') throw inactive(what);
    return im;
  }

  class IDBIndex {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
    }
    get name() { return indexOf(this).name; }
    set name(value) {
      const IX = indexOf(this);
      const name = toDOMString(value);
      const X = IX.S.X;
      const im = indexMeta(IX);
      const what = "Failed to set the 'name' property on 'IDBIndex'";
      if (X.mode !== 'versionchange') throw exc('InvalidStateError', `${what}: The database is not running a version change transaction.`);
      if (X.state !== 'active') throw exc('TransactionInactiveError', `${what}: The transaction is not active.`);
      if (!im) throw exc('InvalidStateError', `${what}: The index or its object store has been deleted.`);
      if (IX.name === name) return;
      if (metaOf(IX.S).indexes.some((x) => x.name === name)) {
        throw exc('ConstraintError', `${what}: An index with the specified name already exists.`);
      }
      im.name = name;
      IX.name = name;
      saveCatalog(X);
    }
    get objectStore() { return indexOf(this).S.store; }
    get keyPath() {
      const IX = indexOf(this);
      if (IX.keyPath === undefined) {
        const p = indexMeta(IX)?.keyPath ?? null;
        IX.keyPath = isArray(p) ? [...p] : p;
      }
      return IX.keyPath;
    }
    get multiEntry() { return !!indexMeta(indexOf(this))?.multiEntry; }
    get unique() { return !!indexMeta(indexOf(this))?.unique; }
    get(query) {
      requireArgs(arguments.length, 1, "Failed to execute 'get' on 'IDBIndex'");
      const IX = indexOf(this);
      const im = indexReadable(IX, 'get');
      return readOps(IX.index, IX.S.X, [im.id, IX.S.id], true).get(query, 'get');
    }
    getKey(query) {
      requireArgs(arguments.length, 1, "Failed to execute 'getKey' on 'IDBIndex'");
      const IX = indexOf(this);
      const im = indexReadable(IX, 'getKey');
      return readOps(IX.index, IX.S.X, [im.id, IX.S.id], true).getKey(query, 'getKey');
    }
    getAll(queryOrOptions = undefined, count = undefined) {
      const IX = indexOf(this);
      const a = getAllArgs([queryOrOptions, count], "Failed to execute 'getAll' on 'IDBIndex'");
      const im = indexReadable(IX, 'getAll');
      return readOps(IX.index, IX.S.X, [im.id, IX.S.id], true).getAll('values', a, 'getAll');
    }
    getAllKeys(queryOrOptions = undefined, count = undefined) {
      const IX = indexOf(this);
      const a = getAllArgs([queryOrOptions, count], "Failed to execute 'getAllKeys' on 'IDBIndex'");
      const im = indexReadable(IX, 'getAllKeys');
      return readOps(IX.index, IX.S.X, [im.id, IX.S.id], true).getAll('keys', a, 'getAllKeys');
    }
    getAllRecords(options = undefined) {
      const IX = indexOf(this);
      const a = getAllArgs([options], "Failed to execute 'getAllRecords' on 'IDBIndex'", true);
      const im = indexReadable(IX, 'getAllRecords');
      return readOps(IX.index, IX.S.X, [im.id, IX.S.id], true).getAll('records', a, 'getAllRecords');
    }
    count(query = undefined) {
      const IX = indexOf(this);
      const im = indexReadable(IX, 'count');
      return readOps(IX.index, IX.S.X, [im.id, IX.S.id], true).count(query, 'count');
    }
    openCursor(query = undefined, direction = 'next') {
      const IX = indexOf(this);
      direction = enumValue(direction, DIRECTIONS, "Failed to execute 'openCursor' on 'IDBIndex'");
      const im = indexReadable(IX, 'openCursor');
      return readOps(IX.index, IX.S.X, [im.id, IX.S.id], true).openCursor(query, direction, false, 'openCursor');
    }
    openKeyCursor(query = undefined, direction = 'next') {
      const IX = indexOf(this);
      direction = enumValue(direction, DIRECTIONS, "Failed to execute 'openKeyCursor' on 'IDBIndex'");
      const im = indexReadable(IX, 'openKeyCursor');
      return readOps(IX.index, IX.S.X, [im.id, IX.S.id], true).openCursor(query, direction, true, 'openKeyCursor');
    }
  }
  defineInterface(IDBIndex, 'IDBIndex');

  // Cursors ---------------------------------------------------------------------------

  const cursors = new WeakMap();
  function newCursor(X, source, src, isIndex, direction, range, keyOnly, R) {
    const cursor = keyOnly ? new IDBCursor(token) : new IDBCursorWithValue(token);
    const K = {
      cursor, X, source, src, isIndex, direction, range, keyOnly, request: R,
      position: undefined, storePosition: undefined, key: undefined, primaryKey: undefined,
      keyValue: undefined, primaryKeyValue: undefined, value: undefined, gotValue: false,
    };
    cursors.set(cursor, K);
    return K;
  }
  function cursorOf(self) {
    const K = cursors.get(self);
    if (!K) throw illegal();
    return K;
  }
  // The cursor's source (or its index's object store) is gone.
  function sourceDeleted(K) {
    return K.isIndex ? !indexMeta(indexOf(K.source)) : !metaOf(storeOf(K.source));
  }
  const storeMetaOf = (K) => metaOf(K.isIndex ? indexOf(K.source).S : storeOf(K.source));

  // "Iterate a cursor", performed when the request's turn comes.
  function iterate(K, key, primaryKey, count) {
    return () => {
      const forward = K.direction === 'next' || K.direction === 'nextunique';
      const unique = K.direction === 'nextunique' || K.direction === 'prevunique';
      const limits = limitsOf(K.range);
      if (key !== undefined) {
        limits.push([I.toWire(key), primaryKey === undefined ? undefined : I.toWire(primaryKey), !forward, false]);
      }
      if (K.position !== undefined) {
        if (K.isIndex && !unique) {
          limits.push([I.toWire(K.position), I.toWire(K.storePosition), !forward, true]);
        } else {
          limits.push([I.toWire(K.position), undefined, !forward, true]);
        }
      }
      const f = scan(K.X, K.src, limits, {
        reverse: !forward, unique: unique && K.isIndex, skip: count - 1, count: 1, values: !K.keyOnly,
      });
      const entry = f[0];
      return () => {
        if (entry === undefined) {
          K.key = K.keyValue = undefined;
          if (K.isIndex) K.storePosition = undefined;
          if (!K.keyOnly) K.value = undefined;
          return null;
        }
        K.position = K.key = I.fromWire(entry[0]);
        K.primaryKey = I.fromWire(entry[1]);
        if (K.isIndex) K.storePosition = K.primaryKey;
        K.keyValue = I.keyToValue(K.key);
        K.primaryKeyValue = K.isIndex ? I.keyToValue(K.primaryKey) : K.keyValue;
        if (!K.keyOnly) K.value = I.deserialize(entry[2]);
        K.gotValue = true;
        return K.cursor;
      };
    };
  }

  function cursorCommon(K, what) {
    if (K.X.state !== 'active') throw inactive(what);
    if (sourceDeleted(K)) throw deletedStore(what);
    if (!K.gotValue) {
      throw exc('InvalidStateError', `Failed to execute '${what}' on 'IDBCursor': The cursor is being iterated or has iterated past its end.`);
    }
  }
  function again(K, exec) {
    K.gotValue = false;
    const R = K.request;
    R.done = false;
    R.cancelled = false;
    place(K.X, R, exec);
  }

  class IDBCursor {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
    }
    get source() { return cursorOf(this).source; }
    get direction() { return cursorOf(this).direction; }
    get key() { return cursorOf(this).keyValue; }
    get primaryKey() { return cursorOf(this).primaryKeyValue; }
    get request() { return cursorOf(this).request.req; }
    advance(count) {
      requireArgs(arguments.length, 1, "Failed to execute 'advance' on 'IDBCursor'");
      const K = cursorOf(this);
      const n = enforceRange(count, 2 ** 32 - 1, "Failed to execute 'advance' on 'IDBCursor'");
      if (n === 0) throw new TypeError("Failed to execute 'advance' on 'IDBCursor': A count argument with value 0 (zero) was supplied, must be greater than 0.");
      cursorCommon(K, 'advance');
      again(K, iterate(K, undefined, undefined, n));
    }
    continue(key = undefined) {
      const K = cursorOf(this);
      cursorCommon(K, 'continue');
      let k;
      if (key !== undefined) {
        k = I.toKey(key);
        if (k === undefined) throw I.dataError("Failed to execute 'continue' on 'IDBCursor': The parameter is not a valid key.");
        const c = I.compare(k, K.position);
        const forward = K.direction === 'next' || K.direction === 'nextunique';
        if (forward ? c <= 0 : c >= 0) {
          throw I.dataError("Failed to execute 'continue' on 'IDBCursor': The parameter is not beyond the current position in the cursor's direction.");
        }
      }
      again(K, iterate(K, k, undefined, 1));
    }
    continuePrimaryKey(key, primaryKey) {
      requireArgs(arguments.length, 2, "Failed to execute 'continuePrimaryKey' on 'IDBCursor'");
      const K = cursorOf(this);
      const what = "Failed to execute 'continuePrimaryKey' on 'IDBCursor'";
      if (K.X.state !== 'active') throw inactive('continuePrimaryKey');
      if (sourceDeleted(K)) throw deletedStore('continuePrimaryKey');
      if (!K.isIndex) throw exc('InvalidAccessError', `${what}: The cursor's source is not an index.`);
      if (K.direction !== 'next' && K.direction !== 'prev') {
        throw exc('InvalidAccessError', `${what}: The cursor's direction is not 'next' or 'prev'.`);
      }
      if (!K.gotValue) throw exc('InvalidStateError', `${what}: The cursor is being iterated or has iterated past its end.`);
      const k = I.toKey(key);
      if (k === undefined) throw I.dataError(`${what}: The first parameter is not a valid key.`);
      const pk = I.toKey(primaryKey);
      if (pk === undefined) throw I.dataError(`${what}: The second parameter is not a valid key.`);
      const c = I.compare(k, K.position);
      const cp = I.compare(pk, K.storePosition);
      if (K.direction === 'next' ? (c < 0 || (c === 0 && cp <= 0)) : (c > 0 || (c === 0 && cp >= 0))) {
        throw I.dataError(`${what}: The parameters are not beyond the current position in the cursor's direction.`);
      }
      again(K, iterate(K, k, pk, 1));
    }
    update(value) {
      requireArgs(arguments.length, 1, "Failed to execute 'update' on 'IDBCursor'");
      const K = cursorOf(this);
      const what = "Failed to execute 'update' on 'IDBCursor'";
      if (K.X.state !== 'active') throw inactive('update');
      if (K.X.mode === 'readonly') throw exc('ReadOnlyError', `${what}: The record may not be updated inside a read-only transaction.`);
      if (sourceDeleted(K)) throw deletedStore('update');
      if (!K.gotValue) throw exc('InvalidStateError', `${what}: The cursor is being iterated or has iterated past its end.`);
      if (K.keyOnly) throw exc('InvalidStateError', `${what}: The cursor is a key cursor.`);
      const meta = storeMetaOf(K);
      const { bytes, clone } = cloneFor(K.X, value, meta);
      if (meta.keyPath !== null) {
        const kpk = I.extractKey(clone, meta.keyPath, false);
        if (kpk === I.FAILURE || kpk === undefined || I.compare(kpk, K.primaryKey) !== 0) {
          throw I.dataError(`${what}: The effective object store of this cursor uses in-line keys and evaluating the key path of the value parameter results in a different value than the cursor's effective key.`);
        }
      }
      const R = newRequest(IDBRequest, this, K.X);
      return place(K.X, R, storeRecord(K.X, meta, K.primaryKey, clone, bytes, false));
    }
    delete() {
      const K = cursorOf(this);
      const what = "Failed to execute 'delete' on 'IDBCursor'";
      if (K.X.state !== 'active') throw inactive('delete');
      if (K.X.mode === 'readonly') throw exc('ReadOnlyError', `${what}: The record may not be deleted inside a read-only transaction.`);
      if (sourceDeleted(K)) throw deletedStore('delete');
      if (!K.gotValue) throw exc('InvalidStateError', `${what}: The cursor is being iterated or has iterated past its end.`);
      if (K.keyOnly) throw exc('InvalidStateError', `${what}: The cursor is a key cursor.`);
      const meta = storeMetaOf(K);
      const pk = I.toWire(K.primaryKey);
      const R = newRequest(IDBRequest, this, K.X);
      return place(K.X, R, () => {
        ops.idbDelete(K.X.hostId, meta.id, [[pk, undefined, false, false], [pk, undefined, true, false]]);
        return () => undefined;
      });
    }
  }
  defineInterface(IDBCursor, 'IDBCursor');

  class IDBCursorWithValue extends IDBCursor {
    get value() {
      const K = cursorOf(this);
      return K.value;
    }
  }
  defineInterface(IDBCursorWithValue, 'IDBCursorWithValue');

  // Connections -----------------------------------------------------------------------

  const connStates = new WeakMap();
  // Open connections of this realm, by database name.
  const connections = new Map();

  class IDBDatabase extends EventTarget {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
      super();
    }
    get name() { return connOf(this).name; }
    get version() { return connOf(this).version; }
    get objectStoreNames() { return stringList(connOf(this).schema.stores.map((s) => s.name)); }
    transaction(storeNames, mode = 'readonly', options = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'transaction' on 'IDBDatabase'");
      const what = "Failed to execute 'transaction' on 'IDBDatabase'";
      const C = connOf(this);
      const names = typeof storeNames === 'object' && storeNames !== null && typeof storeNames[Symbol.iterator] === 'function'
        ? arrayFrom(storeNames, toDOMString) : [toDOMString(storeNames)];
      mode = enumValue(mode, ['readonly', 'readwrite', 'versionchange'], what);
      const o = internals.dictionary(options, what);
      const durability = o.durability === undefined ? 'default'
        : enumValue(o.durability, ['default', 'strict', 'relaxed'], what);
      if (C.upgradeTx && C.upgradeTx.state !== 'finished') {
        throw exc('InvalidStateError', `${what}: A version change transaction is running.`);
      }
      if (C.closePending) throw exc('InvalidStateError', `${what}: The database connection is closing.`);
      const scope = [...new Set(names)].sort();
      for (const n of scope) {
        if (!C.schema.stores.some((s) => s.name === n)) {
          throw exc('NotFoundError', `${what}: One of the specified object stores was not found.`);
        }
      }
      if (scope.length === 0) throw exc('InvalidAccessError', `${what}: The storeNames parameter was empty.`);
      if (mode !== 'readonly' && mode !== 'readwrite') {
        throw new TypeError(`${what}: The mode provided ('${mode}') is not one of 'readonly' or 'readwrite'.`);
      }
      const X = newTransaction(C, scope, mode, durability);
      startTransactions();
      return X.tx;
    }
    close() {
      const C = connOf(this);
      C.closePending = true;
      closed(C);
      pump();
    }
    createObjectStore(name, options = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'createObjectStore' on 'IDBDatabase'");
      const what = "Failed to execute 'createObjectStore' on 'IDBDatabase'";
      const C = connOf(this);
      name = toDOMString(name);
      const o = internals.dictionary(options, what);
      const keyPath = o.keyPath === undefined || o.keyPath === null ? null : I.convertKeyPath(o.keyPath);
      const autoIncrement = !!o.autoIncrement;
      const X = C.upgradeTx;
      if (!X || X.state === 'finished') throw exc('InvalidStateError', `${what}: The database is not running a version change transaction.`);
      if (X.state !== 'active') throw exc('TransactionInactiveError', `${what}: The transaction is not active.`);
      if (keyPath !== null && !I.validKeyPath(keyPath)) throw exc('SyntaxError', `${what}: The keyPath option is not a valid key path.`);
      if (C.schema.stores.some((s) => s.name === name)) throw exc('ConstraintError', `${what}: An object store with the specified name already exists.`);
      if (autoIncrement && (keyPath === '' || isArray(keyPath))) {
        throw exc('InvalidAccessError', `${what}: The autoIncrement option was set but the keyPath option was empty or an array.`);
      }
      const id = ops.idbNewId(X.hostId);
      const meta = { id, name, keyPath, autoIncrement, indexes: [] };
      C.schema.stores.push(meta);
      saveCatalog(X);
      return storeHandle(X, meta).store;
    }
    deleteObjectStore(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'deleteObjectStore' on 'IDBDatabase'");
      const what = "Failed to execute 'deleteObjectStore' on 'IDBDatabase'";
      const C = connOf(this);
      name = toDOMString(name);
      const X = C.upgradeTx;
      if (!X || X.state === 'finished') throw exc('InvalidStateError', `${what}: The database is not running a version change transaction.`);
      if (X.state !== 'active') throw exc('TransactionInactiveError', `${what}: The transaction is not active.`);
      const at = C.schema.stores.findIndex((s) => s.name === name);
      if (at < 0) throw exc('NotFoundError', `${what}: The specified object store was not found.`);
      const [meta] = C.schema.stores.splice(at, 1);
      deleteStoreData(X.hostId, meta);
      saveCatalog(X);
    }
  }
  function connOf(self) {
    const C = connStates.get(self);
    if (!C) throw illegal();
    return C;
  }
  defineInterface(IDBDatabase, 'IDBDatabase');
  for (const e of ['abort', 'close', 'error', 'versionchange']) defineEventHandler(IDBDatabase.prototype, e);

  function deleteStoreData(hostId, meta) {
    ops.idbDelete(hostId, meta.id, []);
    for (const ix of meta.indexes) ops.idbDeleteIndex(hostId, ix.id);
    ops.idbDeleteGenerator(hostId, meta.id);
  }

  function newConnection(name, catalog) {
    const db = new IDBDatabase(token);
    const C = {
      db, name, version: catalog ? catalog.version : 0,
      schema: { stores: catalog ? catalog.stores : [] },
      closePending: false, txns: new Set(), upgradeTx: null,
    };
    connStates.set(db, C);
    let set = connections.get(name);
    if (!set) connections.set(name, (set = new Set()));
    set.add(C);
    // Known to the store too, for the other realms sharing it.
    C.hostId = ops.idbConnOpen(catalogKey(name));
    hostConnections.set(C.hostId, C);
    return C;
  }
  // A connection is closed once close() was called and its transactions finished; the
  // store (and so the other realms) learns it the first time this finds it so.
  function closed(C) {
    const done = C.closePending && C.txns.size === 0;
    if (done && C.hostId) {
      ops.idbConnClose(C.hostId);
      hostConnections.delete(C.hostId);
      C.hostId = 0;
    }
    return done;
  }
  // This realm's connections by their id in the store.
  const hostConnections = new Map();
  // A version change another realm asked for, at one of this realm's connections.
  ops.setIdbNoticeHook(function versionChange(conn, oldVersion, newVersion) {
    const C = hostConnections.get(conn);
    try {
      if (C && !C.closePending) {
        fire(C.db, versionEvent('versionchange', oldVersion, newVersion === undefined ? null : newVersion));
      }
    } finally {
      ops.idbAck(conn);
    }
  });
  function openConnections(name, except) {
    const set = connections.get(name);
    if (!set) return [];
    for (const C of [...set]) if (closed(C)) set.delete(C);
    return [...set].filter((C) => C !== except);
  }

  // Reads the catalog of database `name` (null when there is none).
  function readCatalog(name) {
    const id = ops.idbBegin(false);
    try {
      const json = ops.idbMetaGet(id, catalogKey(name));
      return json === null || json === undefined ? null : parse(json);
    } finally {
      ops.idbCommit(id);
    }
  }

  // Open and delete requests, one queue per database name ----------------------------

  const queues = new Map();
  function enqueue(name, op) {
    let q = queues.get(name);
    if (!q) queues.set(name, (q = []));
    q.push(op);
    if (q.length === 1) queueTask(() => advance(name));
  }
  // Runs the head operation of a queue as far as it can go now.
  function advance(name) {
    const q = queues.get(name);
    if (!q || q.length === 0) return;
    const op = q[0];
    if (op.busy) return;
    // The connection queue is per name across the realms sharing the store: wait while
    // another realm opens or deletes this database.
    if (!op.claimed) {
      if (!ops.idbClaim(catalogKey(name))) {
        setTimer(() => advance(name), 5);
        return;
      }
      op.claimed = true;
    }
    let finished;
    try {
      finished = op.step();
    } catch (e) {
      finished = true;
      op.fail(opError(e));
    }
    if (finished) {
      ops.idbUnclaim(catalogKey(name));
      q.shift();
      if (q.length === 0) queues.delete(name);
      else queueTask(() => advance(name));
    }
  }
  let pumpQueued = false;
  // Something may have changed that waiting work waits for.
  function pump() {
    startTransactions();
    if (pumpQueued) return;
    pumpQueued = true;
    queueTask(() => {
      pumpQueued = false;
      for (const name of [...queues.keys()]) advance(name);
    });
  }

  function finishRequest(R, ok, value, event) {
    queueTask(() => {
      R.done = true;
      R.tx = null;
      if (ok) {
        R.result = value;
        R.error = null;
        fire(R.req, event || new Event('success', { bubbles: false, cancelable: false }));
      } else {
        R.result = undefined;
        R.error = value;
        fire(R.req, new Event('error', { bubbles: true, cancelable: true }));
      }
    });
  }

  // The wait of an upgrade or a deletion of `name` for the other connections to it to
  // close: this realm's `others` and other realms' (through the store). Fires
  // versionchange at each (as tasks; the other realms' in their own event loops), then
  // blocked at the request once all of them saw it if any is still open. Returns a
  // function telling whether every one is closed now (it polls the other realms).
  function waitForOthers(name, R, others, oldVersion, newVersion) {
    const key = catalogKey(name);
    let seen = true;
    let blockedDecided = false;
    const warned = others.filter((C) => !C.closePending);
    for (const C of warned) {
      seen = false;
      queueTask(() => {
        if (!C.closePending) fire(C.db, versionEvent('versionchange', oldVersion, newVersion));
      });
    }
    if (!seen) queueTask(() => { seen = true; advance(name); });
    ops.idbNotify(key, oldVersion, newVersion);
    return function ready() {
      const [remoteOpen, remoteWaiting] = ops.idbOthers(key);
      const localOpen = others.some((o) => !closed(o));
      if (!blockedDecided && seen && remoteWaiting === 0) {
        blockedDecided = true;
        if (localOpen || remoteOpen > 0) {
          queueTask(() => fire(R.req, versionEvent('blocked', oldVersion, newVersion)));
        }
      }
      if (blockedDecided && !localOpen && remoteOpen === 0) return true;
      // Other realms answer in their own event loops: look again shortly.
      if (remoteOpen > 0) setTimer(() => advance(name), 5);
      return false;
    };
  }

  function openOp(name, version, R) {
    let stage = 'start';
    let C, catalog, ready, oldVersion;
    const op = {
      fail(error) {
        if (C) {
          C.closePending = true;
          closed(C);
        }
        finishRequest(R, false, error);
      },
      step() {
        if (stage === 'start') {
          catalog = readCatalog(name);
          oldVersion = catalog ? catalog.version : 0;
          if (version === undefined) version = catalog ? catalog.version : 1;
          if (oldVersion > version) {
            finishRequest(R, false, exc('VersionError', `The requested version (${version}) is less than the existing version (${oldVersion}).`));
            return true;
          }
          C = newConnection(name, catalog);
          if (oldVersion === version) {
            finishRequest(R, true, C.db);
            return true;
          }
          ready = waitForOthers(name, R, openConnections(name, C), oldVersion, version);
          stage = 'wait';
        }
        if (stage === 'wait') {
          if (!ready()) return false;
          // The upgrade transaction, over every store.
          const X = newTransaction(C, null, 'versionchange', 'default');
          activated.splice(activated.indexOf(X), 1);
          X.state = 'inactive';
          X.openRequest = R;
          X.snapshot = parse(stringify(C.schema));
          X.oldVersion = oldVersion;
          C.upgradeTx = X;
          stage = 'upgrading';
          op.busy = true;
          // Not committed before its upgradeneeded event is dispatched.
          X.holding = true;
          X.onStart = () => {
            C.version = version;
            saveCatalog(X);
            queueTask(() => {
              X.holding = false;
              R.tx = X;
              R.result = C.db;
              R.done = true;
              R.error = null;
              activate(X);
              const threw = fire(R.req, versionEvent('upgradeneeded', oldVersion, version));
              if (threw) abortTx(X, exc('AbortError', 'An exception was thrown in the upgradeneeded handler.'));
            });
          };
          X.onFinish = (aborted) => {
            op.busy = false;
            stage = 'done';
            R.tx = null;
            if (aborted) {
              C.closePending = true;
              closed(C);
              finishRequest(R, false, exc('AbortError', 'The upgrade transaction was aborted.'));
            } else if (C.closePending) {
              finishRequest(R, false, exc('AbortError', 'The connection was closed before the upgrade finished.'));
            } else {
              finishRequest(R, true, C.db);
            }
            queueTask(() => advance(name));
          };
          startTransactions();
          return false;
        }
        return stage === 'done';
      },
    };
    return op;
  }

  function deleteOp(name, R) {
    let stage = 'start';
    let catalog, ready;
    return {
      fail(error) { finishRequest(R, false, error); },
      step() {
        if (stage === 'start') {
          catalog = readCatalog(name);
          if (!catalog) {
            finishRequest(R, true, undefined, versionEvent('success', 0, null));
            return true;
          }
          ready = waitForOthers(name, R, openConnections(name, null), catalog.version, null);
          stage = 'wait';
        }
        if (!ready()) return false;
        const id = ops.idbBegin(true);
        if (id === 0) {
          setTimer(() => advance(name), 5);
          return false;
        }
        try {
          for (const meta of catalog.stores) deleteStoreData(id, meta);
          ops.idbMetaSet(id, catalogKey(name), null);
          ops.idbCommit(id);
        } catch (e) {
          try { ops.idbAbort(id); } catch (_) { /* already gone */ }
          throw e;
        }
        finishRequest(R, true, undefined, versionEvent('success', catalog.version, null));
        return true;
      },
    };
  }

  // IDBFactory ------------------------------------------------------------------------

  class IDBFactory {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
    }
    open(name, version = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'open' on 'IDBFactory'");
      name = toDOMString(name);
      if (version !== undefined) {
        version = enforceRange(version, Number.MAX_SAFE_INTEGER, "Failed to execute 'open' on 'IDBFactory'");
        if (version === 0) throw new TypeError("Failed to execute 'open' on 'IDBFactory': The version provided must not be 0.");
      }
      const R = newRequest(IDBOpenDBRequest, null, null);
      enqueue(name, openOp(name, version, R));
      return R.req;
    }
    deleteDatabase(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'deleteDatabase' on 'IDBFactory'");
      name = toDOMString(name);
      const R = newRequest(IDBOpenDBRequest, null, null);
      enqueue(name, deleteOp(name, R));
      return R.req;
    }
    databases() {
      return new Promise((resolve, reject) => {
        queueTask(() => {
          let id;
          try {
            id = ops.idbBegin(false);
            const list = ops.idbMetaList(id, 'db:');
            resolve(list.map(([, json]) => parse(json))
              .filter((c) => c.version > 0)
              .map((c) => ({ name: c.name, version: c.version })));
          } catch (e) {
            reject(opError(e));
          } finally {
            if (id) ops.idbCommit(id);
          }
        });
      });
    }
    cmp(first, second) {
      requireArgs(arguments.length, 2, "Failed to execute 'cmp' on 'IDBFactory'");
      const a = keyOrThrow(first, 'cmp');
      const b = keyOrThrow(second, 'cmp');
      return I.compare(a, b);
    }
  }
  defineInterface(IDBFactory, 'IDBFactory');

  const factory = new IDBFactory(token);
  Object.defineProperty(internals.operationsHome || globalThis, 'indexedDB', {
    get() { return factory; }, enumerable: true, configurable: true,
  });
  internals.indexedDbUsage = () => ops.idbUsage();
});

// Helpers shared by the IndexedDB suites (idb-*.any.js): fresh databases, requests and
// transactions as promises. Written for these suites; each test file loads it with
// `// META: script=resources/idb-helpers.js`.
"use strict";

let idbCounter = 0;

// A database name no other subtest uses.
function idbName(t) {
  idbCounter++;
  return `idb-${idbCounter}-${(t && t.name || "").slice(0, 40)}`;
}

// Resolves with the request's result on success, rejects with its error on error.
function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = (e) => { e.preventDefault(); reject(request.error); };
  });
}

// Resolves on the transaction's complete event, rejects with its error (or an
// "AbortError" stand-in when it has none) on abort.
function txDone(tx) {
  return new Promise((resolve, reject) => {
    tx.addEventListener("complete", () => resolve());
    tx.addEventListener("abort", () => reject(tx.error || new DOMException("aborted", "AbortError")));
  });
}

// Resolves with the next event of `type` at `target`.
function nextEvent(target, type) {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

// Opens a fresh database at `version` (1), calling upgrade(db, tx, event) in its
// upgradeneeded event; the connection is closed and the database deleted at cleanup.
async function freshDb(t, upgrade, version = 1) {
  const name = idbName(t);
  await req(indexedDB.deleteDatabase(name));
  const db = await openDb(t, name, version, upgrade);
  return db;
}

// Opens `name` at `version`, with upgrade(db, tx, event) as the upgradeneeded listener;
// closes it and deletes the database at cleanup.
function openDb(t, name, version, upgrade) {
  return new Promise((resolve, reject) => {
    const r = version === undefined ? indexedDB.open(name) : indexedDB.open(name, version);
    r.onupgradeneeded = (e) => { if (upgrade) upgrade(r.result, r.transaction, e); };
    r.onsuccess = () => {
      const db = r.result;
      t.add_cleanup(() => { db.close(); indexedDB.deleteDatabase(name); });
      resolve(db);
    };
    r.onerror = (e) => { e.preventDefault(); reject(r.error); };
    r.onblocked = () => reject(new Error("open was blocked"));
  });
}

// The values of a cursor walk, as [key, primaryKey, value] triples.
function walk(request) {
  return new Promise((resolve, reject) => {
    const out = [];
    request.onsuccess = () => {
      const c = request.result;
      if (!c) return resolve(out);
      out.push([c.key, c.primaryKey, "value" in c ? c.value : undefined]);
      c.continue();
    };
    request.onerror = (e) => { e.preventDefault(); reject(request.error); };
  });
}

// A database with one store `s` (out-of-line keys) holding the given [key, value] pairs.
async function dbWith(t, pairs, storeOptions, indexes) {
  return freshDb(t, (db) => {
    const s = db.createObjectStore("s", storeOptions);
    for (const [name, path, opts] of indexes || []) s.createIndex(name, path, opts);
    for (const [k, v] of pairs) {
      if (k === undefined) s.put(v);
      else s.put(v, k);
    }
  });
}

// META: title=IndexedDB: IDBFactory, IDBOpenDBRequest, IDBDatabase and versions
// META: global=window,worker
// META: script=resources/idb-helpers.js
//
// Written from the Indexed Database API 3.0: sections 4.1 (IDBFactory: open(),
// deleteDatabase(), databases()), 4.3 (IDBOpenDBRequest), 4.4 (IDBDatabase), 4.5
// (IDBVersionChangeEvent) and 5.1 to 5.3 (opening, closing and deleting a database:
// the connection queue, versionchange at other connections, blocked, the upgrade
// transaction and its order of events).
"use strict";

// One subtest throws from an upgradeneeded listener on purpose; the exception is
// reported like any other.
setup({ allow_uncaught_exception: true });

test(() => {
  assert_true(self.indexedDB instanceof IDBFactory);
  assert_equals(self.indexedDB, self.indexedDB);
  assert_throws_js(TypeError, () => new IDBFactory());
  for (const name of ["IDBFactory", "IDBDatabase", "IDBRequest", "IDBOpenDBRequest", "IDBTransaction",
    "IDBObjectStore", "IDBIndex", "IDBCursor", "IDBCursorWithValue", "IDBKeyRange",
    "IDBVersionChangeEvent", "DOMStringList"]) {
    assert_equals(typeof self[name], "function", name);
    assert_false(Object.getOwnPropertyDescriptor(self, name).enumerable, `${name} is not enumerable`);
  }
}, "indexedDB and the interface objects exist");

test(() => {
  assert_true(IDBOpenDBRequest.prototype instanceof IDBRequest);
  assert_true(IDBRequest.prototype instanceof EventTarget);
  assert_true(IDBDatabase.prototype instanceof EventTarget);
  assert_true(IDBTransaction.prototype instanceof EventTarget);
  assert_true(IDBCursorWithValue.prototype instanceof IDBCursor);
  assert_true(IDBVersionChangeEvent.prototype instanceof Event);
}, "The interfaces inherit as the IDL says");

test(() => {
  assert_throws_js(TypeError, () => indexedDB.open("x", 0));
  assert_throws_js(TypeError, () => indexedDB.open("x", -1));
  assert_throws_js(TypeError, () => indexedDB.open("x", NaN));
  assert_throws_js(TypeError, () => indexedDB.open("x", Infinity));
  assert_throws_js(TypeError, () => indexedDB.open("x", 2 ** 53));
  assert_throws_js(TypeError, () => indexedDB.open());
}, "open(): a version of 0 or outside [EnforceRange] unsigned long long throws TypeError");

promise_test(async (t) => {
  const name = idbName(t);
  const r = indexedDB.open(name, 1);
  assert_true(r instanceof IDBOpenDBRequest);
  assert_equals(r.readyState, "pending");
  assert_equals(r.source, null);
  assert_equals(r.transaction, null);
  assert_throws_dom("InvalidStateError", () => r.result);
  assert_throws_dom("InvalidStateError", () => r.error);
  const e = await nextEvent(r, "upgradeneeded");
  assert_true(e instanceof IDBVersionChangeEvent);
  assert_equals(e.oldVersion, 0);
  assert_equals(e.newVersion, 1);
  assert_false(e.bubbles);
  assert_false(e.cancelable);
  assert_equals(r.readyState, "done");
  assert_true(r.result instanceof IDBDatabase);
  assert_true(r.transaction instanceof IDBTransaction);
  assert_equals(r.transaction.mode, "versionchange");
  assert_equals(r.result.version, 1);
  assert_equals(r.error, null);
  const db = r.result;
  await nextEvent(r, "success");
  assert_equals(r.transaction, null, "the upgrade transaction is gone by success");
  assert_equals(r.result, db);
  db.close();
  await req(indexedDB.deleteDatabase(name));
}, "open() of a new database: upgradeneeded from 0, then success");

promise_test(async (t) => {
  const name = idbName(t);
  const order = [];
  const r = indexedDB.open(name, 3);
  r.onupgradeneeded = () => {
    const tx = r.transaction;
    tx.oncomplete = () => order.push("complete");
    order.push("upgradeneeded");
  };
  await new Promise((resolve) => { r.onsuccess = () => { order.push("success"); resolve(); }; });
  assert_array_equals(order, ["upgradeneeded", "complete", "success"]);
  r.result.close();
  await req(indexedDB.deleteDatabase(name));
}, "The upgrade transaction's complete comes before the open request's success");

promise_test(async (t) => {
  const name = idbName(t);
  (await openDb(t, name, 2)).close();
  const db = await openDb(t, name, undefined);
  assert_equals(db.version, 2, "open() without a version opens the current one");
  let upgraded = false;
  const db3 = await openDb(t, name, 5, (d, tx, e) => {
    upgraded = true;
    assert_equals(e.oldVersion, 2);
    assert_equals(e.newVersion, 5);
  }).catch((e) => e);
  assert_true(db3 instanceof Error || db3 instanceof DOMException || db3 instanceof IDBDatabase);
  db.close();
}, "open() without a version opens the current version");

promise_test(async (t) => {
  const name = idbName(t);
  (await openDb(t, name, 1)).close();
  let upgrades = 0;
  const db = await openDb(t, name, undefined, () => upgrades++);
  assert_equals(upgrades, 0);
  assert_equals(db.version, 1);
}, "open() without a version does not upgrade an existing database");

promise_test(async (t) => {
  const db = await freshDb(t, () => {}, undefined);
  assert_equals(db.version, 1);
}, "open() without a version creates version 1");

promise_test(async (t) => {
  const name = idbName(t);
  (await openDb(t, name, 4)).close();
  const r = indexedDB.open(name, 3);
  const e = await nextEvent(r, "error");
  assert_equals(r.error.name, "VersionError");
  assert_equals(r.result, undefined);
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  e.preventDefault();
}, "open() of a lower version fails with VersionError");

promise_test(async (t) => {
  const name = idbName(t);
  const db1 = await openDb(t, name, 1);
  const seen = [];
  db1.onversionchange = (e) => {
    seen.push(["versionchange", e.oldVersion, e.newVersion]);
    assert_true(e instanceof IDBVersionChangeEvent);
    assert_equals(e.target, db1);
    db1.close();
  };
  const db2 = await openDb(t, name, 2, () => seen.push(["upgradeneeded"]));
  assert_array_equals(seen.map((x) => x.join()), ["versionchange,1,2", "upgradeneeded"]);
  assert_equals(db2.version, 2);
}, "A version change fires versionchange at other open connections first");

promise_test(async (t) => {
  const name = idbName(t);
  const db1 = await openDb(t, name, 1);
  const order = [];
  db1.onversionchange = () => order.push("versionchange");
  const r = indexedDB.open(name, 2);
  r.onupgradeneeded = () => order.push("upgradeneeded");
  const blocked = await nextEvent(r, "blocked");
  order.push("blocked");
  assert_true(blocked instanceof IDBVersionChangeEvent);
  assert_equals(blocked.oldVersion, 1);
  assert_equals(blocked.newVersion, 2);
  assert_array_equals(order, ["versionchange", "blocked"]);
  db1.close();
  await nextEvent(r, "success");
  assert_array_equals(order, ["versionchange", "blocked", "upgradeneeded"]);
  r.result.close();
}, "A connection that stays open blocks the upgrade until it closes");

promise_test(async (t) => {
  const name = idbName(t);
  const db1 = await openDb(t, name, 1, (db) => db.createObjectStore("s"));
  db1.onversionchange = () => {};
  const tx = db1.transaction("s", "readwrite");
  tx.objectStore("s").put(1, 1);
  db1.close();
  assert_throws_dom("InvalidStateError", () => db1.transaction("s"));
  let completed = false;
  tx.oncomplete = () => { completed = true; };
  const r = indexedDB.open(name, 2);
  await nextEvent(r, "success");
  assert_true(completed, "the transaction completed before the upgrade");
  assert_equals(r.result.version, 2);
  r.result.close();
}, "close() lets running transactions finish; new ones throw InvalidStateError");

promise_test(async (t) => {
  const name = idbName(t);
  const db = await openDb(t, name, 1);
  db.close();
  const r = indexedDB.deleteDatabase(name);
  const e = await nextEvent(r, "success");
  assert_true(e instanceof IDBVersionChangeEvent);
  assert_equals(e.oldVersion, 1);
  assert_equals(e.newVersion, null);
  assert_equals(r.result, undefined);
  const e2 = await nextEvent(indexedDB.deleteDatabase(name), "success");
  assert_equals(e2.oldVersion, 0, "deleting a database that does not exist succeeds from 0");
}, "deleteDatabase(): success with oldVersion and a null newVersion");

promise_test(async (t) => {
  const name = idbName(t);
  const db = await openDb(t, name, 3);
  const seen = [];
  db.onversionchange = (e) => { seen.push([e.oldVersion, e.newVersion]); };
  const r = indexedDB.deleteDatabase(name);
  await nextEvent(r, "blocked");
  assert_equals(seen.length, 1);
  assert_equals(seen[0][0], 3);
  assert_equals(seen[0][1], null);
  db.close();
  await nextEvent(r, "success");
}, "deleteDatabase() fires versionchange (newVersion null) and waits for connections to close");

promise_test(async (t) => {
  const name = idbName(t);
  (await openDb(t, name, 1, (db) => {
    db.createObjectStore("s").put("v", 1);
  })).close();
  await req(indexedDB.deleteDatabase(name));
  let old = -1;
  const db = await openDb(t, name, 1, (d, tx, e) => { old = e.oldVersion; });
  assert_equals(old, 0);
  assert_equals(db.objectStoreNames.length, 0, "the stores are gone");
}, "A deleted database is created anew, without its stores");

promise_test(async (t) => {
  const name = idbName(t);
  const db = await openDb(t, name, 7);
  const list = await indexedDB.databases();
  assert_true(Array.isArray(list));
  const mine = list.filter((d) => d.name === name);
  assert_equals(mine.length, 1);
  assert_equals(mine[0].version, 7);
  db.close();
  await req(indexedDB.deleteDatabase(name));
  const after = await indexedDB.databases();
  assert_equals(after.filter((d) => d.name === name).length, 0);
}, "databases() lists names and versions");

promise_test(async (t) => {
  const name = idbName(t);
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => { r.transaction.abort(); };
  const e = await nextEvent(r, "error");
  e.preventDefault();
  assert_equals(r.error.name, "AbortError");
  assert_equals(r.result, undefined);
  const list = await indexedDB.databases();
  assert_equals(list.filter((d) => d.name === name).length, 0, "an aborted first upgrade leaves no database");
}, "Aborting the first upgrade fails the open with AbortError and creates nothing");

promise_test(async (t) => {
  const name = idbName(t);
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => { throw new Error("thrown on purpose"); };
  const e = await nextEvent(r, "error");
  e.preventDefault();
  assert_equals(r.error.name, "AbortError");
}, "An exception in upgradeneeded aborts the upgrade");

promise_test(async (t) => {
  const name = idbName(t);
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => { r.result.close(); };
  const e = await nextEvent(r, "error");
  e.preventDefault();
  assert_equals(r.error.name, "AbortError");
}, "Closing the connection during upgradeneeded fails the open with AbortError");

promise_test(async (t) => {
  const name = idbName(t);
  const events = [];
  const r1 = indexedDB.open(name, 1);
  const r2 = indexedDB.deleteDatabase(name);
  const r3 = indexedDB.open(name, 2);
  r1.onsuccess = () => { events.push("open1"); r1.result.onversionchange = () => r1.result.close(); };
  r2.onsuccess = () => events.push("delete");
  await nextEvent(r3, "success");
  events.push("open2");
  r3.result.close();
  assert_array_equals(events, ["open1", "delete", "open2"]);
}, "Open and delete requests for one name run in the order they were made");

test(() => {
  const e = new IDBVersionChangeEvent("x");
  assert_equals(e.oldVersion, 0);
  assert_equals(e.newVersion, null);
  const f = new IDBVersionChangeEvent("y", { oldVersion: 2, newVersion: 5 });
  assert_equals(f.oldVersion, 2);
  assert_equals(f.newVersion, 5);
  assert_equals(new IDBVersionChangeEvent("z", { oldVersion: 3.7 }).oldVersion, 3, "unsigned long long");
  assert_throws_js(TypeError, () => new IDBVersionChangeEvent());
}, "IDBVersionChangeEvent's constructor and defaults");

test(() => {
  // IDBVersionChangeEventInit inherits EventInit. Chromium leaves bubbles false here.
  const f = new IDBVersionChangeEvent("y", { bubbles: true, cancelable: true });
  assert_true(f.bubbles);
  assert_true(f.cancelable);
}, "IDBVersionChangeEvent's init dictionary inherits EventInit");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => {
    db.createObjectStore("b");
    db.createObjectStore("a");
    db.createObjectStore("C");
  });
  const names = db.objectStoreNames;
  assert_true(names instanceof DOMStringList);
  assert_equals(names.length, 3);
  assert_array_equals([...names], ["C", "a", "b"], "sorted by code unit");
  assert_equals(names.item(0), "C");
  assert_equals(names[1], "a");
  assert_equals(names.item(3), null);
  assert_equals(names[3], undefined);
  assert_true(names.contains("b"));
  assert_false(names.contains("B"));
  assert_not_equals(db.objectStoreNames, names, "a new list each time");
  assert_throws_js(TypeError, () => new DOMStringList());
}, "IDBDatabase.objectStoreNames is a sorted DOMStringList");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s"));
  assert_throws_dom("NotFoundError", () => db.transaction("nope"));
  assert_throws_dom("NotFoundError", () => db.transaction(["s", "nope"]));
  assert_throws_dom("InvalidAccessError", () => db.transaction([]));
  assert_throws_js(TypeError, () => db.transaction("s", "versionchange"));
  assert_throws_js(TypeError, () => db.transaction("s", "bogus"));
  assert_throws_js(TypeError, () => db.transaction("s", "readonly", { durability: "bogus" }));
  assert_throws_js(TypeError, () => db.transaction());
  const tx = db.transaction(["s", "s"], "readwrite", { durability: "relaxed" });
  assert_equals(tx.mode, "readwrite");
  assert_equals(tx.durability, "relaxed");
  assert_array_equals([...tx.objectStoreNames], ["s"]);
  assert_equals(db.transaction("s").durability, "default");
  assert_equals(db.transaction("s").mode, "readonly");
}, "IDBDatabase.transaction(): its checks and arguments");

promise_test(async (t) => {
  let upgradeDb;
  const db = await freshDb(t, (d) => {
    upgradeDb = d;
    d.createObjectStore("s");
    assert_throws_dom("InvalidStateError", () => d.transaction("s"), "during the upgrade");
  });
  assert_equals(upgradeDb, db);
  assert_throws_dom("InvalidStateError", () => db.createObjectStore("t"));
  assert_throws_dom("InvalidStateError", () => db.deleteObjectStore("s"));
}, "createObjectStore/deleteObjectStore outside an upgrade, transaction() during one: InvalidStateError");

promise_test(async (t) => {
  const name = idbName(t);
  const db = await openDb(t, name, 1, (d) => d.createObjectStore("s"));
  db.close();
  db.close();
  assert_equals(db.name, name);
  assert_equals(db.version, 1);
  assert_equals(db.objectStoreNames.length, 1);
}, "A closed connection keeps its name, version and store names");

promise_test(async (t) => {
  const name = idbName(t) + "\uD800 é ∂";
  const db = await openDb(t, name, 1);
  assert_equals(db.name, name);
  db.close();
  const list = await indexedDB.databases();
  assert_equals(list.filter((d) => d.name === name).length, 1);
}, "Database names may hold any code units");

promise_test(async (t) => {
  const saved = [JSON.stringify, JSON.parse];
  t.add_cleanup(() => { [JSON.stringify, JSON.parse] = saved; });
  const name = idbName(t);
  JSON.stringify = () => "{}";
  JSON.parse = () => ({});
  const db = await openDb(t, name, 1, (db) => db.createObjectStore("s", { keyPath: "k" }));
  db.close();
  [JSON.stringify, JSON.parse] = saved;
  const again = await openDb(t, name, undefined);
  assert_array_equals([...again.objectStoreNames], ["s"]);
  assert_equals(again.transaction("s").objectStore("s").keyPath, "k");
}, "A page replacing JSON's methods changes nothing IndexedDB stores");

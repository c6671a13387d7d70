// META: title=IndexedDB: upgrade transactions and their rollback
// META: global=window,worker
// META: script=resources/idb-helpers.js
//
// Written from the Indexed Database API 3.0, sections 5.9 ("upgrade a database": the
// versionchange transaction over every store, the version set at its start) and 5.8
// ("abort an upgrade transaction": the connection's version and object store set revert,
// store and index handles revert their names, created stores and indexes are gone,
// deleted ones come back, and no change reaches the database).
"use strict";

async function v1(t, name) {
  (await openDb(t, name, 1, (db) => {
    const s = db.createObjectStore("s", { keyPath: "id" });
    s.createIndex("i", "v");
    s.put({ id: 1, v: "one" });
    db.createObjectStore("t");
  })).close();
}

// Opens `name` at `version`, runs upgrade(db, tx) and then aborts the upgrade; resolves
// with the connection, after the open request's error.
function abortedUpgrade(name, version, upgrade) {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name, version);
    let db;
    r.onupgradeneeded = () => {
      db = r.result;
      const tx = r.transaction;
      try { upgrade(db, tx); } catch (e) { reject(e); }
      tx.abort();
    };
    r.onsuccess = () => reject(new Error("the open succeeded"));
    r.onerror = (e) => { e.preventDefault(); resolve([db, r]); };
  });
}

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const db = await openDb(t, name, 2, (db, tx, e) => {
    assert_equals(db.version, 2, "the version is the new one during the upgrade");
    assert_equals(tx.mode, "versionchange");
    assert_array_equals([...tx.objectStoreNames], ["s", "t"], "its scope is every store");
    assert_equals(tx.db, db);
    assert_equals(tx.objectStore("s").indexNames.length, 1);
  });
  assert_equals(db.version, 2);
}, "An upgrade transaction spans every store and sees the new version");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  let storeHandle, indexHandle, created;
  const [db, r] = await abortedUpgrade(name, 2, (db, tx) => {
    storeHandle = tx.objectStore("s");
    indexHandle = storeHandle.index("i");
    storeHandle.name = "renamed";
    indexHandle.name = "renamedIndex";
    created = db.createObjectStore("created");
    db.deleteObjectStore("t");
    storeHandle.put({ id: 2, v: "two" });
  });
  assert_equals(r.error.name, "AbortError");
  assert_equals(r.result, undefined);
  assert_equals(db.version, 1, "the connection's version reverts");
  assert_array_equals([...db.objectStoreNames], ["s", "t"], "the connection's stores revert");
  assert_equals(storeHandle.name, "s", "a renamed store's handle reverts its name");
  assert_equals(indexHandle.name, "i", "a renamed index's handle reverts its name");
  assert_equals(created.name, "created");
  const again = await openDb(t, name, undefined);
  assert_equals(again.version, 1);
  assert_array_equals([...again.objectStoreNames], ["s", "t"]);
  const s = again.transaction("s").objectStore("s");
  assert_array_equals(await req(s.getAllKeys()), [1], "the upgrade's writes are gone");
  assert_array_equals([...s.indexNames], ["i"]);
}, "An aborted upgrade reverts the version, the stores, their names and the data");

promise_test(async (t) => {
  const name = idbName(t);
  const [db] = await abortedUpgrade(name, 3, (db) => { db.createObjectStore("x"); });
  assert_equals(db.version, 0, "a new database's connection goes back to version 0");
  assert_equals(db.objectStoreNames.length, 0);
}, "An aborted first upgrade leaves the connection at version 0 with no stores");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  let deletedIndex;
  await abortedUpgrade(name, 2, (db, tx) => {
    const s = tx.objectStore("s");
    deletedIndex = s.index("i");
    s.deleteIndex("i");
    s.createIndex("j", "v");
    assert_array_equals([...s.indexNames], ["j"]);
  });
  const db = await openDb(t, name, undefined);
  const s = db.transaction("s").objectStore("s");
  assert_array_equals([...s.indexNames], ["i"], "the deleted index is back, the created one gone");
  assert_equals(await req(s.index("i").getKey("one")), 1, "with its entries");
}, "An aborted upgrade brings deleted indexes back");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const db = await openDb(t, name, 2, (db, tx) => {
    db.deleteObjectStore("s");
    const s = db.createObjectStore("s");
    assert_equals(s.indexNames.length, 0, "a store made again has nothing of the old one");
    assert_equals(s.keyPath, null);
  });
  const s = db.transaction("s").objectStore("s");
  assert_equals(await req(s.count()), 0, "nor its records");
}, "Deleting and re-creating a store in an upgrade starts it empty");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const db = await openDb(t, name, 2, (db, tx) => {
    const s = tx.objectStore("s");
    s.put({ id: 5, v: "five" });
    s.createIndex("byV2", "v", { unique: true });
  });
  const s = db.transaction("s").objectStore("s");
  assert_array_equals(await req(s.index("byV2").getAllKeys()), [5, 1], "\"five\" sorts before \"one\"");
}, "Requests and schema changes mix in an upgrade");

promise_test(async (t) => {
  const name = idbName(t);
  let tx;
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => {
    tx = r.transaction;
    r.result.createObjectStore("s");
  };
  await nextEvent(r, "success");
  const db = r.result;
  assert_equals(tx.mode, "versionchange");
  assert_throws_dom("InvalidStateError", () => db.createObjectStore("late"), "the upgrade has finished");
  assert_throws_dom("InvalidStateError", () => db.deleteObjectStore("s"));
  db.close();
}, "createObjectStore() after the upgrade finished: InvalidStateError");

promise_test(async (t) => {
  const name = idbName(t);
  const r = indexedDB.open(name, 1);
  let status;
  r.onupgradeneeded = () => {
    const db = r.result;
    const tx = r.transaction;
    tx.objectStore; // the transaction is live
    Promise.resolve().then(() => {
      try { db.createObjectStore("in-microtask"); status = "ok"; } catch (e) { status = e.name; }
    });
  };
  await nextEvent(r, "success");
  assert_equals(status, "ok", "microtasks after upgradeneeded still see the transaction active");
  assert_array_equals([...r.result.objectStoreNames], ["in-microtask"]);
  r.result.close();
}, "A microtask queued by upgradeneeded may change the schema");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const db1 = await openDb(t, name, 1);
  db1.onversionchange = () => db1.close();
  const events = [];
  const db2 = await openDb(t, name, 2, () => events.push("upgrade"));
  assert_array_equals(events, ["upgrade"]);
  assert_equals(db2.version, 2);
  assert_equals(db1.version, 1, "the closed connection keeps its version");
}, "A connection that closes on versionchange lets the upgrade go on");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const db = await openDb(t, name, 2, (db, tx) => {
    const s = tx.objectStore("s");
    assert_throws_dom("ConstraintError", () => db.createObjectStore("t"));
    s.name = "s"; // the same name: nothing happens
    assert_throws_dom("ConstraintError", () => { s.name = "t"; });
  });
  assert_array_equals([...db.objectStoreNames], ["s", "t"]);
}, "Renaming to an existing name throws ConstraintError; to the same name does nothing");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  let seen;
  const db = await openDb(t, name, 3, (db, tx, e) => { seen = [e.oldVersion, e.newVersion, e.target.readyState]; });
  assert_array_equals(seen, [1, 3, "done"]);
  assert_equals(db.version, 3);
}, "An upgrade may skip versions");

promise_test(async (t) => {
  await freshDb(t, (db, tx) => {
    const s = db.createObjectStore("s");
    assert_equals(tx.objectStore("s"), s, "createObjectStore's object is the transaction's");
    s.name = "r";
    s.name = "s";
    assert_equals(tx.objectStore("s"), s);
  });
}, "A store made in an upgrade is the transaction's object store, renamed and back");

promise_test(async (t) => {
  const name = idbName(t);
  let created;
  const [db] = await abortedUpgrade(name, 1, (db) => { created = db.createObjectStore("c"); });
  assert_throws_dom("InvalidStateError", () => created.put(1, 1), "a store of an aborted upgrade is gone");
  assert_throws_dom("InvalidStateError", () => created.index("x"));
  db.close();
}, "A store created in an aborted upgrade is deleted");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const names = await new Promise((resolve) => {
    const r = indexedDB.open(name, 2);
    r.onupgradeneeded = () => {
      const db = r.result;
      db.createObjectStore("x");
      r.transaction.onabort = () => resolve([db.version, [...db.objectStoreNames]]);
      r.transaction.abort();
    };
    r.onerror = (e) => e.preventDefault();
  });
  assert_equals(names[0], 1);
  assert_array_equals(names[1], ["s", "t"], "reverted by the time abort fires");
}, "The connection is reverted when the abort event fires");

promise_test(async (t) => {
  const name = idbName(t);
  let tx;
  await abortedUpgrade(name, 1, (db, x) => { tx = x; });
  assert_equals(tx.error, null, "an abort() by the page leaves error null");
}, "An upgrade aborted by the page has no error");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const db = await openDb(t, name, 2, (db, tx) => {
    const s = tx.objectStore("s");
    s.createIndex("byId", "id", { unique: true });
    s.deleteIndex("i");
    s.put({ id: 9, v: "nine" });
  });
  const s = db.transaction("s").objectStore("s");
  assert_array_equals([...s.indexNames], ["byId"]);
  assert_array_equals(await req(s.index("byId").getAllKeys()), [1, 9]);
}, "Index changes in a committed upgrade are kept");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const db = await openDb(t, name, 2, (db) => db.deleteObjectStore("s"));
  assert_array_equals([...db.objectStoreNames], ["t"]);
  db.close();
  const db3 = await openDb(t, name, 3, (db) => {
    const s = db.createObjectStore("s");
    assert_equals(s.indexNames.length, 0);
  });
  assert_equals(await req(db3.transaction("s").objectStore("s").count()), 0, "no old records");
}, "A store deleted in one upgrade and made in the next starts empty");

promise_test(async (t) => {
  const name = idbName(t);
  const r = indexedDB.open(name, 1);
  let inactive;
  r.onupgradeneeded = () => {
    const db = r.result;
    setTimeout(() => {
      try { db.createObjectStore("late"); inactive = "created"; } catch (e) { inactive = e.name; }
    }, 0);
    db.createObjectStore("s").put("v", 1).onsuccess = () => {};
  };
  await nextEvent(r, "success");
  r.result.close();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert_true(inactive === "InvalidStateError" || inactive === "TransactionInactiveError", String(inactive));
}, "createObjectStore() from a timer during an upgrade throws");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const order = [];
  const db = await openDb(t, name, 2, (db, tx) => {
    tx.objectStore("s").get(1).onsuccess = () => order.push("get");
    tx.oncomplete = () => order.push("complete");
  });
  assert_array_equals(order, ["get", "complete"]);
  assert_equals(db.version, 2);
}, "Requests of the upgrade transaction finish before it completes");

promise_test(async (t) => {
  const name = idbName(t);
  await v1(t, name);
  const db = await openDb(t, name, 2, (db, tx) => {
    const s = tx.objectStore("s");
    s.keyPath;
    assert_equals(s.keyPath, "id");
    assert_true(s.indexNames.contains("i"));
    assert_equals(s.index("i").keyPath, "v");
  });
  db.close();
}, "An upgrade sees the existing schema");

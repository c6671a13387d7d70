// META: title=IndexedDB: IDBIndex
// META: global=window,worker
// META: script=resources/idb-helpers.js
//
// Written from the Indexed Database API 3.0, sections 2.6 (indexes: referenced
// records, unique and multiEntry, records with no index key), 4.5 (createIndex,
// deleteIndex, index()) and 4.6 (IDBIndex: attributes, reads, name setter), with 5.4
// ("store a record into an object store": index keys and the unique constraint).
"use strict";

const people = [
  [1, { name: "ann", age: 30, tags: ["a", "b"] }],
  [2, { name: "bob", age: 25, tags: ["b", "c", "b"] }],
  [3, { name: "cid", age: 30, tags: "c" }],
  [4, { name: "dee", age: 41 }],
  [5, { name: "eve", tags: [] }],
];
function peopleDb(t) {
  return dbWith(t, people, undefined, [
    ["name", "name", { unique: true }],
    ["age", "age"],
    ["tags", "tags", { multiEntry: true }],
    ["tagsArray", "tags"],
    ["nameAge", ["name", "age"]],
  ]);
}

promise_test(async (t) => {
  const db = await peopleDb(t);
  const s = db.transaction("s").objectStore("s");
  assert_array_equals([...s.indexNames], ["age", "name", "nameAge", "tags", "tagsArray"]);
  const ix = s.index("name");
  assert_true(ix instanceof IDBIndex);
  assert_equals(ix.name, "name");
  assert_equals(ix.objectStore, s);
  assert_equals(ix.keyPath, "name");
  assert_true(ix.unique);
  assert_false(ix.multiEntry);
  assert_true(s.index("tags").multiEntry);
  assert_array_equals(s.index("nameAge").keyPath, ["name", "age"]);
  assert_equals(s.index("nameAge").keyPath, s.index("nameAge").keyPath);
  assert_equals(s.index("name"), ix, "index() returns the same object");
  assert_throws_dom("NotFoundError", () => s.index("nope"));
}, "IDBIndex attributes and IDBObjectStore.index()");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const ix = db.transaction("s").objectStore("s").index("age");
  assert_equals((await req(ix.get(30))).name, "ann", "the lowest primary key for a key");
  assert_equals(await req(ix.getKey(30)), 1);
  assert_equals(await req(ix.get(99)), undefined);
  assert_equals(await req(ix.getKey(IDBKeyRange.lowerBound(31))), 4);
  assert_array_equals((await req(ix.getAll(30))).map((p) => p.name), ["ann", "cid"]);
  assert_array_equals(await req(ix.getAllKeys()), [2, 1, 3, 4], "in index key order, then primary key");
  assert_array_equals(await req(ix.getAllKeys(null, 2)), [2, 1]);
  assert_equals(await req(ix.count()), 4, "eve has no age: not in the index");
  assert_equals(await req(ix.count(30)), 2);
  assert_equals(await req(ix.count(IDBKeyRange.bound(26, 40))), 2);
}, "Index reads: get, getKey, getAll, getAllKeys, count");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const ix = db.transaction("s").objectStore("s").index("tags");
  assert_array_equals(await req(ix.getAllKeys("b")), [1, 2], "bob's duplicate tag is one entry");
  assert_array_equals(await req(ix.getAllKeys("c")), [2, 3], "a non-array value is one key");
  assert_equals(await req(ix.count()), 5, "a:1, b:1, b:2, c:2, c:3; the empty array adds none");
  const recs = await req(ix.getAllRecords());
  assert_array_equals(recs.map((r) => r.key), ["a", "b", "b", "c", "c"]);
  assert_array_equals(recs.map((r) => r.primaryKey), [1, 1, 2, 2, 3]);
  assert_equals(recs[0].value.name, "ann");
}, "multiEntry: one entry per distinct array item");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const ix = db.transaction("s").objectStore("s").index("tagsArray");
  const keys = await req(ix.getAllRecords());
  assert_array_equals(keys.map((r) => r.primaryKey), [3, 5, 1, 2],
    "string 'c' sorts before arrays; [] first among arrays");
  assert_array_equals(keys[2].key, ["a", "b"]);
}, "A non-multiEntry index on an array path keys by the whole array");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const ix = db.transaction("s").objectStore("s").index("nameAge");
  assert_array_equals(await req(ix.getAllKeys()), [1, 2, 3, 4], "eve has no age: no compound key");
  assert_equals((await req(ix.get(["bob", 25]))).name, "bob");
}, "An index with an array key path");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const r = s.put({ name: "ann" }, 9);
  r.onerror = (e) => e.preventDefault();
  await nextEvent(r, "error");
  assert_equals(r.error.name, "ConstraintError");
  assert_equals(await req(s.count()), 5, "nothing was stored");
  assert_equals(await req(s.put({ name: "ann", age: 31 }, 1)), 1, "the record itself may keep its key");
  assert_equals((await req(s.index("name").get("ann"))).age, 31);
  await txDone(tx);
}, "A unique index refuses a second record with the same key");

promise_test(async (t) => {
  const db = await dbWith(t, [], undefined, [["u", "tags", { unique: true, multiEntry: true }]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  await req(s.put({ tags: ["x", "y", "x"] }, 1));
  const r = s.put({ tags: ["z", "y"] }, 2);
  r.onerror = (e) => e.preventDefault();
  await nextEvent(r, "error");
  assert_equals(r.error.name, "ConstraintError");
  await req(s.put({ tags: ["z"] }, 2));
  assert_array_equals(await req(s.index("u").getAllKeys()), [1, 1, 2]);
  await txDone(tx);
}, "A unique multiEntry index: every item must be unused");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  await req(s.put({ name: "ann2", age: 99 }, 1));
  await req(s.delete(2));
  const age = s.index("age");
  assert_array_equals(await req(age.getAllKeys()), [3, 4, 1], "entries follow overwrites and deletes");
  assert_equals(await req(s.index("name").get("ann")), undefined);
  await req(s.clear());
  assert_equals(await req(age.count()), 0);
  await txDone(tx);
}, "Index entries follow put, delete and clear");

promise_test(async (t) => {
  const name = idbName(t);
  (await openDb(t, name, 1, (db) => {
    const s = db.createObjectStore("s");
    s.put({ k: 2 }, "b");
    s.put({ k: 1 }, "a");
    s.put({ x: 0 }, "c");
  })).close();
  const db = await openDb(t, name, 2, (db, tx) => {
    const ix = tx.objectStore("s").createIndex("k", "k");
    assert_equals(ix.name, "k");
  });
  const ix = db.transaction("s").objectStore("s").index("k");
  assert_array_equals(await req(ix.getAllKeys()), ["a", "b"], "existing records are indexed");
}, "createIndex() on a store with records indexes them");

promise_test(async (t) => {
  const name = idbName(t);
  (await openDb(t, name, 1, (db) => {
    const s = db.createObjectStore("s");
    s.put({ k: 1 }, "a");
    s.put({ k: 1 }, "b");
  })).close();
  const r = indexedDB.open(name, 2);
  let abortError = null;
  r.onupgradeneeded = () => {
    const tx = r.transaction;
    tx.objectStore("s").createIndex("k", "k", { unique: true });
    tx.onabort = () => { abortError = tx.error; };
  };
  const e = await nextEvent(r, "error");
  e.preventDefault();
  assert_equals(r.error.name, "AbortError");
  assert_equals(abortError && abortError.name, "ConstraintError", "the upgrade aborted with ConstraintError");
  const db = await openDb(t, name, undefined);
  assert_equals(db.version, 1);
  assert_equals(db.transaction("s").objectStore("s").indexNames.length, 0);
}, "createIndex(unique) over records that break it aborts the upgrade with ConstraintError");

promise_test(async (t) => {
  await freshDb(t, (db) => {
    const s = db.createObjectStore("s");
    s.createIndex("i", "a");
    assert_throws_dom("ConstraintError", () => s.createIndex("i", "b"));
    assert_throws_dom("SyntaxError", () => s.createIndex("j", "a b"));
    assert_throws_dom("SyntaxError", () => s.createIndex("j", ["a", "1"]));
    assert_throws_dom("InvalidAccessError", () => s.createIndex("j", ["a", "b"], { multiEntry: true }));
    assert_throws_js(TypeError, () => s.createIndex("j"));
    s.createIndex("j", ["a", "b"]);
    s.deleteIndex("i");
    assert_throws_dom("NotFoundError", () => s.deleteIndex("i"));
    assert_array_equals([...s.indexNames], ["j"]);
  });
}, "createIndex()/deleteIndex(): their exceptions");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s").createIndex("i", "a"));
  const s = db.transaction("s", "readwrite").objectStore("s");
  assert_throws_dom("InvalidStateError", () => s.createIndex("j", "b"));
  assert_throws_dom("InvalidStateError", () => s.deleteIndex("i"));
  const ix = s.index("i");
  assert_throws_dom("InvalidStateError", () => { ix.name = "x"; });
}, "createIndex()/deleteIndex()/index renaming outside an upgrade: InvalidStateError");

promise_test(async (t) => {
  const name = idbName(t);
  (await openDb(t, name, 1, (db) => {
    const s = db.createObjectStore("s");
    s.createIndex("old", "k");
    s.createIndex("other", "j");
    s.put({ k: 5 }, 1);
  })).close();
  const db = await openDb(t, name, 2, (db, tx) => {
    const s = tx.objectStore("s");
    const ix = s.index("old");
    ix.name = "new";
    assert_equals(ix.name, "new");
    assert_equals(s.index("new"), ix);
    assert_throws_dom("ConstraintError", () => { ix.name = "other"; });
    assert_array_equals([...s.indexNames], ["new", "other"]);
  });
  const ix = db.transaction("s").objectStore("s").index("new");
  assert_equals(await req(ix.getKey(5)), 1, "the entries follow the rename");
}, "IDBIndex.name can be set during an upgrade");

promise_test(async (t) => {
  let ix;
  await freshDb(t, (db) => {
    const s = db.createObjectStore("s");
    ix = s.createIndex("i", "a");
    s.deleteIndex("i");
    assert_throws_dom("InvalidStateError", () => ix.get(1));
    assert_throws_dom("InvalidStateError", () => ix.openCursor());
    assert_throws_dom("InvalidStateError", () => ix.count());
  });
}, "A deleted index's methods throw InvalidStateError");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const tx = db.transaction("s");
  const ix = tx.objectStore("s").index("age");
  await txDone(tx);
  assert_throws_dom("TransactionInactiveError", () => ix.get(30));
  assert_throws_dom("TransactionInactiveError", () => ix.getAll());
  assert_throws_dom("TransactionInactiveError", () => ix.openKeyCursor());
  assert_throws_dom("InvalidStateError", () => tx.objectStore("s").index("age"), "objectStore() after finishing");
}, "Index reads after the transaction finished: TransactionInactiveError");

promise_test(async (t) => {
  const db = await dbWith(t, [
    [1, { d: new Date(10) }], [2, { d: "str" }], [3, { d: 5 }], [4, { d: [1] }], [5, { d: new Uint8Array([1]) }],
    [6, { d: true }], [7, { d: null }], [8, { d: {} }],
  ], undefined, [["d", "d"]]);
  const ix = db.transaction("s").objectStore("s").index("d");
  assert_array_equals(await req(ix.getAllKeys()), [3, 1, 2, 5, 4],
    "number, date, string, binary, array; values that are not keys are left out");
}, "Index keys of every type, in key order; invalid index keys are not indexed");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const ix = db.transaction("s").objectStore("s").index("age");
  const recs = await req(ix.getAllRecords({ direction: "prev", count: 2 }));
  assert_array_equals(recs.map((r) => r.primaryKey), [4, 3]);
  assert_array_equals(recs.map((r) => r.key), [41, 30]);
  const uniq = await req(ix.getAllRecords({ direction: "prevunique" }));
  assert_array_equals(uniq.map((r) => r.primaryKey), [4, 1, 2], "one record per key, the lowest primary key");
  assert_array_equals(await req(ix.getAllKeys({ query: 30, count: 1 })), [1]);
  assert_array_equals((await req(ix.getAll({ direction: "nextunique" }))).map((p) => p.name), ["bob", "ann", "dee"]);
}, "Index getAllRecords/getAll/getAllKeys with options: direction, count, query");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, { a: { b: 3 } }], [2, { a: { b: 1 } }], [3, { a: 5 }]], undefined, [["ab", "a.b"]]);
  const ix = db.transaction("s").objectStore("s").index("ab");
  assert_array_equals(await req(ix.getAllKeys()), [2, 1], "a path through a number gives no key");
}, "An index on a dotted key path");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, { x: 1 }], [2, { y: 1 }], [3, { y: 2 }]], undefined, [["u", "z", { unique: true }]]);
  const tx = db.transaction("s", "readwrite");
  await req(tx.objectStore("s").put({ w: 0 }, 4));
  assert_equals(await req(tx.objectStore("s").index("u").count()), 0);
  await txDone(tx);
}, "Records without an index key do not clash in a unique index");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, { tags: [1, NaN, {}, "x", [2], 1] }]], undefined, [["t", "tags", { multiEntry: true }]]);
  const ix = db.transaction("s").objectStore("s").index("t");
  const keys = (await req(ix.getAllRecords())).map((r) => r.key);
  assert_equals(keys.length, 3, "invalid items are skipped, repeats kept once");
  assert_equals(keys[0], 1);
  assert_equals(keys[1], "x");
  assert_array_equals(keys[2], [2]);
}, "multiEntry skips the items that are not keys");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const ix = db.transaction("s").objectStore("s").index("name");
  const c = await req(ix.openKeyCursor());
  assert_false("value" in c);
  assert_equals(c.key, "ann");
  assert_equals(c.primaryKey, 1);
  assert_equals(c.source, ix);
}, "An index key cursor has keys and primary keys, no value");

promise_test(async (t) => {
  const db = await peopleDb(t);
  const ix = db.transaction("s").objectStore("s").index("age");
  assert_throws_dom("DataError", () => ix.get(NaN));
  assert_throws_dom("DataError", () => ix.get(null));
  assert_throws_dom("DataError", () => ix.getKey({}));
  assert_throws_dom("DataError", () => ix.count(NaN));
  assert_throws_js(TypeError, () => ix.openCursor(null, "up"));
  assert_throws_js(TypeError, () => ix.get());
}, "Index reads: DataError for bad queries, TypeError for bad arguments");

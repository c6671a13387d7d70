// META: title=IndexedDB: IDBObjectStore
// META: global=window,worker
// META: script=resources/idb-helpers.js
//
// Written from the Indexed Database API 3.0, section 4.5 (IDBObjectStore: its
// attributes, put/add and their order of checks, get/getKey/getAll/getAllKeys/
// getAllRecords/count/delete/clear, createObjectStore's options), 2.8 and 2.9 (key
// paths: valid key paths, evaluating them, injecting a generated key) and 2.11 (key
// generators: numbers from 1, explicit keys moving the generator, the 2^53 limit).
"use strict";

promise_test(async (t) => {
  const db = await freshDb(t, (db) => {
    const s = db.createObjectStore("s");
    assert_equals(s.name, "s");
    assert_equals(s.keyPath, null);
    assert_false(s.autoIncrement);
    assert_equals(s.indexNames.length, 0);
    assert_equals(s.transaction.mode, "versionchange");
    const p = db.createObjectStore("p", { keyPath: ["a", "b.c"] });
    assert_array_equals(p.keyPath, ["a", "b.c"]);
    assert_equals(p.keyPath, p.keyPath, "the same array each time");
    const a = db.createObjectStore("a", { autoIncrement: true, keyPath: "id" });
    assert_true(a.autoIncrement);
    assert_equals(a.keyPath, "id");
  });
  assert_equals(db.objectStoreNames.length, 3);
}, "createObjectStore(): name, keyPath and autoIncrement");

promise_test(async (t) => {
  await freshDb(t, (db) => {
    db.createObjectStore("s");
    assert_throws_dom("ConstraintError", () => db.createObjectStore("s"));
    assert_throws_dom("SyntaxError", () => db.createObjectStore("x", { keyPath: "a b" }));
    assert_throws_dom("SyntaxError", () => db.createObjectStore("x", { keyPath: "1a" }));
    assert_throws_dom("SyntaxError", () => db.createObjectStore("x", { keyPath: "a..b" }));
    assert_throws_dom("SyntaxError", () => db.createObjectStore("x", { keyPath: ["a", "b c"] }));
    assert_throws_dom("SyntaxError", () => db.createObjectStore("x", { keyPath: [] }));
    assert_throws_dom("InvalidAccessError", () => db.createObjectStore("x", { keyPath: "", autoIncrement: true }));
    assert_throws_dom("InvalidAccessError", () => db.createObjectStore("x", { keyPath: ["a"], autoIncrement: true }));
    db.createObjectStore("ok1", { keyPath: "" });
    db.createObjectStore("ok2", { keyPath: "a.b.$c._d" });
    db.createObjectStore("ok3", { keyPath: "\u00e9t\u00e9" });
    db.createObjectStore("");
  });
}, "createObjectStore(): ConstraintError, SyntaxError and InvalidAccessError");

promise_test(async (t) => {
  await freshDb(t, (db) => {
    db.createObjectStore("s");
    // SyntaxError (step 6) is checked before ConstraintError (step 7).
    assert_throws_dom("SyntaxError", () => db.createObjectStore("s", { keyPath: "!" }));
  });
}, "createObjectStore(): an invalid key path is reported before a duplicate name");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => { db.createObjectStore("s"); db.createObjectStore("t"); db.deleteObjectStore("t");
    assert_throws_dom("NotFoundError", () => db.deleteObjectStore("t"));
  });
  assert_array_equals([...db.objectStoreNames], ["s"]);
}, "deleteObjectStore()");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const r = s.put("v", 1);
  assert_true(r instanceof IDBRequest);
  assert_equals(r.source, s);
  assert_equals(r.transaction, tx);
  assert_equals(r.readyState, "pending");
  assert_equals(await req(r), 1);
  assert_equals(r.readyState, "done");
  assert_equals(await req(s.get(1)), "v");
  assert_equals(await req(s.put("w", 1)), 1, "put() overwrites");
  assert_equals(await req(s.get(1)), "w");
  await txDone(tx);
}, "put() stores and overwrites, its request's result is the key");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "one"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const r = s.add("again", 1);
  const e = await nextEvent(r, "error");
  assert_equals(r.error.name, "ConstraintError");
  assert_equals(e.target, r);
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  const aborted = await new Promise((resolve) => { tx.onabort = () => resolve(true); tx.oncomplete = () => resolve(false); });
  assert_true(aborted, "an unprevented error aborts the transaction");
  assert_equals(tx.error.name, "ConstraintError");
}, "add() of an existing key fails with ConstraintError and aborts the transaction");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "one"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  s.add("again", 1).onerror = (e) => e.preventDefault();
  s.put("two", 2);
  await txDone(tx);
  const s2 = db.transaction("s").objectStore("s");
  assert_array_equals(await req(s2.getAll()), ["one", "two"]);
}, "A prevented ConstraintError leaves the transaction to commit, the old record intact");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => {
    db.createObjectStore("out");
    db.createObjectStore("in", { keyPath: "id" });
    db.createObjectStore("gen", { autoIncrement: true });
  });
  const tx = db.transaction(["out", "in", "gen"], "readwrite");
  assert_throws_dom("DataError", () => tx.objectStore("out").put("v"), "out-of-line, no generator, no key");
  assert_throws_dom("DataError", () => tx.objectStore("in").put({ id: 1 }, 1), "in-line keys and a key");
  assert_throws_dom("DataError", () => tx.objectStore("in").put({ x: 1 }), "no key at the path, no generator");
  assert_throws_dom("DataError", () => tx.objectStore("in").put({ id: {} }), "not a key at the path");
  assert_throws_dom("DataError", () => tx.objectStore("in").put(5), "a primitive has no id");
  assert_throws_dom("DataError", () => tx.objectStore("out").put("v", NaN));
  assert_throws_dom("DataError", () => tx.objectStore("out").put("v", null));
  assert_throws_dom("DataError", () => tx.objectStore("out").put("v", {}));
  assert_throws_dom("DataCloneError", () => tx.objectStore("out").put(() => 1, 1));
  assert_throws_dom("DataCloneError", () => tx.objectStore("gen").put({ f: Symbol("s") }));
  assert_equals(await req(tx.objectStore("gen").put("v")), 1);
  await txDone(tx);
}, "put(): DataError and DataCloneError");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => { db.createObjectStore("s", { keyPath: "id" }); });
  const tx = db.transaction("s", "readonly");
  const s = tx.objectStore("s");
  // ReadOnlyError (step 3) before DataError (step 4).
  assert_throws_dom("ReadOnlyError", () => s.put({ id: 1 }, 1));
  assert_throws_dom("ReadOnlyError", () => s.add({ id: 1 }));
  assert_throws_dom("ReadOnlyError", () => s.delete(1));
  assert_throws_dom("ReadOnlyError", () => s.clear());
  await txDone(tx);
  // TransactionInactiveError (step 2) before ReadOnlyError.
  assert_throws_dom("TransactionInactiveError", () => s.put({ id: 1 }));
  assert_throws_dom("TransactionInactiveError", () => s.get(1));
  assert_throws_dom("TransactionInactiveError", () => s.count());
}, "put()/add()/delete()/clear() in a readonly transaction: ReadOnlyError; after it: TransactionInactiveError");

promise_test(async (t) => {
  let store;
  const db = await freshDb(t, (db) => {
    db.createObjectStore("keep");
    store = db.createObjectStore("gone");
    db.deleteObjectStore("gone");
    assert_throws_dom("InvalidStateError", () => store.put(1, 1));
    assert_throws_dom("InvalidStateError", () => store.get(1));
    assert_throws_dom("InvalidStateError", () => store.openCursor());
    assert_throws_dom("InvalidStateError", () => store.index("x"));
  });
  assert_equals(db.objectStoreNames.length, 1);
}, "A deleted store's methods throw InvalidStateError");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"], [2, "b"], [3, "c"], [4, "d"], [5, "e"]]);
  const s = db.transaction("s").objectStore("s");
  assert_equals(await req(s.get(3)), "c");
  assert_equals(await req(s.get(9)), undefined);
  assert_equals(await req(s.get(IDBKeyRange.lowerBound(3, true))), "d", "the first record in a range");
  assert_equals(await req(s.getKey(IDBKeyRange.upperBound(3))), 1);
  assert_equals(await req(s.getKey(10)), undefined);
  assert_array_equals(await req(s.getAll()), ["a", "b", "c", "d", "e"]);
  assert_array_equals(await req(s.getAll(IDBKeyRange.bound(2, 4))), ["b", "c", "d"]);
  assert_array_equals(await req(s.getAll(null, 2)), ["a", "b"]);
  assert_array_equals(await req(s.getAll(undefined, 0)), ["a", "b", "c", "d", "e"], "count 0 is all");
  assert_array_equals(await req(s.getAll(4)), ["d"]);
  assert_array_equals(await req(s.getAllKeys()), [1, 2, 3, 4, 5]);
  assert_array_equals(await req(s.getAllKeys(IDBKeyRange.bound(2, 4, true, true))), [3]);
  assert_array_equals(await req(s.getAllKeys(null, 3)), [1, 2, 3]);
  assert_equals(await req(s.count()), 5);
  assert_equals(await req(s.count(IDBKeyRange.lowerBound(4))), 2);
  assert_equals(await req(s.count(2)), 1);
  assert_equals(await req(s.count(9)), 0);
}, "get, getKey, getAll, getAllKeys and count, with keys and ranges");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const s = db.transaction("s").objectStore("s");
  assert_throws_js(TypeError, () => s.get(), "the query argument is required");
  assert_throws_dom("DataError", () => s.get(null));
  assert_throws_dom("DataError", () => s.getKey(undefined));
  assert_throws_dom("DataError", () => s.get({}));
  assert_throws_dom("DataError", () => s.count(NaN));
  assert_throws_js(TypeError, () => s.getAll(null, -1));
  assert_throws_js(TypeError, () => s.getAll(null, Infinity));
  assert_throws_js(TypeError, () => s.openCursor(null, "sideways"));
}, "Reads: null or missing queries are a DataError where a key is required; argument TypeErrors");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"], [2, "b"], [3, "c"]]);
  const s = db.transaction("s").objectStore("s");
  const recs = await req(s.getAllRecords());
  assert_equals(recs.length, 3);
  assert_true(recs[0] instanceof IDBRecord);
  assert_equals(recs[1].key, 2);
  assert_equals(recs[1].primaryKey, 2);
  assert_equals(recs[1].value, "b");
  const back = await req(s.getAllRecords({ direction: "prev", count: 2 }));
  assert_array_equals(back.map((r) => r.value), ["c", "b"]);
  const some = await req(s.getAllRecords({ query: IDBKeyRange.lowerBound(2) }));
  assert_array_equals(some.map((r) => r.key), [2, 3]);
  assert_array_equals(await req(s.getAll({ query: IDBKeyRange.upperBound(2), direction: "prev" })), ["b", "a"]);
  assert_array_equals(await req(s.getAllKeys({ count: 1, direction: "prev" })), [3]);
}, "getAllRecords() and the options-dictionary forms of getAll()/getAllKeys()");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"], [2, "b"], [3, "c"], [4, "d"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  assert_equals(await req(s.delete(2)), undefined);
  assert_equals(await req(s.delete(IDBKeyRange.bound(3, 10))), undefined);
  assert_equals(await req(s.delete(99)), undefined, "deleting nothing succeeds");
  assert_array_equals(await req(s.getAllKeys()), [1]);
  assert_equals(await req(s.clear()), undefined);
  assert_equals(await req(s.count()), 0);
  await txDone(tx);
}, "delete() with a key and a range, and clear()");

// Key paths --------------------------------------------------------------------------

promise_test(async (t) => {
  const db = await freshDb(t, (db) => {
    db.createObjectStore("dotted", { keyPath: "a.b" });
    db.createObjectStore("multi", { keyPath: ["x", "y.z"] });
    db.createObjectStore("len", { keyPath: "length" });
    db.createObjectStore("strlen", { keyPath: "name.length" });
    db.createObjectStore("self", { keyPath: "" });
  });
  const tx = db.transaction(["dotted", "multi", "len", "strlen", "self"], "readwrite");
  assert_equals(await req(tx.objectStore("dotted").put({ a: { b: "k" } })), "k");
  const m = await req(tx.objectStore("multi").put({ x: 1, y: { z: "two" } }));
  assert_array_equals(m, [1, "two"]);
  assert_equals(await req(tx.objectStore("len").put([7, 8, 9])), 3, "an array's length");
  assert_equals(await req(tx.objectStore("strlen").put({ name: "abcd" })), 4, "a string's length");
  assert_equals(await req(tx.objectStore("self").put("itself")), "itself", "the empty path is the value");
  assert_throws_dom("DataError", () => tx.objectStore("multi").put({ x: 1 }), "a missing part of an array path");
  assert_throws_dom("DataError", () => tx.objectStore("dotted").put({ a: 1 }), "a path through a number");
  await txDone(tx);
}, "Key paths: dotted, arrays of paths, length of strings and arrays, the empty path");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s", { keyPath: "k" }));
  const tx = db.transaction("s", "readwrite");
  const proto = { k: "inherited" };
  assert_throws_dom("DataError", () => tx.objectStore("s").put(Object.create(proto)),
    "a key path reads own properties of the clone, and the clone has no prototype chain");
  const withGetter = { get k() { return "got"; } };
  assert_equals(await req(tx.objectStore("s").put(withGetter)), "got", "the clone holds the getter's value");
}, "Key paths are evaluated on the structured clone");

// Key generators ---------------------------------------------------------------------

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s", { autoIncrement: true }));
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  assert_equals(await req(s.put("a")), 1);
  assert_equals(await req(s.put("b")), 2);
  assert_equals(await req(s.put("c", 10)), 10);
  assert_equals(await req(s.put("d")), 11, "an explicit number moves the generator past it");
  assert_equals(await req(s.put("e", 5.5)), 5.5);
  assert_equals(await req(s.put("f")), 12, "a smaller key does not move it back");
  assert_equals(await req(s.put("g", "str")), "str");
  assert_equals(await req(s.put("h")), 13, "a non-number key does not move it");
  assert_equals(await req(s.put("i", 20.7)), 20.7);
  assert_equals(await req(s.put("j")), 21, "a fractional key moves it to floor + 1");
  assert_equals(await req(s.put("k", -5)), -5);
  assert_equals(await req(s.put("l")), 22);
  await txDone(tx);
}, "Key generator: numbers from 1; explicit keys move it forward");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s", { autoIncrement: true, keyPath: "id" }));
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const v = { name: "x" };
  assert_equals(await req(s.put(v)), 1);
  assert_false("id" in v, "the caller's object is not changed");
  assert_equals((await req(s.get(1))).id, 1, "the stored value has the key injected");
  assert_equals(await req(s.put({ id: 7 })), 7, "a key in the value is used");
  assert_equals(await req(s.put({})), 8);
  await txDone(tx);
}, "Key generator with a key path: the generated key is injected into the stored value");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s", { autoIncrement: true, keyPath: "a.b.c" }));
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  assert_equals(await req(s.put({ a: {} })), 1);
  assert_equals((await req(s.get(1))).a.b.c, 1, "missing objects on the path are made");
  assert_equals(await req(s.put({})), 2);
  assert_equals((await req(s.get(2))).a.b.c, 2);
  assert_throws_dom("DataError", () => s.put({ a: 5 }), "a number on the path cannot hold the key");
  assert_throws_dom("DataError", () => s.put("str"), "a string cannot hold the key");
  await txDone(tx);
}, "Key generator: injection through nested objects, and values that cannot take it");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s", { autoIncrement: true }));
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  await req(s.put("big", 2 ** 53 - 1));
  assert_equals(await req(s.put("last")), 2 ** 53);
  const r = s.put("over");
  r.onerror = (e) => e.preventDefault();
  await nextEvent(r, "error");
  assert_equals(r.error.name, "ConstraintError", "past 2^53 the generator fails");
  assert_equals(await req(s.put("explicit", 3)), 3, "explicit keys still work");
  await txDone(tx);
}, "Key generator: past 2^53 a generated key fails with ConstraintError");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s", { autoIncrement: true }));
  const tx1 = db.transaction("s", "readwrite");
  tx1.objectStore("s").put("a");
  tx1.objectStore("s").put("b");
  tx1.abort();
  await txDone(tx1).catch(() => {});
  const tx2 = db.transaction("s", "readwrite");
  assert_equals(await req(tx2.objectStore("s").put("c")), 1, "the aborted transaction's numbers are reused");
  await txDone(tx2);
}, "Key generator: an aborted transaction rolls the generator back");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s", { autoIncrement: true }));
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  await req(s.put("a"));
  await req(s.put("b"));
  await req(s.clear());
  assert_equals(await req(s.put("c")), 3, "clear() keeps the generator");
  await txDone(tx);
}, "Key generator: clear() does not reset it");

// Renaming ---------------------------------------------------------------------------

promise_test(async (t) => {
  const name = idbName(t);
  (await openDb(t, name, 1, (db) => db.createObjectStore("old").put("v", 1))).close();
  const db = await openDb(t, name, 2, (db, tx) => {
    const s = tx.objectStore("old");
    s.name = "new";
    assert_equals(s.name, "new");
    assert_equals(tx.objectStore("new"), s, "the same object under its new name");
    assert_throws_dom("NotFoundError", () => tx.objectStore("old"));
    db.createObjectStore("other");
    assert_throws_dom("ConstraintError", () => { s.name = "other"; });
    s.name = "new";
  });
  assert_array_equals([...db.objectStoreNames], ["new", "other"]);
  assert_equals(await req(db.transaction("new").objectStore("new").get(1)), "v", "the records follow");
  const s = db.transaction("new").objectStore("new");
  assert_throws_dom("InvalidStateError", () => { s.name = "x"; }, "outside an upgrade");
}, "IDBObjectStore.name can be set during an upgrade");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  assert_equals(tx.objectStore("s"), s, "objectStore() returns the same object");
  assert_throws_dom("NotFoundError", () => tx.objectStore("t"));
  await txDone(tx);
  assert_throws_dom("InvalidStateError", () => tx.objectStore("s"), "after the transaction finished");
}, "IDBTransaction.objectStore()");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => db.createObjectStore("s", { keyPath: "id" }));
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  let during = null;
  const value = { id: 1, get probe() { try { s.get(1); during = "active"; } catch (e) { during = e.name; } return 1; } };
  await req(s.put(value));
  assert_equals(during, "TransactionInactiveError", "the transaction is inactive while the value is cloned");
  await txDone(tx);
}, "put(): the value is cloned while the transaction is inactive");

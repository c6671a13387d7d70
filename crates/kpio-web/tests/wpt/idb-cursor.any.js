// META: title=IndexedDB: IDBCursor and IDBCursorWithValue
// META: global=window,worker
// META: script=resources/idb-helpers.js
//
// Written from the Indexed Database API 3.0, section 4.9 (IDBCursor: source,
// direction, key, primaryKey, request, advance(), continue(), continuePrimaryKey(),
// update(), delete(), and their order of checks) and 5.8 ("iterate a cursor" in the
// four directions over object stores and indexes, with duplicates in an index).
"use strict";

// Index "k" holds: a:[1,4]  b:[2]  c:[3,5,6]
const rows = [[1, { k: "a" }], [2, { k: "b" }], [3, { k: "c" }], [4, { k: "a" }], [5, { k: "c" }], [6, { k: "c" }]];
const cursorDb = (t) => dbWith(t, rows, undefined, [["k", "k"]]);
const keysOf = (w) => w.map(([k]) => k);
const pksOf = (w) => w.map(([, pk]) => pk);

const storeCases = [
  ["next", [1, 2, 3, 4, 5, 6]],
  ["nextunique", [1, 2, 3, 4, 5, 6]],
  ["prev", [6, 5, 4, 3, 2, 1]],
  ["prevunique", [6, 5, 4, 3, 2, 1]],
];
for (const [dir, want] of storeCases) {
  promise_test(async (t) => {
    const db = await cursorDb(t);
    const s = db.transaction("s").objectStore("s");
    const w = await walk(s.openCursor(null, dir));
    assert_array_equals(keysOf(w), want);
    assert_array_equals(pksOf(w), want);
    assert_equals(w[0][2].k, rows[want[0] - 1][1].k);
  }, `Object store cursor, direction ${dir}`);
}

const indexCases = [
  ["next", ["a", "a", "b", "c", "c", "c"], [1, 4, 2, 3, 5, 6]],
  ["nextunique", ["a", "b", "c"], [1, 2, 3]],
  ["prev", ["c", "c", "c", "b", "a", "a"], [6, 5, 3, 2, 4, 1]],
  ["prevunique", ["c", "b", "a"], [3, 2, 1]],
];
for (const [dir, keys, pks] of indexCases) {
  promise_test(async (t) => {
    const db = await cursorDb(t);
    const ix = db.transaction("s").objectStore("s").index("k");
    const w = await walk(ix.openCursor(null, dir));
    assert_array_equals(keysOf(w), keys);
    assert_array_equals(pksOf(w), pks, "duplicates in primary key order; unique ones take the lowest");
    const kw = await walk(ix.openKeyCursor(null, dir));
    assert_array_equals(pksOf(kw), pks, "a key cursor walks the same");
  }, `Index cursor, direction ${dir}`);
}

const rangeCases = [
  ["next", IDBKeyRange.bound("a", "b", true, false), [2]],
  ["prev", IDBKeyRange.upperBound("b"), [2, 4, 1]],
  ["nextunique", IDBKeyRange.lowerBound("b"), [2, 3]],
  ["prevunique", IDBKeyRange.lowerBound("b", true), [3]],
  ["next", "c", [3, 5, 6]],
  ["prev", IDBKeyRange.only("a"), [4, 1]],
];
for (const [i, [dir, range, pks]] of rangeCases.entries()) {
  promise_test(async (t) => {
    const db = await cursorDb(t);
    const ix = db.transaction("s").objectStore("s").index("k");
    assert_array_equals(pksOf(await walk(ix.openCursor(range, dir))), pks);
  }, `Index cursor over range ${i + 1}, direction ${dir}`);
}

promise_test(async (t) => {
  const db = await cursorDb(t);
  const s = db.transaction("s").objectStore("s");
  const r = s.openCursor(IDBKeyRange.bound(2, 4));
  const c = await req(r);
  assert_true(c instanceof IDBCursorWithValue);
  assert_equals(c.source, s);
  assert_equals(c.direction, "next");
  assert_equals(c.key, 2);
  assert_equals(c.primaryKey, 2);
  assert_equals(c.value.k, "b");
  assert_equals(c.value, c.value, "the same value object each time");
  assert_equals(c.request, r);
  assert_equals(r.source, s);
  const kc = await req(s.openKeyCursor());
  assert_true(kc instanceof IDBCursor);
  assert_false(kc instanceof IDBCursorWithValue);
  assert_false("value" in kc);
  assert_equals(await req(s.openCursor(99)), null, "an empty range gives null");
}, "Cursor attributes");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const s = db.transaction("s").objectStore("s");
  const r = s.openCursor();
  const seen = [];
  await new Promise((resolve) => {
    r.onsuccess = () => {
      const c = r.result;
      if (!c) return resolve();
      seen.push(c.key);
      if (c.key === 1) c.continue(4);
      else c.continue();
    };
  });
  assert_array_equals(seen, [1, 4, 5, 6]);
}, "continue(key) jumps to the first key at or after it");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const s = db.transaction("s").objectStore("s");
  const r = s.openCursor(null, "prev");
  const seen = [];
  await new Promise((resolve) => {
    r.onsuccess = () => {
      const c = r.result;
      if (!c) return resolve();
      seen.push(c.key);
      if (c.key === 6) c.continue(3);
      else c.continue();
    };
  });
  assert_array_equals(seen, [6, 3, 2, 1]);
}, "continue(key) backwards jumps to the last key at or before it");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const ix = db.transaction("s").objectStore("s").index("k");
  const r = ix.openCursor();
  const seen = [];
  await new Promise((resolve) => {
    r.onsuccess = () => {
      const c = r.result;
      if (!c) return resolve();
      seen.push(c.primaryKey);
      if (c.primaryKey === 1) c.continuePrimaryKey("c", 5);
      else c.continue();
    };
  });
  assert_array_equals(seen, [1, 5, 6]);
}, "continuePrimaryKey(key, primaryKey) on an index");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const ix = db.transaction("s").objectStore("s").index("k");
  const r = ix.openCursor(null, "prev");
  const seen = [];
  await new Promise((resolve) => {
    r.onsuccess = () => {
      const c = r.result;
      if (!c) return resolve();
      seen.push(c.primaryKey);
      if (c.primaryKey === 6) c.continuePrimaryKey("a", 3);
      else c.continue();
    };
  });
  assert_array_equals(seen, [6, 1]);
}, "continuePrimaryKey() backwards");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const s = db.transaction("s").objectStore("s");
  const r = s.openCursor();
  const seen = [];
  await new Promise((resolve) => {
    r.onsuccess = () => {
      const c = r.result;
      if (!c) return resolve();
      seen.push(c.key);
      c.advance(2);
    };
  });
  assert_array_equals(seen, [1, 3, 5]);
  const ix = db.transaction("s").objectStore("s").index("k");
  const r2 = ix.openCursor(null, "nextunique");
  const seen2 = [];
  await new Promise((resolve) => {
    r2.onsuccess = () => {
      const c = r2.result;
      if (!c) return resolve();
      seen2.push(c.key);
      c.advance(2);
    };
  });
  assert_array_equals(seen2, ["a", "c"], "advance() on a unique cursor counts distinct keys");
}, "advance(count)");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const tx = db.transaction("s");
  const s = tx.objectStore("s");
  const c = await req(s.openCursor());
  assert_throws_js(TypeError, () => c.advance(0));
  assert_throws_js(TypeError, () => c.advance(-1));
  assert_throws_js(TypeError, () => c.advance());
  assert_throws_dom("DataError", () => c.continue(1), "not beyond the position");
  assert_throws_dom("DataError", () => c.continue(0));
  assert_throws_dom("DataError", () => c.continue({}));
  assert_throws_dom("InvalidAccessError", () => c.continuePrimaryKey(2, 2), "not an index cursor");
  c.continue();
  assert_throws_dom("InvalidStateError", () => c.continue(), "already iterating");
  assert_throws_dom("InvalidStateError", () => c.advance(1));
  await req(c.request);
  const ic = await req(s.index("k").openCursor(null, "nextunique"));
  assert_throws_dom("InvalidAccessError", () => ic.continuePrimaryKey("b", 1), "a unique direction");
  const ic2 = await req(s.index("k").openCursor());
  assert_throws_dom("DataError", () => ic2.continuePrimaryKey("a", 1), "not beyond (a, 1)");
  assert_throws_dom("DataError", () => ic2.continuePrimaryKey("0", 9), "a lower key");
  assert_throws_dom("DataError", () => ic2.continuePrimaryKey("b", NaN));
  await txDone(tx);
  assert_throws_dom("TransactionInactiveError", () => c.continue());
}, "Cursor iteration: TypeError, DataError, InvalidAccessError, InvalidStateError, TransactionInactiveError");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const tx = db.transaction("s");
  const s = tx.objectStore("s");
  const r = s.openCursor(IDBKeyRange.lowerBound(6));
  const c = await req(r);
  c.continue();
  assert_equals(await req(r), null);
  // "Iterate a cursor" sets the key to undefined when no record is found; Chromium keeps
  // the last key.
  assert_equals(c.key, undefined, "past the end the key is undefined");
  assert_equals(c.value, undefined);
  assert_throws_dom("InvalidStateError", () => c.continue(), "past the end");
}, "A cursor past its end");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const r = s.openCursor();
  await new Promise((resolve, reject) => {
    r.onsuccess = () => {
      const c = r.result;
      if (!c) return resolve();
      if (c.key % 2 === 0) {
        const u = c.update({ k: c.value.k + "!" });
        assert_equals(u.source, c, "the update request's source is the cursor");
      } else {
        c.delete();
      }
      c.continue();
    };
    r.onerror = reject;
  });
  assert_array_equals(await req(s.getAllKeys()), [2, 4, 6]);
  assert_array_equals((await req(s.getAll())).map((v) => v.k), ["b!", "a!", "c!"]);
  assert_array_equals(await req(s.index("k").getAllKeys("a!")), [4], "the index follows");
  await txDone(tx);
}, "update() and delete() through a cursor");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => {
    const s = db.createObjectStore("s", { keyPath: "id" });
    s.put({ id: 1, v: "x" });
  });
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const c = await req(s.openCursor());
  assert_throws_dom("DataError", () => c.update({ id: 2, v: "y" }), "a different key at the key path");
  assert_throws_dom("DataError", () => c.update({ v: "y" }), "no key at the key path");
  assert_throws_dom("DataCloneError", () => c.update({ id: 1, f() {} }));
  await req(c.update({ id: 1, v: "z" }));
  assert_equals((await req(s.get(1))).v, "z");
  const kc = await req(s.openKeyCursor());
  assert_throws_dom("InvalidStateError", () => kc.update({ id: 1 }), "a key cursor");
  assert_throws_dom("InvalidStateError", () => kc.delete(), "a key cursor");
  await txDone(tx);
  const ro = db.transaction("s");
  const rc = await req(ro.objectStore("s").openCursor());
  assert_throws_dom("ReadOnlyError", () => rc.update({ id: 1 }));
  assert_throws_dom("ReadOnlyError", () => rc.delete());
}, "update(): key path checks; update()/delete(): ReadOnlyError and key cursors");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const tx = db.transaction("s", "readwrite");
  const ix = tx.objectStore("s").index("k");
  const r = ix.openCursor("c");
  const c = await req(r);
  assert_equals(c.primaryKey, 3);
  await req(c.update({ k: "z" }));
  c.continue();
  const c2 = await req(r);
  assert_equals(c2.primaryKey, 5, "the cursor goes on from its position");
  await txDone(tx);
}, "An index cursor goes on after its record's index key changed");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const r = s.openCursor();
  const c = await req(r);
  await req(s.delete(2));
  await req(s.put({ k: "new" }, 1.5));
  c.continue();
  assert_equals((await req(r)).key, 1.5, "a cursor sees records added after it was opened");
  c.continue();
  assert_equals((await req(r)).key, 3, "and not ones deleted");
  await txDone(tx);
}, "A cursor sees the transaction's own changes");

promise_test(async (t) => {
  const db = await cursorDb(t);
  const tx = db.transaction("s");
  const s = tx.objectStore("s");
  const c = await req(s.openCursor());
  const k = c.key;
  c.continue();
  assert_equals(c.key, k, "the key changes only when the next result arrives");
  await req(c.request);
  assert_equals(c.key, 2);
}, "A cursor's key stays until the iteration's result is delivered");

promise_test(async (t) => {
  const db = await dbWith(t, [[[1, "a"], "x"], [new Date(3), "d"]]);
  const s = db.transaction("s").objectStore("s");
  const c = await req(s.openCursor(null, "prev"));
  assert_true(Array.isArray(c.key));
  assert_equals(c.key, c.key, "the same Array object each time");
  assert_equals(c.primaryKey, c.primaryKey);
}, "A cursor's key objects are stable");

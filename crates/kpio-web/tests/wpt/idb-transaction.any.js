// META: title=IndexedDB: IDBTransaction, requests, scheduling and events
// META: global=window,worker
// META: script=resources/idb-helpers.js
//
// Written from the Indexed Database API 3.0: sections 2.7.1 and 2.7.2 (transaction
// lifecycle: active during the task that made it and while its requests' events are
// dispatched, auto-commit, scheduling: read/write transactions with overlapping scopes
// in creation order), 4.2 (IDBRequest), 4.9 (IDBTransaction: commit(), abort(),
// objectStoreNames, error), 5.5 to 5.7 (committing and aborting: rolled-back changes,
// AbortError at pending requests, then abort) and 5.6.x ("fire a success event" and
// "fire an error event": an exception in a listener aborts; an unprevented error
// aborts; error events bubble from the request to the transaction to the database).
"use strict";

// Some subtests throw from event listeners on purpose.
setup({ allow_uncaught_exception: true });

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  assert_true(tx instanceof IDBTransaction);
  assert_equals(tx.db, db);
  assert_equals(tx.error, null);
  assert_equals(tx.mode, "readwrite");
  tx.objectStore("s").put(1, 1);
  await txDone(tx);
  assert_equals(tx.error, null);
}, "A transaction completes on its own once its requests are done");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s");
  await txDone(tx);
}, "A transaction with no requests completes");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s");
  const s = tx.objectStore("s");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert_throws_dom("TransactionInactiveError", () => s.get(1));
}, "A transaction is inactive in a later task");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"], [2, "b"]]);
  const tx = db.transaction("s");
  const s = tx.objectStore("s");
  const got = [];
  await new Promise((resolve) => {
    s.get(1).onsuccess = (e) => {
      got.push(e.target.result);
      s.get(2).onsuccess = (e2) => { got.push(e2.target.result); resolve(); };
    };
  });
  assert_array_equals(got, ["a", "b"]);
}, "A success listener may place more requests: the transaction is active then");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s");
  const s = tx.objectStore("s");
  let status = null;
  s.get(1).onsuccess = () => {
    setTimeout(() => {
      try { s.get(1); status = "active"; } catch (e) { status = e.name; }
    }, 0);
  };
  await txDone(tx);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert_equals(status, "TransactionInactiveError");
}, "A timer queued from a success listener finds the transaction inactive");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const order = [];
  const r1 = s.put("a", 1);
  const r2 = s.put("b", 2);
  const r3 = s.get(1);
  r1.onsuccess = () => order.push("put1");
  r2.onsuccess = () => order.push("put2");
  r3.onsuccess = () => order.push("get:" + r3.result);
  await txDone(tx);
  assert_array_equals(order, ["put1", "put2", "get:a"]);
}, "Requests run, and their events fire, in the order they were placed");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const order = [];
  const tx1 = db.transaction("s", "readwrite");
  const tx2 = db.transaction("s", "readwrite");
  tx2.objectStore("s").get(1).onsuccess = (e) => order.push("tx2 read " + e.target.result);
  tx1.objectStore("s").put("from tx1", 1).onsuccess = () => order.push("tx1 put");
  tx1.oncomplete = () => order.push("tx1 complete");
  await txDone(tx2);
  assert_array_equals(order, ["tx1 put", "tx1 complete", "tx2 read from tx1"]);
}, "Read/write transactions with overlapping scopes run one after the other, in creation order");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "old"]]);
  const tx1 = db.transaction("s", "readwrite");
  const tx2 = db.transaction("s", "readonly");
  tx1.objectStore("s").put("new", 1);
  const r = tx2.objectStore("s").get(1);
  await txDone(tx2);
  assert_equals(r.result, "new", "a readonly transaction made later waits for the readwrite one");
}, "A readonly transaction waits for an earlier overlapping readwrite one");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => { db.createObjectStore("a"); db.createObjectStore("b"); });
  const tx1 = db.transaction("a", "readonly");
  const tx2 = db.transaction("a", "readonly");
  const r1 = tx1.objectStore("a").count();
  const r2 = tx2.objectStore("a").count();
  await Promise.all([txDone(tx1), txDone(tx2)]);
  assert_equals(r1.result, 0);
  assert_equals(r2.result, 0);
}, "Two readonly transactions over one store both run");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "keep"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  s.put("changed", 1);
  s.put("added", 2);
  s.delete(1);
  tx.abort();
  assert_equals(tx.error, null, "abort() leaves error null");
  await txDone(tx).then(() => assert_unreached("completed"), () => {});
  const s2 = db.transaction("s").objectStore("s");
  assert_array_equals(await req(s2.getAll()), ["keep"], "every change was rolled back");
}, "abort() rolls back every change of the transaction");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const events = [];
  const r1 = s.put("a", 1);
  const r2 = s.put("b", 2);
  r1.onsuccess = () => events.push("success1");
  r1.onerror = (e) => events.push("error1:" + r1.error.name + ":" + e.bubbles + e.cancelable);
  r2.onerror = () => events.push("error2:" + r2.error.name);
  tx.onabort = (e) => events.push("abort:" + e.bubbles + ":" + (e.target === tx));
  tx.abort();
  assert_equals(r1.readyState, "pending");
  assert_throws_dom("InvalidStateError", () => tx.abort(), "a second abort()");
  assert_throws_dom("InvalidStateError", () => tx.commit());
  assert_throws_dom("InvalidStateError", () => tx.objectStore("s"), "a finished transaction");
  await nextEvent(tx, "abort");
  assert_array_equals(events, ["error1:AbortError:truetrue", "error2:AbortError", "abort:true:true"]);
  assert_equals(r1.result, undefined);
  assert_equals(r1.readyState, "done");
}, "abort(): pending requests fail with AbortError, then abort fires (and bubbles)");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const order = [];
  s.put("a", 1).onsuccess = () => order.push("put");
  tx.commit();
  assert_throws_dom("TransactionInactiveError", () => s.put("b", 2), "no requests after commit()");
  assert_throws_dom("InvalidStateError", () => tx.commit(), "commit() twice");
  tx.oncomplete = () => order.push("complete");
  await txDone(tx);
  assert_array_equals(order, ["put", "complete"]);
  assert_equals(await req(db.transaction("s").objectStore("s").get(1)), "a");
}, "commit() commits once the placed requests are done");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  await txDone(tx);
  assert_throws_dom("InvalidStateError", () => tx.commit());
  assert_throws_dom("InvalidStateError", () => tx.abort());
}, "commit() and abort() after the transaction finished: InvalidStateError");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const path = [];
  const r = s.add("dup", 1);
  const mark = (where) => (e) => path.push(`${where}:${e.eventPhase}`);
  db.addEventListener("error", mark("db-capture"), true);
  tx.addEventListener("error", mark("tx-capture"), true);
  r.addEventListener("error", mark("request"));
  tx.addEventListener("error", mark("tx"));
  db.addEventListener("error", (e) => { path.push(`db:${e.eventPhase}`); e.preventDefault(); });
  await nextEvent(r, "error");
  await txDone(tx);
  assert_array_equals(path, ["db-capture:1", "tx-capture:1", "request:2", "tx:3", "db:3"]);
}, "Error events travel database, transaction, request and back; preventDefault anywhere keeps the transaction");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  let successAtDb = false;
  db.addEventListener("success", () => { successAtDb = true; });
  let capturedAtDb = false;
  db.addEventListener("success", () => { capturedAtDb = true; }, true);
  await req(s.get(1));
  assert_false(successAtDb, "success does not bubble");
  assert_true(capturedAtDb, "but capture listeners on the path see it");
}, "Success events do not bubble");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  s.put("b", 1);
  s.get(1).onsuccess = () => { throw new Error("thrown on purpose"); };
  const after = s.put("c", 2);
  let afterError = null;
  after.onerror = () => { afterError = after.error.name; };
  await txDone(tx).then(() => assert_unreached("completed"), () => {});
  assert_equals(tx.error.name, "AbortError");
  assert_equals(afterError, "AbortError");
  assert_equals(await req(db.transaction("s").objectStore("s").get(1)), "a");
}, "An exception in a success listener aborts the transaction with AbortError");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const r = s.add("x", 1);
  r.onerror = (e) => { e.preventDefault(); throw new Error("thrown on purpose"); };
  await txDone(tx).then(() => assert_unreached("completed"), () => {});
  assert_equals(tx.error.name, "AbortError", "even a prevented error aborts when its listener throws");
}, "An exception in an error listener aborts the transaction with AbortError");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  s.add("x", 1);
  const atDb = nextEvent(db, "abort");
  const dbAbort = (await atDb).target;
  assert_equals(tx.error.name, "ConstraintError", "the request's error becomes the transaction's");
  assert_equals(dbAbort, tx, "abort bubbles to the database");
}, "An unprevented request error aborts the transaction with that error");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  let complete = 0;
  tx.oncomplete = (e) => { complete++; assert_false(e.bubbles); };
  let dbComplete = false;
  db.addEventListener("complete", () => { dbComplete = true; });
  s.put("b", 2);
  await txDone(tx);
  assert_equals(complete, 1);
  assert_false(dbComplete, "complete does not bubble");
}, "complete fires once and does not bubble");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s");
  const s = tx.objectStore("s");
  const r = s.get(1);
  await new Promise((resolve) => { r.onsuccess = resolve; });
  let active;
  await Promise.resolve();
  try { s.get(1); active = true; } catch (e) { active = e.name; }
  assert_equals(active, true, "HTML runs the microtasks a listener queued right after it");
}, "Promise reactions to a success event run while the transaction is active");

promise_test(async (t) => {
  const db = await dbWith(t, [[1, "a"]]);
  const tx = db.transaction("s");
  const r = tx.objectStore("s").get(1);
  assert_equals(r.transaction, tx);
  assert_equals(r.source, tx.objectStore("s"));
  await txDone(tx);
  assert_equals(r.transaction, tx, "a finished request keeps its transaction");
}, "IDBRequest.transaction and source");

promise_test(async (t) => {
  const db = await freshDb(t, (db) => { db.createObjectStore("a"); db.createObjectStore("b"); });
  const tx = db.transaction(["b", "a"]);
  assert_array_equals([...tx.objectStoreNames], ["a", "b"]);
  assert_throws_dom("NotFoundError", () => db.transaction("a").objectStore("b"), "outside the scope");
}, "A transaction's scope");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  for (let i = 0; i < 500; i++) s.put({ i, text: "x".repeat(i) }, i);
  await txDone(tx);
  const s2 = db.transaction("s").objectStore("s");
  assert_equals(await req(s2.count()), 500);
  assert_equals((await req(s2.get(499))).text.length, 499);
}, "Many requests in one transaction");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  let value = null;
  s.put("v", 1).onsuccess = () => {
    Promise.resolve().then(() => {
      try { s.get(1).onsuccess = (e) => { value = e.target.result; }; } catch (e) { value = e.name; }
    });
  };
  await txDone(tx);
  assert_equals(value, "v");
}, "A promise reaction queued by a success listener may place requests");

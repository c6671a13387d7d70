// META: title=IndexedDB: seeded random operations checked against a model
// META: global=window,worker
// META: script=resources/idb-helpers.js
//
// Each subtest runs a seeded random sequence of writes (put, delete of a key range,
// clear-less churn) on a store with an index, then reads (getAll/getAllKeys/count with
// ranges and directions, cursors in the four directions with continue(key), advance()
// and continuePrimaryKey()) and compares every answer with a model written from the
// specification's definitions: a store is a list of records sorted by key, an index a
// list of (index key, primary key) sorted by index key then primary key, a range
// includes a key by its bounds and openness, and a cursor in direction d moves to the
// first (next) or last (prev) entry past its position, the unique directions taking one
// entry per index key, the one with the lowest primary key. Keys are compared with
// indexedDB.cmp(), itself checked in idb-keys.any.js.
"use strict";

function rng(seed) {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s % n;
  };
}
const cmp = (a, b) => indexedDB.cmp(a, b);

// Keys drawn from a small pool, so that writes collide and index keys repeat.
function keyPool(r) {
  const pool = [];
  for (let i = 0; i < 6; i++) pool.push(i - 2, i + 0.5);
  for (const s of ["", "a", "ab", "b", "z"]) pool.push(s);
  pool.push(new Date(0), new Date(5), [1], [1, "a"], ["a"], []);
  return () => pool[r(pool.length)];
}

function inRange(range, k) {
  if (!range) return true;
  if (range.lower !== undefined) {
    const c = cmp(range.lower, k);
    if (c > 0 || (c === 0 && range.lowerOpen)) return false;
  }
  if (range.upper !== undefined) {
    const c = cmp(range.upper, k);
    if (c < 0 || (c === 0 && range.upperOpen)) return false;
  }
  return true;
}

function randomRange(r, key) {
  switch (r(5)) {
    case 0: return null;
    case 1: return IDBKeyRange.lowerBound(key(), r(2) === 0);
    case 2: return IDBKeyRange.upperBound(key(), r(2) === 0);
    case 3: {
      let a = key(), b = key();
      if (cmp(a, b) > 0) [a, b] = [b, a];
      const open = cmp(a, b) !== 0;
      return IDBKeyRange.bound(a, b, open && r(2) === 0, open && r(2) === 0);
    }
    default: return IDBKeyRange.only(key());
  }
}

class Model {
  constructor() { this.records = []; }
  put(k, v) {
    const i = this.records.findIndex(([x]) => cmp(x, k) >= 0);
    if (i >= 0 && cmp(this.records[i][0], k) === 0) this.records[i] = [k, v];
    else if (i >= 0) this.records.splice(i, 0, [k, v]);
    else this.records.push([k, v]);
  }
  delete(range) { this.records = this.records.filter(([k]) => !inRange(range, k)); }
  // The index "k" on value.k: [indexKey, primaryKey, value], sorted.
  index() {
    const out = [];
    for (const [pk, v] of this.records) if (v.k !== undefined) out.push([v.k, pk, v]);
    return out.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  }
  // Entries of the store or the index in range, in direction `dir`.
  walk(source, range, dir) {
    let list = source === "store" ? this.records.map(([k, v]) => [k, k, v]) : this.index();
    list = list.filter(([k]) => inRange(range, k));
    if (dir.endsWith("unique")) list = list.filter((e, i) => i === 0 || cmp(list[i - 1][0], e[0]) !== 0);
    if (dir.startsWith("prev")) list.reverse();
    return list;
  }
}

const show = (k) => (k instanceof Date ? `Date(${k.getTime()})` : JSON.stringify(k));

async function scenario(t, seed) {
  const r = rng(seed);
  const key = keyPool(r);
  const db = await freshDb(t, (db) => db.createObjectStore("s").createIndex("k", "k"));
  const model = new Model();
  // Writes, over a few transactions.
  for (let round = 0; round < 3; round++) {
    const tx = db.transaction("s", "readwrite");
    const s = tx.objectStore("s");
    for (let i = 0; i < 25; i++) {
      if (r(6) === 0) {
        const range = randomRange(r, key);
        if (range === null) continue;
        s.delete(range);
        model.delete(range);
      } else {
        const k = key();
        const v = r(4) === 0 ? { n: i } : { k: key(), n: i };
        s.put(v, k);
        model.put(k, v);
      }
    }
    await txDone(tx);
  }
  const tx = db.transaction("s");
  const s = tx.objectStore("s");
  const ix = s.index("k");
  for (let q = 0; q < 12; q++) {
    const range = randomRange(r, key);
    const dir = ["next", "nextunique", "prev", "prevunique"][r(4)];
    const source = r(2) === 0 ? "store" : "index";
    const target = source === "store" ? s : ix;
    const want = model.walk(source, range, dir);
    const what = `${source} ${dir} ${range ? `[${show(range.lower)}, ${show(range.upper)}] ${range.lowerOpen}/${range.upperOpen}` : "all"}`;
    // Reads with a range.
    const count = await req(target.count(range));
    assert_equals(count, model.walk(source, range, "next").length, `count ${what}`);
    const keys = await req(target.getAllKeys(range));
    assert_equals(keys.length, model.walk(source, range, "next").length, `getAllKeys ${what}`);
    model.walk(source, range, "next").forEach(([, pk], i) => assert_equals(cmp(keys[i], pk), 0, `getAllKeys ${what} #${i}`));
    const recs = await req(target.getAllRecords({ query: range, direction: dir, count: 5 }));
    assert_equals(recs.length, Math.min(5, want.length), `getAllRecords ${what}`);
    recs.forEach((rec, i) => {
      assert_equals(cmp(rec.key, want[i][0]), 0, `getAllRecords key ${what} #${i}`);
      assert_equals(cmp(rec.primaryKey, want[i][1]), 0, `getAllRecords primaryKey ${what} #${i}`);
      assert_equals(rec.value.n, want[i][2].n, `getAllRecords value ${what} #${i}`);
    });
    // A cursor walk with random jumps, followed in the model.
    const request = target.openCursor(range, dir);
    const forward = dir.startsWith("next");
    let pos = -1;
    await new Promise((resolve, reject) => {
      let steps = 0;
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const c = request.result;
        try {
          if (pos >= want.length) {
            assert_equals(c, null, `cursor ${what}: past the end`);
            return resolve();
          }
          if (pos === -1) pos = 0;
          if (want.length === 0) {
            assert_equals(c, null, `cursor ${what}: empty`);
            return resolve();
          }
          assert_not_equals(c, null, `cursor ${what} at ${pos}`);
          assert_equals(cmp(c.key, want[pos][0]), 0, `cursor ${what} key at ${pos}`);
          assert_equals(cmp(c.primaryKey, want[pos][1]), 0, `cursor ${what} primaryKey at ${pos}`);
          assert_equals(c.value.n, want[pos][2].n, `cursor ${what} value at ${pos}`);
          if (++steps > 40) return resolve();
          const move = r(4);
          if (move === 0) {
            const n = 1 + r(3);
            c.advance(n);
            pos += n;
          } else if (move === 1) {
            // continue(key) to a key past the position, when the pool has one.
            const k = key();
            const c2 = cmp(k, c.key);
            if (forward ? c2 > 0 : c2 < 0) {
              c.continue(k);
              let p = pos + 1;
              while (p < want.length && (forward ? cmp(want[p][0], k) < 0 : cmp(want[p][0], k) > 0)) p++;
              pos = p;
            } else {
              c.continue();
              pos++;
            }
          } else if (move === 2 && source === "index" && (dir === "next" || dir === "prev") && pos + 1 < want.length) {
            // continuePrimaryKey to exactly a later entry.
            const j = pos + 1 + r(want.length - pos - 1);
            c.continuePrimaryKey(want[j][0], want[j][1]);
            pos = j;
          } else {
            c.continue();
            pos++;
          }
        } catch (e) {
          reject(e);
        }
      };
    });
  }
  await txDone(tx);
}

for (let seed = 1; seed <= 20; seed++) {
  promise_test((t) => scenario(t, seed * 7919), `Random operations against the model, seed ${seed}`);
}

// META: title=IndexedDB: keys, their order, IDBKeyRange and IDBFactory.cmp()
// META: global=window,worker
// META: script=resources/idb-helpers.js
//
// Written from the Indexed Database API 3.0: section 2.7 (keys: "convert a value to a
// key", "compare two keys": number < date < string < binary < array, each ordered by
// value, code unit, byte, then item), 4.6 (IDBKeyRange and its static constructors,
// "convert a value to a key range") and 4.1 (IDBFactory.cmp()).
"use strict";

// Keys in ascending order, one of each kind and the edges of each kind.
const ordered = [
  ["-Infinity", -Infinity],
  ["-Number.MAX_VALUE", -Number.MAX_VALUE],
  ["-1", -1],
  ["-Number.MIN_VALUE", -Number.MIN_VALUE],
  ["0", 0],
  ["Number.MIN_VALUE", Number.MIN_VALUE],
  ["1", 1],
  ["1.5", 1.5],
  ["Number.MAX_VALUE", Number.MAX_VALUE],
  ["Infinity", Infinity],
  ["Date(-1e15)", new Date(-1e15)],
  ["Date(0)", new Date(0)],
  ["Date(1e15)", new Date(1e15)],
  ["''", ""],
  ["'\\0'", "\0"],
  ["'A'", "A"],
  ["'a'", "a"],
  ["'aa'", "aa"],
  ["'b'", "b"],
  ["'\\uD800' (lone surrogate)", "\uD800"],
  ["'\\uD83D\\uDE00'", "\uD83D\uDE00"],
  ["'\\uFFFF'", "\uFFFF"],
  ["empty ArrayBuffer", new ArrayBuffer(0)],
  ["Uint8Array [0]", new Uint8Array([0])],
  ["Uint8Array [0, 0]", new Uint8Array([0, 0])],
  ["Uint8Array [1]", new Uint8Array([1])],
  ["Uint8Array [255]", new Uint8Array([255])],
  ["Uint8Array [255, 0]", new Uint8Array([255, 0])],
  ["[]", []],
  ["[-Infinity]", [-Infinity]],
  ["[0]", [0]],
  ["[0, 0]", [0, 0]],
  ["[0, []]", [0, []]],
  ["[1]", [1]],
  ["[Date(0)]", [new Date(0)]],
  ["['']", [""]],
  ["['a', 1]", ["a", 1]],
  ["[ArrayBuffer]", [new ArrayBuffer(1)]],
  ["[[]]", [[]]],
  ["[[[]]]", [[[]]]],
];

for (let i = 0; i + 1 < ordered.length; i++) {
  const [an, a] = ordered[i];
  const [bn, b] = ordered[i + 1];
  test(() => {
    assert_equals(indexedDB.cmp(a, b), -1, `cmp(${an}, ${bn})`);
    assert_equals(indexedDB.cmp(b, a), 1, `cmp(${bn}, ${an})`);
  }, `cmp: ${an} sorts before ${bn}`);
}

test(() => {
  for (const [n, k] of ordered) assert_equals(indexedDB.cmp(k, k), 0, n);
}, "cmp: every key equals itself");

test(() => {
  assert_equals(indexedDB.cmp(-0, 0), 0);
  assert_equals(indexedDB.cmp(new Date(5), new Date(5)), 0);
  assert_equals(indexedDB.cmp(new Uint8Array([1, 2]), new Uint8Array([1, 2]).buffer), 0);
  assert_equals(indexedDB.cmp(new DataView(new Uint8Array([1, 2]).buffer), new Int8Array([1, 2])), 0);
  assert_equals(indexedDB.cmp([1, "a", [new Date(3)]], [1, "a", [new Date(3)]]), 0);
}, "cmp: equal keys of every kind, buffers compared by their bytes whatever the view");

test(() => {
  assert_equals(indexedDB.cmp(new Uint16Array([0x0100]), new Uint8Array([0x00, 0x01])), 0,
    "a Uint16Array's bytes in memory order (little-endian)");
}, "cmp: a typed array key is its bytes");

const invalid = [
  ["NaN", NaN],
  ["undefined", undefined],
  ["null", null],
  ["true", true],
  ["a plain object", {}],
  ["a function", function () {}],
  ["a Symbol", Symbol("k")],
  ["a bigint", 1n],
  ["an invalid Date", new Date(NaN)],
  ["an array holding NaN", [1, NaN]],
  ["an array holding undefined", [undefined]],
  ["an array holding an object", [{}]],
  ["a sparse array", [1, , 3]],
  ["a Map", new Map()],
  ["a Number object", new Number(1)],
  ["a String object", new String("a")],
  ["a RegExp", /a/],
];
for (const [name, value] of invalid) {
  test(() => {
    assert_throws_dom("DataError", () => indexedDB.cmp(value, 1));
    assert_throws_dom("DataError", () => indexedDB.cmp(1, value));
  }, `cmp: ${name} is not a valid key (DataError)`);
}

test(() => {
  const a = [1];
  a.push(a);
  assert_throws_dom("DataError", () => indexedDB.cmp(a, 1));
}, "cmp: an array that holds itself is not a valid key");

// "Convert a value to a key" passes one `seen` set down the whole conversion and never
// removes from it. Chromium keeps a stack instead and accepts this key.
test(() => {
  const inner = [1];
  assert_throws_dom("DataError", () => indexedDB.cmp([inner, inner], 1));
  assert_equals(indexedDB.cmp([[1], [1]], [[1], [1]]), 0, "equal but distinct arrays are fine");
}, "cmp: the same array object twice is not a valid key (the 'seen' set keeps every array met)");

test(() => {
  const a = [1, 2];
  Object.defineProperty(a, 1, { get() { throw new RangeError("getter"); } });
  assert_throws_js(RangeError, () => indexedDB.cmp(a, 1));
}, "cmp: an exception from an array item's getter is rethrown");

test(() => {
  const b = new ArrayBuffer(4);
  const view = new Uint8Array(b);
  structuredClone(b, { transfer: [b] });
  assert_throws_dom("DataError", () => indexedDB.cmp(b, 1));
  assert_throws_dom("DataError", () => indexedDB.cmp(view, 1));
}, "cmp: a detached buffer is not a valid key");

test(() => {
  assert_throws_js(TypeError, () => indexedDB.cmp(1));
  assert_throws_js(TypeError, () => indexedDB.cmp());
}, "cmp: both arguments are required");

test(() => {
  const a = [1, 2];
  a.extra = "ignored";
  assert_equals(indexedDB.cmp(a, [1, 2]), 0);
}, "cmp: an array's non-index properties are not part of its key");

// IDBKeyRange -------------------------------------------------------------------------

test(() => {
  const r = IDBKeyRange.only(3);
  assert_equals(r.lower, 3);
  assert_equals(r.upper, 3);
  assert_false(r.lowerOpen);
  assert_false(r.upperOpen);
}, "IDBKeyRange.only");

test(() => {
  const r = IDBKeyRange.lowerBound("a");
  assert_equals(r.lower, "a");
  assert_equals(r.upper, undefined);
  assert_false(r.lowerOpen);
  assert_true(r.upperOpen);
  assert_true(IDBKeyRange.lowerBound("a", true).lowerOpen);
}, "IDBKeyRange.lowerBound: no upper bound, upperOpen true");

test(() => {
  const r = IDBKeyRange.upperBound(5, true);
  assert_equals(r.lower, undefined);
  assert_equals(r.upper, 5);
  assert_true(r.lowerOpen);
  assert_true(r.upperOpen);
  assert_false(IDBKeyRange.upperBound(5).upperOpen);
}, "IDBKeyRange.upperBound: no lower bound, lowerOpen true");

test(() => {
  const r = IDBKeyRange.bound(1, 9, true, false);
  assert_equals(r.lower, 1);
  assert_equals(r.upper, 9);
  assert_true(r.lowerOpen);
  assert_false(r.upperOpen);
  const s = IDBKeyRange.bound(4, 4);
  assert_equals(s.lower, 4);
  assert_equals(s.upper, 4);
}, "IDBKeyRange.bound");

test(() => {
  assert_throws_dom("DataError", () => IDBKeyRange.bound(2, 1));
  assert_throws_dom("DataError", () => IDBKeyRange.bound("a", 1));
  assert_throws_dom("DataError", () => IDBKeyRange.bound(1, 1, true, false));
  assert_throws_dom("DataError", () => IDBKeyRange.bound(1, 1, false, true));
}, "IDBKeyRange.bound: lower above upper, or equal with an open bound, is a DataError");

test(() => {
  assert_throws_dom("DataError", () => IDBKeyRange.only(NaN));
  assert_throws_dom("DataError", () => IDBKeyRange.only(undefined));
  assert_throws_dom("DataError", () => IDBKeyRange.lowerBound({}));
  assert_throws_dom("DataError", () => IDBKeyRange.upperBound(null));
  assert_throws_dom("DataError", () => IDBKeyRange.bound(1, NaN));
}, "IDBKeyRange: an invalid key is a DataError");

test(() => {
  assert_throws_js(TypeError, () => IDBKeyRange.only());
  assert_throws_js(TypeError, () => IDBKeyRange.bound(1));
  assert_throws_js(TypeError, () => new IDBKeyRange());
}, "IDBKeyRange: required arguments, and no constructor");

test(() => {
  const r = IDBKeyRange.bound(1, 10, true, true);
  assert_false(r.includes(1));
  assert_true(r.includes(1.5));
  assert_true(r.includes(9));
  assert_false(r.includes(10));
  assert_false(r.includes("a"));
  assert_true(IDBKeyRange.bound(1, 10).includes(10));
  assert_true(IDBKeyRange.lowerBound(0).includes([]));
  assert_false(IDBKeyRange.upperBound("b").includes("ba"));
  assert_true(IDBKeyRange.only(new Date(7)).includes(new Date(7)));
  assert_throws_dom("DataError", () => r.includes(NaN));
  assert_throws_js(TypeError, () => r.includes());
}, "IDBKeyRange.includes");

test(() => {
  const d = new Date(42);
  const r = IDBKeyRange.only(d);
  assert_true(r.lower instanceof Date);
  assert_not_equals(r.lower, d, "a new Date, not the argument");
  assert_equals(r.lower.getTime(), 42);
  const b = IDBKeyRange.only(new Uint8Array([1, 2]));
  assert_true(b.lower instanceof ArrayBuffer, "binary keys come back as ArrayBuffer");
  assert_array_equals(new Uint8Array(b.lower), [1, 2]);
  const a = IDBKeyRange.only([1, ["x"]]);
  assert_true(Array.isArray(a.upper));
  assert_equals(a.upper[1][0], "x");
}, "IDBKeyRange: bounds convert back to values (Date, ArrayBuffer, Array)");

test(() => {
  const proto = IDBKeyRange.prototype;
  for (const name of ["lower", "upper", "lowerOpen", "upperOpen"]) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    assert_equals(typeof d.get, "function", name);
    assert_throws_js(TypeError, () => d.get.call({}), name);
  }
  assert_equals(Object.prototype.toString.call(IDBKeyRange.only(1)), "[object IDBKeyRange]");
}, "IDBKeyRange: its attributes are getters on the prototype, checking their receiver");

// Keys through a store: what comes back -------------------------------------------------

promise_test(async (t) => {
  const keys = ordered.map(([, k]) => k);
  const shuffled = keys.slice().reverse();
  const db = await dbWith(t, shuffled.map((k, i) => [k, i]));
  const tx = db.transaction("s");
  const got = await req(tx.objectStore("s").getAllKeys());
  assert_equals(got.length, keys.length);
  for (let i = 0; i < keys.length; i++) {
    assert_equals(indexedDB.cmp(got[i], keys[i]), 0, `key ${i} (${ordered[i][0]})`);
  }
}, "A store returns its keys in the specification's order");

promise_test(async (t) => {
  const db = await dbWith(t, [[-0, "zero"]]);
  const tx = db.transaction("s");
  const s = tx.objectStore("s");
  assert_equals(await req(s.get(0)), "zero");
  assert_equals(await req(s.count()), 1);
}, "-0 and 0 are the same key");

promise_test(async (t) => {
  const db = await dbWith(t, [[new Uint8Array([1, 2, 3]), "v"], [new Date(5), "d"], [["a", [1]], "arr"]]);
  const s = db.transaction("s").objectStore("s");
  const keys = await req(s.getAllKeys());
  assert_true(keys[0] instanceof Date);
  assert_equals(keys[0].getTime(), 5);
  assert_true(keys[1] instanceof ArrayBuffer);
  assert_array_equals(new Uint8Array(keys[1]), [1, 2, 3]);
  assert_true(Array.isArray(keys[2]));
  assert_equals(keys[2][0], "a");
  assert_equals(await req(s.get(new Int8Array([1, 2, 3]))), "v", "any view of the same bytes finds it");
  assert_equals(await req(s.get(["a", [1]])), "arr");
}, "Date, binary and array keys come back as Date, ArrayBuffer and Array");

promise_test(async (t) => {
  const s1 = "\uD800x", s2 = "x\uDC00", s3 = "\uDBFF\uDFFF";
  const db = await dbWith(t, [[s1, 1], [s2, 2], [s3, 3]]);
  const s = db.transaction("s").objectStore("s");
  assert_array_equals(await req(s.getAllKeys()), [s2, s1, s3]);
  assert_equals(await req(s.get(s1)), 1);
}, "Strings with lone surrogates are keys, ordered by code unit");

promise_test(async (t) => {
  const long = "k".repeat(100000);
  const db = await dbWith(t, [[long, "long"], [[long, long], "pair"]]);
  const s = db.transaction("s").objectStore("s");
  assert_equals(await req(s.get(long)), "long");
  assert_equals(await req(s.get([long, long])), "pair");
}, "Long string keys, alone and in arrays");

// META: title=IndexedDB: stored values (StructuredSerializeForStorage)
// META: global=window,worker
// META: script=resources/idb-helpers.js
//
// Written from HTML's "StructuredSerializeInternal" and "StructuredDeserialize" (the
// kinds of values that serialise, own enumerable properties, holes, the memory that
// keeps shared references and cycles, DataCloneError for the rest), as IndexedDB's
// "store a record" uses them (StructuredSerializeForStorage), and the Indexed Database
// API 3.0's requirement that a value read back is a new copy.
"use strict";

// Stores `value` and reads it back in a later transaction.
async function roundTrip(t, value) {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  tx.objectStore("s").put(value, 1);
  await txDone(tx);
  return req(db.transaction("s").objectStore("s").get(1));
}

const primitives = [
  ["undefined", undefined], ["null", null], ["true", true], ["false", false],
  ["0", 0], ["-0", -0], ["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity],
  ["1.5e300", 1.5e300], ["5e-324", 5e-324],
  ["a bigint", 12345678901234567890123456789n], ["a negative bigint", -5n],
  ["the empty string", ""], ["a string", "héllo wörld ∂"], ["a lone surrogate", "a\uD800b"],
  ["a long string", "abc".repeat(50000)], ["a long string with a lone surrogate", "x".repeat(100) + "\uDC00"],
];
for (const [name, value] of primitives) {
  promise_test(async (t) => {
    const got = await roundTrip(t, value);
    if (typeof value === "number" && value !== value) assert_true(Number.isNaN(got));
    else assert_equals(got, value);
    if (Object.is(value, -0)) assert_true(Object.is(got, -0), "-0 keeps its sign");
  }, `Primitive: ${name}`);
}

promise_test(async (t) => {
  const got = await roundTrip(t, [new Boolean(false), new Number(-0), new String("s"), Object(7n)]);
  assert_equals(Object.prototype.toString.call(got[0]), "[object Boolean]");
  assert_equals(got[0].valueOf(), false);
  assert_true(Object.is(got[1].valueOf(), -0));
  assert_equals(got[2].valueOf(), "s");
  assert_equals(typeof got[3], "object");
  assert_equals(got[3].valueOf(), 7n);
}, "Boolean, Number, String and BigInt objects");

promise_test(async (t) => {
  const got = await roundTrip(t, { d: new Date(123456), bad: new Date(NaN), re: /a+b/gi });
  assert_true(got.d instanceof Date);
  assert_equals(got.d.getTime(), 123456);
  assert_true(Number.isNaN(got.bad.getTime()));
  assert_true(got.re instanceof RegExp);
  assert_equals(got.re.source, "a+b");
  assert_equals(got.re.flags, "gi");
  assert_equals(got.re.lastIndex, 0);
}, "Date (also invalid) and RegExp");

promise_test(async (t) => {
  const buffer = new ArrayBuffer(16);
  const bytes = new Uint8Array(buffer);
  bytes.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const value = {
    buffer,
    u8: new Uint8Array(buffer, 4, 4),
    f64: new Float64Array([1.5, -2]),
    i16: new Int16Array([-1, 300]),
    big: new BigInt64Array([-3n]),
    clamped: new Uint8ClampedArray([255]),
    view: new DataView(buffer, 2, 6),
  };
  const got = await roundTrip(t, value);
  assert_true(got.buffer instanceof ArrayBuffer);
  assert_array_equals(new Uint8Array(got.buffer), bytes);
  assert_true(got.u8 instanceof Uint8Array);
  assert_equals(got.u8.buffer, got.buffer, "a view keeps sharing its buffer");
  assert_equals(got.u8.byteOffset, 4);
  assert_array_equals(got.u8, [5, 6, 7, 8]);
  assert_array_equals(got.f64, [1.5, -2]);
  assert_array_equals(got.i16, [-1, 300]);
  assert_equals(got.big[0], -3n);
  assert_true(got.clamped instanceof Uint8ClampedArray);
  assert_true(got.view instanceof DataView);
  assert_equals(got.view.buffer, got.buffer);
  assert_equals(got.view.byteOffset, 2);
  assert_equals(got.view.byteLength, 6);
}, "ArrayBuffer, typed arrays and DataView, views sharing their buffer");

promise_test(async (t) => {
  const key = { k: 1 };
  const m = new Map([[key, "v"], ["s", key], [NaN, [1]]]);
  const s = new Set([1, "a", key]);
  const got = await roundTrip(t, { m, s });
  assert_true(got.m instanceof Map);
  assert_equals(got.m.size, 3);
  const [[k0, v0], [k1, v1], [k2, v2]] = [...got.m];
  assert_equals(k0.k, 1);
  assert_equals(v0, "v");
  assert_equals(k1, "s");
  assert_equals(v1, k0, "a shared object stays shared across the map");
  assert_true(Number.isNaN(k2));
  assert_array_equals(v2, [1]);
  assert_true(got.s instanceof Set);
  assert_array_equals([...got.s].slice(0, 2), [1, "a"]);
  assert_equals([...got.s][2], k0);
}, "Map and Set, in insertion order, with shared members");

promise_test(async (t) => {
  const errors = [new Error("e"), new TypeError("t"), new RangeError("r"), new SyntaxError("s"),
    new ReferenceError("f"), new EvalError("v"), new URIError("u")];
  const got = await roundTrip(t, errors);
  for (let i = 0; i < errors.length; i++) {
    assert_equals(Object.getPrototypeOf(got[i]), Object.getPrototypeOf(errors[i]), errors[i].name);
    assert_equals(got[i].message, errors[i].message);
  }
  const custom = new Error("c");
  custom.name = "Custom";
  const noMessage = new TypeError();
  const [c, n] = await roundTrip(t, [custom, noMessage]);
  assert_equals(c.name, "Error", "an unknown name becomes Error");
  assert_false(Object.prototype.hasOwnProperty.call(n, "message"), "no message stays no message");
}, "Error objects");

promise_test(async (t) => {
  const a = [1, , 3];
  a.length = 5;
  a.extra = "prop";
  const got = await roundTrip(t, a);
  assert_true(Array.isArray(got));
  assert_equals(got.length, 5);
  assert_false(1 in got, "a hole stays a hole");
  assert_false(4 in got);
  assert_equals(got[2], 3);
  assert_equals(got.extra, "prop", "non-index properties are kept");
}, "Arrays with holes, a longer length and extra properties");

promise_test(async (t) => {
  const o = { a: 1, b: { c: [1, 2] } };
  o.self = o;
  o.b.back = o.b;
  const shared = { s: 1 };
  o.x = shared;
  o.y = shared;
  const got = await roundTrip(t, o);
  assert_equals(got.self, got, "a cycle");
  assert_equals(got.b.back, got.b);
  assert_equals(got.x, got.y, "a shared reference");
  assert_not_equals(got.x, shared, "a copy");
  assert_array_equals(got.b.c, [1, 2]);
}, "Cycles and shared references");

promise_test(async (t) => {
  class Point { constructor() { this.x = 1; } get y() { return 2; } }
  const p = new Point();
  Object.defineProperty(p, "hidden", { value: 3, enumerable: false });
  const sym = Symbol("s");
  p[sym] = 4;
  const got = await roundTrip(t, p);
  assert_equals(Object.getPrototypeOf(got), Object.prototype, "the prototype is not kept");
  assert_equals(got.x, 1);
  assert_false("y" in got, "accessors on the prototype are not own properties");
  assert_false("hidden" in got, "non-enumerable properties are left out");
  assert_equals(Object.getOwnPropertySymbols(got).length, 0, "symbol keys are left out");
}, "Objects: own enumerable string-keyed properties only, prototype not kept");

promise_test(async (t) => {
  const got = await roundTrip(t, { get g() { return "computed"; }, ["__proto__"]: 5 });
  assert_equals(Object.getOwnPropertyDescriptor(got, "g").value, "computed", "a getter's value becomes data");
}, "Getters are read once into data properties");

const uncloneable = [
  ["a function", () => 1],
  ["a Symbol", Symbol("x")],
  ["an object holding a function", { f() {} }],
  ["a WeakMap", new WeakMap()],
  ["a WeakSet", new WeakSet()],
  ["a Promise", Promise.resolve()],
  ["a Proxy", new Proxy({}, {})],
  ["an IDBKeyRange", IDBKeyRange.only(1)],
  ["a platform object (EventTarget)", new EventTarget()],
];
for (const [name, value] of uncloneable) {
  promise_test(async (t) => {
    const db = await dbWith(t, []);
    const tx = db.transaction("s", "readwrite");
    assert_throws_dom("DataCloneError", () => tx.objectStore("s").put(value, 1));
    await txDone(tx);
  }, `DataCloneError: ${name}`);
}

promise_test(async (t) => {
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] });
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  assert_throws_dom("DataCloneError", () => tx.objectStore("s").put(b, 1));
}, "DataCloneError: a detached ArrayBuffer");

promise_test(async (t) => {
  const db = await dbWith(t, []);
  const tx = db.transaction("s", "readwrite");
  const s = tx.objectStore("s");
  const value = { list: [1, 2] };
  s.put(value, 1);
  value.list.push(3);
  const a = await req(s.get(1));
  const b = await req(s.get(1));
  assert_array_equals(a.list, [1, 2], "the value as it was when put() was called");
  assert_not_equals(a, b, "each read is a new copy");
  a.list.push(9);
  assert_array_equals((await req(s.get(1))).list, [1, 2]);
}, "Values are copied at put() and at every read");

promise_test(async (t) => {
  const big = new Uint8Array(4 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 255;
  const got = await roundTrip(t, { big });
  assert_equals(got.big.length, big.length);
  assert_equals(got.big[4096 * 7], (4096 * 7) & 255);
}, "A 4 MiB value");

promise_test(async (t) => {
  const e = new DOMException("message", "NotFoundError");
  const got = await roundTrip(t, e);
  assert_true(got instanceof DOMException);
  assert_equals(got.name, "NotFoundError");
  assert_equals(got.message, "message");
}, "A DOMException (a serializable platform object)");

promise_test(async (t) => {
  let deep = [];
  const root = deep;
  for (let i = 0; i < 200; i++) { const next = []; deep.push(next); deep = next; }
  deep.push("bottom");
  let got = await roundTrip(t, root);
  for (let i = 0; i < 200; i++) got = got[0];
  assert_equals(got[0], "bottom");
}, "Nested arrays 200 deep");

// META: global=window,worker
// META: title=structuredClone()
//
// Written from the HTML Standard, "Safe passing of structured data"
// (StructuredSerializeInternal / StructuredDeserialize, transfer) and the
// structuredClone() method of WindowOrWorkerGlobalScope.
"use strict";

function assertSameValue(actual, expected, description) {
  assert_true(Object.is(actual, expected),
    `${description || ""} expected ${String(expected)} but got ${String(actual)}`);
}

// ---------------------------------------------------------------------------
// The method itself
// ---------------------------------------------------------------------------

test(() => {
  assert_equals(typeof structuredClone, "function");
  assert_throws_js(TypeError, () => structuredClone());
}, "structuredClone requires one argument");

test(() => {
  assert_equals(structuredClone.length, 1);
}, "structuredClone.length is 1 (one required argument)");

test(() => {
  assert_equals(structuredClone(undefined), undefined);
  assert_equals(structuredClone(1, undefined), 1);
  assert_equals(structuredClone(1, {}), 1);
  assert_equals(structuredClone(1, { transfer: [] }), 1);
}, "structuredClone(undefined) and an empty options dictionary");

// ---------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------

test(() => {
  for (const v of [undefined, null, true, false, 0, 1, -1, 1.5, 2 ** 53, Infinity,
                   -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, "", "abc"]) {
    assertSameValue(structuredClone(v), v, String(v));
  }
}, "Primitive values are cloned as they are");

test(() => {
  assertSameValue(structuredClone(-0), -0, "-0");
  assertSameValue(structuredClone(NaN), NaN, "NaN");
}, "-0 and NaN are preserved");

test(() => {
  for (const v of [0n, 1n, -1n, 2n ** 64n, -(2n ** 100n)]) {
    assert_equals(structuredClone(v), v);
  }
}, "BigInt values are preserved");

test(() => {
  for (const s of ["\uD800", "a\uDC00b", "\u{1F600}", "\u0000", "nul\u0000in"]) {
    assert_equals(structuredClone(s), s);
  }
}, "Strings are preserved exactly, including lone surrogates and NUL");

test(() => {
  assert_throws_dom("DataCloneError", () => structuredClone(Symbol("s")));
  assert_throws_dom("DataCloneError", () => structuredClone(Symbol.iterator));
}, "Symbols cannot be cloned (DataCloneError)");

// ---------------------------------------------------------------------------
// Wrapper objects
// ---------------------------------------------------------------------------

test(() => {
  for (const v of [true, false]) {
    const original = new Boolean(v);
    const clone = structuredClone(original);
    assert_not_equals(clone, original);
    assert_equals(typeof clone, "object");
    assert_equals(Object.getPrototypeOf(clone), Boolean.prototype);
    assert_equals(clone.valueOf(), v);
  }
}, "Boolean objects");

test(() => {
  for (const v of [0, -0, NaN, 42.5, -Infinity]) {
    const clone = structuredClone(new Number(v));
    assert_equals(typeof clone, "object");
    assert_equals(Object.getPrototypeOf(clone), Number.prototype);
    assertSameValue(clone.valueOf(), v, String(v));
  }
}, "Number objects (including -0 and NaN)");

test(() => {
  const original = new String("wrapped \uD800");
  const clone = structuredClone(original);
  assert_equals(typeof clone, "object");
  assert_equals(Object.getPrototypeOf(clone), String.prototype);
  assert_equals(clone.valueOf(), "wrapped \uD800");
  assert_equals(clone.length, 9);
}, "String objects");

test(() => {
  const clone = structuredClone(Object(123n));
  assert_equals(typeof clone, "object");
  assert_equals(Object.getPrototypeOf(clone), BigInt.prototype);
  assert_equals(clone.valueOf(), 123n);
}, "BigInt objects");

test(() => {
  assert_throws_dom("DataCloneError", () => structuredClone(Object(Symbol("s"))));
}, "Symbol objects cannot be cloned (DataCloneError)");

test(() => {
  const original = new String("abc");
  original.extra = 1;
  const clone = structuredClone(original);
  assert_false("extra" in clone);
}, "Extra properties of wrapper objects are not cloned");

// ---------------------------------------------------------------------------
// Date and RegExp
// ---------------------------------------------------------------------------

test(() => {
  const original = new Date(Date.UTC(2020, 1, 29, 12, 34, 56, 789));
  const clone = structuredClone(original);
  assert_not_equals(clone, original);
  assert_true(clone instanceof Date);
  assert_equals(clone.getTime(), original.getTime());
}, "Date objects keep their time value");

test(() => {
  const clone = structuredClone(new Date(NaN));
  assert_true(clone instanceof Date);
  assertSameValue(clone.getTime(), NaN);
}, "An invalid Date stays invalid");

test(() => {
  const clone = structuredClone(new Date(-8.64e15));
  assert_equals(clone.getTime(), -8.64e15);
}, "The extreme Date value is kept");

test(() => {
  const original = /a+[b-d]\//gimsuy;
  const clone = structuredClone(original);
  assert_not_equals(clone, original);
  assert_true(clone instanceof RegExp);
  assert_equals(clone.source, original.source);
  assert_equals(clone.flags, original.flags);
}, "RegExp objects keep source and flags");

test(() => {
  const original = /x/g;
  original.lastIndex = 5;
  original.extra = "no";
  const clone = structuredClone(original);
  assert_equals(clone.lastIndex, 0, "lastIndex reset");
  assert_false("extra" in clone, "extra properties dropped");
}, "RegExp lastIndex is reset to 0 and other properties are dropped");

test(() => {
  const clone = structuredClone(new RegExp("\\u{1F600}", "u"));
  assert_true(clone.test("\u{1F600}"));
  assert_true(clone.unicode);
}, "A cloned RegExp works like the original");

// ---------------------------------------------------------------------------
// ArrayBuffer, typed arrays and DataView
// ---------------------------------------------------------------------------

test(() => {
  const original = new Uint8Array([1, 2, 3, 4]).buffer;
  const clone = structuredClone(original);
  assert_not_equals(clone, original);
  assert_true(clone instanceof ArrayBuffer);
  assert_equals(clone.byteLength, 4);
  assert_array_equals(new Uint8Array(clone), [1, 2, 3, 4]);
  new Uint8Array(original)[0] = 99;
  assert_equals(new Uint8Array(clone)[0], 1, "the clone is a copy");
  assert_equals(original.byteLength, 4, "the original is untouched");
}, "ArrayBuffer is copied, not shared");

test(() => {
  const clone = structuredClone(new ArrayBuffer(0));
  assert_true(clone instanceof ArrayBuffer);
  assert_equals(clone.byteLength, 0);
}, "Empty ArrayBuffer");

test(() => {
  const original = new ArrayBuffer(4, { maxByteLength: 16 });
  const clone = structuredClone(original);
  assert_true(clone.resizable, "resizable");
  assert_equals(clone.maxByteLength, 16);
  assert_equals(clone.byteLength, 4);
}, "A resizable ArrayBuffer stays resizable with the same maxByteLength");

const TYPED_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
                      Int32Array, Uint32Array, Float32Array, Float64Array,
                      BigInt64Array, BigUint64Array];
for (const Ctor of TYPED_ARRAYS) {
  test(() => {
    const big = Ctor.name.startsWith("Big");
    const values = big ? [1n, 2n, 3n] : [1, 2, 3];
    const original = new Ctor(values);
    const clone = structuredClone(original);
    assert_not_equals(clone, original);
    assert_equals(Object.getPrototypeOf(clone), Ctor.prototype);
    assert_equals(clone.length, 3);
    assert_array_equals(Array.from(clone), values);
    assert_not_equals(clone.buffer, original.buffer);
  }, `${Ctor.name} is cloned with its values`);
}

test(() => {
  const buffer = new ArrayBuffer(16);
  new Uint8Array(buffer).set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  const view = new Uint8Array(buffer, 4, 6);
  const clone = structuredClone(view);
  assert_equals(clone.byteOffset, 4, "byteOffset");
  assert_equals(clone.length, 6, "length");
  assert_equals(clone.buffer.byteLength, 16, "the whole buffer is cloned");
  assert_array_equals(Array.from(clone), [4, 5, 6, 7, 8, 9]);
}, "A typed array view keeps its byteOffset and length over a copy of the whole buffer");

test(() => {
  const buffer = new ArrayBuffer(8);
  const bytes = new Uint8Array(buffer);
  const words = new Uint16Array(buffer, 2, 2);
  const [cBytes, cWords, cBuffer] = structuredClone([bytes, words, buffer]);
  assert_equals(cBytes.buffer, cWords.buffer, "views share one cloned buffer");
  assert_equals(cBytes.buffer, cBuffer, "the buffer itself is the same clone");
  cWords[0] = 0xFFFF;
  assert_equals(cBytes[2], 0xFF, "writes through one view are seen through the other");
  assert_equals(bytes[2], 0, "the original is not affected");
}, "Views over one buffer share one cloned buffer within a single clone");

test(() => {
  const buffer = new ArrayBuffer(12);
  const dv = new DataView(buffer, 2, 8);
  dv.setInt32(0, -123456, true);
  const clone = structuredClone(dv);
  assert_true(clone instanceof DataView);
  assert_equals(clone.byteOffset, 2);
  assert_equals(clone.byteLength, 8);
  assert_equals(clone.buffer.byteLength, 12);
  assert_equals(clone.getInt32(0, true), -123456);
}, "DataView keeps byteOffset, byteLength and contents");

test(() => {
  const view = new Uint8Array([1, 2]);
  view.extra = "x";
  assert_false("extra" in structuredClone(view));
}, "Extra properties of typed arrays are not cloned");

test(() => {
  const f = new Float64Array([NaN, -0, Infinity]);
  const c = structuredClone(f);
  assertSameValue(c[0], NaN);
  assertSameValue(c[1], -0);
  assert_equals(c[2], Infinity);
}, "Float64Array contents are copied bit for bit");

// ---------------------------------------------------------------------------
// Map and Set
// ---------------------------------------------------------------------------

test(() => {
  const original = new Map([["b", 1], ["a", 2], [3, "three"], [NaN, "nan"]]);
  const clone = structuredClone(original);
  assert_not_equals(clone, original);
  assert_true(clone instanceof Map);
  assert_array_equals([...clone.keys()].map(String), ["b", "a", "3", "NaN"], "order kept");
  assert_equals(clone.get("a"), 2);
  assert_equals(clone.get(3), "three");
  assert_equals(clone.get(NaN), "nan");
}, "Map entries and their order are kept");

test(() => {
  const key = { k: 1 };
  const value = { v: 2 };
  const original = new Map([[key, value]]);
  const clone = structuredClone(original);
  const [[cKey, cValue]] = [...clone];
  assert_not_equals(cKey, key, "keys are cloned");
  assert_not_equals(cValue, value, "values are cloned");
  assert_equals(cKey.k, 1);
  assert_equals(cValue.v, 2);
  assert_false(clone.has(key), "the original key is not a key of the clone");
}, "Map keys and values are cloned");

test(() => {
  const shared = { s: true };
  const original = new Map([[shared, shared]]);
  const clone = structuredClone(original);
  const [[k, v]] = [...clone];
  assert_equals(k, v, "the same object as key and value stays the same object");
}, "Map: an object used as key and value stays one object");

test(() => {
  const original = new Set([3, "x", 1, { o: 1 }]);
  const clone = structuredClone(original);
  assert_true(clone instanceof Set);
  const items = [...clone];
  assert_equals(items.length, 4);
  assert_equals(items[0], 3);
  assert_equals(items[1], "x");
  assert_equals(items[2], 1);
  assert_equals(items[3].o, 1);
}, "Set values and their order are kept");

test(() => {
  const map = new Map([[1, 1]]);
  map.extra = true;
  assert_false("extra" in structuredClone(map));
}, "Extra properties of a Map are not cloned");

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

for (const Ctor of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
  test(() => {
    const original = new Ctor("some message");
    const clone = structuredClone(original);
    assert_not_equals(clone, original);
    assert_equals(Object.getPrototypeOf(clone), Ctor.prototype, "prototype");
    assert_equals(clone.name, Ctor.name, "name");
    assert_equals(clone.message, "some message", "message");
  }, `${Ctor.name} objects keep their type and message`);
}

test(() => {
  const original = new Error("m");
  original.name = "CustomError";
  const clone = structuredClone(original);
  assert_equals(Object.getPrototypeOf(clone), Error.prototype);
  assert_equals(clone.name, "Error");
}, "An error with a non-standard name is cloned as an Error");

test(() => {
  class MyError extends RangeError {}
  const clone = structuredClone(new MyError("sub"));
  assert_equals(Object.getPrototypeOf(clone), RangeError.prototype);
  assert_equals(clone.name, "RangeError");
  assert_equals(clone.message, "sub");
}, "An instance of an Error subclass is cloned by its name (inherited RangeError)");

test(() => {
  const clone = structuredClone(new TypeError("msg"));
  const d = Object.getOwnPropertyDescriptor(clone, "message");
  assert_not_equals(d, undefined);
  assert_false(d.enumerable, "message is non-enumerable");
  assert_equals(d.value, "msg");
}, "A cloned error's message is a non-enumerable own data property");

test(() => {
  const clone = structuredClone(new Error());
  assert_equals(clone.message, "");
  assert_true(clone instanceof Error);
}, "An error without a message");

test(() => {
  const original = new Error("m");
  original.extra = 1;
  assert_false("extra" in structuredClone(original));
}, "Other own properties of errors are not cloned");

// ---------------------------------------------------------------------------
// Arrays
// ---------------------------------------------------------------------------

test(() => {
  const original = [1, "two", { three: 3 }, [4]];
  const clone = structuredClone(original);
  assert_not_equals(clone, original);
  assert_true(Array.isArray(clone));
  assert_equals(clone.length, 4);
  assert_equals(clone[0], 1);
  assert_equals(clone[1], "two");
  assert_not_equals(clone[2], original[2]);
  assert_equals(clone[2].three, 3);
  assert_true(Array.isArray(clone[3]));
}, "Arrays are cloned deeply");

test(() => {
  const original = [1, , 3];
  original.length = 5;
  const clone = structuredClone(original);
  assert_equals(clone.length, 5, "length kept");
  assert_false(1 in clone, "hole kept");
  assert_false(4 in clone, "trailing holes kept");
  assert_equals(clone[2], 3);
}, "Array holes and length are preserved");

test(() => {
  const original = [1, 2];
  original.foo = "bar";
  original[-1] = "negative";
  const clone = structuredClone(original);
  assert_equals(clone.foo, "bar");
  assert_equals(clone["-1"], "negative");
  assert_equals(clone.length, 2);
}, "Own enumerable string-keyed properties of arrays are cloned");

test(() => {
  const original = [1];
  Object.defineProperty(original, "hidden", { value: 1, enumerable: false });
  original[Symbol("s")] = 2;
  const clone = structuredClone(original);
  assert_false("hidden" in clone);
  assert_equals(Object.getOwnPropertySymbols(clone).length, 0);
}, "Non-enumerable and symbol-keyed properties of arrays are not cloned");

// ---------------------------------------------------------------------------
// Plain objects
// ---------------------------------------------------------------------------

test(() => {
  const original = { a: 1, b: { c: [2] } };
  const clone = structuredClone(original);
  assert_not_equals(clone, original);
  assert_not_equals(clone.b, original.b);
  assert_equals(clone.a, 1);
  assert_equals(clone.b.c[0], 2);
}, "Plain objects are cloned deeply");

test(() => {
  class Point {
    constructor() { this.x = 1; this.y = 2; }
    get sum() { return this.x + this.y; }
  }
  const clone = structuredClone(new Point());
  assert_equals(Object.getPrototypeOf(clone), Object.prototype);
  assert_equals(clone.x, 1);
  assert_equals(clone.y, 2);
  assert_false("sum" in clone, "prototype accessors are not copied");
}, "The prototype of a cloned object is Object.prototype");

test(() => {
  const clone = structuredClone(Object.create(null, { a: { value: 1, enumerable: true } }));
  assert_equals(Object.getPrototypeOf(clone), Object.prototype);
  assert_equals(clone.a, 1);
}, "A null-prototype object becomes an ordinary object");

test(() => {
  let calls = 0;
  const original = {
    get g() { calls++; return { inner: calls }; },
  };
  const clone = structuredClone(original);
  assert_equals(calls, 1, "getter invoked once");
  const d = Object.getOwnPropertyDescriptor(clone, "g");
  assert_true("value" in d, "the clone has a data property");
  assert_equals(d.value.inner, 1);
  assert_true(d.writable && d.enumerable && d.configurable, "an ordinary data property");
}, "Enumerable getters are invoked and their value is cloned");

test(() => {
  const err = new RangeError("from getter");
  const original = { get boom() { throw err; } };
  let thrown;
  try {
    structuredClone(original);
  } catch (e) {
    thrown = e;
  }
  assert_equals(thrown, err);
}, "An exception thrown by a getter propagates as it is");

test(() => {
  const original = { a: 1 };
  original[Symbol("s")] = 2;
  Object.defineProperty(original, "hidden", { value: 3, enumerable: false });
  const clone = structuredClone(original);
  assert_array_equals(Object.getOwnPropertyNames(clone), ["a"]);
  assert_equals(Object.getOwnPropertySymbols(clone).length, 0);
}, "Symbol-keyed and non-enumerable properties are dropped");

test(() => {
  const original = { b: 1, a: 2, 10: "ten", 2: "two", z: 3 };
  assert_array_equals(Object.keys(structuredClone(original)), ["2", "10", "b", "a", "z"]);
}, "Property order is kept");

test(() => {
  const original = JSON.parse('{"__proto__": {"x": 1}, "a": 2}');
  const clone = structuredClone(original);
  assert_equals(Object.getPrototypeOf(clone), Object.prototype, "prototype not changed");
  assert_true(Object.prototype.hasOwnProperty.call(clone, "__proto__"), "own __proto__ kept");
  assert_equals(clone.__proto__.x, 1);
}, "An own __proto__ property is cloned as a data property");

test(() => {
  const log = [];
  const original = {
    get a() { log.push("a"); return 1; },
    get b() { log.push("b"); return 2; },
  };
  structuredClone(original);
  assert_array_equals(log, ["a", "b"]);
}, "Properties are read in property order");

test(() => {
  const original = { a: 1 };
  Object.defineProperty(original, "b", {
    get() { delete this.c; return 2; }, enumerable: true,
  });
  original.c = 3;
  const clone = structuredClone(original);
  assert_equals(clone.b, 2);
  assert_false("c" in clone, "a property deleted while cloning is skipped");
}, "A property deleted during cloning is not cloned");

// ---------------------------------------------------------------------------
// Identity: cycles and shared references
// ---------------------------------------------------------------------------

test(() => {
  const original = { name: "root" };
  original.self = original;
  const clone = structuredClone(original);
  assert_not_equals(clone, original);
  assert_equals(clone.self, clone);
}, "Self-referencing cycles are preserved");

test(() => {
  const a = { name: "a" };
  const b = { name: "b", a };
  a.b = b;
  const clone = structuredClone([a, b]);
  assert_equals(clone[0].b, clone[1]);
  assert_equals(clone[1].a, clone[0]);
}, "Indirect cycles are preserved");

test(() => {
  const shared = { s: 1 };
  const clone = structuredClone({ x: shared, y: shared, list: [shared] });
  assert_equals(clone.x, clone.y);
  assert_equals(clone.x, clone.list[0]);
  assert_not_equals(clone.x, shared);
}, "Shared references stay shared");

test(() => {
  const arr = [];
  arr.push(arr);
  const set = new Set();
  set.add(set);
  const map = new Map();
  map.set(map, map);
  const [cArr, cSet, cMap] = structuredClone([arr, set, map]);
  assert_equals(cArr[0], cArr);
  assert_true(cSet.has(cSet));
  assert_equals(cMap.get(cMap), cMap);
}, "Cycles through arrays, Sets and Maps are preserved");

// ---------------------------------------------------------------------------
// Values that cannot be cloned
// ---------------------------------------------------------------------------

const UNCLONEABLE = [
  ["a function", () => function () {}],
  ["an arrow function", () => () => 1],
  ["a class", () => class {}],
  ["a WeakMap", () => new WeakMap()],
  ["a WeakSet", () => new WeakSet()],
  ["a WeakRef", () => new WeakRef({})],
  ["a Promise", () => Promise.resolve(1)],
  ["a Proxy", () => new Proxy({}, {})],
  ["a generator object", () => (function* () {})()],
];
for (const [desc, make] of UNCLONEABLE) {
  test(() => {
    assert_throws_dom("DataCloneError", () => structuredClone(make()));
  }, `Cloning ${desc} throws DataCloneError`);
}

test(() => {
  assert_throws_dom("DataCloneError", () => structuredClone({ ok: 1, bad: () => {} }));
  assert_throws_dom("DataCloneError", () => structuredClone([1, [2, [Symbol("deep")]]]));
  assert_throws_dom("DataCloneError", () => structuredClone(new Map([["k", new WeakSet()]])));
  assert_throws_dom("DataCloneError", () => structuredClone(new Set([Promise.resolve()])));
}, "Objects containing uncloneable values throw DataCloneError");

test(() => {
  let err;
  try { structuredClone(() => {}); } catch (e) { err = e; }
  assert_true(err instanceof DOMException);
  assert_equals(err.code, 25);
}, "The DataCloneError is a DOMException with code 25");

test(() => {
  const log = [];
  const original = {
    get a() { log.push("a"); return 1; },
    b: () => {},
    get c() { log.push("c"); return 3; },
  };
  assert_throws_dom("DataCloneError", () => structuredClone(original));
  assert_array_equals(log, ["a"], "serialization stops at the first error");
}, "Serialization stops at the first uncloneable value");

// ---------------------------------------------------------------------------
// Transfer
// ---------------------------------------------------------------------------

test(() => {
  const buffer = new Uint8Array([5, 6, 7]).buffer;
  const clone = structuredClone(buffer, { transfer: [buffer] });
  assert_true(clone instanceof ArrayBuffer);
  assert_not_equals(clone, buffer);
  assert_array_equals(new Uint8Array(clone), [5, 6, 7], "the clone holds the bytes");
  assert_equals(buffer.byteLength, 0, "the original is detached");
  assert_throws_js(TypeError, () => new Uint8Array(buffer), "a detached buffer cannot be viewed");
}, "Transferring an ArrayBuffer detaches the original");

test(() => {
  const buffer = new ArrayBuffer(8);
  const view = new Uint8Array(buffer);
  view[7] = 42;
  const clone = structuredClone({ view }, { transfer: [buffer] });
  assert_equals(clone.view.buffer.byteLength, 8);
  assert_equals(clone.view[7], 42);
  assert_equals(view.length, 0, "the original view is now empty");
  assert_equals(buffer.byteLength, 0);
}, "A view over a transferred buffer uses the transferred buffer");

test(() => {
  const buffer = new ArrayBuffer(4);
  const clone = structuredClone({ a: buffer, b: buffer }, { transfer: [buffer] });
  assert_equals(clone.a, clone.b);
  assert_equals(clone.a.byteLength, 4);
}, "A transferred buffer referenced twice becomes one object");

test(() => {
  const buffer = new ArrayBuffer(4);
  assert_throws_dom("DataCloneError", () => structuredClone(buffer, { transfer: [buffer, buffer] }));
  assert_equals(buffer.byteLength, 4, "nothing was detached");
}, "Transferring the same buffer twice throws DataCloneError");

test(() => {
  const buffer = new ArrayBuffer(4);
  structuredClone(undefined, { transfer: [buffer] });
  assert_equals(buffer.byteLength, 0);
  assert_throws_dom("DataCloneError", () => structuredClone(undefined, { transfer: [buffer] }));
}, "Transferring a detached buffer throws DataCloneError");

test(() => {
  const buffer = new ArrayBuffer(4);
  structuredClone(buffer, { transfer: [buffer] });
  assert_throws_dom("DataCloneError", () => structuredClone(buffer));
}, "Cloning a detached buffer throws DataCloneError");

test(() => {
  assert_throws_dom("DataCloneError", () => structuredClone(1, { transfer: [{}] }));
  assert_throws_dom("DataCloneError", () => structuredClone(1, { transfer: [new Uint8Array(1)] }));
}, "Transferring a non-transferable object throws DataCloneError");

test(() => {
  assert_throws_js(TypeError, () => structuredClone(1, { transfer: 5 }));
  assert_throws_js(TypeError, () => structuredClone(1, { transfer: [1] }));
  assert_throws_js(TypeError, () => structuredClone(1, 5));
}, "A transfer option that is not a sequence of objects throws TypeError");

test(() => {
  const buffer = new ArrayBuffer(4);
  assert_throws_dom("DataCloneError", () => structuredClone({ buffer, f() {} }, { transfer: [buffer] }));
  assert_equals(buffer.byteLength, 4, "not detached when serialization failed");
}, "A failed clone does not detach the transfer list");

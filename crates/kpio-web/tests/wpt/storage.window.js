// META: title=Web Storage: Storage, localStorage, sessionStorage and StorageEvent
//
// Written from the HTML Standard, section "Web storage" (the Storage interface and
// its method steps, the sessionStorage and localStorage getters, the storage event
// and the StorageEvent interface), the Storage Standard (the recommended 5 MiB quota
// of the localStorage endpoint), WebIDL (interface objects without a constructor,
// argument conversions to DOMString / USVString / unsigned long, and the internal
// methods of legacy platform objects that support named properties: the named
// property visibility algorithm, [[GetOwnProperty]], [[Set]], [[DefineOwnProperty]],
// [[Delete]] and [[OwnPropertyKeys]]) and the DOM Standard (initEvent()).
//
// Window scope only: Storage and StorageEvent are [Exposed=Window]. Every subtest
// starts from two empty storage areas and leaves them empty. Cross-window storage
// events are not tested: this runner has one window, and the window that changes a
// storage area does not get a storage event itself.
"use strict";

function clearBoth() {
  localStorage.clear();
  sessionStorage.clear();
}

// A synchronous subtest that starts from, and leaves, two empty storage areas.
function storageTest(fn, name) {
  test((t) => {
    localStorage.clear();
    sessionStorage.clear();
    t.add_cleanup(clearBoth);
    fn(t);
  }, name);
}

// The same, for a subtest that waits.
function storagePromiseTest(fn, name) {
  promise_test(async (t) => {
    localStorage.clear();
    sessionStorage.clear();
    t.add_cleanup(clearBoth);
    await fn(t);
  }, name);
}

// One subtest that runs fn(storage, t) on localStorage, then on sessionStorage, each
// time from two empty areas; a failure's message names the area.
function areaTest(fn, name) {
  storageTest((t) => {
    for (const area of ["localStorage", "sessionStorage"]) {
      clearBoth();
      try {
        fn(self[area], t);
      } catch (e) {
        if (e && typeof e.message === "string") e.message = `${area}: ${e.message}`;
        throw e;
      }
    }
  }, name);
}

// One subtest per storage area: fn(storage, t).
function eachAreaTest(fn, name) {
  for (const area of ["localStorage", "sessionStorage"]) {
    storageTest((t) => fn(self[area], t), `${area}: ${name}`);
  }
}

// The keys in key() order.
function keysOf(storage) {
  const keys = [];
  for (let i = 0; i < storage.length; i++) keys.push(storage.key(i));
  return keys;
}

function sorted(list) {
  return [...list].sort();
}

// Resolves after `turns` timer tasks in a row, so that any task queued before (such
// as a storage event) has run.
function timerTurns(t, turns) {
  return new Promise((resolve) => {
    const next = (n) => (n === 0 ? resolve() : t.step_timeout(() => next(n - 1), 0));
    next(turns);
  });
}

// setItem's "cannot be stored" exception: a "QuotaExceededError" DOMException (code 22);
// where WebIDL's QuotaExceededError interface exists, an instance of it.
function assertQuotaExceeded(fn, what) {
  let error = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  assert_not_equals(error, null, `${what} throws`);
  assert_true(error instanceof DOMException, `${what}: a DOMException`);
  assert_equals(error.name, "QuotaExceededError", `${what}: name`);
  assert_equals(error.code, 22, `${what}: code (QUOTA_EXCEEDED_ERR)`);
  if (typeof QuotaExceededError === "function") {
    assert_true(error instanceof QuotaExceededError, `${what}: a QuotaExceededError`);
  }
}

// 6 Mi UTF-16 code units: above the Storage Standard's recommended 5 MiB quota however
// the bytes are counted.
const OVER_QUOTA = "x".repeat(6 * 1024 * 1024);

// ---------------------------------------------------------------------------
// localStorage, sessionStorage and the Storage interface
// ---------------------------------------------------------------------------

storageTest(() => {
  assert_equals(typeof Storage, "function");
  assert_true(localStorage instanceof Storage, "localStorage");
  assert_true(sessionStorage instanceof Storage, "sessionStorage");
  assert_equals(Object.getPrototypeOf(localStorage), Storage.prototype);
  assert_equals(Object.getPrototypeOf(sessionStorage), Storage.prototype);
  assert_equals(Object.prototype.toString.call(localStorage), "[object Storage]");
}, "localStorage and sessionStorage exist and are Storage objects");

storageTest(() => {
  assert_equals(localStorage, localStorage);
  assert_equals(window.localStorage, localStorage);
  assert_equals(self.localStorage, localStorage);
  assert_equals(sessionStorage, sessionStorage);
  assert_equals(window.sessionStorage, sessionStorage);
  assert_not_equals(localStorage, sessionStorage);
}, "localStorage and sessionStorage return the same object on every access, and differ");

storageTest(() => {
  for (const name of ["localStorage", "sessionStorage"]) {
    const d = Object.getOwnPropertyDescriptor(window, name);
    assert_not_equals(d, undefined, `${name}: an own property of the Window ([Global])`);
    assert_equals(typeof d.get, "function", `${name}: a getter`);
    assert_equals(d.set, undefined, `${name}: readonly, no setter`);
    assert_true(d.enumerable, `${name}: enumerable`);
    assert_true(d.configurable, `${name}: configurable`);
  }
}, "localStorage and sessionStorage are readonly accessor properties of the window");

storageTest(() => {
  assert_throws_js(TypeError, () => new Storage(), "new Storage()");
  assert_throws_js(TypeError, () => Storage(), "Storage()");
}, "Storage is not constructible");

storageTest(() => {
  const proto = Storage.prototype;
  const length = Object.getOwnPropertyDescriptor(proto, "length");
  assert_equals(typeof length.get, "function", "length is a getter");
  assert_equals(length.set, undefined, "length is readonly");
  const arity = { key: 1, getItem: 1, setItem: 2, removeItem: 1, clear: 0 };
  for (const [name, n] of Object.entries(arity)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    assert_equals(typeof d.value, "function", `${name} is a method`);
    assert_equals(d.value.length, n, `${name}.length`);
    assert_true(d.enumerable && d.writable && d.configurable, `${name}: an operation's attributes`);
  }
}, "Storage.prototype has length, key(), getItem(), setItem(), removeItem() and clear()");

storageTest(() => {
  const proto = Storage.prototype;
  assert_throws_js(TypeError, () => proto.getItem.call({}, "a"), "getItem");
  assert_throws_js(TypeError, () => proto.setItem.call({}, "a", "b"), "setItem");
  assert_throws_js(TypeError, () => proto.clear.call(null), "clear");
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(proto, "length").get.call({}), "length");
  assert_throws_js(TypeError, () => proto.length, "length read on the prototype itself");
}, "Storage members throw TypeError when this is not a Storage");

storageTest(() => {
  assert_throws_js(TypeError, () => localStorage.getItem(), "getItem()");
  assert_throws_js(TypeError, () => localStorage.setItem("a"), "setItem(key)");
  assert_throws_js(TypeError, () => localStorage.key(), "key()");
  assert_throws_js(TypeError, () => localStorage.removeItem(), "removeItem()");
  assert_equals(localStorage.length, 0, "nothing stored");
}, "Storage methods require their arguments");

// ---------------------------------------------------------------------------
// length, key(), getItem(), setItem(), removeItem(), clear()
// ---------------------------------------------------------------------------

eachAreaTest((storage) => {
  assert_equals(storage.length, 0);
  assert_equals(storage.setItem("a", "1"), undefined, "setItem returns undefined");
  assert_equals(storage.getItem("a"), "1");
  assert_equals(storage.length, 1);
}, "setItem() stores an item that getItem() returns");

areaTest((storage) => {
  assert_equals(storage.getItem("missing"), null);
  storage.setItem("a", "1");
  assert_equals(storage.getItem("A"), null, "keys are case-sensitive");
  assert_equals(storage.getItem("a "), null, "keys are not trimmed");
}, "getItem() of a missing key returns null");

areaTest((storage) => {
  storage.setItem("a", "1");
  storage.setItem("b", "2");
  assert_equals(storage.length, 2);
  storage.setItem("a", "3");
  assert_equals(storage.length, 2, "replacing a value adds no item");
  storage.removeItem("a");
  assert_equals(storage.length, 1);
  storage.removeItem("a");
  assert_equals(storage.length, 1, "removing a missing key changes nothing");
  storage.clear();
  assert_equals(storage.length, 0);
}, "length is the number of items");

areaTest((storage) => {
  storage.setItem("a", "1");
  storage.setItem("a", "2");
  assert_equals(storage.getItem("a"), "2");
  assert_equals(storage.length, 1);
}, "setItem() replaces the value of an existing key");

areaTest((storage) => {
  storage.setItem("a", "1");
  storage.setItem("b", "2");
  storage.setItem("c", "3");
  const before = keysOf(storage);
  storage.setItem("a", "1");
  assert_array_equals(keysOf(storage), before, "key order");
  assert_equals(storage.length, 3);
  assert_equals(storage.getItem("a"), "1");
}, "Setting the same value again changes nothing");

areaTest((storage) => {
  storage.setItem("a", "1");
  storage.setItem("b", "2");
  storage.setItem("c", "3");
  const before = keysOf(storage);
  storage.setItem("b", "changed");
  assert_array_equals(keysOf(storage), before);
}, "Changing the value of an existing key does not reorder the keys");

areaTest((storage) => {
  storage.setItem("a", "1");
  storage.setItem("b", "2");
  assert_equals(storage.removeItem("a"), undefined, "removeItem returns undefined");
  assert_equals(storage.getItem("a"), null);
  assert_equals(storage.getItem("b"), "2", "other items stay");
  storage.removeItem("never-stored");
  assert_equals(storage.length, 1);
}, "removeItem() removes one item; a missing key is ignored");

areaTest((storage) => {
  storage.clear();
  storage.setItem("a", "1");
  storage.setItem("b", "2");
  assert_equals(storage.clear(), undefined, "clear returns undefined");
  assert_equals(storage.length, 0);
  assert_equals(storage.getItem("a"), null);
  assert_equals(storage.key(0), null);
  storage.clear();
  assert_equals(storage.length, 0, "clearing an empty area");
}, "clear() removes every item");

areaTest((storage) => {
  const items = { a: "1", b: "2", c: "3", "": "4" };
  for (const [k, v] of Object.entries(items)) storage.setItem(k, v);
  const keys = keysOf(storage);
  assert_array_equals(sorted(keys), sorted(Object.keys(items)), "every key once");
  for (const k of keys) assert_equals(storage.getItem(k), items[k]);
}, "key(n) for n < length returns every key exactly once");

areaTest((storage) => {
  assert_equals(storage.key(0), null, "empty area");
  storage.setItem("a", "1");
  assert_equals(storage.key(0), "a");
  assert_equals(storage.key(1), null);
  assert_equals(storage.key(100), null);
}, "key(n) returns null when n >= length");

areaTest((storage) => {
  storage.setItem("only", "1");
  assert_equals(storage.key(-1), null, "-1 is 2**32 - 1");
  assert_equals(storage.key(2 ** 32), "only", "2**32 wraps to 0");
  assert_equals(storage.key(2 ** 32 + 1), null, "2**32 + 1 wraps to 1");
  assert_equals(storage.key(0.9), "only", "truncated");
  assert_equals(storage.key("0"), "only", "a string");
  assert_equals(storage.key(NaN), "only", "NaN is 0");
  assert_equals(storage.key(null), "only", "null is 0");
}, "key()'s index is converted to an unsigned long");

// ---------------------------------------------------------------------------
// Keys and values are DOMStrings (ToString)
// ---------------------------------------------------------------------------

areaTest((storage) => {
  storage.setItem("n", 1);
  storage.setItem("f", 1.5);
  storage.setItem("b", true);
  storage.setItem("arr", [1, 2]);
  storage.setItem("obj", { toString() { return "from toString"; }, valueOf() { return 42; } });
  storage.setItem("plain", {});
  assert_equals(storage.getItem("n"), "1");
  assert_equals(storage.getItem("f"), "1.5");
  assert_equals(storage.getItem("b"), "true");
  assert_equals(storage.getItem("arr"), "1,2");
  assert_equals(storage.getItem("obj"), "from toString");
  assert_equals(storage.getItem("plain"), "[object Object]");
  for (const k of keysOf(storage)) assert_equals(typeof storage.getItem(k), "string", k);
}, "setItem() converts values with ToString");

areaTest((storage) => {
  storage.setItem("null", null);
  storage.setItem("undefined", undefined);
  assert_equals(storage.getItem("null"), "null");
  assert_equals(storage.getItem("undefined"), "undefined");
}, "setItem() stores null as \"null\" and undefined as \"undefined\"");

areaTest((storage) => {
  storage.setItem(1, "one");
  storage.setItem(null, "n");
  storage.setItem(undefined, "u");
  storage.setItem({ toString() { return "obj"; } }, "o");
  assert_equals(storage.getItem("1"), "one");
  assert_equals(storage.getItem("null"), "n");
  assert_equals(storage.getItem("undefined"), "u");
  assert_equals(storage.getItem("obj"), "o");
  assert_array_equals(sorted(keysOf(storage)), ["1", "null", "obj", "undefined"]);
}, "setItem() converts keys with ToString");

areaTest((storage) => {
  storage.setItem("1", "one");
  storage.setItem("null", "n");
  assert_equals(storage.getItem(1), "one");
  assert_equals(storage.getItem(null), "n");
  storage.removeItem(1);
  storage.removeItem(null);
  assert_equals(storage.length, 0);
}, "getItem() and removeItem() convert the key with ToString");

areaTest((storage) => {
  const log = [];
  const key = { toString() { log.push("key"); return "k"; } };
  const value = { toString() { log.push("value"); return "v"; } };
  storage.setItem(key, value);
  assert_array_equals(log, ["key", "value"]);
  assert_equals(storage.getItem("k"), "v");
}, "setItem() converts the key, then the value, once each");

areaTest((storage) => {
  assert_throws_js(TypeError, () => storage.setItem(Symbol("k"), "v"), "symbol key");
  assert_throws_js(TypeError, () => storage.setItem("k", Symbol("v")), "symbol value");
  assert_throws_js(TypeError, () => storage.getItem(Symbol("k")), "getItem with a symbol");
  assert_equals(storage.length, 0);
}, "A symbol key or value cannot be converted: TypeError, nothing stored");

areaTest((storage) => {
  storage.setItem("k", "old");
  const boom = { toString() { throw new RangeError("boom"); } };
  assert_throws_js(RangeError, () => storage.setItem("k", boom), "value");
  assert_throws_js(RangeError, () => storage.setItem(boom, "v"), "key");
  assert_equals(storage.getItem("k"), "old");
  assert_equals(storage.length, 1);
}, "An exception from a conversion propagates and nothing changes");

// ---------------------------------------------------------------------------
// Any string is a key or a value
// ---------------------------------------------------------------------------

areaTest((storage) => {
  storage.setItem("", "empty key");
  storage.setItem("empty value", "");
  assert_equals(storage.getItem(""), "empty key");
  assert_equals(storage.getItem("empty value"), "", "the empty string, not null");
  assert_equals(storage.length, 2);
  assert_true(keysOf(storage).includes(""));
  storage.removeItem("");
  assert_equals(storage.getItem(""), null);
}, "The empty string is a valid key and a valid value");

areaTest((storage) => {
  const strings = ["\uD800", "\uDC00", "a\uD800b", "\uDFFF\uD800", "\uD83D\uDE00", "x\uDBFF"];
  strings.forEach((s, i) => storage.setItem(s, `${i}:${s}`));
  assert_equals(storage.length, strings.length, "distinct keys stay distinct");
  strings.forEach((s, i) => assert_equals(storage.getItem(s), `${i}:${s}`, `value of key #${i}`));
  assert_array_equals(sorted(keysOf(storage)), sorted(strings), "keys come back unchanged");
  assert_equals(storage.getItem("\uFFFD"), null, "not replaced by U+FFFD");
}, "Keys and values with lone surrogates round-trip exactly");

areaTest((storage) => {
  storage.setItem("a\u0000b", "c\u0000d");
  storage.setItem("e\u0301", "decomposed");
  storage.setItem("\u00e9", "precomposed");
  assert_equals(storage.getItem("a\u0000b"), "c\u0000d", "NUL kept");
  assert_equals(storage.getItem("a"), null, "not cut at NUL");
  assert_equals(storage.getItem("e\u0301"), "decomposed", "not normalized");
  assert_equals(storage.getItem("\u00e9"), "precomposed");
  assert_equals(storage.length, 3);
}, "Keys and values keep NUL and are not Unicode-normalized");

// ---------------------------------------------------------------------------
// Named properties (a legacy platform object with a named getter, setter, deleter)
// ---------------------------------------------------------------------------

areaTest((storage) => {
  storage.setItem("foo", "bar");
  storage.setItem("a b", "c");
  assert_equals(storage.foo, "bar");
  assert_equals(storage["a b"], "c");
}, "An item is readable as a named property");

areaTest((storage) => {
  assert_equals(storage.missing, undefined, "not null");
  assert_false("missing" in storage);
}, "The property of a missing key is undefined");

areaTest((storage) => {
  storage.foo = "bar";
  storage.num = 5;
  storage.nul = null;
  storage.obj = { toString() { return "converted"; } };
  assert_equals(storage.getItem("foo"), "bar");
  assert_equals(storage.getItem("num"), "5");
  assert_equals(storage.getItem("nul"), "null");
  assert_equals(storage.getItem("obj"), "converted");
  assert_equals(storage.num, "5", "read back as a string");
  assert_equals(storage.length, 4);
}, "Assigning a named property stores an item, converted with ToString");

areaTest((storage) => {
  storage.setItem("0", "zero");
  assert_equals(storage[0], "zero");
  storage[1] = "one";
  assert_equals(storage.getItem("1"), "one");
  assert_true(0 in storage);
  assert_equals(storage.length, 2);
}, "Numeric property names are named properties (there are no indexed properties)");

areaTest((storage) => {
  storage.setItem("foo", "bar");
  assert_true("foo" in storage, "in");
  assert_true(Object.prototype.hasOwnProperty.call(storage, "foo"), "hasOwnProperty");
  assert_true(Object.hasOwn(storage, "foo"), "Object.hasOwn");
  assert_false("bar" in storage);
  assert_false(Object.hasOwn(storage, "bar"));
}, "The in operator and hasOwnProperty see items");

areaTest((storage) => {
  storage.setItem("foo", "bar");
  storage.setItem("keep", "1");
  assert_true(delete storage.foo, "delete returns true");
  assert_equals(storage.getItem("foo"), null);
  assert_false("foo" in storage);
  assert_true(delete storage["never-stored"], "deleting a missing name");
  assert_equals(storage.length, 1);
  assert_equals(storage.getItem("keep"), "1");
}, "delete removes the item");

areaTest((storage) => {
  storage.setItem("a", "1");
  storage.setItem("b", "2");
  storage.setItem("c", "3");
  const keys = keysOf(storage);
  assert_array_equals(Object.keys(storage), keys, "Object.keys, in key() order");
  assert_array_equals(Object.getOwnPropertyNames(storage), keys, "Object.getOwnPropertyNames");
  assert_array_equals(Reflect.ownKeys(storage), keys, "Reflect.ownKeys");
}, "Object.keys and Object.getOwnPropertyNames list the keys in key() order");

areaTest((storage) => {
  storage.setItem("foo", "bar");
  const d = Object.getOwnPropertyDescriptor(storage, "foo");
  assert_equals(d.value, "bar");
  assert_true(d.writable, "writable (there is a named setter)");
  assert_true(d.enumerable, "enumerable");
  assert_true(d.configurable, "configurable");
  assert_false("get" in d, "a data property");
  assert_equals(Object.getOwnPropertyDescriptor(storage, "missing"), undefined);
}, "An item's property descriptor: a writable, enumerable, configurable data property");

areaTest((storage) => {
  storage.setItem("a", "1");
  storage.setItem("b", "2");
  const seen = [];
  for (const name in storage) seen.push(name);
  assert_true(seen.includes("a") && seen.includes("b"), `for-in saw ${seen}`);
}, "for-in enumerates the items");

areaTest((storage) => {
  Object.defineProperty(storage, "def", { value: 5 });
  assert_equals(storage.getItem("def"), "5", "stored through the named setter");
  const d = Object.getOwnPropertyDescriptor(storage, "def");
  assert_true(d.writable && d.enumerable && d.configurable, "still a named property");
  assert_true(Reflect.defineProperty(storage, "def", { value: "again", writable: false }));
  assert_equals(storage.getItem("def"), "again");
}, "Object.defineProperty() with a data descriptor stores an item");

areaTest((storage) => {
  assert_throws_js(TypeError, () => Object.defineProperty(storage, "acc", { get() { return "x"; } }));
  assert_false(Reflect.defineProperty(storage, "acc", { get() { return "x"; } }));
  assert_equals(storage.getItem("acc"), null);
  assert_equals(storage.length, 0);
}, "Object.defineProperty() with an accessor descriptor fails and stores nothing");

// ---------------------------------------------------------------------------
// Names that are also members of Storage.prototype or Object.prototype
// ---------------------------------------------------------------------------

areaTest((storage) => {
  const names = ["getItem", "setItem", "key", "length", "clear", "removeItem"];
  for (const name of names) storage.setItem(name, `item ${name}`);
  assert_equals(storage.length, names.length, "all stored; length still reads the count");
  for (const name of names) assert_equals(storage.getItem(name), `item ${name}`, name);
  assert_equals(storage.getItem, Storage.prototype.getItem);
  assert_equals(storage.setItem, Storage.prototype.setItem);
  assert_equals(storage.key, Storage.prototype.key);
  assert_equals(storage.clear, Storage.prototype.clear);
  assert_equals(storage.removeItem, Storage.prototype.removeItem);
}, "setItem() stores names of Storage.prototype members, which still read as the members");

areaTest((storage) => {
  storage.setItem("toString", "t");
  storage.setItem("hasOwnProperty", "h");
  storage.setItem("constructor", "c");
  assert_equals(storage.toString, Object.prototype.toString);
  assert_equals(storage.hasOwnProperty, Object.prototype.hasOwnProperty);
  assert_equals(storage.constructor, Storage);
  assert_equals(storage.getItem("toString"), "t");
  assert_equals(String(storage), "[object Storage]");
}, "Items named like Object.prototype members do not hide them");

areaTest((storage) => {
  storage.setItem("getItem", "x");
  storage.setItem("length", "y");
  storage.setItem("visible", "z");
  assert_array_equals(Object.keys(storage), ["visible"], "Object.keys");
  assert_array_equals(Object.getOwnPropertyNames(storage), ["visible"], "Object.getOwnPropertyNames");
  assert_equals(Object.getOwnPropertyDescriptor(storage, "getItem"), undefined);
  assert_false(Object.hasOwn(storage, "length"));
  assert_true("getItem" in storage, "still found on the prototype");
}, "Items hidden by Storage.prototype members are not own properties");

areaTest((storage) => {
  storage.length = 7;
  assert_equals(storage.getItem("length"), "7", "the named setter stored it");
  assert_equals(storage.length, 1, "length still reads the count");
  storage.getItem = "g";
  assert_equals(storage.getItem("getItem"), "g");
  assert_equals(typeof storage.getItem, "function");
  assert_false(Object.hasOwn(storage, "getItem"), "no own property shadows the method");
}, "Assigning to a name of a Storage.prototype member stores an item");

areaTest((storage) => {
  storage.setItem("key", "v");
  assert_true(delete storage.key, "delete returns true: there is no own property");
  assert_equals(storage.getItem("key"), "v", "the hidden item stays");
  assert_equals(typeof Storage.prototype.key, "function", "the prototype member stays");
  assert_equals(storage.key(0), "key");
}, "delete of a name hidden by a Storage.prototype member removes nothing");

// ---------------------------------------------------------------------------
// Symbols are ordinary properties
// ---------------------------------------------------------------------------

areaTest((storage) => {
  const sym = Symbol("item?");
  storage[sym] = "value";
  assert_equals(storage[sym], "value");
  assert_equals(storage.length, 0, "not an item");
  assert_equals(storage.key(0), null);
  assert_array_equals(Object.keys(storage), []);
  assert_true(Object.getOwnPropertySymbols(storage).includes(sym), "an own symbol property");
  const d = Object.getOwnPropertyDescriptor(storage, sym);
  assert_equals(d.value, "value", "kept as it was assigned");
  assert_true(delete storage[sym]);
  assert_equals(storage[sym], undefined);
}, "Symbol-keyed properties are ordinary properties, not items");

areaTest((storage) => {
  const sym = Symbol("n");
  storage[sym] = 5;
  assert_equals(storage[sym], 5, "not converted to a string");
  storage.setItem("a", "1");
  assert_array_equals(Object.keys(storage), ["a"]);
  storage.clear();
  assert_equals(storage[sym], 5, "clear() leaves symbol properties alone");
  delete storage[sym];
}, "Symbol properties keep their values and are not touched by clear()");

// ---------------------------------------------------------------------------
// The quota
// ---------------------------------------------------------------------------

eachAreaTest((storage) => {
  storage.setItem("a", "1");
  assertQuotaExceeded(() => storage.setItem("big", OVER_QUOTA), "a new key");
  assert_equals(storage.getItem("big"), null, "nothing stored");
  assert_equals(storage.length, 1);
  assert_equals(storage.getItem("a"), "1");
}, "Storing more than the quota under a new key throws QuotaExceededError; nothing changes");

eachAreaTest((storage) => {
  storage.setItem("a", "1");
  storage.setItem("big", "small");
  assertQuotaExceeded(() => storage.setItem("big", OVER_QUOTA), "an existing key");
  assert_equals(storage.getItem("big"), "small", "the old value stays");
  assert_equals(storage.getItem("a"), "1");
  assert_array_equals(sorted(keysOf(storage)), ["a", "big"]);
}, "Replacing a value with one over the quota throws QuotaExceededError; the old value stays");

areaTest((storage) => {
  assertQuotaExceeded(() => { storage.huge = OVER_QUOTA; }, "a named property assignment");
  assert_equals(storage.getItem("huge"), null);
  assert_equals(storage.length, 0);
}, "Assigning a named property over the quota throws QuotaExceededError");

storageTest(() => {
  localStorage.setItem("a", "1");
  sessionStorage.setItem("s", "2");
  assertQuotaExceeded(() => localStorage.setItem("big", OVER_QUOTA), "localStorage");
  sessionStorage.setItem("after", "3");
  assert_equals(sessionStorage.getItem("after"), "3", "sessionStorage still writable");
  localStorage.setItem("b", "4");
  assert_equals(localStorage.getItem("b"), "4", "small writes still work");
  assert_equals(localStorage.length, 2);
}, "After a QuotaExceededError, small writes still succeed");

// ---------------------------------------------------------------------------
// localStorage and sessionStorage are separate areas
// ---------------------------------------------------------------------------

storageTest(() => {
  localStorage.setItem("shared-name", "local");
  assert_equals(sessionStorage.getItem("shared-name"), null);
  sessionStorage.setItem("shared-name", "session");
  assert_equals(localStorage.getItem("shared-name"), "local");
  sessionStorage.clear();
  assert_equals(localStorage.length, 1, "clearing one area leaves the other");
}, "localStorage and sessionStorage hold separate items");

// ---------------------------------------------------------------------------
// The storage event is not fired at the window that made the change
// ---------------------------------------------------------------------------

storagePromiseTest(async (t) => {
  const seen = [];
  const listener = (e) => seen.push(`${e.key}=${e.newValue}`);
  window.addEventListener("storage", listener);
  t.add_cleanup(() => window.removeEventListener("storage", listener));
  window.onstorage = (e) => seen.push(`onstorage ${e.key}`);
  t.add_cleanup(() => { window.onstorage = null; });
  for (const storage of [localStorage, sessionStorage]) {
    storage.setItem("a", "1");
    storage.setItem("a", "2");
    storage.b = "3";
    storage.removeItem("a");
    delete storage.b;
    storage.setItem("c", "4");
    storage.clear();
  }
  await timerTurns(t, 5);
  assert_array_equals(seen, [], "storage events received by the window that changed storage");
}, "The window that changes a storage area receives no storage event");

storageTest(() => {
  assert_true("onstorage" in window);
  assert_equals(window.onstorage, null);
  let got = null;
  window.onstorage = (e) => { got = e; };
  try {
    const e = new StorageEvent("storage", { key: "k" });
    window.dispatchEvent(e);
    assert_equals(got, e);
  } finally {
    window.onstorage = null;
  }
}, "window.onstorage is an event handler for storage events");

// ---------------------------------------------------------------------------
// StorageEvent
// ---------------------------------------------------------------------------

storageTest(() => {
  const e = new StorageEvent("storage");
  assert_true(e instanceof Event);
  assert_equals(Object.getPrototypeOf(StorageEvent.prototype), Event.prototype);
  assert_equals(e.type, "storage");
  assert_equals(e.key, null);
  assert_equals(e.oldValue, null);
  assert_equals(e.newValue, null);
  assert_equals(e.url, "");
  assert_equals(e.storageArea, null);
  assert_false(e.bubbles);
  assert_false(e.cancelable);
  assert_false(e.isTrusted);
}, "new StorageEvent(type): the defaults");

storageTest(() => {
  assert_throws_js(TypeError, () => new StorageEvent());
  assert_throws_js(TypeError, () => StorageEvent("storage"), "called without new");
  assert_equals(StorageEvent.length, 1);
}, "StorageEvent requires new and a type");

storageTest(() => {
  const e = new StorageEvent("storage", {
    key: "k", oldValue: "old", newValue: "new", url: "http://example.test/page",
    storageArea: localStorage, bubbles: true, cancelable: true,
  });
  assert_equals(e.key, "k");
  assert_equals(e.oldValue, "old");
  assert_equals(e.newValue, "new");
  assert_equals(e.url, "http://example.test/page");
  assert_equals(e.storageArea, localStorage);
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  assert_equals(new StorageEvent("x", { storageArea: sessionStorage }).storageArea, sessionStorage);
}, "StorageEvent's init dictionary sets key, oldValue, newValue, url and storageArea");

storageTest(() => {
  const e = new StorageEvent("storage", {
    key: 1, oldValue: { toString() { return "o"; } }, newValue: null, url: 5,
  });
  assert_equals(e.key, "1");
  assert_equals(e.oldValue, "o");
  assert_equals(e.newValue, null, "nullable");
  assert_equals(e.url, "5");
  const u = new StorageEvent("storage", { key: undefined, url: undefined, storageArea: undefined });
  assert_equals(u.key, null, "undefined gives the default");
  assert_equals(u.url, "");
  assert_equals(u.storageArea, null);
}, "StorageEvent's init members are converted");

storageTest(() => {
  const e = new StorageEvent("storage", {
    key: "k\uD800", oldValue: "\uDC00", newValue: "n\uDBFF", url: "http://a/\uD800",
  });
  assert_equals(e.key, "k\uD800", "key: DOMString");
  assert_equals(e.oldValue, "\uDC00", "oldValue: DOMString");
  assert_equals(e.newValue, "n\uDBFF", "newValue: DOMString");
  assert_equals(e.url, "http://a/\uFFFD", "url: USVString");
}, "StorageEvent's url is a USVString; key, oldValue and newValue keep lone surrogates");

storageTest(() => {
  for (const bad of [{}, "localStorage", 1, window, new EventTarget()]) {
    assert_throws_js(TypeError, () => new StorageEvent("storage", { storageArea: bad }), String(bad));
  }
  assert_equals(new StorageEvent("storage", { storageArea: null }).storageArea, null);
}, "StorageEvent's storageArea must be a Storage or null");

storageTest(() => {
  const e = new StorageEvent("storage", { key: "k" });
  assert_throws_js(TypeError, () => { e.key = "other"; }, "key");
  assert_throws_js(TypeError, () => { e.url = "other"; }, "url");
  assert_throws_js(TypeError, () => { e.storageArea = localStorage; }, "storageArea");
  assert_equals(e.key, "k");
  assert_equals(e.storageArea, null);
  const d = Object.getOwnPropertyDescriptor(StorageEvent.prototype, "newValue");
  assert_equals(typeof d.get, "function");
  assert_equals(d.set, undefined);
}, "StorageEvent's attributes are readonly");

storageTest(() => {
  const e = new StorageEvent("a");
  assert_equals(e.initStorageEvent("b", true, true, "k", "o", "n", "http://x/", localStorage), undefined);
  assert_equals(e.type, "b");
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  assert_equals(e.key, "k");
  assert_equals(e.oldValue, "o");
  assert_equals(e.newValue, "n");
  assert_equals(e.url, "http://x/");
  assert_equals(e.storageArea, localStorage);
}, "initStorageEvent() sets every member");

storageTest(() => {
  const e = new StorageEvent("a", {
    key: "k", oldValue: "o", newValue: "n", url: "u", storageArea: localStorage,
    bubbles: true, cancelable: true,
  });
  e.initStorageEvent("b");
  assert_equals(e.type, "b");
  assert_false(e.bubbles);
  assert_false(e.cancelable);
  assert_equals(e.key, null);
  assert_equals(e.oldValue, null);
  assert_equals(e.newValue, null);
  assert_equals(e.url, "");
  assert_equals(e.storageArea, null);
  assert_throws_js(TypeError, () => e.initStorageEvent(), "the type is required");
}, "initStorageEvent(type) resets the other members to their defaults");

storageTest(() => {
  const e = new StorageEvent("a");
  e.initStorageEvent("b", 1, "", 5, undefined, null, "http://a/\uD800", sessionStorage);
  assert_true(e.bubbles, "ToBoolean");
  assert_false(e.cancelable, "ToBoolean");
  assert_equals(e.key, "5");
  assert_equals(e.oldValue, null, "undefined gives the default");
  assert_equals(e.newValue, null);
  assert_equals(e.url, "http://a/\uFFFD", "USVString");
  assert_equals(e.storageArea, sessionStorage);
  assert_throws_js(TypeError,
    () => e.initStorageEvent("c", false, false, null, null, null, "", {}), "storageArea");
}, "initStorageEvent() converts its arguments");

storageTest(() => {
  const target = new EventTarget();
  const e = new StorageEvent("a", { key: "k" });
  let inside = null;
  target.addEventListener("a", () => {
    e.initStorageEvent("b", true, true, "other", "o", "n", "http://x/", localStorage);
    inside = [e.type, e.key, e.storageArea, e.bubbles];
  });
  target.dispatchEvent(e);
  assert_array_equals(inside, ["a", "k", null, false], "during dispatch");
  assert_equals(e.key, "k", "after dispatch");
  e.initStorageEvent("c", false, false, "after");
  assert_equals(e.type, "c", "works again after dispatch");
  assert_equals(e.key, "after");
}, "initStorageEvent() does nothing while the event is being dispatched");

// ---------------------------------------------------------------------------
// Last, because an implementation that lets it succeed leaves the Storage objects
// non-extensible for the rest of the file.
// ---------------------------------------------------------------------------

areaTest((storage) => {
  assert_throws_js(TypeError, () => Object.preventExtensions(storage));
  assert_false(Reflect.preventExtensions(storage));
  assert_true(Object.isExtensible(storage));
  storage.setItem("still", "works");
  assert_equals(storage.still, "works");
}, "A Storage object cannot be made non-extensible");

// META: global=window,worker
// META: title=The global object
//
// Written from the HTML Standard (WindowOrWorkerGlobalScope: self,
// structuredClone, timers, queueMicrotask, reportError; the ErrorEvent
// interface; "report an exception"; the onerror event handler), WebIDL (how
// interface objects and operations appear on the global) and the WHATWG
// Console Standard (the console namespace).
"use strict";

setup({ allow_uncaught_exception: true });

const INTERFACES = [
  "EventTarget", "Event", "CustomEvent", "ErrorEvent", "DOMException",
  "AbortController", "AbortSignal", "URL", "URLSearchParams",
  "TextEncoder", "TextDecoder",
];

const OPERATIONS = [
  "structuredClone", "setTimeout", "clearTimeout", "setInterval", "clearInterval",
  "queueMicrotask", "reportError",
];

const CONSOLE_METHODS = [
  "log", "info", "warn", "error", "debug", "trace", "assert", "count", "countReset",
  "group", "groupCollapsed", "groupEnd", "time", "timeEnd", "timeLog", "table", "dir", "dirxml",
  "clear",
];

// ---------------------------------------------------------------------------
// self and the global object
// ---------------------------------------------------------------------------

test(() => {
  assert_equals(self, globalThis);
  assert_equals(self.self, self);
  assert_equals(globalThis.self, globalThis);
}, "self is the global object");

test(() => {
  assert_equals(typeof self, "object");
  assert_equals(this, self, "top-level this of a script is the global");
}, "The global object is an object and the top-level this");

test(() => {
  assert_true(self instanceof EventTarget);
  let proto = Object.getPrototypeOf(self);
  let found = false;
  while (proto) {
    if (proto === EventTarget.prototype) found = true;
    proto = Object.getPrototypeOf(proto);
  }
  assert_true(found, "EventTarget.prototype is on the prototype chain");
}, "The global object is an EventTarget");

test(() => {
  assert_equals(typeof self.addEventListener, "function");
  assert_equals(typeof self.removeEventListener, "function");
  assert_equals(typeof self.dispatchEvent, "function");
}, "The global object has addEventListener, removeEventListener and dispatchEvent");

test(() => {
  const seen = [];
  function listener(e) {
    seen.push({ target: e.target, currentTarget: e.currentTarget, thisValue: this, phase: e.eventPhase });
  }
  self.addEventListener("kpio-global-test", listener);
  const result = self.dispatchEvent(new Event("kpio-global-test"));
  self.removeEventListener("kpio-global-test", listener);
  self.dispatchEvent(new Event("kpio-global-test"));
  assert_true(result);
  assert_equals(seen.length, 1, "called once, then removed");
  assert_equals(seen[0].target, self, "target");
  assert_equals(seen[0].currentTarget, self, "currentTarget");
  assert_equals(seen[0].thisValue, self, "this");
  assert_equals(seen[0].phase, Event.AT_TARGET, "eventPhase");
}, "Events can be dispatched at the global object");

test(() => {
  let count = 0;
  const listener = () => count++;
  addEventListener("kpio-unqualified", listener);
  dispatchEvent(new Event("kpio-unqualified"));
  removeEventListener("kpio-unqualified", listener);
  dispatchEvent(new Event("kpio-unqualified"));
  assert_equals(count, 1);
}, "addEventListener, dispatchEvent and removeEventListener can be called unqualified");

test(() => {
  let count = 0;
  const listener = () => count++;
  EventTarget.prototype.addEventListener.call(self, "kpio-call", listener);
  EventTarget.prototype.dispatchEvent.call(self, new Event("kpio-call"));
  EventTarget.prototype.removeEventListener.call(self, "kpio-call", listener);
  self.dispatchEvent(new Event("kpio-call"));
  assert_equals(count, 1);
}, "EventTarget.prototype methods work on the global object");

test(() => {
  let canceled;
  const listener = (e) => e.preventDefault();
  self.addEventListener("kpio-cancel", listener);
  canceled = !self.dispatchEvent(new Event("kpio-cancel", { cancelable: true }));
  self.removeEventListener("kpio-cancel", listener);
  assert_true(canceled);
}, "dispatchEvent at the global returns false when a listener cancels");

// ---------------------------------------------------------------------------
// Interfaces and operations on the global
// ---------------------------------------------------------------------------

for (const name of INTERFACES) {
  test(() => {
    assert_true(name in self, "present");
    assert_equals(typeof self[name], "function", "typeof");
    assert_equals(self[name].name, name, "name");
    assert_equals(typeof self[name].prototype, "object", "prototype");
    const d = Object.getOwnPropertyDescriptor(self, name);
    assert_not_equals(d, undefined, "own property of the global");
    assert_true("value" in d, "a data property");
    assert_true(d.writable, "writable");
    assert_false(d.enumerable, "not enumerable");
    assert_true(d.configurable, "configurable");
  }, `Interface ${name} is exposed on the global as a non-enumerable data property`);
}

// WebIDL puts a regular operation on the object itself only when the interface that
// declares it has [Global]; otherwise on that interface's prototype object. The
// WindowOrWorkerGlobalScope mixin is included by Window, which is [Global=Window], and
// by WorkerGlobalScope, which is not [Global] (only DedicatedWorkerGlobalScope and the
// other worker global scopes are). So in a window these operations are own properties
// of the global, and in a worker they are properties of WorkerGlobalScope.prototype.
const inWorker = typeof WorkerGlobalScope === "function" && self instanceof WorkerGlobalScope;
const OPERATION_HOLDER = inWorker ? WorkerGlobalScope.prototype : self;
const OPERATION_HOLDER_NAME = inWorker ? "WorkerGlobalScope.prototype" : "the global (Window is [Global])";

for (const name of OPERATIONS) {
  test(() => {
    assert_true(name in self, "present");
    assert_equals(typeof self[name], "function", "typeof");
    assert_equals(self[name].name, name, "name");
    const d = Object.getOwnPropertyDescriptor(OPERATION_HOLDER, name);
    assert_not_equals(d, undefined, `a property of ${OPERATION_HOLDER_NAME}`);
    assert_equals(d.value, self[name], "the value the global sees");
    assert_true(d.writable, "writable");
    assert_true(d.enumerable, "enumerable");
    assert_true(d.configurable, "configurable");
  }, `Operation ${name} is exposed to the global as an enumerable data property`);
}

test(() => {
  assert_equals(typeof console, "object");
  assert_not_equals(console, null);
  const d = Object.getOwnPropertyDescriptor(self, "console");
  assert_not_equals(d, undefined, "own property of the global");
  assert_true(d.writable, "writable");
  assert_false(d.enumerable, "not enumerable");
  assert_true(d.configurable, "configurable");
}, "console is a namespace object on the global");

test(() => {
  assert_equals(Object.prototype.toString.call(console), "[object console]");
}, "console's @@toStringTag is \"console\"");

for (const method of CONSOLE_METHODS) {
  test(() => {
    assert_equals(typeof console[method], "function");
  }, `console.${method} is a function`);
}

test(() => {
  console.assert(true, "not printed");
  console.count("kpio");
  console.countReset("kpio");
  console.time("kpio-timer");
  console.timeLog("kpio-timer");
  console.timeEnd("kpio-timer");
}, "console methods can be called without throwing");

test(() => {
  const { log } = console;
  log.call(undefined, "detached console.log call");
  assert_equals(typeof log, "function");
}, "console methods do not depend on their this value");

// ---------------------------------------------------------------------------
// ErrorEvent
// ---------------------------------------------------------------------------

test(() => {
  const e = new ErrorEvent("error");
  assert_true(e instanceof Event);
  assert_equals(Object.getPrototypeOf(ErrorEvent.prototype), Event.prototype);
  assert_equals(e.type, "error");
  assert_equals(e.message, "");
  assert_equals(e.filename, "");
  assert_equals(e.lineno, 0);
  assert_equals(e.colno, 0);
  assert_false(e.bubbles);
  assert_false(e.cancelable);
  assert_false(e.isTrusted);
}, "new ErrorEvent(type) defaults");

test(() => {
  const err = new Error("boom");
  const e = new ErrorEvent("custom", {
    message: "msg", filename: "file.js", lineno: 12, colno: 34, error: err,
    bubbles: true, cancelable: true,
  });
  assert_equals(e.type, "custom");
  assert_equals(e.message, "msg");
  assert_equals(e.filename, "file.js");
  assert_equals(e.lineno, 12);
  assert_equals(e.colno, 34);
  assert_equals(e.error, err);
  assert_true(e.bubbles);
  assert_true(e.cancelable);
}, "new ErrorEvent(type, init) takes all members");

test(() => {
  const e = new ErrorEvent("error", { lineno: -1, colno: 2 ** 32 + 5, message: 42 });
  assert_equals(e.lineno, 4294967295, "unsigned long wraps");
  assert_equals(e.colno, 5, "unsigned long wraps");
  assert_equals(e.message, "42", "converted to a string");
}, "ErrorEvent members are converted (unsigned long, DOMString)");

test(() => {
  for (const name of ["message", "filename", "lineno", "colno", "error"]) {
    const d = Object.getOwnPropertyDescriptor(ErrorEvent.prototype, name);
    assert_not_equals(d, undefined, name);
    assert_equals(typeof d.get, "function", name);
    assert_equals(d.set, undefined, name);
  }
}, "ErrorEvent attributes are readonly accessors on ErrorEvent.prototype");

test(() => {
  assert_throws_js(TypeError, () => new ErrorEvent());
  assert_throws_js(TypeError, () => ErrorEvent("error"));
}, "ErrorEvent requires a type and new");

test(() => {
  const target = new EventTarget();
  let got;
  target.addEventListener("error", (e) => { got = e; });
  const e = new ErrorEvent("error", { error: 1 });
  target.dispatchEvent(e);
  assert_equals(got, e);
  assert_equals(got.error, 1);
}, "An ErrorEvent can be dispatched like any event");

// ---------------------------------------------------------------------------
// reportError
// ---------------------------------------------------------------------------

test(() => {
  assert_equals(typeof reportError, "function");
  assert_equals(reportError.length, 1);
  assert_throws_js(TypeError, () => reportError());
}, "reportError requires an argument");

test((t) => {
  const err = new TypeError("reported");
  const events = [];
  const listener = (e) => events.push(e);
  self.addEventListener("error", listener);
  t.add_cleanup(() => self.removeEventListener("error", listener));
  const result = reportError(err);
  assert_equals(result, undefined, "returns undefined and does not throw");
  assert_equals(events.length, 1, "one error event, fired synchronously");
  const e = events[0];
  assert_true(e instanceof ErrorEvent, "an ErrorEvent");
  assert_equals(e.type, "error");
  assert_equals(e.error, err, "error is the reported value");
  assert_equals(typeof e.message, "string");
  assert_equals(typeof e.filename, "string");
  assert_equals(typeof e.lineno, "number");
  assert_equals(typeof e.colno, "number");
  assert_equals(e.target, self);
  assert_true(e.cancelable, "cancelable");
  assert_false(e.bubbles, "does not bubble");
  assert_true(e.isTrusted, "trusted");
}, "reportError(e) fires a trusted, cancelable ErrorEvent named error at the global");

test((t) => {
  const values = [42, "a string", null, undefined, { plain: true }];
  const seen = [];
  const listener = (e) => seen.push(e.error);
  self.addEventListener("error", listener);
  t.add_cleanup(() => self.removeEventListener("error", listener));
  for (const v of values) reportError(v);
  assert_equals(seen.length, values.length);
  for (let i = 0; i < values.length; i++) {
    assert_equals(seen[i], values[i]);
  }
}, "reportError works with any value");

test((t) => {
  let seenDefaultPrevented;
  const cancel = (e) => e.preventDefault();
  const check = (e) => { seenDefaultPrevented = e.defaultPrevented; };
  self.addEventListener("error", cancel);
  self.addEventListener("error", check);
  t.add_cleanup(() => {
    self.removeEventListener("error", cancel);
    self.removeEventListener("error", check);
  });
  reportError(new Error("kpio-expected-cancel"));
  assert_true(seenDefaultPrevented);
}, "The error event fired by reportError can be canceled");

test((t) => {
  assert_equals(self.onerror, null, "onerror is initially null");
  const err = new Error("kpio-expected-onerror");
  let args;
  self.onerror = function (...a) {
    args = a;
    return true;
  };
  let canceled;
  const after = (e) => { canceled = e.defaultPrevented; };
  self.addEventListener("error", after);
  t.add_cleanup(() => {
    self.onerror = null;
    self.removeEventListener("error", after);
  });
  reportError(err);
  assert_equals(args.length, 5, "onerror gets five arguments");
  assert_equals(typeof args[0], "string", "message");
  assert_equals(typeof args[1], "string", "filename");
  assert_equals(typeof args[2], "number", "lineno");
  assert_equals(typeof args[3], "number", "colno");
  assert_equals(args[4], err, "error");
  assert_true(canceled, "returning true from onerror cancels the event");
}, "self.onerror is called with (message, filename, lineno, colno, error); returning true cancels");

test((t) => {
  const log = [];
  const first = () => { log.push("first"); throw new Error("kpio-expected-nested"); };
  const second = () => log.push("second");
  self.addEventListener("kpio-nested", first);
  self.addEventListener("kpio-nested", second);
  t.add_cleanup(() => {
    self.removeEventListener("kpio-nested", first);
    self.removeEventListener("kpio-nested", second);
  });
  self.dispatchEvent(new Event("kpio-nested"));
  assert_array_equals(log, ["first", "second"]);
}, "A listener on the global that throws does not stop the next one");

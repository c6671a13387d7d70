// META: global=window,worker
// META: title=Event, CustomEvent, EventTarget, AbortController and AbortSignal
//
// Written from the WHATWG DOM Standard (sections "Events" and "Aborting ongoing
// activities") and WebIDL. Listener exceptions are reported to the global
// (HTML "report an exception"), so uncaught exceptions are expected here.
"use strict";

setup({ allow_uncaught_exception: true });

// Collects the `error` events that reach the global while a test runs.
function collectErrors(t) {
  const errors = [];
  const listener = (e) => { errors.push(e.error); };
  self.addEventListener("error", listener);
  t.add_cleanup(() => self.removeEventListener("error", listener));
  return errors;
}

// Resolves with the first `error` event at the global whose error satisfies pred.
// Rejects if none has arrived after 2 s, so that a missing report fails the subtest
// that waits for it instead of timing out the whole file (and leaving the subtests
// after it NOTRUN).
function nextReportedError(t, pred) {
  return new Promise((resolve, reject) => {
    let timer = null;
    const listener = (e) => {
      if (!pred(e.error)) return;
      self.removeEventListener("error", listener);
      clearTimeout(timer);
      resolve(e);
    };
    self.addEventListener("error", listener);
    t.add_cleanup(() => self.removeEventListener("error", listener));
    timer = t.step_timeout(() => {
      self.removeEventListener("error", listener);
      reject(new Error("no matching error event reached the global within 2 s"));
    }, 2000);
  });
}

// ---------------------------------------------------------------------------
// Event constructor and attributes
// ---------------------------------------------------------------------------

test(() => {
  const e = new Event("foo");
  assert_equals(e.type, "foo", "type");
  assert_false(e.bubbles, "bubbles");
  assert_false(e.cancelable, "cancelable");
  assert_false(e.composed, "composed");
  assert_false(e.defaultPrevented, "defaultPrevented");
  assert_false(e.isTrusted, "isTrusted");
  assert_equals(e.target, null, "target");
  assert_equals(e.currentTarget, null, "currentTarget");
  assert_equals(e.srcElement, null, "srcElement");
  assert_equals(e.eventPhase, Event.NONE, "eventPhase");
  assert_true(e.returnValue, "returnValue");
  assert_false(e.cancelBubble, "cancelBubble");
}, "new Event(type) has the specified default attribute values");

test(() => {
  assert_throws_js(TypeError, () => new Event());
}, "Event constructor requires the type argument");

test(() => {
  assert_throws_js(TypeError, () => Event("foo"));
}, "Event constructor cannot be called without new");

test(() => {
  assert_equals(new Event(1).type, "1");
  assert_equals(new Event(null).type, "null");
  assert_equals(new Event(undefined).type, "undefined");
  assert_equals(new Event({ toString() { return "custom"; } }).type, "custom");
  assert_equals(new Event("").type, "");
}, "Event type is converted to a string (DOMString)");

test(() => {
  const e = new Event("foo", { bubbles: true, cancelable: true, composed: true });
  assert_true(e.bubbles, "bubbles");
  assert_true(e.cancelable, "cancelable");
  assert_true(e.composed, "composed");
}, "EventInit members bubbles, cancelable, composed are honoured");

test(() => {
  const e = new Event("foo", { bubbles: 1, cancelable: "yes", composed: {} });
  assert_true(e.bubbles, "bubbles");
  assert_true(e.cancelable, "cancelable");
  assert_true(e.composed, "composed");
  const f = new Event("foo", { bubbles: 0, cancelable: "", composed: null });
  assert_false(f.bubbles, "bubbles");
  assert_false(f.cancelable, "cancelable");
  assert_false(f.composed, "composed");
}, "EventInit members are converted to boolean");

test(() => {
  for (const init of [undefined, null, {}]) {
    const e = new Event("foo", init);
    assert_false(e.bubbles, `bubbles with ${init}`);
    assert_false(e.cancelable, `cancelable with ${init}`);
    assert_false(e.composed, `composed with ${init}`);
  }
}, "EventInit may be undefined, null or an empty object");

test(() => {
  assert_throws_js(TypeError, () => new Event("foo", 5));
  assert_throws_js(TypeError, () => new Event("foo", "bubbles"));
  assert_throws_js(TypeError, () => new Event("foo", true));
}, "A non-object EventInit throws a TypeError");

test(() => {
  const e = new Event("foo", { unknown: true, bubbles: true });
  assert_true(e.bubbles);
  assert_false("unknown" in e);
}, "Unknown EventInit members are ignored");

test(() => {
  const log = [];
  new Event("foo", {
    get bubbles() { log.push("bubbles"); return false; },
    get cancelable() { log.push("cancelable"); return false; },
    get composed() { log.push("composed"); return false; },
  });
  assert_array_equals(log, ["bubbles", "cancelable", "composed"]);
}, "EventInit members are read in lexicographical order");

test(() => {
  assert_equals(Event.NONE, 0);
  assert_equals(Event.CAPTURING_PHASE, 1);
  assert_equals(Event.AT_TARGET, 2);
  assert_equals(Event.BUBBLING_PHASE, 3);
}, "eventPhase constants exist on the Event interface object");

test(() => {
  assert_equals(Event.prototype.NONE, 0);
  assert_equals(Event.prototype.CAPTURING_PHASE, 1);
  assert_equals(Event.prototype.AT_TARGET, 2);
  assert_equals(Event.prototype.BUBBLING_PHASE, 3);
  const e = new Event("foo");
  assert_equals(e.AT_TARGET, 2);
}, "eventPhase constants also exist on Event.prototype (and so on instances)");

test(() => {
  for (const name of ["NONE", "CAPTURING_PHASE", "AT_TARGET", "BUBBLING_PHASE"]) {
    const d = Object.getOwnPropertyDescriptor(Event, name);
    assert_false(d.writable, `${name} writable`);
    assert_true(d.enumerable, `${name} enumerable`);
    assert_false(d.configurable, `${name} configurable`);
  }
}, "eventPhase constants are read-only, enumerable and non-configurable");

test(() => {
  const e = new Event("foo");
  assert_equals(typeof e.timeStamp, "number");
  assert_true(Number.isFinite(e.timeStamp), "finite");
  assert_greater_than_equal(e.timeStamp, 0);
  const later = new Event("bar");
  assert_greater_than_equal(later.timeStamp, e.timeStamp, "monotonic");
}, "timeStamp is a non-negative number that does not go backwards");

test(() => {
  const e = new Event("foo");
  const d = Object.getOwnPropertyDescriptor(e, "isTrusted");
  assert_not_equals(d, undefined, "isTrusted is an own property");
  assert_equals(typeof d.get, "function", "isTrusted is an accessor");
  assert_false(d.configurable, "isTrusted is not configurable");
  assert_false(Object.prototype.hasOwnProperty.call(Event.prototype, "isTrusted"),
    "isTrusted is not on the prototype");
}, "isTrusted is a [LegacyUnforgeable] own accessor property of each event");

test(() => {
  const target = new EventTarget();
  let trusted;
  target.addEventListener("foo", (e) => { trusted = e.isTrusted; });
  target.dispatchEvent(new Event("foo"));
  assert_false(trusted);
}, "isTrusted is false for events dispatched by script");

test(() => {
  for (const name of ["type", "target", "currentTarget", "eventPhase", "bubbles",
                      "cancelable", "defaultPrevented", "composed", "timeStamp"]) {
    const d = Object.getOwnPropertyDescriptor(Event.prototype, name);
    assert_not_equals(d, undefined, name);
    assert_equals(typeof d.get, "function", `${name} getter`);
    assert_equals(d.set, undefined, `${name} is readonly`);
  }
}, "Event attributes are readonly accessors on Event.prototype");

test(() => {
  const e = new Event("foo");
  assert_throws_js(TypeError, () => { e.type = "bar"; });
  assert_equals(e.type, "foo");
}, "Assigning to a readonly attribute throws in strict mode and does nothing");

// ---------------------------------------------------------------------------
// Cancelation
// ---------------------------------------------------------------------------

test(() => {
  const e = new Event("foo");
  e.preventDefault();
  assert_false(e.defaultPrevented);
  assert_true(e.returnValue);
}, "preventDefault() does nothing for a non-cancelable event");

test(() => {
  const e = new Event("foo", { cancelable: true });
  e.preventDefault();
  assert_true(e.defaultPrevented);
  assert_false(e.returnValue);
}, "preventDefault() cancels a cancelable event, also outside of dispatch");

test(() => {
  const e = new Event("foo", { cancelable: true });
  e.returnValue = false;
  assert_true(e.defaultPrevented, "returnValue = false cancels");
  e.returnValue = true;
  assert_true(e.defaultPrevented, "returnValue = true does not un-cancel");
  assert_false(e.returnValue);
}, "returnValue setter: false cancels, true does nothing");

test(() => {
  const e = new Event("foo");
  e.returnValue = false;
  assert_false(e.defaultPrevented);
  assert_true(e.returnValue);
}, "returnValue = false does nothing for a non-cancelable event");

test(() => {
  const target = new EventTarget();
  target.addEventListener("foo", (e) => e.preventDefault());
  assert_false(target.dispatchEvent(new Event("foo", { cancelable: true })), "cancelable");
  assert_true(target.dispatchEvent(new Event("foo")), "not cancelable");
  assert_true(new EventTarget().dispatchEvent(new Event("foo", { cancelable: true })),
    "no listener");
}, "dispatchEvent() returns false only if a cancelable event was canceled");

test(() => {
  const target = new EventTarget();
  const e = new Event("foo", { cancelable: true });
  e.preventDefault();
  assert_false(target.dispatchEvent(e));
  assert_true(e.defaultPrevented, "dispatch does not reset the canceled flag");
}, "An event canceled before dispatch is still canceled: dispatchEvent() returns false");

test(() => {
  const target = new EventTarget();
  let inListener;
  target.addEventListener("foo", (e) => {
    e.preventDefault();
    inListener = e.defaultPrevented;
  }, { passive: true });
  const e = new Event("foo", { cancelable: true });
  assert_true(target.dispatchEvent(e));
  assert_false(inListener, "defaultPrevented inside the passive listener");
  assert_false(e.defaultPrevented, "defaultPrevented after dispatch");
}, "preventDefault() is ignored in a passive listener");

test(() => {
  const target = new EventTarget();
  target.addEventListener("foo", (e) => { e.returnValue = false; }, { passive: true });
  const e = new Event("foo", { cancelable: true });
  assert_true(target.dispatchEvent(e));
  assert_false(e.defaultPrevented);
}, "returnValue = false is ignored in a passive listener");

test(() => {
  const target = new EventTarget();
  target.addEventListener("foo", (e) => e.preventDefault(), { passive: true });
  target.addEventListener("foo", (e) => e.preventDefault());
  const e = new Event("foo", { cancelable: true });
  assert_false(target.dispatchEvent(e));
  assert_true(e.defaultPrevented);
}, "A non-passive listener after a passive one can still cancel");

test(() => {
  const target = new EventTarget();
  target.addEventListener("foo", (e) => e.preventDefault(), { passive: false });
  assert_false(target.dispatchEvent(new Event("foo", { cancelable: true })));
}, "passive: false allows preventDefault()");

// ---------------------------------------------------------------------------
// Propagation flags
// ---------------------------------------------------------------------------

test(() => {
  const e = new Event("foo");
  assert_false(e.cancelBubble);
  e.cancelBubble = false;
  assert_false(e.cancelBubble);
  e.cancelBubble = true;
  assert_true(e.cancelBubble);
  e.cancelBubble = false;
  assert_true(e.cancelBubble, "setting false does not clear the flag");
}, "cancelBubble: setting true sets the stop propagation flag, false does nothing");

test(() => {
  const e = new Event("foo");
  e.stopPropagation();
  assert_true(e.cancelBubble);
  const f = new Event("foo");
  f.stopImmediatePropagation();
  assert_true(f.cancelBubble);
}, "stopPropagation() and stopImmediatePropagation() set cancelBubble");

test(() => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener("foo", (e) => { log.push(1); e.stopPropagation(); });
  target.addEventListener("foo", () => log.push(2));
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, [1, 2]);
}, "stopPropagation() does not stop other listeners on the same target and phase");

test(() => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener("foo", () => log.push(1));
  target.addEventListener("foo", (e) => { log.push(2); e.stopImmediatePropagation(); });
  target.addEventListener("foo", () => log.push(3));
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, [1, 2]);
}, "stopImmediatePropagation() stops the remaining listeners");

test(() => {
  const target = new EventTarget();
  const e = new Event("foo");
  target.addEventListener("foo", (ev) => ev.stopImmediatePropagation());
  target.dispatchEvent(e);
  assert_false(e.cancelBubble);
  let called = false;
  target.addEventListener("foo", () => { called = true; });
  target.dispatchEvent(e);
  assert_false(called, "first listener stops again");
  assert_false(e.cancelBubble);
}, "Propagation flags are cleared at the end of dispatch");

test(() => {
  const target = new EventTarget();
  let called = 0;
  target.addEventListener("foo", () => { called++; });
  const e = new Event("foo");
  e.stopPropagation();
  target.dispatchEvent(e);
  assert_equals(called, 0, "no listener runs when the stop propagation flag is set");
  assert_false(e.cancelBubble, "flag cleared after dispatch");
  target.dispatchEvent(e);
  assert_equals(called, 1, "next dispatch runs listeners");
}, "stopPropagation() before dispatch prevents all listeners from running");

test(() => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener("foo", () => log.push("bubble-1"));
  target.addEventListener("foo", () => log.push("capture"), true);
  target.addEventListener("foo", () => log.push("bubble-2"), false);
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["capture", "bubble-1", "bubble-2"]);
}, "At the target, capturing listeners run before non-capturing ones");

test(() => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener("foo", () => log.push("bubble"));
  target.addEventListener("foo", (e) => { log.push("capture"); e.stopPropagation(); }, true);
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["capture"]);
}, "stopPropagation() in a capturing listener at the target skips the non-capturing listeners");

// ---------------------------------------------------------------------------
// Dispatch state: target, currentTarget, eventPhase, composedPath
// ---------------------------------------------------------------------------

test(() => {
  const target = new EventTarget();
  const e = new Event("foo", { bubbles: true });
  let seen;
  target.addEventListener("foo", function (ev) {
    seen = {
      same: ev === e,
      target: ev.target,
      currentTarget: ev.currentTarget,
      srcElement: ev.srcElement,
      phase: ev.eventPhase,
      self: this,
    };
  });
  target.dispatchEvent(e);
  assert_true(seen.same, "listener receives the dispatched event");
  assert_equals(seen.target, target, "target");
  assert_equals(seen.currentTarget, target, "currentTarget");
  assert_equals(seen.srcElement, target, "srcElement");
  assert_equals(seen.phase, Event.AT_TARGET, "eventPhase");
  assert_equals(seen.self, target, "this");
}, "During dispatch: target, currentTarget, srcElement, eventPhase and this");

test(() => {
  const target = new EventTarget();
  const e = new Event("foo");
  target.addEventListener("foo", () => {});
  target.dispatchEvent(e);
  assert_equals(e.target, target, "target is kept");
  assert_equals(e.currentTarget, null, "currentTarget is reset");
  assert_equals(e.eventPhase, Event.NONE, "eventPhase is reset");
}, "After dispatch: target kept, currentTarget null, eventPhase NONE");

test(() => {
  const target = new EventTarget();
  const e = new Event("foo");
  assert_array_equals(e.composedPath(), [], "before dispatch");
  let during;
  target.addEventListener("foo", (ev) => { during = ev.composedPath(); });
  target.dispatchEvent(e);
  assert_array_equals(during, [target], "during dispatch");
  assert_array_equals(e.composedPath(), [], "after dispatch");
}, "composedPath() on a plain EventTarget");

test(() => {
  const target = new EventTarget();
  let phase;
  target.addEventListener("foo", (e) => { phase = e.eventPhase; }, { capture: true });
  target.dispatchEvent(new Event("foo"));
  assert_equals(phase, Event.AT_TARGET);
}, "eventPhase is AT_TARGET for a capturing listener on the target");

test(() => {
  const target = new EventTarget();
  let count = 0;
  target.addEventListener("foo", () => count++);
  target.dispatchEvent(new Event("foo", { bubbles: true }));
  target.dispatchEvent(new Event("foo", { bubbles: false }));
  assert_equals(count, 2);
}, "Listeners on the target run whether or not the event bubbles");

test(() => {
  const target = new EventTarget();
  let count = 0;
  target.addEventListener("foo", () => count++);
  target.dispatchEvent(new Event("bar"));
  target.dispatchEvent(new Event("FOO"));
  assert_equals(count, 0);
}, "Listeners only run for their own (case-sensitive) type");

// ---------------------------------------------------------------------------
// initEvent and CustomEvent
// ---------------------------------------------------------------------------

test(() => {
  const e = new Event("foo");
  e.initEvent("bar", true, true);
  assert_equals(e.type, "bar");
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  e.initEvent("baz");
  assert_equals(e.type, "baz");
  assert_false(e.bubbles, "bubbles defaults to false");
  assert_false(e.cancelable, "cancelable defaults to false");
}, "initEvent() sets type, bubbles and cancelable");

test(() => {
  const e = new Event("foo", { cancelable: true });
  e.preventDefault();
  e.stopPropagation();
  e.initEvent("foo", false, true);
  assert_false(e.defaultPrevented, "canceled flag cleared");
  assert_false(e.cancelBubble, "stop propagation flag cleared");
}, "initEvent() clears the canceled and stop propagation flags");

test(() => {
  const target = new EventTarget();
  let inner;
  target.addEventListener("foo", (e) => {
    e.initEvent("bar", true, true);
    inner = [e.type, e.bubbles, e.cancelable];
  });
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(inner, ["foo", false, false]);
}, "initEvent() does nothing while the event is being dispatched");

test(() => {
  assert_throws_js(TypeError, () => new Event("foo").initEvent());
}, "initEvent() requires the type argument");

test(() => {
  const e = new CustomEvent("foo");
  assert_true(e instanceof Event);
  assert_equals(Object.getPrototypeOf(CustomEvent.prototype), Event.prototype);
  assert_equals(e.type, "foo");
  assert_equals(e.detail, null);
  assert_false(e.bubbles);
}, "CustomEvent inherits from Event; detail defaults to null");

test(() => {
  const detail = { a: 1 };
  const e = new CustomEvent("foo", { detail, bubbles: true, cancelable: true });
  assert_equals(e.detail, detail, "detail is the same object");
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  assert_equals(new CustomEvent("foo", { detail: 0 }).detail, 0);
  assert_equals(new CustomEvent("foo", { detail: undefined }).detail, null,
    "undefined member means the default");
}, "CustomEvent detail carries any value");

test(() => {
  const target = new EventTarget();
  const detail = ["x"];
  let got;
  target.addEventListener("foo", (e) => { got = e.detail; });
  target.dispatchEvent(new CustomEvent("foo", { detail }));
  assert_equals(got, detail);
}, "CustomEvent detail is visible to listeners");

test(() => {
  const e = new CustomEvent("foo");
  e.initCustomEvent("bar", true, true, 42);
  assert_equals(e.type, "bar");
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  assert_equals(e.detail, 42);
}, "CustomEvent.prototype.initCustomEvent()");

test(() => {
  class MyEvent extends Event {
    constructor(type) { super(type, { cancelable: true }); this.extra = 1; }
  }
  const target = new EventTarget();
  let got;
  target.addEventListener("my", (e) => { got = e; e.preventDefault(); });
  const e = new MyEvent("my");
  assert_false(target.dispatchEvent(e));
  assert_equals(got, e);
  assert_true(got instanceof MyEvent);
  assert_equals(got.extra, 1);
}, "Event can be subclassed and the subclass instance dispatched");

// ---------------------------------------------------------------------------
// EventTarget
// ---------------------------------------------------------------------------

test(() => {
  const target = new EventTarget();
  assert_true(target instanceof EventTarget);
  assert_equals(Object.getPrototypeOf(target), EventTarget.prototype);
  assert_equals(typeof target.addEventListener, "function");
  assert_equals(typeof target.removeEventListener, "function");
  assert_equals(typeof target.dispatchEvent, "function");
  assert_throws_js(TypeError, () => EventTarget());
}, "EventTarget is constructible (and only with new)");

test(() => {
  class Emitter extends EventTarget {
    fire(type) { return this.dispatchEvent(new Event(type)); }
  }
  const em = new Emitter();
  let seen;
  em.addEventListener("ping", (e) => { seen = e.target; });
  assert_true(em.fire("ping"));
  assert_equals(seen, em);
  assert_true(em instanceof EventTarget);
}, "EventTarget can be subclassed");

test(() => {
  assert_equals(EventTarget.prototype.addEventListener.length, 2);
  assert_equals(EventTarget.prototype.removeEventListener.length, 2);
  assert_equals(EventTarget.prototype.dispatchEvent.length, 1);
}, "EventTarget method lengths");

test(() => {
  const target = new EventTarget();
  assert_throws_js(TypeError, () => target.addEventListener());
  assert_throws_js(TypeError, () => target.addEventListener("foo"));
  assert_throws_js(TypeError, () => target.removeEventListener("foo"));
  assert_throws_js(TypeError, () => target.dispatchEvent());
}, "Missing required arguments throw TypeError");

test(() => {
  const target = new EventTarget();
  assert_throws_js(TypeError, () => target.dispatchEvent(null));
  assert_throws_js(TypeError, () => target.dispatchEvent({ type: "foo" }));
  assert_throws_js(TypeError, () => target.dispatchEvent("foo"));
}, "dispatchEvent() with a non-Event throws TypeError");

test(() => {
  const target = new EventTarget();
  target.addEventListener("foo", null);
  target.addEventListener("foo", undefined);
  target.removeEventListener("foo", null);
  target.removeEventListener("foo", undefined);
  assert_true(target.dispatchEvent(new Event("foo")));
}, "A null or undefined callback is ignored by add/removeEventListener");

test(() => {
  const target = new EventTarget();
  assert_throws_js(TypeError, () => target.addEventListener("foo", 5));
  assert_throws_js(TypeError, () => target.addEventListener("foo", "listener"));
  assert_throws_js(TypeError, () => target.addEventListener("foo", true));
}, "A primitive (non-null) callback throws TypeError");

test(() => {
  const target = new EventTarget();
  const obj = {
    calls: 0,
    handleEvent(e) { this.calls++; this.self = this; this.event = e; },
  };
  target.addEventListener("foo", obj);
  const e = new Event("foo");
  target.dispatchEvent(e);
  assert_equals(obj.calls, 1);
  assert_equals(obj.self, obj, "this is the listener object");
  assert_equals(obj.event, e);
}, "An object with handleEvent() can be a listener");

test(() => {
  const target = new EventTarget();
  const obj = {};
  target.addEventListener("foo", obj);
  let calledWith;
  obj.handleEvent = function (e) { calledWith = this; };
  target.dispatchEvent(new Event("foo"));
  assert_equals(calledWith, obj);
}, "handleEvent is looked up at dispatch time, not when the listener is added");

test(() => {
  const target = new EventTarget();
  let gets = 0;
  const obj = { get handleEvent() { gets++; return () => {}; } };
  target.addEventListener("foo", obj);
  target.removeEventListener("foo", obj);
  assert_equals(gets, 0);
}, "addEventListener() and removeEventListener() do not read handleEvent");

test(() => {
  const target = new EventTarget();
  let gets = 0;
  const obj = { get handleEvent() { gets++; return () => {}; } };
  target.addEventListener("foo", obj);
  const before = gets;
  target.dispatchEvent(new Event("foo"));
  target.dispatchEvent(new Event("foo"));
  assert_equals(gets - before, 2);
}, "handleEvent is read once per invocation");

test(() => {
  const target = new EventTarget();
  const fn = function () { fn.calls = (fn.calls || 0) + 1; };
  fn.handleEvent = () => { throw new Error("must not be called"); };
  target.addEventListener("foo", fn);
  target.dispatchEvent(new Event("foo"));
  assert_equals(fn.calls, 1);
}, "A function listener is called directly, its handleEvent property is ignored");

promise_test(async (t) => {
  const target = new EventTarget();
  const obj = { handleEvent: "not callable" };
  const log = [];
  target.addEventListener("kpio-noncallable", obj);
  target.addEventListener("kpio-noncallable", () => log.push("next"));
  const reported = nextReportedError(t, (err) => err instanceof TypeError);
  target.dispatchEvent(new Event("kpio-noncallable"));
  assert_array_equals(log, ["next"], "later listener still runs");
  const e = await reported;
  assert_true(e.error instanceof TypeError);
}, "A non-callable handleEvent reports a TypeError and dispatch continues");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f);
  target.addEventListener("foo", f);
  target.addEventListener("foo", f, false);
  target.addEventListener("foo", f, { capture: false, once: true, passive: true });
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1);
}, "Duplicate listeners (same type, callback and capture) are ignored");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, { once: true });
  target.addEventListener("foo", f); // duplicate: the once registration stays
  target.dispatchEvent(new Event("foo"));
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1);
}, "A duplicate registration does not change the options of the first one");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, true);
  target.addEventListener("foo", f, false);
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 2);
}, "The same callback with different capture values is registered twice");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, true);
  target.addEventListener("foo", f, { capture: true });
  target.addEventListener("foo", f, { capture: 1 });
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1);
}, "capture given as a boolean or as an options member is the same flag");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, 1);
  target.addEventListener("foo", f, true);
  target.addEventListener("foo", f, "yes");
  target.addEventListener("foo", f, 0);
  target.addEventListener("foo", f, false);
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 2, "one capturing and one non-capturing registration");
}, "A non-object, non-boolean options argument is converted to boolean capture");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, { capture: true });
  target.removeEventListener("foo", f);
  target.removeEventListener("foo", f, false);
  target.removeEventListener("foo", f, { capture: false });
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1);
}, "removeEventListener() without capture does not remove a capturing listener");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, true);
  target.removeEventListener("foo", f, { capture: true });
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 0);
}, "removeEventListener(type, callback, { capture: true }) removes a capturing listener");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, { capture: true });
  target.removeEventListener("foo", f, true);
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 0);
}, "removeEventListener(type, callback, true) removes a capturing listener");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, { passive: true, once: false });
  target.removeEventListener("foo", f, { passive: false, once: true });
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 0);
}, "removeEventListener() ignores passive and once");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f);
  target.removeEventListener("bar", f);
  target.removeEventListener("foo", () => count++);
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1);
}, "removeEventListener() with a different type or callback removes nothing");

test(() => {
  const target = new EventTarget();
  const log = [];
  const obj = { handleEvent() { log.push("obj"); } };
  target.addEventListener("foo", obj);
  target.removeEventListener("foo", { handleEvent: obj.handleEvent });
  target.dispatchEvent(new Event("foo"));
  target.removeEventListener("foo", obj);
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["obj"]);
}, "Listener objects are matched by identity");

test(() => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener("foo", () => log.push("a"));
  target.addEventListener("foo", () => log.push("b"));
  target.addEventListener("foo", () => log.push("c"));
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["a", "b", "c"]);
}, "Listeners are invoked in registration order");

test(() => {
  const target = new EventTarget();
  let count = 0;
  target.addEventListener("foo", () => count++, { once: true });
  target.dispatchEvent(new Event("foo"));
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1);
}, "once: the listener runs only once");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => {
    count++;
    if (count === 1) target.dispatchEvent(new Event("foo"));
  };
  target.addEventListener("foo", f, { once: true });
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1);
}, "once: the listener is removed before it is invoked");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, { once: true });
  target.removeEventListener("foo", f);
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 0);
  target.addEventListener("foo", f, { once: true });
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1, "can be added again after removal");
}, "once: listeners can be removed before they run and added again");

test(() => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener("foo", () => log.push("outer"), { once: true });
  target.addEventListener("foo", () => log.push("second"));
  target.dispatchEvent(new Event("foo"));
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["outer", "second", "second"]);
}, "once only affects its own listener");

test(() => {
  const target = new EventTarget();
  const log = [];
  let i = 0;
  const options = {
    get capture() { log.push("capture"); return false; },
    get once() { log.push("once"); return false; },
    get passive() { log.push("passive"); return false; },
    get signal() { log.push("signal"); return undefined; },
  };
  target.addEventListener("foo", () => i++, options);
  assert_array_equals(log, ["capture", "once", "passive", "signal"]);
}, "AddEventListenerOptions members are read in order (capture first, then the rest by name)");

test(() => {
  const target = new EventTarget();
  const controller = new AbortController();
  let count = 0;
  target.addEventListener("foo", () => count++, { signal: controller.signal });
  target.dispatchEvent(new Event("foo"));
  controller.abort();
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1);
}, "signal: aborting the signal removes the listener");

test(() => {
  const target = new EventTarget();
  let count = 0;
  const f = () => count++;
  target.addEventListener("foo", f, { signal: AbortSignal.abort() });
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 0, "nothing was added");
  target.addEventListener("foo", f);
  target.dispatchEvent(new Event("foo"));
  assert_equals(count, 1, "a later registration works");
}, "signal: an already aborted signal adds nothing");

test(() => {
  const target = new EventTarget();
  const controller = new AbortController();
  const log = [];
  target.addEventListener("foo", () => log.push("a"), { signal: controller.signal });
  target.addEventListener("foo", () => log.push("b"));
  target.addEventListener("bar", () => log.push("c"), { signal: controller.signal });
  controller.abort();
  target.dispatchEvent(new Event("foo"));
  target.dispatchEvent(new Event("bar"));
  assert_array_equals(log, ["b"]);
}, "signal: one signal can remove several listeners, others stay");

test(() => {
  const target = new EventTarget();
  const controller = new AbortController();
  const log = [];
  target.addEventListener("foo", () => { log.push("a"); controller.abort(); });
  target.addEventListener("foo", () => log.push("b"), { signal: controller.signal });
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["a"]);
}, "signal: aborting during dispatch removes a listener that has not run yet");

test(() => {
  const target = new EventTarget();
  assert_throws_js(TypeError, () => target.addEventListener("foo", () => {}, { signal: null }));
  assert_throws_js(TypeError, () => target.addEventListener("foo", () => {}, { signal: {} }));
}, "signal must be an AbortSignal (null is not allowed)");

test(() => {
  const target = new EventTarget();
  const log = [];
  const late = () => log.push("late");
  target.addEventListener("foo", () => {
    log.push("first");
    target.addEventListener("foo", late);
  });
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["first"], "not run in the dispatch that added it");
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["first", "first", "late"]);
}, "A listener added during dispatch does not run in that dispatch");

test(() => {
  const target = new EventTarget();
  const log = [];
  const second = () => log.push("second");
  target.addEventListener("foo", () => {
    log.push("first");
    target.removeEventListener("foo", second);
  });
  target.addEventListener("foo", second);
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["first"]);
}, "A listener removed during dispatch does not run");

test(() => {
  const target = new EventTarget();
  const log = [];
  const second = () => log.push("second");
  target.addEventListener("foo", () => {
    log.push("first");
    target.removeEventListener("foo", second);
    target.addEventListener("foo", second);
  });
  target.addEventListener("foo", second);
  target.dispatchEvent(new Event("foo"));
  assert_array_equals(log, ["first"], "removed then re-added: the new one is not run now");
}, "A listener removed and re-added during dispatch does not run in that dispatch");

test(() => {
  const target = new EventTarget();
  const e = new Event("foo");
  let error;
  target.addEventListener("foo", () => {
    try {
      target.dispatchEvent(e);
    } catch (err) {
      error = err;
    }
  });
  target.dispatchEvent(e);
  assert_true(error instanceof DOMException, "a DOMException");
  assert_equals(error.name, "InvalidStateError");
  assert_equals(error.code, DOMException.INVALID_STATE_ERR);
}, "Dispatching an event that is being dispatched throws InvalidStateError");

test(() => {
  const a = new EventTarget();
  const b = new EventTarget();
  const e = new Event("foo");
  let threw = false;
  a.addEventListener("foo", () => {
    assert_throws_dom("InvalidStateError", () => b.dispatchEvent(e));
    threw = true;
  });
  a.dispatchEvent(e);
  assert_true(threw);
}, "An event being dispatched cannot be dispatched at another target either");

test(() => {
  const a = new EventTarget();
  const b = new EventTarget();
  const e = new Event("foo");
  const targets = [];
  a.addEventListener("foo", (ev) => targets.push(ev.target));
  b.addEventListener("foo", (ev) => targets.push(ev.target));
  assert_true(a.dispatchEvent(e));
  assert_true(b.dispatchEvent(e));
  assert_array_equals(targets, [a, b]);
  assert_false(e.isTrusted);
}, "An already dispatched event can be dispatched again");

test(() => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener("foo", () => { log.push(1); throw new Error("kpio-expected-1"); });
  target.addEventListener("foo", () => log.push(2));
  let result;
  const e = new Event("foo", { cancelable: true });
  result = target.dispatchEvent(e);
  assert_array_equals(log, [1, 2]);
  assert_true(result, "dispatchEvent returns normally");
}, "A throwing listener does not stop later listeners and dispatchEvent does not throw");

promise_test(async (t) => {
  const target = new EventTarget();
  const err = new Error("kpio-expected-2");
  const reported = nextReportedError(t, (e) => e === err);
  target.addEventListener("foo", () => { throw err; });
  target.dispatchEvent(new Event("foo"));
  const e = await reported;
  assert_equals(e.type, "error");
  assert_equals(e.error, err);
  assert_equals(typeof e.message, "string");
}, "An exception thrown by a listener is reported as an error event at the global");

test((t) => {
  const errors = collectErrors(t);
  const target = new EventTarget();
  const err = new Error("kpio-expected-3");
  target.addEventListener("foo", () => { throw err; });
  target.dispatchEvent(new Event("foo"));
  assert_true(errors.includes(err), "reported before dispatchEvent() returns");
}, "An exception thrown by a listener is reported synchronously, during dispatch");

test(() => {
  const target = new EventTarget();
  const e = new Event("foo", { cancelable: true });
  target.addEventListener("foo", (ev) => { ev.preventDefault(); throw new Error("kpio-expected-4"); });
  assert_false(target.dispatchEvent(e));
}, "preventDefault() before a listener throws still cancels the event");

test(() => {
  const target = new EventTarget();
  const holder = {};
  target.addEventListener("foo", function () { holder.fn = this; });
  const obj = { handleEvent() { holder.obj = this; } };
  target.addEventListener("foo", obj);
  target.addEventListener("foo", () => { holder.arrow = this; });
  target.dispatchEvent(new Event("foo"));
  assert_equals(holder.fn, target, "function: this is currentTarget");
  assert_equals(holder.obj, obj, "handleEvent: this is the object");
  assert_equals(holder.arrow, self, "arrow function: lexical this (the global, as at the top level of a script)");
}, "this inside listeners");

test(() => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener("a", () => {
    log.push("a-start");
    target.dispatchEvent(new Event("b"));
    log.push("a-end");
  });
  target.addEventListener("b", () => log.push("b"));
  target.dispatchEvent(new Event("a"));
  assert_array_equals(log, ["a-start", "b", "a-end"]);
}, "Dispatch is synchronous and can be nested for different events");

// ---------------------------------------------------------------------------
// AbortController / AbortSignal
// ---------------------------------------------------------------------------

test(() => {
  const controller = new AbortController();
  const signal = controller.signal;
  assert_true(signal instanceof AbortSignal);
  assert_true(signal instanceof EventTarget);
  assert_equals(controller.signal, signal, "same object every time");
  assert_false(signal.aborted);
  assert_equals(signal.reason, undefined);
}, "A new AbortController has a non-aborted signal");

test(() => {
  assert_throws_js(TypeError, () => new AbortSignal());
  assert_throws_js(TypeError, () => AbortController());
}, "AbortSignal is not constructible; AbortController needs new");

test(() => {
  const controller = new AbortController();
  controller.abort();
  const reason = controller.signal.reason;
  assert_true(controller.signal.aborted);
  assert_true(reason instanceof DOMException, "reason is a DOMException");
  assert_equals(reason.name, "AbortError");
  assert_equals(reason.code, DOMException.ABORT_ERR);
}, "abort() without a reason: reason is an AbortError DOMException");

test(() => {
  const controller = new AbortController();
  controller.abort(undefined);
  assert_equals(controller.signal.reason.name, "AbortError");
}, "abort(undefined) uses the default AbortError reason");

test(() => {
  for (const reason of ["why", 0, null, false, { custom: true }, new Error("e")]) {
    const controller = new AbortController();
    controller.abort(reason);
    assert_true(controller.signal.aborted);
    assert_equals(controller.signal.reason, reason, String(reason));
  }
}, "abort(reason) keeps any reason value, including falsy ones");

test(() => {
  const controller = new AbortController();
  const signal = controller.signal;
  const events = [];
  signal.addEventListener("abort", (e) => {
    events.push(e);
    assert_true(signal.aborted, "aborted during the event");
    assert_equals(signal.reason, "first", "reason during the event");
  });
  controller.abort("first");
  controller.abort("second");
  assert_equals(events.length, 1, "abort event fired once");
  assert_equals(signal.reason, "first", "reason unchanged by a second abort()");
  const e = events[0];
  assert_equals(e.type, "abort");
  assert_equals(e.target, signal);
  assert_false(e.bubbles);
  assert_false(e.cancelable);
  assert_true(e.isTrusted, "fired by the user agent");
}, "abort event is fired once, synchronously, at the signal");

test(() => {
  const controller = new AbortController();
  let count = 0;
  controller.signal.onabort = (e) => { count++; assert_equals(e.type, "abort"); };
  assert_equals(typeof controller.signal.onabort, "function");
  controller.abort();
  assert_equals(count, 1);
}, "signal.onabort event handler attribute");

test(() => {
  const controller = new AbortController();
  controller.signal.throwIfAborted();
  const reason = new Error("stop");
  controller.abort(reason);
  let thrown;
  try {
    controller.signal.throwIfAborted();
  } catch (e) {
    thrown = e;
  }
  assert_equals(thrown, reason);
}, "throwIfAborted() does nothing until aborted, then throws the reason itself");

test(() => {
  const controller = new AbortController();
  controller.abort("a string");
  let thrown;
  try { controller.signal.throwIfAborted(); } catch (e) { thrown = e; }
  assert_equals(thrown, "a string");
}, "throwIfAborted() throws non-Error reasons as they are");

test(() => {
  const signal = AbortSignal.abort();
  assert_true(signal instanceof AbortSignal);
  assert_true(signal.aborted);
  assert_equals(signal.reason.name, "AbortError");
  assert_true(signal.reason instanceof DOMException);
  const reason = { r: 1 };
  assert_equals(AbortSignal.abort(reason).reason, reason);
  assert_not_equals(AbortSignal.abort(), AbortSignal.abort(), "a new signal each time");
}, "AbortSignal.abort() and AbortSignal.abort(reason)");

test(() => {
  const signal = AbortSignal.timeout(1000);
  assert_true(signal instanceof AbortSignal);
  assert_false(signal.aborted);
  assert_equals(signal.reason, undefined);
}, "AbortSignal.timeout() returns a signal that is not aborted yet");

promise_test(async () => {
  const signal = AbortSignal.timeout(10);
  const e = await new Promise((resolve) => signal.addEventListener("abort", resolve));
  assert_true(signal.aborted);
  assert_true(signal.reason instanceof DOMException);
  assert_equals(signal.reason.name, "TimeoutError");
  assert_equals(signal.reason.code, DOMException.TIMEOUT_ERR);
  assert_equals(e.target, signal);
}, "AbortSignal.timeout(ms) aborts with a TimeoutError DOMException");

test(() => {
  assert_throws_js(TypeError, () => AbortSignal.timeout());
}, "AbortSignal.timeout() requires an argument");

test(() => {
  assert_throws_js(TypeError, () => AbortSignal.timeout(-1));
  assert_throws_js(TypeError, () => AbortSignal.timeout(Infinity));
  assert_throws_js(TypeError, () => AbortSignal.timeout(NaN));
}, "AbortSignal.timeout() argument is [EnforceRange] unsigned long long: out of range throws TypeError");

test(() => {
  const signal = AbortSignal.any([]);
  assert_true(signal instanceof AbortSignal);
  assert_false(signal.aborted);
}, "AbortSignal.any([]) is never aborted");

test(() => {
  const a = new AbortController();
  const b = new AbortController();
  b.abort("b-reason");
  const c = AbortSignal.abort("c-reason");
  const signal = AbortSignal.any([a.signal, b.signal, c]);
  assert_true(signal.aborted);
  assert_equals(signal.reason, "b-reason", "the first aborted signal in the list wins");
}, "AbortSignal.any() of an already aborted signal is aborted with its reason");

test(() => {
  const a = new AbortController();
  const b = new AbortController();
  const signal = AbortSignal.any([a.signal, b.signal]);
  assert_not_equals(signal, a.signal);
  let events = 0;
  signal.addEventListener("abort", () => events++);
  const reason = new Error("b");
  b.abort(reason);
  assert_true(signal.aborted);
  assert_equals(signal.reason, reason);
  assert_equals(events, 1);
  a.abort("a");
  assert_equals(signal.reason, reason, "later aborts do not change it");
  assert_equals(events, 1);
}, "AbortSignal.any() follows the first source that aborts");

test(() => {
  const a = new AbortController();
  const inner = AbortSignal.any([a.signal]);
  const outer = AbortSignal.any([inner]);
  a.abort("deep");
  assert_true(outer.aborted);
  assert_equals(outer.reason, "deep");
}, "AbortSignal.any() of a dependent signal follows the original source");

test(() => {
  const a = new AbortController();
  const signal = AbortSignal.any([a.signal, a.signal]);
  let events = 0;
  signal.onabort = () => events++;
  a.abort();
  assert_equals(events, 1);
  assert_equals(signal.reason, a.signal.reason);
}, "AbortSignal.any() with the same signal twice aborts once");

test(() => {
  const a = new AbortController();
  const dependent = AbortSignal.any([a.signal]);
  let seen;
  a.signal.addEventListener("abort", () => {
    seen = [dependent.aborted, dependent.reason];
  });
  a.abort("why");
  assert_array_equals(seen, [true, "why"]);
}, "Dependent signals are marked aborted before the source's abort event fires");

test(() => {
  const a = new AbortController();
  const dependent = AbortSignal.any([a.signal]);
  const log = [];
  a.signal.addEventListener("abort", () => log.push("source"));
  dependent.addEventListener("abort", () => log.push("dependent"));
  a.abort();
  assert_array_equals(log, ["source", "dependent"]);
}, "The source's abort event fires before the dependent's");

test(() => {
  assert_throws_js(TypeError, () => AbortSignal.any());
  assert_throws_js(TypeError, () => AbortSignal.any([{}]));
  assert_throws_js(TypeError, () => AbortSignal.any(5));
}, "AbortSignal.any() requires a sequence of AbortSignals");

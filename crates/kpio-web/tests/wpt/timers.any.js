// META: global=window,worker
// META: title=Timers and microtasks
//
// Written from the HTML Standard: "Timers" (setTimeout, setInterval,
// clearTimeout, clearInterval and the timer initialization steps),
// "Microtask queuing" (queueMicrotask) and the event loop's
// "perform a microtask checkpoint"; exceptions in callbacks are reported
// ("report an exception") as an error event at the global.
"use strict";

setup({ allow_uncaught_exception: true });

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Resolves with the first `error` event at the global whose error satisfies pred.
function nextReportedError(t, pred) {
  return new Promise((resolve) => {
    const listener = (e) => {
      if (!pred(e.error)) return;
      self.removeEventListener("error", listener);
      resolve(e);
    };
    self.addEventListener("error", listener);
    t.add_cleanup(() => self.removeEventListener("error", listener));
  });
}

// ---------------------------------------------------------------------------
// Handles
// ---------------------------------------------------------------------------

test((t) => {
  const ids = [setTimeout(() => {}, 1000), setInterval(() => {}, 1000), setTimeout(() => {}, 0)];
  t.add_cleanup(() => { clearTimeout(ids[0]); clearInterval(ids[1]); clearTimeout(ids[2]); });
  for (const id of ids) {
    assert_equals(typeof id, "number", "a number");
    assert_true(Number.isInteger(id), "an integer");
    assert_greater_than(id, 0, "positive");
  }
}, "setTimeout and setInterval return positive integers");

test((t) => {
  const ids = [];
  for (let i = 0; i < 5; i++) {
    ids.push(setTimeout(() => {}, 1000));
    ids.push(setInterval(() => {}, 1000));
  }
  t.add_cleanup(() => ids.forEach((id) => clearTimeout(id)));
  assert_equals(new Set(ids).size, ids.length);
}, "Timer handles are distinct, across setTimeout and setInterval");

test(() => {
  assert_equals(setTimeout.length, 1, "setTimeout");
  assert_equals(setInterval.length, 1, "setInterval");
  assert_equals(clearTimeout.length, 0, "clearTimeout (optional id)");
  assert_equals(clearInterval.length, 0, "clearInterval (optional id)");
}, "Timer function lengths follow their WebIDL signatures");

test(() => {
  assert_throws_js(TypeError, () => setTimeout());
  assert_throws_js(TypeError, () => setInterval());
}, "setTimeout and setInterval require a handler argument");

test(() => {
  assert_equals(queueMicrotask(() => {}), undefined);
  assert_equals(clearTimeout(setTimeout(() => {}, 1000)), undefined);
}, "queueMicrotask and clearTimeout return undefined");

// ---------------------------------------------------------------------------
// setTimeout
// ---------------------------------------------------------------------------

async_test((t) => {
  let called = false;
  setTimeout(t.step_func_done(() => {
    called = true;
  }), 0);
  assert_false(called, "not called synchronously");
}, "setTimeout callbacks never run synchronously");

async_test((t) => {
  const log = [];
  const finish = t.step_func_done(() => {
    assert_array_equals(log, [0, 10, 20]);
  });
  setTimeout(() => { log.push(20); finish(); }, 20);
  setTimeout(() => log.push(0), 0);
  setTimeout(() => log.push(10), 10);
}, "Timers fire in order of their delay");

async_test((t) => {
  const log = [];
  for (let i = 0; i < 5; i++) {
    setTimeout(() => log.push(i), 5);
  }
  setTimeout(t.step_func_done(() => {
    assert_array_equals(log, [0, 1, 2, 3, 4]);
  }), 15);
}, "Timers with equal delays fire in the order they were set");

async_test((t) => {
  const obj = {};
  setTimeout(t.step_func_done(function (...args) {
    assert_equals(args.length, 4);
    assert_equals(args[0], 1);
    assert_equals(args[1], "two");
    assert_equals(args[2], obj);
    assert_equals(args[3], undefined);
  }), 0, 1, "two", obj, undefined);
}, "Extra setTimeout arguments are passed to the callback");

async_test((t) => {
  setTimeout(t.step_func_done(function () {
    assert_equals(arguments.length, 0);
  }), 0);
}, "Without extra arguments the callback gets none");

async_test((t) => {
  // (testharness's step_func would replace `this`, so capture it first.)
  setTimeout(function () {
    const thisValue = this;
    t.step(() => assert_equals(thisValue, self));
    t.done();
  }, 0);
}, "The this value of a setTimeout callback is the global object");

async_test((t) => {
  const log = [];
  setTimeout(() => log.push("ten"), 10);
  setTimeout(() => log.push("zero"), 0);
  setTimeout(() => log.push("negative"), -10);
  setTimeout(() => log.push("NaN"), NaN);
  setTimeout(() => log.push("missing"));
  setTimeout(t.step_func_done(() => {
    assert_array_equals(log, ["zero", "negative", "NaN", "missing", "ten"]);
  }), 20);
}, "Negative, NaN and missing delays are treated as 0");

async_test((t) => {
  const log = [];
  setTimeout(() => log.push("string 10"), "10");
  setTimeout(() => log.push("zero"), 0);
  setTimeout(t.step_func_done(() => {
    assert_array_equals(log, ["zero", "string 10"]);
  }), 25);
}, "The delay is converted to a number");

async_test((t) => {
  const log = [];
  setTimeout(() => log.push("valueOf 15"), { valueOf() { return 15; } });
  setTimeout(() => log.push("five"), 5);
  setTimeout(t.step_func_done(() => {
    assert_array_equals(log, ["five", "valueOf 15"]);
  }), 30);
}, "The delay is converted with valueOf()");

async_test((t) => {
  const log = [];
  // 2**32 as a WebIDL long wraps around to 0: the timer fires almost at once.
  setTimeout(() => log.push("wrapped"), 2 ** 32);
  setTimeout(t.step_func_done(() => {
    log.push("later");
    assert_array_equals(log, ["wrapped", "later"]);
  }), 30);
}, "The delay is a WebIDL long: 2**32 wraps to 0");

async_test((t) => {
  const log = [];
  setTimeout(() => {
    log.push("outer");
    setTimeout(t.step_func_done(() => {
      log.push("inner");
      assert_array_equals(log, ["outer", "sibling", "inner"]);
    }), 0);
  }, 0);
  setTimeout(() => log.push("sibling"), 0);
}, "A timer set from a timer callback runs after timers already due");

// ---------------------------------------------------------------------------
// clearTimeout / clearInterval
// ---------------------------------------------------------------------------

async_test((t) => {
  const id = setTimeout(t.unreached_func("cleared timer ran"), 0);
  clearTimeout(id);
  setTimeout(t.step_func_done(), 10);
}, "clearTimeout cancels a pending timer");

async_test((t) => {
  let id2;
  setTimeout(() => clearTimeout(id2), 0);
  id2 = setTimeout(t.unreached_func("timer cleared by an earlier one ran"), 0);
  setTimeout(t.step_func_done(), 10);
}, "A timer cleared by an earlier callback in the same turn does not run");

test(() => {
  clearTimeout(123456789);
  clearTimeout(0);
  clearTimeout(-1);
  clearTimeout(undefined);
  clearTimeout(null);
  clearTimeout();
  clearTimeout("not an id");
  clearInterval(123456789);
  clearInterval();
  clearInterval(undefined);
}, "Clearing unknown handles does nothing and does not throw");

async_test((t) => {
  const id = setTimeout(t.step_func(() => {
    clearTimeout(id);
    clearInterval(id);
    setTimeout(t.step_func_done(), 0);
  }), 0);
}, "Clearing a timer that already fired does nothing");

async_test((t) => {
  const timeoutId = setTimeout(t.unreached_func("setTimeout cleared by clearInterval ran"), 0);
  const intervalId = setInterval(t.unreached_func("setInterval cleared by clearTimeout ran"), 0);
  clearInterval(timeoutId);
  clearTimeout(intervalId);
  setTimeout(t.step_func_done(), 20);
}, "clearTimeout and clearInterval share one list of active timers");

// ---------------------------------------------------------------------------
// setInterval
// ---------------------------------------------------------------------------

async_test((t) => {
  let count = 0;
  const id = setInterval(t.step_func(() => {
    count++;
    if (count === 3) {
      clearInterval(id);
      setTimeout(t.step_func_done(() => {
        assert_equals(count, 3, "no more calls after clearInterval");
      }), 30);
    }
  }), 2);
}, "setInterval repeats until cleared");

async_test((t) => {
  let count = 0;
  const id = setInterval(t.step_func((a, b) => {
    assert_equals(a, "x");
    assert_equals(b, 2);
    count++;
    if (count === 2) {
      clearInterval(id);
      t.done();
    }
  }), 0, "x", 2);
}, "setInterval passes extra arguments on every call, also with delay 0");

async_test((t) => {
  const id = setInterval(function () {
    clearInterval(id);
    const thisValue = this;
    t.step(() => assert_equals(thisValue, self));
    t.done();
  }, 0);
}, "The this value of a setInterval callback is the global object");

// ---------------------------------------------------------------------------
// Microtasks
// ---------------------------------------------------------------------------

test(() => {
  assert_equals(typeof queueMicrotask, "function");
  assert_equals(queueMicrotask.length, 1);
  assert_throws_js(TypeError, () => queueMicrotask());
  assert_throws_js(TypeError, () => queueMicrotask(null));
  assert_throws_js(TypeError, () => queueMicrotask("code"));
  assert_throws_js(TypeError, () => queueMicrotask({}));
}, "queueMicrotask requires a function");

async_test((t) => {
  const log = [];
  queueMicrotask(() => log.push("microtask"));
  log.push("sync");
  setTimeout(t.step_func_done(() => {
    assert_array_equals(log, ["sync", "microtask"]);
  }), 0);
}, "A microtask runs after the current script, not synchronously");

async_test((t) => {
  queueMicrotask(function () {
    const thisValue = this;
    const argCount = arguments.length;
    t.step(() => {
      assert_equals(argCount, 0, "no arguments");
      assert_equals(thisValue, undefined, "this is undefined (strict function)");
    });
    t.done();
  });
}, "A microtask callback gets no arguments and an undefined this");

async_test((t) => {
  const log = [];
  Promise.resolve().then(() => log.push("promise 1"));
  queueMicrotask(() => log.push("microtask 1"));
  Promise.resolve().then(() => log.push("promise 2"));
  queueMicrotask(() => log.push("microtask 2"));
  setTimeout(t.step_func_done(() => {
    assert_array_equals(log, ["promise 1", "microtask 1", "promise 2", "microtask 2"]);
  }), 0);
}, "queueMicrotask and promise reactions share one FIFO queue");

async_test((t) => {
  const log = [];
  setTimeout(() => {
    log.push("timer A");
    Promise.resolve().then(() => log.push("promise from A"));
    queueMicrotask(() => {
      log.push("microtask from A");
      queueMicrotask(() => log.push("nested microtask"));
    });
  }, 0);
  setTimeout(t.step_func_done(() => {
    log.push("timer B");
    assert_array_equals(log, ["timer A", "promise from A", "microtask from A", "nested microtask", "timer B"]);
  }), 0);
}, "All microtasks (also nested ones) run before the next timer");

async_test((t) => {
  const log = [];
  setTimeout(t.step_func_done(() => {
    assert_array_equals(log, ["micro 1", "micro 2", "micro 3"]);
  }), 0);
  let n = 0;
  function step() {
    n++;
    log.push("micro " + n);
    if (n < 3) queueMicrotask(step);
  }
  queueMicrotask(step);
}, "Microtasks queued by microtasks run in the same checkpoint, before timers set earlier");

async_test((t) => {
  const log = [];
  const p = new Promise((resolve) => setTimeout(() => { log.push("resolve"); resolve(); }, 0));
  p.then(() => log.push("then"));
  setTimeout(t.step_func_done(() => {
    log.push("next timer");
    assert_array_equals(log, ["resolve", "then", "next timer"]);
  }), 0);
}, "A promise resolved in a timer callback reacts before the next timer");

// ---------------------------------------------------------------------------
// Exceptions in callbacks
// ---------------------------------------------------------------------------

async_test((t) => {
  const log = [];
  queueMicrotask(() => { log.push(1); throw new Error("kpio-expected-microtask-1"); });
  queueMicrotask(() => log.push(2));
  Promise.resolve().then(() => log.push(3));
  setTimeout(t.step_func_done(() => {
    assert_array_equals(log, [1, 2, 3]);
  }), 0);
}, "An exception in a queueMicrotask callback does not stop other microtasks");

promise_test(async (t) => {
  const err = new Error("kpio-expected-microtask-2");
  const reported = nextReportedError(t, (e) => e === err);
  queueMicrotask(() => { throw err; });
  const e = await reported;
  assert_equals(e.type, "error");
  assert_equals(e.error, err);
  assert_equals(typeof e.message, "string");
  assert_true(e.cancelable, "the error event is cancelable");
}, "An exception in a queueMicrotask callback is reported as an error event at the global");

async_test((t) => {
  const log = [];
  setTimeout(() => { log.push("throws"); throw new Error("kpio-expected-timer-1"); }, 0);
  setTimeout(() => log.push("next"), 0);
  setTimeout(t.step_func_done(() => {
    assert_array_equals(log, ["throws", "next"]);
  }), 10);
}, "An exception in a timer callback does not stop later timers");

promise_test(async (t) => {
  const err = new Error("kpio-expected-timer-2");
  const reported = nextReportedError(t, (e) => e === err);
  setTimeout(() => { throw err; }, 0);
  const e = await reported;
  assert_equals(e.error, err);
}, "An exception in a timer callback is reported as an error event at the global");

async_test((t) => {
  let count = 0;
  // Not wrapped in step_func: the exception must escape to the timer.
  const id = setInterval(() => {
    count++;
    if (count === 2) {
      clearInterval(id);
      t.done();
      return;
    }
    throw new Error("kpio-expected-interval");
  }, 0);
}, "An interval keeps running after its callback throws");

// HTML's timers (setTimeout, setInterval) and queueMicrotask. Callbacks live here; the
// host's queue (src/timers.rs) only knows ids and due times, and calls runTimer(id).
(function (ops, internals) {
  'use strict';
  const timers = new Map();
  let nextId = 1;
  let nesting = 0;

  function toLong(v) {
    const n = Number(v);
    return Number.isFinite(n) ? n | 0 : 0;
  }

  function start(handler, timeout, args, repeat) {
    const id = nextId++;
    const t = {
      handler: typeof handler === 'function' ? handler : String(handler),
      args,
      repeat,
      timeout: Math.max(0, toLong(timeout)),
      nesting: nesting + 1,
    };
    timers.set(id, t);
    arm(id, t);
    return id;
  }

  function arm(id, t) {
    // HTML: past five nested levels, a timeout under 4 ms becomes 4 ms.
    ops.timerArm(id, t.nesting > 5 && t.timeout < 4 ? 4 : t.timeout);
  }

  function clear(id = 0) {
    id = toLong(id);
    if (timers.delete(id)) ops.timerCancel(id);
  }

  function runTimer(id) {
    const t = timers.get(id);
    if (t === undefined) return;
    if (!t.repeat) timers.delete(id);
    const saved = nesting;
    nesting = t.nesting;
    try {
      if (typeof t.handler === 'function') t.handler.apply(globalThis, t.args);
      else (0, eval)(t.handler);
    } catch (e) {
      internals.reportException(e);
    } finally {
      nesting = saved;
    }
    if (t.repeat && timers.get(id) === t) {
      t.nesting += 1;
      arm(id, t);
    }
  }

  internals.exposeOperation('setTimeout', function setTimeout(handler, timeout = 0, ...args) {
    internals.requireArgs(arguments.length, 1, "Failed to execute 'setTimeout'");
    return start(handler, timeout, args, false);
  });
  internals.exposeOperation('setInterval', function setInterval(handler, timeout = 0, ...args) {
    internals.requireArgs(arguments.length, 1, "Failed to execute 'setInterval'");
    return start(handler, timeout, args, true);
  });
  internals.exposeOperation('clearTimeout', function clearTimeout(id = 0) { clear(id); });
  internals.exposeOperation('clearInterval', function clearInterval(id = 0) { clear(id); });
  internals.exposeOperation('queueMicrotask', function queueMicrotask(callback) {
    internals.requireArgs(arguments.length, 1, "Failed to execute 'queueMicrotask'");
    if (typeof callback !== 'function') {
      throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
    }
    Promise.resolve().then(() => {
      try {
        callback();
      } catch (e) {
        internals.reportException(e);
      }
    });
  });

  ops.setHooks(runTimer, internals.reportException);

  // HTML's "queue a global task": `steps` runs as its own task, after the tasks queued
  // before it and before timers that are due; what it throws is reported.
  internals.queueTask = (steps) => {
    ops.queueTask(() => {
      try {
        steps();
      } catch (e) {
        internals.reportException(e);
      }
    });
  };
});

// AbortController and AbortSignal (DOM Standard, section 3.1 to 3.2).
(function (ops, internals) {
  'use strict';
  const { illegal, token } = internals;
  const signals = new WeakMap();

  function sig(self) {
    const s = signals.get(self);
    if (!s) throw illegal();
    return s;
  }

  class AbortSignal extends EventTarget {
    constructor(key = undefined) {
      if (key !== token) throw new TypeError('Illegal constructor');
      super();
      signals.set(this, {
        aborted: false, reason: undefined, algorithms: [],
        dependent: false, sources: [], dependents: [],
      });
    }
    get aborted() { return sig(this).aborted; }
    get reason() { return sig(this).reason; }
    throwIfAborted() {
      const s = sig(this);
      if (s.aborted) throw s.reason;
    }
    static abort(reason = undefined) {
      const signal = new AbortSignal(token);
      const s = signals.get(signal);
      s.aborted = true;
      s.reason = reason === undefined ? internals.domException('AbortError', 'signal is aborted without reason') : reason;
      return signal;
    }
    static timeout(milliseconds) {
      internals.requireArgs(arguments.length, 1, "Failed to execute 'timeout' on 'AbortSignal'");
      const ms = Number(milliseconds);
      if (!Number.isFinite(ms) || ms < 0 || ms > Number.MAX_SAFE_INTEGER) {
        throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': Value is outside the 'unsigned long long' value range.");
      }
      const signal = new AbortSignal(token);
      setTimeout(() => {
        signalAbort(signal, internals.domException('TimeoutError', 'signal timed out'));
      }, Math.trunc(ms));
      return signal;
    }
    static any(signalsList) {
      internals.requireArgs(arguments.length, 1, "Failed to execute 'any' on 'AbortSignal'");
      const list = internals.sequence(signalsList, "Failed to execute 'any' on 'AbortSignal'");
      for (const s of list) {
        if (!signals.has(s)) throw new TypeError("Failed to execute 'any' on 'AbortSignal': member is not of type AbortSignal.");
      }
      const result = new AbortSignal(token);
      const r = signals.get(result);
      for (const s of list) {
        const st = signals.get(s);
        if (st.aborted) {
          r.aborted = true;
          r.reason = st.reason;
          return result;
        }
      }
      r.dependent = true;
      for (const s of list) {
        const st = signals.get(s);
        const sources = st.dependent ? st.sources : [s];
        for (const source of sources) {
          if (r.sources.includes(source)) continue;
          r.sources.push(source);
          signals.get(source).dependents.push(result);
        }
      }
      return result;
    }
  }
  internals.defineEventHandler(AbortSignal.prototype, 'abort');
  internals.defineInterface(AbortSignal, 'AbortSignal');

  // DOM's "signal abort".
  function signalAbort(signal, reason) {
    const s = signals.get(signal);
    if (s.aborted) return;
    s.aborted = true;
    s.reason = reason === undefined ? internals.domException('AbortError', 'signal is aborted without reason') : reason;
    const toAbort = [];
    for (const d of s.dependents) {
      const ds = signals.get(d);
      if (!ds.aborted) {
        ds.aborted = true;
        ds.reason = s.reason;
        toAbort.push(d);
      }
    }
    runAbortSteps(signal);
    for (const d of toAbort) runAbortSteps(d);
  }

  function runAbortSteps(signal) {
    const s = signals.get(signal);
    const algorithms = s.algorithms;
    s.algorithms = [];
    for (const a of algorithms) a();
    internals.fire(signal, new Event('abort'));
  }

  class AbortController {
    #signal;
    constructor() {
      this.#signal = new AbortSignal(token);
    }
    get signal() { return this.#signal; }
    abort(reason = undefined) {
      if (!(#signal in this)) throw illegal();
      signalAbort(this.#signal, reason);
    }
  }
  internals.defineInterface(AbortController, 'AbortController');

  internals.isAbortSignal = (v) => signals.has(v);
  internals.onAbort = (signal, algorithm) => {
    const s = signals.get(signal);
    if (!s.aborted) s.algorithms.push(algorithm);
  };
  internals.signalAbort = signalAbort;
});

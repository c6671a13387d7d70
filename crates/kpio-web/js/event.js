// Events and event targets (DOM Standard, sections 2.2 to 2.10), for targets outside a
// node tree: an event's path is its target alone.
(function (ops, internals) {
  'use strict';
  const { illegal, requireArgs, dictionary } = internals;

  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
  const events = new WeakMap();

  function ev(self) {
    const s = events.get(self);
    if (!s) throw illegal();
    return s;
  }

  class Event {
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "Failed to construct 'Event'");
      const init = dictionary(eventInitDict, "Failed to construct 'Event'");
      events.set(this, {
        type: internals.toDOMString(type),
        bubbles: !!init.bubbles,
        cancelable: !!init.cancelable,
        composed: !!init.composed,
        target: null,
        currentTarget: null,
        phase: NONE,
        canceled: false,
        inPassive: false,
        stopPropagation: false,
        stopImmediate: false,
        dispatching: false,
        initialized: true,
        timeStamp: ops.now(),
        isTrusted: false,
      });
      // [LegacyUnforgeable]: an own, non-configurable accessor on every event.
      Object.defineProperty(this, 'isTrusted', {
        get: isTrustedGetter, enumerable: true, configurable: false,
      });
    }
    get type() { return ev(this).type; }
    get target() { return ev(this).target; }
    get srcElement() { return ev(this).target; }
    get currentTarget() { return ev(this).currentTarget; }
    composedPath() {
      const s = ev(this);
      return s.dispatching && s.path ? s.path.slice() : [];
    }
    get eventPhase() { return ev(this).phase; }
    stopPropagation() { ev(this).stopPropagation = true; }
    get cancelBubble() { return ev(this).stopPropagation; }
    set cancelBubble(value) { if (value) ev(this).stopPropagation = true; }
    stopImmediatePropagation() {
      const s = ev(this);
      s.stopPropagation = true;
      s.stopImmediate = true;
    }
    get bubbles() { return ev(this).bubbles; }
    get cancelable() { return ev(this).cancelable; }
    get returnValue() { return !ev(this).canceled; }
    set returnValue(value) { if (!value) cancel(ev(this)); }
    preventDefault() { cancel(ev(this)); }
    get defaultPrevented() { return ev(this).canceled; }
    get composed() { return ev(this).composed; }
    get timeStamp() { return ev(this).timeStamp; }
    initEvent(type, bubbles = false, cancelable = false) {
      requireArgs(arguments.length, 1, "Failed to execute 'initEvent' on 'Event'");
      const s = ev(this);
      if (s.dispatching) return;
      s.initialized = true;
      s.stopPropagation = false;
      s.stopImmediate = false;
      s.canceled = false;
      s.isTrusted = false;
      s.target = null;
      s.type = String(type);
      s.bubbles = !!bubbles;
      s.cancelable = !!cancelable;
    }
  }
  const isTrustedGetter = Object.getOwnPropertyDescriptor(
    { get isTrusted() { return ev(this).isTrusted; } }, 'isTrusted').get;

  function cancel(s) {
    if (s.cancelable && !s.inPassive) s.canceled = true;
  }

  internals.defineInterface(Event, 'Event',
    { NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE });

  class CustomEvent extends Event {
    #detail;
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "Failed to construct 'CustomEvent'");
      const init = dictionary(eventInitDict, "Failed to construct 'CustomEvent'");
      super(type, init);
      this.#detail = init.detail === undefined ? null : init.detail;
    }
    get detail() {
      if (!(#detail in this)) throw illegal();
      return this.#detail;
    }
    initCustomEvent(type, bubbles = false, cancelable = false, detail = null) {
      requireArgs(arguments.length, 1, "Failed to execute 'initCustomEvent' on 'CustomEvent'");
      if (!(#detail in this)) throw illegal();
      if (ev(this).dispatching) return;
      this.initEvent(type, bubbles, cancelable);
      this.#detail = detail;
    }
  }
  internals.defineInterface(CustomEvent, 'CustomEvent');

  // HTML's ErrorEvent: what the global's `error` event carries.
  class ErrorEvent extends Event {
    #init;
    constructor(type, eventInitDict = undefined) {
      requireArgs(arguments.length, 1, "Failed to construct 'ErrorEvent'");
      const init = dictionary(eventInitDict, "Failed to construct 'ErrorEvent'");
      super(type, init);
      this.#init = {
        message: init.message === undefined ? '' : String(init.message),
        filename: init.filename === undefined ? '' : internals.toUSV(init.filename),
        lineno: init.lineno === undefined ? 0 : init.lineno >>> 0,
        colno: init.colno === undefined ? 0 : init.colno >>> 0,
        error: init.error,
      };
    }
    get message() { return this.#init.message; }
    get filename() { return this.#init.filename; }
    get lineno() { return this.#init.lineno; }
    get colno() { return this.#init.colno; }
    get error() { return this.#init.error; }
  }
  internals.defineInterface(ErrorEvent, 'ErrorEvent');

  class PromiseRejectionEvent extends Event {
    #promise;
    #reason;
    constructor(type, eventInitDict) {
      requireArgs(arguments.length, 2, "Failed to construct 'PromiseRejectionEvent'");
      const init = dictionary(eventInitDict, "Failed to construct 'PromiseRejectionEvent'");
      if (typeof init.promise !== 'object' || init.promise === null) {
        throw new TypeError("Failed to construct 'PromiseRejectionEvent': the 'promise' member is required");
      }
      super(type, init);
      this.#promise = init.promise;
      this.#reason = init.reason;
    }
    get promise() { return this.#promise; }
    get reason() { return this.#reason; }
  }
  internals.defineInterface(PromiseRejectionEvent, 'PromiseRejectionEvent');

  // Event targets: each target's listener list, in the order they were added.
  const targets = new WeakMap();

  function listenersOf(self) {
    // A method called without a receiver (`addEventListener(...)` at top level) acts on
    // the global, as WebIDL's [Global] interfaces do.
    const target = self === undefined || self === null ? globalThis : self;
    const list = targets.get(target);
    if (!list) throw illegal();
    return [target, list];
  }

  function flatten(options) {
    if (typeof options === 'boolean' || options === undefined || options === null) {
      return { capture: !!options };
    }
    if (typeof options !== 'object' && typeof options !== 'function') {
      return { capture: !!options };
    }
    return { capture: !!options.capture, options };
  }

  class EventTarget {
    constructor() {
      targets.set(this, []);
    }
    addEventListener(type, callback, options = undefined) {
      requireArgs(arguments.length, 2, "Failed to execute 'addEventListener' on 'EventTarget'");
      const [target, list] = listenersOf(this);
      const flat = flatten(options);
      const o = flat.options || {};
      const once = !!o.once;
      const passive = !!o.passive;
      const signal = o.signal;
      if (signal !== undefined && !internals.isAbortSignal(signal)) {
        throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': member signal is not of type AbortSignal.");
      }
      if (callback === null || callback === undefined) return;
      if (typeof callback !== 'function' && typeof callback !== 'object') {
        throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': The callback provided as parameter 2 is not an object.");
      }
      if (signal !== undefined && signal.aborted) return;
      type = String(type);
      if (list.some((l) => l.type === type && l.callback === callback && l.capture === flat.capture)) {
        return;
      }
      const listener = { type, callback, capture: flat.capture, passive, once, removed: false };
      list.push(listener);
      if (signal !== undefined) {
        internals.onAbort(signal, () => removeListener(target, listener));
      }
    }
    removeEventListener(type, callback, options = undefined) {
      requireArgs(arguments.length, 2, "Failed to execute 'removeEventListener' on 'EventTarget'");
      const [target, list] = listenersOf(this);
      const capture = flatten(options).capture;
      type = String(type);
      const l = list.find((l) => l.type === type && l.callback === callback && l.capture === capture);
      if (l) removeListener(target, l);
    }
    dispatchEvent(event) {
      requireArgs(arguments.length, 1, "Failed to execute 'dispatchEvent' on 'EventTarget'");
      const [target] = listenersOf(this);
      const s = events.get(event);
      if (!s) {
        throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
      }
      if (s.dispatching || !s.initialized) {
        throw internals.domException('InvalidStateError',
          "Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.");
      }
      s.isTrusted = false;
      return dispatch(target, event);
    }
  }
  internals.defineInterface(EventTarget, 'EventTarget');

  function removeListener(target, listener) {
    const list = targets.get(target);
    listener.removed = true;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  }

  // DOM's "get the parent" of targets that have one (IndexedDB's requests, transactions
  // and connections): `parents.get(target)()` gives the next target of the path, or null.
  const parents = new WeakMap();

  // DOM's "dispatch": capture listeners from the outermost target in, the target's own,
  // then (for a bubbling event) the others back out. A target without a parent makes a
  // path of one.
  function dispatch(target, event) {
    const s = events.get(event);
    const path = [target];
    for (let t = target; parents.has(t);) {
      t = parents.get(t)();
      if (t === null || t === undefined) break;
      path.push(t);
    }
    s.dispatching = true;
    s.target = target;
    s.path = path;
    for (let i = path.length - 1; i > 0; i--) {
      s.phase = CAPTURING_PHASE;
      invoke(path[i], event, s, 'capturing');
    }
    s.phase = AT_TARGET;
    invoke(target, event, s, 'capturing');
    invoke(target, event, s, 'bubbling');
    if (s.bubbles) {
      for (let i = 1; i < path.length; i++) {
        s.phase = BUBBLING_PHASE;
        invoke(path[i], event, s, 'bubbling');
      }
    }
    s.phase = NONE;
    s.currentTarget = null;
    s.path = null;
    s.dispatching = false;
    s.stopPropagation = false;
    s.stopImmediate = false;
    return !s.canceled;
  }

  function invoke(target, event, s, phase) {
    if (s.stopPropagation) return;
    s.currentTarget = target;
    const listeners = targets.get(target).slice();
    for (const l of listeners) {
      if (l.removed || l.type !== s.type) continue;
      // At the target both kinds run; elsewhere the phase picks one.
      if (phase === 'capturing' ? !l.capture : l.capture) continue;
      if (l.once) removeListener(target, l);
      if (l.passive) s.inPassive = true;
      try {
        const cb = l.callback;
        if (typeof cb === 'function') {
          cb.call(target, event);
        } else {
          const handleEvent = cb.handleEvent;
          if (typeof handleEvent !== 'function') {
            throw new TypeError("The 'handleEvent' property of the event listener is not callable.");
          }
          handleEvent.call(cb, event);
        }
      } catch (e) {
        // IndexedDB aborts a transaction whose event listener threw.
        s.threw = true;
        internals.reportException(e);
      }
      s.inPassive = false;
      if (s.stopImmediate) break;
    }
  }

  // Makes `object` an event target (the global object is one without being constructed).
  internals.makeEventTarget = (object) => {
    if (!targets.has(object)) targets.set(object, []);
  };
  internals.isEvent = (v) => events.has(v);
  internals.isDispatching = (e) => events.get(e).dispatching;
  internals.dispatch = (target, event) => dispatch(target, event);
  // An event the user agent fires (isTrusted true).
  internals.fire = (target, event) => {
    events.get(event).isTrusted = true;
    return dispatch(target, event);
  };
  // Fires a trusted event; whether a listener threw (DOM's "legacy output did listeners
  // throw flag").
  internals.fireReportingThrow = (target, event) => {
    const s = events.get(event);
    s.isTrusted = true;
    s.threw = false;
    dispatch(target, event);
    return s.threw;
  };
  internals.setEventParent = (target, getParent) => parents.set(target, getParent);

  // An event handler IDL attribute (`onabort`, `onerror`, ...): a listener added at the
  // first assignment of a function, calling whatever the attribute holds when it fires.
  internals.defineEventHandler = function defineEventHandler(proto, name, special) {
    const handlers = new WeakMap();
    Object.defineProperty(proto, 'on' + name, {
      get() {
        const h = handlers.get(this === undefined || this === null ? globalThis : this);
        return h ? h.value : null;
      },
      set(value) {
        const self = this === undefined || this === null ? globalThis : this;
        let h = handlers.get(self);
        const fn = typeof value === 'function' || (typeof value === 'object' && value !== null)
          ? value : null;
        if (!h) {
          if (fn === null) return;
          h = { value: fn };
          handlers.set(self, h);
          EventTarget.prototype.addEventListener.call(self, name, function (event) {
            const v = h.value;
            if (typeof v !== 'function') return;
            if (special) return special(v, this, event);
            const r = v.call(this, event);
            if (r === false) event.preventDefault();
          });
        }
        h.value = fn;
      },
      enumerable: true,
      configurable: true,
    });
  };
});

// The global object: an EventTarget, as a Window or a worker's global scope is.
(function (ops, internals) {
  'use strict';
  const kind = internals.kind;

  let scope;
  if (kind === 'window') {
    class Window extends EventTarget {
      constructor() { throw new TypeError('Illegal constructor'); }
    }
    internals.defineInterface(Window, 'Window');
    scope = Window;
  } else if (kind === 'serviceworker') {
    class WorkerGlobalScope extends EventTarget {
      constructor() { throw new TypeError('Illegal constructor'); }
    }
    internals.defineInterface(WorkerGlobalScope, 'WorkerGlobalScope');
    class ServiceWorkerGlobalScope extends WorkerGlobalScope {
      constructor() { throw new TypeError('Illegal constructor'); }
    }
    internals.defineInterface(ServiceWorkerGlobalScope, 'ServiceWorkerGlobalScope');
    scope = ServiceWorkerGlobalScope;
    internals.operationsHome = WorkerGlobalScope.prototype;
    internals.globalInterface = ServiceWorkerGlobalScope;
  } else {
    class WorkerGlobalScope extends EventTarget {
      constructor() { throw new TypeError('Illegal constructor'); }
    }
    internals.defineInterface(WorkerGlobalScope, 'WorkerGlobalScope');
    class DedicatedWorkerGlobalScope extends WorkerGlobalScope {
      constructor() { throw new TypeError('Illegal constructor'); }
    }
    internals.defineInterface(DedicatedWorkerGlobalScope, 'DedicatedWorkerGlobalScope');
    scope = DedicatedWorkerGlobalScope;
    internals.operationsHome = WorkerGlobalScope.prototype;
    // Messages to the worker's owner: structured-cloned now (so a value that cannot be
    // cloned throws here, as in browsers) and queued until the owner takes them.
    internals.outbox = [];
    Object.defineProperty(DedicatedWorkerGlobalScope.prototype, 'postMessage', {
      value: function postMessage(message, options = undefined) {
        internals.requireArgs(arguments.length, 1, "Failed to execute 'postMessage' on 'DedicatedWorkerGlobalScope'");
        const transfer = Array.isArray(options) ? options
          : internals.dictionary(options, "Failed to execute 'postMessage'").transfer;
        internals.outbox.push(structuredClone(message, { transfer: transfer === undefined ? [] : transfer }));
      },
      writable: true, enumerable: true, configurable: true,
    });
  }
  // QuickJS's own queueMicrotask: timers.js defines HTML's, where WebIDL says.
  delete globalThis.queueMicrotask;
  Object.setPrototypeOf(globalThis, scope.prototype);
  internals.makeEventTarget(globalThis);

  Object.defineProperty(globalThis, 'self', {
    get() { return globalThis; }, enumerable: true, configurable: true,
  });
  if (kind === 'window') {
    Object.defineProperty(globalThis, 'window', {
      get() { return globalThis; }, enumerable: true, configurable: false,
    });
  }

  // HTML's special `onerror` handler: (message, source, lineno, colno, error); returning
  // true cancels the event.
  internals.defineEventHandler(globalThis, 'error', (handler, target, event) => {
    const r = internals.isErrorEvent(event)
      ? handler.call(target, event.message, event.filename, event.lineno, event.colno, event.error)
      : handler.call(target, event);
    if (r === true) event.preventDefault();
  });
  internals.defineEventHandler(globalThis, 'unhandledrejection');
  internals.defineEventHandler(globalThis, 'rejectionhandled');
  internals.isErrorEvent = (e) => e instanceof ErrorEvent;

  const performance = {};
  Object.defineProperties(performance, {
    now: { value: function now() { return ops.now(); }, enumerable: true },
    timeOrigin: { value: ops.timeOrigin, enumerable: true },
    toJSON: { value: function toJSON() { return { timeOrigin: ops.timeOrigin }; }, enumerable: true },
    [Symbol.toStringTag]: { value: 'Performance', configurable: true },
  });
  internals.expose('performance', performance);
});

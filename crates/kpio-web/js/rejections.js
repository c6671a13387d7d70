// HTML's unhandled promise rejections (8.1.7.4): `unhandledrejection` for a promise
// rejected with no handler by the end of a microtask checkpoint (and the console, unless
// a listener cancels it), `rejectionhandled` when a handler comes later.
(function (ops, internals) {
  'use strict';
  // Rejected without a handler, not yet notified: [promise, reason].
  let aboutToBeNotified = [];
  // Notified as unhandled, and not handled since.
  const outstanding = new WeakSet();

  function notify(tracked) {
    for (const [promise, reason, handled] of tracked) {
      if (!handled) {
        aboutToBeNotified.push([promise, reason]);
        continue;
      }
      const i = aboutToBeNotified.findIndex(([p]) => p === promise);
      if (i >= 0) {
        aboutToBeNotified.splice(i, 1);
      } else if (outstanding.has(promise)) {
        outstanding.delete(promise);
        // A global task, as HTML queues it.
        setTimeout(() => {
          internals.fire(globalThis, new PromiseRejectionEvent('rejectionhandled', { promise, reason }));
        }, 0);
      }
    }
    const list = aboutToBeNotified;
    aboutToBeNotified = [];
    for (const [promise, reason] of list) {
      const notCanceled = internals.fire(globalThis, new PromiseRejectionEvent('unhandledrejection', {
        promise, reason, cancelable: true,
      }));
      if (notCanceled) {
        ops.noteUncaught();
        let text = 'Uncaught (in promise) ' + internals.describe(reason);
        if (reason !== null && typeof reason === 'object' && typeof reason.stack === 'string' && reason.stack !== '') {
          text += '\n' + reason.stack.replace(/\n$/, '');
        }
        ops.print('error', text.toWellFormed());
      }
      outstanding.add(promise);
    }
  }
  ops.setRejectionHook(notify);
});

// HTML's "report an exception": an ErrorEvent at the global, then the console unless a
// listener cancelled it.
(function (ops, internals) {
  'use strict';
  let reporting = false;

  // Where an exception was thrown, from its stack: [file, line, column].
  function origin(e) {
    const stack = e !== null && typeof e === 'object' ? e.stack : undefined;
    if (typeof stack !== 'string') return ['', 0, 0];
    for (const line of stack.split('\n')) {
      const m = /\(?([^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
      if (m) return [m[1], Number(m[2]), Number(m[3])];
    }
    return ['', 0, 0];
  }

  function describe(e) {
    try {
      if (e !== null && typeof e === 'object' && 'message' in e) {
        const name = e.name === undefined ? 'Error' : String(e.name);
        return e.message === '' ? name : `${name}: ${e.message}`;
      }
      return String(e);
    } catch (_) {
      return 'exception';
    }
  }

  internals.describe = describe;

  internals.reportException = function reportException(e) {
    const [filename, lineno, colno] = origin(e);
    const message = 'Uncaught ' + describe(e);
    let notCanceled = true;
    if (!reporting) {
      reporting = true;
      try {
        notCanceled = internals.fire(globalThis, new ErrorEvent('error', {
          message, filename, lineno, colno, error: e, cancelable: true,
        }));
      } finally {
        reporting = false;
      }
    }
    if (notCanceled) {
      ops.noteUncaught();
      let text = message;
      if (e !== null && typeof e === 'object' && typeof e.stack === 'string' && e.stack !== '') {
        text += '\n' + e.stack.replace(/\n$/, '');
      }
      ops.print('error', text.toWellFormed());
    }
  };

  internals.exposeOperation('reportError', function reportError(e) {
    internals.requireArgs(arguments.length, 1, "Failed to execute 'reportError'");
    internals.reportException(e);
  });
});

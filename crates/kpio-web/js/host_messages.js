// Messages from the host (src/host_message.rs): one hook for the realm, which hands each
// message to the prelude file that registered for its kind.
(function (ops, internals) {
  'use strict';
  const handlers = new Map();
  internals.onHostMessage = (kind, handler) => handlers.set(kind, handler);
  ops.setMessageHook((kind, ...args) => {
    const handler = handlers.get(kind);
    if (handler !== undefined) handler(...args);
  });
});

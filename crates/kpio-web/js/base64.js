// HTML's atob() and btoa() (forgiving-base64). QuickJS's own implementations do the
// coding; their errors become this realm's DOMException (QuickJS throws an object of its
// own class, which `instanceof DOMException` would not recognise), and the functions are
// exposed where WebIDL puts WindowOrWorkerGlobalScope's operations.
(function (ops, internals) {
  'use strict';
  const nativeAtob = globalThis.atob;
  const nativeBtoa = globalThis.btoa;
  delete globalThis.atob;
  delete globalThis.btoa;

  function call(native, data, what) {
    try {
      return native(data);
    } catch (e) {
      throw internals.domException('InvalidCharacterError', `Failed to execute '${what}': ${e && e.message}`);
    }
  }
  internals.exposeOperation('atob', function atob(data) {
    internals.requireArgs(arguments.length, 1, "Failed to execute 'atob'");
    return call(nativeAtob, internals.toDOMString(data), 'atob');
  });
  internals.exposeOperation('btoa', function btoa(data) {
    internals.requireArgs(arguments.length, 1, "Failed to execute 'btoa'");
    return call(nativeBtoa, internals.toDOMString(data), 'btoa');
  });
});

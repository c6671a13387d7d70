// DOMException (WebIDL section 3.14): a name, a message and the legacy code of the name.
(function (ops, internals) {
  'use strict';

  const names = [
    ['IndexSizeError', 'INDEX_SIZE_ERR', 1], [null, 'DOMSTRING_SIZE_ERR', 2],
    ['HierarchyRequestError', 'HIERARCHY_REQUEST_ERR', 3],
    ['WrongDocumentError', 'WRONG_DOCUMENT_ERR', 4],
    ['InvalidCharacterError', 'INVALID_CHARACTER_ERR', 5], [null, 'NO_DATA_ALLOWED_ERR', 6],
    ['NoModificationAllowedError', 'NO_MODIFICATION_ALLOWED_ERR', 7],
    ['NotFoundError', 'NOT_FOUND_ERR', 8], ['NotSupportedError', 'NOT_SUPPORTED_ERR', 9],
    ['InUseAttributeError', 'INUSE_ATTRIBUTE_ERR', 10],
    ['InvalidStateError', 'INVALID_STATE_ERR', 11], ['SyntaxError', 'SYNTAX_ERR', 12],
    ['InvalidModificationError', 'INVALID_MODIFICATION_ERR', 13],
    ['NamespaceError', 'NAMESPACE_ERR', 14], ['InvalidAccessError', 'INVALID_ACCESS_ERR', 15],
    [null, 'VALIDATION_ERR', 16], ['TypeMismatchError', 'TYPE_MISMATCH_ERR', 17],
    ['SecurityError', 'SECURITY_ERR', 18], ['NetworkError', 'NETWORK_ERR', 19],
    ['AbortError', 'ABORT_ERR', 20], ['URLMismatchError', 'URL_MISMATCH_ERR', 21],
    ['QuotaExceededError', 'QUOTA_EXCEEDED_ERR', 22], ['TimeoutError', 'TIMEOUT_ERR', 23],
    ['InvalidNodeTypeError', 'INVALID_NODE_TYPE_ERR', 24],
    ['DataCloneError', 'DATA_CLONE_ERR', 25],
  ];
  const codes = new Map(names.filter(([n]) => n).map(([n, , c]) => [n, c]));
  const state = new WeakMap();

  function get(self) {
    const s = state.get(self);
    if (!s) throw internals.illegal();
    return s;
  }

  class DOMException {
    constructor(message = undefined, options = undefined) {
      let name = 'Error';
      if (options !== undefined) {
        name = typeof options === 'object' && options !== null && 'name' in options
          ? internals.toDOMString(options.name) : internals.toDOMString(options);
      }
      state.set(this, { name, message: message === undefined ? '' : internals.toDOMString(message) });
      // Like the engines browsers run, a stack for debugging (an own property there too).
      const stack = new Error(message).stack;
      if (stack !== undefined) {
        Object.defineProperty(this, 'stack', { value: stack, writable: true, configurable: true });
      }
    }
    get name() { return get(this).name; }
    get message() { return get(this).message; }
    get code() { return codes.get(get(this).name) || 0; }
  }
  Object.setPrototypeOf(DOMException.prototype, Error.prototype);
  internals.defineInterface(DOMException, 'DOMException',
    Object.fromEntries(names.map(([, constant, code]) => [constant, code])));

  internals.domException = (name, message) => new DOMException(message, name);
  internals.isDOMException = (v) => state.has(v);
});

// META: global=window,worker
// META: title=DOMException
//
// Written from WebIDL, section "DOMException" (the interface, its constructor,
// the error names table with legacy codes, and the legacy code constants).
// QuotaExceededError is deliberately not tested here: it is being turned into
// an interface of its own.
"use strict";

// Error names with a legacy code (WebIDL "error names" table).
const LEGACY_CODES = [
  ["IndexSizeError", 1, "INDEX_SIZE_ERR"],
  ["HierarchyRequestError", 3, "HIERARCHY_REQUEST_ERR"],
  ["WrongDocumentError", 4, "WRONG_DOCUMENT_ERR"],
  ["InvalidCharacterError", 5, "INVALID_CHARACTER_ERR"],
  ["NoModificationAllowedError", 7, "NO_MODIFICATION_ALLOWED_ERR"],
  ["NotFoundError", 8, "NOT_FOUND_ERR"],
  ["NotSupportedError", 9, "NOT_SUPPORTED_ERR"],
  ["InUseAttributeError", 10, "INUSE_ATTRIBUTE_ERR"],
  ["InvalidStateError", 11, "INVALID_STATE_ERR"],
  ["SyntaxError", 12, "SYNTAX_ERR"],
  ["InvalidModificationError", 13, "INVALID_MODIFICATION_ERR"],
  ["NamespaceError", 14, "NAMESPACE_ERR"],
  ["InvalidAccessError", 15, "INVALID_ACCESS_ERR"],
  ["TypeMismatchError", 17, "TYPE_MISMATCH_ERR"],
  ["SecurityError", 18, "SECURITY_ERR"],
  ["NetworkError", 19, "NETWORK_ERR"],
  ["AbortError", 20, "ABORT_ERR"],
  ["URLMismatchError", 21, "URL_MISMATCH_ERR"],
  ["TimeoutError", 23, "TIMEOUT_ERR"],
  ["InvalidNodeTypeError", 24, "INVALID_NODE_TYPE_ERR"],
  ["DataCloneError", 25, "DATA_CLONE_ERR"],
];

// Legacy code constants that have no corresponding error name.
const NAMELESS_CONSTANTS = [
  ["DOMSTRING_SIZE_ERR", 2],
  ["NO_DATA_ALLOWED_ERR", 6],
  ["VALIDATION_ERR", 16],
];

// Error names from the table that have no legacy code.
const NAMES_WITHOUT_CODE = [
  "EncodingError", "NotReadableError", "UnknownError", "ConstraintError",
  "DataError", "TransactionInactiveError", "ReadOnlyError", "VersionError",
  "OperationError", "NotAllowedError", "OptOutError",
];

// ---------------------------------------------------------------------------
// Constructor
// ---------------------------------------------------------------------------

test(() => {
  const e = new DOMException();
  assert_equals(e.message, "", "message");
  assert_equals(e.name, "Error", "name");
  assert_equals(e.code, 0, "code");
}, "new DOMException(): message is \"\", name is \"Error\", code is 0");

test(() => {
  const e = new DOMException("something happened");
  assert_equals(e.message, "something happened");
  assert_equals(e.name, "Error");
  assert_equals(e.code, 0);
}, "new DOMException(message)");

test(() => {
  const e = new DOMException("bad", "SyntaxError");
  assert_equals(e.message, "bad");
  assert_equals(e.name, "SyntaxError");
  assert_equals(e.code, 12);
}, "new DOMException(message, name)");

test(() => {
  const e = new DOMException(undefined, undefined);
  assert_equals(e.message, "");
  assert_equals(e.name, "Error");
}, "undefined arguments take the default values");

test(() => {
  const e = new DOMException(null, null);
  assert_equals(e.message, "null");
  assert_equals(e.name, "null");
  assert_equals(e.code, 0);
}, "null arguments are converted to the string \"null\"");

test(() => {
  const e = new DOMException({ toString() { return "from object"; } }, 42);
  assert_equals(e.message, "from object");
  assert_equals(e.name, "42");
}, "Arguments are converted with ToString");

test(() => {
  assert_throws_js(TypeError, () => new DOMException(Symbol("s")));
  assert_throws_js(TypeError, () => new DOMException("m", Symbol("s")));
}, "A Symbol argument throws TypeError");

test(() => {
  assert_throws_js(TypeError, () => DOMException());
  assert_throws_js(TypeError, () => DOMException("m", "SyntaxError"));
}, "DOMException cannot be called without new");

test(() => {
  assert_equals(DOMException.length, 0);
  assert_equals(DOMException.name, "DOMException");
  assert_equals(typeof DOMException, "function");
}, "DOMException.length is 0 and DOMException.name is \"DOMException\"");

test(() => {
  const d = Object.getOwnPropertyDescriptor(self, "DOMException");
  assert_not_equals(d, undefined);
  assert_true(d.writable, "writable");
  assert_false(d.enumerable, "enumerable");
  assert_true(d.configurable, "configurable");
}, "The DOMException global property is writable, non-enumerable and configurable");

test(() => {
  const e = new DOMException("a", "b");
  assert_equals(e.message, "a");
  assert_equals(new DOMException("", "").name, "");
  assert_equals(new DOMException("x\u0000y", "\uD800").message, "x\u0000y");
  assert_equals(new DOMException("x\u0000y", "\uD800").name, "\uD800",
    "DOMString: lone surrogates are kept");
}, "message and name are kept exactly as given");

// ---------------------------------------------------------------------------
// Legacy codes
// ---------------------------------------------------------------------------

for (const [name, code] of LEGACY_CODES) {
  test(() => {
    const e = new DOMException("msg", name);
    assert_equals(e.name, name, "name");
    assert_equals(e.code, code, "code");
    assert_equals(e.message, "msg", "message");
  }, `new DOMException("msg", "${name}").code is ${code}`);
}

test(() => {
  for (const name of NAMES_WITHOUT_CODE) {
    const e = new DOMException("", name);
    assert_equals(e.name, name);
    assert_equals(e.code, 0, name);
  }
}, "Error names without a legacy code have code 0");

test(() => {
  for (const name of ["Error", "Foo", "", "TypeError", "RangeError", "DOMException"]) {
    assert_equals(new DOMException("", name).code, 0, JSON.stringify(name));
  }
}, "Names outside the table have code 0");

test(() => {
  assert_equals(new DOMException("", "syntaxerror").code, 0);
  assert_equals(new DOMException("", "SYNTAXERROR").code, 0);
  assert_equals(new DOMException("", " SyntaxError").code, 0);
  assert_equals(new DOMException("", "SyntaxError ").code, 0);
}, "Name to code mapping is exact and case-sensitive");

test(() => {
  assert_equals(new DOMException("", "DOMStringSizeError").code, 0);
  assert_equals(new DOMException("", "ValidationError").code, 0);
  assert_equals(new DOMException("", "NoDataAllowedError").code, 0);
}, "Constants without an error name cannot be reached through a name");

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

for (const [, code, constant] of LEGACY_CODES) {
  test(() => {
    assert_equals(DOMException[constant], code, "on the interface object");
    assert_equals(DOMException.prototype[constant], code, "on the prototype");
    assert_equals(new DOMException()[constant], code, "inherited by instances");
  }, `DOMException.${constant} === ${code}`);
}

test(() => {
  for (const [constant, code] of NAMELESS_CONSTANTS) {
    assert_equals(DOMException[constant], code, constant);
    assert_equals(DOMException.prototype[constant], code, `prototype ${constant}`);
  }
}, "DOMSTRING_SIZE_ERR (2), NO_DATA_ALLOWED_ERR (6) and VALIDATION_ERR (16)");

test(() => {
  const all = LEGACY_CODES.map((x) => x[2]).concat(NAMELESS_CONSTANTS.map((x) => x[0]));
  for (const constant of all) {
    for (const [where, obj] of [["constructor", DOMException], ["prototype", DOMException.prototype]]) {
      const d = Object.getOwnPropertyDescriptor(obj, constant);
      assert_not_equals(d, undefined, `${where}.${constant}`);
      assert_false(d.writable, `${where}.${constant} writable`);
      assert_true(d.enumerable, `${where}.${constant} enumerable`);
      assert_false(d.configurable, `${where}.${constant} configurable`);
    }
  }
}, "Constants are non-writable, enumerable, non-configurable on constructor and prototype");

test(() => {
  assert_throws_js(TypeError, () => { DOMException.INDEX_SIZE_ERR = 5; });
  assert_equals(DOMException.INDEX_SIZE_ERR, 1);
  assert_false(Object.prototype.hasOwnProperty.call(new DOMException(), "INDEX_SIZE_ERR"));
}, "Constants cannot be changed and are not own properties of instances");

// ---------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------

for (const attr of ["name", "message", "code"]) {
  test(() => {
    const d = Object.getOwnPropertyDescriptor(DOMException.prototype, attr);
    assert_not_equals(d, undefined, "defined on the prototype");
    assert_equals(typeof d.get, "function", "has a getter");
    assert_equals(d.set, undefined, "has no setter");
    assert_true(d.enumerable, "enumerable");
    assert_true(d.configurable, "configurable");
    const e = new DOMException("m", "SyntaxError");
    assert_false(Object.prototype.hasOwnProperty.call(e, attr), "not an own property");
  }, `${attr} is a readonly accessor on DOMException.prototype, not an own property`);

  test(() => {
    const getter = Object.getOwnPropertyDescriptor(DOMException.prototype, attr).get;
    assert_throws_js(TypeError, () => getter.call({}));
    assert_throws_js(TypeError, () => getter.call(new Error("x")));
    assert_throws_js(TypeError, () => getter.call(undefined));
    assert_throws_js(TypeError, () => DOMException.prototype[attr]);
  }, `the ${attr} getter throws TypeError on objects that are not DOMExceptions`);
}

test(() => {
  const e = new DOMException("m", "SyntaxError");
  assert_throws_js(TypeError, () => { e.name = "Other"; });
  assert_throws_js(TypeError, () => { e.message = "other"; });
  assert_throws_js(TypeError, () => { e.code = 1; });
  assert_equals(e.name, "SyntaxError");
  assert_equals(e.message, "m");
  assert_equals(e.code, 12);
}, "Assigning to name, message or code throws in strict mode and changes nothing");

test(() => {
  const e = new DOMException("m", "SyntaxError");
  Object.defineProperty(e, "name", { value: "Shadowed" });
  assert_equals(e.name, "Shadowed", "an own property shadows the getter");
  assert_equals(e.code, 12, "code comes from the internal name");
}, "code does not depend on the (shadowed) name property");

test(() => {
  assert_array_equals(Object.keys(new DOMException("m", "SyntaxError")), []);
}, "A DOMException has no enumerable own properties");

// ---------------------------------------------------------------------------
// Prototype chain and stringification
// ---------------------------------------------------------------------------

test(() => {
  assert_equals(Object.getPrototypeOf(DOMException.prototype), Error.prototype);
  assert_equals(Object.getPrototypeOf(new DOMException()), DOMException.prototype);
  assert_equals(DOMException.prototype.constructor, DOMException);
}, "DOMException.prototype inherits from Error.prototype");

test(() => {
  const e = new DOMException("m", "NotFoundError");
  assert_true(e instanceof DOMException);
  assert_true(e instanceof Error);
  assert_true(e instanceof Object);
}, "A DOMException is an instance of DOMException and Error");

test(() => {
  assert_equals(Object.getPrototypeOf(DOMException), Function.prototype);
}, "The DOMException constructor inherits from Function.prototype");

test(() => {
  assert_equals(Object.prototype.toString.call(new DOMException()), "[object DOMException]");
  assert_equals(Object.prototype.toString.call(DOMException.prototype), "[object DOMException]");
}, "Object.prototype.toString gives [object DOMException]");

test(() => {
  const d = Object.getOwnPropertyDescriptor(DOMException.prototype, Symbol.toStringTag);
  assert_not_equals(d, undefined);
  assert_equals(d.value, "DOMException");
  assert_false(d.writable, "writable");
  assert_false(d.enumerable, "enumerable");
  assert_true(d.configurable, "configurable");
}, "DOMException.prototype[Symbol.toStringTag]");

test(() => {
  assert_equals(String(new DOMException("bad thing", "SyntaxError")), "SyntaxError: bad thing");
  assert_equals(String(new DOMException("", "NotFoundError")), "NotFoundError");
  assert_equals(String(new DOMException("only message")), "Error: only message");
  assert_equals(Error.prototype.toString.call(new DOMException("m", "AbortError")), "AbortError: m");
}, "Error.prototype.toString uses the name and message getters");

test(() => {
  assert_false(Object.prototype.hasOwnProperty.call(DOMException.prototype, "toString"));
  assert_equals(new DOMException().toString, Error.prototype.toString);
}, "DOMException inherits toString from Error.prototype");

test(() => {
  class MyException extends DOMException {
    constructor(message) {
      super(message, "NotSupportedError");
      this.extra = true;
    }
  }
  const e = new MyException("sub");
  assert_true(e instanceof MyException);
  assert_true(e instanceof DOMException);
  assert_true(e instanceof Error);
  assert_equals(e.name, "NotSupportedError");
  assert_equals(e.message, "sub");
  assert_equals(e.code, 9);
  assert_true(e.extra);
  assert_equals(Object.prototype.toString.call(e), "[object DOMException]");
}, "DOMException can be subclassed");

test(() => {
  let caught;
  try {
    throw new DOMException("thrown", "InvalidStateError");
  } catch (e) {
    caught = e;
  }
  assert_equals(caught.name, "InvalidStateError");
  assert_equals(caught.code, 11);
}, "A DOMException can be thrown and caught");

test(() => {
  const fn = () => { throw new DOMException("x", "InvalidAccessError"); };
  assert_throws_dom("InvalidAccessError", fn);
}, "assert_throws_dom recognises a DOMException by name");

// ---------------------------------------------------------------------------
// DOMExceptions made by the platform, and serialization
// ---------------------------------------------------------------------------

test(() => {
  let err;
  try {
    structuredClone(() => {});
  } catch (e) {
    err = e;
  }
  assert_true(err instanceof DOMException);
  assert_equals(err.name, "DataCloneError");
  assert_equals(err.code, DOMException.DATA_CLONE_ERR);
  assert_equals(Object.getPrototypeOf(err), DOMException.prototype);
}, "A DOMException thrown by the platform (DataCloneError) is a real DOMException");

test(() => {
  const reason = AbortSignal.abort().reason;
  assert_equals(Object.getPrototypeOf(reason), DOMException.prototype);
  assert_equals(reason.name, "AbortError");
  assert_equals(reason.code, 20);
}, "The default abort reason is a real DOMException with code 20");

test(() => {
  const original = new DOMException("cloned message", "DataCloneError");
  const clone = structuredClone(original);
  assert_not_equals(clone, original);
  assert_true(clone instanceof DOMException, "clone is a DOMException");
  assert_equals(clone.name, "DataCloneError");
  assert_equals(clone.message, "cloned message");
  assert_equals(clone.code, 25);
}, "DOMException is serializable: structuredClone keeps name, message and code");

// FormData (XMLHttpRequest Standard, section 5) and its entry list (HTML's "create an
// entry"): an ordered list of names with string or File values.
//
// There is no DOM yet, so `new FormData(form)` cannot be given a form: any form or
// submitter argument is a TypeError, as WebIDL's conversion to HTMLFormElement and
// HTMLElement would make it. `internals.formData` gives Fetch's bodies the entry list.
//
// Needs, from earlier prelude files: webidl.js (internals.pairIterator) and blob.js
// (internals.blob); so it goes after blob.js in src/prelude.rs.
(function (ops, internals) {
  'use strict';
  const { requireArgs, illegal, toUSV } = internals;
  const B = internals.blob;
  const $TypeError = TypeError;
  const dateNow = Date.now;

  const lists = new WeakMap();
  function st(self) {
    const s = lists.get(self);
    if (s === undefined) throw illegal();
    return s;
  }

  // HTML's "create an entry": a Blob that is not a File becomes a File named "blob"; a
  // filename gives a new File of that name (same bytes, type and date).
  function fileValue(value, filename) {
    if (!B.isFile(value)) {
      return B.makeFile(B.bytesOf(value), B.typeOf(value), filename === undefined ? 'blob' : filename, dateNow());
    }
    if (filename === undefined) return value;
    return B.makeFile(B.bytesOf(value), B.typeOf(value), filename, B.lastModifiedOf(value));
  }

  // append() and set() take (name, value) or (name, blobValue, filename): WebIDL's
  // overload resolution picks the Blob form for three arguments, or for two when the
  // value is a Blob. Arguments are converted in order after that choice.
  function entry(argc, name, value, filename, what) {
    const blobForm = argc >= 3 || B.isBlob(value);
    name = toUSV(name);
    if (!blobForm) return [name, toUSV(value)];
    if (!B.isBlob(value)) throw new $TypeError(`${what}: parameter 2 is not of type 'Blob'.`);
    return [name, fileValue(value, filename === undefined ? undefined : toUSV(filename))];
  }

  class FormData {
    constructor(form = undefined, submitter = undefined) {
      const what = "Failed to construct 'FormData'";
      if (form !== undefined) throw new $TypeError(`${what}: parameter 1 is not of type 'HTMLFormElement'.`);
      if (submitter !== undefined && submitter !== null) {
        throw new $TypeError(`${what}: parameter 2 is not of type 'HTMLElement'.`);
      }
      lists.set(this, { entries: [] });
    }
    append(name, value, filename = undefined) {
      const what = "Failed to execute 'append' on 'FormData'";
      requireArgs(arguments.length, 2, what);
      const s = st(this);
      const e = entry(arguments.length, name, value, filename, what);
      s.entries[s.entries.length] = e;
    }
    delete(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'delete' on 'FormData'");
      const s = st(this);
      name = toUSV(name);
      s.entries = s.entries.filter((e) => e[0] !== name);
    }
    get(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'get' on 'FormData'");
      const s = st(this);
      name = toUSV(name);
      const e = s.entries.find((x) => x[0] === name);
      return e === undefined ? null : e[1];
    }
    getAll(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'getAll' on 'FormData'");
      const s = st(this);
      name = toUSV(name);
      return s.entries.filter((e) => e[0] === name).map((e) => e[1]);
    }
    has(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'has' on 'FormData'");
      const s = st(this);
      name = toUSV(name);
      return s.entries.some((e) => e[0] === name);
    }
    // The first entry of that name takes the new value; the others are removed.
    set(name, value, filename = undefined) {
      const what = "Failed to execute 'set' on 'FormData'";
      requireArgs(arguments.length, 2, what);
      const s = st(this);
      const e = entry(arguments.length, name, value, filename, what);
      const i = s.entries.findIndex((x) => x[0] === e[0]);
      if (i < 0) {
        s.entries[s.entries.length] = e;
      } else {
        s.entries = s.entries.filter((x, j) => j <= i || x[0] !== e[0]);
        s.entries[i] = e;
      }
    }
    // WebIDL's forEach of a pair iterator: the list is read again at each step.
    forEach(callback, thisArg = undefined) {
      const what = "Failed to execute 'forEach' on 'FormData'";
      requireArgs(arguments.length, 1, what);
      const s = st(this);
      if (typeof callback !== 'function') {
        throw new $TypeError(`${what}: The callback provided as parameter 1 is not a function.`);
      }
      for (let i = 0; i < s.entries.length; i++) {
        const e = s.entries[i];
        Reflect.apply(callback, thisArg, [e[1], e[0], this]);
      }
    }
    entries() { return iterator(st(this), 'entries'); }
    keys() { return iterator(st(this), 'keys'); }
    values() { return iterator(st(this), 'values'); }
  }
  Object.defineProperty(FormData.prototype, Symbol.iterator, {
    value: FormData.prototype.entries, writable: true, configurable: true,
  });
  const iterator = internals.pairIterator('FormData', (s) => s.entries);
  internals.defineInterface(FormData, 'FormData');

  internals.formData = {
    isFormData: (v) => lists.has(v),
    // A copy of the entry list: [name, string or File] pairs.
    entries: (fd) => lists.get(fd).entries.slice(),
    // A FormData whose entry list is `entries` (kept, not copied).
    make(entries) {
      const fd = Object.create(FormData.prototype);
      lists.set(fd, { entries });
      return fd;
    },
  };
});

// WebIDL's conventions, shared by the other prelude files: how interfaces, their members
// and their arguments look to scripts.
(function (ops, internals) {
  'use strict';

  // An interface object on the global: writable, configurable, not enumerable.
  internals.expose = function expose(name, value) {
    Object.defineProperty(globalThis, name, {
      value, writable: true, enumerable: false, configurable: true,
    });
  };

  // Makes a class look like a WebIDL interface: members enumerable, the prototype's
  // toStringTag, `constants` on both the interface object and its prototype.
  internals.defineInterface = function defineInterface(ctor, name, constants) {
    const proto = ctor.prototype;
    for (const key of Reflect.ownKeys(proto)) {
      if (key === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      d.enumerable = true;
      Object.defineProperty(proto, key, d);
    }
    Object.defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
    for (const [k, v] of Object.entries(constants || {})) {
      const d = { value: v, writable: false, enumerable: true, configurable: false };
      Object.defineProperty(ctor, k, d);
      Object.defineProperty(proto, k, d);
    }
    internals.interfaces.push(ctor);
    internals.expose(name, ctor);
  };
  // Every interface defined here, so structuredClone can refuse platform objects.
  internals.interfaces = [];

  internals.illegal = function illegal() {
    return new TypeError('Illegal invocation');
  };

  internals.requireArgs = function requireArgs(given, needed, what) {
    if (given < needed) {
      throw new TypeError(`${what}: ${needed} argument${needed === 1 ? '' : 's'} required, but only ${given} present.`);
    }
  };

  // WebIDL's DOMString: ECMAScript's ToString (a Symbol throws TypeError).
  internals.toDOMString = function toDOMString(v) {
    return `${v}`;
  };

  // WebIDL's USVString: lone surrogates become U+FFFD.
  internals.toUSV = function toUSV(v) {
    return `${v}`.toWellFormed();
  };

  // WebIDL's sequence<T>: an object with an iterator, read into an array.
  internals.sequence = function sequence(v, what) {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null ||
        typeof v[Symbol.iterator] !== 'function') {
      throw new TypeError(`${what}: The provided value cannot be converted to a sequence.`);
    }
    return Array.from(v);
  };

  // An operation of WindowOrWorkerGlobalScope (setTimeout, structuredClone, ...). WebIDL
  // puts operations on the object itself only for a [Global] interface: Window is one, so
  // in a window they are own properties of the global; WorkerGlobalScope is not, so in a
  // worker they live on its prototype (global.js sets `operationsHome`).
  internals.exposeOperation = function exposeOperation(name, fn) {
    Object.defineProperty(internals.operationsHome || globalThis, name, {
      value: fn, writable: true, enumerable: true, configurable: true,
    });
  };

  // A property the way CreateDataProperty makes it, even for `__proto__`.
  internals.defineData = function defineData(o, key, value) {
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  };

  // A dictionary argument: undefined and null are empty, anything else must be an object.
  internals.dictionary = function dictionary(v, what) {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' && typeof v !== 'function') {
      throw new TypeError(`${what}: the options are not an object`);
    }
    return v;
  };

  // WebIDL's pair iterators (entries/keys/values of an iterable<K, V>): `pairsOf(state)`
  // gives the current [key, value] pairs, read again on every next(), so an iterator sees
  // the list as it is at each step. Returns a function making an iterator of a kind.
  const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  internals.pairIterator = function pairIterator(name, pairsOf) {
    const iterators = new WeakMap();
    const prototype = Object.create(IteratorPrototype, {
      next: {
        value: function next() {
          const it = iterators.get(this);
          if (!it) throw internals.illegal();
          const pairs = pairsOf(it.state);
          if (it.index >= pairs.length) return { value: undefined, done: true };
          const [k, v] = pairs[it.index++];
          return { value: it.kind === 'keys' ? k : it.kind === 'values' ? v : [k, v], done: false };
        },
        writable: true, enumerable: true, configurable: true,
      },
      [Symbol.toStringTag]: { value: `${name} Iterator`, configurable: true },
    });
    return function iterator(state, kind) {
      const it = Object.create(prototype);
      iterators.set(it, { state, kind, index: 0 });
      return it;
    };
  };

  // The private token that lets the prelude construct interfaces scripts cannot.
  internals.token = Symbol('kpio internal construction');
});

// HTML's structured clone (StructuredSerializeWithTransfer, then deserialize), done in one
// pass: the memory map keeps shared references and cycles, and transferred buffers are
// detached only once the whole value has been cloned.
(function (ops, internals) {
  'use strict';
  const clone = (e) => internals.domException('DataCloneError', e);

  // Platform objects that later prelude files make serializable (Blob, File): each entry
  // is { is(value), clone(value) }. Other platform objects throw DataCloneError.
  internals.serializable = [];

  // QuickJS's class of each kind of object, taken from objects made here, so nothing
  // depends on the engine's internal numbering.
  const cls = {
    object: ops.classId({}),
    array: ops.classId([]),
    error: ops.classId(new Error()),
    number: ops.classId(new Number(0)),
    string: ops.classId(new String('')),
    boolean: ops.classId(new Boolean(false)),
    bigint: ops.classId(Object(0n)),
    date: ops.classId(new Date(0)),
    regexp: ops.classId(/x/),
    arrayBuffer: ops.classId(new ArrayBuffer(0)),
    dataView: ops.classId(new DataView(new ArrayBuffer(0))),
    map: ops.classId(new Map()),
    set: ops.classId(new Set()),
  };
  const typedArrays = [
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
    Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  ];
  if (typeof Float16Array === 'function') typedArrays.push(Float16Array);
  const typedByClass = new Map(typedArrays.map((T) => [ops.classId(new T(0)), T]));
  const errorNames = new Set(['Error', 'EvalError', 'RangeError', 'ReferenceError',
    'SyntaxError', 'TypeError', 'URIError']);

  const bufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
  const bufferDetached = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'detached');
  const isDetached = bufferDetached
    ? (b) => bufferDetached.get.call(b)
    : (b) => bufferLength.call(b) === 0 && (() => { try { b.slice(0); return false; } catch (_) { return true; } })();
  const typedBuffer = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'buffer').get;
  const viewBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, 'buffer').get;
  const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source').get;
  const regexpFlags = Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags').get;

  function copyBuffer(b) {
    if (isDetached(b)) throw clone('An ArrayBuffer is detached and could not be cloned.');
    if (b.resizable) {
      const out = new ArrayBuffer(b.byteLength, { maxByteLength: b.maxByteLength });
      new Uint8Array(out).set(new Uint8Array(b));
      return out;
    }
    return ArrayBuffer.prototype.slice.call(b, 0);
  }

  function cloneValue(v, memory) {
    const t = typeof v;
    if (t === 'symbol') throw clone('Symbol() could not be cloned.');
    if (t === 'function') throw clone(`${v.name || 'function'} could not be cloned.`);
    if (t !== 'object' || v === null) return v;
    if (memory.has(v)) return memory.get(v);
    if (ops.isProxy(v)) throw clone('#<Object> could not be cloned.');
    const id = ops.classId(v);
    let out;
    switch (id) {
      case cls.boolean: out = new Boolean(Boolean.prototype.valueOf.call(v)); break;
      case cls.number: out = new Number(Number.prototype.valueOf.call(v)); break;
      case cls.bigint: out = Object(BigInt.prototype.valueOf.call(v)); break;
      case cls.string: out = new String(String.prototype.valueOf.call(v)); break;
      case cls.date: out = new Date(Date.prototype.getTime.call(v)); break;
      case cls.regexp: out = new RegExp(regexpSource.call(v), regexpFlags.call(v)); break;
      case cls.arrayBuffer: out = copyBuffer(v); break;
      case cls.dataView: {
        const buffer = cloneValue(viewBuffer.call(v), memory);
        out = new DataView(buffer, v.byteOffset, v.byteLength);
        break;
      }
      case cls.map: {
        out = new Map();
        memory.set(v, out);
        const entries = [...Map.prototype.entries.call(v)];
        for (const [k, x] of entries) out.set(cloneValue(k, memory), cloneValue(x, memory));
        return out;
      }
      case cls.set: {
        out = new Set();
        memory.set(v, out);
        const values = [...Set.prototype.values.call(v)];
        for (const x of values) out.add(cloneValue(x, memory));
        return out;
      }
      case cls.error: {
        let name = v.name;
        name = errorNames.has(name) ? name : 'Error';
        const hasMessage = Object.prototype.hasOwnProperty.call(v, 'message');
        const message = hasMessage ? String(v.message) : undefined;
        out = new globalThis[name](message);
        if (!hasMessage) delete out.message;
        if (typeof v.stack === 'string') {
          Object.defineProperty(out, 'stack', { value: v.stack, writable: true, configurable: true });
        }
        memory.set(v, out);
        return out;
      }
      case cls.array: {
        out = new Array(v.length);
        memory.set(v, out);
        copyProperties(v, out, memory);
        return out;
      }
      case cls.object:
        if (internals.isDOMException(v)) {
          out = internals.domException(String(v.name), String(v.message));
          break;
        }
        {
          const serializable = internals.serializable.find((s) => s.is(v));
          if (serializable !== undefined) {
            out = serializable.clone(v);
            break;
          }
        }
        if (internals.interfaces.some((C) => v instanceof C)) {
          throw clone(`${Object.prototype.toString.call(v)} could not be cloned.`);
        }
        out = {};
        memory.set(v, out);
        copyProperties(v, out, memory);
        return out;
      default: {
        const T = typedByClass.get(id);
        if (T !== undefined) {
          const buffer = cloneValue(typedBuffer.call(v), memory);
          out = new T(buffer, v.byteOffset, v.length);
          break;
        }
        throw clone(`${Object.prototype.toString.call(v)} could not be cloned.`);
      }
    }
    memory.set(v, out);
    return out;
  }

  function copyProperties(from, to, memory) {
    for (const key of Object.keys(from)) {
      if (!Object.prototype.hasOwnProperty.call(from, key)) continue;
      internals.defineData(to, key, cloneValue(from[key], memory));
    }
  }

  function structuredClone(value, options = undefined) {
    internals.requireArgs(arguments.length, 1, "Failed to execute 'structuredClone'");
    const opts = internals.dictionary(options, "Failed to execute 'structuredClone'");
    const transfer = opts.transfer === undefined ? []
      : internals.sequence(opts.transfer, "Failed to execute 'structuredClone'");
    const memory = new Map();
    for (const b of transfer) {
      if ((typeof b !== 'object' && typeof b !== 'function') || b === null) {
        throw new TypeError("Failed to execute 'structuredClone': the transfer list holds a value that is not an object.");
      }
      if (ops.classId(b) !== cls.arrayBuffer) {
        throw clone('Value at index of the transfer list is not a transferable object.');
      }
      if (memory.has(b)) throw clone('ArrayBuffer at index is a duplicate of an earlier ArrayBuffer.');
      memory.set(b, copyBuffer(b));
    }
    const out = cloneValue(value, memory);
    for (const b of transfer) {
      if (typeof b.transfer === 'function') b.transfer();
      else throw clone('this engine cannot detach an ArrayBuffer');
    }
    return out;
  }
  internals.exposeOperation('structuredClone', structuredClone);
  internals.structuredClone = (v) => cloneValue(v, new Map());
});

// The Streams Standard (https://streams.spec.whatwg.org/): readable streams (default and
// byte streams, their readers, controllers, tee, pipes, async iteration and `from`),
// writable streams, transform streams, the two queuing strategies, and the Encoding
// Standard's TextEncoderStream and TextDecoderStream.
//
// Every interface keeps its internal slots in a record (a plain object) that a WeakMap
// maps the interface's object to; the abstract operations of the standard work on those
// records and carry the standard's names, so each can be checked against its algorithm.
// `internals.streams` gives the other prelude files (Fetch's bodies) what the standard
// offers other specifications: creating, reading, teeing and cancelling streams.
//
// Needs, from earlier prelude files: webidl.js (internals.defineInterface, ...),
// AbortController and AbortSignal (abort.js: internals.isAbortSignal and internals.onAbort
// for pipeTo's signal), TextDecoder (encoding.js) and structured cloning
// (structured_clone.js, for the tee other specifications use); so it goes after those in
// src/prelude.rs. It uses ArrayBuffer.prototype.transferToFixedLength (or transfer) and
// the `detached` getter, which QuickJS-NG has, to transfer and detach buffers.
(function (ops, internals) {
  'use strict';

  // ---------------------------------------------------------------------------------
  // Intrinsics, taken now so that scripts changing the globals later change nothing here.
  // ---------------------------------------------------------------------------------
  const $Promise = Promise;
  const $TypeError = TypeError;
  const $RangeError = RangeError;
  const ReflectApply = Reflect.apply;
  const promiseThen = Promise.prototype.then;
  const promiseResolve = Promise.resolve;
  const promiseReject = Promise.reject;
  const ObjectCreate = Object.create;
  const defineProperty = Object.defineProperty;
  const getPrototypeOf = Object.getPrototypeOf;
  const isView = ArrayBuffer.isView;
  const $ArrayBuffer = ArrayBuffer;
  const $Uint8Array = Uint8Array;
  const $DataView = DataView;
  const symbolIterator = Symbol.iterator;
  const symbolAsyncIterator = Symbol.asyncIterator;
  const mathMin = Math.min;
  const mathTrunc = Math.trunc;
  const numberIsNaN = Number.isNaN;
  const numberIsFinite = Number.isFinite;
  const $AbortController = globalThis.AbortController;
  const abortControllerAbort = $AbortController && $AbortController.prototype.abort;
  const abortControllerSignal = $AbortController &&
    Object.getOwnPropertyDescriptor($AbortController.prototype, 'signal').get;
  const $TextDecoder = globalThis.TextDecoder;
  const textDecoderDecode = $TextDecoder && $TextDecoder.prototype.decode;
  const $structuredClone = internals.structuredClone || globalThis.structuredClone;

  const getter = (proto, key) => Object.getOwnPropertyDescriptor(proto, key).get;
  const TypedArrayPrototype = getPrototypeOf($Uint8Array.prototype);
  const taBuffer = getter(TypedArrayPrototype, 'buffer');
  const taByteOffset = getter(TypedArrayPrototype, 'byteOffset');
  const taByteLength = getter(TypedArrayPrototype, 'byteLength');
  const taLength = getter(TypedArrayPrototype, 'length');
  const taName = getter(TypedArrayPrototype, Symbol.toStringTag);
  const taSet = TypedArrayPrototype.set;
  const dvBuffer = getter($DataView.prototype, 'buffer');
  const dvByteOffset = getter($DataView.prototype, 'byteOffset');
  const dvByteLength = getter($DataView.prototype, 'byteLength');
  const abByteLength = getter($ArrayBuffer.prototype, 'byteLength');
  const abDetachedDesc = Object.getOwnPropertyDescriptor($ArrayBuffer.prototype, 'detached');
  const abDetached = abDetachedDesc && abDetachedDesc.get;
  const abTransfer = $ArrayBuffer.prototype.transferToFixedLength || $ArrayBuffer.prototype.transfer;

  // The typed array constructors table: element size and constructor of each name.
  const typedArrays = new Map();
  for (const [name, size] of [
    ['Int8Array', 1], ['Uint8Array', 1], ['Uint8ClampedArray', 1], ['Int16Array', 2],
    ['Uint16Array', 2], ['Int32Array', 4], ['Uint32Array', 4], ['Float16Array', 2],
    ['Float32Array', 4], ['Float64Array', 8], ['BigInt64Array', 8], ['BigUint64Array', 8],
  ]) {
    if (typeof globalThis[name] === 'function') typedArrays.set(name, { size, ctor: globalThis[name] });
  }

  const noop = () => {};
  const call = (fn, self, ...args) => ReflectApply(fn, self, args);

  // ---------------------------------------------------------------------------------
  // Promises (WebIDL's "a new promise", "resolve", "react", ...).
  // ---------------------------------------------------------------------------------

  // A promise with its resolving functions and its state, for the slots the standard
  // asks the state of ("if writer.[[closedPromise]].[[PromiseState]] is pending").
  function newPromise() {
    const d = { promise: undefined, state: 'pending', resolve: undefined, reject: undefined };
    d.promise = new $Promise((resolve, reject) => {
      d.resolve = (v) => {
        if (d.state !== 'pending') return;
        d.state = 'fulfilled';
        resolve(v);
      };
      d.reject = (e) => {
        if (d.state !== 'pending') return;
        d.state = 'rejected';
        reject(e);
      };
    });
    return d;
  }
  function resolvedDeferred(v) {
    const d = newPromise();
    d.resolve(v);
    return d;
  }
  function rejectedDeferred(e) {
    const d = newPromise();
    d.reject(e);
    setHandled(d.promise);
    return d;
  }
  const resolvedWith = (v) => call(promiseResolve, $Promise, v);
  const rejectedWith = (e) => call(promiseReject, $Promise, e);
  // [[PromiseIsHandled]] = true: a reaction, so no unhandled rejection is reported.
  function setHandled(p) {
    call(promiseThen, p, undefined, noop);
  }
  // "React to": the derived promise is never observed, so it is marked handled.
  function uponPromise(p, onFulfilled, onRejected) {
    setHandled(call(promiseThen, p, onFulfilled, onRejected));
  }
  const uponFulfillment = (p, f) => uponPromise(p, f, undefined);
  const uponRejection = (p, r) => uponPromise(p, undefined, r);
  // "The result of reacting to": the derived promise.
  const transformPromiseWith = (p, f, r) => call(promiseThen, p, f, r);
  const resolvedUndefined = () => resolvedWith(undefined);
  const queueMicrotaskInternal = (fn) => uponFulfillment(resolvedWith(undefined), fn);

  // WebIDL's "getting a promise to wait for all".
  function waitForAll(promises) {
    const d = newPromise();
    let remaining = promises.length;
    if (remaining === 0) {
      queueMicrotaskInternal(() => d.resolve(undefined));
      return d.promise;
    }
    for (const p of promises) {
      uponPromise(p, () => {
        remaining -= 1;
        if (remaining === 0) d.resolve(undefined);
      }, (e) => d.reject(e));
    }
    return d.promise;
  }

  // Calls a user callback (WebIDL's "invoke") whose IDL return type is a promise: an
  // exception becomes a rejected promise.
  function promiseCall(fn, self, args) {
    try {
      return resolvedWith(ReflectApply(fn, self, args));
    } catch (e) {
      return rejectedWith(e);
    }
  }

  // A promise-returning operation: whatever it throws (brand checks, argument
  // conversions) comes back as a rejected promise.
  function promiseOp(fn) {
    try {
      return fn();
    } catch (e) {
      return rejectedWith(e);
    }
  }

  // ---------------------------------------------------------------------------------
  // WebIDL conversions.
  // ---------------------------------------------------------------------------------
  const slots = new WeakMap();

  function brand(obj, kind, what) {
    const r = (typeof obj === 'object' || typeof obj === 'function') && obj !== null
      ? slots.get(obj) : undefined;
    if (r === undefined || r.kind !== kind) {
      throw new $TypeError(`${what ? what + ': ' : ''}Illegal invocation`);
    }
    return r;
  }
  function isKind(v, kind) {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
    const r = slots.get(v);
    return r !== undefined && r.kind === kind;
  }
  const create = (proto, record) => {
    const obj = ObjectCreate(proto);
    record.obj = obj;
    slots.set(obj, record);
    return obj;
  };
  const attach = (obj, record) => {
    record.obj = obj;
    slots.set(obj, record);
    return record;
  };

  // A dictionary argument: undefined and null are empty (null here), else an object.
  function dictionaryObject(v, what) {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'object' && typeof v !== 'function') {
      throw new $TypeError(`${what}: the argument is not an object.`);
    }
    return v;
  }
  const member = (o, key) => (o === null ? undefined : o[key]);
  function callbackMember(o, key, what) {
    const v = member(o, key);
    if (v === undefined) return undefined;
    if (typeof v !== 'function') throw new $TypeError(`${what}: '${key}' is not a function.`);
    return v;
  }
  // [EnforceRange] unsigned long long.
  function enforceRangeULL(v, what) {
    let x = +v;
    if (!numberIsFinite(x)) throw new $TypeError(`${what}: the value is not a finite number.`);
    x = mathTrunc(x);
    if (x < 0 || x > Number.MAX_SAFE_INTEGER) throw new $TypeError(`${what}: the value is outside the range of unsigned long long.`);
    return x + 0;
  }
  function toEnum(v, values, what) {
    const s = `${v}`;
    if (!values.includes(s)) throw new $TypeError(`${what}: '${s}' is not a valid value.`);
    return s;
  }
  function toObjectArg(v, what) {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) {
      throw new $TypeError(`${what}: the argument is not an object.`);
    }
    return v;
  }

  // QueuingStrategy { unrestricted double highWaterMark; QueuingStrategySize size; }
  function toQueuingStrategy(v, what) {
    const o = dictionaryObject(v, what);
    const out = {};
    const hwm = member(o, 'highWaterMark');
    if (hwm !== undefined) out.highWaterMark = +hwm;
    const size = callbackMember(o, 'size', what);
    if (size !== undefined) out.size = size;
    return out;
  }
  function extractHighWaterMark(strategy, defaultHWM) {
    if (strategy.highWaterMark === undefined) return defaultHWM;
    const hwm = strategy.highWaterMark;
    if (numberIsNaN(hwm) || hwm < 0) throw new $RangeError('The highWaterMark is not a non-negative number.');
    return hwm;
  }
  function extractSizeAlgorithm(strategy) {
    const size = strategy.size;
    if (size === undefined) return () => 1;
    return (chunk) => +ReflectApply(size, undefined, [chunk]);
  }

  // ArrayBufferView and buffers, through the intrinsic getters (internal slots).
  function isDetachedBuffer(buffer) {
    if (abDetached) return call(abDetached, buffer);
    try {
      new $Uint8Array(buffer, 0, 0);
      return false;
    } catch (_) {
      return true;
    }
  }
  function isArrayBuffer(b) {
    try {
      call(abByteLength, b);
      return true;
    } catch (_) {
      return false;
    }
  }
  const bufferByteLength = (b) => call(abByteLength, b);
  // The view's [[TypedArrayName]] (undefined for a DataView), buffer, offset and length.
  function viewInfo(view) {
    const name = call(taName, view);
    if (name !== undefined) {
      return {
        name,
        buffer: call(taBuffer, view),
        byteOffset: call(taByteOffset, view),
        byteLength: call(taByteLength, view),
        length: call(taLength, view),
      };
    }
    const buffer = call(dvBuffer, view);
    let byteOffset = 0;
    let byteLength = 0;
    try {
      byteOffset = call(dvByteOffset, view);
      byteLength = call(dvByteLength, view);
    } catch (_) {
      // A DataView over a detached buffer: its getters throw; it is empty.
    }
    return { name: undefined, buffer, byteOffset, byteLength, length: byteLength };
  }
  function toArrayBufferView(v, what) {
    if (!isView(v)) throw new $TypeError(`${what}: the argument is not an ArrayBufferView.`);
    const info = viewInfo(v);
    if (!isArrayBuffer(info.buffer)) throw new $TypeError(`${what}: the view's buffer is a SharedArrayBuffer.`);
    return info;
  }
  // A BufferSource as a Uint8Array over the same bytes.
  function toBufferSourceBytes(v, what) {
    if (isView(v)) {
      const info = toArrayBufferView(v, what);
      return new $Uint8Array(info.buffer, info.byteOffset, info.byteLength);
    }
    if ((typeof v === 'object' || typeof v === 'function') && v !== null && isArrayBuffer(v)) {
      return new $Uint8Array(v);
    }
    throw new $TypeError(`${what}: the chunk is not an ArrayBuffer or ArrayBufferView.`);
  }
  // TransferArrayBuffer: the data moves to a new ArrayBuffer; the old one is detached.
  function transferArrayBuffer(buffer) {
    if (isDetachedBuffer(buffer)) throw new $TypeError('The ArrayBuffer is detached.');
    if (abTransfer) return call(abTransfer, buffer);
    return $structuredClone(buffer, { transfer: [buffer] });
  }
  function copyDataBlockBytes(toBuffer, toIndex, fromBuffer, fromIndex, count) {
    call(taSet, new $Uint8Array(toBuffer, toIndex, count), new $Uint8Array(fromBuffer, fromIndex, count));
  }
  function cloneArrayBuffer(buffer, byteOffset, byteLength) {
    if (isDetachedBuffer(buffer)) throw new $TypeError('The ArrayBuffer is detached.');
    const out = new $ArrayBuffer(byteLength);
    copyDataBlockBytes(out, 0, buffer, byteOffset, byteLength);
    return out;
  }
  // CloneAsUint8Array(O).
  function cloneAsUint8Array(view) {
    const info = viewInfo(view);
    const buffer = cloneArrayBuffer(info.buffer, info.byteOffset, info.byteLength);
    return new $Uint8Array(buffer);
  }
  function isNonNegativeNumber(v) {
    return typeof v === 'number' && !numberIsNaN(v) && v >= 0;
  }
  const iterResult = (value, done) => ({ value, done });

  // ---------------------------------------------------------------------------------
  // Queue-with-sizes (section 8.1).
  // ---------------------------------------------------------------------------------
  function dequeueValue(container) {
    const pair = container.queue.shift();
    container.queueTotalSize -= pair.size;
    if (container.queueTotalSize < 0) container.queueTotalSize = 0;
    return pair.value;
  }
  function enqueueValueWithSize(container, value, size) {
    if (!isNonNegativeNumber(size)) throw new $RangeError('The chunk size is not a non-negative number.');
    if (size === Infinity) throw new $RangeError('The chunk size is Infinity.');
    container.queue.push({ value, size });
    container.queueTotalSize += size;
  }
  const peekQueueValue = (container) => container.queue[0].value;
  function resetQueue(container) {
    container.queue = [];
    container.queueTotalSize = 0;
  }

  // ---------------------------------------------------------------------------------
  // Readable streams: abstract operations (section 4.9).
  // ---------------------------------------------------------------------------------
  function newReadableStreamRecord() {
    return {
      kind: 'ReadableStream', obj: undefined, state: 'readable', reader: undefined,
      storedError: undefined, disturbed: false, controller: undefined,
    };
  }
  // A stream made by the standard's own algorithms, not the constructor.
  function makeReadableStream() {
    const stream = newReadableStreamRecord();
    create(ReadableStream.prototype, stream);
    return stream;
  }

  function acquireReadableStreamBYOBReader(stream) {
    const reader = { kind: 'ReadableStreamBYOBReader', obj: undefined, stream: undefined, closed: undefined, readIntoRequests: [] };
    setUpReadableStreamBYOBReader(reader, stream);
    create(ReadableStreamBYOBReader.prototype, reader);
    return reader;
  }
  function acquireReadableStreamDefaultReader(stream) {
    const reader = { kind: 'ReadableStreamDefaultReader', obj: undefined, stream: undefined, closed: undefined, readRequests: [] };
    setUpReadableStreamDefaultReader(reader, stream);
    create(ReadableStreamDefaultReader.prototype, reader);
    return reader;
  }

  // CreateReadableStream(startAlgorithm, pullAlgorithm, cancelAlgorithm[, hwm, size]).
  function createReadableStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark = 1, sizeAlgorithm = () => 1) {
    const stream = makeReadableStream();
    const controller = newDefaultControllerRecord();
    create(ReadableStreamDefaultController.prototype, controller);
    setUpReadableStreamDefaultController(stream, controller, startAlgorithm, pullAlgorithm,
      cancelAlgorithm, highWaterMark, sizeAlgorithm);
    return stream;
  }
  // CreateReadableByteStream(startAlgorithm, pullAlgorithm, cancelAlgorithm).
  function createReadableByteStream(startAlgorithm, pullAlgorithm, cancelAlgorithm) {
    const stream = makeReadableStream();
    const controller = newByteControllerRecord();
    create(ReadableByteStreamController.prototype, controller);
    setUpReadableByteStreamController(stream, controller, startAlgorithm, pullAlgorithm,
      cancelAlgorithm, 0, undefined);
    return stream;
  }

  const isReadableStreamLocked = (stream) => stream.reader !== undefined;

  // ReadableStreamFromIterable(asyncIterable).
  function readableStreamFromIterable(asyncIterable) {
    let stream;
    const iteratorRecord = getAsyncIterator(asyncIterable);
    const startAlgorithm = () => undefined;
    const pullAlgorithm = () => {
      let nextResult;
      try {
        nextResult = ReflectApply(iteratorRecord.next, iteratorRecord.iterator, []);
      } catch (e) {
        return rejectedWith(e);
      }
      const nextPromise = resolvedWith(nextResult);
      return transformPromiseWith(nextPromise, (result) => {
        if ((typeof result !== 'object' && typeof result !== 'function') || result === null) {
          throw new $TypeError('The iterator result is not an object.');
        }
        const done = !!result.done;
        if (done) {
          readableStreamDefaultControllerClose(stream.controller);
        } else {
          const value = result.value;
          readableStreamDefaultControllerEnqueue(stream.controller, value);
        }
      });
    };
    const cancelAlgorithm = (reason) => {
      const iterator = iteratorRecord.iterator;
      let returnMethod;
      try {
        returnMethod = iterator.return;
        if (returnMethod !== undefined && returnMethod !== null && typeof returnMethod !== 'function') {
          throw new $TypeError('The iterator\'s return is not a function.');
        }
      } catch (e) {
        return rejectedWith(e);
      }
      if (returnMethod === undefined || returnMethod === null) return resolvedUndefined();
      let returnResult;
      try {
        returnResult = ReflectApply(returnMethod, iterator, [reason]);
      } catch (e) {
        return rejectedWith(e);
      }
      const returnPromise = resolvedWith(returnResult);
      return transformPromiseWith(returnPromise, (result) => {
        if ((typeof result !== 'object' && typeof result !== 'function') || result === null) {
          throw new $TypeError('The iterator\'s return() result is not an object.');
        }
        return undefined;
      });
    };
    stream = createReadableStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, 0);
    return stream;
  }

  // GetIterator(obj, async): a sync iterator is wrapped as CreateAsyncFromSyncIterator.
  function getMethod(obj, key) {
    const m = obj[key];
    if (m === undefined || m === null) return undefined;
    if (typeof m !== 'function') throw new $TypeError('The iterator method is not a function.');
    return m;
  }
  function getAsyncIterator(obj) {
    if (obj === undefined || obj === null) throw new $TypeError('The argument is not iterable.');
    const method = getMethod(Object(obj), symbolAsyncIterator);
    if (method === undefined) {
      const syncMethod = getMethod(Object(obj), symbolIterator);
      if (syncMethod === undefined) throw new $TypeError('The argument is not async iterable.');
      const syncIterator = ReflectApply(syncMethod, obj, []);
      if ((typeof syncIterator !== 'object' && typeof syncIterator !== 'function') || syncIterator === null) {
        throw new $TypeError('The iterator is not an object.');
      }
      return createAsyncFromSyncIterator({ iterator: syncIterator, next: syncIterator.next });
    }
    const iterator = ReflectApply(method, obj, []);
    if ((typeof iterator !== 'object' && typeof iterator !== 'function') || iterator === null) {
      throw new $TypeError('The async iterator is not an object.');
    }
    return { iterator, next: iterator.next };
  }
  // ECMAScript's %AsyncFromSyncIteratorPrototype%, for next and return.
  function createAsyncFromSyncIterator(syncRecord) {
    const continuation = (result, closeOnRejection) => {
      if ((typeof result !== 'object' && typeof result !== 'function') || result === null) {
        throw new $TypeError('The iterator result is not an object.');
      }
      const done = !!result.done;
      const value = result.value;
      const valueWrapper = resolvedWith(value);
      return transformPromiseWith(valueWrapper, (v) => iterResult(v, done), (e) => {
        if (!done && closeOnRejection) {
          try {
            const ret = syncRecord.iterator.return;
            if (ret !== undefined && ret !== null) ReflectApply(ret, syncRecord.iterator, []);
          } catch (_) { /* the rejection wins */ }
        }
        throw e;
      });
    };
    const iterator = {
      next() {
        try {
          return continuation(ReflectApply(syncRecord.next, syncRecord.iterator, []), true);
        } catch (e) {
          return rejectedWith(e);
        }
      },
      return(value) {
        try {
          const ret = getMethod(syncRecord.iterator, 'return');
          if (ret === undefined) return resolvedWith(iterResult(value, true));
          return continuation(ReflectApply(ret, syncRecord.iterator, [value]), false);
        } catch (e) {
          return rejectedWith(e);
        }
      },
    };
    return { iterator, next: iterator.next };
  }

  // ReadableStreamPipeTo(source, dest, preventClose, preventAbort, preventCancel, signal).
  function readableStreamPipeTo(source, dest, preventClose, preventAbort, preventCancel, signal) {
    // For a byte stream the user agent may use either reader: a default one here.
    const reader = acquireReadableStreamDefaultReader(source);
    const writer = acquireWritableStreamDefaultWriter(dest);
    source.disturbed = true;
    let shuttingDown = false;
    let finalized = false;
    let currentWrite = resolvedUndefined();
    const promise = newPromise();

    // Writes are made as soon as chunks are read, so "read but not yet written" chunks
    // never wait; this waits until the last write (and any made meanwhile) settled.
    function waitForWritesToFinish() {
      const old = currentWrite;
      return transformPromiseWith(old, () => (old !== currentWrite ? waitForWritesToFinish() : undefined));
    }
    function shutdownWithAction(action, hasError, originalError) {
      if (shuttingDown) return;
      shuttingDown = true;
      const doAction = () => {
        let p;
        try {
          p = action();
        } catch (e) {
          p = rejectedWith(e);
        }
        uponPromise(p, () => finalize(hasError, originalError), (newError) => finalize(true, newError));
      };
      if (dest.state === 'writable' && !writableStreamCloseQueuedOrInFlight(dest)) {
        uponFulfillment(waitForWritesToFinish(), doAction);
      } else {
        doAction();
      }
    }
    function shutdown(hasError, error) {
      if (shuttingDown) return;
      shuttingDown = true;
      if (dest.state === 'writable' && !writableStreamCloseQueuedOrInFlight(dest)) {
        uponFulfillment(waitForWritesToFinish(), () => finalize(hasError, error));
      } else {
        finalize(hasError, error);
      }
    }
    function finalize(hasError, error) {
      finalized = true;
      writableStreamDefaultWriterRelease(writer);
      readableStreamDefaultReaderRelease(reader);
      if (hasError) promise.reject(error);
      else promise.resolve(undefined);
    }

    if (signal !== undefined) {
      // "Remove abortAlgorithm from signal" is the `finalized` check: abort.js has no
      // removal, and the algorithm does nothing once the pipe is over.
      const abortAlgorithm = () => {
        if (finalized || shuttingDown) return;
        const error = signal.reason;
        const actions = [];
        if (!preventAbort) {
          actions.push(() => (dest.state === 'writable' ? writableStreamAbort(dest, error) : resolvedUndefined()));
        }
        if (!preventCancel) {
          actions.push(() => (source.state === 'readable' ? readableStreamCancel(source, error) : resolvedUndefined()));
        }
        shutdownWithAction(() => waitForAll(actions.map((a) => a())), true, error);
      };
      if (signal.aborted) {
        abortAlgorithm();
        return promise.promise;
      }
      internals.onAbort(signal, abortAlgorithm);
    }

    // Errors must be propagated forward.
    const sourceErrored = (storedError) => {
      if (!preventAbort) shutdownWithAction(() => writableStreamAbort(dest, storedError), true, storedError);
      else shutdown(true, storedError);
    };
    // Errors must be propagated backward.
    const destErrored = (storedError) => {
      if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, storedError), true, storedError);
      else shutdown(true, storedError);
    };
    // Closing must be propagated forward.
    const sourceClosed = () => {
      if (!preventClose) shutdownWithAction(() => writableStreamDefaultWriterCloseWithErrorPropagation(writer), false);
      else shutdown(false);
    };

    if (source.state === 'errored') sourceErrored(source.storedError);
    else uponRejection(reader.closed.promise, (e) => sourceErrored(e));
    if (dest.state === 'errored') destErrored(dest.storedError);
    else uponRejection(writer.closed.promise, (e) => destErrored(e));
    if (source.state === 'closed') sourceClosed();
    else uponFulfillment(reader.closed.promise, sourceClosed);
    // Closing must be propagated backward.
    if (writableStreamCloseQueuedOrInFlight(dest) || dest.state === 'closed') {
      const destClosed = new $TypeError('The destination stream closed before all data could be piped to it.');
      if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, destClosed), true, destClosed);
      else shutdown(true, destClosed);
    }

    // The loop: never read while the writer's desired size is not positive.
    const readRequest = {
      chunk(chunk) {
        currentWrite = transformPromiseWith(writableStreamDefaultWriterWrite(writer, chunk), undefined, noop);
        pipeStep();
      },
      close: noop,
      error: noop,
    };
    function pipeStep() {
      if (shuttingDown) return;
      uponFulfillment(writer.ready.promise, () => {
        if (shuttingDown) return;
        // A fulfilled ready promise with no room left means the destination is closing
        // or closed: a shutdown is under way and no more is read.
        const size = writableStreamDefaultWriterGetDesiredSize(writer);
        if (size === null || size <= 0) return;
        readableStreamDefaultReaderRead(reader, readRequest);
      });
    }
    pipeStep();
    return promise.promise;
  }

  // ReadableStreamTee(stream, cloneForBranch2).
  function readableStreamTee(stream, cloneForBranch2) {
    if (stream.controller.kind === 'ReadableByteStreamController') return readableByteStreamTee(stream);
    return readableStreamDefaultTee(stream, cloneForBranch2);
  }

  function readableStreamDefaultTee(stream, cloneForBranch2) {
    const reader = acquireReadableStreamDefaultReader(stream);
    let reading = false;
    let readAgain = false;
    let canceled1 = false;
    let canceled2 = false;
    let reason1;
    let reason2;
    let branch1;
    let branch2;
    const cancelPromise = newPromise();
    const pullAlgorithm = () => {
      if (reading) {
        readAgain = true;
        return resolvedUndefined();
      }
      reading = true;
      const readRequest = {
        chunk(chunk) {
          queueMicrotaskInternal(() => {
            readAgain = false;
            const chunk1 = chunk;
            let chunk2 = chunk;
            if (!canceled2 && cloneForBranch2) {
              try {
                chunk2 = $structuredClone(chunk2);
              } catch (e) {
                readableStreamDefaultControllerError(branch1.controller, e);
                readableStreamDefaultControllerError(branch2.controller, e);
                cancelPromise.resolve(readableStreamCancel(stream, e));
                return;
              }
            }
            if (!canceled1) readableStreamDefaultControllerEnqueue(branch1.controller, chunk1);
            if (!canceled2) readableStreamDefaultControllerEnqueue(branch2.controller, chunk2);
            reading = false;
            if (readAgain) pullAlgorithm();
          });
        },
        close() {
          reading = false;
          if (!canceled1) readableStreamDefaultControllerClose(branch1.controller);
          if (!canceled2) readableStreamDefaultControllerClose(branch2.controller);
          if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
        },
        error() {
          reading = false;
        },
      };
      readableStreamDefaultReaderRead(reader, readRequest);
      return resolvedUndefined();
    };
    const cancel1Algorithm = (reason) => {
      canceled1 = true;
      reason1 = reason;
      if (canceled2) {
        const cancelResult = readableStreamCancel(stream, [reason1, reason2]);
        cancelPromise.resolve(cancelResult);
      }
      return cancelPromise.promise;
    };
    const cancel2Algorithm = (reason) => {
      canceled2 = true;
      reason2 = reason;
      if (canceled1) {
        const cancelResult = readableStreamCancel(stream, [reason1, reason2]);
        cancelPromise.resolve(cancelResult);
      }
      return cancelPromise.promise;
    };
    const startAlgorithm = () => undefined;
    branch1 = createReadableStream(startAlgorithm, pullAlgorithm, cancel1Algorithm);
    branch2 = createReadableStream(startAlgorithm, pullAlgorithm, cancel2Algorithm);
    uponRejection(reader.closed.promise, (r) => {
      readableStreamDefaultControllerError(branch1.controller, r);
      readableStreamDefaultControllerError(branch2.controller, r);
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
    });
    return [branch1, branch2];
  }

  function readableByteStreamTee(stream) {
    let reader = acquireReadableStreamDefaultReader(stream);
    let reading = false;
    let readAgainForBranch1 = false;
    let readAgainForBranch2 = false;
    let canceled1 = false;
    let canceled2 = false;
    let reason1;
    let reason2;
    let branch1;
    let branch2;
    const cancelPromise = newPromise();
    const forwardReaderError = (thisReader) => {
      uponRejection(thisReader.closed.promise, (r) => {
        if (thisReader !== reader) return;
        readableByteStreamControllerError(branch1.controller, r);
        readableByteStreamControllerError(branch2.controller, r);
        if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
      });
    };
    const pullWithDefaultReader = () => {
      if (reader.kind === 'ReadableStreamBYOBReader') {
        readableStreamBYOBReaderRelease(reader);
        reader = acquireReadableStreamDefaultReader(stream);
        forwardReaderError(reader);
      }
      const readRequest = {
        chunk(chunk) {
          queueMicrotaskInternal(() => {
            readAgainForBranch1 = false;
            readAgainForBranch2 = false;
            const chunk1 = chunk;
            let chunk2 = chunk;
            if (!canceled1 && !canceled2) {
              try {
                chunk2 = cloneAsUint8Array(chunk);
              } catch (e) {
                readableByteStreamControllerError(branch1.controller, e);
                readableByteStreamControllerError(branch2.controller, e);
                cancelPromise.resolve(readableStreamCancel(stream, e));
                return;
              }
            }
            if (!canceled1) readableByteStreamControllerEnqueue(branch1.controller, chunk1);
            if (!canceled2) readableByteStreamControllerEnqueue(branch2.controller, chunk2);
            reading = false;
            if (readAgainForBranch1) pull1Algorithm();
            else if (readAgainForBranch2) pull2Algorithm();
          });
        },
        close() {
          reading = false;
          if (!canceled1) readableByteStreamControllerClose(branch1.controller);
          if (!canceled2) readableByteStreamControllerClose(branch2.controller);
          if (branch1.controller.pendingPullIntos.length > 0) readableByteStreamControllerRespond(branch1.controller, 0);
          if (branch2.controller.pendingPullIntos.length > 0) readableByteStreamControllerRespond(branch2.controller, 0);
          if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
        },
        error() {
          reading = false;
        },
      };
      readableStreamDefaultReaderRead(reader, readRequest);
    };
    const pullWithBYOBReader = (view, forBranch2) => {
      if (reader.kind === 'ReadableStreamDefaultReader') {
        readableStreamDefaultReaderRelease(reader);
        reader = acquireReadableStreamBYOBReader(stream);
        forwardReaderError(reader);
      }
      const byobBranch = forBranch2 ? branch2 : branch1;
      const otherBranch = forBranch2 ? branch1 : branch2;
      const readIntoRequest = {
        chunk(chunk) {
          queueMicrotaskInternal(() => {
            readAgainForBranch1 = false;
            readAgainForBranch2 = false;
            const byobCanceled = forBranch2 ? canceled2 : canceled1;
            const otherCanceled = forBranch2 ? canceled1 : canceled2;
            if (!otherCanceled) {
              let clonedChunk;
              try {
                clonedChunk = cloneAsUint8Array(chunk);
              } catch (e) {
                readableByteStreamControllerError(byobBranch.controller, e);
                readableByteStreamControllerError(otherBranch.controller, e);
                cancelPromise.resolve(readableStreamCancel(stream, e));
                return;
              }
              if (!byobCanceled) readableByteStreamControllerRespondWithNewView(byobBranch.controller, chunk);
              readableByteStreamControllerEnqueue(otherBranch.controller, clonedChunk);
            } else if (!byobCanceled) {
              readableByteStreamControllerRespondWithNewView(byobBranch.controller, chunk);
            }
            reading = false;
            if (readAgainForBranch1) pull1Algorithm();
            else if (readAgainForBranch2) pull2Algorithm();
          });
        },
        close(chunk) {
          reading = false;
          const byobCanceled = forBranch2 ? canceled2 : canceled1;
          const otherCanceled = forBranch2 ? canceled1 : canceled2;
          if (!byobCanceled) readableByteStreamControllerClose(byobBranch.controller);
          if (!otherCanceled) readableByteStreamControllerClose(otherBranch.controller);
          if (chunk !== undefined) {
            if (!byobCanceled) readableByteStreamControllerRespondWithNewView(byobBranch.controller, chunk);
            if (!otherCanceled && otherBranch.controller.pendingPullIntos.length > 0) {
              readableByteStreamControllerRespond(otherBranch.controller, 0);
            }
          }
          if (!byobCanceled || !otherCanceled) cancelPromise.resolve(undefined);
        },
        error() {
          reading = false;
        },
      };
      readableStreamBYOBReaderRead(reader, view, 1, readIntoRequest);
    };
    const pull1Algorithm = () => {
      if (reading) {
        readAgainForBranch1 = true;
        return resolvedUndefined();
      }
      reading = true;
      const byobRequest = readableByteStreamControllerGetBYOBRequest(branch1.controller);
      if (byobRequest === null) pullWithDefaultReader();
      else pullWithBYOBReader(byobRequest.view, false);
      return resolvedUndefined();
    };
    const pull2Algorithm = () => {
      if (reading) {
        readAgainForBranch2 = true;
        return resolvedUndefined();
      }
      reading = true;
      const byobRequest = readableByteStreamControllerGetBYOBRequest(branch2.controller);
      if (byobRequest === null) pullWithDefaultReader();
      else pullWithBYOBReader(byobRequest.view, true);
      return resolvedUndefined();
    };
    const cancel1Algorithm = (reason) => {
      canceled1 = true;
      reason1 = reason;
      if (canceled2) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
      return cancelPromise.promise;
    };
    const cancel2Algorithm = (reason) => {
      canceled2 = true;
      reason2 = reason;
      if (canceled1) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
      return cancelPromise.promise;
    };
    const startAlgorithm = () => undefined;
    branch1 = createReadableByteStream(startAlgorithm, pull1Algorithm, cancel1Algorithm);
    branch2 = createReadableByteStream(startAlgorithm, pull2Algorithm, cancel2Algorithm);
    forwardReaderError(reader);
    return [branch1, branch2];
  }

  // Interfacing with controllers (section 4.9.2).
  function readableStreamAddReadIntoRequest(stream, readRequest) {
    stream.reader.readIntoRequests.push(readRequest);
  }
  function readableStreamAddReadRequest(stream, readRequest) {
    stream.reader.readRequests.push(readRequest);
  }
  function readableStreamCancel(stream, reason) {
    stream.disturbed = true;
    if (stream.state === 'closed') return resolvedUndefined();
    if (stream.state === 'errored') return rejectedWith(stream.storedError);
    readableStreamClose(stream);
    const reader = stream.reader;
    if (reader !== undefined && reader.kind === 'ReadableStreamBYOBReader') {
      const readIntoRequests = reader.readIntoRequests;
      reader.readIntoRequests = [];
      for (const readIntoRequest of readIntoRequests) readIntoRequest.close(undefined);
    }
    const sourceCancelPromise = stream.controller.cancelSteps(reason);
    return transformPromiseWith(sourceCancelPromise, () => undefined);
  }
  function readableStreamClose(stream) {
    stream.state = 'closed';
    const reader = stream.reader;
    if (reader === undefined) return;
    reader.closed.resolve(undefined);
    if (reader.kind === 'ReadableStreamDefaultReader') {
      const readRequests = reader.readRequests;
      reader.readRequests = [];
      for (const readRequest of readRequests) readRequest.close();
    }
  }
  function readableStreamError(stream, e) {
    stream.state = 'errored';
    stream.storedError = e;
    const reader = stream.reader;
    if (reader === undefined) return;
    reader.closed.reject(e);
    setHandled(reader.closed.promise);
    if (reader.kind === 'ReadableStreamDefaultReader') readableStreamDefaultReaderErrorReadRequests(reader, e);
    else readableStreamBYOBReaderErrorReadIntoRequests(reader, e);
  }
  function readableStreamFulfillReadIntoRequest(stream, chunk, done) {
    const readIntoRequest = stream.reader.readIntoRequests.shift();
    if (done) readIntoRequest.close(chunk);
    else readIntoRequest.chunk(chunk);
  }
  function readableStreamFulfillReadRequest(stream, chunk, done) {
    const readRequest = stream.reader.readRequests.shift();
    if (done) readRequest.close();
    else readRequest.chunk(chunk);
  }
  const readableStreamGetNumReadIntoRequests = (stream) => stream.reader.readIntoRequests.length;
  const readableStreamGetNumReadRequests = (stream) => stream.reader.readRequests.length;
  const readableStreamHasBYOBReader = (stream) => stream.reader !== undefined && stream.reader.kind === 'ReadableStreamBYOBReader';
  const readableStreamHasDefaultReader = (stream) => stream.reader !== undefined && stream.reader.kind === 'ReadableStreamDefaultReader';

  // Readers (section 4.9.3).
  function readableStreamReaderGenericCancel(reader, reason) {
    return readableStreamCancel(reader.stream, reason);
  }
  function readableStreamReaderGenericInitialize(reader, stream) {
    reader.stream = stream;
    stream.reader = reader;
    if (stream.state === 'readable') {
      reader.closed = newPromise();
    } else if (stream.state === 'closed') {
      reader.closed = resolvedDeferred(undefined);
    } else {
      reader.closed = rejectedDeferred(stream.storedError);
    }
  }
  function readableStreamReaderGenericRelease(reader) {
    const stream = reader.stream;
    const e = new $TypeError('The reader\'s lock was released.');
    if (stream.state === 'readable') reader.closed.reject(e);
    else reader.closed = rejectedDeferred(e);
    setHandled(reader.closed.promise);
    stream.controller.releaseSteps();
    stream.reader = undefined;
    reader.stream = undefined;
  }
  function readableStreamBYOBReaderErrorReadIntoRequests(reader, e) {
    const readIntoRequests = reader.readIntoRequests;
    reader.readIntoRequests = [];
    for (const readIntoRequest of readIntoRequests) readIntoRequest.error(e);
  }
  function readableStreamBYOBReaderRead(reader, view, min, readIntoRequest) {
    const stream = reader.stream;
    stream.disturbed = true;
    if (stream.state === 'errored') readIntoRequest.error(stream.storedError);
    else readableByteStreamControllerPullInto(stream.controller, view, min, readIntoRequest);
  }
  function readableStreamBYOBReaderRelease(reader) {
    readableStreamReaderGenericRelease(reader);
    readableStreamBYOBReaderErrorReadIntoRequests(reader, new $TypeError('The reader\'s lock was released.'));
  }
  function readableStreamDefaultReaderErrorReadRequests(reader, e) {
    const readRequests = reader.readRequests;
    reader.readRequests = [];
    for (const readRequest of readRequests) readRequest.error(e);
  }
  function readableStreamDefaultReaderRead(reader, readRequest) {
    const stream = reader.stream;
    stream.disturbed = true;
    if (stream.state === 'closed') readRequest.close();
    else if (stream.state === 'errored') readRequest.error(stream.storedError);
    else stream.controller.pullSteps(readRequest);
  }
  function readableStreamDefaultReaderRelease(reader) {
    readableStreamReaderGenericRelease(reader);
    readableStreamDefaultReaderErrorReadRequests(reader, new $TypeError('The reader\'s lock was released.'));
  }
  function setUpReadableStreamBYOBReader(reader, stream) {
    if (isReadableStreamLocked(stream)) throw new $TypeError('The stream is locked to a reader.');
    if (stream.controller.kind !== 'ReadableByteStreamController') {
      throw new $TypeError('A BYOB reader needs a readable byte stream.');
    }
    readableStreamReaderGenericInitialize(reader, stream);
    reader.readIntoRequests = [];
  }
  function setUpReadableStreamDefaultReader(reader, stream) {
    if (isReadableStreamLocked(stream)) throw new $TypeError('The stream is locked to a reader.');
    readableStreamReaderGenericInitialize(reader, stream);
    reader.readRequests = [];
  }

  // Default controllers (section 4.9.4).
  function newDefaultControllerRecord() {
    return {
      kind: 'ReadableStreamDefaultController', obj: undefined, stream: undefined,
      queue: [], queueTotalSize: 0, started: false, closeRequested: false, pullAgain: false,
      pulling: false, strategySizeAlgorithm: undefined, strategyHWM: 0,
      pullAlgorithm: undefined, cancelAlgorithm: undefined,
      cancelSteps: undefined, pullSteps: undefined, releaseSteps: undefined,
    };
  }
  function readableStreamDefaultControllerCallPullIfNeeded(controller) {
    if (!readableStreamDefaultControllerShouldCallPull(controller)) return;
    if (controller.pulling) {
      controller.pullAgain = true;
      return;
    }
    controller.pulling = true;
    const pullPromise = controller.pullAlgorithm();
    uponPromise(pullPromise, () => {
      controller.pulling = false;
      if (controller.pullAgain) {
        controller.pullAgain = false;
        readableStreamDefaultControllerCallPullIfNeeded(controller);
      }
    }, (e) => readableStreamDefaultControllerError(controller, e));
  }
  function readableStreamDefaultControllerShouldCallPull(controller) {
    const stream = controller.stream;
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) return false;
    if (!controller.started) return false;
    if (isReadableStreamLocked(stream) && readableStreamGetNumReadRequests(stream) > 0) return true;
    const desiredSize = readableStreamDefaultControllerGetDesiredSize(controller);
    return desiredSize > 0;
  }
  function readableStreamDefaultControllerClearAlgorithms(controller) {
    controller.pullAlgorithm = undefined;
    controller.cancelAlgorithm = undefined;
    controller.strategySizeAlgorithm = undefined;
  }
  function readableStreamDefaultControllerClose(controller) {
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) return;
    const stream = controller.stream;
    controller.closeRequested = true;
    if (controller.queue.length === 0) {
      readableStreamDefaultControllerClearAlgorithms(controller);
      readableStreamClose(stream);
    }
  }
  function readableStreamDefaultControllerEnqueue(controller, chunk) {
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) return;
    const stream = controller.stream;
    if (isReadableStreamLocked(stream) && readableStreamGetNumReadRequests(stream) > 0) {
      readableStreamFulfillReadRequest(stream, chunk, false);
    } else {
      let chunkSize;
      try {
        chunkSize = controller.strategySizeAlgorithm(chunk);
      } catch (e) {
        readableStreamDefaultControllerError(controller, e);
        throw e;
      }
      try {
        enqueueValueWithSize(controller, chunk, chunkSize);
      } catch (e) {
        readableStreamDefaultControllerError(controller, e);
        throw e;
      }
    }
    readableStreamDefaultControllerCallPullIfNeeded(controller);
  }
  function readableStreamDefaultControllerError(controller, e) {
    const stream = controller.stream;
    if (stream.state !== 'readable') return;
    resetQueue(controller);
    readableStreamDefaultControllerClearAlgorithms(controller);
    readableStreamError(stream, e);
  }
  function readableStreamDefaultControllerGetDesiredSize(controller) {
    const state = controller.stream.state;
    if (state === 'errored') return null;
    if (state === 'closed') return 0;
    return controller.strategyHWM - controller.queueTotalSize;
  }
  function readableStreamDefaultControllerHasBackpressure(controller) {
    return !readableStreamDefaultControllerShouldCallPull(controller);
  }
  function readableStreamDefaultControllerCanCloseOrEnqueue(controller) {
    return !controller.closeRequested && controller.stream.state === 'readable';
  }
  function setUpReadableStreamDefaultController(stream, controller, startAlgorithm, pullAlgorithm,
    cancelAlgorithm, highWaterMark, sizeAlgorithm) {
    controller.stream = stream;
    resetQueue(controller);
    controller.started = false;
    controller.closeRequested = false;
    controller.pullAgain = false;
    controller.pulling = false;
    controller.strategySizeAlgorithm = sizeAlgorithm;
    controller.strategyHWM = highWaterMark;
    controller.pullAlgorithm = pullAlgorithm;
    controller.cancelAlgorithm = cancelAlgorithm;
    // [[CancelSteps]], [[PullSteps]], [[ReleaseSteps]].
    controller.cancelSteps = (reason) => {
      resetQueue(controller);
      const result = controller.cancelAlgorithm(reason);
      readableStreamDefaultControllerClearAlgorithms(controller);
      return result;
    };
    controller.pullSteps = (readRequest) => {
      if (controller.queue.length > 0) {
        const chunk = dequeueValue(controller);
        if (controller.closeRequested && controller.queue.length === 0) {
          readableStreamDefaultControllerClearAlgorithms(controller);
          readableStreamClose(stream);
        } else {
          readableStreamDefaultControllerCallPullIfNeeded(controller);
        }
        readRequest.chunk(chunk);
      } else {
        readableStreamAddReadRequest(stream, readRequest);
        readableStreamDefaultControllerCallPullIfNeeded(controller);
      }
    };
    controller.releaseSteps = noop;
    stream.controller = controller;
    const startResult = startAlgorithm();
    const startPromise = resolvedWith(startResult);
    uponPromise(startPromise, () => {
      controller.started = true;
      readableStreamDefaultControllerCallPullIfNeeded(controller);
    }, (r) => readableStreamDefaultControllerError(controller, r));
  }
  function setUpReadableStreamDefaultControllerFromUnderlyingSource(stream, underlyingSource,
    underlyingSourceDict, highWaterMark, sizeAlgorithm) {
    const controller = newDefaultControllerRecord();
    create(ReadableStreamDefaultController.prototype, controller);
    let startAlgorithm = () => undefined;
    let pullAlgorithm = resolvedUndefined;
    let cancelAlgorithm = resolvedUndefined;
    const { start, pull, cancel } = underlyingSourceDict;
    if (start !== undefined) startAlgorithm = () => ReflectApply(start, underlyingSource, [controller.obj]);
    if (pull !== undefined) pullAlgorithm = () => promiseCall(pull, underlyingSource, [controller.obj]);
    if (cancel !== undefined) cancelAlgorithm = (reason) => promiseCall(cancel, underlyingSource, [reason]);
    setUpReadableStreamDefaultController(stream, controller, startAlgorithm, pullAlgorithm,
      cancelAlgorithm, highWaterMark, sizeAlgorithm);
  }

  // Byte stream controllers (section 4.9.5).
  function newByteControllerRecord() {
    return {
      kind: 'ReadableByteStreamController', obj: undefined, stream: undefined,
      queue: [], queueTotalSize: 0, started: false, closeRequested: false, pullAgain: false,
      pulling: false, strategyHWM: 0, pullAlgorithm: undefined, cancelAlgorithm: undefined,
      autoAllocateChunkSize: undefined, pendingPullIntos: [], byobRequest: null,
      cancelSteps: undefined, pullSteps: undefined, releaseSteps: undefined,
    };
  }
  function readableByteStreamControllerCallPullIfNeeded(controller) {
    if (!readableByteStreamControllerShouldCallPull(controller)) return;
    if (controller.pulling) {
      controller.pullAgain = true;
      return;
    }
    controller.pulling = true;
    const pullPromise = controller.pullAlgorithm();
    uponPromise(pullPromise, () => {
      controller.pulling = false;
      if (controller.pullAgain) {
        controller.pullAgain = false;
        readableByteStreamControllerCallPullIfNeeded(controller);
      }
    }, (e) => readableByteStreamControllerError(controller, e));
  }
  function readableByteStreamControllerClearAlgorithms(controller) {
    controller.pullAlgorithm = undefined;
    controller.cancelAlgorithm = undefined;
  }
  function readableByteStreamControllerClearPendingPullIntos(controller) {
    readableByteStreamControllerInvalidateBYOBRequest(controller);
    controller.pendingPullIntos = [];
  }
  function readableByteStreamControllerClose(controller) {
    const stream = controller.stream;
    if (controller.closeRequested || stream.state !== 'readable') return;
    if (controller.queueTotalSize > 0) {
      controller.closeRequested = true;
      return;
    }
    if (controller.pendingPullIntos.length > 0) {
      const firstPendingPullInto = controller.pendingPullIntos[0];
      if (firstPendingPullInto.bytesFilled % firstPendingPullInto.elementSize !== 0) {
        const e = new $TypeError('The stream closed with a partially filled element in the BYOB request.');
        readableByteStreamControllerError(controller, e);
        throw e;
      }
    }
    readableByteStreamControllerClearAlgorithms(controller);
    readableStreamClose(stream);
  }
  function readableByteStreamControllerCommitPullIntoDescriptor(stream, pullIntoDescriptor) {
    let done = false;
    if (stream.state === 'closed') done = true;
    const filledView = readableByteStreamControllerConvertPullIntoDescriptor(pullIntoDescriptor);
    if (pullIntoDescriptor.readerType === 'default') {
      readableStreamFulfillReadRequest(stream, filledView, done);
    } else {
      readableStreamFulfillReadIntoRequest(stream, filledView, done);
    }
  }
  function readableByteStreamControllerConvertPullIntoDescriptor(pullIntoDescriptor) {
    const bytesFilled = pullIntoDescriptor.bytesFilled;
    const elementSize = pullIntoDescriptor.elementSize;
    const buffer = transferArrayBuffer(pullIntoDescriptor.buffer);
    return new pullIntoDescriptor.viewConstructor(buffer, pullIntoDescriptor.byteOffset, bytesFilled / elementSize);
  }
  function readableByteStreamControllerEnqueue(controller, chunk) {
    const stream = controller.stream;
    if (controller.closeRequested || stream.state !== 'readable') return;
    const info = viewInfo(chunk);
    const buffer = info.buffer;
    const byteOffset = info.byteOffset;
    const byteLength = info.byteLength;
    if (isDetachedBuffer(buffer)) throw new $TypeError('The chunk\'s buffer is detached.');
    const transferredBuffer = transferArrayBuffer(buffer);
    if (controller.pendingPullIntos.length > 0) {
      const firstPendingPullInto = controller.pendingPullIntos[0];
      if (isDetachedBuffer(firstPendingPullInto.buffer)) {
        throw new $TypeError('The BYOB request\'s buffer is detached.');
      }
      readableByteStreamControllerInvalidateBYOBRequest(controller);
      firstPendingPullInto.buffer = transferArrayBuffer(firstPendingPullInto.buffer);
      if (firstPendingPullInto.readerType === 'none') {
        readableByteStreamControllerEnqueueDetachedPullIntoToQueue(controller, firstPendingPullInto);
      }
    }
    if (readableStreamHasDefaultReader(stream)) {
      readableByteStreamControllerProcessReadRequestsUsingQueue(controller);
      if (readableStreamGetNumReadRequests(stream) === 0) {
        readableByteStreamControllerEnqueueChunkToQueue(controller, transferredBuffer, byteOffset, byteLength);
      } else {
        if (controller.pendingPullIntos.length > 0) readableByteStreamControllerShiftPendingPullInto(controller);
        const transferredView = new $Uint8Array(transferredBuffer, byteOffset, byteLength);
        readableStreamFulfillReadRequest(stream, transferredView, false);
      }
    } else if (readableStreamHasBYOBReader(stream)) {
      readableByteStreamControllerEnqueueChunkToQueue(controller, transferredBuffer, byteOffset, byteLength);
      const filledPullIntos = readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller);
      for (const filledPullInto of filledPullIntos) {
        readableByteStreamControllerCommitPullIntoDescriptor(stream, filledPullInto);
      }
    } else {
      readableByteStreamControllerEnqueueChunkToQueue(controller, transferredBuffer, byteOffset, byteLength);
    }
    readableByteStreamControllerCallPullIfNeeded(controller);
  }
  function readableByteStreamControllerEnqueueChunkToQueue(controller, buffer, byteOffset, byteLength) {
    controller.queue.push({ buffer, byteOffset, byteLength });
    controller.queueTotalSize += byteLength;
  }
  function readableByteStreamControllerEnqueueClonedChunkToQueue(controller, buffer, byteOffset, byteLength) {
    let cloneResult;
    try {
      cloneResult = cloneArrayBuffer(buffer, byteOffset, byteLength);
    } catch (e) {
      readableByteStreamControllerError(controller, e);
      throw e;
    }
    readableByteStreamControllerEnqueueChunkToQueue(controller, cloneResult, 0, byteLength);
  }
  function readableByteStreamControllerEnqueueDetachedPullIntoToQueue(controller, pullIntoDescriptor) {
    if (pullIntoDescriptor.bytesFilled > 0) {
      readableByteStreamControllerEnqueueClonedChunkToQueue(controller, pullIntoDescriptor.buffer,
        pullIntoDescriptor.byteOffset, pullIntoDescriptor.bytesFilled);
    }
    readableByteStreamControllerShiftPendingPullInto(controller);
  }
  function readableByteStreamControllerFillPullIntoDescriptorFromQueue(controller, pullIntoDescriptor) {
    const maxBytesToCopy = mathMin(controller.queueTotalSize,
      pullIntoDescriptor.byteLength - pullIntoDescriptor.bytesFilled);
    const maxBytesFilled = pullIntoDescriptor.bytesFilled + maxBytesToCopy;
    let totalBytesToCopyRemaining = maxBytesToCopy;
    let ready = false;
    const remainderBytes = maxBytesFilled % pullIntoDescriptor.elementSize;
    const maxAlignedBytes = maxBytesFilled - remainderBytes;
    if (maxAlignedBytes >= pullIntoDescriptor.minimumFill) {
      totalBytesToCopyRemaining = maxAlignedBytes - pullIntoDescriptor.bytesFilled;
      ready = true;
    }
    const queue = controller.queue;
    while (totalBytesToCopyRemaining > 0) {
      const headOfQueue = queue[0];
      const bytesToCopy = mathMin(totalBytesToCopyRemaining, headOfQueue.byteLength);
      const destStart = pullIntoDescriptor.byteOffset + pullIntoDescriptor.bytesFilled;
      copyDataBlockBytes(pullIntoDescriptor.buffer, destStart, headOfQueue.buffer, headOfQueue.byteOffset, bytesToCopy);
      if (headOfQueue.byteLength === bytesToCopy) {
        queue.shift();
      } else {
        headOfQueue.byteOffset += bytesToCopy;
        headOfQueue.byteLength -= bytesToCopy;
      }
      controller.queueTotalSize -= bytesToCopy;
      readableByteStreamControllerFillHeadPullIntoDescriptor(controller, bytesToCopy, pullIntoDescriptor);
      totalBytesToCopyRemaining -= bytesToCopy;
    }
    return ready;
  }
  function readableByteStreamControllerFillReadRequestFromQueue(controller, readRequest) {
    const entry = controller.queue.shift();
    controller.queueTotalSize -= entry.byteLength;
    readableByteStreamControllerHandleQueueDrain(controller);
    const view = new $Uint8Array(entry.buffer, entry.byteOffset, entry.byteLength);
    readRequest.chunk(view);
  }
  function readableByteStreamControllerGetBYOBRequest(controller) {
    if (controller.byobRequest === null && controller.pendingPullIntos.length > 0) {
      const firstDescriptor = controller.pendingPullIntos[0];
      const view = new $Uint8Array(firstDescriptor.buffer,
        firstDescriptor.byteOffset + firstDescriptor.bytesFilled,
        firstDescriptor.byteLength - firstDescriptor.bytesFilled);
      const byobRequest = { kind: 'ReadableStreamBYOBRequest', obj: undefined, controller, view };
      create(ReadableStreamBYOBRequest.prototype, byobRequest);
      controller.byobRequest = byobRequest;
    }
    return controller.byobRequest;
  }
  function readableByteStreamControllerGetDesiredSize(controller) {
    const state = controller.stream.state;
    if (state === 'errored') return null;
    if (state === 'closed') return 0;
    return controller.strategyHWM - controller.queueTotalSize;
  }
  function readableByteStreamControllerHandleQueueDrain(controller) {
    if (controller.queueTotalSize === 0 && controller.closeRequested) {
      readableByteStreamControllerClearAlgorithms(controller);
      readableStreamClose(controller.stream);
    } else {
      readableByteStreamControllerCallPullIfNeeded(controller);
    }
  }
  function readableByteStreamControllerInvalidateBYOBRequest(controller) {
    if (controller.byobRequest === null) return;
    controller.byobRequest.controller = undefined;
    controller.byobRequest.view = null;
    controller.byobRequest = null;
  }
  function readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller) {
    const filledPullIntos = [];
    while (controller.pendingPullIntos.length > 0) {
      if (controller.queueTotalSize === 0) break;
      const pullIntoDescriptor = controller.pendingPullIntos[0];
      if (readableByteStreamControllerFillPullIntoDescriptorFromQueue(controller, pullIntoDescriptor)) {
        readableByteStreamControllerShiftPendingPullInto(controller);
        filledPullIntos.push(pullIntoDescriptor);
      }
    }
    return filledPullIntos;
  }
  function readableByteStreamControllerProcessReadRequestsUsingQueue(controller) {
    const reader = controller.stream.reader;
    while (reader.readRequests.length > 0) {
      if (controller.queueTotalSize === 0) return;
      const readRequest = reader.readRequests.shift();
      readableByteStreamControllerFillReadRequestFromQueue(controller, readRequest);
    }
  }
  function readableByteStreamControllerPullInto(controller, view, min, readIntoRequest) {
    const stream = controller.stream;
    const info = viewInfo(view);
    let elementSize = 1;
    let ctor = $DataView;
    if (info.name !== undefined) {
      const entry = typedArrays.get(info.name);
      elementSize = entry.size;
      ctor = entry.ctor;
    }
    const minimumFill = min * elementSize;
    const byteOffset = info.byteOffset;
    const byteLength = info.byteLength;
    let buffer;
    try {
      buffer = transferArrayBuffer(info.buffer);
    } catch (e) {
      readIntoRequest.error(e);
      return;
    }
    const pullIntoDescriptor = {
      buffer, bufferByteLength: bufferByteLength(buffer), byteOffset, byteLength,
      bytesFilled: 0, minimumFill, elementSize, viewConstructor: ctor, readerType: 'byob',
    };
    if (controller.pendingPullIntos.length > 0) {
      controller.pendingPullIntos.push(pullIntoDescriptor);
      readableStreamAddReadIntoRequest(stream, readIntoRequest);
      return;
    }
    if (stream.state === 'closed') {
      const emptyView = new ctor(pullIntoDescriptor.buffer, pullIntoDescriptor.byteOffset, 0);
      readIntoRequest.close(emptyView);
      return;
    }
    if (controller.queueTotalSize > 0) {
      if (readableByteStreamControllerFillPullIntoDescriptorFromQueue(controller, pullIntoDescriptor)) {
        const filledView = readableByteStreamControllerConvertPullIntoDescriptor(pullIntoDescriptor);
        readableByteStreamControllerHandleQueueDrain(controller);
        readIntoRequest.chunk(filledView);
        return;
      }
      if (controller.closeRequested) {
        const e = new $TypeError('The stream is closing and cannot fill the view.');
        readableByteStreamControllerError(controller, e);
        readIntoRequest.error(e);
        return;
      }
    }
    controller.pendingPullIntos.push(pullIntoDescriptor);
    readableStreamAddReadIntoRequest(stream, readIntoRequest);
    readableByteStreamControllerCallPullIfNeeded(controller);
  }
  function readableByteStreamControllerRespond(controller, bytesWritten) {
    const firstDescriptor = controller.pendingPullIntos[0];
    const state = controller.stream.state;
    if (state === 'closed') {
      if (bytesWritten !== 0) throw new $TypeError('bytesWritten must be 0 once the stream is closed.');
    } else {
      if (bytesWritten === 0) throw new $TypeError('bytesWritten must be positive while the stream is readable.');
      if (firstDescriptor.bytesFilled + bytesWritten > firstDescriptor.byteLength) {
        throw new $RangeError('bytesWritten is larger than the view.');
      }
    }
    firstDescriptor.buffer = transferArrayBuffer(firstDescriptor.buffer);
    readableByteStreamControllerRespondInternal(controller, bytesWritten);
  }
  function readableByteStreamControllerRespondInClosedState(controller, firstDescriptor) {
    if (firstDescriptor.readerType === 'none') readableByteStreamControllerShiftPendingPullInto(controller);
    const stream = controller.stream;
    if (readableStreamHasBYOBReader(stream)) {
      const filledPullIntos = [];
      while (filledPullIntos.length < readableStreamGetNumReadIntoRequests(stream)) {
        filledPullIntos.push(readableByteStreamControllerShiftPendingPullInto(controller));
      }
      for (const filledPullInto of filledPullIntos) {
        readableByteStreamControllerCommitPullIntoDescriptor(stream, filledPullInto);
      }
    }
  }
  function readableByteStreamControllerRespondInReadableState(controller, bytesWritten, pullIntoDescriptor) {
    readableByteStreamControllerFillHeadPullIntoDescriptor(controller, bytesWritten, pullIntoDescriptor);
    if (pullIntoDescriptor.readerType === 'none') {
      readableByteStreamControllerEnqueueDetachedPullIntoToQueue(controller, pullIntoDescriptor);
      const filledPullIntos = readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller);
      for (const filledPullInto of filledPullIntos) {
        readableByteStreamControllerCommitPullIntoDescriptor(controller.stream, filledPullInto);
      }
      return;
    }
    if (pullIntoDescriptor.bytesFilled < pullIntoDescriptor.minimumFill) return;
    readableByteStreamControllerShiftPendingPullInto(controller);
    const remainderSize = pullIntoDescriptor.bytesFilled % pullIntoDescriptor.elementSize;
    if (remainderSize > 0) {
      const end = pullIntoDescriptor.byteOffset + pullIntoDescriptor.bytesFilled;
      readableByteStreamControllerEnqueueClonedChunkToQueue(controller, pullIntoDescriptor.buffer,
        end - remainderSize, remainderSize);
    }
    pullIntoDescriptor.bytesFilled -= remainderSize;
    const filledPullIntos = readableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller);
    readableByteStreamControllerCommitPullIntoDescriptor(controller.stream, pullIntoDescriptor);
    for (const filledPullInto of filledPullIntos) {
      readableByteStreamControllerCommitPullIntoDescriptor(controller.stream, filledPullInto);
    }
  }
  function readableByteStreamControllerFillHeadPullIntoDescriptor(controller, size, pullIntoDescriptor) {
    pullIntoDescriptor.bytesFilled += size;
  }
  function readableByteStreamControllerRespondInternal(controller, bytesWritten) {
    const firstDescriptor = controller.pendingPullIntos[0];
    readableByteStreamControllerInvalidateBYOBRequest(controller);
    const state = controller.stream.state;
    if (state === 'closed') {
      readableByteStreamControllerRespondInClosedState(controller, firstDescriptor);
    } else {
      readableByteStreamControllerRespondInReadableState(controller, bytesWritten, firstDescriptor);
    }
    readableByteStreamControllerCallPullIfNeeded(controller);
  }
  function readableByteStreamControllerRespondWithNewView(controller, view) {
    const info = viewInfo(view);
    const firstDescriptor = controller.pendingPullIntos[0];
    const state = controller.stream.state;
    if (state === 'closed') {
      if (info.byteLength !== 0) throw new $TypeError('The view must be empty once the stream is closed.');
    } else if (info.byteLength === 0) {
      throw new $TypeError('The view must not be empty while the stream is readable.');
    }
    if (firstDescriptor.byteOffset + firstDescriptor.bytesFilled !== info.byteOffset) {
      throw new $RangeError('The view does not start where the BYOB request\'s view does.');
    }
    if (firstDescriptor.bufferByteLength !== bufferByteLength(info.buffer)) {
      throw new $RangeError('The view\'s buffer is not as long as the BYOB request\'s.');
    }
    if (firstDescriptor.bytesFilled + info.byteLength > firstDescriptor.byteLength) {
      throw new $RangeError('The view is longer than the BYOB request\'s.');
    }
    const viewByteLength = info.byteLength;
    firstDescriptor.buffer = transferArrayBuffer(info.buffer);
    readableByteStreamControllerRespondInternal(controller, viewByteLength);
  }
  function readableByteStreamControllerShiftPendingPullInto(controller) {
    return controller.pendingPullIntos.shift();
  }
  function readableByteStreamControllerShouldCallPull(controller) {
    const stream = controller.stream;
    if (stream.state !== 'readable') return false;
    if (controller.closeRequested) return false;
    if (!controller.started) return false;
    if (readableStreamHasDefaultReader(stream) && readableStreamGetNumReadRequests(stream) > 0) return true;
    if (readableStreamHasBYOBReader(stream) && readableStreamGetNumReadIntoRequests(stream) > 0) return true;
    return readableByteStreamControllerGetDesiredSize(controller) > 0;
  }
  function readableByteStreamControllerError(controller, e) {
    const stream = controller.stream;
    if (stream.state !== 'readable') return;
    readableByteStreamControllerClearPendingPullIntos(controller);
    resetQueue(controller);
    readableByteStreamControllerClearAlgorithms(controller);
    readableStreamError(stream, e);
  }
  function setUpReadableByteStreamController(stream, controller, startAlgorithm, pullAlgorithm,
    cancelAlgorithm, highWaterMark, autoAllocateChunkSize) {
    controller.stream = stream;
    controller.pullAgain = false;
    controller.pulling = false;
    controller.byobRequest = null;
    resetQueue(controller);
    controller.closeRequested = false;
    controller.started = false;
    controller.strategyHWM = highWaterMark;
    controller.pullAlgorithm = pullAlgorithm;
    controller.cancelAlgorithm = cancelAlgorithm;
    controller.autoAllocateChunkSize = autoAllocateChunkSize;
    controller.pendingPullIntos = [];
    controller.cancelSteps = (reason) => {
      readableByteStreamControllerClearPendingPullIntos(controller);
      resetQueue(controller);
      const result = controller.cancelAlgorithm(reason);
      readableByteStreamControllerClearAlgorithms(controller);
      return result;
    };
    controller.pullSteps = (readRequest) => {
      if (controller.queueTotalSize > 0) {
        readableByteStreamControllerFillReadRequestFromQueue(controller, readRequest);
        return;
      }
      const size = controller.autoAllocateChunkSize;
      if (size !== undefined) {
        let buffer;
        try {
          buffer = new $ArrayBuffer(size);
        } catch (e) {
          readRequest.error(e);
          return;
        }
        controller.pendingPullIntos.push({
          buffer, bufferByteLength: size, byteOffset: 0, byteLength: size, bytesFilled: 0,
          minimumFill: 1, elementSize: 1, viewConstructor: $Uint8Array, readerType: 'default',
        });
      }
      readableStreamAddReadRequest(stream, readRequest);
      readableByteStreamControllerCallPullIfNeeded(controller);
    };
    controller.releaseSteps = () => {
      if (controller.pendingPullIntos.length > 0) {
        const firstPendingPullInto = controller.pendingPullIntos[0];
        firstPendingPullInto.readerType = 'none';
        controller.pendingPullIntos = [firstPendingPullInto];
      }
    };
    stream.controller = controller;
    const startResult = startAlgorithm();
    uponPromise(resolvedWith(startResult), () => {
      controller.started = true;
      readableByteStreamControllerCallPullIfNeeded(controller);
    }, (r) => readableByteStreamControllerError(controller, r));
  }
  function setUpReadableByteStreamControllerFromUnderlyingSource(stream, underlyingSource,
    underlyingSourceDict, highWaterMark) {
    const controller = newByteControllerRecord();
    create(ReadableByteStreamController.prototype, controller);
    let startAlgorithm = () => undefined;
    let pullAlgorithm = resolvedUndefined;
    let cancelAlgorithm = resolvedUndefined;
    const { start, pull, cancel } = underlyingSourceDict;
    if (start !== undefined) startAlgorithm = () => ReflectApply(start, underlyingSource, [controller.obj]);
    if (pull !== undefined) pullAlgorithm = () => promiseCall(pull, underlyingSource, [controller.obj]);
    if (cancel !== undefined) cancelAlgorithm = (reason) => promiseCall(cancel, underlyingSource, [reason]);
    const autoAllocateChunkSize = underlyingSourceDict.autoAllocateChunkSize;
    if (autoAllocateChunkSize === 0) throw new $TypeError('autoAllocateChunkSize must be positive.');
    setUpReadableByteStreamController(stream, controller, startAlgorithm, pullAlgorithm,
      cancelAlgorithm, highWaterMark, autoAllocateChunkSize);
  }

  // ---------------------------------------------------------------------------------
  // Readable streams: the interfaces (sections 4.2 to 4.8).
  // ---------------------------------------------------------------------------------

  // UnderlyingSource, members read in lexicographic order.
  function toUnderlyingSource(o, what) {
    const out = {};
    const autoAllocateChunkSize = member(o, 'autoAllocateChunkSize');
    if (autoAllocateChunkSize !== undefined) {
      out.autoAllocateChunkSize = enforceRangeULL(autoAllocateChunkSize, `${what}: autoAllocateChunkSize`);
    }
    out.cancel = callbackMember(o, 'cancel', what);
    out.pull = callbackMember(o, 'pull', what);
    out.start = callbackMember(o, 'start', what);
    const type = member(o, 'type');
    if (type !== undefined) out.type = toEnum(type, ['bytes'], `${what}: type`);
    return out;
  }
  // StreamPipeOptions, members in lexicographic order.
  function toStreamPipeOptions(v, what) {
    const o = dictionaryObject(v, what);
    const preventAbort = !!member(o, 'preventAbort');
    const preventCancel = !!member(o, 'preventCancel');
    const preventClose = !!member(o, 'preventClose');
    let signal = member(o, 'signal');
    if (signal !== undefined && !internals.isAbortSignal(signal)) {
      throw new $TypeError(`${what}: 'signal' is not an AbortSignal.`);
    }
    return { preventAbort, preventCancel, preventClose, signal };
  }

  class ReadableStream {
    constructor(underlyingSource = undefined, strategy = undefined) {
      const what = "Failed to construct 'ReadableStream'";
      if (underlyingSource !== undefined) toObjectArg(underlyingSource, what);
      const strategyDict = toQueuingStrategy(strategy, what);
      if (underlyingSource === undefined) underlyingSource = null;
      const underlyingSourceDict = toUnderlyingSource(underlyingSource, what);
      const stream = attach(this, newReadableStreamRecord());
      if (underlyingSourceDict.type === 'bytes') {
        if (strategyDict.size !== undefined) {
          throw new $RangeError(`${what}: a byte stream's strategy cannot have a size function.`);
        }
        const highWaterMark = extractHighWaterMark(strategyDict, 0);
        setUpReadableByteStreamControllerFromUnderlyingSource(stream, underlyingSource,
          underlyingSourceDict, highWaterMark);
      } else {
        const sizeAlgorithm = extractSizeAlgorithm(strategyDict);
        const highWaterMark = extractHighWaterMark(strategyDict, 1);
        setUpReadableStreamDefaultControllerFromUnderlyingSource(stream, underlyingSource,
          underlyingSourceDict, highWaterMark, sizeAlgorithm);
      }
    }
    static from(asyncIterable) {
      internals.requireArgs(arguments.length, 1, "Failed to execute 'from' on 'ReadableStream'");
      return readableStreamFromIterable(asyncIterable).obj;
    }
    get locked() {
      return isReadableStreamLocked(brand(this, 'ReadableStream'));
    }
    cancel(reason = undefined) {
      return promiseOp(() => {
        const stream = brand(this, 'ReadableStream');
        if (isReadableStreamLocked(stream)) {
          return rejectedWith(new $TypeError('Cannot cancel a stream locked to a reader.'));
        }
        return readableStreamCancel(stream, reason);
      });
    }
    getReader(options = undefined) {
      const what = "Failed to execute 'getReader' on 'ReadableStream'";
      const stream = brand(this, 'ReadableStream');
      const o = dictionaryObject(options, what);
      const mode = member(o, 'mode');
      if (mode === undefined) return acquireReadableStreamDefaultReader(stream).obj;
      toEnum(mode, ['byob'], `${what}: mode`);
      return acquireReadableStreamBYOBReader(stream).obj;
    }
    pipeThrough(transform, options = undefined) {
      const what = "Failed to execute 'pipeThrough' on 'ReadableStream'";
      const stream = brand(this, 'ReadableStream');
      internals.requireArgs(arguments.length, 1, what);
      // ReadableWritablePair { required ReadableStream readable; required WritableStream writable; }
      const pair = dictionaryObject(transform, what);
      const readable = member(pair, 'readable');
      if (readable === undefined) throw new $TypeError(`${what}: 'readable' is required.`);
      if (!isKind(readable, 'ReadableStream')) throw new $TypeError(`${what}: 'readable' is not a ReadableStream.`);
      const writable = member(pair, 'writable');
      if (writable === undefined) throw new $TypeError(`${what}: 'writable' is required.`);
      if (!isKind(writable, 'WritableStream')) throw new $TypeError(`${what}: 'writable' is not a WritableStream.`);
      const opts = toStreamPipeOptions(options, what);
      if (isReadableStreamLocked(stream)) throw new $TypeError(`${what}: the stream is locked.`);
      const dest = slots.get(writable);
      if (isWritableStreamLocked(dest)) throw new $TypeError(`${what}: the writable side is locked.`);
      const promise = readableStreamPipeTo(stream, dest, opts.preventClose, opts.preventAbort,
        opts.preventCancel, opts.signal);
      setHandled(promise);
      return readable;
    }
    pipeTo(destination, options = undefined) {
      return promiseOp(() => {
        const what = "Failed to execute 'pipeTo' on 'ReadableStream'";
        const stream = brand(this, 'ReadableStream');
        internals.requireArgs(arguments.length, 1, what);
        if (!isKind(destination, 'WritableStream')) throw new $TypeError(`${what}: the destination is not a WritableStream.`);
        const dest = slots.get(destination);
        const opts = toStreamPipeOptions(options, what);
        if (isReadableStreamLocked(stream)) throw new $TypeError(`${what}: the stream is locked.`);
        if (isWritableStreamLocked(dest)) throw new $TypeError(`${what}: the destination is locked.`);
        return readableStreamPipeTo(stream, dest, opts.preventClose, opts.preventAbort,
          opts.preventCancel, opts.signal);
      });
    }
    tee() {
      const stream = brand(this, 'ReadableStream');
      return readableStreamTee(stream, false).map((branch) => branch.obj);
    }
    values(options = undefined) {
      const stream = brand(this, 'ReadableStream');
      const o = dictionaryObject(options, "Failed to execute 'values' on 'ReadableStream'");
      const preventCancel = !!member(o, 'preventCancel');
      const reader = acquireReadableStreamDefaultReader(stream);
      const iterator = ObjectCreate(ReadableStreamAsyncIteratorPrototype);
      slots.set(iterator, {
        kind: 'ReadableStreamAsyncIterator', reader, preventCancel, ongoing: null, finished: false,
      });
      return iterator;
    }
  }
  defineProperty(ReadableStream.prototype, symbolAsyncIterator, {
    value: ReadableStream.prototype.values, writable: true, enumerable: false, configurable: true,
  });
  defineProperty(ReadableStream, 'from', { enumerable: true });

  // The asynchronous iterator (WebIDL section 3.7.10, the standard's section 4.2.5).
  const AsyncIteratorPrototype = getPrototypeOf(getPrototypeOf((async function* () {}).prototype));
  const END_OF_ITERATION = {};
  function readableStreamAsyncIteratorNext(it) {
    const reader = it.reader;
    const d = newPromise();
    readableStreamDefaultReaderRead(reader, {
      chunk(chunk) {
        d.resolve(chunk);
      },
      close() {
        readableStreamDefaultReaderRelease(reader);
        d.resolve(END_OF_ITERATION);
      },
      error(e) {
        readableStreamDefaultReaderRelease(reader);
        d.reject(e);
      },
    });
    return d.promise;
  }
  function readableStreamAsyncIteratorReturn(it, arg) {
    const reader = it.reader;
    if (!it.preventCancel) {
      const result = readableStreamReaderGenericCancel(reader, arg);
      readableStreamDefaultReaderRelease(reader);
      return result;
    }
    readableStreamDefaultReaderRelease(reader);
    return resolvedUndefined();
  }
  const ReadableStreamAsyncIteratorPrototype = ObjectCreate(AsyncIteratorPrototype, {
    next: {
      value: function next() {
        const it = slots.get(this);
        if (it === undefined || it.kind !== 'ReadableStreamAsyncIterator') {
          return rejectedWith(new $TypeError('Illegal invocation'));
        }
        const nextSteps = () => {
          if (it.finished) return resolvedWith(iterResult(undefined, true));
          const nextPromise = readableStreamAsyncIteratorNext(it);
          return transformPromiseWith(nextPromise, (next) => {
            it.ongoing = null;
            if (next === END_OF_ITERATION) {
              it.finished = true;
              return iterResult(undefined, true);
            }
            return iterResult(next, false);
          }, (reason) => {
            it.ongoing = null;
            it.finished = true;
            throw reason;
          });
        };
        it.ongoing = it.ongoing !== null
          ? transformPromiseWith(it.ongoing, nextSteps, nextSteps) : nextSteps();
        return it.ongoing;
      },
      writable: true, enumerable: true, configurable: true,
    },
    return: {
      value: function (value) {
        const it = slots.get(this);
        if (it === undefined || it.kind !== 'ReadableStreamAsyncIterator') {
          return rejectedWith(new $TypeError('Illegal invocation'));
        }
        const returnSteps = () => {
          if (it.finished) return resolvedWith(iterResult(value, true));
          it.finished = true;
          return readableStreamAsyncIteratorReturn(it, value);
        };
        it.ongoing = it.ongoing !== null
          ? transformPromiseWith(it.ongoing, returnSteps, returnSteps) : returnSteps();
        return transformPromiseWith(it.ongoing, () => iterResult(value, true));
      },
      writable: true, enumerable: true, configurable: true,
    },
    [Symbol.toStringTag]: { value: 'ReadableStream AsyncIterator', configurable: true },
  });
  defineProperty(ReadableStreamAsyncIteratorPrototype.return, 'name', { value: 'return' });

  class ReadableStreamDefaultReader {
    constructor(stream) {
      const what = "Failed to construct 'ReadableStreamDefaultReader'";
      internals.requireArgs(arguments.length, 1, what);
      if (!isKind(stream, 'ReadableStream')) throw new $TypeError(`${what}: the argument is not a ReadableStream.`);
      const reader = attach(this, {
        kind: 'ReadableStreamDefaultReader', obj: undefined, stream: undefined, closed: undefined, readRequests: [],
      });
      setUpReadableStreamDefaultReader(reader, slots.get(stream));
    }
    get closed() {
      return promiseOp(() => brand(this, 'ReadableStreamDefaultReader').closed.promise);
    }
    cancel(reason = undefined) {
      return promiseOp(() => {
        const reader = brand(this, 'ReadableStreamDefaultReader');
        if (reader.stream === undefined) return rejectedWith(new $TypeError('The reader has no stream.'));
        return readableStreamReaderGenericCancel(reader, reason);
      });
    }
    read() {
      return promiseOp(() => {
        const reader = brand(this, 'ReadableStreamDefaultReader');
        if (reader.stream === undefined) return rejectedWith(new $TypeError('The reader has no stream.'));
        const d = newPromise();
        readableStreamDefaultReaderRead(reader, {
          chunk: (chunk) => d.resolve(iterResult(chunk, false)),
          close: () => d.resolve(iterResult(undefined, true)),
          error: (e) => d.reject(e),
        });
        return d.promise;
      });
    }
    releaseLock() {
      const reader = brand(this, 'ReadableStreamDefaultReader');
      if (reader.stream === undefined) return;
      readableStreamDefaultReaderRelease(reader);
    }
  }

  class ReadableStreamBYOBReader {
    constructor(stream) {
      const what = "Failed to construct 'ReadableStreamBYOBReader'";
      internals.requireArgs(arguments.length, 1, what);
      if (!isKind(stream, 'ReadableStream')) throw new $TypeError(`${what}: the argument is not a ReadableStream.`);
      const reader = attach(this, {
        kind: 'ReadableStreamBYOBReader', obj: undefined, stream: undefined, closed: undefined, readIntoRequests: [],
      });
      setUpReadableStreamBYOBReader(reader, slots.get(stream));
    }
    get closed() {
      return promiseOp(() => brand(this, 'ReadableStreamBYOBReader').closed.promise);
    }
    cancel(reason = undefined) {
      return promiseOp(() => {
        const reader = brand(this, 'ReadableStreamBYOBReader');
        if (reader.stream === undefined) return rejectedWith(new $TypeError('The reader has no stream.'));
        return readableStreamReaderGenericCancel(reader, reason);
      });
    }
    read(view, options = undefined) {
      return promiseOp(() => {
        const what = "Failed to execute 'read' on 'ReadableStreamBYOBReader'";
        const reader = brand(this, 'ReadableStreamBYOBReader');
        internals.requireArgs(arguments.length, 1, what);
        const info = toArrayBufferView(view, what);
        const o = dictionaryObject(options, what);
        const minValue = member(o, 'min');
        const min = minValue === undefined ? 1 : enforceRangeULL(minValue, `${what}: min`);
        if (info.byteLength === 0) throw new $TypeError(`${what}: the view is empty.`);
        if (bufferByteLength(info.buffer) === 0) throw new $TypeError(`${what}: the view's buffer is empty.`);
        if (isDetachedBuffer(info.buffer)) throw new $TypeError(`${what}: the view's buffer is detached.`);
        if (min === 0) throw new $TypeError(`${what}: min must be positive.`);
        if (info.name !== undefined) {
          if (min > info.length) throw new $RangeError(`${what}: min is larger than the view.`);
        } else if (min > info.byteLength) {
          throw new $RangeError(`${what}: min is larger than the view.`);
        }
        if (reader.stream === undefined) throw new $TypeError('The reader has no stream.');
        const d = newPromise();
        readableStreamBYOBReaderRead(reader, view, min, {
          chunk: (chunk) => d.resolve(iterResult(chunk, false)),
          close: (chunk) => d.resolve(iterResult(chunk, true)),
          error: (e) => d.reject(e),
        });
        return d.promise;
      });
    }
    releaseLock() {
      const reader = brand(this, 'ReadableStreamBYOBReader');
      if (reader.stream === undefined) return;
      readableStreamBYOBReaderRelease(reader);
    }
  }

  class ReadableStreamDefaultController {
    constructor() {
      throw new $TypeError('Illegal constructor');
    }
    get desiredSize() {
      return readableStreamDefaultControllerGetDesiredSize(brand(this, 'ReadableStreamDefaultController'));
    }
    close() {
      const controller = brand(this, 'ReadableStreamDefaultController');
      if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) {
        throw new $TypeError('The stream is closed, closing or errored.');
      }
      readableStreamDefaultControllerClose(controller);
    }
    enqueue(chunk = undefined) {
      const controller = brand(this, 'ReadableStreamDefaultController');
      if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) {
        throw new $TypeError('The stream is closed, closing or errored.');
      }
      readableStreamDefaultControllerEnqueue(controller, chunk);
    }
    error(e = undefined) {
      readableStreamDefaultControllerError(brand(this, 'ReadableStreamDefaultController'), e);
    }
  }

  class ReadableByteStreamController {
    constructor() {
      throw new $TypeError('Illegal constructor');
    }
    get byobRequest() {
      const r = readableByteStreamControllerGetBYOBRequest(brand(this, 'ReadableByteStreamController'));
      return r === null ? null : r.obj;
    }
    get desiredSize() {
      return readableByteStreamControllerGetDesiredSize(brand(this, 'ReadableByteStreamController'));
    }
    close() {
      const controller = brand(this, 'ReadableByteStreamController');
      if (controller.closeRequested) throw new $TypeError('The stream is already closing.');
      if (controller.stream.state !== 'readable') throw new $TypeError('The stream is not readable.');
      readableByteStreamControllerClose(controller);
    }
    enqueue(chunk) {
      const what = "Failed to execute 'enqueue' on 'ReadableByteStreamController'";
      const controller = brand(this, 'ReadableByteStreamController');
      internals.requireArgs(arguments.length, 1, what);
      const info = toArrayBufferView(chunk, what);
      if (info.byteLength === 0) throw new $TypeError(`${what}: the chunk is empty.`);
      if (bufferByteLength(info.buffer) === 0) throw new $TypeError(`${what}: the chunk's buffer is empty or detached.`);
      if (controller.closeRequested) throw new $TypeError(`${what}: the stream is closing.`);
      if (controller.stream.state !== 'readable') throw new $TypeError(`${what}: the stream is not readable.`);
      readableByteStreamControllerEnqueue(controller, chunk);
    }
    error(e = undefined) {
      readableByteStreamControllerError(brand(this, 'ReadableByteStreamController'), e);
    }
  }

  class ReadableStreamBYOBRequest {
    constructor() {
      throw new $TypeError('Illegal constructor');
    }
    get view() {
      return brand(this, 'ReadableStreamBYOBRequest').view;
    }
    respond(bytesWritten) {
      const what = "Failed to execute 'respond' on 'ReadableStreamBYOBRequest'";
      const request = brand(this, 'ReadableStreamBYOBRequest');
      internals.requireArgs(arguments.length, 1, what);
      bytesWritten = enforceRangeULL(bytesWritten, what);
      if (request.controller === undefined) throw new $TypeError(`${what}: the request was already answered.`);
      if (isDetachedBuffer(viewInfo(request.view).buffer)) throw new $TypeError(`${what}: the view's buffer is detached.`);
      readableByteStreamControllerRespond(request.controller, bytesWritten);
    }
    respondWithNewView(view) {
      const what = "Failed to execute 'respondWithNewView' on 'ReadableStreamBYOBRequest'";
      const request = brand(this, 'ReadableStreamBYOBRequest');
      internals.requireArgs(arguments.length, 1, what);
      const info = toArrayBufferView(view, what);
      if (request.controller === undefined) throw new $TypeError(`${what}: the request was already answered.`);
      if (isDetachedBuffer(info.buffer)) throw new $TypeError(`${what}: the view's buffer is detached.`);
      readableByteStreamControllerRespondWithNewView(request.controller, view);
    }
  }

  // ---------------------------------------------------------------------------------
  // Writable streams: abstract operations (section 5.5).
  // ---------------------------------------------------------------------------------
  const closeSentinel = {};

  function newWritableStreamRecord() {
    return {
      kind: 'WritableStream', obj: undefined, state: 'writable', storedError: undefined,
      writer: undefined, controller: undefined, inFlightWriteRequest: undefined,
      closeRequest: undefined, inFlightCloseRequest: undefined, pendingAbortRequest: undefined,
      writeRequests: [], backpressure: false,
    };
  }
  function newWritableControllerRecord() {
    return {
      kind: 'WritableStreamDefaultController', obj: undefined, stream: undefined,
      queue: [], queueTotalSize: 0, abortController: undefined, started: false,
      strategySizeAlgorithm: undefined, strategyHWM: 1, writeAlgorithm: undefined,
      closeAlgorithm: undefined, abortAlgorithm: undefined,
    };
  }
  function acquireWritableStreamDefaultWriter(stream) {
    const writer = { kind: 'WritableStreamDefaultWriter', obj: undefined, stream: undefined, ready: undefined, closed: undefined };
    setUpWritableStreamDefaultWriter(writer, stream);
    create(WritableStreamDefaultWriter.prototype, writer);
    return writer;
  }
  // CreateWritableStream(startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, size).
  function createWritableStream(startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm,
    highWaterMark, sizeAlgorithm) {
    const stream = newWritableStreamRecord();
    create(WritableStream.prototype, stream);
    const controller = newWritableControllerRecord();
    create(WritableStreamDefaultController.prototype, controller);
    setUpWritableStreamDefaultController(stream, controller, startAlgorithm, writeAlgorithm,
      closeAlgorithm, abortAlgorithm, highWaterMark, sizeAlgorithm);
    return stream;
  }
  const isWritableStreamLocked = (stream) => stream.writer !== undefined;

  function setUpWritableStreamDefaultWriter(writer, stream) {
    if (isWritableStreamLocked(stream)) throw new $TypeError('The stream is locked to a writer.');
    writer.stream = stream;
    stream.writer = writer;
    const state = stream.state;
    if (state === 'writable') {
      if (!writableStreamCloseQueuedOrInFlight(stream) && stream.backpressure) writer.ready = newPromise();
      else writer.ready = resolvedDeferred(undefined);
      writer.closed = newPromise();
    } else if (state === 'erroring') {
      writer.ready = rejectedDeferred(stream.storedError);
      writer.closed = newPromise();
    } else if (state === 'closed') {
      writer.ready = resolvedDeferred(undefined);
      writer.closed = resolvedDeferred(undefined);
    } else {
      writer.ready = rejectedDeferred(stream.storedError);
      writer.closed = rejectedDeferred(stream.storedError);
    }
  }

  function writableStreamAbort(stream, reason) {
    if (stream.state === 'closed' || stream.state === 'errored') return resolvedUndefined();
    call(abortControllerAbort, stream.controller.abortController, reason);
    const state = stream.state;
    if (state === 'closed' || state === 'errored') return resolvedUndefined();
    if (stream.pendingAbortRequest !== undefined) return stream.pendingAbortRequest.promise.promise;
    let wasAlreadyErroring = false;
    if (state === 'erroring') {
      wasAlreadyErroring = true;
      reason = undefined;
    }
    const promise = newPromise();
    stream.pendingAbortRequest = { promise, reason, wasAlreadyErroring };
    if (!wasAlreadyErroring) writableStreamStartErroring(stream, reason);
    return promise.promise;
  }
  function writableStreamClose(stream) {
    const state = stream.state;
    if (state === 'closed' || state === 'errored') {
      return rejectedWith(new $TypeError('The stream is closed or errored.'));
    }
    const promise = newPromise();
    stream.closeRequest = promise;
    const writer = stream.writer;
    if (writer !== undefined && stream.backpressure && state === 'writable') writer.ready.resolve(undefined);
    writableStreamDefaultControllerClose(stream.controller);
    return promise.promise;
  }
  function writableStreamAddWriteRequest(stream) {
    const promise = newPromise();
    stream.writeRequests.push(promise);
    return promise.promise;
  }
  function writableStreamDealWithRejection(stream, error) {
    if (stream.state === 'writable') {
      writableStreamStartErroring(stream, error);
      return;
    }
    writableStreamFinishErroring(stream);
  }
  function writableStreamFinishErroring(stream) {
    stream.state = 'errored';
    stream.controller.errorSteps();
    const storedError = stream.storedError;
    for (const writeRequest of stream.writeRequests) writeRequest.reject(storedError);
    stream.writeRequests = [];
    if (stream.pendingAbortRequest === undefined) {
      writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
      return;
    }
    const abortRequest = stream.pendingAbortRequest;
    stream.pendingAbortRequest = undefined;
    if (abortRequest.wasAlreadyErroring) {
      abortRequest.promise.reject(storedError);
      writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
      return;
    }
    const promise = stream.controller.abortSteps(abortRequest.reason);
    uponPromise(promise, () => {
      abortRequest.promise.resolve(undefined);
      writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    }, (reason) => {
      abortRequest.promise.reject(reason);
      writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    });
  }
  function writableStreamFinishInFlightClose(stream) {
    stream.inFlightCloseRequest.resolve(undefined);
    stream.inFlightCloseRequest = undefined;
    if (stream.state === 'erroring') {
      stream.storedError = undefined;
      if (stream.pendingAbortRequest !== undefined) {
        stream.pendingAbortRequest.promise.resolve(undefined);
        stream.pendingAbortRequest = undefined;
      }
    }
    stream.state = 'closed';
    const writer = stream.writer;
    if (writer !== undefined) writer.closed.resolve(undefined);
  }
  function writableStreamFinishInFlightCloseWithError(stream, error) {
    stream.inFlightCloseRequest.reject(error);
    stream.inFlightCloseRequest = undefined;
    if (stream.pendingAbortRequest !== undefined) {
      stream.pendingAbortRequest.promise.reject(error);
      stream.pendingAbortRequest = undefined;
    }
    writableStreamDealWithRejection(stream, error);
  }
  function writableStreamFinishInFlightWrite(stream) {
    stream.inFlightWriteRequest.resolve(undefined);
    stream.inFlightWriteRequest = undefined;
  }
  function writableStreamFinishInFlightWriteWithError(stream, error) {
    stream.inFlightWriteRequest.reject(error);
    stream.inFlightWriteRequest = undefined;
    writableStreamDealWithRejection(stream, error);
  }
  function writableStreamCloseQueuedOrInFlight(stream) {
    return stream.closeRequest !== undefined || stream.inFlightCloseRequest !== undefined;
  }
  function writableStreamHasOperationMarkedInFlight(stream) {
    return stream.inFlightWriteRequest !== undefined || stream.inFlightCloseRequest !== undefined;
  }
  function writableStreamMarkCloseRequestInFlight(stream) {
    stream.inFlightCloseRequest = stream.closeRequest;
    stream.closeRequest = undefined;
  }
  function writableStreamMarkFirstWriteRequestInFlight(stream) {
    stream.inFlightWriteRequest = stream.writeRequests.shift();
  }
  function writableStreamRejectCloseAndClosedPromiseIfNeeded(stream) {
    if (stream.closeRequest !== undefined) {
      stream.closeRequest.reject(stream.storedError);
      stream.closeRequest = undefined;
    }
    const writer = stream.writer;
    if (writer !== undefined) {
      writer.closed.reject(stream.storedError);
      setHandled(writer.closed.promise);
    }
  }
  function writableStreamStartErroring(stream, reason) {
    const controller = stream.controller;
    stream.state = 'erroring';
    stream.storedError = reason;
    const writer = stream.writer;
    if (writer !== undefined) writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, reason);
    if (!writableStreamHasOperationMarkedInFlight(stream) && controller.started) {
      writableStreamFinishErroring(stream);
    }
  }
  function writableStreamUpdateBackpressure(stream, backpressure) {
    const writer = stream.writer;
    if (writer !== undefined && backpressure !== stream.backpressure) {
      if (backpressure) writer.ready = newPromise();
      else writer.ready.resolve(undefined);
    }
    stream.backpressure = backpressure;
  }

  // Writers (section 5.5.3).
  function writableStreamDefaultWriterAbort(writer, reason) {
    return writableStreamAbort(writer.stream, reason);
  }
  function writableStreamDefaultWriterClose(writer) {
    return writableStreamClose(writer.stream);
  }
  function writableStreamDefaultWriterCloseWithErrorPropagation(writer) {
    const stream = writer.stream;
    const state = stream.state;
    if (writableStreamCloseQueuedOrInFlight(stream) || state === 'closed') return resolvedUndefined();
    if (state === 'errored') return rejectedWith(stream.storedError);
    return writableStreamDefaultWriterClose(writer);
  }
  function writableStreamDefaultWriterEnsureClosedPromiseRejected(writer, error) {
    if (writer.closed.state === 'pending') writer.closed.reject(error);
    else writer.closed = rejectedDeferred(error);
    setHandled(writer.closed.promise);
  }
  function writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, error) {
    if (writer.ready.state === 'pending') writer.ready.reject(error);
    else writer.ready = rejectedDeferred(error);
    setHandled(writer.ready.promise);
  }
  function writableStreamDefaultWriterGetDesiredSize(writer) {
    const stream = writer.stream;
    const state = stream.state;
    if (state === 'errored' || state === 'erroring') return null;
    if (state === 'closed') return 0;
    return writableStreamDefaultControllerGetDesiredSize(stream.controller);
  }
  function writableStreamDefaultWriterRelease(writer) {
    const stream = writer.stream;
    const releasedError = new $TypeError('The writer\'s lock was released.');
    writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, releasedError);
    writableStreamDefaultWriterEnsureClosedPromiseRejected(writer, releasedError);
    stream.writer = undefined;
    writer.stream = undefined;
  }
  function writableStreamDefaultWriterWrite(writer, chunk) {
    const stream = writer.stream;
    const controller = stream.controller;
    const chunkSize = writableStreamDefaultControllerGetChunkSize(controller, chunk);
    if (stream !== writer.stream) {
      return rejectedWith(new $TypeError('The writer\'s lock was released.'));
    }
    const state = stream.state;
    if (state === 'errored') return rejectedWith(stream.storedError);
    if (writableStreamCloseQueuedOrInFlight(stream) || state === 'closed') {
      return rejectedWith(new $TypeError('The stream is closing or closed.'));
    }
    if (state === 'erroring') return rejectedWith(stream.storedError);
    const promise = writableStreamAddWriteRequest(stream);
    writableStreamDefaultControllerWrite(controller, chunk, chunkSize);
    return promise;
  }

  // Default controllers (section 5.5.4).
  function setUpWritableStreamDefaultController(stream, controller, startAlgorithm, writeAlgorithm,
    closeAlgorithm, abortAlgorithm, highWaterMark, sizeAlgorithm) {
    controller.stream = stream;
    stream.controller = controller;
    resetQueue(controller);
    controller.abortController = new $AbortController();
    controller.started = false;
    controller.strategySizeAlgorithm = sizeAlgorithm;
    controller.strategyHWM = highWaterMark;
    controller.writeAlgorithm = writeAlgorithm;
    controller.closeAlgorithm = closeAlgorithm;
    controller.abortAlgorithm = abortAlgorithm;
    // [[AbortSteps]] and [[ErrorSteps]].
    controller.abortSteps = (reason) => {
      const result = controller.abortAlgorithm(reason);
      writableStreamDefaultControllerClearAlgorithms(controller);
      return result;
    };
    controller.errorSteps = () => resetQueue(controller);
    const backpressure = writableStreamDefaultControllerGetBackpressure(controller);
    writableStreamUpdateBackpressure(stream, backpressure);
    const startResult = startAlgorithm();
    const startPromise = resolvedWith(startResult);
    uponPromise(startPromise, () => {
      controller.started = true;
      writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
    }, (r) => {
      controller.started = true;
      writableStreamDealWithRejection(stream, r);
    });
  }
  function setUpWritableStreamDefaultControllerFromUnderlyingSink(stream, underlyingSink,
    underlyingSinkDict, highWaterMark, sizeAlgorithm) {
    const controller = newWritableControllerRecord();
    create(WritableStreamDefaultController.prototype, controller);
    let startAlgorithm = () => undefined;
    let writeAlgorithm = resolvedUndefined;
    let closeAlgorithm = resolvedUndefined;
    let abortAlgorithm = resolvedUndefined;
    const { start, write, close, abort } = underlyingSinkDict;
    if (start !== undefined) startAlgorithm = () => ReflectApply(start, underlyingSink, [controller.obj]);
    if (write !== undefined) writeAlgorithm = (chunk) => promiseCall(write, underlyingSink, [chunk, controller.obj]);
    if (close !== undefined) closeAlgorithm = () => promiseCall(close, underlyingSink, []);
    if (abort !== undefined) abortAlgorithm = (reason) => promiseCall(abort, underlyingSink, [reason]);
    setUpWritableStreamDefaultController(stream, controller, startAlgorithm, writeAlgorithm,
      closeAlgorithm, abortAlgorithm, highWaterMark, sizeAlgorithm);
  }
  function writableStreamDefaultControllerAdvanceQueueIfNeeded(controller) {
    const stream = controller.stream;
    if (!controller.started) return;
    if (stream.inFlightWriteRequest !== undefined) return;
    const state = stream.state;
    if (state === 'erroring') {
      writableStreamFinishErroring(stream);
      return;
    }
    if (controller.queue.length === 0) return;
    const value = peekQueueValue(controller);
    if (value === closeSentinel) writableStreamDefaultControllerProcessClose(controller);
    else writableStreamDefaultControllerProcessWrite(controller, value);
  }
  function writableStreamDefaultControllerClearAlgorithms(controller) {
    controller.writeAlgorithm = undefined;
    controller.closeAlgorithm = undefined;
    controller.abortAlgorithm = undefined;
    controller.strategySizeAlgorithm = undefined;
  }
  function writableStreamDefaultControllerClose(controller) {
    enqueueValueWithSize(controller, closeSentinel, 0);
    writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
  }
  function writableStreamDefaultControllerError(controller, error) {
    const stream = controller.stream;
    writableStreamDefaultControllerClearAlgorithms(controller);
    writableStreamStartErroring(stream, error);
  }
  function writableStreamDefaultControllerErrorIfNeeded(controller, error) {
    if (controller.stream.state === 'writable') writableStreamDefaultControllerError(controller, error);
  }
  function writableStreamDefaultControllerGetBackpressure(controller) {
    return writableStreamDefaultControllerGetDesiredSize(controller) <= 0;
  }
  function writableStreamDefaultControllerGetChunkSize(controller, chunk) {
    if (controller.strategySizeAlgorithm === undefined) return 1;
    try {
      return controller.strategySizeAlgorithm(chunk);
    } catch (e) {
      writableStreamDefaultControllerErrorIfNeeded(controller, e);
      return 1;
    }
  }
  function writableStreamDefaultControllerGetDesiredSize(controller) {
    return controller.strategyHWM - controller.queueTotalSize;
  }
  function writableStreamDefaultControllerProcessClose(controller) {
    const stream = controller.stream;
    writableStreamMarkCloseRequestInFlight(stream);
    dequeueValue(controller);
    const sinkClosePromise = controller.closeAlgorithm();
    writableStreamDefaultControllerClearAlgorithms(controller);
    uponPromise(sinkClosePromise, () => writableStreamFinishInFlightClose(stream),
      (reason) => writableStreamFinishInFlightCloseWithError(stream, reason));
  }
  function writableStreamDefaultControllerProcessWrite(controller, chunk) {
    const stream = controller.stream;
    writableStreamMarkFirstWriteRequestInFlight(stream);
    const sinkWritePromise = controller.writeAlgorithm(chunk);
    uponPromise(sinkWritePromise, () => {
      writableStreamFinishInFlightWrite(stream);
      const state = stream.state;
      dequeueValue(controller);
      if (!writableStreamCloseQueuedOrInFlight(stream) && state === 'writable') {
        const backpressure = writableStreamDefaultControllerGetBackpressure(controller);
        writableStreamUpdateBackpressure(stream, backpressure);
      }
      writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
    }, (reason) => {
      if (stream.state === 'writable') writableStreamDefaultControllerClearAlgorithms(controller);
      writableStreamFinishInFlightWriteWithError(stream, reason);
    });
  }
  function writableStreamDefaultControllerWrite(controller, chunk, chunkSize) {
    try {
      enqueueValueWithSize(controller, chunk, chunkSize);
    } catch (e) {
      writableStreamDefaultControllerErrorIfNeeded(controller, e);
      return;
    }
    const stream = controller.stream;
    if (!writableStreamCloseQueuedOrInFlight(stream) && stream.state === 'writable') {
      const backpressure = writableStreamDefaultControllerGetBackpressure(controller);
      writableStreamUpdateBackpressure(stream, backpressure);
    }
    writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
  }

  // ---------------------------------------------------------------------------------
  // Writable streams: the interfaces (sections 5.2 to 5.4).
  // ---------------------------------------------------------------------------------
  function toUnderlyingSink(o, what) {
    const out = {};
    out.abort = callbackMember(o, 'abort', what);
    out.close = callbackMember(o, 'close', what);
    out.start = callbackMember(o, 'start', what);
    out.type = member(o, 'type');
    out.write = callbackMember(o, 'write', what);
    return out;
  }

  class WritableStream {
    constructor(underlyingSink = undefined, strategy = undefined) {
      const what = "Failed to construct 'WritableStream'";
      if (underlyingSink !== undefined) toObjectArg(underlyingSink, what);
      const strategyDict = toQueuingStrategy(strategy, what);
      if (underlyingSink === undefined) underlyingSink = null;
      const underlyingSinkDict = toUnderlyingSink(underlyingSink, what);
      if (underlyingSinkDict.type !== undefined) throw new $RangeError(`${what}: invalid type.`);
      const stream = attach(this, newWritableStreamRecord());
      const sizeAlgorithm = extractSizeAlgorithm(strategyDict);
      const highWaterMark = extractHighWaterMark(strategyDict, 1);
      setUpWritableStreamDefaultControllerFromUnderlyingSink(stream, underlyingSink,
        underlyingSinkDict, highWaterMark, sizeAlgorithm);
    }
    get locked() {
      return isWritableStreamLocked(brand(this, 'WritableStream'));
    }
    abort(reason = undefined) {
      return promiseOp(() => {
        const stream = brand(this, 'WritableStream');
        if (isWritableStreamLocked(stream)) {
          return rejectedWith(new $TypeError('Cannot abort a stream locked to a writer.'));
        }
        return writableStreamAbort(stream, reason);
      });
    }
    close() {
      return promiseOp(() => {
        const stream = brand(this, 'WritableStream');
        if (isWritableStreamLocked(stream)) {
          return rejectedWith(new $TypeError('Cannot close a stream locked to a writer.'));
        }
        if (writableStreamCloseQueuedOrInFlight(stream)) {
          return rejectedWith(new $TypeError('The stream is already closing.'));
        }
        return writableStreamClose(stream);
      });
    }
    getWriter() {
      return acquireWritableStreamDefaultWriter(brand(this, 'WritableStream')).obj;
    }
  }

  class WritableStreamDefaultWriter {
    constructor(stream) {
      const what = "Failed to construct 'WritableStreamDefaultWriter'";
      internals.requireArgs(arguments.length, 1, what);
      if (!isKind(stream, 'WritableStream')) throw new $TypeError(`${what}: the argument is not a WritableStream.`);
      const writer = attach(this, {
        kind: 'WritableStreamDefaultWriter', obj: undefined, stream: undefined, ready: undefined, closed: undefined,
      });
      setUpWritableStreamDefaultWriter(writer, slots.get(stream));
    }
    get closed() {
      return promiseOp(() => brand(this, 'WritableStreamDefaultWriter').closed.promise);
    }
    get desiredSize() {
      const writer = brand(this, 'WritableStreamDefaultWriter');
      if (writer.stream === undefined) throw new $TypeError('The writer has no stream.');
      return writableStreamDefaultWriterGetDesiredSize(writer);
    }
    get ready() {
      return promiseOp(() => brand(this, 'WritableStreamDefaultWriter').ready.promise);
    }
    abort(reason = undefined) {
      return promiseOp(() => {
        const writer = brand(this, 'WritableStreamDefaultWriter');
        if (writer.stream === undefined) return rejectedWith(new $TypeError('The writer has no stream.'));
        return writableStreamDefaultWriterAbort(writer, reason);
      });
    }
    close() {
      return promiseOp(() => {
        const writer = brand(this, 'WritableStreamDefaultWriter');
        const stream = writer.stream;
        if (stream === undefined) return rejectedWith(new $TypeError('The writer has no stream.'));
        if (writableStreamCloseQueuedOrInFlight(stream)) {
          return rejectedWith(new $TypeError('The stream is already closing.'));
        }
        return writableStreamDefaultWriterClose(writer);
      });
    }
    releaseLock() {
      const writer = brand(this, 'WritableStreamDefaultWriter');
      if (writer.stream === undefined) return;
      writableStreamDefaultWriterRelease(writer);
    }
    write(chunk = undefined) {
      return promiseOp(() => {
        const writer = brand(this, 'WritableStreamDefaultWriter');
        if (writer.stream === undefined) return rejectedWith(new $TypeError('The writer has no stream.'));
        return writableStreamDefaultWriterWrite(writer, chunk);
      });
    }
  }

  class WritableStreamDefaultController {
    constructor() {
      throw new $TypeError('Illegal constructor');
    }
    get signal() {
      return call(abortControllerSignal, brand(this, 'WritableStreamDefaultController').abortController);
    }
    error(e = undefined) {
      const controller = brand(this, 'WritableStreamDefaultController');
      if (controller.stream.state !== 'writable') return;
      writableStreamDefaultControllerError(controller, e);
    }
  }

  // ---------------------------------------------------------------------------------
  // Transform streams (section 6).
  // ---------------------------------------------------------------------------------
  function initializeTransformStream(stream, startPromise, writableHighWaterMark,
    writableSizeAlgorithm, readableHighWaterMark, readableSizeAlgorithm) {
    const startAlgorithm = () => startPromise;
    const writeAlgorithm = (chunk) => transformStreamDefaultSinkWriteAlgorithm(stream, chunk);
    const abortAlgorithm = (reason) => transformStreamDefaultSinkAbortAlgorithm(stream, reason);
    const closeAlgorithm = () => transformStreamDefaultSinkCloseAlgorithm(stream);
    stream.writable = createWritableStream(startAlgorithm, writeAlgorithm, closeAlgorithm,
      abortAlgorithm, writableHighWaterMark, writableSizeAlgorithm);
    const pullAlgorithm = () => transformStreamDefaultSourcePullAlgorithm(stream);
    const cancelAlgorithm = (reason) => transformStreamDefaultSourceCancelAlgorithm(stream, reason);
    stream.readable = createReadableStream(startAlgorithm, pullAlgorithm, cancelAlgorithm,
      readableHighWaterMark, readableSizeAlgorithm);
    stream.backpressure = undefined;
    stream.backpressureChangePromise = undefined;
    transformStreamSetBackpressure(stream, true);
    stream.controller = undefined;
  }
  function transformStreamError(stream, e) {
    readableStreamDefaultControllerError(stream.readable.controller, e);
    transformStreamErrorWritableAndUnblockWrite(stream, e);
  }
  function transformStreamErrorWritableAndUnblockWrite(stream, e) {
    transformStreamDefaultControllerClearAlgorithms(stream.controller);
    writableStreamDefaultControllerErrorIfNeeded(stream.writable.controller, e);
    transformStreamUnblockWrite(stream);
  }
  function transformStreamSetBackpressure(stream, backpressure) {
    if (stream.backpressureChangePromise !== undefined) stream.backpressureChangePromise.resolve(undefined);
    stream.backpressureChangePromise = newPromise();
    stream.backpressure = backpressure;
  }
  function transformStreamUnblockWrite(stream) {
    if (stream.backpressure) transformStreamSetBackpressure(stream, false);
  }

  function setUpTransformStreamDefaultController(stream, controller, transformAlgorithm,
    flushAlgorithm, cancelAlgorithm) {
    controller.stream = stream;
    stream.controller = controller;
    controller.transformAlgorithm = transformAlgorithm;
    controller.flushAlgorithm = flushAlgorithm;
    controller.cancelAlgorithm = cancelAlgorithm;
  }
  function newTransformControllerRecord() {
    return {
      kind: 'TransformStreamDefaultController', obj: undefined, stream: undefined,
      transformAlgorithm: undefined, flushAlgorithm: undefined, cancelAlgorithm: undefined,
      finishPromise: undefined,
    };
  }
  function setUpTransformStreamDefaultControllerFromTransformer(stream, transformer, transformerDict) {
    const controller = newTransformControllerRecord();
    create(TransformStreamDefaultController.prototype, controller);
    let transformAlgorithm = (chunk) => {
      try {
        transformStreamDefaultControllerEnqueue(controller, chunk);
      } catch (e) {
        return rejectedWith(e);
      }
      return resolvedUndefined();
    };
    let flushAlgorithm = resolvedUndefined;
    let cancelAlgorithm = resolvedUndefined;
    const { transform, flush, cancel } = transformerDict;
    if (transform !== undefined) {
      transformAlgorithm = (chunk) => promiseCall(transform, transformer, [chunk, controller.obj]);
    }
    if (flush !== undefined) flushAlgorithm = () => promiseCall(flush, transformer, [controller.obj]);
    if (cancel !== undefined) cancelAlgorithm = (reason) => promiseCall(cancel, transformer, [reason]);
    setUpTransformStreamDefaultController(stream, controller, transformAlgorithm, flushAlgorithm, cancelAlgorithm);
  }
  function transformStreamDefaultControllerClearAlgorithms(controller) {
    controller.transformAlgorithm = undefined;
    controller.flushAlgorithm = undefined;
    controller.cancelAlgorithm = undefined;
  }
  function transformStreamDefaultControllerEnqueue(controller, chunk) {
    const stream = controller.stream;
    const readableController = stream.readable.controller;
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(readableController)) {
      throw new $TypeError('The readable side is closed, closing or errored.');
    }
    try {
      readableStreamDefaultControllerEnqueue(readableController, chunk);
    } catch (e) {
      transformStreamErrorWritableAndUnblockWrite(stream, e);
      throw stream.readable.storedError;
    }
    const backpressure = readableStreamDefaultControllerHasBackpressure(readableController);
    if (backpressure !== stream.backpressure) transformStreamSetBackpressure(stream, true);
  }
  function transformStreamDefaultControllerError(controller, e) {
    transformStreamError(controller.stream, e);
  }
  function transformStreamDefaultControllerPerformTransform(controller, chunk) {
    const transformPromise = controller.transformAlgorithm(chunk);
    return transformPromiseWith(transformPromise, undefined, (r) => {
      transformStreamError(controller.stream, r);
      throw r;
    });
  }
  function transformStreamDefaultControllerTerminate(controller) {
    const stream = controller.stream;
    readableStreamDefaultControllerClose(stream.readable.controller);
    const error = new $TypeError('The transform stream was terminated.');
    transformStreamErrorWritableAndUnblockWrite(stream, error);
  }
  function transformStreamDefaultSinkWriteAlgorithm(stream, chunk) {
    const controller = stream.controller;
    if (stream.backpressure) {
      const backpressureChangePromise = stream.backpressureChangePromise.promise;
      return transformPromiseWith(backpressureChangePromise, () => {
        const writable = stream.writable;
        const state = writable.state;
        if (state === 'erroring') throw writable.storedError;
        return transformStreamDefaultControllerPerformTransform(controller, chunk);
      });
    }
    return transformStreamDefaultControllerPerformTransform(controller, chunk);
  }
  function transformStreamDefaultSinkAbortAlgorithm(stream, reason) {
    const controller = stream.controller;
    if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
    const readable = stream.readable;
    controller.finishPromise = newPromise();
    const cancelPromise = controller.cancelAlgorithm(reason);
    transformStreamDefaultControllerClearAlgorithms(controller);
    uponPromise(cancelPromise, () => {
      if (readable.state === 'errored') {
        controller.finishPromise.reject(readable.storedError);
      } else {
        readableStreamDefaultControllerError(readable.controller, reason);
        controller.finishPromise.resolve(undefined);
      }
    }, (r) => {
      readableStreamDefaultControllerError(readable.controller, r);
      controller.finishPromise.reject(r);
    });
    return controller.finishPromise.promise;
  }
  function transformStreamDefaultSinkCloseAlgorithm(stream) {
    const controller = stream.controller;
    if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
    const readable = stream.readable;
    controller.finishPromise = newPromise();
    const flushPromise = controller.flushAlgorithm();
    transformStreamDefaultControllerClearAlgorithms(controller);
    uponPromise(flushPromise, () => {
      if (readable.state === 'errored') {
        controller.finishPromise.reject(readable.storedError);
      } else {
        readableStreamDefaultControllerClose(readable.controller);
        controller.finishPromise.resolve(undefined);
      }
    }, (r) => {
      readableStreamDefaultControllerError(readable.controller, r);
      controller.finishPromise.reject(r);
    });
    return controller.finishPromise.promise;
  }
  function transformStreamDefaultSourceCancelAlgorithm(stream, reason) {
    const controller = stream.controller;
    if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
    const writable = stream.writable;
    controller.finishPromise = newPromise();
    const cancelPromise = controller.cancelAlgorithm(reason);
    transformStreamDefaultControllerClearAlgorithms(controller);
    uponPromise(cancelPromise, () => {
      if (writable.state === 'errored') {
        controller.finishPromise.reject(writable.storedError);
      } else {
        writableStreamDefaultControllerErrorIfNeeded(writable.controller, reason);
        transformStreamUnblockWrite(stream);
        controller.finishPromise.resolve(undefined);
      }
    }, (r) => {
      writableStreamDefaultControllerErrorIfNeeded(writable.controller, r);
      transformStreamUnblockWrite(stream);
      controller.finishPromise.reject(r);
    });
    return controller.finishPromise.promise;
  }
  function transformStreamDefaultSourcePullAlgorithm(stream) {
    transformStreamSetBackpressure(stream, false);
    return stream.backpressureChangePromise.promise;
  }

  // Transformer, members in lexicographic order.
  function toTransformer(o, what) {
    const out = {};
    out.cancel = callbackMember(o, 'cancel', what);
    out.flush = callbackMember(o, 'flush', what);
    out.readableType = member(o, 'readableType');
    out.start = callbackMember(o, 'start', what);
    out.transform = callbackMember(o, 'transform', what);
    out.writableType = member(o, 'writableType');
    return out;
  }

  function newTransformStreamRecord() {
    return {
      kind: 'TransformStream', obj: undefined, readable: undefined, writable: undefined,
      backpressure: undefined, backpressureChangePromise: undefined, controller: undefined,
    };
  }

  class TransformStream {
    constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
      const what = "Failed to construct 'TransformStream'";
      if (transformer !== undefined) toObjectArg(transformer, what);
      const writableStrategyDict = toQueuingStrategy(writableStrategy, what);
      const readableStrategyDict = toQueuingStrategy(readableStrategy, what);
      if (transformer === undefined) transformer = null;
      const transformerDict = toTransformer(transformer, what);
      if (transformerDict.readableType !== undefined) throw new $RangeError(`${what}: invalid readableType.`);
      if (transformerDict.writableType !== undefined) throw new $RangeError(`${what}: invalid writableType.`);
      const readableHighWaterMark = extractHighWaterMark(readableStrategyDict, 0);
      const readableSizeAlgorithm = extractSizeAlgorithm(readableStrategyDict);
      const writableHighWaterMark = extractHighWaterMark(writableStrategyDict, 1);
      const writableSizeAlgorithm = extractSizeAlgorithm(writableStrategyDict);
      const stream = attach(this, newTransformStreamRecord());
      const startPromise = newPromise();
      initializeTransformStream(stream, startPromise.promise, writableHighWaterMark,
        writableSizeAlgorithm, readableHighWaterMark, readableSizeAlgorithm);
      setUpTransformStreamDefaultControllerFromTransformer(stream, transformer, transformerDict);
      if (transformerDict.start !== undefined) {
        startPromise.resolve(ReflectApply(transformerDict.start, transformer, [stream.controller.obj]));
      } else {
        startPromise.resolve(undefined);
      }
    }
    get readable() {
      return brand(this, 'TransformStream').readable.obj;
    }
    get writable() {
      return brand(this, 'TransformStream').writable.obj;
    }
  }

  class TransformStreamDefaultController {
    constructor() {
      throw new $TypeError('Illegal constructor');
    }
    get desiredSize() {
      const controller = brand(this, 'TransformStreamDefaultController');
      return readableStreamDefaultControllerGetDesiredSize(controller.stream.readable.controller);
    }
    enqueue(chunk = undefined) {
      transformStreamDefaultControllerEnqueue(brand(this, 'TransformStreamDefaultController'), chunk);
    }
    error(reason = undefined) {
      transformStreamDefaultControllerError(brand(this, 'TransformStreamDefaultController'), reason);
    }
    terminate() {
      transformStreamDefaultControllerTerminate(brand(this, 'TransformStreamDefaultController'));
    }
  }

  // The standard's "set up" of a TransformStream for other specifications (and the
  // text streams): algorithms in place of a transformer.
  function setUpTransformStream(obj, transformAlgorithm, flushAlgorithm, cancelAlgorithm) {
    const wrap = (algorithm) => (...args) => {
      if (algorithm === undefined) return resolvedUndefined();
      try {
        const result = algorithm(...args);
        return result instanceof $Promise ? result : resolvedUndefined();
      } catch (e) {
        return rejectedWith(e);
      }
    };
    const stream = newTransformStreamRecord();
    if (obj === undefined) create(TransformStream.prototype, stream);
    else attach(obj, stream);
    initializeTransformStream(stream, resolvedUndefined(), 1, () => 1, 0, () => 1);
    const controller = newTransformControllerRecord();
    create(TransformStreamDefaultController.prototype, controller);
    setUpTransformStreamDefaultController(stream, controller, wrap(transformAlgorithm),
      wrap(flushAlgorithm), wrap(cancelAlgorithm));
    return stream;
  }

  // ---------------------------------------------------------------------------------
  // Queuing strategies (section 7).
  // ---------------------------------------------------------------------------------
  // QueuingStrategyInit { required unrestricted double highWaterMark; }
  function toQueuingStrategyInit(init, what) {
    const o = dictionaryObject(init, what);
    const hwm = member(o, 'highWaterMark');
    if (hwm === undefined) throw new $TypeError(`${what}: 'highWaterMark' is required.`);
    return +hwm;
  }
  // The size functions, one of each per realm; built-in-like: not constructors.
  const byteLengthQueuingStrategySize = ({ size(chunk) { return chunk.byteLength; } }).size;
  const countQueuingStrategySize = ({ size() { return 1; } }).size;

  class ByteLengthQueuingStrategy {
    constructor(init) {
      const what = "Failed to construct 'ByteLengthQueuingStrategy'";
      internals.requireArgs(arguments.length, 1, what);
      attach(this, { kind: 'ByteLengthQueuingStrategy', obj: undefined, highWaterMark: toQueuingStrategyInit(init, what) });
    }
    get highWaterMark() {
      return brand(this, 'ByteLengthQueuingStrategy').highWaterMark;
    }
    get size() {
      brand(this, 'ByteLengthQueuingStrategy');
      return byteLengthQueuingStrategySize;
    }
  }
  class CountQueuingStrategy {
    constructor(init) {
      const what = "Failed to construct 'CountQueuingStrategy'";
      internals.requireArgs(arguments.length, 1, what);
      attach(this, { kind: 'CountQueuingStrategy', obj: undefined, highWaterMark: toQueuingStrategyInit(init, what) });
    }
    get highWaterMark() {
      return brand(this, 'CountQueuingStrategy').highWaterMark;
    }
    get size() {
      brand(this, 'CountQueuingStrategy');
      return countQueuingStrategySize;
    }
  }

  // ---------------------------------------------------------------------------------
  // The Encoding Standard's streams (section 7 of the Encoding Standard).
  // ---------------------------------------------------------------------------------
  function utf8Push(out, cp) {
    if (cp < 0x80) {
      out.push(cp);
    } else if (cp < 0x800) {
      out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    } else {
      out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    }
  }

  class TextEncoderStream {
    constructor() {
      const self = { kind: 'TextEncoderStream', obj: undefined, transform: undefined, pendingHighSurrogate: null };
      attach(this, self);
      // "Encode and enqueue a chunk": code units to scalar values, a high surrogate
      // waiting for its pair across chunks.
      const transformAlgorithm = (chunk) => {
        const input = `${chunk}`;
        const out = [];
        for (let i = 0; i < input.length; i++) {
          const unit = input.charCodeAt(i);
          if (self.pendingHighSurrogate !== null) {
            const high = self.pendingHighSurrogate;
            self.pendingHighSurrogate = null;
            if (unit >= 0xdc00 && unit <= 0xdfff) {
              utf8Push(out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
              continue;
            }
            utf8Push(out, 0xfffd);
          }
          if (unit >= 0xd800 && unit <= 0xdbff) {
            self.pendingHighSurrogate = unit;
          } else if (unit >= 0xdc00 && unit <= 0xdfff) {
            utf8Push(out, 0xfffd);
          } else {
            utf8Push(out, unit);
          }
        }
        if (out.length > 0) {
          transformStreamDefaultControllerEnqueue(self.transform.controller, new $Uint8Array(out));
        }
      };
      const flushAlgorithm = () => {
        if (self.pendingHighSurrogate !== null) {
          transformStreamDefaultControllerEnqueue(self.transform.controller, new $Uint8Array([0xef, 0xbf, 0xbd]));
        }
      };
      self.transform = setUpTransformStream(undefined, transformAlgorithm, flushAlgorithm);
    }
    get encoding() {
      brand(this, 'TextEncoderStream');
      return 'utf-8';
    }
    get readable() {
      return brand(this, 'TextEncoderStream').transform.readable.obj;
    }
    get writable() {
      return brand(this, 'TextEncoderStream').transform.writable.obj;
    }
  }

  class TextDecoderStream {
    constructor(label = 'utf-8', options = undefined) {
      const what = "Failed to construct 'TextDecoderStream'";
      label = internals.toDOMString(label);
      const o = dictionaryObject(options, what);
      const fatal = !!member(o, 'fatal');
      const ignoreBOM = !!member(o, 'ignoreBOM');
      let decoder;
      try {
        decoder = new $TextDecoder(label, { fatal, ignoreBOM });
      } catch (e) {
        throw new $RangeError(`${what}: The encoding label provided ('${label}') is invalid.`);
      }
      const self = {
        kind: 'TextDecoderStream', obj: undefined, transform: undefined, decoder,
        encoding: decoder.encoding, fatal, ignoreBOM,
      };
      attach(this, self);
      const decode = (bytes, stream) => {
        try {
          return call(textDecoderDecode, decoder, bytes, { stream });
        } catch (e) {
          throw new $TypeError(`The encoded data is not valid ${self.encoding}.`);
        }
      };
      // "Decode and enqueue a chunk" and "flush and enqueue".
      const transformAlgorithm = (chunk) => {
        const bytes = toBufferSourceBytes(chunk, "Failed to execute 'transform' on 'TextDecoderStream'");
        const output = decode(bytes, true);
        if (output !== '') transformStreamDefaultControllerEnqueue(self.transform.controller, output);
      };
      const flushAlgorithm = () => {
        const output = decode(new $Uint8Array(0), false);
        if (output !== '') transformStreamDefaultControllerEnqueue(self.transform.controller, output);
      };
      self.transform = setUpTransformStream(undefined, transformAlgorithm, flushAlgorithm);
    }
    get encoding() {
      return brand(this, 'TextDecoderStream').encoding;
    }
    get fatal() {
      return brand(this, 'TextDecoderStream').fatal;
    }
    get ignoreBOM() {
      return brand(this, 'TextDecoderStream').ignoreBOM;
    }
    get readable() {
      return brand(this, 'TextDecoderStream').transform.readable.obj;
    }
    get writable() {
      return brand(this, 'TextDecoderStream').transform.writable.obj;
    }
  }

  // ---------------------------------------------------------------------------------
  // The globals.
  // ---------------------------------------------------------------------------------
  internals.defineInterface(ReadableStream, 'ReadableStream');
  internals.defineInterface(ReadableStreamDefaultReader, 'ReadableStreamDefaultReader');
  internals.defineInterface(ReadableStreamBYOBReader, 'ReadableStreamBYOBReader');
  internals.defineInterface(ReadableStreamDefaultController, 'ReadableStreamDefaultController');
  internals.defineInterface(ReadableByteStreamController, 'ReadableByteStreamController');
  internals.defineInterface(ReadableStreamBYOBRequest, 'ReadableStreamBYOBRequest');
  internals.defineInterface(WritableStream, 'WritableStream');
  internals.defineInterface(WritableStreamDefaultWriter, 'WritableStreamDefaultWriter');
  internals.defineInterface(WritableStreamDefaultController, 'WritableStreamDefaultController');
  internals.defineInterface(TransformStream, 'TransformStream');
  internals.defineInterface(TransformStreamDefaultController, 'TransformStreamDefaultController');
  internals.defineInterface(ByteLengthQueuingStrategy, 'ByteLengthQueuingStrategy');
  internals.defineInterface(CountQueuingStrategy, 'CountQueuingStrategy');
  internals.defineInterface(TextEncoderStream, 'TextEncoderStream');
  internals.defineInterface(TextDecoderStream, 'TextDecoderStream');
  // defineInterface made the async iterator method enumerable; WebIDL's is not.
  defineProperty(ReadableStream.prototype, symbolAsyncIterator, { enumerable: false });

  // ---------------------------------------------------------------------------------
  // For other specifications (Fetch's bodies): the standard's "other specifications"
  // section, on the objects scripts see.
  // ---------------------------------------------------------------------------------
  function streamOf(v) {
    const r = slots.get(v);
    if (r === undefined || r.kind !== 'ReadableStream') throw new $TypeError('Not a ReadableStream.');
    return r;
  }
  // "Set up" (with byte reading support when `bytes`); returns the stream and what its
  // creator uses to feed it.
  function setUp({ pull, cancel, highWaterMark, size, bytes = false } = {}) {
    const wrap = (algorithm) => (...args) => {
      if (algorithm === undefined) return resolvedUndefined();
      try {
        const result = algorithm(...args);
        return result instanceof $Promise ? result : resolvedUndefined();
      } catch (e) {
        return rejectedWith(e);
      }
    };
    const stream = makeReadableStream();
    let controller;
    if (bytes) {
      controller = newByteControllerRecord();
      create(ReadableByteStreamController.prototype, controller);
      setUpReadableByteStreamController(stream, controller, () => undefined, wrap(pull), wrap(cancel),
        highWaterMark === undefined ? 0 : highWaterMark, undefined);
    } else {
      controller = newDefaultControllerRecord();
      create(ReadableStreamDefaultController.prototype, controller);
      setUpReadableStreamDefaultController(stream, controller, () => undefined, wrap(pull), wrap(cancel),
        highWaterMark === undefined ? 1 : highWaterMark, size === undefined ? () => 1 : size);
    }
    return {
      stream: stream.obj,
      // "Enqueue": for a byte stream, answers the current BYOB request when `chunk` is
      // written into its view.
      enqueue(chunk) {
        if (controller.kind === 'ReadableStreamDefaultController') {
          readableStreamDefaultControllerEnqueue(controller, chunk);
          return;
        }
        const byob = controller.byobRequest;
        const info = viewInfo(chunk);
        if (byob !== null && byob.view !== null && viewInfo(byob.view).buffer === info.buffer) {
          readableByteStreamControllerRespond(controller, info.byteLength);
        } else {
          readableByteStreamControllerEnqueue(controller, chunk);
        }
      },
      // "Close" (Streams, section 9.1.2): a byte stream also answers a pending BYOB read
      // with zero bytes, so that read resolves as done.
      close() {
        if (controller.kind === 'ReadableStreamDefaultController') {
          readableStreamDefaultControllerClose(controller);
          return;
        }
        readableByteStreamControllerClose(controller);
        if (controller.pendingPullIntos.length > 0) readableByteStreamControllerRespond(controller, 0);
      },
      error(e) {
        if (controller.kind === 'ReadableStreamDefaultController') readableStreamDefaultControllerError(controller, e);
        else readableByteStreamControllerError(controller, e);
      },
      desiredSize() {
        return controller.kind === 'ReadableStreamDefaultController'
          ? readableStreamDefaultControllerGetDesiredSize(controller)
          : readableByteStreamControllerGetDesiredSize(controller);
      },
      // The current BYOB request's view, or null.
      byobView() {
        if (controller.kind !== 'ReadableByteStreamController') return null;
        const r = readableByteStreamControllerGetBYOBRequest(controller);
        return r === null ? null : r.view;
      },
    };
  }

  internals.streams = {
    ReadableStream,
    WritableStream,
    TransformStream,
    isReadableStream: (v) => isKind(v, 'ReadableStream'),
    isWritableStream: (v) => isKind(v, 'WritableStream'),
    isTransformStream: (v) => isKind(v, 'TransformStream'),
    // "Readable", "closed", "errored", "locked", "disturbed".
    isReadable: (s) => streamOf(s).state === 'readable',
    isClosed: (s) => streamOf(s).state === 'closed',
    isErrored: (s) => streamOf(s).state === 'errored',
    storedError: (s) => streamOf(s).storedError,
    isLocked: (s) => isReadableStreamLocked(streamOf(s)),
    isDisturbed: (s) => streamOf(s).disturbed,
    setUp,
    // A byte stream holding a copy of `bytes` (a BufferSource), then closed.
    fromBytes(bytes) {
      const copy = toBufferSourceBytes(bytes, 'fromBytes').slice();
      const s = setUp({ bytes: true });
      if (copy.byteLength > 0) s.enqueue(copy);
      s.close();
      return s.stream;
    },
    // ReadableStream.from(iterable), for the standard's "create a ReadableStream from".
    from: (iterable) => readableStreamFromIterable(iterable).obj,
    // Cancel, and tee with cloneForBranch2 (what other specifications' "tee" does).
    cancel: (s, reason) => readableStreamCancel(streamOf(s), reason),
    tee: (s) => readableStreamTee(streamOf(s), true).map((b) => b.obj),
    // A default reader (throws a TypeError if the stream is locked), and reading one chunk
    // from it: a promise of { value, done }.
    getReader: (s) => acquireReadableStreamDefaultReader(streamOf(s)).obj,
    readChunk(reader) {
      const r = brand(reader, 'ReadableStreamDefaultReader');
      const d = newPromise();
      readableStreamDefaultReaderRead(r, {
        chunk: (chunk) => d.resolve({ value: chunk, done: false }),
        close: () => d.resolve({ value: undefined, done: true }),
        error: (e) => d.reject(e),
      });
      return d.promise;
    },
    releaseReader(reader) {
      const r = slots.get(reader);
      if (r.stream === undefined) return;
      if (r.kind === 'ReadableStreamDefaultReader') readableStreamDefaultReaderRelease(r);
      else readableStreamBYOBReaderRelease(r);
    },
    // "Read all bytes": every chunk must be a Uint8Array; a promise of one Uint8Array.
    readAll(s) {
      return promiseOp(() => {
        const reader = acquireReadableStreamDefaultReader(streamOf(s));
        const d = newPromise();
        const chunks = [];
        let total = 0;
        const readRequest = {
          chunk(chunk) {
            if (!isView(chunk) || call(taName, chunk) !== 'Uint8Array') {
              const e = new $TypeError('A chunk of the body is not a Uint8Array.');
              d.reject(e);
              uponRejection(readableStreamReaderGenericCancel(reader, e), noop);
              readableStreamDefaultReaderRelease(reader);
              return;
            }
            chunks.push(chunk);
            total += call(taByteLength, chunk);
            // Read on in a later microtask, not recursively inside the chunk steps.
            queueMicrotaskInternal(() => readableStreamDefaultReaderRead(reader, readRequest));
          },
          close() {
            const out = new $Uint8Array(total);
            let offset = 0;
            for (const c of chunks) {
              call(taSet, out, c, offset);
              offset += call(taByteLength, c);
            }
            readableStreamDefaultReaderRelease(reader);
            d.resolve(out);
          },
          error(e) {
            readableStreamDefaultReaderRelease(reader);
            d.reject(e);
          },
        };
        readableStreamDefaultReaderRead(reader, readRequest);
        return d.promise;
      });
    },
    pipeTo(source, dest, { preventClose = false, preventAbort = false, preventCancel = false, signal } = {}) {
      return readableStreamPipeTo(streamOf(source), brand(dest, 'WritableStream'), preventClose,
        preventAbort, preventCancel, signal);
    },
    // A TransformStream "set up" with algorithms; its controller's operations.
    createTransform({ transform, flush, cancel } = {}) {
      const stream = setUpTransformStream(undefined, transform, flush, cancel);
      return {
        stream: stream.obj,
        enqueue: (chunk) => transformStreamDefaultControllerEnqueue(stream.controller, chunk),
        error: (e) => transformStreamDefaultControllerError(stream.controller, e),
        terminate: () => transformStreamDefaultControllerTerminate(stream.controller),
      };
    },
  };
});

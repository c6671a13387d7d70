// The File API's Blob and File (W3C File API, sections 3 and 4): immutable bytes with a
// MIME type, and a File's name and last modification date.
//
// A blob's bytes are a Uint8Array that never leaves this file's keeping: slices are views
// of the same buffer (nothing is copied), and whatever hands bytes to scripts (reads,
// streams, bodies) copies them first. `internals.blob` gives the other prelude files
// (FormData, Fetch's bodies, structured cloning, FileReader) what the standard lets other
// specifications do with blobs.
//
// Needs, from earlier prelude files: webidl.js, timers.js (internals.queueTask: reading
// a blob completes in a task, as "queue a global task on the file reading task source"
// says), structured_clone.js (internals.serializable), encoding.js (TextDecoder) and
// streams.js (internals.streams); so it goes after streams.js in src/prelude.rs.
(function (ops, internals) {
  'use strict';
  const { requireArgs, illegal, toUSV, toDOMString, dictionary } = internals;
  const S = internals.streams;

  // Intrinsics, taken now so that scripts changing the globals later change nothing here.
  const $Uint8Array = Uint8Array;
  const $Promise = Promise;
  const $TypeError = TypeError;
  const $TextDecoder = TextDecoder;
  const decode = $TextDecoder.prototype.decode;
  const dateNow = Date.now;
  const mathMin = Math.min;
  const mathMax = Math.max;
  const mathFloor = Math.floor;
  const mathTrunc = Math.trunc;
  const numberIsFinite = Number.isFinite;
  const $BigInt = BigInt;
  const bigIntAsIntN = BigInt.asIntN;
  const isView = ArrayBuffer.isView;
  const fromCharCode = String.fromCharCode;
  const getter = (proto, key) => Object.getOwnPropertyDescriptor(proto, key).get;
  const TypedArrayPrototype = Object.getPrototypeOf($Uint8Array.prototype);
  const taBuffer = getter(TypedArrayPrototype, 'buffer');
  const taByteOffset = getter(TypedArrayPrototype, 'byteOffset');
  const taByteLength = getter(TypedArrayPrototype, 'byteLength');
  const taSet = TypedArrayPrototype.set;
  const dvBuffer = getter(DataView.prototype, 'buffer');
  const dvByteOffset = getter(DataView.prototype, 'byteOffset');
  const dvByteLength = getter(DataView.prototype, 'byteLength');
  const abByteLength = getter(ArrayBuffer.prototype, 'byteLength');
  const abResizable = getter(ArrayBuffer.prototype, 'resizable');
  const abSlice = ArrayBuffer.prototype.slice;
  const sabByteLength = typeof SharedArrayBuffer === 'function'
    ? getter(SharedArrayBuffer.prototype, 'byteLength') : undefined;
  const call = (fn, self, ...args) => Reflect.apply(fn, self, args);

  // How much of a blob one chunk of its stream holds (the standard leaves it to us).
  const CHUNK_SIZE = 65536;

  // ---------------------------------------------------------------------------------
  // Byte helpers.
  // ---------------------------------------------------------------------------------
  const lengthOf = (bytes) => call(taByteLength, bytes);
  // A view of bytes [start, start + length) of `bytes`, over the same buffer.
  function viewOf(bytes, start, length) {
    return new $Uint8Array(call(taBuffer, bytes), call(taByteOffset, bytes) + start, length);
  }
  // A copy of `bytes` in a new ArrayBuffer.
  function copyBuffer(bytes) {
    const offset = call(taByteOffset, bytes);
    return call(abSlice, call(taBuffer, bytes), offset, offset + lengthOf(bytes));
  }
  function concat(list) {
    if (list.length === 1) return list[0];
    let total = 0;
    for (let i = 0; i < list.length; i++) total += lengthOf(list[i]);
    const out = new $Uint8Array(total);
    let offset = 0;
    for (let i = 0; i < list.length; i++) {
      call(taSet, out, list[i], offset);
      offset += lengthOf(list[i]);
    }
    return out;
  }
  const utf8Encode = (s) => ops.utf8Encode(s);

  function isArrayBuffer(v) {
    try {
      call(abByteLength, v);
      return true;
    } catch (_) {
      return false;
    }
  }
  function isSharedArrayBuffer(v) {
    if (sabByteLength === undefined) return false;
    try {
      call(sabByteLength, v);
      return true;
    } catch (_) {
      return false;
    }
  }

  // WebIDL's BufferSource conversion, then "get a copy of the bytes held by the buffer
  // source" (a detached buffer holds none). Shared and resizable buffers are refused,
  // as neither [AllowShared] nor [AllowResizable] is on the type.
  function bufferSourceCopy(v, what) {
    let buffer;
    let offset = 0;
    let length;
    if (isArrayBuffer(v)) {
      buffer = v;
      length = call(abByteLength, v);
    } else {
      let isTyped = true;
      try {
        buffer = call(taBuffer, v);
      } catch (_) {
        isTyped = false;
        buffer = call(dvBuffer, v);
      }
      if (isSharedArrayBuffer(buffer)) {
        throw new $TypeError(`${what}: The provided ArrayBufferView value must not be shared.`);
      }
      if (call(abResizable, buffer)) {
        throw new $TypeError(`${what}: The provided ArrayBufferView value must not be resizable.`);
      }
      if (call(abByteLength, buffer) === 0) return new $Uint8Array(0);
      offset = isTyped ? call(taByteOffset, v) : call(dvByteOffset, v);
      length = isTyped ? call(taByteLength, v) : call(dvByteLength, v);
      return new $Uint8Array(call(abSlice, buffer, offset, offset + length));
    }
    if (call(abResizable, buffer)) {
      throw new $TypeError(`${what}: The provided ArrayBuffer value must not be resizable.`);
    }
    if (length === 0) return new $Uint8Array(0);
    return new $Uint8Array(call(abSlice, buffer, offset, offset + length));
  }

  // ---------------------------------------------------------------------------------
  // Conversions (WebIDL) and the standard's string rules.
  // ---------------------------------------------------------------------------------

  // A type as the constructor and slice() take it: empty if any code point is outside
  // U+0020 to U+007E, else in ASCII lowercase.
  function normalizeType(t) {
    let out = '';
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) return '';
      out += c >= 0x41 && c <= 0x5a ? fromCharCode(c + 0x20) : t[i];
    }
    return out;
  }

  // "Convert line endings to native": CR LF, CR and LF all become LF, the line ending
  // of the platforms KPIO runs on.
  function nativeLineEndings(s) {
    let out = '';
    let from = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x0d) {
        out += `${s.slice(from, i)}\n`;
        if (i + 1 < s.length && s.charCodeAt(i + 1) === 0x0a) i++;
        from = i + 1;
      }
    }
    return from === 0 ? s : out + s.slice(from);
  }

  // sequence<BlobPart>, each part converted as WebIDL's union (BufferSource or Blob or
  // USVString) says: a Blob, a copy of a buffer's bytes, or else a string. The strings
  // are encoded later, once the options say which line endings they get.
  function blobParts(v, what) {
    const list = internals.sequence(v, what);
    const parts = [];
    for (let i = 0; i < list.length; i++) {
      const part = list[i];
      if ((typeof part === 'object' && part !== null) || typeof part === 'function') {
        const r = records.get(part);
        if (r !== undefined) {
          parts[i] = r.bytes;
          continue;
        }
        if (isArrayBuffer(part) || isView(part)) {
          parts[i] = bufferSourceCopy(part, what);
          continue;
        }
        if (isSharedArrayBuffer(part)) {
          throw new $TypeError(`${what}: The provided ArrayBuffer value must not be shared.`);
        }
      }
      parts[i] = toUSV(part);
    }
    return parts;
  }

  // "Process blob parts".
  function processParts(parts, endings) {
    const bytes = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (typeof part === 'string') {
        bytes[i] = utf8Encode(endings === 'native' ? nativeLineEndings(part) : part);
      } else {
        bytes[i] = part;
      }
    }
    return bytes.length === 0 ? new $Uint8Array(0) : concat(bytes);
  }

  const ENDINGS = ['transparent', 'native'];
  // BlobPropertyBag's members, in lexicographic order: endings, type.
  function blobPropertyBag(v, what) {
    const d = dictionary(v, what);
    let endings = 'transparent';
    let type = '';
    const e = d.endings;
    if (e !== undefined) {
      endings = toDOMString(e);
      if (ENDINGS.indexOf(endings) < 0) {
        throw new $TypeError(`${what}: The provided value '${endings}' is not a valid enum value of type EndingType.`);
      }
    }
    const t = d.type;
    if (t !== undefined) type = normalizeType(toDOMString(t));
    return { d, endings, type };
  }

  // WebIDL's long long (no [EnforceRange]): modulo 2^64, as a signed integer.
  function toLongLong(v) {
    const x = +v;
    if (!numberIsFinite(x)) return 0;
    const t = mathTrunc(x);
    if (t >= -9007199254740991 && t <= 9007199254740991) return t === 0 ? 0 : t;
    return Number(call(bigIntAsIntN, $BigInt, 64, $BigInt(t)));
  }

  // WebIDL's [Clamp] long long: clamped to the safe integers, rounded half to even.
  function toClampedLongLong(v) {
    let x = +v;
    if (x !== x) return 0;
    x = mathMin(mathMax(x, -9007199254740991), 9007199254740991);
    const f = mathFloor(x);
    const d = x - f;
    const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
    return r === 0 ? 0 : r;
  }

  // ---------------------------------------------------------------------------------
  // Blob and File.
  // ---------------------------------------------------------------------------------

  // Each blob's { bytes, type, file }, `file` being null or a File's { name, lastModified }.
  const records = new WeakMap();
  function rec(self) {
    const r = records.get(self);
    if (r === undefined) throw illegal();
    return r;
  }
  function fileRec(self) {
    const r = records.get(self);
    if (r === undefined || r.file === null) throw illegal();
    return r.file;
  }

  // A read that completes in a later task, as the standard's reads do: a promise of
  // `produce(bytes)`, rejected for a wrong `this`.
  function read(self, produce) {
    let r;
    try {
      r = rec(self);
    } catch (e) {
      return $Promise.reject(e);
    }
    return new $Promise((resolve, reject) => {
      internals.queueTask(() => {
        try {
          resolve(produce(r.bytes));
        } catch (e) {
          reject(e);
        }
      });
    });
  }
  const utf8Decode = (bytes) => call(decode, new $TextDecoder(), bytes);

  // "Get stream": a byte stream of the blob's bytes, one chunk (a copy) per pull, each
  // enqueued in a task. A BYOB read gets the bytes written into its own view.
  function blobStream(bytes) {
    const size = lengthOf(bytes);
    let position = 0;
    let cancelled = false;
    const source = S.setUp({
      bytes: true,
      highWaterMark: 0,
      pull: () => new $Promise((resolve) => {
        internals.queueTask(() => {
          if (!cancelled && position < size) {
            const view = source.byobView();
            let chunk;
            if (view !== null) {
              const n = mathMin(call(taByteLength, view), size - position);
              chunk = new $Uint8Array(call(taBuffer, view), call(taByteOffset, view), n);
              call(taSet, chunk, viewOf(bytes, position, n));
            } else {
              const n = mathMin(CHUNK_SIZE, size - position);
              chunk = new $Uint8Array(n);
              call(taSet, chunk, viewOf(bytes, position, n));
            }
            position += lengthOf(chunk);
            source.enqueue(chunk);
          }
          if (!cancelled && position >= size) source.close();
          resolve();
        });
      }),
      cancel: () => {
        cancelled = true;
      },
    });
    return source.stream;
  }

  class Blob {
    constructor(blobParts_ = undefined, options = undefined) {
      const what = "Failed to construct 'Blob'";
      const parts = blobParts_ === undefined ? [] : blobParts(blobParts_, what);
      const o = blobPropertyBag(options, what);
      records.set(this, { bytes: processParts(parts, o.endings), type: o.type, file: null });
    }
    get size() { return lengthOf(rec(this).bytes); }
    get type() { return rec(this).type; }
    // "Slice blob".
    slice(start = undefined, end = undefined, contentType = undefined) {
      const r = rec(this);
      start = start === undefined ? undefined : toClampedLongLong(start);
      end = end === undefined ? undefined : toClampedLongLong(end);
      contentType = contentType === undefined ? undefined : toDOMString(contentType);
      const size = lengthOf(r.bytes);
      const relativeStart = start === undefined ? 0 : start < 0 ? mathMax(size + start, 0) : mathMin(start, size);
      const relativeEnd = end === undefined ? size : end < 0 ? mathMax(size + end, 0) : mathMin(end, size);
      const type = contentType === undefined ? '' : normalizeType(contentType);
      const span = mathMax(relativeEnd - relativeStart, 0);
      return make(viewOf(r.bytes, relativeStart, span), type);
    }
    stream() {
      return blobStream(rec(this).bytes);
    }
    text() {
      return read(this, utf8Decode);
    }
    arrayBuffer() {
      return read(this, copyBuffer);
    }
    bytes() {
      return read(this, (bytes) => new $Uint8Array(copyBuffer(bytes)));
    }
  }
  internals.defineInterface(Blob, 'Blob');

  class File extends Blob {
    constructor(fileBits, fileName, options = undefined) {
      const what = "Failed to construct 'File'";
      requireArgs(arguments.length, 2, what);
      const parts = blobParts(fileBits, what);
      const name = toUSV(fileName);
      // FilePropertyBag: BlobPropertyBag's members first, then lastModified.
      const o = blobPropertyBag(options, what);
      const l = o.d.lastModified;
      const lastModified = l === undefined ? dateNow() : toLongLong(l);
      super();
      records.set(this, {
        bytes: processParts(parts, o.endings), type: o.type, file: { name, lastModified },
      });
    }
    get name() { return fileRec(this).name; }
    get lastModified() { return fileRec(this).lastModified; }
  }
  internals.defineInterface(File, 'File');

  // A Blob (or, with `file`, a File) over `bytes`, which it keeps: the caller must not
  // hand them to scripts or change them afterwards.
  function make(bytes, type, file = null) {
    const blob = Object.create(file === null ? Blob.prototype : File.prototype);
    records.set(blob, { bytes, type, file });
    return blob;
  }

  // Blobs and Files are serializable (HTML's StructuredSerialize): the clone has the same
  // bytes, type, name and date. The bytes never change, so the two share them.
  internals.serializable.push({
    is: (v) => records.has(v),
    clone(v) {
      const r = records.get(v);
      return make(r.bytes, r.type, r.file === null ? null : { name: r.file.name, lastModified: r.file.lastModified });
    },
  });

  internals.blob = {
    isBlob: (v) => records.has(v),
    isFile: (v) => records.has(v) && records.get(v).file !== null,
    // The blob's bytes, not a copy: read them, never change them or give them away.
    bytesOf: (blob) => records.get(blob).bytes,
    sizeOf: (blob) => lengthOf(records.get(blob).bytes),
    typeOf: (blob) => records.get(blob).type,
    nameOf: (file) => records.get(file).file.name,
    lastModifiedOf: (file) => records.get(file).file.lastModified,
    // make(bytes, type): a Blob that keeps `bytes` (see make above).
    make: (bytes, type) => make(bytes, normalizeType(`${type}`)),
    // makeFile(bytes, type, name, lastModified = now): likewise, a File.
    makeFile: (bytes, type, name, lastModified = dateNow()) =>
      make(bytes, normalizeType(`${type}`), { name: `${name}`, lastModified }),
    stream: (blob) => blobStream(records.get(blob).bytes),
    normalizeType,
  };
});

// FileReader and FileReaderSync (W3C File API, sections 6 and 7): reading a blob as an
// ArrayBuffer, a binary string, text or a data: URL, with progress events.
//
// A read goes a chunk per task, as the standard's read operation does (its "in parallel"
// steps queue a task per step): loadstart, then progress (the first chunk, then at most
// every 50 ms), then load (or error) and loadend. abort() stops it at once, and the read's
// tasks still queued do nothing. FileReaderSync exists in workers only.
//
// Needs, from earlier prelude files: event.js, dom_exception.js, timers.js
// (internals.queueTask), mime_type.js, blob.js and progress_event.js; goes after them in
// src/prelude.rs.
(function (ops, internals) {
  'use strict';
  const { requireArgs, illegal, toDOMString } = internals;
  const B = internals.blob;
  const M = internals.mime;
  const $ProgressEvent = ProgressEvent;
  const $TextDecoder = TextDecoder;
  const decode = $TextDecoder.prototype.decode;
  const $Uint8Array = Uint8Array;
  const fromCharCode = String.fromCharCode;
  const $btoa = globalThis.btoa;
  const arrayJoin = Array.prototype.join;
  const mathMin = Math.min;
  const TypedArrayPrototype = Object.getPrototypeOf($Uint8Array.prototype);
  const taBuffer = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer').get;
  const taByteOffset = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'byteOffset').get;
  const taByteLength = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'byteLength').get;
  const abSlice = ArrayBuffer.prototype.slice;
  const call = (fn, self, ...args) => Reflect.apply(fn, self, args);
  const lengthOf = (bytes) => call(taByteLength, bytes);
  const viewOf = (bytes, start, end) =>
    new $Uint8Array(call(taBuffer, bytes), call(taByteOffset, bytes) + start, end - start);

  // How much one step of a read takes.
  const READ_CHUNK = 1 << 20;
  // The least time between two progress events ("roughly 50ms").
  const PROGRESS_INTERVAL_MS = 50;

  // ---------------------------------------------------------------------------------
  // "Package data".
  // ---------------------------------------------------------------------------------
  // Base64 of the bytes: btoa() (QuickJS's coder) of their binary string, in pieces of
  // a multiple of three bytes, so that the pieces' codes join into the whole's.
  function base64(bytes) {
    const n = lengthOf(bytes);
    const pieces = [];
    for (let i = 0; i < n; i += 3 * 8192) {
      const end = mathMin(i + 3 * 8192, n);
      pieces[pieces.length] = $btoa(Reflect.apply(fromCharCode, null, viewOf(bytes, i, end)));
    }
    return call(arrayJoin, pieces, '');
  }

  // Each byte as the code point of that value.
  function binaryString(bytes) {
    const n = lengthOf(bytes);
    const pieces = [];
    for (let i = 0; i < n; i += 8192) {
      pieces[pieces.length] = Reflect.apply(fromCharCode, null, viewOf(bytes, i, mathMin(i + 8192, n)));
    }
    return call(arrayJoin, pieces, '');
  }

  // The Encoding Standard's labels of its "replacement" encoding (which TextDecoder
  // refuses, but reading a blob as text uses).
  const REPLACEMENT_LABELS = ['csiso2022kr', 'hz-gb-2312', 'iso-2022-cn', 'iso-2022-cn-ext', 'iso-2022-kr', 'replacement'];
  // "Get an encoding": the encoding's name, or null for a label the standard lacks.
  function getEncoding(label) {
    const l = M.asciiLower(label.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, ''));
    if (REPLACEMENT_LABELS.indexOf(l) >= 0) return 'replacement';
    const opened = ops.decoderOpen(l, false, true);
    if (opened === undefined || opened === null) return null;
    ops.decoderClose(opened[0]);
    return opened[1];
  }

  // The Encoding Standard's "decode": a BOM chooses the encoding, else `encoding` does.
  function decodeText(bytes, encoding) {
    const n = lengthOf(bytes);
    let start = 0;
    if (n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      encoding = 'utf-8';
      start = 3;
    } else if (n >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
      encoding = 'utf-16be';
      start = 2;
    } else if (n >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
      encoding = 'utf-16le';
      start = 2;
    }
    // The replacement decoder gives one U+FFFD for any input, nothing for none.
    if (encoding === 'replacement') return n > start ? '\ufffd' : '';
    return call(decode, new $TextDecoder(encoding, { ignoreBOM: true }), viewOf(bytes, start, n));
  }

  function packageData(bytes, type, mimeType, encodingName) {
    switch (type) {
      case 'ArrayBuffer': {
        const offset = call(taByteOffset, bytes);
        return call(abSlice, call(taBuffer, bytes), offset, offset + lengthOf(bytes));
      }
      case 'BinaryString':
        return binaryString(bytes);
      case 'DataURL':
        // Browsers (and WPT) say application/octet-stream for an untyped blob.
        return `data:${mimeType === '' ? 'application/octet-stream' : mimeType};base64,${base64(bytes)}`;
      default: {
        let encoding = encodingName === undefined ? null : getEncoding(encodingName);
        if (encoding === null && mimeType !== '') {
          const parsed = M.parse(mimeType);
          const charset = parsed === null ? undefined : M.param(parsed, 'charset');
          if (charset !== undefined) encoding = getEncoding(charset);
        }
        return decodeText(bytes, encoding === null ? 'utf-8' : encoding);
      }
    }
  }

  function blobArgument(blob, what) {
    if (!B.isBlob(blob)) throw new TypeError(`${what}: parameter 1 is not of type 'Blob'.`);
    return blob;
  }

  // ---------------------------------------------------------------------------------
  // FileReader.
  // ---------------------------------------------------------------------------------
  const EMPTY = 0;
  const LOADING = 1;
  const DONE = 2;
  const readers = new WeakMap();
  function st(self) {
    const s = readers.get(self);
    if (s === undefined) throw illegal();
    return s;
  }

  function fireProgress(fr, type, loaded, total) {
    internals.fire(fr, new $ProgressEvent(type, { lengthComputable: true, loaded, total }));
  }

  // The standard's "read operation". Each read has a number; abort() and a new read
  // change the reader's, so the tasks of an earlier read see they are stale.
  function readOperation(fr, blob, type, encodingName) {
    const s = st(fr);
    if (s.state === LOADING) {
      throw internals.domException('InvalidStateError', `Failed to execute 'readAs${type}' on 'FileReader': The object is already busy reading Blobs.`);
    }
    s.state = LOADING;
    s.result = null;
    s.error = null;
    const read = ++s.read;
    const bytes = B.bytesOf(blob);
    const mimeType = B.typeOf(blob);
    const size = lengthOf(bytes);
    s.loaded = 0;
    s.total = size;
    let lastProgress = null;
    const current = () => s.read === read;

    const step = () => {
      if (!current()) return;
      if (s.loaded < size) {
        s.loaded = mathMin(s.loaded + READ_CHUNK, size);
        const now = ops.now();
        if (lastProgress === null || now - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          fireProgress(fr, 'progress', s.loaded, size);
        }
        if (current()) internals.queueTask(step);
        return;
      }
      s.state = DONE;
      let result;
      let failed = false;
      try {
        result = packageData(bytes, type, mimeType, encodingName);
      } catch (e) {
        failed = true;
        s.error = e;
      }
      if (failed) {
        fireProgress(fr, 'error', s.loaded, size);
      } else {
        s.result = result;
        fireProgress(fr, 'load', s.loaded, size);
      }
      // A load or error listener may have started another read: then no loadend.
      if (s.state !== LOADING) fireProgress(fr, 'loadend', s.loaded, size);
    };
    internals.queueTask(() => {
      if (!current()) return;
      fireProgress(fr, 'loadstart', 0, size);
      if (current()) internals.queueTask(step);
    });
  }

  class FileReader extends EventTarget {
    constructor() {
      super();
      readers.set(this, { state: EMPTY, result: null, error: null, read: 0, loaded: 0, total: 0 });
    }
    readAsArrayBuffer(blob) {
      const what = "Failed to execute 'readAsArrayBuffer' on 'FileReader'";
      requireArgs(arguments.length, 1, what);
      st(this);
      readOperation(this, blobArgument(blob, what), 'ArrayBuffer');
    }
    readAsBinaryString(blob) {
      const what = "Failed to execute 'readAsBinaryString' on 'FileReader'";
      requireArgs(arguments.length, 1, what);
      st(this);
      readOperation(this, blobArgument(blob, what), 'BinaryString');
    }
    readAsText(blob, encoding = undefined) {
      const what = "Failed to execute 'readAsText' on 'FileReader'";
      requireArgs(arguments.length, 1, what);
      st(this);
      blobArgument(blob, what);
      readOperation(this, blob, 'Text', encoding === undefined ? undefined : toDOMString(encoding));
    }
    readAsDataURL(blob) {
      const what = "Failed to execute 'readAsDataURL' on 'FileReader'";
      requireArgs(arguments.length, 1, what);
      st(this);
      readOperation(this, blobArgument(blob, what), 'DataURL');
    }
    abort() {
      const s = st(this);
      if (s.state === EMPTY || s.state === DONE) {
        s.result = null;
        return;
      }
      s.state = DONE;
      s.result = null;
      s.read++;
      fireProgress(this, 'abort', s.loaded, s.total);
      if (s.state !== LOADING) fireProgress(this, 'loadend', s.loaded, s.total);
    }
    get readyState() { return st(this).state; }
    get result() { return st(this).result; }
    get error() { return st(this).error; }
  }
  for (const name of ['loadstart', 'progress', 'load', 'abort', 'error', 'loadend']) {
    internals.defineEventHandler(FileReader.prototype, name);
  }
  internals.defineInterface(FileReader, 'FileReader', { EMPTY, LOADING, DONE });

  // ---------------------------------------------------------------------------------
  // FileReaderSync ([Exposed=(DedicatedWorker,SharedWorker)]).
  // ---------------------------------------------------------------------------------
  if (internals.kind !== 'window') {
    const syncReaders = new WeakSet();
    const check = (self) => {
      if (!syncReaders.has(self)) throw illegal();
    };
    class FileReaderSync {
      constructor() {
        syncReaders.add(this);
      }
      readAsArrayBuffer(blob) {
        const what = "Failed to execute 'readAsArrayBuffer' on 'FileReaderSync'";
        requireArgs(arguments.length, 1, what);
        check(this);
        return packageData(B.bytesOf(blobArgument(blob, what)), 'ArrayBuffer', '', undefined);
      }
      readAsBinaryString(blob) {
        const what = "Failed to execute 'readAsBinaryString' on 'FileReaderSync'";
        requireArgs(arguments.length, 1, what);
        check(this);
        return packageData(B.bytesOf(blobArgument(blob, what)), 'BinaryString', '', undefined);
      }
      readAsText(blob, encoding = undefined) {
        const what = "Failed to execute 'readAsText' on 'FileReaderSync'";
        requireArgs(arguments.length, 1, what);
        check(this);
        blobArgument(blob, what);
        return packageData(B.bytesOf(blob), 'Text', B.typeOf(blob), encoding === undefined ? undefined : toDOMString(encoding));
      }
      readAsDataURL(blob) {
        const what = "Failed to execute 'readAsDataURL' on 'FileReaderSync'";
        requireArgs(arguments.length, 1, what);
        check(this);
        return packageData(B.bytesOf(blobArgument(blob, what)), 'DataURL', B.typeOf(blob), undefined);
      }
    }
    internals.defineInterface(FileReaderSync, 'FileReaderSync');
  }
});

// META: global=window,worker
// META: title=FileReader and FileReaderSync (W3C File API, sections 6 and 7), ProgressEvent
'use strict';

const EVENTS = ['loadstart', 'progress', 'load', 'abort', 'error', 'loadend'];

// Starts `method` on a new reader; resolves at loadend with the reader and a log of the
// events ({ type, readyState, result, event }).
function read(blob, method, ...args) {
  return new Promise((resolve) => {
    const reader = new FileReader();
    const log = [];
    for (const type of EVENTS) {
      reader.addEventListener(type, (event) => {
        log.push({ type, readyState: reader.readyState, result: reader.result, event });
        if (type === 'loadend') resolve({ reader, log });
      });
    }
    reader[method](blob, ...args);
  });
}
const types = (log) => log.map((e) => e.type);
const textOf = async (blob, ...args) => (await read(blob, 'readAsText', ...args)).reader.result;
const later = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------
// The interfaces
// ---------------------------------------------------------------------------------

test(() => {
  assert_equals(FileReader.length, 0);
  assert_equals(Object.getPrototypeOf(FileReader.prototype), EventTarget.prototype);
  assert_equals(FileReader.prototype[Symbol.toStringTag], 'FileReader');
  for (const [name, value] of [['EMPTY', 0], ['LOADING', 1], ['DONE', 2]]) {
    assert_equals(FileReader[name], value, name);
    assert_equals(FileReader.prototype[name], value, name);
  }
  for (const name of ['readAsArrayBuffer', 'readAsBinaryString', 'readAsText', 'readAsDataURL', 'abort']) {
    assert_equals(typeof FileReader.prototype[name], 'function', name);
  }
  assert_equals(FileReader.prototype.readAsText.length, 1);
  assert_throws_js(TypeError, () => FileReader());
}, 'FileReader is an EventTarget with the EMPTY, LOADING and DONE constants');

test(() => {
  const reader = new FileReader();
  assert_equals(reader.readyState, FileReader.EMPTY);
  assert_equals(reader.result, null);
  assert_equals(reader.error, null);
  for (const type of EVENTS) assert_equals(reader['on' + type], null, type);
}, 'A new FileReader is EMPTY, with no result, no error and no handlers');

test(() => {
  assert_equals(ProgressEvent.length, 1);
  assert_equals(Object.getPrototypeOf(ProgressEvent.prototype), Event.prototype);
  const e = new ProgressEvent('p');
  assert_equals(e.type, 'p');
  assert_false(e.lengthComputable);
  assert_equals(e.loaded, 0);
  assert_equals(e.total, 0);
  const f = new ProgressEvent('q', { lengthComputable: 1, loaded: 1.5, total: -2, bubbles: true });
  assert_true(f.lengthComputable);
  assert_equals(f.loaded, 1.5);
  assert_equals(f.total, -2);
  assert_true(f.bubbles);
  assert_throws_js(TypeError, () => new ProgressEvent());
  assert_throws_js(TypeError, () => new ProgressEvent('x', { loaded: NaN }));
  assert_throws_js(TypeError, () => new ProgressEvent('x', { total: Infinity }));
}, 'ProgressEvent: lengthComputable, loaded and total (doubles that must be finite)');

test(() => {
  const reader = new FileReader();
  for (const method of ['readAsArrayBuffer', 'readAsBinaryString', 'readAsText', 'readAsDataURL']) {
    assert_throws_js(TypeError, () => reader[method](), method);
    assert_throws_js(TypeError, () => reader[method]('not a blob'), method);
    assert_throws_js(TypeError, () => reader[method]({}), method);
    assert_throws_js(TypeError, () => FileReader.prototype[method].call({}, new Blob()), method);
  }
  assert_equals(reader.readyState, FileReader.EMPTY);
}, 'The read methods need a Blob and a FileReader');

// ---------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const reader = new FileReader();
  reader.readAsText(new Blob(['abc']));
  assert_equals(reader.readyState, FileReader.LOADING);
  assert_equals(reader.result, null);
}, 'A read is LOADING as soon as it starts, with no result yet');

promise_test(async () => {
  const { log } = await read(new Blob(['abc']), 'readAsText');
  assert_array_equals(types(log), ['loadstart', 'progress', 'load', 'loadend']);
  assert_array_equals(log.map((e) => e.readyState), [1, 1, 2, 2]);
  assert_array_equals(log.map((e) => e.result), [null, null, 'abc', 'abc']);
}, 'A read fires loadstart, progress, load and loadend; the result is there from load on');

promise_test(async () => {
  const { log } = await read(new Blob(), 'readAsText');
  assert_array_equals(types(log), ['loadstart', 'load', 'loadend']);
  assert_equals(log[2].result, '');
}, 'Reading an empty blob has no progress event');

promise_test(async () => {
  const { log } = await read(new Blob(['abcd']), 'readAsArrayBuffer');
  for (const { event, type } of log) {
    assert_true(event instanceof ProgressEvent, type);
    assert_true(event.isTrusted, type);
    assert_false(event.bubbles, type);
    assert_false(event.cancelable, type);
    assert_true(event.lengthComputable, type);
    assert_equals(event.total, 4, type);
  }
  assert_equals(log[0].event.loaded, 0);
  assert_equals(log[log.length - 1].event.loaded, 4);
}, 'The events are trusted ProgressEvents counting the bytes read of the total');

promise_test(async () => {
  const reader = new FileReader();
  const calls = [];
  await new Promise((resolve) => {
    for (const type of EVENTS) {
      reader['on' + type] = (e) => {
        calls.push(e.type);
        if (type === 'loadend') resolve();
      };
    }
    reader.readAsText(new Blob(['x']));
  });
  assert_array_equals(calls, ['loadstart', 'progress', 'load', 'loadend']);
  reader.onload = 'not a function';
  assert_equals(reader.onload, null);
}, 'The on* event handler attributes');

promise_test(async () => {
  const reader = new FileReader();
  let loadend = 0;
  const seen = [];
  await new Promise((resolve) => {
    let again = true;
    reader.onload = () => {
      seen.push(reader.result);
      if (again) {
        again = false;
        reader.readAsText(new Blob(['second']));
        assert_equals(reader.readyState, FileReader.LOADING);
        assert_equals(reader.result, null);
      }
    };
    reader.onloadend = () => {
      loadend++;
      resolve();
    };
    reader.readAsText(new Blob(['first']));
  });
  await later();
  assert_array_equals(seen, ['first', 'second']);
  assert_equals(loadend, 1);
}, 'A read started in a load listener takes over: the first read has no loadend');

// ---------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const { reader } = await read(new Blob([new Uint8Array([1, 2, 255])]), 'readAsArrayBuffer');
  assert_true(reader.result instanceof ArrayBuffer);
  assert_array_equals(Array.from(new Uint8Array(reader.result)), [1, 2, 255]);
  assert_equals(reader.result, reader.result);
}, 'readAsArrayBuffer() gives an ArrayBuffer of the bytes');

promise_test(async () => {
  const { reader } = await read(new Blob([new Uint8Array([0, 0x61, 0x80, 0xff])]), 'readAsBinaryString');
  assert_equals(reader.result, '\u0000a\u0080\u00ff');
}, 'readAsBinaryString() gives each byte as a code point');

promise_test(async () => {
  const url = async (blob) => (await read(blob, 'readAsDataURL')).reader.result;
  assert_equals(await url(new Blob(['TEST'], { type: 'text/plain' })), 'data:text/plain;base64,VEVTVA==');
  assert_equals(await url(new Blob(['TEST'])), 'data:application/octet-stream;base64,VEVTVA==');
  assert_equals(await url(new Blob()), 'data:application/octet-stream;base64,');
  assert_equals(await url(new Blob(['TEST'], { type: 'not a mime type' })), 'data:not a mime type;base64,VEVTVA==');
  assert_equals(await url(new Blob(['a'], { type: 'a/b' })), 'data:a/b;base64,YQ==');
  assert_equals(await url(new Blob(['ab'], { type: 'a/b' })), 'data:a/b;base64,YWI=');
  assert_equals(await url(new Blob(['abc'], { type: 'a/b' })), 'data:a/b;base64,YWJj');
  assert_equals(await url(new Blob([new Uint8Array([0xfb, 0xff, 0xbf])], { type: 'a/b' })), 'data:a/b;base64,+/+/');
}, 'readAsDataURL() gives a base64 data: URL with the type (application/octet-stream if none)');

promise_test(async () => {
  assert_equals(await textOf(new Blob(['h\u00e9llo'])), 'h\u00e9llo');
  assert_equals(await textOf(new Blob(['\ufeffbom'])), 'bom');
  assert_equals(await textOf(new Blob([new Uint8Array([0x61, 0xff])])), 'a\ufffd');
}, 'readAsText() decodes UTF-8 by default');

promise_test(async () => {
  const e9 = new Blob([new Uint8Array([0xe9])]);
  assert_equals(await textOf(e9, 'latin1'), '\u00e9');
  assert_equals(await textOf(e9, ' ISO-8859-1 '), '\u00e9');
  assert_equals(await textOf(e9, 'no such encoding'), '\ufffd');
  assert_equals(await textOf(new Blob([new Uint8Array([0x61, 0x00])]), 'utf-16le'), 'a');
  assert_equals(await textOf(new Blob(['abc']), 'replacement'), '\ufffd');
  assert_equals(await textOf(new Blob([]), 'replacement'), '');
}, 'readAsText() takes an encoding label; an unknown one means UTF-8');

promise_test(async () => {
  const bytes = new Uint8Array([0xe9]);
  assert_equals(await textOf(new Blob([bytes], { type: 'text/plain;charset=windows-1252' })), '\u00e9');
  assert_equals(await textOf(new Blob([bytes], { type: 'text/plain;charset=windows-1252' }), 'utf-8'), '\ufffd');
  assert_equals(await textOf(new Blob([bytes], { type: 'text/plain;charset=nonsense' })), '\ufffd');
}, "Without an encoding argument, readAsText() uses the charset of the blob's type");

promise_test(async () => {
  assert_equals(await textOf(new Blob([new Uint8Array([0xff, 0xfe, 0x61, 0x00])]), 'latin1'), 'a');
  assert_equals(await textOf(new Blob([new Uint8Array([0xfe, 0xff, 0x00, 0x61])])), 'a');
  assert_equals(await textOf(new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 0xc3, 0xa9])]), 'latin1'), '\u00e9');
}, 'A BOM chooses the encoding over any label (the Encoding Standard\'s decode)');

promise_test(async () => {
  const file = new File(['file text'], 'f.txt', { type: 'text/plain' });
  assert_equals(await textOf(file), 'file text');
  const big = new Uint8Array(3 * 1024 * 1024 + 5);
  big[big.length - 1] = 7;
  const { reader, log } = await read(new Blob([big]), 'readAsArrayBuffer');
  assert_equals(reader.result.byteLength, big.length);
  assert_equals(new Uint8Array(reader.result)[big.length - 1], 7);
  const progress = log.filter((e) => e.type === 'progress');
  assert_greater_than_equal(progress.length, 1);
  assert_equals(log[log.length - 1].event.loaded, big.length);
}, 'Files and large blobs read whole');

// ---------------------------------------------------------------------------------
// Busy readers and abort()
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const reader = new FileReader();
  const done = new Promise((resolve) => { reader.onloadend = resolve; });
  reader.readAsText(new Blob(['one']));
  for (const method of ['readAsArrayBuffer', 'readAsBinaryString', 'readAsText', 'readAsDataURL']) {
    assert_throws_dom('InvalidStateError', () => reader[method](new Blob(['two'])), method);
  }
  await done;
  assert_equals(reader.result, 'one');
}, 'A reader that is LOADING refuses another read with InvalidStateError');

promise_test(async () => {
  const reader = new FileReader();
  const log = [];
  for (const type of EVENTS) reader.addEventListener(type, () => log.push(`${type}:${reader.readyState}`));
  reader.readAsText(new Blob(['abc']));
  reader.abort();
  assert_array_equals(log, ['abort:2', 'loadend:2']);
  assert_equals(reader.readyState, FileReader.DONE);
  assert_equals(reader.result, null);
  await later();
  assert_array_equals(log, ['abort:2', 'loadend:2'], 'nothing after abort');
}, 'abort() stops a read at once: abort and loadend, then nothing');

promise_test(async () => {
  const reader = new FileReader();
  const log = [];
  for (const type of EVENTS) {
    reader.addEventListener(type, () => {
      log.push(type);
      if (type === 'loadstart') reader.abort();
    });
  }
  reader.readAsText(new Blob(['abc']));
  await later();
  assert_array_equals(log, ['loadstart', 'abort', 'loadend']);
}, 'abort() in a loadstart listener');

promise_test(async () => {
  const reader = new FileReader();
  let events = 0;
  for (const type of EVENTS) reader.addEventListener(type, () => events++);
  reader.abort();
  assert_equals(reader.readyState, FileReader.EMPTY);
  assert_equals(events, 0);
  await new Promise((resolve) => {
    reader.onloadend = resolve;
    reader.readAsText(new Blob(['abc']));
  });
  const before = events;
  assert_equals(reader.result, 'abc');
  reader.abort();
  assert_equals(reader.result, null);
  assert_equals(reader.readyState, FileReader.DONE);
  assert_equals(events, before);
}, 'abort() of an EMPTY or DONE reader fires nothing, but clears the result');

promise_test(async () => {
  const reader = new FileReader();
  reader.readAsText(new Blob(['first']));
  reader.abort();
  const { result } = await new Promise((resolve) => {
    reader.onload = () => resolve(reader);
    reader.readAsText(new Blob(['second']));
  });
  assert_equals(result, 'second');
}, 'A reader can read again after abort()');

// ---------------------------------------------------------------------------------
// FileReaderSync
// ---------------------------------------------------------------------------------

test(() => {
  if (typeof WorkerGlobalScope === 'undefined') {
    assert_false('FileReaderSync' in self);
    return;
  }
  const sync = new FileReaderSync();
  const blob = new Blob(['h\u00e9'], { type: 'text/plain' });
  assert_equals(sync.readAsText(blob), 'h\u00e9');
  assert_equals(sync.readAsText(new Blob([new Uint8Array([0xe9])]), 'latin1'), '\u00e9');
  assert_array_equals(Array.from(new Uint8Array(sync.readAsArrayBuffer(blob))), [0x68, 0xc3, 0xa9]);
  assert_equals(sync.readAsBinaryString(blob), 'h\u00c3\u00a9');
  assert_equals(sync.readAsDataURL(blob), 'data:text/plain;base64,aMOp');
  assert_equals(sync.readAsDataURL(new Blob(['TEST'])), 'data:application/octet-stream;base64,VEVTVA==');
  assert_throws_js(TypeError, () => sync.readAsText('x'));
}, 'FileReaderSync exists in workers only, and reads at once');

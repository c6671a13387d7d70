// META: global=window,worker
// META: title=Blob (W3C File API, section 3)
'use strict';

// The bytes of a blob, read through arrayBuffer().
async function bytesOf(blob) {
  return Array.from(new Uint8Array(await blob.arrayBuffer()));
}
const utf8 = (s) => Array.from(new TextEncoder().encode(s));

// ---------------------------------------------------------------------------------
// The interface
// ---------------------------------------------------------------------------------

test(() => {
  assert_equals(typeof Blob, 'function');
  assert_equals(Blob.length, 0);
  assert_equals(Blob.name, 'Blob');
  const d = Object.getOwnPropertyDescriptor(self, 'Blob');
  assert_true(d.writable);
  assert_false(d.enumerable);
  assert_true(d.configurable);
  assert_equals(Object.prototype.toString.call(new Blob()), '[object Blob]');
  assert_equals(Blob.prototype[Symbol.toStringTag], 'Blob');
}, 'Blob is an interface object of length 0');

test(() => {
  for (const name of ['size', 'type']) {
    const d = Object.getOwnPropertyDescriptor(Blob.prototype, name);
    assert_equals(typeof d.get, 'function', name);
    assert_equals(d.set, undefined, name);
    assert_true(d.enumerable, name);
  }
  for (const name of ['slice', 'stream', 'text', 'arrayBuffer', 'bytes']) {
    const d = Object.getOwnPropertyDescriptor(Blob.prototype, name);
    assert_equals(typeof d.value, 'function', name);
    assert_true(d.enumerable, name);
  }
  assert_equals(Blob.prototype.slice.length, 0);
}, 'Blob.prototype has size and type accessors and the five methods');

test(() => {
  assert_throws_js(TypeError, () => Blob());
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(Blob.prototype, 'size').get.call({}));
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(Blob.prototype, 'type').get.call({}));
  assert_throws_js(TypeError, () => Blob.prototype.slice.call({}));
  assert_throws_js(TypeError, () => Blob.prototype.stream.call({}));
}, 'Blob needs new, and its members check their this');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, Blob.prototype.text.call({}));
  await promise_rejects_js(t, TypeError, Blob.prototype.arrayBuffer.call(null));
  await promise_rejects_js(t, TypeError, Blob.prototype.bytes.call(undefined));
}, 'text(), arrayBuffer() and bytes() reject (not throw) on a wrong this');

// ---------------------------------------------------------------------------------
// The constructor: blobParts
// ---------------------------------------------------------------------------------

test(() => {
  for (const b of [new Blob(), new Blob(undefined), new Blob([]), new Blob(undefined, undefined)]) {
    assert_equals(b.size, 0);
    assert_equals(b.type, '');
  }
}, 'A Blob made without parts is empty and untyped');

test(() => {
  assert_throws_js(TypeError, () => new Blob(null));
  assert_throws_js(TypeError, () => new Blob('abc'));
  assert_throws_js(TypeError, () => new Blob(123));
  assert_throws_js(TypeError, () => new Blob({}));
  assert_throws_js(TypeError, () => new Blob({ length: 1, 0: 'a' }));
  assert_throws_js(TypeError, () => new Blob({ [Symbol.iterator]: 1 }));
}, 'blobParts must be an iterable object (WebIDL sequence)');

promise_test(async () => {
  const b = new Blob(new Set(['a', 'b']));
  assert_equals(await b.text(), 'ab');
  function* gen() { yield 'x'; yield new Uint8Array([0x79]); }
  assert_equals(await new Blob(gen()).text(), 'xy');
}, 'Any iterable gives the parts');

promise_test(async () => {
  const b = new Blob(['h\u00e9llo', '\u{1F600}']);
  assert_equals(b.size, 10);
  assert_array_equals(await bytesOf(b), utf8('h\u00e9llo\u{1F600}'));
}, 'String parts are UTF-8 encoded');

promise_test(async () => {
  const b = new Blob(['a\ud800b', '\udc00']);
  assert_array_equals(await bytesOf(b), [0x61, 0xef, 0xbf, 0xbd, 0x62, 0xef, 0xbf, 0xbd]);
}, 'Lone surrogates in string parts become U+FFFD (USVString), even across parts');

promise_test(async () => {
  const parts = [1, null, undefined, true, { toString() { return 'obj'; } }, [1, 2]];
  assert_equals(await new Blob(parts).text(), '1nullundefinedtrueobj1,2');
}, 'Other values become strings');

test(() => {
  assert_throws_js(TypeError, () => new Blob([Symbol('s')]));
  assert_throws_js(Error, () => new Blob([{ toString() { throw new Error('boom'); } }]));
}, 'A part that cannot become a string throws');

promise_test(async () => {
  const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
  const b = new Blob([buffer]);
  new Uint8Array(buffer)[0] = 9;
  assert_equals(b.size, 4);
  assert_array_equals(await bytesOf(b), [1, 2, 3, 4]);
}, 'An ArrayBuffer part is copied when the Blob is made');

promise_test(async () => {
  const buffer = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]).buffer;
  const b = new Blob([new Uint16Array(buffer, 2, 2), new DataView(buffer, 6, 1), new Int8Array(buffer, 7)]);
  assert_array_equals(await bytesOf(b), [2, 3, 4, 5, 6, 7]);
}, 'Typed array and DataView parts give the bytes they view, and only those');

promise_test(async () => {
  const inner = new Blob(['bc']);
  const file = new File(['d'], 'f.txt');
  const b = new Blob(['a', inner, file, new Uint8Array([0x65]), inner]);
  assert_equals(await b.text(), 'abcdebc');
}, 'Blob and File parts give their bytes, in order with the others');

promise_test(async () => {
  const buffer = new ArrayBuffer(4);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  assert_equals(buffer.byteLength, 0);
  const b = new Blob(['a', buffer, view, 'b']);
  assert_equals(await b.text(), 'ab');
}, 'A detached buffer gives no bytes');

test(() => {
  const buffer = new ArrayBuffer(4, { maxByteLength: 8 });
  assert_throws_js(TypeError, () => new Blob([buffer]));
  assert_throws_js(TypeError, () => new Blob([new Uint8Array(buffer)]));
}, 'A resizable buffer is refused (BufferSource has no [AllowResizable])');

// ---------------------------------------------------------------------------------
// The constructor: options
// ---------------------------------------------------------------------------------

test(() => {
  assert_equals(new Blob([], { type: 'text/plain' }).type, 'text/plain');
  assert_equals(new Blob([], { type: 'Text/HTML;Charset=UTF-8' }).type, 'text/html;charset=utf-8');
  assert_equals(new Blob([], { type: 'nonsense' }).type, 'nonsense');
  assert_equals(new Blob([], { type: ' a/b ' }).type, ' a/b ');
  assert_equals(new Blob([], { type: 42 }).type, '42');
  assert_equals(new Blob([], { type: undefined }).type, '');
}, 'type is kept in ASCII lowercase, not parsed');

test(() => {
  assert_equals(new Blob([], { type: 'a/b\u00e9' }).type, '');
  assert_equals(new Blob([], { type: 'a/b\x1f' }).type, '');
  assert_equals(new Blob([], { type: 'a/b\x7f' }).type, '');
  assert_equals(new Blob([], { type: 'a/b\u0130' }).type, '');
  assert_equals(new Blob([], { type: 'A/\u212A' }).type, '');
}, 'A type with a code point outside U+0020 to U+007E becomes empty');

promise_test(async () => {
  const text = 'a\r\nb\rc\nd\n\re';
  assert_equals(await new Blob([text]).text(), text);
  assert_equals(await new Blob([text], { endings: 'transparent' }).text(), text);
  assert_equals(await new Blob([text], { endings: 'native' }).text(), 'a\nb\nc\nd\n\ne');
  assert_equals(await new Blob(['a\r', '\nb'], { endings: 'native' }).text(), 'a\n\nb');
}, "endings: 'native' makes CR LF, CR and LF the platform's LF, part by part");

promise_test(async () => {
  const bytes = new Uint8Array([0x61, 0x0d, 0x0a, 0x62]);
  const b = new Blob([bytes, new Blob(['\r\n'])], { endings: 'native' });
  assert_array_equals(await bytesOf(b), [0x61, 0x0d, 0x0a, 0x62, 0x0d, 0x0a]);
}, "endings: 'native' leaves buffer and Blob parts as they are");

test(() => {
  assert_throws_js(TypeError, () => new Blob([], { endings: 'Native' }));
  assert_throws_js(TypeError, () => new Blob([], { endings: null }));
  new Blob([], { endings: undefined });
}, 'endings must be an EndingType');

test(() => {
  assert_equals(new Blob([], null).size, 0);
  assert_throws_js(TypeError, () => new Blob([], 'text/plain'));
  assert_throws_js(TypeError, () => new Blob([], 1));
  assert_equals(new Blob([], function () {}).type, '');
}, 'The options are a dictionary');

test(() => {
  const log = [];
  const part = { toString() { log.push('part'); return 'x'; } };
  const options = {
    get type() { log.push('type'); return ''; },
    get endings() { log.push('endings'); return 'transparent'; },
  };
  new Blob([part], options);
  assert_array_equals(log, ['part', 'endings', 'type']);
}, 'Arguments are converted in order: the parts, then endings and type');

// ---------------------------------------------------------------------------------
// slice()
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const b = new Blob(['abcdef'], { type: 'text/plain' });
  const s = b.slice();
  assert_not_equals(s, b);
  assert_equals(s.size, 6);
  assert_equals(s.type, '');
  assert_equals(await s.text(), 'abcdef');
  assert_true(s instanceof Blob);
}, 'slice() with no arguments copies the bytes, not the type');

promise_test(async () => {
  const b = new Blob(['abcdef']);
  const cases = [
    [[2], 'cdef'], [[2, 4], 'cd'], [[-2], 'ef'], [[-4, -1], 'cde'], [[0, -6], ''],
    [[4, 2], ''], [[10], ''], [[-10], 'abcdef'], [[0, 100], 'abcdef'], [[3, 3], ''],
    [[undefined, 2], 'ab'], [[-3, undefined], 'def'],
  ];
  for (const [args, expected] of cases) {
    const s = b.slice(...args);
    assert_equals(s.size, expected.length, `slice(${args})`);
    assert_equals(await s.text(), expected, `slice(${args})`);
  }
}, 'slice() counts negative indexes from the end and clamps to the size');

test(() => {
  const b = new Blob(['a'], { type: 'x/y' });
  assert_equals(b.slice(0, 1).type, '');
  assert_equals(b.slice(0, 1, 'Text/Plain').type, 'text/plain');
  assert_equals(b.slice(0, 1, 'a/\u00e9').type, '');
  assert_equals(b.slice(0, 1, null).type, 'null');
  assert_equals(b.slice(0, 1, undefined).type, '');
}, 'slice() takes its type from contentType, normalized as the constructor does');

promise_test(async () => {
  const b = new Blob(['0123456789']);
  const s = b.slice(2, 8).slice(1, -1).slice(-3);
  assert_equals(await s.text(), '456');
  assert_equals(await b.text(), '0123456789');
}, 'Slices of slices see the right bytes, and the original is unchanged');

test(() => {
  const log = [];
  const b = new Blob(['abc']);
  b.slice({ valueOf() { log.push('start'); return 0; } },
    { valueOf() { log.push('end'); return 1; } },
    { toString() { log.push('type'); return ''; } });
  assert_array_equals(log, ['start', 'end', 'type']);
}, 'slice() converts start, end and contentType in order');

// ---------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------

promise_test(async () => {
  assert_equals(await new Blob(['\ufeffa\u00e9']).text(), 'a\u00e9');
  assert_equals(await new Blob([new Uint8Array([0x61, 0xff, 0xc3])]).text(), 'a\ufffd\ufffd');
  assert_equals(await new Blob([new Uint8Array([0xff, 0xfe, 0x61, 0x00])]).text(), '\ufffd\ufffda\u0000');
  assert_equals(await new Blob().text(), '');
}, 'text() is UTF-8 decode: a UTF-8 BOM is dropped, nothing else is sniffed, bad bytes are U+FFFD');

promise_test(async () => {
  const b = new Blob([new Uint8Array([1, 2, 3])]);
  const a1 = await b.arrayBuffer();
  const a2 = await b.arrayBuffer();
  assert_true(a1 instanceof ArrayBuffer);
  assert_not_equals(a1, a2);
  assert_array_equals(Array.from(new Uint8Array(a1)), [1, 2, 3]);
  new Uint8Array(a1)[0] = 7;
  assert_array_equals(await bytesOf(b), [1, 2, 3]);
}, 'arrayBuffer() gives a new ArrayBuffer of the bytes each time');

promise_test(async () => {
  const b = new Blob(['ab']).slice(1);
  const u = await b.bytes();
  assert_true(u instanceof Uint8Array);
  assert_equals(u.byteOffset, 0);
  assert_equals(u.buffer.byteLength, 1);
  assert_array_equals(Array.from(u), [0x62]);
  u[0] = 0;
  assert_equals(await b.text(), 'b');
}, 'bytes() gives a Uint8Array of only the bytes, in a buffer of its own');

promise_test(async () => {
  const b = new Blob(['abc']);
  const results = await Promise.all([b.text(), b.text(), b.arrayBuffer(), b.bytes()]);
  assert_equals(results[0], 'abc');
  assert_equals(results[1], 'abc');
  assert_equals(results[2].byteLength, 3);
  assert_equals(results[3].length, 3);
}, 'A blob can be read any number of times, at once');

promise_test(async () => {
  const data = new Uint8Array(200000);
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  const b = new Blob([data]);
  const s = b.stream();
  assert_true(s instanceof ReadableStream);
  const reader = s.getReader();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    assert_true(value instanceof Uint8Array, 'chunks are Uint8Arrays');
    chunks.push(value);
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  assert_equals(total, data.length);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) { all.set(c, offset); offset += c.length; }
  let same = true;
  for (let i = 0; i < data.length; i++) if (all[i] !== data[i]) { same = false; break; }
  assert_true(same, 'the chunks hold the bytes in order');
}, 'stream() gives a ReadableStream of the bytes in Uint8Array chunks');

promise_test(async () => {
  const reader = new Blob().stream().getReader();
  const { done } = await reader.read();
  assert_true(done);
}, 'The stream of an empty blob closes without a chunk');

promise_test(async () => {
  const b = new Blob(['abcdef']);
  const s1 = b.stream();
  const s2 = b.stream();
  assert_not_equals(s1, s2);
  const reader = s1.getReader({ mode: 'byob' });
  const { value, done } = await reader.read(new Uint8Array(4));
  assert_false(done);
  assert_equals(new TextDecoder().decode(value), 'abcd');
  const rest = await reader.read(new Uint8Array(10));
  assert_equals(new TextDecoder().decode(rest.value), 'ef');
  assert_true((await reader.read(new Uint8Array(1))).done);
  assert_equals(await new Response(s2).text(), 'abcdef');
}, 'stream() is a byte stream: a BYOB reader gets the bytes in its own views');

promise_test(async () => {
  const s = new Blob([new Uint8Array(300000)]).stream();
  const reader = s.getReader();
  await reader.read();
  await reader.cancel('done');
  const { done } = await reader.read();
  assert_true(done);
}, 'The stream can be cancelled part way');

promise_test(async () => {
  const b = new Blob(['hello']);
  const [t1, t2] = b.stream().tee();
  assert_equals(await new Response(t1).text(), 'hello');
  assert_equals(await new Response(t2).text(), 'hello');
}, 'The stream tees as any byte stream');

// ---------------------------------------------------------------------------------
// Cloning and subclassing
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const b = new Blob(['xyz'], { type: 'text/x' });
  const c = structuredClone(b);
  assert_not_equals(c, b);
  assert_equals(Object.getPrototypeOf(c), Blob.prototype);
  assert_equals(c.size, 3);
  assert_equals(c.type, 'text/x');
  assert_equals(await c.text(), 'xyz');
  const graph = structuredClone({ a: b, b, list: [b] });
  assert_equals(graph.a, graph.b);
  assert_equals(graph.list[0], graph.a);
  assert_equals(await graph.a.text(), 'xyz');
}, 'structuredClone() serializes a Blob: same bytes and type, shared references kept');

test(() => {
  const b = new Blob(['a']);
  assert_throws_dom('DataCloneError', () => structuredClone(b, { transfer: [b] }));
}, 'A Blob is not transferable');

promise_test(async () => {
  class MyBlob extends Blob {
    constructor(parts) { super(parts, { type: 'a/b' }); this.extra = 1; }
    hello() { return 'hi'; }
  }
  const b = new MyBlob(['abc']);
  assert_true(b instanceof Blob);
  assert_equals(b.hello(), 'hi');
  assert_equals(b.type, 'a/b');
  assert_equals(await b.text(), 'abc');
  assert_equals(Object.getPrototypeOf(b.slice(1)), Blob.prototype);
  assert_equals(Object.getPrototypeOf(structuredClone(b)), Blob.prototype);
}, 'Blob can be subclassed; slices and clones are plain Blobs');

// The last two: Node 20 aborts its process (an assertion in node::Blob::ToSlice) on a
// slice() index that is not a uint32, so they come after everything else.

promise_test(async () => {
  const b = new Blob(['abcdef']);
  assert_equals(await b.slice('1', '3').text(), 'bc');
  assert_equals(await b.slice(NaN, NaN).text(), '');
  assert_equals(await b.slice(NaN).text(), 'abcdef');
  assert_equals(await b.slice(Infinity).text(), '');
  assert_equals(await b.slice(-Infinity).text(), 'abcdef');
  assert_equals(await b.slice(0, Infinity).text(), 'abcdef');
  assert_equals(await b.slice(2 ** 60).text(), '');
  assert_equals(await b.slice(null, true).text(), 'a');
}, 'slice() converts its indexes as [Clamp] long long');

promise_test(async () => {
  const b = new Blob(['abcdef']);
  const cases = [[[0.5], 'abcdef'], [[1.5], 'cdef'], [[2.5], 'cdef'], [[-0.5], 'abcdef'],
    [[0, 2.5], 'ab'], [[0, 3.5], 'abcd'], [[-1.5], 'ef'], [[0, 1.4999], 'a']];
  for (const [args, expected] of cases) {
    assert_equals(await b.slice(...args).text(), expected, `slice(${args})`);
  }
}, 'slice() rounds fractional indexes half to even ([Clamp])');

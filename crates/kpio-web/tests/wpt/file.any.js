// META: global=window,worker
// META: title=File (W3C File API, section 4)
'use strict';

test(() => {
  assert_equals(typeof File, 'function');
  assert_equals(File.length, 2);
  assert_equals(Object.getPrototypeOf(File), Blob);
  assert_equals(Object.getPrototypeOf(File.prototype), Blob.prototype);
  assert_equals(File.prototype[Symbol.toStringTag], 'File');
  assert_false(Object.getOwnPropertyDescriptor(self, 'File').enumerable);
  for (const name of ['name', 'lastModified']) {
    const d = Object.getOwnPropertyDescriptor(File.prototype, name);
    assert_equals(typeof d.get, 'function', name);
    assert_equals(d.set, undefined, name);
    assert_true(d.enumerable, name);
  }
}, 'File is an interface inheriting from Blob');

promise_test(async () => {
  const f = new File(['ab', new Uint8Array([0x63])], 'name.txt');
  assert_true(f instanceof File);
  assert_true(f instanceof Blob);
  assert_equals(Object.prototype.toString.call(f), '[object File]');
  assert_equals(f.name, 'name.txt');
  assert_equals(f.size, 3);
  assert_equals(f.type, '');
  assert_equals(await f.text(), 'abc');
}, 'A File has bits, a name, a size and a type');

test(() => {
  assert_throws_js(TypeError, () => new File());
  assert_throws_js(TypeError, () => new File([]));
  assert_throws_js(TypeError, () => File([], 'a'));
}, 'File needs new and two arguments');

test(() => {
  assert_throws_js(TypeError, () => new File(undefined, 'a'));
  assert_throws_js(TypeError, () => new File(null, 'a'));
  assert_throws_js(TypeError, () => new File('abc', 'a'));
  assert_throws_js(TypeError, () => new File({}, 'a'));
}, 'fileBits is a required sequence');

test(() => {
  assert_equals(new File([], 'a/b\\c:d').name, 'a/b\\c:d');
  assert_equals(new File([], '').name, '');
  assert_equals(new File([], null).name, 'null');
  assert_equals(new File([], undefined).name, 'undefined');
  assert_equals(new File([], 12).name, '12');
  assert_equals(new File([], 'x\ud800y').name, 'x\ufffdy');
  assert_equals(new File([], '\u00e9\u{1F600}').name, '\u00e9\u{1F600}');
}, 'The name is the fileName argument as a USVString, unchanged otherwise');

test(() => {
  const before = Date.now();
  const f = new File([], 'a');
  const after = Date.now();
  assert_equals(typeof f.lastModified, 'number');
  assert_true(Number.isInteger(f.lastModified));
  assert_greater_than_equal(f.lastModified, before);
  assert_less_than_equal(f.lastModified, after);
}, 'lastModified defaults to now, in milliseconds since the epoch');

test(() => {
  const lm = (v) => new File([], 'a', { lastModified: v }).lastModified;
  assert_equals(lm(0), 0);
  assert_equals(lm(42), 42);
  assert_equals(lm(-42), -42);
  assert_equals(lm(1.9), 1);
  assert_equals(lm(-1.9), -1);
  assert_equals(lm('123'), 123);
  assert_equals(lm(new Date(1e12)), 1e12);
  assert_equals(lm(null), 0);
  assert_equals(lm(true), 1);
}, 'lastModified is converted as a long long');

test(() => {
  const lm = (v) => new File([], 'a', { lastModified: v }).lastModified;
  assert_equals(lm(NaN), 0);
  assert_equals(lm(Infinity), 0);
  assert_equals(lm(-Infinity), 0);
  assert_equals(lm('x'), 0);
  assert_equals(lm(2 ** 64 + 4096), 4096);
  assert_equals(lm(2 ** 63), -(2 ** 63));
  assert_equals(lm(-(2 ** 64) - 8192), -8192);
}, 'lastModified wraps modulo 2^64 and turns non-finite values into 0 (WebIDL long long)');

test(() => {
  assert_throws_js(TypeError, () => new File([], 'a', { lastModified: 1n }));
  assert_throws_js(TypeError, () => new File([], 'a', { lastModified: Symbol('s') }));
}, 'A lastModified that is not a number-like value throws TypeError');

test(() => {
  const t = (v) => new File([], 'a', { type: v }).type;
  assert_equals(t('Image/PNG'), 'image/png');
  assert_equals(t('a/b\u00ff'), '');
  assert_equals(t(undefined), '');
}, 'type is normalized as a Blob type is');

promise_test(async () => {
  const f = new File(['a\r\nb\rc'], 'x', { endings: 'native' });
  assert_equals(await f.text(), 'a\nb\nc');
  assert_throws_js(TypeError, () => new File([], 'x', { endings: 'bad' }));
}, 'endings works as for Blob');

test(() => {
  const log = [];
  const bits = [{ toString() { log.push('bits'); return ''; } }];
  const name = { toString() { log.push('name'); return 'n'; } };
  const options = {
    get lastModified() { log.push('lastModified'); return 1; },
    get type() { log.push('type'); return ''; },
    get endings() { log.push('endings'); return 'native'; },
  };
  new File(bits, name, options);
  assert_array_equals(log, ['bits', 'name', 'endings', 'type', 'lastModified']);
}, "Arguments are converted in order; BlobPropertyBag's members come before lastModified");

promise_test(async () => {
  const f = new File(['abcdef'], 'f.txt', { type: 'text/plain', lastModified: 5 });
  const s = f.slice(1, 3, 'a/b');
  assert_false(s instanceof File);
  assert_equals(Object.getPrototypeOf(s), Blob.prototype);
  assert_equals(s.type, 'a/b');
  assert_equals(await s.text(), 'bc');
}, 'slice() of a File is a Blob');

promise_test(async () => {
  const blob = new Blob(['xy'], { type: 'text/x' });
  const f = new File([blob], 'f');
  assert_equals(f.type, '');
  assert_equals(await f.text(), 'xy');
  const b2 = new Blob([f]);
  assert_equals(b2.type, '');
  assert_equals(await b2.text(), 'xy');
}, "Parts give their bytes, never their type");

test(() => {
  const nameGetter = Object.getOwnPropertyDescriptor(File.prototype, 'name').get;
  const lmGetter = Object.getOwnPropertyDescriptor(File.prototype, 'lastModified').get;
  assert_throws_js(TypeError, () => nameGetter.call(new Blob()));
  assert_throws_js(TypeError, () => lmGetter.call(new Blob()));
  assert_throws_js(TypeError, () => nameGetter.call({}));
  assert_equals(Object.getOwnPropertyDescriptor(Blob.prototype, 'size').get.call(new File(['ab'], 'f')), 2);
}, "File's getters refuse a Blob; Blob's accept a File");

promise_test(async () => {
  const f = new File(['hello'], 'h.txt', { type: 'text/plain', lastModified: 1234 });
  const c = structuredClone(f);
  assert_not_equals(c, f);
  assert_true(c instanceof File);
  assert_equals(Object.getPrototypeOf(c), File.prototype);
  assert_equals(c.name, 'h.txt');
  assert_equals(c.lastModified, 1234);
  assert_equals(c.type, 'text/plain');
  assert_equals(c.size, 5);
  assert_equals(await c.text(), 'hello');
}, 'structuredClone() serializes a File: bytes, type, name and lastModified');

test(() => {
  const f = new File([], 'a');
  assert_throws_dom('DataCloneError', () => structuredClone(f, { transfer: [f] }));
}, 'A File is not transferable');

promise_test(async () => {
  class MyFile extends File {
    get upper() { return this.name.toUpperCase(); }
  }
  const f = new MyFile(['x'], 'f.txt', { lastModified: 3 });
  assert_true(f instanceof File);
  assert_equals(f.upper, 'F.TXT');
  assert_equals(f.lastModified, 3);
  assert_equals(await f.text(), 'x');
}, 'File can be subclassed');

promise_test(async () => {
  const bytes = new Uint8Array(256);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  const f = new File([bytes], 'bin');
  const back = new Uint8Array(await f.arrayBuffer());
  assert_equals(back.length, 256);
  assert_array_equals(Array.from(back), Array.from(bytes));
  assert_array_equals(Array.from(await f.bytes()), Array.from(bytes));
}, 'A File holds any bytes');

promise_test(async () => {
  const f = new File(['0123456789'], 'f');
  const reader = f.stream().getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  assert_equals(text, '0123456789');
}, 'stream() of a File reads its bytes');

test(() => {
  assert_equals(new File([], 'a', null).name, 'a');
  assert_throws_js(TypeError, () => new File([], 'a', 5));
}, 'The options are a dictionary');

// META: global=window,worker
// META: title=FormData (XMLHttpRequest Standard, section 5; HTML's "create an entry")
'use strict';

const entriesOf = (fd) => [...fd].map(([k, v]) => [k, typeof v === 'string' ? v : `File:${v.name}`]);
// Compares the entries of `fd` with [name, value] pairs (a File as the string above).
function assert_entries(fd, expected) {
  assert_array_equals(entriesOf(fd).map((e) => JSON.stringify(e)), expected.map((e) => JSON.stringify(e)));
}

test(() => {
  assert_equals(typeof FormData, 'function');
  assert_equals(FormData.length, 0);
  assert_false(Object.getOwnPropertyDescriptor(self, 'FormData').enumerable);
  assert_equals(FormData.prototype[Symbol.toStringTag], 'FormData');
  assert_equals(Object.prototype.toString.call(new FormData()), '[object FormData]');
  const lengths = { append: 2, delete: 1, get: 1, getAll: 1, has: 1, set: 2, forEach: 1, entries: 0, keys: 0, values: 0 };
  for (const [name, length] of Object.entries(lengths)) {
    const d = Object.getOwnPropertyDescriptor(FormData.prototype, name);
    assert_equals(typeof d.value, 'function', name);
    assert_true(d.enumerable, name);
    assert_equals(d.value.length, length, name);
  }
  assert_equals(FormData.prototype[Symbol.iterator], FormData.prototype.entries);
}, 'FormData is an interface with a pair iterator');

test(() => {
  const fd = new FormData();
  assert_array_equals([...fd], []);
  assert_equals(fd.get('a'), null);
  assert_array_equals(fd.getAll('a'), []);
  assert_false(fd.has('a'));
  new FormData(undefined);
  new FormData(undefined, undefined);
  new FormData(undefined, null);
}, 'new FormData() is empty');

test(() => {
  assert_throws_js(TypeError, () => new FormData(null));
  assert_throws_js(TypeError, () => new FormData({}));
  assert_throws_js(TypeError, () => new FormData('form'));
  assert_throws_js(TypeError, () => new FormData(undefined, {}));
  assert_throws_js(TypeError, () => FormData());
}, 'Without a DOM there is no HTMLFormElement or HTMLElement: a form or submitter is a TypeError');

test(() => {
  const fd = new FormData();
  fd.append('a', '1');
  fd.append('b', '2');
  fd.append('a', '3');
  assert_equals(fd.get('a'), '1');
  assert_array_equals(fd.getAll('a'), ['1', '3']);
  assert_array_equals(fd.getAll('b'), ['2']);
  assert_true(fd.has('a'));
  assert_false(fd.has('A'));
  assert_entries(fd, [['a', '1'], ['b', '2'], ['a', '3']]);
}, 'append() adds entries in order; get() gives the first value, getAll() all of them');

test(() => {
  const fd = new FormData();
  fd.append(1, 2);
  fd.append(null, undefined);
  fd.append({ toString() { return 'o'; } }, { toString() { return 'v'; } });
  fd.append('x\ud800', 'y\udc00');
  fd.append('', '');
  assert_entries(fd, [['1', '2'], ['null', 'undefined'], ['o', 'v'], ['x\ufffd', 'y\ufffd'], ['', '']]);
}, 'Names and values are USVStrings');

test(() => {
  const fd = new FormData();
  fd.append('a\r\nb', 'c\rd\ne\r\n');
  assert_entries(fd, [['a\r\nb', 'c\rd\ne\r\n']]);
}, 'Newlines are kept in the entry list (only the encoding normalizes them)');

test(() => {
  const fd = new FormData();
  assert_throws_js(TypeError, () => fd.append());
  assert_throws_js(TypeError, () => fd.append('a'));
  assert_throws_js(TypeError, () => fd.set('a'));
  assert_throws_js(TypeError, () => fd.get());
  assert_throws_js(TypeError, () => fd.getAll());
  assert_throws_js(TypeError, () => fd.has());
  assert_throws_js(TypeError, () => fd.delete());
}, 'Missing required arguments throw TypeError');

test(() => {
  const before = Date.now();
  const fd = new FormData();
  const blob = new Blob(['abc'], { type: 'text/x' });
  fd.append('b', blob);
  const after = Date.now();
  const f = fd.get('b');
  assert_true(f instanceof File);
  assert_not_equals(f, blob);
  assert_equals(f.name, 'blob');
  assert_equals(f.type, 'text/x');
  assert_equals(f.size, 3);
  assert_greater_than_equal(f.lastModified, before);
  assert_less_than_equal(f.lastModified, after);
  assert_equals(fd.get('b'), f, 'the same File every time');
}, 'A Blob value becomes a File named "blob", with its type and bytes, modified now');

promise_test(async () => {
  const fd = new FormData();
  fd.append('b', new Blob(['abc']), 'custom.txt');
  const f = fd.get('b');
  assert_true(f instanceof File);
  assert_equals(f.name, 'custom.txt');
  assert_equals(await f.text(), 'abc');
}, 'A Blob value with a filename becomes a File of that name');

test(() => {
  const fd = new FormData();
  const file = new File(['x'], 'orig.txt', { type: 'a/b', lastModified: 77 });
  fd.append('f', file);
  assert_equals(fd.get('f'), file);
  fd.append('g', file, 'renamed.txt');
  const g = fd.get('g');
  assert_not_equals(g, file);
  assert_equals(g.name, 'renamed.txt');
  assert_equals(g.type, 'a/b');
  assert_equals(g.lastModified, 77);
  assert_equals(g.size, 1);
  assert_equals(file.name, 'orig.txt');
}, 'A File value is kept as it is; with a filename it becomes a new File (same bytes, type, lastModified)');

test(() => {
  const fd = new FormData();
  assert_throws_js(TypeError, () => fd.append('a', 'b', 'c'));
  assert_throws_js(TypeError, () => fd.append('a', {}, 'c'));
  assert_throws_js(TypeError, () => fd.set('a', 'b', 'c'));
  assert_throws_js(TypeError, () => fd.append('a', 'b', undefined));
  assert_array_equals([...fd], []);
}, 'With three arguments the value must be a Blob (overload resolution)');

test(() => {
  const fd = new FormData();
  fd.append('a', new Blob(), undefined);
  assert_equals(fd.get('a').name, 'blob');
  fd.append('b', new Blob(), null);
  assert_equals(fd.get('b').name, 'null');
  fd.append('c', new Blob(), 'x\ud800');
  assert_equals(fd.get('c').name, 'x\ufffd');
}, 'An undefined filename is missing; others are USVStrings');

test(() => {
  const fd = new FormData();
  fd.append('x', { toString() { return 'obj'; } });
  fd.append('y', new Uint8Array([1]));
  assert_equals(fd.get('x'), 'obj');
  assert_equals(fd.get('y'), '1');
}, 'A non-Blob object value becomes a string');

test(() => {
  const fd = new FormData();
  fd.append('a', '1');
  fd.append('b', '2');
  fd.append('a', '3');
  fd.append('c', '4');
  fd.append('a', '5');
  fd.set('a', 'x');
  assert_entries(fd, [['a', 'x'], ['b', '2'], ['c', '4']]);
  fd.set('d', 'y');
  assert_entries(fd, [['a', 'x'], ['b', '2'], ['c', '4'], ['d', 'y']]);
}, 'set() replaces the first entry of the name, removes the others, or appends');

test(() => {
  const fd = new FormData();
  fd.append('a', 'old');
  fd.set('a', new Blob(['z']), 'z.txt');
  const f = fd.get('a');
  assert_true(f instanceof File);
  assert_equals(f.name, 'z.txt');
  fd.set('a', new Blob());
  assert_equals(fd.get('a').name, 'blob');
  assert_equals(fd.getAll('a').length, 1);
}, 'set() converts Blobs as append() does');

test(() => {
  const fd = new FormData();
  fd.append('a', '1');
  fd.append('b', '2');
  fd.append('a', '3');
  fd.delete('a');
  assert_entries(fd, [['b', '2']]);
  fd.delete('zzz');
  assert_entries(fd, [['b', '2']]);
  fd.delete({ toString() { return 'b'; } });
  assert_array_equals([...fd], []);
}, 'delete() removes every entry of the name');

test(() => {
  const fd = new FormData();
  fd.append('k1', 'v1');
  fd.append('k2', new Blob(), 'f');
  assert_array_equals([...fd.keys()], ['k1', 'k2']);
  const values = [...fd.values()];
  assert_equals(values[0], 'v1');
  assert_true(values[1] instanceof File);
  const entries = [...fd.entries()];
  assert_equals(entries.length, 2);
  assert_array_equals(entries[0], ['k1', 'v1']);
  assert_equals(entries[1][1], values[1]);
}, 'keys(), values() and entries() iterate in order');

test(() => {
  const it = new FormData().entries();
  assert_equals(Object.prototype.toString.call(it), '[object FormData Iterator]');
  const proto = Object.getPrototypeOf(it);
  assert_equals(Object.getPrototypeOf(proto), Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
  assert_equals(typeof proto.next, 'function');
  assert_throws_js(TypeError, () => proto.next.call({}));
  assert_equals(it[Symbol.iterator](), it);
}, 'The iterator prototype is "FormData Iterator", inheriting from %IteratorPrototype%');

test(() => {
  const fd = new FormData();
  fd.append('a', '1');
  fd.append('b', '2');
  fd.append('c', '3');
  const seen = [];
  for (const [k] of fd) {
    seen.push(k);
    if (k === 'a') {
      fd.delete('a');
      fd.append('d', '4');
    }
  }
  assert_array_equals(seen, ['a', 'c', 'd']);
}, 'Iterators see the entry list as it is at each step');

test(() => {
  const fd = new FormData();
  fd.append('a', '1');
  fd.append('b', '2');
  const calls = [];
  const thisArg = {};
  fd.forEach(function (value, key, object) {
    calls.push([value, key, object === fd, this === thisArg]);
  }, thisArg);
  assert_array_equals(calls.map((c) => c.join()), ['1,a,true,true', '2,b,true,true']);
  let self_;
  fd.forEach(function () { 'use strict'; self_ = this; });
  assert_equals(self_, undefined);
  assert_throws_js(TypeError, () => fd.forEach());
  assert_throws_js(TypeError, () => fd.forEach({}));
}, 'forEach() calls back with (value, key, formData) and thisArg');

test(() => {
  const fd = new FormData();
  fd.append('a', '1');
  const seen = [];
  fd.forEach((v, k) => {
    seen.push(k);
    if (seen.length < 3) fd.append(k + k, v);
  });
  assert_array_equals(seen, ['a', 'aa', 'aaaa']);
}, 'forEach() sees entries appended while it runs');

test(() => {
  for (const name of ['append', 'delete', 'get', 'getAll', 'has', 'set', 'entries', 'keys', 'values', 'forEach']) {
    assert_throws_js(TypeError, () => FormData.prototype[name].call({}, 'a', 'b'), name);
  }
}, 'The methods check their this');

test(() => {
  assert_throws_dom('DataCloneError', () => structuredClone(new FormData()));
}, 'FormData is not serializable');

test(() => {
  class MyFormData extends FormData {
    count() { return [...this].length; }
  }
  const fd = new MyFormData();
  fd.append('a', 'b');
  assert_equals(fd.count(), 1);
  assert_true(fd instanceof FormData);
}, 'FormData can be subclassed');

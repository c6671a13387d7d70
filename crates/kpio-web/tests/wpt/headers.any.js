// META: global=window,worker
// META: title=Headers (Fetch Standard, section 5.2)
'use strict';

test(() => {
  const h = new Headers();
  assert_array_equals([...h], []);
  assert_equals(h.get('a'), null);
  assert_false(h.has('a'));
}, 'A new Headers is empty');

test(() => {
  const h = new Headers([['B', '2'], ['a', '1'], ['b', '3']]);
  assert_array_equals([...h].map((p) => p.join('=')), ['a=1', 'b=2, 3']);
}, 'A sequence of pairs: names lowercased, sorted, and values of one name combined');

test(() => {
  const h = new Headers({ 'Content-Type': 'text/plain', 'X-A': 'b' });
  assert_equals(h.get('content-type'), 'text/plain');
  assert_equals(h.get('x-a'), 'b');
}, 'A record of names and values');

test(() => {
  const init = new Headers({ a: '1' });
  const copy = new Headers(init);
  init.append('b', '2');
  assert_equals(copy.get('a'), '1');
  assert_false(copy.has('b'));
}, 'Another Headers object is copied, not shared');

test(() => {
  assert_throws_js(TypeError, () => new Headers([['a']]));
  assert_throws_js(TypeError, () => new Headers([['a', 'b', 'c']]));
  assert_throws_js(TypeError, () => new Headers(['ab']));
  assert_throws_js(TypeError, () => new Headers(5));
}, 'Pairs that are not two items, and non-objects, throw TypeError');

test(() => {
  assert_throws_js(TypeError, () => new Headers({ 'bad name': 'x' }));
  assert_throws_js(TypeError, () => new Headers({ 'a(': 'x' }));
  assert_throws_js(TypeError, () => new Headers({ '': 'x' }));
}, 'Names that are not tokens throw TypeError');

test(() => {
  const h = new Headers();
  assert_throws_js(TypeError, () => h.append('a', 'x\ny'));
  assert_throws_js(TypeError, () => h.append('a', 'x\ry'));
  assert_throws_js(TypeError, () => h.append('a', 'x\0y'));
  assert_array_equals([...h], []);
}, 'Values with NUL, CR or LF throw TypeError');

test(() => {
  const h = new Headers();
  assert_throws_js(TypeError, () => h.append('a', '\u0100'));
  assert_throws_js(TypeError, () => h.append('\u0100', 'a'));
  h.append('a', '\u00ff');
  assert_equals(h.get('a'), '\u00ff');
}, 'Names and values are ByteStrings: a code unit above 0xFF throws TypeError');

test(() => {
  const h = new Headers();
  h.append('a', ' \t x y \t\r\n');
  assert_equals(h.get('a'), 'x y');
  h.set('b', '\n\tz ');
  assert_equals(h.get('b'), 'z');
}, 'Leading and trailing HTTP whitespace is stripped');

test(() => {
  const h = new Headers();
  h.append('a', '1');
  h.append('A', '2');
  assert_equals(h.get('a'), '1, 2');
  h.set('a', '3');
  assert_equals(h.get('A'), '3');
  assert_array_equals([...h.keys()], ['a']);
}, 'set() replaces every value of a name');

test(() => {
  const h = new Headers([['a', '1'], ['b', '2'], ['A', '3']]);
  h.delete('A');
  assert_false(h.has('a'));
  assert_true(h.has('B'));
  h.delete('missing');
}, 'delete() removes every value of a name, case-insensitively');

test(() => {
  const h = new Headers();
  assert_throws_js(TypeError, () => h.get('bad name'));
  assert_throws_js(TypeError, () => h.has('bad name'));
  assert_throws_js(TypeError, () => h.delete('bad name'));
  assert_throws_js(TypeError, () => h.set('bad name', 'x'));
}, 'Every method refuses a name that is not a token');

test(() => {
  const h = new Headers([['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['x', 'y']]);
  assert_array_equals(h.getSetCookie(), ['a=1', 'b=2']);
  assert_equals(h.get('set-cookie'), 'a=1, b=2');
  assert_array_equals([...h].map((p) => p.join('=')), ['set-cookie=a=1', 'set-cookie=b=2', 'x=y']);
}, 'Set-Cookie values are not combined when iterating, and getSetCookie lists them');

test(() => {
  assert_array_equals(new Headers().getSetCookie(), []);
}, 'getSetCookie of no cookies is an empty array');

test(() => {
  const h = new Headers([['b', '1'], ['a', '2'], ['c', '3']]);
  const seen = [];
  h.forEach(function (value, name, object) {
    seen.push(name + value);
    assert_equals(object, h);
    assert_equals(this, undefined);
  });
  assert_array_equals(seen, ['a2', 'b1', 'c3']);
}, 'forEach visits sorted pairs with (value, name, headers)');

test(() => {
  const h = new Headers([['b', '1']]);
  const it = h.entries();
  h.append('a', '0');
  assert_array_equals(it.next().value, ['a', '0']);
  assert_array_equals(it.next().value, ['b', '1']);
  assert_true(it.next().done);
}, 'Iterators see the list as it is at each step');

test(() => {
  const h = new Headers([['a', '1']]);
  assert_array_equals([...h.keys()], ['a']);
  assert_array_equals([...h.values()], ['1']);
  assert_equals(Headers.prototype[Symbol.iterator], Headers.prototype.entries);
  const it = h.entries();
  assert_equals(Object.prototype.toString.call(it), '[object Headers Iterator]');
  assert_equals(Object.getPrototypeOf(Object.getPrototypeOf(it)),
    Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
}, 'keys, values, entries and the iterator prototype');

test(() => {
  const h = new Headers({ A: '1' });
  assert_true(h.has('a'));
  assert_true(h.has('A'));
  assert_equals(h.get('A'), '1');
}, 'has and get ignore the case of names');

test(() => {
  const h = new Headers();
  h.append('a', '');
  assert_equals(h.get('a'), '');
  assert_true(h.has('a'));
}, 'An empty value is a value');

test(() => {
  assert_equals(Headers.length, 0);
  assert_equals(Headers.prototype.append.length, 2);
  assert_equals(Headers.prototype.get.length, 1);
  assert_throws_js(TypeError, () => Headers());
  assert_throws_js(TypeError, () => new Headers().append('a'));
  assert_throws_js(TypeError, () => Headers.prototype.get.call({}, 'a'));
  assert_equals(Object.prototype.toString.call(new Headers()), '[object Headers]');
}, 'The interface: lengths, new required, arguments required, brand checks');

test(() => {
  const h = new Headers({ a: 1, b: null, c: undefined, d: { toString() { return 'D'; } } });
  assert_equals(h.get('a'), '1');
  assert_equals(h.get('b'), 'null');
  assert_equals(h.get('c'), 'undefined');
  assert_equals(h.get('d'), 'D');
}, 'Values are converted with ToString');

test(() => {
  const record = {};
  Object.defineProperty(record, 'hidden', { value: 'x', enumerable: false });
  record.shown = 'y';
  const h = new Headers(record);
  assert_false(h.has('hidden'));
  assert_true(h.has('shown'));
}, 'A record takes enumerable own properties only');

test(() => {
  const h = new Headers([['accept', 'a'], ['x-b', 'b'], ['X-B', 'c'], ['content-type', 'd']]);
  assert_array_equals([...h].map((p) => p[0]), ['accept', 'content-type', 'x-b']);
  assert_equals(h.get('x-b'), 'b, c');
}, 'Sorting is by byte value of the lowercased names');

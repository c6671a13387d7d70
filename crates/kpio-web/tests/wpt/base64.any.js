// META: global=window,worker
// META: title=atob() and btoa() (HTML, forgiving-base64)
'use strict';

const decodes = [
  ['', ''], ['YQ==', 'a'], ['YQ', 'a'], ['YWI=', 'ab'], ['YWI', 'ab'], ['YWJj', 'abc'],
  [' YQ = = ', 'a'], ['Y\tW\nJ\fj\r', 'abc'], ['/+8=', '\xff\xef'], ['AAEC', '\x00\x01\x02'],
  ['YR==', 'a'],
];
for (const [input, output] of decodes) {
  test(() => assert_equals(atob(input), output), `atob(${JSON.stringify(input)})`);
}

const bad = ['!', 'Y', 'YQ=', 'YQ===', 'Y=Q=', '=YQ', 'YQ==YQ==', 'YQ\u00a0', '\u0100'];
for (const input of bad) {
  test(() => {
    assert_throws_dom('InvalidCharacterError', () => atob(input));
  }, `atob(${JSON.stringify(input)}) throws InvalidCharacterError`);
}

test(() => {
  assert_equals(btoa(''), '');
  assert_equals(btoa('a'), 'YQ==');
  assert_equals(btoa('ab'), 'YWI=');
  assert_equals(btoa('abc'), 'YWJj');
  assert_equals(btoa('\xff\xef'), '/+8=');
  assert_equals(btoa('\x00'), 'AA==');
}, 'btoa of Latin-1 strings');

test(() => {
  assert_throws_dom('InvalidCharacterError', () => btoa('\u0100'));
  assert_throws_dom('InvalidCharacterError', () => btoa('\u{1F600}'));
}, 'btoa of a code unit above 0xFF throws InvalidCharacterError');

test(() => {
  assert_equals(btoa(null), 'bnVsbA==');
  assert_equals(btoa(12), 'MTI=');
  assert_equals(atob(undefined === undefined ? 'dW5kZWZpbmVk' : ''), 'undefined');
  assert_throws_dom('InvalidCharacterError', () => atob(undefined));
  assert_throws_js(TypeError, () => atob(Symbol('s')));
}, 'Arguments are converted with ToString');

test(() => {
  assert_throws_js(TypeError, () => atob());
  assert_throws_js(TypeError, () => btoa());
  assert_equals(atob.length, 1);
  assert_equals(btoa.length, 1);
}, 'One argument is required');

test(() => {
  for (let i = 0; i < 256; i++) {
    const s = String.fromCharCode(i, (i * 7) & 255, (i * 13) & 255);
    assert_equals(atob(btoa(s)), s);
  }
}, 'atob(btoa(s)) is s for Latin-1 strings');

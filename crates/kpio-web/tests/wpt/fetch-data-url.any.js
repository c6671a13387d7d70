// META: global=window,worker
// The Fetch Standard's data: URL processor (section 4.2's scheme fetch for "data"): the
// MIME type (parsed and serialized as MIME Sniffing says, text/plain;charset=US-ASCII
// when it does not parse), percent-decoding, the ";base64" rule and forgiving-base64.
'use strict';

// [URL, Content-Type (null: a network error), body as Latin-1 text of its bytes]
const CASES = [
  ['data:,', 'text/plain;charset=US-ASCII', ''],
  ['data:,hello', 'text/plain;charset=US-ASCII', 'hello'],
  ['data:,a,b', 'text/plain;charset=US-ASCII', 'a,b'],
  ['data:,a%2Cb%20c', 'text/plain;charset=US-ASCII', 'a,b c'],
  ['data:,%', 'text/plain;charset=US-ASCII', '%'],
  ['data:,%zz%4', 'text/plain;charset=US-ASCII', '%zz%4'],
  ['data:,%e2%82%AC', 'text/plain;charset=US-ASCII', '\u00e2\u0082\u00ac'],
  ['data:,\u20ac', 'text/plain;charset=US-ASCII', '\u00e2\u0082\u00ac'],
  ['data:,x#fragment', 'text/plain;charset=US-ASCII', 'x'],
  ['data:text/html,<b>', 'text/html', '<b>'],
  ['data:TEXT/HTML,x', 'text/html', 'x'],
  ['data: text/plain ,x', 'text/plain', 'x'],
  ['data:text/plain;charset=UTF-8,x', 'text/plain;charset=UTF-8', 'x'],
  ['data:text/plain;Charset=utf-8,x', 'text/plain;charset=utf-8', 'x'],
  ['data:text/plain;A=B,x', 'text/plain;a=B', 'x'],
  ['data:text/plain;a=1;a=2,x', 'text/plain;a=1', 'x'],
  ['data:text/plain;a;b=c,x', 'text/plain;b=c', 'x'],
  ['data:text/plain;charset=,x', 'text/plain', 'x'],
  ['data:text/plain;charset="utf-8",x', 'text/plain;charset=utf-8', 'x'],
  ['data:text/plain;a="b c",x', 'text/plain;a="b c"', 'x'],
  ['data:text/plain;a="b\\"c",x', 'text/plain;a="b\\"c"', 'x'],
  ['data:text/plain;a=b@c,x', 'text/plain;a="b@c"', 'x'],
  ['data:text/plain;a=\u00e9,x', 'text/plain;a=%C3%A9', 'x'],
  ['data:text/plain;a="unterminated,x', 'text/plain;a=unterminated', 'x'],
  ['data:;charset=utf-8,x', 'text/plain;charset=utf-8', 'x'],
  ['data:text,x', 'text/plain;charset=US-ASCII', 'x'],
  ['data:text/,x', 'text/plain;charset=US-ASCII', 'x'],
  ['data:/plain,x', 'text/plain;charset=US-ASCII', 'x'],
  ['data:text/pl@in,x', 'text/plain;charset=US-ASCII', 'x'],
  ['data:text/plain;base64,aGk=', 'text/plain', 'hi'],
  ['data:text/plain;BASE64,aGk=', 'text/plain', 'hi'],
  ['data:text/plain; base64,aGk=', 'text/plain', 'hi'],
  ['data:text/plain;base64 ,aGk=', 'text/plain', 'hi'],
  ['data:;base64,aGk=', 'text/plain;charset=US-ASCII', 'hi'],
  ['data:base64,aGk=', 'text/plain;charset=US-ASCII', 'aGk='],
  ['data:text/plain;base64;x=y,aGk=', 'text/plain;x=y', 'aGk='],
  ['data:text/plain;x=base64,aGk=', 'text/plain;x=base64', 'aGk='],
  ['data:text/plain;charset=utf-8;base64,4oKs', 'text/plain;charset=utf-8', '\u00e2\u0082\u00ac'],
  ['data:;base64,aGk', 'text/plain;charset=US-ASCII', 'hi'],
  ['data:;base64,aG k=', 'text/plain;charset=US-ASCII', 'hi'],
  ['data:;base64,aG%0Ak%09=', 'text/plain;charset=US-ASCII', 'hi'],
  ['data:;base64,%61%47%6b%3d', 'text/plain;charset=US-ASCII', 'hi'],
  ['data:;base64,aGk=#frag', 'text/plain;charset=US-ASCII', 'hi'],
  ['data:;base64,AP8A', 'text/plain;charset=US-ASCII', '\u0000\u00ff\u0000'],
  ['data:;base64,', 'text/plain;charset=US-ASCII', ''],
  ['data:;base64,aGk==', null],
  ['data:;base64,a', null],
  ['data:;base64,aG=k', null],
  ['data:;base64,a#b', null],
  ['data:;base64,a%2Bb*', null],
  ['data:text/plain', null],
  ['data:', null],
];

for (const [url, type, body] of CASES) {
  if (type === null) {
    promise_test(async (t) => {
      await promise_rejects_js(t, TypeError, fetch(url));
    }, `${JSON.stringify(url)}: a network error`);
  } else {
    promise_test(async () => {
      const r = await fetch(url);
      assert_equals(r.status, 200);
      assert_equals(r.headers.get('content-type'), type, 'Content-Type');
      const bytes = new Uint8Array(await r.arrayBuffer());
      let text = '';
      for (const b of bytes) text += String.fromCharCode(b);
      assert_equals(text, body, 'body bytes');
    }, `${JSON.stringify(url)}: ${type}`);
  }
}

promise_test(async () => {
  const r = await fetch('data:text/plain,abc#frag');
  assert_equals(r.statusText, 'OK');
  assert_equals(r.type, 'basic');
  assert_equals(r.url, 'data:text/plain,abc');
  assert_false(r.redirected);
  assert_array_equals([...r.headers.keys()], ['content-type']);
}, 'a data: response: 200 OK, basic, its URL without fragment, only Content-Type');

promise_test(async () => {
  const r = await fetch('data:text/plain;charset=iso-8859-1,%E9');
  assert_equals(await r.text(), '\ufffd', 'text() decodes UTF-8 whatever the charset');
}, 'text() of a data: URL ignores its charset');

promise_test(async () => {
  const r = await fetch('data:,posted', { method: 'POST', body: 'ignored' });
  assert_equals(await r.text(), 'posted');
}, 'any method fetches a data: URL');

promise_test(async () => {
  const r = await fetch('data:,x', { mode: 'no-cors' });
  assert_equals(r.type, 'basic');
  assert_equals(await r.text(), 'x');
}, 'a data: URL in no-cors mode is a basic response');

promise_test(async () => {
  const bytes = new Uint8Array(100000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  const r = await fetch('data:application/octet-stream;base64,' + btoa(bin));
  const got = new Uint8Array(await r.arrayBuffer());
  assert_equals(got.length, bytes.length);
  for (let i = 0; i < got.length; i += 997) assert_equals(got[i], bytes[i]);
}, 'a 100 kB base64 data: URL');

promise_test(async () => {
  const r = await fetch(new Request('data:,from-a-request'));
  assert_equals(await r.text(), 'from-a-request');
}, 'a Request for a data: URL');

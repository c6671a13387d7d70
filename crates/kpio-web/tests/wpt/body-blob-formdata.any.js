// META: global=window,worker
// META: title=Blob and FormData bodies, blob() and formData() (Fetch Standard, section 5)
'use strict';

const URL1 = 'https://example.test/upload';
const MULTIPART = 'multipart/form-data; boundary=';
const enc = (s) => new TextEncoder().encode(s);
const dec = (b) => new TextDecoder().decode(b);
const entriesOf = (fd) => [...fd].map(([k, v]) => [k, typeof v === 'string' ? v : `File:${v.name}:${v.type}:${v.size}`]);
// Compares the entries of `fd` with [name, value] pairs (a File as the string above).
function assert_entries(fd, expected) {
  assert_array_equals(entriesOf(fd).map((e) => JSON.stringify(e)), expected.map((e) => JSON.stringify(e)));
}

// The boundary a multipart/form-data body's Content-Type names.
function boundaryOf(headers) {
  const ct = headers.get('content-type');
  assert_true(ct.startsWith(MULTIPART), `content type ${ct}`);
  return ct.slice(MULTIPART.length);
}

// formData() of `body` with a Content-Type.
function parse(body, type = 'multipart/form-data; boundary=BB') {
  return new Response(body, { headers: { 'Content-Type': type } }).formData();
}
const part = (disposition, content = 'x', extra = '') =>
  `--BB\r\nContent-Disposition: ${disposition}\r\n${extra}\r\n${content}\r\n--BB--\r\n`;

// ---------------------------------------------------------------------------------
// Blob bodies
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const r = new Response(new Blob(['h\u00e9llo'], { type: 'Text/Plain;Charset=UTF-8' }));
  assert_equals(r.headers.get('content-type'), 'text/plain;charset=utf-8');
  assert_equals(await r.text(), 'h\u00e9llo');
}, 'A Blob body gives its bytes, and its type as the Content-Type');

test(() => {
  assert_equals(new Response(new Blob(['a'])).headers.get('content-type'), null);
  assert_false(new Response(new Blob(['a'])).headers.has('content-type'));
}, 'An untyped Blob body adds no Content-Type');

test(() => {
  const r = new Response(new Blob(['a'], { type: 'a/b' }), { headers: { 'Content-Type': 'x/y' } });
  assert_equals(r.headers.get('content-type'), 'x/y');
}, "A Content-Type given in the headers wins over the Blob's type");

promise_test(async () => {
  const req = new Request(URL1, { method: 'POST', body: new Blob(['abc'], { type: 'a/b' }) });
  assert_equals(req.headers.get('content-type'), 'a/b');
  assert_equals(await req.text(), 'abc');
}, 'A Request can have a Blob body');

promise_test(async () => {
  const file = new File(['data'], 'f.bin', { type: 'application/octet-stream' });
  const r = new Response(file);
  assert_equals(r.headers.get('content-type'), 'application/octet-stream');
  assert_equals(await r.text(), 'data');
}, 'A File body is a Blob body');

promise_test(async () => {
  const r = new Response(new Blob(['0123456789']).slice(2, 5));
  assert_equals(await r.text(), '234');
}, 'A sliced Blob body gives only its bytes');

promise_test(async () => {
  const r = new Response(new Blob(['abcdef']));
  assert_true(r.body instanceof ReadableStream);
  const reader = r.body.getReader({ mode: 'byob' });
  const { value } = await reader.read(new Uint8Array(4));
  assert_equals(dec(value), 'abcd');
}, "A Blob body's stream is a byte stream");

promise_test(async () => {
  const r1 = new Response(new Blob(['shared']));
  const r2 = r1.clone();
  assert_equals(await r1.text(), 'shared');
  assert_equals(await r2.text(), 'shared');
  const req = new Request(URL1, { method: 'PUT', body: new Blob(['again']) });
  const req2 = new Request(req);
  assert_true(req.bodyUsed);
  assert_equals(await req2.text(), 'again');
}, 'Blob bodies clone and move into a new Request as other bodies do');

test(() => {
  assert_throws_js(TypeError, () => new Request(URL1, { body: new Blob(['a']) }));
  assert_throws_js(TypeError, () => new Response(new Blob(['a']), { status: 204 }));
}, 'A Blob is a body: not allowed for GET or a null body status');

promise_test(async () => {
  const big = new Uint8Array(300000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 256;
  const r = new Response(new Blob([big]));
  const back = new Uint8Array(await r.arrayBuffer());
  assert_equals(back.length, big.length);
  let same = true;
  for (let i = 0; i < big.length; i++) if (back[i] !== big[i]) { same = false; break; }
  assert_true(same);
}, 'A large Blob body reads back whole');

// ---------------------------------------------------------------------------------
// blob()
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const r = new Response('h\u00e9');
  const b = await r.blob();
  assert_true(b instanceof Blob);
  assert_false(b instanceof File);
  assert_equals(b.type, 'text/plain;charset=utf-8');
  assert_equals(b.size, 3);
  assert_equals(await b.text(), 'h\u00e9');
  assert_true(r.bodyUsed);
}, 'blob() gives the bytes, typed with the MIME type of the body');

promise_test(async () => {
  assert_equals((await new Response(new Uint8Array([1])).blob()).type, '');
  assert_equals((await new Response().blob()).size, 0);
  assert_equals((await new Response().blob()).type, '');
  const r = new Response('x', { headers: { 'Content-Type': 'a/b' } });
  r.headers.delete('content-type');
  assert_equals((await r.blob()).type, '');
}, 'blob() of a body without a Content-Type is untyped');

promise_test(async () => {
  const r = new Response('x', { headers: { 'Content-Type': 'test/one' } });
  r.headers.set('Content-Type', 'test/two');
  assert_equals((await r.blob()).type, 'test/two');
  const req = new Request(URL1, { method: 'POST', body: 'x', headers: { 'Content-Type': 'test/three' } });
  assert_equals((await req.blob()).type, 'test/three');
}, 'blob() reads the Content-Type when the body is read');

promise_test(async () => {
  const type = async (ct) => (await new Response('', { headers: [['Content-Type', ct]] }).blob()).type;
  assert_equals(await type('Text/HTML ; Charset="UTF-8"; X=Y'), 'text/html;charset=utf-8;x=y');
  assert_equals(await type('text/plain;charset=gbk, text/html'), 'text/html');
  assert_equals(await type('text/html;charset=gbk, text/html'), 'text/html;charset=gbk');
  assert_equals(await type('text/html;charset=gbk, */*'), 'text/html;charset=gbk');
  assert_equals(await type('nonsense'), '');
  assert_equals(await type('text/plain;a="b,c"'), 'text/plain;a="b,c"');
}, 'blob() types the Blob with the extracted MIME type, serialized (a Blob type is lowercase)');

promise_test(async () => {
  const r = new Response('x', { headers: [['Content-Type', 'a/b'], ['Content-Type', 'c/d;charset=x']] });
  assert_equals((await r.blob()).type, 'c/d;charset=x');
}, 'blob() combines several Content-Type headers as "extract a MIME type" says');

promise_test(async (t) => {
  const r = new Response('x');
  await r.text();
  await promise_rejects_js(t, TypeError, r.blob());
  await promise_rejects_js(t, TypeError, Response.prototype.blob.call({}));
  await promise_rejects_js(t, TypeError, Request.prototype.blob.call(new Response('x')));
}, 'blob() rejects on a used body or a wrong this');

promise_test(async () => {
  const r = new Response(new ReadableStream({
    start(c) { c.enqueue(enc('ab')); c.enqueue(enc('cd')); c.close(); },
  }));
  const b = await r.blob();
  assert_equals(await b.text(), 'abcd');
}, 'blob() of a stream body');

// ---------------------------------------------------------------------------------
// FormData bodies: HTML's multipart/form-data encoding algorithm
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const fd = new FormData();
  fd.append('field', 'value');
  fd.append('file', new File(['file bits'], 'a.txt', { type: 'text/plain' }));
  const r = new Response(fd);
  const boundary = boundaryOf(r.headers);
  assert_equals(await r.text(),
    `--${boundary}\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile bits\r\n` +
    `--${boundary}--\r\n`);
}, 'A FormData body is multipart/form-data, its Content-Type naming the boundary');

test(() => {
  const boundary = boundaryOf(new Response(new FormData()).headers);
  // RFC 2046's bchars that are also token characters (so no quotes are needed).
  assert_regexp_match(boundary, /^[0-9A-Za-z'+_\-.]{1,70}$/);
}, "The boundary is 1 to 70 of RFC 2046's bchars, needing no quotes");

promise_test(async () => {
  const r = new Response(new FormData());
  const boundary = boundaryOf(r.headers);
  assert_equals(await r.text(), `--${boundary}--\r\n`);
}, 'An empty FormData is only the closing boundary');

promise_test(async () => {
  const fd = new FormData();
  fd.append('a\nb\rc\r\nd"e', 'v\nw\rx\r\ny');
  fd.append('f"\r\n', new File(['z'], 'x\ny"z\r.txt'));
  const r = new Response(fd);
  const boundary = boundaryOf(r.headers);
  assert_equals(await r.text(),
    `--${boundary}\r\nContent-Disposition: form-data; name="a%0D%0Ab%0D%0Ac%0D%0Ad%22e"\r\n\r\nv\r\nw\r\nx\r\ny\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="f%22%0D%0A"; filename="x%0Ay%22z%0D.txt"\r\nContent-Type: application/octet-stream\r\n\r\nz\r\n` +
    `--${boundary}--\r\n`);
}, 'Names and string values get CR LF newlines; names and filenames escape CR, LF and " as %0D, %0A, %22');

promise_test(async () => {
  const fd = new FormData();
  fd.append('\u00e9', '\u{1F600}');
  fd.append('b', new Blob([new Uint8Array([0, 0xff])]), '\u00fc.bin');
  const r = new Response(fd);
  const boundary = boundaryOf(r.headers);
  const expected = [
    ...enc(`--${boundary}\r\nContent-Disposition: form-data; name="\u00e9"\r\n\r\n\u{1F600}\r\n`),
    ...enc(`--${boundary}\r\nContent-Disposition: form-data; name="b"; filename="\u00fc.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    0, 0xff,
    ...enc(`\r\n--${boundary}--\r\n`),
  ];
  assert_array_equals(Array.from(new Uint8Array(await r.arrayBuffer())), expected);
}, 'Everything is UTF-8; file bytes are copied as they are; an untyped file is application/octet-stream');

promise_test(async () => {
  const fd = new FormData();
  fd.append('a', '1');
  const r = new Response(fd);
  fd.append('b', '2');
  fd.set('a', 'changed');
  const back = await r.formData();
  assert_entries(back, [['a', '1']]);
}, 'A FormData body is the entry list when the body was made');

promise_test(async () => {
  const fd = new FormData();
  fd.append('x', 'y');
  const req = new Request(URL1, { method: 'POST', body: fd });
  assert_true(req.headers.get('content-type').startsWith(MULTIPART));
  const back = await req.formData();
  assert_equals(back.get('x'), 'y');
  const explicit = new Request(URL1, { method: 'POST', body: fd, headers: { 'Content-Type': 'text/plain' } });
  assert_equals(explicit.headers.get('content-type'), 'text/plain');
}, 'A Request can have a FormData body; an explicit Content-Type is kept');

// ---------------------------------------------------------------------------------
// formData(): round trips
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const fd = new FormData();
  fd.append('a', '1');
  fd.append('file', new File(['hello'], 'h.txt', { type: 'text/plain' }));
  fd.append('a', '2');
  fd.append('blob', new Blob([new Uint8Array([1, 2, 3])]));
  fd.append('\u00e9\u{1F600}', 'caf\u00e9');
  const back = await new Response(fd).formData();
  assert_true(back instanceof FormData);
  assert_not_equals(back, fd);
  assert_entries(back, [
    ['a', '1'], ['file', 'File:h.txt:text/plain:5'], ['a', '2'],
    ['blob', 'File:blob:application/octet-stream:3'], ['\u00e9\u{1F600}', 'caf\u00e9'],
  ]);
  const file = back.get('file');
  assert_true(file instanceof File);
  assert_equals(await file.text(), 'hello');
  assert_equals(typeof file.lastModified, 'number');
  assert_array_equals(Array.from(await back.get('blob').bytes()), [1, 2, 3]);
}, 'formData() reads back a FormData body: order, duplicates, Files and their types');

promise_test(async () => {
  const fd = new FormData();
  fd.append('q"uote', 'v');
  fd.append('f', new File(['x'], 'we"ird\nname\r.txt'));
  fd.append('path', new File(['y'], 'C:\\fakepath\\a.txt'));
  const back = await new Response(fd).formData();
  assert_entries(back, [
    ['q"uote', 'v'], ['f', 'File:we"ird\nname\r.txt:application/octet-stream:1'],
    ['path', 'File:C:\\fakepath\\a.txt:application/octet-stream:1'],
  ]);
}, 'Names and filenames with quotes, newlines and backslashes come back unchanged');

promise_test(async () => {
  const fd = new FormData();
  fd.append('a\nb', 'c\rd\ne');
  const back = await new Response(fd).formData();
  assert_entries(back, [['a\r\nb', 'c\r\nd\r\ne']]);
}, 'Newlines in names and string values come back as CR LF');

promise_test(async () => {
  const bytes = new Uint8Array(1000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256;
  const tail = '\r\n--not-the-boundary\r\n';
  const fd = new FormData();
  fd.append('bin', new Blob([bytes, enc(tail)]), 'b.bin');
  const back = await new Response(fd).formData();
  const got = new Uint8Array(await back.get('bin').arrayBuffer());
  assert_equals(got.length, bytes.length + tail.length);
  assert_array_equals(Array.from(got.slice(0, 1000)), Array.from(bytes));
  assert_equals(dec(got.slice(1000)), tail);
}, 'Binary file contents come back byte for byte');

promise_test(async () => {
  const back = await new Response(new FormData()).formData();
  assert_array_equals([...back], []);
}, 'An empty FormData comes back empty');

// ---------------------------------------------------------------------------------
// formData(): application/x-www-form-urlencoded
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const back = await parse('a=b&c=d+e&%C3%A9=%FF&&f&=g', 'application/x-www-form-urlencoded');
  assert_entries(back, [['a', 'b'], ['c', 'd e'], ['\u00e9', '\ufffd'], ['f', ''], ['', 'g']]);
}, 'formData() parses application/x-www-form-urlencoded bodies');

promise_test(async () => {
  const back = await parse('?a=b', 'Application/X-WWW-Form-URLEncoded; charset=utf-8');
  assert_entries(back, [['?a', 'b']]);
  const bom = await parse('\ufeffa=b', 'application/x-www-form-urlencoded');
  assert_entries(bom, [['\ufeffa', 'b']]);
}, 'The urlencoded parser keeps a leading ? and a BOM, and ignores the MIME type parameters');

promise_test(async () => {
  const params = new URLSearchParams([['x', '1 2'], ['y', '\u00e9&=']]);
  const back = await new Response(params).formData();
  assert_entries(back, [['x', '1 2'], ['y', '\u00e9&=']]);
  const req = new Request(URL1, { method: 'POST', body: params });
  assert_entries(await req.formData(), [['x', '1 2'], ['y', '\u00e9&=']]);
}, 'formData() reads back a URLSearchParams body');

// ---------------------------------------------------------------------------------
// formData(): failures
// ---------------------------------------------------------------------------------

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, parse('a=b', 'text/plain'));
  await promise_rejects_js(t, TypeError, new Response('a=b').formData());
  await promise_rejects_js(t, TypeError, parse('--BB--\r\n', 'multipart/mixed; boundary=BB'));
  await promise_rejects_js(t, TypeError, parse('a=b', 'nonsense'));
  const r = new Response('a=b');
  r.headers.delete('content-type');
  await promise_rejects_js(t, TypeError, r.formData());
  assert_true(r.bodyUsed);
}, 'formData() of another MIME type rejects with TypeError, after reading the body');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, parse(part('form-data; name="a"'), 'multipart/form-data'));
  await promise_rejects_js(t, TypeError, parse(part('form-data; name="a"'), 'multipart/form-data; boundary=""'));
}, 'A multipart/form-data body needs a boundary');

promise_test(async (t) => {
  const r = new Response('x');
  await r.text();
  await promise_rejects_js(t, TypeError, r.formData());
  await promise_rejects_js(t, TypeError, Response.prototype.formData.call({}));
}, 'formData() rejects on a used body or a wrong this');

promise_test(async () => {
  const back = await parse('a=1&a=2', 'text/plain, application/x-www-form-urlencoded');
  assert_entries(back, [['a', '1'], ['a', '2']]);
}, 'formData() takes the MIME type "extract a MIME type" gives (the last valid one)');

// ---------------------------------------------------------------------------------
// formData(): parsing multipart/form-data
// ---------------------------------------------------------------------------------

promise_test(async () => {
  const back = await parse(
    '--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n' +
    '--BB\r\nContent-Disposition: form-data; name="f"; filename="f.txt"\r\n\r\nfile\r\n' +
    '--BB\r\nContent-Disposition: form-data; name="g"; filename="g.png"\r\nContent-Type: image/png\r\n\r\nPNG\r\n' +
    '--BB--\r\n');
  assert_entries(back, [['a', 'x'], ['f', 'File:f.txt:text/plain:4'], ['g', 'File:g.png:image/png:3']]);
}, 'A part with a filename is a File, text/plain unless it has a Content-Type (RFC 7578, 4.4)');

promise_test(async () => {
  const back = await parse(part('form-data; name="a"; filename=""'));
  assert_entries(back, [['a', 'File::text/plain:1']]);
}, 'An empty filename still makes a File');

promise_test(async () => {
  const back = await parse(part('form-data; name="a"; filename="f"', 'x', 'Content-Type: Text/HTML; Charset=UTF-8\r\n'));
  assert_equals(back.get('a').type, 'text/html; charset=utf-8');
  const bad = await parse(part('form-data; name="a"; filename="f"', 'x', 'Content-Type: a/\u00e9\r\n'));
  assert_equals(bad.get('a').type, '');
}, "A part's Content-Type becomes a Blob type (ASCII lowercase, empty if not printable ASCII)");

promise_test(async () => {
  const back = await parse(part('form-data; name="a"', '\ufeffx\u00e9'));
  assert_equals(back.get('a'), '\ufeffx\u00e9');
  const bytes = [...enc('--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\n'), 0xff, 0x61, ...enc('\r\n--BB--\r\n')];
  const bad = await parse(new Uint8Array(bytes));
  assert_equals(bad.get('a'), '\ufffda');
}, 'String values are UTF-8 decoded without BOM handling: a BOM is kept, bad bytes are U+FFFD');

promise_test(async () => {
  const back = await parse(part('form-data; name="a"', 'x\r\ny--BB z\r\n\r\n'));
  assert_equals(back.get('a'), 'x\r\ny--BB z\r\n\r\n');
  const empty = await parse(part('form-data; name="a"', ''));
  assert_equals(empty.get('a'), '');
}, 'Content ends only at CR LF and the boundary');

promise_test(async () => {
  const back = await parse('--BB--\r\n');
  assert_array_equals([...back], []);
  const noCRLF = await parse('--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--BB--');
  assert_equals(noCRLF.get('a'), 'x');
}, 'The closing boundary ends the body, with or without a CR LF after it');

promise_test(async () => {
  const back = await parse('preamble text\r\n--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--BB--\r\nepilogue text');
  assert_equals(back.get('a'), 'x');
}, 'A preamble and an epilogue are skipped (RFC 2046, 5.1.1)');

promise_test(async () => {
  const back = await parse('--BB \t\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--BB--\r\n');
  assert_equals(back.get('a'), 'x');
}, 'Whitespace after a boundary is skipped (RFC 2046 transport padding)');

promise_test(async () => {
  const back = await parse('--B B\r\n' + 'Content-Disposition: form-data; name="a"\r\n\r\nx\r\n--B B--\r\n', 'multipart/form-data; boundary="B B"');
  assert_equals(back.get('a'), 'x');
  const upper = await parse(part('form-data; name="a"'), 'Multipart/Form-Data; BOUNDARY=BB');
  assert_equals(upper.get('a'), 'x');
}, 'The boundary parameter may be quoted, and MIME type and parameter names are not case-sensitive');

promise_test(async () => {
  const back = await parse(
    '--BB\r\ncontent-disposition: form-data; name="a"\r\nX-Other: ignored\r\ncontent-type: text/plain; charset=utf-8\r\n\r\nx\r\n--BB--\r\n');
  assert_equals(back.get('a'), 'x');
}, 'Header names are not case-sensitive; other headers are ignored; a string part ignores its Content-Type');

promise_test(async () => {
  const cases = [
    ['form-data; name=a', 'a'],
    ['form-data;name="a"', 'a'],
    ['form-data ;  name = "a"', 'a'],
    ['Form-Data; NAME="a"', 'a'],
    ['form-data; filename="f"; name="a"', 'a'],
  ];
  for (const [disposition, name] of cases) {
    const back = await parse(part(disposition));
    assert_array_equals([...back.keys()], [name], disposition);
  }
}, 'Content-Disposition: a case-insensitive type, parameters in any order, quoted or not (RFC 2183)');

promise_test(async () => {
  const back = await parse(part('form-data; name="a%22b%0Ac%0Dd%41"; filename="f%22%0A.txt"'));
  assert_entries(back, [['a"b\nc\rd%41', 'File:f"\n.txt:text/plain:1']]);
}, 'The escapes of the encoding algorithm (%0A, %0D, %22) are undone; no other');

promise_test(async () => {
  const back = await parse(part('form-data; name="a\\b"; filename="C:\\x\\y.txt"'));
  assert_entries(back, [['a\\b', 'File:C:\\x\\y.txt:text/plain:1']]);
}, 'A backslash in a quoted value is kept as it is');

promise_test(async () => {
  const back = await parse(part('form-data; name="a"; filename*=UTF-8\'\'f%C3%A9'));
  assert_equals(back.get('a'), 'x');
}, 'filename* is not a filename (RFC 7578, 4.2)');

promise_test(async () => {
  const back = await parse(part('form-data; name="\u00e9"; filename="\u{1F600}.txt"'));
  assert_entries(back, [['\u00e9', 'File:\u{1F600}.txt:text/plain:1']]);
}, 'Names and filenames are UTF-8');

promise_test(async (t) => {
  const bad = [
    ['empty body', ''],
    ['no boundary at all', 'just text'],
    ['no closing boundary', '--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--BB\r\n'],
    ['cut short in the content', '--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\nx'],
    ['cut short in the headers', '--BB\r\nContent-Disposition: form-data; name="a"\r\n'],
    ['no Content-Disposition', '--BB\r\nContent-Type: text/plain\r\n\r\nx\r\n--BB--\r\n'],
    ['no name', part('form-data; filename="f"')],
    ['not form-data', part('attachment; name="a"')],
    ['an unterminated quoted value', part('form-data; name="a')],
    ['LF line breaks', '--BB\nContent-Disposition: form-data; name="a"\n\nx\n--BB--\n'],
    ['text after a boundary', '--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--BBX\r\n\r\n--BB--\r\n'],
    ['another boundary', part('form-data; name="a"').replace(/BB/g, 'CC')],
    ['a boundary in another case', part('form-data; name="a"').replace(/BB/g, 'bb')],
  ];
  for (const [what, body] of bad) {
    await promise_rejects_js(t, TypeError, parse(body), what);
  }
}, 'A body that is not multipart/form-data rejects with TypeError');

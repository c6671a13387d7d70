// META: global=window,worker
// META: title=TextEncoder and TextDecoder
//
// Written from the WHATWG Encoding Standard: labels, the UTF-8 decoder (with
// its error handling: one U+FFFD per maximal subpart), UTF-16LE/BE, BOM
// sniffing, streaming, TextEncoder.encodeInto, and the legacy encodings.
"use strict";

function bytes(...list) {
  return new Uint8Array(list);
}

function decode(label, byteList, options) {
  return new TextDecoder(label, options).decode(new Uint8Array(byteList));
}

function codePoints(str) {
  return Array.from(str, (c) => "U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0"));
}

// ---------------------------------------------------------------------------
// TextEncoder
// ---------------------------------------------------------------------------

test(() => {
  const encoder = new TextEncoder();
  assert_equals(encoder.encoding, "utf-8");
}, "TextEncoder.encoding is \"utf-8\"");

test(() => {
  assert_equals(new TextEncoder("utf-16le").encoding, "utf-8");
  assert_equals(new TextEncoder("nonsense").encoding, "utf-8");
}, "TextEncoder ignores constructor arguments");

test(() => {
  const result = new TextEncoder().encode("Hello, ~!");
  assert_true(result instanceof Uint8Array);
  assert_array_equals(result, [0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x2C, 0x20, 0x7E, 0x21]);
}, "encode() of ASCII");

test(() => {
  assert_array_equals(new TextEncoder().encode("\u00E9\u20AC\uFFFD"),
    [0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xEF, 0xBF, 0xBD]);
}, "encode() of BMP characters (2 and 3 bytes)");

test(() => {
  assert_array_equals(new TextEncoder().encode("\u{1F600}\u{10FFFF}"),
    [0xF0, 0x9F, 0x98, 0x80, 0xF4, 0x8F, 0xBF, 0xBF]);
}, "encode() of astral characters (4 bytes)");

test(() => {
  const encoder = new TextEncoder();
  assert_array_equals(encoder.encode("a\uD800b"), [0x61, 0xEF, 0xBF, 0xBD, 0x62], "lone high surrogate");
  assert_array_equals(encoder.encode("a\uDC00b"), [0x61, 0xEF, 0xBF, 0xBD, 0x62], "lone low surrogate");
  assert_array_equals(encoder.encode("\uDC00\uD800"), [0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD], "reversed pair");
  assert_array_equals(encoder.encode("\uD800"), [0xEF, 0xBF, 0xBD], "at the end");
}, "encode() replaces lone surrogates with U+FFFD");

test(() => {
  const encoder = new TextEncoder();
  assert_equals(encoder.encode().length, 0, "no argument");
  assert_equals(encoder.encode(undefined).length, 0, "undefined");
  assert_equals(encoder.encode("").length, 0, "empty string");
}, "encode() with no argument or undefined gives an empty Uint8Array");

test(() => {
  const encoder = new TextEncoder();
  assert_array_equals(encoder.encode(null), [0x6E, 0x75, 0x6C, 0x6C], "null");
  assert_array_equals(encoder.encode(12), [0x31, 0x32], "number");
  assert_array_equals(encoder.encode({ toString() { return "x"; } }), [0x78], "object");
}, "encode() converts its argument to a string");

test(() => {
  const encoder = new TextEncoder();
  assert_array_equals(encoder.encode("\u0000"), [0]);
  assert_array_equals(encoder.encode("\u007F\u0080\u07FF\u0800\uFFFF\u{10000}"),
    [0x7F, 0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80, 0xEF, 0xBF, 0xBF, 0xF0, 0x90, 0x80, 0x80]);
}, "encode() at the UTF-8 length boundaries");

test(() => {
  const dest = new Uint8Array(10);
  const result = new TextEncoder().encodeInto("hi\u00E9", dest);
  assert_equals(result.read, 3);
  assert_equals(result.written, 4);
  assert_array_equals(dest.subarray(0, 4), [0x68, 0x69, 0xC3, 0xA9]);
  assert_equals(dest[4], 0, "rest untouched");
  assert_array_equals(Object.keys(result).sort(), ["read", "written"]);
}, "encodeInto() returns { read, written }");

test(() => {
  const dest = new Uint8Array(3);
  const result = new TextEncoder().encodeInto("a\u20ACb", dest);
  assert_equals(result.read, 1, "the euro sign does not fit");
  assert_equals(result.written, 1);
  assert_array_equals(dest, [0x61, 0, 0]);
}, "encodeInto() never writes a partial code point");

test(() => {
  const result = new TextEncoder().encodeInto("\u{1F600}", new Uint8Array(3));
  assert_equals(result.read, 0);
  assert_equals(result.written, 0);
}, "encodeInto() with an astral character that does not fit");

test(() => {
  const dest = new Uint8Array(5);
  const result = new TextEncoder().encodeInto("\u{1F600}x", dest);
  assert_equals(result.read, 3, "read counts UTF-16 code units");
  assert_equals(result.written, 5);
  assert_array_equals(dest, [0xF0, 0x9F, 0x98, 0x80, 0x78]);
}, "encodeInto() read counts UTF-16 code units");

test(() => {
  const dest = new Uint8Array(8);
  const result = new TextEncoder().encodeInto("\uD800x", dest);
  assert_equals(result.read, 2);
  assert_equals(result.written, 4);
  assert_array_equals(dest.subarray(0, 4), [0xEF, 0xBF, 0xBD, 0x78]);
}, "encodeInto() writes U+FFFD for a lone surrogate");

test(() => {
  const buffer = new ArrayBuffer(8);
  const view = new Uint8Array(buffer, 2, 3);
  const result = new TextEncoder().encodeInto("abcd", view);
  assert_equals(result.read, 3);
  assert_equals(result.written, 3);
  assert_array_equals(new Uint8Array(buffer), [0, 0, 0x61, 0x62, 0x63, 0, 0, 0]);
}, "encodeInto() respects the view's offset and length");

test(() => {
  const result = new TextEncoder().encodeInto("abc", new Uint8Array(0));
  assert_equals(result.read, 0);
  assert_equals(result.written, 0);
  const empty = new TextEncoder().encodeInto("", new Uint8Array(4));
  assert_equals(empty.read, 0);
  assert_equals(empty.written, 0);
}, "encodeInto() with an empty destination or source");

test(() => {
  const encoder = new TextEncoder();
  assert_throws_js(TypeError, () => encoder.encodeInto("a", new Uint16Array(2)));
  assert_throws_js(TypeError, () => encoder.encodeInto("a", new ArrayBuffer(2)));
  assert_throws_js(TypeError, () => encoder.encodeInto("a", [0, 0]));
  assert_throws_js(TypeError, () => encoder.encodeInto("a"));
}, "encodeInto() requires a Uint8Array destination");

// ---------------------------------------------------------------------------
// TextDecoder: construction and labels
// ---------------------------------------------------------------------------

test(() => {
  const decoder = new TextDecoder();
  assert_equals(decoder.encoding, "utf-8");
  assert_false(decoder.fatal);
  assert_false(decoder.ignoreBOM);
}, "new TextDecoder() defaults");

test(() => {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  assert_true(decoder.fatal);
  assert_true(decoder.ignoreBOM);
  const converted = new TextDecoder("utf-8", { fatal: 1, ignoreBOM: "yes" });
  assert_true(converted.fatal, "converted to boolean");
  assert_true(converted.ignoreBOM, "converted to boolean");
}, "fatal and ignoreBOM options are reflected");

const LABELS = [
  ["utf-8", "utf-8"],
  ["UTF-8", "utf-8"],
  ["utf8", "utf-8"],
  ["unicode-1-1-utf-8", "utf-8"],
  ["unicode11utf8", "utf-8"],
  ["x-unicode20utf8", "utf-8"],
  ["latin1", "windows-1252"],
  ["ascii", "windows-1252"],
  ["us-ascii", "windows-1252"],
  ["iso-8859-1", "windows-1252"],
  ["ISO_8859-1", "windows-1252"],
  ["utf-16", "utf-16le"],
  ["utf-16le", "utf-16le"],
  ["unicode", "utf-16le"],
  ["utf-16be", "utf-16be"],
  ["unicodefffe", "utf-16be"],
  ["sjis", "shift_jis"],
  ["Shift_JIS", "shift_jis"],
  ["gb2312", "gbk"],
  ["x-gbk", "gbk"],
  ["gb18030", "gb18030"],
  ["big5", "big5"],
  ["euc-jp", "euc-jp"],
  ["euc-kr", "euc-kr"],
  ["koi8-r", "koi8-r"],
  ["cp1251", "windows-1251"],
  ["iso-8859-2", "iso-8859-2"],
];
for (const [label, encoding] of LABELS) {
  test(() => {
    assert_equals(new TextDecoder(label).encoding, encoding);
  }, `Label ${JSON.stringify(label)} is ${encoding}`);
}

test(() => {
  assert_equals(new TextDecoder(" UTF-8 ").encoding, "utf-8");
  assert_equals(new TextDecoder("\t\n\f\r utf8 \r\n").encoding, "utf-8");
  assert_equals(new TextDecoder("\tLATIN1\n").encoding, "windows-1252");
}, "Labels are ASCII case-insensitive and ASCII whitespace is trimmed");

test(() => {
  assert_throws_js(RangeError, () => new TextDecoder("\u00A0utf-8"));
  assert_throws_js(RangeError, () => new TextDecoder("\u000Butf-8"));
  assert_throws_js(RangeError, () => new TextDecoder("utf-8\u0000"));
}, "Only ASCII whitespace is trimmed (not NBSP, VT or NUL)");

test(() => {
  for (const label of ["foo", "", "utf-7", "utf-32", "utf 8", "utf-8x"]) {
    assert_throws_js(RangeError, () => new TextDecoder(label), JSON.stringify(label));
  }
}, "Unknown labels throw RangeError");

test(() => {
  for (const label of ["replacement", "iso-2022-kr", "hz-gb-2312", "iso-2022-cn", "csiso2022kr"]) {
    assert_throws_js(RangeError, () => new TextDecoder(label), label);
  }
}, "The replacement encoding and its labels throw RangeError");

test(() => {
  assert_equals(new TextDecoder(undefined).encoding, "utf-8");
  assert_throws_js(RangeError, () => new TextDecoder(null), "null becomes \"null\"");
}, "undefined label is utf-8, null is the label \"null\"");

test(() => {
  assert_throws_js(TypeError, () => TextDecoder());
  assert_throws_js(TypeError, () => TextEncoder());
}, "TextDecoder and TextEncoder need new");

// ---------------------------------------------------------------------------
// UTF-8 decoding
// ---------------------------------------------------------------------------

test(() => {
  assert_equals(decode("utf-8", [0x48, 0x69, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80]),
    "Hi\u00E9\u20AC\u{1F600}");
}, "UTF-8 decoding of 1-4 byte sequences");

test(() => {
  assert_equals(new TextDecoder().decode(), "");
  assert_equals(new TextDecoder().decode(undefined), "");
  assert_equals(new TextDecoder().decode(new Uint8Array(0)), "");
}, "decode() with no input returns the empty string");

const MALFORMED = [
  [[0x80], "\uFFFD", "a lone continuation byte"],
  [[0xC0], "\uFFFD", "C0 is never valid"],
  [[0xC0, 0x80], "\uFFFD\uFFFD", "overlong 2-byte NUL"],
  [[0xC2, 0x41], "\uFFFDA", "truncated 2-byte sequence followed by ASCII"],
  [[0xE2, 0x82], "\uFFFD", "truncated 3-byte sequence at the end: one U+FFFD"],
  [[0xE2, 0x82, 0x41], "\uFFFDA", "truncated 3-byte sequence followed by ASCII"],
  [[0xE0, 0x80, 0x80], "\uFFFD\uFFFD\uFFFD", "overlong 3-byte: E0 needs A0..BF"],
  [[0xED, 0xA0, 0x80], "\uFFFD\uFFFD\uFFFD", "encoded surrogate: ED needs 80..9F"],
  [[0xF0, 0x80, 0x80, 0x80], "\uFFFD\uFFFD\uFFFD\uFFFD", "overlong 4-byte: F0 needs 90..BF"],
  [[0xF4, 0x90, 0x80, 0x80], "\uFFFD\uFFFD\uFFFD\uFFFD", "above U+10FFFF: F4 needs 80..8F"],
  [[0xF0, 0x9F, 0x98, 0x41], "\uFFFDA", "truncated 4-byte sequence (3 bytes) followed by ASCII"],
  [[0xF0, 0x9F, 0x98], "\uFFFD", "truncated 4-byte sequence at the end"],
  [[0xF5, 0x80], "\uFFFD\uFFFD", "F5 is never valid"],
  [[0xFF, 0xFE], "\uFFFD\uFFFD", "FF and FE are never valid"],
  [[0xF8, 0x88, 0x80, 0x80, 0x80], "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD", "5-byte forms are invalid byte by byte"],
  [[0x41, 0xE2, 0x28, 0xA1], "A\uFFFD(\uFFFD", "an invalid second byte is not consumed"],
];
for (const [input, expected, description] of MALFORMED) {
  test(() => {
    const actual = decode("utf-8", input);
    assert_array_equals(codePoints(actual), codePoints(expected));
  }, `UTF-8 maximal subpart replacement: ${description}`);
}

test(() => {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  assert_throws_js(TypeError, () => decoder.decode(bytes(0xFF)));
  assert_throws_js(TypeError, () => decoder.decode(bytes(0xE2, 0x82)));
  assert_throws_js(TypeError, () => decoder.decode(bytes(0xED, 0xA0, 0x80)));
}, "fatal: invalid input throws TypeError");

test(() => {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  assert_equals(decoder.decode(bytes(0x41, 0xC3, 0xA9)), "A\u00E9");
}, "fatal: valid input decodes normally");

test(() => {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  assert_equals(decoder.decode(bytes(0xE2), { stream: true }), "");
  assert_throws_js(TypeError, () => decoder.decode(bytes(0x41)));
  assert_equals(decoder.decode(bytes(0x42)), "B", "the decoder can be used again after an error");
}, "fatal: the decoder is reset after an error");

test(() => {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  assert_equals(decoder.decode(bytes(0xE2, 0x82), { stream: true }), "");
  assert_throws_js(TypeError, () => decoder.decode(), "the end of the stream with a pending sequence is an error");
}, "fatal: a truncated sequence at the end of a stream throws");

// ---------------------------------------------------------------------------
// BOM handling
// ---------------------------------------------------------------------------

test(() => {
  assert_equals(decode("utf-8", [0xEF, 0xBB, 0xBF, 0x41]), "A");
}, "UTF-8: a leading BOM is removed");

test(() => {
  assert_equals(decode("utf-8", [0xEF, 0xBB, 0xBF, 0x41], { ignoreBOM: true }), "\uFEFFA");
}, "UTF-8: ignoreBOM keeps the BOM");

test(() => {
  assert_equals(decode("utf-8", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, 0x41]), "\uFEFFA", "only the first one");
  assert_equals(decode("utf-8", [0x41, 0xEF, 0xBB, 0xBF]), "A\uFEFF", "not at the start");
}, "UTF-8: only one BOM at the very start is removed");

test(() => {
  assert_equals(decode("utf-16le", [0xFF, 0xFE, 0x41, 0x00]), "A");
  assert_equals(decode("utf-16le", [0xFF, 0xFE, 0x41, 0x00], { ignoreBOM: true }), "\uFEFFA");
}, "UTF-16LE: BOM removed unless ignoreBOM");

test(() => {
  assert_equals(decode("utf-16be", [0xFE, 0xFF, 0x00, 0x41]), "A");
  assert_equals(decode("utf-16be", [0xFE, 0xFF, 0x00, 0x41], { ignoreBOM: true }), "\uFEFFA");
}, "UTF-16BE: BOM removed unless ignoreBOM");

test(() => {
  assert_equals(decode("utf-16be", [0xFF, 0xFE, 0x00, 0x41]), "\uFFFEA");
  assert_equals(decode("utf-16le", [0xFE, 0xFF, 0x41, 0x00]), "\uFFFEA");
  assert_equals(decode("utf-8", [0xFF, 0xFE, 0x41, 0x00]), "\uFFFD\uFFFDA\u0000");
}, "A BOM of another encoding is not a BOM (TextDecoder does not sniff)");

test(() => {
  const decoder = new TextDecoder();
  assert_equals(decoder.decode(bytes(0xEF), { stream: true }), "");
  assert_equals(decoder.decode(bytes(0xBB), { stream: true }), "");
  assert_equals(decoder.decode(bytes(0xBF, 0x41), { stream: true }), "A");
  assert_equals(decoder.decode(bytes(0xEF, 0xBB, 0xBF)), "\uFEFF", "a BOM later in the stream is kept");
}, "A BOM split across stream chunks is removed once");

test(() => {
  const decoder = new TextDecoder();
  assert_equals(decoder.decode(bytes(0xEF, 0xBB, 0xBF, 0x41)), "A");
  assert_equals(decoder.decode(bytes(0xEF, 0xBB, 0xBF, 0x42)), "B", "a new stream strips its BOM again");
}, "Each non-streaming decode() call is a new stream");

// ---------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------

test(() => {
  const decoder = new TextDecoder();
  assert_equals(decoder.decode(bytes(0xE2), { stream: true }), "");
  assert_equals(decoder.decode(bytes(0x82), { stream: true }), "");
  assert_equals(decoder.decode(bytes(0xAC)), "\u20AC");
}, "stream: a 3-byte sequence split over three calls");

test(() => {
  const decoder = new TextDecoder();
  const all = [0x41, 0xF0, 0x9F, 0x98, 0x80, 0x42];
  let out = "";
  for (const b of all) out += decoder.decode(bytes(b), { stream: true });
  out += decoder.decode();
  assert_equals(out, "A\u{1F600}B");
}, "stream: byte-by-byte decoding of a 4-byte sequence");

test(() => {
  const decoder = new TextDecoder();
  assert_equals(decoder.decode(bytes(0xE2, 0x82), { stream: true }), "");
  assert_equals(decoder.decode(), "\uFFFD", "flushing a pending sequence emits U+FFFD");
  assert_equals(decoder.decode(bytes(0x41)), "A", "then the decoder starts over");
}, "stream: the end of the stream flushes an incomplete sequence as U+FFFD");

test(() => {
  const decoder = new TextDecoder("utf-16le");
  assert_equals(decoder.decode(bytes(0x41), { stream: true }), "");
  assert_equals(decoder.decode(bytes(0x00, 0x3D), { stream: true }), "A");
  assert_equals(decoder.decode(bytes(0xD8), { stream: true }), "", "high surrogate pending");
  assert_equals(decoder.decode(bytes(0x00, 0xDE)), "\u{1F600}");
}, "stream: UTF-16LE split between bytes and between surrogates");

test(() => {
  const decoder = new TextDecoder();
  assert_equals(decoder.decode(bytes(0xC3), { stream: true }), "");
  assert_equals(decoder.decode(bytes(0x41), { stream: true }), "\uFFFDA");
}, "stream: an invalid continuation in the next chunk");

// ---------------------------------------------------------------------------
// UTF-16
// ---------------------------------------------------------------------------

test(() => {
  assert_equals(decode("utf-16le", [0x41, 0x00, 0xE9, 0x00, 0x3D, 0xD8, 0x00, 0xDE]), "A\u00E9\u{1F600}");
  assert_equals(decode("utf-16be", [0x00, 0x41, 0x00, 0xE9, 0xD8, 0x3D, 0xDE, 0x00]), "A\u00E9\u{1F600}");
}, "UTF-16LE and UTF-16BE decoding");

test(() => {
  assert_equals(decode("utf-16le", [0x41, 0x00, 0x42]), "A\uFFFD");
  assert_throws_js(TypeError, () => decode("utf-16le", [0x41, 0x00, 0x42], { fatal: true }));
}, "UTF-16: an odd trailing byte is U+FFFD (or an error when fatal)");

test(() => {
  assert_equals(decode("utf-16le", [0x00, 0xD8, 0x41, 0x00]), "\uFFFDA", "lone high surrogate");
  assert_equals(decode("utf-16le", [0x00, 0xDC, 0x41, 0x00]), "\uFFFDA", "lone low surrogate");
  assert_equals(decode("utf-16le", [0x00, 0xD8]), "\uFFFD", "high surrogate at the end");
}, "UTF-16: unpaired surrogates become U+FFFD");

// ---------------------------------------------------------------------------
// Input types
// ---------------------------------------------------------------------------

test(() => {
  const buffer = new Uint8Array([0x61, 0x62, 0x63]).buffer;
  assert_equals(new TextDecoder().decode(buffer), "abc");
}, "decode() accepts an ArrayBuffer");

test(() => {
  const buffer = new Uint8Array([0x78, 0x61, 0x62, 0x63, 0x78]).buffer;
  assert_equals(new TextDecoder().decode(new Uint8Array(buffer, 1, 3)), "abc");
  assert_equals(new TextDecoder().decode(new DataView(buffer, 1, 3)), "abc");
  assert_equals(new TextDecoder().decode(new Int8Array(buffer, 1, 3)), "abc");
}, "decode() uses only the bytes of a view (offset and length)");

test(() => {
  const u16 = new Uint16Array([0x6261, 0x6463]);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  assert_equals(new TextDecoder().decode(u16), little ? "abcd" : "badc");
  const f32 = new Float32Array(1);
  assert_equals(new TextDecoder("utf-16le").decode(f32), "\u0000\u0000");
}, "decode() accepts any ArrayBufferView, reading its bytes");

test(() => {
  assert_throws_js(TypeError, () => new TextDecoder().decode("abc"));
  assert_throws_js(TypeError, () => new TextDecoder().decode([0x61]));
  assert_throws_js(TypeError, () => new TextDecoder().decode({}));
}, "decode() rejects inputs that are not buffer sources");

test(() => {
  const decoder = new TextDecoder();
  const view = new Uint8Array([0x61, 0x62]);
  const text = decoder.decode(view);
  view[0] = 0x7A;
  assert_equals(text, "ab");
}, "decode() copies the input");

// ---------------------------------------------------------------------------
// Legacy single-byte encodings
// ---------------------------------------------------------------------------

test(() => {
  assert_array_equals(codePoints(decode("windows-1252", [0x80, 0x8A, 0x9F, 0x99])),
    ["U+20AC", "U+0160", "U+0178", "U+2122"]);
}, "windows-1252: 0x80 is the euro sign and 0x80-0x9F map to punctuation");

test(() => {
  assert_array_equals(codePoints(decode("windows-1252", [0x81, 0x8D, 0x8F, 0x90, 0x9D])),
    ["U+0081", "U+008D", "U+008F", "U+0090", "U+009D"]);
}, "windows-1252: the five unassigned bytes map to C1 controls");

test(() => {
  const all = [];
  for (let b = 0xA0; b <= 0xFF; b++) all.push(b);
  const text = decode("latin1", all);
  for (let i = 0; i < text.length; i++) {
    assert_equals(text.charCodeAt(i), 0xA0 + i);
  }
  assert_equals(decode("ascii", [0x00, 0x41, 0x7F]), "\u0000A\u007F");
}, "latin1 (windows-1252): 0x00-0x7F and 0xA0-0xFF map to the same code point");

test(() => {
  assert_array_equals(codePoints(decode("iso-8859-2", [0xA1, 0xB1, 0xE8])), ["U+0104", "U+0105", "U+010D"]);
}, "iso-8859-2 single-byte decoding");

test(() => {
  assert_array_equals(codePoints(decode("windows-1251", [0xC0, 0xE0, 0xA8])), ["U+0410", "U+0430", "U+0401"]);
  assert_array_equals(codePoints(decode("koi8-r", [0xC1, 0xE1])), ["U+0430", "U+0410"]);
}, "Cyrillic single-byte encodings");

test(() => {
  assert_throws_js(TypeError, () => decode("iso-8859-3", [0xA5], { fatal: true }), "unmapped byte with fatal");
  assert_equals(decode("iso-8859-3", [0xA5]), "\uFFFD", "unmapped byte is U+FFFD");
}, "An unmapped single-byte value is an error (U+FFFD)");

test(() => {
  const decoder = new TextDecoder("x-user-defined");
  assert_equals(decoder.encoding, "x-user-defined");
  assert_array_equals(codePoints(decoder.decode(bytes(0x41, 0x80, 0xFF))), ["U+0041", "U+F780", "U+F7FF"]);
}, "x-user-defined maps 0x80-0xFF to U+F780-U+F7FF");

// ---------------------------------------------------------------------------
// Legacy multi-byte encodings
// ---------------------------------------------------------------------------

test(() => {
  assert_equals(decode("shift_jis", [0x82, 0xA0, 0x93, 0xFA, 0x96, 0x7B, 0x41]), "\u3042\u65E5\u672CA");
}, "shift_jis: hiragana and kanji");

test(() => {
  assert_equals(decode("shift_jis", [0xB1]), "\uFF71", "half-width katakana");
  assert_equals(decode("shift_jis", [0x5C, 0x7E]), "\\~", "0x5C and 0x7E are ASCII");
}, "shift_jis: single bytes");

test(() => {
  assert_equals(decode("gbk", [0xC4, 0xE3, 0xBA, 0xC3]), "\u4F60\u597D");
  assert_equals(decode("gb18030", [0xC4, 0xE3, 0xBA, 0xC3]), "\u4F60\u597D");
}, "gbk / gb18030: two-byte characters");

test(() => {
  assert_equals(decode("gb18030", [0x81, 0x30, 0x81, 0x30]), "\u0080");
  assert_equals(decode("gb18030", [0x90, 0x30, 0x81, 0x30]), "\u{10000}");
}, "gb18030: four-byte sequences");

test(() => {
  assert_equals(decode("euc-jp", [0xA4, 0xA2, 0xC6, 0xFC]), "\u3042\u65E5");
  assert_equals(decode("euc-kr", [0xC7, 0xD1, 0xB1, 0xDB]), "\uD55C\uAE00");
  assert_equals(decode("big5", [0xA4, 0x40, 0xA4, 0x48]), "\u4E00\u4EBA");
}, "euc-jp, euc-kr and big5");

test(() => {
  assert_equals(decode("shift_jis", [0x82]), "\uFFFD", "truncated lead byte at the end");
  assert_throws_js(TypeError, () => decode("shift_jis", [0x82], { fatal: true }));
}, "shift_jis: a truncated sequence is an error");

test(() => {
  const decoder = new TextDecoder("shift_jis");
  assert_equals(decoder.decode(bytes(0x82), { stream: true }), "");
  assert_equals(decoder.decode(bytes(0xA0)), "\u3042");
}, "shift_jis: streaming across a split character");

// ---------------------------------------------------------------------------
// Interface shape
// ---------------------------------------------------------------------------

test(() => {
  for (const name of ["encoding", "fatal", "ignoreBOM"]) {
    const d = Object.getOwnPropertyDescriptor(TextDecoder.prototype, name);
    assert_not_equals(d, undefined, name);
    assert_equals(typeof d.get, "function", name);
    assert_equals(d.set, undefined, name);
  }
  const e = Object.getOwnPropertyDescriptor(TextEncoder.prototype, "encoding");
  assert_equals(typeof e.get, "function");
  assert_equals(Object.prototype.toString.call(new TextDecoder()), "[object TextDecoder]");
  assert_equals(Object.prototype.toString.call(new TextEncoder()), "[object TextEncoder]");
}, "TextDecoder and TextEncoder attributes are readonly accessors on the prototype");

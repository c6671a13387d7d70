// multipart/form-data: HTML's encoding algorithm (an entry list to bytes, UTF-8) and the
// parsing Fetch's formData() asks for "per the rules of RFC 7578", for the other prelude
// files (`internals.multipart`).
//
// Parsing follows RFC 7578 and RFC 2046 where they are clear, and Chromium where they
// leave error handling open: a preamble before the first boundary and an epilogue after
// the last are skipped, as is whitespace after a boundary; Content-Disposition's type
// and parameter names are not case-sensitive and its parameters come in any order,
// quoted or not (a repeated one: the last counts); header lines without a colon and
// headers other than Content-Disposition and Content-Type are ignored. Unlike Chromium,
// a quoted value has no backslash escapes and the encoder's escapes (%0A, %0D, %22) are
// decoded, so that what the encoder writes (a Windows path in a filename, a quote in a
// name) reads back unchanged. What does not parse is null (formData() makes it a
// TypeError).
//
// Needs blob.js (internals.blob); goes after it in src/prelude.rs.
(function (ops, internals) {
  'use strict';
  const B = internals.blob;
  const $Uint8Array = Uint8Array;
  const $TextDecoder = TextDecoder;
  const decode = $TextDecoder.prototype.decode;
  const mathRandom = Math.random;
  const mathFloor = Math.floor;
  const fromCharCode = String.fromCharCode;
  const TypedArrayPrototype = Object.getPrototypeOf($Uint8Array.prototype);
  const taByteLength = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'byteLength').get;
  const taBuffer = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer').get;
  const taByteOffset = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'byteOffset').get;
  const taSet = TypedArrayPrototype.set;
  const taIndexOf = TypedArrayPrototype.indexOf;
  const call = (fn, self, ...args) => Reflect.apply(fn, self, args);
  const lengthOf = (bytes) => call(taByteLength, bytes);
  const viewOf = (bytes, start, end) =>
    new $Uint8Array(call(taBuffer, bytes), call(taByteOffset, bytes) + start, end - start);

  // ---------------------------------------------------------------------------------
  // Encoding (HTML's "multipart/form-data encoding algorithm", with UTF-8).
  // ---------------------------------------------------------------------------------
  const BOUNDARY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // The boundary: 16 random letters and digits after a fixed prefix, as browsers make it.
  function newBoundary() {
    let out = '----KpioFormBoundary';
    for (let i = 0; i < 16; i++) out += BOUNDARY_CHARS[mathFloor(call(mathRandom, Math) * BOUNDARY_CHARS.length)];
    return out;
  }

  // A CR not followed by LF, and an LF not after a CR, become CR LF.
  function normalizeNewlines(s) {
    let out = '';
    let from = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x0d) {
        if (i + 1 < s.length && s.charCodeAt(i + 1) === 0x0a) {
          i++;
          continue;
        }
        out += `${s.slice(from, i)}\r\n`;
        from = i + 1;
      } else if (c === 0x0a) {
        out += `${s.slice(from, i)}\r\n`;
        from = i + 1;
      }
    }
    return from === 0 ? s : out + s.slice(from);
  }

  // A name or filename in a Content-Disposition header: LF, CR and `"` become %0A, %0D
  // and %22; nothing else is escaped.
  function escapeName(s) {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      out += c === '\n' ? '%0A' : c === '\r' ? '%0D' : c === '"' ? '%22' : c;
    }
    return out;
  }

  // The entry list ([name, string or File] pairs) as bytes: { bytes, boundary }.
  function encode(entries) {
    const boundary = newBoundary();
    const chunks = [];
    let total = 0;
    const push = (bytes) => {
      chunks[chunks.length] = bytes;
      total += lengthOf(bytes);
    };
    const text = (s) => push(ops.utf8Encode(s));
    for (let i = 0; i < entries.length; i++) {
      const name = entries[i][0];
      const value = entries[i][1];
      let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(normalizeNewlines(name))}"`;
      if (typeof value === 'string') {
        text(`${head}\r\n\r\n${normalizeNewlines(value)}\r\n`);
      } else {
        const type = B.typeOf(value);
        head += `; filename="${escapeName(B.nameOf(value))}"\r\nContent-Type: ${type === '' ? 'application/octet-stream' : type}\r\n\r\n`;
        text(head);
        push(B.bytesOf(value));
        text('\r\n');
      }
    }
    text(`--${boundary}--\r\n`);
    const bytes = new $Uint8Array(total);
    let offset = 0;
    for (let i = 0; i < chunks.length; i++) {
      call(taSet, bytes, chunks[i], offset);
      offset += lengthOf(chunks[i]);
    }
    return { bytes, boundary };
  }

  // ---------------------------------------------------------------------------------
  // Parsing.
  // ---------------------------------------------------------------------------------
  const CR = 0x0d;
  const LF = 0x0a;
  const DASH = 0x2d;

  // The first index >= from where `pattern` (an array of bytes) starts in `bytes`, or -1.
  function find(bytes, pattern, from) {
    const n = lengthOf(bytes);
    const m = pattern.length;
    for (let i = from; i <= n - m;) {
      i = call(taIndexOf, bytes, pattern[0], i);
      if (i < 0 || i > n - m) return -1;
      if (startsAt(bytes, pattern, i)) return i;
      i++;
    }
    return -1;
  }
  function startsAt(bytes, pattern, at) {
    if (at + pattern.length > lengthOf(bytes)) return false;
    for (let j = 0; j < pattern.length; j++) if (bytes[at + j] !== pattern[j]) return false;
    return true;
  }
  // Bytes as a string of code points U+0000 to U+00FF ("isomorphic decode").
  function isomorphic(bytes, start, end) {
    let out = '';
    for (let i = start; i < end; i += 8192) {
      out += Reflect.apply(fromCharCode, null, viewOf(bytes, i, i + 8192 < end ? i + 8192 : end));
    }
    return out;
  }
  // UTF-8 decode without BOM handling (one decoder serves a whole parse: a call that is
  // not streaming starts afresh).
  let decoder = null;
  const utf8 = (bytes) => call(decode, decoder, bytes);
  // A header parameter's value (an isomorphic string of the header's bytes): the
  // encoder's escapes undone, then UTF-8 decoded (lossily; a BOM is kept).
  function headerText(s) {
    let plain = true;
    for (let i = 0; i < s.length && plain; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x25 || c >= 0x80) plain = false;
    }
    // ASCII without escapes is itself.
    if (plain) return s;
    let out = '';
    let from = 0;
    for (let i = s.indexOf('%'); i >= 0 && i + 2 < s.length; i = s.indexOf('%', i + 1)) {
      const e = s.slice(i, i + 3);
      if (e === '%0A' || e === '%0D' || e === '%22') {
        out += s.slice(from, i) + (e === '%0A' ? '\n' : e === '%0D' ? '\r' : '"');
        from = i + 3;
        i += 2;
      }
    }
    out += s.slice(from);
    const bytes = new $Uint8Array(out.length);
    for (let i = 0; i < out.length; i++) bytes[i] = out.charCodeAt(i);
    return utf8(bytes);
  }
  const isSpace = (c) => c === ' ' || c === '\t';
  function trim(s) {
    let a = 0;
    let b = s.length;
    while (a < b && isSpace(s[a])) a++;
    while (b > a && isSpace(s[b - 1])) b--;
    return a === 0 && b === s.length ? s : s.slice(a, b);
  }
  const asciiLower = (s) => internals.mime.asciiLower(s);
  const indexOr = (i, n) => (i < 0 ? n : i);

  // A Content-Disposition value: { type (lowercase), params: { name: value } }, or null
  // for an unterminated quoted value.
  function parseDisposition(value) {
    const n = value.length;
    let i = indexOr(value.indexOf(';'), n);
    const type = asciiLower(trim(value.slice(0, i)));
    const params = { __proto__: null };
    while (i < n) {
      i++; // the ';'
      let j = i;
      while (j < n && value[j] !== '=' && value[j] !== ';') j++;
      const name = asciiLower(trim(value.slice(i, j)));
      i = j;
      if (i >= n || value[i] === ';') continue;
      i++; // the '='
      while (i < n && isSpace(value[i])) i++;
      let v;
      if (value[i] === '"') {
        const close = value.indexOf('"', i + 1);
        if (close < 0) return null;
        v = value.slice(i + 1, close);
        i = indexOr(value.indexOf(';', close + 1), n);
      } else {
        const k = indexOr(value.indexOf(';', i), n);
        v = trim(value.slice(i, k));
        i = k;
      }
      if (name !== '') params[name] = v;
    }
    return { type, params };
  }

  // Whether bytes [start, end), without surrounding spaces and tabs, are `name` (in
  // lowercase) in any case.
  function isHeaderName(bytes, start, end, name) {
    while (start < end && (bytes[start] === 0x20 || bytes[start] === 0x09)) start++;
    while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
    if (end - start !== name.length) return false;
    for (let i = 0; i < name.length; i++) {
      let c = bytes[start + i];
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      if (c !== name.charCodeAt(i)) return false;
    }
    return true;
  }
  const CRLF = [CR, LF];
  const COLON = 0x3a;

  // The body's entries ([name, string or File] pairs), or null if it does not parse.
  function parse(bytes, boundary) {
    if (boundary === '') return null;
    decoder = new $TextDecoder('utf-8', { ignoreBOM: true });
    const n = lengthOf(bytes);
    const delimiter = [DASH, DASH];
    for (let i = 0; i < boundary.length; i++) {
      const c = boundary.charCodeAt(i);
      if (c > 0xff) return null;
      delimiter[delimiter.length] = c;
    }
    const crlfDelimiter = [CR, LF];
    for (let i = 0; i < delimiter.length; i++) crlfDelimiter[crlfDelimiter.length] = delimiter[i];

    // The first boundary: at the start, or after the preamble and a CR LF.
    let pos;
    if (startsAt(bytes, delimiter, 0)) {
      pos = 0;
    } else {
      const at = find(bytes, crlfDelimiter, 0);
      if (at < 0) return null;
      pos = at + 2;
    }
    const entries = [];
    for (;;) {
      // At a boundary: "--" ends the body; else optional whitespace, then CR LF.
      pos += delimiter.length;
      if (pos + 1 < n && bytes[pos] === DASH && bytes[pos + 1] === DASH) return entries;
      while (pos < n && (bytes[pos] === 0x20 || bytes[pos] === 0x09)) pos++;
      if (!(pos + 1 < n && bytes[pos] === CR && bytes[pos + 1] === LF)) return null;
      pos += 2;

      // The part's header lines, up to an empty line. Only two headers matter, so a
      // line becomes a string only when it is one of them.
      let disposition = null;
      let contentType = null;
      for (;;) {
        if (pos + 1 < n && bytes[pos] === CR && bytes[pos + 1] === LF) {
          pos += 2;
          break;
        }
        const end = find(bytes, CRLF, pos);
        if (end < 0) return null;
        let colon = pos;
        while (colon < end && bytes[colon] !== COLON) colon++;
        if (colon < end) {
          if (isHeaderName(bytes, pos, colon, 'content-disposition')) {
            disposition = parseDisposition(trim(isomorphic(bytes, colon + 1, end)));
            if (disposition === null) return null;
          } else if (isHeaderName(bytes, pos, colon, 'content-type')) {
            contentType = trim(isomorphic(bytes, colon + 1, end));
          }
        }
        pos = end + 2;
      }
      if (disposition === null || disposition.type !== 'form-data') return null;
      const rawName = disposition.params.name;
      if (rawName === undefined) return null;

      // The content, up to CR LF and the next boundary.
      const end = find(bytes, crlfDelimiter, pos);
      if (end < 0) return null;
      const content = viewOf(bytes, pos, end);
      pos = end + 2;

      const name = headerText(rawName);
      const rawFilename = disposition.params.filename;
      if (rawFilename === undefined) {
        entries[entries.length] = [name, utf8(content)];
      } else {
        // RFC 7578 section 4.4: text/plain when the part has no Content-Type.
        const type = contentType === null ? 'text/plain' : contentType;
        entries[entries.length] = [name, B.makeFile(content, type, headerText(rawFilename))];
      }
    }
  }

  internals.multipart = { encode, parse };
});

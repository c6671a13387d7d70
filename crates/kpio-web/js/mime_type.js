// MIME types (the MIME Sniffing Standard, section 4): parsing a string into a MIME type
// record and serializing one, for the other prelude files (Fetch's "extract a MIME type",
// Blob types, FileReader's charset). Nothing here is exposed to scripts.
//
// A MIME type record is { type, subtype, parameters }, `type` and `subtype` in ASCII
// lowercase, `parameters` a list of [lowercase name, value] pairs in order, names unique.
// Loops index strings and lists, so scripts changing iterators change nothing here.
(function (ops, internals) {
  'use strict';
  const fromCharCode = String.fromCharCode;

  function paramIndex(m, name) {
    for (let i = 0; i < m.parameters.length; i++) if (m.parameters[i][0] === name) return i;
    return -1;
  }

  const isHTTPWhitespace = (c) => c === '\t' || c === '\n' || c === '\r' || c === ' ';
  // RFC 9110's token characters (the standard's "HTTP token code points").
  const TOKEN_PUNCTUATION = "!#$%&'*+-.^_`|~";
  function isToken(s) {
    if (s.length === 0) return false;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
      if (!alnum && TOKEN_PUNCTUATION.indexOf(s[i]) < 0) return false;
    }
    return true;
  }
  // "HTTP quoted-string token code points": tab, U+0020 to U+007E, U+0080 to U+00FF.
  function isQuotedStringTokens(s) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) return false;
    }
    return true;
  }
  // ASCII lowercase: only A to Z change.
  function asciiLower(s) {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      out += c >= 0x41 && c <= 0x5a ? fromCharCode(c + 0x20) : s[i];
    }
    return out;
  }
  function trimHTTPWhitespace(s) {
    let a = 0;
    let b = s.length;
    while (a < b && isHTTPWhitespace(s[a])) a++;
    while (b > a && isHTTPWhitespace(s[b - 1])) b--;
    return s.slice(a, b);
  }

  // Fetch's "collect an HTTP quoted string" from `input` at `p.pos` (a `"`): the value
  // with its quotes and escapes removed when `extractValue`, else the text as it was.
  function collectQuotedString(input, p, extractValue) {
    const start = p.pos;
    let value = '';
    p.pos++;
    for (;;) {
      while (p.pos < input.length && input[p.pos] !== '"' && input[p.pos] !== '\\') value += input[p.pos++];
      if (p.pos >= input.length) break;
      const quoteOrBackslash = input[p.pos++];
      if (quoteOrBackslash === '\\') {
        if (p.pos >= input.length) {
          value += '\\';
          break;
        }
        value += input[p.pos++];
      } else {
        break;
      }
    }
    return extractValue ? value : input.slice(start, p.pos);
  }

  // "Parse a MIME type": a record, or null for failure.
  function parse(input) {
    input = trimHTTPWhitespace(`${input}`);
    const p = { pos: 0 };
    let type = '';
    while (p.pos < input.length && input[p.pos] !== '/') type += input[p.pos++];
    if (type === '' || !isToken(type)) return null;
    if (p.pos >= input.length) return null;
    p.pos++;
    let subtype = '';
    while (p.pos < input.length && input[p.pos] !== ';') subtype += input[p.pos++];
    subtype = trimHTTPWhitespace(subtype);
    if (subtype === '' || !isToken(subtype)) return null;
    const parameters = [];
    while (p.pos < input.length) {
      p.pos++; // the ';'
      while (p.pos < input.length && isHTTPWhitespace(input[p.pos])) p.pos++;
      let name = '';
      while (p.pos < input.length && input[p.pos] !== ';' && input[p.pos] !== '=') name += input[p.pos++];
      name = asciiLower(name);
      if (p.pos < input.length) {
        if (input[p.pos] === ';') continue;
        p.pos++; // the '='
      }
      if (p.pos >= input.length) break;
      let value;
      if (input[p.pos] === '"') {
        value = collectQuotedString(input, p, true);
        while (p.pos < input.length && input[p.pos] !== ';') p.pos++;
      } else {
        value = '';
        while (p.pos < input.length && input[p.pos] !== ';') value += input[p.pos++];
        value = trimHTTPWhitespace(value);
        if (value === '') continue;
      }
      const m = { parameters };
      if (name !== '' && isToken(name) && isQuotedStringTokens(value) && paramIndex(m, name) < 0) {
        parameters[parameters.length] = [name, value];
      }
    }
    return { type: asciiLower(type), subtype: asciiLower(subtype), parameters };
  }

  function essence(m) {
    return `${m.type}/${m.subtype}`;
  }

  // "Serialize a MIME type": values that are not tokens are quoted, `"` and `\` escaped.
  function serialize(m) {
    let out = essence(m);
    for (let i = 0; i < m.parameters.length; i++) {
      const name = m.parameters[i][0];
      const value = m.parameters[i][1];
      out += `;${name}=`;
      if (value === '' || !isToken(value)) {
        let quoted = '"';
        for (let j = 0; j < value.length; j++) {
          const c = value[j];
          quoted += c === '"' || c === '\\' ? `\\${c}` : c;
        }
        out += `${quoted}"`;
      } else {
        out += value;
      }
    }
    return out;
  }

  internals.mime = {
    parse,
    serialize,
    essence,
    // A parameter's value, or undefined.
    param(m, name) {
      const i = paramIndex(m, name);
      return i < 0 ? undefined : m.parameters[i][1];
    },
    setParam(m, name, value) {
      const i = paramIndex(m, name);
      if (i < 0) m.parameters[m.parameters.length] = [name, value];
      else m.parameters[i][1] = value;
    },
    isToken,
    asciiLower,
    trimHTTPWhitespace,
    collectQuotedString,
  };
});

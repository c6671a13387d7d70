// The Encoding Standard's API: TextEncoder (UTF-8) and TextDecoder (every encoding of the
// standard, through encoding_rs: src/ops.rs).
(function (ops, internals) {
  'use strict';
  const { illegal, dictionary, requireArgs } = internals;

  // Any BufferSource as a Uint8Array over the same bytes.
  function bytesOf(input, what) {
    if (input instanceof Uint8Array) return input;
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (input instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && input instanceof SharedArrayBuffer)) {
      return new Uint8Array(input);
    }
    throw new TypeError(`${what}: The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.`);
  }

  class TextEncoder {
    get encoding() {
      if (!(this instanceof TextEncoder)) throw illegal();
      return 'utf-8';
    }
    encode(input = '') {
      return ops.utf8Encode(internals.toUSV(input));
    }
    encodeInto(source, destination) {
      requireArgs(arguments.length, 2, "Failed to execute 'encodeInto' on 'TextEncoder'");
      if (!(destination instanceof Uint8Array)) {
        throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
      }
      const src = String(source);
      let read = 0;
      let written = 0;
      const cap = destination.length;
      for (let i = 0; i < src.length;) {
        let cp = src.codePointAt(i);
        let units = cp > 0xffff ? 2 : 1;
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
        const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (written + n > cap) break;
        if (n === 1) destination[written] = cp;
        else if (n === 2) {
          destination[written] = 0xc0 | (cp >> 6);
          destination[written + 1] = 0x80 | (cp & 0x3f);
        } else if (n === 3) {
          destination[written] = 0xe0 | (cp >> 12);
          destination[written + 1] = 0x80 | ((cp >> 6) & 0x3f);
          destination[written + 2] = 0x80 | (cp & 0x3f);
        } else {
          destination[written] = 0xf0 | (cp >> 18);
          destination[written + 1] = 0x80 | ((cp >> 12) & 0x3f);
          destination[written + 2] = 0x80 | ((cp >> 6) & 0x3f);
          destination[written + 3] = 0x80 | (cp & 0x3f);
        }
        written += n;
        read += units;
        i += units;
      }
      return { read, written };
    }
  }
  internals.defineInterface(TextEncoder, 'TextEncoder');

  const decoders = new WeakMap();
  // Frees a decoder's host state when its TextDecoder is collected.
  const registry = new FinalizationRegistry((id) => ops.decoderClose(id));

  function dec(self) {
    const s = decoders.get(self);
    if (!s) throw illegal();
    return s;
  }

  class TextDecoder {
    constructor(label = 'utf-8', options = undefined) {
      const o = dictionary(options, "Failed to construct 'TextDecoder'");
      const fatal = !!o.fatal;
      const ignoreBOM = !!o.ignoreBOM;
      const opened = ops.decoderOpen(String(label), fatal, ignoreBOM);
      if (opened === undefined || opened === null) {
        throw new RangeError(`Failed to construct 'TextDecoder': The encoding label provided ('${label}') is invalid.`);
      }
      const [id, encoding] = opened;
      decoders.set(this, { id, encoding, fatal, ignoreBOM });
      registry.register(this, id);
    }
    get encoding() { return dec(this).encoding; }
    get fatal() { return dec(this).fatal; }
    get ignoreBOM() { return dec(this).ignoreBOM; }
    decode(input = undefined, options = undefined) {
      const s = dec(this);
      const o = dictionary(options, "Failed to execute 'decode' on 'TextDecoder'");
      const bytes = input === undefined ? new Uint8Array(0) : bytesOf(input, "Failed to execute 'decode' on 'TextDecoder'");
      const out = ops.decoderDecode(s.id, bytes, !!o.stream);
      if (out === undefined || out === null) {
        throw new TypeError("Failed to execute 'decode' on 'TextDecoder': The encoded data was not valid.");
      }
      return out;
    }
  }
  internals.defineInterface(TextDecoder, 'TextDecoder');
});

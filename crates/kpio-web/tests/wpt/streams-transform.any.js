// META: global=window,worker
// META: title=TransformStream and TransformStreamDefaultController (Streams Standard, section 6), TextEncoderStream and TextDecoderStream (Encoding Standard, section 7)
'use strict';

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const flush = () => delay(0);

async function readAll(readable) {
  const reader = readable.getReader();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

// Writes the chunks to the writable side and closes it, while reading the readable side.
async function through(ts, chunks) {
  const writer = ts.writable.getWriter();
  const reading = readAll(ts.readable);
  for (const c of chunks) writer.write(c);
  writer.close();
  return reading;
}

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
}

// --- construction ----------------------------------------------------------------------

test(() => {
  const ts = new TransformStream();
  assert_true(ts.readable instanceof ReadableStream);
  assert_true(ts.writable instanceof WritableStream);
  assert_equals(ts.readable, ts.readable, 'the same readable each time');
  assert_equals(Object.prototype.toString.call(ts), '[object TransformStream]');
  assert_throws_js(TypeError, () => new TransformStream(null), 'null is not an object');
  assert_throws_js(TypeError, () => new TransformStream({ transform: 5 }));
  assert_throws_js(RangeError, () => new TransformStream({ readableType: 'bytes' }));
  assert_throws_js(RangeError, () => new TransformStream({ writableType: 'bytes' }));
  assert_throws_js(TypeError, () => new TransformStreamDefaultController());
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(TransformStream.prototype, 'readable').get.call({}));
}, 'TransformStream\'s constructor and its errors');

test(() => {
  const order = [];
  const record = (name, keys) => {
    const o = {};
    for (const key of keys) {
      Object.defineProperty(o, key, { get() { order.push(`${name}.${key}`); return undefined; } });
    }
    return o;
  };
  new TransformStream(
    record('transformer', ['writableType', 'transform', 'start', 'readableType', 'flush', 'cancel']),
    record('writable', ['size', 'highWaterMark']),
    record('readable', ['size', 'highWaterMark']));
  assert_array_equals(order, [
    'writable.highWaterMark', 'writable.size', 'readable.highWaterMark', 'readable.size',
    'transformer.cancel', 'transformer.flush', 'transformer.readableType', 'transformer.start',
    'transformer.transform', 'transformer.writableType',
  ]);
}, 'The strategies are converted before the transformer, members in lexicographic order');

test(() => {
  let controller;
  let thisValue;
  const transformer = {
    start(c) {
      controller = c;
      thisValue = this;
    },
  };
  const ts = new TransformStream(transformer);
  assert_equals(thisValue, transformer);
  assert_true(controller instanceof TransformStreamDefaultController);
  assert_equals(controller.desiredSize, 0, 'the readable side\'s default highWaterMark is 0');
  const writer = ts.writable.getWriter();
  assert_equals(writer.desiredSize, 1, 'the writable side\'s default highWaterMark is 1');
}, 'start gets a TransformStreamDefaultController; the sides\' default high water marks');

test(() => {
  const error = new Error('start');
  assert_throws_exactly(error, () => new TransformStream({ start() { throw error; } }));
}, 'An exception thrown by start is rethrown by the constructor');

promise_test(async () => {
  const ts = new TransformStream();
  assert_array_equals(await through(ts, ['a', 1, null]), ['a', 1, null]);
}, 'Without a transform, chunks go through unchanged (an identity transform)');

promise_test(async () => {
  const calls = [];
  let ctl;
  const transformer = {
    start(c) { ctl = c; },
    transform(chunk, c) {
      calls.push(this === transformer, c === ctl);
      c.enqueue(chunk.toUpperCase());
      c.enqueue(chunk);
    },
  };
  const ts = new TransformStream(transformer);
  assert_array_equals(await through(ts, ['a', 'b']), ['A', 'a', 'B', 'b']);
  assert_array_equals(calls, [true, true, true, true], 'transform gets the transformer as this and the controller');
}, 'transform(chunk, controller) may enqueue any number of chunks');

promise_test(async () => {
  const ts = new TransformStream({
    transform(chunk, c) {
      c.enqueue(chunk);
    },
    flush(c) {
      c.enqueue('from flush');
    },
  });
  assert_array_equals(await through(ts, ['x']), ['x', 'from flush']);
}, 'flush is called when the writable side closes, and can enqueue');

promise_test(async () => {
  const d = deferred();
  const order = [];
  const ts = new TransformStream({
    transform(chunk) {
      order.push('transform ' + chunk);
      if (chunk === 1) return d.promise;
      return undefined;
    },
  });
  const writer = ts.writable.getWriter();
  ts.readable.getReader().read();
  writer.write(1);
  writer.write(2);
  await flush();
  assert_array_equals(order, ['transform 1'], 'the second transform waits for the first one\'s promise');
  d.resolve();
  await flush();
  assert_array_equals(order, ['transform 1', 'transform 2']);
}, 'transform is not called again while its previous promise is pending');

promise_test(async () => {
  const transformed = [];
  const ts = new TransformStream({
    transform(chunk, c) {
      transformed.push(chunk);
      c.enqueue(chunk);
    },
  });
  const writer = ts.writable.getWriter();
  const write = writer.write('a');
  await flush();
  assert_array_equals(transformed, [], 'the readable side\'s highWaterMark is 0: no transform before a read');
  const reader = ts.readable.getReader();
  const read = reader.read();
  await flush();
  assert_array_equals(transformed, ['a'], 'a read lets the transform run');
  assert_object_equals(await read, { value: 'a', done: false });
  await write;
}, 'Backpressure: with nothing read, the transform waits');

promise_test(async () => {
  const transformed = [];
  const ts = new TransformStream({
    transform(chunk, c) {
      transformed.push(chunk);
      c.enqueue(chunk);
    },
  }, undefined, { highWaterMark: 2 });
  const writer = ts.writable.getWriter();
  writer.write(1);
  writer.write(2);
  writer.write(3);
  await flush();
  assert_array_equals(transformed, [1, 2], 'two chunks fill the readable side\'s queue');
}, 'The readable strategy decides how far the transform runs ahead');

promise_test(async (t) => {
  const error = new Error('transform threw');
  const ts = new TransformStream({ transform() { throw error; } });
  const writer = ts.writable.getWriter();
  const reader = ts.readable.getReader();
  reader.read().catch(() => {});
  await promise_rejects_exactly(t, error, writer.write('a'), 'the write');
  await promise_rejects_exactly(t, error, reader.closed, 'the readable side');
  await promise_rejects_exactly(t, error, writer.closed, 'the writable side');
}, 'A transform that throws errors both sides');

promise_test(async (t) => {
  const error = new Error('flush threw');
  const ts = new TransformStream({ flush() { return Promise.reject(error); } });
  const writer = ts.writable.getWriter();
  const reader = ts.readable.getReader();
  await promise_rejects_exactly(t, error, writer.close(), 'close');
  await promise_rejects_exactly(t, error, reader.closed, 'the readable side');
}, 'A flush that rejects rejects close and errors the readable side');

promise_test(async (t) => {
  const error = new Error('controller.error');
  let controller;
  const ts = new TransformStream({ start(c) { controller = c; } });
  const writer = ts.writable.getWriter();
  const reader = ts.readable.getReader();
  controller.error(error);
  assert_equals(controller.desiredSize, null);
  await promise_rejects_exactly(t, error, reader.closed);
  await promise_rejects_exactly(t, error, writer.closed);
  await promise_rejects_exactly(t, error, writer.write('x'));
}, 'controller.error errors both sides');

promise_test(async (t) => {
  let controller;
  const ts = new TransformStream({ start(c) { controller = c; } });
  const writer = ts.writable.getWriter();
  const reader = ts.readable.getReader();
  controller.enqueue('last');
  controller.terminate();
  assert_throws_js(TypeError, () => controller.enqueue('more'), 'enqueue after terminate');
  assert_object_equals(await reader.read(), { value: 'last', done: false });
  assert_object_equals(await reader.read(), { value: undefined, done: true }, 'the readable side is closed');
  await promise_rejects_js(t, TypeError, writer.closed, 'the writable side is errored with a TypeError');
  await promise_rejects_js(t, TypeError, writer.write('x'));
}, 'controller.terminate closes the readable side and errors the writable side');

promise_test(async () => {
  let controller;
  const ts = new TransformStream({ start(c) { controller = c; } }, undefined, { highWaterMark: 3 });
  assert_equals(controller.desiredSize, 3);
  controller.enqueue('a');
  assert_equals(controller.desiredSize, 2, 'desiredSize is the readable side\'s');
  await ts.readable.getReader().read();
  assert_equals(controller.desiredSize, 3);
}, 'controller.desiredSize is the readable side\'s desired size');

promise_test(async () => {
  const d = deferred();
  const order = [];
  const ts = new TransformStream({
    start() {
      order.push('start');
      return d.promise;
    },
    transform(chunk) { order.push('transform'); },
  });
  ts.readable.getReader().read();
  const write = ts.writable.getWriter().write('a');
  await flush();
  assert_array_equals(order, ['start'], 'transform waits for start');
  d.resolve();
  await write;
  assert_array_equals(order, ['start', 'transform']);
}, 'A start promise holds back the transforms');

// --- cancel and abort ----------------------------------------------------------------

promise_test(async (t) => {
  const calls = [];
  const ts = new TransformStream({
    cancel(reason) { calls.push(reason); },
    flush() { calls.push('flush'); },
  });
  const writer = ts.writable.getWriter();
  await ts.readable.cancel('cancel reason');
  assert_array_equals(calls, ['cancel reason'], 'transformer.cancel gets the reason');
  await promise_rejects_exactly(t, 'cancel reason', writer.closed, 'the writable side is errored with the reason');
  await promise_rejects_exactly(t, 'cancel reason', writer.write('x'));
}, 'Cancelling the readable side calls transformer.cancel and errors the writable side');

promise_test(async (t) => {
  const calls = [];
  const ts = new TransformStream({ cancel(reason) { calls.push(reason); } });
  const reader = ts.readable.getReader();
  await ts.writable.abort('abort reason');
  assert_array_equals(calls, ['abort reason'], 'transformer.cancel is called for an abort too');
  await promise_rejects_exactly(t, 'abort reason', reader.closed, 'the readable side is errored with the reason');
}, 'Aborting the writable side calls transformer.cancel and errors the readable side');

promise_test(async (t) => {
  const error = new Error('cancel threw');
  const ts = new TransformStream({ cancel() { throw error; } });
  const writer = ts.writable.getWriter();
  await promise_rejects_exactly(t, error, ts.readable.cancel('reason'), 'cancel rejects with the error');
  await promise_rejects_exactly(t, error, writer.closed, 'the writable side is errored with it');
}, 'A transformer.cancel that throws rejects the cancel and errors the writable side with its error');

promise_test(async (t) => {
  let cancels = 0;
  const d = deferred();
  const ts = new TransformStream({
    cancel() {
      cancels++;
      return d.promise;
    },
  });
  const writer = ts.writable.getWriter();
  await flush();
  const cancel = ts.readable.cancel('one');
  const abort = writer.abort('two');
  d.resolve();
  // The abort errored the writable side while the cancel was pending: the shared finish
  // promise rejects with the writable side's stored error.
  await Promise.all([
    promise_rejects_exactly(t, 'two', cancel, 'the cancel'),
    promise_rejects_exactly(t, 'two', abort, 'the abort'),
  ]);
  assert_equals(cancels, 1, 'transformer.cancel is called once');
}, 'A cancel and an abort share one call of transformer.cancel and one outcome');

promise_test(async () => {
  const calls = [];
  const ts = new TransformStream({
    flush() { calls.push('flush'); },
    cancel() { calls.push('cancel'); },
  });
  const writer = ts.writable.getWriter();
  const reading = readAll(ts.readable);
  await writer.close();
  await reading;
  assert_array_equals(calls, ['flush'], 'no cancel after a flush');
}, 'A closed transform stream is flushed, not cancelled');

// --- TextEncoderStream -----------------------------------------------------------------

promise_test(async () => {
  const tes = new TextEncoderStream();
  assert_equals(tes.encoding, 'utf-8');
  assert_true(tes.readable instanceof ReadableStream);
  assert_true(tes.writable instanceof WritableStream);
  const chunks = await through(tes, ['a\u00e9', '\u20ac']);
  assert_equals(chunks.length, 2);
  assert_true(chunks[0] instanceof Uint8Array, 'the chunks are Uint8Arrays');
  assert_array_equals(Array.from(chunks[0]), [0x61, 0xc3, 0xa9]);
  assert_array_equals(Array.from(chunks[1]), [0xe2, 0x82, 0xac]);
}, 'TextEncoderStream encodes each string chunk as UTF-8');

promise_test(async () => {
  const chunks = await through(new TextEncoderStream(), ['a\ud83d', '\ude00b', '', 'c\ud800']);
  const bytes = chunks.flatMap((c) => Array.from(c));
  assert_array_equals(bytes, [0x61, 0xf0, 0x9f, 0x98, 0x80, 0x62, 0x63, 0xef, 0xbf, 0xbd],
    'a pair split across chunks is joined; a lone high surrogate at the end is U+FFFD');
  assert_equals(chunks.length, 4, 'an empty chunk, or one holding only a pending surrogate, enqueues nothing; flush enqueues U+FFFD');
}, 'TextEncoderStream keeps a high surrogate for the next chunk');

promise_test(async () => {
  const chunks = await through(new TextEncoderStream(), [42, '\udc00x', '\ud800\ud800']);
  const bytes = chunks.flatMap((c) => Array.from(c));
  assert_array_equals(bytes, [0x34, 0x32, 0xef, 0xbf, 0xbd, 0x78, 0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd]);
}, 'TextEncoderStream converts chunks to strings and replaces lone surrogates');

// --- TextDecoderStream -----------------------------------------------------------------

promise_test(async () => {
  const tds = new TextDecoderStream();
  assert_equals(tds.encoding, 'utf-8');
  assert_false(tds.fatal);
  assert_false(tds.ignoreBOM);
  const chunks = await through(tds, [new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac, 0x21])]);
  assert_array_equals(chunks, ['\u20ac!'], 'a character split across chunks is decoded whole');
}, 'TextDecoderStream decodes across chunk boundaries');

promise_test(async () => {
  const chunks = await through(new TextDecoderStream(), [
    new Uint8Array([0xef, 0xbb, 0xbf, 0x41]).buffer,
    new DataView(new Uint8Array([0x42]).buffer),
    new Uint8Array([0xe2]),
  ]);
  assert_array_equals(chunks, ['A', 'B', '\ufffd'],
    'the BOM is stripped, ArrayBuffers and DataViews are accepted, an incomplete end is U+FFFD');
}, 'TextDecoderStream accepts any BufferSource and flushes an incomplete sequence');

promise_test(async () => {
  const tds = new TextDecoderStream('utf-16le', { ignoreBOM: true });
  assert_equals(tds.encoding, 'utf-16le');
  assert_true(tds.ignoreBOM);
  const chunks = await through(tds, [new Uint8Array([0xff, 0xfe, 0x41, 0x00])]);
  assert_array_equals(chunks, ['\ufeffA'], 'ignoreBOM keeps the BOM');
  assert_throws_js(RangeError, () => new TextDecoderStream('no-such-encoding'));
}, 'TextDecoderStream\'s label and options');

promise_test(async (t) => {
  const tds = new TextDecoderStream('utf-8', { fatal: true });
  assert_true(tds.fatal);
  const writer = tds.writable.getWriter();
  const reader = tds.readable.getReader();
  reader.read().catch(() => {});
  await promise_rejects_js(t, TypeError, writer.write(new Uint8Array([0xff])), 'an invalid byte');
  await promise_rejects_js(t, TypeError, reader.closed, 'the readable side is errored');
}, 'A fatal TextDecoderStream errors on invalid input with a TypeError');

promise_test(async (t) => {
  const tds = new TextDecoderStream();
  const writer = tds.writable.getWriter();
  tds.readable.getReader().read().catch(() => {});
  await promise_rejects_js(t, TypeError, writer.write('not bytes'), 'a string is not a BufferSource');
}, 'TextDecoderStream refuses chunks that are not BufferSources');

promise_test(async (t) => {
  const ts = new TransformStream({
    transform(chunk, c) {
      c.enqueue(chunk);
      if (chunk === 'stop') c.terminate();
    },
  });
  const writer = ts.writable.getWriter();
  const reading = readAll(ts.readable);
  await writer.write('a');
  await writer.write('stop');
  assert_array_equals(await reading, ['a', 'stop'], 'the readable side closes after the enqueued chunks');
  await promise_rejects_js(t, TypeError, writer.write('after'), 'the writable side is errored');
}, 'terminate() from a transform closes the readable side after what was enqueued');

promise_test(async () => {
  const ts = new TransformStream({
    start(c) {
      c.enqueue('from start');
      assert_equals(c.desiredSize, -1, 'enqueueing beyond the readable highWaterMark of 0');
    },
  });
  const reader = ts.readable.getReader();
  assert_object_equals(await reader.read(), { value: 'from start', done: false });
}, 'start() can enqueue');

promise_test(async () => {
  const ts = new TransformStream({}, { highWaterMark: 2 }, { highWaterMark: 1 });
  const writer = ts.writable.getWriter();
  assert_equals(writer.desiredSize, 2, 'the writable strategy');
  await writer.write('a');
  assert_equals(writer.desiredSize, 2, 'the chunk went through to the readable side\'s queue');
  writer.write('b');
  await flush();
  assert_equals(writer.desiredSize, 1, 'the readable side is full: the next chunk waits in the writable side');
}, 'The writable strategy and backpressure from a full readable side');

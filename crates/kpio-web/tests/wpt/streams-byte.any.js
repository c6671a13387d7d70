// META: global=window,worker
// META: title=Readable byte streams: ReadableByteStreamController, ReadableStreamBYOBReader, ReadableStreamBYOBRequest and the byte tee (Streams Standard, section 4)
'use strict';

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const flush = () => delay(0);

// A byte stream whose controller is handed out, and whose pulls are recorded.
function byteStream(extras = {}, strategy = undefined) {
  let controller;
  const pulls = [];
  const stream = new ReadableStream(Object.assign({
    type: 'bytes',
    start(c) { controller = c; },
    pull(c) {
      const request = c.byobRequest;
      pulls.push(request === null ? null : {
        request,
        viewType: request.view.constructor.name,
        byteOffset: request.view.byteOffset,
        byteLength: request.view.byteLength,
        bufferByteLength: request.view.buffer.byteLength,
      });
      if (extras.pull) return extras.pull(c);
      return undefined;
    },
  }, extras.source || {}), strategy);
  return { stream, pulls, controller: () => controller };
}

const bytes = (...values) => new Uint8Array(values);
const arrayOf = (view) => Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));

// --- construction --------------------------------------------------------------------

test(() => {
  const { stream, controller } = byteStream();
  assert_true(controller() instanceof ReadableByteStreamController);
  assert_equals(Object.prototype.toString.call(controller()), '[object ReadableByteStreamController]');
  assert_equals(controller().desiredSize, 0, 'the default highWaterMark of a byte stream is 0');
  assert_equals(controller().byobRequest, null, 'no request without a read');
  assert_throws_js(TypeError, () => new ReadableByteStreamController());
  assert_throws_js(TypeError, () => new ReadableStreamBYOBRequest());
  assert_true(stream.getReader({ mode: 'byob' }) instanceof ReadableStreamBYOBReader);
}, 'A byte stream has a ReadableByteStreamController and gives BYOB readers');

test(() => {
  assert_throws_js(RangeError, () => new ReadableStream({ type: 'bytes' }, { size() { return 1; } }),
    'a size function');
  assert_throws_js(RangeError, () => new ReadableStream({ type: 'bytes' }, { highWaterMark: -1 }));
  assert_throws_js(TypeError, () => new ReadableStream({ type: 'bytes', autoAllocateChunkSize: 0 }), 'zero');
  assert_throws_js(TypeError, () => new ReadableStreamBYOBReader(new ReadableStream()),
    'a BYOB reader of a default stream');
}, 'The byte stream constructor\'s errors');

test(() => {
  assert_throws_js(TypeError, () => new ReadableStream({ type: 'bytes', autoAllocateChunkSize: -1 }), 'negative');
  assert_throws_js(TypeError, () => new ReadableStream({ type: 'bytes', autoAllocateChunkSize: Infinity }), 'infinite');
  assert_throws_js(TypeError, () => new ReadableStream({ type: 'bytes', autoAllocateChunkSize: NaN }), 'NaN');
  let controller;
  new ReadableStream({ type: 'bytes', autoAllocateChunkSize: 2.9, start(c) { controller = c; } });
  assert_equals(controller.desiredSize, 0, 'a fraction is truncated, not refused');
}, 'autoAllocateChunkSize is an [EnforceRange] unsigned long long');

test(() => {
  let controller;
  new ReadableStream({ type: 'bytes', start(c) { controller = c; } }, { highWaterMark: 10 });
  assert_equals(controller.desiredSize, 10);
  controller.enqueue(new Uint8Array(4));
  assert_equals(controller.desiredSize, 6, 'the queue\'s size is its bytes');
}, 'desiredSize of a byte stream counts bytes');

test(() => {
  const { controller } = byteStream();
  assert_throws_js(TypeError, () => controller().enqueue(new Uint8Array(0)), 'an empty view');
  assert_throws_js(TypeError, () => controller().enqueue(new ArrayBuffer(4)), 'not a view');
  assert_throws_js(TypeError, () => controller().enqueue('abc'), 'a string');
  assert_throws_js(TypeError, () => controller().enqueue(), 'no argument');
  controller().close();
  assert_throws_js(TypeError, () => controller().enqueue(new Uint8Array(1)), 'after close');
  assert_throws_js(TypeError, () => controller().close(), 'close twice');
}, 'enqueue needs a non-empty ArrayBufferView and a readable, not closing, stream');

// --- default readers of byte streams ---------------------------------------------------

promise_test(async () => {
  const { stream, controller } = byteStream();
  const chunk = new Uint8Array([1, 2, 3, 4]);
  const buffer = chunk.buffer;
  controller().enqueue(chunk.subarray(1, 3));
  assert_equals(buffer.byteLength, 0, 'enqueue transfers the chunk\'s buffer: the original is detached');
  const { value, done } = await stream.getReader().read();
  assert_false(done);
  assert_true(value instanceof Uint8Array);
  assert_array_equals(arrayOf(value), [2, 3]);
  assert_equals(value.byteOffset, 1, 'the chunk keeps its offset into the transferred buffer');
  assert_equals(value.buffer.byteLength, 4);
}, 'A default reader reads an enqueued chunk as a Uint8Array over the transferred buffer');

promise_test(async () => {
  const { stream, controller } = byteStream();
  controller().enqueue(bytes(1, 2));
  controller().enqueue(new Uint16Array([0x0403]));
  controller().close();
  const reader = stream.getReader();
  const first = await reader.read();
  const second = await reader.read();
  assert_array_equals(arrayOf(first.value), [1, 2]);
  assert_true(second.value instanceof Uint8Array, 'every chunk is read as a Uint8Array');
  assert_equals(second.value.byteLength, 2);
  assert_object_equals(await reader.read(), { value: undefined, done: true });
}, 'A default reader reads the chunks one by one, then done');

promise_test(async () => {
  const { stream, pulls } = byteStream({
    source: { autoAllocateChunkSize: 8 },
    pull(c) {
      c.byobRequest.view[0] = 42;
      c.byobRequest.view[1] = 43;
      c.byobRequest.respond(2);
    },
  });
  const { value, done } = await stream.getReader().read();
  assert_false(done);
  assert_equals(pulls.length, 1);
  assert_equals(pulls[0].viewType, 'Uint8Array');
  assert_equals(pulls[0].byteLength, 8, 'the request is autoAllocateChunkSize bytes');
  assert_array_equals(arrayOf(value), [42, 43]);
  assert_equals(value.buffer.byteLength, 8);
}, 'With autoAllocateChunkSize a default read makes a BYOB request');

// --- BYOB readers ---------------------------------------------------------------------

promise_test(async () => {
  const { stream, controller } = byteStream();
  controller().enqueue(bytes(1, 2, 3, 4, 5));
  const reader = stream.getReader({ mode: 'byob' });
  const view = new Uint8Array(3);
  const buffer = view.buffer;
  const { value, done } = await reader.read(view);
  assert_false(done);
  assert_array_equals(Array.from(value), [1, 2, 3]);
  assert_not_equals(value.buffer, buffer, 'the view comes back over a new buffer');
  assert_equals(buffer.byteLength, 0, 'the view given to read() is detached');
  const rest = await reader.read(new Uint8Array(10));
  assert_array_equals(Array.from(rest.value), [4, 5], 'the rest of the chunk stays queued');
}, 'A BYOB read is filled from the queue, and the given buffer is transferred');

promise_test(async () => {
  const { stream, controller } = byteStream();
  controller().enqueue(bytes(1));
  controller().enqueue(bytes(2, 3));
  controller().enqueue(bytes(4));
  const reader = stream.getReader({ mode: 'byob' });
  const { value } = await reader.read(new Uint8Array(8));
  assert_array_equals(Array.from(value), [1, 2, 3, 4], 'one read gathers the queued chunks');
}, 'A BYOB read gathers several queued chunks');

promise_test(async () => {
  const { stream, pulls } = byteStream({
    pull(c) {
      const view = c.byobRequest.view;
      view[0] = 9;
      view[1] = 8;
      c.byobRequest.respond(2);
    },
  });
  const reader = stream.getReader({ mode: 'byob' });
  const buffer = new ArrayBuffer(16);
  const { value } = await reader.read(new Uint8Array(buffer, 4, 6));
  assert_equals(pulls.length, 1);
  assert_equals(pulls[0].viewType, 'Uint8Array', 'the request\'s view is a Uint8Array');
  assert_equals(pulls[0].byteOffset, 4, 'over the same bytes as the read\'s view');
  assert_equals(pulls[0].byteLength, 6);
  assert_equals(pulls[0].bufferByteLength, 16);
  assert_true(value instanceof Uint8Array);
  assert_equals(value.byteOffset, 4);
  assert_array_equals(Array.from(value), [9, 8]);
}, 'pull gets a byobRequest over the read\'s view; respond(n) fulfills the read with n bytes');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint8Array(4));
  await flush();
  const request = controller().byobRequest;
  assert_not_equals(request, null);
  assert_equals(controller().byobRequest, request, 'the same request until it is answered');
  assert_throws_js(RangeError, () => request.respond(5), 'more than the view');
  assert_throws_js(TypeError, () => request.respond(0), 'nothing, while readable');
  request.view[0] = 1;
  request.respond(1);
  assert_equals(request.view, null, 'an answered request has no view');
  assert_equals(controller().byobRequest, null);
  assert_throws_js(TypeError, () => request.respond(1), 'answered twice');
  assert_array_equals(Array.from((await read).value), [1]);
}, 'respond checks bytesWritten, and a request can be answered once');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint8Array(4));
  await flush();
  const request = controller().byobRequest;
  assert_throws_js(TypeError, () => request.respond(NaN), 'NaN');
  assert_throws_js(TypeError, () => request.respond(Infinity), 'Infinity');
  request.view[0] = 5;
  request.respond('1');
  assert_array_equals(Array.from((await read).value), [5], 'a string is converted');
}, 'respond\'s bytesWritten is an [EnforceRange] unsigned long long');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  let fulfilled = false;
  const read = reader.read(new Uint16Array(2)).then((r) => { fulfilled = true; return r; });
  await flush();
  controller().byobRequest.view[0] = 0x01;
  controller().byobRequest.respond(1);
  await flush();
  assert_false(fulfilled, 'half an element does not fulfill the read');
  const view = controller().byobRequest.view;
  assert_equals(view.byteOffset, 1, 'the new request starts after the byte written');
  assert_equals(view.byteLength, 3);
  view[0] = 0x02;
  controller().byobRequest.respond(1);
  const { value } = await read;
  assert_true(value instanceof Uint16Array);
  assert_equals(value.length, 1);
  assert_array_equals(arrayOf(value), [1, 2]);
}, 'A read into a Uint16Array waits for a whole element');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  let fulfilled = false;
  const read = reader.read(new Uint8Array(4), { min: 3 }).then((r) => { fulfilled = true; return r; });
  await flush();
  controller().enqueue(bytes(1, 2));
  await flush();
  assert_false(fulfilled, 'two bytes are fewer than min');
  controller().enqueue(bytes(3, 4, 5));
  const { value } = await read;
  assert_array_equals(Array.from(value), [1, 2, 3, 4], 'filled as far as the view goes');
  const rest = await reader.read(new Uint8Array(4));
  assert_array_equals(Array.from(rest.value), [5]);
}, 'read(view, { min }) waits for min elements');

promise_test(async (t) => {
  const { stream } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  await promise_rejects_js(t, TypeError, reader.read(), 'no view: a rejection, not an exception');
  await promise_rejects_js(t, TypeError, reader.read(new ArrayBuffer(4)), 'an ArrayBuffer is not a view');
  await promise_rejects_js(t, TypeError, reader.read(new Uint8Array(0)), 'an empty view');
  await promise_rejects_js(t, TypeError, reader.read(new Uint8Array(new ArrayBuffer(0), 0, 0)), 'an empty buffer');
  await promise_rejects_js(t, TypeError, reader.read(new Uint8Array(2), { min: 0 }), 'min of 0');
  await promise_rejects_js(t, RangeError, reader.read(new Uint8Array(2), { min: 3 }), 'min above the length');
  await promise_rejects_js(t, RangeError, reader.read(new Uint16Array(2), { min: 3 }), 'min counts elements');
  await promise_rejects_js(t, RangeError, reader.read(new DataView(new ArrayBuffer(2)), { min: 3 }),
    'a DataView\'s min counts bytes');
}, 'read(view, options) rejects bad views and bad min values');

promise_test(async () => {
  const { stream, controller } = byteStream();
  controller().enqueue(bytes(7, 7, 7));
  const reader = stream.getReader({ mode: 'byob' });
  const { value } = await reader.read(new DataView(new ArrayBuffer(2)));
  assert_true(value instanceof DataView, 'a DataView is read into as a DataView');
  assert_equals(value.byteLength, 2);
  assert_equals(value.getUint8(1), 7);
}, 'A BYOB read into a DataView');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint8Array(4));
  await flush();
  const request = controller().byobRequest;
  controller().enqueue(bytes(5, 6));
  assert_equals(request.view, null, 'enqueue invalidates the pending request');
  const { value } = await read;
  assert_array_equals(Array.from(value), [5, 6], 'the enqueued bytes are copied into the pending read');
}, 'enqueue while a BYOB read is pending fills that read');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint8Array(8));
  await flush();
  const request = controller().byobRequest;
  const buffer = request.view.buffer;
  assert_throws_js(RangeError, () => request.respondWithNewView(new Uint8Array(buffer, 1, 2)), 'another offset');
  assert_throws_js(RangeError, () => request.respondWithNewView(new Uint8Array(new ArrayBuffer(4), 0, 2)),
    'a buffer of another length');
  assert_throws_js(TypeError, () => request.respondWithNewView(new Uint8Array(buffer, 0, 0)), 'empty');
  const view = new Uint8Array(buffer, 0, 3);
  view.set([3, 2, 1]);
  request.respondWithNewView(view);
  const { value } = await read;
  assert_array_equals(Array.from(value), [3, 2, 1]);
}, 'respondWithNewView takes a view over the request\'s buffer, at its offset');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint16Array(4));
  await flush();
  controller().close();
  assert_not_equals(controller().byobRequest, null, 'the request is still there after close');
  assert_throws_js(TypeError, () => controller().byobRequest.respond(1), 'only 0 bytes once closed');
  controller().byobRequest.respond(0);
  const { value, done } = await read;
  assert_true(done);
  assert_true(value instanceof Uint16Array, 'the view\'s type is kept');
  assert_equals(value.byteLength, 0, 'an empty view over the transferred buffer');
  assert_equals(value.buffer.byteLength, 8);
}, 'Closing with a pending BYOB read: respond(0) ends the read with an empty view');

promise_test(async () => {
  const { stream, controller } = byteStream();
  controller().close();
  const reader = stream.getReader({ mode: 'byob' });
  const view = new Uint8Array(5);
  const { value, done } = await reader.read(view);
  assert_true(done);
  assert_equals(value.byteLength, 0);
  assert_equals(value.buffer.byteLength, 5, 'the buffer comes back, transferred');
  assert_equals(view.byteLength, 0, 'the given view is detached');
}, 'A BYOB read of a closed stream is done with an empty view');

promise_test(async (t) => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint16Array(2));
  await flush();
  controller().byobRequest.respond(1);
  assert_throws_js(TypeError, () => controller().close(), 'half an element is pending');
  await promise_rejects_js(t, TypeError, read);
  await promise_rejects_js(t, TypeError, reader.closed, 'the stream is errored');
}, 'Closing with a partly filled element errors the stream with a TypeError');

promise_test(async (t) => {
  const { stream, controller } = byteStream();
  controller().enqueue(bytes(1));
  controller().close();
  const reader = stream.getReader({ mode: 'byob' });
  await promise_rejects_js(t, TypeError, reader.read(new Uint16Array(1)),
    'one byte cannot fill an element and no more will come');
  await promise_rejects_js(t, TypeError, reader.closed);
}, 'A BYOB read that a closing stream cannot fill errors the stream');

promise_test(async () => {
  let cancelReason;
  const { stream } = byteStream({ source: { cancel(r) { cancelReason = r; } } });
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint8Array(4));
  await reader.cancel('reason');
  assert_equals(cancelReason, 'reason');
  const { value, done } = await read;
  assert_true(done);
  assert_equals(value, undefined, 'a read ended by cancel has no view');
}, 'cancel ends pending BYOB reads with an undefined value');

promise_test(async (t) => {
  const error = new Error('byte error');
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint8Array(4));
  await flush();
  const request = controller().byobRequest;
  controller().error(error);
  assert_equals(request.view, null, 'the request is invalidated');
  assert_equals(controller().desiredSize, null);
  await promise_rejects_exactly(t, error, read);
  await promise_rejects_exactly(t, error, reader.read(new Uint8Array(1)));
}, 'error rejects pending and later BYOB reads');

promise_test(async (t) => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint8Array(4));
  await flush();
  const request = controller().byobRequest;
  reader.releaseLock();
  await promise_rejects_js(t, TypeError, read, 'the pending read is rejected');
  assert_not_equals(request.view, null, 'the source can still answer the request');
  request.view.set([7, 8, 9]);
  request.respond(3);
  const { value } = await stream.getReader().read();
  assert_array_equals(arrayOf(value), [7, 8, 9], 'the bytes go to the next reader');
}, 'Releasing a BYOB reader with a pending read keeps the request; its bytes are queued');

promise_test(async () => {
  const order = [];
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read1 = reader.read(new Uint8Array(2)).then((r) => { order.push('read1'); return r; });
  const read2 = reader.read(new Uint8Array(2)).then((r) => { order.push('read2'); return r; });
  await flush();
  controller().enqueue(bytes(1, 2, 3, 4));
  const [r1, r2] = await Promise.all([read1, read2]);
  assert_array_equals(order, ['read1', 'read2']);
  assert_array_equals(Array.from(r1.value), [1, 2]);
  assert_array_equals(Array.from(r2.value), [3, 4], 'one chunk fills two pending reads');
}, 'One enqueued chunk fills several pending BYOB reads, in order');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader();
  const read = reader.read();
  await flush();
  assert_equals(controller().byobRequest, null, 'a default read makes no request without autoAllocateChunkSize');
  controller().enqueue(bytes(1, 2, 3));
  const { value } = await read;
  assert_array_equals(arrayOf(value), [1, 2, 3]);
}, 'A pending default read is fulfilled by enqueue');

promise_test(async (t) => {
  const { stream } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  reader.releaseLock();
  await promise_rejects_js(t, TypeError, reader.read(new Uint8Array(1)), 'read of a released reader');
  await promise_rejects_js(t, TypeError, reader.closed);
  await promise_rejects_js(t, TypeError, ReadableStreamBYOBReader.prototype.read.call({}, new Uint8Array(1)));
  assert_throws_js(TypeError, () => ReadableStreamBYOBRequest.prototype.respond.call({}, 1));
}, 'A released BYOB reader, and brand checks');

// --- the byte tee -------------------------------------------------------------------

promise_test(async () => {
  const { stream, controller } = byteStream();
  const [branch1, branch2] = stream.tee();
  const reader1 = branch1.getReader({ mode: 'byob' });
  const reader2 = branch2.getReader();
  controller().enqueue(bytes(1, 2, 3));
  controller().close();
  const r1 = await reader1.read(new Uint8Array(8));
  const r2 = await reader2.read();
  assert_array_equals(Array.from(r1.value), [1, 2, 3]);
  assert_array_equals(arrayOf(r2.value), [1, 2, 3]);
  assert_not_equals(r1.value.buffer, r2.value.buffer, 'the branches do not share buffers');
  assert_true((await reader1.read(new Uint8Array(1))).done);
  assert_true((await reader2.read()).done);
}, 'A byte stream\'s tee gives two byte streams with their own copies of the bytes');

promise_test(async () => {
  let cancelReason;
  const { stream } = byteStream({ source: { cancel(r) { cancelReason = r; } } });
  const [branch1, branch2] = stream.tee();
  const c1 = branch1.cancel('a');
  await flush();
  assert_equals(cancelReason, undefined, 'one branch is not enough');
  await Promise.all([c1, branch2.cancel('b')]);
  assert_array_equals(cancelReason, ['a', 'b']);
}, 'Cancelling both branches of a byte tee cancels the source with both reasons');

promise_test(async (t) => {
  const error = new Error('tee error');
  const { stream, controller } = byteStream();
  const [branch1, branch2] = stream.tee();
  const read = branch1.getReader({ mode: 'byob' }).read(new Uint8Array(2));
  await flush();
  controller().error(error);
  await promise_rejects_exactly(t, error, read);
  await promise_rejects_exactly(t, error, branch2.getReader().closed);
}, 'An error of the source errors both branches of a byte tee');

// --- more paths of the pull-into descriptors ------------------------------------------

test(() => {
  const { controller } = byteStream();
  const chunk = new Uint8Array([1, 2]);
  controller().enqueue(chunk);
  assert_throws_js(TypeError, () => controller().enqueue(chunk), 'its buffer was transferred by the first enqueue');
}, 'enqueue of a view whose buffer is detached throws a TypeError');

promise_test(async () => {
  const { stream, controller } = byteStream({ source: { autoAllocateChunkSize: 4 } });
  const reader = stream.getReader();
  const read = reader.read();
  await flush();
  const request = controller().byobRequest;
  assert_equals(request.view.byteLength, 4);
  reader.releaseLock();
  await read.then(() => assert_unreached('the read is rejected'), () => {});
  request.view.set([1, 2]);
  request.respond(2);
  const reader2 = stream.getReader({ mode: 'byob' });
  const { value } = await reader2.read(new Uint8Array(8));
  assert_array_equals(Array.from(value), [1, 2], 'the auto-allocated request\'s bytes went to the queue');
}, 'An auto-allocated request answered after its reader was released queues its bytes');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint8Array(4), { min: 3 });
  await flush();
  controller().enqueue(bytes(1, 2));
  controller().close();
  controller().byobRequest.respond(0);
  const { value, done } = await read;
  assert_true(done, 'the stream closed');
  assert_array_equals(Array.from(value), [1, 2], 'the bytes read before the close, fewer than min, come with done');
}, 'A close ends a read({ min }) with what it has, even below min');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader({ mode: 'byob' });
  const read = reader.read(new Uint8Array(4));
  await flush();
  controller().close();
  const request = controller().byobRequest;
  assert_throws_js(TypeError, () => request.respondWithNewView(new Uint8Array(request.view.buffer, 0, 1)),
    'a non-empty view once closed');
  request.respondWithNewView(new Uint8Array(request.view.buffer, 0, 0));
  const { done, value } = await read;
  assert_true(done);
  assert_equals(value.byteLength, 0);
}, 'respondWithNewView on a closed stream takes only an empty view');

promise_test(async () => {
  let pulls = 0;
  const { stream } = byteStream({
    pull(c) {
      pulls++;
      const view = c.byobRequest.view;
      view[0] = pulls;
      c.byobRequest.respond(1);
      if (pulls === 3) c.close();
    },
  });
  const [branch1, branch2] = stream.tee();
  const r1 = branch1.getReader({ mode: 'byob' });
  const r2 = branch2.getReader({ mode: 'byob' });
  const got1 = [];
  const got2 = [];
  for (;;) {
    const a = await r1.read(new Uint8Array(4));
    if (a.done) break;
    got1.push(...a.value);
  }
  for (;;) {
    const b = await r2.read(new Uint8Array(4));
    if (b.done) break;
    got2.push(...b.value);
  }
  assert_array_equals(got1, [1, 2, 3]);
  assert_array_equals(got2, [1, 2, 3], 'the other branch got copies');
}, 'BYOB reads on both branches of a byte tee');

promise_test(async () => {
  const { stream, controller } = byteStream();
  const reader = stream.getReader();
  controller().enqueue(bytes(1, 2, 3));
  reader.releaseLock();
  const byob = stream.getReader({ mode: 'byob' });
  const { value } = await byob.read(new Uint8Array(2));
  assert_array_equals(Array.from(value), [1, 2], 'the queue survives a change of reader');
  const { value: rest } = await byob.read(new Uint8Array(2));
  assert_array_equals(Array.from(rest), [3]);
}, 'Queued bytes can be read by a reader of the other kind');

// META: global=window,worker
// META: title=ReadableStream pipeTo and pipeThrough (Streams Standard, sections 4.2.4 and 4.9.1)
'use strict';

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const flush = () => delay(0);

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
}

// A readable stream that records pulls and cancels, its controller handed out.
function recordingReadable(extras = {}, strategy = undefined) {
  const events = [];
  let controller;
  const stream = new ReadableStream({
    start(c) {
      controller = c;
      if (extras.start) extras.start(c);
    },
    pull(c) {
      events.push('pull');
      if (extras.pull) return extras.pull(c);
      return undefined;
    },
    cancel(reason) {
      events.push('cancel', reason);
      if (extras.cancel) return extras.cancel(reason);
      return undefined;
    },
  }, strategy);
  return { stream, events, controller: () => controller };
}

// A writable stream that records writes, closes and aborts.
function recordingWritable(extras = {}, strategy = undefined) {
  const events = [];
  let controller;
  const stream = new WritableStream({
    start(c) {
      controller = c;
      if (extras.start) return extras.start(c);
      return undefined;
    },
    write(chunk) {
      events.push('write', chunk);
      if (extras.write) return extras.write(chunk);
      return undefined;
    },
    close() {
      events.push('close');
      if (extras.close) return extras.close();
      return undefined;
    },
    abort(reason) {
      events.push('abort', reason);
      if (extras.abort) return extras.abort(reason);
      return undefined;
    },
  }, strategy);
  return { stream, events, controller: () => controller };
}

const fromChunks = (chunks) => new ReadableStream({
  start(c) {
    for (const chunk of chunks) c.enqueue(chunk);
    c.close();
  },
});

// --- pipeTo -----------------------------------------------------------------------

promise_test(async () => {
  const source = fromChunks(['a', 'b', 'c']);
  const { stream: dest, events } = recordingWritable();
  const pipe = source.pipeTo(dest);
  assert_true(source.locked, 'the source is locked during the pipe');
  assert_true(dest.locked, 'the destination is locked during the pipe');
  assert_equals(await pipe, undefined);
  assert_array_equals(events, ['write', 'a', 'write', 'b', 'write', 'c', 'close']);
  assert_false(source.locked, 'unlocked afterwards');
  assert_false(dest.locked);
}, 'pipeTo writes every chunk in order, closes the destination and unlocks both');

promise_test(async (t) => {
  const source = new ReadableStream();
  const dest = new WritableStream();
  await promise_rejects_js(t, TypeError, source.pipeTo(), 'no destination: a rejection');
  await promise_rejects_js(t, TypeError, source.pipeTo({}), 'not a WritableStream');
  await promise_rejects_js(t, TypeError, source.pipeTo(dest, { signal: {} }), 'a signal that is not an AbortSignal');
  await promise_rejects_js(t, TypeError, source.pipeTo(dest, 5), 'options that are not an object');
  const reader = source.getReader();
  await promise_rejects_js(t, TypeError, source.pipeTo(dest), 'a locked source');
  reader.releaseLock();
  const writer = dest.getWriter();
  await promise_rejects_js(t, TypeError, source.pipeTo(dest), 'a locked destination');
  writer.releaseLock();
  await promise_rejects_js(t, TypeError, ReadableStream.prototype.pipeTo.call({}, dest), 'brand check');
  assert_false(source.locked);
  assert_false(dest.locked);
}, 'pipeTo rejects, without throwing, for bad arguments and locked streams');

promise_test(async () => {
  const order = [];
  const options = {};
  for (const key of ['signal', 'preventClose', 'preventCancel', 'preventAbort']) {
    Object.defineProperty(options, key, { get() { order.push(key); return undefined; } });
  }
  await fromChunks([]).pipeTo(new WritableStream(), options);
  assert_array_equals(order, ['preventAbort', 'preventCancel', 'preventClose', 'signal']);
}, 'The pipe options are read in lexicographic order');

promise_test(async () => {
  const source = fromChunks(['a']);
  const { stream: dest, events } = recordingWritable();
  await source.pipeTo(dest, { preventClose: true });
  assert_array_equals(events, ['write', 'a'], 'the destination is not closed');
  const writer = dest.getWriter();
  await writer.write('more');
  assert_array_equals(events, ['write', 'a', 'write', 'more'], 'and can still be written');
}, 'preventClose leaves the destination open');

promise_test(async () => {
  const { stream: source, events: sourceEvents } = recordingReadable({ start(c) { c.close(); } });
  const { stream: dest, events } = recordingWritable();
  await source.pipeTo(dest);
  assert_array_equals(events, ['close']);
  assert_array_equals(sourceEvents, [], 'a closed source is neither pulled nor cancelled');
}, 'A source closed before the pipe closes the destination');

promise_test(async (t) => {
  const error = new Error('source errored');
  const { stream: source, controller } = recordingReadable();
  const { stream: dest, events } = recordingWritable();
  const pipe = source.pipeTo(dest);
  await flush();
  controller().error(error);
  await promise_rejects_exactly(t, error, pipe);
  assert_array_equals(events, ['abort', error], 'the destination is aborted with the error');
  assert_false(source.locked);
  assert_false(dest.locked);
}, 'An error of the source aborts the destination with it (errors propagate forward)');

promise_test(async (t) => {
  const error = new Error('source errored');
  const { stream: source, controller } = recordingReadable();
  const { stream: dest, events } = recordingWritable();
  const pipe = source.pipeTo(dest, { preventAbort: true });
  await flush();
  controller().error(error);
  await promise_rejects_exactly(t, error, pipe);
  assert_array_equals(events, [], 'the destination is not aborted');
  await dest.getWriter().write('still writable');
  assert_array_equals(events, ['write', 'still writable']);
}, 'preventAbort keeps the destination from an error of the source');

promise_test(async (t) => {
  const error = new Error('errored before');
  const source = new ReadableStream({ start(c) { c.error(error); } });
  const { stream: dest, events } = recordingWritable();
  await promise_rejects_exactly(t, error, source.pipeTo(dest));
  assert_array_equals(events, ['abort', error]);
}, 'A source errored before the pipe aborts the destination');

promise_test(async (t) => {
  const error = new Error('write failed');
  const { stream: source, events: sourceEvents, controller } = recordingReadable();
  const { stream: dest } = recordingWritable({ write: () => Promise.reject(error) });
  const pipe = source.pipeTo(dest);
  controller().enqueue('a');
  await promise_rejects_exactly(t, error, pipe);
  assert_array_equals(sourceEvents.filter((e) => e !== 'pull'), ['cancel', error],
    'the source is cancelled with the error');
}, 'An error of the destination cancels the source with it (errors propagate backward)');

promise_test(async (t) => {
  const error = new Error('write failed');
  const { stream: source, events: sourceEvents, controller } = recordingReadable();
  const { stream: dest } = recordingWritable({ write: () => Promise.reject(error) });
  const pipe = source.pipeTo(dest, { preventCancel: true });
  controller().enqueue('a');
  controller().enqueue('b');
  await promise_rejects_exactly(t, error, pipe);
  assert_false(sourceEvents.includes('cancel'), 'the source is not cancelled');
  assert_false(source.locked);
  const { value } = await source.getReader().read();
  assert_equals(value, 'b', 'the chunks not taken stay in the source');
}, 'preventCancel keeps the source from an error of the destination');

promise_test(async (t) => {
  const { stream: source, events } = recordingReadable();
  const dest = new WritableStream();
  await dest.close();
  await promise_rejects_js(t, TypeError, source.pipeTo(dest), 'the pipe rejects with a TypeError');
  assert_equals(events[events.indexOf('cancel') + 1].constructor, TypeError,
    'the source is cancelled with that TypeError');
}, 'A destination closed before the pipe cancels the source (closing propagates backward)');

promise_test(async (t) => {
  const sourceError = new Error('source');
  const source = new ReadableStream({ start(c) { c.error(sourceError); } });
  const dest = new WritableStream({ start(c) { c.error(new Error('dest')); } });
  await flush();
  await promise_rejects_exactly(t, sourceError, source.pipeTo(dest),
    'an errored source is checked before an errored destination');
}, 'When both streams are errored, the source\'s error wins');

promise_test(async () => {
  const writes = [];
  const done = [];
  const { stream: dest } = recordingWritable({
    write(chunk) {
      writes.push(chunk);
      return delay(5).then(() => done.push(chunk));
    },
  });
  const { stream: dest2, events } = recordingWritable();
  await fromChunks([1, 2, 3]).pipeTo(dest);
  assert_array_equals(done, [1, 2, 3], 'every write finished before the pipe fulfilled');
  await fromChunks([]).pipeTo(dest2);
  assert_array_equals(events, ['close']);
}, 'The pipe fulfills only after the destination closed, after all writes');

promise_test(async (t) => {
  const error = new Error('source errored');
  const d = deferred();
  const { stream: source, controller } = recordingReadable();
  const { stream: dest, events } = recordingWritable({ write: () => d.promise });
  const pipe = source.pipeTo(dest);
  controller().enqueue('a');
  await flush();
  assert_array_equals(events, ['write', 'a']);
  controller().error(error);
  await flush();
  assert_array_equals(events, ['write', 'a'], 'the abort waits for the write in flight');
  d.resolve();
  await promise_rejects_exactly(t, error, pipe);
  assert_array_equals(events, ['write', 'a', 'abort', error]);
}, 'A shutdown waits for the pending write before aborting the destination');

promise_test(async () => {
  let pulls = 0;
  const source = new ReadableStream({
    pull(c) {
      pulls++;
      c.enqueue(pulls);
      if (pulls === 20) c.close();
    },
  }, { highWaterMark: 0 });
  let inSink = 0;
  let maxInSink = 0;
  const writes = [];
  const dest = new WritableStream({
    write(chunk) {
      writes.push(chunk);
      inSink++;
      maxInSink = Math.max(maxInSink, inSink);
      return delay(1).then(() => { inSink--; });
    },
  }, { highWaterMark: 2 });
  const pipe = source.pipeTo(dest);
  await delay(3);
  assert_less_than(pulls, 20, 'the source is not drained faster than the destination takes chunks');
  await pipe;
  assert_equals(writes.length, 20);
  assert_equals(maxInSink, 1);
}, 'pipeTo respects the destination\'s backpressure');

promise_test(async () => {
  let controller;
  const source = new ReadableStream({ start(c) { controller = c; } });
  const dest = new WritableStream({ write() { return new Promise(() => {}); } }, { highWaterMark: 1 });
  source.pipeTo(dest);
  await flush();
  controller.enqueue('a');
  controller.enqueue('b');
  controller.enqueue('c');
  await flush();
  assert_equals(controller.desiredSize, -1,
    'with the destination full, the pipe stops reading: the source keeps two of the three chunks');
}, 'A pipe stops reading while the destination\'s desired size is not positive');

// --- signal ------------------------------------------------------------------------

promise_test(async (t) => {
  const { stream: source, events: sourceEvents } = recordingReadable({ start(c) { c.enqueue('never'); } });
  const { stream: dest, events } = recordingWritable();
  const signal = AbortSignal.abort();
  await promise_rejects_dom(t, 'AbortError', source.pipeTo(dest, { signal }));
  assert_array_equals(events, ['abort', signal.reason], 'the destination is aborted with the reason');
  assert_array_equals(sourceEvents.filter((e) => e !== 'pull'), ['cancel', signal.reason]);
  assert_false(source.locked);
  assert_false(dest.locked);
}, 'An already aborted signal: the pipe writes nothing and rejects with the abort reason');

promise_test(async (t) => {
  const reason = new Error('my reason');
  const controller = new AbortController();
  const { stream: source, events: sourceEvents, controller: sc } = recordingReadable();
  const { stream: dest, events } = recordingWritable();
  const pipe = source.pipeTo(dest, { signal: controller.signal });
  sc().enqueue('a');
  await flush();
  controller.abort(reason);
  await promise_rejects_exactly(t, reason, pipe);
  assert_array_equals(events, ['write', 'a', 'abort', reason]);
  assert_array_equals(sourceEvents.filter((e) => e !== 'pull'), ['cancel', reason]);
}, 'Aborting the signal mid-pipe aborts the destination and cancels the source with the reason');

promise_test(async (t) => {
  const controller = new AbortController();
  const { stream: source, events: sourceEvents } = recordingReadable();
  const { stream: dest, events } = recordingWritable();
  const pipe = source.pipeTo(dest, { signal: controller.signal, preventAbort: true, preventCancel: true });
  await flush();
  controller.abort('why');
  await promise_rejects_exactly(t, 'why', pipe);
  assert_array_equals(events, [], 'preventAbort');
  assert_false(sourceEvents.includes('cancel'), 'preventCancel');
  assert_false(source.locked);
  assert_false(dest.locked);
}, 'preventAbort and preventCancel apply to the signal too');

promise_test(async () => {
  const controller = new AbortController();
  const { stream: dest, events } = recordingWritable();
  await fromChunks(['x']).pipeTo(dest, { signal: controller.signal });
  controller.abort('after');
  await flush();
  assert_array_equals(events, ['write', 'x', 'close'], 'an abort after the pipe finished does nothing');
}, 'Aborting the signal after the pipe finished does nothing');

promise_test(async (t) => {
  const controller = new AbortController();
  const d = deferred();
  const { stream: source, controller: sc } = recordingReadable();
  const { stream: dest, events } = recordingWritable({ write: () => d.promise });
  const pipe = source.pipeTo(dest, { signal: controller.signal });
  sc().enqueue('slow');
  await flush();
  controller.abort('stop');
  await flush();
  assert_array_equals(events, ['write', 'slow'], 'the abort waits for the write in flight');
  d.resolve();
  await promise_rejects_exactly(t, 'stop', pipe);
  assert_array_equals(events, ['write', 'slow', 'abort', 'stop']);
}, 'An abort of the signal waits for the write in flight');

// --- pipeThrough ---------------------------------------------------------------------

promise_test(async () => {
  const ts = new TransformStream({ transform(chunk, c) { c.enqueue(chunk * 10); } });
  const readable = fromChunks([1, 2]).pipeThrough(ts);
  assert_equals(readable, ts.readable, 'pipeThrough returns the pair\'s readable side');
  const reader = readable.getReader();
  assert_object_equals(await reader.read(), { value: 10, done: false });
  assert_object_equals(await reader.read(), { value: 20, done: false });
  assert_object_equals(await reader.read(), { value: undefined, done: true });
}, 'pipeThrough pipes into the writable side and returns the readable side');

test(() => {
  const source = new ReadableStream();
  assert_throws_js(TypeError, () => source.pipeThrough(), 'no pair');
  assert_throws_js(TypeError, () => source.pipeThrough({ writable: new WritableStream() }), 'no readable');
  assert_throws_js(TypeError, () => source.pipeThrough({ readable: new ReadableStream() }), 'no writable');
  assert_throws_js(TypeError, () => source.pipeThrough({ readable: {}, writable: new WritableStream() }));
  const ts = new TransformStream();
  ts.writable.getWriter();
  assert_throws_js(TypeError, () => source.pipeThrough(ts), 'a locked writable side');
  source.getReader();
  assert_throws_js(TypeError, () => source.pipeThrough(new TransformStream()), 'a locked source');
}, 'pipeThrough throws synchronously for bad pairs and locked streams');

test(() => {
  const order = [];
  const pair = {
    get readable() { order.push('readable'); return new ReadableStream(); },
    get writable() { order.push('writable'); return new WritableStream(); },
  };
  new ReadableStream().pipeThrough(pair);
  assert_array_equals(order, ['readable', 'writable']);
}, 'pipeThrough reads the pair\'s readable before its writable');

promise_test(async () => {
  const error = new Error('piped error');
  const source = new ReadableStream({ start(c) { c.error(error); } });
  const { stream: writable, events } = recordingWritable();
  const readable = new ReadableStream();
  source.pipeThrough({ readable, writable });
  await flush();
  await flush();
  assert_array_equals(events, ['abort', error], 'the pipe ran, and its rejection is not reported as unhandled');
}, 'pipeThrough\'s pipe promise is marked as handled');

promise_test(async () => {
  const { stream: writable, events } = recordingWritable();
  const readable = new ReadableStream();
  fromChunks(['a']).pipeThrough({ readable, writable }, { preventClose: true });
  await delay(5);
  assert_array_equals(events, ['write', 'a'], 'the options are passed to the pipe');
}, 'pipeThrough passes its options to the pipe');

promise_test(async () => {
  const double = () => new TransformStream({ transform(c, ctl) { ctl.enqueue(c + c); } });
  const out = [];
  await fromChunks(['a', 'b'])
    .pipeThrough(double())
    .pipeThrough(double())
    .pipeTo(new WritableStream({ write(c) { out.push(c); } }));
  assert_array_equals(out, ['aaaa', 'bbbb']);
}, 'A pipe chain of two transforms');

promise_test(async () => {
  let controller;
  const source = new ReadableStream({ type: 'bytes', start(c) { controller = c; } });
  const chunks = [];
  const pipe = source.pipeTo(new WritableStream({ write(chunk) { chunks.push(Array.from(chunk)); } }));
  controller.enqueue(new Uint8Array([1, 2]));
  controller.enqueue(new Uint8Array([3]));
  controller.close();
  await pipe;
  assert_array_equals(chunks.flat(), [1, 2, 3]);
}, 'A byte stream can be piped');

promise_test(async (t) => {
  const error = new Error('close failed');
  const source = fromChunks(['a']);
  const dest = new WritableStream({ close() { throw error; } });
  await promise_rejects_exactly(t, error, source.pipeTo(dest), 'the pipe rejects with the close error');
}, 'A failure to close the destination rejects the pipe');

promise_test(async (t) => {
  const error = new Error('dest errored');
  const { stream: source, events: sourceEvents } = recordingReadable();
  const { stream: dest, controller } = recordingWritable();
  const pipe = source.pipeTo(dest);
  await flush();
  controller().error(error);
  await promise_rejects_exactly(t, error, pipe);
  assert_array_equals(sourceEvents.filter((e) => e !== 'pull'), ['cancel', error]);
}, 'The destination\'s controller.error cancels the source');

promise_test(async (t) => {
  let thenCalls = 0;
  const source = fromChunks(['a', 'b']);
  const { stream: dest, events } = recordingWritable();
  Object.prototype.then = function () { thenCalls++; };
  t.add_cleanup(() => { delete Object.prototype.then; });
  const pipe = source.pipeTo(dest);
  await delay(5);
  delete Object.prototype.then;
  await pipe;
  assert_equals(thenCalls, 0, 'the pipe does not resolve promises with read results');
  assert_array_equals(events, ['write', 'a', 'write', 'b', 'close']);
}, 'pipeTo reads without going through Object.prototype.then');

promise_test(async () => {
  const source = new ReadableStream({
    start(c) {
      c.enqueue('a');
      c.close();
    },
  });
  const { stream: dest, events } = recordingWritable({ start: () => delay(5) });
  await source.pipeTo(dest);
  assert_array_equals(events, ['write', 'a', 'close'], 'the writes wait for the destination\'s start');
}, 'A pipe to a destination whose start is slow');

// META: global=window,worker
// META: title=WritableStream, WritableStreamDefaultWriter and WritableStreamDefaultController (Streams Standard, section 5)
'use strict';

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const flush = () => delay(0);

// A sink that records its calls; write, close and abort can be made to wait or fail.
function recordingSink(extras = {}) {
  const events = [];
  let controller;
  const sink = {
    start(c) {
      controller = c;
      events.push('start');
      if (extras.start) return extras.start(c);
      return undefined;
    },
    write(chunk, c) {
      events.push('write', chunk);
      assert_equals(c, controller, 'write gets the controller');
      if (extras.write) return extras.write(chunk, c);
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
  };
  return { sink, events, controller: () => controller };
}

// A promise and the functions that settle it.
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
}

// --- construction ----------------------------------------------------------------------

test(() => {
  const ws = new WritableStream();
  assert_false(ws.locked);
  for (const m of ['abort', 'close', 'getWriter']) assert_equals(typeof ws[m], 'function', m);
  assert_equals(Object.prototype.toString.call(ws), '[object WritableStream]');
  assert_throws_js(TypeError, () => new WritableStream(null), 'null is not an object');
  assert_throws_js(TypeError, () => new WritableStream(7), 'a number');
  assert_throws_js(TypeError, () => new WritableStream({ write: 'no' }), 'write not callable');
  assert_throws_js(RangeError, () => new WritableStream({ type: 'bytes' }), 'no type is allowed');
  assert_throws_js(RangeError, () => new WritableStream({}, { highWaterMark: -1 }));
  assert_throws_js(TypeError, () => new WritableStreamDefaultController());
}, 'WritableStream\'s constructor and its errors');

test(() => {
  const order = [];
  const sink = {};
  for (const key of ['write', 'type', 'start', 'close', 'abort']) {
    Object.defineProperty(sink, key, { get() { order.push('sink.' + key); return undefined; } });
  }
  const strategy = {};
  for (const key of ['size', 'highWaterMark']) {
    Object.defineProperty(strategy, key, { get() { order.push('strategy.' + key); return undefined; } });
  }
  new WritableStream(sink, strategy);
  assert_array_equals(order, [
    'strategy.highWaterMark', 'strategy.size',
    'sink.abort', 'sink.close', 'sink.start', 'sink.type', 'sink.write',
  ]);
}, 'The strategy is converted before the underlying sink, members in lexicographic order');

test(() => {
  const { sink, controller, events } = recordingSink();
  let thisValue;
  const start = sink.start;
  sink.start = function (c) {
    thisValue = this;
    return start.call(this, c);
  };
  new WritableStream(sink);
  assert_array_equals(events, ['start'], 'start is called synchronously');
  assert_equals(thisValue, sink);
  assert_true(controller() instanceof WritableStreamDefaultController);
  assert_true(controller().signal instanceof AbortSignal);
  assert_false(controller().signal.aborted);
}, 'start is called with a WritableStreamDefaultController whose signal is not aborted');

test(() => {
  const error = new Error('start threw');
  assert_throws_exactly(error, () => new WritableStream({ start() { throw error; } }));
}, 'An exception thrown by start is rethrown by the constructor');

promise_test(async (t) => {
  const error = new Error('start rejected');
  const ws = new WritableStream({ start() { return Promise.reject(error); } });
  const writer = ws.getWriter();
  await promise_rejects_exactly(t, error, writer.closed);
  await promise_rejects_exactly(t, error, writer.write('a'));
}, 'A start that rejects errors the stream');

// --- writers -----------------------------------------------------------------------

test(() => {
  const ws = new WritableStream();
  const writer = ws.getWriter();
  assert_true(writer instanceof WritableStreamDefaultWriter);
  assert_true(ws.locked);
  assert_throws_js(TypeError, () => ws.getWriter());
  assert_throws_js(TypeError, () => new WritableStreamDefaultWriter(ws));
  assert_throws_js(TypeError, () => new WritableStreamDefaultWriter({}));
  writer.releaseLock();
  assert_false(ws.locked);
  writer.releaseLock();
  assert_true(new WritableStreamDefaultWriter(ws) instanceof WritableStreamDefaultWriter);
}, 'A stream is locked to one writer at a time');

promise_test(async (t) => {
  const ws = new WritableStream();
  ws.getWriter();
  await promise_rejects_js(t, TypeError, ws.abort(), 'abort of a locked stream');
  await promise_rejects_js(t, TypeError, ws.close(), 'close of a locked stream');
  await promise_rejects_js(t, TypeError, WritableStream.prototype.abort.call({}), 'brand check');
  await promise_rejects_js(t, TypeError, WritableStreamDefaultWriter.prototype.write.call({}, 1));
  assert_throws_js(TypeError, () => WritableStream.prototype.getWriter.call({}));
}, 'abort and close of a locked stream reject with a TypeError; brand checks');

promise_test(async () => {
  const { sink, events } = recordingSink();
  const ws = new WritableStream(sink);
  const writer = ws.getWriter();
  const w1 = writer.write('a');
  const w2 = writer.write('b');
  assert_array_equals(events, ['start'], 'writes wait for start');
  await Promise.all([w1, w2]);
  await writer.close();
  assert_array_equals(events, ['start', 'write', 'a', 'write', 'b', 'close']);
  assert_equals(await writer.closed, undefined);
}, 'Writes reach the sink in order after start; close comes after them');

promise_test(async () => {
  const d = deferred();
  let inWrite = 0;
  let maxInWrite = 0;
  const ws = new WritableStream({
    write() {
      inWrite++;
      maxInWrite = Math.max(maxInWrite, inWrite);
      return d.promise.then(() => { inWrite--; });
    },
  });
  const writer = ws.getWriter();
  const writes = [writer.write(1), writer.write(2), writer.write(3)];
  await flush();
  assert_equals(inWrite, 1, 'one write at a time');
  d.resolve();
  await Promise.all(writes);
  assert_equals(maxInWrite, 1);
}, 'The sink\'s write is not called again before its previous promise settles');

promise_test(async () => {
  const d = deferred();
  const ws = new WritableStream({ write() { return d.promise; } });
  const writer = ws.getWriter();
  assert_equals(writer.desiredSize, 1, 'the default highWaterMark is 1');
  await writer.ready;
  let ready = false;
  writer.write('a');
  assert_equals(writer.desiredSize, 0);
  writer.ready.then(() => { ready = true; });
  await flush();
  assert_false(ready, 'ready waits while desiredSize is not positive');
  d.resolve();
  await flush();
  assert_true(ready);
  assert_equals(writer.desiredSize, 1);
}, 'desiredSize and ready follow the queue (backpressure)');

promise_test(async () => {
  const ws = new WritableStream({}, { highWaterMark: 0 });
  const writer = ws.getWriter();
  assert_equals(writer.desiredSize, 0);
  let ready = false;
  writer.ready.then(() => { ready = true; });
  await flush();
  assert_false(ready, 'a highWaterMark of 0 applies backpressure from the start');
}, 'With a highWaterMark of 0, ready is pending from the start');

promise_test(async () => {
  const d = deferred();
  const ws = new WritableStream({ write() { return d.promise; } },
    new CountQueuingStrategy({ highWaterMark: 4 }));
  const writer = ws.getWriter();
  await writer.ready;
  writer.write('a');
  writer.write('b');
  assert_equals(writer.desiredSize, 2);
  const ws2 = new WritableStream({ write() { return d.promise; } },
    { highWaterMark: 10, size(chunk) { return chunk.length; } });
  const writer2 = ws2.getWriter();
  writer2.write('abc');
  assert_equals(writer2.desiredSize, 7, 'the size function gives each chunk\'s size');
  d.resolve();
}, 'The strategy sizes the queued chunks');

promise_test(async (t) => {
  const error = new Error('size');
  const ws = new WritableStream({}, { size() { throw error; } });
  const writer = ws.getWriter();
  await promise_rejects_exactly(t, error, writer.write('a'), 'the write');
  await promise_rejects_exactly(t, error, writer.closed, 'the stream is errored');
  const ws2 = new WritableStream({}, { size() { return -1; } });
  await promise_rejects_js(t, RangeError, ws2.getWriter().write('a'), 'a negative size');
}, 'A size function that throws or gives an invalid size errors the stream');

promise_test(async (t) => {
  const error = new Error('write failed');
  const ws = new WritableStream({ write() { return Promise.reject(error); } });
  const writer = ws.getWriter();
  const w1 = writer.write('a');
  const w2 = writer.write('b');
  await promise_rejects_exactly(t, error, w1, 'the failed write');
  await promise_rejects_exactly(t, error, w2, 'the queued write');
  await promise_rejects_exactly(t, error, writer.closed);
  await promise_rejects_exactly(t, error, writer.ready);
  await promise_rejects_exactly(t, error, writer.write('c'), 'a later write');
  assert_equals(writer.desiredSize, null, 'errored');
  await promise_rejects_js(t, TypeError, writer.close(), 'close of an errored stream');
}, 'A write that rejects errors the stream: every pending and later operation rejects');

promise_test(async (t) => {
  const ws = new WritableStream();
  const writer = ws.getWriter();
  const close = writer.close();
  await promise_rejects_js(t, TypeError, writer.write('late'), 'write after close');
  await promise_rejects_js(t, TypeError, writer.close(), 'close twice');
  await close;
  assert_equals(writer.desiredSize, 0, 'a closed stream\'s desiredSize is 0');
  assert_equals(await writer.ready, undefined);
}, 'Writes and closes after a close reject with a TypeError');

promise_test(async (t) => {
  const error = new Error('close failed');
  const ws = new WritableStream({ close() { throw error; } });
  const writer = ws.getWriter();
  await promise_rejects_exactly(t, error, writer.close());
  await promise_rejects_exactly(t, error, writer.closed);
}, 'A close that throws rejects close() and closed');

promise_test(async () => {
  const order = [];
  const d = deferred();
  const ws = new WritableStream({ write() { return d.promise; } });
  const writer = ws.getWriter();
  await writer.ready;
  writer.write('a').then(() => order.push('write'));
  writer.ready.then(() => order.push('ready'));
  d.resolve();
  await flush();
  assert_array_equals(order, ['write', 'ready'], 'the write settles before backpressure is relieved');
}, 'A write\'s promise is resolved before the ready promise it relieves');

promise_test(async () => {
  const order = [];
  const ws = new WritableStream();
  const writer = ws.getWriter();
  writer.closed.then(() => order.push('closed'));
  writer.close().then(() => order.push('close'));
  await flush();
  assert_array_equals(order, ['close', 'closed']);
}, 'close()\'s promise is resolved before closed');

promise_test(async (t) => {
  const ws = new WritableStream();
  const writer = ws.getWriter();
  const closed = writer.closed;
  const ready = writer.ready;
  writer.releaseLock();
  await promise_rejects_js(t, TypeError, closed, 'closed');
  await promise_rejects_js(t, TypeError, writer.ready, 'ready is replaced by a rejected promise');
  assert_equals(await ready, undefined, 'the old ready promise had been resolved');
  await promise_rejects_js(t, TypeError, writer.write('x'));
  await promise_rejects_js(t, TypeError, writer.close());
  await promise_rejects_js(t, TypeError, writer.abort());
  assert_throws_js(TypeError, () => writer.desiredSize);
}, 'releaseLock rejects closed and ready with a TypeError; a released writer cannot be used');

promise_test(async () => {
  const d = deferred();
  const { sink, events } = recordingSink({ write: () => d.promise });
  const ws = new WritableStream(sink);
  const writer = ws.getWriter();
  const write = writer.write('pending');
  await flush();
  writer.releaseLock();
  d.resolve();
  assert_equals(await write, undefined, 'a write made before the release still completes');
  const writer2 = ws.getWriter();
  await writer2.write('next');
  assert_array_equals(events, ['start', 'write', 'pending', 'write', 'next']);
}, 'Releasing a writer does not cancel its writes');

// --- abort -------------------------------------------------------------------------

promise_test(async (t) => {
  const d = deferred();
  const { sink, events, controller } = recordingSink({ write: () => d.promise });
  const ws = new WritableStream(sink);
  const writer = ws.getWriter();
  const w1 = writer.write('in flight');
  const w2 = writer.write('queued');
  await flush();
  const abort = writer.abort('reason');
  assert_true(controller().signal.aborted, 'the signal is aborted at once');
  assert_equals(controller().signal.reason, 'reason');
  assert_equals(writer.desiredSize, null, 'the stream is erroring');
  await flush();
  assert_false(events.includes('abort'), 'the sink\'s abort waits for the write in flight');
  d.resolve();
  assert_equals(await w1, undefined, 'the write in flight completes');
  await promise_rejects_exactly(t, 'reason', w2, 'the queued write is rejected with the reason');
  assert_equals(await abort, undefined);
  assert_array_equals(events, ['start', 'write', 'in flight', 'abort', 'reason']);
  await promise_rejects_exactly(t, 'reason', writer.closed);
  await promise_rejects_exactly(t, 'reason', writer.write('after'));
}, 'abort waits for the write in flight, drops the queue, then calls the sink\'s abort');

promise_test(async () => {
  const order = [];
  let controller;
  const ws = new WritableStream({
    start(c) { controller = c; },
    abort(reason) { order.push('sink.abort'); },
  });
  await flush();
  controller.signal.addEventListener('abort', () => order.push('signal'));
  await ws.abort('r');
  assert_array_equals(order, ['signal', 'sink.abort'], 'the signal is aborted before the sink is told');
}, 'The controller\'s signal is aborted before the sink\'s abort is called');

promise_test(async (t) => {
  const error = new Error('abort failed');
  const ws = new WritableStream({ abort() { return Promise.reject(error); } });
  const writer = ws.getWriter();
  await promise_rejects_exactly(t, error, writer.abort('reason'), 'abort() rejects with the sink\'s error');
  await promise_rejects_exactly(t, 'reason', writer.closed, 'closed rejects with the abort reason');
}, 'A rejection of the sink\'s abort rejects abort() but the stream is errored with the reason');

promise_test(async () => {
  const ws = new WritableStream();
  const writer = ws.getWriter();
  await writer.close();
  assert_equals(await writer.abort('late'), undefined, 'aborting a closed stream does nothing');
  const ws2 = new WritableStream({ start(c) { c.error(new Error('e')); } });
  await flush();
  assert_equals(await ws2.abort('late'), undefined, 'aborting an errored stream does nothing');
}, 'abort of a closed or errored stream fulfills with undefined');

promise_test(async () => {
  const d = deferred();
  const ws = new WritableStream({ write() { return d.promise; } });
  const writer = ws.getWriter();
  writer.write('a');
  await flush();
  const a1 = writer.abort('first');
  const a2 = writer.abort('second');
  assert_equals(a1, a2, 'a second abort while the first is pending gives the same promise');
  d.resolve();
  await a1;
}, 'Two aborts in a row share one promise');

promise_test(async (t) => {
  const d = deferred();
  const { sink, events } = recordingSink({ close: () => d.promise });
  const ws = new WritableStream(sink);
  const writer = ws.getWriter();
  const close = writer.close();
  await flush();
  const abort = writer.abort('too late');
  d.resolve();
  await close;
  assert_equals(await abort, undefined, 'the abort is resolved once the close succeeded');
  assert_equals(await writer.closed, undefined, 'the stream closed, not errored');
  assert_false(events.includes('abort'), 'the sink is not aborted');
}, 'An abort during the close in flight: the close wins');

promise_test(async (t) => {
  const d = deferred();
  const { sink, events } = recordingSink({ start: () => d.promise });
  const ws = new WritableStream(sink);
  const writer = ws.getWriter();
  const write = writer.write('never');
  const close = writer.close();
  await flush();
  assert_array_equals(events, ['start'], 'nothing reaches the sink before start finishes');
  const abort = writer.abort('stop');
  await flush();
  assert_array_equals(events, ['start'], 'the sink\'s abort waits for start too');
  d.resolve();
  await promise_rejects_exactly(t, 'stop', write);
  await promise_rejects_exactly(t, 'stop', close);
  assert_equals(await abort, undefined);
  assert_array_equals(events, ['start', 'abort', 'stop'], 'the queued write and close never reach the sink');
}, 'Writes and a close queued behind a pending start are rejected by an abort');

promise_test(async (t) => {
  const error = new Error('erroring');
  const ws = new WritableStream({ start(c) { c.error(error); } });
  await promise_rejects_exactly(t, error, ws.abort('late'),
    'an abort of an erroring stream rejects with the stored error once the stream is errored');
}, 'abort of an erroring stream rejects with the stored error');

// --- the controller ----------------------------------------------------------------

promise_test(async (t) => {
  const error = new Error('controller error');
  const d = deferred();
  let controller;
  const ws = new WritableStream({
    start(c) { controller = c; },
    write() { return d.promise; },
  });
  const writer = ws.getWriter();
  const w1 = writer.write('a');
  const w2 = writer.write('b');
  await flush();
  controller.error(error);
  assert_equals(writer.desiredSize, null, 'erroring');
  await promise_rejects_exactly(t, error, writer.ready);
  d.resolve();
  assert_equals(await w1, undefined, 'the write in flight completes');
  await promise_rejects_exactly(t, error, w2);
  await promise_rejects_exactly(t, error, writer.closed);
  controller.error(new Error('ignored'));
}, 'controller.error errors the stream once the write in flight is done');

promise_test(async () => {
  let controller;
  const ws = new WritableStream({ start(c) { controller = c; } });
  const writer = ws.getWriter();
  await writer.close();
  controller.error(new Error('too late'));
  assert_equals(await writer.closed, undefined, 'error() after close does nothing');
}, 'controller.error on a closed stream does nothing');

promise_test(async (t) => {
  const error = new Error('before');
  const ws = new WritableStream({ start(c) { c.error(error); } });
  await flush();
  const writer = ws.getWriter();
  await promise_rejects_exactly(t, error, writer.ready, 'ready of a writer of an errored stream');
  await promise_rejects_exactly(t, error, writer.closed);
  assert_equals(writer.desiredSize, null);
}, 'A writer acquired on an errored stream');

promise_test(async () => {
  const { sink, events } = recordingSink();
  const ws = new WritableStream(sink);
  const writer = ws.getWriter();
  await writer.write();
  assert_array_equals(events, ['start', 'write', undefined], 'write() writes undefined');
}, 'write() with no argument writes undefined');

promise_test(async () => {
  const ws = new WritableStream();
  await ws.close();
  const writer = ws.getWriter();
  assert_equals(await writer.closed, undefined, 'closed is resolved for a closed stream');
  assert_equals(await writer.ready, undefined);
}, 'WritableStream.close() closes an unlocked stream');

promise_test(async () => {
  const d = deferred();
  const ws = new WritableStream({ write() { return d.promise; } });
  const writer = ws.getWriter();
  await writer.ready;
  writer.write('a');
  let ready = false;
  writer.ready.then(() => { ready = true; });
  const close = writer.close();
  await flush();
  assert_true(ready, 'a close resolves the pending ready promise');
  assert_equals(writer.desiredSize, 0, 'desiredSize stays what the queue makes it');
  d.resolve();
  await close;
}, 'close() relieves backpressure on the ready promise');

promise_test(async () => {
  const d = deferred();
  const ws = new WritableStream({ close() { return d.promise; } }, { highWaterMark: 0 });
  const writer = ws.getWriter();
  const close = writer.close();
  writer.releaseLock();
  const writer2 = ws.getWriter();
  assert_equals(await writer2.ready, undefined, 'a writer of a closing stream has a resolved ready');
  d.resolve();
  await close;
  assert_equals(await writer2.closed, undefined);
}, 'A writer acquired while the stream is closing');

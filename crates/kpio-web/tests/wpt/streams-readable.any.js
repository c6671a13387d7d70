// META: global=window,worker
// META: title=ReadableStream, its default controller and reader, tee, async iteration, from() and the queuing strategies (Streams Standard, sections 4 and 7)
'use strict';

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const flush = () => delay(0);

// A stream whose underlying source records the calls made to it.
function recordingStream(extras = {}, strategy = undefined) {
  const events = [];
  let controller;
  const stream = new ReadableStream({
    start(c) {
      controller = c;
      if (extras.start) return extras.start(c);
      return undefined;
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

async function readAll(reader) {
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

// --- the interface -----------------------------------------------------------------

test(() => {
  const rs = new ReadableStream();
  assert_false(rs.locked);
  for (const m of ['cancel', 'getReader', 'pipeThrough', 'pipeTo', 'tee', 'values']) {
    assert_equals(typeof ReadableStream.prototype[m], 'function', m);
  }
  assert_equals(ReadableStream.prototype[Symbol.asyncIterator], ReadableStream.prototype.values,
    '@@asyncIterator is the same function as values');
  assert_equals(typeof ReadableStream.from, 'function');
  assert_equals(Object.prototype.toString.call(rs), '[object ReadableStream]');
}, 'ReadableStream can be constructed with no arguments and has the standard\'s members');

test(() => {
  assert_throws_js(TypeError, () => new ReadableStream(5), 'a number');
  assert_throws_js(TypeError, () => new ReadableStream('potato'), 'a string');
  assert_throws_js(TypeError, () => new ReadableStream(null), 'null is not an object');
  assert_throws_js(TypeError, () => new ReadableStream({ start: 'no' }), 'start not callable');
  assert_throws_js(TypeError, () => new ReadableStream({ pull: 5 }), 'pull not callable');
  assert_throws_js(TypeError, () => new ReadableStream({ cancel: {} }), 'cancel not callable');
  assert_throws_js(TypeError, () => new ReadableStream({ type: 'nonsense' }), 'type is an enumeration');
  assert_throws_js(TypeError, () => ReadableStream({}), 'not called as a constructor');
}, 'The constructor throws a TypeError for an underlying source that does not convert');

test(() => {
  assert_throws_js(RangeError, () => new ReadableStream({}, { highWaterMark: -1 }));
  assert_throws_js(RangeError, () => new ReadableStream({}, { highWaterMark: NaN }));
  assert_throws_js(RangeError, () => new ReadableStream({}, { highWaterMark: 'abc' }));
  assert_throws_js(TypeError, () => new ReadableStream({}, { size: 'not a function' }));
  new ReadableStream({}, { highWaterMark: Infinity });
  new ReadableStream({}, { highWaterMark: 0 });
}, 'The strategy\'s highWaterMark must be a non-negative number and its size callable');

test(() => {
  const order = [];
  const source = {};
  for (const key of ['type', 'start', 'pull', 'cancel', 'autoAllocateChunkSize']) {
    Object.defineProperty(source, key, { get() { order.push('source.' + key); return undefined; } });
  }
  const strategy = {};
  for (const key of ['size', 'highWaterMark']) {
    Object.defineProperty(strategy, key, { get() { order.push('strategy.' + key); return undefined; } });
  }
  new ReadableStream(source, strategy);
  assert_array_equals(order, [
    'strategy.highWaterMark', 'strategy.size',
    'source.autoAllocateChunkSize', 'source.cancel', 'source.pull', 'source.start', 'source.type',
  ]);
}, 'The strategy argument is converted before the underlying source, each dictionary\'s members in lexicographic order');

test(() => {
  let controller;
  let thisValue;
  const source = {
    start(c) {
      controller = c;
      thisValue = this;
      assert_equals(arguments.length, 1);
    },
  };
  new ReadableStream(source);
  assert_equals(thisValue, source, 'start is called with the source as this');
  assert_true(controller instanceof ReadableStreamDefaultController);
  assert_equals(Object.prototype.toString.call(controller), '[object ReadableStreamDefaultController]');
  assert_equals(controller.desiredSize, 1, 'the default highWaterMark is 1');
  assert_throws_js(TypeError, () => new ReadableStreamDefaultController());
}, 'start is called synchronously with a ReadableStreamDefaultController, which cannot be constructed');

test(() => {
  const error = new Error('start threw');
  assert_throws_exactly(error, () => new ReadableStream({ start() { throw error; } }));
}, 'An exception thrown by start is rethrown by the constructor');

promise_test(async (t) => {
  const error = new Error('start rejected');
  const rs = new ReadableStream({ start() { return Promise.reject(error); } });
  await promise_rejects_exactly(t, error, rs.getReader().closed);
}, 'A start that returns a rejected promise errors the stream');

promise_test(async () => {
  let resolveStart;
  const { stream, events } = recordingStream({
    start: () => new Promise((resolve) => { resolveStart = resolve; }),
  });
  await flush();
  assert_array_equals(events, [], 'pull waits for start');
  resolveStart();
  await flush();
  assert_array_equals(events, ['pull'], 'pull is called once start finished, as the queue is below its high water mark');
  assert_false(stream.locked);
}, 'pull is not called before start\'s promise fulfills');

promise_test(async () => {
  const { stream, events, controller } = recordingStream({}, { highWaterMark: 0 });
  await flush();
  assert_array_equals(events, [], 'a highWaterMark of 0 asks for nothing');
  const reader = stream.getReader();
  const read = reader.read();
  await flush();
  assert_array_equals(events, ['pull'], 'a read asks');
  controller().enqueue('a');
  assert_object_equals(await read, { value: 'a', done: false });
  await flush();
  assert_array_equals(events, ['pull'], 'no more pulls without more reads');
}, 'With a highWaterMark of 0, pull is called only for reads');

promise_test(async () => {
  let pulls = 0;
  let resolvePull;
  const rs = new ReadableStream({
    pull() {
      pulls++;
      return new Promise((resolve) => { resolvePull = resolve; });
    },
  }, { highWaterMark: 0 });
  await flush();
  const reader = rs.getReader();
  reader.read();
  reader.read();
  await flush();
  assert_equals(pulls, 1, 'a second pull waits for the first one\'s promise');
  resolvePull();
  await flush();
  assert_equals(pulls, 2, 'the pull asked for meanwhile is made once the first one settles');
}, 'pull is never called again while its previous promise is pending');

promise_test(async (t) => {
  const error = new Error('pull rejected');
  const rs = new ReadableStream({ pull() { return Promise.reject(error); } });
  await promise_rejects_exactly(t, error, rs.getReader().read());
}, 'A pull that rejects errors the stream');

test(() => {
  let controller;
  new ReadableStream({ start(c) { controller = c; } }, {
    highWaterMark: '4',
    size(chunk) { return chunk.length; },
  });
  assert_equals(controller.desiredSize, 4, 'the highWaterMark is converted with ToNumber');
  controller.enqueue('ab');
  assert_equals(controller.desiredSize, 2);
  controller.enqueue('abc');
  assert_equals(controller.desiredSize, -1);
  controller.close();
  assert_equals(controller.desiredSize, -1, 'closing does not empty the queue');
}, 'desiredSize is the highWaterMark less the total size of the queued chunks');

promise_test(async (t) => {
  const error = new Error('size threw');
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } }, { size() { throw error; } });
  assert_throws_exactly(error, () => controller.enqueue('a'));
  assert_equals(controller.desiredSize, null, 'the stream is errored');
  await promise_rejects_exactly(t, error, rs.getReader().closed);
}, 'An exception from the size function is rethrown by enqueue and errors the stream');

test(() => {
  for (const bad of [-1, NaN, Infinity, 'x']) {
    let controller;
    new ReadableStream({ start(c) { controller = c; } }, { size() { return bad; } });
    assert_throws_js(RangeError, () => controller.enqueue('a'), String(bad));
    assert_equals(controller.desiredSize, null, `${bad}: the stream is errored`);
  }
}, 'A size that is negative, NaN, Infinity or not a number makes enqueue throw a RangeError and errors the stream');

test(() => {
  let controller;
  new ReadableStream({ start(c) { controller = c; } });
  controller.close();
  assert_throws_js(TypeError, () => controller.enqueue('a'), 'enqueue after close');
  assert_throws_js(TypeError, () => controller.close(), 'close twice');
  controller.error(new Error('ignored'));
  assert_equals(controller.desiredSize, 0, 'error() after close does nothing');
}, 'enqueue and close throw a TypeError once the stream is closing');

promise_test(async () => {
  const rs = new ReadableStream({
    start(c) {
      c.enqueue('a');
      c.enqueue('b');
      c.close();
    },
  });
  const reader = rs.getReader();
  assert_array_equals(await readAll(reader), ['a', 'b']);
  assert_equals(await reader.closed, undefined);
  assert_object_equals(await reader.read(), { value: undefined, done: true }, 'reads after the end are done');
}, 'Chunks enqueued then a close: every chunk is read, in order, then done');

promise_test(async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const reader = rs.getReader();
  const reads = [reader.read(), reader.read(), reader.read()];
  controller.enqueue(1);
  controller.enqueue(2);
  controller.close();
  const results = await Promise.all(reads);
  assert_object_equals(results[0], { value: 1, done: false });
  assert_object_equals(results[1], { value: 2, done: false });
  assert_object_equals(results[2], { value: undefined, done: true });
}, 'Pending reads are fulfilled in order by later chunks, and by the close');

promise_test(async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const reader = rs.getReader();
  const order = [];
  reader.read().then(() => order.push('read'));
  reader.closed.then(() => order.push('closed'));
  controller.close();
  await flush();
  assert_array_equals(order, ['closed', 'read'],
    'ReadableStreamClose resolves closed before running the read requests\' close steps');
}, 'On close, the reader\'s closed promise resolves before pending reads');

promise_test(async (t) => {
  const error = new Error('boom');
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const reader = rs.getReader();
  const read = reader.read();
  controller.error(error);
  assert_equals(controller.desiredSize, null);
  await promise_rejects_exactly(t, error, read, 'a pending read');
  await promise_rejects_exactly(t, error, reader.closed, 'closed');
  await promise_rejects_exactly(t, error, reader.read(), 'a later read');
  await promise_rejects_exactly(t, error, reader.cancel(), 'cancel of an errored stream');
}, 'controller.error rejects pending reads, closed, later reads and cancel with the error');

promise_test(async (t) => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  controller.enqueue('queued');
  controller.error(new Error('boom'));
  await promise_rejects_js(t, Error, rs.getReader().read(), 'queued chunks are dropped');
}, 'Erroring a stream discards its queue');

// --- readers and locking -------------------------------------------------------------

test(() => {
  const rs = new ReadableStream();
  const reader = rs.getReader();
  assert_true(reader instanceof ReadableStreamDefaultReader);
  assert_true(rs.locked);
  assert_throws_js(TypeError, () => rs.getReader(), 'a second reader');
  assert_throws_js(TypeError, () => new ReadableStreamDefaultReader(rs), 'a second reader by construction');
  assert_throws_js(TypeError, () => new ReadableStreamDefaultReader({}), 'not a stream');
  assert_throws_js(TypeError, () => rs.getReader({ mode: 'potato' }), 'mode is an enumeration');
  assert_throws_js(TypeError, () => new ReadableStream().getReader({ mode: 'byob' }),
    'a BYOB reader needs a byte stream');
  reader.releaseLock();
  assert_false(rs.locked);
  const reader2 = new ReadableStreamDefaultReader(rs);
  assert_true(rs.locked);
  reader2.releaseLock();
  assert_true(rs.getReader({ mode: undefined }) instanceof ReadableStreamDefaultReader, 'mode undefined');
}, 'A stream is locked to one reader at a time');

promise_test(async (t) => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const reader = rs.getReader();
  const read = reader.read();
  const closed = reader.closed;
  reader.releaseLock();
  await promise_rejects_js(t, TypeError, read, 'the pending read');
  await promise_rejects_js(t, TypeError, closed, 'closed');
  await promise_rejects_js(t, TypeError, reader.read(), 'read once released');
  await promise_rejects_js(t, TypeError, reader.cancel(), 'cancel once released');
  reader.releaseLock();
  const reader2 = rs.getReader();
  controller.enqueue('after');
  assert_object_equals(await reader2.read(), { value: 'after', done: false }, 'a new reader gets the chunk');
}, 'releaseLock rejects the pending reads and closed with a TypeError; a new reader can read on');

promise_test(async (t) => {
  const rs = new ReadableStream({ start(c) { c.close(); } });
  const reader = rs.getReader();
  await reader.closed;
  reader.releaseLock();
  await promise_rejects_js(t, TypeError, reader.closed, 'closed is replaced by a rejected promise');
  const reader2 = rs.getReader();
  assert_equals(await reader2.closed, undefined, 'a reader of a closed stream has a resolved closed');
  assert_object_equals(await reader2.read(), { value: undefined, done: true });
}, 'Releasing a reader of a closed stream; a new reader sees the stream closed');

promise_test(async (t) => {
  const error = new Error('stored');
  const rs = new ReadableStream({ start(c) { c.error(error); } });
  await promise_rejects_exactly(t, error, rs.getReader().closed, 'a reader of an errored stream');
}, 'A reader acquired on an errored stream has closed rejected with the stored error');

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, ReadableStream.prototype.cancel.call({}), 'cancel');
  await promise_rejects_js(t, TypeError, ReadableStreamDefaultReader.prototype.read.call({}), 'read');
  const closedGetter = Object.getOwnPropertyDescriptor(ReadableStreamDefaultReader.prototype, 'closed').get;
  await promise_rejects_js(t, TypeError, closedGetter.call({}), 'closed');
  assert_throws_js(TypeError, () => ReadableStream.prototype.getReader.call({}), 'getReader throws');
  assert_throws_js(TypeError, () => Object.getOwnPropertyDescriptor(ReadableStream.prototype, 'locked').get.call({}));
  assert_throws_js(TypeError, () => ReadableStream.prototype.tee.call({}), 'tee throws');
}, 'Brand checks: promise-returning members reject, the others throw');

// --- cancel --------------------------------------------------------------------------

promise_test(async () => {
  const { stream, events, controller } = recordingStream({ cancel: () => 'ignored value' });
  controller().enqueue('dropped');
  const result = await stream.cancel('the reason');
  assert_equals(result, undefined, 'cancel fulfills with undefined whatever the source returns');
  assert_array_equals(events.filter((e) => e !== 'pull'), ['cancel', 'the reason']);
  const reader = stream.getReader();
  assert_object_equals(await reader.read(), { value: undefined, done: true }, 'the queue was discarded');
  assert_equals(await reader.cancel(), undefined, 'cancelling a closed stream');
}, 'cancel calls the source\'s cancel with the reason, closes the stream and drops its queue');

promise_test(async (t) => {
  const error = new Error('cancel threw');
  const rs = new ReadableStream({ cancel() { throw error; } });
  await promise_rejects_exactly(t, error, rs.cancel());
  const rs2 = new ReadableStream({ cancel() { return Promise.reject(error); } });
  await promise_rejects_exactly(t, error, rs2.cancel());
}, 'cancel rejects with what the source\'s cancel throws or rejects with');

promise_test(async (t) => {
  const { stream, events } = recordingStream();
  const reader = stream.getReader();
  await promise_rejects_js(t, TypeError, stream.cancel('x'), 'a locked stream cannot be cancelled');
  assert_false(events.includes('cancel'));
  const read = reader.read();
  await reader.cancel('by reader');
  assert_object_equals(await read, { value: undefined, done: true }, 'the pending read finishes as done');
  assert_equals(await reader.closed, undefined);
  assert_array_equals(events.filter((e) => e !== 'pull'), ['cancel', 'by reader']);
}, 'A locked stream is cancelled through its reader; pending reads end');

promise_test(async () => {
  let resolveCancel;
  let cancelled = false;
  const rs = new ReadableStream({ cancel() { return new Promise((r) => { resolveCancel = r; }); } });
  const p = rs.cancel().then(() => { cancelled = true; });
  await flush();
  assert_false(cancelled, 'cancel waits for the source');
  resolveCancel();
  await p;
  assert_true(cancelled);
}, 'cancel\'s promise waits for the source\'s cancel promise');

// --- tee ---------------------------------------------------------------------------

promise_test(async () => {
  const chunk = { an: 'object' };
  const rs = new ReadableStream({
    start(c) {
      c.enqueue(chunk);
      c.enqueue('b');
      c.close();
    },
  });
  const [branch1, branch2] = rs.tee();
  assert_true(rs.locked, 'the source is locked by tee');
  assert_true(branch1 instanceof ReadableStream && branch2 instanceof ReadableStream);
  const [a, b] = await Promise.all([readAll(branch1.getReader()), readAll(branch2.getReader())]);
  assert_array_equals(a, [chunk, 'b']);
  assert_array_equals(b, [chunk, 'b']);
  assert_equals(a[0], b[0], 'the default tee does not clone chunks');
}, 'tee gives two branches with every chunk, then both close');

promise_test(async () => {
  const { stream, events } = recordingStream();
  const [branch1, branch2] = stream.tee();
  let cancel1Done = false;
  const cancel1 = branch1.cancel('r1').then(() => { cancel1Done = true; });
  await flush();
  assert_false(events.includes('cancel'), 'one branch cancelled does not cancel the source');
  assert_false(cancel1Done, 'the first branch\'s cancel waits for the other branch');
  await branch2.cancel('r2');
  await cancel1;
  const i = events.indexOf('cancel');
  assert_not_equals(i, -1);
  assert_array_equals(events[i + 1], ['r1', 'r2'], 'the source is cancelled with both reasons');
}, 'Cancelling both branches cancels the source with an array of both reasons');

promise_test(async (t) => {
  const error = new Error('source error');
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const [branch1, branch2] = rs.tee();
  const r1 = branch1.getReader();
  const r2 = branch2.getReader();
  controller.error(error);
  await promise_rejects_exactly(t, error, r1.closed);
  await promise_rejects_exactly(t, error, r2.closed);
}, 'An error of the source errors both branches');

promise_test(async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const [branch1, branch2] = rs.tee();
  const r1 = branch1.getReader();
  controller.enqueue('x');
  assert_object_equals(await r1.read(), { value: 'x', done: false }, 'branch 1 reads');
  controller.close();
  assert_object_equals(await r1.read(), { value: undefined, done: true });
  const r2 = branch2.getReader();
  assert_object_equals(await r2.read(), { value: 'x', done: false }, 'branch 2 kept the chunk');
  assert_object_equals(await r2.read(), { value: undefined, done: true });
}, 'A branch that is not read keeps the chunks the other branch pulled');

// --- async iteration ---------------------------------------------------------------

promise_test(async () => {
  const rs = new ReadableStream({
    start(c) {
      c.enqueue(1);
      c.enqueue(2);
      c.enqueue(3);
      c.close();
    },
  });
  const chunks = [];
  for await (const chunk of rs) chunks.push(chunk);
  assert_array_equals(chunks, [1, 2, 3]);
  assert_false(rs.locked, 'the reader is released at the end');
}, 'for await reads every chunk and releases the lock at the end');

promise_test(async () => {
  const { stream, events, controller } = recordingStream();
  controller().enqueue('a');
  controller().enqueue('b');
  for await (const chunk of stream) {
    assert_equals(chunk, 'a');
    break;
  }
  assert_false(stream.locked);
  assert_array_equals(events.filter((e) => e !== 'pull'), ['cancel', undefined], 'break cancels the stream');
}, 'Leaving a for await loop early cancels the stream');

promise_test(async () => {
  const { stream, events, controller } = recordingStream();
  controller().enqueue('a');
  controller().enqueue('b');
  for await (const chunk of stream.values({ preventCancel: true })) {
    assert_equals(chunk, 'a');
    break;
  }
  assert_false(stream.locked, 'the lock is released');
  assert_false(events.includes('cancel'), 'preventCancel keeps the stream');
  const reader = stream.getReader();
  assert_object_equals(await reader.read(), { value: 'b', done: false }, 'the rest can still be read');
}, 'values({ preventCancel: true }) releases the lock without cancelling');

promise_test(async (t) => {
  const error = new Error('mid-iteration');
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const it = rs[Symbol.asyncIterator]();
  const next = it.next();
  controller.error(error);
  await promise_rejects_exactly(t, error, next);
  assert_false(rs.locked, 'an error releases the lock');
  assert_object_equals(await it.next(), { value: undefined, done: true }, 'the iterator is finished');
}, 'An error of the stream rejects next() and finishes the iterator');

promise_test(async () => {
  const rs = new ReadableStream({ start(c) { c.enqueue('x'); } });
  const it = rs.values();
  assert_object_equals(await it.return('value'), { value: 'value', done: true });
  assert_object_equals(await it.next(), { value: undefined, done: true }, 'next after return');
  assert_object_equals(await it.return('again'), { value: 'again', done: true }, 'return after return');
}, 'return() ends the iteration, and later calls report done');

promise_test(async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const it = rs.values();
  const p1 = it.next();
  const p2 = it.next();
  controller.enqueue('a');
  controller.enqueue('b');
  controller.close();
  assert_object_equals(await p1, { value: 'a', done: false });
  assert_object_equals(await p2, { value: 'b', done: false });
  assert_object_equals(await it.next(), { value: undefined, done: true });
}, 'Several next() calls made at once are answered in order');

test(() => {
  const rs = new ReadableStream();
  rs.getReader();
  assert_throws_js(TypeError, () => rs.values(), 'values of a locked stream throws at once');
  assert_throws_js(TypeError, () => rs[Symbol.asyncIterator]());
  const it = new ReadableStream().values();
  const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  assert_equals(Object.getPrototypeOf(Object.getPrototypeOf(it)), AsyncIteratorPrototype,
    'the iterator\'s prototype inherits from %AsyncIteratorPrototype%');
  assert_equals(typeof it.next, 'function');
  assert_equals(typeof it.return, 'function');
}, 'values() locks the stream at once; the iterator inherits from %AsyncIteratorPrototype%');

// --- ReadableStream.from -------------------------------------------------------------

promise_test(async () => {
  const rs = ReadableStream.from([1, Promise.resolve(2), 3]);
  assert_true(rs instanceof ReadableStream);
  assert_array_equals(await readAll(rs.getReader()), [1, 2, 3], 'promises of a sync iterable are awaited');
  async function* gen() {
    yield 'a';
    yield 'b';
  }
  assert_array_equals(await readAll(ReadableStream.from(gen()).getReader()), ['a', 'b']);
}, 'ReadableStream.from makes a stream from a sync or an async iterable');

test(() => {
  assert_throws_js(TypeError, () => ReadableStream.from(5));
  assert_throws_js(TypeError, () => ReadableStream.from({}));
  assert_throws_js(TypeError, () => ReadableStream.from(null));
  assert_throws_js(TypeError, () => ReadableStream.from({ [Symbol.asyncIterator]: 5 }));
  const error = new Error('get iterator');
  assert_throws_exactly(error, () => ReadableStream.from({ [Symbol.iterator]() { throw error; } }));
}, 'ReadableStream.from throws at once for what is not iterable');

promise_test(async () => {
  const log = [];
  const iterable = {
    [Symbol.asyncIterator]() {
      return {
        next() {
          log.push('next');
          return Promise.resolve({ value: log.length, done: false });
        },
        return(reason) {
          log.push('return', reason);
          return Promise.resolve({ done: true });
        },
      };
    },
  };
  const rs = ReadableStream.from(iterable);
  await flush();
  assert_array_equals(log, [], 'the stream\'s highWaterMark is 0: nothing is asked before a read');
  const reader = rs.getReader();
  assert_object_equals(await reader.read(), { value: 1, done: false });
  await reader.cancel('why');
  assert_array_equals(log, ['next', 'return', 'why'], 'cancel calls return with the reason');
}, 'A stream from an iterable pulls only on reads, and cancel calls the iterator\'s return');

promise_test(async (t) => {
  const error = new Error('next threw');
  const throwing = { [Symbol.asyncIterator]() { return { next() { throw error; } }; } };
  await promise_rejects_exactly(t, error, ReadableStream.from(throwing).getReader().read());
  const notObject = { [Symbol.asyncIterator]() { return { next() { return Promise.resolve(42); } }; } };
  await promise_rejects_js(t, TypeError, ReadableStream.from(notObject).getReader().read());
}, 'An iterator whose next throws, or gives a non-object, errors the stream');

// --- the queuing strategies --------------------------------------------------------

test(() => {
  const count = new CountQueuingStrategy({ highWaterMark: 5 });
  assert_equals(count.highWaterMark, 5);
  assert_equals(count.size(), 1);
  assert_equals(count.size.length, 0);
  assert_equals(count.size, new CountQueuingStrategy({ highWaterMark: 1 }).size, 'one size function per realm');
  const bytes = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
  assert_equals(bytes.highWaterMark, 16);
  assert_equals(bytes.size(new Uint8Array(3)), 3);
  assert_equals(bytes.size({ byteLength: 'anything' }), 'anything', 'size returns Get(chunk, "byteLength")');
  assert_equals(bytes.size.length, 1);
  assert_equals(bytes.size, new ByteLengthQueuingStrategy({ highWaterMark: 2 }).size);
  assert_equals(new CountQueuingStrategy({ highWaterMark: -3 }).highWaterMark, -3, 'no validation here');
  assert_throws_js(TypeError, () => new CountQueuingStrategy({}), 'highWaterMark is required');
  assert_throws_js(TypeError, () => new ByteLengthQueuingStrategy(), 'the init dictionary is required');
  assert_throws_js(TypeError, () => new count.size(), 'size is not a constructor');
}, 'CountQueuingStrategy and ByteLengthQueuingStrategy');

test(() => {
  let controller;
  new ReadableStream({ start(c) { controller = c; } }, new ByteLengthQueuingStrategy({ highWaterMark: 10 }));
  controller.enqueue(new Uint8Array(4));
  assert_equals(controller.desiredSize, 6);
  let controller2;
  new ReadableStream({ start(c) { controller2 = c; } }, new CountQueuingStrategy({ highWaterMark: 2 }));
  controller2.enqueue('a');
  controller2.enqueue('b');
  controller2.enqueue('c');
  assert_equals(controller2.desiredSize, -1);
}, 'The queuing strategies drive desiredSize');

promise_test(async () => {
  let controller;
  let cancelled = false;
  const rs = new ReadableStream({
    start(c) { controller = c; },
    cancel() { cancelled = true; },
  });
  const it = rs.values();
  const next = it.next();
  const ret = it.return('early');
  await flush();
  assert_false(cancelled, 'return waits for the pending next');
  controller.enqueue('a');
  assert_object_equals(await next, { value: 'a', done: false });
  assert_object_equals(await ret, { value: 'early', done: true });
  assert_true(cancelled, 'then cancels the stream');
}, 'return() waits for a pending next()');

promise_test(async (t) => {
  const iterable = {
    [Symbol.asyncIterator]() {
      return {
        next() { return Promise.resolve({ value: 1, done: false }); },
        return() { return Promise.resolve(5); },
      };
    },
  };
  await promise_rejects_js(t, TypeError, ReadableStream.from(iterable).cancel(),
    'a return() result that is not an object rejects the cancel');
  const noReturn = { [Symbol.asyncIterator]() { return { next() { return Promise.resolve({ done: true }); } }; } };
  assert_equals(await ReadableStream.from(noReturn).cancel('x'), undefined, 'no return method: nothing to call');
}, 'Cancelling a stream made by from(): the iterator\'s return result must be an object');

promise_test(async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const [branch1] = rs.tee();
  const reader = branch1.getReader();
  const read = reader.read();
  let settled = false;
  read.then(() => { settled = true; });
  controller.enqueue('chunk');
  await Promise.resolve();
  assert_false(settled, 'a tee branch gets the chunk in a microtask queued by the chunk steps, not synchronously');
  assert_object_equals(await read, { value: 'chunk', done: false });
}, 'tee enqueues into its branches in a queued microtask');

test(() => {
  const it = new ReadableStream().values();
  const proto = Object.getPrototypeOf(it);
  assert_array_equals(Object.getOwnPropertyNames(proto).sort(), ['next', 'return']);
  for (const m of ['next', 'return']) {
    const d = Object.getOwnPropertyDescriptor(proto, m);
    assert_true(d.enumerable && d.configurable && d.writable, `${m} is a regular operation`);
    assert_equals(it[m].name, m);
  }
  assert_equals(it.next.length, 0);
  assert_equals(it.return.length, 1);
  assert_equals(it.throw, undefined, 'no throw method');
  const d = Object.getOwnPropertyDescriptor(ReadableStream.prototype, Symbol.asyncIterator);
  assert_false(d.enumerable, '@@asyncIterator is not enumerable');
  assert_true(Object.getOwnPropertyDescriptor(ReadableStream.prototype, 'values').enumerable, 'values is');
}, 'The async iterator prototype\'s members are WebIDL\'s');

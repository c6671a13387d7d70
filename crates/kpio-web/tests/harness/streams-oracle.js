#!/usr/bin/env node
// streams-oracle.js — prove the Streams suites of ../wpt/ and ../../js/streams.js right
// against each other and against Node.js.
//
//   node streams-oracle.js [FILE...]      (default: ../wpt/streams-*.any.js)
//
// Every file is run TWICE, each time in a fresh Node process of its own:
//
//   (a) "node": against Node's native WHATWG streams, exactly as node-oracle.js runs a
//       file: the scripts are evaluated in the process's main realm, whose global is
//       made to look like a web global (an EventTarget, `self`, Node-only globals
//       hidden, uncaught exceptions and unhandled rejections turned into `error` and
//       `unhandledrejection` events at the global).
//
//   (b) "kpio": against kpio-web's js/streams.js, in a fresh `vm` context whose global
//       has only ECMAScript's built-ins plus what is listed below, so none of Node's
//       stream classes (ReadableStream, WritableStream, TransformStream, the queuing
//       strategies, TextEncoderStream, TextDecoderStream, ...) can be reached. The
//       prelude files are evaluated as kpio-web evaluates them: each is one function
//       expression called with `(ops, internals)`. First the real js/webidl.js (with a
//       stub `ops`: it needs none), then js/streams.js. What the context gets from Node:
//         setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask,
//         structuredClone, EventTarget, Event, AbortController, AbortSignal,
//         DOMException, console: Node's own;
//         TextEncoder, TextDecoder: thin classes made inside the context around Node's,
//         so that their Uint8Arrays and exceptions belong to the context's realm (as
//         they would in a kpio realm) and `instanceof` in the tests means what it says;
//         internals.isAbortSignal and internals.onAbort (abort.js's, which pipeTo uses):
//         an `instanceof AbortSignal` check and an `abort` listener.
//       js/dom_exception.js is NOT evaluated: the AbortError that Node's
//       AbortController makes must be an instance of the context's DOMException (the
//       tests' promise_rejects_dom checks the constructor), so DOMException is Node's.
//       The process runs with --harmony-rab-gsab-transfer, so that V8 (Node 20) has
//       ArrayBuffer.prototype.transfer and `detached`, which QuickJS-NG has natively
//       and streams.js uses to detach buffers.
//       testharness.js and the test file are evaluated in the context too, and the
//       context's global gets addEventListener/removeEventListener/dispatchEvent (to a
//       Node EventTarget) so testharness.js hears the bridged `error` and
//       `unhandledrejection` events.
//
// Output, per run: one line per subtest, as node-oracle.js prints them,
//   PASS <file>: <name>
//   FAIL <file>: <name>: <message>          (also TIMEOUT, NOTRUN, PRECONDITION_FAILED)
//   HARNESS-<STATUS> <file>: <message>      (when the file's harness status is not OK)
// then the run's summary; at the end both runs' summaries again, each alone on a line:
//   node: N passed, M failed
//   streams.js: N passed, M failed
// A FAIL in run (a) that is listed in NODE_DEVIATIONS below is marked
// `(Node deviates from the standard: <reason>)`.
// The exit code is 0 only if run (b) passed everything and run (a) failed exactly the
// listed deviations.

'use strict';

const fs = require('fs');
const path = require('path');
const {
  TESTHARNESS, FILE_TIMEOUT_MS, GRACE_MS, TEST_STATUS, HARNESS_STATUS, parseMeta, oneLine,
} = require('./common');
const { fork } = require('child_process');

const HARNESS_DIR = __dirname;
const CRATE_DIR = path.join(HARNESS_DIR, '..', '..');
const PRELUDE = ['webidl.js', 'streams.js'].map((f) => path.join(CRATE_DIR, 'js', f));
const DEFAULT_FILES = ['readable', 'byte', 'writable', 'transform', 'piping']
  .map((s) => path.join(CRATE_DIR, 'tests', 'wpt', `streams-${s}.any.js`));

// Subtests that Node.js 20 fails because Node does not do what the standard says.
// "file | subtest name" -> why.
const NODE_DEVIATIONS = {
  'streams-readable.any.js | The strategy argument is converted before the underlying source, each dictionary\'s members in lexicographic order':
    'WebIDL converts the arguments in order (strategy, a QueuingStrategy dictionary, before the constructor body converts underlyingSource to UnderlyingSource) and a dictionary\'s members in lexicographic order; Node reads strategy.size before strategy.highWaterMark, the source\'s members in another order, and never reads autoAllocateChunkSize of a non-byte source',
  'streams-writable.any.js | The strategy is converted before the underlying sink, members in lexicographic order':
    'as above: Node reads sink.type first, then the strategy (size before highWaterMark), then start, write, close, abort',
  'streams-transform.any.js | The strategies are converted before the transformer, members in lexicographic order':
    'as above: Node reads readableType, writableType and start of the transformer first, and the readable strategy before the writable one',
  'streams-byte.any.js | autoAllocateChunkSize is an [EnforceRange] unsigned long long':
    'UnderlyingSource.autoAllocateChunkSize is [EnforceRange] unsigned long long, so -1 must throw a TypeError; Node throws an internal assertion Error (ERR_INTERNAL_ASSERTION)',
  'streams-byte.any.js | respond\'s bytesWritten is an [EnforceRange] unsigned long long':
    'respond(Infinity) must throw a TypeError ([EnforceRange]); Node throws a RangeError (it also accepts respond(-1), leaving the stream broken, which is why -1 is not tested)',
};

const HIDDEN_GLOBALS = [
  'process', 'Buffer', 'global', 'setImmediate', 'clearImmediate',
  'fetch', 'Request', 'Response', 'Headers', 'FormData',
];


// ---------------------------------------------------------------------------
// Child: run one file in one mode.
// ---------------------------------------------------------------------------

function runChild(mode, file) {
  const vm = require('vm');
  const proc = process;
  const later = setImmediate;
  const send = (msg) => { if (proc.send) proc.send(msg); };
  const source = fs.readFileSync(file, 'utf8');
  const meta = parseMeta(source);

  // `g` is the global the tests see, `evaluate` runs a script in it, `dispatch` fires
  // an event at it.
  let g;
  let evaluate;
  let dispatch;

  if (mode === 'node') {
    g = globalThis;
    const gp = Object.getPrototypeOf(g);
    Object.setPrototypeOf(gp, EventTarget.prototype);
    function GlobalScope() { throw new TypeError('Illegal constructor'); }
    Object.setPrototypeOf(GlobalScope, EventTarget);
    GlobalScope.prototype = gp;
    Object.defineProperty(gp, 'constructor', { value: GlobalScope, writable: true, configurable: true });
    const donor = new EventTarget();
    for (const sym of Object.getOwnPropertySymbols(donor)) {
      Object.defineProperty(g, sym, { value: donor[sym], writable: true, configurable: true });
    }
    for (const name of ['addEventListener', 'removeEventListener', 'dispatchEvent']) {
      const impl = EventTarget.prototype[name];
      const wrapper = { [name](...args) { return impl.apply(this == null ? g : this, args); } }[name];
      Object.defineProperty(wrapper, 'length', { value: impl.length });
      Object.defineProperty(gp, name, { value: wrapper, writable: true, enumerable: true, configurable: true });
    }
    Object.defineProperty(g, 'self', { value: g, writable: true, enumerable: true, configurable: true });
    for (const name of HIDDEN_GLOBALS) delete g[name];
    evaluate = (code, filename) => vm.runInThisContext(code, { filename });
    dispatch = (ev) => g.dispatchEvent(ev);
  } else {
    const context = vm.createContext({});
    evaluate = (code, filename) => vm.runInContext(code, context, { filename });
    g = evaluate('globalThis', 'oracle:global');
    const fromNode = {
      setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, structuredClone,
      EventTarget, Event, AbortController, AbortSignal, DOMException, console,
    };
    for (const [name, value] of Object.entries(fromNode)) {
      Object.defineProperty(g, name, { value, writable: true, enumerable: false, configurable: true });
    }
    const encoding = evaluate(`(function (NodeTextEncoder, NodeTextDecoder) {
      'use strict';
      const encoder = new NodeTextEncoder();
      class TextEncoder {
        get encoding() { return 'utf-8'; }
        encode(input = '') {
          const bytes = encoder.encode(String(input));
          const out = new Uint8Array(bytes.length);
          out.set(bytes);
          return out;
        }
        encodeInto(source, destination) {
          const r = encoder.encodeInto(String(source), destination);
          return { read: r.read, written: r.written };
        }
      }
      class TextDecoder {
        #decoder;
        constructor(label = 'utf-8', options = undefined) {
          try {
            this.#decoder = new NodeTextDecoder(label, options);
          } catch (e) {
            throw new RangeError(e.message);
          }
        }
        get encoding() { return this.#decoder.encoding; }
        get fatal() { return this.#decoder.fatal; }
        get ignoreBOM() { return this.#decoder.ignoreBOM; }
        decode(input = undefined, options = undefined) {
          try {
            return this.#decoder.decode(input, options);
          } catch (e) {
            throw new TypeError(e.message);
          }
        }
      }
      return { TextEncoder, TextDecoder };
    })`, 'oracle:encoding.js')(TextEncoder, TextDecoder);
    for (const name of ['TextEncoder', 'TextDecoder']) {
      Object.defineProperty(g, name, { value: encoding[name], writable: true, enumerable: false, configurable: true });
    }
    // The global as an EventTarget, for testharness.js.
    const target = new EventTarget();
    for (const name of ['addEventListener', 'removeEventListener', 'dispatchEvent']) {
      const impl = EventTarget.prototype[name];
      Object.defineProperty(g, name, {
        value: { [name](...args) { return impl.apply(target, args); } }[name],
        writable: true, enumerable: true, configurable: true,
      });
    }
    evaluate('globalThis.self = globalThis;', 'oracle:self');
    dispatch = (ev) => target.dispatchEvent(ev);

    // The prelude, as kpio-web evaluates it.
    const ops = evaluate('({})', 'oracle:ops');
    const internals = evaluate('({})', 'oracle:internals');
    internals.domException = (name, message) => new DOMException(message, name);
    internals.isAbortSignal = (v) => v instanceof AbortSignal;
    internals.onAbort = (signal, algorithm) => {
      if (!signal.aborted) signal.addEventListener('abort', () => algorithm(), { once: true });
    };
    for (const f of PRELUDE) {
      const fn = evaluate(fs.readFileSync(f, 'utf8'), `kpio:${path.basename(f)}`);
      fn(ops, internals);
    }
    // Sanity: the context reaches no Node stream class, only streams.js's.
    for (const name of ['ReadableStream', 'WritableStream', 'TransformStream', 'TextEncoderStream', 'ByteLengthQueuingStrategy']) {
      if (g[name] === globalThis[name]) throw new Error(`the vm context reaches Node's ${name}`);
    }
  }

  // --- "report an exception" bridge ----------------------------------------
  let reporting = false;
  function reportException(err) {
    if (reporting) {
      proc.stderr.write(`[streams-oracle] exception while reporting an exception: ${err && err.stack || err}\n`);
      return;
    }
    reporting = true;
    try {
      const ev = new Event('error', { cancelable: true });
      const message = err && typeof err === 'object' && 'message' in err
        ? 'Uncaught ' + (err.name ? err.name + ': ' : '') + err.message
        : 'Uncaught ' + String(err);
      let filename = '', lineno = 0, colno = 0;
      const m = err && typeof err.stack === 'string' && /\(?([^\s()]+):(\d+):(\d+)\)?/.exec(err.stack.split('\n')[1] || '');
      if (m) { filename = m[1]; lineno = +m[2]; colno = +m[3]; }
      for (const [k, v] of Object.entries({ message, error: err, filename, lineno, colno })) {
        Object.defineProperty(ev, k, { value: v, enumerable: true, configurable: true });
      }
      dispatch(ev);
    } catch (e) {
      proc.stderr.write(`[streams-oracle] could not report an exception: ${e && e.stack || e}\n`);
    } finally {
      reporting = false;
    }
  }
  proc.on('uncaughtException', (err) => reportException(err));
  proc.on('unhandledRejection', (reason, promise) => {
    const ev = new Event('unhandledrejection', { cancelable: true });
    Object.defineProperty(ev, 'reason', { value: reason, enumerable: true });
    Object.defineProperty(ev, 'promise', { value: promise, enumerable: true });
    try { dispatch(ev); } catch (e) { proc.stderr.write(`[streams-oracle] ${e && e.stack || e}\n`); }
  });

  function runScript(filename) {
    try {
      evaluate(fs.readFileSync(filename, 'utf8'), filename);
    } catch (err) {
      reportException(err);
    }
  }

  for (const { key, value } of meta) {
    if (key === 'title') g.META_TITLE = value;
  }
  runScript(TESTHARNESS);

  let finished = false;
  const reported = new Set();
  const sendResult = (t) => {
    if (reported.has(t)) return;
    reported.add(t);
    send({ type: 'result', status: TEST_STATUS[t.status] || String(t.status), name: t.name, message: t.message });
  };
  g.add_result_callback(sendResult);
  g.add_completion_callback((tests, status) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    for (const t of tests) sendResult(t);
    send({ type: 'done', status: HARNESS_STATUS[status.status] || String(status.status), message: status.message });
    later(() => proc.exit(0));
  });
  const timer = setTimeout(() => {
    if (finished) return;
    g.timeout();
    setTimeout(() => {
      if (finished) return;
      send({ type: 'done', status: 'CRASH', message: 'harness did not complete after timeout()' });
      later(() => proc.exit(0));
    }, GRACE_MS);
  }, FILE_TIMEOUT_MS);

  for (const { key, value } of meta) {
    if (key !== 'script') continue;
    const scriptPath = value.startsWith('/resources/')
      ? path.join(HARNESS_DIR, 'node_modules', 'wpt-runner', 'testharness', value.slice('/resources/'.length))
      : path.resolve(path.dirname(file), value);
    runScript(scriptPath);
  }
  runScript(file);
}

// ---------------------------------------------------------------------------
// Parent.
// ---------------------------------------------------------------------------

function runFile(mode, file) {
  return new Promise((resolve) => {
    const results = [];
    let harness = null;
    const flags = ['--no-warnings'];
    if (mode === 'kpio') flags.push('--harmony-rab-gsab-transfer');
    const child = fork(__filename, ['--child', mode, file], {
      execArgv: [...process.execArgv, ...flags],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout.pipe(process.stderr);
    const killer = setTimeout(() => child.kill('SIGKILL'), FILE_TIMEOUT_MS + GRACE_MS + 3000);
    child.on('message', (msg) => {
      if (msg.type === 'result') results.push(msg);
      else if (msg.type === 'done') harness = msg;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      if (!harness) {
        harness = { status: 'CRASH', message: `child exited (code ${code}, signal ${signal}) before the harness completed` };
      }
      resolve({ results, harness });
    });
  });
}


async function runParent(args) {
  const files = (args.length > 0 ? args : DEFAULT_FILES).map((f) => path.resolve(f));
  if (!fs.existsSync(TESTHARNESS)) {
    console.error(`streams-oracle: ${TESTHARNESS} is missing; run \`npm ci\` in ${HARNESS_DIR}`);
    process.exit(2);
  }
  const runs = [
    { mode: 'node', label: 'node', title: '(a) Node.js native WHATWG streams' },
    { mode: 'kpio', label: 'streams.js', title: '(b) kpio-web js/streams.js in a vm context without Node\'s streams' },
  ];
  let ok = true;
  const summaries = [];
  for (const run of runs) {
    console.log(`=== ${run.title} ===`);
    let passed = 0;
    let failed = 0;
    const perFile = [];
    const deviations = new Set();
    let unexpected = 0;
    for (const file of files) {
      const display = path.basename(file);
      if (!fs.existsSync(file)) {
        console.log(`HARNESS-ERROR ${display}: no such file`);
        failed++;
        unexpected++;
        continue;
      }
      const { results, harness } = await runFile(run.mode, file);
      let filePassed = 0;
      for (const r of results) {
        if (r.status === 'PASS') {
          passed++;
          filePassed++;
          console.log(`PASS ${display}: ${oneLine(r.name)}`);
          continue;
        }
        failed++;
        const key = `${display} | ${r.name}`;
        let note = '';
        if (run.mode === 'node' && key in NODE_DEVIATIONS) {
          deviations.add(key);
          note = ` (Node deviates from the standard: ${NODE_DEVIATIONS[key]})`;
        } else {
          unexpected++;
        }
        console.log(`${r.status} ${display}: ${oneLine(r.name)}: ${oneLine(r.message)}${note}`);
      }
      if (harness.status !== 'OK') {
        failed++;
        unexpected++;
        console.log(`HARNESS-${harness.status} ${display}: ${oneLine(harness.message)}`);
      }
      perFile.push(`${display} ${filePassed}/${results.length}`);
    }
    if (run.mode === 'node') {
      for (const key of Object.keys(NODE_DEVIATIONS)) {
        if (!deviations.has(key)) {
          console.log(`UNEXPECTED-PASS ${key}: listed as a Node deviation, but it did not fail`);
          unexpected++;
        }
      }
    }
    if (unexpected > 0) ok = false;
    const summary = `${passed} passed, ${failed} failed`;
    const note = run.mode === 'node' ? ` (${deviations.size} of the failures are listed Node deviations)` : '';
    console.log(`${run.title}: ${summary}${note} [${perFile.join(', ')}]`);
    summaries.push(`${run.label}: ${summary}`);
  }
  // The two runs' summaries, each alone on its line; streams.js's last.
  console.log('=== summaries ===');
  for (const s of summaries) console.log(s);
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[2] === '--child') {
  runChild(process.argv[3], path.resolve(process.argv[4]));
} else {
  runParent(process.argv.slice(2));
}

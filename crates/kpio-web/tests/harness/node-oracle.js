#!/usr/bin/env node
// node-oracle.js — run WPT-style `.any.js` test files on Node.js, as an oracle.
//
//   node node-oracle.js FILE...
//
// Purpose: prove that the conformance tests in ../wpt/ are themselves right, by
// running them against a real, widely used implementation (V8 + Node's WHATWG
// implementations) before they are run on the kpio-web runtime.
//
// For every file the oracle prints one line per subtest:
//   PASS <file>: <name>
//   FAIL <file>: <name>: <message>      (likewise TIMEOUT / NOTRUN / PRECONDITION_FAILED)
// then, if the harness status of that file is not OK, a line
//   HARNESS-ERROR <file>: <message>     (or HARNESS-TIMEOUT / HARNESS-PRECONDITION_FAILED / HARNESS-CRASH)
// and, after all files, `N passed, M failed`. Every non-PASS subtest counts as
// failed, and so does every file whose harness status is not OK. The exit code
// is 0 only if everything passed.
//
// How a file is run
// -----------------
// Each file runs in a fresh Node process of its own (this script forks itself
// with `--child FILE`), so every file gets a fresh global object. The scripts
// are evaluated with `vm.runInThisContext`, i.e. in that process's main realm,
// and NOT in a separate `vm.createContext()` context: Node's native classes
// (Event, DOMException, ...) and the objects made by `structuredClone` always
// belong to the main realm, so in a separate vm context `new DOMException()
// instanceof Error` and `Object.getPrototypeOf(structuredClone({})) ===
// Object.prototype` are false — artefacts that would make correct tests fail.
//
// The global is prepared to look like a web global (a WindowOrWorkerGlobalScope):
//   * `self` is the global itself;
//   * the global IS an EventTarget: EventTarget.prototype is put on its
//     prototype chain and Node's EventTarget internals are initialised on it,
//     so `self.addEventListener(...)`, `dispatchEvent(...)` (also called
//     unqualified, as testharness.js does), `event.target === self` and
//     `this === self` inside listeners all work with Node's own EventTarget;
//   * everything else (EventTarget, Event, CustomEvent, DOMException,
//     AbortController, AbortSignal, structuredClone, URL, URLSearchParams,
//     TextEncoder, TextDecoder, timers, queueMicrotask, console) is what Node
//     provides natively. Nothing is polyfilled: in particular Node has no
//     `ErrorEvent` and no `reportError`, and the tests that need them fail here.
//   * Node-only globals (process, Buffer, global, setImmediate,
//     clearImmediate) and fetch & co. are removed, so that a test that uses
//     them by mistake fails on the oracle as it would on kpio-web.
//   * "report an exception" bridge: Node reports an exception thrown by an
//     event listener, a timer callback or a queueMicrotask callback as a
//     process 'uncaughtException' (asynchronously). The oracle turns each such
//     exception into an `error` event dispatched at the global (a plain Event
//     with `message`, `error`, `filename`, `lineno`, `colno` set on it, as
//     Node has no ErrorEvent), and each unhandled promise rejection into an
//     `unhandledrejection` event with `reason` and `promise`. This is what lets
//     testharness.js see uncaught exceptions at all (it listens for `error` on
//     the global). Tests that pass only thanks to this bridge are listed in the
//     report that accompanies the test files.
//
// IndexedDB: for the files named idb-*.js the child first loads `fake-indexeddb/auto`,
// which defines indexedDB and the IDB* interfaces on the global.
//
// Loading order (as WPT does for `.any.js` files): testharness.js, then the
// oracle's result callbacks, then every `// META: script=PATH` (PATH relative
// to the test file's directory, or to this directory's node_modules for
// `/resources/...`), in order, then the test file itself. `// META: title=`
// sets `self.META_TITLE`; `// META: global=` and `timeout=` are ignored.
//
// The fetch suites (`fetch-*.any.js`): Node's own fetch() is kept for them (and the
// Node-only globals it needs), and
// `location` is a URL on a `kpio web serve` process this script starts (the /_kpio/
// test endpoints; the binary is $KPIO, else $CARGO_TARGET_DIR/debug/kpio, else
// target/debug/kpio at the repository's root). Node's fetch has no origin, no CORS, no
// referrer, no base URL for relative URLs and no navigator (Node 20), so many subtests
// fail here for those reasons alone; fetch-cors and fetch-modes, which are about
// origins, are skipped (neither passed nor failed). Chromium is the oracle for these
// suites; this run only shows where Node's undici agrees.
//
// Timeout: 10 s per file. When it expires the harness's global `timeout()` is
// called (the shell environment has no default timeout, so this marks the
// pending tests TIMEOUT and completes the harness); if the harness still has
// not completed 2 s later the child is given up (HARNESS-CRASH).

'use strict';

const fs = require('fs');
const path = require('path');
const {
  TESTHARNESS, FILE_TIMEOUT_MS, GRACE_MS, TEST_STATUS, HARNESS_STATUS, parseMeta, oneLine,
} = require('./common');
const { fork } = require('child_process');

const HARNESS_DIR = __dirname;

// Node-only globals removed from the test global (see runChild).
// KPIO_ORACLE_SHOW=Name,Name,... keeps some of them visible: Node's own Headers,
// Request, Response and FormData (undici) need `Buffer` and `global`, so running the
// suites of those interfaces on Node takes
// KPIO_ORACLE_SHOW=Request,Response,Headers,FormData,Buffer,global.
const SHOWN_GLOBALS = (process.env.KPIO_ORACLE_SHOW || '').split(',').map((s) => s.trim());
const HIDDEN_GLOBALS = [
  'process', 'Buffer', 'global', 'setImmediate', 'clearImmediate',
  'fetch', 'Request', 'Response', 'Headers', 'FormData',
].filter((name) => !SHOWN_GLOBALS.includes(name));



// ---------------------------------------------------------------------------
// Child: run one file.
// ---------------------------------------------------------------------------

function runChild(file) {
  const vm = require('vm');
  // Keep what the oracle itself needs before Node-only globals are hidden.
  const proc = process;
  const later = setImmediate;
  const send = (msg) => { if (proc.send) proc.send(msg); };

  // --- make the global a web-like global --------------------------------
  const g = globalThis;
  const gp = Object.getPrototypeOf(g);
  Object.setPrototypeOf(gp, EventTarget.prototype);
  // Node recognises an EventTarget by `obj.constructor[Symbol(nodejs.event_target)]`.
  function GlobalScope() { throw new TypeError('Illegal constructor'); }
  Object.setPrototypeOf(GlobalScope, EventTarget);
  GlobalScope.prototype = gp;
  Object.defineProperty(gp, 'constructor', { value: GlobalScope, writable: true, configurable: true });
  // Node keeps an EventTarget's listener lists under internal symbols that the
  // constructor sets up; copy a freshly constructed EventTarget's onto the global.
  const donor = new EventTarget();
  for (const sym of Object.getOwnPropertySymbols(donor)) {
    Object.defineProperty(g, sym, { value: donor[sym], writable: true, configurable: true });
  }
  // WebIDL operations on the global accept an undefined `this` (unqualified
  // calls such as `addEventListener("error", ...)` in testharness.js).
  for (const name of ['addEventListener', 'removeEventListener', 'dispatchEvent']) {
    const impl = EventTarget.prototype[name];
    const wrapper = { [name](...args) { return impl.apply(this == null ? g : this, args); } }[name];
    Object.defineProperty(wrapper, 'length', { value: impl.length });
    Object.defineProperty(gp, name, { value: wrapper, writable: true, enumerable: true, configurable: true });
  }
  Object.defineProperty(g, 'self', { value: g, writable: true, enumerable: true, configurable: true });

  // Node has no IndexedDB: the IndexedDB suites (idb-*.js) run on the fake-indexeddb
  // package, a second implementation written from the same specification.
  // fake-indexeddb throws subclasses of DOMException (DataError, ...), which
  // testharness.js's assert_throws_dom takes for another global's: their prototypes'
  // `constructor` is made DOMException's, changing nothing else.
  if (path.basename(file).startsWith('idb-')) {
    require('fake-indexeddb/auto');
    const errors = require(path.join(HARNESS_DIR, 'node_modules/fake-indexeddb/build/cjs/lib/errors.js'));
    for (const E of Object.values(errors)) {
      Object.defineProperty(E.prototype, 'constructor', { value: DOMException, writable: true, configurable: true });
    }
  }

  // Hide Node-only globals (and fetch, which these tests must not use), so
  // that a test file that depends on them by mistake fails here too. The fetch
  // suites keep Node's fetch, and get a `location` on the kpio server.
  // (Node's fetch loads lazily and needs Node's own globals: nothing is hidden for the
  // fetch suites.)
  const isFetchSuite = path.basename(file).startsWith('fetch-');
  if (!isFetchSuite) for (const name of HIDDEN_GLOBALS) delete g[name];
  if (isFetchSuite && proc.env.KPIO_ORACLE_ORIGIN) {
    const here = new URL(`${proc.env.KPIO_ORACLE_ORIGIN}/${path.basename(file)}`);
    Object.defineProperty(g, 'location', { value: here, enumerable: true, configurable: true });
  }

  // --- "report an exception" bridge --------------------------------------
  let reporting = false;
  function reportException(err) {
    if (reporting) {
      // An exception thrown while reporting an exception: print it, do not recurse.
      proc.stderr.write(`[node-oracle] exception while reporting an exception: ${err && err.stack || err}\n`);
      return;
    }
    reporting = true;
    try {
      const ev = new Event('error', { cancelable: true });
      const message = err instanceof Error || (err && typeof err === 'object' && 'message' in err)
        ? 'Uncaught ' + (err.name ? err.name + ': ' : '') + err.message
        : 'Uncaught ' + String(err);
      let filename = '', lineno = 0, colno = 0;
      const m = err && typeof err.stack === 'string' && /\(?([^\s()]+):(\d+):(\d+)\)?/.exec(err.stack.split('\n')[1] || '');
      if (m) { filename = m[1]; lineno = +m[2]; colno = +m[3]; }
      for (const [k, v] of Object.entries({ message, error: err, filename, lineno, colno })) {
        Object.defineProperty(ev, k, { value: v, enumerable: true, configurable: true });
      }
      g.dispatchEvent(ev);
    } catch (e) {
      proc.stderr.write(`[node-oracle] could not report an exception: ${e && e.stack || e}\n`);
    } finally {
      reporting = false;
    }
  }
  proc.on('uncaughtException', (err) => reportException(err));
  proc.on('unhandledRejection', (reason, promise) => {
    const ev = new Event('unhandledrejection', { cancelable: true });
    Object.defineProperty(ev, 'reason', { value: reason, enumerable: true });
    Object.defineProperty(ev, 'promise', { value: promise, enumerable: true });
    try { g.dispatchEvent(ev); } catch (e) { proc.stderr.write(`[node-oracle] ${e && e.stack || e}\n`); }
  });

  function runScript(filename) {
    const code = fs.readFileSync(filename, 'utf8');
    try {
      vm.runInThisContext(code, { filename });
    } catch (err) {
      // A script's uncaught exception is reported, and the next script still runs.
      reportException(err);
    }
  }

  // --- load the harness -------------------------------------------------
  const source = fs.readFileSync(file, 'utf8');
  const meta = parseMeta(source);
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
    // Leave nothing running (a test may have left an interval behind).
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
// Parent: fork one child per file, print the results.
// ---------------------------------------------------------------------------

function runFile(file, display) {
  return new Promise((resolve) => {
    const results = [];
    let harness = null;
    const child = fork(__filename, ['--child', file], {
      // Node's own warnings (e.g. about a null listener) are noise here.
      execArgv: [...process.execArgv, '--no-warnings'],
      // The tests' own console output goes to stderr, so that stdout holds
      // only the result lines.
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
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
      resolve({ display, results, harness });
    });
  });
}


// Fetch suites that test origins, which Node's fetch does not have.
const SKIPPED = new Set(['fetch-cors.any.js', 'fetch-modes.any.js']);

// Where the kpio binary is (see the header).
function kpioBinary() {
  if (process.env.KPIO) return process.env.KPIO;
  const target = process.env.CARGO_TARGET_DIR || path.join(HARNESS_DIR, '..', '..', '..', '..', 'target');
  return path.join(target, 'debug', 'kpio');
}

// Starts `kpio web serve DIR`; resolves to { origin, child }.
function startKpioServer(dir) {
  const { spawn } = require('child_process');
  const bin = kpioBinary();
  if (!fs.existsSync(bin)) return Promise.reject(new Error(`${bin} is missing (set KPIO)`));
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['web', 'serve', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`kpio web serve exited (code ${code})`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ origin: m[1], child });
    });
  });
}

async function runParent(files) {
  if (files.length === 0) {
    console.error('usage: node node-oracle.js FILE...');
    process.exit(2);
  }
  if (!fs.existsSync(TESTHARNESS)) {
    console.error(`node-oracle: ${TESTHARNESS} is missing; run \`npm ci\` (or \`npm install\`) in ${HARNESS_DIR}`);
    process.exit(2);
  }
  let passed = 0;
  let failed = 0;
  let kpio = null;
  const fetchSuites = files.filter((f) => path.basename(f).startsWith('fetch-'));
  if (fetchSuites.length > 0) {
    try {
      kpio = await startKpioServer(path.dirname(path.resolve(fetchSuites[0])));
      process.env.KPIO_ORACLE_ORIGIN = kpio.origin;
    } catch (e) {
      process.stderr.write(`[node-oracle] no /_kpio/ endpoints: ${e.message}\n`);
    }
  }
  for (const f of files) {
    const file = path.resolve(f);
    if (SKIPPED.has(path.basename(file))) {
      process.stderr.write(`[node-oracle] ${f}: skipped: Node's fetch has no origin, so no CORS and no modes\n`);
      continue;
    }
    if (!fs.existsSync(file)) {
      console.log(`HARNESS-ERROR ${f}: no such file`);
      failed++;
      continue;
    }
    const { display, results, harness } = await runFile(file, f);
    for (const r of results) {
      if (r.status === 'PASS') {
        passed++;
        console.log(`PASS ${display}: ${oneLine(r.name)}`);
      } else {
        failed++;
        console.log(`${r.status} ${display}: ${oneLine(r.name)}: ${oneLine(r.message)}`);
      }
    }
    if (harness.status !== 'OK') {
      failed++;
      console.log(`HARNESS-${harness.status} ${display}: ${oneLine(harness.message)}`);
    }
  }
  if (kpio !== null) kpio.child.kill();
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

if (process.argv[2] === '--child') {
  runChild(path.resolve(process.argv[3]));
} else {
  runParent(process.argv.slice(2));
}

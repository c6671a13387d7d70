#!/usr/bin/env node
// chromium-oracle.js — run WPT-style test files in a real browser (Chromium), as an oracle.
//
//   node chromium-oracle.js FILE...
//
// Purpose: like node-oracle.js, prove that the conformance tests in ../wpt/ are
// themselves right, but against a real browser: Chromium runs them in a real
// Window and a real dedicated worker, with the real Web Storage, StorageEvent,
// ErrorEvent, reportError, ... that Node.js lacks.
//
// Output (the same lines as node-oracle.js, with the global scope in brackets,
// as `kpio web test` labels them):
//   PASS <file> (window): <name>
//   FAIL <file> (worker): <name>: <message>   (likewise TIMEOUT / NOTRUN / PRECONDITION_FAILED)
// then, if the harness status of that run is not OK, a line
//   HARNESS-ERROR <file> (window): <message>  (or HARNESS-TIMEOUT / HARNESS-PRECONDITION_FAILED / HARNESS-CRASH)
// and, after all files, `N passed, M failed`. Every non-PASS subtest counts as
// failed, and so does every run whose harness status is not OK. The exit code
// is 0 only if everything passed.
//
// Setup (once per machine; Debian's Chromium, playwright-core only drives it,
// no browser is downloaded):
//   apt-get update && apt-get install -y chromium        # /usr/bin/chromium
//   npm ci --prefix crates/kpio-web/tests/harness        # wpt-runner + playwright-core
// CHROMIUM=/path/to/chrome overrides the browser binary.
//
// How a file is run
// -----------------
// A small HTTP server (Node's `http`, on 127.0.0.1, ephemeral port) is started
// inside this script. Each test file's directory is served under /d<N>/, and
// the harness's own files under /resources/ (testharness.js and friends from
// node_modules/wpt-runner/testharness). For each file, pages are generated the
// way WPT's server generates them:
//   * `X.any.js`   : `X.any.html` (window) and `X.any.worker.html` (a page that
//                    runs `X.any.worker.js` in a dedicated worker and gets its
//                    results with `fetch_tests_from_worker(worker)`); the
//                    worker does importScripts('/resources/testharness.js'),
//                    the `// META: script=` scripts, the test, then `done()`.
//                    `// META: global=` chooses the scopes (window and worker
//                    by default; `dedicatedworker` means worker; other scopes
//                    are not supported here and are skipped with a note).
//                    `serviceworker`: `X.any.serviceworker.html` registers the
//                    same worker script as a service worker (scope
//                    'does/not/exist', as WPT does) and fetches its results with
//                    `fetch_tests_from_worker(registration.installing)`.
//   * `X.window.js`: `X.window.html` (window only).
//   * `X.worker.js`: `X.worker.html` (dedicated worker only; the file itself
//                    calls importScripts and done(), as in WPT).
// Static files take `?header=Name:Value` (repeatable) query parameters that add
// response headers, as KPIO's local server does (e.g. Service-Worker-Allowed).
// Every page loads /resources/testharness.js, then a small script that
// registers `add_result_callback` / `add_completion_callback` and collects the
// results into `window.__results`, then the `// META: script=` scripts, then
// the test file. `// META: title=` becomes the page's <title> (and META_TITLE
// in a worker). `self.GLOBAL` is defined as WPT defines it.
//
// Test endpoints: requests for `/_kpio/...` (fetch()'s echo, redirect, stream, raw
// ... endpoints, documented in crates/kpio-web/src/local_server.rs) are forwarded byte
// for byte to a `kpio web serve` process this script starts, so the fetch suites meet
// the same server in Chromium as in KPIO's realms (a broken response from /_kpio/raw
// reaches the browser unchanged). The binary is $KPIO, else
// $CARGO_TARGET_DIR/debug/kpio, else target/debug/kpio at the repository's root. The
// server answers on 127.0.0.1 and (where the machine has IPv6 loopback) on [::1], so
// `http://localhost:PORT` is a second origin for cross-origin tests, as it is under
// `kpio web test`.
//
// Each page gets a fresh browser context (its own localStorage,
// sessionStorage, cookies, ...). Chromium is launched through playwright-core
// (headless), with flags that keep it from reaching out to the network: this
// machine has no outside network.
//
// Timeout: 10 s per run (a file in one scope). testharness.js's own harness
// timeout is 10 s too; if the harness has not completed 2 s after that, the
// harness's global `timeout()` is called, and if it still has not completed 2 s
// later the results that did arrive are reported, followed by a
// `HARNESS-TIMEOUT` line.

'use strict';

const fs = require('fs');
const path = require('path');
const {
  TESTHARNESS, FILE_TIMEOUT_MS, GRACE_MS, TEST_STATUS, HARNESS_STATUS, parseMeta, oneLine,
} = require('./common');
const http = require('http');
const net = require('net');
const { spawn } = require('child_process');

const HARNESS_DIR = __dirname;
const RESOURCES_DIR = path.join(HARNESS_DIR, 'node_modules', 'wpt-runner', 'testharness');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];


const MIME = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

// The script every page loads right after testharness.js.
const COLLECTOR_PATH = '/__oracle/collector.js';
const COLLECTOR = `'use strict';
(function () {
  var r = window.__results = { tests: [], done: false, status: null, message: null };
  var seen = [];
  function str(v) { return v == null ? null : String(v); }
  function record(t) {
    if (seen.indexOf(t) !== -1) return;
    seen.push(t);
    r.tests.push({ name: str(t.name), status: t.status, message: str(t.message) });
  }
  add_result_callback(record);
  add_completion_callback(function (tests, status) {
    for (var i = 0; i < tests.length; i++) record(tests[i]);
    r.status = status.status;
    r.message = str(status.message);
    r.done = true;
  });
})();
`;


function htmlEscape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// A JS string literal that is also safe inside an HTML <script> element.
function jsString(s) {
  return JSON.stringify(String(s)).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function globalDefinition(isWindow) {
  return `self.GLOBAL = { isWindow: function() { return ${isWindow}; }, ` +
    `isWorker: function() { return ${!isWindow}; }, isShadowRealm: function() { return false; } };`;
}

// ---------------------------------------------------------------------------
// Which runs a file makes, and the generated pages for them.
// ---------------------------------------------------------------------------

// Returns { runs: [{ scope, page }], notes: [...] } and registers the generated
// resources of the file in `generated` (URL path -> { type, body }).
function planFile(file, dirUrl, generated) {
  const base = path.basename(file);
  const source = fs.readFileSync(file, 'utf8');
  const meta = parseMeta(source);
  const title = (meta.find((m) => m.key === 'title') || {}).value || null;
  const scripts = meta.filter((m) => m.key === 'script').map((m) => m.value);
  const runs = [];
  const notes = [];

  const pageHead = (isWindow) => [
    '<!doctype html>',
    '<meta charset="utf-8">',
    title ? `<title>${htmlEscape(title)}</title>` : '',
    `<script>${globalDefinition(isWindow)}</script>`,
    '<script src="/resources/testharness.js"></script>',
    `<script src="${COLLECTOR_PATH}"></script>`,
  ].filter(Boolean);

  const addWindowPage = (pageName) => {
    const lines = pageHead(true);
    for (const s of scripts) lines.push(`<script src="${htmlEscape(s)}"></script>`);
    lines.push('<div id="log"></div>');
    lines.push(`<script src="${htmlEscape(base)}"></script>`);
    generated.set(dirUrl + pageName, { type: MIME['.html'], body: lines.join('\n') + '\n' });
    runs.push({ scope: 'window', page: dirUrl + pageName });
  };

  const addWorkerPage = (pageName, workerScript) => {
    const lines = pageHead(true);
    lines.push('<div id="log"></div>');
    lines.push(`<script>fetch_tests_from_worker(new Worker(${jsString(workerScript)}));</script>`);
    generated.set(dirUrl + pageName, { type: MIME['.html'], body: lines.join('\n') + '\n' });
    runs.push({ scope: 'worker', page: dirUrl + pageName });
  };

  if (base.endsWith('.any.js')) {
    const stem = base.slice(0, -'.js'.length); // X.any
    const globalMeta = meta.find((m) => m.key === 'global');
    const scopes = new Set();
    for (const g of (globalMeta ? globalMeta.value : 'window,dedicatedworker').split(',')) {
      const name = g.trim();
      if (name === 'window') scopes.add('window');
      else if (name === 'worker' || name === 'dedicatedworker') scopes.add('worker');
      else if (name === 'serviceworker') scopes.add('serviceworker');
      else if (name === 'default') { scopes.add('window'); scopes.add('worker'); }
      else if (name !== '') notes.push(`scope "${name}" is not supported by this oracle; skipped`);
    }
    if (scopes.has('window')) addWindowPage(stem + '.html');
    // The script a dedicated or service worker runs: the harness, the META scripts, the
    // test, then done().
    const workerScript = () => {
      const w = ["'use strict';", globalDefinition(false)];
      if (title) w.push(`self.META_TITLE = ${jsString(title)};`);
      w.push('importScripts("/resources/testharness.js");');
      for (const s of scripts) w.push(`importScripts(${jsString(s)});`);
      w.push(`importScripts(${jsString(base)});`);
      w.push('done();');
      return w.join('\n') + '\n';
    };
    if (scopes.has('worker')) {
      const workerName = stem + '.worker.js';
      generated.set(dirUrl + workerName, { type: MIME['.js'], body: workerScript() });
      addWorkerPage(stem + '.worker.html', workerName);
    }
    if (scopes.has('serviceworker')) {
      // As WPT's `X.any.serviceworker.html`: the page registers the file's scripts as a
      // service worker whose scope covers nothing (so the page stays uncontrolled) and
      // gets its results with fetch_tests_from_worker(registration.installing).
      const workerName = stem + '.serviceworker.js';
      generated.set(dirUrl + workerName, { type: MIME['.js'], body: workerScript() });
      const lines = pageHead(true);
      lines.push('<div id="log"></div>');
      lines.push('<script>(async () => {');
      lines.push("  const scope = 'does/not/exist';");
      lines.push('  const old = await navigator.serviceWorker.getRegistration(scope);');
      lines.push('  if (old) await old.unregister();');
      lines.push(`  const reg = await navigator.serviceWorker.register(${jsString(workerName)}, { scope });`);
      lines.push('  fetch_tests_from_worker(reg.installing);');
      lines.push('})();</script>');
      generated.set(dirUrl + stem + '.serviceworker.html', { type: MIME['.html'], body: lines.join('\n') + '\n' });
      runs.push({ scope: 'serviceworker', page: dirUrl + stem + '.serviceworker.html' });
    }
  } else if (base.endsWith('.window.js')) {
    addWindowPage(base.slice(0, -'.js'.length) + '.html');
  } else if (base.endsWith('.worker.js')) {
    addWorkerPage(base.slice(0, -'.js'.length) + '.html', base);
  } else {
    notes.push('only .any.js, .window.js and .worker.js files are supported');
  }
  return { runs, notes };
}

// ---------------------------------------------------------------------------
// The HTTP server.
// ---------------------------------------------------------------------------

function startServer(mounts, generated) {
  const server = http.createServer((req, res) => {
    const send = (status, type, body) => {
      // One request per connection: the front door routes connections, not requests.
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', Connection: 'close' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch (e) {
      return send(400, MIME['.txt'], 'bad request\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, MIME['.txt'], 'method not allowed\n');
    if (urlPath === COLLECTOR_PATH) return send(200, MIME['.js'], COLLECTOR);
    if (urlPath === '/favicon.ico') { res.writeHead(204, { 'Cache-Control': 'no-store', Connection: 'close' }); return res.end(); }
    const gen = generated.get(urlPath);
    if (gen) return send(200, gen.type, gen.body);

    let root = null;
    let rest = null;
    if (urlPath.startsWith('/resources/')) {
      root = RESOURCES_DIR;
      rest = urlPath.slice('/resources/'.length);
    } else {
      const m = /^\/(d\d+)\/(.*)$/.exec(urlPath);
      if (m && mounts.has(m[1])) { root = mounts.get(m[1]); rest = m[2]; }
    }
    if (root !== null) {
      const filePath = path.resolve(root, rest);
      if (filePath.startsWith(root + path.sep) && fs.existsSync(filePath) && fs.statSync(filePath).isFile()) {
        const type = MIME[path.extname(filePath).toLowerCase()] || 'application/octet-stream';
        // `?header=Name:Value` (repeatable) adds a response header, as KPIO's local server
        // does for its files (src/local_server.rs): e.g. Service-Worker-Allowed.
        const headers = { 'Content-Type': type, 'Cache-Control': 'no-store' };
        for (const h of new URL(req.url, 'http://127.0.0.1').searchParams.getAll('header')) {
          const colon = h.indexOf(':');
          if (colon > 0) headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
        }
        res.writeHead(200, headers);
        return res.end(req.method === 'HEAD' ? undefined : fs.readFileSync(filePath));
      }
    }
    process.stderr.write(`[chromium-oracle] 404 ${urlPath}\n`);
    return send(404, MIME['.txt'], 'not found\n');
  });
  return server;
}

// Where the kpio binary is (see the header).
function kpioBinary() {
  if (process.env.KPIO) return process.env.KPIO;
  const target = process.env.CARGO_TARGET_DIR || path.join(HARNESS_DIR, '..', '..', '..', '..', 'target');
  return path.join(target, 'debug', 'kpio');
}

// Starts `kpio web serve DIR` on a free port; resolves to { port, child }.
function startKpioServer(dir) {
  const bin = kpioBinary();
  if (!fs.existsSync(bin)) {
    return Promise.reject(new Error(`${bin} is missing: build it (cargo build -p kpio-cli --bin kpio) or set KPIO`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['web', 'serve', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`kpio web serve exited (code ${code}) before serving`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), child });
    });
  });
}

// The front door: a TCP server whose connections go, by their request line, either to
// the kpio server (`/_kpio/...`, piped byte for byte) or to the HTTP server above.
function startFront(httpServer, kpioPort) {
  const onConnection = (socket) => {
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const line = head.indexOf('\r\n');
      if (line < 0 && head.length < 8192) return;
      socket.removeListener('data', onData);
      socket.pause();
      const requestLine = head.slice(0, line < 0 ? head.length : line).toString('latin1');
      if (kpioPort !== null && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \/_kpio\//.test(requestLine)) {
        const upstream = net.connect(kpioPort, '127.0.0.1', () => {
          upstream.write(head);
          socket.pipe(upstream);
          upstream.pipe(socket);
          socket.resume();
        });
        // Either side going away ends the other, so an abort reaches the endpoint.
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
        upstream.on('close', () => socket.destroy());
        socket.on('close', () => upstream.destroy());
      } else {
        socket.unshift(head);
        httpServer.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
    socket.on('error', () => {});
  };
  const v4 = net.createServer(onConnection);
  return new Promise((resolve, reject) => {
    v4.once('error', reject);
    v4.listen(0, '127.0.0.1', () => {
      const port = v4.address().port;
      // `localhost` may resolve to ::1 first: answer there too when the machine can.
      const v6 = net.createServer(onConnection);
      v6.once('error', () => resolve({ port, servers: [v4] }));
      v6.listen(port, '::1', () => resolve({ port, servers: [v4, v6] }));
    });
  });
}



// ---------------------------------------------------------------------------
// Running one page in Chromium.
// ---------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function runPage(browser, origin, run, label) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let crashed = false;
  page.on('console', (msg) => {
    process.stderr.write(`[${label}] console.${msg.type()}: ${msg.text()}\n`);
  });
  page.on('pageerror', (err) => {
    process.stderr.write(`[${label}] uncaught: ${err && err.message || err}\n`);
  });
  page.on('crash', () => { crashed = true; });

  // Reads window.__results; null if the page does not answer within 1 s (e.g. a
  // script that spins forever).
  const read = () => Promise.race([
    page.evaluate(() => window.__results ? JSON.parse(JSON.stringify(window.__results)) : null)
      .catch(() => null),
    sleep(1000).then(() => null),
  ]);
  let lastSeen = null;
  const waitDone = async (ms) => {
    const end = Date.now() + ms;
    while (Date.now() < end && !crashed) {
      const r = await read();
      if (r) lastSeen = r;
      if (r && r.done) return r;
      await sleep(50);
    }
    return null;
  };

  let harness = null;
  let results = null;
  try {
    try {
      await page.goto(origin + run.page, { waitUntil: 'load', timeout: FILE_TIMEOUT_MS });
    } catch (e) {
      // A page that never fires `load` (e.g. a script that spins) is treated as a timeout below.
      process.stderr.write(`[${label}] navigation: ${e.message.split('\n')[0]}\n`);
    }
    results = await waitDone(FILE_TIMEOUT_MS + GRACE_MS);
    if (!results && !crashed) {
      await Promise.race([
        page.evaluate(() => { if (typeof window.timeout === 'function') window.timeout(); }).catch(() => {}),
        sleep(1000),
      ]);
      results = await waitDone(GRACE_MS);
    }
    if (results) {
      harness = {
        status: HARNESS_STATUS[results.status] || String(results.status),
        message: results.message,
      };
    } else {
      results = (await read()) || lastSeen || { tests: [] };
      harness = crashed
        ? { status: 'CRASH', message: 'the page crashed' }
        : { status: 'TIMEOUT', message: `the harness did not complete within ${(FILE_TIMEOUT_MS + 2 * GRACE_MS) / 1000} s` };
    }
  } finally {
    await context.close().catch(() => {});
  }
  const tests = results.tests.map((t) => ({
    status: TEST_STATUS[t.status] || String(t.status), name: t.name, message: t.message,
  }));
  return { tests, harness };
}


async function main(files) {
  if (files.length === 0) {
    console.error('usage: node chromium-oracle.js FILE...');
    process.exit(2);
  }
  if (!fs.existsSync(TESTHARNESS)) {
    console.error(`chromium-oracle: ${TESTHARNESS} is missing; run \`npm ci\` (or \`npm install\`) in ${HARNESS_DIR}`);
    process.exit(2);
  }
  let playwright;
  try {
    playwright = require('playwright-core');
  } catch (e) {
    console.error(`chromium-oracle: playwright-core is missing; run \`npm ci\` (or \`npm install\`) in ${HARNESS_DIR}`);
    process.exit(2);
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`chromium-oracle: ${CHROMIUM} is missing; run \`apt-get install -y chromium\` (or set CHROMIUM)`);
    process.exit(2);
  }

  // Mount every test file's directory and generate its pages.
  const mounts = new Map(); // "d0" -> directory
  const dirIds = new Map(); // directory -> "d0"
  const generated = new Map();
  const plans = [];
  for (const f of files) {
    const file = path.resolve(f);
    if (!fs.existsSync(file)) {
      plans.push({ display: f, error: 'no such file' });
      continue;
    }
    const dir = path.dirname(file);
    if (!dirIds.has(dir)) {
      const id = 'd' + dirIds.size;
      dirIds.set(dir, id);
      mounts.set(id, dir);
    }
    const { runs, notes } = planFile(file, `/${dirIds.get(dir)}/`, generated);
    plans.push({ display: f, runs, notes });
  }

  const server = startServer(mounts, generated);
  // The kpio server for the /_kpio/ endpoints (without it, they answer 404).
  let kpio = null;
  try {
    kpio = await startKpioServer(mounts.get('d0') || process.cwd());
  } catch (e) {
    process.stderr.write(`[chromium-oracle] no /_kpio/ endpoints: ${e.message}\n`);
  }
  const front = await startFront(server, kpio === null ? null : kpio.port);
  const origin = `http://127.0.0.1:${front.port}`;
  const browser = await playwright.chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });

  let passed = 0;
  let failed = 0;
  try {
    for (const plan of plans) {
      if (plan.error) {
        console.log(`HARNESS-ERROR ${plan.display}: ${plan.error}`);
        failed++;
        continue;
      }
      for (const note of plan.notes) process.stderr.write(`[chromium-oracle] ${plan.display}: ${note}\n`);
      if (plan.runs.length === 0) {
        console.log(`HARNESS-ERROR ${plan.display}: nothing to run (${plan.notes.join('; ')})`);
        failed++;
        continue;
      }
      for (const run of plan.runs) {
        const label = `${plan.display} (${run.scope})`;
        const { tests, harness } = await runPage(browser, origin, run, label);
        for (const t of tests) {
          if (t.status === 'PASS') {
            passed++;
            console.log(`PASS ${label}: ${oneLine(t.name)}`);
          } else {
            failed++;
            console.log(`${t.status} ${label}: ${oneLine(t.name)}: ${oneLine(t.message)}`);
          }
        }
        if (harness.status !== 'OK') {
          failed++;
          console.log(`HARNESS-${harness.status} ${label}: ${oneLine(harness.message)}`);
        }
      }
    }
  } finally {
    await browser.close().catch(() => {});
    for (const f of front.servers) f.close();
    server.close();
    if (kpio !== null) kpio.child.kill();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`chromium-oracle: ${e && e.stack || e}`);
  process.exit(2);
});

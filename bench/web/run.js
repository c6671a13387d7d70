#!/usr/bin/env node
// The web platform's benchmarks, KPIO beside its peers in one run:
//
//   node bench/web/run.js [--runs N] [--markdown] [BENCH...]
//
// Each benchmark is a script in this directory defining `async function runBench()`,
// which returns { "what (unit)": number, ... } (times per operation, lower is better).
// It runs, in order:
//   * KPIO: `kpio web run` with durable storage in a fresh directory, a page URL on a
//     `kpio web serve` of this directory (the binary: $KPIO, else target/release/kpio,
//     else target/debug/kpio);
//   * Chromium (/usr/bin/chromium or $CHROMIUM, through playwright-core from
//     crates/kpio-web/tests/harness/node_modules), a page on the same server, with a
//     persistent profile so its storage is durable too;
//   * Node with fake-indexeddb, for the IndexedDB benchmark only.
// Each runtime runs each benchmark N times (default 5) and keeps its best; the table
// prints each number and the ratio KPIO / peer (below 1: KPIO is faster).
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const here = __dirname;
const repo = path.resolve(here, '..', '..');
const harness = path.join(repo, 'crates', 'kpio-web', 'tests', 'harness', 'node_modules');
const args = process.argv.slice(2);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const markdown = args.includes('--markdown');
const names = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
const benches = (names.length ? names : fs.readdirSync(here).filter((f) => f.endsWith('.js') && f !== 'run.js')
  .map((f) => f.replace(/\.js$/, '')));

function kpioBinary() {
  if (process.env.KPIO) return process.env.KPIO;
  for (const p of ['target/release/kpio', 'target/debug/kpio']) {
    const abs = path.join(repo, p);
    if (fs.existsSync(abs)) return abs;
  }
  throw new Error('no kpio binary: build it (cargo build --release -p kpio-cli) or set KPIO');
}

function startServer(kpio) {
  return new Promise((resolve, reject) => {
    const p = spawn(kpio, ['web', 'serve', here], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ origin: m[1], stop: () => p.kill() });
    });
    p.on('error', reject);
    p.on('exit', (code) => reject(new Error(`kpio web serve exited with ${code}`)));
  });
}

function best(results) {
  const out = {};
  for (const r of results) for (const [k, v] of Object.entries(r)) out[k] = Math.min(out[k] ?? Infinity, v);
  return out;
}

function runKpio(kpio, origin, bench) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpio-web-bench-'));
    const script = path.join(dir, 'bench.js');
    fs.writeFileSync(script, fs.readFileSync(path.join(here, `${bench}.js`), 'utf8') +
      '\nrunBench().then((r) => console.log("RESULT " + JSON.stringify(r)), (e) => { console.error(e && e.stack || e); throw e; });\n');
    const r = spawnSync(kpio, ['web', 'run', '--storage', path.join(dir, 'storage'), '--url', `${origin}/`,
      '--network', 'local', '--timeout', '300', '--task-time', '300', script], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    const line = (r.stdout || '').split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`kpio: ${bench} failed:\n${r.stdout}\n${r.stderr}`);
    results.push(JSON.parse(line.slice(7)));
  }
  return best(results);
}

async function runChromium(origin, bench) {
  const { chromium } = require(path.join(harness, 'playwright-core'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kpio-web-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    await page.goto(`${origin}/`);
    const source = fs.readFileSync(path.join(here, `${bench}.js`), 'utf8');
    const results = [];
    for (let i = 0; i < runs; i++) {
      results.push(await page.evaluate(`(async () => { ${source}\n return await runBench(); })()`));
    }
    return best(results);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

function fmt(ms) {
  return ms >= 1 ? ms.toFixed(2) : ms >= 0.01 ? ms.toFixed(4) : ms.toExponential(2);
}

(async () => {
  const kpio = kpioBinary();
  const server = await startServer(kpio);
  const rows = [];
  try {
    for (const bench of benches) {
      const ours = runKpio(kpio, server.origin, bench);
      let chromium = {};
      try {
        chromium = await runChromium(server.origin, bench);
      } catch (e) {
        console.error(`chromium: ${bench}: ${e.message}`);
      }
      let node = {};
      const nodeBench = path.join(here, 'node', `${bench}.js`);
      if (fs.existsSync(nodeBench)) {
        const r = [];
        for (let i = 0; i < runs; i++) r.push(await require(nodeBench).run(harness, fs.readFileSync(path.join(here, `${bench}.js`), 'utf8')));
        node = best(r);
      }
      for (const [what, v] of Object.entries(ours)) rows.push({ what, ours: v, chromium: chromium[what], node: node[what] });
    }
  } finally {
    server.stop();
  }
  const ratio = (a, b) => (b === undefined ? '—' : (a / b).toFixed(2));
  const cell = (v) => (v === undefined ? '—' : fmt(v));
  if (markdown) {
    console.log('| benchmark | KPIO | Chromium | KPIO/Chromium | Node + fake-indexeddb | KPIO/Node |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.what} | ${cell(r.ours)} | ${cell(r.chromium)} | ${ratio(r.ours, r.chromium)} | ${cell(r.node)} | ${ratio(r.ours, r.node)} |`);
  } else {
    for (const r of rows) console.log(`${r.what}: KPIO ${cell(r.ours)}, Chromium ${cell(r.chromium)} (ratio ${ratio(r.ours, r.chromium)}), Node ${cell(r.node)} (ratio ${ratio(r.ours, r.node)})`);
  }
})().catch((e) => {
  console.error(e.stack || e);
  process.exit(1);
});

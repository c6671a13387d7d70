'use strict';
// What the three oracles (node-oracle.js, chromium-oracle.js, streams-oracle.js) share:
// where testharness.js is, the time limits, testharness.js's status names, and how a
// test file's META lines and a message are read.

const path = require('path');

const TESTHARNESS = path.join(__dirname, 'node_modules', 'wpt-runner', 'testharness', 'testharness.js');
// A file's time limit before the harness's timeout() is called, and the grace after it.
const FILE_TIMEOUT_MS = 10000;
const GRACE_MS = 2000;
const TEST_STATUS = ['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED'];
const HARNESS_STATUS = ['OK', 'ERROR', 'TIMEOUT', 'PRECONDITION_FAILED'];

// The `// META: key=value` lines of the file's leading comment block.
function parseMeta(source) {
  const meta = [];
  for (const line of source.split(/\r?\n/)) {
    const m = /^\/\/\s*META:\s*([A-Za-z_-]+)=(.*)$/.exec(line);
    if (m) {
      meta.push({ key: m[1], value: m[2].trim() });
    } else if (line.trim() !== '' && !line.startsWith('//')) {
      break;
    }
  }
  return meta;
}

// A message on one output line.
function oneLine(s) {
  return String(s == null ? '' : s).replace(/\s*\n\s*/g, ' ');
}

module.exports = { TESTHARNESS, FILE_TIMEOUT_MS, GRACE_MS, TEST_STATUS, HARNESS_STATUS, parseMeta, oneLine };

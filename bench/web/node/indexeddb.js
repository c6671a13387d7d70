// The IndexedDB benchmark on Node with fake-indexeddb (an in-memory implementation in
// JavaScript): the same script, in a context with fake-indexeddb's globals.
'use strict';
const path = require('path');
const vm = require('vm');

exports.run = async function run(harness, source) {
  const fake = require(path.join(harness, 'fake-indexeddb'));
  const context = vm.createContext({
    indexedDB: new fake.IDBFactory(), performance, console, Math, Promise, Error,
    setTimeout, queueMicrotask,
  });
  vm.runInContext(source, context);
  return vm.runInContext('runBench()', context);
};

// The realm's place on the web: `location` (HTML's Location for windows, WorkerLocation
// for workers), the global `origin`, and `isSecureContext`.
//
// A realm does not navigate: a window's location is read-only here, and assign(),
// replace(), reload() and setting href throw a NotSupportedError DOMException instead of
// pretending to navigate (the app's window belongs to the desktop, which the GUI issue
// brings).
(function (ops, internals) {
  'use strict';
  const $URL = URL;
  const href = internals.url;
  const url = new $URL(href);
  const get = (name) => Object.getOwnPropertyDescriptor($URL.prototype, name).get;
  const parts = ['href', 'origin', 'protocol', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'];
  const value = {};
  for (const p of parts) value[p] = Reflect.apply(get(p), url, []);

  // HTML's "potentially trustworthy" origins: https/wss, loopback hosts, file: URLs, and
  // the kpio: scheme of installed apps. Opaque origins are not.
  function trustworthy(u) {
    const scheme = u.protocol.slice(0, -1);
    if (scheme === 'https' || scheme === 'wss' || scheme === 'file' || scheme === 'kpio') return true;
    if (scheme !== 'http' && scheme !== 'ws') return false;
    const h = u.hostname;
    return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '[::1]';
  }
  internals.origin = value.origin;
  internals.secureContext = trustworthy(url);

  const cannot = (what) => () => {
    throw internals.domException('NotSupportedError', `Failed to execute '${what}' on 'Location': a KPIO realm does not navigate.`);
  };

  let LocationInterface;
  if (internals.kind === 'window') {
    class Location {
      constructor(key) { if (key !== internals.token) throw internals.illegal(); }
      assign(_url) { cannot('assign')(); }
      replace(_url) { cannot('replace')(); }
      reload() { cannot('reload')(); }
      toString() { return value.href; }
    }
    LocationInterface = Location;
  } else {
    class WorkerLocation {
      constructor(key) { if (key !== internals.token) throw internals.illegal(); }
      toString() { return value.href; }
    }
    LocationInterface = WorkerLocation;
  }
  // The URL's parts, the same read-only attributes in both interfaces (a window's href
  // also has a setter that refuses to navigate).
  for (const p of parts) {
    const d = Object.getOwnPropertyDescriptor({ get [p]() { return value[p]; } }, p);
    if (p === 'href' && internals.kind === 'window') {
      d.set = Object.getOwnPropertyDescriptor({ set href(_) { cannot('href')(); } }, 'href').set;
    }
    Object.defineProperty(LocationInterface.prototype, p, d);
  }
  internals.defineInterface(LocationInterface, internals.kind === 'window' ? 'Location' : 'WorkerLocation');
  const location = new LocationInterface(internals.token);
  const home = internals.operationsHome || globalThis;
  Object.defineProperty(home, 'location', {
    get: function location_() { return location; }, enumerable: true, configurable: true,
  });
  Object.defineProperty(home, 'origin', {
    get: function origin() { return value.origin; }, enumerable: true, configurable: true,
  });
  Object.defineProperty(home, 'isSecureContext', {
    get: function isSecureContext() { return internals.secureContext; }, enumerable: true, configurable: true,
  });
});

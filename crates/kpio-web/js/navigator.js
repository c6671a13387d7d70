// `navigator`: HTML's Navigator for windows and WorkerNavigator for workers, with what a
// headless app platform can answer truthfully: the user agent, languages, the number of
// processors, and onLine (the platform's offline switch, see src/net/scope.rs). Other
// APIs hang their objects here (navigator.storage, navigator.serviceWorker).
(function (ops, internals) {
  'use strict';
  const USER_AGENT = 'Mozilla/5.0 (KPIO; x86_64) KPIO/0.1';
  internals.userAgent = USER_AGENT;
  const languages = Object.freeze(['en-US', 'en']);
  const name = internals.kind === 'window' ? 'Navigator' : 'WorkerNavigator';
  const members = {
    userAgent: () => USER_AGENT,
    appCodeName: () => 'Mozilla',
    appName: () => 'Netscape',
    appVersion: () => USER_AGENT.slice('Mozilla/'.length),
    platform: () => 'KPIO x86_64',
    product: () => 'Gecko',
    language: () => languages[0],
    languages: () => languages,
    onLine: () => !ops.netOffline(),
    hardwareConcurrency: () => ops.hardwareConcurrency(),
  };
  const NavigatorInterface = {
    [name]: class {
      constructor(key) { if (key !== internals.token) throw internals.illegal(); }
    },
  }[name];
  for (const [member, getter] of Object.entries(members)) {
    Object.defineProperty(NavigatorInterface.prototype, member, {
      get: { [member]() { return getter(); } }[member], enumerable: true, configurable: true,
    });
  }
  if (internals.kind === 'window') {
    Object.defineProperty(NavigatorInterface.prototype, 'javaEnabled', {
      value: function javaEnabled() { return false; }, writable: true, enumerable: true, configurable: true,
    });
  }
  internals.defineInterface(NavigatorInterface, name);
  const navigator = new NavigatorInterface(internals.token);
  internals.navigator = navigator;
  internals.NavigatorInterface = NavigatorInterface;
  // The platform's network going offline or coming back: `offline` and `online` events
  // at the global, as browsers fire them.
  const handlersHome = internals.operationsHome || globalThis;
  internals.defineEventHandler(handlersHome, 'online');
  internals.defineEventHandler(handlersHome, 'offline');
  internals.onHostMessage('netStatus', (online) => {
    internals.fire(globalThis, new Event(online ? 'online' : 'offline'));
  });
  const home = internals.operationsHome || globalThis;
  Object.defineProperty(home, 'navigator', {
    get: function navigator_() { return navigator; }, enumerable: true, configurable: true,
  });
});

// A service worker for sw-lifecycle.window.js and sw-register.window.js, configured by
// its script URL's query (each query is a different script URL, so a different worker):
//   install=reject | throw | delay   the install event's outcome (delay: `ms`, default 400)
//   activate=delay | reject          the activate event waits `ms` (default 400), or its
//                                    waitUntil() promise rejects
//   skip-waiting                     skipWaiting() in the install event
//   skip-later=MS                    skipWaiting() MS milliseconds after the script ran
//   claim                            clients.claim() in the activate event
// It answers a fetch of a URL whose query has `sw-log` (when it controls the page) with JSON:
// { script, state, log } where log lists what it saw, in order.
'use strict';
const params = new URL(self.location.href).searchParams;
const ms = Number(params.get('ms') || 400);
const log = [];
const delay = (n) => new Promise((resolve) => setTimeout(resolve, n));

log.push('evaluated');
if (params.has('skip-later')) {
  setTimeout(() => self.skipWaiting().then(() => log.push('skipped waiting')), Number(params.get('skip-later')));
}

self.addEventListener('install', (e) => {
  log.push('install');
  if (params.has('skip-waiting')) e.waitUntil(self.skipWaiting());
  switch (params.get('install')) {
    case 'reject':
      e.waitUntil(Promise.reject(new Error('the install event failed')));
      break;
    case 'throw':
      throw new Error('the install listener threw');
    case 'delay':
      e.waitUntil(delay(ms).then(() => log.push('install extended')));
      break;
    default:
  }
});

self.addEventListener('activate', (e) => {
  log.push('activate');
  if (params.has('claim')) e.waitUntil(self.clients.claim().then(() => log.push('claimed')));
  if (params.get('activate') === 'delay') {
    e.waitUntil(delay(ms).then(() => log.push('activate extended')));
  }
  if (params.get('activate') === 'reject') e.waitUntil(Promise.reject(new Error('the activate event failed')));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (url.searchParams.has('sw-log')) {
    log.push('fetch');
    e.respondWith(new Response(JSON.stringify({ script: self.location.href, log }), {
      headers: { 'Content-Type': 'application/json' },
    }));
  }
});

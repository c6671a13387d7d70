// The service worker of sw-fetch.window.js. It controls the test page (skipWaiting() and
// clients.claim()) and answers the requests whose URL has `sw=ROUTE`, as ROUTE says; the
// others go to the network. What it observed comes back to the page in its responses
// (JSON), as a page cannot otherwise hear from its service worker here.
'use strict';

const HERE = new URL(self.location.href);
const dataURL = new URL('sw-data.txt', HERE).href;
// The same file on the server's other origin (127.0.0.1 <-> localhost).
const crossURL = (() => {
  const u = new URL('sw-data.txt', HERE);
  u.hostname = u.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return u;
})();

// What later requests ask about: results recorded by earlier fetch events, by key.
const recorded = new Map();
function record(key, promise) {
  recorded.set(key, Promise.resolve(promise).then((v) => v, (e) => `threw ${e && e.name}`));
}
// Every URL a fetch event was seen for, in order.
const seen = [];
// The two caches of the caching strategies (Cache Storage is not used: a Map is enough).
const cacheFirst = new Map();
const networkFirst = new Map();
let networkCount = 0;

const json = (value, init = {}) => new Response(JSON.stringify(value), {
  ...init, headers: { 'Content-Type': 'application/json', ...(init.headers || {}) },
});
const errorName = (f) => {
  try {
    f();
    return 'none';
  } catch (e) {
    return e.name;
  }
};
const settled = (p) => p.then(() => 'resolved', (e) => `rejected ${e && e.name}`);

async function describeRequest(e) {
  const r = e.request;
  const headers = [];
  for (const [name, value] of r.headers) headers.push([name, value]);
  const bodyUsedBefore = r.bodyUsed;
  const body = r.body === null ? null : await r.text();
  return {
    method: r.method,
    url: r.url,
    headers,
    body,
    bodyUsedBefore,
    mode: r.mode,
    credentials: r.credentials,
    cache: r.cache,
    redirect: r.redirect,
    referrer: r.referrer,
    referrerPolicy: r.referrerPolicy,
    destination: r.destination,
    integrity: r.integrity,
    keepalive: r.keepalive,
    isReloadNavigation: r.isReloadNavigation,
    isHistoryNavigation: r.isHistoryNavigation,
    signalAborted: r.signal.aborted,
    headersImmutable: errorName(() => r.headers.set('X-Added', 'by the worker')),
    cloneHeadersImmutable: errorName(() => r.clone().headers.set('X-Added', 'by the worker')),
  };
}

// Called while the event is dispatched: what only holds then is read before any await.
async function describeEvent(e) {
  const during = {
    target: e.target === self,
    currentTarget: e.currentTarget === self,
    eventPhase: e.eventPhase,
  };
  const client = await self.clients.get(e.clientId);
  const all = await self.clients.matchAll();
  return {
    type: e.type,
    isTrusted: e.isTrusted,
    bubbles: e.bubbles,
    cancelable: e.cancelable,
    isFetchEvent: e instanceof FetchEvent,
    isExtendableEvent: e instanceof ExtendableEvent,
    sameRequest: e.request === e.request,
    clientIdType: typeof e.clientId,
    clientIdEmpty: e.clientId === '',
    resultingClientId: e.resultingClientId,
    replacesClientId: e.replacesClientId,
    preloadResponse: String(await e.preloadResponse),
    handledIsPromise: e.handled instanceof Promise,
    client: client === undefined ? null : {
      id: client.id === e.clientId,
      url: client.url,
      type: client.type,
      frameType: client.frameType,
      isWindowClient: typeof WindowClient === 'function' && client instanceof WindowClient,
    },
    matchAll: all.map((c) => ({ id: c.id === e.clientId, url: c.url })),
    ...during,
  };
}

self.addEventListener('install', (e) => e.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

// Set by the second fetch listener, which respondWith() stops.
let secondListenerSaw = null;

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  seen.push(url.href);
  const route = url.searchParams.get('sw');
  const key = url.searchParams.get('key');
  switch (route) {
    case null:
      return;
    case 'text':
      e.respondWith(new Response('from the worker', {
        status: 201, statusText: 'Made Here',
        headers: { 'Content-Type': 'text/plain;charset=utf-8', 'X-From': 'worker' },
      }));
      return;
    case 'set-cookie':
      e.respondWith(new Response('x', { headers: { 'Set-Cookie': 'a=b', 'X-Other': '1' } }));
      return;
    case 'null-body':
      e.respondWith(new Response(null, { status: 204, headers: { 'X-Empty': 'yes' } }));
      return;
    case 'stream':
      e.respondWith(new Response(new ReadableStream({
        async start(c) {
          const enc = new TextEncoder();
          for (const part of ['one ', 'two ', 'three']) {
            await new Promise((r) => setTimeout(r, 20));
            c.enqueue(enc.encode(part));
          }
          c.close();
        },
      })));
      return;
    case 'later':
      e.respondWith(new Promise((resolve) => setTimeout(() => resolve(new Response('answered later')), 100)));
      return;
    case 'echo':
      e.respondWith(describeRequest(e).then((d) => json(d)));
      return;
    case 'event':
      e.respondWith(describeEvent(e).then((d) => json(d)));
      return;
    case 'network':
      e.respondWith(fetch(e.request));
      return;
    case 'network-other':
      e.respondWith(fetch(dataURL));
      return;
    case 'reject':
      e.respondWith(Promise.reject(new Error('the worker failed')));
      return;
    case 'not-response':
      e.respondWith(Promise.resolve('a string is not a Response'));
      return;
    case 'response-error':
      e.respondWith(Response.error());
      return;
    case 'used-body': {
      const r = new Response('read already');
      e.respondWith(r.text().then(() => r));
      return;
    }
    case 'prevent-default':
      e.preventDefault();
      return;
    case 'redirect':
      e.respondWith(Response.redirect(new URL(`sw-data.txt?sw=text&redirected=${key}`, HERE).href, 302));
      return;
    case 'opaque':
      e.respondWith(fetch(crossURL.href, { mode: 'no-cors' }));
      return;
    case 'cors':
      e.respondWith(fetch(`${crossURL.href}?header=Access-Control-Allow-Origin:*`, { mode: 'cors' }));
      return;
    case 'handled': {
      // key names what to do: respond, fallback, reject or prevent.
      record(`handled-${key}`, settled(e.handled));
      if (key === 'respond') e.respondWith(new Response('handled'));
      else if (key === 'reject') e.respondWith(Promise.reject(new Error('no')));
      else if (key === 'prevent') e.preventDefault();
      return;
    }
    case 'late-respond':
      // respondWith() after the listener returned: InvalidStateError, and the request
      // goes to the network.
      record(`late-${key}`, new Promise((resolve) => {
        setTimeout(() => resolve(errorName(() => e.respondWith(new Response('too late')))), 0);
      }));
      return;
    case 'late-wait-until':
      record(`late-${key}`, new Promise((resolve) => {
        setTimeout(() => resolve(errorName(() => e.waitUntil(Promise.resolve()))), 0);
      }));
      return;
    case 'extended-wait-until': {
      // While a lifetime promise is pending the event is still active: waitUntil() works
      // after the listener returned.
      let release;
      e.waitUntil(new Promise((r) => { release = r; }));
      record(`late-${key}`, new Promise((resolve) => {
        setTimeout(() => {
          const name = errorName(() => e.waitUntil(Promise.resolve()));
          release();
          resolve(name);
        }, 0);
      }));
      e.respondWith(new Response('extended'));
      return;
    }
    case 'twice': {
      let resolveFirst;
      e.respondWith(new Promise((r) => { resolveFirst = r; }));
      const second = errorName(() => e.respondWith(new Response('second')));
      resolveFirst(new Response('first', { headers: { 'X-Second-Call': second } }));
      return;
    }
    case 'stop': {
      secondListenerSaw = null;
      e.respondWith(new Promise((resolve) => setTimeout(() => {
        resolve(new Response(String(secondListenerSaw)));
      }, 0)));
      return;
    }
    case 'second-saw':
      e.respondWith(new Response(String(secondListenerSaw)));
      return;
    case 'cache-first': {
      const k = url.pathname;
      e.respondWith((async () => {
        const hit = cacheFirst.get(k);
        if (hit !== undefined) {
          const body = await hit.clone().arrayBuffer();
          return new Response(body, { headers: { 'X-Source': 'cache' } });
        }
        networkCount += 1;
        const response = await fetch(e.request);
        cacheFirst.set(k, response.clone());
        return response;
      })());
      return;
    }
    case 'network-first': {
      const k = url.pathname;
      // `offline` stands for a failing network: the request goes to a closed port.
      const target = url.searchParams.has('offline') ? 'http://127.0.0.1:1/' : e.request;
      e.respondWith((async () => {
        try {
          const response = await fetch(target);
          networkFirst.set(k, response.clone());
          return response;
        } catch (err) {
          const hit = networkFirst.get(k);
          if (hit === undefined) throw err;
          const body = await hit.clone().arrayBuffer();
          return new Response(body, { headers: { 'X-Source': 'cache' } });
        }
      })());
      return;
    }
    case 'result':
      e.respondWith((recorded.get(key) || Promise.resolve('nothing recorded')).then((v) => json(v)));
      return;
    case 'seen':
      e.respondWith(json(seen.slice(0, -1)));
      return;
    case 'stats':
      e.respondWith(json({ networkCount }));
      return;
    default:
  }
});

// A second listener: it sees the requests the first did not stop.
self.addEventListener('fetch', (e) => {
  secondListenerSaw = new URL(e.request.url).searchParams.get('sw');
});

// Notifications (WHATWG Notifications API): Notification with its permission and
// requestPermission(), shown through the platform's notification centre
// (src/notifications/); persistent notifications through a service worker registration
// (showNotification, getNotifications) and NotificationEvent (notificationclick,
// notificationclose) in workers.
//
// What crosses realms is plain data: a persistent notification's `data` travels as JSON
// (a value JSON cannot hold arrives as null in the worker), not as a structured clone.
(function (ops, internals) {
  'use strict';
  const { requireArgs, illegal, token } = internals;
  const $Promise = Promise;
  const $TypeError = TypeError;
  const $URL = URL;
  const call = (fn, self, ...args) => Reflect.apply(fn, self, args);
  const urlHref = Object.getOwnPropertyDescriptor($URL.prototype, 'href').get;
  const jsonStringify = JSON.stringify;
  const jsonParse = JSON.parse;
  const MAX_ACTIONS = 2;
  const what = (op) => `Failed to ${op}`;

  // "Create a notification" (section 2.2): the options checked and normalised.
  function createNotification(title, options, op) {
    const o = internals.dictionary(options, what(op));
    const dir = o.dir === undefined ? 'auto' : `${o.dir}`;
    if (!['auto', 'ltr', 'rtl'].includes(dir)) throw new $TypeError(`${what(op)}: '${dir}' is not a NotificationDirection.`);
    const url = (v) => {
      if (v === undefined) return '';
      try {
        return call(urlHref, new $URL(internals.toUSV(v), internals.url));
      } catch (_) {
        return '';
      }
    };
    let vibrate = [];
    if (o.vibrate !== undefined) {
      vibrate = typeof o.vibrate === 'object' && o.vibrate !== null
        ? internals.sequence(o.vibrate, what(op)).map((n) => Number(n) >>> 0) : [Number(o.vibrate) >>> 0];
      if (vibrate.length > 10) vibrate = vibrate.slice(0, 10);
      if (vibrate.length % 2 === 0 && vibrate.length > 0) vibrate.pop();
      vibrate = vibrate.map((n) => Math.min(n, 10000));
    }
    const silent = o.silent === undefined || o.silent === null ? null : Boolean(o.silent);
    const renotify = Boolean(o.renotify);
    const tag = o.tag === undefined ? '' : internals.toDOMString(o.tag);
    if (silent === true && vibrate.length > 0) throw new $TypeError(`${what(op)}: a silent notification cannot vibrate.`);
    if (renotify && tag === '') throw new $TypeError(`${what(op)}: renotify needs a tag.`);
    const actions = [];
    for (const a of o.actions === undefined ? [] : internals.sequence(o.actions, what(op))) {
      const d = internals.dictionary(a, what(op));
      if (d.action === undefined || d.title === undefined) {
        throw new $TypeError(`${what(op)}: a NotificationAction needs an action and a title.`);
      }
      if (actions.length < MAX_ACTIONS) {
        actions.push(Object.freeze({ action: internals.toDOMString(d.action), title: internals.toDOMString(d.title), icon: url(d.icon) }));
      }
    }
    return {
      title: internals.toDOMString(title), dir,
      lang: o.lang === undefined ? '' : internals.toDOMString(o.lang),
      body: o.body === undefined ? '' : internals.toDOMString(o.body),
      tag, image: url(o.image), icon: url(o.icon), badge: url(o.badge),
      vibrate: Object.freeze(vibrate),
      timestamp: o.timestamp === undefined ? Math.floor(ops.timeOrigin + ops.now()) : Number(o.timestamp),
      renotify, silent, requireInteraction: Boolean(o.requireInteraction),
      // StructuredSerializeForStorage: a value that cannot be cloned throws here.
      data: o.data === undefined ? null : structuredClone(o.data),
      actions: Object.freeze(actions),
    };
  }

  // What the host keeps: [title, optionsJSON, body, tag, icon, requireInteraction, silent,
  // actions].
  function info(n) {
    let dataJSON = null;
    try {
      dataJSON = jsonStringify(n.data);
    } catch (_) {
      dataJSON = null;
    }
    const options = jsonStringify({
      dir: n.dir, lang: n.lang, body: n.body, tag: n.tag, image: n.image, icon: n.icon, badge: n.badge,
      vibrate: n.vibrate, timestamp: n.timestamp, renotify: n.renotify, silent: n.silent,
      requireInteraction: n.requireInteraction, actions: n.actions, dataJSON,
    });
    return [n.title, options, n.body, n.tag, n.icon, n.requireInteraction, n.silent === true,
      n.actions.map((a) => [a.action, a.title])];
  }
  function fromInfo(plain) {
    const o = jsonParse(plain[1]);
    let data = null;
    try {
      data = o.dataJSON === null || o.dataJSON === undefined ? null : jsonParse(o.dataJSON);
    } catch (_) {
      data = null;
    }
    return {
      title: plain[0], dir: o.dir, lang: o.lang, body: o.body, tag: o.tag, image: o.image, icon: o.icon,
      badge: o.badge, vibrate: Object.freeze(o.vibrate), timestamp: o.timestamp, renotify: o.renotify,
      silent: o.silent, requireInteraction: o.requireInteraction, data,
      actions: Object.freeze(o.actions.map((a) => Object.freeze(a))),
    };
  }

  const slots = new WeakMap();
  const byId = new Map();
  const get = (self) => {
    const s = slots.get(self);
    if (s === undefined) throw new $TypeError('Illegal invocation: not a Notification');
    return s;
  };
  class Notification extends EventTarget {
    constructor(title, options = undefined) {
      requireArgs(arguments.length, 1, "Failed to construct 'Notification'");
      if (title === token) {
        // A persistent notification's object, made for getNotifications() or an event.
        super();
        slots.set(this, { n: options.n, id: options.id, persistent: true });
        return;
      }
      if (internals.kind === 'serviceworker') {
        throw new $TypeError("Failed to construct 'Notification': use ServiceWorkerRegistration.showNotification() in a service worker.");
      }
      const o = internals.dictionary(options, "Failed to construct 'Notification'");
      if (o.actions !== undefined && internals.sequence(o.actions, "Failed to construct 'Notification'").length > 0) {
        throw new $TypeError("Failed to construct 'Notification': actions are only for persistent notifications.");
      }
      const n = createNotification(title, options, "construct 'Notification'");
      super();
      const s = { n, id: null, persistent: false };
      slots.set(this, s);
      // "Show steps", in parallel: the permission decides between show and error.
      const id = ops.notifyShow(info(n));
      internals.queueTask(() => {
        if (id === null || id === undefined) {
          internals.fire(this, new Event('error'));
          return;
        }
        s.id = id;
        byId.set(id, this);
        internals.fire(this, new Event('show'));
      });
    }
    static get permission() { return ops.notifyPermission(); }
    static get maxActions() { return MAX_ACTIONS; }
    get title() { return get(this).n.title; }
    get dir() { return get(this).n.dir; }
    get lang() { return get(this).n.lang; }
    get body() { return get(this).n.body; }
    get tag() { return get(this).n.tag; }
    get image() { return get(this).n.image; }
    get icon() { return get(this).n.icon; }
    get badge() { return get(this).n.badge; }
    get vibrate() { return get(this).n.vibrate; }
    get timestamp() { return get(this).n.timestamp; }
    get renotify() { return get(this).n.renotify; }
    get silent() { return get(this).n.silent; }
    get requireInteraction() { return get(this).n.requireInteraction; }
    get data() { return get(this).n.data; }
    get actions() { return get(this).n.actions; }
    close() {
      const s = get(this);
      if (s.id === null) return;
      const id = s.id;
      ops.notifyClose(id);
      byId.delete(id);
      s.id = null;
      if (!s.persistent) internals.queueTask(() => internals.fire(this, new Event('close')));
    }
  }
  for (const e of ['click', 'show', 'error', 'close']) internals.defineEventHandler(Notification.prototype, e);
  if (internals.kind === 'window') {
    Object.defineProperty(Notification, 'requestPermission', {
      value: function requestPermission(deprecatedCallback = undefined) {
        const answer = ops.notifyRequestPermission();
        return new $Promise((resolve) => {
          internals.queueTask(() => {
            if (typeof deprecatedCallback === 'function') {
              try {
                deprecatedCallback(answer);
              } catch (e) {
                internals.reportException(e);
              }
            }
            resolve(answer);
          });
        });
      },
      writable: true, enumerable: true, configurable: true,
    });
  }
  internals.defineInterface(Notification, 'Notification');

  // A page's notification was clicked or closed by the user.
  internals.onHostMessage('notifyAction', (id, kind) => {
    const n = byId.get(id);
    if (n === undefined) return;
    if (kind === 'close') {
      byId.delete(id);
      slots.get(n).id = null;
    }
    internals.fire(n, new Event(kind, { cancelable: kind === 'click' }));
  });

  // -------------------------------------------------------------------------------
  // Persistent notifications: the registration's, and events in its worker.
  // -------------------------------------------------------------------------------
  const Registration = globalThis.ServiceWorkerRegistration;
  if (Registration === undefined) return;
  const regId = internals.serviceWorkerRegistrationId;
  Object.defineProperty(Registration.prototype, 'showNotification', {
    value: function showNotification(title, options = undefined) {
      try {
        requireArgs(arguments.length, 1, "Failed to execute 'showNotification' on 'ServiceWorkerRegistration'");
        const id = regId(this);
        if (this.active === null) {
          throw new $TypeError("Failed to execute 'showNotification': the registration has no active worker.");
        }
        const n = createNotification(title, options, "execute 'showNotification'");
        if (ops.notifyPermission() !== 'granted') {
          throw new $TypeError("Failed to execute 'showNotification': no permission to show notifications.");
        }
        ops.notifyShow(info(n), id);
        return $Promise.resolve(undefined);
      } catch (e) {
        return $Promise.reject(e);
      }
    },
    writable: true, enumerable: true, configurable: true,
  });
  Object.defineProperty(Registration.prototype, 'getNotifications', {
    value: function getNotifications(filter = undefined) {
      try {
        const id = regId(this);
        const f = internals.dictionary(filter, "Failed to execute 'getNotifications'");
        const tag = f.tag === undefined ? '' : internals.toDOMString(f.tag);
        return $Promise.resolve(ops.notifyList(id, tag).map(([nid, plain]) =>
          new Notification(token, { n: fromInfo(plain), id: nid })));
      } catch (e) {
        return $Promise.reject(e);
      }
    },
    writable: true, enumerable: true, configurable: true,
  });

  if (internals.kind !== 'serviceworker') return;
  const eventSlots = new WeakMap();
  class NotificationEvent extends internals.ExtendableEvent {
    constructor(type, eventInitDict) {
      requireArgs(arguments.length, 2, "Failed to construct 'NotificationEvent'");
      const init = internals.dictionary(eventInitDict, "Failed to construct 'NotificationEvent'");
      if (!slots.has(init.notification)) {
        throw new $TypeError("Failed to construct 'NotificationEvent': member notification is not of type Notification.");
      }
      super(type, eventInitDict);
      eventSlots.set(this, { notification: init.notification, action: init.action === undefined ? '' : `${init.action}` });
    }
    get notification() { return eventSlots.get(this).notification; }
    get action() { return eventSlots.get(this).action; }
  }
  internals.defineInterface(NotificationEvent, 'NotificationEvent');
  const proto = internals.globalInterface.prototype;
  internals.defineEventHandler(proto, 'notificationclick');
  internals.defineEventHandler(proto, 'notificationclose');
  internals.onHostMessage('swNotification', (id, kind, action, plain) => {
    const notification = new Notification(token, { n: fromInfo(plain), id });
    const event = new NotificationEvent(kind === 'click' ? 'notificationclick' : 'notificationclose',
      { notification, action });
    internals.fireExtendable(event, () => {});
  });
});

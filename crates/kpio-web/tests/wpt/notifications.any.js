// META: global=window,serviceworker
// The Notifications API (https://notifications.spec.whatwg.org/), as seen from a page
// and from a service worker. The runner's notification centre grants permission.
'use strict';

const isWorker = typeof ServiceWorkerGlobalScope === 'function' && self instanceof ServiceWorkerGlobalScope;

test(() => {
  assert_equals(typeof Notification, 'function');
  assert_true(Notification.prototype instanceof EventTarget);
  assert_equals(Notification.maxActions, 2);
  assert_true(['default', 'granted', 'denied'].includes(Notification.permission));
}, 'Notification exists with its static members');

test(() => {
  for (const name of ['title', 'dir', 'lang', 'body', 'tag', 'image', 'icon', 'badge', 'vibrate',
    'timestamp', 'renotify', 'silent', 'requireInteraction', 'data', 'actions']) {
    assert_true(name in Notification.prototype, name);
  }
  for (const h of ['onclick', 'onshow', 'onerror', 'onclose']) assert_true(h in Notification.prototype, h);
  assert_equals(typeof Notification.prototype.close, 'function');
}, 'Notification.prototype members');

if (isWorker) {
  test(() => {
    assert_throws_js(TypeError, () => new Notification('x'));
  }, 'the constructor throws a TypeError in a service worker');

  test(() => {
    assert_false('requestPermission' in Notification);
  }, 'requestPermission is exposed in windows only');

  promise_test(async (t) => {
    // While the test's own worker installs, its registration has no active worker.
    if (self.registration.active !== null) return;
    await promise_rejects_js(t, TypeError, self.registration.showNotification('x'));
  }, 'showNotification without an active worker rejects with a TypeError');

  test(() => {
    assert_equals(typeof NotificationEvent, 'function');
    assert_true(NotificationEvent.prototype instanceof ExtendableEvent);
    assert_throws_js(TypeError, () => new NotificationEvent('notificationclick', {}));
    assert_true('onnotificationclick' in self);
    assert_true('onnotificationclose' in self);
  }, 'NotificationEvent and the worker\'s handlers');

  promise_test(async () => {
    const list = await self.registration.getNotifications();
    assert_true(Array.isArray(list));
  }, 'getNotifications returns a list');
} else {
  test(() => {
    assert_throws_js(TypeError, () => new Notification());
  }, 'the title is required');

  test(() => {
    const n = new Notification('Hello');
    assert_equals(n.title, 'Hello');
    assert_equals(n.dir, 'auto');
    assert_equals(n.lang, '');
    assert_equals(n.body, '');
    assert_equals(n.tag, '');
    assert_equals(n.icon, '');
    assert_equals(n.image, '');
    assert_equals(n.badge, '');
    assert_array_equals(n.vibrate, []);
    assert_false(n.renotify);
    assert_equals(n.silent, null);
    assert_false(n.requireInteraction);
    assert_equals(n.data, null);
    assert_array_equals(n.actions, []);
    assert_equals(typeof n.timestamp, 'number');
    assert_approx_equals(n.timestamp, Date.now(), 1000);
    n.close();
  }, 'defaults of a new notification');

  test(() => {
    const n = new Notification('T', { dir: 'rtl', lang: 'fr', body: 'b', tag: 't', icon: 'i.png', image: 'https://a.test/x.png',
      badge: 'bad ge', vibrate: [100, 200, 300], timestamp: 42, renotify: true, silent: false, requireInteraction: true });
    assert_equals(n.dir, 'rtl');
    assert_equals(n.lang, 'fr');
    assert_equals(n.body, 'b');
    assert_equals(n.tag, 't');
    assert_equals(n.icon, new URL('i.png', location.href).href);
    assert_equals(n.image, 'https://a.test/x.png');
    assert_equals(n.badge, new URL('bad ge', location.href).href);
    assert_array_equals(n.vibrate, [100, 200, 300]);
    assert_equals(n.timestamp, 42);
    assert_true(n.renotify);
    assert_false(n.silent);
    assert_true(n.requireInteraction);
    n.close();
  }, 'options are reflected, URLs resolved against the page');

  test(() => {
    assert_throws_js(TypeError, () => new Notification('x', { dir: 'up' }));
    assert_throws_js(TypeError, () => new Notification('x', { actions: [{ action: 'a', title: 'A' }] }));
    assert_throws_js(TypeError, () => new Notification('x', { silent: true, vibrate: [100] }));
    assert_throws_js(TypeError, () => new Notification('x', { renotify: true }));
  }, 'invalid options throw TypeErrors');

  test(() => {
    assert_throws_dom('DataCloneError', () => new Notification('x', { data: () => {} }));
  }, 'data that cannot be serialised throws a DataCloneError');

  test(() => {
    const data = { a: [1, 2], d: new Date(5) };
    const n = new Notification('x', { data });
    assert_not_equals(n.data, data);
    assert_equals(n.data.d.getTime(), 5);
    assert_array_equals(n.data.a, [1, 2]);
    assert_equals(n.data, n.data, 'the same object each time');
    n.close();
  }, 'data is a structured clone');

  test(() => {
    const n = new Notification('x', { vibrate: 200 });
    assert_array_equals(n.vibrate, [200]);
    const m = new Notification('x', { vibrate: [1, 2, 3, 4] });
    assert_array_equals(m.vibrate, [1, 2, 3], 'an even-length pattern loses its last entry');
    n.close();
    m.close();
  }, 'vibrate patterns are validated');

  promise_test(async () => {
    const p = await Notification.requestPermission();
    assert_equals(p, 'granted');
    assert_equals(Notification.permission, 'granted');
  }, 'requestPermission resolves with the permission');

  async_test((t) => {
    let called = null;
    Notification.requestPermission((p) => { called = p; }).then(t.step_func_done((p) => {
      assert_equals(called, p, 'the deprecated callback ran first');
    }));
  }, 'requestPermission calls the deprecated callback');

  async_test((t) => {
    const n = new Notification('shown');
    n.onshow = t.step_func(() => {
      n.onclose = t.step_func_done((e) => {
        assert_equals(e.type, 'close');
        assert_true(e.isTrusted);
      });
      n.close();
    });
  }, 'show fires, then close after close()');

  test(() => {
    const n = new Notification('x');
    n.close();
    n.close();
  }, 'close() twice is harmless');

  test(() => {
    assert_throws_js(TypeError, () => Notification.prototype.title);
    assert_throws_js(TypeError, () => Notification.prototype.close.call({}));
  }, 'members check their receiver');
}

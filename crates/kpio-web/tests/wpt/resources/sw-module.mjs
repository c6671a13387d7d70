// A module service worker (registered with { type: 'module' }).
self.addEventListener('install', () => {});

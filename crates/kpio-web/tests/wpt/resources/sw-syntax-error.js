// A service worker whose script does not parse: registering it is a TypeError.
self.oninstall = (;

// A service worker whose script throws when it runs: registering it is a TypeError.
throw new Error('thrown while the script runs');

//! `kpio_system` end to end, over the std backend (`StdSystem`).

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use kpio_app::Permissions;
use kpio_host::LogLevel;
use kpio_host::host::{SharedClipboard, StdSystem};
use kpio_wasm::TrapCode;

type Notes = Arc<Mutex<Vec<(String, String, String)>>>;

fn start(perms: Permissions) -> (App, RecordingLog, SharedClipboard, Notes) {
    let log = RecordingLog::default();
    let clip = SharedClipboard::new();
    let notes: Notes = Arc::default();
    let sink = notes.clone();
    let system = StdSystem::new()
        .with_clipboard(clip.clone())
        .with_locale("de_DE.UTF-8")
        .with_notify(Arc::new(move |app, title, body| {
            let mut n = sink.lock().unwrap();
            n.push((app.into(), title.into(), body.into()));
            Ok(n.len() as u32)
        }));
    let ctx = builder(perms, &log)
        .system(Box::new(system))
        .build()
        .unwrap();
    (App::new(ctx), log, clip, notes)
}

fn all() -> Permissions {
    Permissions {
        notifications: true,
        clipboard: true,
        ..Permissions::default()
    }
}

#[test]
fn clocks() {
    let (mut app, ..) = start(Permissions::default());
    let ms = app.call64("kpio_system.get_time");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // Read around the call: the host's value lies between two readings of the clock.
    assert!(ms <= now && ms > now - 60_000, "{ms} vs {now}");
    let a = app.call64("kpio_system.get_monotonic");
    let b = app.call64("kpio_system.get_monotonic");
    assert!(a >= 0 && b >= a);
}

#[test]
fn hostname_and_locale_copy_only_when_they_fit() {
    let (mut app, log, ..) = start(Permissions::default());
    let expected = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string();
    let n = expected.len() as i32;
    app.write(0, &[0xEE; 300]);
    // Too small: full length, nothing written.
    assert_eq!(app.call("kpio_system.get_hostname", &[0, n - 1]), n);
    assert_eq!(app.read(0, 300), vec![0xEE; 300]);
    assert_eq!(app.call("kpio_system.get_hostname", &[0, 0]), n);
    assert_eq!(app.call("kpio_system.get_hostname", &[0, 300]), n);
    assert_eq!(app.read(0, n as usize), expected.as_bytes());
    assert_eq!(app.read(n as u32, 1), vec![0xEE]);

    assert_eq!(app.call("kpio_system.get_locale", &[100, 2]), 5);
    assert_eq!(app.call("kpio_system.get_locale", &[100, 5]), 5);
    assert_eq!(app.read(100, 5), b"de-DE");
    // No permission needed for these.
    assert!(log.denials().is_empty());
    // The buffer must be in memory even when the text does not fit in it.
    let err = app
        .try_call("kpio_system.get_locale", &[65535, 2])
        .unwrap_err();
    assert_eq!(err.code(), Some(TrapCode::MemoryOutOfBounds));
    assert!(
        app.ctx()
            .last_fault()
            .unwrap()
            .starts_with("kpio_system::get_locale")
    );
}

#[test]
fn notify_needs_the_permission() {
    let (mut app, log, _, notes) = start(all());
    app.write(0, "Hi ✓".as_bytes());
    app.write(100, b"body text");
    assert_eq!(app.call("kpio_system.notify", &[0, 6, 100, 9]), 1);
    assert_eq!(app.call("kpio_system.notify", &[0, 6, 100, 0]), 2);
    assert_eq!(
        notes.lock().unwrap()[0],
        ("test.app".into(), "Hi ✓".into(), "body text".into())
    );
    // Sizes: title ≤ 256, body ≤ 4096; UTF-8.
    assert_eq!(app.call("kpio_system.notify", &[0, 257, 100, 1]), LIMIT);
    assert_eq!(app.call("kpio_system.notify", &[0, 1, 100, 4097]), LIMIT);
    app.write(200, b"\xFF");
    assert_eq!(app.call("kpio_system.notify", &[200, 1, 100, 1]), INVALID);
    assert_eq!(app.call("kpio_system.notify", &[0, 1, 200, 1]), INVALID);
    assert!(log.denials().is_empty());

    let (mut app, log, _, notes) = start(Permissions::default());
    assert_eq!(app.call("kpio_system.notify", &[0, 6, 100, 9]), DENIED);
    assert!(notes.lock().unwrap().is_empty());
    let d = log.denials();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].call, "kpio_system::notify");
    assert_eq!(d[0].what, "notifications is not granted");
}

#[test]
fn notify_without_a_sink_is_unavailable() {
    let log = RecordingLog::default();
    let ctx = builder(all(), &log).build().unwrap();
    let mut app = App::new(ctx);
    assert_eq!(app.call("kpio_system.notify", &[0, 1, 0, 1]), UNAVAILABLE);
}

#[test]
fn clipboard_needs_the_permission_and_is_shared() {
    let (mut app, log, clip, _) = start(all());
    app.write(0, "copy ✓".as_bytes());
    assert_eq!(app.call("kpio_system.clipboard_write", &[0, 8]), 0);
    assert_eq!(clip.get(), "copy ✓");
    clip.set("from another app");
    assert_eq!(app.call("kpio_system.clipboard_read", &[100, 4]), 16);
    assert_eq!(app.call("kpio_system.clipboard_read", &[100, 16]), 16);
    assert_eq!(app.read(100, 16), b"from another app");
    app.write(200, b"\xC0\x80");
    assert_eq!(app.call("kpio_system.clipboard_write", &[200, 2]), INVALID);
    assert_eq!(
        app.call("kpio_system.clipboard_write", &[0, 1024 * 1024 + 1]),
        LIMIT
    );
    assert!(log.denials().is_empty());

    let (mut app, log, clip, _) = start(Permissions::default());
    clip.set("secret");
    assert_eq!(app.call("kpio_system.clipboard_read", &[0, 100]), DENIED);
    assert_eq!(app.read(0, 6), vec![0; 6]);
    assert_eq!(app.call("kpio_system.clipboard_write", &[0, 1]), DENIED);
    assert_eq!(clip.get(), "secret");
    let calls: Vec<_> = log.denials().iter().map(|d| d.call).collect();
    assert_eq!(
        calls,
        [
            "kpio_system::clipboard_read",
            "kpio_system::clipboard_write"
        ]
    );
    assert_eq!(log.denials()[0].what, "clipboard is not granted");
}

#[test]
fn log_lines_reach_the_host_log() {
    let (mut app, log, ..) = start(Permissions::default());
    app.write(0, b"started");
    for level in 0..=4 {
        assert_eq!(app.call("kpio_system.log", &[level, 0, 7]), 0);
    }
    assert_eq!(app.call("kpio_system.log", &[5, 0, 7]), INVALID);
    assert_eq!(app.call("kpio_system.log", &[-1, 0, 7]), INVALID);
    app.write(10, b"\xFF");
    assert_eq!(app.call("kpio_system.log", &[2, 10, 1]), INVALID);
    assert_eq!(app.call("kpio_system.log", &[2, 0, 64 * 1024 + 1]), LIMIT);
    let lines = &log.0.lock().unwrap().lines;
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[0],
        ("test.app".into(), 7, LogLevel::Error, "started".into())
    );
    assert_eq!(lines[4].2, LogLevel::Trace);
}

//! `kpio_gui` end to end: wasm calls through kpio-wasm into a recording backend.

mod common;

use common::*;
use kpio_app::Permissions;
use kpio_host::{EVENT_SIZE, EventKind, GuiEvent, key};
use kpio_wasm::TrapCode;

fn app_with_gui(perms: Permissions) -> (App, RecordingGui, RecordingLog) {
    let gui = RecordingGui::default();
    let log = RecordingLog::default();
    let ctx = builder(perms, &log)
        .gui(Box::new(gui.clone()))
        .build()
        .unwrap();
    (App::new(ctx), gui, log)
}

/// Writes `title` at 0x100 and opens a 300×400 window with it.
fn open(app: &mut App, title: &str) -> i32 {
    app.write(0x100, title.as_bytes());
    app.call(
        "kpio_gui.create_window",
        &[0x100, title.len() as i32, 300, 400],
    )
}

#[test]
fn every_call_works_with_the_permission() {
    let (mut app, gui, log) = app_with_gui(gui_perms());
    let win = open(&mut app, "Calculator");
    assert!(win > 0);
    app.write(0x200, "Calc ✓".as_bytes());
    assert_eq!(
        app.call("kpio_gui.set_title", &[win, 0x200, "Calc ✓".len() as i32]),
        0
    );
    assert_eq!(app.call("kpio_gui.clear", &[win, 0xFF20_2020u32 as i32]), 0);
    assert_eq!(
        app.call(
            "kpio_gui.draw_rect",
            &[win, -5, 10, 20, 30, 0x80FF_0000u32 as i32]
        ),
        0
    );
    assert_eq!(
        app.call("kpio_gui.draw_line", &[win, 0, 0, 299, 399, -1]),
        0
    );
    app.write(0x300, b"1 + 2");
    let w = app.call(
        "kpio_gui.draw_text",
        &[win, 4, 8, 0x300, 5, 20, 0xFF00_0000u32 as i32],
    );
    assert_eq!(w, text_width("1 + 2", 20) as i32);
    assert_eq!(app.call("kpio_gui.measure_text", &[0x300, 5, 20]), w);
    let px: Vec<u8> = (0..2 * 3 * 4).map(|i| i as u8).collect();
    app.write(0x400, &px);
    assert_eq!(
        app.call("kpio_gui.draw_image", &[win, 1, 2, 2, 3, 0x400, 24]),
        0
    );
    assert_eq!(app.call("kpio_gui.request_frame", &[win]), 0);
    assert_eq!(app.call("kpio_gui.poll_event", &[win, 0x500, 0]), 0);
    assert_eq!(app.call("kpio_gui.close_window", &[win]), 0);
    // A closed window's frame is CLOSED (the backend's answer passes through).
    assert_eq!(app.call("kpio_gui.request_frame", &[win]), -5);

    let win = win as u32;
    assert_eq!(
        gui.ops(),
        vec![
            Op::Create("Calculator".into(), 300, 400),
            Op::Title(win, "Calc ✓".into()),
            Op::Clear(win, 0xFF20_2020),
            Op::Rect(win, -5, 10, 20, 30, 0x80FF_0000),
            Op::Line(win, 0, 0, 299, 399, 0xFFFF_FFFF),
            Op::Text(win, 4, 8, "1 + 2".into(), 20, 0xFF00_0000),
            Op::Image(win, 1, 2, 2, 3, px),
            Op::Frame(win),
            Op::Poll(win, Some(0)),
            Op::Close(win),
        ]
    );
    assert!(log.denials().is_empty());
    assert_eq!(app.ctx().denial_count(), 0);
}

#[test]
fn poll_event_writes_the_24_byte_record() {
    let (mut app, gui, _) = app_with_gui(gui_perms());
    let win = open(&mut app, "w");
    let ev = GuiEvent {
        kind: EventKind::KeyDown,
        key_code: key::PAGE_DOWN,
        mouse_x: -1,
        mouse_y: 12,
        width: 300,
        height: 400,
    };
    gui.push_event(ev);
    app.write(0x500, &[0xAA; 32]);
    assert_eq!(app.call("kpio_gui.poll_event", &[win, 0x500, -1]), 1);
    let bytes = app.read(0x500, 32);
    let mut expected = Vec::new();
    for v in [1u32, 0x11_0006, u32::MAX, 12, 300, 400] {
        expected.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(&bytes[..EVENT_SIZE], &expected[..]);
    // Nothing written past the record.
    assert_eq!(&bytes[EVENT_SIZE..], &[0xAA; 8]);
    assert_eq!(
        GuiEvent::from_bytes(bytes[..24].try_into().unwrap()),
        Some(ev)
    );
    assert_eq!(gui.ops().last(), Some(&Op::Poll(win as u32, None)));
    // Timeouts below -1 are invalid.
    assert_eq!(app.call("kpio_gui.poll_event", &[win, 0x500, -2]), INVALID);
}

#[test]
fn without_the_permission_every_call_is_denied_logged_and_the_app_runs_on() {
    // `run` calls create_window (denied), then keeps computing and returns 40 + 2 plus
    // the denial's code: the app is not trapped, it sees -1 and carries on.
    let extra = r#"
      (func (export "run") (result i32)
        (local $r i32)
        (local.set $r (call $f0 (i32.const 0) (i32.const 0) (i32.const 100) (i32.const 100)))
        (i32.add (local.get $r) (i32.add (i32.const 40) (i32.const 3))))"#;
    let gui = RecordingGui::default();
    let log = RecordingLog::default();
    let ctx = builder(Permissions::default(), &log)
        .gui(Box::new(gui.clone()))
        .build()
        .unwrap();
    let mut app = App::with_extra(ctx, extra);
    assert_eq!(app.call("run", &[]), 42);

    // Every function, even with arguments that would trap: the permission comes first.
    let bad = 0x7FFF_FFF0;
    let calls: &[(&str, &[i32])] = &[
        ("create_window", &[bad, 100, 10, 10]),
        ("close_window", &[1]),
        ("set_title", &[1, bad, 100]),
        ("clear", &[1, 0]),
        ("draw_rect", &[1, 0, 0, 1, 1, 0]),
        ("draw_line", &[1, 0, 0, 1, 1, 0]),
        ("draw_text", &[1, 0, 0, bad, 100, 12, 0]),
        ("measure_text", &[bad, 100, 12]),
        ("draw_image", &[1, 0, 0, 1, 1, bad, 4]),
        ("request_frame", &[1]),
        ("poll_event", &[1, bad, -1]),
    ];
    for (name, args) in calls {
        assert_eq!(
            app.call(&format!("kpio_gui.{name}"), args),
            DENIED,
            "{name}"
        );
    }
    assert!(gui.ops().is_empty(), "a denied call reached the backend");
    let denials = log.denials();
    assert_eq!(denials.len(), 1 + calls.len());
    assert_eq!(denials[0].call, "kpio_gui::create_window");
    assert_eq!(denials[0].what, "gui is not granted");
    assert_eq!(denials[8].call, "kpio_gui::measure_text");
    // The log gets app and instance too.
    let state = log.0.lock().unwrap();
    assert_eq!(
        (state.denials[0].0.as_str(), state.denials[0].1),
        ("test.app", 7)
    );
    drop(state);
    // The context keeps them for `kpio` and tests.
    assert_eq!(app.ctx().denial_count(), 12);
    assert_eq!(app.ctx().recent_denials().count(), 12);
    assert_eq!(
        app.ctx().recent_denials().last().unwrap().call,
        "kpio_gui::poll_event"
    );
}

#[test]
fn the_context_keeps_only_the_last_denials() {
    let log = RecordingLog::default();
    let ctx = builder(Permissions::default(), &log)
        .max_denials(3)
        .build()
        .unwrap();
    let mut app = App::new(ctx);
    for i in 0..5 {
        assert_eq!(app.call("kpio_gui.clear", &[i + 1, 0]), DENIED);
    }
    assert_eq!(app.ctx().denial_count(), 5);
    assert_eq!(app.ctx().recent_denials().count(), 3);
    assert_eq!(log.denials().len(), 5);
}

#[test]
fn without_a_display_allowed_calls_are_unavailable() {
    let log = RecordingLog::default();
    let ctx = builder(gui_perms(), &log).build().unwrap();
    let mut app = App::new(ctx);
    app.write(0, b"t");
    assert_eq!(
        app.call("kpio_gui.create_window", &[0, 1, 10, 10]),
        UNAVAILABLE
    );
    assert_eq!(app.call("kpio_gui.measure_text", &[0, 1, 10]), UNAVAILABLE);
    assert_eq!(app.call("kpio_gui.request_frame", &[1]), UNAVAILABLE);
    assert!(log.denials().is_empty());
}

#[test]
fn bad_buffers_trap_out_of_bounds_naming_the_call() {
    let mem_end = 65536;
    let cases: &[(&str, &[i32])] = &[
        ("create_window", &[mem_end - 2, 3, 10, 10]),
        ("set_title", &[1, -1, 2]),
        ("draw_text", &[1, 0, 0, mem_end, 1, 12, 0]),
        ("measure_text", &[mem_end - 1, 2, 12]),
        ("draw_image", &[1, 0, 0, 1, 1, mem_end - 3, 4]),
        ("poll_event", &[1, mem_end - 23, 0]),
    ];
    for (name, args) in cases {
        let (mut app, gui, log) = app_with_gui(gui_perms());
        assert_eq!(open(&mut app, "w"), 1);
        let err = app
            .try_call(&format!("kpio_gui.{name}"), args)
            .expect_err(name);
        assert_eq!(
            err.code(),
            Some(TrapCode::MemoryOutOfBounds),
            "{name}: {err}"
        );
        let fault = app.ctx().last_fault().expect("fault recorded").to_string();
        assert!(
            fault.starts_with(&format!("kpio_gui::{name}: guest buffer at")),
            "{fault}"
        );
        assert_eq!(log.faults(), vec![fault]);
        // Nothing reached the backend after create_window.
        assert_eq!(gui.ops().len(), 1, "{name}");
    }
}

#[test]
fn a_queued_event_is_not_lost_to_a_bad_record_pointer() {
    let (mut app, gui, _) = app_with_gui(gui_perms());
    let win = open(&mut app, "w");
    gui.push_event(GuiEvent {
        kind: EventKind::Close,
        ..GuiEvent::default()
    });
    assert!(
        app.try_call("kpio_gui.poll_event", &[win, 65530, 0])
            .is_err()
    );
    assert_eq!(gui.0.lock().unwrap().events.len(), 1);
}

#[test]
fn text_must_be_utf8() {
    let (mut app, gui, _) = app_with_gui(gui_perms());
    app.write(0, b"ab\xC3(");
    assert_eq!(app.call("kpio_gui.create_window", &[0, 4, 10, 10]), INVALID);
    let win = open(&mut app, "w");
    assert_eq!(app.call("kpio_gui.set_title", &[win, 0, 4]), INVALID);
    assert_eq!(
        app.call("kpio_gui.draw_text", &[win, 0, 0, 0, 4, 12, 0]),
        INVALID
    );
    assert_eq!(app.call("kpio_gui.measure_text", &[0, 4, 12]), INVALID);
    // Only the valid window creation reached the backend.
    assert_eq!(gui.ops().len(), 1);
}

#[test]
fn sizes_are_bounded() {
    let (mut app, gui, _) = app_with_gui(gui_perms());
    // Window sizes 1..=4096.
    for (w, h) in [(0, 10), (10, 0), (4097, 10), (10, 4097), (-1, 10)] {
        assert_eq!(
            app.call("kpio_gui.create_window", &[0, 0, w, h]),
            INVALID,
            "{w}x{h}"
        );
    }
    assert_eq!(app.call("kpio_gui.create_window", &[0, 0, 4096, 4096]), 1);
    // Titles up to 256 bytes; the size is checked before memory (a huge length is LIMIT,
    // not a trap).
    app.write(0, &[b'x'; 257]);
    assert_eq!(app.call("kpio_gui.set_title", &[1, 0, 257]), LIMIT);
    assert_eq!(app.call("kpio_gui.set_title", &[1, 0, 256]), 0);
    assert_eq!(app.call("kpio_gui.set_title", &[1, 0, -1]), LIMIT);
    // Text up to 64 KiB (memory is one page, so 64 KiB exactly fits).
    assert_eq!(
        app.call("kpio_gui.draw_text", &[1, 0, 0, 0, 65537, 12, 0]),
        LIMIT
    );
    assert_eq!(app.call("kpio_gui.measure_text", &[0, 65537, 12]), LIMIT);
    app.write(0, &[b'a'; 65536]);
    assert!(app.call("kpio_gui.measure_text", &[0, 65536, 12]) > 0);
    // Font sizes 1..=1024.
    assert_eq!(app.call("kpio_gui.measure_text", &[0, 1, 0]), INVALID);
    assert_eq!(app.call("kpio_gui.measure_text", &[0, 1, 1025]), INVALID);
    // Negative rectangle sizes.
    assert_eq!(
        app.call("kpio_gui.draw_rect", &[1, 0, 0, -1, 5, 0]),
        INVALID
    );
    // Handles are > 0.
    assert_eq!(app.call("kpio_gui.clear", &[0, 0]), INVALID);
    assert_eq!(app.call("kpio_gui.clear", &[-3, 0]), INVALID);
    let before = gui.ops().len();
    // Images: at most 4096×4096, len == w*h*4 (in overflow-safe arithmetic).
    assert_eq!(
        app.call("kpio_gui.draw_image", &[1, 0, 0, 4097, 1, 0, 4 * 4097]),
        LIMIT
    );
    assert_eq!(
        app.call("kpio_gui.draw_image", &[1, 0, 0, 2, 2, 0, 15]),
        INVALID
    );
    assert_eq!(
        app.call("kpio_gui.draw_image", &[1, 0, 0, -2, 2, 0, 16]),
        INVALID
    );
    // 4096*4096*4 = 2^26 would wrap a u16-sized product and 65536*65536*4 a u32 one;
    // here the length simply does not match (and memory is not touched).
    assert_eq!(
        app.call("kpio_gui.draw_image", &[1, 0, 0, 4096, 4096, 0, 0]),
        INVALID
    );
    assert_eq!(app.call("kpio_gui.draw_image", &[1, 0, 0, 0, 0, 0, 0]), 0);
    assert_eq!(gui.ops().len(), before + 1);
}

//! End-to-end tests of the desktop shell: input in, requests/events/scene/pixels out.
//! Every click position comes from the scene, so layout changes do not break the tests.

use kpio_gui::canvas::Canvas;
use kpio_gui::shell::theme::{DOUBLE_CLICK_MS, TASKBAR_BG, TOAST_MS};
use kpio_gui::shell::{
    ALL_APPS_ID, AppEntry, EventKind, InputEvent, Key, MouseButton, NOTIFICATIONS_ID, Shell,
    ShellRequest, WindowEvent, WindowId, WindowOwner, WindowState,
};

const W: u32 = 1024;
const H: u32 = 768;

fn app(id: &str, name: &str, accent: u32) -> AppEntry {
    AppEntry {
        app_id: id.into(),
        name: name.into(),
        icon: None,
        accent,
    }
}

fn desktop() -> Shell {
    let mut s = Shell::new(W, H);
    s.set_apps(vec![
        app("org.kpio.calculator", "Calculator", 0xFF3D7BD9),
        app("org.kpio.viewer", "Text Viewer", 0xFF43A047),
    ]);
    s
}

fn owner(app_id: &str, instance: u64) -> WindowOwner {
    WindowOwner {
        app_id: app_id.into(),
        instance,
    }
}

fn click(s: &mut Shell, (x, y): (i32, i32), now: u64) -> Vec<ShellRequest> {
    let mut out = s.handle_input(
        InputEvent::MouseDown {
            x,
            y,
            button: MouseButton::Left,
        },
        now,
    );
    out.extend(s.handle_input(
        InputEvent::MouseUp {
            x,
            y,
            button: MouseButton::Left,
        },
        now,
    ));
    out
}

fn right_click(s: &mut Shell, (x, y): (i32, i32), now: u64) -> Vec<ShellRequest> {
    let mut out = s.handle_input(
        InputEvent::MouseDown {
            x,
            y,
            button: MouseButton::Right,
        },
        now,
    );
    out.extend(s.handle_input(
        InputEvent::MouseUp {
            x,
            y,
            button: MouseButton::Right,
        },
        now,
    ));
    out
}

fn key(s: &mut Shell, k: Key, now: u64) -> Vec<ShellRequest> {
    let mut out = s.handle_input(InputEvent::KeyDown { key: k }, now);
    out.extend(s.handle_input(InputEvent::KeyUp { key: k }, now));
    out
}

fn drain(s: &mut Shell, id: WindowId) -> Vec<WindowEvent> {
    std::iter::from_fn(|| s.pop_event(id)).collect()
}

fn launches(reqs: &[ShellRequest]) -> Vec<String> {
    reqs.iter()
        .filter_map(|r| match r {
            ShellRequest::Launch { app_id } => Some(app_id.clone()),
            _ => None,
        })
        .collect()
}

/// A canvas filled with one colour, as an app would present.
fn frame(w: u32, h: u32, argb: u32) -> Canvas {
    let mut c = Canvas::new(w, h).unwrap();
    c.clear(argb);
    c
}

fn open(s: &mut Shell, app_id: &str, instance: u64, w: u32, h: u32) -> WindowId {
    s.open_window(owner(app_id, instance), app_id, w, h, None, 0)
}

// ---- icons -------------------------------------------------------------------------------

#[test]
fn icons_system_first_then_apps_in_a_grid() {
    let s = desktop().scene();
    let ids: Vec<&str> = s.icons.iter().map(|i| i.app_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            ALL_APPS_ID,
            NOTIFICATIONS_ID,
            "org.kpio.calculator",
            "org.kpio.viewer"
        ]
    );
    assert_eq!(s.icon("org.kpio.viewer").unwrap().label, "Text Viewer");
    // Left to right on one row.
    assert!(
        s.icons
            .windows(2)
            .all(|p| p[0].rect.y == p[1].rect.y && p[0].rect.x < p[1].rect.x)
    );
}

#[test]
fn double_click_launches_and_a_single_click_does_not() {
    let mut s = desktop();
    let at = s.scene().icon_center("org.kpio.calculator").unwrap();
    assert!(launches(&click(&mut s, at, 1_000)).is_empty());
    assert!(s.scene().icon("org.kpio.calculator").unwrap().selected);
    // Too slow: no launch.
    assert!(launches(&click(&mut s, at, 1_000 + DOUBLE_CLICK_MS + 1)).is_empty());
    let reqs = click(&mut s, at, 1_000 + DOUBLE_CLICK_MS + 100);
    assert_eq!(launches(&reqs), ["org.kpio.calculator"]);
    // Clicks on two different icons in quick succession do not launch.
    let other = s.scene().icon_center("org.kpio.viewer").unwrap();
    click(&mut s, at, 5_000);
    assert!(launches(&click(&mut s, other, 5_050)).is_empty());
}

#[test]
fn right_click_menu_opens_and_uninstalls() {
    let mut s = desktop();
    let at = s.scene().icon_center("org.kpio.viewer").unwrap();
    assert!(right_click(&mut s, at, 0).is_empty());
    let scene = s.scene();
    let menu = scene.menu.as_ref().unwrap();
    assert_eq!(menu.kind, "context");
    let labels: Vec<&str> = menu.items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, ["Open", "Uninstall"]);
    let reqs = click(&mut s, scene.menu_item_center("Uninstall").unwrap(), 10);
    assert_eq!(
        reqs,
        [ShellRequest::Uninstall {
            app_id: "org.kpio.viewer".into()
        }]
    );
    assert!(s.scene().menu.is_none());

    right_click(&mut s, at, 20);
    let open_at = s.scene().menu_item_center("Open").unwrap();
    assert_eq!(launches(&click(&mut s, open_at, 30)), ["org.kpio.viewer"]);
}

#[test]
fn escape_or_a_click_outside_closes_menus() {
    let mut s = desktop();
    let at = s.scene().icon_center("org.kpio.viewer").unwrap();
    right_click(&mut s, at, 0);
    assert!(s.scene().menu.is_some());
    key(&mut s, Key::Escape, 1);
    assert!(s.scene().menu.is_none());
    right_click(&mut s, at, 2);
    // A click on the bare desktop only closes the menu.
    assert!(click(&mut s, (600, 500), 3).is_empty());
    assert!(s.scene().menu.is_none());
    // Keyboard navigation: Down, Down, Enter = Uninstall.
    right_click(&mut s, at, 4);
    key(&mut s, Key::Down, 5);
    key(&mut s, Key::Down, 5);
    assert_eq!(
        key(&mut s, Key::Enter, 6),
        [ShellRequest::Uninstall {
            app_id: "org.kpio.viewer".into()
        }]
    );
}

#[test]
fn system_icons_open_the_launcher_and_the_panel() {
    let mut s = desktop();
    let all = s.scene().icon_center(ALL_APPS_ID).unwrap();
    click(&mut s, all, 0);
    click(&mut s, all, 100);
    let scene = s.scene();
    let menu = scene.menu.as_ref().expect("launcher open");
    assert_eq!(menu.kind, "launcher");
    let reqs = click(&mut s, scene.menu_item_center("Text Viewer").unwrap(), 200);
    assert_eq!(launches(&reqs), ["org.kpio.viewer"]);

    let bell = s.scene().icon_center(NOTIFICATIONS_ID).unwrap();
    click(&mut s, bell, 1_000);
    click(&mut s, bell, 1_100);
    assert!(s.scene().panel.open);
    // System icons have a context menu with Open only.
    key(&mut s, Key::Escape, 1_200);
    right_click(&mut s, bell, 1_300);
    let labels: Vec<String> = s
        .scene()
        .menu
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.label)
        .collect();
    assert_eq!(labels, ["Open"]);
}

#[test]
fn taskbar_launcher_button_lists_apps() {
    let mut s = desktop();
    let b = s.scene().taskbar.launcher_button.center();
    click(&mut s, b, 0);
    let scene = s.scene();
    let menu = scene.menu.as_ref().unwrap();
    assert_eq!(menu.kind, "launcher");
    assert!(
        scene.taskbar.rect.y >= menu.rect.y + menu.rect.h as i32,
        "menu sits above the taskbar"
    );
    let reqs = click(&mut s, scene.menu_item_center("Calculator").unwrap(), 10);
    assert_eq!(launches(&reqs), ["org.kpio.calculator"]);
    // With no apps the launcher says so and does nothing.
    s.set_apps(Vec::new());
    click(&mut s, b, 20);
    let at = s.scene().menu_item_center("No apps installed").unwrap();
    assert!(click(&mut s, at, 30).is_empty());
}

// ---- windows -----------------------------------------------------------------------------

#[test]
fn click_focuses_and_raises() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let b = open(&mut s, "org.kpio.viewer", 2, 300, 200);
    let scene = s.scene();
    assert_eq!(scene.focused, Some(b));
    assert_eq!(scene.windows.last().unwrap().id, b);
    // A point of a that b does not cover.
    let ra = scene.window(a).unwrap().content;
    let rb = scene.window(b).unwrap().outer;
    let p = (ra.x + 5, ra.y + ra.h as i32 - 5);
    assert!(!rb.contains(p.0, p.1));
    let reqs = click(&mut s, p, 0);
    assert!(reqs.contains(&ShellRequest::FocusChanged { window: Some(a) }));
    let scene = s.scene();
    assert_eq!(scene.focused, Some(a));
    assert_eq!(scene.windows.last().unwrap().id, a);
    assert!(scene.window(a).unwrap().focused && !scene.window(b).unwrap().focused);
    // The click also reached the app, in content coordinates.
    let evs = drain(&mut s, a);
    assert_eq!(evs[0].kind, EventKind::MouseDown);
    assert_eq!((evs[0].mouse_x, evs[0].mouse_y), (5, ra.h as i32 - 5));
    assert_eq!((evs[0].width, evs[0].height), (300, 400));
    assert_eq!(evs[1].kind, EventKind::MouseUp);
    // A click on the bare desktop takes focus away.
    let reqs = click(&mut s, (W as i32 - 20, 500), 10);
    assert_eq!(reqs, [ShellRequest::FocusChanged { window: None }]);
}

#[test]
fn dragging_the_title_bar_moves_the_window() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let before = s.window_state(a).unwrap();
    let t = s.scene().window(a).unwrap().title_bar;
    let (x, y) = (t.x + 20, t.y + 10);
    s.handle_input(
        InputEvent::MouseDown {
            x,
            y,
            button: MouseButton::Left,
        },
        0,
    );
    s.handle_input(
        InputEvent::MouseMove {
            x: x + 50,
            y: y + 30,
        },
        1,
    );
    s.handle_input(
        InputEvent::MouseMove {
            x: x + 100,
            y: y + 40,
        },
        2,
    );
    let reqs = s.handle_input(
        InputEvent::MouseUp {
            x: x + 100,
            y: y + 40,
            button: MouseButton::Left,
        },
        3,
    );
    assert_eq!(reqs, [ShellRequest::WindowStateChanged { window: a }]);
    let after = s.window_state(a).unwrap();
    assert_eq!((after.x, after.y), (before.x + 100, before.y + 40));
    assert_eq!((after.width, after.height), (300, 400));
    // Moving is not the app's business.
    assert!(!s.has_events(a));
}

#[test]
fn the_grip_resizes_and_the_app_hears_the_new_size() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.viewer", 1, 300, 200);
    let (x, y) = s.scene().window(a).unwrap().grip.center();
    s.handle_input(
        InputEvent::MouseDown {
            x,
            y,
            button: MouseButton::Left,
        },
        0,
    );
    s.handle_input(
        InputEvent::MouseMove {
            x: x + 10,
            y: y + 10,
        },
        1,
    );
    s.handle_input(
        InputEvent::MouseMove {
            x: x + 60,
            y: y + 40,
        },
        2,
    );
    s.handle_input(
        InputEvent::MouseUp {
            x: x + 60,
            y: y + 40,
            button: MouseButton::Left,
        },
        3,
    );
    assert_eq!(s.content_size(a), Some((360, 240)));
    let evs = drain(&mut s, a);
    assert_eq!(evs.len(), 1, "consecutive resizes coalesce: {evs:?}");
    assert_eq!(evs[0].kind, EventKind::Resize);
    assert_eq!((evs[0].width, evs[0].height), (360, 240));
    assert_eq!(s.scene().window(a).unwrap().content.w, 360);
    // Shrinking stops at the minimum size.
    let (x, y) = s.scene().window(a).unwrap().grip.center();
    s.handle_input(
        InputEvent::MouseDown {
            x,
            y,
            button: MouseButton::Left,
        },
        4,
    );
    s.handle_input(
        InputEvent::MouseMove {
            x: x - 5000,
            y: y - 5000,
        },
        5,
    );
    s.handle_input(
        InputEvent::MouseUp {
            x: 0,
            y: 0,
            button: MouseButton::Left,
        },
        6,
    );
    let (w, h) = s.content_size(a).unwrap();
    assert!(w >= 1 && h >= 1 && w < 360 && h < 240);
}

#[test]
fn minimise_button_and_taskbar_restore() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let b = open(&mut s, "org.kpio.viewer", 1, 300, 200);
    let m = s.scene().window(b).unwrap().minimise_button.center();
    let reqs = click(&mut s, m, 0);
    assert_eq!(reqs, [ShellRequest::FocusChanged { window: Some(a) }]);
    let scene = s.scene();
    assert!(scene.window(b).unwrap().minimised);
    let entry = scene.taskbar_entry(b).unwrap();
    assert!(entry.minimised && !entry.active);
    // Taskbar: restore (and focus) the minimised window...
    click(&mut s, entry.rect.center(), 10);
    let scene = s.scene();
    assert!(!scene.window(b).unwrap().minimised);
    assert_eq!(scene.focused, Some(b));
    // ...minimise it when it is focused...
    click(&mut s, entry.rect.center(), 20);
    assert!(s.scene().window(b).unwrap().minimised);
    // ...and just focus an unfocused visible window.
    s.focus_window(b);
    let ea = s.scene().taskbar_entry(a).unwrap().rect.center();
    click(&mut s, ea, 30);
    let scene = s.scene();
    assert_eq!(scene.focused, Some(a));
    assert!(!scene.window(a).unwrap().minimised);
}

#[test]
fn taskbar_lists_windows_in_opening_order_with_accents() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let b = open(&mut s, "org.kpio.calculator", 2, 300, 400);
    let c = open(&mut s, "org.kpio.viewer", 3, 300, 200);
    s.focus_window(a);
    let scene = s.scene();
    let ids: Vec<WindowId> = scene.taskbar.entries.iter().map(|e| e.window).collect();
    assert_eq!(ids, [a, b, c]);
    assert_eq!(scene.taskbar.entries[0].accent, 0xFF3D7BD9);
    assert_eq!(scene.taskbar.entries[2].accent, 0xFF43A047);
    assert!(scene.taskbar.entries[0].active);
    // Two instances of one app: two windows, separate instance ids.
    assert_eq!(scene.window(a).unwrap().instance, 1);
    assert_eq!(scene.window(b).unwrap().instance, 2);
}

#[test]
fn close_button_requests_close_and_queues_the_event() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let x = s.scene().window(a).unwrap().close_button.center();
    let reqs = click(&mut s, x, 0);
    assert_eq!(reqs, [ShellRequest::CloseRequested { window: a }]);
    // The shell does not close by itself: the platform decides.
    assert!(s.scene().window(a).is_some());
    let evs = drain(&mut s, a);
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].kind, EventKind::Close);
    assert_eq!(evs[0].to_bytes()[0..4], 6u32.to_le_bytes());
    assert!(s.close_window(a));
    assert!(s.scene().windows.is_empty());
    assert!(s.scene().taskbar.entries.is_empty());
    assert!(!s.close_window(a));
}

#[test]
fn keys_go_to_the_focused_window_with_abi_codes() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let b = open(&mut s, "org.kpio.viewer", 1, 300, 200);
    for k in [
        Key::Char('1'),
        Key::Char('+'),
        Key::Enter,
        Key::PageDown,
        Key::F(5),
        Key::Shift,
    ] {
        key(&mut s, k, 0);
    }
    assert!(!s.has_events(a));
    let evs = drain(&mut s, b);
    let downs: Vec<u32> = evs
        .iter()
        .filter(|e| e.kind == EventKind::KeyDown)
        .map(|e| e.key_code)
        .collect();
    assert_eq!(
        downs,
        ['1' as u32, '+' as u32, 13, 0x110006, 0x110015, 0x110020]
    );
    assert_eq!(evs.iter().filter(|e| e.kind == EventKind::KeyUp).count(), 6);
    assert_eq!((evs[0].width, evs[0].height), (300, 200));
    s.focus_window(a);
    key(&mut s, Key::Backspace, 1);
    assert_eq!(drain(&mut s, a)[0].key_code, 8);
    assert!(!s.has_events(b));
}

#[test]
fn mouse_events_carry_content_coordinates_and_buttons() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let c = s.scene().window(a).unwrap().content;
    let (x, y) = (c.x + 40, c.y + 70);
    s.handle_input(InputEvent::MouseMove { x, y }, 0);
    s.handle_input(InputEvent::MouseMove { x: x + 1, y }, 0);
    s.handle_input(
        InputEvent::MouseDown {
            x,
            y,
            button: MouseButton::Right,
        },
        1,
    );
    // A drag out of the window still reports to it until the release.
    s.handle_input(
        InputEvent::MouseMove {
            x: x - 100,
            y: y - 100,
        },
        2,
    );
    s.handle_input(
        InputEvent::MouseUp {
            x: x - 100,
            y: y - 100,
            button: MouseButton::Right,
        },
        3,
    );
    let evs = drain(&mut s, a);
    let kinds: Vec<EventKind> = evs.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::MouseMove,
            EventKind::MouseDown,
            EventKind::MouseMove,
            EventKind::MouseUp
        ]
    );
    assert_eq!(
        (evs[0].mouse_x, evs[0].mouse_y),
        (41, 70),
        "moves coalesce to the latest"
    );
    assert_eq!(
        (evs[1].key_code, evs[1].mouse_x, evs[1].mouse_y),
        (1, 40, 70)
    );
    assert_eq!(
        (evs[3].key_code, evs[3].mouse_x, evs[3].mouse_y),
        (1, -60, -30)
    );
}

#[test]
fn saved_state_is_used_when_it_fits() {
    let mut s = desktop();
    let saved = WindowState {
        x: 200,
        y: 100,
        width: 320,
        height: 240,
    };
    let a = s.open_window(
        owner("org.kpio.viewer", 1),
        "Viewer",
        300,
        200,
        Some(saved),
        0,
    );
    assert_eq!(s.window_state(a), Some(saved));
    assert_eq!(s.content_size(a), Some((320, 240)));
    // The app learns it got another size than it asked for.
    let evs = drain(&mut s, a);
    assert_eq!(
        (evs[0].kind, evs[0].width, evs[0].height),
        (EventKind::Resize, 320, 240)
    );
    // Off screen: cascaded instead, never outside the work area.
    let far = WindowState {
        x: 5000,
        y: 5000,
        width: 320,
        height: 240,
    };
    let b = s.open_window(
        owner("org.kpio.viewer", 2),
        "Viewer",
        300,
        200,
        Some(far),
        0,
    );
    let st = s.window_state(b).unwrap();
    assert!(st.x + 322 <= W as i32 && st.y + 240 <= H as i32);
    // JSON round trip through the shell's state.
    let json = s.window_state(a).unwrap().to_json();
    assert_eq!(WindowState::from_json(&json), Ok(saved));
    assert!(WindowState::from_json("{\"x\":\"oops\"}").is_err());
    assert!(WindowState::from_json("{\"x\":0,\"y\":0,\"width\":0,\"height\":10}").is_err());
}

#[test]
fn titles_change_and_failed_windows_say_why() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    assert!(s.set_title(a, "Calculator — 42"));
    assert!(s.mark_failed(a, "trap: unreachable"));
    let scene = s.scene();
    let w = scene.window(a).unwrap();
    assert_eq!(w.title, "Calculator — 42");
    assert_eq!(scene.taskbar_entry(a).unwrap().label, "Calculator — 42");
    assert!(w.failed);
    assert_eq!(w.failed_reason.as_deref(), Some("trap: unreachable"));
    // A blank title shows the app's name on the taskbar.
    s.set_title(a, "  ");
    assert_eq!(s.scene().taskbar_entry(a).unwrap().label, "Calculator");
    let bogus = WindowId(999);
    assert!(!s.set_title(bogus, "x"));
    assert!(!s.mark_failed(bogus, "x"));
}

// ---- notifications -----------------------------------------------------------------------

#[test]
fn four_notifications_show_three_toasts_that_expire() {
    let mut s = desktop();
    let ids: Vec<_> = (0..4)
        .map(|i| {
            s.notify(
                "org.kpio.viewer",
                "Text Viewer",
                &format!("n{i}"),
                "body",
                i * 10,
            )
        })
        .collect();
    let scene = s.scene();
    let shown: Vec<_> = scene.toasts.iter().map(|t| t.id).collect();
    assert_eq!(
        shown,
        [ids[3], ids[2], ids[1]],
        "newest on top, oldest pushed out"
    );
    assert!(scene.toasts[0].rect.y < scene.toasts[1].rect.y);
    assert!(
        scene
            .toasts
            .iter()
            .all(|t| t.rect.x + t.rect.w as i32 <= W as i32)
    );
    assert_eq!(scene.taskbar.unread, 4);
    s.tick(10 + TOAST_MS - 1);
    assert_eq!(s.scene().toasts.len(), 3);
    s.tick(10 + TOAST_MS);
    assert_eq!(s.scene().toasts.len(), 2);
    s.tick(30 + TOAST_MS);
    assert!(s.scene().toasts.is_empty());
    // Still in the panel, unread.
    assert_eq!(s.unread_count(), 4);
}

#[test]
fn clicking_a_toast_focuses_the_apps_window_and_marks_it_read() {
    let mut s = desktop();
    let v = open(&mut s, "org.kpio.viewer", 1, 300, 200);
    let c = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    s.minimise_window(v);
    let n = s.notify("org.kpio.viewer", "Text Viewer", "Done", "loaded", 100);
    let at = s.scene().toast(n).unwrap().rect.center();
    let reqs = click(&mut s, at, 200);
    assert_eq!(reqs, [ShellRequest::FocusChanged { window: Some(v) }]);
    let scene = s.scene();
    assert_eq!(scene.focused, Some(v));
    assert!(!scene.window(v).unwrap().minimised);
    assert!(scene.toast(n).is_none());
    assert_eq!(scene.taskbar.unread, 0);
    // The click did not fall through to the window below.
    assert!(!s.has_events(c) && !s.has_events(v));
}

#[test]
fn panel_groups_by_app_and_mark_all_read_clears_the_badge() {
    let mut s = desktop();
    let v1 = s.notify("org.kpio.viewer", "Text Viewer", "v1", "", 0);
    let c1 = s.notify("org.kpio.calculator", "Calculator", "c1", "", 1);
    let v2 = s.notify("org.kpio.viewer", "Text Viewer", "v2", "", 2);
    let bell = s.scene().taskbar.bell.center();
    click(&mut s, bell, 3);
    let scene = s.scene();
    assert!(scene.panel.open);
    let groups: Vec<(&str, Vec<_>)> = scene
        .panel
        .groups
        .iter()
        .map(|g| {
            (
                g.app_id.as_str(),
                g.notifications.iter().map(|n| n.id).collect(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("org.kpio.viewer", vec![v2, v1]),
            ("org.kpio.calculator", vec![c1])
        ]
    );
    assert_eq!(scene.taskbar.unread, 3);
    let json = scene.to_json();
    assert!(json.contains("\"unread\":3"), "{json}");
    // Opening the panel cleared the toasts (they covered its header); new notifications
    // land in the open panel without a toast.
    assert!(scene.toasts.is_empty());
    let v3 = s.notify("org.kpio.viewer", "Text Viewer", "v3", "", 3);
    let scene = s.scene();
    assert!(scene.toasts.is_empty());
    assert_eq!(scene.panel.groups[0].notifications[0].id, v3);
    let button = scene.panel.mark_all_read_button.unwrap().center();
    click(&mut s, button, 4);
    let scene = s.scene();
    assert_eq!(scene.taskbar.unread, 0);
    assert!(
        scene
            .panel
            .groups
            .iter()
            .flat_map(|g| &g.notifications)
            .all(|n| n.read)
    );
    // Escape (or the bell again) closes the panel.
    key(&mut s, Key::Escape, 5);
    assert!(!s.scene().panel.open);
    click(&mut s, bell, 6);
    click(&mut s, bell, 7);
    assert!(!s.scene().panel.open);
}

#[test]
fn clicking_a_panel_entry_focuses_its_app() {
    let mut s = desktop();
    let c = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let _v = open(&mut s, "org.kpio.viewer", 1, 300, 200);
    let n = s.notify("org.kpio.calculator", "Calculator", "Result", "3", 0);
    s.tick(TOAST_MS);
    let bell = s.scene().taskbar.bell.center();
    click(&mut s, bell, TOAST_MS);
    let scene = s.scene();
    let rect = scene.panel.groups[0].notifications[0].rect.unwrap();
    click(&mut s, rect.center(), TOAST_MS + 1);
    assert_eq!(s.focused_window(), Some(c));
    assert_eq!(s.unread_count(), 0);
    let _ = n;
}

// ---- dialogs -----------------------------------------------------------------------------

#[test]
fn dialog_buttons_and_keys_answer_it() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let d1 = s.show_dialog(
        "Install Calculator?",
        vec!["It asks for:".into(), "  gui".into()],
        vec!["Allow".into(), "Cancel".into()],
    );
    let d2 = s.show_dialog(
        "Second",
        vec![],
        vec!["Yes".into(), "No".into(), "Later".into()],
    );
    let d3 = s.show_dialog("Third", vec![], vec!["Yes".into(), "No".into()]);
    let scene = s.scene();
    let dlg = scene.dialog.as_ref().unwrap();
    assert_eq!(dlg.id, d1);
    assert_eq!(dlg.lines, ["It asks for:", "  gui"]);
    assert_eq!(scene.dialogs_waiting, 2);
    let (cx, cy) = (
        dlg.rect.x + dlg.rect.w as i32 / 2,
        dlg.rect.y + dlg.rect.h as i32 / 2,
    );
    assert_eq!((cx, cy), (W as i32 / 2, H as i32 / 2));
    // Modal: keys and clicks elsewhere do nothing.
    key(&mut s, Key::Char('x'), 0);
    let wc = scene.window(a).unwrap().content.center();
    assert!(click(&mut s, wc, 1).is_empty());
    assert!(!s.has_events(a));
    let reqs = click(&mut s, scene.dialog_button_center("Cancel").unwrap(), 2);
    assert_eq!(
        reqs,
        [ShellRequest::DialogAnswer {
            dialog: d1,
            button_index: 1
        }]
    );
    // Enter: the first button; Escape: the last.
    assert_eq!(
        key(&mut s, Key::Enter, 3),
        [ShellRequest::DialogAnswer {
            dialog: d2,
            button_index: 0
        }]
    );
    assert_eq!(
        key(&mut s, Key::Escape, 4),
        [ShellRequest::DialogAnswer {
            dialog: d3,
            button_index: 1
        }]
    );
    assert!(s.scene().dialog.is_none());
    // Without buttons a dialog gets an OK; close_dialog removes it unanswered.
    let d4 = s.show_dialog("Note", vec![], vec![]);
    assert_eq!(s.scene().dialog.unwrap().buttons[0].label, "OK");
    assert!(s.close_dialog(d4));
    assert!(!s.close_dialog(d4));
}

// ---- scene and pixels --------------------------------------------------------------------

#[test]
fn scene_json_describes_the_desktop() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 7, 300, 400);
    let font = kpio_gui::font::Font::embedded();
    let mut f = frame(300, 400, 0xFFFFFFFF);
    f.draw_text(&font, 10, 10, "3", 32, 0xFF000000);
    assert!(s.present(a, f).is_none());
    s.notify("org.kpio.calculator", "Calculator", "Hello", "World", 0);
    let scene = s.scene();
    assert_eq!(scene.window(a).unwrap().text(), "3");
    // Scripts can click on what the app drew.
    let (x, y) = scene.window(a).unwrap().text_center("3").unwrap();
    s.handle_input(
        InputEvent::MouseDown {
            x,
            y,
            button: MouseButton::Left,
        },
        1,
    );
    let ev = s.pop_event(a).unwrap();
    assert_eq!(ev.kind, EventKind::MouseDown);
    assert!(
        (10..40).contains(&ev.mouse_x) && (10..50).contains(&ev.mouse_y),
        "{ev:?}"
    );
    assert!(scene.window(a).unwrap().text_center("4").is_none());
    let scene = s.scene();
    let json = scene.to_json();
    for needle in [
        "\"width\":1024",
        "\"app_id\":\"org.kpio.calculator\"",
        "\"instance\":7",
        "\"title\":\"org.kpio.calculator\"",
        "\"focused\":true",
        "\"minimised\":false",
        "\"failed\":false",
        "\"splash\":false",
        "\"text\":\"3\"",
        "\"label\":\"Calculator\"",
        "\"kind\":\"system\"",
        "\"kind\":\"app\"",
        "\"unread\":1",
        "\"title\":\"Hello\"",
        "\"body\":\"World\"",
        "\"content\":{\"x\":",
    ] {
        assert!(json.contains(needle), "missing {needle} in {json}");
    }
}

#[test]
fn render_puts_content_where_the_scene_says_and_the_taskbar_at_the_bottom() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let mut f = frame(300, 400, 0xFF00FF00);
    f.fill_rect(0, 0, 1, 1, 0xFFFF0000);
    s.present(a, f);
    let mut screen = Canvas::new(W, H).unwrap();
    s.render(&mut screen);
    let c = s.scene().window(a).unwrap().content;
    assert_eq!(screen.pixel(c.x, c.y), Some(0xFF0000));
    assert_eq!(screen.pixel(c.x + 150, c.y + 100), Some(0x00FF00));
    assert_eq!(screen.pixel(c.x + 299, c.y + 200), Some(0x00FF00));
    // Just outside the content: the frame, not the app.
    assert_ne!(screen.pixel(c.x - 1, c.y + 100), Some(0x00FF00));
    let tb = s.scene().taskbar.rect;
    // Bottom row, in the gap between the last entry and the bell.
    assert_eq!(
        screen.pixel(W as i32 / 2, H as i32 - 2),
        Some(TASKBAR_BG & 0xFF_FFFF)
    );
    assert_eq!(tb.y + tb.h as i32, H as i32);
    // The presented frame comes back when replaced.
    let old = s.present(a, frame(300, 400, 0xFF0000FF)).unwrap();
    assert_eq!(old.pixel(1, 1), Some(0x00FF00));
    s.render(&mut screen);
    assert_eq!(screen.pixel(c.x + 150, c.y + 100), Some(0x0000FF));
    // Minimised windows are not drawn.
    s.minimise_window(a);
    s.render(&mut screen);
    assert_ne!(screen.pixel(c.x + 150, c.y + 100), Some(0x0000FF));
}

#[test]
fn splash_shows_until_the_first_frame() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    assert!(s.show_splash(a, "Calculator", None, 0xFF123456));
    assert!(s.scene().window(a).unwrap().splash);
    let mut screen = Canvas::new(W, H).unwrap();
    s.render(&mut screen);
    let c = s.scene().window(a).unwrap().content;
    assert_eq!(screen.pixel(c.x + 2, c.y + 2), Some(0x123456));
    s.present(a, frame(300, 400, 0xFFFFFFFF));
    assert!(!s.scene().window(a).unwrap().splash);
    s.render(&mut screen);
    assert_eq!(screen.pixel(c.x + 2, c.y + 2), Some(0xFFFFFF));
    // The platform's timeout can take a splash down without a frame.
    let b = open(&mut s, "org.kpio.viewer", 1, 300, 200);
    assert!(s.show_splash(b, "Text Viewer", None, 0xFF43A047));
    assert!(s.clear_splash(b));
    assert!(!s.scene().window(b).unwrap().splash);
    assert!(!s.clear_splash(b));
    // After a frame a splash is refused.
    assert!(!s.show_splash(a, "Calculator", None, 0xFF123456));
    assert!(!s.show_splash(WindowId(404), "x", None, 0));
}

#[test]
fn failed_overlay_covers_the_content() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    s.present(a, frame(300, 400, 0xFFFFFFFF));
    s.mark_failed(a, "out of fuel");
    let mut screen = Canvas::new(W, H).unwrap();
    s.render(&mut screen);
    let c = s.scene().window(a).unwrap().content;
    let p = screen.pixel(c.x + 150, c.y + 300).unwrap();
    assert!(p & 0xFF < 0x80, "dimmed: {p:06x}");
}

// ---- hostile input -----------------------------------------------------------------------

#[test]
fn hostile_input_does_not_panic() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, u32::MAX, u32::MAX);
    let (w, h) = s.content_size(a).unwrap();
    assert!(w <= W && h <= H);
    let extremes = [i32::MIN, -1, 0, 1, i32::MAX];
    for &x in &extremes {
        for &y in &extremes {
            for b in [MouseButton::Left, MouseButton::Right, MouseButton::Middle] {
                s.handle_input(InputEvent::MouseDown { x, y, button: b }, 0);
                s.handle_input(InputEvent::MouseMove { x: y, y: x }, 0);
                s.handle_input(InputEvent::MouseUp { x, y, button: b }, 0);
            }
            s.handle_input(InputEvent::Scroll { dy: x }, u64::MAX);
        }
    }
    let bogus = WindowId(u32::MAX);
    assert!(s.pop_event(bogus).is_none());
    assert!(!s.has_events(bogus));
    assert!(s.content_size(bogus).is_none());
    assert!(s.window_state(bogus).is_none());
    assert!(s.present(bogus, frame(1, 1, 0)).is_some());
    s.notify("", "", &"x".repeat(100_000), "", u64::MAX);
    s.tick(0);
    s.key_all(u64::MAX);
    // A frame bigger than the window is clipped.
    s.present(a, frame(4000, 10, 0xFFFFFFFF));
    let mut screen = Canvas::new(W, H).unwrap();
    s.render(&mut screen);
    // A canvas of the wrong size is drawn as far as it reaches.
    let mut small = Canvas::new(10, 10).unwrap();
    s.render(&mut small);
    let _ = s.scene().to_json();
}

#[test]
fn zero_size_screen_works() {
    let mut s = Shell::new(0, 0);
    s.set_apps(vec![app("a", "A", 0)]);
    let a = open(&mut s, "a", 1, 100, 100);
    s.notify("a", "A", "t", "b", 0);
    s.show_dialog("d", vec!["line".into()], vec!["OK".into()]);
    s.handle_input(
        InputEvent::MouseDown {
            x: 0,
            y: 0,
            button: MouseButton::Left,
        },
        0,
    );
    s.handle_input(InputEvent::KeyDown { key: Key::Enter }, 0);
    let mut c = Canvas::new(0, 0).unwrap();
    s.render(&mut c);
    let _ = s.scene().to_json();
    s.resize(800, 600);
    assert!(s.scene().window(a).is_some());
    let mut c = Canvas::new(800, 600).unwrap();
    s.render(&mut c);
}

#[test]
fn huge_screen_sizes_do_not_overflow() {
    for (w, h) in [(u32::MAX, u32::MAX), (u32::MAX, 1), (1, u32::MAX), (1, 1)] {
        let mut s = Shell::new(w, h);
        s.set_apps(vec![app("a", "A", 0xFF00FF00)]);
        let id = s.open_window(owner("a", 1), "A", 4096, 4096, None, 0);
        s.notify("a", "A", "t", "b", 0);
        s.set_clock(Some("12:00"));
        for (x, y) in [(0, 0), (i32::MAX, i32::MAX), (i32::MIN, i32::MIN)] {
            s.handle_input(
                InputEvent::MouseDown {
                    x,
                    y,
                    button: MouseButton::Left,
                },
                1,
            );
            s.handle_input(
                InputEvent::MouseMove {
                    x: x.wrapping_neg(),
                    y: y.wrapping_neg(),
                },
                1,
            );
            s.handle_input(
                InputEvent::MouseUp {
                    x,
                    y,
                    button: MouseButton::Left,
                },
                1,
            );
        }
        let icon = s.scene().icon_center("a");
        assert!(icon.is_some());
        s.show_dialog("d", vec!["l".into(); 1000], vec!["b".into(); 1000]);
        s.handle_input(
            InputEvent::MouseDown {
                x: 5,
                y: 5,
                button: MouseButton::Left,
            },
            2,
        );
        let mut c = Canvas::new(64, 48).unwrap();
        s.render(&mut c);
        let _ = s.scene().to_json();
        assert!(s.content_size(id).is_some());
    }
}

trait KeyAll {
    fn key_all(&mut self, now: u64);
}

impl KeyAll for Shell {
    /// Every key, down and up.
    fn key_all(&mut self, now: u64) {
        let mut keys = vec![
            Key::Enter,
            Key::Backspace,
            Key::Tab,
            Key::Escape,
            Key::Delete,
            Key::Up,
            Key::Down,
            Key::Left,
            Key::Right,
            Key::PageUp,
            Key::PageDown,
            Key::Home,
            Key::End,
            Key::Shift,
            Key::Control,
            Key::Alt,
            Key::Char('\0'),
            Key::Char(char::MAX),
        ];
        keys.extend((0..=255).map(Key::F));
        for k in keys {
            self.handle_input(InputEvent::KeyDown { key: k }, now);
            self.handle_input(InputEvent::KeyUp { key: k }, now);
        }
    }
}

#[test]
fn new_windows_cascade_below_the_icons() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let b = open(&mut s, "org.kpio.calculator", 2, 300, 400);
    let scene = s.scene();
    let icons_bottom = scene
        .icons
        .iter()
        .map(|i| i.rect.y + i.rect.h as i32)
        .max()
        .unwrap();
    let (ra, rb) = (
        scene.window(a).unwrap().outer,
        scene.window(b).unwrap().outer,
    );
    assert!(
        ra.y >= icons_bottom,
        "{ra:?} hides icons ending at {icons_bottom}"
    );
    assert!(rb.x > ra.x && rb.y > ra.y, "cascaded");
    // Every icon can still be clicked.
    let at = scene.icon_center("org.kpio.viewer").unwrap();
    click(&mut s, at, 0);
    assert_eq!(launches(&click(&mut s, at, 10)), ["org.kpio.viewer"]);
}

#[test]
fn fallback_icons_use_the_accent_colour() {
    let s = desktop();
    let mut screen = Canvas::new(W, H).unwrap();
    s.render(&mut screen);
    let icon = s.scene().icon("org.kpio.calculator").unwrap().rect;
    // The top of the circle, above the letter: the accent (0x3D7BD9).
    let (cx, _) = icon.center();
    let y = icon.y + kpio_gui::shell::theme::ICON_TOP as i32 + 3;
    assert_eq!(screen.pixel(cx, y), Some(0x3D7BD9));
}

#[test]
fn clock_and_framebuffer_output() {
    use kpio_gui::framebuffer::{FrameBuffer, PixelFormat};
    let mut s = desktop();
    assert!(s.scene().taskbar.clock.is_none());
    s.set_clock(Some("14:05"));
    let scene = s.scene();
    assert_eq!(scene.taskbar.clock.as_deref(), Some("14:05"));
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    s.present(a, frame(300, 400, 0xFF112233));
    // BGR, 4 bytes per pixel, padded rows.
    let stride = W as usize * 4 + 16;
    let mut bytes = vec![0u8; stride * H as usize];
    let mut fb = FrameBuffer::new(&mut bytes, W, H, stride, PixelFormat::BGRX8888).unwrap();
    let mut scratch = Canvas::new(1, 1).unwrap();
    s.render_to(&mut scratch, &mut fb);
    let c = s.scene().window(a).unwrap().content;
    assert_eq!(
        fb.read_pixel(c.x as u32 + 5, c.y as u32 + 5),
        Some(0x112233)
    );
    let at = (c.y as usize + 5) * stride + (c.x as usize + 5) * 4;
    assert_eq!(&bytes[at..at + 3], &[0x33, 0x22, 0x11]);
    assert_eq!((scratch.width(), scratch.height()), (W, H));
}

#[test]
fn shell_can_move_between_threads() {
    fn send<T: Send>() {}
    send::<Shell>();
}

#[test]
fn windows_of_lists_an_apps_windows() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    let _b = open(&mut s, "org.kpio.viewer", 1, 300, 200);
    let c = open(&mut s, "org.kpio.calculator", 2, 300, 400);
    assert_eq!(s.windows_of("org.kpio.calculator"), [a, c]);
    assert_eq!(s.window_owner(c).unwrap().instance, 2);
    assert!(s.windows_of("nope").is_empty());
}

/// A deterministic random walk through the whole API: nothing may panic, and the scene
/// must stay consistent (one focused window at most, taskbar entries = windows).
#[test]
fn random_walk_keeps_the_shell_consistent() {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut s = desktop();
    let mut now = 0u64;
    let mut windows: Vec<WindowId> = Vec::new();
    let buttons = [MouseButton::Left, MouseButton::Right, MouseButton::Middle];
    let keys = [
        Key::Enter,
        Key::Escape,
        Key::Up,
        Key::Down,
        Key::Char('a'),
        Key::Tab,
    ];
    for step in 0..20_000 {
        now += next() % 300;
        let r = next();
        let x = (next() % (W as u64 + 200)) as i32 - 100;
        let y = (next() % (H as u64 + 200)) as i32 - 100;
        match r % 16 {
            0 if windows.len() < 12 => {
                let id = s.open_window(
                    owner(
                        if r % 3 == 0 {
                            "org.kpio.viewer"
                        } else {
                            "org.kpio.calculator"
                        },
                        step,
                    ),
                    "w",
                    (next() % 900) as u32,
                    (next() % 700) as u32,
                    None,
                    now,
                );
                windows.push(id);
            }
            1 if !windows.is_empty() => {
                let id = windows.remove((next() % windows.len() as u64) as usize);
                assert!(s.close_window(id));
            }
            2 if !windows.is_empty() => {
                let id = windows[(next() % windows.len() as u64) as usize];
                let (w, h) = s.content_size(id).unwrap();
                s.present(id, frame(w, h, 0xFF000000 | (r as u32 & 0xFF_FFFF)));
            }
            3 => {
                s.notify("org.kpio.viewer", "Text Viewer", "t", "b", now);
            }
            4 if r % 7 == 0 => {
                s.show_dialog("d", vec!["x".into()], vec!["a".into(), "b".into()]);
            }
            5 | 6 => {
                let b = buttons[(next() % 3) as usize];
                s.handle_input(InputEvent::MouseDown { x, y, button: b }, now);
            }
            7 | 8 => {
                let b = buttons[(next() % 3) as usize];
                s.handle_input(InputEvent::MouseUp { x, y, button: b }, now);
            }
            9..=11 => {
                s.handle_input(InputEvent::MouseMove { x, y }, now);
            }
            12 | 13 => {
                let k = keys[(next() % keys.len() as u64) as usize];
                s.handle_input(InputEvent::KeyDown { key: k }, now);
            }
            14 => {
                s.handle_input(
                    InputEvent::Scroll {
                        dy: (r % 5) as i32 - 2,
                    },
                    now,
                );
            }
            _ => {
                for id in &windows {
                    while s.pop_event(*id).is_some() {}
                }
            }
        }
        if step % 500 == 0 {
            let scene = s.scene();
            assert!(scene.windows.iter().filter(|w| w.focused).count() <= 1);
            assert_eq!(scene.windows.len(), windows.len());
            assert!(scene.taskbar.entries.len() <= windows.len());
            if let Some(f) = scene.focused {
                assert!(!scene.window(f).unwrap().minimised);
            }
            let mut c = Canvas::new(W, H).unwrap();
            s.render(&mut c);
        }
    }
}

#[test]
fn clicking_an_icon_takes_focus_from_windows_and_enter_opens_it() {
    let mut s = desktop();
    let a = open(&mut s, "org.kpio.calculator", 1, 300, 400);
    assert_eq!(s.focused_window(), Some(a));
    let at = s.scene().icon_center("org.kpio.viewer").unwrap();
    let reqs = click(&mut s, at, 0);
    assert_eq!(reqs, [ShellRequest::FocusChanged { window: None }]);
    let reqs = key(&mut s, Key::Enter, 5_000);
    assert_eq!(launches(&reqs), ["org.kpio.viewer"]);
    assert!(!s.has_events(a), "the key did not reach the window");
}

//! The desktop end to end: real `.kpioapp` packages built from source, installed into a
//! fresh KPIO_HOME, run by the real `kpio desktop --headless` from scripts; each test
//! checks the scene description the desktop wrote and the pixels of its screenshots.
//! Screenshots are kept under target/tmp/desktop-*/ (CI keeps them as artefacts).

mod desktop_apps;
mod guests;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use desktop_apps::{calculator, paint, text_viewer, wat_app};
use guests::{KPIO, TMP, ok, text};
use kpio_gui::{Canvas, Font};
use serde_json::Value;

/// A fresh desktop home and working directory for one test.
struct Desk {
    home: PathBuf,
    dir: PathBuf,
}

impl Desk {
    fn new(tag: &str) -> Desk {
        let dir = Path::new(TMP).join(format!("desktop-{tag}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let home = dir.join("home");
        Desk { home, dir }
    }

    fn kpio(&self, args: &[&str]) -> Output {
        Command::new(KPIO)
            .env("KPIO_HOME", &self.home)
            .current_dir(&self.dir)
            .args(args)
            .output()
            .unwrap()
    }

    fn install(&self, pkg: &Path) {
        ok(
            &self.kpio(&["install", "--yes", pkg.to_str().unwrap()]),
            "kpio install",
        );
    }

    /// Runs `script` headless; returns the output (not asserted: some tests expect failure).
    fn script(&self, name: &str, script: &str) -> Output {
        let path = self.dir.join(format!("{name}.script"));
        std::fs::write(&path, script).unwrap();
        self.kpio(&[
            "desktop",
            "--headless",
            "--script",
            path.to_str().unwrap(),
            "--size",
            "1024x768",
        ])
    }

    fn run_ok(&self, name: &str, script: &str) -> String {
        let o = self.script(name, script);
        assert!(
            o.status.success(),
            "script {name} failed:\n{}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        text(&o.stderr)
    }

    fn scene(&self, file: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.dir.join(file)).unwrap()).unwrap()
    }

    fn png(&self, file: &str) -> Canvas {
        read_png(&self.dir.join(file))
    }
}

/// Decodes a screenshot into a canvas of 0x00RRGGBB pixels.
fn read_png(path: &Path) -> Canvas {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    let mut c = Canvas::new(info.width, info.height).unwrap();
    for (px, rgb) in c.pixels_mut().iter_mut().zip(buf.chunks_exact(3)) {
        *px = u32::from(rgb[0]) << 16 | u32::from(rgb[1]) << 8 | u32::from(rgb[2]);
    }
    c
}

fn windows(scene: &Value) -> &Vec<Value> {
    scene["windows"].as_array().unwrap()
}

fn windows_titled<'a>(scene: &'a Value, title: &str) -> Vec<&'a Value> {
    windows(scene)
        .iter()
        .filter(|w| w["title"] == title)
        .collect()
}

fn rect(v: &Value) -> (i32, i32, i32, i32) {
    let n = |k: &str| v[k].as_i64().unwrap() as i32;
    (n("x"), n("y"), n("w"), n("h"))
}

/// The calculator's display: the largest text the window drew.
fn display_run(window: &Value) -> &Value {
    window["text_runs"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|r| r["size"].as_u64().unwrap())
        .unwrap()
}

/// Checks that the screenshot shows `run`'s text where the scene says, pixel for pixel:
/// the same text drawn by the same font on the display's background colour.
fn assert_pixels_show(shot: &Canvas, window: &Value, run: &Value) {
    let (cx, cy, _, _) = rect(&window["content"]);
    let (x, y) = (
        cx + run["x"].as_i64().unwrap() as i32,
        cy + run["y"].as_i64().unwrap() as i32,
    );
    let size = run["size"].as_u64().unwrap() as u32;
    let text = run["text"].as_str().unwrap();
    let font = Font::embedded();
    let w = font.measure_text(text, size);
    let h = font.line_height(size);
    // The background just left of the text, inside the display.
    let bg = shot.pixel(x - 4, y + h as i32 / 2).unwrap();
    let mut expected = Canvas::new(w, h).unwrap();
    expected.clear(0xFF00_0000 | bg);
    expected.draw_text(
        &font,
        0,
        0,
        text,
        size,
        run["argb"].as_u64().unwrap() as u32,
    );
    let mut ink = 0;
    for yy in 0..h as i32 {
        for xx in 0..w as i32 {
            let want = expected.pixel(xx, yy).unwrap();
            let got = shot.pixel(x + xx, y + yy).unwrap();
            assert_eq!(
                got, want,
                "pixel ({xx},{yy}) of {text:?} at ({x},{y}): screenshot {got:06x}, font {want:06x}"
            );
            if want != bg {
                ink += 1;
            }
        }
    }
    assert!(ink > 20, "the text {text:?} put only {ink} pixels of ink");
}

#[test]
fn calculator_installs_through_the_dialog_opens_from_its_icon_and_adds() {
    let d = Desk::new("calculator");
    let pkg = calculator().to_str().unwrap();
    d.run_ok(
        "calc",
        &format!(
            "install {pkg}\n\
             wait-for dialog \"Install Calculator 1.0.0?\"\n\
             scene review.json\n\
             click dialog Install\n\
             wait-for icon com.kpio.calculator\n\
             scene installed.json\n\
             double-click icon Calculator\n\
             wait-for window Calculator\n\
             wait-for text 0 in Calculator\n\
             screenshot before.png\n\
             click text 1 in Calculator\n\
             click text + in Calculator\n\
             click text 2 in Calculator\n\
             click text = in Calculator\n\
             wait 300ms\n\
             scene sum.json\n\
             screenshot sum.png\n\
             click close Calculator\n\
             wait-for no-window Calculator\n\
             scene closed.json\n"
        ),
    );
    // The review showed what the manifest asks for.
    let review = d.scene("review.json");
    let lines: Vec<&str> = review["dialog"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(lines.contains(&"  windows (gui): yes"), "{lines:?}");
    assert!(lines.contains(&"  files: none"), "{lines:?}");
    // The approval is stored with the app.
    let info = ok(&d.kpio(&["info", "com.kpio.calculator"]), "kpio info");
    assert!(
        info.contains("approved:      yes, in the desktop's install dialog"),
        "{info}"
    );
    // Its icon is on the desktop.
    let installed = d.scene("installed.json");
    assert!(
        installed["icons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["app_id"] == "com.kpio.calculator" && i["label"] == "Calculator"),
        "{installed}"
    );
    // 1 + 2 = shows 3 in the display, in the scene and in the pixels.
    let sum = d.scene("sum.json");
    let wins = windows_titled(&sum, "Calculator");
    assert_eq!(wins.len(), 1);
    let (_, _, w, h) = rect(&wins[0]["content"]);
    assert_eq!((w, h), (300, 400), "the calculator asked for 300×400");
    let run = display_run(wins[0]);
    assert_eq!(run["text"], "3", "{}", wins[0]["text_runs"]);
    assert_pixels_show(&d.png("sum.png"), wins[0], run);
    // Before, the display read 0 (so the 3 came from the clicks).
    let before = d.png("before.png");
    assert_ne!(before.pixels(), d.png("sum.png").pixels());
    // Closed: no window, no taskbar entry, the app ended.
    let closed = d.scene("closed.json");
    assert!(windows(&closed).is_empty(), "{closed}");
    assert!(closed["taskbar"]["entries"].as_array().unwrap().is_empty());
}

#[test]
fn calculator_keyboard_decimals_and_division_by_zero() {
    let d = Desk::new("calc-keys");
    d.install(calculator());
    d.run_ok(
        "keys",
        "launch Calculator\nwait-for text 0 in Calculator\n\
         type 0.1+0.2=\nwait 200ms\nscene a.json\n\
         key Escape\ntype 1/3=\nwait 200ms\nscene b.json\n\
         key Escape\ntype 7/0=\nwait 200ms\nscene c.json\n",
    );
    let display = |f: &str| {
        let s = d.scene(f);
        display_run(windows_titled(&s, "Calculator")[0])["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(display("a.json"), "0.3");
    assert_eq!(display("b.json"), "0.333333333333");
    assert_eq!(display("c.json"), "Error");
}

/// The line numbers the text viewer shows, in order.
fn line_numbers(window: &Value) -> Vec<u32> {
    window["text_runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["text"].as_str().unwrap().trim().parse().ok())
        .collect()
}

#[test]
fn text_viewer_shows_its_file_and_scrolls_with_page_down() {
    let d = Desk::new("text-viewer");
    d.install(text_viewer());
    d.run_ok(
        "viewer",
        "launch \"Text Viewer\"\nwait-for window \"Text Viewer\"\nwait-for text 1 in \"Text Viewer\"\n\
         scene top.json\nscreenshot top.png\nkey PageDown\nwait 300ms\nscene page.json\nscreenshot page.png\n",
    );
    let sample = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/text-viewer/package/data/sample.txt"),
    )
    .unwrap();
    let lines: Vec<&str> = sample.lines().collect();
    let top = d.scene("top.json");
    let w = windows_titled(&top, "Text Viewer")[0];
    let shown = line_numbers(w);
    assert_eq!(shown.first(), Some(&1), "{shown:?}");
    assert!(shown.len() >= 10, "a page shows many lines: {shown:?}");
    // The file's own lines are what it shows (the first non-empty ones, at least).
    let texts: Vec<&str> = w["text_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    for l in lines
        .iter()
        .take(shown.len())
        .filter(|l| !l.trim().is_empty())
        .take(3)
    {
        assert!(
            texts.iter().any(|t| l.starts_with(*t) && !t.is_empty()),
            "line {l:?} not shown: {texts:?}"
        );
    }
    let page = d.scene("page.json");
    let after = line_numbers(windows_titled(&page, "Text Viewer")[0]);
    let last_before = *shown.last().unwrap();
    assert!(
        after[0] > 1 && after[0] <= last_before + 1,
        "PageDown moves about a page: before {shown:?}, after {after:?}"
    );
    assert_ne!(d.png("top.png").pixels(), d.png("page.png").pixels());
}

/// A WAT app with a window titled `title` that runs until closed, after `before` ran.
fn windowed_wat(title: &str, before: &str, on_key: &str) -> String {
    format!(
        r#"(module
  (import "kpio_gui" "create_window" (func $create (param i32 i32 i32 i32) (result i32)))
  (import "kpio_gui" "clear" (func $clear (param i32 i32) (result i32)))
  (import "kpio_gui" "draw_text" (func $text (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "kpio_gui" "request_frame" (func $frame (param i32) (result i32)))
  (import "kpio_gui" "poll_event" (func $poll (param i32 i32 i32) (result i32)))
  (import "kpio_gui" "close_window" (func $close (param i32) (result i32)))
  (import "kpio_system" "notify" (func $notify (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "{title}")
  (data (i32.const 64) "Hello")
  (data (i32.const 80) "from a test app")
  (global $result (mut i32) (i32.const 0))
  (func (export "_start") (local $w i32)
    {before}
    (local.set $w (call $create (i32.const 0) (i32.const {len}) (i32.const 200) (i32.const 100)))
    (drop (call $clear (local.get $w) (i32.const 0xFFFFFFFF)))
    (drop (call $text (local.get $w) (i32.const 10) (i32.const 10) (i32.const 0) (i32.const {len}) (i32.const 16) (i32.const 0xFF000000)))
    (drop (call $frame (local.get $w)))
    (block $done
      (loop $events
        (br_if $done (i32.lt_s (call $poll (local.get $w) (i32.const 128) (i32.const -1)) (i32.const 0)))
        ;; close
        (br_if $done (i32.eq (i32.load (i32.const 128)) (i32.const 6)))
        ;; key_down
        (if (i32.eq (i32.load (i32.const 128)) (i32.const 1)) (then {on_key}))
        (br $events)))
    (drop (call $close (local.get $w)))))"#,
        len = title.len()
    )
}

#[test]
fn a_notification_shows_a_toast_and_lands_in_the_panel() {
    let d = Desk::new("notify");
    let pkg = wat_app(
        "org.test.notifier",
        "Notifier",
        "gui = true\nnotifications = true",
        &windowed_wat(
            "Notifier",
            "(drop (call $notify (i32.const 64) (i32.const 5) (i32.const 80) (i32.const 15)))",
            "",
        ),
    );
    d.install(&pkg);
    d.run_ok(
        "notify",
        "launch Notifier\nwait-for toast Hello\nscene toast.json\nscreenshot toast.png\n\
         click bell\nscene panel.json\nclick mark-all-read\nscene read.json\n",
    );
    let toast = d.scene("toast.json");
    let toasts = toast["toasts"].as_array().unwrap();
    assert_eq!(toasts.len(), 1, "{toast}");
    assert_eq!(toasts[0]["app_id"], "org.test.notifier");
    assert_eq!(toasts[0]["body"], "from a test app");
    assert_eq!(toast["taskbar"]["unread"], 1);
    // The toast is drawn top-right where the scene says: not the wallpaper there.
    let (x, y, w, _) = rect(&toasts[0]["rect"]);
    assert!(
        x + w > 1024 - 40 && y < 100,
        "top-right: {}",
        toasts[0]["rect"]
    );
    let panel = d.scene("panel.json");
    assert_eq!(panel["panel"]["open"], true);
    let groups = panel["panel"]["groups"].as_array().unwrap();
    let group = groups
        .iter()
        .find(|g| g["app_id"] == "org.test.notifier")
        .expect("a group for the app");
    assert_eq!(group["app_name"], "Notifier");
    assert_eq!(group["notifications"][0]["title"], "Hello");
    assert_eq!(group["notifications"][0]["read"], false);
    assert_eq!(d.scene("read.json")["taskbar"]["unread"], 0);
}

#[test]
fn a_denied_permission_holds_and_is_logged() {
    let d = Desk::new("denied");
    // Asks for windows only, then tries to notify: DENIED (-1), logged, no toast; it
    // shows the result as its window's title, so the test sees what the app got.
    let wat = r#"(module
      (import "kpio_gui" "create_window" (func $create (param i32 i32 i32 i32) (result i32)))
      (import "kpio_gui" "request_frame" (func $frame (param i32) (result i32)))
      (import "kpio_gui" "poll_event" (func $poll (param i32 i32 i32) (result i32)))
      (import "kpio_system" "notify" (func $notify (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "notify gave ?")
      (data (i32.const 64) "Sneaky")
      (func (export "_start") (local $w i32) (local $r i32)
        (local.set $r (call $notify (i32.const 64) (i32.const 6) (i32.const 64) (i32.const 6)))
        ;; "?" becomes '0' - r, so -1 shows as '1'
        (i32.store8 (i32.const 12) (i32.sub (i32.const 48) (local.get $r)))
        (local.set $w (call $create (i32.const 0) (i32.const 13) (i32.const 200) (i32.const 100)))
        (drop (call $frame (local.get $w)))
        (loop $wait
          (br_if $wait (i32.ge_s (call $poll (local.get $w) (i32.const 128) (i32.const -1)) (i32.const 0))))))"#;
    d.install(&wat_app("org.test.sneaky", "Sneaky", "gui = true", wat));
    let stderr = d.run_ok(
        "denied",
        "launch Sneaky\nwait-for window \"notify gave 1\"\nwait 200ms\nscene s.json\nlog log.txt\n",
    );
    let s = d.scene("s.json");
    assert!(s["toasts"].as_array().unwrap().is_empty(), "{s}");
    assert_eq!(s["taskbar"]["unread"], 0);
    let log = std::fs::read_to_string(d.dir.join("log.txt")).unwrap();
    let line = "kpio_system::notify: denied: notifications is not granted";
    assert!(log.contains(line), "{log}");
    assert!(stderr.contains(line), "{stderr}");
}

#[test]
fn a_crashing_app_fails_its_window_and_the_desktop_keeps_running() {
    let d = Desk::new("crash");
    d.install(&wat_app(
        "org.test.crasher",
        "Crasher",
        "gui = true",
        &windowed_wat("Crasher", "", "unreachable"),
    ));
    d.install(calculator());
    d.run_ok(
        "crash",
        "launch Crasher\nwait-for window Crasher\nclick Crasher at 50 50\nkey x\n\
         wait-for failed Crasher\nscene failed.json\nscreenshot failed.png\n\
         launch Calculator\nwait-for text 0 in Calculator\n\
         click text 7 in Calculator\nwait 200ms\nscene after.json\n",
    );
    let failed = d.scene("failed.json");
    let crashed: Vec<_> = windows_titled(&failed, "Crasher")
        .into_iter()
        .filter(|w| w["failed"] == true)
        .collect();
    assert!(!crashed.is_empty(), "{failed}");
    let reason = crashed[0]["failed_reason"].as_str().unwrap();
    assert!(reason.contains("unreachable"), "{reason}");
    // The restart policy started it again: a fresh window from a new instance.
    let after = d.scene("after.json");
    let restarted: Vec<_> = windows_titled(&after, "Crasher")
        .into_iter()
        .filter(|w| w["failed"] == false)
        .collect();
    assert_eq!(restarted.len(), 1, "{after}");
    assert_ne!(restarted[0]["instance"], crashed[0]["instance"]);
    let calc = windows_titled(&after, "Calculator");
    assert_eq!(
        display_run(calc[0])["text"],
        "7",
        "the desktop still runs apps"
    );
}

#[test]
fn two_instances_of_an_app_have_two_windows_and_their_own_ids() {
    let d = Desk::new("two");
    d.install(calculator());
    d.run_ok(
        "two",
        "launch Calculator\nwait-for windows 1\nlaunch Calculator\nwait-for windows 2\n\
         wait 300ms\nscene two.json\nscreenshot two.png\n",
    );
    let s = d.scene("two.json");
    let wins = windows_titled(&s, "Calculator");
    assert_eq!(wins.len(), 2, "{s}");
    assert_ne!(wins[0]["instance"], wins[1]["instance"]);
    assert_ne!(rect(&wins[0]["outer"]), rect(&wins[1]["outer"]), "cascaded");
    assert_eq!(s["taskbar"]["entries"].as_array().unwrap().len(), 2);
}

#[test]
fn a_c_app_runs_on_the_desktop() {
    let d = Desk::new("paint");
    d.install(paint());
    d.run_ok(
        "paint",
        "launch Paint\nwait-for window Paint\nwait 300ms\nscreenshot blank.png\nscene s.json\n\
         drag 300 300 400 340\nwait 300ms\nscreenshot drawn.png\n",
    );
    let s = d.scene("s.json");
    let w = windows_titled(&s, "Paint")[0];
    assert_eq!(w["failed"], false);
    assert_eq!(w["has_frame"], true);
    assert_ne!(d.png("blank.png").pixels(), d.png("drawn.png").pixels());
}

#[test]
fn a_script_error_names_the_line_and_what_the_desktop_showed() {
    let d = Desk::new("script-error");
    let o = d.script("bad", "wait 10ms\nwait-for window Nowhere timeout 300ms\n");
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains(
            "script line 2: timed out after 300ms waiting for a window titled \"Nowhere\""
        ),
        "{err}"
    );
    let o = d.script("bad2", "click icon Nothing\n");
    assert!(text(&o.stderr).contains("no desktop icon for \"Nothing\""));
}

#[test]
fn a_window_opens_where_it_was_left() {
    let d = Desk::new("placement");
    d.install(calculator());
    d.run_ok(
        "first",
        "launch Calculator\nwait-for window Calculator\nscene a.json\n",
    );
    let a = d.scene("a.json");
    let (tx, ty, tw, th) = rect(&windows_titled(&a, "Calculator")[0]["title_bar"]);
    let (x0, y0) = (tx + tw / 3, ty + th / 2);
    d.run_ok(
        "second",
        &format!(
            "launch Calculator\nwait-for window Calculator\n\
             drag {x0} {y0} {} {}\nwait 100ms\nscene moved.json\n\
             click close Calculator\nwait-for no-window Calculator\n",
            x0 + 230,
            y0 + 90
        ),
    );
    let moved = rect(&windows_titled(&d.scene("moved.json"), "Calculator")[0]["outer"]);
    let first = rect(&windows_titled(&a, "Calculator")[0]["outer"]);
    assert_eq!(
        (moved.0, moved.1),
        (first.0 + 230, first.1 + 90),
        "the drag moved it"
    );
    let state = d
        .home
        .join("apps/data/com.kpio.calculator/window_state.json");
    assert!(state.is_file(), "placement stored in {}", state.display());
    // A new desktop: the calculator opens where it was left.
    d.run_ok(
        "third",
        "launch Calculator\nwait-for window Calculator\nscene again.json\n",
    );
    let again = rect(&windows_titled(&d.scene("again.json"), "Calculator")[0]["outer"]);
    assert_eq!(again, moved);
}

#[test]
fn an_app_that_never_returns_to_the_host_is_stopped_when_its_window_is_closed() {
    let d = Desk::new("spinner");
    // Opens a window, then spins forever without another host call.
    let wat = r#"(module
      (import "kpio_gui" "create_window" (func $create (param i32 i32 i32 i32) (result i32)))
      (import "kpio_gui" "request_frame" (func $frame (param i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "Spinner")
      (func (export "_start")
        (drop (call $frame (call $create (i32.const 0) (i32.const 7) (i32.const 200) (i32.const 100))))
        (loop $spin (br $spin))))"#;
    d.install(&wat_app("org.test.spinner", "Spinner", "gui = true", wat));
    d.install(calculator());
    let stderr = d.run_ok(
        "spin",
        "launch Spinner\nwait-for window Spinner\n\
         launch Calculator\nwait-for text 0 in Calculator\nclick text 9 in Calculator\nwait 200ms\n\
         scene busy.json\nclick close Spinner\nwait-for no-window Spinner timeout 10s\nscene after.json\n",
    );
    // While it spun, another app ran normally.
    let busy = d.scene("busy.json");
    assert_eq!(
        display_run(windows_titled(&busy, "Calculator")[0])["text"],
        "9"
    );
    // It ignored the close event; the desktop stopped it.
    assert!(
        stderr.contains("[org.test.spinner #1] did not close its window within 3s: stopping it"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[org.test.spinner] ended: Stopped"),
        "{stderr}"
    );
    assert_eq!(
        windows_titled(&d.scene("after.json"), "Calculator").len(),
        1
    );
}

#[test]
fn uninstalling_from_the_icon_menu_asks_first_then_removes_the_app() {
    let d = Desk::new("uninstall");
    d.install(calculator());
    d.run_ok(
        "uninstall",
        "launch Calculator\nwait-for window Calculator\n\
         right-click icon Calculator\nscene menu.json\nclick menu Uninstall\n\
         wait-for dialog \"Uninstall Calculator?\"\nclick dialog Cancel\nwait 100ms\nscene kept.json\n\
         right-click icon Calculator\nclick menu Uninstall\nclick dialog Uninstall\n\
         wait-for no-icon com.kpio.calculator\nscene gone.json\n",
    );
    let menu = d.scene("menu.json");
    let items: Vec<&str> = menu["menu"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["Open", "Uninstall"]);
    let kept = d.scene("kept.json");
    assert_eq!(
        windows_titled(&kept, "Calculator").len(),
        1,
        "Cancel kept it running"
    );
    let gone = d.scene("gone.json");
    assert!(windows(&gone).is_empty(), "its window closed: {gone}");
    let list = ok(&d.kpio(&["list", "--json"]), "kpio list");
    assert_eq!(list.trim(), "[]");
    assert!(!d.home.join("apps/data/com.kpio.calculator").exists());
}

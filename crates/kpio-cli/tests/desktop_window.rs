//! `kpio desktop` in a real window: the `kpio` binary opens its window on an Xvfb
//! server this test starts, shows frames and exits cleanly; a capture of the window
//! (`xwd`) shows the desktop's wallpaper and taskbar. Without a display it fails with a
//! message saying what to do instead.
//!
//! Input goes through the X server too: `xdotool` clicks the taskbar's launcher button
//! and presses Escape, and the window shows the launcher menu open and closed again,
//! pixel for pixel as the desktop's own renderer draws it; destroying the window ends
//! `kpio` with status 0.
//!
//! Needs `Xvfb` (Debian: xvfb), `xwd` (x11-apps) and `xdotool` (xdotool). Outside CI a
//! machine without them skips the window tests with a note; in CI (`CI` set) they must
//! run.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use kpio_gui::Canvas;
use kpio_gui::shell::theme::{TASKBAR_BG, TASKBAR_HEIGHT};
use kpio_gui::shell::{InputEvent, Key, MouseButton, Rect, Shell};

const KPIO: &str = env!("CARGO_BIN_EXE_kpio");

/// How long a `kpio desktop` run may take before the test gives up on it (a hang, not a
/// slow machine: the runs here show at most 600 frames, 10 s at 60 Hz).
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// A fresh, empty directory under cargo's scratch space for this test.
fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "desktop-window-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A tool is missing: fails in CI, where it must be installed; elsewhere says that the
/// test is skipped.
fn missing(tool: &str, package: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("`{tool}` is not installed; CI must install the Debian package {package}");
    }
    eprintln!("skipping: `{tool}` is not installed (Debian package {package})");
}

/// An Xvfb server this test started; stopped when dropped.
struct Xvfb {
    child: Child,
    /// The display name, e.g. ":3".
    display: String,
    /// One X server at a time: several started and stopped at once by parallel tests
    /// were seen to hand a `kpio` a display that was gone when it connected (CI under
    /// load), so the tests that need one take turns. Released after `drop` stops it.
    _turn: std::sync::MutexGuard<'static, ()>,
}

/// Whose turn it is to run an X server (see [`Xvfb`]).
static X_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Xvfb {
    /// Starts an Xvfb server on a free display (Xvfb picks it and tells us through
    /// `-displayfd`); `None` when Xvfb is not installed and that may skip the test.
    fn start() -> Option<Xvfb> {
        Xvfb::start_with_screen("1280x800x24")
    }

    /// [`Xvfb::start`] with a screen of the given `WxHxDEPTH`.
    fn start_with_screen(screen: &str) -> Option<Xvfb> {
        // A test that failed while holding the turn poisons it; the next one may go on.
        let turn = X_TURN.lock().unwrap_or_else(|p| p.into_inner());
        let spawned = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                screen,
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing("Xvfb", "xvfb");
                return None;
            }
            Err(e) => panic!("starting Xvfb: {e}"),
        };
        // Xvfb writes the display number once it accepts connections.
        let mut line = String::new();
        let stdout = child.stdout.take().expect("Xvfb's stdout is piped");
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let number = line.trim();
        if number.parse::<u32>().is_err() {
            let _ = child.kill();
            let status = child.wait();
            panic!("Xvfb did not report a display (said {line:?}, exit {status:?})");
        }
        let display = format!(":{number}");
        // On a loaded machine a client's first connection was seen to fail right after
        // Xvfb reported its display; wait until one gets through (xwd is a client).
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("Xvfb on {display} exited ({status:?}) after reporting it");
            }
            let probe = Command::new("xwd")
                .args([
                    "-root",
                    "-silent",
                    "-display",
                    &display,
                    "-out",
                    "/dev/null",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            match probe {
                Ok(s) if s.success() => break,
                // No xwd: the tests that need it skip; kpio connects by itself.
                Err(_) => break,
                _ if start.elapsed() > Duration::from_secs(20) => {
                    panic!("nothing could connect to Xvfb on {display} for 20 s")
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        Some(Xvfb {
            display,
            child,
            _turn: turn,
        })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        // SIGTERM lets Xvfb remove its socket and lock file; SIGKILL if that fails.
        let terminated = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !terminated {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// `kpio desktop ARGS` on `display` (X11 only: Wayland variables removed), with a fresh
/// `KPIO_HOME`.
fn kpio_desktop(display: Option<&str>, args: &[&str]) -> Command {
    let mut c = Command::new(KPIO);
    c.arg("desktop")
        .args(args)
        .env("KPIO_HOME", temp_dir("home"))
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .stdin(Stdio::null());
    match display {
        Some(d) => c.env("DISPLAY", d),
        None => c.env_remove("DISPLAY"),
    };
    c
}

/// Waits for `child` to exit, killing it (and failing) if it runs past [`RUN_LIMIT`].
fn wait_exit(child: &mut Child, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still running after {RUN_LIMIT:?}");
        }
        sleep(Duration::from_millis(20));
    }
}

/// Panics unless the ended `kpio desktop` exited with success, with its standard error
/// (piped, so it reads to the end at once) in the message.
fn assert_clean_exit(kpio: &mut Child, status: ExitStatus) {
    if status.success() {
        return;
    }
    let mut err = String::new();
    if let Some(mut e) = kpio.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    panic!("kpio desktop exited with {status:?}; its stderr:\n{err}");
}

/// Runs `c` to completion (within [`RUN_LIMIT`]), capturing its output.
fn run(mut c: Command, what: &str) -> Output {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain the pipes on threads so a chatty child can't block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut b).map(|_| b)
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut b).map(|_| b)
    });
    let status = wait_exit(&mut child, what);
    Output {
        status,
        stdout: out.join().unwrap().unwrap(),
        stderr: err.join().unwrap().unwrap(),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A window image read from an XWD file (what `xwd` writes), as 0x00RRGGBB pixels.
struct Capture {
    width: usize,
    height: usize,
    pixels: Vec<u32>,
}

impl Capture {
    /// Parses XWD version 7 with 32-bit ZPixmap pixels in 8-bit RGB masks (what X
    /// servers of depth 24 produce). The header is 25 big-endian 32-bit fields, then the
    /// window name, then `ncolors` 12-byte colormap entries, then the pixel rows.
    fn parse(data: &[u8]) -> Result<Capture, String> {
        let field = |i: usize| -> Result<u32, String> {
            let b = data
                .get(i * 4..i * 4 + 4)
                .ok_or_else(|| format!("XWD shorter than its header ({} bytes)", data.len()))?;
            Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        let header_size = field(0)? as usize;
        let version = field(1)?;
        let format = field(2)?;
        let width = field(4)? as usize;
        let height = field(5)? as usize;
        let byte_order = field(7)?;
        let bits_per_pixel = field(11)?;
        let bytes_per_line = field(12)? as usize;
        let masks = (field(14)?, field(15)?, field(16)?);
        let ncolors = field(19)? as usize;
        if version != 7 || format != 2 || bits_per_pixel != 32 {
            return Err(format!(
                "unsupported XWD: version {version}, format {format}, {bits_per_pixel} bits per pixel"
            ));
        }
        if masks != (0xFF_0000, 0xFF00, 0xFF) {
            return Err(format!("unsupported XWD colour masks {masks:x?}"));
        }
        let start = header_size + ncolors * 12;
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            let row = start + y * bytes_per_line;
            let bytes = data
                .get(row..row + width * 4)
                .ok_or_else(|| format!("XWD cut short in row {y}"))?;
            pixels.extend(bytes.chunks_exact(4).map(|p| {
                let p = [p[0], p[1], p[2], p[3]];
                let v = if byte_order == 0 {
                    u32::from_le_bytes(p)
                } else {
                    u32::from_be_bytes(p)
                };
                v & 0xFF_FFFF
            }));
        }
        Ok(Capture {
            width,
            height,
            pixels,
        })
    }

    fn row(&self, y: usize) -> &[u32] {
        &self.pixels[y * self.width..(y + 1) * self.width]
    }

    /// The share of row `y` that is `rgb`.
    fn share_of(&self, y: usize, rgb: u32) -> f64 {
        let n = self.row(y).iter().filter(|&&p| p == rgb).count();
        n as f64 / self.width as f64
    }

    /// How many different colours the rows above `bottom` hold.
    fn colours_above(&self, bottom: usize) -> usize {
        let mut seen: Vec<u32> = self.pixels[..bottom * self.width].to_vec();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

/// Captures the window titled "KPIO" on `display` with `xwd`: `Ok(None)` while there is
/// no such window to capture yet.
fn capture_kpio_window(display: &str) -> Result<Option<Capture>, String> {
    let o = Command::new("xwd")
        .args(["-display", display, "-name", "KPIO", "-silent"])
        .output()
        .map_err(|e| format!("running xwd: {e}"))?;
    if !o.status.success() {
        // No window of that name yet, or not yet mapped.
        return Ok(None);
    }
    Capture::parse(&o.stdout).map(Some)
}

/// Whether `tool` runs at all (it is installed); if not, [`missing`] says so.
fn have(tool: &str, package: &str) -> bool {
    let found = Command::new(tool)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        missing(tool, package);
    }
    found
}

/// Captures the KPIO window until `check` accepts a capture; panics with the last
/// complaint if `kpio` exits first or [`RUN_LIMIT`] passes.
fn capture_until(
    kpio: &mut Child,
    display: &str,
    what: &str,
    check: impl Fn(&Capture) -> Result<(), String>,
) -> Capture {
    let start = Instant::now();
    let mut last = String::from("no window titled KPIO");
    loop {
        if let Some(status) = kpio.try_wait().unwrap() {
            // It has ended, so its standard error (when piped) reads to the end at once.
            let mut err = String::new();
            if let Some(mut e) = kpio.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            panic!("kpio desktop exited ({status:?}) before {what}: {last}\nits stderr:\n{err}");
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = kpio.kill();
            let _ = kpio.wait();
            panic!("never {what}: {last}");
        }
        match capture_kpio_window(display) {
            Ok(Some(c)) => match check(&c) {
                Ok(()) => return c,
                Err(e) => last = e,
            },
            Ok(None) => {}
            Err(e) => panic!("{e}"),
        }
        sleep(Duration::from_millis(100));
    }
}

/// `Ok` when every model pixel in `rect` covers `scale`×`scale` capture pixels of its
/// colour.
fn same_scaled(c: &Capture, model: &Canvas, rect: Rect, scale: usize) -> Result<(), String> {
    let mut differ = 0;
    for y in rect.y..rect.y + rect.h as i32 {
        for x in rect.x..rect.x + rect.w as i32 {
            let want = model.pixel(x, y).map(|p| p & 0xFF_FFFF);
            let (cx, cy) = (x as usize * scale, y as usize * scale);
            for (dx, dy) in (0..scale).flat_map(|dy| (0..scale).map(move |dx| (dx, dy))) {
                let (px, py) = (cx + dx, cy + dy);
                let got = (px < c.width && py < c.height).then(|| c.pixels[py * c.width + px]);
                if want != got {
                    differ += 1;
                }
            }
        }
    }
    if differ == 0 {
        Ok(())
    } else {
        Err(format!(
            "{differ} window pixels of {rect:?} (desktop coordinates, scale {scale}) differ \
             from the desktop's own rendering"
        ))
    }
}

/// `xdotool ARGS` on `display`, which must succeed.
fn xdotool(display: &str, args: &[&str]) {
    let o = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "xdotool {args:?} failed: {}",
        text(&o.stderr)
    );
}

/// What the desktop shows in a capture: the taskbar along the bottom, the wallpaper
/// (a gradient: many colours) above it. `Err` says what is missing.
fn shows_the_desktop(c: &Capture) -> Result<(), String> {
    let taskbar = TASKBAR_BG & 0xFF_FFFF;
    let bar = TASKBAR_HEIGHT as usize;
    let bottom = c.share_of(c.height - 1, taskbar);
    if bottom < 0.9 {
        return Err(format!(
            "the bottom row is {:.0}% taskbar colour {taskbar:06x}",
            bottom * 100.0
        ));
    }
    let above = c.share_of(c.height - bar - 1, taskbar);
    if above > 0.1 {
        return Err(format!(
            "the row above the taskbar is {:.0}% taskbar colour",
            above * 100.0
        ));
    }
    let colours = c.colours_above(c.height - bar);
    if colours < 50 {
        return Err(format!("the wallpaper has only {colours} colours"));
    }
    Ok(())
}

#[test]
fn the_window_shows_frames_and_exits_cleanly() {
    let Some(x) = Xvfb::start() else { return };
    let o = run(
        kpio_desktop(Some(&x.display), &["--exit-after-frames", "30"]),
        "kpio desktop --exit-after-frames 30",
    );
    assert!(
        o.status.success(),
        "kpio desktop --exit-after-frames 30 on {} failed ({:?}):\n{}{}",
        x.display,
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
}

#[test]
fn the_window_shows_the_desktop() {
    let Some(x) = Xvfb::start() else { return };
    if !have("xwd", "x11-apps") {
        return;
    }
    // A size other than the default, to see the window take the desktop's size.
    let (width, height) = (800, 600);
    let mut kpio = kpio_desktop(
        Some(&x.display),
        &["--size", "800x600", "--exit-after-frames", "600"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Capture until the window shows the desktop (the first captures may come before the
    // window exists or before its first frame).
    let shown = capture_until(
        &mut kpio,
        &x.display,
        "the window showed the desktop",
        |c| {
            if (c.width, c.height) != (width, height) {
                return Err(format!(
                    "the window is {}x{}, not the desktop's {width}x{height}",
                    c.width, c.height
                ));
            }
            shows_the_desktop(c)
        },
    );
    let colours = shown.colours_above(height - TASKBAR_HEIGHT as usize);
    eprintln!(
        "captured {}x{}: taskbar {:.0}% of the bottom row, {colours} wallpaper colours",
        shown.width,
        shown.height,
        shown.share_of(height - 1, TASKBAR_BG & 0xFF_FFFF) * 100.0
    );
    let status = wait_exit(&mut kpio, "kpio desktop --exit-after-frames 600");
    assert_clean_exit(&mut kpio, status);
}

#[test]
fn without_a_display_it_says_what_to_do() {
    let o = run(kpio_desktop(None, &[]), "kpio desktop without a display");
    let err = text(&o.stderr);
    assert!(
        !o.status.success(),
        "kpio desktop without a display succeeded"
    );
    assert!(err.contains("no display"), "{err}");
    assert!(err.contains("DISPLAY"), "{err}");
    assert!(err.contains("kpio desktop --headless"), "{err}");
    assert!(err.contains("xvfb-run -a kpio desktop"), "{err}");
}

#[test]
fn an_unreachable_display_says_what_to_do() {
    // No server listens on display 65000 (its socket would be /tmp/.X11-unix/X65000).
    let o = run(
        kpio_desktop(Some(":65000"), &[]),
        "kpio desktop on a display without a server",
    );
    let err = text(&o.stderr);
    assert!(!o.status.success(), "kpio desktop on :65000 succeeded");
    assert!(err.contains("cannot connect to DISPLAY=:65000"), "{err}");
    assert!(err.contains("kpio desktop --headless"), "{err}");
    assert!(err.contains("xvfb-run -a kpio desktop"), "{err}");
}

#[test]
fn clicks_and_keys_reach_the_desktop() {
    let Some(x) = Xvfb::start() else { return };
    if !have("xwd", "x11-apps") || !have("xdotool", "xdotool") {
        return;
    }
    let (width, height) = (800, 600);
    // The desktop's own renderer, fed the same input, says where to click and what the
    // window must then show.
    let mut model = Shell::new(width, height);
    let launcher = model.scene().taskbar.launcher_button;
    let (cx, cy) = (
        launcher.x + launcher.w as i32 / 2,
        launcher.y + launcher.h as i32 / 2,
    );
    let button = MouseButton::Left;
    for ev in [
        InputEvent::MouseMove { x: cx, y: cy },
        InputEvent::MouseDown {
            x: cx,
            y: cy,
            button,
        },
        InputEvent::MouseUp {
            x: cx,
            y: cy,
            button,
        },
    ] {
        model.handle_input(ev, 0);
    }
    let menu = model
        .scene()
        .menu
        .expect("a click on the launcher button opens the launcher menu")
        .rect;
    let mut open = Canvas::new(width, height).unwrap();
    model.render(&mut open);
    model.handle_input(InputEvent::KeyDown { key: Key::Escape }, 0);
    model.handle_input(InputEvent::KeyUp { key: Key::Escape }, 0);
    assert!(model.scene().menu.is_none(), "Escape closes the menu");
    let mut closed = Canvas::new(width, height).unwrap();
    model.render(&mut closed);

    let mut kpio = kpio_desktop(
        Some(&x.display),
        // A minute's frames at most: the test closes the window long before.
        &["--size", "800x600", "--exit-after-frames", "3600"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    capture_until(
        &mut kpio,
        &x.display,
        "the window showed the desktop",
        |c| {
            shows_the_desktop(c)?;
            same_scaled(c, &closed, menu, 1)
        },
    );
    // The pointer goes to the button in window coordinates and the click to the window
    // under it; keys go to the focused window, and with no window manager to give it
    // focus, xdotool does.
    let (cx, cy) = (cx.to_string(), cy.to_string());
    let move_to_button = [
        "search",
        "--name",
        "^KPIO$",
        "windowfocus",
        "--sync",
        "%1",
        "mousemove",
        "--window",
        "%1",
        &cx,
        &cy,
    ];
    xdotool(&x.display, &move_to_button);
    xdotool(&x.display, &["click", "1"]);
    capture_until(&mut kpio, &x.display, "the launcher menu opened", |c| {
        same_scaled(c, &open, menu, 1)
    });
    xdotool(&x.display, &["key", "Escape"]);
    capture_until(&mut kpio, &x.display, "the launcher menu closed", |c| {
        same_scaled(c, &closed, menu, 1)
    });
    // Destroying the window (what `xkill` or a window manager's forced close does) ends
    // the desktop cleanly.
    xdotool(
        &x.display,
        &["search", "--name", "^KPIO$", "windowclose", "%1"],
    );
    let status = wait_exit(&mut kpio, "kpio desktop after its window was destroyed");
    assert_clean_exit(&mut kpio, status);
}

#[test]
fn a_scale_factor_of_two_doubles_the_desktop() {
    // Room for a 640x480 desktop at twice the size.
    let Some(x) = Xvfb::start_with_screen("1600x1200x24") else {
        return;
    };
    if !have("xwd", "x11-apps") || !have("xdotool", "xdotool") {
        return;
    }
    let (width, height) = (640u32, 480u32);
    let mut model = Shell::new(width, height);
    let mut expected = Canvas::new(width, height).unwrap();
    model.render(&mut expected);
    let launcher = model.scene().taskbar.launcher_button;
    let (cx, cy) = (
        launcher.x + launcher.w as i32 / 2,
        launcher.y + launcher.h as i32 / 2,
    );
    let button = MouseButton::Left;
    for ev in [
        InputEvent::MouseMove { x: cx, y: cy },
        InputEvent::MouseDown {
            x: cx,
            y: cy,
            button,
        },
        InputEvent::MouseUp {
            x: cx,
            y: cy,
            button,
        },
    ] {
        model.handle_input(ev, 0);
    }
    let menu = model.scene().menu.expect("the launcher menu opens").rect;
    let mut open = Canvas::new(width, height).unwrap();
    model.render(&mut open);

    // winit's X11 backend takes the scale factor from this variable before Xft.dpi.
    let mut kpio = kpio_desktop(
        Some(&x.display),
        &["--size", "640x480", "--exit-after-frames", "3600"],
    )
    .env("WINIT_X11_SCALE_FACTOR", "2")
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Every desktop pixel above the taskbar (whose clock changes) covers 2x2 window pixels.
    let above_taskbar = Rect {
        x: 0,
        y: 0,
        w: width,
        h: height - TASKBAR_HEIGHT,
    };
    capture_until(
        &mut kpio,
        &x.display,
        "the window showed the desktop doubled",
        |c| {
            if (c.width, c.height) != (1280, 960) {
                return Err(format!(
                    "the window is {}x{}, not 1280x960",
                    c.width, c.height
                ));
            }
            same_scaled(c, &expected, above_taskbar, 2)
        },
    );
    // A click at the launcher button's window position (twice its desktop position)
    // lands on the button.
    let (wx, wy) = ((cx * 2).to_string(), (cy * 2).to_string());
    xdotool(
        &x.display,
        &[
            "search",
            "--name",
            "^KPIO$",
            "mousemove",
            "--window",
            "%1",
            &wx,
            &wy,
        ],
    );
    xdotool(&x.display, &["click", "1"]);
    capture_until(&mut kpio, &x.display, "the launcher menu opened", |c| {
        same_scaled(c, &open, menu, 2)
    });
    xdotool(
        &x.display,
        &["search", "--name", "^KPIO$", "windowclose", "%1"],
    );
    let status = wait_exit(&mut kpio, "kpio desktop after its window was destroyed");
    assert_clean_exit(&mut kpio, status);
}

//! The headless desktop: runs a [script](super::script) against a [`Frontend`] with no
//! display, at the display's pace (one frame every [`FRAME`]), and writes screenshots
//! (PNG), scene descriptions (JSON) and the session log where the script asks.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kpio_gui::Canvas;
use kpio_gui::shell::scene::SceneWindow;
use kpio_gui::shell::{InputEvent, Key, MouseButton, Scene};

use super::Frontend;
use super::script::{Click, Command, Condition, Target};
use super::session::Session;

/// One display frame at 60 Hz.
pub const FRAME: Duration = Duration::from_micros(16_667);

/// Two clicks closer than this are a double-click (the shell's threshold is 400 ms).
const DOUBLE_CLICK_GAP: Duration = Duration::from_millis(60);

/// A script command that failed: its line and why.
#[derive(Debug)]
pub struct RunError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "script line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for RunError {}

/// Drives a session through a script, frame by frame.
pub struct Headless<'a> {
    session: &'a mut Session,
    next_frame: Instant,
}

impl<'a> Headless<'a> {
    pub fn new(session: &'a mut Session) -> Headless<'a> {
        Headless {
            session,
            next_frame: Instant::now(),
        }
    }

    /// One display frame: waits for its time, then runs the desktop a step and returns
    /// the composed screen.
    pub fn frame(&mut self) -> &Canvas {
        let now = Instant::now();
        if self.next_frame > now {
            std::thread::sleep(self.next_frame - now);
        }
        self.next_frame = self.next_frame.max(now) + FRAME;
        self.session.frame()
    }

    fn run_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        loop {
            self.frame();
            if Instant::now() >= end {
                break;
            }
        }
    }

    fn scene(&self) -> Scene {
        self.session.shared().lock().shell.scene()
    }

    fn input(&mut self, ev: InputEvent) {
        self.session.input(ev);
    }

    fn click_at(&mut self, (x, y): (i32, i32), button: MouseButton) {
        self.input(InputEvent::MouseMove { x, y });
        self.input(InputEvent::MouseDown { x, y, button });
        self.input(InputEvent::MouseUp { x, y, button });
        self.frame();
    }

    fn press(&mut self, key: Key) {
        self.input(InputEvent::KeyDown { key });
        self.input(InputEvent::KeyUp { key });
        self.frame();
    }

    /// Runs every command; the first failure stops the script.
    pub fn run(&mut self, commands: &[(usize, Command)]) -> Result<(), RunError> {
        // A first frame, so the scene describes the desktop before anything is asked.
        self.frame();
        for (line, cmd) in commands {
            let fail = |reason: String| RunError {
                line: *line,
                reason,
            };
            if matches!(cmd, Command::Quit) {
                break;
            }
            self.step(cmd).map_err(fail)?;
        }
        Ok(())
    }

    fn step(&mut self, cmd: &Command) -> Result<(), String> {
        match cmd {
            Command::Install(path) => {
                // The same path as a file dropped on the desktop's window.
                self.session.open_file(path);
                self.frame();
            }
            Command::Launch(app) => {
                let id = resolve_app(&self.scene(), app)?;
                self.session.launch(&id);
                self.frame();
            }
            Command::Click(kind, target) => {
                let point = locate(&self.scene(), target)?;
                match kind {
                    Click::Single => self.click_at(point, MouseButton::Left),
                    Click::Right => self.click_at(point, MouseButton::Right),
                    Click::Double => {
                        self.click_at(point, MouseButton::Left);
                        std::thread::sleep(DOUBLE_CLICK_GAP);
                        self.click_at(point, MouseButton::Left);
                    }
                }
            }
            Command::Drag { from, to } => {
                let button = MouseButton::Left;
                self.input(InputEvent::MouseMove {
                    x: from.0,
                    y: from.1,
                });
                self.input(InputEvent::MouseDown {
                    x: from.0,
                    y: from.1,
                    button,
                });
                self.frame();
                for step in 1..=8 {
                    let x = from.0 + (to.0 - from.0) * step / 8;
                    let y = from.1 + (to.1 - from.1) * step / 8;
                    self.input(InputEvent::MouseMove { x, y });
                    self.frame();
                }
                self.input(InputEvent::MouseUp {
                    x: to.0,
                    y: to.1,
                    button,
                });
                self.frame();
            }
            Command::Key(key) => self.press(*key),
            Command::Type(text) => {
                for c in text.chars() {
                    let key = match c {
                        '\n' => Key::Enter,
                        c => Key::Char(c),
                    };
                    self.press(key);
                }
            }
            Command::Wait(d) => self.run_for(*d),
            Command::WaitFor(cond, timeout) => {
                let end = Instant::now() + *timeout;
                loop {
                    if self.holds(cond) {
                        break;
                    }
                    if Instant::now() >= end {
                        return Err(format!(
                            "timed out after {timeout:?} waiting for {}; the desktop shows {}",
                            describe(cond),
                            summary(&self.scene())
                        ));
                    }
                    self.frame();
                }
            }
            Command::Screenshot(path) => {
                let screen = self.frame();
                write_png(path, screen).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Command::Scene(path) => {
                let json = self.scene().to_json();
                std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Command::Log(path) => {
                let mut text = self.session.log_lines().join("\n");
                text.push('\n');
                std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Command::Quit => {}
        }
        Ok(())
    }

    fn holds(&self, cond: &Condition) -> bool {
        if let Condition::Log(text) = cond {
            return self
                .session
                .log_lines()
                .iter()
                .any(|l| l.contains(text.as_str()));
        }
        let scene = self.scene();
        match cond {
            Condition::Window(t) => window(&scene, t).is_some(),
            Condition::NoWindow(t) => window(&scene, t).is_none(),
            Condition::Text { text, window: t } => {
                window(&scene, t).is_some_and(|w| w.text_runs.iter().any(|r| r.text == *text))
            }
            Condition::Failed(t) => window(&scene, t).is_some_and(|w| w.failed),
            Condition::Icon(a) => resolve_app(&scene, a).is_ok(),
            Condition::NoIcon(a) => resolve_app(&scene, a).is_err(),
            Condition::Toast(t) => scene.toasts.iter().any(|x| x.title == *t),
            Condition::Dialog(t) => scene.dialog.as_ref().is_some_and(|d| d.title == *t),
            Condition::Windows(n) => scene.windows.len() == *n,
            Condition::Log(_) => unreachable!("handled above"),
        }
    }
}

/// The topmost window titled `title`.
fn window<'s>(scene: &'s Scene, title: &str) -> Option<&'s SceneWindow> {
    scene.windows.iter().rev().find(|w| w.title == title)
}

/// An app named in a script: its app id, or an icon's label.
fn resolve_app(scene: &Scene, app: &str) -> Result<String, String> {
    scene
        .icons
        .iter()
        .find(|i| i.app_id == app)
        .or_else(|| scene.icons.iter().find(|i| i.label == app))
        .map(|i| i.app_id.clone())
        .ok_or_else(|| format!("no desktop icon for {app:?}"))
}

fn locate(scene: &Scene, target: &Target) -> Result<(i32, i32), String> {
    let win = |t: &str| window(scene, t).ok_or_else(|| format!("no window titled {t:?}"));
    match target {
        Target::Icon(app) => {
            let id = resolve_app(scene, app)?;
            scene
                .icon_center(&id)
                .ok_or_else(|| format!("no icon {app:?}"))
        }
        Target::Menu(label) => scene
            .menu_item_center(label)
            .ok_or_else(|| format!("no open menu with an item {label:?}")),
        Target::DialogButton(label) => scene
            .dialog_button_center(label)
            .ok_or_else(|| format!("no open dialog with a button {label:?}")),
        Target::Text { text, window: t } => {
            let w = win(t)?;
            w.text_center(text)
                .ok_or_else(|| format!("window {t:?} shows no text {text:?}"))
        }
        Target::InWindow { window: t, x, y } => Ok(win(t)?.content_to_screen(*x, *y)),
        Target::Screen { x, y } => Ok((*x, *y)),
        Target::Close(t) => Ok(win(t)?.close_button.center()),
        Target::Minimise(t) => Ok(win(t)?.minimise_button.center()),
        Target::Taskbar(t) => {
            let w = win(t)?;
            scene
                .taskbar_entry(w.id)
                .map(|e| e.rect.center())
                .ok_or_else(|| format!("no taskbar entry for {t:?}"))
        }
        Target::Bell => Ok(scene.taskbar.bell.center()),
        Target::MarkAllRead => scene
            .panel
            .mark_all_read_button
            .map(|r| r.center())
            .ok_or_else(|| "the notification panel is not open".to_string()),
        Target::Toast(title) => scene
            .toasts
            .iter()
            .find(|t| t.title == *title)
            .map(|t| t.rect.center())
            .ok_or_else(|| format!("no toast titled {title:?}")),
    }
}

fn describe(cond: &Condition) -> String {
    match cond {
        Condition::Window(t) => format!("a window titled {t:?}"),
        Condition::NoWindow(t) => format!("no window titled {t:?}"),
        Condition::Text { text, window } => format!("{text:?} in window {window:?}"),
        Condition::Failed(t) => format!("window {t:?} to fail"),
        Condition::Icon(a) => format!("an icon for {a:?}"),
        Condition::NoIcon(a) => format!("no icon for {a:?}"),
        Condition::Toast(t) => format!("a toast titled {t:?}"),
        Condition::Dialog(t) => format!("a dialog titled {t:?}"),
        Condition::Windows(n) => format!("{n} windows"),
        Condition::Log(t) => format!("a log line containing {t:?}"),
    }
}

/// A one-line summary of the scene for error messages.
fn summary(scene: &Scene) -> String {
    let windows: Vec<String> = scene
        .windows
        .iter()
        .map(|w| {
            let texts: Vec<&str> = w
                .text_runs
                .iter()
                .take(12)
                .map(|r| r.text.as_str())
                .collect();
            format!(
                "{:?}{} {texts:?}",
                w.title,
                if w.failed { " (failed)" } else { "" }
            )
        })
        .collect();
    let icons: Vec<&str> = scene.icons.iter().map(|i| i.app_id.as_str()).collect();
    let toasts: Vec<&str> = scene.toasts.iter().map(|t| t.title.as_str()).collect();
    format!(
        "windows {windows:?}, icons {icons:?}, toasts {toasts:?}, dialog {:?}",
        scene.dialog.as_ref().map(|d| &d.title)
    )
}

/// Writes `screen` as an 8-bit RGB PNG.
pub fn write_png(path: &Path, screen: &Canvas) -> std::io::Result<()> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, screen.width(), screen.height());
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(std::io::Error::other)?;
    let mut data = Vec::with_capacity(screen.pixels().len() * 3);
    for p in screen.pixels() {
        data.extend_from_slice(&[(p >> 16) as u8, (p >> 8) as u8, *p as u8]);
    }
    writer
        .write_image_data(&data)
        .map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

/// `kpio desktop --headless --script FILE`: runs the script on a fresh desktop of
/// `width × height` and shuts it down.
pub fn run_script(path: &PathBuf, width: u32, height: u32) -> Result<(), anyhow::Error> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let commands =
        super::script::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut session = Session::open(width, height)?;
    let result = Headless::new(&mut session).run(&commands);
    session.shutdown();
    result.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

//! [`Session`]: one running desktop. It owns the shell (shared with the app threads), the
//! composed screen, and the app instances it launched, and answers what the shell asks
//! of the platform: launching an app on its own thread, uninstalling, closing windows
//! (asking the app first, stopping it if it does not close within [`CLOSE_GRACE`]),
//! reviewing an install's permissions and confirming an uninstall in dialogs, remembering
//! window placements.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kpio_app::{ApprovalSource, Permissions};
use kpio_gui::shell::{AppEntry, DialogId, InputEvent, Shell, ShellRequest, WindowId};
use kpio_gui::{Canvas, Font};
use kpio_host::host::SharedClipboard;
use kpio_pkg::{PkgError, Review, RunControl, Stdio};

use super::Frontend;
use super::app_gui::{AppLook, DesktopHostApis, DesktopLog, window_state_path, write_window_state};
use super::shared::Shared;
use crate::apps::{self, AppCmdError};

/// How long an app has to close its window after the user clicked its close button
/// before the desktop stops the instance.
pub const CLOSE_GRACE: Duration = Duration::from_secs(3);

/// How long quitting waits for app threads to end after stopping them.
const QUIT_GRACE: Duration = Duration::from_secs(5);

/// The app id the desktop's own notifications are posted under.
pub const DESKTOP_APP_ID: &str = "kpio.desktop";

/// An app launch the session started: the thread running it (restarts included).
struct RunningApp {
    app_id: String,
    control: RunControl,
    /// The desktop instance of its current run (0 between runs).
    current: Arc<AtomicU64>,
    thread: JoinHandle<()>,
}

/// An install waiting for the user's answer in the review dialog.
struct PendingInstall {
    dialog: DialogId,
    bytes: Vec<u8>,
    source: String,
    requested: Permissions,
}

/// An uninstall waiting for the user's confirmation.
struct PendingUninstall {
    dialog: DialogId,
    app_id: String,
}

/// One running desktop (see the module docs).
pub struct Session {
    shared: Arc<Shared>,
    font: Arc<Font>,
    home: PathBuf,
    screen: Canvas,
    clipboard: SharedClipboard,
    log: DesktopLog,
    next_instance: Arc<AtomicU64>,
    running: Vec<RunningApp>,
    installs: Vec<PendingInstall>,
    uninstalls: Vec<PendingUninstall>,
    closing: Vec<(WindowId, Instant)>,
    quit: bool,
}

impl Session {
    /// A desktop of `width × height` pixels over `KPIO_HOME`, showing the installed apps.
    pub fn open(width: u32, height: u32) -> Result<Session, AppCmdError> {
        let shell = Shell::with_font(width, height, Font::embedded());
        let screen = Canvas::new(width.max(1), height.max(1)).map_err(|e| AppCmdError::Home {
            path: apps::kpio_home(),
            message: format!("cannot make a {width}×{height} screen: {e}"),
        })?;
        let mut session = Session {
            shared: Arc::new(Shared::new(shell)),
            font: Arc::new(Font::embedded()),
            home: apps::kpio_home(),
            screen,
            clipboard: SharedClipboard::new(),
            log: DesktopLog::default(),
            next_instance: Arc::new(AtomicU64::new(0)),
            running: Vec::new(),
            installs: Vec::new(),
            uninstalls: Vec::new(),
            closing: Vec::new(),
            quit: false,
        };
        session.refresh_apps()?;
        Ok(session)
    }

    /// The shared state (tests and the headless runner read the scene through it).
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Every log line of the session (apps' log lines, denials, desktop messages).
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lines()
    }

    /// Asks the desktop to quit: the front end closes after this frame.
    pub fn request_quit(&mut self) {
        self.quit = true;
    }

    /// Reloads the installed apps into the desktop's icons.
    pub fn refresh_apps(&mut self) -> Result<(), AppCmdError> {
        let apps = apps::installed_apps()?;
        let entries = apps
            .into_iter()
            .map(|d| AppEntry::new(d.app_id, d.name, &d.icon))
            .collect();
        self.shared.lock().shell.set_apps(entries);
        Ok(())
    }

    /// A notification from the desktop itself (launch failures, installs).
    fn tell(&self, title: &str, body: &str) {
        tell(&self.shared, &self.log, title, body);
    }

    /// Starts an instance of `app_id` on its own thread.
    pub fn launch(&mut self, app_id: &str) {
        let look = {
            let state = self.shared.lock();
            state
                .shell
                .apps()
                .iter()
                .find(|a| a.app_id == app_id)
                .map(|a| AppLook {
                    app_id: a.app_id.clone(),
                    name: a.name.clone(),
                    icon: a.icon.clone(),
                    accent: a.accent,
                })
        };
        let Some(look) = look else {
            self.tell(
                "Cannot start the app",
                &format!("{app_id} is not installed"),
            );
            return;
        };
        let current = Arc::new(AtomicU64::new(0));
        let apis = Arc::new(DesktopHostApis {
            shared: Arc::clone(&self.shared),
            font: Arc::clone(&self.font),
            look: look.clone(),
            home: self.home.clone(),
            clipboard: self.clipboard.clone(),
            log: self.log.clone(),
            next_instance: Arc::clone(&self.next_instance),
            current: Arc::clone(&current),
            instances: Mutex::new(Default::default()),
            launched: Mutex::new(Some(Instant::now())),
        });
        let control = RunControl::new();
        let run_control = control.clone();
        let shared = Arc::clone(&self.shared);
        let log = self.log.clone();
        let id = look.app_id.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("app {id}"))
            // The engine keeps guest frames off the host stack, but host calls and
            // translation still want room.
            .stack_size(8 << 20)
            .spawn(move || {
                let result = apps::prepare_desktop_launch(&id, apis).and_then(|(mut mgr, p)| {
                    mgr.run_prepared(&p, &[], &Stdio::inherit(), &run_control, &mut || {})
                        .map_err(|error| AppCmdError::Pkg {
                            subject: id.clone(),
                            error,
                        })
                });
                match result {
                    Ok(outcome) => log.push(format!(
                        "kpio: [{id}] ended: {:?} after {} run(s)",
                        outcome.last(),
                        outcome.runs.len()
                    )),
                    Err(e) => tell(&shared, &log, "Cannot start the app", &e.to_string()),
                }
            });
        match spawned {
            Ok(thread) => self.running.push(RunningApp {
                app_id: look.app_id,
                control,
                current,
                thread,
            }),
            Err(e) => self.tell("Cannot start the app", &format!("no thread for it: {e}")),
        }
    }

    /// Stops every running instance of `app_id` and waits (boundedly) for them to end.
    fn stop_app(&mut self, app_id: &str) {
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.running)
            .into_iter()
            .partition(|r| r.app_id == app_id);
        self.running = others;
        for r in &mine {
            r.control.stop();
        }
        join_all(mine, QUIT_GRACE, &self.log);
    }

    /// Asks the user to confirm uninstalling `app_id` (its data goes with it).
    pub fn confirm_uninstall(&mut self, app_id: &str) {
        let name = {
            let state = self.shared.lock();
            state
                .shell
                .apps()
                .iter()
                .find(|a| a.app_id == app_id)
                .map(|a| a.name.clone())
        };
        let Some(name) = name else { return };
        let dialog = self.shared.lock().shell.show_dialog(
            &format!("Uninstall {name}?"),
            vec![
                format!("{name} ({app_id}) will be removed with all its data."),
                "Its running windows are closed first.".into(),
            ],
            vec!["Uninstall".into(), "Cancel".into()],
        );
        self.shared.notify();
        self.uninstalls.push(PendingUninstall {
            dialog,
            app_id: app_id.to_string(),
        });
    }

    /// Uninstalls `app_id` after stopping its instances.
    pub fn uninstall(&mut self, app_id: &str) {
        self.stop_app(app_id);
        match apps::uninstall(app_id) {
            Ok(msg) => {
                self.log.push(format!("kpio: desktop: {msg}"));
                {
                    let mut state = self.shared.lock();
                    for w in state.shell.windows_of(app_id) {
                        state.shell.close_window(w);
                    }
                }
                if let Err(e) = self.refresh_apps() {
                    self.tell("Cannot list the apps", &e.to_string());
                }
            }
            Err(e) => self.tell("Cannot uninstall the app", &e.to_string()),
        }
    }

    /// Installs the package at `path`: at once if its permissions are already approved
    /// (an update asking for the same), else after the user approves them in a dialog.
    pub fn install(&mut self, path: &Path) {
        let source = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return self.tell("Cannot install", &format!("{source}: {e}")),
        };
        match apps::install_with(&bytes, &source, false, Review::Required) {
            Ok(msg) => self.installed(&msg),
            Err(AppCmdError::Pkg {
                error: PkgError::NeedsApproval(needed),
                ..
            }) => {
                let kpio_pkg::ApprovalNeeded {
                    app,
                    name,
                    version,
                    requested,
                    previous,
                } = *needed;
                let mut lines = vec![format!("{app} asks for:")];
                lines.extend(requested.describe().into_iter().map(|l| format!("  {l}")));
                if let Some(prev) = previous {
                    lines.push("The installed version was approved for:".into());
                    lines.extend(prev.describe().into_iter().map(|l| format!("  {l}")));
                }
                let dialog = self.shared.lock().shell.show_dialog(
                    &format!("Install {name} {version}?"),
                    lines,
                    vec!["Install".into(), "Cancel".into()],
                );
                self.shared.notify();
                self.installs.push(PendingInstall {
                    dialog,
                    bytes,
                    source,
                    requested,
                });
            }
            Err(e) => self.tell("Cannot install", &e.to_string()),
        }
    }

    fn installed(&mut self, msg: &str) {
        self.tell("Installed", msg);
        if let Err(e) = self.refresh_apps() {
            self.tell("Cannot list the apps", &e.to_string());
        }
    }

    fn answer_dialog(&mut self, dialog: DialogId, button: usize) {
        if let Some(i) = self.uninstalls.iter().position(|p| p.dialog == dialog) {
            let p = self.uninstalls.remove(i);
            if button == 0 {
                self.uninstall(&p.app_id);
            }
            return;
        }
        let Some(i) = self.installs.iter().position(|p| p.dialog == dialog) else {
            return;
        };
        let p = self.installs.remove(i);
        if button != 0 {
            self.tell(
                "Not installed",
                &format!("{}: the permissions were not approved", p.source),
            );
            return;
        }
        let review = Review::Approved {
            permissions: p.requested,
            via: ApprovalSource::Dialog,
        };
        match apps::install_with(&p.bytes, &p.source, false, review) {
            Ok(msg) => self.installed(&msg),
            Err(e) => self.tell("Cannot install", &e.to_string()),
        }
    }

    /// What the shell asked for.
    fn handle(&mut self, request: ShellRequest) {
        match request {
            ShellRequest::Launch { app_id } => self.launch(&app_id),
            ShellRequest::Uninstall { app_id } => self.confirm_uninstall(&app_id),
            ShellRequest::CloseRequested { window } => {
                let running = {
                    let state = self.shared.lock();
                    state
                        .shell
                        .window_owner(window)
                        .is_some_and(|o| self.instance_running(o.instance))
                };
                if running {
                    // The app got a close event; it has a moment to close the window.
                    self.closing.push((window, Instant::now() + CLOSE_GRACE));
                } else {
                    // A failed app's window: nothing runs behind it.
                    self.shared.lock().shell.close_window(window);
                }
            }
            ShellRequest::DialogAnswer {
                dialog,
                button_index,
            } => self.answer_dialog(dialog, button_index),
            ShellRequest::WindowStateChanged { window } => {
                let (owner, placement) = {
                    let state = self.shared.lock();
                    (
                        state.shell.window_owner(window).cloned(),
                        state.shell.window_state(window),
                    )
                };
                if let (Some(o), Some(p)) = (owner, placement) {
                    write_window_state(&window_state_path(&self.home, &o.app_id), &p, &self.log);
                }
            }
            ShellRequest::FocusChanged { .. } => {}
        }
    }

    fn instance_running(&self, instance: u64) -> bool {
        self.running
            .iter()
            .any(|r| r.current.load(Ordering::Relaxed) == instance && !r.thread.is_finished())
    }

    /// Stops the instances whose windows were asked to close and did not.
    fn enforce_close_requests(&mut self) {
        let now = Instant::now();
        let due: Vec<WindowId> = self
            .closing
            .iter()
            .filter(|(_, at)| *at <= now)
            .map(|(w, _)| *w)
            .collect();
        self.closing.retain(|(_, at)| *at > now);
        for w in due {
            let owner = self.shared.lock().shell.window_owner(w).cloned();
            let Some(owner) = owner else { continue };
            for r in &self.running {
                if r.current.load(Ordering::Relaxed) == owner.instance {
                    self.log.push(format!(
                        "kpio: [{} #{}] did not close its window within {:?}: stopping it",
                        owner.app_id, owner.instance, CLOSE_GRACE
                    ));
                    r.control.stop();
                }
            }
        }
    }

    /// Joins the threads of launches that have ended.
    fn reap(&mut self) {
        let (done, alive): (Vec<_>, Vec<_>) = std::mem::take(&mut self.running)
            .into_iter()
            .partition(|r| r.thread.is_finished());
        self.running = alive;
        join_all(done, Duration::ZERO, &self.log);
    }

    /// Stops every app and waits (boundedly) for their threads.
    pub fn shutdown(&mut self) {
        {
            let mut state = self.shared.lock();
            state.quitting = true;
        }
        self.shared.notify();
        for r in &self.running {
            r.control.stop();
        }
        join_all(std::mem::take(&mut self.running), QUIT_GRACE, &self.log);
    }

    /// The number of app launches still running.
    pub fn running_launches(&self) -> usize {
        self.running
            .iter()
            .filter(|r| !r.thread.is_finished())
            .count()
    }
}

/// A notification from the desktop itself (under [`DESKTOP_APP_ID`]), also logged; app
/// threads use it too, so it takes the shared state rather than the session.
fn tell(shared: &Shared, log: &DesktopLog, title: &str, body: &str) {
    log.push(format!("kpio: desktop: {title}: {body}"));
    let now = shared.now_ms();
    shared
        .lock()
        .shell
        .notify(DESKTOP_APP_ID, "KPIO", title, body, now);
    shared.notify();
}

/// Joins `apps`' threads, waiting at most `grace` in all for those still running; a
/// thread that does not end is left behind (it was stopped; it ends when its guest next
/// checks the interrupt), with a log line.
fn join_all(apps: Vec<RunningApp>, grace: Duration, log: &DesktopLog) {
    let deadline = Instant::now() + grace;
    for r in apps {
        while !r.thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if r.thread.is_finished() {
            if r.thread.join().is_err() {
                log.push(format!("kpio: [{}] the app's thread panicked", r.app_id));
            }
        } else {
            log.push(format!("kpio: [{}] did not stop in time", r.app_id));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Frontend for Session {
    fn screen_size(&self) -> (u32, u32) {
        (self.screen.width(), self.screen.height())
    }

    fn resize(&mut self, width: u32, height: u32) {
        let (w, h) = (width.max(1), height.max(1));
        if self.screen.resize(w, h).is_ok() {
            self.shared.lock().shell.resize(w, h);
        }
    }

    fn input(&mut self, event: InputEvent) {
        let now = self.shared.now_ms();
        let requests = self.shared.lock().shell.handle_input(event, now);
        self.shared.notify();
        for r in requests {
            self.handle(r);
        }
    }

    fn frame(&mut self) -> &Canvas {
        self.enforce_close_requests();
        self.reap();
        let now = self.shared.now_ms();
        let clock = utc_clock();
        {
            let mut state = self.shared.lock();
            state.shell.tick(now);
            state.shell.set_clock(Some(&clock));
            state.shell.render(&mut self.screen);
            state.frame_no += 1;
        }
        self.shared.notify();
        &self.screen
    }

    fn should_quit(&self) -> bool {
        self.quit
    }

    fn open_file(&mut self, path: &Path) {
        if path.extension().is_some_and(|e| e == "kpioapp") {
            self.install(path);
        } else {
            self.tell(
                "Cannot open the file",
                &format!("{}: only .kpioapp packages can be opened", path.display()),
            );
        }
    }
}

/// The taskbar's clock: the time of day in UTC (`HH:MM UTC`); the hosted desktop has no
/// time zone database.
fn utc_clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{:02}:{:02} UTC", (secs / 3600) % 24, (secs / 60) % 60)
}

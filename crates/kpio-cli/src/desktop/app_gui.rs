//! The desktop's side of the kpio host APIs: [`DesktopHostApis`] gives each run of an app
//! a [`DesktopGui`] (its windows in the shell), the desktop's clipboard and notification
//! centre, real sockets, and a log; and closes or fails its windows when the run ends.
//!
//! An app draws on a back canvas per window, without any lock. `request_frame` hands a
//! copy of it to the shell (the copy is what the desktop composites; the app keeps drawing
//! on its canvas, so drawing only what changed works), then waits for the display's next
//! frame. `poll_event` takes events from the window's queue in the shell, waiting on the
//! shared condition variable, never spinning. Every wait is cut into slices that check the
//! run's cancel flag, so a stopped app leaves the host within one slice.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kpio_app::AppInstanceId;
use kpio_gui::shell::{WindowId, WindowOwner, WindowState};
use kpio_gui::{Canvas, Font, Image};
use kpio_host::host::{SharedClipboard, StdNet, StdSystem};
use kpio_host::{
    Cancel, Denial, DrawOp, GuiBackend, GuiEvent, HostCtx, HostCtxBuilder, HostError, HostLog,
    LogLevel,
};
use kpio_pkg::host_apis::{app_log_line, denial_line, fault_line};
use kpio_pkg::{HostApis, HostRun, RunEnd};

use super::shared::Shared;

/// Most windows one app instance may have open at once.
pub const MAX_WINDOWS_PER_INSTANCE: usize = 8;

/// The desktop's log: every app's log lines, denials and faults, kept for the session
/// (tests read them) and printed on standard error.
#[derive(Clone, Default)]
pub struct DesktopLog {
    lines: Arc<Mutex<Vec<String>>>,
}

/// Lines kept by [`DesktopLog`]; older ones are dropped.
const MAX_LOG_LINES: usize = 10_000;

impl DesktopLog {
    pub fn push(&self, line: String) {
        eprintln!("{line}");
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        if lines.len() >= MAX_LOG_LINES {
            lines.remove(0);
        }
        lines.push(line);
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// One run's log: its lines name the run by its desktop instance (the number the scene
/// and the windows show), not the launcher's per-launch count.
struct RunLog {
    log: DesktopLog,
    instance: u64,
}

impl HostLog for RunLog {
    fn app_log(&mut self, app_id: &str, _: AppInstanceId, level: LogLevel, message: &str) {
        self.log
            .push(app_log_line(app_id, self.instance, level, message));
    }
    fn denied(&mut self, app_id: &str, _: AppInstanceId, denial: &Denial) {
        self.log.push(denial_line(app_id, self.instance, denial));
    }
    fn fault(&mut self, app_id: &str, _: AppInstanceId, message: &str) {
        self.log.push(fault_line(app_id, self.instance, message));
    }
}

/// What the desktop knows of an installed app when it launches it.
#[derive(Clone)]
pub struct AppLook {
    pub app_id: String,
    pub name: String,
    pub icon: Option<Image>,
    pub accent: u32,
}

/// Where the desktop keeps an app's window placement (`apps/data/{id}/window_state.json`).
pub fn window_state_path(home: &std::path::Path, app_id: &str) -> PathBuf {
    home.join(kpio_pkg::install::APPS_DATA)
        .join(app_id)
        .join(kpio_pkg::install::WINDOW_STATE_NAME)
}

/// Reads a remembered window placement; anything unreadable counts as none.
pub fn read_window_state(path: &std::path::Path) -> Option<WindowState> {
    let text = std::fs::read_to_string(path).ok()?;
    WindowState::from_json(&text).ok()
}

/// Stores a window placement crash-safely (write a new file, sync, rename). Failing to
/// remember a placement is not worth failing anything for, so errors are only logged.
pub fn write_window_state(path: &std::path::Path, state: &WindowState, log: &DesktopLog) {
    let Some(dir) = path.parent() else { return };
    if !dir.is_dir() {
        // The app was uninstalled meanwhile: nothing to remember it for.
        return;
    }
    let tmp = path.with_extension("json.tmp");
    let r = (|| -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(state.to_json().as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = r {
        log.push(format!(
            "kpio: cannot remember the window placement in {}: {e}",
            path.display()
        ));
    }
}

/// Makes the host context of each run of one launched app (see the module docs).
pub struct DesktopHostApis {
    pub shared: Arc<Shared>,
    pub font: Arc<Font>,
    pub look: AppLook,
    pub home: PathBuf,
    pub clipboard: SharedClipboard,
    pub log: DesktopLog,
    /// The session's instance counter (instance ids are unique for the whole desktop).
    pub next_instance: Arc<AtomicU64>,
    /// The desktop instance of this launch's current run, 0 between runs.
    pub current: Arc<AtomicU64>,
    /// Lifecycle instance of each run → its desktop instance.
    pub instances: Mutex<HashMap<AppInstanceId, u64>>,
    /// When the user launched the app (taken by its first run; a restart counts from its
    /// own start), for the "first frame after" log line.
    pub launched: Mutex<Option<Instant>>,
}

impl HostApis for DesktopHostApis {
    fn context(&self, run: &HostRun<'_>) -> HostCtxBuilder {
        let instance = self.next_instance.fetch_add(1, Ordering::Relaxed) + 1;
        self.instances
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(run.instance, instance);
        self.current.store(instance, Ordering::Relaxed);
        let gui = DesktopGui {
            shared: Arc::clone(&self.shared),
            font: Arc::clone(&self.font),
            owner: WindowOwner {
                app_id: self.look.app_id.clone(),
                instance,
            },
            look: self.look.clone(),
            state_path: window_state_path(&self.home, &self.look.app_id),
            windows: BTreeMap::new(),
            next_handle: 1,
            cancel: run.cancel.clone(),
            log: self.log.clone(),
            started: self
                .launched
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .unwrap_or_else(Instant::now),
            framed: false,
        };
        let shared = Arc::clone(&self.shared);
        let name = self.look.name.clone();
        let notify: kpio_host::host::NotifyFn = Arc::new(move |app_id, title, body| {
            let now = shared.now_ms();
            let id = shared.lock().shell.notify(app_id, &name, title, body, now);
            shared.notify();
            Ok(id.0)
        });
        HostCtx::builder(run.app_id)
            .gui(Box::new(gui))
            .system(Box::new(
                StdSystem::new()
                    .with_clipboard(self.clipboard.clone())
                    .with_notify(notify),
            ))
            .net(Box::new(StdNet::new()))
            .log(Box::new(RunLog {
                log: self.log.clone(),
                instance,
            }))
    }

    fn run_ended(&self, run: &HostRun<'_>, end: &RunEnd) {
        let Some(instance) = self
            .instances
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&run.instance)
        else {
            return;
        };
        let _ = self
            .current
            .compare_exchange(instance, 0, Ordering::Relaxed, Ordering::Relaxed);
        let failure = match end {
            RunEnd::Exited(0) | RunEnd::Stopped => None,
            RunEnd::Exited(code) => Some(format!("exited with code {code}")),
            RunEnd::Trapped(why) => Some(why.clone()),
            RunEnd::TimedOut(after) => Some(format!("timed out after {after:?}")),
        };
        if let Some(why) = &failure {
            self.log.push(format!(
                "kpio: [{} #{instance}] stopped: {why}",
                self.look.app_id
            ));
        }
        let mut state = self.shared.lock();
        let owned: Vec<WindowId> = state
            .shell
            .windows_of(&self.look.app_id)
            .into_iter()
            .filter(|w| {
                state
                    .shell
                    .window_owner(*w)
                    .is_some_and(|o| o.instance == instance)
            })
            .collect();
        for w in owned {
            match &failure {
                // The window stays, showing why, until the user closes it.
                Some(why) => {
                    state.shell.mark_failed(w, why);
                }
                None => {
                    state.shell.close_window(w);
                }
            }
        }
        drop(state);
        self.shared.notify();
    }
}

/// One app window as its app sees it: the shell's window and the canvas the app draws on.
struct AppWindow {
    id: WindowId,
    back: Canvas,
}

/// The `kpio_gui` backend of one run of an app (see the module docs).
pub struct DesktopGui {
    shared: Arc<Shared>,
    font: Arc<Font>,
    owner: WindowOwner,
    look: AppLook,
    state_path: PathBuf,
    windows: BTreeMap<u32, AppWindow>,
    next_handle: u32,
    cancel: Cancel,
    log: DesktopLog,
    /// When this run was launched, and whether its first frame has been shown.
    started: Instant,
    framed: bool,
}

impl DesktopGui {
    fn window(&mut self, win: u32) -> Result<&mut AppWindow, HostError> {
        self.windows.get_mut(&win).ok_or(HostError::Invalid)
    }

    /// Whether waiting should stop: the run was stopped or the desktop is quitting.
    fn must_stop(&self, quitting: bool) -> bool {
        quitting || self.cancel.is_cancelled()
    }
}

impl GuiBackend for DesktopGui {
    fn create_window(&mut self, title: &str, width: u32, height: u32) -> Result<u32, HostError> {
        if self.windows.len() >= MAX_WINDOWS_PER_INSTANCE {
            return Err(HostError::Limit);
        }
        // The app's first window goes where its last one was left.
        let saved = if self.windows.is_empty() {
            read_window_state(&self.state_path)
        } else {
            None
        };
        let now = self.shared.now_ms();
        let mut state = self.shared.lock();
        let id = state
            .shell
            .open_window(self.owner.clone(), title, width, height, saved, now);
        state.shell.show_splash(
            id,
            &self.look.name,
            self.look.icon.as_ref(),
            self.look.accent,
        );
        let (w, h) = state.shell.content_size(id).unwrap_or((width, height));
        drop(state);
        self.shared.notify();
        let back = Canvas::new(w, h).map_err(|_| HostError::Limit)?;
        let handle = self.next_handle;
        self.next_handle += 1;
        self.windows.insert(handle, AppWindow { id, back });
        Ok(handle)
    }

    fn close_window(&mut self, win: u32) -> Result<(), HostError> {
        let w = self.windows.remove(&win).ok_or(HostError::Invalid)?;
        let mut state = self.shared.lock();
        let placement = state.shell.window_state(w.id);
        state.shell.close_window(w.id);
        drop(state);
        self.shared.notify();
        if let Some(p) = placement {
            write_window_state(&self.state_path, &p, &self.log);
        }
        Ok(())
    }

    fn set_title(&mut self, win: u32, title: &str) -> Result<(), HostError> {
        let id = self.window(win)?.id;
        if self.shared.lock().shell.set_title(id, title) {
            Ok(())
        } else {
            Err(HostError::Closed)
        }
    }

    fn draw(&mut self, win: u32, op: DrawOp<'_>) -> Result<u32, HostError> {
        let font = Arc::clone(&self.font);
        kpio_host::draw_on(&mut self.window(win)?.back, &font, op)
    }

    fn measure_text(&mut self, text: &str, size: u32) -> u32 {
        self.font.measure_text(text, size)
    }

    fn request_frame(&mut self, win: u32) -> Result<(), HostError> {
        let w = self.windows.get(&win).ok_or(HostError::Invalid)?;
        let id = w.id;
        let frame = w.back.clone();
        let mut state = self.shared.lock();
        let Some((cw, ch)) = state.shell.content_size(id) else {
            drop(state);
            self.windows.remove(&win);
            return Err(HostError::Closed);
        };
        state.shell.present(id, frame);
        let target = state.frame_no + 1;
        drop(state);
        if !self.framed {
            self.framed = true;
            self.log.push(format!(
                "kpio: [{} #{}] first frame {:.1} ms after launch",
                self.owner.app_id,
                self.owner.instance,
                self.started.elapsed().as_secs_f64() * 1000.0
            ));
        }
        // The window was resized: the app's canvas follows (the app redraws on the
        // resize event it gets).
        let w = self.windows.get_mut(&win).ok_or(HostError::Invalid)?;
        if (cw, ch) != (w.back.width(), w.back.height()) {
            w.back.resize(cw, ch).map_err(|_| HostError::Limit)?;
        }
        let mut state = self.shared.lock();
        while state.frame_no < target && !self.must_stop(state.quitting) {
            state = self.shared.wait(state, None);
        }
        Ok(())
    }

    fn poll_event(
        &mut self,
        win: u32,
        timeout_ms: Option<u32>,
    ) -> Result<Option<GuiEvent>, HostError> {
        let id = self.window(win)?.id;
        let deadline = timeout_ms.map(|ms| Instant::now() + Duration::from_millis(u64::from(ms)));
        let mut state = self.shared.lock();
        loop {
            if state.shell.content_size(id).is_none() {
                drop(state);
                self.windows.remove(&win);
                return Err(HostError::Closed);
            }
            if let Some(ev) = state.shell.pop_event(id) {
                return Ok(Some(ev));
            }
            if timeout_ms == Some(0)
                || deadline.is_some_and(|d| Instant::now() >= d)
                || self.must_stop(state.quitting)
            {
                return Ok(None);
            }
            state = self.shared.wait(state, deadline);
        }
    }
}

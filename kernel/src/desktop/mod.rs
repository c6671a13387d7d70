//! The desktop on the framebuffer: the compositor's [`Shell`] (icons, windows, taskbar,
//! toasts, the notification panel) driven by PS/2 input, with each app launched from an
//! icon running on its own kernel thread ([`gui::KernelGui`] gives it its windows).
//!
//! The shell lives in [`DESK`], one lock that app threads take briefly (open a window,
//! swap in a frame, take an event) and the desktop thread takes to route input and to
//! composite. The desktop composites only when something changed (input, a presented
//! frame, a window opened or closed) or once a second (the taskbar clock, toasts), since
//! a full-screen composite is expensive under emulation; apps waiting for their frame
//! wait for that composite.
//!
//! F12 prints the scene (what is on screen: icons, windows with their text runs and
//! controls' rectangles) as one `SCENE {json}` line on the serial console, which is how
//! the QEMU tests find what to click.

mod gui;
mod input;

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use kpio_app::AppInstanceId;
use kpio_gui::shell::{AppEntry, Shell, ShellRequest, WindowId, WindowOwner};
use kpio_gui::{Canvas, Font, FrameBuffer};
use kpio_host::{Cancel, GuiBackend};
use spin::Mutex;

use crate::home::Home;
use crate::launch::{self, RunEnd, RunHooks};
use crate::{clock, println, random, sched};
use gui::{AppLook, KernelGui};
use input::{Input, Special};

/// The shared desktop state.
pub struct Desk {
    pub shell: Shell,
    /// Frames composited so far (apps wait for the next one after presenting).
    pub frame_no: u64,
    /// The font the desktop and its apps draw with.
    pub font: Arc<Font>,
    /// Something changed since the last composite (a frame presented, a window opened,
    /// closed or retitled, a notification).
    pub changed: bool,
}

pub static DESK: Mutex<Option<Desk>> = Mutex::new(None);

/// How long an app has to close its window after the user closed it.
const CLOSE_GRACE_MS: u64 = 3_000;
/// Composite at least this often (the taskbar clock, toasts expiring).
const IDLE_FRAME_MS: u64 = 1_000;

struct DeskHooks {
    font: Arc<Font>,
    look: AppLook,
}

impl RunHooks for DeskHooks {
    fn gui(&self, inst: AppInstanceId, cancel: Cancel) -> Option<Box<dyn GuiBackend>> {
        let owner = WindowOwner {
            app_id: self.look.app_id.clone(),
            instance: inst.0,
        };
        Some(Box::new(KernelGui::new(
            self.font.clone(),
            owner,
            self.look.clone(),
            cancel,
        )))
    }

    fn ended(&self, inst: AppInstanceId, end: &RunEnd) {
        let failure = match end {
            RunEnd::Exited(0) | RunEnd::Stopped => None,
            RunEnd::Exited(code) => Some(format!("exited with code {code}")),
            RunEnd::Trapped(why) => Some(why.clone()),
        };
        if let Some(why) = &failure {
            println!("kpio: [{} #{}] stopped: {why}", self.look.app_id, inst.0);
        }
        let mut desk = DESK.lock();
        let Some(desk) = desk.as_mut() else { return };
        let owned: Vec<WindowId> = desk
            .shell
            .windows_of(&self.look.app_id)
            .into_iter()
            .filter(|w| {
                desk.shell
                    .window_owner(*w)
                    .is_some_and(|o| o.instance == inst.0)
            })
            .collect();
        desk.changed = true;
        for w in owned {
            match &failure {
                // The window stays, saying why, until the user closes it.
                Some(why) => {
                    desk.shell.mark_failed(w, why);
                }
                None => {
                    desk.shell.close_window(w);
                }
            }
        }
    }
}

/// The taskbar's clock: the time of day in UTC (the RTC keeps UTC; no time zones yet).
fn clock_text() -> String {
    let secs = clock::realtime_ns() / 1_000_000_000;
    format!("{:02}:{:02} UTC", (secs / 3600) % 24, (secs / 60) % 60)
}

/// The icons: every installed app, with its icon decoded (a broken icon gets the
/// fallback drawn by the shell).
fn app_entries(home: &Home) -> Vec<AppEntry> {
    home.registry
        .list()
        .map(|d| AppEntry::new(d.app_id.clone(), d.name.clone(), &d.icon))
        .collect()
}

/// A 12×19 arrow pointer: 1 is the outline, 2 the fill.
const POINTER: [&[u8; 12]; 19] = [
    b"1...........",
    b"11..........",
    b"121.........",
    b"1221........",
    b"12221.......",
    b"122221......",
    b"1222221.....",
    b"12222221....",
    b"122222221...",
    b"1222222221..",
    b"12222222221.",
    b"122222211111",
    b"1222121.....",
    b"122.1221....",
    b"12..1221....",
    b"1....1221...",
    b".....1221...",
    b"......121...",
    b"......11....",
];

fn draw_pointer(fb: &mut FrameBuffer<'_>, x: i32, y: i32) {
    for (dy, row) in POINTER.iter().enumerate() {
        for (dx, &p) in row.iter().enumerate() {
            let color = match p {
                b'1' => 0x000000,
                b'2' => 0xFFFFFF,
                _ => continue,
            };
            let (px, py) = (x + dx as i32, y + dy as i32);
            if px >= 0 && py >= 0 {
                fb.write_pixel(px as u32, py as u32, color);
            }
        }
    }
}

/// The desktop thread: never returns.
pub fn run(mut fb: FrameBuffer<'static>, rng: random::Source) -> ! {
    let font = Arc::new(Font::embedded());
    let (width, height) = (fb.width(), fb.height());
    let mut shell = Shell::with_font(width, height, (*font).clone());
    let (entries, app_count) =
        crate::home::with(|h| (app_entries(h), h.registry.len())).unwrap_or_default();
    shell.set_apps(entries);
    shell.set_clock(Some(&clock_text()));
    *DESK.lock() = Some(Desk {
        shell,
        frame_no: 0,
        font: font.clone(),
        changed: true,
    });
    let mut input = Input::new(width, height);
    let mut screen = Canvas::new(width, height).expect("the screen fits a canvas");
    let mut closing: Vec<(WindowId, u64)> = Vec::new();
    let mut last_frame = 0u64;
    let mut dirty = true;
    let mut frames = 0u64;
    loop {
        let now = clock::monotonic_ms();
        let (events, special) = input.drain();
        let mut requests = Vec::new();
        if !events.is_empty() {
            dirty = true;
            let mut desk = DESK.lock();
            let desk = desk.as_mut().unwrap();
            for ev in events {
                requests.extend(desk.shell.handle_input(ev, now));
            }
        }
        for request in requests {
            match request {
                ShellRequest::Launch { app_id } => launch_app(&app_id, rng),
                ShellRequest::CloseRequested { window } => {
                    closing.push((window, now + CLOSE_GRACE_MS));
                }
                ShellRequest::Uninstall { app_id } => tell(
                    "Cannot uninstall",
                    &format!(
                        "{app_id}: this KPIO image keeps its apps in memory; rebuild the image without it"
                    ),
                ),
                // No dialogs of the kernel's own; placements are not kept across boots
                // (the home is in memory).
                ShellRequest::DialogAnswer { .. }
                | ShellRequest::FocusChanged { .. }
                | ShellRequest::WindowStateChanged { .. } => {}
            }
        }
        // Apps that did not close their window in time are stopped.
        let (due, later): (Vec<_>, Vec<_>) = closing.into_iter().partition(|(_, at)| *at <= now);
        closing = later;
        for (w, _) in due {
            let owner = DESK
                .lock()
                .as_ref()
                .and_then(|d| d.shell.window_owner(w).cloned());
            if let Some(owner) = owner
                && launch::stop(AppInstanceId(owner.instance))
            {
                println!(
                    "kpio: [{} #{}] did not close its window in {CLOSE_GRACE_MS} ms: stopped it",
                    owner.app_id, owner.instance
                );
            }
        }
        for s in special {
            match s {
                Special::DumpScene => {
                    let scene = DESK.lock().as_ref().map(|d| d.shell.scene());
                    if let Some(scene) = scene {
                        let json = serde_json::to_string(&scene).unwrap_or_default();
                        println!("SCENE {json}");
                    }
                }
            }
        }
        // Presented frames and windows opened or closed since the last composite.
        let pending = DESK.lock().as_ref().is_some_and(|d| d.changed);
        if dirty || pending || now >= last_frame + IDLE_FRAME_MS {
            let text = clock_text();
            {
                let mut desk = DESK.lock();
                let desk = desk.as_mut().unwrap();
                desk.shell.tick(now);
                desk.shell.set_clock(Some(&text));
                desk.shell.render(&mut screen);
                desk.frame_no += 1;
                desk.changed = false;
            }
            fb.present(&screen);
            draw_pointer(&mut fb, input.x, input.y);
            last_frame = now;
            dirty = false;
            frames += 1;
            if frames == 1 {
                println!("desktop: ready ({width}x{height}, {app_count} apps)");
            }
        }
        sched::sleep_ms(10);
        sched::reap();
    }
}

/// A notification from the desktop itself (a launch that failed).
fn tell(title: &str, body: &str) {
    println!("kpio: {title}: {body}");
    let now = clock::monotonic_ms();
    if let Some(desk) = DESK.lock().as_mut() {
        desk.shell.notify("kpio", "KPIO", title, body, now);
        desk.changed = true;
    }
}

/// The run hooks of an app launched while the desktop runs: its windows on the desktop.
/// `None` before the desktop started (or for an app it does not know).
pub fn hooks_for(app_id: &str) -> Option<Box<dyn RunHooks + Send>> {
    let desk = DESK.lock();
    let desk = desk.as_ref()?;
    let a = desk.shell.apps().iter().find(|a| a.app_id == app_id)?;
    Some(Box::new(DeskHooks {
        font: desk.font.clone(),
        look: AppLook {
            app_id: a.app_id.clone(),
            name: a.name.clone(),
            icon: a.icon.clone(),
            accent: a.accent,
        },
    }))
}

fn launch_app(app_id: &str, rng: random::Source) {
    let Some(hooks) = hooks_for(app_id) else {
        tell(
            "Cannot start the app",
            &format!("{app_id} is not installed"),
        );
        return;
    };
    let prepared =
        crate::home::with(|h| launch::prepare(h, app_id).map(|p| (p, h.backend.clone())));
    let (prepared, backend) = match prepared {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            tell("Cannot start the app", &e.to_string());
            return;
        }
        None => return,
    };
    println!("kpio: launching {app_id}");
    if let Err(e) = launch::start(prepared, backend, Vec::new(), rng, hooks) {
        tell("Cannot start the app", &e.to_string());
    }
}

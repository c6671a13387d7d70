//! The desktop shell: the whole desktop as a state machine the platform drives.
//!
//! [`Shell`] holds the installed apps' icons, the windows (z-order, focus, per-window event
//! queues, presented frames), the taskbar, menus, toasts, the notification panel, dialogs and
//! splash screens. The platform feeds it input ([`Shell::handle_input`]) and time (`now_ms`
//! arguments; the shell never reads a clock), and gets back [`ShellRequest`]s for what only
//! the platform can do (launch, uninstall, kill). [`Shell::render`] composites everything
//! into a canvas; [`Shell::scene`] describes the same picture as data for tests.
//!
//! Input routing, top to bottom: an open dialog takes everything (modal); an open menu takes
//! the next click (outside it, the click only closes it); toasts; the notification panel
//! (a click outside closes it and is used up); the taskbar; windows from the top; icons.
//! Keys go to the dialog, else the menu, else the focused window.
//!
//! A platform's loop, in short:
//!
//! ```
//! use kpio_gui::canvas::Canvas;
//! use kpio_gui::shell::{AppEntry, InputEvent, MouseButton, Shell, ShellRequest, WindowOwner};
//!
//! let mut shell = Shell::new(800, 600);
//! shell.set_apps(vec![AppEntry {
//!     app_id: "org.example.calc".into(),
//!     name: "Calculator".into(),
//!     icon: None,
//!     accent: 0xFF3D7BD9,
//! }]);
//! // A double-click on the icon asks the platform to launch the app...
//! let (x, y) = shell.scene().icon_center("org.example.calc").unwrap();
//! let mut requests = Vec::new();
//! for t in [0, 100] {
//!     requests.extend(shell.handle_input(InputEvent::MouseDown { x, y, button: MouseButton::Left }, t));
//!     requests.extend(shell.handle_input(InputEvent::MouseUp { x, y, button: MouseButton::Left }, t));
//! }
//! assert_eq!(requests, [ShellRequest::Launch { app_id: "org.example.calc".into() }]);
//! // ...which opens a window for the new instance and presents its frames.
//! let owner = WindowOwner { app_id: "org.example.calc".into(), instance: 1 };
//! let win = shell.open_window(owner, "Calculator", 300, 400, None, 100);
//! let (w, h) = shell.content_size(win).unwrap();
//! let mut frame = Canvas::new(w, h).unwrap();
//! frame.clear(0xFFFFFFFF);
//! let _old = shell.present(win, frame);
//! // Events for the app wait in the window's queue.
//! while let Some(event) = shell.pop_event(win) {
//!     let _bytes: [u8; 24] = event.to_bytes();
//! }
//! let mut screen = Canvas::new(800, 600).unwrap();
//! shell.render(&mut screen);
//! let json = shell.scene().to_json();
//! assert!(json.contains("\"title\":\"Calculator\""));
//! ```

mod art;
pub mod desktop;
pub mod dialog;
pub mod events;
pub mod geometry;
pub mod input;
pub mod menu;
pub mod notifications;
mod render;
mod routing;
pub mod scene;
pub mod splash;
pub mod taskbar;
pub mod theme;
pub mod window_state;
pub mod windows;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

pub use desktop::{ALL_APPS_ID, AppEntry, IconKind, NOTIFICATIONS_ID};
pub use dialog::DialogId;
pub use events::{EventKind, WindowEvent};
pub use geometry::Rect;
use geometry::clamp_u32;
pub use input::{InputEvent, Key, MouseButton};
pub use notifications::NotificationId;
pub use scene::Scene;
pub use window_state::{WindowState, WindowStateError};
pub use windows::{WindowId, WindowOwner};

use crate::canvas::Canvas;
use crate::font::Font;
use crate::image::Image;
use desktop::{Desktop, DesktopIcon};
use dialog::Dialog;
use menu::{Menu, MenuKind};
use notifications::Notifications;
use routing::Drag;
use splash::Splash;
use theme::*;
use windows::WindowManager;

/// Longest title, notification text or dialog line the shell keeps (in chars); longer text
/// is cut, so a hostile app cannot make the shell hold megabytes per string.
const MAX_TEXT_CHARS: usize = 1024;

/// What the platform must do in answer to input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellRequest {
    /// Start an instance of the app (double-click, menu "Open", launcher).
    Launch { app_id: String },
    /// The user chose "Uninstall" on the app's icon.
    Uninstall { app_id: String },
    /// The close button was clicked; a `close` event is queued for the app. The platform
    /// decides when to close the window or kill the app.
    CloseRequested { window: WindowId },
    /// A dialog was answered (button index into the dialog's buttons).
    DialogAnswer {
        dialog: DialogId,
        button_index: usize,
    },
    /// Keyboard focus moved (to no window when `None`).
    FocusChanged { window: Option<WindowId> },
    /// A move or resize drag ended: the platform may store [`Shell::window_state`].
    WindowStateChanged { window: WindowId },
}

/// The desktop (see the module doc).
pub struct Shell {
    width: u32,
    height: u32,
    font: Font,
    apps: Vec<AppEntry>,
    desktop: Desktop,
    windows: WindowManager,
    notifications: Notifications,
    menu: Option<Menu>,
    /// Waiting dialogs; the first is shown.
    dialogs: Vec<Dialog>,
    next_dialog: u32,
    drag: Option<Drag>,
    pointer: (i32, i32),
    now_ms: u64,
    /// The taskbar clock's text, set by the platform (the shell has no time of day).
    clock: Option<String>,
    /// The wallpaper drawn for the current screen size (drawing it costs a pass over every
    /// pixel; copying it is cheap).
    wallpaper: RefCell<Option<Canvas>>,
}

impl Shell {
    /// A desktop for a `width × height` screen (zero included; sizes above [`MAX_SCREEN`]
    /// are clamped, which keeps every layout computation far from overflow).
    pub fn new(width: u32, height: u32) -> Self {
        Self::with_font(width, height, Font::embedded())
    }

    /// A desktop drawing with the given font (parsing the embedded font takes milliseconds;
    /// a platform that already has one passes it in).
    pub fn with_font(width: u32, height: u32, font: Font) -> Self {
        let (width, height) = (width.min(MAX_SCREEN), height.min(MAX_SCREEN));
        let mut shell = Shell {
            width,
            height,
            font,
            apps: Vec::new(),
            desktop: Desktop::default(),
            windows: WindowManager::new(),
            notifications: Notifications::default(),
            menu: None,
            dialogs: Vec::new(),
            next_dialog: 1,
            drag: None,
            pointer: (0, 0),
            now_ms: 0,
            clock: None,
            wallpaper: RefCell::new(None),
        };
        shell.rebuild_icons();
        shell
    }

    /// The screen's size.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The screen changed size: icons are laid out again, windows kept reachable, menus closed.
    pub fn resize(&mut self, width: u32, height: u32) {
        self.width = width.min(MAX_SCREEN);
        self.height = height.min(MAX_SCREEN);
        self.desktop.relayout(width);
        let work = self.work_area();
        self.windows.fit_to(work);
        self.menu = None;
        self.drag = None;
    }

    /// The screen minus the taskbar: where windows live.
    pub fn work_area(&self) -> Rect {
        Rect::new(0, 0, self.width, self.height.saturating_sub(TASKBAR_HEIGHT))
    }

    /// The font the shell draws with (apps' text is measured with the same one).
    pub fn font(&self) -> &Font {
        &self.font
    }

    // ---- installed apps -------------------------------------------------------------------

    /// Replaces the installed apps: one desktop icon each (after the system icons), and the
    /// launcher's list.
    pub fn set_apps(&mut self, apps: Vec<AppEntry>) {
        self.apps = apps;
        self.rebuild_icons();
        if self
            .menu
            .as_ref()
            .is_some_and(|m| m.kind == MenuKind::Launcher)
        {
            self.open_launcher();
        } else {
            self.menu = None;
        }
    }

    /// The installed apps as last set.
    pub fn apps(&self) -> &[AppEntry] {
        &self.apps
    }

    fn rebuild_icons(&mut self) {
        let mut icons = Vec::with_capacity(self.apps.len() + 2);
        let sys = |id: &str, label: &str, art: Image| DesktopIcon {
            id: id.to_string(),
            label: label.to_string(),
            kind: IconKind::System,
            art,
            rect: Rect::default(),
        };
        icons.push(sys(ALL_APPS_ID, "All apps", art::all_apps_icon()));
        icons.push(sys(NOTIFICATIONS_ID, "Notifications", art::bell_icon()));
        for app in &self.apps {
            icons.push(DesktopIcon {
                id: app.app_id.clone(),
                label: app.name.clone(),
                kind: IconKind::App,
                art: art::app_icon(&self.font, app.icon.as_ref(), &app.name, app.accent),
                rect: Rect::default(),
            });
        }
        self.desktop.set_icons(icons, self.width);
    }

    fn app(&self, app_id: &str) -> Option<&AppEntry> {
        self.apps.iter().find(|a| a.app_id == app_id)
    }

    /// What the title bar and taskbar show: the title, or the app's name while it is blank.
    fn display_title<'a>(&'a self, w: &'a windows::Window) -> &'a str {
        if !w.title.trim().is_empty() {
            return &w.title;
        }
        self.app(&w.owner.app_id)
            .map_or(&w.owner.app_id, |a| &a.name)
    }

    fn accent_of(&self, app_id: &str) -> u32 {
        self.app(app_id).map_or(SYSTEM_ACCENT, |a| a.accent)
    }

    // ---- windows --------------------------------------------------------------------------

    /// Opens a window with a content area of `content_w × content_h` (clamped to 1..=4096
    /// and the screen), at `saved` if that fits on screen, else cascaded. It is raised and
    /// focused. If its final size differs from the request a resize event is queued first.
    pub fn open_window(
        &mut self,
        owner: WindowOwner,
        title: &str,
        content_w: u32,
        content_h: u32,
        saved: Option<WindowState>,
        now_ms: u64,
    ) -> WindowId {
        self.tick(now_ms);
        let work = self.work_area();
        let from = self.cascade_origin();
        self.windows
            .open(owner, cut(title), (content_w, content_h), saved, work, from)
    }

    /// Where cascading starts: below the icon rows, so new windows do not hide the icons,
    /// unless the icons fill more than half the screen.
    fn cascade_origin(&self) -> (i32, i32) {
        let icons_bottom = self
            .desktop
            .icons
            .iter()
            .map(|i| i.rect.bottom())
            .max()
            .unwrap_or(0);
        let y = icons_bottom.saturating_add(CASCADE_Y / 2);
        if y < clamp_u32(self.work_area().h / 2) {
            (CASCADE_X, y)
        } else {
            (CASCADE_X, CASCADE_Y)
        }
    }

    /// Removes a window (its events and frame go with it). False for an unknown id.
    pub fn close_window(&mut self, id: WindowId) -> bool {
        if self.windows.close(id).is_none() {
            return false;
        }
        if self.drag.is_some_and(|d| d.window() == id) {
            self.drag = None;
        }
        true
    }

    pub fn set_title(&mut self, id: WindowId, title: &str) -> bool {
        let Some(w) = self.windows.get_mut(id) else {
            return false;
        };
        w.title = cut(title);
        true
    }

    /// Swaps in a finished frame for the window's content and returns the previous one for
    /// reuse. The first frame ends the splash. An unknown window hands the canvas back.
    pub fn present(&mut self, id: WindowId, frame: Canvas) -> Option<Canvas> {
        match self.windows.get_mut(id) {
            Some(w) => {
                w.splash = None;
                w.frame.replace(frame)
            }
            None => Some(frame),
        }
    }

    /// The window's content size (what the app should draw).
    pub fn content_size(&self, id: WindowId) -> Option<(u32, u32)> {
        self.windows.get(id).map(|w| (w.content_w, w.content_h))
    }

    /// Shows a failed overlay with the reason over the window (the app trapped or died).
    pub fn mark_failed(&mut self, id: WindowId, reason: &str) -> bool {
        let Some(w) = self.windows.get_mut(id) else {
            return false;
        };
        w.failed = Some(cut(reason));
        w.splash = None;
        true
    }

    /// The window's position and content size, for `window_state.json`.
    pub fn window_state(&self, id: WindowId) -> Option<WindowState> {
        self.windows.get(id).map(|w| w.state())
    }

    /// Which app instance owns the window.
    pub fn window_owner(&self, id: WindowId) -> Option<&WindowOwner> {
        self.windows.get(id).map(|w| &w.owner)
    }

    /// An app's windows, back to front (e.g. to close them when it is uninstalled).
    pub fn windows_of(&self, app_id: &str) -> Vec<WindowId> {
        self.windows
            .iter()
            .filter(|w| w.owner.app_id == app_id)
            .map(|w| w.id)
            .collect()
    }

    /// Windows back to front.
    pub fn window_ids(&self) -> Vec<WindowId> {
        self.windows.iter().map(|w| w.id).collect()
    }

    pub fn focused_window(&self) -> Option<WindowId> {
        self.windows.focused()
    }

    /// Raises, restores and focuses a window.
    pub fn focus_window(&mut self, id: WindowId) -> bool {
        self.windows.focus(id)
    }

    pub fn minimise_window(&mut self, id: WindowId) -> bool {
        self.windows.minimise(id)
    }

    /// The next event for the window's app, oldest first.
    pub fn pop_event(&mut self, id: WindowId) -> Option<WindowEvent> {
        self.windows.get_mut(id)?.events.pop()
    }

    pub fn has_events(&self, id: WindowId) -> bool {
        self.windows.get(id).is_some_and(|w| !w.events.is_empty())
    }

    /// Covers the window's content with a splash (accent colour, icon, name) until its
    /// first [`Shell::present`]. `icon: None` uses the installed app's icon art if known,
    /// else a circle with the name's first letter.
    pub fn show_splash(
        &mut self,
        id: WindowId,
        app_name: &str,
        icon: Option<&Image>,
        accent: u32,
    ) -> bool {
        let app_icon = self
            .windows
            .get(id)
            .and_then(|w| self.app(&w.owner.app_id))
            .and_then(|a| a.icon.as_ref());
        let art = art::splash_icon(&self.font, icon.or(app_icon), app_name, accent);
        let Some(w) = self.windows.get_mut(id) else {
            return false;
        };
        if w.frame.is_some() {
            return false;
        }
        w.splash = Some(Splash {
            app_name: cut(app_name),
            icon: art,
            accent,
        });
        true
    }

    /// Removes the splash without a frame (the platform's start-up timeout ran out); the
    /// window shows its empty content until a frame arrives. False if there was none.
    pub fn clear_splash(&mut self, id: WindowId) -> bool {
        self.windows
            .get_mut(id)
            .and_then(|w| w.splash.take())
            .is_some()
    }

    // ---- notifications --------------------------------------------------------------------

    /// Posts a notification: an unread entry in the panel, and a toast unless the panel is open.
    pub fn notify(
        &mut self,
        app_id: &str,
        app_name: &str,
        title: &str,
        body: &str,
        now_ms: u64,
    ) -> NotificationId {
        self.tick(now_ms);
        let id = self.notifications.add(
            app_id.to_string(),
            cut(app_name),
            cut(title),
            cut(body),
            now_ms,
        );
        if self.notifications.panel_open {
            // The open panel already shows it; a toast would cover the panel.
            self.notifications.dismiss_toast(id);
        }
        id
    }

    /// Unread notifications (the bell's badge).
    pub fn unread_count(&self) -> usize {
        self.notifications.unread()
    }

    /// Advances time: expires toasts.
    pub fn tick(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
        self.notifications.tick(now_ms);
    }

    /// Sets the taskbar clock's text (e.g. "14:05"), or removes the clock with `None`. The
    /// platform formats it from its time of day, which the shell does not have.
    pub fn set_clock(&mut self, text: Option<&str>) {
        self.clock = text.map(|t| t.chars().take(32).collect());
    }

    // ---- dialogs --------------------------------------------------------------------------

    /// Queues a modal dialog (shown when the ones before it are answered). With no buttons
    /// it gets an "OK". The answer comes as [`ShellRequest::DialogAnswer`].
    pub fn show_dialog(
        &mut self,
        title: &str,
        lines: Vec<String>,
        buttons: Vec<String>,
    ) -> DialogId {
        let id = DialogId(self.next_dialog);
        self.next_dialog = self.next_dialog.saturating_add(1);
        let mut buttons: Vec<String> = buttons.iter().map(|b| cut(b)).collect();
        if buttons.is_empty() {
            buttons.push("OK".to_string());
        }
        let lines = lines.iter().map(|l| cut(l)).collect();
        self.dialogs.push(Dialog {
            id,
            title: cut(title),
            lines,
            buttons,
        });
        self.menu = None;
        self.drag = None;
        id
    }

    /// Removes a dialog without an answer (e.g. the install was cancelled elsewhere).
    pub fn close_dialog(&mut self, id: DialogId) -> bool {
        let before = self.dialogs.len();
        self.dialogs.retain(|d| d.id != id);
        before != self.dialogs.len()
    }

    fn taskbar_layout(&self) -> taskbar::TaskbarLayout {
        let clock_w = self.clock.as_ref().map_or(0, |t| {
            self.font
                .measure_text(t, BODY_TEXT_SIZE)
                .saturating_add(2 * TASKBAR_GAP + 8)
        });
        taskbar::layout(
            self.width,
            self.height,
            self.windows.opening_order().len(),
            clock_w,
        )
    }

    fn panel_layout(&self) -> notifications::PanelLayout {
        notifications::panel_layout(
            self.notifications.panel_rows(),
            self.notifications.panel_scroll,
            self.work_area(),
        )
    }
}

/// Text cut to [`MAX_TEXT_CHARS`] characters.
fn cut(s: &str) -> String {
    match s.char_indices().nth(MAX_TEXT_CHARS) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

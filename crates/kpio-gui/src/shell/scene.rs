//! The scene: everything on screen as data (serde-serialisable), so tests and scripts can
//! check what the desktop shows and find where to click without hard-coded coordinates.
//! Built by [`super::Shell::scene`]; all rectangles are in screen pixels.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::Shell;
use super::desktop::IconKind;
use super::dialog::DialogId;
use super::geometry::Rect;
use super::menu::MenuKind;
use super::notifications::NotificationId;
use super::notifications::PanelRow;
use super::windows::WindowId;
use crate::canvas::TextRun;

#[derive(Clone, Debug, Serialize)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub focused: Option<WindowId>,
    /// Back to front.
    pub windows: Vec<SceneWindow>,
    pub icons: Vec<SceneIcon>,
    pub taskbar: SceneTaskbar,
    /// Newest (top) first.
    pub toasts: Vec<SceneToast>,
    pub panel: ScenePanel,
    pub menu: Option<SceneMenu>,
    /// The dialog shown (others wait behind it).
    pub dialog: Option<SceneDialog>,
    /// Dialogs waiting behind the shown one.
    pub dialogs_waiting: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneWindow {
    pub id: WindowId,
    pub app_id: String,
    pub instance: u64,
    pub title: String,
    /// Position in the stack: 0 is the bottom.
    pub z: usize,
    pub outer: Rect,
    pub content: Rect,
    pub title_bar: Rect,
    pub close_button: Rect,
    pub minimise_button: Rect,
    pub grip: Rect,
    pub focused: bool,
    pub minimised: bool,
    pub failed: bool,
    pub failed_reason: Option<String>,
    /// The splash is showing (no frame presented yet).
    pub splash: bool,
    /// Whether the app has presented a frame.
    pub has_frame: bool,
    /// Text the app drew in its last presented frame (content coordinates).
    pub text_runs: Vec<TextRun>,
}

impl SceneWindow {
    /// All the window's text joined with newlines.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, r) in self.text_runs.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(&r.text);
        }
        s
    }

    /// The screen centre of the first text run that reads exactly `text` (a button label,
    /// say), for scripts that click on what an app drew. `None` if no run matches or its
    /// centre is outside the visible content.
    pub fn text_center(&self, text: &str) -> Option<(i32, i32)> {
        let run = self.text_runs.iter().find(|r| r.text == text)?;
        // The line box is 1.2 × size high (see the font metrics).
        let line_h = i64::from(run.size) * 12 / 10;
        let cx = i64::from(run.x) + i64::from(run.width / 2);
        let cy = i64::from(run.y) + line_h / 2;
        let (cx, cy) = (i32::try_from(cx).ok()?, i32::try_from(cy).ok()?);
        let (sx, sy) = self.content_to_screen(cx, cy);
        self.content.contains(sx, sy).then_some((sx, sy))
    }

    /// A content point (as the app sees it) in screen coordinates.
    pub fn content_to_screen(&self, x: i32, y: i32) -> (i32, i32) {
        (
            self.content.x.saturating_add(x),
            self.content.y.saturating_add(y),
        )
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneIcon {
    pub app_id: String,
    pub label: String,
    pub kind: IconKind,
    pub rect: Rect,
    pub selected: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneTaskbar {
    pub rect: Rect,
    pub launcher_button: Rect,
    pub bell: Rect,
    /// The clock's text, if the platform set one.
    pub clock: Option<String>,
    /// The bell's badge (unread notifications).
    pub unread: usize,
    /// In opening order; only the entries that fit are listed.
    pub entries: Vec<SceneTaskbarEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneTaskbarEntry {
    pub window: WindowId,
    pub label: String,
    pub accent: u32,
    /// The window has focus.
    pub active: bool,
    pub minimised: bool,
    pub rect: Rect,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneToast {
    pub id: NotificationId,
    pub app_id: String,
    pub app_name: String,
    pub title: String,
    pub body: String,
    pub rect: Rect,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScenePanel {
    pub open: bool,
    /// Set when open.
    pub rect: Option<Rect>,
    pub mark_all_read_button: Option<Rect>,
    /// Every notification kept, grouped by app (group with the newest first), newest first.
    pub groups: Vec<SceneGroup>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneGroup {
    pub app_id: String,
    pub app_name: String,
    pub notifications: Vec<SceneNotification>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneNotification {
    pub id: NotificationId,
    pub title: String,
    pub body: String,
    pub time_ms: u64,
    pub read: bool,
    /// Where it is in the open panel, if visible.
    pub rect: Option<Rect>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneMenu {
    /// "context" or "launcher".
    pub kind: &'static str,
    pub rect: Rect,
    pub items: Vec<SceneMenuItem>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneMenuItem {
    pub label: String,
    /// `None` when scrolled out of view.
    pub rect: Option<Rect>,
    pub highlighted: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneDialog {
    pub id: DialogId,
    pub title: String,
    pub lines: Vec<String>,
    pub rect: Rect,
    pub buttons: Vec<SceneButton>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SceneButton {
    pub label: String,
    pub rect: Rect,
}

impl Scene {
    /// The scene as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn window(&self, id: WindowId) -> Option<&SceneWindow> {
        self.windows.iter().find(|w| w.id == id)
    }

    /// The topmost window of an app.
    pub fn window_of(&self, app_id: &str) -> Option<&SceneWindow> {
        self.windows.iter().rev().find(|w| w.app_id == app_id)
    }

    pub fn icon(&self, app_id: &str) -> Option<&SceneIcon> {
        self.icons.iter().find(|i| i.app_id == app_id)
    }

    /// Where to click an icon.
    pub fn icon_center(&self, app_id: &str) -> Option<(i32, i32)> {
        self.icon(app_id).map(|i| i.rect.center())
    }

    /// Where to click a menu item by label (if visible).
    pub fn menu_item_center(&self, label: &str) -> Option<(i32, i32)> {
        let item = self
            .menu
            .as_ref()?
            .items
            .iter()
            .find(|i| i.label == label)?;
        item.rect.map(|r| r.center())
    }

    /// Where to click a dialog button by label.
    pub fn dialog_button_center(&self, label: &str) -> Option<(i32, i32)> {
        let d = self.dialog.as_ref()?;
        d.buttons
            .iter()
            .find(|b| b.label == label)
            .map(|b| b.rect.center())
    }

    /// The taskbar entry of a window.
    pub fn taskbar_entry(&self, window: WindowId) -> Option<&SceneTaskbarEntry> {
        self.taskbar.entries.iter().find(|e| e.window == window)
    }

    pub fn toast(&self, id: NotificationId) -> Option<&SceneToast> {
        self.toasts.iter().find(|t| t.id == id)
    }
}

impl Shell {
    /// Describes what [`Shell::render`] would draw now.
    pub fn scene(&self) -> Scene {
        let focused = self.windows.focused();
        let windows = self
            .windows
            .iter()
            .enumerate()
            .map(|(z, w)| SceneWindow {
                id: w.id,
                app_id: w.owner.app_id.clone(),
                instance: w.owner.instance,
                title: w.title.clone(),
                z,
                outer: w.outer_rect(),
                content: w.content_rect(),
                title_bar: w.title_rect(),
                close_button: w.close_rect(),
                minimise_button: w.minimise_rect(),
                grip: w.grip_rect(),
                focused: focused == Some(w.id),
                minimised: w.minimised,
                failed: w.failed.is_some(),
                failed_reason: w.failed.clone(),
                splash: w.splash.is_some(),
                has_frame: w.frame.is_some(),
                text_runs: w
                    .frame
                    .as_ref()
                    .map(|f| f.text_runs().cloned().collect())
                    .unwrap_or_default(),
            })
            .collect();
        let icons = self
            .desktop
            .icons
            .iter()
            .map(|i| SceneIcon {
                app_id: i.id.clone(),
                label: i.label.clone(),
                kind: i.kind,
                rect: i.rect,
                selected: self.desktop.selected.as_deref() == Some(i.id.as_str()),
            })
            .collect();
        let tb = self.taskbar_layout();
        let entries = self
            .windows
            .opening_order()
            .iter()
            .zip(&tb.entries)
            .filter_map(|(id, rect)| {
                let w = self.windows.get(*id)?;
                Some(SceneTaskbarEntry {
                    window: *id,
                    label: self.display_title(w).into(),
                    accent: self.accent_of(&w.owner.app_id),
                    active: focused == Some(*id),
                    minimised: w.minimised,
                    rect: *rect,
                })
            })
            .collect();
        let taskbar = SceneTaskbar {
            rect: tb.bar,
            launcher_button: tb.launcher,
            bell: tb.bell,
            clock: self.clock.clone(),
            unread: self.notifications.unread(),
            entries,
        };
        let toasts = self
            .notifications
            .toast_rects(self.width)
            .into_iter()
            .filter_map(|(id, rect)| {
                let n = self.notifications.get(id)?;
                Some(SceneToast {
                    id,
                    app_id: n.app_id.clone(),
                    app_name: n.app_name.clone(),
                    title: n.title.clone(),
                    body: n.body.clone(),
                    rect,
                })
            })
            .collect();
        let menu = self.menu.as_ref().map(|m| {
            let visible: Vec<(usize, Rect)> = m.item_rects().collect();
            SceneMenu {
                kind: match m.kind {
                    MenuKind::Context => "context",
                    MenuKind::Launcher => "launcher",
                },
                rect: m.rect,
                items: m
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| SceneMenuItem {
                        label: item.label.clone(),
                        rect: visible.iter().find(|(j, _)| *j == i).map(|(_, r)| *r),
                        highlighted: m.highlighted == Some(i),
                    })
                    .collect(),
            }
        });
        let dialog = self.dialogs.first().map(|d| {
            let l = d.layout(self.width, self.height);
            SceneDialog {
                id: d.id,
                title: d.title.clone(),
                lines: d.lines.clone(),
                rect: l.rect,
                buttons: d
                    .buttons
                    .iter()
                    .zip(&l.buttons)
                    .map(|(label, rect)| SceneButton {
                        label: label.clone(),
                        rect: *rect,
                    })
                    .collect(),
            }
        });
        Scene {
            width: self.width,
            height: self.height,
            focused,
            windows,
            icons,
            taskbar,
            toasts,
            panel: self.scene_panel(),
            menu,
            dialog,
            dialogs_waiting: self.dialogs.len().saturating_sub(1),
        }
    }

    fn scene_panel(&self) -> ScenePanel {
        let open = self.notifications.panel_open;
        let layout = open.then(|| self.panel_layout());
        let mut groups: Vec<SceneGroup> = Vec::new();
        for row in self.notifications.panel_rows() {
            match row {
                PanelRow::Group { app_id, app_name } => groups.push(SceneGroup {
                    app_id,
                    app_name,
                    notifications: Vec::new(),
                }),
                PanelRow::Item(id) => {
                    let (Some(n), Some(g)) = (self.notifications.get(id), groups.last_mut()) else {
                        continue;
                    };
                    let rect = layout.as_ref().and_then(|l| {
                        l.rows
                            .iter()
                            .find(|(r, _)| *r == PanelRow::Item(id))
                            .map(|(_, r)| *r)
                    });
                    g.notifications.push(SceneNotification {
                        id,
                        title: n.title.clone(),
                        body: n.body.clone(),
                        time_ms: n.time_ms,
                        read: n.read,
                        rect,
                    });
                }
            }
        }
        ScenePanel {
            open,
            rect: layout.as_ref().map(|l| l.rect),
            mark_all_read_button: layout.as_ref().map(|l| l.mark_all_read),
            groups,
        }
    }
}

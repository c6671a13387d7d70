//! Input routing: which surface a click, key or wheel step goes to (top to bottom: dialog,
//! menu, toasts, panel, taskbar, windows, icons), drags (move, resize, content capture),
//! and what each hit does. See the [`super`] module doc for the rules.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::desktop::IconKind;
use super::events::EventKind;
use super::input::{InputEvent, Key, MouseButton};
use super::menu::{Menu, MenuAction, MenuItem, MenuKind};
use super::notifications::{NotificationId, PanelRow};
use super::windows::{WindowId, WindowPart};
use super::{ALL_APPS_ID, NOTIFICATIONS_ID, Shell, ShellRequest};

/// What an ongoing mouse drag does.
#[derive(Clone, Copy, Debug)]
pub(super) enum Drag {
    /// Moving a window by its title bar; the grab point's offset from the outer corner.
    Move { window: WindowId, dx: i32, dy: i32 },
    /// Resizing by the grip, from the size and pointer position at the press.
    Resize {
        window: WindowId,
        x0: i32,
        y0: i32,
        w0: u32,
        h0: u32,
    },
    /// A press in a window's content: mouse events go to it until the button is released.
    Content {
        window: WindowId,
        button: MouseButton,
    },
}

impl Drag {
    /// The window being dragged.
    pub(super) fn window(self) -> WindowId {
        match self {
            Drag::Move { window, .. }
            | Drag::Resize { window, .. }
            | Drag::Content { window, .. } => window,
        }
    }
}

impl Shell {
    /// Routes one input event (see the module doc) and returns what the platform must do.
    pub fn handle_input(&mut self, ev: InputEvent, now_ms: u64) -> Vec<ShellRequest> {
        self.tick(now_ms);
        let focus_before = self.windows.focused();
        let mut out = Vec::new();
        match ev {
            InputEvent::MouseMove { x, y } => self.mouse_move(x, y),
            InputEvent::MouseDown { x, y, button } => {
                self.pointer = (x, y);
                self.mouse_down(x, y, button, now_ms, &mut out);
            }
            InputEvent::MouseUp { x, y, button } => {
                self.pointer = (x, y);
                self.mouse_up(x, y, button, &mut out);
            }
            InputEvent::KeyDown { key } => self.key(key, true, &mut out),
            InputEvent::KeyUp { key } => self.key(key, false, &mut out),
            InputEvent::Scroll { dy } => self.scroll(dy),
        }
        let focus_after = self.windows.focused();
        if focus_after != focus_before {
            out.push(ShellRequest::FocusChanged {
                window: focus_after,
            });
        }
        out
    }

    fn mouse_move(&mut self, x: i32, y: i32) {
        self.pointer = (x, y);
        let work = self.work_area();
        match self.drag {
            Some(Drag::Move { window, dx, dy }) => {
                self.windows
                    .move_to(window, x.saturating_sub(dx), y.saturating_sub(dy), work);
            }
            Some(Drag::Resize {
                window,
                x0,
                y0,
                w0,
                h0,
            }) => {
                let w = add_delta(w0, x, x0);
                let h = add_delta(h0, y, y0);
                self.windows.resize(window, w, h);
            }
            Some(Drag::Content { window, .. }) => {
                if let Some(w) = self.windows.get_mut(window) {
                    let (cx, cy) = w.to_content(x, y);
                    w.queue(EventKind::MouseMove, 0, cx, cy);
                }
            }
            None => {
                if !self.dialogs.is_empty() {
                    return;
                }
                if let Some(m) = &mut self.menu {
                    if let Some(i) = m.item_at(x, y) {
                        m.highlighted = Some(i);
                    }
                    return;
                }
                if let Some(id) = self.content_under(x, y)
                    && let Some(w) = self.windows.get_mut(id)
                {
                    let (cx, cy) = w.to_content(x, y);
                    w.queue(EventKind::MouseMove, 0, cx, cy);
                }
            }
        }
    }

    /// The window whose content is under the point, if no shell surface covers it.
    fn content_under(&self, x: i32, y: i32) -> Option<WindowId> {
        if self.over_shell_surface(x, y) {
            return None;
        }
        match self.windows.hit(x, y) {
            Some((id, WindowPart::Content)) => Some(id),
            _ => None,
        }
    }

    /// Whether a toast, the panel or the taskbar covers the point.
    fn over_shell_surface(&self, x: i32, y: i32) -> bool {
        self.taskbar_layout().bar.contains(x, y)
            || self
                .notifications
                .toast_rects(self.width)
                .iter()
                .any(|(_, r)| r.contains(x, y))
            || (self.notifications.panel_open && self.panel_layout().rect.contains(x, y))
    }

    fn mouse_down(
        &mut self,
        x: i32,
        y: i32,
        button: MouseButton,
        now_ms: u64,
        out: &mut Vec<ShellRequest>,
    ) {
        // 1. A dialog is modal.
        if let Some(d) = self.dialogs.first() {
            if button == MouseButton::Left {
                let l = d.layout(self.width, self.height);
                if let Some(i) = l.buttons.iter().position(|r| r.contains(x, y)) {
                    self.answer_dialog(i, out);
                }
            }
            return;
        }
        // 2. An open menu takes the click; outside it the click only closes it.
        if let Some(m) = self.menu.take() {
            if let Some(i) = m.item_at(x, y)
                && button != MouseButton::Middle
            {
                let action = m.items[i].action.clone();
                self.run_action(action, out);
            } else if m.rect.contains(x, y) {
                self.menu = Some(m);
            }
            return;
        }
        // 3. Toasts.
        let toast = self
            .notifications
            .toast_rects(self.width)
            .into_iter()
            .find(|(_, r)| r.contains(x, y));
        if let Some((id, _)) = toast {
            self.open_notification(id);
            self.notifications.dismiss_toast(id);
            return;
        }
        // 4. The panel; a click outside closes it.
        if self.notifications.panel_open {
            let p = self.panel_layout();
            if p.rect.contains(x, y) {
                if p.mark_all_read.contains(x, y) {
                    self.notifications.mark_all_read();
                } else if let Some((PanelRow::Item(id), _)) =
                    p.rows.iter().find(|(_, r)| r.contains(x, y))
                {
                    let id = *id;
                    self.open_notification(id);
                }
            } else {
                self.notifications.panel_open = false;
            }
            return;
        }
        // 5. The taskbar.
        let tb = self.taskbar_layout();
        if tb.bar.contains(x, y) {
            self.drag = None;
            if button != MouseButton::Left {
                return;
            }
            if tb.launcher.contains(x, y) {
                self.open_launcher();
            } else if tb.bell.contains(x, y) {
                self.open_panel();
            } else if let Some(i) = tb.entries.iter().position(|r| r.contains(x, y)) {
                let id = self.windows.opening_order()[i];
                self.taskbar_toggle(id);
            }
            return;
        }
        // 6. Windows, top first.
        if let Some((id, part)) = self.windows.hit(x, y) {
            self.windows.focus(id);
            self.desktop.click_elsewhere();
            let left = button == MouseButton::Left;
            match part {
                WindowPart::Close if left => {
                    if let Some(w) = self.windows.get_mut(id) {
                        w.queue(EventKind::Close, 0, 0, 0);
                    }
                    out.push(ShellRequest::CloseRequested { window: id });
                }
                WindowPart::Minimise if left => {
                    self.windows.minimise(id);
                }
                WindowPart::TitleBar if left => {
                    if let Some(w) = self.windows.get(id) {
                        self.drag = Some(Drag::Move {
                            window: id,
                            dx: x.saturating_sub(w.x),
                            dy: y.saturating_sub(w.y),
                        });
                    }
                }
                WindowPart::Grip if left => {
                    if let Some(w) = self.windows.get(id) {
                        let (w0, h0) = (w.content_w, w.content_h);
                        self.drag = Some(Drag::Resize {
                            window: id,
                            x0: x,
                            y0: y,
                            w0,
                            h0,
                        });
                    }
                }
                WindowPart::Content => {
                    if let Some(w) = self.windows.get_mut(id) {
                        let (cx, cy) = w.to_content(x, y);
                        w.queue(EventKind::MouseDown, button.code(), cx, cy);
                    }
                    self.drag = Some(Drag::Content { window: id, button });
                }
                _ => {}
            }
            return;
        }
        // 7. Desktop icons, or the bare desktop: the desktop takes the keyboard (Enter opens
        // the selected icon), so no window keeps focus.
        self.windows.unfocus();
        let hit = self.desktop.icon_at(x, y).map(|i| (i.id.clone(), i.kind));
        match (hit, button) {
            (Some((id, _)), MouseButton::Left) => {
                if self.desktop.click(&id, now_ms) {
                    self.activate_icon(&id, out);
                }
            }
            (Some((id, kind)), MouseButton::Right) => {
                // Selects the icon; a following left click starts a new double click.
                self.desktop.click_elsewhere();
                self.desktop.selected = Some(id.clone());
                let mut items = alloc::vec![MenuItem {
                    label: "Open".to_string(),
                    action: icon_action(&id)
                }];
                if kind == IconKind::App {
                    items.push(MenuItem {
                        label: "Uninstall".to_string(),
                        action: MenuAction::Uninstall(id),
                    });
                }
                let area = self.work_area();
                self.menu = Some(Menu::new(MenuKind::Context, items, x, y, false, area));
            }
            _ => self.desktop.click_elsewhere(),
        }
    }

    fn mouse_up(&mut self, x: i32, y: i32, button: MouseButton, out: &mut Vec<ShellRequest>) {
        match self.drag {
            Some(Drag::Move { window, .. }) | Some(Drag::Resize { window, .. }) => {
                self.drag = None;
                if self.windows.get(window).is_some() {
                    out.push(ShellRequest::WindowStateChanged { window });
                }
            }
            Some(Drag::Content {
                window,
                button: held,
            }) => {
                if held == button {
                    self.drag = None;
                }
                if let Some(w) = self.windows.get_mut(window) {
                    let (cx, cy) = w.to_content(x, y);
                    w.queue(EventKind::MouseUp, button.code(), cx, cy);
                }
            }
            None => {}
        }
    }

    fn key(&mut self, key: Key, down: bool, out: &mut Vec<ShellRequest>) {
        if let Some(d) = self.dialogs.first() {
            let last = d.buttons.len().saturating_sub(1);
            match key {
                Key::Enter if down => self.answer_dialog(0, out),
                Key::Escape if down => self.answer_dialog(last, out),
                _ => {}
            }
            return;
        }
        if let Some(m) = &mut self.menu {
            if down {
                match key {
                    Key::Escape => self.menu = None,
                    Key::Up => m.move_highlight(false),
                    Key::Down => m.move_highlight(true),
                    Key::Enter => {
                        let action = m
                            .highlighted
                            .and_then(|i| m.items.get(i))
                            .map(|i| i.action.clone());
                        self.menu = None;
                        if let Some(a) = action {
                            self.run_action(a, out);
                        }
                    }
                    _ => {}
                }
            }
            return;
        }
        if self.notifications.panel_open && key == Key::Escape {
            if down {
                self.notifications.panel_open = false;
            }
            return;
        }
        if let Some(id) = self.windows.focused() {
            if let Some(w) = self.windows.get_mut(id) {
                let kind = if down {
                    EventKind::KeyDown
                } else {
                    EventKind::KeyUp
                };
                w.queue(kind, key.code(), 0, 0);
            }
            return;
        }
        // No window has focus: Enter opens the selected icon.
        if down
            && key == Key::Enter
            && let Some(sel) = self.desktop.selected.clone()
        {
            self.activate_icon(&sel, out);
        }
    }

    fn scroll(&mut self, dy: i32) {
        let rows = dy.signum();
        let (x, y) = self.pointer;
        if let Some(m) = &mut self.menu {
            if m.rect.contains(x, y) {
                m.scroll_by(rows);
            }
            return;
        }
        if self.notifications.panel_open && self.panel_layout().rect.contains(x, y) {
            let max = self.notifications.panel_rows().len().saturating_sub(1) as u32;
            let s = i64::from(self.notifications.panel_scroll) + i64::from(rows);
            self.notifications.panel_scroll = s.clamp(0, i64::from(max)) as u32;
        }
    }

    fn answer_dialog(&mut self, button_index: usize, out: &mut Vec<ShellRequest>) {
        if self.dialogs.is_empty() {
            return;
        }
        let d = self.dialogs.remove(0);
        let button_index = button_index.min(d.buttons.len().saturating_sub(1));
        out.push(ShellRequest::DialogAnswer {
            dialog: d.id,
            button_index,
        });
    }

    fn run_action(&mut self, action: MenuAction, out: &mut Vec<ShellRequest>) {
        match action {
            MenuAction::Launch(app_id) => out.push(ShellRequest::Launch { app_id }),
            MenuAction::Uninstall(app_id) => out.push(ShellRequest::Uninstall { app_id }),
            MenuAction::OpenLauncher => self.open_launcher(),
            MenuAction::OpenPanel => self.open_panel(),
            MenuAction::Nothing => {}
        }
    }

    fn activate_icon(&mut self, id: &str, out: &mut Vec<ShellRequest>) {
        self.run_action(icon_action(id), out);
    }

    pub(super) fn open_launcher(&mut self) {
        let mut items: Vec<MenuItem> = self
            .apps
            .iter()
            .map(|a| MenuItem {
                label: a.name.clone(),
                action: MenuAction::Launch(a.app_id.clone()),
            })
            .collect();
        if items.is_empty() {
            items.push(MenuItem {
                label: "No apps installed".to_string(),
                action: MenuAction::Nothing,
            });
        }
        let tb = self.taskbar_layout();
        let area = self.work_area();
        self.notifications.panel_open = false;
        self.menu = Some(Menu::new(
            MenuKind::Launcher,
            items,
            tb.launcher.x,
            tb.bar.y,
            true,
            area,
        ));
    }

    fn open_panel(&mut self) {
        self.menu = None;
        self.notifications.panel_open = true;
        self.notifications.panel_scroll = 0;
        // The panel lists every notification; toasts would only cover its header.
        self.notifications.clear_toasts();
    }

    /// Opens a notification: marks it read and focuses its app's topmost window, if any.
    fn open_notification(&mut self, id: NotificationId) {
        self.notifications.mark_read(id);
        let Some(app) = self.notifications.get(id).map(|n| n.app_id.clone()) else {
            return;
        };
        let win = self
            .windows
            .iter()
            .rev()
            .find(|w| w.owner.app_id == app)
            .map(|w| w.id);
        if let Some(w) = win {
            self.windows.focus(w);
        }
    }

    /// A taskbar entry: restore if minimised, minimise if focused, else focus.
    fn taskbar_toggle(&mut self, id: WindowId) {
        let Some(w) = self.windows.get(id) else {
            return;
        };
        if !w.minimised && self.windows.focused() == Some(id) {
            self.windows.minimise(id);
        } else {
            self.windows.focus(id);
        }
    }
}

/// What opening an icon does.
fn icon_action(id: &str) -> MenuAction {
    match id {
        ALL_APPS_ID => MenuAction::OpenLauncher,
        NOTIFICATIONS_ID => MenuAction::OpenPanel,
        app => MenuAction::Launch(app.to_string()),
    }
}

/// `base + (to - from)`, saturating into `u32`.
fn add_delta(base: u32, to: i32, from: i32) -> u32 {
    let v = i64::from(base) + i64::from(to) - i64::from(from);
    v.clamp(0, i64::from(u32::MAX)) as u32
}

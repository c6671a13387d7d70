//! Notifications: the list the panel shows (grouped by app, newest first, read/unread) and
//! the toasts at the top right.
//!
//! Toast policy: at most [`MAX_TOASTS`] at once, newest on top; a new notification pushes
//! the oldest toast out (it stays in the panel, unread). Each toast disappears
//! [`TOAST_MS`] after it was shown; opening the panel clears them. The shell keeps the newest [`MAX_NOTIFICATIONS`].

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::geometry::{Rect, clamp_u32};
use super::theme::*;

/// A notification's handle (never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct NotificationId(pub u32);

#[derive(Clone, Debug)]
pub struct Notification {
    pub id: NotificationId,
    pub app_id: String,
    pub app_name: String,
    pub title: String,
    pub body: String,
    pub time_ms: u64,
    pub read: bool,
}

/// A toast on screen.
#[derive(Clone, Copy, Debug)]
pub struct Toast {
    pub id: NotificationId,
    pub shown_ms: u64,
}

/// All notifications, the toasts, and the panel's state.
#[derive(Debug)]
pub struct Notifications {
    /// Oldest first.
    list: Vec<Notification>,
    /// Oldest first; drawn newest on top.
    toasts: Vec<Toast>,
    next_id: u32,
    pub panel_open: bool,
    /// Rows scrolled off the top of the panel.
    pub panel_scroll: u32,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            toasts: Vec::new(),
            next_id: 1,
            panel_open: false,
            panel_scroll: 0,
        }
    }
}

/// One row of the panel: a group header or a notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PanelRow {
    Group { app_id: String, app_name: String },
    Item(NotificationId),
}

impl Notifications {
    pub fn add(
        &mut self,
        app_id: String,
        app_name: String,
        title: String,
        body: String,
        now_ms: u64,
    ) -> NotificationId {
        let id = NotificationId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        self.list.push(Notification {
            id,
            app_id,
            app_name,
            title,
            body,
            time_ms: now_ms,
            read: false,
        });
        if self.list.len() > MAX_NOTIFICATIONS {
            let gone = self.list.remove(0).id;
            self.toasts.retain(|t| t.id != gone);
        }
        self.toasts.push(Toast {
            id,
            shown_ms: now_ms,
        });
        if self.toasts.len() > MAX_TOASTS {
            self.toasts.remove(0);
        }
        id
    }

    /// Drops toasts shown [`TOAST_MS`] or more before `now_ms`.
    pub fn tick(&mut self, now_ms: u64) {
        self.toasts
            .retain(|t| now_ms < t.shown_ms.saturating_add(TOAST_MS));
    }

    pub fn get(&self, id: NotificationId) -> Option<&Notification> {
        self.list.iter().find(|n| n.id == id)
    }

    /// Oldest first.
    pub fn all(&self) -> &[Notification] {
        &self.list
    }

    pub fn unread(&self) -> usize {
        self.list.iter().filter(|n| !n.read).count()
    }

    pub fn mark_read(&mut self, id: NotificationId) {
        if let Some(n) = self.list.iter_mut().find(|n| n.id == id) {
            n.read = true;
        }
    }

    pub fn mark_all_read(&mut self) {
        for n in &mut self.list {
            n.read = true;
        }
    }

    /// Removes every toast (the panel opened: it shows them all, and toasts would cover it).
    pub fn clear_toasts(&mut self) {
        self.toasts.clear();
    }

    pub fn dismiss_toast(&mut self, id: NotificationId) {
        self.toasts.retain(|t| t.id != id);
    }

    /// Toasts newest first with their rectangles on a screen `width` wide.
    pub fn toast_rects(&self, width: u32) -> Vec<(NotificationId, Rect)> {
        let w = TOAST_W.min(width);
        let x = clamp_u32(width.saturating_sub(w + TOAST_MARGIN));
        self.toasts
            .iter()
            .rev()
            .enumerate()
            .map(|(i, t)| {
                let y = TOAST_MARGIN + i as u32 * (TOAST_H + TOAST_GAP);
                (t.id, Rect::new(x, y as i32, w, TOAST_H))
            })
            .collect()
    }

    /// The panel's rows: groups ordered by their newest notification (newest group first),
    /// each group's notifications newest first.
    pub fn panel_rows(&self) -> Vec<PanelRow> {
        let mut groups: Vec<(&str, &str, Vec<NotificationId>)> = Vec::new();
        for n in self.list.iter().rev() {
            match groups.iter_mut().find(|g| g.0 == n.app_id) {
                Some(g) => g.2.push(n.id),
                None => groups.push((&n.app_id, &n.app_name, alloc::vec![n.id])),
            }
        }
        let mut rows = Vec::new();
        for (app_id, app_name, ids) in groups {
            rows.push(PanelRow::Group {
                app_id: app_id.into(),
                app_name: app_name.into(),
            });
            rows.extend(ids.into_iter().map(PanelRow::Item));
        }
        rows
    }
}

/// Where the panel's parts are.
#[derive(Clone, Debug)]
pub struct PanelLayout {
    pub rect: Rect,
    pub mark_all_read: Rect,
    /// Visible rows with their rectangles.
    pub rows: Vec<(PanelRow, Rect)>,
}

/// Lays the panel out at the right of the work area, scrolled by `scroll` rows.
pub fn panel_layout(rows: Vec<PanelRow>, scroll: u32, work: Rect) -> PanelLayout {
    let w = PANEL_W.min(work.w);
    let rect = Rect::new(work.right() - clamp_u32(w), work.y, w, work.h);
    let bw = PANEL_BUTTON_W.min(w);
    let mark_all_read = Rect::new(
        rect.right() - clamp_u32(bw + 8).min(clamp_u32(w)),
        rect.y + ((PANEL_HEADER_H - PANEL_BUTTON_H) / 2) as i32,
        bw,
        PANEL_BUTTON_H,
    );
    let mut y = rect.y + PANEL_HEADER_H as i32;
    let mut out = Vec::new();
    for row in rows.into_iter().skip(scroll as usize) {
        let h = match row {
            PanelRow::Group { .. } => PANEL_GROUP_H,
            PanelRow::Item(_) => PANEL_ITEM_H,
        };
        if y.saturating_add(h as i32) > rect.bottom() {
            break;
        }
        out.push((row, Rect::new(rect.x, y, w, h)));
        y += h as i32;
    }
    PanelLayout {
        rect,
        mark_all_read,
        rows: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn add(n: &mut Notifications, app: &str, t: u64) -> NotificationId {
        n.add(
            app.to_string(),
            app.to_uppercase(),
            "t".to_string(),
            "b".to_string(),
            t,
        )
    }

    #[test]
    fn four_toasts_push_the_oldest_out_and_expire() {
        let mut n = Notifications::default();
        let a = add(&mut n, "a", 0);
        let b = add(&mut n, "a", 10);
        let c = add(&mut n, "b", 20);
        let d = add(&mut n, "a", 30);
        let ids: Vec<_> = n.toast_rects(1024).into_iter().map(|t| t.0).collect();
        assert_eq!(ids, [d, c, b]);
        assert!(n.get(a).is_some());
        assert_eq!(n.unread(), 4);
        n.tick(5_009);
        assert_eq!(n.toast_rects(1024).len(), 3);
        n.tick(5_010);
        assert_eq!(n.toast_rects(1024).len(), 2);
        n.tick(5_030);
        assert!(n.toast_rects(1024).is_empty());
    }

    #[test]
    fn panel_groups_by_app_newest_first() {
        let mut n = Notifications::default();
        let a1 = add(&mut n, "a", 0);
        let b1 = add(&mut n, "b", 1);
        let a2 = add(&mut n, "a", 2);
        let rows = n.panel_rows();
        assert_eq!(
            rows,
            [
                PanelRow::Group {
                    app_id: "a".into(),
                    app_name: "A".into()
                },
                PanelRow::Item(a2),
                PanelRow::Item(a1),
                PanelRow::Group {
                    app_id: "b".into(),
                    app_name: "B".into()
                },
                PanelRow::Item(b1),
            ]
        );
        n.mark_all_read();
        assert_eq!(n.unread(), 0);
    }

    #[test]
    fn keeps_a_bounded_history() {
        let mut n = Notifications::default();
        for i in 0..(MAX_NOTIFICATIONS as u64 + 10) {
            add(&mut n, "a", i);
        }
        assert_eq!(n.all().len(), MAX_NOTIFICATIONS);
        assert_eq!(n.toast_rects(100).len(), MAX_TOASTS);
    }
}

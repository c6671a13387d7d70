//! Popup menus: an icon's context menu (Open, Uninstall) and the all-apps launcher. A menu
//! is a list of labelled actions anchored at a point and kept on screen; it scrolls when it
//! has more items than fit.

use alloc::string::String;
use alloc::vec::Vec;

use super::geometry::{Rect, clamp_u32};
use super::theme::*;

/// What choosing an item does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MenuAction {
    Launch(String),
    Uninstall(String),
    OpenLauncher,
    OpenPanel,
    /// A placeholder row ("No apps installed").
    Nothing,
}

/// Which menu this is (for the scene).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuKind {
    Context,
    Launcher,
}

#[derive(Clone, Debug)]
pub struct MenuItem {
    pub label: String,
    pub action: MenuAction,
}

/// An open popup menu.
#[derive(Clone, Debug)]
pub struct Menu {
    pub kind: MenuKind,
    pub items: Vec<MenuItem>,
    /// The whole menu on screen.
    pub rect: Rect,
    /// Index of the first visible item.
    pub scroll: usize,
    /// Item under the keyboard cursor.
    pub highlighted: Option<usize>,
}

impl Menu {
    /// A menu whose top-left is at the anchor if it fits, else moved to stay in `area`.
    /// `above` anchors the bottom-left instead (the launcher sits above the taskbar).
    pub fn new(
        kind: MenuKind,
        items: Vec<MenuItem>,
        ax: i32,
        ay: i32,
        above: bool,
        area: Rect,
    ) -> Self {
        let per_item = MENU_ITEM_HEIGHT;
        let fit = (area.h.saturating_sub(2 * MENU_PADDING) / per_item).max(1) as usize;
        let shown = items.len().clamp(1, fit) as u32;
        let w = MENU_WIDTH.min(area.w.max(1));
        let h = shown * per_item + 2 * MENU_PADDING;
        let y = if above {
            ay.saturating_sub(clamp_u32(h))
        } else {
            ay
        };
        let x = ax
            .min(area.right().saturating_sub(clamp_u32(w)))
            .max(area.x);
        let y = y
            .min(area.bottom().saturating_sub(clamp_u32(h)))
            .max(area.y);
        Self {
            kind,
            items,
            rect: Rect::new(x, y, w, h),
            scroll: 0,
            highlighted: None,
        }
    }

    /// How many items fit in the menu at once.
    pub fn visible_count(&self) -> usize {
        (self.rect.h.saturating_sub(2 * MENU_PADDING) / MENU_ITEM_HEIGHT) as usize
    }

    /// Visible items with their rectangles.
    pub fn item_rects(&self) -> impl Iterator<Item = (usize, Rect)> + '_ {
        let n = self.visible_count();
        (self.scroll..self.items.len())
            .take(n)
            .enumerate()
            .map(move |(row, i)| {
                let y = self.rect.y + (MENU_PADDING + row as u32 * MENU_ITEM_HEIGHT) as i32;
                (i, Rect::new(self.rect.x, y, self.rect.w, MENU_ITEM_HEIGHT))
            })
    }

    /// The item at a point.
    pub fn item_at(&self, x: i32, y: i32) -> Option<usize> {
        self.item_rects()
            .find(|(_, r)| r.contains(x, y))
            .map(|(i, _)| i)
    }

    /// Scrolls by `rows` (positive = down), staying within the list.
    pub fn scroll_by(&mut self, rows: i32) {
        let max = self.items.len().saturating_sub(self.visible_count());
        let s = (self.scroll as i64 + i64::from(rows)).clamp(0, max as i64);
        self.scroll = s as usize;
    }

    /// Moves the keyboard highlight (wrapping) and scrolls it into view.
    pub fn move_highlight(&mut self, down: bool) {
        let n = self.items.len();
        if n == 0 {
            return;
        }
        let next = match (self.highlighted, down) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        };
        self.highlighted = Some(next);
        let vis = self.visible_count().max(1);
        if next < self.scroll {
            self.scroll = next;
        } else if next >= self.scroll + vis {
            self.scroll = next + 1 - vis;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    fn items(n: usize) -> Vec<MenuItem> {
        (0..n)
            .map(|i| MenuItem {
                label: format!("{i}"),
                action: MenuAction::Launch(format!("{i}")),
            })
            .collect()
    }

    #[test]
    fn stays_on_screen_and_scrolls() {
        let area = Rect::new(0, 0, 300, 200);
        let mut m = Menu::new(MenuKind::Launcher, items(50), 290, 190, false, area);
        assert!(area.contains_rect(&m.rect));
        let vis = m.visible_count();
        assert!(vis < 50 && vis > 0);
        m.scroll_by(1000);
        assert_eq!(m.scroll, 50 - vis);
        let (i, r) = m.item_rects().last().unwrap();
        assert_eq!(i, 49);
        assert_eq!(m.item_at(r.x + 1, r.y + 1), Some(49));
        m.move_highlight(true);
        assert_eq!((m.highlighted, m.scroll), (Some(0), 0));
        m.move_highlight(false);
        assert_eq!(m.highlighted, Some(49));
        assert_eq!(m.scroll, 50 - vis);
    }

    #[test]
    fn empty_and_zero_area_do_not_panic() {
        let m = Menu::new(MenuKind::Launcher, Vec::new(), 0, 0, true, Rect::default());
        assert_eq!(m.item_rects().count(), 0);
        assert_eq!(m.item_at(0, 0), None);
    }
}

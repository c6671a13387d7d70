//! Desktop icons: the system icons (All apps, Notifications) then one per installed app, in
//! a grid of cells left to right, top to bottom; selection and double-click detection.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Serialize;

use super::geometry::Rect;
use super::theme::*;
use crate::image::Image;

/// Id of the "All apps" system icon (opens the launcher menu).
pub const ALL_APPS_ID: &str = "system:all-apps";
/// Id of the "Notifications" system icon (opens the notification panel).
pub const NOTIFICATIONS_ID: &str = "system:notifications";

/// An installed app as the desktop shows it.
#[derive(Clone, Debug)]
pub struct AppEntry {
    pub app_id: String,
    pub name: String,
    /// The decoded PNG icon, any size (scaled to 32×32); `None` draws a coloured circle
    /// with the name's first letter.
    pub icon: Option<Image>,
    /// Accent colour (`0xAARRGGBB`) for the taskbar and the fallback icon.
    pub accent: u32,
}

impl AppEntry {
    /// An installed app's entry from what its package gave: its icon's PNG bytes (empty
    /// for none; a PNG that does not decode also gets the fallback icon) and an accent
    /// picked from the app id, so it is the same on every desktop.
    pub fn new(app_id: String, name: String, icon_png: &[u8]) -> AppEntry {
        AppEntry {
            icon: if icon_png.is_empty() {
                None
            } else {
                crate::decode_png(icon_png).ok()
            },
            accent: crate::theme::pick(&app_id),
            app_id,
            name,
        }
    }
}

/// System icon or installed app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IconKind {
    System,
    App,
}

/// One icon on the desktop.
#[derive(Clone, Debug)]
pub struct DesktopIcon {
    /// The app id, or [`ALL_APPS_ID`] / [`NOTIFICATIONS_ID`].
    pub id: String,
    pub label: String,
    pub kind: IconKind,
    /// Icon art, [`ICON_SIZE`] square.
    pub art: Image,
    /// The whole cell (art and label); clicks anywhere in it hit the icon.
    pub rect: Rect,
}

impl DesktopIcon {
    /// Where the art is drawn, centred at the top of the cell.
    pub fn art_rect(&self) -> Rect {
        Rect::new(
            self.rect.x + ((self.rect.w - ICON_SIZE.min(self.rect.w)) / 2) as i32,
            self.rect.y + ICON_TOP as i32,
            ICON_SIZE,
            ICON_SIZE,
        )
    }

    /// Where the label's line box starts (its text is centred in the cell's width).
    pub fn label_y(&self) -> i32 {
        self.rect.y + (ICON_TOP + ICON_SIZE + 8) as i32
    }
}

/// The top-left of grid cell `index` on a screen `width` wide.
pub fn cell_rect(index: usize, width: u32) -> Rect {
    let cols = (width.saturating_sub(2 * ICON_MARGIN) / ICON_CELL_W).max(1) as usize;
    let (row, col) = (index / cols, index % cols);
    let x = (ICON_MARGIN as usize).saturating_add(col.saturating_mul(ICON_CELL_W as usize));
    let y = (ICON_MARGIN as usize).saturating_add(row.saturating_mul(ICON_CELL_H as usize));
    Rect::new(
        i32::try_from(x).unwrap_or(i32::MAX),
        i32::try_from(y).unwrap_or(i32::MAX),
        ICON_CELL_W,
        ICON_CELL_H,
    )
}

/// The desktop's icons and its click state.
#[derive(Debug, Default)]
pub struct Desktop {
    pub icons: Vec<DesktopIcon>,
    pub selected: Option<String>,
    /// The last left click on an icon: its id and when, for double-click detection.
    last_click: Option<(String, u64)>,
}

impl Desktop {
    /// Rebuilds the icons: `system` first, then the apps, laid out for `width`.
    pub fn set_icons(&mut self, mut icons: Vec<DesktopIcon>, width: u32) {
        for (i, icon) in icons.iter_mut().enumerate() {
            icon.rect = cell_rect(i, width);
        }
        if let Some(sel) = &self.selected
            && !icons.iter().any(|i| &i.id == sel)
        {
            self.selected = None;
        }
        self.icons = icons;
        self.last_click = None;
    }

    /// Lays the icons out again for a new screen width.
    pub fn relayout(&mut self, width: u32) {
        for (i, icon) in self.icons.iter_mut().enumerate() {
            icon.rect = cell_rect(i, width);
        }
    }

    /// The icon at a point.
    pub fn icon_at(&self, x: i32, y: i32) -> Option<&DesktopIcon> {
        self.icons.iter().find(|i| i.rect.contains(x, y))
    }

    /// Records a left click on an icon; returns true when it completes a double click
    /// (the same icon clicked within [`DOUBLE_CLICK_MS`]).
    pub fn click(&mut self, id: &str, now_ms: u64) -> bool {
        self.selected = Some(id.to_string());
        if let Some((last, t)) = &self.last_click
            && last == id
            && now_ms.saturating_sub(*t) <= DOUBLE_CLICK_MS
            && now_ms >= *t
        {
            self.last_click = None;
            return true;
        }
        self.last_click = Some((id.to_string(), now_ms));
        false
    }

    /// A click elsewhere: no selection, and the next icon click starts afresh.
    pub fn click_elsewhere(&mut self) {
        self.selected = None;
        self.last_click = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_runs_left_to_right_then_down() {
        let w = 2 * ICON_MARGIN + 3 * ICON_CELL_W + 10;
        assert_eq!(cell_rect(0, w), Rect::new(8, 8, ICON_CELL_W, ICON_CELL_H));
        assert_eq!(cell_rect(2, w).y, 8);
        assert_eq!(
            cell_rect(3, w),
            Rect::new(8, 8 + ICON_CELL_H as i32, ICON_CELL_W, ICON_CELL_H)
        );
        // A screen narrower than one cell still has one column.
        assert_eq!(cell_rect(1, 0).x, 8);
        let far = cell_rect(usize::MAX, 0);
        assert_eq!(far.y, i32::MAX);
    }

    #[test]
    fn double_click_needs_same_icon_within_the_window() {
        let mut d = Desktop::default();
        assert!(!d.click("a", 1000));
        assert!(d.click("a", 1400));
        assert!(!d.click("a", 2000));
        assert!(!d.click("a", 2401));
        assert!(!d.click("b", 2500));
        assert!(!d.click("a", 2600));
        // Time going backwards is not a double click.
        assert!(!d.click("a", 100));
    }
}

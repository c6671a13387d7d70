//! Taskbar layout along the bottom of the screen: the all-apps button at the left, one entry
//! per open window in opening order, the optional clock and the notification bell at the
//! right. Entries shrink to
//! share the space; entries that no longer fit at the minimum width are not shown.

use alloc::vec::Vec;

use super::geometry::{Rect, clamp_u32};
use super::theme::*;

/// Where the taskbar's parts are for a screen of the given size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskbarLayout {
    pub bar: Rect,
    pub launcher: Rect,
    pub bell: Rect,
    /// The clock text's box, left of the bell (zero width without a clock).
    pub clock: Rect,
    /// One rectangle per shown entry, in order.
    pub entries: Vec<Rect>,
}

/// Lays the taskbar out for `n` entries and a clock `clock_w` pixels wide (0: none).
pub fn layout(width: u32, height: u32, n: usize, clock_w: u32) -> TaskbarLayout {
    let bar_h = TASKBAR_HEIGHT.min(height);
    let bar = Rect::new(0, clamp_u32(height - bar_h), width, bar_h);
    let inner_h = bar_h.saturating_sub(2 * TASKBAR_GAP);
    let y = bar.y + TASKBAR_GAP as i32;
    let launcher = Rect::new(
        TASKBAR_GAP as i32,
        y,
        LAUNCHER_BUTTON_WIDTH.min(width),
        inner_h,
    );
    let bell_x = clamp_u32(width.saturating_sub(BELL_WIDTH + TASKBAR_GAP));
    let bell = Rect::new(bell_x, y, BELL_WIDTH.min(width), inner_h);
    let clock_w = clock_w.min(width / 4);
    let clock = Rect::new(
        bell.x.saturating_sub(clamp_u32(clock_w)),
        y,
        clock_w,
        inner_h,
    );
    let start = launcher.right() + TASKBAR_GAP as i32;
    let avail = u32::try_from(clock.x - TASKBAR_GAP as i32 - start).unwrap_or(0);
    let mut entries = Vec::new();
    if n > 0 {
        let per = (avail / n as u32).saturating_sub(TASKBAR_GAP);
        let w = per.min(TASKBAR_ENTRY_WIDTH);
        let (w, shown) = if w >= TASKBAR_ENTRY_MIN_WIDTH {
            (w, n)
        } else {
            let slot = TASKBAR_ENTRY_MIN_WIDTH + TASKBAR_GAP;
            (TASKBAR_ENTRY_MIN_WIDTH, (avail / slot) as usize)
        };
        for i in 0..shown.min(n) {
            let x = start + (i as u32 * (w + TASKBAR_GAP)) as i32;
            entries.push(Rect::new(x, y, w, inner_h));
        }
    }
    TaskbarLayout {
        bar,
        launcher,
        bell,
        clock,
        entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_sit_between_launcher_and_bell() {
        let l = layout(1024, 768, 3, 0);
        assert_eq!(l.bar, Rect::new(0, 728, 1024, 40));
        assert_eq!(l.entries.len(), 3);
        assert!(l.entries[0].x >= l.launcher.right());
        assert!(l.entries[2].right() <= l.bell.x);
        assert_eq!(l.entries[0].w, TASKBAR_ENTRY_WIDTH);
        let c = layout(1024, 768, 100, 60);
        assert_eq!(c.clock.right(), c.bell.x);
        assert!(c.entries.last().unwrap().right() <= c.clock.x);
    }

    #[test]
    fn many_entries_shrink_then_stop_fitting() {
        let l = layout(1024, 768, 100, 0);
        assert!(!l.entries.is_empty() && l.entries.len() < 100);
        assert!(l.entries.last().unwrap().right() <= l.bell.x);
        let z = layout(0, 0, 5, 80);
        assert!(z.entries.is_empty());
    }
}

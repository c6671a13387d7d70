//! The window manager: app windows in z-order (back to front), focus, placement, frame
//! geometry (title bar, buttons, grip) and hit testing, moving and resizing, minimising, and
//! each window's presented frame and event queue.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::events::{EventKind, EventQueue, WindowEvent};
use super::geometry::{Rect, clamp_u32};
use super::splash::Splash;
use super::theme::*;
use super::window_state::WindowState;
use crate::canvas::Canvas;

/// A window's handle, unique for the shell's lifetime (never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct WindowId(pub u32);

/// Which app instance a window belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct WindowOwner {
    pub app_id: String,
    pub instance: u64,
}

/// The part of a window a point falls on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowPart {
    Close,
    Minimise,
    TitleBar,
    Grip,
    Content,
    Border,
}

/// One app window.
#[derive(Debug)]
pub struct Window {
    pub id: WindowId,
    pub owner: WindowOwner,
    pub title: String,
    /// Outer frame's top-left corner.
    pub x: i32,
    pub y: i32,
    /// Content size (what the app draws).
    pub content_w: u32,
    pub content_h: u32,
    pub minimised: bool,
    /// Set when the app trapped or was killed: the reason shown over the content.
    pub failed: Option<String>,
    /// Shown over the content until the first frame arrives.
    pub splash: Option<Splash>,
    /// The last presented frame (`None` before the first).
    pub frame: Option<Canvas>,
    pub events: EventQueue,
}

impl Window {
    /// The outer frame: border, title bar and content.
    pub fn outer_rect(&self) -> Rect {
        outer_rect_at(self.x, self.y, self.content_w, self.content_h)
    }

    /// The title bar (inside the border).
    pub fn title_rect(&self) -> Rect {
        let o = self.outer_rect();
        Rect::new(
            o.x.saturating_add(BORDER as i32),
            o.y.saturating_add(BORDER as i32),
            o.w.saturating_sub(2 * BORDER),
            TITLE_BAR_HEIGHT,
        )
    }

    /// Where the app's pixels go.
    pub fn content_rect(&self) -> Rect {
        Rect::new(
            self.x.saturating_add(BORDER as i32),
            self.y.saturating_add((BORDER + TITLE_BAR_HEIGHT) as i32),
            self.content_w,
            self.content_h,
        )
    }

    /// The close button at the right end of the title bar.
    pub fn close_rect(&self) -> Rect {
        let t = self.title_rect();
        Rect::new(
            t.right()
                .saturating_sub((TITLE_BUTTON + TITLE_BUTTON_GAP) as i32),
            t.y + ((TITLE_BAR_HEIGHT - TITLE_BUTTON) / 2) as i32,
            TITLE_BUTTON,
            TITLE_BUTTON,
        )
    }

    /// The minimise button, left of the close button.
    pub fn minimise_rect(&self) -> Rect {
        let c = self.close_rect();
        Rect::new(
            c.x.saturating_sub((TITLE_BUTTON + TITLE_BUTTON_GAP) as i32),
            c.y,
            TITLE_BUTTON,
            TITLE_BUTTON,
        )
    }

    /// The resize grip: the bottom-right corner of the content.
    pub fn grip_rect(&self) -> Rect {
        let c = self.content_rect();
        let g = GRIP.min(c.w).min(c.h);
        Rect::new(
            c.right().saturating_sub(g as i32),
            c.bottom().saturating_sub(g as i32),
            g,
            g,
        )
    }

    /// Which part of the window the point is on, if any.
    pub fn hit(&self, x: i32, y: i32) -> Option<WindowPart> {
        if !self.outer_rect().contains(x, y) {
            return None;
        }
        Some(if self.close_rect().contains(x, y) {
            WindowPart::Close
        } else if self.minimise_rect().contains(x, y) {
            WindowPart::Minimise
        } else if self.title_rect().contains(x, y) {
            WindowPart::TitleBar
        } else if self.grip_rect().contains(x, y) {
            WindowPart::Grip
        } else if self.content_rect().contains(x, y) {
            WindowPart::Content
        } else {
            WindowPart::Border
        })
    }

    /// The remembered state: outer position and content size.
    pub fn state(&self) -> WindowState {
        WindowState {
            x: self.x,
            y: self.y,
            width: self.content_w,
            height: self.content_h,
        }
    }

    /// Queues an event for the app, stamped with the current content size.
    pub fn queue(&mut self, kind: EventKind, key_code: u32, mouse_x: i32, mouse_y: i32) {
        let ev = WindowEvent {
            kind,
            key_code,
            mouse_x,
            mouse_y,
            width: self.content_w,
            height: self.content_h,
        };
        self.events.push(ev);
    }

    /// Converts a screen point to content coordinates.
    pub fn to_content(&self, x: i32, y: i32) -> (i32, i32) {
        let c = self.content_rect();
        (x.saturating_sub(c.x), y.saturating_sub(c.y))
    }
}

/// The outer rectangle of a window with the given position and content size.
pub fn outer_rect_at(x: i32, y: i32, content_w: u32, content_h: u32) -> Rect {
    Rect::new(
        x,
        y,
        content_w.saturating_add(2 * BORDER),
        content_h.saturating_add(TITLE_BAR_HEIGHT + 2 * BORDER),
    )
}

/// All windows, back to front, with focus.
#[derive(Debug, Default)]
pub struct WindowManager {
    /// Z-order: index 0 is the bottom, the last is on top.
    windows: Vec<Window>,
    /// Opening order (the taskbar's order).
    opened: Vec<WindowId>,
    focused: Option<WindowId>,
    next_id: u32,
    cascade: u32,
}

impl WindowManager {
    pub fn new() -> Self {
        Self {
            next_id: 1,
            ..Self::default()
        }
    }

    /// Opens a window on top and focuses it. The content size is clamped to 1..=4096 and to
    /// the work area; `saved` is used when it is valid and fits in the work area (its size
    /// alone if only that fits), else the window is cascaded. If the final content size
    /// differs from the request the app gets a resize event first.
    pub fn open(
        &mut self,
        owner: WindowOwner,
        title: String,
        (content_w, content_h): (u32, u32),
        saved: Option<WindowState>,
        work: Rect,
        cascade_from: (i32, i32),
    ) -> WindowId {
        let id = WindowId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        let (max_w, max_h) = max_content(work);
        let clamp = |w: u32, h: u32| (w.clamp(1, max_w), h.clamp(1, max_h));
        let (mut w, mut h) = clamp(content_w, content_h);
        let mut pos = None;
        if let Some(s) = saved.filter(|s| s.validate().is_ok()) {
            let (sw, sh) = clamp(s.width, s.height);
            if (sw, sh) == (s.width, s.height) {
                (w, h) = (sw, sh);
                if work.contains_rect(&outer_rect_at(s.x, s.y, sw, sh)) {
                    pos = Some((s.x, s.y));
                }
            }
        }
        let (x, y) = pos.unwrap_or_else(|| self.cascade_position(w, h, work, cascade_from));
        let mut win = Window {
            id,
            owner,
            title,
            x,
            y,
            content_w: w,
            content_h: h,
            minimised: false,
            failed: None,
            splash: None,
            frame: None,
            events: EventQueue::new(),
        };
        if (w, h) != (content_w, content_h) {
            win.queue(EventKind::Resize, 0, 0, 0);
        }
        self.windows.push(win);
        self.opened.push(id);
        self.focused = Some(id);
        id
    }

    /// The next cascade step from `from` (the first step again when it would not fit), else
    /// as near the work area's top-left as the window fits.
    fn cascade_position(&mut self, w: u32, h: u32, work: Rect, from: (i32, i32)) -> (i32, i32) {
        for _ in 0..2 {
            let n = (self.cascade as i32).saturating_mul(CASCADE_STEP);
            let x = from.0.saturating_add(n);
            let y = from.1.saturating_add(n);
            self.cascade = self.cascade.saturating_add(1);
            if work.contains_rect(&outer_rect_at(x, y, w, h)) {
                return (x, y);
            }
            // Off the bottom/right: start again at the first position.
            self.cascade = 0;
        }
        let o = outer_rect_at(0, 0, w, h);
        let x = work.x + clamp_u32(work.w.saturating_sub(o.w) / 2).min(CASCADE_X);
        let y = work.y + clamp_u32(work.h.saturating_sub(o.h) / 2).min(CASCADE_Y);
        (x, y)
    }

    /// Removes a window; focus passes to the topmost visible window left.
    pub fn close(&mut self, id: WindowId) -> Option<Window> {
        let i = self.index(id)?;
        let win = self.windows.remove(i);
        self.opened.retain(|w| *w != id);
        if self.focused == Some(id) {
            self.focus_topmost();
        }
        Some(win)
    }

    fn focus_topmost(&mut self) {
        self.focused = self
            .windows
            .iter()
            .rev()
            .find(|w| !w.minimised)
            .map(|w| w.id);
    }

    pub fn index(&self, id: WindowId) -> Option<usize> {
        self.windows.iter().position(|w| w.id == id)
    }

    pub fn get(&self, id: WindowId) -> Option<&Window> {
        self.windows.iter().find(|w| w.id == id)
    }

    pub fn get_mut(&mut self, id: WindowId) -> Option<&mut Window> {
        self.windows.iter_mut().find(|w| w.id == id)
    }

    /// Windows back to front.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Window> {
        self.windows.iter()
    }

    /// Window ids in opening order (the taskbar's order).
    pub fn opening_order(&self) -> &[WindowId] {
        &self.opened
    }

    pub fn focused(&self) -> Option<WindowId> {
        self.focused
    }

    /// Clears focus (a click on the bare desktop): keys then go nowhere.
    pub fn unfocus(&mut self) {
        self.focused = None;
    }

    /// Raises, restores and focuses a window. Returns false for an unknown id.
    pub fn focus(&mut self, id: WindowId) -> bool {
        let Some(i) = self.index(id) else {
            return false;
        };
        let mut win = self.windows.remove(i);
        win.minimised = false;
        self.windows.push(win);
        self.focused = Some(id);
        true
    }

    /// Minimises a window; focus passes to the topmost visible window.
    pub fn minimise(&mut self, id: WindowId) -> bool {
        let Some(win) = self.get_mut(id) else {
            return false;
        };
        win.minimised = true;
        if self.focused == Some(id) {
            self.focus_topmost();
        }
        true
    }

    /// The topmost visible window under a point, and the part hit.
    pub fn hit(&self, x: i32, y: i32) -> Option<(WindowId, WindowPart)> {
        self.windows
            .iter()
            .rev()
            .filter(|w| !w.minimised)
            .find_map(|w| w.hit(x, y).map(|p| (w.id, p)))
    }

    /// Moves a window's outer corner to (x, y), keeping enough of the title bar on screen
    /// to grab it again.
    pub fn move_to(&mut self, id: WindowId, x: i32, y: i32, work: Rect) {
        let Some(win) = self.get_mut(id) else { return };
        let o = win.outer_rect();
        let keep = clamp_u32(KEEP_VISIBLE.min(o.w));
        let min_x = work.x.saturating_sub(clamp_u32(o.w)).saturating_add(keep);
        let max_x = work.right().saturating_sub(keep).max(min_x);
        let max_y = work
            .bottom()
            .saturating_sub(TITLE_BAR_HEIGHT as i32)
            .max(work.y);
        win.x = x.clamp(min_x, max_x);
        win.y = y.clamp(work.y, max_y);
    }

    /// Sets a window's content size (clamped to the minimum and the ABI maximum) and queues
    /// a resize event if it changed. Returns whether it changed.
    pub fn resize(&mut self, id: WindowId, w: u32, h: u32) -> bool {
        let Some(win) = self.get_mut(id) else {
            return false;
        };
        let w = w.clamp(MIN_CONTENT_W, MAX_CONTENT);
        let h = h.clamp(MIN_CONTENT_H, MAX_CONTENT);
        if (w, h) == (win.content_w, win.content_h) {
            return false;
        }
        win.content_w = w;
        win.content_h = h;
        win.queue(EventKind::Resize, 0, 0, 0);
        true
    }

    /// Keeps every window reachable after the screen changed size.
    pub fn fit_to(&mut self, work: Rect) {
        let ids: Vec<WindowId> = self.windows.iter().map(|w| w.id).collect();
        for id in ids {
            if let Some(win) = self.get(id) {
                let (x, y) = (win.x, win.y);
                self.move_to(id, x, y, work);
            }
        }
    }
}

/// The largest content size that fits in the work area (at least 1×1).
fn max_content(work: Rect) -> (u32, u32) {
    let o = outer_rect_at(0, 0, 0, 0);
    (
        work.w.saturating_sub(o.w).clamp(1, MAX_CONTENT),
        work.h.saturating_sub(o.h).clamp(1, MAX_CONTENT),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn owner(app: &str) -> WindowOwner {
        WindowOwner {
            app_id: app.to_string(),
            instance: 1,
        }
    }

    const WORK: Rect = Rect::new(0, 0, 1024, 728);
    const FROM: (i32, i32) = (CASCADE_X, CASCADE_Y);

    #[test]
    fn frame_parts_are_where_hit_testing_finds_them() {
        let mut wm = WindowManager::new();
        let id = wm.open(owner("a"), "A".to_string(), (300, 200), None, WORK, FROM);
        let w = wm.get(id).unwrap();
        let (cx, cy) = w.close_rect().center();
        assert_eq!(w.hit(cx, cy), Some(WindowPart::Close));
        let (mx, my) = w.minimise_rect().center();
        assert_eq!(w.hit(mx, my), Some(WindowPart::Minimise));
        let t = w.title_rect();
        assert_eq!(w.hit(t.x + 5, t.y + 5), Some(WindowPart::TitleBar));
        let c = w.content_rect();
        assert_eq!(w.hit(c.x, c.y), Some(WindowPart::Content));
        assert_eq!(w.hit(c.right() - 1, c.bottom() - 1), Some(WindowPart::Grip));
        let o = w.outer_rect();
        assert_eq!(w.hit(o.x, o.bottom() - 1), Some(WindowPart::Border));
        assert_eq!(w.hit(o.right(), o.y), None);
        assert_eq!(c.w, 300);
        assert_eq!(c.h, 200);
    }

    #[test]
    fn saved_state_used_when_it_fits_else_cascaded() {
        let mut wm = WindowManager::new();
        let s = WindowState {
            x: 50,
            y: 60,
            width: 320,
            height: 240,
        };
        let a = wm.open(owner("a"), "A".to_string(), (300, 200), Some(s), WORK, FROM);
        assert_eq!(wm.get(a).unwrap().state(), s);
        // Fits in size but not in position: size kept, cascaded.
        let s2 = WindowState {
            x: 900,
            y: 60,
            width: 320,
            height: 240,
        };
        let b = wm.open(
            owner("b"),
            "B".to_string(),
            (300, 200),
            Some(s2),
            WORK,
            FROM,
        );
        let st = wm.get(b).unwrap().state();
        assert_eq!((st.width, st.height), (320, 240));
        assert_eq!((st.x, st.y), (CASCADE_X, CASCADE_Y));
        // Size differs from the request: the app hears about it.
        assert_eq!(
            wm.get_mut(b).unwrap().events.pop().unwrap().kind,
            EventKind::Resize
        );
        let c = wm.open(owner("c"), "C".to_string(), (300, 200), None, WORK, FROM);
        let st = wm.get(c).unwrap().state();
        assert_eq!(
            (st.x, st.y),
            (CASCADE_X + CASCADE_STEP, CASCADE_Y + CASCADE_STEP)
        );
        assert!(wm.get_mut(c).unwrap().events.is_empty());
    }

    #[test]
    fn oversized_and_zero_requests_are_clamped() {
        let mut wm = WindowManager::new();
        let a = wm.open(owner("a"), String::new(), (u32::MAX, 0), None, WORK, FROM);
        let w = wm.get(a).unwrap();
        assert!(WORK.contains_rect(&w.outer_rect()));
        assert_eq!(w.content_h, 1);
        let tiny = Rect::new(0, 0, 0, 0);
        let b = wm.open(owner("b"), String::new(), (10, 10), None, tiny, FROM);
        assert_eq!(wm.get(b).unwrap().content_w, 1);
    }

    #[test]
    fn focus_follows_close_and_minimise() {
        let mut wm = WindowManager::new();
        let a = wm.open(owner("a"), String::new(), (100, 100), None, WORK, FROM);
        let b = wm.open(owner("b"), String::new(), (100, 100), None, WORK, FROM);
        assert_eq!(wm.focused(), Some(b));
        wm.minimise(b);
        assert_eq!(wm.focused(), Some(a));
        wm.focus(b);
        assert_eq!(wm.focused(), Some(b));
        assert!(!wm.get(b).unwrap().minimised);
        wm.close(b);
        assert_eq!(wm.focused(), Some(a));
        assert!(wm.close(b).is_none());
        assert_eq!(wm.opening_order(), &[a]);
    }

    #[test]
    fn moves_keep_the_title_bar_reachable() {
        let mut wm = WindowManager::new();
        let a = wm.open(owner("a"), String::new(), (100, 100), None, WORK, FROM);
        wm.move_to(a, i32::MIN, i32::MAX, WORK);
        let w = wm.get(a).unwrap();
        assert!(w.outer_rect().right() >= KEEP_VISIBLE as i32);
        assert!(w.y <= WORK.bottom() - TITLE_BAR_HEIGHT as i32);
        wm.move_to(a, i32::MAX, i32::MIN, WORK);
        let w = wm.get(a).unwrap();
        assert!(w.x <= WORK.right() - KEEP_VISIBLE as i32);
        assert_eq!(w.y, 0);
    }
}

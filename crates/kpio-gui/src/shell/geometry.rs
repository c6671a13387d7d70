//! Rectangles in screen pixels: the one type layout, hit testing, rendering and the scene share.
//!
//! Coordinates are `i32` (a window may hang off the left or top of the screen while dragged)
//! and sizes are `u32`; every operation saturates, so hostile coordinates never overflow.

use serde::Serialize;

/// An axis-aligned rectangle: top-left corner and size, in screen pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    pub const fn new(x: i32, y: i32, w: u32, h: u32) -> Self {
        Self { x, y, w, h }
    }

    /// One past the right edge (saturating).
    pub fn right(&self) -> i32 {
        self.x.saturating_add(clamp_u32(self.w))
    }

    /// One past the bottom edge (saturating).
    pub fn bottom(&self) -> i32 {
        self.y.saturating_add(clamp_u32(self.h))
    }

    /// Whether the point lies inside (the right and bottom edges are outside).
    pub fn contains(&self, px: i32, py: i32) -> bool {
        px >= self.x && py >= self.y && px < self.right() && py < self.bottom()
    }

    /// The centre point (what tests click).
    pub fn center(&self) -> (i32, i32) {
        (
            self.x.saturating_add(clamp_u32(self.w / 2)),
            self.y.saturating_add(clamp_u32(self.h / 2)),
        )
    }

    /// Whether `other` lies entirely inside `self`.
    pub fn contains_rect(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.right() <= self.right()
            && other.bottom() <= self.bottom()
    }

    /// The rectangle shrunk by `d` pixels on every side (never below zero size).
    pub fn inset(&self, d: u32) -> Rect {
        let d2 = d.saturating_mul(2);
        Rect::new(
            self.x.saturating_add(clamp_u32(d)),
            self.y.saturating_add(clamp_u32(d)),
            self.w.saturating_sub(d2),
            self.h.saturating_sub(d2),
        )
    }

    /// The overlap of two rectangles, or `None` if they do not overlap.
    pub fn intersect(&self, other: &Rect) -> Option<Rect> {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = self.right().min(other.right());
        let y1 = self.bottom().min(other.bottom());
        if x1 <= x0 || y1 <= y0 {
            return None;
        }
        Some(Rect::new(x0, y0, (x1 - x0) as u32, (y1 - y0) as u32))
    }
}

/// A `u32` size as an `i32` offset, saturating at `i32::MAX`.
pub fn clamp_u32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_excludes_far_edges() {
        let r = Rect::new(10, 20, 5, 5);
        assert!(r.contains(10, 20));
        assert!(r.contains(14, 24));
        assert!(!r.contains(15, 24));
        assert!(!r.contains(14, 25));
        assert_eq!(r.center(), (12, 22));
    }

    #[test]
    fn huge_values_saturate() {
        let r = Rect::new(i32::MAX - 1, i32::MAX - 1, u32::MAX, u32::MAX);
        assert_eq!(r.right(), i32::MAX);
        assert!(!r.contains(i32::MIN, 0));
        assert_eq!(r.inset(u32::MAX).w, 0);
    }

    #[test]
    fn intersect_and_contain() {
        let a = Rect::new(0, 0, 10, 10);
        assert_eq!(
            a.intersect(&Rect::new(5, 5, 10, 10)),
            Some(Rect::new(5, 5, 5, 5))
        );
        assert_eq!(a.intersect(&Rect::new(10, 0, 3, 3)), None);
        assert!(a.contains_rect(&Rect::new(1, 1, 9, 9)));
        assert!(!a.contains_rect(&Rect::new(1, 1, 10, 9)));
    }
}

//! Drawing helpers built from the host's primitives: rounded rectangles (from
//! rectangles), aligned text (with `measure_text`), outlines, and a [`Button`] with
//! hit testing.

use crate::{Rect, Surface};

/// Height of a line box for font size `size_px` (the host's ≈ 1.2 × size, rounded up).
pub const fn line_height(size_px: u32) -> u32 {
    (size_px * 6).div_ceil(5)
}

/// How far row `i` (0 = the outermost) of a corner of radius `r` is inset from the
/// rectangle's side: the circle's x extent at the row's centre, rounded.
fn corner_inset(r: u32, i: u32) -> u32 {
    // At y = r - i - 0.5 from the circle's centre, x = sqrt(r² - y²); doubled to stay
    // in integers: 2x = sqrt(4r² - (2r - 2i - 1)²).
    let d = (2 * r - 2 * i - 1) as u64;
    let two_x = (4 * r as u64 * r as u64 - d * d).isqrt();
    r - (two_x as u32).div_ceil(2).min(r)
}

/// Fills `rect` with corners rounded to `radius` pixels. Each corner row is as wide as
/// the circle at that row; consecutive rows of equal width are merged, so a radius of
/// 10 takes 13 rectangles rather than 21. The radius is clamped to half the smaller side.
pub fn rounded_rect<S: Surface + ?Sized>(s: &mut S, rect: Rect, radius: u32, argb: u32) {
    let r = radius.min(rect.w / 2).min(rect.h / 2);
    if rect.w == 0 || rect.h == 0 {
        return;
    }
    let mut i = 0;
    while i < r {
        let inset = corner_inset(r, i);
        // Rows i..j share this inset.
        let mut j = i + 1;
        while j < r && corner_inset(r, j) == inset {
            j += 1;
        }
        let (w, n) = (rect.w - 2 * inset, j - i);
        let x = rect.x.saturating_add_unsigned(inset);
        s.rect(x, rect.y.saturating_add_unsigned(i), w, n, argb);
        s.rect(x, rect.bottom() - j as i32, w, n, argb);
        i = j;
    }
    s.rect(
        rect.x,
        rect.y.saturating_add_unsigned(r),
        rect.w,
        rect.h - 2 * r,
        argb,
    );
}

/// Draws a 1-pixel outline just inside `rect`.
pub fn outline<S: Surface + ?Sized>(s: &mut S, rect: Rect, argb: u32) {
    if rect.w == 0 || rect.h == 0 {
        return;
    }
    let (r, b) = (rect.right() - 1, rect.bottom() - 1);
    s.rect(rect.x, rect.y, rect.w, 1, argb);
    s.rect(rect.x, b, rect.w, 1, argb);
    s.rect(rect.x, rect.y, 1, rect.h, argb);
    s.rect(r, rect.y, 1, rect.h, argb);
}

/// Horizontal placement of text in a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Align {
    /// Flush with the box's left edge.
    Left,
    /// Centred.
    Center,
    /// Flush with the box's right edge.
    Right,
}

/// The x where text `width` pixels wide starts when placed in `rect` with `align`.
pub fn aligned_x(rect: Rect, width: u32, align: Align) -> i32 {
    let free = rect.w as i64 - width as i64;
    let off = match align {
        Align::Left => 0,
        Align::Center => free / 2,
        Align::Right => free,
    };
    (rect.x as i64 + off) as i32
}

/// Draws `text` in `rect`, placed horizontally by `align` and centred vertically;
/// returns the x where it starts. Text wider than the box overflows (to the left for
/// [`Align::Right`], which suits number displays: the last digits stay visible).
pub fn text_in<S: Surface + ?Sized>(
    s: &mut S,
    rect: Rect,
    text: &str,
    size_px: u32,
    argb: u32,
    align: Align,
) -> i32 {
    let width = s.measure_text(text, size_px);
    let x = aligned_x(rect, width, align);
    let y = rect.y + (rect.h as i32 - line_height(size_px) as i32) / 2;
    s.text(x, y, text, size_px, argb);
    x
}

/// Colours of a [`Button`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ButtonStyle {
    /// Face colour.
    pub face: u32,
    /// Face colour while pressed.
    pub pressed: u32,
    /// Label colour.
    pub label: u32,
    /// Corner radius in pixels.
    pub radius: u32,
    /// Label font size in pixels.
    pub text_size: u32,
}

/// A push button: a rounded face with a centred label, hit-tested with
/// [`Button::contains`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Button<'a> {
    /// Where it is.
    pub rect: Rect,
    /// Its label.
    pub label: &'a str,
    /// How it looks.
    pub style: ButtonStyle,
}

impl<'a> Button<'a> {
    /// A button with a label and a style at `rect`.
    pub const fn new(rect: Rect, label: &'a str, style: ButtonStyle) -> Button<'a> {
        Button { rect, label, style }
    }

    /// Whether the point (x, y) hits the button.
    pub const fn contains(&self, x: i32, y: i32) -> bool {
        self.rect.contains(x, y)
    }

    /// Draws the button, in its pressed colour if `pressed`.
    pub fn draw<S: Surface + ?Sized>(&self, s: &mut S, pressed: bool) {
        let st = &self.style;
        let face = if pressed { st.pressed } else { st.face };
        rounded_rect(s, self.rect, st.radius, face);
        text_in(
            s,
            self.rect,
            self.label,
            st.text_size,
            st.label,
            Align::Center,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Recorded, Recorder};

    #[test]
    fn line_height_rounds_up() {
        assert_eq!(line_height(10), 12);
        assert_eq!(line_height(16), 20);
        assert_eq!(line_height(1), 2);
    }

    #[test]
    fn corners_follow_a_circle() {
        // Radius 4: rows inset 2, 1, 0, 0 (x extents 1.94, 3.12, 3.71, 3.97).
        let insets: alloc::vec::Vec<u32> = (0..4).map(|i| corner_inset(4, i)).collect();
        assert_eq!(insets, [2, 1, 0, 0]);
        assert_eq!(corner_inset(1, 0), 0);
        // The insets never grow towards the middle.
        for r in 1..40 {
            for i in 1..r {
                assert!(corner_inset(r, i) <= corner_inset(r, i - 1), "r {r} i {i}");
            }
        }
    }

    #[test]
    fn rounded_rect_covers_the_rect_exactly_once_per_row() {
        let mut rec = Recorder::new(100, 100);
        let rect = Rect::new(10, 20, 30, 15);
        rounded_rect(&mut rec, rect, 5, 0xFF00_00FF);
        // Radius 5: insets 3, 1, 1, 0, 0 → three runs per corner side, plus the middle.
        assert_eq!(rec.ops.len(), 7);
        let mut rows = [0u32; 15];
        for op in &rec.ops {
            let Recorded::Rect { x, y, w, h, .. } = *op else {
                panic!("{op:?}")
            };
            assert!(x >= rect.x && x + w as i32 <= rect.right());
            for row in y..y + h as i32 {
                rows[(row - rect.y) as usize] += 1;
            }
        }
        assert_eq!(rows, [1; 15]);
        // Radius larger than half the height is clamped to it.
        let mut rec = Recorder::new(100, 100);
        rounded_rect(&mut rec, Rect::new(0, 0, 30, 4), 50, 1);
        assert_eq!(rec.ops.len(), 5);
        // Radius 10 as documented.
        let mut rec = Recorder::new(100, 100);
        rounded_rect(&mut rec, Rect::new(0, 0, 60, 60), 10, 1);
        assert_eq!(rec.ops.len(), 13);
        // Empty rectangles draw nothing.
        let mut rec = Recorder::new(100, 100);
        rounded_rect(&mut rec, Rect::new(0, 0, 0, 4), 2, 1);
        assert!(rec.ops.is_empty());
    }

    #[test]
    fn text_alignment_uses_measure_text() {
        let mut rec = Recorder::new(200, 100);
        // Recorder: 10 px font → 6 px per char; "12345" is 30 px wide.
        let r = Rect::new(0, 0, 100, 24);
        assert_eq!(text_in(&mut rec, r, "12345", 10, 1, Align::Right), 70);
        assert_eq!(text_in(&mut rec, r, "12345", 10, 1, Align::Center), 35);
        assert_eq!(text_in(&mut rec, r, "12345", 10, 1, Align::Left), 0);
        // Vertically centred: (24 - 12) / 2.
        assert!(matches!(rec.ops[0], Recorded::Text { x: 70, y: 6, .. }));
        // Too wide for the box: right-aligned text starts left of it.
        assert_eq!(aligned_x(Rect::new(10, 0, 20, 10), 50, Align::Right), -20);
    }

    #[test]
    fn button_hit_test_and_draw() {
        let style = ButtonStyle {
            face: 0xFF11_1111,
            pressed: 0xFF22_2222,
            label: 0xFFFF_FFFF,
            radius: 3,
            text_size: 20,
        };
        let b = Button::new(Rect::new(10, 10, 50, 40), "7", style);
        assert!(b.contains(10, 10) && b.contains(59, 49));
        assert!(!b.contains(60, 10) && !b.contains(30, 50));
        let mut rec = Recorder::new(100, 100);
        b.draw(&mut rec, true);
        assert!(rec.ops.iter().any(|o| matches!(
            o,
            Recorded::Rect {
                argb: 0xFF22_2222,
                ..
            }
        )));
        assert_eq!(rec.texts(), ["7"]);
    }
}

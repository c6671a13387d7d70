//! Layout helpers: rectangles, hit testing, splitting an area into a grid.

/// An axis-aligned rectangle in window-content pixels: left `x`, top `y`, width `w`,
/// height `h`. The right and bottom edges are exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Rect {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width (0 = empty).
    pub w: u32,
    /// Height (0 = empty).
    pub h: u32,
}

impl Rect {
    /// A rectangle from its left, top, width and height.
    pub const fn new(x: i32, y: i32, w: u32, h: u32) -> Rect {
        Rect { x, y, w, h }
    }

    /// The right edge (exclusive).
    pub const fn right(&self) -> i32 {
        self.x.saturating_add_unsigned(self.w)
    }

    /// The bottom edge (exclusive).
    pub const fn bottom(&self) -> i32 {
        self.y.saturating_add_unsigned(self.h)
    }

    /// Whether the point (px, py) lies inside (left/top inclusive, right/bottom
    /// exclusive).
    pub const fn contains(&self, px: i32, py: i32) -> bool {
        px >= self.x && py >= self.y && px < self.right() && py < self.bottom()
    }

    /// The rectangle shrunk by `d` pixels on every side (empty if too small).
    pub const fn inset(&self, d: u32) -> Rect {
        let w = self.w.saturating_sub(2 * d);
        let h = self.h.saturating_sub(2 * d);
        Rect {
            x: self.x.saturating_add_unsigned(d),
            y: self.y.saturating_add_unsigned(d),
            w,
            h,
        }
    }

    /// The top `h` pixels of this rectangle and the rest below them.
    pub const fn split_top(&self, h: u32) -> (Rect, Rect) {
        let h = if h < self.h { h } else { self.h };
        (
            Rect::new(self.x, self.y, self.w, h),
            Rect::new(
                self.x,
                self.y.saturating_add_unsigned(h),
                self.w,
                self.h - h,
            ),
        )
    }

    /// The left `w` pixels of this rectangle and the rest to their right.
    pub const fn split_left(&self, w: u32) -> (Rect, Rect) {
        let w = if w < self.w { w } else { self.w };
        (
            Rect::new(self.x, self.y, w, self.h),
            Rect::new(
                self.x.saturating_add_unsigned(w),
                self.y,
                self.w - w,
                self.h,
            ),
        )
    }
}

/// An area divided into `cols` × `rows` equal cells with `gap` pixels between
/// neighbours. Cells share the leftover pixels so the grid fills the area exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Grid {
    /// The area the grid fills.
    pub area: Rect,
    /// Number of columns (at least 1 is used).
    pub cols: u32,
    /// Number of rows (at least 1 is used).
    pub rows: u32,
    /// Pixels between neighbouring cells.
    pub gap: u32,
}

impl Grid {
    /// A grid of `cols` × `rows` cells over `area`.
    pub const fn new(area: Rect, cols: u32, rows: u32, gap: u32) -> Grid {
        Grid {
            area,
            cols,
            rows,
            gap,
        }
    }

    /// Cell (`col`, `row`), 0-based from the top left.
    pub fn cell(&self, col: u32, row: u32) -> Rect {
        self.span(col, row, 1, 1)
    }

    /// The rectangle covering `span_cols` × `span_rows` cells from (`col`, `row`),
    /// including the gaps between them (for a wide "0" or a tall "=" button).
    pub fn span(&self, col: u32, row: u32, span_cols: u32, span_rows: u32) -> Rect {
        let (x0, x1) = grid_span(self.area.w, self.cols, self.gap, col, span_cols);
        let (y0, y1) = grid_span(self.area.h, self.rows, self.gap, row, span_rows);
        Rect::new(
            self.area.x.saturating_add_unsigned(x0),
            self.area.y.saturating_add_unsigned(y0),
            x1 - x0,
            y1 - y0,
        )
    }
}

/// Start and end offsets of cells `i..i+span` when `size` pixels are divided into `n`
/// cells with `gap` pixels between them.
fn grid_span(size: u32, n: u32, gap: u32, i: u32, span: u32) -> (u32, u32) {
    let n = n.max(1);
    let span = span.max(1);
    let total = size as u64 + gap as u64;
    // Each cell plus its trailing gap owns total / n pixels.
    let start = |k: u32| (k as u64 * total / n as u64) as u32;
    let s = start(i.min(n));
    let e = start((i + span).min(n)).saturating_sub(gap);
    (s, e.max(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_is_half_open() {
        let r = Rect::new(10, 20, 5, 5);
        assert!(r.contains(10, 20));
        assert!(r.contains(14, 24));
        assert!(!r.contains(15, 24));
        assert!(!r.contains(14, 25));
        assert!(!r.contains(9, 20));
        assert!(!Rect::new(0, 0, 0, 10).contains(0, 0));
    }

    #[test]
    fn inset_and_split() {
        let r = Rect::new(0, 0, 100, 50);
        assert_eq!(r.inset(10), Rect::new(10, 10, 80, 30));
        assert_eq!(r.inset(30), Rect::new(30, 30, 40, 0));
        assert_eq!(
            r.split_top(20),
            (Rect::new(0, 0, 100, 20), Rect::new(0, 20, 100, 30))
        );
        assert_eq!(
            r.split_left(200),
            (Rect::new(0, 0, 100, 50), Rect::new(100, 0, 0, 50))
        );
    }

    #[test]
    fn grid_cells_tile_the_area() {
        let area = Rect::new(5, 7, 103, 50);
        let (cols, gap) = (4, 3);
        let g = Grid::new(area, cols, 1, gap);
        let mut x = 5;
        for c in 0..cols {
            let cell = g.cell(c, 0);
            assert_eq!(cell.x, x, "cell {c}");
            assert_eq!(cell.h, 50);
            x = cell.right() + gap as i32;
        }
        // The last cell ends exactly at the area's right edge.
        assert_eq!(g.cell(3, 0).right(), area.right());
        // A cell spanning two columns covers both and the gap between them.
        let (a, b, ab) = (g.cell(1, 0), g.cell(2, 0), g.span(1, 0, 2, 1));
        assert_eq!((ab.x, ab.right()), (a.x, b.right()));
    }
}

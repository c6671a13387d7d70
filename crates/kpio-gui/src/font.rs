//! Text: the embedded DejaVu Sans (`fonts/DejaVuSans.ttf`, Bitstream Vera licence in
//! `fonts/LICENSE-DejaVu.txt`) rasterised with fontdue into anti-aliased coverage.
//!
//! The caller owns the [`Font`] (parse it once with [`Font::embedded`] and keep it): there
//! is no global state. A bounded glyph cache keyed by (character, pixel size) lives inside
//! it, so drawing takes `&Font`. The font is `Send` and `Sync`: an `Arc<Font>` can serve
//! the desktop and the app threads' `measure_text` at once. The cache is guarded by a
//! try-lock that never waits: a thread that finds it busy rasterises without it.
//!
//! Line metrics: text is drawn from the top-left corner of its line box. The line box is
//! [`Font::line_height`] = round(1.2 × size) pixels tall; the font's ascent + descent are
//! centred in it and the baseline sits at [`Font::baseline`] below its top. Sizes are
//! clamped to [`MIN_SIZE`]`..=`[`MAX_SIZE`] pixels. Characters the font lacks are drawn as
//! its `.notdef` box; control characters (newline, tab, ...) draw nothing and take no
//! space, since a text run is one line. Pair kerning from the font's `kern` table is
//! applied.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

/// The embedded font file (DejaVu Sans 2.37).
pub const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// The smallest pixel size text is drawn at (smaller sizes are raised to it).
pub const MIN_SIZE: u32 = 4;
/// The largest pixel size text is drawn at (larger sizes are lowered to it).
pub const MAX_SIZE: u32 = 256;

/// At most this many glyphs in each of the cache's two generations.
const CACHE_ENTRIES: usize = 512;
/// At most this many coverage bytes in each of the cache's two generations.
const CACHE_BYTES: usize = 2 * 1024 * 1024;

/// Clamps a requested pixel size to [`MIN_SIZE`]`..=`[`MAX_SIZE`].
pub const fn clamp_size(size: u32) -> u32 {
    if size < MIN_SIZE {
        MIN_SIZE
    } else if size > MAX_SIZE {
        MAX_SIZE
    } else {
        size
    }
}

/// The font file could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FontError(pub &'static str);

impl fmt::Display for FontError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "font: cannot parse the font file: {}", self.0)
    }
}

impl core::error::Error for FontError {}

/// The placement of one glyph at one size, relative to its origin on the baseline
/// (x to the right, y up as in the font).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GlyphMetrics {
    /// Left edge of the coverage bitmap from the origin, in pixels.
    pub xmin: i32,
    /// Bottom edge of the coverage bitmap above the baseline (negative: below), in pixels.
    pub ymin: i32,
    /// Bitmap width in pixels.
    pub width: u32,
    /// Bitmap height in pixels.
    pub height: u32,
    /// How far the pen moves after this glyph, in (fractional) pixels.
    pub advance: f32,
}

/// A rasterised glyph: its metrics and `width × height` coverage bytes (row-major, top row
/// first, 0 = empty, 255 = fully covered).
#[derive(Clone, Debug)]
pub struct GlyphBitmap {
    /// Placement.
    pub metrics: GlyphMetrics,
    /// Coverage, `metrics.width × metrics.height` bytes.
    pub coverage: Vec<u8>,
}

/// Two generations of glyphs: lookups promote from the old one; when the current one is
/// full it becomes the old one (dropping the previous old one). Memory stays below two
/// generations' limits, and glyphs in use stay cached (an approximate LRU).
#[derive(Default)]
struct GlyphCache {
    current: BTreeMap<(char, u16), Arc<GlyphBitmap>>,
    current_bytes: usize,
    previous: BTreeMap<(char, u16), Arc<GlyphBitmap>>,
}

impl GlyphCache {
    fn get(&mut self, key: (char, u16)) -> Option<Arc<GlyphBitmap>> {
        if let Some(g) = self.current.get(&key) {
            return Some(g.clone());
        }
        let g = self.previous.remove(&key)?;
        self.insert(key, g.clone());
        Some(g)
    }

    fn insert(&mut self, key: (char, u16), glyph: Arc<GlyphBitmap>) {
        let bytes = glyph.coverage.len();
        if self.current.len() >= CACHE_ENTRIES || self.current_bytes + bytes > CACHE_BYTES {
            self.previous = core::mem::take(&mut self.current);
            self.current_bytes = 0;
        }
        self.current_bytes += bytes;
        self.current.insert(key, glyph);
    }

    fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }
}

/// The glyph cache behind a try-lock: [`CacheCell::with`] runs a closure on the cache if no
/// other thread (or re-entrant call) holds it, and otherwise returns `None` at once. No
/// spinning and no blocking, so it is safe in the kernel and in interrupt-free contexts.
#[derive(Default)]
struct CacheCell {
    busy: AtomicBool,
    cache: UnsafeCell<GlyphCache>,
}

// SAFETY: the cache is only reached through `with`, which hands out the `&mut` only while
// it holds `busy` (taken by a compare-exchange, so by one caller at a time), and the closures
// given to it are this module's own short cache operations, which neither leak the reference
// nor call back into the font. `GlyphCache` is `Send` (maps of `Arc`s of plain data).
unsafe impl Sync for CacheCell {}

impl CacheCell {
    fn with<R>(&self, f: impl FnOnce(&mut GlyphCache) -> R) -> Option<R> {
        if self
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        // SAFETY: `busy` was false and is now ours, so no other reference to the cache
        // exists until the store below (see the `Sync` impl).
        let result = f(unsafe { &mut *self.cache.get() });
        self.busy.store(false, Ordering::Release);
        Some(result)
    }
}

/// A parsed font with its glyph cache: see the module documentation.
pub struct Font {
    inner: fontdue::Font,
    /// Ascent above the baseline per pixel of size (positive).
    ascent: f32,
    /// Descent below the baseline per pixel of size (positive).
    descent: f32,
    cache: CacheCell,
}

impl fmt::Debug for Font {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Font")
            .field("name", &self.inner.name())
            .field("glyphs", &self.inner.glyph_count())
            .field("cached", &self.cached_glyphs())
            .finish()
    }
}

impl Clone for Font {
    /// Clones the parsed font; the copy starts with an empty cache.
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            ascent: self.ascent,
            descent: self.descent,
            cache: CacheCell::default(),
        }
    }
}

impl Font {
    /// Parses the embedded DejaVu Sans. Parsing takes some milliseconds and a few MB:
    /// do it once and keep the font.
    pub fn embedded() -> Font {
        // The embedded file is fixed at build time and the tests parse it, so this cannot fail.
        Self::from_bytes(DEJAVU_SANS).expect("the embedded DejaVu Sans parses")
    }

    /// The same as [`Font::embedded`].
    pub fn default_font() -> Font {
        Self::embedded()
    }

    /// Parses a TrueType or OpenType font file.
    pub fn from_bytes(data: &[u8]) -> Result<Font, FontError> {
        let inner =
            fontdue::Font::from_bytes(data, fontdue::FontSettings::default()).map_err(FontError)?;
        let (ascent, descent) = match inner.horizontal_line_metrics(1.0) {
            Some(m) if m.ascent > 0.0 => (m.ascent, -m.descent.min(0.0)),
            // Fonts without hhea metrics: the usual proportions.
            _ => (0.8, 0.2),
        };
        Ok(Font {
            inner,
            ascent,
            descent,
            cache: CacheCell::default(),
        })
    }

    /// Height of a line of text at `size` pixels: round(1.2 × size).
    pub fn line_height(&self, size: u32) -> u32 {
        (clamp_size(size) * 12 + 5) / 10
    }

    /// Distance from the top of the line box to the baseline at `size` pixels.
    pub fn baseline(&self, size: u32) -> i32 {
        let size = clamp_size(size) as f32;
        let line = self.line_height(size as u32) as f32;
        let extent = (self.ascent + self.descent) * size;
        round((line - extent) / 2.0 + self.ascent * size)
    }

    /// Whether the font has a glyph for `c` (otherwise `.notdef` is drawn).
    pub fn has_glyph(&self, c: char) -> bool {
        self.inner.has_glyph(c)
    }

    /// Metrics of `c` at `size` pixels (those of `.notdef` if the font lacks it).
    pub fn glyph_metrics(&self, c: char, size: u32) -> GlyphMetrics {
        let m = self.inner.metrics(c, clamp_size(size) as f32);
        convert_metrics(&m)
    }

    /// The rasterised glyph of `c` at `size` pixels, from the cache when it is there.
    pub fn glyph(&self, c: char, size: u32) -> Arc<GlyphBitmap> {
        let size = clamp_size(size);
        let key = (c, size as u16);
        // A busy cache (another thread drawing) is bypassed, never waited for.
        if let Some(g) = self.cache.with(|cache| cache.get(key)).flatten() {
            return g;
        }
        let (m, coverage) = self.inner.rasterize(c, size as f32);
        let glyph = Arc::new(GlyphBitmap {
            metrics: convert_metrics(&m),
            coverage,
        });
        self.cache.with(|cache| cache.insert(key, glyph.clone()));
        glyph
    }

    /// Number of glyphs in the cache now (at most 1024; 0 while another thread uses it).
    pub fn cached_glyphs(&self) -> usize {
        self.cache.with(|c| c.len()).unwrap_or(0)
    }

    /// Advance width of `text` at `size` pixels, rounded up: what drawing it returns.
    pub fn measure_text(&self, text: &str, size: u32) -> u32 {
        self.layout(text, size, |_, _, _| {})
    }

    /// Lays `text` out on one line at `size` pixels from pen position 0 and calls
    /// `visit(c, pen_x, metrics)` for each drawn character with its origin's x (rounded);
    /// returns the advance width rounded up.
    fn layout(
        &self,
        text: &str,
        size: u32,
        mut visit: impl FnMut(char, i32, &fontdue::Metrics),
    ) -> u32 {
        let px = clamp_size(size) as f32;
        let mut pen = 0.0f32;
        let mut prev: Option<char> = None;
        for c in text.chars() {
            if c.is_control() {
                continue;
            }
            if let Some(p) = prev
                && let Some(k) = self.inner.horizontal_kern(p, c, px)
            {
                pen += k;
            }
            let m = self.inner.metrics(c, px);
            visit(c, round(pen), &m);
            pen += m.advance_width;
            prev = Some(c);
        }
        ceil_u32(pen)
    }

    /// Renders `text` at `size` pixels with its line box's top-left corner at (0, 0):
    /// calls `plot(x, y, coverage)` for every pixel with coverage > 0, for glyphs that may
    /// touch the columns `visible_x0..visible_x1` (others are only measured). Returns the
    /// advance width, the same as [`Font::measure_text`].
    pub fn render(
        &self,
        text: &str,
        size: u32,
        visible_x0: i32,
        visible_x1: i32,
        mut plot: impl FnMut(i32, i32, u8),
    ) -> u32 {
        let size = clamp_size(size);
        let baseline = self.baseline(size);
        self.layout(text, size, |c, pen_x, m| {
            // Only glyphs whose bitmap touches the visible columns are rasterised (i64: a
            // pen far out plus an offset must not overflow).
            let left = i64::from(pen_x) + i64::from(m.xmin);
            let right = left + m.width as i64;
            if m.width == 0 || right <= i64::from(visible_x0) || left >= i64::from(visible_x1) {
                return;
            }
            let g = self.glyph(c, size);
            let m = g.metrics;
            let left = pen_x.saturating_add(m.xmin);
            let top = baseline - m.ymin - m.height as i32;
            for (row, line) in g.coverage.chunks_exact(m.width as usize).enumerate() {
                for (col, &cov) in line.iter().enumerate() {
                    if cov != 0 {
                        plot(left.saturating_add(col as i32), top + row as i32, cov);
                    }
                }
            }
        })
    }
}

fn convert_metrics(m: &fontdue::Metrics) -> GlyphMetrics {
    GlyphMetrics {
        xmin: m.xmin,
        ymin: m.ymin,
        width: m.width as u32,
        height: m.height as u32,
        advance: m.advance_width,
    }
}

/// Rounds to nearest (half away from zero) without `std`; saturates at the i32 range.
fn round(v: f32) -> i32 {
    if v.is_nan() {
        0
    } else if v >= 0.0 {
        (v + 0.5) as i32
    } else {
        (v - 0.5) as i32
    }
}

/// Rounds a non-negative width up to a whole pixel; saturates.
fn ceil_u32(v: f32) -> u32 {
    if v.is_nan() || v <= 0.0 {
        return 0;
    }
    let t = v as u32;
    if (t as f32) < v {
        t.saturating_add(1)
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    #[test]
    fn font_is_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Font>();
    }

    #[test]
    fn busy_cache_is_bypassed_not_waited_for() {
        let f = Font::embedded();
        let direct = f.glyph('g', 30);
        // Hold the cache, as another thread would, and ask again: the glyph comes back
        // (rasterised afresh) instead of deadlocking.
        let again = f.cache.with(|_| f.glyph('g', 30)).unwrap();
        assert_eq!(again.coverage, direct.coverage);
        assert_eq!(f.cache.with(|_| f.cached_glyphs()), Some(0));
        assert_eq!(f.cached_glyphs(), 1);
    }

    #[test]
    fn embedded_font_parses_and_has_latin() {
        let f = Font::embedded();
        assert!(f.has_glyph('A') && f.has_glyph('é') && f.has_glyph('€'));
        assert!(
            !f.has_glyph('\u{E000}'),
            "a private-use character is missing"
        );
    }

    #[test]
    fn line_metrics() {
        let f = Font::embedded();
        assert_eq!(f.line_height(10), 12);
        assert_eq!(f.line_height(16), 19); // 19.2 rounds to 19
        assert_eq!(f.line_height(20), 24);
        assert_eq!(f.line_height(0), f.line_height(MIN_SIZE));
        assert_eq!(f.line_height(10_000), f.line_height(MAX_SIZE));
        // DejaVu's ascent is 0.928 em, descent 0.236 em: the baseline lies between.
        let b = f.baseline(20);
        assert!((18..=20).contains(&b), "baseline {b}");
    }

    #[test]
    fn measure_is_additive_and_clamped() {
        let f = Font::embedded();
        let one = f.measure_text("0", 20);
        assert!(
            (11..=13).contains(&one),
            "DejaVu digits are 0.636 em: {one}"
        );
        let ten = f.measure_text("0000000000", 20);
        assert!(ten.abs_diff(10 * one) <= 10, "{ten} vs {one}");
        assert_eq!(f.measure_text("", 20), 0);
        assert_eq!(f.measure_text("\n\t\r", 20), 0);
        assert_eq!(f.measure_text("abc", 0), f.measure_text("abc", MIN_SIZE));
        assert_eq!(
            f.measure_text("abc", u32::MAX),
            f.measure_text("abc", MAX_SIZE)
        );
    }

    #[test]
    fn kerning_from_the_kern_table_applies() {
        let f = Font::embedded();
        let (a, v, av) = (
            f.measure_text("A", 40),
            f.measure_text("V", 40),
            f.measure_text("AV", 40),
        );
        assert!(av + 1 < a + v, "AV {av} vs A {a} + V {v}");
    }

    #[test]
    fn only_glyphs_touching_the_visible_columns_are_plotted() {
        let f = Font::embedded();
        let mut xs = alloc::vec::Vec::new();
        f.render("AB", 20, i32::MAX - 3, i32::MAX, |x, _, _| xs.push(x));
        f.render("AB", 20, i32::MIN, i32::MIN + 5, |x, _, _| xs.push(x));
        assert!(xs.is_empty());
        // Visible from column 14 on: "A" (advance ~13.7 px) is skipped, "B" is drawn.
        let a_advance = f.measure_text("A", 20) as i32;
        f.render("AB", 20, a_advance + 1, 100, |x, _, _| xs.push(x));
        assert!(!xs.is_empty());
        assert!(xs.iter().all(|&x| x >= a_advance - 1), "{xs:?}");
    }

    #[test]
    fn missing_characters_measure_and_render_as_notdef() {
        let f = Font::embedded();
        let missing = f.measure_text("\u{E000}", 20);
        assert!(missing > 0, ".notdef has a width");
        let mut hits = 0;
        f.render("\u{E000}", 20, 0, 100, |_, _, _| hits += 1);
        assert!(hits > 0, ".notdef draws its box");
    }

    #[test]
    fn cache_is_bounded() {
        let f = Font::embedded();
        let text: String = ('\u{20}'..='\u{7E}').chain('\u{A0}'..='\u{17F}').collect();
        for size in [10, 11, 12, 13, 14, 15, 16, 17, 18] {
            f.render(&text, size, 0, i32::MAX, |_, _, _| {});
        }
        assert!(
            f.cached_glyphs() <= 2 * CACHE_ENTRIES,
            "{}",
            f.cached_glyphs()
        );
        assert!(f.cached_glyphs() > 0);
        // A re-entrant use from inside the plot callback does not panic.
        f.render("ab", 12, 0, 100, |_, _, _| {
            let _ = f.glyph('x', 12);
        });
    }

    #[test]
    fn rounding_helpers() {
        assert_eq!(round(1.5), 2);
        assert_eq!(round(-1.5), -2);
        assert_eq!(round(f32::NAN), 0);
        assert_eq!(round(1e20), i32::MAX);
        assert_eq!(ceil_u32(2.0), 2);
        assert_eq!(ceil_u32(2.01), 3);
        assert_eq!(ceil_u32(-3.0), 0);
        assert_eq!(ceil_u32(1e20), u32::MAX);
    }
}

//! The viewer: a text shown line by line with line numbers in a gutter, scrolled by
//! keys (↑ ↓ one line, PageUp/PageDown or Space a page, Home/End) and by a scroll bar
//! whose thumb can be dragged and whose track pages when clicked. Written against
//! `kpio_guest`'s `Surface`, so it is unit-tested on the build machine.

use kpio_guest::draw::{self, Align, line_height, text_in};
use kpio_guest::{App, Control, Event, Key, MouseButton, Rect, Surface, color};

/// Window size the app asks for.
pub const WIDTH: u32 = 640;
/// Window height the app asks for.
pub const HEIGHT: u32 = 480;

/// Font size of the text and the line numbers.
pub const TEXT_SIZE: u32 = 14;
/// Width of the scroll bar.
pub const BAR_WIDTH: u32 = 14;
/// Smallest thumb height, so it stays grabbable in long texts.
pub const MIN_THUMB: u32 = 24;
const PAD: u32 = 6;

const BACKGROUND: u32 = color::rgb(0xFB, 0xFB, 0xF8);
const TEXT: u32 = color::rgb(0x1F, 0x23, 0x28);
const GUTTER: u32 = color::rgb(0xEC, 0xEE, 0xF0);
const NUMBER: u32 = color::rgb(0x8A, 0x92, 0x9B);
const TRACK: u32 = color::rgb(0xE4, 0xE6, 0xE9);
const THUMB: u32 = color::rgb(0xA0, 0xA7, 0xB0);
const THUMB_DRAG: u32 = color::rgb(0x6B, 0x72, 0x7C);
const MESSAGE: u32 = color::rgb(0xB4, 0x23, 0x18);

/// Splits a text into display lines: `\n` or `\r\n` ends a line, tabs become spaces
/// to the next multiple of 4, other control characters are dropped.
pub fn split_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|l| {
            let mut out = String::new();
            for c in l.strip_suffix('\r').unwrap_or(l).chars() {
                if c == '\t' {
                    let n = 4 - out.chars().count() % 4;
                    out.extend(std::iter::repeat_n(' ', n));
                } else if !c.is_control() {
                    out.push(c);
                }
            }
            out
        })
        .collect();
    // A final newline ends the last line rather than starting an empty one.
    if text.ends_with('\n') {
        lines.pop();
    }
    lines
}

/// The start of `line` that can be visible in a text area `width` pixels wide: no
/// glyph at [`TEXT_SIZE`] is narrower than 2 px, so more characters than `width / 2`
/// are off screen anyway. Sending only those keeps a file with one huge line from
/// exceeding the host's text limit.
pub fn visible_part(line: &str, width: u32) -> &str {
    let max = (width / 2).max(1) as usize;
    match line.char_indices().nth(max) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// Where everything is for a given window size and text length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The line-number column.
    pub gutter: Rect,
    /// Where the text lines go.
    pub text: Rect,
    /// The scroll bar's track (the right edge, full height).
    pub track: Rect,
    /// Height of one line.
    pub line_h: u32,
    /// Lines that fit in the window (at least 1).
    pub visible: usize,
}

impl Layout {
    /// The layout for a `width` × `height` window showing `lines` lines; the gutter is
    /// as wide as the largest line number.
    pub fn new(s: &dyn Surface, width: u32, height: u32, lines: usize) -> Layout {
        let line_h = line_height(TEXT_SIZE);
        let digits = lines.max(1).to_string();
        let gutter_w = s.measure_text(&digits, TEXT_SIZE) + 2 * PAD;
        let (rest, track) =
            Rect::new(0, 0, width, height).split_left(width.saturating_sub(BAR_WIDTH));
        let (gutter, text) = rest.split_left(gutter_w);
        let visible = ((height.saturating_sub(2 * PAD)) / line_h).max(1) as usize;
        Layout {
            gutter,
            text,
            track,
            line_h,
            visible,
        }
    }
}

/// The scroll bar's thumb for `total` lines with `visible` shown from `top`.
pub fn thumb(track: Rect, total: usize, visible: usize, top: usize) -> Rect {
    if total <= visible {
        return track;
    }
    let h = ((track.h as u64 * visible as u64 / total as u64) as u32)
        .max(MIN_THUMB)
        .min(track.h);
    let max_top = (total - visible) as u64;
    let y = (track.h - h) as u64 * top.min(total - visible) as u64 / max_top;
    Rect::new(track.x, track.y + y as i32, track.w, h)
}

/// The first line to show when the thumb's top is dragged to `thumb_y` (the inverse
/// of [`thumb`], rounded to the nearest line).
pub fn top_for_thumb(track: Rect, total: usize, visible: usize, thumb_y: i32) -> usize {
    if total <= visible {
        return 0;
    }
    let t = thumb(track, total, visible, 0);
    let free = (track.h - t.h) as i64;
    if free == 0 {
        return 0;
    }
    let max_top = (total - visible) as i64;
    let off = (thumb_y - track.y) as i64;
    ((off * max_top + free / 2) / free).clamp(0, max_top) as usize
}

/// The text viewer.
#[derive(Debug)]
pub struct Viewer {
    /// The file's name, for messages.
    name: String,
    /// The lines, or why there are none.
    lines: Result<Vec<String>, String>,
    /// The first line shown (0-based).
    top: usize,
    /// While the thumb is dragged: where in the thumb it was grabbed.
    drag: Option<i32>,
}

impl Viewer {
    /// A viewer of `name` with its contents, or the reason they could not be read.
    pub fn new(name: &str, contents: Result<String, String>) -> Viewer {
        Viewer {
            name: name.into(),
            lines: contents.map(|t| split_lines(&t)),
            top: 0,
            drag: None,
        }
    }

    /// The first line shown (0-based).
    pub fn top(&self) -> usize {
        self.top
    }

    fn total(&self) -> usize {
        self.lines.as_ref().map_or(0, Vec::len)
    }

    fn layout(&self, s: &dyn Surface) -> Layout {
        let (w, h) = s.size();
        Layout::new(s, w, h, self.total())
    }

    /// Scrolls so that line `top` is first, kept in range; whether it moved.
    fn scroll_to(&mut self, top: usize, visible: usize) -> bool {
        let top = top.min(self.total().saturating_sub(visible));
        let moved = top != self.top;
        self.top = top;
        moved
    }

    fn redraw_if(moved: bool) -> Control {
        if moved {
            Control::Redraw
        } else {
            Control::Continue
        }
    }
}

impl App for Viewer {
    fn event(&mut self, win: &dyn Surface, event: Event) -> Control {
        let l = self.layout(win);
        let (top, page) = (self.top, l.visible.saturating_sub(1).max(1));
        match event {
            Event::KeyDown { key } => {
                let target = match key {
                    Key::Up => top.saturating_sub(1),
                    Key::Down => top + 1,
                    Key::PageUp => top.saturating_sub(page),
                    Key::PageDown | Key::Char(' ') => top + page,
                    Key::Home => 0,
                    Key::End => usize::MAX,
                    _ => return Control::Continue,
                };
                Viewer::redraw_if(self.scroll_to(target, l.visible))
            }
            Event::MouseDown {
                x,
                y,
                button: MouseButton::Left,
            } if l.track.contains(x, y) => {
                let t = thumb(l.track, self.total(), l.visible, top);
                if t.contains(x, y) {
                    self.drag = Some(y - t.y);
                    Control::Redraw
                } else if y < t.y {
                    Viewer::redraw_if(self.scroll_to(top.saturating_sub(page), l.visible))
                } else {
                    Viewer::redraw_if(self.scroll_to(top + page, l.visible))
                }
            }
            Event::MouseMove { y, .. } => match self.drag {
                Some(grab) => {
                    let target = top_for_thumb(l.track, self.total(), l.visible, y - grab);
                    Viewer::redraw_if(self.scroll_to(target, l.visible))
                }
                None => Control::Continue,
            },
            Event::MouseUp { .. } if self.drag.is_some() => {
                self.drag = None;
                Control::Redraw
            }
            Event::Resize { .. } => {
                // Keep the first line where it is unless the end would leave a gap.
                self.scroll_to(top, l.visible);
                Control::Redraw
            }
            _ => Control::Continue,
        }
    }

    fn draw(&mut self, win: &mut dyn Surface) {
        let (w, h) = win.size();
        win.clear(BACKGROUND);
        let lines = match &self.lines {
            Ok(lines) => lines,
            Err(why) => {
                let area = Rect::new(0, 0, w, h);
                let (upper, lower) = area.split_top(h / 2);
                let msg = format!("Cannot show {}", self.name);
                text_in(win, upper, &msg, 20, MESSAGE, Align::Center);
                // One centred line per line of the reason, below the title.
                let mut rest = lower;
                for part in why.lines() {
                    let (line, below) = rest.split_top(line_height(14) + 4);
                    text_in(win, line, part, 14, TEXT, Align::Center);
                    rest = below;
                }
                return;
            }
        };
        let l = self.layout(win);
        win.rect(l.gutter.x, l.gutter.y, l.gutter.w, l.gutter.h, GUTTER);
        let y0 = PAD as i32;
        let end = (self.top + l.visible).min(lines.len());
        for (row, line) in lines[self.top..end].iter().enumerate() {
            let y = y0 + (row as u32 * l.line_h) as i32;
            let number = (self.top + row + 1).to_string();
            let nw = win.measure_text(&number, TEXT_SIZE);
            let nx = l.gutter.right() - PAD as i32 - nw as i32;
            win.text(nx, y, &number, TEXT_SIZE, NUMBER);
            if !line.is_empty() {
                let shown = visible_part(line, l.text.w);
                win.text(l.text.x + PAD as i32, y, shown, TEXT_SIZE, TEXT);
            }
        }
        // The bar last, so long lines run under it rather than over it.
        win.rect(l.track.x, l.track.y, l.track.w, l.track.h, TRACK);
        if lines.len() > l.visible {
            let t = thumb(l.track, lines.len(), l.visible, self.top);
            let colour = if self.drag.is_some() {
                THUMB_DRAG
            } else {
                THUMB
            };
            draw::rounded_rect(win, t.inset(2), 4, colour);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kpio_guest::{Recorded, Recorder, run_app};

    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("line {i}\n")).collect()
    }

    fn key(key: Key) -> Event {
        Event::KeyDown { key }
    }

    /// The line numbers the last frame showed.
    fn shown_numbers(rec: &Recorder) -> Vec<usize> {
        rec.texts().iter().filter_map(|t| t.parse().ok()).collect()
    }

    fn run(events: Vec<Event>, text: &str) -> (Viewer, Recorder) {
        let mut rec = Recorder::new(WIDTH, HEIGHT);
        rec.script(events);
        let mut v = Viewer::new("/sample.txt", Ok(text.into()));
        run_app(&mut rec, &mut v).unwrap();
        (v, rec)
    }

    #[test]
    fn splits_lines() {
        assert_eq!(split_lines("a\r\nb\n"), ["a", "b"]);
        assert_eq!(split_lines("a\n\nb"), ["a", "", "b"]);
        assert_eq!(split_lines("x\ty\tz"), ["x   y   z"]);
        assert_eq!(split_lines("\tq\u{7}"), ["    q"]);
        // An empty file is one empty line, as editors show it.
        assert_eq!(split_lines(""), [""]);
    }

    #[test]
    fn only_the_visible_start_of_a_long_line_is_drawn() {
        assert_eq!(visible_part("short", 600), "short");
        assert_eq!(visible_part("ééééé", 6), "ééé");
        let long = "x".repeat(1_000_000);
        let (_, rec) = run(vec![], &long);
        let drawn = rec
            .texts()
            .into_iter()
            .find(|t| t.starts_with('x'))
            .unwrap();
        assert!(drawn.len() <= WIDTH as usize / 2, "{}", drawn.len());
    }

    #[test]
    fn first_frame_shows_a_page_with_line_numbers() {
        let (_, rec) = run(vec![], &numbered(300));
        let l = Layout::new(&Recorder::new(WIDTH, HEIGHT), WIDTH, HEIGHT, 300);
        assert_eq!(l.visible, (HEIGHT as usize - 12) / 17);
        let numbers = shown_numbers(&rec);
        assert_eq!(numbers, (1..=l.visible).collect::<Vec<_>>());
        assert!(rec.texts().contains(&"line 1"));
    }

    #[test]
    fn keys_scroll_and_stop_at_the_ends() {
        let visible = Layout::new(&Recorder::new(WIDTH, HEIGHT), WIDTH, HEIGHT, 300).visible;
        let page = visible - 1;
        let cases = [
            (vec![key(Key::Down)], 1),
            (vec![key(Key::Down), key(Key::Down), key(Key::Up)], 1),
            (vec![key(Key::Up)], 0),
            (vec![key(Key::PageDown)], page),
            (vec![key(Key::PageDown), key(Key::PageDown)], 2 * page),
            (vec![key(Key::PageDown), key(Key::PageUp)], 0),
            (vec![key(Key::Char(' '))], page),
            (vec![key(Key::End)], 300 - visible),
            (vec![key(Key::End), key(Key::Down)], 300 - visible),
            (vec![key(Key::End), key(Key::Home)], 0),
        ];
        for (events, top) in cases {
            let (v, rec) = run(events.clone(), &numbered(300));
            assert_eq!(v.top(), top, "{events:?}");
            assert_eq!(shown_numbers(&rec)[0], top + 1, "{events:?}");
        }
        // A key that does not scroll does not redraw.
        let (_, rec) = run(vec![key(Key::Up), key(Key::Char('q'))], &numbered(300));
        assert_eq!(rec.frames(), 1);
    }

    #[test]
    fn short_texts_do_not_scroll() {
        let (v, rec) = run(vec![key(Key::PageDown), key(Key::End)], &numbered(5));
        assert_eq!(v.top(), 0);
        assert_eq!(shown_numbers(&rec), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn thumb_is_proportional_and_inverts() {
        let track = Rect::new(626, 0, 14, 480);
        assert_eq!(thumb(track, 10, 20, 0), track);
        let t = thumb(track, 200, 50, 0);
        assert_eq!((t.y, t.h), (0, 120));
        assert_eq!(thumb(track, 200, 50, 150).bottom(), 480);
        assert_eq!(thumb(track, 200, 50, 75).y, 180);
        // Very long texts keep a grabbable thumb.
        assert_eq!(thumb(track, 100_000, 27, 0).h, MIN_THUMB);
        for top in 0..=150 {
            let t = thumb(track, 200, 50, top);
            assert_eq!(top_for_thumb(track, 200, 50, t.y), top, "top {top}");
        }
        assert_eq!(top_for_thumb(track, 200, 50, -100), 0);
        assert_eq!(top_for_thumb(track, 200, 50, 10_000), 150);
    }

    #[test]
    fn the_scroll_bar_drags_and_pages() {
        let text = numbered(300);
        let rec0 = Recorder::new(WIDTH, HEIGHT);
        let l = Layout::new(&rec0, WIDTH, HEIGHT, 300);
        let t = thumb(l.track, 300, l.visible, 0);
        let x = l.track.x + 5;
        let b = MouseButton::Left;
        // Drag the thumb from its middle down to the bottom: the end of the text.
        let grab = t.y + t.h as i32 / 2;
        let (v, _) = run(
            vec![
                Event::MouseDown {
                    x,
                    y: grab,
                    button: b,
                },
                Event::MouseMove { x, y: grab + 100 },
                Event::MouseMove {
                    x,
                    y: HEIGHT as i32 + 50,
                },
                Event::MouseUp {
                    x,
                    y: HEIGHT as i32 + 50,
                    button: b,
                },
                // Moving after the release does not scroll.
                Event::MouseMove { x, y: 0 },
            ],
            &text,
        );
        assert_eq!(v.top(), 300 - l.visible);
        // Clicking the track below the thumb pages down, above it pages up.
        let below = t.bottom() + 20;
        let (v, _) = run(
            vec![Event::MouseDown {
                x,
                y: below,
                button: b,
            }],
            &text,
        );
        assert_eq!(v.top(), l.visible - 1);
        let (v, _) = run(
            vec![key(Key::End), Event::MouseDown { x, y: 5, button: b }],
            &text,
        );
        assert_eq!(v.top(), 300 - l.visible - (l.visible - 1));
        // Clicks in the text do nothing.
        let (v, rec) = run(
            vec![Event::MouseDown {
                x: 100,
                y: 100,
                button: b,
            }],
            &text,
        );
        assert_eq!((v.top(), rec.frames()), (0, 1));
    }

    #[test]
    fn resizing_relayouts_and_keeps_the_end_filled() {
        let (v, rec) = run(
            vec![key(Key::End), Event::Resize { w: 800, h: 900 }],
            &numbered(100),
        );
        let l = Layout::new(&rec, 800, 900, 100);
        assert_eq!(v.top(), 100 - l.visible);
        assert_eq!(*shown_numbers(&rec).last().unwrap(), 100);
        // The bar moved to the new right edge.
        assert!(rec.ops.iter().any(
            |o| matches!(o, Recorded::Rect { x, h: 900, .. } if *x == 800 - BAR_WIDTH as i32)
        ));
    }

    #[test]
    fn a_missing_file_is_explained_in_the_window() {
        let mut rec = Recorder::new(WIDTH, HEIGHT);
        let why = "No such file or directory\nThe package's data/sample.txt is copied on install.";
        let mut v = Viewer::new("/sample.txt", Err(why.into()));
        rec.script([key(Key::PageDown)]);
        run_app(&mut rec, &mut v).unwrap();
        assert_eq!(
            rec.texts(),
            [
                "Cannot show /sample.txt",
                "No such file or directory",
                "The package's data/sample.txt is copied on install."
            ]
        );
    }
}

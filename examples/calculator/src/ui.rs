//! The calculator's window: layout, drawing and input mapping, written against
//! `kpio_guest`'s `Surface` so it is unit-tested on the build machine with the SDK's
//! `Recorder`.

use kpio_guest::draw::{self, Align, ButtonStyle, text_in};
use kpio_guest::{App, Button, Control, Event, Grid, Key, MouseButton, Rect, Surface, color};

use crate::calc::{Calculator, Input, Op};

/// Window size the app asks for.
pub const WIDTH: u32 = 300;
/// Window height the app asks for.
pub const HEIGHT: u32 = 400;

const BACKGROUND: u32 = color::rgb(0x1E, 0x1F, 0x26);
const DISPLAY: u32 = color::rgb(0x2C, 0x2E, 0x38);
const TEXT: u32 = color::rgb(0xF5, 0xF5, 0xF7);
const HINT: u32 = color::rgb(0x9C, 0xA3, 0xAF);
const ERROR_TEXT: u32 = color::rgb(0xF8, 0x71, 0x71);
const PAD: u32 = 12;
const GAP: u32 = 8;

/// What a key looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Digit,
    Operator,
    Equals,
    Clear,
}

impl Kind {
    fn style(self) -> ButtonStyle {
        let face = match self {
            Kind::Digit => color::rgb(0x3A, 0x3D, 0x4A),
            Kind::Operator => color::rgb(0xF5, 0x9E, 0x0B),
            Kind::Equals => color::rgb(0x3B, 0x82, 0xF6),
            Kind::Clear => color::rgb(0xB9, 0x3A, 0x3A),
        };
        ButtonStyle {
            face,
            pressed: color::lighten(face, 90),
            label: TEXT,
            radius: 10,
            text_size: 24,
        }
    }
}

/// The keypad: label, input, grid position (column, row, columns spanned, rows
/// spanned) and look. Four columns, five rows; `=` is two rows tall, `0` two wide.
const KEYS: [(&str, Input, [u32; 4], Kind); 18] = [
    ("C", Input::Clear, [0, 0, 1, 1], Kind::Clear),
    ("⌫", Input::Backspace, [1, 0, 1, 1], Kind::Operator),
    ("÷", Input::Op(Op::Div), [2, 0, 1, 1], Kind::Operator),
    ("×", Input::Op(Op::Mul), [3, 0, 1, 1], Kind::Operator),
    ("7", Input::Digit(7), [0, 1, 1, 1], Kind::Digit),
    ("8", Input::Digit(8), [1, 1, 1, 1], Kind::Digit),
    ("9", Input::Digit(9), [2, 1, 1, 1], Kind::Digit),
    ("−", Input::Op(Op::Sub), [3, 1, 1, 1], Kind::Operator),
    ("4", Input::Digit(4), [0, 2, 1, 1], Kind::Digit),
    ("5", Input::Digit(5), [1, 2, 1, 1], Kind::Digit),
    ("6", Input::Digit(6), [2, 2, 1, 1], Kind::Digit),
    ("+", Input::Op(Op::Add), [3, 2, 1, 1], Kind::Operator),
    ("1", Input::Digit(1), [0, 3, 1, 1], Kind::Digit),
    ("2", Input::Digit(2), [1, 3, 1, 1], Kind::Digit),
    ("3", Input::Digit(3), [2, 3, 1, 1], Kind::Digit),
    ("=", Input::Equals, [3, 3, 1, 2], Kind::Equals),
    ("0", Input::Digit(0), [0, 4, 2, 1], Kind::Digit),
    (".", Input::Point, [2, 4, 1, 1], Kind::Digit),
];

/// Where everything is for a window of a given size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The number display.
    pub display: Rect,
    /// The keys, in [`KEYS`] order.
    pub buttons: Vec<Button<'static>>,
}

impl Layout {
    /// The layout for a `width` × `height` window: the display takes the top quarter
    /// (at least 60 px), the keypad the rest.
    pub fn new(width: u32, height: u32) -> Layout {
        let area = Rect::new(0, 0, width, height).inset(PAD);
        let (display, keypad) = area.split_top((height / 4).max(60).min(area.h));
        let keypad = Rect::new(
            keypad.x,
            keypad.y + GAP as i32,
            keypad.w,
            keypad.h.saturating_sub(GAP),
        );
        let grid = Grid::new(keypad, 4, 5, GAP);
        let buttons = KEYS
            .iter()
            .map(|&(label, _, [c, r, sc, sr], kind)| {
                Button::new(grid.span(c, r, sc, sr), label, kind.style())
            })
            .collect();
        Layout { display, buttons }
    }

    /// The index of the key at (x, y).
    pub fn hit(&self, x: i32, y: i32) -> Option<usize> {
        self.buttons.iter().position(|b| b.contains(x, y))
    }
}

/// The keyboard's meaning: digits, `.` or `,`, `+ - * /` (and `x`, `×`, `÷`), `=` or
/// Enter, Escape or `c` for C, Backspace or Delete for ⌫.
pub fn key_input(key: Key) -> Option<Input> {
    Some(match key {
        Key::Char(c @ '0'..='9') => Input::Digit(c as u8 - b'0'),
        Key::Char('.' | ',') => Input::Point,
        Key::Char('+') => Input::Op(Op::Add),
        Key::Char('-' | '−') => Input::Op(Op::Sub),
        Key::Char('*' | 'x' | 'X' | '×') => Input::Op(Op::Mul),
        Key::Char('/' | '÷') => Input::Op(Op::Div),
        Key::Char('=') | Key::Enter => Input::Equals,
        Key::Char('c' | 'C') | Key::Escape => Input::Clear,
        Key::Backspace | Key::Delete => Input::Backspace,
        _ => return None,
    })
}

/// The largest font size (from `start` down to 10) at which `text` fits `width`.
fn fitting_size(s: &dyn Surface, text: &str, start: u32, width: u32) -> u32 {
    let mut size = start;
    while size > 10 && s.measure_text(text, size) > width {
        size -= 2;
    }
    size
}

/// The calculator app: the arithmetic plus which key is shown pressed.
#[derive(Debug, Default)]
pub struct CalcApp {
    /// The arithmetic state.
    pub calc: Calculator,
    /// The key drawn pressed (mouse held on it, or its keyboard key held).
    pressed: Option<usize>,
}

impl CalcApp {
    /// A cleared calculator.
    pub fn new() -> CalcApp {
        CalcApp::default()
    }
}

impl App for CalcApp {
    fn event(&mut self, win: &dyn Surface, event: Event) -> Control {
        let (w, h) = win.size();
        match event {
            // Keys act when pressed (a click acts at once, like a physical keypad);
            // the face stays lit until the button or key is released.
            Event::MouseDown {
                x,
                y,
                button: MouseButton::Left,
            } => match Layout::new(w, h).hit(x, y) {
                Some(i) => {
                    self.calc.press(KEYS[i].1);
                    self.pressed = Some(i);
                    Control::Redraw
                }
                None => Control::Continue,
            },
            Event::MouseUp { .. } | Event::KeyUp { .. } if self.pressed.is_some() => {
                self.pressed = None;
                Control::Redraw
            }
            Event::KeyDown { key } => match key_input(key) {
                Some(input) => {
                    self.calc.press(input);
                    self.pressed = KEYS.iter().position(|k| k.1 == input);
                    Control::Redraw
                }
                None => Control::Continue,
            },
            Event::Resize { .. } => Control::Redraw,
            _ => Control::Continue,
        }
    }

    fn draw(&mut self, win: &mut dyn Surface) {
        let (w, h) = win.size();
        let layout = Layout::new(w, h);
        win.clear(BACKGROUND);
        draw::rounded_rect(win, layout.display, 12, DISPLAY);

        let inner = layout.display.inset(PAD);
        if let Some(op) = self.calc.pending_op() {
            let sign = match op {
                Op::Add => "+",
                Op::Sub => "−",
                Op::Mul => "×",
                Op::Div => "÷",
            };
            win.text(inner.x, inner.y, sign, 18, HINT);
        }
        let text = self.calc.display();
        let colour = if text == "Error" { ERROR_TEXT } else { TEXT };
        let size = fitting_size(win, &text, 44, inner.w);
        let (_, number) = inner.split_top(inner.h / 3);
        text_in(win, number, &text, size, colour, Align::Right);

        for (i, b) in layout.buttons.iter().enumerate() {
            b.draw(win, self.pressed == Some(i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kpio_guest::{Recorded as Drawn, Recorder, run_app};

    fn centre(r: Rect) -> (i32, i32) {
        (r.x + r.w as i32 / 2, r.y + r.h as i32 / 2)
    }

    /// Clicks (down and up) on the keys with these labels.
    fn clicks(labels: &[&str]) -> Vec<Event> {
        let layout = Layout::new(WIDTH, HEIGHT);
        let mut events = Vec::new();
        for l in labels {
            let i = KEYS.iter().position(|k| k.0 == *l).expect(l);
            let (x, y) = centre(layout.buttons[i].rect);
            let button = MouseButton::Left;
            events.push(Event::MouseDown { x, y, button });
            events.push(Event::MouseUp { x, y, button });
        }
        events
    }

    /// The big number the last frame showed (the last text drawn before the keys).
    fn shown(rec: &Recorder) -> String {
        let texts = rec.texts();
        let labels: Vec<&str> = KEYS.iter().map(|k| k.0).collect();
        texts[..texts.len() - labels.len()]
            .last()
            .expect("a number")
            .to_string()
    }

    #[test]
    fn keys_tile_the_keypad_without_overlap() {
        let l = Layout::new(WIDTH, HEIGHT);
        for (i, a) in l.buttons.iter().enumerate() {
            assert!(a.rect.w >= 40 && a.rect.h >= 40, "{} {:?}", a.label, a.rect);
            assert!(a.rect.right() <= WIDTH as i32 && a.rect.bottom() <= HEIGHT as i32);
            assert!(a.rect.y >= l.display.bottom());
            for b in &l.buttons[i + 1..] {
                let overlap = a.rect.x < b.rect.right()
                    && b.rect.x < a.rect.right()
                    && a.rect.y < b.rect.bottom()
                    && b.rect.y < a.rect.bottom();
                assert!(!overlap, "{} and {}", a.label, b.label);
            }
            assert_eq!(l.hit(centre(a.rect).0, centre(a.rect).1), Some(i));
        }
        // The gaps and the display hit nothing.
        assert_eq!(l.hit(5, 5), None);
        assert_eq!(l.hit(centre(l.display).0, centre(l.display).1), None);
    }

    #[test]
    fn clicking_1_plus_2_equals_shows_3() {
        let mut rec = Recorder::new(WIDTH, HEIGHT);
        rec.script(clicks(&["1", "+", "2", "="]));
        run_app(&mut rec, &mut CalcApp::new()).unwrap();
        assert_eq!(shown(&rec), "3");
        // Nothing is drawn without a reason: the first frame plus one per batch.
        assert_eq!(rec.frames(), 2);
    }

    #[test]
    fn typing_on_the_keyboard() {
        let mut rec = Recorder::new(WIDTH, HEIGHT);
        let keys = "0.1+0.2\r".chars().map(|c| Event::KeyDown {
            key: Key::from_code(c as u32),
        });
        rec.script(keys);
        let mut app = CalcApp::new();
        run_app(&mut rec, &mut app).unwrap();
        assert_eq!(app.calc.display(), "0.3");
        assert_eq!(shown(&rec), "0.3");

        for (key, input) in [
            (Key::Escape, Some(Input::Clear)),
            (Key::Char('c'), Some(Input::Clear)),
            (Key::Backspace, Some(Input::Backspace)),
            (Key::Enter, Some(Input::Equals)),
            (Key::Char('*'), Some(Input::Op(Op::Mul))),
            (Key::Char('/'), Some(Input::Op(Op::Div))),
            (Key::Char('-'), Some(Input::Op(Op::Sub))),
            (Key::Char('q'), None),
            (Key::Up, None),
        ] {
            assert_eq!(key_input(key), input, "{key:?}");
        }
    }

    #[test]
    fn division_by_zero_shows_error_in_red() {
        let mut rec = Recorder::new(WIDTH, HEIGHT);
        rec.script(clicks(&["7", "÷", "0", "="]));
        run_app(&mut rec, &mut CalcApp::new()).unwrap();
        assert_eq!(shown(&rec), "Error");
        assert!(rec.ops.iter().any(|o| matches!(
            o,
            Drawn::Text { text, argb, .. } if text == "Error" && *argb == ERROR_TEXT
        )));
    }

    #[test]
    fn long_numbers_shrink_to_fit_the_display() {
        let mut rec = Recorder::new(WIDTH, HEIGHT);
        rec.script(clicks(&["1", "÷", "3", "="]));
        run_app(&mut rec, &mut CalcApp::new()).unwrap();
        let inner = Layout::new(WIDTH, HEIGHT).display.inset(PAD);
        let (x, size) = rec
            .ops
            .iter()
            .rev()
            .find_map(|o| match o {
                Drawn::Text { text, x, size, .. } if text == "0.333333333333" => Some((*x, *size)),
                _ => None,
            })
            .expect("the quotient was drawn");
        assert!(size < 44 && x >= inner.x, "size {size} at x {x}");
        // Right-aligned: it ends at the display's inner right edge.
        let width = 14 * Recorder::char_width(size) as i32;
        assert_eq!(x + width, inner.right());
    }

    #[test]
    fn a_resize_relayouts() {
        let mut rec = Recorder::new(WIDTH, HEIGHT);
        let mut events = vec![Event::Resize { w: 600, h: 800 }];
        // Click where "5" is in the bigger layout.
        let five = Layout::new(600, 800).buttons[9].rect;
        let (x, y) = centre(five);
        events.push(Event::MouseDown {
            x,
            y,
            button: MouseButton::Left,
        });
        rec.script(events);
        let mut app = CalcApp::new();
        run_app(&mut rec, &mut app).unwrap();
        assert_eq!(app.calc.display(), "5");
    }
}

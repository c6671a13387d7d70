//! Input events: decoding the 24-byte event record `poll_event` writes, key codes and
//! mouse buttons.
//!
//! The record is six little-endian 32-bit fields: `kind`, `key_code`, `mouse_x`,
//! `mouse_y`, `width`, `height` (see [`RawEvent`]).

/// Size in bytes of the event record `poll_event` writes.
pub const EVENT_SIZE: usize = 24;

/// Event kinds (the record's first field).
pub mod kind {
    /// No event (never returned by a successful `poll_event`).
    pub const NONE: u32 = 0;
    /// A key was pressed (or auto-repeated).
    pub const KEY_DOWN: u32 = 1;
    /// A key was released.
    pub const KEY_UP: u32 = 2;
    /// The mouse moved over the window's content.
    pub const MOUSE_MOVE: u32 = 3;
    /// A mouse button was pressed.
    pub const MOUSE_DOWN: u32 = 4;
    /// A mouse button was released.
    pub const MOUSE_UP: u32 = 5;
    /// The user asked to close the window.
    pub const CLOSE: u32 = 6;
    /// The window's content was resized.
    pub const RESIZE: u32 = 7;
}

/// Key codes of keys that do not type a character. A key that types a character
/// reports its Unicode scalar value after Shift (`'1'`, `'+'`, `'a'`, `'A'`).
pub mod keycode {
    /// Backspace.
    pub const BACKSPACE: u32 = 8;
    /// Tab.
    pub const TAB: u32 = 9;
    /// Enter / Return.
    pub const ENTER: u32 = 13;
    /// Escape.
    pub const ESCAPE: u32 = 27;
    /// Delete (forward delete).
    pub const DELETE: u32 = 127;
    /// Arrow up.
    pub const UP: u32 = 0x11_0001;
    /// Arrow down.
    pub const DOWN: u32 = 0x11_0002;
    /// Arrow left.
    pub const LEFT: u32 = 0x11_0003;
    /// Arrow right.
    pub const RIGHT: u32 = 0x11_0004;
    /// Page up.
    pub const PAGE_UP: u32 = 0x11_0005;
    /// Page down.
    pub const PAGE_DOWN: u32 = 0x11_0006;
    /// Home.
    pub const HOME: u32 = 0x11_0007;
    /// End.
    pub const END: u32 = 0x11_0008;
    /// F1; Fn is `F1 - 1 + n` for n = 1..=12.
    pub const F1: u32 = 0x11_0011;
    /// Shift (either).
    pub const SHIFT: u32 = 0x11_0020;
    /// Control (either).
    pub const CONTROL: u32 = 0x11_0021;
    /// Alt (either).
    pub const ALT: u32 = 0x11_0022;
}

/// The event record exactly as the host writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct RawEvent {
    /// One of [`kind`].
    pub kind: u32,
    /// The key ([`Key::from_code`]) or, for mouse buttons, the button (0 left, 1 right,
    /// 2 middle).
    pub key_code: u32,
    /// Mouse x in window-content coordinates.
    pub mouse_x: i32,
    /// Mouse y in window-content coordinates.
    pub mouse_y: i32,
    /// The window's content width.
    pub width: u32,
    /// The window's content height.
    pub height: u32,
}

const _: () = assert!(core::mem::size_of::<RawEvent>() == EVENT_SIZE);

impl RawEvent {
    /// Reads the record from its 24 little-endian bytes.
    pub fn from_bytes(b: &[u8; EVENT_SIZE]) -> RawEvent {
        let u = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        RawEvent {
            kind: u(0),
            key_code: u(4),
            mouse_x: u(8) as i32,
            mouse_y: u(12) as i32,
            width: u(16),
            height: u(20),
        }
    }

    /// The record's 24 little-endian bytes.
    pub fn to_bytes(&self) -> [u8; EVENT_SIZE] {
        let mut b = [0; EVENT_SIZE];
        let fields = [
            self.kind,
            self.key_code,
            self.mouse_x as u32,
            self.mouse_y as u32,
            self.width,
            self.height,
        ];
        for (i, f) in fields.iter().enumerate() {
            b[i * 4..i * 4 + 4].copy_from_slice(&f.to_le_bytes());
        }
        b
    }
}

/// A keyboard key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// A key that types this character (after Shift).
    Char(char),
    /// Enter / Return.
    Enter,
    /// Backspace.
    Backspace,
    /// Tab.
    Tab,
    /// Escape.
    Escape,
    /// Delete (forward delete).
    Delete,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Home.
    Home,
    /// End.
    End,
    /// A function key F1..=F12 (the number).
    F(u8),
    /// Shift.
    Shift,
    /// Control.
    Control,
    /// Alt.
    Alt,
    /// A code this SDK does not know.
    Other(u32),
}

impl Key {
    /// The key for an ABI key code.
    pub fn from_code(code: u32) -> Key {
        use keycode::*;
        match code {
            BACKSPACE => Key::Backspace,
            TAB => Key::Tab,
            ENTER => Key::Enter,
            ESCAPE => Key::Escape,
            DELETE => Key::Delete,
            UP => Key::Up,
            DOWN => Key::Down,
            LEFT => Key::Left,
            RIGHT => Key::Right,
            PAGE_UP => Key::PageUp,
            PAGE_DOWN => Key::PageDown,
            HOME => Key::Home,
            END => Key::End,
            c if (F1..F1 + 12).contains(&c) => Key::F((c - F1 + 1) as u8),
            SHIFT => Key::Shift,
            CONTROL => Key::Control,
            ALT => Key::Alt,
            // Other control characters do not type anything.
            c if c >= 0x20 => char::from_u32(c).map_or(Key::Other(c), Key::Char),
            c => Key::Other(c),
        }
    }

    /// The ABI key code of this key.
    pub fn code(self) -> u32 {
        use keycode::*;
        match self {
            Key::Char(c) => c as u32,
            Key::Enter => ENTER,
            Key::Backspace => BACKSPACE,
            Key::Tab => TAB,
            Key::Escape => ESCAPE,
            Key::Delete => DELETE,
            Key::Up => UP,
            Key::Down => DOWN,
            Key::Left => LEFT,
            Key::Right => RIGHT,
            Key::PageUp => PAGE_UP,
            Key::PageDown => PAGE_DOWN,
            Key::Home => HOME,
            Key::End => END,
            Key::F(n) => F1 - 1 + n as u32,
            Key::Shift => SHIFT,
            Key::Control => CONTROL,
            Key::Alt => ALT,
            Key::Other(c) => c,
        }
    }
}

/// A mouse button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MouseButton {
    /// The primary (left) button, code 0.
    Left,
    /// The secondary (right) button, code 1.
    Right,
    /// The middle button, code 2.
    Middle,
    /// Another button (its code).
    Other(u32),
}

impl MouseButton {
    /// The button for an ABI button code.
    pub fn from_code(code: u32) -> MouseButton {
        match code {
            0 => MouseButton::Left,
            1 => MouseButton::Right,
            2 => MouseButton::Middle,
            c => MouseButton::Other(c),
        }
    }

    /// The ABI code of this button.
    pub fn code(self) -> u32 {
        match self {
            MouseButton::Left => 0,
            MouseButton::Right => 1,
            MouseButton::Middle => 2,
            MouseButton::Other(c) => c,
        }
    }
}

/// An input event for a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A key was pressed (repeats while held).
    KeyDown {
        /// The key.
        key: Key,
    },
    /// A key was released.
    KeyUp {
        /// The key.
        key: Key,
    },
    /// The mouse moved to (x, y) in window-content coordinates.
    MouseMove {
        /// x in pixels from the content's left edge.
        x: i32,
        /// y in pixels from the content's top edge.
        y: i32,
    },
    /// A mouse button was pressed at (x, y).
    MouseDown {
        /// x in pixels from the content's left edge.
        x: i32,
        /// y in pixels from the content's top edge.
        y: i32,
        /// Which button.
        button: MouseButton,
    },
    /// A mouse button was released at (x, y).
    MouseUp {
        /// x in pixels from the content's left edge.
        x: i32,
        /// y in pixels from the content's top edge.
        y: i32,
        /// Which button.
        button: MouseButton,
    },
    /// The user asked to close the window (the close button, or the desktop closing).
    Close,
    /// The window's content is now `w` × `h` pixels.
    Resize {
        /// New content width.
        w: u32,
        /// New content height.
        h: u32,
    },
}

impl Event {
    /// The event a raw record describes; `None` for kind 0 and unknown kinds (a newer
    /// host's events an app built with this SDK cannot know).
    pub fn from_raw(r: &RawEvent) -> Option<Event> {
        let (x, y) = (r.mouse_x, r.mouse_y);
        Some(match r.kind {
            kind::KEY_DOWN => Event::KeyDown {
                key: Key::from_code(r.key_code),
            },
            kind::KEY_UP => Event::KeyUp {
                key: Key::from_code(r.key_code),
            },
            kind::MOUSE_MOVE => Event::MouseMove { x, y },
            kind::MOUSE_DOWN => Event::MouseDown {
                x,
                y,
                button: MouseButton::from_code(r.key_code),
            },
            kind::MOUSE_UP => Event::MouseUp {
                x,
                y,
                button: MouseButton::from_code(r.key_code),
            },
            kind::CLOSE => Event::Close,
            kind::RESIZE => Event::Resize {
                w: r.width,
                h: r.height,
            },
            _ => return None,
        })
    }

    /// Decodes the 24 bytes `poll_event` wrote.
    pub fn decode(bytes: &[u8; EVENT_SIZE]) -> Option<Event> {
        Event::from_raw(&RawEvent::from_bytes(bytes))
    }

    /// The raw record for this event (the inverse of [`Event::from_raw`]; fields the
    /// event does not use are 0). Useful to script events in tests.
    pub fn to_raw(&self) -> RawEvent {
        let mut r = RawEvent::default();
        match *self {
            Event::KeyDown { key } => {
                r.kind = kind::KEY_DOWN;
                r.key_code = key.code();
            }
            Event::KeyUp { key } => {
                r.kind = kind::KEY_UP;
                r.key_code = key.code();
            }
            Event::MouseMove { x, y } => {
                r.kind = kind::MOUSE_MOVE;
                (r.mouse_x, r.mouse_y) = (x, y);
            }
            Event::MouseDown { x, y, button } => {
                r.kind = kind::MOUSE_DOWN;
                r.key_code = button.code();
                (r.mouse_x, r.mouse_y) = (x, y);
            }
            Event::MouseUp { x, y, button } => {
                r.kind = kind::MOUSE_UP;
                r.key_code = button.code();
                (r.mouse_x, r.mouse_y) = (x, y);
            }
            Event::Close => r.kind = kind::CLOSE,
            Event::Resize { w, h } => {
                r.kind = kind::RESIZE;
                (r.width, r.height) = (w, h);
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(fields: [u32; 6]) -> [u8; 24] {
        let mut b = [0; 24];
        for (i, f) in fields.iter().enumerate() {
            b[i * 4..i * 4 + 4].copy_from_slice(&f.to_le_bytes());
        }
        b
    }

    #[test]
    fn decodes_each_kind() {
        assert_eq!(
            Event::decode(&bytes([1, '+' as u32, 0, 0, 300, 400])),
            Some(Event::KeyDown {
                key: Key::Char('+')
            })
        );
        assert_eq!(
            Event::decode(&bytes([2, 13, 0, 0, 0, 0])),
            Some(Event::KeyUp { key: Key::Enter })
        );
        assert_eq!(
            Event::decode(&bytes([3, 0, 10, (-5i32) as u32, 0, 0])),
            Some(Event::MouseMove { x: 10, y: -5 })
        );
        assert_eq!(
            Event::decode(&bytes([4, 1, 7, 8, 0, 0])),
            Some(Event::MouseDown {
                x: 7,
                y: 8,
                button: MouseButton::Right
            })
        );
        assert_eq!(
            Event::decode(&bytes([5, 0, 7, 8, 0, 0])),
            Some(Event::MouseUp {
                x: 7,
                y: 8,
                button: MouseButton::Left
            })
        );
        assert_eq!(
            Event::decode(&bytes([6, 0, 0, 0, 0, 0])),
            Some(Event::Close)
        );
        assert_eq!(
            Event::decode(&bytes([7, 0, 0, 0, 640, 480])),
            Some(Event::Resize { w: 640, h: 480 })
        );
        assert_eq!(Event::decode(&bytes([0, 0, 0, 0, 0, 0])), None);
        assert_eq!(Event::decode(&bytes([99, 0, 0, 0, 0, 0])), None);
    }

    #[test]
    fn key_codes_follow_the_contract() {
        let cases = [
            (8, Key::Backspace),
            (9, Key::Tab),
            (13, Key::Enter),
            (27, Key::Escape),
            (127, Key::Delete),
            (0x110001, Key::Up),
            (0x110002, Key::Down),
            (0x110003, Key::Left),
            (0x110004, Key::Right),
            (0x110005, Key::PageUp),
            (0x110006, Key::PageDown),
            (0x110007, Key::Home),
            (0x110008, Key::End),
            (0x110011, Key::F(1)),
            (0x11001C, Key::F(12)),
            (0x110020, Key::Shift),
            (0x110021, Key::Control),
            (0x110022, Key::Alt),
            ('1' as u32, Key::Char('1')),
            ('A' as u32, Key::Char('A')),
            (' ' as u32, Key::Char(' ')),
            ('é' as u32, Key::Char('é')),
            (1, Key::Other(1)),
            (0x11001D, Key::Other(0x11001D)),
            (0xD800, Key::Other(0xD800)),
        ];
        for (code, key) in cases {
            assert_eq!(Key::from_code(code), key, "{code:#x}");
            assert_eq!(key.code(), code, "{key:?}");
        }
    }

    #[test]
    fn events_round_trip_through_bytes() {
        let events = [
            Event::KeyDown { key: Key::PageDown },
            Event::KeyUp {
                key: Key::Char('x'),
            },
            Event::MouseMove { x: -3, y: 4000 },
            Event::MouseDown {
                x: 1,
                y: 2,
                button: MouseButton::Middle,
            },
            Event::MouseUp {
                x: 1,
                y: 2,
                button: MouseButton::Other(7),
            },
            Event::Close,
            Event::Resize { w: 1, h: 4096 },
        ];
        for e in events {
            assert_eq!(Event::decode(&e.to_raw().to_bytes()), Some(e));
        }
    }
}

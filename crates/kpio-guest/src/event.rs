//! Input events: decoding the 24-byte event record `poll_event` writes into [`Event`]s.
//! The record's layout, the event kinds, key codes and mouse buttons are `kpio-abi`'s
//! (shared with the host), re-exported here.
//!
//! The record is six little-endian 32-bit fields: `kind`, `key_code`, `mouse_x`,
//! `mouse_y`, `width`, `height` (see [`RawEvent`]).

pub use kpio_abi::{EVENT_SIZE, EventKind, Key, MouseButton};

/// The event record exactly as the host writes it (`kpio-abi`'s [`EventRecord`]:
/// `from_bytes`, `to_bytes`; `kind` is an [`EventKind`]).
///
/// [`EventRecord`]: kpio_abi::EventRecord
pub use kpio_abi::EventRecord as RawEvent;

/// Key codes of keys that do not type a character (`kpio-abi`'s `key` module). A key
/// that types a character reports its Unicode scalar value after Shift (`'1'`, `'+'`,
/// `'a'`, `'A'`).
pub use kpio_abi::key as keycode;

/// Event kinds (the record's first field) as plain numbers, for code that reads the
/// record's `kind` as a `u32` ([`EventKind`] is the typed form).
pub mod kind {
    use kpio_abi::EventKind;

    /// No event (never returned by a successful `poll_event`).
    pub const NONE: u32 = EventKind::None.code();
    /// A key was pressed (or auto-repeated).
    pub const KEY_DOWN: u32 = EventKind::KeyDown.code();
    /// A key was released.
    pub const KEY_UP: u32 = EventKind::KeyUp.code();
    /// The mouse moved over the window's content.
    pub const MOUSE_MOVE: u32 = EventKind::MouseMove.code();
    /// A mouse button was pressed.
    pub const MOUSE_DOWN: u32 = EventKind::MouseDown.code();
    /// A mouse button was released.
    pub const MOUSE_UP: u32 = EventKind::MouseUp.code();
    /// The user asked to close the window.
    pub const CLOSE: u32 = EventKind::Close.code();
    /// The window's content was resized.
    pub const RESIZE: u32 = EventKind::Resize.code();
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
    /// The event a raw record describes; `None` for kind 0 (`none`).
    pub fn from_raw(r: &RawEvent) -> Option<Event> {
        let (x, y) = (r.mouse_x, r.mouse_y);
        Some(match r.kind {
            EventKind::KeyDown => Event::KeyDown {
                key: Key::from_code(r.key_code),
            },
            EventKind::KeyUp => Event::KeyUp {
                key: Key::from_code(r.key_code),
            },
            EventKind::MouseMove => Event::MouseMove { x, y },
            EventKind::MouseDown => Event::MouseDown {
                x,
                y,
                button: MouseButton::from_code(r.key_code),
            },
            EventKind::MouseUp => Event::MouseUp {
                x,
                y,
                button: MouseButton::from_code(r.key_code),
            },
            EventKind::Close => Event::Close,
            EventKind::Resize => Event::Resize {
                w: r.width,
                h: r.height,
            },
            EventKind::None => return None,
        })
    }

    /// Decodes the 24 bytes `poll_event` wrote; `None` for kind 0 and unknown kinds (a
    /// newer host's events an app built with this SDK cannot know).
    pub fn decode(bytes: &[u8; EVENT_SIZE]) -> Option<Event> {
        RawEvent::from_bytes(bytes).and_then(|r| Event::from_raw(&r))
    }

    /// The raw record for this event (the inverse of [`Event::from_raw`]; fields the
    /// event does not use are 0). Useful to script events in tests.
    pub fn to_raw(&self) -> RawEvent {
        let mut r = RawEvent::default();
        match *self {
            Event::KeyDown { key } => {
                r.kind = EventKind::KeyDown;
                r.key_code = key.code();
            }
            Event::KeyUp { key } => {
                r.kind = EventKind::KeyUp;
                r.key_code = key.code();
            }
            Event::MouseMove { x, y } => {
                r.kind = EventKind::MouseMove;
                (r.mouse_x, r.mouse_y) = (x, y);
            }
            Event::MouseDown { x, y, button } => {
                r.kind = EventKind::MouseDown;
                r.key_code = button.code();
                (r.mouse_x, r.mouse_y) = (x, y);
            }
            Event::MouseUp { x, y, button } => {
                r.kind = EventKind::MouseUp;
                r.key_code = button.code();
                (r.mouse_x, r.mouse_y) = (x, y);
            }
            Event::Close => r.kind = EventKind::Close,
            Event::Resize { w, h } => {
                r.kind = EventKind::Resize;
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

//! Key codes of `key_down` / `key_up` events, as constants and as the typed [`Key`].
//!
//! A key that types a character reports that character's Unicode scalar value after
//! Shift (`'1'`, `'+'`, `'a'`, `'A'`); the others use the constants below: the ASCII
//! control characters where ASCII has one, else values above U+10FFFF, so no code is ever
//! both a character and a special key.

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
/// F1; F`n` is `F1 - 1 + n` for n = 1..=12 (see [`function`]).
pub const F1: u32 = 0x11_0011;
/// Shift (either).
pub const SHIFT: u32 = 0x11_0020;
/// Control (either).
pub const CONTROL: u32 = 0x11_0021;
/// Alt (either).
pub const ALT: u32 = 0x11_0022;

/// The code of function key F`n` (`n` in 1..=12), else `None`.
pub const fn function(n: u32) -> Option<u32> {
    if n >= 1 && n <= 12 {
        Some(F1 - 1 + n)
    } else {
        None
    }
}

/// The left mouse button, in `key_code` of `mouse_down` / `mouse_up`
/// ([`MouseButton::Left`](crate::MouseButton::Left)).
pub const MOUSE_LEFT: u32 = 0;
/// The right mouse button ([`MouseButton::Right`](crate::MouseButton::Right)).
pub const MOUSE_RIGHT: u32 = 1;
/// The middle mouse button ([`MouseButton::Middle`](crate::MouseButton::Middle)).
pub const MOUSE_MIDDLE: u32 = 2;

/// A keyboard key: the typed form of a key code.
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
    /// Function key F`n`, n = 1..=12 (other values map to code `0x110010 + n` all the
    /// same).
    F(u8),
    /// Shift.
    Shift,
    /// Control.
    Control,
    /// Alt.
    Alt,
    /// A code no variant above stands for (a newer host's key, a control character).
    Other(u32),
}

impl Key {
    /// The key for an ABI key code.
    pub fn from_code(code: u32) -> Key {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_codes_match_the_contract() {
        assert_eq!(function(1), Some(0x11_0011));
        assert_eq!(function(12), Some(0x11_001c));
        assert_eq!(function(0), None);
        assert_eq!(function(13), None);
        assert_eq!(F1, 0x11_0011);
        assert!(UP > char::MAX as u32);
    }

    #[test]
    fn keys_round_trip_through_codes() {
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
            ('+' as u32, Key::Char('+')),
            ('A' as u32, Key::Char('A')),
            ('é' as u32, Key::Char('é')),
            (1, Key::Other(1)),
            (0x11001D, Key::Other(0x11001D)),
            (0xD800, Key::Other(0xD800)),
        ];
        for (code, key) in cases {
            assert_eq!(Key::from_code(code), key, "{code:#x}");
            assert_eq!(key.code(), code, "{key:?}");
        }
        for n in 1..=12u8 {
            assert_eq!(function(n.into()), Some(Key::F(n).code()));
        }
    }
}

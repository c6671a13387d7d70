//! Input the platform feeds the shell (mouse, keys, wheel) and its mapping onto the
//! `kpio_gui` ABI's key codes and mouse buttons.

/// One input event from the platform, in screen coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputEvent {
    MouseMove {
        x: i32,
        y: i32,
    },
    MouseDown {
        x: i32,
        y: i32,
        button: MouseButton,
    },
    MouseUp {
        x: i32,
        y: i32,
        button: MouseButton,
    },
    KeyDown {
        key: Key,
    },
    KeyUp {
        key: Key,
    },
    /// Wheel: positive `dy` scrolls down. Scrolls the notification panel and the launcher
    /// menu; the ABI has no wheel event, so apps never see it.
    Scroll {
        dy: i32,
    },
}

/// Mouse buttons, with the ABI's button numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MouseButton {
    Left,
    Right,
    Middle,
}

impl MouseButton {
    /// The ABI's button number (`key_code` of mouse_down/mouse_up): 0 left, 1 right, 2 middle.
    pub fn code(self) -> u32 {
        match self {
            MouseButton::Left => 0,
            MouseButton::Right => 1,
            MouseButton::Middle => 2,
        }
    }
}

/// A key. `Char` carries the character the key types after Shift ('A', '+').
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Enter,
    Backspace,
    Tab,
    Escape,
    Delete,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    /// Function key n (1..=12; other values map to key code 0x110010 + n all the same).
    F(u8),
    Shift,
    Control,
    Alt,
}

/// Base of the ABI's codes for keys that type no character (above the last Unicode scalar).
const SPECIAL: u32 = 0x11_0000;

impl Key {
    /// The ABI's `key_code` for this key (see the contract: Unicode scalar for characters,
    /// ASCII control codes for Backspace/Tab/Enter/Escape/Delete, 0x110000+ for the rest).
    pub fn code(self) -> u32 {
        match self {
            Key::Char(c) => c as u32,
            Key::Backspace => 8,
            Key::Tab => 9,
            Key::Enter => 13,
            Key::Escape => 27,
            Key::Delete => 127,
            Key::Up => SPECIAL + 1,
            Key::Down => SPECIAL + 2,
            Key::Left => SPECIAL + 3,
            Key::Right => SPECIAL + 4,
            Key::PageUp => SPECIAL + 5,
            Key::PageDown => SPECIAL + 6,
            Key::Home => SPECIAL + 7,
            Key::End => SPECIAL + 8,
            Key::F(n) => SPECIAL + 0x10 + u32::from(n),
            Key::Shift => SPECIAL + 0x20,
            Key::Control => SPECIAL + 0x21,
            Key::Alt => SPECIAL + 0x22,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_codes_match_the_abi() {
        assert_eq!(Key::Char('1').code(), 0x31);
        assert_eq!(Key::Char('+').code(), 0x2B);
        assert_eq!(Key::Char('A').code(), 65);
        assert_eq!(Key::Char('é').code(), 0xE9);
        assert_eq!(Key::Backspace.code(), 8);
        assert_eq!(Key::Tab.code(), 9);
        assert_eq!(Key::Enter.code(), 13);
        assert_eq!(Key::Escape.code(), 27);
        assert_eq!(Key::Delete.code(), 127);
        assert_eq!(Key::Up.code(), 0x110001);
        assert_eq!(Key::Down.code(), 0x110002);
        assert_eq!(Key::Left.code(), 0x110003);
        assert_eq!(Key::Right.code(), 0x110004);
        assert_eq!(Key::PageUp.code(), 0x110005);
        assert_eq!(Key::PageDown.code(), 0x110006);
        assert_eq!(Key::Home.code(), 0x110007);
        assert_eq!(Key::End.code(), 0x110008);
        assert_eq!(Key::F(1).code(), 0x110011);
        assert_eq!(Key::F(12).code(), 0x11001C);
        assert_eq!(Key::Shift.code(), 0x110020);
        assert_eq!(Key::Control.code(), 0x110021);
        assert_eq!(Key::Alt.code(), 0x110022);
        assert_eq!(MouseButton::Left.code(), 0);
        assert_eq!(MouseButton::Right.code(), 1);
        assert_eq!(MouseButton::Middle.code(), 2);
    }
}

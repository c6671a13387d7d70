//! Mouse buttons: the `key_code` of `mouse_down` / `mouse_up` events.

use crate::key::{MOUSE_LEFT, MOUSE_MIDDLE, MOUSE_RIGHT};

/// A mouse button, with the ABI's button numbers.
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
            MOUSE_LEFT => MouseButton::Left,
            MOUSE_RIGHT => MouseButton::Right,
            MOUSE_MIDDLE => MouseButton::Middle,
            c => MouseButton::Other(c),
        }
    }

    /// The ABI code of this button.
    pub fn code(self) -> u32 {
        match self {
            MouseButton::Left => MOUSE_LEFT,
            MouseButton::Right => MOUSE_RIGHT,
            MouseButton::Middle => MOUSE_MIDDLE,
            MouseButton::Other(c) => c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_are_numbered_as_documented() {
        let cases = [
            (0, MouseButton::Left),
            (1, MouseButton::Right),
            (2, MouseButton::Middle),
            (7, MouseButton::Other(7)),
        ];
        for (code, button) in cases {
            assert_eq!(MouseButton::from_code(code), button);
            assert_eq!(button.code(), code);
        }
    }
}

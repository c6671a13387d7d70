//! Input the platform feeds the shell (mouse, keys, wheel), with keys and mouse buttons
//! in the `kpio_gui` ABI's typed form (`kpio-abi`'s [`Key`] and [`MouseButton`], whose
//! `code()` is the ABI's `key_code`).

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

/// A key, from `kpio-abi`. `Char` carries the character the key types after Shift ('A',
/// '+'); `code()` is the ABI's `key_code`.
pub use kpio_abi::Key;
/// Mouse buttons, with the ABI's button numbers (`code()`: 0 left, 1 right, 2 middle),
/// from `kpio-abi`.
pub use kpio_abi::MouseButton;

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

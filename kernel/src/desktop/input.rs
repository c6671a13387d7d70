//! From the PS/2 queue to the shell's input: scancodes decoded by `pc-keyboard` (US
//! layout, set 1 as the controller translates) into the ABI's keys, and mouse packets
//! accumulated into a pointer position clamped to the screen (PS/2 reports y upwards).

use alloc::vec::Vec;
use kpio_gui::shell::{InputEvent, Key, MouseButton};
use pc_keyboard::{DecodedKey, HandleControl, KeyCode, KeyState, Keyboard, ScancodeSet1, layouts};

use crate::ps2::{self, Raw};

pub struct Input {
    keyboard: Keyboard<layouts::Us104Key, ScancodeSet1>,
    pub x: i32,
    pub y: i32,
    buttons: u8,
    width: i32,
    height: i32,
}

/// What the desktop does with a key beyond handing it to the shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// F12: print the scene on the serial console (how the QEMU tests find things).
    DumpScene,
}

impl Input {
    pub fn new(width: u32, height: u32) -> Input {
        Input {
            keyboard: Keyboard::new(
                ScancodeSet1::new(),
                layouts::Us104Key,
                HandleControl::Ignore,
            ),
            x: width as i32 / 2,
            y: height as i32 / 2,
            buttons: 0,
            width: width as i32,
            height: height as i32,
        }
    }

    /// Everything queued since the last call.
    pub fn drain(&mut self) -> (Vec<InputEvent>, Vec<Special>) {
        let mut events = Vec::new();
        let mut special = Vec::new();
        while let Some(raw) = ps2::pop() {
            match raw {
                Raw::Scancode(b) => self.key_byte(b, &mut events, &mut special),
                Raw::Mouse { dx, dy, buttons } => self.mouse(dx, dy, buttons, &mut events),
            }
        }
        (events, special)
    }

    fn mouse(&mut self, dx: i16, dy: i16, buttons: u8, out: &mut Vec<InputEvent>) {
        let (x, y) = (
            (self.x + i32::from(dx)).clamp(0, self.width - 1),
            (self.y - i32::from(dy)).clamp(0, self.height - 1),
        );
        if (x, y) != (self.x, self.y) {
            self.x = x;
            self.y = y;
            out.push(InputEvent::MouseMove { x, y });
        }
        for (bit, button) in [
            (1, MouseButton::Left),
            (2, MouseButton::Right),
            (4, MouseButton::Middle),
        ] {
            let (was, is) = (self.buttons & bit != 0, buttons & bit != 0);
            if is && !was {
                out.push(InputEvent::MouseDown { x, y, button });
            } else if was && !is {
                out.push(InputEvent::MouseUp { x, y, button });
            }
        }
        self.buttons = buttons;
    }

    fn key_byte(&mut self, b: u8, out: &mut Vec<InputEvent>, special: &mut Vec<Special>) {
        let Ok(Some(event)) = self.keyboard.add_byte(b) else {
            return;
        };
        let code = event.code;
        let down = event.state == KeyState::Down;
        if code == KeyCode::F12 {
            if down {
                special.push(Special::DumpScene);
            }
            return;
        }
        let named = match code {
            KeyCode::Backspace => Some(Key::Backspace),
            KeyCode::Tab => Some(Key::Tab),
            KeyCode::Return | KeyCode::NumpadEnter => Some(Key::Enter),
            KeyCode::Escape => Some(Key::Escape),
            KeyCode::Delete => Some(Key::Delete),
            KeyCode::ArrowUp => Some(Key::Up),
            KeyCode::ArrowDown => Some(Key::Down),
            KeyCode::ArrowLeft => Some(Key::Left),
            KeyCode::ArrowRight => Some(Key::Right),
            KeyCode::PageUp => Some(Key::PageUp),
            KeyCode::PageDown => Some(Key::PageDown),
            KeyCode::Home => Some(Key::Home),
            KeyCode::End => Some(Key::End),
            KeyCode::LShift | KeyCode::RShift => Some(Key::Shift),
            KeyCode::LControl | KeyCode::RControl => Some(Key::Control),
            KeyCode::LAlt | KeyCode::RAltGr => Some(Key::Alt),
            KeyCode::F1 => Some(Key::F(1)),
            KeyCode::F2 => Some(Key::F(2)),
            KeyCode::F3 => Some(Key::F(3)),
            KeyCode::F4 => Some(Key::F(4)),
            KeyCode::F5 => Some(Key::F(5)),
            KeyCode::F6 => Some(Key::F(6)),
            KeyCode::F7 => Some(Key::F(7)),
            KeyCode::F8 => Some(Key::F(8)),
            KeyCode::F9 => Some(Key::F(9)),
            KeyCode::F10 => Some(Key::F(10)),
            KeyCode::F11 => Some(Key::F(11)),
            _ => None,
        };
        // The character a key types, with Shift as held now (decoded before the state moves
        // on, so a key's up event carries the same character as its down).
        let typed = match self.keyboard.process_keyevent(event) {
            Some(DecodedKey::Unicode(c)) if !c.is_control() => Some(Key::Char(c)),
            _ => None,
        };
        let key = match (named, typed) {
            (Some(k), _) => k,
            (None, Some(k)) => k,
            (None, None) => return,
        };
        out.push(if down {
            InputEvent::KeyDown { key }
        } else {
            InputEvent::KeyUp { key }
        });
    }
}

//! winit's keys as the desktop's keys.
//!
//! The desktop ([`kpio_gui::shell`]) knows characters (already shifted: `'A'`, `'+'`) and a
//! fixed set of keys that type nothing (Enter, arrows, F1–F12, modifiers, ...), which
//! apps receive through the `kpio_gui` ABI's key codes. winit's *logical* key is the
//! right source: it is the character the layout produces with the current modifiers
//! (Shift, AltGr, Caps Lock), so a German layout's `Shift+0` arrives as `'='`.
//! Keys the desktop has no name for (media keys, Insert, ...) are dropped.

use std::collections::HashMap;

use kpio_gui::shell::Key;
use winit::keyboard::{Key as WinitKey, NamedKey, PhysicalKey};

/// The keys held down, so a release reports the key its press did.
///
/// The logical key at release time follows the modifiers *then*: press Shift, press A
/// (`'A'`), release Shift, release A, and winit reports the release as `'a'`. An app
/// that saw `'A'` go down must see `'A'` come up, so releases are matched to presses by
/// the physical key.
#[derive(Debug, Default)]
pub(crate) struct HeldKeys {
    held: HashMap<PhysicalKey, Vec<Key>>,
}

impl HeldKeys {
    /// A key went down (or repeats): the desktop keys it stands for.
    pub(crate) fn press(&mut self, physical: PhysicalKey, logical: &WinitKey) -> Vec<Key> {
        let keys = desktop_keys(logical);
        self.held.insert(physical, keys.clone());
        keys
    }

    /// A key came up: the desktop keys its press reported. A key whose press the desktop
    /// did not see (pressed in another window, then moved here) comes up unreported, so
    /// apps never see a release without its press.
    pub(crate) fn release(&mut self, physical: PhysicalKey) -> Vec<Key> {
        self.held.remove(&physical).unwrap_or_default()
    }
}

/// The desktop keys one winit key stands for: usually one; none for keys the desktop
/// does not know; several when an input method or dead key delivers a string at once.
pub(crate) fn desktop_keys(key: &WinitKey) -> Vec<Key> {
    match key {
        WinitKey::Character(text) => text.chars().map(Key::Char).collect(),
        WinitKey::Named(named) => named_key(*named).into_iter().collect(),
        // Keys the layout does not map, and dead keys (the character comes with the
        // next key press).
        WinitKey::Unidentified(_) | WinitKey::Dead(_) => Vec::new(),
    }
}

/// A named (non-character) key, if the desktop has it.
fn named_key(named: NamedKey) -> Option<Key> {
    Some(match named {
        // winit names the space bar although it types a character.
        NamedKey::Space => Key::Char(' '),
        NamedKey::Enter => Key::Enter,
        NamedKey::Backspace => Key::Backspace,
        NamedKey::Tab => Key::Tab,
        NamedKey::Escape => Key::Escape,
        NamedKey::Delete => Key::Delete,
        NamedKey::ArrowUp => Key::Up,
        NamedKey::ArrowDown => Key::Down,
        NamedKey::ArrowLeft => Key::Left,
        NamedKey::ArrowRight => Key::Right,
        NamedKey::PageUp => Key::PageUp,
        NamedKey::PageDown => Key::PageDown,
        NamedKey::Home => Key::Home,
        NamedKey::End => Key::End,
        NamedKey::F1 => Key::F(1),
        NamedKey::F2 => Key::F(2),
        NamedKey::F3 => Key::F(3),
        NamedKey::F4 => Key::F(4),
        NamedKey::F5 => Key::F(5),
        NamedKey::F6 => Key::F(6),
        NamedKey::F7 => Key::F(7),
        NamedKey::F8 => Key::F(8),
        NamedKey::F9 => Key::F(9),
        NamedKey::F10 => Key::F(10),
        NamedKey::F11 => Key::F(11),
        NamedKey::F12 => Key::F(12),
        NamedKey::Shift => Key::Shift,
        NamedKey::Control => Key::Control,
        NamedKey::Alt => Key::Alt,
        // AltGr (not here) only selects characters, which arrive as characters; reported
        // as Alt, an app would take AltGr+Q ('@' on a German layout) for a shortcut.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use winit::keyboard::{KeyCode, NativeKey, SmolStr};

    fn chars(s: &str) -> Vec<Key> {
        desktop_keys(&WinitKey::Character(SmolStr::new(s)))
    }

    #[test]
    fn characters_arrive_as_typed() {
        assert_eq!(chars("a"), vec![Key::Char('a')]);
        assert_eq!(chars("A"), vec![Key::Char('A')]);
        assert_eq!(chars("+"), vec![Key::Char('+')]);
        assert_eq!(chars("é"), vec![Key::Char('é')]);
        // An input method's commit of several characters: each one in order.
        assert_eq!(chars("ab"), vec![Key::Char('a'), Key::Char('b')]);
    }

    #[test]
    fn named_keys_map_to_the_desktop_keys() {
        let cases = [
            (NamedKey::Space, Key::Char(' ')),
            (NamedKey::Enter, Key::Enter),
            (NamedKey::Backspace, Key::Backspace),
            (NamedKey::Tab, Key::Tab),
            (NamedKey::Escape, Key::Escape),
            (NamedKey::Delete, Key::Delete),
            (NamedKey::ArrowUp, Key::Up),
            (NamedKey::ArrowDown, Key::Down),
            (NamedKey::ArrowLeft, Key::Left),
            (NamedKey::ArrowRight, Key::Right),
            (NamedKey::PageUp, Key::PageUp),
            (NamedKey::PageDown, Key::PageDown),
            (NamedKey::Home, Key::Home),
            (NamedKey::End, Key::End),
            (NamedKey::F1, Key::F(1)),
            (NamedKey::F12, Key::F(12)),
            (NamedKey::Shift, Key::Shift),
            (NamedKey::Control, Key::Control),
            (NamedKey::Alt, Key::Alt),
        ];
        for (named, key) in cases {
            assert_eq!(
                desktop_keys(&WinitKey::Named(named)),
                vec![key],
                "{named:?}"
            );
        }
    }

    #[test]
    fn a_release_reports_what_its_press_did() {
        let a = PhysicalKey::Code(KeyCode::KeyA);
        let equals = PhysicalKey::Code(KeyCode::Equal);
        let char_key = |s: &str| WinitKey::Character(SmolStr::new(s));
        let mut held = HeldKeys::default();
        // Shift+A pressed, Shift released first: A comes up as 'A', not 'a'.
        assert_eq!(held.press(a, &char_key("A")), vec![Key::Char('A')]);
        assert_eq!(held.press(equals, &char_key("+")), vec![Key::Char('+')]);
        assert_eq!(held.release(a), vec![Key::Char('A')]);
        assert_eq!(held.release(equals), vec![Key::Char('+')]);
        // Released again, or pressed before the window had focus: nothing to report.
        assert_eq!(held.release(a), vec![]);
    }

    #[test]
    fn unknown_keys_are_dropped() {
        assert!(desktop_keys(&WinitKey::Named(NamedKey::Insert)).is_empty());
        assert!(desktop_keys(&WinitKey::Named(NamedKey::AltGraph)).is_empty());
        assert!(desktop_keys(&WinitKey::Named(NamedKey::F13)).is_empty());
        assert!(desktop_keys(&WinitKey::Named(NamedKey::AudioVolumeUp)).is_empty());
        assert!(desktop_keys(&WinitKey::Dead(Some('´'))).is_empty());
        assert!(desktop_keys(&WinitKey::Unidentified(NativeKey::Unidentified)).is_empty());
    }
}

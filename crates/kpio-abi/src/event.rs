//! The event record `kpio_gui::poll_event` writes: its kinds ([`EventKind`]) and its
//! 24-byte little-endian layout ([`EventRecord`]).

/// Size in bytes of the event record `poll_event` writes.
pub const EVENT_SIZE: usize = 24;

/// What an [`EventRecord`] reports (its first field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u32)]
pub enum EventKind {
    /// 0: no event (never returned by `poll_event`, which returns 0 instead).
    #[default]
    None = 0,
    /// 1: a key was pressed (`key_code` says which; repeats while held).
    KeyDown = 1,
    /// 2: a key was released.
    KeyUp = 2,
    /// 3: the pointer moved over the window's content.
    MouseMove = 3,
    /// 4: a mouse button was pressed (`key_code` is the button).
    MouseDown = 4,
    /// 5: a mouse button was released.
    MouseUp = 5,
    /// 6: the user asked to close the window.
    Close = 6,
    /// 7: the window's content size changed (`width`, `height`).
    Resize = 7,
}

impl EventKind {
    /// The kind with this number, if any.
    pub const fn from_u32(v: u32) -> Option<EventKind> {
        Some(match v {
            0 => EventKind::None,
            1 => EventKind::KeyDown,
            2 => EventKind::KeyUp,
            3 => EventKind::MouseMove,
            4 => EventKind::MouseDown,
            5 => EventKind::MouseUp,
            6 => EventKind::Close,
            7 => EventKind::Resize,
            _ => return None,
        })
    }

    /// The kind's number (the record's first field).
    pub const fn code(self) -> u32 {
        self as u32
    }
}

/// One input event for a window, as `poll_event` writes it: six little-endian 32-bit
/// fields at offsets 0, 4, 8, 12, 16, 20 (`kind`, `key_code`, `mouse_x`, `mouse_y`,
/// `width`, `height`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct EventRecord {
    /// What happened.
    pub kind: EventKind,
    /// For key events a [`key`](crate::key) code; for mouse buttons the
    /// [`MouseButton`](crate::MouseButton) code (0 left, 1 right, 2 middle).
    pub key_code: u32,
    /// Pointer x in window-content coordinates.
    pub mouse_x: i32,
    /// Pointer y in window-content coordinates.
    pub mouse_y: i32,
    /// The window's content width when the event happened.
    pub width: u32,
    /// The window's content height when the event happened.
    pub height: u32,
}

const _: () = assert!(core::mem::size_of::<EventRecord>() == EVENT_SIZE);

impl EventRecord {
    /// The 24-byte record the guest receives.
    pub fn to_bytes(&self) -> [u8; EVENT_SIZE] {
        let mut out = [0u8; EVENT_SIZE];
        let fields = [
            self.kind as u32,
            self.key_code,
            self.mouse_x as u32,
            self.mouse_y as u32,
            self.width,
            self.height,
        ];
        for (chunk, v) in out.chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Reads a record back (`None` if its kind is unknown, e.g. a newer host's event):
    /// the inverse of [`EventRecord::to_bytes`].
    pub fn from_bytes(bytes: &[u8; EVENT_SIZE]) -> Option<EventRecord> {
        let mut f = [0u32; 6];
        for (v, chunk) in f.iter_mut().zip(bytes.chunks_exact(4)) {
            let mut b = [0u8; 4];
            b.copy_from_slice(chunk);
            *v = u32::from_le_bytes(b);
        }
        Some(EventRecord {
            kind: EventKind::from_u32(f[0])?,
            key_code: f[1],
            mouse_x: f[2] as i32,
            mouse_y: f[3] as i32,
            width: f[4],
            height: f[5],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MouseButton;

    #[test]
    fn event_layout_is_six_le_words() {
        let e = EventRecord {
            kind: EventKind::MouseDown,
            key_code: MouseButton::Right.code(),
            mouse_x: -3,
            mouse_y: 70000,
            width: 300,
            height: 400,
        };
        let b = e.to_bytes();
        assert_eq!(&b[0..4], &[4, 0, 0, 0]);
        assert_eq!(&b[4..8], &[1, 0, 0, 0]);
        assert_eq!(&b[8..12], &[0xfd, 0xff, 0xff, 0xff]);
        assert_eq!(&b[12..16], &70000u32.to_le_bytes());
        assert_eq!(&b[16..20], &300u32.to_le_bytes());
        assert_eq!(&b[20..24], &400u32.to_le_bytes());
        assert_eq!(EventRecord::from_bytes(&b), Some(e));
        let mut bad = b;
        bad[0] = 8;
        assert_eq!(EventRecord::from_bytes(&bad), None);
    }

    #[test]
    fn kinds_are_numbered_as_documented() {
        for v in 0..8 {
            assert_eq!(EventKind::from_u32(v).map(EventKind::code), Some(v));
        }
        assert_eq!(EventKind::from_u32(8), None);
        assert_eq!(EventKind::Resize.code(), 7);
        assert_eq!(EventRecord::default().kind, EventKind::None);
    }
}

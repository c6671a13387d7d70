//! Events the shell queues for an app's window, in the `kpio_gui` ABI's shape, and the
//! bounded per-window queue that holds them until the app polls.
//!
//! Queue policy: at most [`EVENT_QUEUE_CAP`] events. A mouse_move right after another
//! unread mouse_move replaces it, and likewise a resize replaces an unread resize just before
//! it (the app only needs the latest position/size). When the queue is full the oldest key or
//! mouse event is dropped to make room; close and resize are never dropped, and a second close
//! while one is unread is not queued twice.

use alloc::collections::VecDeque;

use super::theme::EVENT_QUEUE_CAP;

/// The ABI's event kinds (`kind` field of the 24-byte event), from `kpio-abi`.
pub use kpio_abi::EventKind;
/// One event for an app, exactly the ABI's record (from `kpio-abi`): `key_code` is the key
/// code (key events) or the mouse button (mouse_down/up); `mouse_x/y` are content-relative;
/// `width/height` are the window's content size when the event was queued. `to_bytes` is
/// the 24-byte little-endian encoding `poll_event` writes into guest memory.
pub use kpio_abi::EventRecord as WindowEvent;

/// Whether the queue may drop this event under pressure.
fn droppable(ev: &WindowEvent) -> bool {
    !matches!(ev.kind, EventKind::Close | EventKind::Resize)
}

/// A bounded FIFO of [`WindowEvent`]s (see the module doc for the policy).
#[derive(Debug, Default)]
pub struct EventQueue {
    events: VecDeque<WindowEvent>,
}

impl EventQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues an event, coalescing and bounding as the module doc says.
    pub fn push(&mut self, ev: WindowEvent) {
        if let Some(last) = self.events.back_mut()
            && last.kind == ev.kind
            && matches!(ev.kind, EventKind::MouseMove | EventKind::Resize)
        {
            *last = ev;
            return;
        }
        if ev.kind == EventKind::Close && self.events.iter().any(|e| e.kind == EventKind::Close) {
            return;
        }
        if self.events.len() >= EVENT_QUEUE_CAP {
            match self.events.iter().position(droppable) {
                Some(i) => {
                    self.events.remove(i);
                }
                // Only close/resize left: a droppable newcomer loses, the others still go in.
                None if droppable(&ev) => return,
                None => {}
            }
        }
        self.events.push_back(ev);
    }

    pub fn pop(&mut self) -> Option<WindowEvent> {
        self.events.pop_front()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventKind, key_code: u32) -> WindowEvent {
        WindowEvent {
            kind,
            key_code,
            mouse_x: 0,
            mouse_y: 0,
            width: 10,
            height: 10,
        }
    }

    #[test]
    fn bytes_are_little_endian_fields() {
        let e = WindowEvent {
            kind: EventKind::MouseDown,
            key_code: 1,
            mouse_x: -2,
            mouse_y: 3,
            width: 300,
            height: 400,
        };
        let b = e.to_bytes();
        assert_eq!(&b[0..4], &4u32.to_le_bytes());
        assert_eq!(&b[4..8], &1u32.to_le_bytes());
        assert_eq!(&b[8..12], &(-2i32).to_le_bytes());
        assert_eq!(&b[12..16], &3i32.to_le_bytes());
        assert_eq!(&b[16..20], &300u32.to_le_bytes());
        assert_eq!(&b[20..24], &400u32.to_le_bytes());
    }

    #[test]
    fn mouse_moves_and_resizes_coalesce() {
        let mut q = EventQueue::new();
        q.push(ev(EventKind::MouseMove, 0));
        let mut m = ev(EventKind::MouseMove, 0);
        m.mouse_x = 7;
        q.push(m);
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop().unwrap().mouse_x, 7);
        q.push(ev(EventKind::Resize, 0));
        q.push(ev(EventKind::Resize, 0));
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn full_queue_drops_oldest_input_but_keeps_close_and_resize() {
        let mut q = EventQueue::new();
        q.push(ev(EventKind::Resize, 0));
        for i in 0..1000 {
            q.push(ev(EventKind::KeyDown, i));
        }
        q.push(ev(EventKind::Close, 0));
        q.push(ev(EventKind::Close, 0));
        assert_eq!(q.len(), EVENT_QUEUE_CAP);
        assert_eq!(q.pop().unwrap().kind, EventKind::Resize);
        let mut closes = 0;
        let mut last_key = 0;
        while let Some(e) = q.pop() {
            match e.kind {
                EventKind::Close => closes += 1,
                EventKind::KeyDown => last_key = e.key_code,
                _ => {}
            }
        }
        assert_eq!(closes, 1);
        assert_eq!(last_key, 999);
    }
}

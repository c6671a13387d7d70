//! The timer queue behind `setTimeout` and `setInterval`: which timer is due next.
//!
//! JavaScript keeps each timer's callback and arguments (`js/timers.js`); this queue
//! keeps only ids and due times, so it is plain data the event loop can inspect without
//! entering the engine.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub(crate) struct TimerQueue {
    /// Due time and arming order (timers due together run in the order they were set).
    due: BTreeMap<(Instant, u64), u32>,
    by_id: HashMap<u32, (Instant, u64)>,
    armed: u64,
}

impl TimerQueue {
    /// Arms timer `id` to be due `delay` from `now`, replacing an earlier arming of it.
    pub(crate) fn arm(&mut self, id: u32, now: Instant, delay: Duration) {
        self.cancel(id);
        let key = (now + delay, self.armed);
        self.armed += 1;
        self.due.insert(key, id);
        self.by_id.insert(id, key);
    }

    pub(crate) fn cancel(&mut self, id: u32) {
        if let Some(key) = self.by_id.remove(&id) {
            self.due.remove(&key);
        }
    }

    /// When the next timer is due, if any is armed.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.due.keys().next().map(|(at, _)| *at)
    }

    /// Takes the next timer if it is due at `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<u32> {
        let (&key, &id) = self.due.iter().next()?;
        if key.0 > now {
            return None;
        }
        self.due.remove(&key);
        self.by_id.remove(&id);
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_come_due_by_time_then_by_arming_order() {
        let mut q = TimerQueue::default();
        let t0 = Instant::now();
        q.arm(1, t0, Duration::from_millis(10));
        q.arm(2, t0, Duration::from_millis(5));
        q.arm(3, t0, Duration::from_millis(5));
        assert_eq!(q.pop_due(t0), None, "nothing is due yet");
        let later = t0 + Duration::from_millis(20);
        assert_eq!(q.pop_due(later), Some(2));
        assert_eq!(q.pop_due(later), Some(3));
        assert_eq!(q.pop_due(later), Some(1));
        assert_eq!(q.next_due(), None);
    }

    #[test]
    fn rearming_or_cancelling_replaces_the_earlier_due_time() {
        let mut q = TimerQueue::default();
        let t0 = Instant::now();
        q.arm(1, t0, Duration::from_millis(1));
        q.arm(1, t0, Duration::from_millis(50));
        q.arm(2, t0, Duration::from_millis(2));
        q.cancel(2);
        assert_eq!(q.next_due(), Some(t0 + Duration::from_millis(50)));
        assert_eq!(q.pop_due(t0 + Duration::from_millis(10)), None);
    }
}

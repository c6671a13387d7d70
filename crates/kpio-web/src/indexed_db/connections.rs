//! The open IndexedDB connections of every realm sharing a store (an app's windows and
//! workers), so a version change or a deletion in one realm reaches the connections of
//! the others: their `versionchange` events, and the wait for them to close.
//!
//! Each realm (an "owner") registers its connections by database name. A realm about to
//! upgrade or delete a database notifies the others' connections; each owner's realm
//! takes its notices from its inbox in its event loop, fires `versionchange`, and
//! acknowledges. The asking realm fires `blocked` only once every notice was
//! acknowledged and some connection is still open, as a browser waits for its other
//! pages.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};

/// A `versionchange` to fire at connection `conn`: the old and new versions (`None`
/// for a deletion).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Notice {
    pub conn: u64,
    pub old: f64,
    pub new: Option<f64>,
}

#[derive(Debug)]
struct Conn {
    id: u64,
    owner: u64,
    name: String,
}

/// The registry (see the module's documentation).
#[derive(Debug, Default)]
pub struct Connections {
    next: Cell<u64>,
    open: RefCell<Vec<Conn>>,
    inbox: RefCell<HashMap<u64, VecDeque<Notice>>>,
    unacked: RefCell<HashSet<u64>>,
}

impl Connections {
    /// Registers an open connection of `owner` to database `name`: its id.
    pub fn open(&self, owner: u64, name: &str) -> u64 {
        let id = self.next.get() + 1;
        self.next.set(id);
        self.open.borrow_mut().push(Conn {
            id,
            owner,
            name: name.to_owned(),
        });
        id
    }

    /// Connection `conn` is closed.
    pub fn close(&self, conn: u64) {
        self.open.borrow_mut().retain(|c| c.id != conn);
        self.unacked.borrow_mut().remove(&conn);
    }

    /// Queues a `versionchange` for every connection to `name` of other owners.
    pub fn notify(&self, owner: u64, name: &str, old: f64, new: Option<f64>) {
        for c in self.open.borrow().iter() {
            if c.owner != owner && c.name == name {
                self.unacked.borrow_mut().insert(c.id);
                self.inbox
                    .borrow_mut()
                    .entry(c.owner)
                    .or_default()
                    .push_back(Notice {
                        conn: c.id,
                        old,
                        new,
                    });
            }
        }
    }

    /// The next notice for `owner`'s connections.
    pub fn take(&self, owner: u64) -> Option<Notice> {
        self.inbox.borrow_mut().get_mut(&owner)?.pop_front()
    }

    /// Whether `owner` has notices waiting.
    pub fn has_notices(&self, owner: u64) -> bool {
        self.inbox
            .borrow()
            .get(&owner)
            .is_some_and(|q| !q.is_empty())
    }

    /// The `versionchange` event for `conn` was dispatched.
    pub fn ack(&self, conn: u64) {
        self.unacked.borrow_mut().remove(&conn);
    }

    /// Other owners' open connections to `name`, and how many of them have not
    /// acknowledged their notice yet.
    pub fn others(&self, owner: u64, name: &str) -> (usize, usize) {
        let open = self.open.borrow();
        let unacked = self.unacked.borrow();
        let mine = open.iter().filter(|c| c.owner != owner && c.name == name);
        let (mut count, mut waiting) = (0, 0);
        for c in mine {
            count += 1;
            if unacked.contains(&c.id) {
                waiting += 1;
            }
        }
        (count, waiting)
    }

    /// Forgets every connection and notice of `owner` (a realm that went away).
    pub fn release(&self, owner: u64) {
        let mut unacked = self.unacked.borrow_mut();
        self.open.borrow_mut().retain(|c| {
            if c.owner == owner {
                unacked.remove(&c.id);
            }
            c.owner != owner
        });
        self.inbox.borrow_mut().remove(&owner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_reach_the_other_owners_and_wait_for_their_acks() {
        let c = Connections::default();
        let a = c.open(1, "db");
        let b = c.open(2, "db");
        let _other = c.open(2, "other");
        c.notify(1, "db", 1.0, Some(2.0));
        assert_eq!(c.take(1), None, "not to the asking owner");
        assert_eq!(c.others(1, "db"), (1, 1));
        let n = c.take(2).unwrap();
        assert_eq!((n.conn, n.old, n.new), (b, 1.0, Some(2.0)));
        c.ack(b);
        assert_eq!(c.others(1, "db"), (1, 0));
        c.close(b);
        assert_eq!(c.others(1, "db"), (0, 0));
        c.close(a);
        c.release(2);
        assert!(!c.has_notices(2));
    }
}

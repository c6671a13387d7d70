//! The open IndexedDB connections of every realm sharing a store (an app's windows and
//! workers), so a version change or a deletion in one realm reaches the connections of
//! the others: their `versionchange` events, and the wait for them to close.
//!
//! Each realm (an "owner") registers its connections by database name. A realm about to
//! upgrade or delete a database notifies the others' connections; each owner's realm
//! takes its notices from its inbox in its event loop, fires `versionchange`, and
//! acknowledges. The asking realm fires `blocked` only once every notice was
//! acknowledged and some connection is still open, as a browser waits for its other
//! pages. Opening and deleting a database also take turns across realms (the
//! specification's connection queue is per origin and name): a realm claims the name for
//! the duration of one open or delete.

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
    /// Database names an owner is opening or deleting.
    claims: RefCell<HashMap<String, u64>>,
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

    /// Claims database `name` for an open or delete of `owner`: false while another
    /// owner holds it.
    pub fn claim(&self, owner: u64, name: &str) -> bool {
        let mut claims = self.claims.borrow_mut();
        match claims.get(name) {
            Some(o) => *o == owner,
            None => {
                claims.insert(name.to_owned(), owner);
                true
            }
        }
    }

    /// Gives up `owner`'s claim on `name`.
    pub fn unclaim(&self, owner: u64, name: &str) {
        let mut claims = self.claims.borrow_mut();
        if claims.get(name) == Some(&owner) {
            claims.remove(name);
        }
    }

    /// Forgets every connection, notice and claim of `owner` (a realm that went away).
    pub fn release(&self, owner: u64) {
        self.claims.borrow_mut().retain(|_, o| *o != owner);
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
        assert!(c.claim(1, "db"));
        assert!(c.claim(1, "db"), "an owner's claim is its own");
        assert!(!c.claim(2, "db"));
        c.unclaim(2, "db");
        assert!(!c.claim(2, "db"), "only the holder gives it up");
        c.release(1);
        assert!(c.claim(2, "db"));
    }
}

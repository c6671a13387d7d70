//! Notifications (the WHATWG Notifications API) as the platform sees them: a
//! [`NotificationCenter`] shows them and reports the user's clicks and dismissals, and
//! holds each app's permission.
//!
//! The desktop implements the trait with toasts and a panel (the GUI's); headless hosts
//! and tests use [`HeadlessCenter`], which records what is shown, answers permission
//! requests as told, and lets the host click or dismiss notifications.

pub(crate) mod ops;

use crate::host_message::{Inbox, Plain};
use crate::service_worker::registry::RegistrationId;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A notification the app showed: who hears of its clicks and closing, and what it
/// was (js/notification.js's `info` list, to rebuild the Notification object in a worker
/// that did not make it).
#[derive(Clone)]
pub(crate) struct Owner {
    pub(crate) target: Target,
    pub(crate) info: Vec<Plain>,
}

#[derive(Clone)]
pub(crate) enum Target {
    /// A page's `new Notification(...)`: that page's realm.
    Page(Inbox),
    /// `registration.showNotification(...)`: the registration's active worker.
    Registration(RegistrationId),
}

/// An app's link to the centre, shared by its realms: the centre, the app's origin, and
/// who owns each notification the app showed.
#[derive(Clone)]
pub struct NotificationLink {
    pub(crate) center: Rc<dyn NotificationCenter>,
    pub(crate) origin: String,
    pub(crate) owners: Rc<RefCell<BTreeMap<u64, Owner>>>,
}

impl NotificationLink {
    pub fn new(center: Rc<dyn NotificationCenter>, origin: &str) -> NotificationLink {
        NotificationLink {
            center,
            origin: origin.to_owned(),
            owners: Rc::default(),
        }
    }
}

/// An app's notification permission (`Notification.permission`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Not asked yet: `requestPermission()` asks the user.
    Default,
    Granted,
    Denied,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Default => "default",
            Permission::Granted => "granted",
            Permission::Denied => "denied",
        }
    }
}

/// What the platform shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The app's origin.
    pub origin: String,
    pub title: String,
    pub body: String,
    /// The icon's URL (resolved), or empty.
    pub icon: String,
    /// Notifications with the same non-empty tag replace each other.
    pub tag: String,
    /// Whether the notification stays until the user acts.
    pub require_interaction: bool,
    pub silent: bool,
    /// The action buttons: (action, title).
    pub actions: Vec<(String, String)>,
}

/// What the user did with a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAction {
    /// Clicked it, or one of its action buttons (`action`, empty for the body).
    Click { action: String },
    /// Dismissed it.
    Close,
}

/// The platform's notification centre.
pub trait NotificationCenter {
    /// The app's permission.
    fn permission(&self, origin: &str) -> Permission;
    /// Asks the user (once: a decided permission is returned as it is) and stores the
    /// answer with the app's permissions.
    fn request_permission(&self, origin: &str) -> Permission;
    /// Shows a notification; its id. A shown one with the same origin and tag is
    /// replaced (closed without a close event, as the standard says).
    fn show(&self, notification: Shown) -> u64;
    /// Takes a notification down (the app's `close()`).
    fn close(&self, id: u64);
    /// What users did since the last call: (notification id, action).
    fn take_user_actions(&self) -> Vec<(u64, UserAction)>;
}

/// A notification centre without a screen: notifications are recorded, and the host
/// (or a test) clicks and dismisses them.
#[derive(Debug)]
pub struct HeadlessCenter {
    /// What `request_permission` answers when the permission is still `Default`.
    answer: Permission,
    permissions: RefCell<BTreeMap<String, Permission>>,
    shown: RefCell<BTreeMap<u64, Shown>>,
    actions: RefCell<Vec<(u64, UserAction)>>,
    next: RefCell<u64>,
}

impl HeadlessCenter {
    /// A centre whose user answers permission requests with `answer`.
    pub fn new(answer: Permission) -> HeadlessCenter {
        HeadlessCenter {
            answer,
            permissions: RefCell::default(),
            shown: RefCell::default(),
            actions: RefCell::default(),
            next: RefCell::new(1),
        }
    }

    /// Sets an app's permission, as the user would in the settings.
    pub fn set_permission(&self, origin: &str, p: Permission) {
        self.permissions.borrow_mut().insert(origin.to_owned(), p);
    }

    /// The notifications on screen: (id, what).
    pub fn shown(&self) -> Vec<(u64, Shown)> {
        self.shown
            .borrow()
            .iter()
            .map(|(id, s)| (*id, s.clone()))
            .collect()
    }

    /// The user clicks a notification (or its action button `action`); it closes, as
    /// clicked notifications do on the desktop unless the app keeps it.
    pub fn click(&self, id: u64, action: &str) {
        if self.shown.borrow().contains_key(&id) {
            self.actions.borrow_mut().push((
                id,
                UserAction::Click {
                    action: action.to_owned(),
                },
            ));
        }
    }

    /// The user dismisses a notification.
    pub fn dismiss(&self, id: u64) {
        if self.shown.borrow_mut().remove(&id).is_some() {
            self.actions.borrow_mut().push((id, UserAction::Close));
        }
    }
}

impl NotificationCenter for HeadlessCenter {
    fn permission(&self, origin: &str) -> Permission {
        self.permissions
            .borrow()
            .get(origin)
            .copied()
            .unwrap_or(Permission::Default)
    }

    fn request_permission(&self, origin: &str) -> Permission {
        let mut p = self.permissions.borrow_mut();
        let current = p.get(origin).copied().unwrap_or(Permission::Default);
        if current != Permission::Default {
            return current;
        }
        if self.answer != Permission::Default {
            p.insert(origin.to_owned(), self.answer);
        }
        self.answer
    }

    fn show(&self, notification: Shown) -> u64 {
        let mut shown = self.shown.borrow_mut();
        if !notification.tag.is_empty() {
            shown.retain(|_, s| !(s.origin == notification.origin && s.tag == notification.tag));
        }
        let mut next = self.next.borrow_mut();
        let id = *next;
        *next += 1;
        shown.insert(id, notification);
        id
    }

    fn close(&self, id: u64) {
        self.shown.borrow_mut().remove(&id);
    }

    fn take_user_actions(&self) -> Vec<(u64, UserAction)> {
        core::mem::take(&mut *self.actions.borrow_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(tag: &str) -> Shown {
        Shown {
            origin: "https://a.test".into(),
            title: "t".into(),
            body: String::new(),
            icon: String::new(),
            tag: tag.into(),
            require_interaction: false,
            silent: false,
            actions: Vec::new(),
        }
    }

    #[test]
    fn a_tag_replaces_and_permission_is_asked_once() {
        let c = HeadlessCenter::new(Permission::Granted);
        assert_eq!(c.permission("https://a.test"), Permission::Default);
        assert_eq!(c.request_permission("https://a.test"), Permission::Granted);
        c.set_permission("https://b.test", Permission::Denied);
        assert_eq!(c.request_permission("https://b.test"), Permission::Denied);
        let a = c.show(shown("x"));
        let b = c.show(shown("x"));
        let d = c.show(shown(""));
        assert_eq!(
            c.shown().iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            vec![b, d]
        );
        c.click(a, "");
        assert!(
            c.take_user_actions().is_empty(),
            "a replaced notification cannot be clicked"
        );
        c.dismiss(b);
        assert_eq!(c.take_user_actions(), vec![(b, UserAction::Close)]);
    }
}

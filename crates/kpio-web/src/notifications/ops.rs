//! The host functions of js/notification.js: the app's permission, showing and closing
//! notifications, and listing a registration's.

use super::{NotificationLink, Owner, Target};
use crate::host_message::Plain;
use crate::ops::Host;
use rquickjs::function::Opt;
use rquickjs::{Ctx, Function, Object};
use std::cell::RefCell;
use std::rc::Rc;

fn link(host: &Rc<RefCell<Host>>) -> Option<NotificationLink> {
    host.borrow().notifications.clone()
}

fn text(info: &[Plain], i: usize) -> String {
    match info.get(i) {
        Some(Plain::Text(s)) => s.clone(),
        _ => String::new(),
    }
}

fn flag(info: &[Plain], i: usize) -> bool {
    matches!(info.get(i), Some(Plain::Bool(true)))
}

/// `info`: `[title, optionsJSON, body, tag, icon, requireInteraction, silent, actions]`
/// with actions `[[action, title], ...]`.
fn shown(origin: &str, info: &[Plain]) -> super::Shown {
    let actions = match info.get(7) {
        Some(Plain::List(list)) => list
            .iter()
            .filter_map(|a| match a {
                Plain::List(pair) => Some((text(pair, 0), text(pair, 1))),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    super::Shown {
        origin: origin.to_owned(),
        title: text(info, 0),
        body: text(info, 2),
        tag: text(info, 3),
        icon: text(info, 4),
        require_interaction: flag(info, 5),
        silent: flag(info, 6),
        actions,
    }
}

pub(crate) fn install<'js>(
    ctx: &Ctx<'js>,
    ops: &Object<'js>,
    host: &Rc<RefCell<Host>>,
) -> rquickjs::Result<()> {
    let h = host.clone();
    ops.set(
        "notifyPermission",
        Function::new(ctx.clone(), move || {
            link(&h).map_or("denied", |l| l.center.permission(&l.origin).as_str())
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "notifyRequestPermission",
        Function::new(ctx.clone(), move || {
            link(&h).map_or("denied", |l| {
                l.center.request_permission(&l.origin).as_str()
            })
        })?,
    )?;
    // notifyShow(info, registrationId?): shows; the id, or null without permission.
    let h = host.clone();
    ops.set(
        "notifyShow",
        Function::new(ctx.clone(), move |info: Plain, registration: Opt<f64>| {
            let l = link(&h)?;
            if l.center.permission(&l.origin) != super::Permission::Granted {
                return None;
            }
            let Plain::List(info) = info else {
                return None;
            };
            let id = l.center.show(shown(&l.origin, &info));
            let target = match registration.0 {
                Some(r) => Target::Registration(r as u64),
                None => Target::Page(h.borrow().inbox.clone()),
            };
            // A notification the new one replaced (same tag) is gone.
            let tag = text(&info, 3);
            let mut owners = l.owners.borrow_mut();
            if !tag.is_empty() {
                owners.retain(|_, o| text(&o.info, 3) != tag);
            }
            let owner = Owner { target, info };
            owners.insert(id, owner);
            Some(id as f64)
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "notifyClose",
        Function::new(ctx.clone(), move |id: f64| {
            if let Some(l) = link(&h) {
                l.center.close(id as u64);
                l.owners.borrow_mut().remove(&(id as u64));
            }
        })?,
    )?;
    // notifyList(registrationId, tag): `[[id, info], ...]` of the registration's shown
    // notifications, oldest first.
    let h = host.clone();
    ops.set(
        "notifyList",
        Function::new(ctx.clone(), move |registration: f64, tag: String| {
            let Some(l) = link(&h) else {
                return Plain::List(Vec::new());
            };
            let owners = l.owners.borrow();
            Plain::List(
                owners
                    .iter()
                    .filter(|(_, o)| {
                        matches!(o.target, Target::Registration(r) if r == registration as u64)
                            && (tag.is_empty() || text(&o.info, 3) == tag)
                    })
                    .map(|(id, o)| Plain::List(vec![(*id).into(), Plain::List(o.info.clone())]))
                    .collect(),
            )
        })?,
    )?;
    Ok(())
}

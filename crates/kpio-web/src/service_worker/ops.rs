//! The host functions of service workers: a page's (`navigator.serviceWorker`, and
//! fetch() of a controlled page) and a worker's own (lifecycle events, `skipWaiting`,
//! `clients`, fetch event answers). Answers that take time come back as host messages.

use super::registry::{ClientId, Registry, WorkerId};
use crate::host_message::Plain;
use crate::ops::Host;
use rquickjs::function::Opt;
use rquickjs::{Ctx, Exception, Function, Object};
use std::cell::RefCell;
use std::rc::Rc;

/// A realm's link to its app's registry, and who it is there.
pub(crate) struct SwLink {
    pub(crate) registry: Rc<RefCell<Registry>>,
    pub(crate) role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A page (window realm).
    Client(ClientId),
    /// A service worker's realm.
    Worker(WorkerId),
}

fn link(host: &Rc<RefCell<Host>>) -> Option<(Rc<RefCell<Registry>>, Role)> {
    let h = host.borrow();
    h.service_worker
        .as_ref()
        .map(|l| (l.registry.clone(), l.role))
}

pub(crate) fn install<'js>(
    ctx: &Ctx<'js>,
    ops: &Object<'js>,
    host: &Rc<RefCell<Host>>,
) -> rquickjs::Result<()> {
    let role = host.borrow().service_worker.as_ref().map(|l| l.role);
    ops.set(
        "swRole",
        match role {
            None => "none",
            Some(Role::Client(_)) => "client",
            Some(Role::Worker(_)) => "worker",
        },
    )?;
    let Some(role) = role else {
        return Ok(());
    };
    install_sync(ctx, ops, host)?;
    match role {
        Role::Client(client) => install_client(ctx, ops, host, client),
        Role::Worker(worker) => install_worker(ctx, ops, host, worker),
    }
}

fn install_client<'js>(
    ctx: &Ctx<'js>,
    ops: &Object<'js>,
    host: &Rc<RefCell<Host>>,
    client: ClientId,
) -> rquickjs::Result<()> {
    let h = host.clone();
    ops.set(
        "swRegister",
        Function::new(
            ctx.clone(),
            move |promise: f64,
                  scope: String,
                  script_url: String,
                  update_via_cache: String,
                  update_of: Opt<f64>| {
                let Some((registry, _)) = link(&h) else {
                    return;
                };
                registry.borrow_mut().schedule_register(
                    client,
                    promise as u64,
                    scope,
                    script_url,
                    update_via_cache,
                    update_of.0.map(|r| r as u64),
                );
            },
        )?,
    )?;
    // The answer to a job's swFetchScript: the script's bytes, or the exception's name
    // and message.
    let h = host.clone();
    ops.set(
        "swScriptFetched",
        Function::new(ctx.clone(), move |fetch: f64, script: Plain| {
            let Some((registry, _)) = link(&h) else {
                return;
            };
            let result = match script {
                Plain::Bytes(bytes) => Ok(bytes),
                _ => Err(("TypeError".to_owned(), "the script is not bytes".to_owned())),
            };
            registry
                .borrow_mut()
                .script_fetched(client, fetch as u64, result);
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swScriptFailed",
        Function::new(
            ctx.clone(),
            move |fetch: f64, name: String, message: String| {
                if let Some((registry, _)) = link(&h) {
                    registry.borrow_mut().script_fetched(
                        client,
                        fetch as u64,
                        Err((name, message)),
                    );
                }
            },
        )?,
    )?;
    let h = host.clone();
    ops.set(
        "swUnregister",
        Function::new(ctx.clone(), move |promise: f64, registration: f64| {
            if let Some((registry, _)) = link(&h) {
                registry.borrow_mut().schedule_unregister(
                    client,
                    promise as u64,
                    registration as u64,
                );
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swRegistrationFor",
        Function::new(ctx.clone(), move |url: String| {
            link(&h).map_or(Plain::Null, |(r, _)| r.borrow().registration_for(&url))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swRegistrations",
        Function::new(ctx.clone(), move || {
            Plain::List(link(&h).map_or(Vec::new(), |(r, _)| r.borrow().all_registrations()))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swController",
        Function::new(ctx.clone(), move || {
            link(&h)
                .and_then(|(r, _)| r.borrow().controller(client))
                .unwrap_or(Plain::Null)
        })?,
    )?;
    // fallbackRule(url): [strategy, cache] of the offline fallback rule for `url`, or null.
    let h = host.clone();
    ops.set(
        "fallbackRule",
        Function::new(ctx.clone(), move |url: String| {
            let (r, _) = link(&h)?;
            let r = r.borrow();
            let rule = r.fallback.rule_for(&url)?;
            Some(Plain::List(vec![
                rule.strategy.as_str().into(),
                rule.cache.clone().into(),
            ]))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swFetch",
        Function::new(ctx.clone(), move |request: Plain| {
            let Plain::List(request) = request else {
                return None;
            };
            link(&h).and_then(|(r, _)| r.borrow_mut().dispatch_fetch(client, request))
        })?,
    )?;
    Ok(())
}

fn install_worker<'js>(
    ctx: &Ctx<'js>,
    ops: &Object<'js>,
    host: &Rc<RefCell<Host>>,
    worker: WorkerId,
) -> rquickjs::Result<()> {
    let h = host.clone();
    ops.set(
        "swEventDone",
        Function::new(ctx.clone(), move |event: f64, ok: bool| {
            if let Some((r, _)) = link(&h) {
                r.borrow_mut().event_done(event as u64, ok);
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swSkipWaiting",
        Function::new(ctx.clone(), move || {
            if let Some((r, _)) = link(&h) {
                r.borrow_mut().skip_waiting(worker);
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swClaim",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>| -> rquickjs::Result<()> {
            let Some((r, _)) = link(&h) else {
                return Ok(());
            };
            let result = r.borrow_mut().claim(worker);
            result.map_err(|m| Exception::throw_message(&ctx, m))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swClients",
        Function::new(ctx.clone(), move |include_uncontrolled: bool| {
            Plain::List(link(&h).map_or(Vec::new(), |(r, _)| {
                r.borrow().clients_of(worker, include_uncontrolled)
            }))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swFetchResponding",
        Function::new(ctx.clone(), move |fetch: f64| {
            if let Some((r, _)) = link(&h) {
                r.borrow_mut().fetch_responding(fetch as u64);
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swFetchDone",
        Function::new(ctx.clone(), move |fetch: f64, answer: Plain| {
            let Plain::List(answer) = answer else {
                return;
            };
            if let Some((r, _)) = link(&h) {
                r.borrow_mut().fetch_done(fetch as u64, answer);
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swSelf",
        Function::new(ctx.clone(), move || {
            link(&h).map_or(Plain::Null, |(r, _)| r.borrow().worker_plain(worker))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "swSelfRegistration",
        Function::new(ctx.clone(), move || {
            link(&h).map_or(Plain::Null, |(r, _)| {
                let r = r.borrow();
                r.registration_of(worker)
                    .map_or(Plain::Null, |reg| r.registration_plain(reg))
            })
        })?,
    )?;
    Ok(())
}

/// Background sync, for pages and workers alike.
fn install_sync<'js>(
    ctx: &Ctx<'js>,
    ops: &Object<'js>,
    host: &Rc<RefCell<Host>>,
) -> rquickjs::Result<()> {
    // syncRegister(registrationId, tag): null, or the name of the DOMException.
    let h = host.clone();
    ops.set(
        "syncRegister",
        Function::new(ctx.clone(), move |registration: f64, tag: String| {
            let (r, _) = link(&h)?;
            let result = r.borrow_mut().sync_register(registration as u64, &tag);
            result.err()
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "syncTags",
        Function::new(ctx.clone(), move |registration: f64| {
            Plain::List(link(&h).map_or(Vec::new(), |(r, _)| {
                r.borrow().sync_tags(registration as u64)
            }))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "syncDone",
        Function::new(ctx.clone(), move |event: f64, ok: bool| {
            if let Some((r, _)) = link(&h) {
                r.borrow_mut().sync_done(event as u64, ok);
            }
        })?,
    )?;
    Ok(())
}

//! The host functions js/fetch.js runs exchanges with.
//!
//! `netStart(method, url, headers, body)` starts one HTTP exchange and returns its id;
//! reports come back as tasks through the hook `setNetHook` names: `(id, 'head', status,
//! statusText, headers)`, `(id, 'chunk', bytes)`, `(id, 'end')` and `(id, 'error',
//! message)`. `netPull(id)` asks for the next chunk; `netAbort(id)` cuts the exchange.

use super::http::Exchange;
use crate::ops::Host;
use rquickjs::function::Opt;
use rquickjs::{Ctx, Exception, Function, Object, Persistent, TypedArray};
use std::cell::RefCell;
use std::rc::Rc;

pub(crate) fn install<'js>(
    ctx: &Ctx<'js>,
    ops: &Object<'js>,
    host: &Rc<RefCell<Host>>,
) -> rquickjs::Result<()> {
    ops.set("hasNetwork", host.borrow().net.is_some())?;

    let h = host.clone();
    ops.set(
        "netOffline",
        Function::new(ctx.clone(), move || {
            h.borrow()
                .net
                .as_ref()
                .is_none_or(|n| n.network.is_offline())
        })?,
    )?;

    let h = host.clone();
    ops.set(
        "setNetHook",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, hook: Function<'js>| {
            if let Some(hooks) = &mut h.borrow_mut().hooks {
                hooks.net_event = Some(Persistent::save(&ctx, hook));
            }
        })?,
    )?;

    let h = host.clone();
    ops.set(
        "netStart",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  method: String,
                  url: String,
                  headers: Vec<Vec<String>>,
                  body: Opt<TypedArray<'js, u8>>|
                  -> rquickjs::Result<u32> {
                let url = url::Url::parse(&url).map_err(|e| {
                    Exception::throw_type(&ctx, &format!("fetch: {url:?} is not a URL: {e}"))
                })?;
                let headers = headers
                    .into_iter()
                    .map(|pair| match <[String; 2]>::try_from(pair) {
                        Ok([n, v]) => Ok((n, v)),
                        Err(_) => Err(Exception::throw_type(&ctx, "fetch: a header is not a pair")),
                    })
                    .collect::<rquickjs::Result<Vec<_>>>()?;
                // SAFETY: copied before any JavaScript runs again, so the buffer can be
                // neither detached nor resized while borrowed.
                let body = body
                    .0
                    .map(|b| unsafe { b.as_bytes() }.unwrap_or(&[]).to_vec());
                let mut host = h.borrow_mut();
                let Some(net) = host.net.as_mut() else {
                    return Err(Exception::throw_type(
                        &ctx,
                        "fetch: this realm has no network",
                    ));
                };
                Ok(net.start(Exchange {
                    method,
                    url,
                    headers,
                    body,
                }))
            },
        )?,
    )?;

    let h = host.clone();
    ops.set(
        "netPull",
        Function::new(ctx.clone(), move |id: u32| {
            h.borrow_mut().net.as_mut().is_some_and(|n| n.pull(id))
        })?,
    )?;

    let h = host.clone();
    ops.set(
        "netAbort",
        Function::new(ctx.clone(), move |id: u32| {
            if let Some(n) = h.borrow_mut().net.as_mut() {
                n.abort(id);
            }
        })?,
    )?;
    Ok(())
}

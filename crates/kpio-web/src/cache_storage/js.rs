//! The Cache API's host functions for the prelude (`js/cache_storage.js`).
//!
//! A query travels as `[url, method, [name, value, ...]]` (or `undefined` for "every
//! entry"), options as `[ignoreSearch, ignoreMethod, ignoreVary]`. A cached response
//! comes back as `[type, status, statusText, [name, value, ...], [url, ...], body]`,
//! `body` a new `Uint8Array` read straight from the store (or `null`). Failures are
//! thrown as errors whose `name` is the exception the API rejects with (`TypeError`,
//! `InvalidStateError`, `QuotaExceededError`, `UnknownError`); the prelude makes them
//! real exceptions.

use super::{
    BatchError, BatchOp, CacheError, CacheStore, EntryRecord, HeaderList, Query, QueryOptions,
    RequestRecord, ResponseRecord,
};
use crate::ops::Host;
use rquickjs::{Array, Ctx, Exception, Function, Object, TypedArray, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A realm's link to its app's cache store, and the `Cache` objects it holds.
pub(crate) struct CacheLink {
    pub(crate) store: Rc<CacheStore>,
    /// Cache id → `Cache` objects of this realm still alive.
    handles: HashMap<u64, usize>,
}

impl CacheLink {
    pub(crate) fn new(store: Rc<CacheStore>) -> CacheLink {
        CacheLink {
            store,
            handles: HashMap::new(),
        }
    }

    /// The realm ends: its `Cache` objects go with it.
    pub(crate) fn release_all(&mut self) {
        for (id, n) in self.handles.drain() {
            for _ in 0..n {
                self.store.release(id);
            }
        }
    }
}

/// The realm's store; an `UnknownError` once the realm has let it go (it is ending).
fn store(ctx: &Ctx<'_>, host: &Rc<RefCell<Host>>) -> rquickjs::Result<Rc<CacheStore>> {
    match &host.borrow().caches {
        Some(link) => Ok(link.store.clone()),
        None => Err(throw(ctx, "UnknownError", "the realm's caches are closed")),
    }
}

fn throw(ctx: &Ctx<'_>, name: &str, message: &str) -> rquickjs::Error {
    match Exception::from_message(ctx.clone(), message) {
        Ok(e) => {
            let _ = e.as_object().set("name", name);
            ctx.throw(e.into_value())
        }
        Err(e) => e,
    }
}

fn store_error(ctx: &Ctx<'_>, e: &CacheError) -> rquickjs::Error {
    throw(ctx, "UnknownError", &e.to_string())
}

fn id_of(v: f64) -> u64 {
    if v.is_finite() && v >= 0.0 {
        v as u64
    } else {
        0
    }
}

/// `[name, value, ...]` as a header list.
fn headers(flat: &Array<'_>) -> rquickjs::Result<HeaderList> {
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut i = 0;
    while i + 1 < flat.len() {
        out.push((flat.get::<String>(i)?, flat.get::<String>(i + 1)?));
        i += 2;
    }
    Ok(out)
}

fn flat<'js>(ctx: &Ctx<'js>, list: &HeaderList) -> rquickjs::Result<Array<'js>> {
    let a = Array::new(ctx.clone())?;
    for (i, (n, v)) in list.iter().enumerate() {
        a.set(2 * i, n.as_str())?;
        a.set(2 * i + 1, v.as_str())?;
    }
    Ok(a)
}

fn query(v: &Value<'_>) -> rquickjs::Result<Option<Query>> {
    let Some(a) = v.as_array() else {
        return Ok(None);
    };
    Ok(Some(Query {
        url: a.get(0)?,
        method: a.get(1)?,
        headers: headers(&a.get::<Array>(2)?)?,
    }))
}

fn options(a: &Array<'_>, at: usize) -> rquickjs::Result<QueryOptions> {
    Ok(QueryOptions {
        ignore_search: a.get::<Option<bool>>(at)?.unwrap_or(false),
        ignore_method: a.get::<Option<bool>>(at + 1)?.unwrap_or(false),
        ignore_vary: a.get::<Option<bool>>(at + 2)?.unwrap_or(false),
    })
}

/// A cached response for the prelude, its body copied once, from the store's page into
/// the new `Uint8Array`.
fn response<'js>(
    ctx: &Ctx<'js>,
    store: &CacheStore,
    id: u64,
) -> rquickjs::Result<Option<Array<'js>>> {
    let built = store.with_entry(id, |record: &EntryRecord, body: Option<&[u8]>| {
        let r = &record.response;
        let a = Array::new(ctx.clone())?;
        a.set(0, r.kind.as_str())?;
        a.set(1, r.status)?;
        a.set(2, r.status_text.as_str())?;
        a.set(3, flat(ctx, &r.headers)?)?;
        a.set(4, r.url_list.clone())?;
        match body {
            Some(b) => a.set(5, TypedArray::<u8>::new_copy(ctx.clone(), b)?)?,
            None => a.set(5, Value::new_null(ctx.clone()))?,
        }
        Ok::<_, rquickjs::Error>(a)
    });
    match built {
        Ok(Some(a)) => a.map(Some),
        Ok(None) => Ok(None),
        Err(e) => Err(store_error(ctx, &e)),
    }
}

fn request<'js>(ctx: &Ctx<'js>, record: &RequestRecord) -> rquickjs::Result<Array<'js>> {
    let a = Array::new(ctx.clone())?;
    a.set(0, record.url.as_str())?;
    a.set(1, record.method.as_str())?;
    a.set(2, flat(ctx, &record.headers)?)?;
    a.set(3, record.extra.as_str())?;
    Ok(a)
}

/// Adds the Cache API's functions to `ops` when the realm has a cache store
/// (`ops.hasCaches`).
pub(crate) fn install<'js>(
    ctx: &Ctx<'js>,
    ops: &Object<'js>,
    host: &Rc<RefCell<Host>>,
) -> rquickjs::Result<()> {
    let has = host.borrow().caches.is_some();
    ops.set("hasCaches", has)?;
    if !has {
        return Ok(());
    }

    let h = host.clone();
    ops.set(
        "cachesHas",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, name: String| {
            Ok::<_, rquickjs::Error>(store(&ctx, &h)?.has_cache(&name))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "cachesOpen",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, name: String| {
            store(&ctx, &h)?
                .open_cache(&name)
                .map(|id| id as f64)
                .map_err(|e| store_error(&ctx, &e))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "cachesDelete",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, name: String| {
            store(&ctx, &h)?
                .delete_cache(&name)
                .map_err(|e| store_error(&ctx, &e))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "cachesKeys",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>| {
            Ok::<_, rquickjs::Error>(store(&ctx, &h)?.cache_names())
        })?,
    )?;
    // CacheStorage's match: the first match in the named cache, or in each cache in
    // creation order.
    let h = host.clone();
    ops.set(
        "cachesMatch",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, name: Option<String>, q: Value<'js>, o: Array<'js>| {
                let store = store(&ctx, &h)?;
                let q = query(&q)?;
                let o = options(&o, 0)?;
                let ids = match name {
                    Some(n) => store.cache_id(&n).into_iter().collect::<Vec<_>>(),
                    None => store.cache_ids().into_iter().map(|(id, _)| id).collect(),
                };
                for id in ids {
                    if let Some(e) = store.query(id, q.as_ref(), o, true).first() {
                        store.touch(&[*e]);
                        return response(&ctx, &store, *e);
                    }
                }
                Ok(None)
            },
        )?,
    )?;

    let h = host.clone();
    ops.set(
        "cacheRetain",
        Function::new(ctx.clone(), move |id: f64| {
            let id = id_of(id);
            let mut host = h.borrow_mut();
            if let Some(link) = host.caches.as_mut() {
                *link.handles.entry(id).or_default() += 1;
                link.store.retain(id);
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "cacheRelease",
        Function::new(ctx.clone(), move |id: f64| {
            let id = id_of(id);
            let store = {
                let mut host = h.borrow_mut();
                let Some(link) = host.caches.as_mut() else {
                    return;
                };
                match link.handles.get_mut(&id) {
                    Some(n) if *n > 1 => *n -= 1,
                    Some(_) => {
                        link.handles.remove(&id);
                    }
                    None => return,
                }
                link.store.clone()
            };
            store.release(id);
        })?,
    )?;

    // Cache's matchAll (match with `first`): the matching responses in order.
    let h = host.clone();
    ops.set(
        "cacheMatch",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, id: f64, q: Value<'js>, o: Array<'js>, first: bool| {
                let store = store(&ctx, &h)?;
                let ids = store.query(id_of(id), query(&q)?.as_ref(), options(&o, 0)?, first);
                store.touch(&ids);
                let out = Array::new(ctx.clone())?;
                for e in ids {
                    if let Some(r) = response(&ctx, &store, e)? {
                        out.set(out.len(), r)?;
                    }
                }
                Ok::<_, rquickjs::Error>(out)
            },
        )?,
    )?;
    // Cache's keys: `[url, method, [name, value, ...], extra]` of each matching request.
    let h = host.clone();
    ops.set(
        "cacheKeys",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, id: f64, q: Value<'js>, o: Array<'js>| {
                let store = store(&ctx, &h)?;
                let ids = store.query(id_of(id), query(&q)?.as_ref(), options(&o, 0)?, false);
                let out = Array::new(ctx.clone())?;
                for e in ids {
                    if let Some(r) = store.with_record(e, |r| request(&ctx, &r.request)) {
                        out.set(out.len(), r?)?;
                    }
                }
                Ok::<_, rquickjs::Error>(out)
            },
        )?,
    )?;
    // "Batch Cache Operations": the number of entries the delete operations removed.
    let h = host.clone();
    ops.set(
        "cacheBatch",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, id: f64, list: Array<'js>| {
                let store = store(&ctx, &h)?;
                batch(&ctx, &store, id_of(id), &list)
            },
        )?,
    )?;
    Ok(())
}

/// One operation as the prelude sends it:
/// `['put', url, method, [headers], extra, type, status, statusText, [headers], [urls],
/// body]` or `['delete', url, method, [headers], ignoreSearch, ignoreMethod, ignoreVary]`.
enum Parsed<'js> {
    Put(RequestRecord, ResponseRecord, Option<TypedArray<'js, u8>>),
    Delete(Query, QueryOptions),
}

fn parse<'js>(op: &Array<'js>) -> rquickjs::Result<Parsed<'js>> {
    let kind: String = op.get(0)?;
    let url: String = op.get(1)?;
    let method: String = op.get(2)?;
    let request_headers = headers(&op.get::<Array>(3)?)?;
    if kind == "delete" {
        return Ok(Parsed::Delete(
            Query {
                url,
                method,
                headers: request_headers,
            },
            options(op, 4)?,
        ));
    }
    let body: Value = op.get(10)?;
    let body = if body.is_null() || body.is_undefined() {
        None
    } else {
        Some(TypedArray::<u8>::from_value(body)?)
    };
    Ok(Parsed::Put(
        RequestRecord {
            url,
            method,
            headers: request_headers,
            extra: op.get(4)?,
        },
        ResponseRecord {
            kind: op.get(5)?,
            status: op.get(6)?,
            status_text: op.get(7)?,
            headers: headers(&op.get::<Array>(8)?)?,
            url_list: op.get(9)?,
            has_body: body.is_some(),
        },
        body,
    ))
}

fn batch<'js>(
    ctx: &Ctx<'js>,
    store: &CacheStore,
    id: u64,
    list: &Array<'js>,
) -> rquickjs::Result<f64> {
    let parsed = list
        .iter::<Array>()
        .map(|op| parse(&op?))
        .collect::<rquickjs::Result<Vec<_>>>()?;
    let ops: Vec<BatchOp<'_>> = parsed
        .iter()
        .map(|p| match p {
            Parsed::Put(request, response, body) => BatchOp::Put {
                request: request.clone(),
                response: response.clone(),
                // SAFETY: the bytes are borrowed only while the batch runs, which is Rust
                // alone (the store and redb): no JavaScript runs that could detach or
                // resize the buffer while it is borrowed.
                body: body
                    .as_ref()
                    .and_then(|b| unsafe { b.as_bytes() })
                    .unwrap_or(&[]),
            },
            Parsed::Delete(query, options) => BatchOp::Delete {
                query: query.clone(),
                options: *options,
            },
        })
        .collect();
    match store.batch(id, &ops) {
        Ok(deleted) => Ok(deleted as f64),
        Err(e) => {
            let name = match &e {
                BatchError::Type(_) => "TypeError",
                BatchError::InvalidState(_) => "InvalidStateError",
                BatchError::Quota { .. } => "QuotaExceededError",
                BatchError::Store(_) => "UnknownError",
            };
            Err(throw(ctx, name, &e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::DEFAULT_BUDGET;
    use super::*;
    use crate::{Realm, RealmOptions};
    use std::time::Duration;

    fn strings(list: &[(&str, &str)]) -> HeaderList {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// Responses from fetch() have types and URL lists scripts cannot make: the store
    /// keeps them, and a put() of such a response keeps them too.
    #[test]
    fn a_fetched_response_keeps_its_type_and_url_list() {
        let store = CacheStore::in_memory(DEFAULT_BUDGET).unwrap();
        let id = store.open_cache("\"c\"").unwrap();
        let op = BatchOp::Put {
            request: RequestRecord {
                url: "https://a.test/start".into(),
                method: "GET".into(),
                headers: vec![],
                extra: "{}".into(),
            },
            response: ResponseRecord {
                kind: "cors".into(),
                status: 200,
                status_text: "OK".into(),
                headers: strings(&[("content-type", "text/plain")]),
                url_list: vec!["https://a.test/start".into(), "https://b.test/end#f".into()],
                has_body: true,
            },
            body: b"hi",
        };
        store.batch(id, &[op]).unwrap();

        let lines: Rc<RefCell<Vec<String>>> = Rc::default();
        let sink = lines.clone();
        let mut realm = Realm::new(RealmOptions {
            caches: Some(store),
            console: Some(Box::new(move |_, t| sink.borrow_mut().push(t.to_owned()))),
            ..RealmOptions::default()
        })
        .unwrap();
        realm
            .eval_script(
                r#"(async () => {
                  const c = await caches.open('c');
                  const r = await c.match('https://a.test/start');
                  console.log(r.type, r.url, r.redirected, r.statusText, await r.text());
                  await c.put('https://a.test/copy', await c.match('https://a.test/start'));
                  const copy = await c.match('https://a.test/copy');
                  console.log(copy.type, copy.url, copy.redirected);
                  const [key] = await c.keys('https://a.test/start');
                  console.log(key.mode, key.credentials, key.cache, key.redirect, key.referrer);
                })().then(() => console.log('<end>'), (e) => console.log('<end>', e.name, e.message));"#,
                "test.js",
            )
            .unwrap();
        let l = lines.clone();
        realm
            .run_event_loop(Duration::from_secs(10), &mut || {
                l.borrow().last().is_some_and(|x| x.starts_with("<end>"))
            })
            .unwrap();
        assert_eq!(
            *lines.borrow(),
            [
                "cors https://b.test/end true OK hi",
                "cors https://b.test/end true",
                "cors same-origin default follow about:client",
                "<end>",
            ]
        );
    }
}

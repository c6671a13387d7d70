//! IndexedDB's host functions (`ops.idb*`), over the realm's [`IndexedDbStore`].
//!
//! Keys cross in a "wire" form the prelude (js/indexed_db.js) makes from a key it has
//! already validated: a number; a well-formed string; `{d: ms}` for a date; `{u:
//! Uint16Array}` for a string with lone surrogates; `{b: Uint8Array}` for binary; an
//! array of wire keys. Values cross as the bytes of the prelude's serialiser. A failure
//! throws an `Error` whose message starts with its kind (`constraint:`, `quota:`,
//! `unknown:`), which the prelude turns into the DOMException the specification names;
//! store errors are also kept for the host ([`IndexedDbStore::take_error`]).

use super::key::{Key, MAX_DEPTH};
use super::store::{IdbError, IndexKeys, IndexedDbStore, Limit, Scan, Source, WriteError};
use rquickjs::{Array, Ctx, Exception, Function, Object, TypedArray, Value};
use std::rc::Rc;

/// Installs the ops on `ops` (`ops.hasIndexedDb` tells the prelude whether they exist):
/// the realm's owner id in the store, for [`IndexedDbStore::release`].
pub(crate) fn install<'js>(
    ctx: &Ctx<'js>,
    ops: &Object<'js>,
    store: Option<Rc<IndexedDbStore>>,
) -> rquickjs::Result<u64> {
    ops.set("hasIndexedDb", store.is_some())?;
    let Some(store) = store else {
        return Ok(0);
    };
    let owner = store.new_owner();
    macro_rules! op {
        ($name:literal, $f:expr) => {{
            let s = store.clone();
            let f = $f;
            ops.set(
                $name,
                Function::new(
                    ctx.clone(),
                    move |ctx: Ctx<'js>, a: rquickjs::function::Rest<Value<'js>>| f(&ctx, &s, &a.0),
                )?,
            )?;
        }};
    }
    op!("idbBegin", move |ctx: &Ctx<'js>,
                          s: &Rc<IndexedDbStore>,
                          a: &[Value<'js>]| {
        let write = arg(a, 0).as_bool().unwrap_or(false);
        s.begin(write, owner)
            .map(|id| id.unwrap_or(0))
            .map_err(|e| thrown(ctx, s, e.into()))
    });
    op!("idbCommit", |ctx: &Ctx<'js>,
                      s: &Rc<IndexedDbStore>,
                      a: &[Value<'js>]| {
        s.commit(txn(a)).map_err(|e| thrown(ctx, s, e.into()))
    });
    op!("idbAbort", |ctx: &Ctx<'js>,
                     s: &Rc<IndexedDbStore>,
                     a: &[Value<'js>]| {
        s.abort(txn(a)).map_err(|e| thrown(ctx, s, e.into()))
    });
    op!("idbMetaGet", |ctx: &Ctx<'js>,
                       s: &Rc<IndexedDbStore>,
                       a: &[Value<'js>]| {
        let key = string(ctx, arg(a, 1))?;
        let v = s
            .meta_get(txn(a), &key)
            .map_err(|e| thrown(ctx, s, e.into()))?;
        v.map(|v| String::from_utf8(v).map_err(|_| corrupt(ctx, s, "a catalog is not UTF-8")))
            .transpose()
    });
    op!("idbMetaList", |ctx: &Ctx<'js>,
                        s: &Rc<IndexedDbStore>,
                        a: &[Value<'js>]| {
        let start = string(ctx, arg(a, 1))?;
        let list = s
            .meta_list(txn(a), &start)
            .map_err(|e| thrown(ctx, s, e.into()))?;
        let out = Array::new(ctx.clone())?;
        for (i, (k, v)) in list.into_iter().enumerate() {
            let v = String::from_utf8(v).map_err(|_| corrupt(ctx, s, "a catalog is not UTF-8"))?;
            out.set(i, vec![k, v])?;
        }
        rquickjs::Result::Ok(out)
    });
    op!("idbMetaSet", |ctx: &Ctx<'js>,
                       s: &Rc<IndexedDbStore>,
                       a: &[Value<'js>]| {
        let key = string(ctx, arg(a, 1))?;
        let value = match arg(a, 2) {
            v if v.is_null() || v.is_undefined() => None,
            v => Some(string(ctx, v)?),
        };
        s.meta_set(txn(a), &key, value.as_deref().map(str::as_bytes))
            .map_err(|e| thrown(ctx, s, e))
    });
    op!("idbNewId", |ctx: &Ctx<'js>,
                     s: &Rc<IndexedDbStore>,
                     a: &[Value<'js>]| {
        s.new_id(txn(a))
            .map(|n| n as f64)
            .map_err(|e| thrown(ctx, s, e))
    });
    op!(
        "idbGenerateKey",
        |ctx: &Ctx<'js>, s: &Rc<IndexedDbStore>, a: &[Value<'js>]| {
            s.generate_key(txn(a), id(a, 1))
                .map_err(|e| thrown(ctx, s, e))
        }
    );
    op!("idbPut", |ctx: &Ctx<'js>,
                   s: &Rc<IndexedDbStore>,
                   a: &[Value<'js>]| {
        // (txn, store, key, value bytes, [[index, unique, [keys]]], noOverwrite, generator)
        let key = key_from_js(ctx, arg(a, 2), 0)?;
        let value = bytes(ctx, arg(a, 3))?;
        let mut indexes = Vec::new();
        if let Some(list) = arg(a, 4).as_array() {
            for item in list.iter::<Array<'js>>() {
                let item = item?;
                let keys: Array<'js> = item.get(2)?;
                let keys = keys
                    .iter::<Value<'js>>()
                    .map(|k| key_from_js(ctx, k?, 0))
                    .collect::<rquickjs::Result<Vec<_>>>()?;
                indexes.push(IndexKeys {
                    index: item.get::<f64>(0)? as u64,
                    unique: item.get(1)?,
                    keys,
                });
            }
        }
        let no_overwrite = arg(a, 5).as_bool().unwrap_or(false);
        let generator = arg(a, 6).as_bool().unwrap_or(false);
        s.put(
            txn(a),
            id(a, 1),
            &key,
            &value,
            &indexes,
            no_overwrite,
            generator,
        )
        .map_err(|e| thrown(ctx, s, e))
    });
    op!(
        "idbAddIndexEntries",
        |ctx: &Ctx<'js>, s: &Rc<IndexedDbStore>, a: &[Value<'js>]| {
            // (txn, store, index, unique, [[primary key, [keys]]])
            let mut records = Vec::new();
            if let Some(list) = arg(a, 4).as_array() {
                for item in list.iter::<Array<'js>>() {
                    let item = item?;
                    let pk = key_from_js(ctx, item.get(0)?, 0)?;
                    let keys: Array<'js> = item.get(1)?;
                    let keys = keys
                        .iter::<Value<'js>>()
                        .map(|k| key_from_js(ctx, k?, 0))
                        .collect::<rquickjs::Result<Vec<_>>>()?;
                    records.push((pk, keys));
                }
            }
            let unique = arg(a, 3).as_bool().unwrap_or(false);
            s.add_index_entries(txn(a), id(a, 1), id(a, 2), unique, &records)
                .map_err(|e| thrown(ctx, s, e))
        }
    );
    op!("idbDelete", |ctx: &Ctx<'js>,
                      s: &Rc<IndexedDbStore>,
                      a: &[Value<'js>]| {
        let limits = limits(ctx, arg(a, 2))?;
        s.delete(txn(a), id(a, 1), &limits)
            .map(|n| n as f64)
            .map_err(|e| thrown(ctx, s, e))
    });
    op!(
        "idbDeleteIndex",
        |ctx: &Ctx<'js>, s: &Rc<IndexedDbStore>, a: &[Value<'js>]| {
            s.delete_index(txn(a), id(a, 1))
                .map_err(|e| thrown(ctx, s, e))
        }
    );
    op!(
        "idbDeleteGenerator",
        |ctx: &Ctx<'js>, s: &Rc<IndexedDbStore>, a: &[Value<'js>]| {
            s.delete_generator(txn(a), id(a, 1))
                .map_err(|e| thrown(ctx, s, e))
        }
    );
    op!("idbScan", |ctx: &Ctx<'js>,
                    s: &Rc<IndexedDbStore>,
                    a: &[Value<'js>]| {
        // (txn, [index id or 0, store id], limits, [reverse, unique, skip, count, values])
        let source = source(a)?;
        let opts: Array<'js> = arg(a, 3).into_array().ok_or_else(|| type_error(ctx))?;
        let count: f64 = opts.get(3)?;
        let scan = Scan {
            source,
            limits: limits(ctx, arg(a, 2))?,
            reverse: opts.get(0)?,
            unique: opts.get(1)?,
            skip: opts.get::<f64>(2)? as u64,
            count: (count >= 0.0).then_some(count as u64),
            values: opts.get(4)?,
        };
        let found = s
            .scan(txn(a), &scan)
            .map_err(|e| thrown(ctx, s, e.into()))?;
        let out = Array::new(ctx.clone())?;
        for (i, f) in found.into_iter().enumerate() {
            let entry = Array::new(ctx.clone())?;
            entry.set(0, key_to_js(ctx, &f.key)?)?;
            entry.set(1, key_to_js(ctx, &f.primary)?)?;
            if let Some(v) = f.value {
                entry.set(2, TypedArray::<u8>::new(ctx.clone(), v)?)?;
            }
            out.set(i, entry)?;
        }
        rquickjs::Result::Ok(out)
    });
    op!("idbCount", |ctx: &Ctx<'js>,
                     s: &Rc<IndexedDbStore>,
                     a: &[Value<'js>]| {
        let limits = limits(ctx, arg(a, 2))?;
        s.count(txn(a), source(a)?, &limits)
            .map(|n| n as f64)
            .map_err(|e| thrown(ctx, s, e.into()))
    });
    op!(
        "idbConnOpen",
        move |ctx: &Ctx<'js>, s: &Rc<IndexedDbStore>, a: &[Value<'js>]| {
            let name = string(ctx, arg(a, 0))?;
            rquickjs::Result::Ok(s.connections().open(owner, &name) as f64)
        }
    );
    op!("idbConnClose", |_ctx: &Ctx<'js>,
                         s: &Rc<IndexedDbStore>,
                         a: &[Value<'js>]| {
        s.connections().close(id(a, 0));
        rquickjs::Result::Ok(())
    });
    op!("idbNotify", move |ctx: &Ctx<'js>,
                           s: &Rc<IndexedDbStore>,
                           a: &[Value<'js>]| {
        // (name, old version, new version or null)
        let name = string(ctx, arg(a, 0))?;
        let old = arg(a, 1).as_number().unwrap_or(0.0);
        let new = arg(a, 2).as_number();
        s.connections().notify(owner, &name, old, new);
        rquickjs::Result::Ok(())
    });
    op!("idbAck", |_ctx: &Ctx<'js>,
                   s: &Rc<IndexedDbStore>,
                   a: &[Value<'js>]| {
        s.connections().ack(id(a, 0));
        rquickjs::Result::Ok(())
    });
    op!("idbOthers", move |ctx: &Ctx<'js>,
                           s: &Rc<IndexedDbStore>,
                           a: &[Value<'js>]| {
        let name = string(ctx, arg(a, 0))?;
        let (open, waiting) = s.connections().others(owner, &name);
        rquickjs::Result::Ok(vec![open as f64, waiting as f64])
    });
    op!("idbClaim", move |ctx: &Ctx<'js>,
                          s: &Rc<IndexedDbStore>,
                          a: &[Value<'js>]| {
        let name = string(ctx, arg(a, 0))?;
        rquickjs::Result::Ok(s.connections().claim(owner, &name))
    });
    op!("idbUnclaim", move |ctx: &Ctx<'js>,
                            s: &Rc<IndexedDbStore>,
                            a: &[Value<'js>]| {
        let name = string(ctx, arg(a, 0))?;
        s.connections().unclaim(owner, &name);
        rquickjs::Result::Ok(())
    });
    op!("idbUsage", |_ctx: &Ctx<'js>,
                     s: &Rc<IndexedDbStore>,
                     _a: &[Value<'js>]| {
        rquickjs::Result::Ok(s.usage() as f64)
    });
    Ok(owner)
}

/// Argument `i` (`undefined` when absent).
fn arg<'js>(a: &[Value<'js>], i: usize) -> Value<'js> {
    match (a.get(i), a.first()) {
        (Some(v), _) => v.clone(),
        (None, Some(first)) => Value::new_undefined(first.ctx().clone()),
        // No op is called without arguments but idbUsage, which reads none.
        (None, None) => unreachable!("an IndexedDB op read an argument it was not given"),
    }
}

fn txn(a: &[Value<'_>]) -> u32 {
    a.first().and_then(Value::as_number).unwrap_or(0.0) as u32
}

fn id(a: &[Value<'_>], i: usize) -> u64 {
    a.get(i).and_then(Value::as_number).unwrap_or(0.0) as u64
}

fn source(a: &[Value<'_>]) -> rquickjs::Result<Source> {
    let pair = a.get(1).and_then(|v| v.as_array().cloned());
    let (index, store) = match pair {
        Some(p) => (p.get::<f64>(0)? as u64, p.get::<f64>(1)? as u64),
        None => (0, 0),
    };
    Ok(if index == 0 {
        Source::Store(store)
    } else {
        Source::Index { index, store }
    })
}

fn type_error(ctx: &Ctx<'_>) -> rquickjs::Error {
    Exception::throw_type(ctx, "unknown:an IndexedDB op got a malformed argument")
}

fn string(ctx: &Ctx<'_>, v: Value<'_>) -> rquickjs::Result<String> {
    v.as_string().ok_or_else(|| type_error(ctx))?.to_string()
}

/// The bytes of a `Uint8Array`.
fn bytes(ctx: &Ctx<'_>, v: Value<'_>) -> rquickjs::Result<Vec<u8>> {
    let a = TypedArray::<u8>::from_value(v).map_err(|_| type_error(ctx))?;
    // SAFETY: the bytes are copied here, before any JavaScript runs again, so the buffer
    // can be neither detached nor resized while borrowed.
    let b = unsafe { a.as_bytes() }.ok_or_else(|| type_error(ctx))?;
    Ok(b.to_vec())
}

/// The thrown error for a failed op: its kind first. A store error is kept for the host.
fn thrown(ctx: &Ctx<'_>, s: &IndexedDbStore, e: WriteError) -> rquickjs::Error {
    let message = match &e {
        WriteError::Constraint(m) => format!("constraint:{m}"),
        WriteError::Quota { .. } => format!("quota:{e}"),
        WriteError::Store(inner) => {
            s.note_error(inner);
            format!("unknown:{inner}")
        }
    };
    Exception::throw_message(ctx, &message)
}

fn corrupt(ctx: &Ctx<'_>, s: &IndexedDbStore, what: &str) -> rquickjs::Error {
    thrown(
        ctx,
        s,
        WriteError::Store(IdbError::Corrupt {
            file: s.file(),
            what: what.into(),
        }),
    )
}

/// A scan's limits from `[[key, primary or undefined, upper, open], ...]`.
fn limits(ctx: &Ctx<'_>, v: Value<'_>) -> rquickjs::Result<Vec<Limit>> {
    let mut out = Vec::new();
    let Some(list) = v.as_array() else {
        return Ok(out);
    };
    for item in list.iter::<Array<'_>>() {
        let item = item?;
        let primary: Value<'_> = item.get(1)?;
        out.push(Limit {
            key: key_from_js(ctx, item.get(0)?, 0)?,
            primary: if primary.is_undefined() {
                None
            } else {
                Some(key_from_js(ctx, primary, 0)?)
            },
            upper: item.get(2)?,
            open: item.get(3)?,
        });
    }
    Ok(out)
}

/// A key from its wire form.
fn key_from_js(ctx: &Ctx<'_>, v: Value<'_>, depth: usize) -> rquickjs::Result<Key> {
    if depth > MAX_DEPTH {
        return Err(type_error(ctx));
    }
    if let Some(n) = v.as_number() {
        return Ok(Key::Number(n));
    }
    if let Some(s) = v.as_string() {
        return Ok(Key::String(s.to_string()?.encode_utf16().collect()));
    }
    if let Some(a) = v.as_array() {
        let items = a
            .iter::<Value<'_>>()
            .map(|x| key_from_js(ctx, x?, depth + 1))
            .collect::<rquickjs::Result<Vec<_>>>()?;
        return Ok(Key::Array(items));
    }
    let o = v.as_object().ok_or_else(|| type_error(ctx))?;
    if let Some(d) = o.get::<_, Value<'_>>("d")?.as_number() {
        return Ok(Key::Date(d));
    }
    let u: Value<'_> = o.get("u")?;
    if !u.is_undefined() {
        let a = TypedArray::<u16>::from_value(u).map_err(|_| type_error(ctx))?;
        // SAFETY: the bytes are copied here, before any JavaScript runs again.
        let raw = unsafe { a.as_bytes() }.ok_or_else(|| type_error(ctx))?;
        let units = raw
            .chunks_exact(2)
            .map(|c| u16::from_ne_bytes([c[0], c[1]]))
            .collect();
        return Ok(Key::String(units));
    }
    let b: Value<'_> = o.get("b")?;
    Ok(Key::Binary(bytes(ctx, b)?))
}

/// A key's wire form.
fn key_to_js<'js>(ctx: &Ctx<'js>, k: &Key) -> rquickjs::Result<Value<'js>> {
    Ok(match k {
        Key::Number(n) => Value::new_number(ctx.clone(), *n),
        Key::Date(d) => {
            let o = Object::new(ctx.clone())?;
            o.set("d", *d)?;
            o.into_value()
        }
        Key::String(units) => match String::from_utf16(units) {
            Ok(s) => rquickjs::String::from_str(ctx.clone(), &s)?.into_value(),
            Err(_) => {
                let o = Object::new(ctx.clone())?;
                o.set("u", TypedArray::<u16>::new(ctx.clone(), units.clone())?)?;
                o.into_value()
            }
        },
        Key::Binary(b) => {
            let o = Object::new(ctx.clone())?;
            o.set("b", TypedArray::<u8>::new(ctx.clone(), b.clone())?)?;
            o.into_value()
        }
        Key::Array(items) => {
            let a = Array::new(ctx.clone())?;
            for (i, x) in items.iter().enumerate() {
                a.set(i, key_to_js(ctx, x)?)?;
            }
            a.into_value()
        }
    })
}

//! Messages from the host to a realm's prelude: plain data (no JavaScript values, so they
//! can come from another realm or from Rust), delivered one per task to the hook the
//! prelude registered with `ops.setMessageHook(fn)`, called as `fn(kind, ...args)`.
//!
//! Service workers run on this: the registry tells a page's realm that a worker changed
//! state, hands a worker's realm a `fetch` event, and carries the answer back.

use rquickjs::{Ctx, IntoJs, Value};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// A realm's queue of host messages, shared with their senders.
pub(crate) type Inbox = Rc<RefCell<VecDeque<HostMessage>>>;

/// A value a host message carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    /// A `Uint8Array` on the JavaScript side.
    Bytes(Vec<u8>),
    List(Vec<Plain>),
}

impl From<&str> for Plain {
    fn from(s: &str) -> Plain {
        Plain::Text(s.to_owned())
    }
}

impl From<String> for Plain {
    fn from(s: String) -> Plain {
        Plain::Text(s)
    }
}

impl From<f64> for Plain {
    fn from(n: f64) -> Plain {
        Plain::Number(n)
    }
}

impl From<u32> for Plain {
    fn from(n: u32) -> Plain {
        Plain::Number(f64::from(n))
    }
}

impl From<u64> for Plain {
    fn from(n: u64) -> Plain {
        // Ids stay far below 2^53.
        Plain::Number(n as f64)
    }
}

impl From<bool> for Plain {
    fn from(b: bool) -> Plain {
        Plain::Bool(b)
    }
}

impl<T: Into<Plain>> From<Option<T>> for Plain {
    fn from(v: Option<T>) -> Plain {
        v.map_or(Plain::Null, Into::into)
    }
}

impl<'js> IntoJs<'js> for Plain {
    fn into_js(self, ctx: &Ctx<'js>) -> rquickjs::Result<Value<'js>> {
        Ok(match self {
            Plain::Null => Value::new_null(ctx.clone()),
            Plain::Bool(b) => Value::new_bool(ctx.clone(), b),
            Plain::Number(n) => Value::new_float(ctx.clone(), n),
            Plain::Text(s) => s.into_js(ctx)?,
            Plain::Bytes(b) => rquickjs::TypedArray::<u8>::new(ctx.clone(), b)?.into_value(),
            Plain::List(items) => {
                let a = rquickjs::Array::new(ctx.clone())?;
                for (i, item) in items.into_iter().enumerate() {
                    a.set(i, item)?;
                }
                a.into_value()
            }
        })
    }
}

/// One message: what it is (`kind`) and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct HostMessage {
    pub kind: &'static str,
    pub args: Vec<Plain>,
}

impl HostMessage {
    pub fn new(kind: &'static str, args: Vec<Plain>) -> HostMessage {
        HostMessage { kind, args }
    }

    /// The hook's arguments: the kind, then the message's own.
    pub(crate) fn into_args<'js>(self, ctx: &Ctx<'js>) -> rquickjs::Result<Vec<Value<'js>>> {
        let mut out = Vec::with_capacity(self.args.len() + 1);
        out.push(self.kind.into_js(ctx)?);
        for a in self.args {
            out.push(a.into_js(ctx)?);
        }
        Ok(out)
    }
}

impl<'js> rquickjs::FromJs<'js> for Plain {
    fn from_js(ctx: &Ctx<'js>, v: Value<'js>) -> rquickjs::Result<Plain> {
        if v.is_null() || v.is_undefined() {
            return Ok(Plain::Null);
        }
        if let Some(b) = v.as_bool() {
            return Ok(Plain::Bool(b));
        }
        if let Some(n) = v.as_number() {
            return Ok(Plain::Number(n));
        }
        if let Some(s) = v.as_string() {
            return Ok(Plain::Text(s.to_string()?));
        }
        if let Ok(bytes) = rquickjs::TypedArray::<u8>::from_js(ctx, v.clone()) {
            // SAFETY: copied before any JavaScript runs again, so the buffer can be neither
            // detached nor resized while borrowed.
            return Ok(Plain::Bytes(
                unsafe { bytes.as_bytes() }.unwrap_or(&[]).to_vec(),
            ));
        }
        if let Some(a) = v.as_array() {
            return a
                .iter::<Plain>()
                .collect::<rquickjs::Result<_>>()
                .map(Plain::List);
        }
        Err(rquickjs::Error::new_from_js("value", "plain data"))
    }
}

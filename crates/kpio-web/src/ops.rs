//! The host functions the prelude (`js/`) builds the web's globals on.
//!
//! They are handed to the prelude as one object and are not reachable from page scripts
//! afterwards. Each takes plain values (strings, numbers, `Uint8Array`s) and returns plain
//! values; JavaScript turns failures into the exceptions the specifications name.

use crate::console::{ConsoleLevel, ConsoleSink};
use crate::timers::TimerQueue;
use crate::web_storage::{AreaKind, ChangeQueue, SetError, WebStorage};
use rquickjs::convert::List;
use rquickjs::function::Opt;
use rquickjs::{Ctx, Function, Object, Persistent, TypedArray, Value, qjs};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The realm's host-side state, shared by its ops and its event loop.
pub(crate) struct Host {
    pub(crate) timers: TimerQueue,
    pub(crate) console: ConsoleSink,
    /// `performance.now()`'s zero.
    pub(crate) time_origin: Instant,
    /// `performance.timeOrigin`: milliseconds since the Unix epoch at `time_origin`.
    pub(crate) epoch_ms: f64,
    decoders: HashMap<u32, Decoding>,
    next_decoder: u32,
    /// The prelude's entry points the event loop calls.
    pub(crate) hooks: Option<Hooks>,
    /// The app's Web Storage, for window realms that have it.
    pub(crate) storage: Option<StorageLink>,
    /// The app's Cache API store, for realms that have one.
    pub(crate) caches: Option<crate::cache_storage::js::CacheLink>,
    /// Promise rejections QuickJS tracked since the last microtask checkpoint: the
    /// promise, the reason, and whether this is a handler added later.
    pub(crate) rejections: Vec<(Persistent<Value<'static>>, Persistent<Value<'static>>, bool)>,
    /// Exceptions and unhandled rejections reported so far that no listener cancelled.
    pub(crate) uncaught: u64,
    /// Messages from the host (another realm, the service worker registry), one per
    /// task, shared with whoever sends them.
    pub(crate) inbox: crate::host_message::Inbox,
    /// The app's service worker registry, and whether this realm is a page or a worker
    /// there; `None` in realms outside a [`crate::app::WebApp`].
    pub(crate) service_worker: Option<crate::service_worker::ops::SwLink>,
    /// The app's notification centre; `None` when notifications are denied outright.
    pub(crate) notifications: Option<crate::notifications::NotificationLink>,
    /// The app's stores, for `navigator.storage.estimate()`.
    pub(crate) budget: crate::quota::StorageBudget,
    /// The exchanges `fetch()` has in flight; `None` in realms without network.
    pub(crate) net: Option<crate::net::NetLink>,
    /// HTML's task queue: callbacks the prelude queued (`ops.queueTask`), run by the
    /// event loop one per task, in order, before timers.
    pub(crate) tasks: VecDeque<Persistent<Function<'static>>>,
    /// The app's IndexedDB data, for realms that have `indexedDB`.
    pub(crate) indexed_db: Option<Rc<crate::IndexedDbStore>>,
    /// This realm's owner id in `indexed_db`.
    pub(crate) idb_owner: u64,
}

/// A window's link to its app's Web Storage.
pub(crate) struct StorageLink {
    pub(crate) storage: Rc<WebStorage>,
    /// This window's id among the storage's windows (it gets no events of its own).
    pub(crate) window: u64,
    /// Changes other windows made, waiting to be fired as `storage` events.
    pub(crate) changes: ChangeQueue,
    /// The page's URL, for the events this window causes.
    pub(crate) url: String,
}

pub(crate) struct Hooks {
    /// `runTimer(id)`: runs timer `id`'s callback (js/timers.js).
    pub(crate) run_timer: Persistent<Function<'static>>,
    /// `report(error)`: reports an uncaught exception to the global `error` event and the
    /// console (js/report.js).
    pub(crate) report: Persistent<Function<'static>>,
    /// `fireStorage(area, key, oldValue, newValue, url)`: a `storage` event at the
    /// global (js/storage.js); `None` in realms without Web Storage.
    pub(crate) fire_storage: Option<Persistent<Function<'static>>>,
    /// `notifyRejections(list)`: HTML's "notify about rejected promises"
    /// (js/rejections.js).
    pub(crate) notify_rejections: Option<Persistent<Function<'static>>>,
    /// `netEvent(id, kind, ...)`: an exchange's report (js/fetch.js).
    pub(crate) net_event: Option<Persistent<Function<'static>>>,
    /// `onMessage(kind, ...args)`: a host message (see `crate::host_message`).
    pub(crate) host_message: Option<Persistent<Function<'static>>>,
    /// `cleanup()`: IndexedDB's "cleanup Indexed Database transactions", the last step
    /// of a microtask checkpoint (js/indexed_db.js); `None` without IndexedDB.
    pub(crate) cleanup: Option<Persistent<Function<'static>>>,
    /// `versionChange(conn, old, new)`: a version change another realm asked for, at
    /// this realm's connection `conn` (js/indexed_db.js); `None` without IndexedDB.
    pub(crate) idb_notice: Option<Persistent<Function<'static>>>,
}

impl Host {
    pub(crate) fn new(console: ConsoleSink) -> Host {
        let epoch_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0);
        Host {
            timers: TimerQueue::default(),
            console,
            time_origin: Instant::now(),
            epoch_ms,
            decoders: HashMap::new(),
            next_decoder: 1,
            hooks: None,
            storage: None,
            caches: None,
            rejections: Vec::new(),
            uncaught: 0,
            tasks: VecDeque::new(),
            inbox: Rc::default(),
            service_worker: None,
            budget: crate::quota::StorageBudget::new(),
            notifications: None,
            net: None,
            indexed_db: None,
            idb_owner: 0,
        }
    }
}

/// One `TextDecoder`'s state: its encoding and options, and the decoder of a stream in
/// progress (`None` between streams).
struct Decoding {
    encoding: &'static encoding_rs::Encoding,
    fatal: bool,
    ignore_bom: bool,
    stream: Option<encoding_rs::Decoder>,
}

/// Makes the ops object for a realm whose host state is `host`.
pub(crate) fn install<'js>(
    ctx: &Ctx<'js>,
    host: &Rc<RefCell<Host>>,
) -> rquickjs::Result<Object<'js>> {
    let ops = Object::new(ctx.clone())?;

    let h = host.clone();
    ops.set(
        "print",
        Function::new(ctx.clone(), move |level: String, text: String| {
            let mut host = h.borrow_mut();
            (host.console)(ConsoleLevel::from_name(&level), &text);
        })?,
    )?;

    let h = host.clone();
    ops.set(
        "now",
        Function::new(ctx.clone(), move || {
            h.borrow().time_origin.elapsed().as_secs_f64() * 1000.0
        })?,
    )?;
    ops.set("timeOrigin", host.borrow().epoch_ms)?;
    ops.set(
        "hardwareConcurrency",
        Function::new(ctx.clone(), || {
            std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
        })?,
    )?;

    let h = host.clone();
    ops.set(
        "noteUncaught",
        Function::new(ctx.clone(), move || h.borrow_mut().uncaught += 1)?,
    )?;

    let h = host.clone();
    ops.set(
        "timerArm",
        Function::new(ctx.clone(), move |id: u32, delay_ms: f64| {
            let delay = Duration::from_secs_f64(delay_ms.clamp(0.0, 2_147_483_647.0) / 1000.0);
            h.borrow_mut().timers.arm(id, Instant::now(), delay);
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "timerCancel",
        Function::new(ctx.clone(), move |id: u32| h.borrow_mut().timers.cancel(id))?,
    )?;

    let h = host.clone();
    ops.set(
        "setHooks",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, run_timer: Function<'js>, report: Function<'js>| {
                h.borrow_mut().hooks = Some(Hooks {
                    run_timer: Persistent::save(&ctx, run_timer),
                    report: Persistent::save(&ctx, report),
                    fire_storage: None,
                    notify_rejections: None,
                    net_event: None,
                    host_message: None,
                    cleanup: None,
                    idb_notice: None,
                });
            },
        )?,
    )?;

    let h = host.clone();
    ops.set(
        "queueTask",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, task: Function<'js>| {
            h.borrow_mut().tasks.push_back(Persistent::save(&ctx, task));
        })?,
    )?;

    let h = host.clone();
    ops.set(
        "setMessageHook",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, hook: Function<'js>| {
            if let Some(hooks) = &mut h.borrow_mut().hooks {
                hooks.host_message = Some(Persistent::save(&ctx, hook));
            }
        })?,
    )?;

    let h = host.clone();
    ops.set(
        "setStorageHook",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, fire: Function<'js>| {
            if let Some(hooks) = &mut h.borrow_mut().hooks {
                hooks.fire_storage = Some(Persistent::save(&ctx, fire));
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "setRejectionHook",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, notify: Function<'js>| {
            if let Some(hooks) = &mut h.borrow_mut().hooks {
                hooks.notify_rejections = Some(Persistent::save(&ctx, notify));
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "setCleanupHook",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, cleanup: Function<'js>| {
            if let Some(hooks) = &mut h.borrow_mut().hooks {
                hooks.cleanup = Some(Persistent::save(&ctx, cleanup));
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "setIdbNoticeHook",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, notice: Function<'js>| {
            if let Some(hooks) = &mut h.borrow_mut().hooks {
                hooks.idb_notice = Some(Persistent::save(&ctx, notice));
            }
        })?,
    )?;
    install_storage(ctx, &ops, host)?;
    crate::net::ops::install(ctx, &ops, host)?;
    crate::service_worker::ops::install(ctx, &ops, host)?;
    crate::notifications::ops::install(ctx, &ops, host)?;

    // navigator.storage.estimate(): [usage, quota, [[name, bytes], ...]].
    let h = host.clone();
    ops.set(
        "storageEstimate",
        Function::new(ctx.clone(), move || {
            let e = h.borrow().budget.estimate();
            let details: Vec<crate::host_message::Plain> = e
                .details
                .into_iter()
                .map(|(n, b)| crate::host_message::Plain::List(vec![n.into(), b.into()]))
                .collect();
            crate::host_message::Plain::List(vec![
                e.usage.into(),
                e.quota.into(),
                crate::host_message::Plain::List(details),
            ])
        })?,
    )?;
    crate::cache_storage::js::install(ctx, &ops, host)?;
    let idb = host.borrow().indexed_db.clone();
    host.borrow_mut().idb_owner = crate::indexed_db::ops::install(ctx, &ops, idb)?;

    ops.set("classId", Function::new(ctx.clone(), class_id)?)?;
    ops.set(
        "isProxy",
        Function::new(ctx.clone(), |v: Value<'_>| v.is_proxy())?,
    )?;
    ops.set(
        "isError",
        Function::new(ctx.clone(), |v: Value<'_>| v.is_error())?,
    )?;

    ops.set("urlParse", Function::new(ctx.clone(), url_parse)?)?;
    ops.set("urlParts", Function::new(ctx.clone(), url_parts)?)?;
    ops.set("urlSet", Function::new(ctx.clone(), url_set)?)?;
    ops.set("formParse", Function::new(ctx.clone(), form_parse)?)?;
    ops.set("formSerialize", Function::new(ctx.clone(), form_serialize)?)?;

    ops.set("utf8Encode", Function::new(ctx.clone(), utf8_encode)?)?;
    let h = host.clone();
    ops.set(
        "decoderOpen",
        Function::new(
            ctx.clone(),
            move |label: String, fatal: bool, ignore_bom: bool| {
                decoder_open(&mut h.borrow_mut(), &label, fatal, ignore_bom).map(List)
            },
        )?,
    )?;
    let h = host.clone();
    ops.set(
        "decoderDecode",
        Function::new(
            ctx.clone(),
            move |id: u32, bytes: TypedArray<'_, u8>, stream: bool| {
                // SAFETY: the bytes are read here, before any JavaScript runs again, so
                // the buffer can be neither detached nor resized while borrowed.
                let src = unsafe { bytes.as_bytes() }.unwrap_or(&[]);
                decoder_decode(&mut h.borrow_mut(), id, src, stream)
            },
        )?,
    )?;
    let h = host.clone();
    ops.set(
        "decoderClose",
        Function::new(ctx.clone(), move |id: u32| {
            h.borrow_mut().decoders.remove(&id);
        })?,
    )?;
    Ok(ops)
}

fn area_kind(kind: u32) -> AreaKind {
    if kind == 0 {
        AreaKind::Local
    } else {
        AreaKind::Session
    }
}

/// Web Storage's host functions. Keys and values travel as JSON string literals
/// (`JSON.stringify`), which keep lone surrogates (see `web_storage::StorageArea`).
fn install_storage<'js>(
    ctx: &Ctx<'js>,
    ops: &Object<'js>,
    host: &Rc<RefCell<Host>>,
) -> rquickjs::Result<()> {
    let has = host.borrow().storage.is_some();
    ops.set("hasStorage", has)?;
    if !has {
        return Ok(());
    }
    let link = |h: &Rc<RefCell<Host>>| {
        let host = h.borrow();
        let l = host.storage.as_ref().expect("a realm with storage");
        (l.storage.clone(), l.window, l.url.clone())
    };
    let h = host.clone();
    ops.set(
        "storageLength",
        Function::new(ctx.clone(), move |kind: u32| {
            let (s, _, _) = link(&h);
            s.read(area_kind(kind), |a| a.len())
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "storageKey",
        Function::new(ctx.clone(), move |kind: u32, n: f64| {
            let (s, _, _) = link(&h);
            if !(n >= 0.0 && n < usize::MAX as f64) {
                return None;
            }
            s.read(area_kind(kind), |a| a.key(n as usize).map(str::to_owned))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "storageKeys",
        Function::new(ctx.clone(), move |kind: u32| {
            let (s, _, _) = link(&h);
            s.read(area_kind(kind), |a| {
                a.items().map(|(k, _)| k.to_owned()).collect::<Vec<_>>()
            })
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "storageGet",
        Function::new(ctx.clone(), move |kind: u32, key: String| {
            let (s, _, _) = link(&h);
            s.read(area_kind(kind), |a| a.get(&key).map(str::to_owned))
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "storageSet",
        Function::new(ctx.clone(), move |kind: u32, key: String, value: String| {
            let (s, window, url) = link(&h);
            match s.set(window, &url, area_kind(kind), &key, &value) {
                Ok(_) => String::new(),
                Err(SetError::Quota(q)) => format!(
                    "quota:setting the item needs {} code units of the {} this origin may use",
                    q.needed, q.quota
                ),
                Err(SetError::Io(e)) => format!("io:{e}"),
            }
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "storageRemove",
        Function::new(ctx.clone(), move |kind: u32, key: String| {
            let (s, window, url) = link(&h);
            s.remove(window, &url, area_kind(kind), &key)
                .err()
                .map(|e| e.to_string())
        })?,
    )?;
    let h = host.clone();
    ops.set(
        "storageClear",
        Function::new(ctx.clone(), move |kind: u32| {
            let (s, window, url) = link(&h);
            s.clear(window, &url, area_kind(kind))
                .err()
                .map(|e| e.to_string())
        })?,
    )?;
    Ok(())
}

/// QuickJS's class of an object (0 for other values). The prelude compares it with the
/// classes of objects it made itself, so it needs no engine-internal numbering.
fn class_id(v: Value<'_>) -> u32 {
    if !v.is_object() {
        return 0;
    }
    // SAFETY: `v` is a live value owned by this call; reading its class id neither frees
    // nor changes it.
    unsafe { qjs::JS_GetClassID(v.as_raw()) }
}

fn url_parse(input: String, base: Opt<String>) -> Option<String> {
    let url = match base.0 {
        Some(base) => url::Url::parse(&base).ok()?.join(&input).ok()?,
        None => url::Url::parse(&input).ok()?,
    };
    Some(url.into())
}

/// The URL Standard's getters, in `URL`'s order: href, origin, protocol, username,
/// password, host, hostname, port, pathname, search, hash.
fn url_parts(href: String) -> Option<Vec<String>> {
    use url::quirks as q;
    let url = url::Url::parse(&href).ok()?;
    Some(vec![
        q::href(&url).to_owned(),
        q::origin(&url),
        q::protocol(&url).to_owned(),
        q::username(&url).to_owned(),
        q::password(&url).to_owned(),
        q::host(&url).to_owned(),
        q::hostname(&url).to_owned(),
        q::port(&url).to_owned(),
        q::pathname(&url).to_owned(),
        q::search(&url).to_owned(),
        q::hash(&url).to_owned(),
    ])
}

/// Applies one of the URL Standard's setters; the new href, or `None` where the setter
/// throws (only `href` throws; the others leave the URL alone on bad input).
fn url_set(href: String, part: String, value: String) -> Option<String> {
    use url::quirks as q;
    let mut url = url::Url::parse(&href).ok()?;
    match part.as_str() {
        "href" => q::set_href(&mut url, &value).ok()?,
        "protocol" => {
            if q::set_protocol(&mut url, &value).is_err()
                && let Some(file) = to_file_scheme(&url, &value)
            {
                url = file;
            }
        }
        "username" => drop(q::set_username(&mut url, &value)),
        "password" => drop(q::set_password(&mut url, &value)),
        "host" => drop(q::set_host(&mut url, &value)),
        "hostname" => drop(q::set_hostname(&mut url, &value)),
        "port" => drop(q::set_port(&mut url, &value)),
        "pathname" => q::set_pathname(&mut url, &value),
        "search" => q::set_search(&mut url, &value),
        "hash" => q::set_hash(&mut url, &value),
        _ => return None,
    }
    Some(url.into())
}

/// The protocol setter's change of a special URL to `file:`, which the URL Standard
/// allows when the URL has no credentials and no port, but `url` 2.5 refuses for any URL
/// with a host. `None` when the standard refuses too (or the value is not `file`).
fn to_file_scheme(url: &url::Url, value: &str) -> Option<url::Url> {
    let scheme = value.split(':').next()?.trim_matches(['\t', '\n', '\r']);
    let special = ["http", "https", "ws", "wss", "ftp"].contains(&url.scheme());
    if !scheme.eq_ignore_ascii_case("file")
        || !special
        || !url.username().is_empty()
        || url.password().is_some()
        || url.port().is_some()
    {
        return None;
    }
    url::Url::parse(&format!("file:{}", &url.as_str()[url.scheme().len() + 1..])).ok()
}

/// application/x-www-form-urlencoded parsing: names and values, alternating.
fn form_parse(input: String) -> Vec<String> {
    url::form_urlencoded::parse(input.as_bytes())
        .flat_map(|(k, v)| [k.into_owned(), v.into_owned()])
        .collect()
}

/// application/x-www-form-urlencoded serialising of alternating names and values.
fn form_serialize(pairs: Vec<String>) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for pair in pairs.chunks(2) {
        if let [k, v] = pair {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

/// UTF-8 bytes of a string the prelude already made well-formed (`toWellFormed`).
fn utf8_encode<'js>(ctx: Ctx<'js>, input: String) -> rquickjs::Result<TypedArray<'js, u8>> {
    TypedArray::new(ctx, input.into_bytes())
}

/// Opens a decoder for `label`: its id and the encoding's name, or `None` for a label the
/// Encoding Standard does not know (or `replacement`, which `TextDecoder` refuses).
fn decoder_open(
    host: &mut Host,
    label: &str,
    fatal: bool,
    ignore_bom: bool,
) -> Option<(u32, String)> {
    let encoding = encoding_rs::Encoding::for_label_no_replacement(label.as_bytes())?;
    let id = host.next_decoder;
    host.next_decoder = host.next_decoder.wrapping_add(1).max(1);
    host.decoders.insert(
        id,
        Decoding {
            encoding,
            fatal,
            ignore_bom,
            stream: None,
        },
    );
    Some((id, encoding.name().to_ascii_lowercase()))
}

/// Decodes `src` as the next part of decoder `id`'s stream (the last part unless
/// `stream`). `None` when a fatal decoder meets malformed input (the stream is reset).
fn decoder_decode(host: &mut Host, id: u32, src: &[u8], stream: bool) -> Option<String> {
    let d = host.decoders.get_mut(&id)?;
    let (encoding, ignore_bom, fatal) = (d.encoding, d.ignore_bom, d.fatal);
    let decoder = d.stream.get_or_insert_with(|| {
        if ignore_bom {
            encoding.new_decoder_without_bom_handling()
        } else {
            encoding.new_decoder_with_bom_removal()
        }
    });
    let last = !stream;
    let mut out = String::new();
    let mut rest = src;
    let ok = loop {
        let need = decoder
            .max_utf8_buffer_length(rest.len())
            .unwrap_or(rest.len() * 3 + 16);
        out.reserve(need);
        if fatal {
            let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, last);
            rest = &rest[read..];
            match result {
                encoding_rs::DecoderResult::InputEmpty => break true,
                encoding_rs::DecoderResult::OutputFull => continue,
                encoding_rs::DecoderResult::Malformed(_, _) => break false,
            }
        } else {
            let (result, read, _) = decoder.decode_to_string(rest, &mut out, last);
            rest = &rest[read..];
            match result {
                encoding_rs::CoderResult::InputEmpty => break true,
                encoding_rs::CoderResult::OutputFull => continue,
            }
        }
    };
    if last || !ok {
        d.stream = None;
    }
    ok.then_some(out)
}

//! The web platform's host-backed APIs under arbitrary input: URL parsing and setters,
//! TextDecoder over every encoding, structuredClone, atob/btoa, Headers and Web Storage
//! against a model. Each call must end normally or with a JavaScript exception of the
//! kind its standard names; a Rust panic, an engine error, a hang past the task limit
//! or a broken invariant (checked in JavaScript, thrown as `INVARIANT`) is a finding.

#![no_main]

use arbitrary::Arbitrary;
use kpio_web::{Limits, Realm, RealmOptions, WebError, WebStorage};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::time::Duration;

#[derive(Arbitrary, Debug)]
enum Call {
    Url {
        input: String,
        base: Option<String>,
        setter: u8,
        value: String,
    },
    Decode {
        label: u8,
        bytes: Vec<u8>,
        fatal: bool,
        ignore_bom: bool,
        split: u16,
    },
    Clone {
        json: String,
    },
    Base64 {
        text: String,
    },
    Headers {
        pairs: Vec<(String, String)>,
    },
    Storage {
        ops: Vec<(u8, String, String)>,
    },
}

/// A JavaScript string literal for any Rust string (ASCII only, so nothing is lost).
fn js(s: &str) -> String {
    let mut out = String::from("\"");
    for u in s.encode_utf16() {
        match u {
            0x20..=0x7e if u != b'"' as u16 && u != b'\\' as u16 => out.push(u as u8 as char),
            _ => out.push_str(&format!("\\u{u:04x}")),
        }
    }
    out.push('"');
    out
}

const LABELS: &[&str] = &[
    "utf-8",
    "utf-16le",
    "utf-16be",
    "windows-1252",
    "iso-8859-2",
    "shift_jis",
    "euc-jp",
    "iso-2022-jp",
    "gbk",
    "gb18030",
    "big5",
    "euc-kr",
    "x-user-defined",
    "koi8-r",
    "bogus",
];
const SETTERS: &[&str] = &[
    "href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search",
    "hash",
];

fn script(call: &Call) -> String {
    match call {
        Call::Url {
            input,
            base,
            setter,
            value,
        } => {
            let base = base.as_deref().map_or("undefined".to_owned(), js);
            let setter = SETTERS[*setter as usize % SETTERS.len()];
            format!(
                "let u; try {{ u = new URL({input}, {base}); }} catch (e) {{ if (!(e instanceof TypeError)) throw e; }}\n\
                 if (u) {{\n\
                   if (new URL(u.href).href !== u.href) throw new Error('INVARIANT: URL reparse ' + u.href);\n\
                   try {{ u.{setter} = {value}; }} catch (e) {{ if (!(e instanceof TypeError)) throw e; }}\n\
                   if (new URL(u.href).href !== u.href) throw new Error('INVARIANT: URL after setter ' + u.href);\n\
                   String(u.searchParams); u.searchParams.sort();\n\
                 }}",
                input = js(input),
                value = js(value),
            )
        }
        Call::Decode {
            label,
            bytes,
            fatal,
            ignore_bom,
            split,
        } => {
            let label = LABELS[*label as usize % LABELS.len()];
            let bytes: Vec<String> = bytes.iter().map(u8::to_string).collect();
            format!(
                "const b = new Uint8Array([{bytes}]); let d;\n\
                 try {{ d = new TextDecoder({label}, {{ fatal: {fatal}, ignoreBOM: {ignore_bom} }}); }} catch (e) {{ if (!(e instanceof RangeError)) throw e; }}\n\
                 if (d) {{\n\
                   let whole = null, parts = null;\n\
                   try {{ whole = d.decode(b); }} catch (e) {{ if (!(e instanceof TypeError)) throw e; }}\n\
                   const k = {split} % (b.length + 1);\n\
                   try {{ parts = d.decode(b.subarray(0, k), {{ stream: true }}) + d.decode(b.subarray(k)); }} catch (e) {{ if (!(e instanceof TypeError)) throw e; }}\n\
                   if (!{fatal} && whole !== parts) throw new Error('INVARIANT: streamed decode differs');\n\
                 }}",
                bytes = bytes.join(","),
                label = js(label),
            )
        }
        Call::Clone { json } => format!(
            "let v; try {{ v = JSON.parse({json}); }} catch (e) {{ v = {json}; }}\n\
             const c = structuredClone(v);\n\
             if (JSON.stringify(c) !== JSON.stringify(v)) throw new Error('INVARIANT: clone differs');",
            json = js(json),
        ),
        Call::Base64 { text } => format!(
            "const s = {text}; let e = null;\n\
             try {{ e = btoa(s); }} catch (x) {{ if (x.name !== 'InvalidCharacterError') throw x; }}\n\
             if (e !== null && atob(e) !== s) throw new Error('INVARIANT: atob(btoa(s))');\n\
             try {{ atob(s); }} catch (x) {{ if (x.name !== 'InvalidCharacterError') throw x; }}",
            text = js(text),
        ),
        Call::Headers { pairs } => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("[{}, {}]", js(k), js(v)))
                .collect();
            format!(
                "const h = new Headers();\n\
                 for (const [k, v] of [{pairs}]) {{ try {{ h.append(k, v); h.get(k); h.has(k); }} catch (e) {{ if (!(e instanceof TypeError)) throw e; }} }}\n\
                 const names = [...h.keys()];\n\
                 for (let i = 1; i < names.length; i++) if (!(names[i - 1] <= names[i])) throw new Error('INVARIANT: headers unsorted');",
                pairs = pairs.join(","),
            )
        }
        Call::Storage { ops } => {
            let ops: Vec<String> = ops
                .iter()
                .map(|(op, k, v)| format!("[{}, {}, {}]", op % 4, js(k), js(v)))
                .collect();
            // A model of the area: a Map and the quota (2,000 code units, as the realm is made).
            format!(
                "localStorage.clear(); const model = new Map(); const used = () => [...model].reduce((n, [k, v]) => n + k.length + v.length, 0);\n\
                 for (const [op, k, v] of [{ops}]) {{\n\
                   if (op === 0) {{\n\
                     const before = model.get(k); model.set(k, v);\n\
                     let threw = false; try {{ localStorage.setItem(k, v); }} catch (e) {{ if (e.name !== 'QuotaExceededError') throw e; threw = true; }}\n\
                     if (threw !== (used() > 2000)) throw new Error('INVARIANT: quota decision');\n\
                     if (threw) {{ if (before === undefined) model.delete(k); else model.set(k, before); }}\n\
                   }} else if (op === 1) {{ model.delete(k); localStorage.removeItem(k); }}\n\
                   else if (op === 2) {{ model.clear(); localStorage.clear(); }}\n\
                   else {{ localStorage[k]; k in localStorage; Object.keys(localStorage); }}\n\
                   if (localStorage.length !== model.size) throw new Error('INVARIANT: length');\n\
                   for (const [mk, mv] of model) if (localStorage.getItem(mk) !== mv) throw new Error('INVARIANT: value');\n\
                 }}",
                ops = ops.join(","),
            )
        }
    }
}

thread_local! {
    static REALM: RefCell<Option<Realm>> = const { RefCell::new(None) };
}

fn new_realm() -> Realm {
    Realm::new(RealmOptions {
        limits: Limits {
            memory: 64 << 20,
            task_time: Duration::from_secs(5),
            ..Limits::default()
        },
        storage: Some(WebStorage::in_memory(2000)),
        console: Some(Box::new(|_, _| {})),
        ..RealmOptions::default()
    })
    .expect("a realm")
}

fuzz_target!(|call: Call| {
    let source = script(&call);
    REALM.with(|cell| {
        let mut cell = cell.borrow_mut();
        let realm = cell.get_or_insert_with(new_realm);
        // Each call in its own function scope, so the realm can be reused.
        match realm.eval_script(&format!("(() => {{\n{source}\n}})();"), "fuzz.js") {
            Ok(()) => {}
            Err(WebError::Script(e)) => panic!("{e}\n--- script:\n{source}"),
            Err(e @ (WebError::TimeLimit { .. } | WebError::OutOfMemory { .. })) => {
                // A limit is a clean outcome for a hostile input, but these inputs are
                // small: report it, and start over with a fresh realm.
                *cell = None;
                panic!("limit on a small input: {e}\n--- script:\n{source}");
            }
            Err(e) => panic!("{e}\n--- script:\n{source}"),
        }
    });
});

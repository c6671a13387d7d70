//! The C header's numbers are kpio-abi's: every `#define KPIO_…` constant of
//! `include/kpio.h` (error codes, event kinds, key codes, mouse buttons, log levels,
//! socket kinds) against the Rust definition C cannot share, both ways, so a number
//! changed or added on one side only fails here.

use std::collections::BTreeMap;
use std::path::Path;

use kpio_abi::{ErrorCode, EventKind, LogLevel, MouseButton, SocketKind, key};

/// The header's text.
fn header() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/kpio.h")).unwrap()
}

/// A C integer literal as the header writes them: `7`, `0x110001`, `(-1)`.
fn c_int(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches('(').trim_end_matches(')');
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let v = match t.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16).ok()?,
        None => t.parse().ok()?,
    };
    Some(if neg { -v } else { v })
}

/// Every object-like `#define KPIO_NAME <integer>` of the header, but the timeouts
/// (`KPIO_NO_WAIT`, `KPIO_WAIT_FOREVER`, the SDK's `Timeout`, not a kpio-abi table).
fn header_numbers() -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for line in header().lines() {
        let Some(rest) = line.strip_prefix("#define KPIO_") else {
            continue;
        };
        let rest = rest.split("/*").next().unwrap();
        let Some((name, value)) = rest.split_once(char::is_whitespace) else {
            continue;
        };
        if name.contains('(') || matches!(name, "NO_WAIT" | "WAIT_FOREVER") {
            continue;
        }
        if let Some(v) = c_int(value) {
            assert!(out.insert(name.to_string(), v).is_none(), "{name} twice");
        }
    }
    out
}

/// The same names and numbers from kpio-abi.
fn abi_numbers() -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for e in ErrorCode::ALL {
        out.insert(format!("E{}", e.name()), i64::from(e.code()));
    }
    let kinds = [
        ("NONE", EventKind::None),
        ("KEY_DOWN", EventKind::KeyDown),
        ("KEY_UP", EventKind::KeyUp),
        ("MOUSE_MOVE", EventKind::MouseMove),
        ("MOUSE_DOWN", EventKind::MouseDown),
        ("MOUSE_UP", EventKind::MouseUp),
        ("CLOSE", EventKind::Close),
        ("RESIZE", EventKind::Resize),
    ];
    for (name, kind) in kinds {
        out.insert(format!("EVENT_{name}"), i64::from(kind.code()));
    }
    let keys = [
        ("BACKSPACE", key::BACKSPACE),
        ("TAB", key::TAB),
        ("ENTER", key::ENTER),
        ("ESCAPE", key::ESCAPE),
        ("DELETE", key::DELETE),
        ("UP", key::UP),
        ("DOWN", key::DOWN),
        ("LEFT", key::LEFT),
        ("RIGHT", key::RIGHT),
        ("PAGE_UP", key::PAGE_UP),
        ("PAGE_DOWN", key::PAGE_DOWN),
        ("HOME", key::HOME),
        ("END", key::END),
        ("SHIFT", key::SHIFT),
        ("CONTROL", key::CONTROL),
        ("ALT", key::ALT),
    ];
    for (name, code) in keys {
        out.insert(format!("KEY_{name}"), i64::from(code));
    }
    let buttons = [
        ("LEFT", MouseButton::Left),
        ("RIGHT", MouseButton::Right),
        ("MIDDLE", MouseButton::Middle),
    ];
    for (name, b) in buttons {
        out.insert(format!("BUTTON_{name}"), i64::from(b.code()));
    }
    for level in (0..).map_while(LogLevel::from_i32) {
        let name = level.name().to_uppercase();
        out.insert(format!("LOG_{name}"), level as i64);
    }
    out.insert("SOCK_TCP".into(), SocketKind::Tcp as i64);
    out.insert("SOCK_UDP".into(), SocketKind::Udp as i64);
    out
}

#[test]
fn the_header_constants_are_kpio_abis() {
    assert_eq!(header_numbers(), abi_numbers());
}

#[test]
fn the_header_function_key_macro_is_kpio_abis() {
    let text = header();
    let line = text
        .lines()
        .find(|l| l.starts_with("#define KPIO_KEY_F(n)"))
        .expect("KPIO_KEY_F(n) in kpio.h");
    // `(0x110010 + (n))`: the base, to which n = 1..=12 is added.
    let base = line.split("(0x").nth(1).unwrap().split(' ').next().unwrap();
    let base = u32::from_str_radix(base, 16).unwrap();
    for n in 1..=12 {
        assert_eq!(Some(base + n), key::function(n), "F{n}");
    }
}

#[test]
fn the_header_event_record_matches_kpio_abis() {
    let text = header();
    assert!(text.contains("_Static_assert(sizeof(kpio_event) == 24"));
    assert_eq!(kpio_abi::EVENT_SIZE, 24);
    // The fields in the record's order.
    let start = text.find("typedef struct kpio_event {").unwrap();
    let body = &text[start..start + text[start..].find('}').unwrap()];
    let fields: Vec<&str> = body
        .lines()
        .skip(1)
        .filter_map(|l| l.split(';').next()?.split_whitespace().nth(1))
        .collect();
    assert_eq!(
        fields,
        ["kind", "key_code", "mouse_x", "mouse_y", "width", "height"]
    );
}

//! The host ABI as data: every import's module, name and signature. The raw
//! bindings (`sys`), the C header (`include/kpio.h`) and the import checks of the
//! tests and `scripts/check-imports.py` are all held to this table.

/// A WebAssembly value type used by the ABI (every parameter and result is one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

/// One imported host function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Import {
    /// The import module: `kpio_gui`, `kpio_system` or `kpio_net`.
    pub module: &'static str,
    /// The function's name.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValType],
    /// Result types (always one).
    pub results: &'static [ValType],
}

use ValType::{I32, I64};

const fn gui(name: &'static str, params: &'static [ValType]) -> Import {
    Import {
        module: "kpio_gui",
        name,
        params,
        results: &[I32],
    }
}
const fn system(name: &'static str, params: &'static [ValType]) -> Import {
    Import {
        module: "kpio_system",
        name,
        params,
        results: &[I32],
    }
}
const fn net(name: &'static str, params: &'static [ValType]) -> Import {
    Import {
        module: "kpio_net",
        name,
        params,
        results: &[I32],
    }
}

/// Every function of the three import modules.
pub const IMPORTS: &[Import] = &[
    // kpio_gui
    gui("create_window", &[I32, I32, I32, I32]),
    gui("close_window", &[I32]),
    gui("set_title", &[I32, I32, I32]),
    gui("clear", &[I32, I32]),
    gui("draw_rect", &[I32, I32, I32, I32, I32, I32]),
    gui("draw_line", &[I32, I32, I32, I32, I32, I32]),
    gui("draw_text", &[I32, I32, I32, I32, I32, I32, I32]),
    gui("measure_text", &[I32, I32, I32]),
    gui("draw_image", &[I32, I32, I32, I32, I32, I32, I32]),
    gui("request_frame", &[I32]),
    gui("poll_event", &[I32, I32, I32]),
    // kpio_system
    Import {
        module: "kpio_system",
        name: "get_time",
        params: &[],
        results: &[I64],
    },
    Import {
        module: "kpio_system",
        name: "get_monotonic",
        params: &[],
        results: &[I64],
    },
    system("get_hostname", &[I32, I32]),
    system("notify", &[I32, I32, I32, I32]),
    system("clipboard_read", &[I32, I32]),
    system("clipboard_write", &[I32, I32]),
    system("get_locale", &[I32, I32]),
    system("log", &[I32, I32, I32]),
    // kpio_net
    net("socket_create", &[I32]),
    net("bind", &[I32, I32, I32, I32]),
    net("connect", &[I32, I32, I32, I32]),
    net("listen", &[I32, I32]),
    net("accept", &[I32, I32]),
    net("send", &[I32, I32, I32]),
    net("recv", &[I32, I32, I32, I32]),
    net("close", &[I32]),
];

/// The import `module`.`name`, if the ABI has it.
pub fn find(module: &str, name: &str) -> Option<&'static Import> {
    IMPORTS
        .iter()
        .find(|i| i.module == module && i.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_findable() {
        for (i, a) in IMPORTS.iter().enumerate() {
            for b in &IMPORTS[i + 1..] {
                assert!(a.module != b.module || a.name != b.name, "{a:?}");
            }
            assert_eq!(find(a.module, a.name), Some(a));
        }
        assert_eq!(IMPORTS.len(), 11 + 8 + 8);
        assert!(find("kpio_gui", "close").is_none());
    }
}

//! Where a realm's `console` output goes.

/// The level of a console message, from the method that printed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleLevel {
    /// `console.debug`.
    Debug,
    /// `console.log`, `console.info`, `console.dir`, `console.table`, `console.group`, ...
    Log,
    /// `console.warn`.
    Warn,
    /// `console.error`, `console.assert` failures, `console.trace`, uncaught exceptions.
    Error,
}

impl ConsoleLevel {
    pub(crate) fn from_name(name: &str) -> ConsoleLevel {
        match name {
            "debug" => ConsoleLevel::Debug,
            "warn" => ConsoleLevel::Warn,
            "error" => ConsoleLevel::Error,
            _ => ConsoleLevel::Log,
        }
    }
}

/// Receives every line a realm's console prints, already formatted (format specifiers
/// applied, objects inspected, group indentation added).
pub type ConsoleSink = Box<dyn FnMut(ConsoleLevel, &str)>;

/// The default sink: standard error, with the level for warnings and errors.
pub(crate) fn stderr_sink() -> ConsoleSink {
    Box::new(|level, text| match level {
        ConsoleLevel::Warn => eprintln!("warning: {text}"),
        ConsoleLevel::Error => eprintln!("error: {text}"),
        ConsoleLevel::Debug | ConsoleLevel::Log => eprintln!("{text}"),
    })
}

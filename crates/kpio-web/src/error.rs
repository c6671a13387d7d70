//! What can go wrong in a realm, typed, naming the script and the place.

use core::fmt;
use std::time::Duration;

/// An exception no script caught, with where it was thrown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// The error's `name` (`TypeError`, a `DOMException`'s name, ...), or `uncaught` for a
    /// thrown value that is not an error object.
    pub name: String,
    /// The error's `message`, or the thrown value as a string.
    pub message: String,
    /// The script of the innermost stack frame, where known.
    pub file: Option<String>,
    /// Line and column (1-based) in `file`, where known.
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The JavaScript stack as QuickJS prints it (may be empty).
    pub stack: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(line), Some(col)) => write!(f, "{file}:{line}:{col}: ")?,
            (Some(file), Some(line), None) => write!(f, "{file}:{line}: ")?,
            (Some(file), None, _) => write!(f, "{file}: ")?,
            _ => {}
        }
        if self.message.is_empty() {
            write!(f, "uncaught {}", self.name)
        } else {
            write!(f, "uncaught {}: {}", self.name, self.message)
        }
    }
}

/// Why a realm could not run a script, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// A script threw and nothing caught it. The realm goes on (as a page does after an
    /// uncaught exception); the exception was also reported to the realm's `error` event.
    #[error("{0}")]
    Script(ScriptError),
    /// A task (a script, a timer callback, a microtask checkpoint) ran longer than the
    /// realm's limit and was interrupted. The realm is stopped.
    #[error("{what}: interrupted after running longer than the realm's limit of {limit:?}")]
    TimeLimit { what: String, limit: Duration },
    /// The realm's heap reached its limit. The realm is stopped.
    #[error("{what}: out of memory (the realm's limit is {limit} bytes)")]
    OutOfMemory { what: String, limit: usize },
    /// Someone holding the realm's [`crate::InterruptHandle`] stopped it.
    #[error("{what}: interrupted by the platform")]
    Interrupted { what: String },
    /// The realm was stopped earlier (by one of the errors above) and runs nothing more.
    #[error("the realm was stopped ({reason}); it runs no more scripts")]
    Stopped { reason: String },
    /// QuickJS itself failed (it could not make a runtime or a context).
    #[error("{what}: the JavaScript engine failed: {message}")]
    Engine { what: String, message: String },
}

impl WebError {
    /// Whether the realm can go on running scripts after this error.
    pub fn stops_realm(&self) -> bool {
        !matches!(self, WebError::Script(_))
    }
}

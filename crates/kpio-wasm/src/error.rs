//! Typed errors for the three ways a module can be refused: it does not decode (malformed),
//! it decodes but breaks the typing rules (invalid) or uses a feature we don't run
//! (unsupported); and for instantiation, an import that can't be satisfied (unlinkable).

use crate::trap::Trap;
use alloc::string::String;
use core::fmt;

/// Why `Module::new` refused the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleErrorKind {
    /// The bytes are not a well-formed WebAssembly binary.
    Malformed,
    /// Well-formed, but fails validation.
    Invalid,
    /// Valid WebAssembly that uses a feature this engine does not run (e.g. GC).
    Unsupported,
}

/// An error from decoding or validating a module, with the byte offset where it was found.
#[derive(Debug, Clone)]
pub struct ModuleError {
    pub(crate) kind: ModuleErrorKind,
    pub(crate) offset: usize,
    pub(crate) message: String,
}

impl ModuleError {
    pub fn kind(&self) -> ModuleErrorKind {
        self.kind
    }
    pub fn offset(&self) -> usize {
        self.offset
    }
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ModuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ModuleErrorKind::Malformed => "malformed module",
            ModuleErrorKind::Invalid => "invalid module",
            ModuleErrorKind::Unsupported => "unsupported feature",
        };
        write!(
            f,
            "{kind} at byte offset {:#x}: {}",
            self.offset, self.message
        )
    }
}

impl core::error::Error for ModuleError {}

/// An import that instantiation could not satisfy.
#[derive(Debug, Clone)]
pub struct LinkError {
    pub module: String,
    pub name: String,
    pub message: String,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "import `{}.{}`: {}",
            self.module, self.name, self.message
        )
    }
}

impl core::error::Error for LinkError {}

/// Why instantiation failed: an import did not link, or initialisation / the start function
/// trapped (in which case effects on imported tables and memories stay, as the spec says).
#[derive(Debug, Clone)]
pub enum InstantiateError {
    Link(LinkError),
    Trap(Trap),
}

impl fmt::Display for InstantiateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstantiateError::Link(e) => write!(f, "unlinkable: {e}"),
            InstantiateError::Trap(t) => write!(f, "instantiation trapped: {t}"),
        }
    }
}

impl core::error::Error for InstantiateError {}

impl From<LinkError> for InstantiateError {
    fn from(e: LinkError) -> Self {
        InstantiateError::Link(e)
    }
}
impl From<Trap> for InstantiateError {
    fn from(e: Trap) -> Self {
        InstantiateError::Trap(e)
    }
}

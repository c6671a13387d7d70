//! Why translating a function failed. Bodies are validated before they are translated, so
//! most of these are engine bugs or limits; each says what went wrong and where.

use crate::trap::{Trap, TrapCode};
use alloc::format;
use core::fmt;

/// A failure to translate one function body.
#[derive(Debug)]
pub(crate) enum TranslateError {
    /// The validated body did not decode again: an engine bug.
    Reader(wasmparser::BinaryReaderError),
    /// An operator of a proposal the engine does not run yet. Validation refuses these
    /// first (see `module::features`), so reaching one means the two disagree.
    Unsupported {
        proposal: &'static str,
        operator: &'static str,
        offset: u32,
    },
    /// `select` with more than one result (refused by validation without multi-value
    /// `select`, which no proposal we enable allows).
    SelectMulti { offset: u32 },
    /// The locals' counts add up past `u32::MAX`.
    TooManyLocals,
    /// The frame needs more than `u32::MAX` slots.
    FrameTooLarge,
}

impl From<wasmparser::BinaryReaderError> for TranslateError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        TranslateError::Reader(e)
    }
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TranslateError::Reader(e) => write!(f, "internal error translating function: {e}"),
            TranslateError::Unsupported {
                proposal,
                operator,
                offset,
            } => write!(
                f,
                "unsupported: {proposal} operator {operator} at byte offset {offset:#x}"
            ),
            TranslateError::SelectMulti { offset } => write!(
                f,
                "select with multiple results is not supported (byte offset {offset:#x})"
            ),
            TranslateError::TooManyLocals => f.write_str("function declares too many locals"),
            TranslateError::FrameTooLarge => f.write_str("function frame too large"),
        }
    }
}

impl From<TranslateError> for Trap {
    /// Translation happens on a function's first call, so its failures surface as traps of
    /// that call: a frame too large to address exhausts the stack, the rest are host errors
    /// carrying the message.
    fn from(e: TranslateError) -> Self {
        match e {
            TranslateError::FrameTooLarge => Trap::new(TrapCode::StackExhausted),
            other => Trap::host(format!("{other}")),
        }
    }
}

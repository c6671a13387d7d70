//! Traps: every way guest execution can stop abnormally, as a value. Nothing a guest does
//! panics the host; it becomes one of these.

use crate::limits::LimitExceeded;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The spec's trap conditions, plus the engine's resource limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrapCode {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    /// `call_indirect` index past the end of the table.
    UndefinedElement,
    /// `call_indirect` to a null table entry.
    UninitializedElement,
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    /// Call depth or value stack limit reached.
    StackExhausted,
    OutOfFuel,
    /// The store's `InterruptHandle` was raised (see `Config::interruptible`).
    Interrupted,
    /// Creating a memory, table or instance would exceed the store's `StoreLimits`; the
    /// trap's `limit_exceeded()` says which limit.
    ResourceLimitExceeded,
    /// A host function was called with arguments of the wrong type or count.
    BadSignature,
}

impl TrapCode {
    /// The spec testsuite's wording for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
            TrapCode::StackExhausted => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
            TrapCode::ResourceLimitExceeded => "resource limit exceeded",
            TrapCode::BadSignature => "argument type mismatch",
        }
    }
}

/// One wasm frame of a trap's backtrace, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// The function's index in its module.
    pub func_index: u32,
    /// Its name from the name section, if any.
    pub func_name: Option<String>,
    /// Byte offset in the module of the instruction executing in this frame.
    pub module_offset: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Reason {
    Code(TrapCode),
    /// The guest asked to exit (e.g. WASI `proc_exit`).
    Exit(i32),
    /// A host function failed with this message.
    Host(String),
    /// A creation would have exceeded a store limit.
    Limit(LimitExceeded),
}

/// A trap: why execution stopped, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    reason: Reason,
    backtrace: Vec<FrameInfo>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Self {
        Trap {
            reason: Reason::Code(code),
            backtrace: Vec::new(),
        }
    }
    /// A host-defined failure with a message.
    pub fn host(message: impl Into<String>) -> Self {
        Trap {
            reason: Reason::Host(message.into()),
            backtrace: Vec::new(),
        }
    }
    /// The guest asked to exit with `code`: not an error, but it unwinds like one.
    pub fn exit(code: i32) -> Self {
        Trap {
            reason: Reason::Exit(code),
            backtrace: Vec::new(),
        }
    }
    /// A creation refused by the store's limits.
    pub fn limit(e: LimitExceeded) -> Self {
        Trap {
            reason: Reason::Limit(e),
            backtrace: Vec::new(),
        }
    }
    pub fn code(&self) -> Option<TrapCode> {
        match self.reason {
            Reason::Code(c) => Some(c),
            Reason::Limit(_) => Some(TrapCode::ResourceLimitExceeded),
            _ => None,
        }
    }
    /// Which store limit refused a creation, for `TrapCode::ResourceLimitExceeded`.
    pub fn limit_exceeded(&self) -> Option<&LimitExceeded> {
        match &self.reason {
            Reason::Limit(e) => Some(e),
            _ => None,
        }
    }
    pub fn exit_code(&self) -> Option<i32> {
        match self.reason {
            Reason::Exit(c) => Some(c),
            _ => None,
        }
    }
    /// Wasm frames active when the trap happened, innermost first.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }
    pub(crate) fn with_backtrace(mut self, bt: Vec<FrameInfo>) -> Self {
        if self.backtrace.is_empty() {
            self.backtrace = bt;
        }
        self
    }
}

impl From<TrapCode> for Trap {
    fn from(c: TrapCode) -> Self {
        Trap::new(c)
    }
}

impl From<TrapCode> for Box<Trap> {
    fn from(c: TrapCode) -> Self {
        Box::new(Trap::new(c))
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Reason::Code(c) => f.write_str(c.message())?,
            Reason::Exit(c) => write!(f, "exited with code {c}")?,
            Reason::Host(m) => f.write_str(m)?,
            Reason::Limit(e) => write!(f, "{e}")?,
        }
        if let Some(top) = self.backtrace.first() {
            match &top.func_name {
                Some(n) => write!(f, " in function {} `{n}`", top.func_index)?,
                None => write!(f, " in function {}", top.func_index)?,
            }
            if let Some(off) = top.module_offset {
                write!(f, " at offset {off:#x}")?;
            }
        }
        Ok(())
    }
}

impl core::error::Error for Trap {}

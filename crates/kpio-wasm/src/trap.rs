//! Traps: every way guest execution can stop abnormally, as a value. Nothing a guest does
//! panics the host; it becomes one of these.

use crate::exception::Exception;
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
    /// `ref.as_non_null` of a null reference.
    NullReference,
    /// `call_ref` or `return_call_ref` of a null function reference.
    NullFunctionReference,
    /// `throw_ref` of a null exception reference.
    NullExceptionReference,
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
            TrapCode::NullReference => "null reference",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullExceptionReference => "null exception reference",
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

/// One line of a printed backtrace (see [`Trap::backtrace_lines`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BacktraceLine<'a> {
    /// A frame and its depth from the innermost (0).
    Frame { depth: usize, frame: &'a FrameInfo },
    /// This many frames were left out here.
    Omitted(usize),
}

impl fmt::Display for BacktraceLine<'_> {
    /// `  3: 0x1a2 - name` (or `<func 7>` without a name), or `  ... N frames omitted`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BacktraceLine::Frame { depth, frame } => {
                write!(f, "  {depth:>3}: ")?;
                match frame.module_offset {
                    Some(o) => write!(f, "{o:#x}")?,
                    None => f.write_str("?")?,
                }
                match &frame.func_name {
                    Some(n) => write!(f, " - {n}"),
                    None => write!(f, " - <func {}>", frame.func_index),
                }
            }
            BacktraceLine::Omitted(1) => f.write_str("  ... 1 frame omitted"),
            BacktraceLine::Omitted(n) => write!(f, "  ... {n} frames omitted"),
        }
    }
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
    /// A wasm exception no handler caught (boxed: rare, and it keeps `Trap` small).
    Exception(Box<Exception>),
}

/// Frames a trap keeps at each end of its backtrace: a backtrace deeper than twice this
/// keeps the innermost and the outermost `BACKTRACE_KEEP` frames and counts the rest (see
/// [`Trap::frames_omitted`]), so a million-deep recursion costs 64 frames, not a million.
pub const BACKTRACE_KEEP: usize = 32;

/// A trap: why execution stopped, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    reason: Reason,
    backtrace: Vec<FrameInfo>,
    /// Frames left out between `backtrace[..BACKTRACE_KEEP]` and the rest.
    omitted: usize,
    /// The backtrace is partial and continues in the callers: the trap left native code,
    /// whose frames are in it, into the interpreter, whose frames come next.
    open: bool,
    /// With `open`: the innermost interpreter frame that continues the backtrace was
    /// replaced by native code (on-stack replacement), whose frame is already in it.
    replaced: bool,
    /// The backtrace is complete: a host function passed on the trap of wasm code it
    /// called, whose backtrace ended at the host. The interpreter's frames that called the
    /// host function add nothing to it ([`with_backtrace`](Self::with_backtrace)), and
    /// neither do native frames.
    sealed: bool,
}

impl Trap {
    pub fn new(code: TrapCode) -> Self {
        Trap {
            reason: Reason::Code(code),
            backtrace: Vec::new(),
            omitted: 0,
            open: false,
            replaced: false,
            sealed: false,
        }
    }
    /// A host-defined failure with a message.
    pub fn host(message: impl Into<String>) -> Self {
        Trap {
            reason: Reason::Host(message.into()),
            backtrace: Vec::new(),
            omitted: 0,
            open: false,
            replaced: false,
            sealed: false,
        }
    }
    /// The guest asked to exit with `code`: not an error, but it unwinds like one.
    pub fn exit(code: i32) -> Self {
        Trap {
            reason: Reason::Exit(code),
            backtrace: Vec::new(),
            omitted: 0,
            open: false,
            replaced: false,
            sealed: false,
        }
    }
    /// An uncaught wasm exception leaving wasm at a host boundary. Not a trap in the spec's
    /// sense: a host function that returns it to the wasm that called it rethrows it there.
    pub(crate) fn uncaught(e: Exception) -> Self {
        Trap {
            reason: Reason::Exception(Box::new(e)),
            backtrace: Vec::new(),
            omitted: 0,
            open: false,
            replaced: false,
            sealed: false,
        }
    }
    /// The uncaught exception this error carries, if it is one (then [`Trap::code`] is
    /// `None`): its tag and payload.
    pub fn exception(&self) -> Option<&Exception> {
        match &self.reason {
            Reason::Exception(e) => Some(e),
            _ => None,
        }
    }
    /// A creation refused by the store's limits.
    pub fn limit(e: LimitExceeded) -> Self {
        Trap {
            reason: Reason::Limit(e),
            backtrace: Vec::new(),
            omitted: 0,
            open: false,
            replaced: false,
            sealed: false,
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
    /// Wasm frames active when the trap happened, innermost first; at most
    /// `2 * BACKTRACE_KEEP` of them. If [`frames_omitted`](Self::frames_omitted) is not
    /// zero, that many frames were left out after the first `BACKTRACE_KEEP`.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }
    /// How many frames were left out of a long backtrace, between its innermost and its
    /// outermost `BACKTRACE_KEEP` frames.
    pub fn frames_omitted(&self) -> usize {
        self.omitted
    }
    /// The backtrace's lines as a tool would print them: each kept frame with its depth
    /// (0 = innermost), and at most one `Omitted(n)` where frames were left out.
    pub fn backtrace_lines(&self) -> impl Iterator<Item = BacktraceLine<'_>> {
        let (head, tail) = self
            .backtrace
            .split_at(self.backtrace.len().min(BACKTRACE_KEEP));
        let omitted = self.omitted;
        let head = head
            .iter()
            .enumerate()
            .map(|(depth, frame)| BacktraceLine::Frame { depth, frame });
        let gap = (omitted > 0).then_some(BacktraceLine::Omitted(omitted));
        let tail = tail
            .iter()
            .enumerate()
            .map(move |(i, frame)| BacktraceLine::Frame {
                depth: BACKTRACE_KEEP + omitted + i,
                frame,
            });
        head.chain(gap).chain(tail)
    }
    /// Sets the backtrace (already capped by the capture) unless an inner call set one.
    /// An uncaught exception keeps none: the frames it passed through are gone by the time
    /// it leaves wasm.
    pub(crate) fn with_backtrace(mut self, bt: Vec<FrameInfo>, omitted: usize) -> Self {
        if matches!(self.reason, Reason::Exception(_)) {
            return self;
        }
        if self.backtrace.is_empty() {
            self.backtrace = bt;
            self.omitted = omitted;
        } else if self.open {
            self.omitted += omitted;
            let skip = core::mem::take(&mut self.replaced) as usize;
            self = self.continue_backtrace(bt.into_iter().skip(skip));
            self.open = false;
        }
        self
    }

    /// Closes the backtrace: the trap leaves wasm for the host, so no frames follow. (A
    /// trap from native code called straight from the host is still open; one that passed
    /// through the interpreter was closed there. Both must reach the host alike.)
    pub(crate) fn closed(mut self) -> Self {
        self.open = false;
        self.replaced = false;
        self
    }

    /// Seals the backtrace if it has frames: a host function returned this trap, so any
    /// frames in it are of wasm code the host function called, and they end there.
    #[cfg_attr(not(feature = "jit"), allow(dead_code))]
    pub(crate) fn sealed_if_traced(mut self) -> Self {
        self.sealed = !self.backtrace.is_empty();
        self
    }

    /// Marks the interpreter frame that continues this open backtrace as replaced by the
    /// native frame already in it (on-stack replacement), so it is not listed twice.
    #[cfg(feature = "jit")]
    pub(crate) fn frame_replaced(mut self) -> Self {
        self.replaced = self.open;
        self
    }

    /// Counts `n` more frames left out of the middle of the backtrace (native frames a
    /// fault abandoned beyond those it kept; see `jit::signals`).
    #[cfg_attr(not(feature = "jit"), allow(dead_code))]
    pub(crate) fn omitting(mut self, n: usize) -> Self {
        if !matches!(self.reason, Reason::Exception(_)) {
            self.omitted += n;
        }
        self
    }

    /// Appends `outer` frames (callers of the innermost ones so far) to the backtrace,
    /// keeping the innermost and outermost [`BACKTRACE_KEEP`] frames, and leaves the
    /// backtrace open for the interpreter's frames that called those. A sealed backtrace
    /// stays as it is.
    #[cfg_attr(not(feature = "jit"), allow(dead_code))]
    pub(crate) fn continue_backtrace(mut self, outer: impl Iterator<Item = FrameInfo>) -> Self {
        if matches!(self.reason, Reason::Exception(_)) || self.sealed {
            return self;
        }
        self.backtrace.extend(outer);
        let n = self.backtrace.len();
        if n > 2 * BACKTRACE_KEEP {
            self.backtrace.drain(BACKTRACE_KEEP..n - BACKTRACE_KEEP);
            self.omitted += n - 2 * BACKTRACE_KEEP;
        }
        self.open = true;
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
            Reason::Exception(e) => write!(f, "uncaught wasm exception (tag {})", e.tag().0)?,
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

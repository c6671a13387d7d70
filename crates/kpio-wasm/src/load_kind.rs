//! `LoadKind`: what a general scalar load (`Instr::MemLoad`, multi-memory and memory64)
//! reads and how it widens the bytes into a slot.
//!
//! The loads of a 32-bit memory 0 have one instruction each (`I32Load`, ...), the interpreter's
//! hot path; loads from any other memory, or from a 64-bit memory, share one instruction
//! that names its kind with this code, and run in the portable loop.

/// The kind of a scalar load, named like the memory-0 instruction that does the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum LoadKind {
    I32Load,
    I64Load,
    F32Load,
    F64Load,
    I32Load8S,
    I32Load8U,
    I32Load16S,
    I32Load16U,
    I64Load8S,
    I64Load8U,
    I64Load16S,
    I64Load16U,
    I64Load32S,
    I64Load32U,
}

impl LoadKind {
    /// Bytes read.
    pub(crate) fn width(self) -> usize {
        use LoadKind::*;
        match self {
            I32Load8S | I32Load8U | I64Load8S | I64Load8U => 1,
            I32Load16S | I32Load16U | I64Load16S | I64Load16U => 2,
            I32Load | F32Load | I64Load32S | I64Load32U => 4,
            I64Load | F64Load => 8,
        }
    }

    /// The slot value of the `width()` little-endian bytes `raw` (zero-extended into a
    /// `u64`): sign-extended to the result type for the signed kinds; 32-bit results
    /// occupy the low half of the slot with the high half zero, like the memory-0 loads.
    pub(crate) fn extend(self, raw: u64) -> u64 {
        use LoadKind::*;
        match self {
            I32Load8S => raw as i8 as i32 as u32 as u64,
            I32Load16S => raw as i16 as i32 as u32 as u64,
            I64Load8S => raw as i8 as i64 as u64,
            I64Load16S => raw as i16 as i64 as u64,
            I64Load32S => raw as i32 as i64 as u64,
            I32Load | I64Load | F32Load | F64Load | I32Load8U | I32Load16U | I64Load8U
            | I64Load16U | I64Load32U => raw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_extensions_match_the_memory_0_loads() {
        assert_eq!(LoadKind::I32Load8S.width(), 1);
        assert_eq!(LoadKind::I64Load16U.width(), 2);
        assert_eq!(LoadKind::F32Load.width(), 4);
        assert_eq!(LoadKind::F64Load.width(), 8);
        assert_eq!(LoadKind::I32Load8S.extend(0x80), 0xffff_ff80);
        assert_eq!(LoadKind::I32Load16S.extend(0x8000), 0xffff_8000);
        assert_eq!(LoadKind::I64Load8S.extend(0xff), u64::MAX);
        assert_eq!(
            LoadKind::I64Load32S.extend(0x8000_0000),
            0xffff_ffff_8000_0000
        );
        assert_eq!(LoadKind::I64Load32U.extend(0x8000_0000), 0x8000_0000);
        assert_eq!(LoadKind::I32Load8U.extend(0xff), 0xff);
    }
}

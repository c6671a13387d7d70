//! Strict LEB128 for memory and table limits.
//!
//! wasmparser reads limits as 64-bit LEB128 (for memory64), so it accepts a 32-bit limit
//! encoded in more than five bytes. WebAssembly 2.0 says that is malformed (a 64-bit
//! memory's limits may take ten). This re-reads the
//! limits in the memory, table and import sections and rejects over-long encodings; anything
//! else that fails to parse here is left for wasmparser to report.

use crate::error::{ModuleError, ModuleErrorKind};
use wasmparser::BinaryReader;

fn too_long(offset: usize) -> ModuleError {
    ModuleError {
        kind: ModuleErrorKind::Malformed,
        offset,
        message: "integer representation too long (a 32-bit limit takes at most 5 bytes)".into(),
    }
}

/// Skips one unsigned LEB128 of at most `max_bytes` bytes; `Err(Some)` if it is over-long,
/// `Err(None)` on other read errors.
fn strict_leb(r: &mut BinaryReader<'_>, max_bytes: usize) -> Result<(), Option<ModuleError>> {
    let start = r.original_position() as usize;
    for _ in 0..max_bytes {
        if r.read_u8().map_err(|_| None)? & 0x80 == 0 {
            return Ok(());
        }
    }
    Err(Some(too_long(start)))
}

/// Flag of a memory's limits: the memory is 64-bit (memory64), its limits are u64 LEB128.
const MEMORY64_FLAG: u8 = 0x04;

fn limits(r: &mut BinaryReader<'_>) -> Result<(), Option<ModuleError>> {
    let flags = r.read_u8().map_err(|_| None)?;
    // A 64-bit memory's limits are u64 (at most 10 bytes); wasmparser reads those strictly
    // itself, but they are skipped here to reach the next entry.
    let max_bytes = if flags & MEMORY64_FLAG != 0 { 10 } else { 5 };
    strict_leb(r, max_bytes)?;
    if flags & 1 != 0 {
        strict_leb(r, max_bytes)?;
    }
    Ok(())
}

/// Which section `data` is.
#[derive(Clone, Copy)]
pub(crate) enum Section {
    Import,
    Table,
    Memory,
}

fn check_inner(section: Section, r: &mut BinaryReader<'_>) -> Result<(), Option<ModuleError>> {
    let count = r.read_var_u32().map_err(|_| None)?;
    for _ in 0..count {
        match section {
            Section::Memory => limits(r)?,
            Section::Table => {
                r.read_u8().map_err(|_| None)?;
                limits(r)?;
            }
            Section::Import => {
                r.read_string().map_err(|_| None)?;
                r.read_string().map_err(|_| None)?;
                match r.read_u8().map_err(|_| None)? {
                    0x00 => {
                        r.read_var_u32().map_err(|_| None)?;
                    }
                    0x01 => {
                        r.read_u8().map_err(|_| None)?;
                        limits(r)?;
                    }
                    0x02 => limits(r)?,
                    _ => return Ok(()),
                }
            }
        }
    }
    Ok(())
}

/// Checks the section body `data` found at `offset` in the module.
pub(crate) fn check(section: Section, data: &[u8], offset: usize) -> Result<(), ModuleError> {
    let mut r = BinaryReader::new(data, offset as u64);
    match check_inner(section, &mut r) {
        Err(Some(e)) => Err(e),
        _ => Ok(()),
    }
}

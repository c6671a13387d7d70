//! Multi-memory and memory64: the semantics of the general memory instructions (`MemLoad`,
//! `MemStore`, `MemoryCopyAny`, ... in `ir`), which reach any memory of the instance, 32- or
//! 64-bit, and which only the portable loop runs.
//!
//! Addresses, offsets and lengths are `u64` here: a 32-bit memory's come zero-extended from
//! their `i32` operands, so one bounds check serves both index types. The check is explicit
//! and overflow-safe (`address + offset + size` must not wrap and must lie within the
//! memory), never left to guard pages: a 64-bit address can point anywhere. Accesses go
//! through the memory's byte slice, so this file needs no `unsafe`.

use crate::load_kind::LoadKind;
use crate::memory::MemoryEntity;
use crate::trap::TrapCode;
use core::ops::Range;

/// The bytes `addr + off .. + n` of a memory of `len` bytes, or `MemoryOutOfBounds` if any of
/// them lies outside, or the sum wraps.
#[inline]
pub(super) fn range(addr: u64, off: u64, n: u64, len: usize) -> Result<Range<usize>, TrapCode> {
    let start = addr.checked_add(off).ok_or(TrapCode::MemoryOutOfBounds)?;
    let end = start.checked_add(n).ok_or(TrapCode::MemoryOutOfBounds)?;
    if end > len as u64 {
        return Err(TrapCode::MemoryOutOfBounds);
    }
    // Both at most `len`, a `usize`.
    Ok(start as usize..end as usize)
}

/// The bytes `addr + off .. + n` of memory `m`.
pub(super) fn bytes(m: &MemoryEntity, addr: u64, off: u64, n: usize) -> Result<&[u8], TrapCode> {
    let r = range(addr, off, n as u64, m.len())?;
    Ok(&m.data()[r])
}

/// The bytes `addr + off .. + n` of memory `m`, for writing.
pub(super) fn bytes_mut(
    m: &mut MemoryEntity,
    addr: u64,
    off: u64,
    n: usize,
) -> Result<&mut [u8], TrapCode> {
    let r = range(addr, off, n as u64, m.len())?;
    Ok(&mut m.data_mut()[r])
}

/// A scalar load of `kind` at `addr + off`: the slot value.
pub(super) fn load(m: &MemoryEntity, kind: LoadKind, addr: u64, off: u64) -> Result<u64, TrapCode> {
    let n = kind.width();
    let mut raw = [0u8; 8];
    raw[..n].copy_from_slice(bytes(m, addr, off, n)?);
    Ok(kind.extend(u64::from_le_bytes(raw)))
}

/// A scalar store of the low `n` bytes of `v` at `addr + off`.
pub(super) fn store(
    m: &mut MemoryEntity,
    n: usize,
    addr: u64,
    off: u64,
    v: u64,
) -> Result<(), TrapCode> {
    bytes_mut(m, addr, off, n)?.copy_from_slice(&v.to_le_bytes()[..n]);
    Ok(())
}

/// `memory.copy` of `n` bytes from `s` in memory `src` to `d` in memory `dst` (store
/// indices; they may be the same memory, and the ranges may overlap). Both ranges are
/// checked before anything is written.
pub(crate) fn copy(
    memories: &mut [alloc::boxed::Box<MemoryEntity>],
    dst: u32,
    src: u32,
    d: u64,
    s: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let (dst, src) = (dst as usize, src as usize);
    let dr = range(d, 0, n, memories[dst].len())?;
    let sr = range(s, 0, n, memories[src].len())?;
    if dst == src {
        memories[dst].data_mut().copy_within(sr, dr.start);
        return Ok(());
    }
    // Two different memories: borrow both through a split of the vector.
    let (lo, hi) = memories.split_at_mut(dst.max(src));
    let (to, from) = if dst < src {
        (&mut lo[dst], &hi[0])
    } else {
        (&mut hi[0], &lo[src])
    };
    to.data_mut()[dr].copy_from_slice(&from.data()[sr]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::MemoryType;
    use alloc::boxed::Box;
    use alloc::vec;

    #[test]
    fn ranges_are_checked_without_wrapping() {
        assert_eq!(range(1, 2, 4, 7), Ok(3..7));
        assert_eq!(range(1, 2, 4, 6), Err(TrapCode::MemoryOutOfBounds));
        // An empty access at the very end is in bounds; one past it is not.
        assert_eq!(range(7, 0, 0, 7), Ok(7..7));
        assert_eq!(range(8, 0, 0, 7), Err(TrapCode::MemoryOutOfBounds));
        // Sums that wrap around 2^64 would land inside a small memory if unchecked.
        assert_eq!(range(u64::MAX, 1, 1, 100), Err(TrapCode::MemoryOutOfBounds));
        assert_eq!(range(1, u64::MAX, 0, 100), Err(TrapCode::MemoryOutOfBounds));
        assert_eq!(
            range(u64::MAX - 3, 0, 8, 100),
            Err(TrapCode::MemoryOutOfBounds)
        );
        // Offsets beyond 4 GiB are taken whole, not truncated to 32 bits.
        assert_eq!(range(0, 1 << 32, 1, 100), Err(TrapCode::MemoryOutOfBounds));
    }

    #[test]
    fn loads_and_stores_round_trip_little_endian() {
        let mut m = MemoryEntity::new(MemoryType::new64(1, None), 10).unwrap();
        store(&mut m, 4, 8, 4, 0x1122_3344_8899).unwrap();
        assert_eq!(&m.data()[12..16], &[0x99, 0x88, 0x44, 0x33]);
        assert_eq!(load(&m, LoadKind::I32Load, 12, 0), Ok(0x3344_8899));
        assert_eq!(
            load(&m, LoadKind::I64Load8S, 0, 13),
            Ok(0xffff_ffff_ffff_ff88)
        );
        assert_eq!(
            load(&m, LoadKind::I64Load, 65536 - 7, 0),
            Err(TrapCode::MemoryOutOfBounds)
        );
        assert_eq!(
            store(&mut m, 2, u64::MAX, 2, 0),
            Err(TrapCode::MemoryOutOfBounds)
        );
    }

    #[test]
    fn copies_between_and_within_memories() {
        let mut mems = vec![
            Box::new(MemoryEntity::new(MemoryType::new(1, None), 10).unwrap()),
            Box::new(MemoryEntity::new(MemoryType::new64(1, None), 10).unwrap()),
        ];
        mems[0].data_mut()[..4].copy_from_slice(&[1, 2, 3, 4]);
        copy(&mut mems, 1, 0, 100, 0, 4).unwrap();
        assert_eq!(&mems[1].data()[100..104], &[1, 2, 3, 4]);
        copy(&mut mems, 0, 1, 2, 100, 4).unwrap();
        assert_eq!(&mems[0].data()[..6], &[1, 2, 1, 2, 3, 4]);
        // Overlapping, within one memory.
        copy(&mut mems, 1, 1, 101, 100, 4).unwrap();
        assert_eq!(&mems[1].data()[100..105], &[1, 1, 2, 3, 4]);
        // Out of bounds on either side: nothing written.
        assert_eq!(
            copy(&mut mems, 0, 1, 0, 65535, 2),
            Err(TrapCode::MemoryOutOfBounds)
        );
        assert_eq!(
            copy(&mut mems, 0, 1, u64::MAX, 0, 2),
            Err(TrapCode::MemoryOutOfBounds)
        );
        assert_eq!(&mems[0].data()[..2], &[1, 2]);
    }
}

//! Tables of either index type: the semantics of the bulk table instructions and of the
//! table64 instructions (`TableGet64`, `TableCopyAny`, ... in `ir`), which only the portable
//! loop runs.
//!
//! Indices and lengths are `u64` here: a 32-bit table's come zero-extended from their `i32`
//! operands, so one bounds check serves both index types. A 64-bit index is taken whole:
//! one at or above 2^32 is out of bounds (no table is that long, `Config::max_table_elements`
//! is a `u32`), never truncated to 32 bits. The sums are overflow-safe.

use crate::store::StoreInner;
use crate::trap::TrapCode;
use alloc::vec::Vec;
use core::ops::Range;

/// The elements `i .. i + n` of a table of `len` elements, or `TableOutOfBounds` if any of
/// them lies outside, or the sum wraps.
#[inline]
pub(super) fn range(i: u64, n: u64, len: usize) -> Result<Range<usize>, TrapCode> {
    let end = i.checked_add(n).ok_or(TrapCode::TableOutOfBounds)?;
    if end > len as u64 {
        return Err(TrapCode::TableOutOfBounds);
    }
    // Both at most `len`, a `usize`.
    Ok(i as usize..end as usize)
}

/// Element `i` of table `elems`, or `TableOutOfBounds`.
#[inline]
pub(crate) fn get(elems: &[u64], i: u64) -> Result<u64, TrapCode> {
    usize::try_from(i)
        .ok()
        .and_then(|i| elems.get(i))
        .copied()
        .ok_or(TrapCode::TableOutOfBounds)
}

/// Element `i` of table `elems`, for writing, or `TableOutOfBounds`.
#[inline]
pub(crate) fn get_mut(elems: &mut [u64], i: u64) -> Result<&mut u64, TrapCode> {
    usize::try_from(i)
        .ok()
        .and_then(|i| elems.get_mut(i))
        .ok_or(TrapCode::TableOutOfBounds)
}

/// `table.init`: elements `s .. s + n` of element segment `elem` (store index) to
/// `d .. d + n` of table `table`; both ranges are checked before anything is written.
pub(crate) fn init<T>(
    inner: &mut StoreInner<T>,
    table: u32,
    elem: u32,
    d: u64,
    s: u32,
    n: u32,
) -> Result<(), TrapCode> {
    let src = &inner.elems[elem as usize].items;
    let sr = range(s.into(), n.into(), src.len())?;
    let t = &mut inner.tables[table as usize].elems;
    let dr = range(d, n.into(), t.len())?;
    t[dr].copy_from_slice(&src[sr]);
    Ok(())
}

/// `table.fill` of `i .. i + n` with `v`.
pub(crate) fn fill<T>(
    inner: &mut StoreInner<T>,
    table: u32,
    i: u64,
    v: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let t = &mut inner.tables[table as usize].elems;
    let r = range(i, n, t.len())?;
    t[r].fill(v);
    Ok(())
}

/// `table.copy` of `n` elements from `s` in table `st` to `d` in table `dt` (store indices;
/// they may be the same table, and the ranges may overlap). Both ranges are checked before
/// anything is written.
pub(crate) fn copy<T>(
    inner: &mut StoreInner<T>,
    dt: u32,
    st: u32,
    d: u64,
    s: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let sr = range(s, n, inner.tables[st as usize].elems.len())?;
    let dr = range(d, n, inner.tables[dt as usize].elems.len())?;
    if dt == st {
        inner.tables[dt as usize].elems.copy_within(sr, dr.start);
    } else {
        let src: Vec<u64> = inner.tables[st as usize].elems[sr].to_vec();
        inner.tables[dt as usize].elems[dr].copy_from_slice(&src);
    }
    Ok(())
}

/// The operands of a `table.copy` between tables of index types `flags` (bit 0: the
/// destination is 64-bit, bit 1: the source is), from their raw slot values: the
/// destination index has the destination's index type, the source index the source's, and
/// the length the smaller of the two (`i64` only if both are); an `i32` is the slot's low
/// half, zero-extended.
#[inline]
pub(super) fn copy_operands(flags: u32, d: u64, s: u64, n: u64) -> (u64, u64, u64) {
    let (d64, s64) = (flags & 1 != 0, flags & 2 != 0);
    let at = |v: u64, is64: bool| if is64 { v } else { v as u32 as u64 };
    (at(d, d64), at(s, s64), at(n, d64 && s64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked_without_wrapping() {
        assert_eq!(range(1, 4, 5), Ok(1..5));
        assert_eq!(range(1, 5, 5), Err(TrapCode::TableOutOfBounds));
        // An empty range at the very end is in bounds; one past it is not.
        assert_eq!(range(5, 0, 5), Ok(5..5));
        assert_eq!(range(6, 0, 5), Err(TrapCode::TableOutOfBounds));
        // A sum that wraps around 2^64 would land inside a small table if unchecked.
        assert_eq!(range(u64::MAX, 2, 5), Err(TrapCode::TableOutOfBounds));
        // An index at 2^32 is not index 0.
        assert_eq!(range(1 << 32, 1, 5), Err(TrapCode::TableOutOfBounds));
    }

    #[test]
    fn indices_at_or_above_2_pow_32_are_out_of_bounds() {
        let mut t = [7u64, 8, 9];
        assert_eq!(get(&t, 2), Ok(9));
        assert_eq!(get(&t, 3), Err(TrapCode::TableOutOfBounds));
        assert_eq!(get(&t, 1 << 32), Err(TrapCode::TableOutOfBounds));
        assert_eq!(get(&t, (1 << 32) + 1), Err(TrapCode::TableOutOfBounds));
        assert_eq!(get(&t, u64::MAX), Err(TrapCode::TableOutOfBounds));
        assert_eq!(
            get_mut(&mut t, (1 << 32) + 2),
            Err(TrapCode::TableOutOfBounds)
        );
        *get_mut(&mut t, 0).unwrap() = 1;
        assert_eq!(t, [1, 8, 9]);
    }

    #[test]
    fn mixed_copies_take_the_smaller_index_type_for_the_length() {
        let big = 0xffff_ffff_0000_0002;
        // 64 -> 64: everything whole.
        assert_eq!(copy_operands(3, big, big, big), (big, big, big));
        // 64 -> 32 (destination 64-bit, source 32-bit): source and length are i32.
        assert_eq!(copy_operands(1, big, big, big), (big, 2, 2));
        // 32 -> 64: destination and length are i32.
        assert_eq!(copy_operands(2, big, big, big), (2, big, 2));
        assert_eq!(copy_operands(0, big, big, big), (2, 2, 2));
    }
}

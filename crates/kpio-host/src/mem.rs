//! Checked access to the calling instance's linear memory.
//!
//! Every guest pointer is a `u32` offset; every access is checked with 64-bit arithmetic
//! against the memory's length before it is sliced, so no guest value can make the host
//! index out of bounds, overflow or panic. An access outside memory is [`Fail::Fault`],
//! which the dispatcher turns into a `MemoryOutOfBounds` trap. Size limits are checked
//! before memory is touched, and nothing here allocates.

use core::ops::Range;

use kpio_wasm::Trap;

use crate::abi::HostError;

/// Why a host call did not succeed: an error code for the guest, or a trap that stops it.
#[derive(Debug)]
pub(crate) enum Fail {
    /// Returned to the guest as the call's (negative) result.
    Host(HostError),
    /// A pointer/length pair outside linear memory: traps.
    Fault { ptr: u64, len: u64, mem_len: usize },
    /// Anything else that stops the guest (a host function called with the wrong types).
    Trap(Trap),
}

impl From<HostError> for Fail {
    fn from(e: HostError) -> Fail {
        Fail::Host(e)
    }
}

pub(crate) type HostResult<T> = Result<T, Fail>;

/// The calling instance's linear memory (empty if it has none).
pub(crate) struct GuestMem<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMem<'a> {
    pub(crate) fn new(bytes: &'a mut [u8]) -> Self {
        GuestMem { bytes }
    }

    fn range(&self, ptr: u32, len: u32) -> HostResult<Range<usize>> {
        let (p, l) = (u64::from(ptr), u64::from(len));
        match p.checked_add(l) {
            // Both fit in usize: they are at most the memory's length.
            Some(end) if end <= self.bytes.len() as u64 => Ok(p as usize..end as usize),
            _ => Err(Fail::Fault {
                ptr: p,
                len: l,
                mem_len: self.bytes.len(),
            }),
        }
    }

    /// Checks that `ptr .. ptr + len` is inside memory (an output buffer, checked before
    /// the call does anything).
    pub(crate) fn check(&self, ptr: u32, len: u32) -> HostResult<()> {
        self.range(ptr, len).map(|_| ())
    }

    pub(crate) fn bytes(&self, ptr: u32, len: u32) -> HostResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    pub(crate) fn bytes_mut(&mut self, ptr: u32, len: u32) -> HostResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    /// A guest string of at most `max` bytes: longer is `Limit` (before memory is
    /// touched), outside memory traps, not UTF-8 is `Invalid`.
    pub(crate) fn str(&self, ptr: u32, len: u32, max: u32) -> HostResult<&str> {
        if len > max {
            return Err(HostError::Limit.into());
        }
        core::str::from_utf8(self.bytes(ptr, len)?).map_err(|_| Fail::Host(HostError::Invalid))
    }

    /// Copies `data` to `ptr .. ptr + cap` if it fits (the buffer must be inside memory
    /// either way); returns `data`'s full length, the ABI's "copied if it fits" rule.
    pub(crate) fn copy_out(&mut self, ptr: u32, cap: u32, data: &[u8]) -> HostResult<i64> {
        let dst = self.bytes_mut(ptr, cap)?;
        let len = u32::try_from(data.len())
            .ok()
            .filter(|l| i32::try_from(*l).is_ok())
            .ok_or(HostError::Limit)?;
        if let Some(d) = dst.get_mut(..data.len()) {
            d.copy_from_slice(data);
        }
        Ok(i64::from(len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked_without_overflow() {
        let mut buf = [0u8; 16];
        let m = GuestMem::new(&mut buf);
        assert!(m.check(0, 16).is_ok());
        assert!(m.check(16, 0).is_ok());
        assert!(matches!(m.check(16, 1), Err(Fail::Fault { .. })));
        assert!(matches!(
            m.check(u32::MAX, u32::MAX),
            Err(Fail::Fault { .. })
        ));
        assert!(matches!(m.check(1, u32::MAX), Err(Fail::Fault { .. })));
    }

    #[test]
    fn strings_check_size_then_bounds_then_utf8() {
        let mut buf = *b"ok\xff\xfe............";
        let m = GuestMem::new(&mut buf);
        assert_eq!(m.str(0, 2, 8).unwrap(), "ok");
        assert!(matches!(
            m.str(0, 3, 8),
            Err(Fail::Host(HostError::Invalid))
        ));
        assert!(matches!(m.str(0, 9, 8), Err(Fail::Host(HostError::Limit))));
        assert!(matches!(m.str(10, 8, 8), Err(Fail::Fault { .. })));
    }

    #[test]
    fn copy_out_copies_only_when_it_fits() {
        let mut buf = [0u8; 8];
        let mut m = GuestMem::new(&mut buf);
        assert_eq!(m.copy_out(0, 3, b"hello").unwrap(), 5);
        assert_eq!(m.copy_out(0, 8, b"hello").unwrap(), 5);
        assert!(matches!(m.copy_out(4, 5, b"x"), Err(Fail::Fault { .. })));
        assert_eq!(&buf[..5], b"hello");
    }
}

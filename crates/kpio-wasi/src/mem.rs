//! Checked access to guest linear memory.
//!
//! Every guest pointer is a `u32` offset; every access is bounds-checked with 64-bit
//! arithmetic against the memory's length and sliced with `get`, so no guest value can make
//! the host index out of bounds, overflow, or panic. An access outside memory is
//! [`Fail::Fault`], which the dispatcher turns into a trap (as wasmtime does, and as the
//! WASI pointer rules ask). Nothing here allocates.

use crate::errno::Errno;
use core::ops::Range;
use kpio_vfs::VfsError;
use kpio_wasm::Trap;

/// Why a WASI call did not succeed: an errno for the guest, or a trap that stops it.
#[derive(Debug)]
pub(crate) enum Fail {
    /// Returned to the guest as the call's result.
    Errno(Errno),
    /// A pointer/length pair outside linear memory: traps, naming the call and the pointer.
    Fault { ptr: u64, len: u64, mem_len: usize },
    /// Anything else that stops the guest (exit, raised signal, bad host signature).
    Trap(Trap),
}

impl From<Errno> for Fail {
    fn from(e: Errno) -> Fail {
        Fail::Errno(e)
    }
}

impl From<VfsError> for Fail {
    fn from(e: VfsError) -> Fail {
        Fail::Errno(Errno::from(&e))
    }
}

pub(crate) type WasiResult<T> = Result<T, Fail>;

/// The calling instance's linear memory (empty if it has none).
pub(crate) struct GuestMem<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMem<'a> {
    pub(crate) fn new(bytes: &'a mut [u8]) -> Self {
        GuestMem { bytes }
    }

    /// The byte range `ptr .. ptr + len`, if it lies inside memory.
    pub(crate) fn range(&self, ptr: u64, len: u64) -> WasiResult<Range<usize>> {
        let fault = Fail::Fault {
            ptr,
            len,
            mem_len: self.bytes.len(),
        };
        let end = match ptr.checked_add(len) {
            Some(end) if end <= self.bytes.len() as u64 => end,
            _ => return Err(fault),
        };
        // Both fit in usize: they are at most the memory's length.
        Ok(ptr as usize..end as usize)
    }

    /// Checks that `ptr .. ptr + len` is inside memory (to validate an output pointer
    /// before doing something that cannot be undone).
    pub(crate) fn check(&self, ptr: u32, len: u64) -> WasiResult<()> {
        self.range(u64::from(ptr), len).map(|_| ())
    }

    /// Checks an array of `count` elements of `size` bytes each.
    pub(crate) fn check_array(&self, ptr: u32, count: u32, size: u64) -> WasiResult<()> {
        // count * size cannot overflow u64 (both are < 2^32 and size is small).
        self.check(ptr, u64::from(count) * size)
    }

    pub(crate) fn bytes(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(u64::from(ptr), u64::from(len))?;
        self.bytes.get(r).ok_or(Fail::Fault {
            ptr: u64::from(ptr),
            len: u64::from(len),
            mem_len: self.bytes.len(),
        })
    }

    pub(crate) fn bytes_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(u64::from(ptr), u64::from(len))?;
        let mem_len = self.bytes.len();
        self.bytes.get_mut(r).ok_or(Fail::Fault {
            ptr: u64::from(ptr),
            len: u64::from(len),
            mem_len,
        })
    }

    /// A guest string: out of bounds traps, invalid UTF-8 is `ilseq` (as wasmtime).
    pub(crate) fn str(&self, ptr: u32, len: u32) -> WasiResult<&str> {
        core::str::from_utf8(self.bytes(ptr, len)?).map_err(|_| Fail::Errno(Errno::Ilseq))
    }

    fn array<const N: usize>(&self, ptr: u64) -> WasiResult<[u8; N]> {
        let r = self.range(ptr, N as u64)?;
        let mut out = [0u8; N];
        if let Some(src) = self.bytes.get(r) {
            out.copy_from_slice(src);
        }
        Ok(out)
    }

    pub(crate) fn read_u8(&self, ptr: u64) -> WasiResult<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }
    pub(crate) fn read_u16(&self, ptr: u64) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }
    pub(crate) fn read_u32(&self, ptr: u64) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }
    pub(crate) fn read_u64(&self, ptr: u64) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    /// Copies `data` to `ptr`.
    pub(crate) fn write(&mut self, ptr: u64, data: &[u8]) -> WasiResult<()> {
        let r = self.range(ptr, data.len() as u64)?;
        if let Some(dst) = self.bytes.get_mut(r) {
            dst.copy_from_slice(data);
        }
        Ok(())
    }
    pub(crate) fn write_u8(&mut self, ptr: u64, v: u8) -> WasiResult<()> {
        self.write(ptr, &[v])
    }
    pub(crate) fn write_u32(&mut self, ptr: u64, v: u32) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }
    pub(crate) fn write_u64(&mut self, ptr: u64, v: u64) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// The `i`-th `(buf, buf_len)` pair of an iovec / ciovec array at `iovs`.
    pub(crate) fn iovec(&self, iovs: u32, i: u32) -> WasiResult<(u32, u32)> {
        let at = u64::from(iovs) + 8 * u64::from(i);
        Ok((self.read_u32(at)?, self.read_u32(at + 4)?))
    }
}

//! Executable pages for the engine's native tier: [`KernelPages`] maps fresh frames
//! read-write and never executable, then flips them to read-execute and never writable
//! (W^X, with the NX bit the bootloader enabled), as the hosted build does with
//! mmap/mprotect. Addresses come from a range of their own and are never reused.

use core::ptr::NonNull;
use kpio_wasm::jit::code_memory::{CodeMemoryError, CodePages};
use x86_64::VirtAddr;
use x86_64::structures::paging::{Mapper, Page, PageTableFlags, Size4KiB};

use crate::memory::PAGING;

const PAGE: usize = 4096;

pub struct KernelPages;

fn pages(ptr: NonNull<u8>, len: usize) -> impl Iterator<Item = Page<Size4KiB>> {
    let start = ptr.as_ptr() as u64;
    (0..len.div_ceil(PAGE) as u64)
        .map(move |i| Page::containing_address(VirtAddr::new(start + i * PAGE as u64)))
}

impl CodePages for KernelPages {
    fn page_size(&self) -> usize {
        PAGE
    }

    fn map_rw(&self, len: usize) -> Result<NonNull<u8>, CodeMemoryError> {
        let fail = CodeMemoryError::Map {
            op: "map",
            len,
            errno: 0,
        };
        let mut paging = PAGING.lock();
        let paging = paging.as_mut().ok_or(fail.clone())?;
        let start = paging.next_code;
        let count = len.div_ceil(PAGE) as u64;
        // One unmapped page between blocks: a run past a block's end faults.
        paging.next_code += (count + 1) * PAGE as u64;
        let flags = PageTableFlags::PRESENT | PageTableFlags::WRITABLE | PageTableFlags::NO_EXECUTE;
        for i in 0..count {
            let page = Page::<Size4KiB>::containing_address(VirtAddr::new(start + i * PAGE as u64));
            let frame = paging.frame().ok_or(fail.clone())?;
            let crate::memory::Paging { mapper, frames, .. } = paging;
            // SAFETY: the code range is used by nothing else and the page is fresh (its
            // address was never handed out); the frame is free.
            match unsafe { mapper.map_to(page, frame, flags, frames) } {
                Ok(flush) => flush.flush(),
                Err(_) => return Err(fail),
            }
        }
        let ptr = start as *mut u8;
        // SAFETY: just mapped writable; fresh frames may hold old data, so clear them.
        unsafe { core::ptr::write_bytes(ptr, 0, (count as usize) * PAGE) };
        NonNull::new(ptr).ok_or(fail)
    }

    unsafe fn make_rx(&self, ptr: NonNull<u8>, len: usize) -> Result<(), CodeMemoryError> {
        let mut paging = PAGING.lock();
        let paging = paging.as_mut().ok_or(CodeMemoryError::Map {
            op: "protect",
            len,
            errno: 0,
        })?;
        for page in pages(ptr, len) {
            // SAFETY: the page was mapped by `map_rw`; it becomes read-execute.
            match unsafe { paging.mapper.update_flags(page, PageTableFlags::PRESENT) } {
                Ok(flush) => flush.flush(),
                Err(_) => {
                    return Err(CodeMemoryError::Map {
                        op: "protect",
                        len,
                        errno: 0,
                    });
                }
            }
        }
        Ok(())
    }

    unsafe fn unmap(&self, ptr: NonNull<u8>, len: usize) {
        let mut paging = PAGING.lock();
        let Some(paging) = paging.as_mut() else {
            return;
        };
        for page in pages(ptr, len) {
            if let Ok((frame, flush)) = paging.mapper.unmap(page) {
                flush.flush();
                paging.free.push(frame);
            }
        }
    }
}

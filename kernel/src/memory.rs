//! Physical and virtual memory: a frame allocator over the bootloader's memory map, the
//! active page table (reached through the bootloader's mapping of all physical memory),
//! and the kernel heap, mapped page by page at [`HEAP_START`] and handed to the allocator.

use alloc::vec::Vec;
use bootloader_api::info::{MemoryRegionKind, MemoryRegions};
use talc::{ErrOnOom, Span, Talc, Talck};
use x86_64::registers::control::Cr3;
use x86_64::structures::paging::{
    FrameAllocator, Mapper, OffsetPageTable, Page, PageTable, PageTableFlags, PhysFrame, Size4KiB,
};
use x86_64::{PhysAddr, VirtAddr};

/// Where the heap lives in the kernel's address space (far from the bootloader's
/// mappings, which sit in the lower half near the kernel image).
pub const HEAP_START: u64 = 0x0000_4444_0000_0000;
/// The largest heap the kernel maps (the rest of memory stays free frames).
const MAX_HEAP: u64 = 1 << 30;

#[global_allocator]
static ALLOCATOR: Talck<spin::Mutex<()>, ErrOnOom> = Talc::new(ErrOnOom).lock();

/// Hands out the usable frames of the memory map, lowest first, never the same twice.
pub struct Frames {
    regions: &'static MemoryRegions,
    region: usize,
    next: u64,
}

impl Frames {
    fn new(regions: &'static MemoryRegions) -> Frames {
        Frames {
            regions,
            region: 0,
            next: 0,
        }
    }

    /// Bytes of usable memory in the map.
    pub fn usable_bytes(&self) -> u64 {
        self.regions
            .iter()
            .filter(|r| r.kind == MemoryRegionKind::Usable)
            .map(|r| r.end - r.start)
            .sum()
    }
}

// SAFETY: every frame returned lies in a region the bootloader marked usable, and the
// cursor only moves forward, so no frame is returned twice.
unsafe impl FrameAllocator<Size4KiB> for Frames {
    fn allocate_frame(&mut self) -> Option<PhysFrame> {
        while self.region < self.regions.len() {
            let r = &self.regions[self.region];
            if r.kind == MemoryRegionKind::Usable {
                let start = self.next.max(r.start.next_multiple_of(4096));
                if start + 4096 <= r.end {
                    self.next = start + 4096;
                    return Some(PhysFrame::containing_address(PhysAddr::new(start)));
                }
            }
            self.region += 1;
        }
        None
    }
}

pub struct Memory {
    pub heap_bytes: u64,
    pub usable_bytes: u64,
}

/// Takes over the page table and maps the heap. Runs once, before anything allocates.
///
/// # Safety
/// `phys_offset` must be where the bootloader mapped all physical memory, and this must be
/// called only once.
pub unsafe fn init(regions: &'static MemoryRegions, phys_offset: u64) -> Memory {
    let (l4, _) = Cr3::read();
    let l4_virt = VirtAddr::new(phys_offset + l4.start_address().as_u64());
    // SAFETY: the bootloader mapped all physical memory at phys_offset, so this is the
    // active level-4 table; nothing else holds a reference to it.
    let table: &'static mut PageTable = unsafe { &mut *l4_virt.as_mut_ptr() };
    // SAFETY: as above, the offset maps all physical memory.
    let mut mapper = unsafe { OffsetPageTable::new(table, VirtAddr::new(phys_offset)) };
    let mut frames = Frames::new(regions);
    let usable = frames.usable_bytes();
    // Keep an eighth (at least 8 MiB) for page tables and whatever maps memory later.
    let heap_bytes = (usable - (usable / 8).max(8 << 20)).min(MAX_HEAP) & !0xFFF;
    let flags = PageTableFlags::PRESENT | PageTableFlags::WRITABLE | PageTableFlags::NO_EXECUTE;
    let first = Page::<Size4KiB>::containing_address(VirtAddr::new(HEAP_START));
    let last = Page::containing_address(VirtAddr::new(HEAP_START + heap_bytes - 1));
    let mut mapped = 0u64;
    for page in Page::range_inclusive(first, last) {
        let Some(frame) = frames.allocate_frame() else {
            break;
        };
        // SAFETY: the heap range is mapped nowhere else and each frame is fresh.
        match unsafe { mapper.map_to(page, frame, flags, &mut frames) } {
            // The TLB has no entries for a range never mapped before.
            Ok(flush) => flush.ignore(),
            Err(_) => break,
        }
        mapped += 4096;
    }
    let base = HEAP_START as *mut u8;
    // SAFETY: [HEAP_START, HEAP_START + mapped) was just mapped writable and is used by
    // nothing but the allocator.
    unsafe {
        ALLOCATOR
            .lock()
            .claim(Span::new(base, base.add(mapped as usize)))
            .expect("the heap is large enough for the allocator's metadata");
    }
    *PAGING.lock() = Some(Paging {
        mapper,
        frames,
        free: Vec::new(),
        next_code: CODE_START,
    });
    Memory {
        heap_bytes: mapped,
        usable_bytes: usable,
    }
}

/// Where executable pages for the engine's native tier are mapped (`code_pages.rs`).
pub const CODE_START: u64 = 0x0000_5555_0000_0000;

/// The page table and the frames after boot, for mappings made later (code pages).
pub struct Paging {
    pub mapper: OffsetPageTable<'static>,
    pub frames: Frames,
    /// Frames given back (unmapped code pages), reused before new ones.
    pub free: Vec<PhysFrame>,
    /// The next unused address of the code range (addresses are never reused, so a stale
    /// pointer into freed code faults rather than runs other code).
    pub next_code: u64,
}

// SAFETY: the page table and the memory map are only reached through `PAGING`'s lock, on
// the one CPU.
unsafe impl Send for Paging {}

pub static PAGING: spin::Mutex<Option<Paging>> = spin::Mutex::new(None);

impl Paging {
    /// A frame: a freed one first, else a fresh one from the memory map.
    pub fn frame(&mut self) -> Option<PhysFrame> {
        self.free.pop().or_else(|| self.frames.allocate_frame())
    }
}

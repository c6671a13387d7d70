//! The GDT and TSS: kernel code and data segments, and the Task State Segment whose
//! interrupt stack table gives the double-fault handler a stack of its own (a kernel stack
//! overflow faults again on the same stack otherwise, and the CPU triple-faults).

use spin::Once;
use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::tss::TaskStateSegment;

/// The IST slot of the double-fault stack.
pub const DOUBLE_FAULT_IST: u16 = 0;
const DOUBLE_FAULT_STACK: usize = 64 * 1024;

/// Only its address is used (the CPU switches to its top on a double fault).
#[repr(align(16))]
struct Stack(#[allow(dead_code)] [u8; DOUBLE_FAULT_STACK]);
static mut DOUBLE_FAULT_STACK_MEM: Stack = Stack([0; DOUBLE_FAULT_STACK]);

static TSS: Once<TaskStateSegment> = Once::new();
static GDT: Once<(GlobalDescriptorTable, Selectors)> = Once::new();

#[derive(Clone, Copy, Debug)]
pub struct Selectors {
    pub code: SegmentSelector,
    pub data: SegmentSelector,
    tss: SegmentSelector,
}

pub fn init() {
    let tss = TSS.call_once(|| {
        let mut tss = TaskStateSegment::new();
        let base = VirtAddr::from_ptr(&raw const DOUBLE_FAULT_STACK_MEM);
        tss.interrupt_stack_table[DOUBLE_FAULT_IST as usize] = base + DOUBLE_FAULT_STACK as u64;
        tss
    });
    let (gdt, sel) = GDT.call_once(|| {
        let mut gdt = GlobalDescriptorTable::new();
        let code = gdt.append(Descriptor::kernel_code_segment());
        let data = gdt.append(Descriptor::kernel_data_segment());
        let tss = gdt.append(Descriptor::tss_segment(tss));
        (gdt, Selectors { code, data, tss })
    });
    gdt.load();
    // SAFETY: the selectors index the GDT just loaded, which lives in a static forever.
    unsafe {
        CS::set_reg(sel.code);
        DS::set_reg(sel.data);
        ES::set_reg(sel.data);
        SS::set_reg(sel.data);
        load_tss(sel.tss);
    }
}

/// The kernel's segment selectors (new threads start with them).
pub fn selectors() -> Selectors {
    GDT.get().expect("gdt::init ran").1
}

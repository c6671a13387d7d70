//! The IDT and every interrupt's way in and out.
//!
//! Each vector has a small naked entry stub that pushes the vector number (and a zero
//! where the CPU pushes no error code), then jumps to one common entry that saves every
//! general-purpose register into a [`Context`] on the current stack and calls
//! [`dispatch`]. Dispatch returns the context to resume, which is how the scheduler
//! switches threads: the timer interrupt may hand back another thread's saved context.
//! (Stable Rust has no `x86-interrupt` ABI; naked functions are stable and make the saved
//! state explicit.)
//!
//! CPU exceptions print a report (what, where, the registers) on the serial console and
//! exit QEMU with [`ExitCode::Fault`] instead of letting a fault cascade into a triple fault
//! and a silent reboot. The double fault runs on its own stack (`gdt::DOUBLE_FAULT_IST`).

use core::arch::naked_asm;
use spin::Once;
use x86_64::VirtAddr;
use x86_64::structures::idt::InterruptDescriptorTable;

use crate::qemu::{self, ExitCode};

/// The registers of an interrupted thread, as the entry stubs and the CPU leave them on
/// its stack (lowest address first).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error: u64,
    // Pushed by the CPU.
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

/// The first vector of the remapped 8259 PICs: IRQ n arrives as vector 32 + n.
pub const IRQ_BASE: u8 = 32;
pub const TIMER_VECTOR: u8 = IRQ_BASE;
pub const KEYBOARD_VECTOR: u8 = IRQ_BASE + 1;
pub const MOUSE_VECTOR: u8 = IRQ_BASE + 12;
/// A thread giving up the rest of its time slice (`int 48`, see `sched::yield_now`).
pub const YIELD_VECTOR: u8 = 48;

/// The common entry: save the registers, call `dispatch(&mut Context) -> *mut Context`,
/// restore from the context it returns, drop vector and error code, return.
#[unsafe(naked)]
extern "C" fn interrupt_common() {
    naked_asm!(
        "push rax", "push rbx", "push rcx", "push rdx", "push rsi", "push rdi", "push rbp",
        "push r8", "push r9", "push r10", "push r11", "push r12", "push r13", "push r14",
        "push r15",
        // The CPU aligned the stack to 16 before its 5 pushes; with vector, error and 15
        // registers the total is 176 bytes, so rsp is 16-aligned for the call.
        "mov rdi, rsp",
        "cld",
        "call {dispatch}",
        "mov rsp, rax",
        "pop r15", "pop r14", "pop r13", "pop r12", "pop r11", "pop r10", "pop r9", "pop r8",
        "pop rbp", "pop rdi", "pop rsi", "pop rdx", "pop rcx", "pop rbx", "pop rax",
        "add rsp, 16",
        "iretq",
        dispatch = sym dispatch,
    );
}

macro_rules! stub {
    ($name:ident, $vector:literal, error_code) => {
        #[unsafe(naked)]
        extern "C" fn $name() {
            naked_asm!("push {v}", "jmp {c}", v = const $vector, c = sym interrupt_common);
        }
    };
    ($name:ident, $vector:literal) => {
        #[unsafe(naked)]
        extern "C" fn $name() {
            naked_asm!("push 0", "push {v}", "jmp {c}", v = const $vector, c = sym interrupt_common);
        }
    };
}

stub!(v0, 0);
stub!(v1, 1);
stub!(v2, 2);
stub!(v3, 3);
stub!(v4, 4);
stub!(v5, 5);
stub!(v6, 6);
stub!(v7, 7);
stub!(v8, 8, error_code);
stub!(v10, 10, error_code);
stub!(v11, 11, error_code);
stub!(v12, 12, error_code);
stub!(v13, 13, error_code);
stub!(v14, 14, error_code);
stub!(v16, 16);
stub!(v17, 17, error_code);
stub!(v18, 18);
stub!(v19, 19);
stub!(v20, 20);
stub!(v21, 21, error_code);
stub!(v32, 32);
stub!(v33, 33);
stub!(v34, 34);
stub!(v35, 35);
stub!(v36, 36);
stub!(v37, 37);
stub!(v38, 38);
stub!(v39, 39);
stub!(v40, 40);
stub!(v41, 41);
stub!(v42, 42);
stub!(v43, 43);
stub!(v44, 44);
stub!(v45, 45);
stub!(v46, 46);
stub!(v47, 47);
stub!(v48, 48);

const STUBS: [(u8, extern "C" fn()); 37] = [
    (0, v0),
    (1, v1),
    (2, v2),
    (3, v3),
    (4, v4),
    (5, v5),
    (6, v6),
    (7, v7),
    (8, v8),
    (10, v10),
    (11, v11),
    (12, v12),
    (13, v13),
    (14, v14),
    (16, v16),
    (17, v17),
    (18, v18),
    (19, v19),
    (20, v20),
    (21, v21),
    (32, v32),
    (33, v33),
    (34, v34),
    (35, v35),
    (36, v36),
    (37, v37),
    (38, v38),
    (39, v39),
    (40, v40),
    (41, v41),
    (42, v42),
    (43, v43),
    (44, v44),
    (45, v45),
    (46, v46),
    (47, v47),
    (48, v48),
];

static IDT: Once<InterruptDescriptorTable> = Once::new();

pub fn init() {
    let idt = IDT.call_once(|| {
        let mut idt = InterruptDescriptorTable::new();
        for (vector, stub) in STUBS {
            let addr = VirtAddr::new(stub as *const () as u64);
            // SAFETY: each stub is a valid interrupt entry (it ends in the common entry's
            // iretq) for its vector, with or without a CPU error code as that vector has.
            let options = unsafe {
                match vector {
                    8 => idt.double_fault.set_handler_addr(addr),
                    10 => idt.invalid_tss.set_handler_addr(addr),
                    11 => idt.segment_not_present.set_handler_addr(addr),
                    12 => idt.stack_segment_fault.set_handler_addr(addr),
                    13 => idt.general_protection_fault.set_handler_addr(addr),
                    14 => idt.page_fault.set_handler_addr(addr),
                    17 => idt.alignment_check.set_handler_addr(addr),
                    21 => idt.cp_protection_exception.set_handler_addr(addr),
                    0 => idt.divide_error.set_handler_addr(addr),
                    1 => idt.debug.set_handler_addr(addr),
                    2 => idt.non_maskable_interrupt.set_handler_addr(addr),
                    3 => idt.breakpoint.set_handler_addr(addr),
                    4 => idt.overflow.set_handler_addr(addr),
                    5 => idt.bound_range_exceeded.set_handler_addr(addr),
                    6 => idt.invalid_opcode.set_handler_addr(addr),
                    7 => idt.device_not_available.set_handler_addr(addr),
                    16 => idt.x87_floating_point.set_handler_addr(addr),
                    18 => idt.machine_check.set_handler_addr(addr),
                    19 => idt.simd_floating_point.set_handler_addr(addr),
                    20 => idt.virtualization.set_handler_addr(addr),
                    v => idt[v].set_handler_addr(addr),
                }
            };
            if vector == 8 {
                // SAFETY: the IST slot holds a stack reserved for the double fault (gdt.rs).
                unsafe { options.set_stack_index(crate::gdt::DOUBLE_FAULT_IST) };
            }
        }
        idt
    });
    idt.load();
}

fn exception_name(vector: u64) -> &'static str {
    match vector {
        0 => "divide error",
        1 => "debug",
        2 => "non-maskable interrupt",
        3 => "breakpoint",
        4 => "overflow",
        5 => "bound range exceeded",
        6 => "invalid opcode",
        7 => "device not available",
        8 => "double fault",
        10 => "invalid TSS",
        11 => "segment not present",
        12 => "stack-segment fault",
        13 => "general protection fault",
        14 => "page fault",
        16 => "x87 floating-point exception",
        17 => "alignment check",
        18 => "machine check",
        19 => "SIMD floating-point exception",
        20 => "virtualization exception",
        21 => "control protection exception",
        _ => "unknown exception",
    }
}

/// Called by the common entry with interrupts off, on the interrupted stack.
extern "C" fn dispatch(ctx: *mut Context) -> *mut Context {
    // SAFETY: the common entry passes the context it just pushed on this stack.
    let frame = unsafe { &mut *ctx };
    match frame.vector as u8 {
        v if v == TIMER_VECTOR => {
            crate::clock::tick();
            crate::pic::end_of_interrupt(0);
            return crate::sched::on_timer(ctx);
        }
        v if v == KEYBOARD_VECTOR => {
            crate::ps2::on_keyboard_interrupt();
            crate::pic::end_of_interrupt(1);
        }
        v if v == MOUSE_VECTOR => {
            crate::ps2::on_mouse_interrupt();
            crate::pic::end_of_interrupt(12);
        }
        v if v == YIELD_VECTOR => return crate::sched::on_yield(ctx),
        // A breakpoint (int3) resumes after the instruction.
        3 => {}
        v if v >= IRQ_BASE => {
            // A spurious or unused IRQ: acknowledge it (IRQ 7 and 15 spurious ones need
            // no EOI to the PIC that did not raise them, but an extra EOI is harmless here
            // because those lines are masked).
            crate::pic::end_of_interrupt(v - IRQ_BASE);
        }
        _ => fault(frame),
    }
    ctx
}

/// Reports a CPU exception and leaves QEMU.
fn fault(frame: &Context) -> ! {
    crate::serial::force_unlock();
    crate::println!(
        "\nKPIO FAULT: {} (vector {}, error code {:#x}) at rip {:#018x}",
        exception_name(frame.vector),
        frame.vector,
        frame.error,
        frame.rip
    );
    if frame.vector == 14 {
        let addr = x86_64::registers::control::Cr2::read_raw();
        crate::println!(
            "  accessing {addr:#018x} ({}{}{})",
            if frame.error & 1 != 0 {
                "protection violation"
            } else {
                "page not present"
            },
            if frame.error & 2 != 0 {
                ", write"
            } else {
                ", read"
            },
            if frame.error & 16 != 0 {
                ", instruction fetch"
            } else {
                ""
            },
        );
    }
    crate::println!(
        "  rsp {:#018x} rflags {:#x} cs {:#x} ss {:#x}\n  rax {:#x} rbx {:#x} rcx {:#x} rdx {:#x}\n  rsi {:#x} rdi {:#x} rbp {:#x}",
        frame.rsp,
        frame.rflags,
        frame.cs,
        frame.ss,
        frame.rax,
        frame.rbx,
        frame.rcx,
        frame.rdx,
        frame.rsi,
        frame.rdi,
        frame.rbp
    );
    if let Some(name) = crate::sched::current_name() {
        crate::println!("  in thread {name}");
    }
    qemu::exit(ExitCode::Fault)
}

//! The two 8259 PICs: remapped to vectors 32-47 (the CPU's exceptions own 0-31), with only
//! the lines the kernel handles unmasked: the timer (IRQ 0), the keyboard (1), the cascade
//! (2) and the PS/2 mouse (12).

use x86_64::instructions::port::Port;

const PIC1_CMD: u16 = 0x20;
const PIC1_DATA: u16 = 0x21;
const PIC2_CMD: u16 = 0xA0;
const PIC2_DATA: u16 = 0xA1;
const EOI: u8 = 0x20;

fn out(port: u16, value: u8) {
    // SAFETY: the PICs' command and data ports; only this module programs them.
    unsafe { Port::<u8>::new(port).write(value) };
    // An unused port as a short delay between commands (the PICs of old machines need it).
    // SAFETY: port 0x80 is the POST diagnostic port; writing it has no effect.
    unsafe { Port::<u8>::new(0x80).write(0) };
}

pub fn init() {
    out(PIC1_CMD, 0x11); // ICW1: initialise, ICW4 follows
    out(PIC2_CMD, 0x11);
    out(PIC1_DATA, crate::interrupts::IRQ_BASE); // ICW2: vector offsets
    out(PIC2_DATA, crate::interrupts::IRQ_BASE + 8);
    out(PIC1_DATA, 4); // ICW3: the slave on IRQ 2
    out(PIC2_DATA, 2);
    out(PIC1_DATA, 0x01); // ICW4: 8086 mode
    out(PIC2_DATA, 0x01);
    // Masks (1 = masked): master keeps 0, 1, 2; slave keeps 12 (its line 4).
    out(PIC1_DATA, !0b0000_0111);
    out(PIC2_DATA, !0b0001_0000);
}

pub fn end_of_interrupt(irq: u8) {
    if irq >= 8 {
        out(PIC2_CMD, EOI);
    }
    out(PIC1_CMD, EOI);
}

//! Leaving QEMU with an exit code: the `isa-debug-exit` device at port 0xF4 (the image
//! runner and the tests start QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=0x04`).
//!
//! QEMU exits with `(value << 1) | 1`, so a kernel can never produce 0: the runner maps
//! [`ExitCode::Success`] (33) back to 0. On a real machine the write goes nowhere and the
//! kernel halts instead.

use x86_64::instructions::port::Port;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ExitCode {
    /// Everything asked of this boot ran and succeeded: QEMU exits 33.
    Success = 0x10,
    /// An app or a boot step failed: QEMU exits 35.
    Failed = 0x11,
    /// A CPU exception or a kernel panic: QEMU exits 37.
    Fault = 0x12,
}

pub fn exit(code: ExitCode) -> ! {
    // SAFETY: port 0xF4 is QEMU's isa-debug-exit; on hardware without it the write is
    // ignored and we fall through to halting.
    unsafe { Port::<u32>::new(0xF4).write(code as u32) };
    halt_forever()
}

pub fn halt_forever() -> ! {
    x86_64::instructions::interrupts::disable();
    loop {
        x86_64::instructions::hlt();
    }
}

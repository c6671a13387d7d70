//! SSE for native code. The kernel itself is built soft-float (`x86_64-unknown-none` has no
//! SSE), but the engine's native tier compiles wasm floats and SIMD to SSE instructions, so
//! the CPU must allow them (bootloader 0.11 leaves them off) and every thread switch saves
//! and restores the SSE state (`sched.rs`, with [`FxArea`]).

use core::arch::asm;
use x86_64::registers::control::{Cr0, Cr0Flags, Cr4, Cr4Flags};

/// The 512 bytes `fxsave` writes (x87, MXCSR, XMM0-15), 16-aligned as it requires.
#[repr(C, align(16))]
#[derive(Clone)]
pub struct FxArea(pub [u8; 512]);

/// Turns SSE on: no x87 emulation, `fxsave`/`fxrstor` and SSE exceptions enabled in CR4;
/// then sets the default MXCSR (all exceptions masked, round to nearest), as a program
/// starts with.
pub fn enable() {
    // SAFETY: these bits only allow SSE instructions and FXSAVE; nothing relies on them
    // being off.
    unsafe {
        Cr0::update(|f| {
            f.remove(Cr0Flags::EMULATE_COPROCESSOR);
            f.insert(Cr0Flags::MONITOR_COPROCESSOR);
        });
        Cr4::update(|f| f.insert(Cr4Flags::OSFXSR | Cr4Flags::OSXMMEXCPT_ENABLE));
        asm!("fninit");
        let mxcsr: u32 = 0x1F80;
        asm!("ldmxcsr [{}]", in(reg) &mxcsr, options(nostack));
    }
}

impl FxArea {
    /// The state right now (at boot: the clean state every new thread starts from).
    pub fn capture() -> FxArea {
        let mut area = FxArea([0; 512]);
        area.save();
        area
    }

    pub fn save(&mut self) {
        // SAFETY: the area is 512 bytes, 16-aligned; SSE is on (`enable`).
        unsafe { asm!("fxsave64 [{}]", in(reg) self.0.as_mut_ptr(), options(nostack)) };
    }

    pub fn restore(&self) {
        // SAFETY: as `save`; the area holds a state `fxsave64` wrote.
        unsafe { asm!("fxrstor64 [{}]", in(reg) self.0.as_ptr(), options(nostack)) };
    }
}

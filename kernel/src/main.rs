//! KPIO's bare-metal x86_64 kernel.
//!
//! bootloader 0.11 loads it (BIOS image), maps all physical memory and the framebuffer,
//! and loads the ramdisk that `kpio image` built: a tar archive of a KPIO_HOME (the app
//! registry, installed apps, their data) plus `system/boot.json`, which says what this boot
//! does. The kernel brings up the machine (serial console, GDT and IDT, the PICs and the
//! timer, memory and heap, the clock, RDRAND, PS/2 keyboard and mouse, the framebuffer),
//! then runs the app layer from the same `no_std` crates as the hosted `kpio` command:
//! the engine, WASI over an in-memory VFS filled from the ramdisk, the app registry and
//! its permissions, each app on its own preemptively scheduled kernel thread.
//!
//! Everything it reports goes to COM1; the QEMU tests read it there, and the exit code
//! through QEMU's `isa-debug-exit` device (`qemu.rs`).

#![no_std]
#![no_main]

extern crate alloc;

mod clock;
mod display;
mod gdt;
mod interrupts;
mod memory;
mod pic;
mod ps2;
mod qemu;
mod random;
mod sched;
mod serial;

use bootloader_api::config::{BootloaderConfig, Mapping};
use bootloader_api::{BootInfo, entry_point};

use qemu::ExitCode;

pub static BOOTLOADER_CONFIG: BootloaderConfig = {
    let mut config = BootloaderConfig::new_default();
    config.mappings.physical_memory = Some(Mapping::Dynamic);
    config.kernel_stack_size = 1024 * 1024;
    config
};

entry_point!(kernel_main, config = &BOOTLOADER_CONFIG);

fn kernel_main(boot: &'static mut BootInfo) -> ! {
    serial::init();
    println!("KPIO kernel {} booting", env!("CARGO_PKG_VERSION"));
    gdt::init();
    interrupts::init();
    pic::init();
    let Some(phys_offset) = boot.physical_memory_offset.into_option() else {
        println!("KPIO BOOT FAILED: the bootloader did not map physical memory");
        qemu::exit(ExitCode::Failed);
    };
    // SAFETY: the bootloader mapped all physical memory at this offset (the config above
    // asks for it), and this is the only call.
    let mem = unsafe { memory::init(&boot.memory_regions, phys_offset) };
    println!(
        "memory: {} MiB usable, heap {} MiB",
        mem.usable_bytes >> 20,
        mem.heap_bytes >> 20
    );
    sched::init();
    clock::init_pit();
    let ps2 = ps2::init();
    x86_64::instructions::interrupts::enable();
    clock::calibrate();
    println!(
        "clock: TSC at {} MHz, unix time {} s",
        clock::tsc_hz() / 1_000_000,
        clock::realtime_ns() / 1_000_000_000
    );
    let Some(rng) = random::source() else {
        println!("KPIO BOOT FAILED: the CPU has neither RDSEED nor RDRAND");
        qemu::exit(ExitCode::Failed);
    };
    println!("random: {} ({:#018x})", rng.name(), rng.next_u64());
    println!(
        "input: PS/2 keyboard{}",
        if ps2.mouse { " and mouse" } else { " (no mouse)" }
    );
    match boot.framebuffer.as_mut().map(display::wrap) {
        Some(Ok(mut fb)) => {
            println!(
                "display: {}x{} {:?}",
                fb.width(),
                fb.height(),
                fb.format()
            );
            fb.fill(kpio_gui::rgb(0x20, 0x40, 0x70));
        }
        Some(Err(e)) => println!("display: none ({e})"),
        None => println!("display: none"),
    }
    let ticker = sched::spawn("ticker", || {
        for _ in 0..3 {
            sched::sleep_ms(10);
        }
    });
    while !sched::is_finished(ticker) {
        sched::yield_now();
    }
    println!("threads: {} switches", sched::switches());
    println!("KPIO boot ok");
    qemu::exit(ExitCode::Success)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    x86_64::instructions::interrupts::disable();
    serial::force_unlock();
    println!("\nKPIO PANIC: {info}");
    if let Some(name) = sched::current_name() {
        println!("  in thread {name}");
    }
    qemu::exit(ExitCode::Fault)
}

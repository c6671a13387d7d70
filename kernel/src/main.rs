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

mod boot_plan;
mod clock;
mod code_pages;
mod desktop;
mod display;
mod fpu;
mod gdt;
mod home;
mod interrupts;
mod launch;
mod memory;
mod pic;
mod ps2;
mod qemu;
mod random;
mod sched;
mod serial;
mod services;
mod syscalls;

use bootloader_api::config::{BootloaderConfig, Mapping};
use bootloader_api::{BootInfo, entry_point};

use alloc::string::String;
use alloc::vec::Vec;
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
    fpu::enable();
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
        if ps2.mouse {
            " and mouse"
        } else {
            " (no mouse)"
        }
    );
    let screen = match boot.framebuffer.as_mut().map(display::wrap) {
        Some(Ok(mut fb)) => {
            println!("display: {}x{} {:?}", fb.width(), fb.height(), fb.format());
            fb.fill(kpio_gui::rgb(0x20, 0x40, 0x70));
            Some(fb)
        }
        Some(Err(e)) => {
            println!("display: none ({e})");
            None
        }
        None => {
            println!("display: none");
            None
        }
    };
    let ramdisk: &'static [u8] = match boot.ramdisk_addr.into_option() {
        // SAFETY: the bootloader loaded the ramdisk there, mapped, `ramdisk_len` bytes long,
        // and nothing writes it.
        Some(addr) => unsafe {
            core::slice::from_raw_parts(addr as *const u8, boot.ramdisk_len as usize)
        },
        None => &[],
    };
    // The in-memory home may use a quarter of the heap beside what the apps need.
    let (mut home, unpacked) = match home::Home::from_archive(ramdisk, mem.heap_bytes / 4) {
        Ok(h) => h,
        Err(e) => {
            println!("KPIO BOOT FAILED: {e}");
            qemu::exit(ExitCode::Failed);
        }
    };
    println!(
        "home: {} files ({} KiB) from the ramdisk; apps: {}",
        unpacked.files,
        unpacked.bytes / 1024,
        home.app_ids().join(", ")
    );
    let plan = match home.read(boot_plan::PATH) {
        Ok(bytes) => boot_plan::BootPlan::parse(&bytes).unwrap_or_else(|e| {
            println!("kpio: {}: {e}; booting to the desktop", boot_plan::PATH);
            boot_plan::BootPlan::default()
        }),
        Err(_) => boot_plan::BootPlan::default(),
    };
    println!("KPIO boot ok");
    if let Some(kind) = plan.crash {
        crash(kind);
    }
    // Every boot app starts the way a program on KPIO starts apps: through the app
    // syscalls (SYS_APP_LAUNCH with its arguments), here from the boot thread.
    let keys: Vec<(String, Option<kpio_app::KernelAppId>)> = plan
        .run
        .iter()
        .map(|l| (l.app.clone(), home.registry.find(&l.app).ok().map(|d| d.id)))
        .collect();
    home::install(home);
    syscalls::init(memory::HEAP_START, mem.heap_bytes);
    // The desktop starts first: apps launched after it get their windows there.
    if plan.desktop {
        match screen {
            Some(fb) => {
                sched::spawn("desktop", move || desktop::run(fb, rng));
                while desktop::DESK.lock().is_none() {
                    sched::sleep_ms(5);
                }
            }
            None => println!("kpio: no usable screen: no desktop"),
        }
    }
    let mut sys = kpio_userlib::RawSyscall::new();
    let mut runs = Vec::new();
    for ((key, id), launch) in keys.into_iter().zip(&plan.run) {
        let Some(id) = id else {
            println!("kpio: {}: no installed app `{key}`", boot_plan::PATH);
            runs.push((key, None));
            continue;
        };
        match kpio_userlib::app_launch(&mut sys, id, &launch.args) {
            Ok(inst) => {
                println!("kpio: {key}: launched through SYS_APP_LAUNCH as instance {inst}");
                runs.push((key, Some((id, inst))));
            }
            Err(errno) => {
                println!("kpio: cannot launch {key}: {errno:?}");
                runs.push((key, None));
            }
        }
    }
    let mut all_ok = true;
    for (key, launched) in runs {
        let Some((id, first)) = launched else {
            all_ok = false;
            continue;
        };
        let end = loop {
            if let Some(end) = launch::launch_end(first) {
                break end;
            }
            sched::sleep_ms(5);
        };
        // Reported by app id, as the registry has it (AppGetInfo).
        let app = match kpio_userlib::app_info(&mut sys, id) {
            Ok(d) => d.app_id,
            Err(errno) => {
                println!("kpio: AppGetInfo({id}) failed: {errno:?}");
                key
            }
        };
        match Some(end) {
            Some(launch::RunEnd::Exited(0)) => println!("kpio: {app} exited with 0"),
            Some(launch::RunEnd::Exited(c)) => {
                all_ok = false;
                println!("kpio: {app} exited with {c}");
            }
            Some(launch::RunEnd::Trapped(why)) => {
                all_ok = false;
                println!("kpio: {app} trapped: {why}");
            }
            Some(launch::RunEnd::Stopped) | None => {
                all_ok = false;
                println!("kpio: {app} was stopped");
            }
        }
    }
    if plan.exit_when_done && !plan.desktop {
        println!(
            "kpio: all boot apps ended; {}",
            if all_ok { "success" } else { "failure" }
        );
        qemu::exit(if all_ok {
            ExitCode::Success
        } else {
            ExitCode::Failed
        });
    }
    sched::become_idle()
}

/// Faults on purpose (`boot_plan::Crash`): the report and the exit are the fault
/// handler's and the panic handler's, as for a real fault.
fn crash(kind: boot_plan::Crash) {
    println!("kpio: crashing on purpose: {kind:?}");
    match kind {
        boot_plan::Crash::PageFault => {
            // An address in the lower half that nothing maps.
            let p = 0x0000_0dea_d000_0000 as *mut u64;
            // SAFETY: not safe, on purpose: the write must fault; the handler reports
            // it and leaves QEMU, so nothing runs after it.
            unsafe { p.write_volatile(1) };
        }
        // SAFETY: not safe, on purpose: `ud2` raises invalid opcode, whose handler
        // reports it and leaves QEMU.
        boot_plan::Crash::InvalidOpcode => unsafe { core::arch::asm!("ud2") },
        boot_plan::Crash::Panic => panic!("a crash on purpose (boot.json asked for it)"),
    }
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

//! `kpio-disk-image KERNEL RAMDISK OUT`: writes a BIOS-bootable disk image holding
//! bootloader 0.11's stages, the KPIO kernel (an ELF for x86_64-unknown-none) and the
//! ramdisk `kpio image` built (the installed apps). The boot configuration asks for a
//! framebuffer of at least 1024x768 and keeps the bootloader's own log off the screen and
//! the serial console, so COM1 carries only what KPIO prints.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kernel, ramdisk, out] = args.as_slice() else {
        eprintln!("usage: kpio-disk-image KERNEL RAMDISK OUT");
        return ExitCode::from(2);
    };
    let mut config = bootloader::BootConfig::default();
    config.frame_buffer.minimum_framebuffer_width = Some(1024);
    config.frame_buffer.minimum_framebuffer_height = Some(768);
    config.frame_buffer_logging = false;
    config.serial_logging = false;
    let result = bootloader::BiosBoot::new(Path::new(kernel))
        .set_ramdisk(Path::new(ramdisk))
        .set_boot_config(&config)
        .create_disk_image(Path::new(out));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kpio-disk-image: cannot write {out}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

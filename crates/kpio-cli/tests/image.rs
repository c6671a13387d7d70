//! `kpio image` without booting anything: bad input is refused with a message naming what
//! and where (before the kernel is built), and the ramdisk it writes is a standard ustar
//! archive that GNU tar lists and the kernel's reader (`kpio_vfs::tar`) unpacks whole.

mod guests;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use guests::{KPIO, temp_dir};
use kpio_vfs::{Backend, ManualClock, MemoryFs, MemoryLimits, MountId, OpenOptions, Vfs};

fn image(args: &[&str]) -> (i32, String) {
    let out = Command::new(KPIO).arg("image").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_launch_of_an_app_no_package_installs_is_refused() {
    let dir = temp_dir("image-launch");
    let out = dir.join("x.img");
    let (code, err) = image(&["--launch", "com.example.nope", "-o", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--launch com.example.nope: no package given with --app installs an app"),
        "{err}"
    );
    assert!(!out.exists(), "no image is written");
}

#[test]
fn a_missing_or_broken_package_is_named() {
    let dir = temp_dir("image-bad");
    let missing = dir.join("missing.kpioapp");
    let (code, err) = image(&["--app", missing.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("cannot read {}", missing.display())),
        "{err}"
    );
    let broken = dir.join("broken.kpioapp");
    std::fs::write(&broken, b"PK\x03\x04 this is not a whole zip").unwrap();
    let (code, err) = image(&["--app", broken.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "cannot install {} into the image",
            broken.display()
        )),
        "{err}"
    );
}

#[test]
fn a_source_tree_without_the_kernel_is_refused() {
    let dir = temp_dir("image-source");
    let (code, err) = image(&["--source", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no KPIO source tree at") && err.contains("kernel/Cargo.toml"),
        "{err}"
    );
}

#[test]
fn the_ramdisk_is_ustar_that_gnu_tar_lists_and_the_kernel_reader_unpacks() {
    let dir = temp_dir("image-ramdisk");
    let home = dir.join("home");
    let deep = "apps/data/com.example.deep/v1/resources/a-long-directory-name-for-the-prefix-field/and-another-one-below-it";
    std::fs::create_dir_all(home.join(deep)).unwrap();
    std::fs::create_dir_all(home.join("system/run")).unwrap();
    std::fs::write(home.join("system/boot.json"), br#"{"run":[]}"#).unwrap();
    std::fs::write(home.join("system/run/1.json"), b"{}").unwrap();
    std::fs::write(home.join(".lock"), b"").unwrap();
    let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7 + i / 255) as u8).collect();
    std::fs::write(home.join(deep).join("icon.bin"), &big).unwrap();
    std::fs::write(home.join("apps/data/com.example.deep/v1/empty"), b"").unwrap();
    let tar = dir.join("ramdisk.tar");
    let files = kpio_cli::image::archive_home(&home, &tar).unwrap();
    assert_eq!(
        files, 3,
        "boot.json, icon.bin and empty; not .lock or system/run"
    );

    // GNU tar reads it as a POSIX archive.
    let listing = Command::new("tar").arg("-tvf").arg(&tar).output().unwrap();
    assert!(listing.status.success());
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(listing.contains("system/boot.json"), "{listing}");
    assert!(listing.contains(&format!("{deep}/icon.bin")), "{listing}");
    assert!(
        !listing.contains(".lock") && !listing.contains("system/run"),
        "{listing}"
    );
    let bytes = std::fs::read(&tar).unwrap();
    assert_eq!(&bytes[257..263], b"ustar\0", "POSIX ustar headers");

    // The kernel's reader unpacks every file whole.
    let fs: Arc<dyn Backend> = Arc::new(MemoryFs::new(
        MemoryLimits::default(),
        Arc::new(ManualClock::new(0)),
    ));
    let mut vfs = Vfs::with_root(fs).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let unpacked = kpio_vfs::tar::unpack(&mut vfs, root, &bytes).unwrap();
    assert_eq!(unpacked.files, 3);
    let read = |vfs: &mut Vfs, path: &str| {
        let h = vfs.open(root, path, &OpenOptions::read()).unwrap();
        let mut out = vec![0; 400_000];
        let mut n = 0;
        loop {
            let k = vfs.read(h, &mut out[n..]).unwrap();
            if k == 0 {
                break;
            }
            n += k;
        }
        out.truncate(n);
        out
    };
    assert_eq!(read(&mut vfs, &format!("{deep}/icon.bin")), big);
    assert_eq!(read(&mut vfs, "system/boot.json"), br#"{"run":[]}"#);
    assert!(Path::new(&tar).exists());
}

//! Chooses the interpreter's dispatch backend, and fingerprints the sources for the code
//! cache.
//!
//! Threaded dispatch (`exec/threaded.rs`) needs LLVM to turn each handler's tail call into
//! a jump, which it does only when optimising, and needs the arguments in registers, which
//! the bare-metal target does not promise. Everything else uses the portable loop, as does
//! any build with the `portable-dispatch` feature.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kpio_threaded)");
    println!("cargo::rerun-if-changed=build.rs");
    fingerprint();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let portable = std::env::var_os("CARGO_FEATURE_PORTABLE_DISPATCH").is_some();
    let optimising = matches!(opt.as_str(), "2" | "3");
    if arch == "x86_64" && os != "none" && optimising && !portable {
        println!("cargo::rustc-cfg=kpio_threaded");
    }
}

/// `KPIO_WASM_CODE_FINGERPRINT`: a hash of the crate's sources and manifest. Native code in
/// a code cache entry is only valid for the engine build that made it (the context layout,
/// the helper table and the calling convention are defined in these files), so the
/// fingerprint is part of every entry's key (`src/jit/code_cache.rs`).
fn fingerprint() {
    println!("cargo::rerun-if-changed=src");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    files.push(Path::new("Cargo.toml").to_path_buf());
    files.sort();
    // Two 64-bit FNV-1a hashes with different offsets: enough to tell builds apart (this
    // is not a defence against a forged entry; see the code cache's docs).
    let mut h = [0xcbf2_9ce4_8422_2325u64, 0x6c62_272e_07bb_0142u64];
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            for x in &mut h {
                *x = (*x ^ b as u64).wrapping_mul(0x0100_0000_01b3);
            }
        }
    };
    eat(std::env::var("CARGO_PKG_VERSION")
        .unwrap_or_default()
        .as_bytes());
    for f in &files {
        eat(f.to_string_lossy().as_bytes());
        eat(&[0]);
        eat(&std::fs::read(f).unwrap_or_default());
        eat(&[0]);
    }
    println!(
        "cargo::rustc-env=KPIO_WASM_CODE_FINGERPRINT={}-{:016x}{:016x}",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default(),
        h[0],
        h[1]
    );
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

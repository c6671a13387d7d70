//! Chooses the interpreter's dispatch backend.
//!
//! Threaded dispatch (`exec/threaded.rs`) needs LLVM to turn each handler's tail call into
//! a jump, which it does only when optimising, and needs the arguments in registers, which
//! the bare-metal target does not promise. Everything else uses the portable loop, as does
//! any build with the `portable-dispatch` feature.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kpio_threaded)");
    println!("cargo::rerun-if-changed=build.rs");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let portable = std::env::var_os("CARGO_FEATURE_PORTABLE_DISPATCH").is_some();
    let optimising = matches!(opt.as_str(), "2" | "3");
    if arch == "x86_64" && os != "none" && optimising && !portable {
        println!("cargo::rustc-cfg=kpio_threaded");
    }
}

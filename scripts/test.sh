#!/usr/bin/env bash
# Runs every check CI runs, on a fresh machine: installs the Rust targets it needs, then
# formatting, clippy, all tests (including the full WebAssembly 2.0 spec suite), and the
# no_std build of the core crates for the bare-metal target.
set -euo pipefail
cd "$(dirname "$0")/.."
# CI builds each thing once, so incremental caches (gigabytes) would only fill the disk.
export CARGO_INCREMENTAL=0

rustup target add x86_64-unknown-none wasm32-unknown-unknown wasm32-wasip1 >/dev/null
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# The kernel's image (kpio image, crates/kpio-cli/tests/kernel_qemu.rs): bootloader 0.11's
# boot stages are built with -Zbuild-std (rust-src) and flattened with llvm-objcopy
# (llvm-tools).
rustup component add rust-src llvm-tools >/dev/null
# The oracle of the differential WASI test (crates/kpio-cli/tests/wasi_diff.rs).
python3 -m pip install --quiet wasmtime==50.0.1

# testharness.js for the web platform's WPT-style suites (crates/kpio-web/tests/wpt.rs),
# from npm's wpt-runner, pinned by its lock file (Node.js and npm from Debian if missing).
if ! command -v npm >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
npm ci --silent --no-audit --no-fund --prefix crates/kpio-web/tests/harness >/dev/null

# C guests for the WASI tests: clang + lld + wasi-libc (Debian packages).
if ! { command -v clang >/dev/null && [ -f /usr/lib/wasm32-wasi/libc.a ] \
       && ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; }; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang lld wasi-libc libclang-rt-dev-wasm32 >/dev/null
fi
# The relaxed SIMD C guest (crates/kpio-cli/tests/simd_guests.rs) needs clang 16 or later:
# Debian 12's clang 14 emits the proposal's prototype opcodes for -mrelaxed-simd.
if ! command -v clang-19 >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang-19 lld-19 libclang-rt-19-dev-wasm32 >/dev/null
fi

# The kernel's end-to-end tests boot it in QEMU (software emulation; no KVM needed).
if ! command -v qemu-system-x86_64 >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq qemu-system-x86 >/dev/null
fi

# The desktop's window test (crates/kpio-cli/tests/desktop_window.rs) runs `kpio desktop`
# under Xvfb, reads the screen with xwd and sends input with xdotool; winit needs
# libxkbcommon-x11 at run time, and xvfb-run (which the README points to) needs xauth.
if ! { command -v Xvfb >/dev/null && command -v xwd >/dev/null && command -v xdotool >/dev/null \
       && command -v xauth >/dev/null && ldconfig -p | grep -q libxkbcommon-x11.so.0; }; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq xvfb xauth x11-apps xdotool \
    libxkbcommon-x11-0 >/dev/null
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
for app in calculator text-viewer hello-world; do
  cargo fmt --manifest-path "examples/$app/Cargo.toml" -- --check
done
cargo fmt --manifest-path kernel/Cargo.toml -- --check
cargo fmt --manifest-path kernel/disk-image/Cargo.toml -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings
# The kernel and the image writer are their own builds, in the target directories
# `kpio image` uses (the QEMU tests below build the same crates in release).
cargo clippy --release --locked --manifest-path kernel/Cargo.toml --target x86_64-unknown-none \
  --target-dir target/kernel -- -D warnings
RUSTC_BOOTSTRAP=1 cargo clippy --release --locked --manifest-path kernel/disk-image/Cargo.toml \
  --target-dir target/disk-image -- -D warnings
echo "== no_std core crates for x86_64-unknown-none"
cargo build -p kpio-wasm -p kpio-vfs -p kpio-wasi -p kpio-app -p kpio-userlib -p kpio-gui -p kpio-host \
  -p kpio-guest -p kpio-abi --target x86_64-unknown-none
echo "== the engine's native tier (Cranelift) for x86_64-unknown-none"
cargo build -p kpio-wasm --features jit --target x86_64-unknown-none
echo "== cargo test"; df -h . | tail -1
cargo test --workspace --features kpio-vfs/host,kpio-wasi/host,kpio-pkg/host
echo "== the demo apps' own tests (their logic, on the build machine)"
for app in calculator text-viewer; do
  CARGO_TARGET_DIR=target/examples-test cargo test --quiet --manifest-path "examples/$app/Cargo.toml"
done
echo "== the benchmark programs' own tests (native: kpio-bench checks both engines against their results)"
CARGO_TARGET_DIR=target/bench-programs-test cargo test --manifest-path bench/programs/Cargo.toml
# The spec suites (spec_v2, spec_proposals, spec_v3) ran above on both dispatch backends,
# threaded and the portable loop the kernel uses (`Config::dispatch`), in one build. The
# `portable-dispatch` feature (a build without the threaded backend) is still built by the
# Miri run below, and the bare-metal build above has no threaded backend either.
echo "== threaded dispatch keeps its tail calls in a release build (a long loop on a small stack)"
cargo test --release -p kpio-wasm --test tailcalls
echo "== Miri: the engine's module-owned code on the portable loop (a documented subset)"
# The spec suite is far too slow under Miri (nop.wast and fac.wast had not finished after 26
# minutes), so Miri checks the tests of the newest unsafe code instead: code maps shared by
# instances (lock-free once-cells), per-instance index resolution, calls across instances,
# memory access through the heap backend. The four-thread test is skipped (Miri's threads make
# it take over 15 minutes); the other five take about 2 minutes.
rustup component add --toolchain nightly miri rust-src >/dev/null 2>&1
MIRIFLAGS="-Zmiri-disable-isolation" cargo +nightly miri test -p kpio-wasm \
  --features portable-dispatch --test module_code -- --skip four_threads
echo "== fuzz: a short run of each cargo-fuzz target (against wasmi 2.0, between the dispatch backends, decoder, the web APIs), so they build and hold"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked --quiet
for target in differential:60 tiers:60 backends:40 module_new:30 web_apis:30 http_response:20; do
  name=${target%%:*}; secs=${target##*:}
  if ! (cd fuzz && cargo +nightly fuzz run "$name" -- -max_total_time="$secs" -rss_limit_mb=4096 \
          -len_control=0 -max_len=8192 > "fuzz-$name.log" 2>&1); then
    tail -40 "fuzz/fuzz-$name.log"; echo "fuzz target $name failed"; exit 1
  fi
  tail -1 "fuzz/fuzz-$name.log"
done
# Disk used by the build, for the record (a full disk once failed a CI link with SIGBUS).
echo "== disk: $(du -sh target fuzz/target 2>/dev/null | tr '\n' ' ')"
df -h . | tail -1

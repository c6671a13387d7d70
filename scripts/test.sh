#!/usr/bin/env bash
# Runs every check CI runs, on a fresh machine: installs the Rust targets it needs, then
# formatting, clippy, all tests (including the full WebAssembly 2.0 spec suite), and the
# no_std build of the core crates for the bare-metal target.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add x86_64-unknown-none wasm32-unknown-unknown >/dev/null
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings
echo "== no_std core crates for x86_64-unknown-none"
cargo build -p kpio-wasm -p kpio-vfs --target x86_64-unknown-none
echo "== cargo test"
cargo test --workspace --features kpio-vfs/host
echo "== spec suite again on the portable dispatch loop (what the kernel target uses)"
cargo test -p kpio-cli --test spec_v2 --features kpio-wasm/portable-dispatch

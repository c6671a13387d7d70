#!/usr/bin/env bash
# Builds every demo app from source and packs each into target/apps/NAME.kpioapp:
#   calculator, text-viewer  (Rust, kpio-guest SDK, wasm32-wasip1)
#   c-paint                  (C, clang + wasi-libc, crates/kpio-guest/include/kpio.h)
#   hello-world              (the CLI demo, as scripts/demo.sh builds it)
# Each wasm's host imports are checked against the ABI (scripts/check-imports.py)
# before it is packed, and if python's wasmtime is installed, the GUI apps are run
# against a stub host (scripts/smoke-apps.py). Needs rustup, clang, lld and wasi-libc (scripts/test.sh
# installs them) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/apps
mkdir -p "$OUT"

rustup target add wasm32-wasip1 >/dev/null
echo "== building kpio (the packer)"
cargo build --release -q -p kpio-cli
KPIO="${CARGO_TARGET_DIR:-target}/release/kpio"

built=()

# A Rust app: examples/NAME, its own target directory under target/apps.
rust_app() {
  local name=$1 crate=$2
  echo "== $name: cargo build --target wasm32-wasip1"
  cargo build --release -q --target wasm32-wasip1 \
    --manifest-path "examples/$name/Cargo.toml" --target-dir "$OUT/build-$name"
  cp "$OUT/build-$name/wasm32-wasip1/release/$crate.wasm" "examples/$name/package/app.wasm"
}

c_app() {
  local name=$1 src=$2
  echo "== $name: clang --target=wasm32-wasi"
  clang --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror \
    -I crates/kpio-guest/include -o "examples/$name/package/app.wasm" "examples/$name/$src"
}

pack() {
  local name=$1
  python3 scripts/check-imports.py "examples/$name/package/app.wasm"
  "$KPIO" pack "examples/$name/package" -o "$OUT/$name.kpioapp"
  built+=("$name")
}

rust_app calculator calculator && pack calculator
rust_app text-viewer text-viewer && pack text-viewer
c_app c-paint paint.c && pack c-paint
rust_app hello-world hello-world && pack hello-world

echo "== built"
for name in "${built[@]}"; do
  wasm=$(stat -c %s "examples/$name/package/app.wasm")
  app=$(stat -c %s "$OUT/$name.kpioapp")
  printf '  %-34s %8d bytes (app.wasm %d bytes)\n' "$OUT/$name.kpioapp" "$app" "$wasm"
done
if python3 -c 'import wasmtime' 2>/dev/null; then
  echo "== smoke test against a stub host (scripts/smoke-apps.py)"
  python3 scripts/smoke-apps.py
fi
echo "install one with: $KPIO install $OUT/calculator.kpioapp"

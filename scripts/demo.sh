#!/usr/bin/env bash
# The main job, on a fresh machine: build the hello-world app for WASI, pack it into a
# .kpioapp, install it into KPIO_HOME (default: the user's data directory) and run it.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip1 >/dev/null
cargo build --release -q -p kpio-cli
KPIO=target/release/kpio

echo "== building examples/hello-world for wasm32-wasip1"
cargo build --release -q --target wasm32-wasip1 --manifest-path examples/hello-world/Cargo.toml \
  --target-dir target/examples
cp target/examples/wasm32-wasip1/release/hello-world.wasm examples/hello-world/package/app.wasm

echo "== kpio pack"
"$KPIO" pack examples/hello-world/package -o target/hello-world.kpioapp
echo "== kpio install"
"$KPIO" install --yes --force target/hello-world.kpioapp
echo "== kpio list"
"$KPIO" list
echo "== kpio run com.kpio.hello -- from the demo"
"$KPIO" run com.kpio.hello -- from the demo

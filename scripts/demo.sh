#!/usr/bin/env bash
# The main job, on a fresh machine: build the demo apps from source (hello-world, the
# calculator, the text viewer, paint in C), pack them into .kpioapp packages, install them
# into KPIO_HOME (default: the user's data directory), run hello-world, and open the KPIO
# desktop. Without a display it runs the desktop headless through a short tour and writes
# screenshots into target/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip1 >/dev/null
# Paint is a C app: clang + lld + wasi-libc (Debian packages).
if ! { command -v clang >/dev/null && [ -f /usr/lib/wasm32-wasi/libc.a ] \
       && ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; }; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang lld wasi-libc libclang-rt-dev-wasm32 >/dev/null
fi

bash scripts/build-apps.sh
KPIO="${CARGO_TARGET_DIR:-target}/release/kpio"

echo "== kpio install (--yes approves each app's permissions; without it kpio asks)"
for app in hello-world calculator text-viewer c-paint; do
  "$KPIO" install --yes --force "target/apps/$app.kpioapp"
done
echo "== kpio list"
"$KPIO" list
echo "== kpio run com.kpio.hello -- from the demo"
"$KPIO" run com.kpio.hello -- from the demo

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "== kpio desktop (close the window to end)"
  exec "$KPIO" desktop
fi
echo "== no display: the desktop runs headless through scripts/desktop-tour.script"
"$KPIO" desktop --headless --script scripts/desktop-tour.script
echo "screenshots: target/demo/*.png (to open the desktop in a window, run \`$KPIO desktop\`"
echo "on a machine with a display, or \`xvfb-run -a $KPIO desktop\` with a VNC viewer attached)"

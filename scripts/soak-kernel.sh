#!/usr/bin/env bash
# The kernel's soak gate: boots the KPIO desktop under QEMU and keeps it running apps for
# 30 minutes (or $1 seconds): round after round the calculator computes 7 x 6 = 42 and the
# text viewer opens, scrolls and closes, beside an app that loops forever; any fault, panic
# or failed app fails it. Run by hand; the result goes in docs/kernel.md. CI runs the same
# test for 60 seconds (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
KPIO_SOAK_SECS="${1:-1800}" cargo test -p kpio-cli --test kernel_qemu \
  the_desktop_keeps_running_apps_without_a_fault -- --nocapture

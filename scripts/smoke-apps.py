#!/usr/bin/env python3
"""Runs the built demo apps against a stub KPIO host and checks what they draw.

Usage: scripts/smoke-apps.py   (after scripts/build-apps.sh; needs `pip install wasmtime`)

The stub implements the kpio_gui / kpio_system imports the apps use, following the
ABI of crates/kpio-guest/include/kpio.h: it records every drawing call, measures text
as 0.6 x size px per character, answers poll_event from a script (0 when the script
is empty and timeout is 0; a close event when it is empty and the app waits), and
keeps each frame's calls at request_frame. It checks the apps' wasm and their use of
the ABI before the real host and desktop exist; it is no substitute for the desktop's
end-to-end tests.
"""
import os
import struct
import sys
import tempfile

import wasmtime as wt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHAR_W = 0.6
KEY_DOWN, MOUSE_MOVE, MOUSE_DOWN, MOUSE_UP, RESIZE = 1, 3, 4, 5, 7
ENTER, PAGE_DOWN, END = 13, 0x110006, 0x110008


def run(app, events, preopen=None):
    """Runs examples/APP/package/app.wasm with scripted events; returns its frames."""
    engine = wt.Engine()
    store = wt.Store(engine)
    wasi = wt.WasiConfig()
    wasi.inherit_stderr()
    if preopen:
        wasi.preopen_dir(preopen, "/")
    store.set_wasi(wasi)
    linker = wt.Linker(engine)
    linker.define_wasi()
    i32, i64 = wt.ValType.i32(), wt.ValType.i64()
    events, ops, frames, creates = list(events), [], [], []

    def read(c, p, n):
        return bytes(c["memory"].read(store, p, p + n))

    def text(c, p, n):
        return read(c, p, n).decode()

    def define(module, name, nparams, f, result=None):
        ty = wt.FuncType([i32] * nparams, [result or i32])
        linker.define_func(module, name, ty, f, access_caller=True)

    def create_window(c, tp, tl, w, h):
        creates.append((text(c, tp, tl), w, h))
        return 1

    def draw_text(c, w, x, y, p, n, size, argb):
        t = text(c, p, n)
        ops.append(("text", x, y, t, size))
        return int(len(t) * size * CHAR_W)

    def draw_image(c, w, x, y, iw, ih, p, n):
        if n != iw * ih * 4:
            return -2
        ops.append(("image", x, y, iw, ih, read(c, p, n)))
        return 0

    def request_frame(c, w):
        start = max((i for i, o in enumerate(ops) if o[0] == "clear"), default=0)
        frames.append(ops[start:])
        return 0

    def poll_event(c, w, p, timeout):
        if not events:
            if timeout == 0:
                return 0
            ev = (6, 0, 0, 0, 0, 0)
        else:
            ev = events.pop(0)
        c["memory"].write(store, struct.pack("<IIiiII", *ev), p)
        return 1

    define("kpio_gui", "create_window", 4, create_window)
    define("kpio_gui", "close_window", 1, lambda c, w: 0)
    define("kpio_gui", "set_title", 3, lambda c, w, p, n: 0)
    define("kpio_gui", "clear", 2, lambda c, w, a: ops.append(("clear",)) or 0)
    define("kpio_gui", "draw_rect", 6, lambda c, *a: ops.append(("rect",) + a[1:]) or 0)
    define("kpio_gui", "draw_line", 6, lambda c, *a: ops.append(("line",) + a[1:]) or 0)
    define("kpio_gui", "draw_text", 7, draw_text)
    define("kpio_gui", "measure_text", 3,
           lambda c, p, n, size: int(len(text(c, p, n)) * size * CHAR_W))
    define("kpio_gui", "draw_image", 7, draw_image)
    define("kpio_gui", "request_frame", 1, request_frame)
    define("kpio_gui", "poll_event", 3, poll_event)
    define("kpio_system", "log", 3, lambda c, lvl, p, n: 0)
    define("kpio_system", "get_time", 0, lambda c: 0, i64)
    module = wt.Module.from_file(engine, os.path.join(ROOT, "examples", app, "package/app.wasm"))
    instance = linker.instantiate(store, module)
    try:
        instance.exports(store)["_start"](store)
    except wt.ExitTrap as e:
        assert e.code == 0, f"{app} exited with {e.code}"
    return creates, frames


def texts(frame):
    return [o[3] for o in frame if o[0] == "text"]


def keys(s):
    return [(KEY_DOWN, ENTER if c == "\n" else ord(c), 0, 0, 0, 0) for c in s]


def check(what, got, want):
    status = "ok" if got == want else "FAILED"
    print(f"  {status}: {what}: {got!r}" + ("" if got == want else f", expected {want!r}"))
    return got == want


def calculator():
    creates, frames = run("calculator", [])
    ok = check("window", creates, [("Calculator", 300, 400)])
    # Click the keys where the first frame drew their labels.
    where = {o[3]: o for o in frames[0] if o[0] == "text"}
    clicks = []
    for label in ["1", "+", "2", "="]:
        _, x, y, t, size = where[label]
        x, y = x + int(len(t) * size * CHAR_W) // 2, y + size // 2
        clicks += [(MOUSE_DOWN, 0, x, y, 0, 0), (MOUSE_UP, 0, x, y, 0, 0)]
    ok &= check("click 1 + 2 =", texts(run("calculator", clicks)[1][-1])[0], "3")
    for typed, shown in [("0.1+0.2\n", "0.3"), ("1/3=", "0.333333333333"),
                         ("2/3=", "0.666666666667"), ("1+2*3=", "9"), ("7/0=", "Error")]:
        ok &= check(f"type {typed!r}", texts(run("calculator", keys(typed))[1][-1])[0], shown)
    return ok


def text_viewer():
    data = os.path.join(ROOT, "examples/text-viewer/package/data")
    creates, frames = run("text-viewer", [], preopen=data)
    ok = check("window", creates, [("Text Viewer", 640, 480)])
    numbers = [t for t in texts(frames[-1]) if t.isdigit()]
    ok &= check("first line number", numbers[0], "1")
    page = len(numbers)
    _, frames = run("text-viewer", [(KEY_DOWN, PAGE_DOWN, 0, 0, 0, 0)], preopen=data)
    ok &= check("PageDown: first line", [t for t in texts(frames[-1]) if t.isdigit()][0], str(page))
    _, frames = run("text-viewer", [(KEY_DOWN, END, 0, 0, 0, 0)], preopen=data)
    lines = open(os.path.join(data, "sample.txt"), encoding="utf-8").read().count("\n")
    ok &= check("End: last line", [t for t in texts(frames[-1]) if t.isdigit()][-1], str(lines))
    with tempfile.TemporaryDirectory() as empty:
        _, frames = run("text-viewer", [], preopen=empty)
        ok &= check("missing file", texts(frames[-1])[0], "Cannot show /sample.txt")
    return ok


def paint():
    strokes = [(MOUSE_DOWN, 0, 100, 100, 0, 0), (MOUSE_MOVE, 0, 200, 150, 0, 0),
               (MOUSE_UP, 0, 200, 150, 0, 0)]
    creates, frames = run("c-paint", strokes)
    ok = check("window", creates, [("Paint", 480, 360)])
    image = [o for o in frames[-1] if o[0] == "image"][0][5]
    dark = sum(1 for i in range(0, len(image), 4) if image[i] < 0x40)
    ok &= check("a stroke was painted", dark > 500, True)
    _, frames = run("c-paint", strokes + keys("c"))
    image = [o for o in frames[-1] if o[0] == "image"][0][5]
    ok &= check("C clears", sum(1 for i in range(0, len(image), 4) if image[i] < 0x40), 0)
    return ok


if __name__ == "__main__":
    ok = True
    for name, f in [("calculator", calculator), ("text-viewer", text_viewer), ("c-paint", paint)]:
        print(f"== {name} (stub host)")
        ok &= f()
    sys.exit(0 if ok else 1)

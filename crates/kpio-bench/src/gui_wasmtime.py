"""The wasmtime peer of `kpio-bench gui`'s cold start (see gui.rs).

    python3 gui_wasmtime.py APP.wasm RUNS

Per run, with a fresh engine (no compilation cache): compiles the module, links WASI and
no-op `kpio_*` imports (create_window gives handle 1, text calls report a width, the rest
return 0), instantiates it and calls `_start` until the app's first `request_frame`.
Prints `FIRST_FRAME <seconds>` per run. No window exists and nothing is drawn, so this is
the engine's share of a cold start, not a desktop's.
"""

import sys
import time

import wasmtime


class FirstFrame(Exception):
    pass


def stub(name, ty):
    results = list(ty.results)

    def f(*args):
        if name == "request_frame":
            raise FirstFrame()
        if name == "create_window":
            return 1
        if name in ("measure_text", "draw_text"):
            # (text ptr, len, size) or (win, x, y, ptr, len, size, argb): len * size / 2
            n, size = (args[1], args[2]) if name == "measure_text" else (args[4], args[5])
            return n * size // 2
        if name in ("get_time", "get_monotonic"):
            return time.time_ns()
        if not results:
            return None
        return 0

    return f


def first_frame(wasm):
    t0 = time.perf_counter()
    engine = wasmtime.Engine()
    module = wasmtime.Module(engine, wasm)
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    for imp in module.imports:
        if imp.module.startswith("kpio_"):
            linker.define_func(imp.module, imp.name, imp.type, stub(imp.name, imp.type))
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    try:
        start(store)
    except FirstFrame:
        return time.perf_counter() - t0
    except Exception as e:  # wasmtime may wrap the host exception in a trap
        if "FirstFrame" in repr(e) or isinstance(e.__cause__, FirstFrame):
            return time.perf_counter() - t0
        raise
    raise SystemExit("the app returned without requesting a frame")


def main():
    wasm = open(sys.argv[1], "rb").read()
    for _ in range(int(sys.argv[2])):
        print(f"FIRST_FRAME {first_frame(wasm):.6f}", flush=True)


if __name__ == "__main__":
    main()

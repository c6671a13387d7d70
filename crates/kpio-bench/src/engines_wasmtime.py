"""The wasmtime peer of `kpio-bench`'s engines table (see wasmtime_peer.rs).

    python3 engines_wasmtime.py probe
    python3 engines_wasmtime.py run WASM EXPORT ARG RUNS
    python3 engines_wasmtime.py startup WASM RUNS

Prints one JSON object per line on stdout, and nothing else:

- `probe`: {"wasmtime": VERSION, "python": VERSION}, or, when the `wasmtime` module cannot
  be imported, {"unavailable": WHY} (exit status 0 either way: a missing peer is not an
  error, kpio-bench leaves its column empty).
- `run`: per run, {"run": I, "compile_ns": N, "call_ns": N, "result": I64}. Each run uses a
  fresh engine (wasmtime's Python API has no compilation cache unless asked for one), so
  `compile_ns` is a cold `Module(engine, wasm)`: a full Cranelift compile of every function.
  Instantiation is not timed; `call_ns` is the call of the export alone, as in the Rust
  runners of engines.rs. The export must be `(i32) -> i64`.
- `startup`: per run, {"run": I, "compile_ns": N, "instantiate_ns": N, "call_ns": N}, fresh
  engine each run; `call_ns` is the call of the module's trivial export `first` (`() -> i32`,
  returns 42), so the three add up to the time to the first executed instruction.

Errors (a trap, a missing export) go to stderr with a non-zero exit status.
"""

import json
import platform
import sys
import time


def emit(obj):
    print(json.dumps(obj, separators=(",", ":")), flush=True)


def probe():
    try:
        import wasmtime  # noqa: F401
        from importlib.metadata import version
    except ImportError as e:
        emit({"unavailable": f"python3 cannot import wasmtime ({e}); pip install wasmtime==50.0.1"})
        return
    try:
        v = version("wasmtime")
    except Exception:  # installed without metadata (e.g. a copied tree)
        v = "unknown"
    emit({"wasmtime": v, "python": platform.python_version()})


def compile_module(wasmtime, wasm):
    """A fresh engine and a timed `Module` creation: (engine, module, nanoseconds)."""
    engine = wasmtime.Engine()
    t = time.perf_counter_ns()
    module = wasmtime.Module(engine, wasm)
    return engine, module, time.perf_counter_ns() - t


def run(wasm_path, export, arg, runs):
    import wasmtime

    wasm = open(wasm_path, "rb").read()
    for i in range(runs):
        engine, module, compile_ns = compile_module(wasmtime, wasm)
        store = wasmtime.Store(engine)
        instance = wasmtime.Instance(store, module, [])
        func = instance.exports(store).get(export)
        if not isinstance(func, wasmtime.Func):
            raise SystemExit(f"wasmtime: no exported function `{export}`")
        ty = func.type(store)
        if [str(p) for p in ty.params] != ["i32"] or [str(r) for r in ty.results] != ["i64"]:
            raise SystemExit(f"wasmtime: `{export}` is {ty.params} -> {ty.results}, expected (i32) -> i64")
        t = time.perf_counter_ns()
        result = func(store, arg)
        call_ns = time.perf_counter_ns() - t
        emit({"run": i, "compile_ns": compile_ns, "call_ns": call_ns, "result": result})


def startup(wasm_path, runs):
    import wasmtime

    wasm = open(wasm_path, "rb").read()
    for i in range(runs):
        engine, module, compile_ns = compile_module(wasmtime, wasm)
        store = wasmtime.Store(engine)
        t = time.perf_counter_ns()
        instance = wasmtime.Instance(store, module, [])
        instantiate_ns = time.perf_counter_ns() - t
        first = instance.exports(store).get("first")
        if not isinstance(first, wasmtime.Func):
            raise SystemExit("wasmtime: no exported function `first`")
        t = time.perf_counter_ns()
        result = first(store)
        call_ns = time.perf_counter_ns() - t
        if result != 42:
            raise SystemExit(f"wasmtime: `first` returned {result}, expected 42")
        del instance
        emit({"run": i, "compile_ns": compile_ns, "instantiate_ns": instantiate_ns, "call_ns": call_ns})


def main():
    args = sys.argv[1:]
    if args == ["probe"]:
        probe()
    elif len(args) == 5 and args[0] == "run":
        run(args[1], args[2], int(args[3]), int(args[4]))
    elif len(args) == 3 and args[0] == "startup":
        startup(args[1], int(args[2]))
    else:
        raise SystemExit(f"usage: engines_wasmtime.py probe | run WASM EXPORT ARG RUNS | startup WASM RUNS (got {args})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs a table64 scenario under wasmtime (the PyPI `wasmtime` package, memory64 on, which
includes 64-bit tables) and prints its transcript; the differential test table64_diff.rs
prints kpio's and compares them.

    wasmtime_table64.py SPEC.json

SPEC: {"modules": [{"wasm": PATH, "name": NAME}, ...], "calls": [{"module": NAME,
"export": E, "args": [[TYPE, VALUE], ...]}, ...]}. Modules are instantiated in order, each
with the exports of the modules before it (that instantiated) under their NAMEs. One line
per module, then one per call:

    instantiate NAME ok | trap KIND | error    (error: not linkable)
    E(ARGS) = RESULTS                          returned
    E(ARGS) trap KIND                          a trap

Values are integers in decimal. KIND is `table out of bounds` (an index, range or segment
outside a table, including `call_indirect`'s), `null` (`call_indirect` of a null entry),
`signature` (of another type) or `other`.
"""

import json
import sys

import wasmtime

TRAPS = {
    wasmtime.TrapCode.TABLE_OUT_OF_BOUNDS: "table out of bounds",
    wasmtime.TrapCode.INDIRECT_CALL_TO_NULL: "null",
    wasmtime.TrapCode.BAD_SIGNATURE: "signature",
}


def main():
    spec = json.load(open(sys.argv[1]))
    config = wasmtime.Config()
    config.wasm_memory64 = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    instances = {}
    for m in spec["modules"]:
        module = wasmtime.Module.from_file(engine, m["wasm"])
        try:
            inst = linker.instantiate(store, module)
        except wasmtime.Trap as t:
            print("instantiate", m["name"], "trap", TRAPS.get(t.trap_code, "other"))
            continue
        except wasmtime.WasmtimeError:
            print("instantiate", m["name"], "error")
            continue
        print("instantiate", m["name"], "ok")
        instances[m["name"]] = inst
        linker.define_instance(store, m["name"], inst)

    for c in spec["calls"]:
        f = instances[c["module"]].exports(store)[c["export"]]
        args = [a[1] for a in c["args"]]
        head = "%s(%s)" % (c["export"], " ".join(str(a) for a in args))
        n = len(f.type(store).results)
        try:
            out = f(store, *args)
        except wasmtime.Trap as t:
            print(head, "trap", TRAPS.get(t.trap_code, "other"))
            continue
        vals = [] if n == 0 else [out] if n == 1 else list(out)
        print(head, "=", " ".join(str(v) for v in vals))


main()

#!/usr/bin/env python3
"""Runs an exception-handling scenario under wasmtime (the PyPI `wasmtime` package) and prints
its transcript; the differential test exceptions_diff.rs prints kpio's and compares them.

    wasmtime_exceptions.py SPEC.json

SPEC: {"modules": [{"wasm": PATH, "name": NAME}, ...], "calls": [{"module": I, "export": E,
"args": [[TYPE, VALUE], ...]}, ...]}. Modules are instantiated in order; each may import
"host" "callback" (i32) -> i32, which calls export "callback_target" of module 0 and passes
an exception that leaves it on into the calling wasm (as kpio's host boundary does), and
the exports of the modules before it under their NAMEs. One line per call:

    E(ARGS) = RESULTS            returned
    E(ARGS) exception TAG PAYLOAD   an uncaught exception; TAG is NAME.EXPORT of the tag
    E(ARGS) trap KIND            a trap

Values: integers in decimal, floats as their bit patterns in hex, references as `null` or
`ref`. wasmtime-py's host-function trampoline turns every Python exception into a new trap,
so the callback's exception is passed on through the C API (take the pending exception,
set it again, return the trap that says so) by a wrapper around the trampoline.
"""

import ctypes
import json
import struct
import sys

import wasmtime
import wasmtime._func as wf
from wasmtime import _ffi as ffi


class Rethrow(Exception):
    """Raised by a host function to pass on the store's pending wasm exception."""


_original_trampoline = wf.trampoline


@ffi.wasmtime_func_callback_t
def _trampoline(idx, caller, params, nparams, results, nresults):
    r = _original_trampoline(idx, caller, params, nparams, results, nresults)
    if r and isinstance(wf.LAST_EXCEPTION, Rethrow):
        wf.LAST_EXCEPTION = None
        ffi.wasm_trap_delete(ctypes.cast(r, ctypes.POINTER(ffi.wasm_trap_t)))
        ctx = ffi.wasmtime_caller_context(caller)
        exn = ffi.wasmtime_exnref_t()
        if not ffi.wasmtime_context_take_exception(ctx, ctypes.byref(exn)):
            raise SystemExit("rethrow without a pending exception")
        trap = ffi.wasmtime_context_set_exception(ctx, ctypes.byref(exn))
        return ctypes.cast(trap, ctypes.c_void_p).value or 0
    return r


wf.trampoline = _trampoline

TRAPS = {
    wasmtime.TrapCode.UNREACHABLE: "unreachable",
    wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO: "integer divide by zero",
    wasmtime.TrapCode.INTEGER_OVERFLOW: "integer overflow",
    wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS: "out of bounds memory access",
    wasmtime.TrapCode.STACK_OVERFLOW: "call stack exhausted",
    wasmtime.TrapCode.NULL_REFERENCE: "null reference",
}


def fmt(ty, v):
    k = str(ty)
    if k in ("i32", "i64"):
        return str(v)
    if k == "f32":
        return hex(struct.unpack("<I", struct.pack("<f", v))[0])
    if k == "f64":
        return hex(struct.unpack("<Q", struct.pack("<d", v))[0])
    return "null" if v is None else "ref"


def main():
    spec = json.load(open(sys.argv[1]))
    config = wasmtime.Config()
    config.wasm_exceptions = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    instances = []

    def callback(x):
        target = instances[0].exports(store)["callback_target"]
        try:
            return target(store, x)
        except wasmtime.Trap:
            if ffi.wasmtime_context_has_exception(store._context()):
                raise Rethrow()
            raise

    i32 = wasmtime.ValType.i32()
    linker.define(store, "host", "callback",
                  wasmtime.Func(store, wasmtime.FuncType([i32], [i32]), callback))
    tags = []  # (NAME.EXPORT, Tag)
    for m in spec["modules"]:
        module = wasmtime.Module.from_file(engine, m["wasm"])
        inst = linker.instantiate(store, module)
        instances.append(inst)
        linker.define_instance(store, m["name"], inst)
        for name, item in inst.exports(store).items():
            if isinstance(item, wasmtime.Tag):
                tags.append((m["name"] + "." + name, item))

    for c in spec["calls"]:
        f = instances[c["module"]].exports(store)[c["export"]]
        args = [a[1] for a in c["args"]]
        head = "%s(%s)" % (c["export"], " ".join(str(a) for a in args))
        results = [r for r in f.type(store).results]
        try:
            out = f(store, *args)
            if len(results) == 0:
                vals = []
            elif len(results) == 1:
                vals = [out]
            else:
                vals = list(out)
            print(head, "=", " ".join(fmt(t, v) for t, v in zip(results, vals)))
        except wasmtime.Trap as t:
            ctx = store._context()
            if ffi.wasmtime_context_has_exception(ctx):
                exn = ffi.wasmtime_exnref_t()
                ffi.wasmtime_context_take_exception(ctx, ctypes.byref(exn))
                tag_raw = ffi.wasmtime_tag_t()
                ffi.wasmtime_exnref_tag(ctx, ctypes.byref(exn), ctypes.byref(tag_raw))
                tag = wasmtime.Tag._from_raw(tag_raw)
                name = next((n for n, t in tags if t.eq(store, tag)), "?")
                ty = tag.type(store)
                fields = []
                for i in range(ffi.wasmtime_exnref_field_count(ctx, ctypes.byref(exn))):
                    v = ffi.wasmtime_val_t()
                    ffi.wasmtime_exnref_field(ctx, ctypes.byref(exn), i, ctypes.byref(v))
                    fields.append(fmt(ty.functype.params[i], wasmtime.Val._from_raw(store, v).value))
                ffi.wasmtime_exnref_unroot(ctypes.byref(exn))
                print(head, "exception", name, " ".join(fields))
            else:
                print(head, "trap", TRAPS.get(t.trap_code, "other"))


main()

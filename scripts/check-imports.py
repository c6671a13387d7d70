#!/usr/bin/env python3
"""Checks a KPIO app's wasm imports against the host ABI.

Usage: scripts/check-imports.py APP.wasm...

The ABI is read from crates/kpio-guest/include/kpio.h (every KPIO_IMPORT declaration;
the kpio-guest tests hold the header to the SDK's abi::IMPORTS table). Every import
from a kpio_* module must be one of the ABI's functions with exactly its signature;
other imports must come from wasi_snapshot_preview1. Prints the host functions each
module uses; exits 1 on the first module with a problem.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(ROOT, "crates/kpio-guest/include/kpio.h")
I32, I64 = "i32", "i64"


def abi_from_header():
    text = open(HEADER, encoding="utf-8").read()
    abi = {}
    pattern = re.compile(r'KPIO_IMPORT\("(\w+)", "(\w+)"\)\s*([^;]+);')
    for module, name, decl in pattern.findall(text):
        ret, params = decl.split("(", 1)
        params = params.rsplit(")", 1)[0].strip()

        def ty(t):
            t = t.strip()
            if "*" in t or t.startswith(("int32_t", "uint32_t")):
                return I32
            if t.startswith("int64_t"):
                return I64
            raise SystemExit(f"kpio.h: {name}: type {t!r} is not an ABI type")

        ps = [] if params == "void" else [ty(p) for p in params.split(",")]
        abi[(module, name)] = (tuple(ps), (ty(ret.rsplit(" ", 1)[0]),))
    if not abi:
        raise SystemExit("kpio.h declares no imports")
    return abi


class Reader:
    def __init__(self, b, pos=0):
        self.b, self.pos = b, pos

    def byte(self):
        self.pos += 1
        return self.b[self.pos - 1]

    def leb(self):
        r = shift = 0
        while True:
            b = self.byte()
            r |= (b & 0x7F) << shift
            if b < 0x80:
                return r
            shift += 7

    def name(self):
        n = self.leb()
        s = self.b[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return s

    def valtypes(self):
        names = {0x7F: I32, 0x7E: I64, 0x7D: "f32", 0x7C: "f64", 0x7B: "v128"}
        return tuple(names.get(self.byte(), "ref") for _ in range(self.leb()))

    def limits(self):
        flags = self.byte()
        self.leb()
        if flags & 1:
            self.leb()


def function_imports(path):
    b = open(path, "rb").read()
    if b[:8] != b"\0asm\x01\0\0\0":
        raise SystemExit(f"{path}: not a wasm module")
    r = Reader(b, 8)
    types, imports = [], []
    while r.pos < len(b):
        sid, size = r.byte(), r.leb()
        end = r.pos + size
        if sid == 1:
            for _ in range(r.leb()):
                if r.byte() != 0x60:
                    raise SystemExit(f"{path}: a non-function type")
                types.append((r.valtypes(), r.valtypes()))
        elif sid == 2:
            for _ in range(r.leb()):
                module, name, kind = r.name(), r.name(), r.byte()
                if kind == 0:
                    imports.append((module, name, types[r.leb()]))
                elif kind == 1:
                    r.byte()
                    r.limits()
                elif kind == 2:
                    r.limits()
                elif kind == 3:
                    r.byte()
                    r.byte()
                else:
                    r.byte()
                    r.leb()
        r.pos = end
    return imports


def main(paths):
    if not paths:
        raise SystemExit(__doc__)
    abi = abi_from_header()
    ok = True
    for path in paths:
        problems, used = [], []
        for module, name, sig in function_imports(path):
            if module.startswith("kpio_"):
                want = abi.get((module, name))
                if want is None:
                    problems.append(f"{module}.{name} is not in the ABI")
                elif want != sig:
                    problems.append(f"{module}.{name}{sig} but the ABI says {want}")
                else:
                    used.append(f"{module}.{name}")
            elif module != "wasi_snapshot_preview1":
                problems.append(f"{module}.{name}: unknown import module {module!r}")
        if problems:
            ok = False
            print(f"{path}: FAILED")
            for p in problems:
                print(f"  {p}")
        else:
            print(f"{path}: ok, {len(used)} host functions: {' '.join(sorted(used))}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main(sys.argv[1:])

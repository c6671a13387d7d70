#!/usr/bin/env python3
"""Runs a WASI preview 1 command module the way `wasmtime run` does, through the PyPI
`wasmtime` package (wasmtime-py over the prebuilt libwasmtime). The differential WASI test
(wasi_diff.rs) uses it as the oracle that `kpio run` must match.

    wasmtime_run.py [--dir HOST[::GUEST]]... [--env NAME=VALUE]... MODULE [ARGS...]

Same option syntax as `kpio run`/`wasmtime run`: options stop at MODULE, everything after it
goes to the guest. argv[0] is MODULE as written. stdin, stdout and stderr are this process's.
Exit status, as `wasmtime run` on Unix: the guest's `proc_exit` status, 0 when `_start`
returns, 134 (128 + SIGABRT) after a trap, 1 for any other error (an invalid module, a link
error, a `--dir` that does not exist).
"""

import os
import sys

TRAP_STATUS = 134


def usage(message):
    sys.stderr.write(f"wasmtime_run.py: {message}\n")
    sys.exit(2)


def parse(argv):
    dirs, envs = [], []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--dir", "--env"):
            if i + 1 >= len(argv):
                usage(f"{a} needs a value")
            (dirs if a == "--dir" else envs).append(argv[i + 1])
            i += 2
        elif a.startswith("--dir="):
            dirs.append(a[len("--dir="):])
            i += 1
        elif a.startswith("--env="):
            envs.append(a[len("--env="):])
            i += 1
        elif a == "--":
            i += 1
            break
        elif a.startswith("-"):
            usage(f"unknown option {a}")
        else:
            break
    if i >= len(argv):
        usage("no module given")
    return dirs, envs, argv[i], argv[i + 1:]


def main():
    try:
        import wasmtime
    except ImportError:
        sys.stderr.write(
            "wasmtime_run.py: the Python package `wasmtime` is missing; install it with\n"
            "    python3 -m pip install wasmtime\n"
        )
        return 3
    dirs, envs, module_path, args = parse(sys.argv[1:])

    config = wasmtime.WasiConfig()
    config.argv = [module_path] + args
    pairs = []
    for e in envs:
        if "=" in e:
            k, v = e.split("=", 1)
        elif e in os.environ:
            # `--env NAME` passes the host's value on, as `wasmtime run` does.
            k, v = e, os.environ[e]
        else:
            sys.stderr.write(f"wasmtime_run.py: --env {e}: not set in this environment\n")
            return 1
        pairs.append((k, v))
    config.env = pairs
    for spec in dirs:
        host, _, guest = spec.partition("::")
        if not guest:
            guest = host
        if not os.path.isdir(host):
            sys.stderr.write(f"wasmtime_run.py: --dir {spec}: not a directory\n")
            return 1
        config.preopen_dir(host, guest)
    config.inherit_stdin()
    config.inherit_stdout()
    config.inherit_stderr()

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    try:
        module = wasmtime.Module.from_file(engine, module_path)
        instance = linker.instantiate(store, module)
        start = instance.exports(store)["_start"]
        start(store)
    except wasmtime.ExitTrap as e:
        return e.code
    except wasmtime.Trap as e:
        sys.stderr.write(f"Error: {e}\n")
        return TRAP_STATUS
    except wasmtime.WasmtimeError as e:
        sys.stderr.write(f"Error: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    code = main()
    # The guest wrote straight to file descriptors 1 and 2; nothing buffered here to flush
    # except our own messages.
    sys.stderr.flush()
    os._exit(code)

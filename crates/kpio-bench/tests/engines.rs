//! `kpio-bench` (the engines group) runs end to end with tiny sizes: every program on the
//! three kpio tiers (interpreter, tiered, JIT-only) with each result checked against the
//! native one by the harness, and startup with its time to first instruction. Only that it
//! runs, agrees and reports is checked; the times are not (no timed assertions).
//!
//! wasmi and wasmtime are skipped: wasmi needs the optimised build for its stack depth, and
//! wasmtime needs python3 with the PyPI package.

use std::process::Command;

fn bench(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_kpio-bench"))
        .args([
            "--runs",
            "1",
            "--skip-wasmi",
            "--skip-wasmtime",
            "--markdown",
        ])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "kpio-bench {args:?} failed:\n{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

#[test]
fn programs_agree_on_every_tier() {
    let out = bench(&[
        "--skip-startup",
        "--size",
        "fib=15",
        "--size",
        "sha256=1",
        "--size",
        "coremark=2",
        "--size",
        "nbody=500",
        "--size",
        "sort=2000",
        "--size",
        "matmul=1",
        "--size",
        "bits=2000",
    ]);
    for row in [
        "| fib(15) ",
        "| bits(2000) ",
        "| kpio interp ms | kpio tiered ms | kpio jit ms |",
        "| interp/tiered |",
        "target, tiered at least 5x faster than the interpreter on every program:",
        "target, tiered geomean within 1.15x of wasmtime's call: not measured",
    ] {
        assert!(out.contains(row), "no {row:?} in:\n{out}");
    }
    // Every program row ends with the harness's check against native.
    let checks = out.lines().filter(|l| l.ends_with("|    ok |")).count();
    assert_eq!(checks, 7, "{out}");
}

#[test]
fn startup_reaches_the_first_instruction_on_both_kpio_engines() {
    let out = bench(&["--filter", "startup", "--startup-mb", "0.3"]);
    for row in [
        "| time to first instruction ",
        "| first call (trivial export) ",
        "target, tiered time to first instruction within 1.1x of the interpreter-only engine's:",
    ] {
        assert!(out.contains(row), "no {row:?} in:\n{out}");
    }
    let ttfi = out
        .lines()
        .find(|l| l.starts_with("| time to first instruction"))
        .unwrap();
    // kpio interp and kpio tiered measured; wasmi and wasmtime skipped.
    let cells: Vec<&str> = ttfi.split('|').map(str::trim).collect();
    assert!(cells[2].parse::<f64>().is_ok(), "{ttfi}");
    assert!(cells[3].parse::<f64>().is_ok(), "{ttfi}");
    assert_eq!(&cells[4..6], ["-", "-"], "{ttfi}");
}

//! `kpio-bench gui` runs end to end with tiny sizes: the draw_rect app in the real desktop,
//! and the calculator (built from examples/calculator) typed into and cold-started. Only
//! that it runs and reports is checked; the times are not (no timed assertions).

use std::process::Command;

fn bench(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_kpio-bench"))
        .arg("gui")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "kpio-bench gui {args:?} failed:\n{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

#[test]
fn draw_rect_runs_through_the_desktop() {
    let out = bench(&[
        "--skip-calculator",
        "--gui-calls",
        "200",
        "--gui-rounds",
        "1",
    ]);
    assert!(out.contains("16x16") && out.contains("64x64"), "{out}");
}

#[test]
fn calculator_frame_time_and_cold_start_run() {
    let out = bench(&[
        "--markdown",
        "--gui-calls",
        "100",
        "--gui-rounds",
        "1",
        "--gui-presses",
        "3",
        "--gui-launches",
        "1",
        "--skip-wasmtime",
    ]);
    for row in [
        "| desktop frame() (compose)",
        "| input -> on screen (60 Hz)",
        "| logged first frame",
        "presses shown in the first display frame after them:",
    ] {
        assert!(out.contains(row), "no {row:?} in:\n{out}");
    }
}

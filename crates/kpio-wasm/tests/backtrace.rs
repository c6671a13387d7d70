//! Trap backtraces stay bounded (issue 7, defect 6): a million-deep recursion used to keep
//! and print a million frames (123 MB of output). A trap keeps the innermost and outermost
//! `BACKTRACE_KEEP` frames and counts the rest.

use kpio_wasm::*;

const WAT: &str = r#"(module
  (func $down (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (unreachable))
      (else (i64.add (i64.const 1) (call $down (i64.sub (local.get 0) (i64.const 1)))))))
  (func $outer (export "outer") (param i64) (result i64) (call $down (local.get 0))))"#;

fn trap_at_depth(config: Config, depth: i64) -> Trap {
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = inst.get_func(&store, "outer").unwrap();
    let mut out = [Val::I64(0)];
    f.call(&mut store, &[Val::I64(depth)], &mut out)
        .unwrap_err()
}

fn name(f: &FrameInfo) -> &str {
    f.func_name.as_deref().unwrap_or("?")
}

#[test]
fn a_million_deep_recursion_keeps_64_frames() {
    // Unbounded recursion: stops at the default call-depth limit of 1,000,000, in the
    // interpreter (whose frames are not on the host stack) and in the tiered engine (whose
    // native code hands the recursion on to the interpreter near its stack budget).
    for tier in [Tier::Interp, Tier::Auto] {
        million_deep(Config {
            tier,
            ..Config::default()
        });
    }
}

fn million_deep(config: Config) {
    let t = trap_at_depth(config, i64::MAX);
    assert_eq!(t.code(), Some(TrapCode::StackExhausted));
    let bt = t.backtrace();
    assert_eq!(bt.len(), 2 * BACKTRACE_KEEP);
    let total = bt.len() + t.frames_omitted();
    assert!(total > 999_000, "{total} frames in all");
    // Innermost first, and the outermost frame is the entry function.
    assert!(bt[..bt.len() - 1].iter().all(|f| name(f) == "down"));
    assert_eq!(name(bt.last().unwrap()), "outer");

    let lines: Vec<String> = t.backtrace_lines().map(|l| l.to_string()).collect();
    assert_eq!(lines.len(), 2 * BACKTRACE_KEEP + 1);
    assert_eq!(
        lines[BACKTRACE_KEEP],
        format!("  ... {} frames omitted", t.frames_omitted())
    );
    assert!(lines[0].starts_with("    0: 0x"), "{}", lines[0]);
    let last = lines.last().unwrap();
    assert!(
        last.starts_with(&format!("  {}: 0x", total - 1)) && last.ends_with(" - outer"),
        "{last}"
    );
}

#[test]
fn a_shallow_trap_keeps_every_frame() {
    for depth in [0, 10, 2 * BACKTRACE_KEEP as i64 - 2] {
        let t = trap_at_depth(Config::default(), depth);
        assert_eq!(t.code(), Some(TrapCode::Unreachable));
        // `down` depth + 1 times, then `outer`.
        assert_eq!(t.backtrace().len(), depth as usize + 2);
        assert_eq!(t.frames_omitted(), 0);
        let lines: Vec<String> = t.backtrace_lines().map(|l| l.to_string()).collect();
        assert_eq!(lines.len(), depth as usize + 2);
        assert!(!lines.iter().any(|l| l.contains("omitted")));
    }
}

#[test]
fn one_frame_past_the_cap_omits_one() {
    // 2 * KEEP - 1 calls of `down` plus `outer` is 2 * KEEP + 1 frames.
    let t = trap_at_depth(Config::default(), 2 * BACKTRACE_KEEP as i64 - 1);
    assert_eq!(t.code(), Some(TrapCode::Unreachable));
    assert_eq!(t.backtrace().len(), 2 * BACKTRACE_KEEP);
    assert_eq!(t.frames_omitted(), 1);
    assert_eq!(name(t.backtrace().last().unwrap()), "outer");
    let lines: Vec<String> = t.backtrace_lines().map(|l| l.to_string()).collect();
    assert_eq!(lines[BACKTRACE_KEEP], "  ... 1 frame omitted");
    assert!(lines[BACKTRACE_KEEP + 1].starts_with(&format!("  {:>3}: ", BACKTRACE_KEEP + 1)));
}

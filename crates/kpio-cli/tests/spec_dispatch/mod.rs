//! The execution modes the spec-suite tests (`spec_v2`, `spec_v3`, `spec_proposals`) run
//! every script in: the interpreter on both dispatch backends (threaded dispatch and the
//! portable loop the kernel uses, `Config::dispatch`, as `kpio wast --dispatch` does), the
//! native tier alone (every function it can compile is compiled on its first call), the
//! tiered engine with a threshold of 1 (so functions tier up mid-script), and the tiered
//! engine that never compiles by call count but moves every loop it reaches into native
//! code (on-stack replacement at the first iteration), all from one build.
//! `KPIO_SPEC_MODES=threaded,jit` (any of `threaded`, `portable`, `jit`, `tiered`, `osr`) runs some
//! of them for a quicker local run. A build without threaded dispatch has only the portable
//! loop and runs it once; a build without a native tier skips `jit` and `tiered`.

use kpio_wasm::{Config, Dispatch, Engine, Tier};

/// One way of running the scripts.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    pub name: &'static str,
    pub dispatch: Dispatch,
    pub tier: Tier,
    pub jit_threshold: Option<u32>,
    pub jit_loop_threshold: Option<u32>,
}

/// The modes to run.
pub fn modes() -> Vec<Mode> {
    let engine = |m: &Mode| {
        Engine::new(Config {
            dispatch: m.dispatch,
            tier: m.tier,
            jit_threshold: m.jit_threshold.unwrap_or(100),
            jit_loop_threshold: m.jit_loop_threshold.unwrap_or(1000),
            jit_background: false,
            ..Config::default()
        })
    };
    let interp = |dispatch| {
        let mut m = Mode {
            name: "",
            dispatch,
            tier: Tier::Interp,
            jit_threshold: None,
            jit_loop_threshold: None,
        };
        m.name = engine(&m).dispatch_backend();
        m
    };
    let mut all = vec![interp(Dispatch::Auto), interp(Dispatch::Portable)];
    // Without threaded dispatch `Auto` is the portable loop: once is enough.
    all.dedup_by_key(|m| m.name);
    let native = [
        ("jit", Tier::Jit, None, None),
        ("tiered", Tier::Auto, Some(1), None),
        ("osr", Tier::Auto, Some(u32::MAX), Some(1)),
    ];
    for (name, tier, threshold, loops) in native {
        let m = Mode {
            name,
            dispatch: Dispatch::Auto,
            tier,
            jit_threshold: threshold,
            jit_loop_threshold: loops,
        };
        if engine(&m).tier() == tier {
            all.push(m);
        }
    }
    match std::env::var("KPIO_SPEC_MODES") {
        Err(_) => all,
        Ok(list) => {
            let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
            for w in &wanted {
                let known = ["threaded", "portable", "jit", "tiered", "osr"];
                assert!(
                    known.contains(w),
                    "KPIO_SPEC_MODES: unknown mode {w:?} (expected {known:?})"
                );
            }
            all.retain(|m| wanted.contains(&m.name));
            all
        }
    }
}

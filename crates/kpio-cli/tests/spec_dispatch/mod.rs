//! Which dispatch backends the spec-suite tests (`spec_v2`, `spec_v3`, `spec_proposals`)
//! run the scripts on: both, so that one build of the engine checks threaded dispatch and
//! the portable loop (`Config::dispatch`, as `kpio wast --dispatch` does), which CI
//! otherwise had to build the engine a second time for. `KPIO_SPEC_DISPATCH=auto` or
//! `=portable` runs one of them (a quicker local run); a build without threaded dispatch
//! (the `portable-dispatch` feature, or a target without it) has only the portable loop
//! and runs it once.

use kpio_wasm::{Config, Dispatch, Engine};

/// The backends to run, each with the name it reports (`"threaded"`, `"portable"`).
pub fn backends() -> Vec<(Dispatch, &'static str)> {
    let named = |d: Dispatch| {
        let engine = Engine::new(Config {
            dispatch: d,
            ..Config::default()
        });
        (d, engine.dispatch_backend())
    };
    let mut all = vec![named(Dispatch::Auto), named(Dispatch::Portable)];
    // Without threaded dispatch `Auto` is the portable loop: once is enough.
    all.dedup_by_key(|(_, name)| *name);
    match std::env::var("KPIO_SPEC_DISPATCH").as_deref() {
        Err(_) | Ok("both") => all,
        Ok("auto") => vec![named(Dispatch::Auto)],
        Ok("portable") => vec![named(Dispatch::Portable)],
        Ok(other) => panic!("KPIO_SPEC_DISPATCH={other}: expected auto, portable or both"),
    }
}

//! A readable summary of what the engine's native tier did (`--jit-stats`).

use kpio_wasm::jit::{CompileEvent, CompileReason, JitStats};
use std::collections::BTreeMap;
use std::time::Duration;

/// `NAME: native tier: N functions compiled (B bytes of code pages), M refused`, then each distinct
/// reason for refusing a function with how many functions it refused, most first.
pub fn summary(name: &str, s: &JitStats) -> String {
    let mut out = format!(
        "{name}: native tier: {} functions compiled ({} bytes of code pages), {} refused",
        s.compiled, s.compiled_bytes, s.refused
    );
    if s.osr_entries > 0 {
        out.push_str(&format!(
            ", {} frames moved into native code at a loop",
            s.osr_entries
        ));
    }
    if s.from_cache > 0 {
        out.push_str(&format!(", {} loaded from the code cache", s.from_cache));
    }
    if s.evicted > 0 {
        out.push_str(&format!(
            ", {} evicted to stay within the code budget",
            s.evicted
        ));
    }
    if s.over_budget > 0 {
        out.push_str(&format!(
            ", {} left interpreted for want of code memory",
            s.over_budget
        ));
    }
    out.push('\n');
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &s.events {
        if let Err(why) = &e.outcome {
            // The reason without its offset, so that equal reasons count together.
            let why = why.split(" at offset").next().unwrap_or(why);
            *reasons.entry(why).or_default() += 1;
        }
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (why, n) in reasons {
        out.push_str(&format!("  {n:>5}  {why}\n"));
    }
    out
}

/// How many compilations [`timeline`] lists (the first ones; a count of the rest follows).
pub const TIMELINE_LINES: usize = 20;

/// What was compiled and when, for `kpio run --jit-stats`: the total time compiling, split
/// between the thread running the program (which waited for those compilations) and the
/// background compiler, then one line per compilation (the first [`TIMELINE_LINES`]): when
/// it was done since the engine started, how long it took, on which thread, the function,
/// why and its size (or why it was not compiled). Empty without timings (an engine without
/// a clock).
pub fn timeline(s: &JitStats) -> String {
    let timed: Vec<(&CompileEvent, Duration, Duration)> = s
        .events
        .iter()
        .filter_map(|e| Some((e, e.at?, e.duration?)))
        .collect();
    if timed.is_empty() {
        return String::new();
    }
    let total = |bg: bool| -> (usize, Duration) {
        let d = timed.iter().filter(|(e, ..)| e.background == bg);
        (d.clone().count(), d.map(|(_, _, took)| *took).sum())
    };
    let ((fg_n, fg), (bg_n, bg)) = (total(false), total(true));
    let mut out = format!(
        "  compile time: {} in {} compilations ({} on the running thread: {}; {} on the \
         background compiler: {})\n",
        ms(fg + bg),
        fg_n + bg_n,
        fg_n,
        ms(fg),
        bg_n,
        ms(bg)
    );
    out.push_str("     done at       took  thread      function\n");
    for (e, at, took) in timed.iter().take(TIMELINE_LINES) {
        let name = match &e.func_name {
            Some(n) => format!("{n} (function {})", e.func_index),
            None => format!("function {}", e.func_index),
        };
        let why = match e.reason {
            CompileReason::FirstCall => "first call".to_string(),
            CompileReason::CallCount(1) => "called once".to_string(),
            CompileReason::CallCount(n) => format!("called {n} times"),
            CompileReason::Loop(at) => format!("loop at {at:#x}"),
            CompileReason::CodeCache => "from the code cache".to_string(),
        };
        let what = match &e.outcome {
            Ok(bytes) => format!("{bytes} bytes"),
            Err(why) => why.clone(),
        };
        out.push_str(&format!(
            "  {:>10} {:>10}  {:<10}  {name}: {why}, {what}\n",
            ms(*at),
            ms(*took),
            if e.background {
                "background"
            } else {
                "running"
            },
        ));
    }
    if timed.len() > TIMELINE_LINES {
        out.push_str(&format!(
            "  ... and {} more compilations\n",
            timed.len() - TIMELINE_LINES
        ));
    }
    out
}

/// Milliseconds with three significant-ish decimals.
fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kpio_wasm::jit::{CompileEvent, CompileReason};

    fn event(func_index: u32, outcome: Result<usize, String>) -> CompileEvent {
        CompileEvent {
            seq: func_index as u64,
            module: None,
            func_index,
            func_name: None,
            reason: CompileReason::FirstCall,
            outcome,
            background: false,
            duration: None,
            at: None,
        }
    }

    #[test]
    fn the_timeline_says_when_how_long_and_on_which_thread() {
        let mut fib = event(5, Ok(8192));
        fib.func_name = Some("fib".into());
        fib.reason = CompileReason::CallCount(100);
        fib.background = true;
        fib.duration = Some(Duration::from_micros(600));
        fib.at = Some(Duration::from_micros(1500));
        let mut main = event(2, Ok(4096));
        main.reason = CompileReason::Loop(0x40);
        main.duration = Some(Duration::from_micros(900));
        main.at = Some(Duration::from_micros(2500));
        let untimed = event(3, Ok(4096));
        let s = JitStats {
            events: vec![fib, main, untimed],
            ..JitStats::default()
        };
        let text = timeline(&s);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "  compile time: 1.500 ms in 2 compilations (1 on the running thread: 0.900 ms; \
                 1 on the background compiler: 0.600 ms)",
                "     done at       took  thread      function",
                "    1.500 ms   0.600 ms  background  fib (function 5): called 100 times, 8192 bytes",
                "    2.500 ms   0.900 ms  running     function 2: loop at 0x40, 4096 bytes",
            ]
        );
        assert_eq!(timeline(&JitStats::default()), "");
    }

    #[test]
    fn moves_evictions_and_compiles_over_budget_are_reported() {
        let s = JitStats {
            compiled: 9,
            evicted: 4,
            over_budget: 1,
            osr_entries: 3,
            compiled_bytes: 9 * 4096,
            ..JitStats::default()
        };
        assert_eq!(
            summary("m", &s),
            "m: native tier: 9 functions compiled (36864 bytes of code pages), 0 refused, \
             3 frames moved into native code at a loop, 4 evicted to stay within the code \
             budget, 1 left interpreted for want of code memory\n"
        );
    }

    #[test]
    fn reasons_are_counted_without_their_offsets() {
        let s = JitStats {
            compiled: 1,
            refused: 3,
            from_cache: 0,
            evicted: 0,
            over_budget: 0,
            osr_entries: 0,
            code_bytes: 0,
            compiled_bytes: 4096,
            events: vec![
                event(0, Ok(4096)),
                event(
                    1,
                    Err("not compiled natively: the TableGet operator at offset 0x10".into()),
                ),
                event(
                    2,
                    Err("not compiled natively: the TableGet operator at offset 0x22".into()),
                ),
                event(
                    3,
                    Err("not compiled natively: v128 values at offset 0x30".into()),
                ),
            ],
        };
        let text = summary("m", &s);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "m: native tier: 1 functions compiled (4096 bytes of code pages), 3 refused",
                "      2  not compiled natively: the TableGet operator",
                "      1  not compiled natively: v128 values",
            ]
        );
    }
}

//! A readable summary of what the engine's native tier did (`--jit-stats`).

use kpio_wasm::jit::JitStats;
use std::collections::BTreeMap;

/// `NAME: native tier: N functions compiled (B bytes of code pages), M refused`, then each distinct
/// reason for refusing a function with how many functions it refused, most first.
pub fn summary(name: &str, s: &JitStats) -> String {
    let mut out = format!(
        "{name}: native tier: {} functions compiled ({} bytes of code pages), {} refused",
        s.compiled, s.compiled_bytes, s.refused
    );
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
        }
    }

    #[test]
    fn evictions_and_compiles_over_budget_are_reported() {
        let s = JitStats {
            compiled: 9,
            evicted: 4,
            over_budget: 1,
            compiled_bytes: 9 * 4096,
            ..JitStats::default()
        };
        assert_eq!(
            summary("m", &s),
            "m: native tier: 9 functions compiled (36864 bytes of code pages), 0 refused, \
             4 evicted to stay within the code budget, 1 left interpreted for want of code \
             memory\n"
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

//! The wasmtime peer of the engines table: wasmtime (the PyPI `wasmtime` package, a
//! prebuilt Cranelift JIT) runs the same module through `engines_wasmtime.py`, which
//! prints one JSON object per line; this module runs the script and reads those lines.
//!
//! The peer is optional. When `python3` or its `wasmtime` module is missing, [`probe`]
//! says why and the caller leaves the column empty; only a peer that runs and then fails
//! (a trap, a wrong result) is an error of the benchmark.

use std::fmt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The script, embedded so the binary needs no source tree; run with `python3 -c`.
const SCRIPT: &str = include_str!("engines_wasmtime.py");

/// Which wasmtime answered the probe.
pub struct PeerInfo {
    pub wasmtime: String,
    pub python: String,
}

/// Asks the script whether wasmtime can run here. `Err` is a note for the report
/// (python3 missing, the module not installed), not a failure.
pub fn probe() -> Result<PeerInfo, String> {
    let out = python(&["probe"])?;
    let obj = out
        .lines()
        .next()
        .ok_or_else(|| "engines_wasmtime.py probe printed nothing".to_string())
        .and_then(|l| parse_line(l).map_err(|e| format!("engines_wasmtime.py probe: {e}")))?;
    if let Some(why) = obj.str("unavailable") {
        return Err(why.to_string());
    }
    match (obj.str("wasmtime"), obj.str("python")) {
        (Some(w), Some(p)) => Ok(PeerInfo {
            wasmtime: w.to_string(),
            python: p.to_string(),
        }),
        _ => Err(format!(
            "engines_wasmtime.py probe: unexpected output {out:?}"
        )),
    }
}

/// One run of a program: a cold compile, then (after an untimed instantiation) the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerRun {
    pub compile: Duration,
    pub call: Duration,
    pub result: i64,
}

/// The best of several [`PeerRun`]s, each minimum taken on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerMeasurement {
    /// Best time of the exported call alone (comparable with the other engines' cells).
    pub call: Duration,
    /// Best `Module` creation: wasmtime compiles every function up front.
    pub compile: Duration,
    /// Best compile + call of one run: time to result counting the up-front compile
    /// (instantiation, well under a millisecond here, is not included).
    pub to_result: Duration,
    pub result: i64,
}

/// Runs `export(arg)` `runs` times on wasmtime, a fresh engine and instance per run: the
/// best of them.
pub fn run(wasm: &Path, export: &str, arg: i32, runs: u32) -> Result<PeerMeasurement, String> {
    summarize(&self::runs(wasm, export, arg, runs)?)
}

/// Runs `export(arg)` `runs` times on wasmtime, a fresh engine and instance per run: each
/// run's times (see [`summarize`] for the best).
pub fn runs(wasm: &Path, export: &str, arg: i32, runs: u32) -> Result<Vec<PeerRun>, String> {
    let wasm = wasm.to_string_lossy();
    let out = python(&["run", &wasm, export, &arg.to_string(), &runs.to_string()])?;
    parse_runs(&out).map_err(|e| format!("engines_wasmtime.py output: {e}"))
}

/// Startup on wasmtime, best of several runs, each minimum taken on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerStartup {
    /// `Module(engine, wasm)`: a full Cranelift compile of every function.
    pub compile: Duration,
    pub instantiate: Duration,
    /// The call of the module's trivial export (`first`).
    pub first_call: Duration,
    /// The best sum of the three within one run: time to the first executed instruction.
    pub total: Duration,
}

/// Startup on wasmtime: `runs` runs, a fresh engine each run.
pub fn startup(wasm: &Path, runs: u32) -> Result<PeerStartup, String> {
    let wasm = wasm.to_string_lossy();
    let out = python(&["startup", &wasm, &runs.to_string()])?;
    parse_startup(&out)
}

/// Reads the `startup` lines and keeps the best of each column (and of their sum).
pub fn parse_startup(out: &str) -> Result<PeerStartup, String> {
    let mut best: Option<PeerStartup> = None;
    for line in out.lines() {
        let obj = parse_line(line).map_err(|e| format!("engines_wasmtime.py output: {e}"))?;
        let get = |key| obj.duration(key).map_err(|e| e.to_string());
        let (c, i, f) = (get("compile_ns")?, get("instantiate_ns")?, get("call_ns")?);
        let b = best.get_or_insert(PeerStartup {
            compile: c,
            instantiate: i,
            first_call: f,
            total: c + i + f,
        });
        b.compile = b.compile.min(c);
        b.instantiate = b.instantiate.min(i);
        b.first_call = b.first_call.min(f);
        b.total = b.total.min(c + i + f);
    }
    best.ok_or_else(|| "engines_wasmtime.py startup printed no runs".into())
}

/// Runs the script with `args`; stdout on success, else the last line of stderr.
fn python(args: &[&str]) -> Result<String, String> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .args(args)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "python3 is not on PATH".to_string(),
            _ => format!("cannot run python3: {e}"),
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().rev().find(|l| !l.trim().is_empty());
        return Err(format!(
            "{} ({})",
            last.unwrap_or("python3 failed without a message"),
            out.status
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Reads the `run` lines of the script's output.
pub fn parse_runs(out: &str) -> Result<Vec<PeerRun>, ParseError> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let obj = parse_line(l)?;
            Ok(PeerRun {
                compile: obj.duration("compile_ns")?,
                call: obj.duration("call_ns")?,
                result: obj.i64("result")?,
            })
        })
        .collect()
}

/// Best of `runs`; every run must produce the same result (as `measure` in main.rs).
pub fn summarize(runs: &[PeerRun]) -> Result<PeerMeasurement, String> {
    let first = runs.first().ok_or("wasmtime printed no runs")?;
    if let Some(r) = runs.iter().find(|r| r.result != first.result) {
        return Err(format!(
            "wasmtime: result changed between runs: {:#018x}, then {:#018x}",
            first.result, r.result
        ));
    }
    let best = |f: fn(&PeerRun) -> Duration| runs.iter().map(f).min().expect("non-empty");
    Ok(PeerMeasurement {
        call: best(|r| r.call),
        compile: best(|r| r.compile),
        to_result: best(|r| r.compile + r.call),
        result: first.result,
    })
}

// ------------------------------------------------------------ parser ----

/// A value of the script's flat JSON objects: integers and strings are all it prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i128),
    Str(String),
}

/// One output line: a flat JSON object, keys in the order printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object(pub Vec<(String, Value)>);

/// Why a line of the script's output could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The line is not a flat JSON object of integers and strings.
    Syntax {
        line: String,
        at: usize,
        want: &'static str,
    },
    /// A key the caller needs is absent.
    Missing { key: &'static str, line: String },
    /// A key holds the wrong kind of value, or an integer out of range.
    BadValue { key: &'static str, line: String },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Syntax { line, at, want } => {
                write!(f, "expected {want} at byte {at} of {line:?}")
            }
            ParseError::Missing { key, line } => write!(f, "no `{key}` in {line:?}"),
            ParseError::BadValue { key, line } => write!(f, "bad `{key}` in {line:?}"),
        }
    }
}

impl std::error::Error for ParseError {}

impl Object {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    fn int(&self, key: &'static str) -> Result<i128, ParseError> {
        match self.get(key) {
            Some(Value::Int(v)) => Ok(*v),
            Some(_) => Err(ParseError::BadValue {
                key,
                line: self.to_string(),
            }),
            None => Err(ParseError::Missing {
                key,
                line: self.to_string(),
            }),
        }
    }

    pub fn i64(&self, key: &'static str) -> Result<i64, ParseError> {
        i64::try_from(self.int(key)?).map_err(|_| ParseError::BadValue {
            key,
            line: self.to_string(),
        })
    }

    pub fn duration(&self, key: &'static str) -> Result<Duration, ParseError> {
        u64::try_from(self.int(key)?)
            .map(Duration::from_nanos)
            .map_err(|_| ParseError::BadValue {
                key,
                line: self.to_string(),
            })
    }
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{")?;
        for (i, (k, v)) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            match v {
                Value::Int(n) => write!(f, "{sep}{k:?}:{n}")?,
                Value::Str(s) => write!(f, "{sep}{k:?}:{s:?}")?,
            }
        }
        write!(f, "}}")
    }
}

/// Parses one line: `{"key": 123, "other": "text", ...}` (Python's `json.dumps` of a
/// dict of ints and strs). Nested values, floats, booleans and null are refused: the
/// script never prints them, so seeing one means the script and this parser disagree.
pub fn parse_line(line: &str) -> Result<Object, ParseError> {
    let mut p = Parser {
        s: line.as_bytes(),
        line,
        at: 0,
    };
    p.expect(b'{', "`{`")?;
    let mut fields = Vec::new();
    if !p.eat(b'}') {
        loop {
            let key = p.string()?;
            p.expect(b':', "`:`")?;
            let value = match p.peek() {
                Some(b'"') => Value::Str(p.string()?),
                _ => Value::Int(p.int()?),
            };
            fields.push((key, value));
            if p.eat(b',') {
                continue;
            }
            p.expect(b'}', "`,` or `}`")?;
            break;
        }
    }
    p.skip_ws();
    if p.at != p.s.len() {
        return Err(p.error("the end of the line"));
    }
    Ok(Object(fields))
}

struct Parser<'a> {
    s: &'a [u8],
    line: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn error(&self, want: &'static str) -> ParseError {
        ParseError::Syntax {
            line: self.line.to_string(),
            at: self.at,
            want,
        }
    }

    fn skip_ws(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn expect(&mut self, b: u8, want: &'static str) -> Result<(), ParseError> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.error(want))
        }
    }

    fn int(&mut self) -> Result<i128, ParseError> {
        self.skip_ws();
        let start = self.at;
        if self.s.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        while self.s.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.line[start..self.at].parse().map_err(|_| {
            self.at = start;
            self.error("an integer or a string")
        })
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.expect(b'"', "a string")?;
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote or escape as it is (valid UTF-8: it came
            // from a &str and stops only at ASCII bytes).
            let run = self.s[self.at..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .ok_or_else(|| self.error("the end of the string"))?;
            out.push_str(&self.line[self.at..self.at + run]);
            self.at += run;
            if self.s[self.at] == b'"' {
                self.at += 1;
                return Ok(out);
            }
            self.at += 1; // the backslash
            let c = match self.s.get(self.at) {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    let hex = self
                        .line
                        .get(self.at + 1..self.at + 5)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .ok_or_else(|| self.error("four hex digits after \\u"))?;
                    self.at += 4;
                    // A lone surrogate (half of a pair) is shown as U+FFFD: these strings
                    // are only ever printed.
                    char::from_u32(hex).unwrap_or(char::REPLACEMENT_CHARACTER)
                }
                _ => return Err(self.error("an escape character")),
            };
            self.at += 1;
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_run_lines_as_the_script_prints_them() {
        // Two lines as `json.dumps(..., separators=(",", ":"))` writes them; nbody's
        // result is an f64's bits, so negative i64s occur.
        let out = "{\"run\":0,\"compile_ns\":39232998,\"call_ns\":3475533,\"result\":832040}\n\
                   {\"run\":1,\"compile_ns\":26477283,\"call_ns\":3200288,\"result\":832040}\n";
        let runs = parse_runs(out).unwrap();
        assert_eq!(
            runs,
            [
                PeerRun {
                    compile: Duration::from_nanos(39_232_998),
                    call: Duration::from_nanos(3_475_533),
                    result: 832_040,
                },
                PeerRun {
                    compile: Duration::from_nanos(26_477_283),
                    call: Duration::from_nanos(3_200_288),
                    result: 832_040,
                },
            ]
        );
        let m = summarize(&runs).unwrap();
        assert_eq!(m.call, Duration::from_nanos(3_200_288));
        assert_eq!(m.compile, Duration::from_nanos(26_477_283));
        assert_eq!(m.to_result, Duration::from_nanos(26_477_283 + 3_200_288));
        let neg = parse_runs(
            "{\"run\": 0, \"compile_ns\": 1, \"call_ns\": 2, \"result\": -4616189618054758400}",
        )
        .unwrap();
        assert_eq!(neg[0].result, -4_616_189_618_054_758_400);
    }

    #[test]
    fn parses_probe_strings_with_escapes() {
        let o = parse_line(r#"{"unavailable":"cannot import \"wasmtime\" \u00e9\\ok"}"#).unwrap();
        assert_eq!(
            o.str("unavailable"),
            Some("cannot import \"wasmtime\" é\\ok")
        );
        let o = parse_line(r#"{"wasmtime":"50.0.1","python":"3.11.7"}"#).unwrap();
        assert_eq!(o.str("wasmtime"), Some("50.0.1"));
        assert_eq!(o.str("python"), Some("3.11.7"));
        assert_eq!(parse_line("{}").unwrap(), Object(vec![]));
    }

    #[test]
    fn refuses_malformed_and_incomplete_lines() {
        for bad in [
            "",
            "RESULT 1 2",
            "{\"run\":0",
            "{\"run\":1.5}",
            "{\"run\":true}",
            "{\"run\":[1]}",
            "{\"a\":\"unterminated}",
            "{\"a\":1} trailing",
            "{\"a\":\"\\x\"}",
        ] {
            assert!(
                matches!(parse_line(bad), Err(ParseError::Syntax { .. })),
                "{bad:?} parsed"
            );
        }
        // Well-formed but missing or out of range: named by key.
        assert!(matches!(
            parse_runs("{\"run\":0,\"compile_ns\":1,\"result\":3}"),
            Err(ParseError::Missing { key: "call_ns", .. })
        ));
        assert!(matches!(
            parse_runs("{\"run\":0,\"compile_ns\":-1,\"call_ns\":1,\"result\":3}"),
            Err(ParseError::BadValue {
                key: "compile_ns",
                ..
            })
        ));
        assert!(matches!(
            parse_runs("{\"run\":0,\"compile_ns\":1,\"call_ns\":1,\"result\":9223372036854775808}"),
            Err(ParseError::BadValue { key: "result", .. })
        ));
        assert!(matches!(
            parse_runs("{\"run\":0,\"compile_ns\":1,\"call_ns\":\"1\",\"result\":3}"),
            Err(ParseError::BadValue { key: "call_ns", .. })
        ));
    }

    #[test]
    fn startup_keeps_each_best_and_the_best_sum_of_one_run() {
        let out = "{\"run\":0,\"compile_ns\":100,\"instantiate_ns\":5,\"call_ns\":9}\n\
                   {\"run\":1,\"compile_ns\":90,\"instantiate_ns\":30,\"call_ns\":1}\n";
        let s = parse_startup(out).unwrap();
        assert_eq!(s.compile, Duration::from_nanos(90));
        assert_eq!(s.instantiate, Duration::from_nanos(5));
        assert_eq!(s.first_call, Duration::from_nanos(1));
        // 114 and 121: the sum of the bests (96) was never seen in one run.
        assert_eq!(s.total, Duration::from_nanos(114));
        assert!(parse_startup("").is_err());
        assert!(
            parse_startup("{\"run\":0,\"compile_ns\":1,\"instantiate_ns\":2}")
                .unwrap_err()
                .contains("call_ns")
        );
    }

    #[test]
    fn summarize_refuses_changing_results_and_no_runs() {
        let r = |result| PeerRun {
            compile: Duration::from_millis(1),
            call: Duration::from_millis(2),
            result,
        };
        assert!(
            summarize(&[r(1), r(2)])
                .unwrap_err()
                .contains("result changed")
        );
        assert!(summarize(&[]).is_err());
    }
}

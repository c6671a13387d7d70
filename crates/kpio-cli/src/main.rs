//! The `kpio` command-line tool.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kpio_cli::run::{RunRequest, run};
use kpio_cli::values::DisplayVal;
use kpio_cli::wast::{Counts, WastOptions, run_wast_file};

/// Run WebAssembly programs and spec scripts on KPIO's engine.
#[derive(Debug, Parser)]
#[command(name = "kpio", version, about, long_about = None)]
#[command(propagate_version = true, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a WebAssembly module and call one of its exports.
    #[command(
        long_about = "\
Run a WebAssembly module and call one of its exports.

FILE is a binary module (.wasm) or a text module (.wat). The module is \
instantiated with no imports, so it must be self-contained: an unresolved \
import is reported as a link error.

With --invoke NAME, the exported function NAME is called with ARGS, each \
parsed according to the function's parameter type:
  i32, i64   decimal or 0x-hexadecimal, optionally signed (-1, 0xff)
  f32, f64   decimal (1.5, -2e10), nan, inf, -inf
  externref  null or an integer handle; funcref: null
Without --invoke, the module's `_start` export is called.

Each result is printed on its own line (integers as signed decimal).

Exit status: 0 on success, 1 if execution trapped, 2 on any other error.",
        after_help = "Examples:\n  kpio run add.wat --invoke add 1 2\n  kpio run prog.wasm\n  kpio run f.wat --invoke scale -- -1.5 2"
    )]
    Run {
        /// The module to run (.wasm binary or .wat text).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Call the exported function NAME (default: `_start`).
        #[arg(long, value_name = "NAME")]
        invoke: Option<String>,
        /// Arguments for the function, parsed by its parameter types.
        #[arg(
            value_name = "ARGS",
            trailing_var_arg = true,
            allow_hyphen_values = true,
            allow_negative_numbers = true
        )]
        args: Vec<String>,
    },
    /// Run WebAssembly spec-test scripts (.wast).
    #[command(
        long_about = "\
Run WebAssembly spec-test scripts (.wast).

Every directive (module, register, invoke, assert_return, assert_trap, \
assert_exhaustion, assert_invalid, assert_malformed, assert_unlinkable, ...) \
counts as one check. Each failure is reported on stderr as \
`FILE:LINE:COL: message`. With several files a summary line is printed per \
file; the last line is always the total: `N passed, M failed`.

Scripts can import from the `spectest` module (print functions, globals \
global_i32/i64/f32/f64, a funcref table and a memory).

Exit status: 0 if every check passed, 1 otherwise.",
        after_help = "Example:\n  kpio wast i32.wast i64.wast"
    )]
    Wast {
        /// The scripts to run.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Let the `spectest.print*` functions print their arguments.
        #[arg(short, long)]
        verbose: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The text parser is recursive and the interpreter may be too: run on a
    // thread with a big stack.
    kpio_cli::with_big_stack(move || match cli.command {
        Command::Run { file, invoke, args } => cmd_run(RunRequest {
            path: file,
            invoke,
            args,
        }),
        Command::Wast { files, verbose } => cmd_wast(&files, &WastOptions { verbose }),
    })
}

fn cmd_run(req: RunRequest) -> ExitCode {
    match run(&req) {
        Ok(results) => {
            for v in &results {
                println!("{}", DisplayVal(v));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn cmd_wast(files: &[PathBuf], opts: &WastOptions) -> ExitCode {
    let mut total = Counts::default();
    for file in files {
        let report = run_wast_file(file, opts);
        for failure in &report.failures {
            eprintln!("{failure}");
        }
        if files.len() > 1 {
            println!("{}: {}", report.name, report.counts());
        }
        total.add(report.counts());
    }
    println!("{total}");
    if total.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

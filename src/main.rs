//! The `leafseal` binary: parse arguments, run, map errors to SOPS's exit codes.
#![forbid(unsafe_code)]
// Tests may unwrap: a panic there is a test failure with a backtrace (STYLE.md §3).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

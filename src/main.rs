//! The `leafseal` binary: parse arguments, run, map errors to SOPS's exit codes.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

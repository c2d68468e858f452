//! The `leafseal` binary: parse arguments, run, map errors to SOPS's exit codes.
#![forbid(unsafe_code)]
// Tests may unwrap: a panic there is a test failure with a backtrace (STYLE.md §3).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod cli;

/// mimalloc: the piecewise pipeline allocates pieces on one thread and frees them on another,
/// which glibc's allocator handles slowly (a quarter of a large decrypt went to malloc/free).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}

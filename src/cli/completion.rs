//! `leafseal completion SHELL`: completion scripts generated from the clap definitions.

use clap::CommandFactory;

use super::args::{Cli, CompletionArgs};
use super::Failure;

/// Run `completion`.
pub fn run(a: CompletionArgs) -> Result<(), Failure> {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "leafseal", &mut std::io::stdout());
    Ok(())
}

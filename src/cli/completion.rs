//! `leafseal completion SHELL`: completion scripts generated from the clap definitions.

use clap::CommandFactory;

use super::args::{Cli, CompletionArgs};
use super::Failure;

/// Run `completion`.
pub fn run(a: CompletionArgs) -> Result<(), Failure> {
    let mut cmd = Cli::command();
    // Render into memory first: clap_complete panics when its writer fails (closed pipe).
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "leafseal", &mut out);
    std::io::Write::write_all(&mut std::io::stdout(), &out)
        .map_err(|e| Failure::new(3, format!("<stdout>: {e}")))
}

/// Run the hidden `manpage` subcommand: roff for `docs/man/leafseal.1`.
pub fn manpage() -> Result<(), Failure> {
    let man = clap_mangen::Man::new(Cli::command());
    let mut out = Vec::new();
    man.render(&mut out)
        .map_err(|e| Failure::new(3, format!("cannot render the man page: {e}")))?;
    std::io::Write::write_all(&mut std::io::stdout(), &out)
        .map_err(|e| Failure::new(3, format!("<stdout>: {e}")))
}

//! `leafseal completion SHELL`: completion scripts generated from the clap definitions.

use clap::CommandFactory;

use super::args::{Cli, CompletionArgs};
use super::Failure;

/// Run `completion`.
pub fn run(a: CompletionArgs) -> Result<(), Failure> {
    if a.name.is_empty()
        || !a
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Failure::new(
            1,
            format!("--name {:?}: use a plain command name such as sops", a.name),
        ));
    }
    let mut cmd = Cli::command();
    // Render into memory first: clap_complete panics when its writer fails (closed pipe).
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, a.name.as_str(), &mut out);
    std::io::Write::write_all(&mut std::io::stdout(), &out)
        .map_err(|e| Failure::new(3, format!("<stdout>: {e}")))
}

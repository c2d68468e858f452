//! The terminal, for what the age backend must ask a person: the passphrase of an encrypted
//! identity file, and what an age plugin requests (a PIN, a confirmation, a public value).
//!
//! Everything goes through the controlling terminal (`/dev/tty`), never standard input (which
//! may carry the document) and never standard output (which may carry the result). Without a
//! controlling terminal every question fails at once with [`NoTerminal`], so a run under CI, a
//! git hook or a pipe gets a clear error instead of waiting for an answer nobody can give.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};

use zeroize::Zeroizing;

/// The controlling terminal.
const TTY: &str = "/dev/tty";

/// Why a question could not be asked.
#[derive(Debug)]
pub(crate) struct NoTerminal(pub(crate) String);

impl std::fmt::Display for NoTerminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no terminal to ask on ({TTY}: {})", self.0)
    }
}

fn open() -> Result<std::fs::File, NoTerminal> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(TTY)
        .map_err(|e| NoTerminal(e.to_string()))
}

/// Reads a secret (no echo) after `prompt`.
pub(crate) fn secret(prompt: &str) -> Result<Zeroizing<String>, NoTerminal> {
    // Check first: rpassword's own error for a missing terminal is a bare errno.
    drop(open()?);
    rpassword::prompt_password(format!("{prompt} "))
        .map(Zeroizing::new)
        .map_err(|e| NoTerminal(e.to_string()))
}

/// Reads one line (echoed) after `prompt`, without its line break.
pub(crate) fn line(prompt: &str) -> Result<String, NoTerminal> {
    let mut tty = open()?;
    write!(tty, "{prompt} ")
        .and_then(|_| tty.flush())
        .map_err(|e| NoTerminal(e.to_string()))?;
    let mut answer = String::new();
    let n = BufReader::new(tty)
        .read_line(&mut answer)
        .map_err(|e| NoTerminal(e.to_string()))?;
    if n == 0 {
        return Err(NoTerminal("end of input".into()));
    }
    Ok(answer.trim_end_matches(['\r', '\n']).to_owned())
}

/// Shows a message: on the terminal when there is one, else on standard error.
pub(crate) fn message(text: &str) {
    if let Ok(mut tty) = open() {
        if writeln!(tty, "{text}").is_ok() {
            return;
        }
    }
    eprintln!("{text}");
}

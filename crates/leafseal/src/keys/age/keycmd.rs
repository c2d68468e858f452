//! `SOPS_AGE_KEY_CMD`: a command (split with shell rules, run without a shell) whose standard
//! output is read as age identities, run with `SOPS_AGE_RECIPIENT` set to the recipient being
//! opened (SOPS 3.10+).
//!
//! SOPS runs it again for every age entry it tries. leafseal runs it at most once per
//! recipient per process, and only when the identities it already printed do not open the
//! entry: a command that prints every key runs once, a command that prints the key of the
//! recipient it is asked about runs once per recipient that needs it. It is bounded: it is
//! killed after [`timeout`] (`LEAFSEAL_AGE_KEY_CMD_TIMEOUT`, seconds), and output beyond
//! [`OUTPUT_CAP`] is an error. After a time-out or an oversized output it is not run again.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::identities::Identities;
use super::KeyError;

/// The environment variable naming the command.
pub(crate) const ENV: &str = "SOPS_AGE_KEY_CMD";

/// Default time limit for one run.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Most output read from the command (identity files are a few hundred bytes; a post-quantum
/// one a few kilobytes).
pub(crate) const OUTPUT_CAP: usize = 1 << 20;

/// The time limit: `LEAFSEAL_AGE_KEY_CMD_TIMEOUT` (seconds) or [`DEFAULT_TIMEOUT`].
pub(crate) fn timeout() -> Duration {
    super::seconds_from_env("LEAFSEAL_AGE_KEY_CMD_TIMEOUT").unwrap_or(DEFAULT_TIMEOUT)
}

/// What the runs so far gave.
#[derive(Default)]
struct Cache {
    /// Per recipient asked about: the identities printed, or why the run failed.
    runs: Vec<(String, Result<Arc<Identities>, String>)>,
    /// Set after a run that must not be repeated (time-out, oversized output).
    broken: Option<String>,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    runs: Vec::new(),
    broken: None,
});

fn command_line() -> Option<String> {
    std::env::var(ENV).ok().filter(|c| !c.trim().is_empty())
}

/// The identities every earlier run printed.
pub(crate) fn known() -> Vec<Arc<Identities>> {
    let cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .runs
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().cloned())
        .collect()
}

/// The identities the command prints for `recipient`: `None` without `SOPS_AGE_KEY_CMD`, the
/// earlier outcome when it already ran for `recipient`.
pub(crate) fn for_recipient(recipient: &str) -> Option<Result<Arc<Identities>, KeyError>> {
    let cmd = command_line()?;
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(why) = &cache.broken {
        return Some(Err(KeyError::Failed(why.clone())));
    }
    if let Some((_, r)) = cache.runs.iter().find(|(r, _)| r == recipient) {
        return Some(r.clone().map_err(KeyError::Failed));
    }
    let outcome = match run(&cmd, recipient) {
        Ok(output) => {
            let mut ids = Identities::new();
            ids.tried.push(ENV.into());
            ids.parse_bytes(&output, ENV, false);
            Ok(Arc::new(ids))
        }
        Err(Failure::Once(why)) => Err(why),
        Err(Failure::Never(why)) => {
            cache.broken = Some(why.clone());
            return Some(Err(KeyError::Failed(why)));
        }
    };
    cache.runs.push((recipient.to_owned(), outcome.clone()));
    Some(outcome.map_err(KeyError::Failed))
}

enum Failure {
    /// This run failed (bad exit, cannot start).
    Once(String),
    /// Do not run it again in this process (time-out, oversized output).
    Never(String),
}

/// Runs the command once; its standard output, or why not.
fn run(cmd: &str, recipient: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let argv = match shell_words::split(cmd) {
        Ok(a) if !a.is_empty() => a,
        _ => return Err(Failure::Never(format!("{ENV} is not a valid command line"))),
    };
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .env("SOPS_AGE_RECIPIENT", recipient)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| Failure::Once(format!("{ENV} could not run {:?}: {e}", argv[0])))?;
    let Some(mut out) = child.stdout.take() else {
        return Err(Failure::Once(format!("{ENV}: no output pipe")));
    };
    // The reader stops one byte past the cap, so an endless writer cannot fill memory.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Zeroizing::new(Vec::new());
        let r = (&mut out)
            .take(OUTPUT_CAP as u64 + 1)
            .read_to_end(&mut buf)
            .map(|_| buf);
        let _ = tx.send(r);
    });
    let limit = timeout();
    let start = Instant::now();
    let timed_out = || {
        format!(
            "{ENV} did not finish within {}s and was stopped (set LEAFSEAL_AGE_KEY_CMD_TIMEOUT \
             to allow more)",
            limit.as_secs_f64()
        )
    };
    let output = match rx.recv_timeout(limit) {
        Ok(Ok(buf)) => buf,
        Ok(Err(e)) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Failure::Once(format!("{ENV}: reading its output: {e}")));
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Failure::Never(timed_out()));
        }
    };
    if output.len() > OUTPUT_CAP {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Failure::Never(format!(
            "{ENV} printed more than {} KiB; an identity file is far smaller",
            OUTPUT_CAP / 1024
        )));
    }
    // Output closed: wait for the exit, within what is left of the time limit.
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if start.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::Never(timed_out()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(Failure::Once(format!("{ENV}: {e}"))),
        }
    };
    if !status.success() {
        return Err(Failure::Once(format!("{ENV} exited with {status}")));
    }
    Ok(output)
}

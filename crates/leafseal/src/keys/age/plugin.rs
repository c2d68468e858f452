//! age plugins (C2SP age-plugin): recipients `age1NAME1…` and identities `AGE-PLUGIN-NAME-1…`,
//! each handled by the program `age-plugin-NAME` found on `PATH`, as SOPS 3.12 (filippo.io/age
//! 1.3) does. The protocol itself (the `recipient-v1` and `identity-v1` state machines) is the
//! age crate's; this module adds what a command-line tool needs around it:
//!
//! - a time limit: a plugin that neither answers nor exits is abandoned after
//!   [`timeout`] of its own time (time spent waiting for the person at the terminal does not
//!   count), with an error naming the plugin;
//! - the terminal: the plugin's messages, PIN requests and confirmations go to `/dev/tty`;
//!   without a terminal each request is refused at once (the plugin then reports its own
//!   error, which says it needed input), never a wait;
//! - one-line errors naming the plugin binary (missing from `PATH`, died, timed out).
//!
//! A plugin abandoned after its time limit is not killed (the age crate owns the process); it
//! loses its pipes when leafseal exits.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use age::plugin::{IdentityPluginV1, RecipientPluginV1, ResolveError};
use age::secrecy::{ExposeSecret, SecretString};
use age::{DecryptError, EncryptError};
use age_core::format::{FileKey, Stanza};

use super::tty;

/// Default limit on a plugin's own time for one operation.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The time limit: `LEAFSEAL_AGE_PLUGIN_TIMEOUT` (seconds) or [`DEFAULT_TIMEOUT`].
pub(crate) fn timeout() -> Duration {
    super::seconds_from_env("LEAFSEAL_AGE_PLUGIN_TIMEOUT").unwrap_or(DEFAULT_TIMEOUT)
}

fn binary(name: &str) -> String {
    format!("age-plugin-{name}")
}

/// The person at the terminal, as the age crate's plugin client asks for them.
#[derive(Clone)]
struct TermUi {
    binary: String,
    /// Set while a question waits for the person (that time is not the plugin's).
    asking: Arc<AtomicBool>,
    /// Set when the plugin asked something and there was no terminal.
    unanswered: Arc<AtomicBool>,
}

impl TermUi {
    fn new(binary: &str) -> TermUi {
        TermUi {
            binary: binary.to_owned(),
            asking: Arc::new(AtomicBool::new(false)),
            unanswered: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Runs one question with the clock stopped; `None` when there is no terminal.
    fn ask<T>(&self, f: impl FnOnce() -> Result<T, tty::NoTerminal>) -> Option<T> {
        self.asking.store(true, Ordering::SeqCst);
        let r = f();
        self.asking.store(false, Ordering::SeqCst);
        match r {
            Ok(v) => Some(v),
            Err(_) => {
                self.unanswered.store(true, Ordering::SeqCst);
                None
            }
        }
    }

    /// An error message naming the plugin, one line, with the no-terminal hint when it applies.
    fn explain(&self, what: &dyn std::fmt::Display) -> String {
        self.explain_text(one_line(&what.to_string()))
    }

    /// The message for an I/O error of the plugin connection: a closed pipe is a plugin that
    /// exited before the end of the protocol.
    fn explain_io(&self, e: &std::io::Error) -> String {
        if matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof
        ) {
            self.explain_text(format!(
                "{} exited before finishing (it crashed or refused the request; AGEDEBUG=plugin \
                 shows its messages)",
                self.binary
            ))
        } else {
            self.explain(e)
        }
    }

    fn explain_text(&self, mut msg: String) -> String {
        if !msg.contains(&self.binary) {
            msg = format!("{}: {msg}", self.binary);
        }
        if self.unanswered.load(Ordering::SeqCst) {
            msg.push_str(
                " (the plugin asked for input and there is no terminal: run leafseal from a \
                 terminal to answer it)",
            );
        }
        msg
    }
}

/// Joins a multi-line message (the age crate's plugin errors have several lines) into one,
/// without the Unicode isolation marks its localized messages put around names.
fn one_line(s: &str) -> String {
    let s = s.replace(['\u{2068}', '\u{2069}'], "");
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

impl age::Callbacks for TermUi {
    fn display_message(&self, message: &str) {
        tty::message(&format!("{}: {message}", self.binary));
    }

    fn confirm(&self, message: &str, yes: &str, no: Option<&str>) -> Option<bool> {
        let prompt = match no {
            None => format!("{}: {message} (press enter for {yes:?})", self.binary),
            Some(no) => format!("{}: {message} [{yes}/{no}]:", self.binary),
        };
        self.ask(|| {
            // Three tries at an answer that is one of the two choices, then "no".
            for _ in 0..3 {
                let answer = tty::line(&prompt)?;
                let a = answer.trim();
                match no {
                    None => return Ok(true),
                    Some(no) if a.eq_ignore_ascii_case(no) => return Ok(false),
                    Some(_) if a.eq_ignore_ascii_case(yes) => return Ok(true),
                    Some(_) => {}
                }
            }
            Ok(false)
        })
    }

    fn request_public_string(&self, description: &str) -> Option<String> {
        self.ask(|| tty::line(&format!("{}: {description}", self.binary)))
    }

    fn request_passphrase(&self, description: &str) -> Option<SecretString> {
        self.ask(|| tty::secret(&format!("{}: {description}", self.binary)))
            .map(|mut s| SecretString::from(std::mem::take(&mut *s)))
    }
}

/// Runs `job` (one plugin operation) on its own thread and waits for it, at most [`timeout`]
/// of time not spent waiting for the person.
fn bounded<T: Send + 'static>(
    ui: &TermUi,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(ui.binary.clone())
        .spawn(move || {
            let _ = tx.send(job());
        });
    if let Err(e) = spawned {
        return Err(format!("{}: cannot start a thread: {e}", ui.binary));
    }
    let limit = timeout();
    let tick = Duration::from_millis(20);
    let mut used = Duration::ZERO;
    loop {
        let t0 = Instant::now();
        match rx.recv_timeout(tick) {
            Ok(v) => return Ok(v),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(format!("{}: the plugin client failed", ui.binary))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if !ui.asking.load(Ordering::SeqCst) {
            used += t0.elapsed();
        }
        if used >= limit {
            return Err(format!(
                "{} did not finish within {}s (set LEAFSEAL_AGE_PLUGIN_TIMEOUT to allow more)",
                ui.binary,
                limit.as_secs_f64()
            ));
        }
    }
}

fn resolve_error(e: &ResolveError, what: &str) -> String {
    match e {
        ResolveError::MissingPlugin { binary_name } => {
            format!("{binary_name} was not found on PATH (it is needed for {what})")
        }
        other => one_line(&other.to_string()),
    }
}

fn io_error(msg: String) -> std::io::Error {
    std::io::Error::other(msg)
}

/// A plugin recipient (`age1NAME1…`): wraps through `age-plugin-NAME --age-plugin=recipient-v1`.
#[derive(Clone)]
pub(crate) struct Recipient(pub(crate) age::plugin::Recipient);

impl age::Recipient for Recipient {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
    ) -> Result<(Vec<Stanza>, HashSet<String>), EncryptError> {
        let name = self.0.plugin().to_owned();
        let ui = TermUi::new(&binary(&name));
        let plugin = RecipientPluginV1::new(&name, std::slice::from_ref(&self.0), &[], ui.clone())
            .map_err(|e| {
                EncryptError::Io(io_error(resolve_error(
                    &e,
                    &format!("the recipient {}", self.0),
                )))
            })?;
        let key = FileKey::init_with_mut(|k| k.copy_from_slice(file_key.expose_secret()));
        match bounded(&ui, move || age::Recipient::wrap_file_key(&plugin, &key)) {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(EncryptError::Io(e))) => Err(EncryptError::Io(io_error(ui.explain_io(&e)))),
            Ok(Err(e)) => Err(EncryptError::Io(io_error(ui.explain(&e)))),
            Err(msg) => Err(EncryptError::Io(io_error(msg))),
        }
    }
}

/// The identities of one plugin (`AGE-PLUGIN-NAME-1…`): unwraps through
/// `age-plugin-NAME --age-plugin=identity-v1`.
pub(crate) struct Identity {
    name: String,
    identities: Vec<age::plugin::Identity>,
}

/// One [`Identity`] per plugin name, in the order the names first appear.
pub(crate) fn by_plugin(ids: &[age::plugin::Identity]) -> Vec<Identity> {
    let mut order: Vec<String> = Vec::new();
    let mut map: BTreeMap<String, Vec<age::plugin::Identity>> = BTreeMap::new();
    for i in ids {
        let name = i.plugin().to_owned();
        if !map.contains_key(&name) {
            order.push(name.clone());
        }
        map.entry(name).or_default().push(i.clone());
    }
    order
        .into_iter()
        .map(|name| {
            let identities = map.remove(&name).unwrap_or_default();
            Identity { name, identities }
        })
        .collect()
}

impl age::Identity for Identity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, DecryptError>> {
        self.unwrap_stanzas(std::slice::from_ref(stanza))
    }

    fn unwrap_stanzas(&self, stanzas: &[Stanza]) -> Option<Result<FileKey, DecryptError>> {
        let ui = TermUi::new(&binary(&self.name));
        let plugin = match IdentityPluginV1::new(&self.name, &self.identities, ui.clone()) {
            Ok(p) => p,
            Err(e) => {
                let what = format!("the identity AGE-PLUGIN-{}-…", self.name.to_uppercase());
                return Some(Err(DecryptError::Io(io_error(resolve_error(&e, &what)))));
            }
        };
        let owned: Vec<Stanza> = stanzas
            .iter()
            .map(|s| Stanza {
                tag: s.tag.clone(),
                args: s.args.clone(),
                body: s.body.clone(),
            })
            .collect();
        match bounded(&ui, move || age::Identity::unwrap_stanzas(&plugin, &owned)) {
            Ok(None) if ui.unanswered.load(Ordering::SeqCst) => Some(Err(DecryptError::Io(
                io_error(ui.explain(&"the plugin could not unwrap the key")),
            ))),
            Ok(None) => None,
            Ok(Some(Ok(k))) => Some(Ok(k)),
            Ok(Some(Err(DecryptError::Io(e)))) => {
                Some(Err(DecryptError::Io(io_error(ui.explain_io(&e)))))
            }
            Ok(Some(Err(e))) => Some(Err(DecryptError::Io(io_error(ui.explain(&e))))),
            Err(msg) => Some(Err(DecryptError::Io(io_error(msg)))),
        }
    }
}

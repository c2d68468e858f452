//! age master keys (spec §6). Recipients, dispatched as SOPS 3.12 does (`age/keysource.go`):
//!
//! - `age1pq1…`: hybrid post-quantum, ML-KEM-768 + X25519 (`mlkem768x25519` stanza);
//! - `age1NAME1…` (an `age1` string with a second `1`, including `age1tag1…`/`age1tagpq1…`):
//!   the plugin `age-plugin-NAME` ([`plugin`]);
//! - `age1…`: X25519;
//! - `ssh-ed25519 …`, `ssh-rsa …`: SSH.
//!
//! Identities come from `SOPS_AGE_KEY`, `SOPS_AGE_KEY_FILE` (or `--age-key-file`),
//! `SOPS_AGE_SSH_PRIVATE_KEY_FILE`, `~/.ssh/id_ed25519`/`id_rsa`, `$XDG_CONFIG_HOME/sops/age/
//! keys.txt` (or `~/.config/…`) ([`identities`]) and `SOPS_AGE_KEY_CMD` ([`keycmd`]). The
//! wrapped key is an ASCII-armored age file with one recipient stanza.

mod identities;
mod keycmd;
mod plugin;
mod tty;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use zeroize::Zeroizing;

use super::{Backend, KeyError, MasterKey};
use crate::store::metadata::StoredKey;
use crate::tree::Branch;
use identities::Identities;

/// The age backend.
pub struct AgeBackend;

/// The registered instance.
pub static AGE: AgeBackend = AgeBackend;

// The age crate marks the classic X25519 and SSH recipients deprecated (not post-quantum);
// SOPS files use them and keep using them, so they stay.
#[allow(deprecated)]
#[derive(Clone)]
enum Recip {
    X25519(age::x25519::Recipient),
    Pq(age::pq::Recipient),
    Ssh(age::ssh::Recipient),
    Plugin(plugin::Recipient),
}

/// One age recipient.
#[derive(Clone)]
pub struct AgeKey {
    text: String,
    recip: Recip,
}

impl std::fmt::Debug for AgeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AgeKey({})", self.text)
    }
}

impl FromStr for AgeKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        let s = s.trim();
        let invalid = |e: &dyn std::fmt::Display| {
            KeyError::Failed(format!("invalid age recipient {s:?}: {e}"))
        };
        // sops-compat: the order of SOPS's parseRecipient; bech32 data never holds a `1`, so
        // a second `1` after `age1` means a longer human-readable part: a plugin's.
        let recip = if s.starts_with("age1pq1") {
            Recip::Pq(s.parse().map_err(|e| invalid(&e))?)
        } else if s.starts_with("age1") && s.matches('1').count() > 1 {
            Recip::Plugin(plugin::Recipient(s.parse().map_err(|e| invalid(&e))?))
        } else if s.starts_with("age1") {
            Recip::X25519(s.parse().map_err(|e| invalid(&e))?)
        } else if s.starts_with("ssh-") {
            Recip::Ssh(
                s.parse()
                    .map_err(|_| KeyError::Failed(format!("invalid SSH recipient {s:?}")))?,
            )
        } else {
            return Err(invalid(
                &"unknown recipient type (expected age1…, age1pq1…, age1NAME1… or ssh-…)",
            ));
        };
        Ok(AgeKey {
            text: s.to_owned(),
            recip,
        })
    }
}

impl MasterKey for AgeKey {
    fn kind(&self) -> &'static str {
        "age"
    }

    fn id(&self) -> String {
        self.text.clone()
    }

    fn wrap(&self, secret: &[u8]) -> Result<StoredKey, KeyError> {
        let r: &dyn age::Recipient = match &self.recip {
            Recip::X25519(r) => r,
            Recip::Pq(r) => r,
            Recip::Ssh(r) => r,
            Recip::Plugin(r) => r,
        };
        let fail = |e: &dyn std::fmt::Display| {
            let e = e.to_string().replace('\n', " ");
            KeyError::Failed(format!("age encryption to {} failed: {e}", self.text))
        };
        let enc = age::Encryptor::with_recipients(std::iter::once(r)).map_err(|e| fail(&e))?;
        let mut out = Vec::new();
        let armor =
            ArmoredWriter::wrap_output(&mut out, Format::AsciiArmor).map_err(|e| fail(&e))?;
        let mut w = enc.wrap_output(armor).map_err(|e| fail(&e))?;
        w.write_all(secret).map_err(|e| fail(&e))?;
        w.finish().and_then(|a| a.finish()).map_err(|e| fail(&e))?;
        let mut text = String::from_utf8(out).map_err(|e| fail(&e))?;
        // sops-compat: the stored armor ends with a newline (YAML `|`).
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(self.entry(&text))
    }

    fn entry(&self, enc: &str) -> StoredKey {
        let mut fields = Branch::new();
        fields.push("recipient", crate::tree::Value::Str(self.text.clone()));
        fields.push("enc", crate::tree::Value::Str(enc.to_owned()));
        StoredKey {
            kind: "age".into(),
            fields,
        }
    }
}

/// A duration in seconds (`2`, `0.5`) from an environment variable, if set and valid.
fn seconds_from_env(var: &str) -> Option<Duration> {
    let v = std::env::var(var).ok()?;
    let s: f64 = v.trim().parse().ok()?;
    (s.is_finite() && s > 0.0 && s < 1e9).then(|| Duration::from_secs_f64(s))
}

/// The `--age-key-file` flag: read in place of `SOPS_AGE_KEY_FILE`.
static KEY_FILE: OnceLock<PathBuf> = OnceLock::new();

/// Read age identities from `path` instead of `SOPS_AGE_KEY_FILE` (the `--age-key-file` flag,
/// getsops/sops#2235). Identities are loaded once per process, so this is set before any key
/// is used; a second call is ignored.
pub fn use_key_file(path: PathBuf) {
    let _ = KEY_FILE.set(path);
}

fn static_identities() -> &'static Identities {
    static IDS: OnceLock<Identities> = OnceLock::new();
    IDS.get_or_init(|| identities::load_static(KEY_FILE.get()))
}

/// The most recipient stanzas read in one entry's age header.
const MAX_STANZAS: usize = 64;

/// How many recipient stanzas (`-> ` lines) the age header of `enc` has, armored or not.
fn stanza_count(enc: &[u8]) -> usize {
    let mut header = Vec::new();
    let mut r = ArmoredReader::new(enc);
    // The header ends at the `---` line; read only as far as that (a bounded prefix).
    let mut buf = [0u8; 4096];
    while header.len() < (1 << 20) {
        match std::io::Read::read(&mut r, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let from = header.len().saturating_sub(3);
                header.extend_from_slice(&buf[..n]);
                if header[from..].windows(4).any(|w| w == b"\n---") {
                    break;
                }
            }
        }
    }
    header
        .split(|&c| c == b'\n')
        .filter(|l| l.starts_with(b"-> "))
        .count()
}

/// Opens `enc` (an age file, armored or not) with `ids`: `Ok(None)` when none matches.
fn try_unwrap(enc: &[u8], ids: &Identities) -> Result<Option<Zeroizing<Vec<u8>>>, KeyError> {
    if ids.len() == 0 {
        return Ok(None);
    }
    let fail = |e: &dyn std::fmt::Display| {
        let e = e.to_string().replace('\n', " ");
        KeyError::Failed(format!("age decryption failed: {e}"))
    };
    // SOPS writes one recipient stanza per entry; a header with hundreds is not a SOPS data
    // key, and trying every identity on each would cost time for nothing.
    let stanzas = stanza_count(enc);
    if stanzas > MAX_STANZAS {
        return Err(KeyError::Failed(format!(
            "invalid age data: {stanzas} recipient stanzas (SOPS writes one; at most \
             {MAX_STANZAS} are read)"
        )));
    }
    // (The buffered decryptor reads the header in one pass; the unbuffered one re-parses it
    // as it grows, quadratic in the number of stanzas.)
    let reader = ArmoredReader::new(enc);
    let dec = age::Decryptor::new_buffered(reader)
        .map_err(|e| KeyError::Failed(format!("invalid age data: {e}")))?;
    ids.with_all(|all| match dec.decrypt(all.iter().copied()) {
        Ok(mut r) => {
            let mut out = Zeroizing::new(Vec::new());
            r.read_to_end(&mut out).map_err(|e| fail(&e))?;
            Ok(Some(out))
        }
        Err(age::DecryptError::NoMatchingKeys) => Ok(None),
        Err(e) => Err(fail(&e)),
    })
}

impl Backend for AgeBackend {
    fn name(&self) -> &'static str {
        "age"
    }

    fn parse_list(&self, spec: &str) -> Result<Vec<Box<dyn MasterKey>>, KeyError> {
        spec.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| AgeKey::from_str(s).map(|k| Box::new(k) as Box<dyn MasterKey>))
            .collect()
    }

    fn key_from_stored(&self, stored: &StoredKey) -> Result<Box<dyn MasterKey>, KeyError> {
        let r = stored
            .field("recipient")
            .ok_or_else(|| KeyError::Failed("age entry without a recipient".into()))?;
        Ok(Box::new(AgeKey::from_str(r)?))
    }

    fn unwrap(&self, stored: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let enc = stored.enc().as_bytes();
        let ids = static_identities();
        if let Some(k) = try_unwrap(enc, ids)? {
            return Ok(k);
        }
        let mut tried = ids.tried.clone();
        let mut problems = ids.problems.clone();
        let mut found = ids.len();
        let recipient = stored.field("recipient").unwrap_or("");
        // What SOPS_AGE_KEY_CMD printed for other recipients first: no new run if it opens.
        for cmd in keycmd::known() {
            if let Some(k) = try_unwrap(enc, &cmd)? {
                return Ok(k);
            }
        }
        if let Some(cmd) = keycmd::for_recipient(recipient) {
            let cmd = cmd?;
            if let Some(k) = try_unwrap(enc, &cmd)? {
                return Ok(k);
            }
            tried.extend(cmd.tried.iter().cloned());
            problems.extend(cmd.problems.iter().cloned());
            found += cmd.len();
        }
        let mut msg = if found == 0 {
            "no age identity found".to_string()
        } else {
            format!("none of the {found} age identities found matches this recipient")
        };
        msg.push_str(&format!(" (looked in: {})", tried.join(", ")));
        if !problems.is_empty() {
            msg.push_str(&format!("; problems: {}", problems.join("; ")));
        }
        Err(KeyError::NotMine(msg))
    }
}

#[cfg(test)]
mod tests;

//! age identities, from every source SOPS reads (spec §6), parsed as SOPS 3.12 parses them:
//!
//! - `AGE-PLUGIN-…`: a plugin identity ([`super::plugin`]);
//! - `AGE-SECRET-KEY-PQ-1…`: hybrid post-quantum (ML-KEM-768 + X25519);
//! - `AGE-SECRET-KEY-1…`: X25519;
//! - a source that is itself an age-encrypted file (binary or armored: a passphrase-protected
//!   identity file, as SOPS 3.10+) is opened with a passphrase asked on the terminal, only when
//!   no other identity opened the entry, and at most once per process;
//! - SSH private keys from `SOPS_AGE_SSH_PRIVATE_KEY_FILE` or `~/.ssh/id_ed25519`/`id_rsa`.
//!
//! Identities are tried cheapest first: in-memory keys, then encrypted identity files (a
//! prompt), then plugins (a process, perhaps a hardware key).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use age::armor::ArmoredReader;
use age::secrecy::SecretString;
use age::DecryptError;
use age_core::format::{FileKey, Stanza};
use zeroize::Zeroizing;

use super::{plugin, tty};

/// An identity held in memory.
pub(crate) type Ident = Box<dyn age::Identity + Send + Sync>;

/// The identities found in some sources.
pub(crate) struct Identities {
    /// Keys in memory (X25519, post-quantum, SSH).
    pub(crate) keys: Vec<Ident>,
    /// Passphrase-protected identity files, opened on first use.
    pub(crate) locked: Vec<LockedFile>,
    /// Plugin identities, grouped by plugin when used.
    pub(crate) plugins: Vec<age::plugin::Identity>,
    /// Sources that were looked at, for the "no identity" hint.
    pub(crate) tried: Vec<String>,
    /// Sources that could not be read.
    pub(crate) problems: Vec<String>,
}

impl Identities {
    pub(crate) fn new() -> Identities {
        Identities {
            keys: Vec::new(),
            locked: Vec::new(),
            plugins: Vec::new(),
            tried: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// How many identities (an encrypted identity file counts as one).
    pub(crate) fn len(&self) -> usize {
        self.keys.len() + self.locked.len() + self.plugins.len()
    }

    /// Runs `f` with every identity, cheapest first (plugin identities are grouped per plugin
    /// for the call).
    pub(crate) fn with_all<T>(&self, f: impl FnOnce(&[&dyn age::Identity]) -> T) -> T {
        let plugins = plugin::by_plugin(&self.plugins);
        let mut all: Vec<&dyn age::Identity> = Vec::with_capacity(self.len());
        all.extend(self.keys.iter().map(|k| k.as_ref() as &dyn age::Identity));
        all.extend(self.locked.iter().map(|l| l as &dyn age::Identity));
        all.extend(plugins.iter().map(|p| p as &dyn age::Identity));
        f(&all)
    }

    /// Parses the text of one source. `words`: several identities may share a line, separated
    /// by white space (`SOPS_AGE_KEY`, SOPS 3.13+); otherwise one identity per line.
    pub(crate) fn parse(&mut self, text: &str, from: &str, words: bool) {
        if is_age_file(text.as_bytes()) {
            self.locked(text.as_bytes(), from);
            return;
        }
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if words {
                for w in line.split_whitespace() {
                    self.parse_one(w, from, n + 1);
                }
            } else {
                self.parse_one(line, from, n + 1);
            }
        }
    }

    /// Parses the bytes of one source: an age-encrypted identity file (binary or armored), or
    /// text as [`Identities::parse`].
    pub(crate) fn parse_bytes(&mut self, bytes: &[u8], from: &str, words: bool) {
        if is_age_file(bytes) {
            self.locked(bytes, from);
            return;
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => self.parse(text, from, words),
            Err(_) => self.problems.push(format!(
                "{from}: neither identities (text) nor an age-encrypted file"
            )),
        }
    }

    fn locked(&mut self, bytes: &[u8], from: &str) {
        self.locked.push(LockedFile {
            location: from.to_owned(),
            contents: Zeroizing::new(bytes.to_vec()),
            opened: OnceLock::new(),
        });
    }

    fn parse_one(&mut self, s: &str, from: &str, line: usize) {
        let bad = |what: &str| format!("{from}: line {line}: {what}");
        if s.starts_with("AGE-PLUGIN-") {
            match s.parse::<age::plugin::Identity>() {
                Ok(i) => self.plugins.push(i),
                Err(e) => self
                    .problems
                    .push(bad(&format!("invalid plugin identity: {e}"))),
            }
        } else if s.starts_with("AGE-SECRET-KEY-PQ-1") {
            match s.parse::<age::pq::Identity>() {
                Ok(i) => self.keys.push(Box::new(i)),
                Err(e) => self
                    .problems
                    .push(bad(&format!("invalid post-quantum age identity: {e}"))),
            }
        } else if s.starts_with("AGE-SECRET-KEY-1") {
            match s.parse::<age::x25519::Identity>() {
                Ok(i) => self.keys.push(Box::new(i)),
                Err(_) => self.problems.push(bad("invalid age identity")),
            }
        } else {
            self.problems.push(bad(
                "not an age identity (AGE-SECRET-KEY-1…, AGE-SECRET-KEY-PQ-1… or AGE-PLUGIN-…)",
            ));
        }
    }

    /// An SSH private key file.
    fn ssh(&mut self, path: &Path) {
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        let bytes = Zeroizing::new(bytes);
        match age::ssh::Identity::from_buffer(&bytes[..], Some(path.display().to_string())) {
            Ok(i @ age::ssh::Identity::Unencrypted(_)) => self.keys.push(Box::new(i)),
            Ok(_) => self.problems.push(format!(
                "{}: encrypted or unsupported SSH key",
                path.display()
            )),
            Err(e) => self.problems.push(format!("{}: {e}", path.display())),
        }
    }

    /// An identity file (plain or passphrase-protected).
    fn file(&mut self, path: &Path) -> std::io::Result<()> {
        let bytes = Zeroizing::new(std::fs::read(path)?);
        self.parse_bytes(&bytes, &path.display().to_string(), false);
        Ok(())
    }
}

/// Whether a source is an age file (an encrypted identity file). sops-compat: SOPS looks at
/// the first 14 bytes as they are, before any trimming.
fn is_age_file(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption") || bytes.starts_with(b"-----BEGIN AGE")
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Identities from every static source (everything except `SOPS_AGE_KEY_CMD`). `key_file`: the
/// `--age-key-file` flag, read in place of `SOPS_AGE_KEY_FILE`.
pub(crate) fn load_static(key_file: Option<&PathBuf>) -> Identities {
    let mut ids = Identities::new();
    if let Some(p) = std::env::var_os("SOPS_AGE_SSH_PRIVATE_KEY_FILE") {
        ids.tried.push("SOPS_AGE_SSH_PRIVATE_KEY_FILE".into());
        ids.ssh(&PathBuf::from(p));
    } else if let Some(h) = home() {
        for name in ["id_ed25519", "id_rsa"] {
            let p = h.join(".ssh").join(name);
            if p.exists() {
                ids.tried.push(p.display().to_string());
                ids.ssh(&p);
            }
        }
    }
    if let Ok(k) = std::env::var("SOPS_AGE_KEY") {
        ids.tried.push("SOPS_AGE_KEY".into());
        let k = Zeroizing::new(k);
        ids.parse(&k, "SOPS_AGE_KEY", true);
    }
    let key_file = match key_file {
        Some(p) => Some(("--age-key-file", p.clone())),
        None => std::env::var_os("SOPS_AGE_KEY_FILE").map(|p| ("SOPS_AGE_KEY_FILE", p.into())),
    };
    if let Some((source, p)) = key_file {
        ids.tried.push(format!("{source}={}", p.display()));
        if let Err(e) = ids.file(&p) {
            ids.problems.push(format!("{}: {e}", p.display()));
        }
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")));
    if let Some(c) = config {
        let p = c.join("sops").join("age").join("keys.txt");
        ids.tried.push(p.display().to_string());
        if p.exists() {
            if let Err(e) = ids.file(&p) {
                ids.problems.push(format!("{}: {e}", p.display()));
            }
        }
    }
    ids
}

/// A passphrase-protected identity file (an age file encrypted with `age -p`), opened the
/// first time it is needed.
pub(crate) struct LockedFile {
    location: String,
    contents: Zeroizing<Vec<u8>>,
    opened: OnceLock<Result<Identities, String>>,
}

/// Most work an identity file's scrypt stanza may ask for (2^22: about 4 GiB·s; `age -p` uses
/// 2^18).
const MAX_SCRYPT_LOG_N: u8 = 22;

impl LockedFile {
    fn open(&self) -> Result<Identities, String> {
        let loc = &self.location;
        let dec = age::Decryptor::new_buffered(ArmoredReader::new(&self.contents[..]))
            .map_err(|e| format!("{loc}: not a readable age-encrypted identity file: {e}"))?;
        if !dec.is_scrypt() {
            return Err(format!(
                "{loc}: an encrypted identity file must be encrypted with a passphrase (age -p)"
            ));
        }
        let pass = tty::secret(&format!("Enter passphrase for identity '{loc}':"))
            .map_err(|e| format!("{loc} is passphrase-protected and there is {e}"))?;
        let mut id = age::scrypt::Identity::new(SecretString::from(pass.to_string()));
        id.set_max_work_factor(MAX_SCRYPT_LOG_N);
        let mut r = dec
            .decrypt(std::iter::once(&id as &dyn age::Identity))
            .map_err(|e| match e {
                DecryptError::DecryptionFailed | DecryptError::NoMatchingKeys => {
                    format!("{loc}: incorrect passphrase")
                }
                e => format!("{loc}: {}", e.to_string().replace('\n', " ")),
            })?;
        let mut plain = Zeroizing::new(Vec::new());
        r.read_to_end(&mut plain)
            .map_err(|e| format!("{loc}: cannot decrypt: {e}"))?;
        let text = Zeroizing::new(
            String::from_utf8(std::mem::take(&mut *plain))
                .map_err(|_| format!("{loc}: the decrypted identity file is not text"))?,
        );
        let mut ids = Identities::new();
        ids.parse(&text, loc, false);
        if !ids.locked.is_empty() {
            return Err(format!("{loc}: an encrypted identity file inside another"));
        }
        if ids.len() == 0 {
            let why = ids.problems.join("; ");
            return Err(format!("{loc}: no identity inside ({why})"));
        }
        Ok(ids)
    }
}

impl age::Identity for LockedFile {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, DecryptError>> {
        self.unwrap_stanzas(std::slice::from_ref(stanza))
    }

    fn unwrap_stanzas(&self, stanzas: &[Stanza]) -> Option<Result<FileKey, DecryptError>> {
        match self.opened.get_or_init(|| self.open()) {
            Err(msg) => Some(Err(DecryptError::Io(std::io::Error::other(msg.clone())))),
            Ok(ids) => ids.with_all(|all| all.iter().find_map(|i| i.unwrap_stanzas(stanzas))),
        }
    }
}

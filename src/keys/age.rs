//! age master keys (spec §6): X25519 (`age1…`) and SSH (`ssh-ed25519`, `ssh-rsa`) recipients;
//! identities from `SOPS_AGE_KEY`, `SOPS_AGE_KEY_FILE`, `SOPS_AGE_KEY_CMD`,
//! `SOPS_AGE_SSH_PRIVATE_KEY_FILE`, `~/.ssh/id_ed25519`/`id_rsa` and
//! `$XDG_CONFIG_HOME/sops/age/keys.txt` (or `~/.config/…`). The wrapped key is an ASCII-armored
//! age file with one recipient stanza.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::OnceLock;

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use zeroize::Zeroizing;

use super::{Backend, KeyError, MasterKey};
use crate::store::metadata::StoredKey;
use crate::tree::Branch;

/// The age backend.
pub struct AgeBackend;

/// The registered instance.
pub static AGE: AgeBackend = AgeBackend;

#[derive(Clone)]
enum Recip {
    X25519(age::x25519::Recipient),
    Ssh(age::ssh::Recipient),
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
        let recip = if s.starts_with("ssh-") {
            Recip::Ssh(
                s.parse()
                    .map_err(|_| KeyError::Failed(format!("invalid SSH recipient {s:?}")))?,
            )
        } else {
            Recip::X25519(
                s.parse()
                    .map_err(|e| KeyError::Failed(format!("invalid age recipient {s:?}: {e}")))?,
            )
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
            Recip::Ssh(r) => r,
        };
        let fail = |e: &dyn std::fmt::Display| {
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
        let mut fields = Branch::new();
        fields.push("recipient", crate::tree::Value::Str(self.text.clone()));
        fields.push("enc", crate::tree::Value::Str(text));
        Ok(StoredKey {
            kind: "age".into(),
            fields,
        })
    }
}

type Ident = Box<dyn age::Identity + Send + Sync>;

struct Identities {
    list: Vec<Ident>,
    /// Sources that were looked at, for the "no identity" hint.
    tried: Vec<String>,
    /// Sources that could not be read.
    problems: Vec<String>,
}

fn parse_identity_text(text: &str, from: &str, out: &mut Identities) {
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("AGE-SECRET-KEY-1") {
            match age::x25519::Identity::from_str(line) {
                Ok(i) => out.list.push(Box::new(i)),
                Err(_) => out
                    .problems
                    .push(format!("{from}: line {}: invalid age identity", n + 1)),
            }
        } else {
            out.problems.push(format!(
                "{from}: line {}: not an age identity (only AGE-SECRET-KEY-1 lines are supported)",
                n + 1
            ));
        }
    }
}

fn ssh_identity(path: &PathBuf, out: &mut Identities) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let bytes = Zeroizing::new(bytes);
    match age::ssh::Identity::from_buffer(&bytes[..], Some(path.display().to_string())) {
        Ok(i @ age::ssh::Identity::Unencrypted(_)) => out.list.push(Box::new(i)),
        Ok(_) => out.problems.push(format!(
            "{}: encrypted or unsupported SSH key",
            path.display()
        )),
        Err(e) => out.problems.push(format!("{}: {e}", path.display())),
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Identities from every static source (everything except `SOPS_AGE_KEY_CMD`).
fn load_static() -> Identities {
    let mut ids = Identities {
        list: Vec::new(),
        tried: Vec::new(),
        problems: Vec::new(),
    };
    if let Some(p) = std::env::var_os("SOPS_AGE_SSH_PRIVATE_KEY_FILE") {
        ids.tried.push("SOPS_AGE_SSH_PRIVATE_KEY_FILE".into());
        ssh_identity(&PathBuf::from(p), &mut ids);
    } else if let Some(h) = home() {
        for name in ["id_ed25519", "id_rsa"] {
            let p = h.join(".ssh").join(name);
            if p.exists() {
                ids.tried.push(p.display().to_string());
                ssh_identity(&p, &mut ids);
            }
        }
    }
    if let Ok(k) = std::env::var("SOPS_AGE_KEY") {
        ids.tried.push("SOPS_AGE_KEY".into());
        let k = Zeroizing::new(k);
        parse_identity_text(&k, "SOPS_AGE_KEY", &mut ids);
    }
    let key_file = match KEY_FILE.get() {
        Some(p) => Some(("--age-key-file", p.clone())),
        None => std::env::var_os("SOPS_AGE_KEY_FILE").map(|p| ("SOPS_AGE_KEY_FILE", p.into())),
    };
    if let Some((source, p)) = key_file {
        ids.tried.push(format!("{source}={}", p.display()));
        match std::fs::read_to_string(&p) {
            Ok(t) => parse_identity_text(&Zeroizing::new(t), &p.display().to_string(), &mut ids),
            Err(e) => ids.problems.push(format!("{}: {e}", p.display())),
        }
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")));
    if let Some(c) = config {
        let p = c.join("sops").join("age").join("keys.txt");
        ids.tried.push(p.display().to_string());
        if let Ok(t) = std::fs::read_to_string(&p) {
            parse_identity_text(&Zeroizing::new(t), &p.display().to_string(), &mut ids);
        }
    }
    ids
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
    IDS.get_or_init(load_static)
}

/// Identities printed by `SOPS_AGE_KEY_CMD`, run with `SOPS_AGE_RECIPIENT` set.
fn cmd_identities(recipient: &str) -> Option<Result<Identities, KeyError>> {
    let cmd = std::env::var("SOPS_AGE_KEY_CMD")
        .ok()
        .filter(|c| !c.trim().is_empty())?;
    let argv = match shell_words::split(&cmd) {
        Ok(a) if !a.is_empty() => a,
        _ => {
            return Some(Err(KeyError::Failed(
                "SOPS_AGE_KEY_CMD is not a valid command line".into(),
            )))
        }
    };
    let out = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .env("SOPS_AGE_RECIPIENT", recipient)
        .stderr(std::process::Stdio::inherit())
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            return Some(Err(KeyError::Failed(format!(
                "SOPS_AGE_KEY_CMD exited with {}",
                o.status
            ))))
        }
        Err(e) => {
            return Some(Err(KeyError::Failed(format!(
                "SOPS_AGE_KEY_CMD could not run: {e}"
            ))))
        }
    };
    let text = Zeroizing::new(String::from_utf8_lossy(&out.stdout).into_owned());
    let mut ids = Identities {
        list: Vec::new(),
        tried: vec!["SOPS_AGE_KEY_CMD".into()],
        problems: Vec::new(),
    };
    parse_identity_text(&text, "SOPS_AGE_KEY_CMD", &mut ids);
    Some(Ok(ids))
}

fn try_unwrap(enc: &str, ids: &[Ident]) -> Result<Option<Zeroizing<Vec<u8>>>, KeyError> {
    if ids.is_empty() {
        return Ok(None);
    }
    let reader = ArmoredReader::new(enc.as_bytes());
    let dec = age::Decryptor::new(reader)
        .map_err(|e| KeyError::Failed(format!("invalid age data: {e}")))?;
    let it = ids.iter().map(|i| i.as_ref() as &dyn age::Identity);
    match dec.decrypt(it) {
        Ok(mut r) => {
            let mut out = Zeroizing::new(Vec::new());
            r.read_to_end(&mut out)
                .map_err(|e| KeyError::Failed(format!("age decryption failed: {e}")))?;
            Ok(Some(out))
        }
        Err(age::DecryptError::NoMatchingKeys) => Ok(None),
        Err(e) => Err(KeyError::Failed(format!("age decryption failed: {e}"))),
    }
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
        let enc = stored.enc();
        let ids = static_identities();
        if let Some(k) = try_unwrap(enc, &ids.list)? {
            return Ok(k);
        }
        let mut tried = ids.tried.clone();
        let recipient = stored.field("recipient").unwrap_or("");
        if let Some(cmd) = cmd_identities(recipient) {
            let cmd = cmd?;
            if let Some(k) = try_unwrap(enc, &cmd.list)? {
                return Ok(k);
            }
            tried.extend(cmd.tried);
        }
        let n = ids.list.len();
        let mut msg = if n == 0 {
            "no age identity found".to_string()
        } else {
            format!("none of the {n} age identities found matches this recipient")
        };
        msg.push_str(&format!(" (looked in: {})", tried.join(", ")));
        if !ids.problems.is_empty() {
            msg.push_str(&format!("; problems: {}", ids.problems.join("; ")));
        }
        Err(KeyError::NotMine(msg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_produces_sops_style_armor() {
        let id = age::x25519::Identity::generate();
        let k: AgeKey = id.to_public().to_string().parse().unwrap();
        let stored = k.wrap(&[7u8; 32]).unwrap();
        let enc = stored.enc();
        assert!(enc.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
        assert!(enc.ends_with("-----END AGE ENCRYPTED FILE-----\n"));
        let ids: Vec<Ident> = vec![Box::new(id)];
        assert_eq!(&try_unwrap(enc, &ids).unwrap().unwrap()[..], &[7u8; 32]);
        let other: Vec<Ident> = vec![Box::new(age::x25519::Identity::generate())];
        assert!(try_unwrap(enc, &other).unwrap().is_none());
    }
}

//! PGP master keys through the `gpg` binary, as SOPS does (spec §6): `--pgp FP`, `SOPS_PGP_FP`,
//! `SOPS_GPG_EXEC`, `GNUPGHOME`. gpg runs with `--batch` so it never waits on a missing TTY;
//! the agent, pinentry and smartcards keep working as configured. The stored `enc` is gpg's
//! ASCII armor without its trailing newline.

use std::io::Write;
use std::process::{Command, Stdio};

use zeroize::Zeroizing;

use super::{Backend, KeyError, MasterKey};
use crate::store::metadata::StoredKey;
use crate::tree::{Branch, Time, Value};

/// The PGP backend.
pub struct PgpBackend;

/// The registered instance.
pub static PGP: PgpBackend = PgpBackend;

/// One PGP key, by fingerprint.
#[derive(Debug, Clone)]
pub struct PgpKey {
    fp: String,
}

fn gpg() -> String {
    std::env::var("SOPS_GPG_EXEC")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "gpg".into())
}

fn run_gpg(args: &[&str], input: &[u8]) -> Result<Zeroizing<Vec<u8>>, String> {
    let exe = gpg();
    let mut cmd = Command::new(&exe);
    cmd.arg("--batch")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Ok(home) = std::env::var("GNUPGHOME") {
        if !home.is_empty() {
            cmd.arg("--homedir").arg(home);
        }
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {exe}: {e} (install GnuPG or set SOPS_GPG_EXEC)"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .map_err(|e| format!("writing to {exe}: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("waiting for {exe}: {e}"))?;
    if out.status.success() {
        Ok(Zeroizing::new(out.stdout))
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_owned();
        Err(format!("{exe} failed ({}): {last}", out.status))
    }
}

impl MasterKey for PgpKey {
    fn kind(&self) -> &'static str {
        "pgp"
    }

    fn id(&self) -> String {
        self.fp.clone()
    }

    fn wrap(&self, secret: &[u8]) -> Result<StoredKey, KeyError> {
        let trusted = &self.fp[self.fp.len().saturating_sub(16)..];
        let args = [
            "--no-default-recipient",
            "--yes",
            "--encrypt",
            "-a",
            "-r",
            &self.fp,
            "--trusted-key",
            trusted,
            "--no-encrypt-to",
        ];
        // sops-compat: gpg's trailing newline is trimmed (YAML `|-`).
        let out = run_gpg(&args, secret).map_err(KeyError::Failed)?;
        let armor = String::from_utf8_lossy(&out).trim_end().to_owned();
        let mut fields = Branch::new();
        fields.push("created_at", Value::Str(Time::now_utc().rfc3339()));
        fields.push("enc", Value::Str(armor));
        fields.push("fp", Value::Str(self.fp.clone()));
        Ok(StoredKey {
            kind: "pgp".into(),
            fields,
        })
    }
}

impl Backend for PgpBackend {
    fn name(&self) -> &'static str {
        "pgp"
    }

    fn parse_list(&self, spec: &str) -> Result<Vec<Box<dyn MasterKey>>, KeyError> {
        spec.split(',')
            .map(|s| {
                s.chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_uppercase()
            })
            .filter(|s| !s.is_empty())
            .map(|fp| {
                if fp.len() < 16 || !fp.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(KeyError::Failed(format!(
                        "invalid PGP fingerprint {fp:?}: expected 40 hex digits"
                    )));
                }
                Ok(Box::new(PgpKey { fp }) as Box<dyn MasterKey>)
            })
            .collect()
    }

    fn key_from_stored(&self, stored: &StoredKey) -> Result<Box<dyn MasterKey>, KeyError> {
        let fp = stored
            .field("fp")
            .ok_or_else(|| KeyError::Failed("pgp entry without a fingerprint".into()))?;
        let mut keys = self.parse_list(fp)?;
        keys.pop()
            .ok_or_else(|| KeyError::Failed("pgp entry without a fingerprint".into()))
    }

    fn unwrap(&self, stored: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let enc = stored.enc();
        if enc.is_empty() {
            return Err(KeyError::Failed("empty enc field".into()));
        }
        run_gpg(&["--decrypt", "--quiet"], enc.as_bytes()).map_err(|e| {
            if e.contains("No secret key")
                || e.contains("no secret key")
                || e.contains("decryption failed")
            {
                KeyError::NotMine(format!(
                    "no secret key for this fingerprint in the gpg keyring: {e}"
                ))
            } else {
                KeyError::Failed(e)
            }
        })
    }
}

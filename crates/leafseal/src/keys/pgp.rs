//! PGP master keys through the `gpg` binary, as SOPS does (spec §6): `--pgp FP`, `SOPS_PGP_FP`,
//! `SOPS_GPG_EXEC`, `GNUPGHOME`. gpg runs with `--batch` so it never waits on a missing TTY;
//! the agent, pinentry and smartcards keep working as configured. The stored `enc` is gpg's
//! ASCII armor without its trailing newline.

use std::io::{Read, Write};
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

/// The most gpg may print: a data key or Shamir share is at most 33 bytes, and its armored
/// encryption for one recipient a few KiB.
const MAX_OUTPUT: usize = 64 * 1024;

/// How long one gpg call may take (a pinentry prompt included); `LEAFSEAL_GPG_TIMEOUT`
/// (seconds) overrides it.
fn gpg_timeout() -> std::time::Duration {
    let secs = std::env::var("LEAFSEAL_GPG_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .unwrap_or(120);
    std::time::Duration::from_secs(secs)
}

/// Read `r` to its end, keeping at most `cap` bytes; `true` when there was more.
fn read_capped(mut r: impl Read, cap: usize) -> (Zeroizing<Vec<u8>>, bool) {
    let mut out = Zeroizing::new(Vec::new());
    let mut buf = Zeroizing::new([0u8; 8192]);
    loop {
        match r.read(&mut buf[..]) {
            Ok(0) | Err(_) => return (out, false),
            Ok(n) if out.len() + n > cap => return (out, true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Run gpg on `input`: stdin is fed and stdout and stderr are read on their own threads (so
/// a large input or output cannot deadlock), the output is capped at [`MAX_OUTPUT`] and the
/// call at [`gpg_timeout`]; gpg is killed when it passes either.
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
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("cannot talk to {exe}"));
    };
    let limit = gpg_timeout();
    let started = std::time::Instant::now();
    let over = std::sync::atomic::AtomicBool::new(false);
    let (status, out, too_much, err) = std::thread::scope(|s| {
        // (A write error means gpg stopped reading; its exit status tells why.)
        s.spawn(move || {
            let _ = stdin.write_all(input);
        });
        let over = &over;
        let out = s.spawn(move || {
            let (bytes, more) = read_capped(stdout, MAX_OUTPUT);
            over.store(more, std::sync::atomic::Ordering::SeqCst);
            (bytes, more)
        });
        let err = s.spawn(move || read_capped(stderr, MAX_OUTPUT));
        let status = loop {
            match child.try_wait() {
                Ok(Some(st)) => break Ok(st),
                Ok(None) if over.load(std::sync::atomic::Ordering::SeqCst) => {
                    // Past the output cap: stop it (the error says why).
                    let _ = child.kill();
                    match child.wait() {
                        Ok(st) => break Ok(st),
                        Err(e) => break Err(format!("waiting for {exe}: {e}")),
                    }
                }
                Ok(None) if started.elapsed() >= limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(format!(
                        "{exe} did not finish within {} s (set LEAFSEAL_GPG_TIMEOUT to wait longer)",
                        limit.as_secs()
                    ));
                }
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(5)),
                Err(e) => break Err(format!("waiting for {exe}: {e}")),
            }
        };
        let (out, too_much) = out.join().unwrap_or_default();
        let (err, _) = err.join().unwrap_or_default();
        (status, out, too_much, err)
    });
    let status = status?;
    if too_much {
        return Err(format!(
            "{exe} printed more than {} KiB; a SOPS data key is 32 bytes, so this is not one",
            MAX_OUTPUT / 1024
        ));
    }
    if status.success() {
        Ok(out)
    } else {
        let err = String::from_utf8_lossy(&err);
        let last = err
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_owned();
        Err(format!("{exe} failed ({status}): {last}"))
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
        Ok(self.entry(&armor))
    }

    fn entry(&self, enc: &str) -> StoredKey {
        let mut fields = Branch::new();
        fields.push("created_at", Value::Str(Time::now_utc().rfc3339()));
        fields.push("enc", Value::Str(enc.to_owned()));
        fields.push("fp", Value::Str(self.fp.clone()));
        StoredKey {
            kind: "pgp".into(),
            fields,
        }
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

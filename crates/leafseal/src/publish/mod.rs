//! `publish` (SOPS's `publish` subcommand): send an encrypted file to the destination a
//! `.sops.yaml` `destination_rules` entry names. For S3 and GCS the file is decrypted in memory
//! and re-encrypted under a new data key for the rule's `recreation_rule` keys (or uploaded as it
//! is when that rule names no keys); nothing plaintext leaves the process. For Vault KV (v1 or
//! v2) the *decrypted values* are written as the secret's data, as SOPS does: Vault then holds
//! them in plaintext behind its own access control.
//!
//! This module knows the destinations and the payloads; the CLI (`cli/publish.rs`) walks
//! directories, asks for confirmation and prints. Every network wait is bounded: a connect limit
//! (`LEAFSEAL_KMS_CONNECT_TIMEOUT`) and a total per upload (`LEAFSEAL_PUBLISH_TIMEOUT`,
//! default 30 s).

mod gcs;
mod s3;
mod vault_kv;

use std::path::Path;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::config::{CreationRule, DestinationRule};
use crate::error::{Error, ErrorKind, Result};
use crate::ops::{self, DecryptOptions, EncryptOptions};
use crate::store::{Format, StoreOptions};

/// Where a destination rule sends files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// An S3 bucket; `prefix` is prepended to the object name as is.
    S3 {
        /// `s3_bucket`.
        bucket: String,
        /// `s3_prefix`.
        prefix: String,
    },
    /// A Google Cloud Storage bucket.
    Gcs {
        /// `gcs_bucket`.
        bucket: String,
        /// `gcs_prefix`.
        prefix: String,
    },
    /// A Vault KV secrets engine.
    Vault {
        /// `vault_address`, else `VAULT_ADDR`, else Vault's default `https://127.0.0.1:8200`.
        address: String,
        /// `vault_path`, ending in `/`.
        path: String,
        /// `vault_kv_mount_name`, ending in `/` (default `secret/`).
        mount: String,
        /// 1 or 2.
        version: u8,
    },
}

impl Destination {
    /// The destination of `rule`; `None` when it names none.
    pub fn from_rule(rule: &DestinationRule) -> Option<Destination> {
        if !rule.s3_bucket.is_empty() {
            return Some(Destination::S3 {
                bucket: rule.s3_bucket.clone(),
                prefix: rule.s3_prefix.clone(),
            });
        }
        if !rule.gcs_bucket.is_empty() {
            return Some(Destination::Gcs {
                bucket: rule.gcs_bucket.clone(),
                prefix: rule.gcs_prefix.clone(),
            });
        }
        if rule.vault_path.is_empty() {
            return None;
        }
        let slash = |s: &str| {
            if s.ends_with('/') {
                s.to_owned()
            } else {
                format!("{s}/")
            }
        };
        let address = if rule.vault_address.is_empty() {
            std::env::var("VAULT_ADDR")
                .ok()
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| "https://127.0.0.1:8200".into())
        } else {
            rule.vault_address.clone()
        };
        let mount = if rule.vault_kv_mount_name.is_empty() {
            "secret/".to_owned()
        } else {
            slash(&rule.vault_kv_mount_name)
        };
        Some(Destination::Vault {
            address,
            path: slash(&rule.vault_path),
            mount,
            // sops-compat: any version but 1 is 2.
            version: if rule.vault_kv_version == 1 { 1 } else { 2 },
        })
    }

    /// Whether the destination receives decrypted values (Vault KV) rather than a file.
    pub fn takes_values(&self) -> bool {
        matches!(self, Destination::Vault { .. })
    }

    /// Where `name` goes, as SOPS shows it: `s3://bucket/prefixname`, `gcs://…`, or the Vault
    /// API URL of the secret.
    pub fn url(&self, name: &str) -> String {
        match self {
            Destination::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}{name}"),
            Destination::Gcs { bucket, prefix } => format!("gcs://{bucket}/{prefix}{name}"),
            Destination::Vault { address, .. } => {
                format!(
                    "{}/v1/{}",
                    address.trim_end_matches('/'),
                    self.secret_path(name)
                )
            }
        }
    }

    /// The Vault API path of a secret (`mount/path/name`, or `mount/data/path/name` for v2).
    fn secret_path(&self, name: &str) -> String {
        match self {
            Destination::Vault {
                path,
                mount,
                version: 1,
                ..
            } => format!("{mount}{path}{name}"),
            Destination::Vault { path, mount, .. } => format!("{mount}data/{path}{name}"),
            _ => name.to_owned(),
        }
    }

    /// Send `payload` as `name`. `false` when a Vault secret already held the same data
    /// (nothing written).
    pub fn upload(&self, payload: &Payload, name: &str) -> Result<bool> {
        let target = self.url(name);
        let fail =
            |msg: String| Error::new(ErrorKind::Generic, format!("publishing to {target}: {msg}"));
        let deadline = Instant::now() + limits().map_err(fail)?.0;
        let connect = limits().map_err(fail)?.1;
        match (self, payload) {
            (Destination::S3 { bucket, prefix }, Payload::File(bytes)) => {
                s3::put(bucket, &format!("{prefix}{name}"), bytes, deadline, connect).map(|()| true)
            }
            (Destination::Gcs { bucket, prefix }, Payload::File(bytes)) => {
                gcs::put(bucket, &format!("{prefix}{name}"), bytes, deadline, connect)
                    .map(|()| true)
            }
            (
                Destination::Vault {
                    address, version, ..
                },
                Payload::Values(json),
            ) => vault_kv::write(
                address,
                &self.secret_path(name),
                *version,
                json,
                deadline,
                connect,
            ),
            _ => Err("the payload does not fit this destination".to_owned()),
        }
        .map_err(fail)
    }
}

/// What is uploaded.
pub enum Payload {
    /// An encrypted file (S3, GCS).
    File(Vec<u8>),
    /// The decrypted values as a JSON object (Vault KV).
    Values(Zeroizing<String>),
}

/// `LEAFSEAL_PUBLISH_TIMEOUT` (whole upload) and `LEAFSEAL_KMS_CONNECT_TIMEOUT`.
fn limits() -> std::result::Result<(Duration, Duration), String> {
    let total = crate::keys::env_seconds("LEAFSEAL_PUBLISH_TIMEOUT", 30.0)?;
    let connect = crate::keys::env_seconds("LEAFSEAL_KMS_CONNECT_TIMEOUT", 1.0)?;
    Ok((total, connect))
}

/// The name a file gets at the destination: its file name, or with `root` (a `--recursive`
/// walk) its path below `root`; without its extension when `omit_extension`.
pub fn destination_name(file: &Path, root: Option<&Path>, omit_extension: bool) -> String {
    let rel = root
        .and_then(|r| file.strip_prefix(r).ok())
        .filter(|r| !r.as_os_str().is_empty())
        .map(|r| r.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/"))
        .unwrap_or_else(|| {
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    if !omit_extension {
        return rel;
    }
    // sops-compat: the extension of the file's own name is cut from the end of the path.
    match file.extension() {
        Some(ext) => {
            let suffix = format!(".{}", ext.to_string_lossy());
            rel.strip_suffix(&suffix).unwrap_or(&rel).to_owned()
        }
        None => rel,
    }
}

/// Key ids per group.
pub type GroupIds = Vec<Vec<String>>;

/// How a file is prepared.
pub struct Prepared {
    /// What to upload.
    pub payload: Payload,
    /// When re-encrypted: the key groups before and after, as key ids per group.
    pub groups: Option<(GroupIds, GroupIds)>,
}

/// SOPS's report of a key group change (`Group 1`, `    kept`, `+++ added`, `--- removed`
/// lines); empty when no key is added or removed.
pub fn key_changes(old: &[Vec<String>], new: &[Vec<String>]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut changed = false;
    let empty = Vec::new();
    for i in 0..old.len().max(new.len()) {
        let (o, n) = (old.get(i).unwrap_or(&empty), new.get(i).unwrap_or(&empty));
        lines.push(format!("Group {}", i + 1));
        lines.extend(
            n.iter()
                .filter(|k| o.contains(k))
                .map(|k| format!("    {k}")),
        );
        for k in n.iter().filter(|k| !o.contains(k)) {
            changed = true;
            lines.push(format!("+++ {k}"));
        }
        for k in o.iter().filter(|k| !n.contains(k)) {
            changed = true;
            lines.push(format!("--- {k}"));
        }
    }
    if changed {
        lines
    } else {
        Vec::new()
    }
}

/// Prepare an encrypted file (`input`, of `format`) for `dest`: re-encrypted for the keys of
/// `recreation` (as it is when those are none) for a bucket, decrypted values for Vault.
/// `order` is `--decryption-order`.
pub fn prepare(
    input: &[u8],
    format: Format,
    store: &StoreOptions,
    dest: &Destination,
    recreation: Option<&CreationRule>,
    order: &[String],
) -> Result<Prepared> {
    // The file must be a SOPS file whatever happens next.
    let loaded = ops::load(input, format, store)?;
    let decrypt = |output: Format| {
        ops::decrypt(
            input,
            &DecryptOptions {
                input: format,
                output,
                store: *store,
                ignore_mac: false,
                extract: None,
                decryption_order: order.to_vec(),
            },
        )
    };
    if dest.takes_values() {
        let plain = decrypt(Format::Json)?;
        let text = std::str::from_utf8(&plain.output)
            .map_err(|_| Error::new(ErrorKind::Generic, "the decrypted values are not UTF-8"))?;
        if !text.trim_start().starts_with('{') {
            return Err(Error::new(
                ErrorKind::Generic,
                "Vault KV takes a mapping at the top level of the file",
            ));
        }
        return Ok(Prepared {
            payload: Payload::Values(Zeroizing::new(text.to_owned())),
            groups: None,
        });
    }
    let rule = recreation.filter(|r| r.key_groups.iter().any(|g| !g.keys.is_empty()));
    let Some(rule) = rule else {
        return Ok(Prepared {
            payload: Payload::File(input.to_vec()),
            groups: None,
        });
    };
    let config = |e: crate::config::ConfigError| e.into_error();
    let groups = rule.build_groups().map_err(config)?;
    let old = loaded
        .meta
        .groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|k| {
                    let id = k.id();
                    // `kind: id` → the id alone, the form master keys give and SOPS prints.
                    id.strip_prefix(&format!("{}: ", k.kind))
                        .map_or(id.clone(), str::to_owned)
                })
                .collect()
        })
        .collect();
    let new = groups
        .iter()
        .map(|g| g.iter().map(|k| k.id()).collect())
        .collect();
    let plain = decrypt(format)?;
    let out = ops::encrypt(
        &plain.output,
        &EncryptOptions {
            input: format,
            output: format,
            store: *store,
            groups,
            shamir_threshold: rule.shamir_threshold,
            rule: rule.selection_rule().map_err(config)?,
            mac_only_encrypted: rule.mac_only_encrypted,
        },
    )?;
    Ok(Prepared {
        payload: Payload::File(out),
        groups: Some((old, new)),
    })
}

/// Percent-encode for a URL path or query value, keeping `/` when `keep_slash`.
pub(crate) fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(f: impl FnOnce(&mut DestinationRule)) -> DestinationRule {
        let mut r = DestinationRule::default();
        f(&mut r);
        r
    }

    #[test]
    fn urls_as_sops_shows_them() {
        let s3 = Destination::from_rule(&rule(|r| {
            r.s3_bucket = "b".into();
            r.s3_prefix = "p/".into();
        }))
        .unwrap();
        assert_eq!(s3.url("f.json"), "s3://b/p/f.json");
        let v2 = Destination::from_rule(&rule(|r| {
            r.vault_path = "team".into();
            r.vault_address = "http://127.0.0.1:1".into();
        }))
        .unwrap();
        assert_eq!(
            v2.url("f.json"),
            "http://127.0.0.1:1/v1/secret/data/team/f.json"
        );
        let v1 = Destination::from_rule(&rule(|r| {
            r.vault_path = "team/".into();
            r.vault_address = "http://127.0.0.1:1/".into();
            r.vault_kv_mount_name = "kv".into();
            r.vault_kv_version = 1;
        }))
        .unwrap();
        assert_eq!(v1.url("f"), "http://127.0.0.1:1/v1/kv/team/f");
        assert!(Destination::from_rule(&rule(|_| {})).is_none());
    }

    #[test]
    fn names() {
        let f = Path::new("dir/sub/a.enc.json");
        assert_eq!(destination_name(f, None, false), "a.enc.json");
        assert_eq!(destination_name(f, None, true), "a.enc");
        assert_eq!(
            destination_name(f, Some(Path::new("dir")), false),
            "sub/a.enc.json"
        );
        assert_eq!(
            destination_name(f, Some(Path::new("dir")), true),
            "sub/a.enc"
        );
        assert_eq!(encode("a b/c+d", true), "a%20b/c%2Bd");
        assert_eq!(encode("a/b", false), "a%2Fb");
    }

    #[test]
    fn key_change_report() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(key_changes(&[v(&["a"])], &[v(&["a"])]).is_empty());
        assert_eq!(
            key_changes(&[v(&["a", "b"])], &[v(&["a", "c"]), v(&["d"])]),
            v(&["Group 1", "    a", "+++ c", "--- b", "Group 2", "+++ d"])
        );
    }
}

//! The documented, semver-covered library API: open a SOPS file, decrypt it into a tree or a
//! `serde` type, read one value, encrypt for explicit master keys or by `.sops.yaml` rules, set
//! and unset values (unchanged values keep their ciphertexts), rotate the data key.
//!
//! Everything here is a thin layer over the same operations the `leafseal` command runs, so a
//! file written through this API is byte-compatible with SOPS 3.x and with the CLI.

use std::path::Path;

use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};
use crate::keygroups::Groups;
use crate::keys::MasterKey;
use crate::ops::rewrite::{from_json, set_value, unset_value, Session};
use crate::ops::{DecryptOptions, EncryptOptions};
use crate::store::{Format, StoreOptions};
use crate::tree::path::{self, Step};

/// An encrypted SOPS document held in memory: its bytes and its format.
///
/// Every method that changes the document returns the new encrypted bytes in a new
/// `Document`; nothing is written to disk (use [`Document::save`] for that).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    bytes: Vec<u8>,
    format: Format,
}

impl Document {
    /// An encrypted document from its bytes, in `format`. Nothing is checked until it is used.
    pub fn open(bytes: impl Into<Vec<u8>>, format: Format) -> Document {
        Document {
            bytes: bytes.into(),
            format,
        }
    }

    /// Read an encrypted file; its format comes from its name as SOPS decides it (`.yaml`,
    /// `.json`, `.env`, `.ini`, `.toml`, anything else binary).
    pub fn read(path: impl AsRef<Path>) -> Result<Document> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
        Ok(Document::open(bytes, Format::from_path(Some(path))))
    }

    /// Write the encrypted bytes to `path` atomically (temporary file, fsync, rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        crate::fsio::write_atomic(path, &self.bytes, 0o644).map_err(|e| {
            Error::new(
                ErrorKind::WriteOutput,
                format!("{}: cannot write: {e}", path.display()),
            )
        })
    }

    /// The encrypted bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The document's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Decrypt to the plaintext file, in the document's own format (what `sops decrypt`
    /// prints). The MAC is verified.
    pub fn decrypt(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt_as(self.format)
    }

    /// Decrypt to a JSON tree (maps keep their order). A binary document is `{"data": "…"}`.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        let text = self.decrypt_as(Format::Json)?;
        serde_json::from_slice(&text).map_err(|e| {
            Error::new(
                ErrorKind::Generic,
                format!("decrypted tree is not valid JSON: {e}"),
            )
        })
    }

    /// Decrypt straight into a `serde` type.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T> {
        let tree = self.to_json()?;
        serde_json::from_value(tree).map_err(|e| {
            Error::new(
                ErrorKind::Generic,
                format!("decrypted tree does not fit the requested type: {e}"),
            )
        })
    }

    /// One decrypted value by its SOPS path (`["db"]["password"]`, `["list"][0]`).
    pub fn extract(&self, tree_path: &str) -> Result<serde_json::Value> {
        let steps = parse_path(tree_path)?;
        let mut at = self.to_json()?;
        for step in &steps {
            let next = match (step, &mut at) {
                (Step::Key(k), serde_json::Value::Object(m)) => m.remove(k),
                (Step::Index(i), serde_json::Value::Array(a)) if *i < a.len() => {
                    Some(a.swap_remove(*i))
                }
                _ => None,
            };
            at = next.ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidTreePath,
                    format!("{tree_path}: no such value in the document"),
                )
            })?;
        }
        Ok(at)
    }

    /// Set the value at `tree_path` (creating missing map keys) and re-encrypt. Values that did
    /// not change keep their ciphertexts, so a diff shows only the changed line.
    pub fn set(&self, tree_path: &str, value: serde_json::Value) -> Result<Document> {
        let steps = parse_path(tree_path)?;
        self.rewrite(|doc| set_value(doc, &steps, from_json(&value)).map(|_| ()))
    }

    /// Remove the value at `tree_path` and re-encrypt (other ciphertexts are kept).
    pub fn unset(&self, tree_path: &str) -> Result<Document> {
        let steps = parse_path(tree_path)?;
        self.rewrite(|doc| {
            if unset_value(doc, &steps)? {
                Ok(())
            } else {
                Err(Error::new(
                    ErrorKind::InvalidTreePath,
                    format!("{tree_path}: no such value in the document"),
                ))
            }
        })
    }

    /// Rotate: a new data key, wrapped for the same master keys plus the keys of `add` (all
    /// into the first key group; `Recipients::new()` adds none); every value is re-encrypted
    /// under it.
    pub fn rotate(&self, add: Recipients) -> Result<Document> {
        let mut session = self.session()?;
        session.rotate(add.groups.into_iter().flatten().collect(), &[])?;
        let doc = session.doc.clone();
        let bytes = session.seal(doc, &self.bytes);
        drop_notes();
        Ok(Document::open(bytes?, self.format))
    }

    fn session(&self) -> Result<Session> {
        Session::open(
            &self.bytes,
            self.format,
            StoreOptions::default(),
            &[],
            false,
        )
    }

    fn rewrite(
        &self,
        change: impl FnOnce(&mut crate::tree::Doc) -> Result<()>,
    ) -> Result<Document> {
        let mut session = self.session()?;
        let mut doc = session.doc.clone();
        change(&mut doc)?;
        let bytes = session.seal(doc, &self.bytes);
        drop_notes();
        Ok(Document::open(bytes?, self.format))
    }

    fn decrypt_as(&self, output: Format) -> Result<Zeroizing<Vec<u8>>> {
        let opts = DecryptOptions {
            input: self.format,
            output,
            store: StoreOptions::default(),
            ignore_mac: false,
            extract: None,
            decryption_order: Vec::new(),
        };
        Ok(crate::ops::decrypt(&self.bytes, &opts)?.output)
    }
}

/// Read and decrypt a file in one call: the plaintext in the file's own format.
pub fn decrypt_file(path: impl AsRef<Path>) -> Result<Zeroizing<Vec<u8>>> {
    Document::read(path)?.decrypt()
}

/// The master keys a new document is encrypted for, in key groups (one group unless
/// [`Recipients::new_group`] is used; a document needs one key of every group to open).
#[derive(Debug, Default)]
pub struct Recipients {
    groups: Groups,
    threshold: usize,
}

impl Recipients {
    /// No keys yet.
    pub fn new() -> Recipients {
        Recipients::default()
    }

    /// Add keys as the CLI's flags name them: `backend` is the metadata name (`age`, `pgp`,
    /// `kms`, `gcp_kms`, `azure_kv`, `hc_vault`, `hckms`) and `keys` a comma-separated list.
    /// A backend this build was compiled without is an error.
    pub fn add(mut self, backend: &str, keys: &str) -> Result<Recipients> {
        let b = crate::keys::backend(backend).ok_or_else(|| {
            Error::new(
                ErrorKind::Generic,
                format!("{backend} keys are not supported by this build"),
            )
            .hint(format!("enable leafseal's {backend:?} Cargo feature"))
        })?;
        let parsed = b
            .parse_list(keys)
            .map_err(|e| Error::new(ErrorKind::Generic, format!("{backend}: {e}")))?;
        for k in parsed {
            self = self.key(k);
        }
        Ok(self)
    }

    /// Add one age recipient (`age1…`).
    pub fn age(self, recipient: &str) -> Result<Recipients> {
        self.add("age", recipient)
    }

    /// Add a master key of any kind, including one of your own [`MasterKey`] implementation.
    pub fn key(mut self, key: Box<dyn MasterKey>) -> Recipients {
        if self.groups.is_empty() {
            self.groups.push(Vec::new());
        }
        if let Some(last) = self.groups.last_mut() {
            last.push(key);
        }
        self
    }

    /// Start a new key group (Shamir secret sharing: see `threshold`).
    pub fn new_group(mut self) -> Recipients {
        self.groups.push(Vec::new());
        self
    }

    /// How many key groups must be opened to recover the data key (0, the default: all).
    pub fn threshold(mut self, groups: usize) -> Recipients {
        self.threshold = groups;
        self
    }
}

/// Encrypt a plaintext document (`format` says how to parse it) for `recipients`. Keys
/// ending in `_unencrypted` stay in clear text, as SOPS does by default.
pub fn encrypt(plaintext: &[u8], format: Format, recipients: Recipients) -> Result<Document> {
    let groups: Groups = recipients
        .groups
        .into_iter()
        .filter(|g| !g.is_empty())
        .collect();
    if groups.is_empty() {
        return Err(Error::new(
            ErrorKind::Generic,
            "no master keys to encrypt for",
        ));
    }
    let opts = EncryptOptions {
        input: format,
        output: format,
        store: StoreOptions::default(),
        groups,
        shamir_threshold: recipients.threshold,
        rule: None,
        mac_only_encrypted: false,
    };
    let bytes = crate::ops::encrypt(plaintext, &opts);
    drop_notes();
    Ok(Document::open(bytes?, format))
}

/// Encrypt the plaintext file `path` by the `.sops.yaml` creation rule that matches it (found
/// by walking up from the file's directory, as SOPS does): its key groups, threshold and
/// selection rule (`encrypted_regex`, `unencrypted_suffix`, …).
pub fn encrypt_file_with_rules(path: impl AsRef<Path>) -> Result<Document> {
    let path = path.as_ref();
    let plaintext = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    let format = Format::from_path(Some(path));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::env::current_dir().map_err(|e| io_error(Path::new("."), &e))?,
    };
    let Some((config_path, config)) =
        crate::config::find(None, &dir).map_err(|e| e.into_error())?
    else {
        return Err(Error::new(
            ErrorKind::Generic,
            format!("{}: no .sops.yaml found above it", path.display()),
        ));
    };
    let config_dir = config_path
        .parent()
        .map_or_else(|| dir.clone(), Path::to_path_buf);
    let rule = config
        .rule_for(path, &config_dir)
        .map_err(|e| e.into_error())?
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Generic,
                format!("{}: has no creation_rules", config_path.display()),
            )
        })?;
    let opts = EncryptOptions {
        input: format,
        output: format,
        store: config.stores.options(format),
        groups: rule.build_groups().map_err(|e| e.into_error())?,
        shamir_threshold: rule.shamir_threshold,
        rule: rule.selection_rule().map_err(|e| e.into_error())?,
        mac_only_encrypted: rule.mac_only_encrypted,
    };
    let bytes = crate::ops::encrypt(&plaintext, &opts);
    drop_notes();
    Ok(Document::open(bytes?, format))
}

/// Read age identities from `path` (as `SOPS_AGE_KEY_FILE` does) for every later decryption
/// in this process. Without it the usual places are searched (`SOPS_AGE_KEY`,
/// `SOPS_AGE_KEY_FILE`, `SOPS_AGE_KEY_CMD`, the user's `keys.txt`). Set it before the first
/// decryption; later calls are ignored.
#[cfg(feature = "age")]
pub fn use_age_key_file(path: impl Into<std::path::PathBuf>) {
    crate::keys::age::use_key_file(path.into());
}

/// The metadata names of the master-key backends this build has (`age`, `pgp`, `kms`,
/// `gcp_kms`, `azure_kv`, `hc_vault`, `hckms`), as its Cargo features chose them.
pub fn backends() -> Vec<&'static str> {
    crate::keys::BACKENDS.iter().map(|b| b.name()).collect()
}

/// The write guard's notes (a layout-keeping splice fell back to the canonical layout) go to
/// a thread-local list the CLI prints; the API has no warning channel yet, so they are
/// dropped here rather than pile up in a long-running program.
fn drop_notes() {
    let _ = crate::store::guard::take_notes();
}

fn parse_path(tree_path: &str) -> Result<Vec<Step>> {
    path::parse(tree_path)
        .map_err(|e| Error::new(ErrorKind::InvalidTreePath, format!("{tree_path}: {e}")))
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    let kind = if e.kind() == std::io::ErrorKind::NotFound {
        ErrorKind::NoFile
    } else {
        ErrorKind::ReadInput
    };
    Error::new(kind, format!("{}: cannot read: {e}", path.display()))
}

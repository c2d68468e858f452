//! Master keys: each wraps the data key (or one Shamir share) and unwraps it again (spec §6).
//! A backend is one file plus one line in [`BACKENDS`]; nothing else names a backend.

pub mod age;
pub mod aws_kms;
mod azure_identity;
pub mod azure_kv;
pub mod gcp_kms;
pub mod hckms;
pub mod pgp;
pub(crate) mod rest;
pub mod vault;

use std::fmt;

use zeroize::Zeroizing;

use crate::store::metadata::StoredKey;

/// Why a master key could not unwrap (or wrap).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not ours to open: no matching identity, no credentials, backend unavailable.
    #[error("{0}")]
    NotMine(String),
    /// We had the key but the operation failed (corrupt data, service error).
    #[error("{0}")]
    Failed(String),
}

/// One master key a file can be encrypted to.
pub trait MasterKey: Send + Sync + fmt::Debug {
    /// Metadata list name (`age`, `kms`, …).
    fn kind(&self) -> &'static str;
    /// Identifier used for de-duplication and reports (recipient, ARN, fingerprint).
    fn id(&self) -> String;
    /// Wrap `secret` (the 32-byte data key or a 33-byte share) into a metadata entry.
    fn wrap(&self, secret: &[u8]) -> Result<StoredKey, KeyError>;
    /// The metadata entry [`wrap`](MasterKey::wrap) would return around the wrapped text
    /// `enc`: used when a key service did the wrapping (`crate::keyservice`). The default
    /// suits keys named by one field (`gcp_kms`, `hckms`): that field, `created_at` and `enc`
    /// in name order; a backend whose entry holds more overrides it, and its `wrap` should
    /// build its result with it so the two cannot differ.
    fn entry(&self, enc: &str) -> StoredKey {
        let mut pairs = [
            (crate::store::metadata::id_field(self.kind()), self.id()),
            ("created_at", crate::tree::Time::now_utc().rfc3339()),
            ("enc", enc.to_owned()),
        ];
        pairs.sort_by_key(|p| p.0);
        let mut fields = crate::tree::Branch::new();
        for (name, value) in pairs {
            fields.push(name, crate::tree::Value::Str(value));
        }
        StoredKey {
            kind: self.kind().to_owned(),
            fields,
        }
    }
}

/// A kind of master key.
pub trait Backend: Sync {
    /// Metadata list name, also the `--decryption-order` id.
    fn name(&self) -> &'static str;
    /// Parse a comma-separated list of keys as given on the command line or in env vars.
    fn parse_list(&self, spec: &str) -> Result<Vec<Box<dyn MasterKey>>, KeyError>;
    /// Unwrap a stored entry of this backend.
    fn unwrap(&self, stored: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError>;
    /// The master key a stored entry was made with, to wrap a new data key for it (`rotate`,
    /// `updatekeys`, `groups`).
    fn key_from_stored(&self, stored: &StoredKey) -> Result<Box<dyn MasterKey>, KeyError> {
        Err(KeyError::Failed(format!(
            "{} keys cannot be re-wrapped by this build",
            stored.kind
        )))
    }
}

/// Every backend this build knows.
pub static BACKENDS: &[&dyn Backend] = &[
    &age::AGE,
    &pgp::PGP,
    &aws_kms::KMS,
    &gcp_kms::GCP_KMS,
    &vault::VAULT,
    &azure_kv::AZURE_KV,
    &hckms::HCKMS,
];

/// The backend for a metadata list name.
pub fn backend(name: &str) -> Option<&'static dyn Backend> {
    BACKENDS.iter().copied().find(|b| b.name() == name)
}

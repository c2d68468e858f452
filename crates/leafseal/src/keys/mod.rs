//! Master keys: each wraps the data key (or one Shamir share) and unwraps it again (spec §6).
//! A backend is one file plus one line in [`BACKENDS`]; nothing else names a backend.

// One Cargo feature per backend; a backend compiled out is simply absent from [`BACKENDS`], so
// its metadata entries parse, are kept, and report "not supported by this build".
#[cfg(feature = "age")]
pub mod age;
#[cfg(feature = "aws-kms")]
pub mod aws_kms;
#[cfg(feature = "azure-kv")]
mod azure_identity;
#[cfg(feature = "azure-kv")]
pub mod azure_kv;
#[cfg(feature = "gcp-kms")]
pub mod gcp_kms;
#[cfg(feature = "hckms")]
pub mod hckms;
#[cfg(feature = "pgp")]
pub mod pgp;
#[cfg(any(
    feature = "gcp-kms",
    feature = "azure-kv",
    feature = "vault",
    feature = "hckms"
))]
pub(crate) mod rest;
#[cfg(feature = "vault")]
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
    #[cfg(feature = "age")]
    &age::AGE,
    #[cfg(feature = "pgp")]
    &pgp::PGP,
    #[cfg(feature = "aws-kms")]
    &aws_kms::KMS,
    #[cfg(feature = "gcp-kms")]
    &gcp_kms::GCP_KMS,
    #[cfg(feature = "vault")]
    &vault::VAULT,
    #[cfg(feature = "azure-kv")]
    &azure_kv::AZURE_KV,
    #[cfg(feature = "hckms")]
    &hckms::HCKMS,
];

/// The backend for a metadata list name.
pub fn backend(name: &str) -> Option<&'static dyn Backend> {
    BACKENDS.iter().copied().find(|b| b.name() == name)
}

/// A time limit from the environment: `var` as a number of seconds (0 < s <= 3600), else
/// `default` when unset or empty. Every network wait of the master-key backends and the key
/// service client is read through this (`LEAFSEAL_KMS_TIMEOUT`, `LEAFSEAL_IMDS_TIMEOUT`, …).
// Used by the network backends and the key service, which a feature set may leave out.
#[allow(dead_code)]
pub(crate) fn env_seconds(var: &str, default: f64) -> Result<std::time::Duration, String> {
    use std::time::Duration;
    match std::env::var(var) {
        Err(_) => Ok(Duration::from_secs_f64(default)),
        Ok(v) if v.trim().is_empty() => Ok(Duration::from_secs_f64(default)),
        Ok(v) => match v.trim().parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Ok(Duration::from_secs_f64(s)),
            _ => Err(format!(
                "{var}={v:?} is not a number of seconds between 0 and 3600"
            )),
        },
    }
}

/// A time limit as messages print it: to a tenth of a second, so a deadline's remaining 0.9999s
/// reads as the 1s it was set to.
#[allow(dead_code)]
pub(crate) fn secs(d: std::time::Duration) -> String {
    let s = (d.as_secs_f64() * 10.0).round() / 10.0;
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}

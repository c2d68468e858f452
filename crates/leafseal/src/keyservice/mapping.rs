//! The one translation between a metadata entry ([`StoredKey`], named by SOPS's metadata field
//! names) and the protocol's [`proto::Key`]: one function pair per key type. The server builds
//! a master key from the request through the backend registry (`keys::backend`), so a backend
//! added to `BACKENDS` is served with no change here once its metadata names are listed below.

use std::collections::{BTreeMap, HashMap};

use crate::store::metadata::StoredKey;
use crate::tree::{Branch, Item, Value};

use super::proto::{self, KeyType};

/// Why a key cannot cross the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapError {
    /// The request names no key (or a oneof member this build does not know).
    NoKey,
    /// A metadata key type the protocol has no message for.
    Unsupported(String),
}

impl std::fmt::Display for MapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MapError::NoKey => write!(
                f,
                "the request names no key, or a key type this build does not know"
            ),
            MapError::Unsupported(kind) => {
                write!(f, "{kind} keys have no key service message (SOPS's protocol knows age, pgp, kms, gcp_kms, azure_kv, hc_vault and hckms)")
            }
        }
    }
}

fn text(stored: &StoredKey, name: &str) -> String {
    stored.field(name).unwrap_or("").to_owned()
}

fn entry(kind: &str, pairs: &[(&str, &str)]) -> StoredKey {
    let mut fields = Branch::new();
    for (k, v) in pairs {
        fields.push(*k, Value::Str((*v).to_owned()));
    }
    StoredKey {
        kind: kind.to_owned(),
        fields,
    }
}

/// A KMS encryption context from its stored map (values as text, as SOPS's weak decoding).
fn context_of(stored: &StoredKey) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Some(Value::Map(b)) = stored.fields.get("context").map(|n| &n.value) {
        for i in &b.items {
            if let Item::Pair(k, n) = i {
                let v = match &n.value {
                    Value::Str(s) => s.clone(),
                    Value::Int(i) => i.to_string(),
                    Value::Uint(u) => u.to_string(),
                    Value::Float(f) => f.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                out.insert(k.name.clone(), v);
            }
        }
    }
    out
}

/// The protocol key for a metadata entry (its `enc` is sent separately).
pub fn key_of_stored(stored: &StoredKey) -> Result<proto::Key, MapError> {
    let t = |name: &str| text(stored, name);
    let key_type = match stored.kind.as_str() {
        "age" => KeyType::AgeKey(proto::AgeKey {
            recipient: t("recipient"),
        }),
        "pgp" => KeyType::PgpKey(proto::PgpKey {
            fingerprint: t("fp"),
        }),
        "kms" => KeyType::KmsKey(proto::KmsKey {
            arn: t("arn"),
            role: t("role"),
            context: context_of(stored),
            aws_profile: t("aws_profile"),
        }),
        "gcp_kms" => KeyType::GcpKmsKey(proto::GcpKmsKey {
            resource_id: t("resource_id"),
        }),
        "azure_kv" => KeyType::AzureKeyvaultKey(proto::AzureKeyVaultKey {
            vault_url: t("vault_url"),
            name: t("name"),
            version: t("version"),
        }),
        "hc_vault" => KeyType::VaultKey(proto::VaultKey {
            vault_address: t("vault_address"),
            engine_path: t("engine_path"),
            key_name: t("key_name"),
        }),
        "hckms" => KeyType::HckmsKey(proto::HckmsKey {
            key_id: t("key_id"),
        }),
        other => return Err(MapError::Unsupported(other.to_owned())),
    };
    Ok(proto::Key {
        key_type: Some(key_type),
    })
}

/// The metadata entry (without `enc`) a request's key stands for, in the field names the
/// backend reads from a file.
pub fn stored_of_key(key: Option<&proto::Key>) -> Result<StoredKey, MapError> {
    let Some(key_type) = key.and_then(|k| k.key_type.as_ref()) else {
        return Err(MapError::NoKey);
    };
    Ok(match key_type {
        KeyType::AgeKey(k) => entry("age", &[("recipient", &k.recipient)]),
        KeyType::PgpKey(k) => entry("pgp", &[("fp", &k.fingerprint)]),
        KeyType::KmsKey(k) => {
            let mut s = entry(
                "kms",
                &[
                    ("arn", &k.arn),
                    ("aws_profile", &k.aws_profile),
                    ("role", &k.role),
                ],
            );
            if !k.context.is_empty() {
                let sorted: BTreeMap<&String, &String> = k.context.iter().collect();
                let mut ctx = Branch::new();
                for (name, v) in sorted {
                    ctx.push(name.clone(), Value::Str(v.clone()));
                }
                s.fields.push("context", Value::Map(ctx));
            }
            s
        }
        KeyType::GcpKmsKey(k) => entry("gcp_kms", &[("resource_id", &k.resource_id)]),
        KeyType::AzureKeyvaultKey(k) => entry(
            "azure_kv",
            &[
                ("vault_url", &k.vault_url),
                ("name", &k.name),
                ("version", &k.version),
            ],
        ),
        KeyType::VaultKey(k) => entry(
            "hc_vault",
            &[
                ("vault_address", &k.vault_address),
                ("engine_path", &k.engine_path),
                ("key_name", &k.key_name),
            ],
        ),
        KeyType::HckmsKey(k) => entry("hckms", &[("key_id", &k.key_id)]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_key_type_round_trips() {
        let keys = [
            KeyType::AgeKey(proto::AgeKey {
                recipient: "age1abc".into(),
            }),
            KeyType::PgpKey(proto::PgpKey {
                fingerprint: "ABCDEF0123456789".into(),
            }),
            KeyType::KmsKey(proto::KmsKey {
                arn: "arn:aws:kms:eu-west-1:123456789012:key/x".into(),
                role: "arn:aws:iam::123456789012:role/r".into(),
                context: [("a".to_owned(), "1".to_owned()), ("b".into(), "2".into())]
                    .into_iter()
                    .collect(),
                aws_profile: "p".into(),
            }),
            KeyType::GcpKmsKey(proto::GcpKmsKey {
                resource_id: "projects/p/locations/l/keyRings/r/cryptoKeys/k".into(),
            }),
            KeyType::AzureKeyvaultKey(proto::AzureKeyVaultKey {
                vault_url: "https://v.vault.azure.net".into(),
                name: "k".into(),
                version: "1".into(),
            }),
            KeyType::VaultKey(proto::VaultKey {
                vault_address: "https://vault:8200".into(),
                engine_path: "sops".into(),
                key_name: "k".into(),
            }),
            KeyType::HckmsKey(proto::HckmsKey {
                key_id: "tr-west-1:1234".into(),
            }),
        ];
        for kt in keys {
            let key = proto::Key { key_type: Some(kt) };
            let stored = stored_of_key(Some(&key)).unwrap();
            assert_eq!(key_of_stored(&stored).unwrap(), key, "{}", stored.kind);
        }
    }

    #[test]
    fn missing_and_unknown_keys_are_errors() {
        assert_eq!(stored_of_key(None), Err(MapError::NoKey));
        assert_eq!(
            stored_of_key(Some(&proto::Key { key_type: None })),
            Err(MapError::NoKey)
        );
        let odd = entry("barbican", &[("id", "x")]);
        assert!(matches!(key_of_stored(&odd), Err(MapError::Unsupported(_))));
    }
}

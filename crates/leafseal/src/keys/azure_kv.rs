//! Azure Key Vault master keys (spec §6): the data key is encrypted with RSA-OAEP-256 by the
//! vault's `encrypt` operation under `{vault_url}/keys/{name}/{version}`; the stored `enc` is
//! the unpadded base64url of the result. A key URL without a version is resolved to the key's
//! current version (one `GET`) before wrapping, and that version is what the file records.
//!
//! Authentication follows Key Vault's bearer challenge: the first request of a vault goes out
//! without a token or body, the `401` names the authority and resource, the resource must be a
//! parent domain of the vault's host (as the Azure SDKs check), and a token for it comes from
//! the default credential chain in `azure_identity.rs`. Every wait is bounded by the limits of
//! `rest.rs`; a key with no usable credential fails at once naming what was tried.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use regex::Regex;
use zeroize::Zeroizing;

use super::azure_identity::{self, Challenge};
use super::rest::{Call, Limits, NetError, Reply};
use super::{Backend, KeyError, MasterKey};
use crate::store::metadata::StoredKey;
use crate::tree::{Branch, Time, Value};

/// The Azure Key Vault backend.
pub struct AzureKvBackend;

/// The registered instance.
pub static AZURE_KV: AzureKvBackend = AzureKvBackend;

/// Key Vault REST API version of the requests (the service answers every recent one alike).
const API_VERSION: &str = "7.4";

/// One Key Vault key: vault URL, key name and (possibly not yet resolved) version.
#[derive(Clone, PartialEq, Eq)]
pub struct AzureKey {
    vault_url: String,
    name: String,
    version: String,
}

impl fmt::Debug for AzureKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AzureKey({})", self.url())
    }
}

fn url_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // sops-compat: SOPS's pattern for `--azure-kv` and `azure_keyvault` URLs.
    RE.get_or_init(|| Regex::new(r"^(https://[^/]+)/keys/([^/]+)(/[^/]*)?$").expect("valid regex"))
}

impl AzureKey {
    /// Parse `https://VAULT/keys/NAME[/VERSION]`.
    pub fn parse(url: &str) -> Result<Self, KeyError> {
        let url = url.trim();
        let c = url_regex().captures(url).ok_or_else(|| {
            KeyError::Failed(format!(
                "invalid Azure Key Vault key URL {url:?}: expected https://VAULT/keys/NAME[/VERSION]"
            ))
        })?;
        let part = |i: usize| c.get(i).map(|m| m.as_str()).unwrap_or("");
        Ok(AzureKey {
            vault_url: part(1).to_owned(),
            name: part(2).to_owned(),
            version: part(3).trim_start_matches('/').to_owned(),
        })
    }

    /// SOPS's `ToString`: `{vault_url}/keys/{name}/{version}`.
    pub fn url(&self) -> String {
        format!("{}/keys/{}/{}", self.vault_url, self.name, self.version)
    }

    fn from_stored(stored: &StoredKey) -> Result<Self, KeyError> {
        let vault_url = stored.field("vault_url").unwrap_or("").trim();
        let name = stored.field("name").unwrap_or("").trim();
        if !vault_url.starts_with("https://") || name.is_empty() {
            return Err(KeyError::Failed(format!(
                "azure_kv entry {vault_url:?}: vault_url (https://…) and name are required"
            )));
        }
        Ok(AzureKey {
            vault_url: vault_url.trim_end_matches('/').to_owned(),
            name: name.to_owned(),
            version: stored.field("version").unwrap_or("").trim().to_owned(),
        })
    }

    /// This key with its version resolved (cached per process).
    fn resolved(&self, deadline: Instant) -> Result<AzureKey, KeyError> {
        if !self.version.is_empty() {
            return Ok(self.clone());
        }
        static VERSIONS: OnceLock<Mutex<HashMap<(String, String), String>>> = OnceLock::new();
        let map = VERSIONS.get_or_init(|| Mutex::new(HashMap::new()));
        let id = (self.vault_url.clone(), self.name.clone());
        if let Some(v) = map.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
            return Ok(AzureKey {
                version: v.clone(),
                ..self.clone()
            });
        }
        let url = format!(
            "{}/keys/{}/?api-version={API_VERSION}",
            self.vault_url, self.name
        );
        let reply = vault_call(self, "get key", "GET", &url, None, deadline)?;
        let kid = reply
            .json()
            .pointer("/key/kid")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .unwrap_or_default();
        let version = kid.rsplit('/').next().unwrap_or("").to_owned();
        if version.is_empty() {
            return Err(KeyError::Failed(format!(
                "Azure Key Vault key {}: the vault's answer names no key version",
                self.url()
            )));
        }
        map.lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, version.clone());
        Ok(AzureKey {
            version,
            ..self.clone()
        })
    }

    /// `encrypt` or `decrypt` with RSA-OAEP-256; `value` is the raw input.
    fn operate(
        &self,
        op: &str,
        value: &[u8],
        deadline: Instant,
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        // Built by hand so every copy of the (encoded) key is zeroized; base64url needs no
        // JSON escaping.
        let encoded = Zeroizing::new(b64.encode(value));
        let body = Zeroizing::new(format!(
            "{{\"alg\":\"RSA-OAEP-256\",\"value\":\"{}\"}}",
            encoded.as_str()
        ));
        let url = format!(
            "{}/keys/{}/{}/{op}?api-version={API_VERSION}",
            self.vault_url, self.name, self.version
        );
        let reply = vault_call(self, op, "POST", &url, Some(body.as_bytes()), deadline)?;
        let out = reply
            .json()
            .get("value")
            .and_then(|v| v.as_str())
            .map(|s| Zeroizing::new(s.to_owned()))
            .ok_or_else(|| {
                KeyError::Failed(format!(
                    "Azure Key Vault {op} with {} returned no value",
                    self.url()
                ))
            })?;
        // The service answers base64url; accept padding too.
        b64.decode(out.trim_end_matches('='))
            .map(Zeroizing::new)
            .map_err(|_| {
                KeyError::Failed(format!(
                    "Azure Key Vault {op} with {} returned a value that is not base64url",
                    self.url()
                ))
            })
    }
}

/// The deadline of one key operation.
fn deadline() -> Result<(Instant, Limits), KeyError> {
    let limits = Limits::get().map_err(KeyError::Failed)?;
    Ok((Instant::now() + limits.total, limits))
}

impl MasterKey for AzureKey {
    fn kind(&self) -> &'static str {
        "azure_kv"
    }

    fn id(&self) -> String {
        // sops-compat: SOPS resolves a missing version when it reads the key, so comparisons
        // (`updatekeys`, `--rm-azure-kv`) see the versioned URL. Here the lookup happens on
        // first use (bounded, cached); if it fails, `wrap` reports why.
        if self.version.is_empty() {
            if let Ok((deadline, _)) = deadline() {
                if let Ok(k) = self.resolved(deadline) {
                    return k.url();
                }
            }
        }
        self.url()
    }

    fn wrap(&self, secret: &[u8]) -> Result<StoredKey, KeyError> {
        let (deadline, _) = deadline()?;
        let key = self.resolved(deadline)?;
        let raw = key.operate("encrypt", secret, deadline)?;
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.as_slice());
        Ok(key.entry(&enc))
    }

    fn entry(&self, enc: &str) -> StoredKey {
        // (A key named without a version stores the version that wrapped: looked up here
        // when a key service did the wrapping, bounded and cached.)
        let version = if self.version.is_empty() {
            deadline()
                .ok()
                .and_then(|(d, _)| self.resolved(d).ok())
                .map(|k| k.version)
                .unwrap_or_default()
        } else {
            self.version.clone()
        };
        let mut fields = Branch::new();
        fields.push("created_at", Value::Str(Time::now_utc().rfc3339()));
        fields.push("enc", Value::Str(enc.to_owned()));
        fields.push("name", Value::Str(self.name.clone()));
        fields.push("vault_url", Value::Str(self.vault_url.clone()));
        fields.push("version", Value::Str(version));
        StoredKey {
            kind: "azure_kv".into(),
            fields,
        }
    }
}

impl Backend for AzureKvBackend {
    fn name(&self) -> &'static str {
        "azure_kv"
    }

    fn parse_list(&self, spec: &str) -> Result<Vec<Box<dyn MasterKey>>, KeyError> {
        spec.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| AzureKey::parse(s).map(|k| Box::new(k) as Box<dyn MasterKey>))
            .collect()
    }

    fn key_from_stored(&self, stored: &StoredKey) -> Result<Box<dyn MasterKey>, KeyError> {
        Ok(Box::new(AzureKey::from_stored(stored)?))
    }

    fn unwrap(&self, stored: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let key = AzureKey::from_stored(stored)?;
        // sops-compat: SOPS decodes `enc` as unpadded base64url (padding is tolerated here).
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(stored.enc().trim().trim_end_matches('='))
            .map_err(|_| {
                KeyError::Failed(format!(
                    "Azure Key Vault key {}: enc is not valid base64url",
                    key.url()
                ))
            })?;
        let (deadline, _) = deadline()?;
        key.operate("decrypt", &raw, deadline)
    }
}

// ---------------------------------------------------------------------------------------------
// Requests to the vault, with the bearer challenge.

/// Challenges already answered, per vault URL, so later requests carry a token at once.
fn challenges() -> &'static Mutex<HashMap<String, Challenge>> {
    static MAP: OnceLock<Mutex<HashMap<String, Challenge>>> = OnceLock::new();
    MAP.get_or_init(|| Mutex::new(HashMap::new()))
}

/// One request to `key`'s vault, authenticated through the challenge; a non-2xx answer is an
/// error naming the key, the operation and the service's error code.
fn vault_call(
    key: &AzureKey,
    op: &str,
    method: &str,
    url: &str,
    body: Option<&[u8]>,
    deadline: Instant,
) -> Result<Reply, KeyError> {
    let limits = Limits::get().map_err(KeyError::Failed)?;
    let net = |e: NetError| {
        match e {
        NetError::Timeout(m) => KeyError::Failed(format!(
            "Azure Key Vault {op} with {}: {m} (LEAFSEAL_KMS_TIMEOUT, LEAFSEAL_KMS_CONNECT_TIMEOUT)",
            key.url()
        )),
        NetError::Unreachable(m) => KeyError::Failed(format!(
            "Azure Key Vault {op} with {}: cannot reach the vault: {m}",
            key.url()
        )),
    }
    };
    let send = |token: Option<&str>, with_body: bool| {
        let mut headers = vec![("Accept", "application/json".to_owned())];
        if with_body {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        if let Some(t) = token {
            headers.push(("Authorization", format!("Bearer {t}")));
        }
        Call {
            method,
            url,
            headers,
            body: if with_body { body } else { None },
            deadline,
            connect: limits.connect,
        }
        .send()
    };
    let cached = challenges()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key.vault_url)
        .cloned();
    let challenge = match cached {
        Some(c) => c,
        None => {
            // The first request goes out without a token or body to learn the authority.
            let reply = send(None, false).map_err(net)?;
            if reply.status != 401 {
                return Err(service_error(key, op, &reply));
            }
            let c = reply
                .header("www-authenticate")
                .and_then(Challenge::parse)
                .ok_or_else(|| {
                    KeyError::Failed(format!(
                        "Azure Key Vault {op} with {}: the 401 answer carries no bearer challenge",
                        key.url()
                    ))
                })?;
            c.verify(&key.vault_url).map_err(|e| {
                KeyError::Failed(format!("Azure Key Vault {op} with {}: {e}", key.url()))
            })?;
            challenges()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key.vault_url.clone(), c.clone());
            c
        }
    };
    let token = azure_identity::token(&challenge, deadline, &limits).map_err(|e| match e {
        KeyError::NotMine(m) => {
            KeyError::NotMine(format!("Azure Key Vault key {}: {m}", key.url()))
        }
        KeyError::Failed(m) => KeyError::Failed(format!("Azure Key Vault key {}: {m}", key.url())),
    })?;
    let reply = send(Some(token.as_str()), body.is_some()).map_err(net)?;
    if (200..300).contains(&reply.status) {
        Ok(reply)
    } else {
        Err(service_error(key, op, &reply))
    }
}

/// A Key Vault error answer as one line: status, error code and message.
fn service_error(key: &AzureKey, op: &str, reply: &Reply) -> KeyError {
    let doc = reply.json();
    let code = doc
        .pointer("/error/code")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let msg = doc
        .pointer("/error/message")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| reply.snippet());
    let hint = match reply.status {
        401 => " (the token was refused: check the identity's tenant)",
        403 => " (the identity lacks the encrypt/decrypt/get permission on this key)",
        404 => " (no such key or version in this vault)",
        _ => "",
    };
    KeyError::Failed(format!(
        "Azure Key Vault {op} with {} failed: HTTP {} {code}: {msg}{hint}",
        key.url(),
        reply.status
    ))
}

/// How long a metadata-service request may take: the IMDS limit, within the deadline.
pub(crate) fn short(deadline: Instant, limit: Duration) -> Instant {
    deadline.min(Instant::now() + limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_like_sops() {
        let k = AzureKey::parse("https://v.vault.azure.net/keys/name/0123abcd").unwrap();
        assert_eq!(k.vault_url, "https://v.vault.azure.net");
        assert_eq!(k.name, "name");
        assert_eq!(k.version, "0123abcd");
        assert_eq!(k.url(), "https://v.vault.azure.net/keys/name/0123abcd");
        let k = AzureKey::parse(" https://v.vault.azure.net/keys/name ").unwrap();
        assert_eq!(k.version, "");
        assert_eq!(
            AzureKey::parse("https://v.vault.azure.net/keys/name/")
                .unwrap()
                .version,
            ""
        );
        for bad in [
            "http://v.vault.azure.net/keys/n/v",
            "https://v.vault.azure.net/secrets/n",
            "https://v.vault.azure.net/keys/n/v/x",
            "v.vault.azure.net/keys/n",
        ] {
            assert!(AzureKey::parse(bad).is_err(), "{bad}");
        }
        let keys = AZURE_KV
            .parse_list("https://a.vault.azure.net/keys/x/1, https://b.vault.azure.net/keys/y")
            .unwrap();
        assert_eq!(keys.len(), 2);
        // (`id()` of an unversioned key would look the version up: not in a unit test.)
        assert_eq!(keys[0].id(), "https://a.vault.azure.net/keys/x/1");
    }

    #[test]
    fn stored_entry_reads_back() {
        let mut fields = Branch::new();
        fields.push("vault_url", Value::Str("https://v.vault.azure.net".into()));
        fields.push("name", Value::Str("k".into()));
        fields.push("version", Value::Str("v1".into()));
        fields.push("enc", Value::Str("AAAA".into()));
        let s = StoredKey {
            kind: "azure_kv".into(),
            fields,
        };
        let k = AzureKey::from_stored(&s).unwrap();
        assert_eq!(k.url(), "https://v.vault.azure.net/keys/k/v1");
        assert_eq!(AZURE_KV.key_from_stored(&s).unwrap().id(), k.url());
    }
}

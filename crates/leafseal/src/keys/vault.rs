//! HashiCorp Vault / OpenBao transit master keys (spec §6): the data key, standard base64,
//! is posted to `{vault_address}/v1/{engine_path}/encrypt/{key_name}` and the stored `enc`
//! is the `vault:vN:…` text Vault returns; `…/decrypt/{key_name}` opens it. The address comes
//! from the file (never `VAULT_ADDR`), the token from `VAULT_TOKEN`, then `~/.vault-token`;
//! `VAULT_NAMESPACE`, `VAULT_CACERT` / `VAULT_CAPATH`, `VAULT_CLIENT_CERT` /
//! `VAULT_CLIENT_KEY`, `VAULT_SKIP_VERIFY` and `SOPS_HC_VAULT_ALLOWLIST` are honoured as SOPS
//! (through Vault's Go client) honours them. Requests go through [`super::rest`], so
//! every wait is bounded (`LEAFSEAL_KMS_TIMEOUT`, `LEAFSEAL_KMS_CONNECT_TIMEOUT`).

use std::fmt;
use std::sync::OnceLock;

use base64::Engine as _;
use regex::Regex;
use zeroize::Zeroizing;

use super::rest::{self, Call, Limits, Tls};
use super::{Backend, KeyError, MasterKey};
use crate::store::metadata::StoredKey;
use crate::tree::{Branch, Time, Value};

/// The Vault transit backend.
pub struct VaultBackend;

/// The registered instance.
pub static VAULT: VaultBackend = VaultBackend;

/// One transit key: server address, engine mount path and key name.
#[derive(Clone, PartialEq, Eq)]
pub struct VaultKey {
    address: String,
    engine_path: String,
    key_name: String,
}

impl fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VaultKey({})", self.uri())
    }
}

const FORM: &str = "https://vault.example.com:8200/v1/transit/keys/keyName";

impl VaultKey {
    /// Parse a key URI as SOPS does: `SCHEME://HOST[:PORT]/v1/ENGINE…/keys/KEY`.
    pub fn parse(uri: &str) -> Result<Self, KeyError> {
        let uri = uri.trim();
        let bad = |why: &str| KeyError::Failed(format!("invalid Vault key URI {uri:?}: {why}"));
        let (scheme, rest) = uri
            .split_once("://")
            .filter(|(s, _)| !s.is_empty())
            .ok_or_else(|| bad(&format!("missing scheme (should be like {FORM})")))?;
        let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, request) = rest.split_at(cut);
        let path = request.split(['?', '#']).next().unwrap_or("");
        static PREFIXED: OnceLock<Regex> = OnceLock::new();
        static FORMED: OnceLock<Regex> = OnceLock::new();
        let prefixed = PREFIXED
            .get_or_init(|| Regex::new(r"/[^/]+/v\d+/[^/]+/[^/]+/[^/]+").expect("valid regex"));
        let formed =
            FORMED.get_or_init(|| Regex::new(r"/v\d+/[^/]+/[^/]+/[^/]+").expect("valid regex"));
        // sops-compat: the same two checks, in the same order, as SOPS's engineAndKeyFromPath.
        if prefixed.is_match(path) {
            return Err(bad(&format!(
                "running Vault with a prefixed URL is not supported (should be like {FORM})"
            )));
        }
        if !formed.is_match(path) {
            return Err(bad(&format!("should be like {FORM}")));
        }
        let dirs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let [_, .., key_name] = dirs.as_slice() else {
            return Err(bad(&format!("should be like {FORM}")));
        };
        if dirs.len() < 4 {
            return Err(bad(&format!("should be like {FORM}")));
        }
        // Everything between the API version and the `keys` segment, `..`/`.` resolved and
        // empty segments dropped as Go's path.Join does.
        let mut engine: Vec<&str> = Vec::new();
        for d in &dirs[1..dirs.len() - 2] {
            match *d {
                "" | "." => {}
                ".." => {
                    engine.pop();
                }
                d => engine.push(d),
            }
        }
        Ok(VaultKey {
            address: format!("{scheme}://{authority}"),
            engine_path: engine.join("/"),
            key_name: (*key_name).to_owned(),
        })
    }

    /// A key from its parts (the key service's `VaultKey` message).
    pub fn new(address: &str, engine_path: &str, key_name: &str) -> Self {
        VaultKey {
            address: address.to_owned(),
            engine_path: engine_path.to_owned(),
            key_name: key_name.to_owned(),
        }
    }

    /// The server address (`vault_address`).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The transit engine's mount path (`engine_path`).
    pub fn engine_path(&self) -> &str {
        &self.engine_path
    }

    /// The key's name (`key_name`).
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// SOPS's `ToString`: `{address}/v1/{engine_path}/keys/{key_name}`.
    pub fn uri(&self) -> String {
        format!(
            "{}/v1/{}/keys/{}",
            self.address, self.engine_path, self.key_name
        )
    }

    fn from_stored(stored: &StoredKey) -> Result<Self, KeyError> {
        let get = |f: &str| {
            stored
                .field(f)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| KeyError::Failed(format!("hc_vault entry without {f}")))
        };
        Ok(VaultKey {
            address: get("vault_address")?.to_owned(),
            engine_path: get("engine_path")?.to_owned(),
            key_name: get("key_name")?.to_owned(),
        })
    }

    /// `{address}/v1/{engine_path}/{op}/{key_name}`.
    fn url(&self, op: &str) -> String {
        format!(
            "{}/v1/{}/{op}/{}",
            self.address.trim_end_matches('/'),
            self.engine_path,
            self.key_name
        )
    }

    /// One transit call; the `data` object of the answer.
    fn call(&self, op: &str, body: &serde_json::Value) -> Result<serde_json::Value, KeyError> {
        let what = format!("Vault transit {op} with {}", self.uri());
        allowed(&self.address).map_err(|e| KeyError::NotMine(format!("{what}: {e}")))?;
        let token = token().map_err(|e| KeyError::NotMine(format!("{what}: {e}")))?;
        let limits = Limits::get().map_err(KeyError::Failed)?;
        let tls = tls()?;
        let namespace = std::env::var("VAULT_NAMESPACE").unwrap_or_default();
        let mut headers = vec![
            ("X-Vault-Token", token.as_str().to_owned()),
            ("X-Vault-Request", "true".to_owned()),
            ("Content-Type", "application/json".to_owned()),
        ];
        if !namespace.is_empty() {
            headers.push(("X-Vault-Namespace", namespace));
        }
        let body = Zeroizing::new(body.to_string());
        let url = self.url(op);
        let call = Call {
            method: "PUT",
            url: &url,
            headers,
            body: Some(body.as_bytes()),
            deadline: std::time::Instant::now() + limits.total,
            connect: limits.connect,
        };
        let answer = call.send_with(&tls);
        // The header held a copy of the token.
        for (_, v) in call.headers {
            drop(Zeroizing::new(v));
        }
        let answer = answer
            .map_err(|e| KeyError::Failed(format!("{what}: cannot reach {}: {e}", self.address)))?;
        if answer.status != 200 {
            let hint = match answer.status {
                403 => " (the token lacks permission for this key, or is invalid or expired)",
                404 => " (no such transit engine or key)",
                _ => "",
            };
            return Err(KeyError::Failed(format!(
                "{what} failed: {}{hint}",
                answer.error_summary()
            )));
        }
        match answer.json() {
            serde_json::Value::Object(mut m) => match m.remove("data") {
                Some(d @ serde_json::Value::Object(_)) => Ok(d),
                _ => Err(KeyError::Failed(format!("{what}: the answer has no data"))),
            },
            _ => Err(KeyError::Failed(format!("{what}: the answer is not JSON"))),
        }
    }
}

/// `SOPS_HC_VAULT_ALLOWLIST`: `all` (default), `none`, or address prefixes, comma separated.
fn allowed(address: &str) -> Result<(), String> {
    let list = std::env::var("SOPS_HC_VAULT_ALLOWLIST")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "all".into());
    let ok = match list.as_str() {
        "all" => true,
        "none" => false,
        _ => {
            let mut addr = address.to_owned();
            if !addr.ends_with('/') {
                addr.push('/');
            }
            let mut any = false;
            for (i, uri) in list.split(',').enumerate() {
                let uri = uri.trim_matches(' ');
                if uri.is_empty() {
                    return Err(format!(
                        "SOPS_HC_VAULT_ALLOWLIST's entry {} is empty",
                        i + 1
                    ));
                }
                let uri = if uri.ends_with('/') {
                    uri.to_owned()
                } else {
                    format!("{uri}/")
                };
                any |= addr.starts_with(&uri);
            }
            any
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the address {address} is not allowed by SOPS_HC_VAULT_ALLOWLIST"
        ))
    }
}

/// The token: `VAULT_TOKEN`, then `~/.vault-token`.
pub(crate) fn token() -> Result<Zeroizing<String>, String> {
    if let Some(t) = std::env::var("VAULT_TOKEN").ok().filter(|t| !t.is_empty()) {
        return Ok(Zeroizing::new(t));
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let path = std::path::Path::new(&home).join(".vault-token");
    match std::fs::read_to_string(&path) {
        Ok(t) if !t.trim().is_empty() => Ok(Zeroizing::new(t.trim().to_owned())),
        Ok(_) => Err(format!(
            "no Vault token (VAULT_TOKEN is not set and {} is empty)",
            path.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "no Vault token (VAULT_TOKEN is not set and there is no {})",
            path.display()
        )),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// TLS settings from Vault's variables.
pub(crate) fn tls() -> Result<Tls, KeyError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let read = |var: &str, p: &str| {
        std::fs::read(p).map_err(|e| KeyError::Failed(format!("{var}={p}: cannot read: {e}")))
    };
    let mut out = Tls::default();
    if let Some(p) = env("VAULT_CACERT") {
        out.roots = Some(rest::pem_certs(&read("VAULT_CACERT", &p)?, "VAULT_CACERT")?);
    } else if let Some(dir) = env("VAULT_CAPATH") {
        let mut roots = Vec::new();
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| KeyError::Failed(format!("VAULT_CAPATH={dir}: cannot read: {e}")))?;
        for e in entries.flatten() {
            if e.path().is_file() {
                if let Ok(b) = std::fs::read(e.path()) {
                    roots.extend(rest::pem_certs(&b, "VAULT_CAPATH")?);
                }
            }
        }
        out.roots = Some(roots);
    }
    if let (Some(c), Some(k)) = (env("VAULT_CLIENT_CERT"), env("VAULT_CLIENT_KEY")) {
        let chain = rest::pem_certs(&read("VAULT_CLIENT_CERT", &c)?, "VAULT_CLIENT_CERT")?;
        let key = Zeroizing::new(read("VAULT_CLIENT_KEY", &k)?);
        let key = rest::pem_key(&key, "VAULT_CLIENT_KEY")?;
        out.client = Some(ureq::tls::ClientCert::new_with_certs(&chain, key));
    }
    // Go's strconv.ParseBool, as Vault's client reads it.
    out.insecure = matches!(
        env("VAULT_SKIP_VERIFY").as_deref(),
        Some("1" | "t" | "T" | "TRUE" | "true" | "True")
    );
    Ok(out)
}

impl MasterKey for VaultKey {
    fn kind(&self) -> &'static str {
        "hc_vault"
    }

    fn id(&self) -> String {
        self.uri()
    }

    fn wrap(&self, secret: &[u8]) -> Result<StoredKey, KeyError> {
        let plaintext = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(secret));
        let data = self.call(
            "encrypt",
            &serde_json::json!({ "plaintext": plaintext.as_str() }),
        )?;
        let enc = data
            .get("ciphertext")
            .and_then(|c| c.as_str())
            .ok_or_else(|| {
                KeyError::Failed(format!(
                    "Vault transit encrypt with {}: no ciphertext in the answer",
                    self.uri()
                ))
            })?;
        Ok(self.entry(enc))
    }

    fn entry(&self, enc: &str) -> StoredKey {
        // Fields byte-sorted, as SOPS 3.13 writes them (the metadata writer sorts anyway).
        let mut fields = Branch::new();
        fields.push("created_at", Value::Str(Time::now_utc().rfc3339()));
        fields.push("enc", Value::Str(enc.to_owned()));
        fields.push("engine_path", Value::Str(self.engine_path.clone()));
        fields.push("key_name", Value::Str(self.key_name.clone()));
        fields.push("vault_address", Value::Str(self.address.clone()));
        StoredKey {
            kind: "hc_vault".into(),
            fields,
        }
    }
}

impl Backend for VaultBackend {
    fn name(&self) -> &'static str {
        "hc_vault"
    }

    fn parse_list(&self, spec: &str) -> Result<Vec<Box<dyn MasterKey>>, KeyError> {
        spec.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| VaultKey::parse(s).map(|k| Box::new(k) as Box<dyn MasterKey>))
            .collect()
    }

    fn key_from_stored(&self, stored: &StoredKey) -> Result<Box<dyn MasterKey>, KeyError> {
        Ok(Box::new(VaultKey::from_stored(stored)?))
    }

    fn unwrap(&self, stored: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let key = VaultKey::from_stored(stored)?;
        let data = key.call(
            "decrypt",
            &serde_json::json!({ "ciphertext": stored.enc().trim() }),
        )?;
        let plain = data
            .get("plaintext")
            .and_then(|p| p.as_str())
            .ok_or_else(|| {
                KeyError::Failed(format!(
                    "Vault transit decrypt with {}: no plaintext in the answer",
                    key.uri()
                ))
            })?;
        base64::engine::general_purpose::STANDARD
            .decode(plain)
            .map(Zeroizing::new)
            .map_err(|_| {
                KeyError::Failed(format!(
                    "Vault transit decrypt with {}: the plaintext is not base64",
                    key.uri()
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_forms() {
        let k = VaultKey::parse("https://vault.example.com:8200/v1/transit/keys/k1").unwrap();
        assert_eq!(k.address, "https://vault.example.com:8200");
        assert_eq!(k.engine_path, "transit");
        assert_eq!(k.key_name, "k1");
        assert_eq!(k.uri(), "https://vault.example.com:8200/v1/transit/keys/k1");
        let k = VaultKey::parse("http://127.0.0.1:8200/v1/team/a/transit/keys/k").unwrap();
        assert_eq!(k.engine_path, "team/a/transit");
        assert_eq!(
            k.url("encrypt"),
            "http://127.0.0.1:8200/v1/team/a/transit/encrypt/k"
        );
        assert!(VaultKey::parse("vault.example.com/v1/transit/keys/k").is_err());
        assert!(VaultKey::parse("https://v:8200/prefix/v1/transit/keys/k").is_err());
        assert!(VaultKey::parse("https://v:8200/v1/transit/k").is_err());
        let list = VAULT
            .parse_list("https://a:8200/v1/transit/keys/x, https://b/v1/t/keys/y,")
            .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].id(), "https://b/v1/t/keys/y");
    }

    #[test]
    fn stored_entry_reads_back() {
        let mut fields = Branch::new();
        fields.push("vault_address", Value::Str("http://127.0.0.1:8200".into()));
        fields.push("engine_path", Value::Str("sops".into()));
        fields.push("key_name", Value::Str("firstkey".into()));
        fields.push("enc", Value::Str("vault:v1:abc".into()));
        let s = StoredKey {
            kind: "hc_vault".into(),
            fields,
        };
        let k = VaultKey::from_stored(&s).unwrap();
        assert_eq!(k.uri(), "http://127.0.0.1:8200/v1/sops/keys/firstkey");
        assert_eq!(s.id(), format!("hc_vault: {}", k.uri()));
    }
}

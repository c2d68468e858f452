//! GCP Cloud KMS master keys (spec §6): the data key is sent to the KMS REST API's
//! `projects/…/cryptoKeys/KEY:encrypt` and the stored `enc` is the standard, padded base64 of
//! the returned ciphertext; `:decrypt` opens it. Credentials are looked up as SOPS does:
//! `GOOGLE_CREDENTIALS` (a file path or the JSON itself), `GOOGLE_OAUTH_ACCESS_TOKEN`, then
//! application default credentials (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud's
//! `application_default_credentials.json`, and the GCE metadata server, `GCE_METADATA_HOST`
//! honoured as the Google libraries do). Service accounts sign an RS256 assertion (ring) for
//! the OAuth token endpoint their JSON names; authorized users exchange their refresh token.
//! `SOPS_GCP_KMS_ENDPOINT` and `SOPS_GCP_KMS_UNIVERSE_DOMAIN` pick the endpoint. Requests go
//! through [`super::rest`], so every wait is bounded. The token is fetched once per
//! process and shared by every key and thread.

use std::fmt;
use std::sync::{Mutex, OnceLock};

use base64::Engine as _;
use regex::Regex;
use zeroize::Zeroizing;

use std::time::{Duration, Instant};

use super::rest::{self, Call, Limits, Reply, Tls};
use super::{Backend, KeyError, MasterKey};
use crate::store::metadata::StoredKey;
use crate::tree::{Branch, Time, Value};

/// The GCP KMS backend.
pub struct GcpKmsBackend;

/// The registered instance.
pub static GCP_KMS: GcpKmsBackend = GcpKmsBackend;

/// One Cloud KMS crypto key, by resource ID.
#[derive(Clone, PartialEq, Eq)]
pub struct GcpKey {
    resource_id: String,
}

impl fmt::Debug for GcpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GcpKey({})", self.resource_id)
    }
}

const SCOPES: &str =
    "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/cloudkms";
const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

impl GcpKey {
    /// A key from its resource ID (spaces removed, as SOPS does).
    pub fn new(resource_id: &str) -> Result<Self, KeyError> {
        let id: String = resource_id.chars().filter(|c| *c != ' ').collect();
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = RE.get_or_init(|| {
            Regex::new(r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")
                .expect("valid regex")
        });
        if !re.is_match(&id) {
            return Err(KeyError::Failed(format!(
                "invalid GCP KMS resource ID {id:?}: expected projects/P/locations/L/keyRings/R/cryptoKeys/K"
            )));
        }
        Ok(GcpKey { resource_id: id })
    }

    /// The resource ID.
    pub fn resource_id(&self) -> &str {
        &self.resource_id
    }

    /// One KMS call (`encrypt`, `decrypt`); the JSON answer.
    fn call(&self, op: &str, body: &serde_json::Value) -> Result<serde_json::Value, KeyError> {
        let what = format!("GCP KMS {op} with {}", self.resource_id);
        let limits = Limits::get().map_err(KeyError::Failed)?;
        let token = access_token(&limits).map_err(|e| KeyError::NotMine(format!("{what}: {e}")))?;
        let url = format!("{}/v1/{}:{op}", endpoint(), self.resource_id);
        let bearer = Zeroizing::new(format!("Bearer {}", token.as_str()));
        let body = Zeroizing::new(body.to_string());
        let answer = request(
            "POST",
            &url,
            vec![
                ("Authorization", bearer.to_string()),
                ("Content-Type", "application/json".to_owned()),
            ],
            Some(body.as_bytes()),
            &limits,
            limits.total,
            &Tls::default(),
        )
        .map_err(|e| KeyError::Failed(format!("{what}: cannot reach {}: {e}", endpoint())))?;
        if answer.status != 200 {
            let status = answer
                .json()
                .pointer("/error/status")
                .and_then(|s| s.as_str())
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            let hint = match answer.status {
                401 => " (the credentials were refused)",
                403 => " (the credentials lack permission for this key, or it does not exist)",
                404 => " (no such key)",
                _ => "",
            };
            return Err(KeyError::Failed(format!(
                "{what} failed:{status} {}{hint}",
                answer.error_summary()
            )));
        }
        Ok(answer.json())
    }
}

/// The REST endpoint: `SOPS_GCP_KMS_ENDPOINT` (`host:port` means HTTPS; a URL is used as it
/// is), else `https://cloudkms.` + `SOPS_GCP_KMS_UNIVERSE_DOMAIN`, else Google's.
fn endpoint() -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    if let Some(e) = env("SOPS_GCP_KMS_ENDPOINT") {
        let e = e.trim().trim_end_matches('/');
        return if e.contains("://") {
            e.to_owned()
        } else {
            format!("https://{e}")
        };
    }
    let domain = env("SOPS_GCP_KMS_UNIVERSE_DOMAIN").unwrap_or_else(|| "googleapis.com".into());
    format!("https://cloudkms.{}", domain.trim())
}

// ---------------------------------------------------------------------------------------------
// Credentials.

/// Where the access token comes from.
enum Source {
    /// A credentials JSON (`what` names where it was read).
    Json {
        json: Zeroizing<String>,
        what: String,
    },
    /// A ready access token.
    Token(Zeroizing<String>),
    /// The GCE metadata server at this host.
    Metadata(String),
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

/// gcloud's application default credentials file.
fn gcloud_adc() -> std::path::PathBuf {
    let dir = env("CLOUDSDK_CONFIG")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(&env("HOME").unwrap_or_default()).join(".config/gcloud")
        });
    dir.join("application_default_credentials.json")
}

/// The first source that is set, in SOPS's order.
fn source() -> Result<Source, String> {
    if let Some(v) = env("GOOGLE_CREDENTIALS") {
        // sops-compat: an existing file's content, else the value itself.
        return Ok(match std::fs::read_to_string(&v) {
            Ok(json) => Source::Json {
                json: Zeroizing::new(json),
                what: format!("GOOGLE_CREDENTIALS file {v}"),
            },
            Err(_) => Source::Json {
                json: Zeroizing::new(v),
                what: "GOOGLE_CREDENTIALS".into(),
            },
        });
    }
    if let Some(t) = env("GOOGLE_OAUTH_ACCESS_TOKEN") {
        return Ok(Source::Token(Zeroizing::new(t)));
    }
    if let Some(p) = env("GOOGLE_APPLICATION_CREDENTIALS") {
        let json = std::fs::read_to_string(&p)
            .map_err(|e| format!("GOOGLE_APPLICATION_CREDENTIALS={p}: cannot read: {e}"))?;
        return Ok(Source::Json {
            json: Zeroizing::new(json),
            what: format!("GOOGLE_APPLICATION_CREDENTIALS file {p}"),
        });
    }
    let adc = gcloud_adc();
    if let Ok(json) = std::fs::read_to_string(&adc) {
        return Ok(Source::Json {
            json: Zeroizing::new(json),
            what: adc.display().to_string(),
        });
    }
    Ok(Source::Metadata(
        env("GCE_METADATA_HOST").unwrap_or_else(|| "169.254.169.254".into()),
    ))
}

/// What was tried, for the "no credentials" message.
fn tried(metadata: &str, why: &str) -> String {
    format!(
        "no Google credentials found (tried: GOOGLE_CREDENTIALS (not set), GOOGLE_OAUTH_ACCESS_TOKEN (not set), \
         GOOGLE_APPLICATION_CREDENTIALS (not set), {} (absent), GCE metadata server at {metadata}: {why})",
        gcloud_adc().display()
    )
}

/// The access token for every KMS call of this process (and publish's GCS uploads), fetched once.
pub(crate) fn access_token(limits: &Limits) -> Result<Zeroizing<String>, String> {
    static TOKEN: Mutex<Option<Result<Zeroizing<String>, String>>> = Mutex::new(None);
    // Held while fetching, so concurrent keys wait for one fetch instead of starting theirs.
    let mut slot = TOKEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(r) = slot.as_ref() {
        return r.clone();
    }
    let r = fetch_token(limits);
    *slot = Some(r.clone());
    r
}

fn fetch_token(limits: &Limits) -> Result<Zeroizing<String>, String> {
    match source()? {
        Source::Token(t) => Ok(t),
        Source::Json { json, what } => from_json(&json, &what, limits),
        Source::Metadata(host) => {
            let url =
                format!("http://{host}/computeMetadata/v1/instance/service-accounts/default/token");
            let direct = Tls {
                direct: true,
                ..Default::default()
            };
            let headers = vec![("Metadata-Flavor", "Google".to_owned())];
            let a = request("GET", &url, headers, None, limits, limits.imds, &direct)
                .map_err(|e| tried(&host, &e))?;
            if a.status != 200 {
                return Err(tried(&host, &a.error_summary()));
            }
            token_of(&a, &format!("the GCE metadata server at {host}"))
        }
    }
}

/// The `access_token` of a token answer.
fn token_of(a: &Reply, what: &str) -> Result<Zeroizing<String>, String> {
    match a.json().get("access_token").and_then(|t| t.as_str()) {
        Some(t) if !t.is_empty() => Ok(Zeroizing::new(t.to_owned())),
        _ => Err(format!("{what}: the answer has no access_token")),
    }
}

/// A token from a credentials JSON (service account or authorized user).
fn from_json(json: &str, what: &str, limits: &Limits) -> Result<Zeroizing<String>, String> {
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("{what}: not a credentials JSON: {e}"))?;
    let field = |k: &str| v.get(k).and_then(|s| s.as_str()).unwrap_or("");
    let token_uri = match field("token_uri") {
        "" => DEFAULT_TOKEN_URI,
        u => u,
    };
    let form = match field("type") {
        "service_account" => {
            let assertion = assertion(
                field("private_key"),
                field("private_key_id"),
                field("client_email"),
                token_uri,
            )
            .map_err(|e| format!("{what}: {e}"))?;
            Zeroizing::new(format!(
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={}",
                assertion.as_str()
            ))
        }
        "authorized_user" => Zeroizing::new(format!(
            "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
            rest::form_encode(field("client_id")),
            rest::form_encode(field("client_secret")),
            rest::form_encode(field("refresh_token"))
        )),
        other => {
            return Err(format!(
                "{what}: credentials of type {other:?} are not supported by this build (service_account and authorized_user are)"
            ))
        }
    };
    let headers = vec![(
        "Content-Type",
        "application/x-www-form-urlencoded".to_owned(),
    )];
    let form = Some(form.as_bytes());
    let a = request(
        "POST",
        token_uri,
        headers,
        form,
        limits,
        limits.total,
        &Tls::default(),
    )
    .map_err(|e| format!("{what}: cannot reach the token endpoint {token_uri}: {e}"))?;
    if a.status != 200 {
        return Err(format!(
            "{what}: the token endpoint {token_uri} refused: {}",
            a.error_summary()
        ));
    }
    token_of(&a, &format!("{what}: the token endpoint {token_uri}"))
}

/// One request, bounded by `limit` (the connect limit too, when shorter); the text of a
/// failure is the end of a sentence.
fn request(
    method: &str,
    url: &str,
    headers: Vec<(&str, String)>,
    body: Option<&[u8]>,
    limits: &Limits,
    limit: Duration,
    tls: &Tls,
) -> Result<Reply, String> {
    let call = Call {
        method,
        url,
        headers,
        body,
        deadline: Instant::now() + limit,
        connect: limits.connect.min(limit),
    };
    let r = call.send_with(tls).map_err(|e| e.to_string());
    // The headers may hold a copy of the bearer token.
    for (_, v) in call.headers {
        drop(Zeroizing::new(v));
    }
    r
}

/// The RS256-signed JWT a service account trades for an access token.
fn assertion(pem: &str, key_id: &str, email: &str, aud: &str) -> Result<Zeroizing<String>, String> {
    if pem.is_empty() || email.is_empty() {
        return Err("service account without private_key or client_email".into());
    }
    let key = rest::pem_key(pem.as_bytes(), "private_key").map_err(|e| e.to_string())?;
    let pair = ring::signature::RsaKeyPair::from_pkcs8(key.der())
        .map_err(|e| format!("private_key is not a PKCS#8 RSA key: {e}"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": key_id});
    let claims = serde_json::json!({
        "iss": email, "scope": SCOPES, "aud": aud, "iat": now, "exp": now + 3600,
    });
    let signed = format!(
        "{}.{}",
        url.encode(header.to_string()),
        url.encode(claims.to_string())
    );
    let mut sig = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signed.as_bytes(),
        &mut sig,
    )
    .map_err(|_| "cannot sign the token request with private_key".to_owned())?;
    Ok(Zeroizing::new(format!("{signed}.{}", url.encode(sig))))
}

// ---------------------------------------------------------------------------------------------

impl MasterKey for GcpKey {
    fn kind(&self) -> &'static str {
        "gcp_kms"
    }

    fn id(&self) -> String {
        self.resource_id.clone()
    }

    fn wrap(&self, secret: &[u8]) -> Result<StoredKey, KeyError> {
        let plaintext = Zeroizing::new(b64().encode(secret));
        let out = self.call(
            "encrypt",
            &serde_json::json!({ "plaintext": plaintext.as_str() }),
        )?;
        let ct = out
            .get("ciphertext")
            .and_then(|c| c.as_str())
            .ok_or_else(|| {
                KeyError::Failed(format!(
                    "GCP KMS encrypt with {}: no ciphertext in the answer",
                    self.resource_id
                ))
            })?;
        // Re-encoded so `enc` is always the padded standard base64 SOPS writes.
        let blob = b64().decode(ct).map_err(|_| {
            KeyError::Failed(format!(
                "GCP KMS encrypt with {}: the ciphertext is not base64",
                self.resource_id
            ))
        })?;
        let mut fields = Branch::new();
        fields.push("created_at", Value::Str(Time::now_utc().rfc3339()));
        fields.push("enc", Value::Str(b64().encode(blob)));
        fields.push("resource_id", Value::Str(self.resource_id.clone()));
        Ok(StoredKey {
            kind: "gcp_kms".into(),
            fields,
        })
    }
}

impl Backend for GcpKmsBackend {
    fn name(&self) -> &'static str {
        "gcp_kms"
    }

    fn parse_list(&self, spec: &str) -> Result<Vec<Box<dyn MasterKey>>, KeyError> {
        spec.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| GcpKey::new(s).map(|k| Box::new(k) as Box<dyn MasterKey>))
            .collect()
    }

    fn key_from_stored(&self, stored: &StoredKey) -> Result<Box<dyn MasterKey>, KeyError> {
        Ok(Box::new(GcpKey::new(
            stored.field("resource_id").unwrap_or(""),
        )?))
    }

    fn unwrap(&self, stored: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let key = GcpKey::new(stored.field("resource_id").unwrap_or(""))?;
        // Checked before any request, so a damaged entry never costs a network wait.
        b64().decode(stored.enc().trim()).map_err(|_| {
            KeyError::Failed(format!(
                "GCP KMS key {}: enc is not valid base64",
                key.resource_id
            ))
        })?;
        let out = key.call(
            "decrypt",
            &serde_json::json!({ "ciphertext": stored.enc().trim() }),
        )?;
        let plain = out
            .get("plaintext")
            .and_then(|p| p.as_str())
            .ok_or_else(|| {
                KeyError::Failed(format!(
                    "GCP KMS decrypt with {}: no plaintext in the answer",
                    key.resource_id
                ))
            })?;
        b64().decode(plain).map(Zeroizing::new).map_err(|_| {
            KeyError::Failed(format!(
                "GCP KMS decrypt with {}: the plaintext is not base64",
                key.resource_id
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RID: &str = "projects/p/locations/global/keyRings/r/cryptoKeys/k";

    #[test]
    fn resource_ids() {
        assert_eq!(
            GcpKey::new(" projects/p/locations/global/keyRings/r/cryptoKeys/k ")
                .unwrap()
                .id(),
            RID
        );
        assert!(GcpKey::new("projects/p/keyRings/r/cryptoKeys/k").is_err());
        assert!(GcpKey::new(&format!("{RID}/cryptoKeyVersions/1")).is_err());
        let l = GCP_KMS.parse_list(&format!("{RID}, {RID}2,")).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].id(), format!("{RID}2"));
    }

    #[test]
    fn form_escaping() {
        assert_eq!(rest::form_encode("a b/c+d=e"), "a%20b%2Fc%2Bd%3De");
    }

    #[test]
    fn stored_entry_reads_back() {
        let mut fields = Branch::new();
        fields.push("resource_id", Value::Str(RID.into()));
        fields.push("enc", Value::Str("AAAA".into()));
        let s = StoredKey {
            kind: "gcp_kms".into(),
            fields,
        };
        let k = GCP_KMS.key_from_stored(&s).unwrap();
        assert_eq!(format!("{}: {}", k.kind(), k.id()), s.id());
    }
}

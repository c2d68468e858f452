//! HuaweiCloud KMS master keys (spec §6): a key is `region:key-uuid`; the data key is sent, as
//! standard base64 text, to KMS `encrypt-data` (`SYMMETRIC_DEFAULT`) in that region, and the
//! returned `cipher_text` is stored as `enc` unchanged; `decrypt-data` gives the base64 text
//! back. This is what SOPS does (`hckms/`), so files move between the two tools.
//!
//! Requests are signed with SDK-HMAC-SHA256 (the Huawei SDKs' AK/SK signature) over a small
//! REST client (`rest.rs`). Credentials come from the SDKs' basic chain: environment
//! (`HUAWEICLOUD_SDK_AK`/`_SK`/`_PROJECT_ID`/`_SECURITY_TOKEN`), the credentials file
//! (`HUAWEICLOUD_SDK_CREDENTIALS_FILE`, default `~/.huaweicloud/credentials`, section `[basic]`),
//! then the ECS metadata service's temporary keys. The endpoint is the SDKs' per-region
//! variable `HUAWEICLOUD_SDK_REGION_KMS_<REGION>` or the built-in table; a missing project id
//! is looked up in IAM (`HUAWEICLOUD_SDK_IAM_ENDPOINT`). Every wait is bounded.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use base64::Engine as _;
use zeroize::Zeroizing;

mod sign;

use super::rest::{self, Call, Limits, NetError, Reply};
use super::{Backend, KeyError, MasterKey};
use crate::store::metadata::StoredKey;
use crate::tree::{Branch, Time, Value};
use sign::{signed, Creds};

/// The HuaweiCloud KMS backend.
pub struct HcKmsBackend;

/// The registered instance.
pub static HCKMS: HcKmsBackend = HcKmsBackend;

/// One KMS key: `region:key-uuid`.
#[derive(Clone, PartialEq, Eq)]
pub struct HcKey {
    key_id: String,
    region: String,
    uuid: String,
}

impl fmt::Debug for HcKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HcKey({})", self.key_id)
    }
}

impl HcKey {
    /// Parse `region:key-uuid` (SOPS's rule: split at the first `:`, both parts non-empty).
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let key_id = text.trim();
        let (region, uuid) = key_id.split_once(':').ok_or_else(|| {
            KeyError::Failed(format!(
                "invalid HuaweiCloud KMS key id {key_id:?}: expected region:key-uuid"
            ))
        })?;
        let (region, uuid) = (region.trim(), uuid.trim());
        if region.is_empty() || uuid.is_empty() {
            return Err(KeyError::Failed(format!(
                "invalid HuaweiCloud KMS key id {key_id:?}: region and key uuid must not be empty"
            )));
        }
        Ok(HcKey {
            key_id: key_id.to_owned(),
            region: region.to_owned(),
            uuid: uuid.to_owned(),
        })
    }

    /// One KMS call: sign, send, check the status; the answer's JSON. `body` is the request
    /// document (it may carry key material: the caller zeroizes it).
    fn call(&self, op: &str, body: &str) -> Result<serde_json::Value, KeyError> {
        let limits = Limits::get().map_err(KeyError::Failed)?;
        let deadline = Instant::now() + limits.total;
        let fail =
            |m: String| KeyError::Failed(format!("HuaweiCloud KMS {op} with {}: {m}", self.key_id));
        let creds = credentials(deadline, &limits).map_err(|e| match e {
            KeyError::NotMine(m) => {
                KeyError::NotMine(format!("HuaweiCloud KMS key {}: {m}", self.key_id))
            }
            KeyError::Failed(m) => fail(m),
        })?;
        let endpoint = endpoint(&self.region).map_err(fail)?;
        let project = project_id(&creds, &self.region, deadline, &limits).map_err(fail)?;
        let url = format!("{endpoint}/v1.0/{project}/kms/{op}");
        let reply = signed(
            &creds,
            "POST",
            &url,
            Some(&project),
            Some(body.as_bytes()),
            deadline,
            &limits,
        )
        .map_err(|e| fail(net_text(e)))?;
        if !(200..300).contains(&reply.status) {
            return Err(fail(service_error(&reply)));
        }
        Ok(reply.json())
    }
}

fn net_text(e: NetError) -> String {
    match e {
        NetError::Timeout(m) => {
            format!("{m} (LEAFSEAL_KMS_TIMEOUT, LEAFSEAL_KMS_CONNECT_TIMEOUT)")
        }
        NetError::Unreachable(m) => format!("cannot reach the KMS endpoint: {m}"),
    }
}

/// A Huawei error answer as one line: status, error code and message.
fn service_error(reply: &Reply) -> String {
    let doc = reply.json();
    let err = doc.get("error").unwrap_or(&doc);
    let code = err.get("error_code").and_then(|v| v.as_str()).unwrap_or("");
    let msg = err
        .get("error_msg")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| reply.snippet());
    let hint = match (reply.status, code) {
        (_, "APIGW.0301") | (401, _) => " (the AK/SK or security token is not accepted)",
        (403, _) => " (the credentials lack permission for this key)",
        (404, _) => " (no such key in this project and region)",
        _ => "",
    };
    format!("failed: HTTP {} {code}: {msg}{hint}", reply.status)
}

impl MasterKey for HcKey {
    fn kind(&self) -> &'static str {
        "hckms"
    }

    fn id(&self) -> String {
        self.key_id.clone()
    }

    fn wrap(&self, secret: &[u8]) -> Result<StoredKey, KeyError> {
        // sops-compat: the plaintext KMS sees is the base64 text of the data key.
        let plain = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(secret));
        // Built by hand so every copy of the key's text is zeroized (base64 needs no escaping).
        let body = Zeroizing::new(format!(
            "{{\"key_id\":{},\"plain_text\":\"{}\",\"encryption_algorithm\":\"SYMMETRIC_DEFAULT\"}}",
            serde_json::Value::String(self.uuid.clone()),
            plain.as_str()
        ));
        let doc = self.call("encrypt-data", &body)?;
        let enc = doc
            .get("cipher_text")
            .and_then(|v| v.as_str())
            .ok_or_else(|| {
                KeyError::Failed(format!(
                    "HuaweiCloud KMS encrypt-data with {} returned no cipher_text",
                    self.key_id
                ))
            })?;
        let mut fields = Branch::new();
        fields.push("created_at", Value::Str(Time::now_utc().rfc3339()));
        fields.push("enc", Value::Str(enc.to_owned()));
        fields.push("key_id", Value::Str(self.key_id.clone()));
        Ok(StoredKey {
            kind: "hckms".into(),
            fields,
        })
    }
}

impl Backend for HcKmsBackend {
    fn name(&self) -> &'static str {
        "hckms"
    }

    fn parse_list(&self, spec: &str) -> Result<Vec<Box<dyn MasterKey>>, KeyError> {
        spec.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| HcKey::parse(s).map(|k| Box::new(k) as Box<dyn MasterKey>))
            .collect()
    }

    fn key_from_stored(&self, stored: &StoredKey) -> Result<Box<dyn MasterKey>, KeyError> {
        Ok(Box::new(HcKey::parse(
            stored.field("key_id").unwrap_or(""),
        )?))
    }

    fn unwrap(&self, stored: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let key = HcKey::parse(stored.field("key_id").unwrap_or(""))?;
        let body = serde_json::json!({
            "cipher_text": stored.enc().trim(),
            "encryption_algorithm": "SYMMETRIC_DEFAULT",
            "key_id": key.uuid,
        })
        .to_string();
        let doc = key.call("decrypt-data", &body)?;
        let plain = doc
            .get("plain_text")
            .and_then(|v| v.as_str())
            .map(|s| Zeroizing::new(s.to_owned()))
            .ok_or_else(|| {
                KeyError::Failed(format!(
                    "HuaweiCloud KMS decrypt-data with {} returned no plain_text",
                    key.key_id
                ))
            })?;
        base64::engine::general_purpose::STANDARD
            .decode(plain.trim())
            .map(Zeroizing::new)
            .map_err(|_| {
                KeyError::Failed(format!(
                    "HuaweiCloud KMS key {}: the decrypted text is not base64 (not written by SOPS?)",
                    key.key_id
                ))
            })
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints, credentials and signing.

/// KMS endpoints of the Huawei SDKs' region table.
const REGIONS: &[(&str, &str)] = &[
    ("af-north-1", "https://kms.af-north-1.myhuaweicloud.com"),
    ("af-south-1", "https://kms.af-south-1.myhuaweicloud.com"),
    ("ae-ad-1", "https://kms.ae-ad-1.myhuaweicloud.com"),
    (
        "ap-southeast-1",
        "https://kms.ap-southeast-1.myhuaweicloud.com",
    ),
    (
        "ap-southeast-2",
        "https://kms.ap-southeast-2.myhuaweicloud.com",
    ),
    (
        "ap-southeast-3",
        "https://kms.ap-southeast-3.myhuaweicloud.com",
    ),
    (
        "ap-southeast-4",
        "https://kms.ap-southeast-4.myhuaweicloud.com",
    ),
    (
        "ap-southeast-5",
        "https://kms.ap-southeast-5.myhuaweicloud.com",
    ),
    ("cn-east-2", "https://kms.cn-east-2.myhuaweicloud.com"),
    ("cn-east-3", "https://kms.cn-east-3.myhuaweicloud.com"),
    ("cn-east-4", "https://kms.cn-east-4.myhuaweicloud.com"),
    ("cn-east-5", "https://kms.cn-east-5.myhuaweicloud.com"),
    ("cn-north-1", "https://kms.cn-north-1.myhuaweicloud.com"),
    ("cn-north-2", "https://kms.cn-north-2.myhuaweicloud.com"),
    ("cn-north-4", "https://kms.cn-north-4.myhuaweicloud.com"),
    ("cn-north-9", "https://kms.cn-north-9.myhuaweicloud.com"),
    ("cn-north-11", "https://kms.cn-north-11.myhuaweicloud.com"),
    ("cn-north-12", "https://kms.cn-north-12.myhuaweicloud.com"),
    ("cn-south-1", "https://kms.cn-south-1.myhuaweicloud.com"),
    ("cn-south-2", "https://kms.cn-south-2.myhuaweicloud.com"),
    ("cn-south-4", "https://kms.cn-south-4.myhuaweicloud.com"),
    (
        "cn-southwest-2",
        "https://kms.cn-southwest-2.myhuaweicloud.com",
    ),
    (
        "cn-southwest-3",
        "https://kms.cn-southwest-3.myhuaweicloud.com",
    ),
    ("eu-west-101", "https://kms.eu-west-101.myhuaweicloud.eu"),
    ("la-north-2", "https://kms.la-north-2.myhuaweicloud.com"),
    ("la-south-2", "https://kms.la-south-2.myhuaweicloud.com"),
    ("me-east-1", "https://kms.me-east-1.myhuaweicloud.com"),
    (
        "my-kualalumpur-1",
        "https://kms.my-kualalumpur-1.myhuaweicloud.com",
    ),
    ("na-mexico-1", "https://kms.na-mexico-1.myhuaweicloud.com"),
    ("ru-moscow-1", "https://kms.ru-moscow-1.myhuaweicloud.com"),
    ("sa-brazil-1", "https://kms.sa-brazil-1.myhuaweicloud.com"),
    ("tr-west-1", "https://kms.tr-west-1.myhuaweicloud.com"),
];

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The KMS endpoint of `region`: `HUAWEICLOUD_SDK_REGION_KMS_<REGION>` (the first of a
/// comma-separated list), else the built-in table.
fn endpoint(region: &str) -> Result<String, String> {
    let var = format!(
        "HUAWEICLOUD_SDK_REGION_KMS_{}",
        region.replace('-', "_").to_ascii_uppercase()
    );
    if let Some(v) = env(&var) {
        let first = v.split(',').next().unwrap_or("").trim();
        return Ok(first.trim_end_matches('/').to_owned());
    }
    REGIONS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, e)| (*e).to_owned())
        .ok_or_else(|| format!("unknown region {region:?}: set {var} to its KMS endpoint"))
}

/// The credentials of the basic chain, resolved once per process (failures too, except
/// timeouts).
fn credentials(deadline: Instant, limits: &Limits) -> Result<Creds, KeyError> {
    static CREDS: OnceLock<Mutex<Option<Result<Creds, KeyError>>>> = OnceLock::new();
    let cell = CREDS.get_or_init(|| Mutex::new(None));
    let mut slot = cell.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = slot.as_ref() {
        return c.clone();
    }
    let c = resolve_credentials(deadline, limits);
    if !matches!(&c, Err(KeyError::Failed(m)) if m.contains("timed out")) {
        *slot = Some(c.clone());
    }
    c
}

fn resolve_credentials(deadline: Instant, limits: &Limits) -> Result<Creds, KeyError> {
    let project = env("HUAWEICLOUD_SDK_PROJECT_ID");
    if let (Some(ak), Some(sk)) = (env("HUAWEICLOUD_SDK_AK"), env("HUAWEICLOUD_SDK_SK")) {
        return Ok(Creds {
            ak,
            sk: Zeroizing::new(sk),
            token: env("HUAWEICLOUD_SDK_SECURITY_TOKEN").map(Zeroizing::new),
            project,
        });
    }
    let file = env("HUAWEICLOUD_SDK_CREDENTIALS_FILE").unwrap_or_else(|| {
        format!(
            "{}/.huaweicloud/credentials",
            env("HOME").unwrap_or_else(|| "~".into())
        )
    });
    if let Ok(text) = std::fs::read_to_string(&file).map(Zeroizing::new) {
        let basic = ini_section(&text, "basic");
        if let (Some(ak), Some(sk)) = (basic.get("ak"), basic.get("sk")) {
            return Ok(Creds {
                ak: ak.clone(),
                sk: Zeroizing::new(sk.clone()),
                token: basic.get("security_token").cloned().map(Zeroizing::new),
                project: basic.get("project_id").cloned().or(project),
            });
        }
    }
    let base = env("LEAFSEAL_HUAWEICLOUD_METADATA_ENDPOINT")
        .unwrap_or_else(|| "http://169.254.169.254".into());
    let base = base.trim_end_matches('/');
    match metadata_credentials(base, deadline, limits) {
        Ok(Some(mut c)) => {
            c.project = project;
            Ok(c)
        }
        other => {
            let why = match other {
                Err(NetError::Timeout(_)) => format!(
                    "no answer within {} (LEAFSEAL_IMDS_TIMEOUT)",
                    rest::secs(limits.imds)
                ),
                Err(NetError::Unreachable(m)) => m,
                _ => "no temporary keys (no agency bound to this instance?)".to_owned(),
            };
            Err(KeyError::NotMine(format!(
                "no HuaweiCloud credentials found (tried: environment (HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK not set); credentials file {file} (no [basic] ak/sk); ECS metadata at {base}: {why})"
            )))
        }
    }
}

/// `key = value` lines of one `[section]` of an INI file.
fn ini_section(text: &str, section: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut inside = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') && line.ends_with(']') {
            inside = line[1..line.len() - 1].trim() == section;
        } else if inside && !line.starts_with(['#', ';']) {
            if let Some((k, v)) = line.split_once('=') {
                out.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
    }
    out
}

/// Temporary keys from the ECS metadata service (token first, as the SDKs do).
fn metadata_credentials(
    base: &str,
    deadline: Instant,
    limits: &Limits,
) -> Result<Option<Creds>, NetError> {
    let short = deadline.min(Instant::now() + limits.imds);
    fn call<'a>(
        method: &'a str,
        url: &'a str,
        headers: Vec<(&'a str, String)>,
        deadline: Instant,
        connect: std::time::Duration,
    ) -> Call<'a> {
        Call {
            method,
            url,
            headers,
            body: None,
            deadline,
            connect,
        }
    }
    let token_url = format!("{base}/meta-data/latest/api/token");
    let token = call(
        "PUT",
        &token_url,
        vec![("X-Metadata-Token-Ttl-Seconds", "21600".to_owned())],
        short,
        limits.imds,
    )
    .send()?;
    let mut headers = Vec::new();
    if token.status == 200 {
        headers.push((
            "X-Metadata-Token",
            String::from_utf8_lossy(&token.body).trim().to_owned(),
        ));
    }
    let url = format!("{base}/openstack/latest/securitykey");
    let reply = call("GET", &url, headers, short, limits.imds).send()?;
    if reply.status != 200 {
        return Ok(None);
    }
    let doc = reply.json();
    let c = &doc["credential"];
    match (c["access"].as_str(), c["secret"].as_str()) {
        (Some(ak), Some(sk)) => Ok(Some(Creds {
            ak: ak.to_owned(),
            sk: Zeroizing::new(sk.to_owned()),
            token: c["securitytoken"]
                .as_str()
                .map(|t| Zeroizing::new(t.to_owned())),
            project: None,
        })),
        _ => Ok(None),
    }
}

/// The project id of `region`: from the credentials, else IAM `GET /v3/projects?name=REGION`
/// (cached per region).
fn project_id(
    creds: &Creds,
    region: &str,
    deadline: Instant,
    limits: &Limits,
) -> Result<String, String> {
    if let Some(p) = &creds.project {
        return Ok(p.clone());
    }
    static PROJECTS: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let map = PROJECTS.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(p) = map.lock().unwrap_or_else(|p| p.into_inner()).get(region) {
        return Ok(p.clone());
    }
    let iam = env("HUAWEICLOUD_SDK_IAM_ENDPOINT")
        .unwrap_or_else(|| format!("https://iam.{region}.myhuaweicloud.com"));
    let url = format!(
        "{}/v3/projects?name={}",
        iam.trim_end_matches('/'),
        rest::form_encode(region)
    );
    let reply = signed(creds, "GET", &url, None, None, deadline, limits).map_err(|e| {
        format!(
            "no project id (HUAWEICLOUD_SDK_PROJECT_ID unset) and the IAM lookup failed: {}",
            net_text(e)
        )
    })?;
    if reply.status != 200 {
        return Err(format!(
            "no project id (HUAWEICLOUD_SDK_PROJECT_ID unset) and the IAM lookup {}",
            service_error(&reply)
        ));
    }
    let doc = reply.json();
    let id = doc["projects"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|p| p["id"].as_str())
        .ok_or_else(|| {
            format!("IAM knows no project named {region:?}: set HUAWEICLOUD_SDK_PROJECT_ID")
        })?;
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(region.to_owned(), id.to_owned());
    Ok(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_parse_like_sops() {
        let k = HcKey::parse(" tr-west-1:0f1c-22 ").unwrap();
        assert_eq!(
            (k.region.as_str(), k.uuid.as_str()),
            ("tr-west-1", "0f1c-22")
        );
        assert_eq!(k.id(), "tr-west-1:0f1c-22");
        assert_eq!(HcKey::parse("r:a:b").unwrap().uuid, "a:b");
        for bad in ["", "nocolon", ":uuid", "region:", " : "] {
            assert!(HcKey::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(HCKMS.parse_list("a:1, b:2,").unwrap().len(), 2);
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            endpoint("eu-west-101").unwrap(),
            "https://kms.eu-west-101.myhuaweicloud.eu"
        );
        assert!(endpoint("xx-nowhere-9")
            .unwrap_err()
            .contains("HUAWEICLOUD_SDK_REGION_KMS_XX_NOWHERE_9"));
    }
}

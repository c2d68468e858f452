//! The small synchronous HTTPS client of the REST master-key backends (Vault transit, GCP KMS,
//! Azure Key Vault, HuaweiCloud KMS): `ureq` on rustls with ring (the TLS stack the AWS SDK
//! already brings).
//!
//! It honours what the official Go SDKs honour, so one environment drives both tools: root
//! certificates from the system store, replaced by `SSL_CERT_FILE`/`SSL_CERT_DIR` when set
//! (`rustls-native-certs` follows Go's rule); `HTTPS_PROXY` for `https://` and `HTTP_PROXY` for
//! `http://` URLs, `NO_PROXY` exceptions, and never a proxy for loopback addresses (Go's
//! `http.ProxyFromEnvironment`). Every request is bounded: a connect limit and a deadline for the
//! whole call ([`Limits`], shared with AWS KMS: `LEAFSEAL_KMS_TIMEOUT`,
//! `LEAFSEAL_KMS_CONNECT_TIMEOUT`, `LEAFSEAL_IMDS_TIMEOUT`). A backend may bring its own
//! connection settings ([`Tls`]: Vault's `VAULT_CACERT`, client certificates,
//! `VAULT_SKIP_VERIFY`; no proxy for a metadata server). It knows no backend.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig, TlsProvider};
use ureq::{Agent, Proxy};

use super::KeyError;

mod proxy;

use proxy::proxy_for;

/// Largest response body read (key documents and token answers are a few kilobytes).
const MAX_BODY: u64 = 1 << 20;

/// Time limits, from the environment (seconds, fractions allowed).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `LEAFSEAL_KMS_TIMEOUT`: one whole key operation, credentials included.
    pub total: Duration,
    /// `LEAFSEAL_KMS_CONNECT_TIMEOUT`: each TCP/TLS connect.
    pub connect: Duration,
    /// `LEAFSEAL_IMDS_TIMEOUT`: each request to an instance metadata service.
    pub imds: Duration,
}

pub(crate) use super::secs;

impl Limits {
    /// The limits in force (read once per process).
    pub fn get() -> Result<Limits, String> {
        static LIMITS: OnceLock<Result<Limits, String>> = OnceLock::new();
        LIMITS
            .get_or_init(|| {
                Ok(Limits {
                    total: super::env_seconds("LEAFSEAL_KMS_TIMEOUT", 10.0)?,
                    connect: super::env_seconds("LEAFSEAL_KMS_CONNECT_TIMEOUT", 1.0)?,
                    imds: super::env_seconds("LEAFSEAL_IMDS_TIMEOUT", 1.0)?,
                })
            })
            .clone()
    }
}

/// Connection settings of one service (Vault's `VAULT_CACERT`, client certificates, …); the
/// default is the system's roots, verified, through the environment's proxy.
#[derive(Default)]
pub struct Tls {
    /// Roots that replace the system's (`VAULT_CACERT`).
    pub roots: Option<Vec<Certificate<'static>>>,
    /// A client certificate chain and its key.
    pub client: Option<ClientCert>,
    /// Do not verify the server (`VAULT_SKIP_VERIFY`).
    pub insecure: bool,
    /// Never through a proxy (a metadata server: Google's metadata client has no proxy).
    pub direct: bool,
}

impl Tls {
    /// Whether these are the default settings (whose agents are shared).
    fn is_default(&self) -> bool {
        self.roots.is_none() && self.client.is_none() && !self.insecure
    }
}

/// Every certificate in PEM `bytes` (`what` names the file in errors).
pub fn pem_certs(bytes: &[u8], what: &str) -> Result<Vec<Certificate<'static>>, KeyError> {
    let mut out = Vec::new();
    for item in ureq::tls::parse_pem(bytes) {
        match item {
            Ok(PemItem::Certificate(c)) => out.push(c),
            Ok(_) => {}
            Err(e) => return Err(KeyError::Failed(format!("{what}: invalid PEM: {e}"))),
        }
    }
    Ok(out)
}

/// The first private key in PEM `bytes`.
pub fn pem_key(bytes: &[u8], what: &str) -> Result<PrivateKey<'static>, KeyError> {
    for item in ureq::tls::parse_pem(bytes) {
        match item {
            Ok(PemItem::PrivateKey(k)) => return Ok(k),
            Ok(_) => {}
            Err(e) => return Err(KeyError::Failed(format!("{what}: invalid PEM: {e}"))),
        }
    }
    Err(KeyError::Failed(format!("{what}: no private key found")))
}

/// An answer: status, headers (lower-case names) and body.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    #[cfg_attr(not(feature = "azure-kv"), allow(dead_code))]
    headers: Vec<(String, String)>,
    /// The body (bounded by [`MAX_BODY`]).
    pub body: Vec<u8>,
}

impl Drop for Reply {
    fn drop(&mut self) {
        // Answers may carry a data key (decrypt) or a token.
        zeroize::Zeroize::zeroize(&mut self.body);
    }
}

impl Reply {
    /// A header's value (first of that name).
    #[cfg_attr(not(feature = "azure-kv"), allow(dead_code))]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The start of the body on one line, for error messages (an error document from the
    /// service, never request data).
    pub fn snippet(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        one.chars().take(200).collect()
    }

    /// `HTTP 403: message` from a JSON error document (Vault's `errors`, Google's
    /// `error.message`, OAuth's `error` and `error_description`), else from the body's start.
    pub fn error_summary(&self) -> String {
        let j = self.json();
        let msg = match &j {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::Array(errs)) = m.get("errors") {
                    errs.iter()
                        .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join("; ")
                } else if let Some(e) = m.get("error") {
                    match e {
                        serde_json::Value::Object(o) => o
                            .get("message")
                            .and_then(|v| v.as_str())
                            .unwrap_or("")
                            .to_owned(),
                        serde_json::Value::String(s) => {
                            let d = m
                                .get("error_description")
                                .and_then(|v| v.as_str())
                                .unwrap_or("");
                            if d.is_empty() {
                                s.clone()
                            } else {
                                format!("{s}: {d}")
                            }
                        }
                        other => other.to_string(),
                    }
                } else {
                    String::new()
                }
            }
            _ => String::new(),
        };
        let msg: String = if msg.is_empty() {
            self.snippet()
        } else {
            msg.chars().take(200).collect()
        };
        format!(
            "HTTP {}{}{}",
            self.status,
            if msg.is_empty() { "" } else { ": " },
            msg
        )
    }
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// The deadline or connect limit passed (the text says which).
    Timeout(String),
    /// No connection or no TLS session (refused, unknown host, bad certificate, proxy).
    Unreachable(String),
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetError::Timeout(s) | NetError::Unreachable(s) => f.write_str(s),
        }
    }
}

/// One request.
pub struct Call<'a> {
    /// `GET`, `POST`, `PUT`.
    pub method: &'a str,
    /// Full URL.
    pub url: &'a str,
    /// Extra headers.
    pub headers: Vec<(&'a str, String)>,
    /// Request body (none for `GET`).
    pub body: Option<&'a [u8]>,
    /// Give up at this instant.
    pub deadline: Instant,
    /// Connect limit (shorter for metadata services).
    pub connect: Duration,
}

impl Call<'_> {
    /// Send it and read the answer (any status).
    pub fn send(&self) -> Result<Reply, NetError> {
        self.send_with(&Tls::default())
    }

    /// [`Call::send`] with a service's own connection settings.
    pub fn send_with(&self, tls: &Tls) -> Result<Reply, NetError> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(NetError::Timeout(format!(
                "{} {}: no time left",
                self.method,
                redact(self.url)
            )));
        }
        let proxy = proxy_for(self.url).filter(|_| !tls.direct);
        let agent = agent(proxy, tls)
            .map_err(|e| NetError::Unreachable(format!("{}: {e}", redact(self.url))))?;
        let mut b = ureq::http::Request::builder()
            .method(self.method)
            .uri(self.url);
        for (k, v) in &self.headers {
            b = b.header(*k, v.as_str());
        }
        let req = b
            // Borrowed, so no copy of a body that carries key material is left behind.
            .body(self.body.unwrap_or(&[]))
            .map_err(|e| NetError::Unreachable(format!("{}: {e}", redact(self.url))))?;
        let connect = self.connect.min(left);
        let req = agent
            .configure_request(req)
            .timeout_global(Some(left))
            .timeout_connect(Some(connect))
            .build();
        let fail = |e: ureq::Error| {
            match e {
            ureq::Error::Timeout(t) => NetError::Timeout(format!(
                "{} {} timed out after {} ({t}; LEAFSEAL_KMS_TIMEOUT / LEAFSEAL_KMS_CONNECT_TIMEOUT)",
                self.method,
                redact(self.url),
                if matches!(t, ureq::Timeout::Connect) {
                    secs(connect)
                } else {
                    secs(left)
                }
            )),
            e => NetError::Unreachable(format!(
                "{} {}: cannot connect: {}",
                self.method,
                redact(self.url),
                describe(&e)
            )),
        }
        };
        let mut resp = agent.run(req).map_err(fail)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(fail)?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// Why a connection failed: the common causes in plain words, else the error and its sources.
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".into()
        }
        ureq::Error::HostNotFound => "host not found".into(),
        other => {
            let text = error_text(other);
            if text.contains("invalid peer certificate") {
                format!("{text} (the server's certificate is not trusted: add its CA with SSL_CERT_FILE, or VAULT_CACERT for Vault)")
            } else {
                text
            }
        }
    }
}

/// An error with its sources on one line.
fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !t.is_empty() && !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        cur = s.source();
    }
    out
}

/// A URL without its query (which may carry a resource or client id, never needed in a report).
pub fn redact(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// One agent per proxy (or none) for the default settings: agents keep their connections for
/// the next request. A service's own settings get an agent of their own.
fn agent(proxy: Option<String>, tls: &Tls) -> Result<Agent, String> {
    static AGENTS: OnceLock<Mutex<HashMap<Option<String>, Agent>>> = OnceLock::new();
    let shared = tls.is_default();
    let map = AGENTS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if shared {
        if let Some(a) = map.get(&proxy) {
            return Ok(a.clone());
        }
    }
    let p = match &proxy {
        Some(url) => Some(
            Proxy::new(url)
                .map_err(|e| format!("invalid proxy {url:?} (HTTPS_PROXY/HTTP_PROXY): {e}"))?,
        ),
        None => None,
    };
    let roots = match &tls.roots {
        Some(r) => RootCerts::new_with_certs(r),
        None => roots(),
    };
    let tls_config = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(roots)
        .client_cert(tls.client.clone())
        .disable_verification(tls.insecure)
        .build();
    let config = Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("leafseal/", env!("CARGO_PKG_VERSION")))
        .tls_config(tls_config)
        .proxy(p)
        .build();
    let a: Agent = config.into();
    if shared {
        map.insert(proxy, a.clone());
    }
    Ok(a)
}

/// The trusted roots: the system store, or `SSL_CERT_FILE`/`SSL_CERT_DIR` when set; Mozilla's
/// roots only when neither yields a certificate.
fn roots() -> RootCerts {
    static ROOTS: OnceLock<RootCerts> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let certs: Vec<Certificate<'static>> = found
                .certs
                .iter()
                .map(|c| Certificate::from_der(c.as_ref()).to_owned())
                .collect();
            if certs.is_empty() {
                RootCerts::WebPki
            } else {
                RootCerts::Specific(Arc::new(certs))
            }
        })
        .clone()
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_summaries() {
        let reply = |status, body: &str| Reply {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(
            reply(403, r#"{"errors":["permission denied"]}"#).error_summary(),
            "HTTP 403: permission denied"
        );
        assert_eq!(
            reply(
                403,
                r#"{"error":{"message":"no","status":"PERMISSION_DENIED"}}"#
            )
            .error_summary(),
            "HTTP 403: no"
        );
        assert_eq!(
            reply(
                400,
                r#"{"error":"invalid_grant","error_description":"bad"}"#
            )
            .error_summary(),
            "HTTP 400: invalid_grant: bad"
        );
        assert_eq!(
            reply(502, "  bad\n gateway ").error_summary(),
            "HTTP 502: bad gateway"
        );
        assert_eq!(reply(500, "").error_summary(), "HTTP 500");
    }

    #[test]
    fn durations_for_messages() {
        assert_eq!(secs(Duration::from_secs(10)), "10s");
        assert_eq!(secs(Duration::from_millis(999)), "1s");
        assert_eq!(secs(Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn form_encoding() {
        assert_eq!(
            form_encode("https://vault.azure.net/.default"),
            "https%3A%2F%2Fvault.azure.net%2F.default"
        );
        assert_eq!(form_encode("a b+c"), "a%20b%2Bc");
    }
}

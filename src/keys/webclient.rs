//! The small synchronous HTTPS client the REST-based key backends share (Vault transit, GCP
//! KMS): `ureq` on rustls with ring, one TLS stack with the AWS SDK's. It owns what the
//! official Go SDKs take from the environment, so the same environment drives both tools:
//! the root certificates (the system's, or `SSL_CERT_FILE` / `SSL_CERT_DIR` instead, as Go
//! reads them), `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` chosen by the request's scheme as
//! Go's `ProxyFromEnvironment` does (loopback never proxied), and the time limits
//! (`LEAFSEAL_KMS_TIMEOUT`, `LEAFSEAL_KMS_CONNECT_TIMEOUT`, `LEAFSEAL_IMDS_TIMEOUT`, shared
//! with AWS KMS). It knows no service: backends build their requests and read the JSON.

use std::sync::OnceLock;
use std::time::Duration;

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig, TlsProvider};
use zeroize::Zeroizing;

use super::KeyError;

/// Time limits, from the environment (seconds, fractions allowed).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `LEAFSEAL_KMS_TIMEOUT`: one whole request, connect and answer included.
    pub total: Duration,
    /// `LEAFSEAL_KMS_CONNECT_TIMEOUT`: each TCP/TLS connect.
    pub connect: Duration,
    /// `LEAFSEAL_IMDS_TIMEOUT`: an instance metadata server, per request.
    pub metadata: Duration,
}

fn seconds(var: &str, default: f64) -> Result<Duration, KeyError> {
    match std::env::var(var) {
        Err(_) => Ok(Duration::from_secs_f64(default)),
        Ok(v) if v.trim().is_empty() => Ok(Duration::from_secs_f64(default)),
        Ok(v) => match v.trim().parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Ok(Duration::from_secs_f64(s)),
            _ => Err(KeyError::Failed(format!(
                "{var}={v:?} is not a number of seconds between 0 and 3600"
            ))),
        },
    }
}

impl Limits {
    /// The limits in force (the same variables and defaults as AWS KMS).
    pub fn from_env() -> Result<Self, KeyError> {
        Ok(Limits {
            total: seconds("LEAFSEAL_KMS_TIMEOUT", 10.0)?,
            connect: seconds("LEAFSEAL_KMS_CONNECT_TIMEOUT", 1.0)?,
            metadata: seconds("LEAFSEAL_IMDS_TIMEOUT", 1.0)?,
        })
    }
}

/// A duration as `10s` or `0.5s`.
pub fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}

/// Connection settings of one service (Vault's `VAULT_CACERT`, client certificates, …).
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

/// The system's roots as Go reads them (`SSL_CERT_FILE` and `SSL_CERT_DIR` replace the
/// defaults), or Mozilla's when the system has none; loaded once.
fn system_roots() -> RootCerts {
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
                RootCerts::new_with_certs(&certs)
            }
        })
        .clone()
}

/// `host` of `url` (no port, brackets removed).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = hostport.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    hostport.split(':').next().unwrap_or("")
}

/// The proxy Go's `http.ProxyFromEnvironment` would use for `url`.
pub fn proxy_for(url: &str) -> Option<String> {
    proxy_with(url, |n| std::env::var(n).ok())
}

/// [`proxy_for`] with the environment read through `var`.
fn proxy_with(url: &str, var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let env = |names: [&str; 2]| names.iter().find_map(|n| var(n).filter(|v| !v.is_empty()));
    let proxy = if url.starts_with("https://") {
        env(["HTTPS_PROXY", "https_proxy"])
    } else {
        env(["HTTP_PROXY", "http_proxy"])
    }?;
    let host = host_of(url).to_ascii_lowercase();
    // sops-compat: Go never proxies requests to localhost or a loopback address.
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        return None;
    }
    let no_proxy = env(["NO_PROXY", "no_proxy"]).unwrap_or_default();
    for entry in no_proxy.split(',').map(|e| e.trim().to_ascii_lowercase()) {
        if entry == "*" {
            return None;
        }
        let entry = entry.split(':').next().unwrap_or("").to_owned();
        if entry.is_empty() {
            continue;
        }
        let bare = entry.trim_start_matches("*.").trim_start_matches('.');
        if host == bare || host.ends_with(&format!(".{bare}")) {
            return None;
        }
    }
    Some(if proxy.contains("://") {
        proxy
    } else {
        format!("http://{proxy}")
    })
}

/// An agent for requests to `url` under `limits`, with `tls`'s settings.
pub fn agent(
    url: &str,
    limits: &Limits,
    total: Duration,
    tls: &Tls,
) -> Result<ureq::Agent, KeyError> {
    let proxy = match proxy_for(url).filter(|_| !tls.direct) {
        Some(p) => Some(ureq::Proxy::new(&p).map_err(|e| {
            KeyError::Failed(format!("invalid proxy {p:?} (HTTPS_PROXY/HTTP_PROXY): {e}"))
        })?),
        None => None,
    };
    let roots = match &tls.roots {
        Some(r) => RootCerts::new_with_certs(r),
        None => system_roots(),
    };
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(roots)
        .client_cert(tls.client.clone())
        .disable_verification(tls.insecure)
        .build();
    Ok(ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(limits.connect.min(total)))
        .timeout_global(Some(total))
        .max_redirects(0)
        .proxy(proxy)
        .tls_config(tls)
        .build()
        .into())
}

/// An HTTP answer: status and body (bounded to 1 MiB).
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body; may hold a secret (a decrypted data key).
    pub body: Zeroizing<String>,
}

impl Answer {
    /// The body as JSON (an empty object when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Why a request failed, as the end of a sentence ("timed out after 10s …").
pub fn describe(e: &ureq::Error, total: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => format!(
            "timed out after {} (LEAFSEAL_KMS_TIMEOUT / LEAFSEAL_KMS_CONNECT_TIMEOUT)",
            secs(total)
        ),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".into()
        }
        ureq::Error::HostNotFound => "host not found".into(),
        other => {
            let text = other.to_string();
            if text.contains("invalid peer certificate") {
                format!("{text} (the server's certificate is not trusted: add its CA with SSL_CERT_FILE, or VAULT_CACERT for Vault)")
            } else {
                text
            }
        }
    }
}

/// Send one request; `body` is JSON or absent (GET).
pub fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Answer, ureq::Error> {
    let mut resp = match body {
        Some(b) => {
            let mut req = if method == "PUT" {
                agent.put(url)
            } else {
                agent.post(url)
            };
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.header("Content-Type", "application/json")
                .send(b.as_bytes())?
        }
        None => {
            let mut req = agent.get(url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.call()?
        }
    };
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_string()?;
    Ok(Answer {
        status,
        body: Zeroizing::new(body),
    })
}

/// The text of a JSON error answer, cut to one line of at most 200 characters.
pub fn error_text(a: &Answer) -> String {
    let j = a.json();
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
    let msg = if msg.is_empty() {
        a.body.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        msg
    };
    let msg: String = msg.chars().take(200).collect();
    format!(
        "HTTP {}{}{}",
        a.status,
        if msg.is_empty() { "" } else { ": " },
        msg
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://u:p@Vault.example:8200/v1/x"),
            "Vault.example"
        );
        assert_eq!(host_of("http://[::1]:8200"), "::1");
        assert_eq!(host_of("https://kms.googleapis.com"), "kms.googleapis.com");
    }

    #[test]
    fn proxies_as_go_picks_them() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let e = env(&[
            ("HTTPS_PROXY", "proxy:3128"),
            ("http_proxy", "http://p2:80"),
            ("NO_PROXY", "internal.example, .corp"),
        ]);
        let p = |u: &str| proxy_with(u, e);
        assert_eq!(
            p("https://kms.googleapis.com/v1").as_deref(),
            Some("http://proxy:3128")
        );
        assert_eq!(p("http://vault:8200").as_deref(), Some("http://p2:80"));
        assert_eq!(p("https://internal.example"), None);
        assert_eq!(p("https://a.internal.example"), None);
        assert_eq!(p("https://v.corp:8200"), None);
        assert_eq!(p("https://127.0.0.1:8200"), None);
        assert_eq!(p("https://localhost"), None);
        assert_eq!(p("https://[::1]:1"), None);
        let all = env(&[("HTTPS_PROXY", "http://p"), ("NO_PROXY", "*")]);
        assert_eq!(proxy_with("https://x", all), None);
        assert_eq!(proxy_with("https://x", env(&[])), None);
    }
}

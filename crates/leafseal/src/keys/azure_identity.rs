//! Azure access tokens for Key Vault: the bearer challenge and the default credential chain of
//! the Azure SDKs (`DefaultAzureCredential`), tried in its order:
//!
//! 1. environment: `AZURE_TENANT_ID` + `AZURE_CLIENT_ID` with `AZURE_CLIENT_SECRET`, or with
//!    `AZURE_CLIENT_CERTIFICATE_PATH` (PEM certificate and RSA key; an RS256 client assertion),
//!    against `AZURE_AUTHORITY_HOST` (default `https://login.microsoftonline.com/`);
//! 2. workload identity: `AZURE_FEDERATED_TOKEN_FILE` + `AZURE_CLIENT_ID` + `AZURE_TENANT_ID`;
//! 3. managed identity: App Service style `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, else the
//!    instance metadata service at 169.254.169.254 (the boot case; `LEAFSEAL_AZURE_IMDS_ENDPOINT`
//!    moves it, for tests only), with `AZURE_CLIENT_ID` selecting a user-assigned identity;
//! 4. the Azure CLI: `az account get-access-token`.
//!
//! A source that is not configured or does not answer is "unavailable" and the next is tried;
//! one that is configured and refuses ends the chain with its error (the SDKs' rule). Tokens
//! are cached per scope and tenant for the process and held in `Zeroizing` buffers.

use std::collections::HashMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use zeroize::Zeroizing;

use super::azure_kv::short;
use super::rest::{form_encode, secs, Call, Limits, NetError, Reply};
use super::KeyError;

/// A parsed `WWW-Authenticate: Bearer authorization="…", resource="…"` (or `scope="…"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// Tenant named by the authorization URL's path (may be empty).
    pub tenant: String,
    /// The OAuth scope to ask a token for (`{resource}/.default`).
    pub scope: String,
}

impl Challenge {
    /// Parse the header value; `None` when it is not a bearer challenge.
    pub fn parse(header: &str) -> Option<Challenge> {
        let rest = header.trim().strip_prefix("Bearer")?.trim_start();
        let mut params = HashMap::new();
        for part in rest.split(',') {
            if let Some((k, v)) = part.trim().split_once('=') {
                params.insert(
                    k.trim().to_ascii_lowercase(),
                    v.trim().trim_matches('"').to_owned(),
                );
            }
        }
        let auth = params
            .get("authorization")
            .or_else(|| params.get("authorization_uri"))?;
        let tenant = auth
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').nth(1))
            .unwrap_or("")
            .to_owned();
        let scope = match (params.get("scope"), params.get("resource")) {
            (Some(s), _) if !s.is_empty() => s.clone(),
            (_, Some(r)) if !r.is_empty() => format!("{}/.default", r.trim_end_matches('/')),
            _ => return None,
        };
        Some(Challenge { tenant, scope })
    }

    /// The resource (scope without `/.default`).
    pub fn resource(&self) -> &str {
        self.scope.trim_end_matches("/.default")
    }

    /// The Azure SDKs' check: the vault's host must be a subdomain of the challenge's resource,
    /// so a token is never sent for someone else's audience.
    pub fn verify(&self, vault_url: &str) -> Result<(), String> {
        let host = |u: &str| {
            let auth = u.split("://").nth(1).unwrap_or(u);
            let auth = auth.split('/').next().unwrap_or("");
            auth.rsplit_once(':')
                .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
                .map(|(h, _)| h)
                .unwrap_or(auth)
                .to_ascii_lowercase()
        };
        let (vault, resource) = (host(vault_url), host(self.resource()));
        if !resource.is_empty() && vault.ends_with(&format!(".{resource}")) {
            Ok(())
        } else {
            Err(format!(
                "the challenge resource {resource:?} does not match the vault's domain {vault:?}"
            ))
        }
    }
}

/// A token for `challenge`, from the cache or the credential chain.
pub fn token(
    challenge: &Challenge,
    deadline: Instant,
    limits: &Limits,
) -> Result<Zeroizing<String>, KeyError> {
    type Cache = Mutex<HashMap<(String, String), Result<Zeroizing<String>, KeyError>>>;
    static TOKENS: OnceLock<Cache> = OnceLock::new();
    let cache = TOKENS.get_or_init(|| Mutex::new(HashMap::new()));
    let id = (challenge.scope.clone(), challenge.tenant.clone());
    if let Some(t) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return t.clone();
    }
    let t = chain(challenge, deadline, limits);
    // A timeout is not remembered: another key may have more time.
    if !matches!(&t, Err(KeyError::Failed(m)) if m.contains("timed out")) {
        cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, t.clone());
    }
    t
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A source's outcome: a token, "not configured / no answer" (try the next), or a failure.
enum Got {
    Token(Zeroizing<String>),
    Unavailable(String),
}

/// One credential source of the chain.
type Source = fn(&Challenge, Instant, &Limits) -> Result<Got, KeyError>;

/// The chain, narrowed by `AZURE_TOKEN_CREDENTIALS` as the SDKs do: `prod` (environment,
/// workload identity, managed identity), `dev` (Azure CLI), or one credential's type name.
fn sources() -> Result<Vec<Source>, KeyError> {
    let all: [Source; 4] = [environment, workload_identity, managed_identity, azure_cli];
    let Some(choice) = env("AZURE_TOKEN_CREDENTIALS") else {
        return Ok(all.to_vec());
    };
    Ok(match choice.trim().to_ascii_lowercase().as_str() {
        "prod" => all[..3].to_vec(),
        "dev" => vec![azure_cli],
        "environmentcredential" => vec![environment],
        "workloadidentitycredential" => vec![workload_identity],
        "managedidentitycredential" => vec![managed_identity],
        "azureclicredential" => vec![azure_cli],
        _ => {
            return Err(KeyError::Failed(format!(
            "AZURE_TOKEN_CREDENTIALS={choice:?} is not one of prod, dev, EnvironmentCredential, \
                 WorkloadIdentityCredential, ManagedIdentityCredential, AzureCliCredential"
        )))
        }
    })
}

fn chain(
    challenge: &Challenge,
    deadline: Instant,
    limits: &Limits,
) -> Result<Zeroizing<String>, KeyError> {
    let mut tried = Vec::new();
    for source in sources()? {
        match source(challenge, deadline, limits)? {
            Got::Token(t) => return Ok(t),
            Got::Unavailable(why) => tried.push(why),
        }
    }
    Err(KeyError::NotMine(format!(
        "no Azure credentials found (tried: {})",
        tried.join("; ")
    )))
}

/// The tenant to ask: the configured one, or the challenge's when it differs and
/// `AZURE_ADDITIONALLY_ALLOWED_TENANTS` allows it (the SDKs' rule).
fn tenant_for(configured: &str, challenge: &Challenge) -> Result<String, KeyError> {
    let wanted = challenge.tenant.as_str();
    if wanted.is_empty() || wanted.eq_ignore_ascii_case(configured) {
        return Ok(configured.to_owned());
    }
    let allowed = env("AZURE_ADDITIONALLY_ALLOWED_TENANTS").unwrap_or_default();
    if allowed
        .split(';')
        .map(str::trim)
        .any(|t| t == "*" || t.eq_ignore_ascii_case(wanted))
    {
        Ok(wanted.to_owned())
    } else {
        Err(KeyError::Failed(format!(
            "the vault asks for a token of tenant {wanted:?} but AZURE_TENANT_ID is {configured:?} \
             (add it to AZURE_ADDITIONALLY_ALLOWED_TENANTS to allow it)"
        )))
    }
}

fn token_endpoint(tenant: &str) -> String {
    let authority =
        env("AZURE_AUTHORITY_HOST").unwrap_or_else(|| "https://login.microsoftonline.com/".into());
    format!(
        "{}/{tenant}/oauth2/v2.0/token",
        authority.trim_end_matches('/')
    )
}

/// POST a client-credentials form to the token endpoint.
fn client_credentials(
    what: &str,
    url: &str,
    form: Zeroizing<String>,
    deadline: Instant,
    limits: &Limits,
) -> Result<Got, KeyError> {
    let reply = Call {
        method: "POST",
        url,
        headers: vec![(
            "Content-Type",
            "application/x-www-form-urlencoded".to_owned(),
        )],
        body: Some(form.as_bytes()),
        deadline,
        connect: limits.connect,
    }
    .send()
    .map_err(|e| net_failure(what, e))?;
    access_token(what, &reply, "access_token").map(Got::Token)
}

fn net_failure(what: &str, e: NetError) -> KeyError {
    KeyError::Failed(format!("{what}: {e}"))
}

/// The token field of a token answer, or the answer's error as one line.
fn access_token(what: &str, reply: &Reply, field: &str) -> Result<Zeroizing<String>, KeyError> {
    let doc = reply.json();
    if (200..300).contains(&reply.status) {
        if let Some(t) = doc.get(field).and_then(|v| v.as_str()) {
            return Ok(Zeroizing::new(t.to_owned()));
        }
    }
    let code = doc.get("error").and_then(|v| v.as_str()).unwrap_or("");
    let desc = doc
        .get("error_description")
        .and_then(|v| v.as_str())
        .map(|d| d.lines().next().unwrap_or("").to_owned())
        .unwrap_or_else(|| reply.snippet());
    Err(KeyError::Failed(format!(
        "{what} was refused: HTTP {} {code}: {desc}",
        reply.status
    )))
}

fn environment(c: &Challenge, deadline: Instant, limits: &Limits) -> Result<Got, KeyError> {
    let (Some(tenant), Some(client)) = (env("AZURE_TENANT_ID"), env("AZURE_CLIENT_ID")) else {
        return Ok(Got::Unavailable(
            "environment (AZURE_TENANT_ID/AZURE_CLIENT_ID not set)".into(),
        ));
    };
    let secret = env("AZURE_CLIENT_SECRET").map(Zeroizing::new);
    let cert = env("AZURE_CLIENT_CERTIFICATE_PATH");
    if secret.is_none() && cert.is_none() {
        return Ok(Got::Unavailable(
            "environment (neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH set)"
                .into(),
        ));
    }
    let tenant = tenant_for(&tenant, c)?;
    let url = token_endpoint(&tenant);
    let mut form = Zeroizing::new(format!(
        "grant_type=client_credentials&client_id={}&scope={}",
        form_encode(&client),
        form_encode(&c.scope)
    ));
    let what = if let Some(secret) = secret {
        form.push_str("&client_secret=");
        form.push_str(&form_encode(&secret));
        format!("the client secret of {client} at {url}")
    } else {
        let path = cert.unwrap_or_default();
        let assertion = cert_assertion(&path, &client, &url)?;
        form.push_str(
            "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
        );
        form.push_str("&client_assertion=");
        form.push_str(&assertion);
        format!("the client certificate {path} of {client} at {url}")
    };
    client_credentials(&what, &url, form, deadline, limits)
}

fn workload_identity(c: &Challenge, deadline: Instant, limits: &Limits) -> Result<Got, KeyError> {
    let (Some(file), Some(tenant), Some(client)) = (
        env("AZURE_FEDERATED_TOKEN_FILE"),
        env("AZURE_TENANT_ID"),
        env("AZURE_CLIENT_ID"),
    ) else {
        return Ok(Got::Unavailable(
            "workload identity (AZURE_FEDERATED_TOKEN_FILE/AZURE_TENANT_ID/AZURE_CLIENT_ID not set)"
                .into(),
        ));
    };
    let assertion = Zeroizing::new(
        std::fs::read_to_string(&file)
            .map_err(|e| {
                KeyError::Failed(format!(
                    "cannot read the federated token file {file} (AZURE_FEDERATED_TOKEN_FILE): {e}"
                ))
            })?
            .trim()
            .to_owned(),
    );
    let tenant = tenant_for(&tenant, c)?;
    let url = token_endpoint(&tenant);
    let form = Zeroizing::new(format!(
        "grant_type=client_credentials&client_id={}&scope={}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={}",
        form_encode(&client),
        form_encode(&c.scope),
        form_encode(&assertion)
    ));
    let what = format!("the workload identity {client} (token file {file}) at {url}");
    client_credentials(&what, &url, form, deadline, limits)
}

fn managed_identity(c: &Challenge, deadline: Instant, limits: &Limits) -> Result<Got, KeyError> {
    let client = env("AZURE_CLIENT_ID");
    let client_q = client
        .as_deref()
        .map(|id| format!("&client_id={}", form_encode(id)))
        .unwrap_or_default();
    let resource = form_encode(c.resource());
    if let (Some(endpoint), Some(header)) = (env("IDENTITY_ENDPOINT"), env("IDENTITY_HEADER")) {
        // App Service / Functions: a local endpoint and a secret header.
        let sep = if endpoint.contains('?') { '&' } else { '?' };
        let url = format!("{endpoint}{sep}api-version=2019-08-01&resource={resource}{client_q}");
        let what = format!("the App Service managed identity at {endpoint} (IDENTITY_ENDPOINT)");
        let reply = Call {
            method: "GET",
            url: &url,
            headers: vec![("X-IDENTITY-HEADER", header)],
            body: None,
            deadline: short(deadline, limits.imds.max(limits.connect)),
            connect: limits.imds,
        }
        .send()
        .map_err(|e| net_failure(&what, e))?;
        return access_token(&what, &reply, "access_token").map(Got::Token);
    }
    let base =
        env("LEAFSEAL_AZURE_IMDS_ENDPOINT").unwrap_or_else(|| "http://169.254.169.254".into());
    let base = base.trim_end_matches('/');
    let url = format!(
        "{base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource={resource}{client_q}"
    );
    let what = format!("managed identity (IMDS at {base})");
    let reply = match (Call {
        method: "GET",
        url: &url,
        headers: vec![("Metadata", "true".to_owned())],
        body: None,
        deadline: short(deadline, limits.imds),
        connect: limits.imds,
    })
    .send()
    {
        Ok(r) => r,
        Err(NetError::Timeout(_)) => {
            return Ok(Got::Unavailable(format!(
                "{what}: no answer within {} (LEAFSEAL_IMDS_TIMEOUT)",
                secs(limits.imds)
            )))
        }
        Err(NetError::Unreachable(m)) => {
            return Ok(Got::Unavailable(format!("{what}: {m}")));
        }
    };
    // IMDS without an assigned identity answers 400 (identity not found): not ours.
    if reply.status == 400 && client.is_none() {
        return Ok(Got::Unavailable(format!(
            "{what}: no identity assigned to this machine ({})",
            reply.snippet()
        )));
    }
    access_token(&what, &reply, "access_token").map(Got::Token)
}

fn azure_cli(c: &Challenge, deadline: Instant, _limits: &Limits) -> Result<Got, KeyError> {
    let mut cmd = Command::new("az");
    cmd.args([
        "account",
        "get-access-token",
        "--output",
        "json",
        "--resource",
        c.resource(),
    ]);
    if !c.tenant.is_empty() {
        cmd.args(["--tenant", &c.tenant]);
    }
    let mut child = match cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Got::Unavailable("Azure CLI (az not found on PATH)".into()))
        }
        Err(e) => return Ok(Got::Unavailable(format!("Azure CLI (cannot run az: {e})"))),
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(KeyError::Failed(
                    "Azure CLI: `az account get-access-token` timed out (LEAFSEAL_KMS_TIMEOUT)"
                        .into(),
                ));
            }
        }
    };
    let mut out = Zeroizing::new(Vec::new());
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_end(&mut out);
    }
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let line = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Ok(Got::Unavailable(format!(
            "Azure CLI (az account get-access-token failed: {})",
            line.trim()
        )));
    }
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap_or_default();
    match doc.get("accessToken").and_then(|v| v.as_str()) {
        Some(t) => Ok(Got::Token(Zeroizing::new(t.to_owned()))),
        None => Ok(Got::Unavailable(
            "Azure CLI (az answered without an accessToken)".into(),
        )),
    }
}

/// The RS256 client assertion of a certificate credential: a JWT for `aud` (the token
/// endpoint) naming the client, with the certificate's SHA-1 and SHA-256 thumbprints, signed
/// with its RSA key. The PEM file holds the certificate and the (PKCS#8 or PKCS#1) key.
fn cert_assertion(path: &str, client: &str, aud: &str) -> Result<String, KeyError> {
    use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let fail = |what: &str| {
        KeyError::Failed(format!(
            "client certificate {path} (AZURE_CLIENT_CERTIFICATE_PATH): {what}"
        ))
    };
    let pem = Zeroizing::new(std::fs::read(path).map_err(|e| fail(&e.to_string()))?);
    let cert = CertificateDer::pem_slice_iter(&pem)
        .next()
        .and_then(Result::ok)
        .ok_or_else(|| fail("no PEM certificate in it (PKCS#12 files are not supported; convert with openssl pkcs12 -nodes)"))?;
    let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|_| fail("no PEM private key in it"))?;
    let pair = match &key {
        PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
        _ => return Err(fail("the private key is not an RSA key")),
    }
    .map_err(|e| fail(&format!("unusable RSA key: {e}")))?;
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.as_ref());
    let sha256 = ring::digest::digest(&ring::digest::SHA256, cert.as_ref());
    let mut header = serde_json::json!({
        "alg": "RS256",
        "typ": "JWT",
        "x5t": b64url(sha1.as_ref()),
        "x5t#S256": b64url(sha256.as_ref()),
    });
    if env("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN").is_some_and(|v| v == "1" || v == "true") {
        let chain: Vec<String> = CertificateDer::pem_slice_iter(&pem)
            .filter_map(Result::ok)
            .map(|c| base64::engine::general_purpose::STANDARD.encode(c.as_ref()))
            .collect();
        header["x5c"] = serde_json::json!(chain);
    }
    let now = unix_now();
    let mut jti = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut jti)
        .map_err(|_| fail("no randomness for the assertion id"))?;
    let claims = serde_json::json!({
        "aud": aud, "iss": client, "sub": client, "jti": hex::encode(jti),
        "nbf": now, "iat": now, "exp": now + 600,
    });
    let signing_input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let mut sig = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| fail("signing the assertion failed"))?;
    Ok(format!("{signing_input}.{}", b64url(&sig)))
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Unpadded base64url.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_parsing_and_check() {
        let c = Challenge::parse(
            r#"Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1", resource="https://vault.azure.net""#,
        )
        .unwrap();
        assert_eq!(c.tenant, "72f988bf-86f1");
        assert_eq!(c.scope, "https://vault.azure.net/.default");
        assert!(c.verify("https://myvault.vault.azure.net").is_ok());
        assert!(c.verify("https://vault.azure.net.evil.example").is_err());
        assert!(c.verify("https://evil.example").is_err());
        let c = Challenge::parse(
            r#"Bearer authorization="https://login.example/t", scope="https://localhost/.default""#,
        )
        .unwrap();
        assert_eq!(c.resource(), "https://localhost");
        assert!(c.verify("https://kv.localhost:8443").is_ok());
        assert!(Challenge::parse("Basic realm=x").is_none());
    }

    #[test]
    fn tenant_rule() {
        let c = Challenge {
            tenant: "".into(),
            scope: "s".into(),
        };
        assert_eq!(tenant_for("t1", &c).unwrap(), "t1");
        let c = Challenge {
            tenant: "T1".into(),
            scope: "s".into(),
        };
        assert_eq!(tenant_for("t1", &c).unwrap(), "t1");
    }
}

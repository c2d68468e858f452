//! AWS KMS master keys (spec §6): the data key is sent to `kms:Encrypt` under the key's ARN,
//! with its encryption context, in the region the ARN names; the stored `enc` is the padded
//! standard base64 of the returned `CiphertextBlob`. Credentials come from the AWS SDK's default
//! chain (environment, `aws_profile`/`AWS_PROFILE` files and SSO, web identity, ECS, IMDSv2),
//! and a `role` is assumed through STS with SOPS's session name. Every network wait is bounded
//! (see [`Limits`] and `docs/keys/aws-kms.md`) so a machine without credentials fails in about a
//! second instead of stalling. The traits stay synchronous: calls run on one lazily created
//! current-thread tokio runtime shared by every KMS key of the process. Several threads may
//! wait on it at once (key groups, keys of a group, files of `decrypt`/`rotate`/`updatekeys`
//! over many files): the first drives I/O and timers for all of them, so their network waits
//! overlap (`tests/it/many_files.rs` counts the requests in flight).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_kms::config::{Credentials, Region, SharedHttpClient};
use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use base64::Engine as _;
use regex::Regex;
use zeroize::Zeroizing;

use super::{Backend, KeyError, MasterKey};
use crate::store::metadata::StoredKey;
use crate::tree::{Branch, Time, Value};

/// The AWS KMS backend.
pub struct KmsBackend;

/// The registered instance.
pub static KMS: KmsBackend = KmsBackend;

/// One KMS key: ARN, optional role to assume, encryption context and profile.
#[derive(Clone, PartialEq, Eq)]
pub struct KmsKey {
    arn: String,
    role: String,
    context: BTreeMap<String, String>,
    profile: String,
}

impl fmt::Debug for KmsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KmsKey({})", self.to_sops_string())
    }
}

fn arn_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // sops-compat: SOPS's own pattern; the first group is the region.
    RE.get_or_init(|| {
        Regex::new(r"^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)/.+$").expect("valid regex")
    })
}

/// The region named by a KMS key ARN.
fn region_of(arn: &str) -> Result<String, KeyError> {
    arn_regex()
        .captures(arn)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned())
        .ok_or_else(|| {
            KeyError::Failed(format!(
                "invalid KMS key ARN {arn:?}: expected arn:aws:kms:REGION:ACCOUNT:key/ID or …:alias/NAME"
            ))
        })
}

/// Parse `k1:v1,k2:v2` (the `--encryption-context` and string forms).
pub fn parse_context(text: &str) -> Result<BTreeMap<String, String>, KeyError> {
    let mut out = BTreeMap::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match pair.split_once(':') {
            Some((k, v)) if !k.is_empty() => {
                out.insert(k.to_owned(), v.to_owned());
            }
            _ => {
                return Err(KeyError::Failed(format!(
                    "invalid KMS encryption context {pair:?}: expected key:value pairs separated by commas"
                )))
            }
        }
    }
    Ok(out)
}

impl KmsKey {
    /// A key from its parts; the ARN must name a region.
    pub fn new(
        arn: &str,
        role: &str,
        context: BTreeMap<String, String>,
        profile: &str,
    ) -> Result<Self, KeyError> {
        let arn = arn.trim();
        region_of(arn)?;
        Ok(KmsKey {
            arn: arn.to_owned(),
            role: role.trim().to_owned(),
            context,
            profile: profile.trim().to_owned(),
        })
    }

    /// Parse SOPS's string form `arn[+role_arn][|k:v,…][|profile]`.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut parts = text.trim().split('|');
        let head = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        // sops-compat: the role is split off at `+arn:` (3.12+), so an ARN never loses a `+`.
        let (arn, role) = match head.find("+arn:") {
            Some(i) => (&head[..i], &head[i + 1..]),
            None => (head, ""),
        };
        let (context, profile) = match rest.as_slice() {
            [] => ("", ""),
            // With one extra part, a context always has a `:`; a profile name never does.
            [one] if one.contains(':') => (*one, ""),
            [one] => ("", *one),
            [ctx, profile] => (*ctx, *profile),
            _ => {
                return Err(KeyError::Failed(format!(
                    "invalid KMS key {text:?}: too many `|` separators"
                )))
            }
        };
        KmsKey::new(arn, role, parse_context(context)?, profile)
    }

    /// SOPS's `ToString`: `arn[+role][|k:v,…sorted][|profile]`, used for de-duplication.
    pub fn to_sops_string(&self) -> String {
        let mut s = self.arn.clone();
        if !self.role.is_empty() {
            s.push('+');
            s.push_str(&self.role);
        }
        if !self.context.is_empty() {
            let pairs: Vec<String> = self
                .context
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect();
            s.push('|');
            s.push_str(&pairs.join(","));
        }
        if !self.profile.is_empty() {
            s.push('|');
            s.push_str(&self.profile);
        }
        s
    }

    /// The key described by a stored entry.
    fn from_stored(stored: &StoredKey) -> Result<Self, KeyError> {
        let arn = stored.field("arn").unwrap_or("");
        let mut context = BTreeMap::new();
        if let Some(Value::Map(b)) = stored.fields.get("context").map(|n| &n.value) {
            for (k, n) in b.items.iter().filter_map(|i| match i {
                crate::tree::Item::Pair(k, n) => Some((k, n)),
                crate::tree::Item::Comment(_) => None,
            }) {
                // Context values are strings; a YAML writer may have left a number or boolean
                // unquoted, which SOPS's weak decoding turns back into its text.
                let v = match &n.value {
                    Value::Str(s) => s.clone(),
                    Value::Int(i) => i.to_string(),
                    Value::Uint(u) => u.to_string(),
                    Value::Float(f) => f.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => {
                        return Err(KeyError::Failed(format!(
                            "KMS key {arn}: context value {:?} is not a string",
                            k.name
                        )))
                    }
                };
                context.insert(k.name.clone(), v);
            }
        }
        KmsKey::new(
            arn,
            stored.field("role").unwrap_or(""),
            context,
            stored.field("aws_profile").unwrap_or(""),
        )
    }

    /// The contexts SOPS before 3.3.0 may have encrypted with instead of this key's: every
    /// key mapped to one of its values, for each distinct value (none when all are equal).
    fn buggy_contexts(&self) -> Vec<HashMap<String, String>> {
        let mut values: Vec<&String> = self.context.values().collect();
        values.sort();
        values.dedup();
        if values.len() < 2 {
            return Vec::new();
        }
        values
            .into_iter()
            .map(|v| {
                self.context
                    .keys()
                    .map(|k| (k.clone(), v.clone()))
                    .collect()
            })
            .collect()
    }

    fn context_map(&self) -> Option<HashMap<String, String>> {
        (!self.context.is_empty()).then(|| {
            self.context
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
    }
}

impl MasterKey for KmsKey {
    fn kind(&self) -> &'static str {
        "kms"
    }

    fn id(&self) -> String {
        self.to_sops_string()
    }

    fn wrap(&self, secret: &[u8]) -> Result<StoredKey, KeyError> {
        let plaintext = Blob::new(secret.to_vec());
        let blob = run(self, "Encrypt", async {
            let client = client_for(self).await?;
            let out = client
                .encrypt()
                .key_id(&self.arn)
                .plaintext(plaintext)
                .set_encryption_context(self.context_map())
                .send()
                .await
                .map_err(|e| kms_error("Encrypt", &self.arn, e))?;
            out.ciphertext_blob.ok_or_else(|| {
                KeyError::Failed(format!(
                    "KMS Encrypt with {} returned no ciphertext",
                    self.arn
                ))
            })
        })?;
        let enc = base64::engine::general_purpose::STANDARD.encode(blob.as_ref());
        Ok(self.entry(&enc))
    }

    fn entry(&self, enc: &str) -> StoredKey {
        // Fields in the byte order SOPS 3.13 writes them; `role` and `context` only when set,
        // `aws_profile` always (sops-compat: possibly "").
        let mut fields = Branch::new();
        fields.push("arn", Value::Str(self.arn.clone()));
        fields.push("aws_profile", Value::Str(self.profile.clone()));
        if !self.context.is_empty() {
            let mut ctx = Branch::new();
            for (k, v) in &self.context {
                ctx.push(k.clone(), Value::Str(v.clone()));
            }
            fields.push("context", Value::Map(ctx));
        }
        fields.push("created_at", Value::Str(Time::now_utc().rfc3339()));
        fields.push("enc", Value::Str(enc.to_owned()));
        if !self.role.is_empty() {
            fields.push("role", Value::Str(self.role.clone()));
        }
        StoredKey {
            kind: "kms".into(),
            fields,
        }
    }
}

/// Split a comma-separated list of string-form keys. A context holds commas too, so a piece
/// that does not start a new ARN continues the previous key.
pub fn split_keys(spec: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for piece in spec.split(',') {
        let piece: String = piece.chars().filter(|c| !c.is_whitespace()).collect();
        if piece.is_empty() {
            continue;
        }
        match keys.last_mut() {
            Some(prev) if !piece.starts_with("arn:") && prev.contains('|') => {
                prev.push(',');
                prev.push_str(&piece);
            }
            _ => keys.push(piece),
        }
    }
    keys
}

impl Backend for KmsBackend {
    fn name(&self) -> &'static str {
        "kms"
    }

    fn parse_list(&self, spec: &str) -> Result<Vec<Box<dyn MasterKey>>, KeyError> {
        split_keys(spec)
            .iter()
            .map(|k| KmsKey::parse(k).map(|k| Box::new(k) as Box<dyn MasterKey>))
            .collect()
    }

    fn key_from_stored(&self, stored: &StoredKey) -> Result<Box<dyn MasterKey>, KeyError> {
        // rotate and groups re-wrap a new key for the same ARN, role, context and profile.
        Ok(Box::new(KmsKey::from_stored(stored)?))
    }

    fn unwrap(&self, stored: &StoredKey) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let key = KmsKey::from_stored(stored)?;
        let blob = base64::engine::general_purpose::STANDARD
            .decode(stored.enc().trim())
            .map_err(|_| {
                KeyError::Failed(format!("KMS key {}: enc is not valid base64", key.arn))
            })?;
        run(&key, "Decrypt", async {
            let client = client_for(&key).await?;
            let decrypt = |context: Option<HashMap<String, String>>| {
                client
                    .decrypt()
                    .key_id(&key.arn)
                    .ciphertext_blob(Blob::new(blob.clone()))
                    .set_encryption_context(context)
                    .send()
            };
            let mut out = match decrypt(key.context_map()).await {
                Ok(out) => out,
                Err(e) => {
                    let mismatch = matches!(&e, SdkError::ServiceError(se)
                        if se.err().code() == Some("InvalidCiphertextException"));
                    let err = kms_error("Decrypt", &key.arn, e);
                    // sops-compat: before SOPS 3.3.0 every value of a context was sent as
                    // the last one (getsops/sops#435); SOPS retries with each value in turn.
                    let mut recovered = None;
                    if mismatch {
                        for context in key.buggy_contexts() {
                            if let Ok(out) = decrypt(Some(context)).await {
                                recovered = Some(out);
                                break;
                            }
                        }
                    }
                    recovered.ok_or(err)?
                }
            };
            let plain = out.plaintext.take().ok_or_else(|| {
                KeyError::Failed(format!(
                    "KMS Decrypt with {} returned no plaintext",
                    key.arn
                ))
            })?;
            Ok(Zeroizing::new(plain.into_inner()))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Limits, runtime and clients.

/// Time limits, from the environment (seconds, fractions allowed).
use super::secs;

fn seconds_of(var: &str, default: f64) -> Result<Duration, KeyError> {
    super::env_seconds(var, default).map_err(KeyError::Failed)
}

#[derive(Clone, Copy, Debug)]
struct Limits {
    /// `LEAFSEAL_KMS_TIMEOUT`: one whole KMS operation, credentials and STS included.
    total: Duration,
    /// `LEAFSEAL_KMS_CONNECT_TIMEOUT`: each TCP/TLS connect to KMS or STS.
    connect: Duration,
    /// `LEAFSEAL_IMDS_TIMEOUT`: the instance metadata service, per request and in all.
    imds: Duration,
}

impl Limits {
    fn from_env() -> Result<Self, KeyError> {
        Ok(Limits {
            total: seconds_of("LEAFSEAL_KMS_TIMEOUT", 10.0)?,
            connect: seconds_of("LEAFSEAL_KMS_CONNECT_TIMEOUT", 1.0)?,
            imds: seconds_of("LEAFSEAL_IMDS_TIMEOUT", 1.0)?,
        })
    }
}

/// A value resolved at most once per process, shared by every thread that waits for it.
type Cached<T> = Arc<tokio::sync::OnceCell<Result<T, KeyError>>>;

/// The cell for `key` in `map` (created empty on first use).
fn cell<K: std::hash::Hash + Eq, T>(map: &Mutex<HashMap<K, Cached<T>>>, key: K) -> Cached<T> {
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_default()
        .clone()
}

/// Process-wide state: the runtime, the HTTPS client and what was already resolved.
struct Shared {
    rt: tokio::runtime::Runtime,
    http: SharedHttpClient,
    limits: Limits,
    /// Base credentials per `(profile, region)`, failures included so a second key does not
    /// wait for the same missing metadata service again. A cell is filled once: threads that
    /// need it meanwhile (several files at once) wait for that one resolution instead of
    /// starting their own (one `credential_process` run, one MFA prompt).
    creds: Mutex<HashMap<(String, String), Cached<Credentials>>>,
    /// KMS clients per `(region, profile, role)`, failures (STS) included, filled once alike.
    clients: Mutex<HashMap<(String, String, String), Cached<aws_sdk_kms::Client>>>,
}

fn shared() -> Result<&'static Shared, KeyError> {
    static SHARED: OnceLock<Result<Shared, KeyError>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let limits = Limits::from_env()?;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| {
                    KeyError::Failed(format!("cannot start the AWS client runtime: {e}"))
                })?;
            // One TLS stack for everything: rustls with ring, the system's root certificates.
            let http = aws_smithy_http_client::Builder::new()
                .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                    aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https();
            Ok(Shared {
                rt,
                http,
                limits,
                creds: Mutex::new(HashMap::new()),
                clients: Mutex::new(HashMap::new()),
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Run one KMS operation for `key` on the shared runtime under the total time limit.
fn run<T>(
    key: &KmsKey,
    op: &str,
    fut: impl Future<Output = Result<T, KeyError>>,
) -> Result<T, KeyError> {
    let sh = shared()?;
    let total = sh.limits.total;
    sh.rt.block_on(async {
        match tokio::time::timeout(total, fut).await {
            Ok(r) => r,
            Err(_) => Err(KeyError::Failed(format!(
                "KMS {op} with {} timed out after {} (LEAFSEAL_KMS_TIMEOUT)",
                key.arn,
                secs(total)
            ))),
        }
    })
}

fn timeouts(l: &Limits) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(l.connect)
        .read_timeout(l.total)
        .operation_attempt_timeout(l.total)
        .operation_timeout(l.total)
        .build()
}

/// Base SDK configuration for a region and profile, with `creds` as the identity.
async fn sdk_config(
    sh: &Shared,
    region: &str,
    profile: &str,
    creds: Option<Credentials>,
) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(sh.http.clone())
        // The region comes from the ARN, which also spares the SDK's slow region lookup.
        .region(Region::new(region.to_owned()))
        .timeout_config(timeouts(&sh.limits))
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if !profile.is_empty() {
        loader = loader.profile_name(profile);
    }
    loader = match creds {
        Some(c) => loader.credentials_provider(c),
        None => loader.no_credentials(),
    };
    loader.load().await
}

/// Where the default chain looked, for the "no credentials" message.
fn sources_tried(profile: &str) -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let home = env("HOME").unwrap_or_else(|| "~".into());
    let profile = if profile.is_empty() {
        env("AWS_PROFILE").unwrap_or_else(|| "default".into())
    } else {
        profile.to_owned()
    };
    let config = env("AWS_CONFIG_FILE").unwrap_or_else(|| format!("{home}/.aws/config"));
    let credentials =
        env("AWS_SHARED_CREDENTIALS_FILE").unwrap_or_else(|| format!("{home}/.aws/credentials"));
    let web = if env("AWS_WEB_IDENTITY_TOKEN_FILE").is_some() {
        "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)"
    } else {
        "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE not set)"
    };
    let ecs = if env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_some()
        || env("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some()
    {
        "ECS container credentials"
    } else {
        "ECS container credentials (AWS_CONTAINER_CREDENTIALS_* not set)"
    };
    let imds = if env("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)".to_owned()
    } else {
        let ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            .unwrap_or_else(|| "http://169.254.169.254".into());
        format!("EC2 instance metadata (IMDSv2 at {ep})")
    };
    format!(
        "environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), profile {profile:?} in {config} and {credentials} (incl. SSO and credential_process), {web}, {ecs}, {imds}"
    )
}

/// Credentials from the default chain for `profile`, resolved once per process.
async fn base_credentials(
    sh: &Shared,
    profile: &str,
    region: &str,
) -> Result<Credentials, KeyError> {
    cell(&sh.creds, (profile.to_owned(), region.to_owned()))
        .get_or_init(|| resolve_credentials(sh, profile, region))
        .await
        .clone()
}

/// Credentials from the default chain (`AWS_PROFILE` or the default profile), for the crate's
/// other AWS calls (publish's S3 uploads), under the same limits as KMS calls.
pub(crate) fn default_credentials(region: &str) -> Result<Credentials, KeyError> {
    let sh = shared()?;
    let total = sh.limits.total;
    sh.rt.block_on(async {
        match tokio::time::timeout(total, base_credentials(sh, "", region)).await {
            Ok(r) => r,
            Err(_) => Err(KeyError::Failed(format!(
                "looking up AWS credentials timed out after {} (LEAFSEAL_KMS_TIMEOUT)",
                secs(total)
            ))),
        }
    })
}

/// [`base_credentials`] without the cache.
async fn resolve_credentials(
    sh: &Shared,
    profile: &str,
    region: &str,
) -> Result<Credentials, KeyError> {
    let pc = ProviderConfig::without_region()
        .with_http_client(sh.http.clone())
        .with_region(Some(Region::new(region.to_owned())));
    // The SDK's IMDS defaults (1 s per try, 4 tries, on every request of the token → role →
    // credentials sequence) make a machine without a metadata service wait for many seconds.
    let imds = aws_config::imds::Client::builder()
        .configure(&pc)
        .connect_timeout(sh.limits.imds)
        .read_timeout(sh.limits.imds)
        .operation_attempt_timeout(sh.limits.imds)
        .operation_timeout(sh.limits.imds)
        .max_attempts(1)
        .build();
    let mut chain = DefaultCredentialsChain::builder()
        .configure(pc)
        .region(Region::new(region.to_owned()))
        .imds_client(imds);
    if !profile.is_empty() {
        chain = chain.profile_name(profile);
    }
    let chain = chain.build().await;
    match chain.provide_credentials().await {
        Ok(c) => Ok(c),
        Err(CredentialsError::CredentialsNotLoaded(_))
        | Err(CredentialsError::ProviderTimedOut(_)) => Err(KeyError::NotMine(format!(
            "no AWS credentials found (tried: {})",
            sources_tried(profile)
        ))),
        Err(e) => Err(KeyError::NotMine(format!(
            "no AWS credentials found: {} (tried: {})",
            chain_text(&e),
            sources_tried(profile)
        ))),
    }
}

/// RoleSessionName as SOPS builds it: `sops@` + the sanitised hostname, at most 64 chars.
fn session_name(hostname: &str) -> String {
    // sops-compat: Go's class `[^a-zA-Z0-9=,.@-_]` holds the *range* `@-_` (0x40–0x5F), so `-`
    // is deleted while `[\]^` survive.
    let clean: String = hostname
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '=' | ',' | '.' | '@'..='_'))
        .collect();
    let mut name = format!("sops@{clean}");
    name.truncate(64);
    name
}

/// The hostname as Go's `os.Hostname` reads it on Linux.
fn hostname() -> Result<String, KeyError> {
    for p in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(s) = std::fs::read_to_string(p) {
            let s = s.trim();
            if !s.is_empty() {
                return Ok(s.to_owned());
            }
        }
    }
    Err(KeyError::Failed(
        "cannot read the hostname for the STS role session name".into(),
    ))
}

/// A KMS client for `key`'s region, profile and role, made once per process.
async fn client_for(key: &KmsKey) -> Result<aws_sdk_kms::Client, KeyError> {
    let sh = shared()?;
    let region = region_of(&key.arn)?;
    cell(
        &sh.clients,
        (region.clone(), key.profile.clone(), key.role.clone()),
    )
    .get_or_init(|| new_client(sh, key, region))
    .await
    .clone()
}

/// [`client_for`] without the cache.
async fn new_client(
    sh: &Shared,
    key: &KmsKey,
    region: String,
) -> Result<aws_sdk_kms::Client, KeyError> {
    let base = base_credentials(sh, &key.profile, &region).await?;
    let creds = if key.role.is_empty() {
        base
    } else {
        let conf = sdk_config(sh, &region, &key.profile, Some(base.clone())).await;
        let provider = AssumeRoleProvider::builder(&key.role)
            .session_name(session_name(&hostname()?))
            .region(Region::new(region.clone()))
            .configure(&conf)
            .build_from_provider(base)
            .await;
        provider.provide_credentials().await.map_err(|e| {
            KeyError::Failed(format!(
                "assuming role {} through STS failed: {}",
                key.role,
                chain_text(&e)
            ))
        })?
    };
    let conf = sdk_config(sh, &region, &key.profile, Some(creds)).await;
    Ok(aws_sdk_kms::Client::new(&conf))
}

/// An error and its sources as one line (`a: b: c`), without the SDK's `Debug` dumps; a
/// source whose text the previous one already contains is skipped.
fn chain_text(e: &(dyn std::error::Error + 'static)) -> String {
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

/// A KMS error as one line naming the AWS error code; never includes request data.
fn kms_error<E>(op: &str, arn: &str, e: SdkError<E>) -> KeyError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let timed_out = |what: &str| {
        let limit = shared().map(|s| secs(s.limits.total)).unwrap_or_default();
        KeyError::Failed(format!(
            "KMS {op} with {arn} {what} timed out after {limit} (LEAFSEAL_KMS_TIMEOUT)"
        ))
    };
    match &e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let (code, msg) = match err.code() {
                Some(c) => (c.to_owned(), err.message().unwrap_or("").to_owned()),
                // An answer the SDK could not classify: its status and the start of its body
                // (an error document, never request data).
                None => {
                    let raw = se.raw();
                    let body = raw
                        .body()
                        .bytes()
                        .map(String::from_utf8_lossy)
                        .unwrap_or_default();
                    let body: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
                    let body: String = body.chars().take(200).collect();
                    (format!("HTTP {}", raw.status().as_u16()), body)
                }
            };
            let hint = match code.as_str() {
                "InvalidCiphertextException" => {
                    " (the encryption context or key does not match this ciphertext)"
                }
                "AccessDeniedException" => " (the credentials lack permission for this key)",
                "NotFoundException" => " (no such key in this account and region)",
                _ => "",
            };
            KeyError::Failed(format!("KMS {op} with {arn} failed: {code}: {msg}{hint}"))
        }
        SdkError::TimeoutError(_) => timed_out("request"),
        SdkError::DispatchFailure(d) if d.is_timeout() => timed_out("connection"),
        SdkError::DispatchFailure(_) => KeyError::Failed(format!(
            "KMS {op} with {arn}: cannot reach the KMS endpoint: {}",
            chain_text(&e)
        )),
        _ => KeyError::Failed(format!("KMS {op} with {arn} failed: {}", chain_text(&e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn region_from_arn() {
        assert_eq!(region_of(ARN).unwrap(), "eu-west-1");
        assert_eq!(
            region_of("arn:aws-us-gov:kms:us-gov-west-1:1:alias/x").unwrap(),
            "us-gov-west-1"
        );
        assert!(region_of("alias/x").is_err());
        assert!(region_of("arn:aws:kms:eu-west-1:1:foo/x").is_err());
    }

    #[test]
    fn string_form_round_trips() {
        for s in [
            ARN.to_owned(),
            format!("{ARN}+arn:aws:iam::1:role/r"),
            format!("{ARN}|a:x,b:2"),
            format!("{ARN}|prof"),
            format!("{ARN}+arn:aws:iam::1:role/r|a:x,b:2|prof"),
        ] {
            assert_eq!(KmsKey::parse(&s).unwrap().to_sops_string(), s);
        }
        let k = KmsKey::parse(&format!("{ARN}|b:2,a:x")).unwrap();
        assert_eq!(k.to_sops_string(), format!("{ARN}|a:x,b:2"));
        assert!(KmsKey::parse(&format!("{ARN}|novalue,a:b|p")).is_err());
    }

    #[test]
    fn list_keeps_context_commas() {
        let keys = split_keys(&format!(
            "{ARN}|a:x,b:2|p, {ARN}+arn:aws:iam::1:role/r,{ARN}"
        ));
        assert_eq!(
            keys,
            vec![
                format!("{ARN}|a:x,b:2|p"),
                format!("{ARN}+arn:aws:iam::1:role/r"),
                ARN.to_owned()
            ]
        );
        assert_eq!(
            KMS.parse_list(&format!("{ARN},{ARN}|a:1")).unwrap().len(),
            2
        );
        assert!(KMS.parse_list("not-an-arn").is_err());
    }

    #[test]
    fn sops_session_name() {
        assert_eq!(
            session_name("my-host.example.com"),
            "sops@myhost.example.com"
        );
        assert_eq!(session_name("a[b]^c_d@e=f,g"), "sops@a[b]^c_d@e=f,g");
        assert_eq!(session_name("x y/z"), "sops@xyz");
        assert_eq!(session_name(&"h".repeat(100)).len(), 64);
    }

    #[test]
    fn stored_entry_reads_back() {
        let mut fields = Branch::new();
        fields.push("arn", Value::Str(ARN.into()));
        fields.push("aws_profile", Value::Str(String::new()));
        let mut ctx = Branch::new();
        ctx.push("b", Value::Int(2));
        ctx.push("a", Value::Str("x".into()));
        fields.push("context", Value::Map(ctx));
        fields.push("role", Value::Str("arn:aws:iam::1:role/r".into()));
        let k = KmsKey::from_stored(&StoredKey {
            kind: "kms".into(),
            fields,
        })
        .unwrap();
        assert_eq!(
            k.to_sops_string(),
            format!("{ARN}+arn:aws:iam::1:role/r|a:x,b:2")
        );
    }
}

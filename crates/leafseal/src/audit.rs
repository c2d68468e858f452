//! The audit hook (SOPS `audit/`): every tree decryption, encryption and rotation is recorded
//! as one row of the `audit_event` table of each PostgreSQL database named in
//! `/etc/sops/audit.yaml` (or the file `LEAFSEAL_AUDIT_CONFIG` names), with the action, the
//! user and the file's absolute path. `docs/audit.md` describes the file and the behaviour.
//!
//! Auditing is off in the library until a program calls [`enable`] (the CLI does at start-up),
//! so library users and unit tests never read `/etc`. The operations in `ops` call
//! [`submit`] at the point SOPS submits its events: after the data key is recovered, before a
//! single value is decrypted (and before a tree is encrypted). The file an event names is the
//! calling thread's subject, set by the command that read the file ([`set_subject`]).
//!
//! This module knows no formats and no keys; it never sees a value, a data key or plaintext.
//! The connection string holds a password: it is kept in a `Zeroizing` buffer and never printed
//! (errors name the config file and the backend's position in it instead).

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};
use crate::store::yaml::parse::parse as parse_yaml;
use crate::tree::{Branch, Elem, Item, Value};

/// Where SOPS (and leafseal by default) reads the audit configuration.
pub const CONFIG_PATH: &str = "/etc/sops/audit.yaml";
/// The environment variable naming another configuration file (tests, deployments).
pub const CONFIG_ENV: &str = "LEAFSEAL_AUDIT_CONFIG";

/// What happened to a file (the `action` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A tree was decrypted (decrypt, exec-env, exec-file, edit, set, rotate, the git drivers).
    Decrypt,
    /// A tree was encrypted (encrypt, edit, set, unset, rotate).
    Encrypt,
    /// A file's data key was replaced (rotate).
    Rotate,
}

impl Action {
    /// The `action` column's text, as SOPS writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Decrypt => "decrypt",
            Action::Encrypt => "encrypt",
            Action::Rotate => "rotate",
        }
    }
}

/// What to do when an event cannot be recorded (leafseal extension: `on_failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Stop the operation with exit 1 before any plaintext is produced (SOPS: `log.Fatal`).
    Block,
    /// Report the failure on stderr and go on.
    Warn,
}

/// One PostgreSQL backend: its connection string (holds a password; never printed).
pub struct Postgres {
    conn: Zeroizing<String>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Postgres(<connection string>)")
    }
}

/// The audit configuration file.
#[derive(Debug)]
pub struct AuditConfig {
    /// The file it was read from (named in every message).
    pub path: PathBuf,
    /// `backends.postgres[]`.
    pub postgres: Vec<Postgres>,
    /// `on_failure` (default `block`, as SOPS).
    pub on_failure: OnFailure,
}

/// Parse the text of an audit configuration read from `path`. Unknown keys are ignored (SOPS
/// decodes non-strictly); a wrong shape is an error naming the field.
pub fn parse_config(text: &str, path: &Path) -> std::result::Result<AuditConfig, String> {
    let bad = |what: &str| format!("{}: {what}", path.display());
    let doc = parse_yaml(text).map_err(|e| bad(&format!("not valid YAML: {e}")))?;
    let mut cfg = AuditConfig {
        path: path.to_owned(),
        postgres: Vec::new(),
        on_failure: OnFailure::Block,
    };
    let Some(root) = doc.branches.first() else {
        return Ok(cfg);
    };
    if let Some(v) = get(root, "on_failure") {
        cfg.on_failure = match v {
            Value::Null => OnFailure::Block,
            Value::Str(s) if s == "block" => OnFailure::Block,
            Value::Str(s) if s == "warn" => OnFailure::Warn,
            _ => return Err(bad("on_failure: must be \"block\" or \"warn\"")),
        };
    }
    let backends = match get(root, "backends") {
        None | Some(Value::Null) => return Ok(cfg),
        Some(Value::Map(b)) => b,
        Some(_) => return Err(bad("backends: must be a map")),
    };
    let list = match get(backends, "postgres") {
        None | Some(Value::Null) => return Ok(cfg),
        Some(Value::List(l)) => l,
        Some(_) => return Err(bad("backends.postgres: must be a list")),
    };
    for (i, e) in list.iter().enumerate() {
        let Elem::Value(node) = e else { continue };
        let conn = match &node.value {
            Value::Map(m) => match get(m, "connection_string") {
                Some(Value::Str(s)) => Zeroizing::new(s.clone()),
                // sops-compat: an absent string decodes as "", which lib/pq reads as all
                // defaults (localhost:5432).
                None | Some(Value::Null) => Zeroizing::new(String::new()),
                Some(_) => {
                    return Err(bad(&format!(
                        "backends.postgres[{i}].connection_string: must be a string"
                    )))
                }
            },
            _ => return Err(bad(&format!("backends.postgres[{i}]: must be a map"))),
        };
        cfg.postgres.push(Postgres { conn });
    }
    Ok(cfg)
}

fn get<'a>(b: &'a Branch, name: &str) -> Option<&'a Value> {
    b.items.iter().find_map(|it| match it {
        Item::Pair(k, n) if k.name == name => Some(&n.value),
        _ => None,
    })
}

/// Read the configuration: `LEAFSEAL_AUDIT_CONFIG` when set and non-empty (it must exist),
/// else `/etc/sops/audit.yaml`. `Ok(None)`: no auditing (the default file is absent);
/// `Err`: the file was named explicitly and is missing, or it exists and cannot be used.
fn load_config() -> std::result::Result<Option<AuditConfig>, String> {
    let explicit = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty());
    let path = explicit
        .as_ref()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(CONFIG_PATH));
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        // sops-compat: no file, no auditing. (SOPS also audits nothing when the file exists
        // but cannot be read; leafseal stops then: docs/audit.md.)
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
            return Ok(None)
        }
        Err(e) => {
            return Err(format!(
                "{}: cannot read the audit configuration: {e}",
                path.display()
            ))
        }
    };
    let text = String::from_utf8(text)
        .map_err(|_| format!("{}: the audit configuration is not UTF-8", path.display()))?;
    parse_config(&text, &path).map(Some)
}

// ---------------------------------------------------------------------------------------------
// The process-wide hook.

/// How a failure that does not block is reported (the CLI prints a warning line).
pub type Warn = fn(&str);

struct Hook {
    warn: Warn,
    state: Mutex<Option<State>>,
}

/// The configuration once read, and the open connections (one per backend, opened lazily).
enum State {
    Off,
    Broken(String),
    On(AuditConfig, Vec<Conn>),
}

/// One backend's connection.
enum Conn {
    /// Not opened yet, or dropped after a failed insert (the next event connects again).
    Closed,
    Open(tokio_postgres::Client),
    /// Connecting failed: later events of this run fail at once with the same reason rather
    /// than each waiting out the time limit again (a many-file decrypt).
    Failed(String),
}

static HOOK: OnceLock<Hook> = OnceLock::new();

/// Turn auditing on for this process; the configuration is read at the first event. `warn`
/// reports the failures that `on_failure: warn` lets through.
pub fn enable(warn: Warn) {
    let _ = HOOK.set(Hook {
        warn,
        state: Mutex::new(None),
    });
}

thread_local! {
    static SUBJECT: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// Name `file` in this thread's events from now on: its absolute path (SOPS records
/// `filepath.Abs` of the file argument), or `-` for standard input. Commands call this where
/// they read the file they work on.
pub fn set_subject(file: &Path) {
    let name: Arc<str> = if file.as_os_str() == "-" || file.as_os_str().is_empty() {
        Arc::from("-")
    } else {
        let cwd = std::env::current_dir().unwrap_or_default();
        Arc::from(
            crate::config::absolute(file, &cwd)
                .to_string_lossy()
                .as_ref(),
        )
    };
    SUBJECT.with(|s| *s.borrow_mut() = Some(name));
}

/// Record `action` on this thread's subject in every configured database. A no-op unless
/// [`enable`]d and configured. An error only when the event is not recorded and the
/// configuration says `on_failure: block` (the default): the caller stops before decrypting.
pub fn submit(action: Action) -> Result<()> {
    let Some(hook) = HOOK.get() else {
        return Ok(());
    };
    let file = SUBJECT
        .with(|s| s.borrow().clone())
        .unwrap_or_else(|| Arc::from("<unknown>"));
    // One event at a time: the pool of `decrypt --output-dir` shares the connections.
    let mut guard = match hook.state.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    let state = guard.get_or_insert_with(|| match load_config() {
        Ok(None) => State::Off,
        Ok(Some(cfg)) if cfg.postgres.is_empty() => State::Off,
        Ok(Some(cfg)) => {
            let n = cfg.postgres.len();
            State::On(cfg, (0..n).map(|_| Conn::Closed).collect())
        }
        Err(m) => State::Broken(m),
    });
    let (cfg, clients) = match state {
        State::Off => return Ok(()),
        State::Broken(m) => {
            return Err(Error::new(ErrorKind::Generic, m.clone()).hint(format!(
                "the audit configuration must be readable by everyone who decrypts (0644, or \
                 0640 with their group) and valid; {CONFIG_ENV} names another file"
            )))
        }
        State::On(cfg, clients) => (cfg, clients),
    };
    let user = username();
    for (i, (pg, client)) in cfg.postgres.iter().zip(clients.iter_mut()).enumerate() {
        if let Err(e) = record(pg, client, action, &user, &file) {
            let msg = format!(
                "{}: backends.postgres[{i}]: cannot record the {} of {file}: {e}",
                cfg.path.display(),
                action.as_str()
            );
            match cfg.on_failure {
                OnFailure::Block => {
                    return Err(Error::new(ErrorKind::Generic, msg).hint(
                        "every event must be recorded before leafseal goes on; `on_failure: warn` \
                         in the audit configuration only reports such failures",
                    ))
                }
                OnFailure::Warn => (hook.warn)(&msg),
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

/// `LEAFSEAL_AUDIT_TIMEOUT` (connect and insert of one event, default 5 s) and
/// `LEAFSEAL_AUDIT_CONNECT_TIMEOUT` (each TCP connect, default 2 s).
fn limits() -> std::result::Result<(Duration, Duration), String> {
    let total = crate::keys::env_seconds("LEAFSEAL_AUDIT_TIMEOUT", 5.0)?;
    let connect = crate::keys::env_seconds("LEAFSEAL_AUDIT_CONNECT_TIMEOUT", 2.0)?;
    Ok((total, connect))
}

fn runtime() -> std::result::Result<&'static tokio::runtime::Runtime, String> {
    static RT: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the audit client runtime: {e}"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Insert one row, connecting first when `client` holds no open connection.
fn record(
    pg: &Postgres,
    conn: &mut Conn,
    action: Action,
    user: &str,
    file: &str,
) -> std::result::Result<(), String> {
    if let Conn::Failed(m) = conn {
        return Err(format!("{m} (not retried in this run)"));
    }
    let (total, connect) = limits()?;
    let rt = runtime()?;
    let config = pg_config(&pg.conn, connect)?;
    let timed_out = || format!("timed out after {total:?} (LEAFSEAL_AUDIT_TIMEOUT)");
    rt.block_on(async {
        let deadline = tokio::time::Instant::now() + total;
        let client = match std::mem::replace(conn, Conn::Closed) {
            Conn::Open(c) if !c.is_closed() => c,
            _ => {
                let opened = tokio::time::timeout_at(deadline, open(&config))
                    .await
                    .unwrap_or_else(|_| Err(timed_out()));
                match opened {
                    Ok(c) => c,
                    Err(m) => {
                        *conn = Conn::Failed(m.clone());
                        return Err(m);
                    }
                }
            }
        };
        let act = action.as_str();
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] = [&act, &user, &file];
        let insert = client.execute(
            "INSERT INTO audit_event (action, username, file) VALUES ($1, $2, $3)",
            &params,
        );
        let done = tokio::time::timeout_at(deadline, insert).await;
        match done {
            Ok(Ok(_)) => {
                *conn = Conn::Open(client);
                Ok(())
            }
            // The connection is dropped: the next event connects again.
            Ok(Err(e)) => Err(pg_error(&e)),
            Err(_) => Err(timed_out()),
        }
    })
}

/// A driver error with its cause (tokio-postgres' Display alone says only "db error").
fn pg_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => match std::error::Error::source(e) {
            Some(s) => format!("{e}: {s}"),
            None => e.to_string(),
        },
    }
}

/// The driver's configuration from a lib/pq connection string (URL or `key=value` form).
fn pg_config(conn: &str, connect: Duration) -> std::result::Result<tokio_postgres::Config, String> {
    // sops-compat: lib/pq knows verify-ca and verify-full; leafseal always verifies the
    // server's certificate when it uses TLS, so both are `require` here.
    let conn = Zeroizing::new(
        conn.replace("sslmode=verify-full", "sslmode=require")
            .replace("sslmode=verify-ca", "sslmode=require"),
    );
    let explicit_mode = conn.contains("sslmode=");
    let mut config: tokio_postgres::Config = conn
        .parse()
        // The parser's messages name the option, never its value.
        .map_err(|e| format!("invalid connection_string: {}", pg_error(&e)))?;
    if !explicit_mode {
        // sops-compat: lib/pq's default is sslmode=require, not libpq's prefer.
        config.ssl_mode(tokio_postgres::config::SslMode::Require);
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(connect);
    }
    if config.get_hosts().is_empty() {
        config.host("localhost");
    }
    Ok(config)
}

async fn open(
    config: &tokio_postgres::Config,
) -> std::result::Result<tokio_postgres::Client, String> {
    use tokio_postgres::config::SslMode;
    let client = if config.get_ssl_mode() == SslMode::Disable {
        let (client, conn) = config
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(|e| pg_error(&e))?;
        tokio::spawn(conn);
        client
    } else {
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config()?);
        let (client, conn) = config.connect(tls).await.map_err(|e| pg_error(&e))?;
        tokio::spawn(conn);
        client
    };
    Ok(client)
}

/// rustls (ring) trusting the system roots (`SSL_CERT_FILE`/`SSL_CERT_DIR` when set).
fn tls_config() -> std::result::Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

// ---------------------------------------------------------------------------------------------
// The user.

/// The user name of the real user id, as Go's `user.Current()` finds it: `/etc/passwd`, else
/// `$USER`, else the number.
pub fn username() -> String {
    let uid = rustix::process::getuid().as_raw();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd_name(&passwd, uid)
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| uid.to_string())
}

fn passwd_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut f = line.split(':');
        let name = f.next()?;
        let id = f.nth(1)?;
        (id.parse::<u32>().ok()? == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests;

//! The server side: answers `/KeyService/Encrypt` and `/KeyService/Decrypt` with this
//! process's own keys and credentials. The request's key becomes a metadata entry
//! ([`mapping::stored_of_key`]) and goes to the backend registered under its name, so every
//! backend in `keys::BACKENDS` is served; a key type without one is a gRPC error, never a crash.
//! Backend calls run on tokio's blocking pool (they may prompt, run gpg or drive their own
//! runtime). Each request is logged by key type and identifier through the caller's callback,
//! never with key material. TLS (rustls) with a required client certificate is optional; the
//! default is plain HTTP/2 as SOPS speaks it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tonic::body::Body;
use tonic::codegen::http;
use tonic::codegen::{BoxFuture, Service};
use tonic::server::{Grpc, UnaryService};
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};
use tonic::{Request, Response, Status};
use zeroize::Zeroizing;

use super::mapping::{self, MapError};
use super::proto;
use crate::keys::{backend, KeyError};
use crate::store::metadata::{id_field, StoredKey};

/// Where to listen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listen {
    /// `--network tcp`: HOST:PORT.
    Tcp(String),
    /// `--network unix`: the socket path (created 0600, removed on exit).
    Unix(PathBuf),
}

/// Mutual TLS: the server's certificate and key, and the CA client certificates must chain to.
#[derive(Clone, Debug)]
pub struct TlsSetup {
    /// Server certificate chain (PEM).
    pub cert: PathBuf,
    /// Server private key (PEM).
    pub key: PathBuf,
    /// CA for client certificates (PEM).
    pub client_ca: PathBuf,
}

/// A request line for the log (`decrypt age age1…: ok`).
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;
/// Asked before each request is answered (`--prompt`): true to answer.
pub type Confirm = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// How to serve.
#[derive(Clone)]
pub struct ServeOptions {
    /// Where to listen.
    pub listen: Listen,
    /// Mutual TLS, or plain HTTP/2 when `None`.
    pub tls: Option<TlsSetup>,
    /// Asked before each request, if set.
    pub confirm: Option<Confirm>,
    /// Receives one line per request and the server's notes.
    pub log: Log,
    /// Also log where each request comes from (`--verbose`).
    pub verbose: bool,
}

struct Handler {
    confirm: Option<Confirm>,
    log: Log,
    verbose: bool,
    /// One confirmation question at a time.
    asking: tokio::sync::Mutex<()>,
}

/// `age key age1…` for the log and the prompt.
fn describe(stored: &StoredKey) -> String {
    let id = stored.field(id_field(&stored.kind)).unwrap_or("?");
    format!("{} key {id}", stored.kind)
}

fn status_of(e: &KeyError) -> Status {
    match e {
        KeyError::NotMine(m) => Status::failed_precondition(m.clone()),
        KeyError::Failed(m) => Status::internal(m.clone()),
    }
}

fn map_status(e: MapError) -> Status {
    match e {
        MapError::NoKey => Status::invalid_argument(e.to_string()),
        MapError::Unsupported(_) => Status::unimplemented(e.to_string()),
    }
}

impl Handler {
    /// The entry a request names, and whether the operator lets it through.
    async fn admit(&self, op: &str, key: Option<&proto::Key>) -> Result<StoredKey, Status> {
        let stored = mapping::stored_of_key(key).map_err(|e| {
            (self.log)(&format!("{op} request refused: {e}"));
            map_status(e)
        })?;
        if backend(&stored.kind).is_none() {
            let msg = format!("{} keys are not supported by this server", stored.kind);
            (self.log)(&format!(
                "{op} request for {}: refused: {msg}",
                describe(&stored)
            ));
            return Err(Status::unimplemented(msg));
        }
        if let Some(confirm) = self.confirm.clone() {
            let _one = self.asking.lock().await;
            let question = format!("{op} request for {}", describe(&stored));
            let yes = tokio::task::spawn_blocking(move || confirm(&question))
                .await
                .unwrap_or(false);
            if !yes {
                (self.log)(&format!(
                    "{op} request for {}: rejected by the operator",
                    describe(&stored)
                ));
                return Err(Status::permission_denied(
                    "request rejected by the operator",
                ));
            }
        }
        Ok(stored)
    }

    /// `--verbose`: where a request comes from (a TCP peer's address; a socket peer is local).
    fn peer<T>(&self, op: &str, req: &Request<T>) {
        if self.verbose {
            let from = req
                .remote_addr()
                .map_or_else(|| "the unix socket".to_owned(), |a| a.to_string());
            (self.log)(&format!("{op} request from {from}"));
        }
    }

    fn outcome<T>(&self, op: &str, id: &str, r: &Result<T, KeyError>) {
        match r {
            Ok(_) => (self.log)(&format!("{op} request for {id}: ok")),
            Err(e) => (self.log)(&format!("{op} request for {id}: failed: {e}")),
        }
    }

    async fn encrypt(
        &self,
        mut req: proto::EncryptRequest,
    ) -> Result<proto::EncryptResponse, Status> {
        let stored = self.admit("encrypt", req.key.as_ref()).await?;
        let id = describe(&stored);
        let plaintext = Zeroizing::new(std::mem::take(&mut req.plaintext));
        let r = tokio::task::spawn_blocking(move || {
            let b = backend(&stored.kind).ok_or_else(|| {
                KeyError::Failed(format!("{} keys are not supported", stored.kind))
            })?;
            b.key_from_stored(&stored)?.wrap(&plaintext)
        })
        .await
        .unwrap_or_else(|e| Err(KeyError::Failed(format!("the backend stopped: {e}"))));
        self.outcome("encrypt", &id, &r);
        let entry = r.map_err(|e| status_of(&e))?;
        Ok(proto::EncryptResponse {
            ciphertext: entry.enc().as_bytes().to_vec(),
        })
    }

    async fn decrypt(&self, req: proto::DecryptRequest) -> Result<proto::DecryptResponse, Status> {
        let mut stored = self.admit("decrypt", req.key.as_ref()).await?;
        let id = describe(&stored);
        let enc = String::from_utf8(req.ciphertext).map_err(|_| {
            (self.log)(&format!(
                "decrypt {id}: refused: the ciphertext is not text"
            ));
            Status::invalid_argument("the ciphertext must be the entry's enc text")
        })?;
        stored.set_field("enc", enc);
        let r = tokio::task::spawn_blocking(move || {
            let b = backend(&stored.kind).ok_or_else(|| {
                KeyError::Failed(format!("{} keys are not supported", stored.kind))
            })?;
            b.unwrap(&stored)
        })
        .await
        .unwrap_or_else(|e| Err(KeyError::Failed(format!("the backend stopped: {e}"))));
        self.outcome("decrypt", &id, &r);
        let plaintext = r.map_err(|e| status_of(&e))?;
        // (The response buffer is prost's; it is not zeroized after sending.)
        Ok(proto::DecryptResponse {
            plaintext: plaintext.to_vec(),
        })
    }
}

struct Encrypt(Arc<Handler>);
struct Decrypt(Arc<Handler>);

impl UnaryService<proto::EncryptRequest> for Encrypt {
    type Response = proto::EncryptResponse;
    type Future = BoxFuture<Response<Self::Response>, Status>;
    fn call(&mut self, req: Request<proto::EncryptRequest>) -> Self::Future {
        let h = self.0.clone();
        Box::pin(async move {
            h.peer("encrypt", &req);
            h.encrypt(req.into_inner()).await.map(Response::new)
        })
    }
}

impl UnaryService<proto::DecryptRequest> for Decrypt {
    type Response = proto::DecryptResponse;
    type Future = BoxFuture<Response<Self::Response>, Status>;
    fn call(&mut self, req: Request<proto::DecryptRequest>) -> Self::Future {
        let h = self.0.clone();
        Box::pin(async move {
            h.peer("decrypt", &req);
            h.decrypt(req.into_inner()).await.map(Response::new)
        })
    }
}

/// The `KeyService` as an HTTP service (what generated code would be).
#[derive(Clone)]
struct KeyService(Arc<Handler>);

impl Service<http::Request<Body>> for KeyService {
    type Response = http::Response<Body>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let h = self.0.clone();
        match req.uri().path() {
            proto::ENCRYPT_PATH => Box::pin(async move {
                let mut grpc = Grpc::new(tonic_prost::ProstCodec::<
                    proto::EncryptResponse,
                    proto::EncryptRequest,
                >::default());
                Ok(grpc.unary(Encrypt(h), req).await)
            }),
            proto::DECRYPT_PATH => Box::pin(async move {
                let mut grpc = Grpc::new(tonic_prost::ProstCodec::<
                    proto::DecryptResponse,
                    proto::DecryptRequest,
                >::default());
                Ok(grpc.unary(Decrypt(h), req).await)
            }),
            other => {
                let msg = format!("unknown method {other}");
                Box::pin(async move { Ok(Status::unimplemented(msg).into_http()) })
            }
        }
    }
}

/// Removes the socket file when the server stops, however it stops.
struct SocketGuard(PathBuf);

impl Drop for SocketGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn read(what: &str, path: &Path) -> Result<Zeroizing<Vec<u8>>, String> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| format!("{what} {}: cannot read: {e}", path.display()))
}

fn tls_config(t: &TlsSetup) -> Result<ServerTlsConfig, String> {
    let cert = read("--tls-cert", &t.cert)?;
    let key = read("--tls-key", &t.key)?;
    let ca = read("--tls-client-ca", &t.client_ca)?;
    Ok(ServerTlsConfig::new()
        .identity(Identity::from_pem(&*cert, &*key))
        .client_ca_root(Certificate::from_pem(&*ca))
        .client_auth_optional(false))
}

/// Whether a TCP listen address is loopback only.
fn is_loopback(addr: &std::net::SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Watches SIGINT and SIGTERM from now on; the future resolves on the first.
fn stop_signal() -> Result<impl std::future::Future<Output = &'static str>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot watch SIGINT: {e}"))?;
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        }
    })
}

/// Serve until SIGINT or SIGTERM. `ready` receives the address listened on (`tcp://…` with
/// the port actually bound, or `unix://…`). Errors are one line naming what failed.
pub fn serve(opts: ServeOptions, ready: impl FnOnce(&str)) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("leafseal-keyservice")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server runtime: {e}"))?;
    rt.block_on(run(opts, ready))
}

async fn run(opts: ServeOptions, ready: impl FnOnce(&str)) -> Result<(), String> {
    let mut server = Server::builder();
    if let Some(t) = &opts.tls {
        server = server
            .tls_config(tls_config(t)?)
            .map_err(|e| format!("TLS set-up failed: {e}"))?;
    }
    let handler = Arc::new(Handler {
        confirm: opts.confirm.clone(),
        log: opts.log.clone(),
        verbose: opts.verbose,
        asking: tokio::sync::Mutex::new(()),
    });
    let svc = KeyService(handler);
    let log = opts.log.clone();
    let stop = stop_signal()?;
    match &opts.listen {
        Listen::Tcp(addr) => {
            let l = tokio::net::TcpListener::bind(addr.as_str())
                .await
                .map_err(|e| format!("--address {addr}: cannot listen: {e}"))?;
            let bound = l
                .local_addr()
                .map_err(|e| format!("--address {addr}: {e}"))?;
            if opts.tls.is_none() && !is_loopback(&bound) {
                log(&format!(
                    "warning: plain (unencrypted, unauthenticated) key service on non-loopback address {bound}: anyone who can reach it can use this machine's keys; use --tls-cert/--tls-key/--tls-client-ca or an SSH tunnel"
                ));
            }
            let scheme = if opts.tls.is_some() { "tls" } else { "tcp" };
            ready(&format!("{scheme}://{bound}"));
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(l);
            drive(server, svc, incoming, stop, &log).await
        }
        Listen::Unix(path) => {
            let l = bind_private(path)?;
            let _guard = SocketGuard(path.clone());
            ready(&format!("unix://{}", path.display()));
            let incoming = tokio_stream::wrappers::UnixListenerStream::new(l);
            drive(server, svc, incoming, stop, &log).await
        }
    }
}

/// Bind a unix socket readable and writable by its owner only (the umask is narrowed while
/// binding, so the socket never exists with wider permissions).
fn bind_private(path: &Path) -> Result<tokio::net::UnixListener, String> {
    use rustix::fs::Mode;
    let old = rustix::process::umask(Mode::from_raw_mode(0o177));
    let bound = tokio::net::UnixListener::bind(path);
    rustix::process::umask(old);
    let l = bound.map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
            " (another server listens there, or a stale socket is left: remove it)"
        } else {
            ""
        };
        format!("--address {}: cannot listen: {e}{hint}", path.display())
    })?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("--address {}: cannot restrict to 0600: {e}", path.display()))?;
    Ok(l)
}

async fn drive<I, IO, IE>(
    server: Server,
    svc: KeyService,
    incoming: I,
    stop: impl std::future::Future<Output = &'static str>,
    log: &Log,
) -> Result<(), String>
where
    I: tokio_stream::Stream<Item = Result<IO, IE>>,
    IO: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + tonic::transport::server::Connected
        + Unpin
        + Send
        + 'static,
    IE: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let serving = server.serve_with_incoming_shutdown(svc, incoming, async {
        let _ = rx.await;
    });
    tokio::pin!(serving);
    tokio::select! {
        r = &mut serving => r.map_err(|e| format!("the server stopped: {e}")),
        sig = stop => {
            log(&format!("{sig}: shutting down"));
            let _ = tx.send(());
            // Connections still open get a short grace, then the process goes anyway.
            let _ = tokio::time::timeout(Duration::from_secs(2), serving).await;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn handler(lines: Arc<Mutex<Vec<String>>>) -> Handler {
        Handler {
            confirm: None,
            log: Arc::new(move |l: &str| lines.lock().unwrap().push(l.to_owned())),
            verbose: false,
            asking: tokio::sync::Mutex::new(()),
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Requests without a key, with a key type this build has no backend for, or with an enc
    /// that is not text are gRPC errors (and log lines), never a panic.
    #[test]
    fn unknown_or_malformed_keys_are_errors() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let h = handler(lines.clone());
        let rt = rt();
        let none = rt
            .block_on(h.decrypt(proto::DecryptRequest {
                key: None,
                ciphertext: b"x".to_vec(),
            }))
            .unwrap_err();
        assert_eq!(none.code(), tonic::Code::InvalidArgument);
        let hckms = proto::Key {
            key_type: Some(proto::KeyType::HckmsKey(proto::HckmsKey {
                key_id: "tr-west-1:k".into(),
            })),
        };
        if backend("hckms").is_none() {
            let e = rt
                .block_on(h.encrypt(proto::EncryptRequest {
                    key: Some(hckms),
                    plaintext: vec![0; 32],
                }))
                .unwrap_err();
            assert_eq!(e.code(), tonic::Code::Unimplemented);
        }
        let age = proto::Key {
            key_type: Some(proto::KeyType::AgeKey(proto::AgeKey {
                recipient: "age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v".into(),
            })),
        };
        let e = rt
            .block_on(h.decrypt(proto::DecryptRequest {
                key: Some(age.clone()),
                ciphertext: vec![0xff, 0xfe],
            }))
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
        // Encrypting needs no secret: the answer is an age armor for that recipient.
        let ok = rt
            .block_on(h.encrypt(proto::EncryptRequest {
                key: Some(age),
                plaintext: vec![7; 32],
            }))
            .unwrap();
        assert!(ok
            .ciphertext
            .starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
        let log = lines.lock().unwrap().join("\n");
        assert!(
            log.contains("encrypt request for age key age1myhc"),
            "{log}"
        );
        assert!(!log.contains("\x07"), "{log}");
    }

    #[test]
    fn loopback_addresses_are_recognized() {
        assert!(is_loopback(&"127.0.0.1:5000".parse().unwrap()));
        assert!(is_loopback(&"[::1]:5000".parse().unwrap()));
        assert!(!is_loopback(&"0.0.0.0:5000".parse().unwrap()));
        assert!(!is_loopback(&"192.0.2.1:5000".parse().unwrap()));
    }
}

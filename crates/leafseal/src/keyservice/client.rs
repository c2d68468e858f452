//! The client side: one [`Remote`] per `--keyservice` URI. `tcp://host:port` and
//! `unix:///abs/path.sock` speak plain HTTP/2 (h2c) as SOPS does; `tls://host:port` speaks
//! TLS (rustls) with a client certificate, for a `leafseal keyservice --tls-…` server. Every
//! call is bounded: `LEAFSEAL_KEYSERVICE_CONNECT_TIMEOUT` for the connection and
//! `LEAFSEAL_KEYSERVICE_TIMEOUT` for the whole request. Calls run on one lazily created
//! tokio runtime shared by every remote of the process; a channel connects on first use.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use zeroize::Zeroizing;

use super::proto;
use crate::keys::KeyError;

/// The client certificate files for `tls://` services.
#[derive(Clone, Debug, Default)]
pub struct TlsFiles {
    /// CA certificate(s) (PEM) the server's certificate must chain to.
    pub ca: Option<PathBuf>,
    /// This client's certificate (PEM).
    pub cert: Option<PathBuf>,
    /// This client's private key (PEM).
    pub key: Option<PathBuf>,
}

/// One remote key service.
pub struct Remote {
    uri: String,
    tls: bool,
    endpoint: Endpoint,
    channel: OnceLock<Channel>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Remote({})", self.uri)
    }
}

/// Time limits, from the environment (seconds, fractions allowed).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `LEAFSEAL_KEYSERVICE_TIMEOUT`: one whole request, connection included.
    pub total: Duration,
    /// `LEAFSEAL_KEYSERVICE_CONNECT_TIMEOUT`: the TCP or socket connection.
    pub connect: Duration,
}

impl Limits {
    /// The limits from the environment. The total default leaves time to confirm a request at
    /// a `--prompt` server or touch a hardware key.
    pub fn from_env() -> Result<Self, String> {
        Ok(Limits {
            total: crate::keys::env_seconds("LEAFSEAL_KEYSERVICE_TIMEOUT", 30.0)?,
            connect: crate::keys::env_seconds("LEAFSEAL_KEYSERVICE_CONNECT_TIMEOUT", 3.0)?,
        })
    }
}

fn read_pem(what: &str, path: &Path) -> Result<Zeroizing<Vec<u8>>, String> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| format!("{what} {}: cannot read: {e}", path.display()))
}

/// The single runtime every remote call runs on (created on first use).
fn runtime() -> Result<&'static tokio::runtime::Runtime, KeyError> {
    static RT: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("leafseal-keyservice")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the key service client runtime: {e}"))
    })
    .as_ref()
    .map_err(|e| KeyError::Failed(e.clone()))
}

impl Remote {
    /// Parse a `--keyservice` URI: `tcp://host:port`, `unix:///abs/path.sock` or
    /// `tls://host:port` (which needs `tls.ca`, and the client certificate and key the
    /// server asks for). Nothing is contacted yet.
    pub fn parse(uri: &str, tls: &TlsFiles, limits: Limits) -> Result<Remote, String> {
        let bad = |why: &str| {
            format!(
                "--keyservice {uri}: {why} (expected tcp://HOST:PORT, unix:///ABSOLUTE/PATH.sock or tls://HOST:PORT)"
            )
        };
        let (scheme, rest) = uri.split_once("://").ok_or_else(|| bad("no scheme"))?;
        let endpoint = match scheme {
            "tcp" | "tls" => {
                // sops-compat: SOPS takes the URL's host part, so `tcp://host:5000/` works too.
                let rest = rest.strip_suffix('/').unwrap_or(rest);
                if rest.is_empty() || rest.contains('/') || !rest.contains(':') {
                    return Err(bad("the address must be HOST:PORT"));
                }
                let web = if scheme == "tcp" { "http" } else { "https" };
                Endpoint::from_shared(format!("{web}://{rest}")).map_err(|e| bad(&e.to_string()))?
            }
            "unix" => {
                if !rest.starts_with('/') {
                    return Err(bad("the socket path must be absolute"));
                }
                Endpoint::from_shared(format!("unix://{rest}")).map_err(|e| bad(&e.to_string()))?
            }
            _ => return Err(bad(&format!("unknown scheme {scheme:?}"))),
        };
        let mut endpoint = endpoint.connect_timeout(limits.connect);
        if scheme == "tls" {
            let host = rest
                .rsplit_once(':')
                .map(|(h, _)| h.trim_start_matches('[').trim_end_matches(']'))
                .unwrap_or(rest);
            let ca = tls.ca.as_deref().ok_or_else(|| {
                format!("--keyservice {uri}: a tls:// key service needs --keyservice-ca (LEAFSEAL_KEYSERVICE_CA), the CA that signed the server's certificate")
            })?;
            let mut cfg = ClientTlsConfig::new()
                .domain_name(host)
                .ca_certificate(Certificate::from_pem(&*read_pem("--keyservice-ca", ca)?));
            match (&tls.cert, &tls.key) {
                (Some(c), Some(k)) => {
                    let cert = read_pem("--keyservice-cert", c)?;
                    let key = read_pem("--keyservice-key", k)?;
                    cfg = cfg.identity(Identity::from_pem(&*cert, &*key));
                }
                (None, None) => {}
                _ => {
                    return Err(format!(
                        "--keyservice {uri}: --keyservice-cert and --keyservice-key go together"
                    ))
                }
            }
            endpoint = endpoint
                .tls_config(cfg)
                .map_err(|e| format!("--keyservice {uri}: TLS set-up failed: {e}"))?;
        }
        Ok(Remote {
            uri: uri.to_owned(),
            tls: scheme == "tls",
            endpoint,
            channel: OnceLock::new(),
        })
    }

    /// The URI as given.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    fn channel(&self) -> Channel {
        // Created inside the runtime: the channel spawns its worker there.
        self.channel
            .get_or_init(|| self.endpoint.connect_lazy())
            .clone()
    }

    fn call<Req, Resp>(&self, path: &'static str, req: Req) -> Result<Resp, KeyError>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let limits = Limits::from_env().map_err(KeyError::Failed)?;
        let rt = runtime()?;
        let fut = async {
            let mut grpc = tonic::client::Grpc::new(self.channel());
            grpc.ready()
                .await
                .map_err(|e| tonic::Status::unavailable(error_chain(&e)))?;
            let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
            grpc.unary(
                tonic::Request::new(req),
                PathAndQuery::from_static(path),
                codec,
            )
            .await
            .map(tonic::Response::into_inner)
        };
        let outcome = rt.block_on(async { tokio::time::timeout(limits.total, fut).await });
        match outcome {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(status)) => {
                let mut text = describe(&status);
                if self.tls
                    && matches!(
                        status.code(),
                        tonic::Code::Unknown | tonic::Code::Unavailable
                    )
                {
                    // A TLS 1.3 server refuses a client certificate after the handshake: the
                    // client only sees the connection close.
                    text.push_str(
                        " (a tls:// key service closes the connection when the client has no \
                         certificate from its --tls-client-ca: check --keyservice-cert and \
                         --keyservice-key)",
                    );
                }
                Err(KeyError::Failed(text))
            }
            Err(_) => Err(KeyError::Failed(format!(
                "no answer within {} (LEAFSEAL_KEYSERVICE_TIMEOUT)",
                crate::keys::secs(limits.total)
            ))),
        }
    }

    /// Ask the service to wrap `plaintext` for `key`; returns the `enc` text.
    pub fn encrypt(&self, key: &proto::Key, plaintext: &[u8]) -> Result<String, KeyError> {
        let req = proto::EncryptRequest {
            key: Some(key.clone()),
            plaintext: plaintext.to_vec(),
        };
        let resp: proto::EncryptResponse = self.call(proto::ENCRYPT_PATH, req)?;
        String::from_utf8(resp.ciphertext).map_err(|_| {
            KeyError::Failed("the service returned a wrapped key that is not text".into())
        })
    }

    /// Ask the service to unwrap `ciphertext` (an `enc` text) with `key`.
    pub fn decrypt(
        &self,
        key: &proto::Key,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let req = proto::DecryptRequest {
            key: Some(key.clone()),
            ciphertext: ciphertext.to_vec(),
        };
        let mut resp: proto::DecryptResponse = self.call(proto::DECRYPT_PATH, req)?;
        Ok(Zeroizing::new(std::mem::take(&mut resp.plaintext)))
    }
}

/// An error and its sources on one line (a transport error's cause is in its source).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !out.ends_with(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out.replace('\n', " ")
}

/// A gRPC status on one line: the code, the service's message, the transport cause.
fn describe(status: &tonic::Status) -> String {
    let mut text = status.message().to_owned();
    if let Some(src) = std::error::Error::source(status) {
        let cause = error_chain(src);
        if cause.starts_with(&text) {
            text = cause;
        } else if !text.contains(&cause) {
            text = format!("{text}: {cause}");
        }
    }
    let out = if text.is_empty() {
        format!("{:?}", status.code())
    } else {
        format!("{:?}: {text}", status.code())
    };
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            total: Duration::from_secs(1),
            connect: Duration::from_secs(1),
        }
    }

    #[test]
    fn uris_sops_accepts_parse() {
        let tls = TlsFiles::default();
        for ok in [
            "tcp://127.0.0.1:5000",
            "tcp://localhost:5000/",
            "tcp://[::1]:5000",
            "unix:///tmp/ks.sock",
        ] {
            Remote::parse(ok, &tls, limits()).unwrap();
        }
        for bad in [
            "127.0.0.1:5000",
            "udp://127.0.0.1:5000",
            "unix://relative.sock",
            "tcp://127.0.0.1",
            "tls://127.0.0.1:5000",
        ] {
            let e = Remote::parse(bad, &tls, limits()).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }
}

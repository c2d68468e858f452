//! A small IMDSv2 emulator on 127.0.0.1 (moto's own metadata answers are rejected by both the
//! Rust SDK and `sops`). It serves the session token with its TTL header, the instance role's
//! name and temporary credentials (`"Code":"Success"`), and the region; every other path is a
//! 404, and a request without the session token is a 401 as on EC2. Stops when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

const TOKEN: &str = "leafseal-test-imds-token";

/// What the emulator hands out.
#[derive(Clone, Debug)]
pub struct Role {
    pub name: String,
    pub access_key: String,
    pub secret_key: String,
    pub token: String,
    pub region: String,
}

/// A running emulator.
pub struct Imds {
    pub port: u16,
    stop: Arc<AtomicBool>,
    /// Credentials documents served.
    served: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Imds {
    pub fn start(role: Role) -> Imds {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind IMDS emulator");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let (stop2, served2) = (stop.clone(), served.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(c) = conn {
                    let _ = handle(c, &role, &served2);
                }
            }
        });
        Imds {
            port,
            stop,
            served,
            thread: Some(thread),
        }
    }

    /// For `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many times the role's credentials were handed out.
    pub fn credentials_served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

impl Drop for Imds {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn handle(c: TcpStream, role: &Role, served: &AtomicUsize) -> std::io::Result<()> {
    c.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(c.try_clone()?);
    let mut first = String::new();
    reader.read_line(&mut first)?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut parts = first.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let creds_base = "/latest/meta-data/iam/security-credentials/";
    let (status, extra, body) = if method == "PUT" && path == "/latest/api/token" {
        let ttl = header("x-aws-ec2-metadata-token-ttl-seconds")
            .unwrap_or("21600")
            .to_owned();
        (
            "200 OK",
            format!("X-aws-ec2-metadata-token-ttl-seconds: {ttl}\r\n"),
            TOKEN.to_owned(),
        )
    } else if header("x-aws-ec2-metadata-token") != Some(TOKEN) {
        ("401 Unauthorized", String::new(), String::new())
    } else if method == "GET" && path == creds_base {
        ("200 OK", String::new(), role.name.clone())
    } else if method == "GET" && path == format!("{creds_base}{}", role.name) {
        served.fetch_add(1, Ordering::SeqCst);
        let body = serde_json::json!({
            "Code": "Success",
            "LastUpdated": "2026-01-01T00:00:00Z",
            "Type": "AWS-HMAC",
            "AccessKeyId": role.access_key,
            "SecretAccessKey": role.secret_key,
            "Token": role.token,
            "Expiration": "2099-01-01T00:00:00Z",
        });
        ("200 OK", String::new(), body.to_string())
    } else if method == "GET" && path == "/latest/meta-data/placement/region" {
        ("200 OK", String::new(), role.region.clone())
    } else {
        ("404 Not Found", String::new(), String::new())
    };
    let mut w = c;
    write!(
        w,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    )?;
    w.flush()
}

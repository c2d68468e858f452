//! A `moto_server` (the AWS emulator from PyPI `moto[server]`) started for one test and stopped
//! when dropped, when its deadline passes, or when the test process dies.
//!
//! It binds 127.0.0.1 on a port the OS picks (`-p 0`, read back from its start-up line) and
//! serves KMS and STS. Keys are created with a raw JSON-protocol POST so the helper needs no
//! AWS client. `LEAFSEAL_MOTO_SERVER` (set by `scripts/test.sh`) names the `moto_server` script;
//! otherwise `<repo>/.cache/venv/bin/moto_server`. Missing: SKIPPED, or a panic under CI.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::util::{manifest_dir, tools};

/// How long one emulator may live, whatever the test does.
const DEADLINE_SECS: u64 = 300;
/// How long start-up may take.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Dummy credentials moto accepts (outside strict auth mode).
pub const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// The region test keys are created in.
pub const REGION: &str = "eu-west-1";

fn find() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LEAFSEAL_MOTO_SERVER").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    let venv = manifest_dir().join(".cache/venv/bin/moto_server");
    venv.is_file().then_some(venv)
}

/// A running moto server.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    /// Start one, or `None` after reporting a skip (panics under CI).
    #[track_caller]
    pub fn start() -> Option<Moto> {
        Self::start_with_env(&[])
    }

    /// Start one with extra environment (for example moto's strict auth mode).
    #[track_caller]
    pub fn start_with_env(env: &[(&str, &str)]) -> Option<Moto> {
        let script = match find() {
            Some(p) => p,
            None => {
                // Panics under CI; otherwise prints the SKIPPED line.
                tools::missing(
                    "moto_server",
                    "run the suite with `bash scripts/test.sh`, which installs moto[server] into .cache/venv; \
                     or set LEAFSEAL_MOTO_SERVER=/path/to/moto_server",
                );
                return None;
            }
        };
        // The venv's interpreter runs moto with a watchdog: it exits when its stdin closes (the
        // test process died) or at the deadline, so no emulator outlives the suite.
        let python = script.with_file_name("python");
        let watchdog = format!(
            "import os, sys, threading, time\n\
             threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n\
             threading.Thread(target=lambda: (time.sleep({DEADLINE_SECS}), os._exit(0)), daemon=True).start()\n\
             from moto.server import main\n\
             main(['-H', '127.0.0.1', '-p', '0'])\n"
        );
        let mut cmd = if python.is_file() {
            let mut c = Command::new(&python);
            c.arg("-c").arg(watchdog);
            c
        } else {
            let mut c = Command::new(&script);
            c.args(["-H", "127.0.0.1", "-p", "0"]);
            c
        };
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", std::env::temp_dir())
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        // Werkzeug prints ` * Running on http://127.0.0.1:PORT` once it listens.
        let (tx, rx) = mpsc::channel();
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if let Some(rest) = line.split("Running on http://127.0.0.1:").nth(1) {
                        let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                        let _ = tx.send(port.parse::<u16>().ok());
                    }
                }
            });
        }
        let port = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(p)) => p,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("moto_server did not report its port within {START_TIMEOUT:?}: {other:?}");
            }
        };
        let moto = Moto { child, port };
        // It prints the line just before serving; wait until a request gets an answer.
        let start = Instant::now();
        while moto.post("ListKeys", "{}").is_err() {
            assert!(
                start.elapsed() < START_TIMEOUT,
                "moto_server on port {port} does not answer"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(moto)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One unsigned HTTP POST to moto; the body of a 200 answer.
    fn raw(&self, path: &str, headers: &str, body: &str) -> Result<String, String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .map_err(|e| e.to_string())?;
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{headers}Content-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
        let mut resp = String::new();
        s.read_to_string(&mut resp).map_err(|e| e.to_string())?;
        let (head, body) = resp.split_once("\r\n\r\n").ok_or("no HTTP header end")?;
        if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
            return Err(format!("{}: {body}", head.lines().next().unwrap_or("")));
        }
        Ok(body.to_owned())
    }

    /// moto reads the region and service from the credential scope; outside strict auth mode
    /// the signature is not checked.
    fn auth(service: &str, region: &str) -> String {
        format!(
            "Authorization: AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20250101/{region}/{service}/aws4_request, \
             SignedHeaders=host, Signature=00\r\n"
        )
    }

    /// One KMS JSON-protocol call (`TrentService.<action>`) in [`REGION`]; the JSON answer.
    pub fn post(&self, action: &str, body: &str) -> Result<serde_json::Value, String> {
        let headers = format!(
            "Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.{action}\r\n{}",
            Self::auth("kms", REGION)
        );
        let body = self.raw("/", &headers, body)?;
        serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))
    }

    /// One IAM query-protocol call; the XML answer.
    fn iam(&self, params: &str) -> String {
        let headers = format!(
            "Content-Type: application/x-www-form-urlencoded\r\n{}",
            Self::auth("iam", "us-east-1")
        );
        self.raw("/", &headers, &format!("{params}&Version=2010-05-08"))
            .unwrap_or_else(|e| panic!("IAM {params}: {e}"))
    }

    /// Create an IAM user, optionally with an inline policy document (URL-encoded JSON); its
    /// access key id and secret.
    pub fn create_user(&self, name: &str, policy: Option<&str>) -> (String, String) {
        self.iam(&format!("Action=CreateUser&UserName={name}"));
        if let Some(p) = policy {
            self.iam(&format!(
                "Action=PutUserPolicy&UserName={name}&PolicyName=p&PolicyDocument={p}"
            ));
        }
        let xml = self.iam(&format!("Action=CreateAccessKey&UserName={name}"));
        let field = |tag: &str| {
            let open = format!("<{tag}>");
            let start = xml
                .find(&open)
                .unwrap_or_else(|| panic!("no {tag} in {xml}"))
                + open.len();
            let end = xml[start..].find('<').expect("closing tag") + start;
            xml[start..end].to_owned()
        };
        (field("AccessKeyId"), field("SecretAccessKey"))
    }

    /// From now on every request must be signed with an IAM user's key and is checked against
    /// its policies (moto's strict auth mode).
    pub fn strict_auth(&self) {
        self.raw("/moto-api/reset-auth", "", "0")
            .expect("reset-auth");
    }

    /// Create an S3 bucket (in us-east-1).
    pub fn create_bucket(&self, name: &str) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to moto");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("read timeout");
        let req = format!(
            "PUT /{name} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{}Content-Length: 0\r\n\
             Connection: close\r\n\r\n",
            self.port,
            Self::auth("s3", "us-east-1")
        );
        s.write_all(req.as_bytes()).expect("send CreateBucket");
        let mut resp = String::new();
        s.read_to_string(&mut resp).expect("read CreateBucket");
        assert!(
            resp.starts_with("HTTP/1.1 200"),
            "CreateBucket {name}: {resp}"
        );
    }

    /// Create a symmetric key; its ARN.
    pub fn create_key(&self) -> String {
        let v = self
            .post("CreateKey", r#"{"Description":"leafseal test"}"#)
            .expect("CreateKey");
        v["KeyMetadata"]["Arn"]
            .as_str()
            .expect("KeyMetadata.Arn")
            .to_owned()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The fake key services of `tests/fakes/cloud_kms.py` (Vault transit, GCP KMS REST with its
//! OAuth and GCE metadata endpoints, a CONNECT proxy), each started for one test on 127.0.0.1
//! and stopped when dropped (or by its own deadline if the test process dies: it exits when its
//! stdin closes). They run on the test venv's Python (`.cache/venv`, made by `scripts/test.sh`;
//! the GCP mode needs its `cryptography`); a missing venv skips loudly, or fails under CI.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::util::{manifest_dir, tools};

/// The test venv's interpreter, or `None` after reporting a skip (panics under CI).
#[track_caller]
pub fn python() -> Option<PathBuf> {
    let p = std::env::var_os("LEAFSEAL_TEST_PYTHON")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join(".cache/venv/bin/python"));
    if p.is_file() {
        Some(p)
    } else {
        tools::missing(
            "the test venv's python",
            "run the suite with `bash scripts/test.sh`, which makes .cache/venv",
        )
    }
}

/// The test venv's interpreter if it can `import module`, or `None` after reporting a skip
/// (panics under CI); `package` is the PyPI name to install.
#[track_caller]
pub fn python_with(module: &str, package: &str) -> Option<PathBuf> {
    let py = python()?;
    let ok = Command::new(&py)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(py)
    } else {
        tools::missing(
            &format!("{package} (PyPI) in the test venv"),
            "run the suite with `bash scripts/test.sh`, which installs it into .cache/venv",
        )
    }
}

/// A running fake.
pub struct Fake {
    child: Child,
    pub port: u16,
    /// Lines it printed after its port (`CONNECT host:port` for the proxy).
    pub lines: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    /// Start `cloud_kms.py MODE ARGS…`; `None` after a reported skip.
    #[track_caller]
    pub fn start(mode: &str, args: &[&str]) -> Option<Fake> {
        let python = python()?;
        let script = manifest_dir().join("tests/fakes/cloud_kms.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .arg(mode)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        let out = child.stdout.take().expect("piped stdout");
        let (tx, rx): (_, Receiver<u16>) = mpsc::channel();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                match line.strip_prefix("PORT ") {
                    Some(p) => {
                        let _ = tx.send(p.trim().parse().unwrap_or(0));
                    }
                    None => seen.lock().unwrap().push(line),
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(port) if port > 0 => Some(Fake { child, port, lines }),
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("fake {mode} did not report its port: {other:?}");
            }
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on.
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let p = l.local_addr().expect("addr").port();
    drop(l);
    p
}

/// A loopback listener that accepts connections and never answers (held by the caller).
pub fn silent_server() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let p = l.local_addr().expect("addr").port();
    (l, p)
}

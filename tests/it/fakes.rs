//! The fake services of `tests/fakes/` (Python), each started for one test on 127.0.0.1 and
//! stopped when dropped (or by its own deadline if the test process dies: it exits when its
//! stdin closes): `cloud_kms.py` (Vault transit, GCP KMS REST with its OAuth and GCE metadata
//! endpoints, and the CONNECT proxy every test here uses), `azure_kv.py` (Key Vault and Entra
//! ID) and `hckms.py` (HuaweiCloud KMS and IAM). Each prints one JSON line when it listens (its
//! ports and facts); later stdout lines are collected (`CONNECT host:port` for the proxy), and
//! stderr (the request logs) too. They run on the test venv's Python (`.cache/venv`, made by
//! `scripts/test.sh`, which has `cryptography`); `LEAFSEAL_TEST_PYTHON` names another
//! interpreter; a missing one skips loudly, or fails under CI.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
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
    /// Its `port` (0 for a fake that names its ports otherwise: see [`Fake::port_of`]).
    pub port: u16,
    /// The JSON line it printed when ready.
    pub info: serde_json::Value,
    /// Lines it printed after that (`CONNECT host:port` for the proxy).
    pub lines: Arc<Mutex<Vec<String>>>,
    /// Its stderr (request log), collected for failure messages.
    log: Arc<Mutex<String>>,
}

impl Fake {
    /// Start `cloud_kms.py MODE ARGS…`; `None` after a reported skip.
    #[track_caller]
    pub fn start(mode: &str, args: &[&str]) -> Option<Fake> {
        let mut all = vec![OsStr::new(mode)];
        all.extend(args.iter().map(OsStr::new));
        Fake::script("cloud_kms.py", &all)
    }

    /// Start `tests/fakes/{script} ARGS…`; `None` after a reported skip.
    #[track_caller]
    pub fn script(script: &str, args: &[&OsStr]) -> Option<Fake> {
        let python = python()?;
        let path = manifest_dir().join("tests/fakes").join(script);
        let mut child = Command::new(&python)
            .arg(&path)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        let log = Arc::new(Mutex::new(String::new()));
        let err = child.stderr.take().expect("piped stderr");
        let written = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut l = written.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let out = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        std::thread::spawn(move || {
            let mut out = BufReader::new(out).lines().map_while(Result::ok);
            let _ = tx.send(out.next().unwrap_or_default());
            // The rest is kept, and read so the fake never blocks on a full pipe.
            for line in out {
                seen.lock().unwrap().push(line);
            }
        });
        let ready = rx.recv_timeout(Duration::from_secs(60));
        match ready
            .as_deref()
            .ok()
            .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        {
            Some(info) => Some(Fake {
                child,
                port: info["port"].as_u64().map_or(0, |p| p as u16),
                info,
                lines,
                log,
            }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{script} {args:?} did not report its ports ({ready:?}): {}",
                    log.lock().unwrap()
                );
            }
        }
    }

    /// A port it reported by name.
    pub fn port_of(&self, name: &str) -> u16 {
        self.info[name]
            .as_u64()
            .unwrap_or_else(|| panic!("no port {name:?} in {}", self.info)) as u16
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What it logged to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
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

//! Fake cloud services written in Python (`tests/it/fakes/*.py`), run with the venv's
//! interpreter (it has `cryptography`): started for one test on 127.0.0.1, stopped when dropped.
//! Each script prints one JSON line (its ports and facts) when it listens, and exits when its
//! stdin closes (the test process died) or after 300 s. `LEAFSEAL_PYTHON` names another
//! interpreter; missing: SKIPPED, or a panic under CI.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::util::{manifest_dir, tools};

/// A running fake.
pub struct PyFake {
    child: Child,
    /// The JSON line it printed when ready.
    pub info: serde_json::Value,
    /// Its stderr (request log), collected for failure messages.
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LEAFSEAL_PYTHON").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let venv = manifest_dir().join(".cache/venv/bin/python");
    venv.is_file().then_some(venv)
}

impl PyFake {
    /// Start `tests/it/fakes/{script}` with `args`, or `None` after reporting a skip.
    #[track_caller]
    pub fn start(script: &str, args: &[&Path]) -> Option<PyFake> {
        let Some(py) = python() else {
            tools::missing(
                "python with cryptography (.cache/venv)",
                "run the suite with `bash scripts/test.sh`, which creates .cache/venv; or set LEAFSEAL_PYTHON",
            );
            return None;
        };
        let path = manifest_dir().join("tests/it/fakes").join(script);
        let mut child = Command::new(&py)
            .arg(&path)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", py.display()));
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        if let Some(err) = child.stderr.take() {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            let mut line = String::new();
            let mut r = BufReader::new(out);
            let _ = r.read_line(&mut line);
            let _ = tx.send(line);
            // Drain the rest so the fake never blocks on a full pipe.
            let _ = r.read_to_end(&mut Vec::new());
        });
        match rx
            .recv_timeout(Duration::from_secs(60))
            .ok()
            .and_then(|l| serde_json::from_str(&l).ok())
        {
            Some(info) => Some(PyFake { child, info, log }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{script} did not report its ports: {}", log.lock().unwrap());
            }
        }
    }

    /// A port it reported.
    pub fn port(&self, name: &str) -> u16 {
        self.info[name]
            .as_u64()
            .unwrap_or_else(|| panic!("no port {name:?} in {}", self.info)) as u16
    }

    /// What it logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for PyFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

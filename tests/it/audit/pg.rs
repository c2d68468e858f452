//! A private PostgreSQL server for the audit tests: `initdb` and `postgres` from Debian's
//! packages (run as `nobody` when the tests run as root, since both refuse root), 127.0.0.1 on
//! a free port, no unix socket, SOPS's `audit_event` schema; stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::keyservice::free_port;
use crate::util::{in_ci, tools};

/// The PostgreSQL programs: Debian's versioned directory (newest first), else `PATH`.
fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.reverse();
    if let Some(d) = dirs.into_iter().find(|d| d.join("postgres").is_file()) {
        return Some(d);
    }
    let initdb = tools::on_path("initdb")?;
    Some(initdb.parent()?.to_path_buf())
}

/// A PostgreSQL server of this test: stopped (SIGTERM, then SIGKILL) when dropped.
pub(super) struct Pg {
    child: Option<Child>,
    pub(super) port: u16,
    bin: PathBuf,
    _dir: tempfile::TempDir,
}

/// `program` run as `nobody` when we are root (initdb and postgres refuse root).
fn unprivileged(program: &Path) -> Command {
    if rustix::process::geteuid().is_root() {
        let setpriv = tools::on_path("setpriv").expect("setpriv (util-linux) is needed as root");
        let mut c = Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Pg {
    /// Start a server, or `None` (skip) when PostgreSQL is not installed outside CI.
    pub(super) fn start() -> Option<Pg> {
        Pg::launch(None)
    }

    /// [`Pg::start`] with TLS on (`ssl=on`): the server's certificate and key in PEM.
    pub(super) fn start_tls(cert: &str, key: &str) -> Option<Pg> {
        Pg::launch(Some((cert, key)))
    }

    fn launch(tls: Option<(&str, &str)>) -> Option<Pg> {
        let Some(bin) = pg_bin() else {
            if in_ci() {
                panic!("PostgreSQL (initdb, postgres) is required under CI: apt-get install postgresql (scripts/test.sh does)");
            }
            eprintln!("SKIPPED: PostgreSQL is not installed (apt-get install postgresql)");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("leafseal-pg-")
            .tempdir()
            .expect("tempdir");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("data dir");
        if rustix::process::geteuid().is_root() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
            std::os::unix::fs::chown(&data, Some(65534), Some(65534)).expect("chown data");
        }
        let out = unprivileged(&bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut ssl_args: Vec<String> = Vec::new();
        if let Some((cert, key)) = tls {
            use std::os::unix::fs::PermissionsExt;
            let (c, k) = (dir.path().join("server.pem"), dir.path().join("server.key"));
            std::fs::write(&c, cert).expect("cert");
            std::fs::write(&k, key).expect("key");
            std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o600)).expect("chmod");
            if rustix::process::geteuid().is_root() {
                for p in [&c, &k] {
                    std::os::unix::fs::chown(p, Some(65534), Some(65534)).expect("chown");
                }
            }
            for (name, p) in [("ssl_cert_file", &c), ("ssl_key_file", &k)] {
                ssl_args.extend(["-c".to_owned(), format!("{name}={}", p.display())]);
            }
            ssl_args.extend(["-c".to_owned(), "ssl=on".to_owned()]);
        }
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("postgres.log")).expect("log");
        let child = unprivileged(&bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(["-c", "unix_socket_directories=", "-c", "fsync=off"])
            .args(&ssl_args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start postgres");
        let pg = Pg {
            child: Some(child),
            port,
            bin,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while pg.psql("SELECT 1").is_err() {
            assert!(
                Instant::now() < deadline,
                "postgres did not start within 30 s: {}",
                std::fs::read_to_string(pg._dir.path().join("postgres.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        // SOPS's schema (audit/schema.sql): the table and a role that may only insert.
        pg.psql(
            "CREATE TABLE audit_event (id SERIAL PRIMARY KEY, \
             timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP, action TEXT, username TEXT, file TEXT); \
             CREATE ROLE sops WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN PASSWORD 'sops'; \
             GRANT INSERT ON audit_event TO sops; GRANT USAGE ON audit_event_id_seq TO sops;",
        )
        .expect("schema");
        Some(pg)
    }

    /// Run SQL as the superuser; the unaligned output.
    fn psql(&self, sql: &str) -> Result<String, String> {
        let psql = if self.bin.join("psql").is_file() {
            self.bin.join("psql")
        } else {
            PathBuf::from("psql")
        };
        let out = Command::new(psql)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql])
            .env("PGCONNECT_TIMEOUT", "2")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// The rows recorded so far: `action|username|file`, oldest first.
    pub(super) fn rows(&self) -> Vec<String> {
        self.psql("SELECT action, username, file FROM audit_event ORDER BY id")
            .expect("select")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    pub(super) fn conn(&self) -> String {
        format!(
            "postgres://sops:sops@127.0.0.1:{}/postgres?sslmode=disable",
            self.port
        )
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = rustix::process::Pid::from_child(&child);
        // SIGINT: PostgreSQL's fast shutdown.
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::INT);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

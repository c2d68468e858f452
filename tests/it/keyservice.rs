//! Key services (issue 18): leafseal against the reference `sops keyservice` and the reference
//! `sops --keyservice` against `leafseal keyservice`, over 127.0.0.1 TCP and unix sockets in the
//! sandbox; Shamir groups each behind a different service; KMS keys (moto) through a service.
//! Mutual TLS, a mute server and `--prompt` are in `keyservice_tls.rs`, which shares the
//! harness here. Every server is started and stopped by its test (a guard kills it on panic)
//! and every wait is bounded.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use crate::moto::{Moto, ACCESS_KEY, SECRET_KEY};
use crate::util::keys::{AGE1, AGE2};
use crate::util::{tools, Cmd, Sandbox};

pub(crate) const PLAIN: &str = "db:\n    user: app\n    password: hunter2\nport: 5432\n";

/// A loopback port that was free a moment ago.
pub(crate) fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Where a server listens.
#[derive(Clone, Debug)]
pub(crate) enum Addr {
    Tcp(u16),
    Unix(PathBuf),
}

impl Addr {
    pub(crate) fn tcp() -> Addr {
        Addr::Tcp(free_port())
    }

    pub(crate) fn unix(sb: &Sandbox, name: &str) -> Addr {
        Addr::Unix(sb.path(name))
    }

    /// `--network N --address A`.
    pub(crate) fn server_args(&self) -> Vec<String> {
        match self {
            Addr::Tcp(p) => vec![
                "--network".into(),
                "tcp".into(),
                "--address".into(),
                format!("127.0.0.1:{p}"),
            ],
            Addr::Unix(p) => vec![
                "--network".into(),
                "unix".into(),
                "--address".into(),
                p.display().to_string(),
            ],
        }
    }

    /// The client URI (`tcp://…`, `unix://…`).
    pub(crate) fn uri(&self) -> String {
        match self {
            Addr::Tcp(p) => format!("tcp://127.0.0.1:{p}"),
            Addr::Unix(p) => format!("unix://{}", p.display()),
        }
    }

    fn accepts(&self) -> bool {
        match self {
            Addr::Tcp(p) => std::net::TcpStream::connect(("127.0.0.1", *p)).is_ok(),
            Addr::Unix(p) => std::os::unix::net::UnixStream::connect(p).is_ok(),
        }
    }
}

/// A server process, killed when dropped.
pub(crate) struct Server {
    child: Option<Child>,
    log: PathBuf,
}

impl Server {
    /// Start `cmd` (logging to `log`) and wait until `addr` accepts connections.
    pub(crate) fn start(cmd: Cmd, addr: &Addr, log: PathBuf) -> Server {
        let child = cmd.spawn_logged(&log);
        let mut s = Server {
            child: Some(child),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !addr.accepts() {
            if let Some(st) = s.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!(
                    "the server exited ({st}) before listening: {}",
                    s.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the server did not listen on {} within 20s: {}",
                addr.uri(),
                s.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        s
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then the exit status (bounded: killed after 10s).
    pub(crate) fn terminate(mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = rustix::process::Pid::from_child(&child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(st) = child.try_wait().expect("wait") {
                return st;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the server did not stop within 10s of SIGTERM: {}",
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `sops keyservice` holding `identity` (the only one anywhere).
fn sops_server(sb: &Sandbox, sops: &Path, addr: &Addr, identity: &Path, log: &str) -> Server {
    let cmd = sb
        .cmd(sops)
        .arg("keyservice")
        .args(addr.server_args())
        .age_identity(identity);
    Server::start(cmd, addr, sb.path(log))
}

/// `leafseal keyservice` holding `identity`, with `extra` flags.
pub(crate) fn leafseal_server(
    sb: &Sandbox,
    addr: &Addr,
    identity: &Path,
    extra: &[&str],
    log: &str,
) -> Server {
    let cmd = sb
        .leafseal()
        .arg("keyservice")
        .args(addr.server_args())
        .args(extra)
        .age_identity(identity);
    Server::start(cmd, addr, sb.path(log))
}

/// A client command with the local key service off and `uris` as its services. For SOPS the
/// subcommand must come first: it reads these flags only after it.
pub(crate) fn remote_only(cmd: Cmd, uris: &[String]) -> Cmd {
    let mut cmd = cmd.arg("--enable-local-keyservice=false");
    for u in uris {
        cmd = cmd.arg("--keyservice").arg(u);
    }
    cmd
}

/// The data is there and nobody here holds the key: decrypting locally must fail.
fn assert_no_local_key(sb: &Sandbox, file: &str) {
    let o = sb.leafseal().args(["decrypt", file]).run();
    assert_eq!(o.code, 128, "{}", o.stderr_str());
}

#[test]
fn sops_keyservice_serves_leafseal_encrypt_decrypt_rotate() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("plain.yaml", PLAIN);
    for (n, addr) in [Addr::tcp(), Addr::unix(&sb, "sops.sock")]
        .into_iter()
        .enumerate()
    {
        let server = sops_server(&sb, &sops, &addr, &AGE1.identity_file(), "sops.log");
        let uris = [addr.uri()];
        // encrypt: the service wraps the data key.
        let enc = format!("enc{n}.yaml");
        let o = remote_only(sb.leafseal(), &uris)
            .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
            .run();
        o.assert_success();
        sb.write(&enc, &o.stdout);
        assert_no_local_key(&sb, &enc);
        // decrypt: the service unwraps it.
        let o = remote_only(sb.leafseal(), &uris)
            .args(["decrypt", &enc])
            .run();
        o.assert_success();
        assert_eq!(o.stdout_str(), PLAIN, "{}", addr.uri());
        // rotate: unwrap and wrap a new data key, both through the service.
        let before = sb.read_string(&enc);
        remote_only(sb.leafseal(), &uris)
            .args(["rotate", "-i", &enc])
            .run()
            .assert_success();
        assert_ne!(sb.read_string(&enc), before, "rotate changed nothing");
        // The rotated file opens with the real key, in both tools.
        let o = sb
            .leafseal()
            .args(["decrypt", &enc])
            .age_identity(AGE1.identity_file())
            .run();
        o.assert_success();
        assert_eq!(o.stdout_str(), PLAIN);
        let o = sb
            .cmd(&sops)
            .args(["decrypt", &enc])
            .age_identity(AGE1.identity_file())
            .run();
        o.assert_success();
        assert_eq!(o.stdout_str(), PLAIN);
        // A file sops wrote opens through the sops service too.
        let o = sb
            .cmd(&sops)
            .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
            .run();
        o.assert_success();
        let theirs = format!("theirs{n}.yaml");
        sb.write(&theirs, &o.stdout);
        let o = remote_only(sb.leafseal(), &uris)
            .args(["decrypt", &theirs])
            .run();
        o.assert_success();
        assert_eq!(o.stdout_str(), PLAIN);
        drop(server);
    }
}

#[test]
fn leafseal_keyservice_serves_sops_decrypt_and_encrypt() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("plain.yaml", PLAIN);
    // A file leafseal wrote and one sops wrote, both to AGE1, whose identity only the server has.
    let o = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("ours.yaml", &o.stdout);
    let o = sb
        .cmd(&sops)
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("theirs.yaml", &o.stdout);
    for addr in [Addr::tcp(), Addr::unix(&sb, "ls.sock")] {
        let server = leafseal_server(&sb, &addr, &AGE1.identity_file(), &["--verbose"], "ls.log");
        if let Addr::Unix(p) = &addr {
            let mode = std::fs::metadata(p).expect("socket").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "socket mode {mode:o}");
        }
        let uris = [addr.uri()];
        for f in ["ours.yaml", "theirs.yaml"] {
            let o = remote_only(sb.cmd(&sops).arg("decrypt"), &uris)
                .arg(f)
                .run();
            o.assert_success();
            assert_eq!(o.stdout_str(), PLAIN, "sops decrypt {f} via {}", addr.uri());
        }
        // sops encrypt through our service, then leafseal decrypt with the real key.
        let o = remote_only(sb.cmd(&sops).arg("encrypt"), &uris)
            .args(["--age", AGE1.recipient, "plain.yaml"])
            .run();
        o.assert_success();
        sb.write("via.yaml", &o.stdout);
        let o = sb
            .leafseal()
            .args(["decrypt", "via.yaml"])
            .age_identity(AGE1.identity_file())
            .run();
        o.assert_success();
        assert_eq!(o.stdout_str(), PLAIN);
        // The log names each request's key, never key material; SIGTERM stops it cleanly and
        // removes the socket.
        let log = server.log_text();
        assert!(
            log.contains(&format!(
                "decrypt request for age key {}: ok",
                AGE1.recipient
            )),
            "{log}"
        );
        assert!(log.contains("encrypt request for age key"), "{log}");
        assert!(!log.contains("AGE-SECRET-KEY"), "{log}");
        // --verbose adds where each request came from.
        let from = match &addr {
            Addr::Tcp(_) => "decrypt request from 127.0.0.1:",
            Addr::Unix(_) => "decrypt request from the unix socket",
        };
        assert!(log.contains(from), "{log}");
        let st = server.terminate();
        assert!(st.success(), "exit {st}");
        if let Addr::Unix(p) = &addr {
            assert!(!p.exists(), "socket left behind");
        }
        std::fs::remove_file(sb.path("ls.log")).expect("rm log");
    }
}

#[test]
fn shamir_groups_each_reachable_through_a_different_service() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("plain.yaml", PLAIN);
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - age: [{}]\n      - age: [{}]\n",
            AGE1.recipient, AGE2.recipient
        ),
    );
    // Group 0's key behind the reference sops on TCP, group 1's behind leafseal on a socket.
    let a = Addr::tcp();
    let b = Addr::unix(&sb, "b.sock");
    let _sa = sops_server(&sb, &sops, &a, &AGE1.identity_file(), "a.log");
    let _sb = leafseal_server(&sb, &b, &AGE2.identity_file(), &[], "b.log");
    let both = [a.uri(), b.uri()];
    let o = remote_only(sb.leafseal(), &both)
        .args(["encrypt", "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("s.enc.yaml", &o.stdout);
    assert_no_local_key(&sb, "s.enc.yaml");
    for client in [sb.leafseal(), sb.cmd(&sops)] {
        let o = remote_only(client.arg("decrypt"), &both)
            .arg("s.enc.yaml")
            .run();
        o.assert_success();
        assert_eq!(o.stdout_str(), PLAIN);
    }
    // SOPS_KEYSERVICE (comma-separated) and SOPS_ENABLE_LOCAL_KEYSERVICE do the same.
    let o = sb
        .leafseal()
        .env("SOPS_KEYSERVICE", both.join(","))
        .env("SOPS_ENABLE_LOCAL_KEYSERVICE", "false")
        .args(["decrypt", "s.enc.yaml"])
        .run();
    o.assert_success();
    assert_eq!(o.stdout_str(), PLAIN);
    // One service alone opens one group: below the threshold.
    let o = remote_only(sb.leafseal(), &[a.uri()])
        .args(["decrypt", "s.enc.yaml"])
        .run();
    assert_eq!(o.code, 128, "{}", o.stderr_str());
    assert!(o.stderr_str().contains("1 of 2"), "{}", o.stderr_str());
}

/// AWS settings that keep a command on loopback: moto's endpoint, sandboxed config files, no
/// instance metadata; credentials only when `creds`.
fn aws(cmd: Cmd, sb: &Sandbox, moto: &Moto, creds: bool) -> Cmd {
    let cmd = cmd
        .env("AWS_ENDPOINT_URL_KMS", moto.endpoint())
        .env("AWS_ENDPOINT_URL_STS", moto.endpoint())
        .env("AWS_CONFIG_FILE", sb.path("aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", sb.path("aws/credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if creds {
        cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    } else {
        cmd
    }
}

#[test]
fn kms_keys_with_a_context_go_through_the_service() {
    let Some(sops) = tools::sops() else { return };
    let Some(moto) = Moto::start() else { return };
    let sb = Sandbox::new();
    sb.write("plain.yaml", PLAIN);
    let arn = moto.create_key();
    // The server has the credentials; the clients have none.
    let addr = Addr::tcp();
    let cmd = aws(sb.leafseal(), &sb, &moto, true)
        .arg("keyservice")
        .args(addr.server_args());
    let server = Server::start(cmd, &addr, sb.path("kms.log"));
    let uris = [addr.uri()];
    let o = remote_only(aws(sb.leafseal(), &sb, &moto, false), &uris)
        .args([
            "encrypt",
            "--kms",
            &arn,
            "--encryption-context",
            "app:web,tier:db",
            "plain.yaml",
        ])
        .run();
    o.assert_success();
    sb.write("k.enc.yaml", &o.stdout);
    let text = sb.read_string("k.enc.yaml");
    assert!(text.contains("app: web"), "{text}");
    // Both clients open it through the service (the context travels in the request).
    let o = remote_only(aws(sb.leafseal(), &sb, &moto, false), &uris)
        .args(["decrypt", "k.enc.yaml"])
        .run();
    o.assert_success();
    assert_eq!(o.stdout_str(), PLAIN);
    let o = remote_only(aws(sb.cmd(&sops), &sb, &moto, false).arg("decrypt"), &uris)
        .arg("k.enc.yaml")
        .run();
    o.assert_success();
    assert_eq!(o.stdout_str(), PLAIN);
    // And the server's own credentials open it directly.
    let o = aws(sb.leafseal(), &sb, &moto, true)
        .args(["decrypt", "k.enc.yaml"])
        .run();
    o.assert_success();
    let log = server.log_text();
    assert!(
        log.contains(&format!("encrypt request for kms key {arn}: ok")),
        "{log}"
    );
    assert_eq!(
        log.matches("decrypt request for kms key").count(),
        2,
        "{log}"
    );
}

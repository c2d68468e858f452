//! The audit hook (docs/audit.md) against a real PostgreSQL from Debian's packages: the test
//! makes a private data directory, starts `postgres` on 127.0.0.1 with a free port (no unix
//! socket), creates SOPS's `audit_event` table and an insert-only role, and stops the server
//! when done (also on panic). Under CI a missing server fails; elsewhere the test is skipped
//! loudly. The configuration is handed over with `LEAFSEAL_AUDIT_CONFIG`: the reference sops
//! reads only `/etc/sops/audit.yaml`, which a test must not write, so sops' side is taken from
//! its source (docs/audit.md).

mod pg;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::keyservice::free_port;
use crate::util::keys::AGE1;
use crate::util::{tools, Cmd, Sandbox};
use pg::Pg;

const PLAIN: &str = "user: app\npassword: hunter2\n";

/// `id -un`: the name the rows must carry.
fn user_name() -> String {
    let out = Command::new("id").arg("-un").output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A sandbox with `s.enc.yaml` (age1) and `audit.yaml` holding `config`.
fn setup(config: &str) -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    sb.write("s.yaml", PLAIN);
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "s.yaml"])
        .run();
    out.assert_success();
    sb.write("s.enc.yaml", &out.stdout);
    let cfg = sb.write("audit.yaml", config);
    (sb, cfg)
}

fn audited(sb: &Sandbox, cfg: &Path) -> Cmd {
    sb.leafseal()
        .env("LEAFSEAL_AUDIT_CONFIG", cfg)
        .env("LEAFSEAL_AUDIT_TIMEOUT", "5")
        .age_identity(AGE1.identity_file())
}

#[test]
fn a_decrypt_adds_exactly_one_row_with_the_file_and_user() {
    let Some(pg) = Pg::start() else { return };
    let config = format!(
        "# leafseal test\nbackends:\n  postgres:\n    - connection_string: \"{}\"\n",
        pg.conn()
    );
    let (sb, cfg) = setup(&config);
    let file = sb.path("s.enc.yaml");
    let file = file.to_str().unwrap();
    let me = user_name();

    let out = audited(&sb, &cfg).args(["decrypt", "s.enc.yaml"]).run();
    out.assert_success();
    assert_eq!(out.stdout_str(), PLAIN);
    assert_eq!(pg.rows(), vec![format!("decrypt|{me}|{file}")]);

    // Every decrypting command goes through the same hook: one row each.
    audited(&sb, &cfg)
        .args(["decrypt", "--extract", "[\"user\"]", "s.enc.yaml"])
        .run()
        .assert_success();
    audited(&sb, &cfg)
        .args(["exec-env", "s.enc.yaml", "true"])
        .run()
        .assert_success();
    audited(&sb, &cfg)
        .args(["exec-file", "s.enc.yaml", "true"])
        .run()
        .assert_success();
    let rows = pg.rows();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(
        rows.iter().all(|r| *r == format!("decrypt|{me}|{file}")),
        "{rows:?}"
    );

    // Standard input is named `-`.
    audited(&sb, &cfg)
        .args(["decrypt", "--input-type", "yaml", "--output-type", "yaml"])
        .stdin(sb.read("s.enc.yaml"))
        .run()
        .assert_success();
    assert_eq!(pg.rows().last().unwrap(), &format!("decrypt|{me}|-"));

    // The git diff driver decrypts too; so does each file of a many-file decrypt (the pool's
    // threads each name their own file).
    audited(&sb, &cfg)
        .args(["diff-driver", "s.enc.yaml"])
        .run()
        .assert_success();
    assert_eq!(pg.rows().last().unwrap(), &format!("decrypt|{me}|{file}"));
    sb.write("more/t.enc.yaml", sb.read("s.enc.yaml"));
    let before = pg.rows().len();
    audited(&sb, &cfg)
        .args(["decrypt", "--output-dir", "out", "s.enc.yaml", "more"])
        .run()
        .assert_success();
    let mut rows = pg.rows()[before..].to_vec();
    rows.sort();
    let other = sb.path("more/t.enc.yaml");
    assert_eq!(
        rows,
        [
            format!("decrypt|{me}|{}", other.display()),
            format!("decrypt|{me}|{file}")
        ]
    );

    // The merge driver opens three versions: three rows, all naming the merged file (%P).
    for v in ["o.tmp", "a.tmp", "b.tmp"] {
        sb.write(v, sb.read("s.enc.yaml"));
    }
    let before = pg.rows().len();
    audited(&sb, &cfg)
        .current_dir(sb.root())
        .args(["merge-driver", "o.tmp", "a.tmp", "b.tmp", "s.enc.yaml"])
        .run()
        .assert_success();
    assert_eq!(
        pg.rows()[before..],
        [
            format!("decrypt|{me}|{file}"),
            format!("decrypt|{me}|{file}"),
            format!("decrypt|{me}|{file}")
        ]
    );

    // No key, no decryption, no row (SOPS records after the data key is recovered).
    let before = pg.rows().len();
    sb.leafseal()
        .env("LEAFSEAL_AUDIT_CONFIG", &cfg)
        .env("SOPS_AGE_KEY_FILE", sb.path("none.txt"))
        .args(["decrypt", "s.enc.yaml"])
        .run()
        .assert_code(128);
    assert_eq!(pg.rows().len(), before);

    // set: decrypt then encrypt, as SOPS's Tree.Decrypt and Tree.Encrypt submit them.
    audited(&sb, &cfg)
        .args(["set", "s.enc.yaml", "[\"user\"]", "\"other\""])
        .run()
        .assert_success();
    let rows = pg.rows();
    assert_eq!(
        rows[rows.len() - 2..],
        [
            format!("decrypt|{me}|{file}"),
            format!("encrypt|{me}|{file}")
        ]
    );

    // rotate: decrypt, rotate, encrypt; edit that changes the file: decrypt, encrypt.
    let before = pg.rows().len();
    audited(&sb, &cfg)
        .args(["rotate", "-i", "s.enc.yaml"])
        .run()
        .assert_success();
    let script = sb.write("ed.sh", "#!/bin/sh\necho 'new: 1' >> \"$1\"\n");
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    audited(&sb, &cfg)
        .env("EDITOR", &script)
        .args(["edit", "s.enc.yaml"])
        .run()
        .assert_success();
    let actions: Vec<String> = pg.rows()[before..]
        .iter()
        .map(|r| r.split('|').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        ["decrypt", "rotate", "encrypt", "decrypt", "encrypt"],
        "{:?}",
        pg.rows()
    );
}

#[test]
fn an_unreachable_database_blocks_by_default_and_only_warns_when_configured() {
    let port = free_port(); // nothing listens there
    let conn = format!("postgres://sops:s3cr3t-pw@127.0.0.1:{port}/audit?sslmode=disable");
    let (sb, cfg) = setup(&format!(
        "backends:\n  postgres:\n    - connection_string: \"{conn}\"\n"
    ));
    let out = audited(&sb, &cfg).args(["decrypt", "s.enc.yaml"]).run();
    // sops-compat: SOPS exits 1 (log.Fatal) when it cannot reach or write the database.
    out.assert_code(1);
    assert!(out.stdout.is_empty(), "no plaintext: {}", out.describe());
    out.assert_leafseal_one_line_error("audit.yaml");
    out.assert_stderr_contains("backends.postgres[0]");
    out.assert_stderr_contains("s.enc.yaml");
    assert!(
        !out.stderr_str().contains("s3cr3t-pw"),
        "{}",
        out.describe()
    );

    sb.write(
        "audit.yaml",
        format!("on_failure: warn\nbackends:\n  postgres:\n    - connection_string: \"{conn}\"\n"),
    );
    let out = audited(&sb, &cfg).args(["decrypt", "s.enc.yaml"]).run();
    out.assert_success();
    assert_eq!(out.stdout_str(), PLAIN);
    out.assert_stderr_contains("leafseal: warning: ");
    out.assert_stderr_contains("cannot record the decrypt of");
    assert!(
        !out.stderr_str().contains("s3cr3t-pw"),
        "{}",
        out.describe()
    );

    // Several files: connecting is tried once per run, not once per file.
    sb.write("t.enc.yaml", sb.read("s.enc.yaml"));
    let out = audited(&sb, &cfg)
        .args(["decrypt", "--output-dir", "out", "s.enc.yaml", "t.enc.yaml"])
        .run();
    out.assert_success();
    let err = out.stderr_str();
    assert_eq!(
        err.matches("cannot record the decrypt of").count(),
        2,
        "{err}"
    );
    assert_eq!(err.matches("not retried in this run").count(), 1, "{err}");
}

#[test]
fn a_missing_named_or_broken_configuration_is_an_error_and_no_backend_is_no_audit() {
    let (sb, cfg) = setup("backends:\n  postgres: []\n");
    audited(&sb, &cfg)
        .args(["decrypt", "s.enc.yaml"])
        .run()
        .assert_success();

    let missing = sb.path("nope.yaml");
    let out = audited(&sb, &missing).args(["decrypt", "s.enc.yaml"]).run();
    out.assert_code(1);
    out.assert_leafseal_one_line_error("nope.yaml");
    assert!(out.stdout.is_empty());

    sb.write(
        "audit.yaml",
        "backends:\n  postgres:\n    connection_string: x\n",
    );
    let out = audited(&sb, &cfg).args(["decrypt", "s.enc.yaml"]).run();
    out.assert_code(1);
    out.assert_leafseal_one_line_error("backends.postgres");
}

#[test]
fn tls_is_required_by_default_and_the_server_certificate_is_verified() {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca = |name: &str| {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        let cert = p.self_signed(&key).unwrap();
        (cert.pem(), Issuer::new(p, key))
    };
    let (ca_pem, issuer) = ca("leafseal audit test CA");
    let (other_pem, _) = ca("someone else's CA");
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let Some(pg) = Pg::start_tls(&cert.pem(), &key.serialize_pem()) else {
        return;
    };
    // No sslmode: lib/pq's default, `require`.
    let conn = format!("postgres://sops:sops@127.0.0.1:{}/postgres", pg.port);
    let (sb, cfg) = setup(&format!(
        "backends:\n  postgres:\n    - connection_string: \"{conn}\"\n"
    ));
    let ca_file = sb.write("ca.pem", ca_pem);
    let other_file = sb.write("other.pem", other_pem);
    audited(&sb, &cfg)
        .env("SSL_CERT_FILE", &ca_file)
        .args(["decrypt", "s.enc.yaml"])
        .run()
        .assert_success();
    assert_eq!(pg.rows().len(), 1);

    let out = audited(&sb, &cfg)
        .env("SSL_CERT_FILE", &other_file)
        .args(["decrypt", "s.enc.yaml"])
        .run();
    out.assert_code(1);
    assert!(out.stdout.is_empty());
    out.assert_stderr_contains("certificate");
    assert_eq!(pg.rows().len(), 1);
}

#[test]
fn a_configuration_the_user_cannot_read_stops_the_decryption() {
    // Only root can make a file another user cannot read and then run leafseal as that user.
    if !rustix::process::geteuid().is_root() {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let (sb, cfg) = setup("backends:\n  postgres:\n    - connection_string: host=127.0.0.1\n");
    let key = sb.write(
        "key.txt",
        std::fs::read(AGE1.identity_file()).expect("test key"),
    );
    for (p, mode) in [
        (sb.root().to_path_buf(), 0o755),
        (key, 0o644),
        (sb.path("s.enc.yaml"), 0o644),
        (cfg.clone(), 0o600),
    ] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let setpriv = tools::on_path("setpriv").expect("setpriv (util-linux) is needed as root");
    let out = sb
        .cmd(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(crate::util::under_test())
        .env("LEAFSEAL_AUDIT_CONFIG", &cfg)
        .env("SOPS_AGE_KEY_FILE", sb.path("key.txt"))
        .args(["decrypt", "s.enc.yaml"])
        .run();
    out.assert_code(1);
    assert!(out.stdout.is_empty());
    out.assert_leafseal_one_line_error("audit.yaml");
    out.assert_stderr_contains("Permission denied");
}

/// `sops ARGS` with `/etc/sops/audit.yaml` holding `config`, without writing `/etc`: sops runs
/// in a private mount namespace (`unshare -m`) where a copy of `/etc` with the file added is
/// bind-mounted over `/etc`. `None` (after a loud note) when this is not root or the kernel
/// refuses a mount namespace.
fn sops_with_audit_config(sb: &Sandbox, sops: &Path, config: &Path, args: &[&str]) -> Option<Cmd> {
    if !rustix::process::geteuid().is_root() {
        eprintln!("SKIPPED: sops reads only /etc/sops/audit.yaml; the side-by-side run needs root for a private mount namespace");
        return None;
    }
    let unshare = tools::on_path("unshare")
        .or_else(|| tools::missing("unshare", "apt-get install util-linux"))?;
    let probe = Command::new(&unshare).args(["-m", "true"]).output().ok()?;
    if !probe.status.success() {
        eprintln!(
            "SKIPPED: no private mount namespace here (unshare -m: {})",
            String::from_utf8_lossy(&probe.stderr).trim()
        );
        return None;
    }
    let script = "set -e; cp -a /etc \"$AUDIT_ETC\"; mkdir -p \"$AUDIT_ETC/sops\"; \
                  cp \"$AUDIT_CFG\" \"$AUDIT_ETC/sops/audit.yaml\"; mount --bind \"$AUDIT_ETC\" /etc; \
                  exec \"$@\"";
    Some(
        sb.cmd(unshare)
            .args(["-m", "sh", "-c", script, "sh"])
            .arg(sops)
            .args(args)
            .env("AUDIT_ETC", sb.path("etc-copy"))
            .env("AUDIT_CFG", config)
            .age_identity(AGE1.identity_file()),
    )
}

#[test]
fn sops_and_leafseal_write_the_same_rows_into_one_database() {
    let Some(sops) = tools::sops() else { return };
    let Some(pg) = Pg::start() else { return };
    let config = format!(
        "backends:\n  postgres:\n    - connection_string: \"{}\"\n",
        pg.conn()
    );
    let (sb, cfg) = setup(&config);
    let file = sb.path("s.enc.yaml");
    let file = file.to_str().unwrap();
    let had_etc_sops = Path::new("/etc/sops").exists();
    let Some(cmd) = sops_with_audit_config(&sb, &sops, &cfg, &["decrypt", "s.enc.yaml"]) else {
        return;
    };
    let out = cmd.run();
    out.assert_success();
    assert_eq!(out.stdout_str(), PLAIN);
    assert_eq!(
        had_etc_sops,
        Path::new("/etc/sops").exists(),
        "the real /etc is untouched"
    );
    let out = audited(&sb, &cfg).args(["decrypt", "s.enc.yaml"]).run();
    out.assert_success();
    let rows = pg.rows();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0], rows[1], "sops' row, then leafseal's");
    assert_eq!(rows[0], format!("decrypt|{}|{file}", user_name()));

    // rotate: the same three events (sops submits `rotate` before `decrypt`).
    let cmd = sops_with_audit_config(&sb, &sops, &cfg, &["rotate", "-i", "s.enc.yaml"]).unwrap();
    cmd.run().assert_success();
    audited(&sb, &cfg)
        .args(["rotate", "-i", "s.enc.yaml"])
        .run()
        .assert_success();
    let actions: Vec<String> = pg.rows()[2..]
        .iter()
        .map(|r| r.split('|').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        ["rotate", "decrypt", "encrypt", "decrypt", "rotate", "encrypt"]
    );
}

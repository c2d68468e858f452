use super::*;

fn cfg(text: &str) -> std::result::Result<AuditConfig, String> {
    parse_config(text, Path::new("/etc/sops/audit.yaml"))
}

#[test]
fn sops_shape_is_read() {
    let c = cfg("backends:\n  postgres:\n    - connection_string: \"postgres://sops:sops@db/sops?sslmode=disable\"\n    - connection_string: host=other\n").unwrap();
    assert_eq!(c.postgres.len(), 2);
    assert_eq!(c.on_failure, OnFailure::Block);
    assert_eq!(c.postgres[1].conn.as_str(), "host=other");
}

#[test]
fn empty_and_unknown_keys_mean_no_backend() {
    assert!(cfg("").unwrap().postgres.is_empty());
    assert!(cfg("other: 1\nbackends:\n").unwrap().postgres.is_empty());
    assert!(cfg("backends:\n  mysql: []\n").unwrap().postgres.is_empty());
}

#[test]
fn on_failure_is_block_or_warn() {
    assert_eq!(
        cfg("on_failure: warn\n").unwrap().on_failure,
        OnFailure::Warn
    );
    assert_eq!(
        cfg("on_failure: block\n").unwrap().on_failure,
        OnFailure::Block
    );
    let e = cfg("on_failure: maybe\n").unwrap_err();
    assert!(e.contains("/etc/sops/audit.yaml: on_failure"), "{e}");
}

#[test]
fn wrong_shapes_name_the_field() {
    let e = cfg("backends:\n  postgres:\n    connection_string: x\n").unwrap_err();
    assert!(e.contains("backends.postgres: must be a list"), "{e}");
    let e = cfg("backends:\n  postgres:\n    - connection_string: [1]\n").unwrap_err();
    assert!(e.contains("backends.postgres[0].connection_string"), "{e}");
}

#[test]
fn connection_string_never_in_debug() {
    let c = cfg("backends:\n  postgres:\n    - connection_string: \"password=hunter2\"\n").unwrap();
    assert!(!format!("{c:?}").contains("hunter2"));
}

#[test]
fn lib_pq_defaults_and_modes() {
    use tokio_postgres::config::SslMode;
    let d = Duration::from_secs(2);
    let c = pg_config("host=127.0.0.1 user=sops", d).unwrap();
    assert_eq!(c.get_ssl_mode(), SslMode::Require);
    assert_eq!(c.get_connect_timeout(), Some(&d));
    let c = pg_config("postgres://u:p@127.0.0.1:5/db?sslmode=disable", d).unwrap();
    assert_eq!(c.get_ssl_mode(), SslMode::Disable);
    let c = pg_config("host=h sslmode=verify-full", d).unwrap();
    assert_eq!(c.get_ssl_mode(), SslMode::Require);
    let e = pg_config("host=h password=hunter2 bogus=1", d).unwrap_err();
    assert!(!e.contains("hunter2"), "{e}");
}

#[test]
fn passwd_lookup() {
    let p = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\n";
    assert_eq!(passwd_name(p, 0).as_deref(), Some("root"));
    assert_eq!(passwd_name(p, 65534).as_deref(), Some("nobody"));
    assert_eq!(passwd_name(p, 7), None);
}

#[test]
fn subject_is_absolute_or_stdin() {
    set_subject(Path::new("/x/../y/a.yaml"));
    assert_eq!(
        SUBJECT.with(|s| s.borrow().clone()).as_deref(),
        Some("/y/a.yaml")
    );
    set_subject(Path::new("-"));
    assert_eq!(SUBJECT.with(|s| s.borrow().clone()).as_deref(), Some("-"));
    set_subject(Path::new("rel.yaml"));
    let cwd = std::env::current_dir().unwrap().join("rel.yaml");
    assert_eq!(
        SUBJECT.with(|s| s.borrow().clone()).as_deref(),
        Some(cwd.to_str().unwrap())
    );
}

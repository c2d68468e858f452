//! Key services beyond SOPS (issue 18): mutual TLS with certificates made here (rcgen), a
//! service that never answers (the client's bound), and `--prompt`. The harness (servers
//! started and stopped by the test, bounded waits) is in `keyservice.rs`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::keyservice::{leafseal_server, remote_only, Addr, Server, PLAIN};
use crate::util::keys::AGE1;
use crate::util::Sandbox;

/// Certificates for one test: a CA, the server's, a client's from the CA and one from another.
struct Pki {
    ca: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
    rogue_cert: PathBuf,
    rogue_key: PathBuf,
}

fn pki(sb: &Sandbox) -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    };
    let ca = |name: &str| {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        let cert = p.self_signed(&key).unwrap();
        (cert, Issuer::new(p, key))
    };
    let leaf = |issuer: &Issuer<'_, KeyPair>, sans: &[&str], usage| {
        let key = KeyPair::generate().unwrap();
        let mut p =
            CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        p.extended_key_usages = vec![usage];
        let cert = p.signed_by(&key, issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    };
    let (ca_cert, ca_issuer) = ca("leafseal test CA");
    let (_, other_issuer) = ca("someone else's CA");
    let (sc, sk) = leaf(
        &ca_issuer,
        &["127.0.0.1", "localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (cc, ck) = leaf(&ca_issuer, &["client"], ExtendedKeyUsagePurpose::ClientAuth);
    let (rc, rk) = leaf(
        &other_issuer,
        &["client"],
        ExtendedKeyUsagePurpose::ClientAuth,
    );
    Pki {
        ca: sb.write("pki/ca.pem", ca_cert.pem()),
        server_cert: sb.write("pki/server.pem", sc),
        server_key: sb.write("pki/server.key", sk),
        client_cert: sb.write("pki/client.pem", cc),
        client_key: sb.write("pki/client.key", ck),
        rogue_cert: sb.write("pki/rogue.pem", rc),
        rogue_key: sb.write("pki/rogue.key", rk),
    }
}

#[test]
fn mutual_tls_serves_certified_clients_and_refuses_others() {
    let sb = Sandbox::new();
    let pki = pki(&sb);
    sb.write("plain.yaml", PLAIN);
    let o = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("s.enc.yaml", &o.stdout);
    let addr = Addr::tcp();
    let server = leafseal_server(
        &sb,
        &addr,
        &AGE1.identity_file(),
        &[
            "--tls-cert",
            pki.server_cert.to_str().unwrap(),
            "--tls-key",
            pki.server_key.to_str().unwrap(),
            "--tls-client-ca",
            pki.ca.to_str().unwrap(),
        ],
        "tls.log",
    );
    let Addr::Tcp(port) = addr else {
        unreachable!()
    };
    let tls_uri = format!("tls://127.0.0.1:{port}");
    let client = |cert: Option<(&Path, &Path)>| {
        let mut c = remote_only(sb.leafseal(), std::slice::from_ref(&tls_uri))
            .env("LEAFSEAL_KEYSERVICE_TIMEOUT", "10")
            .arg("--keyservice-ca")
            .arg(&pki.ca);
        if let Some((cert, key)) = cert {
            c = c
                .arg("--keyservice-cert")
                .arg(cert)
                .arg("--keyservice-key")
                .arg(key);
        }
        c.args(["decrypt", "s.enc.yaml"]).run()
    };
    // A certificate from the CA: served.
    let o = client(Some((&pki.client_cert, &pki.client_key)));
    o.assert_success();
    assert_eq!(o.stdout_str(), PLAIN);
    // The same through the environment variables.
    let o = remote_only(sb.leafseal(), std::slice::from_ref(&tls_uri))
        .env("LEAFSEAL_KEYSERVICE_CA", &pki.ca)
        .env("LEAFSEAL_KEYSERVICE_CERT", &pki.client_cert)
        .env("LEAFSEAL_KEYSERVICE_KEY", &pki.client_key)
        .args(["decrypt", "s.enc.yaml"])
        .run();
    o.assert_success();
    // No certificate, or one from another CA: refused, naming the service.
    for (what, o) in [
        ("no client certificate", client(None)),
        (
            "a certificate from another CA",
            client(Some((&pki.rogue_cert, &pki.rogue_key))),
        ),
    ] {
        assert_eq!(o.code, 128, "{what}: {}", o.stderr_str());
        assert!(
            o.stderr_str().contains(&tls_uri),
            "{what}: {}",
            o.stderr_str()
        );
        assert!(!o.stdout_str().contains("hunter2"), "{what}");
        assert!(
            o.stderr_str().contains("--keyservice-cert"),
            "{what}: {}",
            o.stderr_str()
        );
    }
    // Plain h2c to the TLS server gets nothing either.
    let o = remote_only(sb.leafseal(), &[format!("tcp://127.0.0.1:{port}")])
        .env("LEAFSEAL_KEYSERVICE_TIMEOUT", "5")
        .args(["decrypt", "s.enc.yaml"])
        .run();
    assert_eq!(o.code, 128, "{}", o.stderr_str());
    // Only the certified client's request reached the keys.
    let log = server.log_text();
    assert_eq!(log.matches("decrypt request for").count(), 2, "{log}");
}

#[test]
fn a_service_that_never_answers_fails_within_the_bound() {
    let sb = Sandbox::new();
    sb.write("plain.yaml", PLAIN);
    let o = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("s.enc.yaml", &o.stdout);
    // Listeners that accept connections and never say a word.
    let tcp = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = tcp.local_addr().expect("addr").port();
    let sock = sb.path("mute.sock");
    let unix = std::os::unix::net::UnixListener::bind(&sock).expect("bind unix");
    std::thread::spawn(move || {
        let held: Vec<_> = tcp.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    std::thread::spawn(move || {
        let held: Vec<_> = unix.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    for uri in [
        format!("tcp://127.0.0.1:{port}"),
        format!("unix://{}", sock.display()),
    ] {
        let start = Instant::now();
        let o = remote_only(sb.leafseal(), std::slice::from_ref(&uri))
            .env("LEAFSEAL_KEYSERVICE_TIMEOUT", "1.5")
            .args(["decrypt", "s.enc.yaml"])
            .run();
        let took = start.elapsed();
        assert_eq!(o.code, 128, "{}", o.stderr_str());
        let err = o.stderr_str();
        assert!(err.contains(&uri), "{err}");
        assert!(err.contains(AGE1.recipient), "{err}");
        assert!(err.contains("LEAFSEAL_KEYSERVICE_TIMEOUT"), "{err}");
        assert!(took < Duration::from_secs(10), "took {took:?}");
    }
}

#[test]
fn prompt_lets_the_operator_refuse_a_request() {
    let sb = Sandbox::new();
    sb.write("plain.yaml", PLAIN);
    let o = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("s.enc.yaml", &o.stdout);
    let addr = Addr::unix(&sb, "p.sock");
    let cmd = sb
        .leafseal()
        .arg("keyservice")
        .args(addr.server_args())
        .arg("--prompt")
        .age_identity(AGE1.identity_file())
        .stdin("n\ny\n");
    let server = Server::start(cmd, &addr, sb.path("p.log"));
    let uris = [addr.uri()];
    let o = remote_only(sb.leafseal(), &uris)
        .args(["decrypt", "s.enc.yaml"])
        .run();
    assert_eq!(o.code, 128, "{}", o.stderr_str());
    assert!(o.stderr_str().contains("rejected"), "{}", o.stderr_str());
    let o = remote_only(sb.leafseal(), &uris)
        .args(["decrypt", "s.enc.yaml"])
        .run();
    o.assert_success();
    assert_eq!(o.stdout_str(), PLAIN);
    let log = server.log_text();
    assert!(log.contains("rejected by the operator"), "{log}");
}

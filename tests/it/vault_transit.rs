//! HashiCorp Vault / OpenBao transit master keys against the fake transit server of
//! `tests/fakes/cloud_kms.py` on 127.0.0.1 (token checked, answers shaped as Vault's; the fake
//! itself is checked against the `hvac` client), with the reference sops on the same server in
//! both directions: the address is in the file, the token in `VAULT_TOKEN`.

use std::time::{Duration, Instant};

use crate::fakes::{closed_port, python_with, silent_server, Fake};
use crate::util::keys::AGE1;
use crate::util::{manifest_dir, tools, Cmd, Sandbox};

const PLAIN: &str = "db:\n    user: app\n    password: hunter2\nport: 5432\n";
const TOKEN: &str = "s.leafseal-test-token";

fn vault() -> Option<Fake> {
    Fake::start(
        "vault",
        &[
            "--token",
            TOKEN,
            "--mount",
            "transit",
            "--mount",
            "team/sops",
        ],
    )
}

fn uri(v: &Fake, engine: &str, key: &str) -> String {
    format!("{}/v1/{engine}/keys/{key}", v.url())
}

fn with_token(cmd: Cmd) -> Cmd {
    cmd.env("VAULT_TOKEN", TOKEN)
}

fn encrypt(sb: &Sandbox, cmd: Cmd, args: &[&str], out: &str) {
    sb.write("plain.yaml", PLAIN);
    let o = cmd.arg("encrypt").args(args).arg("plain.yaml").run();
    o.assert_success();
    sb.write(out, &o.stdout);
}

fn decrypt_ok(cmd: Cmd, name: &str) {
    let o = cmd.arg("decrypt").arg(name).run();
    o.assert_success();
    assert_eq!(o.stdout_str(), PLAIN, "decrypted text differs");
}

#[test]
fn vault_transit_both_ways_with_reference_sops() {
    let Some(sops) = tools::sops() else { return };
    let Some(v) = vault() else { return };
    let sb = Sandbox::new();
    let k1 = uri(&v, "transit", "first");
    let k2 = uri(&v, "team/sops", "second");

    // leafseal → sops: two keys, one under a nested engine path.
    encrypt(
        &sb,
        with_token(sb.leafseal()),
        &["--hc-vault-transit", &format!("{k1},{k2}")],
        "l.enc.yaml",
    );
    let text = sb.read_string("l.enc.yaml");
    assert!(text.contains("    hc_vault:\n"), "{text}");
    assert!(text.contains("vault_address: http://127.0.0.1:"), "{text}");
    assert!(text.contains("engine_path: team/sops"), "{text}");
    assert!(text.contains("enc: vault:v1:"), "{text}");
    let created = text.find("created_at").unwrap();
    assert!(
        created < text.find("vault_address").unwrap(),
        "fields sorted"
    );
    decrypt_ok(with_token(sb.cmd(&sops)), "l.enc.yaml");
    // The token from ~/.vault-token alone, for both tools.
    std::fs::write(sb.home().join(".vault-token"), format!("{TOKEN}\n")).unwrap();
    decrypt_ok(sb.leafseal().env_remove("VAULT_TOKEN"), "l.enc.yaml");
    decrypt_ok(sb.cmd(&sops).env_remove("VAULT_TOKEN"), "l.enc.yaml");

    // sops → leafseal, through SOPS_VAULT_URIS.
    encrypt(
        &sb,
        with_token(sb.cmd(&sops)).env("SOPS_VAULT_URIS", &k2),
        &[],
        "s.enc.yaml",
    );
    decrypt_ok(with_token(sb.leafseal()), "s.enc.yaml");
    // A creation rule's `hc_vault_transit_uri`, for both tools.
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - hc_vault_transit_uri: '{k1},{k2}'\n"),
    );
    encrypt(&sb, with_token(sb.leafseal()), &[], "rule-l.enc.yaml");
    assert!(sb
        .read_string("rule-l.enc.yaml")
        .contains("key_name: second"));
    decrypt_ok(with_token(sb.cmd(&sops)), "rule-l.enc.yaml");
    encrypt(&sb, with_token(sb.cmd(&sops)), &[], "rule-s.enc.yaml");
    decrypt_ok(with_token(sb.leafseal()), "rule-s.enc.yaml");
    std::fs::remove_file(sb.path(".sops.yaml")).unwrap();
    // Every format's flattening (dotenv, JSON) holds the same entry.
    sb.write("plain.env", "A=1\nB=two\n");
    let o = with_token(sb.leafseal())
        .args(["encrypt", "--hc-vault-transit", &k1, "plain.env"])
        .run();
    o.assert_success();
    assert!(o
        .stdout_str()
        .contains("sops_hc_vault__list_0__map_key_name=first"));
    sb.write("l.env", &o.stdout);
    let o = with_token(sb.cmd(&sops)).args(["decrypt", "l.env"]).run();
    o.assert_success();
    assert_eq!(o.stdout_str(), "A=1\nB=two\n");
}

#[test]
fn vault_key_groups_shamir_rotate_updatekeys() {
    let Some(sops) = tools::sops() else { return };
    let Some(v) = vault() else { return };
    let sb = Sandbox::new();
    let k1 = uri(&v, "transit", "g1");
    let k2 = uri(&v, "transit", "g2");
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - hc_vault: ['{k1}']\n      - age: ['{}']\n",
            AGE1.recipient
        ),
    );
    encrypt(&sb, with_token(sb.leafseal()), &[], "g.enc.yaml");
    let both = |c: Cmd| with_token(c).age_identity(AGE1.identity_file());
    decrypt_ok(both(sb.cmd(&sops)), "g.enc.yaml");
    decrypt_ok(both(sb.leafseal()), "g.enc.yaml");
    // One group is not enough: the report names the Vault key.
    let o = sb
        .leafseal()
        .age_identity(AGE1.identity_file())
        .env("VAULT_TOKEN", "wrong")
        .args(["decrypt", "g.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains(&k1);

    // rotate keeps both groups openable.
    both(sb.leafseal())
        .args(["rotate", "-i", "g.enc.yaml"])
        .run()
        .assert_success();
    decrypt_ok(both(sb.cmd(&sops)), "g.enc.yaml");

    // updatekeys to a second Vault key in the first group.
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - hc_vault: ['{k1}', '{k2}']\n      - age: ['{}']\n",
            AGE1.recipient
        ),
    );
    both(sb.leafseal())
        .args(["updatekeys", "-y", "g.enc.yaml"])
        .run()
        .assert_success();
    let text = sb.read_string("g.enc.yaml");
    assert!(text.contains("key_name: g2"), "{text}");
    decrypt_ok(both(sb.cmd(&sops)), "g.enc.yaml");

    // rotate --add/--rm, then groups add with a Vault key.
    encrypt(
        &sb,
        with_token(sb.leafseal()),
        &["--hc-vault-transit", &k1],
        "r.enc.yaml",
    );
    with_token(sb.leafseal())
        .args([
            "rotate",
            "-i",
            "--add-hc-vault-transit",
            &k2,
            "--rm-hc-vault-transit",
            &k1,
            "r.enc.yaml",
        ])
        .run()
        .assert_success();
    let text = sb.read_string("r.enc.yaml");
    assert!(
        text.contains("key_name: g2") && !text.contains("key_name: g1"),
        "{text}"
    );
    decrypt_ok(with_token(sb.cmd(&sops)), "r.enc.yaml");
    with_token(sb.leafseal())
        .args([
            "groups",
            "add",
            "-i",
            "-f",
            "r.enc.yaml",
            "--hc-vault-transit",
            &k1,
        ])
        .run()
        .assert_success();
    let text = sb.read_string("r.enc.yaml");
    assert!(
        text.contains("key_groups:") && text.contains("key_name: g1"),
        "{text}"
    );
    decrypt_ok(with_token(sb.cmd(&sops)), "r.enc.yaml");
    decrypt_ok(with_token(sb.leafseal()), "r.enc.yaml");
}

#[test]
fn vault_denied_unreachable_or_without_token_fails_fast_naming_the_key() {
    let Some(v) = vault() else { return };
    let sb = Sandbox::new();
    let k1 = uri(&v, "transit", "k");
    encrypt(
        &sb,
        with_token(sb.leafseal()),
        &["--hc-vault-transit", &k1],
        "v.enc.yaml",
    );
    let check = |cmd: Cmd, file: &str, needles: &[&str]| {
        let start = Instant::now();
        let o = cmd.args(["decrypt", file]).run();
        let took = start.elapsed();
        o.assert_code(128);
        for n in needles {
            o.assert_stderr_contains(n);
        }
        assert!(took < Duration::from_secs(5), "took {took:?}");
    };
    // A wrong token: Vault's 403.
    check(
        sb.leafseal().env("VAULT_TOKEN", "nope"),
        "v.enc.yaml",
        &[&k1, "HTTP 403", "permission denied"],
    );
    // No token anywhere.
    check(sb.leafseal(), "v.enc.yaml", &[&k1, "no Vault token"]);
    // The allowlist refuses the address.
    check(
        with_token(sb.leafseal()).env("SOPS_HC_VAULT_ALLOWLIST", "https://vault.example.com"),
        "v.enc.yaml",
        &["SOPS_HC_VAULT_ALLOWLIST"],
    );
    with_token(sb.leafseal())
        .env("SOPS_HC_VAULT_ALLOWLIST", v.url())
        .args(["decrypt", "v.enc.yaml"])
        .run()
        .assert_success();
    // Nobody listening.
    let dead = sb
        .read_string("v.enc.yaml")
        .replace(&v.url(), &format!("http://127.0.0.1:{}", closed_port()));
    sb.write("dead.enc.yaml", dead);
    check(
        with_token(sb.leafseal()),
        "dead.enc.yaml",
        &["cannot reach", "connection refused"],
    );
    // A server that never answers: the total limit.
    let (_hold, port) = silent_server();
    let silent = sb
        .read_string("v.enc.yaml")
        .replace(&v.url(), &format!("http://127.0.0.1:{port}"));
    sb.write("silent.enc.yaml", silent);
    check(
        with_token(sb.leafseal()).env("LEAFSEAL_KMS_TIMEOUT", "1"),
        "silent.enc.yaml",
        &["timed out after 1s"],
    );
    // Encrypting with a wrong token fails the same way.
    let o = sb
        .leafseal()
        .env("VAULT_TOKEN", "nope")
        .args(["encrypt", "--hc-vault-transit", &k1, "plain.yaml"])
        .run();
    o.assert_failure();
    o.assert_stderr_contains("permission denied");
}

/// The fake answers as Vault does for its official Python client (`hvac`).
#[test]
fn vault_fake_matches_hvac() {
    let Some(py) = python_with("hvac", "hvac") else {
        return;
    };
    let Some(v) = vault() else { return };
    let script = format!(
        r#"
import base64, hvac, sys
c = hvac.Client(url={url:?}, token={token:?})
assert c.is_authenticated()
ct = c.secrets.transit.encrypt_data(name="k", plaintext=base64.b64encode(b"x" * 32).decode(), mount_point="team/sops")["data"]["ciphertext"]
assert ct.startswith("vault:v1:"), ct
pt = c.secrets.transit.decrypt_data(name="k", ciphertext=ct, mount_point="team/sops")["data"]["plaintext"]
assert base64.b64decode(pt) == b"x" * 32
for bad, exc in [(dict(name="k", ciphertext=ct[:-4] + "AAAA", mount_point="team/sops"), hvac.exceptions.InvalidRequest),
                 (dict(name="other", ciphertext=ct, mount_point="team/sops"), hvac.exceptions.InvalidRequest),
                 (dict(name="k", ciphertext=ct, mount_point="nope"), hvac.exceptions.InvalidPath)]:
    try:
        c.secrets.transit.decrypt_data(**bad)
        sys.exit("no error for %r" % bad)
    except exc:
        pass
try:
    hvac.Client(url={url:?}, token="wrong").secrets.transit.encrypt_data(name="k", plaintext="eA==")
    sys.exit("wrong token accepted")
except hvac.exceptions.Forbidden:
    pass
print("ok")
"#,
        url = v.url(),
        token = TOKEN
    );
    let out = std::process::Command::new(&py)
        .args(["-c", &script])
        .current_dir(manifest_dir())
        .output()
        .expect("run hvac check");
    assert!(
        out.status.success(),
        "hvac check failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `VAULT_NAMESPACE`, and HTTPS with `VAULT_CACERT`, `SSL_CERT_FILE` or `VAULT_SKIP_VERIFY`,
/// for both tools.
#[test]
fn vault_namespace_and_tls_settings() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let dir = sb.path("tls");
    let Some(v) = Fake::start(
        "vault",
        &[
            "--token",
            TOKEN,
            "--namespace",
            "team",
            "--tls",
            dir.to_str().unwrap(),
        ],
    ) else {
        return;
    };
    let ca = dir.join("ca.pem");
    let k = format!("https://localhost:{}/v1/transit/keys/k", v.port);
    let ns = |c: Cmd| with_token(c).env("VAULT_NAMESPACE", "team");
    encrypt(
        &sb,
        ns(sb.leafseal()).env("VAULT_CACERT", &ca),
        &["--hc-vault-transit", &k],
        "t.enc.yaml",
    );
    decrypt_ok(ns(sb.cmd(&sops)).env("VAULT_CACERT", &ca), "t.enc.yaml");
    encrypt(
        &sb,
        ns(sb.cmd(&sops)).env("VAULT_CACERT", &ca),
        &["--hc-vault-transit", &k],
        "s.enc.yaml",
    );
    decrypt_ok(ns(sb.leafseal()).env("SSL_CERT_FILE", &ca), "s.enc.yaml");
    decrypt_ok(
        ns(sb.leafseal()).env("VAULT_SKIP_VERIFY", "true"),
        "s.enc.yaml",
    );
    // Without the namespace, or without trusting the CA, the server refuses or is refused.
    let o = with_token(sb.leafseal())
        .env("VAULT_CACERT", &ca)
        .args(["decrypt", "s.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains("HTTP 403");
    let o = ns(sb.leafseal()).args(["decrypt", "s.enc.yaml"]).run();
    o.assert_code(128);
    o.assert_stderr_contains(&k);
    o.assert_stderr_contains("not trusted: add its CA");
}

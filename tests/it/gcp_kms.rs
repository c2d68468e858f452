//! GCP KMS master keys against the fake of `tests/fakes/cloud_kms.py gcp` (KMS REST, the OAuth
//! token endpoint checking service-account RS256 assertions and refresh tokens, the GCE
//! metadata server), all on 127.0.0.1. The fake serves HTTPS with a test CA made at start-up
//! (`SSL_CERT_FILE`) under the name cloudkms.googleapis.com, and both tools reach it as they
//! would reach Google: through `HTTPS_PROXY`, a CONNECT proxy that only dials the fake. The
//! reference sops uses its REST client there (`SOPS_GCP_KMS_CLIENT_TYPE=rest`), and its default
//! gRPC client against the fake's gRPC service through a second proxy (this sops build has no
//! `SOPS_GCP_KMS_ENDPOINT`, so a proxy is the only way to point it at a fake).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::fakes::{closed_port, python_with, silent_server, Fake};
use crate::util::keys::AGE1;
use crate::util::{manifest_dir, tools, Cmd, Sandbox};

const PLAIN: &str = "db:\n    user: app\n    password: hunter2\nport: 5432\n";
const K1: &str = "projects/leafseal-test/locations/global/keyRings/ring/cryptoKeys/one";
const K2: &str = "projects/leafseal-test/locations/europe-west1/keyRings/ring/cryptoKeys/two";
const DENIED: &str = "projects/leafseal-test/locations/global/keyRings/ring/cryptoKeys/denied";
const TOKEN: &str = "ya29.leafseal-static-token";

/// The HTTPS fake, its proxy and the directory of its CA and credential files.
struct Gcp {
    kms: Fake,
    proxy: Fake,
    dir: PathBuf,
}

impl Gcp {
    fn start(sb: &Sandbox, extra: &[&str]) -> Option<Gcp> {
        let dir = sb.path("gcp");
        let d = dir.to_str().unwrap().to_owned();
        let mut args = vec![
            "--dir", &d, "--tls", "--token", TOKEN, "--key", K1, "--key", K2,
        ];
        args.extend_from_slice(extra);
        let kms = Fake::start("gcp", &args)?;
        let to = kms.port.to_string();
        let proxy = Fake::start("proxy", &["--to", &to])?;
        Some(Gcp { kms, proxy, dir })
    }

    /// The network environment both tools need (no credentials).
    fn net(&self, cmd: Cmd) -> Cmd {
        cmd.env(
            "HTTPS_PROXY",
            format!("http://127.0.0.1:{}", self.proxy.port),
        )
        .env("SSL_CERT_FILE", self.dir.join("ca.pem"))
        .env("SOPS_GCP_KMS_CLIENT_TYPE", "rest")
        // Never the real metadata server.
        .env("GCE_METADATA_HOST", format!("127.0.0.1:{}", closed_port()))
    }

    fn token(&self, cmd: Cmd) -> Cmd {
        self.net(cmd).env("GOOGLE_OAUTH_ACCESS_TOKEN", TOKEN)
    }

    fn tunnels(&self) -> usize {
        self.proxy.lines.lock().unwrap().len()
    }
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
fn gcp_kms_both_ways_with_reference_sops_and_every_credential_kind() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let Some(g) = Gcp::start(&sb, &[]) else {
        return;
    };
    let sa = g.dir.join("sa.json");
    let adc = g.dir.join("adc.json");

    // leafseal → sops (static access token; sops with a service-account file).
    encrypt(
        &sb,
        g.token(sb.leafseal()),
        &["--gcp-kms", &format!("{K1}, {K2}")],
        "l.enc.yaml",
    );
    assert!(g.tunnels() >= 1, "leafseal did not go through HTTPS_PROXY");
    let text = sb.read_string("l.enc.yaml");
    assert!(
        text.contains("    gcp_kms:\n        - created_at: "),
        "{text}"
    );
    assert!(text.contains(&format!("resource_id: {K2}")), "{text}");
    decrypt_ok(
        g.net(sb.cmd(&sops)).env("GOOGLE_CREDENTIALS", &sa),
        "l.enc.yaml",
    );

    // sops → leafseal (sops with application default credentials of an authorized user).
    encrypt(
        &sb,
        g.net(sb.cmd(&sops))
            .env("GOOGLE_APPLICATION_CREDENTIALS", &adc)
            .env("SOPS_GCP_KMS_IDS", K1),
        &[],
        "s.enc.yaml",
    );
    // GOOGLE_CREDENTIALS as a path and as the JSON itself (service account, RS256 assertion).
    decrypt_ok(
        g.net(sb.leafseal()).env("GOOGLE_CREDENTIALS", &sa),
        "s.enc.yaml",
    );
    let inline = std::fs::read_to_string(&sa).unwrap();
    decrypt_ok(
        g.net(sb.leafseal()).env("GOOGLE_CREDENTIALS", inline),
        "s.enc.yaml",
    );
    // GOOGLE_APPLICATION_CREDENTIALS, then gcloud's file in the home directory.
    decrypt_ok(
        g.net(sb.leafseal())
            .env("GOOGLE_APPLICATION_CREDENTIALS", &adc),
        "s.enc.yaml",
    );
    let gcloud = sb.home().join(".config/gcloud");
    std::fs::create_dir_all(&gcloud).unwrap();
    std::fs::copy(&adc, gcloud.join("application_default_credentials.json")).unwrap();
    decrypt_ok(g.net(sb.leafseal()), "s.enc.yaml");
    decrypt_ok(g.net(sb.cmd(&sops)), "l.enc.yaml");
    std::fs::remove_dir_all(&gcloud).unwrap();

    // A creation rule's `gcp_kms`, for both tools.
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - gcp_kms: '{K1},{K2}'\n"),
    );
    encrypt(&sb, g.token(sb.leafseal()), &[], "rule-l.enc.yaml");
    assert!(sb.read_string("rule-l.enc.yaml").contains(K2));
    decrypt_ok(g.token(sb.cmd(&sops)), "rule-l.enc.yaml");
    encrypt(&sb, g.token(sb.cmd(&sops)), &[], "rule-s.enc.yaml");
    decrypt_ok(g.token(sb.leafseal()), "rule-s.enc.yaml");
    std::fs::remove_file(sb.path(".sops.yaml")).unwrap();

    // The endpoint variable, straight to the fake without the proxy (leafseal only: this sops
    // build predates SOPS_GCP_KMS_ENDPOINT).
    decrypt_ok(
        g.token(sb.leafseal())
            .env_remove("HTTPS_PROXY")
            .env("SOPS_GCP_KMS_ENDPOINT", format!("127.0.0.1:{}", g.kms.port)),
        "s.enc.yaml",
    );
    // JSON and dotenv carry the same entry.
    sb.write("plain.env", "A=1\n");
    let o = g
        .token(sb.leafseal())
        .args(["encrypt", "--gcp-kms", K1, "plain.env"])
        .run();
    o.assert_success();
    assert!(o
        .stdout_str()
        .contains(&format!("sops_gcp_kms__list_0__map_resource_id={K1}")));
    sb.write("l.env", &o.stdout);
    let o = g.token(sb.cmd(&sops)).args(["decrypt", "l.env"]).run();
    o.assert_success();
    assert_eq!(o.stdout_str(), "A=1\n");
}

/// The reference sops with its default gRPC client, through a second proxy that dials the
/// fake's gRPC port; leafseal on REST through the first. One fake process, so one set of keys.
#[test]
fn gcp_kms_reference_sops_over_grpc_both_ways() {
    let Some(sops) = tools::sops() else { return };
    if python_with("grpc, google.cloud.kms", "google-cloud-kms").is_none() {
        return;
    }
    let sb = Sandbox::new();
    let Some(g) = Gcp::start(&sb, &["--grpc"]) else {
        return;
    };
    let grpc_port = g.kms.port_of("grpc").to_string();
    let Some(grpc_proxy) = Fake::start("proxy", &["--to", &grpc_port]) else {
        return;
    };
    let grpc = |c: Cmd| {
        g.token(c).env_remove("SOPS_GCP_KMS_CLIENT_TYPE").env(
            "HTTPS_PROXY",
            format!("http://127.0.0.1:{}", grpc_proxy.port),
        )
    };
    encrypt(
        &sb,
        g.token(sb.leafseal()),
        &["--gcp-kms", K1],
        "l.enc.yaml",
    );
    decrypt_ok(grpc(sb.cmd(&sops)), "l.enc.yaml");
    encrypt(&sb, grpc(sb.cmd(&sops)), &["--gcp-kms", K2], "s.enc.yaml");
    decrypt_ok(g.token(sb.leafseal()), "s.enc.yaml");
    assert!(
        grpc_proxy.lines.lock().unwrap().len() >= 2,
        "sops did not use the gRPC proxy"
    );
    // A key the token may not use: gRPC's PERMISSION_DENIED in sops, HTTP 403 in leafseal.
    let o = grpc(sb.cmd(&sops))
        .args(["encrypt", "--gcp-kms", DENIED, "plain.yaml"])
        .run();
    o.assert_failure();
    o.assert_stderr_contains("PermissionDenied");
}

#[test]
fn gcp_kms_groups_with_vault_and_age_shamir_rotate_updatekeys() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let Some(g) = Gcp::start(&sb, &[]) else {
        return;
    };
    let Some(v) = Fake::start("vault", &["--token", "vt"]) else {
        return;
    };
    let vk = format!("{}/v1/transit/keys/k", v.url());
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - gcp_kms: [{{resource_id: {K1}}}]\n      - hc_vault: ['{vk}']\n      - age: ['{}']\n",
            AGE1.recipient
        ),
    );
    let all = |c: Cmd| {
        g.token(c)
            .env("VAULT_TOKEN", "vt")
            .age_identity(AGE1.identity_file())
    };
    encrypt(&sb, all(sb.leafseal()), &[], "g.enc.yaml");
    decrypt_ok(all(sb.cmd(&sops)), "g.enc.yaml");
    // Any two groups: GCP and Vault, without age.
    decrypt_ok(
        g.token(sb.leafseal()).env("VAULT_TOKEN", "vt"),
        "g.enc.yaml",
    );
    // GCP alone is one group short; the report names the missing keys.
    let o = g.token(sb.leafseal()).args(["decrypt", "g.enc.yaml"]).run();
    o.assert_code(128);
    o.assert_stderr_contains(&vk);

    all(sb.leafseal())
        .args(["rotate", "-i", "g.enc.yaml"])
        .run()
        .assert_success();
    decrypt_ok(all(sb.cmd(&sops)), "g.enc.yaml");
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - gcp_kms: [{{resource_id: {K1}}}, {{resource_id: {K2}}}]\n      - hc_vault: ['{vk}']\n      - age: ['{}']\n",
            AGE1.recipient
        ),
    );
    all(sb.leafseal())
        .args(["updatekeys", "-y", "g.enc.yaml"])
        .run()
        .assert_success();
    assert!(sb.read_string("g.enc.yaml").contains(K2));
    decrypt_ok(all(sb.cmd(&sops)), "g.enc.yaml");

    // sops's key groups open in leafseal.
    encrypt(&sb, all(sb.cmd(&sops)), &[], "s.enc.yaml");
    decrypt_ok(all(sb.leafseal()), "s.enc.yaml");

    // rotate --add/--rm-gcp-kms and groups add --gcp-kms.
    encrypt(
        &sb,
        g.token(sb.leafseal()),
        &["--gcp-kms", K1],
        "r.enc.yaml",
    );
    g.token(sb.leafseal())
        .args([
            "rotate",
            "-i",
            "--add-gcp-kms",
            K2,
            "--rm-gcp-kms",
            K1,
            "r.enc.yaml",
        ])
        .run()
        .assert_success();
    let text = sb.read_string("r.enc.yaml");
    assert!(text.contains(K2) && !text.contains(K1), "{text}");
    g.token(sb.leafseal())
        .args(["groups", "add", "-i", "-f", "r.enc.yaml", "--gcp-kms", K1])
        .run()
        .assert_success();
    let text = sb.read_string("r.enc.yaml");
    assert!(text.contains("key_groups:") && text.contains(K1), "{text}");
    decrypt_ok(g.token(sb.cmd(&sops)), "r.enc.yaml");
}

#[test]
fn gcp_kms_boot_with_only_the_metadata_server() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let Some(g) = Gcp::start(&sb, &["--token", "gce-instance-token"]) else {
        return;
    };
    let d = sb.path("meta");
    let Some(meta) = Fake::start(
        "gcp",
        &[
            "--dir",
            d.to_str().unwrap(),
            "--metadata-token",
            "gce-instance-token",
        ],
    ) else {
        return;
    };
    encrypt(
        &sb,
        g.token(sb.leafseal()),
        &["--gcp-kms", K1],
        "b.enc.yaml",
    );
    // No credentials anywhere but the instance's metadata server.
    let boot = |c: Cmd| {
        g.net(c)
            .env("GCE_METADATA_HOST", format!("127.0.0.1:{}", meta.port))
    };
    decrypt_ok(boot(sb.leafseal()), "b.enc.yaml");
    decrypt_ok(boot(sb.cmd(&sops)), "b.enc.yaml");
    // exec-env, the usual boot-time use.
    sb.write("flat.yaml", "port: 5432\n");
    let o = g
        .token(sb.leafseal())
        .args(["encrypt", "--gcp-kms", K1, "flat.yaml"])
        .run();
    o.assert_success();
    sb.write("flat.enc.yaml", &o.stdout);
    let o = boot(sb.leafseal())
        .args(["exec-env", "flat.enc.yaml", "echo $port"])
        .run();
    o.assert_success();
    assert_eq!(o.stdout_str().trim(), "5432");
}

#[test]
fn gcp_kms_refusals_and_unreachable_services_fail_fast_naming_the_key() {
    let sb = Sandbox::new();
    let Some(g) = Gcp::start(&sb, &["--key", DENIED]) else {
        return;
    };
    encrypt(
        &sb,
        g.token(sb.leafseal()),
        &["--gcp-kms", K1],
        "f.enc.yaml",
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
    // A token the service does not accept.
    check(
        g.net(sb.leafseal())
            .env("GOOGLE_OAUTH_ACCESS_TOKEN", "expired"),
        "f.enc.yaml",
        &[K1, "UNAUTHENTICATED", "HTTP 401"],
    );
    // No credentials: nothing set, no metadata server listening.
    check(
        g.net(sb.leafseal()),
        "f.enc.yaml",
        &[
            K1,
            "no Google credentials found",
            "GOOGLE_CREDENTIALS (not set)",
        ],
    );
    // A metadata server that never answers: its own 1 s limit.
    let (_hold, port) = silent_server();
    check(
        g.net(sb.leafseal())
            .env("GCE_METADATA_HOST", format!("127.0.0.1:{port}")),
        "f.enc.yaml",
        &[K1, "no Google credentials found", "timed out"],
    );
    // A service account whose key the token endpoint does not know.
    let mut sa: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(g.dir.join("sa.json")).unwrap()).unwrap();
    sa["client_email"] = "someone-else@leafseal-test.iam.gserviceaccount.com".into();
    check(
        g.net(sb.leafseal())
            .env("GOOGLE_CREDENTIALS", sa.to_string()),
        "f.enc.yaml",
        &[K1, "invalid_grant"],
    );
    // The KMS endpoint is down, or silent.
    check(
        g.token(sb.leafseal()).env_remove("HTTPS_PROXY").env(
            "SOPS_GCP_KMS_ENDPOINT",
            format!("127.0.0.1:{}", closed_port()),
        ),
        "f.enc.yaml",
        &[K1, "cannot reach", "connection refused"],
    );
    check(
        g.token(sb.leafseal())
            .env_remove("HTTPS_PROXY")
            .env("LEAFSEAL_KMS_TIMEOUT", "1")
            .env("SOPS_GCP_KMS_ENDPOINT", format!("127.0.0.1:{port}")),
        "f.enc.yaml",
        &[K1, "timed out after 1s"],
    );
    // A key the credentials may not use.
    let o = g
        .token(sb.leafseal())
        .args([
            "encrypt",
            "--gcp-kms",
            DENIED.replace("denied", "other").as_str(),
            "plain.yaml",
        ])
        .run();
    o.assert_failure();
    o.assert_stderr_contains("PERMISSION_DENIED");
}

/// The fake answers as Cloud KMS does for Google's own Python client (`google-cloud-kms`, REST
/// transport, its default credentials from the fake's service-account file).
#[test]
fn gcp_fake_matches_google_cloud_kms() {
    let Some(py) = python_with("google.cloud.kms", "google-cloud-kms") else {
        return;
    };
    let sb = Sandbox::new();
    let Some(g) = Gcp::start(&sb, &[]) else {
        return;
    };
    let script = format!(
        r#"
import sys
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.cloud import kms
from google.oauth2 import service_account
creds = service_account.Credentials.from_service_account_file({sa:?}, scopes=["https://www.googleapis.com/auth/cloudkms"])
c = kms.KeyManagementServiceClient(credentials=creds, transport="rest", client_options=ClientOptions(api_endpoint="https://127.0.0.1:{port}"))
ct = c.encrypt(request={{"name": {k1:?}, "plaintext": b"x" * 32}}).ciphertext
assert c.decrypt(request={{"name": {k1:?}, "ciphertext": ct}}).plaintext == b"x" * 32
try:
    c.decrypt(request={{"name": {k2:?}, "ciphertext": ct}})
    sys.exit("another key opened the ciphertext")
except exceptions.BadRequest:  # INVALID_ARGUMENT, as Cloud KMS answers
    pass
try:
    c.encrypt(request={{"name": {k1:?}.replace("one", "nope"), "plaintext": b"x"}})
    sys.exit("no 403")
except exceptions.Forbidden:  # PERMISSION_DENIED
    pass
print("ok")
"#,
        sa = g.dir.join("sa.json").to_str().unwrap(),
        port = g.kms.port,
        k1 = K1,
        k2 = K2,
    );
    let out = std::process::Command::new(&py)
        .args(["-c", &script])
        .env("SSL_CERT_FILE", g.dir.join("ca.pem"))
        .env("REQUESTS_CA_BUNDLE", g.dir.join("ca.pem"))
        .current_dir(manifest_dir())
        .output()
        .expect("run google-cloud-kms check");
    assert!(
        out.status.success(),
        "google-cloud-kms check failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

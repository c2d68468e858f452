//! Azure Key Vault master keys against `tests/fakes/azure_kv.py`: an HTTPS vault with a CA made
//! per run (trusted through `SSL_CERT_FILE`), the 401 bearer challenge, real RSA-OAEP-256, an
//! Entra token endpoint and the managed-identity endpoints, all on 127.0.0.1. Both tools reach
//! the vault by its real-looking name `myvault.vault.azure.net` through the tests' CONNECT
//! proxy (`cloud_kms.py proxy`, as `HTTPS_PROXY`), so the Azure SDK's challenge-resource check
//! holds as in production.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::fakes::{closed_port, Fake};
use crate::util::keys::AGE1;
use crate::util::{tools, Cmd, Sandbox};

const PLAIN: &str = "db:\n    user: app\n    password: hunter2\nport: 5432\n";
const VAULT: &str = "https://myvault.vault.azure.net";
const KEY: &str = "https://myvault.vault.azure.net/keys/sops-key";
const TENANT: &str = "00000000-0000-0000-0000-00000000beef";
const CLIENT: &str = "11111111-2222-3333-4444-555555555555";

pub(crate) struct Azure {
    pub(crate) fake: Fake,
    /// The CONNECT proxy that takes the vault's real host name to the fake.
    proxy: Fake,
    pub(crate) sb: Sandbox,
}

impl Azure {
    pub(crate) fn start() -> Option<Azure> {
        let sb = Sandbox::new();
        std::fs::create_dir_all(sb.path("fake")).unwrap();
        let fake = Fake::script("azure_kv.py", &[sb.path("fake").as_os_str()])?;
        let proxy = Fake::start("proxy", &["--to", &fake.port_of("https").to_string()])?;
        sb.write("plain.yaml", PLAIN);
        Some(Azure { fake, proxy, sb })
    }

    pub(crate) fn version(&self) -> String {
        self.fake.info["version"].as_str().unwrap().to_owned()
    }

    /// TLS trust and proxy only: no credential at all, IMDS on a closed port, and an Azure CLI
    /// (if one is installed) that knows no login.
    pub(crate) fn base(&self, cmd: Cmd) -> Cmd {
        cmd.env("SSL_CERT_FILE", self.sb.path("fake/ca.pem"))
            .env("AZURE_CONFIG_DIR", self.sb.path("azure-cli"))
            .env(
                "HTTPS_PROXY",
                format!("http://127.0.0.1:{}", self.proxy.port),
            )
            .env(
                "LEAFSEAL_AZURE_IMDS_ENDPOINT",
                format!("http://127.0.0.1:{}", closed_port()),
            )
    }

    /// The App Service managed identity (both tools' SDKs honour it).
    pub(crate) fn app_service(&self, cmd: Cmd) -> Cmd {
        self.base(cmd)
            .env(
                "IDENTITY_ENDPOINT",
                format!("http://127.0.0.1:{}/msi/token", self.fake.port_of("http")),
            )
            .env("IDENTITY_HEADER", "test-identity-header")
    }

    /// The instance metadata service only (the boot case).
    pub(crate) fn imds(&self, cmd: Cmd) -> Cmd {
        self.base(cmd).env(
            "LEAFSEAL_AZURE_IMDS_ENDPOINT",
            format!("http://127.0.0.1:{}", self.fake.port_of("http")),
        )
    }

    /// A service principal against the fake Entra endpoint.
    pub(crate) fn principal(&self, cmd: Cmd) -> Cmd {
        self.base(cmd)
            .env("AZURE_TENANT_ID", TENANT)
            .env("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/")
    }

    pub(crate) fn leafseal(&self) -> Cmd {
        self.sb.leafseal()
    }

    pub(crate) fn decrypt_ok(&self, cmd: Cmd, file: &str) {
        let o = cmd.args(["decrypt", file]).run();
        o.assert_success();
        assert_eq!(o.stdout_str(), PLAIN, "{}", self.fake.log());
    }
}

#[test]
fn azure_kv_leafseal_and_sops_both_ways() {
    let Some(az) = Azure::start() else { return };
    let Some(sops) = tools::sops() else { return };
    let sb = &az.sb;
    // A URL without a version: the current one is looked up and recorded.
    let o = az
        .app_service(az.leafseal())
        .args(["encrypt", "--azure-kv", KEY, "plain.yaml"])
        .run();
    o.assert_success();
    let text = o.stdout_str();
    assert!(
        text.contains(&format!("vault_url: {VAULT}"))
            && text.contains("name: sops-key")
            && text.contains(&format!("version: {}", az.version())),
        "{text}"
    );
    let enc = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("enc: "))
        .unwrap();
    assert!(
        !enc.contains(['=', '+', '/']),
        "enc is unpadded base64url: {enc}"
    );
    sb.write("l.enc.yaml", &o.stdout);
    az.decrypt_ok(az.app_service(az.leafseal()), "l.enc.yaml");
    az.decrypt_ok(az.app_service(sb.cmd(&sops)), "l.enc.yaml");

    // sops encrypts (SOPS_AZURE_KEYVAULT_URLS), leafseal decrypts.
    let o = az
        .app_service(sb.cmd(&sops))
        .env("SOPS_AZURE_KEYVAULT_URLS", KEY)
        .args(["encrypt", "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("s.enc.yaml", &o.stdout);
    az.decrypt_ok(az.app_service(az.leafseal()), "s.enc.yaml");
    // Flattened metadata: dotenv written by leafseal (key from SOPS_AZURE_KEYVAULT_URLS) for
    // sops, INI written by sops for leafseal.
    sb.write("plain.env", "PASSWORD=hunter2\n");
    sb.write("plain.ini", "[db]\npassword = hunter2\n");
    let o = az
        .app_service(az.leafseal())
        .env("SOPS_AZURE_KEYVAULT_URLS", KEY)
        .args(["encrypt", "plain.env"])
        .run();
    o.assert_success();
    assert!(
        o.stdout_str()
            .contains("sops_azure_kv__list_0__map_vault_url="),
        "{}",
        o.stdout_str()
    );
    sb.write("l.enc.env", &o.stdout);
    let o = az
        .app_service(sb.cmd(&sops))
        .args(["decrypt", "l.enc.env"])
        .run();
    o.assert_success();
    assert_eq!(o.stdout_str(), "PASSWORD=hunter2\n");
    let o = az
        .app_service(sb.cmd(&sops))
        .args(["encrypt", "--azure-kv", KEY, "plain.ini"])
        .run();
    o.assert_success();
    sb.write("s.enc.ini", &o.stdout);
    let o = az
        .app_service(az.leafseal())
        .args(["decrypt", "s.enc.ini"])
        .run();
    o.assert_success();
    assert!(
        o.stdout_str().contains("password = hunter2"),
        "{}",
        o.stdout_str()
    );

    // The same through .sops.yaml's group form with an explicit version.
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - key_groups:\n      - azure_keyvault:\n          - vaultUrl: {VAULT}\n            key: sops-key\n            version: {}\n",
            az.version()
        ),
    );
    let o = az
        .app_service(az.leafseal())
        .args(["encrypt", "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("g.enc.yaml", &o.stdout);
    az.decrypt_ok(az.app_service(sb.cmd(&sops)), "g.enc.yaml");
}

#[test]
fn azure_kv_credential_sources() {
    let Some(az) = Azure::start() else { return };
    let Some(sops) = tools::sops() else { return };
    let sb = &az.sb;
    let o = az
        .app_service(az.leafseal())
        .args(["encrypt", "--azure-kv", KEY, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("a.enc.yaml", &o.stdout);
    sb.write("federated-token", "test-federated-token\n");
    let cert = sb.path("fake/client.pem");
    let token = sb.path("federated-token");
    let sources: [(&str, &std::path::Path, &str); 3] = [
        // Client secret; client certificate (PEM certificate + PKCS#1 key, the fake checks the
        // RS256 assertion); workload identity. The fake Entra endpoint serves both tools (the
        // Go SDK reads the tenant's OpenID configuration first).
        (
            "AZURE_CLIENT_SECRET",
            std::path::Path::new("test-client-secret"),
            "secret",
        ),
        ("AZURE_CLIENT_CERTIFICATE_PATH", &cert, "certificate"),
        ("AZURE_FEDERATED_TOKEN_FILE", &token, "workload identity"),
    ];
    for (var, value, what) in sources {
        for cmd in [az.leafseal(), sb.cmd(&sops)] {
            let o = az
                .principal(cmd)
                .env("AZURE_CLIENT_ID", CLIENT)
                .env(var, value)
                .args(["decrypt", "a.enc.yaml"])
                .run();
            o.assert_success();
            assert_eq!(o.stdout_str(), PLAIN, "{what}: {}", az.fake.log());
        }
    }
    // AZURE_TOKEN_CREDENTIALS narrows the chain: with `dev` only the CLI is tried.
    let o = az
        .app_service(az.leafseal())
        .env("AZURE_TOKEN_CREDENTIALS", "dev")
        .args(["decrypt", "a.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains("tried: Azure CLI");
    az.decrypt_ok(
        az.app_service(az.leafseal())
            .env("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential"),
        "a.enc.yaml",
    );
    // A wrong secret is the principal's error, not a fall-through to other sources.
    let o = az
        .principal(az.leafseal())
        .env("AZURE_CLIENT_ID", CLIENT)
        .env("AZURE_CLIENT_SECRET", "wrong")
        .args(["decrypt", "a.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains("invalid_client");
    o.assert_stderr_contains(&format!("{KEY}/{}", az.version()));
}

#[test]
fn azure_kv_boot_with_instance_identity_only() {
    let Some(az) = Azure::start() else { return };
    let sb = &az.sb;
    let o = az
        .imds(az.leafseal())
        .args(["encrypt", "--azure-kv", KEY, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("boot.enc.yaml", &o.stdout);
    // Nothing but the machine's identity: no AZURE_* variables, no CLI, no files.
    az.decrypt_ok(az.imds(az.leafseal()), "boot.enc.yaml");
    assert!(
        az.fake.log().contains("/metadata/identity/oauth2/token"),
        "{}",
        az.fake.log()
    );
}

#[test]
fn azure_kv_shamir_with_age_rotate_and_updatekeys() {
    let Some(az) = Azure::start() else { return };
    let Some(sops) = tools::sops() else { return };
    let sb = &az.sb;
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - azure_keyvault:\n          - vaultUrl: {VAULT}\n            key: sops-key\n      - age: [{}]\n",
            AGE1.recipient
        ),
    );
    let o = az
        .app_service(az.leafseal())
        .args(["encrypt", "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("m.enc.yaml", &o.stdout);
    let both = |c: Cmd| az.app_service(c).age_identity(AGE1.identity_file());
    az.decrypt_ok(both(az.leafseal()), "m.enc.yaml");
    az.decrypt_ok(both(sb.cmd(&sops)), "m.enc.yaml");
    // Without the age identity one share is missing: the report names the Azure key as opened.
    let o = az
        .app_service(az.leafseal())
        .args(["decrypt", "m.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains(&format!("azure_kv: {KEY}/{}: SUCCESS", az.version()));

    // rotate re-wraps a new data key for the same Azure key and age recipient.
    let before = sb.read_string("m.enc.yaml");
    both(az.leafseal())
        .args(["rotate", "-i", "m.enc.yaml"])
        .run()
        .assert_success();
    assert_ne!(before, sb.read_string("m.enc.yaml"));
    az.decrypt_ok(both(sb.cmd(&sops)), "m.enc.yaml");

    // updatekeys to a rule with the Azure key alone (one group).
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - azure_keyvault: {KEY}\n"),
    );
    both(az.leafseal())
        .args(["updatekeys", "-y", "m.enc.yaml"])
        .run()
        .assert_success();
    let text = sb.read_string("m.enc.yaml");
    assert!(!text.contains("age:") && !text.contains("shamir"), "{text}");
    // The rule's unversioned URL is the file's versioned key: nothing left to update.
    both(az.leafseal())
        .args(["updatekeys", "-y", "m.enc.yaml"])
        .run()
        .assert_success();
    assert_eq!(sb.read_string("m.enc.yaml"), text);
    az.decrypt_ok(az.app_service(sb.cmd(&sops)), "m.enc.yaml");
    az.decrypt_ok(az.app_service(az.leafseal()), "m.enc.yaml");

    // rotate --add-azure-kv / --rm-azure-kv on an age-only file.
    std::fs::remove_file(sb.path(".sops.yaml")).unwrap();
    let o = az
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("r.enc.yaml", &o.stdout);
    both(az.leafseal())
        .args(["rotate", "-i", "--add-azure-kv", KEY, "r.enc.yaml"])
        .run()
        .assert_success();
    az.decrypt_ok(az.app_service(sb.cmd(&sops)), "r.enc.yaml");
    let full = format!("{KEY}/{}", az.version());
    both(az.leafseal())
        .args(["rotate", "-i", "--rm-azure-kv", &full, "r.enc.yaml"])
        .run()
        .assert_success();
    assert!(!sb.read_string("r.enc.yaml").contains("azure_kv"));
}

#[test]
fn azure_kv_denied_unreachable_and_no_credentials_fail_fast() {
    let Some(az) = Azure::start() else { return };
    let sb = &az.sb;
    let o = az
        .app_service(az.leafseal())
        .args(["encrypt", "--azure-kv", KEY, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("a.enc.yaml", &o.stdout);
    let full = format!("{KEY}/{}", az.version());

    // Denied: the vault answers 403 and the report names the key and the service's code.
    let o = az
        .principal(az.leafseal())
        .env("AZURE_CLIENT_ID", "denied-client")
        .env("AZURE_CLIENT_SECRET", "test-client-secret")
        .args(["decrypt", "a.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains(&full);
    o.assert_stderr_contains("HTTP 403 Forbidden");

    // No credential anywhere: every source is named, well within 5 s.
    let t = Instant::now();
    let o = az.base(az.leafseal()).args(["decrypt", "a.enc.yaml"]).run();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    o.assert_code(128);
    for needle in [
        full.as_str(),
        "no Azure credentials found",
        "AZURE_TENANT_ID",
        "AZURE_FEDERATED_TOKEN_FILE",
        "managed identity (IMDS",
        "Azure CLI",
    ] {
        o.assert_stderr_contains(needle);
    }

    // Unreachable vault (the proxy is gone): bounded by the connect limit.
    let t = Instant::now();
    let o = az
        .app_service(az.leafseal())
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{}", closed_port()))
        .args(["decrypt", "a.enc.yaml"])
        .run();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    o.assert_code(128);
    o.assert_stderr_contains(&full);
    o.assert_stderr_contains("cannot reach the vault");

    // A vault that accepts the connection but never answers: bounded by LEAFSEAL_KMS_TIMEOUT.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let t = Instant::now();
    let o = az
        .app_service(az.leafseal())
        .env(
            "HTTPS_PROXY",
            format!("http://127.0.0.1:{}", silent.local_addr().unwrap().port()),
        )
        .env("LEAFSEAL_KMS_TIMEOUT", "1.5")
        .args(["decrypt", "a.enc.yaml"])
        .run();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    o.assert_code(128);
    o.assert_stderr_contains("timed out");
    drop(silent);
}

//! HuaweiCloud KMS master keys against `tests/fakes/hckms.py` (KMS, IAM project lookup and ECS
//! metadata on 127.0.0.1; every request's SDK-HMAC-SHA256 signature is recomputed and checked).
//! Both tools reach it through the SDKs' per-region endpoint variable
//! `HUAWEICLOUD_SDK_REGION_KMS_TR_WEST_1`.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::azure_kv::Azure;
use crate::fakes::{closed_port, Fake};
use crate::util::keys::AGE1;
use crate::util::{tools, Cmd, Sandbox};

const PLAIN: &str = "db:\n    user: app\n    password: hunter2\nport: 5432\n";

struct Huawei {
    fake: Fake,
    sb: Sandbox,
}

impl Huawei {
    fn start() -> Option<Huawei> {
        let fake = Fake::script("hckms.py", &[])?;
        let sb = Sandbox::new();
        sb.write("plain.yaml", PLAIN);
        Some(Huawei { fake, sb })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.fake.port)
    }

    fn key(&self) -> String {
        format!("tr-west-1:{}", self.fake.info["key"].as_str().unwrap())
    }

    fn project(&self) -> String {
        self.fake.info["project"].as_str().unwrap().to_owned()
    }

    /// The endpoint only: no credentials, the metadata service on a closed port.
    fn base(&self, cmd: Cmd) -> Cmd {
        cmd.env("HUAWEICLOUD_SDK_REGION_KMS_TR_WEST_1", self.url())
            .env(
                "LEAFSEAL_HUAWEICLOUD_METADATA_ENDPOINT",
                format!("http://127.0.0.1:{}", closed_port()),
            )
    }

    /// Static AK/SK and project id in the environment.
    fn env_creds(&self, cmd: Cmd) -> Cmd {
        self.base(cmd)
            .env("HUAWEICLOUD_SDK_AK", "TESTAK")
            .env("HUAWEICLOUD_SDK_SK", "TESTSK")
            .env("HUAWEICLOUD_SDK_PROJECT_ID", self.project())
    }

    fn decrypt_ok(&self, cmd: Cmd, file: &str) {
        let o = cmd.args(["decrypt", file]).run();
        o.assert_success();
        assert_eq!(o.stdout_str(), PLAIN, "{}", self.fake.log());
    }
}

#[test]
fn hckms_leafseal_and_sops_both_ways() {
    let Some(hc) = Huawei::start() else { return };
    let Some(sops) = tools::sops() else { return };
    let sb = &hc.sb;
    let o = hc
        .env_creds(sb.leafseal())
        .args(["encrypt", "--hckms", &hc.key(), "plain.yaml"])
        .run();
    o.assert_success();
    let text = o.stdout_str();
    assert!(text.contains(&format!("key_id: {}", hc.key())), "{text}");
    sb.write("l.enc.yaml", &o.stdout);
    hc.decrypt_ok(hc.env_creds(sb.leafseal()), "l.enc.yaml");
    hc.decrypt_ok(hc.env_creds(sb.cmd(&sops)), "l.enc.yaml");

    // sops encrypts (SOPS_HUAWEICLOUD_KMS_IDS), leafseal decrypts.
    let o = hc
        .env_creds(sb.cmd(&sops))
        .env("SOPS_HUAWEICLOUD_KMS_IDS", hc.key())
        .args(["encrypt", "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("s.enc.yaml", &o.stdout);
    hc.decrypt_ok(hc.env_creds(sb.leafseal()), "s.enc.yaml");

    // Flattened metadata: dotenv by leafseal (SOPS_HUAWEICLOUD_KMS_IDS) for sops, INI by
    // sops for leafseal.
    sb.write("plain.env", "PASSWORD=hunter2\n");
    sb.write("plain.ini", "[db]\npassword = hunter2\n");
    let o = hc
        .env_creds(sb.leafseal())
        .env("SOPS_HUAWEICLOUD_KMS_IDS", hc.key())
        .args(["encrypt", "plain.env"])
        .run();
    o.assert_success();
    assert!(
        o.stdout_str().contains("sops_hckms__list_0__map_key_id="),
        "{}",
        o.stdout_str()
    );
    sb.write("l.enc.env", &o.stdout);
    let o = hc
        .env_creds(sb.cmd(&sops))
        .args(["decrypt", "l.enc.env"])
        .run();
    o.assert_success();
    assert_eq!(o.stdout_str(), "PASSWORD=hunter2\n");
    let o = hc
        .env_creds(sb.cmd(&sops))
        .args(["encrypt", "--hckms", &hc.key(), "plain.ini"])
        .run();
    o.assert_success();
    sb.write("s.enc.ini", &o.stdout);
    let o = hc
        .env_creds(sb.leafseal())
        .args(["decrypt", "s.enc.ini"])
        .run();
    o.assert_success();
    assert!(
        o.stdout_str().contains("password = hunter2"),
        "{}",
        o.stdout_str()
    );

    // .sops.yaml key-group form, and a JSON file.
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - key_groups:\n      - hckms:\n          - key_id: {}\n",
            hc.key()
        ),
    );
    sb.write("plain.json", "{\"a\": \"secret\"}\n");
    let o = hc
        .env_creds(sb.leafseal())
        .args(["encrypt", "plain.json"])
        .run();
    o.assert_success();
    sb.write("g.enc.json", &o.stdout);
    let o = hc
        .env_creds(sb.cmd(&sops))
        .args(["decrypt", "g.enc.json"])
        .run();
    o.assert_success();
    assert!(o.stdout_str().contains("\"secret\""), "{}", o.stdout_str());
}

#[test]
fn hckms_credentials_file_and_ecs_metadata() {
    let Some(hc) = Huawei::start() else { return };
    let Some(sops) = tools::sops() else { return };
    let sb = &hc.sb;
    let o = hc
        .env_creds(sb.leafseal())
        .args(["encrypt", "--hckms", &hc.key(), "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("a.enc.yaml", &o.stdout);

    // The SDKs' credentials file, read by both tools.
    sb.write(
        "hc-credentials",
        format!(
            "[basic]\nak = TESTAK\nsk = TESTSK\nproject_id = {}\n",
            hc.project()
        ),
    );
    for cmd in [sb.leafseal(), sb.cmd(&sops)] {
        hc.decrypt_ok(
            hc.base(cmd).env(
                "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
                sb.path("hc-credentials"),
            ),
            "a.enc.yaml",
        );
    }

    // Temporary keys with their security token from the environment, for both tools.
    for cmd in [sb.leafseal(), sb.cmd(&sops)] {
        hc.decrypt_ok(
            hc.env_creds(cmd)
                .env("HUAWEICLOUD_SDK_AK", "TEMPAK")
                .env("HUAWEICLOUD_SDK_SK", "TEMPSK")
                .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", "TEMP-SECURITY-TOKEN"),
            "a.enc.yaml",
        );
    }

    // ECS metadata: temporary keys with a security token; the project id from IAM.
    hc.decrypt_ok(
        hc.base(sb.leafseal())
            .env("LEAFSEAL_HUAWEICLOUD_METADATA_ENDPOINT", hc.url())
            .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", hc.url()),
        "a.enc.yaml",
    );
    let log = hc.fake.log();
    assert!(
        log.contains("/openstack/latest/securitykey")
            && log.contains("/v3/projects?name=tr-west-1"),
        "{log}"
    );
}

#[test]
fn hckms_shamir_with_age_rotate_and_updatekeys() {
    let Some(hc) = Huawei::start() else { return };
    let Some(sops) = tools::sops() else { return };
    let sb = &hc.sb;
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - hckms: [{{key_id: '{}'}}]\n      - age: [{}]\n",
            hc.key(),
            AGE1.recipient
        ),
    );
    let both = |c: Cmd| hc.env_creds(c).age_identity(AGE1.identity_file());
    let o = both(sb.leafseal()).args(["encrypt", "plain.yaml"]).run();
    o.assert_success();
    sb.write("m.enc.yaml", &o.stdout);
    hc.decrypt_ok(both(sb.leafseal()), "m.enc.yaml");
    hc.decrypt_ok(both(sb.cmd(&sops)), "m.enc.yaml");
    let o = hc
        .env_creds(sb.leafseal())
        .args(["decrypt", "m.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains(&format!("hckms: {}: SUCCESS", hc.key()));

    let before = sb.read_string("m.enc.yaml");
    both(sb.leafseal())
        .args(["rotate", "-i", "m.enc.yaml"])
        .run()
        .assert_success();
    assert_ne!(before, sb.read_string("m.enc.yaml"));
    hc.decrypt_ok(both(sb.cmd(&sops)), "m.enc.yaml");

    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - hckms: ['{}']\n", hc.key()),
    );
    both(sb.leafseal())
        .args(["updatekeys", "-y", "m.enc.yaml"])
        .run()
        .assert_success();
    let text = sb.read_string("m.enc.yaml");
    assert!(!text.contains("age:") && !text.contains("shamir"), "{text}");
    hc.decrypt_ok(hc.env_creds(sb.cmd(&sops)), "m.enc.yaml");

    std::fs::remove_file(sb.path(".sops.yaml")).unwrap();
    let o = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("r.enc.yaml", &o.stdout);
    both(sb.leafseal())
        .args(["rotate", "-i", "--add-hckms", &hc.key(), "r.enc.yaml"])
        .run()
        .assert_success();
    hc.decrypt_ok(hc.env_creds(sb.cmd(&sops)), "r.enc.yaml");
    both(sb.leafseal())
        .args(["rotate", "-i", "--rm-hckms", &hc.key(), "r.enc.yaml"])
        .run()
        .assert_success();
    assert!(!sb.read_string("r.enc.yaml").contains("hckms"));
    // groups add with an hckms key, then the file opens with it alone... and age.
    both(sb.leafseal())
        .args([
            "groups",
            "add",
            "-f",
            "r.enc.yaml",
            "-i",
            "--hckms",
            &hc.key(),
        ])
        .run()
        .assert_success();
    hc.decrypt_ok(both(sb.cmd(&sops)), "r.enc.yaml");
}

#[test]
fn hckms_denied_wrong_unreachable_and_no_credentials_fail_fast() {
    let Some(hc) = Huawei::start() else { return };
    let sb = &hc.sb;
    let o = hc
        .env_creds(sb.leafseal())
        .args(["encrypt", "--hckms", &hc.key(), "plain.yaml"])
        .run();
    o.assert_success();
    sb.write("a.enc.yaml", &o.stdout);
    let key = hc.key();

    let o = hc
        .env_creds(sb.leafseal())
        .env("HUAWEICLOUD_SDK_AK", "DENIEDAK")
        .env("HUAWEICLOUD_SDK_SK", "DENIEDSK")
        .args(["decrypt", "a.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains(&key);
    o.assert_stderr_contains("HTTP 403 KMS.0303");

    let o = hc
        .env_creds(sb.leafseal())
        .env("HUAWEICLOUD_SDK_SK", "WRONG")
        .args(["decrypt", "a.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains("APIGW.0301");

    let t = Instant::now();
    let o = hc.base(sb.leafseal()).args(["decrypt", "a.enc.yaml"]).run();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    o.assert_code(128);
    for needle in [
        key.as_str(),
        "no HuaweiCloud credentials found",
        "HUAWEICLOUD_SDK_AK",
        "credentials file",
        "ECS metadata",
    ] {
        o.assert_stderr_contains(needle);
    }

    let t = Instant::now();
    let o = hc
        .env_creds(sb.leafseal())
        .env(
            "HUAWEICLOUD_SDK_REGION_KMS_TR_WEST_1",
            format!("http://127.0.0.1:{}", closed_port()),
        )
        .args(["decrypt", "a.enc.yaml"])
        .run();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    o.assert_code(128);
    o.assert_stderr_contains("cannot reach the KMS endpoint");

    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let t = Instant::now();
    let o = hc
        .env_creds(sb.leafseal())
        .env(
            "HUAWEICLOUD_SDK_REGION_KMS_TR_WEST_1",
            format!("http://127.0.0.1:{}", silent.local_addr().unwrap().port()),
        )
        .env("LEAFSEAL_KMS_TIMEOUT", "1.5")
        .args(["decrypt", "a.enc.yaml"])
        .run();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    o.assert_code(128);
    o.assert_stderr_contains("timed out");
    drop(silent);

    // A region outside the table needs its endpoint variable.
    let o = hc
        .env_creds(sb.leafseal())
        .args(["encrypt", "--hckms", "xx-nowhere-9:k", "plain.yaml"])
        .run();
    o.assert_failure();
    o.assert_stderr_contains("HUAWEICLOUD_SDK_REGION_KMS_XX_NOWHERE_9");
}

#[test]
fn cloud_keys_shamir_azure_huawei_and_age() {
    // Three groups, two needed: Azure Key Vault, HuaweiCloud KMS, age. Any two open the file,
    // in both tools; one alone does not.
    let Some(hc) = Huawei::start() else { return };
    let Some(az) = Azure::start() else { return };
    let Some(sops) = tools::sops() else { return };
    let sb = &az.sb;
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - azure_keyvault: [{{vaultUrl: 'https://myvault.vault.azure.net', key: sops-key}}]\n      - hckms: [{{key_id: '{}'}}]\n      - age: [{}]\n",
            hc.key(),
            AGE1.recipient
        ),
    );
    let all = |c: Cmd| {
        hc.env_creds(az.app_service(c))
            .age_identity(AGE1.identity_file())
    };
    let o = all(sb.leafseal()).args(["encrypt", "plain.yaml"]).run();
    o.assert_success();
    sb.write("m.enc.yaml", &o.stdout);
    let clouds = |c: Cmd| hc.env_creds(az.app_service(c));
    let azure_age = |c: Cmd| az.app_service(c).age_identity(AGE1.identity_file());
    let huawei_age = |c: Cmd| hc.env_creds(c).age_identity(AGE1.identity_file());
    for cmd in [sb.leafseal(), sb.cmd(&sops)] {
        az.decrypt_ok(clouds(cmd.clone()), "m.enc.yaml");
        az.decrypt_ok(azure_age(cmd.clone()), "m.enc.yaml");
        az.decrypt_ok(huawei_age(cmd), "m.enc.yaml");
    }
    let o = az
        .app_service(sb.leafseal())
        .args(["decrypt", "m.enc.yaml"])
        .run();
    o.assert_code(128);
    o.assert_stderr_contains("1 of 3 key group(s) opened, 2 needed");
    // sops wrote it the other way round: leafseal opens it with the two clouds.
    let o = all(sb.cmd(&sops)).args(["encrypt", "plain.yaml"]).run();
    o.assert_success();
    sb.write("s.enc.yaml", &o.stdout);
    az.decrypt_ok(clouds(sb.leafseal()), "s.enc.yaml");
}

//! `publish` (issue 21) against services on 127.0.0.1 started and stopped by each test: the
//! Vault fake of `tests/fakes/cloud_kms.py` with KV v1 and v2 engines, moto's S3, and the
//! Cloud Storage fake `tests/fakes/gcs.py`. What the services hold is read back with the
//! official Python clients (`hvac`, `boto3`, `google-cloud-storage`), which also checks the
//! fakes. The reference sops publishes side by side: SOPS's functional-test scenarios
//! `publish_json_file_vault` and `publish_json_file_vault_version_1`, and uploads whose
//! objects both tools decrypt with the destination's key and not with the source's.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::fakes::{closed_port, python_with, silent_server, Fake};
use crate::moto::{Moto, ACCESS_KEY, REGION, SECRET_KEY};
use crate::util::keys::{AGE1, AGE2};
use crate::util::{testing_leafseal, tools, Cmd, Sandbox};

const TOKEN: &str = "s.leafseal-publish-token";
const SECRET: &str = "publish-secret-value";

/// `.sops.yaml`: files are created for AGE1; `destinations` are the destination rules.
fn config(sb: &Sandbox, destinations: &str) {
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - age: {}\ndestination_rules:\n{destinations}",
            AGE1.recipient
        ),
    );
}

/// An encrypted file `name` made by leafseal from `plain`.
fn encrypted(sb: &Sandbox, name: &str, plain: &str) {
    sb.write(name, plain);
    sb.leafseal()
        .age_identity(AGE1.identity_file())
        .args(["encrypt", "-i", name])
        .run()
        .assert_success();
}

/// Run `code` on the test venv's Python (which must import `module`); its stdout.
fn python(module: &str, package: &str, env: &[(&str, String)], code: &str) -> Option<String> {
    let py = python_with(module, package)?;
    let out = Command::new(py)
        .arg("-c")
        .arg(code)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn vault() -> Option<Fake> {
    Fake::start(
        "vault",
        &["--token", TOKEN, "--kv", "secret=2", "--kv", "kv=1"],
    )
}

/// The secret at `path` of the KV `mount` (version 1 or 2) as hvac reads it: JSON of its data
/// (and for v2 `[data, version]`), or `null` when absent.
fn hvac_read(v: &Fake, mount: &str, version: u8, path: &str) -> serde_json::Value {
    let code = format!(
        "import hvac, json\n\
         c = hvac.Client(url='{}', token='{TOKEN}')\n\
         try:\n\
         \x20   if {version} == 1:\n\
         \x20       print(json.dumps(c.secrets.kv.v1.read_secret(path='{path}', mount_point='{mount}')['data']))\n\
         \x20   else:\n\
         \x20       d = c.secrets.kv.v2.read_secret_version(path='{path}', mount_point='{mount}', raise_on_deleted_version=False)['data']\n\
         \x20       print(json.dumps([d['data'], d['metadata']['version']]))\n\
         except hvac.exceptions.InvalidPath:\n\
         \x20   print('null')\n",
        v.url()
    );
    let Some(out) = python("hvac", "hvac", &[], &code) else {
        return serde_json::Value::Null;
    };
    serde_json::from_str(out.trim()).expect("hvac output is JSON")
}

/// SOPS's functional-tests/.sops.yaml Vault rules as they are: no `vault_address`, so the
/// address comes from `VAULT_ADDR` (see [`at_vault`]).
const VAULT_RULES: &str = "  - vault_path: \"functional-test/\"\n    vault_kv_mount_name: \"secret/\"\n    vault_kv_version: 2\n    path_regex: test_encrypt_publish_vault.json\n\
     \x20 - vault_path: \"functional-test-version-1/\"\n    vault_kv_mount_name: \"kv/\"\n    vault_kv_version: 1\n    path_regex: test_encrypt_publish_vault_version_1.json\n";

/// `cmd` with the fake's address and token in the environment.
fn at_vault(cmd: Cmd, v: &Fake) -> Cmd {
    cmd.env("VAULT_ADDR", v.url()).env("VAULT_TOKEN", TOKEN)
}

const FUNCTIONAL_JSON: &str = "{\n    \"foo\": 2,\n    \"bar\": \"baz\"\n}";

/// SOPS's `publish_json_file_vault` and `publish_json_file_vault_version_1`, run with `tool`
/// (encrypt -i, then publish --yes), then the secrets checked through hvac.
fn functional_vault(tool: &dyn Fn(&Sandbox) -> Cmd, label: &str) {
    let Some(v) = vault() else { return };
    let sb = Sandbox::new();
    config(&sb, VAULT_RULES);
    for name in [
        "test_encrypt_publish_vault.json",
        "test_encrypt_publish_vault_version_1.json",
    ] {
        sb.write(name, FUNCTIONAL_JSON);
        let run = |args: &[&str]| {
            at_vault(tool(&sb), &v)
                .age_identity(AGE1.identity_file())
                .args(args)
                .arg(name)
                .run()
        };
        run(&["encrypt", "-i"]).assert_success();
        run(&["publish", "--yes"]).assert_success();
    }
    let want = serde_json::json!({"foo": 2, "bar": "baz"});
    assert_eq!(
        hvac_read(
            &v,
            "secret",
            2,
            "functional-test/test_encrypt_publish_vault.json"
        ),
        serde_json::json!([want, 1]),
        "{label}: KV v2 secret\n{}",
        v.log()
    );
    assert_eq!(
        hvac_read(
            &v,
            "kv",
            1,
            "functional-test-version-1/test_encrypt_publish_vault_version_1.json"
        ),
        want,
        "{label}: KV v1 secret\n{}",
        v.log()
    );
}

#[test]
fn publish_json_file_vault_with_leafseal() {
    functional_vault(&|sb| sb.leafseal(), "leafseal");
}

#[test]
fn publish_json_file_vault_with_reference_sops() {
    let Some(sops) = tools::sops() else { return };
    functional_vault(&|sb| sb.cmd(&sops), "sops");
}

#[test]
fn vault_secrets_match_between_tools_and_unchanged_data_makes_no_version() {
    let Some(sops) = tools::sops() else { return };
    let Some(v) = vault() else { return };
    let sb = Sandbox::new();
    config(&sb, VAULT_RULES);
    let name = "test_encrypt_publish_vault.json";
    encrypted(
        &sb,
        name,
        "{\"db\": {\"user\": \"app\", \"port\": 5432, \"tls\": true, \"ratio\": 0.5}, \"list\": [1, \"two\"], \"none\": null}",
    );
    let publish = |cmd: Cmd| {
        at_vault(cmd, &v)
            .age_identity(AGE1.identity_file())
            .args(["publish", "-y", name])
            .run()
    };
    publish(sb.cmd(&sops)).assert_success();
    let by_sops = hvac_read(&v, "secret", 2, &format!("functional-test/{name}"));
    assert_eq!(by_sops[1], 1, "{by_sops}");
    // The same values again: SOPS's check finds them up to date, so no new version.
    let again = publish(sb.leafseal());
    again.assert_success();
    if testing_leafseal() {
        again.assert_stderr_contains("is already up to date");
    }
    let by_leafseal = hvac_read(&v, "secret", 2, &format!("functional-test/{name}"));
    assert_eq!(by_leafseal, by_sops, "leafseal wrote other data than sops");
    // A changed value makes version 2, with the same types as sops wrote.
    encrypted(&sb, name, "{\"db\": {\"user\": \"other\"}}");
    publish(sb.leafseal()).assert_success();
    assert_eq!(
        hvac_read(&v, "secret", 2, &format!("functional-test/{name}")),
        serde_json::json!([{"db": {"user": "other"}}, 2])
    );
}

#[test]
fn confirmation_is_asked_unless_yes() {
    let Some(v) = vault() else { return };
    let sb = Sandbox::new();
    config(&sb, VAULT_RULES);
    let name = "test_encrypt_publish_vault_version_1.json";
    encrypted(&sb, name, FUNCTIONAL_JSON);
    let path = format!("functional-test-version-1/{name}");
    let ask = |answers: &str| {
        at_vault(sb.leafseal(), &v)
            .age_identity(AGE1.identity_file())
            .args(["publish", name])
            .stdin(answers)
            .run()
    };
    // "n" refuses: exit 1, nothing written.
    let out = ask("n\n");
    out.assert_code(1);
    out.assert_stdout_contains(&format!(
        "uploading {} to {}/v1/kv/{path} ? (y/n): ",
        sb.path(name).display(),
        v.url()
    ));
    out.assert_stderr_contains("canceled");
    assert_eq!(hvac_read(&v, "kv", 1, &path), serde_json::Value::Null);
    // No answer at all is an error too.
    ask("").assert_code(1).assert_stderr_contains("--yes");
    assert_eq!(hvac_read(&v, "kv", 1, &path), serde_json::Value::Null);
    // Anything else asks again; "y" publishes.
    ask("maybe\ny\n").assert_success();
    assert_eq!(
        hvac_read(&v, "kv", 1, &path),
        serde_json::json!({"foo": 2, "bar": "baz"})
    );
    // --recursive: a refusal skips the file and goes on (exit 0), as SOPS does.
    sb.write("tree/a.json", "{}");
    config(
        &sb,
        &format!(
            "  - vault_path: tree\n    vault_kv_mount_name: kv\n    vault_kv_version: 1\n    vault_address: {}\n",
            v.url()
        ),
    );
    encrypted(&sb, "tree/sub/b.json", "{\"b\": 1}");
    encrypted(&sb, "tree/a.json", "{\"a\": 1}");
    let out = sb
        .leafseal()
        .age_identity(AGE1.identity_file())
        .env("VAULT_TOKEN", TOKEN)
        .args(["publish", "--recursive", "--omit-extensions", "tree"])
        .stdin("n\ny\n")
        .run();
    out.assert_success();
    out.assert_stdout_contains("Publication of");
    assert_eq!(hvac_read(&v, "kv", 1, "tree/a"), serde_json::Value::Null);
    assert_eq!(
        hvac_read(&v, "kv", 1, "tree/sub/b"),
        serde_json::json!({"b": 1})
    );
}

/// Environment for moto's S3.
fn s3_env(m: &Moto) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_ENDPOINT_URL", m.endpoint()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]
}

/// Objects of `bucket`, `key\tbase64(body)` per line, read with boto3.
fn s3_objects(m: &Moto, bucket: &str) -> Vec<(String, Vec<u8>)> {
    let code = format!(
        "import boto3, base64\n\
         s = boto3.client('s3')\n\
         for o in s.list_objects_v2(Bucket='{bucket}').get('Contents', []):\n\
         \x20   print(o['Key'] + '\\t' + base64.b64encode(s.get_object(Bucket='{bucket}', Key=o['Key'])['Body'].read()).decode())\n"
    );
    objects(python("boto3", "moto[server]", &s3_env(m), &code))
}

fn objects(out: Option<String>) -> Vec<(String, Vec<u8>)> {
    use base64::Engine as _;
    out.unwrap_or_default()
        .lines()
        .map(|l| {
            let (k, b) = l.split_once('\t').expect("key\\tbody");
            let body = base64::engine::general_purpose::STANDARD
                .decode(b)
                .expect("base64");
            (k.to_owned(), body)
        })
        .collect()
}

/// A way to start a tool, with its name.
type Tool<'a> = (&'static str, Box<dyn Fn() -> Cmd + 'a>);

/// Each object: no plaintext; both tools decrypt it with AGE2 (the destination's key) to
/// `plain`, and neither with AGE1 (the source's only).
fn check_reencrypted(sb: &Sandbox, objects: &[(String, Vec<u8>)], plain_has: &str) {
    let sops = tools::sops();
    for (key, body) in objects {
        let text = String::from_utf8_lossy(body);
        assert!(!text.contains(SECRET), "{key}: plaintext uploaded:\n{text}");
        let ext = key.rsplit('.').next().unwrap_or("yaml");
        let file = format!("got.{ext}");
        sb.write(&file, body);
        let mut tools: Vec<Tool> = vec![("leafseal", Box::new(|| sb.leafseal()))];
        if let Some(s) = &sops {
            tools.push(("sops", Box::new(move || sb.cmd(s))));
        }
        for (label, tool) in &tools {
            let ok = tool()
                .age_identity(AGE2.identity_file())
                .args(["decrypt", &file])
                .run();
            ok.assert_success();
            assert!(
                ok.stdout_str().contains(plain_has),
                "{label} {key}: {}",
                ok.stdout_str()
            );
            tool()
                .age_identity(AGE1.identity_file())
                .args(["decrypt", &file])
                .run()
                .assert_code(128);
        }
    }
}

fn bucket_rules(kind: &str, bucket: &str) -> String {
    format!(
        "  - {kind}_bucket: {bucket}\n    {kind}_prefix: \"team a/\"\n    path_regex: \\.json$\n    recreation_rule:\n      age: {}\n\
         \x20 - {kind}_bucket: {bucket}\n    {kind}_prefix: \"as-is/\"\n    path_regex: \\.env$\n",
        AGE2.recipient
    )
}

#[test]
fn s3_objects_decrypt_with_destination_keys_only() {
    let Some(m) = Moto::start() else { return };
    let sb = Sandbox::new();
    let env = s3_env(&m);
    let Some(_) = python(
        "boto3",
        "moto[server]",
        &env,
        &format!("import boto3\nboto3.client('s3').create_bucket(Bucket='pub', CreateBucketConfiguration={{'LocationConstraint': '{REGION}'}})\n"),
    ) else {
        return;
    };
    config(&sb, &bucket_rules("s3", "pub"));
    encrypted(&sb, "l.json", &format!("{{\"password\": \"{SECRET}\"}}"));
    encrypted(&sb, "s.json", &format!("{{\"password\": \"{SECRET}\"}}"));
    encrypted(&sb, "plain.env", &format!("PASSWORD={SECRET}\n"));
    let run = |cmd: Cmd, file: &str| {
        let mut cmd = cmd.age_identity(AGE1.identity_file());
        for (k, v) in &env {
            cmd = cmd.env(k, v);
        }
        cmd.args(["publish", "--yes", file]).run()
    };
    let out = run(sb.leafseal(), "l.json");
    out.assert_success();
    out.assert_stdout_contains(&format!("+++ {}\n--- {}\n", AGE2.recipient, AGE1.recipient));
    run(sb.leafseal(), "plain.env").assert_success();
    if let Some(sops) = tools::sops() {
        run(sb.cmd(&sops), "s.json").assert_success();
    }
    let objs = s3_objects(&m, "pub");
    let keys: Vec<&str> = objs.iter().map(|(k, _)| k.as_str()).collect();
    assert!(keys.contains(&"team a/l.json"), "{keys:?}");
    assert!(keys.contains(&"as-is/plain.env"), "{keys:?}");
    let reencrypted: Vec<_> = objs
        .iter()
        .filter(|(k, _)| k.starts_with("team a/"))
        .cloned()
        .collect();
    check_reencrypted(&sb, &reencrypted, SECRET);
    // No recreation keys: the file goes up byte for byte (still encrypted for AGE1).
    let as_is = objs.iter().find(|(k, _)| k == "as-is/plain.env").unwrap();
    assert_eq!(as_is.1, sb.read("plain.env"));
}

#[test]
fn gcs_objects_decrypt_with_destination_keys_only() {
    let Some(g) = Fake::script("gcs.py", &["--bucket".as_ref(), "pub".as_ref()]) else {
        return;
    };
    let sb = Sandbox::new();
    let env = vec![("STORAGE_EMULATOR_HOST", g.url())];
    config(&sb, &bucket_rules("gcs", "pub"));
    encrypted(&sb, "l.json", &format!("{{\"password\": \"{SECRET}\"}}"));
    encrypted(&sb, "s.json", &format!("{{\"password\": \"{SECRET}\"}}"));
    let run = |cmd: Cmd, file: &str| {
        cmd.age_identity(AGE1.identity_file())
            .env("STORAGE_EMULATOR_HOST", g.url())
            .args(["publish", "--yes", file])
            .run()
    };
    run(sb.leafseal(), "l.json").assert_success();
    if let Some(sops) = tools::sops() {
        run(sb.cmd(&sops), "s.json").assert_success();
    }
    let code = "from google.cloud import storage\nimport base64\n\
                c = storage.Client(project='test')\n\
                for b in c.list_blobs('pub'):\n\
                \x20   print(b.name + '\\t' + base64.b64encode(b.download_as_bytes()).decode())\n";
    let objs = objects(python(
        "google.cloud.storage",
        "google-cloud-storage",
        &env,
        code,
    ));
    let keys: Vec<&str> = objs.iter().map(|(k, _)| k.as_str()).collect();
    assert!(keys.contains(&"team a/l.json"), "{keys:?}\n{}", g.log());
    if tools::sops().is_some() {
        assert!(keys.contains(&"team a/s.json"), "{keys:?}\n{}", g.log());
    }
    check_reencrypted(&sb, &objs, SECRET);
}

#[test]
fn unreachable_destinations_fail_in_bounded_time_naming_them() {
    let sb = Sandbox::new();
    let closed = closed_port();
    let (_held, silent) = silent_server();
    config(
        &sb,
        &format!(
            "  - vault_path: p\n    vault_address: http://127.0.0.1:{closed}\n    path_regex: closed\n\
             \x20 - vault_path: p\n    vault_address: http://127.0.0.1:{silent}\n    path_regex: silent\n\
             \x20 - s3_bucket: b\n    path_regex: s3\n    recreation_rule:\n      age: {}\n\
             \x20 - gcs_bucket: g\n    path_regex: gcs\n",
            AGE2.recipient
        ),
    );
    for (file, names) in [
        ("closed.json", format!("127.0.0.1:{closed}")),
        ("silent.json", format!("127.0.0.1:{silent}")),
        ("s3.json", "s3://b/s3.json".to_owned()),
        ("gcs.json", "gcs://g/gcs.json".to_owned()),
    ] {
        encrypted(&sb, file, "{\"a\": 1}");
        let start = Instant::now();
        let out = sb
            .leafseal()
            .age_identity(AGE1.identity_file())
            .env("VAULT_TOKEN", TOKEN)
            .env("LEAFSEAL_PUBLISH_TIMEOUT", "2")
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{closed}"))
            .env("STORAGE_EMULATOR_HOST", format!("127.0.0.1:{silent}"))
            .args(["publish", "-y", file])
            .run();
        let took = start.elapsed();
        out.assert_code(1);
        if testing_leafseal() {
            out.assert_stderr_contains(&names);
            out.assert_leafseal_one_line_error(file);
        }
        assert!(took < Duration::from_secs(15), "{file}: took {took:?}");
    }
}

#[test]
fn destination_rule_errors() {
    let sb = Sandbox::new();
    config(
        &sb,
        "  - s3_bucket: a\n    gcs_bucket: b\n    path_regex: two\n  - path_regex: none\n",
    );
    for (file, msg) in [
        ("two.json", "more than one destinations"),
        ("none.json", "no destination configured"),
        ("other.json", "no matching destination"),
    ] {
        encrypted(&sb, file, "{\"a\": 1}");
        let out = sb
            .leafseal()
            .age_identity(AGE1.identity_file())
            .args(["publish", "-y", file])
            .run();
        out.assert_code(1);
        if testing_leafseal() {
            out.assert_stderr_contains(msg);
        }
    }
    // Not a SOPS file; a directory without --recursive.
    sb.write("x/plain.json", "{\"a\": 1}");
    config(&sb, "  - s3_bucket: a\n");
    sb.leafseal()
        .args(["publish", "-y", "x/plain.json"])
        .run()
        .assert_failure();
    sb.leafseal()
        .args(["publish", "-y", "x"])
        .run()
        .assert_code(1);
}

/// moto's strict auth mode checks the SigV4 signature and the user's policy: the upload is
/// signed correctly (a wrong secret key is refused, naming the destination).
#[test]
fn s3_uploads_are_signed() {
    let Some(m) = Moto::start() else { return };
    let sb = Sandbox::new();
    let env = s3_env(&m);
    let create = format!("import boto3\nboto3.client('s3').create_bucket(Bucket='signed', CreateBucketConfiguration={{'LocationConstraint': '{REGION}'}})\n");
    let Some(_) = python("boto3", "moto[server]", &env, &create) else {
        return;
    };
    // URL-encoded {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}
    let allow_s3 = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    let (ak, sk) = m.create_user("publisher", Some(allow_s3));
    m.strict_auth();
    config(
        &sb,
        &format!(
            "  - s3_bucket: signed\n    s3_prefix: \"dir with space/\"\n    recreation_rule:\n      age: {}\n",
            AGE2.recipient
        ),
    );
    encrypted(
        &sb,
        "a b+c.json",
        &format!("{{\"password\": \"{SECRET}\"}}"),
    );
    let run = |secret: &str| {
        sb.leafseal()
            .age_identity(AGE1.identity_file())
            .env("AWS_ACCESS_KEY_ID", &ak)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_REGION", REGION)
            .env("AWS_ENDPOINT_URL", m.endpoint())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["publish", "-y", "a b+c.json"])
            .run()
    };
    let bad = run("not-the-secret-key");
    bad.assert_code(1);
    if testing_leafseal() {
        bad.assert_stderr_contains("s3://signed/dir with space/a b+c.json");
        bad.assert_stderr_contains("HTTP 403");
    }
    run(&sk).assert_success();
}

/// SOPS's `publish_json_file_s3` with its rule as written: `reencryption_rule` is no field
/// (SOPS reads `recreation_rule`), so the file is uploaded as it is, by both tools.
#[test]
fn publish_json_file_s3_with_both_tools() {
    let Some(m) = Moto::start() else { return };
    let env = s3_env(&m);
    let bucket = "sops-publish-functional-tests";
    let create = format!("import boto3\nboto3.client('s3').create_bucket(Bucket='{bucket}', CreateBucketConfiguration={{'LocationConstraint': '{REGION}'}})\n");
    let Some(_) = python("boto3", "moto[server]", &env, &create) else {
        return;
    };
    let mut programs = vec![("leafseal", None)];
    if let Some(s) = tools::sops() {
        programs.push(("sops", Some(s)));
    }
    for (label, program) in programs {
        let sb = &Sandbox::new();
        let tool = || match &program {
            Some(p) => sb.cmd(p),
            None => sb.leafseal(),
        };
        config(
            sb,
            &format!(
                "  - s3_bucket: \"{bucket}\"\n    s3_prefix: \"functional-test/{label}/\"\n    path_regex: test_encrypt_publish_s3.json\n    reencryption_rule:\n      pgp: B611A2F9F11D0FF82568805119F9B5DAEA91FF86\n"
            ),
        );
        let name = "test_encrypt_publish_s3.json";
        sb.write(name, FUNCTIONAL_JSON);
        let run = |args: &[&str]| {
            let mut cmd = tool().age_identity(AGE1.identity_file());
            for (k, v) in &env {
                cmd = cmd.env(k, v);
            }
            cmd.args(args).arg(name).run()
        };
        run(&["encrypt", "-i"]).assert_success();
        run(&["publish", "--yes"]).assert_success();
        let objs = s3_objects(&m, bucket);
        let key = format!("functional-test/{label}/{name}");
        let got = objs
            .iter()
            .find(|(k, _)| *k == key)
            .unwrap_or_else(|| panic!("{label}: no {key}"));
        assert_eq!(got.1, sb.read(name), "{label}: not uploaded as is");
    }
}

/// Without an emulator: HTTPS to storage.googleapis.com (the fake under a test CA, reached
/// through the CONNECT proxy as the real service would be) with the Google credentials of GCP
/// KMS keys; a refused token fails naming the destination.
#[test]
fn gcs_with_google_credentials() {
    let sb = Sandbox::new();
    let tls = sb.path("tls");
    let args = [
        "--bucket".as_ref(),
        "pub".as_ref(),
        "--token".as_ref(),
        "ya29.publish-test".as_ref(),
        "--tls".as_ref(),
        tls.as_os_str(),
    ];
    let Some(g) = Fake::script("gcs.py", &args) else {
        return;
    };
    let Some(proxy) = Fake::start("proxy", &["--to", &g.port.to_string()]) else {
        return;
    };
    config(&sb, &bucket_rules("gcs", "pub"));
    encrypted(&sb, "t.json", &format!("{{\"password\": \"{SECRET}\"}}"));
    let run = |token: &str| {
        sb.leafseal()
            .age_identity(AGE1.identity_file())
            .env("HTTPS_PROXY", format!("http://127.0.0.1:{}", proxy.port))
            .env("SSL_CERT_FILE", tls.join("ca.pem"))
            .env("GOOGLE_OAUTH_ACCESS_TOKEN", token)
            .args(["publish", "-y", "t.json"])
            .run()
    };
    let bad = run("ya29.wrong");
    bad.assert_code(1);
    if testing_leafseal() {
        bad.assert_stderr_contains("gcs://pub/team a/t.json");
        bad.assert_stderr_contains("HTTP 401");
    }
    run("ya29.publish-test").assert_success();
    assert!(
        g.log().contains("gcs: stored pub/team a/t.json"),
        "{}",
        g.log()
    );
    let tunnels = proxy.lines.lock().unwrap().clone();
    assert!(
        tunnels
            .iter()
            .any(|l| l.contains("CONNECT storage.googleapis.com:443")),
        "{tunnels:?}"
    );
}

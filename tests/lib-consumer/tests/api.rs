//! Issue 20's acceptance test: leafseal's public API only, built with `age` and `yaml` only.
// Tests may unwrap: a panic there is a test failure with a backtrace (STYLE.md §3).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use leafseal::{Document, ErrorKind, Format, Recipients};
use serde::Deserialize;

const RECIPIENT: &str = "age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v";
const RECIPIENT2: &str = "age18xsc7j59np22mj7x9q5dzkkc74n8culrf6yhm07y34k8zc7mpu3sxnmmaj";

fn repo() -> PathBuf {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .expect("this crate sits at tests/lib-consumer")
        .to_path_buf()
}

/// Every test uses testdata/keys/age1.txt; the age identities are read once per process.
fn keys() {
    leafseal::use_age_key_file(repo().join("testdata/keys/age1.txt"));
}

#[derive(Debug, Deserialize, PartialEq)]
struct Settings {
    database: Database,
    features: Vec<String>,
    debug: bool,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Database {
    host: String,
    port: u16,
    user: String,
    password: String,
}

fn expected() -> Settings {
    Settings {
        database: Database {
            host: "db.internal".into(),
            port: 5432,
            user: "app".into(),
            password: "s3cr3t-pa55".into(),
        },
        features: vec!["search".into(), "export".into()],
        debug: false,
    }
}

/// A file the reference Go sops wrote decrypts into a serde struct.
#[test]
fn sops_written_file_into_a_struct() {
    keys();
    let doc = Document::read(repo().join("testdata/library/app.sops.yaml")).unwrap();
    assert_eq!(doc.format(), Format::Yaml);
    let got: Settings = doc.deserialize().unwrap();
    assert_eq!(got, expected());
    assert_eq!(
        doc.extract(r#"["features"][1]"#).unwrap(),
        serde_json::json!("export")
    );
    let plain = leafseal::decrypt_file(repo().join("testdata/library/app.sops.yaml")).unwrap();
    let plain = String::from_utf8(plain.to_vec()).unwrap();
    assert!(plain.starts_with("# Application settings"), "{plain}");
    assert!(plain.contains("    password: s3cr3t-pa55\n"), "{plain}");
}

/// Encrypt for an age recipient, set a value (the other ciphertexts stay), unset, rotate.
#[test]
fn encrypt_set_unset_rotate_round_trip() {
    keys();
    let plain = std::fs::read(repo().join("testdata/library/app.sops.yaml")).unwrap();
    let plain = Document::open(plain, Format::Yaml).decrypt().unwrap();

    let recipients = Recipients::new().age(RECIPIENT).unwrap();
    let doc = leafseal::encrypt(&plain, Format::Yaml, recipients).unwrap();
    let text = String::from_utf8(doc.as_bytes().to_vec()).unwrap();
    assert!(!text.contains("s3cr3t-pa55"));
    assert!(text.contains(RECIPIENT));
    assert_eq!(doc.deserialize::<Settings>().unwrap(), expected());
    assert_eq!(&doc.decrypt().unwrap()[..], &plain[..]);

    // set: only the changed line differs.
    let changed = doc
        .set(r#"["database"]["password"]"#, serde_json::json!("n3w"))
        .unwrap();
    let after = String::from_utf8(changed.as_bytes().to_vec()).unwrap();
    let host = |t: &str| {
        t.lines()
            .find(|l| l.trim_start().starts_with("host:"))
            .map(str::to_owned)
    };
    assert_eq!(host(&text), host(&after), "unchanged ciphertext kept");
    let pw = |t: &str| {
        t.lines()
            .find(|l| l.trim_start().starts_with("password:"))
            .map(str::to_owned)
    };
    assert_ne!(pw(&text), pw(&after));
    assert_eq!(
        changed.extract(r#"["database"]["password"]"#).unwrap(),
        "n3w"
    );

    // set a new key, then unset it again.
    let added = changed
        .set(r#"["api"]["token"]"#, serde_json::json!(42))
        .unwrap();
    assert_eq!(added.extract(r#"["api"]["token"]"#).unwrap(), 42);
    let removed = added.unset(r#"["api"]"#).unwrap();
    assert_eq!(
        removed.extract(r#"["api"]"#).unwrap_err().kind(),
        ErrorKind::InvalidTreePath
    );

    // rotate, adding a second recipient: a new data key, every value re-encrypted.
    let more = Recipients::new().age(RECIPIENT2).unwrap();
    let rotated = removed.rotate(more).unwrap();
    let rot = String::from_utf8(rotated.as_bytes().to_vec()).unwrap();
    assert!(rot.contains(RECIPIENT) && rot.contains(RECIPIENT2), "{rot}");
    assert_ne!(pw(&after), pw(&rot), "new data key: new ciphertexts");
    let got: Settings = rotated.deserialize().unwrap();
    assert_eq!(got.database.password, "n3w");
    assert_eq!(got.features, expected().features);

    // The file written by the API round-trips through disk.
    let dir = std::env::temp_dir().join(format!("leafseal-lib-consumer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.sops.yaml");
    rotated.save(&path).unwrap();
    assert_eq!(Document::read(&path).unwrap(), rotated);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Errors are matched by kind: a tampered value is a MAC mismatch, a wrong key no data key.
#[test]
fn errors_have_kinds() {
    keys();
    let bytes = std::fs::read(repo().join("testdata/library/app.sops.yaml")).unwrap();
    let text = String::from_utf8(bytes).unwrap();

    // The MAC of another file (encrypted for the same key) in place of this file's own.
    let other = leafseal::encrypt(
        b"a: 1\n",
        Format::Yaml,
        Recipients::new().age(RECIPIENT).unwrap(),
    )
    .unwrap();
    let other = String::from_utf8(other.as_bytes().to_vec()).unwrap();
    let mac = |t: &str| {
        t.lines()
            .find(|l| l.trim_start().starts_with("mac: ENC["))
            .unwrap()
            .to_owned()
    };
    let tampered = text.replace(&mac(&text), &mac(&other));
    let err = Document::open(tampered, Format::Yaml)
        .decrypt()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MacMismatch, "{err}");

    // Encrypted only for another age key: no key opens the data key.
    let foreign = leafseal::encrypt(
        b"a: 1\n",
        Format::Yaml,
        Recipients::new().age(RECIPIENT2).unwrap(),
    )
    .unwrap();
    let err = foreign.decrypt().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoDataKey, "{err}");

    // Not YAML at all: the error names the line and column. (Its kind is the one the CLI
    // maps to SOPS's exit code for this case, Generic; a dedicated parse kind is future work.)
    let err = Document::open(b"a: [1\n".to_vec(), Format::Yaml)
        .decrypt()
        .unwrap_err();
    assert!(err.to_string().starts_with("line 2, column 1: "), "{err}");
}

/// A file whose metadata also names backends this build lacks (KMS, GCP, Azure, Vault,
/// HuaweiCloud, PGP) opens with its age key, and a rewrite keeps every other entry.
#[test]
fn backends_compiled_out_are_kept() {
    keys();
    let path = repo().join("testdata/sops/all_key_types.enc.yaml");
    let doc = Document::read(&path).unwrap();
    let tree = doc.to_json().unwrap();
    assert!(tree.is_object());
    let first = tree
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .unwrap();
    let changed = doc
        .set(&format!("[{first:?}]"), serde_json::json!("changed"))
        .unwrap();
    let out = String::from_utf8(changed.as_bytes().to_vec()).unwrap();
    for entry in [
        "arn: arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
        "resource_id: projects/p/locations/global/keyRings/r/cryptoKeys/k",
        "vault_address: https://vault.example.org:8200",
        "hckms:",
        "azure_kv:",
        "recipient: age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v",
    ] {
        assert!(out.contains(entry), "{entry} dropped:\n{out}");
    }
}

/// A file only a compiled-out backend can open says so.
#[test]
fn only_a_missing_backend_names_it() {
    keys();
    let doc = Document::read(repo().join("testdata/sops/pgp.enc.yaml")).unwrap();
    let err = doc.decrypt().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoDataKey, "{err}");
    if !leafseal::backends().contains(&"pgp") {
        assert!(
            err.to_string()
                .contains("pgp keys are not supported by this build"),
            "{err}"
        );
    }
    // Asking to encrypt for one is an error naming the feature.
    if !leafseal::backends().contains(&"kms") {
        let err = Recipients::new()
            .add("kms", "arn:aws:kms:us-east-1:123456789012:key/x")
            .unwrap_err();
        assert!(
            err.to_string().contains("not supported by this build"),
            "{err}"
        );
    }
}

/// `.sops.yaml` rules: the matching creation rule's keys and selection are used.
#[test]
fn encrypt_by_creation_rules() {
    keys();
    let dir = std::env::temp_dir().join(format!("leafseal-lib-rules-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::write(
        dir.join(".sops.yaml"),
        format!(
            "creation_rules:\n  - path_regex: config/.*\\.yaml$\n    encrypted_regex: ^password$\n    age: {RECIPIENT}\n"
        ),
    )
    .unwrap();
    let plain = dir.join("config/db.yaml");
    std::fs::write(&plain, "user: app\npassword: hunter2\n").unwrap();
    let doc = leafseal::encrypt_file_with_rules(&plain).unwrap();
    let text = String::from_utf8(doc.as_bytes().to_vec()).unwrap();
    assert!(text.contains("user: app\n"), "{text}");
    assert!(text.contains("password: ENC[AES256_GCM,"), "{text}");
    assert!(text.contains("encrypted_regex: ^password$"), "{text}");
    assert!(text.contains(RECIPIENT), "{text}");
    assert_eq!(doc.extract(r#"["password"]"#).unwrap(), "hunter2");

    // No rule matches: an error, as SOPS gives.
    let other = dir.join("other.yaml");
    std::fs::write(&other, "a: 1\n").unwrap();
    let err = leafseal::encrypt_file_with_rules(&other).unwrap_err();
    assert!(err.to_string().contains("creation rule"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Side by side: a file the library encrypted, set and rotated opens with the reference Go
/// sops (`LEAFSEAL_SOPS`, else the venv scripts/test.sh provisions), giving the same plaintext.
#[test]
fn library_output_opens_with_reference_sops() {
    keys();
    let sops = std::env::var_os("LEAFSEAL_SOPS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".cache/venv/bin/sops"));
    if !sops.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "reference sops missing at {} (run scripts/test.sh)",
            sops.display()
        );
        eprintln!("skipped: no reference sops at {}", sops.display());
        return;
    }
    let plain =
        b"# settings\ndb:\n    password: hunter2\n    port: 5432\nlist:\n    - a\n    - 1.5\n";
    let doc = leafseal::encrypt(
        plain,
        Format::Yaml,
        Recipients::new().age(RECIPIENT).unwrap(),
    )
    .unwrap()
    .set(r#"["db"]["password"]"#, serde_json::json!("n3w"))
    .unwrap()
    .rotate(Recipients::new())
    .unwrap();
    let dir = std::env::temp_dir().join(format!("leafseal-lib-sops-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lib.sops.yaml");
    doc.save(&path).unwrap();
    let out = std::process::Command::new(&sops)
        .args(["decrypt", "--input-type", "yaml", "--output-type", "yaml"])
        .arg(&path)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SOPS_AGE_KEY_FILE", repo().join("testdata/keys/age1.txt"))
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        out.status.success(),
        "sops decrypt: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = doc.decrypt().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&ours)
    );
    assert!(String::from_utf8_lossy(&ours).contains("password: n3w"));
}

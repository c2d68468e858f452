//! The TOML store through the real binary: encrypt with `--age`, no plaintext in the result,
//! decrypt byte-identical to the input for a corpus of hand-written files, tampering (exit 25),
//! MAC checks on unencrypted values (exit 51), `--extract`, and parse errors. TOML is
//! leafseal's own format (SOPS has none), so these tests skip under `LEAFSEAL_UNDER_TEST`.

use crate::util::keys::AGE1;
use crate::util::{testing_leafseal, Sandbox};

/// Hand-written files; every one must decrypt to exactly its own bytes.
const CORPUS: &[(&str, &str)] = &[
    (
        "service.toml",
        r#"# Service configuration, hand-written.
title = "Payments API"   # shown in the dashboard
owner_email = 'ops-team@example.org'
port = 8443
replicas = -3
debug = false
deployed = 2024-02-29T12:30:00Z

[database]
# primary connection
url = "postgres://app:s3cr3t-pa55@db.internal:5432/payments"
password = 'Lit3ral\Backslash'
pool_unencrypted = 20

[database.replica]
host = "replica-host.internal"
"#,
    ),
    (
        "arrays.toml",
        r#"tokens = ["alpha-token-1", "beta-token-2"]
matrix = [[1, 2], [3, 4]]
mixed = [
  "first-element",  # trailing comment in an array
  # a comment line in an array
  42,
  true,
]
point = { x = 10, label = "inline-secret", nested = { deep = "deepest-value" } }

[[users]]
name = "alice-the-admin"
roles = ["admin", "ops"]

# second user
[[users]]
name = "bob-the-builder"

[[users.keys]]
id = "bob-key-one"
"#,
    ),
    (
        "strings.toml",
        "basic = \"tab\\there \\\"quoted\\\" back\\\\slash\"\n\
         literal = 'C:\\Users\\secret-user'\n\
         multi = \"\"\"\nfirst secret line\nsecond secret line\n\"\"\"\n\
         raw = '''\nverbatim \\n stays\n'''\n\
         unicode = \"Grüße, 世界! ☃ 🎉\"\n\
         \"quoted key\" = \"quoted-key-value\"\n\
         'literal key' = \"literal-key-value\"\n\
         empty = \"\"\n\
         \n\
         [\"ünïcode-table\"]\n\
         \"ключ\" = \"значение-секрет\"\n",
    ),
    (
        "order.toml",
        "zeta = \"last-letter-first\"\nalpha = \"first-letter-second\"\n\n\n[z]\nb = \"bee-value\"\na = \"ay-value\"\n\n[a]\nz = \"zed-value\"\n# trailing comment at the end of the file\n",
    ),
    (
        "dotted.toml",
        "site.name = \"dotted-site-name\"\nsite.\"quoted part\".x = \"dotted-quoted\"\n\n[physical]\ncolor.shade = \"dark-orange\"\n",
    ),
    ("datetimes.toml", "local_date = 1979-05-27\nlocal_time = 07:32:00\nlocal_dt = 1979-05-27T07:32:00.999\noffset = 1979-05-27T00:32:00.5-07:00\n"),
];

/// Strings in the corpus that must not appear in the encrypted files.
const SECRETS: &[&str] = &[
    "Payments API",
    "shown in the dashboard",
    "ops-team@example.org",
    "s3cr3t-pa55",
    "Lit3ral",
    "replica-host",
    "primary connection",
    "alpha-token-1",
    "first-element",
    "a comment line",
    "inline-secret",
    "deepest-value",
    "alice-the-admin",
    "bob-key-one",
    "second user",
    "secret-user",
    "first secret line",
    "verbatim",
    "Grüße",
    "quoted-key-value",
    "значение-секрет",
    "last-letter-first",
    "zed-value",
    "trailing comment at the end",
    "dotted-site-name",
    "dark-orange",
    "1979-05-27",
    "07:32:00",
];

fn encrypt(sb: &Sandbox, name: &str) -> Vec<u8> {
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, name])
        .run();
    out.assert_success();
    out.stdout
}

fn decrypt(sb: &Sandbox, name: &str) -> crate::util::Output {
    sb.leafseal()
        .age_identity(AGE1.identity_file())
        .args(["decrypt", name])
        .run()
}

#[test]
fn toml_corpus_round_trips_byte_for_byte_and_hides_values() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    for (name, text) in CORPUS {
        sb.write(name, text);
        let enc = encrypt(&sb, name);
        let enc_text = String::from_utf8(enc.clone()).expect("encrypted file is UTF-8");
        for s in SECRETS {
            if enc_text.contains(s) {
                failures.push(format!(
                    "{name}: {s:?} appears in the encrypted file:\n{enc_text}"
                ));
            }
        }
        assert!(
            enc_text.contains("\n[sops]\n") && enc_text.contains("\n[[sops.age]]\n"),
            "{name}:\n{enc_text}"
        );
        assert!(enc_text.contains(AGE1.recipient), "{name}:\n{enc_text}");
        let enc_name = format!("enc.{name}");
        sb.write(&enc_name, &enc);
        let out = decrypt(&sb, &enc_name);
        out.assert_success();
        if out.stdout != text.as_bytes() {
            failures.push(format!(
                "{name}: decrypt differs\n--- input ---\n{text}\n--- decrypted ---\n{}\n--- encrypted ---\n{enc_text}",
                out.stdout_str()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn unencrypted_suffix_stays_clear_and_is_authenticated() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    sb.write(
        "s.toml",
        "password = \"hunter2-secret\"\nhost_unencrypted = \"db.example.org\"\n",
    );
    let enc = String::from_utf8(encrypt(&sb, "s.toml")).expect("utf8");
    assert!(
        enc.contains("host_unencrypted = \"db.example.org\"\n"),
        "{enc}"
    );
    assert!(!enc.contains("hunter2-secret"), "{enc}");
    assert!(
        enc.contains("unencrypted_suffix = \"_unencrypted\""),
        "{enc}"
    );
    sb.write(
        "s.enc.toml",
        enc.replace("db.example.org", "evil.example.org"),
    );
    decrypt(&sb, "s.enc.toml").assert_code(51);
}

#[test]
fn a_modified_ciphertext_fails_to_decrypt() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    sb.write("t.toml", "[db]\npassword = \"correct-horse-battery\"\n");
    let enc = String::from_utf8(encrypt(&sb, "t.toml")).expect("utf8");
    let start = enc
        .find("password = \"ENC[AES256_GCM,data:")
        .expect("encrypted password")
        + "password = \"ENC[AES256_GCM,data:".len();
    let mut bytes = enc.into_bytes();
    bytes[start] = if bytes[start] == b'A' { b'B' } else { b'A' };
    sb.write("t.enc.toml", bytes);
    decrypt(&sb, "t.enc.toml")
        .assert_code(25)
        .assert_stderr_contains("password");
}

#[test]
fn extract_prints_raw_values_and_tables() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    sb.write(
        "x.toml",
        "[table]\nkey = \"the raw value\"\nport = 5432\nlist = [1, 2]\n",
    );
    sb.write("x.enc.toml", encrypt(&sb, "x.toml"));
    let extract = |path: &str| {
        sb.leafseal()
            .age_identity(AGE1.identity_file())
            .args(["decrypt", "--extract", path, "x.enc.toml"])
            .run()
    };
    extract(r#"["table"]["key"]"#)
        .assert_success()
        .assert_stdout_eq(b"the raw value");
    extract(r#"["table"]["port"]"#)
        .assert_success()
        .assert_stdout_eq(b"5432");
    extract(r#"["table"]["list"]"#)
        .assert_success()
        .assert_stdout_eq(b"[1, 2]");
    extract(r#"["table"]"#)
        .assert_success()
        .assert_stdout_eq(b"key = \"the raw value\"\nport = 5432\nlist = [1, 2]\n");
    extract(r#"["table"]["missing"]"#).assert_failure();
}

#[test]
fn set_and_unset_keep_the_layout() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    let plain = "# config\na = \"one\"\n\n[t]\nb = 'two' # note\nc = 3\n";
    sb.write("s.toml", plain);
    sb.write("s.enc.toml", encrypt(&sb, "s.toml"));
    let run = |args: &[&str]| {
        sb.leafseal()
            .age_identity(AGE1.identity_file())
            .args(args)
            .run()
    };
    run(&["set", "s.enc.toml", r#"["t"]["d"]"#, r#""four""#]).assert_success();
    run(&["unset", "s.enc.toml", r#"["t"]["c"]"#]).assert_success();
    decrypt(&sb, "s.enc.toml")
        .assert_success()
        .assert_stdout_eq(b"# config\na = \"one\"\n\n[t]\nb = 'two' # note\nd = \"four\"\n");
}

#[test]
fn malformed_toml_is_a_clean_error_with_a_position() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    sb.write("bad.toml", "ok = 1\n[table\nx = 2\n");
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "bad.toml"])
        .run();
    out.assert_code(2)
        .assert_leafseal_one_line_error("bad.toml");
    assert!(
        out.stderr_str().contains("line 2, column"),
        "{}",
        out.describe()
    );
    sb.write("dup.toml", "a = 1\na = 2\n");
    sb.leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "dup.toml"])
        .run()
        .assert_code(2);
    sb.write("empty.toml", "\n");
    sb.leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "empty.toml"])
        .run()
        .assert_failure();
}

#[test]
fn toml_is_chosen_by_extension_and_by_name() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    sb.write("plain.conf", "secret = \"by-input-type\"\n");
    let out = sb
        .leafseal()
        .args([
            "encrypt",
            "--input-type",
            "toml",
            "--output-type",
            "toml",
            "--age",
            AGE1.recipient,
            "plain.conf",
        ])
        .run();
    out.assert_success();
    assert!(
        out.stdout_str().contains("secret = \"ENC[AES256_GCM,"),
        "{}",
        out.describe()
    );
    sb.write("y.yaml", "k: v-from-yaml\nn: 1\n");
    let out = sb
        .leafseal()
        .args([
            "encrypt",
            "--output-type",
            "toml",
            "--age",
            AGE1.recipient,
            "y.yaml",
        ])
        .run();
    out.assert_success();
    sb.write("y.enc.toml", &out.stdout);
    decrypt(&sb, "y.enc.toml")
        .assert_success()
        .assert_stdout_eq(b"k = \"v-from-yaml\"\nn = 1\n");
}

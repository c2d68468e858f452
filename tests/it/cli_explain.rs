//! Issue 15 item 6: `explain` shows the configuration, rule, keys and settings for a file;
//! `--age-key-file` names the identity file; a broken SSH key in `~/.ssh` does not block a
//! working age identity.

use crate::util::keys::{AGE1, AGE2};
use crate::util::{testing_leafseal, Sandbox};

fn config(sb: &Sandbox) {
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: ^prod/\n    age: {}\n  - path_regex: secrets/.*\\.enc\\.yaml$\n    encrypted_regex: ^(password|token)$\n    key_groups:\n      - age: [{}]\n      - age: [{}]\n    shamir_threshold: 1\n",
            AGE2.recipient, AGE1.recipient, AGE2.recipient
        ),
    );
}

#[test]
fn explain_names_the_config_the_rule_and_the_resulting_keys() {
    if !testing_leafseal() {
        return; // a leafseal command
    }
    let sb = Sandbox::new();
    config(&sb);
    std::fs::create_dir(sb.path("secrets")).unwrap();
    let out = sb
        .leafseal()
        .current_dir(sb.path("secrets"))
        .args(["explain", "--json", "web.enc.yaml"])
        .run();
    out.assert_success();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cfg = sb.path(".sops.yaml").canonicalize().unwrap();
    assert_eq!(v["config"], cfg.display().to_string());
    // Matched relative to the configuration's directory, not the working directory.
    assert_eq!(v["matched_path"], "secrets/web.enc.yaml");
    assert_eq!(v["rule"]["index"], 1);
    assert_eq!(v["keys_from"], "rule");
    assert_eq!(v["key_groups"][0][0]["type"], "age");
    assert_eq!(v["key_groups"][0][0]["key"], AGE1.recipient);
    assert_eq!(v["key_groups"][1][0]["key"], AGE2.recipient);
    assert_eq!(v["shamir_threshold"], 1);
    assert_eq!(v["selection"]["kind"], "encrypted_regex");
    assert_eq!(v["selection"]["pattern"], "^(password|token)$");
    assert_eq!(v["format"], "yaml");

    // The human form says the same in lines.
    let out = sb
        .leafseal()
        .args(["explain", "secrets/web.enc.yaml"])
        .run();
    out.assert_success();
    let text = out.stdout_str();
    assert!(
        text.contains("matching rule:      [1] \"secrets/.*\\\\.enc\\\\.yaml$\""),
        "{text}"
    );
    assert!(
        text.contains(&format!("key group 1:        age {}", AGE2.recipient)),
        "{text}"
    );

    // Key flags replace the rule's keys, and say so.
    let out = sb
        .leafseal()
        .args(["explain", "--json", "--age", AGE2.recipient, "prod/x.yaml"])
        .run();
    out.assert_success();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rule"]["index"], 0);
    assert_eq!(v["keys_from"], "flags");
    assert_eq!(v["key_groups"][0][0]["key"], AGE2.recipient);
    assert_eq!(v["selection"]["default"], true);
}

#[test]
fn explain_of_a_file_no_rule_matches_fails_as_encrypt_does() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    config(&sb);
    let out = sb
        .leafseal()
        .args(["explain", "--json", "other.yaml"])
        .run();
    // The same exit code as `encrypt` of that file, with the report and the hints.
    sb.write("other.yaml", "a: 1\n");
    let enc = sb.leafseal().args(["encrypt", "other.yaml"]).run();
    enc.assert_failure();
    out.assert_code(enc.code);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["rule"].is_null());
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("no matching creation rules"),
        "{v}"
    );
    out.assert_stderr_contains("--filename-override");

    // No configuration at all, no keys: the hint names both ways to give keys.
    let bare = Sandbox::new();
    let out = bare.leafseal().args(["explain", "x.yaml"]).run();
    out.assert_failure();
    assert!(
        out.stdout_str().contains("none found"),
        "{}",
        out.describe()
    );
    out.assert_stderr_contains("hint: pass recipients");
}

fn encrypted(sb: &Sandbox) {
    sb.write("s.yaml", "token: t0p\n");
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "s.yaml"])
        .run();
    out.assert_success();
    sb.write("s.enc.yaml", &out.stdout);
}

#[test]
fn age_key_file_flag_names_the_identity_file() {
    if !testing_leafseal() {
        return; // getsops/sops#2235: not in SOPS 3.11
    }
    let sb = Sandbox::new();
    encrypted(&sb);
    let key = AGE1.identity_file();
    let key = key.to_str().unwrap();
    // Both command forms, the flag before or after the subcommand; it wins over a wrong
    // SOPS_AGE_KEY_FILE.
    for args in [
        vec!["decrypt", "--age-key-file", key, "s.enc.yaml"],
        vec!["--age-key-file", key, "decrypt", "s.enc.yaml"],
        vec!["-d", "--age-key-file", key, "s.enc.yaml"],
    ] {
        sb.leafseal()
            .env("SOPS_AGE_KEY_FILE", AGE2.identity_file())
            .args(&args)
            .run()
            .assert_stdout_eq(b"token: t0p\n");
    }
    // A file that cannot be read is a one-line error before anything else happens.
    let out = sb
        .leafseal()
        .args(["decrypt", "--age-key-file", "missing.txt", "s.enc.yaml"])
        .run();
    out.assert_code(1);
    out.assert_stderr_contains("--age-key-file missing.txt: cannot read");
}

#[test]
fn a_broken_ssh_key_does_not_block_a_working_age_identity() {
    // getsops/sops#1987: a broken ~/.ssh/id_ed25519 or id_rsa made decryption fail.
    let sb = Sandbox::new();
    encrypted(&sb);
    std::fs::create_dir_all(sb.home().join(".ssh")).unwrap();
    std::fs::write(
        sb.home().join(".ssh/id_ed25519"),
        "-----BEGIN OPENSSH PRIVATE KEY-----\nbroken\n-----END OPENSSH PRIVATE KEY-----\n",
    )
    .unwrap();
    std::fs::write(sb.home().join(".ssh/id_rsa"), "not a key at all\n").unwrap();
    let out = sb
        .leafseal()
        .age_identity(AGE1.identity_file())
        .args(["decrypt", "s.enc.yaml"])
        .run();
    out.assert_stdout_eq(b"token: t0p\n");
    assert!(
        !out.stderr_str().contains("ssh"),
        "no warning while an identity worked: {}",
        out.describe()
    );
    // Without a working identity the broken keys are named in the error.
    let out = sb
        .leafseal()
        .age_identity(AGE2.identity_file())
        .args(["decrypt", "s.enc.yaml"])
        .run();
    out.assert_code(128);
    if testing_leafseal() {
        out.assert_stderr_contains(".ssh/id_ed25519");
    }
}

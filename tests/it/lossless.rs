//! Lossless layout and stable ciphertexts (issue 7 acceptance 1 and 2).
//!
//! - decrypt(encrypt(x)) == x byte for byte for hand-written files in `testdata/lossless/`,
//!   and the reference sops decrypts leafseal's file to the same data as its own encryption
//!   of x (compared as sops prints them).
//! - Re-encrypting with `--output OLD` after changing one value changes exactly the value,
//!   `lastmodified` and `mac` lines; re-encrypting an unchanged file leaves it untouched.

use crate::util::keys::AGE1;
use crate::util::{testdata, testing_leafseal, tools, Sandbox};

#[test]
fn decrypt_of_encrypt_is_the_identity_and_sops_reads_it() {
    if !testing_leafseal() {
        return;
    }
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(testdata("lossless")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".yaml") || name.ends_with(".json")) {
            continue;
        }
        let original = std::fs::read(&path).unwrap();
        sb.write(&name, &original);
        let enc = sb
            .leafseal()
            .args(["encrypt", "--age", AGE1.recipient, &name])
            .run();
        enc.assert_success();
        let enc_name = format!("enc.{name}");
        sb.write(&enc_name, &enc.stdout);
        let dec = sb
            .leafseal()
            .args(["decrypt", &enc_name])
            .age_identity(AGE1.identity_file())
            .run();
        dec.assert_success();
        assert!(
            dec.stdout == original,
            "{name}: decrypt(encrypt(x)) != x\n--- got ---\n{}",
            dec.stdout_str()
        );
        // The reference reads leafseal's file exactly as it reads its own encryption of x.
        let theirs = sb
            .cmd(&sops)
            .args(["encrypt", "--age", AGE1.recipient, &name])
            .run();
        theirs.assert_success();
        sb.write(&format!("sops.{name}"), &theirs.stdout);
        let a = sb
            .cmd(&sops)
            .args(["decrypt", &enc_name])
            .age_identity(AGE1.identity_file())
            .run();
        let b = sb
            .cmd(&sops)
            .args(["decrypt", &format!("sops.{name}")])
            .age_identity(AGE1.identity_file())
            .run();
        a.assert_success();
        b.assert_success();
        assert_eq!(
            a.stdout_str(),
            b.stdout_str(),
            "{name}: sops sees different data"
        );
        checked += 1;
    }
    assert!(checked >= 5, "corpus too small: {checked}");
}

fn changed_keys(a: &str, b: &str) -> Vec<String> {
    let (la, lb): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    assert_eq!(la.len(), lb.len());
    la.iter()
        .zip(&lb)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.trim().split(':').next().unwrap().to_string())
        .collect()
}

#[test]
fn re_encrypting_changes_only_what_changed() {
    if !testing_leafseal() {
        return;
    }
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let plain = std::fs::read_to_string(testdata("lossless/app.yaml")).unwrap();
    sb.write("app.yaml", &plain);
    sb.leafseal()
        .args([
            "encrypt",
            "--age",
            AGE1.recipient,
            "--output",
            "app.enc.yaml",
            "app.yaml",
        ])
        .run()
        .assert_success();
    let v1 = sb.read_string("app.enc.yaml");

    // Unchanged plaintext: the file is not rewritten at all.
    sb.leafseal()
        .args(["encrypt", "--output", "app.enc.yaml", "app.yaml"])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    assert_eq!(sb.read_string("app.enc.yaml"), v1);
    let reused = sb
        .leafseal()
        .args(["encrypt", "--reuse-from", "app.enc.yaml", "app.yaml"])
        .age_identity(AGE1.identity_file())
        .run();
    reused.assert_success();
    assert_eq!(reused.stdout_str(), v1);

    // One value changed: its line, lastmodified, mac and the layout token (bound to the mac,
    // so a token from another version never opens) change, nothing else.
    sb.write(
        "app.yaml",
        plain.replace("password: 'c0rrect horse'", "password: 'new horse'"),
    );
    sb.leafseal()
        .args(["encrypt", "--output", "app.enc.yaml", "app.yaml"])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    let v2 = sb.read_string("app.enc.yaml");
    let mut keys = changed_keys(&v1, &v2);
    keys.retain(|k| k != "lastmodified");
    assert_eq!(keys, ["password", "leafseal_layout", "mac"]);
    let out = sb
        .cmd(&sops)
        .args([
            "decrypt",
            "--extract",
            "[\"database\"][\"password\"]",
            "app.enc.yaml",
        ])
        .age_identity(AGE1.identity_file())
        .run();
    out.assert_success().assert_stdout_eq(b"new horse");
    let dec = sb
        .leafseal()
        .args(["decrypt", "app.enc.yaml"])
        .age_identity(AGE1.identity_file())
        .run();
    assert_eq!(dec.stdout_str(), sb.read_string("app.yaml"));
}

//! `rotate` and `updatekeys` (issue 4 acceptance 4), checked with the reference sops: rotate
//! changes the data key and every ciphertext while the plaintext stays equal; a removed key can
//! no longer decrypt; updatekeys on a directory changes only the matching encrypted files, and
//! in them only the `sops` block.

use crate::util::keys::{self, AGE1, AGE2};
use crate::util::{testing_leafseal, tools, Sandbox};

fn encrypt_to(sb: &Sandbox, plain: &str, recipients: &str) -> Vec<u8> {
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", recipients, plain])
        .run();
    out.assert_success();
    out.stdout
}

fn data_lines(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| !l.starts_with("sops:"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn rotate_changes_key_and_ciphertexts_and_removed_key_is_locked_out() {
    if !testing_leafseal() {
        return;
    }
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("f.yaml", "a: 1\nb: [x, y]\nc:\n    d: secret\n");
    sb.write("f.enc.yaml", encrypt_to(&sb, "f.yaml", AGE1.recipient));
    let before = sb.read_string("f.enc.yaml");
    let out = sb
        .leafseal()
        .args([
            "rotate",
            "-i",
            "--add-age",
            AGE2.recipient,
            "--rm-age",
            AGE1.recipient,
            "f.enc.yaml",
        ])
        .age_identity(AGE1.identity_file())
        .run();
    out.assert_success();
    let after = sb.read_string("f.enc.yaml");
    // Every value's ciphertext changed (new key), yet the IVs were kept.
    let (b, a) = (data_lines(&before), data_lines(&after));
    assert_eq!(b.len(), a.len());
    for (x, y) in b.iter().zip(&a) {
        if x.contains("ENC[") {
            assert_ne!(x, y, "ciphertext unchanged after rotate");
            let iv = |s: &str| {
                s.split("iv:")
                    .nth(1)
                    .map(|r| r.split(',').next().unwrap().to_owned())
            };
            assert_eq!(iv(x), iv(y), "value IVs are kept by rotate");
        }
    }
    let old = sb
        .cmd(&sops)
        .args(["decrypt", "f.enc.yaml"])
        .age_identity(AGE1.identity_file())
        .run();
    old.assert_code(128);
    let new = sb
        .cmd(&sops)
        .args(["decrypt", "f.enc.yaml"])
        .age_identity(AGE2.identity_file())
        .run();
    new.assert_success()
        .assert_stdout_eq(b"a: 1\nb:\n    - x\n    - \"y\"\nc:\n    d: secret\n");
}

#[test]
fn rotate_matches_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("f.yaml", "a: 1\nb: two\n");
    let enc = encrypt_to(&sb, "f.yaml", AGE1.recipient);
    sb.write("ours.yaml", &enc);
    sb.write("theirs.yaml", &enc);
    for (bin, file) in [(None, "ours.yaml"), (Some(&sops), "theirs.yaml")] {
        let cmd = match bin {
            None => sb.leafseal(),
            Some(s) => sb.cmd(s),
        };
        cmd.args(["rotate", "-i", "--add-age", AGE2.recipient, file])
            .age_identity(AGE1.identity_file())
            .run()
            .assert_success();
    }
    for file in ["ours.yaml", "theirs.yaml"] {
        let out = sb
            .cmd(&sops)
            .args(["decrypt", file])
            .age_identity(AGE2.identity_file())
            .run();
        out.assert_success().assert_stdout_eq(b"a: 1\nb: two\n");
    }
}

#[test]
fn updatekeys_on_a_directory_touches_only_matching_encrypted_files() {
    if !testing_leafseal() {
        return; // walking directories is leafseal's extension
    }
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("f.yaml", "a: 1\nb: two\n");
    let enc = encrypt_to(&sb, "f.yaml", AGE1.recipient);
    // Written after encrypting: its rule does not match f.yaml, which would be an error.
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: ^d/.*\\.yaml$\n    age: {},{}\n",
            AGE1.recipient, AGE2.recipient
        ),
    );
    std::fs::create_dir_all(sb.path("d/sub")).unwrap();
    std::fs::create_dir_all(sb.path("d/.git")).unwrap();
    sb.write("d/one.yaml", &enc);
    sb.write("d/sub/two.yaml", &enc);
    sb.write("d/plain.yaml", "a: 1\n");
    sb.write("d/other.json", &enc);
    sb.write("d/.git/hidden.yaml", &enc);
    sb.write("outside.yaml", &enc);
    let untouched = [
        "d/plain.yaml",
        "d/other.json",
        "d/.git/hidden.yaml",
        "outside.yaml",
    ];
    let before: Vec<Vec<u8>> = untouched.iter().map(|f| sb.read(f)).collect();
    let out = sb
        .leafseal()
        .args(["updatekeys", "-y", "d"])
        .current_dir(sb.root())
        .age_identity(AGE1.identity_file())
        .run();
    out.assert_success();
    for (f, b) in untouched.iter().zip(&before) {
        assert_eq!(&sb.read(f), b, "{f} must be byte-identical");
    }
    for f in ["d/one.yaml", "d/sub/two.yaml"] {
        let text = sb.read_string(f);
        assert_eq!(
            data_lines(&text),
            data_lines(&String::from_utf8_lossy(&enc)),
            "{f}: values must be untouched"
        );
        let out = sb
            .cmd(&sops)
            .args(["decrypt", f])
            .age_identity(AGE2.identity_file())
            .run();
        out.assert_success().assert_stdout_eq(b"a: 1\nb: two\n");
    }
    // Answering no changes nothing; an up-to-date file is left alone.
    sb.write("d/three.yaml", &enc);
    let out = sb
        .leafseal()
        .args(["updatekeys", "d/three.yaml"])
        .current_dir(sb.root())
        .stdin(b"n\n".to_vec())
        .age_identity(AGE1.identity_file())
        .run();
    out.assert_success();
    assert_eq!(sb.read("d/three.yaml"), enc);
    let again = sb.read("d/one.yaml");
    sb.leafseal()
        .args(["updatekeys", "-y", "d/one.yaml"])
        .current_dir(sb.root())
        .age_identity(keys::age_all_identities())
        .run()
        .assert_success();
    assert_eq!(sb.read("d/one.yaml"), again);
}

#[test]
fn updatekeys_result_matches_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - age: {},{}\n",
            AGE1.recipient, AGE2.recipient
        ),
    );
    sb.write("f.yaml", "a: 1\n");
    let enc = encrypt_to(&sb, "f.yaml", AGE1.recipient);
    sb.write("ours.yaml", &enc);
    sb.write("theirs.yaml", &enc);
    let a = sb
        .leafseal()
        .args(["updatekeys", "-y", "ours.yaml"])
        .current_dir(sb.root())
        .age_identity(AGE1.identity_file())
        .run();
    let b = sb
        .cmd(&sops)
        .args(["updatekeys", "-y", "theirs.yaml"])
        .current_dir(sb.root())
        .age_identity(AGE1.identity_file())
        .run();
    assert_eq!(a.code, b.code, "{}\n{}", a.describe(), b.describe());
    for file in ["ours.yaml", "theirs.yaml"] {
        let out = sb
            .cmd(&sops)
            .args(["decrypt", file])
            .age_identity(AGE2.identity_file())
            .run();
        out.assert_success().assert_stdout_eq(b"a: 1\n");
    }
}

/// `groups add` / `groups delete` side by side with sops: the same key combinations open the
/// result, and values stay untouched.
#[test]
fn groups_add_and_delete_match_sops() {
    use crate::util::keys::AGE3;
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("f.yaml", "a: 1\nb: two\n");
    let enc = encrypt_to(&sb, "f.yaml", AGE1.recipient);
    let opens = |file: &str, ids: &[&crate::util::keys::AgeKey]| {
        let text: String = ids
            .iter()
            .map(|k| std::fs::read_to_string(k.identity_file()).unwrap() + "\n")
            .collect();
        sb.write("ids.txt", text);
        sb.cmd(&sops)
            .args(["decrypt", file])
            .age_identity(sb.path("ids.txt"))
            .run()
            .code
            == 0
    };
    for (who, file) in [("leafseal", "ours.yaml"), ("sops", "theirs.yaml")] {
        sb.write(file, &enc);
        let run = |args: &[&str]| {
            let cmd = if who == "leafseal" {
                sb.leafseal()
            } else {
                sb.cmd(&sops)
            };
            cmd.args(args)
                .age_identity(keys::age_all_identities())
                .run()
                .assert_success();
        };
        run(&["groups", "add", "-i", "-f", file, "--age", AGE2.recipient]);
        run(&[
            "groups",
            "add",
            "-i",
            "-f",
            file,
            "--age",
            AGE3.recipient,
            "--shamir-secret-sharing-threshold",
            "2",
        ]);
        assert_eq!(
            data_lines(&sb.read_string(file)),
            data_lines(&String::from_utf8_lossy(&enc)),
            "{who}: values changed"
        );
        for k in [&AGE1, &AGE2, &AGE3] {
            assert!(!opens(file, &[k]), "{who}: one group must not be enough");
        }
        assert!(
            opens(file, &[&AGE1, &AGE3]) && opens(file, &[&AGE2, &AGE3]),
            "{who}: two groups must open it"
        );
        run(&["groups", "delete", "-i", "-f", file, "0"]);
        assert!(
            !opens(file, &[&AGE1, &AGE2]) && opens(file, &[&AGE2, &AGE3]),
            "{who}: after deleting group 0"
        );
    }
}

/// Beyond sops: `rotate -i DIR` rotates every encrypted file below DIR and leaves the rest.
#[test]
fn rotate_walks_directories() {
    if !testing_leafseal() {
        return;
    }
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("f.yaml", "a: 1\n");
    let enc = encrypt_to(&sb, "f.yaml", AGE1.recipient);
    std::fs::create_dir_all(sb.path("d/sub")).unwrap();
    sb.write("d/one.yaml", &enc);
    sb.write("d/sub/two.yaml", &enc);
    sb.write("d/plain.yaml", "a: 1\n");
    let out = sb
        .leafseal()
        .args(["rotate", "-i", "--add-age", AGE2.recipient, "d"])
        .age_identity(AGE1.identity_file())
        .run();
    out.assert_success();
    assert_eq!(sb.read_string("d/plain.yaml"), "a: 1\n");
    for f in ["d/one.yaml", "d/sub/two.yaml"] {
        assert_ne!(sb.read(f), enc, "{f} not rotated");
        let o = sb
            .cmd(&sops)
            .args(["decrypt", f])
            .age_identity(AGE2.identity_file())
            .run();
        o.assert_success().assert_stdout_eq(b"a: 1\n");
    }
    // A directory without -i is refused (nowhere to print many files).
    sb.leafseal()
        .args(["rotate", "d"])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_code(8);
}

#[test]
fn rotate_names_the_flag_of_an_unparsable_cloud_key() {
    let sb = Sandbox::new();
    sb.write("f.yaml", "a: 1\n");
    let enc = encrypt_to(&sb, "f.yaml", AGE1.recipient);
    sb.write("f.enc.yaml", &enc);
    for (flag, bad) in [
        ("hc-vault-transit", "not a url"),
        ("gcp-kms", "projects/p"),
        ("azure-kv", "https://x"),
        ("hckms", "nocolon"),
    ] {
        let o = sb
            .leafseal()
            .args(["rotate", &format!("--add-{flag}"), bad, "f.enc.yaml"])
            .age_identity(AGE1.identity_file())
            .run();
        o.assert_code(1);
        o.assert_stderr_contains(&format!("--add-{flag}/--rm-{flag}: "));
    }
    assert_eq!(sb.read("f.enc.yaml"), enc);
}

//! Tampering with a leafseal-encrypted file (issue 2 acceptance 2): each case also runs sops
//! on the same bytes and requires it to give the same exit code.

use std::ops::Range;
use std::path::Path;

use super::*;
use crate::util::keys::AGE1;

const TAMPER_YAML: &str = "tamper_target: a secret that will be tampered with\n\
swap_a: first swapped secret\n\
swap_b: second swapped secret\n\
items:\n  - first list item\n  - second list item\n\
note_unencrypted: original clear note\n";

const TAMPER_JSON: &str = r#"{
  "tamper_target": "a secret that will be tampered with",
  "swap_a": "first swapped secret",
  "swap_b": "second swapped secret",
  "items": ["first list item", "second list item"],
  "note_unencrypted": "original clear note"
}
"#;

/// Byte range of the `ENC[…]` token that is the value of `key` (YAML or JSON layout).
fn token_range(text: &str, key: &str) -> Range<usize> {
    let re = regex::Regex::new(&format!(r#"{}"?:\s*"?(ENC\[[^\]]*\])"#, regex::escape(key)))
        .expect("valid regex");
    let m = re
        .captures(text)
        .and_then(|c| c.get(1))
        .unwrap_or_else(|| panic!("no ENC token for key {key:?} in\n{text}"));
    m.range()
}

/// Ranges of all `ENC[…]` tokens after the first occurrence of `key`.
fn tokens_after(text: &str, key: &str) -> Vec<Range<usize>> {
    let start = text.find(key).expect("key present");
    regex::Regex::new(r"ENC\[[^\]]*\]")
        .expect("valid regex")
        .find_iter(&text[start..])
        .map(|m| m.start() + start..m.end() + start)
        .collect()
}

/// `text` with the first base64 character after `field:` inside `range` replaced by another
/// one. Changing the first character always changes the first decoded byte.
fn flip_in_token(text: &str, range: Range<usize>, field: &str) -> String {
    let tok = &text[range.clone()];
    let at =
        range.start + tok.find(&format!("{field}:")).expect("field in token") + field.len() + 1;
    let old = text.as_bytes()[at];
    let new = if old == b'A' { 'B' } else { 'A' };
    format!("{}{}{}", &text[..at], new, &text[at + 1..])
}

fn swap(text: &str, a: Range<usize>, b: Range<usize>) -> String {
    assert!(a.end <= b.start, "ranges in order");
    format!(
        "{}{}{}{}{}",
        &text[..a.start],
        &text[b.clone()],
        &text[a.end..b.start],
        &text[a],
        &text[b.end..]
    )
}

/// Decrypts `bytes` (written as `name`) with the binary under test and with sops; both must
/// exit `expected`. Returns the output of the binary under test.
fn decrypt_tampered(
    sb: &Sandbox,
    sops: &Path,
    name: &str,
    bytes: &str,
    flags: &[&str],
    expected: i32,
) -> Output {
    sb.write(name, bytes);
    let theirs = sb
        .cmd(sops)
        .arg("decrypt")
        .args(flags)
        .arg(name)
        .age_identity(AGE1.identity_file())
        .run();
    assert_eq!(
        theirs.code,
        expected,
        "the reference sops no longer exits {expected} for {name} {flags:?}: update the test\n{}",
        theirs.describe()
    );
    let ours = sb
        .leafseal()
        .arg("decrypt")
        .args(flags)
        .arg(name)
        .age_identity(AGE1.identity_file())
        .run();
    ours.assert_code(expected);
    if expected != 0 {
        ours.assert_leafseal_one_line_error(name);
    }
    ours
}

fn tamper_matrix(ext: &str, plain: &str) {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write(&format!("t.{ext}"), plain);
    let enc = leafseal_encrypt(&sb, &format!("t.{ext}"), AGE1.recipient);
    enc.assert_success();
    let text = enc.stdout_str();
    // Sanity: the untouched file decrypts.
    decrypt_tampered(&sb, &sops, &format!("ok.{ext}"), &text, &[], 0);

    // One flipped character in the data, the IV or the tag: GCM authentication fails.
    for field in ["data", "iv", "tag"] {
        let bad = flip_in_token(&text, token_range(&text, "tamper_target"), field);
        decrypt_tampered(
            &sb,
            &sops,
            &format!("flip-{field}.{ext}"),
            &bad,
            &[],
            EXIT_DECRYPT_TREE,
        );
        // --ignore-mac does not help: the value itself cannot be decrypted.
        decrypt_tampered(
            &sb,
            &sops,
            &format!("flip-{field}-im.{ext}"),
            &bad,
            &["--ignore-mac"],
            EXIT_DECRYPT_TREE,
        );
    }

    // Two ciphertexts swapped between paths: the AAD (the path) no longer matches.
    let bad = swap(
        &text,
        token_range(&text, "swap_a"),
        token_range(&text, "swap_b"),
    );
    decrypt_tampered(
        &sb,
        &sops,
        &format!("swap-paths.{ext}"),
        &bad,
        &[],
        EXIT_DECRYPT_TREE,
    );

    // Two list items swapped: same AAD (no list indices), so values decrypt but the MAC
    // (which hashes values in order) does not match.
    let items = tokens_after(&text, "items");
    let bad = swap(&text, items[0].clone(), items[1].clone());
    decrypt_tampered(
        &sb,
        &sops,
        &format!("swap-items.{ext}"),
        &bad,
        &[],
        EXIT_MAC_MISMATCH,
    );
    let out = decrypt_tampered(
        &sb,
        &sops,
        &format!("swap-items-im.{ext}"),
        &bad,
        &["--ignore-mac"],
        0,
    );
    let s = out.stdout_str();
    assert!(
        s.find("second list item") < s.find("first list item"),
        "--ignore-mac prints the swapped order\n{}",
        out.describe()
    );

    // An edited `_unencrypted` value: MAC mismatch; --ignore-mac prints the edited value.
    assert!(
        text.contains("original clear note"),
        "unencrypted value in clear\n{text}"
    );
    let bad = text.replace("original clear note", "edited clear note");
    decrypt_tampered(
        &sb,
        &sops,
        &format!("edit-clear.{ext}"),
        &bad,
        &[],
        EXIT_MAC_MISMATCH,
    );
    decrypt_tampered(
        &sb,
        &sops,
        &format!("edit-clear-im.{ext}"),
        &bad,
        &["--ignore-mac"],
        0,
    )
    .assert_stdout_contains("edited clear note");

    // The encrypted MAC itself damaged: it cannot be decrypted, which sops also reports as 51.
    let mac = token_range(&text, "mac");
    let bad = flip_in_token(&text, mac, "data");
    decrypt_tampered(
        &sb,
        &sops,
        &format!("flip-mac.{ext}"),
        &bad,
        &[],
        EXIT_MAC_MISMATCH,
    );
    decrypt_tampered(
        &sb,
        &sops,
        &format!("flip-mac-im.{ext}"),
        &bad,
        &["--ignore-mac"],
        0,
    )
    .assert_stdout_contains("original clear note");
}

#[test]
fn tampered_yaml_fails_like_sops() {
    tamper_matrix("yaml", TAMPER_YAML);
}

#[test]
fn tampered_json_fails_like_sops() {
    tamper_matrix("json", TAMPER_JSON);
}

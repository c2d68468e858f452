//! `set`, `unset` and `filestatus`, side by side with the reference sops (issue 6).
//!
//! Data is compared through `sops decrypt --output-type json` of each tool's result, since
//! leafseal keeps the file's layout where sops re-emits canonically. The minimal-diff check
//! counts changed lines between the file before and after a `set`.

use crate::util::keys::{self, AGE1};
use crate::util::{tools, Sandbox};

/// A YAML file with `n` secret values (and a comment).
fn many_values(n: usize) -> String {
    let mut s = String::from("# service secrets\n");
    for i in 0..n {
        s.push_str(&format!("key_{i:03}: value number {i}\n"));
    }
    s.push_str("nested:\n    list:\n        - a\n        - 2\n");
    s
}

fn encrypt(sb: &Sandbox, plain: &str, enc: &str) {
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, plain])
        .run();
    out.assert_success();
    sb.write(enc, &out.stdout);
}

fn as_json(sb: &Sandbox, sops: &std::path::Path, name: &str) -> serde_json::Value {
    let out = sb
        .cmd(sops)
        .args(["decrypt", "--output-type", "json", name])
        .age_identity(keys::age_all_identities())
        .run();
    out.assert_success();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Lines that differ between two texts of equal line count (`None` if the counts differ).
fn changed_lines(a: &str, b: &str) -> Vec<String> {
    let (la, lb): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    assert_eq!(la.len(), lb.len(), "line count changed:\n{a}\n---\n{b}");
    la.iter()
        .zip(&lb)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.split(':').next().unwrap_or("").trim().to_string())
        .collect()
}

#[test]
fn set_changes_only_the_value_lastmodified_and_mac() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("big.yaml", many_values(200));
    encrypt(&sb, "big.yaml", "big.enc.yaml");
    let before = sb.read_string("big.enc.yaml");
    // A different second for lastmodified is not needed: mac changes anyway.
    sb.leafseal()
        .args(["set", "big.enc.yaml", "[\"key_123\"]", "\"changed\""])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    let after = sb.read_string("big.enc.yaml");
    let mut changed = changed_lines(&before, &after);
    changed.retain(|k| k != "lastmodified");
    assert_eq!(
        changed,
        ["key_123", "mac"],
        "only the value and the MAC (and lastmodified) may change"
    );
    let data = as_json(&sb, &sops, "big.enc.yaml");
    assert_eq!(data["key_123"], "changed");
    assert_eq!(data["key_122"], "value number 122");
}

#[test]
fn set_and_unset_match_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("f.yaml", "a: 1\nb:\n    c: hello\n    d: [1, 2]\ne: x\n");
    encrypt(&sb, "f.yaml", "ours.yaml");
    let cases: &[(&str, &[&str])] = &[
        ("set", &["[\"b\"][\"c\"]", "\"world\""]),
        (
            "set",
            &["[\"new\"][\"k\"]", "{\"x\": [1, true], \"y\": null}"],
        ),
        ("set", &["[\"b\"][\"d\"][5]", "9"]),
        ("set", &["[\"b\"][\"d\"][0][\"x\"]", "3.5"]),
        ("unset", &["[\"e\"]"]),
        ("unset", &["[\"b\"][\"d\"][0]"]),
    ];
    for (i, (cmd, args)) in cases.iter().enumerate() {
        let (ours, theirs) = (format!("ours{i}.yaml"), format!("theirs{i}.yaml"));
        sb.write(&ours, sb.read("ours.yaml"));
        sb.write(&theirs, sb.read("ours.yaml"));
        let a = sb
            .leafseal()
            .arg(cmd)
            .arg(&ours)
            .args(*args)
            .age_identity(keys::age_all_identities())
            .run();
        let b = sb
            .cmd(&sops)
            .arg(cmd)
            .arg(&theirs)
            .args(*args)
            .age_identity(keys::age_all_identities())
            .run();
        assert_eq!(
            a.code,
            b.code,
            "{cmd} {args:?}: exit codes differ\n{}\n{}",
            a.describe(),
            b.describe()
        );
        assert_eq!(
            as_json(&sb, &sops, &ours),
            as_json(&sb, &sops, &theirs),
            "{cmd} {args:?}: data differs"
        );
    }
}

/// sops 3.11 rejects a top-level JSON array as the value (exit 7, "Invalid --set value
/// format") while it accepts arrays inside objects; leafseal accepts both (docs/compat.md).
#[test]
fn set_accepts_an_array_value() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("f.yaml", "a: 1\n");
    encrypt(&sb, "f.yaml", "e.yaml");
    sb.leafseal()
        .args(["set", "e.yaml", "[\"a\"]", "[\"l1\", 2]"])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    assert_eq!(
        as_json(&sb, &sops, "e.yaml"),
        serde_json::json!({"a": ["l1", 2]})
    );
}

#[test]
fn exit_codes_match_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("f.yaml", "a: 1\n");
    encrypt(&sb, "f.yaml", "e.yaml");
    let cases: &[&[&str]] = &[
        &["set", "e.yaml", "[\"a\"]", "not json"],
        &["set", "e.yaml", "bad path", "1"],
        &["unset", "e.yaml", "[\"missing\"]"],
        &["unset", "--idempotent", "e.yaml", "[\"missing\"]"],
        &["set", "--idempotent", "e.yaml", "[\"a\"]", "1"],
        &["unset", "e.yaml", "bad"],
        &["set", "missing.yaml", "[\"a\"]", "1"],
        &["filestatus", "e.yaml"],
        &["filestatus", "f.yaml"],
    ];
    for args in cases {
        let a = sb
            .leafseal()
            .args(*args)
            .age_identity(AGE1.identity_file())
            .run();
        let b = sb
            .cmd(&sops)
            .args(*args)
            .age_identity(AGE1.identity_file())
            .run();
        assert_eq!(
            a.code,
            b.code,
            "{args:?}\n{}\n{}",
            a.describe(),
            b.describe()
        );
        if args[0] == "filestatus" {
            assert_eq!(a.stdout, b.stdout, "{args:?}");
        }
        assert_ne!(a.code, crate::util::PANIC_EXIT);
    }
    // Idempotent set of an equal value does not rewrite the file (a fresh copy: sops rewrote
    // e.yaml above, since 3.11 reads the JSON 1 as a float).
    encrypt(&sb, "f.yaml", "idem.yaml");
    let before = sb.read_string("idem.yaml");
    sb.leafseal()
        .args(["set", "--idempotent", "idem.yaml", "[\"a\"]", "1"])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    assert_eq!(sb.read_string("idem.yaml"), before);
}

//! Tests for `.sops.yaml` handling. Behaviour marked "oracle" was checked against sops 3.11
//! (`sops encrypt` from a chosen working directory, then reading the recipients and the rule in
//! the output metadata); the commands are summarised next to each test.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::tree::select::{Rule, RuleKind};

const A1: &str = "age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v";
const A2: &str = "age18xsc7j59np22mj7x9q5dzkkc74n8culrf6yhm07y34k8zc7mpu3sxnmmaj";
const A3: &str = "age14fwfswkpy8e5ux9hzvk8n7kq2de75qqhkem0nj6qg8f6pgguffpqd8nlqr";

fn cfg(text: &str) -> Config {
    Config::parse(text, Path::new("/cfg/.sops.yaml")).expect("config parses")
}

fn cfg_err(text: &str) -> ConfigError {
    Config::parse(text, Path::new("/cfg/.sops.yaml")).expect_err("config is rejected")
}

/// The key strings of every group of the rule matching `file` (below `/cfg`).
fn keys_for(c: &Config, file: &str) -> Vec<Vec<String>> {
    let rule = c
        .rule_for(Path::new(file), Path::new("/cfg"))
        .expect("rule_for")
        .expect("a rule");
    rule.key_groups
        .iter()
        .map(|g| g.keys.iter().map(|(_, k)| k.clone()).collect())
        .collect()
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

/// A tree `root/proj/.sops.yaml`, `root/proj/sub/deeper/`, `root/other/`.
fn project(config: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let proj = tmp.path().join("proj");
    write(&proj.join(CONFIG_FILE_NAME), config);
    fs::create_dir_all(proj.join("sub/deeper")).expect("mkdir");
    fs::create_dir_all(tmp.path().join("other")).expect("mkdir");
    (tmp, proj)
}

#[test]
fn example_config_three_groups() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("testdata/sops/yaml_shamir_3groups_threshold2.sops.yaml");
    let c = Config::load(&path).expect("loads");
    let rule = c
        .rule_for(Path::new("/x/secrets.yaml"), Path::new("/x"))
        .expect("ok")
        .expect("matches");
    assert_eq!(rule.shamir_threshold, 2);
    assert!(rule.uses_key_groups);
    let groups = rule.build_groups().expect("age keys build");
    let ids: Vec<Vec<String>> = groups
        .iter()
        .map(|g| g.iter().map(|k| k.id()).collect())
        .collect();
    assert_eq!(
        ids,
        vec![
            vec![A1.to_string()],
            vec![A2.to_string()],
            vec![A3.to_string()]
        ]
    );
    // `\.yaml$` does not match a JSON file, and the file has rules: an error, not "no config".
    let e = c
        .rule_for(Path::new("/x/secrets.json"), Path::new("/x"))
        .expect_err("no rule");
    assert!(matches!(e, ConfigError::NoMatchingRule { .. }), "{e}");
    assert_eq!(e.exit_code(), 1);
}

/// Oracle: config in proj/ with `^sub/` → A1, an absolute `^…/other/` → A3, catch-all → A2.
/// Encrypting sub/f.yaml from proj/sub (walking up) and from proj gave A1; other/g.yaml with
/// `--config proj/.sops.yaml` gave A3 (absolute path, since it is outside the config dir).
#[test]
fn first_match_wins_on_relative_or_absolute_path() {
    let (tmp, proj) = project("");
    let other = regex::escape(&format!("{}/other/", tmp.path().display()));
    let text = format!(
        "creation_rules:\n  - path_regex: ^sub/\n    age: {A1}\n  - path_regex: ^{other}\n    age: {A3}\n  - age: {A2}\n  - path_regex: unreachable\n    age: {A3}\n"
    );
    let c = Config::parse(&text, &proj.join(CONFIG_FILE_NAME)).expect("parses");
    let idx = |f: PathBuf| c.rule_for(&f, &proj).expect("ok").expect("some").index;
    assert_eq!(idx(proj.join("sub/f.yaml")), 0);
    assert_eq!(idx(proj.join("sub/deeper/nonexistent.json")), 0);
    // Lexical cleaning, as Go's filepath.Abs: `..` and `.` are resolved without the file system.
    assert_eq!(idx(proj.join("x/../sub/./f.yaml")), 0);
    assert_eq!(idx(tmp.path().join("other/g.yaml")), 1);
    assert_eq!(idx(proj.join("f.yaml")), 2);
    // `^sub/` is matched against the relative path only: a file in `…/proj/nosub/` is not under sub/.
    assert_eq!(idx(proj.join("nosub/sub/f.yaml")), 2);
}

#[test]
fn path_regex_is_an_unanchored_search() {
    let c = cfg(&format!(
        "creation_rules:\n  - path_regex: \\.prod\\.yaml\n    age: {A1}\n  - age: {A2}\n"
    ));
    assert_eq!(
        keys_for(&c, "/cfg/deploy/app.prod.yaml.bak"),
        vec![vec![A1.to_string()]]
    );
    assert_eq!(
        keys_for(&c, "/cfg/app.dev.yaml"),
        vec![vec![A2.to_string()]]
    );
    // An empty path_regex matches everything, like an absent one.
    let c = cfg(&format!(
        "creation_rules:\n  - path_regex: ''\n    age: {A3}\n"
    ));
    assert_eq!(keys_for(&c, "/elsewhere/x"), vec![vec![A3.to_string()]]);
}

#[test]
fn config_in_root_never_strips() {
    // sops-compat: the prefix tested is `configdir + "/"`, which is `//` for `/`.
    let c = Config::parse(&format!("creation_rules:\n  - path_regex: ^etc/\n    age: {A1}\n  - path_regex: ^/etc/\n    age: {A2}\n"), Path::new("/.sops.yaml"))
        .expect("parses");
    let r = c
        .rule_for(Path::new("/etc/x.yaml"), Path::new("/"))
        .expect("ok")
        .expect("some");
    assert_eq!(r.index, 1);
}

/// Oracle: `age: ["A1,A2", A1]` plus `merge: [{age: [A2]}]` gave recipients A2, A1.
#[test]
fn key_groups_merge_and_dedupe() {
    let c = cfg(&format!(
        "creation_rules:\n  - key_groups:\n      - age: [\"{A1},{A2}\", {A1}]\n        merge:\n          - age: [{A2}]\n            merge:\n              - age: [{A3}]\n      - age: [{A3}]\n        pgp: ['85D7 7543 B3D6 24B6 3CEA 9E6D BC17 301B 491B 3F21', 85D77543B3D624B63CEA9E6DBC17301B491B3F21]\n"
    ));
    let groups = keys_for(&c, "/cfg/a.yaml");
    assert_eq!(groups[0], vec![A3, A2, A1]);
    assert_eq!(
        groups[1],
        vec![A3, "85D77543B3D624B63CEA9E6DBC17301B491B3F21"]
    );
    let rule = c
        .rule_for(Path::new("/cfg/a"), Path::new("/cfg"))
        .expect("ok")
        .expect("some");
    assert_eq!(rule.key_groups[1].keys[1].0, "pgp");
}

/// Oracle: `age: [A1, A1]` at rule level gave two identical recipient entries.
#[test]
fn rule_level_keys_are_not_deduplicated() {
    let c = cfg(&format!("creation_rules:\n  - age: [{A1}, {A1}]\n"));
    assert_eq!(keys_for(&c, "/cfg/a.yaml"), vec![vec![A1, A1]]);
    // A comma string; list items are comma lists too.
    let c = cfg(&format!("creation_rules:\n  - age: ' {A1} ,{A2},'\n    hc_vault_transit_uri: [\"https://v:8200/v1/transit/keys/a,https://v:8200/v1/transit/keys/b\"]\n"));
    let rule = c
        .rule_for(Path::new("/cfg/a"), Path::new("/cfg"))
        .expect("ok")
        .expect("some");
    let keys: Vec<(&str, &str)> = rule.key_groups[0]
        .keys
        .iter()
        .map(|(b, k)| (b.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("age", A1),
            ("age", A2),
            ("hc_vault", "https://v:8200/v1/transit/keys/a"),
            ("hc_vault", "https://v:8200/v1/transit/keys/b")
        ]
    );
}

#[test]
fn key_string_forms_per_backend() {
    let c = cfg("creation_rules:\n  - key_groups:\n      - kms:\n          - arn: arn:aws:kms:eu-west-1:1:key/k\n            role: arn:aws:iam::1:role/r\n            context: {b: '2', a: x}\n            aws_profile: prof\n          - {arn: arn:aws:kms:eu-west-1:1:alias/plain}\n        gcp_kms: [{resource_id: projects/p/locations/l/keyRings/r/cryptoKeys/k}]\n        azure_keyvault:\n          - {vaultUrl: 'https://v.vault.azure.net', key: name, version: ver}\n          - {vaultUrl: 'https://v.vault.azure.net', key: name}\n        hckms: [{key_id: 'cn-north-4:0f1c'}]\n        hc_vault: ['https://v:8200/v1/transit/keys/k']\n  - kms: 'arn:aws:kms:eu-west-1:1:key/a, arn:aws:kms:eu-west-1:1:key/b+arn:aws:iam::1:role/r'\n    aws_profile: dev\n    azure_keyvault: https://v.vault.azure.net/keys/name/ver\n    hckms: [r:1]\n    path_regex: flat\n");
    let g = &keys_for(&c, "/cfg/a.yaml")[0];
    assert_eq!(
        g,
        &vec![
            "arn:aws:kms:eu-west-1:1:key/k+arn:aws:iam::1:role/r|a:x,b:2|prof",
            "arn:aws:kms:eu-west-1:1:alias/plain",
            "projects/p/locations/l/keyRings/r/cryptoKeys/k",
            "cn-north-4:0f1c",
            "https://v.vault.azure.net/keys/name/ver",
            "https://v.vault.azure.net/keys/name",
            "https://v:8200/v1/transit/keys/k",
        ]
    );
    let rule = c
        .creation_rules
        .as_ref()
        .expect("rules")
        .get(1)
        .expect("flat rule");
    let keys: Vec<(&str, &str)> = rule.key_groups[0]
        .keys
        .iter()
        .map(|(b, k)| (b.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("kms", "arn:aws:kms:eu-west-1:1:key/a|dev"),
            (
                "kms",
                "arn:aws:kms:eu-west-1:1:key/b+arn:aws:iam::1:role/r|dev"
            ),
            ("hckms", "r:1"),
            ("azure_kv", "https://v.vault.azure.net/keys/name/ver"),
        ]
    );
}

#[test]
fn unsupported_backend_is_a_clear_error() {
    // A backend not in this build (yet): its keys are named in the error.
    let Some((name, rule_text, _)) = missing_backend() else {
        return;
    };
    let c = cfg(&format!("creation_rules:\n  - {rule_text}\n"));
    let rule = c
        .rule_for(Path::new("/cfg/a"), Path::new("/cfg"))
        .expect("ok")
        .expect("some");
    let e = rule.build_groups().expect_err("backend missing");
    assert!(
        e.to_string()
            .contains(&format!("{name} keys are not supported by this build yet")),
        "{e}"
    );
    assert!(e.to_string().contains("creation_rules[0]"), "{e}");
    let e = resolve(
        Some(&c),
        Path::new("/cfg/a.yaml"),
        Path::new("/cfg"),
        &KeyFlags::default(),
        None,
        0,
        false,
    )
    .expect_err("no pgp backend");
    assert!(matches!(e, ConfigError::Unsupported { .. }), "{e}");
    // A bad recipient is the backend's complaint, with its place.
    let c = cfg("creation_rules:\n  - key_groups:\n      - age: [notakey]\n");
    let rule = c
        .rule_for(Path::new("/cfg/a"), Path::new("/cfg"))
        .expect("ok")
        .expect("some");
    let e = rule.build_groups().expect_err("bad key");
    assert!(
        e.to_string().contains("creation_rules[0].key_groups[0]"),
        "{e}"
    );
}

/// Oracle: two selection fields in the matching rule fail with exit 1 ("cannot use more than
/// one of … for the same rule"); a broken regex in a rule after the match goes unnoticed.
#[test]
fn selection_rules_checked_only_when_used() {
    let text = format!(
        "creation_rules:\n  - path_regex: ^ok/\n    age: {A1}\n    encrypted_suffix: _x\n  - path_regex: ^two/\n    age: {A1}\n    encrypted_suffix: _x\n    unencrypted_regex: foo\n  - path_regex: (\n"
    );
    let c = cfg(&text);
    let r = c
        .rule_for(Path::new("/cfg/ok/a"), Path::new("/cfg"))
        .expect("ok")
        .expect("some");
    assert_eq!(
        r.selection_rule().expect("one rule"),
        Some(Rule::new(RuleKind::EncryptedSuffix, "_x").expect("rule"))
    );
    let e = c
        .rule_for(Path::new("/cfg/two/a"), Path::new("/cfg"))
        .expect_err("two selectors");
    assert!(e.to_string().contains("cannot use more than one of"), "{e}");
    assert!(e.to_string().contains("creation_rules[1]"), "{e}");
    assert!(!e.is_conflict());
    let e = c
        .rule_for(Path::new("/cfg/three"), Path::new("/cfg"))
        .expect_err("bad regex reached");
    assert!(
        e.to_string().contains("creation_rules[2].path_regex"),
        "{e}"
    );
    assert_eq!(e.exit_code(), 1);
    // An invalid selection regex is reported for the rule using it.
    let c = cfg(&format!(
        "creation_rules:\n  - age: {A1}\n    encrypted_regex: '[a'\n"
    ));
    let e = c
        .rule_for(Path::new("/cfg/a"), Path::new("/cfg"))
        .expect_err("bad regex");
    assert!(
        e.to_string().contains("creation_rules[0].encrypted_regex"),
        "{e}"
    );
}

/// Oracle: `--age A2` (or SOPS_AGE_RECIPIENTS) with a rule `age: A3, encrypted_suffix: _x`
/// wrote recipient A2 and `encrypted_suffix: _x`.
#[test]
fn key_flags_replace_keys_but_keep_the_rule() {
    let c = cfg(&format!(
        "creation_rules:\n  - key_groups:\n      - age: [{A3}]\n      - pgp: [85D77543B3D624B63CEA9E6DBC17301B491B3F21]\n    shamir_threshold: 2\n    encrypted_suffix: _x\n    mac_only_encrypted: yes\n"
    ));
    let flags = KeyFlags {
        age: Some(format!("{A2},{A1}")),
        ..KeyFlags::default()
    };
    // The rule's pgp key is never used, so the missing pgp backend does not matter.
    let r = resolve(
        Some(&c),
        Path::new("/cfg/a.yaml"),
        Path::new("/cfg"),
        &flags,
        None,
        0,
        false,
    )
    .expect("resolves");
    assert_eq!(r.groups.len(), 1);
    let ids: Vec<String> = r.groups[0].iter().map(|k| k.id()).collect();
    assert_eq!(ids, vec![A2.to_string(), A1.to_string()]);
    assert_eq!(
        r.rule,
        Some(Rule::new(RuleKind::EncryptedSuffix, "_x").expect("rule"))
    );
    assert_eq!(r.shamir_threshold, 2);
    assert!(r.mac_only_encrypted);
    // Flags override the threshold when non-zero.
    let r = resolve(
        Some(&c),
        Path::new("/cfg/a.yaml"),
        Path::new("/cfg"),
        &flags,
        None,
        3,
        false,
    )
    .expect("resolves");
    assert_eq!(r.shamir_threshold, 3);
    // An empty flag is not a key flag.
    let empty = KeyFlags {
        age: Some(String::new()),
        ..KeyFlags::default()
    };
    assert!(!empty.any());
    // A flag backend this build lacks is named.
    let Some((name, _, flags)) = missing_backend() else {
        return;
    };
    let e = resolve(
        None,
        Path::new("/x/a.yaml"),
        Path::new("/x"),
        &flags,
        None,
        0,
        false,
    )
    .expect_err("backend missing");
    assert!(
        e.to_string().ends_with(&format!(
            ": {name} keys are not supported by this build yet"
        )),
        "{e}"
    );
}

/// A cloud backend this build does not have (yet): its name, a creation rule line giving one
/// of its keys, and key flags giving one. `None` once every backend is in.
fn missing_backend() -> Option<(&'static str, &'static str, KeyFlags)> {
    let candidates = [
        (
            "hckms",
            "hckms: ['cn-north-4:0f1c']",
            KeyFlags {
                hckms: Some("cn-north-4:0f1c".into()),
                ..KeyFlags::default()
            },
        ),
        (
            "azure_kv",
            "azure_keyvault: https://v.vault.azure.net/keys/name/ver",
            KeyFlags {
                azure_kv: Some("https://v.vault.azure.net/keys/name/ver".into()),
                ..KeyFlags::default()
            },
        ),
    ];
    candidates
        .into_iter()
        .find(|(name, _, _)| crate::keys::backend(name).is_none())
}

/// Oracle: a malformed age key in the matching rule fails even with `--age` (exit 1), and a
/// config whose rules do not match fails even with `--age`.
#[test]
fn rule_errors_survive_key_flags() {
    let flags = KeyFlags {
        age: Some(A2.into()),
        ..KeyFlags::default()
    };
    let c = cfg("creation_rules:\n  - age: notakey\n    encrypted_suffix: _x\n");
    assert!(resolve(
        Some(&c),
        Path::new("/cfg/a.yaml"),
        Path::new("/cfg"),
        &flags,
        None,
        0,
        false
    )
    .is_err());
    let c = cfg(&format!(
        "creation_rules:\n  - path_regex: \\.json$\n    age: {A1}\n"
    ));
    let e = resolve(
        Some(&c),
        Path::new("/cfg/a.yaml"),
        Path::new("/cfg"),
        &flags,
        None,
        0,
        false,
    )
    .expect_err("no match");
    assert!(matches!(e, ConfigError::NoMatchingRule { .. }), "{e}");
}

/// Oracle: `--unencrypted-regex zz` with a rule's `encrypted_suffix` exits 8;
/// `--encrypted-suffix _q` replaces the rule's `_x`.
#[test]
fn selection_flag_conflicts_or_overrides() {
    let c = cfg(&format!(
        "creation_rules:\n  - age: {A1}\n    encrypted_suffix: _x\n"
    ));
    let at = |rule: Option<Rule>| {
        resolve(
            Some(&c),
            Path::new("/cfg/a.yaml"),
            Path::new("/cfg"),
            &KeyFlags::default(),
            rule,
            0,
            true,
        )
    };
    let e = at(Some(
        Rule::new(RuleKind::UnencryptedRegex, "zz").expect("rule"),
    ))
    .expect_err("conflict");
    assert!(e.is_conflict());
    assert_eq!(e.exit_code(), 8);
    assert!(e.to_string().contains("--unencrypted-regex"), "{e}");
    assert_eq!(
        e.clone().into_error().kind(),
        crate::ErrorKind::ConflictingParameters
    );
    let r = at(Some(
        Rule::new(RuleKind::EncryptedSuffix, "_q").expect("rule"),
    ))
    .expect("override");
    assert_eq!(
        r.rule,
        Some(Rule::new(RuleKind::EncryptedSuffix, "_q").expect("rule"))
    );
    assert!(r.mac_only_encrypted, "the flag ORs");
    let r = at(None).expect("config rule");
    assert_eq!(r.rule.map(|r| r.pattern), Some("_x".to_string()));
}

/// Oracle: no config → NO_KEYS_MESSAGE; `creation_rules:` null → the same; `creation_rules: []`
/// → "no matching creation rules found"; a matching rule without keys fails (SOPS: "empty key
/// group provided").
#[test]
fn no_keys_cases() {
    let none = KeyFlags::default();
    let e = resolve(
        None,
        Path::new("/x/a.yaml"),
        Path::new("/x"),
        &none,
        None,
        0,
        false,
    )
    .expect_err("no keys");
    assert_eq!(e.to_string(), NO_KEYS_MESSAGE);
    assert_eq!(e.into_error().kind(), crate::ErrorKind::Generic);
    let c = cfg("creation_rules:\nstores: {yaml: {indent: 2}}\n");
    assert!(c.creation_rules.is_none());
    let e = resolve(
        Some(&c),
        Path::new("/cfg/a.yaml"),
        Path::new("/cfg"),
        &none,
        None,
        0,
        false,
    )
    .expect_err("none");
    assert!(matches!(e, ConfigError::NoKeys));
    // ...but its stores section still applies when keys come from flags.
    let flags = KeyFlags {
        age: Some(A1.into()),
        ..KeyFlags::default()
    };
    let r = resolve(
        Some(&c),
        Path::new("/cfg/a.yaml"),
        Path::new("/cfg"),
        &flags,
        None,
        0,
        false,
    )
    .expect("flags");
    assert_eq!(r.store.yaml_indent, 2);
    assert_eq!(r.rule, None);
    let c = cfg("creation_rules: []\n");
    let e = resolve(
        Some(&c),
        Path::new("/cfg/a.yaml"),
        Path::new("/cfg"),
        &none,
        None,
        0,
        false,
    )
    .expect_err("none");
    assert!(matches!(e, ConfigError::NoMatchingRule { .. }), "{e}");
    let c = cfg("creation_rules:\n  - encrypted_suffix: _x\n");
    let e = resolve(
        Some(&c),
        Path::new("/cfg/a.yaml"),
        Path::new("/cfg"),
        &none,
        None,
        0,
        false,
    )
    .expect_err("empty");
    assert!(e.to_string().contains("empty key group"), "{e}");
}

#[test]
fn stores_indent() {
    let c = cfg("stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 0\n  json_binary:\n    indent: -1\n  dotenv: {}\n");
    assert_eq!(
        c.stores.options(Format::Yaml),
        StoreOptions {
            yaml_indent: 2,
            json_indent: Some(0)
        }
    );
    assert_eq!(c.stores.options(Format::Json).json_indent, Some(0));
    assert_eq!(c.stores.options(Format::Binary).json_indent, None);
    let c = cfg("stores:\n  json_binary: {indent: 3}\n  yaml: {indent: 0}\n");
    assert_eq!(c.stores.options(Format::Binary).json_indent, Some(3));
    assert_eq!(
        c.stores.options(Format::Json).json_indent,
        None,
        "default is a tab"
    );
    assert_eq!(
        c.stores.yaml_indent,
        StoreOptions::default().yaml_indent,
        "0 keeps the default (not set)"
    );
    assert_eq!(cfg("").stores, Stores::default());
    assert!(cfg_err("stores: {yaml: {indent: -2}}\n")
        .to_string()
        .contains("negative"));
    assert!(cfg_err("stores: {json: {indent: -2}}\n")
        .to_string()
        .contains("smaller than -1"));
    // Resolved.store follows the target's extension.
    let c = cfg(&format!("creation_rules: [{{age: {A1}}}]\nstores: {{json: {{indent: 2}}, json_binary: {{indent: 5}}}}\n"));
    let at = |f: &str| {
        resolve(
            Some(&c),
            Path::new(f),
            Path::new("/cfg"),
            &KeyFlags::default(),
            None,
            0,
            false,
        )
        .expect("ok")
        .store
    };
    assert_eq!(at("/cfg/a.json").json_indent, Some(2));
    assert_eq!(at("/cfg/a.bin").json_indent, Some(5));
}

#[test]
fn shapes_like_yaml_v3() {
    // Oracle: `key_groups: [{age: A1}]` (a string, not a list) fails with the line number.
    let e = cfg_err(&format!(
        "creation_rules:\n  - key_groups:\n      - age: {A1}\n"
    ));
    let s = e.to_string();
    assert!(
        s.contains("creation_rules[0].key_groups[0].age (line 3)") && s.contains("expected a list"),
        "{s}"
    );
    // Oracle: `shamir_threshold: "2"` is not an int.
    let e = cfg_err(&format!(
        "creation_rules:\n  - age: {A1}\n    shamir_threshold: \"2\"\n"
    ));
    assert!(e.to_string().contains("shamir_threshold"), "{e}");
    assert!(cfg_err("creation_rules:\n  - shamir_threshold: -1\n")
        .to_string()
        .contains("negative"));
    assert!(cfg_err("creation_rules: yes\n")
        .to_string()
        .contains("expected a list"));
    assert!(cfg_err("creation_rules:\n  - age: [1]\n")
        .to_string()
        .contains("creation_rules[0].age[0]"));
    assert!(cfg_err("creation_rules:\n  - mac_only_encrypted: maybe\n")
        .to_string()
        .contains("boolean"));
    assert!(cfg_err("- a\n")
        .to_string()
        .contains("error loading config /cfg/.sops.yaml"));
    assert!(cfg_err("a: [\n").to_string().contains("/cfg/.sops.yaml"));
    // Unknown keys, destination_rules and comments are ignored; a path_regex may be a number.
    let c = cfg(&format!(
        "# top\nversion: 2\ndestination_rules:\n  - s3_bucket: b\n    recreation_rule: {{age: x}}\ncreation_rules:\n  - path_regex: 2024\n    filename_regex: ignored\n    age: {A1}\n    mac_only_encrypted: No\n"
    ));
    let r = &c.creation_rules.as_ref().expect("rules")[0];
    assert_eq!(r.path_regex, "2024");
    assert!(!r.mac_only_encrypted);
    // Anchors, aliases and merge keys.
    let c = cfg(&format!(
        "keys:\n  - &me {A1}\nbase: &base\n  encrypted_suffix: _x\n  age: *me\ncreation_rules:\n  - <<: *base\n    path_regex: a\n  - <<: [*base]\n    encrypted_suffix: _y\n"
    ));
    let rules = c.creation_rules.as_ref().expect("rules");
    assert_eq!(
        rules[0].selectors,
        vec![(RuleKind::EncryptedSuffix, "_x".to_string())]
    );
    assert_eq!(
        rules[0].key_groups[0].keys,
        vec![("age".to_string(), A1.to_string())]
    );
    assert_eq!(
        rules[1].selectors,
        vec![(RuleKind::EncryptedSuffix, "_y".to_string())]
    );
    // Only the first document counts.
    let c = cfg("stores: {yaml: {indent: 6}}\n---\nstores: {yaml: {indent: 8}}\n");
    assert_eq!(c.stores.yaml_indent, 6);
}

#[test]
fn lookup_walks_up_from_the_working_directory() {
    let (tmp, proj) = project(&format!(
        "creation_rules:\n  - path_regex: ^sub/\n    age: {A1}\n"
    ));
    let deeper = proj.join("sub/deeper");
    let (path, c) = find(None, &deeper).expect("ok").expect("found");
    assert_eq!(path, proj.join(CONFIG_FILE_NAME));
    assert!(c.warnings.is_empty());
    assert_eq!(c.dir(), proj.as_path());
    // Relative target, resolved against cwd by the caller; rule_for needs absolute or process cwd.
    let target = absolute(Path::new("../f.yaml"), &deeper);
    assert_eq!(
        c.rule_for(&target, c.dir())
            .expect("ok")
            .expect("some")
            .index,
        0
    );
    // Oracle: from a directory outside the tree no config is found, even for a file inside it.
    assert!(find(None, &tmp.path().join("other")).expect("ok").is_none());
    // An explicit path wins, relative to cwd, and must exist.
    let (p, _) = find(
        Some(Path::new("../proj/.sops.yaml")),
        &tmp.path().join("other"),
    )
    .expect("ok")
    .expect("found");
    assert_eq!(p, proj.join(CONFIG_FILE_NAME));
    let e = find(Some(Path::new("missing.yaml")), tmp.path()).expect_err("missing");
    assert!(matches!(e, ConfigError::Read { .. }), "{e}");
}

#[test]
fn sops_yml_is_only_a_warning() {
    let (tmp, proj) = project("creation_rules: []\n");
    write(
        &proj.join("sub").join(ALTERNATE_FILE_NAME),
        "creation_rules: []\n",
    );
    let (path, c) = find(None, &proj.join("sub/deeper"))
        .expect("ok")
        .expect("found");
    assert_eq!(path, proj.join(CONFIG_FILE_NAME));
    assert_eq!(c.warnings.len(), 1);
    assert!(
        c.warnings[0].contains(".sops.yml") && c.warnings[0].contains("using"),
        "{:?}",
        c.warnings
    );
    write(
        &tmp.path().join("other").join(ALTERNATE_FILE_NAME),
        "creation_rules: []\n",
    );
    let l = lookup(&tmp.path().join("other"));
    assert_eq!(l.path, None);
    assert!(l
        .warning
        .is_some_and(|w| w.contains("must be called \".sops.yaml\"")));
}

#[test]
fn absolute_is_lexical() {
    let cwd = Path::new("/home/u/proj");
    assert_eq!(
        absolute(Path::new("a/./b/../c.yaml"), cwd),
        PathBuf::from("/home/u/proj/a/c.yaml")
    );
    assert_eq!(
        absolute(Path::new("../../../../x"), cwd),
        PathBuf::from("/x")
    );
    assert_eq!(absolute(Path::new("/a//b/"), cwd), PathBuf::from("/a/b"));
    assert_eq!(match_path(Path::new("/home/u/proj/a"), cwd), "a");
    assert_eq!(
        match_path(Path::new("/home/u/project/a"), cwd),
        "/home/u/project/a"
    );
}

#[test]
fn deep_merge_nesting_does_not_overflow() {
    for depth in [60, 1000] {
        let mut text = String::from("creation_rules:\n  - key_groups:\n      - ");
        for _ in 0..depth {
            text.push_str("{merge: [");
        }
        text.push_str(&format!("{{age: [{A1}]}}"));
        for _ in 0..depth {
            text.push_str("]}");
        }
        text.push('\n');
        match Config::parse(&text, Path::new("/cfg/.sops.yaml")) {
            Ok(c) => assert_eq!(keys_for(&c, "/cfg/a"), vec![vec![A1.to_string()]]),
            // The YAML parser's own recursion limit refuses the deep one; either way no crash.
            Err(e) => assert!(depth > 60 && e.to_string().contains("limit"), "{e}"),
        }
    }
}

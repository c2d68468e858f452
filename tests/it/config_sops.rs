//! `.sops.yaml` handling compared with the reference `sops` 3.11: config lookup from the
//! working directory upwards, `path_regex` matched against the path relative to the config's
//! directory (first match wins), key flags and env vars replacing the rule's keys while its
//! selection rule stays, selection-flag conflicts, `--config`/`SOPS_CONFIG`, and
//! `stores.yaml.indent`.
//!
//! Both tools encrypt the same files from the same directories and the outputs are reduced to
//! what the config decides: the set of recipients in the metadata, the selection-rule field
//! and its value, and, per data key, whether its value came out as an `ENC[…]` token. These
//! must agree exactly. The layout of the outputs is not compared (leafseal keeps the user's
//! layout for data lines, and orders `enc`/`recipient` differently), except the indentation of
//! the `sops:` block that both tools generate from `stores.yaml.indent`. Where no config
//! applies, both tools must fail with the same exit code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::keys::{AGE1, AGE2, AGE3};
use crate::util::{tools, under_test, Output, Sandbox};

// Exit codes, each checked against sops 3.11 by the tests below.
/// No config (or no matching rule) and no key flags.
const EXIT_NO_KEYS: i32 = 1;
const EXIT_CONFLICT: i32 = 8;

/// The selection-rule fields of the metadata; at most one is present.
const RULE_FIELDS: [&str; 6] = [
    "unencrypted_suffix",
    "encrypted_suffix",
    "unencrypted_regex",
    "encrypted_regex",
    "unencrypted_comment_regex",
    "encrypted_comment_regex",
];

const PLAIN_YAML: &str = "\
user: alice
password: hunter2
token: t0k
host_plain: db.local
port: 5432
nested:
    password: inner
    note_plain: visible
";

const PLAIN_JSON: &str = r#"{
	"user": "bob",
	"password": "p4ss",
	"host_plain": "h",
	"nested": {"token": "t", "n": 1}
}
"#;

// ---------------------------------------------------------------------------------------------
// helpers

/// What the config decided for one encrypted file.
#[derive(Debug, PartialEq, Eq)]
struct Decided {
    recipients: BTreeSet<String>,
    rule: Option<(String, String)>,
    /// Dotted path of every leaf value → whether it is an `ENC[` token.
    encrypted: BTreeMap<String, bool>,
}

/// An encrypted YAML or JSON file as a JSON value (YAML through leafseal's own parser, as the
/// interop module does; every comparison here is between two parses of the same kind).
fn as_json(bytes: &[u8], is_json: bool) -> Result<Value, String> {
    if is_json {
        return serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"));
    }
    use leafseal::store::{json::JsonStore, yaml::YamlStore, Side, Store};
    let doc = YamlStore { indent: 4 }
        .parse(bytes, Side::Encrypted)
        .map_err(|e| format!("YAML does not parse: {e}"))?;
    let json = JsonStore { indent: None }
        .emit(&doc, None, Side::Encrypted)
        .map_err(|e| format!("cannot convert to JSON: {e}"))?;
    serde_json::from_slice(&json).map_err(|e| format!("converted JSON does not parse: {e}"))
}

fn collect_leaves(v: &Value, path: &str, out: &mut BTreeMap<String, bool>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                collect_leaves(x, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect_leaves(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::String(s) => {
            out.insert(path.to_owned(), s.starts_with("ENC["));
        }
        _ => {
            out.insert(path.to_owned(), false);
        }
    }
}

/// Recipients of every master key in `entries` (age recipients and PGP fingerprints).
fn collect_recipients(meta: &Value, out: &mut BTreeSet<String>) {
    for (list, field) in [("age", "recipient"), ("pgp", "fp")] {
        if let Some(Value::Array(a)) = meta.get(list) {
            for e in a {
                if let Some(Value::String(r)) = e.get(field) {
                    out.insert(format!("{list}:{r}"));
                }
            }
        }
    }
}

fn decided(out: &Output, is_json: bool) -> Result<Decided, String> {
    let v = as_json(&out.stdout, is_json)?;
    let Value::Object(top) = v else {
        return Err("the root is not a map".into());
    };
    let meta = top.get("sops").ok_or("no sops metadata")?;
    let mut recipients = BTreeSet::new();
    collect_recipients(meta, &mut recipients);
    if let Some(Value::Array(groups)) = meta.get("key_groups") {
        for g in groups {
            collect_recipients(g, &mut recipients);
        }
    }
    let mut rule = None;
    for f in RULE_FIELDS {
        if let Some(Value::String(s)) = meta.get(f) {
            if rule.is_some() {
                return Err("more than one selection rule in the metadata".into());
            }
            rule = Some((f.to_owned(), s.clone()));
        }
    }
    let mut encrypted = BTreeMap::new();
    for (k, x) in &top {
        if k != "sops" {
            collect_leaves(x, k, &mut encrypted);
        }
    }
    Ok(Decided {
        recipients,
        rule,
        encrypted,
    })
}

/// Runs `encrypt` with both tools (same dir, args and env) and compares what was decided.
/// Returns sops's decision for further checks, or the difference.
fn compare_encrypt(
    sb: &Sandbox,
    sops: &Path,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    is_json: bool,
) -> Result<Decided, String> {
    let run = |tool: &Path| {
        let mut c = sb.cmd(tool).current_dir(dir).args(args);
        for (k, v) in env {
            c = c.env(k, v);
        }
        c.run()
    };
    let s = run(sops);
    let l = run(&under_test());
    let what = format!(
        "`encrypt` with args {args:?}, env {env:?} in {}",
        dir.display()
    );
    if s.code != 0 {
        return Err(format!("{what}: sops failed\n{}", s.describe()));
    }
    if l.code != 0 {
        return Err(format!("{what}: leafseal failed\n{}", l.describe()));
    }
    let sd = decided(&s, is_json).map_err(|e| format!("{what}: sops output: {e}"))?;
    let ld = decided(&l, is_json).map_err(|e| format!("{what}: leafseal output: {e}"))?;
    if sd != ld {
        return Err(format!(
            "{what}: the tools decided differently\n--- sops ---\n{sd:#?}\n--- leafseal ---\n{ld:#?}\n{}",
            l.describe()
        ));
    }
    Ok(sd)
}

/// Runs both tools and requires the same non-zero exit code (and, as a sanity check, `want`).
fn compare_failure(
    sb: &Sandbox,
    sops: &Path,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    want: i32,
) -> Result<(), String> {
    let run = |tool: &Path| {
        let mut c = sb.cmd(tool).current_dir(dir).args(args);
        for (k, v) in env {
            c = c.env(k, v);
        }
        c.run()
    };
    let s = run(sops);
    let l = run(&under_test());
    if s.code != want {
        return Err(format!(
            "{args:?}: sops exits {} (this test expects {want})\n{}",
            s.code,
            s.describe()
        ));
    }
    if l.code != s.code {
        return Err(format!(
            "{args:?}: leafseal exits {}, sops {}\n{}\n{}",
            l.code,
            s.code,
            l.describe(),
            s.describe()
        ));
    }
    Ok(())
}

/// Panics with every collected failure at once.
#[track_caller]
fn report(failures: Vec<String>, what: &str) {
    if !failures.is_empty() {
        panic!(
            "{} of the {what} failed:\n\n{}",
            failures.len(),
            failures.join("\n\n=====\n\n")
        );
    }
}

fn age(r: &str) -> String {
    format!("age:{r}")
}

/// `cfg/.sops.yaml` with three rules (first match wins) and four files in nested dirs.
fn config_tree(sb: &Sandbox) -> PathBuf {
    sb.write(
        "cfg/.sops.yaml",
        format!(
            r"creation_rules:
  - path_regex: ^prod/.*\.yaml$
    age: {}
    encrypted_regex: ^(password|token)$
  - path_regex: \.json$
    age: {}
  - path_regex: ''
    age: {}
    unencrypted_suffix: _plain
",
            AGE1.recipient, AGE2.recipient, AGE3.recipient
        ),
    );
    for f in ["prod/app.yaml", "dev/app.yaml", "prod/sub/deep.yaml"] {
        sb.write(&format!("cfg/{f}"), PLAIN_YAML);
    }
    sb.write("cfg/x.json", PLAIN_JSON);
    sb.path("cfg")
}

// ---------------------------------------------------------------------------------------------
// 5. rules picked by path, config found by walking up

/// Every file of the tree, encrypted from `cfg/` and from `cfg/prod/`, gets the same
/// recipients, selection rule and encrypted values from both tools; sops's decision is also
/// checked against the rule the file should match, so a shared mistake cannot pass.
#[test]
fn creation_rules_by_path_from_two_directories() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let cfg = config_tree(&sb);
    let prod = cfg.join("prod");
    let regex_rule = Some((
        "encrypted_regex".to_owned(),
        "^(password|token)$".to_owned(),
    ));
    let plain_rule = Some(("unencrypted_suffix".to_owned(), "_plain".to_owned()));
    // sops writes its default `unencrypted_suffix: _unencrypted` when the rule names none.
    let default_rule = Some(("unencrypted_suffix".to_owned(), "_unencrypted".to_owned()));
    // (file from cfg/, file from cfg/prod/, recipient, rule)
    let cases = [
        ("prod/app.yaml", "app.yaml", AGE1, &regex_rule),
        ("prod/sub/deep.yaml", "sub/deep.yaml", AGE1, &regex_rule),
        ("dev/app.yaml", "../dev/app.yaml", AGE3, &plain_rule),
        ("x.json", "../x.json", AGE2, &default_rule),
    ];
    let mut failures = Vec::new();
    for (from_cfg, from_prod, key, rule) in cases {
        let is_json = from_cfg.ends_with(".json");
        for (dir, file) in [(&cfg, from_cfg), (&prod, from_prod)] {
            match compare_encrypt(&sb, &sops, dir, &["encrypt", file], &[], is_json) {
                Err(e) => failures.push(e),
                Ok(d) => {
                    let want: BTreeSet<String> = [age(key.recipient)].into();
                    if d.recipients != want || &d.rule != rule {
                        failures.push(format!(
                            "{file} in {}: sops chose {d:?}, expected {} and {rule:?}",
                            dir.display(),
                            key.name
                        ));
                    }
                }
            }
        }
    }
    report(failures, "creation-rule cases");
}

/// From the sandbox root (outside `cfg/`), neither tool finds `cfg/.sops.yaml` for
/// `cfg/prod/app.yaml`: the lookup starts at the working directory, not at the file. Both fail
/// the same way without key flags.
#[test]
fn no_config_above_the_working_directory() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    config_tree(&sb);
    let root = sb.root().to_path_buf();
    let mut failures = Vec::new();
    for file in ["cfg/prod/app.yaml", "cfg/x.json"] {
        if let Err(e) = compare_failure(&sb, &sops, &root, &["encrypt", file], &[], EXIT_NO_KEYS) {
            failures.push(e);
        }
    }
    report(failures, "no-config cases");
}

// ---------------------------------------------------------------------------------------------
// 6. precedence

/// `SOPS_AGE_RECIPIENTS` replaces the prod rule's recipient but its `encrypted_regex` stays;
/// `--age` likewise; a CLI selection flag of another kind than the rule's conflicts (exit 8);
/// one of the same kind replaces the rule's value.
#[test]
fn key_env_and_flags_against_the_rule() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let cfg = config_tree(&sb);
    let regex_rule = Some((
        "encrypted_regex".to_owned(),
        "^(password|token)$".to_owned(),
    ));
    let mut failures = Vec::new();

    let env_age2 = [("SOPS_AGE_RECIPIENTS", AGE2.recipient)];
    let flag_age2 = ["encrypt", "--age", AGE2.recipient, "prod/app.yaml"];
    for (args, env) in [
        (&["encrypt", "prod/app.yaml"][..], &env_age2[..]),
        (&flag_age2[..], &[][..]),
    ] {
        match compare_encrypt(&sb, &sops, &cfg, args, env, false) {
            Err(e) => failures.push(e),
            Ok(d) => {
                let want: BTreeSet<String> = [age(AGE2.recipient)].into();
                if d.recipients != want || d.rule != regex_rule {
                    failures.push(format!(
                        "{args:?} {env:?}: sops chose {d:?}, expected age2 and the rule's regex"
                    ));
                }
            }
        }
    }

    let args = ["encrypt", "--encrypted-regex", "^user$", "prod/app.yaml"];
    match compare_encrypt(&sb, &sops, &cfg, &args, &[], false) {
        Err(e) => failures.push(e),
        Ok(d) => {
            if d.rule != Some(("encrypted_regex".into(), "^user$".into())) {
                failures.push(format!("{args:?}: sops chose {d:?}"));
            }
        }
    }

    for flag in ["--unencrypted-regex", "--encrypted-suffix"] {
        let args = ["encrypt", flag, "x", "prod/app.yaml"];
        if let Err(e) = compare_failure(&sb, &sops, &cfg, &args, &[], EXIT_CONFLICT) {
            failures.push(e);
        }
    }
    report(failures, "precedence cases");
}

/// `--config FILE` (a global flag, before the subcommand, where sops accepts it) and
/// `SOPS_CONFIG` replace the lookup: the rules of `other.yaml` in the sandbox root apply, and
/// their `path_regex` sees the path relative to that file's directory (`cfg/prod/…`). A file no
/// rule of it matches fails the same way in both.
#[test]
fn explicit_config_file() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let cfg = config_tree(&sb);
    sb.write(
        "other.yaml",
        format!(
            "creation_rules:\n  - path_regex: ^cfg/prod/.*\\.yaml$\n    age: {}\n    encrypted_suffix: _secret\n",
            AGE2.recipient
        ),
    );
    let want_rule = Some(("encrypted_suffix".to_owned(), "_secret".to_owned()));
    let want_keys: BTreeSet<String> = [age(AGE2.recipient)].into();
    let mut failures = Vec::new();
    let by_flag = ["--config", "../other.yaml", "encrypt", "prod/app.yaml"];
    let env = [("SOPS_CONFIG", "../other.yaml")];
    for (args, env) in [
        (&by_flag[..], &[][..]),
        (&["encrypt", "prod/app.yaml"][..], &env[..]),
    ] {
        match compare_encrypt(&sb, &sops, &cfg, args, env, false) {
            Err(e) => failures.push(e),
            Ok(d) => {
                if d.recipients != want_keys || d.rule != want_rule {
                    failures.push(format!(
                        "{args:?} {env:?}: sops chose {d:?}, expected other.yaml's rule"
                    ));
                }
            }
        }
    }
    let unmatched = ["--config", "../other.yaml", "encrypt", "dev/app.yaml"];
    if let Err(e) = compare_failure(&sb, &sops, &cfg, &unmatched, &[], EXIT_NO_KEYS) {
        failures.push(e);
    }
    let unmatched_env = [("SOPS_CONFIG", "../other.yaml")];
    if let Err(e) = compare_failure(
        &sb,
        &sops,
        &cfg,
        &["encrypt", "dev/app.yaml"],
        &unmatched_env,
        EXIT_NO_KEYS,
    ) {
        failures.push(e);
    }
    report(failures, "--config/SOPS_CONFIG cases");
}

// ---------------------------------------------------------------------------------------------
// 7. stores.yaml.indent

/// The indentation of the generated `sops:` block as `(line shape, column)` pairs: for a
/// `key:` line the column of the key (after any `- `), for a sequence item the column of its
/// dash, for the lines of an armored block the column of the text. Key order inside an entry
/// is not compared (sops writes `recipient` first, leafseal `enc`), nor how many armor lines
/// there are.
fn metadata_indents(text: &str) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    let Some(start) = text.find("\nsops:\n") else {
        return out;
    };
    for line in text[start + "\nsops:\n".len()..].lines() {
        let spaces = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[spaces..];
        if rest.is_empty() {
            continue;
        }
        if let Some(item) = rest.strip_prefix("- ") {
            out.insert(("- (dash)".to_owned(), spaces));
            if let Some((key, _)) = item.split_once(':') {
                out.insert((key.to_owned(), spaces + 2));
            }
        } else if rest.starts_with("-----") || !rest.contains(':') {
            out.insert(("(block text)".to_owned(), spaces));
        } else if let Some((key, _)) = rest.split_once(':') {
            out.insert((key.to_owned(), spaces));
        }
    }
    out
}

/// With `stores: {yaml: {indent: N}}` the metadata block of both tools is indented the same:
/// N = 2 with one group, N = 3 (odd, so a sequence's dash and its keys fall on distinct
/// columns) with two Shamir key groups.
#[test]
fn stores_yaml_indent_for_the_metadata_block() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let configs = [
        (
            "ind2",
            2,
            format!("creation_rules:\n  - age: {}\n", AGE1.recipient),
        ),
        (
            "ind3",
            3,
            format!(
                "creation_rules:\n  - key_groups:\n      - age: [{}]\n      - age: [{}]\n",
                AGE1.recipient, AGE3.recipient
            ),
        ),
    ];
    let mut failures = Vec::new();
    for (name, indent, rules) in configs {
        sb.write(
            &format!("{name}/.sops.yaml"),
            format!("{rules}stores:\n  yaml:\n    indent: {indent}\n"),
        );
        sb.write(&format!("{name}/f.yaml"), "a:\n    b: 1\nl:\n- x\n");
        let dir = sb.path(name);
        let mut indents = Vec::new();
        for tool in [sops.clone(), under_test()] {
            let out = sb
                .cmd(&tool)
                .current_dir(&dir)
                .args(["encrypt", "f.yaml"])
                .run();
            out.assert_success();
            indents.push((metadata_indents(&out.stdout_str()), out));
        }
        let (s, s_out) = &indents[0];
        let (l, l_out) = &indents[1];
        assert!(
            s.contains(&("mac".to_owned(), indent)) && s.contains(&("version".to_owned(), indent)),
            "sops did not indent its metadata by {indent}; this test's premise is wrong\n{}",
            s_out.describe()
        );
        if s != l {
            failures.push(format!(
                "indent {indent}: metadata indentation differs\n--- sops ---\n{s:?}\n--- leafseal ---\n{l:?}\n{}\n{}",
                s_out.describe(),
                l_out.describe()
            ));
        }
    }
    report(failures, "stores.yaml.indent cases");
}

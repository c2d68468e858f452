//! Interop with the reference `sops` 3.11 binary (issue 2 acceptance), in both directions,
//! plus the tamper and error matrices.
//!
//! Every expected exit code below was checked by running this module against sops itself:
//! `LEAFSEAL_UNDER_TEST=$PWD/.cache/venv/bin/sops cargo test --test it interop_sops`. Where a
//! test tampers with a file, it also runs sops on the same bytes and asserts sops agrees, so a
//! change in the reference shows up as a test failure rather than as a silent drift.
//!
//! How decrypted output is compared:
//! - YAML written by sops: the *bytes* of `leafseal decrypt` must equal those of `sops decrypt`
//!   of the same file (leafseal splices values into the file's own layout, which for a file
//!   sops wrote is sops's canonical layout; the `.sops-decrypted` twins are compared the same
//!   way). A semantic comparison through `--output-type json` would lose comments, every
//!   document after the first and the YAML scalar styles.
//! - YAML in another layout (leafseal's own encryption of a hand-written file, files written by
//!   the independent Python tool): leafseal keeps that layout on decrypt, so the outputs are
//!   compared as data and comments: both are parsed and re-emitted in canonical layout by the
//!   library. sops's own decrypt of the same file is still compared byte for byte with sops's
//!   reference output, so the data is checked by the reference too.
//! - JSON: both outputs are parsed with serde_json, numbers normalised to f64 (sops 3.11 reads
//!   every JSON number as a float), and compared including key order.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::corpus::{self, Case};
use crate::util::keys::{self, AGE1, AGE2, AGE3};
use crate::util::{testdata, tools, Output, Sandbox};

mod errors;
mod tamper;

// Exit codes, each verified with sops 3.11 (see the module docs).
/// A ciphertext whose GCM tag does not verify (flipped byte, or moved to another path).
const EXIT_DECRYPT_TREE: i32 = 25;
const EXIT_MAC_MISMATCH: i32 = 51;
const EXIT_NO_DATA_KEY: i32 = 128;
/// Missing metadata, and on *decrypt* also unparsable input and a non-map root: sops fails
/// while loading the metadata, before the data is parsed.
const EXIT_GENERIC: i32 = 1;
/// Unparsable input or a non-map root on *encrypt*.
const EXIT_READ_INPUT: i32 = 2;
const EXIT_BAD_EXTRACT_PATH: i32 = 91;
const EXIT_NO_DOCUMENT: i32 = 92;
const EXIT_NO_FILE: i32 = 100;
const EXIT_ALREADY_ENCRYPTED: i32 = 203;

// ---------------------------------------------------------------------------------------------
// helpers

/// Runs `sops encrypt --age AGE1 <name>` in the sandbox and returns the encrypted bytes.
fn sops_encrypt(sb: &Sandbox, sops: &Path, name: &str) -> Vec<u8> {
    let out = sb
        .cmd(sops)
        .args(["encrypt", "--age", AGE1.recipient, name])
        .run();
    out.assert_success();
    out.stdout
}

fn sops_decrypt(sb: &Sandbox, sops: &Path, name: &str) -> Output {
    sb.cmd(sops)
        .arg("decrypt")
        .arg(name)
        .age_identity(AGE1.identity_file())
        .run()
}

fn leafseal_encrypt(sb: &Sandbox, name: &str, recipients: &str) -> Output {
    sb.leafseal()
        .args(["encrypt", "--age", recipients, name])
        .run()
}

fn leafseal_decrypt(sb: &Sandbox, name: &str) -> Output {
    sb.leafseal()
        .arg("decrypt")
        .arg(name)
        .age_identity(AGE1.identity_file())
        .run()
}

/// Numbers become f64 so that `1.5e10` and `15000000000` compare equal.
fn normalise_json(v: &Value) -> Value {
    match v {
        Value::Number(n) => {
            let f = n.as_f64().expect("JSON number is finite");
            serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
        }
        Value::Array(a) => Value::Array(a.iter().map(normalise_json).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalise_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Canonical text of a JSON document (key order kept), or an explanation why it is not JSON.
fn canonical_json(bytes: &[u8]) -> Result<String, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    Ok(serde_json::to_string_pretty(&normalise_json(&v)).expect("serialise JSON"))
}

/// YAML data and comments in canonical layout (see the module docs).
fn canonical_yaml(bytes: &[u8]) -> Result<String, String> {
    use leafseal::store::{Side, Store};
    let store = leafseal::store::yaml::YamlStore { indent: 4 };
    let doc = store
        .parse(bytes, Side::Plain)
        .map_err(|e| format!("does not parse: {e}"))?;
    let out = store
        .emit(&doc, None, Side::Plain)
        .map_err(|e| format!("does not emit: {e}"))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Like [`same_data`], but YAML may differ in layout (see the module docs).
fn same_data_any_layout(is_json: bool, expected: &[u8], got: &[u8]) -> Result<(), String> {
    if is_json || expected == got {
        return same_data(is_json, expected, got);
    }
    let e = canonical_yaml(expected).map_err(|e| format!("reference output {e}"))?;
    let g = canonical_yaml(got)?;
    if e == g {
        return Ok(());
    }
    Err(format!(
        "YAML data differs\n--- expected ---\n{e}\n--- got ---\n{g}"
    ))
}

/// Compares two decrypted outputs as described in the module docs. `Err` describes the
/// difference.
fn same_data(is_json: bool, expected: &[u8], got: &[u8]) -> Result<(), String> {
    if is_json {
        let e = canonical_json(expected).map_err(|e| format!("reference output {e}"))?;
        let g = canonical_json(got)?;
        if e == g {
            return Ok(());
        }
        return Err(format!(
            "JSON data differs\n--- expected ---\n{e}\n--- got ---\n{g}"
        ));
    }
    if expected == got {
        return Ok(());
    }
    Err(format!(
        "YAML bytes differ\n--- expected ---\n{}\n--- got ---\n{}",
        String::from_utf8_lossy(expected),
        String::from_utf8_lossy(got)
    ))
}

/// Panics with every collected failure at once (one run shows the whole matrix).
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

/// The reference: `sops encrypt` then `sops decrypt` of a corpus case. Returns the name of the
/// sops-encrypted file in the sandbox and the decrypted bytes.
fn reference(sb: &Sandbox, sops: &Path, case: &Case) -> (String, Vec<u8>) {
    sb.write(case.name, &case.text);
    let enc_name = format!("sops-enc.{}", case.name);
    sb.write(&enc_name, sops_encrypt(sb, sops, case.name));
    let dec = sops_decrypt(sb, sops, &enc_name);
    dec.assert_success();
    (enc_name, dec.stdout)
}

/// Walks a JSON value, collecting every string value outside `_unencrypted` keys (`secrets`)
/// and every key and clear value (`clear`).
fn collect_strings(
    v: &Value,
    unencrypted: bool,
    secrets: &mut Vec<String>,
    clear: &mut Vec<String>,
) {
    match v {
        Value::String(s) if unencrypted => clear.push(s.clone()),
        Value::String(s) => secrets.push(s.clone()),
        Value::Array(a) => a
            .iter()
            .for_each(|x| collect_strings(x, unencrypted, secrets, clear)),
        Value::Object(m) => {
            for (k, x) in m {
                clear.push(k.clone());
                let u = unencrypted || k.ends_with("_unencrypted");
                collect_strings(x, u, secrets, clear);
            }
        }
        _ => {}
    }
}

/// Removes every `ENC[…]` token and every armored age block, leaving what is in clear.
fn clear_text_of(encrypted: &str) -> String {
    let enc = regex::Regex::new(r"ENC\[[^\]]*\]").expect("valid regex");
    let armor = regex::Regex::new(
        r"(?s)-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----",
    )
    .expect("valid regex");
    let t = enc.replace_all(encrypted, "ENC[]");
    armor.replace_all(&t, "AGE[]").into_owned()
}

/// Asserts that no plaintext value (≥ 4 chars, not under an `_unencrypted` key, not also a
/// key or clear value) appears in `encrypted`, neither raw nor JSON-escaped, nor any line of it.
fn assert_no_plaintext(case: &Case, data_json: &[u8], encrypted: &[u8]) -> Result<(), String> {
    let data: Value = serde_json::from_slice(data_json).map_err(|e| format!("data JSON: {e}"))?;
    let (mut secrets, mut clear) = (Vec::new(), Vec::new());
    collect_strings(&data, false, &mut secrets, &mut clear);
    secrets.extend(case.extra_secrets.iter().map(|s| s.to_string()));
    let text = clear_text_of(&String::from_utf8_lossy(encrypted));
    let mut leaks = Vec::new();
    for s in &secrets {
        let mut forms: Vec<String> = vec![s.clone()];
        let escaped = serde_json::to_string(s).expect("serialise string");
        forms.push(escaped.trim_matches('"').to_owned());
        forms.extend(s.lines().map(str::to_owned));
        for f in forms {
            if f.chars().count() < 4 || clear.iter().any(|c| c.contains(f.as_str())) {
                continue;
            }
            if text.contains(f.as_str()) {
                leaks.push(f);
            }
        }
    }
    if leaks.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: plaintext values appear in the encrypted output: {leaks:?}\n--- encrypted (ENC and age blocks elided) ---\n{text}",
            case.name
        ))
    }
}

/// The data of a case as JSON (for YAML: sops's `--output-type json`, first document only).
fn data_as_json(sb: &Sandbox, sops: &Path, case: &Case, sops_enc_name: &str) -> Vec<u8> {
    if case.is_json() {
        return case.text.as_bytes().to_vec();
    }
    let out = sb
        .cmd(sops)
        .args(["decrypt", "--output-type", "json", sops_enc_name])
        .age_identity(AGE1.identity_file())
        .run();
    out.assert_success();
    out.stdout
}

// ---------------------------------------------------------------------------------------------
// 1. the example files written by sops decrypt to their `.sops-decrypted` twins

/// `(encrypted, twin)` pairs in `testdata/sops/` with one of `exts`, that an identity in
/// `age-all.txt` can open. Files with no such recipient (`pgp.enc.yaml`) are left out.
fn example_files(exts: &[&str]) -> Vec<(PathBuf, PathBuf)> {
    let dir = testdata("sops");
    let mut pairs = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("read testdata/sops") {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some((stem, ext)) = name.split_once(".enc.") else {
            continue;
        };
        if !exts.contains(&ext) {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        if !keys::AGE_KEYS.iter().any(|k| text.contains(k.recipient)) {
            continue;
        }
        let twin = dir.join(format!("{stem}.sops-decrypted.{ext}"));
        assert!(twin.exists(), "{name} has no twin {}", twin.display());
        pairs.push((path, twin));
    }
    pairs.sort();
    pairs
}

fn check_example_files(exts: &[&str], at_least: usize) {
    let pairs = example_files(exts);
    assert!(
        pairs.len() >= at_least,
        "expected at least {at_least} example files with extensions {exts:?}, found {}",
        pairs.len()
    );
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    for (enc, twin) in &pairs {
        let name = enc.file_name().unwrap().to_string_lossy().into_owned();
        sb.copy_in(enc, &name);
        let out = sb
            .leafseal()
            .arg("decrypt")
            .arg(&name)
            .age_identity(keys::age_all_identities())
            .run();
        let want = std::fs::read(twin).unwrap();
        // Files not written by sops keep their own layout (module docs).
        let foreign = name.starts_with("independent_python");
        let ok = out.code == 0
            && match (foreign, name.rsplit('.').next()) {
                (true, Some("yaml")) => same_data_any_layout(false, &want, &out.stdout).is_ok(),
                (true, Some("json")) => same_data(true, &want, &out.stdout).is_ok(),
                _ => out.stdout == want,
            };
        if !ok {
            failures.push(format!(
                "{name}: output differs from {}\n--- expected ---\n{}\n{}",
                twin.file_name().unwrap().to_string_lossy(),
                String::from_utf8_lossy(&want),
                out.describe()
            ));
        }
    }
    report(failures, "example files");
}

#[test]
fn example_files_decrypt_to_their_twins() {
    // 11 YAML (pgp.enc.yaml has no age recipient), 4 JSON and the binary file.
    check_example_files(&["yaml", "json", "bin"], 16);
}

#[test]
fn example_dotenv_ini_files_decrypt_to_their_twins() {
    check_example_files(&["env", "ini"], 6);
}

// ---------------------------------------------------------------------------------------------
// 2. the generated corpus, both directions

/// Direction A: `sops encrypt` → leafseal decrypt gives what `sops decrypt` gives.
#[test]
fn corpus_encrypted_by_sops_decrypts_with_leafseal() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    for case in corpus::cases() {
        let (enc_name, want) = reference(&sb, &sops, &case);
        let got = leafseal_decrypt(&sb, &enc_name);
        if got.code != 0 {
            failures.push(format!("{}: decrypt failed\n{}", case.name, got.describe()));
            continue;
        }
        if let Err(e) = same_data(case.is_json(), &want, &got.stdout) {
            failures.push(format!("{}: {e}", case.name));
        }
    }
    report(failures, "corpus files (sops → leafseal)");
}

/// Direction B: leafseal encrypt → `sops decrypt` (MAC verified) gives what sops gives for its
/// own encryption of the same input; leafseal decrypts its own output the same way; and no
/// plaintext value is visible in leafseal's output.
#[test]
fn corpus_encrypted_by_leafseal_decrypts_with_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    for case in corpus::cases() {
        let (sops_enc, want) = reference(&sb, &sops, &case);
        let enc = leafseal_encrypt(&sb, case.name, AGE1.recipient);
        if enc.code != 0 {
            failures.push(format!("{}: encrypt failed\n{}", case.name, enc.describe()));
            continue;
        }
        let ours = format!("leafseal-enc.{}", case.name);
        sb.write(&ours, &enc.stdout);

        let data = data_as_json(&sb, &sops, &case, &sops_enc);
        if let Err(e) = assert_no_plaintext(&case, &data, &enc.stdout) {
            failures.push(e);
        }

        let by_sops = sops_decrypt(&sb, &sops, &ours);
        if by_sops.code != 0 {
            failures.push(format!(
                "{}: sops cannot decrypt leafseal's output\n{}",
                case.name,
                by_sops.describe()
            ));
        } else if let Err(e) = same_data(case.is_json(), &want, &by_sops.stdout) {
            failures.push(format!(
                "{} (sops decrypt of leafseal's file): {e}",
                case.name
            ));
        }

        let by_us = leafseal_decrypt(&sb, &ours);
        if by_us.code != 0 {
            failures.push(format!(
                "{}: round trip failed\n{}",
                case.name,
                by_us.describe()
            ));
        } else if let Err(e) = same_data_any_layout(case.is_json(), &want, &by_us.stdout) {
            failures.push(format!("{} (leafseal round trip): {e}", case.name));
        }
    }
    report(failures, "corpus files (leafseal → sops)");
}

/// Several recipients: each identity alone opens the file with sops.
#[test]
fn leafseal_encrypts_to_several_recipients() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("multi.yaml", "greeting: hello recipients\n");
    let recipients = [AGE1, AGE2, AGE3].map(|k| k.recipient).join(",");
    let enc = leafseal_encrypt(&sb, "multi.yaml", &recipients);
    enc.assert_success();
    sb.write("multi.enc.yaml", &enc.stdout);
    for k in keys::AGE_KEYS {
        assert!(
            enc.stdout_str().contains(k.recipient),
            "metadata lacks {}\n{}",
            k.name,
            enc.describe()
        );
        sb.cmd(&sops)
            .args(["decrypt", "multi.enc.yaml"])
            .age_identity(k.identity_file())
            .run()
            .assert_success()
            .assert_stdout_eq(b"greeting: hello recipients\n");
    }
}

/// The `enc` of an age recipient is an armored age file holding the raw 32-byte data key
/// (spec §6), so the `age` CLI opens it.
#[test]
fn data_key_is_wrapped_for_the_age_cli() {
    let Some(age) = tools::age() else { return };
    let sb = Sandbox::new();
    sb.write("k.json", "{\"a\": \"some secret value\"}\n");
    let enc = leafseal_encrypt(&sb, "k.json", AGE1.recipient);
    enc.assert_success();
    let doc: Value = serde_json::from_slice(&enc.stdout).expect("encrypted JSON parses");
    let wrapped = doc["sops"]["age"][0]["enc"]
        .as_str()
        .expect("sops.age[0].enc is a string");
    assert_eq!(doc["sops"]["age"][0]["recipient"], AGE1.recipient);
    let key = sb
        .cmd(&age)
        .arg("-d")
        .arg("-i")
        .arg(AGE1.identity_file())
        .stdin(wrapped)
        .run();
    key.assert_success();
    assert_eq!(key.stdout.len(), 32, "the data key is 32 raw bytes");
}

/// Encrypt from stdin (type from `--filename-override`) and to `--output`, then decrypt to
/// `--output`: the files are what sops reads and writes.
#[test]
fn stdin_and_output_file() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let plain = "from_stdin: piped secret value\nnum: 5\n";
    let enc = sb
        .leafseal()
        .args([
            "encrypt",
            "--age",
            AGE1.recipient,
            "--filename-override",
            "in.yaml",
        ])
        .stdin(plain)
        .run();
    enc.assert_success();
    sb.write("piped.enc.yaml", &enc.stdout);
    sops_decrypt(&sb, &sops, "piped.enc.yaml")
        .assert_success()
        .assert_stdout_eq(plain.as_bytes());

    sb.write("plain.yaml", plain);
    sb.leafseal()
        .args([
            "encrypt",
            "--age",
            AGE1.recipient,
            "--output",
            "out.enc.yaml",
            "plain.yaml",
        ])
        .run()
        .assert_success();
    sops_decrypt(&sb, &sops, "out.enc.yaml")
        .assert_success()
        .assert_stdout_eq(plain.as_bytes());

    sb.leafseal()
        .args(["decrypt", "--output", "back.yaml", "out.enc.yaml"])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    assert_eq!(sb.read_string("back.yaml"), plain);
}

/// Decrypt options give exactly what sops gives (exit code and stdout), on a sops-encrypted
/// corpus file.
#[test]
fn decrypt_options_match_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let cases = corpus::cases();
    let yaml = cases.iter().find(|c| c.name == "types.yaml").unwrap();
    let json = cases.iter().find(|c| c.name == "types.json").unwrap();
    let (yenc, _) = reference(&sb, &sops, yaml);
    let (jenc, _) = reference(&sb, &sops, json);
    let variants: Vec<Vec<&str>> = vec![
        vec![
            "--extract",
            r#"["nested"]["level2"]["level3"]["deep_secret"]"#,
            &yenc,
        ],
        vec![
            "--extract",
            r#"["nested"]["level2"]["level3"]["deep_int"]"#,
            &yenc,
        ],
        vec!["--extract", r#"["nested"]["level2"]"#, &yenc],
        vec!["--extract", r#"["list_of_maps"][1]["name"]"#, &yenc],
        vec!["--extract", r#"["nested"]["level2"]"#, &jenc],
        vec!["--extract", r#"["bool_true"]"#, &jenc],
        vec!["--output-type", "json", &yenc],
        vec!["--output-type", "yaml", &jenc],
    ];
    let mut failures = Vec::new();
    for args in variants {
        let want = sb
            .cmd(&sops)
            .arg("decrypt")
            .args(&args)
            .age_identity(AGE1.identity_file())
            .run();
        want.assert_success();
        let got = sb
            .leafseal()
            .arg("decrypt")
            .args(&args)
            .age_identity(AGE1.identity_file())
            .run();
        if got.code != want.code || got.stdout != want.stdout {
            failures.push(format!(
                "decrypt {args:?}\n--- sops stdout ---\n{}\n{}",
                want.stdout_str(),
                got.describe()
            ));
        }
    }
    report(failures, "decrypt option variants");
}

/// Self-check of the leak detector: fed the plaintext itself, it must find leaks in every
/// corpus file (otherwise direction B's check would pass vacuously).
#[test]
fn plaintext_check_catches_plaintext() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    for case in corpus::cases() {
        let (sops_enc, _) = reference(&sb, &sops, &case);
        let data = data_as_json(&sb, &sops, &case, &sops_enc);
        assert!(
            assert_no_plaintext(&case, &data, case.text.as_bytes()).is_err(),
            "{}: the leak check finds nothing in the plaintext",
            case.name
        );
        // And the sops-encrypted file is clean.
        if let Err(e) = assert_no_plaintext(&case, &data, &sb.read(&sops_enc)) {
            panic!("the leak check flags sops's own output: {e}");
        }
    }
}

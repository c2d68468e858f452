//! The `leafseal_layout` metadata token (issue 13 build item 5 and acceptance 4, issue 14
//! item 4): a token copied from another version of the file is refused, no removed value's
//! spelling survives `set`, `unset`, `edit` or `rotate` inside it, sops still reads every file,
//! and strings a YAML 1.1 reader would misread keep their quotes.
//!
//! The token is opened here with the library (`leafseal::ops::layout`), the data key unwrapped
//! with the test-only age identity.

use std::io::Read;
use std::str::FromStr;

use leafseal::cipher::DataKey;
use leafseal::ops::layout;
use leafseal::store::{Format, StoreOptions};

use crate::util::keys::{AGE1, AGE2};
use crate::util::{manifest_dir, testing_leafseal, tools, Output, Sandbox};

/// Spellings that differ from the canonical ones, so each is recorded: a folded block holding
/// a secret, a hex int, a float with a trailing zero, an octal-looking int in a list.
const ODD: &str = "pw: >\n  hunter2\npin: 0x1F2E\nf: 1.50\nl:\n  - 0x10\n  - 0o17\nq: 'quoted'\n";

/// The data key of an encrypted YAML file, unwrapped with `identity`.
fn data_key(enc: &[u8], identity: &std::path::Path) -> DataKey {
    let loaded = leafseal::ops::load(enc, Format::Yaml, &StoreOptions::default()).unwrap();
    let text = std::fs::read_to_string(identity).unwrap();
    let id = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .map(|l| age::x25519::Identity::from_str(l).unwrap())
        .unwrap();
    for stored in loaded.meta.groups.iter().flatten() {
        let reader = age::armor::ArmoredReader::new(stored.enc().as_bytes());
        let Ok(dec) = age::Decryptor::new(reader) else {
            continue;
        };
        if let Ok(mut r) = dec.decrypt(std::iter::once(&id as &dyn age::Identity)) {
            let mut key = Vec::new();
            r.read_to_end(&mut key).unwrap();
            return DataKey::from_slice(&key).unwrap();
        }
    }
    panic!("no entry of the file opens with {}", identity.display());
}

/// The spellings in a file's layout token, opened with its own key and MAC.
fn spellings(enc: &[u8]) -> Vec<String> {
    let key = data_key(enc, &AGE1.identity_file());
    let loaded = leafseal::ops::load(enc, Format::Yaml, &StoreOptions::default()).unwrap();
    layout::open_meta(&key, &loaded.meta)
        .iter()
        .map(|e| e.spelling.clone())
        .collect()
}

/// The `leafseal_layout: …` line of an encrypted YAML file.
fn layout_line(enc: &str) -> &str {
    enc.lines()
        .find(|l| l.trim_start().starts_with("leafseal_layout:"))
        .expect("the file has a layout token")
}

/// Decrypt `file` on the piecewise and on the whole-document path; both must agree.
fn decrypt(sb: &Sandbox, file: &str) -> String {
    let run = |whole: bool| -> Output {
        let mut c = sb.leafseal().args(["decrypt", file]);
        if whole {
            c = c.env("LEAFSEAL_NO_PIECES", "1");
        }
        let out = c.age_identity(AGE1.identity_file()).run();
        out.assert_success();
        out
    };
    let (pieces, whole) = (run(false), run(true));
    assert_eq!(
        pieces.stdout_str(),
        whole.stdout_str(),
        "the two paths differ"
    );
    pieces.stdout_str()
}

/// sops decrypts `file` to the data leafseal decrypts it to.
fn sops_agrees(sb: &Sandbox, sops: &std::path::Path, file: &str) {
    let json = |out: Output| -> serde_json::Value {
        out.assert_success();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let theirs = json(
        sb.cmd(sops)
            .args(["decrypt", "--output-type", "json", file])
            .age_identity(AGE1.identity_file())
            .run(),
    );
    let ours = json(
        sb.leafseal()
            .args(["decrypt", "--output-type", "json", file])
            .age_identity(AGE1.identity_file())
            .run(),
    );
    assert_eq!(theirs, ours, "{file}: sops reads other data");
}

fn encrypt(sb: &Sandbox, plain: &str, file: &str) -> Vec<u8> {
    sb.write("plain.yaml", plain);
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    out.assert_success();
    sb.write(file, &out.stdout);
    out.stdout
}

#[test]
fn a_token_from_an_older_version_of_the_file_is_refused() {
    if !testing_leafseal() {
        return; // the layout token is leafseal's
    }
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let v1 = encrypt(&sb, ODD, "v1.yaml");
    assert_eq!(decrypt(&sb, "v1.yaml"), ODD);
    assert!(
        spellings(&v1).iter().any(|s| s.contains("hunter2")),
        "the folded block is recorded (else this test proves nothing)"
    );
    sb.write("v2.yaml", &v1);
    sb.leafseal()
        .args(["set", "v2.yaml", r#"["pw"]"#, r#""new""#])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    let v2 = sb.read_string("v2.yaml");
    let kept = ODD.replace(">\n  hunter2", "new");
    assert_eq!(decrypt(&sb, "v2.yaml"), kept);
    sops_agrees(&sb, &sops, "v2.yaml");

    // The old version's token spliced into the new version: refused as a whole, so every
    // value has its canonical spelling, and the old secret is nowhere.
    let v1 = String::from_utf8(v1).unwrap();
    let spliced = v2.replace(layout_line(&v2), layout_line(&v1));
    assert_ne!(spliced, v2);
    sb.write("spliced.yaml", &spliced);
    let out = decrypt(&sb, "spliced.yaml");
    assert!(!out.contains("hunter2"), "{out}");
    assert_eq!(
        out,
        "pw: new\npin: 7982\nf: 1.5\nl:\n  - 16\n  - 15\nq: 'quoted'\n"
    );
    assert!(spellings(spliced.as_bytes()).is_empty());
    // And the other way round.
    let back = v1.replace(layout_line(&v1), layout_line(&v2));
    sb.write("back.yaml", &back);
    assert_eq!(
        decrypt(&sb, "back.yaml"),
        "pw: |\n    hunter2\npin: 7982\nf: 1.5\nl:\n  - 16\n  - 15\nq: 'quoted'\n"
    );
}

#[test]
fn the_issue_example_quoted_hex_and_float() {
    if !testing_leafseal() {
        return;
    }
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let plain = "pw: 'hunter2'\nn: 0x1F\nf: 1.50\n";
    let v1 = String::from_utf8(encrypt(&sb, plain, "v1.yaml")).unwrap();
    assert_eq!(decrypt(&sb, "v1.yaml"), plain);
    sb.write("v2.yaml", &v1);
    sb.leafseal()
        .args(["set", "v2.yaml", r#"["pw"]"#, r#""new""#])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    assert_eq!(decrypt(&sb, "v2.yaml"), "pw: 'new'\nn: 0x1F\nf: 1.50\n");
    sops_agrees(&sb, &sops, "v2.yaml");
    let v2 = sb.read_string("v2.yaml");
    sb.write("v2.yaml", v2.replace(layout_line(&v2), layout_line(&v1)));
    assert_eq!(decrypt(&sb, "v2.yaml"), "pw: 'new'\nn: 31\nf: 1.5\n");
}

#[test]
fn no_removed_value_survives_in_the_token() {
    if !testing_leafseal() {
        return;
    }
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    encrypt(&sb, ODD, "f.yaml");
    let step = |args: &[&str]| {
        let mut a = vec![args[0], "f.yaml"];
        a.extend(&args[1..]);
        sb.leafseal()
            .args(a)
            .age_identity(AGE1.identity_file())
            .run()
            .assert_success();
        let enc = sb.read("f.yaml");
        sops_agrees(&sb, &sops, "f.yaml");
        (spellings(&enc), decrypt(&sb, "f.yaml"))
    };
    let has = |s: &[String], x: &str| s.iter().any(|t| t.contains(x));

    let (s, out) = step(&["set", r#"["pw"]"#, r#""new""#]);
    assert!(!has(&s, "hunter2"), "{s:?}");
    assert!(has(&s, "0x1F2E") && has(&s, "1.50") && has(&s, "0x10") && has(&s, "0o17"));
    assert_eq!(out, ODD.replace(">\n  hunter2", "new"));

    let (s, out) = step(&["set", r#"["pin"]"#, "7983"]);
    assert!(!has(&s, "0x1F2E"), "{s:?}");
    assert!(out.contains("pin: 7983\n"), "{out}");

    let (s, out) = step(&["unset", r#"["f"]"#]);
    assert!(!has(&s, "1.50"), "{s:?}");
    assert_eq!(
        out,
        "pw: new\npin: 7983\nl:\n  - 0x10\n  - 0o17\nq: 'quoted'\n"
    );

    // Removing a list item renumbers the one after it; its spelling follows it.
    let (s, out) = step(&["unset", r#"["l"][0]"#]);
    assert!(!has(&s, "0x10"), "{s:?}");
    assert!(has(&s, "0o17"), "{s:?}");
    assert!(out.contains("- 0o17\n") && !out.contains("16"), "{out}");

    // edit: the spellings are those of the saved text.
    let ed = sb.write(
        "ed.sh",
        "#!/bin/sh\nset -e\nsed -i 's/0o17/0o20/' \"$1\"\nprintf 'f: 2.50\\n' >> \"$1\"\n",
    );
    sb.leafseal()
        .args(["edit", "f.yaml"])
        .env("EDITOR", format!("sh {}", ed.display()))
        .env("XDG_RUNTIME_DIR", sb.root())
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    let s = spellings(&sb.read("f.yaml"));
    assert!(
        !has(&s, "0o17") && has(&s, "0o20") && has(&s, "2.50"),
        "{s:?}"
    );
    sops_agrees(&sb, &sops, "f.yaml");
    let before = decrypt(&sb, "f.yaml");
    assert!(
        before.contains("0o20") && before.ends_with("f: 2.50\n"),
        "{before}"
    );

    // rotate: a new data key; the token is sealed again under it with the live entries.
    let old_key = data_key(&sb.read("f.yaml"), &AGE1.identity_file());
    let (s2, out) = step(&["rotate", "-i", "--add-age", AGE2.recipient]);
    assert_eq!(out, before);
    let mut live = s.clone();
    live.sort();
    let mut after = s2.clone();
    after.sort();
    assert_eq!(after, live);
    let enc = sb.read("f.yaml");
    let loaded = leafseal::ops::load(&enc, Format::Yaml, &StoreOptions::default()).unwrap();
    assert!(layout::open_meta(&old_key, &loaded.meta).is_empty());
    let new_key = data_key(&enc, &AGE2.identity_file());
    assert_eq!(layout::open_meta(&new_key, &loaded.meta).len(), s2.len());
}

#[test]
fn updatekeys_keeps_a_readable_token_and_drops_a_foreign_one() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    let v1 = String::from_utf8(encrypt(&sb, ODD, "f.yaml")).unwrap();
    // Another version's token pasted in (say by a bad merge), then updatekeys.
    let v2 = String::from_utf8(encrypt(&sb, ODD, "g.yaml")).unwrap();
    sb.write("g.yaml", v2.replace(layout_line(&v2), layout_line(&v1)));
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - age: {},{}\n",
            AGE1.recipient, AGE2.recipient
        ),
    );
    for f in ["f.yaml", "g.yaml"] {
        sb.leafseal()
            .args(["updatekeys", "-y", f])
            .age_identity(AGE1.identity_file())
            .run()
            .assert_success();
    }
    assert_eq!(decrypt(&sb, "f.yaml"), ODD);
    assert!(!spellings(&sb.read("f.yaml")).is_empty());
    assert!(!sb.read_string("g.yaml").contains("leafseal_layout"));
}

#[test]
fn a_format_1_token_falls_back_to_canonical_spellings() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    let enc = String::from_utf8(encrypt(&sb, "n: 0x1F\nf: 1.50\n", "f.yaml")).unwrap();
    // What leafseal ≤ this change wrote: a constant AAD, entries without context.
    let key = data_key(enc.as_bytes(), &AGE1.identity_file());
    let v1 = leafseal::cipher::value::seal(
        &key,
        br#"[["n:",0,"0x1F"],["f:",0,"1.50"]]"#,
        b"leafseal_layout:",
        leafseal::cipher::value::random_iv(),
        "str",
    )
    .to_string();
    let line = layout_line(&enc);
    let indent = &line[..line.len() - line.trim_start().len()];
    sb.write(
        "f.yaml",
        enc.replace(line, &format!("{indent}leafseal_layout: {v1}")),
    );
    assert_eq!(decrypt(&sb, "f.yaml"), "n: 31\nf: 1.5\n");
}

/// Strings that a YAML 1.1 reader (PyYAML, Kubernetes' yaml.v2) types as bool, int, float,
/// null or timestamp when written plain, or cannot read at all. (Not `<<`: the string `<<` is
/// written `!!merge <<`, as sops writes it, which go-yaml reads back as the string and PyYAML
/// refuses.)
const YAML11: &[&str] = &[
    "no",
    "yes",
    "on",
    "off",
    "y",
    "n",
    "Y",
    "NO",
    "Off",
    "0777",
    "1_000",
    "0x1F",
    "0b101",
    "1:20",
    "2001-12-14",
    "2001-12-14 21:59:43.10 -5",
    "2001-12-14T21:59:43",
    "2001-12-14 21:59:43Z",
    "2001-02-30",
    "~",
    "null",
    ".5",
    "1.5",
    "+12",
    "-0",
    "=",
    "True",
    ".inf",
    "0xFFFFFFFFFFFFFFFFFF",
];

/// Every value of a flat YAML map of `k<i>: …` lines is quoted.
fn assert_all_quoted(text: &str, what: &str) {
    for line in text.lines() {
        let (k, v) = line.split_once(": ").unwrap_or(("", line));
        if !k.starts_with('k') {
            continue;
        }
        assert!(
            v.starts_with('"') || v.starts_with('\''),
            "{what}: {line:?} lost its quotes\n{text}"
        );
    }
}

/// PyYAML (from the test venv, when there) reads every `k<i>` of `text` as the string `YAML11[i]`.
fn pyyaml_reads_strings(sb: &Sandbox, text: &str) {
    let py = manifest_dir().join(".cache/venv/bin/python");
    if !py.exists() {
        eprintln!("(PyYAML check skipped: no .cache/venv)");
        return;
    }
    sb.write("py.yaml", text);
    sb.write("want.json", serde_json::to_vec(YAML11).unwrap());
    let script = "import json, sys, yaml\n\
        d = yaml.safe_load(open('py.yaml'))\n\
        want = json.load(open('want.json'))\n\
        bad = [(k, repr(v)) for k, v in d.items() if k.startswith('k') and v != want[int(k[1:])]]\n\
        print(bad)\n\
        sys.exit(1 if bad else 0)\n";
    let out = sb.cmd(&py).args(["-c", script]).run();
    if out.stderr_str().contains("No module named 'yaml'") {
        eprintln!("(PyYAML check skipped: no yaml module)");
        return;
    }
    out.assert_success();
}

#[test]
fn yaml_1_1_strings_keep_their_quotes() {
    let Some(sops) = tools::sops() else { return };
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    let mut plain = String::new();
    for (i, v) in YAML11.iter().enumerate() {
        // Both quote styles.
        if i % 2 == 0 {
            plain.push_str(&format!("k{i}: '{v}'\n"));
        } else {
            plain.push_str(&format!("k{i}: \"{v}\"\n"));
        }
    }
    // leafseal's own file: byte for byte, and sops reads the same strings.
    encrypt(&sb, &plain, "ours.yaml");
    let ours = decrypt(&sb, "ours.yaml");
    assert_eq!(ours, plain);
    sops_agrees(&sb, &sops, "ours.yaml");
    // sops' file (plain tokens, no layout): leafseal writes every one quoted, the timestamps
    // and the rest that sops itself prints plain included.
    let theirs = sb
        .cmd(&sops)
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    theirs.assert_success();
    sb.write("theirs.yaml", &theirs.stdout);
    let out = decrypt(&sb, "theirs.yaml");
    assert_all_quoted(&out, "decrypt of sops' file");
    pyyaml_reads_strings(&sb, &out);
    // Values written by `set` (canonical rendering), in a file with a layout token.
    for (i, v) in YAML11.iter().enumerate() {
        let json = serde_json::to_string(v).unwrap();
        sb.leafseal()
            .args(["set", "ours.yaml", &format!("[\"k{i}\"]"), &json])
            .age_identity(AGE1.identity_file())
            .run()
            .assert_success();
    }
    let out = decrypt(&sb, "ours.yaml");
    assert_all_quoted(&out, "decrypt after set");
    pyyaml_reads_strings(&sb, &out);
    sops_agrees(&sb, &sops, "ours.yaml");
}

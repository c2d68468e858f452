//! The tamper suite for every store (issue 9): a file encrypted by leafseal, damaged in one way,
//! must fail to decrypt with the exit code sops gives for the same bytes (25 when a value fails
//! GCM authentication, 51 when only the MAC catches it); with `--ignore-mac` the MAC-only cases
//! decrypt. `interop_sops/tamper.rs` covers YAML/JSON list items and a damaged MAC token; this
//! adds dotenv, INI and binary and the move/drop/replay cases for all five.

use std::path::Path;

use regex::Regex;

use crate::util::keys::AGE1;
use crate::util::{tools, Output, Sandbox};

const GCM_FAILURE: i32 = 25;
const MAC_MISMATCH: i32 = 51;

/// Tamper cases leafseal gets wrong today, as `(case id, reason)`; printed and skipped.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

struct Format {
    ext: &'static str,
    plain: &'static str,
    /// The metadata key names as written in this format.
    mac: &'static str,
    lastmodified: &'static str,
}

const FORMATS: &[Format] = &[
    Format {
        ext: "yaml",
        plain: "tamper_target: S3CR3T tamper target\nswap_a: first swapped secret\n\
                swap_b: second swapped secret\nextra: a value that will be dropped\n\
                note_unencrypted: original clear note\n",
        mac: "mac",
        lastmodified: "lastmodified",
    },
    Format {
        ext: "json",
        plain: "{\n  \"tamper_target\": \"S3CR3T tamper target\",\n  \"swap_a\": \"first swapped secret\",\n  \
                \"swap_b\": \"second swapped secret\",\n  \"extra\": \"a value that will be dropped\",\n  \
                \"note_unencrypted\": \"original clear note\"\n}\n",
        mac: "mac",
        lastmodified: "lastmodified",
    },
    Format {
        ext: "env",
        plain: "tamper_target=S3CR3T tamper target\nswap_a=first swapped secret\n\
                swap_b=second swapped secret\nextra=a value that will be dropped\n\
                note_unencrypted=original clear note\n",
        mac: "sops_mac",
        lastmodified: "sops_lastmodified",
    },
    Format {
        ext: "ini",
        plain: "[main]\ntamper_target = S3CR3T tamper target\nswap_a = first swapped secret\n\
                swap_b = second swapped secret\nextra = a value that will be dropped\n\
                note_unencrypted = original clear note\n",
        mac: "mac",
        lastmodified: "lastmodified",
    },
    Format {
        ext: "bin",
        plain: "S3CR3T binary payload\n",
        mac: "mac",
        lastmodified: "lastmodified",
    },
];

/// The line `key <sep> value` (YAML, JSON, dotenv or INI layout), as a regex.
fn line_re(key: &str) -> Regex {
    Regex::new(&format!(
        r#"(?m)^[ \t]*"?{}"?[ \t]*[:=][^\n]*\n"#,
        regex::escape(key)
    ))
    .expect("valid regex")
}

/// Byte range of the `ENC[…]` token that is the value of `key`.
fn token_range(text: &str, key: &str) -> std::ops::Range<usize> {
    let line = line_re(key)
        .find(text)
        .unwrap_or_else(|| panic!("no line for key {key:?} in\n{text}"));
    let tok = Regex::new(r"ENC\[[^\]]*\]")
        .expect("valid regex")
        .find(line.as_str())
        .unwrap_or_else(|| panic!("no ENC token for {key:?} in {:?}", line.as_str()));
    line.start() + tok.start()..line.start() + tok.end()
}

/// Changes the first base64 character of `field` in the token of `key`.
fn flip(text: &str, key: &str, field: &str) -> String {
    let r = token_range(text, key);
    let at = r.start + text[r].find(&format!("{field}:")).expect("field") + field.len() + 1;
    let new = if text.as_bytes()[at] == b'A' {
        "B"
    } else {
        "A"
    };
    format!("{}{new}{}", &text[..at], &text[at + 1..])
}

fn swap_tokens(text: &str, a: &str, b: &str) -> String {
    let (ra, rb) = (token_range(text, a), token_range(text, b));
    assert!(ra.end <= rb.start, "tokens in order");
    format!(
        "{}{}{}{}{}",
        &text[..ra.start],
        &text[rb.clone()],
        &text[ra.end..rb.start],
        &text[ra],
        &text[rb.end..]
    )
}

fn drop_line(text: &str, key: &str) -> String {
    line_re(key).replacen(text, 1, "").into_owned()
}

/// `new` with the `mac` and `lastmodified` lines taken from `old`.
fn replay_mac(f: &Format, old: &str, new: &str) -> String {
    let mut out = new.to_owned();
    for key in [f.mac, f.lastmodified] {
        let re = line_re(key);
        let old_line = re.find(old).expect("old line").as_str().to_owned();
        let at = re.find(&out).expect("new line").range();
        out.replace_range(at, &old_line);
    }
    out
}

struct Tamper {
    name: String,
    bytes: String,
    /// Flags besides the file.
    flags: &'static [&'static str],
    /// The code the test expects (and sops must agree with).
    expect: i32,
}

fn cases(f: &Format, sb: &Sandbox, text: &str) -> Vec<Tamper> {
    let mut v = Vec::new();
    let mut add = |what: &str, bytes: String, expect: i32, mac_only: bool| {
        v.push(Tamper {
            name: format!("{what}.{}", f.ext),
            bytes: bytes.clone(),
            flags: &[],
            expect,
        });
        v.push(Tamper {
            name: format!("{what}-ignore-mac.{}", f.ext),
            bytes,
            flags: &["--ignore-mac"],
            expect: if mac_only { 0 } else { expect },
        });
    };
    let target = if f.ext == "bin" {
        "data"
    } else {
        "tamper_target"
    };
    for field in ["data", "iv", "tag"] {
        add(
            &format!("flip-{field}"),
            flip(text, target, field),
            GCM_FAILURE,
            false,
        );
    }
    if f.ext != "bin" {
        add(
            "swap-ciphertexts",
            swap_tokens(text, "swap_a", "swap_b"),
            GCM_FAILURE,
            false,
        );
        add(
            "move-value",
            text.replacen("swap_a", "moved_a", 1),
            GCM_FAILURE,
            false,
        );
        add("drop-value", drop_line(text, "extra"), MAC_MISMATCH, true);
        add(
            "edit-unencrypted",
            text.replacen("original clear note", "edited clear note", 1),
            MAC_MISMATCH,
            true,
        );
    }
    // Replay: set a value (new MAC), then put the old MAC and lastmodified back.
    let name = format!("replay-src.{}", f.ext);
    sb.write(&name, text);
    let (path, value) = if f.ext == "ini" {
        (r#"["main"]["extra"]"#, r#""a newer value""#)
    } else if f.ext == "bin" {
        (r#"["data"]"#, r#""a newer payload""#)
    } else {
        (r#"["extra"]"#, r#""a newer value""#)
    };
    sb.leafseal()
        .args(["set", &name, path, value])
        .age_identity(AGE1.identity_file())
        .run()
        .assert_success();
    let newer = sb.read_string(&name);
    assert_ne!(newer, text, "set changed the file");
    add(
        "replay-old-mac",
        replay_mac(f, text, &newer),
        MAC_MISMATCH,
        true,
    );
    v
}

fn decrypt(sb: &Sandbox, program: &Path, t: &Tamper) -> Output {
    sb.cmd(program)
        .arg("decrypt")
        .args(t.flags)
        .arg(&t.name)
        .age_identity(AGE1.identity_file())
        .run()
}

#[test]
fn every_tamper_is_detected_in_every_format_like_sops() {
    let sops = tools::sops();
    let sb = Sandbox::new();
    let mut problems = Vec::new();
    let mut total = 0;
    for f in FORMATS {
        let plain = format!("plain.{}", f.ext);
        sb.write(&plain, f.plain);
        let enc = sb
            .leafseal()
            .args(["encrypt", "--age", AGE1.recipient, &plain])
            .run();
        enc.assert_success();
        let text = enc.stdout_str();
        for t in cases(f, &sb, &text) {
            total += 1;
            sb.write(&t.name, &t.bytes);
            let id = format!("{}{}", t.name, t.flags.join(" "));
            let known = KNOWN_FAILURES.iter().find(|(k, _)| *k == id);
            let mut why = Vec::new();
            if let Some(sops) = &sops {
                let theirs = decrypt(&sb, sops, &t);
                if theirs.code != t.expect {
                    why.push(format!(
                        "the reference sops exits {} (test expects {}): fix the test\n{}",
                        theirs.code,
                        t.expect,
                        theirs.describe()
                    ));
                }
            }
            let ours = decrypt(&sb, &crate::util::under_test(), &t);
            if ours.code != t.expect {
                why.push(format!(
                    "exit {} instead of {}\n{}",
                    ours.code,
                    t.expect,
                    ours.describe()
                ));
            } else if t.expect != 0 {
                let first = ours.stderr_str().lines().next().unwrap_or("").to_owned();
                if crate::util::testing_leafseal()
                    && !(first.starts_with("leafseal: error: ") && first.contains(&t.name))
                {
                    why.push(format!(
                        "error line does not name the file\n{}",
                        ours.describe()
                    ));
                }
                if !ours.stdout.is_empty() {
                    why.push(format!("failed but printed data\n{}", ours.describe()));
                }
            }
            match (why.is_empty(), known) {
                (true, None) => {}
                (true, Some(_)) => problems.push(format!("{id}: in KNOWN_FAILURES but passes")),
                (false, Some((_, reason))) => eprintln!("KNOWN FAILURE (skipped): {id}: {reason}"),
                (false, None) => problems.push(format!("{id}: {}", why.join("\n"))),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {total} tamper cases failed:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

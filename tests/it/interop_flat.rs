//! dotenv, INI and binary interop with the reference sops over a generated corpus (issue 3
//! acceptance 1): special characters, `=` and `#` inside values, empty values, unicode, and
//! binaries of 0 B to 1 MiB holding every byte value. Both directions: sops encrypts and
//! leafseal decrypts to what sops decrypts; leafseal encrypts and sops decrypts to the same.

use crate::util::keys::AGE1;
use crate::util::{tools, Sandbox};

fn dotenv_corpus() -> String {
    let mut s = String::from("# generated dotenv corpus\n");
    let values = [
        "plain",
        "with spaces",
        "a=b=c",
        "hash # not a comment",
        "",
        "ünïcødé ✓ 日本",
        "quote\"s 'and' `ticks`",
        "back\\\\slash",
        "esc\\nnewline",
        "trailing space ",
        " leading",
        "$VAR ${BRACED}",
        "x;y;z",
    ];
    for (i, v) in values.iter().enumerate() {
        s.push_str(&format!("KEY_{i}={v}\n"));
    }
    s.push_str("# a comment between\nSECRET_unencrypted=visible\nlower.case-key=ok\n");
    s
}

fn ini_corpus() -> String {
    "; generated INI corpus\nglobal = top level\n\n[database]\n; credentials\nuser = admin\npassword = p@ss=word!\nempty =\nunicode = ünïcødé ✓\n\n[service.api]\nurl = https://example.invalid/path?x=1\ntoken_unencrypted = visible\nspaced = a b  c\n".into()
}

fn binaries() -> Vec<(String, Vec<u8>)> {
    let all: Vec<u8> = (0..=255u8).collect();
    let mut big = Vec::with_capacity(1 << 20);
    let mut x: u32 = 12345;
    while big.len() < (1 << 20) {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        big.push((x >> 16) as u8);
    }
    vec![
        ("empty.bin".into(), Vec::new()),
        ("bytes.bin".into(), all.repeat(3)),
        ("big.bin".into(), big),
        ("text.txt".into(), b"just text\nno newline at end".to_vec()),
    ]
}

fn both_ways(
    sb: &Sandbox,
    sops: &std::path::Path,
    name: &str,
    content: &[u8],
) -> Result<(), String> {
    sb.write(name, content);
    let id = AGE1.identity_file();
    // sops → leafseal
    let enc = sb
        .cmd(sops)
        .args(["encrypt", "--age", AGE1.recipient, name])
        .run();
    if enc.code != 0 {
        return Err(format!("{name}: sops encrypt failed\n{}", enc.describe()));
    }
    let sops_enc = format!("sops-enc.{name}");
    sb.write(&sops_enc, &enc.stdout);
    let want = sb
        .cmd(sops)
        .args(["decrypt", &sops_enc])
        .age_identity(&id)
        .run();
    let got = sb
        .leafseal()
        .args(["decrypt", &sops_enc])
        .age_identity(&id)
        .run();
    if want.code != 0 || got.code != 0 || want.stdout != got.stdout {
        return Err(format!(
            "{name}: sops → leafseal differs\n{}\n{}",
            want.describe(),
            got.describe()
        ));
    }
    // leafseal → sops
    let ours = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, name])
        .run();
    if ours.code != 0 {
        return Err(format!(
            "{name}: leafseal encrypt failed\n{}",
            ours.describe()
        ));
    }
    let our_enc = format!("ls-enc.{name}");
    sb.write(&our_enc, &ours.stdout);
    let by_sops = sb
        .cmd(sops)
        .args(["decrypt", &our_enc])
        .age_identity(&id)
        .run();
    if by_sops.code != 0 || by_sops.stdout != want.stdout {
        return Err(format!(
            "{name}: leafseal → sops differs\n{}",
            by_sops.describe()
        ));
    }
    Ok(())
}

#[test]
fn dotenv_ini_and_binary_corpora_interoperate_both_ways() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("corpus.env".into(), dotenv_corpus().into_bytes()),
        ("corpus.ini".into(), ini_corpus().into_bytes()),
    ];
    cases.extend(binaries());
    for (name, content) in &cases {
        if let Err(e) = both_ways(&sb, &sops, name, content) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Beyond sops (issue 3): a plaintext .env may use `export KEY=`, quoted and multi-line values;
/// leafseal writes the encrypted file in sops's grammar, so sops decrypts it to the values.
#[test]
fn shell_style_dotenv_is_encrypted_so_sops_reads_the_values() {
    let Some(sops) = tools::sops() else { return };
    if !crate::util::testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    sb.write("app.env", "# shell style\nexport TOKEN='s3cr3t $literal'\nDQ=\"a \\\"b\\\" c\"\nMULTI=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nPLAIN=x=y\n");
    let enc = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "app.env"])
        .run();
    enc.assert_success();
    let text = enc.stdout_str();
    assert!(
        !text.contains("export") && !text.contains("s3cr3t"),
        "{text}"
    );
    sb.write("app.enc.env", &enc.stdout);
    let want = "# shell style\nTOKEN=s3cr3t $literal\nDQ=a \"b\" c\nMULTI=-----BEGIN KEY-----\\nabc\\n-----END KEY-----\nPLAIN=x=y\n";
    for program in [None, Some(&sops)] {
        let cmd = match program {
            None => sb.leafseal(),
            Some(p) => sb.cmd(p),
        };
        let out = cmd
            .args(["decrypt", "app.enc.env"])
            .age_identity(AGE1.identity_file())
            .run();
        out.assert_success().assert_stdout_eq(want.as_bytes());
    }
    let out = sb
        .cmd(&sops)
        .args(["exec-env", "app.enc.env", "printf '%s' \"$MULTI\""])
        .age_identity(AGE1.identity_file())
        .run();
    out.assert_success()
        .assert_stdout_eq(b"-----BEGIN KEY-----\nabc\n-----END KEY-----");
}

/// `--output-type` conversions side by side with sops: YAML → JSON and flat YAML → dotenv give
/// the same data, nested YAML → dotenv fails with the same exit code (4).
#[test]
fn output_type_conversions_match_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("flat.yaml", "A: 1\nB: two words\n");
    sb.write("nested.yaml", "a: 1\nb:\n    c: two\n");
    for name in ["flat.yaml", "nested.yaml"] {
        let out = sb
            .leafseal()
            .args(["encrypt", "--age", AGE1.recipient, name])
            .run();
        out.assert_success();
        sb.write(&format!("enc.{name}"), &out.stdout);
    }
    for (file, to) in [
        ("enc.flat.yaml", "json"),
        ("enc.flat.yaml", "dotenv"),
        ("enc.nested.yaml", "json"),
        ("enc.nested.yaml", "dotenv"),
    ] {
        let a = sb
            .leafseal()
            .args(["decrypt", "--output-type", to, file])
            .age_identity(AGE1.identity_file())
            .run();
        let b = sb
            .cmd(&sops)
            .args(["decrypt", "--output-type", to, file])
            .age_identity(AGE1.identity_file())
            .run();
        assert_eq!(
            a.code,
            b.code,
            "{file} → {to}\n{}\n{}",
            a.describe(),
            b.describe()
        );
        if a.code == 0 {
            assert_eq!(a.stdout_str(), b.stdout_str(), "{file} → {to}");
        }
    }
}

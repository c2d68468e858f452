//! Issue 22: the `version` in a file's metadata and `filestatus`, side by side with the
//! reference sops: versions sops 1.x wrote (`1.0`, a YAML float) are read, a version that is
//! not semver is refused as sops refuses it, and `filestatus` says `true` for any file with
//! metadata, `false` for one without, and fails on a file it cannot read.

use crate::util::keys::AGE1;
use crate::util::{tools, Sandbox};

/// An encrypted YAML file with its metadata's `version:` line replaced by `version`.
fn with_version(sb: &Sandbox, name: &str, version: Option<&str>) {
    sb.write("plain.yaml", "db:\n  password: pw\n");
    let out = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    out.assert_success();
    let text = out.stdout_str();
    let text: String = text
        .lines()
        .filter_map(
            |l| match (l.trim_start().starts_with("version:"), version) {
                (true, Some(v)) => Some(format!(
                    "{}version: {v}\n",
                    &l[..l.len() - l.trim_start().len()]
                )),
                (true, None) => None,
                (false, _) => Some(format!("{l}\n")),
            },
        )
        .collect();
    sb.write(name, text);
}

#[test]
fn versions_are_judged_as_sops_judges_them() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    // (version text, decrypts?)
    let cases = [
        ("1.0", true),
        ("1.18", true),
        ("\"1.7\"", true),
        ("v3.0.0", true),
        ("3.0.0-rc1", true),
        ("foo", false),
        ("\"3.1\"", false),
        ("03.1.0", false),
    ];
    for (i, (version, ok)) in cases.iter().enumerate() {
        let name = format!("v{i}.enc.yaml");
        with_version(&sb, &name, Some(version));
        let run = |program: &std::path::Path| {
            sb.cmd(program)
                .age_identity(AGE1.identity_file())
                .args(["decrypt", &name])
                .run()
        };
        let (ours, theirs) = (run(&crate::util::under_test()), run(&sops));
        assert_eq!(
            ours.code,
            theirs.code,
            "version {version}: {}",
            ours.describe()
        );
        assert_eq!(
            ours.code == 0,
            *ok,
            "version {version}: {}",
            ours.describe()
        );
        if *ok {
            assert_eq!(ours.stdout, b"db:\n  password: pw\n");
        }
    }
}

#[test]
fn filestatus_agrees_with_sops() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    with_version(&sb, "enc.yaml", Some("3.13.2"));
    with_version(&sb, "old.yaml", Some("1.0"));
    with_version(&sb, "odd.yaml", Some("foo"));
    with_version(&sb, "noversion.yaml", None);
    sb.write("plain.yaml", "a: 1\n");
    sb.write("broken.yaml", "a: [\n");
    sb.write("note.txt", "hello\n");
    sb.write("copy.enc", sb.read("enc.yaml"));
    sb.write("empty.json", "{}");
    let nomac: String = sb
        .read_string("enc.yaml")
        .lines()
        .filter(|l| !l.trim_start().starts_with("mac:"))
        .map(|l| format!("{l}\n"))
        .collect();
    sb.write("nomac.yaml", nomac);
    // A JSON number as the version, as sops 1.x wrote it: SOPS cannot load the metadata.
    sb.write("j.json", "{\"a\": 1}\n");
    let enc = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "j.json"])
        .run();
    enc.assert_success();
    let numeric = enc.stdout_str().replace(
        &format!("\"version\": \"{}\"", leafseal::ops::SOPS_VERSION),
        "\"version\": 1.6",
    );
    assert!(numeric.contains("\"version\": 1.6"));
    sb.write("numeric.json", numeric);
    // (file, expected stdout; None = an error, exit 1)
    let cases: [(&str, Option<&str>); 11] = [
        ("numeric.json", None),
        ("enc.yaml", Some("true")),
        ("old.yaml", Some("true")),
        ("odd.yaml", Some("true")),
        ("noversion.yaml", Some("false")),
        ("nomac.yaml", Some("false")),
        ("plain.yaml", Some("false")),
        ("empty.json", Some("false")),
        ("broken.yaml", None),
        ("note.txt", None),
        ("copy.enc", None),
    ];
    for (file, want) in cases {
        let run = |program: &std::path::Path| sb.cmd(program).args(["filestatus", file]).run();
        let (ours, theirs) = (run(&crate::util::under_test()), run(&sops));
        assert_eq!(
            (ours.code, ours.stdout_str()),
            (theirs.code, theirs.stdout_str()),
            "{file}: ours {}\ntheirs {}",
            ours.describe(),
            theirs.describe()
        );
        match want {
            Some(b) => assert_eq!(
                ours.stdout_str(),
                format!("{{\"encrypted\":{b}}}\n"),
                "{file}"
            ),
            None => {
                ours.assert_code(1);
                assert_eq!(ours.stdout_str(), "", "{file}");
            }
        }
    }
}

#[test]
fn json_files_always_end_with_a_line_break() {
    // Issue 22 item 3: one rule for YAML and JSON. sops 3.5-3.7 wrote JSON without a final
    // line break; SOPS 3.8+ and leafseal end every file they write with one, on both paths.
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    sb.write("one.json", "{\"token\": \"t\", \"n\": {\"k\": 1}}");
    for no_pieces in [false, true] {
        let leafseal = || match no_pieces {
            true => sb.leafseal().env("LEAFSEAL_NO_PIECES", "1"),
            false => sb.leafseal().env_remove("LEAFSEAL_NO_PIECES"),
        };
        let enc = leafseal()
            .args(["encrypt", "--age", AGE1.recipient, "one.json"])
            .run();
        enc.assert_success();
        assert!(enc.stdout.ends_with(b"}\n"), "{}", enc.stdout_str());
        sb.write("one.enc.json", &enc.stdout);
        leafseal()
            .age_identity(AGE1.identity_file())
            .args(["decrypt", "one.enc.json"])
            .run()
            .assert_stdout_eq(b"{\"token\": \"t\", \"n\": {\"k\": 1}}\n");
        // A file as sops 3.5-3.7 wrote it: sops' own layout, no final line break.
        let theirs = sb
            .cmd(&sops)
            .args(["encrypt", "--age", AGE1.recipient, "one.json"])
            .run();
        theirs.assert_success();
        let old = theirs.stdout_str();
        sb.write("old.enc.json", old.trim_end_matches('\n'));
        let decrypt = |cmd: crate::util::Cmd| {
            cmd.age_identity(AGE1.identity_file())
                .args(["decrypt", "old.enc.json"])
                .run()
        };
        let (ours, reference) = (decrypt(leafseal()), decrypt(sb.cmd(&sops)));
        reference.assert_success();
        assert!(reference.stdout.ends_with(b"}\n"));
        ours.assert_stdout_eq(&reference.stdout);
    }
}

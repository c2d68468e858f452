//! Issue 15: leafseal installed as `sops` satisfies the programs that drive the sops binary.
//! Side by side with the reference sops where it is there.

use crate::lossless_guard::go_sops;
use crate::util::keys::AGE1;
use crate::util::{testing_leafseal, under_test, Sandbox};
use regex::Regex;

/// Write `NAME.yaml` holding `doc` and its encryption `NAME.enc.yaml` into the sandbox.
fn sealed(sb: &Sandbox, name: &str, doc: &str) {
    sb.write(&format!("{name}.yaml"), doc);
    let enc = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, &format!("{name}.yaml")])
        .run();
    enc.assert_success();
    sb.write(&format!("{name}.enc.yaml"), &enc.stdout);
}

/// The probe Ansible's community.sops, helm-secrets and inmanta run and parse.
fn clients_regex() -> Regex {
    Regex::new(r"^sops (\d+)\.(\d+)\.(\d+)").unwrap()
}

#[test]
fn the_version_line_parses_as_sops_under_the_name_sops() {
    let sb = Sandbox::new();
    let link = sb.path("bin/sops");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(under_test(), &link).unwrap();
    let forms: &[&[&str]] = &[
        &["--version", "--disable-version-check"],
        &["--disable-version-check", "--version"],
        &["--version"],
        &["-v"],
        &["--version", "--check-for-updates"],
    ];
    for args in forms {
        let out = sb.cmd(&link).args(args.iter().copied()).run();
        out.assert_success();
        let first = out.stdout_str().lines().next().unwrap_or("").to_owned();
        assert!(clients_regex().is_match(&first), "sops {args:?}: {first:?}");
        if testing_leafseal() {
            assert_eq!(
                first,
                format!(
                    "sops {} (leafseal {})",
                    leafseal::ops::SOPS_VERSION,
                    env!("CARGO_PKG_VERSION")
                ),
                "sops {args:?}"
            );
        }
    }
    // The reference answers the clients' probe the same way.
    if let Some(sops) = go_sops() {
        let out = sb
            .cmd(sops)
            .args(["--version", "--disable-version-check"])
            .run();
        out.assert_success();
        let first = out.stdout_str().lines().next().unwrap_or("").to_owned();
        assert!(clients_regex().is_match(&first), "reference: {first:?}");
    }
    // Under the name sops, hints name `sops` commands (a client shows them to its users).
    if testing_leafseal() {
        sb.write("plain.yaml", "a: 1\n");
        let out = sb.cmd(&link).args(["decrypt", "plain.yaml"]).run();
        out.assert_code(1);
        out.assert_stderr_contains("`sops encrypt`");
        assert!(
            !out.stderr_str().contains("`leafseal "),
            "{}",
            out.describe()
        );
    }
    // Under its own name it says what it is.
    if testing_leafseal() {
        let out = sb.leafseal().args(["--version"]).run();
        out.assert_success();
        assert_eq!(
            out.stdout_str().trim_end(),
            format!(
                "leafseal {} (sops {} compatible)",
                env!("CARGO_PKG_VERSION"),
                leafseal::ops::SOPS_VERSION
            )
        );
    }
}

#[test]
fn a_mistyped_subcommand_is_named_not_edited() {
    let sb = Sandbox::new();
    let out = sb.leafseal().args(["decyrpt", "f.yaml"]).run();
    // sops takes `decyrpt` for a file to edit and fails with exit 1 as well.
    assert_eq!(out.code, 1, "{}", out.stderr_str());
    if testing_leafseal() {
        let err = out.stderr_str();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("did you mean 'decrypt'?"), "{err}");
    }
    assert!(!sb.exists("decyrpt"), "no file was created");
}

#[test]
fn a_reader_that_goes_away_ends_decrypt_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let sb = Sandbox::new();
    let doc: String = (0..20_000).map(|i| format!("k{i}: value {i}\n")).collect();
    sealed(&sb, "big", &doc);
    let mut child = Command::new(under_test())
        .args(["decrypt", "big.enc.yaml"])
        .current_dir(sb.root())
        .env("SOPS_AGE_KEY_FILE", AGE1.identity_file())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // (The pipe's read end is dropped here, like `| head -c 16`.)
    let out = child.wait_with_output().unwrap();
    assert_eq!(&first[..3], b"k0:");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if testing_leafseal() {
        assert_eq!(out.status.code(), Some(141));
    }
}

#[test]
fn sops_global_flags_are_accepted_where_sops_accepts_them() {
    let sb = Sandbox::new();
    sealed(&sb, "s", "a: 1\nb: two\n");
    let forms: &[&[&str]] = &[
        &["--disable-version-check", "decrypt", "s.enc.yaml"],
        &["--verbose", "decrypt", "s.enc.yaml"],
        &["--verbose", "-d", "s.enc.yaml"],
        &["--aws-profile", "p", "--decrypt", "s.enc.yaml"],
        &["-d", "--aws-profile", "p", "s.enc.yaml"],
        &["--enable-local-keyservice", "-d", "s.enc.yaml"],
        &["decrypt", "--enable-local-keyservice", "s.enc.yaml"],
        &["decrypt", "--enable-local-keyservice=true", "s.enc.yaml"],
        &[
            "--disable-version-check",
            "--verbose",
            "exec-env",
            "s.enc.yaml",
            "true",
        ],
    ];
    let sops = go_sops();
    for args in forms {
        let ours = sb
            .leafseal()
            .args(args.iter().copied())
            .age_identity(AGE1.identity_file())
            .run();
        assert_eq!(ours.code, 0, "{args:?}: {}", ours.stderr_str());
        assert!(
            !ours.stderr_str().contains("-- --"),
            "{args:?}: {}",
            ours.stderr_str()
        );
        if let Some(sops) = &sops {
            let theirs = sb
                .cmd(sops)
                .args(args.iter().copied())
                .age_identity(AGE1.identity_file())
                .run();
            assert_eq!(
                theirs.code,
                0,
                "reference {args:?}: {}",
                theirs.stderr_str()
            );
            assert_eq!(ours.stdout_str(), theirs.stdout_str(), "{args:?}");
        }
    }
    // No local key service and no remote one: neither tool can open the data key (exit 128).
    let off = sb
        .leafseal()
        .args(["decrypt", "--enable-local-keyservice=false", "s.enc.yaml"])
        .age_identity(AGE1.identity_file())
        .run();
    assert_eq!(off.code, 128, "{}", off.stderr_str());
    if let Some(sops) = &sops {
        let theirs = sb
            .cmd(sops)
            .args(["decrypt", "--enable-local-keyservice=false", "s.enc.yaml"])
            .age_identity(AGE1.identity_file())
            .run();
        assert_eq!(theirs.code, 128, "{}", theirs.stderr_str());
    }
    // A remote key service comes after the local one: the local key opens the file and the
    // (absent) service is never contacted, in both tools.
    let remote = [
        "--keyservice",
        "unix:///nonexistent.sock",
        "-d",
        "s.enc.yaml",
    ];
    let ks = sb
        .leafseal()
        .args(remote)
        .age_identity(AGE1.identity_file())
        .run();
    assert_eq!(ks.code, 0, "{}", ks.stderr_str());
    if let Some(sops) = &sops {
        let theirs = sb
            .cmd(sops)
            .args(remote)
            .age_identity(AGE1.identity_file())
            .run();
        assert_eq!(theirs.code, 0, "{}", theirs.stderr_str());
        assert_eq!(ks.stdout_str(), theirs.stdout_str());
    }
    if testing_leafseal() {
        // Only the absent service: the failure names it (exit 128, as SOPS).
        let only = sb
            .leafseal()
            .args(["--enable-local-keyservice=false"])
            .args(remote)
            .age_identity(AGE1.identity_file())
            .run();
        assert_eq!(only.code, 128, "{}", only.stderr_str());
        assert!(
            only.stderr_str().contains("unix:///nonexistent.sock"),
            "{}",
            only.stderr_str()
        );
        // A URI leafseal cannot use is refused up front, naming the flag (SOPS skips it with
        // a warning).
        let bad = sb
            .leafseal()
            .args(["--keyservice", "udp://127.0.0.1:5000", "-d", "s.enc.yaml"])
            .age_identity(AGE1.identity_file())
            .run();
        assert_eq!(bad.code, 1);
        assert!(
            bad.stderr_str().contains("--keyservice udp://"),
            "{}",
            bad.stderr_str()
        );
    }
}

#[test]
fn no_keys_and_no_matching_rule_say_what_to_do() {
    let sb = Sandbox::new();
    sb.write("x.yaml", "a: 1\n");
    let sops = go_sops();
    let both = |sb: &Sandbox| {
        let ours = sb.leafseal().args(["encrypt", "x.yaml"]).run();
        if let Some(sops) = &sops {
            let theirs = sb.cmd(sops).args(["encrypt", "x.yaml"]).run();
            assert_eq!(ours.code, theirs.code, "{}", theirs.stderr_str());
        }
        assert_eq!(ours.code, 1, "{}", ours.stderr_str());
        ours.stderr_str()
    };
    let err = both(&sb);
    if testing_leafseal() {
        assert!(
            err.contains("hint:") && err.contains("--age") && err.contains("creation_rules"),
            "{err}"
        );
    }
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: ^prod/.*\n    age: {}\n",
            AGE1.recipient
        ),
    );
    let err = both(&sb);
    if testing_leafseal() {
        assert!(
            err.contains(r#""^prod/.*""#) && err.contains(r#""x.yaml""#),
            "names the regexes tried and the path matched: {err}"
        );
        assert!(err.contains("--filename-override"), "{err}");
    }
}

#[test]
fn a_structured_file_read_as_binary_because_of_its_name_gets_a_hint() {
    // Issue 15 item 5: `secrets.enc` holding encrypted YAML is read as the binary store (its
    // name has no known extension); sops and leafseal both fail, leafseal says what to pass.
    let sb = Sandbox::new();
    sealed(&sb, "x", "db:\n  password: pw\n");
    sb.write("secrets.enc", sb.read("x.enc.yaml"));
    let sops = go_sops();
    for args in [
        vec!["decrypt", "secrets.enc"],
        vec!["set", "secrets.enc", "[\"db\"][\"user\"]", "\"u\""],
        vec!["rotate", "secrets.enc"],
    ] {
        let out = sb
            .leafseal()
            .age_identity(AGE1.identity_file())
            .args(&args)
            .run();
        out.assert_failure();
        if let Some(sops) = &sops {
            let theirs = sb
                .cmd(sops)
                .age_identity(AGE1.identity_file())
                .args(&args)
                .run();
            assert_eq!(out.code, theirs.code, "{args:?}: {}", theirs.describe());
        }
        if testing_leafseal() {
            out.assert_stderr_contains("hint: the file was read as binary");
            out.assert_stderr_contains("--input-type yaml");
        }
    }
    // The hinted flags work.
    sb.leafseal()
        .age_identity(AGE1.identity_file())
        .args([
            "decrypt",
            "--input-type",
            "yaml",
            "--output-type",
            "yaml",
            "secrets.enc",
        ])
        .run()
        .assert_stdout_eq(b"db:\n  password: pw\n");
}

#[test]
fn the_demo_round_trips_and_teaches_key_creation() {
    // Issue 15 item 4: README command 1 (with the binary under test instead of a release
    // build) shows the round trip and then how to make and use one's own age key.
    let sb = Sandbox::new();
    let out = sb
        .cmd("bash")
        .arg(crate::util::manifest_dir().join("scripts/demo.sh"))
        .env("LEAFSEAL_DEMO_BIN", under_test())
        .run();
    out.assert_success();
    let text = out.stdout_str();
    assert!(
        text.contains("OK: decrypt(encrypt(app.yaml)) is byte-identical"),
        "{text}"
    );
    assert!(
        text.contains("age-keygen -o ~/.config/sops/age/keys.txt"),
        "{text}"
    );
    assert!(text.contains("age-keygen -y"), "{text}");
    assert!(text.contains(AGE1.recipient), "{text}");
}

#[test]
fn an_unchanged_edit_and_a_missing_output_directory_read_plainly() {
    let sb = Sandbox::new();
    sealed(&sb, "x", "a: 1\n");
    let sops = go_sops();
    let run = |args: &[&str], sops: Option<&std::path::PathBuf>| {
        let c = match sops {
            Some(s) => sb.cmd(s),
            None => sb.leafseal(),
        };
        c.args(args.iter().copied())
            .env("EDITOR", "true")
            .env("SOPS_EDITOR", "true")
            .age_identity(AGE1.identity_file())
            .run()
    };
    let edit = ["edit", "x.enc.yaml"];
    let out = run(&edit, None);
    assert_eq!(out.code, 200, "{}", out.stderr_str());
    if testing_leafseal() {
        assert!(
            out.stderr_str().contains("has not changed") && !out.stderr_str().contains("error:"),
            "{}",
            out.stderr_str()
        );
    }
    let missing = ["decrypt", "--output", "no/such/dir/out.yaml", "x.enc.yaml"];
    let out2 = run(&missing, None);
    assert_eq!(out2.code, 3, "{}", out2.stderr_str());
    if testing_leafseal() {
        let err = out2.stderr_str();
        assert!(
            err.contains("no/such/dir") && !err.contains(".leafseal-"),
            "{err}"
        );
    }
    if let Some(s) = &sops {
        assert_eq!(run(&edit, Some(s)).code, 200);
        assert_eq!(run(&missing, Some(s)).code, 3);
    }
}

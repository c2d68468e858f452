//! The checked-in completions and man page match what the binary generates from its clap
//! definitions (regenerate with `bash scripts/gen-completions.sh`), and every subcommand's
//! `--help` shows an example.

use crate::util::{manifest_dir, testing_leafseal, Sandbox};

#[test]
fn completions_and_man_page_are_up_to_date() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    let files = [
        (vec!["completion", "bash"], "completions/leafseal.bash"),
        (vec!["completion", "zsh"], "completions/_leafseal"),
        (vec!["completion", "fish"], "completions/leafseal.fish"),
        (
            vec!["completion", "powershell"],
            "completions/_leafseal.ps1",
        ),
        (vec!["completion", "elvish"], "completions/leafseal.elv"),
        // For leafseal installed as `sops`.
        (
            vec!["completion", "bash", "--name", "sops"],
            "completions/sops.bash",
        ),
        (
            vec!["completion", "zsh", "--name", "sops"],
            "completions/_sops",
        ),
        (
            vec!["completion", "fish", "--name", "sops"],
            "completions/sops.fish",
        ),
        (vec!["manpage"], "docs/man/leafseal.1"),
    ];
    for (args, file) in files {
        let out = sb.leafseal().args(&args).run();
        out.assert_success();
        let want = std::fs::read(manifest_dir().join(file)).unwrap();
        assert!(
            out.stdout == want,
            "{file} is out of date: run `bash scripts/gen-completions.sh`"
        );
    }
}

#[test]
fn help_and_man_page_are_clean_and_complete() {
    // Issue 15 item 9: no escaped quotes, every format named for the type flags, the SOPS
    // forms in the top-level help, and a man page with the sections a reader looks for that
    // names no page it does not ship.
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    let top = sb.leafseal().arg("--help").run();
    top.assert_success();
    let top = top.stdout_str();
    assert!(top.contains("leafseal -e FILE | -d FILE"), "{top}");
    assert!(top.contains("leafseal FILE "), "{top}");
    for sub in [
        vec!["encrypt"],
        vec!["decrypt"],
        vec!["set"],
        vec!["exec-file"],
        vec!["filestatus"],
        vec!["diff-driver"],
        vec!["rotate"],
        vec!["groups", "add"],
    ] {
        let mut args = sub.clone();
        args.push("--help");
        let out = sb.leafseal().args(&args).run();
        out.assert_success();
        let help = out.stdout_str();
        assert!(!help.contains("\\\""), "{sub:?}: escaped quote in\n{help}");
        for flag in ["--input-type", "--output-type"] {
            if help.contains(flag) {
                assert!(
                    help.contains("possible values: yaml, json, dotenv, ini, toml, binary"),
                    "{sub:?} {flag}:\n{help}"
                );
            }
        }
    }
    let man = std::fs::read_to_string(manifest_dir().join("docs/man/leafseal.1")).unwrap();
    for section in [
        ".SH SYNOPSIS",
        ".SH GLOBAL OPTIONS",
        ".SH COMMANDS",
        ".SS \"leafseal encrypt\"",
        ".SS \"leafseal groups add\"",
        ".SH ENVIRONMENT",
        ".SH EXIT STATUS",
        ".SH FILES",
    ] {
        assert!(man.contains(section), "man page lacks {section}");
    }
    // Per-command flags and environment variables are on the page.
    assert!(man.contains("\\fB\\-\\-encrypted\\-regex\\fR"));
    assert!(man.contains("SOPS_AGE_KEY_FILE"));
    assert!(man.contains("\\fB128\\fR"));
    // No reference to sub-pages (leafseal-encrypt(1)…), which are not shipped.
    assert!(!man.contains("leafseal\\-encrypt(1)"));
    assert!(!man.contains("\\\""));
}

#[test]
fn every_subcommand_help_has_an_example() {
    if !testing_leafseal() {
        return;
    }
    let sb = Sandbox::new();
    for sub in [
        "encrypt",
        "decrypt",
        "edit",
        "set",
        "unset",
        "exec-env",
        "exec-file",
        "filestatus",
        "completion",
    ] {
        let out = sb.leafseal().args([sub, "--help"]).run();
        out.assert_success();
        assert!(
            out.stdout_str().contains("Example"),
            "{sub} --help has no example"
        );
    }
}

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

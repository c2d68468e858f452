//! Git integration in a real repository (issue 7): the merge driver merges two branches that
//! changed different secrets and marks real conflicts, the textconv diff driver shows
//! plaintext for a file no creation rule matches, and `check` catches plaintext and broken
//! MACs. Git runs with no global or system configuration, and the drivers are configured with
//! the absolute path of the binary under test.

use std::path::Path;

use crate::util::keys::AGE1;
use crate::util::{tools, under_test, Cmd, Output, Sandbox};

const PLAIN: &str = "# service secrets\ndb:\n    password: base-pw\n    user: admin\napi:\n    token: base-token\nnote_unencrypted: hello\n";

/// A git command in the sandbox's `repo/`, isolated from the user's configuration, with the
/// test identity available to the drivers git starts.
fn git(sb: &Sandbox) -> Cmd {
    sb.cmd("git")
        .current_dir(sb.path("repo"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PAGER", "cat")
        .age_identity(AGE1.identity_file())
}

fn run_git(sb: &Sandbox, args: &[&str]) -> Output {
    let out = git(sb).args(args).run();
    out.assert_success();
    out
}

fn leafseal(sb: &Sandbox) -> Cmd {
    sb.leafseal()
        .current_dir(sb.path("repo"))
        .age_identity(AGE1.identity_file())
}

/// A repository with the drivers configured and `s.enc.yaml` committed on `main`.
fn repo() -> Sandbox {
    repo_with(PLAIN)
}

/// [`repo`] with `s.enc.yaml` the encryption of `plain`.
fn repo_with(plain: &str) -> Sandbox {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("repo")).unwrap();
    let bin = under_test().display().to_string();
    run_git(&sb, &["init", "-q", "-b", "main"]);
    run_git(&sb, &["config", "user.name", "Test"]);
    run_git(&sb, &["config", "user.email", "test@example.invalid"]);
    run_git(&sb, &["config", "merge.sops.name", "leafseal"]);
    run_git(
        &sb,
        &[
            "config",
            "merge.sops.driver",
            &format!("{bin} merge-driver %O %A %B %P"),
        ],
    );
    run_git(
        &sb,
        &[
            "config",
            "diff.sops.textconv",
            &format!("{bin} diff-driver"),
        ],
    );
    sb.write("repo/.gitattributes", "*.enc.yaml diff=sops merge=sops\n");
    sb.write("repo/plain.yaml", plain);
    let out = leafseal(&sb)
        .args(["encrypt", "--age", AGE1.recipient, "plain.yaml"])
        .run();
    out.assert_success();
    sb.write("repo/s.enc.yaml", &out.stdout);
    std::fs::remove_file(sb.path("repo/plain.yaml")).unwrap();
    run_git(&sb, &["add", "."]);
    run_git(&sb, &["commit", "-q", "-m", "init"]);
    sb
}

fn set(sb: &Sandbox, path: &str, json: &str) {
    leafseal(sb)
        .args(["set", "s.enc.yaml", path, json])
        .run()
        .assert_success();
}

fn decrypt(sb: &Sandbox, program: &Path) -> String {
    let out = sb
        .cmd(program)
        .current_dir(sb.path("repo"))
        .age_identity(AGE1.identity_file())
        .args(["decrypt", "s.enc.yaml"])
        .run();
    out.assert_success();
    out.stdout_str()
}

/// Branch `side` sets `a`, `main` sets `b`, then `main` merges `side`.
fn diverge(sb: &Sandbox, a: (&str, &str), b: (&str, &str)) -> Output {
    run_git(sb, &["checkout", "-q", "-b", "side"]);
    set(sb, a.0, a.1);
    run_git(sb, &["commit", "-q", "-am", "side"]);
    run_git(sb, &["checkout", "-q", "main"]);
    set(sb, b.0, b.1);
    run_git(sb, &["commit", "-q", "-am", "main"]);
    git(sb).args(["merge", "--no-edit", "side"]).run()
}

#[test]
fn merge_of_different_secrets_succeeds_and_both_tools_decrypt() {
    let Some(sops) = tools::sops() else { return };
    let sb = repo();
    let out = diverge(
        &sb,
        ("[\"db\"][\"password\"]", "\"side-pw\""),
        ("[\"api\"][\"token\"]", "\"main-token\""),
    );
    out.assert_success();
    for program in [under_test(), sops] {
        let plain = decrypt(&sb, &program);
        assert!(plain.contains("password: side-pw"), "{plain}");
        assert!(plain.contains("token: main-token"), "{plain}");
        assert!(plain.contains("user: admin"), "{plain}");
    }
    // Nothing left unmerged, and the merge commit exists.
    let status = run_git(&sb, &["status", "--porcelain"]);
    assert_eq!(status.stdout_str(), "");
    let parents = run_git(&sb, &["rev-list", "--parents", "-n", "1", "HEAD"]);
    assert_eq!(
        parents.stdout_str().split_whitespace().count(),
        3,
        "HEAD is a merge commit"
    );
}

#[test]
fn conflicting_changes_conflict_and_stay_decryptable() {
    let Some(sops) = tools::sops() else { return };
    let sb = repo();
    let out = diverge(
        &sb,
        ("[\"db\"][\"password\"]", "\"side-pw\""),
        ("[\"db\"][\"password\"]", "\"main-pw\""),
    );
    out.assert_failure();
    let status = run_git(&sb, &["status", "--porcelain"]);
    assert!(
        status.stdout_str().contains("UU s.enc.yaml"),
        "{}",
        status.describe()
    );
    // The conflicted file is still a valid encrypted file (MAC included) for both tools.
    for program in [under_test(), sops] {
        let plain = decrypt(&sb, &program);
        assert!(plain.contains("leafseal_conflict_ours: main-pw"), "{plain}");
        assert!(
            plain.contains("leafseal_conflict_theirs: side-pw"),
            "{plain}"
        );
        assert!(plain.contains("token: base-token"), "{plain}");
    }
    let enc = sb.read_string("repo/s.enc.yaml");
    assert!(
        !enc.contains("side-pw") && !enc.contains("main-pw"),
        "no plaintext in the encrypted file"
    );
    assert!(
        !enc.contains("<<<<<<<"),
        "no text markers in the encrypted file"
    );
}

#[test]
fn conflict_map_is_written_in_the_files_own_indentation() {
    // Issue 15 item 8: a two-space file gets its conflict map indented by two spaces, and the
    // rest of its layout (comments, blank line) is kept rather than rewritten canonically.
    let Some(sops) = tools::sops() else { return };
    let plain = "# service secrets\ndb:\n  password: base-pw # rotate yearly\n\n  user: admin\n";
    let sb = repo_with(plain);
    let out = diverge(
        &sb,
        ("[\"db\"][\"password\"]", "\"side-pw\""),
        ("[\"db\"][\"password\"]", "\"main-pw\""),
    );
    out.assert_failure();
    assert!(
        !out.stderr_str().contains("canonical layout"),
        "{}",
        out.describe()
    );
    let want = "# service secrets\ndb:\n  password: # rotate yearly\n    leafseal_conflict_ours: main-pw\n    leafseal_conflict_theirs: side-pw\n\n  user: admin\n";
    assert_eq!(decrypt(&sb, &under_test()), want);
    let theirs = decrypt(&sb, &sops);
    assert!(
        theirs.contains("leafseal_conflict_theirs: side-pw"),
        "{theirs}"
    );
}

#[test]
fn textconv_shows_plaintext_for_a_path_no_rule_matches() {
    let sb = repo();
    // A configuration whose only rule matches nothing here: the driver must not consult it.
    sb.write(
        "repo/.sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: ^elsewhere/.*\n    age: {}\n",
            AGE1.recipient
        ),
    );
    set(&sb, "[\"api\"][\"token\"]", "\"rotated-token\"");
    let out = run_git(&sb, &["diff", "-U100", "--", "s.enc.yaml"]);
    let diff = out.stdout_str();
    assert!(diff.contains("-    token: base-token"), "{diff}");
    assert!(diff.contains("+    token: rotated-token"), "{diff}");
    assert!(!diff.contains("ENC["), "only plaintext lines: {diff}");
    assert!(diff.contains(AGE1.recipient), "the recipients line: {diff}");
    // A plaintext file through the same driver is shown unchanged.
    sb.write("repo/other.enc.yaml", "plain: text\n");
    let out = leafseal(&sb).args(["diff-driver", "other.enc.yaml"]).run();
    out.assert_success().assert_stdout_eq(b"plain: text\n");
    // Without the key, the encrypted text, a warning and exit 0.
    let out = sb
        .leafseal()
        .current_dir(sb.path("repo"))
        .args(["diff-driver", "s.enc.yaml"])
        .run();
    out.assert_success()
        .assert_stdout_eq(&sb.read("repo/s.enc.yaml"));
    out.assert_stderr_contains("warning");
}

#[test]
fn check_fails_on_plaintext_and_broken_mac_and_passes_a_clean_tree() {
    let sb = repo();
    sb.write(
        "repo/.sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: {}\n",
            AGE1.recipient
        ),
    );
    sb.write("repo/README.md", "not a secret\n");
    let check = || leafseal(&sb).arg("check").run();
    check().assert_success();

    sb.write("repo/sub/plain.enc.yaml", "password: hunter2\n");
    let out = check();
    out.assert_code(1)
        .assert_stdout_contains("FAIL sub/plain.enc.yaml: not encrypted");
    assert!(!out.stdout_str().contains("hunter2") && !out.stderr_str().contains("hunter2"));
    std::fs::remove_file(sb.path("repo/sub/plain.enc.yaml")).unwrap();

    // An unencrypted value changed by hand: the MAC no longer matches.
    let enc = sb.read_string("repo/s.enc.yaml");
    sb.write(
        "repo/s.enc.yaml",
        enc.replace("note_unencrypted: hello", "note_unencrypted: tampered"),
    );
    check()
        .assert_code(1)
        .assert_stdout_contains("FAIL s.enc.yaml: MAC does not verify");
    sb.write("repo/s.enc.yaml", &enc);

    // Files in hidden directories are not checked; without a key it is only a warning.
    sb.write("repo/.hidden/x.enc.yaml", "password: hunter2\n");
    check().assert_success();
    let out = sb
        .leafseal()
        .current_dir(sb.path("repo"))
        .arg("check")
        .run();
    out.assert_success()
        .assert_stdout_contains("WARN s.enc.yaml: cannot verify (no key)");
}

/// The age `enc` (the wrapped data key) of the working copy.
fn wrapped_key(sb: &Sandbox) -> String {
    let text = sb.read_string("repo/s.enc.yaml");
    let start = text
        .find("-----BEGIN AGE ENCRYPTED FILE-----")
        .expect("an age entry");
    let end = text
        .find("-----END AGE ENCRYPTED FILE-----")
        .expect("an age entry");
    text[start..end].to_owned()
}

/// Issue 14 item 8: a data-key rotation made on the merged branch is kept (the driver used to
/// seal the result under ours' old key, silently undoing it); one made on ours stays too.
#[test]
fn a_rotation_on_either_branch_survives_the_merge() {
    let Some(sops) = tools::sops() else { return };
    for rotate_on_side in [true, false] {
        let sb = repo();
        run_git(&sb, &["checkout", "-q", "-b", "side"]);
        if rotate_on_side {
            leafseal(&sb)
                .args(["rotate", "-i", "s.enc.yaml"])
                .run()
                .assert_success();
        } else {
            set(&sb, "[\"db\"][\"password\"]", "\"side-pw\"");
        }
        let side_key = wrapped_key(&sb);
        run_git(&sb, &["commit", "-q", "-am", "side"]);
        run_git(&sb, &["checkout", "-q", "main"]);
        if rotate_on_side {
            set(&sb, "[\"api\"][\"token\"]", "\"main-token\"");
        } else {
            leafseal(&sb)
                .args(["rotate", "-i", "s.enc.yaml"])
                .run()
                .assert_success();
            set(&sb, "[\"api\"][\"token\"]", "\"main-token\"");
        }
        let main_key = wrapped_key(&sb);
        run_git(&sb, &["commit", "-q", "-am", "main"]);
        let out = git(&sb).args(["merge", "--no-edit", "side"]).run();
        out.assert_success();
        let rotated = if rotate_on_side { &side_key } else { &main_key };
        assert_eq!(
            &wrapped_key(&sb),
            rotated,
            "the rotated data key was not kept (rotation on side: {rotate_on_side})"
        );
        for program in [under_test(), sops.clone()] {
            let plain = decrypt(&sb, &program);
            assert!(plain.contains("token: main-token"), "{plain}");
            if !rotate_on_side {
                assert!(plain.contains("password: side-pw"), "{plain}");
            }
        }
    }
}

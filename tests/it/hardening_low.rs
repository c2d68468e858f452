//! Issue 14, the "low" items (13–19), side by side with the reference sops where it behaves well.

use crate::util::keys::AGE1;
use crate::util::{tools, Sandbox};

/// Writes `name` holding `text` and returns its encryption to the test key.
fn sealed(sb: &Sandbox, name: &str, text: &str) -> String {
    sb.write(name, text);
    let enc = sb
        .leafseal()
        .args(["encrypt", "--age", AGE1.recipient, name])
        .run();
    enc.assert_success();
    enc.stdout_str()
}

#[test]
fn an_encrypted_comment_in_a_value_position_is_refused() {
    // Item 13: a `type:comment` token where a map value belongs. Made with the file's own data
    // key (an encrypted comment of the map under `a`, whose AAD is `a:` and text " c", then
    // `set a " c"` so that the MAC covers that string): leafseal used to decrypt it as the
    // string, sops
    // leaves it out of the MAC and fails with a MAC mismatch.
    let sb = Sandbox::new();
    let enc = sealed(&sb, "p.yaml", "a:\n  # c\n  x: 1\n");
    let token = enc
        .lines()
        .find_map(|l| l.trim().strip_prefix('#').filter(|t| t.starts_with("ENC[")))
        .expect("an encrypted comment")
        .to_owned();
    assert!(token.contains("type:comment"), "{token}");
    sb.write("p.enc.yaml", &enc);
    sb.leafseal()
        .age_identity(AGE1.identity_file())
        .args(["set", "p.enc.yaml", r#"["a"]"#, r#"" c""#])
        .run()
        .assert_success();
    let set = sb.read_string("p.enc.yaml");
    let a_line = set
        .lines()
        .find(|l| l.starts_with("a: ENC["))
        .expect("a is a value now");
    sb.write("p.enc.yaml", set.replace(a_line, &format!("a: {token}")));
    let out = sb
        .leafseal()
        .age_identity(AGE1.identity_file())
        .args(["decrypt", "p.enc.yaml"])
        .run();
    out.assert_code(51);
    out.assert_stderr_contains(
        r#"["a"]: an encrypted comment (type:comment) stands where a value belongs"#,
    );
    out.assert_leafseal_one_line_error("p.enc.yaml");
    if let Some(sops) = tools::sops() {
        sb.cmd(sops)
            .age_identity(AGE1.identity_file())
            .args(["decrypt", "p.enc.yaml"])
            .run()
            .assert_code(51);
    }
}

#[test]
fn leafseal_is_not_dumpable_but_the_programs_it_starts_are() {
    // Item 17: besides a core size limit of 0 (which a core pattern piping to systemd-coredump
    // or apport ignores), leafseal marks itself not dumpable: no core at all, and no ptrace or
    // /proc/PID/mem for other processes of the same user. The kernel shows it by giving the
    // process's /proc files to root. exec-env's child is dumpable again (execve resets it).
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let enc = sealed(&sb, "p.yaml", "k: secret\n");
    sb.write("p.enc.yaml", enc);
    let key = sb.write(
        "key.txt",
        std::fs::read(AGE1.identity_file()).expect("test key"),
    );
    for (p, mode) in [(sb.root().to_path_buf(), 0o755), (key.clone(), 0o644)] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::set_permissions(
        sb.path("p.enc.yaml"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    // As root every /proc file is root's anyway: run as nobody then.
    let root = rustix::process::geteuid().is_root();
    let script = "echo $(id -u) $(stat -c %u /proc/$PPID/environ) $(stat -c %u /proc/$$/environ)";
    let cmd = if root {
        let setpriv = tools::on_path("setpriv").expect("setpriv (util-linux) is needed as root");
        sb.cmd(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(crate::util::under_test())
    } else {
        sb.leafseal()
    };
    let out = cmd
        .age_identity(&key)
        .args(["exec-env", "p.enc.yaml", script])
        .run();
    out.assert_success();
    let ids: Vec<String> = out
        .stdout_str()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(ids.len(), 3, "{}", out.describe());
    assert_eq!(
        ids[1],
        "0",
        "leafseal's /proc files are root's: {}",
        out.describe()
    );
    assert_eq!(
        ids[2],
        ids[0],
        "the child's are its own user's: {}",
        out.describe()
    );
}

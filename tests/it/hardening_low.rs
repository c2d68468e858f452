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

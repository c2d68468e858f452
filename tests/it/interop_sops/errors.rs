//! Missing or wrong identities and malformed input (issue 2 acceptance 3 and 4): the exit code
//! sops uses, no panic, nothing written, and leafseal's one-line error naming the file.

use std::path::Path;

use super::*;
use crate::util::keys::{AGE1, AGE2};
use crate::util::testing_leafseal;

/// A file encrypted to AGE1 by sops (so these tests do not depend on leafseal's encrypt).
fn sops_file_for_age1(sb: &Sandbox, sops: &Path) -> &'static str {
    sb.write("id.yaml", "secret: only age1 can read this\n");
    sb.write("id.enc.yaml", sops_encrypt(sb, sops, "id.yaml"));
    "id.enc.yaml"
}

#[test]
fn no_identity_exits_128_and_names_the_recipient() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let f = sops_file_for_age1(&sb, &sops);
    // No SOPS_AGE_* variable, and HOME is the empty sandbox home.
    let out = sb.leafseal().args(["decrypt", f]).run();
    out.assert_code(EXIT_NO_DATA_KEY)
        .assert_stderr_contains(AGE1.recipient);
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout\n{}",
        out.describe()
    );
    if testing_leafseal() {
        out.assert_stderr_contains("leafseal: error: ");
    }
}

#[test]
fn wrong_identity_exits_128_and_names_the_recipient() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let f = sops_file_for_age1(&sb, &sops);
    let by_file = sb
        .leafseal()
        .args(["decrypt", f])
        .age_identity(AGE2.identity_file())
        .run();
    let by_env = sb
        .leafseal()
        .args(["decrypt", f])
        .env("SOPS_AGE_KEY", AGE2.secret_key())
        .run();
    for out in [by_file, by_env] {
        out.assert_code(EXIT_NO_DATA_KEY)
            .assert_stderr_contains(AGE1.recipient);
        assert!(
            out.stdout.is_empty(),
            "nothing on stdout\n{}",
            out.describe()
        );
        if testing_leafseal() {
            out.assert_stderr_contains("leafseal: error: ");
        }
    }
    // The right key given inline works.
    sb.leafseal()
        .args(["decrypt", f])
        .env("SOPS_AGE_KEY", AGE1.secret_key())
        .run()
        .assert_success()
        .assert_stdout_eq(b"secret: only age1 can read this\n");
}

/// One malformed-input case: the file content, the command, the expected exit code.
struct Bad {
    name: &'static str,
    content: Option<String>,
    /// `decrypt` or `encrypt`.
    op: &'static str,
    extra: &'static [&'static str],
    code: i32,
    /// Something the leafseal error line must contain besides the file name (a location).
    location: Option<&'static str>,
}

#[test]
fn malformed_input_exits_like_sops_without_panicking() {
    let Some(sops) = tools::sops() else { return };
    let sb = Sandbox::new();
    let good = {
        sb.write("good.yaml", "tokenkey: a fine secret value\nother: 1\n");
        String::from_utf8(sops_encrypt(&sb, &sops, "good.yaml")).unwrap()
    };
    let good_json = {
        sb.write("good.json", "{\"tokenkey\": \"a fine secret value\"}\n");
        String::from_utf8(sops_encrypt(&sb, &sops, "good.json")).unwrap()
    };
    let bad_token = good.replacen("ENC[AES256_GCM,data:", "ENC[AES256_GCM,dta:", 1);
    let bad_token_json = good_json.replacen("ENC[AES256_GCM,data:", "ENC[AES256_GCM,data", 1);
    let s = |x: &str| Some(x.to_owned());
    let cases = vec![
        Bad {
            name: "bad-syntax.yaml",
            content: s("ok: 1\nlist: [1, 2\nmore: x\n"),
            op: "decrypt",
            extra: &[],
            code: EXIT_GENERIC,
            location: Some("2"),
        },
        Bad {
            name: "bad-syntax.json",
            content: s("{\"a\": 1,, }\n"),
            op: "decrypt",
            extra: &[],
            code: EXIT_GENERIC,
            location: None,
        },
        Bad {
            name: "bad-token.yaml",
            content: Some(bad_token),
            op: "decrypt",
            extra: &[],
            code: EXIT_DECRYPT_TREE,
            location: Some("tokenkey"),
        },
        Bad {
            name: "bad-token.json",
            content: Some(bad_token_json),
            op: "decrypt",
            extra: &[],
            code: EXIT_DECRYPT_TREE,
            location: Some("tokenkey"),
        },
        Bad {
            name: "no-metadata.yaml",
            content: s("a: b\n"),
            op: "decrypt",
            extra: &[],
            code: EXIT_GENERIC,
            location: None,
        },
        Bad {
            name: "no-metadata.json",
            content: s("{\"a\": \"b\"}\n"),
            op: "decrypt",
            extra: &[],
            code: EXIT_GENERIC,
            location: None,
        },
        Bad {
            name: "list-root.yaml",
            content: s("- a\n- b\n"),
            op: "decrypt",
            extra: &[],
            code: EXIT_GENERIC,
            location: None,
        },
        Bad {
            name: "list-root.json",
            content: s("[1, 2]\n"),
            op: "decrypt",
            extra: &[],
            code: EXIT_GENERIC,
            location: None,
        },
        Bad {
            name: "empty.yaml",
            content: s(""),
            op: "decrypt",
            extra: &[],
            code: EXIT_GENERIC,
            location: None,
        },
        Bad {
            name: "missing.yaml",
            content: None,
            op: "decrypt",
            extra: &[],
            code: EXIT_NO_FILE,
            location: None,
        },
        Bad {
            name: "extract-syntax.yaml",
            content: Some(good.clone()),
            op: "decrypt",
            extra: &["--extract", "tokenkey"],
            code: EXIT_BAD_EXTRACT_PATH,
            location: None,
        },
        Bad {
            name: "extract-missing.yaml",
            content: Some(good.clone()),
            op: "decrypt",
            extra: &["--extract", r#"["nope"]"#],
            code: EXIT_GENERIC,
            location: Some("nope"),
        },
        Bad {
            name: "enc-bad-syntax.yaml",
            content: s("ok: 1\nlist: [1, 2\nmore: x\n"),
            op: "encrypt",
            extra: &[],
            code: EXIT_READ_INPUT,
            location: Some("2"),
        },
        Bad {
            name: "enc-bad-syntax.json",
            content: s("{\"a\": 1,, }\n"),
            op: "encrypt",
            extra: &[],
            code: EXIT_READ_INPUT,
            location: None,
        },
        Bad {
            name: "enc-list-root.yaml",
            content: s("- a\n- b\n"),
            op: "encrypt",
            extra: &[],
            code: EXIT_READ_INPUT,
            location: None,
        },
        Bad {
            name: "enc-list-root.json",
            content: s("[1, 2]\n"),
            op: "encrypt",
            extra: &[],
            code: EXIT_READ_INPUT,
            location: None,
        },
        Bad {
            name: "enc-empty.yaml",
            content: s(""),
            op: "encrypt",
            extra: &[],
            code: EXIT_NO_DOCUMENT,
            location: None,
        },
        Bad {
            name: "enc-already.yaml",
            content: Some(good.clone()),
            op: "encrypt",
            extra: &[],
            code: EXIT_ALREADY_ENCRYPTED,
            location: None,
        },
        Bad {
            name: "enc-missing.yaml",
            content: None,
            op: "encrypt",
            extra: &[],
            code: EXIT_NO_FILE,
            location: None,
        },
    ];
    let mut failures = Vec::new();
    for case in &cases {
        if let Some(c) = &case.content {
            sb.write(case.name, c);
        }
        let out_name = format!("{}.out", case.name);
        let mut args: Vec<&str> = vec![case.op];
        if case.op == "encrypt" {
            args.extend(["--age", AGE1.recipient]);
        }
        args.extend(case.extra);
        args.extend(["--output", &out_name, case.name]);
        let run = |program: &Path| {
            sb.cmd(program)
                .args(&args)
                .age_identity(AGE1.identity_file())
                .run()
        };
        let theirs = run(&sops);
        if theirs.code != case.code {
            failures.push(format!(
                "{}: the reference sops exits {}, the test expects {}: fix the test\n{}",
                case.name,
                theirs.code,
                case.code,
                theirs.describe()
            ));
            continue;
        }
        let _ = std::fs::remove_file(sb.path(&out_name));
        let ours = sb
            .leafseal()
            .args(&args)
            .age_identity(AGE1.identity_file())
            .run();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ours.assert_code(case.code);
            assert!(
                !sb.exists(&out_name),
                "{} was written although the command failed\n{}",
                out_name,
                ours.describe()
            );
            ours.assert_leafseal_one_line_error(case.name);
            if let (true, Some(loc)) = (testing_leafseal(), case.location) {
                let line = ours.leafseal_error_line().unwrap_or_default();
                let rest = line.replace(case.name, "");
                assert!(
                    rest.contains(loc),
                    "the error should give the location {loc:?}\n{}",
                    ours.describe()
                );
            }
        }));
        if let Err(e) = result {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {msg}", case.name));
        }
    }
    report(failures, "malformed-input cases");
}

//! Issue 13: the document's last comments, which the `sops` entry written after them would take
//! over (yaml.v3 makes a comment that runs into the next key the innermost collection's), and
//! other comments yaml.v3 attaches elsewhere than where they stand. The
//! reference sops must decrypt every comment of leafseal's file, leafseal's decrypt must give
//! the input back byte for byte, on both paths, and after `set` and `rotate`.

use crate::lossless_guard::go_sops;
use crate::util::keys::AGE1;
use crate::util::Sandbox;

const CASES: &[(&str, &str)] = &[
    (
        "a foot comment of a nested map",
        "f:\n  a:\n    x: 1\n  # c1\n",
    ),
    ("a comment after an indentless list", "a:\n- x\n  # c1\n"),
    (
        "between the keys' column and a map's",
        "command:\n  host: 1\n # c1\n",
    ),
    (
        "a Helm-style commented-out block, with a blank line after it",
        "z:\n  affinity: {}  # c1\n  # podAntiAffinity:\n  #   required:\n\n",
    ),
    ("CRLF", "f:\r\n  a:\r\n    x: 1\r\n  # c1\r\n"),
    (
        "right after an indentless list at the document's end: the list's, even at column 0",
        "l:\n- a\n# c1\n",
    ),
    (
        "the same, then a blank line and the document's comment",
        "l:\n- a\n  # c1\n# c2\n\n# c3\n",
    ),
    (
        "the line comment of an empty only item of an indentless list: the next key's (differential case 1294)",
        "b: &a1\n- # c1\ns: 1\nt:\n  b:\n  - # c2\n  s: 1\nl:\n- # c3\n",
    ),
    (
        "before the dash of an empty last list item: the next key's (yaml.v3's empty node takes no comment)",
        "command:\n# c1\n-\nk: 1\nl:\n  # c1\n  -\nm: 1\n",
    ),
    (
        "a run cut where it dedents: the part before is the innermost collection's",
        "region:\n    script: ~\n# c1\n  # c2\nk:\n    s: 1\n\n# c1\n  # c3\nm: 1\n",
    ),
    (
        "a run after a blank line is read as one, placed by its first comment's column",
        "path:\n- url: 1\n  labels: x\n\n# c1\n  # c2\n",
    ),
    (
        "a last run after a blank line that dedents: the sops metadata goes after it, not above (yaml.v3 would make its first comment the metadata's)",
        "port: 1\nnested:\n\n  # c1\n# c1\n",
    ),
    (
        "after an empty last item's dash, behind a line comment of the item before: the next key's",
        "items:\n- a\n- b # c1\n- # c1\nk: 1\nport:\n- a # c1\n   # c1\n-\n   # c2\n   - x\n",
    ),
];

#[test]
fn the_last_comments_stay_decryptable_by_sops_and_come_back() {
    let Some(sops) = go_sops() else { return };
    for (name, doc) in CASES {
        for whole in [false, true] {
            let sb = Sandbox::new();
            sb.write("in.yaml", doc);
            let ls = || {
                let c = sb.leafseal();
                if whole {
                    c.env("LEAFSEAL_NO_PIECES", "1")
                } else {
                    c
                }
            };
            let enc = ls()
                .args(["encrypt", "--age", AGE1.recipient, "in.yaml"])
                .run();
            enc.assert_success();
            assert!(enc.stderr_str().is_empty(), "{name}: {}", enc.stderr_str());
            sb.write("e.yaml", &enc.stdout);
            let sops_reads = |file: &str| {
                let out = sb
                    .cmd(&sops)
                    .args(["decrypt", file])
                    .age_identity(AGE1.identity_file())
                    .run();
                out.assert_success();
                assert!(
                    !out.stdout_str().contains("ENC[") && out.stdout_str().contains("c1"),
                    "{name} (whole={whole}): sops cannot decrypt a comment of {file}:\n{}",
                    out.stdout_str()
                );
            };
            sops_reads("e.yaml");
            for whole_dec in [false, true] {
                let mut c = sb.leafseal().args(["decrypt", "e.yaml"]);
                if whole_dec {
                    c = c.env("LEAFSEAL_NO_PIECES", "1");
                }
                let dec = c.age_identity(AGE1.identity_file()).run();
                dec.assert_success();
                assert_eq!(dec.stdout_str(), *doc, "{name} (whole={whole}/{whole_dec})");
            }
            // Rewrites keep the file readable by sops, and the comments in place.
            sb.write("r.yaml", &enc.stdout);
            ls().args(["rotate", "-i", "r.yaml"])
                .age_identity(AGE1.identity_file())
                .run()
                .assert_success();
            sops_reads("r.yaml");
            let dec = ls()
                .args(["decrypt", "r.yaml"])
                .age_identity(AGE1.identity_file())
                .run();
            assert_eq!(dec.stdout_str(), *doc, "{name}: after rotate");
            ls().args(["set", "e.yaml", "[\"zz\"]", "2"])
                .age_identity(AGE1.identity_file())
                .run()
                .assert_success();
            sops_reads("e.yaml");
        }
    }
}

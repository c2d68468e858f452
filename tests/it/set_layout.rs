//! `set` writes new maps and lists in the file's own indentation (issue 15 item 8), and keeps
//! the rest of the layout when a value becomes a map or list or a list grows, on both the
//! piecewise and the whole-document path. The data is checked through the reference sops.

use crate::util::keys::{self, AGE1};
use crate::util::{tools, Sandbox};

/// Encrypts `plain`, applies each `set`, and returns leafseal's decryption of the result;
/// checks that no step fell back to the canonical layout and that sops reads the same data.
fn after_sets(plain: &str, sets: &[(&str, &str)], no_pieces: bool) -> String {
    let sops = tools::sops();
    let sb = Sandbox::new();
    sb.write("p.yaml", plain);
    // (Set to anything, the variable selects the whole-document path.)
    let leafseal = || match no_pieces {
        true => sb.leafseal().env("LEAFSEAL_NO_PIECES", "1"),
        false => sb.leafseal().env_remove("LEAFSEAL_NO_PIECES"),
    };
    let out = leafseal()
        .args(["encrypt", "--age", AGE1.recipient, "p.yaml"])
        .run();
    out.assert_success();
    sb.write("s.enc.yaml", &out.stdout);
    for (path, value) in sets {
        let out = leafseal()
            .args(["set", "s.enc.yaml", path, value])
            .age_identity(AGE1.identity_file())
            .run();
        out.assert_success();
        assert!(
            !out.stderr_str().contains("canonical layout"),
            "set {path} fell back to the canonical layout: {}",
            out.describe()
        );
    }
    let mine = sb
        .leafseal()
        .args(["decrypt", "s.enc.yaml"])
        .age_identity(AGE1.identity_file())
        .run();
    mine.assert_success();
    if let Some(sops) = sops {
        let json = |program: &std::path::Path| {
            let out = sb
                .cmd(program)
                .args(["decrypt", "--output-type", "json", "s.enc.yaml"])
                .age_identity(keys::age_all_identities())
                .run();
            out.assert_success();
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
        };
        assert_eq!(json(&sops), json(&crate::util::under_test()));
    }
    mine.stdout_str()
}

fn both_paths(plain: &str, sets: &[(&str, &str)], want: &str) {
    for no_pieces in [false, true] {
        assert_eq!(
            after_sets(plain, sets, no_pieces),
            want,
            "LEAFSEAL_NO_PIECES={no_pieces}"
        );
    }
}

#[test]
fn new_subtrees_take_the_files_two_space_indentation() {
    both_paths(
        "# app\ndb:\n  user: admin\n",
        &[
            ("[\"cache\"]", r#"{"redis": {"hosts": ["a", "b"], "port": 6379}}"#),
            ("[\"db\"][\"replica\"]", r#"{"host": "r1", "opts": {"ssl": true}}"#),
        ],
        "# app\ndb:\n  user: admin\n  replica:\n    host: r1\n    opts:\n      ssl: true\ncache:\n  redis:\n    hosts:\n      - a\n      - b\n    port: 6379\n",
    );
}

#[test]
fn new_subtrees_keep_a_four_space_file_at_four() {
    both_paths(
        "db:\n    user: admin\n",
        &[("[\"extra\"]", r#"{"k": {"l": [1]}}"#)],
        "db:\n    user: admin\nextra:\n    k:\n        l:\n            - 1\n",
    );
}

#[test]
fn new_lists_are_indentless_in_a_file_of_indentless_lists() {
    // Kubernetes style: the dashes of a list under a key stand at the key's column.
    both_paths(
        "spec:\n  containers:\n  - name: web\n    image: nginx\n",
        &[(
            "[\"spec\"][\"ports\"]",
            r#"[{"port": 80, "names": ["http", "web"]}]"#,
        )],
        "spec:\n  containers:\n  - name: web\n    image: nginx\n  ports:\n  - port: 80\n    names:\n    - http\n    - web\n",
    );
}

#[test]
fn a_value_becoming_a_map_or_a_list_keeps_the_layout_around_it() {
    both_paths(
        "# top\napp:\n  name: web   # shown in the UI\n\n  tags:\n    - a\n    - b # second\nother: 1\n",
        &[
            ("[\"app\"][\"name\"]", r#"{"first": "w", "last": "eb"}"#),
            ("[\"app\"][\"tags\"][0]", r#"{"k": "v", "m": [1, 2]}"#),
            ("[\"other\"]", "[true]"),
        ],
        "# top\napp:\n  name:   # shown in the UI\n    first: w\n    last: eb\n\n  tags:\n    - k: v\n      m:\n        - 1\n        - 2\n    - b # second\nother:\n  - true\n",
    );
}

#[test]
fn items_appended_to_a_list_go_below_its_last_item() {
    both_paths(
        "hosts:\n  - name: a\n    port: 1\n  - b\nafter: x\n",
        &[
            ("[\"hosts\"][9]", r#"{"name": "c", "port": 3}"#),
            ("[\"hosts\"][9]", r#""d""#),
        ],
        "hosts:\n  - name: a\n    port: 1\n  - b\n  - name: c\n    port: 3\n  - d\nafter: x\n",
    );
}

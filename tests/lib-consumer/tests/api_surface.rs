//! The API snapshot (semver gate until `cargo semver-checks` can run here; docs/library.md): the
//! signatures of every `pub` item of the documented API (`crates/leafseal/src/lib.rs`'s
//! re-exports, `api.rs` and `error.rs`) must equal `tests/lib-consumer/public-api.txt`. A deliberate change
//! updates the file: `LEAFSEAL_BLESS=1 cargo test -p leafseal-lib-consumer --test api_surface`.
// Tests may unwrap: a panic there is a test failure with a backtrace (STYLE.md §3).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("this crate sits at tests/lib-consumer")
        .to_path_buf()
}

/// Each `pub` declaration of `text`, from `pub` to its first `{` or `;`, whitespace collapsed.
fn public_items(name: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim_start();
        if t.starts_with("pub ") && !t.starts_with("pub mod ") && !t.starts_with("pub(crate)") {
            // A `pub use` runs to its `;` (braces and all), anything else to its body's `{`.
            let is_use = t.starts_with("pub use ");
            let mut decl = String::new();
            for l in &lines[i..] {
                decl.push(' ');
                decl.push_str(l.trim());
                if l.trim_end().ends_with(';')
                    || (!is_use && (l.contains('{') || l.trim_end().ends_with(',')))
                {
                    break;
                }
            }
            let decl = if is_use {
                decl.trim().to_owned()
            } else {
                decl.split('{').next().unwrap_or("").trim().to_owned()
            };
            out.push(format!(
                "{name}: {}",
                decl.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
        i += 1;
    }
    out
}

#[test]
fn public_api_is_the_snapshot() {
    let root = repo();
    let mut items = Vec::new();
    for rel in [
        "crates/leafseal/src/lib.rs",
        "crates/leafseal/src/api.rs",
        "crates/leafseal/src/error.rs",
    ] {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        items.extend(public_items(rel, &text));
    }
    let got = items.join("\n") + "\n";
    let snap = root.join("tests/lib-consumer/public-api.txt");
    if std::env::var_os("LEAFSEAL_BLESS").is_some() {
        std::fs::write(&snap, &got).unwrap();
    }
    let want = std::fs::read_to_string(&snap).unwrap_or_default();
    assert!(
        got == want,
        "the public API changed; if on purpose, bless it (see this file's docs):\n{got}"
    );
}

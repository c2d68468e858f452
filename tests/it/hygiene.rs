//! Secret hygiene (issue 9): a full encrypt / decrypt / set / edit / exec-env / exec-file cycle
//! with `RUST_LOG=trace` and `RUST_BACKTRACE=1` prints no secret value on stderr, and afterwards
//! no file under the sandbox (home, a private `XDG_RUNTIME_DIR`, `TMPDIR`) holds a plaintext
//! value except the outputs the user asked for.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::util::keys::AGE1;
use crate::util::{Cmd, Output, Sandbox};

/// Every secret starts with this marker; stderr must never contain it.
const MARKER: &str = "S3CR3T-VALUE-";

const ALPHA: &str = "S3CR3T-VALUE-ALPHA-7f3a9c";
const BETA: &str = "S3CR3T-VALUE-BETA-0b1e44";
const GAMMA: &str = "S3CR3T-VALUE-GAMMA-c0ffee";
const SET: &str = "S3CR3T-VALUE-SET-5eed01";
const EDITED: &str = "S3CR3T-VALUE-EDITED-ALPHA-7f3a9c";
const DOTENV: &str = "S3CR3T-VALUE-DOTENV-9911aa";
const ALL: &[&str] = &[ALPHA, BETA, GAMMA, SET, EDITED, DOTENV];

/// The scripted editor: records what it saw, then changes ALPHA into EDITED. It does not
/// contain any full secret itself (it edits the `ALPHA` infix).
const EDITOR: &str = r#"#!/bin/sh
set -e
f="$1"
echo "$f" > "$SB/editor-path"
stat -c '%a' "$f" > "$SB/editor-file-mode"
stat -c '%a' "$(dirname "$f")" > "$SB/editor-dir-mode"
sed -i 's/-ALPHA-/-EDITED-ALPHA-/' "$f"
"#;

struct Env {
    sb: Sandbox,
    run: PathBuf,
    tmp: PathBuf,
    runs: Vec<Output>,
}

impl Env {
    fn cmd(&self) -> Cmd {
        self.sb
            .leafseal()
            .age_identity(AGE1.identity_file())
            .env("RUST_LOG", "trace")
            .env("RUST_BACKTRACE", "1")
            .env("XDG_RUNTIME_DIR", &self.run)
            .env("TMPDIR", &self.tmp)
            .env("SB", self.sb.root())
            .env("EDITOR", self.sb.path("editor.sh"))
    }

    fn run(&mut self, args: &[&str]) -> Output {
        let out = self.cmd().args(args).run();
        self.runs.push(out.clone());
        out
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let ft = e.file_type().expect("file type");
        if ft.is_dir() {
            files_under(&p, out);
        } else if ft.is_file() {
            out.push(p);
        }
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn full_cycle_leaks_no_secret_to_stderr_or_stray_files() {
    let sb = Sandbox::new();
    let run = sb.path("run");
    let tmp = sb.path("tmp");
    for d in [&run, &tmp] {
        std::fs::create_dir(d).expect("mkdir");
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    let editor = sb.write("editor.sh", EDITOR);
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    sb.write(
        "plain.yaml",
        format!("alpha: {ALPHA}\nbeta: {BETA}\ngamma: {GAMMA}\nn: 42\n"),
    );
    sb.write("plain.env", format!("TOKEN={DOTENV}\nPORT=8080\n"));
    let mut env = Env {
        sb,
        run,
        tmp,
        runs: Vec::new(),
    };
    let age = AGE1.recipient;

    env.run(&[
        "encrypt",
        "--age",
        age,
        "--output",
        "enc.yaml",
        "plain.yaml",
    ])
    .assert_success();
    env.run(&["encrypt", "--age", age, "--output", "enc.env", "plain.env"])
        .assert_success();
    env.run(&["decrypt", "enc.yaml"])
        .assert_success()
        .assert_stdout_contains(GAMMA);
    env.run(&["decrypt", "--extract", r#"["gamma"]"#, "enc.yaml"])
        .assert_success()
        .assert_stdout_contains(GAMMA);
    env.run(&["set", "enc.yaml", r#"["beta"]"#, &format!("\"{SET}\"")])
        .assert_success();
    env.run(&["edit", "enc.yaml"]).assert_success();
    env.run(&[
        "exec-env",
        "enc.yaml",
        r#"[ -n "$alpha" ] && echo has-alpha"#,
    ])
    .assert_success()
    .assert_stdout_contains("has-alpha");
    env.run(&[
        "exec-env",
        "enc.env",
        r#"[ -n "$TOKEN" ] && echo has-token"#,
    ])
    .assert_success()
    .assert_stdout_contains("has-token");
    env.run(&["exec-file", "enc.yaml", "wc -c < {}"])
        .assert_success();
    env.run(&["decrypt", "--output", "dec.yaml", "enc.yaml"])
        .assert_success();
    let dec = env.sb.read_string("dec.yaml");
    assert!(
        dec.contains(EDITED) && dec.contains(SET),
        "the cycle took effect:\n{dec}"
    );
    let mode = std::fs::metadata(env.sb.path("dec.yaml"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "decrypted output is 0600");

    // Failures that have the plaintext in hand: a type confusion (the type is not
    // authenticated, so the value decrypts and then fails to parse) and a bad `set` value.
    let enc = env.sb.read_string("enc.yaml");
    env.sb
        .write("confused.yaml", enc.replacen("type:str]", "type:int]", 1));
    env.run(&["decrypt", "confused.yaml"]).assert_failure();
    env.sb.write(
        "confused-time.yaml",
        enc.replacen("type:str]", "type:time]", 1),
    );
    env.run(&["decrypt", "confused-time.yaml"]).assert_failure();
    env.run(&["set", "enc.yaml", r#"["beta"]"#, &format!("\"{SET}")])
        .assert_failure();
    env.run(&["exec-env", "enc.yaml", "exit 3"]).assert_code(3);

    // The editor ran on a 0600 file in a 0700 directory inside our private runtime dir.
    let editor_path = env.sb.read_string("editor-path");
    assert!(
        Path::new(editor_path.trim()).starts_with(&env.run),
        "edit used {editor_path:?}, not XDG_RUNTIME_DIR"
    );
    assert_eq!(env.sb.read_string("editor-file-mode").trim(), "600");
    assert_eq!(env.sb.read_string("editor-dir-mode").trim(), "700");

    let mut problems = Vec::new();
    for out in &env.runs {
        if contains(&out.stderr, MARKER) {
            problems.push(format!("stderr holds a secret\n{}", out.describe()));
        }
    }
    // Only the user's own input files and the output they asked for may hold plaintext.
    let allowed: Vec<PathBuf> = ["plain.yaml", "plain.env", "dec.yaml"]
        .iter()
        .map(|n| env.sb.path(n))
        .collect();
    let mut files = Vec::new();
    files_under(env.sb.root(), &mut files);
    for f in files.iter().filter(|f| !allowed.contains(f)) {
        let bytes = std::fs::read(f).unwrap_or_default();
        for s in ALL {
            if contains(&bytes, s) {
                problems.push(format!("{} holds {s}", f.display()));
            }
        }
    }
    for d in [&env.run, &env.tmp] {
        let left: Vec<_> = std::fs::read_dir(d).expect("read dir").flatten().collect();
        if !left.is_empty() {
            problems.push(format!("{} not empty afterwards: {left:?}", d.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
